//! `ramguard test`: run decision-test files, one line per case and a `N passed, N failed`
//! summary.

use clap::Args;
use ramguard::decision_test::{CaseOutcome, run_file};
use ramguard::source::expand_paths;

use super::common::report_error;
use super::exit;

/// Run decision tests: named cases, each a request with the decision it must get and,
/// optionally, the statement that must decide it. Prints one line per case; a failing case
/// shows why and the decision's trace; the last line is `N passed, N failed`.
///
/// Exit status: 0 every case passed, 1 a case failed, 2 a test file cannot be used.
///
/// A test file:
///   {"policies": {"identity": ["../dba-restore.json"], "control": [...], "session": "..."},
///    "cases": [{"name": "...", "request": "requests/x.json" or {...},
///               "expect": "Allow" | "ExplicitDeny" | "ImplicitDeny",
///               "policy_type": "ControlPolicy", "deciding": {"policy": "dba-restore", "statement": 1}}]}
/// or "account": "account.json" and per case "principal": "user/NAME" | "role/NAME".
/// Paths are relative to the test file.
///
/// Example:
///   ramguard test tests/decisions/*.json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct TestArgs {
    /// Test files, directories (every *.json below) or globs.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
}

/// Indent of the lines under a failing case.
const DETAIL: &str = "        ";

pub(crate) fn run(args: TestArgs) -> u8 {
    let files = match expand_paths(&args.files) {
        Ok(files) => files,
        Err(e) => {
            report_error(e);
            return exit::UNUSABLE;
        }
    };
    let (mut passed, mut failed, mut unusable) = (0, 0, false);
    for file in &files {
        let results = match run_file(file) {
            Ok(results) => results,
            Err(e) => {
                report_error(e);
                unusable = true;
                continue;
            }
        };
        println!("{}", file.display());
        for case in results {
            match &case.outcome {
                CaseOutcome::Passed(_) => {
                    passed += 1;
                    println!("  PASS  {}", case.name);
                }
                CaseOutcome::Failed {
                    reasons,
                    explanation,
                } => {
                    failed += 1;
                    println!("  FAIL  {}", case.name);
                    for reason in reasons {
                        println!("{DETAIL}{reason}");
                    }
                    for line in explanation.to_string().lines() {
                        if line.is_empty() {
                            println!();
                        } else {
                            println!("{DETAIL}{line}");
                        }
                    }
                }
                CaseOutcome::Error(message) => {
                    failed += 1;
                    println!("  FAIL  {}", case.name);
                    println!("{DETAIL}error: {message}");
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if unusable {
        exit::UNUSABLE
    } else if failed > 0 {
        exit::DENIED
    } else {
        exit::OK
    }
}
