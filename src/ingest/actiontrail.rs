//! ActionTrail events, each turned into the request RAM authorized and the principal that made
//! it.
//!
//! An event names the action (`serviceName` and `eventName`), the resource (in
//! `requestParameters`), the caller (`userIdentity`) and some of the condition context
//! (`sourceIpAddress`, `eventTime`, MFA, the scheme, the VPC, the user agent).
//! docs/actiontrail.md maps every field. What ActionTrail does not record, such as a key a
//! policy tests but no event carries, is supplied with [`EventMapping::assume`].
//!
//! Mapping fails closed: an event that cannot be read as exactly one request is an
//! [`EventError`] naming the field at fault, never a guess. An unknown `serviceName`, an
//! action whose resource is not documented, or an id that could change the ARN (`r-1/*`) are
//! all errors.
//!
//! ```
//! use ramguard::ingest::actiontrail::{EventMapping, EventPrincipal};
//!
//! let event = r#"{
//!   "eventId": "7D9C1E2A-0F3B-5C6D-8E9F-0A1B2C3D4E5F", "eventVersion": 1,
//!   "eventType": "ApiCall", "serviceName": "R-kvstore", "eventName": "RestoreInstance",
//!   "acsRegion": "cn-hangzhou", "eventTime": "2026-11-29T09:30:00Z",
//!   "requestParameters": {"InstanceId": "r-bp1stg01", "BackupId": "78241"},
//!   "sourceIpAddress": "203.0.113.10", "additionalEventData": {"Scheme": "https"},
//!   "userIdentity": {"type": "ram-user", "accountId": "1234567890123456", "userName": "alice",
//!     "sessionContext": {"attributes": {"mfaAuthenticated": "true"}}},
//!   "errorCode": ""
//! }"#;
//! let mapped = EventMapping::new().map(event)?;
//! assert_eq!(mapped.principal, EventPrincipal::User("alice".into()));
//! assert_eq!(mapped.request.action(), "kvstore:RestoreInstance");
//! assert_eq!(mapped.request.resource(), "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01");
//! let context: Vec<String> = mapped.request.context().iter()
//!     .map(|(key, values)| format!("{key}={}", values[0]))
//!     .collect();
//! assert_eq!(context, [
//!     "acs:CurrentTime=2026-11-29T09:30:00Z",
//!     "acs:MFAPresent=true",
//!     "acs:SecureTransport=true",
//!     "acs:SourceIp=203.0.113.10",
//! ]);
//! assert_eq!(mapped.error_code, None);
//! # Ok::<(), ramguard::ingest::actiontrail::EventError>(())
//! ```

mod context;
mod error;
mod fields;
mod identity;
mod services;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use error::EventError;
pub use identity::EventPrincipal;

use error::Kind;
use fields::Node;

use crate::context::fold_key;
use crate::json::{self, JsonKind, JsonValue};
use crate::request::{
    CURRENT_TIME_KEY, ContextInput, ContextValues, Request, RequestBuilder, RequestError,
};
use crate::value::Timestamp;

/// How events are mapped: the context values ActionTrail does not record, supplied by the user
/// (`--assume KEY=VALUE` on the command line).
///
/// An event's own value for a key always wins over an assumed one: an assumption fills only
/// what the event lacks. So assuming `acs:MFAPresent=true` cannot overturn an event that
/// records `mfaAuthenticated: "false"`.
///
/// # Example
/// ```
/// use ramguard::ingest::actiontrail::EventMapping;
///
/// let mapping = EventMapping::new().assume("acs:SourceVpc", "vpc-bp1office");
/// let mapped = mapping.map(r#"{"eventType": "ApiCall", "serviceName": "R-kvstore",
///     "eventName": "DescribeRegions", "eventTime": "2026-11-29T09:30:00Z",
///     "userIdentity": {"type": "ram-user", "userName": "alice"}}"#)?;
/// assert_eq!(mapped.request.resource(), "*");
/// assert_eq!(mapped.request.context().get("acs:SourceVpc")[0].text(), "vpc-bp1office");
/// # Ok::<(), ramguard::ingest::actiontrail::EventError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct EventMapping {
    /// Assumed keys and their values, in the order given.
    assumed: Vec<(String, ContextValues)>,
}

