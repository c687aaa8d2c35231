//! Policy sources: reading files, globs and stdin, unwrapping API responses, and turning byte
//! spans into line and column.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::json::{JsonKind, JsonValue};

/// The largest input read as one document. RAM's own limit is 6,144 characters; this only keeps
/// a wrong file (a log, a disk image) from being read whole into memory.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// A half-open range of byte offsets into a [`Source`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it stands in its source.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// Equality ignores the span: two policies that say the same thing are equal wherever written.
impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Spanned<T> {}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

/// The text of one document and the name it is reported under.
#[derive(Debug)]
pub struct Source {
    name: String,
    origin: Option<String>,
    text: String,
    line_starts: Vec<usize>,
    /// Per line, whether it is ASCII: there a column is a byte difference, so reporting many
    /// findings on one long line stays linear.
    ascii_lines: Vec<bool>,
}

impl Source {
    /// A source called `name` (usually a path) holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Self::build(name.into(), None, text.into())
    }

    /// A document found inside another file, such as the `PolicyDocument` string of a
    /// `GetPolicyVersion` response: positions refer to the decoded text, the name stays the file's.
    pub fn embedded(
        name: impl Into<String>,
        origin: impl Into<String>,
        text: String,
    ) -> Arc<Source> {
        Self::build(name.into(), Some(origin.into()), text)
    }

    fn build(name: String, origin: Option<String>, text: String) -> Arc<Source> {
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let line_starts: Vec<usize> = std::iter::once(bom)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let ascii_lines = line_starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let end = line_starts.get(i + 1).copied().unwrap_or(text.len());
                text.get(start..end).is_some_and(str::is_ascii)
            })
            .collect();
        Arc::new(Source {
            name,
            origin,
            text,
            line_starts,
            ascii_lines,
        })
    }

    /// The name the source is reported under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where inside the named file the text came from, for embedded documents.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The length of the text in characters, the unit of RAM's size limits.
    pub fn char_count(&self) -> usize {
        self.text.chars().count()
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1].min(offset);
        let column = if self.ascii_lines[line - 1] {
            offset - start
        } else {
            self.text
                .get(start..offset)
                .map_or(offset - start, |prefix| prefix.chars().count())
        } + 1;
        Position { line, column }
    }

    /// Whether a 1-based line is all ASCII, so that its columns are byte offsets.
    pub fn line_is_ascii(&self, line: usize) -> bool {
        self.ascii_lines
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(true)
    }

    /// The text of a 1-based line, without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// An input that could not be read.
