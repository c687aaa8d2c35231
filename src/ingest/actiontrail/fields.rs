//! Reading the fields of an event: each object once (a member given twice is refused, since
//! two readers could read such an event differently), `null` and `""` read as absent, and every
//! error naming the field by its path from the event's top level.

use std::borrow::Cow;

use super::error::{EventError, Kind};
use crate::json::{JsonKind, JsonValue, Object, ShapeError};

/// An object of the event and its path (`""` for the event itself, `userIdentity`, …).
#[derive(Debug, Clone)]
pub(super) struct Node<'a> {
    object: Object<'a>,
    path: String,
}

impl<'a> Node<'a> {
    /// Reads `value`, found at `path`, as an object.
    ///
    /// # Errors
    /// `value` is not an object (`not-an-event` for the event itself), or names a member
    /// twice.
    pub(super) fn read(value: &'a JsonValue, path: &str) -> Result<Node<'a>, EventError> {
        let object = Object::strict(value, path, &[]).map_err(|e| match e {
            ShapeError::Duplicate { name, .. } => {
                let field = join(path, &name);
                let message = format!("`{field}` is given twice");
                EventError::new(Kind::DuplicateField, field, message)
            }
            ShapeError::WrongType { found, .. } if path.is_empty() => EventError::new(
                Kind::NotAnEvent,
                "",
                format!("an ActionTrail event must be a JSON object, found {found}"),
            ),
            _ => EventError::wrong_type(path, "an object", value.kind.type_name()),
        })?;
        Ok(Node {
            object,
            path: path.to_string(),
        })
    }

    /// The path of member `name`.
    pub(super) fn path(&self, name: &str) -> String {
        join(&self.path, name)
    }

    /// The value of member `name`; `None` when absent or `null`.
    pub(super) fn value(&self, name: &str) -> Option<&'a JsonValue> {
        self.object
            .get(name)
            .filter(|v| !matches!(v.kind, JsonKind::Null))
    }

    /// Whether member `name` is given (even as `null`).
    pub(super) fn has(&self, name: &str) -> bool {
        self.object.get(name).is_some()
    }

    /// The object member `name`, if given.
    ///
    /// # Errors
    /// It is not an object, or names a member twice.
    pub(super) fn child(&self, name: &str) -> Result<Option<Node<'a>>, EventError> {
        self.value(name)
            .map(|value| Node::read(value, &self.path(name)))
            .transpose()
    }

    /// The string member `name`; `None` when absent, `null` or empty.
    ///
    /// # Errors
    /// It is not a string.
    pub(super) fn string(&self, name: &str) -> Result<Option<&'a str>, EventError> {
        match self.value(name) {
            None => Ok(None),
            Some(value) => match &value.kind {
                JsonKind::String(s) if s.is_empty() => Ok(None),
                JsonKind::String(s) => Ok(Some(s)),
                other => Err(EventError::wrong_type(
                    self.path(name),
                    "a string",
                    other.type_name(),
                )),
            },
        }
    }

    /// The string member `name`.
    ///
    /// # Errors
    /// It is absent, `null` or empty, or not a string.
    pub(super) fn required_string(&self, name: &str) -> Result<&'a str, EventError> {
        self.string(name)?
            .ok_or_else(|| EventError::missing(self.path(name)))
    }

    /// The member `name` as text: a string, or a number as its JSON text (request parameters
    /// hold either); `None` when absent, `null` or empty.
    ///
    /// # Errors
    /// It is of another JSON type.
    pub(super) fn text(&self, name: &str) -> Result<Option<Cow<'a, str>>, EventError> {
        match self.value(name) {
            None => Ok(None),
            Some(value) => match &value.kind {
                JsonKind::String(s) if s.is_empty() => Ok(None),
                JsonKind::String(s) => Ok(Some(Cow::Borrowed(s))),
                JsonKind::Number(n) => Ok(Some(Cow::Borrowed(n))),
                other => Err(EventError::wrong_type(
                    self.path(name),
                    "a string or a number",
                    other.type_name(),
                )),
            },
        }
    }
}

/// `parent.name`, or `name` at the top level.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}
