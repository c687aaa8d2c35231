//! An adversarial audit of the restore guard (issue 4, docs/semantics.md §4-6): each probe pins the exact
//! code, status, message or decision for one edge of a rule.

use std::path::Path;

use ramguard::principal::{Account, InvalidAccount, PrincipalRef};
use ramguard::restore::{
    self, CallError, CheckStatus, Clearance, InstanceState, Reason, RestoreCall, RestoreParameters,
};
use ramguard::span::Source;
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};

mod common;

use common::restore::{NOW, errors, flashback_state, now, refusal, state, statuses};

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

// ---- codes, statuses and messages, character for character ----

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

// ---- RestoreType ----

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

// ---- instance-state checks ----

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
    assert!(InstanceState::parse(&Source::new("state.json", text)).is_err());
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
            InstanceState::parse(&Source::new("state.json", text)).is_err(),
            "{text}"
        );
    }
    let text =
        r#"{"InstanceId": "r-1", "InstanceStatus": "Normal", "InstanceStatus": "Migrating"}"#;
    let message = InstanceState::parse(&Source::new("state.json", text))
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

fn call(p: RestoreParameters) -> RestoreCall {
    RestoreCall::new("cn-hangzhou", ACCOUNT_ID, p).at(now())
}

#[test]
fn the_guard_permits_the_one_fully_checked_case() {
    let p = pit("2026-11-29T08:00:00Z");
    let permit = restore::guard(&allow_restore(), &call(p.clone()), Some(&flashback_state()))
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
        refusal(restore::guard(&set, &call(good.clone()), None)).as_slice(),
        [Reason::InstanceNotChecked(checks)] if checks.len() == 4
    ));
    assert!(matches!(
        refusal(restore::guard(
            &set,
            &call(pit("2026-11-29T09:30:01Z")),
            Some(&s)
        ))
        .as_slice(),
        [Reason::RejectedParameters(_), Reason::InstanceNotChecked(_)]
    ));
    let empty = PolicySet::builder().build().expect("builds");
    assert!(matches!(
        refusal(restore::guard(&empty, &call(good), Some(&s))).as_slice(),
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
        &call(pit("2026-11-29T08:00:00Z")),
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
        &call(pit("2026-11-29T08:00:00Z")),
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
                restore::guard(&set, &call(p), Some(&s)),
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
        let c =
            call(RestoreParameters::backup_set("r-1", "b-1")).context(key, "2026-01-01T00:00:00Z");
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
    let c = call(RestoreParameters::backup_set("r-1", "b-1")).context("acs:CurrentTime", NOW);
    assert!(matches!(
        restore::guard(&allow_all, &c, Some(&s)),
        Clearance::Permitted(_)
    ));
}

// ---- accounts ----

fn account(text: &str) -> Account {
    Account::parse(Source::new("acct.json", text), Path::new("policies")).expect("valid account")
}

fn invalid(text: &str) -> InvalidAccount {
    Account::parse(Source::new("acct.json", text), Path::new("policies"))
        .expect_err("invalid account")
}

fn codes(e: &InvalidAccount) -> Vec<&'static str> {
    e.issues.iter().map(|i| i.kind.code()).collect()
}

fn decide(account: &Account, who: &str, instance: &str) -> (Verdict, PolicyType) {
    let set = account
        .policy_set(&PrincipalRef::parse(who).expect("principal"))
        .expect("known principal")
        .build()
        .expect("builds");
    let request = Request::restore_instance("cn-hangzhou", ACCOUNT_ID, instance)
        .at(now())
        .build()
        .expect("valid request");
    let d = set.evaluate(&request);
    (d.verdict, d.policy_type)
}

const ALLOW_DOC: &str = r#"{"document": {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}}"#;
const DENY_DOC: &str = r#"{"document": {"Version": "1", "Statement": [{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}}"#;

#[test]
fn a_user_gets_its_groups_policies_and_a_role_only_its_own() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}}},
            "groups": {{"dba": {{"policies": [{{"name": "Allow"}}]}}}},
            "users": {{"alice": {{"groups": ["dba"]}}, "bob": {{}}}},
            "roles": {{"bot": {{}}}}}}"#
    ));
    assert_eq!(
        decide(&a, "user/alice", "r-1"),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
    assert_eq!(decide(&a, "user/bob", "r-1").0, Verdict::ImplicitDeny);
    assert_eq!(decide(&a, "role/bot", "r-1").0, Verdict::ImplicitDeny);
}