/// One event mapped: who asked, the request RAM authorized, and what the event says about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MappedEvent {
    /// `eventId`, when the event has one.
    pub event_id: Option<String>,
    /// `serviceName`, as recorded (`R-kvstore`).
    pub service_name: String,
    /// `eventName`, the API called (`RestoreInstance`).
    pub event_name: String,
    /// `eventTime`, when the event has it (else the request's time was assumed).
    pub event_time: Option<Timestamp>,
    /// Who made the call.
    pub principal: EventPrincipal,
    /// The request RAM authorized.
    pub request: Request,
    /// `errorCode`, when the call failed (e.g. `Forbidden.RAM`: RAM already refused it).
    pub error_code: Option<String>,
}

impl EventMapping {
    /// A mapping that assumes nothing: keys an event lacks are missing.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let mapped = EventMapping::new().map(r#"{"eventType": "ApiCall", "serviceName": "R-kvstore",
    ///     "eventName": "DescribeRegions", "eventTime": "2026-11-29T09:30:00Z",
    ///     "userIdentity": {"type": "ram-user", "userName": "alice"}}"#)?;
    /// let keys: Vec<&str> = mapped.request.context().iter().map(|(key, _)| key).collect();
    /// assert_eq!(keys, ["acs:CurrentTime"]);
    /// # Ok::<(), ramguard::ingest::actiontrail::EventError>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Assumes `values` for `key` in every event that lacks the key. The event's own value
    /// wins. Keys compare ignoring case, as RAM compares them. `acs:CurrentTime`, assumed,
    /// dates an event that has no `eventTime`.
    ///
    /// An assumption is checked when an event needs it; [`EventMapping::check`] checks them
    /// all at once.
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let mapping = EventMapping::new().assume("acs:MFAPresent", true);
    /// let event = |mfa: &str| format!(r#"{{"eventType": "ApiCall", "serviceName": "R-kvstore",
    ///     "eventName": "DescribeRegions", "eventTime": "2026-11-29T09:30:00Z",
    ///     "userIdentity": {{"type": "ram-user", "userName": "alice"{mfa}}}}}"#);
    /// // Assumed where the event is silent,
    /// let silent = mapping.map(&event(""))?;
    /// assert_eq!(silent.request.context().get("acs:MFAPresent")[0].text(), "true");
    /// // and never over the event's own value.
    /// let recorded = mapping.map(&event(r#", "sessionContext": {"attributes": {"mfaAuthenticated": "false"}}"#))?;
    /// assert_eq!(recorded.request.context().get("acs:MFAPresent")[0].text(), "false");
    /// # Ok::<(), ramguard::ingest::actiontrail::EventError>(())
    /// ```
    #[must_use]
    pub fn assume(mut self, key: impl Into<String>, values: impl Into<ContextValues>) -> Self {
        self.assumed.push((key.into(), values.into()));
        self
    }

    /// Checks every assumption at once, as a request would: a malformed key, a key assumed
    /// twice, or a value of another type than a typed global key's (`acs:MFAPresent=yes`).
    /// Call it before the first event, so that a wrong assumption is reported once.
    ///
    /// # Errors
    /// `invalid-assumption`, naming the key in [`EventError::field`].
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// assert!(EventMapping::new().assume("acs:SourceIp", "10.1.2.3").check().is_ok());
    /// let error = EventMapping::new().assume("acs:MFAPresent", "yes").check().unwrap_err();
    /// assert_eq!((error.code(), error.field()), ("invalid-assumption", "acs:MFAPresent"));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "assumed context key `acs:MFAPresent`: expected `true` or `false` in any letter case, found `yes`"
    /// );
    /// ```
    pub fn check(&self) -> Result<(), EventError> {
        let builder = self.assumed.iter().fold(
            Request::builder("kvstore:DescribeRegions", "*"),
            |b, (key, values)| b.context(key.clone(), values.clone()),
        );
        // A fixed time: a check reads no clock.
        builder
            .at(Timestamp::from_unix(0, 0))
            .build()
            .map(|_| ())
            .map_err(assumption_error)
    }

