//! Diagnostics: every error, warning and finding ramguard reports, in one shape: a severity, a
//! stable code (a lint [`Rule`] where there is one), a message, a fix, and where it is.
//! [`crate::report::render`] draws them all (their `Display` too).

use std::fmt;
use std::sync::Arc;

pub use crate::json::ShapeError;
pub use crate::rules::{Rule, Severity};
use crate::span::{Position, Source, Span};

/// What went wrong or looks wrong, where, and how to fix it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// The stable code, when it has one.
    pub code: Option<Code>,
    /// What is wrong, in one line: lowercase, user values in backticks.
    pub message: String,
    /// How to fix it, in one line.
    pub help: Option<String>,
    /// Where it is, when it is somewhere in a document.
    pub location: Option<Location>,
    /// For a finding in a policy: the statement's index and `Sid`.
    pub statement: Option<(usize, Option<String>)>,
}

/// A stable code: a lint rule, documented by `ramguard check --explain`, or the code of an error
/// in a request, an account file or another input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// A rule of the lint table.
    Rule(&'static Rule),
    /// The code of an input error or warning.
    Plain(&'static str),
}

impl Code {
    /// The code as reported.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::Code;
    ///
    /// let rule = ramguard::lint::rule("invalid-effect").unwrap();
    /// assert_eq!(Code::Rule(rule).as_str(), "invalid-effect");
    /// assert_eq!(Code::Plain("missing-context").as_str(), "missing-context");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Rule(rule) => rule.code,
            Code::Plain(code) => code,
        }
    }

    /// The lint rule, for a finding.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::{Code, Severity};
    ///
    /// let rule = ramguard::lint::rule("restore-on-every-instance").unwrap();
    /// assert_eq!(Code::Rule(rule).rule().map(|r| r.severity), Some(Severity::SecurityWarning));
    /// assert!(Code::Plain("missing-context").rule().is_none());
    /// ```
    pub fn rule(self) -> Option<&'static Rule> {
        match self {
            Code::Rule(rule) => Some(rule),
            Code::Plain(_) => None,
        }
    }
}

/// A span in a source.
#[derive(Debug, Clone)]
pub struct Location {
    /// The document.
    pub source: Arc<Source>,
    /// The span, in bytes.
    pub span: Span,
}

