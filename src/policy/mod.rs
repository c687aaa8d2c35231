//! Policy documents: the typed form of a RAM policy, read strictly from JSON with every error
//! located.

mod envelope;
mod error;
mod parse;
pub mod system;

pub use crate::condition::{
    BaseOperator, Comparison, Condition, ConditionValue, ConditionValueError, Family, OPERATORS,
    Operator, OperatorError, SetQualifier,
};
pub use crate::source::SourceError;
pub use error::{InvalidPolicy, LoadError, ParseError, ParseErrorKind};

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::source;
use crate::span::{Source, Span, Spanned};

/// RAM's size limit for a custom policy and a control policy, in characters.
pub const MAX_POLICY_CHARS: usize = 6_144;

/// RAM's size limit for an STS session policy, in characters.
pub const MAX_SESSION_POLICY_CHARS: usize = 1_024;

/// A parsed, valid policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    name: String,
    source: Arc<Source>,
    // Shared: a policy attached to many principals of an account is held once.
    statements: Arc<[Statement]>,
    bare_statement: Option<Span>,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement forbids, whatever else allows.
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The `Sid` label, if any.
    pub sid: Option<Spanned<String>>,
    /// `Allow` or `Deny`.
    pub effect: Spanned<Effect>,
    /// `Action` or `NotAction`.
    pub action: NameList,
    /// `Resource` or `NotResource`.
    pub resource: NameList,
    /// Every condition (one per operator and key); all must hold. Empty without `Condition`.
    pub conditions: Vec<Condition>,
    /// The span of the `Condition` member's value, if present.
    pub condition_span: Option<Span>,
    /// The whole statement object.
    pub span: Span,
}

/// The patterns of an `Action`/`NotAction` or `Resource`/`NotResource` member.
#[derive(Debug, Clone, PartialEq)]
pub struct NameList {
    /// Whether the member is the negated form (`NotAction`, `NotResource`).
    pub negated: bool,
    /// The patterns, as written (a single string is a one-element list).
    pub patterns: Vec<Spanned<String>>,
    /// The span of the member name.
    pub name_span: Span,
}

impl NameList {
    /// The member name: `Action`, `NotAction`, `Resource` or `NotResource`.
    pub(crate) fn member_name(&self, positive: &'static str) -> String {
        if self.negated {
            format!("Not{positive}")
        } else {
            positive.to_string()
        }
    }
}

