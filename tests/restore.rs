//! `RestoreInstance` parameters: every rule of docs/semantics.md §6 with the API's code, status and
//! message; the instance-state checks; and the guard a dispatcher calls.

use ramguard::restore::{
    self, CallError, CheckStatus, Clearance, ErrorCode, InstanceState, Parameter, Reason,
    RestoreCall, RestoreParameters, RestorePlan, Validation,
};
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
    let explained = permit
        .assessment()
        .explain(&set_with_tls_deny())
        .expect("a request was built");
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
