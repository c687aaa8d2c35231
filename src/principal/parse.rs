//! Reads an account file strictly, collecting every error with its span, then checks that every
//! name it references is defined.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{AccountErrorKind as Kind, AccountIssue, InvalidAccount};
use super::{Account, Attachment, Entity, PolicyEntry, User};
use crate::arn::Arn;
use crate::eval::PolicyKind;
use crate::json::{self, JsonKind, JsonMember, JsonValue, Object, ShapeError};
use crate::policy::system::{self, Attachable};
use crate::policy::{InvalidPolicy, LoadError, Policy};
use crate::span::{Source, Span, Spanned};

const ROOT_MEMBERS: &[&str] = &[
    "account_id",
    "policies",
    "control_policies",
    "resource_groups",
    "groups",
    "users",
    "roles",
];
const POLICY_MEMBERS: &[&str] = &["path", "document", "type"];
const GROUP_MEMBERS: &[&str] = &["policies"];
const USER_MEMBERS: &[&str] = &["groups", "policies"];
const ROLE_MEMBERS: &[&str] = &["policies"];
const ATTACHMENT_MEMBERS: &[&str] = &["name", "resource_group"];

/// An attachment as written, with the spans its references are reported at.
struct RawAttachment {
    policy: Spanned<String>,
    resource_group: Option<Spanned<String>>,
}

struct RawEntity {
    name: String,
    groups: Vec<Spanned<String>>,
    policies: Vec<RawAttachment>,
}

struct Reader {
    issues: Vec<AccountIssue>,
    invalid_policies: Vec<InvalidPolicy>,
    /// The policy files read, in the order of the account file.
    files: Vec<PathBuf>,
}

pub(super) fn parse_account(source: Arc<Source>, base: &Path) -> Result<Account, InvalidAccount> {
    let mut reader = Reader {
        issues: Vec::new(),
        invalid_policies: Vec::new(),
        files: Vec::new(),
    };
    let account = match json::parse(source.text()) {
        Ok(root) => reader.account(&root, &source, base),
        Err(e) => {
            reader.error(Kind::InvalidJson { message: e.message }, e.span);
            None
        }
    };
    match account {
        Some(account) if reader.issues.is_empty() && reader.invalid_policies.is_empty() => {
            Ok(Account {
                files: reader.files,
                ..account
            })
        }
        _ => {
            reader.issues.sort_by_key(|i| i.span.start);
            Err(InvalidAccount {
                source,
                issues: reader.issues,
                policies: reader.invalid_policies,
            })
        }
    }
}

impl Reader {
    fn error(&mut self, kind: Kind, span: Span) {
        self.issues.push(AccountIssue { kind, span });
    }

