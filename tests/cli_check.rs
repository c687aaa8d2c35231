//! `ramguard check` end to end: the shipped examples, exit statuses, configuration and
//! suppressions, formats.

use std::path::{Path, PathBuf};

mod common;

use common::{Scratch, ramguard};

/// Runs `ramguard check ARGS`, returning the exit status, stdout and stderr.
fn check(args: &[&str]) -> (i32, String, String) {
    let out = ramguard().arg("check").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fresh directory for one test, holding a `.git` so that configuration discovery stops there.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ramguard-cli-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const BROAD: &str = r#"{"Version": "1", "Statement": [{"Sid": "Ops", "Effect": "Allow", "Action": "kvstore:*", "Resource": "*"}]}"#;

#[test]
fn the_examples_show_what_they_are_meant_to() {
    let (code, stdout, stderr) = check(&["--no-config", "policies/"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // Requests, accounts and instance files come and go with the examples; they are skipped,
    // and only their number would change.
    let findings: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with("skipped "))
        .collect();
    insta::assert_snapshot!(findings.join("\n"));
}

#[test]
fn the_built_in_system_policies_have_no_errors() {
    let (code, stdout, _) = check(&[
        "--no-config",
        "--format",
        "json",
        "--control-policy",
        "src/system/FullAliyunAccess.json",
        "src/system",
    ]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["counts"],
        serde_json::json!({"error": 0, "security-warning": 1, "warning": 0, "suggestion": 0, "suppressed": 0})
    );
    assert_eq!(
        report["findings"][0]["file"],
        "src/system/AliyunKvstoreFullAccess.json"
    );
    assert_eq!(report["findings"][0]["code"], "restore-on-every-instance");
}

#[test]
fn ramguard_files_that_are_not_policies_are_skipped() {
    let (code, stdout, _) = check(&[
        "--no-config",
        "--format",
        "json",
        "policies/requests/dba-restore-prod.json",
        "policies/account.json",
    ]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["files"],
        serde_json::json!([
            {"path": "policies/requests/dba-restore-prod.json", "status": "skipped", "reason": "a ramguard request file, not a policy", "findings": 0},
            {"path": "policies/account.json", "status": "skipped", "reason": "a ramguard account file, not a policy", "findings": 0}
        ])
    );
}

#[test]
fn an_account_file_marks_its_control_policies() {
    let (_, stdout, _) = check(&[
        "--no-config",
        "--format",
        "json",
        "policies/account.json",
        "policies/guardrails/no-prod-restore.json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["files"][1]["kind"], "control");
    assert_eq!(report["findings"], serde_json::json!([]));
    // Alone, Resource Directory's default control policy is an identity policy that grants
    // every restore.
    let (_, stdout, _) = check(&[
        "--no-config",
        "--format",
        "json",
        "src/system/FullAliyunAccess.json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["findings"][0]["code"], "restore-on-every-instance");
}

#[test]
fn exit_statuses() {
    // Errors fail; a malformed file is a finding, not unusable input.
    assert_eq!(
        check(&["--no-config", "tests/lint/invalid-effect.json"]).0,
        1
    );
    assert_eq!(check(&["--no-config", "tests/lint/invalid-json.json"]).0, 1);
    // Warnings and security warnings fail only with --deny-warnings; suggestions never.
    assert_eq!(
        check(&["--no-config", "tests/lint/unknown-action.json"]).0,
        0
    );
    assert_eq!(
        check(&[
            "--no-config",
            "--deny-warnings",
            "tests/lint/unknown-action.json"
        ])
        .0,
        1
    );
    assert_eq!(
        check(&[
            "--no-config",
            "--deny-warnings",
            "tests/lint/allow-not-action.json"
        ])
        .0,
        1
    );
    assert_eq!(
        check(&[
            "--no-config",
            "--deny-warnings",
            "tests/lint/sid-not-documented.json"
        ])
        .0,
        0
    );
    // Paths that name nothing, and bad flags, are unusable input.
    let (code, stdout, stderr) = check(&["--no-config", "policies/no-such.json"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            2,
            "",
            "error[no-match]: `policies/no-such.json` matches no file\n  = help: check the path: it is relative to the current directory\n"
        )
    );
    assert_eq!(check(&["--no-config", "--format", "xml", "policies/"]).0, 2);
    assert_eq!(check(&["--no-config"]).0, 2);
    assert_eq!(
        check(&["--no-config", "--config", "x.toml", "policies/"]).0,
        2
    );
}

#[test]
fn a_file_that_is_not_utf8_is_a_finding() {
    let dir = scratch("utf8");
    std::fs::write(
        dir.join("policies/latin1.json"),
        b"{\"Version\": \"1\", \"Sid\": \"caf\xe9\"}",
    )
    .unwrap();
    let file = dir.join("policies/latin1.json");
    let (code, stdout, _) = check(&["--no-config", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let first = stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "error[invalid-json]: `{}` is not UTF-8 text (invalid byte at offset 28)",
            file.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn session_policies_are_held_to_1024_characters() {
    let file = "tests/lint/policy-too-long.session.json";
    assert_eq!(check(&["--no-config", file]).0, 0);
    let (code, stdout, _) = check(&["--no-config", "--session-policy", file]);
    assert_eq!(code, 1);
    assert!(stdout.starts_with("error[policy-too-long]: the document is 1,344 characters long; RAM accepts at most 1,024 in a session policy\n"), "{stdout}");
}

#[test]
fn ramguard_toml_sets_kinds_and_silences_findings() {
    let dir = scratch("config");
    write(&dir, "policies/ops.json", BROAD);
    write(&dir, "policies/other.json", BROAD);
    write(
        &dir,
        "policies/bot-session.json",
        &format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "*"}}]{}}}"#,
            " ".repeat(1_100)
        ),
    );
    write(
        &dir,
        "ramguard.toml",
        r#"
session-policies = ["policies/*-session.json"]

[[ignore]]
code = "restore-on-every-instance"
path = "policies/ops.json"
sid = "Ops"
reason = "break-glass role, reviewed"

[[ignore]]
code = "sid-not-documented"
"#,
    );
    let out = ramguard()
        .current_dir(&dir)
        .args(["check", "policies"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let headlines: Vec<&str> = stdout.lines().filter(|l| l.contains("]: ")).collect();
    assert_eq!(
        headlines,
        [
            "error[policy-too-long]: the document is 1,208 characters long; RAM accepts at most 1,024 in a session policy",
            "security-warning[restore-on-every-instance]: this `Allow` grants `kvstore:RestoreInstance` (through `kvstore:*`) on every instance (`*`) without an MFA or source-IP/VPC condition"
        ]
    );
    assert!(
        stdout.contains(" --> policies/other.json:1:76\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("checked 3 files: 1 error, 1 security warning (3 suppressed)\n"),
        "{stdout}"
    );
    // --no-config reads none of it.
    let out = ramguard()
        .current_dir(&dir)
        .args(["check", "--no-config", "policies"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.ends_with("checked 3 files: 2 security warnings, 2 suggestions\n"),
        "{stdout}"
    );
    // A broken configuration is unusable input, named with its position.
    write(
        &dir,
        "ramguard.toml",
        "[[ignore]]\ncode = \"restore-everywhere\"\n",
    );
    let out = ramguard()
        .current_dir(&dir)
        .args(["check", "policies"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "error[invalid-config]: invalid configuration: `[[ignore]]` names unknown code `restore-everywhere`; `ramguard check --explain CODE` lists the codes\n --> {}:2:8\n  |\n2 | code = \"restore-everywhere\"\n  |        ^^^^^^^^^^^^^^^^^^^^\n  = help: see `ramguard check --help` and this repository's ramguard.toml for the settings\n",
            dir.join("ramguard.toml").display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explain_prints_a_rule() {
    let out = ramguard()
        .args(["check", "--explain", "for-all-values-in-allow"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
    let out = ramguard()
        .args(["check", "--explain", "no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: unknown finding code `no-such-rule`\n  = help: the codes are: invalid-json, "
        ),
        "{stderr}"
    );
}

#[test]
fn json_and_sarif_on_stdout() {
    let (code, stdout, _) = check(&[
        "--no-config",
        "--format",
        "json",
        "tests/lint/invalid-effect.json",
    ]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["findings"][0],
        serde_json::json!({
            "code": "invalid-effect", "severity": "error",
            "message": "`Effect` must be `Allow` or `Deny`, found `allow`",
            "help": "write `Allow`: the value is case-sensitive",
            "file": "tests/lint/invalid-effect.json",
            "line": 5, "column": 17, "end_line": 5, "end_column": 24
        })
    );
    let (code, stdout, _) = check(&[
        "--no-config",
        "--format",
        "sarif",
        "tests/lint/invalid-effect.json",
    ]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "invalid-effect");
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "tests/lint/invalid-effect.json"},
            "region": {"startLine": 5, "startColumn": 17, "endLine": 5, "endColumn": 24}
        })
    );
}

#[test]
fn a_policy_on_stdin_is_read_once() {
    let out = ramguard()
        .args(["check", "--no-config", "--format", "json", "-"])
        .write_stdin(BROAD)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["files"],
        serde_json::json!([{"path": "-", "status": "checked", "kind": "policy", "findings": 2}])
    );
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["sid-not-documented", "restore-on-every-instance"]);
}

#[cfg(unix)]
#[test]
fn link_loops_end_and_each_real_file_is_checked_once() {
    let dir = scratch("loops");
    write(&dir, "policies/broad.json", BROAD);
    std::fs::create_dir_all(dir.join("policies/team")).unwrap();
    write(&dir, "policies/team/other.json", BROAD);
    // Two links to the directory itself, and one from below back up.
    std::os::unix::fs::symlink(".", dir.join("policies/a")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("policies/b")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("policies/team/up")).unwrap();
    // A link to a file checked under its own name too, and a broken link.
    std::os::unix::fs::symlink("broad.json", dir.join("policies/same.json")).unwrap();
    std::os::unix::fs::symlink("missing.json", dir.join("policies/gone.json")).unwrap();
    for arg in ["policies", "policies/**/*.json"] {
        let out = ramguard()
            .current_dir(&dir)
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                arg,
                "policies/broad.json",
            ])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{arg}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let paths: Vec<&str> = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            ["policies/broad.json", "policies/team/other.json"],
            "{arg}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn grants_are_judged_at_now() {
    let expired = |now: &[&str]| {
        let mut args = vec!["--no-config", "--format", "json"];
        args.extend_from_slice(now);
        args.push("tests/lint/expired-grant.json");
        let (code, stdout, _) = check(&args);
        assert_eq!(code, 0);
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        report["counts"]["warning"].as_u64().unwrap()
    };
    // By the clock, the grant ran out in 2020; before that, it had not.
    assert_eq!(expired(&[]), 1);
    assert_eq!(expired(&["--now", "2019-12-31T23:59:59Z"]), 0);
    assert_eq!(expired(&["--now", "2020-01-01T00:00:00Z"]), 1);
    let (code, _, stderr) = check(&["--now", "yesterday", "policies/"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'yesterday' for '--now <T>'"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Paths that name nothing, and file names that are not UTF-8.

#[test]
fn a_directory_without_json_files_is_unusable_not_a_pass() {
    let scratch = Scratch::new("empty-dir");
    let empty = scratch.dir("policies");
    let expected = format!(
        "error: `{empty}` holds no `*.json` file\n  = help: give the directory that holds the files, or a glob such as `'policies/**/*.json'`\n"
    );
    for args in [
        vec!["check", "--no-config", &empty],
        vec!["test", &empty],
        vec![
            "diff",
            "--old",
            "policies/dba-restore.json",
            "--new",
            &empty,
        ],
    ] {
        let output = ramguard()
            .args(&args)
            .write_stdin("")
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8(output.stdout).expect("UTF-8"),
            "",
            "{args:?}"
        );
        assert_eq!(
            String::from_utf8(output.stderr).expect("UTF-8"),
            expected,
            "{args:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_can_be_checked() {
    use std::os::unix::ffi::OsStrExt;
    let scratch = Scratch::new("not-utf8");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    let path = scratch.0.join(name);
    std::fs::copy(
        format!("{}/policies/auditor.json", common::MANIFEST_DIR),
        &path,
    )
    .expect("copy");
    let output = ramguard()
        .arg("check")
        .arg("--no-config")
        .arg(&path)
        .output()
        .expect("runs");
    // Once clap's "invalid UTF-8 was detected in one or more arguments", exit 2.
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stdout).ends_with("checked 1 file: no findings\n"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let missing = scratch.0.join(std::ffi::OsStr::from_bytes(b"nop\xe9.json"));
    let output = ramguard()
        .arg("check")
        .arg(&missing)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).ends_with(
            ".json` is not a file\n  = help: a name that is not UTF-8 cannot be a directory or a glob: name a file\n"
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
