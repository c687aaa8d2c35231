//! Checking many files: deciding each file's kind, skipping what is not a policy, applying
//! suppressions, and counting.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::config::{Config, same_path};
use super::{DocumentKind, Finding, Severity, lint_source};
use crate::json::{self, JsonKind};
use crate::rules;
use crate::source::{SourceError, read_source};
use crate::span::{Source, Span};
use crate::value::Timestamp;

/// What `check` was told besides the files.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files to hold to the session-policy size limit.
    pub session_policies: Vec<PathBuf>,
    /// Files that are control policies.
    pub control_policies: Vec<PathBuf>,
    /// The repository's `ramguard.toml`, if any.
    pub config: Option<Config>,
    /// The time grants are judged at (an `Allow` that ran out before it is reported); the
    /// clock when `None`.
    pub now: Option<Timestamp>,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FileStatus {
    /// Checked as a policy of this kind.
    Checked {
        /// How the document is used.
        kind: DocumentKind,
    },
    /// Left out, and why.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// One file of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileOutcome {
    /// The path as given.
    pub path: String,
    /// Checked or skipped.
    #[serde(flatten)]
    pub status: FileStatus,
    /// Findings reported in it (suppressed ones not counted).
    pub findings: usize,
}

/// A silenced finding and the reason the configuration gives.
#[derive(Debug, Clone)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The configuration's reason, if it gives one.
    pub reason: Option<String>,
}

/// The result of checking files.
#[derive(Debug, Clone, Default)]
pub struct CheckRun {
    /// Every file, in the order given.
    pub files: Vec<FileOutcome>,
    /// The findings reported, by file then position.
    pub findings: Vec<Finding>,
    /// The findings a `ramguard.toml` silenced.
    pub suppressed: Vec<Suppressed>,
}

/// How many findings of each severity, and how many were silenced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SeverityCounts {
    /// Errors.
    pub error: usize,
    /// Security warnings.
    pub security_warning: usize,
    /// Warnings.
    pub warning: usize,
    /// Suggestions.
    pub suggestion: usize,
    /// Findings silenced by `ramguard.toml`.
    pub suppressed: usize,
}

impl SeverityCounts {
    /// The count for one severity.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{CheckOptions, CheckRun, Severity};
    ///
    /// let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/dba-restore.json");
    /// let counts = CheckRun::check(&[policy.into()], &CheckOptions::default())?.counts();
    /// let by_severity: Vec<usize> = Severity::ALL.iter().map(|s| counts.of(*s)).collect();
    /// assert_eq!(by_severity, [0, 0, 0, 1]);
    /// # Ok::<(), ramguard::lint::RunError>(())
    /// ```
    pub fn of(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.error,
            Severity::SecurityWarning => self.security_warning,
            Severity::Warning => self.warning,
            Severity::Suggestion => self.suggestion,
        }
    }
}

/// A file that could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct RunError(#[from] pub SourceError);

impl CheckRun {
    /// Checks files, in order. A file that is not JSON, not UTF-8 or too large is a finding;
    /// a file that is a ramguard request, decision-test, account or instance-state file is
    /// skipped. The control policies an account file among `files` names are checked as such.
    ///
    /// # Errors
    /// A file that cannot be read (missing, unreadable): the run cannot say anything about it.
    ///
    /// # Example
    /// ```
    /// use std::path::Path;
    /// use ramguard::lint::{CheckOptions, CheckRun, DocumentKind, FileStatus};
    ///
    /// let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    /// let options = CheckOptions {
    ///     control_policies: vec![root.join("policies/guardrails/no-prod-restore.json")],
    ///     ..CheckOptions::default()
    /// };
    /// let files = [
    ///     root.join("policies/dba-restore.json"),
    ///     root.join("policies/guardrails/no-prod-restore.json"),
    ///     root.join("policies/account.json"),
    /// ];
    /// let run = CheckRun::check(&files, &options)?;
    /// let statuses: Vec<&FileStatus> = run.files.iter().map(|f| &f.status).collect();
    /// assert_eq!(
    ///     statuses,
    ///     [
    ///         &FileStatus::Checked { kind: DocumentKind::Policy },
    ///         &FileStatus::Checked { kind: DocumentKind::Control },
    ///         &FileStatus::Skipped { reason: "a ramguard account file, not a policy".into() },
    ///     ]
    /// );
    /// assert_eq!(run.findings.iter().map(|f| f.code()).collect::<Vec<_>>(), ["redundant-pattern"]);
    ///
    /// // A file that cannot be read fails the whole run.
    /// let error = CheckRun::check(&[root.join("policies/no-such-policy.json")], &options).unwrap_err();
    /// assert!(error.to_string().starts_with("cannot read `"));
    /// # Ok::<(), ramguard::lint::RunError>(())
    /// ```
    pub fn check(files: &[PathBuf], options: &CheckOptions) -> Result<CheckRun, RunError> {
        // Each input is read once: stdin (`-`) cannot be read twice.
        let sources: Vec<(&PathBuf, Result<Arc<Source>, SourceError>)> =
            files.iter().map(|path| (path, read_source(path))).collect();
        // An account file among the inputs says which policies are control policies.
        let mut options = options.clone();
        for (path, source) in &sources {
            if let Ok(source) = source
                && not_a_policy(source) == Some("account")
            {
                options
                    .control_policies
                    .extend(account_control_policies(path, source));
            }
        }
        let now = options.now.clone().unwrap_or_else(Timestamp::now);
        let mut run = CheckRun::default();
        for (path, source) in sources {
            run.check_file(path, source, &options, &now)?;
        }
        Ok(run)
    }

