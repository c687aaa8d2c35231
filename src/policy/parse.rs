//! Reads a policy document strictly (docs/semantics.md §1), collecting every error with its span.

use std::sync::Arc;

use super::envelope::{Unwrapped, WrapperError, unwrap_response};
use super::{
    Effect, InvalidPolicy, NameList, ParseError, ParseErrorKind as Kind, Policy, Statement,
};
use crate::arn;
use crate::condition::{Condition, ConditionValue, ConditionValueError, Family, Operator};
use crate::context::is_valid_key;
use crate::json::{self, JsonKind, JsonMember, JsonValue, Object, ShapeError};
use crate::limits::{
    MAX_DOCUMENT_BYTES, MAX_LIST_ENTRIES, MAX_PATTERN_CHARS, MAX_STATEMENTS, exceeds_chars,
};
use crate::span::{Source, Span, Spanned};

const DOCUMENT_MEMBERS: &[&str] = &["Version", "Statement"];
const STATEMENT_MEMBERS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// The only policy language version.
const POLICY_VERSION: &str = "1";

pub(super) fn parse_policy(
    default_name: String,
    source: Arc<Source>,
) -> Result<Policy, InvalidPolicy> {
    let fail = |source: Arc<Source>, kind, span| InvalidPolicy {
        source,
        errors: vec![ParseError::new(kind, span)],
    };
    let bytes = source.text().len();
    if bytes > MAX_DOCUMENT_BYTES {
        let kind = Kind::LimitExceeded {
            what: "the document".into(),
            unit: "bytes",
            found: bytes,
            limit: MAX_DOCUMENT_BYTES,
        };
        return Err(fail(source, kind, Span::new(0, 0)));
    }
    let root = json::parse(source.text()).map_err(|e| {
        fail(
            source.clone(),
            Kind::InvalidJson { message: e.message },
            e.span,
        )
    })?;
    let unwrapped = unwrap_response(&source, &root).map_err(|e| {
        let span = e.span();
        let kind = match e {
            WrapperError::Shape(ShapeError::Duplicate { name, .. }) => Kind::DuplicateMember {
                first: name.clone(),
                name,
            },
            other => Kind::InvalidResponse {
                message: other.to_string(),
            },
        };
        fail(source.clone(), kind, span)
    })?;
    let (document_source, embedded_root, document, name) = match unwrapped {
        Unwrapped::Document(document) => (source, None, document, None),
        Unwrapped::EmbeddedObject {
            document,
            policy_name,
        } => (source, None, document, policy_name),
        Unwrapped::EmbeddedText {
            source: inner,
            policy_name,
        } => {
            let inner_root = json::parse(inner.text()).map_err(|e| {
                fail(
                    inner.clone(),
                    Kind::InvalidJson { message: e.message },
                    e.span,
                )
            })?;
            (inner, Some(inner_root), &root, policy_name)
        }
    };
    let document = embedded_root.as_ref().unwrap_or(document);
    let mut reader = Reader { errors: Vec::new() };
    let parsed = reader.document(document);
    match parsed {
        Some((statements, bare_statement)) if reader.errors.is_empty() => Ok(Policy {
            name: name.unwrap_or(default_name),
            source: document_source,
            statements: statements.into(),
            bare_statement,
        }),
        _ => {
            reader.errors.sort_by_key(|e| e.span.start);
            Err(InvalidPolicy {
                source: document_source,
                errors: reader.errors,
            })
        }
    }
}

struct Reader {
    errors: Vec<ParseError>,
}

impl Reader {
    fn error(&mut self, kind: Kind, span: Span) {
        self.errors.push(ParseError::new(kind, span));
    }

