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
        "error[unreadable-file]: cannot read `policies/nope.json`: No such file or directory (os error 2)\n  = help: check the path: it is relative to the current directory\n"
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
        "error[unreadable-file]: cannot read `policies`: Is a directory (os error 21)\n  = help: give a JSON file, not a directory\n"
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
    let (code, _, stderr) = output(&[
        "eval",
        "--policy",
        &big,
        "--action",
        common::RESTORE,
        "--resource",
        common::STAGING,
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!(
            "error[file-too-large]: `{big}` is larger than 4194304 bytes, the most ramguard reads as one document\n  = help: check that it is the file you meant: no real policy, request, instance or account comes near this size (the README lists ramguard's limits)\n"
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
        "eval",
        "restore",
        "check",
        "test",
        "who-can",
        "batch",
        "diff",
        "account",
        "account import",
        "completions",
        "man",
    ] {
        let name: Vec<&str> = command.split(' ').collect();
        let (code, help, _) = output(&[&name[..], &["--help"]].concat());
        assert_eq!(code, 0, "{command}");
        assert!(help.contains("Exit status"), "{command}: no exit status");
        assert!(help.contains("e.g. "), "{command}: no example values");
        let examples = examples(&help);
        assert!(!examples.is_empty(), "{command}: no examples");
        for example in examples {
            // Those that write files, or read what an earlier line wrote, are shown, not run.
            if example.contains('>')
                || example.contains('|')
                || example.contains("--output")
                || example.contains("/tmp/")
            {
                continue;
            }
            let args = words(&example);
            let (code, _, stderr) =
                output(&args[1..].iter().map(String::as_str).collect::<Vec<_>>());
            // Wrapped or stale examples fail as unusable input (exit 2); 5 is a replay with
            // items that could not be decided, as an example of ActionTrail replay shows.
            assert!(
                matches!(code, 0 | 1 | 5),
                "{example}: exit {code}: {stderr}"
            );
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
    assert_eq!(ran, 18);
}

#[test]
fn completions_cover_every_command_and_flag_in_each_shell() {
    for (shell, marker) in [
        ("bash", "_ramguard()"),
        ("zsh", "#compdef ramguard"),
        ("fish", "complete -c ramguard"),
        ("elvish", "edit:completion:arg-completer[ramguard]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, script, stderr) = output(&["completions", shell]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{shell}");
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        // Fish spells long flags without their dashes (`-l session-policy`).
        for word in [
            "who-can",
            "restore",
            "session-policy",
            "deny-warnings",
            "quiet",
        ] {
            assert!(script.contains(word), "{shell}: `{word}` is not completed");
        }
    }
    let (code, _, stderr) = output(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
}

#[test]
fn the_manual_page_is_roff_built_from_the_help() {
    let (code, page, stderr) = output(&["man"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(page.contains(".TH ramguard 1"), "{page}");
    // Every command is listed with a reference to its own page.
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for command in [
        "eval",
        "restore",
        "check",
        "test",
        "who\\-can",
        "batch",
        "diff",
    ] {
        assert!(
            page.contains(&format!("ramguard\\-{command}(1)")),
            "{command}"
        );
    }
    assert!(
        page.contains("Exit status, like grep"),
        "the long help is the description"
    );

    let scratch = Scratch::new("man");
    let dir = scratch.0.join("man1");
    let dir = dir.to_str().expect("a UTF-8 path");
    let (code, stdout, stderr) = output(&["man", "--out-dir", dir]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    let mut pages: Vec<String> = std::fs::read_dir(dir)
        .expect("the pages")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "ramguard-account-import.1",
            "ramguard-account.1",
            "ramguard-batch.1",
            "ramguard-check.1",
            "ramguard-completions.1",
            "ramguard-diff.1",
            "ramguard-eval.1",
            "ramguard-man.1",
            "ramguard-prove-never-allows.1",
            "ramguard-prove-no-new-access.1",
            "ramguard-prove.1",
            "ramguard-restore.1",
            "ramguard-test.1",
            "ramguard-who-can.1",
            "ramguard.1",
        ]
    );
    let check = std::fs::read_to_string(scratch.0.join("man1/ramguard-check.1")).expect("a page");
    assert!(check.contains(".TH ramguard-check 1"), "{check}");
    assert!(check.contains("deny\\-warnings"), "{check}");

    let blocked = scratch.file("blocked", "a file, not a directory");
    let (code, _, stderr) = output(&["man", "--out-dir", &blocked]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: cannot write the manual pages into"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: give a directory you can write to"),
        "{stderr}"
    );
}

const ESC: char = '\u{1b}';

/// `check` with one error finding, with extra flags and environment.
fn check_bad_policy(
    scratch: &Scratch,
    flags: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let policy = scratch.file(
        "p.json",
        r#"{"Version": "1", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let mut command = common::ramguard();
    command.args(["check", "--no-config", &policy]).args(flags);
    command.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("ramguard runs");
    (
        out.status.code().expect("an exit code"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

#[test]
fn colour_is_for_terminals_and_honours_no_color_and_the_flag() {
    let scratch = Scratch::new("color");
    // Tests run with stdout a pipe: auto means plain.
    let (code, plain, _) = check_bad_policy(&scratch, &[], &[]);
    assert_eq!(code, 1);
    assert!(plain.starts_with("error[invalid-effect]:"), "{plain}");
    assert!(!plain.contains(ESC));

    let (code, colored, _) = check_bad_policy(&scratch, &["--color", "always"], &[]);
    assert_eq!(code, 1);
    assert!(
        colored.starts_with(&format!("{ESC}[1m{ESC}[31merror[invalid-effect]")),
        "{colored:?}"
    );
    // Colour changes nothing but the escapes.
    let stripped = strip_ansi(&colored);
    assert_eq!(stripped, plain);

    let (_, forced, _) = check_bad_policy(&scratch, &[], &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains(ESC),
        "CLICOLOR_FORCE forces colour on a pipe"
    );
    let (_, never, _) =
        check_bad_policy(&scratch, &["--color", "never"], &[("CLICOLOR_FORCE", "1")]);
    assert!(
        !never.contains(ESC),
        "--color never wins over the environment"
    );
    let (_, no_color, _) =
        check_bad_policy(&scratch, &[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
    assert!(!no_color.contains(ESC), "NO_COLOR wins over CLICOLOR_FORCE");

    // Formats for tools are never coloured.
    for format in ["json", "sarif"] {
        let (code, out, _) =
            check_bad_policy(&scratch, &["--color", "always", "--format", format], &[]);
        assert_eq!(code, 1);
        assert!(!out.contains(ESC), "{format}");
        serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            // `ESC [ params m`
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn quiet_mode_answers_with_the_exit_status_alone() {
    let scratch = Scratch::new("quiet");
    let (code, stdout, stderr) = check_bad_policy(&scratch, &["--quiet"], &[]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (1, "", ""));
    let (code, stdout, stderr) = check_bad_policy(&scratch, &["-q", "--format", "sarif"], &[]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (1, "", ""));

    let eval = [
        "eval",
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-staging.json",
    ];
    assert_eq!(
        output(&[&["-q"][..], &eval].concat()),
        (0, String::new(), String::new())
    );
    let no_mfa = [
        "eval",
        "--policy",
        "policies/dba-restore.json",
        "--request",
        "policies/requests/dba-restore-no-mfa.json",
        "--quiet",
    ];
    assert_eq!(output(&no_mfa), (1, String::new(), String::new()));

    // Replays keep their exit status and drop the summary line.
    let out = common::ramguard()
        .args(["batch", "--quiet", "--policy", "policies/dba-restore.json"])
        .write_stdin(common::request_log())
        .output()
        .expect("ramguard runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        (out.stdout.as_slice(), out.stderr.as_slice()),
        (&b""[..], &b""[..])
    );

    // Input that cannot be used is still explained: a quiet failure must say why.
    let (code, stdout, stderr) = output(&["check", "--quiet", "no-such-dir/"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.starts_with("error[no-match]: `no-such-dir/` matches no file"),
        "{stderr}"
    );
}

#[test]
fn a_panic_in_a_command_allows_nothing_and_exits_as_unusable_input() {
    // A debug build panics on purpose when asked, where a bug in a command would.
    let output = common::ramguard()
        .env("RAMGUARD_FORCE_A_PANIC", "1")
        .args([
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--request",
            "policies/requests/dba-restore-staging.json",
        ])
        .output()
        .expect("ramguard runs");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.ends_with("error: internal error while evaluating; nothing was allowed\n"),
        "{stderr}"
    );
}
