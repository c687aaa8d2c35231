//! A restore dispatcher, as a platform team would write one: worker threads guard every
//! `RestoreInstance` call before dispatching it, share one reloadable account, pick up a policy
//! edit while they run (and survive a broken one), and write a JSON decision log.
//!
//! It uses only ramguard's public surface. `cargo test` runs it (it is an example with
//! `test = true`), and it fails if a decision is not the one expected.
//!
//! ```text
//! cargo run --example dispatcher
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

use ramguard::{
    Clearance, CompiledAccount, InstanceState, PrincipalRef, Reloadable, RestoreCall,
    RestoreParameters, Timestamp,
};
use serde::Serialize;

const WORKERS: usize = 4;
const ACCOUNT_ID: &str = "1234567890123456";

/// A restore a team asked for: who asks, on which instance, how.
struct Job {
    id: usize,
    principal: PrincipalRef,
    call: RestoreCall,
    state: Option<InstanceState>,
}

/// One line of the decision log: the guard's whole answer, as the library serializes it, with
/// who asked and the generation of the policies that answered.
#[derive(Serialize)]
struct LogLine {
    job: usize,
    generation: u64,
    requested_by: PrincipalRef,
    #[serde(flatten)]
    clearance: Clearance,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The dispatcher reads its policies from a directory it may see edited: a copy here.
    let dir = copy_examples()?;
    let account = Arc::new(Reloadable::account(dir.join("account.json"))?);
    let (jobs, log) = start_workers(&account);

    // Morning: restores as usual.
    let morning = [
        ("user/alice", pit("r-bp1stg01"), Some("r-bp1stg01")),
        ("role/restore-bot", backup("r-bp1stg01"), Some("r-bp1stg01")),
        ("user/bob", pit("r-bp1stg01"), Some("r-bp1stg01")),
        ("user/alice", backup("r-bp1prod01"), Some("r-bp1prod01")),
        ("user/carol", pit("r-bp1pay01"), Some("r-bp1pay01")),
        ("user/mallory", pit("r-bp1stg01"), Some("r-bp1stg01")),
        ("user/alice", pit("r-bp1stg01"), None),
    ];
    let log_file = dir.join("decisions.jsonl");
    let first = run(&jobs, &log, &log_file, 0, &morning)?;
    let permitted: Vec<usize> = first
        .iter()
        .filter(|l| l.permitted)
        .map(|l| l.job)
        .collect();
    // alice and the bot restore staging; bob may not; production is behind a guardrail; the
    // payments instance is migrating; mallory is nobody; without the state, nothing passes.
    assert_eq!(permitted, [0, 1], "{first:#?}");
    assert_eq!(first[3].reasons, ["denied"]);
    assert_eq!(first[4].reasons, ["rejected-parameters"]);
    assert_eq!(first[5].reasons, ["unknown-principal"]);
    assert_eq!(first[6].reasons, ["instance-not-checked"]);

    // Noon: an incident freezes every restore. The guardrail is edited while workers run; the
    // next poll swaps in generation 2, and calls in flight finish on generation 1.
    std::fs::write(
        dir.join("guardrails/no-prod-restore.json"),
        r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#,
    )?;
    assert_eq!(account.reload_if_changed()?, Some(2));
    let noon = run(&jobs, &log, &log_file, morning.len(), &morning[..1])?;
    assert_eq!(
        (noon[0].generation, noon[0].reasons.as_slice()),
        (2, &["denied".to_string()][..])
    );

    // Afternoon: a broken edit. The reload fails with the file, line and column; generation 2
    // stays current, so the freeze holds.
    std::fs::write(
        dir.join("guardrails/no-prod-restore.json"),
        r#"{"Version": "1", "Statement": ["#,
    )?;
    let error = account
        .reload_if_changed()
        .expect_err("the guardrail is broken");
    eprintln!("{error}");
    assert_eq!(error.kept(), Some(2));
    let afternoon = run(&jobs, &log, &log_file, morning.len() + 1, &morning[..1])?;
    assert_eq!(afternoon[0].generation, 2);
    assert!(!afternoon[0].permitted);

    drop(jobs);
    let logged = std::fs::read_to_string(&log_file)?.lines().count();
    assert_eq!(logged, morning.len() + 2);
    std::fs::remove_dir_all(&dir)?;
    println!("dispatcher: {logged} decisions logged as JSON lines, all as expected");
    Ok(())
}

/// What the test checks of each logged line, read back from the JSON.
#[derive(Debug)]
struct Logged {
    job: usize,
    generation: u64,
    permitted: bool,
    reasons: Vec<String>,
}

