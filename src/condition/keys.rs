//! RAM's global condition keys (RAM-SPEC §3) and the type of their values.

use super::Family;

/// Global keys, documented and seen in use, with the operator family their values belong to.
/// Keys compare case-insensitively.
pub const GLOBAL_KEYS: &[(&str, Family)] = &[
    ("acs:CurrentTime", Family::Date),
    ("acs:SecureTransport", Family::Bool),
    ("acs:SourceIp", Family::Ip),
    ("acs:MFAPresent", Family::Bool),
    ("acs:SourceVpc", Family::String),
    ("acs:AccessId", Family::String),
    ("acs:SourceVpcIp", Family::Ip),
    ("acs:TagKeys", Family::String),
    ("acs:PrincipalARN", Family::String),
    ("acs:PrincipalRDId", Family::String),
];

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
}
