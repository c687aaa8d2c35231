//! An account as the RAM, Resource Manager and Resource Directory APIs describe it (the JSON
//! the aliyun CLI prints, collected by `scripts/export-account.sh`), turned into an account
//! file.
//!
//! The export is a directory with one file per CLI call ([`LAYOUT`]; `docs/account-import.md`
//! lists every field read). The import maps:
//!
//! - users, groups and roles (`ListUsers`, `ListGroups`, `ListRoles`) and each group's members
//!   (`ListUsersForGroup`);
//! - the policies attached to each at account scope (`ListPoliciesForUser`, `…ForGroup`,
//!   `…ForRole`), and those attached in the scope of a resource group (Resource Manager's
//!   `ListPolicyAttachments`, whose `IMSUser` principals are `alice@<domain>.onaliyun.com`);
//! - the default version of every policy attached, written inline (`{"document": {…}}`; a
//!   system policy other than the built-in ones also gets `"type": "System"`);
//! - the resource groups with their resources as ARNs
//!   (`acs:kvstore:<RegionId>:<account>:instance/<ResourceId>` for a kvstore instance);
//! - the Resource Directory control policies attached to the account and to the folders above
//!   it, `FullAliyunAccess` by name.
//!
//! Nothing is dropped quietly. What could make a principal's permissions look other than they
//! are (a file missing, a list cut short, a reference to something the export does not hold,
//! a policy document that is not the default version) is an error, and nothing is written.
//! What cannot is a warning. Every diagnostic names its file, line and column.

mod control;
mod documents;
mod export;
mod identities;
mod layout;
mod policies;
mod resources;
mod response;
mod write;

pub use layout::{ExportFile, LAYOUT};

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use self::export::Export;
use self::layout::Kind;
use crate::diagnostic::{self, Diagnostic};
use crate::limits::MAX_ACCOUNT_BYTES;
use crate::policy::system::FULL_ALIYUN_ACCESS;
use crate::principal::Account;
use crate::span::Source;

/// The name the imported account's source carries in [`ImportedAccount::account`].
const ACCOUNT_FILE: &str = "account.json";

/// An account imported from an export directory.
#[derive(Debug, Clone)]
pub struct ImportedAccount {
    json: String,
    account: Account,
    warnings: Vec<Diagnostic>,
}

impl ImportedAccount {
    /// The account file: JSON, sorted by name, the same for the same export every time.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::account_import::import_account;
    ///
    /// let imported = import_account(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aliyun-export"))?;
    /// assert!(imported.json().starts_with("{\n  \"account_id\": \"1234567890123456\",\n"));
    /// # Ok::<(), ramguard::ingest::account_import::ImportError>(())
    /// ```
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The account file, as text to write.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::account_import::import_account;
    ///
    /// let imported = import_account(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aliyun-export"))?;
    /// let text = imported.clone().into_json();
    /// assert_eq!(text, imported.json());
    /// # Ok::<(), ramguard::ingest::account_import::ImportError>(())
    /// ```
    pub fn into_json(self) -> String {
        self.json
    }

    /// The account file, parsed (its source is named `account.json`): ready to compile with
    /// [`CompiledAccount::compile`](crate::CompiledAccount::compile).
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::account_import::import_account;
    ///
    /// let imported = import_account(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aliyun-export"))?;
    /// let names: Vec<String> = imported.account().principals().iter().map(ToString::to_string).collect();
    /// assert_eq!(names, [
    ///     "user/alice", "user/bob", "user/carol", "user/dave", "user/erin",
    ///     "role/kvstore-admin", "role/ops-bot", "role/restore-bot",
    /// ]);
    /// # Ok::<(), ramguard::ingest::account_import::ImportError>(())
    /// ```
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// What looked wrong without making the import unusable, each located.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::account_import::import_account;
    ///
    /// let imported = import_account(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aliyun-export"))?;
    /// assert!(imported.warnings().is_empty());
    /// # Ok::<(), ramguard::ingest::account_import::ImportError>(())
    /// ```
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

/// An export that cannot be imported: every error, each with its file, line and column, and
/// the warnings found on the way.
#[derive(Debug, Clone)]
pub struct ImportError {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl ImportError {
    /// The errors, sorted by file and position (never empty).
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::account_import::import_account;
    ///
    /// let error = import_account("no-such-export").unwrap_err();
    /// let codes: Vec<&str> = error.errors().iter().map(|d| d.code()).collect();
    /// assert_eq!(codes, ["not-a-directory"]);
    /// ```
    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// The warnings found before the import gave up.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::account_import::import_account;
    ///
    /// assert!(import_account("no-such-export").unwrap_err().warnings().is_empty());
    /// ```
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The errors, then the warnings.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::account_import::import_account;
    ///
    /// let error = import_account("no-such-export").unwrap_err();
    /// let all = error.diagnostics();
    /// assert_eq!(all.len(), 1);
    /// assert_eq!(all[0].message, "`no-such-export` is not a directory");
    /// ```
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.errors.iter().chain(&self.warnings).cloned().collect()
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        diagnostic::write_all(f, &self.diagnostics())
    }
}

impl std::error::Error for ImportError {}

/// Imports the account exported into `dir` by `scripts/export-account.sh`.
///
/// # Errors
/// `dir` is not a directory, or the export cannot be imported without making some principal's
/// permissions look other than they are: every such error, located, with the warnings.
///
/// # Example
/// ```
/// use ramguard::ingest::account_import::import_account;
/// use ramguard::{CompiledAccount, Request};
///
/// let imported = import_account(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/aliyun-export"))?;
/// let account = CompiledAccount::compile(imported.account());
/// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1pay01")
///     .context("acs:MFAPresent", true)
///     .context("acs:SourceIp", "10.1.2.3")
///     .context("acs:SecureTransport", true)
///     .build()?;
/// let allowed: Vec<String> = account.who_can(&request).into_iter()
///     .filter(|a| a.decision.is_allowed())
///     .map(|a| a.principal.to_string())
///     .collect();
/// assert_eq!(allowed, ["user/alice", "user/carol", "user/erin", "role/kvstore-admin"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_account(dir: impl AsRef<Path>) -> Result<ImportedAccount, ImportError> {
    let dir = dir.as_ref();
    let mut export = Export::new(dir);
    if !dir.is_dir() {
        export.error(
            Diagnostic::error(
                "not-a-directory",
                format!("`{}` is not a directory", dir.display()),
            )
            .with_help("give the directory scripts/export-account.sh wrote"),
        );
        return Err(into_error(export));
    }
    let account_id = account_id(&mut export);
    let account = account_id.as_deref();
    let mut ids = identities::read(&mut export);
    let resource_groups = resources::read(&mut export, account);
    identities::scoped(&mut export, &mut ids, &resource_groups, account);
    let control = control::read(&mut export, account);
    let mut control_policies: BTreeSet<String> = control
        .custom
        .iter()
        .map(|(name, _)| name.value.clone())
        .collect();
    if control.full_aliyun_access {
        control_policies.insert(FULL_ALIYUN_ACCESS.to_string());
    }
    let policies = policies::resolve(&mut export, &ids.references, control);
    export.sweep(&ids.broken_kinds());
    let Some(account_id) = account_id.filter(|_| export.errors.is_empty()) else {
        return Err(into_error(export));
    };
    let model = write::Model {
        account_id,
        policies,
        control_policies,
        resource_groups,
        ..write::Model::default()
    };
    let json = with_identities(model, ids).render();
    finish(export, json, dir)
}

