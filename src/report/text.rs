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
use crate::lint::{CheckRun, FileStatus, Severity};

/// The text emitter: plain by default; [`TextEmitter::colored`] adds ANSI colours for a
/// terminal (the caller strips them where they are unwanted, e.g. with `anstream`).
#[derive(Debug, Clone, Copy, Default)]
pub struct TextEmitter {
    style: Style,
}

impl TextEmitter {
    /// An emitter that colours severities, codes and carets with ANSI escapes.
    ///
    /// ```
    /// # #[cfg(feature = "cli")] {
    /// use ramguard::lint::{CheckOptions, CheckRun};
    /// use ramguard::report::{Emitter, TextEmitter};
    ///
    /// let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/dba-restore.json");
    /// let run = CheckRun::check(&[policy.into()], &CheckOptions::default())?;
    /// let mut out = Vec::new();
    /// TextEmitter::colored().emit(&run, &mut out)?;
    /// let text = String::from_utf8(out)?;
    /// assert!(text.contains("\x1b["), "ANSI escapes are written");
    /// assert!(text.contains("redundant-pattern"));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn colored() -> Self {
        TextEmitter {
            style: Style::Colored,
        }
    }
}

impl Emitter for TextEmitter {
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()> {
        for finding in &run.findings {
            out.write_all(render(finding, self.style).as_bytes())?;
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
