//! Policy documents: the default version of a RAM policy (`GetPolicy`, and for exports put
//! together by hand `GetPolicyVersion` and `ListPolicyVersions`), and a control policy
//! (`GetControlPolicy`). `PolicyDocument` is a JSON string; it is parsed as a policy of its
//! own, so that its errors point into it.

use super::export::{Export, File, Named, UNEXPECTED_SHAPE};
use super::response::{self, Item};
use crate::diagnostic::Diagnostic;
use crate::json::{self, JsonKind, JsonValue, Object};
use crate::policy::{Policy, system};
use crate::span::Source;

/// The code of a policy file whose version is not the one in force.
pub(super) const NOT_DEFAULT_VERSION: &str = "not-default-version";
/// The code of a file that holds another entity than its name says.
pub(super) const WRONG_FILE: &str = "wrong-file";

/// A policy document read from the export and checked.
#[derive(Debug)]
pub(super) struct Document {
    /// The document, parsed from the `PolicyDocument` string, members in their order.
    pub(super) json: JsonValue,
    /// The version the document is (`VersionId`), when the file says.
    pub(super) version: Option<Named>,
}

/// The default version's document of the RAM policy `name`, from `policies/<name>.json`
/// (`system` false) or `system-policies/<name>.json`.
pub(super) fn ram_policy(
    export: &mut Export,
    file: &File,
    name: &str,
    system: bool,
) -> Option<Document> {
    let root = response::root(export, file)?;
    let policy = match root.get("Policy") {
        Some(value) => Some(response::object(export, file, value, "Policy")?),
        None => None,
    };
    let mut default = None;
    if let Some(policy) = &policy {
        let expected_type = if system { "System" } else { "Custom" };
        same(export, file, policy, "Policy", "PolicyName", name, "policy");
        same(
            export,
            file,
            policy,
            "Policy",
            "PolicyType",
            expected_type,
            "policy type",
        );
        default = match policy.get("DefaultVersion") {
            Some(value) => response::string(export, file, value, "Policy.DefaultVersion"),
            None => None,
        };
    }
    if let Some(value) = root.get("DefaultPolicyVersion") {
        // RAM's GetPolicy.
        let version = response::object(export, file, value, "DefaultPolicyVersion")?;
        return version_document(
            export,
            file,
            &version,
            "DefaultPolicyVersion",
            name,
            default,
        );
    }
    if let Some(policy) = policy
        .as_ref()
        .filter(|p| p.get("PolicyDocument").is_some())
    {
        // Resource Manager's GetPolicy: the default version's document, in `Policy`.
        let text = response::required_string(export, file, policy, "PolicyDocument", "Policy")?;
        let json = parse_document(export, file, name, "Policy.PolicyDocument", &text)?;
        return Some(Document {
            json,
            version: default,
        });
    }
    if let Some(value) = root.get("PolicyVersion") {
        // GetPolicyVersion: only one version, which must be the default.
        let version = response::object(export, file, value, "PolicyVersion")?;
        return version_document(export, file, &version, "PolicyVersion", name, None);
    }
    if root.get("PolicyVersions").is_some() {
        let versions = response::list(export, file, "PolicyVersions", "PolicyVersion");
        return listed_default(export, file, &versions, name);
    }
    export.error(
        Diagnostic::error(
            UNEXPECTED_SHAPE,
            "the response holds no policy document (`DefaultPolicyVersion.PolicyDocument`)",
        )
        .with_help(file.expected())
        .at(&file.source, file.opening().span),
    );
    None
}

