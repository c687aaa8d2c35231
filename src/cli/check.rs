//! `ramguard check`: lint policy files for CI, with text, JSON or SARIF output.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::lint::{CheckOptions, CheckRun, Config, ConfigError, RULES, rule};
use crate::report::{Emitter, ReportFormat, TextEmitter};
use crate::value::Timestamp;
use clap::{Args, ValueEnum};

use super::common::expand_args;
use super::exit;
use super::output::{
    Reported, colored_stdout, is_broken_pipe, report, report_error, report_source_error,
    report_with_help, stdout, write_stdout,
};

/// Check policy files as RAM's validator would, and more: errors RAM would refuse, security
/// warnings about restores, warnings and suggestions, each with its position and a fix.
///
/// PATH is a file, a directory (every *.json below it) or a glob. Request, decision-test and
/// account files found there are skipped. Settings and suppressions are read from the nearest
/// ramguard.toml up to the repository root.
///
/// Exit status: 0 no error findings (and, with --deny-warnings, no warnings), 1 findings,
/// 2 a path that cannot be read, a directory without *.json files, or bad flags. A malformed
/// policy is a finding (exit 1).
///
/// Examples:
///   ramguard check policies/
///   ramguard check 'policies/**/*.json' --format sarif > ramguard.sarif
///   ramguard check --session-policy policies/restore-bot-session.json policies/
///   ramguard check --explain restore-on-every-instance
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct CheckArgs {
    /// Files, directories or globs to check, e.g. policies/ or 'policies/**/*.json'.
    #[arg(value_name = "PATH", required_unless_present_any = ["explain", "session_policies", "control_policies"])]
    paths: Vec<OsString>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Fail (exit 1) on warnings and security warnings too, not only on errors.
    #[arg(long)]
    deny_warnings: bool,
    /// A session policy, held to RAM's 1,024-character limit (repeatable; checked even if not
    /// under a PATH).
    #[arg(long = "session-policy", value_name = "FILE")]
    session_policies: Vec<OsString>,
    /// A Resource Directory control policy: its Allow statements bound rather than grant
    /// (repeatable; checked even if not under a PATH).
    #[arg(long = "control-policy", value_name = "FILE")]
    control_policies: Vec<OsString>,
    /// The configuration file, instead of looking for ramguard.toml, e.g. ramguard.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Read no ramguard.toml.
    #[arg(long)]
    no_config: bool,
    /// Print the documentation of a finding code and exit, e.g. restore-on-every-instance.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// The time grants are judged at (RFC 3339), for `expired-grant`, e.g.
    /// 2026-11-29T09:30:00Z; defaults to the clock.
    #[arg(long, value_name = "T", value_parser = parse_now)]
    now: Option<Timestamp>,
}

fn parse_now(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(s).map_err(|e| e.to_string())
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
        Some(rule) => match write_stdout(&rule.explanation()) {
            Ok(()) => exit::OK,
            Err(Reported) => exit::UNUSABLE,
        },
        None => {
            let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
            report_with_help(
                format_args!("unknown finding code `{code}`"),
                format_args!("the codes are: {}", codes.join(", ")),
            );
            exit::UNUSABLE
        }
    }
}

fn config_error(e: ConfigError) -> Reported {
    report(e.diagnostic())
}

fn check(args: &CheckArgs) -> Result<CheckRun, Reported> {
    let config = if args.no_config {
        None
    } else if let Some(path) = &args.config {
        Some(Config::load(path).map_err(config_error)?)
    } else {
        Config::discover(Path::new(".")).map_err(config_error)?
    };
    let session_policies = expand_args(&args.session_policies)?;
    let control_policies = expand_args(&args.control_policies)?;
    let mut files = expand_args(&args.paths)?;
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
        now: args.now.clone(),
    };
    let run = CheckRun::check(&files, &options).map_err(|e| report_source_error(&e.0))?;
    // Text is coloured on a terminal; JSON and SARIF are for tools, never coloured.
    let (emitter, mut out): (Box<dyn Emitter>, _) = match args.format {
        CheckFormat::Text => (Box::new(TextEmitter::colored()), colored_stdout()),
        CheckFormat::Json => (ReportFormat::Json.emitter(), stdout()),
        CheckFormat::Sarif => (ReportFormat::Sarif.emitter(), stdout()),
    };
    match emitter.emit(&run, &mut out).and_then(|()| out.flush()) {
        // A reader that stopped early (`| head`) wanted no more; the exit status still counts.
        Err(e) if !is_broken_pipe(&e) => Err(report_error(format!("cannot write the report: {e}"))),
        _ => Ok(run),
    }
}
