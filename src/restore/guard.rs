//! The guard a dispatcher calls before each restore: RAM's decision, the API's parameter rules
//! and its checks of the instance's state, answered as a value that permits only when all of
//! them were made and passed.

use std::fmt;
use std::panic::AssertUnwindSafe;

use super::validate::{CheckStatus, InstanceCheck, Validation, is_valid_instance_id};
use super::{InstanceState, ParameterError, RestoreParameters, RestorePlan};
use crate::context::ContextValues;
use crate::eval::{Decision, Explanation, PolicySet};
use crate::request::{CURRENT_TIME_KEY, Request, RequestBuilder, RequestError};
use crate::value::Timestamp;

/// A `RestoreInstance` call about to be made: where, with which parameters, in which request
/// context (`acs:SourceIp`, `acs:MFAPresent`, …), and when.
#[derive(Debug, Clone)]
pub struct RestoreCall {
    region: String,
    account_id: String,
    parameters: RestoreParameters,
    context: Vec<(String, ContextValues)>,
    absent: Vec<String>,
    submitted_at: Option<Timestamp>,
}

/// A call whose request cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
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
    /// refusing a decision that depends on it ([`Reason::MissingContext`]). Keys RAM knows on
    /// every call (`acs:CurrentTime`, `acs:SecureTransport`) cannot be absent: declaring one
    /// makes the call invalid ([`Reason::InvalidCall`]).
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
    /// let prod = InstanceState::parse(&Source::new("prod.json",
    ///     r#"{"InstanceId": "r-bp1prod01", "RegionId": "cn-hangzhou", "InstanceStatus": "Normal"}"#))?;
    /// assert_eq!(call.check_instance(&prod), Ok(()));
    ///
    /// let staging = InstanceState::parse(&Source::new("staging.json",
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

/// The guard's answer. Only [`Clearance::Permitted`] allows the restore to be dispatched, and
/// its [`Permit`] can be made by [`guard`] alone. Either way the [`Assessment`] says what was
/// found.
#[must_use = "dispatch the restore only on `Clearance::Permitted`"]
#[derive(Debug)]
pub enum Clearance {
    /// RAM allows the call whatever the keys it lacks, the API would accept the parameters,
    /// and the instance's state was checked and passed.
    Permitted(Permit),
    /// Anything else, with every reason.
    Refused(Refusal),
}

impl Clearance {
    /// The permit, or the refusal as an error, for `?`.
    ///
    /// # Errors
    /// The refusal, when the restore is not permitted.
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
    /// let permit = restore::guard(&set, &call, Some(&state)).into_result()?;
    /// assert_eq!(permit.resource(), "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01");
    ///
    /// // Without the instance's state, the refusal says what was not checked.
    /// let refusal = restore::guard(&set, &call, None).into_result().unwrap_err();
    /// assert_eq!(
    ///     refusal.to_string(),
    ///     "restore refused: the instance's state was not checked for IncorrectDBInstanceState, \
    ///      ZoneMigrationError.StillingRunning, ServiceNotSupport, InvalidBinlog.NotValid"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_result(self) -> Result<Permit, Refusal> {
        match self {
            Clearance::Permitted(permit) => Ok(permit),
            Clearance::Refused(refusal) => Err(refusal),
        }
    }

    /// What the guard found, permitted or not.
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
    /// // Refused for want of the instance's state, though RAM allows it.
    /// let clearance = restore::guard(&set, &call, None);
    /// assert!(!clearance.is_permitted());
    /// assert!(clearance.assessment().decision().is_some_and(|d| d.is_allowed()));
    /// assert!(!clearance.assessment().validation().instance_checked());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn assessment(&self) -> &Assessment {
        match self {
            Clearance::Permitted(permit) => permit.assessment(),
            Clearance::Refused(refusal) => &refusal.assessment,
        }
    }

    /// Whether the restore may be dispatched.
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
    /// assert!(restore::guard(&set, &call, Some(&state)).is_permitted());
    /// assert!(!restore::guard(&set, &call, None).is_permitted());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_permitted(&self) -> bool {
        matches!(self, Clearance::Permitted(_))
    }
}

