//! A strict JSON reader that keeps the byte span of every value and member name.
//!
//! serde_json forgets positions and silently keeps the last of two duplicate members; a policy
//! linter needs both, so policies and requests are read here first and typed afterwards.

mod object;

pub use object::ShapeError;
pub(crate) use object::{Object, array, non_empty_string, string, string_list};

use crate::span::Span;

use crate::limits::MAX_ACCOUNT_BYTES;
pub(crate) use crate::limits::MAX_DEPTH;

/// A JSON value with the span of its source text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonValue {
    /// What the value is.
    pub kind: JsonKind,
    /// Where the value stands in its source, quotes and brackets included.
    pub span: Span,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as its exact source text so that nothing is lost to floating point.
    Number(Box<str>),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object, members in source order, duplicates kept (callers decide what they mean).
    Object(Vec<JsonMember>),
}

/// One `"name": value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonMember {
    /// The member name, unescaped.
    pub name: String,
    /// The span of the name, quotes included.
    pub name_span: Span,
    /// The member's value.
    pub value: JsonValue,
}

impl JsonKind {
    /// The JSON type name, for "expected X, found Y" messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }
}

impl JsonValue {
    /// The value of the first member called `name`, when this is an object that has one.
    pub(crate) fn get(&self, name: &str) -> Option<&JsonValue> {
        match &self.kind {
            JsonKind::Object(members) => members.iter().find(|m| m.name == name).map(|m| &m.value),
            _ => None,
        }
    }

    /// The string, when this is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// Converts to a `serde_json::Value` (numbers that serde_json cannot hold become strings;
    /// members lose their order unless serde_json keeps it).
    #[cfg(feature = "cli")]
    pub(crate) fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            JsonKind::Null => Value::Null,
            JsonKind::Bool(b) => Value::Bool(*b),
            JsonKind::Number(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(n.to_string())),
            JsonKind::String(s) => Value::String(s.clone()),
            JsonKind::Array(items) => Value::Array(items.iter().map(Self::to_serde).collect()),
            JsonKind::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|m| (m.name.clone(), m.value.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// Writes the value back as JSON, members in source order whatever features serde_json is
/// built with; numbers as serde_json reads them (a number it cannot hold becomes a string).
impl serde::Serialize for JsonValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.kind {
            JsonKind::Null => serializer.serialize_unit(),
            JsonKind::Bool(b) => serializer.serialize_bool(*b),
            JsonKind::Number(n) => match serde_json::from_str::<serde_json::Number>(n) {
                Ok(number) => number.serialize(serializer),
                Err(_) => serializer.serialize_str(n),
            },
            JsonKind::String(s) => serializer.serialize_str(s),
            JsonKind::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsonKind::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for member in members {
                    map.serialize_entry(&member.name, &member.value)?;
                }
                map.end()
            }
        }
    }
}

/// A syntax error: the document is not JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct JsonError {
    /// What was expected and what was found.
    pub message: String,
    /// Where reading stopped.
    pub span: Span,
}

