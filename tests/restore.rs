//! `RestoreInstance` (docs/semantics.md §6): every parameter rule with the API's exact code,
//! status and message, character for character; the instance-state checks; and the guard a
//! dispatcher calls, with every reason it refuses.

use std::path::Path;

use ramguard::principal::{Account, PrincipalRef};
use ramguard::restore::{
    self, CallError, CheckStatus, Clearance, ErrorCode, InstanceState, Parameter, Reason,
    RestoreCall, RestoreParameters, RestorePlan, Validation,
};
use ramguard::span::Source;
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, Verdict};

mod common;

use common::restore::{NOW, errors, flashback_state, now, refusal, state, statuses};

fn validate(p: &RestoreParameters) -> Validation {
    p.validate(&now(), None)
}

fn params(instance: &str) -> RestoreParameters {
    RestoreParameters {
        instance_id: Some(instance.into()),
        ..RestoreParameters::default()
    }
}

const ACCOUNT_ID: &str = "1234567890123456";

fn instant(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("valid instant")
}

fn pit(time: &str) -> RestoreParameters {
    RestoreParameters::point_in_time("r-1", time)
}

fn codes_of(p: &RestoreParameters) -> Vec<(&'static str, &'static str)> {
    errors(&p.validate(&now(), None))
}

// ---- the API's codes, statuses and messages ----

#[test]
fn errors_produced_by_validation_carry_the_exact_message_and_status() {
    let v = pit("2026-11-29T08:00:00Z").validate(&now(), Some(&migrating_without_flashback()));
    let rendered: Vec<(&str, u16, &str)> = v
        .errors
        .iter()
        .map(|e| (e.code.code(), e.http_status, e.message.as_str()))
        .collect();
    assert_eq!(
        rendered,
        [
            (
                "ZoneMigrationError.StillingRunning",
                400,
                "Zone migration task is still running"
            ),
            ("ServiceNotSupport", 400, "This service not supported."),
        ]
    );
}

