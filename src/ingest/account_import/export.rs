//! The export directory as the import reads it: files parsed with their positions, every
//! diagnostic collected, and what was never read reported at the end.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::layout::{self, Kind};
use crate::diagnostic::{Diagnostic, ShapeError};
use crate::json::{self, JsonValue};
use crate::source;
use crate::span::{Source, Span};

/// A place in a file of the export, where a diagnostic points.
#[derive(Debug, Clone)]
pub(super) struct At {
    pub(super) source: Arc<Source>,
    pub(super) span: Span,
}

/// A string read from a file, with where it was read.
#[derive(Debug, Clone)]
pub(super) struct Named {
    pub(super) value: String,
    pub(super) at: At,
}

/// A file of the export, parsed.
#[derive(Debug)]
pub(super) struct File {
    pub(super) kind: Kind,
    pub(super) source: Arc<Source>,
    pub(super) root: JsonValue,
}

impl File {
    /// A place in this file.
    pub(super) fn at(&self, span: Span) -> At {
        At {
            source: self.source.clone(),
            span,
        }
    }

    /// The opening of the file's top-level value, where "this file lacks X" is reported.
    pub(super) fn opening(&self) -> At {
        self.at(Span::new(self.root.span.start, self.root.span.start + 1))
    }

    /// Reports a shape error of this file, with the call that writes the file as the fix.
    pub(super) fn shape(&self, export: &mut Export, e: ShapeError) {
        let code = match e {
            ShapeError::Duplicate { .. } => "duplicate-member",
            _ => UNEXPECTED_SHAPE,
        };
        export.error(
            Diagnostic::error(code, e.to_string())
                .with_help(self.expected())
                .at(&self.source, e.span()),
        );
    }

    /// "The file must be the output of …", for help lines.
    pub(super) fn expected(&self) -> String {
        expected_output(self.kind)
    }
}

/// The code of a file that is not the response it is named after.
pub(super) const UNEXPECTED_SHAPE: &str = "unexpected-shape";

/// "The file must be the output of …", for help lines.
pub(super) fn expected_output(kind: Kind) -> String {
    format!(
        "the file must be the output of `{}`, as scripts/export-account.sh writes it",
        kind.command()
    )
}

