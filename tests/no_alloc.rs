//! `PolicySet::evaluate` allocates nothing: counted with a global allocator, per thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers to the system allocator; the counter is a const-initialized thread local,
// so reading it never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

const IDENTITY: &str = r#"{"Version": "1", "Statement": [
  {"Effect": "Allow", "Action": ["kvstore:Describe*", "ecs:*"], "Resource": "*"},
  {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:1234567890123456:instance/*",
   "Condition": {"Bool": {"acs:MFAPresent": "true"}, "IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
                 "StringLike": {"acs:SourceVpc": "vpc-*"}, "StringEqualsIgnoreCase": {"acs:ResourceTag/env": "Staging"},
                 "NumericLessThan": {"acs:Port": "7000"}, "DateLessThan": {"acs:CurrentTime": "2030-01-01T00:00:00Z"},
                 "ForAllValues:StringEquals": {"acs:TagKeys": ["env", "team"]}}},
  {"Effect": "Deny", "NotAction": "kvstore:*", "Resource": "*"},
  {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "NotResource": "acs:kvstore:*:*:instance/r-*",
   "Condition": {"StringNotEquals": {"acs:SourceVpc": "vpc-ops"}}}
]}"#;

const CONTROL: &str = r#"{"Version": "1", "Statement": [
  {"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-*prod*"}
]}"#;

const GROUP: &str = r#"{"Version": "1", "Statement": [
  {"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "*"}
]}"#;

fn policy(name: &str, text: &str) -> Policy {
    Policy::from_text(name, text).expect("fixture policy is valid")
}

fn request(instance: &str, mfa: bool) -> Request {
    Request::restore_instance("cn-hangzhou", "1234567890123456", instance)
        .context("acs:MFAPresent", mfa)
        .context("acs:SourceIp", "10.1.2.3")
        .context("acs:SourceVpc", "vpc-ops")
        .context("acs:ResourceTag/env", "STAGING")
        .context("acs:Port", 6379)
        .context("acs:TagKeys", vec!["env"])
        .at(Timestamp::parse_rfc3339("2026-11-29T00:00:00Z").expect("valid instant"))
        .build()
        .expect("valid request")
}

#[test]
fn evaluate_allocates_nothing() {
    let set = PolicySet::builder()
        .identity(policy("identity", IDENTITY))
        .control(policy("control", CONTROL))
        .resource_group_identity("rg-ops", policy("group", GROUP))
        .resource_group(
            "rg-ops",
            ["acs:kvstore:cn-hangzhou:1234567890123456:instance/r-ops01"],
        )
        .build()
        .expect("set builds");
    let cases = [
        (
            request("r-stg01", true),
            Verdict::Allow,
            PolicyType::AccountLevelIdentityBasedPolicy,
        ),
        (
            request("r-stg01", false),
            Verdict::ImplicitDeny,
            PolicyType::AccountLevelIdentityBasedPolicy,
        ),
        (
            request("r-bp1prod01", true),
            Verdict::ExplicitDeny,
            PolicyType::ControlPolicy,
        ),
        (
            request("r-ops01", false),
            Verdict::Allow,
            PolicyType::ResourceGroupLevelIdentityBasedPolicy,
        ),
    ];
    for (request, verdict, policy_type) in &cases {
        // The first decision on a fresh request types its context values (lazily, once):
        // that must not allocate either, or every line of a replay would.
        let first = allocations_during(|| {
            std::hint::black_box(set.evaluate(request));
        });
        assert_eq!(
            first,
            0,
            "the first evaluate of {} allocated",
            request.resource()
        );
        let mut decision = None;
        let count = allocations_during(|| decision = Some(set.evaluate(request)));
        let decision = decision.expect("evaluated");
        assert_eq!(
            (decision.verdict, decision.policy_type),
            (*verdict, *policy_type)
        );
        assert_eq!(
            count,
            0,
            "evaluate allocated {count} times for {}",
            request.resource()
        );
    }
    // The counter works: explain does allocate.
    assert!(allocations_during(|| drop(set.explain(&cases[0].0))) > 0);
}
