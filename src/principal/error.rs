//! Errors in account files and in principal names, each with a stable code and a fix.

use std::fmt;
use std::sync::Arc;

use crate::diagnostic::{self, Diagnostic};
use crate::policy::InvalidPolicy;
use crate::source::SourceError;
use crate::span::{Source, Span};

/// Why an account file is invalid. The [`code`](AccountErrorKind::code) is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountErrorKind {
    /// The text is not JSON.
    #[error("invalid JSON: {message}")]
    InvalidJson {
        /// What the reader expected and found.
        message: String,
    },
    /// A JSON value of the wrong type.
    #[error("`{element}` must be {expected}, found {found}")]
    TypeMismatch {
        /// The element, as a path such as `users.alice.groups`.
        element: String,
        /// What it must be.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A member that has no place there.
    #[error("unknown member `{name}` in {context}")]
    UnknownMember {
        /// The member name.
        name: String,
        /// Where, such as `the account` or `user `alice``.
        context: String,
        /// The valid member names there.
        expected: &'static [&'static str],
    },
    /// A required member is absent.
    #[error("{context} has no `{member}`")]
    MissingMember {
        /// The member's name.
        member: &'static str,
        /// Where.
        context: String,
    },
    /// An object names the same member twice.
    #[error("duplicate member `{name}`")]
    DuplicateMember {
        /// The name.
        name: String,
    },
    /// A list names the same thing twice.
    #[error("`{name}` is listed twice in `{element}`")]
    DuplicateReference {
        /// The name.
        name: String,
        /// The list.
        element: String,
    },
    /// An empty string where a name or path is needed.
    #[error("`{element}` must not be an empty string")]
    Empty {
        /// The element.
        element: String,
    },
    /// `account_id` is not an Alibaba Cloud account id.
    #[error("`account_id` must be the account's numeric id, found `{found}`")]
    InvalidAccountId {
        /// The value written.
        found: String,
    },
    /// A policy definition with both or neither of `path` and `document`.
    #[error("policy `{name}` must have exactly one of `path` and `document`")]
    PolicyDefinition {
        /// The policy's name.
        name: String,
    },
    /// A custom policy named like a built-in system policy.
    #[error("`{name}` is a built-in system policy and cannot be redefined")]
    SystemPolicyRedefined {
        /// The name.
        name: String,
    },
    /// A policy file that cannot be read.
    #[error("policy `{name}`: {message}")]
    PolicyUnreadable {
        /// The policy's name.
        name: String,
        /// Why it cannot be read.
        message: String,
    },
    /// A reference to a policy the account does not define.
    #[error("unknown policy `{name}`")]
    UnknownPolicy {
        /// The name referenced.
        name: String,
        /// The names the account defines (system policies excluded).
        known: Vec<String>,
    },
    /// A reference to a group the account does not define.
    #[error("unknown group `{name}`")]
    UnknownGroup {
        /// The name referenced.
        name: String,
        /// The groups the account defines.
        known: Vec<String>,
    },
    /// A reference to a resource group the account does not define.
    #[error("unknown resource group `{name}`")]
    UnknownResourceGroup {
        /// The name referenced.
        name: String,
        /// The resource groups the account defines.
        known: Vec<String>,
    },
    /// A RAM system policy listed as a Resource Directory control policy.
    #[error("`{name}` is a RAM system policy, not a control policy")]
    NotAControlPolicy {
        /// The name.
        name: String,
    },
    /// A Resource Directory system control policy attached to a user, group or role.
    #[error("`{name}` is a Resource Directory control policy, not a RAM policy")]
    NotAnIdentityPolicy {
        /// The name.
        name: String,
    },
    /// A resource group member that is not a concrete ARN.
    #[error("invalid resource `{found}` in resource group `{group}`: {reason}")]
    InvalidResource {
        /// The resource group.
        group: String,
        /// The value written.
        found: String,
        /// Why it is refused.
        reason: String,
    },
}

