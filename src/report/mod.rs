//! Rendering for people and tools: [`render`] draws every diagnostic (errors, warnings,
//! findings) and [`render_excerpt`] every deciding statement; `check` results are written as
//! text, JSON or SARIF 2.1.0 by one interface and three emitters.
//!
//! # Example
//! ```
//! # #[cfg(feature = "cli")] {
//! use ramguard::lint::{CheckOptions, CheckRun};
//! use ramguard::report::{Emitter, ReportFormat};
//!
//! let run = CheckRun::check(&["policies/dba-restore.json".into()], &CheckOptions::default())?;
//! let mut out = Vec::new();
//! ReportFormat::Text.emitter().emit(&run, &mut out)?;
//! assert!(String::from_utf8(out)?.contains("suggestion[redundant-pattern]"));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "cli")]
mod json;
mod render;
#[cfg(feature = "cli")]
mod sarif;
#[cfg(feature = "cli")]
mod text;

#[cfg(feature = "cli")]
pub use json::JsonEmitter;
pub(crate) use render::render_excerpt;
pub use render::{Style, render};
#[cfg(feature = "cli")]
pub use sarif::SarifEmitter;
#[cfg(feature = "cli")]
pub use text::TextEmitter;

#[cfg(feature = "cli")]
use std::io;

#[cfg(feature = "cli")]
use crate::lint::CheckRun;

/// Writes a run's findings in one format.
#[cfg(feature = "cli")]
pub trait Emitter {
    /// Writes the whole report for `run` to `out`.
    ///
    /// # Errors
    /// Writing to `out` failed.
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The output formats of `check`.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// One JSON object: files, findings, counts.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

#[cfg(feature = "cli")]
impl ReportFormat {
    /// The emitter for this format.
    pub fn emitter(self) -> Box<dyn Emitter> {
        match self {
            ReportFormat::Text => Box::new(TextEmitter::default()),
            ReportFormat::Json => Box::new(JsonEmitter),
            ReportFormat::Sarif => Box::new(SarifEmitter),
        }
    }
}
