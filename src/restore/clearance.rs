//! The guard's answer: a [`Clearance`] that permits only through a [`Permit`] the guard alone
//! makes, the [`Reason`]s of a refusal, and the [`Assessment`] that says what was found.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::validate::{InstanceCheck, Validation};
use super::{CallError, ParameterError, RestoreParameters, RestorePlan};
use crate::eval::{Decision, Explanation, MatchedStatement, PolicySet, Principal};
use crate::principal::PrincipalError;
use crate::request::{ALWAYS_KNOWN_KEYS, Request};
use crate::value::Timestamp;

/// The guard's answer. Only [`Clearance::Permitted`] allows the restore to be dispatched, and
/// its [`Permit`] can be made by [`guard`](super::guard) alone. Either way the [`Assessment`] says what was
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
/// that decision depends on, the parameter and instance-state checks, and the time it used. It
/// keeps a handle on the policies it was checked against, so it can explain itself
/// ([`Assessment::explain`]) and serialize with policy names and `Sid`s.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub(super) policies: Option<PolicySet>,
    pub(super) parameters: RestoreParameters,
    pub(super) request: Option<Request>,
    pub(super) decision: Option<Decision>,
    pub(super) depends_on: Vec<String>,
    pub(super) validation: Validation,
    pub(super) submitted_at: Timestamp,
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

    /// RAM's decision with its trace, for the same request, at the same time, against the same
    /// policies as the guard's decision: computed now, from what the assessment keeps. `None`
    /// when no request could be built.
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
    /// let explained = refusal.assessment().explain().expect("a request was evaluated");
    /// assert_eq!(explained.matched[0].policy, "NoProdRestore");
    /// assert!(explained.to_string().starts_with("ExplicitDeny (decided by ControlPolicy)\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self) -> Option<Explanation> {
        let (request, policies) = (self.request.as_ref()?, self.policies.as_ref()?);
        Some(policies.explain(request))
    }

    /// The statement that decided (an `Allow` or a `Deny`), located: policy, file, index,
    /// `Sid`, line and column. `None` for an implicit deny or when no request was evaluated.
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// // alice overwrites production from a backup: the control policy `NoProdRestore` denies it.
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1prod01", "b-20261128"))
    ///     .context("acs:SecureTransport", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, None);
    /// let statement = clearance.assessment().deciding_statement().expect("a Deny decided");
    /// assert_eq!((statement.policy.as_str(), statement.statement), ("NoProdRestore", 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deciding_statement(&self) -> Option<MatchedStatement> {
        let id = self.decision?.deciding?;
        self.policies.as_ref()?.locate(id)
    }

    /// The principal whose policies were evaluated, when the set names one (sets built from an
    /// account do).
    ///
    /// # Example
    /// ```
    /// # use ramguard::principal::{Account, PrincipalRef};
    /// # use ramguard::restore::{self, RestoreCall, RestoreParameters};
    /// # use ramguard::value::Timestamp;
    /// # let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// # let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?.build()?;
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, None);
    /// let principal = clearance.assessment().principal().expect("alice");
    /// assert_eq!((principal.principal_type.as_str(), principal.display_name.as_str()), ("SubUser", "alice"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn principal(&self) -> Option<&Principal> {
        self.policies.as_ref()?.principal()
    }

    /// The instance's ARN the call was authorized on; `None` when no request was built.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{self, RestoreCall, RestoreParameters};
    /// use ramguard::value::Timestamp;
    /// use ramguard::{Policy, PolicySet};
    ///
    /// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreFullAccess")?).build()?;
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, None);
    /// assert_eq!(
    ///     clearance.assessment().resource(),
    ///     Some("acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource(&self) -> Option<&str> {
        self.request.as_ref().map(Request::resource)
    }

    /// The policies the call was checked against: a cheap handle on the same compiled set.
    /// `None` when there were none to check it against (an unknown principal).
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{self, RestoreCall, RestoreParameters};
    /// use ramguard::value::Timestamp;
    /// use ramguard::{Policy, PolicySet};
    ///
    /// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreFullAccess")?).build()?;
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let clearance = restore::guard(&set, &call, None);
    /// assert!(clearance.assessment().policies().is_some_and(|p| p.is_same_set(&set)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policies(&self) -> Option<&PolicySet> {
        self.policies.as_ref()
    }
}

/// Proof that one restore was checked and may be dispatched. It has no public constructor.
#[derive(Debug)]
pub struct Permit(Box<Permitted>);

/// What a permit holds; boxed, so that a clearance stays small.
#[derive(Debug)]
pub(super) struct Permitted {
    pub(super) decision: Decision,
    pub(super) plan: RestorePlan,
    pub(super) assessment: Assessment,
}

impl Permit {
    /// Only the guard makes a permit.
    pub(super) fn new(permitted: Permitted) -> Permit {
        Permit(Box::new(permitted))
    }
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
        // A permit is only made for an evaluated request.
        self.0.assessment.resource().unwrap_or("")
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
    pub(super) reasons: Vec<Reason>,
    pub(super) assessment: Box<Assessment>,
}

