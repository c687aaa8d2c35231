//! `ramguard diff`: what a policy change would do to a request log.

use std::ffi::OsString;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::PolicySet;
use crate::policy::system;
use clap::Args;

use super::batch::report_stopped;
use super::common::{expand_args, load_policy, open_input, refuse_stdin_twice};
use super::exit;
use super::output::{Reported, inform, is_broken_pipe, report_error, stdout};

/// Replay a request log against the old and the new identity policies and print every
/// request whose decision changes.
///
/// One JSON line per changed request: {"line", "id", "old": decision, "new": decision}. A
/// summary goes to stderr, newly allowed requests first: those are the ones to review.
///
/// Exit status, like diff's: 0 no decision changed, 1 some changed, 2 unusable input.
///
/// Examples (policies/requests.jsonl holds the example requests, one per line):
///   ramguard diff --old policies/dba-restore.json --new policies/prod-restore.json \
///       --input policies/requests.jsonl
///   git show main:policies/dba-restore.json > /tmp/old.json
///   ramguard diff --old /tmp/old.json --new policies/dba-restore.json \
///       --input policies/requests.jsonl
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct DiffArgs {
    /// The identity policies before the change: files, directories (every *.json below) or
    /// globs, e.g. /tmp/old.json (repeatable).
    #[arg(long, value_name = "PATH", required = true)]
    old: Vec<OsString>,
    /// The identity policies after the change, as for --old, e.g. policies/dba-restore.json.
    #[arg(long, value_name = "PATH", required = true)]
    new: Vec<OsString>,
    /// A Resource Directory control policy in force before and after, e.g.
    /// policies/guardrails/no-prod-restore.json (repeatable).
    #[arg(long = "control-policy", value_name = "FILE")]
    control_policies: Vec<PathBuf>,
    /// The request log, JSON Lines as for `batch`, e.g. requests.jsonl; `-` for stdin.
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
    let mut inputs: Vec<(&str, &Path)> = args
        .control_policies
        .iter()
        .map(|p| ("--control-policy", p.as_path()))
        .collect();
    let stdin = Path::new("-");
    inputs.extend(
        args.old
            .iter()
            .filter(|p| *p == "-")
            .map(|_| ("--old", stdin)),
    );
    inputs.extend(
        args.new
            .iter()
            .filter(|p| *p == "-")
            .map(|_| ("--new", stdin)),
    );
    inputs.push(("--input", args.input.as_path()));
    refuse_stdin_twice(&inputs)?;
    let old = policy_set(&args.old, &args.control_policies)?;
    let new = policy_set(&args.new, &args.control_policies)?;
    let input = open_input(&args.input)?;
    match crate::batch::diff(&old, &new, BufReader::new(input), stdout()) {
        Ok(summary) => {
            let requests = if summary.lines == 1 {
                "request"
            } else {
                "requests"
            };
            inform(&format!(
                "{} {requests}: {} changed ({} newly allowed, {} newly denied)\n",
                summary.lines, summary.changed, summary.newly_allowed, summary.newly_denied
            ));
            Ok(summary.changed)
        }
        // Only changed requests are written, so a reader that went away saw at least one.
        Err(e) if is_broken_pipe(&e) => Ok(1),
        Err(e) => Err(report_stopped("diff", &args.input, &e)),
    }
}

fn policy_set(paths: &[OsString], control: &[PathBuf]) -> Result<PolicySet, Reported> {
    // `system:NAME` names a built-in policy, not a file to expand.
    let (system, paths): (Vec<OsString>, Vec<OsString>) = paths.iter().cloned().partition(|p| {
        p.to_str()
            .is_some_and(|p| p.starts_with(system::REFERENCE_PREFIX))
    });
    let mut files: Vec<PathBuf> = system.into_iter().map(PathBuf::from).collect();
    files.extend(expand_args(&paths)?);
    let mut builder = PolicySet::builder();
    let mut failed = false;
    for file in &files {
        match load_policy(file) {
            Ok(policy) => builder = builder.identity(policy),
            Err(Reported) => failed = true,
        }
    }
    for file in control {
        match load_policy(file) {
            Ok(policy) => builder = builder.control(policy),
            Err(Reported) => failed = true,
        }
    }
    if failed {
        return Err(Reported);
    }
    builder.build().map_err(report_error)
}