/// Adds the users, groups and roles, and what is attached to each.
fn with_identities(mut model: write::Model, ids: identities::Identities) -> write::Model {
    for (name, user) in ids.users {
        model.users.entry(name).or_default().groups = user.groups;
    }
    for name in ids.groups.into_keys() {
        model.groups.entry(name).or_default();
    }
    for name in ids.roles.into_keys() {
        model.roles.entry(name).or_default();
    }
    for reference in ids.references {
        let principals = match reference.holder {
            identities::Holder::User => &mut model.users,
            identities::Holder::Group => &mut model.groups,
            identities::Holder::Role => &mut model.roles,
        };
        principals
            .entry(reference.holder_name)
            .or_default()
            .policies
            .insert(write::Attachment {
                policy: reference.policy.value,
                resource_group: reference.resource_group,
            });
    }
    model
}

/// Reads the account id from `account-id.json` (`GetCallerIdentity`).
fn account_id(export: &mut Export) -> Option<String> {
    let file = export.required(Kind::AccountId, "", None, "the account id is needed")?;
    let before = export.errors.len();
    let root = response::root(export, &file)?;
    if export.errors.len() > before {
        // Two `AccountId`s: neither is compared with anything, so nothing else is reported.
        return None;
    }
    let id = response::required_string(export, &file, &root, "AccountId", "")?;
    if !id.value.bytes().all(|b| b.is_ascii_digit()) {
        export.error(response::located(
            Diagnostic::error(
                "invalid-account-id",
                format!("`{}` is not an Alibaba Cloud account id", id.value),
            )
            .with_help(file.expected()),
            &id.at,
        ));
        return None;
    }
    Some(id.value)
}

/// Checks that the account file loads as every other account file does, and that it is not
/// too large to be read back.
fn finish(mut export: Export, json: String, dir: &Path) -> Result<ImportedAccount, ImportError> {
    if json.len() > MAX_ACCOUNT_BYTES {
        export.error(
            Diagnostic::error(
                "account-too-large",
                format!(
                    "the account file would be {} bytes: ramguard reads account files of up to {MAX_ACCOUNT_BYTES}",
                    json.len()
                ),
            )
            .with_help("the account is too large for one account file; report it"),
        );
        return Err(into_error(export));
    }
    match Account::parse(Source::new(ACCOUNT_FILE, json.clone()), dir) {
        Ok(account) => Ok(ImportedAccount {
            json,
            account,
            warnings: sorted(export.warnings),
        }),
        Err(invalid) => {
            // Everything it reads was checked on the way in; this is ramguard's bug, and it
            // must still not write an account that does not load.
            export.error(
                Diagnostic::error(
                    "internal",
                    "the imported account file does not load: this is a bug in ramguard",
                )
                .with_help("report it with the diagnostics below"),
            );
            export.errors.extend(invalid.diagnostics());
            Err(into_error(export))
        }
    }
}

fn into_error(export: Export) -> ImportError {
    ImportError {
        errors: sorted(export.errors),
        warnings: sorted(export.warnings),
    }
}

/// Diagnostics by file and position; those without a position first, in the order found.
fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.file().map(str::to_string),
                d.location
                    .as_ref()
                    .map(|l| (l.source.origin().is_some(), l.span.start)),
            )
        };
        key(a).cmp(&key(b))
    });
    diagnostics
}