impl AccountErrorKind {
    /// The stable code of this kind of error and one line saying how to fix it: both written
    /// once per variant.
    pub(crate) fn describe(&self) -> (&'static str, String) {
        match self {
            AccountErrorKind::InvalidJson { .. } => (
                "invalid-json",
                "fix the JSON syntax at this position".into(),
            ),
            AccountErrorKind::TypeMismatch {
                element, expected, ..
            } => (
                "data-type-mismatch",
                format!("write `{element}` as {expected}"),
            ),
            AccountErrorKind::UnknownMember { expected, .. } => (
                "unknown-member",
                format!("remove it; valid here: {}", backticked(expected)),
            ),
            AccountErrorKind::MissingMember { member, .. } => (
                "missing-member",
                match *member {
                    "account_id" => "add `\"account_id\": \"1234567890123456\"`".into(),
                    "name" => "add `\"name\"`: the policy to attach".into(),
                    other => format!("add `{other}`"),
                },
            ),
            AccountErrorKind::DuplicateMember { .. } => (
                "duplicate-member",
                "remove one of the two: readers disagree on which one counts".into(),
            ),
            AccountErrorKind::DuplicateReference { .. } => {
                ("duplicate-reference", "list it once".into())
            }
            AccountErrorKind::Empty { .. } => ("empty-value", "write a name".into()),
            AccountErrorKind::InvalidAccountId { .. } => (
                "invalid-account-id",
                "write the account id as a string of digits, e.g. `\"1234567890123456\"`".into(),
            ),
            AccountErrorKind::PolicyDefinition { .. } => (
                "invalid-policy-definition",
                "write `{\"path\": \"file.json\"}` (relative to the account file) or `{\"document\": {…}}`".into(),
            ),
            AccountErrorKind::SystemPolicyRedefined { .. } => (
                "system-policy-redefined",
                "rename the custom policy, remove its definition to use ramguard's copy of the system policy, or mark it `\"type\": \"System\"` to use this copy".into(),
            ),
            AccountErrorKind::PolicyUnreadable { .. } => (
                "policy-unreadable",
                "check the path: it is relative to the account file".into(),
            ),
            AccountErrorKind::UnknownPolicy { known, .. } => (
                "unknown-policy",
                format!(
                    "define it under `policies`, or name one of: {}",
                    names_or_none(&known.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            ),
            AccountErrorKind::UnknownGroup { known, .. } => (
                "unknown-group",
                format!(
                    "define it under `groups`, or name one of: {}",
                    names_or_none(&known.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            ),
            AccountErrorKind::UnknownResourceGroup { known, .. } => (
                "unknown-resource-group",
                format!(
                    "define it under `resource_groups`, or name one of: {}",
                    names_or_none(&known.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            ),
            AccountErrorKind::NotAControlPolicy { .. } => (
                "not-a-control-policy",
                "list only `FullAliyunAccess` and policies defined under `policies` as control policies".into(),
            ),
            AccountErrorKind::NotAnIdentityPolicy { .. } => (
                "not-an-identity-policy",
                "list it under `control_policies`: Resource Directory attaches it to folders and accounts".into(),
            ),
            AccountErrorKind::InvalidResource { .. } => (
                "invalid-resource",
                "write the resource's ARN, e.g. `acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01`".into(),
            ),
        }
    }

    /// The stable code of this kind of error.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    /// use ramguard::span::Source;
    ///
    /// let text = r#"{"account_id": "1234567890123456", "users": {"alice": {"groups": ["dba"]}}}"#;
    /// let invalid = Account::parse(Source::new("account.json", text), "".as_ref()).unwrap_err();
    /// assert_eq!(invalid.issues[0].kind.code(), "unknown-group");
    /// ```
    pub fn code(&self) -> &'static str {
        self.describe().0
    }

    /// One line saying how to fix it.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    /// use ramguard::span::Source;
    ///
    /// let text = r#"{"account_id": "1234567890123456", "users": {"alice": {"groups": ["dba"]}}}"#;
    /// let invalid = Account::parse(Source::new("account.json", text), "".as_ref()).unwrap_err();
    /// assert_eq!(invalid.issues[0].kind.help(), "define it under `groups`, or name one of: (none defined)");
    /// ```
    pub fn help(&self) -> String {
        self.describe().1
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn names_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "(none defined)".into()
    } else {
        backticked(names)
    }
}

/// One invalid thing in an account file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountIssue {
    /// What is wrong.
    pub kind: AccountErrorKind,
    /// Where, in the account file.
    pub span: Span,
}

/// Everything wrong with an account file: its own errors, and those of the policy documents it
/// defines or names (never both lists empty).
#[derive(Debug, Clone)]
pub struct InvalidAccount {
    /// The account file, for positions.
    pub source: Arc<Source>,
    /// Errors in the account file itself, in file order.
    pub issues: Vec<AccountIssue>,
    /// Policy documents that are invalid, each with its own located errors.
    pub policies: Vec<InvalidPolicy>,
}

impl AccountIssue {
    /// The issue as a diagnostic located in the account file.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    /// use ramguard::span::Source;
    ///
    /// let text = "{\"account_id\": \"1234567890123456\",\n \"users\": {\"alice\": {\"groups\": [\"dba\"]}}}";
    /// let invalid = Account::parse(Source::new("account.json", text), "".as_ref()).unwrap_err();
    /// let diagnostic = invalid.issues[0].diagnostic(&invalid.source);
    /// assert_eq!(diagnostic.message, "unknown group `dba`");
    /// assert_eq!((diagnostic.file(), diagnostic.start().map(|p| (p.line, p.column))), (Some("account.json"), Some((2, 33))));
    /// ```
    pub fn diagnostic(&self, source: &Arc<Source>) -> Diagnostic {
        let (code, help) = self.kind.describe();
        Diagnostic::error(code, self.kind.to_string())
            .with_help(help)
            .at(source, self.span)
    }
}

impl InvalidAccount {
    /// Every error as a diagnostic: the account file's own, then each invalid policy's.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    /// use ramguard::span::Source;
    ///
    /// let text = r#"{"account_id": "1234567890123456",
    ///   "policies": {"Dba": {"document": {"Version": "1", "Statement": [{"Effect": "allow", "Action": "kvstore:*", "Resource": "*"}]}}},
    ///   "users": {"alice": {"groups": ["dba"], "policies": [{"name": "Dba"}]}}}"#;
    /// let invalid = Account::parse(Source::new("account.json", text), "".as_ref()).unwrap_err();
    /// let codes: Vec<&str> = invalid.diagnostics().iter().map(|d| d.code()).collect();
    /// assert_eq!(codes, ["unknown-group", "invalid-effect"]);
    /// ```
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let own = self.issues.iter().map(|i| i.diagnostic(&self.source));
        own.chain(self.policies.iter().flat_map(InvalidPolicy::diagnostics))
            .collect()
    }
}

impl fmt::Display for InvalidAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        diagnostic::write_all(f, &self.diagnostics())
    }
}

impl std::error::Error for InvalidAccount {}

/// An account file that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The file could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The file, or a policy it defines, is invalid.
    #[error(transparent)]
    Invalid(#[from] Box<InvalidAccount>),
}

impl AccountError {
    /// `invalid-account`, or the file error's own code (`unreadable-file`, …); each diagnostic
    /// has its own code.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::Account;
    ///
    /// let error = Account::from_path("no-such-account.json").unwrap_err();
    /// assert_eq!(error.code(), "unreadable-file");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            AccountError::Source(e) => e.code(),
            AccountError::Invalid(_) => "invalid-account",
        }
    }

    /// Every error, located, with its fix.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{Account, AccountError};
    /// use ramguard::span::Source;
    ///
    /// let text = r#"{"account_id": "1234567890123456", "users": {"bob": {"groups": ["dba"]}}}"#;
    /// let invalid = Account::parse(Source::new("account.json", text), "".as_ref()).unwrap_err();
    /// let error = AccountError::Invalid(Box::new(invalid));
    /// let codes: Vec<&str> = error.diagnostics().iter().map(|d| d.code()).collect();
    /// assert_eq!(codes, ["unknown-group"]);
    /// ```
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            AccountError::Source(e) => vec![e.diagnostic()],
            AccountError::Invalid(invalid) => invalid.diagnostics(),
        }
    }
}

