//! `ramguard restore`, `ramguard who-can` and `eval --account`: exit codes, errors, and
//! snapshots of the output for the shipped examples (`policies/account.json` and
//! `policies/instances/`), at a fixed submission time and `acs:CurrentTime`.

use assert_cmd::Command;

mod common;

use common::{Scratch, output, ramguard};

const NOW: &str = "2026-11-29T09:30:00Z";
const ACCOUNT_ID: &str = "1234567890123456";

/// `ramguard restore` in cn-hangzhou at the fixed time, for a principal of the shipped account.
fn restore(principal: &str, args: &[&str]) -> Command {
    let mut cmd = ramguard();
    cmd.args([
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        ACCOUNT_ID,
        "--now",
        NOW,
        "--account",
        "policies/account.json",
        "--principal",
        principal,
        "--context",
        &format!("acs:CurrentTime={NOW}"),
    ]);
    cmd.args(args);
    cmd
}

/// The office context: MFA, from the office network, over TLS.
const OFFICE: &[&str] = &[
    "--context",
    "acs:MFAPresent=true",
    "--context",
    "acs:SourceIp=10.1.2.3",
    "--context",
    "acs:SecureTransport=true",
];

fn with<'a>(mut args: Vec<&'a str>, more: &[&'a str]) -> Vec<&'a str> {
    args.extend_from_slice(more);
    args
}

/// Runs, checks the exit code, returns stdout (stderr must be empty).
fn run(mut cmd: Command, code: i32) -> String {
    let output = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(stderr, "", "no diagnostics expected");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Runs, expects exit 2 and nothing on stdout, returns stderr.
fn unusable(mut cmd: Command) -> String {
    let output = cmd.output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    String::from_utf8(output.stderr).expect("UTF-8")
}

/// Snapshots the text and the JSON output of one scenario, which must exit with `code`.
fn snapshot_both(name: &str, principal: &str, args: &[&str], code: i32) {
    let text = run(restore(principal, args), code);
    insta::assert_snapshot!(format!("{name}_text"), text);
    let json = run(
        restore(principal, &with(args.to_vec(), &["--format", "json"])),
        code,
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("one JSON object");
    insta::assert_json_snapshot!(format!("{name}_json"), parsed);
}

// ---- exit 0: allowed and valid ----

#[test]
fn point_in_time_of_some_keys_allowed_and_valid() {
    let args = with(
        OFFICE.to_vec(),
        &[
            "--instance-id",
            "r-bp1stg01",
            "--restore-type",
            "1",
            "--restore-time",
            "2026-11-29T08:00:00Z",
            "--filter-key",
            "^session:,^cart:[0-9]+",
            "--time-shift",
            "2026-11-29T09:00Z",
            "--instance",
            "policies/instances/r-bp1stg01.json",
        ],
    );
    snapshot_both("alice_flashback_staging", "user/alice", &args, 0);
}

// ---- exit 4: allowed and valid, but not cleared ----

#[test]
fn allowed_and_valid_without_instance_state_is_not_cleared() {
    let args = with(
        OFFICE.to_vec(),
        &["--instance-id", "r-bp1stg01", "--backup-id", "b-20261128"],
    );
    let text = run(restore("user/alice", &args), 4);
    assert!(
        text.contains(
            "\ninstance state: not checked (give --instance FILE with the instance's DescribeInstanceAttribute output)\n  IncorrectDBInstanceState: not checked\n  ZoneMigrationError.StillingRunning: not checked\n  ServiceNotSupport: not checked\n  InvalidBinlog.NotValid: not checked\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\nrestore (RestoreType 0) of acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01:\n  overwrite all data of instance `r-bp1stg01` with backup set `b-20261128`; keys written since that backup are lost\n\nclearance: not permitted\n  - the instance's state was not checked for IncorrectDBInstanceState, ZoneMigrationError.StillingRunning, ServiceNotSupport, InvalidBinlog.NotValid: give --instance FILE\n"
        ),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&run(
        restore("user/alice", &with(args, &["--format", "json"])),
        4,
    ))
    .expect("JSON");
    assert_eq!(json["decision"], "Allow");
    assert_eq!(json["clearance"]["permitted"], false);
    assert_eq!(
        json["clearance"]["reasons"][0]["code"],
        "instance-not-checked"
    );
}

/// The office context without `acs:SecureTransport`: the DBA policy's Deny on plain HTTP
/// could apply on the real call.
const OFFICE_WITHOUT_TLS: &[&str] = &[
    "--context",
    "acs:MFAPresent=true",
    "--context",
    "acs:SourceIp=10.1.2.3",
    "--instance-id",
    "r-bp1stg01",
    "--backup-id",
    "b-20261128",
    "--instance",
    "policies/instances/r-bp1stg01.json",
];

#[test]
fn an_allow_that_depends_on_a_missing_key_is_not_cleared() {
    let text = run(restore("user/alice", OFFICE_WITHOUT_TLS), 4);
    assert!(
        text.starts_with("Allow (decided by AccountLevelIdentityBasedPolicy)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "\nmissing context: acs:SecureTransport\nthe decision depends on missing keys: acs:SecureTransport (a real call carries them; give their values)\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\nclearance: not permitted\n  - RAM's decision depends on keys the call lacks: acs:SecureTransport (give their values): give --context KEY=VALUE\n"
        ),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&run(
        restore(
            "user/alice",
            &with(OFFICE_WITHOUT_TLS.to_vec(), &["--format", "json"]),
        ),
        4,
    ))
    .expect("JSON");
    assert_eq!(
        json["depends_on"],
        serde_json::json!(["acs:SecureTransport"])
    );
    assert_eq!(
        json["clearance"],
        serde_json::json!({"permitted": false, "reasons": [{"code": "missing-context", "message": "RAM's decision depends on keys the call lacks: acs:SecureTransport (give their values)", "keys": ["acs:SecureTransport"]}]})
    );
    // Given, it clears.
    run(
        restore(
            "user/alice",
            &with(
                OFFICE_WITHOUT_TLS.to_vec(),
                &["--context", "acs:SecureTransport=true"],
            ),
        ),
        0,
    );
    // RAM knows it on every call, so it cannot be declared absent.
    let stderr = unusable(restore(
        "user/alice",
        &with(
            OFFICE_WITHOUT_TLS.to_vec(),
            &["--absent", "acs:SecureTransport"],
        ),
    ));
    assert_eq!(
        stderr,
        "error[always-known-key]: context key `acs:SecureTransport` cannot be absent: RAM knows it on every call\n  = help: give the key's value as the real call carries it\n"
    );
}

#[test]
fn a_key_declared_absent_is_evaluated_as_missing_and_clears() {
    let scratch = common::Scratch::new("absent");
    let policy = scratch.file(
        "vpc-restore.json",
        r#"{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*",
             "Condition": {"StringLike": {"acs:SourceVpc": "vpc-*"}}},
            {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
             "Condition": {"IpAddress": {"acs:SourceIp": "203.0.113.0/24"}}}]}"#,
    );
    let call = |more: &[&str]| {
        let mut cmd = ramguard();
        cmd.args([
            "restore",
            "--region",
            "cn-hangzhou",
            "--account-id",
            ACCOUNT_ID,
            "--now",
            NOW,
            "--policy",
            &policy,
            "--instance-id",
            "r-bp1stg01",
            "--backup-id",
            "b-1",
            "--instance",
            "policies/instances/r-bp1stg01.json",
            "--context",
            "acs:SecureTransport=true",
            "--context",
            "acs:SourceVpc=vpc-bp1ops01",
        ]);
        cmd.args(more);
        cmd
    };
    // From a VPC there is no public source address: without saying so, the Deny on the
    // blocked network might apply.
    let text = run(call(&[]), 4);
    assert!(
        text.contains("the decision depends on missing keys: acs:SourceIp"),
        "{text}"
    );
    let text = run(call(&["--absent", "acs:SourceIp"]), 0);
    assert!(!text.contains("depends on"), "{text}");
    assert!(text.ends_with("\nclearance: permitted: RAM allows it, the API would accept it, the instance's state passed\n"), "{text}");
    // A key declared absent and given is a contradiction.
    let stderr = unusable(call(&[
        "--absent",
        "acs:SourceIp",
        "--context",
        "acs:SourceIp=203.0.113.9",
    ]));
    assert!(
        stderr.starts_with(
            "error[absent-key-given]: context key `acs:SourceIp` is declared absent and given a value\n"
        ),
        "{stderr}"
    );
}

