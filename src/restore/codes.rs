//! The `RestoreInstance` API's error codes and messages (docs/semantics.md §6): the one table that says
//! what the API answers for each rejected parameter.

use std::fmt;

use serde::Serialize;

/// A parameter of `RestoreInstance`, named as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Parameter {
    /// The instance to restore.
    InstanceId,
    /// `0` (backup set) or `1` (point in time).
    RestoreType,
    /// The backup set, for type `0`.
    BackupId,
    /// The point in time, for type `1`.
    RestoreTime,
    /// Regular expressions selecting the keys to restore, for type `1`.
    FilterKey,
    /// When the keys' remaining TTL restarts, for type `1`.
    TimeShift,
}

impl Parameter {
    /// The API's name of the parameter.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::Parameter;
    ///
    /// assert_eq!(Parameter::RestoreTime.name(), "RestoreTime");
    /// assert_eq!(Parameter::BackupId.to_string(), "BackupId");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Parameter::InstanceId => "InstanceId",
            Parameter::RestoreType => "RestoreType",
            Parameter::BackupId => "BackupId",
            Parameter::RestoreTime => "RestoreTime",
            Parameter::FilterKey => "FilterKey",
            Parameter::TimeShift => "TimeShift",
        }
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An error code `RestoreInstance` returns. The spellings, typos included, are the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `ServiceNotSupport`: point-in-time restore on an instance without data flashback.
    ServiceNotSupport,
    /// `MissingParameter`: a required parameter is absent.
    MissingParameter,
    /// `ResroreParamNotMatch` (sic): a parameter of the other restore type is given.
    ResroreParamNotMatch,
    /// `InvalidRestoreTime.Format`: `RestoreTime` is malformed or in the future.
    InvalidRestoreTimeFormat,
    /// `ZoneMigrationError.StillingRunning` (sic): the instance is being migrated across zones.
    ZoneMigrationStillingRunning,
    /// `InvalidBinlog.NotValid`: `RestoreTime` is before the earliest restorable time.
    InvalidBinlogNotValid,
    /// `InvalidParameter`: any other invalid value (the API reference lists no dedicated code).
    InvalidParameter,
    /// `IncorrectDBInstanceState` (HTTP 403): the instance's `InstanceStatus` is neither
    /// `Normal` nor `Migrating` (which has its own code), from R-kvstore's common error list.
    IncorrectDbInstanceState,
}

/// The HTTP status of the API's answer to rejected parameters (docs/semantics.md §6); the
/// instance-state error `IncorrectDBInstanceState` answers [`INCORRECT_STATE_STATUS`].
pub const REJECTED_PARAMETER_STATUS: u16 = 400;

/// The HTTP status of `IncorrectDBInstanceState`.
pub const INCORRECT_STATE_STATUS: u16 = 403;

