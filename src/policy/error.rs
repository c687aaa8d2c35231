//! Errors that make a policy document invalid, each with a stable code, its span, and a fix.

use std::fmt;
use std::sync::Arc;

use crate::diagnostic::{self, Diagnostic};
use crate::rules::{self, Rule};
use crate::source::SourceError;

use crate::span::{Source, Span};

/// Why a policy document is invalid. The [`code`](ParseErrorKind::code) is stable: `check`
/// reports it, tests and suppressions name it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text is not JSON.
    #[error("invalid JSON: {message}")]
    InvalidJson {
        /// What the reader expected and found.
        message: String,
    },
    /// An API response wrapper holds no usable document.
    #[error("{message}")]
    InvalidResponse {
        /// What is wrong.
        message: String,
    },
    /// An object names the same member twice.
    #[error("duplicate member `{name}`")]
    DuplicateMember {
        /// The name, as written the second time.
        name: String,
        /// The spelling of the first one (differs for condition keys, which ignore case).
        first: String,
    },
    /// A JSON value of the wrong type.
    #[error("{} must be {expected}, found {found}", element_name(element))]
    TypeMismatch {
        /// The element.
        element: String,
        /// What it must be.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A member that has no place there.
    #[error("invalid policy element `{name}` in {context}")]
    UnknownElement {
        /// The member name.
        name: String,
        /// Where: `the document`, `a statement`.
        context: &'static str,
        /// The valid member names there.
        expected: &'static [&'static str],
    },
    /// `Principal` in a policy that is attached to identities.
    #[error(
        "`Principal` is only valid in trust and bucket policies, not in a policy attached to an identity"
    )]
    PrincipalNotAllowed,
    /// A required member is absent.
    #[error("{context} has no `{element}`")]
    MissingElement {
        /// The member's name (or `Action` or `NotAction`).
        element: &'static str,
        /// Where: `the document`, `this statement`.
        context: &'static str,
    },
    /// Both members of an exclusive pair are present.
    #[error("a statement may have `{first}` or `{second}`, not both")]
    ConflictingElements {
        /// The first member.
        first: &'static str,
        /// The second member.
        second: &'static str,
    },
    /// An empty array, object or string.
    #[error("`{element}` must not be an empty {what}")]
    Empty {
        /// The element.
        element: String,
        /// `array`, `object` or `string`.
        what: &'static str,
    },
    /// `Version` is not `"1"`.
    #[error("`Version` must be `\"1\"`, found `{found}`")]
    InvalidVersion {
        /// The value written.
        found: String,
    },
    /// `Effect` is not `Allow` or `Deny`.
    #[error("`Effect` must be `Allow` or `Deny`, found `{found}`")]
    InvalidEffect {
        /// The value written.
        found: String,
    },
    /// An action is not `<ram-code>:<action-name>` or `*`.
    #[error("invalid action `{found}`: expected `<ram-code>:<action-name>` or `*`")]
    InvalidActionFormat {
        /// The action written.
        found: String,
    },
    /// A resource does not start with `acs:` and is not `*`.
    #[error("invalid resource `{found}`: a resource must start with `acs:` or be `*`")]
    InvalidArnPrefix {
        /// The resource written.
        found: String,
    },
    /// An operator outside RAM's documented set.
    #[error("invalid condition operator `{found}`")]
    InvalidConditionOperator {
        /// The operator written.
        found: String,
        /// What to write instead.
        hint: String,
    },
    /// A condition key that is not `<ram-code>:<key>`.
    #[error("invalid condition key `{found}`: expected `<ram-code>:<key>`, e.g. `acs:SourceIp`")]
    InvalidConditionKeyFormat {
        /// The key written.
        found: String,
    },
    /// `Bool` with more than one value for a key.
    #[error("`Bool` takes exactly one value for `{key}`, found {count}")]
    MultipleBooleanValues {
        /// The key.
        key: String,
        /// How many values.
        count: usize,
    },
    /// A condition value that does not parse for its operator.
    #[error("invalid value for `{operator}`: {reason}")]
    InvalidConditionValue {
        /// The operator.
        operator: String,
        /// Why the value is refused.
        reason: String,
    },
    /// The document goes over one of ramguard's limits ([`crate::limits`]).
    #[error("{what} has {found} {unit}, more than ramguard reads ({limit})")]
    LimitExceeded {
        /// What is too large: `the document`, `` `Resource` ``, `this value`.
        what: String,
        /// What is counted: `statements`, `entries`, `values`, `characters`, `bytes`.
        unit: &'static str,
        /// How many there are.
        found: usize,
        /// The most ramguard reads.
        limit: usize,
    },
}

