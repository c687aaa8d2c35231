//! Flags and loading shared by the subcommands: policies, requests, output formats.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use ramguard::eval::PolicySetBuilder;
use ramguard::policy::LoadError;
use ramguard::principal::{Account, AccountError, PrincipalError, PrincipalRef};
use ramguard::request::{ContextInput, RequestBuilder};
use ramguard::source::read_source;
use ramguard::{Policy, PolicySet, Request};

/// How a decision is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people: the decision, the deciding statement with its source, why others did not apply.
    Text,
    /// One JSON object, RAM's field names for denials.
    Json,
}

/// Policy files by layer.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// An identity policy attached at account scope (repeatable). None means nothing is
    /// attached: every request is implicitly denied.
    #[arg(long = "policy", value_name = "FILE")]
    pub(crate) policies: Vec<PathBuf>,
    /// A Resource Directory control policy (repeatable); when any is given, it must allow too.
    #[arg(long = "control-policy", value_name = "FILE")]
    pub(crate) control_policies: Vec<PathBuf>,
    /// The STS session policy of a role session; it must allow too.
    #[arg(long = "session-policy", value_name = "FILE")]
    pub(crate) session_policy: Option<PathBuf>,
    /// An account file (users, groups, roles, their policies, control policies); with
    /// --principal, the policies are that principal's.
    #[arg(
        long,
        value_name = "FILE",
        requires = "principal",
        conflicts_with = "policies"
    )]
    pub(crate) account: Option<PathBuf>,
    /// The principal of --account whose policies are evaluated: user/NAME or role/NAME.
    #[arg(long, value_name = "user/NAME|role/NAME", requires = "account")]
    pub(crate) principal: Option<String>,
}

/// The request: a file, or the action, resource and context as flags.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// A request file: {"action": …, "resource": …, "context": {key: value or [values]}}.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["action", "resource"])]
    pub(crate) request: Option<PathBuf>,
    /// The action, e.g. kvstore:RestoreInstance.
    #[arg(long, requires = "resource")]
    pub(crate) action: Option<String>,
    /// The resource ARN, e.g. acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01.
    #[arg(long, requires = "action")]
    pub(crate) resource: Option<String>,
    #[command(flatten)]
    pub(crate) context: ContextArgs,
}

/// Condition keys given on the command line.
#[derive(Debug, Args)]
pub(crate) struct ContextArgs {
    /// A condition key and value, e.g. acs:SourceIp=10.1.2.3 or acs:MFAPresent=true
    /// (repeatable; repeat a key for a list of values). Added to a --request file's context.
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_context)]
    pub(crate) context: Vec<(String, String)>,
}

fn parse_context(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!(
            "expected KEY=VALUE, e.g. acs:SourceIp=10.1.2.3, found `{s}`"
        )),
    }
}

/// A failure already explained to the user; the subcommand exits with [`super::exit::UNUSABLE`].
#[derive(Debug)]
pub(crate) struct Reported;

/// Prints an error for unusable input.
pub(crate) fn report_error(message: impl std::fmt::Display) -> Reported {
    eprintln!("error: {message}");
    Reported
}

/// Loads one policy file, reporting every error with its position.
pub(crate) fn load_policy(path: &Path) -> Result<Policy, Reported> {
    Policy::from_path(path).map_err(|e| match e {
        // Already rendered as `error[code]: …` with its position and help.
        LoadError::Invalid(invalid) => {
            eprintln!("{invalid}");
            Reported
        }
        LoadError::Source(e) => report_error(e),
    })
}

impl PolicyArgs {
    /// Loads every policy into a builder, each in its layer. All files are read, so that every
    /// broken one is reported at once.
    pub(crate) fn load(&self) -> Result<PolicySetBuilder, Reported> {
        self.load_with_account().map(|(builder, _)| builder)
    }

    /// As [`PolicyArgs::load`], with the account the policies came from, if any.
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

/// The policies of a principal of an account file. A session policy applies to role sessions
/// only, so it is refused for a user.
fn account_builder(
    path: &Path,
    principal: &str,
    with_session_policy: bool,
) -> Result<(PolicySetBuilder, Account), Reported> {
    let with_help = |e: PrincipalError| report_error(format_args!("{e}\n  help: {}", e.help()));
    let principal = PrincipalRef::parse(principal).map_err(with_help)?;
    if with_session_policy && !principal.is_role() {
        return Err(report_error(format_args!(
            "--session-policy applies to role sessions, but `{principal}` is a user\n  help: drop --session-policy, or give --principal role/NAME"
        )));
    }
    let account = load_account(path)?;
    let builder = account.policy_set(&principal).map_err(with_help)?;
    Ok((builder, account))
}

/// Loads an account file, reporting every error with its position.
pub(crate) fn load_account(path: &Path) -> Result<Account, Reported> {
    Account::from_path(path).map_err(|e| match e {
        // Already rendered as `file:line:column: error[code]: …` with its help.
        AccountError::Invalid(invalid) => {
            eprintln!("{invalid}");
            Reported
        }
        AccountError::Source(e) => report_error(e),
    })
}

impl RequestArgs {
    /// Reads the request from the file or the flags.
    pub(crate) fn load(&self) -> Result<Request, Reported> {
        let builder = match (&self.request, &self.action, &self.resource) {
            (Some(path), _, _) => {
                let source = read_source(path).map_err(report_error)?;
                let request = Request::from_json_text(source.text())
                    .map_err(|e| report_error(e.located(&source)))?;
                if self.context.context.is_empty() {
                    return Ok(request);
                }
                request_builder_from(&request)
            }
            (None, Some(action), Some(resource)) => Request::builder(action, resource),
            _ => {
                return Err(report_error(
                    "give the request: --request FILE, or --action A --resource ARN",
                ));
            }
        };
        self.context.apply(builder).build().map_err(report_error)
    }
}

/// A builder holding a request's action, resource and context, to add flags to.
fn request_builder_from(request: &Request) -> RequestBuilder {
    let mut builder = Request::builder(request.action(), request.resource());
    for (key, values) in request.context().iter() {
        let inputs: Vec<ContextInput> = values.iter().map(|v| v.input().clone()).collect();
        builder = builder.context(key, inputs);
    }
    builder
}

impl ContextArgs {
    /// Adds the --context flags to a request; a key given several times gets a list of values.
    pub(crate) fn apply(&self, mut builder: RequestBuilder) -> RequestBuilder {
        let mut keys: Vec<&str> = Vec::new();
        for (key, _) in &self.context {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
        for key in keys {
            let values: Vec<&str> = self
                .context
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            builder = builder.context(key, values);
        }
        builder
    }
}

/// Prints a value as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Reported> {
    let text = serde_json::to_string_pretty(value).map_err(report_error)?;
    println!("{text}");
    Ok(())
}

/// Opens an input file, or stdin for `-`.
pub(crate) fn open_input(path: &Path) -> Result<Box<dyn std::io::Read>, Reported> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    std::fs::File::open(path)
        .map(|f| Box::new(f) as Box<dyn std::io::Read>)
        .map_err(|e| report_error(format!("cannot read `{}`: {e}", path.display())))
}