/// Everything the guard found about a call: the request it evaluated, RAM's decision, the keys
/// that decision depends on, the parameter and instance-state checks, and the time it used.
#[derive(Debug, Clone)]
pub struct Assessment {
    parameters: RestoreParameters,
    request: Option<Request>,
    decision: Option<Decision>,
    depends_on: Vec<String>,
    validation: Validation,
    submitted_at: Timestamp,
}

impl Assessment {
    /// The parameters checked.
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
    /// assert_eq!(clearance.assessment().parameters(), call.parameters());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parameters(&self) -> &RestoreParameters {
        &self.parameters
    }

    /// The `kvstore:RestoreInstance` request evaluated; `None` when the call was too malformed
    /// to build one (see [`Reason::InvalidCall`]), or when `InstanceId` is missing or invalid
    /// (reported among the parameter errors).
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{self, RestoreCall, RestoreParameters};
    /// use ramguard::value::Timestamp;
    /// use ramguard::{Policy, PolicySet};
    ///
    /// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreFullAccess")?).build()?;
    /// let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?;
    /// let call = |instance: &str| RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set(instance, "b-20261128")).at(now.clone());
    ///
    /// let clearance = restore::guard(&set, &call("r-bp1stg01"), None);
    /// let request = clearance.assessment().request().expect("a request");
    /// assert_eq!(request.resource(), "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01");
    ///
    /// // An instance id that would change the ARN gets no request at all.
    /// let clearance = restore::guard(&set, &call("r-*"), None);
    /// assert!(clearance.assessment().request().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request(&self) -> Option<&Request> {
        self.request.as_ref()
    }

    /// RAM's decision, whenever a request could be built, allowed or not.
    ///
    /// # Example
    /// ```
    /// use ramguard::{PolicyType, Verdict};
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// // alice overwrites production from a backup: the control policy `NoProdRestore` denies it.
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"))
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, None);
    /// let decision = clearance.assessment().decision().expect("a decision");
    /// assert_eq!((decision.verdict, decision.policy_type), (Verdict::ExplicitDeny, PolicyType::ControlPolicy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decision(&self) -> Option<&Decision> {
        self.decision.as_ref()
    }

    /// The keys the call lacks whose values could change RAM's decision
    /// ([`PolicySet::depends_on`]).
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// // Without `acs:SecureTransport`, the Deny of plain-HTTP restores could apply.
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z"))
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, Some(&state));
    /// assert_eq!(clearance.assessment().depends_on(), ["acs:SecureTransport"]);
    /// assert!(!clearance.is_permitted());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn depends_on(&self) -> &[String] {
        &self.depends_on
    }

    /// The API's parameter rules and its checks of the instance's state.
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// let payments = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1pay01.json"))?;
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::point_in_time("r-bp1pay01", "2026-11-29T08:00:00Z"))
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, Some(&payments));
    /// let codes: Vec<&str> = clearance.assessment().validation().errors.iter().map(|e| e.code.code()).collect();
    /// // Being migrated to another zone, without data flashback.
    /// assert_eq!(codes, ["ZoneMigrationError.StillingRunning", "ServiceNotSupport"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validation(&self) -> &Validation {
        &self.validation
    }

    /// The submission time every check used, `acs:CurrentTime` included.
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
    /// assert_eq!(clearance.assessment().submitted_at().to_string(), "2026-11-29T09:30:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn submitted_at(&self) -> &Timestamp {
        &self.submitted_at
    }

    /// RAM's decision with its trace, for the same request at the same time; `set` must be the
    /// set the guard was given. `None` when no request could be built.
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1prod01.json"))?;
    /// // alice overwrites production from a backup: the control policy `NoProdRestore` denies it.
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"))
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let refusal = restore::guard(&set, &call, Some(&state)).into_result().unwrap_err();
    /// let explained = refusal.assessment().explain(&set).expect("a request was evaluated");
    /// assert_eq!(explained.matched[0].policy, "NoProdRestore");
    /// assert!(explained.to_string().starts_with("ExplicitDeny (decided by ControlPolicy)\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self, set: &PolicySet) -> Option<Explanation> {
        self.request.as_ref().map(|request| set.explain(request))
    }
}

