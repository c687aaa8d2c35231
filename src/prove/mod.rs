//! Answers over every possible request: `prove never-allows` and `prove no-new-access`.
//!
//! A query is a formula over facts about the request — "the action matches `kvstore:Restore*`",
//! "the resource matches `acs:kvstore:*:*:instance/r-*prod*`", "some value of
//! `acs:MFAPresent` is true" — built from the policy sets by `encode`. A SAT solver
//! (batsat) finds truth values for the facts that make the formula true; the theories then
//! look for a request with those facts: strings by a search of the patterns' automata
//! (`search`), typed values among one candidate per region (`keys`), in the loop of
//! `engine`. When a theory finds
//! none, the facts that alone admit none become a clause the solver must respect, and the
//! solver tries again (DPLL(T), lazily). When the solver finds no truth values left, the
//! property holds for every request; when a request is found, the evaluator itself must
//! confirm it before it is reported. Running out of budget is "unknown", never "holds".
//!
//! docs/semantics.md §8 says what is decided and what is answered "unknown".

mod encode;
mod engine;
mod formula;
mod glob;
mod keys;
mod redundancy;
mod search;

pub use redundancy::{Redundancy, RedundantStatement, redundant_statements};

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use crate::PolicySet;
use crate::condition::{
    CompiledCondition, Condition, ConditionValue, ConditionValueError, Family, Operator,
};
use crate::context::global_key;
use crate::eval::DecisionRecord;
use crate::json::{JsonKind, JsonValue};
use crate::pattern::{Pattern, fold_case};
use crate::request::Request;
use crate::span::{Span, Spanned};
use crate::value;

use encode::Encoder;
use engine::{Answer, solve};

/// How much time and memory a query may spend before it answers "unknown".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall-clock time.
    pub time: Duration,
    /// Memory for the automata searches, in bytes (an estimate the search keeps).
    pub memory: usize,
}

impl Default for Budget {
    /// 60 seconds and 1 GiB.
    fn default() -> Budget {
        Budget {
            time: Duration::from_secs(60),
            memory: 1 << 30,
        }
    }
}

/// The meter a query runs against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meter {
    deadline: Option<Instant>,
    memory: usize,
}

impl Meter {
    fn new(budget: Budget) -> Meter {
        Meter {
            deadline: Instant::now().checked_add(budget.time),
            memory: budget.memory,
        }
    }

    #[cfg(test)]
    pub(crate) fn unlimited() -> Meter {
        Meter {
            deadline: None,
            memory: usize::MAX,
        }
    }

    /// Whether the time is up or `memory` bytes are more than the budget allows.
    pub(crate) fn exhausted(&self, memory: usize) -> bool {
        memory > self.memory || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Drops from `items`, one at a time, each item `still_holds` does not need, so that none of
/// those left can be dropped alone (deletion-based shrinking of a core or a cover). When the
/// meter runs out it stops, keeping what is left: a larger set that still holds.
pub(crate) fn shrink<T: Clone>(
    mut items: Vec<T>,
    meter: &Meter,
    mut still_holds: impl FnMut(&[T]) -> bool,
) -> Vec<T> {
    let mut k = 0;
    while k < items.len() && !meter.exhausted(0) {
        let mut without = items.clone();
        without.remove(k);
        if still_holds(&without) {
            items = without;
        } else {
            k += 1;
        }
    }
    items
}

/// "No request for `action` on a resource matching `resource` is allowed unless it carries
/// every `require`d value."
#[derive(Debug, Clone)]
pub struct NeverAllows<'a> {
    /// The policies, as the principal holds them.
    pub set: &'a PolicySet,
    /// The action, as a request names it (`kvstore:RestoreInstance`).
    pub action: String,
    /// A resource pattern (`acs:kvstore:*:*:instance/r-*prod*`), or `*` for every resource.
    pub resource: String,
    /// `(key, value)` pairs every allowed request must carry.
    pub require: Vec<(String, String)>,
}

/// "Every request the new set allows, the old set allowed too."
#[derive(Debug, Clone)]
pub struct NoNewAccess<'a> {
    /// The policies before the change.
    pub old: &'a PolicySet,
    /// The policies after it.
    pub new: &'a PolicySet,
    /// Only requests naming this action, if given.
    pub action: Option<String>,
    /// Only requests on a resource matching this pattern, if given.
    pub resource: Option<String>,
}

/// A query's answer.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The property holds for every request.
    Holds,
    /// A request breaks the property; the evaluator confirmed it.
    Violated(Box<Witness>),
    /// The query was not decided: the reason says why (a construct not decided yet, or the
    /// budget).
    Unknown(String),
}

/// A request in the `eval` request-file format: `{"action", "resource", "context"}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RequestFile {
    /// The action.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// Context keys with one value, or a list of values; always `acs:CurrentTime`.
    pub context: BTreeMap<String, serde_json::Value>,
}

