//! `ramguard diff`: what a policy change would do to a log of requests or ActionTrail events.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::PolicySet;
use crate::account::CompiledAccount;
use crate::policy::system;
use crate::principal::PrincipalRef;
use crate::replay::{self, Decider, DiffFormat, DiffSummary, InputFormat, Policies};

use super::common::{
    expand_args, load_policy, refuse_stdin_twice, report_account_error, report_principal_error,
};
use super::exit;
use super::log::{LogArgs, build, report_run_error};
use super::output::{Reported, inform, report_with_help, stdout};

/// Replay a log against the old and the new policies and report every item whose decision
/// changes: access gained (denied before, allowed now: review these first), access lost,
/// other changes (the same allow or deny by another layer), and items that could not be
/// decided.
///
/// The log is read as by `batch`: requests, or ActionTrail events decided by their own
/// principal. Compare identity policy files (--old, --new, with the control and session
/// policies in force on both sides), or two account files (--old-account, --new-account, e.g.
/// two exports of the same account).
///
/// Exit status, for a CI gate on a policy change: 0 nothing that --fail-on names changed; 1 it
/// did (by default: some access was gained); 5 some items could not be decided, so the answer
/// is incomplete; 2 unusable input.
///
/// Examples (policies/requests.jsonl holds the example requests, one per line):
///   ramguard diff --old policies/dba-restore.json --new policies/prod-restore.json \
///       --input policies/requests.jsonl
///   ramguard diff --old policies/dba-restore.json --new policies/prod-restore.json \
///       --input policies/requests.jsonl --format json --fail-on any
///   git show main:policies/dba-restore.json > /tmp/old.json
///   ramguard diff --old /tmp/old.json --new policies/dba-restore.json \
///       --input policies/requests.jsonl
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct DiffArgs {
    /// The identity policies before the change: files, directories (every *.json below) or
    /// globs, e.g. /tmp/old.json (repeatable).
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "old_account",
        conflicts_with = "old_account"
    )]
    old: Vec<OsString>,
    /// The identity policies after the change, as for --old, e.g. policies/dba-restore.json.
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "new_account",
        conflicts_with = "new_account"
    )]
    new: Vec<OsString>,
    /// A Resource Directory control policy in force before and after, e.g.
    /// policies/guardrails/no-prod-restore.json (repeatable).
    #[arg(long = "control-policy", value_name = "FILE")]
    control_policies: Vec<PathBuf>,
    /// The STS session policy of a role session, in force before and after, e.g.
    /// policies/restore-bot-session.json.
    #[arg(long = "session-policy", value_name = "FILE")]
    session_policy: Option<PathBuf>,
    /// The account file before the change, e.g. /tmp/account-before.json.
    #[arg(long, value_name = "FILE", requires = "new_account")]
    old_account: Option<PathBuf>,
    /// The account file after the change, e.g. policies/account.json.
    #[arg(long, value_name = "FILE", requires = "old_account")]
    new_account: Option<PathBuf>,
    /// With accounts, decide every item as this principal, e.g. user/alice (a request log
    /// needs one; ActionTrail events carry their own).
    #[arg(long, value_name = "user/NAME|role/NAME", requires = "old_account")]
    principal: Option<String>,
    #[command(flatten)]
    log: LogArgs,
    /// How changes are printed: text for people, json (one object: summary and changes by
    /// kind), or jsonl (one line per change, as found).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Which changes fail the run (exit 1): gained (access gained) or any.
    #[arg(long, value_enum, value_name = "CHANGES", default_value_t = FailOn::Gained)]
    fail_on: FailOn,
    /// Threads deciding in parallel, e.g. 4 [default: the number of CPUs].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

/// The values of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// A report for people.
    Text,
    /// One JSON object.
    Json,
    /// One JSON line per change.
    Jsonl,
}

/// The values of `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Fail when some access was gained.
    Gained,
    /// Fail on any change.
    Any,
}

pub(crate) fn run(args: DiffArgs) -> u8 {
    match compare(&args) {
        Ok(summary) if summary.undecided > 0 => exit::UNDECIDED,
        Ok(summary) => {
            let failed = match args.fail_on {
                FailOn::Gained => summary.gained > 0,
                FailOn::Any => summary.changed > 0,
            };
            if failed { exit::DENIED } else { exit::OK }
        }
        Err(Reported) => exit::UNUSABLE,
    }
}