fn migrating_without_flashback() -> InstanceState {
    state(r#"{"InstanceId": "r-1", "InstanceStatus": "Migrating"}"#)
}

// ---- InstanceId ----

#[test]
fn instance_id_missing_or_empty_is_missing_parameter() {
    for p in [RestoreParameters::default(), params("")] {
        let v = validate(&RestoreParameters {
            backup_id: Some("1".into()),
            ..p
        });
        assert_eq!(errors(&v), [("MissingParameter", "InstanceId")]);
        assert_eq!(
            v.errors[0].message,
            "The input parameter \"InstanceId\" that is mandatory for processing this request is not supplied."
        );
        assert_eq!(v.errors[0].http_status, 400);
        assert_eq!(v.plan, None);
    }
}

#[test]
fn instance_id_that_would_change_the_arn_is_invalid() {
    for id in ["r-1/../r-prod", "r-*", "r-1:x", "r 1", "r-é"] {
        let mut p = params(id);
        p.backup_id = Some("1".into());
        let v = validate(&p);
        assert_eq!(errors(&v), [("InvalidParameter", "InstanceId")], "{id}");
        assert_eq!(
            v.errors[0].message,
            "The specified parameter \"InstanceId\" is not valid."
        );
    }
}

// ---- RestoreType ----

#[test]
fn restore_type_absent_means_backup_set() {
    let v = validate(&params("r-1"));
    assert_eq!(v.restore_type, Some(restore::RestoreType::BackupSet));
    assert_eq!(errors(&v), [("MissingParameter", "BackupId")]);
}

#[test]
fn restore_type_other_than_0_or_1_is_invalid_and_no_type_rule_applies() {
    for t in ["2", "", "01", " 1", "one", "-0"] {
        let p = RestoreParameters {
            restore_type: Some(t.into()),
            backup_id: Some("1".into()),
            restore_time: Some("not a time".into()),
            ..params("r-1")
        };
        let v = validate(&p);
        assert_eq!(errors(&v), [("InvalidParameter", "RestoreType")], "{t:?}");
        assert_eq!(v.restore_type, None);
        assert_eq!(v.plan, None);
    }
}

#[test]
fn restore_type_absent_is_a_backup_set_restore() {
    let p = RestoreParameters {
        instance_id: Some("r-1".into()),
        backup_id: Some("b-1".into()),
        ..RestoreParameters::default()
    };
    let v = p.validate(&now(), None);
    assert_eq!(v.restore_type, Some(restore::RestoreType::BackupSet));
    assert_eq!(errors(&v), []);
}

#[test]
fn restore_type_other_than_exactly_0_or_1_is_invalid() {
    for value in ["00", " 1", "1 ", "1.0", "", "01", "+1", "2", "-0", "１"] {
        let p = RestoreParameters {
            instance_id: Some("r-1".into()),
            restore_type: Some(value.into()),
            ..RestoreParameters::default()
        };
        let v = p.validate(&now(), None);
        assert_eq!(v.restore_type, None, "{value:?}");
        assert_eq!(
            errors(&v),
            [("InvalidParameter", "RestoreType")],
            "{value:?}"
        );
        assert_eq!(
            v.errors[0].message,
            "The specified parameter \"RestoreType\" is not valid."
        );
        assert_eq!(v.plan, None, "{value:?}");
    }
}

// ---- type 0 ----

#[test]
fn backup_set_needs_backup_id() {
    for backup in [None, Some(String::new())] {
        let p = RestoreParameters {
            restore_type: Some("0".into()),
            backup_id: backup,
            ..params("r-1")
        };
        let v = validate(&p);
        assert_eq!(errors(&v), [("MissingParameter", "BackupId")]);
        assert_eq!(
            v.errors[0].message,
            "Missing Required Param: BackupId or RestoreTime or RestoreType."
        );
    }
}

#[test]
fn backup_set_refuses_each_point_in_time_parameter() {
    let p = RestoreParameters {
        restore_time: Some("2026-11-29T08:00:00Z".into()),
        filter_key: Some("^a".into()),
        time_shift: Some(String::new()),
        ..RestoreParameters::backup_set("r-1", "111")
    };
    let v = validate(&p);
    assert_eq!(
        errors(&v),
        [
            ("ResroreParamNotMatch", "RestoreTime"),
            ("ResroreParamNotMatch", "FilterKey"),
            ("ResroreParamNotMatch", "TimeShift"),
        ]
    );
    assert!(
        v.errors
            .iter()
            .all(|e| e.message == "restoreType is not match with backupId or restoreTime.")
    );
}

#[test]
fn valid_backup_set_overwrites_the_whole_instance() {
    let v = validate(&RestoreParameters::backup_set("r-1", "111"));
    assert!(v.is_valid());
    let plan = v.plan.expect("a plan");
    assert!(plan.overwrites_all_data());
    assert_eq!(
        plan,
        RestorePlan::BackupSet {
            instance_id: "r-1".into(),
            backup_id: Some("111".into())
        }
    );
}

#[test]
fn type_0_without_backup_id_or_with_an_empty_one_is_missing() {
    for backup in [None, Some("")] {
        let p = RestoreParameters {
            instance_id: Some("r-1".into()),
            restore_type: Some("0".into()),
            backup_id: backup.map(str::to_string),
            ..RestoreParameters::default()
        };
        assert_eq!(
            codes_of(&p),
            [("MissingParameter", "BackupId")],
            "{backup:?}"
        );
    }
}

#[test]
fn type_0_refuses_each_point_in_time_parameter_even_empty() {
    let p = RestoreParameters {
        instance_id: Some("r-1".into()),
        restore_type: Some("0".into()),
        backup_id: Some("b-1".into()),
        restore_time: Some("".into()),
        filter_key: Some("^a".into()),
        time_shift: Some("2026-11-29T09:00Z".into()),
    };
    assert_eq!(
        codes_of(&p),
        [
            ("ResroreParamNotMatch", "RestoreTime"),
            ("ResroreParamNotMatch", "FilterKey"),
            ("ResroreParamNotMatch", "TimeShift"),
        ]
    );
}

// ---- type 1 ----

#[test]
fn point_in_time_needs_restore_time_and_refuses_backup_id() {
    let p = RestoreParameters {
        restore_type: Some("1".into()),
        backup_id: Some("111".into()),
        ..params("r-1")
    };
    assert_eq!(
        errors(&validate(&p)),
        [
            ("ResroreParamNotMatch", "BackupId"),
            ("MissingParameter", "RestoreTime")
        ]
    );
    let empty = RestoreParameters::point_in_time("r-1", "");
    assert_eq!(
        errors(&validate(&empty)),
        [("MissingParameter", "RestoreTime")]
    );
}

#[test]
fn restore_time_must_be_exactly_the_format() {
    for t in [
        "2026-11-29 08:00:00",
        "2026-11-29T08:00:00+08:00",
        "2026-11-29T08:00Z",
        "2026-11-29T08:00:00.5Z",
        "2026-11-29t08:00:00z",
        "2026-11-31T08:00:00Z",
        "2026-11-29",
    ] {
        let v = validate(&RestoreParameters::point_in_time("r-1", t));
        assert_eq!(
            errors(&v),
            [("InvalidRestoreTime.Format", "RestoreTime")],
            "{t}"
        );
        assert_eq!(v.errors[0].message, "Specified restore time is not valid.");
    }
}

#[test]
fn restore_time_must_not_be_after_the_submission_time() {
    let v = validate(&RestoreParameters::point_in_time(
        "r-1",
        "2026-11-29T09:30:01Z",
    ));
    assert_eq!(errors(&v), [("InvalidRestoreTime.Format", "RestoreTime")]);
    assert_eq!(
        v.errors[0].reason,
        "`2026-11-29T09:30:01Z` is later than the submission time `2026-11-29T09:30:00Z`: a restore time must not be in the future"
    );
    assert!(validate(&RestoreParameters::point_in_time("r-1", NOW)).is_valid());
}

#[test]
fn filter_keys_must_be_non_empty_valid_regular_expressions() {
    let valid = RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z")
        .filter_key(r"^user:.*,^cart:\d+$,session");
    let v = validate(&valid);
    assert!(v.is_valid(), "{:?}", v.errors);
    assert!(!v.plan.expect("plan").overwrites_all_data());
    for (keys, bad) in [
        ("", 1),
        ("^a,,^b", 1),
        ("^a,", 1),
        ("[", 1),
        ("a(", 1),
        ("*a", 1),
        ("[,(", 2),
    ] {
        let p = RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z").filter_key(keys);
        let v = validate(&p);
        assert_eq!(
            errors(&v),
            vec![("InvalidParameter", "FilterKey"); bad],
            "{keys:?}"
        );
        assert_eq!(
            v.errors[0].message,
            "The specified parameter \"FilterKey\" is not valid."
        );
    }
    let v =
        validate(&RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z").filter_key("["));
    assert_eq!(
        v.errors[0].reason,
        "`[` is not a valid regular expression: unclosed character class"
    );
}

#[test]
fn time_shift_parses_and_lies_between_restore_time_and_submission_time() {
    let base = || RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z");
    for ok in [
        "2026-11-29T08:00Z",
        "2026-11-29T09:00Z",
        "2026-11-29T09:00:30Z",
        "2026-11-29T09:30Z",
    ] {
        assert!(validate(&base().time_shift(ok)).is_valid(), "{ok}");
    }
    for bad in [
        "2026-11-29 09:00",
        "2026-11-29T09:00+08:00",
        "",
        "2026-11-29T07:59Z",
        "2026-11-29T09:31Z",
    ] {
        let v = validate(&base().time_shift(bad));
        assert_eq!(errors(&v), [("InvalidParameter", "TimeShift")], "{bad}");
    }
    let v = validate(&base().time_shift("2026-11-29T07:59Z"));
    assert_eq!(
        v.errors[0].reason,
        "`2026-11-29T07:59Z` is before the restore time `2026-11-29T08:00:00Z`: it must lie between the restore time and the submission time"
    );
    // With no valid restore time only the upper bound can be checked.
    let v =
        validate(&RestoreParameters::point_in_time("r-1", "bad").time_shift("2026-11-29T09:31Z"));
    assert_eq!(
        errors(&v),
        [
            ("InvalidRestoreTime.Format", "RestoreTime"),
            ("InvalidParameter", "TimeShift")
        ]
    );
}

#[test]
fn every_violation_is_reported_not_only_the_first() {
    let p = RestoreParameters {
        instance_id: Some("r-1".into()),
        restore_type: Some("1".into()),
        backup_id: Some("111".into()),
        restore_time: Some("2026-12-01T00:00:00Z".into()),
        filter_key: Some("ok,(".into()),
        time_shift: Some("tomorrow".into()),
    };
    assert_eq!(
        errors(&validate(&p)),
        [
            ("ResroreParamNotMatch", "BackupId"),
            ("InvalidRestoreTime.Format", "RestoreTime"),
            ("InvalidParameter", "FilterKey"),
            ("InvalidParameter", "TimeShift"),
        ]
    );
}

#[test]
fn type_1_without_restore_time_is_missing_and_with_backup_id_does_not_match() {
    let mut p = pit("");
    assert_eq!(codes_of(&p), [("MissingParameter", "RestoreTime")]);
    p.restore_time = None;
    p.backup_id = Some("b-1".into());
    assert_eq!(
        codes_of(&p),
        [
            ("ResroreParamNotMatch", "BackupId"),
            ("MissingParameter", "RestoreTime"),
        ]
    );
    p.backup_id = Some(String::new());
    assert_eq!(
        codes_of(&p),
        [
            ("ResroreParamNotMatch", "BackupId"),
            ("MissingParameter", "RestoreTime"),
        ],
        "an empty BackupId is still given"
    );
}

#[test]
fn restore_time_accepts_only_the_exact_format() {
    assert_eq!(codes_of(&pit("2026-11-29T08:00:00Z")), []);
    for bad in [
        "2026-11-29T08:00:00.0Z",
        "2026-11-29T08:00:00.5Z",
        "2026-11-29T08:00:00+00:00",
        "2026-11-29T16:00:00+08:00",
        "2026-11-29t08:00:00Z",
        "2026-11-29T08:00:00z",
        "2026-11-29T08:00Z",
        "2026-11-29 08:00:00Z",
        "2026-11-29T08:00:00",
        "2026-11-29",
        "2026-11-29T8:00:00Z",
        "2026-02-30T08:00:00Z",
        "2026-11-29T24:00:00Z",
        "2026-11-29T08:60:00Z",
        "2026-11-29T08:00:60Z",
        " 2026-11-29T08:00:00Z",
        "2026-11-29T08:00:00Z ",
        "20261129T080000Z",
        "1764403200",
    ] {
        let v = pit(bad).validate(&now(), None);
        assert_eq!(
            errors(&v),
            [("InvalidRestoreTime.Format", "RestoreTime")],
            "{bad:?}"
        );
        assert_eq!(v.errors[0].message, "Specified restore time is not valid.");
    }
}

#[test]
fn restore_time_equal_to_the_submission_time_is_accepted_one_second_later_is_not() {
    assert_eq!(codes_of(&pit(NOW)), []);
    assert_eq!(
        codes_of(&pit("2026-11-29T09:30:01Z")),
        [("InvalidRestoreTime.Format", "RestoreTime")]
    );
    // A submission time with a fraction: its whole second is already past.
    let later = instant("2026-11-29T09:30:00.999Z");
    assert_eq!(errors(&pit(NOW).validate(&later, None)), []);
    let earlier = instant("2026-11-29T09:29:59.999Z");
    assert_eq!(
        errors(&pit(NOW).validate(&earlier, None)),
        [("InvalidRestoreTime.Format", "RestoreTime")]
    );
}

// ---- FilterKey ----

#[test]
fn filter_key_parts_must_be_non_empty_valid_regexes() {
    let ok = "2026-11-29T08:00:00Z";
    for good in ["^session:", "^a,^b", "a{1}", ".*", "^user:[0-9]+$"] {
        assert_eq!(codes_of(&pit(ok).filter_key(good)), [], "{good:?}");
    }
    for (bad, count) in [
        ("", 1),
        ("a,,b", 1),
        ("a,", 1),
        (",a", 1),
        (",", 2),
        ("(", 1),
        ("[a-", 1),
        ("a,(,[a-", 2),
        ("a{1,2}", 1),
        ("*", 1),
        (&"(".repeat(500), 1),
    ] {
        let v = pit(ok).filter_key(bad).validate(&now(), None);
        assert_eq!(
            errors(&v),
            vec![("InvalidParameter", "FilterKey"); count],
            "{bad:?}"
        );
        assert!(
            v.errors
                .iter()
                .all(|e| e.message == "The specified parameter \"FilterKey\" is not valid.")
        );
    }
}

// ---- TimeShift ----

#[test]
fn time_shift_format_seconds_optional() {
    let base = pit("2026-11-29T08:00:00Z");
    for good in [
        "2026-11-29T09:00Z",
        "2026-11-29T09:00:30Z",
        "2026-11-29T08:00Z",
    ] {
        assert_eq!(codes_of(&base.clone().time_shift(good)), [], "{good:?}");
    }
    for bad in [
        "",
        "2026-11-29T09:00",
        "2026-11-29T09:00:00.5Z",
        "2026-11-29T09:00+08:00",
        "2026-11-29t09:00Z",
        "2026-11-29 09:00Z",
        "2026-11-29T9:00Z",
        "2026-11-29",
    ] {
        assert_eq!(
            codes_of(&base.clone().time_shift(bad)),
            [("InvalidParameter", "TimeShift")],
            "{bad:?}"
        );
    }
}

#[test]
fn time_shift_range_is_restore_time_to_submission_time_inclusive() {
    let base = pit("2026-11-29T08:00:30Z");
    for inside in ["2026-11-29T08:00:30Z", NOW, "2026-11-29T09:30Z"] {
        assert_eq!(codes_of(&base.clone().time_shift(inside)), [], "{inside:?}");
    }
    for outside in [
        "2026-11-29T08:00:29Z",
        // Minute precision reads as second 00, before the restore time's second 30.
        "2026-11-29T08:00Z",
        "2026-11-29T09:30:01Z",
        "2026-11-29T09:31Z",
    ] {
        assert_eq!(
            codes_of(&base.clone().time_shift(outside)),
            [("InvalidParameter", "TimeShift")],
            "{outside:?}"
        );
    }
}

#[test]
fn time_shift_is_still_bounded_by_the_submission_time_when_restore_time_is_invalid() {
    let p = pit("yesterday").time_shift("2026-11-30T00:00Z");
    assert_eq!(
        codes_of(&p),
        [
            ("InvalidRestoreTime.Format", "RestoreTime"),
            ("InvalidParameter", "TimeShift"),
        ]
    );
}

// ---- all violations at once ----

#[test]
fn every_violation_is_reported() {
    let p = RestoreParameters {
        instance_id: Some("r-1".into()),
        backup_id: Some("b-1".into()),
        restore_type: Some("1".into()),
        restore_time: Some("2027-01-01T00:00:00Z".into()),
        filter_key: Some("(,,[".into()),
        time_shift: Some("2026-11-29T09:00".into()),
    };
    let v = p.validate(&now(), Some(&migrating_without_flashback()));
    assert_eq!(
        errors(&v),
        [
            ("ResroreParamNotMatch", "BackupId"),
            ("InvalidRestoreTime.Format", "RestoreTime"),
            ("InvalidParameter", "FilterKey"),
            ("InvalidParameter", "FilterKey"),
            ("InvalidParameter", "FilterKey"),
            ("InvalidParameter", "TimeShift"),
            ("ZoneMigrationError.StillingRunning", "InstanceId"),
            ("ServiceNotSupport", "RestoreType"),
        ]
    );
}

// ---- instance state ----

#[test]
fn only_a_normal_instance_can_be_restored() {
    for status in [
        "Creating",
        "Changing",
        "BackupRecovering",
        "Flushing",
        "Released",
    ] {
        let state = state(&format!(
            r#"{{"InstanceId": "r-1", "InstanceStatus": "{status}"}}"#
        ));
        let v = RestoreParameters::backup_set("r-1", "111").validate(&now(), Some(&state));
        assert_eq!(
            errors(&v),
            [("IncorrectDBInstanceState", "InstanceId")],
            "{status}"
        );
        assert_eq!(
            (v.errors[0].http_status, v.errors[0].message.as_str()),
            (
                403,
                "Current DB instance state does not support this operation."
            )
        );
        assert_eq!(
            v.errors[0].reason,
            format!(
                "instance `r-1` has status `{status}`: only a `Normal` instance can be restored"
            )
        );
        assert_eq!(
            statuses(&v)[0],
            ("IncorrectDBInstanceState", CheckStatus::Failed)
        );
        assert!(v.instance_checked());
    }
}

#[test]
fn a_running_zone_migration_rejects_either_type() {
    let migrating = state(r#"{"InstanceId": "r-1", "InstanceStatus": "Migrating"}"#);
    for p in [
        RestoreParameters::backup_set("r-1", "111"),
        RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z"),
    ] {
        let v = p.validate(&now(), Some(&migrating));
        assert_eq!(
            errors(&v)[0],
            ("ZoneMigrationError.StillingRunning", "InstanceId")
        );
        assert_eq!(v.errors[0].message, "Zone migration task is still running");
        assert_eq!(
            statuses(&v)[..2],
            [
                ("IncorrectDBInstanceState", CheckStatus::NotApplicable),
                ("ZoneMigrationError.StillingRunning", CheckStatus::Failed)
            ]
        );
        assert!(
            !errors(&v).contains(&("IncorrectDBInstanceState", "InstanceId")),
            "one code for a migration, not two"
        );
        assert!(v.instance_checked());
    }
}

#[test]
fn point_in_time_needs_data_flashback() {
    let off = state(r#"{"InstanceId": "r-1", "InstanceStatus": "Normal"}"#);
    let v = RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z")
        .validate(&now(), Some(&off));
    assert_eq!(errors(&v), [("ServiceNotSupport", "RestoreType")]);
    assert_eq!(v.errors[0].message, "This service not supported.");
    assert_eq!(
        statuses(&v),
        [
            ("IncorrectDBInstanceState", CheckStatus::Passed),
            ("ZoneMigrationError.StillingRunning", CheckStatus::Passed),
            ("ServiceNotSupport", CheckStatus::Failed),
            ("InvalidBinlog.NotValid", CheckStatus::NotApplicable),
        ]
    );
    // A backup-set restore does not care.
    let v = RestoreParameters::backup_set("r-1", "111").validate(&now(), Some(&off));
    assert!(v.is_valid());
    assert!(v.instance_checked());
    assert_eq!(
        statuses(&v),
        [
            ("IncorrectDBInstanceState", CheckStatus::Passed),
            ("ZoneMigrationError.StillingRunning", CheckStatus::Passed),
            ("ServiceNotSupport", CheckStatus::NotApplicable),
            ("InvalidBinlog.NotValid", CheckStatus::NotApplicable),
        ]
    );
}

#[test]
fn restore_time_before_the_earliest_restorable_time_has_no_binlog() {
    let state = flashback_state();
    let before = RestoreParameters::point_in_time("r-1", "2026-11-19T23:59:59Z")
        .validate(&now(), Some(&state));
    assert_eq!(errors(&before), [("InvalidBinlog.NotValid", "RestoreTime")]);
    assert_eq!(
        before.errors[0].message,
        "The available binlog is not valid in recovery time."
    );
    let at = RestoreParameters::point_in_time("r-1", "2026-11-20T00:00:00Z")
        .validate(&now(), Some(&state));
    assert!(at.is_valid());
    assert!(at.instance_checked());
    assert_eq!(
        statuses(&at),
        [
            ("IncorrectDBInstanceState", CheckStatus::Passed),
            ("ZoneMigrationError.StillingRunning", CheckStatus::Passed),
            ("ServiceNotSupport", CheckStatus::Passed),
            ("InvalidBinlog.NotValid", CheckStatus::Passed),
        ]
    );
}

#[test]
fn an_unknown_window_or_another_instance_is_not_checked() {
    let unknown = state(
        r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "DataFlashback": {"Enabled": true}}"#,
    );
    let v = RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z")
        .validate(&now(), Some(&unknown));
    assert!(v.is_valid());
    assert!(!v.instance_checked());
    assert_eq!(v.instance_checks[3].status, CheckStatus::NotChecked);

    let other = flashback_state();
    let v = RestoreParameters::backup_set("r-2", "111").validate(&now(), Some(&other));
    assert!(!v.instance_checked());
    assert!(
        v.instance_checks
            .iter()
            .all(|c| c.detail == "the instance state describes `r-1`, not `r-2`")
    );
}

#[test]
fn without_state_every_check_is_not_checked_never_passed() {
    for p in [
        RestoreParameters::backup_set("r-1", "b-1"),
        pit("2026-11-29T08:00:00Z"),
    ] {
        let v = p.validate(&now(), None);
        assert!(v.is_valid());
        assert!(!v.instance_checked());
        assert_eq!(
            statuses(&v),
            [
                ("IncorrectDBInstanceState", CheckStatus::NotChecked),
                (
                    "ZoneMigrationError.StillingRunning",
                    CheckStatus::NotChecked
                ),
                ("ServiceNotSupport", CheckStatus::NotChecked),
                ("InvalidBinlog.NotValid", CheckStatus::NotChecked),
            ]
        );
    }
}

#[test]
fn restore_time_before_the_window_has_no_binlog_and_equal_to_it_passes() {
    let s = flashback_state();
    let v = pit("2026-11-19T23:59:59Z").validate(&now(), Some(&s));
    assert_eq!(errors(&v), [("InvalidBinlog.NotValid", "RestoreTime")]);
    assert_eq!(
        v.errors[0].message,
        "The available binlog is not valid in recovery time."
    );
    let v = pit("2026-11-20T00:00:00Z").validate(&now(), Some(&s));
    assert_eq!(errors(&v), []);
    assert!(v.instance_checked());
}

#[test]
fn type_1_without_flashback_is_not_supported() {
    let s = state(r#"{"InstanceId": "r-1", "InstanceStatus": "Normal"}"#);
    let v = pit("2026-11-29T08:00:00Z").validate(&now(), Some(&s));
    assert_eq!(errors(&v), [("ServiceNotSupport", "RestoreType")]);
    assert_eq!(
        statuses(&v),
        [
            ("IncorrectDBInstanceState", CheckStatus::Passed),
            ("ZoneMigrationError.StillingRunning", CheckStatus::Passed),
            ("ServiceNotSupport", CheckStatus::Failed),
            ("InvalidBinlog.NotValid", CheckStatus::NotApplicable),
        ]
    );
    // A backup-set restore does not need flashback.
    let v = RestoreParameters::backup_set("r-1", "b-1").validate(&now(), Some(&s));
    assert_eq!(errors(&v), []);
}

#[test]
fn a_zone_migration_rejects_a_backup_set_restore_too() {
    let v = RestoreParameters::backup_set("r-1", "b-1")
        .validate(&now(), Some(&migrating_without_flashback()));
    assert_eq!(
        errors(&v),
        [("ZoneMigrationError.StillingRunning", "InstanceId")]
    );
}

#[test]
fn flashback_without_a_known_window_leaves_the_binlog_unchecked() {
    let s = state(
        r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "DataFlashback": {"Enabled": true}}"#,
    );
    let v = pit("2026-11-29T08:00:00Z").validate(&now(), Some(&s));
    assert!(v.is_valid());
    assert!(!v.instance_checked());
}

#[test]
fn a_data_flashback_window_given_twice_that_disagrees_is_refused() {
    // At the top level and inside the attribute object: which one is meant is unknowable.
    let text = r#"{"Instances": {"DBInstanceAttribute": [{"InstanceId": "r-1", "InstanceStatus": "Normal",
        "DataFlashback": {"Enabled": false}}]},
        "DataFlashback": {"Enabled": true, "EarliestRestorableTime": "2026-11-20T00:00:00Z"}}"#;
    assert!(InstanceState::parse(Source::new("state.json", text)).is_err());
}

