//! Checks on names: kvstore actions that do not exist, `acs:` condition keys RAM does not
//! have, and global keys used with an operator of another type.

use super::Sink;
use super::analysis::Explained;
use super::names::{self, KVSTORE};
use crate::condition::{Condition, Family};
use crate::context::{KeyInfo, key_info, suggest_key};
use crate::policy::{Policy, Statement};
use crate::rules;
use crate::span::Spanned;

pub(super) fn check(policy: &Policy, explained: &Explained, sink: &mut Sink) {
    for (i, statement) in policy.statements().iter().enumerate() {
        for action in &statement.action.patterns {
            if !explained.spans.contains(&action.span) {
                check_action(action, (i, statement), sink);
            }
        }
        for condition in &statement.conditions {
            check_key(condition, (i, statement), sink);
        }
    }
}

fn check_action(action: &Spanned<String>, at: (usize, &Statement), sink: &mut Sink) {
    let Some((code, name)) = action.value.split_once(':') else {
        return; // `*`
    };
    let has_wildcard = |s: &str| s.contains(['*', '?']);
    if code.eq_ignore_ascii_case(KVSTORE) {
        if has_wildcard(name) {
            if !names::matches_known_action(name) {
                sink.push(
                    &rules::UNKNOWN_ACTION,
                    Some(at),
                    action.span,
                    format!("`{}` matches no known kvstore action", action.value),
                    "check the pattern against the kvstore API's operation names, e.g. `kvstore:Describe*`",
                );
            }
        } else if !names::is_known_action(name) {
            let (message, help) = match names::suggest_action(name) {
                Some(near) => (
                    format!(
                        "unknown kvstore action `{}`: did you mean `kvstore:{near}`?",
                        action.value
                    ),
                    format!("write `kvstore:{near}`"),
                ),
                None => (
                    format!("unknown kvstore action `{}`", action.value),
                    rules::UNKNOWN_ACTION.help.to_string(),
                ),
            };
            sink.push(&rules::UNKNOWN_ACTION, Some(at), action.span, message, help);
        }
    } else if names::is_kvstore_misnomer(code) {
        let fixed = if has_wildcard(name) || names::is_known_action(name) {
            name.to_string()
        } else {
            names::suggest_action(name).map_or_else(|| name.to_string(), str::to_string)
        };
        sink.push(
            &rules::UNKNOWN_ACTION,
            Some(at),
            action.span,
            format!(
                "`{code}` is not a RAM code, so `{}` matches no kvstore request: did you mean `kvstore:{fixed}`?",
                action.value
            ),
            format!("write `kvstore:{fixed}`: the RAM code of Redis / Tair is `kvstore`"),
        );
    }
}

fn check_key(condition: &Condition, at: (usize, &Statement), sink: &mut Sink) {
    let key = &condition.key;
    match key_info(&key.value) {
        KeyInfo::Service => {}
        KeyInfo::Unknown => {
            let (message, help) = match suggest_key(&key.value) {
                Some(near) => (
                    format!(
                        "unknown global condition key `{}`: did you mean `{near}`?",
                        key.value
                    ),
                    format!("write `{near}`"),
                ),
                None => (
                    format!("unknown global condition key `{}`", key.value),
                    rules::UNKNOWN_CONDITION_KEY.help.to_string(),
                ),
            };
            sink.push(
                &rules::UNKNOWN_CONDITION_KEY,
                Some(at),
                key.span,
                message,
                help,
            );
        }
        KeyInfo::Known { name, family } => {
            let operator = condition.operator.value;
            if operator.base.family() != family {
                sink.push(
                    &rules::CONDITION_KEY_TYPE_MISMATCH,
                    Some(at),
                    condition.operator.span,
                    format!(
                        "`{}` is {} key, but `{operator}` compares {}",
                        key.value,
                        with_article(family),
                        plural(operator.base.family())
                    ),
                    format!(
                        "use {} for `{}`",
                        operators_for(family),
                        display_key(name, &key.value)
                    ),
                );
            }
        }
    }
}

/// The key as RAM spells it; a tag key keeps the tag written.
fn display_key(name: &str, written: &str) -> String {
    if name.ends_with('/') {
        written.to_string()
    } else {
        name.to_string()
    }
}

fn with_article(family: Family) -> &'static str {
    match family {
        Family::String => "a string",
        Family::Numeric => "a numeric",
        Family::Date => "a date",
        Family::Bool => "a boolean",
        Family::Ip => "an IP address",
    }
}

fn plural(family: Family) -> &'static str {
    match family {
        Family::String => "strings",
        Family::Numeric => "numbers",
        Family::Date => "dates",
        Family::Bool => "booleans",
        Family::Ip => "IP addresses",
    }
}

fn operators_for(family: Family) -> &'static str {
    match family {
        Family::String => "`StringEquals`, `StringLike` or another String operator",
        Family::Numeric => "`NumericEquals`, `NumericLessThan` or another Numeric operator",
        Family::Date => "`DateLessThan`, `DateGreaterThan` or another Date operator",
        Family::Bool => "`Bool`",
        Family::Ip => "`IpAddress` or `NotIpAddress`",
    }
}