/// The directory being imported, and everything found wrong with it so far.
#[derive(Debug)]
pub(super) struct Export {
    dir: PathBuf,
    /// The paths the import looked for, found or not, relative to the directory.
    looked_for: BTreeSet<String>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl Export {
    pub(super) fn new(dir: &Path) -> Export {
        Export {
            dir: dir.to_path_buf(),
            looked_for: BTreeSet::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub(super) fn error(&mut self, diagnostic: Diagnostic) {
        self.errors.push(diagnostic);
    }

    pub(super) fn warn(&mut self, diagnostic: Diagnostic) {
        self.warnings.push(diagnostic);
    }

    /// The path as reported: the directory as given, joined with `relative`.
    pub(super) fn display(&self, relative: &str) -> String {
        self.dir.join(relative).display().to_string()
    }

    /// Whether `relative` exists in the directory (a file or anything else).
    pub(super) fn exists(&self, relative: &str) -> bool {
        self.dir.join(relative).symlink_metadata().is_ok()
    }

    /// Reads and parses a file the export must hold; a missing one is reported at `wanted_by`,
    /// the place that made the import look for it.
    pub(super) fn required(
        &mut self,
        kind: Kind,
        entity: &str,
        wanted_by: Option<&At>,
        why: &str,
    ) -> Option<File> {
        let relative = kind.path(entity);
        if !self.exists(&relative) {
            self.looked_for.insert(relative.clone());
            let message = format!("`{}` is missing: {why}", self.display(&relative));
            let help = format!(
                "run scripts/export-account.sh again: the file is the output of `{}`",
                kind.command().replace(entity_placeholder(kind), entity)
            );
            let mut diagnostic = Diagnostic::error(MISSING_FILE, message).with_help(help);
            if let Some(at) = wanted_by {
                diagnostic = diagnostic.at(&at.source, at.span);
            }
            self.error(diagnostic);
            return None;
        }
        self.read(kind, &relative)
    }

    /// Reads and parses a file the export may hold.
    pub(super) fn optional(&mut self, kind: Kind, entity: &str) -> Option<File> {
        let relative = kind.path(entity);
        if !self.exists(&relative) {
            self.looked_for.insert(relative);
            return None;
        }
        self.read(kind, &relative)
    }

    fn read(&mut self, kind: Kind, relative: &str) -> Option<File> {
        self.looked_for.insert(relative.to_string());
        let source = match source::read_source(&self.dir.join(relative)) {
            Ok(source) => source,
            Err(e) => {
                self.error(e.diagnostic());
                return None;
            }
        };
        match json::parse(source.text()) {
            Ok(root) => Some(File { kind, source, root }),
            Err(e) => {
                self.error(
                    Diagnostic::error("invalid-json", format!("invalid JSON: {}", e.message))
                        .with_help(expected_output(kind))
                        .at(&source, e.span),
                );
                None
            }
        }
    }

    /// Reports every file and directory the import did not look for: an error in the
    /// directories of one file per user, group or role (an entity the lists do not name, so
    /// one the import would lose) unless `broken` says that list could not be read, and a
    /// warning anywhere else, unless the import already failed (then they only add noise).
    pub(super) fn sweep(&mut self, broken: &[Kind]) {
        let failed = !self.errors.is_empty();
        for name in sorted_entries(&self.dir) {
            let kind = layout::PER_ENTITY
                .iter()
                .find(|k| k.directory() == Some(name.as_str()));
            match kind {
                Some(&kind) if self.dir.join(&name).is_dir() => {
                    let principal = layout::PER_PRINCIPAL.contains(&kind);
                    if (principal && broken.contains(&kind)) || (!principal && failed) {
                        continue;
                    }
                    for entry in sorted_entries(&self.dir.join(&name)) {
                        let relative = format!("{name}/{entry}");
                        if !self.looked_for.contains(&relative) {
                            self.unread(&relative, Some(kind));
                        }
                    }
                }
                _ if self.looked_for.contains(&name) || failed => {}
                _ => self.unread(&name, None),
            }
        }
    }

    fn unread(&mut self, relative: &str, kind: Option<Kind>) {
        let path = self.display(relative);
        let entity = relative
            .split_once('/')
            .map(|(_, file)| file.strip_suffix(".json").unwrap_or(file));
        match (kind, entity) {
            (Some(kind), Some(entity)) if layout::PER_PRINCIPAL.contains(&kind) => {
                let (what, list) = match kind {
                    Kind::UserPolicies => ("user", "users.json"),
                    Kind::RolePolicies => ("role", "roles.json"),
                    _ => ("group", "groups.json"),
                };
                self.error(
                    Diagnostic::error(
                        "unlisted-entity",
                        format!("`{path}` is about the {what} `{entity}`, which `{list}` does not list"),
                    )
                    .with_help(format!(
                        "export the account again: `{list}` and the files about each {what} must come from the same export"
                    )),
                );
            }
            _ => self.warn(
                Diagnostic::warning(
                    "unused-file",
                    format!("`{path}` is not part of an account export and was not read"),
                )
                .with_help("remove it, or check its name against docs/account-import.md"),
            ),
        }
    }
}

/// The code of a file the export must hold and does not.
pub(super) const MISSING_FILE: &str = "missing-file";

/// The placeholder in a kind's command, replaced by the entity in help lines.
fn entity_placeholder(kind: Kind) -> &'static str {
    match kind {
        Kind::GroupMembers | Kind::GroupPolicies => "<group>",
        Kind::UserPolicies => "<user>",
        Kind::RolePolicies => "<role>",
        Kind::ResourceGroupResources => "<rg-id>",
        Kind::Policy | Kind::SystemPolicy => "<policy>",
        Kind::ControlPolicyAttachments => "<target-id>",
        Kind::ControlPolicy => "<policy-id>",
        Kind::RdAccount => "<account-id>",
        _ => "\0",
    }
}

/// The names in a directory, sorted so that diagnostics come in the same order every time;
/// none when it cannot be listed (the files it should hold are then reported missing).
fn sorted_entries(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
