//! Requests: the action, the resource and the condition context, prepared once so that every
//! statement can be matched against them without allocating.

use std::fmt;

use crate::arn::{self, Arn, ArnError};
pub use crate::context::{Context, ContextInput, ContextValue, ContextValues};
use crate::context::{
    ContextEntry, KeyInfo, fold_key, global_key, is_valid_key, key_info, suggest_key,
};
use crate::diagnostic::Diagnostic;
use crate::json::{self, JsonKind, JsonValue, Object, ShapeError};
use crate::limits::{MAX_LIST_ENTRIES, MAX_VALUE_CHARS, exceeds_chars};
use crate::pattern::{Fields, fold_case};
use crate::span::{Source, Span, is_hidden};
use crate::value::{self, Family, Timestamp};
use std::sync::Arc;

/// The action every restore is authorized as.
pub const RESTORE_INSTANCE_ACTION: &str = "kvstore:RestoreInstance";

/// The resource of a request for an action that cannot be authorized at the resource level
/// (the API reference's "All Resources", e.g. `kvstore:DescribeRegions`).
pub const ANY_RESOURCE: &str = "*";

/// The global key holding the time of the request.
pub const CURRENT_TIME_KEY: &str = "acs:CurrentTime";

/// Keys RAM knows on every call, so they cannot be declared absent (docs/semantics.md §3).
pub const ALWAYS_KNOWN_KEYS: &[&str] = &[CURRENT_TIME_KEY, "acs:SecureTransport"];

/// A request to authorize: who asks is implied by the policies evaluated; this is what is asked.
#[derive(Debug, Clone)]
pub struct Request {
    action: String,
    action_folded: String,
    service_folded_len: usize,
    /// Where the account id stands in `resource`; `None` for the resource `*`.
    account: Option<std::ops::Range<usize>>,
    resource: String,
    /// The offsets of the resource's colons, when it has exactly four: patterns match it field
    /// by field.
    resource_colons: Option<[usize; 4]>,
    context: Context,
}

impl Request {
    /// Starts a request for `action` on `resource`.
    ///
    /// # Example
    /// ```
    /// use ramguard::Request;
    ///
    /// let request = Request::builder("kvstore:RestoreInstance", "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-1")
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:TagKeys", vec!["env", "team"])
    ///     .build()?;
    /// assert_eq!(request.context().get("ACS:SOURCEIP")[0].text(), "10.1.2.3");
    ///
    /// // Keys are case-insensitive, so two spellings of one key are refused.
    /// let twice = Request::builder("kvstore:RestoreInstance", "acs:kvstore:cn-hangzhou:1:instance/r-1")
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("ACS:SourceIP", "10.1.2.4")
    ///     .build();
    /// assert_eq!(twice.unwrap_err().code(), "duplicate-context-key");
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn builder(action: impl Into<String>, resource: impl Into<String>) -> RequestBuilder {
        RequestBuilder {
            action: action.into(),
            resource: resource.into(),
            spans: None,
            context: Vec::new(),
            absent: Vec::new(),
            now: None,
        }
    }

    /// Starts a `kvstore:RestoreInstance` request on an instance's ARN,
    /// `acs:kvstore:{region}:{account_id}:instance/{instance_id}`.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01")
    ///     .context("acs:MFAPresent", true)
    ///     .build()?;
    /// assert_eq!(request.action(), "kvstore:RestoreInstance");
    /// assert_eq!(request.resource(), "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01");
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn restore_instance(region: &str, account_id: &str, instance_id: &str) -> RequestBuilder {
        Self::builder(
            RESTORE_INSTANCE_ACTION,
            arn::kvstore_instance_arn(region, account_id, instance_id),
        )
    }

    /// The action, as given: its letter case is kept, though actions match ignoring it.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let request = Request::builder("kvstore:DescribeBackups", "*").build()?;
    /// assert_eq!(request.action(), "kvstore:DescribeBackups");
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The action folded to lower case, as action patterns are matched.
    pub(crate) fn action_folded(&self) -> &str {
        &self.action_folded
    }

    /// The folded RAM code of the action (`kvstore`).
    pub(crate) fn service_folded(&self) -> &str {
        &self.action_folded[..self.service_folded_len]
    }