type Request<'a> = (&'a str, RestoreParameters, Option<&'a str>);

/// Sends the calls to the workers, waits for their log lines, appends them to the decision
/// log in job order, and prints one summary line per decision.
fn run(
    jobs: &mpsc::Sender<Job>,
    log: &mpsc::Receiver<String>,
    log_file: &Path,
    first_id: usize,
    requests: &[Request<'_>],
) -> Result<Vec<Logged>, Box<dyn std::error::Error>> {
    for (i, (principal, parameters, instance)) in requests.iter().enumerate() {
        let state = match instance {
            Some(id) => Some(InstanceState::from_path(example(&format!(
                "instances/{id}.json"
            )))?),
            None => None,
        };
        let call = RestoreCall::new("cn-hangzhou", ACCOUNT_ID, parameters.clone())
            .context("acs:MFAPresent", true)
            .context("acs:SourceIp", "10.1.2.3")
            .context("acs:SecureTransport", true)
            .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
        jobs.send(Job {
            id: first_id + i,
            principal: PrincipalRef::parse(principal)?,
            call,
            state,
        })?;
    }
    let mut lines: Vec<(usize, String, serde_json::Value)> = Vec::new();
    for _ in requests {
        let line = log.recv()?;
        let value: serde_json::Value = serde_json::from_str(&line)?;
        let job = value["job"].as_u64().ok_or("a job number")? as usize;
        lines.push((job, line, value));
    }
    lines.sort_by_key(|(job, _, _)| *job);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_file)?;
    let mut logged = Vec::new();
    for (job, line, value) in lines {
        writeln!(file, "{line}")?;
        println!(
            "job {job}: {} {} (generation {}): {}",
            value["requested_by"].as_str().unwrap_or("?"),
            value["resource"].as_str().unwrap_or("(no resource)"),
            value["generation"],
            if value["permitted"] == true {
                "permitted".to_string()
            } else {
                format!(
                    "refused: {}",
                    value["reasons"][0]["message"].as_str().unwrap_or("?")
                )
            }
        );
        logged.push(Logged {
            job: job - first_id,
            generation: value["generation"].as_u64().ok_or("a generation")?,
            permitted: value["permitted"].as_bool().ok_or("permitted")?,
            reasons: value["reasons"]
                .as_array()
                .ok_or("reasons")?
                .iter()
                .filter_map(|r| r["code"].as_str().map(String::from))
                .collect(),
        });
    }
    Ok(logged)
}

/// Worker threads: each takes a job, guards it on the current generation, and logs the answer.
fn start_workers(
    account: &Arc<Reloadable<CompiledAccount>>,
) -> (mpsc::Sender<Job>, mpsc::Receiver<String>) {
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let (log_tx, log_rx) = mpsc::channel::<String>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    for _ in 0..WORKERS {
        let (account, job_rx, log_tx) = (Arc::clone(account), Arc::clone(&job_rx), log_tx.clone());
        thread::spawn(move || {
            loop {
                let next = job_rx.lock().map(|rx| rx.recv());
                let Ok(Ok(job)) = next else { break };
                // One generation for the whole decision, whatever reloads meanwhile.
                let generation = account.current();
                let clearance =
                    generation
                        .value()
                        .guard(&job.principal, &job.call, job.state.as_ref());
                if let Clearance::Permitted(permit) = &clearance {
                    // Here the real dispatcher calls RestoreInstance with permit.parameters().
                    let _ = permit.parameters();
                }
                let line = LogLine {
                    job: job.id,
                    generation: generation.number(),
                    requested_by: job.principal,
                    clearance,
                };
                let text = serde_json::to_string(&line).unwrap_or_else(|e| {
                    format!(r#"{{"job":{},"error":"cannot log: {e}"}}"#, line.job)
                });
                if log_tx.send(text).is_err() {
                    break;
                }
            }
        });
    }
    (job_tx, log_rx)
}

fn pit(instance: &str) -> RestoreParameters {
    RestoreParameters::point_in_time(instance, "2026-11-29T08:00:00Z").filter_key("^session:")
}

fn backup(instance: &str) -> RestoreParameters {
    RestoreParameters::backup_set(instance, "b-20261128")
}

fn example(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(path)
}

/// Copies the shipped account and its policy files into a fresh directory.
fn copy_examples() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("ramguard-dispatcher-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("guardrails"))?;
    for file in [
        "account.json",
        "dba-restore.json",
        "prod-restore.json",
        "guardrails/no-prod-restore.json",
    ] {
        std::fs::copy(example(file), dir.join(file))?;
    }
    Ok(dir)
}
