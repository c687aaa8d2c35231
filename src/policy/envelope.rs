//! API-response envelopes: the `GetPolicy`, `GetPolicyVersion` and `ListPolicyVersions`
//! responses Alibaba Cloud's API and CLI print, with the policy document inside.

use std::sync::Arc;

use crate::json::{JsonKind, JsonValue, Object, ShapeError};
use crate::span::{Source, Span};

/// What a JSON file holds once API-response wrappers are taken off.
#[derive(Debug)]
pub(super) enum Unwrapped<'a> {
    /// The file is itself a policy document (or something that is not a wrapper).
    Document(&'a JsonValue),
    /// A `PolicyDocument` object embedded in a response.
    EmbeddedObject {
        /// The document.
        document: &'a JsonValue,
        /// The policy name the response gives, if any.
        policy_name: Option<String>,
    },
    /// A `PolicyDocument` string embedded in a response: to be parsed as its own source.
    EmbeddedText {
        /// The decoded document, with the file's name.
        source: Arc<Source>,
        /// The policy name the response gives, if any.
        policy_name: Option<String>,
    },
}

/// A response wrapper that holds no usable document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum WrapperError {
    /// A member named twice: two readers could unwrap different documents.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// The response holds no usable document.
    #[error("{message}")]
    Invalid {
        /// What is wrong with the response.
        message: String,
        /// Where.
        span: Span,
    },
}

impl WrapperError {
    /// Where the error is.
    pub(super) fn span(&self) -> Span {
        match self {
            WrapperError::Shape(e) => e.span(),
            WrapperError::Invalid { span, .. } => *span,
        }
    }
}

/// Takes off a `GetPolicy`, `GetPolicyVersion` or `ListPolicyVersions` response wrapper, as
/// printed by Alibaba Cloud's API and CLI. A value that is none of these is returned as is.
///
/// # Errors
/// A wrapper without a document, a `PolicyDocument` of the wrong type, or a version list that
/// does not hold exactly one default version.
pub(super) fn unwrap_response<'a>(
    source: &Source,
    root: &'a JsonValue,
) -> Result<Unwrapped<'a>, WrapperError> {
    if root.get("Version").is_some() || root.get("Statement").is_some() {
        return Ok(Unwrapped::Document(root));
    }
    // Duplicate members in the wrapper would make two readers unwrap different documents.
    unique_members(root)?;
    let policy_name = root
        .get("Policy")
        .and_then(|p| p.get("PolicyName"))
        .or_else(|| root.get("PolicyName"))
        .and_then(JsonValue::as_str)
        .map(str::to_string);
    let (version, origin) = if let Some(v) = root.get("PolicyVersion") {
        (v, "PolicyVersion.PolicyDocument")
    } else if let Some(v) = root.get("DefaultPolicyVersion") {
        (v, "DefaultPolicyVersion.PolicyDocument")
    } else if let Some(p) = root
        .get("Policy")
        .filter(|p| p.get("PolicyDocument").is_some())
    {
        (p, "Policy.PolicyDocument")
    } else if let Some(list) = root.get("PolicyVersions") {
        (
            default_version(list)?,
            "PolicyVersions.PolicyVersion[default].PolicyDocument",
        )
    } else {
        return Ok(Unwrapped::Document(root));
    };
    unique_members(version)?;
    if let Some(policy) = root.get("Policy") {
        unique_members(policy)?;
    }
    let document = version
        .get("PolicyDocument")
        .ok_or_else(|| WrapperError::Invalid {
            message: format!(
                "the response has no `PolicyDocument` in `{}`",
                origin.split('.').next().unwrap_or(origin)
            ),
            span: version.span,
        })?;
    match &document.kind {
        JsonKind::String(text) => Ok(Unwrapped::EmbeddedText {
            source: Source::embedded(source.name(), origin, text.clone()),
            policy_name,
        }),
        JsonKind::Object(_) => Ok(Unwrapped::EmbeddedObject {
            document,
            policy_name,
        }),
        other => Err(WrapperError::Invalid {
            message: format!(
                "`PolicyDocument` must be the policy as a JSON string, found {}",
                other.type_name()
            ),
            span: document.span,
        }),
    }
}

/// Refuses an object that names a member twice.
fn unique_members(value: &JsonValue) -> Result<(), WrapperError> {
    if matches!(value.kind, JsonKind::Object(_)) {
        Object::strict(value, "the response", &[])?;
    }
    Ok(())
}

