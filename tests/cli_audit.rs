//! The command line under abuse: closed pipes, wrong and missing files, stdin twice, bad
//! context values, resources of another account, and the help of every command. Each test
//! pins a bug found in an audit of the CLI: the exact exit code and the message a user sees.

use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};

mod common;

use common::{Scratch, ramguard};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const RESTORE: &str = "kvstore:RestoreInstance";
const STAGING: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01";
const NOW: &str = "2026-11-29T09:30:00Z";

/// Exit code, stdout and stderr of one run.
fn run(args: &[&str]) -> (i32, String, String) {
    let output = ramguard().args(args).output().expect("ramguard runs");
    (
        output.status.code().expect("an exit code, not a signal"),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// Runs with stdout a socket whose reader is already gone, as `| head` leaves a pipe, and
/// returns the exit code and stderr. Writing there fails with EPIPE at once, every time.
#[cfg(unix)]
fn run_into_closed_pipe(args: &[&str], stdin: &str) -> (i32, String) {
    use std::os::fd::OwnedFd;
    let (reader, writer) = std::os::unix::net::UnixStream::pair().expect("a socket pair");
    drop(reader);
    let writer = OwnedFd::from(writer);
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_ramguard"))
        .current_dir(MANIFEST_DIR)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("ramguard starts");
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        // The child may exit before reading; a failed write here changes nothing.
        let _ = input.write_all(stdin.as_bytes());
    }
    let output = child.wait_with_output().expect("ramguard ends");
    (
        output.status.code().expect("an exit code, not a signal"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// One JSON line per example request (in file order), as `batch` and `diff` read them.
fn request_log() -> String {
    let mut log = String::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(format!("{MANIFEST_DIR}/policies/requests"))
        .expect("the example requests")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(path).expect("example request");
        log.push_str(&text.replace('\n', ""));
        log.push('\n');
    }
    log
}

// ---- a closed stdout (`| head`) is not a crash ----

#[cfg(unix)]
#[test]
fn a_closed_stdout_never_panics_and_keeps_the_exit_status() {
    let staging = [
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ];
    let no_mfa = [
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-no-mfa.json",
    ];
    let restore = [
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        "1234567890123456",
        "--instance-id",
        "r-bp1stg01",
        "--backup-id",
        "b-1",
        "--now",
        NOW,
        "--policy",
        "system:AliyunKvstoreFullAccess",
    ];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        ([&["eval"][..], &staging].concat(), 0),
        ([&["eval"][..], &no_mfa].concat(), 1),
        ([&["eval"][..], &staging, &["--format", "json"]].concat(), 0),
        // Allowed and valid, but the instance's state was not given: not cleared.
        (restore.to_vec(), 4),
        ([&restore[..], &["--format", "json"]].concat(), 4),
        (
            vec![
                "who-can",
                "--account",
                "policies/account.json",
                "--resource",
                STAGING,
            ],
            0,
        ),
        (vec!["test", "tests/decisions/"], 0),
        (vec!["check", "--explain", "restore-on-every-instance"], 0),
        (vec!["check", "--no-config", "policies/"], 0),
    ];
    for (args, code) in cases {
        let (got, stderr) = run_into_closed_pipe(&args, "");
        assert_eq!((got, stderr.as_str()), (code, ""), "{args:?}");
    }
}

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

// ---- request errors: code, position, help ----

#[test]
fn request_file_errors_have_a_code_a_position_and_a_fix() {
    let scratch = Scratch::new("request-errors");
    let bad_resource = scratch.file(
        "bad-resource.json",
        "{\"action\": \"kvstore:RestoreInstance\",\n \"resource\": \"r-bp1stg01\"}",
    );
    let (code, stdout, stderr) = run(&["eval", "--request", &bad_resource]);
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
    let (code, _, stderr) = run(&["eval", "--request", &no_resource]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "error[invalid-request]: the request has no `resource`\n --> {no_resource}:1:1\n  |\n1 | {{\"action\": \"kvstore:RestoreInstance\"}}\n  | ^\n  = help: write the request as {{\"action\": \"kvstore:RestoreInstance\", "
        )),
        "{stderr}"
    );
    let empty = scratch.file("empty.json", "");
    let (code, _, stderr) = run(&["eval", "--request", &empty]);
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
    let (code, stdout, stderr) =
        run(&["eval", "--action", "RestoreInstance", "--resource", STAGING]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "error[invalid-action]: request action `RestoreInstance` is not of the form `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`\n  = help: write the action as `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`\n"
    );
    let (code, _, stderr) = run(&[
        "who-can",
        "--account",
        "policies/account.json",
        "--resource",
        STAGING,
        "--context",
        "MFAPresent=true",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error[invalid-context-key]: context key `MFAPresent` is not of the form `<ram-code>:<key>`, e.g. `acs:SourceIp`\n  = help: write the key as `<ram-code>:<key>`, e.g. `acs:SourceIp`\n"
    );
    let (code, _, stderr) = run(&["eval", "--policy", "policies/dba-restore.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: no request given\n  = help: give the request: --request FILE (e.g. --request policies/requests/dba-restore-staging.json), or --action A --resource ARN\n"
    );
}

// ---- --context with a --request file ----

#[test]
fn a_context_flag_replaces_the_key_of_the_request_file() {
    let args = [
        "eval",
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ];
    assert_eq!(run(&args).0, 0);
    // Once an error "keys `acs:MFAPresent` and `acs:MFAPresent` are the same key".
    for flag in ["acs:MFAPresent=false", "ACS:mfapresent=false"] {
        let (code, stdout, stderr) = run(&[&args[..], &["--context", flag]].concat());
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
    let (code, stdout, stderr) = run(&[
        "eval",
        "--policy",
        "policies/dba-restore.json",
        "--action",
        RESTORE,
        "--resource",
        STAGING,
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
        let (code, _, stderr) = run(&[
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--action",
            RESTORE,
            "--resource",
            STAGING,
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
    let (code, stdout, stderr) = run(&[
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

// ---- stdin ----

#[test]
fn stdin_is_read_once_and_a_policy_from_it_is_named_stdin() {
    let policy = std::fs::read_to_string(format!("{MANIFEST_DIR}/policies/dba-restore.json"))
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

// ---- resources of another account ----

#[test]
fn a_resource_of_another_account_is_refused_not_allowed() {
    let other = "acs:kvstore:cn-hangzhou:999:instance/r-1";
    let expected = "error: the resource `acs:kvstore:cn-hangzhou:999:instance/r-1` belongs to account `999`, but --account describes account `1234567890123456`\n  = help: a principal of one account cannot act on another account's resources; give a resource of account 1234567890123456, or the account file of account 999\n";
    // role/kvstore-admin holds AliyunKvstoreFullAccess (`*`): this was an Allow RAM never gives.
    let (code, stdout, stderr) = run(&[
        "eval",
        "--account",
        "policies/account.json",
        "--principal",
        "role/kvstore-admin",
        "--action",
        RESTORE,
        "--resource",
        other,
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", expected));
    let (code, stdout, stderr) = run(&[
        "who-can",
        "--account",
        "policies/account.json",
        "--resource",
        other,
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", expected));
}

// ---- paths that name nothing ----

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
    std::fs::copy(format!("{MANIFEST_DIR}/policies/auditor.json"), &path).expect("copy");
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

// ---- unreadable files say how to fix them ----

#[test]
fn unreadable_files_say_how_to_fix_them() {
    let (code, _, stderr) = run(&[
        "eval",
        "--policy",
        "policies/nope.json",
        "--action",
        RESTORE,
        "--resource",
        STAGING,
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: cannot read `policies/nope.json`: No such file or directory (os error 2)\n  = help: check the path: it is relative to the current directory\n"
    );
    let (code, _, stderr) = run(&[
        "eval",
        "--policy",
        "policies",
        "--action",
        RESTORE,
        "--resource",
        STAGING,
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: cannot read `policies`: Is a directory (os error 21)\n  = help: give a JSON file, not a directory\n"
    );
    // Opening a directory succeeds; reading it failed later as "batch stopped: Is a directory".
    let (code, _, stderr) = run(&["batch", "--input", "policies"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: cannot read `policies`: it is a directory\n  = help: give a JSON Lines file, or `-` for stdin\n"
    );
    let scratch = Scratch::new("big");
    let big = scratch.file("big.json", &" ".repeat(4 * 1024 * 1024 + 1));
    let (code, _, stderr) = run(&["who-can", "--account", &big, "--resource", STAGING]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: `{big}` is larger than 4194304 bytes, far more than any policy, request or account file\n  = help: check that it is the file you meant: RAM refuses a policy longer than 6,144 characters\n"
        )
    );
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

// ---- ramguard test ----

#[test]
fn a_case_whose_policy_is_invalid_shows_the_error_once_and_indented() {
    let scratch = Scratch::new("test-invalid-policy");
    scratch.file("broken.json", r#"{"Version": "1", "Statement": [}"#);
    let tests = scratch.file(
        "tests.json",
        r#"{"policies": {"identity": ["broken.json"]}, "cases": [{"name": "restore", "request": {"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1"}, "expect": "ImplicitDeny"}]}"#,
    );
    let broken = scratch.0.join("broken.json").display().to_string();
    let (code, stdout, stderr) = run(&["test", &tests]);
    assert_eq!((code, stderr.as_str()), (1, ""));
    // Once, as every located error is drawn, indented under the case.
    assert_eq!(
        stdout,
        format!(
            "{tests}\n  FAIL  restore\n        error[invalid-json]: invalid JSON: expected a JSON value, found `}}`\n         --> {broken}:1:32\n          |\n        1 | {{\"Version\": \"1\", \"Statement\": [}}\n          |                                ^\n          = help: fix the JSON syntax at this position\n0 passed, 1 failed\n"
        )
    );
}

// ---- ramguard restore ----

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
    let (code, stdout, stderr) = run(&[
        &base[..],
        &[
            "--now",
            NOW,
            "--context",
            "acs:CurrentTime=2020-01-01T00:00:00Z",
        ],
    ]
    .concat());
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "error: --context acs:CurrentTime=2020-01-01T00:00:00Z disagrees with --now 2026-11-29T09:30:00Z: the request time is the submission time\n  = help: drop --context acs:CurrentTime=…; --now sets both\n"
    );
    // Without --now, the context's time is the submission time.
    let (code, stdout, stderr) = run(&[
        &base[..],
        &["--context", "acs:CurrentTime=2020-01-01T00:00:00Z"],
    ]
    .concat());
    // Allowed and valid; not cleared, since the instance's state was not given.
    assert_eq!((code, stderr.as_str()), (4, ""));
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["restore"]["submitted_at"], "2020-01-01T00:00:00Z");
}

#[test]
fn restore_errors_name_the_flag_and_the_code() {
    let (code, _, stderr) = run(&[
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
    let (code, _, stderr) = run(&[
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

// ---- help ----

/// The example commands of a subcommand's help, continuation lines joined.
fn examples(help: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut current: Option<String> = None;
    for line in help.lines() {
        let line = line.trim();
        if let Some(command) = current.as_mut() {
            command.push(' ');
            command.push_str(line.trim_end_matches('\\').trim());
        } else if line.starts_with("ramguard ") {
            current = Some(line.trim_end_matches('\\').trim().to_string());
        }
        if !line.ends_with('\\')
            && let Some(command) = current.take()
        {
            commands.push(command);
        }
    }
    commands
}

/// Splits a command line on spaces, honouring single quotes (all the examples use).
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn every_help_teaches_exit_status_and_runnable_examples() {
    let mut ran = 0;
    for command in [
        "eval", "restore", "check", "test", "who-can", "batch", "diff",
    ] {
        let (code, help, _) = run(&[command, "--help"]);
        assert_eq!(code, 0, "{command}");
        assert!(help.contains("Exit status"), "{command}: no exit status");
        assert!(help.contains("e.g. "), "{command}: no example values");
        let examples = examples(&help);
        assert!(!examples.is_empty(), "{command}: no examples");
        for example in examples {
            // Those that write files, or read what an earlier line wrote, are shown, not run.
            if example.contains('>') || example.contains("--output") || example.contains("/tmp/") {
                continue;
            }
            let args = words(&example);
            let (code, _, stderr) = run(&args[1..].iter().map(String::as_str).collect::<Vec<_>>());
            // Wrapped or stale examples fail as unusable input.
            assert!(code == 0 || code == 1, "{example}: exit {code}: {stderr}");
            // Replays print their summary to stderr; nothing else may print there.
            let summary = matches!(command, "batch" | "diff") && stderr.lines().count() == 1;
            assert!(
                stderr.is_empty()
                    || (summary && !stderr.starts_with("error") && !stderr.starts_with("warning")),
                "{example}: {stderr}"
            );
            ran += 1;
        }
    }
    assert_eq!(ran, 14);
}
