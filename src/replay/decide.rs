//! Deciding one item: reading it as a request or an ActionTrail event, finding whose policies
//! decide it, and evaluating. Never fails: anything that cannot be decided is an error record,
//! and nothing is allowed then.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::input::{Content, InputFormat, Item, Unreadable};
use super::record::{Decided, DecidingStatement, Outcome, Record};
use crate::account::CompiledAccount;
use crate::eval::PolicySet;
use crate::ingest::actiontrail::{EventMapping, EventPrincipal};
use crate::json::{self, JsonKind, JsonValue};
use crate::request::Request;

/// Whose policies decide the items of a log.
#[derive(Debug, Clone)]
pub(crate) enum Policies {
    /// One set for every item: policy files, or one principal of an account (`label` names it).
    Set {
        set: PolicySet,
        label: Option<String>,
    },
    /// An account: each event is decided by its own principal's policies.
    Account(CompiledAccount),
}

/// Decides items of one format against one set of policies.
#[derive(Debug, Clone)]
pub(crate) struct Decider {
    pub(crate) policies: Policies,
    pub(crate) format: InputFormat,
    pub(crate) mapping: EventMapping,
    /// Whether records keep the action and resource decided, for a report (`diff`).
    pub(crate) keep_subject: bool,
}

impl Decider {
    /// The record of one item. A panic inside is a bug: it becomes an error record, nothing
    /// is allowed, and the run goes on.
    pub(crate) fn decide(&self, item: &Item) -> Record {
        let record = Record::at(item);
        catch_unwind(AssertUnwindSafe(|| {
            self.decide_item(item, Record::at(item))
        }))
        .unwrap_or_else(|_| {
            record.error(
                "internal",
                None,
                "internal error while evaluating; nothing was allowed",
            )
        })
    }

    fn decide_item(&self, item: &Item, record: Record) -> Record {
        // Lets the tests force a panic here, where a bug in the engine would raise one.
        #[cfg(test)]
        if let Content::Line(text) = &item.content
            && text.contains(super::tests::FORCE_A_PANIC)
        {
            panic!("forced by a test");
        }
        // A line is parsed here and owned; an element of a document is borrowed.
        let value: Cow<'_, JsonValue> = match &item.content {
            Content::Value(value) => Cow::Borrowed(value),
            Content::Line(text) => match json::parse(text) {
                Ok(value) => Cow::Owned(value),
                Err(e) => {
                    let column = text
                        .get(..e.span.start)
                        .map_or(e.span.start, |s| s.chars().count())
                        + 1;
                    return record.error(
                        "invalid-json",
                        None,
                        format!("invalid JSON at column {column}: {}", e.message),
                    );
                }
            },
            Content::Unreadable(Unreadable::NotUtf8 { offset }) => {
                return record.error(
                    "not-utf8",
                    None,
                    format!(
                        "the line is not UTF-8 text (invalid byte at byte {})",
                        offset + 1
                    ),
                );
            }
            Content::Unreadable(Unreadable::TooLong { limit }) => {
                return record.error(
                    "line-too-long",
                    None,
                    format!("the line is longer than {limit} bytes (--max-line-bytes)"),
                );
            }
        };
        match self.format {
            InputFormat::Requests => self.decide_request(value, record),
            InputFormat::ActionTrail => self.decide_event(&value, record),
        }
    }

    fn decide_request(&self, value: Cow<'_, JsonValue>, mut record: Record) -> Record {
        record.id = value.get("id").cloned();
        if !matches!(value.kind, JsonKind::Object(_)) {
            let found = value.kind.type_name();
            return record.error(
                "not-an-object",
                None,
                format!("a request must be a JSON object, found {found}"),
            );
        }
        let request = match Request::from_json(value.into_owned()) {
            Ok(request) => request,
            Err(e) => return record.error(e.code(), None, e.to_string()),
        };
        match &self.policies {
            Policies::Set { set, label } => {
                record.principal = label.clone();
                self.evaluate(set, &request, record)
            }
            // The command line refuses a request log with an account and no principal.
            Policies::Account(_) => record.error(
                "no-principal",
                None,
                "a request names no principal: give --principal with --account",
            ),
        }
    }

    fn decide_event(&self, value: &JsonValue, mut record: Record) -> Record {
        let event = match self.mapping.map_value(value) {
            Ok(event) => event,
            Err(e) => {
                record.event_id = event_id(value);
                return record.error(e.code(), Some(e.field().to_string()), e.to_string());
            }
        };
        record.event_id = event.event_id.clone();
        record.event_error = event.error_code.clone();
        record.action = Some(event.request.action().to_string());
        record.resource = Some(event.request.resource().to_string());
        record.principal = Some(event.principal.to_string());
        let set = match &self.policies {
            Policies::Set {
                set,
                label: Some(label),
            } => {
                // A fixed principal: every event is decided as if it had made the call.
                record.principal = Some(label.clone());
                set
            }
            Policies::Set { set, label: None } => match not_governed(&event.principal) {
                Some(outcome) => return Record { outcome, ..record },
                None => set,
            },
            Policies::Account(account) => {
                if let Some(outcome) = not_governed(&event.principal) {
                    return Record { outcome, ..record };
                }
                let Some(principal) = event.principal.principal_ref() else {
                    return record.error(
                        "unknown-identity",
                        Some("userIdentity.type".into()),
                        format!(
                            "the event's identity `{}` is no user or role",
                            event.principal
                        ),
                    );
                };
                match account.policy_set(&principal) {
                    Ok(set) => set,
                    Err(e) => {
                        return record.error(
                            e.code(),
                            Some("userIdentity.userName".into()),
                            e.to_string(),
                        );
                    }
                }
            }
        };
        self.evaluate(set, &event.request, record)
    }

    /// The decision, with what it rests on.
    fn evaluate(&self, set: &PolicySet, request: &Request, mut record: Record) -> Record {
        let decision = set.evaluate(request);
        if self.keep_subject {
            record.decided_on =
                Some((request.action().to_string(), request.resource().to_string()));
        }
        record.outcome = Outcome::Decided(Decided {
            decision: decision.verdict,
            policy_type: decision.policy_type,
            statement: decision
                .deciding
                .and_then(|id| DecidingStatement::of(set, id)),
            missing_context: set.missing_context(request),
            depends_on: set.depends_on(request),
            warnings: request.warnings(),
        });
        record
    }
}

/// The record of an event RAM policies do not govern, if it is one.
fn not_governed(principal: &EventPrincipal) -> Option<Outcome> {
    match principal {
        EventPrincipal::RootAccount { .. } => Some(Outcome::Skipped {
            skipped: "root-account",
            reason: "the account's root identity is not governed by RAM policies".into(),
        }),
        EventPrincipal::Service(service) => Some(Outcome::Skipped {
            skipped: "service",
            reason: format!("`{service}` acted on its own behalf, without a RAM principal"),
        }),
        _ => None,
    }
}

/// The `eventId` of an event that could not be mapped, if it has a readable one (in a Simple
/// Log Service record, `event` holds the event, as an object or as JSON text).
fn event_id(value: &JsonValue) -> Option<String> {
    let id = |event: &JsonValue| match &event.get("eventId")?.kind {
        JsonKind::String(id) => Some(id.clone()),
        _ => None,
    };
    match value.get("event").map(|event| &event.kind) {
        Some(JsonKind::String(text)) => json::parse(text).ok().as_ref().and_then(id),
        Some(_) => value.get("event").and_then(id),
        None => id(value),
    }
}