    fn document(&mut self, value: &JsonValue) -> Option<(Vec<Statement>, Option<Span>)> {
        let members = self.object(
            value,
            super::error::DOCUMENT,
            DOCUMENT_MEMBERS,
            "the document",
        )?;
        let opening = members.opening();
        match members.member("Version") {
            None => self.error(
                Kind::MissingElement {
                    element: "Version",
                    context: "the document",
                },
                opening,
            ),
            Some(m) => match &m.value.kind {
                JsonKind::String(v) if v == POLICY_VERSION => {}
                JsonKind::String(v) => {
                    self.error(Kind::InvalidVersion { found: v.clone() }, m.value.span)
                }
                other => self.error(
                    Kind::TypeMismatch {
                        element: "Version".into(),
                        expected: "the string `\"1\"`",
                        found: other.type_name(),
                    },
                    m.value.span,
                ),
            },
        }
        let Some(statement) = members.member("Statement") else {
            self.error(
                Kind::MissingElement {
                    element: "Statement",
                    context: "the document",
                },
                opening,
            );
            return None;
        };
        match &statement.value.kind {
            JsonKind::Array(items) if items.is_empty() => {
                self.empty("Statement", "array", statement.value.span);
                None
            }
            JsonKind::Array(items) if items.len() > MAX_STATEMENTS => {
                self.too_many(
                    "`Statement`",
                    "statements",
                    items.len(),
                    MAX_STATEMENTS,
                    statement.value.span,
                );
                None
            }
            JsonKind::Array(items) => {
                let statements: Vec<_> = items.iter().filter_map(|s| self.statement(s)).collect();
                Some((statements, None))
            }
            JsonKind::Object(_) => {
                let bare = self.statement(&statement.value)?;
                let span = bare.span;
                Some((vec![bare], Some(span)))
            }
            other => {
                self.error(
                    Kind::TypeMismatch {
                        element: "Statement".into(),
                        expected: "an array of statement objects",
                        found: other.type_name(),
                    },
                    statement.value.span,
                );
                None
            }
        }
    }

    fn statement(&mut self, value: &JsonValue) -> Option<Statement> {
        let errors_before = self.errors.len();
        if let JsonKind::Object(all) = &value.kind {
            for member in all {
                if member.name == "Principal" || member.name == "NotPrincipal" {
                    self.error(Kind::PrincipalNotAllowed, member.name_span);
                }
            }
        }
        let members = self.object(value, "Statement", STATEMENT_MEMBERS, "a statement")?;
        let opening = members.opening();
        let sid = members
            .member("Sid")
            .and_then(|m| self.non_empty_string(m, "Sid"));
        let effect = match members.member("Effect") {
            None => {
                self.error(
                    Kind::MissingElement {
                        element: "Effect",
                        context: "this statement",
                    },
                    opening,
                );
                None
            }
            Some(m) => match &m.value.kind {
                JsonKind::String(s) if s == "Allow" => {
                    Some(Spanned::new(Effect::Allow, m.value.span))
                }
                JsonKind::String(s) if s == "Deny" => {
                    Some(Spanned::new(Effect::Deny, m.value.span))
                }
                JsonKind::String(s) => {
                    self.error(Kind::InvalidEffect { found: s.clone() }, m.value.span);
                    None
                }
                other => {
                    self.error(
                        Kind::TypeMismatch {
                            element: "Effect".into(),
                            expected: "the string `Allow` or `Deny`",
                            found: other.type_name(),
                        },
                        m.value.span,
                    );
                    None
                }
            },
        };
        let action = self.name_list(&members, "Action", "NotAction", opening, check_action);
        let resource = self.name_list(&members, "Resource", "NotResource", opening, check_resource);
        let (conditions, condition_span) = match members.member("Condition") {
            Some(m) => (self.conditions(&m.value), Some(m.value.span)),
            None => (Vec::new(), None),
        };
        if self.errors.len() > errors_before {
            return None;
        }
        Some(Statement {
            sid,
            effect: effect?,
            action: action?,
            resource: resource?,
            conditions,
            condition_span,
            span: value.span,
        })
    }

