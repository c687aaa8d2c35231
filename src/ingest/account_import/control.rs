//! Resource Directory control policies: those attached to the account and to every folder above
//! it up to the Root (an attachment to a folder applies to everything below it), read from
//! `rd-account.json`, `control-policy-attachments/<target-id>.json` and
//! `control-policies/<policy-id>.json`.

use std::collections::BTreeMap;

use super::documents::{self, Document, WRONG_FILE};
use super::export::{At, Export, Named, UNEXPECTED_SHAPE};
use super::layout::{self, Kind};
use super::resources::{OTHER_ACCOUNT, name_ok};
use super::response::{self, located};
use crate::diagnostic::Diagnostic;
use crate::policy::system::FULL_ALIYUN_ACCESS;

/// The control policies in force for the account.
#[derive(Debug, Default)]
pub(super) struct Control {
    /// Whether `FullAliyunAccess` is attached (then at every level, or the import fails).
    pub(super) full_aliyun_access: bool,
    /// The custom control policies: each name, with its document.
    pub(super) custom: Vec<(Named, Document)>,
}

/// Reads the control policies in force for the account.
pub(super) fn read(export: &mut Export, account: Option<&str>) -> Control {
    let mut control = Control::default();
    let Some(file) = export.optional(Kind::RdAccount, "") else {
        // Present but unreadable: already reported.
        if !export.exists(&Kind::RdAccount.path("")) {
            missing(export);
        }
        return control;
    };
    let Some(root) = response::root(export, &file) else {
        return control;
    };
    let member = match root.required("Account") {
        Ok(value) => response::object(export, &file, value, "Account"),
        Err(e) => {
            file.shape(export, e);
            None
        }
    };
    let Some(member) = member else {
        return control;
    };
    if let (Some(value), Some(account)) = (member.get("AccountId"), account)
        && let Some(id) = response::string(export, &file, value, "Account.AccountId")
        && id.value != account
    {
        export.error(located(
            Diagnostic::error(
                OTHER_ACCOUNT,
                format!(
                    "the Resource Directory member is `{}`, not the exported account `{account}`",
                    id.value
                ),
            )
            .with_help("export each account into a directory of its own"),
            &id.at,
        ));
        return control;
    }
    let Some(path) =
        response::required_string(export, &file, &member, "ResourceDirectoryPath", "Account")
    else {
        return control;
    };
    let Some(targets) = targets(export, &path, account) else {
        return control;
    };
    // Per level: whether FullAliyunAccess is attached there, and whether anything is.
    let mut levels: Vec<(String, At, bool, bool)> = Vec::new();
    let mut custom: BTreeMap<String, (Named, Named)> = BTreeMap::new();
    for target in &targets {
        let Some(file) = export.required(
            Kind::ControlPolicyAttachments,
            target,
            Some(&path.at),
            &format!("the control policies attached to `{target}` are needed"),
        ) else {
            continue;
        };
        let items = response::list(
            export,
            &file,
            "ControlPolicyAttachments",
            "ControlPolicyAttachment",
        );
        let mut full = false;
        for item in &items {
            let (Some(id), Some(name), Some(kind)) = (
                response::text(export, &file, item, "PolicyId"),
                response::text(export, &file, item, "PolicyName"),
                response::text(export, &file, item, "PolicyType"),
            ) else {
                continue;
            };
            match kind.value.as_str() {
                "System" if name.value == FULL_ALIYUN_ACCESS => full = true,
                "System" => export.error(located(
                    Diagnostic::error(
                        "unknown-system-control-policy",
                        format!(
                            "`{}` is a system control policy ramguard does not know: only `{FULL_ALIYUN_ACCESS}` is built in",
                            name.value
                        ),
                    )
                    .with_help("report it, with its document (`aliyun resourcemanager GetControlPolicy`)"),
                    &name.at,
                )),
                "Custom" => {
                    if name_ok(export, &id, "control policy id") {
                        custom.entry(id.value.clone()).or_insert((id, name));
                    }
                }
                other => export.error(located(
                    Diagnostic::error(
                        "unknown-policy-type",
                        format!("`PolicyType` is `{other}`: expected `System` or `Custom`"),
                    )
                    .with_help("ramguard cannot tell which policy this names; report the response"),
                    &kind.at,
                )),
            }
        }
        levels.push((target.clone(), file.opening(), full, !items.is_empty()));
    }
    if levels.iter().any(|(_, _, _, any)| *any) {
        // ramguard's account file has one control layer. It equals Resource Directory's
        // levels only while FullAliyunAccess allows at each of them, leaving their Denies.
        for (target, at, full, _) in &levels {
            if !full {
                export.error(located(
                    Diagnostic::error(
                        "control-policy-allowlist",
                        format!(
                            "`{FULL_ALIYUN_ACCESS}` is not attached to `{target}`: its allowlist of control policies cannot be imported"
                        ),
                    )
                    .with_help(
                        "ramguard evaluates control policies as one layer, which is exact only when FullAliyunAccess is attached at every level from the Root to the account",
                    ),
                    at,
                ));
            }
        }
        control.full_aliyun_access = true;
    }
    for (id, (id_named, name)) in custom {
        let Some(file) = export.required(
            Kind::ControlPolicy,
            &id,
            Some(&id_named.at),
            &format!("the document of control policy `{}` is needed", name.value),
        ) else {
            continue;
        };
        let Some((read_name, document)) = documents::control_policy(export, &file, &id) else {
            continue;
        };
        if read_name.value != name.value {
            export.error(located(
                Diagnostic::error(
                    WRONG_FILE,
                    format!(
                        "control policy `{id}` is called `{}` here, but `{}` where it is attached",
                        read_name.value, name.value
                    ),
                )
                .with_help("export the account again: the two were read at different times"),
                &read_name.at,
            ));
            continue;
        }
        control.custom.push((read_name, document));
    }
    control
}

