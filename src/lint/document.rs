//! Checks on the document's form: its size, a bare `Statement` object, `Sid`, resources that
//! spell out less than a whole ARN, and strings holding characters that do not show.

use std::sync::Arc;

use super::{DocumentKind, Sink};
use crate::arn::{ResourcePatternShape, classify_resource_pattern};
use crate::condition::ConditionValue;
use crate::policy::{Policy, Statement};
use crate::rules;
use crate::span::{Source, Span, Spanned, is_hidden};

pub(super) fn check(policy: &Policy, kind: DocumentKind, sink: &mut Sink) {
    check_size(policy.source(), kind, sink);
    if let Some(span) = policy.bare_statement() {
        // Point at the opening brace: the whole object would underline many lines.
        sink.push(
            &rules::BARE_STATEMENT,
            policy.statements().first().map(|s| (0, s)),
            Span::new(span.start, span.start + 1),
            "`Statement` is a single object, not an array of statements".into(),
            rules::BARE_STATEMENT.help,
        );
    }
    for (i, statement) in policy.statements().iter().enumerate() {
        if let Some(sid) = &statement.sid {
            sink.push(
                &rules::SID_NOT_DOCUMENTED,
                Some((i, statement)),
                sid.span,
                format!(
                    "`Sid` (`{}`) is not part of RAM's documented policy grammar",
                    sid.value
                ),
                rules::SID_NOT_DOCUMENTED.help,
            );
        }
        check_hidden(statement, i, sink);
        for pattern in &statement.resource.patterns {
            if classify_resource_pattern(&pattern.value) == Ok(ResourcePatternShape::Partial) {
                sink.push(
                    &rules::PARTIAL_ARN,
                    Some((i, statement)),
                    pattern.span,
                    format!(
                        "`{}` is not a complete `acs:<service>:<region>:<account-id>:<relative-id>`: its `*` crosses colons",
                        pattern.value
                    ),
                    rules::PARTIAL_ARN.help,
                );
            }
        }
    }
}

/// Reports each string of the statement that holds a [hidden](is_hidden) character.
fn check_hidden(statement: &Statement, index: usize, sink: &mut Sink) {
    let (action, resource) = (&statement.action, &statement.resource);
    let action_label = if action.negated {
        "`NotAction` pattern"
    } else {
        "`Action` pattern"
    };
    let resource_label = if resource.negated {
        "`NotResource` pattern"
    } else {
        "`Resource` pattern"
    };
    let values = statement.conditions.iter().flat_map(|c| {
        c.values.iter().filter_map(|v| match &v.value {
            ConditionValue::String(text) => Some(("condition value", text.as_str(), v.span)),
            _ => None,
        })
    });
    let strings = (statement.sid.iter().map(labelled("`Sid`")))
        .chain(action.patterns.iter().map(labelled(action_label)))
        .chain(resource.patterns.iter().map(labelled(resource_label)))
        .chain(
            statement
                .conditions
                .iter()
                .map(|c| labelled("condition key")(&c.key)),
        )
        .chain(values);
    for (what, text, span) in strings {
        if let Some(hidden) = text.chars().find(|&c| is_hidden(c)) {
            sink.push(
                &rules::HIDDEN_CHARACTER,
                Some((index, statement)),
                span,
                format!(
                    "{what} `{text}` holds U+{:04X}, which does not show as itself",
                    u32::from(hidden)
                ),
                rules::HIDDEN_CHARACTER.help,
            );
        }
    }
}

/// A string of a statement with what it is, for [`check_hidden`].
fn labelled<'a>(
    label: &'static str,
) -> impl Fn(&'a Spanned<String>) -> (&'static str, &'a str, Span) {
    move |s| (label, s.value.as_str(), s.span)
}

/// RAM counts characters of the document as sent: for a document embedded in an API response,
/// the decoded `PolicyDocument` string.
pub(super) fn check_size(source: &Arc<Source>, kind: DocumentKind, sink: &mut Sink) {
    let limit = kind.max_chars();
    let Some((first_over, _)) = source.text().char_indices().nth(limit) else {
        return;
    };
    let what = match kind {
        DocumentKind::Session => "a session policy",
        DocumentKind::Control => "a control policy",
        DocumentKind::Policy => "a custom policy",
    };
    let help = match kind {
        DocumentKind::Session => {
            "shorten the session policy (wildcards, fewer statements), or attach the permissions to the role instead"
        }
        _ => rules::POLICY_TOO_LONG.help,
    };
    sink.push(
        &rules::POLICY_TOO_LONG,
        None,
        Span::new(first_over, source.text().len()),
        format!(
            "the document is {} characters long; RAM accepts at most {} in {what}",
            group_thousands(source.char_count()),
            group_thousands(limit)
        ),
        help,
    );
}

/// `6144` as `6,144`, as RAM's documentation writes its limits.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group_thousands;

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1024), "1,024");
        assert_eq!(group_thousands(6144), "6,144");
        assert_eq!(group_thousands(1234567), "1,234,567");
    }
}
