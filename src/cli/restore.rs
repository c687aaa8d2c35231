//! `ramguard restore`: one `RestoreInstance` call checked before it is made — RAM's decision
//! with its trace, the API's parameter errors, the instance-state checks, and what the restore
//! would do.

use std::path::{Path, PathBuf};

use crate::Explanation;
use crate::pattern::fold_case;
use crate::request::{ALWAYS_KNOWN_KEYS, CURRENT_TIME_KEY, RequestWarning};
use crate::restore::{
    self, CallError, CheckStatus, Clearance, InstanceCheck, InstanceState, Parameter,
    ParameterError, Reason, RestoreCall, RestoreParameters, RestorePlan, Validation,
};
use crate::value::Timestamp;
use clap::Args;
use serde::Serialize;

use super::common::{Format, PolicyArgs, refuse_stdin_twice};
use super::exit;
use super::output::{Reported, print_json, report, report_error, report_with_help, write_text};
use super::request::{ContextArgs, report_request_error, warn_request};

/// Check a RestoreInstance call before making it: whether RAM allows it, whether the API would
/// accept its parameters, and what it would do to the instance.
///
/// The answer is the library guard's (`crate::restore::guard`): exit 0 only when it would
/// permit the restore, that is when RAM allows it whatever the keys the call lacks, the API would
/// accept the parameters, and the instance's state (--instance) was checked and passed.
///
/// Exit status: 0 permitted; 1 denied; 3 allowed, but the API would reject the parameters or
/// the instance's state; 4 allowed and valid, but not cleared: the instance's state was not
/// checked (no --instance), or RAM's decision depends on condition keys the call lacks (give
/// them with --context, or --absent KEY when the real call has none); 2 unusable input (bad
/// flags, an unreadable file, an invalid policy).
///
/// Examples:
///   ramguard restore --region cn-hangzhou --account-id 1234567890123456 \
///       --instance-id r-bp1stg01 --restore-type 1 --restore-time 2026-11-29T08:00:00Z \
///       --filter-key '^session:' --now 2026-11-29T09:30:00Z \
///       --account policies/account.json --principal user/alice \
///       --context acs:MFAPresent=true --context acs:SourceIp=10.1.2.3 \
///       --context acs:SecureTransport=true --instance policies/instances/r-bp1stg01.json
///   ramguard restore --region cn-hangzhou --account-id 1234567890123456 \
///       --instance-id r-bp1prod01 --backup-id b-20261128 \
///       --account policies/account.json --principal role/kvstore-admin \
///       --context acs:SecureTransport=true --absent acs:MFAPresent \
///       --instance policies/instances/r-bp1prod01.json --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct RestoreArgs {
    /// The instance's region, e.g. cn-hangzhou.
    #[arg(long)]
    region: String,
    /// The account that owns the instance, e.g. 1234567890123456.
    #[arg(long = "account-id", value_name = "ID")]
    account_id: String,
    /// The instance to restore (the API's InstanceId), e.g. r-bp1stg01.
    #[arg(long = "instance-id", value_name = "ID")]
    instance_id: String,
    /// RestoreType: 0 overwrites the whole instance with a backup set (the default), 1 restores
    /// to a point in time (data flashback).
    #[arg(long = "restore-type", value_name = "0|1")]
    restore_type: Option<String>,
    /// BackupId, the backup set to restore, for type 0, e.g. b-20261128.
    #[arg(long = "backup-id", value_name = "ID")]
    backup_id: Option<String>,
    /// RestoreTime, the UTC second to rewind to, for type 1, e.g. 2026-11-29T08:00:00Z.
    #[arg(long = "restore-time", value_name = "yyyy-MM-ddTHH:mm:ssZ")]
    restore_time: Option<String>,
    /// FilterKey: comma-separated regular expressions of the keys to restore, for type 1,
    /// e.g. '^session:,^cart:'. Without it every key is rewound.
    #[arg(long = "filter-key", value_name = "REGEX,...")]
    filter_key: Option<String>,
    /// TimeShift, when the restored keys' remaining TTL restarts, for type 1, e.g.
    /// 2026-11-29T09:00Z.
    #[arg(long = "time-shift", value_name = "yyyy-MM-ddTHH:mmZ")]
    time_shift: Option<String>,
    /// The instance's DescribeInstanceAttribute output (optionally with "DataFlashback"), for
    /// the checks of its state, e.g. policies/instances/r-bp1stg01.json; without it they are
    /// reported as not checked.
    #[arg(long, value_name = "FILE")]
    instance: Option<PathBuf>,
    /// The submission time (RFC 3339), for the time rules and acs:CurrentTime, e.g.
    /// 2026-11-29T09:30:00Z; defaults to --context acs:CurrentTime=TIME, else the clock.
    #[arg(long, value_name = "T", value_parser = parse_now)]
    now: Option<Timestamp>,
    #[command(flatten)]
    policies: PolicyArgs,
    #[command(flatten)]
    context: ContextArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn parse_now(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(s).map_err(|e| e.to_string())
}