    /// Maps one event given as JSON text: a bare event, or a Simple Log Service record holding
    /// it in `event` (a JSON string, as SLS stores it, or an object).
    ///
    /// # Errors
    /// An [`EventError`] naming the field at fault: the text is not JSON, not an event, or an
    /// event that cannot be read as exactly one request (docs/actiontrail.md).
    ///
    /// # Example
    /// ```
    /// use ramguard::ingest::actiontrail::EventMapping;
    ///
    /// let record = r#"{"__topic__": "actiontrail_audit_event", "__time__": "1795771800",
    ///   "event": "{\"eventType\": \"ApiCall\", \"serviceName\": \"R-kvstore\", \"eventName\": \"RestoreInstance\", \"acsRegion\": \"cn-hangzhou\", \"eventTime\": \"2026-11-29T09:30:00Z\", \"requestParameters\": {\"InstanceId\": \"r-bp1prod01/*\"}, \"userIdentity\": {\"type\": \"ram-user\", \"accountId\": \"1234567890123456\", \"userName\": \"alice\"}}"}"#;
    /// let error = EventMapping::new().map(record).unwrap_err();
    /// assert_eq!((error.code(), error.field()), ("invalid-field", "requestParameters.InstanceId"));
    /// ```
    pub fn map(&self, text: &str) -> Result<MappedEvent, EventError> {
        let value = json::parse(text)
            .map_err(|e| EventError::new(Kind::InvalidJson, "", format!("invalid JSON: {e}")))?;
        self.map_value(&value)
    }

