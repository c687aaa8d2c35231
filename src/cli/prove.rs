//! `ramguard prove`: answers over every possible request, each "violated" with a request the
//! evaluator confirms.

use std::path::PathBuf;
use std::time::Duration;

use crate::PolicySet;
use crate::account::CompiledAccount;
use crate::eval::DecisionRecord;
use crate::prove::{Budget, NeverAllows, NoNewAccess, Outcome, Proof, RequestFile, Witness};
use crate::request::RESTORE_INSTANCE_ACTION;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::common::{
    Format, PolicyArgs, load_policy, parse_key_value, refuse_stdin_twice, report_account_error,
    report_principal_error,
};
use super::exit;
use super::output::{Reported, print_json, report_error, report_with_help, warn, write_text};
use crate::lint::names;

/// Prove a property of policies for every possible request, not only the ones you tried.
///
/// `never-allows` asks "can anyone restore a production instance without MFA?";
/// `no-new-access` asks "does this change grant any access the old policies did not?". Both
/// read requests exactly as `eval` does: every action and resource string, every context
/// value (missing keys, several values, values of the wrong type). A "violated" answer comes
/// with a witness: a request file that `ramguard eval --request` decides the same way, checked
/// before it is printed. A query too hard for the budget answers "unknown", never "holds".
///
/// Exit status: 0 holds, 1 violated, 2 unusable input (or an internal error), 4 unknown.
///
/// Examples:
///   ramguard prove never-allows --policy policies/dba-restore.json \
///       --control-policy policies/guardrails/no-prod-restore.json \
///       --action kvstore:RestoreInstance --resource 'acs:kvstore:*:*:instance/r-*prod*'
///   ramguard prove never-allows --policy policies/prod-restore.json \
///       --resource 'acs:kvstore:*:*:instance/*' --require acs:MFAPresent=true
///   ramguard prove no-new-access --old-policy main/dba-restore.json \
///       --new-policy policies/dba-restore.json --new-policy policies/prod-restore.json \
///       --action kvstore:RestoreInstance --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct ProveArgs {
    #[command(subcommand)]
    query: Query,
}

#[derive(Debug, Subcommand)]
enum Query {
    #[command(
        about = "Holds when no request for the action on a matching resource is allowed without the required values"
    )]
    NeverAllows(NeverAllowsArgs),
    #[command(
        about = "Holds when every request the new policies allow, the old policies allowed too"
    )]
    NoNewAccess(NoNewAccessArgs),
}

/// Holds when no request for `--action` on a resource matching `--resource` is allowed, unless
/// it carries every `--require`d value. Without `--require`: when no such request is allowed
/// at all.
///
/// Examples:
///   ramguard prove never-allows --policy policies/dba-restore.json \
///       --resource 'acs:kvstore:*:*:instance/r-*prod*' --require acs:MFAPresent=true
///   ramguard prove never-allows --account policies/account.json --principal user/alice \
///       --resource 'acs:kvstore:*:*:instance/r-*prod*'
///   ramguard prove never-allows --account policies/account.json \
///       --resource 'acs:kvstore:*:*:instance/r-*prod*' --require acs:MFAPresent=true
#[derive(Debug, Args)]
#[command(
    verbatim_doc_comment,
    // `--account` alone is every principal of the account here, not an error.
    mut_arg("account", |arg| arg.requires(clap::builder::Resettable::Reset).help(
        "An account file, e.g. policies/account.json: with --principal, that principal's \
         policies; without, every user and role of the account, each proved on its own (\"can \
         anyone…?\")"
    ))
)]
struct NeverAllowsArgs {
    #[command(flatten)]
    policies: PolicyArgs,
    /// The action, as a request names it.
    #[arg(long, default_value = RESTORE_INSTANCE_ACTION)]
    action: String,
    /// The resources asked about, a pattern like a policy's `Resource`, e.g.
    /// 'acs:kvstore:*:*:instance/r-*prod*'; `*` for every resource.
    #[arg(long, value_name = "PATTERN")]
    resource: String,
    /// A context value every allowed request must carry, e.g. acs:MFAPresent=true
    /// (repeatable). A request carries it when one of its values for the key equals VALUE,
    /// compared as the key's type ("TRUE" carries acs:MFAPresent=true); a request without
    /// the key does not.
    #[arg(long = "require", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    require: Vec<(String, String)>,
    #[command(flatten)]
    answer: AnswerArgs,
}

