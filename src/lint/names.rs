//! What `check` knows about names: the kvstore actions, RAM's global condition keys and their
//! types, and a did-you-mean by edit distance.

use std::sync::LazyLock;

use crate::condition::{Family, GLOBAL_KEYS};
use crate::pattern::{Pattern, fold_case};

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

/// Global keys that take a tag key after the slash: `acs:ResourceTag/env`.
const GLOBAL_KEY_PREFIXES: &[&str] = &["acs:ResourceTag/", "acs:RequestTag/"];

/// Global keys a request can carry several values for; the others hold one value.
const MULTI_VALUED_KEYS: &[&str] = &["acs:TagKeys"];

/// What is known about an `acs:` condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyInfo {
    /// A key of RAM's, with its canonical spelling and value type.
    Known {
        /// The key as RAM documents it (or its prefix for tag keys).
        name: &'static str,
        /// The family of operators its values belong to.
        family: Family,
    },
    /// An `acs:` key RAM does not have.
    Unknown,
    /// Not an `acs:` key: a service key, which `check` does not judge.
    Service,
}

/// Looks up a condition key.
pub(crate) fn key_info(key: &str) -> KeyInfo {
    let Some((code, _)) = key.split_once(':') else {
        return KeyInfo::Service;
    };
    if !code.eq_ignore_ascii_case("acs") {
        return KeyInfo::Service;
    }
    if let Some(&(name, family)) = GLOBAL_KEYS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
    {
        return KeyInfo::Known { name, family };
    }
    for prefix in GLOBAL_KEY_PREFIXES {
        let tagged = key
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
        if tagged && key.len() > prefix.len() {
            return KeyInfo::Known {
                name: prefix,
                family: Family::String,
            };
        }
    }
    KeyInfo::Unknown
}

/// Whether a request carries at most one value for a known global key; `false` when unsure.
pub(crate) fn is_single_valued(key: &str) -> bool {
    matches!(key_info(key), KeyInfo::Known { .. })
        && !MULTI_VALUED_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
}

/// The known global key nearest to an unknown one, for did-you-mean.
pub(crate) fn suggest_key(key: &str) -> Option<String> {
    let names = GLOBAL_KEYS.iter().map(|(k, _)| *k);
    if let Some(near) = nearest(key, names) {
        return Some(near.to_string());
    }
    // `acs:ResourceTag` without a tag key, or a misspelt prefix before the slash.
    let stem = key.split_once('/').map_or(key, |(stem, _)| stem);
    let tag = key.split_once('/').map_or("<key>", |(_, tag)| tag);
    GLOBAL_KEY_PREFIXES
        .iter()
        .find(|p| nearest(stem, [p.trim_end_matches('/')]).is_some())
        .map(|p| format!("{p}{}", if tag.is_empty() { "<key>" } else { tag }))
}

/// Whether an action's RAM code is one people write for kvstore by mistake.
pub(crate) fn is_kvstore_misnomer(code: &str) -> bool {
    KVSTORE_MISNOMERS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(code))
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

/// The candidate nearest to `word` ignoring case, if it is near enough to be a typo: at most
/// a quarter of the word's characters apart, and at least two. Ties go to the first.
fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = fold_case(word);
    let limit = (folded.chars().count() / 4).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&folded, &fold_case(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters. A dozen lines here rather than a dependency: the lists
/// are short and the words shorter.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    // Rows have `b.len() + 1` cells and `j < b.len()` in the loop: every index is in range.
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            let delete = previous[j + 1] + 1;
            let insert = current[j] + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("restoreinstances", "restoreinstance"), 1);
        assert_eq!(edit_distance("日本", "日本語"), 1);
    }

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
        assert_eq!(suggest_key("acs:SourceIP").as_deref(), Some("acs:SourceIp"));
        assert_eq!(
            suggest_key("acs:MFAPresnt").as_deref(),
            Some("acs:MFAPresent")
        );
        assert_eq!(suggest_key("acs:SorceIp").as_deref(), Some("acs:SourceIp"));
        assert_eq!(
            suggest_key("acs:ResourceTags/env").as_deref(),
            Some("acs:ResourceTag/env")
        );
        assert_eq!(
            suggest_key("acs:ResourceTag").as_deref(),
            Some("acs:ResourceTag/<key>")
        );
        assert_eq!(suggest_key("acs:Weather"), None);
    }

    #[test]
    fn keys() {
        assert_eq!(
            key_info("ACS:sourceip"),
            KeyInfo::Known {
                name: "acs:SourceIp",
                family: Family::Ip
            }
        );
        assert_eq!(
            key_info("acs:ResourceTag/env"),
            KeyInfo::Known {
                name: "acs:ResourceTag/",
                family: Family::String
            }
        );
        assert_eq!(key_info("acs:ResourceTag/"), KeyInfo::Unknown);
        assert_eq!(key_info("acs:MFAPresnt"), KeyInfo::Unknown);
        assert_eq!(key_info("ram:TrustedPrincipalTypes"), KeyInfo::Service);
        assert!(is_single_valued("acs:CurrentTime"));
        assert!(!is_single_valued("acs:tagkeys"));
        assert!(!is_single_valued("kvstore:Anything"));
        assert!(is_kvstore_misnomer("R-KVStore"));
        assert!(!is_kvstore_misnomer("kvstore"));
    }
}