/// One reason for a refusal. New kinds of reason may be added: a `match` needs a wildcard
/// arm, and any reason at all means "do not dispatch".
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Reason {
    /// RAM would deny the call.
    Denied(Decision),
    /// The API would reject the parameters (or the instance's state).
    RejectedParameters(Vec<ParameterError>),
    /// RAM allows the call as given, but the call lacks condition keys whose values could make
    /// it deny: give them, or declare them absent with [`RestoreCall::absent`](super::RestoreCall::absent) (except
    /// `acs:SecureTransport`, which RAM knows on every call, so it can only be given).
    MissingContext(Vec<String>),
    /// Checks of the instance's state could not be made.
    InstanceNotChecked(Vec<InstanceCheck>),
    /// The call is malformed: region, account id, request context, or an instance state that
    /// is another instance's.
    InvalidCall(CallError),
    /// The principal is not one of the account's
    /// ([`CompiledAccount::guard`](crate::account::CompiledAccount::guard)).
    UnknownPrincipal(PrincipalError),
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
            Reason::UnknownPrincipal(_) => "unknown-principal",
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
            Reason::MissingContext(keys) => {
                // RAM knows some keys on every call: those can only be given.
                let can_be_absent = keys
                    .iter()
                    .any(|k| !ALWAYS_KNOWN_KEYS.iter().any(|a| a.eq_ignore_ascii_case(k)));
                let advice = if can_be_absent {
                    "give their values, or declare absent those the real call has none of"
                } else {
                    "give their values"
                };
                write!(
                    f,
                    "RAM's decision depends on keys the call lacks: {} ({advice})",
                    keys.join(", ")
                )
            }
            Reason::InstanceNotChecked(checks) => {
                let codes: Vec<&str> = checks.iter().map(|c| c.code.code()).collect();
                write!(
                    f,
                    "the instance's state was not checked for {}",
                    codes.join(", ")
                )
            }
            Reason::InvalidCall(error) => write!(f, "the call is invalid: {error}"),
            Reason::UnknownPrincipal(error) => write!(f, "{error}"),
            Reason::Internal => f.write_str("internal error while checking; nothing is permitted"),
        }
    }
}

/// The JSON shape of an assessment (and of the clearance that holds it): `resource`,
/// `principal`, `submitted_at`, `decision` (with the deciding statement by policy name, `Sid`
/// and position), `depends_on`, `parameters` (under the API's names), `parameter_errors`,
/// `instance_checks` and `plan`; `null` where the guard could not find one.
impl Serialize for Assessment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.write_fields(&mut map)?;
        map.end()
    }
}

impl Assessment {
    fn write_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let decision = self
            .decision
            .as_ref()
            .zip(self.policies.as_ref())
            .map(|(decision, set)| set.record(decision));
        map.serialize_entry("resource", &self.resource())?;
        map.serialize_entry("principal", &self.principal())?;
        map.serialize_entry("submitted_at", &self.submitted_at.to_string())?;
        map.serialize_entry("decision", &decision)?;
        map.serialize_entry("depends_on", &self.depends_on)?;
        map.serialize_entry("parameters", &self.parameters)?;
        map.serialize_entry("parameter_errors", &self.validation.errors)?;
        map.serialize_entry("instance_checks", &self.validation.instance_checks)?;
        map.serialize_entry("plan", &self.validation.plan)
    }
}

/// `{"permitted": bool, "reasons": [...]}` followed by the [`Assessment`]'s fields: one line of
/// a decision log.
///
/// # Example
/// ```
/// use ramguard::restore::{self, RestoreCall, RestoreParameters};
/// use ramguard::value::Timestamp;
/// use ramguard::{Policy, PolicySet};
///
/// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreReadOnlyAccess")?).build()?;
/// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
/// let json = serde_json::to_value(restore::guard(&set, &call, None))?;
/// assert_eq!(json["permitted"], false);
/// assert_eq!(json["reasons"][0]["code"], "denied");
/// assert_eq!(json["decision"]["verdict"], "ImplicitDeny");
/// assert_eq!(json["parameters"]["BackupId"], "b-20261128");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl Serialize for Clearance {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reasons: &[Reason] = match self {
            Clearance::Permitted(_) => &[],
            Clearance::Refused(refusal) => &refusal.reasons,
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("permitted", &self.is_permitted())?;
        map.serialize_entry("reasons", reasons)?;
        self.assessment().write_fields(&mut map)?;
        map.end()
    }
}

/// As the [`Clearance::Permitted`] that holds it.
impl Serialize for Permit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("permitted", &true)?;
        map.serialize_entry("reasons", &[] as &[Reason])?;
        self.assessment().write_fields(&mut map)?;
        map.end()
    }
}

/// As the [`Clearance::Refused`] that holds it.
impl Serialize for Refusal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("permitted", &false)?;
        map.serialize_entry("reasons", &self.reasons)?;
        self.assessment.write_fields(&mut map)?;
        map.end()
    }
}

/// `{"code", "message"}` and what the reason is about: `errors` (the parameter errors),
/// `keys` (the missing context keys), `checks` (the instance checks not made) or `error` (the
/// invalid call or the unknown principal, in [`Diagnostic`](crate::diagnostic::Diagnostic)'s
/// shape). A denial's decision is the clearance's `decision`.
impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &self.to_string())?;
        match self {
            Reason::Denied(_) | Reason::Internal => {}
            Reason::RejectedParameters(errors) => map.serialize_entry("errors", errors)?,
            Reason::MissingContext(keys) => map.serialize_entry("keys", keys)?,
            Reason::InstanceNotChecked(checks) => map.serialize_entry("checks", checks)?,
            Reason::InvalidCall(error) => map.serialize_entry("error", error)?,
            Reason::UnknownPrincipal(error) => map.serialize_entry("error", error)?,
        }
        map.end()
    }
}