    /// The resource's five fields, when it has exactly four colons (split once, at build).
    pub(crate) fn resource_fields(&self) -> Option<Fields<'_>> {
        let [a, b, c, d] = self.resource_colons?;
        let r = &self.resource;
        Some([
            &r[..a],
            &r[a + 1..b],
            &r[b + 1..c],
            &r[c + 1..d],
            &r[d + 1..],
        ])
    }

    /// The resource ARN, or `*` for an action without resource-level authorization.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// assert_eq!(request.resource(), "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01");
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The account id of the resource ARN; `None` for the resource `*`, which names no
    /// account and is taken to be in the principal's own (docs/semantics.md §2).
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let restore = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01").build()?;
    /// assert_eq!(restore.resource_account(), Some("1234567890123456"));
    /// let regions = Request::builder("kvstore:DescribeRegions", "*").build()?;
    /// assert_eq!(regions.resource_account(), None);
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn resource_account(&self) -> Option<&str> {
        let account = self.account.clone()?;
        Some(self.resource.get(account).unwrap_or(""))
    }

    /// The condition context: the keys given, and `acs:CurrentTime`, which every request has
    /// (the time given to [`RequestBuilder::at`], else the clock's when it was built).
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    /// use ramguard::value::Timestamp;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?)
    ///     .build()?;
    /// let keys: Vec<&str> = request.context().iter().map(|(key, _)| key).collect();
    /// assert_eq!(keys, ["acs:CurrentTime", "acs:SourceIp"]);
    /// assert_eq!(request.context().get("acs:currenttime")[0].text(), "2026-11-29T09:30:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Doubts about the request that do not make it invalid: `acs:` keys RAM does not have
    /// (a typo such as `acs:MFAPresnt` is evaluated as a key of its own, so conditions on the
    /// real key see it missing). Service keys are never doubted: their vocabulary is their
    /// service's.
    ///
    /// # Example
    /// ```
    /// use ramguard::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-1")
    ///     .context("acs:MFAPresnt", true)
    ///     .context("kvstore:Anything", "x")
    ///     .build()?;
    /// let warnings: Vec<String> = request.warnings().iter().map(ToString::to_string).collect();
    /// assert_eq!(warnings, ["unknown global condition key `acs:MFAPresnt`: did you mean `acs:MFAPresent`?"]);
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn warnings(&self) -> Vec<RequestWarning> {
        let given = self.context.entries.iter().map(|e| e.key.as_str());
        given
            .filter(|key| key_info(key) == KeyInfo::Unknown)
            .map(|key| RequestWarning::UnknownGlobalKey {
                key: key.to_string(),
                suggestion: suggest_key(key),
            })
            .collect()
    }

    /// Reads a request file: `{"action": …, "resource": …, "context": {key: value | [values]},
    /// "absent": [keys]}`; `absent` lists keys the real call does not carry (see
    /// [`RequestBuilder::absent`]) and may be left out.
    ///
    /// # Errors
    /// Invalid JSON, unknown or missing members, values of the wrong type, or an invalid request.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/requests/dba-restore-prod.json");
    /// let request = Request::from_json_text(&std::fs::read_to_string(path)?)?;
    /// assert_eq!(request.resource(), "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01");
    /// assert_eq!(request.context().get("acs:MFAPresent")[0].text(), "true");
    ///
    /// let vpc = Request::from_json_text(r#"{"action": "kvstore:RestoreInstance",
    ///     "resource": "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01",
    ///     "context": {"acs:CurrentTime": "2026-11-29T09:30:00Z"}, "absent": ["acs:SourceIp"]}"#)?;
    /// assert_eq!(vpc.context().declared_absent().collect::<Vec<_>>(), ["acs:sourceip"]);
    ///
    /// let error = Request::from_json_text(r#"{"action": "kvstore:RestoreInstance"}"#).unwrap_err();
    /// assert_eq!(error.to_string(), "the request has no `resource`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json_text(text: &str) -> Result<Request, RequestError> {
        let root = json::parse(text).map_err(|e| RequestError::Json {
            message: e.message,
            span: e.span,
        })?;
        Self::from_json(root)
    }

    /// Reads a request from parsed JSON (see [`Request::from_json_text`]); an `"id"` member is
    /// allowed and ignored, so that request logs can carry one.
    ///
    /// # Errors
    /// As [`Request::from_json_text`].
    pub(crate) fn from_json(root: JsonValue) -> Result<Request, RequestError> {
        // Checked on the borrowed value first, so that errors are the object reader's; then
        // the strings are moved out, not copied: request logs are read by the million.
        let object = Object::strict(&root, "request", REQUEST_MEMBERS)?;
        let span_of = |name: &'static str| -> Result<Span, RequestError> {
            let value = object.required(name)?;
            json::string(value, name)?;
            Ok(value.span)
        };
        let action_span = span_of("action")?;
        let resource_span = span_of("resource")?;
        if let Some(context) = object.get("context") {
            // Keys are checked by the builder, which compares them ignoring case.
            let JsonKind::Object(entries) = &context.kind else {
                return Err(ShapeError::WrongType {
                    element: "context".into(),
                    expected: "an object of key → value or list of values",
                    found: context.kind.type_name(),
                    span: context.span,
                }
                .into());
            };
            for entry in entries {
                context_values(&entry.value).map_err(|found| RequestError::ContextValueType {
                    key: entry.name.clone(),
                    found,
                    span: entry.value.span,
                })?;
            }
        }
        if let Some(absent) = object.get("absent") {
            for key in json::array(absent, "absent", "a list of condition keys")? {
                json::string(key, "absent")?;
            }
        }
        let JsonKind::Object(members) = root.kind else {
            unreachable_request()?
        };
        let mut builder = Request::builder(String::new(), String::new());
        for member in members {
            match (member.name.as_str(), member.value.kind) {
                ("action", JsonKind::String(action)) => builder.action = action,
                ("resource", JsonKind::String(resource)) => builder.resource = resource,
                ("context", JsonKind::Object(entries)) => {
                    for entry in entries {
                        let span = Some(entry.name_span);
                        let values = into_context_values(entry.value);
                        builder.context.push((entry.name, values, span));
                    }
                }
                ("absent", JsonKind::Array(keys)) => {
                    for key in keys {
                        if let JsonKind::String(key) = key.kind {
                            builder.absent.push(key);
                        }
                    }
                }
                _ => {}
            }
        }
        // The builder checks the action and resource; the file knows where they stand.
        builder.spans = Some((action_span, resource_span));
        builder.build()
    }
}