#[test]
fn an_instance_in_another_state_than_normal_is_rejected() {
    let scratch = common::Scratch::new("released");
    let released = scratch.file(
        "r-bp1stg01.json",
        r#"{"InstanceId": "r-bp1stg01", "RegionId": "cn-hangzhou", "InstanceStatus": "Released"}"#,
    );
    let args = with(
        OFFICE.to_vec(),
        &[
            "--instance-id",
            "r-bp1stg01",
            "--backup-id",
            "b-1",
            "--instance",
            &released,
        ],
    );
    let text = run(restore("user/alice", &args), 3);
    assert!(
        text.contains(
            "  InstanceId: IncorrectDBInstanceState (HTTP 403) \"Current DB instance state does not support this operation.\"\n    instance `r-bp1stg01` has status `Released`: only a `Normal` instance can be restored\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  IncorrectDBInstanceState: failed: status `Released`, not `Normal`\n"),
        "{text}"
    );
}

// ---- exit 1: denied ----

#[test]
fn backup_set_on_prod_denied_by_the_control_policy() {
    let args = with(
        OFFICE.to_vec(),
        &[
            "--instance-id",
            "r-bp1prod01",
            "--restore-type",
            "0",
            "--backup-id",
            "b-20261128",
            "--instance",
            "policies/instances/r-bp1prod01.json",
        ],
    );
    snapshot_both("alice_backup_prod", "user/alice", &args, 1);
}