/// The document of a version object, which must be the default version.
fn version_document(
    export: &mut Export,
    file: &File,
    version: &Object<'_>,
    element: &str,
    name: &str,
    policy_default: Option<Named>,
) -> Option<Document> {
    let id = match version.get("VersionId") {
        Some(value) => response::string(export, file, value, &format!("{element}.VersionId")),
        None => None,
    };
    let shown = id
        .as_ref()
        .map_or("the version given", |v| v.value.as_str());
    match version.get("IsDefaultVersion").map(|v| (&v.kind, v)) {
        Some((JsonKind::Bool(true), _)) | None => {}
        Some((JsonKind::Bool(false), value)) => {
            export.error(
                Diagnostic::error(
                    NOT_DEFAULT_VERSION,
                    format!("`{shown}` of policy `{name}` is not its default version, the one RAM evaluates"),
                )
                .with_help("export the policy with `aliyun ram GetPolicy`, which gives the default version")
                .at(&file.source, value.span),
            );
            return None;
        }
        Some((_, value)) => {
            file.shape(
                export,
                crate::diagnostic::ShapeError::WrongType {
                    element: format!("{element}.IsDefaultVersion"),
                    expected: "a boolean",
                    found: value.kind.type_name(),
                    span: value.span,
                },
            );
            return None;
        }
    }
    if let (Some(id), Some(default)) = (&id, &policy_default)
        && id.value != default.value
    {
        export.error(
            Diagnostic::error(
                NOT_DEFAULT_VERSION,
                format!(
                    "the document is version `{}` of policy `{name}`, but its default version is `{}`",
                    id.value, default.value
                ),
            )
            .with_help("export the policy again: the two were read at different times")
            .at(&id.at.source, id.at.span),
        );
        return None;
    }
    let text = response::required_string(export, file, version, "PolicyDocument", element)?;
    let json = parse_document(
        export,
        file,
        name,
        &format!("{element}.PolicyDocument"),
        &text,
    )?;
    Some(Document {
        json,
        version: id.or(policy_default),
    })
}

