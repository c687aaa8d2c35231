//! The one renderer of located messages, in rustc's shape:
//!
//! ```text
//! error[invalid-effect]: `Effect` must be `Allow` or `Deny`, found `allow`
//!  --> policies/p.json:5:17
//!   |
//! 5 |       "Effect": "allow",
//!   |                 ^^^^^^^
//!   = help: write `Allow`: the value is case-sensitive
//! ```
//!
//! Every error, warning, finding and deciding statement goes through here, so they all look
//! alike. Carets are placed by display width (a CJK character takes two columns, a tab four),
//! and long lines (minified documents) are cut around the span. Only the shown part of a line
//! is visited, so a one-line document with thousands of findings renders in linear time: that
//! is why this is written here rather than drawn by annotate-snippets, which walks the whole
//! line for every message.

use std::borrow::Cow;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style as Ansi};
use unicode_width::UnicodeWidthChar;

use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{Source, Span, is_hidden};

/// Whether to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// Plain text.
    #[default]
    Plain,
    /// ANSI colours, for a terminal (the writer strips them where colour is unwanted).
    Colored,
}

/// Columns a tab advances, so that carets line up under tabbed JSON.
const TAB_WIDTH: usize = 4;

/// Lines wider than this many columns are cut around the span.
const MAX_SHOWN: usize = 120;

/// Renders one diagnostic, ending with a newline.
///
/// # Example
/// ```
/// use ramguard::diagnostic::Diagnostic;
/// use ramguard::report::{Style, render};
/// use ramguard::span::{Source, Span};
///
/// let source = Source::new("p.json", "{\n  \"Effect\": \"allow\"\n}");
/// let at = source.text().find("\"allow\"").unwrap();
/// let error = Diagnostic::error("bad-effect", "`Effect` must be `Allow` or `Deny`, found `allow`")
///     .with_help("write `Allow`: the value is case-sensitive")
///     .at(&source, Span::new(at, at + 7));
/// assert_eq!(
///     render(&error, Style::Plain),
///     "\
/// error[bad-effect]: `Effect` must be `Allow` or `Deny`, found `allow`
///  --> p.json:2:13
///   |
/// 2 |   \"Effect\": \"allow\"
///   |             ^^^^^^^
///   = help: write `Allow`: the value is case-sensitive
/// "
/// );
///
/// // For a terminal: the same text with ANSI styles (bold yellow for a warning).
/// let warning = Diagnostic::warning("unused-key", "`acs:SourceVpc` is never compared");
/// assert_eq!(
///     render(&warning, Style::Colored),
///     "\x1b[1m\x1b[33mwarning[unused-key]\x1b[0m\x1b[1m:\x1b[0m \x1b[1m`acs:SourceVpc` is never compared\x1b[0m\n"
/// );
/// ```
pub fn render(diagnostic: &Diagnostic, style: Style) -> String {
    let paint = Painter(style);
    let mut out = String::new();
    let label = severity_style(diagnostic.severity);
    let heading = match diagnostic.code {
        Some(code) => format!("{}[{}]", diagnostic.severity, code.as_str()),
        None => diagnostic.severity.to_string(),
    };
    let _ = writeln!(
        out,
        "{}{} {}",
        paint.paint(&heading, label.bold()),
        paint.paint(":", Ansi::new().bold()),
        paint.paint(&visible(&diagnostic.message), Ansi::new().bold())
    );
    let pad = match &diagnostic.location {
        Some(location) => {
            let source = &location.source;
            let start = source.position(location.span.start);
            let gutter = " ".repeat(start.line.to_string().len());
            locate(&mut out, &paint, &gutter, source, location.span);
            if !source.text().is_empty() {
                let end = source.position(location.span.end);
                let line = source.line_text(start.line);
                // A span over several lines is underlined to the end of its first line.
                let last = if end.line == start.line {
                    end.column
                } else {
                    usize::MAX
                };
                let shown = window(line, source.line_is_ascii(start.line), start.column, last);
                let _ = writeln!(out, "{gutter} {}", paint.paint("|", gutter_style()));
                let _ = writeln!(
                    out,
                    "{} {} {}",
                    paint.paint(&start.line.to_string(), gutter_style()),
                    paint.paint("|", gutter_style()),
                    shown.text
                );
                let _ = writeln!(
                    out,
                    "{gutter} {} {}{}",
                    paint.paint("|", gutter_style()),
                    " ".repeat(shown.from),
                    paint.paint(&"^".repeat(shown.width.max(1)), label.bold())
                );
            }
            gutter
        }
        None => " ".to_string(),
    };
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(
            out,
            "{pad} {} {}",
            paint.paint("= help:", Ansi::new().bold()),
            visible(help)
        );
    }
    out
}

/// Renders the diagnostic as the command line prints it, without colour (and without the final
/// newline).
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(render(self, Style::Plain).trim_end_matches('\n'))
    }
}

