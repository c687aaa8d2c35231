//! What a restore would do to the instance, in words an operator checks before running it.

use std::fmt;

use serde::Serialize;

/// The effect of a `RestoreInstance` call, as its parameters describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RestorePlan {
    /// `RestoreType` `0`: the backup set overwrites the instance's whole data.
    BackupSet {
        /// The instance.
        instance_id: String,
        /// The backup set, when given.
        backup_id: Option<String>,
    },
    /// `RestoreType` `1`: data flashback to a point in time.
    PointInTime {
        /// The instance.
        instance_id: String,
        /// The point in time, as given.
        restore_time: Option<String>,
        /// The regular expressions selecting the keys; `None` rewinds every key.
        filter_keys: Option<Vec<String>>,
        /// When the keys' remaining TTL restarts, as given.
        time_shift: Option<String>,
    },
}

impl RestorePlan {
    /// The `RestoreType` value of the plan: `0` or `1`.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::RestorePlan;
    ///
    /// let plan = RestorePlan::BackupSet { instance_id: "r-bp1prod01".into(), backup_id: Some("b-20261128".into()) };
    /// assert_eq!(plan.restore_type(), "0");
    /// ```
    pub fn restore_type(&self) -> &'static str {
        match self {
            RestorePlan::BackupSet { .. } => "0",
            RestorePlan::PointInTime { .. } => "1",
        }
    }

    /// Whether every key of the instance is rewritten: a backup-set restore, or a point-in-time
    /// restore without `FilterKey`. Keys written after the restore point are lost.
    ///
    /// # Example
    /// ```
    /// use ramguard::restore::RestorePlan;
    ///
    /// let rewind = |filter_keys: Option<Vec<String>>| RestorePlan::PointInTime {
    ///     instance_id: "r-bp1stg01".into(),
    ///     restore_time: Some("2026-11-29T08:00:00Z".into()),
    ///     filter_keys,
    ///     time_shift: None,
    /// };
    /// assert!(rewind(None).overwrites_all_data());
    /// assert!(!rewind(Some(vec!["^session:".into()])).overwrites_all_data());
    /// ```
    pub fn overwrites_all_data(&self) -> bool {
        matches!(
            self,
            RestorePlan::BackupSet { .. }
                | RestorePlan::PointInTime {
                    filter_keys: None,
                    ..
                }
        )
    }
}

fn quoted(value: Option<&String>, missing: &str) -> String {
    value.map_or_else(|| missing.to_string(), |v| format!("`{v}`"))
}

impl fmt::Display for RestorePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestorePlan::BackupSet {
                instance_id,
                backup_id,
            } => write!(
                f,
                "overwrite all data of instance `{instance_id}` with backup set {}; keys written since that backup are lost",
                quoted(backup_id.as_ref(), "(no `BackupId` given)")
            ),
            RestorePlan::PointInTime {
                instance_id,
                restore_time,
                filter_keys,
                time_shift,
            } => {
                let time = quoted(restore_time.as_ref(), "(no `RestoreTime` given)");
                match filter_keys {
                    None => write!(
                        f,
                        "rewind all keys of instance `{instance_id}` to {time} (data flashback); keys written since then are lost"
                    )?,
                    Some(keys) => {
                        let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                        write!(
                            f,
                            "restore the keys of instance `{instance_id}` matching {} to their state at {time} (data flashback); other keys are untouched",
                            keys.join(", ")
                        )?;
                    }
                }
                if let Some(shift) = time_shift {
                    write!(f, ", restarting their remaining TTL from `{shift}`")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_is_overwritten() {
        let full = RestorePlan::BackupSet {
            instance_id: "r-1".into(),
            backup_id: Some("111".into()),
        };
        assert!(full.overwrites_all_data());
        assert_eq!(full.restore_type(), "0");
        assert_eq!(
            full.to_string(),
            "overwrite all data of instance `r-1` with backup set `111`; keys written since that backup are lost"
        );
        let some = RestorePlan::PointInTime {
            instance_id: "r-1".into(),
            restore_time: Some("2026-11-29T08:00:00Z".into()),
            filter_keys: Some(vec!["^user:".into(), "^cart:".into()]),
            time_shift: Some("2026-11-29T09:00Z".into()),
        };
        assert!(!some.overwrites_all_data());
        assert_eq!(
            some.to_string(),
            "restore the keys of instance `r-1` matching `^user:`, `^cart:` to their state at `2026-11-29T08:00:00Z` (data flashback); other keys are untouched, restarting their remaining TTL from `2026-11-29T09:00Z`"
        );
        assert_eq!(
            serde_json::to_value(&some).unwrap(),
            serde_json::json!({"mode": "point_in_time", "instance_id": "r-1",
                "restore_time": "2026-11-29T08:00:00Z", "filter_keys": ["^user:", "^cart:"],
                "time_shift": "2026-11-29T09:00Z"})
        );
        let all = RestorePlan::PointInTime {
            instance_id: "r-1".into(),
            restore_time: None,
            filter_keys: None,
            time_shift: None,
        };
        assert!(all.overwrites_all_data());
        assert_eq!(
            all.to_string(),
            "rewind all keys of instance `r-1` to (no `RestoreTime` given) (data flashback); keys written since then are lost"
        );
    }
}
