//! The state of an instance that `RestoreInstance`'s checks depend on, read from
//! `DescribeInstanceAttribute` output.
//!
//! An instance file holds one of:
//! - a whole `DescribeInstanceAttribute` response: `{"RequestId": …, "Instances":
//!   {"DBInstanceAttribute": [{…}]}}` (exactly one instance);
//! - `{"DBInstanceAttribute": {…}}` (an object or a one-element array);
//! - the `DBInstanceAttribute` object itself.
//!
//! and, optionally, beside it (at the top level) the data-flashback window:
//! `"DataFlashback": {"Enabled": true, "EarliestRestorableTime": "2026-11-20T00:00:00Z"}`.
//!
//! Of `DBInstanceAttribute`, exactly these fields are read (every other one is ignored):
//! - `InstanceId` (string, required): must be the instance being restored;
//! - `RegionId` (string, optional): must be the region of the call when given;
//! - `InstanceStatus` (string, required): only [`NORMAL_STATUS`] lets a restore through;
//!   [`ZONE_MIGRATION_STATUS`] means a zone migration is running, any other status (`Creating`,
//!   `Changing`, `BackupRecovering`, `Flushing`, `Released`, …) is `IncorrectDBInstanceState`;
//! - `BackupLogStartTime` (RFC 3339 string, optional): the earliest point data flashback can
//!   restore to. The API returns it only when data flashback is enabled, so without
//!   `DataFlashback` its absence means flashback is off.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::json::{self, JsonKind, JsonValue, Object, ShapeError};
use crate::source::{self, SourceError};
use crate::span::{Source, Span};
use crate::value::Timestamp;

/// The `InstanceStatus` of an instance being migrated — **\[decision\]** the status a zone
/// migration (`MigrateToOtherZone`) puts an instance in. `DescribeInstanceAttribute` documents it
/// as "the instance is being migrated"; no other migration of a kvstore instance is started by
/// its owner.
pub const ZONE_MIGRATION_STATUS: &str = "Migrating";

/// The `InstanceStatus` of an instance that accepts a restore: every other status is refused
/// (docs/semantics.md §6).
pub const NORMAL_STATUS: &str = "Normal";

/// Whether data flashback is on, and since when it can restore.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Flashback {
    /// Data flashback is off: point-in-time restore is not supported.
    Disabled,
    /// Data flashback is on.
    Enabled {
        /// The earliest restorable time, when known.
        earliest: Option<Timestamp>,
    },
}

/// What `RestoreInstance`'s instance checks need to know about an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceState {
    /// Where the state was read from.
    pub origin: String,
    /// `InstanceId`.
    pub instance_id: String,
    /// `RegionId`, when given.
    pub region_id: Option<String>,
    /// `InstanceStatus`, such as `Normal` or `Migrating`.
    pub status: String,
    /// The data-flashback window.
    pub flashback: Flashback,
}

/// The members `DataFlashback` may have.
const WINDOW_MEMBERS: &[&str] = &["Enabled", "EarliestRestorableTime"];

/// An instance file that cannot be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum InstanceError {
    /// The file could not be read.
    Source(SourceError),
    /// A field is missing, given twice, or of the wrong JSON type.
    Shape {
        /// The file.
        file: Arc<Source>,
        /// What is wrong.
        error: ShapeError,
    },
    /// The file does not describe one instance as expected.
    Invalid {
        /// The file.
        file: Arc<Source>,
        /// Where in it.
        span: Span,
        /// What is wrong.
        message: String,
    },
}

impl From<SourceError> for InstanceError {
    fn from(e: SourceError) -> InstanceError {
        InstanceError::Source(e)
    }
}

impl InstanceError {
    /// The error as a diagnostic, located in the instance file when it was read.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::InstanceState;
    /// use ramguard::span::Source;
    ///
    /// let source = Source::new("r-bp1stg01.json", r#"{"InstanceId": "r-bp1stg01"}"#);
    /// let diagnostic = InstanceState::parse(source).unwrap_err().diagnostic();
    /// assert_eq!(diagnostic.code(), "invalid-instance");
    /// assert_eq!(diagnostic.message, "`DBInstanceAttribute` has no `InstanceStatus`");
    /// assert_eq!(diagnostic.file(), Some("r-bp1stg01.json"));
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            InstanceError::Source(e) => e.diagnostic(),
            InstanceError::Shape { file, error } => {
                Diagnostic::error("invalid-instance", error.to_string())
                    .with_help(HELP)
                    .at(file, error.span())
            }
            InstanceError::Invalid {
                file,
                span,
                message,
            } => Diagnostic::error("invalid-instance", message.clone())
                .with_help(HELP)
                .at(file, *span),
        }
    }
}