/// Holds when every request the new policies allow, the old policies allowed too. Run it both
/// ways for equivalence. Control policies apply to both sides. With --old-account and
/// --new-account, the policies are --principal's in each account file (control policies and
/// resource groups included).
///
/// Examples:
///   ramguard prove no-new-access --old-policy main/policies/dba-restore.json \
///       --new-policy policies/dba-restore.json
///   ramguard prove no-new-access --old-policy old.json --new-policy new.json \
///       --action kvstore:RestoreInstance --resource 'acs:kvstore:*:*:instance/r-*prod*'
///   ramguard prove no-new-access --old-account main/account.json --new-account account.json \
///       --principal user/alice
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
struct NoNewAccessArgs {
    /// An identity policy before the change (repeatable).
    #[arg(
        long = "old-policy",
        value_name = "FILE",
        required_unless_present = "old_account"
    )]
    old: Vec<PathBuf>,
    /// An identity policy after the change (repeatable).
    #[arg(
        long = "new-policy",
        value_name = "FILE",
        required_unless_present = "new_account"
    )]
    new: Vec<PathBuf>,
    /// A control policy that applies before and after (repeatable).
    #[arg(
        long = "control-policy",
        value_name = "FILE",
        conflicts_with = "principal"
    )]
    control: Vec<PathBuf>,
    /// The account file before the change, e.g. the main branch's policies/account.json.
    #[arg(
        long = "old-account",
        value_name = "FILE",
        requires_all = ["new_account", "principal"],
        conflicts_with = "old"
    )]
    old_account: Option<PathBuf>,
    /// The account file after the change.
    #[arg(
        long = "new-account",
        value_name = "FILE",
        requires_all = ["old_account", "principal"],
        conflicts_with = "new"
    )]
    new_account: Option<PathBuf>,
    /// The principal whose policies are compared, e.g. user/alice or role/restore-bot.
    #[arg(long, value_name = "user/NAME|role/NAME", requires = "old_account")]
    principal: Option<String>,
    /// Only requests naming this action.
    #[arg(long)]
    action: Option<String>,
    /// Only requests on resources matching this pattern.
    #[arg(long, value_name = "PATTERN")]
    resource: Option<String>,
    #[command(flatten)]
    answer: AnswerArgs,
}

#[derive(Debug, Args)]
struct AnswerArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// How long, and how much memory, the query may take before it answers "unknown":
    /// a time such as 60s, 500ms or 2m, optionally followed by a size, as in 60s,512MiB.
    #[arg(long, value_name = "TIME[,SIZE]", default_value = "60s,1GiB", value_parser = parse_budget)]
    budget: Budget,
}

pub(crate) fn run(args: ProveArgs) -> u8 {
    let result = match &args.query {
        Query::NeverAllows(args) => never_allows(args),
        Query::NoNewAccess(args) => no_new_access(args),
    };
    match result {
        Ok(Outcome::Holds) => exit::OK,
        Ok(Outcome::Violated(_)) => exit::DENIED,
        Ok(Outcome::Unknown(_)) => exit::NOT_CLEARED,
        Err(Reported) => exit::UNUSABLE,
    }
}

