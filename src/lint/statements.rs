//! Checks that compare patterns and statements: statements that can never match, statements
//! another one already covers, `Allow`s a `Deny` always overrides, and redundant list entries.

use super::Sink;
use super::analysis::{Explained, MAX_PAIRWISE, never_matches};
use super::subsume::{covers, overlaps};
use crate::condition::Condition;
use crate::context::fold_key;
use crate::pattern::fold_case;
use crate::policy::{Effect, NameList, Policy, Statement};
use crate::prove::Redundancy;
use crate::rules;
use crate::span::{Source, Spanned};

pub(super) fn check(policy: &Policy, explained: &Explained, sink: &mut Sink) {
    let statements = policy.statements();
    for (i, statement) in statements.iter().enumerate() {
        let at = Some((i, statement));
        redundant_patterns(&statement.action, true, at, sink);
        redundant_patterns(&statement.resource, false, at, sink);
        if !explained.statements.contains(&i) {
            if let Some((span, reason)) = never_matches(statement) {
                sink.push(
                    &rules::STATEMENT_NEVER_MATCHES,
                    at,
                    span,
                    format!("this statement can never match a request: {reason}"),
                    rules::STATEMENT_NEVER_MATCHES.help,
                );
            }
        }
    }
    if statements.len() > MAX_PAIRWISE {
        return;
    }
    let source = policy.source();
    let mut reported: Vec<usize> = Vec::new();
    for (j, b) in statements.iter().enumerate() {
        let at = Some((j, b));
        let redundant = statements.iter().enumerate().find(|&(i, a)| {
            i != j
                && a.effect.value == b.effect.value
                && statement_covers(a, b)
                && (i < j || !statement_covers(b, a))
        });
        if let Some((i, a)) = redundant {
            reported.push(j);
            let verb = match a.effect.value {
                Effect::Allow => "allows",
                Effect::Deny => "denies",
            };
            sink.push(
                &rules::REDUNDANT_STATEMENT,
                at,
                b.effect.span,
                format!(
                    "this statement is redundant: {} already {verb} every request it matches",
                    label(source, i, a)
                ),
                rules::REDUNDANT_STATEMENT.help,
            );
        }
        if b.effect.value == Effect::Allow {
            let shadow = statements
                .iter()
                .enumerate()
                .find(|(_, a)| a.effect.value == Effect::Deny && statement_covers(a, b));
            if let Some((i, a)) = shadow {
                reported.push(j);
                sink.push(
                    &rules::SHADOWED_BY_DENY,
                    at,
                    b.effect.span,
                    format!(
                        "this `Allow` never takes effect: the `Deny` of {} matches every request it matches",
                        label(source, i, a)
                    ),
                    rules::SHADOWED_BY_DENY.help,
                );
            }
        }
    }
    proved_redundant(policy, &reported, sink);
}

/// Statements no single other statement covers, but all of them together do: proved over
/// every request (docs/semantics.md §8), and reported only when proved. The statements
/// already reported count as removed, so that every reported statement can go at once.
fn proved_redundant(policy: &Policy, reported: &[usize], sink: &mut Sink) {
    let statements = policy.statements();
    if statements.len() < 2 {
        return;
    }
    let per_statement = crate::prove::Budget {
        time: PROOF_TIME_PER_STATEMENT,
        memory: 64 << 20,
    };
    let proved =
        crate::prove::redundant_statements(policy, reported, per_statement, PROOF_TIME_PER_POLICY);
    let source = policy.source();
    for found in proved {
        let Some(statement) = statements.get(found.index) else {
            continue;
        };
        let cover: Vec<String> = found
            .covered_by
            .iter()
            .filter_map(|&k| statements.get(k).map(|s| label(source, k, s)))
            .collect();
        // "Statement[3] at line 17 already denies" / "…, … and … together already deny".
        let (subject, many) = match cover.as_slice() {
            [one] => (one.clone(), false),
            [init @ .., last] => (format!("{} and {last} together", init.join(", ")), true),
            [] => ("the other statements".to_owned(), true),
        };
        let verb = |one: &'static str, more: &'static str| if many { more } else { one };
        let denies = found.covered_by.iter().any(|&k| {
            statements
                .get(k)
                .is_some_and(|c| c.effect.value == Effect::Deny)
        });
        let (rule, does) = match (found.why, statement.effect.value) {
            (Redundancy::ShadowedByDenies, _) => {
                (&rules::SHADOWED_BY_DENY, verb("matches", "match"))
            }
            (_, Effect::Allow) if denies => (
                &rules::REDUNDANT_STATEMENT,
                verb("already allows or denies", "already allow or deny"),
            ),
            (_, Effect::Allow) => (
                &rules::REDUNDANT_STATEMENT,
                verb("already allows", "already allow"),
            ),
            (_, Effect::Deny) => (
                &rules::REDUNDANT_STATEMENT,
                verb("already denies", "already deny"),
            ),
        };
        let message = match found.why {
            Redundancy::ShadowedByDenies => format!(
                "this `Allow` never takes effect: the `Deny` of {subject} {does} every request it matches (proved over every request)"
            ),
            _ => format!(
                "this statement is redundant: {subject} {does} every request it matches (proved over every request)"
            ),
        };
        sink.push(
            rule,
            Some((found.index, statement)),
            statement.effect.span,
            message,
            rule.help,
        );
    }
}