impl Policy {
    /// Reads and parses a policy file (or stdin for `-`), unwrapping API responses. The policy
    /// is named after the response's `PolicyName`, else the file's stem.
    ///
    /// # Errors
    /// The file cannot be read, or the document is invalid (all errors, each located).
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::{LoadError, Policy, SourceError};
    ///
    /// let policy = Policy::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/dba-restore.json"))?;
    /// assert_eq!(policy.name(), "dba-restore");
    /// assert_eq!(policy.statements().len(), 3);
    ///
    /// let missing = Policy::from_path("policies/no-such-policy.json").unwrap_err();
    /// assert!(matches!(missing, LoadError::Source(SourceError::Io { .. })));
    /// assert_eq!(missing.help(), "check the path: it is relative to the current directory");
    /// # Ok::<(), LoadError>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let source = source::read_source(path)?;
        let stem = match path.file_stem() {
            Some(stem) if path.as_os_str() != "-" => stem.to_string_lossy().into_owned(),
            _ => "stdin".to_string(),
        };
        Ok(Policy::parse(stem, source).map_err(Box::new)?)
    }

    /// Loads what a command line or a decision test names as a policy: a file, `-` for stdin,
    /// or `system:NAME` for a built-in system policy such as `system:FullAliyunAccess`.
    ///
    /// # Errors
    /// As [`Policy::from_path`], or a `system:` name that is not built in.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    ///
    /// let full = Policy::load("system:FullAliyunAccess")?;
    /// assert_eq!((full.name(), full.source().name()), ("FullAliyunAccess", "system:FullAliyunAccess"));
    /// assert!(Policy::load("system:FullAliyunAcess").is_err());
    /// # Ok::<(), ramguard::policy::LoadError>(())
    /// ```
    pub fn load(reference: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let reference = reference.as_ref();
        let system = reference
            .to_str()
            .and_then(|text| text.strip_prefix(crate::policy::system::REFERENCE_PREFIX));
        match system {
            Some(name) => match crate::policy::system::get(name) {
                Some(policy) => Ok(policy?),
                None => Err(LoadError::UnknownSystemPolicy {
                    name: name.to_string(),
                }),
            },
            None => Policy::from_path(reference),
        }
    }

    /// Parses a document held in memory, named `name` both as policy and as source.
    ///
    /// # Errors
    /// Every error in the document, each located.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    ///
    /// let invalid = Policy::from_text("p", r#"{"Version": "1", "Statement": [
    ///   {"Effect": "allow", "Action": "kvstore", "Resource": "*"}]}"#).unwrap_err();
    /// let codes: Vec<&str> = invalid.errors.iter().map(|e| e.kind.code()).collect();
    /// assert_eq!(codes, ["invalid-effect", "invalid-action-format"]);
    /// assert_eq!(invalid.source.position(invalid.errors[0].span.start).to_string(), "2:14");
    /// ```
    pub fn from_text(name: &str, text: &str) -> Result<Policy, Box<InvalidPolicy>> {
        Policy::parse(name.to_string(), Source::new(name, text)).map_err(Box::new)
    }

    /// Parses a source; `default_name` names the policy unless an API response names it.
    ///
    /// # Errors
    /// Every error in the document, each located.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    /// use ramguard::span::Source;
    ///
    /// // A `GetPolicy` response: the policy is named after its `PolicyName`, and positions refer
    /// // to the document inside `DefaultPolicyVersion.PolicyDocument`.
    /// let response = r#"{
    ///   "Policy": {"PolicyName": "DbaRestore", "PolicyType": "Custom", "DefaultVersion": "v1"},
    ///   "DefaultPolicyVersion": {"VersionId": "v1", "IsDefaultVersion": true,
    ///     "PolicyDocument": "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:instance/r-bp1*\"}]}"}
    /// }"#;
    /// let policy = Policy::parse("get-policy", Source::new("get-policy.json", response))?;
    /// assert_eq!(policy.name(), "DbaRestore");
    /// assert_eq!(policy.source().origin(), Some("DefaultPolicyVersion.PolicyDocument"));
    ///
    /// let plain = Source::new("p.json", r#"{"Version": "1", "Statement": []}"#);
    /// let invalid = Policy::parse("p", plain).unwrap_err();
    /// assert_eq!(invalid.errors[0].kind.code(), "empty-value");
    /// # Ok::<(), ramguard::policy::InvalidPolicy>(())
    /// ```
    pub fn parse(
        default_name: impl Into<String>,
        source: Arc<Source>,
    ) -> Result<Policy, InvalidPolicy> {
        parse::parse_policy(default_name.into(), source)
    }

    /// The policy's name.
    ///
    /// # Example
    /// ```
    /// let policy = ramguard::Policy::load("system:AliyunKvstoreReadOnlyAccess")?;
    /// assert_eq!(policy.name(), "AliyunKvstoreReadOnlyAccess");
    /// # Ok::<(), ramguard::policy::LoadError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the policy (an account file names its policies).
    ///
    /// The source keeps its name: positions are still reported in the file.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    ///
    /// let policy = Policy::from_text("p.json", r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-bp1*"}]}"#)?
    ///     .with_name("StagingRestore");
    /// assert_eq!((policy.name(), policy.source().name()), ("StagingRestore", "p.json"));
    /// # Ok::<(), Box<ramguard::policy::InvalidPolicy>>(())
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Policy {
        self.name = name.into();
        self
    }

    /// The source the policy was read from.
    ///
    /// # Example
    /// ```
    /// let policy = ramguard::Policy::load("system:FullAliyunAccess")?;
    /// assert_eq!(policy.source().name(), "system:FullAliyunAccess");
    /// let first = policy.statements()[0].span.start;
    /// assert_eq!(policy.source().position(first).to_string(), "4:5");
    /// # Ok::<(), ramguard::policy::LoadError>(())
    /// ```
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// Whether `other` holds the very same parsed statements (a clone of this policy, perhaps
    /// renamed), not merely equal ones.
    pub(crate) fn is_same_document(&self, other: &Policy) -> bool {
        Arc::ptr_eq(&self.statements, &other.statements)
    }

    /// The statements, in document order.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    /// use ramguard::policy::Effect;
    ///
    /// let policy = Policy::from_text("p", r#"{"Version": "1", "Statement": [
    ///   {"Sid": "Staging", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-bp1*"},
    ///   {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-*prod*"}]}"#)?;
    /// let effects: Vec<Effect> = policy.statements().iter().map(|s| s.effect.value).collect();
    /// assert_eq!(effects, [Effect::Allow, Effect::Deny]);
    /// assert_eq!(policy.statements()[0].sid.as_ref().map(|s| s.value.as_str()), Some("Staging"));
    /// assert_eq!(policy.statements()[1].resource.patterns[0].value, "acs:kvstore:*:*:instance/r-*prod*");
    /// # Ok::<(), Box<ramguard::policy::InvalidPolicy>>(())
    /// ```
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Where `Statement` was written as a bare object instead of an array, if it was.
    pub(crate) fn bare_statement(&self) -> Option<Span> {
        self.bare_statement
    }
}
