//! `ramguard restore`: one `RestoreInstance` call checked before it is made — RAM's decision
//! with its trace, the API's parameter errors, the instance-state checks, and what the restore
//! would do.

use std::path::{Path, PathBuf};

use clap::Args;
use ramguard::Explanation;
use ramguard::restore::{
    CallError, CheckStatus, InstanceCheck, InstanceError, InstanceState, Parameter, ParameterError,
    RestoreCall, RestoreParameters, RestorePlan, Validation,
};
use ramguard::value::Instant;
use serde::Serialize;

use super::common::{ContextArgs, Format, PolicyArgs, Reported, print_json, report_error};
use super::exit;

/// Check a RestoreInstance call before making it: whether RAM allows it, whether the API would
/// accept its parameters, and what it would do to the instance.
///
/// Exit status: 0 allowed and valid, 1 denied, 3 allowed but the API would reject the
/// parameters, 2 unusable input.
///
/// Examples:
///   ramguard restore --region cn-hangzhou --account-id 1234567890123456 --instance-id r-bp1stg01 \
///       --restore-type 1 --restore-time 2026-11-29T08:00:00Z --filter-key '^session:' \
///       --account policies/account.json --principal user/alice \
///       --context acs:MFAPresent=true --context acs:SourceIp=10.1.2.3 \
///       --instance policies/instances/r-bp1stg01.json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct RestoreArgs {
    /// The instance's region, e.g. cn-hangzhou.
    #[arg(long)]
    region: String,
    /// The account that owns the instance.
    #[arg(long = "account-id", value_name = "ID")]
    account_id: String,
    /// InstanceId.
    #[arg(long = "instance-id", value_name = "ID")]
    instance_id: String,
    /// RestoreType: 0 overwrites the whole instance with a backup set (the default), 1 restores
    /// to a point in time (data flashback).
    #[arg(long = "restore-type", value_name = "0|1")]
    restore_type: Option<String>,
    /// BackupId, for type 0.
    #[arg(long = "backup-id", value_name = "ID")]
    backup_id: Option<String>,
    /// RestoreTime (yyyy-MM-ddTHH:mm:ssZ), for type 1.
    #[arg(long = "restore-time", value_name = "T")]
    restore_time: Option<String>,
    /// FilterKey: comma-separated regular expressions of the keys to restore, for type 1.
    #[arg(long = "filter-key", value_name = "K")]
    filter_key: Option<String>,
    /// TimeShift (yyyy-MM-ddTHH:mmZ), for type 1.
    #[arg(long = "time-shift", value_name = "T")]
    time_shift: Option<String>,
    /// The instance's DescribeInstanceAttribute output (optionally with "DataFlashback"), for
    /// the checks of its state; without it they are reported as not checked.
    #[arg(long, value_name = "FILE")]
    instance: Option<PathBuf>,
    /// The submission time (RFC 3339), for the time rules and acs:CurrentTime; defaults to the
    /// clock.
    #[arg(long, value_name = "T", value_parser = parse_now)]
    now: Option<Instant>,
    #[command(flatten)]
    policies: PolicyArgs,
    #[command(flatten)]
    context: ContextArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn parse_now(s: &str) -> Result<Instant, String> {
    Instant::parse_rfc3339(s).map_err(|e| e.to_string())
}

pub(crate) fn run(args: RestoreArgs) -> u8 {
    check(&args).unwrap_or(exit::UNUSABLE)
}

/// The JSON report: `eval`'s fields, then the parameter errors, the instance-state checks and
/// the restore.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    explanation: &'a Explanation,
    parameter_errors: &'a [ParameterError],
    instance_checks: &'a [InstanceCheck],
    restore: Option<RestoreSummary<'a>>,
}

#[derive(Serialize)]
struct RestoreSummary<'a> {
    restore_type: &'static str,
    #[serde(flatten)]
    plan: &'a RestorePlan,
    resource: &'a str,
    submitted_at: String,
    overwrites_all_data: bool,
    summary: String,
}

