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
        let ascii = source.line_is_ascii(start.line);
        let line_chars = char_count(line, ascii);
        let last_column = if end.line == start.line {
            end.column
        } else {
            line_chars + 1
        };
        let (shown, from, width) = underline(line, ascii, start.column, last_column);
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

/// The length of a line in characters; ASCII lines (nearly all) skip the decoding walk, which
/// matters when a one-line document has thousands of findings.
fn char_count(line: &str, ascii: bool) -> usize {
    if ascii {
        line.len()
    } else {
        line.chars().count()
    }
}

/// Lines longer than this are cut around the span (minified or one-line documents).
const MAX_SHOWN: usize = 120;

/// The line as shown — tabs expanded, cut to [`MAX_SHOWN`] characters around the span with
/// `…` marking the cuts — and the display column and width of the characters from `first` to
/// `last` (1-based, `last` exclusive) within it. Only the shown part of the line is visited,
/// so a long one-line document with many findings stays cheap.
fn underline(line: &str, ascii: bool, first: usize, last: usize) -> (String, usize, usize) {
    let length = char_count(line, ascii);
    let skip = if length > MAX_SHOWN {
        first.saturating_sub(1 + MAX_SHOWN / 4)
    } else {
        0
    };
    let mut shown = String::new();
    let mut width = 0; // display columns written so far
    if skip > 0 {
        shown.push('…');
        width += 1;
    }
    let (mut from, mut to) = (None, None);
    // Start at the first shown character without decoding what comes before it on ASCII lines.
    let start_byte = if ascii {
        skip.min(line.len())
    } else {
        line.char_indices()
            .nth(skip)
            .map_or(line.len(), |(at, _)| at)
    };
    let rest = line.get(start_byte..).unwrap_or("");
    for (i, c) in rest.chars().enumerate().take(MAX_SHOWN) {
        let column = skip + i + 1;
        if column == first {
            from = Some(width);
        }
        if column == last {
            to = Some(width);
        }
        if c == '\t' {
            shown.push_str(&" ".repeat(TAB_WIDTH));
            width += TAB_WIDTH;
        } else {
            shown.push(c);
            width += 1;
        }
    }
    let end = width;
    if skip + MAX_SHOWN < length {
        shown.push('…');
    }
    let from = from.unwrap_or(end);
    let to = to.unwrap_or(end).max(from);
    (shown, from, to - from)
}

#[cfg(test)]
mod tests {
    use super::underline;

    #[test]
    fn long_lines_are_cut_around_the_span() {
        for (filler, ascii) in [("x", true), ("é", false)] {
            let line = format!("{}\"abc\"{}", filler.repeat(200), "y".repeat(200));
            let (shown, from, width) = underline(&line, ascii, 201, 206);
            assert_eq!(shown.chars().count(), 122);
            assert!(shown.starts_with('…') && shown.ends_with('…'));
            assert_eq!(
                shown.chars().skip(from).take(width).collect::<String>(),
                "\"abc\""
            );
        }
        // A span running past the window is underlined to its edge.
        let (shown, from, width) = underline(&"z".repeat(300), true, 10, 290);
        assert_eq!((shown.chars().count(), from, width), (121, 9, 111));
        let (shown, from, width) = underline(&"z".repeat(300), true, 280, 290);
        assert_eq!((shown.chars().count(), from, width), (52, 31, 10));
    }
}
