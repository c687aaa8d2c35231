//! The records a replay writes: one per item, a decision, a skipped event or an error, in the
//! JSON shape documented in `ramguard batch --help`.

use serde::Serialize;

use super::input::Item;
use crate::eval::{PolicySet, PolicyType, StatementId, Verdict};
use crate::json::JsonValue;
use crate::request::RequestWarning;

/// The outcome of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Record {
    /// The 1-based line the item starts on.
    pub(crate) line: usize,
    /// Its position in the array that held it, when it came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<usize>,
    /// A request's `"id"`, copied as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<JsonValue>,
    /// An event's `eventId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) event_id: Option<String>,
    /// Whose policies decided: `user/NAME`, `role/NAME`, or the event's identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) principal: Option<String>,
    /// An event's request as RAM authorized it: the action (events only; a request log has it
    /// on the input line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<String>,
    /// An event's resource ARN, or `*` (events only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resource: Option<String>,
    /// The error code ActionTrail recorded for the call, when it failed (e.g. a RAM denial).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) event_error: Option<String>,
    /// The action and resource decided, for reports (requests and events alike).
    #[serde(skip)]
    pub(crate) decided_on: Option<(String, String)>,
    /// The decision, or why there is none.
    #[serde(flatten)]
    pub(crate) outcome: Outcome,
}

/// A decision, a skipped event, or an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum Outcome {
    /// The item was decided.
    Decided(Decided),
    /// An event RAM policies do not govern (the root account, a cloud service's own call).
    Skipped {
        /// A stable code: `root-account`, `service`, `other-identity`.
        skipped: &'static str,
        /// Why.
        reason: String,
    },
    /// The item could not be decided; nothing was allowed.
    Error {
        /// What was wrong.
        error: String,
        /// A stable code for it.
        code: &'static str,
        /// The field of the event or request that was missing or unusable.
        #[serde(skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
}

/// A decision and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Decided {
    /// Allow, explicit deny or implicit deny.
    pub(crate) decision: Verdict,
    /// The layer that decided.
    pub(crate) policy_type: PolicyType,
    /// The deciding statement, for allows and explicit denies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) statement: Option<DecidingStatement>,
    /// Condition keys the request lacks that a statement read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) missing_context: Vec<String>,
    /// Of those, the ones whose values could change whether it is allowed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) depends_on: Vec<String>,
    /// Doubts about the request: `acs:` keys RAM does not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) warnings: Vec<RequestWarning>,
}

/// Which statement decided, by policy name and index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DecidingStatement {
    /// The policy's name.
    pub(crate) policy: String,
    /// The statement's index in the policy, from 0.
    pub(crate) index: usize,
    /// Its `Sid`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sid: Option<String>,
}

impl DecidingStatement {
    pub(crate) fn of(set: &PolicySet, id: StatementId) -> Option<DecidingStatement> {
        // Names only: locating the statement in its file is for traces, not for every record.
        let policy = set.policy_at(id.policy)?;
        let statement = policy.statements().get(id.statement)?;
        Some(DecidingStatement {
            policy: policy.name().to_string(),
            index: id.statement,
            sid: statement.sid.as_ref().map(|s| s.value.clone()),
        })
    }
}

impl Record {
    /// A record for `item`, its outcome still to be set.
    pub(crate) fn at(item: &Item) -> Record {
        Record {
            line: item.line,
            index: item.index,
            id: None,
            event_id: None,
            principal: None,
            action: None,
            resource: None,
            event_error: None,
            decided_on: None,
            outcome: Outcome::Error {
                error: "not decided".into(),
                code: "internal",
                field: None,
            },
        }
    }

    /// This record as an error.
    pub(crate) fn error(
        mut self,
        code: &'static str,
        field: Option<String>,
        error: impl Into<String>,
    ) -> Record {
        self.outcome = Outcome::Error {
            error: error.into(),
            code,
            field,
        };
        self
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Items read (blank lines are skipped and not counted).
    pub(crate) records: usize,
    /// Allowed.
    pub(crate) allowed: usize,
    /// Denied, explicitly or implicitly.
    pub(crate) denied: usize,
    /// Events not governed by RAM policies.
    pub(crate) skipped: usize,
    /// Items that could not be decided.
    pub(crate) errors: usize,
}

impl Summary {
    /// Counts one record.
    pub(crate) fn count(&mut self, record: &Record) {
        self.records += 1;
        match &record.outcome {
            Outcome::Decided(d) if d.decision.is_allowed() => self.allowed += 1,
            Outcome::Decided(_) => self.denied += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
            Outcome::Error { .. } => self.errors += 1,
        }
    }
}
