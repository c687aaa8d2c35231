//! Rendering `check` results: text for people (rustc-like, with the source line underlined),
//! JSON for scripts, and SARIF 2.1.0 for code-scanning services. One interface, three
//! emitters.
//!
//! # Example
//! ```
//! use ramguard::lint::{CheckOptions, CheckRun};
//! use ramguard::report::{Emitter, ReportFormat};
//!
//! let run = CheckRun::check(&["policies/dba-restore.json".into()], &CheckOptions::default())?;
//! let mut out = Vec::new();
//! ReportFormat::Text.emitter().emit(&run, &mut out)?;
//! assert!(String::from_utf8(out)?.contains("suggestion[redundant-pattern]"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod json;
mod sarif;
mod text;

pub use json::JsonEmitter;
pub use sarif::SarifEmitter;
pub use text::TextEmitter;

use std::io;

use crate::lint::CheckRun;

/// Writes a run's findings in one format.
pub trait Emitter {
    /// Writes the whole report for `run` to `out`.
    ///
    /// # Errors
    /// Writing to `out` failed.
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// One JSON object: files, findings, counts.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

impl ReportFormat {
    /// The emitter for this format.
    pub fn emitter(self) -> Box<dyn Emitter> {
        match self {
            ReportFormat::Text => Box::new(TextEmitter),
            ReportFormat::Json => Box::new(JsonEmitter),
            ReportFormat::Sarif => Box::new(SarifEmitter),
        }
    }
}
