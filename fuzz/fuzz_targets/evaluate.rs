//! Any valid policy against a fixed restore request, traced and untraced: no panic, and both
//! paths agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ramguard::{Policy, PolicySet, Request};

fuzz_target!(|text: &str| {
    let Ok(policy) = Policy::from_text("fuzz", text) else {
        return;
    };
    let Ok(set) = PolicySet::builder().identity(policy).build() else {
        return;
    };
    let Ok(request) = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01")
        .context("acs:SourceIp", "10.0.0.1")
        .context("acs:MFAPresent", true)
        .build()
    else {
        return;
    };
    let decision = set.evaluate(&request);
    let explained = set.explain(&request);
    assert_eq!(decision.verdict, explained.decision);
    assert_eq!(decision.policy_type, explained.policy_type);
});