impl fmt::Display for InstanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.diagnostic())
    }
}

impl std::error::Error for InstanceError {}

const HELP: &str = "give the output of `aliyun r-kvstore DescribeInstanceAttribute --InstanceId …`, optionally with `\"DataFlashback\": {\"Enabled\": true, \"EarliestRestorableTime\": \"…\"}` beside it";

impl InstanceState {
    /// Reads an instance file.
    ///
    /// # Errors
    /// The file cannot be read, is not JSON, or lacks the fields the checks need.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{Flashback, InstanceError, InstanceState};
    /// use ramguard::value::Timestamp;
    ///
    /// let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1prod01.json"))?;
    /// assert_eq!((state.instance_id.as_str(), state.region_id.as_deref()), ("r-bp1prod01", Some("cn-hangzhou")));
    /// assert_eq!(state.flashback, Flashback::Enabled { earliest: Some(Timestamp::parse_rfc3339("2026-11-25T00:00:00Z")?) });
    ///
    /// let missing = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-none.json"));
    /// assert!(matches!(missing, Err(InstanceError::Source(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<InstanceState, InstanceError> {
        let source = source::read_source(path.as_ref())?;
        InstanceState::parse(source)
    }

    /// Reads an instance file held in memory.
    ///
    /// # Errors
    /// The text is not JSON, or lacks the fields the checks need.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::{Flashback, InstanceState};
    /// use ramguard::span::Source;
    ///
    /// let text = r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"}"#;
    /// let state = InstanceState::parse(Source::new("r-1.json", text))?;
    /// assert!(!state.zone_migration_running());
    /// assert!(matches!(state.flashback, Flashback::Enabled { earliest: Some(_) }));
    /// # Ok::<(), ramguard::restore::InstanceError>(())
    /// ```
    pub fn parse(source: Arc<Source>) -> Result<InstanceState, InstanceError> {
        let fail = |message: String, span: Span| InstanceError::Invalid {
            file: source.clone(),
            span,
            message,
        };
        let shape = |error: ShapeError| InstanceError::Shape {
            file: source.clone(),
            error,
        };
        let root = json::parse(source.text())
            .map_err(|e| fail(format!("invalid JSON: {}", e.message), e.span))?;
        // A field given twice is refused: reading only the first (say, of two
        // `InstanceStatus`) could pass a check the other fails.
        let top = Object::strict(&root, "the instance file", &[]).map_err(shape)?;
        let attribute = if let Some(instances) = top.get("Instances") {
            let instances = Object::strict(instances, "Instances", &[]).map_err(shape)?;
            let list = instances.required("DBInstanceAttribute").map_err(shape)?;
            one_instance(list).map_err(|(m, s)| fail(m, s))?
        } else if let Some(list) = top.get("DBInstanceAttribute") {
            one_instance(list).map_err(|(m, s)| fail(m, s))?
        } else {
            &root
        };
        let fields = Object::strict(attribute, "DBInstanceAttribute", &[]).map_err(shape)?;
        let string = |name: &str| -> Result<Option<(String, Span)>, InstanceError> {
            fields
                .get(name)
                .map(|v| {
                    json::string(v, name)
                        .map(|s| (s.to_string(), v.span))
                        .map_err(shape)
                })
                .transpose()
        };
        let required = |name: &'static str| -> Result<String, InstanceError> {
            match string(name)? {
                Some((value, _)) if !value.is_empty() => Ok(value),
                Some((_, span)) => Err(shape(ShapeError::Empty {
                    element: name.into(),
                    what: "string",
                    span,
                })),
                None => Err(fail(
                    format!("`DBInstanceAttribute` has no `{name}`"),
                    attribute.span,
                )),
            }
        };
        let instance_id = required("InstanceId")?;
        let status = required("InstanceStatus")?;
        let region_id = string("RegionId")?.map(|(r, _)| r);
        let log_start = match string("BackupLogStartTime")? {
            Some((text, span)) => Some((
                Timestamp::parse_rfc3339(&text)
                    .map_err(|e| fail(format!("`BackupLogStartTime`: {e}"), span))?,
                span,
            )),
            None => None,
        };
        // Beside the attribute object or inside it, not both: two windows could disagree.
        let beside = if std::ptr::eq(&root, attribute) {
            None
        } else {
            top.get("DataFlashback")
        };
        let inside = fields.get("DataFlashback");
        if let (Some(_), Some(second)) = (beside, inside) {
            return Err(fail(
                "`DataFlashback` is given both beside and inside `DBInstanceAttribute`".into(),
                second.span,
            ));
        }
        let flashback = match beside.or(inside) {
            None => match log_start {
                Some((earliest, _)) => Flashback::Enabled {
                    earliest: Some(earliest),
                },
                None => Flashback::Disabled,
            },
            Some(window) => read_window(window, log_start, &fail, &shape)?,
        };
        Ok(InstanceState {
            origin: source.name().to_string(),
            instance_id,
            region_id,
            status,
            flashback,
        })
    }

    /// Whether a zone migration is running on the instance: its status is
    /// [`ZONE_MIGRATION_STATUS`].
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::InstanceState;
    ///
    /// let payments = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1pay01.json"))?;
    /// assert_eq!(payments.status, "Migrating");
    /// assert!(payments.zone_migration_running());
    /// # Ok::<(), ramguard::restore::InstanceError>(())
    /// ```
    pub fn zone_migration_running(&self) -> bool {
        self.status == ZONE_MIGRATION_STATUS
    }

    /// Whether the instance is in the one state that accepts a restore, `Normal`.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::InstanceState;
    /// use ramguard::span::Source;
    ///
    /// let state = |status: &str| {
    ///     let text = format!(r#"{{"InstanceId": "r-bp1stg01", "InstanceStatus": "{status}"}}"#);
    ///     InstanceState::parse(Source::new("r-bp1stg01.json", text))
    /// };
    /// assert!(state("Normal")?.is_normal());
    /// assert!(!state("BackupRecovering")?.is_normal());
    /// # Ok::<(), ramguard::restore::InstanceError>(())
    /// ```
    pub fn is_normal(&self) -> bool {
        self.status == NORMAL_STATUS
    }
}

