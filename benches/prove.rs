//! `prove` on the shared benchmark workload (`workload/`): for policy sets of 1,000 and 10,000
//! statements, `never-allows` for restores on `r-*prod*` without MFA, and `no-new-access`
//! between the set and the set with one restore grant widened from a team's production
//! instances to every instance. Before timing, each answer is checked: both are violations
//! whose witness the evaluator confirmed (`prove` refuses to print one it did not).
//!
//! Run with `cargo bench --bench prove`; criterion prints the time per query.

// Shared with the `evaluate` bench; this one reads only the documents.
#[allow(dead_code)]
mod workload;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ramguard::prove::{Budget, NeverAllows, NoNewAccess, Outcome};

const SIZES: [usize; 2] = [1_000, 10_000];

/// The documents with the first Allow of `kvstore:RestoreInstance` on production instances
/// widened to every instance of the account: the pull request a reviewer must catch.
fn widened(documents: &[(String, String)]) -> Vec<(String, String)> {
    let mut changed = documents.to_vec();
    for (_, text) in &mut changed {
        let mut document: serde_json::Value = serde_json::from_str(text).expect("JSON");
        let statements = document["Statement"].as_array_mut().expect("statements");
        let grant = statements.iter_mut().find(|s| {
            s["Effect"] == "Allow"
                && s["Action"] == "kvstore:RestoreInstance"
                && s["Resource"].as_str().is_some_and(|r| r.contains("-prod-"))
        });
        if let Some(grant) = grant {
            grant["Resource"] = "acs:kvstore:*:1234567890123456:instance/r-*".into();
            *text = document.to_string();
            return changed;
        }
    }
    panic!("the workload has a production restore grant")
}

fn budget() -> Budget {
    Budget {
        time: Duration::from_secs(120),
        memory: 1 << 30,
    }
}

fn bench_prove(c: &mut Criterion) {
    for size in SIZES {
        let workload = workload::generate(size, 0, 0);
        let set = workload::compile(&workload.documents);
        let changed = workload::compile(&widened(&workload.documents));
        let never = NeverAllows {
            set: &set,
            action: "kvstore:RestoreInstance".into(),
            resource: "acs:kvstore:*:*:instance/r-*prod*".into(),
            require: vec![("acs:MFAPresent".into(), "true".into())],
        };
        let gate = NoNewAccess {
            old: &set,
            new: &changed,
            action: None,
            resource: None,
        };
        for (name, outcome) in [
            (
                "never-allows",
                never.prove(budget()).expect("asked").outcome,
            ),
            (
                "no-new-access",
                gate.prove(budget()).expect("asked").outcome,
            ),
        ] {
            let Outcome::Violated(witness) = &outcome else {
                panic!("{name} at {size} statements: expected a violation, got {outcome}");
            };
            eprintln!(
                "{name} at {size} statements: witness {}",
                witness.request_file
            );
        }
        let mut group = c.benchmark_group("prove never-allows");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| never.prove(budget()).expect("asked"));
        });
        group.finish();
        let mut group = c.benchmark_group("prove no-new-access");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| gate.prove(budget()).expect("asked"));
        });
        group.finish();
    }
}

criterion_group!(benches, bench_prove);
criterion_main!(benches);
