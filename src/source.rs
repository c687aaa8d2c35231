//! Policy sources: reading files, globs and stdin, unwrapping API responses, and turning byte
//! spans into line and column.

use std::io::Read;
use std::path::Path;
#[cfg(feature = "cli")]
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::limits::{MAX_ACCOUNT_BYTES, MAX_DOCUMENT_BYTES};
use crate::span::Source;

/// An input that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The path as given.
        path: String,
        /// The offset of the first invalid byte.
        offset: usize,
    },
    /// The file is larger than any policy could be.
    #[error("`{path}` is larger than {limit} bytes, the most ramguard reads as one {what}")]
    TooLarge {
        /// The path as given.
        path: String,
        /// The limit it is over ([`crate::limits`]).
        limit: usize,
        /// What the file was read as: `document` or `account file`.
        what: &'static str,
    },
    /// A path or glob named nothing.
    #[error("`{pattern}` matches no file")]
    NoMatch {
        /// The argument as given.
        pattern: String,
    },
    /// A glob pattern is malformed.
    #[error("`{pattern}` is not a valid glob: {message}")]
    BadGlob {
        /// The argument as given.
        pattern: String,
        /// What the glob parser said.
        message: String,
    },
}

impl SourceError {
    /// The stable code of this kind of error: `unreadable-file`, `not-utf8`, `file-too-large`,
    /// `no-match` or `invalid-glob`.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::SourceError;
    ///
    /// assert_eq!(SourceError::NoMatch { pattern: "policies/*.yaml".into() }.code(), "no-match");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::Io { .. } => "unreadable-file",
            SourceError::NotUtf8 { .. } => "not-utf8",
            SourceError::TooLarge { .. } => "file-too-large",
            SourceError::NoMatch { .. } => "no-match",
            SourceError::BadGlob { .. } => "invalid-glob",
        }
    }

    /// The error as a diagnostic: an error with [`Self::code`] and [`Self::help`], without a
    /// location (the file is the problem, not a place in it).
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::Severity;
    /// use ramguard::policy::SourceError;
    ///
    /// let error = SourceError::NoMatch { pattern: "policies/*.yaml".into() };
    /// let diagnostic = error.diagnostic();
    /// assert_eq!(diagnostic.severity, Severity::Error);
    /// assert_eq!(diagnostic.message, "`policies/*.yaml` matches no file");
    /// assert_eq!(
    ///     diagnostic.help.as_deref(),
    ///     Some("check the path; quote a glob (`'policies/**/*.json'`) so that ramguard expands it")
    /// );
    /// assert_eq!(diagnostic.code(), "no-match");
    /// assert!(diagnostic.location.is_none());
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.code(), self.to_string()).with_help(self.help())
    }

    /// One line saying how to fix it, for the `help:` line under the error.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::{LoadError, Policy, SourceError};
    ///
    /// let Err(LoadError::Source(missing)) = Policy::from_path("policies/no-such-policy.json") else {
    ///     panic!("the file does not exist");
    /// };
    /// assert_eq!(missing.help(), "check the path: it is relative to the current directory");
    ///
    /// let glob = SourceError::BadGlob { pattern: "r-[bp1*.json".into(), message: "invalid range pattern".into() };
    /// assert_eq!(glob.help(), "in a glob, write a literal `[`, `*` or `?` as `[[]`, `[*]` or `[?]`");
    /// ```
    pub fn help(&self) -> &'static str {
        match self {
            SourceError::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::NotFound => {
                    "check the path: it is relative to the current directory"
                }
                std::io::ErrorKind::PermissionDenied => "check the file's permissions",
                std::io::ErrorKind::IsADirectory => "give a JSON file, not a directory",
                _ => "check that the file exists and can be read",
            },
            SourceError::NotUtf8 { .. } => {
                "save the file as UTF-8: JSON text is UTF-8 (is it the file you meant?)"
            }
            SourceError::TooLarge { .. } => {
                "check that it is the file you meant: no real policy, request, instance or account comes near this size (the README lists ramguard's limits)"
            }
            SourceError::NoMatch { .. } => {
                "check the path; quote a glob (`'policies/**/*.json'`) so that ramguard expands it"
            }
            SourceError::BadGlob { .. } => {
                "in a glob, write a literal `[`, `*` or `?` as `[[]`, `[*]` or `[?]`"
            }
        }
    }
}

/// Reads a policy, request or instance file, or standard input when `path` is `-`.
///
/// # Errors
/// The file cannot be read, is not UTF-8, or is larger than [`MAX_DOCUMENT_BYTES`].
pub(crate) fn read_source(path: &Path) -> Result<Arc<Source>, SourceError> {
    read_within(path, MAX_DOCUMENT_BYTES, "document")
}

/// Reads an account file, or standard input when `path` is `-`.
///
/// # Errors
/// The file cannot be read, is not UTF-8, or is larger than [`MAX_ACCOUNT_BYTES`].
pub(crate) fn read_account_source(path: &Path) -> Result<Arc<Source>, SourceError> {
    read_within(path, MAX_ACCOUNT_BYTES, "account file")
}

