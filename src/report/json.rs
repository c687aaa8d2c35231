//! The JSON report: one object with the files, the findings and the counts. Positions are
//! 1-based; `end_line`/`end_column` point just past the span.

use std::io;

use serde::Serialize;

use super::Emitter;
use crate::lint::{CheckRun, FileOutcome, Finding, SeverityCounts};

/// The JSON emitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonEmitter;

#[derive(Serialize)]
struct Report<'a> {
    files: &'a [FileOutcome],
    /// Each in [`Diagnostic`](crate::diagnostic::Diagnostic)'s JSON shape.
    findings: &'a [Finding],
    counts: SeverityCounts,
}

impl Emitter for JsonEmitter {
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()> {
        let report = Report {
            files: &run.files,
            findings: &run.findings,
            counts: run.counts(),
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)
    }
}
