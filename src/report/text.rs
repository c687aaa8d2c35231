//! The text report, like rustc's diagnostics:
//!
//! ```text
//! error[invalid-effect]: `Effect` must be `Allow` or `Deny`, found `allow`
//!  --> policies/p.json:5:17
//!   |
//! 5 |       "Effect": "allow",
//!   |                 ^^^^^^^
//!   = help: write `Allow`: the value is case-sensitive
//! ```

use std::io;

use super::{Emitter, Style, render};
use crate::lint::{CheckRun, FileStatus, Finding, Severity};

/// The text emitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextEmitter;

impl Emitter for TextEmitter {
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()> {
        for finding in &run.findings {
            write_finding(finding, out)?;
            writeln!(out)?;
        }
        writeln!(out, "{}", summary(run))?;
        let skipped = run
            .files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Skipped { .. }))
            .count();
        if skipped > 0 {
            writeln!(
                out,
                "skipped {skipped} {} that {} not {} (`--format json` lists {})",
                plural(skipped, "file", "files"),
                plural(skipped, "is", "are"),
                plural(skipped, "a policy", "policies"),
                plural(skipped, "it", "them"),
            )?;
        }
        Ok(())
    }
}

/// `checked 3 files: 1 error, 2 warnings (1 suppressed)`.
fn summary(run: &CheckRun) -> String {
    let counts = run.counts();
    let checked = run.checked_files();
    let mut parts: Vec<String> = Vec::new();
    for severity in Severity::ALL {
        let n = counts.of(severity);
        if n > 0 {
            let name = match severity {
                Severity::Error => plural(n, "error", "errors"),
                Severity::SecurityWarning => plural(n, "security warning", "security warnings"),
                Severity::Warning => plural(n, "warning", "warnings"),
                Severity::Suggestion => plural(n, "suggestion", "suggestions"),
            };
            parts.push(format!("{n} {name}"));
        }
    }
    let found = if parts.is_empty() {
        "no findings".to_string()
    } else {
        parts.join(", ")
    };
    let suppressed = if counts.suppressed > 0 {
        format!(" ({} suppressed)", counts.suppressed)
    } else {
        String::new()
    };
    format!(
        "checked {checked} {}: {found}{suppressed}",
        plural(checked, "file", "files")
    )
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn write_finding(finding: &Finding, out: &mut dyn io::Write) -> io::Result<()> {
    out.write_all(render(finding, Style::Plain).as_bytes())
}
