//! Reading JSON objects the way every reader here must: a member given twice is refused (two
//! readers could read such a document differently), members outside the expected set are
//! reported, and values are checked for their type and emptiness. Each reader wraps the one
//! [`ShapeError`] in its own error, in its own words.

use super::{JsonKind, JsonMember, JsonValue};
use crate::span::{Span, Spanned};

/// What is wrong with the shape of a JSON input (a request, an instance file, an API response):
/// the one error every reader's own error wraps.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShapeError {
    /// A value of another JSON type than the element takes.
    WrongType {
        /// The element, named as the reader names it (`action`, `users.alice.groups`).
        element: String,
        /// What it must be (`a string`, `an array of strings`).
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
        /// The value.
        span: Span,
    },
    /// A member name given twice.
    Duplicate {
        /// The name, as written the second time.
        name: String,
        /// The span of the second name.
        span: Span,
    },
    /// A member that has no place in the object.
    Unknown {
        /// The member name.
        name: String,
        /// The names allowed there.
        expected: &'static [&'static str],
        /// The span of the name.
        span: Span,
    },
    /// A required member is absent.
    Missing {
        /// The member's name.
        name: &'static str,
        /// The object's opening brace.
        span: Span,
    },
    /// An empty string, array or object where a value is needed.
    Empty {
        /// The element.
        element: String,
        /// `string`, `array` or `object`.
        what: &'static str,
        /// The value.
        span: Span,
    },
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShapeError::WrongType {
                element,
                expected,
                found,
                ..
            } => write!(f, "`{element}` must be {expected}, found {found}"),
            ShapeError::Duplicate { name, .. } => write!(f, "`{name}` is given twice"),
            ShapeError::Unknown { name, expected, .. } => {
                let names: Vec<String> = expected.iter().map(|n| format!("`{n}`")).collect();
                write!(f, "unknown member `{name}`: expected {}", names.join(", "))
            }
            ShapeError::Missing { name, .. } => write!(f, "`{name}` is missing"),
            ShapeError::Empty { element, what, .. } => {
                write!(f, "`{element}` must not be an empty {what}")
            }
        }
    }
}

impl std::error::Error for ShapeError {}

impl ShapeError {
    /// Where the error is, in bytes of the input.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::{Request, RequestError};
    ///
    /// let text = r#"{"action": "kvstore:RestoreInstance", "resource": 7}"#;
    /// let Err(RequestError::Shape(error)) = Request::from_json_text(text) else {
    ///     panic!("a request whose resource is a number has the wrong shape");
    /// };
    /// assert_eq!(error.to_string(), "`resource` must be a string, found a number");
    /// let span = error.span();
    /// assert_eq!((span.start, span.end, &text[span.start..span.end]), (50, 51, "7"));
    /// ```
    pub fn span(&self) -> Span {
        match self {
            ShapeError::WrongType { span, .. }
            | ShapeError::Duplicate { span, .. }
            | ShapeError::Unknown { span, .. }
            | ShapeError::Missing { span, .. }
            | ShapeError::Empty { span, .. } => *span,
        }
    }
}

/// The members of a JSON object, each name once, looked up by name.
#[derive(Debug, Clone)]
pub(crate) struct Object<'a> {
    value: &'a JsonValue,
    members: Vec<&'a JsonMember>,
}

impl<'a> Object<'a> {
    /// Reads `value` as the object `element`. A member named twice, or (when `allowed` is not
    /// empty) not in `allowed`, is added to `issues` and left out, so that a reader collecting
    /// every error goes on with the rest.
    ///
    /// # Errors
    /// `value` is not an object.
    pub(crate) fn read(
        value: &'a JsonValue,
        element: &str,
        allowed: &'static [&'static str],
        issues: &mut Vec<ShapeError>,
    ) -> Result<Object<'a>, ShapeError> {
        let JsonKind::Object(all) = &value.kind else {
            return Err(wrong_type(value, element, "an object"));
        };
        let mut members: Vec<&JsonMember> = Vec::with_capacity(all.len());
        for member in all {
            if members.iter().any(|m| m.name == member.name) {
                issues.push(ShapeError::Duplicate {
                    name: member.name.clone(),
                    span: member.name_span,
                });
            } else if !allowed.is_empty() && !allowed.contains(&member.name.as_str()) {
                issues.push(ShapeError::Unknown {
                    name: member.name.clone(),
                    expected: allowed,
                    span: member.name_span,
                });
            } else {
                members.push(member);
            }
        }
        Ok(Object { value, members })
    }

    /// Reads `value` as the object `element`, stopping at the first problem.
    ///
    /// # Errors
    /// `value` is not an object, names a member twice, or names one outside a non-empty
    /// `allowed`.
    pub(crate) fn strict(
        value: &'a JsonValue,
        element: &str,
        allowed: &'static [&'static str],
    ) -> Result<Object<'a>, ShapeError> {
        let mut issues = Vec::new();
        let object = Object::read(value, element, allowed, &mut issues)?;
        // Issues come in member order; the first is reported.
        match issues.into_iter().next() {
            Some(issue) => Err(issue),
            None => Ok(object),
        }
    }

    /// The value of member `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&'a JsonValue> {
        self.member(name).map(|m| &m.value)
    }

    /// The member `name`, if given.
    pub(crate) fn member(&self, name: &str) -> Option<&'a JsonMember> {
        self.members.iter().copied().find(|m| m.name == name)
    }

    /// The value of member `name`.
    ///
    /// # Errors
    /// The member is absent.
    pub(crate) fn required(&self, name: &'static str) -> Result<&'a JsonValue, ShapeError> {
        self.get(name).ok_or(ShapeError::Missing {
            name,
            span: self.opening(),
        })
    }

    /// The members kept, in document order.
    pub(crate) fn members(&self) -> impl Iterator<Item = &'a JsonMember> + '_ {
        self.members.iter().copied()
    }

    /// Whether the object has no member.
    pub(crate) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The span of the object's opening brace, where "this object lacks X" is reported.
    pub(crate) fn opening(&self) -> Span {
        Span::new(self.value.span.start, self.value.span.start + 1)
    }
}