pub(crate) fn run(args: RestoreArgs) -> u8 {
    check(&args).unwrap_or(exit::UNUSABLE)
}

/// The JSON report: `eval`'s fields, then the parameter errors, the instance-state checks, the
/// restore, and the guard's clearance.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    explanation: &'a Explanation,
    parameter_errors: &'a [ParameterError],
    instance_checks: &'a [InstanceCheck],
    restore: Option<RestoreSummary<'a>>,
    clearance: ClearanceSummary<'a>,
    warnings: Vec<RequestWarning>,
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

/// Whether the library guard would permit the restore, and if not, why (each reason in the
/// library's shape).
#[derive(Serialize)]
struct ClearanceSummary<'a> {
    permitted: bool,
    reasons: &'a [Reason],
}

fn check(args: &RestoreArgs) -> Result<u8, Reported> {
    let mut inputs = args.policies.inputs();
    inputs.extend(args.instance.as_deref().map(|p| ("--instance", p)));
    refuse_stdin_twice(&inputs)?;
    let now = submission_time(args)?;
    let (builder, account) = args.policies.load_with_account()?;
    if let Some(account) = &account
        && account.id() != args.account_id
    {
        return Err(report_with_help(
            format_args!(
                "--account-id `{}` is not the account of --account (`{}`)",
                args.account_id,
                account.id(),
            ),
            format_args!(
                "a principal of one account cannot restore another account's instance; give --account-id {}",
                account.id()
            ),
        ));
    }
    let set = builder.build().map_err(report_error)?;
    let state = args.instance.as_deref().map(load_instance).transpose()?;
    let mut call =
        RestoreCall::new(&args.region, &args.account_id, parameters(args)).at(now.clone());
    for (key, values) in args.context.grouped() {
        call = call.context(key, values);
    }
    for key in &args.context.absent {
        call = call.absent(key);
    }
    if let Some(state) = &state {
        call.check_instance(state).map_err(|e| {
            report_with_help(
                e,
                format_args!("give the state of instance `{}`", args.instance_id),
            )
        })?;
    }
    // The guard a dispatcher calls decides here too, so the two never disagree.
    let clearance = restore::guard(&set, &call, state.as_ref());
    let assessment = clearance.assessment();
    let reasons = match &clearance {
        Clearance::Permitted(_) => &[][..],
        Clearance::Refused(refusal) => refusal.reasons(),
    };
    if let Some(reported) = reasons.iter().find_map(|r| unusable(r, args)) {
        return Err(reported);
    }
    let validation = assessment.validation();
    let (Some(request), Some(explanation)) = (assessment.request(), assessment.explain()) else {
        // Without a request, `InstanceId` was missing or invalid: say which.
        let reasons: Vec<String> = validation
            .errors
            .iter()
            .filter(|e| e.parameter == Parameter::InstanceId)
            .map(|e| format!("\n  {e}"))
            .collect();
        return Err(report_with_help(
            format_args!("{}{}", CallError::InstanceId, reasons.concat()),
            "give the instance's id, e.g. --instance-id r-bp1stg01",
        ));
    };
    let warnings = request.warnings();
    for warning in &warnings {
        warn_request(warning);
    }
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
            clearance: ClearanceSummary {
                permitted: clearance.is_permitted(),
                reasons,
            },
            warnings,
        })?,
        Format::Text => write_text(&render_text(
            &explanation,
            validation,
            state.as_ref(),
            restore.as_ref(),
            reasons,
        ))?,
    }
    Ok(if clearance.is_permitted() {
        exit::OK
    } else if !explanation.is_allowed() {
        exit::DENIED
    } else if !validation.is_valid() {
        exit::REJECTED_PARAMETERS
    } else {
        exit::NOT_CLEARED
    })
}