/// Refuses `text` when it is longer than a request may hold ([`MAX_VALUE_CHARS`]); `what`
/// names it, written only on failure: requests are built by the million.
fn check_length(
    text: &str,
    what: impl FnOnce() -> String,
    span: Option<Span>,
) -> Result<(), RequestError> {
    match exceeds_chars(text, MAX_VALUE_CHARS) {
        None => Ok(()),
        Some(found) => Err(RequestError::LimitExceeded {
            what: what(),
            unit: "characters",
            found,
            limit: MAX_VALUE_CHARS,
            span,
        }),
    }
}

/// Refuses a list of more than [`MAX_LIST_ENTRIES`] entries.
fn check_count(
    count: usize,
    what: impl FnOnce() -> String,
    span: Option<Span>,
) -> Result<(), RequestError> {
    if count <= MAX_LIST_ENTRIES {
        return Ok(());
    }
    Err(RequestError::LimitExceeded {
        what: what(),
        unit: "entries",
        found: count,
        limit: MAX_LIST_ENTRIES,
        span,
    })
}

/// The members a request object may have.
const REQUEST_MEMBERS: &[&str] = &["action", "resource", "context", "absent", "id"];

/// Reads one context entry's value: a string, boolean or number, or an array of them; the
/// JSON type found otherwise.
/// The values of a context entry already checked by [`context_values`], moved out.
fn into_context_values(value: JsonValue) -> Vec<ContextInput> {
    let one = |v: JsonValue| match v.kind {
        JsonKind::String(s) => Some(ContextInput::String(s)),
        JsonKind::Bool(b) => Some(ContextInput::Bool(b)),
        JsonKind::Number(n) => Some(ContextInput::Number(n.into())),
        _ => None,
    };
    match value.kind {
        JsonKind::Array(items) => items.into_iter().filter_map(one).collect(),
        kind => one(JsonValue {
            kind,
            span: value.span,
        })
        .into_iter()
        .collect(),
    }
}

/// A request that passed the object reader is an object; this says so to the compiler.
fn unreachable_request<T>() -> Result<T, RequestError> {
    Err(RequestError::Shape(ShapeError::WrongType {
        element: "request".into(),
        expected: "an object",
        found: "another value",
        span: Span::new(0, 0),
    }))
}

fn context_values(value: &JsonValue) -> Result<Vec<ContextInput>, &'static str> {
    let one = |v: &JsonValue| match &v.kind {
        JsonKind::String(s) => Ok(ContextInput::String(s.clone())),
        JsonKind::Bool(b) => Ok(ContextInput::Bool(*b)),
        JsonKind::Number(n) => Ok(ContextInput::Number(n.to_string())),
        other => Err(other.type_name()),
    };
    match &value.kind {
        JsonKind::Array(items) => items.iter().map(one).collect(),
        _ => one(value).map(|v| vec![v]),
    }
}

/// The offsets of a text's colons, when it has exactly four.
fn colons(text: &str) -> Option<[usize; 4]> {
    let mut at = memchr::memchr_iter(b':', text.as_bytes());
    let colons = [at.next()?, at.next()?, at.next()?, at.next()?];
    at.next().is_none().then_some(colons)
}

/// Builds a [`Request`], checking it once complete.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    action: String,
    resource: String,
    /// Where the action and the resource stand, for a request read from a file.
    spans: Option<(Span, Span)>,
    context: Vec<(String, Vec<ContextInput>, Option<Span>)>,
    absent: Vec<String>,
    now: Option<Timestamp>,
}

impl RequestBuilder {
    /// Adds a condition key with one value, or several (`Vec<&str>`, `Vec<String>`). Keys are
    /// checked by [`RequestBuilder::build`].
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:ResourceTag/env", vec!["staging", "shared"])
    ///     .build()?;
    /// assert_eq!(request.context().get("acs:MFAPresent")[0].text(), "true");
    /// assert_eq!(request.context().get("acs:ResourceTag/env").len(), 2);
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn context(
        mut self,
        key: impl Into<String>,
        value: impl Into<ContextValues>,
    ) -> RequestBuilder {
        self.context.push((key.into(), value.into().0, None));
        self
    }

    /// Declares that the real call carries no value for `key`, as a call from a VPC carries no
    /// public `acs:SourceIp`. The key is evaluated as missing either way; the declaration says
    /// the decision may depend on its absence, so [`crate::PolicySet::depends_on`] does not
    /// list it and the restore guard can clear a call that relies on it.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let from_vpc = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .absent("acs:SourceIp")
    ///     .build()?;
    /// assert!(from_vpc.context().get("acs:SourceIp").is_empty());
    /// // The context lists declared keys folded to lower case.
    /// assert_eq!(from_vpc.context().declared_absent().collect::<Vec<_>>(), ["acs:sourceip"]);
    ///
    /// // RAM knows the time and the transport of every call.
    /// let error = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .absent("acs:SecureTransport")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(error.code(), "always-known-key");
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn absent(mut self, key: impl Into<String>) -> RequestBuilder {
        self.absent.push(key.into());
        self
    }

