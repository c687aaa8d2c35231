//! Statements whose removal changes no decision, proved over every request: what `check`
//! reports as `redundant-statement` and `shadowed-by-deny` when no single other statement
//! covers them.

use std::time::{Duration, Instant};

use super::encode::Encoder;
use super::engine::{Answer, solve};
use super::{Budget, Meter, formula, shrink};
use crate::lint::subsume::overlaps;
use crate::policy::Effect;
use crate::{Policy, PolicySet};

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
/// use ramguard::prove::{redundant_statements, Budget, Redundancy, RedundantStatement};
///
/// // Neither Allow covers the third, but together they do.
/// let policy = Policy::from_text("p", r#"{"Version": "1", "Statement": [
///     {"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "acs:kvstore:*:*:instance/r-a*"},
///     {"Effect": "Allow", "Action": "kvstore:*", "Resource": "acs:kvstore:*:*:instance/r-b*"},
///     {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": ["acs:kvstore:*:*:instance/r-a1", "acs:kvstore:*:*:instance/r-b1"]}]}"#)?;
/// let found = redundant_statements(&policy, &[], Budget::default(), Duration::from_secs(10));
/// assert_eq!(
///     found,
///     [RedundantStatement { index: 2, why: Redundancy::Covered, covered_by: vec![0, 1] }]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn redundant_statements(
    policy: &Policy,
    removed: &[usize],
    per_statement: Budget,
    total: Duration,
) -> Vec<RedundantStatement> {
    let Ok(set) = PolicySet::builder().identity(policy.clone()).build() else {
        return Vec::new();
    };
    let deadline = Instant::now() + total;
    let layers = set.proof_layers();
    let statements = layers.identity;
    let mut encoder = Encoder::new(None);
    let matches: Vec<formula::NodeId> = statements
        .iter()
        .map(|s| encoder.statement(&set, s))
        .collect();
    let actions: Vec<(Vec<String>, bool)> = statements
        .iter()
        .map(|s| {
            let (patterns, negated) = s.actions();
            let folded = patterns
                .iter()
                .map(|p| p.folded_text().into_owned())
                .collect();
            (folded, negated)
        })
        .collect();
    let mut gone: Vec<bool> = (0..statements.len())
        .map(|i| removed.contains(&i))
        .collect();
    let mut found = Vec::new();
    for i in (0..statements.len()).rev() {
        if gone[i] {
            continue;
        }
        if Instant::now() >= deadline {
            break;
        }
        let budget = Budget {
            time: per_statement
                .time
                .min(deadline.saturating_duration_since(Instant::now())),
            memory: per_statement.memory,
        };
        // "No request the statement matches escapes `cover`": then removing the statement
        // changes no decision, since those statements decide each such request first, or
        // the same way.
        let mut covers = |cover: &[usize]| {
            let others: Vec<formula::NodeId> = cover.iter().map(|&j| matches[j]).collect();
            let any = encoder.formula.or(others);
            let escapes = encoder.formula.not(any);
            let root = encoder.formula.and([matches[i], escapes]);
            matches!(
                solve(&encoder, root, None, Meter::new(budget)),
                (Answer::Holds, _)
            )
        };
        // Only statements whose actions can meet this one's can cover any of it: a cheap test
        // that spares most proofs.
        let others = |effect: Effect| -> Vec<usize> {
            (0..statements.len())
                .filter(|&j| j != i && !gone[j] && statements[j].effect == effect)
                .filter(|&j| actions_may_meet(&actions[i], &actions[j]))
                .collect()
        };
        let denies = others(Effect::Deny);
        let allows = match statements[i].effect {
            Effect::Allow => others(Effect::Allow),
            Effect::Deny => Vec::new(),
        };
        if denies.is_empty() && allows.is_empty() {
            continue;
        }
        // A statement that matches nothing is `statement-never-matches`, not redundant.
        if covers(&[]) {
            gone[i] = true;
            continue;
        }
        let (why, cover) = match statements[i].effect {
            // A Deny counts where no other Deny matches.
            Effect::Deny => (Redundancy::Covered, denies),
            // An Allow counts where no Deny and no other Allow matches; when the Denies alone
            // cover it, it never takes effect at all.
            Effect::Allow if !denies.is_empty() && covers(&denies) => {
                (Redundancy::ShadowedByDenies, denies)
            }
            Effect::Allow => {
                let mut all = denies;
                all.extend(allows);
                all.sort_unstable();
                (Redundancy::Covered, all)
            }
        };
        if !covers(&cover) {
            continue;
        }
        // Drop what the cover does not need, so the finding names the statements that matter.
        let until_deadline = Meter {
            deadline: Some(deadline),
            memory: usize::MAX,
        };
        let needed = shrink(cover, &until_deadline, |c| covers(c));
        gone[i] = true;
        found.push(RedundantStatement {
            index: statements[i].statement,
            why,
            covered_by: needed.iter().map(|&j| statements[j].statement).collect(),
        });
    }
    found.reverse();
    found
}

/// Whether some action can match both statements' action parts (folded patterns, and
/// whether they are `NotAction`); `true` when unsure (a `NotAction`).
fn actions_may_meet(a: &(Vec<String>, bool), b: &(Vec<String>, bool)) -> bool {
    let ((a, a_negated), (b, b_negated)) = (a, b);
    *a_negated || *b_negated || a.iter().any(|p| b.iter().any(|q| overlaps(p, q)))
}

/// A statement whose removal changes no decision, and the statements that make it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedundantStatement {
    /// Its index in the policy.
    pub index: usize,
    /// Why it changes nothing.
    pub why: Redundancy,
    /// Statements of the policy (indexes) that together decide every request it matches
    /// first or the same way; none of them can be left out.
    pub covered_by: Vec<usize>,
}

/// Why a statement is redundant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Redundancy {
    /// An `Allow` the policy's `Deny` statements together override on every request it
    /// matches: it never takes effect.
    ShadowedByDenies,
    /// Other statements (for a `Deny`, other `Deny` statements; for an `Allow`, `Allow` and
    /// `Deny` statements) decide every request it matches the same way, or first.
    Covered,
}
