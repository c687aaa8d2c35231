//! What the checks share: which statements can never match and why, the wording of pattern
//! lists, and what the security checks already explained so that plainer checks stay quiet.

use std::cmp::Ordering;
use std::fmt::Display;

use super::names::KVSTORE;
use super::subsume::overlaps;
use crate::condition::{Comparison, Condition, ConditionValue, Family};
use crate::context::fold_key;
use crate::policy::{NameList, Statement};
use crate::span::Span;

/// Above this many statements, list entries or conditions, the pairwise comparisons are
/// skipped: their cost grows with the square, and such a document is far past RAM's size
/// limit, which is reported anyway.
pub(super) const MAX_PAIRWISE: usize = 512;

/// What the security checks already reported, so that plainer checks do not report the same
/// mistake again.
#[derive(Debug, Default)]
pub(crate) struct Explained {
    /// Spans a security finding points at or explains.
    pub(crate) spans: Vec<Span>,
    /// Statements a security finding says can never match.
    pub(crate) statements: Vec<usize>,
}

/// Why no request can match the statement, when that can be shown.
pub(super) fn never_matches(statement: &Statement) -> Option<(Span, String)> {
    if let Some(found) = kvstore_actions_on_other_resources(statement) {
        return Some(found);
    }
    contradiction(statement)
}

/// kvstore actions authorize on kvstore resources only.
fn kvstore_actions_on_other_resources(statement: &Statement) -> Option<(Span, String)> {
    let (actions, resources) = (&statement.action, &statement.resource);
    if actions.negated || resources.negated {
        return None;
    }
    let all_kvstore = actions.patterns.iter().all(|p| {
        p.value
            .split_once(':')
            .is_some_and(|(code, _)| code.eq_ignore_ascii_case(KVSTORE))
    });
    let kvstore_resources = format!("acs:{KVSTORE}:*");
    if !all_kvstore
        || resources
            .patterns
            .iter()
            .any(|p| overlaps(&p.value, &kvstore_resources))
    {
        return None;
    }
    let first = resources.patterns.first()?;
    Some((
        first.span,
        format!(
            "kvstore actions apply only to `acs:kvstore:…` resources, and {} none",
            patterns_that_match(resources)
        ),
    ))
}

/// `` `a` matches `` or `` `a`, `b` match ``: a list's patterns as the subject of a sentence.
pub(super) fn patterns_that_match(list: &NameList) -> String {
    let listed: Vec<String> = list
        .patterns
        .iter()
        .map(|p| format!("`{}`", p.value))
        .collect();
    let verb = if listed.len() == 1 {
        "matches"
    } else {
        "match"
    };
    format!("{} {verb}", listed.join(", "))
}

/// Conditions on one single-valued key that no value can satisfy together. Only unqualified
/// operators on keys a request holds one value for: with several values, `DateLessThan` and
/// `DateGreaterThan` may each hold for a different one.
pub(super) fn contradiction(statement: &Statement) -> Option<(Span, String)> {
    if statement.conditions.len() > MAX_PAIRWISE {
        return None;
    }
    let mut keys: Vec<String> = Vec::new();
    for condition in &statement.conditions {
        let key = fold_key(&condition.key.value);
        if condition.operator.value.qualifier.is_none()
            && crate::context::is_single_valued(&condition.key.value)
            && !keys.contains(&key)
        {
            keys.push(key);
        }
    }
    keys.iter().find_map(|key| {
        let on_key: Vec<&Condition> = statement
            .conditions
            .iter()
            .filter(|c| c.operator.value.qualifier.is_none() && fold_key(&c.key.value) == *key)
            .collect();
        ordered(&on_key, Family::Numeric, |v| match v {
            ConditionValue::Decimal(d) => Some(d),
            _ => None,
        })
        .or_else(|| {
            ordered(&on_key, Family::Date, |v| match v {
                ConditionValue::Timestamp(i) => Some(i),
                _ => None,
            })
        })
        .or_else(|| excluded_strings(&on_key))
        .or_else(|| excluded_networks(&on_key))
    })
}

/// A bound on an ordered key: its value, whether it excludes the value itself, and where it
/// was written.
struct Bound<'a, T> {
    value: &'a T,
    strict: bool,
    condition: &'a Condition,
}