    /// Reads `Action`/`NotAction` (or the resource pair): exactly one of them, each pattern checked.
    fn name_list(
        &mut self,
        members: &Object<'_>,
        positive: &'static str,
        negative: &'static str,
        opening: Span,
        check: fn(&str) -> Option<Kind>,
    ) -> Option<NameList> {
        let (member, negated) = match (members.member(positive), members.member(negative)) {
            (Some(p), Some(n)) => {
                let second = if p.name_span.start < n.name_span.start {
                    n
                } else {
                    p
                };
                self.error(
                    Kind::ConflictingElements {
                        first: positive,
                        second: negative,
                    },
                    second.name_span,
                );
                return None;
            }
            (Some(p), None) => (p, false),
            (None, Some(n)) => (n, true),
            (None, None) => {
                self.error(
                    Kind::MissingElement {
                        element: positive,
                        context: "this statement",
                    },
                    opening,
                );
                return None;
            }
        };
        let patterns = self.string_list(&member.value, &member.name)?;
        if patterns.len() > MAX_LIST_ENTRIES {
            let what = format!("`{}`", member.name);
            self.too_many(
                &what,
                "entries",
                patterns.len(),
                MAX_LIST_ENTRIES,
                member.value.span,
            );
            return None;
        }
        let mut valid = true;
        for pattern in &patterns {
            if let Some(chars) = exceeds_chars(&pattern.value, MAX_PATTERN_CHARS) {
                self.too_many(
                    "this pattern",
                    "characters",
                    chars,
                    MAX_PATTERN_CHARS,
                    pattern.span,
                );
                valid = false;
            } else if let Some(kind) = check(&pattern.value) {
                self.error(kind, pattern.span);
                valid = false;
            }
        }
        valid.then_some(NameList {
            negated,
            patterns,
            name_span: member.name_span,
        })
    }

    fn conditions(&mut self, value: &JsonValue) -> Vec<Condition> {
        let Some(operators) = self.non_empty_object(value, "Condition", "Condition") else {
            return Vec::new();
        };
        let mut conditions = Vec::new();
        for op_member in operators.members() {
            let operator = match Operator::parse(&op_member.name) {
                Ok(operator) => Some(Spanned::new(operator, op_member.name_span)),
                Err(e) => {
                    self.error(
                        Kind::InvalidConditionOperator {
                            found: e.name,
                            hint: e.hint,
                        },
                        op_member.name_span,
                    );
                    None
                }
            };
            let Some(keys) =
                self.non_empty_object(&op_member.value, &op_member.name, "a condition operator")
            else {
                continue;
            };
            let mut seen: Vec<(String, &str)> = Vec::new();
            for key_member in keys.members() {
                let folded = crate::context::fold_key(&key_member.name);
                if let Some((_, first)) = seen.iter().find(|(f, _)| *f == folded) {
                    self.error(
                        Kind::DuplicateMember {
                            name: key_member.name.clone(),
                            first: first.to_string(),
                        },
                        key_member.name_span,
                    );
                    continue;
                }
                seen.push((folded, &key_member.name));
                if !is_valid_key(&key_member.name) {
                    self.error(
                        Kind::InvalidConditionKeyFormat {
                            found: key_member.name.clone(),
                        },
                        key_member.name_span,
                    );
                }
                let Some(operator) = operator.clone() else {
                    continue;
                };
                if let Some(values) = self.condition_values(operator.value, key_member) {
                    conditions.push(Condition {
                        operator,
                        key: Spanned::new(key_member.name.clone(), key_member.name_span),
                        values,
                    });
                }
            }
        }
        conditions
    }

