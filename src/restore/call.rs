//! A `RestoreInstance` call as a dispatcher is about to make it, and the ways it can be invalid.

use super::validate::is_valid_instance_id;
use super::{InstanceState, RestoreParameters};
use crate::context::ContextValues;
use crate::diagnostic::Diagnostic;
use crate::request::{Request, RequestBuilder, RequestError};
use crate::value::Timestamp;

/// A `RestoreInstance` call about to be made: where, with which parameters, in which request
/// context (`acs:SourceIp`, `acs:MFAPresent`, …), and when.
#[derive(Debug, Clone)]
pub struct RestoreCall {
    region: String,
    account_id: String,
    pub(super) parameters: RestoreParameters,
    context: Vec<(String, ContextValues)>,
    absent: Vec<String>,
    pub(super) submitted_at: Option<Timestamp>,
}

/// A call whose request cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The region is not a region id.
    #[error("`{0}` is not a region id like `cn-hangzhou`")]
    Region(String),
    /// The account id is not numeric.
    #[error("`{0}` is not an account id: expected digits, like `1234567890123456`")]
    AccountId(String),
    /// `InstanceId` is missing or invalid, so there is no ARN to authorize.
    #[error("`InstanceId` is missing or invalid, so the instance's ARN cannot be derived")]
    InstanceId,
    /// The request context is invalid.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The instance state is another instance's.
    #[error("the instance state (`{origin}`) describes `{found}`, not `{expected}`")]
    InstanceMismatch {
        /// Where the state was read from.
        origin: String,
        /// The instance of the call.
        expected: String,
        /// The instance the state describes.
        found: String,
    },
    /// The instance state is of another region.
    #[error("the instance state (`{origin}`) is in region `{found}`, not `{expected}`")]
    RegionMismatch {
        /// Where the state was read from.
        origin: String,
        /// The region of the call.
        expected: String,
        /// The region the state gives.
        found: String,
    },
    /// The context sets `acs:CurrentTime` to another time than the submission time, so the
    /// policies would be evaluated at a time the parameter rules do not use.
    #[error(
        "the context's `acs:CurrentTime` `{found}` is not the submission time `{expected}`: set the time with `RestoreCall::at` only"
    )]
    CurrentTime {
        /// The submission time.
        expected: String,
        /// The context's value(s), comma-separated.
        found: String,
    },
}

impl CallError {
    /// The stable code of this kind of error and one line saying how to fix it: both written
    /// once per variant.
    fn describe(&self) -> (&'static str, &'static str) {
        match self {
            CallError::Region(_) => (
                "invalid-region",
                "give the instance's region id, e.g. `cn-hangzhou`",
            ),
            CallError::AccountId(_) => (
                "invalid-account-id",
                "give the numeric id of the account that owns the instance, e.g. `1234567890123456`",
            ),
            CallError::InstanceId => (
                "invalid-instance-id",
                "give the instance's id, e.g. `r-bp1stg01`",
            ),
            CallError::Request(e) => (e.code(), e.help()),
            CallError::InstanceMismatch { .. } => (
                "instance-mismatch",
                "give the state of the instance the call restores",
            ),
            CallError::RegionMismatch { .. } => (
                "region-mismatch",
                "give the state of the instance in the call's region, or the call's region",
            ),
            CallError::CurrentTime { .. } => (
                "current-time-mismatch",
                "set the time with `RestoreCall::at` and drop `acs:CurrentTime` from the context",
            ),
        }
    }

    /// The stable code of this kind of error: `invalid-region`, `invalid-account-id`,
    /// `invalid-instance-id`, `instance-mismatch`, `region-mismatch`, `current-time-mismatch`,
    /// or the [`RequestError`]'s own code.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::CallError;
    ///
    /// assert_eq!(CallError::Region("Hangzhou".into()).code(), "invalid-region");
    /// ```
    pub fn code(&self) -> &'static str {
        self.describe().0
    }

    /// One line saying how to fix it.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::CallError;
    ///
    /// assert_eq!(
    ///     CallError::AccountId("acme".into()).help(),
    ///     "give the numeric id of the account that owns the instance, e.g. `1234567890123456`"
    /// );
    /// ```
    pub fn help(&self) -> &'static str {
        self.describe().1
    }

    /// The error as a diagnostic; it is also the error's JSON shape.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::CallError;
    ///
    /// let error = CallError::Region("Hangzhou".into());
    /// assert_eq!(
    ///     error.diagnostic().to_string(),
    ///     "error[invalid-region]: `Hangzhou` is not a region id like `cn-hangzhou`\n  = help: give the instance's region id, e.g. `cn-hangzhou`"
    /// );
    /// assert_eq!(serde_json::to_value(&error)?["code"], "invalid-region");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            CallError::Request(e) => e.diagnostic(None),
            _ => Diagnostic::error(self.code(), self.to_string()).with_help(self.help()),
        }
    }
}