    fn check_file(
        &mut self,
        path: &Path,
        source: Result<Arc<Source>, SourceError>,
        options: &CheckOptions,
        now: &Timestamp,
    ) -> Result<(), RunError> {
        let name = path.display().to_string();
        let config = options.config.as_ref();
        if config.is_some_and(|c| c.is_excluded(path)) {
            self.skip(name, "excluded by ramguard.toml");
            return Ok(());
        }
        let kind = if options.session_policies.iter().any(|p| same_path(p, path)) {
            DocumentKind::Session
        } else if options.control_policies.iter().any(|p| same_path(p, path)) {
            DocumentKind::Control
        } else {
            config.and_then(|c| c.kind_of(path)).unwrap_or_default()
        };
        let findings = match source {
            Ok(source) => {
                if let Some(what) = not_a_policy(&source) {
                    self.skip(name, &format!("a ramguard {what} file, not a policy"));
                    return Ok(());
                }
                let stem = path
                    .file_stem()
                    .map_or_else(|| "stdin".to_string(), |s| s.to_string_lossy().into_owned());
                lint_source(&stem, source, kind, now)
            }
            Err(e @ (SourceError::NotUtf8 { .. } | SourceError::TooLarge { .. })) => {
                unreadable_content(&name, &e)
            }
            Err(e) => return Err(RunError(e)),
        };
        let mut reported = 0;
        for finding in findings {
            match config.and_then(|c| c.suppression_for(&finding, path)) {
                Some(s) => self.suppressed.push(Suppressed {
                    finding,
                    reason: s.reason.clone(),
                }),
                None => {
                    reported += 1;
                    self.findings.push(finding);
                }
            }
        }
        self.files.push(FileOutcome {
            path: name,
            status: FileStatus::Checked { kind },
            findings: reported,
        });
        Ok(())
    }

    fn skip(&mut self, path: String, reason: &str) {
        self.files.push(FileOutcome {
            path,
            status: FileStatus::Skipped {
                reason: reason.into(),
            },
            findings: 0,
        });
    }

    /// The number of findings of each severity.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{CheckOptions, CheckRun};
    ///
    /// // A policy that lets anyone restore every instance, written to a temporary file.
    /// let path = std::env::temp_dir().join(format!("ramguard-doc-{}-{}.json", "counts", std::process::id()));
    /// std::fs::write(&path, r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#)?;
    /// let run = CheckRun::check(&[path.clone()], &CheckOptions::default());
    /// std::fs::remove_file(&path)?;
    /// let run = run?;
    /// assert_eq!(
    ///     run.counts(),
    ///     ramguard::lint::SeverityCounts { security_warning: 1, ..Default::default() }
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn counts(&self) -> SeverityCounts {
        let mut counts = SeverityCounts {
            suppressed: self.suppressed.len(),
            ..SeverityCounts::default()
        };
        for f in &self.findings {
            match f.severity {
                Severity::Error => counts.error += 1,
                Severity::SecurityWarning => counts.security_warning += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Suggestion => counts.suggestion += 1,
            }
        }
        counts
    }

