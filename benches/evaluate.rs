//! Decisions on the shared benchmark workload (`workload/`, a port of the generator
//! `bench/compare` runs: teams, restore grants, Deny guardrails, team-scoped wildcards,
//! `NotAction`/`NotResource`, conditions on half the statements), for policy sets of 10 to
//! 10,000 statements: `evaluate` (no trace), `explain`, the restore guard, loading and
//! compiling, who-can over an account of 1,000 principals. Before timing a size, every
//! request's decision is checked against the generator's reference decision, and the memory
//! the compiled set holds is printed.
//!
//! Run with `cargo bench`; criterion prints the time per decision (its inverse is decisions per
//! second). `cargo bench -- evaluate/1000` runs one group.

mod workload;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ramguard::account::CompiledAccount;
use ramguard::principal::Account;
use ramguard::restore::{InstanceState, RestoreCall, RestoreParameters};
use ramguard::span::Source;
use ramguard::{Policy, PolicySet, Request, Timestamp, Verdict, guard};
use workload::{Decision, Req};

/// Counts the bytes allocated and not yet freed, to measure what a compiled set holds.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the same layout is passed on to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const SEED: u64 = 0;
const REQUESTS: usize = 10_000;

fn request(spec: &Req) -> Request {
    Request::builder(spec.action.as_str(), spec.resource.as_str())
        .context("acs:MFAPresent", spec.mfa)
        .context("acs:SecureTransport", spec.tls)
        .context("acs:SourceIp", spec.ip.as_str())
        .context("acs:SourceVpc", spec.vpc.as_str())
        .at(Timestamp::parse_rfc3339(&spec.time).expect("a valid time"))
        .build()
        .expect("generated requests are valid")
}

/// Panics unless ramguard reaches the generator's reference decision on every request: a
/// benchmark of wrong answers would measure nothing.
fn check_decisions(size: usize, set: &PolicySet, requests: &[Request], expected: &[Decision]) {
    for (i, (request, expected)) in requests.iter().zip(expected).enumerate() {
        let verdict = set.evaluate(request).verdict;
        let reference = match expected {
            Decision::Allow => Verdict::Allow,
            Decision::ExplicitDeny => Verdict::ExplicitDeny,
            Decision::ImplicitDeny => Verdict::ImplicitDeny,
        };
        assert_eq!(verdict, reference, "{size} statements, request {i}");
    }
}

fn bench_decisions(c: &mut Criterion) {
    for size in SIZES {
        let workload = workload::generate(size, REQUESTS, SEED);
        let documents = &workload.documents;
        let before = LIVE.load(Ordering::Relaxed);
        let set = workload::compile(documents);
        let held = LIVE.load(Ordering::Relaxed) - before;
        eprintln!(
            "compiled set of {size} statements: {:.1} MB",
            held as f64 / 1_000_000.0
        );
        let requests: Vec<Request> = workload.requests.iter().map(request).collect();
        check_decisions(size, &set, &requests, &workload.expected);

        let mut group = c.benchmark_group("evaluate");
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            let mut next = requests.iter().cycle();
            b.iter(|| set.evaluate(std::hint::black_box(next.next().expect("cycles"))))
        });
        group.finish();

        if size <= 1_000 {
            let mut group = c.benchmark_group("explain");
            group.throughput(Throughput::Elements(1));
            group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
                let mut next = requests.iter().cycle();
                b.iter(|| set.explain(std::hint::black_box(next.next().expect("cycles"))))
            });
            group.finish();
        }

        let calls = restore_calls(&workload.requests);
        let mut group = c.benchmark_group("guard");
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            let mut next = calls.iter().cycle();
            b.iter(|| {
                let (call, state) = next.next().expect("cycles");
                guard(&set, std::hint::black_box(call), Some(state))
            })
        });
        group.finish();

        let mut group = c.benchmark_group("load and compile");
        group.sample_size(10);
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| workload::compile(std::hint::black_box(documents)))
        });
        group.finish();
    }
}