/// The one instance of a `DBInstanceAttribute` array (or the object itself).
fn one_instance(list: &JsonValue) -> Result<&JsonValue, (String, Span)> {
    match &list.kind {
        JsonKind::Object(_) => Ok(list),
        JsonKind::Array(items) => match items.as_slice() {
            [one] if matches!(one.kind, JsonKind::Object(_)) => Ok(one),
            [one] => Err((
                format!(
                    "`DBInstanceAttribute` must hold an object, found {}",
                    one.kind.type_name()
                ),
                one.span,
            )),
            items => Err((
                format!(
                    "`DBInstanceAttribute` must describe exactly one instance, found {}",
                    items.len()
                ),
                list.span,
            )),
        },
        other => Err((
            format!(
                "`DBInstanceAttribute` must be an object or an array, found {}",
                other.type_name()
            ),
            list.span,
        )),
    }
}

/// Reads `DataFlashback`, which must agree with `BackupLogStartTime` when both are given.
fn read_window(
    window: &JsonValue,
    log_start: Option<(Timestamp, Span)>,
    fail: &dyn Fn(String, Span) -> InstanceError,
    shape: &dyn Fn(ShapeError) -> InstanceError,
) -> Result<Flashback, InstanceError> {
    let members = Object::strict(window, "DataFlashback", WINDOW_MEMBERS).map_err(shape)?;
    let enabled = match members.get("Enabled") {
        None => None,
        Some(value) => match value.kind {
            JsonKind::Bool(b) => Some(b),
            _ => {
                return Err(shape(ShapeError::WrongType {
                    element: "Enabled".into(),
                    expected: "`true` or `false`",
                    found: value.kind.type_name(),
                    span: value.span,
                }));
            }
        },
    };
    let earliest = match members.get("EarliestRestorableTime") {
        None => None,
        Some(value) => {
            let text = json::string(value, "EarliestRestorableTime").map_err(shape)?;
            Some(
                Timestamp::parse_rfc3339(text)
                    .map_err(|e| fail(format!("`EarliestRestorableTime`: {e}"), value.span))?,
            )
        }
    };
    let Some(enabled) = enabled else {
        return Err(fail("`DataFlashback` has no `Enabled`".into(), window.span));
    };
    match (enabled, earliest, log_start) {
        (false, Some(_), _) => Err(fail(
            "`DataFlashback` is disabled but gives an `EarliestRestorableTime`".into(),
            window.span,
        )),
        (false, None, Some((_, span))) => Err(fail(
            "`BackupLogStartTime` is returned only when data flashback is enabled, but `DataFlashback.Enabled` is `false`".into(),
            span,
        )),
        (false, None, None) => Ok(Flashback::Disabled),
        (true, Some(a), Some((b, span))) if a != b => Err(fail(
            format!(
                "`DataFlashback.EarliestRestorableTime` `{a}` disagrees with `BackupLogStartTime` `{b}`"
            ),
            span,
        )),
        (true, earliest, log_start) => Ok(Flashback::Enabled {
            earliest: earliest.or(log_start.map(|(t, _)| t)),
        }),
    }
}

