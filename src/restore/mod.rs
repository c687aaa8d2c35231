//! `RestoreInstance`: its parameters, their validation with the API's own error codes and
//! messages (docs/semantics.md §6), the instance state some rules depend on, what a restore would do, and
//! the [`guard`] a dispatcher calls before every restore.
//!
//! A restore of type `0` overwrites the whole instance with a backup set, so a wrong "yes"
//! destroys data: everything here fails closed. A rule that could not be checked is reported as
//! not checked, never as passed, and the guard permits nothing unless every check was made.

mod call;
mod clearance;
mod codes;
mod guard;
mod instance;
mod plan;
mod validate;

pub use call::{CallError, RestoreCall};
pub use clearance::{Assessment, Clearance, Permit, Reason, Refusal};
pub use codes::{
    ErrorCode, INCORRECT_STATE_STATUS, Parameter, ParameterError, REJECTED_PARAMETER_STATUS,
};
pub use guard::guard;
pub(crate) use guard::refuse;
pub use instance::{Flashback, InstanceError, InstanceState, NORMAL_STATUS, ZONE_MIGRATION_STATUS};
pub use plan::RestorePlan;
pub use validate::{CheckStatus, InstanceCheck, Validation};

use std::fmt;

use serde::Serialize;

use crate::value::Timestamp;

/// The kind of restore `RestoreType` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RestoreType {
    /// `0`, the default: overwrite the whole instance with the backup set `BackupId`.
    BackupSet,
    /// `1`: data flashback to `RestoreTime`, of every key or of those matching `FilterKey`.
    PointInTime,
}

impl RestoreType {
    /// Reads the API's value: exactly `0` or `1`.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::RestoreType;
    ///
    /// assert_eq!(RestoreType::from_code("1"), Some(RestoreType::PointInTime));
    /// assert_eq!(RestoreType::from_code("01"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<RestoreType> {
        match code {
            "0" => Some(RestoreType::BackupSet),
            "1" => Some(RestoreType::PointInTime),
            _ => None,
        }
    }

    /// The API's value: `0` or `1`.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::RestoreType;
    ///
    /// assert_eq!(RestoreType::BackupSet.code(), "0");
    /// assert_eq!(RestoreType::PointInTime.to_string(), "1");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            RestoreType::BackupSet => "0",
            RestoreType::PointInTime => "1",
        }
    }
}

impl fmt::Display for RestoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for RestoreType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// The parameters of a `RestoreInstance` call, as strings, as the API receives them: `None` is
/// a parameter not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestoreParameters {
    /// `InstanceId` (required).
    pub instance_id: Option<String>,
    /// `BackupId`, for type `0`.
    pub backup_id: Option<String>,
    /// `RestoreType`: `0` (the default when absent) or `1`.
    pub restore_type: Option<String>,
    /// `RestoreTime` (`yyyy-MM-ddTHH:mm:ssZ`), for type `1`.
    pub restore_time: Option<String>,
    /// `FilterKey`: comma-separated regular expressions, for type `1`.
    pub filter_key: Option<String>,
    /// `TimeShift` (`yyyy-MM-ddTHH:mmZ`), for type `1`.
    pub time_shift: Option<String>,
}

impl RestoreParameters {
    /// A backup-set restore (`RestoreType` `0`) of `instance_id` from `backup_id`.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::RestoreParameters;
    ///
    /// let params = RestoreParameters::backup_set("r-bp1prod01", "b-20261128");
    /// assert_eq!(params.restore_type.as_deref(), Some("0"));
    /// assert_eq!(params.backup_id.as_deref(), Some("b-20261128"));
    /// assert_eq!(params.restore_time, None);
    /// ```
    pub fn backup_set(instance_id: impl Into<String>, backup_id: impl Into<String>) -> Self {
        RestoreParameters {
            instance_id: Some(instance_id.into()),
            backup_id: Some(backup_id.into()),
            restore_type: Some(RestoreType::BackupSet.code().into()),
            ..RestoreParameters::default()
        }
    }

    /// A point-in-time restore (`RestoreType` `1`) of `instance_id` to `restore_time`
    /// (`yyyy-MM-ddTHH:mm:ssZ`).
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::RestoreParameters;
    ///
    /// let params = RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z");
    /// assert_eq!(params.restore_type.as_deref(), Some("1"));
    /// assert_eq!(params.restore_time.as_deref(), Some("2026-11-29T08:00:00Z"));
    /// assert_eq!(params.backup_id, None);
    /// ```
    pub fn point_in_time(instance_id: impl Into<String>, restore_time: impl Into<String>) -> Self {
        RestoreParameters {
            instance_id: Some(instance_id.into()),
            restore_type: Some(RestoreType::PointInTime.code().into()),
            restore_time: Some(restore_time.into()),
            ..RestoreParameters::default()
        }
    }

    /// Sets `FilterKey`: comma-separated regular expressions selecting the keys a
    /// point-in-time restore rewinds.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::RestoreParameters;
    /// use ramguard::value::Timestamp;
    ///
    /// let params = RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z")
    ///     .filter_key("^session:,^cart:[0-9]+");
    /// let validation = params.validate(&Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?, None);
    /// let plan = validation.plan.expect("valid parameters have a plan");
    /// assert!(!plan.overwrites_all_data());
    /// assert!(plan.to_string().starts_with("restore the keys of instance `r-bp1stg01` matching `^session:`, `^cart:[0-9]+`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filter_key(mut self, keys: impl Into<String>) -> Self {
        self.filter_key = Some(keys.into());
        self
    }

    /// Sets `TimeShift` (`yyyy-MM-ddTHH:mmZ`): when the remaining TTL of the restored keys
    /// restarts.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{RestoreParameters, RestorePlan};
    /// use ramguard::value::Timestamp;
    ///
    /// let params = RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z")
    ///     .time_shift("2026-11-29T09:00Z");
    /// let validation = params.validate(&Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?, None);
    /// assert!(validation.is_valid());
    /// let Some(RestorePlan::PointInTime { time_shift, .. }) = validation.plan else { panic!("a point-in-time plan") };
    /// assert_eq!(time_shift.as_deref(), Some("2026-11-29T09:00Z"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_shift(mut self, time: impl Into<String>) -> Self {
        self.time_shift = Some(time.into());
        self
    }

    /// Applies the API's rules to the parameters, as of the submission time `submitted_at`,
    /// and, given the instance's state, its checks of that state (otherwise those are reported
    /// as not checked). Returns every violation with the API's code, status and message.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{ErrorCode, RestoreParameters};
    /// use ramguard::value::Timestamp;
    ///
    /// let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?;
    /// let params = RestoreParameters::point_in_time("r-bp1stg01", "2026-12-01T00:00:00Z")
    ///     .filter_key("^user:,[");
    /// let validation = params.validate(&now, None);
    /// let codes: Vec<&str> = validation.errors.iter().map(|e| e.code.code()).collect();
    /// assert_eq!(codes, ["InvalidRestoreTime.Format", "InvalidParameter"]);
    /// assert!(!validation.instance_checked());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(
        &self,
        submitted_at: &Timestamp,
        instance: Option<&InstanceState>,
    ) -> Validation {
        validate::validate(self, submitted_at, instance)
    }
}