/// Reads one JSON document (surrounding white space and a leading byte-order mark allowed).
///
/// # Errors
/// The first syntax error, nesting deeper than [`MAX_DEPTH`], or a text larger than
/// [`MAX_ACCOUNT_BYTES`].
pub(crate) fn parse(text: &str) -> Result<JsonValue, JsonError> {
    if text.len() > MAX_ACCOUNT_BYTES {
        return Err(JsonError {
            message: format!(
                "the text is {} bytes: ramguard reads JSON of up to {MAX_ACCOUNT_BYTES} bytes",
                text.len()
            ),
            span: Span::new(0, 0),
        });
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    if text.starts_with('\u{feff}') {
        reader.pos = '\u{feff}'.len_utf8();
    }
    reader.skip_white_space();
    let value = reader.value(0)?;
    reader.skip_white_space();
    if reader.pos < reader.bytes.len() {
        return Err(reader.error_here("expected the end of the document after the top-level value"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn value(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonKind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.keyword("true", JsonKind::Bool(true))?,
            Some(b'f') => self.keyword("false", JsonKind::Bool(false))?,
            Some(b'n') => self.keyword("null", JsonKind::Null)?,
            _ => return Err(self.value_expected()),
        };
        Ok(JsonValue {
            kind,
            span: Span::new(start, self.pos),
        })
    }

    fn object(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_white_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            self.skip_white_space();
            if self.peek() != Some(b'"') {
                return Err(self.error_here("expected a member name in double quotes"));
            }
            let name_start = self.pos;
            let name = self.string()?;
            let name_span = Span::new(name_start, self.pos);
            self.skip_white_space();
            if self.peek() != Some(b':') {
                return Err(self.error_here("expected `:` after the member name"));
            }
            self.pos += 1;
            self.skip_white_space();
            let value = self.value(depth + 1)?;
            members.push(JsonMember {
                name,
                name_span,
                value,
            });
            self.skip_white_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonKind::Object(members));
                }
                _ => return Err(self.error_here("expected `,` or `}` after an object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_white_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonKind::Array(items));
        }
        loop {
            self.skip_white_space();
            items.push(self.value(depth + 1)?);
            self.skip_white_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonKind::Array(items));
                }
                _ => return Err(self.error_here("expected `,` or `]` after an array element")),
            }
        }
    }

    fn enter(&self, depth: usize) -> Result<(), JsonError> {
        if depth >= MAX_DEPTH {
            return Err(JsonError {
                message: format!("arrays and objects nest deeper than {MAX_DEPTH} levels"),
                span: Span::new(self.pos, self.pos + 1),
            });
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Positions stop only on ASCII bytes, so the run is whole characters.
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(self.error_here(
                        "control characters must be escaped inside a string (write `\\n`, `\\t` or `\\u00XX`)",
                    ));
                }
                None => {
                    return Err(JsonError {
                        message: "unterminated string: expected a closing `\"`".into(),
                        span: Span::new(start, self.pos),
                    });
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let escape_start = self.pos - 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&high) {
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(self.lone_surrogate(escape_start));
                    }
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.lone_surrogate(escape_start));
                    }
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    char::from_u32(high)
                };
                out.push(c.ok_or_else(|| self.lone_surrogate(escape_start))?);
                return Ok(());
            }
            _ => {
                // The span covers the backslash and the character after it, whole (none at
                // the end of the text).
                let escaped = self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                return Err(JsonError {
                    message: "invalid escape: expected one of `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`".into(),
                    span: Span::new(escape_start, self.pos + escaped),
                });
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.error_here("expected four hexadecimal digits after `\\u`"))?;
        let value = digits.iter().fold(0, |acc, &d| {
            acc * 16 + (d as char).to_digit(16).unwrap_or(0)
        });
        self.pos += 4;
        Ok(value)
    }

    fn lone_surrogate(&self, start: usize) -> JsonError {
        JsonError {
            message: "invalid `\\u` escape: a UTF-16 surrogate must come in a high-low pair".into(),
            span: Span::new(start, self.pos),
        }
    }

    fn number(&mut self) -> Result<JsonKind, JsonError> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error_here("expected a digit in the number")),
        }
        if self.eat(b'.') {
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here("expected a digit after the decimal point"));
            }
            self.digits();
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here("expected a digit in the exponent"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error_here("numbers may not have leading zeros"));
        }
        Ok(JsonKind::Number(self.text[start..self.pos].into()))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn keyword(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.value_expected())
        }
    }

    /// "Expected a value", with a hint when a keyword is miswritten (`True`, `NULL`).
    fn value_expected(&self) -> JsonError {
        let word: String = self.text[self.pos..]
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .take(6)
            .collect();
        if ["true", "false", "null"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&word))
        {
            self.error_here("expected a JSON value (`true`, `false` and `null` are lowercase)")
        } else {
            self.error_here("expected a JSON value")
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_white_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// An error at the current position, naming what stands there.
    fn error_here(&self, expected: &str) -> JsonError {
        let rest = &self.text[self.pos..];
        let (found, len) = match rest.chars().next() {
            None => ("the end of the input".to_string(), 0),
            Some(c) if c.is_control() || c.is_whitespace() => {
                (format!("`{}`", c.escape_default()), c.len_utf8())
            }
            Some(c) => {
                let token: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .take(20)
                    .collect();
                if token.is_empty() {
                    (format!("`{c}`"), c.len_utf8())
                } else {
                    let len = token.len();
                    (format!("`{token}`"), len)
                }
            }
        };
        JsonError {
            message: format!("{expected}, found {found}"),
            span: Span::new(self.pos, self.pos + len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> JsonError {
        parse(text).expect_err(text)
    }

    #[test]
    fn reads_every_kind_with_spans() {
        let v = parse(r#" {"a": [1, -2.5e3, true, null], "b": "x\u00e9\n"} "#).unwrap();
        assert_eq!(v.span, Span::new(1, 49));
        let JsonKind::Object(members) = &v.kind else {
            panic!("object")
        };
        assert_eq!(members[0].name, "a");
        assert_eq!(members[0].name_span, Span::new(2, 5));
        let JsonKind::Array(items) = &members[0].value.kind else {
            panic!("array")
        };
        assert_eq!(items[1].kind, JsonKind::Number("-2.5e3".into()));
        assert_eq!(items[1].span, Span::new(11, 17));
        assert_eq!(v.get("b").and_then(JsonValue::as_str), Some("xé\n"));
    }

    #[test]
    fn keeps_duplicate_members() {
        let v = parse(r#"{"a":1,"a":2}"#).unwrap();
        let JsonKind::Object(members) = v.kind else {
            panic!("object")
        };
        assert_eq!(members.len(), 2);
    }

    #[test]
    fn surrogate_pairs_and_bom() {
        let v = parse("\u{feff}\"\\ud83d\\ude00\"").unwrap();
        assert_eq!(v.as_str(), Some("😀"));
        assert_eq!(v.span, Span::new(3, 17));
        assert!(err(r#""\ud83d""#).message.contains("surrogate"));
        assert!(err(r#""\ude00x""#).message.contains("surrogate"));
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        let e = err(r#"{"a": 1,}"#);
        assert_eq!(
            e.message,
            "expected a member name in double quotes, found `}`"
        );
        assert_eq!(e.span, Span::new(8, 9));
        assert_eq!(
            err("[1 2]").message,
            "expected `,` or `]` after an array element, found `2`"
        );
        assert_eq!(
            err("True").message,
            "expected a JSON value (`true`, `false` and `null` are lowercase), found `True`"
        );
        assert_eq!(err("nope").message, "expected a JSON value, found `nope`");
        assert_eq!(
            err("{} x").message,
            "expected the end of the document after the top-level value, found `x`"
        );
        assert_eq!(
            err("").message,
            "expected a JSON value, found the end of the input"
        );
        assert!(err("01").message.contains("leading zeros"));
        assert!(err("1.").message.contains("decimal point"));
        assert!(err("1e").message.contains("exponent"));
        assert!(err("\"a\nb\"").message.contains("control characters"));
        assert!(err("\"abc").message.contains("unterminated"));
        assert!(err(r#""\x""#).message.contains("invalid escape"));
        // The span ends on a character boundary, and inside the text.
        assert_eq!(err("\"\\é\"").span, Span::new(1, 4));
        assert_eq!(err("\"\\").span, Span::new(1, 2));
        assert!(err("nul").message.contains("expected a JSON value"));
        assert!(err("NULL").message.contains("lowercase"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).message.contains("nest deeper"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&too_deep).is_err());
    }

    #[test]
    fn multibyte_text_keeps_byte_spans() {
        let v = parse(r#"{"名前": "値"}"#).unwrap();
        let JsonKind::Object(members) = &v.kind else {
            panic!("object")
        };
        assert_eq!(members[0].name_span, Span::new(1, 9));
        assert_eq!(members[0].value.span, Span::new(11, 16));
    }
}