/// How long `check` spends proving one statement redundant, and all of one policy's: a
/// question not settled in time is not reported.
const PROOF_TIME_PER_STATEMENT: std::time::Duration = std::time::Duration::from_millis(200);
const PROOF_TIME_PER_POLICY: std::time::Duration = std::time::Duration::from_secs(2);

/// `Statement[2] ("Sid") at line 20`.
fn label(source: &Source, index: usize, statement: &Statement) -> String {
    let sid = statement
        .sid
        .as_ref()
        .map(|s| format!(" (`{}`)", s.value))
        .unwrap_or_default();
    let line = source.position(statement.span.start).line;
    format!("Statement[{index}]{sid} at line {line}")
}

fn redundant_patterns(
    list: &NameList,
    fold: bool,
    at: Option<(usize, &Statement)>,
    sink: &mut Sink,
) {
    let text = |p: &Spanned<String>| {
        if fold {
            fold_case(&p.value).into_owned()
        } else {
            p.value.clone()
        }
    };
    if list.patterns.len() > MAX_PAIRWISE {
        return;
    }
    let patterns: Vec<String> = list.patterns.iter().map(text).collect();
    for (j, pj) in patterns.iter().enumerate() {
        let covering = patterns
            .iter()
            .enumerate()
            .find(|&(i, pi)| i != j && covers(pi, pj) && (i < j || !covers(pj, pi)));
        let (Some((i, _)), Some(entry)) = (covering, list.patterns.get(j)) else {
            continue;
        };
        let Some(other) = list.patterns.get(i) else {
            continue;
        };
        let message = if patterns.get(i) == Some(pj) {
            format!("`{}` is listed twice", entry.value)
        } else {
            format!(
                "`{}` is redundant: `{}` in the same list already matches everything it matches",
                entry.value, other.value
            )
        };
        sink.push(
            &rules::REDUNDANT_PATTERN,
            at,
            entry.span,
            message,
            rules::REDUNDANT_PATTERN.help,
        );
    }
}

/// Whether every request `b` matches, `a` matches too. Conservative: `false` when unsure.
fn statement_covers(a: &Statement, b: &Statement) -> bool {
    list_covers(&a.action, &b.action, true)
        && list_covers(&a.resource, &b.resource, false)
        // `b` may add conditions: they only narrow it.
        && a.conditions
            .iter()
            .all(|ca| b.conditions.iter().any(|cb| same_condition(ca, cb)))
}

/// Whether every name list `b` matches is matched by `a`.
fn list_covers(a: &NameList, b: &NameList, fold: bool) -> bool {
    if a.patterns.len().saturating_mul(b.patterns.len()) > MAX_PAIRWISE * MAX_PAIRWISE {
        return false;
    }
    let texts = |list: &NameList| -> Vec<String> {
        list.patterns
            .iter()
            .map(|p| {
                if fold {
                    fold_case(&p.value).into_owned()
                } else {
                    p.value.clone()
                }
            })
            .collect()
    };
    let (pa, pb) = (texts(a), texts(b));
    match (a.negated, b.negated) {
        (false, false) => pb.iter().all(|q| pa.iter().any(|p| covers(p, q))),
        // `b` matches what is outside its list, `a` what is outside its own: `a`'s list must
        // lie inside `b`'s.
        (true, true) => pa.iter().all(|p| pb.iter().any(|q| covers(q, p))),
        // Everything `b` lists must stay clear of what `a` excludes.
        (true, false) => pb.iter().all(|q| pa.iter().all(|p| !overlaps(p, q))),
        // `b` matches almost everything; only a match-all entry in `a` surely covers it.
        (false, true) => pa.iter().any(|p| p.chars().all(|c| c == '*')),
    }
}

fn same_condition(x: &Condition, y: &Condition) -> bool {
    x.operator.value == y.operator.value
        && fold_key(&x.key.value) == fold_key(&y.key.value)
        && x.values.iter().all(|v| y.values.contains(v))
        && y.values.iter().all(|v| x.values.contains(v))
}