impl fmt::Display for Flashback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flashback::Disabled => f.write_str("data flashback disabled"),
            Flashback::Enabled {
                earliest: Some(earliest),
            } => write!(f, "data flashback enabled, restorable from {earliest}"),
            Flashback::Enabled { earliest: None } => {
                f.write_str("data flashback enabled, earliest restorable time unknown")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<InstanceState, String> {
        InstanceState::parse(Source::new("i.json", text)).map_err(|e| e.to_string())
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn reads_a_whole_response() {
        let state = parse(
            r#"{"RequestId": "x", "Instances": {"DBInstanceAttribute": [{"InstanceId": "r-1", "RegionId": "cn-hangzhou",
                "InstanceStatus": "Migrating", "BackupLogStartTime": "2026-11-20T00:00:00Z", "Capacity": 1024}]}}"#,
        )
        .unwrap();
        assert_eq!(state.instance_id, "r-1");
        assert_eq!(state.region_id.as_deref(), Some("cn-hangzhou"));
        assert!(state.zone_migration_running());
        assert_eq!(
            state.flashback,
            Flashback::Enabled {
                earliest: Some(at("2026-11-20T00:00:00Z"))
            }
        );
    }

    #[test]
    fn without_backup_log_start_time_flashback_is_off() {
        let state =
            parse(r#"{"DBInstanceAttribute": {"InstanceId": "r-1", "InstanceStatus": "Normal"}}"#)
                .unwrap();
        assert_eq!(state.flashback, Flashback::Disabled);
        assert!(!state.zone_migration_running());
    }

    #[test]
    fn data_flashback_window() {
        let state = parse(
            r#"{"DBInstanceAttribute": {"InstanceId": "r-1", "InstanceStatus": "Normal"},
                "DataFlashback": {"Enabled": true}}"#,
        )
        .unwrap();
        assert_eq!(state.flashback, Flashback::Enabled { earliest: None });
        let state = parse(
            r#"{"InstanceId": "r-1", "InstanceStatus": "Normal",
                "DataFlashback": {"Enabled": true, "EarliestRestorableTime": "2026-11-20T00:00:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(
            state.flashback,
            Flashback::Enabled {
                earliest: Some(at("2026-11-20T00:00:00Z"))
            }
        );
    }

    #[test]
    fn errors_are_located() {
        assert_eq!(
            parse("{\"InstanceStatus\": \"Normal\"}").unwrap_err(),
            format!(
                "error[invalid-instance]: `DBInstanceAttribute` has no `InstanceId`\n --> i.json:1:1\n  |\n1 | {{\"InstanceStatus\": \"Normal\"}}\n  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = help: {HELP}"
            )
        );
        let e = parse("{\"InstanceId\": \"r-1\",\n \"InstanceStatus\": 3}").unwrap_err();
        assert!(
            e.starts_with(
                "error[invalid-instance]: `InstanceStatus` must be a string, found a number\n --> i.json:2:20"
            ),
            "{e}"
        );
        let e = parse(r#"{"Instances": {"DBInstanceAttribute": []}}"#).unwrap_err();
        assert!(e.contains("exactly one instance, found 0"), "{e}");
        let e = parse(
            r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z",
                "DataFlashback": {"Enabled": false}}"#,
        )
        .unwrap_err();
        assert!(
            e.contains("returned only when data flashback is enabled"),
            "{e}"
        );
        let e = parse(
            r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z",
                "DataFlashback": {"Enabled": true, "EarliestRestorableTime": "2026-11-21T00:00:00Z"}}"#,
        )
        .unwrap_err();
        assert!(e.contains("disagrees"), "{e}");
        let e = parse(
            r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "DataFlashback": {"On": true}}"#,
        )
        .unwrap_err();
        assert!(e.contains("unknown member `On`"), "{e}");
        let e = parse(r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "BackupLogStartTime": "yesterday"}"#)
            .unwrap_err();
        assert!(
            e.contains("`BackupLogStartTime`: expected an RFC 3339"),
            "{e}"
        );
        assert!(
            parse("[1]")
                .unwrap_err()
                .contains("`the instance file` must be an object, found an array")
        );
        assert!(parse("{").unwrap_err().contains("invalid JSON"));
    }
}
