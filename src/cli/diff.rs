//! `ramguard diff`: what a policy change would do to a request log.

use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use clap::Args;
use ramguard::PolicySet;
use ramguard::source::expand_paths;

use super::common::{Reported, load_policy, open_input, report_error};
use super::exit;

/// Replay a request log against the old and the new identity policies and print every
/// request whose decision changes.
///
/// One JSON line per changed request: {"line", "id", "old": decision, "new": decision}. A
/// summary goes to stderr, newly allowed requests first: those are the ones to review. Exit
/// status, like diff's: 0 no decision changed, 1 some changed, 2 unusable input.
///
/// Example:
///   git show main:policies/dba-restore.json > /tmp/old.json
///   ramguard diff --old /tmp/old.json --new policies/dba-restore.json --input requests.jsonl
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct DiffArgs {
    /// The identity policies before the change: files, directories (every *.json below) or
    /// globs (repeatable).
    #[arg(long, value_name = "PATH", required = true)]
    old: Vec<String>,
    /// The identity policies after the change, as for --old.
    #[arg(long, value_name = "PATH", required = true)]
    new: Vec<String>,
    /// A Resource Directory control policy in force before and after (repeatable).
    #[arg(long = "control-policy", value_name = "FILE")]
    control_policies: Vec<PathBuf>,
    /// The request log, JSON Lines as for `batch`; `-` for stdin.
    #[arg(long, value_name = "FILE", default_value = "-")]
    input: PathBuf,
}

pub(crate) fn run(args: DiffArgs) -> u8 {
    match compare(&args) {
        Ok(0) => exit::OK,
        Ok(_) => exit::DENIED,
        Err(Reported) => exit::UNUSABLE,
    }
}

fn compare(args: &DiffArgs) -> Result<usize, Reported> {
    let old = policy_set(&args.old, &args.control_policies)?;
    let new = policy_set(&args.new, &args.control_policies)?;
    let input = open_input(&args.input)?;
    let summary = ramguard::batch::diff(&old, &new, BufReader::new(input), io::stdout().lock())
        .map_err(|e| report_error(format!("diff stopped: {e}")))?;
    eprintln!(
        "{} requests: {} changed ({} newly allowed, {} newly denied)",
        summary.lines, summary.changed, summary.newly_allowed, summary.newly_denied
    );
    Ok(summary.changed)
}

fn policy_set(paths: &[String], control: &[PathBuf]) -> Result<PolicySet, Reported> {
    let files = expand_paths(paths).map_err(report_error)?;
    let mut builder = PolicySet::builder();
    let mut failed = false;
    for file in &files {
        match load_policy(file) {
            Ok(policy) => builder = builder.identity(policy),
            Err(Reported) => failed = true,
        }
    }
    for file in control {
        match load_policy(Path::new(file)) {
            Ok(policy) => builder = builder.control(policy),
            Err(Reported) => failed = true,
        }
    }
    if failed {
        return Err(Reported);
    }
    builder.build().map_err(report_error)
}