    /// Whether the run fails: any error, or with `deny_warnings` any warning or security
    /// warning. Suggestions never fail a run.
    ///
    /// # Example
    /// ```
    /// use ramguard::lint::{CheckOptions, CheckRun};
    ///
    /// // A policy that lets anyone restore every instance, written to a temporary file.
    /// let path = std::env::temp_dir().join(format!("ramguard-doc-{}-{}.json", "fails", std::process::id()));
    /// std::fs::write(&path, r#"{"Version": "1", "Statement": [
    ///   {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#)?;
    /// let run = CheckRun::check(&[path.clone()], &CheckOptions::default());
    /// std::fs::remove_file(&path)?;
    /// let run = run?;
    /// assert_eq!(run.findings[0].code(), "restore-on-every-instance");
    /// // A security warning fails the run only with `deny_warnings`.
    /// assert!(!run.fails(false));
    /// assert!(run.fails(true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.findings.iter().any(|f| match f.severity {
            Severity::Error => true,
            Severity::SecurityWarning | Severity::Warning => deny_warnings,
            Severity::Suggestion => false,
        })
    }

    /// How many files were checked (not skipped).
    ///
    /// # Example
    /// ```
    /// use std::path::Path;
    /// use ramguard::lint::{CheckOptions, CheckRun};
    ///
    /// let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    /// // A request file is not a policy: it is skipped, not checked.
    /// let files = [policies.join("auditor.json"), policies.join("requests/auditor-restore.json")];
    /// let run = CheckRun::check(&files, &CheckOptions::default())?;
    /// assert_eq!((run.files.len(), run.checked_files()), (2, 1));
    /// # Ok::<(), ramguard::lint::RunError>(())
    /// ```
    pub fn checked_files(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Checked { .. }))
            .count()
    }
}

/// Which of ramguard's own JSON files this is, when it is one rather than a policy: a request
/// (`action` and `resource`), a decision-test file (`cases`) or an account file. Only a document
/// with none of a policy's or an API response's members is considered.
fn not_a_policy(source: &Source) -> Option<&'static str> {
    let root = json::parse(source.text()).ok()?;
    let JsonKind::Object(members) = &root.kind else {
        return None;
    };
    let has = |name: &str| members.iter().any(|m| m.name == name);
    const POLICY_MEMBERS: &[&str] = &[
        "Version",
        "Statement",
        "PolicyVersion",
        "DefaultPolicyVersion",
        "Policy",
        "PolicyVersions",
        "PolicyDocument",
    ];
    if POLICY_MEMBERS.iter().any(|m| has(m)) {
        return None;
    }
    if has("action") && has("resource") {
        Some("request")
    } else if has("cases") {
        Some("decision-test")
    } else if has("account_id") || has("users") || has("roles") {
        Some("account")
    } else if has("DBInstanceAttribute") || has("Instances") || has("InstanceId") {
        Some("instance-state")
    } else {
        None
    }
}

/// The files an account file names as control policies: `control_policies` lists policy
/// names, and `policies` maps each to a `path` relative to the account file.
fn account_control_policies(account: &Path, source: &Source) -> Vec<PathBuf> {
    let Ok(root) = json::parse(source.text()) else {
        return Vec::new();
    };
    let Some(JsonKind::Array(names)) = root.get("control_policies").map(|v| &v.kind) else {
        return Vec::new();
    };
    let base = account.parent().unwrap_or(Path::new(""));
    names
        .iter()
        .filter_map(|name| {
            let name = name.as_str()?;
            let path = root.get("policies")?.get(name)?.get("path")?.as_str()?;
            Some(base.join(path))
        })
        .collect()
}

/// A file whose bytes cannot be a policy is a finding, not a failure of the run.
fn unreadable_content(name: &str, error: &SourceError) -> Vec<Finding> {
    let rule = match error {
        SourceError::TooLarge { .. } => &rules::LIMIT_EXCEEDED,
        _ => &rules::INVALID_JSON,
    };
    let help = match error {
        SourceError::TooLarge { .. } => error.help(),
        _ => "save the file as UTF-8: JSON text is UTF-8",
    };
    // No text to show: an empty source keeps the position at 1:1.
    vec![
        Finding::of_rule(rule, error.to_string())
            .with_help(help)
            .at(&Source::new(name, ""), Span::default()),
    ]
}