fn compare(args: &DiffArgs) -> Result<DiffSummary, Reported> {
    let mut inputs: Vec<(&str, &Path)> = args
        .control_policies
        .iter()
        .map(|p| ("--control-policy", p.as_path()))
        .collect();
    inputs.extend(
        args.session_policy
            .as_deref()
            .map(|p| ("--session-policy", p)),
    );
    inputs.extend(args.old_account.as_deref().map(|p| ("--old-account", p)));
    inputs.extend(args.new_account.as_deref().map(|p| ("--new-account", p)));
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
    inputs.push(("--input", args.log.input.as_path()));
    refuse_stdin_twice(&inputs)?;
    let (mut reader, format) = args.log.open()?;
    let (old, new) = match (&args.old_account, &args.new_account) {
        (Some(old), Some(new)) => (
            account_policies(args, old, format)?,
            account_policies(args, new, format)?,
        ),
        _ => {
            let (old, new) = (policy_set(args, &args.old)?, policy_set(args, &args.new)?);
            let set = |set| Policies::Set { set, label: None };
            (set(old), set(new))
        }
    };
    let mapping = args.log.mapping()?;
    let decider = |policies| Decider {
        policies,
        format,
        mapping: mapping.clone(),
        keep_subject: true,
    };
    let (old, new) = (decider(old), decider(new));
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let output_format = match args.format {
        OutputFormat::Text => DiffFormat::Text,
        OutputFormat::Json => DiffFormat::Json,
        OutputFormat::Jsonl => DiffFormat::JsonLines,
    };
    let result = replay::diff(&old, &new, &mut reader, stdout(), jobs, output_format);
    // The process ends here: freeing every compiled policy one by one would only delay it.
    std::mem::forget((old, new));
    match result {
        Ok(summary) => {
            inform(&summary_line(&summary));
            Ok(summary)
        }
        Err(e) => match report_run_error(&args.log.input, &e) {
            // Changes are written as found: a reader that went away saw at least one.
            None => Ok(DiffSummary {
                changed: 1,
                gained: 1,
                ..DiffSummary::default()
            }),
            Some(reported) => Err(reported),
        },
    }
}

/// `12 items: 3 changed (2 gained, 1 lost, 0 other), 1 could not be decided, 0 skipped`.
fn summary_line(summary: &DiffSummary) -> String {
    let items = if summary.records == 1 {
        "item"
    } else {
        "items"
    };
    format!(
        "{} {items}: {} changed ({} gained, {} lost, {} other), {} could not be decided, {} skipped\n",
        summary.records,
        summary.changed,
        summary.gained,
        summary.lost,
        summary.other,
        summary.undecided,
        summary.skipped
    )
}

/// One side's policies from an account file.
fn account_policies(
    args: &DiffArgs,
    path: &Path,
    format: InputFormat,
) -> Result<Policies, Reported> {
    let account = CompiledAccount::from_path(path).map_err(|e| report_account_error(&e))?;
    if !args.control_policies.is_empty() || args.session_policy.is_some() {
        return Err(report_with_help(
            "--control-policy and --session-policy apply to policy files, not to accounts",
            "put control policies in the account files",
        ));
    }
    match &args.principal {
        Some(principal) => {
            let principal =
                PrincipalRef::parse(principal).map_err(|e| report_principal_error(&e))?;
            let set = account
                .policy_set(&principal)
                .map_err(|e| report_principal_error(&e))?
                .clone();
            Ok(Policies::Set {
                set,
                label: Some(principal.to_string()),
            })
        }
        None if format == InputFormat::Requests => Err(report_with_help(
            "a request log names no principal: accounts need --principal here",
            "give --principal user/NAME or role/NAME; ActionTrail events carry their own",
        )),
        None => Ok(Policies::Account(account)),
    }
}

fn policy_set(args: &DiffArgs, paths: &[OsString]) -> Result<PolicySet, Reported> {
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
    for file in &args.control_policies {
        match load_policy(file) {
            Ok(policy) => builder = builder.control(policy),
            Err(Reported) => failed = true,
        }
    }
    if let Some(file) = &args.session_policy {
        match load_policy(file) {
            Ok(policy) => builder = builder.session(policy),
            Err(Reported) => failed = true,
        }
    }
    if failed {
        return Err(Reported);
    }
    build(builder)
}
