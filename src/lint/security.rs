//! Security warnings, specific to what ramguard guards: who can restore which instance, and
//! whether the guardrails meant to stop restores can stop anything.

use super::analysis::{Explained, contradiction, patterns_that_match};
use super::names::KVSTORE;
use super::subsume::{covers, matches_some_instance};
use super::{DocumentKind, Sink};
use crate::condition::{Comparison, Condition, ConditionValue, SetQualifier};
use crate::context::{KeyInfo, key_info};
use crate::pattern::{Pattern, fold_case};
use crate::policy::{Effect, Policy, Statement};
use crate::rules;
use crate::span::Span;

/// Every kvstore instance ARN, as a pattern: `acs:kvstore:{region}:{account}:instance/{id}`.
/// Its stars cross colons, so it covers more than real ARNs: a pattern that covers it surely
/// covers every real one.
pub(super) const INSTANCE_ARNS: &str = "acs:kvstore:*:*:instance/*";

/// The restore action, folded as action matching folds it.
const RESTORE_FOLDED: &str = "kvstore:restoreinstance";

/// Keys whose conditions tie a grant to a second factor or a network: any one of them makes a
/// broad restore grant acceptable.
const RESTRICTING_KEYS: &[&str] = &[
    "acs:MFAPresent",
    "acs:SourceIp",
    "acs:SourceVpc",
    "acs:SourceVpcIp",
];

pub(super) fn check(policy: &Policy, kind: DocumentKind, sink: &mut Sink) -> Explained {
    let mut explained = Explained::default();
    for (i, statement) in policy.statements().iter().enumerate() {
        let at = Some((i, statement));
        match statement.effect.value {
            Effect::Allow => {
                // A control policy's `Allow` bounds what may be granted; it grants nothing.
                if kind != DocumentKind::Control {
                    restore_on_every_instance(statement, at, sink);
                    not_lists_in_allow(statement, at, sink);
                }
                for_all_values(statement, at, sink);
            }
            Effect::Deny => {
                if let Some(gap) = deny_gap(statement) {
                    explained.spans.extend(gap.explains);
                    explained.statements.push(i);
                    sink.push(
                        &rules::DENY_NEVER_MATCHES_RESTORE,
                        at,
                        gap.span,
                        gap.message,
                        gap.help,
                    );
                }
            }
        }
    }
    explained
}

fn restore_on_every_instance(
    statement: &Statement,
    at: Option<(usize, &Statement)>,
    sink: &mut Sink,
) {
    let Some((span, through)) = grants_restore(statement) else {
        return;
    };
    let Some(where_) = every_instance(statement) else {
        return;
    };
    if statement.conditions.iter().any(is_restricting) {
        return;
    }
    sink.push(
        &rules::RESTORE_ON_EVERY_INSTANCE,
        at,
        span,
        format!(
            "this `Allow` grants `kvstore:RestoreInstance`{through} on {where_} without an MFA or source-IP/VPC condition"
        ),
        rules::RESTORE_ON_EVERY_INSTANCE.help,
    );
}

/// Where the statement grants the restore action, and how, when it does.
fn grants_restore(statement: &Statement) -> Option<(Span, String)> {
    let list = &statement.action;
    if list.negated {
        let excluded = list.patterns.iter().any(|p| matches_restore(&p.value));
        return (!excluded).then(|| (list.name_span, " (through `NotAction`)".to_string()));
    }
    let pattern = list.patterns.iter().find(|p| matches_restore(&p.value))?;
    let through = if pattern.value.eq_ignore_ascii_case(RESTORE_FOLDED) {
        String::new()
    } else {
        format!(" (through `{}`)", pattern.value)
    };
    Some((pattern.span, through))
}

/// A description of the instances the statement covers when that is more than named ones.
fn every_instance(statement: &Statement) -> Option<String> {
    let list = &statement.resource;
    if list.negated {
        let all_excluded = list
            .patterns
            .iter()
            .any(|p| covers(&p.value, INSTANCE_ARNS));
        return (!all_excluded).then(|| "every instance not listed in `NotResource`".to_string());
    }
    list.patterns
        .iter()
        .find(|p| p.value.contains(['*', '?']) && matches_some_instance(&p.value))
        .map(|p| {
            if Pattern::new(&p.value).is_match_all() {
                "every instance (`*`)".to_string()
            } else {
                format!("every instance matching `{}`", p.value)
            }
        })
}

/// Whether a condition makes the grant need MFA or a known network. Negated operators and
/// `ForAllValues:` hold when the key is missing, so they restrict nothing.
fn is_restricting(condition: &Condition) -> bool {
    let operator = condition.operator.value;
    if operator.base.is_negated() || operator.qualifier == Some(SetQualifier::ForAllValues) {
        return false;
    }
    let Some(key) = RESTRICTING_KEYS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(&condition.key.value))
    else {
        return false;
    };
    // Values are alternatives: one that every source matches (`StringLike "*"`,
    // `IpAddress "0.0.0.0/0"`) leaves only "the key is present", which restricts nothing.
    if condition
        .values
        .iter()
        .any(|v| matches_any_source(&v.value, operator.base.comparison()))
    {
        return false;
    }
    if key.eq_ignore_ascii_case("acs:MFAPresent") {
        return condition
            .values
            .iter()
            .all(|v| v.value == ConditionValue::Bool(true));
    }
    true
}

/// Whether a condition value matches every value of its key: a match-all `Like` pattern or a
/// network of prefix length 0.
fn matches_any_source(value: &ConditionValue, comparison: Comparison) -> bool {
    match value {
        ConditionValue::String(s) => {
            comparison == Comparison::Like && Pattern::new(s).is_match_all()
        }
        ConditionValue::Network(n) => n.as_ipnet().prefix_len() == 0,
        _ => false,
    }
}