/// Proof that one restore was checked and may be dispatched. It has no public constructor.
#[derive(Debug)]
pub struct Permit(Box<Permitted>);

/// What a permit holds; boxed, so that a clearance stays small.
#[derive(Debug)]
struct Permitted {
    decision: Decision,
    plan: RestorePlan,
    assessment: Assessment,
}

impl Permit {
    /// RAM's decision (always `Allow`).
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
    /// let permit = restore::guard(&set, &call, Some(&state)).into_result()?;
    /// assert_eq!(permit.decision().to_string(), "Allow (AccountLevelIdentityBasedPolicy)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decision(&self) -> &Decision {
        &self.0.decision
    }

    /// What the restore will do.
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
    /// let permit = restore::guard(&set, &call, Some(&state)).into_result()?;
    /// assert_eq!(permit.plan().restore_type(), "1");
    /// assert!(permit.plan().overwrites_all_data());
    /// assert_eq!(
    ///     permit.plan().to_string(),
    ///     "rewind all keys of instance `r-bp1stg01` to `2026-11-29T08:00:00Z` (data flashback); keys written since then are lost"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn plan(&self) -> &RestorePlan {
        &self.0.plan
    }

    /// The instance's ARN the call was authorized on.
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
    /// let permit = restore::guard(&set, &call, Some(&state)).into_result()?;
    /// assert_eq!(permit.resource(), "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource(&self) -> &str {
        self.0
            .assessment
            .request
            .as_ref()
            .map_or("", Request::resource)
    }

    /// The parameters that were checked: dispatch exactly these.
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
    /// let permit = restore::guard(&set, &call, Some(&state)).into_result()?;
    /// assert_eq!(permit.parameters(), &RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parameters(&self) -> &RestoreParameters {
        &self.0.assessment.parameters
    }

    /// The submission time the checks used.
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
    /// let permit = restore::guard(&set, &call, Some(&state)).into_result()?;
    /// assert_eq!(permit.submitted_at(), &Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn submitted_at(&self) -> &Timestamp {
        &self.0.assessment.submitted_at
    }

    /// Everything the guard found.
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
    /// let permit = restore::guard(&set, &call, Some(&state)).into_result()?;
    /// assert!(permit.assessment().validation().instance_checked());
    /// assert!(permit.assessment().depends_on().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn assessment(&self) -> &Assessment {
        &self.0.assessment
    }
}

/// Why a restore may not be dispatched.
#[derive(Debug, Clone)]
pub struct Refusal {
    reasons: Vec<Reason>,
    assessment: Box<Assessment>,
}

/// One reason for a refusal.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// RAM would deny the call.
    Denied(Decision),
    /// The API would reject the parameters (or the instance's state).
    RejectedParameters(Vec<ParameterError>),
    /// RAM allows the call as given, but the call lacks condition keys whose values could make
    /// it deny: give them, or declare them absent with [`RestoreCall::absent`] (except
    /// `acs:SecureTransport`, which RAM knows on every call, so it can only be given).
    MissingContext(Vec<String>),
    /// Checks of the instance's state could not be made.
    InstanceNotChecked(Vec<InstanceCheck>),
    /// The call is malformed: region, account id, request context, or an instance state that
    /// is another instance's.
    InvalidCall(CallError),
    /// The check itself failed (a bug); nothing is permitted.
    Internal,
}

impl Reason {
    /// A stable code for the kind of reason.
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// // alice overwrites production from a backup: the control policy `NoProdRestore` denies it.
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"))
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// // No instance state either.
    /// let refusal = restore::guard(&set, &call, None).into_result().unwrap_err();
    /// let codes: Vec<&str> = refusal.reasons().iter().map(|r| r.code()).collect();
    /// assert_eq!(codes, ["denied", "instance-not-checked"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Denied(_) => "denied",
            Reason::RejectedParameters(_) => "rejected-parameters",
            Reason::MissingContext(_) => "missing-context",
            Reason::InstanceNotChecked(_) => "instance-not-checked",
            Reason::InvalidCall(_) => "invalid-call",
            Reason::Internal => "internal",
        }
    }
}

