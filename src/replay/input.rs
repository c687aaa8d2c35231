//! Reading a log into items to decide: JSON Lines (a request or an event per line, blank lines
//! skipped with their numbers kept), or one JSON document of ActionTrail events (an array, a
//! LookupEvents response, a `{"Records": [...]}` file). Every read is bounded: a line longer
//! than the limit is an error item, and input with no line end at all stops the run.

use std::io::{self, BufRead, Read};

use crate::json::{self, JsonKind, JsonValue};

/// What a log holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputFormat {
    /// Request objects, one per line, as `eval --request` reads them.
    Requests,
    /// ActionTrail events: one per line (bare, or in a Simple Log Service record's `event`), or
    /// a JSON document holding them.
    ActionTrail,
}

/// Bounds on what is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The longest line decided; a longer one is an error item.
    pub(crate) max_line_bytes: usize,
    /// The largest JSON document (an array of events) read whole.
    pub(crate) max_document_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: crate::limits::MAX_LINE_BYTES,
            max_document_bytes: crate::limits::MAX_ACCOUNT_BYTES,
        }
    }
}

/// A line with no end after this many times the line limit is not a log: the run stops.
const NO_END_FACTOR: usize = 16;

/// One thing to decide, and where it is.
#[derive(Debug)]
pub(crate) struct Item {
    /// The 1-based line its text starts on.
    pub(crate) line: usize,
    /// Its position in the array that held it, when it came from one.
    pub(crate) index: Option<usize>,
    /// What was read.
    pub(crate) content: Content,
}

/// What was read for one item.
#[derive(Debug)]
pub(crate) enum Content {
    /// One line of text.
    Line(String),
    /// One element of a JSON array.
    Value(JsonValue),
    /// A line that could not be read as text.
    Unreadable(Unreadable),
}

/// Why a line could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// A byte that is not UTF-8, at this 0-based offset in the line.
    NotUtf8 { offset: usize },
    /// Longer than the limit, in bytes.
    TooLong { limit: usize },
}

/// Input that cannot be replayed at all: the run stops, with a message that says why.
#[derive(Debug)]
pub(crate) enum InputError {
    /// Reading failed.
    Io(io::Error),
    /// A line runs on with no end: not a line-oriented log.
    NoLineEnd { line: usize, read: usize },
    /// A JSON value spans several lines in a request log: not JSON Lines.
    NotJsonLines { line: usize },
    /// A multi-line document is invalid JSON.
    InvalidDocument {
        line: usize,
        column: usize,
        message: String,
    },
    /// A multi-line document holds no events.
    NotEvents { line: usize, found: &'static str },
    /// A document longer than the limit.
    DocumentTooLarge { limit: usize },
    /// `auto` could not tell requests from events.
    UnknownFormat { line: usize },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Io(e) => write!(f, "{e}"),
            InputError::NoLineEnd { line, read } => write!(
                f,
                "line {line} has no end after {read} bytes: the input is not a line-oriented log"
            ),
            InputError::NotJsonLines { line } => write!(
                f,
                "the input is not JSON Lines: the JSON value on line {line} continues on the next line"
            ),
            InputError::InvalidDocument {
                line,
                column,
                message,
            } => write!(f, "invalid JSON at line {line}, column {column}: {message}"),
            InputError::NotEvents { line, found } => write!(
                f,
                "the document starting on line {line} is {found}, not ActionTrail events"
            ),
            InputError::DocumentTooLarge { limit } => {
                write!(f, "the JSON document is larger than {limit} bytes")
            }
            InputError::UnknownFormat { line } => write!(
                f,
                "cannot tell from line {line} whether the input holds requests or ActionTrail events"
            ),
        }
    }
}