    fn account(&mut self, root: &JsonValue, source: &Arc<Source>, base: &Path) -> Option<Account> {
        let members = self.members(root, "the account", "the account", ROOT_MEMBERS)?;
        let get = |name: &str| members.iter().copied().find(|m| m.name == name);
        let id = match get("account_id") {
            None => {
                self.error(
                    Kind::MissingMember {
                        member: "account_id",
                        context: "the account".into(),
                    },
                    opening(root),
                );
                None
            }
            Some(m) => self.account_id(m),
        };
        let policies = get("policies")
            .map(|m| self.policies(&m.value, source, base))
            .unwrap_or_default();
        let control = get("control_policies")
            .map(|m| self.name_list(&m.value, "control_policies"))
            .unwrap_or_default();
        let resource_groups = get("resource_groups")
            .map(|m| self.resource_groups(&m.value))
            .unwrap_or_default();
        let groups = get("groups")
            .map(|m| self.entities(&m.value, "groups", "group", GROUP_MEMBERS))
            .unwrap_or_default();
        let users = get("users")
            .map(|m| self.entities(&m.value, "users", "user", USER_MEMBERS))
            .unwrap_or_default();
        let roles = get("roles")
            .map(|m| self.entities(&m.value, "roles", "role", ROLE_MEMBERS))
            .unwrap_or_default();

        let policy_names: Vec<String> = policies.iter().map(|(name, ..)| name.clone()).collect();
        let group_names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
        let resource_group_names: Vec<String> = resource_groups
            .iter()
            .map(|(name, _)| name.clone())
            .collect();
        let mut seen_control: Vec<&str> = Vec::new();
        for name in &control {
            if seen_control.contains(&name.value.as_str()) {
                self.error(
                    Kind::DuplicateReference {
                        name: name.value.clone(),
                        element: "control_policies".into(),
                    },
                    name.span,
                );
            }
            seen_control.push(&name.value);
            match system::attachable(&name.value) {
                Some(Attachable::Control) => {}
                Some(Attachable::Identity) => self.error(
                    Kind::NotAControlPolicy {
                        name: name.value.clone(),
                    },
                    name.span,
                ),
                None if policy_names.contains(&name.value) => {}
                None => self.error(
                    Kind::UnknownPolicy {
                        name: name.value.clone(),
                        known: with_system(&policy_names, Attachable::Control),
                    },
                    name.span,
                ),
            }
        }
        for entity in groups.iter().chain(&users).chain(&roles) {
            for group in &entity.groups {
                if !group_names.contains(&group.value) {
                    self.error(
                        Kind::UnknownGroup {
                            name: group.value.clone(),
                            known: group_names.clone(),
                        },
                        group.span,
                    );
                }
            }
            for attachment in &entity.policies {
                let name = &attachment.policy;
                match system::attachable(&name.value) {
                    Some(Attachable::Identity) => {}
                    Some(Attachable::Control) => self.error(
                        Kind::NotAnIdentityPolicy {
                            name: name.value.clone(),
                        },
                        name.span,
                    ),
                    None if policy_names.contains(&name.value) => {}
                    None => self.error(
                        Kind::UnknownPolicy {
                            name: name.value.clone(),
                            known: with_system(&policy_names, Attachable::Identity),
                        },
                        name.span,
                    ),
                }
                if let Some(group) = &attachment.resource_group
                    && !resource_group_names.contains(&group.value)
                {
                    self.error(
                        Kind::UnknownResourceGroup {
                            name: group.value.clone(),
                            known: resource_group_names.clone(),
                        },
                        group.span,
                    );
                }
            }
        }

        // Only the system policies the account names are parsed; a name misused (a control
        // policy attached to a user) was reported above, so its document may still load.
        let mut entries: Vec<(String, PolicyEntry)> = Vec::new();
        for (name, policy, kind) in policies {
            if let Some(policy) = policy {
                entries.push((name, PolicyEntry { policy, kind }));
            }
        }
        let attached = groups
            .iter()
            .chain(&users)
            .chain(&roles)
            .flat_map(|entity| &entity.policies)
            .map(|attachment| &attachment.policy);
        for name in control.iter().chain(attached).map(|name| &name.value) {
            if entries.iter().any(|(n, _)| n == name) {
                continue;
            }
            match system::get(name) {
                Some(Ok(policy)) => entries.push((
                    name.clone(),
                    PolicyEntry {
                        policy,
                        kind: PolicyKind::System,
                    },
                )),
                Some(Err(invalid)) => self.invalid_policies.push(*invalid),
                None => {}
            }
        }
        let finish = |raw: Vec<RawEntity>| -> Vec<User> {
            raw.into_iter()
                .map(|e| User {
                    entity: Entity {
                        name: e.name,
                        policies: e
                            .policies
                            .into_iter()
                            .map(|a| Attachment {
                                policy: a.policy.value,
                                resource_group: a.resource_group.map(|g| g.value),
                            })
                            .collect(),
                    },
                    groups: e.groups.into_iter().map(|g| g.value).collect(),
                })
                .collect()
        };
        Some(Account {
            id: id?,
            source: source.clone(),
            policies: entries,
            control_policies: control.into_iter().map(|c| c.value).collect(),
            resource_groups,
            groups: finish(groups).into_iter().map(|u| u.entity).collect(),
            users: finish(users),
            roles: finish(roles).into_iter().map(|u| u.entity).collect(),
            files: Vec::new(),
        })
    }

