//! `ramguard batch` and `ramguard diff`: one record per item, in order, errors as records, a
//! distinct exit status when any item could not be decided, bounded reading, and changes
//! grouped by what they do to access.

mod common;

use common::{Scratch, ramguard};
#[cfg(unix)]
use common::{request_log, run_into_closed_pipe};

const ALLOW: &str = r#"{"id": "ok", "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01", "context": {"acs:MFAPresent": true, "acs:SourceIp": "10.1.2.3"}}"#;
const DENY: &str = r#"{"id": "no-mfa", "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01", "context": {"acs:SourceIp": "10.1.2.3"}}"#;

#[test]
fn decides_every_line_in_order_from_stdin() {
    let input = format!("{ALLOW}\n{{broken\n\n{DENY}\n");
    ramguard()
        .args(["batch", "--policy", "policies/dba-restore.json", "--jobs", "2"])
        .write_stdin(input)
        .assert()
        // A line that could not be decided: the answer is incomplete.
        .code(5)
        .stdout(concat!(
            r#"{"line":1,"id":"ok","decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"dba-restore","index":1},"missing_context":["acs:SecureTransport"],"depends_on":["acs:SecureTransport"]}"#,
            "\n",
            r#"{"line":2,"error":"invalid JSON at column 2: expected a member name in double quotes, found `broken`","code":"invalid-json"}"#,
            "\n",
            r#"{"line":4,"id":"no-mfa","decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy","missing_context":["acs:MFAPresent","acs:SecureTransport"],"depends_on":["acs:MFAPresent","acs:SecureTransport"]}"#,
            "\n"
        ))
        .stderr("decided 3 items: 1 allowed, 1 denied, 0 skipped, 1 could not be decided\n");
}