impl Refusal {
    /// Every reason, in the order: invalid call, denial, parameters, missing context,
    /// unchecked state.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::Reason;
    /// use ramguard::{PolicyType, Verdict};
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// # let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1prod01.json"))?;
    /// // alice overwrites production from a backup: the control policy `NoProdRestore` denies it.
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"))
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let refusal = restore::guard(&set, &call, Some(&state)).into_result().unwrap_err();
    /// let [Reason::Denied(decision)] = refusal.reasons() else { panic!("{refusal}") };
    /// assert_eq!((decision.verdict, decision.policy_type), (Verdict::ExplicitDeny, PolicyType::ControlPolicy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// RAM's decision, whenever the request could be evaluated, allowed or not.
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
    /// // Allowed, but refused: no instance state was given.
    /// let refusal = restore::guard(&set, &call, None).into_result().unwrap_err();
    /// assert!(refusal.decision().is_some_and(|d| d.is_allowed()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decision(&self) -> Option<&Decision> {
        self.assessment.decision.as_ref()
    }

    /// Everything the guard found.
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
    /// let refusal = restore::guard(&set, &call, None).into_result().unwrap_err();
    /// let checks = &refusal.assessment().validation().instance_checks;
    /// assert_eq!(checks.len(), 4);
    /// assert_eq!(checks[0].detail, "no instance state given");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn assessment(&self) -> &Assessment {
        &self.assessment
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("restore refused: ")?;
        for (i, reason) in self.reasons.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{reason}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Denied(decision) => write!(f, "RAM would deny it: {decision}"),
            Reason::RejectedParameters(errors) => {
                let codes: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{} ({})", e.code, e.parameter))
                    .collect();
                write!(f, "the API would reject it: {}", codes.join(", "))
            }
            Reason::MissingContext(keys) => write!(
                f,
                "RAM's decision depends on keys the call lacks: {} (give their values, or declare them absent)",
                keys.join(", ")
            ),
            Reason::InstanceNotChecked(checks) => {
                let codes: Vec<&str> = checks.iter().map(|c| c.code.code()).collect();
                write!(
                    f,
                    "the instance's state was not checked for {}",
                    codes.join(", ")
                )
            }
            Reason::InvalidCall(error) => write!(f, "the call is invalid: {error}"),
            Reason::Internal => f.write_str("internal error while checking; nothing is permitted"),
        }
    }
}

/// Checks a restore before it is dispatched: RAM's decision for `kvstore:RestoreInstance` on
/// the instance, the API's parameter rules, and its checks of the instance's `state`. Returns
/// [`Clearance::Permitted`] only when RAM allows, the parameters are valid, and the state was
/// given, is the instance's, and passes; a panic inside becomes a refusal.
///
/// # Example
/// ```
/// use ramguard::restore::{self, Clearance, InstanceState, RestoreCall, RestoreParameters};
/// use ramguard::span::Source;
/// use ramguard::value::Timestamp;
/// use ramguard::{Policy, PolicySet};
///
/// let set = PolicySet::builder()
///     .identity(Policy::from_text("dba", r#"{"Version": "1", "Statement": [{"Effect": "Allow",
///         "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-bp1stg*",
///         "Condition": {"Bool": {"acs:MFAPresent": "true"}}}]}"#)?)
///     .build()?;
/// let state = InstanceState::parse(&Source::new("r-bp1stg01.json",
///     r#"{"InstanceId": "r-bp1stg01", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"}"#))?;
/// let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?;
/// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
///     RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z").filter_key("^session:"))
///     .context("acs:MFAPresent", true)
///     .at(now.clone());
///
/// match restore::guard(&set, &call, Some(&state)) {
///     Clearance::Permitted(permit) => assert!(!permit.plan().overwrites_all_data()),
///     Clearance::Refused(refusal) => panic!("{refusal}"),
/// }
///
/// // Without the instance's state, nothing is permitted.
/// let refused = restore::guard(&set, &call, None).into_result().unwrap_err();
/// assert!(refused.to_string().contains("not checked"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn guard(set: &PolicySet, call: &RestoreCall, state: Option<&InstanceState>) -> Clearance {
    // The set is immutable and nothing observed after a panic is reused, so unwinding through
    // it cannot leave broken state behind.
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| clear(set, call, state)));
    outcome.unwrap_or_else(|_| {
        Clearance::Refused(Refusal {
            reasons: vec![Reason::Internal],
            assessment: Box::new(Assessment {
                parameters: call.parameters.clone(),
                request: None,
                decision: None,
                depends_on: Vec::new(),
                validation: Validation::not_made(),
                submitted_at: call.submitted_at.clone().unwrap_or_else(Timestamp::now),
            }),
        })
    })
}

