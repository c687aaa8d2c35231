//! Flags and loading shared by the subcommands: policies, accounts, input files and paths.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::arn::Arn;
use crate::eval::PolicySetBuilder;
use crate::policy::LoadError;
use crate::principal::{Account, AccountError, PrincipalError, PrincipalRef};
use crate::source::{SourceError, expand_paths};
use crate::{Policy, PolicySet};
use clap::{Args, ValueEnum};

use super::output::{Reported, report, report_all, report_source_error, report_with_help};

/// How a decision is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people: the decision, the deciding statements with their source, why others did
    /// not apply.
    Text,
    /// One JSON object, for scripts.
    Json,
}

/// Parses a `KEY=VALUE` flag value (`--assume`, `--require`): the key before the first `=`,
/// which must not be empty, and the value after it, as text.
pub(crate) fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!(
            "expected KEY=VALUE, e.g. acs:SourceVpc=vpc-ops01, found `{s}`"
        )),
    }
}

/// Policy files by layer.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// An identity policy attached at account scope, e.g. policies/dba-restore.json
    /// (repeatable; `-` for stdin). None means nothing is attached: every request is
    /// implicitly denied.
    #[arg(long = "policy", value_name = "FILE")]
    pub(crate) policies: Vec<PathBuf>,
    /// A Resource Directory control policy, e.g. policies/guardrails/no-prod-restore.json
    /// (repeatable); when any is given, it must allow too.
    #[arg(long = "control-policy", value_name = "FILE")]
    pub(crate) control_policies: Vec<PathBuf>,
    /// The STS session policy of a role session, e.g. policies/restore-bot-session.json; it
    /// must allow too.
    #[arg(long = "session-policy", value_name = "FILE")]
    pub(crate) session_policy: Option<PathBuf>,
    /// An account file (users, groups, roles, their policies, control policies), e.g.
    /// policies/account.json; with --principal, the policies are that principal's.
    #[arg(
        long,
        value_name = "FILE",
        requires = "principal",
        conflicts_with = "policies"
    )]
    pub(crate) account: Option<PathBuf>,
    /// The principal of --account whose policies are evaluated, e.g. user/alice or
    /// role/restore-bot.
    #[arg(long, value_name = "user/NAME|role/NAME", requires = "account")]
    pub(crate) principal: Option<String>,
}

/// Loads one policy file (stdin for `-`, a built-in system policy for `system:NAME`),
/// reporting every error with its position.
pub(crate) fn load_policy(path: &Path) -> Result<Policy, Reported> {
    Policy::load(path).map_err(|e| match e {
        // Already rendered as `error[code]: …` with its position and help.
        LoadError::Invalid(invalid) => report_all(&invalid.diagnostics()),
        LoadError::Source(e) => report_source_error(&e),
        e @ LoadError::UnknownSystemPolicy { .. } => report_with_help(&e, e.help()),
    })
}

impl PolicyArgs {
    /// The files these flags read, with their flag, for [`refuse_stdin_twice`].
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

    /// Loads every policy into a builder, each in its layer, with the account the policies came
    /// from, if any. All files are read, so that every broken one is reported at once.
    pub(crate) fn load_with_account(
        &self,
    ) -> Result<(PolicySetBuilder, Option<Account>), Reported> {
        let (mut builder, account) = match (&self.account, &self.principal) {
            (Some(path), Some(principal)) => {
                let (builder, account) =
                    account_builder(path, principal, self.session_policy.is_some())?;
                (builder, Some(account))
            }
            _ => (PolicySet::builder(), None),
        };
        let mut failed = false;
        let mut load = |path: &Path| load_policy(path).map_err(|_| failed = true).ok();
        let identity: Vec<_> = self.policies.iter().filter_map(|p| load(p)).collect();
        let control: Vec<_> = self
            .control_policies
            .iter()
            .filter_map(|p| load(p))
            .collect();
        let session = self.session_policy.as_deref().and_then(&mut load);
        if failed {
            return Err(Reported);
        }
        for policy in identity {
            builder = builder.identity(policy);
        }
        for policy in control {
            builder = builder.control(policy);
        }
        if let Some(policy) = session {
            builder = builder.session(policy);
        }
        Ok((builder, account))
    }
}

/// Prints a principal error with its help line.
pub(crate) fn report_principal_error(e: &PrincipalError) -> Reported {
    report(e.diagnostic())
}