impl InputError {
    /// One line saying how to fix it.
    pub(crate) fn help(&self) -> &'static str {
        match self {
            InputError::Io(_) => "check that the input can be read",
            InputError::NoLineEnd { .. } => {
                "give a JSON Lines file; raise --max-line-bytes if its lines are that long"
            }
            InputError::NotJsonLines { .. } => {
                "write one request per line, e.g. `jq -c . requests.json > requests.jsonl`"
            }
            InputError::InvalidDocument { .. } => "fix the JSON at this position",
            InputError::NotEvents { .. } => {
                "give an array of events, a LookupEvents response or one event per line"
            }
            InputError::DocumentTooLarge { .. } => {
                "split it into events, one per line: `jq -c '.[]' events.json > events.jsonl`"
            }
            InputError::UnknownFormat { .. } => "give --input-format requests or actiontrail",
        }
    }
}

impl From<io::Error> for InputError {
    fn from(e: io::Error) -> Self {
        InputError::Io(e)
    }
}

/// A non-blank line and its 1-based number: its text, or why it is not readable.
type Line = (usize, Result<String, Unreadable>);

/// Reads items from a log. Lines are read as bytes within the line limit, so that a line that
/// is not UTF-8 or is too long becomes an error item instead of ending the run.
pub(crate) struct ItemReader<R> {
    input: R,
    format: Option<InputFormat>,
    limits: Limits,
    line: usize,
    buffer: Vec<u8>,
    /// Items read ahead (while telling the format, or from one line's or document's array).
    pending: std::collections::VecDeque<Item>,
    /// Whether an item was read (the first one is checked for a multi-line value).
    started: bool,
}

impl<R: BufRead> ItemReader<R> {
    /// A reader of `input`; `format` is `None` to tell it from the input.
    pub(crate) fn new(input: R, format: Option<InputFormat>, limits: Limits) -> Self {
        ItemReader {
            input,
            format,
            limits,
            line: 0,
            buffer: Vec::new(),
            pending: std::collections::VecDeque::new(),
            started: false,
        }
    }

    /// The format of the input: the one given, or the one told from its first JSON line.
    ///
    /// # Errors
    /// The input cannot be read, or its first JSON value fits neither format.
    pub(crate) fn format(&mut self) -> Result<InputFormat, InputError> {
        if let Some(format) = self.format {
            return Ok(format);
        }
        // Read ahead to the first line that is JSON; the lines before it stay pending.
        while let Some((line, text)) = self.next_line()? {
            let Ok(text) = text else {
                self.pending.push_back(unreadable(line, text));
                continue;
            };
            let format = match json::parse(&text) {
                Ok(value) => tell_format(&value),
                // A value that runs on past its line: a document, which only events come in.
                Err(e) if e.span.start >= text.trim_end().len() => {
                    self.format = Some(InputFormat::ActionTrail);
                    self.read_document(line, text)?;
                    return Ok(InputFormat::ActionTrail);
                }
                Err(_) => {
                    self.pending.push_back(Item {
                        line,
                        index: None,
                        content: Content::Line(text),
                    });
                    continue;
                }
            };
            let format = format.ok_or(InputError::UnknownFormat { line })?;
            self.pending.push_back(Item {
                line,
                index: None,
                content: Content::Line(text),
            });
            self.format = Some(format);
            return Ok(format);
        }
        // Nothing but unreadable or invalid lines: they are error records in either format.
        self.format = Some(InputFormat::Requests);
        Ok(InputFormat::Requests)
    }

    /// Reads the first item ahead, so that input that is no log of its format is refused
    /// before anything is written (a pretty-printed request file, say).
    ///
    /// # Errors
    /// As [`ItemReader::next_item`].
    pub(crate) fn check_start(&mut self) -> Result<(), InputError> {
        if let Some(item) = self.next_item()? {
            self.pending.push_front(item);
        }
        Ok(())
    }

