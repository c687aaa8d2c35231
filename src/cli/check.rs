//! `ramguard check`: lint policy files for CI, with text, JSON or SARIF output.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use ramguard::lint::{CheckOptions, CheckRun, Config, RULES, rule};
use ramguard::report::ReportFormat;
use ramguard::source::expand_paths;

use super::common::{Reported, report_error};
use super::exit;

/// Check policy files as RAM's validator would, and more: errors RAM would refuse, security
/// warnings about restores, warnings and suggestions, each with its position and a fix.
///
/// PATH is a file, a directory (every *.json below it) or a glob. Request, decision-test and
/// account files found there are skipped. Settings and suppressions are read from the nearest
/// ramguard.toml up to the repository root.
///
/// Exit status: 0 no error findings (and, with --deny-warnings, no warnings), 1 findings,
/// 2 a path that cannot be read or bad flags.
///
/// Examples:
///   ramguard check policies/
///   ramguard check 'policies/**/*.json' --format sarif > ramguard.sarif
///   ramguard check --session-policy policies/restore-bot-session.json policies/
///   ramguard check --explain restore-on-every-instance
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct CheckArgs {
    /// Files, directories or globs to check.
    #[arg(value_name = "PATH", required_unless_present_any = ["explain", "session_policies", "control_policies"])]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Fail (exit 1) on warnings and security warnings too, not only on errors.
    #[arg(long)]
    deny_warnings: bool,
    /// A session policy, held to RAM's 1,024-character limit (repeatable; checked even if not
    /// under a PATH).
    #[arg(long = "session-policy", value_name = "FILE")]
    session_policies: Vec<String>,
    /// A Resource Directory control policy: its Allow statements bound rather than grant
    /// (repeatable; checked even if not under a PATH).
    #[arg(long = "control-policy", value_name = "FILE")]
    control_policies: Vec<String>,
    /// The configuration file, instead of looking for ramguard.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Read no ramguard.toml.
    #[arg(long)]
    no_config: bool,
    /// Print the documentation of a finding code and exit.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// For people: each finding with its source line underlined.
    Text,
    /// One JSON object: files, findings, counts.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

pub(crate) fn run(args: CheckArgs) -> u8 {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    match check(&args) {
        Ok(run) if run.fails(args.deny_warnings) => exit::DENIED,
        Ok(_) => exit::OK,
        Err(Reported) => exit::UNUSABLE,
    }
}

fn explain(code: &str) -> u8 {
    match rule(code) {
        Some(rule) => {
            print!("{}", rule.explanation());
            exit::OK
        }
        None => {
            let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
            report_error(format!(
                "unknown finding code `{code}`\n  help: the codes are: {}",
                codes.join(", ")
            ));
            exit::UNUSABLE
        }
    }
}

fn check(args: &CheckArgs) -> Result<CheckRun, Reported> {
    let config = if args.no_config {
        None
    } else if let Some(path) = &args.config {
        Some(Config::load(path).map_err(report_error)?)
    } else {
        Config::discover(Path::new(".")).map_err(report_error)?
    };
    let session_policies = expand_paths(&args.session_policies).map_err(report_error)?;
    let control_policies = expand_paths(&args.control_policies).map_err(report_error)?;
    let mut files = expand_paths(&args.paths).map_err(report_error)?;
    // Files named only as session or control policies are checked too, once.
    for extra in session_policies.iter().chain(&control_policies) {
        if !files.contains(extra) {
            files.push(extra.clone());
        }
    }
    let options = CheckOptions {
        session_policies,
        control_policies,
        config,
    };
    let run = CheckRun::check(&files, &options).map_err(report_error)?;
    let format = match args.format {
        CheckFormat::Text => ReportFormat::Text,
        CheckFormat::Json => ReportFormat::Json,
        CheckFormat::Sarif => ReportFormat::Sarif,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format
        .emitter()
        .emit(&run, &mut out)
        .and_then(|()| out.flush())
    {
        // A reader that stopped early (`| head`) wanted no more; the exit status still counts.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(report_error(format!("cannot write the report: {e}")))
        }
        _ => Ok(run),
    }
}
