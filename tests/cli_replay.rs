//! `ramguard batch`: one output line per input line, in order, errors as records.

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
        .code(0)
        .stdout(concat!(
            r#"{"line":1,"id":"ok","decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"dba-restore","index":1},"depends_on":["acs:SecureTransport"]}"#,
            "\n",
            r#"{"line":2,"error":"invalid JSON at column 2: expected a member name in double quotes, found `broken`"}"#,
            "\n",
            r#"{"line":4,"id":"no-mfa","decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy","depends_on":["acs:MFAPresent","acs:SecureTransport"]}"#,
            "\n"
        ))
        .stderr("decided 3 lines: 1 allowed, 1 denied, 1 could not be decided\n");
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
        "{\"line\":1,\"id\":\"no-mfa\",\"decision\":\"ImplicitDeny\",\"policy_type\":\"AccountLevelIdentityBasedPolicy\",\"depends_on\":[\"acs:MFAPresent\",\"acs:SecureTransport\"]}\n"
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
fn diff_prints_changed_decisions_and_exits_like_diff() {
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
            r#"{"line":1,"id":"ok","old":{"decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy"},"#,
            r#""new":{"decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"dba-restore","index":1},"depends_on":["acs:SecureTransport"]}}"#,
            "\n"
        ))
        .stderr("2 requests: 1 changed (1 newly allowed, 0 newly denied)\n");
    ramguard()
        .args([
            "diff",
            "--old",
            "policies/dba-restore.json",
            "--new",
            "policies/dba-restore.json",
        ])
        .write_stdin(input)
        .assert()
        .code(0)
        .stdout("");
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
        .code(0)
        .stdout(concat!(
            r#"{"line":1,"id":1,"decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"auditor","index":0}}"#,
            "\n",
            r#"{"line":2,"id":2,"error":"request resource `r-1` is not an ARN: resource must start with `acs:` or be `*`, found `r-1`"}"#,
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
            r#""depends_on":["acs:SecureTransport"],"warnings":[{"code":"unknown-global-key","key":"acs:SecureTransprt","suggestion":"acs:SecureTransport"}]}"#,
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
    // The bad line gets an error record; the run goes on and ends normally.
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let last = stdout.lines().last().expect("a record per line");
    assert!(
        last.ends_with(r#","error":"the line is not UTF-8 text (invalid byte at byte 1)"}"#),
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
        .stderr("decided 1 line: 1 allowed, 0 denied, 0 could not be decided\n");
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
        .stderr("1 request: 0 changed (0 newly allowed, 0 newly denied)\n");
}