#[test]
fn writes_to_a_file_and_refuses_unusable_input() {
    let scratch = Scratch::new("files");
    let input = scratch.file("in.jsonl", &format!("{DENY}\n"));
    let output = scratch.0.join("out.jsonl");
    ramguard()
        .args(["batch", "--policy", "policies/dba-restore.json", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .assert()
        .code(0);
    let written = std::fs::read_to_string(&output).expect("output written");
    assert_eq!(
        written,
        "{\"line\":1,\"id\":\"no-mfa\",\"decision\":\"ImplicitDeny\",\"policy_type\":\"AccountLevelIdentityBasedPolicy\",\"missing_context\":[\"acs:MFAPresent\",\"acs:SecureTransport\"],\"depends_on\":[\"acs:MFAPresent\",\"acs:SecureTransport\"]}\n"
    );
    let missing = ramguard()
        .args([
            "batch",
            "--policy",
            "policies/dba-restore.json",
            "--input",
            "/nonexistent/requests.jsonl",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&missing.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("error[unreadable-file]: cannot read `/nonexistent/requests.jsonl`: "),
        "{stderr}"
    );
    ramguard()
        .args([
            "batch",
            "--policy",
            "policies/dba-restore.json",
            "--jobs",
            "0",
        ])
        .assert()
        .code(2);
}

#[test]
fn diff_groups_changes_and_fails_on_gained_access() {
    let input = format!("{ALLOW}\n{DENY}\n");
    ramguard()
        .args([
            "diff",
            "--old",
            "system:AliyunKvstoreReadOnlyAccess",
            "--new",
            "policies/dba-restore.json",
        ])
        .write_stdin(input.clone())
        .assert()
        .code(1)
        .stdout(concat!(
            "gained access (1): denied before, allowed now\n",
            "  line 1 (id \"ok\"): kvstore:RestoreInstance on acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01\n",
            "    before: ImplicitDeny (AccountLevelIdentityBasedPolicy)\n",
            "    now:    Allow (AccountLevelIdentityBasedPolicy), by dba-restore Statement[1]; depends on missing acs:SecureTransport\n",
            "\n",
            "lost access (0): allowed before, denied now\n",
            "\n",
            "other changes (0): the same allow or deny, decided by another layer or kind of deny\n",
            "\n",
            "could not decide (0): not decided under the old or the new policies\n",
            "\n",
        ))
        .stderr("2 items: 1 changed (1 gained, 0 lost, 0 other), 0 could not be decided, 0 skipped\n");
    // Lost access only: the default gate passes, `--fail-on any` fails.
    let reversed = [
        "diff",
        "--old",
        "policies/dba-restore.json",
        "--new",
        "system:AliyunKvstoreReadOnlyAccess",
        "--format",
        "jsonl",
    ];
    ramguard()
        .args(reversed)
        .write_stdin(input.clone())
        .assert()
        .code(0)
        .stdout(concat!(
            r#"{"change":"lost","line":1,"id":"ok","action":"kvstore:RestoreInstance","resource":"acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01","#,
            r#""old":{"decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"dba-restore","index":1},"missing_context":["acs:SecureTransport"],"depends_on":["acs:SecureTransport"]},"#,
            r#""new":{"decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy"}}"#,
            "\n"
        ));
    ramguard()
        .args(reversed)
        .args(["--fail-on", "any"])
        .write_stdin(input.clone())
        .assert()
        .code(1);
    // Nothing changed.
    ramguard()
        .args([
            "diff",
            "--old",
            "policies/dba-restore.json",
            "--new",
            "policies/dba-restore.json",
            "--format",
            "jsonl",
        ])
        .write_stdin(input.clone())
        .assert()
        .code(0)
        .stdout("");
    // An item that cannot be decided makes the comparison incomplete: exit 5, whatever else.
    let with_garbage = format!("{input}garbage\n");
    let output = ramguard()
        .args([
            "diff",
            "--old",
            "system:AliyunKvstoreReadOnlyAccess",
            "--new",
            "policies/dba-restore.json",
            "--format",
            "json",
        ])
        .write_stdin(with_garbage)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(5));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        report["summary"],
        serde_json::json!({"records": 3, "changed": 1, "gained": 1, "lost": 0, "other": 0, "undecided": 1, "skipped": 0})
    );
    assert_eq!(report["gained"][0]["id"], "ok");
    assert_eq!(report["undecided"][0]["line"], 3);
    assert_eq!(report["undecided"][0]["new"]["code"], "invalid-json");
    ramguard()
        .args([
            "diff",
            "--old",
            "policies/nothing-*.json",
            "--new",
            "policies/dba-restore.json",
        ])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr("error[no-match]: `policies/nothing-*.json` matches no file\n  = help: check the path; quote a glob (`'policies/**/*.json'`) so that ramguard expands it\n");
}

#[test]
fn a_logged_request_on_every_resource_is_decided() {
    let input = concat!(
        r#"{"id": 1, "action": "kvstore:DescribeRegions", "resource": "*"}"#,
        "\n",
        r#"{"id": 2, "action": "kvstore:DescribeRegions", "resource": "r-1"}"#,
        "\n"
    );
    ramguard()
        .args(["batch", "--policy", "policies/auditor.json", "--jobs", "1"])
        .write_stdin(input)
        .assert()
        .code(5)
        .stdout(concat!(
            r#"{"line":1,"id":1,"decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"auditor","index":0}}"#,
            "\n",
            r#"{"line":2,"id":2,"error":"request resource `r-1` is not an ARN: resource must start with `acs:` or be `*`, found `r-1`","code":"invalid-resource"}"#,
            "\n"
        ));
}

#[test]
fn records_carry_warnings_and_the_keys_the_decision_depends_on() {
    let input = r#"{"id": "typo", "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01", "context": {"acs:MFAPresent": true, "acs:SourceIp": "10.1.2.3", "acs:SecureTransprt": true}}"#;
    ramguard()
        .args(["batch", "--policy", "policies/dba-restore.json", "--jobs", "1"])
        .write_stdin(format!("{input}\n"))
        .assert()
        .code(0)
        .stdout(concat!(
            r#"{"line":1,"id":"typo","decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"dba-restore","index":1},"#,
            r#""missing_context":["acs:SecureTransport"],"depends_on":["acs:SecureTransport"],"warnings":[{"code":"unknown-global-key","key":"acs:SecureTransprt","suggestion":"acs:SecureTransport"}]}"#,
            "\n"
        ));
}

#[test]
fn an_id_is_copied_as_written() {
    let input = r#"{"id": {"z": 1, "a": [1.50, 1e400]}, "action": "kvstore:DescribeRegions", "resource": "*"}"#;
    ramguard()
        .args(["batch", "--policy", "policies/auditor.json", "--jobs", "1"])
        .write_stdin(format!("{input}\n"))
        .assert()
        .code(0)
        .stdout(concat!(
            r#"{"line":1,"id":{"z":1,"a":[1.5,"1e400"]},"decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"auditor","index":0}}"#,
            "\n"
        ));
}

// ---------------------------------------------------------------------------------------------
// A reader that goes away, lines that are not UTF-8, summaries.

#[cfg(unix)]
#[test]
fn batch_and_diff_stop_quietly_when_the_reader_goes_away() {
    let log = request_log();
    let (code, stderr) =
        run_into_closed_pipe(&["batch", "--policy", "policies/dba-restore.json"], &log);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // Only changed requests are written: a reader that went away was sent one, so exit 1.
    let (code, stderr) = run_into_closed_pipe(
        &[
            "diff",
            "--old",
            "policies/dba-restore.json",
            "--new",
            "policies/prod-restore.json",
            "--format",
            "jsonl",
        ],
        &log,
    );
    assert_eq!((code, stderr.as_str()), (1, ""));
}

#[test]
fn a_request_log_line_that_is_not_utf8_is_an_error_record() {
    let mut log = request_log().into_bytes();
    log.extend_from_slice(b"\xff\xfe\n");
    let output = ramguard()
        .args(["batch", "--policy", "policies/dba-restore.json"])
        .write_stdin(log)
        .output()
        .expect("runs");
    // The bad line gets an error record; the run goes on, and its status says one line was
    // not decided.
    assert_eq!(output.status.code(), Some(5));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let last = stdout.lines().last().expect("a record per line");
    assert!(
        last.ends_with(
            r#","error":"the line is not UTF-8 text (invalid byte at byte 1)","code":"not-utf8"}"#
        ),
        "{last}"
    );
}

#[test]
fn summaries_count_in_the_singular_too() {
    let line = request_log().lines().next().expect("a line").to_string();
    ramguard()
        .args(["batch", "--policy", "policies/dba-restore.json"])
        .write_stdin(format!("{line}\n"))
        .assert()
        .code(0)
        .stderr("decided 1 item: 1 allowed, 0 denied, 0 skipped, 0 could not be decided\n");
    ramguard()
        .args([
            "diff",
            "--old",
            "policies/dba-restore.json",
            "--new",
            "policies/dba-restore.json",
        ])
        .write_stdin(format!("{line}\n"))
        .assert()
        .code(0)
        .stderr(
            "1 item: 0 changed (0 gained, 0 lost, 0 other), 0 could not be decided, 0 skipped\n",
        );
}

#[test]
fn a_line_over_the_limit_is_a_record_and_a_log_without_line_ends_stops_the_run() {
    let long = format!(
        r#"{{"id": "{}", "action": "kvstore:DescribeRegions", "resource": "*"}}"#,
        "x".repeat(200)
    );
    let short = r#"{"id": "short", "action": "kvstore:DescribeRegions", "resource": "*"}"#;
    ramguard()
        .args(["batch", "--policy", "policies/auditor.json", "--max-line-bytes", "100"])
        .write_stdin(format!("{short}\n{long}\n{short}\n"))
        .assert()
        .code(5)
        .stdout(concat!(
            r#"{"line":1,"id":"short","decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"auditor","index":0}}"#,
            "\n",
            r#"{"line":2,"error":"the line is longer than 100 bytes (--max-line-bytes)","code":"line-too-long"}"#,
            "\n",
            r#"{"line":3,"id":"short","decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"auditor","index":0}}"#,
            "\n",
        ));
    // No line end at all (a binary file, /dev/zero): the run stops, exit 2, memory bounded.
    let mut zeros = format!("{short}\n").into_bytes();
    zeros.extend(std::iter::repeat_n(0u8, 100 * 16 + 1));
    let output = ramguard()
        .args([
            "batch",
            "--policy",
            "policies/auditor.json",
            "--max-line-bytes",
            "100",
        ])
        .write_stdin(zeros)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stdout)
            .expect("UTF-8")
            .lines()
            .count(),
        1,
        "the line before was answered"
    );
    assert_eq!(
        String::from_utf8(output.stderr).expect("UTF-8"),
        "error: stopped reading `-`: line 2 has no end after 1601 bytes: the input is not a line-oriented log; the lines before were answered\n  = help: give a JSON Lines file; raise --max-line-bytes if its lines are that long\n"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn dev_zero_as_the_input_is_refused_in_bounded_time_and_memory() {
    let output = ramguard()
        .args([
            "batch",
            "--policy",
            "policies/auditor.json",
            "--input",
            "/dev/zero",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert!(
        stderr.starts_with("error: cannot replay `/dev/zero`: line 1 has no end after 167"),
        "{stderr}"
    );
}

#[test]
fn a_pretty_printed_file_is_one_clear_error_not_one_per_line() {
    let pretty = "{\n  \"action\": \"kvstore:DescribeRegions\",\n  \"resource\": \"*\"\n}\n";
    ramguard()
        .args(["batch", "--policy", "policies/auditor.json", "--input-format", "requests"])
        .write_stdin(pretty)
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: cannot replay `-`: the input is not JSON Lines: the JSON value on line 1 continues on the next line\n  = help: write one request per line, e.g. `jq -c . requests.json > requests.jsonl`\n");
    // Told from the content, a request object is no list of events either.
    ramguard()
        .args(["batch", "--policy", "policies/auditor.json"])
        .write_stdin(pretty)
        .assert()
        .code(2)
        .stderr("error: cannot replay `-`: the document starting on line 1 is an object, not ActionTrail events\n  = help: give an array of events, a LookupEvents response or one event per line\n");
}

#[test]
fn assumed_context_is_for_events_and_an_account_needs_a_principal_for_requests() {
    ramguard()
        .args([
            "batch",
            "--policy",
            "policies/auditor.json",
            "--assume",
            "acs:SecureTransport=true",
        ])
        .write_stdin(format!("{ALLOW}\n"))
        .assert()
        .code(2)
        .stderr("error: --assume applies to ActionTrail events, but the input holds requests\n  = help: give the keys in each request's `context`, or --input-format actiontrail\n");
    ramguard()
        .args(["batch", "--account", "policies/account.json"])
        .write_stdin(format!("{ALLOW}\n"))
        .assert()
        .code(2)
        .stderr("error: a request log names no principal: --account needs --principal here\n  = help: give --principal user/NAME or role/NAME; ActionTrail events carry their own\n");
}

// ---------------------------------------------------------------------------------------------
// ActionTrail events.

const TRAIL: &str = "tests/data/actiontrail-logs/trail.jsonl";

/// stdout and exit code of `ramguard ARGS`.
fn stdout_of(args: &[&str]) -> (i32, String) {
    let output = ramguard().args(args).output().expect("runs");
    (
        output.status.code().expect("an exit code"),
        String::from_utf8(output.stdout).expect("UTF-8"),
    )
}

#[test]
fn a_trail_is_decided_event_by_event_as_each_principal() {
    let (code, stdout) = stdout_of(&[
        "batch",
        "--account",
        "policies/account.json",
        "--input",
        TRAIL,
        "--assume",
        "acs:SecureTransport=true",
        "--jobs",
        "2",
    ]);
    // An unknown user and an unknown service could not be decided.
    assert_eq!(code, 5);
    insta::assert_snapshot!("trail_batch", stdout);
    // An event that records no scheme lacks `acs:SecureTransport`: the decision says so, and
    // --assume supplies it.
    let trail = std::fs::read_to_string(TRAIL).expect("the trail");
    let first = trail.lines().next().expect("an event");
    let without_scheme = first.replace(
        r#""additionalEventData":{"Scheme":"https","CallerBid":"26842"},"#,
        "",
    );
    assert_ne!(first, without_scheme, "the event records its scheme");
    let decide = |assume: &[&str]| {
        let output = ramguard()
            .args(["batch", "--account", "policies/account.json"])
            .args(assume)
            .write_stdin(format!("{without_scheme}\n"))
            .output()
            .expect("runs");
        serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("one record")
    };
    let record = decide(&[]);
    assert_eq!(record["decision"], "Allow");
    assert_eq!(
        record["missing_context"],
        serde_json::json!(["acs:SecureTransport"])
    );
    assert_eq!(
        record["depends_on"],
        serde_json::json!(["acs:SecureTransport"])
    );
    let record = decide(&["--assume", "acs:SecureTransport=true"]);
    assert_eq!(record["decision"], "Allow");
    assert_eq!(record.get("missing_context"), None);
    let record = decide(&["--assume", "acs:SecureTransport=false"]);
    assert_eq!(record["decision"], "ExplicitDeny");
}

#[test]
fn oss_arrays_and_lookup_events_are_read_whole_with_lines_and_indexes() {
    let decisions = |input: &str| {
        let (code, stdout) = stdout_of(&[
            "batch",
            "--account",
            "policies/account.json",
            "--input",
            input,
            "--assume",
            "acs:SecureTransport=true",
        ]);
        assert_eq!(code, 0, "{stdout}");
        stdout
            .lines()
            .map(|line| {
                let record: serde_json::Value = serde_json::from_str(line).expect("JSON");
                (
                    record["line"].as_u64().expect("a line"),
                    record["index"].as_u64().expect("an index"),
                    record["principal"]
                        .as_str()
                        .expect("a principal")
                        .to_string(),
                    record["decision"].as_str().expect("a decision").to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let oss = decisions("tests/data/actiontrail-logs/oss-delivery.json");
    let principals: Vec<(&str, &str)> = oss
        .iter()
        .map(|(_, _, p, d)| (p.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        principals,
        [
            ("user/alice", "Allow"),
            ("user/alice", "Allow"),
            ("role/restore-bot", "ExplicitDeny"),
            ("user/alice", "ExplicitDeny"),
        ]
    );
    assert!(oss.iter().all(|(line, _, _, _)| *line == 1), "one line");
    assert_eq!(
        oss.iter()
            .map(|(_, index, _, _)| *index)
            .collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    // The same events in a pretty-printed LookupEvents response: each at its own line.
    let lookup = decisions("tests/data/actiontrail-logs/lookup-events.json");
    assert_eq!(
        lookup
            .iter()
            .map(|(_, _, p, d)| (p.clone(), d.clone()))
            .collect::<Vec<_>>(),
        oss.iter()
            .map(|(_, _, p, d)| (p.clone(), d.clone()))
            .collect::<Vec<_>>()
    );
    let lines: Vec<u64> = lookup.iter().map(|(line, _, _, _)| *line).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
}

#[test]
fn a_fixed_principal_decides_every_event_and_root_events_are_skipped_otherwise() {
    let (code, stdout) = stdout_of(&[
        "batch",
        "--account",
        "policies/account.json",
        "--principal",
        "role/kvstore-admin",
        "--input",
        TRAIL,
        "--assume",
        "acs:SecureTransport=true",
    ]);
    assert_eq!(code, 5, "the unknown service still cannot be mapped");
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    // Every mapped event, the root account's included, is decided as the admin role.
    for record in &records[..8] {
        assert_eq!(record["principal"], "role/kvstore-admin", "{record}");
        assert!(record.get("decision").is_some(), "{record}");
    }
    assert_eq!(records[8]["code"], "unknown-service");
}

#[test]
fn diff_of_two_accounts_over_a_trail() {
    let (code, stdout) = stdout_of(&[
        "diff",
        "--old-account",
        "policies/account.json",
        "--new-account",
        "tests/data/actiontrail-logs/account-without-guardrail.json",
        "--input",
        TRAIL,
        "--assume",
        "acs:SecureTransport=true",
        "--format",
        "json",
    ]);
    assert_eq!(code, 5);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        report["summary"],
        serde_json::json!({"records": 9, "changed": 3, "gained": 0, "lost": 0, "other": 3, "undecided": 2, "skipped": 2})
    );
    // Without the guardrail, the production restores are still denied, now by the identity
    // policies: the guardrail was not the only thing between them and production.
    let other: Vec<(&str, &str, &str)> = report["other"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["principal"].as_str().expect("a principal"),
                c["old"]["policy_type"].as_str().expect("a layer"),
                c["new"]["policy_type"].as_str().expect("a layer"),
            )
        })
        .collect();
    assert_eq!(
        other,
        [
            (
                "role/restore-bot",
                "ControlPolicy",
                "AccountLevelIdentityBasedPolicy"
            ),
            (
                "user/alice",
                "ControlPolicy",
                "ResourceGroupLevelIdentityBasedPolicy"
            ),
            (
                "role/restore-bot",
                "ControlPolicy",
                "AccountLevelIdentityBasedPolicy"
            ),
        ]
    );
    assert_eq!(report["undecided"][0]["action"], "kvstore:DescribeRegions");
}
