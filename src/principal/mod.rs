//! Accounts and principals: a snapshot of a RAM account (users in groups, roles, policies
//! attached at account scope or in the scope of a resource group, Resource Directory control
//! policies) and the [`PolicySet`](crate::PolicySet) of one principal in it.
//!
//! An account file is JSON:
//!
//! ```json
//! {
//!   "account_id": "1234567890123456",
//!   "policies": {
//!     "DbaRestore": {"path": "dba-restore.json"},
//!     "Auditor": {"document": {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:Describe*", "Resource": "*"}]}}
//!   },
//!   "control_policies": [],
//!   "resource_groups": {"rg-prod": ["acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01"]},
//!   "groups": {"dba": {"policies": [{"name": "DbaRestore", "resource_group": "rg-prod"}]}},
//!   "users": {"alice": {"groups": ["dba"], "policies": [{"name": "AliyunKvstoreReadOnlyAccess"}]}},
//!   "roles": {"restore-bot": {"policies": [{"name": "DbaRestore"}]}}
//! }
//! ```
//!
//! Policy paths are relative to the account file; the built-in system policies
//! ([`crate::policy::system`]) may be attached without a definition. A definition may say
//! `"type": "System"` (or `"Custom"`, the default) for another system policy whose document it
//! carries, as `ramguard account import` writes them, so that traces call it a system policy.
//! Every name referenced must be defined. Groups do not nest and nothing else refers back to what refers to it, so the
//! format cannot express a cycle.

mod error;
mod parse;

pub use error::{AccountError, AccountErrorKind, AccountIssue, InvalidAccount, PrincipalError};

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::eval::{EntityType, PolicyInfo, PolicyKind, PolicySetBuilder, Principal, Slot};
use crate::policy::Policy;
use crate::source;
use crate::span::Source;

/// `AuthPrincipalType` of a RAM user.
pub const SUB_USER: &str = "SubUser";

/// `AuthPrincipalType` of a role session.
pub const ASSUMED_ROLE_USER: &str = "AssumedRoleUser";

/// A RAM account, read from an account file. Every reference in it has been checked.
#[derive(Debug, Clone)]
pub struct Account {
    id: String,
    source: Arc<Source>,
    /// Defined policies, then the system policies the account attaches.
    policies: Vec<(String, PolicyEntry)>,
    control_policies: Vec<String>,
    resource_groups: Vec<(String, Vec<String>)>,
    groups: Vec<Entity>,
    users: Vec<User>,
    roles: Vec<Entity>,
    /// The files read: the account file (when read from one), then its policy files.
    files: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
struct PolicyEntry {
    policy: Policy,
    kind: PolicyKind,
}

/// A group or role: its name and attachments.
#[derive(Debug, Clone)]
struct Entity {
    name: String,
    policies: Vec<Attachment>,
}

#[derive(Debug, Clone)]
struct User {
    entity: Entity,
    groups: Vec<String>,
}

/// A policy attached to a user, group or role.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Attachment {
    /// The policy's name.
    policy: String,
    /// The resource group the attachment is scoped to; `None` for account scope.
    resource_group: Option<String>,
}

/// A principal of an account: `user/NAME` or `role/NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PrincipalRef {
    /// A RAM user.
    User(String),
    /// A RAM role, as a role session.
    Role(String),
}

impl PrincipalRef {
    /// Reads `user/NAME` or `role/NAME`.
    ///
    /// # Errors
    /// Anything else, including an empty name.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::PrincipalRef;
    ///
    /// assert_eq!(PrincipalRef::parse("role/restore-bot")?, PrincipalRef::Role("restore-bot".into()));
    /// assert!(PrincipalRef::parse("alice").is_err());
    /// # Ok::<(), ramguard::principal::PrincipalError>(())
    /// ```
    pub fn parse(text: &str) -> Result<PrincipalRef, PrincipalError> {
        match text.split_once('/') {
            Some(("user", name)) if !name.is_empty() => Ok(PrincipalRef::User(name.into())),
            Some(("role", name)) if !name.is_empty() => Ok(PrincipalRef::Role(name.into())),
            _ => Err(PrincipalError::Syntax {
                found: text.to_string(),
            }),
        }
    }

    /// The user or role name.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::PrincipalRef;
    ///
    /// assert_eq!(PrincipalRef::parse("user/alice")?.name(), "alice");
    /// # Ok::<(), ramguard::principal::PrincipalError>(())
    /// ```
    pub fn name(&self) -> &str {
        match self {
            PrincipalRef::User(name) | PrincipalRef::Role(name) => name,
        }
    }