/// Numeric or date conditions whose bounds leave no value: `> b` and `< a` with `a <= b`, or
/// `Equals` values all outside the bounds.
fn ordered<'a, T: Ord + Display + 'a>(
    conditions: &[&'a Condition],
    family: Family,
    typed: fn(&ConditionValue) -> Option<&T>,
) -> Option<(Span, String)> {
    let mut lower: Option<Bound<'a, T>> = None;
    let mut upper: Option<Bound<'a, T>> = None;
    let mut equals: Option<(Vec<&'a T>, &'a Condition)> = None;
    for &c in conditions {
        let base = c.operator.value.base;
        if base.family() != family || base.is_negated() {
            continue;
        }
        let values: Vec<&T> = c.values.iter().filter_map(|v| typed(&v.value)).collect();
        // Several values are alternatives: a lower bound holds from the smallest, an upper
        // bound up to the largest.
        let (weakest_low, weakest_high) =
            (values.iter().min().copied(), values.iter().max().copied());
        match base.comparison() {
            Comparison::GreaterThan | Comparison::GreaterThanEquals => {
                let strict = base.comparison() == Comparison::GreaterThan;
                if let Some(value) = weakest_low {
                    let tighter = lower.as_ref().is_none_or(|l| match value.cmp(l.value) {
                        Ordering::Greater => true,
                        Ordering::Equal => strict,
                        Ordering::Less => false,
                    });
                    if tighter {
                        lower = Some(Bound {
                            value,
                            strict,
                            condition: c,
                        });
                    }
                }
            }
            Comparison::LessThan | Comparison::LessThanEquals => {
                let strict = base.comparison() == Comparison::LessThan;
                if let Some(value) = weakest_high {
                    let tighter = upper.as_ref().is_none_or(|u| match value.cmp(u.value) {
                        Ordering::Less => true,
                        Ordering::Equal => strict,
                        Ordering::Greater => false,
                    });
                    if tighter {
                        upper = Some(Bound {
                            value,
                            strict,
                            condition: c,
                        });
                    }
                }
            }
            Comparison::Equals => equals = Some((values, c)),
            _ => {}
        }
    }
    let within = |v: &T| {
        lower.as_ref().is_none_or(|l| match v.cmp(l.value) {
            Ordering::Greater => true,
            Ordering::Equal => !l.strict,
            Ordering::Less => false,
        }) && upper.as_ref().is_none_or(|u| match v.cmp(u.value) {
            Ordering::Less => true,
            Ordering::Equal => !u.strict,
            Ordering::Greater => false,
        })
    };
    if let (Some(l), Some(u)) = (&lower, &upper) {
        let empty = match l.value.cmp(u.value) {
            Ordering::Greater => true,
            Ordering::Equal => l.strict || u.strict,
            Ordering::Less => false,
        };
        if empty {
            let later = if l.condition.operator.span.start > u.condition.operator.span.start {
                l
            } else {
                u
            };
            return Some((
                later.condition.operator.span,
                format!(
                    "`{}` `{}` and `{}` `{}` on `{}` cannot both hold",
                    l.condition.operator.value,
                    l.value,
                    u.condition.operator.value,
                    u.value,
                    l.condition.key.value
                ),
            ));
        }
    }
    let (values, condition) = equals?;
    let bound = lower.as_ref().or(upper.as_ref())?;
    if values.iter().any(|v| within(v)) {
        return None;
    }
    Some((
        condition.operator.span,
        format!(
            "no value of `{}` on `{}` satisfies `{}` `{}`",
            condition.operator.value,
            condition.key.value,
            bound.condition.operator.value,
            bound.value
        ),
    ))
}

/// `StringEquals` values that a `StringNotEquals` on the same key all excludes.
fn excluded_strings(conditions: &[&Condition]) -> Option<(Span, String)> {
    let of = |negated: bool| {
        conditions.iter().find(|c| {
            let base = c.operator.value.base;
            base.family() == Family::String
                && base.comparison() == Comparison::Equals
                && base.is_negated() == negated
        })
    };
    let (equals, not_equals) = (of(false)?, of(true)?);
    let all_excluded = equals.values.iter().all(|v| not_equals.values.contains(v));
    all_excluded.then(|| {
        (
            later_operator(equals, not_equals),
            format!(
                "every value `{}` allows on `{}`, `{}` excludes",
                equals.operator.value, equals.key.value, not_equals.operator.value
            ),
        )
    })
}

/// `IpAddress` networks that a `NotIpAddress` on the same key all excludes.
fn excluded_networks(conditions: &[&Condition]) -> Option<(Span, String)> {
    let of = |negated: bool| {
        conditions.iter().find(|c| {
            c.operator.value.base.family() == Family::Ip
                && c.operator.value.base.is_negated() == negated
        })
    };
    let (inside, outside) = (of(false)?, of(true)?);
    let nets = |c: &Condition| -> Vec<ipnet::IpNet> {
        c.values
            .iter()
            .filter_map(|v| match &v.value {
                ConditionValue::Network(n) => Some(*n.as_ipnet()),
                _ => None,
            })
            .collect()
    };
    let excluded = nets(outside);
    let all_excluded = nets(inside)
        .iter()
        .all(|net| excluded.iter().any(|out| out.contains(net)));
    all_excluded.then(|| {
        (
            later_operator(inside, outside),
            format!(
                "every network `{}` allows on `{}`, `{}` excludes",
                inside.operator.value, inside.key.value, outside.operator.value
            ),
        )
    })
}

fn later_operator(a: &Condition, b: &Condition) -> Span {
    if a.operator.span.start > b.operator.span.start {
        a.operator.span
    } else {
        b.operator.span
    }
}