    /// Maps one event already parsed (an element of an array of events), as [`EventMapping::map`].
    ///
    /// # Errors
    /// As [`EventMapping::map`].
    pub(crate) fn map_value(&self, value: &JsonValue) -> Result<MappedEvent, EventError> {
        let event = unwrap_record(value)?;
        let event = Node::read(&event, "")?;
        check_api_call(&event)?;
        let service_name = event.required_string("serviceName")?;
        let service = services::service(service_name)?;
        let event_name = event.required_string("eventName")?;
        if !event_name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(EventError::invalid(
                "eventName",
                format_args!("must be an API name (letters and digits), found `{event_name}`"),
            ));
        }
        let identity = event
            .child("userIdentity")?
            .ok_or_else(|| EventError::missing("userIdentity"))?;
        let principal = identity::principal(&identity)?;
        let event_time = event_time(&event)?;
        let time = match &event_time {
            Some(time) => time.clone(),
            None => self.assumed_time()?,
        };
        let account = account(&event, &identity)?;
        let parameters_text;
        let parameters = match event.child("requestParameters")? {
            Some(parameters) => Some(parameters),
            // `requestParameterJson` holds the same parameters as a JSON string.
            None => match event.string("requestParameterJson")? {
                Some(text) => {
                    parameters_text = json::parse(text).map_err(|e| {
                        EventError::invalid(
                            "requestParameterJson",
                            format_args!("must hold a JSON object: {e}"),
                        )
                    })?;
                    Some(Node::read(&parameters_text, "requestParameterJson")?)
                }
                None => None,
            },
        };
        let resource = service.resource(event_name, parameters.as_ref(), || {
            arn_parts(&event, account)
        })?;
        let builder = Request::builder(format!("{}:{event_name}", service.ram_code), resource);
        let request = self
            .with_context(builder, &event, &identity, &time)?
            .at(time)
            .build()
            .map_err(assumption_error)?;
        Ok(MappedEvent {
            event_id: event.string("eventId")?.map(str::to_string),
            service_name: service_name.to_string(),
            event_name: event_name.to_string(),
            event_time,
            principal,
            request,
            error_code: event.string("errorCode")?.map(str::to_string),
        })
    }

    /// Adds the event's keys, then the assumed keys the event lacks.
    fn with_context(
        &self,
        mut builder: RequestBuilder,
        event: &Node<'_>,
        identity: &Node<'_>,
        time: &Timestamp,
    ) -> Result<RequestBuilder, EventError> {
        let mut given: Vec<String> = vec![fold_key(CURRENT_TIME_KEY)];
        builder = builder.context(CURRENT_TIME_KEY, time);
        for (key, values) in context::event_context(event, identity)? {
            given.push(fold_key(key));
            builder = builder.context(key, values);
        }
        for (key, values) in &self.assumed {
            if !given.contains(&fold_key(key)) {
                builder = builder.context(key.clone(), values.clone());
            }
        }
        Ok(builder)
    }

    /// The assumed `acs:CurrentTime`, for an event without `eventTime`.
    fn assumed_time(&self) -> Result<Timestamp, EventError> {
        let folded = fold_key(CURRENT_TIME_KEY);
        let (key, values) = self
            .assumed
            .iter()
            .find(|(key, _)| fold_key(key) == folded)
            .ok_or_else(|| EventError::missing("eventTime"))?;
        let invalid = |why: &str| {
            EventError::new(
                Kind::InvalidAssumption,
                key.clone(),
                format!("assumed context key `{key}`: {why}"),
            )
        };
        match values.0.as_slice() {
            [ContextInput::String(text)] => {
                Timestamp::parse_rfc3339(text).map_err(|e| invalid(&e.to_string()))
            }
            _ => Err(invalid("expected one RFC 3339 time")),
        }
    }
}

/// A request that cannot be built: only an assumption can make one (the event's own values
/// are checked as they are read).
fn assumption_error(error: RequestError) -> EventError {
    let key = match &error {
        RequestError::Key { key, .. } | RequestError::InvalidValue { key, .. } => Some(key),
        RequestError::DuplicateKey { second, .. } => Some(second),
        _ => None,
    };
    match key {
        Some(key) => EventError::new(
            Kind::InvalidAssumption,
            key.clone(),
            format!("assumed {error}"),
        ),
        None => EventError::new(Kind::InvalidField, "", error.to_string()),
    }
}

/// The event itself: `value`, or the event a Simple Log Service record holds in `event` (a
/// JSON string, as SLS stores every field, or an object).
///
/// # Errors
/// `value` is neither; the record's `event` is not JSON, or not an event.
fn unwrap_record(value: &JsonValue) -> Result<Cow<'_, JsonValue>, EventError> {
    let is_event = |node: &Node<'_>| node.has("eventName") || node.has("eventId");
    let top = Node::read(value, "")?;
    if is_event(&top) {
        return Ok(Cow::Borrowed(value));
    }
    let not_an_event = |what: &str| {
        EventError::new(
            Kind::NotAnEvent,
            "",
            format!("{what} has neither `eventName` nor `eventId`"),
        )
    };
    let event = match top.value("event").map(|v| (v, &v.kind)) {
        None => return Err(not_an_event("the object")),
        Some((_, JsonKind::String(text))) => Cow::Owned(json::parse(text).map_err(|e| {
            EventError::new(
                Kind::InvalidJson,
                "event",
                format!("the record's `event` is not JSON: {e}"),
            )
        })?),
        Some((event, JsonKind::Object(_))) => Cow::Borrowed(event),
        Some((_, other)) => {
            return Err(EventError::wrong_type(
                "event",
                "an event as a JSON string or an object",
                other.type_name(),
            ));
        }
    };
    // One level only: a record inside a record is not what SLS stores.
    if !is_event(&Node::read(&event, "")?) {
        return Err(not_an_event("the record's `event`"));
    }
    Ok(event)
}