fn never_allows(args: &NeverAllowsArgs) -> Result<Outcome, Reported> {
    let policies = &args.policies;
    refuse_stdin_twice(&policies.inputs())?;
    warn_unknown_action(&args.action);
    let require = &args.require;
    let requirement = if require.is_empty() {
        String::new()
    } else {
        let pairs: Vec<String> = require.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(" without {}", pairs.join(" and "))
    };
    let asked = format!(
        "request for {} on a resource matching {}",
        args.action, args.resource
    );
    let claim = format!("no {asked} is allowed{requirement}");
    let violation = format!("a {asked} is allowed{requirement}");
    let query = |set: &PolicySet| {
        NeverAllows {
            set,
            action: args.action.clone(),
            resource: args.resource.clone(),
            require: require.clone(),
        }
        .prove(args.answer.budget)
        .map_err(report_error)
    };
    if let (Some(account), None) = (&policies.account, &policies.principal) {
        if policies.session_policy.is_some() {
            return Err(report_with_help(
                "--session-policy applies to one role session",
                "give --principal role/NAME with it, or drop it to prove for every principal",
            ));
        }
        let account = CompiledAccount::from_path(account).map_err(|e| report_account_error(&e))?;
        let mut proofs = Vec::new();
        for principal in account.principals() {
            let set = account
                .policy_set(principal)
                .map_err(|e| report_principal_error(&e))?;
            proofs.push((principal.to_string(), query(set)?));
        }
        return print_each(&proofs, "never-allows", &claim, args.answer.format);
    }
    let (builder, _) = policies.load_with_account()?;
    let set = builder.build().map_err(report_error)?;
    let proof = query(&set)?;
    print(
        &proof,
        "never-allows",
        &claim,
        &violation,
        args.answer.format,
    )
}

/// One answer per principal of an account, and the answer for all: violated when any
/// principal's is, else unknown when any is, else holds.
fn print_each(
    proofs: &[(String, Proof)],
    query: &str,
    claim: &str,
    format: Format,
) -> Result<Outcome, Reported> {
    let overall = proofs
        .iter()
        .map(|(_, p)| &p.outcome)
        .find(|o| matches!(o, Outcome::Violated(_)))
        .or_else(|| {
            proofs
                .iter()
                .map(|(_, p)| &p.outcome)
                .find(|o| matches!(o, Outcome::Unknown(_)))
        })
        .cloned()
        .unwrap_or(Outcome::Holds);
    let elapsed: Duration = proofs.iter().map(|(_, p)| p.elapsed).sum();
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Each<'a> {
                principal: &'a str,
                #[serde(flatten)]
                answer: Answer<'a>,
            }
            #[derive(Serialize)]
            struct All<'a> {
                query: &'a str,
                claim: &'a str,
                result: String,
                principals: Vec<Each<'a>>,
                elapsed_ms: f64,
            }
            print_json(&All {
                query,
                claim,
                result: overall.to_string(),
                principals: proofs
                    .iter()
                    .map(|(principal, proof)| Each {
                        principal,
                        answer: Answer::of(proof),
                    })
                    .collect(),
                elapsed_ms: milliseconds(elapsed),
            })?;
        }
        Format::Text => {
            let mut text = format!("asked of each principal: {claim}\n\n");
            for (principal, proof) in proofs {
                text.push_str(&format!("{principal}: "));
                match &proof.outcome {
                    Outcome::Holds => text.push_str("holds\n"),
                    Outcome::Unknown(reason) => text.push_str(&format!("unknown: {reason}\n")),
                    Outcome::Violated(w) => {
                        // The witness and decisions, indented under the principal.
                        text.push_str("violated\n");
                        for line in describe_witness(w).lines() {
                            if !line.is_empty() {
                                text.push_str("  ");
                                text.push_str(line);
                            }
                            text.push('\n');
                        }
                    }
                }
            }
            text.push('\n');
            let count =
                |f: fn(&Outcome) -> bool| proofs.iter().filter(|(_, p)| f(&p.outcome)).count();
            text.push_str(&format!(
                "{} principals: {} violated, {} unknown, {} hold; {} in {}\n",
                proofs.len(),
                count(|o| matches!(o, Outcome::Violated(_))),
                count(|o| matches!(o, Outcome::Unknown(_))),
                count(|o| matches!(o, Outcome::Holds)),
                ending(&overall),
                human_duration(elapsed),
            ));
            write_text(&text)?;
        }
    }
    Ok(overall)
}