    fn account_id(&mut self, member: &JsonMember) -> Option<String> {
        let id = self.string(&member.value, "account_id")?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            self.error(
                Kind::InvalidAccountId { found: id.clone() },
                member.value.span,
            );
            return None;
        }
        Some(id)
    }

    /// The `policies` object: each name with its policy, or `None` when it failed to load (the
    /// name still counts as defined, so that references to it do not add errors), and its kind.
    fn policies(
        &mut self,
        value: &JsonValue,
        source: &Arc<Source>,
        base: &Path,
    ) -> Vec<(String, Option<Policy>, PolicyKind)> {
        let Some(members) = self.members(value, "policies", "`policies`", &[]) else {
            return Vec::new();
        };
        let mut policies = Vec::new();
        for member in members {
            let Some(name) = self.name(member, "policies") else {
                continue;
            };
            // An account's own copy of a built-in system policy (as `account import` writes it,
            // from the account) replaces ramguard's; a custom policy of that name is a mistake.
            let marked_system = matches!(
                &member.value.get("type").map(|t| &t.kind),
                Some(JsonKind::String(kind)) if kind == "System"
            );
            if system::is_system_policy(&name) && !marked_system {
                self.error(Kind::SystemPolicyRedefined { name }, member.name_span);
                continue;
            }
            let context = format!("policy `{name}`");
            let Some(definition) = self.members(
                &member.value,
                &format!("policies.{name}"),
                &context,
                POLICY_MEMBERS,
            ) else {
                policies.push((name, None, PolicyKind::Custom));
                continue;
            };
            let get = |n: &str| definition.iter().copied().find(|m| m.name == n);
            let kind = get("type").map_or(PolicyKind::Custom, |m| self.policy_kind(&name, m));
            let policy = match (get("path"), get("document")) {
                (Some(path), None) => self.policy_file(&name, path, base),
                (None, Some(document)) => self.inline_policy(&name, document, source),
                _ => {
                    self.error(
                        Kind::PolicyDefinition { name: name.clone() },
                        member.name_span,
                    );
                    None
                }
            };
            policies.push((name, policy, kind));
        }
        policies
    }

    /// `type`: `System` for a system policy defined in the file (an account exported with
    /// `ramguard account import` carries the documents of the system policies it attaches), so
    /// that traces say so; `Custom`, the default, otherwise.
    fn policy_kind(&mut self, name: &str, member: &JsonMember) -> PolicyKind {
        let element = format!("policies.{name}.type");
        match self.string(&member.value, &element).as_deref() {
            Some("System") => PolicyKind::System,
            Some("Custom") | None => PolicyKind::Custom,
            Some(_) => {
                self.error(
                    Kind::TypeMismatch {
                        element,
                        expected: "`\"System\"` or `\"Custom\"`",
                        found: "another string",
                    },
                    member.value.span,
                );
                PolicyKind::Custom
            }
        }
    }

    fn policy_file(&mut self, name: &str, member: &JsonMember, base: &Path) -> Option<Policy> {
        let path = self.string(&member.value, &format!("policies.{name}.path"))?;
        if path.is_empty() {
            self.error(
                Kind::Empty {
                    element: format!("policies.{name}.path"),
                },
                member.value.span,
            );
            return None;
        }
        let file = base.join(&path);
        // Read or not, the file is one the account depends on: a reload must look at it again.
        self.files.push(file.clone());
        match Policy::from_path(&file) {
            Ok(policy) => Some(policy.with_name(name)),
            // `from_path` reads files only, so a `system:` name is never an error of its own.
            Err(e @ (LoadError::Source(_) | LoadError::UnknownSystemPolicy { .. })) => {
                self.error(
                    Kind::PolicyUnreadable {
                        name: name.to_string(),
                        message: e.to_string(),
                    },
                    member.value.span,
                );
                None
            }
            Err(LoadError::Invalid(invalid)) => {
                self.invalid_policies.push(*invalid);
                None
            }
        }
    }

    /// A document written in the account file. It is parsed from a copy of the file in which
    /// everything else is blanked, so that its errors and traces carry the account file's name,
    /// lines and columns.
    fn inline_policy(
        &mut self,
        name: &str,
        member: &JsonMember,
        source: &Arc<Source>,
    ) -> Option<Policy> {
        if !matches!(member.value.kind, JsonKind::Object(_)) {
            self.error(
                Kind::TypeMismatch {
                    element: format!("policies.{name}.document"),
                    expected: "a policy document object",
                    found: member.value.kind.type_name(),
                },
                member.value.span,
            );
            return None;
        }
        let isolated = Source::new(source.name(), isolate(source.text(), member.value.span));
        match Policy::parse(name.to_string(), isolated) {
            Ok(policy) => Some(policy.with_name(name)),
            Err(invalid) => {
                self.invalid_policies.push(invalid);
                None
            }
        }
    }

    fn resource_groups(&mut self, value: &JsonValue) -> Vec<(String, Vec<String>)> {
        let Some(members) = self.members(value, "resource_groups", "`resource_groups`", &[]) else {
            return Vec::new();
        };
        let mut groups = Vec::new();
        for member in members {
            let Some(name) = self.name(member, "resource_groups") else {
                continue;
            };
            let element = format!("resource_groups.{name}");
            let mut resources = Vec::new();
            for arn in self.name_list(&member.value, &element) {
                match Arn::parse(&arn.value) {
                    Ok(_) => resources.push(arn.value),
                    Err(e) => self.error(
                        Kind::InvalidResource {
                            group: name.clone(),
                            found: arn.value.clone(),
                            reason: e.to_string(),
                        },
                        arn.span,
                    ),
                }
            }
            groups.push((name, resources));
        }
        groups
    }

    /// `groups`, `users` or `roles`: each name with its group memberships and attachments.
    fn entities(
        &mut self,
        value: &JsonValue,
        section: &str,
        kind: &str,
        allowed: &'static [&'static str],
    ) -> Vec<RawEntity> {
        let Some(members) = self.members(value, section, &format!("`{section}`"), &[]) else {
            return Vec::new();
        };
        let mut entities = Vec::new();
        for member in members {
            let Some(name) = self.name(member, section) else {
                continue;
            };
            let path = format!("{section}.{name}");
            let context = format!("{kind} `{name}`");
            let mut entity = RawEntity {
                name,
                groups: Vec::new(),
                policies: Vec::new(),
            };
            if let Some(fields) = self.members(&member.value, &path, &context, allowed) {
                for field in fields {
                    match field.name.as_str() {
                        "groups" => {
                            entity.groups = self.name_list(&field.value, &format!("{path}.groups"))
                        }
                        "policies" => {
                            entity.policies =
                                self.attachments(&field.value, &format!("{path}.policies"))
                        }
                        _ => {} // `members` reported it
                    }
                }
            }
            entities.push(entity);
        }
        entities
    }

    fn attachments(&mut self, value: &JsonValue, element: &str) -> Vec<RawAttachment> {
        let Some(items) = self.array(value, element, "an array of `{\"name\": …}` objects")
        else {
            return Vec::new();
        };
        let mut attachments: Vec<RawAttachment> = Vec::new();
        for item in items {
            let Some(fields) = self.members(item, element, "an attachment", ATTACHMENT_MEMBERS)
            else {
                continue;
            };
            let get = |n: &str| fields.iter().copied().find(|m| m.name == n);
            let Some(name) = get("name") else {
                self.error(
                    Kind::MissingMember {
                        member: "name",
                        context: "this attachment".into(),
                    },
                    opening(item),
                );
                continue;
            };
            let Some(policy) = self.spanned_name(&name.value, &format!("{element}[].name")) else {
                continue;
            };
            let resource_group = match get("resource_group") {
                Some(group) => {
                    let Some(group) =
                        self.spanned_name(&group.value, &format!("{element}[].resource_group"))
                    else {
                        continue;
                    };
                    Some(group)
                }
                None => None,
            };
            let duplicate = attachments.iter().any(|a| {
                a.policy == policy
                    && a.resource_group.as_ref().map(|g| &g.value)
                        == resource_group.as_ref().map(|g| &g.value)
            });
            if duplicate {
                self.error(
                    Kind::DuplicateReference {
                        name: policy.value.clone(),
                        element: element.to_string(),
                    },
                    policy.span,
                );
                continue;
            }
            attachments.push(RawAttachment {
                policy,
                resource_group,
            });
        }
        attachments
    }

    /// An array of non-empty names, each given once.
    fn name_list(&mut self, value: &JsonValue, element: &str) -> Vec<Spanned<String>> {
        let Some(items) = self.array(value, element, "an array of strings") else {
            return Vec::new();
        };
        let mut names: Vec<Spanned<String>> = Vec::new();
        for item in items {
            let Some(name) = self.spanned_name(item, element) else {
                continue;
            };
            if names.contains(&name) {
                self.error(
                    Kind::DuplicateReference {
                        name: name.value.clone(),
                        element: element.to_string(),
                    },
                    name.span,
                );
                continue;
            }
            names.push(name);
        }
        names
    }

    fn spanned_name(&mut self, value: &JsonValue, element: &str) -> Option<Spanned<String>> {
        let text = self.string(value, element)?;
        if text.is_empty() {
            self.error(
                Kind::Empty {
                    element: element.to_string(),
                },
                value.span,
            );
            return None;
        }
        Some(Spanned::new(text, value.span))
    }

    /// A member's name used as the name of a policy, group, user or role.
    fn name(&mut self, member: &JsonMember, section: &str) -> Option<String> {
        if member.name.is_empty() {
            self.error(
                Kind::Empty {
                    element: format!("a name in `{section}`"),
                },
                member.name_span,
            );
            return None;
        }
        Some(member.name.clone())
    }

    /// Records a problem with the shape of the file, in the reader's words; `context` names
    /// the object, for members that have no place in it.
    fn shape(&mut self, e: ShapeError, context: &str) {
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
            ShapeError::Duplicate { name, .. } => Kind::DuplicateMember { name },
            ShapeError::Unknown { name, expected, .. } => Kind::UnknownMember {
                name,
                context: context.to_string(),
                expected,
            },
            ShapeError::Missing { name, .. } => Kind::MissingMember {
                member: name,
                context: context.to_string(),
            },
            ShapeError::Empty { element, .. } => Kind::Empty { element },
        };
        self.error(kind, span);
    }

    fn string(&mut self, value: &JsonValue, element: &str) -> Option<String> {
        json::string(value, element)
            .map(str::to_string)
            .map_err(|e| self.shape(e, element))
            .ok()
    }

    fn array<'v>(
        &mut self,
        value: &'v JsonValue,
        element: &str,
        expected: &'static str,
    ) -> Option<&'v [JsonValue]> {
        json::array(value, element, expected)
            .map_err(|e| self.shape(e, element))
            .ok()
    }

    /// The members of an object, each name once; with a non-empty `allowed`, only those names.
    fn members<'v>(
        &mut self,
        value: &'v JsonValue,
        element: &str,
        context: &str,
        allowed: &'static [&'static str],
    ) -> Option<Vec<&'v JsonMember>> {
        let mut issues = Vec::new();
        let object = Object::read(value, element, allowed, &mut issues);
        for issue in issues {
            self.shape(issue, context);
        }
        let object = object.map_err(|e| self.shape(e, context)).ok()?;
        Some(object.members().collect())
    }
}