impl Diagnostic {
    /// A diagnostic of `rule`, with its severity and default help.
    pub(crate) fn of_rule(rule: &'static Rule, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: rule.severity,
            code: Some(Code::Rule(rule)),
            message: message.into(),
            help: Some(rule.help.to_string()),
            location: None,
            statement: None,
        }
    }

    /// An error with a plain code.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::{Diagnostic, Severity};
    ///
    /// let error = Diagnostic::error("unknown-user", "no user `alice` in the account");
    /// assert_eq!((error.severity, error.code()), (Severity::Error, "unknown-user"));
    /// assert_eq!(error.to_string(), "error[unknown-user]: no user `alice` in the account");
    /// ```
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::plain(Severity::Error, Some(code), message)
    }

    /// A warning with a plain code.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::{Diagnostic, Severity};
    ///
    /// let warning = Diagnostic::warning("unused-key", "`acs:SourceVpc` is never compared");
    /// assert_eq!((warning.severity, warning.code()), (Severity::Warning, "unused-key"));
    /// assert!(warning.help.is_none() && warning.location.is_none());
    /// ```
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::plain(Severity::Warning, Some(code), message)
    }

    /// A diagnostic without a rule.
    pub(crate) fn plain(
        severity: Severity,
        code: Option<&'static str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code: code.map(Code::Plain),
            message: message.into(),
            help: None,
            location: None,
            statement: None,
        }
    }

    /// Sets how to fix it.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::Diagnostic;
    ///
    /// let error = Diagnostic::error("unknown-user", "no user `alice` in the account")
    ///     .with_help("add `alice` to `users`");
    /// assert_eq!(
    ///     error.to_string(),
    ///     "error[unknown-user]: no user `alice` in the account\n  = help: add `alice` to `users`"
    /// );
    /// ```
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets where it is.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::Diagnostic;
    /// use ramguard::span::{Source, Span};
    ///
    /// let source = Source::new("p.json", "{\n  \"Effect\": \"allow\"\n}");
    /// let at = source.text().find("\"allow\"").unwrap();
    /// let error = Diagnostic::error("bad-effect", "`Effect` must be `Allow` or `Deny`")
    ///     .at(&source, Span::new(at, at + 7));
    /// assert_eq!(error.file(), Some("p.json"));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "\
    /// error[bad-effect]: `Effect` must be `Allow` or `Deny`
    ///  --> p.json:2:13
    ///   |
    /// 2 |   \"Effect\": \"allow\"
    ///   |             ^^^^^^^"
    /// );
    /// ```
    pub fn at(mut self, source: &Arc<Source>, span: Span) -> Diagnostic {
        self.location = Some(Location {
            source: source.clone(),
            span,
        });
        self
    }

    /// Places it at `span` of `source` when both are known.
    pub(crate) fn at_opt(self, source: Option<&Arc<Source>>, span: Option<Span>) -> Diagnostic {
        match (source, span) {
            (Some(source), Some(span)) => self.at(source, span),
            _ => self,
        }
    }

    /// Records the statement a finding is in.
    pub(crate) fn in_statement(mut self, index: usize, sid: Option<String>) -> Diagnostic {
        self.statement = Some((index, sid));
        self
    }

    /// The code as reported, or `""` when it has none.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::Diagnostic;
    ///
    /// assert_eq!(Diagnostic::error("unknown-user", "no user `alice`").code(), "unknown-user");
    /// ```
    pub fn code(&self) -> &'static str {
        self.code.map_or("", Code::as_str)
    }

    /// The lint rule, for a finding.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{DocumentKind, lint_source};
    /// use ramguard::span::Source;
    /// use ramguard::value::Timestamp;
    ///
    /// let text = r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"},
    ///   {"Sid": "RestoreAll", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}
    /// ]}"#;
    /// let now = Timestamp::parse_rfc3339("2026-01-31T08:00:00Z")?;
    /// let findings = lint_source("p", Source::new("p.json", text), DocumentKind::Policy, &now);
    /// let finding = &findings[1];
    /// assert_eq!(finding.code(), "restore-on-every-instance");
    /// assert_eq!(finding.rule(), ramguard::lint::rule("restore-on-every-instance"));
    /// assert_eq!(ramguard::diagnostic::Diagnostic::error("unknown-user", "no user").rule(), None);
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    pub fn rule(&self) -> Option<&'static Rule> {
        self.code.and_then(Code::rule)
    }

    /// The `Sid` of the statement a finding is in, if it has one.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{DocumentKind, lint_source};
    /// use ramguard::span::Source;
    /// use ramguard::value::Timestamp;
    ///
    /// let text = r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"},
    ///   {"Sid": "RestoreAll", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}
    /// ]}"#;
    /// let now = Timestamp::parse_rfc3339("2026-01-31T08:00:00Z")?;
    /// let findings = lint_source("p", Source::new("p.json", text), DocumentKind::Policy, &now);
    /// let finding = &findings[1];
    /// assert_eq!(finding.code(), "restore-on-every-instance");
    /// assert_eq!(finding.sid(), Some("RestoreAll"));
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    pub fn sid(&self) -> Option<&str> {
        self.statement.as_ref().and_then(|(_, sid)| sid.as_deref())
    }

    /// The index of the statement a finding is in, from 0.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{DocumentKind, lint_source};
    /// use ramguard::span::Source;
    /// use ramguard::value::Timestamp;
    ///
    /// let text = r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"},
    ///   {"Sid": "RestoreAll", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}
    /// ]}"#;
    /// let now = Timestamp::parse_rfc3339("2026-01-31T08:00:00Z")?;
    /// let findings = lint_source("p", Source::new("p.json", text), DocumentKind::Policy, &now);
    /// let finding = &findings[1];
    /// assert_eq!(finding.code(), "restore-on-every-instance");
    /// assert_eq!(finding.statement_index(), Some(1));
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    pub fn statement_index(&self) -> Option<usize> {
        self.statement.as_ref().map(|(index, _)| *index)
    }

    /// The line and column where it starts, when it has a location.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{DocumentKind, lint_source};
    /// use ramguard::span::Source;
    /// use ramguard::value::Timestamp;
    ///
    /// let text = r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"},
    ///   {"Sid": "RestoreAll", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}
    /// ]}"#;
    /// let now = Timestamp::parse_rfc3339("2026-01-31T08:00:00Z")?;
    /// let findings = lint_source("p", Source::new("p.json", text), DocumentKind::Policy, &now);
    /// let finding = &findings[1];
    /// assert_eq!(finding.code(), "restore-on-every-instance");
    /// assert_eq!(finding.start().map(|p| p.to_string()).as_deref(), Some("3:54"));
    /// assert_eq!(ramguard::diagnostic::Diagnostic::error("unknown-user", "no user").start(), None);
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    pub fn start(&self) -> Option<Position> {
        self.location
            .as_ref()
            .map(|l| l.source.position(l.span.start))
    }

    /// The line and column just past its end, when it has a location.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{DocumentKind, lint_source};
    /// use ramguard::span::Source;
    /// use ramguard::value::Timestamp;
    ///
    /// let text = r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"},
    ///   {"Sid": "RestoreAll", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}
    /// ]}"#;
    /// let now = Timestamp::parse_rfc3339("2026-01-31T08:00:00Z")?;
    /// let findings = lint_source("p", Source::new("p.json", text), DocumentKind::Policy, &now);
    /// let finding = &findings[1];
    /// assert_eq!(finding.code(), "restore-on-every-instance");
    /// // `"kvstore:RestoreInstance"`, quotes included, is 25 characters from 3:54.
    /// assert_eq!(finding.end().map(|p| p.to_string()).as_deref(), Some("3:79"));
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    pub fn end(&self) -> Option<Position> {
        self.location
            .as_ref()
            .map(|l| l.source.position(l.span.end))
    }

    /// The name of the file it is in, when it has a location.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{DocumentKind, lint_source};
    /// use ramguard::span::Source;
    /// use ramguard::value::Timestamp;
    ///
    /// let text = r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"},
    ///   {"Sid": "RestoreAll", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}
    /// ]}"#;
    /// let now = Timestamp::parse_rfc3339("2026-01-31T08:00:00Z")?;
    /// let findings = lint_source("p", Source::new("p.json", text), DocumentKind::Policy, &now);
    /// let finding = &findings[1];
    /// assert_eq!(finding.code(), "restore-on-every-instance");
    /// assert_eq!(finding.file(), Some("p.json"));
    /// assert_eq!(ramguard::diagnostic::Diagnostic::error("unknown-user", "no user").file(), None);
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    pub fn file(&self) -> Option<&str> {
        self.location.as_ref().map(|l| l.source.name())
    }
}

