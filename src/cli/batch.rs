//! `ramguard batch`: replay a request log or ActionTrail events against policies.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::Args;

use super::common::refuse_stdin_twice;
use super::exit;
use super::log::{LogArgs, ReplayPolicyArgs, report_run_error};
use super::output::{Reported, inform, report_with_help, stdout};
use crate::replay::{self, Decider, Summary};

/// Decide every item of a log, one output line per item, in input order.
///
/// The log holds requests, one JSON object per line as for `eval --request` (each may carry an
/// "id", copied to its output line), or ActionTrail events: one per line (bare, or in a Simple
/// Log Service record's "event"), or an array, a LookupEvents response or a {"Records": […]}
/// document. --input-format says which; by default it is told from the first JSON line.
///
/// Each event becomes the request RAM authorized (docs/actiontrail.md lists every field
/// mapped) and is decided by its own principal's policies in --account (or as --principal).
/// Events of the root account and of cloud services acting on their own are reported as
/// skipped: RAM policies do not govern them. Keys ActionTrail does not record can be supplied
/// with --assume.
///
/// Each output record carries "line" (blank lines are skipped and keep their numbers), "id" or
/// "event_id", "principal", the decision, the deciding layer and statement, "missing_context"
/// (keys the request lacks that a statement read), "depends_on" (those whose values could change
/// the decision) and "warnings"; or "error", "code" and "field" for an item that could not be
/// decided (nothing is allowed then); or "skipped" and "reason". A summary goes to stderr.
///
/// Exit status: 0 every item was decided (or skipped); 5 some items could not be decided
/// (their records say why); 2 unusable input: bad flags, unreadable policies, a log that is not
/// JSON Lines or has no line ends (the run stops; what was read before is answered).
///
/// Examples (policies/requests.jsonl holds the example requests, one per line):
///   ramguard batch --policy policies/dba-restore.json --input policies/requests.jsonl
///   ramguard batch --account policies/account.json --principal user/alice \
///       --input policies/requests.jsonl --output decisions.jsonl --jobs 2
///   ramguard batch --account policies/account.json \
///       --input tests/data/actiontrail-logs/trail.jsonl \
///       --assume acs:SecureTransport=true
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct BatchArgs {
    #[command(flatten)]
    policies: ReplayPolicyArgs,
    #[command(flatten)]
    log: LogArgs,
    /// Where decisions go, JSON Lines, e.g. decisions.jsonl; `-` for stdout.
    #[arg(long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
    /// Threads deciding in parallel, e.g. 4 [default: the number of CPUs].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

pub(crate) fn run(args: BatchArgs) -> u8 {
    match replay_log(&args) {
        Ok(summary) if summary.errors > 0 => exit::UNDECIDED,
        Ok(_) => exit::OK,
        Err(Reported) => exit::UNUSABLE,
    }
}

fn replay_log(args: &BatchArgs) -> Result<Summary, Reported> {
    let mut inputs = args.policies.inputs();
    inputs.push(("--input", args.log.input.as_path()));
    refuse_stdin_twice(&inputs)?;
    let (mut reader, format) = args.log.open()?;
    let decider = Decider {
        policies: args.policies.load(format)?,
        format,
        mapping: args.log.mapping()?,
        keep_subject: false,
    };
    let output: Box<dyn Write> = if args.output.as_os_str() == "-" {
        stdout()
    } else {
        Box::new(File::create(&args.output).map_err(|e| {
            report_with_help(
                format_args!("cannot write `{}`: {e}", args.output.display()),
                "give a file in a directory that exists and can be written, or `-` for stdout",
            )
        })?)
    };
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let result = replay::run(&decider, &mut reader, BufWriter::new(output), jobs);
    // The process ends here: freeing every compiled policy one by one would only delay it.
    std::mem::forget(decider);
    match result {
        Ok(summary) => {
            inform(&summary_line(&summary));
            Ok(summary)
        }
        Err(e) => match report_run_error(&args.log.input, &e) {
            // The reader has all it wanted.
            None => Ok(Summary::default()),
            Some(reported) => Err(reported),
        },
    }
}

/// `decided 12 items: 5 allowed, 6 denied, 1 skipped, 0 could not be decided`.
fn summary_line(summary: &Summary) -> String {
    let items = if summary.records == 1 {
        "item"
    } else {
        "items"
    };
    format!(
        "decided {} {items}: {} allowed, {} denied, {} skipped, {} could not be decided\n",
        summary.records, summary.allowed, summary.denied, summary.skipped, summary.errors
    )
}