    /// Sets the time of the request, the value of `acs:CurrentTime` unless the context sets it.
    /// Without it the real clock is read when the request is built.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    /// use ramguard::value::Timestamp;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?)
    ///     .build()?;
    /// assert_eq!(request.context().get("acs:CurrentTime")[0].text(), "2026-11-29T09:30:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn at(mut self, now: Timestamp) -> RequestBuilder {
        self.now = Some(now);
        self
    }
    /// Refuses a request over ramguard's limits ([`crate::limits`]) before anything is read
    /// from it: no part of it is longer, and no list has more entries, than the engine bounds.
    fn check_limits(&self) -> Result<(), RequestError> {
        let (action_span, resource_span) = self.spans.unzip();
        check_length(&self.action, || "the action".into(), action_span)?;
        check_length(&self.resource, || "the resource".into(), resource_span)?;
        check_count(self.context.len(), || "the context".into(), None)?;
        check_count(self.absent.len(), || "`absent`".into(), None)?;
        for (key, values, span) in &self.context {
            check_length(key, || "a context key".into(), *span)?;
            check_count(values.len(), || format!("context key `{key}`"), *span)?;
            for value in values {
                if let ContextInput::String(text) | ContextInput::Number(text) = value {
                    check_length(text, || format!("a value of context key `{key}`"), *span)?;
                }
            }
        }
        for key in &self.absent {
            check_length(key, || "an `absent` key".into(), None)?;
        }
        Ok(())
    }

    /// Checks and prepares the request.
    ///
    /// # Errors
    /// An action that is not `<ram-code>:<action-name>`, a resource that is not an `acs:` ARN, a
    /// malformed condition key, two keys equal ignoring case, a value RAM never sends for a
    /// typed global key (`acs:MFAPresent: "yes"`), or a key declared absent that is given a
    /// value or that RAM knows on every call (docs/semantics.md §3).
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let arn = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01";
    /// assert!(Request::builder("kvstore:RestoreInstance", arn).build().is_ok());
    ///
    /// let code = |builder: ramguard::request::RequestBuilder| builder.build().unwrap_err().code();
    /// assert_eq!(code(Request::builder("RestoreInstance", arn)), "invalid-action");
    /// assert_eq!(code(Request::builder("kvstore:RestoreInstance", "r-bp1stg01")), "invalid-resource");
    /// assert_eq!(code(Request::builder("kvstore:RestoreInstance", arn).context("MFAPresent", true)), "invalid-context-key");
    /// assert_eq!(code(Request::builder("kvstore:RestoreInstance", arn).context("acs:MFAPresent", "yes")), "invalid-context-value");
    /// ```
    pub fn build(self) -> Result<Request, RequestError> {
        self.check_limits()?;
        let service_len = match self.action.split_once(':') {
            Some((service, name))
                if !service.is_empty() && !name.is_empty() && !name.contains(':') =>
            {
                service.len()
            }
            _ => {
                return Err(RequestError::Action {
                    action: self.action,
                    span: self.spans.map(|(action, _)| action),
                });
            }
        };
        let resource_span = self.spans.map(|(_, resource)| resource);
        if let Some(hidden) = self.resource.chars().find(|&c| is_hidden(c)) {
            return Err(RequestError::Resource {
                reason: format!(
                    "it holds the hidden character U+{:04X}, which no resource name has",
                    u32::from(hidden)
                ),
                resource: self.resource,
                span: resource_span,
            });
        }
        let account = if self.resource == ANY_RESOURCE {
            // Actions without resource-level authorization are requested on `*`.
            None
        } else {
            let arn = Arn::parse(&self.resource).map_err(|e| RequestError::Resource {
                resource: self.resource.clone(),
                reason: match e {
                    // A request may name `*` too, so the message says so.
                    ArnError::BadPrefix { found, .. } => ArnError::BadPrefix {
                        found,
                        pattern: true,
                    },
                    e => e,
                }
                .to_string(),
                span: resource_span,
            })?;
            // The parts are slices of the resource: keep where the account id is.
            let account_start = arn.account.as_ptr() as usize - self.resource.as_ptr() as usize;
            Some(account_start..account_start + arn.account.len())
        };
        let mut entries: Vec<ContextEntry> = Vec::with_capacity(self.context.len() + 1);
        for (key, values, span) in self.context {
            if !is_valid_key(&key) {
                return Err(RequestError::Key { key, span });
            }
            let folded = fold_key(&key);
            if let Some(first) = entries.iter().find(|e| e.folded == folded) {
                return Err(RequestError::DuplicateKey {
                    first: first.key.clone(),
                    second: key,
                    span,
                });
            }
            let values: Vec<ContextValue> = values.into_iter().map(ContextValue::new).collect();
            if let Some(reason) = mistyped_global_value(&key, &values) {
                return Err(RequestError::InvalidValue { key, reason, span });
            }
            entries.push(ContextEntry {
                key,
                folded,
                values,
            });
        }
        let mut absent: Vec<String> = Vec::with_capacity(self.absent.len());
        for key in self.absent {
            if !is_valid_key(&key) {
                return Err(RequestError::Key { key, span: None });
            }
            let folded = fold_key(&key);
            if ALWAYS_KNOWN_KEYS.iter().any(|k| fold_key(k) == folded) {
                return Err(RequestError::AlwaysKnown { key });
            }
            if entries.iter().any(|e| e.folded == folded) {
                return Err(RequestError::AbsentAndGiven { key });
            }
            if !absent.contains(&folded) {
                absent.push(folded);
            }
        }
        absent.sort();
        // An empty list is a missing key (docs/semantics.md §3), so it gets the clock's time like an
        // absent key: otherwise `[]` would switch off every Deny that reads the time.
        let current_time = fold_key(CURRENT_TIME_KEY);
        let now = || {
            let now = self.now.clone().unwrap_or_else(Timestamp::now);
            vec![ContextValue::time(&now)]
        };
        match entries.iter_mut().find(|e| e.folded == current_time) {
            Some(given) if given.values.is_empty() => given.values = now(),
            Some(_) => {}
            None => entries.push(ContextEntry {
                key: CURRENT_TIME_KEY.into(),
                folded: current_time,
                values: now(),
            }),
        }
        entries.sort_by(|a, b| a.folded.cmp(&b.folded));
        let action_folded = fold_case(&self.action).into_owned();
        // Folding can change the byte length of the RAM code; find the colon again.
        let service_folded_len = action_folded.find(':').unwrap_or(service_len);
        Ok(Request {
            action: self.action,
            action_folded,
            service_folded_len,
            account,
            resource_colons: colons(&self.resource),
            resource: self.resource,
            context: Context { entries, absent },
        })
    }
}