fn clear(set: &PolicySet, call: &RestoreCall, state: Option<&InstanceState>) -> Clearance {
    let submitted_at = call.submitted_at.clone().unwrap_or_else(Timestamp::now);
    let mut reasons = Vec::new();
    if let Some(Err(e)) = state.map(|s| call.check_instance(s)) {
        reasons.push(Reason::InvalidCall(e));
    }
    let built = call
        .request_builder(&submitted_at)
        .and_then(|b| b.build().map_err(CallError::from))
        .and_then(|request| same_time(&request, &submitted_at).map(|()| request));
    let request = match built {
        Ok(request) => Some(request),
        // An invalid `InstanceId` is reported among the parameter errors.
        Err(CallError::InstanceId) => None,
        Err(e) => {
            reasons.push(Reason::InvalidCall(e));
            None
        }
    };
    let decision = request.as_ref().map(|r| set.evaluate(r));
    if let Some(decision) = decision.filter(|d| !d.is_allowed()) {
        reasons.push(Reason::Denied(decision));
    }
    let validation = call.parameters.validate(&submitted_at, state);
    if !validation.is_valid() {
        reasons.push(Reason::RejectedParameters(validation.errors.clone()));
    }
    let depends_on = request
        .as_ref()
        .map(|r| set.depends_on(r))
        .unwrap_or_default();
    // A denial is refused anyway; only an Allow that a missing key could overturn is a reason.
    if decision.is_some_and(|d| d.is_allowed()) && !depends_on.is_empty() {
        reasons.push(Reason::MissingContext(depends_on.clone()));
    }
    let unchecked: Vec<InstanceCheck> = validation
        .instance_checks
        .iter()
        .filter(|c| c.status == CheckStatus::NotChecked)
        .cloned()
        .collect();
    if !unchecked.is_empty() {
        reasons.push(Reason::InstanceNotChecked(unchecked));
    }
    let assessment = Assessment {
        parameters: call.parameters.clone(),
        request,
        decision,
        depends_on,
        validation,
        submitted_at,
    };
    if reasons.is_empty()
        && let Some(decision) = decision.filter(Decision::is_allowed)
        && let Some(plan) = assessment.validation.plan.clone()
    {
        return Clearance::Permitted(Permit(Box::new(Permitted {
            decision,
            plan,
            assessment,
        })));
    }
    if reasons.is_empty() {
        // Unreachable by construction; a refusal must still say something.
        reasons.push(Reason::Internal);
    }
    let assessment = Box::new(assessment);
    Clearance::Refused(Refusal {
        reasons,
        assessment,
    })
}

/// Checks that the request is evaluated at the submission time: a context `acs:CurrentTime`
/// overrides the time given to the builder, and a policy reading another time than the
/// parameter rules could allow what RAM, seeing the real time, denies.
fn same_time(request: &Request, submitted_at: &Timestamp) -> Result<(), CallError> {
    let values = request.context().get(CURRENT_TIME_KEY);
    match values {
        [one] if Timestamp::parse_rfc3339(one.text()).is_ok_and(|t| t == *submitted_at) => Ok(()),
        _ => Err(CallError::CurrentTime {
            expected: submitted_at.to_string(),
            found: values
                .iter()
                .map(|v| v.text())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
