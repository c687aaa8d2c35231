//! The JSON report: one object with the files, the findings and the counts. Positions are
//! 1-based; `end_line`/`end_column` point just past the span.

use std::io;

use serde::Serialize;

use super::Emitter;
use crate::lint::{CheckRun, FileOutcome, Finding, Severity, SeverityCounts};
use crate::span::Position;

/// The JSON emitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonEmitter;

#[derive(Serialize)]
struct Report<'a> {
    files: &'a [FileOutcome],
    findings: Vec<JsonFinding<'a>>,
    counts: SeverityCounts,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    severity: Severity,
    message: &'a str,
    help: &'a str,
    file: &'a str,
    /// Where in the file an embedded document came from; positions are in its decoded text.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
}

impl<'a> JsonFinding<'a> {
    fn new(f: &'a Finding) -> JsonFinding<'a> {
        // Every finding of a check run is located; a position of 1:1 stands in otherwise.
        let first = Position { line: 1, column: 1 };
        let (start, end) = (f.start().unwrap_or(first), f.end().unwrap_or(first));
        let source = f.location.as_ref().map(|l| &l.source);
        JsonFinding {
            code: f.code(),
            severity: f.severity,
            message: &f.message,
            help: f.help.as_deref().unwrap_or(""),
            file: f.file().unwrap_or(""),
            origin: source.and_then(|s| s.origin()),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            statement: f.statement_index(),
            sid: f.sid(),
        }
    }
}

impl Emitter for JsonEmitter {
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()> {
        let report = Report {
            files: &run.files,
            findings: run.findings.iter().map(JsonFinding::new).collect(),
            counts: run.counts(),
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)
    }
}
