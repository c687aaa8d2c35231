//! `ramguard.toml`: per-repository settings for `check` — which files are session or control
//! policies, which to leave out, and which findings to silence.
//!
//! ```toml
//! # Paths and globs are relative to the directory holding ramguard.toml; `*` stays within one
//! # directory, `**` crosses directories.
//! session-policies = ["policies/sessions/*.json"]   # held to RAM's 1,024-character limit
//! control-policies = ["policies/guardrails/*.json"] # their `Allow`s bound, not grant
//! exclude = ["policies/drafts/**"]
//!
//! [[ignore]]
//! code = "restore-on-every-instance"
//! path = "src/system/*.json"
//! sid = "BreakGlass"          # optional: only findings in the statement with this Sid
//! reason = "system policy, reviewed in SEC-142"   # optional, shown in SARIF
//! ```

use std::path::{Component, Path, PathBuf};

use std::sync::Arc;

use super::{DocumentKind, Finding, rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{Source, Span};

/// The configuration file's name, looked for at the repository root.
pub const CONFIG_FILE: &str = "ramguard.toml";

/// How paths in the configuration match: `*` does not cross `/`, `**` does.
const MATCH_OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    session_policies: Vec<String>,
    #[serde(default)]
    control_policies: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    ignore: Vec<RawSuppression>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    code: String,
    path: Option<String>,
    sid: Option<String>,
    reason: Option<String>,
}

/// One silenced finding code.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The finding code silenced.
    pub code: String,
    /// The files it applies to (relative to the configuration's directory); every file when
    /// not given.
    pub path: Option<glob::Pattern>,
    /// Only findings in the statement with this `Sid`.
    pub sid: Option<String>,
    /// Why, for the record.
    pub reason: Option<String>,
}

/// A loaded `ramguard.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    root: PathBuf,
    session: Vec<glob::Pattern>,
    control: Vec<glob::Pattern>,
    exclude: Vec<glob::Pattern>,
    suppressions: Vec<Suppression>,
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// It cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// It is not valid TOML, or has unknown or mistyped settings.
    #[error("invalid `{}`: {message}", file.name())]
    Invalid {
        /// The file.
        file: Arc<Source>,
        /// Where in it, when the TOML reader says.
        span: Option<Span>,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// The error as a diagnostic, located in the configuration when the position is known.
    ///
    /// # Example
    /// ```
    /// use std::path::Path;
    /// use ramguard::lint::Config;
    ///
    /// let error = Config::parse(Path::new("/repo"), "sesion-policies = [\"a/*.json\"]\n", "ramguard.toml")
    ///     .unwrap_err();
    /// assert_eq!(
    ///     error.diagnostic().to_string(),
    ///     "\
    /// error[invalid-config]: invalid configuration: unknown field `sesion-policies`, \
    /// expected one of `session-policies`, `control-policies`, `exclude`, `ignore`
    ///  --> ramguard.toml:1:1
    ///   |
    /// 1 | sesion-policies = [\"a/*.json\"]
    ///   | ^^^^^^^^^^^^^^^
    ///   = help: see `ramguard check --help` and this repository's ramguard.toml for the settings"
    /// );
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            ConfigError::Io { .. } => Diagnostic::plain(Severity::Error, None, self.to_string())
                .with_help("check the path, or give --no-config to read no configuration"),
            ConfigError::Invalid {
                file,
                span: Some(span),
                message,
            } => Diagnostic::error(
                "invalid-config",
                format!("invalid configuration: {message}"),
            )
            .with_help(CONFIG_HELP)
            .at(file, *span),
            ConfigError::Invalid { .. } => {
                Diagnostic::error("invalid-config", self.to_string()).with_help(CONFIG_HELP)
            }
        }
    }
}

const CONFIG_HELP: &str =
    "see `ramguard check --help` and this repository's ramguard.toml for the settings";