#[test]
fn a_field_the_checks_read_given_twice_is_refused() {
    for text in [
        r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "InstanceStatus": "Migrating"}"#,
        r#"{"InstanceId": "r-1", "InstanceId": "r-2", "InstanceStatus": "Normal"}"#,
        r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "DataFlashback": {"Enabled": false}, "DataFlashback": {"Enabled": true}}"#,
        r#"{"DBInstanceAttribute": {"InstanceId": "r-1", "InstanceStatus": "Normal"}, "DBInstanceAttribute": {"InstanceId": "r-1", "InstanceStatus": "Migrating"}}"#,
    ] {
        assert!(
            InstanceState::parse(Source::new("state.json", text)).is_err(),
            "{text}"
        );
    }
    let text =
        r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "InstanceStatus": "Migrating"}"#;
    let message = InstanceState::parse(Source::new("state.json", text))
        .expect_err("refused")
        .to_string();
    assert!(
        message.starts_with(
            "error[invalid-instance]: `InstanceStatus` is given twice\n --> state.json:1:51"
        ),
        "{message}"
    );
}

// ---- the guard ----

fn set() -> PolicySet {
    let policy = Policy::from_text(
        "dba",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance",
            "Resource": "acs:kvstore:*:1234567890123456:instance/r-1",
            "Condition": {"Bool": {"acs:MFAPresent": "true"}}}]}"#,
    )
    .expect("valid policy");
    PolicySet::builder()
        .identity(policy)
        .build()
        .expect("builds")
}