/// Renders diagnostics one after the other, a blank line between them, without colour.
/// The JSON shape of a diagnostic, the one `check --format json` prints for a finding and every
/// serialized error uses: `code`, `severity`, `message`, `help`, then `file`, `line`, `column`,
/// `end_line`, `end_column` (1-based; the end just past the span; `null` when the diagnostic
/// has no position), and, where they apply, `origin` (where an embedded document came from),
/// `statement` and `sid`.
///
/// # Example
/// ```
/// use ramguard::principal::PrincipalRef;
///
/// let error = PrincipalRef::parse("alice").unwrap_err();
/// let json = serde_json::to_value(error.diagnostic())?;
/// assert_eq!(json["code"], "invalid-principal");
/// assert_eq!(json["severity"], "error");
/// assert!(json["line"].is_null());
/// # Ok::<(), serde_json::Error>(())
/// ```
impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (start, end) = (self.start(), self.end());
        let origin = self.location.as_ref().and_then(|l| l.source.origin());
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", &self.code.map(Code::as_str))?;
        map.serialize_entry("severity", &self.severity)?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("help", &self.help)?;
        map.serialize_entry("file", &self.file())?;
        if let Some(origin) = origin {
            map.serialize_entry("origin", origin)?;
        }
        map.serialize_entry("line", &start.map(|p| p.line))?;
        map.serialize_entry("column", &start.map(|p| p.column))?;
        map.serialize_entry("end_line", &end.map(|p| p.line))?;
        map.serialize_entry("end_column", &end.map(|p| p.column))?;
        if let Some(index) = self.statement_index() {
            map.serialize_entry("statement", &index)?;
        }
        if let Some(sid) = self.sid() {
            map.serialize_entry("sid", sid)?;
        }
        map.end()
    }
}

pub(crate) fn write_all(f: &mut fmt::Formatter<'_>, diagnostics: &[Diagnostic]) -> fmt::Result {
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            f.write_str("\n\n")?;
        }
        write!(f, "{diagnostic}")?;
    }
    Ok(())
}
