//! Rendering for people and tools: [`render`] draws every diagnostic (errors, warnings,
//! findings), and the same renderer draws the excerpt of every deciding statement in an
//! explanation; `check` results are written as text, JSON or SARIF 2.1.0 by one interface
//! (`Emitter`, with the `cli` feature) and three emitters.
//!
//! # Example
//! ```
//! # #[cfg(feature = "cli")] {
//! use ramguard::lint::{CheckOptions, CheckRun};
//! use ramguard::report::{Emitter, ReportFormat};
//!
//! let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/dba-restore.json");
//! let run = CheckRun::check(&[policy.into()], &CheckOptions::default())?;
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
#[cfg(feature = "cli")]
pub(crate) use render::visible;
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
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{CheckOptions, CheckRun};
    /// use ramguard::report::{Emitter, TextEmitter};
    ///
    /// let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/prod-restore.json");
    /// let run = CheckRun::check(&[policy.into()], &CheckOptions::default())?;
    /// let mut out = Vec::new();
    /// TextEmitter::default().emit(&run, &mut out)?;
    /// assert_eq!(
    ///     String::from_utf8(out)?,
    ///     format!(
    ///         "\
    /// suggestion[sid-not-documented]: `Sid` (`RestoreWithMfa`) is not part of RAM's documented policy grammar
    ///  --> {policy}:5:14
    ///   |
    /// 5 |       \"Sid\": \"RestoreWithMfa\",
    ///   |              ^^^^^^^^^^^^^^^^
    ///   = help: keep it only if your RAM console accepts it; ramguard shows it in traces either way
    ///
    /// checked 1 file: 1 suggestion
    /// "
    ///     )
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The output formats of `check`.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{CheckOptions, CheckRun};
    /// use ramguard::report::ReportFormat;
    ///
    /// let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/prod-restore.json");
    /// let run = CheckRun::check(&[policy.into()], &CheckOptions::default())?;
    ///
    /// let mut json = Vec::new();
    /// ReportFormat::Json.emitter().emit(&run, &mut json)?;
    /// let json: serde_json::Value = serde_json::from_slice(&json)?;
    /// assert_eq!(json["findings"][0]["code"], "sid-not-documented");
    /// assert_eq!((json["findings"][0]["line"].as_u64(), json["findings"][0]["column"].as_u64()), (Some(5), Some(14)));
    /// assert_eq!(json["counts"]["suggestion"], 1);
    ///
    /// let mut sarif = Vec::new();
    /// ReportFormat::Sarif.emitter().emit(&run, &mut sarif)?;
    /// let sarif: serde_json::Value = serde_json::from_slice(&sarif)?;
    /// assert_eq!(sarif["version"], "2.1.0");
    /// assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "sid-not-documented");
    /// assert_eq!(sarif["runs"][0]["results"][0]["level"], "note");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn emitter(self) -> Box<dyn Emitter> {
        match self {
            ReportFormat::Text => Box::new(TextEmitter::default()),
            ReportFormat::Json => Box::new(JsonEmitter),
            ReportFormat::Sarif => Box::new(SarifEmitter),
        }
    }
}
