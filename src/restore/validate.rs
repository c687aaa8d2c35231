//! The rules `RestoreInstance` applies to its parameters (docs/semantics.md §6), each answered with the
//! API's own error; every violation is collected, not only the first.

use std::fmt;

use serde::Serialize;

use super::codes::{ErrorCode, Parameter, ParameterError};
use super::instance::{Flashback, InstanceState};
use super::plan::RestorePlan;
use super::{RestoreParameters, RestoreType};
use crate::value::Timestamp;

/// How deeply a `FilterKey` expression may nest; deeper ones are refused rather than parsed.
const FILTER_KEY_NEST_LIMIT: u32 = 100;

/// Whether a check of the instance's state was made, and how it came out. Only `Passed` and
/// `NotApplicable` let a restore through; `NotChecked` is never read as passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckStatus {
    /// The instance's state satisfies the rule.
    Passed,
    /// The API would reject the call for this rule.
    Failed,
    /// The rule could not be checked: no instance state, or not enough of it.
    NotChecked,
    /// The rule does not concern this kind of restore.
    NotApplicable,
}

/// One of the API's checks of the instance's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceCheck {
    /// The error the API answers when the check fails.
    pub code: ErrorCode,
    /// The outcome.
    pub status: CheckStatus,
    /// What was compared, or why nothing was.
    pub detail: String,
}

/// Everything the API would say about a call's parameters before restoring anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// The restore type, when `RestoreType` is valid (absent means `0`).
    pub restore_type: Option<RestoreType>,
    /// Every reason the API would reject the call, parameters first, then the instance's
    /// state; empty when it would accept it.
    pub errors: Vec<ParameterError>,
    /// The checks of the instance's state: zone migration, data flashback, binlog window.
    pub instance_checks: Vec<InstanceCheck>,
    /// What the restore would do, when `InstanceId` and `RestoreType` are valid.
    pub plan: Option<RestorePlan>,
}

impl Validation {
    /// A validation that was not made (the check itself failed): nothing passed, nothing is
    /// known, and every state check is missing.
    pub(crate) fn not_made() -> Validation {
        Validation {
            restore_type: None,
            errors: Vec::new(),
            instance_checks: Vec::new(),
            plan: None,
        }
    }

    /// Whether the API would accept the call, as far as it was checked: no parameter error,
    /// and no failed check of the instance's state (an unchecked one is not an error: see
    /// [`Validation::instance_checked`]).
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{InstanceState, RestoreParameters};
    /// use ramguard::value::Timestamp;
    ///
    /// let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?;
    /// let params = RestoreParameters::backup_set("r-bp1pay01", "b-20261128");
    /// assert!(params.validate(&now, None).is_valid());
    ///
    /// // The payments instance is being migrated to another zone.
    /// let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1pay01.json"))?;
    /// let validation = params.validate(&now, Some(&state));
    /// assert!(!validation.is_valid());
    /// assert_eq!(validation.errors[0].code.code(), "ZoneMigrationError.StillingRunning");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Whether every check of the instance's state was made (passed, failed or not
    /// applicable): false when any is `NotChecked`.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{CheckStatus, InstanceState, RestoreParameters};
    /// use ramguard::value::Timestamp;
    ///
    /// let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?;
    /// let params = RestoreParameters::backup_set("r-bp1stg01", "b-20261128");
    /// let unchecked = params.validate(&now, None);
    /// assert!(!unchecked.instance_checked());
    /// assert!(unchecked.instance_checks.iter().all(|c| c.status == CheckStatus::NotChecked));
    ///
    /// let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
    /// assert!(params.validate(&now, Some(&state)).instance_checked());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn instance_checked(&self) -> bool {
        self.instance_checks
            .iter()
            .all(|c| c.status != CheckStatus::NotChecked)
    }
}

