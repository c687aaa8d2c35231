//! The flags `batch` and `diff` share: the log and how to read it (format, limits, assumed
//! context), and the principals whose policies decide it.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::account::CompiledAccount;
use crate::eval::PolicySetBuilder;
use crate::ingest::actiontrail::EventMapping;
use crate::principal::PrincipalRef;
use crate::replay::{InputError, InputFormat, ItemReader, Limits, Policies, RunError};

use super::common::{
    PolicyArgs, open_input, parse_key_value, report_account_error, report_principal_error,
};
use super::output::{Reported, report, report_error, report_with_help};

/// A log being read.
pub(crate) type LogReader = ItemReader<BufReader<Box<dyn std::io::Read>>>;

/// The log and how it is read.
#[derive(Debug, Args)]
pub(crate) struct LogArgs {
    /// The log, e.g. requests.jsonl or events.json: request objects one per line, or
    /// ActionTrail events (one per line, bare or in a Simple Log Service record's `event`; or an
    /// array, a LookupEvents response or a {"Records": […]} document); `-` for stdin.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub(crate) input: PathBuf,
    /// What the log holds: auto tells it from the first line that is JSON.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = LogFormat::Auto)]
    pub(crate) input_format: LogFormat,
    /// The longest line decided, in bytes, e.g. 4194304; a longer line is an error record, and
    /// a line 16 times longer with no end stops the run.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_line_bytes,
        value_parser = parse_size)]
    pub(crate) max_line_bytes: usize,
    /// A context value ActionTrail does not record, given to every event that lacks the key,
    /// e.g. acs:SourceVpc=vpc-ops01 (repeatable; repeat a key for a list).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub(crate) assume: Vec<(String, String)>,
}

/// The values of `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// Tell requests from events by the first line that is JSON.
    Auto,
    /// Request objects, one per line, as `eval --request` reads them.
    Requests,
    /// ActionTrail events.
    Actiontrail,
}

fn parse_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "expected a number of bytes, e.g. 1048576, found `{s}`"
        )),
    }
}

impl LogArgs {
    /// Opens the log and tells its format.
    pub(crate) fn open(&self) -> Result<(LogReader, InputFormat), Reported> {
        let input = open_input(&self.input)?;
        let format = match self.input_format {
            LogFormat::Auto => None,
            LogFormat::Requests => Some(InputFormat::Requests),
            LogFormat::Actiontrail => Some(InputFormat::ActionTrail),
        };
        let limits = Limits {
            max_line_bytes: self.max_line_bytes,
            ..Limits::default()
        };
        let mut reader = ItemReader::new(BufReader::new(input), format, limits);
        let format = reader
            .format()
            .and_then(|format| reader.check_start().map(|()| format))
            .map_err(|e| report_input_error(&self.input, &e))?;
        if format == InputFormat::Requests && !self.assume.is_empty() {
            return Err(report_with_help(
                "--assume applies to ActionTrail events, but the input holds requests",
                "give the keys in each request's `context`, or --input-format actiontrail",
            ));
        }
        Ok((reader, format))
    }

    /// The event mapping, with the `--assume` values checked as a request would check them.
    pub(crate) fn mapping(&self) -> Result<EventMapping, Reported> {
        let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
        for (key, value) in &self.assume {
            match grouped.iter_mut().find(|(k, _)| k == key) {
                Some((_, values)) => values.push(value),
                None => grouped.push((key, vec![value])),
            }
        }
        let mut mapping = EventMapping::new();
        for (key, values) in grouped {
            mapping = mapping.assume(key, values);
        }
        mapping.check().map_err(|e| report(e.diagnostic()))?;
        Ok(mapping)
    }
}