/// The one version of a `ListPolicyVersions` response marked `IsDefaultVersion: true`.
fn default_version(list: &JsonValue) -> Result<&JsonValue, WrapperError> {
    unique_members(list)?;
    let versions = match list.get("PolicyVersion").map(|v| &v.kind) {
        Some(JsonKind::Array(items)) => items.as_slice(),
        _ => {
            return Err(WrapperError::Invalid {
                message: "`PolicyVersions` must hold a `PolicyVersion` array".into(),
                span: list.span,
            });
        }
    };
    let is_default = |v: &&JsonValue| {
        matches!(
            v.get("IsDefaultVersion").map(|d| &d.kind),
            Some(JsonKind::Bool(true))
        ) || v.get("IsDefaultVersion").and_then(JsonValue::as_str) == Some("true")
    };
    for version in versions {
        unique_members(version)?;
    }
    let mut defaults = versions.iter().filter(is_default);
    match (defaults.next(), defaults.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(WrapperError::Invalid {
            message: "the version list has no version with `IsDefaultVersion: true`, so no document is in force".into(),
            span: list.span,
        }),
        (Some(_), Some(second)) => Err(WrapperError::Invalid {
            message: "the version list has more than one version with `IsDefaultVersion: true`".into(),
            span: second.span,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn unwrap_text(text: &str) -> Result<String, String> {
        let source = Source::new("r.json", text);
        let root = json::parse(text).unwrap();
        match unwrap_response(&source, &root) {
            Ok(Unwrapped::Document(d)) => Ok(format!("document at {}", d.span.start)),
            Ok(Unwrapped::EmbeddedObject { document, .. }) => {
                Ok(format!("object at {}", document.span.start))
            }
            Ok(Unwrapped::EmbeddedText {
                source,
                policy_name,
            }) => Ok(format!(
                "{} from {} named {:?}",
                source.text(),
                source.origin().unwrap_or(""),
                policy_name
            )),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn unwraps_api_responses() {
        assert_eq!(unwrap_text(r#"{"Version":"1"}"#).unwrap(), "document at 0");
        assert_eq!(
            unwrap_text(r#"{"RequestId":"x","PolicyVersion":{"VersionId":"v2","PolicyDocument":"{\"Version\":\"1\"}"}}"#).unwrap(),
            r#"{"Version":"1"} from PolicyVersion.PolicyDocument named None"#
        );
        assert_eq!(
            unwrap_text(r#"{"Policy":{"PolicyName":"P","PolicyDocument":"old"},"DefaultPolicyVersion":{"PolicyDocument":"new"}}"#).unwrap(),
            r#"new from DefaultPolicyVersion.PolicyDocument named Some("P")"#
        );
        assert_eq!(
            unwrap_text(r#"{"Policy":{"PolicyName":"P","PolicyDocument":"old"}}"#).unwrap(),
            r#"old from Policy.PolicyDocument named Some("P")"#
        );
        assert_eq!(
            unwrap_text(r#"{"PolicyVersions":{"PolicyVersion":[{"IsDefaultVersion":false,"PolicyDocument":"a"},{"IsDefaultVersion":true,"PolicyDocument":"b"}]}}"#).unwrap(),
            "b from PolicyVersions.PolicyVersion[default].PolicyDocument named None"
        );
        assert!(
            unwrap_text(r#"{"PolicyVersions":{"PolicyVersion":[{"IsDefaultVersion":false,"PolicyDocument":"a"}]}}"#)
                .unwrap_err()
                .contains("no version with `IsDefaultVersion: true`")
        );
        assert!(
            unwrap_text(r#"{"PolicyVersions":{"PolicyVersion":[{"IsDefaultVersion":true,"PolicyDocument":"a"},{"IsDefaultVersion":true,"PolicyDocument":"b"}]}}"#)
                .unwrap_err()
                .contains("more than one")
        );
        assert!(
            unwrap_text(r#"{"PolicyVersion":{"PolicyDocument":5}}"#)
                .unwrap_err()
                .contains("found a number")
        );
        assert!(
            unwrap_text(r#"{"PolicyVersion":{}}"#)
                .unwrap_err()
                .contains("no `PolicyDocument`")
        );
    }
}