/// The value of an optional parameter, `None` when absent or empty: a required parameter that is
/// empty counts as missing. (A forbidden parameter that is empty still counts as given: both
/// readings fail closed.)
fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// Whether an instance id is made of the characters instance ids have. Anything else could
/// change the ARN the call is authorized on (`/`, `:`, `*`), so it is refused.
pub(super) fn is_valid_instance_id(id: &str) -> bool {
    id.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) fn validate(
    parameters: &RestoreParameters,
    submitted_at: &Timestamp,
    instance: Option<&InstanceState>,
) -> Validation {
    let mut errors = Vec::new();
    let instance_id = match non_empty(&parameters.instance_id) {
        None => {
            errors.push(ParameterError::new(
                ErrorCode::MissingParameter,
                Parameter::InstanceId,
                "`InstanceId` is required",
            ));
            None
        }
        Some(id) if !is_valid_instance_id(id) => {
            errors.push(ParameterError::new(
                ErrorCode::InvalidParameter,
                Parameter::InstanceId,
                format!("`{id}` is not an instance id: expected letters, digits, `-` and `_`"),
            ));
            None
        }
        Some(id) => Some(id),
    };
    let restore_type = match parameters.restore_type.as_deref() {
        None => Some(RestoreType::BackupSet),
        Some(code) => {
            let parsed = RestoreType::from_code(code);
            if parsed.is_none() {
                errors.push(ParameterError::new(
                    ErrorCode::InvalidParameter,
                    Parameter::RestoreType,
                    format!("expected `0` (backup set) or `1` (point in time), found `{code}`"),
                ));
            }
            parsed
        }
    };
    let restore_time = match restore_type {
        Some(RestoreType::BackupSet) => {
            backup_set_rules(parameters, &mut errors);
            None
        }
        Some(RestoreType::PointInTime) => {
            point_in_time_rules(parameters, submitted_at, &mut errors)
        }
        // Which rules apply depends on the type; an invalid one is already an error.
        None => None,
    };
    let instance_checks = instance_checks(
        instance,
        instance_id,
        restore_type,
        restore_time.as_ref(),
        &mut errors,
    );
    let plan = instance_id
        .zip(restore_type)
        .map(|(id, restore_type)| plan(parameters, id, restore_type));
    Validation {
        restore_type,
        errors,
        instance_checks,
        plan,
    }
}

fn backup_set_rules(parameters: &RestoreParameters, errors: &mut Vec<ParameterError>) {
    if non_empty(&parameters.backup_id).is_none() {
        errors.push(ParameterError::new(
            ErrorCode::MissingParameter,
            Parameter::BackupId,
            "a backup-set restore (`RestoreType` `0`) needs `BackupId`",
        ));
    }
    for (parameter, value) in [
        (Parameter::RestoreTime, &parameters.restore_time),
        (Parameter::FilterKey, &parameters.filter_key),
        (Parameter::TimeShift, &parameters.time_shift),
    ] {
        if value.is_some() {
            errors.push(ParameterError::new(
                ErrorCode::ResroreParamNotMatch,
                parameter,
                format!(
                    "`{parameter}` is only for a point-in-time restore (`RestoreType` `1`); a backup-set restore (`0`) takes `BackupId` alone"
                ),
            ));
        }
    }
}

/// Applies the type-1 rules; returns `RestoreTime` when it is valid.
fn point_in_time_rules(
    parameters: &RestoreParameters,
    submitted_at: &Timestamp,
    errors: &mut Vec<ParameterError>,
) -> Option<Timestamp> {
    if parameters.backup_id.is_some() {
        errors.push(ParameterError::new(
            ErrorCode::ResroreParamNotMatch,
            Parameter::BackupId,
            "`BackupId` is only for a backup-set restore (`RestoreType` `0`); a point-in-time restore (`1`) takes `RestoreTime`",
        ));
    }
    let restore_time = match non_empty(&parameters.restore_time) {
        None => {
            errors.push(ParameterError::new(
                ErrorCode::MissingParameter,
                Parameter::RestoreTime,
                "a point-in-time restore (`RestoreType` `1`) needs `RestoreTime`",
            ));
            None
        }
        Some(text) => match Timestamp::parse_restore_time(text) {
            Err(e) => {
                errors.push(ParameterError::new(
                    ErrorCode::InvalidRestoreTimeFormat,
                    Parameter::RestoreTime,
                    e.to_string(),
                ));
                None
            }
            Ok(time) if time > *submitted_at => {
                errors.push(ParameterError::new(
                    ErrorCode::InvalidRestoreTimeFormat,
                    Parameter::RestoreTime,
                    format!(
                        "`{text}` is later than the submission time `{submitted_at}`: a restore time must not be in the future"
                    ),
                ));
                None
            }
            Ok(time) => Some(time),
        },
    };
    if let Some(filter) = &parameters.filter_key {
        for key in filter.split(',') {
            if let Some(reason) = filter_key_problem(key) {
                errors.push(ParameterError::new(
                    ErrorCode::InvalidParameter,
                    Parameter::FilterKey,
                    reason,
                ));
            }
        }
    }
    if let Some(text) = &parameters.time_shift {
        match Timestamp::parse_time_shift(text) {
            Err(e) => errors.push(ParameterError::new(
                ErrorCode::InvalidParameter,
                Parameter::TimeShift,
                e.to_string(),
            )),
            Ok(shift) => {
                if let Some(time) = restore_time.as_ref().filter(|t| shift < **t) {
                    errors.push(ParameterError::new(
                        ErrorCode::InvalidParameter,
                        Parameter::TimeShift,
                        format!("`{text}` is before the restore time `{time}`: it must lie between the restore time and the submission time"),
                    ));
                }
                if shift > *submitted_at {
                    errors.push(ParameterError::new(
                        ErrorCode::InvalidParameter,
                        Parameter::TimeShift,
                        format!("`{text}` is later than the submission time `{submitted_at}`: it must lie between the restore time and the submission time"),
                    ));
                }
            }
        }
    }
    restore_time
}