fn no_new_access(args: &NoNewAccessArgs) -> Result<Outcome, Reported> {
    let mut inputs: Vec<(&str, &std::path::Path)> = Vec::new();
    inputs.extend(args.old.iter().map(|p| ("--old-policy", p.as_path())));
    inputs.extend(args.new.iter().map(|p| ("--new-policy", p.as_path())));
    inputs.extend(
        args.control
            .iter()
            .map(|p| ("--control-policy", p.as_path())),
    );
    inputs.extend(args.old_account.as_deref().map(|p| ("--old-account", p)));
    inputs.extend(args.new_account.as_deref().map(|p| ("--new-account", p)));
    refuse_stdin_twice(&inputs)?;
    if let Some(action) = &args.action {
        warn_unknown_action(action);
    }
    // Control policies are read once (`-` is stdin) and apply to both sides.
    let control: Vec<_> = args.control.iter().map(|p| load_policy(p)).collect();
    let control = control.into_iter().collect::<Result<Vec<_>, _>>()?;
    let side = |policies: &[PathBuf], account: &Option<PathBuf>| {
        let files = PolicyArgs {
            policies: policies.to_vec(),
            control_policies: Vec::new(),
            session_policy: None,
            account: account.clone(),
            principal: args.principal.clone(),
        };
        let (mut builder, _) = files.load_with_account()?;
        for policy in &control {
            builder = builder.control(policy.clone());
        }
        builder.build().map_err(report_error)
    };
    let old = side(&args.old, &args.old_account);
    let new = side(&args.new, &args.new_account);
    let (old, new) = (old?, new?);
    let query = NoNewAccess {
        old: &old,
        new: &new,
        action: args.action.clone(),
        resource: args.resource.clone(),
    };
    let proof = query.prove(args.answer.budget).map_err(report_error)?;
    let scope = match (&args.action, &args.resource) {
        (Some(action), Some(resource)) => {
            format!(" (requests for {action} on resources matching {resource})")
        }
        (Some(action), None) => format!(" (requests for {action})"),
        (None, Some(resource)) => format!(" (requests on resources matching {resource})"),
        (None, None) => String::new(),
    };
    let claim = format!("every request the new policies allow, the old policies allowed{scope}");
    let violation = format!("the new policies allow a request the old policies did not{scope}");
    print(
        &proof,
        "no-new-access",
        &claim,
        &violation,
        args.answer.format,
    )
}

/// Warns about a kvstore action no kvstore API has: a typo would make every property about it
/// hold, vacuously.
fn warn_unknown_action(action: &str) {
    let Some((code, name)) = action.split_once(':') else {
        return;
    };
    if !code.eq_ignore_ascii_case("kvstore") || names::is_known_action(name) {
        return;
    }
    let help = match names::suggest_action(name) {
        Some(near) => format!("did you mean `kvstore:{near}`? A property of an action nobody calls holds vacuously"),
        None => "check the action against the kvstore API's operation names; a property of an action nobody calls holds vacuously".into(),
    };
    warn(format!("`{action}` is not a known kvstore action"), help);
}

/// Each set's decision on the witness, labelled, in order.
struct Decisions<'a>(&'a [(String, DecisionRecord)]);

impl Serialize for Decisions<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(label, record)| (label, record)))
    }
}

/// One answer, as JSON: the result, why it is unknown, the witness with each set's decision,
/// and the time.
#[derive(Serialize)]
struct Answer<'a> {
    result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    witness: Option<&'a RequestFile>,
    decisions: Decisions<'a>,
    elapsed_ms: f64,
    rounds: usize,
}