/// Renders a titled excerpt of a source: the lines `span` covers, up to `max_lines` of them,
/// with the location above. Used for the statements that decided a request.
pub(crate) fn render_excerpt(
    title: &str,
    source: &Source,
    span: Span,
    max_lines: usize,
    style: Style,
) -> String {
    let paint = Painter(style);
    let mut out = String::new();
    let first = source.position(span.start);
    let last = source
        .position(span.end.saturating_sub(1).max(span.start))
        .line;
    let shown_last = last.min(first.line + max_lines.saturating_sub(1));
    let gutter = " ".repeat(shown_last.to_string().len());
    let _ = writeln!(out, "{}", paint.paint(title, Ansi::new().bold()));
    locate(&mut out, &paint, &gutter, source, span);
    let _ = writeln!(out, "{gutter} {}", paint.paint("|", gutter_style()));
    let width = gutter.len();
    for line in first.line..=shown_last {
        // Long lines are cut around where the statement starts on its first line.
        let from = if line == first.line { first.column } else { 1 };
        let shown = window(
            source.line_text(line),
            source.line_is_ascii(line),
            from,
            from,
        );
        let _ = writeln!(
            out,
            "{} {} {}",
            paint.paint(&format!("{line:>width$}"), gutter_style()),
            paint.paint("|", gutter_style()),
            shown.text
        );
    }
    if shown_last < last {
        let _ = writeln!(out, "{gutter} {} …", paint.paint("|", gutter_style()));
    }
    out
}