impl fmt::Display for RequestFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string_pretty(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// A request that breaks a property, with the decisions that make it do so.
#[derive(Debug, Clone)]
pub struct Witness {
    /// The request, as a request file for `ramguard eval --request`.
    pub request_file: RequestFile,
    /// The request as the evaluator read it.
    pub request: Request,
    /// Each set's decision on the request, labelled (`policies`, or `old` and `new`).
    pub decisions: Vec<(String, DecisionRecord)>,
}

/// An answer with what it cost.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The answer.
    pub outcome: Outcome,
    /// Wall-clock time spent.
    pub elapsed: Duration,
    /// Candidate models the theories examined.
    pub rounds: usize,
}

/// Why a query cannot be asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError {
    /// The action is not `<code>:<name>`.
    #[error(
        "`{0}` is not an action: write `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`"
    )]
    Action(String),
    /// The resource pattern can match no request's resource.
    #[error("`--resource {pattern}`: {reason}")]
    Resource {
        /// As given.
        pattern: String,
        /// What is wrong.
        reason: String,
    },
    /// A `--require` is not `KEY=VALUE` with a value of the key's type.
    #[error("`--require {given}`: {reason}")]
    Require {
        /// As given.
        given: String,
        /// What is wrong.
        reason: String,
    },
    /// A request `prove` built was not confirmed by the evaluator: a bug in `prove`, never an
    /// answer.
    #[error("internal error: {0}; please report it with the policies")]
    Internal(String),
}

impl NeverAllows<'_> {
    /// Decides the property within `budget`.
    ///
    /// # Errors
    /// An action that is not `<code>:<name>`, a malformed `require`, or an internal error.
    pub fn prove(&self, budget: Budget) -> Result<Proof, ProveError> {
        let started = Instant::now();
        check_action(&self.action)?;
        check_resource_scope(&self.resource)?;
        let required = self
            .require
            .iter()
            .map(|(key, value)| required_condition(key, value))
            .collect::<Result<Vec<_>, _>>()?;
        let mut encoder = Encoder::new(Some(&self.action));
        let allowed = encoder.allowed(self.set);
        let carries: Vec<_> = required
            .iter()
            .zip(&self.require)
            .map(|(c, (key, _))| encoder.some_value_passes(c, key))
            .collect();
        // Without requirements, any allowed request breaks the property.
        let root = if carries.is_empty() {
            allowed
        } else {
            let carries_all = encoder.formula.and(carries);
            let lacks = encoder.formula.not(carries_all);
            encoder.formula.and([allowed, lacks])
        };
        let scope = Some(self.resource.as_str()).filter(|r| *r != "*");
        let query = Query {
            encoder: &encoder,
            root,
            action: Some(&self.action),
            scope,
        };
        query.decide(budget, started, |request| {
            let decision = self.set.evaluate(request);
            let carries_all = !required.is_empty()
                && required
                    .iter()
                    .all(|c| c.evaluate(request.context()).is_ok());
            if !decision.is_allowed() || carries_all {
                return Err(format!(
                    "decision {decision}, carries every required value {carries_all}"
                ));
            }
            Ok(vec![("policies".to_owned(), self.set.record(&decision))])
        })
    }
}

impl NoNewAccess<'_> {
    /// Decides the property within `budget`.
    ///
    /// # Errors
    /// An action that is not `<code>:<name>`, or an internal error.
    pub fn prove(&self, budget: Budget) -> Result<Proof, ProveError> {
        let started = Instant::now();
        if let Some(action) = &self.action {
            check_action(action)?;
        }
        if let Some(resource) = &self.resource {
            check_resource_scope(resource)?;
        }
        let mut encoder = Encoder::new(self.action.as_deref());
        let new = encoder.allowed(self.new);
        let old = encoder.allowed(self.old);
        let not_old = encoder.formula.not(old);
        let root = encoder.formula.and([new, not_old]);
        let scope = self.resource.as_deref().filter(|r| *r != "*");
        let query = Query {
            encoder: &encoder,
            root,
            action: self.action.as_deref(),
            scope,
        };
        query.decide(budget, started, |request| {
            let new = self.new.evaluate(request);
            let old = self.old.evaluate(request);
            if !new.is_allowed() || old.is_allowed() {
                return Err(format!("new {new}, old {old}"));
            }
            Ok(vec![
                ("old".to_owned(), self.old.record(&old)),
                ("new".to_owned(), self.new.record(&new)),
            ])
        })
    }
}

/// A query's formula, with the action and resource scope every request of it has.
struct Query<'e, 'a> {
    encoder: &'e Encoder<'a>,
    root: formula::NodeId,
    action: Option<&'e str>,
    scope: Option<&'e str>,
}