impl ParseErrorKind {
    /// The rule of this kind of error, named after RAM's validator where it has one, and one
    /// line saying how to fix this error: the code and the fix are written once per variant.
    pub(crate) fn describe(&self) -> (&'static Rule, String) {
        match self {
            ParseErrorKind::InvalidJson { .. } => {
                (&rules::INVALID_JSON, "fix the JSON syntax at this position".into())
            }
            ParseErrorKind::InvalidResponse { .. } => (
                &rules::INVALID_POLICY_RESPONSE,
                "give the policy document itself, or a complete GetPolicy / GetPolicyVersion / ListPolicyVersions response".into(),
            ),
            ParseErrorKind::DuplicateMember { first, .. } => (
                &rules::DUPLICATE_MEMBER,
                format!("remove one of the two (`{first}` is already given): parsers disagree on which one counts"),
            ),
            ParseErrorKind::TypeMismatch {
                element, expected, ..
            } => (
                &rules::DATA_TYPE_MISMATCH,
                format!("write `{element}` as {expected}"),
            ),
            ParseErrorKind::UnknownElement { name, expected, .. } => (
                &rules::INVALID_POLICY_ELEMENT,
                match expected.iter().find(|e| e.eq_ignore_ascii_case(name)) {
                    Some(meant) => format!("member names are case-sensitive: write `{meant}`"),
                    None => format!("remove it; valid here: {}", backticked(expected)),
                },
            ),
            ParseErrorKind::PrincipalNotAllowed => (
                &rules::INVALID_POLICY_ELEMENT,
                "remove `Principal`: the principal is whoever the policy is attached to".into(),
            ),
            ParseErrorKind::MissingElement { element, .. } => (
                &rules::MISSING_POLICY_ELEMENT,
                match *element {
                    "Action" => "add `Action` (or `NotAction`) listing the actions, e.g. `\"Action\": \"kvstore:RestoreInstance\"`".into(),
                    "Resource" => "add `Resource` (or `NotResource`), e.g. `\"Resource\": \"acs:kvstore:*:*:instance/*\"`".into(),
                    "Effect" => "add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`".into(),
                    "Version" => "add `\"Version\": \"1\"`".into(),
                    other => format!("add `{other}`"),
                },
            ),
            ParseErrorKind::ConflictingElements { first, second } => (
                &rules::CONFLICTING_POLICY_ELEMENTS,
                format!("keep either `{first}` or `{second}`; split the statement in two if both are meant"),
            ),
            ParseErrorKind::Empty { what, .. } => (
                &rules::EMPTY_VALUE,
                match *what {
                    "string" => "write a value or remove the element".into(),
                    _ => format!("give at least one entry or remove the element; an empty {what} is refused by RAM"),
                },
            ),
            ParseErrorKind::InvalidVersion { .. } => (
                &rules::INVALID_VERSION,
                "write `\"Version\": \"1\"` (a string): it is the only policy language version".into(),
            ),
            ParseErrorKind::InvalidEffect { found } => (
                &rules::INVALID_EFFECT,
                if found.eq_ignore_ascii_case("allow") {
                    "write `Allow`: the value is case-sensitive".into()
                } else if found.eq_ignore_ascii_case("deny") {
                    "write `Deny`: the value is case-sensitive".into()
                } else {
                    "write `Allow` or `Deny`".into()
                },
            ),
            ParseErrorKind::InvalidActionFormat { .. } => (
                &rules::INVALID_ACTION_FORMAT,
                "write the RAM code, one colon, and the action, e.g. `kvstore:RestoreInstance` or `kvstore:Describe*`".into(),
            ),
            ParseErrorKind::InvalidArnPrefix { .. } => (
                &rules::INVALID_ARN_PREFIX,
                "write an ARN like `acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01`, or `*`".into(),
            ),
            ParseErrorKind::InvalidConditionOperator { hint, .. } => {
                (&rules::INVALID_CONDITION_OPERATOR, hint.clone())
            }
            ParseErrorKind::InvalidConditionKeyFormat { .. } => (
                &rules::INVALID_CONDITION_KEY_FORMAT,
                "write the RAM code, a colon and the key name, e.g. `acs:SourceIp` or `acs:MFAPresent`".into(),
            ),
            ParseErrorKind::MultipleBooleanValues { .. } => (
                &rules::INVALID_CONDITION_MULTIPLE_BOOLEAN,
                "give a single `\"true\"` or `\"false\"`".into(),
            ),
            ParseErrorKind::InvalidConditionValue { .. } => (
                &rules::INVALID_CONDITION_VALUE,
                "write a value of the operator's type: a string, a number, an RFC 3339 date-time, `true`/`false`, or an IP address or CIDR".into(),
            ),
            ParseErrorKind::LimitExceeded { unit, .. } => (
                &rules::LIMIT_EXCEEDED,
                match *unit {
                    "characters" => "shorten it, or use a wildcard: RAM accepts no policy longer than 6,144 characters".into(),
                    "entries" | "values" => "use a wildcard pattern, or split the statement: RAM accepts no policy longer than 6,144 characters".into(),
                    _ => "split the document into several policies: RAM accepts no policy longer than 6,144 characters".into(),
                },
            ),
        }
    }

