//! `ramguard eval` from the outside: every exit code (0 allow, 1 deny, 2 unusable input), both
//! output formats, `--context`, and snapshots of the text and JSON output for every example
//! request in `policies/requests/` against the policy set it is written for.

use std::path::Path;

mod common;

use common::{Scratch, output, ramguard};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

const RESTORE: &str = "kvstore:RestoreInstance";
const PROD: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01";

/// What one run gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = ramguard().args(args).output().expect("ramguard runs");
    Run {
        code: output.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

fn eval(args: &[&str]) -> Run {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    run(&all)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

// ---------------------------------------------------------------------------------------------
// Exit codes and formats.

#[test]
fn allow_exits_0() {
    let r = eval(&[
        "--policy",
        "system:AliyunKvstoreFullAccess",
        "--action",
        RESTORE,
        "--resource",
        PROD,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().next(),
        Some("Allow (decided by AccountLevelIdentityBasedPolicy)")
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn explicit_deny_exits_1() {
    let r = eval(&[
        "--policy",
        "policies/auditor.json",
        "--action",
        RESTORE,
        "--resource",
        PROD,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["policy_type"], "AccountLevelIdentityBasedPolicy");
    assert_eq!(v["matched"][0]["policy"], "auditor");
    assert_eq!(v["matched"][0]["statement"], 1);
    assert_eq!(
        v["access_denied_detail"]["NoPermissionType"],
        "ExplicitDeny"
    );
}

#[test]
fn implicit_deny_exits_1() {
    let r = eval(&[
        "--policy",
        "system:AliyunKvstoreReadOnlyAccess",
        "--action",
        RESTORE,
        "--resource",
        PROD,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().next(),
        Some("ImplicitDeny (decided by AccountLevelIdentityBasedPolicy)")
    );
}

#[test]
fn no_policy_is_an_implicit_deny_not_an_error() {
    let r = eval(&["--action", RESTORE, "--resource", PROD, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let v = json(&r);
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["policy_type"], "AccountLevelIdentityBasedPolicy");
    assert_eq!(v["matched"], serde_json::json!([]));
    assert_eq!(
        v["access_denied_detail"]["DecodedDiagnosticMessage"]["MatchedPolicies"],
        serde_json::json!([])
    );
}

#[test]
fn json_output_has_the_documented_fields() {
    let r = eval(&[
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    let keys: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    // An Allow carries no `access_denied_detail`.
    assert_eq!(
        keys,
        [
            "decision",
            "policy_type",
            "matched",
            "missing_context",
            "depends_on",
            "trace",
            "warnings"
        ]
    );
    let matched = &v["matched"][0];
    assert_eq!(matched["policy"], "dba-restore");
    assert_eq!(matched["file"], "policies/dba-restore.json");
    assert_eq!(matched["statement"], 1);
    assert_eq!(matched["effect"], "Allow");
    assert_eq!(
        (&matched["line"], &matched["column"]),
        (&9.into(), &5.into())
    );
}

#[test]
fn an_unreadable_policy_file_exits_2() {
    let r = eval(&[
        "--policy",
        "policies/no-such-policy.json",
        "--action",
        RESTORE,
        "--resource",
        PROD,
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("cannot read `policies/no-such-policy.json`"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_invalid_policy_exits_2_naming_file_line_column_and_code() {
    let scratch = Scratch::new("invalid-policy");
    let path = scratch.file(
        "broken.json",
        "{\n  \"Version\": \"1\",\n  \"Statement\": [{\n    \"Effect\": \"allow\",\n    \"Action\": \"RestoreInstance\",\n    \"Resource\": \"*\"\n  }]\n}\n",
    );
    let r = eval(&["--policy", &path, "--action", RESTORE, "--resource", PROD]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    // Both errors, each with its position and code.
    for (position, code) in [
        ("4:15", "invalid-effect"),
        ("5:15", "invalid-action-format"),
    ] {
        assert!(
            r.stderr.contains(&format!("{path}:{position}")),
            "no `{path}:{position}` in:\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&format!("[{code}]")),
            "no `{code}` in:\n{}",
            r.stderr
        );
    }
}

#[test]
fn every_broken_policy_file_is_reported() {
    let scratch = Scratch::new("two-broken");
    let first = scratch.file("first.json", r#"{"Version": 1, "Statement": []}"#);
    let second = scratch.file("second.json", "not json");
    let r = eval(&[
        "--policy",
        &first,
        "--control-policy",
        &second,
        "--action",
        RESTORE,
        "--resource",
        PROD,
    ]);
    assert_eq!(r.code, 2);
    for expected in [
        format!("{first}:1:13"),
        "[data-type-mismatch]".to_string(),
        format!("{first}:1:29"),
        "[empty-value]".to_string(),
        format!("{second}:1:1"),
        "[invalid-json]".to_string(),
    ] {
        assert!(
            r.stderr.contains(&expected),
            "no `{expected}` in:\n{}",
            r.stderr
        );
    }
}

#[test]
fn an_invalid_policy_inside_an_api_response_is_located_in_the_document() {
    let scratch = Scratch::new("wrapped");
    let path = scratch.file(
        "get-policy-version.json",
        r#"{"RequestId": "X", "PolicyVersion": {"VersionId": "v1", "PolicyDocument": "{\"Version\": \"2\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"}}"#,
    );
    let r = eval(&["--policy", &path, "--action", RESTORE, "--resource", PROD]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&format!("{path}:1:13")), "{}", r.stderr);
    assert!(r.stderr.contains("[invalid-version]"), "{}", r.stderr);
}

#[test]
fn an_invalid_request_file_exits_2() {
    let scratch = Scratch::new("invalid-request");
    for (name, text, expected) in [
        ("not-json.json", "{\n  \"action\": \n}", "not-json.json:3:1"),
        (
            "unknown-member.json",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "principal": "x"}"#,
            "unknown request member `principal`",
        ),
        (
            "no-resource.json",
            r#"{"action": "kvstore:RestoreInstance"}"#,
            "the request has no `resource`",
        ),
        (
            "bad-resource.json",
            r#"{"action": "kvstore:RestoreInstance", "resource": "r-bp1prod01"}"#,
            "`r-bp1prod01` is not an ARN",
        ),
        (
            "duplicate-keys.json",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:SourceIp": "10.0.0.1", "ACS:SOURCEIP": "10.0.0.2"}}"#,
            "are the same key",
        ),
    ] {
        let path = scratch.file(name, text);
        let r = eval(&[
            "--policy",
            "system:AliyunKvstoreFullAccess",
            "--request",
            &path,
        ]);
        assert_eq!(r.code, 2, "{name}: {}", r.stdout);
        assert_eq!(r.stdout, "", "{name}");
        assert!(
            r.stderr.contains(expected),
            "{name}: no `{expected}` in:\n{}",
            r.stderr
        );
    }
}

#[test]
fn a_missing_request_file_exits_2() {
    let r = eval(&[
        "--policy",
        "policies/auditor.json",
        "--request",
        "policies/requests/no-such-request.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("cannot read `policies/requests/no-such-request.json`"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_context_exits_2() {
    for (context, expected) in [
        ("acs:MFAPresent", "expected KEY=VALUE"),
        ("=true", "expected KEY=VALUE"),
        (
            "MFAPresent=true",
            "context key `MFAPresent` is not of the form",
        ),
    ] {
        let r = eval(&[
            "--policy",
            "policies/dba-restore.json",
            "--action",
            RESTORE,
            "--resource",
            PROD,
            "--context",
            context,
        ]);
        assert_eq!(r.code, 2, "{context}");
        assert_eq!(r.stdout, "", "{context}");
        assert!(
            r.stderr.contains(expected),
            "{context}: no `{expected}` in:\n{}",
            r.stderr
        );
    }
    let r = eval(&[
        "--action",
        RESTORE,
        "--resource",
        PROD,
        "--context",
        "acs:SourceIp=10.0.0.1",
        "--context",
        "ACS:SOURCEIP=10.0.0.2",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("are the same key"), "{}", r.stderr);
}

#[test]
fn a_missing_request_exits_2() {
    let r = eval(&["--policy", "policies/auditor.json"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("give the request"), "{}", r.stderr);
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        &["--action", RESTORE, "--resource", PROD, "--format", "yaml"][..],
        &["--action", RESTORE][..],
        &["--resource", PROD][..],
        &["--action", RESTORE, "--resource", PROD, "--frobnicate"][..],
        &[
            "--request",
            "policies/requests/dba-restore-staging.json",
            "--action",
            RESTORE,
            "--resource",
            PROD,
        ][..],
        &[
            "--action",
            RESTORE,
            "--resource",
            PROD,
            "--session-policy",
            "a.json",
            "--session-policy",
            "b.json",
        ][..],
    ] {
        let r = eval(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(r.stderr.contains("error"), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn repeated_context_keys_make_a_list() {
    let scratch = Scratch::new("context-list");
    let policy = scratch.file(
        "tags.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:*", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"acs:TagKeys": ["env", "team"]}, "ForAnyValue:StringEquals": {"acs:TagKeys": "env"}}}]}"#,
    );
    let with_tags = |tags: &[&str]| {
        let mut args = vec!["--policy", &policy, "--action", RESTORE, "--resource", PROD];
        let flags: Vec<String> = tags.iter().map(|t| format!("acs:TagKeys={t}")).collect();
        for flag in &flags {
            args.extend(["--context", flag.as_str()]);
        }
        args.extend(["--format", "json"]);
        let r = eval(&args);
        (r.code, json(&r))
    };
    let (code, v) = with_tags(&["env", "team"]);
    assert_eq!((code, &v["decision"]), (0, &"Allow".into()));
    let (code, v) = with_tags(&["env", "cost"]);
    assert_eq!((code, &v["decision"]), (1, &"ImplicitDeny".into()));
    assert_eq!(
        v["access_denied_detail"]["DecodedDiagnosticMessage"]["AuthConditions"]
            .as_array()
            .expect("conditions")
            .iter()
            .find(|c| c["ConditionKey"] == "acs:TagKeys")
            .map(|c| c["ConditionValues"].clone()),
        Some(serde_json::json!(["env", "cost"]))
    );
    assert_eq!(
        v["trace"][0]["statements"][0]["outcome"],
        serde_json::json!({
            "result": "condition_not_satisfied",
            "operator": "ForAllValues:StringEquals",
            "key": "acs:TagKeys",
            "policy_values": ["env", "team"],
            "request_values": ["env", "cost"]
        })
    );
}

#[test]
fn context_flags_add_to_a_request_file() {
    // dba-restore-no-mfa lacks acs:MFAPresent and comes from outside 10/8; the flags supply
    // both (the file's own keys stay).
    let r = eval(&[
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-no-mfa.json",
        "--context",
        "acs:MFAPresent=true",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(
        v["trace"][0]["statements"][1]["outcome"]["result"],
        "condition_not_satisfied"
    );
    assert_eq!(
        v["trace"][0]["statements"][1]["outcome"]["key"],
        "acs:SourceIp"
    );
    assert_eq!(v["missing_context"], serde_json::json!([]));
}

#[test]
fn current_time_defaults_to_the_clock_and_a_request_may_set_it() {
    let scratch = Scratch::new("clock");
    let policy = scratch.file(
        "after-2020.json",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:*", "Resource": "*", "Condition": {"DateGreaterThan": {"acs:CurrentTime": "2020-01-01T00:00:00Z"}}}]}"#,
    );
    let base = [
        "--policy",
        policy.as_str(),
        "--action",
        RESTORE,
        "--resource",
        PROD,
    ];
    assert_eq!(eval(&base).code, 0);
    let mut earlier = base.to_vec();
    earlier.extend(["--context", "acs:CurrentTime=2019-12-31T23:59:59Z"]);
    assert_eq!(eval(&earlier).code, 1);
}

// ---------------------------------------------------------------------------------------------
// Snapshots of every example request, against the policy set it is written for.

/// One example: a request file and the policy set it is evaluated against, with the decision
/// docs/semantics.md §4 gives.
struct Example {
    /// The snapshot label.
    label: &'static str,
    /// A file in `policies/requests/`.
    request: &'static str,
    /// Identity policies, under `policies/`, or built-in `system:NAME`.
    identity: &'static [&'static str],
    /// Control policies, under `policies/`, or built-in `system:NAME`.
    control: &'static [&'static str],
    /// The session policy, under `policies/`.
    session: Option<&'static str>,
    /// The expected exit code, verdict and deciding layer.
    expect: (i32, &'static str, &'static str),
}

const GUARDRAILS: &[&str] = &["system:FullAliyunAccess", "guardrails/no-prod-restore.json"];

/// Which policy set each example request is written for. Every file in `policies/requests/`
/// must appear (`every_example_request_is_snapshotted`).
const EXAMPLES: &[Example] = &[
    Example {
        label: "dba-restore-staging",
        request: "dba-restore-staging.json",
        identity: &["dba-restore.json"],
        control: GUARDRAILS,
        session: None,
        expect: (0, "Allow", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "dba-restore-prod",
        request: "dba-restore-prod.json",
        identity: &["dba-restore.json"],
        control: GUARDRAILS,
        session: None,
        expect: (1, "ExplicitDeny", "ControlPolicy"),
    },
    Example {
        label: "dba-restore-no-mfa",
        request: "dba-restore-no-mfa.json",
        identity: &["dba-restore.json"],
        control: GUARDRAILS,
        session: None,
        expect: (1, "ImplicitDeny", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "dba-restore-insecure",
        request: "dba-restore-insecure.json",
        identity: &["dba-restore.json"],
        control: GUARDRAILS,
        session: None,
        expect: (1, "ExplicitDeny", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "auditor-describe",
        request: "auditor-describe.json",
        identity: &["auditor.json"],
        control: &[],
        session: None,
        expect: (0, "Allow", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "auditor-restore",
        request: "auditor-restore.json",
        identity: &["auditor.json"],
        control: &[],
        session: None,
        expect: (1, "ExplicitDeny", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "bot-restore-staging",
        request: "bot-restore-staging.json",
        identity: &["system:AliyunKvstoreFullAccess"],
        control: &[],
        session: Some("restore-bot-session.json"),
        expect: (0, "Allow", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "bot-restore-expired",
        request: "bot-restore-expired.json",
        identity: &["system:AliyunKvstoreFullAccess"],
        control: &[],
        session: Some("restore-bot-session.json"),
        expect: (1, "ImplicitDeny", "SessionPolicy"),
    },
    Example {
        label: "readonly-describe",
        request: "auditor-describe.json",
        identity: &["system:AliyunKvstoreReadOnlyAccess"],
        control: &[],
        session: None,
        expect: (0, "Allow", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "readonly-restore",
        request: "auditor-restore.json",
        identity: &["system:AliyunKvstoreReadOnlyAccess"],
        control: &[],
        session: None,
        expect: (1, "ImplicitDeny", "AccountLevelIdentityBasedPolicy"),
    },
    Example {
        label: "full-access-restore-prod",
        request: "dba-restore-prod.json",
        identity: &["system:AliyunKvstoreFullAccess"],
        control: &[],
        session: None,
        expect: (0, "Allow", "AccountLevelIdentityBasedPolicy"),
    },
];

/// A policy argument: a built-in `system:NAME` as it is, a file under `policies/`.
fn policy_arg(p: &str) -> String {
    if p.starts_with("system:") {
        p.to_string()
    } else {
        format!("policies/{p}")
    }
}

impl Example {
    fn args(&self, format: &str) -> Vec<String> {
        let mut args = vec!["eval".to_string()];
        for p in self.identity {
            args.extend(["--policy".into(), policy_arg(p)]);
        }
        for p in self.control {
            args.extend(["--control-policy".into(), policy_arg(p)]);
        }
        if let Some(p) = self.session {
            args.extend(["--session-policy".into(), format!("policies/{p}")]);
        }
        args.extend([
            "--request".into(),
            format!("policies/requests/{}", self.request),
            "--format".into(),
            format.into(),
        ]);
        args
    }

    fn run(&self, format: &str) -> Run {
        let args = self.args(format);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&args);
        assert_eq!(
            r.code, self.expect.0,
            "{}: exit code (stderr: {})",
            self.label, r.stderr
        );
        assert_eq!(r.stderr, "", "{}", self.label);
        r
    }

    fn settings(&self, format: &str) -> insta::Settings {
        let mut settings = insta::Settings::clone_current();
        settings.set_description(format!("ramguard {}", self.args(format).join(" ")));
        settings.set_omit_expression(true);
        settings
    }
}

#[test]
fn example_requests_text() {
    for example in EXAMPLES {
        let r = example.run("text");
        assert_eq!(
            r.stdout.lines().next(),
            Some(format!("{} (decided by {})", example.expect.1, example.expect.2).as_str()),
            "{}",
            example.label
        );
        example.settings("text").bind(|| {
            insta::assert_snapshot!(format!("text-{}", example.label), r.stdout);
        });
    }
}

#[test]
fn example_requests_json() {
    for example in EXAMPLES {
        let r = example.run("json");
        let v = json(&r);
        assert_eq!(
            (v["decision"].as_str(), v["policy_type"].as_str()),
            (Some(example.expect.1), Some(example.expect.2)),
            "{}",
            example.label
        );
        example.settings("json").bind(|| {
            insta::assert_json_snapshot!(format!("json-{}", example.label), v);
        });
    }
}

#[test]
fn every_example_request_is_snapshotted() {
    let dir = Path::new(MANIFEST_DIR).join("policies/requests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("policies/requests") {
        let name = entry.expect("a directory entry").file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".json") && !EXAMPLES.iter().any(|e| e.request == name) {
            missing.push(name.into_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "add these example requests to EXAMPLES with the policy set they are written for: {missing:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Actions without resource-level authorization are requested on `*`.

#[test]
fn a_request_on_every_resource_is_matched_like_any_string() {
    let scratch = Scratch::new("star-resource");
    let policy = scratch.file(
        "describe.json",
        r#"{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "kvstore:DescribeRegions", "Resource": "*"},
            {"Effect": "Allow", "Action": "ram:ListUsers", "Resource": "acs:*"}]}"#,
    );
    let on_star = |action: &str| {
        eval(&[
            "--policy",
            &policy,
            "--action",
            action,
            "--resource",
            "*",
            "--format",
            "json",
        ])
    };
    // `*` matches the request resource `*`; `acs:*` does not.
    let allowed = on_star("kvstore:DescribeRegions");
    assert_eq!((allowed.code, allowed.stderr.as_str()), (0, ""));
    assert_eq!(json(&allowed)["decision"], "Allow");
    let denied = on_star("ram:ListUsers");
    assert_eq!(denied.code, 1, "{}", denied.stderr);
    assert_eq!(
        json(&denied)["trace"][0]["statements"][1]["outcome"]["result"],
        "resource_not_matched"
    );
    // Anything else that is not an ARN is still an invalid request.
    let r = eval(&[
        "--policy",
        &policy,
        "--action",
        "ram:ListUsers",
        "--resource",
        "**",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "error[invalid-resource]: request resource `**` is not an ARN: resource must start with `acs:` or be `*`, found `**`"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_request_on_every_resource_is_in_the_principals_own_account() {
    let r = eval(&[
        "--account",
        "policies/account.json",
        "--principal",
        "user/bob",
        "--action",
        "kvstore:DescribeRegions",
        "--resource",
        "*",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().next(),
        Some("Allow (decided by AccountLevelIdentityBasedPolicy)")
    );
}

#[test]
fn one_junk_value_does_not_switch_a_deny_off() {
    let scratch = Scratch::new("junk-value");
    let policy = scratch.file(
        "client-ip.json",
        r#"{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "kvstore:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
             "Condition": {"IpAddress": {"kvstore:ClientIp": "10.9.0.0/16"}}}]}"#,
    );
    let with = |values: &[&str]| {
        let mut args = vec!["--policy", &policy, "--action", RESTORE, "--resource", PROD];
        for value in values {
            args.extend(["--context", value]);
        }
        eval(&args)
    };
    let denied = with(&["kvstore:ClientIp=10.9.1.1", "kvstore:ClientIp=junk"]);
    assert_eq!(denied.code, 1, "{}", denied.stderr);
    assert_eq!(
        denied.stdout.lines().next(),
        Some("ExplicitDeny (decided by AccountLevelIdentityBasedPolicy)")
    );
    let junk_alone = with(&["kvstore:ClientIp=junk"]);
    assert_eq!(junk_alone.code, 0, "{}", junk_alone.stderr);
    assert!(
        junk_alone.stdout.contains(
            "client-ip Statement[1] (Deny) at 3:13: `IpAddress` on `kvstore:ClientIp`: request value `junk` is not of the operator's type, so it satisfies nothing"
        ),
        "{}",
        junk_alone.stdout
    );
}

#[test]
fn unknown_global_keys_in_a_request_are_warned_about_never_service_keys() {
    let args = [
        "--policy",
        "policies/dba-restore.json",
        "--action",
        RESTORE,
        "--resource",
        PROD,
        "--context",
        "acs:MFAPresnt=true",
        "--context",
        "kvstore:Anything=1",
    ];
    let text = eval(&args);
    assert_eq!(text.code, 1);
    assert_eq!(
        text.stderr,
        "warning[unknown-global-key]: unknown global condition key `acs:MFAPresnt`: did you mean `acs:MFAPresent`?\n  = help: write `acs:MFAPresent`\n"
    );
    let json_run = eval(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(
        json(&json_run)["warnings"],
        serde_json::json!([{"code": "unknown-global-key", "key": "acs:MFAPresnt", "suggestion": "acs:MFAPresent"}])
    );
    // Keys Alibaba's own policies use are known.
    let known = eval(&[
        "--policy",
        "policies/dba-restore.json",
        "--action",
        "ram:PassRole",
        "--resource",
        "*",
        "--context",
        "acs:Service=ecs.aliyuncs.com",
        "--context",
        "acs:UserAgent=aliyun-cli",
    ]);
    assert_eq!(known.stderr, "");
}

// ---------------------------------------------------------------------------------------------
// Request errors, --context over a request file, stdin, resources of another account.

#[test]
fn request_file_errors_have_a_code_a_position_and_a_fix() {
    let scratch = Scratch::new("request-errors");
    let bad_resource = scratch.file(
        "bad-resource.json",
        "{\"action\": \"kvstore:RestoreInstance\",\n \"resource\": \"r-bp1stg01\"}",
    );
    let (code, stdout, stderr) = output(&["eval", "--request", &bad_resource]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        format!(
            "error[invalid-resource]: request resource `r-bp1stg01` is not an ARN: resource must start with `acs:` or be `*`, found `r-bp1stg01`\n --> {bad_resource}:2:14\n  |\n2 |  \"resource\": \"r-bp1stg01\"}}\n  |              ^^^^^^^^^^^^\n  = help: write the resource's ARN, e.g. `acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01`\n"
        )
    );
    let no_resource = scratch.file(
        "no-resource.json",
        r#"{"action": "kvstore:RestoreInstance"}"#,
    );
    let (code, _, stderr) = output(&["eval", "--request", &no_resource]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error[invalid-request]: the request has no `resource`\n --> {no_resource}:1:1\n  |\n1 | {{\"action\": \"kvstore:RestoreInstance\"}}\n  | ^\n  = help: write the request as {{\"action\": \"kvstore:RestoreInstance\", "
        )),
        "{stderr}"
    );
    let empty = scratch.file("empty.json", "");
    let (code, _, stderr) = output(&["eval", "--request", &empty]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error[invalid-json]: invalid JSON: expected a JSON value, found the end of the input\n --> {empty}:1:1\n  = help: fix the JSON syntax at this position\n"
        )
    );
}

#[test]
fn request_flag_errors_have_a_code_and_a_fix() {
    let (code, stdout, stderr) = output(&[
        "eval",
        "--action",
        "RestoreInstance",
        "--resource",
        common::STAGING,
    ]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "error[invalid-action]: request action `RestoreInstance` is not of the form `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`\n  = help: write the action as `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`\n"
    );
    let (code, _, stderr) = output(&[
        "who-can",
        "--account",
        "policies/account.json",
        "--resource",
        common::STAGING,
        "--context",
        "MFAPresent=true",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error[invalid-context-key]: context key `MFAPresent` is not of the form `<ram-code>:<key>`, e.g. `acs:SourceIp`\n  = help: write the key as `<ram-code>:<key>`, e.g. `acs:SourceIp`\n"
    );
    let (code, _, stderr) = output(&["eval", "--policy", "policies/dba-restore.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: no request given\n  = help: give the request: --request FILE (e.g. --request policies/requests/dba-restore-staging.json), or --action A --resource ARN\n"
    );
}

#[test]
fn a_context_flag_replaces_the_key_of_the_request_file() {
    let args = [
        "eval",
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ];
    assert_eq!(output(&args).0, 0);
    // Once an error "keys `acs:MFAPresent` and `acs:MFAPresent` are the same key".
    for flag in ["acs:MFAPresent=false", "ACS:mfapresent=false"] {
        let (code, stdout, stderr) = output(&[&args[..], &["--context", flag]].concat());
        assert_eq!((code, stderr.as_str()), (1, ""), "{flag}");
        assert!(
            stdout.contains(
                "dba-restore Statement[1] (Allow) at 9:5: `Bool` on `acs:MFAPresent`: request [`false`] against policy [`true`]"
            ),
            "{flag}: {stdout}"
        );
    }
}

#[test]
fn a_value_ram_never_sends_for_a_typed_key_is_refused() {
    let (code, stdout, stderr) = output(&[
        "eval",
        "--policy",
        "policies/dba-restore.json",
        "--action",
        common::RESTORE,
        "--resource",
        common::STAGING,
        "--context",
        "acs:MFAPresent=yes",
    ]);
    // Such a value would make every condition on the key false, a Deny's too: refused.
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(
            "error[invalid-context-value]: context key `acs:MFAPresent`: expected `true` or `false` in any letter case, found `yes`\n  = help: give a value of the key's type"
        ),
        "{stderr}"
    );
    for bad in ["acs:SourceIp=10.0.0.0/8", "acs:CurrentTime=yesterday"] {
        let (code, _, stderr) = output(&[
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--action",
            common::RESTORE,
            "--resource",
            common::STAGING,
            "--context",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}");
        assert!(
            stderr.starts_with("error[invalid-context-value]: "),
            "{stderr}"
        );
    }
}

#[test]
fn a_wildcard_in_a_request_resource_is_warned_about() {
    let (code, stdout, stderr) = output(&[
        "who-can",
        "--account",
        "policies/account.json",
        "--resource",
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/*",
    ]);
    // Only the admin's `*` matches a resource literally named `instance/*`.
    assert_eq!(code, 0);
    assert!(
        stdout.contains("\nallowed (1):\n  role/kvstore-admin "),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "warning: the resource `acs:kvstore:cn-hangzhou:1234567890123456:instance/*` holds a wildcard, but a request names one resource: `*` and `?` are plain characters here\n  = help: name one resource, e.g. acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01\n"
    );
}

#[test]
fn stdin_is_read_once_and_a_policy_from_it_is_named_stdin() {
    let policy = std::fs::read_to_string(format!(
        "{}/policies/dba-restore.json",
        common::MANIFEST_DIR
    ))
    .expect("example policy");
    let output = ramguard()
        .args([
            "eval",
            "--policy",
            "-",
            "--request",
            "policies/requests/dba-restore-staging.json",
        ])
        .write_stdin(policy.clone())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        stdout.contains("\nstdin Statement[1] (Allow)\n  --> <stdin>:9:5\n"),
        "{stdout}"
    );

    let output = ramguard()
        .args(["eval", "--policy", "-", "--request", "-"])
        .write_stdin(policy.clone())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).expect("UTF-8"),
        "error: stdin (`-`) is given to both --policy and --request\n  = help: stdin can be read once: save one of the two to a file\n"
    );
    // `batch` reads its log from stdin unless --input is given.
    let output = ramguard()
        .args(["batch", "--policy", "-"])
        .write_stdin(policy)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).expect("UTF-8"),
        "error: stdin (`-`) is given to both --policy and --input\n  = help: stdin can be read once: save one of the two to a file (--input reads stdin unless it is given a FILE)\n"
    );
}

#[test]
fn a_resource_of_another_account_is_refused_not_allowed() {
    let other = "acs:kvstore:cn-hangzhou:999:instance/r-1";
    let expected = "error: the resource `acs:kvstore:cn-hangzhou:999:instance/r-1` belongs to account `999`, but --account describes account `1234567890123456`\n  = help: a principal of one account cannot act on another account's resources; give a resource of account 1234567890123456, or the account file of account 999\n";
    // role/kvstore-admin holds AliyunKvstoreFullAccess (`*`): this was an Allow RAM never gives.
    let (code, stdout, stderr) = output(&[
        "eval",
        "--account",
        "policies/account.json",
        "--principal",
        "role/kvstore-admin",
        "--action",
        common::RESTORE,
        "--resource",
        other,
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", expected));
    let (code, stdout, stderr) = output(&[
        "who-can",
        "--account",
        "policies/account.json",
        "--resource",
        other,
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", expected));
}
