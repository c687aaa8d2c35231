//! Statements whose removal changes no decision, proved over every request: what `check`
//! reports as `redundant-statement` and `shadowed-by-deny` when no single other statement
//! covers them.

use std::time::{Duration, Instant};

use super::encode::Encoder;
use super::engine::{Answer, solve};
use super::{Budget, Meter, formula};
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