/// Reports a reason that makes the input unusable (exit 2) rather than a refusal to print.
fn unusable(reason: &Reason, args: &RestoreArgs) -> Option<Reported> {
    let Reason::InvalidCall(e) = reason else {
        return match reason {
            Reason::Internal => Some(report_error(reason)),
            _ => None,
        };
    };
    Some(match e {
        CallError::Region(_) => report_with_help(
            e,
            "give --region the instance's region id, e.g. --region cn-hangzhou",
        ),
        CallError::AccountId(_) => report_with_help(
            e,
            "give --account-id the numeric id of the account that owns the instance, e.g. --account-id 1234567890123456",
        ),
        CallError::Request(e) => report_request_error(e, None),
        CallError::InstanceMismatch { .. } | CallError::RegionMismatch { .. } => report_with_help(
            e,
            format_args!("give the state of instance `{}`", args.instance_id),
        ),
        e => report_error(e),
    })
}

/// The submission time: --now, else an `acs:CurrentTime` given with --context, else the clock.
/// The policy's `acs:CurrentTime` and the parameter rules must see the same time, so a
/// --context time that disagrees with --now is refused.
fn submission_time(args: &RestoreArgs) -> Result<Timestamp, Reported> {
    let given: Vec<&str> = args
        .context
        .context
        .iter()
        .filter(|(key, _)| fold_case(key) == fold_case(CURRENT_TIME_KEY))
        .map(|(_, value)| value.as_str())
        .collect();
    let from_context = match given.as_slice() {
        [] => None,
        [one] => Timestamp::parse_rfc3339(one).ok(),
        _ => {
            return Err(report_with_help(
                format_args!(
                    "--context {CURRENT_TIME_KEY} is given {} times",
                    given.len()
                ),
                "a request has one time: give it once, or give --now T",
            ));
        }
    };
    match (&args.now, from_context) {
        (Some(now), Some(context)) if *now != context => Err(report_with_help(
            format_args!(
                "--context {CURRENT_TIME_KEY}={context} disagrees with --now {now}: the request time is the submission time"
            ),
            format_args!("drop --context {CURRENT_TIME_KEY}=…; --now sets both"),
        )),
        (Some(now), _) => Ok(now.clone()),
        (None, Some(context)) => Ok(context),
        (None, None) => Ok(Timestamp::now()),
    }
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
    InstanceState::from_path(path).map_err(|e| report(e.diagnostic()))
}

fn render_text(
    explanation: &Explanation,
    validation: &Validation,
    state: Option<&InstanceState>,
    restore: Option<&RestoreSummary<'_>>,
    reasons: &[Reason],
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
        Some(r) => {
            // The plan reads the parameters as given, valid or not.
            let as_given = if validation.errors.is_empty() {
                ""
            } else {
                ", as requested, which the API would reject"
            };
            out.push_str(&format!(
                "\nrestore (RestoreType {}) of {}{as_given}:\n  {}\n",
                r.restore_type, r.resource, r.summary
            ));
        }
        None => out.push_str("\nrestore: unknown, `RestoreType` is invalid\n"),
    }
    if reasons.is_empty() {
        out.push_str("\nclearance: permitted: RAM allows it, the API would accept it, the instance's state passed\n");
    } else {
        out.push_str("\nclearance: not permitted\n");
        for reason in reasons {
            out.push_str(&format!("  - {reason}{}\n", hint(reason)));
        }
    }
    out
}

/// What to do about a reason, in flags.
fn hint(reason: &Reason) -> &'static str {
    match reason {
        // RAM knows some keys on every call: those can only be given.
        Reason::MissingContext(keys) if keys.iter().all(|k| is_always_known(k)) => {
            ": give --context KEY=VALUE"
        }
        Reason::MissingContext(_) => {
            ": give --context KEY=VALUE, or --absent KEY when the real call has none"
        }
        Reason::InstanceNotChecked(_) => ": give --instance FILE",
        _ => "",
    }
}

fn is_always_known(key: &str) -> bool {
    ALWAYS_KNOWN_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}
