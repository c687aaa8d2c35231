//! Checks on condition values that RAM accepts but that do not say what their author meant: a
//! network written with host bits set, and a grant whose time limit has passed.

use super::Sink;
use super::analysis::never_matches;
use crate::condition::{Comparison, ConditionValue, Family, SetQualifier};
use crate::context::fold_key;
use crate::policy::{Effect, Policy};
use crate::request::CURRENT_TIME_KEY;
use crate::rules;
use crate::value::{IpNetwork, Timestamp};

pub(super) fn check(policy: &Policy, now: &Timestamp, sink: &mut Sink) {
    let source = policy.source();
    for (i, statement) in policy.statements().iter().enumerate() {
        let at = Some((i, statement));
        for condition in &statement.conditions {
            let base = condition.operator.value.base;
            if base.family() == Family::Ip {
                for value in &condition.values {
                    // The written text: the span covers the JSON string, quotes included.
                    let written = source.slice(value.span).trim_matches('"');
                    if let ConditionValue::Network(net) = &value.value
                        && IpNetwork::sets_host_bits(written)
                    {
                        sink.push(
                            &rules::CIDR_HOST_BITS,
                            at,
                            value.span,
                            format!("`{written}` sets host bits: RAM reads it as `{net}`"),
                            format!(
                                "write `{net}` for the network, or the address alone for one host"
                            ),
                        );
                    }
                }
            }
        }
        // A statement that can never match is reported as such, not also as expired.
        if statement.effect.value != Effect::Allow || never_matches(statement).is_some() {
            continue;
        }
        // An Allow that holds only before a time now past grants nothing any more.
        let expired = statement.conditions.iter().find_map(|condition| {
            let operator = condition.operator.value;
            let before = matches!(
                operator.base.comparison(),
                Comparison::LessThan | Comparison::LessThanEquals
            ) && operator.base.family() == Family::Date
                && !operator.base.is_negated()
                && operator.qualifier != Some(SetQualifier::ForAllValues)
                && fold_key(&condition.key.value) == fold_key(CURRENT_TIME_KEY);
            if !before {
                return None;
            }
            let latest = condition
                .values
                .iter()
                .filter_map(|v| match &v.value {
                    ConditionValue::Timestamp(t) => Some(t),
                    _ => None,
                })
                .max()?;
            let over = match operator.base.comparison() {
                Comparison::LessThan => now >= latest,
                _ => now > latest,
            };
            over.then(|| (condition, latest.clone()))
        });
        if let Some((condition, latest)) = expired {
            sink.push(
                &rules::EXPIRED_GRANT,
                at,
                condition.operator.span,
                format!(
                    "this `Allow` expired at `{latest}`: `{}` on `{}` can no longer hold",
                    condition.operator.value, condition.key.value
                ),
                rules::EXPIRED_GRANT.help,
            );
        }
    }
}
