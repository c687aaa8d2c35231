//! The system policies an account file may name without defining them: RAM's two kvstore
//! policies, attached to users, groups and roles, and Resource Directory's default control
//! policy `FullAliyunAccess`.
//!
//! The documents are embedded in the binary, so that `AliyunKvstoreFullAccess` means the same
//! thing wherever ramguard runs (they are in `src/system/`). Where a policy file is expected,
//! `system:NAME` names one of them ([`crate::Policy::load`]).

use std::sync::Arc;

use crate::policy::{InvalidPolicy, Policy};
use crate::span::Source;

/// `AliyunKvstoreFullAccess`: `kvstore:*` on every resource, so it allows `RestoreInstance`
/// everywhere.
pub const KVSTORE_FULL_ACCESS: &str = "AliyunKvstoreFullAccess";

/// `AliyunKvstoreReadOnlyAccess`: `kvstore:Describe*` on every resource, so `RestoreInstance` is
/// implicitly denied.
pub const KVSTORE_READ_ONLY_ACCESS: &str = "AliyunKvstoreReadOnlyAccess";

/// `FullAliyunAccess`: Resource Directory's system control policy, `*` on `*`, which RD attaches
/// to every folder and account by default. A Deny-only guardrail takes effect beside it; alone,
/// a control layer without an Allow denies everything (docs/semantics.md §4).
pub const FULL_ALIYUN_ACCESS: &str = "FullAliyunAccess";

/// What names a built-in system policy where a policy file is expected: `system:NAME`. Traces
/// name their source the same way.
pub const REFERENCE_PREFIX: &str = "system:";

/// Where a system policy is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Attachable {
    /// To users, groups and roles: an identity policy.
    Identity,
    /// To Resource Directory folders and accounts: a control policy.
    Control,
}

/// Every built-in system policy: its name, where it is attached, and its document.
const SYSTEM_POLICIES: &[(&str, Attachable, &str)] = &[
    (
        KVSTORE_FULL_ACCESS,
        Attachable::Identity,
        include_str!("../system/AliyunKvstoreFullAccess.json"),
    ),
    (
        KVSTORE_READ_ONLY_ACCESS,
        Attachable::Identity,
        include_str!("../system/AliyunKvstoreReadOnlyAccess.json"),
    ),
    (
        FULL_ALIYUN_ACCESS,
        Attachable::Control,
        include_str!("../system/FullAliyunAccess.json"),
    ),
];

/// The names of the built-in system policies.
///
/// # Example
/// ```
/// use ramguard::policy::system;
///
/// assert_eq!(
///     system::names().collect::<Vec<_>>(),
///     ["AliyunKvstoreFullAccess", "AliyunKvstoreReadOnlyAccess", "FullAliyunAccess"]
/// );
/// ```
pub fn names() -> impl Iterator<Item = &'static str> {
    SYSTEM_POLICIES.iter().map(|(name, _, _)| *name)
}

/// The names of the built-in system policies attached as `attachable`.
pub(crate) fn names_for(attachable: Attachable) -> impl Iterator<Item = &'static str> {
    SYSTEM_POLICIES
        .iter()
        .filter(move |(_, a, _)| *a == attachable)
        .map(|(name, _, _)| *name)
}

/// Whether `name` is a built-in system policy (names are case-sensitive, as in RAM).
pub(crate) fn is_system_policy(name: &str) -> bool {
    names().any(|n| n == name)
}

/// Where the built-in system policy `name` is attached; `None` for any other name.
///
/// # Example
/// ```
/// use ramguard::policy::system::{self, Attachable};
///
/// assert_eq!(system::attachable("AliyunKvstoreFullAccess"), Some(Attachable::Identity));
/// assert_eq!(system::attachable("FullAliyunAccess"), Some(Attachable::Control));
/// // Names are case-sensitive, as in RAM.
/// assert_eq!(system::attachable("fullaliyunaccess"), None);
/// ```
pub fn attachable(name: &str) -> Option<Attachable> {
    SYSTEM_POLICIES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, a, _)| *a)
}

/// The built-in system policy called `name`, parsed; `None` for any other name. Its source is
/// named `system:<name>` in traces.
///
/// # Errors
/// Never in practice: the embedded documents are valid (a test proves it), but a parse failure
/// is returned rather than hidden.
///
/// # Example
/// ```
/// use ramguard::policy::system::{self, KVSTORE_FULL_ACCESS};
///
/// let policy = system::get(KVSTORE_FULL_ACCESS).unwrap()?;
/// assert_eq!(policy.name(), "AliyunKvstoreFullAccess");
/// assert!(system::get("AliyunKvstoreFullAcess").is_none());
///
/// // Resource Directory's default control policy, for a set with Deny-only guardrails.
/// let full = system::get(system::FULL_ALIYUN_ACCESS).unwrap()?;
/// let set = ramguard::PolicySet::builder().control(full).build()?;
/// assert_eq!(set.policy(0).source().name(), "system:FullAliyunAccess");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn get(name: &str) -> Option<Result<Policy, Box<InvalidPolicy>>> {
    let (name, _, text) = SYSTEM_POLICIES.iter().find(|(n, _, _)| *n == name)?;
    let source: Arc<Source> = Source::new(format!("{REFERENCE_PREFIX}{name}"), *text);
    Some(Policy::parse((*name).to_string(), source).map_err(Box::new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Effect;

    #[test]
    fn every_embedded_document_parses_and_says_what_its_name_says() {
        for name in names() {
            let policy = get(name).expect("listed").expect("valid");
            assert_eq!(policy.name(), name);
            assert_eq!(policy.source().name(), format!("system:{name}"));
            let [statement] = policy.statements() else {
                panic!("{name}: one statement expected");
            };
            assert_eq!(statement.effect.value, Effect::Allow);
        }
        let full = get(KVSTORE_FULL_ACCESS).unwrap().unwrap();
        assert_eq!(full.statements()[0].action.patterns[0].value, "kvstore:*");
        let read = get(KVSTORE_READ_ONLY_ACCESS).unwrap().unwrap();
        assert_eq!(
            read.statements()[0].action.patterns[0].value,
            "kvstore:Describe*"
        );
        let full = get(FULL_ALIYUN_ACCESS).unwrap().unwrap();
        assert_eq!(full.statements()[0].action.patterns[0].value, "*");
        assert_eq!(full.statements()[0].resource.patterns[0].value, "*");
        assert_eq!(attachable(FULL_ALIYUN_ACCESS), Some(Attachable::Control));
        assert_eq!(attachable(KVSTORE_FULL_ACCESS), Some(Attachable::Identity));
        assert_eq!(
            names_for(Attachable::Control).collect::<Vec<_>>(),
            [FULL_ALIYUN_ACCESS]
        );
    }

    #[test]
    fn names_are_case_sensitive() {
        assert!(is_system_policy("AliyunKvstoreFullAccess"));
        assert!(!is_system_policy("aliyunkvstorefullaccess"));
        assert!(get("AliyunRAMFullAccess").is_none());
    }
}