/// Refuses an event that records no API call (`eventType` other than `ApiCall`: a console
/// sign-in, a console operation not made through the API, a service's own operation), and an
/// `eventVersion` other than `1`, the one version documented (a number or a string: both
/// appear), since a later version may change what the fields mean.
fn check_api_call(event: &Node<'_>) -> Result<(), EventError> {
    let found = match event.value("eventVersion").map(|v| &v.kind) {
        None => None,
        Some(JsonKind::Number(n)) if &**n == "1" => None,
        Some(JsonKind::String(s)) if s == "1" => None,
        Some(JsonKind::Number(n)) => Some(format!("`{n}`")),
        Some(JsonKind::String(s)) => Some(format!("`\"{s}\"`")),
        Some(other) => Some(other.type_name().to_string()),
    };
    if let Some(found) = found {
        return Err(EventError::invalid(
            "eventVersion",
            format_args!("must be `1`, the documented version, found {found}"),
        ));
    }
    match event.required_string("eventType")? {
        "ApiCall" => Ok(()),
        other => Err(EventError::new(
            Kind::NotAnApiCall,
            "eventType",
            format!("the event records a `{other}`, not an API call (`ApiCall`)"),
        )),
    }
}

/// `eventTime`, when the event has it.
///
/// # Errors
/// It is not an RFC 3339 time.
fn event_time(event: &Node<'_>) -> Result<Option<Timestamp>, EventError> {
    let Some(text) = event.string("eventTime")? else {
        return Ok(None);
    };
    Timestamp::parse_rfc3339(text).map(Some).map_err(|_| {
        EventError::invalid(
            "eventTime",
            format_args!("must be an RFC 3339 time like `2026-11-29T09:30:00Z`, found `{text}`"),
        )
    })
}

/// The region and account of an ARN: `acsRegion`, and the account [`account`] found.
///
/// # Errors
/// Either is missing, or has characters a region id or an account id does not have (a `*`
/// would make the ARN a pattern; a masked id such as `123456789012****` is no id).
fn arn_parts(
    event: &Node<'_>,
    account: Option<(&str, &str)>,
) -> Result<(String, String), EventError> {
    let region = event.required_string("acsRegion")?;
    if !region
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(EventError::invalid(
            "acsRegion",
            format_args!("must be a region id like `cn-hangzhou`, found `{region}`"),
        ));
    }
    let (field, id) = account.ok_or_else(|| EventError::missing("userIdentity.accountId"))?;
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EventError::invalid(
            field,
            format_args!("must be an account id (digits), found `{id}`"),
        ));
    }
    Ok((region.to_string(), id.to_string()))
}

/// The account that owns the resource, with the field it came from: `userIdentity.accountId`,
/// else `recipientAccountId`.
///
/// # Errors
/// `cross-account` when the two differ: the caller's account is not the one that recorded the
/// event, and kvstore has no resource-based policy that could allow such a call.
fn account<'a>(
    event: &Node<'a>,
    identity: &Node<'a>,
) -> Result<Option<(&'static str, &'a str)>, EventError> {
    let caller = identity.string("accountId")?;
    let recipient = event.string("recipientAccountId")?;
    match (caller, recipient) {
        (Some(caller), Some(recipient)) if caller != recipient => Err(EventError::new(
            Kind::CrossAccount,
            "recipientAccountId",
            format!(
                "the caller's account `{caller}` is not the account that recorded the event, `{recipient}`"
            ),
        )),
        (Some(caller), _) => Ok(Some(("userIdentity.accountId", caller))),
        (None, Some(recipient)) => Ok(Some(("recipientAccountId", recipient))),
        (None, None) => Ok(None),
    }
}