fn call(p: RestoreParameters) -> RestoreCall {
    RestoreCall::new("cn-hangzhou", "1234567890123456", p)
        .context("acs:MFAPresent", true)
        .at(now())
}

#[test]
fn permits_only_allowed_valid_and_checked_restores() {
    let p = RestoreParameters::point_in_time("r-1", "2026-11-29T08:00:00Z").filter_key("^s:");
    let state = flashback_state();
    let permit = restore::guard(&set(), &call(p.clone()), Some(&state))
        .into_result()
        .expect("permitted");
    assert_eq!(permit.decision().verdict, Verdict::Allow);
    assert_eq!(
        permit.resource(),
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-1"
    );
    assert_eq!(permit.parameters(), &p);
    assert_eq!(permit.submitted_at(), &now());
    assert!(!permit.plan().overwrites_all_data());
}

#[test]
fn refuses_a_denial() {
    let unmatched = RestoreCall::new(
        "cn-hangzhou",
        "1234567890123456",
        RestoreParameters::backup_set("r-1", "111"),
    )
    .at(now());
    let reasons = refusal(restore::guard(&set(), &unmatched, Some(&flashback_state())));
    let [Reason::Denied(decision)] = reasons.as_slice() else {
        panic!("{reasons:?}")
    };
    assert_eq!(decision.verdict, Verdict::ImplicitDeny);
}

