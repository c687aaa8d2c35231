//! The command line as a whole: every command's help teaches its exit status and runnable
//! examples, files that cannot be read say how to fix it, and a reader that goes away (`| head`)
//! never turns into a crash or another exit status.

mod common;

#[cfg(unix)]
use common::run_into_closed_pipe;
use common::{Scratch, output};

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
        common::NOW,
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
                common::STAGING,
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

#[test]
fn unreadable_files_say_how_to_fix_them() {
    let (code, _, stderr) = output(&[
        "eval",
        "--policy",
        "policies/nope.json",
        "--action",
        common::RESTORE,
        "--resource",
        common::STAGING,
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: cannot read `policies/nope.json`: No such file or directory (os error 2)\n  = help: check the path: it is relative to the current directory\n"
    );
    let (code, _, stderr) = output(&[
        "eval",
        "--policy",
        "policies",
        "--action",
        common::RESTORE,
        "--resource",
        common::STAGING,
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: cannot read `policies`: Is a directory (os error 21)\n  = help: give a JSON file, not a directory\n"
    );
    // Opening a directory succeeds; reading it failed later as "batch stopped: Is a directory".
    let (code, _, stderr) = output(&["batch", "--input", "policies"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: cannot read `policies`: it is a directory\n  = help: give a JSON Lines file, or `-` for stdin\n"
    );
    let scratch = Scratch::new("big");
    let big = scratch.file("big.json", &" ".repeat(4 * 1024 * 1024 + 1));
    let (code, _, stderr) = output(&["who-can", "--account", &big, "--resource", common::STAGING]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error: `{big}` is larger than 4194304 bytes, far more than any policy, request or account file\n  = help: check that it is the file you meant: RAM refuses a policy longer than 6,144 characters\n"
        )
    );
}

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
        let (code, help, _) = output(&[command, "--help"]);
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
            let (code, _, stderr) =
                output(&args[1..].iter().map(String::as_str).collect::<Vec<_>>());
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
