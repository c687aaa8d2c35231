//! RAM's global condition keys (docs/semantics.md §3): which `acs:` keys exist, the type of
//! their values, and a did-you-mean for the ones that do not.

use super::Family;
use crate::suggest::nearest;

/// Global keys, documented and seen in use, with the operator family their values belong to.
/// Keys compare case-insensitively. Documented in RAM's policy-elements page: `acs:CurrentTime`,
/// `acs:SecureTransport`, `acs:SourceIp`, `acs:MFAPresent`; in Alibaba Cloud's service and
/// Resource Directory documentation: `acs:SourceVpc`, `acs:AccessId`, `acs:UserAgent`,
/// `acs:PrincipalARN`; in Alibaba's own policies (`ram:PassRole`): `acs:Service`; seen in use but
/// not confirmed: the others.
pub const GLOBAL_KEYS: &[(&str, Family)] = &[
    ("acs:CurrentTime", Family::Date),
    ("acs:SecureTransport", Family::Bool),
    ("acs:SourceIp", Family::Ip),
    ("acs:MFAPresent", Family::Bool),
    ("acs:SourceVpc", Family::String),
    ("acs:AccessId", Family::String),
    ("acs:UserAgent", Family::String),
    ("acs:Service", Family::String),
    ("acs:PrincipalARN", Family::String),
    ("acs:SourceVpcId", Family::String),
    ("acs:SourceVpcIp", Family::Ip),
    ("acs:TagKeys", Family::String),
    ("acs:PrincipalRDId", Family::String),
    ("acs:PrincipalRDPath", Family::String),
];

/// Global keys that take a tag key after the slash: `acs:ResourceTag/env`.
pub const GLOBAL_KEY_PREFIXES: &[&str] = &["acs:ResourceTag/", "acs:RequestTag/"];

/// Global keys a request can carry several values for; the others hold one value.
const MULTI_VALUED_KEYS: &[&str] = &["acs:TagKeys"];

/// What is known about a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyInfo {
    /// A key of RAM's, with its canonical spelling and value type.
    Known {
        /// The key as RAM documents it (or its prefix for tag keys).
        name: &'static str,
        /// The family of operators its values belong to.
        family: Family,
    },
    /// An `acs:` key RAM does not have.
    Unknown,
    /// Not an `acs:` key: a service key, whose vocabulary belongs to its service.
    Service,
}

/// Looks up a condition key, however it is spelled.
pub fn key_info(key: &str) -> KeyInfo {
    let Some((code, _)) = key.split_once(':') else {
        return KeyInfo::Service;
    };
    if !code.eq_ignore_ascii_case("acs") {
        return KeyInfo::Service;
    }
    if let Some((name, family)) = global_key(key) {
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
pub fn is_single_valued(key: &str) -> bool {
    matches!(key_info(key), KeyInfo::Known { .. })
        && !MULTI_VALUED_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
}

/// The known global key nearest to an unknown one, for did-you-mean.
pub fn suggest_key(key: &str) -> Option<String> {
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

/// The global key a key names, however it is spelled, with its value family.
pub fn global_key(key: &str) -> Option<(&'static str, Family)> {
    GLOBAL_KEYS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_keys_ignoring_case() {
        assert_eq!(
            global_key("ACS:sourceip"),
            Some(("acs:SourceIp", Family::Ip))
        );
        assert_eq!(
            global_key("acs:CurrentTime"),
            Some(("acs:CurrentTime", Family::Date))
        );
        assert_eq!(global_key("acs:ResourceTag/env"), None);
        assert_eq!(global_key("kvstore:SourceIp"), None);
    }

    #[test]
    fn knows_keys_by_kind() {
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
        // Alibaba's own policies and documentation use these.
        for key in ["acs:Service", "acs:UserAgent", "acs:PrincipalARN"] {
            assert!(matches!(key_info(key), KeyInfo::Known { .. }), "{key}");
        }
        assert_eq!(key_info("acs:ResourceTag/"), KeyInfo::Unknown);
        assert_eq!(key_info("acs:MFAPresnt"), KeyInfo::Unknown);
        assert_eq!(key_info("ram:TrustedPrincipalTypes"), KeyInfo::Service);
        assert!(is_single_valued("acs:CurrentTime"));
        assert!(!is_single_valued("acs:tagkeys"));
        assert!(!is_single_valued("kvstore:Anything"));
    }

    #[test]
    fn suggests_near_keys() {
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
}