#[test]
fn refuses_parameters_the_api_would_reject() {
    let p = RestoreParameters::point_in_time("r-1", "2026-11-19T00:00:00Z");
    let reasons = refusal(restore::guard(&set(), &call(p), Some(&flashback_state())));
    let [Reason::RejectedParameters(errors)] = reasons.as_slice() else {
        panic!("{reasons:?}")
    };
    assert_eq!(errors[0].code, ErrorCode::InvalidBinlogNotValid);
}

#[test]
fn refuses_without_instance_state() {
    let reasons = refusal(restore::guard(
        &set(),
        &call(RestoreParameters::backup_set("r-1", "111")),
        None,
    ));
    let [Reason::InstanceNotChecked(checks)] = reasons.as_slice() else {
        panic!("{reasons:?}")
    };
    assert_eq!(checks.len(), 4);
}

#[test]
fn refuses_malformed_calls() {
    let state = flashback_state();
    let p = || RestoreParameters::backup_set("r-1", "111");
    let bad_region = RestoreCall::new("cn:hangzhou", "1234567890123456", p()).at(now());
    assert_eq!(
        refusal(restore::guard(&set(), &bad_region, Some(&state))),
        [
            Reason::InvalidCall(CallError::RegionMismatch {
                origin: "state.json".into(),
                expected: "cn:hangzhou".into(),
                found: "cn-hangzhou".into()
            }),
            Reason::InvalidCall(CallError::Region("cn:hangzhou".into()))
        ]
    );
    let bad_account = RestoreCall::new("cn-hangzhou", "12345*", p()).at(now());
    assert_eq!(
        refusal(restore::guard(&set(), &bad_account, Some(&state))),
        [Reason::InvalidCall(CallError::AccountId("12345*".into()))]
    );
    let bad_key = call(p()).context("SourceIp", "10.0.0.1");
    let reasons = refusal(restore::guard(&set(), &bad_key, Some(&state)));
    assert!(
        matches!(
            reasons.as_slice(),
            [Reason::InvalidCall(CallError::Request(_))]
        ),
        "{reasons:?}"
    );
    let other_region = state_in("cn-shanghai");
    let reasons = refusal(restore::guard(&set(), &call(p()), Some(&other_region)));
    assert!(
        matches!(
            reasons.as_slice(),
            [Reason::InvalidCall(CallError::RegionMismatch { .. })]
        ),
        "{reasons:?}"
    );
    let other_instance = RestoreParameters::backup_set("r-2", "111");
    let reasons = refusal(restore::guard(&set(), &call(other_instance), Some(&state)));
    assert!(
        matches!(
            reasons.first(),
            Some(Reason::InvalidCall(CallError::InstanceMismatch { .. }))
        ),
        "{reasons:?}"
    );
}