impl<'a> Answer<'a> {
    fn of(proof: &'a Proof) -> Answer<'a> {
        let (reason, witness, decisions) = match &proof.outcome {
            Outcome::Unknown(reason) => (Some(reason.as_str()), None, Decisions(&[])),
            Outcome::Violated(w) => (None, Some(&w.request_file), Decisions(&w.decisions)),
            Outcome::Holds => (None, None, Decisions(&[])),
        };
        Answer {
            result: proof.outcome.to_string(),
            reason,
            witness,
            decisions,
            elapsed_ms: milliseconds(proof.elapsed),
            rounds: proof.rounds,
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    query: &'a str,
    claim: &'a str,
    #[serde(flatten)]
    answer: Answer<'a>,
}

/// Prints the answer: `claim` is the property, `violation` what a witness shows.
fn print(
    proof: &Proof,
    query: &str,
    claim: &str,
    violation: &str,
    format: Format,
) -> Result<Outcome, Reported> {
    match format {
        Format::Json => print_json(&Report {
            query,
            claim,
            answer: Answer::of(proof),
        })?,
        Format::Text => {
            let mut text = describe_outcome(&proof.outcome, claim, violation);
            text.push_str(&format!(
                "\n{} in {} ({} round{})\n",
                ending(&proof.outcome),
                human_duration(proof.elapsed),
                proof.rounds,
                if proof.rounds == 1 { "" } else { "s" }
            ));
            write_text(&text)?;
        }
    }
    Ok(proof.outcome.clone())
}

/// The answer for people: the verdict on the property, and a violation's witness with each
/// set's decision on it.
fn describe_outcome(outcome: &Outcome, claim: &str, violation: &str) -> String {
    match outcome {
        Outcome::Holds => format!("holds: {claim}\n"),
        Outcome::Unknown(reason) => format!("unknown: {reason}\n  asked: {claim}\n"),
        Outcome::Violated(w) => format!("violated: {violation}\n\n{}", describe_witness(w)),
    }
}

/// A witness as a request file, and each set's decision on it.
fn describe_witness(w: &Witness) -> String {
    let mut text = String::from(
        "witness (confirmed by the evaluator; save it and run `ramguard eval --request FILE`):\n",
    );
    text.push_str(&w.request_file.to_string());
    text.push_str("\n\n");
    for (label, record) in &w.decisions {
        text.push_str(&format!("{label}: {}\n", describe(record)));
    }
    text
}

/// "decided", or "gave up" for an unknown answer.
fn ending(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Unknown(_) => "gave up",
        _ => "decided",
    }
}

/// Milliseconds, to the microsecond.
fn milliseconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// "Allow by policies/dba-restore.json statement 1 (RestoreStaging), line 4, column 5".
fn describe(record: &DecisionRecord) -> String {
    let verdict = record.verdict;
    match &record.statement {
        Some(s) => format!(
            "{verdict} ({}) by {} statement {}{}, line {}, column {}",
            record.policy_type,
            s.file,
            s.statement,
            s.sid
                .as_ref()
                .map(|sid| format!(" ({sid})"))
                .unwrap_or_default(),
            s.line,
            s.column
        ),
        None => format!("{verdict} ({}): no statement allows it", record.policy_type),
    }
}

fn human_duration(d: Duration) -> String {
    if d < Duration::from_millis(10) {
        format!("{:.2} ms", d.as_secs_f64() * 1000.0)
    } else if d < Duration::from_secs(10) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Parses `60s`, `500ms`, `2m`, optionally with `,512MiB` (also `KiB`, `GiB`, plain bytes).
fn parse_budget(text: &str) -> Result<Budget, String> {
    let mut budget = Budget::default();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let digits_end = part
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(part.len());
        let (number, unit) = part.split_at(digits_end);
        let number: f64 = number
            .parse()
            .map_err(|_| format!("`{part}` is not a time (60s, 500ms, 2m) or a size (512MiB)"))?;
        let seconds = match unit {
            "ms" => Some(number / 1000.0),
            "s" => Some(number),
            "m" | "min" => Some(number * 60.0),
            "h" => Some(number * 3600.0),
            _ => None,
        };
        if let Some(seconds) = seconds {
            budget.time = Duration::try_from_secs_f64(seconds).map_err(|e| e.to_string())?;
            continue;
        }
        let bytes = match unit {
            "" | "B" => number,
            "KiB" | "K" => number * 1024.0,
            "MiB" | "M" => number * 1024.0 * 1024.0,
            "GiB" | "G" => number * 1024.0 * 1024.0 * 1024.0,
            _ => {
                return Err(format!(
                    "`{part}`: write a time such as 60s, 500ms or 2m, or a size such as 512MiB or 2GiB"
                ));
            }
        };
        budget.memory = bytes as usize;
    }
    Ok(budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_times_and_sizes() {
        let budget = parse_budget("2m,512MiB").unwrap();
        assert_eq!(budget.time, Duration::from_secs(120));
        assert_eq!(budget.memory, 512 << 20);
        assert_eq!(
            parse_budget("500ms").unwrap().time,
            Duration::from_millis(500)
        );
        assert!(parse_budget("soon").is_err());
        assert!(parse_budget("5 parsecs").is_err());
    }
}