    fn condition_values(
        &mut self,
        operator: Operator,
        key: &JsonMember,
    ) -> Option<Vec<Spanned<ConditionValue>>> {
        let family = operator.base.family();
        let items: Vec<&JsonValue> = match &key.value.kind {
            JsonKind::Array(items) if items.is_empty() => {
                self.empty(&key.name, "array", key.value.span);
                return None;
            }
            JsonKind::Array(items) => items.iter().collect(),
            _ => vec![&key.value],
        };
        if items.len() > MAX_LIST_ENTRIES {
            let what = format!("`{}`", key.name);
            self.too_many(
                &what,
                "values",
                items.len(),
                MAX_LIST_ENTRIES,
                key.value.span,
            );
            return None;
        }
        if family == Family::Bool && items.len() > 1 {
            self.error(
                Kind::MultipleBooleanValues {
                    key: key.name.clone(),
                    count: items.len(),
                },
                key.value.span,
            );
            return None;
        }
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            if let JsonKind::String(text) = &item.kind
                && let Some(chars) = exceeds_chars(text, MAX_PATTERN_CHARS)
            {
                self.too_many(
                    "this value",
                    "characters",
                    chars,
                    MAX_PATTERN_CHARS,
                    item.span,
                );
                continue;
            }
            match ConditionValue::from_json(family, item) {
                Ok(v) => values.push(Spanned::new(v, item.span)),
                Err(ConditionValueError::TypeMismatch {
                    expected, found, ..
                }) => self.error(
                    Kind::TypeMismatch {
                        element: format!("{operator} {}", key.name),
                        expected,
                        found,
                    },
                    item.span,
                ),
                Err(ConditionValueError::Invalid(e)) => self.error(
                    Kind::InvalidConditionValue {
                        operator: operator.to_string(),
                        reason: e.to_string(),
                    },
                    item.span,
                ),
            }
        }
        Some(values)
    }

    /// Records a problem with the shape of the document, in the parser's words; `context`
    /// names the object, for members that have no place in it.
    fn shape(&mut self, e: ShapeError, context: &'static str) {
        let span = e.span();
        let kind = match e {
            ShapeError::WrongType {
                element,
                expected,
                found,
                ..
            } => Kind::TypeMismatch {
                element,
                expected,
                found,
            },
            ShapeError::Duplicate { name, .. } => Kind::DuplicateMember {
                first: name.clone(),
                name,
            },
            ShapeError::Unknown { name, expected, .. } => Kind::UnknownElement {
                name,
                context,
                expected,
            },
            ShapeError::Missing { name, .. } => Kind::MissingElement {
                element: name,
                context,
            },
            ShapeError::Empty { element, what, .. } => Kind::Empty { element, what },
        };
        self.error(kind, span);
    }

    /// The object `element`, each member once; with a non-empty `allowed`, only those members
    /// (`Principal` in a statement is reported by `statement`, in its own words).
    fn object<'a>(
        &mut self,
        value: &'a JsonValue,
        element: &str,
        allowed: &'static [&'static str],
        context: &'static str,
    ) -> Option<Object<'a>> {
        let mut issues = Vec::new();
        let object = Object::read(value, element, allowed, &mut issues);
        for issue in issues {
            let principal = matches!(&issue, ShapeError::Unknown { name, .. }
                if name == "Principal" || name == "NotPrincipal");
            if !(principal && allowed == STATEMENT_MEMBERS) {
                self.shape(issue, context);
            }
        }
        object.map_err(|e| self.shape(e, context)).ok()
    }

    fn non_empty_object<'a>(
        &mut self,
        value: &'a JsonValue,
        element: &str,
        context: &'static str,
    ) -> Option<Object<'a>> {
        let object = self.object(value, element, &[], context)?;
        if object.is_empty() {
            self.empty(element, "object", value.span);
            return None;
        }
        Some(object)
    }

    /// A string or a non-empty array of non-empty strings.
    fn string_list(&mut self, value: &JsonValue, element: &str) -> Option<Vec<Spanned<String>>> {
        let mut issues = Vec::new();
        let strings = json::string_list(value, element, &mut issues);
        for issue in issues {
            self.shape(issue, "a statement");
        }
        strings
    }

    fn non_empty_string(&mut self, member: &JsonMember, element: &str) -> Option<Spanned<String>> {
        json::non_empty_string(&member.value, element)
            .map_err(|e| self.shape(e, "a statement"))
            .ok()
    }

    /// Records that `what` has more `unit`s than ramguard reads.
    fn too_many(&mut self, what: &str, unit: &'static str, found: usize, limit: usize, span: Span) {
        let kind = Kind::LimitExceeded {
            what: what.to_string(),
            unit,
            found,
            limit,
        };
        self.error(kind, span);
    }

    fn empty(&mut self, element: &str, what: &'static str, span: Span) {
        self.shape(
            ShapeError::Empty {
                element: element.to_string(),
                what,
                span,
            },
            "a statement",
        );
    }
}