/// Why a value of a typed global key is not of its type, if it is not. RAM itself sets these
/// keys, so such a value is a broken request, not a request to evaluate: refusing it keeps a
/// typo (`acs:MFAPresent: "yes"`) from making every condition on the key false, a Deny's too
/// (docs/semantics.md §3 [decision], fail closed).
fn mistyped_global_value(key: &str, values: &[ContextValue]) -> Option<String> {
    let (_, family) = global_key(key)?;
    values.iter().find_map(|value| {
        let error = match family {
            Family::Date if value.instant().is_none() => {
                Timestamp::parse_rfc3339(value.text()).err()
            }
            Family::Bool if value.boolean().is_none() => value::parse_bool(value.text()).err(),
            Family::Ip if value.ip().is_none() => value::parse_ip_addr(value.text()).err(),
            _ => None,
        };
        error.map(|e| e.to_string())
    })
}

/// A shape error in a request's words.
fn shape_message(e: &ShapeError) -> String {
    match e {
        ShapeError::WrongType { element, found, .. } if element == "request" => {
            format!("a request must be a JSON object, found {found}")
        }
        ShapeError::Unknown { name, .. } => format!(
            "unknown request member `{name}`: expected `action`, `resource`, `context`, `absent` or `id`"
        ),
        ShapeError::Missing { name, .. } => format!("the request has no `{name}`"),
        other => other.to_string(),
    }
}

/// A doubt about a request that does not make it invalid.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RequestWarning {
    /// An `acs:` key RAM does not have.
    UnknownGlobalKey {
        /// The key as given.
        key: String,
        /// The known key it is nearest to, if any.
        suggestion: Option<String>,
    },
}

impl RequestWarning {
    /// The stable code of the warning and one line saying what to do about it.
    pub(crate) fn describe(&self) -> (&'static str, String) {
        match self {
            RequestWarning::UnknownGlobalKey {
                suggestion: Some(near),
                ..
            } => ("unknown-global-key", format!("write `{near}`")),
            RequestWarning::UnknownGlobalKey { .. } => (
                "unknown-global-key",
                "check the key: RAM's global keys include acs:SourceIp, acs:MFAPresent, acs:SecureTransport, acs:SourceVpc and acs:CurrentTime".into(),
            ),
        }
    }

    /// The stable code of the warning.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:MFAPresnt", true)
    ///     .build()?;
    /// assert_eq!(request.warnings()[0].code(), "unknown-global-key");
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn code(&self) -> &'static str {
        self.describe().0
    }

    /// One line saying what to do about it.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:MFAPresnt", true)
    ///     .build()?;
    /// assert_eq!(request.warnings()[0].help(), "write `acs:MFAPresent`");
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn help(&self) -> String {
        self.describe().1
    }

    /// The warning as a diagnostic.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:MFAPresnt", true)
    ///     .build()?;
    /// assert_eq!(
    ///     request.warnings()[0].diagnostic().to_string(),
    ///     "warning[unknown-global-key]: unknown global condition key `acs:MFAPresnt`: did you mean `acs:MFAPresent`?\n  = help: write `acs:MFAPresent`"
    /// );
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        let (code, help) = self.describe();
        Diagnostic::warning(code, self.to_string()).with_help(help)
    }
}

impl fmt::Display for RequestWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestWarning::UnknownGlobalKey {
                key,
                suggestion: Some(near),
            } => write!(
                f,
                "unknown global condition key `{key}`: did you mean `{near}`?"
            ),
            RequestWarning::UnknownGlobalKey { key, .. } => {
                write!(f, "unknown global condition key `{key}`")
            }
        }
    }
}

