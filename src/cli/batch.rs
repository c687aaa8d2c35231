//! `ramguard batch`: replay a JSON Lines request log against policies.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;

use clap::Args;

use super::common::{PolicyArgs, Reported, open_input, report_error};
use super::exit;

/// Decide every request of a JSON Lines log, one output line per input line, in input order.
///
/// Each input line is a request object as for `eval --request` and may carry an "id", which is
/// copied to its output line. A line that cannot be decided gets an error record and the run
/// goes on. A summary goes to stderr. Exit status: 0 when the whole input was read (whatever
/// the decisions), 2 when the policies or the input cannot be used.
///
/// Example:
///   ramguard batch --policy policies/dba-restore.json --input requests.jsonl --output decisions.jsonl
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct BatchArgs {
    #[command(flatten)]
    policies: PolicyArgs,
    /// The request log, JSON Lines; `-` for stdin.
    #[arg(long, value_name = "FILE", default_value = "-")]
    input: PathBuf,
    /// Where decisions go, JSON Lines; `-` for stdout.
    #[arg(long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
    /// Threads deciding in parallel [default: the number of CPUs].
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
    let set = args.policies.load()?.build().map_err(report_error)?;
    let input = open_input(&args.input)?;
    let output: Box<dyn Write> =
        if args.output.as_os_str() == "-" {
            Box::new(io::stdout().lock())
        } else {
            Box::new(File::create(&args.output).map_err(|e| {
                report_error(format!("cannot write `{}`: {e}", args.output.display()))
            })?)
        };
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let summary = ramguard::batch::run(&set, BufReader::new(input), BufWriter::new(output), jobs)
        .map_err(|e| report_error(format!("batch stopped: {e}")))?;
    eprintln!(
        "decided {} lines: {} allowed, {} denied, {} could not be decided",
        summary.lines, summary.allowed, summary.denied, summary.errors
    );
    Ok(())
}