/// The policies of a principal of an account file. A session policy applies to role sessions
/// only, so it is refused for a user.
fn account_builder(
    path: &Path,
    principal: &str,
    with_session_policy: bool,
) -> Result<(PolicySetBuilder, Account), Reported> {
    let principal = PrincipalRef::parse(principal).map_err(|e| report_principal_error(&e))?;
    if with_session_policy && !principal.is_role() {
        return Err(report_with_help(
            format_args!("--session-policy applies to role sessions, but `{principal}` is a user"),
            "drop --session-policy, or give --principal role/NAME",
        ));
    }
    let account = load_account(path)?;
    let builder = account
        .policy_set(&principal)
        .map_err(|e| report_principal_error(&e))?;
    Ok((builder, account))
}

/// Loads an account file, reporting every error with its position.
pub(crate) fn load_account(path: &Path) -> Result<Account, Reported> {
    Account::from_path(path).map_err(|e| report_account_error(&e))
}

/// Prints an account that cannot be used: every error, located, with its fix.
pub(crate) fn report_account_error(e: &AccountError) -> Reported {
    match e {
        // Already rendered as `error[code]: …` with its position and help.
        AccountError::Invalid(invalid) => report_all(&invalid.diagnostics()),
        AccountError::Source(e) => report_source_error(e),
    }
}

/// Refuses a resource of another account than the account file's: a RAM principal's
/// policies never grant access to another account's resources (kvstore has no resource
/// policies), so answering from them would allow what RAM denies.
pub(crate) fn same_account(account_id: &str, resource: &str) -> Result<(), Reported> {
    match Arn::parse(resource) {
        Ok(arn) if !arn.account.is_empty() && arn.account != account_id => Err(report_with_help(
            format_args!(
                "the resource `{resource}` belongs to account `{}`, but --account describes account `{account_id}`",
                arn.account,
            ),
            format_args!(
                "a principal of one account cannot act on another account's resources; give a resource of account {account_id}, or the account file of account {}",
                arn.account
            ),
        )),
        _ => Ok(()),
    }
}

/// Refuses stdin (`-`) for two inputs: the second would read nothing and fail confusingly.
pub(crate) fn refuse_stdin_twice(inputs: &[(&str, &Path)]) -> Result<(), Reported> {
    let mut stdin = inputs.iter().filter(|(_, path)| path.as_os_str() == "-");
    match (stdin.next(), stdin.next()) {
        (Some((first, _)), Some((second, _))) => {
            let default = if *second == "--input" {
                " (--input reads stdin unless it is given a FILE)"
            } else {
                ""
            };
            Err(report_with_help(
                format_args!("stdin (`-`) is given to both {first} and {second}"),
                format_args!("stdin can be read once: save one of the two to a file{default}"),
            ))
        }
        _ => Ok(()),
    }
}

/// Opens an input file, or stdin for `-`.
pub(crate) fn open_input(path: &Path) -> Result<Box<dyn std::io::Read>, Reported> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    // Opening a directory succeeds on Unix; reading it would fail later, less clearly.
    if path.is_dir() {
        return Err(report_with_help(
            format_args!("cannot read `{}`: it is a directory", path.display()),
            "give a JSON Lines file, or `-` for stdin",
        ));
    }
    std::fs::File::open(path)
        .map(|f| Box::new(f) as Box<dyn std::io::Read>)
        .map_err(|source| {
            report_source_error(&SourceError::Io {
                path: path.display().to_string(),
                source,
            })
        })
}

/// Expands PATH arguments (files, directories, globs) into files, one argument at a time so
/// that a directory without a `*.json` file is an error rather than silently nothing to do
/// (a CI job pointed at the wrong directory must not pass). A name that is not UTF-8 cannot
/// be a glob, so it must name a file.
pub(crate) fn expand_args(args: &[OsString]) -> Result<Vec<PathBuf>, Reported> {
    let mut files = Vec::new();
    for arg in args {
        let Some(text) = arg.to_str() else {
            let path = PathBuf::from(arg);
            if path.is_file() {
                files.push(path);
                continue;
            }
            return Err(report_with_help(
                format_args!("`{}` is not a file", path.display()),
                "a name that is not UTF-8 cannot be a directory or a glob: name a file",
            ));
        };
        let found = expand_paths(std::slice::from_ref(&text.to_string())).map_err(|e| match e {
            // A plain name that names nothing is a wrong path, not a glob to quote.
            SourceError::NoMatch { .. } if !text.contains(['*', '?', '[']) => report(
                e.diagnostic()
                    .with_help("check the path: it is relative to the current directory"),
            ),
            e => report_source_error(&e),
        })?;
        if found.is_empty() {
            return Err(report_with_help(
                format_args!("`{text}` holds no `*.json` file"),
                "give the directory that holds the files, or a glob such as `'policies/**/*.json'`",
            ));
        }
        files.extend(found);
    }
    // A file named twice (by two arguments, or through a link) is checked once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| {
        file.as_os_str() == "-" || seen.insert(std::fs::canonicalize(file).unwrap_or(file.clone()))
    });
    Ok(files)
}
