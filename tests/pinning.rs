//! The README's "pinning decisions" example, compiled and run: a user's own insta snapshots of
//! an explained decision, in JSON and as text.

use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, Request, Verdict};

#[test]
fn dba_cannot_restore_production() {
    let set = PolicySet::builder()
        .identity(Policy::from_path("policies/dba-restore.json").expect("example policy"))
        .control(Policy::load("system:FullAliyunAccess").expect("example policy"))
        .control(
            Policy::from_path("policies/guardrails/no-prod-restore.json").expect("example policy"),
        )
        .build()
        .expect("set builds");
    let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01")
        .context("acs:MFAPresent", true)
        .context("acs:SourceIp", "10.1.2.3")
        .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("valid instant"))
        .build()
        .expect("valid request");
    let explained = set.explain(&request);
    assert_eq!(explained.decision, Verdict::ExplicitDeny);
    insta::assert_json_snapshot!(explained);
    insta::assert_snapshot!(explained.to_string());
}