/// Reads at most `max` bytes and one more, so that an endless input (`/dev/zero`, a pipe that
/// never closes its end only after writing) is refused after `max + 1` bytes, not read whole.
fn read_within(path: &Path, max: usize, what: &'static str) -> Result<Arc<Source>, SourceError> {
    let name = path.display().to_string();
    let io = |source| SourceError::Io {
        path: name.clone(),
        source,
    };
    let mut bytes = Vec::new();
    let limit = max as u64 + 1;
    if name == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .map_err(io)?;
    }
    if bytes.len() > max {
        return Err(SourceError::TooLarge {
            path: name,
            limit: max,
            what,
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| SourceError::NotUtf8 {
        path: name.clone(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    Ok(Source::new(
        if name == "-" { "<stdin>".into() } else { name },
        text,
    ))
}

/// Expands command-line arguments into files: a file is itself, a directory is every `*.json`
/// below it (sorted), anything else is a glob that must match at least one file. Directories
/// are walked, symbolic links included, visiting each real directory once, so a link loop ends;
/// a file reached twice (through a link, or named by two arguments) is listed once.
///
/// # Errors
/// An argument that names nothing, or a malformed glob.
#[cfg(feature = "cli")]
pub(crate) fn expand_paths(args: &[String]) -> Result<Vec<PathBuf>, SourceError> {
    let mut walker = Walker::default();
    for arg in args {
        let path = Path::new(arg);
        if arg == "-" {
            walker.files.push(path.to_path_buf());
        } else if path.exists() && !path.is_dir() {
            // A file, or a device or pipe named on purpose: it is read, and the read is bounded.
            walker.add_file(path.to_path_buf());
        } else if path.is_dir() {
            let json = glob::Pattern::new("*.json").map_err(|e| SourceError::BadGlob {
                pattern: arg.clone(),
                message: e.msg.to_string(),
            })?;
            walker.walk(path, &|file: &Path| {
                file.file_name()
                    .is_some_and(|name| json.matches(&name.to_string_lossy()))
            });
        } else {
            let pattern = glob::Pattern::new(arg).map_err(|e| SourceError::BadGlob {
                pattern: arg.clone(),
                message: e.msg.to_string(),
            })?;
            let before = walker.files.len();
            let base = glob_base(arg);
            walker.walk(&base, &|file: &Path| {
                pattern.matches_path_with(file, GLOB_OPTIONS)
            });
            if walker.files.len() == before {
                return Err(SourceError::NoMatch {
                    pattern: arg.clone(),
                });
            }
        }
    }
    Ok(walker.files)
}

/// How command-line globs match: `*` and `?` stay within one path component, `**` crosses
/// them, and a leading dot is matched like any other character.
#[cfg(feature = "cli")]
const GLOB_OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// The directory a glob's matches lie under: its components before the first one with a
/// wildcard (`.` when the first one has one).
#[cfg(feature = "cli")]
fn glob_base(glob: &str) -> PathBuf {
    let mut base = PathBuf::new();
    for component in Path::new(glob).components() {
        if component
            .as_os_str()
            .to_string_lossy()
            .contains(['*', '?', '['])
        {
            break;
        }
        base.push(component);
    }
    if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    }
}

/// Files found so far, and the real directories and files already visited.
#[derive(Default)]
#[cfg(feature = "cli")]
struct Walker {
    files: Vec<PathBuf>,
    seen_files: std::collections::HashSet<PathBuf>,
    seen_dirs: std::collections::HashSet<PathBuf>,
}

#[cfg(feature = "cli")]
impl Walker {
    /// Adds a file unless its real path was added already.
    fn add_file(&mut self, path: PathBuf) {
        let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if self.seen_files.insert(real) {
            self.files.push(path);
        }
    }

    /// Adds every file below `dir` that `wanted` accepts, in sorted order, each real directory
    /// once. Entries that cannot be read are left out: a broken link names no file.
    fn walk(&mut self, dir: &Path, wanted: &dyn Fn(&Path) -> bool) {
        let Ok(real) = std::fs::canonicalize(dir) else {
            return;
        };
        if !self.seen_dirs.insert(real) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            // `metadata` follows links: a link to a directory is walked, once.
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.walk(&path, wanted),
                Ok(meta) if meta.is_file() && wanted(&path) => self.add_file(path),
                _ => {}
            }
        }
    }
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;

    #[test]
    fn expands_directories_and_globs() {
        let dir = std::env::temp_dir().join(format!("ramguard-expand-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.json"), "{}").unwrap();
        std::fs::write(dir.join("sub/a.json"), "{}").unwrap();
        std::fs::write(dir.join("notes.txt"), "").unwrap();
        let d = dir.display().to_string();
        let found = expand_paths(std::slice::from_ref(&d)).unwrap();
        assert_eq!(found, vec![dir.join("b.json"), dir.join("sub/a.json")]);
        let globbed = expand_paths(&[format!("{d}/*.txt")]).unwrap();
        assert_eq!(globbed, vec![dir.join("notes.txt")]);
        assert!(matches!(
            expand_paths(&[format!("{d}/*.yaml")]),
            Err(SourceError::NoMatch { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
