//! `ramguard who-can`: every principal of an account that is allowed an action on a resource,
//! with the statements that decide — the question an auditor asks first.

use std::path::PathBuf;

use crate::Request;
use crate::account::{Answer, CompiledAccount, Deciding};
use crate::eval::{EntityType, PolicyKind};
use crate::request::RESTORE_INSTANCE_ACTION;
use clap::Args;
use serde::Serialize;

use super::common::{Format, report_account_error, same_account};
use super::exit;
use super::output::{Reported, print_json, write_text};
use super::request::{ContextArgs, report_request_error, warn_wildcard_resource};

/// List every user and role of an account allowed an action on a resource, with the
/// statements that allow it.
///
/// Exit status: 0 someone is allowed, 1 nobody is, 2 unusable input (bad flags, an
/// unreadable or invalid account file, a resource of another account).
///
/// Examples:
///   ramguard who-can --account policies/account.json \
///       --resource acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01 \
///       --context acs:MFAPresent=true --context acs:SourceIp=10.1.2.3
///   ramguard who-can --account policies/account.json --action kvstore:DescribeInstances \
///       --resource acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01 --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct WhoCanArgs {
    /// The account file, e.g. policies/account.json.
    #[arg(long, value_name = "FILE")]
    account: PathBuf,
    /// The resource ARN, of the account's own resources, e.g.
    /// acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01.
    #[arg(long, value_name = "ARN")]
    resource: String,
    /// The action, e.g. kvstore:DescribeInstances.
    #[arg(long, default_value = RESTORE_INSTANCE_ACTION)]
    action: String,
    #[command(flatten)]
    context: ContextArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Serialize)]
struct Report<'a> {
    action: &'a str,
    resource: &'a str,
    allowed: Vec<&'a Answer>,
    denied: Vec<&'a Answer>,
}

pub(crate) fn run(args: WhoCanArgs) -> u8 {
    match answer(&args) {
        Ok(true) => exit::OK,
        Ok(false) => exit::DENIED,
        Err(Reported) => exit::UNUSABLE,
    }
}

/// Evaluates the request for every principal; `true` when any is allowed.
fn answer(args: &WhoCanArgs) -> Result<bool, Reported> {
    let account =
        CompiledAccount::from_path(&args.account).map_err(|e| report_account_error(&e))?;
    let request = args
        .context
        .apply(Request::builder(&args.action, &args.resource))
        .build()
        .map_err(|e| report_request_error(&e, None))?;
    same_account(account.id(), request.resource())?;
    warn_wildcard_resource(&request);
    let answers = account.who_can(&request);
    let (allowed, denied): (Vec<&Answer>, Vec<&Answer>) =
        answers.iter().partition(|a| a.decision.is_allowed());
    match args.format {
        Format::Json => print_json(&Report {
            action: request.action(),
            resource: request.resource(),
            allowed: allowed.clone(),
            denied,
        })?,
        Format::Text => write_text(&render_text(&request, &allowed, &denied))?,
    }
    Ok(!allowed.is_empty())
}

fn render_text(request: &Request, allowed: &[&Answer], denied: &[&Answer]) -> String {
    let mut out = format!("{} on {}\n", request.action(), request.resource());
    out.push_str(&format!("\nallowed ({}):\n", allowed.len()));
    if allowed.is_empty() {
        out.push_str("  nobody\n");
    }
    for answer in allowed {
        out.push_str(&format!(
            "  {} (decided by {})\n",
            answer.principal, answer.policy_type
        ));
        for d in &answer.matched {
            out.push_str(&format!("    {}\n", deciding_line(d)));
        }
    }
    out.push_str(&format!("\ndenied ({}):\n", denied.len()));
    if denied.is_empty() {
        out.push_str("  nobody\n");
    }
    for answer in denied {
        out.push_str(&format!(
            "  {}: {} (decided by {})\n",
            answer.principal, answer.decision, answer.policy_type
        ));
        for d in &answer.matched {
            out.push_str(&format!("    {}\n", deciding_line(d)));
        }
        if !answer.missing_context.is_empty() {
            out.push_str(&format!(
                "    missing context: {}\n",
                answer.missing_context.join(", ")
            ));
        }
    }
    out
}

fn deciding_line(d: &Deciding) -> String {
    let sid =
        d.at.sid
            .as_ref()
            .map(|s| format!(" \"{s}\""))
            .unwrap_or_default();
    let via = match &d.attached_to {
        Some(a) => {
            let entity = match a.entity_type {
                EntityType::User => "user",
                EntityType::Group => "group",
                EntityType::Role => "role",
            };
            let scope = if d.scope == "Account" {
                "at account scope".to_string()
            } else {
                format!("in resource group `{}`", d.scope)
            };
            format!(", attached to {entity} `{}` {scope}", a.name)
        }
        None => String::new(),
    };
    let kind = match d.policy_kind {
        PolicyKind::System => " (system policy)",
        PolicyKind::Custom => "",
    };
    format!(
        "{}{kind} Statement[{}]{sid} ({}){via} --> {}:{}:{}",
        d.at.policy, d.at.statement, d.at.effect, d.at.file, d.at.line, d.at.column
    )
}