fn check(args: &RestoreArgs) -> Result<u8, Reported> {
    let (builder, account) = args.policies.load_with_account()?;
    if let Some(account) = &account
        && account.id() != args.account_id
    {
        return Err(report_error(format_args!(
            "--account-id `{}` is not the account of --account (`{}`)\n  help: a principal of one account cannot restore another account's instance; give --account-id {}",
            args.account_id,
            account.id(),
            account.id()
        )));
    }
    let set = builder.build().map_err(report_error)?;
    let state = args.instance.as_deref().map(load_instance).transpose()?;
    let now = args.now.clone().unwrap_or_else(Instant::now);
    let call = RestoreCall::new(&args.region, &args.account_id, parameters(args)).at(now.clone());
    if let Some(state) = &state {
        call.check_instance(state).map_err(|e| {
            report_error(format_args!(
                "{e}\n  help: give the state of instance `{}`",
                args.instance_id
            ))
        })?;
    }
    let validation = call.parameters().validate(&now, state.as_ref());
    let request = match call.request_builder(&now) {
        Ok(builder) => args.context.apply(builder).build().map_err(report_error)?,
        Err(CallError::InstanceId) => {
            let reasons: Vec<String> = validation
                .errors
                .iter()
                .filter(|e| e.parameter == Parameter::InstanceId)
                .map(|e| format!("\n  {e}"))
                .collect();
            return Err(report_error(format_args!(
                "{}{}\n  help: give the instance's id, e.g. --instance-id r-bp1stg01",
                CallError::InstanceId,
                reasons.concat()
            )));
        }
        Err(e) => return Err(report_error(e)),
    };
    let explanation = set.explain(&request);
    let restore = validation.plan.as_ref().map(|plan| RestoreSummary {
        restore_type: plan.restore_type(),
        plan,
        resource: request.resource(),
        submitted_at: now.to_string(),
        overwrites_all_data: plan.overwrites_all_data(),
        summary: plan.to_string(),
    });
    match args.format {
        Format::Json => print_json(&Report {
            explanation: &explanation,
            parameter_errors: &validation.errors,
            instance_checks: &validation.instance_checks,
            restore,
        })?,
        Format::Text => print!(
            "{}",
            render_text(&explanation, &validation, state.as_ref(), restore.as_ref())
        ),
    }
    Ok(if !explanation.is_allowed() {
        exit::DENIED
    } else if !validation.is_valid() {
        exit::REJECTED_PARAMETERS
    } else {
        exit::OK
    })
}

fn parameters(args: &RestoreArgs) -> RestoreParameters {
    RestoreParameters {
        instance_id: Some(args.instance_id.clone()),
        backup_id: args.backup_id.clone(),
        restore_type: args.restore_type.clone(),
        restore_time: args.restore_time.clone(),
        filter_key: args.filter_key.clone(),
        time_shift: args.time_shift.clone(),
    }
}

fn load_instance(path: &Path) -> Result<InstanceState, Reported> {
    InstanceState::from_path(path).map_err(|e| match e {
        InstanceError::Source(e) => report_error(e),
        invalid => report_error(invalid),
    })
}

fn render_text(
    explanation: &Explanation,
    validation: &Validation,
    state: Option<&InstanceState>,
    restore: Option<&RestoreSummary<'_>>,
) -> String {
    let mut out = explanation.to_string();
    if validation.errors.is_empty() {
        out.push_str("\nparameters: valid\n");
    } else {
        let count = validation.errors.len();
        let plural = if count == 1 { "" } else { "s" };
        out.push_str(&format!(
            "\nparameters: the API would reject the call ({count} error{plural})\n"
        ));
        for e in &validation.errors {
            out.push_str(&format!(
                "  {}: {} (HTTP {}) \"{}\"\n    {}\n",
                e.parameter, e.code, e.http_status, e.message, e.reason
            ));
        }
    }
    match state {
        Some(state) => out.push_str(&format!(
            "\ninstance state: `{}` from {} (status `{}`, {})\n",
            state.instance_id, state.origin, state.status, state.flashback
        )),
        None => out.push_str(
            "\ninstance state: not checked (give --instance FILE with the instance's DescribeInstanceAttribute output)\n",
        ),
    }
    for c in &validation.instance_checks {
        let detail = if c.status == CheckStatus::NotChecked && state.is_none() {
            String::new()
        } else {
            format!(": {}", c.detail)
        };
        out.push_str(&format!("  {}: {}{detail}\n", c.code, c.status));
    }
    match restore {
        Some(r) => out.push_str(&format!(
            "\nrestore (RestoreType {}) of {}:\n  {}\n",
            r.restore_type, r.resource, r.summary
        )),
        None => out.push_str("\nrestore: unknown, `RestoreType` is invalid\n"),
    }
    out
}
