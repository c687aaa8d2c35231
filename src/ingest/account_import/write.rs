//! The account file the import writes: a model whose maps and sets are sorted, and a writer
//! that prints it the same way every time, whatever features serde_json is built with, with
//! each policy document's members in their order and its numbers exactly as written.

use std::collections::{BTreeMap, BTreeSet};

use crate::json::{JsonKind, JsonValue};

/// A policy attached to a user, group or role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Attachment {
    pub(super) policy: String,
    /// `None`, at account scope, sorts first.
    pub(super) resource_group: Option<String>,
}

/// A user, group or role.
#[derive(Debug, Default)]
pub(super) struct Principal {
    /// A user's groups.
    pub(super) groups: BTreeSet<String>,
    pub(super) policies: BTreeSet<Attachment>,
}

/// A defined policy.
#[derive(Debug)]
pub(super) struct Definition {
    pub(super) document: JsonValue,
    pub(super) system: bool,
}

/// The account file, sorted.
#[derive(Debug, Default)]
pub(super) struct Model {
    pub(super) account_id: String,
    pub(super) policies: BTreeMap<String, Definition>,
    pub(super) control_policies: BTreeSet<String>,
    pub(super) resource_groups: BTreeMap<String, BTreeSet<String>>,
    pub(super) groups: BTreeMap<String, Principal>,
    pub(super) users: BTreeMap<String, Principal>,
    pub(super) roles: BTreeMap<String, Principal>,
}

/// A JSON value to print.
enum Out<'a> {
    Str(&'a str),
    Json(&'a JsonValue),
    Array(Vec<Out<'a>>),
    Object(Vec<(&'a str, Out<'a>)>),
}

impl Model {
    /// The account file: JSON indented by two spaces, ending with a line break.
    pub(super) fn render(&self) -> String {
        let mut root = vec![("account_id", Out::Str(&self.account_id))];
        if !self.policies.is_empty() {
            let policies = self.policies.iter().map(|(name, definition)| {
                let mut members = vec![("document", Out::Json(&definition.document))];
                if definition.system {
                    members.push(("type", Out::Str("System")));
                }
                (name.as_str(), Out::Object(members))
            });
            root.push(("policies", Out::Object(policies.collect())));
        }
        if !self.control_policies.is_empty() {
            root.push(("control_policies", strings(&self.control_policies)));
        }
        if !self.resource_groups.is_empty() {
            let groups = self
                .resource_groups
                .iter()
                .map(|(name, arns)| (name.as_str(), strings(arns)));
            root.push(("resource_groups", Out::Object(groups.collect())));
        }
        for (section, principals) in [
            ("groups", &self.groups),
            ("users", &self.users),
            ("roles", &self.roles),
        ] {
            if !principals.is_empty() {
                let entries = principals.iter().map(|(name, p)| (name.as_str(), p.out()));
                root.push((section, Out::Object(entries.collect())));
            }
        }
        let mut text = String::new();
        write(&mut text, &Out::Object(root), 0);
        text.push('\n');
        text
    }
}

impl Principal {
    fn out(&self) -> Out<'_> {
        let mut members = Vec::new();
        if !self.groups.is_empty() {
            members.push(("groups", strings(&self.groups)));
        }
        if !self.policies.is_empty() {
            let attachments = self.policies.iter().map(|a| {
                let mut members = vec![("name", Out::Str(&a.policy))];
                if let Some(group) = &a.resource_group {
                    members.push(("resource_group", Out::Str(group)));
                }
                Out::Object(members)
            });
            members.push(("policies", Out::Array(attachments.collect())));
        }
        Out::Object(members)
    }
}

fn strings(set: &BTreeSet<String>) -> Out<'_> {
    Out::Array(set.iter().map(|s| Out::Str(s)).collect())
}