fn wrong_type(value: &JsonValue, element: &str, expected: &'static str) -> ShapeError {
    ShapeError::WrongType {
        element: element.to_string(),
        expected,
        found: value.kind.type_name(),
        span: value.span,
    }
}

/// The string `value`, the element `element`.
///
/// # Errors
/// Another JSON type.
pub(crate) fn string<'a>(value: &'a JsonValue, element: &str) -> Result<&'a str, ShapeError> {
    value
        .as_str()
        .ok_or_else(|| wrong_type(value, element, "a string"))
}

/// A string that is not empty.
///
/// # Errors
/// Another JSON type, or `""`.
pub(crate) fn non_empty_string(
    value: &JsonValue,
    element: &str,
) -> Result<Spanned<String>, ShapeError> {
    match string(value, element)? {
        "" => Err(ShapeError::Empty {
            element: element.to_string(),
            what: "string",
            span: value.span,
        }),
        s => Ok(Spanned::new(s.to_string(), value.span)),
    }
}

/// The items of the array `value`; `expected` names what the element must be.
///
/// # Errors
/// Another JSON type.
pub(crate) fn array<'a>(
    value: &'a JsonValue,
    element: &str,
    expected: &'static str,
) -> Result<&'a [JsonValue], ShapeError> {
    match &value.kind {
        JsonKind::Array(items) => Ok(items),
        _ => Err(wrong_type(value, element, expected)),
    }
}

/// A non-empty string, or a non-empty array of non-empty strings (a string and a one-element
/// array are the same). Every problem is added to `issues`; `None` when there was one.
pub(crate) fn string_list(
    value: &JsonValue,
    element: &str,
    issues: &mut Vec<ShapeError>,
) -> Option<Vec<Spanned<String>>> {
    let items: Vec<&JsonValue> = match &value.kind {
        JsonKind::Array(items) if items.is_empty() => {
            issues.push(ShapeError::Empty {
                element: element.to_string(),
                what: "array",
                span: value.span,
            });
            return None;
        }
        JsonKind::Array(items) => items.iter().collect(),
        _ => vec![value],
    };
    let before = issues.len();
    let strings: Vec<Spanned<String>> = items
        .into_iter()
        .filter_map(|item| match &item.kind {
            JsonKind::String(_) => non_empty_string(item, element)
                .map_err(|e| issues.push(e))
                .ok(),
            _ => {
                issues.push(wrong_type(item, element, "a string or an array of strings"));
                None
            }
        })
        .collect();
    (issues.len() == before).then_some(strings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn reads_each_member_once_and_reports_the_rest() {
        let v = parse(r#"{"a": 1, "b": 2, "a": 3, "c": 4}"#).unwrap();
        let mut issues = Vec::new();
        let object = Object::read(&v, "x", &["a", "b"], &mut issues).unwrap();
        let names: Vec<&str> = object.members().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            issues,
            [
                ShapeError::Duplicate {
                    name: "a".into(),
                    span: Span::new(17, 20)
                },
                ShapeError::Unknown {
                    name: "c".into(),
                    expected: &["a", "b"],
                    span: Span::new(25, 28)
                }
            ]
        );
        assert_eq!(
            Object::strict(&v, "x", &["a", "b"]).unwrap_err().span(),
            Span::new(17, 20)
        );
        assert_eq!(
            object.required("z").unwrap_err(),
            ShapeError::Missing {
                name: "z",
                span: Span::new(0, 1)
            }
        );
        let not_object = parse("[1]").unwrap();
        assert_eq!(
            Object::strict(&not_object, "x", &[]).unwrap_err(),
            ShapeError::WrongType {
                element: "x".into(),
                expected: "an object",
                found: "an array",
                span: Span::new(0, 3)
            }
        );
    }

    #[test]
    fn typed_values() {
        let v = parse(r#"["", "a", 1]"#).unwrap();
        let JsonKind::Array(items) = &v.kind else {
            panic!("array")
        };
        assert!(matches!(
            non_empty_string(&items[0], "e"),
            Err(ShapeError::Empty { what: "string", .. })
        ));
        assert_eq!(non_empty_string(&items[1], "e").unwrap().value, "a");
        assert!(matches!(
            string(&items[2], "e"),
            Err(ShapeError::WrongType {
                found: "a number",
                ..
            })
        ));
        let mut issues = Vec::new();
        assert_eq!(string_list(&v, "Action", &mut issues), None);
        assert_eq!(issues.len(), 2);
        let one = parse(r#""kvstore:*""#).unwrap();
        let mut issues = Vec::new();
        let list = string_list(&one, "Action", &mut issues).unwrap();
        assert_eq!((list.len(), issues.len()), (1, 0));
    }
}