fn state_in(region: &str) -> InstanceState {
    state(&format!(
        r#"{{"InstanceId": "r-1", "RegionId": "{region}", "InstanceStatus": "Normal"}}"#
    ))
}

#[test]
fn a_missing_instance_id_is_a_parameter_error_not_a_decision() {
    let reasons = refusal(restore::guard(
        &set(),
        &call(RestoreParameters::default()),
        None,
    ));
    assert!(
        matches!(
            reasons.as_slice(),
            [Reason::RejectedParameters(e), Reason::InstanceNotChecked(_)]
                if e[0].code == ErrorCode::MissingParameter && e[0].parameter == Parameter::InstanceId
        ),
        "{reasons:?}"
    );
}

#[test]
fn every_reason_is_given_at_once() {
    let p = RestoreParameters::point_in_time("r-1", "2027-01-01T00:00:00Z");
    let denied = RestoreCall::new("cn-hangzhou", "1234567890123456", p).at(now());
    let clearance = restore::guard(&set(), &denied, None);
    let Clearance::Refused(refusal) = clearance else {
        panic!("permitted")
    };
    assert_eq!(
        refusal.decision().map(|d| d.verdict),
        Some(Verdict::ImplicitDeny)
    );
    assert_eq!(
        refusal.to_string(),
        "restore refused: RAM would deny it: ImplicitDeny (AccountLevelIdentityBasedPolicy); the API would reject it: InvalidRestoreTime.Format (RestoreTime); the instance's state was not checked for IncorrectDBInstanceState, ZoneMigrationError.StillingRunning, ServiceNotSupport, InvalidBinlog.NotValid"
    );
}

