//! The JSON shapes a decision log records: every outcome of the guard and every error type,
//! pinned with insta. A change to a snapshot is a change to users' logs: review it as one.

mod common;

use ramguard::account::CompiledAccount;
use ramguard::policy::Policy;
use ramguard::principal::{Account, AccountError, PrincipalRef};
use ramguard::reload::Reloadable;
use ramguard::restore::{
    self, CallError, Clearance, InstanceState, Reason, RestoreCall, RestoreParameters,
};
use ramguard::span::Source;
use ramguard::value::Timestamp;
use ramguard::{PolicySet, Request};

fn account() -> CompiledAccount {
    CompiledAccount::from_path("policies/account.json").expect("the example account")
}

fn state(instance: &str) -> InstanceState {
    InstanceState::from_path(format!("policies/instances/{instance}.json")).expect("a state")
}

fn principal(text: &str) -> PrincipalRef {
    PrincipalRef::parse(text).expect("a principal")
}

/// alice's call on `instance`, with the context a real call from the office network carries.
fn call(parameters: RestoreParameters) -> RestoreCall {
    RestoreCall::new("cn-hangzhou", "1234567890123456", parameters)
        .context("acs:MFAPresent", true)
        .context("acs:SourceIp", "10.1.2.3")
        .context("acs:SecureTransport", true)
        .at(Timestamp::parse_rfc3339(common::NOW).expect("a time"))
}

fn flashback(instance: &str) -> RestoreParameters {
    RestoreParameters::point_in_time(instance, "2026-11-29T08:00:00Z").filter_key("^session:")
}

#[test]
fn a_permitted_restore() {
    let clearance = account().guard(
        &principal("user/alice"),
        &call(flashback("r-bp1stg01")),
        Some(&state("r-bp1stg01")),
    );
    assert!(clearance.is_permitted());
    insta::assert_json_snapshot!("permitted", clearance);
    // A permit serializes as the clearance that holds it.
    let Clearance::Permitted(permit) = clearance else {
        unreachable!()
    };
    insta::assert_json_snapshot!("permitted", permit);
}

#[test]
fn a_denial_without_the_instance_state() {
    let clearance = account().guard(
        &principal("user/alice"),
        &call(RestoreParameters::backup_set("r-bp1prod01", "b-20261128")),
        None,
    );
    insta::assert_json_snapshot!("denied_not_checked", clearance);
    let Clearance::Refused(refusal) = clearance else {
        panic!("refused")
    };
    insta::assert_json_snapshot!("denied_not_checked", refusal);
}

#[test]
fn rejected_parameters_and_missing_context() {
    let parameters = RestoreParameters::point_in_time("r-bp1stg01", "2026-11-30T00:00:00Z");
    // Allowed, but without `acs:SecureTransport`, which a Deny of plain HTTP reads.
    let call = RestoreCall::new("cn-hangzhou", "1234567890123456", parameters)
        .context("acs:MFAPresent", true)
        .context("acs:SourceIp", "10.1.2.3")
        .at(Timestamp::parse_rfc3339(common::NOW).expect("a time"));
    let clearance = account().guard(&principal("user/alice"), &call, Some(&state("r-bp1stg01")));
    insta::assert_json_snapshot!("rejected_missing_context", clearance);
}

#[test]
fn an_invalid_call_and_an_unknown_principal() {
    let bad_region = RestoreCall::new(
        "Hangzhou",
        "1234567890123456",
        RestoreParameters::backup_set("r-bp1stg01", "b-20261128"),
    )
    .at(Timestamp::parse_rfc3339(common::NOW).expect("a time"));
    let clearance = account().guard(&principal("user/alice"), &bad_region, None);
    insta::assert_json_snapshot!("invalid_call", clearance);

    let clearance = account().guard(
        &principal("user/mallory"),
        &call(flashback("r-bp1stg01")),
        None,
    );
    insta::assert_json_snapshot!("unknown_principal", clearance);
}