/// A request that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request file is not JSON.
    #[error("{message}")]
    Json {
        /// What the JSON reader said.
        message: String,
        /// Where.
        span: Span,
    },
    /// The request file has the wrong shape.
    #[error("{}", shape_message(.0))]
    Shape(#[from] ShapeError),
    /// A context value is not a string, a boolean, a number or a list of them.
    #[error("context key `{key}`: values must be strings, booleans or numbers, found {found}")]
    ContextValueType {
        /// The key.
        key: String,
        /// The JSON type found.
        found: &'static str,
        /// Where the value is.
        span: Span,
    },
    /// The action is not `<ram-code>:<action-name>`.
    #[error(
        "request action `{action}` is not of the form `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`"
    )]
    Action {
        /// The action given.
        action: String,
        /// Where, for a request read from a file.
        span: Option<Span>,
    },
    /// The resource is neither an ARN nor `*`.
    #[error("request resource `{resource}` is not an ARN: {reason}")]
    Resource {
        /// The resource given.
        resource: String,
        /// Why.
        reason: String,
        /// Where, for a request read from a file.
        span: Option<Span>,
    },
    /// A condition key is not `<ram-code>:<key>`.
    #[error("context key `{key}` is not of the form `<ram-code>:<key>`, e.g. `acs:SourceIp`")]
    Key {
        /// The key given.
        key: String,
        /// Where, for keys read from a file.
        span: Option<Span>,
    },
    /// Two keys equal ignoring case.
    #[error(
        "context keys `{first}` and `{second}` are the same key (keys are case-insensitive): give it once, with a list of values if it has several"
    )]
    DuplicateKey {
        /// The first spelling.
        first: String,
        /// The second spelling.
        second: String,
        /// Where the second stands, for keys read from a file.
        span: Option<Span>,
    },
    /// A key declared absent is given a value too.
    #[error("context key `{key}` is declared absent and given a value")]
    AbsentAndGiven {
        /// The key, as declared.
        key: String,
    },
    /// A key RAM knows on every call is declared absent.
    #[error("context key `{key}` cannot be absent: RAM knows it on every call")]
    AlwaysKnown {
        /// The key, as declared.
        key: String,
    },
    /// The request goes over one of ramguard's limits ([`crate::limits`]).
    #[error("{what} has {found} {unit}, more than ramguard reads ({limit})")]
    LimitExceeded {
        /// What is too large: `the action`, `the context`, `context key `acs:SourceIp``.
        what: String,
        /// What is counted: `characters` or `entries`.
        unit: &'static str,
        /// How many there are.
        found: usize,
        /// The most ramguard reads.
        limit: usize,
        /// Where, for a request read from a file.
        span: Option<Span>,
    },
    /// A value RAM would never send for a global key of one type, such as
    /// `acs:MFAPresent: "yes"`.
    #[error("context key `{key}`: {reason}")]
    InvalidValue {
        /// The key, as written.
        key: String,
        /// Why the value is not of the key's type.
        reason: String,
        /// Where the key stands, for keys read from a file.
        span: Option<Span>,
    },
}

impl RequestError {
    /// Where in the request file the error is, when it was read from one.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    /// use ramguard::span::Span;
    ///
    /// let text = r#"{"action": "kvstore:RestoreInstance", "resource": "r-bp1stg01"}"#;
    /// let error = Request::from_json_text(text).unwrap_err();
    /// assert_eq!(error.span(), Some(Span::new(50, 62)));
    /// assert_eq!(&text[50..62], r#""r-bp1stg01""#);
    ///
    /// // An error in a request built in code has no position.
    /// let built = Request::builder("kvstore:RestoreInstance", "r-bp1stg01").build().unwrap_err();
    /// assert_eq!(built.span(), None);
    /// ```
    pub fn span(&self) -> Option<Span> {
        match self {
            RequestError::Json { span, .. } | RequestError::ContextValueType { span, .. } => {
                Some(*span)
            }
            RequestError::Shape(e) => Some(e.span()),
            RequestError::Action { span, .. }
            | RequestError::Resource { span, .. }
            | RequestError::Key { span, .. }
            | RequestError::DuplicateKey { span, .. }
            | RequestError::InvalidValue { span, .. }
            | RequestError::LimitExceeded { span, .. } => *span,
            RequestError::AbsentAndGiven { .. } | RequestError::AlwaysKnown { .. } => None,
        }
    }