fn write(out: &mut String, value: &Out<'_>, depth: usize) {
    match value {
        Out::Str(s) => quote(out, s),
        Out::Json(json) => write_json(out, json, depth),
        Out::Array(items) => {
            let items: Vec<_> = items.iter().map(|item| (None, item)).collect();
            block(out, '[', ']', &items, depth, write);
        }
        Out::Object(members) => {
            let members: Vec<_> = members.iter().map(|(k, v)| (Some(*k), v)).collect();
            block(out, '{', '}', &members, depth, write);
        }
    }
}

fn write_json(out: &mut String, value: &JsonValue, depth: usize) {
    match &value.kind {
        JsonKind::Null => out.push_str("null"),
        JsonKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Exactly as written: a value a condition compares must not be rounded.
        JsonKind::Number(n) => out.push_str(n),
        JsonKind::String(s) => quote(out, s),
        JsonKind::Array(items) => {
            let items: Vec<_> = items.iter().map(|item| (None, item)).collect();
            block(out, '[', ']', &items, depth, write_json);
        }
        JsonKind::Object(members) => {
            let members: Vec<_> = members
                .iter()
                .map(|m| (Some(m.name.as_str()), &m.value))
                .collect();
            block(out, '{', '}', &members, depth, write_json);
        }
    }
}

/// An array or object, one entry per line; empty ones as `[]` and `{}`.
fn block<T>(
    out: &mut String,
    open: char,
    close: char,
    entries: &[(Option<&str>, &T)],
    depth: usize,
    each: fn(&mut String, &T, usize),
) {
    out.push(open);
    for (i, (key, value)) in entries.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        indent(out, depth + 1);
        if let Some(key) = key {
            quote(out, key);
            out.push_str(": ");
        }
        each(out, value, depth + 1);
    }
    if !entries.is_empty() {
        out.push('\n');
        indent(out, depth);
    }
    out.push(close);
}

fn indent(out: &mut String, depth: usize) {
    out.extend(std::iter::repeat_n("  ", depth));
}

/// A JSON string: quotes, backslashes and control characters escaped, the rest as is.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn writes_sorted_json_that_reads_back_the_same() {
        let document = json::parse(
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:*", "Resource": "*",
              "Condition": {"NumericLessThan": {"kvstore:x": 0.10000000000000000001}, "StringEquals": {"a": "q\"\\\n\u0001é"}}}]}"#,
        )
        .unwrap();
        let mut model = Model {
            account_id: "1".into(),
            ..Model::default()
        };
        model.policies.insert(
            "P".into(),
            Definition {
                document: document.clone(),
                system: true,
            },
        );
        let alice = model.users.entry("alice".into()).or_default();
        alice.groups.insert("b".into());
        alice.groups.insert("a".into());
        alice.policies.insert(Attachment {
            policy: "P".into(),
            resource_group: Some("rg-1".into()),
        });
        alice.policies.insert(Attachment {
            policy: "P".into(),
            resource_group: None,
        });
        model.roles.entry("empty".into()).or_default();
        let text = model.render();
        assert!(text.contains("0.10000000000000000001"), "{text}");
        assert!(text.contains(r#""a": "q\"\\\n\u0001é""#), "{text}");
        assert!(text.contains("\"empty\": {}"), "{text}");
        let read = json::parse(&text).unwrap();
        let policies = read.get("policies").unwrap();
        let written = policies.get("P").unwrap();
        assert_eq!(
            written.get("type").and_then(JsonValue::as_str),
            Some("System")
        );
        assert_eq!(
            written.get("document").unwrap().to_serde(),
            document.to_serde()
        );
        let users = read.get("users").unwrap().to_serde();
        assert_eq!(
            users,
            serde_json::json!({"alice": {"groups": ["a", "b"], "policies": [{"name": "P"}, {"name": "P", "resource_group": "rg-1"}]}})
        );
        assert!(text.starts_with("{\n  \"account_id\": \"1\",\n  \"policies\": {\n    \"P\": {\n      \"document\": {\n        \"Version\": \"1\","));
        assert!(text.ends_with("}\n"));
    }
}