#[test]
fn the_auditor_is_implicitly_denied_even_with_invalid_parameters() {
    // Denied wins over invalid parameters: exit 1, and both are reported.
    let args = with(
        OFFICE.to_vec(),
        &[
            "--instance-id",
            "r-bp1stg01",
            "--restore-type",
            "1",
            "--restore-time",
            "2026-11-30T00:00:00Z",
        ],
    );
    snapshot_both("bob_denied_and_invalid", "user/bob", &args, 1);
}

// ---- exit 3: allowed, but the API would reject the parameters ----

#[test]
fn zone_migration_running_on_a_resource_group_instance() {
    let args = [
        "--context",
        "acs:MFAPresent=true",
        "--instance-id",
        "r-bp1pay01",
        "--backup-id",
        "b-20261128",
        "--instance",
        "policies/instances/r-bp1pay01.json",
    ];
    snapshot_both("carol_pay_migrating", "user/carol", &args, 3);
}

#[test]
fn restore_time_before_the_flashback_window() {
    let args = [
        "--instance-id",
        "r-bp1stg01",
        "--restore-type",
        "1",
        "--restore-time",
        "2026-11-19T12:00:00Z",
        "--instance",
        "policies/instances/r-bp1stg01.json",
    ];
    snapshot_both("admin_before_window", "role/kvstore-admin", &args, 3);
}