#[test]
fn the_clock_is_the_default_submission_time() {
    let p = RestoreParameters::point_in_time("r-1", "2026-11-21T00:00:00Z");
    let clocked =
        RestoreCall::new("cn-hangzhou", "1234567890123456", p).context("acs:MFAPresent", true);
    assert!(clocked.submitted_at().is_none());
    let permit = restore::guard(&set(), &clocked, Some(&flashback_state()))
        .into_result()
        .expect("a past restore time is valid by the real clock");
    assert!(
        permit.submitted_at() > &Timestamp::parse_rfc3339("2026-11-21T00:00:00Z").expect("valid")
    );
}

fn allow_restore() -> PolicySet {
    let policy = Policy::from_text(
        "allow",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#,
    )
    .expect("valid policy");
    PolicySet::builder()
        .identity(policy)
        .build()
        .expect("builds")
}

/// A call with no request context.
fn plain_call(p: RestoreParameters) -> RestoreCall {
    RestoreCall::new("cn-hangzhou", ACCOUNT_ID, p).at(now())
}

#[test]
fn the_guard_permits_the_one_fully_checked_case() {
    let p = pit("2026-11-29T08:00:00Z");
    let permit = restore::guard(
        &allow_restore(),
        &plain_call(p.clone()),
        Some(&flashback_state()),
    )
    .into_result()
    .expect("permitted");
    assert_eq!(
        permit.resource(),
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-1"
    );
    assert_eq!(permit.parameters(), &p);
    assert_eq!(permit.decision().verdict, Verdict::Allow);
}

#[test]
fn the_guard_refuses_without_state_with_invalid_parameters_and_when_denied() {
    let set = allow_restore();
    let good = pit("2026-11-29T08:00:00Z");
    let s = flashback_state();
    assert!(matches!(
        refusal(restore::guard(&set, &plain_call(good.clone()), None)).as_slice(),
        [Reason::InstanceNotChecked(checks)] if checks.len() == 4
    ));
    assert!(matches!(
        refusal(restore::guard(
            &set,
            &plain_call(pit("2026-11-29T09:30:01Z")),
            Some(&s)
        ))
        .as_slice(),
        [Reason::RejectedParameters(_), Reason::InstanceNotChecked(_)]
    ));
    let empty = PolicySet::builder().build().expect("builds");
    assert!(matches!(
        refusal(restore::guard(&empty, &plain_call(good), Some(&s))).as_slice(),
        [Reason::Denied(d)] if d.verdict == Verdict::ImplicitDeny
    ));
}

#[test]
fn the_guard_refuses_another_instances_state() {
    let other = state(
        r#"{"InstanceId": "r-2", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"}"#,
    );
    let reasons = refusal(restore::guard(
        &allow_restore(),
        &plain_call(pit("2026-11-29T08:00:00Z")),
        Some(&other),
    ));
    assert!(matches!(
        reasons.as_slice(),
        [
            Reason::InvalidCall(CallError::InstanceMismatch { .. }),
            Reason::InstanceNotChecked(_)
        ]
    ));
    let elsewhere = state(
        r#"{"InstanceId": "r-1", "RegionId": "cn-shanghai", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"}"#,
    );
    let reasons = refusal(restore::guard(
        &allow_restore(),
        &plain_call(pit("2026-11-29T08:00:00Z")),
        Some(&elsewhere),
    ));
    assert!(matches!(
        reasons.as_slice(),
        [Reason::InvalidCall(CallError::RegionMismatch { .. })]
    ));
}