/// An action is `*` or `<ram-code>:<action-name>`: one colon, both parts non-empty. Only a
/// single `*` stands alone: `**` is neither form (docs/semantics.md §2).
fn check_action(action: &str) -> Option<Kind> {
    if action == "*" {
        return None;
    }
    match action.split_once(':') {
        Some((code, name)) if !code.is_empty() && !name.is_empty() && !name.contains(':') => None,
        _ => Some(Kind::InvalidActionFormat {
            found: action.to_string(),
        }),
    }
}

/// A resource is `*` or starts with `acs:`; a partial ARN is accepted here and linted.
fn check_resource(resource: &str) -> Option<Kind> {
    arn::classify_resource_pattern(resource)
        .err()
        .map(|_| Kind::InvalidArnPrefix {
            found: resource.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::ConditionValue;

    fn errors(text: &str) -> Vec<(String, String)> {
        let source = Source::new("p.json", text);
        let invalid = parse_policy("p".into(), source.clone()).expect_err("document is invalid");
        invalid
            .errors
            .iter()
            .map(|e| {
                (
                    e.kind.code().to_string(),
                    source.position(e.span.start).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn reads_a_full_statement() {
        let text = r#"{"Version": "1", "Statement": {"Sid": "S", "Effect": "Deny", "NotAction": ["kvstore:Describe*"],
            "Resource": "acs:kvstore:*:*:instance/*", "Condition": {"ForAnyValue:NumericLessThan": {"acs:Port": [1, "2.5"]}}}}"#;
        let policy = parse_policy("p".into(), Source::new("p.json", text)).expect("valid");
        let statement = &policy.statements()[0];
        assert!(policy.bare_statement().is_some());
        assert_eq!(statement.effect.value, Effect::Deny);
        assert!(statement.action.negated);
        assert_eq!(statement.action.member_name("Action"), "NotAction");
        assert_eq!(statement.conditions.len(), 1);
        assert_eq!(
            statement.conditions[0].operator.value.to_string(),
            "ForAnyValue:NumericLessThan"
        );
        assert!(matches!(
            statement.conditions[0].values[1].value,
            ConditionValue::Decimal(_)
        ));
    }

    #[test]
    fn reports_every_error_in_document_order() {
        let text = "{\n  \"Version\": 1,\n  \"Statement\": [\n    {\"Effect\": \"allow\", \"Action\": \"kvstore\", \"Resource\": \"r-1\"},\n    {\"Effect\": \"Allow\", \"Action\": \"a:b\", \"NotAction\": \"a:c\", \"Resource\": []},\n    {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"Bool\": {\"acs:MFAPresent\": [\"true\", \"false\"], \"ACS:mfapresent\": \"true\"}, \"StringEqualsIfExists\": {\"acs:A\": \"x\"}}}\n  ]\n}";
        assert_eq!(
            errors(text),
            [
                ("data-type-mismatch", "2:14"),
                ("invalid-effect", "4:16"),
                ("invalid-action-format", "4:35"),
                ("invalid-arn-prefix", "4:58"),
                ("conflicting-policy-elements", "5:42"),
                ("empty-value", "5:74"),
                ("invalid-condition-multiple-boolean", "6:97"),
                ("duplicate-member", "6:116"),
                ("invalid-condition-operator", "6:143"),
            ]
            .map(|(c, p)| (c.to_string(), p.to_string()))
        );
    }

    #[test]
    fn wrapped_documents_report_positions_in_the_decoded_text() {
        let text = r#"{"PolicyVersion": {"PolicyDocument": "{\"Version\": \"1\",\n\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Principal\": \"*\"}]}"}}"#;
        let invalid = parse_policy("p".into(), Source::new("r.json", text)).expect_err("invalid");
        assert_eq!(
            invalid.source.origin(),
            Some("PolicyVersion.PolicyDocument")
        );
        assert_eq!(
            invalid
                .source
                .position(invalid.errors[0].span.start)
                .to_string(),
            "2:67"
        );
        assert_eq!(invalid.errors[0].kind, Kind::PrincipalNotAllowed);
    }
}