/// Extra flags of a case.
type Flags<'a> = &'a [&'a str];
/// The `(code, parameter)` of every expected error.
type Expected<'a> = &'a [(&'a str, &'a str)];

#[test]
fn every_parameter_rule_surfaces_through_the_cli() {
    let cases: &[(Flags, Expected)] = &[
        (
            &["--restore-type", "2"],
            &[("InvalidParameter", "RestoreType")],
        ),
        (&[], &[("MissingParameter", "BackupId")]),
        (
            &[
                "--backup-id",
                "b",
                "--restore-time",
                "2026-11-29T08:00:00Z",
                "--filter-key",
                "a",
                "--time-shift",
                "2026-11-29T09:00Z",
            ],
            &[
                ("ResroreParamNotMatch", "RestoreTime"),
                ("ResroreParamNotMatch", "FilterKey"),
                ("ResroreParamNotMatch", "TimeShift"),
            ],
        ),
        (
            &["--restore-type", "1", "--backup-id", "b"],
            &[
                ("ResroreParamNotMatch", "BackupId"),
                ("MissingParameter", "RestoreTime"),
            ],
        ),
        (
            &["--restore-type", "1", "--restore-time", "2026-11-29T08:00"],
            &[("InvalidRestoreTime.Format", "RestoreTime")],
        ),
        (
            &[
                "--restore-type",
                "1",
                "--restore-time",
                "2026-11-29T08:00:00Z",
                "--filter-key",
                "^a,,(",
                "--time-shift",
                "2026-11-29T07:00Z",
            ],
            &[
                ("InvalidParameter", "FilterKey"),
                ("InvalidParameter", "FilterKey"),
                ("InvalidParameter", "TimeShift"),
            ],
        ),
        (
            &[
                "--restore-type",
                "1",
                "--restore-time",
                "2026-11-29T08:00:00Z",
                "--instance",
                "policies/instances/r-bp1pay01.json",
            ],
            &[
                ("ZoneMigrationError.StillingRunning", "InstanceId"),
                ("ServiceNotSupport", "RestoreType"),
            ],
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["--instance-id", "r-bp1pay01", "--format", "json"];
        all.extend_from_slice(args);
        let out = run(restore("role/kvstore-admin", &all), 3);
        let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let found: Vec<(String, String)> = json["parameter_errors"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|e| {
                assert_eq!(e["http_status"], 400);
                (
                    e["code"].as_str().expect("code").to_string(),
                    e["parameter"].as_str().expect("parameter").to_string(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(c, p)| (c.to_string(), p.to_string()))
            .collect();
        assert_eq!(found, expected, "{args:?}");
    }
}

// ---- a role session with its session policy ----

#[test]
fn role_session_with_a_session_policy() {
    // The session policy allows only staging instances; the role's own policy allows all.
    for (instance, code, decided) in [
        ("r-bp1pay01", 1, "ImplicitDeny (decided by SessionPolicy)\n"),
        (
            "r-bp1stg01",
            0,
            "Allow (decided by AccountLevelIdentityBasedPolicy)\n",
        ),
    ] {
        let state = format!("policies/instances/{instance}.json");
        let args = with(
            OFFICE.to_vec(),
            &[
                "--session-policy",
                "policies/restore-bot-session.json",
                "--context",
                "acs:SourceVpc=vpc-bp1ops01",
                "--instance-id",
                instance,
                "--backup-id",
                "b-1",
                "--instance",
                &state,
            ],
        );
        let text = run(restore("role/restore-bot", &args), code);
        assert!(text.starts_with(decided), "{instance}: {text}");
    }
}

// ---- exit 2: unusable input ----

#[test]
fn unusable_input_exits_2_with_a_clear_error() {
    let stderr = unusable(restore(
        "user/alice",
        &["--instance-id", "", "--backup-id", "b"],
    ));
    assert_eq!(
        stderr,
        "error: `InstanceId` is missing or invalid, so the instance's ARN cannot be derived\n  InstanceId: MissingParameter (HTTP 400) \"The input parameter \"InstanceId\" that is mandatory for processing this request is not supplied.\": `InstanceId` is required\n  = help: give the instance's id, e.g. --instance-id r-bp1stg01\n"
    );
    let stderr = unusable(restore(
        "user/alice",
        &["--instance-id", "r-bp1stg01/x", "--backup-id", "b"],
    ));
    assert!(stderr.contains("InvalidParameter"), "{stderr}");

    let stderr = unusable(restore(
        "user/alice",
        &[
            "--instance-id",
            "r-bp1stg01",
            "--backup-id",
            "b",
            "--instance",
            "policies/instances/r-bp1pay01.json",
        ],
    ));
    assert_eq!(
        stderr,
        "error: the instance state (`policies/instances/r-bp1pay01.json`) describes `r-bp1pay01`, not `r-bp1stg01`\n  = help: give the state of instance `r-bp1stg01`\n"
    );

    let stderr = unusable(restore(
        "user/alice",
        &[
            "--instance-id",
            "r-bp1stg01",
            "--backup-id",
            "b",
            "--instance",
            "policies/account.json",
        ],
    ));
    assert!(
        stderr.starts_with(
            "error[invalid-instance]: `DBInstanceAttribute` has no `InstanceId`\n --> policies/account.json:1:1\n"
        ),
        "{stderr}"
    );

    let mut other_account = ramguard();
    other_account.args([
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        "999",
        "--instance-id",
        "r-1",
        "--account",
        "policies/account.json",
        "--principal",
        "user/alice",
    ]);
    assert!(unusable(other_account).starts_with(
        "error: --account-id `999` is not the account of --account (`1234567890123456`)\n"
    ));

    let mut bad_now = ramguard();
    bad_now.args([
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        ACCOUNT_ID,
        "--instance-id",
        "r-1",
        "--now",
        "2026-11-29 09:30:00",
    ]);
    let stderr = unusable(bad_now);
    assert!(
        stderr.contains("invalid value '2026-11-29 09:30:00' for '--now <T>'"),
        "{stderr}"
    );

    let stderr = unusable(restore(
        "user/alice",
        &[
            "--instance-id",
            "r-1",
            "--session-policy",
            "policies/restore-bot-session.json",
        ],
    ));
    assert_eq!(
        stderr,
        "error: --session-policy applies to role sessions, but `user/alice` is a user\n  = help: drop --session-policy, or give --principal role/NAME\n"
    );

    let stderr = unusable(restore("user/zed", &["--instance-id", "r-1"]));
    assert_eq!(
        stderr,
        "error[unknown-principal]: the account has no user `zed`\n  = help: users in the account: `alice`, `bob`, `carol`\n"
    );

    let stderr = unusable(restore("alice", &["--instance-id", "r-1"]));
    assert!(stderr.starts_with(
        "error[invalid-principal]: expected `user/NAME` or `role/NAME`, found `alice`\n"
    ));

    let mut no_region = ramguard();
    no_region.args([
        "restore",
        "--account-id",
        ACCOUNT_ID,
        "--instance-id",
        "r-1",
    ]);
    assert!(unusable(no_region).contains("--region <REGION>"));

    let mut bad_region = ramguard();
    bad_region.args([
        "restore",
        "--region",
        "cn hangzhou",
        "--account-id",
        ACCOUNT_ID,
        "--instance-id",
        "r-1",
        "--backup-id",
        "b",
    ]);
    assert_eq!(
        unusable(bad_region),
        "error: `cn hangzhou` is not a region id like `cn-hangzhou`\n  = help: give --region the instance's region id, e.g. --region cn-hangzhou\n"
    );
}

#[test]
fn policy_flags_work_without_an_account() {
    let mut cmd = ramguard();
    cmd.args([
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        ACCOUNT_ID,
        "--instance-id",
        "r-bp1stg01",
        "--backup-id",
        "b",
        "--now",
        NOW,
        "--policy",
        "policies/dba-restore.json",
        "--instance",
        "policies/instances/r-bp1stg01.json",
        "--format",
        "json",
    ]);
    cmd.args(OFFICE);
    let json: serde_json::Value = serde_json::from_str(&run(cmd, 0)).expect("JSON");
    assert_eq!(json["decision"], "Allow");
    assert_eq!(json["parameter_errors"], serde_json::json!([]));
    assert_eq!(json["restore"]["overwrites_all_data"], true);
    assert_eq!(json["restore"]["submitted_at"], NOW);
}

#[test]
fn account_and_policy_flags_conflict() {
    let mut cmd = ramguard();
    cmd.args([
        "eval",
        "--account",
        "policies/account.json",
        "--principal",
        "user/alice",
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ]);
    assert!(unusable(cmd).contains("cannot be used with"));
    let mut cmd = ramguard();
    cmd.args([
        "eval",
        "--account",
        "policies/account.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ]);
    assert!(unusable(cmd).contains("--principal"));
}

#[test]
fn an_invalid_account_file_is_reported_with_positions() {
    let dir = std::env::temp_dir().join(format!("ramguard-cli-account-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("account.json");
    std::fs::write(
        &path,
        "{\"account_id\": \"1\",\n \"users\": {\"u\": {\"groups\": [\"nope\"]}}}",
    )
    .expect("write");
    let mut cmd = ramguard();
    cmd.args(["eval", "--account"]).arg(&path).args([
        "--principal",
        "user/u",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ]);
    assert_eq!(
        unusable(cmd),
        format!(
            "error[unknown-group]: unknown group `nope`\n --> {}:2:29\n  |\n2 |  \"users\": {{\"u\": {{\"groups\": [\"nope\"]}}}}}}\n  |                             ^^^^^^\n  = help: define it under `groups`, or name one of: (none defined)\n",
            path.display()
        )
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

// ---- eval --account ----

#[test]
fn eval_with_an_account_names_the_principal_in_the_denial() {
    let mut cmd = ramguard();
    cmd.args([
        "eval",
        "--account",
        "policies/account.json",
        "--principal",
        "role/kvstore-admin",
        "--request",
        "policies/requests/dba-restore-prod.json",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&run(cmd, 1)).expect("JSON");
    insta::assert_json_snapshot!("eval_account_denial_detail", json["access_denied_detail"]);
}

// ---- who-can ----

fn who_can(resource: &str, more: &[&str]) -> Command {
    let mut cmd = ramguard();
    cmd.args([
        "who-can",
        "--account",
        "policies/account.json",
        "--resource",
        resource,
        "--context",
        "acs:CurrentTime=2026-11-29T09:30:00Z",
    ]);
    cmd.args(more);
    cmd
}

#[test]
fn who_can_restore_staging_and_payments() {
    let staging = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01";
    let text = run(who_can(staging, OFFICE), 0);
    insta::assert_snapshot!("who_can_staging_text", text);
    let pay = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1pay01";
    let json = run(
        who_can(
            pay,
            &["--context", "acs:MFAPresent=true", "--format", "json"],
        ),
        0,
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    insta::assert_json_snapshot!("who_can_payments_json", parsed);
}

#[test]
fn who_can_answers_nobody_with_exit_1() {
    let prod = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01";
    let text = run(who_can(prod, OFFICE), 1);
    insta::assert_snapshot!("who_can_prod_text", text);
}

#[test]
fn who_can_other_actions_and_bad_input() {
    let staging = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01";
    let json = run(
        who_can(
            staging,
            &["--action", "kvstore:DescribeInstances", "--format", "json"],
        ),
        0,
    );
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let allowed: Vec<&str> = parsed["allowed"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["principal"].as_str().expect("named"))
        .collect();
    assert_eq!(
        allowed,
        [
            "user/alice",
            "user/bob",
            "role/restore-bot",
            "role/kvstore-admin"
        ]
    );
    assert_eq!(parsed["action"], "kvstore:DescribeInstances");
    let stderr = unusable(who_can("not-an-arn", &[]));
    assert!(stderr.starts_with("error[invalid-resource]: "), "{stderr}");
    let mut missing = ramguard();
    missing.args([
        "who-can",
        "--account",
        "/nonexistent/account.json",
        "--resource",
        staging,
    ]);
    assert!(
        unusable(missing)
            .starts_with("error[unreadable-file]: cannot read `/nonexistent/account.json`")
    );
}

#[test]
fn control_policy_flags_add_to_the_accounts() {
    let mut cmd = ramguard();
    cmd.args([
        "eval",
        "--account",
        "policies/account.json",
        "--principal",
        "role/kvstore-admin",
        "--control-policy",
        "policies/auditor.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ]);
    let text = run(cmd, 1);
    assert!(
        text.starts_with(
            "ExplicitDeny (decided by ControlPolicy)\n\nauditor Statement[1] (Deny)\n"
        ),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// One submission time, and errors that name the flag.

#[test]
fn restore_takes_one_submission_time() {
    let base = [
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        "1234567890123456",
        "--instance-id",
        "r-bp1stg01",
        "--backup-id",
        "b-1",
        "--policy",
        "system:AliyunKvstoreFullAccess",
        "--format",
        "json",
    ];
    // The policy saw 2020 while the parameter rules checked against --now.
    let (code, stdout, stderr) = output(
        &[
            &base[..],
            &[
                "--now",
                common::NOW,
                "--context",
                "acs:CurrentTime=2020-01-01T00:00:00Z",
            ],
        ]
        .concat(),
    );
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "error: --context acs:CurrentTime=2020-01-01T00:00:00Z disagrees with --now 2026-11-29T09:30:00Z: the request time is the submission time\n  = help: drop --context acs:CurrentTime=…; --now sets both\n"
    );
    // Without --now, the context's time is the submission time.
    let (code, stdout, stderr) = output(
        &[
            &base[..],
            &["--context", "acs:CurrentTime=2020-01-01T00:00:00Z"],
        ]
        .concat(),
    );
    // Allowed and valid; not cleared, since the instance's state was not given.
    assert_eq!((code, stderr.as_str()), (4, ""));
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["restore"]["submitted_at"], "2020-01-01T00:00:00Z");
}

#[test]
fn restore_errors_name_the_flag_and_the_code() {
    let (code, _, stderr) = output(&[
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        "acct",
        "--instance-id",
        "r-bp1stg01",
        "--backup-id",
        "b-1",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: `acct` is not an account id: expected digits, like `1234567890123456`\n  = help: give --account-id the numeric id of the account that owns the instance, e.g. --account-id 1234567890123456\n"
    );
    let scratch = Scratch::new("instance");
    let instance = scratch.file(
        "r-bp1stg01.json",
        r#"{"DBInstanceAttribute": {"InstanceId": "r-bp1stg01", "InstanceStatus": 5}}"#,
    );
    let (code, _, stderr) = output(&[
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        "1234567890123456",
        "--instance-id",
        "r-bp1stg01",
        "--backup-id",
        "b-1",
        "--instance",
        &instance,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error[invalid-instance]: `InstanceStatus` must be a string, found a number\n --> {instance}:1:72\n  |\n1 | {{\"DBInstanceAttribute\": {{\"InstanceId\": \"r-bp1stg01\", \"InstanceStatus\": 5}}}}\n  |                                                                        ^\n  = help: "
        )),
        "{stderr}"
    );
}
