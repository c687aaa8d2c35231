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
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Rule(rule) => rule.code,
            Code::Plain(code) => code,
        }
    }

    /// The lint rule, for a finding.
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
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::plain(Severity::Error, Some(code), message)
    }

    /// A warning with a plain code.
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
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets where it is.
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
    pub fn code(&self) -> &'static str {
        self.code.map_or("", Code::as_str)
    }

    /// The lint rule, for a finding.
    pub fn rule(&self) -> Option<&'static Rule> {
        self.code.and_then(Code::rule)
    }

    /// The `Sid` of the statement a finding is in, if it has one.
    pub fn sid(&self) -> Option<&str> {
        self.statement.as_ref().and_then(|(_, sid)| sid.as_deref())
    }

    /// The index of the statement a finding is in.
    pub fn statement_index(&self) -> Option<usize> {
        self.statement.as_ref().map(|(index, _)| *index)
    }

    /// The line and column where it starts, when it has a location.
    pub fn start(&self) -> Option<Position> {
        self.location
            .as_ref()
            .map(|l| l.source.position(l.span.start))
    }

    /// The line and column just past its end, when it has a location.
    pub fn end(&self) -> Option<Position> {
        self.location
            .as_ref()
            .map(|l| l.source.position(l.span.end))
    }

    /// The name of the file it is in, when it has a location.
    pub fn file(&self) -> Option<&str> {
        self.location.as_ref().map(|l| l.source.name())
    }
}

/// Renders diagnostics one after the other, a blank line between them, without colour.
pub(crate) fn write_all(f: &mut fmt::Formatter<'_>, diagnostics: &[Diagnostic]) -> fmt::Result {
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            f.write_str("\n\n")?;
        }
        write!(f, "{diagnostic}")?;
    }
    Ok(())
}
