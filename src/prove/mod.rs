//! Answers over every possible request: `prove never-allows` and `prove no-new-access`.
//!
//! A query is a formula over facts about the request — "the action matches `kvstore:Restore*`",
//! "the resource matches `acs:kvstore:*:*:instance/r-*prod*`", "some value of
//! `acs:MFAPresent` is true" — built from the policy sets by [`encode`]. A SAT solver
//! (batsat) finds truth values for the facts that make the formula true; the theories then
//! look for a request with those facts: strings by a search of the patterns' automata
//! ([`search`]), typed values among one candidate per region ([`keys`]). When a theory finds
//! none, the facts that alone admit none become a clause the solver must respect, and the
//! solver tries again (DPLL(T), lazily). When the solver finds no truth values left, the
//! property holds for every request; when a request is found, the evaluator itself must
//! confirm it before it is reported. Running out of budget is "unknown", never "holds".
//!
//! docs/semantics.md §8 says what is decided and what is answered "unknown".

mod encode;
mod formula;
mod glob;
mod keys;
mod search;

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use batsat::{Callbacks, Lit, SolverInterface, lbool};

use crate::condition::{CompiledCondition, Condition, ConditionValue, Family, Operator};
use crate::context::{ContextInput, global_key};
use crate::eval::DecisionRecord;
use crate::pattern::{Pattern, fold_case};
use crate::policy::Effect;
use crate::request::Request;
use crate::span::{Span, Spanned};
use crate::value::{self, Decimal, IpNetwork, Timestamp};
use crate::{Policy, PolicySet};