#[test]
fn resource_group_scope_applies_only_to_its_resources_and_only_after_implicit_deny() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}, "Deny": {DENY_DOC}}},
            "resource_groups": {{"rg": ["acs:kvstore:cn-hangzhou:{ACCOUNT_ID}:instance/r-in"]}},
            "users": {{"alice": {{"policies": [{{"name": "Allow", "resource_group": "rg"}}]}},
                       "carol": {{"policies": [{{"name": "Allow"}}, {{"name": "Deny", "resource_group": "rg"}}]}}}}}}"#
    ));
    assert_eq!(
        decide(&a, "user/alice", "r-in"),
        (
            Verdict::Allow,
            PolicyType::ResourceGroupLevelIdentityBasedPolicy
        )
    );
    assert_eq!(decide(&a, "user/alice", "r-out").0, Verdict::ImplicitDeny);
    // An account-scope Allow decides before the resource-group scope is consulted.
    assert_eq!(
        decide(&a, "user/carol", "r-in"),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
}

#[test]
fn a_control_policy_that_does_not_allow_denies_everyone() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}, "Deny": {DENY_DOC}}},
            "control_policies": ["Deny"],
            "users": {{"alice": {{"policies": [{{"name": "AliyunKvstoreFullAccess"}}]}}}}}}"#
    ));
    assert_eq!(
        decide(&a, "user/alice", "r-1"),
        (Verdict::ExplicitDeny, PolicyType::ControlPolicy)
    );
}

#[test]
fn a_session_policy_restricts_a_role_session() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "roles": {{"bot": {{"policies": [{{"name": "AliyunKvstoreFullAccess"}}]}}}}}}"#
    ));
    let session = Policy::from_text(
        "session",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:Describe*", "Resource": "*"}]}"#,
    )
    .expect("valid");
    let set = a
        .policy_set(&PrincipalRef::Role("bot".into()))
        .expect("known")
        .session(session)
        .build()
        .expect("builds");
    let request = Request::restore_instance("cn-hangzhou", ACCOUNT_ID, "r-1")
        .build()
        .expect("valid");
    let d = set.evaluate(&request);
    assert_eq!(
        (d.verdict, d.policy_type),
        (Verdict::ImplicitDeny, PolicyType::SessionPolicy)
    );
}

#[test]
fn unknown_names_are_errors() {
    let e = invalid(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "control_policies": ["Nope"],
            "users": {{"alice": {{"groups": ["ghosts"], "policies": [{{"name": "Missing"}}, {{"name": "aliyunkvstorefullaccess"}}, {{"name": "AliyunKvstoreFullAccess", "resource_group": "rg-none"}}]}}}}}}"#
    ));
    assert_eq!(
        codes(&e),
        [
            "unknown-policy",
            "unknown-group",
            "unknown-policy",
            "unknown-policy",
            "unknown-resource-group"
        ]
    );
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "users": {{"alice": {{}}}}}}"#
    ));
    for who in ["user/Alice", "user/bob", "role/alice"] {
        assert!(
            a.policy_set(&PrincipalRef::parse(who).expect("syntax"))
                .is_err(),
            "{who}"
        );
    }
    for bad in ["alice", "user/", "group/dba", "/alice", "User/alice"] {
        assert!(PrincipalRef::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn duplicates_are_errors_and_names_differing_in_case_are_distinct() {
    let e = invalid(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "groups": {{"dba": {{}}}},
            "users": {{"alice": {{"groups": ["dba", "dba"], "policies": [{{"name": "AliyunKvstoreFullAccess"}}, {{"name": "AliyunKvstoreFullAccess"}}]}}}}}}"#
    ));
    assert_eq!(codes(&e), ["duplicate-reference", "duplicate-reference"]);
    // Exact duplicate member names are errors; names differing only in case are two entities.
    let e = invalid(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "users": {{"alice": {{}}, "alice": {{}}}}}}"#
    ));
    assert_eq!(codes(&e), ["duplicate-member"]);
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}}},
            "users": {{"alice": {{"policies": [{{"name": "Allow"}}]}}, "Alice": {{}}}}}}"#
    ));
    assert_eq!(decide(&a, "user/alice", "r-1").0, Verdict::Allow);
    assert_eq!(decide(&a, "user/Alice", "r-1").0, Verdict::ImplicitDeny);
}

#[test]
fn a_policy_attached_to_both_user_and_group_is_evaluated_consistently() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Deny": {DENY_DOC}}},
            "groups": {{"dba": {{"policies": [{{"name": "Deny"}}, {{"name": "AliyunKvstoreFullAccess"}}]}}}},
            "users": {{"alice": {{"groups": ["dba"], "policies": [{{"name": "Deny"}}]}}}}}}"#
    ));
    assert_eq!(
        decide(&a, "user/alice", "r-1"),
        (
            Verdict::ExplicitDeny,
            PolicyType::AccountLevelIdentityBasedPolicy
        )
    );
}