impl Config {
    /// Reads a configuration file; its paths are relative to its directory.
    ///
    /// # Errors
    /// The file cannot be read, is not TOML, has an unknown setting, a malformed glob, or
    /// names an unknown finding code.
    ///
    /// # Example
    /// ```
    /// use std::path::Path;
    /// use ramguard::lint::{CheckOptions, CheckRun, Config, DocumentKind, FileStatus};
    ///
    /// let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    /// // This repository's configuration holds `policies/restore-bot-session.json` to the
    /// // session-policy limit.
    /// let config = Config::load(&root.join("ramguard.toml"))?;
    /// let options = CheckOptions { config: Some(config), ..CheckOptions::default() };
    /// let run = CheckRun::check(&[root.join("policies/restore-bot-session.json")], &options)?;
    /// assert_eq!(run.files[0].status, FileStatus::Checked { kind: DocumentKind::Session });
    ///
    /// let missing = Config::load(&root.join("no-such-dir/ramguard.toml")).unwrap_err();
    /// assert!(missing.to_string().starts_with("cannot read `"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let root = path.parent().unwrap_or(Path::new("."));
        Config::parse(root, &text, &path.display().to_string())
    }

    /// Parses a configuration's text; `root` is the directory its paths are relative to and
    /// `name` names it in errors.
    ///
    /// # Errors
    /// As [`Config::load`], except reading.
    ///
    /// # Example
    /// ```
    /// use std::path::Path;
    /// use ramguard::lint::{Config, ConfigError};
    ///
    /// let text = "control-policies = [\"policies/guardrails/*.json\"]\n";
    /// assert!(Config::parse(Path::new("/repo"), text, "ramguard.toml").is_ok());
    ///
    /// let unknown_code = "[[ignore]]\ncode = \"restore-everywhere\"\n";
    /// let error = Config::parse(Path::new("/repo"), unknown_code, "ramguard.toml").unwrap_err();
    /// assert!(matches!(error, ConfigError::Invalid { span: Some(_), .. }));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "invalid `ramguard.toml`: `[[ignore]]` names unknown code `restore-everywhere`; \
    ///      `ramguard check --explain CODE` lists the codes"
    /// );
    /// ```
    pub fn parse(root: &Path, text: &str, name: &str) -> Result<Config, ConfigError> {
        let file = Source::new(name, text);
        // Settings are read by serde, which forgets positions: a value is found again by its
        // text, as written in quotes.
        let invalid_at = |value: &str, message: String| ConfigError::Invalid {
            file: file.clone(),
            span: text
                .find(&format!("\"{value}\""))
                .map(|at| Span::new(at, at + value.len() + 2)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            file: file.clone(),
            span: e.span().map(|s| Span::new(s.start, s.end)),
            message: e.message().to_string(),
        })?;
        let globs =
            |setting: &str, patterns: &[String]| -> Result<Vec<glob::Pattern>, ConfigError> {
                patterns
                    .iter()
                    .map(|p| {
                        // Paths are compared without `./`, so `./policies/*.json` means
                        // `policies/*.json` rather than nothing.
                        glob::Pattern::new(p.trim_start_matches("./")).map_err(|e| {
                            invalid_at(
                                p,
                                format!("`{setting}`: `{p}` is not a valid glob: {}", e.msg),
                            )
                        })
                    })
                    .collect()
            };
        let mut suppressions = Vec::with_capacity(raw.ignore.len());
        for s in raw.ignore {
            if rule(&s.code).is_none() {
                return Err(invalid_at(
                    &s.code,
                    format!(
                        "`[[ignore]]` names unknown code `{}`; `ramguard check --explain CODE` lists the codes",
                        s.code
                    ),
                ));
            }
            let path = s.path.map(|p| globs("[[ignore]] path", &[p])).transpose()?;
            suppressions.push(Suppression {
                code: s.code,
                path: path.and_then(|mut p| p.pop()),
                sid: s.sid,
                reason: s.reason,
            });
        }
        Ok(Config {
            root: normalize(root),
            session: globs("session-policies", &raw.session_policies)?,
            control: globs("control-policies", &raw.control_policies)?,
            exclude: globs("exclude", &raw.exclude)?,
            suppressions,
        })
    }

    /// Finds `ramguard.toml` in `start` or the nearest directory above it, stopping at the
    /// repository root (the first directory holding `.git`).
    ///
    /// # Errors
    /// The file found cannot be used.
    ///
    /// # Example
    /// ```
    /// use std::path::Path;
    /// use ramguard::lint::Config;
    ///
    /// // From a subdirectory of this repository, its own `ramguard.toml` is found.
    /// let guardrails = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/guardrails");
    /// assert!(Config::discover(&guardrails)?.is_some());
    ///
    /// // The search stops at a repository root without one.
    /// let repo = std::env::temp_dir().join(format!("ramguard-doc-discover-{}", std::process::id()));
    /// std::fs::create_dir_all(repo.join(".git"))?;
    /// std::fs::create_dir_all(repo.join("policies"))?;
    /// let found = Config::discover(&repo.join("policies"));
    /// std::fs::remove_dir_all(&repo)?;
    /// assert!(found?.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn discover(start: &Path) -> Result<Option<Config>, ConfigError> {
        let start = normalize(start);
        for dir in start.ancestors() {
            let candidate = dir.join(CONFIG_FILE);
            if candidate.is_file() {
                return Config::load(&candidate).map(Some);
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        Ok(None)
    }

    /// The kind the configuration gives a file, if it names it.
    pub(crate) fn kind_of(&self, file: &Path) -> Option<DocumentKind> {
        let relative = self.relative(file)?;
        let matches = |globs: &[glob::Pattern]| {
            globs
                .iter()
                .any(|g| g.matches_with(&relative, MATCH_OPTIONS))
        };
        if matches(&self.session) {
            Some(DocumentKind::Session)
        } else if matches(&self.control) {
            Some(DocumentKind::Control)
        } else {
            None
        }
    }

    /// Whether the file is excluded from checking.
    pub(crate) fn is_excluded(&self, file: &Path) -> bool {
        self.relative(file).is_some_and(|r| {
            self.exclude
                .iter()
                .any(|g| g.matches_with(&r, MATCH_OPTIONS))
        })
    }

    /// The suppression that silences a finding in `file`, if any.
    ///
    /// # Example
    /// ```
    /// use std::path::Path;
    /// use ramguard::lint::{Config, DocumentKind, lint_source};
    /// use ramguard::span::Source;
    /// use ramguard::value::Timestamp;
    ///
    /// let config = Config::parse(
    ///     Path::new("/repo"),
    ///     r#"
    /// [[ignore]]
    /// code = "restore-on-every-instance"
    /// path = "policies/*.json"
    /// sid = "BreakGlass"
    /// reason = "reviewed in SEC-142"
    /// "#,
    ///     "ramguard.toml",
    /// )?;
    /// let policy = r#"{"Version": "1", "Statement": [{"Sid": "BreakGlass", "Effect": "Allow",
    ///   "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#;
    /// let findings = lint_source("p", Source::new("p.json", policy), DocumentKind::Policy, &Timestamp::now());
    /// let finding = findings.iter().find(|f| f.code() == "restore-on-every-instance").unwrap();
    ///
    /// let silenced = config.suppression_for(finding, Path::new("/repo/policies/break-glass.json"));
    /// assert_eq!(silenced.and_then(|s| s.reason.as_deref()), Some("reviewed in SEC-142"));
    /// // Outside `path`, and for other codes, nothing is silenced.
    /// assert!(config.suppression_for(finding, Path::new("/repo/drafts/break-glass.json")).is_none());
    /// let sid = findings.iter().find(|f| f.code() == "sid-not-documented").unwrap();
    /// assert!(config.suppression_for(sid, Path::new("/repo/policies/break-glass.json")).is_none());
    /// # Ok::<(), ramguard::lint::ConfigError>(())
    /// ```
    pub fn suppression_for(&self, finding: &Finding, file: &Path) -> Option<&Suppression> {
        let relative = self.relative(file);
        self.suppressions.iter().find(|s| {
            s.code == finding.code()
                && s.path.as_ref().is_none_or(|g| {
                    relative
                        .as_deref()
                        .is_some_and(|r| g.matches_with(r, MATCH_OPTIONS))
                })
                && s.sid
                    .as_ref()
                    .is_none_or(|sid| finding.sid() == Some(sid.as_str()))
        })
    }

    /// The file's path relative to the configuration's directory, `/`-separated; `None` for a
    /// file outside it.
    fn relative(&self, file: &Path) -> Option<String> {
        let file = normalize(file);
        let relative = file.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }
}