impl serde::Serialize for CallError {
    /// As its [`CallError::diagnostic`].
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.diagnostic().serialize(serializer)
    }
}

impl RestoreCall {
    /// A call in `region` on an instance of `account_id`.
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{Account, PrincipalRef};
    /// use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// use ramguard::value::Timestamp;
    ///
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    /// let account = Account::from_path(format!("{dir}/account.json"))?;
    /// let alice = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// let state = InstanceState::from_path(format!("{dir}/instances/r-bp1stg01.json"))?;
    ///
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let permit = restore::guard(&alice, &call, Some(&state)).into_result()?;
    /// assert_eq!(
    ///     permit.plan().to_string(),
    ///     "overwrite all data of instance `r-bp1stg01` with backup set `b-20261128`; keys written since that backup are lost"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        region: impl Into<String>,
        account_id: impl Into<String>,
        parameters: RestoreParameters,
    ) -> RestoreCall {
        RestoreCall {
            region: region.into(),
            account_id: account_id.into(),
            parameters,
            context: Vec::new(),
            absent: Vec::new(),
            submitted_at: None,
        }
    }

    /// Adds a condition key of the request, such as `acs:SourceIp`, with one value or several.
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// // alice's policy allows a restore only with MFA, from the office network.
    /// let refused = restore::guard(&set, &call, Some(&state)).into_result().unwrap_err();
    /// assert_eq!(refused.to_string(), "restore refused: RAM would deny it: ImplicitDeny (AccountLevelIdentityBasedPolicy)");
    ///
    /// let call = call
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true);
    /// assert!(restore::guard(&set, &call, Some(&state)).is_permitted());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn context(mut self, key: impl Into<String>, value: impl Into<ContextValues>) -> Self {
        self.context.push((key.into(), value.into()));
        self
    }

    /// Declares that the real call carries no value for `key`, as a call from a VPC carries no
    /// public `acs:SourceIp`: the guard then evaluates it as missing, as RAM would, instead of
    /// refusing a decision that depends on it ([`Reason::MissingContext`](super::Reason::MissingContext)). Keys RAM knows on
    /// every call (`acs:CurrentTime`, `acs:SecureTransport`) cannot be absent: declaring one
    /// makes the call invalid ([`Reason::InvalidCall`](super::Reason::InvalidCall)).
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// use ramguard::value::Timestamp;
    /// use ramguard::{Policy, PolicySet};
    ///
    /// // Restores from the contractors' network are denied.
    /// let set = PolicySet::builder()
    ///     .identity(Policy::load("system:AliyunKvstoreFullAccess")?)
    ///     .identity(Policy::from_text("no-contractor-restore", r#"{"Version": "1", "Statement": [
    ///         {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
    ///          "Condition": {"IpAddress": {"acs:SourceIp": "203.0.113.0/24"}}}]}"#)?)
    ///     .build()?;
    /// let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    ///
    /// // Allowed without `acs:SourceIp`, but the Deny could apply to the real call.
    /// let refused = restore::guard(&set, &call, Some(&state)).into_result().unwrap_err();
    /// assert_eq!(refused.reasons()[0].code(), "missing-context");
    ///
    /// // From a VPC the call carries no `acs:SourceIp`: say so, and it is cleared.
    /// let from_vpc = call.absent("acs:SourceIp");
    /// assert!(restore::guard(&set, &from_vpc, Some(&state)).is_permitted());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn absent(mut self, key: impl Into<String>) -> Self {
        self.absent.push(key.into());
        self
    }

    /// Sets the submission time: the clock for the parameter rules and `acs:CurrentTime`.
    /// Without it the real clock is read once, when the call is checked.
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// // alice flashes the staging instance back, with MFA, from the office network.
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z"))
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, Some(&state));
    /// let assessment = clearance.assessment();
    /// assert_eq!(assessment.submitted_at().to_string(), "2026-11-29T09:30:00Z");
    /// let request = assessment.request().expect("a valid call has a request");
    /// assert_eq!(request.context().get("acs:CurrentTime")[0].text(), "2026-11-29T09:30:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn at(mut self, submitted_at: Timestamp) -> Self {
        self.submitted_at = Some(submitted_at);
        self
    }

    /// The parameters.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{RestoreCall, RestoreParameters};
    ///
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"));
    /// assert_eq!(call.parameters().backup_id.as_deref(), Some("b-20261128"));
    /// ```
    pub fn parameters(&self) -> &RestoreParameters {
        &self.parameters
    }

    /// The region.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{RestoreCall, RestoreParameters};
    ///
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"));
    /// assert_eq!(call.region(), "cn-hangzhou");
    /// ```
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The submission time, when set with [`RestoreCall::at`].
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{RestoreCall, RestoreParameters};
    /// use ramguard::value::Timestamp;
    ///
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"));
    /// assert_eq!(call.submitted_at(), None);
    /// let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?;
    /// assert_eq!(call.at(now.clone()).submitted_at(), Some(&now));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn submitted_at(&self) -> Option<&Timestamp> {
        self.submitted_at.as_ref()
    }

    /// The `kvstore:RestoreInstance` request on the instance's ARN at `submitted_at`, with the
    /// call's context; more context may be added before it is built.
    ///
    /// # Errors
    /// An invalid region, account id or `InstanceId`.
    pub(crate) fn request_builder(
        &self,
        submitted_at: &Timestamp,
    ) -> Result<RequestBuilder, CallError> {
        let region_ok = !self.region.is_empty()
            && self
                .region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(CallError::Region(self.region.clone()));
        }
        if self.account_id.is_empty() || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CallError::AccountId(self.account_id.clone()));
        }
        // Only an instance id the parameter rules accept gets an ARN.
        let instance_id = self
            .parameters
            .instance_id
            .as_deref()
            .filter(|id| !id.is_empty() && is_valid_instance_id(id))
            .ok_or(CallError::InstanceId)?;
        let mut builder = Request::restore_instance(&self.region, &self.account_id, instance_id)
            .at(submitted_at.clone());
        for (key, values) in &self.context {
            builder = builder.context(key.clone(), values.clone());
        }
        for key in &self.absent {
            builder = builder.absent(key.clone());
        }
        Ok(builder)
    }

    /// Checks that an instance state is the call's instance's, in the call's region.
    ///
    /// # Errors
    /// The state describes another instance, or gives another region.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{CallError, InstanceState, RestoreCall, RestoreParameters};
    /// use ramguard::span::Source;
    ///
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"));
    /// let prod = InstanceState::parse(Source::new("prod.json",
    ///     r#"{"InstanceId": "r-bp1prod01", "RegionId": "cn-hangzhou", "InstanceStatus": "Normal"}"#))?;
    /// assert_eq!(call.check_instance(&prod), Ok(()));
    ///
    /// let staging = InstanceState::parse(Source::new("staging.json",
    ///     r#"{"InstanceId": "r-bp1stg01", "InstanceStatus": "Normal"}"#))?;
    /// let error = call.check_instance(&staging).unwrap_err();
    /// assert!(matches!(error, CallError::InstanceMismatch { .. }));
    /// assert_eq!(error.to_string(), "the instance state (`staging.json`) describes `r-bp1stg01`, not `r-bp1prod01`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_instance(&self, state: &InstanceState) -> Result<(), CallError> {
        let expected = self.parameters.instance_id.as_deref().unwrap_or("");
        if state.instance_id != expected {
            return Err(CallError::InstanceMismatch {
                origin: state.origin.clone(),
                expected: expected.to_string(),
                found: state.instance_id.clone(),
            });
        }
        match &state.region_id {
            Some(region) if *region != self.region => Err(CallError::RegionMismatch {
                origin: state.origin.clone(),
                expected: self.region.clone(),
                found: region.clone(),
            }),
            _ => Ok(()),
        }
    }
}