use encode::{Atom, Encoder};
use keys::{Demands, KeyAnswer};
use search::{Constraint, Found, Shape};

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
        let required = self
            .require
            .iter()
            .map(|(key, value)| required_condition(key, value))
            .collect::<Result<Vec<_>, _>>()?;
        let mut encoder = Encoder::new(Some(&self.action));
        let allowed = encoder.allowed(self.set);
        let carries: Vec<_> = required
            .iter()
            .map(|c| encoder.some_value_passes(c))
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
        let (answer, rounds) = solve(&encoder, root, scope, Meter::new(budget));
        let outcome = match answer {
            Answer::Holds => Outcome::Holds,
            Answer::Unknown(reason) => Outcome::Unknown(reason),
            Answer::Request(file) => {
                let request = confirm_request(&file)?;
                let decision = self.set.evaluate(&request);
                let in_scope = Pattern::new(&self.resource).is_match(request.resource())
                    && fold_case(request.action()) == fold_case(&self.action);
                let carries_all = !required.is_empty()
                    && required
                        .iter()
                        .all(|c| c.evaluate(request.context()).is_ok());
                if !decision.is_allowed() || !in_scope || carries_all {
                    return Err(ProveError::Internal(format!(
                        "the evaluator does not confirm the witness {} (decision {decision}, in scope {in_scope}, carries every required value {carries_all})",
                        file.to_string().replace('\n', " ")
                    )));
                }
                let decisions = vec![("policies".to_owned(), self.set.record(&decision))];
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
        let mut encoder = Encoder::new(self.action.as_deref());
        let new = encoder.allowed(self.new);
        let old = encoder.allowed(self.old);
        let not_old = encoder.formula.not(old);
        let root = encoder.formula.and([new, not_old]);
        let scope = self.resource.as_deref().filter(|r| *r != "*");
        let (answer, rounds) = solve(&encoder, root, scope, Meter::new(budget));
        let outcome = match answer {
            Answer::Holds => Outcome::Holds,
            Answer::Unknown(reason) => Outcome::Unknown(reason),
            Answer::Request(file) => {
                let request = confirm_request(&file)?;
                let new_decision = self.new.evaluate(&request);
                let old_decision = self.old.evaluate(&request);
                let in_scope = scope.is_none_or(|s| Pattern::new(s).is_match(request.resource()))
                    && self
                        .action
                        .as_ref()
                        .is_none_or(|a| fold_case(a) == fold_case(request.action()));
                if !new_decision.is_allowed() || old_decision.is_allowed() || !in_scope {
                    return Err(ProveError::Internal(format!(
                        "the evaluator does not confirm the witness {} (new {new_decision}, old {old_decision}, in scope {in_scope})",
                        file.to_string().replace('\n', " ")
                    )));
                }
                let decisions = vec![
                    ("old".to_owned(), self.old.record(&old_decision)),
                    ("new".to_owned(), self.new.record(&new_decision)),
                ];
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

/// The statements of `policy` (by index) whose removal changes no decision for any request,
/// in any set the policy takes part in: an `Allow` whose every request another `Allow` of the
/// policy also matches or a `Deny` of the policy overrides, a `Deny` whose every request
/// another `Deny` of the policy also matches. A statement that matches no request is not
/// listed (it is dead rather than redundant). The statements in `removed` count as gone
/// already, and so does each statement found, so that all of them can go together (of two
/// equal statements, one is listed). Statements are examined last first. Only statements
/// proved so are listed: each question has `per_statement`, and all of them together stop at
/// `total`. `check` reports them (`redundant-statement`).
///
/// # Example
/// ```
/// use std::time::Duration;
/// use ramguard::Policy;
/// use ramguard::prove::{redundant_statements, Budget, Redundancy};
///
/// // Neither Allow covers the third, but together they do.
/// let policy = Policy::from_text("p", r#"{"Version": "1", "Statement": [
///     {"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "acs:kvstore:*:*:instance/r-a*"},
///     {"Effect": "Allow", "Action": "kvstore:*", "Resource": "acs:kvstore:*:*:instance/r-b*"},
///     {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": ["acs:kvstore:*:*:instance/r-a1", "acs:kvstore:*:*:instance/r-b1"]}]}"#)?;
/// assert_eq!(
///     redundant_statements(&policy, &[], Budget::default(), Duration::from_secs(10)),
///     [(2, Redundancy::Covered)]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn redundant_statements(
    policy: &Policy,
    removed: &[usize],
    per_statement: Budget,
    total: Duration,
) -> Vec<(usize, Redundancy)> {
    let Ok(set) = PolicySet::builder().identity(policy.clone()).build() else {
        return Vec::new();
    };
    let deadline = Instant::now() + total;
    let layers = set.proof_layers();
    let statements = layers.identity;
    let mut encoder = Encoder::new(None);
    let matches: Vec<formula::NodeId> = statements.iter().map(|s| encoder.statement(s)).collect();
    let mut gone: Vec<bool> = (0..statements.len())
        .map(|i| removed.contains(&i))
        .collect();
    let mut redundant = Vec::new();
    for (i, statement) in statements.iter().enumerate().rev() {
        if gone[i] {
            continue;
        }
        if Instant::now() >= deadline {
            break;
        }
        let others = |effect: Effect| -> Vec<formula::NodeId> {
            (0..statements.len())
                .filter(|&j| j != i && !gone[j] && statements[j].effect == effect)
                .map(|j| matches[j])
                .collect()
        };
        // A statement that matches nothing is `statement-never-matches`, not redundant.
        let matches_nothing = matches!(
            solve(&encoder, matches[i], None, Meter::new(per_statement)),
            (Answer::Holds, _)
        );
        if matches_nothing {
            gone[i] = true;
            continue;
        }
        let other_denies = others(Effect::Deny);
        let other_allows = others(Effect::Allow);
        let denied = encoder.formula.or(other_denies);
        let not_denied = encoder.formula.not(denied);
        // Removing the statement changes a decision exactly where it matches and nothing
        // else of the policy decides the same way first.
        let root = match statement.effect {
            Effect::Deny => encoder.formula.and([matches[i], not_denied]),
            Effect::Allow => {
                let allowed = encoder.formula.or(other_allows);
                let not_allowed = encoder.formula.not(allowed);
                encoder.formula.and([matches[i], not_denied, not_allowed])
            }
        };
        let shadow = encoder.formula.and([matches[i], not_denied]);
        let budget = Budget {
            time: per_statement
                .time
                .min(deadline.saturating_duration_since(Instant::now())),
            memory: per_statement.memory,
        };
        if let (Answer::Holds, _) = solve(&encoder, root, None, Meter::new(budget)) {
            gone[i] = true;
            // An Allow the Denies alone override is shadowed; otherwise other Allows cover it.
            let shadowed = statement.effect == Effect::Allow
                && matches!(
                    solve(&encoder, shadow, None, Meter::new(budget)),
                    (Answer::Holds, _)
                );
            let why = if shadowed {
                Redundancy::ShadowedByDenies
            } else {
                Redundancy::Covered
            };
            redundant.push((statement.statement, why));
        }
    }
    redundant.reverse();
    redundant
}

/// Why a statement is redundant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Redundancy {
    /// An `Allow` the policy's `Deny` statements together override on every request it
    /// matches: it never takes effect.
    ShadowedByDenies,
    /// The other statements of its effect (for an `Allow`, with the `Deny` statements) already
    /// decide every request it matches the same way.
    Covered,
}

fn check_action(action: &str) -> Result<(), ProveError> {
    match action.split_once(':') {
        Some((code, name)) if !code.is_empty() && !name.is_empty() && !name.contains(':') => Ok(()),
        _ => Err(ProveError::Action(action.to_owned())),
    }
}

/// Reads the witness back as `eval` would, so what is printed is what `eval` decides.
fn confirm_request(file: &RequestFile) -> Result<Request, ProveError> {
    Request::from_json_text(&file.to_string()).map_err(|e| {
        ProveError::Internal(format!(
            "the witness {} is not a valid request: {e}",
            file.to_string().replace('\n', " ")
        ))
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
    let (operator, typed) = match family {
        Family::Bool => (
            "Bool",
            value::parse_bool(value)
                .map(ConditionValue::Bool)
                .map_err(|e| e.to_string()),
        ),
        Family::Ip => (
            "IpAddress",
            value::parse_ip_addr(value)
                .map_err(|e| e.to_string())
                .and_then(|_| IpNetwork::parse(value).map_err(|e| e.to_string()))
                .map(ConditionValue::Network),
        ),
        Family::Numeric => (
            "NumericEquals",
            Decimal::parse(value)
                .map(ConditionValue::Decimal)
                .map_err(|e| e.to_string()),
        ),
        Family::Date => (
            "DateEquals",
            Timestamp::parse_rfc3339(value)
                .map(ConditionValue::Timestamp)
                .map_err(|e| e.to_string()),
        ),
        Family::String => ("StringEquals", Ok(ConditionValue::String(value.to_owned()))),
    };
    let typed = typed.map_err(|e| error(format!("`{key}` holds {family} values: {e}")))?;
    let operator = Operator::parse(operator).map_err(|e| error(e.to_string()))?;
    let condition = Condition {
        operator: Spanned::new(operator, Span::default()),
        key: Spanned::new(key.to_owned(), Span::default()),
        values: vec![Spanned::new(typed, Span::default())],
    };
    Ok(CompiledCondition::compile(&condition))
}

/// What the search loop found.
enum Answer {
    Holds,
    Unknown(String),
    /// A request file meeting the formula (not yet confirmed).
    Request(RequestFile),
}

/// Stops the SAT solver at the deadline.
struct Deadline(Option<Instant>);

impl Callbacks for Deadline {
    fn stop(&self) -> bool {
        self.0.is_some_and(|d| Instant::now() >= d)
    }
}

/// The DPLL(T) loop: solve, read the facts the model relies on, ask the theories, and either
/// build the request or forbid the facts that admit none.
fn solve(
    encoder: &Encoder<'_>,
    root: formula::NodeId,
    scope: Option<&str>,
    meter: Meter,
) -> (Answer, usize) {
    if encoder.formula.is_const(root, false) {
        return (Answer::Holds, 0);
    }
    let mut solver: batsat::Solver<Deadline> =
        batsat::Solver::new(batsat::SolverOpts::default(), Deadline(meter.deadline));
    let mut literals = formula::Literals::default();
    let root_lit = encoder.formula.encode(root, &mut solver, &mut literals);
    solver.add_clause_reuse(&mut vec![root_lit]);
    // Facts every request respects, told up front: a passing value means the key is there;
    // the time is always there.
    let atom_vars: Vec<(u32, batsat::Var)> = literals.atom_vars().collect();
    for (atom, var) in atom_vars {
        let lit = Lit::new(var, true);
        let key = encoder.key_of(encoder.atoms[atom as usize]);
        let Some(key) = key else { continue };
        let present = literals.atom(encoder.present_atom(key), &mut solver);
        match encoder.atoms[atom as usize] {
            Atom::Some(_) => {
                solver.add_clause_reuse(&mut vec![!lit, present]);
            }
            Atom::Every(_) => {
                solver.add_clause_reuse(&mut vec![lit, present]);
            }
            _ => {}
        }
        if encoder.keys[key].always_present() {
            solver.add_clause_reuse(&mut vec![present]);
        }
    }
    tell_typed_keys(encoder, &mut solver, &mut literals);
    let scope_glob = scope.map(|s| glob::Glob::new(s, false));
    let mut rounds = 0;
    loop {
        if meter.exhausted(0) {
            return (Answer::Unknown(budget_reason()), rounds);
        }
        let result = solver.solve_limited(&[]);
        if result == lbool::FALSE {
            return (Answer::Holds, rounds);
        }
        if result != lbool::TRUE {
            return (Answer::Unknown(budget_reason()), rounds);
        }
        rounds += 1;
        let model: Vec<bool> = (0..encoder.atoms.len() as u32)
            .map(|atom| match literals.existing_atom(atom) {
                Some(lit) => solver.value_lit(lit) == lbool::TRUE,
                None => false,
            })
            .collect();
        let Some(facts) = encoder.formula.justify(root, &|a| model[a as usize]) else {
            return (
                Answer::Unknown("internal: the solver's model does not satisfy the query".into()),
                rounds,
            );
        };
        let checked = check_theories(encoder, &facts, scope_glob.as_ref(), &meter);
        match checked {
            Theories::Request(file) => return (Answer::Request(file), rounds),
            Theories::Unknown(reason) => return (Answer::Unknown(reason), rounds),
            Theories::Conflicts(cores) => {
                for core in cores {
                    // An empty core: the query's own scope admits no request.
                    let mut clause: Vec<Lit> = core
                        .iter()
                        .map(|&(atom, value)| {
                            let lit = literals.atom(atom, &mut solver);
                            if value { !lit } else { lit }
                        })
                        .collect();
                    if !solver.add_clause_reuse(&mut clause) {
                        return (Answer::Holds, rounds);
                    }
                }
            }
        }
    }
}

/// Tells the solver, up front, what values of typed keys can do together: for each region
/// of a key's values a variable "the request holds a value there"; a test passes for some
/// value when a region where it passes is held, for every value when no region where it fails
/// is; the key is present when some region is held. Models then never need a theory round
/// for these keys.
fn tell_typed_keys<S: SolverInterface>(
    encoder: &Encoder<'_>,
    solver: &mut S,
    literals: &mut formula::Literals,
) {
    for key in 0..encoder.keys.len() {
        let tests: Vec<usize> = (0..encoder.tests.len())
            .filter(|&t| encoder.tests[t].0 == key)
            .collect();
        let conditions: Vec<&CompiledCondition> =
            tests.iter().map(|&t| encoder.tests[t].1).collect();
        let Some(regions) = keys::regions(&encoder.keys[key], &conditions) else {
            continue;
        };
        let held: Vec<Lit> = regions
            .iter()
            .map(|_| Lit::new(solver.new_var_default(), true))
            .collect();
        let present = literals.atom(encoder.present_atom(key), solver);
        let mut any_held = held.clone();
        any_held.push(!present);
        solver.add_clause_reuse(&mut any_held);
        for &h in &held {
            solver.add_clause_reuse(&mut vec![!h, present]);
        }
        for (n, &test) in tests.iter().enumerate() {
            if let Some(some) = encoder
                .atom_id(Atom::Some(test))
                .and_then(|a| literals.existing_atom(a))
            {
                let mut clause = vec![!some];
                for (r, (_, passes)) in regions.iter().enumerate() {
                    if passes[n] {
                        clause.push(held[r]);
                        solver.add_clause_reuse(&mut vec![!held[r], some]);
                    }
                }
                solver.add_clause_reuse(&mut clause);
            }
            if let Some(every) = encoder
                .atom_id(Atom::Every(test))
                .and_then(|a| literals.existing_atom(a))
            {
                let mut clause = vec![every];
                for (r, (_, passes)) in regions.iter().enumerate() {
                    if !passes[n] {
                        clause.push(held[r]);
                        solver.add_clause_reuse(&mut vec![!held[r], !every]);
                    }
                }
                solver.add_clause_reuse(&mut clause);
            }
        }
    }
}

/// The account a witness names when no pattern names one.
const EXAMPLE_ACCOUNT: &str = "1234567890123456";

fn budget_reason() -> String {
    "the budget ran out before the query was decided (raise it with --budget)".into()
}

enum Theories {
    Request(RequestFile),
    /// Sets of facts (atom, value) that no request has together.
    Conflicts(Vec<Vec<(u32, bool)>>),
    Unknown(String),
}

/// Asks each theory for its part of a request meeting `facts`.
fn check_theories(
    encoder: &Encoder<'_>,
    facts: &[(u32, bool)],
    scope: Option<&glob::Glob>,
    meter: &Meter,
) -> Theories {
    let mut conflicts = Vec::new();
    // The action.
    let action = match encoder.fixed_action_as_written() {
        Some(action) => Some(action.to_owned()),
        None => {
            let group: Vec<(u32, bool, usize)> = facts
                .iter()
                .filter_map(|&(a, v)| match encoder.atoms[a as usize] {
                    Atom::Action(g) => Some((a, v, g)),
                    _ => None,
                })
                .collect();
            // A real action reads better than the shortest string: try kvstore's own first.
            let known = crate::lint::names::kvstore_actions()
                .iter()
                .map(|name| format!("kvstore:{name}"))
                .find(|action| {
                    let folded = fold_case(action);
                    group
                        .iter()
                        .all(|&(_, want, g)| encoder.action_globs[g].is_match(&folded) == want)
                });
            match known.map_or_else(
                || string_theory(&encoder.action_globs, None, &group, Shape::Action, meter),
                |action| Ok(Ok(action)),
            ) {
                Ok(Ok(text)) => Some(text),
                Ok(Err(core)) => {
                    conflicts.push(core);
                    None
                }
                Err(reason) => return Theories::Unknown(reason),
            }
        }
    };
    // The resource.
    let group: Vec<(u32, bool, usize)> = facts
        .iter()
        .filter_map(|&(a, v)| match encoder.atoms[a as usize] {
            Atom::Resource(g) => Some((a, v, g)),
            _ => None,
        })
        .collect();
    let resource = match string_theory(
        &encoder.resource_globs,
        scope,
        &group,
        Shape::Resource,
        meter,
    ) {
        Ok(Ok(text)) => Some(text),
        Ok(Err(core)) => {
            conflicts.push(core);
            None
        }
        Err(reason) => return Theories::Unknown(reason),
    };
    // Each condition key.
    let mut context: BTreeMap<usize, Vec<ContextInput>> = BTreeMap::new();
    let mut by_key: BTreeMap<usize, Vec<(u32, bool)>> = BTreeMap::new();
    for &(atom, value) in facts {
        if let Some(key) = encoder.key_of(encoder.atoms[atom as usize]) {
            by_key.entry(key).or_default().push((atom, value));
        }
    }
    for (&key, key_facts) in &by_key {
        // Facts in the order `Demands` numbers them: presence, `some`, `every`.
        let mut ordered: Vec<(u32, bool)> = Vec::with_capacity(key_facts.len());
        let mut demands = Demands::default();
        for &(atom, value) in key_facts {
            if let Atom::Present(_) = encoder.atoms[atom as usize] {
                demands.present = Some(value);
                ordered.push((atom, value));
            }
        }
        for &(atom, value) in key_facts {
            if let Atom::Some(test) = encoder.atoms[atom as usize] {
                demands.some.push((encoder.tests[test].1, value));
                ordered.push((atom, value));
            }
        }
        for &(atom, value) in key_facts {
            if let Atom::Every(test) = encoder.atoms[atom as usize] {
                demands.every.push((encoder.tests[test].1, value));
                ordered.push((atom, value));
            }
        }
        match keys::solve_with_core(&encoder.keys[key], &demands, meter) {
            (KeyAnswer::Values(values), _) => {
                context.insert(key, values);
            }
            (KeyAnswer::Conflict, core) => {
                conflicts.push(core.into_iter().map(|i| ordered[i]).collect());
            }
            (KeyAnswer::Unknown(reason), _) => return Theories::Unknown(reason),
        }
    }
    if !conflicts.is_empty() {
        return Theories::Conflicts(conflicts);
    }
    let (Some(action), Some(resource)) = (action, resource) else {
        return Theories::Unknown(
            "internal: a theory gave neither an answer nor a conflict".into(),
        );
    };
    let mut entries = BTreeMap::new();
    let mut has_time = false;
    for (key, values) in context {
        if values.is_empty() {
            continue;
        }
        let key = &encoder.keys[key];
        has_time |= key.always_present();
        let mut json: Vec<serde_json::Value> = values.into_iter().map(input_json).collect();
        let value = if json.len() == 1 {
            json.remove(0)
        } else {
            serde_json::Value::Array(json)
        };
        entries.insert(key.written.clone(), value);
    }
    if !has_time {
        entries.insert(
            crate::request::CURRENT_TIME_KEY.to_owned(),
            serde_json::Value::String(keys::DEFAULT_TIME.to_owned()),
        );
    }
    Theories::Request(RequestFile {
        action,
        resource,
        context: entries,
    })
}

fn input_json(input: ContextInput) -> serde_json::Value {
    match input {
        ContextInput::String(s) => serde_json::Value::String(s),
        ContextInput::Bool(b) => serde_json::Value::Bool(b),
        ContextInput::Number(n) => serde_json::from_str(&n).unwrap_or(serde_json::Value::String(n)),
    }
}

/// One string theory (actions or resources): `Ok(Ok(text))` a string with the facts,
/// `Ok(Err(core))` facts no string has together, `Err` the budget.
fn string_theory(
    globs: &[glob::Glob],
    scope: Option<&glob::Glob>,
    facts: &[(u32, bool, usize)],
    shape: Shape,
    meter: &Meter,
) -> Result<Result<String, Vec<(u32, bool)>>, String> {
    let mut refs: Vec<&glob::Glob> = globs.iter().collect();
    let mut constraints = Vec::new();
    let base = usize::from(scope.is_some());
    if let Some(scope) = scope {
        refs.push(scope);
        constraints.push(Constraint {
            globs: vec![refs.len() - 1],
            want: true,
        });
    }
    constraints.extend(facts.iter().map(|&(_, want, glob)| Constraint {
        globs: vec![glob],
        want,
    }));
    let meets_all = |text: &str| {
        search::fits(shape, text)
            && constraints
                .iter()
                .all(|c| c.globs.iter().any(|&g| refs[g].is_match(text)) == c.want)
    };
    // A readable resource first: each wanted pattern with its wildcards filled in.
    if shape == Shape::Resource {
        let wanted = constraints.iter().filter(|c| c.want).flat_map(|c| &c.globs);
        for &g in wanted {
            let example = refs[g].example(EXAMPLE_ACCOUNT);
            if meets_all(&example) {
                return Ok(Ok(example));
            }
        }
    }
    // Search with the wanted patterns first and add an unwanted one only when the string
    // found matches it: most unwanted patterns never come near the strings that matter, and
    // a search's cost grows with the patterns it carries.
    let mut active: Vec<usize> = (0..constraints.len())
        .filter(|&i| i < base || constraints[i].want)
        .collect();
    loop {
        let chosen: Vec<Constraint> = active.iter().map(|&i| constraints[i].clone()).collect();
        match search::search(&refs, &chosen, shape, meter) {
            Found::Witness(text) => {
                let broken: Vec<usize> = (0..constraints.len())
                    .filter(|i| !active.contains(i))
                    .filter(|&i| {
                        let c = &constraints[i];
                        c.globs.iter().any(|&g| refs[g].is_match(&text)) != c.want
                    })
                    .take(8)
                    .collect();
                if broken.is_empty() {
                    return Ok(Ok(text));
                }
                active.extend(broken);
            }
            Found::Empty { core } => {
                let core: Vec<usize> = core.into_iter().map(|i| active[i]).collect();
                let core = smaller_core(&refs, &constraints, core, base, shape, meter);
                return Ok(Err(core
                    .into_iter()
                    .filter(|&i| i >= base)
                    .map(|i| (facts[i - base].0, facts[i - base].1))
                    .collect()));
            }
            Found::OutOfBudget => return Err(budget_reason()),
        }
    }
}

/// Looks for a small part of an empty search's core that is empty on its own, by a few
/// cheap searches: the wanted patterns alone, one or two of them, or all of them with one
/// unwanted pattern (usually a wider pattern covers a narrower one). The smaller the core,
/// the more models its clause rules out at once. Keeps the whole core otherwise. The
/// constraints before `base` (the query's scope) are always kept.
fn smaller_core(
    globs: &[&glob::Glob],
    constraints: &[Constraint],
    core: Vec<usize>,
    base: usize,
    shape: Shape,
    meter: &Meter,
) -> Vec<usize> {
    if core.len() <= 2 {
        return core;
    }
    let empty = |subset: &[usize]| {
        let mut chosen: Vec<Constraint> = (0..base).map(|i| constraints[i].clone()).collect();
        chosen.extend(
            subset
                .iter()
                .filter(|&&i| i >= base)
                .map(|&i| constraints[i].clone()),
        );
        matches!(
            search::search(globs, &chosen, shape, meter),
            Found::Empty { .. }
        )
    };
    let (wanted, unwanted): (Vec<usize>, Vec<usize>) = core
        .iter()
        .copied()
        .filter(|&i| i >= base)
        .partition(|&i| constraints[i].want);
    if wanted.len() <= 6 {
        for (n, &a) in wanted.iter().enumerate() {
            if empty(&[a]) {
                return vec![a];
            }
            for &b in &wanted[n + 1..] {
                if empty(&[a, b]) {
                    return vec![a, b];
                }
            }
        }
    }
    if empty(&wanted) {
        return wanted;
    }
    for &u in &unwanted {
        let mut subset = wanted.clone();
        subset.push(u);
        if empty(&subset) {
            // Drop the wanted patterns that are not needed with it.
            let mut i = 0;
            while i + 1 < subset.len() && subset.len() > 2 {
                let mut without = subset.clone();
                without.remove(i);
                if empty(&without) {
                    subset = without;
                } else {
                    i += 1;
                }
            }
            return subset;
        }
    }
    core
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