    /// Whether this is a role (a role session), the only principal a session policy applies to.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::PrincipalRef;
    ///
    /// assert!(PrincipalRef::parse("role/restore-bot")?.is_role());
    /// assert!(!PrincipalRef::parse("user/alice")?.is_role());
    /// # Ok::<(), ramguard::principal::PrincipalError>(())
    /// ```
    pub fn is_role(&self) -> bool {
        matches!(self, PrincipalRef::Role(_))
    }

    /// RAM's `AuthPrincipalType`: `SubUser` or `AssumedRoleUser`.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{ASSUMED_ROLE_USER, PrincipalRef, SUB_USER};
    ///
    /// assert_eq!(PrincipalRef::parse("user/alice")?.principal_type(), SUB_USER);
    /// assert_eq!(PrincipalRef::parse("role/restore-bot")?.principal_type(), "AssumedRoleUser");
    /// assert_eq!(ASSUMED_ROLE_USER, "AssumedRoleUser");
    /// # Ok::<(), ramguard::principal::PrincipalError>(())
    /// ```
    pub fn principal_type(&self) -> &'static str {
        match self {
            PrincipalRef::User(_) => SUB_USER,
            PrincipalRef::Role(_) => ASSUMED_ROLE_USER,
        }
    }
}

impl serde::Serialize for PrincipalRef {
    /// As `user/NAME` or `role/NAME`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for PrincipalRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrincipalRef::User(name) => write!(f, "user/{name}"),
            PrincipalRef::Role(name) => write!(f, "role/{name}"),
        }
    }
}