/// Why one comma-separated `FilterKey` item is refused, if it is.
fn filter_key_problem(key: &str) -> Option<String> {
    if key.is_empty() {
        return Some(
            "an empty expression in `FilterKey` (two commas in a row, or one at an end)".into(),
        );
    }
    let mut parser = regex_syntax::ParserBuilder::new()
        .nest_limit(FILTER_KEY_NEST_LIMIT)
        .build();
    match parser.parse(key) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "`{key}` is not a valid regular expression: {}",
            regex_error_summary(&e)
        )),
    }
}

/// The first line of a regex-syntax error's kind, without its multi-line source diagram.
fn regex_error_summary(error: &regex_syntax::Error) -> String {
    match error {
        regex_syntax::Error::Parse(e) => e.kind().to_string(),
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        other => other
            .to_string()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string(),
    }
}

/// The four checks the API makes against the instance's state, in a fixed order.
fn instance_checks(
    instance: Option<&InstanceState>,
    instance_id: Option<&str>,
    restore_type: Option<RestoreType>,
    restore_time: Option<&Timestamp>,
    errors: &mut Vec<ParameterError>,
) -> Vec<InstanceCheck> {
    let check = |code, status, detail: String| InstanceCheck {
        code,
        status,
        detail,
    };
    let codes = [
        ErrorCode::IncorrectDbInstanceState,
        ErrorCode::ZoneMigrationStillingRunning,
        ErrorCode::ServiceNotSupport,
        ErrorCode::InvalidBinlogNotValid,
    ];
    let unchecked = |detail: &str| {
        codes
            .iter()
            .map(|&code| check(code, CheckStatus::NotChecked, detail.to_string()))
            .collect()
    };
    let Some(state) = instance else {
        return unchecked("no instance state given");
    };
    let Some(id) = instance_id else {
        return unchecked("`InstanceId` is missing or invalid");
    };
    if state.instance_id != id {
        return unchecked(&format!(
            "the instance state describes `{}`, not `{id}`",
            state.instance_id
        ));
    }
    let mut checks = Vec::with_capacity(codes.len());

    // A running zone migration has its own code; every other status but `Normal` is refused.
    checks.push(if state.is_normal() {
        check(
            ErrorCode::IncorrectDbInstanceState,
            CheckStatus::Passed,
            format!("status `{}`", state.status),
        )
    } else if state.zone_migration_running() {
        check(
            ErrorCode::IncorrectDbInstanceState,
            CheckStatus::NotApplicable,
            format!(
                "status `{}`: answered as `{}`",
                state.status,
                ErrorCode::ZoneMigrationStillingRunning
            ),
        )
    } else {
        errors.push(ParameterError::new(
            ErrorCode::IncorrectDbInstanceState,
            Parameter::InstanceId,
            format!(
                "instance `{id}` has status `{}`: only a `Normal` instance can be restored",
                state.status
            ),
        ));
        check(
            ErrorCode::IncorrectDbInstanceState,
            CheckStatus::Failed,
            format!("status `{}`, not `Normal`", state.status),
        )
    });

    checks.push(if state.zone_migration_running() {
        errors.push(ParameterError::new(
            ErrorCode::ZoneMigrationStillingRunning,
            Parameter::InstanceId,
            format!(
                "instance `{id}` has status `{}`: a zone migration is running",
                state.status
            ),
        ));
        check(
            ErrorCode::ZoneMigrationStillingRunning,
            CheckStatus::Failed,
            format!("status `{}`: a zone migration is running", state.status),
        )
    } else {
        check(
            ErrorCode::ZoneMigrationStillingRunning,
            CheckStatus::Passed,
            format!("status `{}`: no zone migration is running", state.status),
        )
    });

    let (flashback, binlog) = match (restore_type, &state.flashback) {
        (None, _) => {
            let detail = "`RestoreType` is invalid, so the restore's needs are unknown";
            (
                check(
                    ErrorCode::ServiceNotSupport,
                    CheckStatus::NotChecked,
                    detail.into(),
                ),
                check(
                    ErrorCode::InvalidBinlogNotValid,
                    CheckStatus::NotChecked,
                    detail.into(),
                ),
            )
        }
        (Some(RestoreType::BackupSet), _) => {
            let detail = "a backup-set restore does not use data flashback";
            (
                check(
                    ErrorCode::ServiceNotSupport,
                    CheckStatus::NotApplicable,
                    detail.into(),
                ),
                check(
                    ErrorCode::InvalidBinlogNotValid,
                    CheckStatus::NotApplicable,
                    detail.into(),
                ),
            )
        }
        (Some(RestoreType::PointInTime), Flashback::Disabled) => {
            errors.push(ParameterError::new(
                ErrorCode::ServiceNotSupport,
                Parameter::RestoreType,
                format!("a point-in-time restore needs data flashback, which is not enabled on instance `{id}`"),
            ));
            (
                check(
                    ErrorCode::ServiceNotSupport,
                    CheckStatus::Failed,
                    "data flashback is not enabled".into(),
                ),
                check(
                    ErrorCode::InvalidBinlogNotValid,
                    CheckStatus::NotApplicable,
                    "without data flashback there is no binlog to restore from".into(),
                ),
            )
        }
        (Some(RestoreType::PointInTime), Flashback::Enabled { earliest }) => {
            let enabled = check(
                ErrorCode::ServiceNotSupport,
                CheckStatus::Passed,
                "data flashback is enabled".into(),
            );
            let binlog = match (restore_time, earliest) {
                (None, _) => check(
                    ErrorCode::InvalidBinlogNotValid,
                    CheckStatus::NotChecked,
                    "`RestoreTime` is missing or invalid".into(),
                ),
                (Some(_), None) => check(
                    ErrorCode::InvalidBinlogNotValid,
                    CheckStatus::NotChecked,
                    "the instance state does not give the earliest restorable time".into(),
                ),
                (Some(time), Some(earliest)) if time < earliest => {
                    errors.push(ParameterError::new(
                        ErrorCode::InvalidBinlogNotValid,
                        Parameter::RestoreTime,
                        format!("`{time}` is before `{earliest}`, the earliest time data flashback can restore instance `{id}` to"),
                    ));
                    check(
                        ErrorCode::InvalidBinlogNotValid,
                        CheckStatus::Failed,
                        format!("`{time}` is before the earliest restorable time `{earliest}`"),
                    )
                }
                (Some(time), Some(earliest)) => check(
                    ErrorCode::InvalidBinlogNotValid,
                    CheckStatus::Passed,
                    format!("`{time}` is not before the earliest restorable time `{earliest}`"),
                ),
            };
            (enabled, binlog)
        }
    };
    checks.push(flashback);
    checks.push(binlog);
    checks
}

fn plan(
    parameters: &RestoreParameters,
    instance_id: &str,
    restore_type: RestoreType,
) -> RestorePlan {
    match restore_type {
        RestoreType::BackupSet => RestorePlan::BackupSet {
            instance_id: instance_id.to_string(),
            backup_id: parameters.backup_id.clone(),
        },
        RestoreType::PointInTime => RestorePlan::PointInTime {
            instance_id: instance_id.to_string(),
            restore_time: parameters.restore_time.clone(),
            filter_keys: parameters
                .filter_key
                .as_ref()
                .map(|keys| keys.split(',').map(str::to_string).collect()),
            time_shift: parameters.time_shift.clone(),
        },
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::NotChecked => "not checked",
            CheckStatus::NotApplicable => "not applicable",
        })
    }
}