fn not_lists_in_allow(statement: &Statement, at: Option<(usize, &Statement)>, sink: &mut Sink) {
    if statement.action.negated {
        sink.push(
            &rules::ALLOW_NOT_ACTION,
            at,
            statement.action.name_span,
            "this `Allow` with `NotAction` grants every action of every service except the ones listed".into(),
            rules::ALLOW_NOT_ACTION.help,
        );
    }
    if statement.resource.negated {
        sink.push(
            &rules::ALLOW_NOT_RESOURCE,
            at,
            statement.resource.name_span,
            "this `Allow` with `NotResource` grants on every resource except the ones listed"
                .into(),
            rules::ALLOW_NOT_RESOURCE.help,
        );
    }
}

fn for_all_values(statement: &Statement, at: Option<(usize, &Statement)>, sink: &mut Sink) {
    for condition in &statement.conditions {
        if condition.operator.value.qualifier == Some(SetQualifier::ForAllValues) {
            sink.push(
                &rules::FOR_ALL_VALUES_IN_ALLOW,
                at,
                condition.operator.span,
                format!(
                    "`{}` on `{}` holds when the request has no `{}`, so this `Allow` applies to requests without it",
                    condition.operator.value, condition.key.value, condition.key.value
                ),
                rules::FOR_ALL_VALUES_IN_ALLOW.help,
            );
        }
    }
}

/// Why a `Deny` that names a restore action cannot match a restore of an instance.
struct Gap {
    span: Span,
    message: String,
    help: String,
    explains: Vec<Span>,
}

fn deny_gap(statement: &Statement) -> Option<Gap> {
    let actions = &statement.action;
    if actions.negated {
        return None;
    }
    let restore_like: Vec<_> = actions
        .patterns
        .iter()
        // Only a pattern that spells out a restore says what the author meant to stop: a
        // `Deny` of `*` on ECS resources is an ECS guardrail, not a broken restore guardrail.
        .filter(|p| {
            p.value
                .split_once(':')
                .is_some_and(|(_, name)| fold_case(name).contains("restore"))
        })
        .collect();
    let first = restore_like.first()?;
    if !actions.patterns.iter().any(|p| matches_restore(&p.value)) {
        let code = first.value.split_once(':').map_or("", |(code, _)| code);
        let help = if !code.eq_ignore_ascii_case(KVSTORE) {
            format!(
                "write `kvstore:RestoreInstance`: the RAM code of Redis / Tair is `kvstore`, not `{code}`"
            )
        } else {
            "write `kvstore:RestoreInstance`".to_string()
        };
        return Some(Gap {
            span: first.span,
            message: format!(
                "this `Deny` names `{}` but never matches `kvstore:RestoreInstance`, so it stops no restore",
                first.value
            ),
            help,
            explains: restore_like.iter().map(|p| p.span).collect(),
        });
    }
    let resources = &statement.resource;
    let instance_help = "write the resource as `acs:kvstore:<region>:<account-id>:instance/<instance-id>`, e.g. `acs:kvstore:*:*:instance/r-*prod*`";
    if resources.negated {
        if let Some(all) = resources
            .patterns
            .iter()
            .find(|p| covers(&p.value, INSTANCE_ARNS))
        {
            return Some(Gap {
                span: all.span,
                message: format!(
                    "this `Deny` on `kvstore:RestoreInstance` excludes every instance with `NotResource` `{}`, so it stops no restore",
                    all.value
                ),
                help: "list in `NotResource` only the instances the `Deny` must spare".into(),
                explains: vec![all.span],
            });
        }
    } else if !resources
        .patterns
        .iter()
        .any(|p| matches_some_instance(&p.value))
    {
        let first = resources.patterns.first()?;
        return Some(Gap {
            span: first.span,
            message: format!(
                "this `Deny` on `kvstore:RestoreInstance` never matches an instance: {} no kvstore instance ARN",
                patterns_that_match(resources)
            ),
            help: instance_help.into(),
            explains: resources.patterns.iter().map(|p| p.span).collect(),
        });
    }
    if let Some(condition) = statement.conditions.iter().find(|c| on_absent_key(c)) {
        return Some(Gap {
            span: condition.key.span,
            message: format!(
                "this `Deny` on `kvstore:RestoreInstance` can never match a restore: the action has no condition key `{}`, and `{}` is false without it",
                condition.key.value, condition.operator.value
            ),
            help: "condition the `Deny` on global `acs:` keys only: `kvstore:RestoreInstance` has no service condition keys".into(),
            explains: vec![condition.key.span],
        });
    }
    let (span, reason) = contradiction(statement)?;
    Some(Gap {
        span,
        message: format!("this `Deny` on `kvstore:RestoreInstance` can never match: {reason}"),
        help: "fix the conditions so that the requests to stop satisfy all of them".into(),
        explains: vec![span],
    })
}

/// Whether a condition is false on every restore request: it is on a service key, which a
/// restore never carries (docs/semantics.md §2), under an operator that is false on a missing key.
fn on_absent_key(condition: &Condition) -> bool {
    let operator = condition.operator.value;
    let false_when_missing = match operator.qualifier {
        Some(SetQualifier::ForAnyValue) => true,
        Some(SetQualifier::ForAllValues) => false,
        None => !operator.base.is_negated(),
    };
    false_when_missing && key_info(&condition.key.value) == KeyInfo::Service
}

fn matches_restore(action_pattern: &str) -> bool {
    Pattern::new_folded(action_pattern).is_match(RESTORE_FOLDED)
}
