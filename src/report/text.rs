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

use super::Emitter;
use crate::lint::{CheckRun, FileStatus, Finding, Severity};

/// Columns a tab advances in the snippet, so that carets line up under tabbed JSON.
const TAB_WIDTH: usize = 4;

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
    let source = &finding.source;
    let start = finding.start();
    let end = finding.end();
    let gutter = start.line.to_string().len();
    let pad = " ".repeat(gutter);
    writeln!(
        out,
        "{}[{}]: {}",
        finding.severity, finding.code, finding.message
    )?;
    let origin = source
        .origin()
        .map(|o| format!(" (in the decoded `{o}`)"))
        .unwrap_or_default();
    writeln!(out, "{pad}--> {}:{start}{origin}", source.name())?;
    let line = source.line_text(start.line);
    if !source.text().is_empty() {
        // A span over several lines is underlined to the end of its first line.
        let line_chars = line.chars().count();
        let last_column = if end.line == start.line {
            end.column
        } else {
            line_chars + 1
        };
        let (shown, from, width) = window(underline(line, start.column, last_column));
        writeln!(out, "{pad} |")?;
        writeln!(out, "{} | {shown}", start.line)?;
        writeln!(
            out,
            "{pad} | {}{}",
            " ".repeat(from),
            "^".repeat(width.max(1))
        )?;
    }
    writeln!(out, "{pad} = help: {}", finding.help)
}

/// The line with tabs expanded, and the display column and width of the characters from
/// `first` to `last` (1-based, `last` exclusive).
fn underline(line: &str, first: usize, last: usize) -> (String, usize, usize) {
    let mut shown = String::with_capacity(line.len());
    let (mut from, mut to) = (None, None);
    for (i, c) in line.chars().enumerate() {
        let column = i + 1;
        if column == first {
            from = Some(shown.chars().count());
        }
        if column == last {
            to = Some(shown.chars().count());
        }
        if c == '\t' {
            shown.push_str(&" ".repeat(TAB_WIDTH));
        } else {
            shown.push(c);
        }
    }
    let end = shown.chars().count();
    let from = from.unwrap_or(end);
    let to = to.unwrap_or(end).max(from);
    (shown, from, to - from)
}

/// Lines longer than this are cut around the span (minified or one-line documents).
const MAX_SHOWN: usize = 120;

/// Cuts a long line to [`MAX_SHOWN`] characters around the underlined part, marking the cuts
/// with `…`, and moves the underline with it.
fn window((line, from, width): (String, usize, usize)) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_SHOWN {
        return (line, from, width);
    }
    let start = from.saturating_sub(MAX_SHOWN / 4);
    let end = (start + MAX_SHOWN).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(chars.get(start..end).unwrap_or_default());
    if end < chars.len() {
        shown.push('…');
    }
    // Only the part of the span inside the window can be underlined.
    let width = width.min(end.saturating_sub(from));
    let from = from - start + usize::from(start > 0);
    (shown, from, width)
}

#[cfg(test)]
mod tests {
    use super::{underline, window};

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}\"abc\"{}", "x".repeat(200), "y".repeat(200));
        let (shown, from, width) = window(underline(&line, 201, 206));
        assert_eq!(shown.chars().count(), 122);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(
            shown.chars().skip(from).take(width).collect::<String>(),
            "\"abc\""
        );
        let short = window(underline("ab", 1, 3));
        assert_eq!(short, ("ab".to_string(), 0, 2));
        // A span running past the window is underlined to its edge.
        let (shown, from, width) = window(underline(&"z".repeat(300), 10, 290));
        assert_eq!((shown.chars().count(), from, width), (121, 9, 111));
    }

    #[test]
    fn underlines_characters_not_bytes_and_expands_tabs() {
        assert_eq!(underline("ab\"é\"x", 3, 6), ("ab\"é\"x".into(), 2, 3));
        assert_eq!(underline("\t\"a\"", 2, 5), ("    \"a\"".into(), 4, 3));
        assert_eq!(underline("abc", 4, 4), ("abc".into(), 3, 0));
        assert_eq!(underline("", 1, 1), (String::new(), 0, 0));
    }
}