    /// The next item, or `None` at the end of the input.
    ///
    /// # Errors
    /// Reading failed, or the input is not a log of the format (see [`InputError`]).
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>, InputError> {
        let format = self.format()?;
        loop {
            let item = match self.pending.pop_front() {
                Some(Item {
                    line,
                    content: Content::Line(text),
                    ..
                }) => self.read_item(line, text, format)?,
                Some(item) => Some(item),
                None => match self.next_line()? {
                    None => return Ok(None),
                    Some((line, Ok(text))) => self.read_item(line, text, format)?,
                    Some((line, text)) => Some(unreadable(line, text)),
                },
            };
            // `None`: a document's events were queued; take the first.
            if let Some(item) = item {
                return Ok(Some(item));
            }
        }
    }

    /// One line as an item. Events are parsed here, once: a line holding an array (or a
    /// LookupEvents or `Records` object) queues its elements, and a value that continues on
    /// the next lines is read as a document (`None`: its events are queued). Requests are
    /// parsed when decided, except the first line, which must not start a multi-line value:
    /// a pretty-printed file is not a log.
    fn read_item(
        &mut self,
        line: usize,
        text: String,
        format: InputFormat,
    ) -> Result<Option<Item>, InputError> {
        let first = !self.started;
        self.started = true;
        let as_line = |text| {
            Ok(Some(Item {
                line,
                index: None,
                content: Content::Line(text),
            }))
        };
        if format == InputFormat::Requests && !first {
            return as_line(text);
        }
        let value = match json::parse(&text) {
            Ok(value) => value,
            // The value continues on the next line.
            Err(e) if e.span.start >= text.trim_end().len() => {
                return match format {
                    InputFormat::Requests => Err(InputError::NotJsonLines { line }),
                    InputFormat::ActionTrail => {
                        self.read_document(line, text)?;
                        Ok(None)
                    }
                };
            }
            Err(_) => return as_line(text),
        };
        if format == InputFormat::Requests {
            return as_line(text);
        }
        let mut events = match event_list(value) {
            Ok(events) => events.into_iter().enumerate(),
            Err(value) => {
                return Ok(Some(Item {
                    line,
                    index: None,
                    content: Content::Value(value),
                }));
            }
        };
        let Some((_, first)) = events.next() else {
            return Err(InputError::NotEvents {
                line,
                found: "an empty list",
            });
        };
        for (index, value) in events.rev() {
            self.pending.push_front(Item {
                line,
                index: Some(index),
                content: Content::Value(value),
            });
        }
        Ok(Some(Item {
            line,
            index: Some(0),
            content: Content::Value(first),
        }))
    }

    /// Reads the rest of a multi-line document that starts with `first` on line `line`, and
    /// queues its events with the line each starts on.
    fn read_document(&mut self, line: usize, first: String) -> Result<(), InputError> {
        let limit = self.limits.max_document_bytes;
        let mut text = first;
        text.push('\n');
        let mut rest = Vec::new();
        (&mut self.input)
            .take((limit.saturating_sub(text.len()) + 1) as u64)
            .read_to_end(&mut rest)?;
        if text.len() + rest.len() > limit {
            return Err(InputError::DocumentTooLarge { limit });
        }
        let rest = String::from_utf8(rest).map_err(|e| InputError::InvalidDocument {
            line: line + count_lines(&e.as_bytes()[..e.utf8_error().valid_up_to()]) + 1,
            column: 1,
            message: "the text is not UTF-8".into(),
        })?;
        text.push_str(&rest);
        let value = json::parse(&text).map_err(|e| {
            let before = &text[..e.span.start.min(text.len())];
            let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
            InputError::InvalidDocument {
                line: line + before.matches('\n').count(),
                column,
                message: e.message,
            }
        })?;
        let found = value.kind.type_name();
        let events = match event_list(value) {
            Ok(events) => events,
            // One event written over several lines.
            Err(value) if tell_format(&value) == Some(InputFormat::ActionTrail) => vec![value],
            Err(_) => return Err(InputError::NotEvents { line, found }),
        };
        let starts: Vec<usize> = events
            .iter()
            .map(|event| line + text[..event.span.start].matches('\n').count())
            .collect();
        for (index, (event, start)) in events.into_iter().zip(starts).enumerate() {
            self.pending.push_back(Item {
                line: start,
                index: Some(index),
                content: Content::Value(event),
            });
        }
        self.line = line + text.matches('\n').count();
        Ok(())
    }

