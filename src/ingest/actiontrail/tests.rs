//! Unit tests: each mapping rule of docs/actiontrail.md, on the fixtures in
//! `tests/data/actiontrail/` and on variants of them.

use serde_json::{Value, json};

use super::*;
use crate::principal::PrincipalRef;

const ACCOUNT: &str = "1234567890123456";

fn fixture_text(name: &str) -> String {
    let path = format!(
        "{}/tests/data/actiontrail/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).expect("a fixture is JSON")
}

/// The fixture `name` changed by `edit`.
fn variant(name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut event = fixture(name);
    edit(&mut event);
    event.to_string()
}

fn mapped(text: &str) -> MappedEvent {
    EventMapping::new()
        .map(text)
        .unwrap_or_else(|e| panic!("{}: {e}", e.code()))
}

fn mapped_fixture(name: &str) -> MappedEvent {
    mapped(&fixture_text(name))
}

fn refused(text: &str) -> (&'static str, String) {
    match EventMapping::new().map(text) {
        Ok(m) => panic!(
            "mapped to {} on {}",
            m.request.action(),
            m.request.resource()
        ),
        Err(e) => (e.code(), e.field().to_string()),
    }
}

/// Every context key with its values, as String operators read them.
fn context(m: &MappedEvent) -> Vec<(String, Vec<String>)> {
    m.request
        .context()
        .iter()
        .map(|(key, values)| {
            let texts = values.iter().map(|v| v.text().to_string()).collect();
            (key.to_string(), texts)
        })
        .collect()
}

fn keys(pairs: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
        .collect()
}

fn kvstore_arn(instance: &str) -> String {
    format!("acs:kvstore:cn-hangzhou:{ACCOUNT}:instance/{instance}")
}

#[test]
fn a_restore_by_a_ram_user_with_mfa() {
    let m = mapped_fixture("restore-ram-user-mfa");
    assert_eq!(m.request.action(), "kvstore:RestoreInstance");
    assert_eq!(m.request.resource(), kvstore_arn("r-bp1stg01"));
    assert_eq!(
        context(&m),
        keys(&[
            ("acs:CurrentTime", "2026-11-29T09:30:00Z"),
            ("acs:MFAPresent", "true"),
            ("acs:SecureTransport", "true"),
            ("acs:SourceIp", "10.1.2.3"),
            ("acs:UserAgent", "Aliyun-CLI/3.0.200"),
        ])
    );
    assert_eq!(m.principal, EventPrincipal::User("alice".into()));
    assert_eq!(
        m.principal.principal_ref(),
        Some(PrincipalRef::User("alice".into()))
    );
    assert_eq!(
        m.event_id.as_deref(),
        Some("7D9C1E2A-0F3B-5C6D-8E9F-0A1B2C3D4E5F")
    );
    assert_eq!(
        (m.service_name.as_str(), m.event_name.as_str()),
        ("R-kvstore", "RestoreInstance")
    );
    assert_eq!(
        m.event_time.map(|t| t.to_string()).as_deref(),
        Some("2026-11-29T09:30:00Z")
    );
    assert_eq!(m.error_code, None, "an empty errorCode is no error");
    // Typed as RAM types them, not only as text.
    let ctx = m.request.context();
    assert_eq!(ctx.get("acs:MFAPresent")[0].boolean(), Some(true));
    assert!(ctx.get("acs:SourceIp")[0].ip().is_some());
    assert!(ctx.get("acs:CurrentTime")[0].instant().is_some());
}

#[test]
fn a_restore_by_an_assumed_role_without_mfa() {
    let m = mapped_fixture("restore-assumed-role-no-mfa");
    assert_eq!(m.request.action(), "kvstore:RestoreInstance");
    assert_eq!(m.request.resource(), kvstore_arn("r-bp1prod01"));
    assert_eq!(
        context(&m),
        keys(&[
            ("acs:CurrentTime", "2026-11-30T02:00:05Z"),
            ("acs:MFAPresent", "false"),
            ("acs:SecureTransport", "true"),
            ("acs:SourceIp", "172.16.3.4"),
            ("acs:SourceVpc", "vpc-bp1office"),
            (
                "acs:UserAgent",
                "AlibabaCloud (Linux; amd64) Go/1.22 Core/1.63.0 TeaDSL/1"
            ),
        ])
    );
    assert_eq!(
        m.principal,
        EventPrincipal::Role {
            name: "restore-bot".into(),
            session: Some("nightly-1701".into())
        }
    );
    assert_eq!(
        m.principal.principal_ref(),
        Some(PrincipalRef::Role("restore-bot".into()))
    );
}

#[test]
fn describe_instances_lists_every_instance_or_the_one_named() {
    let m = mapped_fixture("describe-instances");
    assert_eq!(m.request.action(), "kvstore:DescribeInstances");
    assert_eq!(m.request.resource(), kvstore_arn("*"));
    let with_ids = |ids: &str| {
        variant("describe-instances", |e| {
            e["requestParameters"]["InstanceIds"] = json!(ids)
        })
    };
    assert_eq!(
        mapped(&with_ids("")).request.resource(),
        kvstore_arn("*"),
        "an empty filter lists every instance"
    );
    assert_eq!(
        mapped(&with_ids("r-bp1stg01")).request.resource(),
        kvstore_arn("r-bp1stg01")
    );
    assert_eq!(
        refused(&with_ids("r-bp1stg01,r-bp1prod01")),
        ("several-resources", "requestParameters.InstanceIds".into())
    );
    // A piece that is no id is refused before anything is counted.
    for ids in ["r-bp1stg01,", "r-bp1*", "[\"r-bp1stg01\"]"] {
        assert_eq!(
            refused(&with_ids(ids)),
            ("invalid-field", "requestParameters.InstanceIds".into()),
            "{ids}"
        );
    }
}

#[test]
fn describe_regions_is_requested_on_every_resource() {
    let m = mapped_fixture("describe-regions");
    assert_eq!(
        (m.request.action(), m.request.resource()),
        ("kvstore:DescribeRegions", "*")
    );
    assert_eq!(
        context(&m),
        keys(&[
            ("acs:CurrentTime", "2026-11-29T09:20:00Z"),
            // The older `sessionAttributes`.
            ("acs:MFAPresent", "false"),
            ("acs:SourceIp", "203.0.113.10"),
            ("acs:UserAgent", "aliyuncli/2.0.6"),
        ])
    );
    assert_eq!(m.principal, EventPrincipal::User("auditor".into()));
    // `*` names no region and no account, so the event needs neither.
    let bare = variant("describe-regions", |e| {
        let event = e.as_object_mut().expect("an object");
        event.remove("acsRegion");
        e["userIdentity"]
            .as_object_mut()
            .expect("an object")
            .remove("accountId");
    });
    assert_eq!(mapped(&bare).request.resource(), "*");
    // The other documented "All Resources" actions, in any letter case.
    for action in [
        "DescribeHistoryEvents",
        "ModifyEventInfo",
        "describeregions",
    ] {
        let event = variant("describe-regions", |e| e["eventName"] = json!(action));
        assert_eq!(mapped(&event).request.resource(), "*", "{action}");
    }
}

#[test]
fn every_other_kvstore_action_is_on_the_instance_named() {
    let event = variant("restore-ram-user-mfa", |e| {
        e["eventName"] = json!("FlushInstance")
    });
    let m = mapped(&event);
    assert_eq!(
        (m.request.action(), m.request.resource()),
        ("kvstore:FlushInstance", kvstore_arn("r-bp1stg01").as_str())
    );
    // `serviceName` matches ignoring case; the RAM code is kvstore's.
    let lower = variant("restore-ram-user-mfa", |e| {
        e["serviceName"] = json!("r-kvstore")
    });
    assert_eq!(mapped(&lower).request.action(), "kvstore:RestoreInstance");
    // A number is read as its text, as request parameters may hold numbers.
    let number = variant("restore-ram-user-mfa", |e| {
        e["requestParameters"]["InstanceId"] = json!(4711)
    });
    assert_eq!(mapped(&number).request.resource(), kvstore_arn("4711"));
}

#[test]
fn ecs_and_rds_events_on_their_documented_resources() {
    let ecs = mapped_fixture("ecs-stop-instance");
    assert_eq!(
        (ecs.request.action(), ecs.request.resource()),
        (
            "ecs:StopInstance",
            "acs:ecs:cn-shanghai:1234567890123456:instance/i-uf6bjzwbhk0l2p4x9z1q"
        )
    );
    assert_eq!(
        context(&ecs),
        keys(&[
            ("acs:CurrentTime", "2026-11-28T17:45:12Z"),
            ("acs:MFAPresent", "true"),
            ("acs:SecureTransport", "false"),
            ("acs:SourceIp", "2001:db8::17"),
            ("acs:UserAgent", "ecs.console.aliyun.com"),
        ])
    );
    assert_eq!(ecs.principal.to_string(), "user/ops");

    let rds = mapped_fixture("rds-describe-attribute");
    assert_eq!(
        (rds.request.action(), rds.request.resource()),
        (
            "rds:DescribeDBInstanceAttribute",
            "acs:rds:cn-hangzhou:1234567890123456:dbinstance/rm-bp18vn5itslhw7k2a"
        )
    );
    assert_eq!(
        context(&rds),
        keys(&[
            ("acs:CurrentTime", "2026-11-29T11:02:33Z"),
            ("acs:SecureTransport", "true"),
            ("acs:SourceIp", "203.0.113.77"),
            (
                "acs:UserAgent",
                "AlibabaCloud (Linux; amd64) Java/1.8.0_352 tea-util/0.2.21 TeaDSL/1"
            ),
        ])
    );
    // An SSO session name holds `@` and `.`; the role name ends at the first colon.
    assert_eq!(
        rds.principal,
        EventPrincipal::Role {
            name: "kvstore-admin".into(),
            session: Some("Alice@1234567890123456.onaliyun.com".into())
        }
    );
}

#[test]
fn a_root_account_event_maps_but_names_no_principal_to_evaluate() {
    let m = mapped_fixture("root-account-rds-restart");
    assert_eq!(
        (m.request.action(), m.request.resource()),
        (
            "rds:RestartDBInstance",
            "acs:rds:cn-hangzhou:1234567890123456:dbinstance/rm-bp18vn5itslhw7k2a"
        )
    );
    assert_eq!(
        m.principal,
        EventPrincipal::RootAccount {
            account_id: Some(ACCOUNT.into())
        }
    );
    assert_eq!(m.principal.to_string(), "root");
    assert_eq!(m.principal.principal_ref(), None);
}

#[test]
fn a_system_event_has_no_source_ip_and_takes_the_recipient_account() {
    let m = mapped_fixture("system-ecs-delete-disk");
    assert_eq!(
        (m.request.action(), m.request.resource()),
        (
            "ecs:DeleteDisk",
            "acs:ecs:cn-hangzhou:1234567890123456:disk/d-8vbf8rpv2nn0l1zm5k3c"
        )
    );
    // `sourceIpAddress` is the service's host, not an address: no `acs:SourceIp`.
    assert_eq!(
        context(&m),
        keys(&[
            ("acs:CurrentTime", "2026-10-22T21:52:00Z"),
            ("acs:UserAgent", "ecs.aliyuncs.com"),
        ])
    );
    assert_eq!(
        m.principal,
        EventPrincipal::Service("ecs.aliyuncs.com".into())
    );
    assert_eq!(m.principal.to_string(), "service:ecs.aliyuncs.com");
    assert_eq!(m.principal.principal_ref(), None);
}

#[test]
fn other_identity_types_are_kept_as_recorded() {
    let event = variant("describe-regions", |e| {
        e["userIdentity"]["type"] = json!("cloudsso-user")
    });
    let m = mapped(&event);
    assert_eq!(
        m.principal,
        EventPrincipal::Other {
            identity_type: "cloudsso-user".into()
        }
    );
    assert_eq!(m.principal.to_string(), "other:cloudsso-user");
    assert_eq!(m.principal.principal_ref(), None);
    // A role name without a session.
    let role = variant("describe-regions", |e| {
        e["userIdentity"]["type"] = json!("assumed-role");
        e["userIdentity"]["userName"] = json!("restore-bot");
    });
    assert_eq!(
        mapped(&role).principal,
        EventPrincipal::Role {
            name: "restore-bot".into(),
            session: None
        }
    );
    let nameless = variant("describe-regions", |e| {
        e["userIdentity"]["type"] = json!("assumed-role");
        e["userIdentity"]["userName"] = json!(":nightly");
    });
    assert_eq!(
        refused(&nameless),
        ("invalid-field", "userIdentity.userName".into())
    );
}

#[test]
fn a_log_service_record_holds_the_event() {
    let bare = mapped_fixture("restore-assumed-role-no-mfa");
    for record in ["sls-record-event-string", "sls-record-event-object"] {
        let m = mapped_fixture(record);
        let expected = if record.ends_with("string") {
            bare.clone()
        } else {
            mapped_fixture("describe-regions")
        };
        assert_eq!(
            (m.request.action(), m.request.resource()),
            (expected.request.action(), expected.request.resource()),
            "{record}"
        );
        assert_eq!(context(&m), context(&expected), "{record}");
        assert_eq!(m.principal, expected.principal, "{record}");
        assert_eq!(m.event_id, expected.event_id, "{record}");
    }
    assert_eq!(
        refused(&fixture_text("error-sls-record-truncated")),
        ("invalid-json", "event".into())
    );
    // A record inside a record is not what SLS stores.
    let nested = json!({"event": {"event": fixture("describe-regions")}}).to_string();
    assert_eq!(refused(&nested), ("not-an-event", String::new()));
    assert_eq!(
        refused(r#"{"__topic__": "actiontrail_audit_event", "event": 7}"#),
        ("invalid-field", "event".into())
    );
    assert_eq!(
        refused(r#"{"__topic__": "actiontrail_audit_event"}"#),
        ("not-an-event", String::new())
    );
}

#[test]
fn a_call_that_failed_carries_its_error_code() {
    let m = mapped_fixture("restore-refused-by-ram");
    assert_eq!(m.error_code.as_deref(), Some("Forbidden.RAM"));
    assert_eq!(m.request.resource(), kvstore_arn("r-bp1prod01"));
    assert_eq!(
        m.request.context().get("acs:MFAPresent")[0].boolean(),
        Some(false)
    );
}

#[test]
fn events_that_cannot_be_mapped_name_the_field() {
    let cases = [
        ("error-no-user-identity", "missing-field", "userIdentity"),
        ("error-unknown-service", "unknown-service", "serviceName"),
        (
            "error-restore-without-instance-id",
            "missing-field",
            "requestParameters.InstanceId",
        ),
        ("error-event-time-not-a-time", "invalid-field", "eventTime"),
        (
            "error-instance-id-slash",
            "invalid-field",
            "requestParameters.InstanceId",
        ),
        (
            "error-instance-id-star",
            "invalid-field",
            "requestParameters.InstanceId",
        ),
        ("error-console-signin", "not-an-api-call", "eventType"),
        ("error-cross-account", "cross-account", "recipientAccountId"),
        ("error-unmapped-ecs-action", "unmapped-action", "eventName"),
        (
            "error-several-instances",
            "several-resources",
            "requestParameters.InstanceIds",
        ),
        ("error-sls-record-truncated", "invalid-json", "event"),
        (
            "error-masked-account-id",
            "invalid-field",
            "userIdentity.accountId",
        ),
    ];
    for (name, code, field) in cases {
        assert_eq!(
            refused(&fixture_text(name)),
            (code, field.to_string()),
            "{name}"
        );
    }
}

#[test]
fn messages_say_what_is_wrong_with_the_value() {
    let message = |name: &str| {
        EventMapping::new()
            .map(&fixture_text(name))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        message("error-instance-id-star"),
        "`requestParameters.InstanceId` must be a resource id (letters, digits, `-` and `_`), found `r-bp1*`: another character could change the resource authorized on"
    );
    assert_eq!(
        message("error-event-time-not-a-time"),
        "`eventTime` must be an RFC 3339 time like `2026-11-29T09:30:00Z`, found `2026-11-29 09:30:00`"
    );
    assert_eq!(
        message("error-unknown-service"),
        "unknown `serviceName` `Slb`: ramguard knows the RAM code of `R-kvstore`, `Ecs`, `Rds`, `Oss`, `Ram`, `Ims`, `Sts`, `Actiontrail`, `ResourceManager`"
    );
    assert_eq!(
        message("error-unmapped-ecs-action"),
        "the resource of `ecs:DescribeInstances` is not mapped: ramguard maps only documented resources"
    );
    assert_eq!(
        message("error-console-signin"),
        "the event records a `ConsoleSignin`, not an API call (`ApiCall`)"
    );
    assert_eq!(
        message("error-cross-account"),
        "the caller's account `1234567890123456` is not the account that recorded the event, `6543210987654321`"
    );
    assert_eq!(
        message("error-no-user-identity"),
        "the event has no `userIdentity`"
    );
}

/// What is wrong, how to make it so, and the code and field it is refused with.
type EditCase = (&'static str, fn(&mut Value), &'static str, &'static str);

#[test]
fn the_shape_of_the_event_is_checked() {
    let base = |edit: fn(&mut Value)| variant("restore-ram-user-mfa", edit);
    let cases: [EditCase; 13] = [
        (
            "a later version",
            |e| e["eventVersion"] = json!(2),
            "invalid-field",
            "eventVersion",
        ),
        (
            "no eventType",
            |e| {
                e.as_object_mut().map(|o| o.remove("eventType"));
            },
            "missing-field",
            "eventType",
        ),
        (
            "a wildcard in the action",
            |e| e["eventName"] = json!("Restore*"),
            "invalid-field",
            "eventName",
        ),
        (
            "a wildcard in the region",
            |e| e["acsRegion"] = json!("cn-*"),
            "invalid-field",
            "acsRegion",
        ),
        (
            "no region for an ARN",
            |e| e["acsRegion"] = json!(""),
            "missing-field",
            "acsRegion",
        ),
        (
            "no account for an ARN",
            |e| {
                e["userIdentity"]["accountId"] = Value::Null;
                e["recipientAccountId"] = Value::Null;
            },
            "missing-field",
            "userIdentity.accountId",
        ),
        (
            "an empty instance id",
            |e| e["requestParameters"]["InstanceId"] = json!(""),
            "missing-field",
            "requestParameters.InstanceId",
        ),
        (
            "an instance id that is an object",
            |e| e["requestParameters"]["InstanceId"] = json!({"id": "r-1"}),
            "invalid-field",
            "requestParameters.InstanceId",
        ),
        (
            "MFA neither true nor false",
            |e| {
                e["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] = json!("yes")
            },
            "invalid-field",
            "userIdentity.sessionContext.attributes.mfaAuthenticated",
        ),
        (
            "two MFA readings that disagree",
            |e| {
                e["userIdentity"]["sessionContext"]["sessionAttributes"] =
                    json!({"mfaAuthenticated": "false"})
            },
            "invalid-field",
            "userIdentity.sessionContext.sessionAttributes.mfaAuthenticated",
        ),
        (
            "a scheme other than http and https",
            |e| e["additionalEventData"]["Scheme"] = json!("ftp"),
            "invalid-field",
            "additionalEventData.Scheme",
        ),
        (
            "userIdentity that is a string",
            |e| e["userIdentity"] = json!("alice"),
            "invalid-field",
            "userIdentity",
        ),
        (
            "no userIdentity.type",
            |e| {
                e["userIdentity"].as_object_mut().map(|o| o.remove("type"));
            },
            "missing-field",
            "userIdentity.type",
        ),
    ];
    for (what, edit, code, field) in cases {
        assert_eq!(refused(&base(edit)), (code, field.to_string()), "{what}");
    }
    assert_eq!(refused("{"), ("invalid-json", String::new()));
    assert_eq!(refused("[]"), ("not-an-event", String::new()));
    assert_eq!(refused("{}"), ("not-an-event", String::new()));
    // A member given twice could be read either way.
    let twice = fixture_text("restore-ram-user-mfa").replacen(
        "\"InstanceId\": \"r-bp1stg01\",",
        "\"InstanceId\": \"r-bp1stg01\", \"InstanceId\": \"r-bp1prod01\",",
        1,
    );
    assert_eq!(
        refused(&twice),
        ("duplicate-field", "requestParameters.InstanceId".into())
    );
}

#[test]
fn lenient_where_the_data_varies() {
    // `eventVersion` as a string, `mfaAuthenticated` as a boolean, `null` as absent.
    let event = variant("restore-ram-user-mfa", |e| {
        e["eventVersion"] = json!("1");
        e["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] = json!(true);
        e["vpcId"] = Value::Null;
        e["errorCode"] = Value::Null;
        e["additionalEventData"]["Scheme"] = json!("HTTPS");
    });
    let m = mapped(&event);
    let ctx = m.request.context();
    assert_eq!(ctx.get("acs:MFAPresent")[0].text(), "true");
    assert_eq!(ctx.get("acs:SecureTransport")[0].text(), "true");
    assert!(ctx.get("acs:SourceVpc").is_empty());
    assert_eq!(m.error_code, None);
    // A masked address is no address: the key is missing, not an error.
    let masked = variant("restore-ram-user-mfa", |e| {
        e["sourceIpAddress"] = json!("192.168.XX.XX")
    });
    assert!(
        mapped(&masked)
            .request
            .context()
            .get("acs:SourceIp")
            .is_empty()
    );
    // `requestParameterJson` stands in for `requestParameters`.
    let json_only = variant("restore-ram-user-mfa", |e| {
        let parameters = e["requestParameters"].to_string();
        e.as_object_mut()
            .map(|o| o.remove("requestParameters"))
            .expect("an object");
        e["requestParameterJson"] = json!(parameters);
    });
    assert_eq!(
        mapped(&json_only).request.resource(),
        kvstore_arn("r-bp1stg01")
    );
    let broken = variant("restore-ram-user-mfa", |e| {
        e.as_object_mut()
            .map(|o| o.remove("requestParameters"))
            .expect("an object");
        e["requestParameterJson"] = json!("{\"InstanceId\":");
    });
    assert_eq!(
        refused(&broken),
        ("invalid-field", "requestParameterJson".into())
    );
}

#[test]
fn assumed_keys_fill_only_what_the_event_lacks() {
    let mapping = EventMapping::new()
        .assume("acs:MFAPresent", true)
        .assume("ACS:SOURCEVPC", "vpc-assumed")
        .assume("kvstore:Anything", vec!["a", "b"]);
    // The event records MFA (false) and a VPC: its own values win.
    let m = mapping
        .map(&fixture_text("restore-assumed-role-no-mfa"))
        .expect("mapped");
    let ctx = m.request.context();
    assert_eq!(ctx.get("acs:MFAPresent")[0].text(), "false");
    assert_eq!(ctx.get("acs:SourceVpc")[0].text(), "vpc-bp1office");
    assert_eq!(ctx.get("kvstore:Anything").len(), 2);
    // The system event records neither.
    let m = mapping
        .map(&fixture_text("system-ecs-delete-disk"))
        .expect("mapped");
    let ctx = m.request.context();
    assert_eq!(ctx.get("acs:MFAPresent")[0].text(), "true");
    assert_eq!(ctx.get("acs:SourceVpc")[0].text(), "vpc-assumed");
}

#[test]
fn the_request_time_is_the_event_time_or_an_assumed_one() {
    let undated = variant("describe-regions", |e| {
        e.as_object_mut().map(|o| o.remove("eventTime"));
    });
    assert_eq!(refused(&undated), ("missing-field", "eventTime".into()));
    let assumed = EventMapping::new().assume("acs:currenttime", "2026-12-01T00:00:00Z");
    let m = assumed.map(&undated).expect("mapped");
    assert_eq!(m.event_time, None);
    assert_eq!(
        m.request.context().get("acs:CurrentTime")[0].text(),
        "2026-12-01T00:00:00Z"
    );
    // The event's own time wins.
    let m = assumed
        .map(&fixture_text("describe-regions"))
        .expect("mapped");
    assert_eq!(
        m.request.context().get("acs:CurrentTime")[0].text(),
        "2026-11-29T09:20:00Z"
    );
    let bad = EventMapping::new().assume("acs:CurrentTime", "yesterday");
    let error = bad.map(&undated).unwrap_err();
    assert_eq!(
        (error.code(), error.field()),
        ("invalid-assumption", "acs:CurrentTime")
    );
    let several = EventMapping::new().assume(
        "acs:CurrentTime",
        vec!["2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"],
    );
    assert_eq!(
        several.map(&undated).unwrap_err().code(),
        "invalid-assumption"
    );
}

#[test]
fn wrong_assumptions_are_reported_as_such() {
    let check = |mapping: EventMapping| {
        mapping
            .check()
            .map_err(|e| (e.code(), e.field().to_string()))
    };
    assert_eq!(check(EventMapping::new()), Ok(()));
    assert_eq!(
        check(EventMapping::new().assume("SourceIp", "10.1.2.3")),
        Err(("invalid-assumption", "SourceIp".into()))
    );
    assert_eq!(
        check(
            EventMapping::new()
                .assume("acs:SourceVpc", "vpc-1")
                .assume("acs:sourcevpc", "vpc-2")
        ),
        Err(("invalid-assumption", "acs:sourcevpc".into()))
    );
    // Found at mapping time too, when the event lacks the key.
    let mapping = EventMapping::new().assume("acs:SourceIp", "10.0.0.0/8");
    let error = mapping
        .map(&fixture_text("system-ecs-delete-disk"))
        .unwrap_err();
    assert_eq!(
        (error.code(), error.field()),
        ("invalid-assumption", "acs:SourceIp")
    );
}

#[test]
fn errors_serialize_and_diagnose() {
    let error = EventMapping::new()
        .map(&fixture_text("error-instance-id-slash"))
        .unwrap_err();
    let value = serde_json::to_value(&error).expect("serializes");
    let members: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(members, ["code", "field", "message"]);
    assert_eq!(value["field"], "requestParameters.InstanceId");
    let diagnostic = error.diagnostic();
    assert_eq!(diagnostic.code(), "invalid-field");
    assert_eq!(diagnostic.message, error.message());
    let source: &dyn std::error::Error = &error;
    assert_eq!(source.to_string(), error.message());
}

#[test]
fn no_input_makes_it_panic() {
    // Every prefix of an event and of a record, and a few hostile values.
    for name in ["restore-ram-user-mfa", "sls-record-event-string"] {
        let text = fixture_text(name);
        for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            let _ = EventMapping::new().map(&text[..end]);
        }
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(refused(&deep).0, "invalid-json");
    for hostile in [
        "null",
        "\"event\"",
        "{\"event\": \"null\"}",
        "{\"eventName\": 1}",
    ] {
        let _ = EventMapping::new().map(hostile);
    }
}