impl serde::Serialize for AccountError {
    /// As `{"code", "message", "diagnostics"}`: the kind, one line, and every error in
    /// [`Diagnostic`]'s JSON shape.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let diagnostics = self.diagnostics();
        let message = match self {
            AccountError::Source(e) => e.to_string(),
            AccountError::Invalid(invalid) => format!(
                "the account file `{}` is invalid: {} error{}",
                invalid.source.name(),
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" }
            ),
        };
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &message)?;
        map.serialize_entry("diagnostics", &diagnostics)?;
        map.end()
    }
}

/// A principal that cannot be named or found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrincipalError {
    /// Not `user/NAME` or `role/NAME`.
    #[error("expected `user/NAME` or `role/NAME`, found `{found}`")]
    Syntax {
        /// What was given.
        found: String,
    },
    /// The account has no such user or role.
    #[error("the account has no {kind} `{name}`")]
    Unknown {
        /// `user` or `role`.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The names of that kind the account defines.
        known: Vec<String>,
    },
    /// The principal's policies could not be compiled together.
    #[error("the policies of `{principal}` cannot be used: {reason}")]
    Unusable {
        /// `user/NAME` or `role/NAME`.
        principal: String,
        /// Why.
        reason: String,
    },
}

impl PrincipalError {
    /// The stable code and one line saying how to fix it.
    pub(crate) fn describe(&self) -> (&'static str, String) {
        match self {
            PrincipalError::Syntax { .. } => (
                "invalid-principal",
                "write `user/NAME` or `role/NAME`, e.g. `user/alice` or `role/restore-bot`".into(),
            ),
            PrincipalError::Unusable { .. } => (
                "unusable-principal",
                "fix the policies attached to the principal".into(),
            ),
            PrincipalError::Unknown { kind, known, .. } => (
                "unknown-principal",
                format!(
                    "{kind}s in the account: {}",
                    names_or_none(&known.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            ),
        }
    }

    /// The stable code of this kind of error: `invalid-principal`, `unknown-principal` or
    /// `unusable-principal`.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::PrincipalRef;
    ///
    /// assert_eq!(PrincipalRef::parse("alice").unwrap_err().code(), "invalid-principal");
    /// ```
    pub fn code(&self) -> &'static str {
        self.describe().0
    }

    /// One line saying how to fix it.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{Account, PrincipalRef};
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let error = account.policy_set(&PrincipalRef::parse("role/admin")?).unwrap_err();
    /// assert_eq!(error.help(), "roles in the account: `restore-bot`, `kvstore-admin`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn help(&self) -> String {
        self.describe().1
    }

    /// The error as a diagnostic.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::PrincipalRef;
    ///
    /// let error = PrincipalRef::parse("alice").unwrap_err();
    /// assert_eq!(
    ///     error.diagnostic().to_string(),
    ///     "error[invalid-principal]: expected `user/NAME` or `role/NAME`, found `alice`\n  = help: write `user/NAME` or `role/NAME`, e.g. `user/alice` or `role/restore-bot`"
    /// );
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        let (code, help) = self.describe();
        Diagnostic::error(code, self.to_string()).with_help(help)
    }
}

impl serde::Serialize for PrincipalError {
    /// As its [`PrincipalError::diagnostic`].
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.diagnostic().serialize(serializer)
    }
}