/// The span of an object's opening brace, where "missing member" errors point.
fn opening(value: &JsonValue) -> Span {
    Span::new(value.span.start, value.span.start + 1)
}

/// `text` with every character outside `span` replaced by as many spaces as it has bytes (line
/// breaks and a leading byte-order mark kept), so the value in `span` parses alone at the same
/// byte offsets and lines.
fn isolate(text: &str, span: Span) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let inside = span.start <= i && i < span.end;
        if inside || c == '\n' || c == '\r' || (i == 0 && c == '\u{feff}') {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    out
}

/// The policies an account defines, and the system policies attached as `attachable`: the
/// names a reference may use there.
fn with_system(defined: &[String], attachable: Attachable) -> Vec<String> {
    let mut names = defined.to_vec();
    names.extend(system::names_for(attachable).map(str::to_string));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolate_keeps_offsets_and_lines() {
        let text = "{\"a\": {\"b\": 1},\n \"é\": 2}";
        let start = text.find("{\"b\"").unwrap();
        let span = Span::new(start, start + "{\"b\": 1}".len());
        let isolated = isolate(text, span);
        assert_eq!(isolated.len(), text.len());
        assert_eq!(&isolated[span.start..span.end], "{\"b\": 1}");
        assert_eq!(isolated.matches('\n').count(), 1);
        assert!(json::parse(&isolated).is_ok());
    }

    fn parse(text: &str) -> Result<Account, InvalidAccount> {
        parse_account(Source::new("account.json", text), Path::new(""))
    }

    const DOCUMENT: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}"#;

    #[test]
    fn a_defined_policy_may_be_marked_as_a_system_policy() {
        let text = format!(
            r#"{{"account_id": "1234567890123456",
              "policies": {{"AliyunECSFullAccess": {{"document": {DOCUMENT}, "type": "System"}},
                           "Ops": {{"document": {DOCUMENT}, "type": "Custom"}},
                           "Plain": {{"document": {DOCUMENT}}}}},
              "roles": {{"ops": {{"policies": [{{"name": "AliyunECSFullAccess"}}, {{"name": "Ops"}}, {{"name": "Plain"}}]}}}}}}"#
        );
        let account = parse(&text).expect("a valid account");
        let kinds: Vec<(&str, PolicyKind)> = account
            .policies
            .iter()
            .map(|(name, entry)| (name.as_str(), entry.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("AliyunECSFullAccess", PolicyKind::System),
                ("Ops", PolicyKind::Custom),
                ("Plain", PolicyKind::Custom)
            ]
        );
    }

    #[test]
    fn a_policy_type_is_system_or_custom() {
        let text = format!(
            r#"{{"account_id": "1234567890123456",
              "policies": {{"A": {{"document": {DOCUMENT}, "type": "system"}}, "B": {{"document": {DOCUMENT}, "type": 1}}, "C": {{"type": "System"}}}}}}"#
        );
        let invalid = parse(&text).unwrap_err();
        let found: Vec<(String, String, &str)> = invalid
            .issues
            .iter()
            .map(|i| {
                (
                    i.kind.code().to_string(),
                    i.kind.to_string(),
                    &text[i.span.start..i.span.end],
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "data-type-mismatch".into(),
                    "`policies.A.type` must be `\"System\"` or `\"Custom\"`, found another string"
                        .into(),
                    "\"system\""
                ),
                (
                    "data-type-mismatch".into(),
                    "`policies.B.type` must be a string, found a number".into(),
                    "1"
                ),
                (
                    "invalid-policy-definition".into(),
                    "policy `C` must have exactly one of `path` and `document`".into(),
                    "\"C\""
                ),
            ]
        );
    }

    #[test]
    fn a_system_definition_of_a_built_in_name_replaces_it_and_a_custom_one_is_refused() {
        let text = format!(
            r#"{{"account_id": "1234567890123456", "policies": {{"AliyunKvstoreFullAccess": {{"document": {DOCUMENT}, "type": "System"}}}},
              "users": {{"alice": {{"policies": [{{"name": "AliyunKvstoreFullAccess"}}]}}}}}}"#
        );
        let account = parse(&text).expect("the account's own copy");
        let (name, entry) = &account.policies[0];
        assert_eq!(
            (name.as_str(), entry.kind),
            ("AliyunKvstoreFullAccess", PolicyKind::System)
        );
        // The account's document (`ecs:*`), not ramguard's (`kvstore:*`).
        assert_eq!(
            entry.policy.statements()[0].action.patterns[0].value,
            "ecs:*"
        );
        for kind in ["", r#", "type": "Custom""#] {
            let text = format!(
                r#"{{"account_id": "1234567890123456", "policies": {{"AliyunKvstoreFullAccess": {{"document": {DOCUMENT}{kind}}}}}}}"#
            );
            let invalid = parse(&text).unwrap_err();
            assert_eq!(invalid.issues[0].kind.code(), "system-policy-redefined");
        }
    }
}