#[derive(Debug, thiserror::Error)]
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
    #[error(
        "`{path}` is larger than {MAX_SOURCE_BYTES} bytes, far more than any policy, request or account file"
    )]
    TooLarge {
        /// The path as given.
        path: String,
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
    /// One line saying how to fix it, for the `help:` line under the error.
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
                "check that it is the file you meant: RAM refuses a policy longer than 6,144 characters"
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

/// Reads a file, or standard input when `path` is `-`.
///
/// # Errors
/// The file cannot be read, is not UTF-8, or is larger than [`MAX_SOURCE_BYTES`].
pub fn read_source(path: &Path) -> Result<Arc<Source>, SourceError> {
    let name = path.display().to_string();
    let io = |source| SourceError::Io {
        path: name.clone(),
        source,
    };
    let mut bytes = Vec::new();
    let limit = MAX_SOURCE_BYTES as u64 + 1;
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
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(SourceError::TooLarge { path: name });
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
pub fn expand_paths(args: &[String]) -> Result<Vec<PathBuf>, SourceError> {
    let mut walker = Walker::default();
    for arg in args {
        let path = Path::new(arg);
        if arg == "-" {
            walker.files.push(path.to_path_buf());
        } else if path.is_file() {
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
const GLOB_OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// The directory a glob's matches lie under: its components before the first one with a
/// wildcard (`.` when the first one has one).
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
struct Walker {
    files: Vec<PathBuf>,
    seen_files: std::collections::HashSet<PathBuf>,
    seen_dirs: std::collections::HashSet<PathBuf>,
}

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

/// What a JSON file holds once API-response wrappers are taken off.
#[derive(Debug)]
pub enum Unwrapped<'a> {
    /// The file is itself a policy document (or something that is not a wrapper).
    Document(&'a JsonValue),
    /// A `PolicyDocument` object embedded in a response.
    EmbeddedObject {
        /// The document.
        document: &'a JsonValue,
        /// The policy name the response gives, if any.
        policy_name: Option<String>,
    },
    /// A `PolicyDocument` string embedded in a response: to be parsed as its own source.
    EmbeddedText {
        /// The decoded document, with the file's name.
        source: Arc<Source>,
        /// The policy name the response gives, if any.
        policy_name: Option<String>,
    },
}

/// A response wrapper that holds no usable document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WrapperError {
    /// What is wrong with the response.
    pub message: String,
    /// Where.
    pub span: Span,
    /// The member name, when the error is a duplicate member.
    pub duplicate: Option<String>,
}

/// Takes off a `GetPolicy`, `GetPolicyVersion` or `ListPolicyVersions` response wrapper, as
/// printed by Alibaba Cloud's API and CLI. A value that is none of these is returned as is.
///
/// # Errors
/// A wrapper without a document, a `PolicyDocument` of the wrong type, or a version list that
/// does not hold exactly one default version.
pub fn unwrap_response<'a>(
    source: &Source,
    root: &'a JsonValue,
) -> Result<Unwrapped<'a>, WrapperError> {
    if root.get("Version").is_some() || root.get("Statement").is_some() {
        return Ok(Unwrapped::Document(root));
    }
    // Duplicate members in the wrapper would make two readers unwrap different documents.
    unique_members(root)?;
    let policy_name = root
        .get("Policy")
        .and_then(|p| p.get("PolicyName"))
        .or_else(|| root.get("PolicyName"))
        .and_then(JsonValue::as_str)
        .map(str::to_string);
    let (version, origin) = if let Some(v) = root.get("PolicyVersion") {
        (v, "PolicyVersion.PolicyDocument")
    } else if let Some(v) = root.get("DefaultPolicyVersion") {
        (v, "DefaultPolicyVersion.PolicyDocument")
    } else if let Some(p) = root
        .get("Policy")
        .filter(|p| p.get("PolicyDocument").is_some())
    {
        (p, "Policy.PolicyDocument")
    } else if let Some(list) = root.get("PolicyVersions") {
        (
            default_version(list)?,
            "PolicyVersions.PolicyVersion[default].PolicyDocument",
        )
    } else {
        return Ok(Unwrapped::Document(root));
    };
    unique_members(version)?;
    if let Some(policy) = root.get("Policy") {
        unique_members(policy)?;
    }
    let document = version.get("PolicyDocument").ok_or_else(|| WrapperError {
        message: format!(
            "the response has no `PolicyDocument` in `{}`",
            origin.split('.').next().unwrap_or(origin)
        ),
        span: version.span,
        duplicate: None,
    })?;
    match &document.kind {
        JsonKind::String(text) => Ok(Unwrapped::EmbeddedText {
            source: Source::embedded(source.name(), origin, text.clone()),
            policy_name,
        }),
        JsonKind::Object(_) => Ok(Unwrapped::EmbeddedObject {
            document,
            policy_name,
        }),
        other => Err(WrapperError {
            message: format!(
                "`PolicyDocument` must be the policy as a JSON string, found {}",
                other.type_name()
            ),
            span: document.span,
            duplicate: None,
        }),
    }
}

/// Refuses an object that names a member twice.
fn unique_members(value: &JsonValue) -> Result<(), WrapperError> {
    let JsonKind::Object(members) = &value.kind else {
        return Ok(());
    };
    for (i, member) in members.iter().enumerate() {
        if members[..i].iter().any(|m| m.name == member.name) {
            return Err(WrapperError {
                message: format!("duplicate member `{}` in the response", member.name),
                span: member.name_span,
                duplicate: Some(member.name.clone()),
            });
        }
    }
    Ok(())
}

/// The one version of a `ListPolicyVersions` response marked `IsDefaultVersion: true`.
fn default_version(list: &JsonValue) -> Result<&JsonValue, WrapperError> {
    unique_members(list)?;
    let versions = match list.get("PolicyVersion").map(|v| &v.kind) {
        Some(JsonKind::Array(items)) => items.as_slice(),
        _ => {
            return Err(WrapperError {
                message: "`PolicyVersions` must hold a `PolicyVersion` array".into(),
                span: list.span,
                duplicate: None,
            });
        }
    };
    let is_default = |v: &&JsonValue| {
        matches!(
            v.get("IsDefaultVersion").map(|d| &d.kind),
            Some(JsonKind::Bool(true))
        ) || v.get("IsDefaultVersion").and_then(JsonValue::as_str) == Some("true")
    };
    for version in versions {
        unique_members(version)?;
    }
    let mut defaults = versions.iter().filter(is_default);
    match (defaults.next(), defaults.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(WrapperError {
            message: "the version list has no version with `IsDefaultVersion: true`, so no document is in force".into(),
            span: list.span,
            duplicate: None,
        }),
        (Some(_), Some(second)) => Err(WrapperError {
            message: "the version list has more than one version with `IsDefaultVersion: true`".into(),
            span: second.span,
            duplicate: None,
        }),
    }
}

/// Writes a located error as `error[code]: message`, ` --> file:line:column` and `help: …`:
/// the one shape every error with a position takes on the command line.
pub fn write_located_error(
    f: &mut dyn fmt::Write,
    source: &Source,
    span: Span,
    code: &str,
    message: &dyn fmt::Display,
    help: &str,
) -> fmt::Result {
    let at = source.position(span.start);
    write!(f, "error[{code}]: {message}\n  --> {}:{at}", source.name())?;
    if let Some(origin) = source.origin() {
        write!(f, " (in {origin})")?;
    }
    write!(f, "\n  help: {help}")
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn positions_count_characters_and_handle_crlf_and_bom() {
        let s = Source::new("a.json", "\u{feff}{\r\n  \"é\": 1,\r\n  \"b\": 2\n}");
        assert_eq!(s.position(3), Position { line: 1, column: 1 });
        let b = s.text().find("\"b\"").unwrap();
        assert_eq!(s.position(b), Position { line: 3, column: 3 });
        let one = s.text().find('1').unwrap();
        assert_eq!(s.position(one), Position { line: 2, column: 8 });
        assert_eq!(s.line_text(2), "  \"é\": 1,");
        assert_eq!(s.line_text(4), "}");
        assert_eq!(s.line_text(9), "");
        assert_eq!(s.position(10_000), Position { line: 4, column: 2 });
    }

    fn unwrap_text(text: &str) -> Result<String, String> {
        let source = Source::new("r.json", text);
        let root = json::parse(text).unwrap();
        match unwrap_response(&source, &root) {
            Ok(Unwrapped::Document(d)) => Ok(format!("document at {}", d.span.start)),
            Ok(Unwrapped::EmbeddedObject { document, .. }) => {
                Ok(format!("object at {}", document.span.start))
            }
            Ok(Unwrapped::EmbeddedText {
                source,
                policy_name,
            }) => Ok(format!(
                "{} from {} named {:?}",
                source.text(),
                source.origin().unwrap_or(""),
                policy_name
            )),
            Err(e) => Err(e.message),
        }
    }

    #[test]
    fn unwraps_api_responses() {
        assert_eq!(unwrap_text(r#"{"Version":"1"}"#).unwrap(), "document at 0");
        assert_eq!(
            unwrap_text(r#"{"RequestId":"x","PolicyVersion":{"VersionId":"v2","PolicyDocument":"{\"Version\":\"1\"}"}}"#).unwrap(),
            r#"{"Version":"1"} from PolicyVersion.PolicyDocument named None"#
        );
        assert_eq!(
            unwrap_text(r#"{"Policy":{"PolicyName":"P","PolicyDocument":"old"},"DefaultPolicyVersion":{"PolicyDocument":"new"}}"#).unwrap(),
            r#"new from DefaultPolicyVersion.PolicyDocument named Some("P")"#
        );
        assert_eq!(
            unwrap_text(r#"{"Policy":{"PolicyName":"P","PolicyDocument":"old"}}"#).unwrap(),
            r#"old from Policy.PolicyDocument named Some("P")"#
        );
        assert_eq!(
            unwrap_text(r#"{"PolicyVersions":{"PolicyVersion":[{"IsDefaultVersion":false,"PolicyDocument":"a"},{"IsDefaultVersion":true,"PolicyDocument":"b"}]}}"#).unwrap(),
            "b from PolicyVersions.PolicyVersion[default].PolicyDocument named None"
        );
        assert!(
            unwrap_text(r#"{"PolicyVersions":{"PolicyVersion":[{"IsDefaultVersion":false,"PolicyDocument":"a"}]}}"#)
                .unwrap_err()
                .contains("no version with `IsDefaultVersion: true`")
        );
        assert!(
            unwrap_text(r#"{"PolicyVersions":{"PolicyVersion":[{"IsDefaultVersion":true,"PolicyDocument":"a"},{"IsDefaultVersion":true,"PolicyDocument":"b"}]}}"#)
                .unwrap_err()
                .contains("more than one")
        );
        assert!(
            unwrap_text(r#"{"PolicyVersion":{"PolicyDocument":5}}"#)
                .unwrap_err()
                .contains("found a number")
        );
        assert!(
            unwrap_text(r#"{"PolicyVersion":{}}"#)
                .unwrap_err()
                .contains("no `PolicyDocument`")
        );
    }

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
