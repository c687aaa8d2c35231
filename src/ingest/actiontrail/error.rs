//! Why an event cannot be mapped: a stable code, the field at fault and a message.

use std::fmt;

use crate::diagnostic::Diagnostic;

/// The kinds of [`EventError`], each with its code and fix written once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    InvalidJson,
    NotAnEvent,
    DuplicateField,
    MissingField,
    InvalidField,
    NotAnApiCall,
    UnknownService,
    UnmappedAction,
    SeveralResources,
    CrossAccount,
    InvalidAssumption,
}

impl Kind {
    /// The stable code and one line saying how to fix it.
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Kind::InvalidJson => (
                "invalid-json",
                "give one ActionTrail event as JSON, or a Simple Log Service record holding it in `event`",
            ),
            Kind::NotAnEvent => (
                "not-an-event",
                "give one ActionTrail event (an object with `eventName`), or a Simple Log Service record holding it in `event`",
            ),
            Kind::DuplicateField => (
                "duplicate-field",
                "keep one of the two members: readers disagree on which one counts",
            ),
            Kind::MissingField => (
                "missing-field",
                "give the whole event as ActionTrail recorded it; docs/actiontrail.md lists the fields each request part needs",
            ),
            Kind::InvalidField => (
                "invalid-field",
                "the value cannot be part of the request RAM authorized; check the event against docs/actiontrail.md",
            ),
            Kind::NotAnApiCall => (
                "not-an-api-call",
                "only `ApiCall` events name an action RAM authorized; leave the other events out",
            ),
            Kind::UnknownService => (
                "unknown-service",
                "docs/actiontrail.md lists the services whose RAM code is known; another one is never guessed",
            ),
            Kind::UnmappedAction => (
                "unmapped-action",
                "docs/actiontrail.md lists the actions whose resource is documented; another one is never guessed",
            ),
            Kind::SeveralResources => (
                "several-resources",
                "RAM authorized the call on each resource; a request names one, so evaluate one request per resource",
            ),
            Kind::CrossAccount => (
                "cross-account",
                "evaluate the call with the policies of the account that owns the resource",
            ),
            Kind::InvalidAssumption => (
                "invalid-assumption",
                "assume a value of the key's type, e.g. `acs:MFAPresent=true` or `acs:SourceIp=10.1.2.3`",
            ),
        }
    }
}

/// An event that cannot be mapped to the request RAM authorized. It names the field at fault,
/// such as `userIdentity.type` or `requestParameters.InstanceId`, as a path from the event's
/// top level (inside a Simple Log Service record, from the event held in `event`).
///
/// Serializes as `{"code": …, "field": …, "message": …}`.
///
/// # Example
/// ```
/// use ramguard::ingest::actiontrail::EventMapping;
///
/// let error = EventMapping::new().map(r#"{"eventName": "RestoreInstance"}"#).unwrap_err();
/// assert_eq!((error.code(), error.field()), ("missing-field", "eventType"));
/// assert_eq!(
///     serde_json::to_string(&error)?,
///     r#"{"code":"missing-field","field":"eventType","message":"the event has no `eventType`"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventError {
    kind: Kind,
    field: String,
    message: String,
}

impl EventError {
    pub(super) fn new(kind: Kind, field: impl Into<String>, message: impl Into<String>) -> Self {
        EventError {
            kind,
            field: field.into(),
            message: message.into(),
        }
    }

    /// `field` is required and absent (or `null`, or empty).
    pub(super) fn missing(field: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("the event has no `{field}`");
        EventError::new(Kind::MissingField, field, message)
    }

    /// `field` holds a value that cannot be used; `why` says what it must be, and what it is.
    pub(super) fn invalid(field: impl Into<String>, why: impl fmt::Display) -> Self {
        let field = field.into();
        let message = format!("`{field}` {why}");
        EventError::new(Kind::InvalidField, field, message)
    }

    /// `field` is of another JSON type than `expected`.
    pub(super) fn wrong_type(field: impl Into<String>, expected: &str, found: &str) -> Self {
        EventError::invalid(field, format_args!("must be {expected}, found {found}"))
    }

    /// The stable code: `invalid-json`, `not-an-event`, `duplicate-field`, `missing-field`,
    /// `invalid-field`, `not-an-api-call`, `unknown-service`, `unmapped-action`,
    /// `several-resources`, `cross-account` or `invalid-assumption`.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let error = EventMapping::new().map("[1, 2]").unwrap_err();
    /// assert_eq!(error.code(), "not-an-event");
    /// ```
    pub fn code(&self) -> &'static str {
        self.kind.describe().0
    }

    /// The field at fault, as a path such as `userIdentity.type`; empty when the fault is the
    /// whole input (it is not JSON, or not an event).
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let error = EventMapping::new().map("{").unwrap_err();
    /// assert_eq!((error.code(), error.field()), ("invalid-json", ""));
    /// ```
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What is wrong, in one line.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let error = EventMapping::new().map("[]").unwrap_err();
    /// assert_eq!(error.message(), "an ActionTrail event must be a JSON object, found an array");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// One line saying how to fix it.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let error = EventMapping::new().map("[]").unwrap_err();
    /// assert_eq!(
    ///     error.help(),
    ///     "give one ActionTrail event (an object with `eventName`), or a Simple Log Service record holding it in `event`"
    /// );
    /// ```
    pub fn help(&self) -> &'static str {
        self.kind.describe().1
    }

    /// The error as a diagnostic.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let error = EventMapping::new().map("[]").unwrap_err();
    /// assert_eq!(
    ///     error.diagnostic().to_string(),
    ///     "error[not-an-event]: an ActionTrail event must be a JSON object, found an array\n  = help: give one ActionTrail event (an object with `eventName`), or a Simple Log Service record holding it in `event`"
    /// );
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.code(), self.message.clone()).with_help(self.help())
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EventError {}

impl serde::Serialize for EventError {
    /// As `{"code": …, "field": …, "message": …}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("EventError", 3)?;
        state.serialize_field("code", self.code())?;
        state.serialize_field("field", &self.field)?;
        state.serialize_field("message", &self.message)?;
        state.end()
    }
}
