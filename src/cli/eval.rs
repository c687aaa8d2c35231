//! `ramguard eval`: one request against policies, with the decision and its trace.

use crate::request::RequestWarning;
use crate::{Explanation, Verdict};
use clap::Args;
use serde::Serialize;

use super::common::{Format, PolicyArgs, refuse_stdin_twice, same_account};
use super::exit;
use super::output::{Reported, print_json, report_error, write_text};
use super::request::RequestArgs;

/// Evaluate one request against policies and explain the decision.
///
/// Exit status: 0 allowed, 1 denied (explicitly or implicitly), 2 unusable input (bad flags,
/// an unreadable file, an invalid policy or request).
///
/// Examples:
///   ramguard eval --policy policies/dba-restore.json \
///       --request policies/requests/dba-restore-staging.json
///   ramguard eval --control-policy policies/guardrails/no-prod-restore.json \
///       --policy policies/prod-restore.json --action kvstore:RestoreInstance \
///       --resource acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01 \
///       --context acs:MFAPresent=true --format json
///   ramguard eval --account policies/account.json --principal user/alice \
///       --request policies/requests/dba-restore-prod.json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct EvalArgs {
    #[command(flatten)]
    policies: PolicyArgs,
    #[command(flatten)]
    request: RequestArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(crate) fn run(args: EvalArgs) -> u8 {
    match evaluate(&args) {
        Ok(verdict) if verdict.is_allowed() => exit::OK,
        Ok(_) => exit::DENIED,
        Err(Reported) => exit::UNUSABLE,
    }
}

fn evaluate(args: &EvalArgs) -> Result<Verdict, Reported> {
    let mut inputs = args.policies.inputs();
    inputs.extend(args.request.request.as_deref().map(|p| ("--request", p)));
    refuse_stdin_twice(&inputs)?;
    let (builder, account) = args.policies.load_with_account()?;
    let set = builder.build().map_err(report_error)?;
    let request = args.request.load()?;
    if let Some(account) = &account {
        same_account(account.id(), request.resource())?;
    }
    let explanation = set.explain(&request);
    match args.format {
        Format::Json => print_json(&Report {
            explanation: &explanation,
            warnings: request.warnings(),
        })?,
        Format::Text => write_text(&explanation.to_string())?,
    }
    Ok(explanation.decision)
}

/// The JSON report: the explanation, and the doubts about the request (also on stderr).
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    explanation: &'a Explanation,
    warnings: Vec<RequestWarning>,
}
