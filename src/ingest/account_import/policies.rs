//! Every policy the attachments name, resolved to a document: custom policies from
//! `policies/`, system policies from `system-policies/` (the built-in ones too, when exported;
//! by name otherwise).

use std::collections::BTreeMap;

use super::control::Control;
use super::documents::{self, Document};
use super::export::{Export, Named};
use super::identities::Reference;
use super::layout::Kind;
use super::response::located;
use super::write::Definition;
use crate::diagnostic::Diagnostic;
use crate::policy::system::{self, Attachable};

/// The code of two policies that would share one name in the account file.
const COLLISION: &str = "policy-name-collision";

/// Resolves every policy named by `references` and the custom control policies, keyed by the
/// name the account file gives them.
pub(super) fn resolve(
    export: &mut Export,
    references: &[Reference],
    control: Control,
) -> BTreeMap<String, Definition> {
    let mut by_policy: BTreeMap<(bool, &str), Vec<&Reference>> = BTreeMap::new();
    for reference in references {
        by_policy
            .entry((reference.system, reference.policy.value.as_str()))
            .or_default()
            .push(reference);
    }
    let mut defined: BTreeMap<String, Definition> = BTreeMap::new();
    for ((system, name), references) in by_policy {
        let Some(first) = references.first() else {
            continue;
        };
        let holder = format!("{} `{}`", first.holder.word(), first.holder_name);
        match (system, system::attachable(name)) {
            (true, Some(Attachable::Identity)) => {
                if let Some(definition) = built_in(export, name, &references) {
                    defined.insert(name.to_string(), definition);
                }
                continue;
            }
            (_, Some(_)) => {
                collision(
                    export,
                    &first.policy,
                    &format!(
                        "ramguard's built-in `{name}` is a system {}",
                        if name == system::FULL_ALIYUN_ACCESS {
                            "control policy"
                        } else {
                            "policy"
                        }
                    ),
                );
                continue;
            }
            _ => {}
        }
        let (kind, what) = if system {
            (Kind::SystemPolicy, "system policy")
        } else {
            (Kind::Policy, "custom policy")
        };
        let Some(file) = export.required(
            kind,
            name,
            Some(&first.policy.at),
            &format!("the document of {what} `{name}`, attached to {holder}, is needed"),
        ) else {
            continue;
        };
        let Some(document) = documents::ram_policy(export, &file, name, system) else {
            continue;
        };
        if !current(export, &document, &references) {
            continue;
        }
        if defined.contains_key(name) {
            collision(
                export,
                &first.policy,
                "a custom policy of the same name is attached too",
            );
            continue;
        }
        defined.insert(
            name.to_string(),
            Definition {
                document: document.json,
                system,
            },
        );
    }
    for (name, document) in control.custom {
        if system::attachable(&name.value).is_some() || defined.contains_key(&name.value) {
            collision(
                export,
                &name,
                "a RAM policy or a built-in system policy has the same name",
            );
            continue;
        }
        defined.insert(
            name.value,
            Definition {
                document: document.json,
                system: false,
            },
        );
    }
    defined
}

/// A system policy ramguard also has built in: the account's own document when the export
/// holds it (RAM evaluates that one, and Alibaba Cloud may have changed it since ramguard's copy
/// was taken), written as a system policy that replaces the built-in; otherwise the built-in,
/// by name. A difference from the built-in copy is reported, so that it is seen.
fn built_in(export: &mut Export, name: &str, references: &[&Reference]) -> Option<Definition> {
    let file = export.optional(Kind::SystemPolicy, name)?;
    let document = documents::ram_policy(export, &file, name, true)?;
    if !current(export, &document, references) {
        return None;
    }
    if !documents::same_as_built_in(name, &document.json) {
        export.warn(
            Diagnostic::warning(
                "builtin-policy-differs",
                format!(
                    "the account's `{name}` differs from ramguard's built-in copy: the account's is imported and used"
                ),
            )
            .with_help(format!(
                "nothing to do: RAM evaluates the account's copy; `system:{name}` still names ramguard's own"
            ))
            .at(&file.source, file.opening().span),
        );
    }
    Some(Definition {
        document: document.json,
        system: true,
    })
}

/// Whether every listing that names the policy's default version names the document's.
fn current(export: &mut Export, document: &Document, references: &[&Reference]) -> bool {
    let Some(version) = &document.version else {
        return true;
    };
    let mut current = true;
    for reference in references {
        if let Some(listed) = &reference.version
            && listed.value != version.value
        {
            export.error(located(
                Diagnostic::error(
                    "stale-policy-version",
                    format!(
                        "the listing says the default version of `{}` is `{}`, but the exported document is `{}`",
                        reference.policy.value, listed.value, version.value
                    ),
                )
                .with_help("export the account again: the policy changed between the two calls"),
                &listed.at,
            ));
            current = false;
        }
    }
    current
}

fn collision(export: &mut Export, name: &Named, why: &str) {
    export.error(located(
        Diagnostic::error(
            COLLISION,
            format!(
                "`{}` cannot be named in the account file: {why}",
                name.value
            ),
        )
        .with_help("ramguard's account file has one name space for policies; rename one of the two in Alibaba Cloud"),
        &name.at,
    ));
}
