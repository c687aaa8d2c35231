//! Fixtures for the `RestoreInstance` parameter and guard tests.

use ramguard::restore::{CheckStatus, Clearance, InstanceState, Reason, Validation};
use ramguard::span::Source;
use ramguard::value::Timestamp;

/// The submission time of every call.
pub const NOW: &str = "2026-11-29T09:30:00Z";

/// [`NOW`] as an instant.
pub fn now() -> Timestamp {
    Timestamp::parse_rfc3339(NOW).expect("a valid instant")
}

/// `(code, parameter)` of every error, in order.
pub fn errors(v: &Validation) -> Vec<(&'static str, &'static str)> {
    v.errors
        .iter()
        .map(|e| (e.code.code(), e.parameter.name()))
        .collect()
}

/// `(code, status)` of every instance check, in order.
pub fn statuses(v: &Validation) -> Vec<(&'static str, CheckStatus)> {
    v.instance_checks
        .iter()
        .map(|c| (c.code.code(), c.status))
        .collect()
}

/// An instance state read from `text`.
pub fn state(text: &str) -> InstanceState {
    InstanceState::parse(Source::new("state.json", text)).expect("valid state")
}

/// Instance `r-1`, running, with data flashback restorable from 2026-11-20.
pub fn flashback_state() -> InstanceState {
    state(
        r#"{"InstanceId": "r-1", "RegionId": "cn-hangzhou", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"}"#,
    )
}

/// The reasons of a refusal; panics on a permit.
pub fn refusal(clearance: Clearance) -> Vec<Reason> {
    match clearance {
        Clearance::Permitted(permit) => panic!("permitted: {permit:?}"),
        Clearance::Refused(refusal) => refusal.reasons().to_vec(),
    }
}