    /// The next non-blank line and its number: its text, or why it is not readable.
    fn next_line(&mut self) -> Result<Option<Line>, InputError> {
        loop {
            self.buffer.clear();
            let Some(too_long) = self.read_line()? else {
                return Ok(None);
            };
            self.line += 1;
            if too_long {
                let limit = self.limits.max_line_bytes;
                return Ok(Some((self.line, Err(Unreadable::TooLong { limit }))));
            }
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let end = self.buffer.len()
                - usize::from(self.buffer.ends_with(b"\n"))
                - usize::from(self.buffer.ends_with(b"\r\n"));
            let text = std::str::from_utf8(&self.buffer[..end])
                .map(str::to_string)
                .map_err(|e| Unreadable::NotUtf8 {
                    offset: e.valid_up_to(),
                });
            return Ok(Some((self.line, text)));
        }
    }

    /// Reads one line into the buffer, keeping at most the line limit (plus its line end);
    /// `Some(true)` when it was longer, `None` at the end of the input.
    fn read_line(&mut self) -> Result<Option<bool>, InputError> {
        let limit = self.limits.max_line_bytes;
        let mut read = 0usize;
        let mut too_long = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if available.is_empty() {
                return Ok((read > 0).then_some(too_long));
            }
            let (chunk, ends) = match memchr::memchr(b'\n', available) {
                Some(at) => (&available[..=at], true),
                None => (available, false),
            };
            if !too_long {
                if self.buffer.len() + chunk.len() > limit + 2 {
                    too_long = true;
                    self.buffer.clear();
                } else {
                    self.buffer.extend_from_slice(chunk);
                }
            }
            let used = chunk.len();
            self.input.consume(used);
            read += used;
            if ends {
                return Ok(Some(too_long));
            }
            if read > limit.saturating_mul(NO_END_FACTOR) {
                return Err(InputError::NoLineEnd {
                    line: self.line + 1,
                    read,
                });
            }
        }
    }
}

fn unreadable(line: usize, text: Result<String, Unreadable>) -> Item {
    let content = match text {
        Ok(text) => Content::Line(text),
        Err(why) => Content::Unreadable(why),
    };
    Item {
        line,
        index: None,
        content,
    }
}

/// The format a first JSON value belongs to, if it tells.
fn tell_format(value: &JsonValue) -> Option<InputFormat> {
    match &value.kind {
        JsonKind::Array(_) => Some(InputFormat::ActionTrail),
        JsonKind::Object(_) => {
            let has = |name: &str| value.get(name).is_some();
            if has("action") || has("resource") {
                Some(InputFormat::Requests)
            } else if [
                "eventId",
                "eventName",
                "userIdentity",
                "event",
                "Events",
                "Records",
            ]
            .iter()
            .any(|name| has(name))
            {
                Some(InputFormat::ActionTrail)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The events a value holds as a list: an array, a LookupEvents response (`Events`), or a
/// `{"Records": [...]}` file; the value itself, back, when it is not a list (a single event).
fn event_list(value: JsonValue) -> Result<Vec<JsonValue>, JsonValue> {
    let JsonValue { kind, span } = value;
    match kind {
        JsonKind::Array(items) => Ok(items),
        JsonKind::Object(mut members) => {
            let list = members.iter().position(|m| {
                (m.name == "Events" || m.name == "Records")
                    && matches!(m.value.kind, JsonKind::Array(_))
            });
            match list.map(|at| members.swap_remove(at).value.kind) {
                Some(JsonKind::Array(items)) => Ok(items),
                _ => Err(JsonValue {
                    kind: JsonKind::Object(members),
                    span,
                }),
            }
        }
        kind => Err(JsonValue { kind, span }),
    }
}

fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}