/// An absolute path without `.` and `..`, made without touching the file system (so a path
/// that does not exist, or crosses a symlink, is still compared as written).
fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether two paths name the same file, compared as [`Config`] compares them.
pub(crate) fn same_path(a: &Path, b: &Path) -> bool {
    normalize(a) == normalize(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{DocumentKind, lint_source};

    /// The time tests judge grants at.
    fn test_now() -> crate::value::Timestamp {
        crate::value::Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("a valid instant")
    }

    use crate::span::Source;

    fn config(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("/repo"), text, "ramguard.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn reads_kinds_excludes_and_suppressions() {
        let c = config(
            r#"
session-policies = ["policies/sessions/*.json"]
control-policies = ["policies/guardrails/**"]
exclude = ["policies/drafts/**"]
[[ignore]]
code = "sid-not-documented"
path = "policies/*.json"
sid = "Keep"
"#,
        )
        .unwrap();
        let kind = |p: &str| c.kind_of(Path::new(p));
        assert_eq!(
            kind("/repo/policies/sessions/bot.json"),
            Some(DocumentKind::Session)
        );
        assert_eq!(kind("/repo/policies/sessions/deep/bot.json"), None);
        assert_eq!(
            kind("/repo/policies/guardrails/a/b.json"),
            Some(DocumentKind::Control)
        );
        assert_eq!(
            kind("/repo/./policies/x/../guardrails/c.json"),
            Some(DocumentKind::Control)
        );
        assert_eq!(kind("/elsewhere/policies/guardrails/c.json"), None);
        assert!(c.is_excluded(Path::new("/repo/policies/drafts/x.json")));
        assert!(!c.is_excluded(Path::new("/repo/policies/x.json")));

        let text = r#"{"Version": "1", "Statement": [
            {"Sid": "Keep", "Effect": "Deny", "Action": "kvstore:DeleteInstance", "Resource": "*"},
            {"Sid": "Other", "Effect": "Deny", "Action": "kvstore:CreateInstance", "Resource": "*"}]}"#;
        let findings = lint_source(
            "p",
            Source::new("p.json", text),
            DocumentKind::Policy,
            &test_now(),
        );
        let codes: Vec<_> = findings.iter().map(|f| (f.code(), f.sid())).collect();
        assert_eq!(
            codes,
            [
                ("sid-not-documented", Some("Keep")),
                ("sid-not-documented", Some("Other"))
            ]
        );
        let file = Path::new("/repo/policies/p.json");
        assert!(c.suppression_for(&findings[0], file).is_some());
        assert!(c.suppression_for(&findings[1], file).is_none());
        assert!(
            c.suppression_for(&findings[0], Path::new("/repo/policies/sub/p.json"))
                .is_none()
        );
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        assert_eq!(
            config("exclude = \"x\"").unwrap_err(),
            "invalid `ramguard.toml`: invalid type: string \"x\", expected a sequence"
        );
        let located = Config::parse(Path::new("/repo"), "exclude = \"x\"", "ramguard.toml")
            .unwrap_err()
            .diagnostic();
        assert_eq!(
            located.to_string(),
            "error[invalid-config]: invalid configuration: invalid type: string \"x\", expected a sequence\n --> ramguard.toml:1:11\n  |\n1 | exclude = \"x\"\n  |           ^^^\n  = help: see `ramguard check --help` and this repository's ramguard.toml for the settings"
        );
        assert!(
            config("colour = 1")
                .unwrap_err()
                .contains("unknown field `colour`")
        );
        assert_eq!(
            config("[[ignore]]\ncode = \"no-such-code\"").unwrap_err(),
            "invalid `ramguard.toml`: `[[ignore]]` names unknown code `no-such-code`; `ramguard check --explain CODE` lists the codes"
        );
        assert_eq!(
            config("exclude = [\"a[\"]").unwrap_err(),
            "invalid `ramguard.toml`: `exclude`: `a[` is not a valid glob: invalid range pattern"
        );
    }
}