impl Query<'_, '_> {
    /// Solves the formula and turns the answer into a proof. A request found is read back as
    /// `eval` reads it and must be in the query's scope and pass `confirm` (the evaluator's
    /// decisions that break the property, or what they are instead): anything else is an
    /// internal error, never an answer.
    fn decide(
        &self,
        budget: Budget,
        started: Instant,
        confirm: impl FnOnce(&Request) -> Result<Vec<(String, DecisionRecord)>, String>,
    ) -> Result<Proof, ProveError> {
        let (answer, rounds) = solve(self.encoder, self.root, self.scope, Meter::new(budget));
        let outcome = match answer {
            Answer::Holds => Outcome::Holds,
            Answer::Unknown(reason) => Outcome::Unknown(reason),
            Answer::Request(file) if too_long(&file) => Outcome::Unknown(format!(
                "the shortest request found is longer than a request may be ({} characters a value)",
                crate::limits::MAX_VALUE_CHARS
            )),
            Answer::Request(file) => {
                let unconfirmed = |why: String| {
                    ProveError::Internal(format!(
                        "the evaluator does not confirm the witness {} ({why})",
                        file.to_string().replace('\n', " ")
                    ))
                };
                let request = Request::from_json_text(&file.to_string())
                    .map_err(|e| unconfirmed(format!("not a valid request: {e}")))?;
                let in_scope = self
                    .scope
                    .is_none_or(|s| Pattern::new(s).is_match(request.resource()))
                    && self
                        .action
                        .is_none_or(|a| fold_case(a) == fold_case(request.action()));
                if !in_scope {
                    return Err(unconfirmed("out of the query's scope".into()));
                }
                let decisions = confirm(&request).map_err(unconfirmed)?;
                Outcome::Violated(Box::new(Witness {
                    request_file: file,
                    request,
                    decisions,
                }))
            }
        };
        Ok(Proof {
            outcome,
            elapsed: started.elapsed(),
            rounds,
        })
    }
}

/// Refuses a scope no request resource can match: a pattern that is neither `*` nor starts
/// with `acs:` (a typo such as `r-*prod*` would make every property hold, vacuously), or one
/// that matches no valid resource at all.
fn check_resource_scope(pattern: &str) -> Result<(), ProveError> {
    let error = |reason: String| ProveError::Resource {
        pattern: pattern.to_owned(),
        reason,
    };
    crate::arn::classify_resource_pattern(pattern).map_err(|e| error(e.to_string()))?;
    let scope = glob::Glob::new(pattern, false);
    let wanted = [search::Constraint {
        globs: vec![0],
        want: true,
    }];
    let budget = Budget {
        time: Duration::from_secs(5),
        memory: 64 << 20,
    };
    match search::search(&[&scope], &wanted, search::Shape::Resource, &Meter::new(budget)) {
        search::Found::Empty { .. } => Err(error(
            "it matches no resource a request can name (`*`, or `acs:<service>:<region>:<account>:<relative-id>` with a service and a relative id)".into(),
        )),
        _ => Ok(()),
    }
}

fn check_action(action: &str) -> Result<(), ProveError> {
    match action.split_once(':') {
        Some((code, name)) if !code.is_empty() && !name.is_empty() && !name.contains(':') => Ok(()),
        _ => Err(ProveError::Action(action.to_owned())),
    }
}

/// Whether a witness has a part longer than `Request` accepts ([`crate::limits`]).
fn too_long(file: &RequestFile) -> bool {
    let long = |text: &str| text.chars().count() > crate::limits::MAX_VALUE_CHARS;
    long(&file.action)
        || long(&file.resource)
        || file.context.values().any(|v| match v {
            serde_json::Value::String(s) => long(s),
            serde_json::Value::Array(items) => items.iter().any(|i| i.as_str().is_some_and(long)),
            _ => false,
        })
}

/// "The request carries `key=value`", compared as the key's type: a condition whose
/// per-value test is equality (`Bool`, `IpAddress` on one address, `NumericEquals`,
/// `DateEquals`, or `StringEquals` for keys of no known type).
fn required_condition(key: &str, value: &str) -> Result<CompiledCondition, ProveError> {
    let error = |reason: String| ProveError::Require {
        given: format!("{key}={value}"),
        reason,
    };
    if !crate::context::is_valid_key(key) {
        return Err(error(
            "write `KEY=VALUE` with a condition key such as `acs:MFAPresent`".into(),
        ));
    }
    let family = global_key(key).map_or(Family::String, |(_, family)| family);
    let operator = match family {
        Family::Bool => "Bool",
        Family::Ip => "IpAddress",
        Family::Numeric => "NumericEquals",
        Family::Date => "DateEquals",
        Family::String => "StringEquals",
    };
    // Typed as a policy value of the family is; for IP, one address, so that carrying it
    // means being equal to it.
    let as_policy_value = JsonValue {
        kind: JsonKind::String(value.to_owned()),
        span: Span::default(),
    };
    let address = match family {
        Family::Ip => value::parse_ip_addr(value).map(|_| ()),
        _ => Ok(()),
    };
    let typed = address
        .map_err(ConditionValueError::from)
        .and_then(|()| ConditionValue::from_json(family, &as_policy_value))
        .map_err(|e| error(format!("`{key}` holds {family} values: {e}")))?;
    let operator = Operator::parse(operator).map_err(|e| error(e.to_string()))?;
    let condition = Condition {
        operator: Spanned::new(operator, Span::default()),
        key: Spanned::new(key.to_owned(), Span::default()),
        values: vec![Spanned::new(typed, Span::default())],
    };
    Ok(CompiledCondition::compile(&condition))
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Holds => "holds",
            Outcome::Violated(_) => "violated",
            Outcome::Unknown(_) => "unknown",
        })
    }
}