impl Account {
    /// Reads an account file; policy paths in it are relative to its directory.
    ///
    /// # Errors
    /// The file cannot be read, or it or a policy it defines is invalid: every error, each
    /// with its file, line and column.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{Account, AccountError};
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert_eq!(account.id(), "1234567890123456");
    ///
    /// let missing = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/no-such-account.json"));
    /// assert!(matches!(missing, Err(AccountError::Source(_))));
    /// # Ok::<(), AccountError>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Account, AccountError> {
        let path = path.as_ref();
        let source = source::read_account_source(path)?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        let mut account = Account::parse(source, base).map_err(Box::new)?;
        account.files.insert(0, path.to_path_buf());
        Ok(account)
    }

    /// The files the account was read from: the account file (when it was read from one), then
    /// the policy files it names, in order. A change to any of them is a change to the account.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    ///
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json");
    /// let account = Account::from_path(path)?;
    /// let names: Vec<String> = account.files().iter()
    ///     .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
    ///     .collect();
    /// assert_eq!(names, ["account.json", "no-prod-restore.json", "dba-restore.json", "prod-restore.json"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Parses an account file held in `source`; policy paths are resolved against `base`.
    ///
    /// # Errors
    /// Every error in the file and in the policies it defines, each located.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{Account, PrincipalRef};
    /// use ramguard::span::Source;
    /// use ramguard::{Request, Verdict};
    ///
    /// let text = r#"{
    ///   "account_id": "1234567890123456",
    ///   "users": {"alice": {"policies": [{"name": "AliyunKvstoreFullAccess"}]}}
    /// }"#;
    /// let account = Account::parse(Source::new("account.json", text), "".as_ref())?;
    /// let alice = PrincipalRef::parse("user/alice")?;
    /// let set = account.policy_set(&alice)?.build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-1").build()?;
    /// assert_eq!(set.evaluate(&request).verdict, Verdict::Allow);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(source: Arc<Source>, base: &Path) -> Result<Account, InvalidAccount> {
        parse::parse_account(source, base)
    }

    /// The account id (`AuthPrincipalOwnerId`).
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    /// use ramguard::span::Source;
    ///
    /// let account = Account::parse(Source::new("account.json", r#"{"account_id": "1234567890123456"}"#), "".as_ref())?;
    /// assert_eq!(account.id(), "1234567890123456");
    /// # Ok::<(), ramguard::principal::InvalidAccount>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The account file.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    /// use ramguard::span::Source;
    ///
    /// let text = r#"{"account_id": "1234567890123456"}"#;
    /// let account = Account::parse(Source::new("account.json", text), "".as_ref())?;
    /// assert_eq!((account.source().name(), account.source().text()), ("account.json", text));
    /// # Ok::<(), ramguard::principal::InvalidAccount>(())
    /// ```
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// Every user, then every role, in file order.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let names: Vec<String> = account.principals().iter().map(ToString::to_string).collect();
    /// assert_eq!(names, ["user/alice", "user/bob", "user/carol", "role/restore-bot", "role/kvstore-admin"]);
    /// # Ok::<(), ramguard::principal::AccountError>(())
    /// ```
    pub fn principals(&self) -> Vec<PrincipalRef> {
        self.users
            .iter()
            .map(|u| PrincipalRef::User(u.entity.name.clone()))
            .chain(
                self.roles
                    .iter()
                    .map(|r| PrincipalRef::Role(r.name.clone())),
            )
            .collect()
    }

    /// The resources of each resource group, in file order.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let [(name, resources)] = account.resource_groups() else { panic!("one resource group") };
    /// assert_eq!(name, "rg-prod");
    /// assert_eq!(resources, &[
    ///     "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01",
    ///     "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1pay01",
    /// ]);
    /// # Ok::<(), ramguard::principal::AccountError>(())
    /// ```
    pub fn resource_groups(&self) -> &[(String, Vec<String>)] {
        &self.resource_groups
    }

    /// The policies of one principal, in RAM's layers: the account's control policies; a user's
    /// own attachments and its groups' (or a role's own), each at account scope or in its
    /// resource group's scope; the resource groups; and the principal, for
    /// `AccessDeniedDetail`. Add a session policy to the builder for a role session.
    ///
    /// # Errors
    /// The account has no such user or role.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{Account, PrincipalRef};
    /// use ramguard::{PolicyType, Request, Verdict};
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let alice = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// let prod = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01")
    ///     .context("acs:MFAPresent", true)
    ///     .build()?;
    /// // The control policy `NoProdRestore` denies it, whatever alice's own policies say.
    /// let decision = alice.evaluate(&prod);
    /// assert_eq!((decision.verdict, decision.policy_type), (Verdict::ExplicitDeny, PolicyType::ControlPolicy));
    ///
    /// let unknown = account.policy_set(&PrincipalRef::parse("user/dave")?).unwrap_err();
    /// assert_eq!(unknown.to_string(), "the account has no user `dave`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy_set(&self, principal: &PrincipalRef) -> Result<PolicySetBuilder, PrincipalError> {
        let attachments = self.attachments_of(principal)?;
        let mut builder = PolicySetBuilder::default().principal(Principal {
            principal_type: principal.principal_type().into(),
            display_name: principal.name().into(),
            owner_id: self.id.clone(),
        });
        for name in &self.control_policies {
            if let Some(entry) = self.policy(name) {
                builder = builder.add(
                    Slot::Control,
                    entry.policy.clone(),
                    PolicyInfo {
                        kind: entry.kind,
                        attached_to: None,
                        version: None,
                    },
                );
            }
        }
        for (entity_type, entity, attachment) in attachments {
            // Every name was checked when the file was read; a policy that is missing here
            // could only have failed to load, and then the account would not exist.
            let Some(entry) = self.policy(&attachment.policy) else {
                continue;
            };
            let slot = match &attachment.resource_group {
                Some(group) => Slot::ResourceGroupIdentity(group.clone()),
                None => Slot::Identity,
            };
            builder = builder.add(
                slot,
                entry.policy.clone(),
                PolicyInfo {
                    kind: entry.kind,
                    attached_to: Some((entity_type, entity.to_string())),
                    version: None,
                },
            );
        }
        for (group, resources) in &self.resource_groups {
            builder = builder.resource_group(group.clone(), resources.iter().cloned());
        }
        Ok(builder)
    }

    /// The attachments that apply to a principal: a user's own and its groups', or a role's,
    /// each with the type and name of the entity it is attached to.
    fn attachments_of(
        &self,
        principal: &PrincipalRef,
    ) -> Result<Vec<(EntityType, &str, &Attachment)>, PrincipalError> {
        let mut attachments = Vec::new();
        match principal {
            PrincipalRef::User(name) => {
                let user = self
                    .users
                    .iter()
                    .find(|u| &u.entity.name == name)
                    .ok_or_else(|| self.unknown("user", name))?;
                let own = user.entity.policies.iter();
                attachments.extend(own.map(|a| (EntityType::User, user.entity.name.as_str(), a)));
                for group in self.groups.iter().filter(|g| user.groups.contains(&g.name)) {
                    let inherited = group.policies.iter();
                    attachments
                        .extend(inherited.map(|a| (EntityType::Group, group.name.as_str(), a)));
                }
            }
            PrincipalRef::Role(name) => {
                let role = self
                    .roles
                    .iter()
                    .find(|r| &r.name == name)
                    .ok_or_else(|| self.unknown("role", name))?;
                let own = role.policies.iter();
                attachments.extend(own.map(|a| (EntityType::Role, role.name.as_str(), a)));
            }
        }
        Ok(attachments)
    }

    fn policy(&self, name: &str) -> Option<&PolicyEntry> {
        self.policies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, entry)| entry)
    }

    fn unknown(&self, kind: &'static str, name: &str) -> PrincipalError {
        let known = if kind == "user" {
            self.users.iter().map(|u| u.entity.name.clone()).collect()
        } else {
            self.roles.iter().map(|r| r.name.clone()).collect()
        };
        PrincipalError::Unknown {
            kind,
            name: name.to_string(),
            known,
        }
    }
}
