//! Decisions per second for policy sets of 10 to 10,000 statements, with and without a trace.
//!
//! Run with `cargo bench`; criterion prints the time per decision (its inverse is decisions
//! per second) for each set size.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ramguard::restore::{self, InstanceState, RestoreCall, RestoreParameters};
use ramguard::span::Source;
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, Request};

const SERVICES: &[&str] = &["ecs", "rds", "oss", "vpc", "kvstore"];
const ACTIONS: &[&str] = &[
    "Describe*",
    "Create*",
    "ModifyInstanceSpec",
    "RestoreInstance",
    "*",
];
const STATEMENTS_PER_POLICY: usize = 10;

/// A statement of a realistic mix: exact and wildcard actions, instance-scoped resources,
/// and a condition on every third statement; `i` varies it deterministically.
fn statement(i: usize) -> String {
    let service = SERVICES[i % SERVICES.len()];
    let action = ACTIONS[(i / SERVICES.len()) % ACTIONS.len()];
    let effect = if i % 7 == 6 { "Deny" } else { "Allow" };
    let resource = format!("acs:{service}:*:1234567890123456:instance/r-{i:05}*");
    let condition = match i % 3 {
        0 => {
            r#", "Condition": {"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}, "Bool": {"acs:MFAPresent": "true"}}"#
        }
        1 => r#", "Condition": {"StringLike": {"acs:SourceVpc": "vpc-ops*"}}"#,
        _ => "",
    };
    format!(
        r#"{{"Effect": "{effect}", "Action": "{service}:{action}", "Resource": "{resource}"{condition}}}"#
    )
}

fn policy_set(statements: usize) -> PolicySet {
    let mut builder = PolicySet::builder();
    for p in 0..statements.div_ceil(STATEMENTS_PER_POLICY) {
        let body: Vec<String> = (p * STATEMENTS_PER_POLICY
            ..((p + 1) * STATEMENTS_PER_POLICY).min(statements))
            .map(statement)
            .collect();
        let text = format!(r#"{{"Version": "1", "Statement": [{}]}}"#, body.join(","));
        let policy = Policy::from_text(&format!("p{p}"), &text).expect("generated policy is valid");
        builder = builder.identity(policy);
    }
    let grant = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance",
        "Resource": "acs:kvstore:*:1234567890123456:instance/r-target", "Condition": {"Bool": {"acs:MFAPresent": "true"}}}]}"#;
    let grant = Policy::from_text("grant", grant).expect("grant policy is valid");
    builder.identity(grant).build().expect("set builds")
}

fn request(instance: &str) -> Request {
    Request::restore_instance("cn-hangzhou", "1234567890123456", instance)
        .context("acs:SourceIp", "10.1.2.3")
        .context("acs:MFAPresent", true)
        .context("acs:SourceVpc", "vpc-ops01")
        .at(Timestamp::parse_rfc3339("2026-11-29T00:00:00Z").expect("valid instant"))
        .build()
        .expect("valid request")
}

fn bench_evaluate(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(1));
    for size in [10, 100, 1_000, 10_000] {
        let set = policy_set(size);
        // No statement names this instance: every candidate is visited (the worst case).
        let miss = request("r-none");
        group.bench_with_input(BenchmarkId::new("implicit_deny", size), &size, |b, _| {
            b.iter(|| set.evaluate(std::hint::black_box(&miss)))
        });
        // The last statement of every set grants restores of r-target.
        let hit = request("r-target");
        assert!(
            set.evaluate(&hit).is_allowed(),
            "the matching request must be allowed"
        );
        group.bench_with_input(BenchmarkId::new("matching", size), &size, |b, _| {
            b.iter(|| set.evaluate(std::hint::black_box(&hit)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("explain");
    group.throughput(Throughput::Elements(1));
    for size in [10, 100, 1_000] {
        let set = policy_set(size);
        let miss = request("r-none");
        group.bench_with_input(BenchmarkId::new("implicit_deny", size), &size, |b, _| {
            b.iter(|| set.explain(std::hint::black_box(&miss)))
        });
    }
    group.finish();
}

/// The restore guard against `evaluate` for the same request: the guard also builds the
/// request from the call, validates the parameters and the instance's state, and lists the keys
/// the decision depends on.
fn bench_guard(c: &mut Criterion) {
    let now = Timestamp::parse_rfc3339("2026-11-29T00:00:00Z").expect("valid instant");
    let state = InstanceState::parse(Source::new(
        "r-target.json",
        r#"{"Instances": {"DBInstanceAttribute": [{"InstanceId": "r-target", "RegionId": "cn-hangzhou", "InstanceStatus": "Normal"}]}}"#,
    ))
    .expect("valid instance state");
    let call = RestoreCall::new(
        "cn-hangzhou",
        "1234567890123456",
        RestoreParameters::backup_set("r-target", "b-20261128"),
    )
    .context("acs:SourceIp", "10.1.2.3")
    .context("acs:MFAPresent", true)
    .context("acs:SourceVpc", "vpc-ops01")
    .context("acs:SecureTransport", true)
    .at(now);
    let mut group = c.benchmark_group("guard");
    group.throughput(Throughput::Elements(1));
    for size in [10, 1_000] {
        let set = policy_set(size);
        assert!(
            restore::guard(&set, &call, Some(&state)).is_permitted(),
            "the call must be permitted"
        );
        group.bench_with_input(BenchmarkId::new("permitted", size), &size, |b, _| {
            b.iter(|| restore::guard(&set, std::hint::black_box(&call), Some(&state)))
        });
    }
    group.finish();
}

fn bench_compile(c: &mut Criterion) {
    c.bench_function("build set of 1000 statements", |b| {
        b.iter(|| policy_set(1_000))
    });
}

criterion_group!(benches, bench_evaluate, bench_guard, bench_compile);
criterion_main!(benches);
