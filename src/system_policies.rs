//! The RAM system policies for kvstore that an account file may name without defining them.
//!
//! The documents are embedded in the binary, so that `AliyunKvstoreFullAccess` means the same
//! thing wherever ramguard runs; they are the ones shipped in `policies/system/`.

use std::sync::Arc;

use crate::policy::{InvalidPolicy, Policy};
use crate::source::Source;

/// `AliyunKvstoreFullAccess`: `kvstore:*` on every resource, so it allows `RestoreInstance`
/// everywhere.
pub const KVSTORE_FULL_ACCESS: &str = "AliyunKvstoreFullAccess";

/// `AliyunKvstoreReadOnlyAccess`: `kvstore:Describe*` on every resource, so `RestoreInstance` is
/// implicitly denied.
pub const KVSTORE_READ_ONLY_ACCESS: &str = "AliyunKvstoreReadOnlyAccess";

/// Every built-in system policy: its name and its document.
const SYSTEM_POLICIES: &[(&str, &str)] = &[
    (
        KVSTORE_FULL_ACCESS,
        include_str!("../policies/system/AliyunKvstoreFullAccess.json"),
    ),
    (
        KVSTORE_READ_ONLY_ACCESS,
        include_str!("../policies/system/AliyunKvstoreReadOnlyAccess.json"),
    ),
];

/// The names of the built-in system policies.
pub fn names() -> impl Iterator<Item = &'static str> {
    SYSTEM_POLICIES.iter().map(|(name, _)| *name)
}

/// Whether `name` is a built-in system policy (names are case-sensitive, as in RAM).
pub fn is_system_policy(name: &str) -> bool {
    names().any(|n| n == name)
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
/// use ramguard::system_policies::{self, KVSTORE_FULL_ACCESS};
///
/// let policy = system_policies::get(KVSTORE_FULL_ACCESS).unwrap()?;
/// assert_eq!(policy.name(), "AliyunKvstoreFullAccess");
/// assert!(system_policies::get("AliyunKvstoreFullAcess").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn get(name: &str) -> Option<Result<Policy, Box<InvalidPolicy>>> {
    let (name, text) = SYSTEM_POLICIES.iter().find(|(n, _)| *n == name)?;
    let source: Arc<Source> = Source::new(format!("system:{name}"), *text);
    Some(Policy::parse((*name).to_string(), source).map_err(Box::new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Effect;

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
    }

    #[test]
    fn names_are_case_sensitive() {
        assert!(is_system_policy("AliyunKvstoreFullAccess"));
        assert!(!is_system_policy("aliyunkvstorefullaccess"));
        assert!(get("AliyunRAMFullAccess").is_none());
    }
}