/// The one default version of a `ListPolicyVersions` response.
fn listed_default(
    export: &mut Export,
    file: &File,
    versions: &[Item<'_>],
    name: &str,
) -> Option<Document> {
    let defaults: Vec<&Item<'_>> = versions
        .iter()
        .filter(|v| {
            v.object
                .get("IsDefaultVersion")
                .is_some_and(|d| d.kind == JsonKind::Bool(true))
        })
        .collect();
    match defaults.as_slice() {
        [default] => {
            let element = default.element.clone();
            version_document(export, file, &default.object, &element, name, None)
        }
        [] => {
            export.error(
                Diagnostic::error(
                    NOT_DEFAULT_VERSION,
                    format!(
                        "none of the {} versions of policy `{name}` is the default version, the one RAM evaluates",
                        versions.len()
                    ),
                )
                .with_help("export the policy with `aliyun ram GetPolicy`, which gives the default version")
                .at(&file.source, file.opening().span),
            );
            None
        }
        [_, second, ..] => {
            let at = second
                .object
                .get("IsDefaultVersion")
                .map_or(file.opening().span, |v| v.span);
            export.error(
                Diagnostic::error(
                    "ambiguous-default-version",
                    format!("policy `{name}` has more than one default version"),
                )
                .with_help("export the policy with `aliyun ram GetPolicy`, which gives the default version")
                .at(&file.source, at),
            );
            None
        }
    }
}

/// A custom control policy, from `control-policies/<policy-id>.json`: its name and document.
pub(super) fn control_policy(
    export: &mut Export,
    file: &File,
    id: &str,
) -> Option<(Named, Document)> {
    let root = response::root(export, file)?;
    let policy = match root.required("ControlPolicy") {
        Ok(value) => response::object(export, file, value, "ControlPolicy")?,
        Err(e) => {
            file.shape(export, e);
            return None;
        }
    };
    same(
        export,
        file,
        &policy,
        "ControlPolicy",
        "PolicyId",
        id,
        "control policy",
    );
    same(
        export,
        file,
        &policy,
        "ControlPolicy",
        "PolicyType",
        "Custom",
        "policy type",
    );
    let name = response::required_string(export, file, &policy, "PolicyName", "ControlPolicy")?;
    let text = response::required_string(export, file, &policy, "PolicyDocument", "ControlPolicy")?;
    let json = parse_document(
        export,
        file,
        &name.value,
        "ControlPolicy.PolicyDocument",
        &text,
    )?;
    Some((
        name,
        Document {
            json,
            version: None,
        },
    ))
}

/// Reports a member that names another entity than the file is for.
fn same(
    export: &mut Export,
    file: &File,
    object: &Object<'_>,
    element: &str,
    member: &'static str,
    expected: &str,
    what: &str,
) {
    let Some(value) = object.get(member) else {
        return;
    };
    let Some(found) = response::string(export, file, value, &format!("{element}.{member}")) else {
        return;
    };
    if found.value != expected {
        export.error(
            Diagnostic::error(
                WRONG_FILE,
                format!(
                    "the file is about the {what} `{}`, but its name says `{expected}`",
                    found.value
                ),
            )
            .with_help(file.expected())
            .at(&found.at.source, found.at.span),
        );
    }
}

/// Parses a `PolicyDocument` string as a policy, reporting its errors at their place in the
/// decoded text; the document, members in order, when it is valid.
fn parse_document(
    export: &mut Export,
    file: &File,
    name: &str,
    origin: &str,
    text: &Named,
) -> Option<JsonValue> {
    let source = Source::embedded(file.source.name(), origin, text.value.clone());
    if let Err(invalid) = Policy::parse(name, source.clone()) {
        for diagnostic in invalid.diagnostics() {
            export.error(diagnostic);
        }
        return None;
    }
    let document = match json::parse(source.text()) {
        Ok(document) => document,
        // The policy parser read the same text; this is only a second guard.
        Err(e) => {
            export.error(
                Diagnostic::error("invalid-json", format!("invalid JSON: {}", e.message))
                    .at(&source, e.span),
            );
            return None;
        }
    };
    // The policy reader takes response envelopes off; one inside a document is no policy.
    if document.get("Version").is_none() && document.get("Statement").is_none() {
        export.error(
            Diagnostic::error(
                UNEXPECTED_SHAPE,
                "`PolicyDocument` holds an API response, not a policy document",
            )
            .with_help(file.expected())
            .at(&text.at.source, text.at.span),
        );
        return None;
    }
    Some(document)
}

/// Whether an exported system policy says what ramguard's built-in copy of it says: the same
/// members and values, in any order, a string the same as an array holding only it.
pub(super) fn same_as_built_in(name: &str, document: &JsonValue) -> bool {
    let built_in = system::get(name)
        .and_then(Result::ok)
        .and_then(|p| json::parse(p.source().text()).ok());
    built_in.is_some_and(|b| equivalent(&b, document))
}

fn equivalent(a: &JsonValue, b: &JsonValue) -> bool {
    match (&a.kind, &b.kind) {
        (JsonKind::Object(x), JsonKind::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|m| {
                    y.iter()
                        .find(|n| n.name == m.name)
                        .is_some_and(|n| equivalent(&m.value, &n.value))
                })
        }
        (JsonKind::Array(x), JsonKind::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equivalent(p, q))
        }
        (JsonKind::Array(x), _) if x.len() == 1 => equivalent(&x[0], b),
        (_, JsonKind::Array(y)) if y.len() == 1 => equivalent(a, &y[0]),
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_compared_by_meaning_not_layout() {
        let parse = |s: &str| json::parse(s).unwrap();
        let a = parse(
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:*", "Resource": "*"}]}"#,
        );
        let b = parse(
            r#"{"Statement": [{"Resource": ["*"], "Effect": "Allow", "Action": ["kvstore:*"]}], "Version": "1"}"#,
        );
        let c = parse(
            r#"{"Statement": [{"Resource": "*", "Effect": "Allow", "Action": ["kvstore:*", "dds:*"]}], "Version": "1"}"#,
        );
        assert!(equivalent(&a, &b));
        assert!(!equivalent(&a, &c));
        assert!(same_as_built_in("AliyunKvstoreFullAccess", &b));
        assert!(!same_as_built_in("AliyunKvstoreFullAccess", &c));
        assert!(!same_as_built_in("AdministratorAccess", &a));
    }
}
