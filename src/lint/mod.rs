//! Policy findings for `ramguard check`: RAM's validator errors, security warnings, warnings
//! and suggestions, each with a stable code, a severity, a span and a fix.
//!
//! The parser's errors are the error findings ([`crate::policy::ParseErrorKind::code`]); the
//! checks here run on a policy that parsed. Every code is defined once in [`RULES`].
//!
//! # Example
//! ```
//! use ramguard::lint::{DocumentKind, lint_source};
//! use ramguard::span::Source;
//! use ramguard::value::Timestamp;
//!
//! let source = Source::new(
//!     "p.json",
//!     r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:*", "Resource": "*"}]}"#,
//! );
//! let findings = lint_source("p", source, DocumentKind::Policy, &Timestamp::now());
//! assert_eq!(findings[0].code(), "restore-on-every-instance");
//! ```

mod analysis;
#[cfg(feature = "cli")]
mod config;
mod document;
pub(crate) mod names;
#[cfg(feature = "cli")]
mod run;
mod security;
mod statements;
pub(crate) mod subsume;
mod values;
mod vocabulary;

pub use crate::rules::{RULES, Rule, RuleDoc, Severity, rule};
#[cfg(feature = "cli")]
pub use config::{CONFIG_FILE, Config, ConfigError, Suppression};
#[cfg(feature = "cli")]
pub use run::{
    CheckOptions, CheckRun, FileOutcome, FileStatus, RunError, SeverityCounts, Suppressed,
};

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::policy::{InvalidPolicy, MAX_POLICY_CHARS, MAX_SESSION_POLICY_CHARS, Policy, Statement};
use crate::span::{Source, Span};
use crate::value::Timestamp;

/// A finding: a [`Diagnostic`] of a lint [`Rule`], located in a policy, with the statement it
/// is in when it is in one.
pub type Finding = Diagnostic;

/// How a document is used, which decides its size limit and which grants matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DocumentKind {
    /// A custom policy attached to users, groups or roles.
    #[default]
    Policy,
    /// A Resource Directory control policy: its `Allow` statements bound what identity
    /// policies may grant rather than grant anything, so warnings about broad grants are
    /// not given for it.
    Control,
    /// An STS session policy, with RAM's smaller size limit.
    Session,
}

impl DocumentKind {
    /// The most characters RAM accepts in such a document.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::DocumentKind;
    /// use ramguard::policy::{MAX_POLICY_CHARS, MAX_SESSION_POLICY_CHARS};
    ///
    /// assert_eq!(DocumentKind::Policy.max_chars(), 6_144);
    /// assert_eq!(DocumentKind::Control.max_chars(), MAX_POLICY_CHARS);
    /// assert_eq!(DocumentKind::Session.max_chars(), MAX_SESSION_POLICY_CHARS);
    /// ```
    pub fn max_chars(self) -> usize {
        match self {
            DocumentKind::Policy | DocumentKind::Control => MAX_POLICY_CHARS,
            DocumentKind::Session => MAX_SESSION_POLICY_CHARS,
        }
    }
}

/// Checks one document: parses it (every parse error is an error finding), then runs every
/// check on the policy, as of `now` (a grant that ran out before it is reported). Findings come
/// in document order.
///
/// # Example
/// ```
/// use ramguard::lint::{DocumentKind, Severity, lint_source};
/// use ramguard::span::Source;
/// use ramguard::value::Timestamp;
///
/// let now = Timestamp::parse_rfc3339("2026-01-31T08:00:00Z")?;
/// let policy = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance",
///   "Resource": "acs:kvstore:*:*:instance/r-bp1*",
///   "Condition": {"DateLessThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}}]}"#;
/// let findings = lint_source("p", Source::new("p.json", policy), DocumentKind::Policy, &now);
/// let found: Vec<(&str, Severity)> = findings.iter().map(|f| (f.code(), f.severity)).collect();
/// assert_eq!(
///     found,
///     [
///         ("restore-on-every-instance", Severity::SecurityWarning),
///         ("expired-grant", Severity::Warning),
///     ]
/// );
/// // A control policy's `Allow` bounds rather than grants: no broad-grant warning.
/// let control = lint_source("p", Source::new("p.json", policy), DocumentKind::Control, &now);
/// assert_eq!(control.iter().map(|f| f.code()).collect::<Vec<_>>(), ["expired-grant"]);
///
/// // A document that does not parse: its parse errors are the findings.
/// let broken = lint_source("p", Source::new("p.json", r#"{"Version": "1"}"#), DocumentKind::Policy, &now);
/// assert_eq!((broken[0].code(), broken[0].message.as_str()), ("missing-policy-element", "the document has no `Statement`"));
/// # Ok::<(), ramguard::value::ValueError>(())
/// ```
pub fn lint_source(
    default_name: &str,
    source: Arc<Source>,
    kind: DocumentKind,
    now: &Timestamp,
) -> Vec<Finding> {
    match Policy::parse(default_name.to_string(), source) {
        Ok(policy) => lint_policy(&policy, kind, now),
        Err(invalid) => parse_findings(&invalid, kind),
    }
}