#[test]
fn the_guard_refuses_an_arn_changing_instance_id_region_or_account() {
    let set = allow_restore();
    for id in ["r-1/x", "r-1:x", "*", "r-*", "", " r-1"] {
        let p = RestoreParameters::backup_set(id, "b-1");
        let s = migrating_without_flashback();
        assert!(
            matches!(
                restore::guard(&set, &plain_call(p), Some(&s)),
                Clearance::Refused(_)
            ),
            "{id:?}"
        );
    }
    for (region, account) in [("*", ACCOUNT_ID), ("cn-hangzhou", "*"), ("", ACCOUNT_ID)] {
        let c = RestoreCall::new(region, account, RestoreParameters::backup_set("r-1", "b-1"))
            .at(now());
        let s = state(r#"{"InstanceId": "r-1", "InstanceStatus": "Normal"}"#);
        assert!(
            matches!(
                refusal(restore::guard(&set, &c, Some(&s))).first(),
                Some(Reason::InvalidCall(_))
            ),
            "{region:?} {account:?}"
        );
    }
}

#[test]
fn the_guard_refuses_a_cross_account_restore_for_an_account_principal() {
    let account = Account::parse(
        Source::new(
            "acct.json",
            r#"{"account_id": "1234567890123456",
                "users": {"alice": {"policies": [{"name": "AliyunKvstoreFullAccess"}]}}}"#,
        ),
        Path::new(""),
    )
    .expect("valid account");
    let set = account
        .policy_set(&PrincipalRef::User("alice".into()))
        .expect("known")
        .build()
        .expect("builds");
    let c = RestoreCall::new(
        "cn-hangzhou",
        "9999999999999999",
        RestoreParameters::backup_set("r-1", "b-1"),
    )
    .at(now());
    let s = state(r#"{"InstanceId": "r-1", "InstanceStatus": "Normal"}"#);
    assert!(matches!(
        refusal(restore::guard(&set, &c, Some(&s))).as_slice(),
        [Reason::Denied(d)] if d.verdict == Verdict::ImplicitDeny
    ));
}

#[test]
fn the_guard_refuses_a_context_time_that_is_not_the_submission_time() {
    // The policy allows only before 2026-06-01; the context claims an earlier time than the
    // submission time the parameter rules use. RAM would see the real time and deny.
    let policy = Policy::from_text(
        "window",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*",
            "Condition": {"DateLessThan": {"acs:CurrentTime": "2026-06-01T00:00:00Z"}}}]}"#,
    )
    .expect("valid policy");
    let set = PolicySet::builder()
        .identity(policy)
        .build()
        .expect("builds");
    let s = state(r#"{"InstanceId": "r-1", "InstanceStatus": "Normal"}"#);
    for key in ["acs:CurrentTime", "ACS:currenttime"] {
        let c = plain_call(RestoreParameters::backup_set("r-1", "b-1"))
            .context(key, "2026-01-01T00:00:00Z");
        assert!(
            matches!(
                refusal(restore::guard(&set, &c, Some(&s))).as_slice(),
                [Reason::InvalidCall(CallError::CurrentTime { .. })]
            ),
            "{key}"
        );
    }
    // The same time as the submission time is consistent and allowed through.
    let allow_all = allow_restore();
    let c = plain_call(RestoreParameters::backup_set("r-1", "b-1")).context("acs:CurrentTime", NOW);
    assert!(matches!(
        restore::guard(&allow_all, &c, Some(&s)),
        Clearance::Permitted(_)
    ));
}

// ---- missing context ----

/// The DBA policy of the README: an Allow, and a Deny over plain HTTP.
fn set_with_tls_deny() -> PolicySet {
    let policy = Policy::from_text(
        "dba",
        r#"{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*",
             "Condition": {"Bool": {"acs:MFAPresent": "true"}}},
            {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
             "Condition": {"Bool": {"acs:SecureTransport": "false"}}},
            {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
             "Condition": {"IpAddress": {"acs:SourceIp": "203.0.113.0/24"}}}]}"#,
    )
    .expect("valid policy");
    PolicySet::builder()
        .identity(policy)
        .build()
        .expect("builds")
}

#[test]
fn an_allow_a_missing_key_could_overturn_is_refused_with_the_keys_to_supply() {
    let p = || RestoreParameters::backup_set("r-1", "111");
    let state = flashback_state();
    let refused = restore::guard(&set_with_tls_deny(), &call(p()), Some(&state));
    // RAM's decision as evaluated, the keys it depends on, and the reason.
    assert_eq!(
        refused.assessment().decision().map(|d| d.verdict),
        Some(Verdict::Allow)
    );
    assert_eq!(
        refused.assessment().depends_on(),
        ["acs:SecureTransport", "acs:SourceIp"]
    );
    assert_eq!(
        refusal(refused),
        [Reason::MissingContext(vec![
            "acs:SecureTransport".into(),
            "acs:SourceIp".into()
        ])]
    );
    // Given one and declared the other absent (a call from a VPC), it is permitted.
    let vpc_call = call(p())
        .context("acs:SecureTransport", true)
        .context("acs:SourceVpc", "vpc-1")
        .absent("acs:SourceIp");
    let permit = restore::guard(&set_with_tls_deny(), &vpc_call, Some(&state))
        .into_result()
        .expect("permitted");
    assert!(permit.assessment().depends_on().is_empty());
    // An explanation of the same decision at the same time, from the clearance alone.
    let explained = permit.assessment().explain().expect("a request was built");
    assert_eq!(explained.decision, Verdict::Allow);
    assert_eq!(explained.missing_context, ["acs:SourceIp"]);
    assert!(explained.depends_on.is_empty());
    // The key is still missing for RAM's rules: a Deny that needs it does not apply.
    let ip_deny = &explained.trace[0].statements[2];
    assert_eq!(
        ip_deny.outcome.to_string(),
        "`IpAddress` on `acs:SourceIp`: the request has no `acs:SourceIp`"
    );
}

#[test]
fn a_denial_is_refused_as_a_denial_whatever_the_missing_keys() {
    let without_mfa = RestoreCall::new(
        "cn-hangzhou",
        "1234567890123456",
        RestoreParameters::backup_set("r-1", "111"),
    )
    .at(now());
    let refused = restore::guard(&set_with_tls_deny(), &without_mfa, Some(&flashback_state()));
    let assessment = refused.assessment();
    assert_eq!(
        assessment.depends_on(),
        ["acs:MFAPresent", "acs:SecureTransport", "acs:SourceIp"]
    );
    assert_eq!(
        refusal(refused),
        [Reason::Denied(ramguard::Decision {
            verdict: Verdict::ImplicitDeny,
            policy_type: ramguard::PolicyType::AccountLevelIdentityBasedPolicy,
            deciding: None,
        })]
    );
}