impl ErrorCode {
    /// The code as the API returns it, typos included.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::ErrorCode;
    ///
    /// assert_eq!(ErrorCode::InvalidRestoreTimeFormat.code(), "InvalidRestoreTime.Format");
    /// assert_eq!(ErrorCode::ResroreParamNotMatch.code(), "ResroreParamNotMatch");
    /// assert_eq!(ErrorCode::IncorrectDbInstanceState.code(), "IncorrectDBInstanceState");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::ServiceNotSupport => "ServiceNotSupport",
            ErrorCode::MissingParameter => "MissingParameter",
            ErrorCode::ResroreParamNotMatch => "ResroreParamNotMatch",
            ErrorCode::InvalidRestoreTimeFormat => "InvalidRestoreTime.Format",
            ErrorCode::ZoneMigrationStillingRunning => "ZoneMigrationError.StillingRunning",
            ErrorCode::InvalidBinlogNotValid => "InvalidBinlog.NotValid",
            ErrorCode::InvalidParameter => "InvalidParameter",
            ErrorCode::IncorrectDbInstanceState => "IncorrectDBInstanceState",
        }
    }

    /// The HTTP status of the API's answer: [`REJECTED_PARAMETER_STATUS`] (400), but
    /// [`INCORRECT_STATE_STATUS`] (403) for `IncorrectDBInstanceState`.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::ErrorCode;
    ///
    /// assert_eq!(ErrorCode::MissingParameter.http_status(), 400);
    /// assert_eq!(ErrorCode::IncorrectDbInstanceState.http_status(), 403);
    /// ```
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::IncorrectDbInstanceState => INCORRECT_STATE_STATUS,
            _ => REJECTED_PARAMETER_STATUS,
        }
    }

    /// The API's exact message for this code about `parameter`.
    ///
    /// docs/semantics.md §6 gives one message per code. Two cases it does not cover are decisions:
    /// `MissingParameter` for `InstanceId` uses Alibaba Cloud's gateway message, which names the
    /// parameter (the §6 message names only `BackupId`, `RestoreTime` and `RestoreType`); and
    /// `InvalidParameter`, which §6 does not list, uses the gateway's message naming the
    /// parameter.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{ErrorCode, Parameter};
    ///
    /// assert_eq!(
    ///     ErrorCode::MissingParameter.message(Parameter::BackupId),
    ///     "Missing Required Param: BackupId or RestoreTime or RestoreType."
    /// );
    /// assert_eq!(
    ///     ErrorCode::InvalidParameter.message(Parameter::FilterKey),
    ///     "The specified parameter \"FilterKey\" is not valid."
    /// );
    /// ```
    pub fn message(self, parameter: Parameter) -> String {
        match (self, parameter) {
            (ErrorCode::ServiceNotSupport, _) => "This service not supported.".into(),
            (ErrorCode::MissingParameter, Parameter::InstanceId) => format!(
                "The input parameter \"{parameter}\" that is mandatory for processing this request is not supplied."
            ),
            (ErrorCode::MissingParameter, _) => {
                "Missing Required Param: BackupId or RestoreTime or RestoreType.".into()
            }
            (ErrorCode::ResroreParamNotMatch, _) => {
                "restoreType is not match with backupId or restoreTime.".into()
            }
            (ErrorCode::InvalidRestoreTimeFormat, _) => {
                "Specified restore time is not valid.".into()
            }
            (ErrorCode::ZoneMigrationStillingRunning, _) => {
                "Zone migration task is still running".into()
            }
            (ErrorCode::InvalidBinlogNotValid, _) => {
                "The available binlog is not valid in recovery time.".into()
            }
            (ErrorCode::InvalidParameter, _) => {
                format!("The specified parameter \"{parameter}\" is not valid.")
            }
            (ErrorCode::IncorrectDbInstanceState, _) => {
                "Current DB instance state does not support this operation.".into()
            }
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// One reason the API would reject the call: what it would answer, and why ramguard says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParameterError {
    /// The API's error code.
    pub code: ErrorCode,
    /// The HTTP status of the API's answer.
    pub http_status: u16,
    /// The API's exact message.
    pub message: String,
    /// The parameter at fault.
    pub parameter: Parameter,
    /// ramguard's explanation: the value at fault and what is wrong with it.
    pub reason: String,
}

impl ParameterError {
    /// The API's answer `code` about `parameter`, with ramguard's `reason`; the status and
    /// message are the code's.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{ErrorCode, Parameter, ParameterError};
    ///
    /// let error = ParameterError::new(ErrorCode::InvalidBinlogNotValid, Parameter::RestoreTime,
    ///     "`2026-11-19T00:00:00Z` is before the earliest restorable time `2026-11-20T00:00:00Z`");
    /// assert_eq!((error.http_status, error.message.as_str()), (400, "The available binlog is not valid in recovery time."));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "RestoreTime: InvalidBinlog.NotValid (HTTP 400) \"The available binlog is not valid in recovery time.\": \
    ///      `2026-11-19T00:00:00Z` is before the earliest restorable time `2026-11-20T00:00:00Z`"
    /// );
    /// ```
    pub fn new(code: ErrorCode, parameter: Parameter, reason: impl Into<String>) -> ParameterError {
        ParameterError {
            code,
            http_status: code.http_status(),
            message: code.message(parameter),
            parameter,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (HTTP {}) \"{}\": {}",
            self.parameter, self.code, self.http_status, self.message, self.reason
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_are_the_apis() {
        let rows = [
            (
                ErrorCode::ServiceNotSupport,
                Parameter::RestoreType,
                "ServiceNotSupport",
                "This service not supported.",
            ),
            (
                ErrorCode::MissingParameter,
                Parameter::BackupId,
                "MissingParameter",
                "Missing Required Param: BackupId or RestoreTime or RestoreType.",
            ),
            (
                ErrorCode::MissingParameter,
                Parameter::RestoreTime,
                "MissingParameter",
                "Missing Required Param: BackupId or RestoreTime or RestoreType.",
            ),
            (
                ErrorCode::ResroreParamNotMatch,
                Parameter::BackupId,
                "ResroreParamNotMatch",
                "restoreType is not match with backupId or restoreTime.",
            ),
            (
                ErrorCode::InvalidParameter,
                Parameter::FilterKey,
                "InvalidParameter",
                "The specified parameter \"FilterKey\" is not valid.",
            ),
            (
                ErrorCode::MissingParameter,
                Parameter::InstanceId,
                "MissingParameter",
                "The input parameter \"InstanceId\" that is mandatory for processing this request is not supplied.",
            ),
            (
                ErrorCode::ResroreParamNotMatch,
                Parameter::FilterKey,
                "ResroreParamNotMatch",
                "restoreType is not match with backupId or restoreTime.",
            ),
            (
                ErrorCode::InvalidRestoreTimeFormat,
                Parameter::RestoreTime,
                "InvalidRestoreTime.Format",
                "Specified restore time is not valid.",
            ),
            (
                ErrorCode::ZoneMigrationStillingRunning,
                Parameter::InstanceId,
                "ZoneMigrationError.StillingRunning",
                "Zone migration task is still running",
            ),
            (
                ErrorCode::InvalidBinlogNotValid,
                Parameter::RestoreTime,
                "InvalidBinlog.NotValid",
                "The available binlog is not valid in recovery time.",
            ),
            (
                ErrorCode::InvalidParameter,
                Parameter::TimeShift,
                "InvalidParameter",
                "The specified parameter \"TimeShift\" is not valid.",
            ),
        ];
        for (code, parameter, name, message) in rows {
            let error = ParameterError::new(code, parameter, "why");
            assert_eq!(error.code.code(), name);
            assert_eq!(error.code.to_string(), name);
            assert_eq!(error.http_status, 400);
            assert_eq!(error.message, message);
            assert_eq!(
                serde_json::to_value(&error).unwrap(),
                serde_json::json!({
                    "code": name,
                    "http_status": 400,
                    "message": message,
                    "parameter": parameter.name(),
                    "reason": "why",
                })
            );
        }
        let state = ParameterError::new(
            ErrorCode::IncorrectDbInstanceState,
            Parameter::InstanceId,
            "why",
        );
        assert_eq!(
            (state.code.code(), state.http_status, state.message.as_str()),
            (
                "IncorrectDBInstanceState",
                403,
                "Current DB instance state does not support this operation."
            )
        );
    }
}