/// Writes ` --> file:line:column`, saying when the position is in an embedded document.
fn locate(out: &mut String, paint: &Painter, gutter: &str, source: &Source, span: Span) {
    let at = source.position(span.start);
    let origin = source
        .origin()
        .map(|o| format!(" (in the decoded `{o}`)"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{gutter}{} {}:{at}{origin}",
        paint.paint("-->", gutter_style()),
        source.name()
    );
}

/// A line as shown, and where the underlined part stands in it.
#[derive(Debug, PartialEq, Eq)]
struct Window {
    /// The shown text: tabs expanded, cut with `…` around the span when the line is long.
    text: String,
    /// The display column (from 0) where the span starts.
    from: usize,
    /// The display width of the span within the shown text.
    width: usize,
}

/// The part of `line` to show for a span from character column `first` to `last` (1-based,
/// `last` exclusive; `usize::MAX` for the end of the line). On an ASCII line (`ascii`) columns
/// are bytes, so only the shown characters are visited.
fn window(line: &str, ascii: bool, first: usize, last: usize) -> Window {
    // Skip characters before the span when the line is long: keep a quarter of the window
    // before it.
    let lead = MAX_SHOWN / 4;
    let long = if ascii {
        line.len() > MAX_SHOWN
    } else {
        line.chars().count() > MAX_SHOWN
    };
    let skip = if long && first > lead + 1 {
        first - 1 - lead
    } else {
        0
    };
    let start_byte = if ascii || skip == 0 {
        skip.min(line.len())
    } else {
        line.char_indices()
            .nth(skip)
            .map_or(line.len(), |(at, _)| at)
    };
    let mut text = String::new();
    let mut width = 0;
    if skip > 0 {
        text.push('…');
        width += 1;
    }
    let (mut from, mut to) = (None, None);
    let shown = line.get(start_byte..).unwrap_or("").chars();
    for (column, c) in (skip + 1..).zip(shown) {
        if column == first {
            from = Some(width);
        }
        if column == last {
            to = Some(width);
        }
        let escaped = (c != '\t' && is_hidden(c)).then(|| c.escape_unicode().to_string());
        let w = match (&escaped, c) {
            (Some(escape), _) => escape.len(),
            (None, '\t') => TAB_WIDTH,
            (None, c) => c.width().unwrap_or(0),
        };
        if width + w > MAX_SHOWN + usize::from(skip > 0) {
            text.push('…');
            break;
        }
        match escaped {
            Some(escape) => text.push_str(&escape),
            None if c == '\t' => text.push_str(&" ".repeat(TAB_WIDTH)),
            None => text.push(c),
        }
        width += w;
    }
    let from = from.unwrap_or(width);
    let to = to.unwrap_or(width).max(from);
    Window {
        text,
        from,
        width: to - from,
    }
}

/// `text` with every [hidden](crate::span::is_hidden) character but line ends and tabs
/// escaped (`\u{1b}`): reports quote what files and requests hold, and must not drive the
/// terminal.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| c != '\n' && c != '\t' && is_hidden(c);
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// The colour of a severity's label and carets.
fn severity_style(severity: Severity) -> Ansi {
    let color = match severity {
        Severity::Error => AnsiColor::Red,
        Severity::SecurityWarning => AnsiColor::Magenta,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Suggestion => AnsiColor::Cyan,
    };
    Ansi::new().fg_color(Some(color.into()))
}

fn gutter_style() -> Ansi {
    Ansi::new().bold().fg_color(Some(AnsiColor::Blue.into()))
}

/// Wraps text in a style when colouring.
struct Painter(Style);

impl Painter {
    fn paint(&self, text: &str, style: Ansi) -> String {
        match self.0 {
            Style::Plain => text.to_string(),
            Style::Colored => format!("{style}{text}{style:#}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str, first: usize, last: usize) -> (String, String) {
        let w = window(line, line.is_ascii(), first, last);
        let carets = format!("{}{}", " ".repeat(w.from), "^".repeat(w.width));
        (w.text, carets)
    }

    #[test]
    fn carets_stand_under_wide_characters_and_tabs() {
        // `"allow"` starts at character 7 and spans 7 characters; the three CJK characters
        // take two columns each and the tab four.
        let (text, carets) = shown("名前テ\t: \"allow\"", 7, 14);
        assert_eq!(text, "名前テ    : \"allow\"");
        assert_eq!(carets, "            ^^^^^^^");
    }

    #[test]
    fn control_characters_and_bidi_marks_are_shown_escaped_and_carets_follow() {
        // An ANSI escape would recolour the terminal; U+202E would show `r-bp1\u{202e}10dorp`
        // as `r-bp1prod01`.
        let (text, carets) = shown("\u{1b}[2J \"r-bp1\u{202e}10dorp\"", 6, 20);
        assert_eq!(text, "\\u{1b}[2J \"r-bp1\\u{202e}10dorp\"");
        assert_eq!(carets, format!("{}{}", " ".repeat(10), "^".repeat(21)));
        let source = Source::new("p.json", "{\"Action\": \"a\u{7}\"}");
        let diagnostic = Diagnostic::error("bad", "found `a\u{7}`")
            .with_help("not `\u{202e}`")
            .at(&source, Span::new(11, 16));
        assert_eq!(
            render(&diagnostic, Style::Plain),
            "error[bad]: found `a\\u{7}`\n --> p.json:1:12\n  |\n1 | {\"Action\": \"a\\u{7}\"}\n  |            ^^^^^^^^^\n  = help: not `\\u{202e}`\n"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        for filler in ["x", "é"] {
            let line = format!("{}\"abc\"{}", filler.repeat(200), "y".repeat(200));
            let w = window(&line, line.is_ascii(), 201, 206);
            assert!(
                w.text.starts_with('…') && w.text.ends_with('…'),
                "{}",
                w.text
            );
            assert_eq!(w.text.chars().count(), 122);
            assert_eq!(
                w.text
                    .chars()
                    .skip(w.from)
                    .take(w.width)
                    .collect::<String>(),
                "\"abc\""
            );
        }
        // A span running past the window is underlined to its edge.
        let w = window(&"z".repeat(300), true, 10, 290);
        assert_eq!((w.text.chars().count(), w.from, w.width), (121, 9, 111));
        let w = window(&"z".repeat(300), true, 280, 290);
        assert_eq!((w.text.chars().count(), w.from, w.width), (52, 31, 10));
    }

    #[test]
    fn renders_with_and_without_a_location() {
        let source = Source::new("p.json", "{\n  \"Effect\": \"allow\"\n}");
        let at = source.text().find("\"allow\"").unwrap();
        let d = Diagnostic::error("invalid-effect", "`Effect` must be `Allow` or `Deny`")
            .with_help("write `Allow`")
            .at(&source, Span::new(at, at + 7));
        assert_eq!(
            render(&d, Style::Plain),
            "error[invalid-effect]: `Effect` must be `Allow` or `Deny`\n --> p.json:2:13\n  |\n2 |   \"Effect\": \"allow\"\n  |             ^^^^^^^\n  = help: write `Allow`\n"
        );
        let plain =
            Diagnostic::plain(Severity::Error, None, "no request given").with_help("give one");
        assert_eq!(
            render(&plain, Style::Plain),
            "error: no request given\n  = help: give one\n"
        );
        let colored = render(&plain, Style::Colored);
        assert!(colored.contains("\u{1b}["), "{colored:?}");
    }

    #[test]
    fn excerpts_show_the_statement_and_cut_long_ones() {
        let text = format!(
            "{{\n{}\n}}",
            (1..=20)
                .map(|i| format!("  \"l{i}\": 1,"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let source = Source::new("p.json", text);
        let span = Span::new(0, source.text().len());
        let out = render_excerpt("p Statement[0] (Allow)", &source, span, 3, Style::Plain);
        assert_eq!(
            out,
            "p Statement[0] (Allow)\n --> p.json:1:1\n  |\n1 | {\n2 |   \"l1\": 1,\n3 |   \"l2\": 1,\n  | …\n"
        );
    }
}