/// Reports a missing `rd-account.json`: an error when control policy files are there (which of
/// them apply is then unknown: never guess), else a warning that none are imported.
fn missing(export: &mut Export) {
    let started = [Kind::ControlPolicyAttachments, Kind::ControlPolicy]
        .iter()
        .filter_map(|k| k.directory())
        .any(|dir| export.exists(dir));
    if started {
        export.required(
            Kind::RdAccount,
            "",
            None,
            "without it, which of the control policy attachments apply is unknown",
        );
        return;
    }
    export.warn(
        Diagnostic::warning(
            "no-control-policies",
            format!(
                "`{}` is missing: the account is imported without Resource Directory control policies",
                export.display(&Kind::RdAccount.path(""))
            ),
        )
        .with_help(
            "nothing to do if the account is in no resource directory; otherwise export it again without `--no-control-policies`",
        ),
    );
}

/// The targets whose attachments apply, from the Root down to the account, read from the
/// member's `ResourceDirectoryPath` (`rd-…/r-…/fd-…/<account-id>`; the format of a member's
/// path is UNCONFIRMED, so the account itself is added when the path leaves it out).
fn targets(export: &mut Export, path: &Named, account: Option<&str>) -> Option<Vec<String>> {
    let mut targets = Vec::new();
    for part in path.value.split('/') {
        if part.starts_with("rd-") {
            continue;
        }
        let known = part.starts_with("r-")
            || part.starts_with("fd-")
            || (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        if !known || !layout::is_file_name(part) {
            export.error(located(
                Diagnostic::error(
                    UNEXPECTED_SHAPE,
                    format!(
                        "`{part}` in `ResourceDirectoryPath` is neither the Root (`r-…`), a folder (`fd-…`) nor an account id"
                    ),
                )
                .with_help(super::export::expected_output(Kind::RdAccount)),
                &path.at,
            ));
            return None;
        }
        targets.push(part.to_string());
    }
    if let Some(account) = account
        && !targets.iter().any(|t| t == account)
    {
        targets.push(account.to_string());
    }
    Some(targets)
}