    /// The stable code of this kind of error and one line saying how to fix it: both written
    /// once per variant.
    pub(crate) fn describe(&self) -> (&'static str, &'static str) {
        match self {
            RequestError::Json { .. } => ("invalid-json", "fix the JSON syntax at this position"),
            RequestError::Shape(ShapeError::Duplicate { .. }) => ("duplicate-member", {
                "remove one of the two: parsers disagree on which one counts"
            }),
            RequestError::Shape(_) | RequestError::ContextValueType { .. } => {
                ("invalid-request", {
                    "write the request as {\"action\": \"kvstore:RestoreInstance\", \"resource\": \"acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01\", \"context\": {\"acs:SourceIp\": \"10.1.2.3\"}}"
                })
            }
            RequestError::Action { .. } => ("invalid-action", {
                "write the action as `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`"
            }),
            RequestError::Resource { .. } => ("invalid-resource", {
                "write the resource's ARN, e.g. `acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01`"
            }),
            RequestError::Key { .. } => (
                "invalid-context-key",
                "write the key as `<ram-code>:<key>`, e.g. `acs:SourceIp`",
            ),
            RequestError::DuplicateKey { .. } => ("duplicate-context-key", {
                "keep one spelling of the key, with all its values"
            }),
            RequestError::AbsentAndGiven { .. } => ("absent-key-given", {
                "drop the value, or drop the declaration that the key is absent"
            }),
            RequestError::AlwaysKnown { .. } => (
                "always-known-key",
                "give the key's value as the real call carries it",
            ),
            RequestError::LimitExceeded { .. } => ("limit-exceeded", {
                "shorten it: no real request comes near ramguard's limits (the README lists them)"
            }),
            RequestError::InvalidValue { .. } => ("invalid-context-value", {
                "give a value of the key's type, as RAM would send it: an RFC 3339 time for `acs:CurrentTime`, an address for `acs:SourceIp`, `true` or `false` for `acs:MFAPresent` and `acs:SecureTransport`"
            }),
        }
    }