    /// The stable code of this kind of error, its rule's.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::ParseErrorKind;
    ///
    /// let kind = ParseErrorKind::InvalidVersion { found: "2012-10-17".into() };
    /// assert_eq!(kind.code(), "invalid-version");
    /// assert_eq!(ramguard::lint::rule(kind.code()).map(|r| r.code), Some("invalid-version"));
    /// ```
    pub fn code(&self) -> &'static str {
        self.describe().0.code
    }

    /// One line saying how to fix it.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::ParseErrorKind;
    ///
    /// let kind = ParseErrorKind::InvalidEffect { found: "allow".into() };
    /// assert_eq!(kind.to_string(), "`Effect` must be `Allow` or `Deny`, found `allow`");
    /// assert_eq!(kind.help(), "write `Allow`: the value is case-sensitive");
    /// ```
    pub fn help(&self) -> String {
        self.describe().1
    }
}

/// The document itself is named in words; its members are quoted as written.
fn element_name(element: &str) -> String {
    if element == DOCUMENT {
        "the policy document".to_string()
    } else {
        format!("`{element}`")
    }
}

/// How [`ParseErrorKind::TypeMismatch`] names the whole document.
pub(crate) const DOCUMENT: &str = "policy document";

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One invalid thing in a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// Where.
    pub span: Span,
}

impl ParseError {
    /// An error of `kind` at `span`.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::{ParseError, ParseErrorKind};
    /// use ramguard::span::Span;
    ///
    /// let error = ParseError::new(ParseErrorKind::InvalidVersion { found: "2012-10-17".into() }, Span::new(12, 24));
    /// assert_eq!((error.kind.code(), error.span), ("invalid-version", Span::new(12, 24)));
    /// ```
    pub fn new(kind: ParseErrorKind, span: Span) -> ParseError {
        ParseError { kind, span }
    }
}

/// Every error found in one policy document (never an empty list).
#[derive(Debug, Clone)]
pub struct InvalidPolicy {
    /// The document's source, for positions.
    pub source: Arc<Source>,
    /// The errors, in document order.
    pub errors: Vec<ParseError>,
}

impl ParseError {
    /// The error as a diagnostic located in `source`.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::{ParseError, ParseErrorKind};
    /// use ramguard::span::{Source, Span};
    ///
    /// let source = Source::new("p.json", r#"{"Version": "2012-10-17", "Statement": []}"#);
    /// let error = ParseError::new(ParseErrorKind::InvalidVersion { found: "2012-10-17".into() }, Span::new(12, 24));
    /// assert_eq!(
    ///     error.diagnostic(&source).to_string(),
    ///     r#"error[invalid-version]: `Version` must be `"1"`, found `2012-10-17`
    ///  --> p.json:1:13
    ///   |
    /// 1 | {"Version": "2012-10-17", "Statement": []}
    ///   |             ^^^^^^^^^^^^
    ///   = help: write `"Version": "1"` (a string): it is the only policy language version"#
    /// );
    /// ```
    pub fn diagnostic(&self, source: &Arc<Source>) -> Diagnostic {
        let (rule, help) = self.kind.describe();
        Diagnostic::of_rule(rule, self.kind.to_string())
            .with_help(help)
            .at(source, self.span)
    }
}

