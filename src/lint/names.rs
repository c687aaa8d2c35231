//! What `check` knows about action names: the kvstore actions, the codes people write for
//! kvstore by mistake, and a did-you-mean.

use std::sync::LazyLock;

use crate::pattern::{Pattern, fold_case};
use crate::suggest::nearest;

/// The RAM code of ApsaraDB for Redis / Tair.
pub(crate) const KVSTORE: &str = "kvstore";

/// Codes people write for kvstore that RAM does not know: the API's product code, the
/// product names.
const KVSTORE_MISNOMERS: &[&str] = &["r-kvstore", "redis", "tair", "kv-store", "kvstor"];

/// The kvstore action list, one `kvstore:<Action>` a line, `#` comments. Data for
/// did-you-mean, not the law: RAM may know actions the SDK does not.
const KVSTORE_ACTIONS_TXT: &str = include_str!("kvstore-actions.txt");

/// The known kvstore action names, without the `kvstore:` prefix, as written in the list.
static KVSTORE_ACTIONS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    KVSTORE_ACTIONS_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("kvstore:"))
        .collect()
});

/// Whether an action's RAM code is one people write for kvstore by mistake.
pub(crate) fn is_kvstore_misnomer(code: &str) -> bool {
    KVSTORE_MISNOMERS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(code))
}

/// The kvstore action names (`RestoreInstance`, without the `kvstore:` code).
pub(crate) fn kvstore_actions() -> &'static [&'static str] {
    &KVSTORE_ACTIONS
}

/// Whether `name` (the part after `kvstore:`, without wildcards) is a known kvstore action.
pub(crate) fn is_known_action(name: &str) -> bool {
    KVSTORE_ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// Whether a wildcard action name (after `kvstore:`) matches some known kvstore action.
pub(crate) fn matches_known_action(name_pattern: &str) -> bool {
    let pattern = Pattern::new_folded(name_pattern);
    KVSTORE_ACTIONS
        .iter()
        .any(|a| pattern.is_match(&fold_case(a)))
}

/// The known kvstore action nearest to `name`, for did-you-mean.
pub(crate) fn suggest_action(name: &str) -> Option<&'static str> {
    nearest(name, KVSTORE_ACTIONS.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_list_is_loaded() {
        assert_eq!(KVSTORE_ACTIONS.len(), 157);
        assert!(is_known_action("RestoreInstance"));
        assert!(is_known_action("restoreinstance"));
        assert!(!is_known_action("RestoreInstances"));
        assert!(matches_known_action("Describe*"));
        assert!(matches_known_action("restore*"));
        assert!(!matches_known_action("Restor?Instances"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest_action("RestoreInstances"), Some("RestoreInstance"));
        assert_eq!(suggest_action("RestorInstance"), Some("RestoreInstance"));
        assert_eq!(suggest_action("Frobnicate"), None);
    }

    #[test]
    fn misnomers() {
        assert!(is_kvstore_misnomer("R-KVStore"));
        assert!(!is_kvstore_misnomer("kvstore"));
    }
}