    /// The stable code of this kind of error.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let error = Request::from_json_text(r#"{"action": "kvstore:RestoreInstance",}"#).unwrap_err();
    /// assert_eq!(error.code(), "invalid-json");
    /// ```
    pub fn code(&self) -> &'static str {
        self.describe().0
    }

    /// One line saying how to fix it.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    ///
    /// let error = Request::builder("RestoreInstance", "*").build().unwrap_err();
    /// assert_eq!(error.help(), "write the action as `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`");
    /// ```
    pub fn help(&self) -> &'static str {
        self.describe().1
    }

    /// The error as a diagnostic, located in `source` when it was read from one (a key error
    /// without a span came from the caller, not from the file).
    ///
    /// # Example
    /// ```
    /// use ramguard::request::Request;
    /// use ramguard::span::Source;
    ///
    /// let source = Source::new("req.json", "{\"action\": \"kvstore:RestoreInstance\",\n \"resource\": \"r-bp1stg01\"}");
    /// let error = Request::from_json_text(source.text()).unwrap_err();
    /// let diagnostic = error.diagnostic(Some(&source));
    /// assert_eq!(diagnostic.code(), "invalid-resource");
    /// assert_eq!((diagnostic.file(), diagnostic.start().map(|p| (p.line, p.column))), (Some("req.json"), Some((2, 14))));
    /// assert_eq!(
    ///     diagnostic.message,
    ///     "request resource `r-bp1stg01` is not an ARN: resource must start with `acs:` or be `*`, found `r-bp1stg01`"
    /// );
    /// ```
    pub fn diagnostic(&self, source: Option<&Arc<Source>>) -> Diagnostic {
        let (code, help) = self.describe();
        // Worded as the policy reader words the same mistake.
        let message = match self {
            RequestError::Json { .. } => format!("invalid JSON: {self}"),
            _ => self.to_string(),
        };
        Diagnostic::error(code, message)
            .with_help(help)
            .at_opt(source, self.span())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Decimal;
    use std::net::IpAddr;

    fn at() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-29T12:00:00Z").unwrap()
    }

    #[test]
    fn prepares_action_resource_and_context() {
        let r = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01")
            .context("acs:MFAPresent", true)
            .context("ACS:SourceIp", "10.0.0.1".parse::<IpAddr>().unwrap())
            .context("acs:TagKeys", vec!["env", "team"])
            .at(at())
            .build()
            .unwrap();
        assert_eq!(r.action_folded(), "kvstore:restoreinstance");
        assert_eq!(r.service_folded(), "kvstore");
        assert_eq!(
            r.resource(),
            "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01"
        );
        assert_eq!(r.context().get("acs:sourceip")[0].text(), "10.0.0.1");
        assert_eq!(r.context().get("acs:mfapresent")[0].boolean(), Some(true));
        assert_eq!(r.context().get("acs:TagKeys").len(), 2);
        assert_eq!(
            r.context().get("acs:CurrentTime")[0].text(),
            "2026-11-29T12:00:00Z"
        );
        assert!(r.context().get("acs:SourceVpc").is_empty());
    }

    #[test]
    fn refuses_bad_requests() {
        let build = |action: &str, resource: &str| Request::builder(action, resource).build();
        let arn = "acs:kvstore:cn-hangzhou:1:instance/r-1";
        assert!(matches!(
            build("RestoreInstance", arn),
            Err(RequestError::Action { .. })
        ));
        assert!(matches!(
            build("kvstore:", arn),
            Err(RequestError::Action { .. })
        ));
        assert!(matches!(
            build("a:b:c", arn),
            Err(RequestError::Action { .. })
        ));
        assert!(matches!(
            build("kvstore:X", "r-1"),
            Err(RequestError::Resource { .. })
        ));
        let dup = Request::builder("kvstore:X", arn)
            .context("acs:SourceIp", "1.1.1.1")
            .context("ACS:SOURCEIP", "2.2.2.2")
            .build()
            .unwrap_err();
        assert_eq!(
            dup.to_string(),
            "context keys `acs:SourceIp` and `ACS:SOURCEIP` are the same key (keys are case-insensitive): give it once, with a list of values if it has several"
        );
        assert!(matches!(
            Request::builder("kvstore:X", arn)
                .context("SourceIp", "x")
                .build(),
            Err(RequestError::Key { .. })
        ));
    }

    #[test]
    fn reads_request_files() {
        let r = Request::from_json_text(
            r#"{"id": 7, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1",
                "context": {"acs:SecureTransport": false, "acs:Port": 6379, "acs:TagKeys": ["a", "b"], "acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(r.context().get("acs:securetransport")[0].text(), "false");
        assert_eq!(
            r.context().get("acs:Port")[0].decimal(),
            Decimal::parse("6379").ok().as_ref()
        );
        assert_eq!(
            r.context().get("acs:CurrentTime")[0].text(),
            "2026-01-01T00:00:00Z"
        );
        let err = |t: &str| Request::from_json_text(t).unwrap_err().to_string();
        assert_eq!(err("[]"), "a request must be a JSON object, found an array");
        assert_eq!(
            err(r#"{"action": "kvstore:X"}"#),
            "the request has no `resource`"
        );
        assert_eq!(
            err(r#"{"action": "kvstore:X", "resource": "acs:a:b:c:d", "principal": 1}"#),
            "unknown request member `principal`: expected `action`, `resource`, `context`, `absent` or `id`"
        );
        assert_eq!(
            err(
                r#"{"action": "kvstore:X", "resource": "acs:a:b:c:d", "context": {"acs:K": {"x": 1}}}"#
            ),
            "context key `acs:K`: values must be strings, booleans or numbers, found an object"
        );
        assert_eq!(
            err(r#"{"action": "kvstore:X", "action": "kvstore:Y", "resource": "acs:a:b:c:d"}"#),
            "`action` is given twice"
        );
        let bad_action = Source::new(
            "req.json",
            "{\"resource\": \"acs:a:b:c:d\",\n \"action\": \"Restore\"}",
        );
        let e = Request::from_json_text(bad_action.text()).unwrap_err();
        assert_eq!(e.code(), "invalid-action");
        let located = |e: &RequestError, source: &Arc<Source>| {
            let d = e.diagnostic(Some(source));
            format!(
                "{}:{}: {}",
                d.file().unwrap_or(""),
                d.start().unwrap(),
                d.message
            )
        };
        assert_eq!(
            located(&e, &bad_action),
            "req.json:2:12: request action `Restore` is not of the form `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`"
        );
        let source = Source::new("req.json", "{\n \"action\": 5}");
        let e = Request::from_json_text(source.text()).unwrap_err();
        assert_eq!(
            located(&e, &source),
            "req.json:2:12: `action` must be a string, found a number"
        );
    }

    #[test]
    fn refuses_values_ram_never_sends_for_typed_global_keys() {
        let arn = "acs:kvstore:cn-hangzhou:1:instance/r-1";
        let refused = |key: &str, value: &str| {
            Request::builder("kvstore:X", arn)
                .context(key, value)
                .build()
                .map(|_| ())
                .map_err(|e| (e.code(), e.to_string()))
        };
        assert_eq!(
            refused("ACS:MFAPresent", "yes"),
            Err((
                "invalid-context-value",
                "context key `ACS:MFAPresent`: expected `true` or `false` in any letter case, found `yes`".into()
            ))
        );
        assert_eq!(
            refused("acs:SourceIp", "10.0.0.0/8").map_err(|e| e.0),
            Err("invalid-context-value")
        );
        assert_eq!(
            refused("acs:CurrentTime", "yesterday").map_err(|e| e.0),
            Err("invalid-context-value")
        );
        // Values of the key's type, and keys of no fixed type, pass.
        assert_eq!(refused("acs:MFAPresent", "TRUE"), Ok(()));
        assert_eq!(refused("acs:SourceIp", "2001:db8::1"), Ok(()));
        assert_eq!(refused("acs:SourceVpc", "anything"), Ok(()));
        assert_eq!(refused("kvstore:ClientIp", "bogus"), Ok(()));
    }

    #[test]
    fn a_request_on_every_resource_names_no_account() {
        let r = Request::builder("kvstore:DescribeRegions", "*")
            .build()
            .expect("`*` is a request resource");
        assert_eq!((r.resource(), r.resource_account()), ("*", None));
        let arn = Request::builder("kvstore:X", "acs:kvstore:cn-hangzhou:42:instance/r-1")
            .build()
            .unwrap();
        assert_eq!(arn.resource_account(), Some("42"));
        for bad in ["**", "", "arn:aws:s3:::b", "acs:kvstore"] {
            assert!(
                matches!(
                    Request::builder("kvstore:X", bad).build(),
                    Err(RequestError::Resource { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_empty_list_is_a_missing_key() {
        let r = Request::from_json_text(
            r#"{"action": "kvstore:X", "resource": "acs:a:b:c:d", "context": {"acs:TagKeys": []}}"#,
        )
        .unwrap();
        assert!(r.context().get("acs:TagKeys").is_empty());
    }
}