#[test]
fn every_reason_and_call_error() {
    let reasons = vec![
        Reason::MissingContext(vec!["acs:SourceIp".into()]),
        Reason::InvalidCall(CallError::AccountId("acme".into())),
        Reason::InvalidCall(CallError::InstanceMismatch {
            origin: "r-bp1prod01.json".into(),
            expected: "r-bp1stg01".into(),
            found: "r-bp1prod01".into(),
        }),
        Reason::InvalidCall(CallError::CurrentTime {
            expected: "2026-11-29T09:30:00Z".into(),
            found: "2026-11-29T10:00:00Z".into(),
        }),
        Reason::Internal,
    ];
    insta::assert_json_snapshot!("reasons", reasons);
    let request_error = Request::builder(common::RESTORE, common::STAGING)
        .context("acs:MFAPresent", "yes")
        .build()
        .expect_err("not a boolean");
    insta::assert_json_snapshot!("call_error_request", CallError::Request(request_error));
}

#[test]
fn decisions_name_their_statements() {
    let set = account()
        .policy_set(&principal("user/alice"))
        .expect("alice")
        .clone();
    let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01")
        .build()
        .expect("a request");
    insta::assert_json_snapshot!("decision_record", set.record(&set.evaluate(&request)));
}

#[test]
fn who_can_answers() {
    let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
        .context("acs:MFAPresent", true)
        .context("acs:SourceIp", "10.1.2.3")
        .context("acs:SecureTransport", true)
        .build()
        .expect("a request");
    insta::assert_json_snapshot!("who_can", account().who_can(&request));
}

#[test]
fn errors_of_accounts_principals_policies_and_reloads() {
    let invalid = Account::parse(
        Source::new(
            "account.json",
            r#"{"account_id": "1234567890123456", "users": {"bob": {"groups": ["dba"], "policies": [{"name": "Nope"}]}}}"#,
        ),
        "".as_ref(),
    )
    .expect_err("invalid");
    insta::assert_json_snapshot!(
        "account_error_invalid",
        AccountError::Invalid(Box::new(invalid))
    );
    let missing = Account::from_path("policies/no-such-account.json").expect_err("missing");
    insta::assert_json_snapshot!("account_error_unreadable", missing);

    insta::assert_json_snapshot!(
        "principal_errors",
        [
            PrincipalRef::parse("alice").expect_err("no kind"),
            account()
                .policy_set(&principal("role/admin"))
                .expect_err("no such role"),
        ]
    );

    let policy = Policy::load("system:AliyunKvstoreAccess").expect_err("no such system policy");
    insta::assert_json_snapshot!("load_error_unknown_system_policy", policy);
    let invalid = Policy::load("tests/lint/invalid-effect.json").expect_err("invalid");
    insta::assert_json_snapshot!("load_error_invalid", invalid);

    let reload = Reloadable::account("policies/no-such-account.json").expect_err("missing");
    insta::assert_json_snapshot!("reload_error", reload);
}

#[test]
fn a_guard_on_a_plain_set_has_no_principal() {
    let set = PolicySet::builder()
        .identity(Policy::load("system:AliyunKvstoreFullAccess").expect("built in"))
        .build()
        .expect("a set");
    let clearance = restore::guard(
        &set,
        &call(RestoreParameters::backup_set("r-bp1stg01", "b-20261128")),
        Some(&state("r-bp1stg01")),
    );
    let json = serde_json::to_value(&clearance).expect("serializes");
    assert_eq!(json["permitted"], true);
    assert_eq!(json["principal"], serde_json::Value::Null);
    assert_eq!(
        json["decision"]["statement"]["file"],
        "system:AliyunKvstoreFullAccess"
    );
    // The handle the clearance keeps is the set the guard was given.
    let kept = clearance.assessment().policies().expect("a set");
    assert!(kept.is_same_set(&set));
}