/// The principals whose policies decide a log: policy files, or an account and, for a request
/// log, one of its principals.
#[derive(Debug, Args)]
pub(crate) struct ReplayPolicyArgs {
    /// An identity policy attached at account scope, e.g. policies/dba-restore.json
    /// (repeatable).
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// A Resource Directory control policy, e.g. policies/guardrails/no-prod-restore.json
    /// (repeatable); when any is given, it must allow too.
    #[arg(long = "control-policy", value_name = "FILE")]
    control_policies: Vec<PathBuf>,
    /// The STS session policy of a role session, e.g. policies/restore-bot-session.json.
    #[arg(long = "session-policy", value_name = "FILE")]
    session_policy: Option<PathBuf>,
    /// An account file, e.g. policies/account.json: ActionTrail events are decided by their
    /// own principal's policies; a request log needs --principal.
    #[arg(long, value_name = "FILE", conflicts_with = "policies")]
    account: Option<PathBuf>,
    /// Decide every item as this principal of --account, e.g. user/alice or role/restore-bot.
    #[arg(long, value_name = "user/NAME|role/NAME", requires = "account")]
    principal: Option<String>,
}

impl ReplayPolicyArgs {
    /// The files these flags read, for `refuse_stdin_twice`.
    pub(crate) fn inputs(&self) -> Vec<(&'static str, &Path)> {
        let mut inputs: Vec<(&'static str, &Path)> = Vec::new();
        inputs.extend(self.policies.iter().map(|p| ("--policy", p.as_path())));
        inputs.extend(
            self.control_policies
                .iter()
                .map(|p| ("--control-policy", p.as_path())),
        );
        inputs.extend(
            self.session_policy
                .as_deref()
                .map(|p| ("--session-policy", p)),
        );
        inputs.extend(self.account.as_deref().map(|p| ("--account", p)));
        inputs
    }

    fn as_policy_args(&self) -> PolicyArgs {
        PolicyArgs {
            policies: self.policies.clone(),
            control_policies: self.control_policies.clone(),
            session_policy: self.session_policy.clone(),
            account: self.account.clone(),
            principal: self.principal.clone(),
        }
    }

    /// The policies that decide a log of `format`.
    pub(crate) fn load(&self, format: InputFormat) -> Result<Policies, Reported> {
        match (&self.account, &self.principal) {
            (Some(path), None) => {
                if format == InputFormat::Requests {
                    return Err(report_with_help(
                        "a request log names no principal: --account needs --principal here",
                        "give --principal user/NAME or role/NAME; ActionTrail events carry their own",
                    ));
                }
                if !self.control_policies.is_empty() || self.session_policy.is_some() {
                    return Err(report_with_help(
                        "--control-policy and --session-policy apply to one principal",
                        "put control policies in the account file, or give --principal",
                    ));
                }
                let account =
                    CompiledAccount::from_path(path).map_err(|e| report_account_error(&e))?;
                Ok(Policies::Account(account))
            }
            _ => {
                let (builder, _) = self.as_policy_args().load_with_account()?;
                let label = match &self.principal {
                    Some(p) => Some(
                        PrincipalRef::parse(p)
                            .map_err(|e| report_principal_error(&e))?
                            .to_string(),
                    ),
                    None => None,
                };
                Ok(Policies::Set {
                    set: build(builder)?,
                    label,
                })
            }
        }
    }
}

pub(crate) fn build(builder: PolicySetBuilder) -> Result<crate::PolicySet, Reported> {
    builder.build().map_err(report_error)
}

/// Reports a log that cannot be replayed.
pub(crate) fn report_input_error(input: &Path, e: &InputError) -> Reported {
    report_with_help(
        format_args!("cannot replay `{}`: {e}", input.display()),
        e.help(),
    )
}

/// Reports a run that stopped; `None` when the reader of the output went away (`| head`),
/// which is how a pipe ends, not an error.
pub(crate) fn report_run_error(input: &Path, e: &RunError) -> Option<Reported> {
    match e {
        RunError::Output(e) if super::output::is_broken_pipe(e) => None,
        RunError::Output(e) => Some(report_error(format!("cannot write the output: {e}"))),
        RunError::Input(e) => Some(report_with_help(
            format_args!(
                "stopped reading `{}`: {e}; the lines before were answered",
                input.display()
            ),
            e.help(),
        )),
    }
}
