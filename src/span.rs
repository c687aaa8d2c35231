//! Sources and positions: the text of a document, byte spans into it, and their line and column
//! for people. Everything that reports a position builds on this; it imports nothing else from
//! the crate.

use std::fmt;
use std::sync::Arc;

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
    ///
    /// # Example
    /// ```
    /// use ramguard::span::{Source, Span};
    ///
    /// let source = Source::new("p.json", r#"{"Effect": "Allow"}"#);
    /// let span = Span::new(11, 18);
    /// assert_eq!(&source.text()[span.start..span.end], r#""Allow""#);
    /// ```
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
    ///
    /// # Example
    /// ```
    /// use ramguard::span::{Span, Spanned};
    ///
    /// let sid = Spanned::new("RestoreStaging".to_string(), Span::new(40, 56));
    /// assert_eq!((sid.value.as_str(), sid.span), ("RestoreStaging", Span::new(40, 56)));
    /// // Equality compares the value only: the same `Sid` written elsewhere is equal.
    /// assert_eq!(sid, Spanned::new("RestoreStaging".to_string(), Span::new(0, 16)));
    /// ```
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
    ///
    /// # Example
    /// ```
    /// use ramguard::span::Source;
    ///
    /// let source = Source::new("policies/p.json", "{\"Version\": \"1\"}");
    /// assert_eq!(source.name(), "policies/p.json");
    /// assert_eq!(source.text(), r#"{"Version": "1"}"#);
    /// assert_eq!(source.origin(), None);
    /// ```
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Self::build(name.into(), None, text.into())
    }

    /// A document found inside another file, such as the `PolicyDocument` string of a
    /// `GetPolicyVersion` response: positions refer to the decoded text, the name stays the file's.
    ///
    /// # Example
    /// ```
    /// use ramguard::span::Source;
    ///
    /// let document = r#"{"Version": "1", "Statement": []}"#.to_string();
    /// let source = Source::embedded("response.json", "PolicyVersion.PolicyDocument", document);
    /// assert_eq!(source.name(), "response.json");
    /// assert_eq!(source.origin(), Some("PolicyVersion.PolicyDocument"));
    /// assert_eq!(source.position(1).to_string(), "1:2");
    /// ```
    pub fn embedded(
        name: impl Into<String>,
        origin: impl Into<String>,
        text: impl Into<String>,
    ) -> Arc<Source> {
        Self::build(name.into(), Some(origin.into()), text.into())
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
    ///
    /// # Example
    /// ```
    /// let source = ramguard::span::Source::new("policies/dba-restore.json", "{}");
    /// assert_eq!(source.name(), "policies/dba-restore.json");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where inside the named file the text came from, for embedded documents.
    ///
    /// # Example
    /// ```
    /// use ramguard::span::Source;
    ///
    /// let plain = Source::new("p.json", "{}");
    /// let embedded = Source::embedded("r.json", "PolicyVersion.PolicyDocument", "{}".to_string());
    /// assert_eq!((plain.origin(), embedded.origin()), (None, Some("PolicyVersion.PolicyDocument")));
    /// ```
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The whole text.
    ///
    /// # Example
    /// ```
    /// let source = ramguard::span::Source::new("p.json", "{\n}\n");
    /// assert_eq!(source.text(), "{\n}\n");
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The length of the text in characters, the unit of RAM's size limits.
    pub(crate) fn char_count(&self) -> usize {
        self.text.chars().count()
    }

    /// The line and column of a byte offset (clamped to the text).
    ///
    /// Lines and columns count from 1, and columns count characters, not bytes.
    ///
    /// # Example
    /// ```
    /// use ramguard::span::{Position, Source};
    ///
    /// let source = Source::new("p.json", "{\n  \"Sid\": \"é\", \"Effect\": \"Deny\"\n}");
    /// let effect = source.text().find("\"Effect\"").unwrap();
    /// // `é` is two bytes but one column.
    /// assert_eq!(source.position(effect), Position { line: 2, column: 15 });
    /// assert_eq!(source.position(effect).to_string(), "2:15");
    /// // Offsets past the end are clamped to it.
    /// assert_eq!(source.position(10_000), Position { line: 3, column: 2 });
    /// ```
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
    pub(crate) fn line_is_ascii(&self, line: usize) -> bool {
        self.ascii_lines
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(true)
    }

    /// The text of a 1-based line, without its line terminator.
    pub(crate) fn line_text(&self, line: usize) -> &str {
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
    pub(crate) fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Whether `c` would act on a terminal rather than show: a control character (an ANSI escape
/// sequence starts with one) or a bidirectional formatting mark, which makes a line read
/// differently from what it holds (`r-bp1\u{202e}10dorp` shows as `r-bp1prod01`). Reports
/// show such characters escaped, and a request may not name a resource with one.
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
