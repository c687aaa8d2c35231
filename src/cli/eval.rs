//! `ramguard eval`: one request against policies, with the decision and its trace.

use clap::Args;
use ramguard::Verdict;

use super::common::{Format, PolicyArgs, Reported, RequestArgs, print_json, report_error};
use super::exit;

/// Evaluate one request against policies and explain the decision.
///
/// Examples:
///   ramguard eval --policy policies/dba-restore.json --request policies/requests/dba-restore-staging.json
///   ramguard eval --policy p.json --action kvstore:RestoreInstance \
///       --resource acs:kvstore:cn-hangzhou:1234567890123456:instance/r-1 --context acs:MFAPresent=true
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
    let set = args.policies.load()?.build().map_err(report_error)?;
    let request = args.request.load()?;
    let explanation = set.explain(&request);
    match args.format {
        Format::Json => print_json(&explanation)?,
        Format::Text => print!("{explanation}"),
    }
    Ok(explanation.decision)
}