/// Checks a policy that parsed, as of `now`.
///
/// # Example
/// ```
/// use ramguard::Policy;
/// use ramguard::lint::{DocumentKind, lint_policy};
/// use ramguard::value::Timestamp;
///
/// let policy = Policy::load("system:AliyunKvstoreFullAccess")?;
/// let findings = lint_policy(&policy, DocumentKind::Policy, &Timestamp::now());
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].code(), "restore-on-every-instance");
/// assert_eq!(
///     findings[0].message,
///     "this `Allow` grants `kvstore:RestoreInstance` (through `kvstore:*`) on every instance (`*`) \
///      without an MFA or source-IP/VPC condition"
/// );
/// assert_eq!(findings[0].start().map(|p| p.to_string()).as_deref(), Some("5:17"));
/// # Ok::<(), ramguard::policy::LoadError>(())
/// ```
pub fn lint_policy(policy: &Policy, kind: DocumentKind, now: &Timestamp) -> Vec<Finding> {
    let mut sink = Sink::new(policy.source());
    document::check(policy, kind, &mut sink);
    // Security findings come first: a span they explain is not reported again as a plainer
    // warning (a `Deny` on `r-kvstore:RestoreInstance` is one mistake, not two).
    let explained = security::check(policy, kind, &mut sink);
    vocabulary::check(policy, &explained, &mut sink);
    statements::check(policy, &explained, &mut sink);
    values::check(policy, now, &mut sink);
    sink.into_sorted()
}

/// The parser's errors as findings, plus the size check, which holds for broken documents too.
fn parse_findings(invalid: &InvalidPolicy, kind: DocumentKind) -> Vec<Finding> {
    let mut sink = Sink::new(&invalid.source);
    document::check_size(&invalid.source, kind, &mut sink);
    sink.findings.extend(invalid.diagnostics());
    sink.into_sorted()
}

/// Collects the findings of one document.
pub(crate) struct Sink {
    source: Arc<Source>,
    findings: Vec<Finding>,
}

impl Sink {
    fn new(source: &Arc<Source>) -> Sink {
        Sink {
            source: source.clone(),
            findings: Vec::new(),
        }
    }

    /// Records a finding of `rule` in statement `at` (index and statement), if any.
    pub(crate) fn push(
        &mut self,
        rule: &'static Rule,
        at: Option<(usize, &Statement)>,
        span: Span,
        message: String,
        help: impl Into<String>,
    ) {
        let mut finding = Diagnostic::of_rule(rule, message)
            .with_help(help)
            .at(&self.source, span);
        if let Some((index, statement)) = at {
            finding = finding.in_statement(index, statement.sid.as_ref().map(|s| s.value.clone()));
        }
        self.findings.push(finding);
    }

    fn into_sorted(mut self) -> Vec<Finding> {
        let start = |f: &Finding| f.location.as_ref().map_or(0, |l| l.span.start);
        self.findings.sort_by(|a, b| {
            (start(a), a.severity, a.code()).cmp(&(start(b), b.severity, b.code()))
        });
        self.findings
    }
}

#[cfg(test)]
mod tests;