impl InvalidPolicy {
    /// Every error as a diagnostic, in document order.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    ///
    /// let invalid = Policy::from_text("p.json", r#"{"Version": "1", "Statement": [
    ///   {"Effect": "allow", "Action": "kvstore", "Resource": "*"}]}"#).unwrap_err();
    /// let diagnostics = invalid.diagnostics();
    /// let found: Vec<(&str, String)> = diagnostics
    ///     .iter()
    ///     .map(|d| (d.code(), d.start().unwrap().to_string()))
    ///     .collect();
    /// assert_eq!(found, [("invalid-effect", "2:14".to_string()), ("invalid-action-format", "2:33".to_string())]);
    /// ```
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.errors
            .iter()
            .map(|e| e.diagnostic(&self.source))
            .collect()
    }
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        diagnostic::write_all(f, &self.diagnostics())
    }
}

impl std::error::Error for InvalidPolicy {}

/// A policy that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The document is invalid.
    #[error(transparent)]
    Invalid(#[from] Box<InvalidPolicy>),
    /// `system:NAME` names no built-in system policy.
    #[error("`system:{name}` names no built-in system policy")]
    UnknownSystemPolicy {
        /// The name after `system:`.
        name: String,
    },
}

/// `{"code", "message", "diagnostics"}`, as [`crate::principal::AccountError`] serializes.
impl serde::Serialize for LoadError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let diagnostics = self.diagnostics();
        let message = match self {
            LoadError::Invalid(invalid) => format!(
                "the policy `{}` is invalid: {} error{}",
                invalid.source.name(),
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" }
            ),
            _ => self.to_string(),
        };
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &message)?;
        map.serialize_entry("diagnostics", &diagnostics)?;
        map.end()
    }
}

impl LoadError {
    /// `unreadable-file` (or the file error's own code), `invalid-policy` or
    /// `unknown-system-policy`; each diagnostic has its own code.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    ///
    /// assert_eq!(Policy::load("system:AliyunKvstoreAccess").unwrap_err().code(), "unknown-system-policy");
    /// assert_eq!(Policy::load("no-such-policy.json").unwrap_err().code(), "unreadable-file");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Source(e) => e.code(),
            LoadError::Invalid(_) => "invalid-policy",
            LoadError::UnknownSystemPolicy { .. } => "unknown-system-policy",
        }
    }

    /// Every error, located, with its fix.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    ///
    /// let error = Policy::load("system:AliyunKvstoreAccess").unwrap_err();
    /// let diagnostics = error.diagnostics();
    /// assert_eq!(diagnostics[0].code(), "unknown-system-policy");
    /// assert!(diagnostics[0].help.as_deref().unwrap().starts_with("the built-in system policies are"));
    /// ```
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LoadError::Source(e) => vec![e.diagnostic()],
            LoadError::Invalid(invalid) => invalid.diagnostics(),
            LoadError::UnknownSystemPolicy { .. } => {
                vec![Diagnostic::error(self.code(), self.to_string()).with_help(self.help())]
            }
        }
    }

    /// One line saying how to fix it, for errors that carry no help of their own.
    ///
    /// # Example
    /// ```
    /// use ramguard::Policy;
    ///
    /// let error = Policy::load("system:AliyunKvstoreAccess").unwrap_err();
    /// assert_eq!(error.to_string(), "`system:AliyunKvstoreAccess` names no built-in system policy");
    /// assert_eq!(
    ///     error.help(),
    ///     "the built-in system policies are `system:AliyunKvstoreFullAccess`, \
    ///      `system:AliyunKvstoreReadOnlyAccess`, `system:FullAliyunAccess`"
    /// );
    /// ```
    pub fn help(&self) -> String {
        match self {
            LoadError::Source(e) => e.help().to_string(),
            LoadError::Invalid(_) => "fix the errors above".to_string(),
            LoadError::UnknownSystemPolicy { .. } => {
                let names: Vec<String> = crate::policy::system::names()
                    .map(|n| format!("`system:{n}`"))
                    .collect();
                format!("the built-in system policies are {}", names.join(", "))
            }
        }
    }
}
