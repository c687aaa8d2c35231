//! `ramguard test`: decision-test files, their output and exit statuses.

mod common;

use common::{Scratch, output, ramguard};

fn test_cmd(args: &[&str]) -> (i32, String, String) {
    let out = ramguard().arg("test").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_shipped_decision_tests_pass() {
    let (code, stdout, stderr) = test_cmd(&["tests/decisions/"]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    assert_eq!(
        stdout,
        "tests/decisions/account.json
  PASS  alice restores staging as a DBA
  PASS  the control policy stops alice on production
  PASS  bob the auditor may only look
tests/decisions/restore.json
  PASS  a DBA restores staging with MFA from the office network
  PASS  the guardrail stops a restore of production
  PASS  no MFA, no restore
  PASS  a restore over plain HTTP is denied
  PASS  the restore bot may restore staging until its session policy expires
8 passed, 0 failed
"
    );
}

#[test]
fn a_failing_case_shows_why_and_the_trace() {
    let (code, stdout, stderr) = test_cmd(&["tests/decision-failures/wrong.json"]);
    assert_eq!((code, stderr.as_str()), (1, ""));
    insta::assert_snapshot!(stdout);
}

#[test]
fn unusable_test_files() {
    let scratch = Scratch::new("unusable");
    let file = |name: &str, text: &str| scratch.file(name, text);
    let bad_expect = file(
        "bad-expect.json",
        r#"{"policies": {"identity": []}, "cases": [{"name": "x", "request": {}, "expect": "Deny"}]}"#,
    );
    let (code, stdout, stderr) = test_cmd(&[&bad_expect]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "0 passed, 0 failed\n");
    assert_eq!(
        stderr,
        format!(
            "error[invalid-test-file]: {bad_expect}: case `x`: `expect` must be `Allow`, `ExplicitDeny` or `ImplicitDeny`, found `Deny`\n  = help: see `ramguard test --help` for the format of a test file\n"
        )
    );
    let unknown = file("unknown.json", r#"{"cases": [], "polices": {}}"#);
    let (code, _, stderr) = test_cmd(&[&unknown]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error[invalid-test-file]: {unknown}: not a decision-test file: unknown field `polices`"
        )),
        "{stderr}"
    );
    let broken = file("broken.json", "{\"cases\": [}");
    let (code, _, stderr) = test_cmd(&[&broken]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error[invalid-test-file]: invalid JSON: expected a JSON value, found `}}`\n --> {broken}:1:12\n"
        )),
        "{stderr}"
    );
    // A case whose inputs do not load fails on its own, located in the test file.
    let bad_request = file(
        "bad-request.json",
        r#"{"policies": {"identity": []},
  "cases": [{"name": "no resource", "request": {"action": "kvstore:RestoreInstance"}, "expect": "ImplicitDeny"},
            {"name": "no policies", "request": {"action": "kvstore:X", "resource": "acs:kvstore:a:b:instance/c"}, "expect": "ImplicitDeny", "principal": "user/alice"}]}"#,
    );
    let (code, stdout, _) = test_cmd(&[&bad_request]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!(
            "{bad_request}\n  FAIL  no resource\n        error[invalid-request]: the request has no `resource`\n         --> {bad_request}:2:48\n          |\n        2 |   \"cases\": [{{\"name\": \"no resource\", \"request\": {{\"action\": \"kvstore:RestoreInstance\"}}, \"expect\": \"ImplicitDeny\"}},\n          |                                                ^\n          = help: write the request as {{\"action\": \"kvstore:RestoreInstance\", \"resource\": \"acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01\", \"context\": {{\"acs:SourceIp\": \"10.1.2.3\"}}}}\n  FAIL  no policies\n        error: `principal` needs an `account` file\n0 passed, 2 failed\n"
        )
    );
    assert_eq!(test_cmd(&["tests/no-such-dir/*.json"]).0, 2);
}

// ---------------------------------------------------------------------------------------------
// A case whose policy does not load.

#[test]
fn a_case_whose_policy_is_invalid_shows_the_error_once_and_indented() {
    let scratch = Scratch::new("test-invalid-policy");
    scratch.file("broken.json", r#"{"Version": "1", "Statement": [}"#);
    let tests = scratch.file(
        "tests.json",
        r#"{"policies": {"identity": ["broken.json"]}, "cases": [{"name": "restore", "request": {"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1"}, "expect": "ImplicitDeny"}]}"#,
    );
    let broken = scratch.0.join("broken.json").display().to_string();
    let (code, stdout, stderr) = output(&["test", &tests]);
    assert_eq!((code, stderr.as_str()), (1, ""));
    // Once, as every located error is drawn, indented under the case.
    assert_eq!(
        stdout,
        format!(
            "{tests}\n  FAIL  restore\n        error[invalid-json]: invalid JSON: expected a JSON value, found `}}`\n         --> {broken}:1:32\n          |\n        1 | {{\"Version\": \"1\", \"Statement\": [}}\n          |                                ^\n          = help: fix the JSON syntax at this position\n0 passed, 1 failed\n"
        )
    );
}
