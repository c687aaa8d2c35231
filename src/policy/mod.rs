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
    statements: Vec<Statement>,
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
    pub fn parse(default_name: String, source: Arc<Source>) -> Result<Policy, InvalidPolicy> {
        parse::parse_policy(default_name, source)
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the policy (an account file names its policies).
    pub fn with_name(mut self, name: impl Into<String>) -> Policy {
        self.name = name.into();
        self
    }

    /// The source the policy was read from.
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Where `Statement` was written as a bare object instead of an array, if it was.
    pub(crate) fn bare_statement(&self) -> Option<Span> {
        self.bare_statement
    }
}
