//! `ramguard test`: run decision-test files, one line per case and a `N passed, N failed`
//! summary.

use std::ffi::OsString;
use std::fmt::Write as _;

use crate::decision_test::{CaseOutcome, CaseResult, TestFileError, run_file};
use clap::Args;

use super::common::expand_args;
use super::exit;
use super::output::{Reported, report, write_stdout, write_text};

/// Run decision tests: named cases, each a request with the decision it must get and,
/// optionally, the statement that must decide it. Prints one line per case; a failing case
/// shows why and the decision's trace; the last line is `N passed, N failed`.
///
/// Exit status: 0 every case passed, 1 a case failed (or its policies or request did not
/// load), 2 a test file cannot be used (or a directory holds none).
///
/// A test file (paths are relative to it):
///   {"policies": {"identity": ["../dba-restore.json"],
///                 "control": ["../guardrails/no-prod-restore.json"],
///                 "session": "../restore-bot-session.json"},
///    "cases": [{"name": "a DBA restores staging",
///               "request": "../requests/dba-restore-staging.json",
///               "expect": "Allow",
///               "policy_type": "AccountLevelIdentityBasedPolicy",
///               "deciding": {"policy": "dba-restore", "statement": 1}}]}
/// `request` may also be an inline request object; `policy_type` and `deciding` are optional.
/// Instead of `policies`, give "account": "account.json" and, per case,
/// "principal": "user/NAME" or "role/NAME".
///
/// Examples:
///   ramguard test tests/decisions/
///   ramguard test 'tests/decisions/*.json'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct TestArgs {
    /// Test files, directories (every *.json below) or globs, e.g. tests/decisions/.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<OsString>,
}

/// Indent of the lines under a failing case.
const DETAIL: &str = "        ";

pub(crate) fn run(args: TestArgs) -> u8 {
    let Ok(files) = expand_args(&args.files) else {
        return exit::UNUSABLE;
    };
    let (mut passed, mut failed, mut unusable) = (0, 0, false);
    for file in &files {
        let results = match run_file(file) {
            Ok(results) => results,
            Err(e) => {
                report_test_file_error(&e);
                unusable = true;
                continue;
            }
        };
        let mut out = format!("{}\n", file.display());
        for case in &results {
            if case.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            write_case(&mut out, case);
        }
        if write_text(&out).is_err() {
            return exit::UNUSABLE;
        }
    }
    if write_stdout(&format!("{passed} passed, {failed} failed\n")).is_err() {
        return exit::UNUSABLE;
    }
    if unusable {
        exit::UNUSABLE
    } else if failed > 0 {
        exit::DENIED
    } else {
        exit::OK
    }
}

fn report_test_file_error(e: &TestFileError) -> Reported {
    report(e.diagnostic())
}

/// One case: `PASS`/`FAIL` and its name, then for a failure why, indented.
fn write_case(out: &mut String, case: &CaseResult) {
    let lines: Vec<String> = match &case.outcome {
        CaseOutcome::Passed => {
            let _ = writeln!(out, "  PASS  {}", case.name);
            return;
        }
        CaseOutcome::Failed {
            reasons,
            explanation,
        } => reasons
            .iter()
            .cloned()
            .chain(explanation.to_string().lines().map(str::to_string))
            .collect(),
        // Policy and account errors come rendered as `error[code]: …`; others get the prefix.
        CaseOutcome::Error(message) if message.starts_with("error") => {
            message.lines().map(str::to_string).collect()
        }
        CaseOutcome::Error(message) => format!("error: {message}")
            .lines()
            .map(str::to_string)
            .collect(),
    };
    let _ = writeln!(out, "  FAIL  {}", case.name);
    for line in lines {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{DETAIL}{line}");
        }
    }
}
