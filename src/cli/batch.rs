//! `ramguard batch`: replay a JSON Lines request log against policies.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;

use clap::Args;

use super::common::{PolicyArgs, open_input, refuse_stdin_twice};
use super::exit;
use super::output::{Reported, inform, is_broken_pipe, report_error, report_with_help, stdout};

/// Decide every request of a JSON Lines log, one output line per input line, in input order.
///
/// Each input line is a request object as for `eval --request` and may carry an "id", which is
/// copied to its output line. A line that cannot be decided gets an error record and the run
/// goes on. A summary goes to stderr.
///
/// Exit status: 0 when the input was read (whatever the decisions, and also when the reader
/// of the output stops early, as `| head` does), 2 when the policies or the input cannot be
/// used.
///
/// Each output record carries the decision, the deciding layer and statement, `depends_on`
/// (the missing keys the decision depends on) and `warnings` (`acs:` keys RAM does not have).
///
/// Examples (policies/requests.jsonl holds the example requests, one per line):
///   ramguard batch --policy policies/dba-restore.json --input policies/requests.jsonl
///   ramguard batch --account policies/account.json --principal user/alice \
///       --input policies/requests.jsonl --output decisions.jsonl --jobs 2
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct BatchArgs {
    #[command(flatten)]
    policies: PolicyArgs,
    /// The request log, JSON Lines, e.g. requests.jsonl; `-` for stdin.
    #[arg(long, value_name = "FILE", default_value = "-")]
    input: PathBuf,
    /// Where decisions go, JSON Lines, e.g. decisions.jsonl; `-` for stdout.
    #[arg(long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
    /// Threads deciding in parallel, e.g. 4 [default: the number of CPUs].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

pub(crate) fn run(args: BatchArgs) -> u8 {
    match replay(&args) {
        Ok(()) => exit::OK,
        Err(Reported) => exit::UNUSABLE,
    }
}

fn replay(args: &BatchArgs) -> Result<(), Reported> {
    let mut inputs = args.policies.inputs();
    inputs.push(("--input", args.input.as_path()));
    refuse_stdin_twice(&inputs)?;
    let set = args.policies.load()?.build().map_err(report_error)?;
    let input = open_input(&args.input)?;
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
    match crate::batch::run(&set, BufReader::new(input), BufWriter::new(output), jobs) {
        Ok(summary) => {
            let lines = if summary.lines == 1 { "line" } else { "lines" };
            inform(&format!(
                "decided {} {lines}: {} allowed, {} denied, {} could not be decided\n",
                summary.lines, summary.allowed, summary.denied, summary.errors
            ));
            Ok(())
        }
        // The reader has all it wanted.
        Err(e) if is_broken_pipe(&e) => Ok(()),
        Err(e) => Err(report_stopped("batch", &args.input, &e)),
    }
}

/// Reports a run that stopped on an I/O error (a line that is not UTF-8 is a record, not this).
pub(crate) fn report_stopped(command: &str, input: &std::path::Path, e: &io::Error) -> Reported {
    report_with_help(
        format_args!("{command} stopped reading `{}`: {e}", input.display()),
        "the lines before the failure were answered",
    )
}