/// Restore calls of the workload's restore requests, each with its instance's state.
fn restore_calls(requests: &[Req]) -> Vec<(RestoreCall, InstanceState)> {
    requests
        .iter()
        .filter(|spec| spec.action.eq_ignore_ascii_case("kvstore:RestoreInstance"))
        .filter_map(|spec| {
            let mut fields = spec.resource.split(':');
            let (_, _, region, account, relative) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            let instance = relative.strip_prefix("instance/")?;
            let state = InstanceState::parse(Source::new(
                "state.json",
                format!(
                    r#"{{"Instances": {{"DBInstanceAttribute": [{{"InstanceId": "{instance}", "RegionId": "{region}", "InstanceStatus": "Normal"}}]}}}}"#
                ),
            ))
            .ok()?;
            let call = RestoreCall::new(
                region,
                account,
                RestoreParameters::backup_set(instance, "b-20261128"),
            )
            .context("acs:MFAPresent", spec.mfa)
            .context("acs:SecureTransport", spec.tls)
            .context("acs:SourceIp", spec.ip.as_str())
            .context("acs:SourceVpc", spec.vpc.as_str())
            .at(Timestamp::parse_rfc3339(&spec.time).ok()?);
            Some((call, state))
        })
        .collect()
}

/// An account of `principals` users, each with two policies of about ten statements (twenty
/// in all), drawn from the 200 documents of the 2,000-statement workload.
fn account(principals: usize) -> Account {
    let pool = workload::generate(2_000, 0, SEED).documents;
    let policies: Vec<String> = pool
        .iter()
        .enumerate()
        .map(|(i, (_, document))| format!(r#""p{i}": {{"document": {document}}}"#))
        .collect();
    let users: Vec<String> = (0..principals)
        .map(|u| {
            let (a, b) = (u % pool.len(), (u * 7 + 3) % pool.len());
            format!(r#""user{u}": {{"policies": [{{"name": "p{a}"}}, {{"name": "p{b}"}}]}}"#)
        })
        .collect();
    let text = format!(
        r#"{{"account_id": "1234567890123456", "policies": {{{}}}, "users": {{{}}}}}"#,
        policies.join(", "),
        users.join(", ")
    );
    Account::parse(Source::new("account.json", text), "".as_ref()).expect("a valid account")
}

fn bench_who_can(c: &mut Criterion) {
    let account = account(1_000);
    let mut group = c.benchmark_group("account of 1000 principals");
    group.sample_size(10);
    group.bench_function("compile", |b| {
        b.iter(|| CompiledAccount::compile(std::hint::black_box(&account)))
    });
    let compiled = CompiledAccount::compile(&account);
    let restore = workload::generate(2_000, 100, SEED)
        .requests
        .iter()
        .find(|r| r.action == "kvstore:RestoreInstance")
        .map(request)
        .expect("the workload has restores");
    group.bench_function("who-can", |b| {
        b.iter(|| compiled.who_can(std::hint::black_box(&restore)))
    });
    group.finish();
}

/// The costliest single match the limits allow: a `StringLike` pattern of the longest length
/// (`*`, 8,188 literal characters, `?b*`) against the longest request value, which almost
/// matches at every position. Before `?` segments were matched bit-parallel this was quadratic
/// (a 50,000-character pattern against 500,000 characters took 20 s); now it is linear in
/// the value, with a factor of the pattern's length in 64-bit words.
fn bench_worst_case(c: &mut Criterion) {
    let pattern = format!("*{}?b*", "a".repeat(8_188));
    let text = format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {{"StringLike": {{"kvstore:tag/note": "{pattern}"}}}}}}]}}"#
    );
    let policy = Policy::from_text("worst", &text).expect("within the limits");
    let set = PolicySet::builder()
        .identity(policy)
        .build()
        .expect("builds");
    let at_limits = |value: String| {
        Request::builder(
            "kvstore:RestoreInstance",
            "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01",
        )
        .context("kvstore:tag/note", value)
        .build()
        .expect("within the limits")
    };
    let miss = at_limits("a".repeat(8_192));
    let hit = at_limits(format!("{}xb", "a".repeat(8_188)));
    assert_eq!(set.evaluate(&miss).verdict, Verdict::ImplicitDeny);
    assert_eq!(set.evaluate(&hit).verdict, Verdict::Allow);
    let mut group = c.benchmark_group("worst-case match");
    group.bench_function("8192-char ? pattern, 8192-char value, no match", |b| {
        b.iter(|| set.evaluate(std::hint::black_box(&miss)))
    });
    group.bench_function("8192-char ? pattern, 8190-char value, match", |b| {
        b.iter(|| set.evaluate(std::hint::black_box(&hit)))
    });
    group.finish();
}

criterion_group!(benches, bench_decisions, bench_who_can, bench_worst_case);
criterion_main!(benches);
