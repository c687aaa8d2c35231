//! The request context: condition keys and their values, read once as every type a condition
//! may compare them as; key folding; and what RAM's global `acs:` keys are (docs/semantics.md §3).

use std::fmt;
use std::net::IpAddr;
use std::sync::OnceLock;

use crate::suggest::nearest;
use crate::value::{self, Decimal, Family, Timestamp};

/// Folds a condition key for lookup: keys compare case-insensitively (docs/semantics.md §3 [decision]).
/// Per character, as actions are: `str::to_lowercase`'s final-sigma rule would fold `ΟΔΟΣ` and
/// `ΟΔΟσ`, the same key in other letter case, apart.
pub(crate) fn fold_key(key: &str) -> String {
    crate::pattern::fold_case(key).into_owned()
}

/// Whether a condition key has the form `<ram-code>:<key>` with both parts non-empty.
pub(crate) fn is_valid_key(key: &str) -> bool {
    matches!(key.split_once(':'), Some((code, name)) if !code.is_empty() && !name.is_empty())
}

/// Global keys, documented and seen in use, with the operator family their values belong to.
/// Keys compare case-insensitively. Documented in RAM's policy-elements page: `acs:CurrentTime`,
/// `acs:SecureTransport`, `acs:SourceIp`, `acs:MFAPresent`; in Alibaba Cloud's service and
/// Resource Directory documentation: `acs:SourceVpc`, `acs:AccessId`, `acs:UserAgent`,
/// `acs:PrincipalARN`; in Alibaba's own policies (`ram:PassRole`): `acs:Service`; seen in use but
/// not confirmed: the others.
pub(crate) const GLOBAL_KEYS: &[(&str, Family)] = &[
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
pub(crate) const GLOBAL_KEY_PREFIXES: &[&str] = &["acs:ResourceTag/", "acs:RequestTag/"];

/// Global keys a request can carry several values for; the others hold one value.
const MULTI_VALUED_KEYS: &[&str] = &["acs:TagKeys"];

/// What is known about a condition key.
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
    /// Not an `acs:` key: a service key, whose vocabulary belongs to its service.
    Service,
}

/// Looks up a condition key, however it is spelled.
pub(crate) fn key_info(key: &str) -> KeyInfo {
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

/// The global key a key names, however it is spelled, with its value family.
pub(crate) fn global_key(key: &str) -> Option<(&'static str, Family)> {
    GLOBAL_KEYS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .copied()
}

/// A value given for a condition key, before it is prepared.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextInput {
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// A number, as its JSON text.
    Number(String),
}

/// One or more values for a condition key; built from the usual Rust types with `From`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextValues(pub(crate) Vec<ContextInput>);

impl From<&str> for ContextValues {
    fn from(s: &str) -> Self {
        ContextValues(vec![ContextInput::String(s.to_string())])
    }
}
impl From<String> for ContextValues {
    fn from(s: String) -> Self {
        ContextValues(vec![ContextInput::String(s)])
    }
}
impl From<bool> for ContextValues {
    fn from(b: bool) -> Self {
        ContextValues(vec![ContextInput::Bool(b)])
    }
}
impl From<i64> for ContextValues {
    fn from(n: i64) -> Self {
        ContextValues(vec![ContextInput::Number(n.to_string())])
    }
}
impl From<IpAddr> for ContextValues {
    fn from(ip: IpAddr) -> Self {
        ContextValues(vec![ContextInput::String(ip.to_string())])
    }
}
impl From<&Timestamp> for ContextValues {
    fn from(t: &Timestamp) -> Self {
        ContextValues(vec![ContextInput::String(t.to_string())])
    }
}
impl<T: Into<ContextValues>> From<Vec<T>> for ContextValues {
    fn from(values: Vec<T>) -> Self {
        ContextValues(values.into_iter().flat_map(|v| v.into().0).collect())
    }
}
impl From<ContextInput> for ContextValues {
    fn from(input: ContextInput) -> Self {
        ContextValues(vec![input])
    }
}

/// The condition keys of a request, looked up case-insensitively, and the keys declared
/// absent from the real call.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub(crate) entries: Vec<ContextEntry>,
    /// Folded keys declared absent, sorted.
    pub(crate) absent: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ContextEntry {
    pub(crate) key: String,
    pub(crate) folded: String,
    pub(crate) values: Vec<ContextValue>,
}

impl Context {
    /// The values of a key given folded; an empty slice when the key is missing.
    pub(crate) fn values(&self, folded_key: &str) -> &[ContextValue] {
        // A request carries a handful of keys, mostly of different lengths: a scan that compares
        // lengths first beats a binary search of string comparisons.
        if self.entries.len() <= 16 {
            return self
                .entries
                .iter()
                .find(|e| e.folded.len() == folded_key.len() && e.folded == folded_key)
                .map_or(&[], |e| &e.values);
        }
        self.entries
            .binary_search_by(|e| e.folded.as_str().cmp(folded_key))
            .map_or(&[], |i| &self.entries[i].values)
    }

    /// The values of a key, however it is spelled; empty when the key is missing.
    ///
    /// # Example
    /// ```
    /// use ramguard::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:ResourceTag/env", vec!["staging", "shared"])
    ///     .build()?;
    /// let env: Vec<&str> = request.context().get("ACS:RESOURCETAG/ENV").iter().map(|v| v.text()).collect();
    /// assert_eq!(env, ["staging", "shared"]);
    /// assert!(request.context().get("acs:SourceIp").is_empty());
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn get(&self, key: &str) -> &[ContextValue] {
        self.values(&fold_key(key))
    }

    /// Whether a key, given folded, is declared absent from the real call.
    pub(crate) fn is_declared_absent(&self, folded_key: &str) -> bool {
        self.absent
            .binary_search_by(|k| k.as_str().cmp(folded_key))
            .is_ok()
    }

    /// The keys declared absent from the real call, folded, in order.
    ///
    /// # Example
    /// ```
    /// use ramguard::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .absent("acs:SourceVpc")
    ///     .absent("acs:SourceIp")
    ///     .build()?;
    /// let absent: Vec<&str> = request.context().declared_absent().collect();
    /// assert_eq!(absent, ["acs:sourceip", "acs:sourcevpc"]);
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn declared_absent(&self) -> impl Iterator<Item = &str> {
        self.absent.iter().map(String::as_str)
    }

    /// Every key with its values, in folded-key order; each key is spelled as given.
    ///
    /// # Example
    /// ```
    /// use ramguard::Request;
    /// use ramguard::value::Timestamp;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("kvstore:BackupRetention", 7)
    ///     .context("acs:MFAPresent", true)
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?)
    ///     .build()?;
    /// let entries: Vec<(&str, Vec<&str>)> = request
    ///     .context()
    ///     .iter()
    ///     .map(|(key, values)| (key, values.iter().map(|v| v.text()).collect()))
    ///     .collect();
    /// assert_eq!(
    ///     entries,
    ///     [
    ///         ("acs:CurrentTime", vec!["2026-11-29T09:30:00Z"]),
    ///         ("acs:MFAPresent", vec!["true"]),
    ///         ("kvstore:BackupRetention", vec!["7"]),
    ///     ]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[ContextValue])> {
        self.entries
            .iter()
            .map(|e| (e.key.as_str(), e.values.as_slice()))
    }
}

/// The text String operators read: a boolean as `true`/`false`, a number as its JSON text.
fn text_of(input: &ContextInput) -> &str {
    match input {
        ContextInput::String(s) | ContextInput::Number(s) => s,
        ContextInput::Bool(true) => "true",
        ContextInput::Bool(false) => "false",
    }
}

/// One request value, read as each type a condition compares it as: each typed form is
/// parsed the first time a condition asks for it, once, so a request pays only for the forms
/// its policies read.
#[derive(Debug, Clone)]
pub struct ContextValue {
    input: ContextInput,
    boolean: Option<bool>,
    decimal: OnceLock<Option<Decimal>>,
    instant: OnceLock<Option<Timestamp>>,
    ip: OnceLock<Option<IpAddr>>,
}

impl ContextValue {
    pub(crate) fn new(input: ContextInput) -> ContextValue {
        let boolean = match &input {
            ContextInput::Bool(b) => Some(*b),
            ContextInput::String(s) => value::parse_bool(s).ok(),
            ContextInput::Number(_) => None,
        };
        ContextValue {
            input,
            boolean,
            decimal: OnceLock::new(),
            instant: OnceLock::new(),
            ip: OnceLock::new(),
        }
    }

    /// A time, as `acs:CurrentTime` holds it: read as a date without parsing its text back.
    pub(crate) fn time(time: &Timestamp) -> ContextValue {
        let value = ContextValue::new(ContextInput::String(time.to_string()));
        let _ = value.instant.set(Some(time.clone()));
        value
    }

    /// The value as given.
    ///
    /// # Example
    /// ```
    /// use ramguard::request::{ContextInput, Request};
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:MFAPresent", true)
    ///     .context("kvstore:BackupRetention", 7)
    ///     .build()?;
    /// let context = request.context();
    /// assert_eq!(context.get("acs:MFAPresent")[0].input(), &ContextInput::Bool(true));
    /// assert_eq!(context.get("kvstore:BackupRetention")[0].input(), &ContextInput::Number("7".into()));
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn input(&self) -> &ContextInput {
        &self.input
    }

    /// The value as String operators read it: a boolean as `true` or `false`, a number as its
    /// JSON text.
    ///
    /// # Example
    /// ```
    /// use ramguard::Request;
    ///
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:MFAPresent", true)
    ///     .context("kvstore:BackupRetention", 7)
    ///     .context("acs:SourceVpc", "vpc-bp1stg")
    ///     .build()?;
    /// let context = request.context();
    /// let texts = ["acs:MFAPresent", "kvstore:BackupRetention", "acs:SourceVpc"].map(|key| context.get(key)[0].text());
    /// assert_eq!(texts, ["true", "7", "vpc-bp1stg"]);
    /// # Ok::<(), ramguard::request::RequestError>(())
    /// ```
    pub fn text(&self) -> &str {
        text_of(&self.input)
    }

    // The first byte rules most forms out without a parse (a failed parse allocates its
    // error): numbers start with a digit, a sign or a point, times with a digit, addresses with
    // a hex digit or `:`.
    pub(crate) fn decimal(&self) -> Option<&Decimal> {
        self.decimal
            .get_or_init(|| {
                let first = self.first_byte();
                let maybe = first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.');
                maybe.then(|| Decimal::parse(self.text()).ok()).flatten()
            })
            .as_ref()
    }

    pub(crate) fn instant(&self) -> Option<&Timestamp> {
        self.instant
            .get_or_init(|| {
                self.first_byte()
                    .is_ascii_digit()
                    .then(|| Timestamp::parse_rfc3339(self.text()).ok())
                    .flatten()
            })
            .as_ref()
    }

    pub(crate) fn ip(&self) -> Option<IpAddr> {
        *self.ip.get_or_init(|| {
            let first = self.first_byte();
            (first.is_ascii_hexdigit() || first == b':')
                .then(|| value::parse_ip_addr(self.text()).ok())
                .flatten()
        })
    }

    pub(crate) fn boolean(&self) -> Option<bool> {
        self.boolean
    }

    fn first_byte(&self) -> u8 {
        self.text().bytes().next().unwrap_or(b' ')
    }
}

impl fmt::Display for ContextValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl serde::Serialize for ContextValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.input {
            ContextInput::String(s) => serializer.serialize_str(s),
            ContextInput::Bool(b) => serializer.serialize_bool(*b),
            ContextInput::Number(n) => match serde_json::from_str::<serde_json::Number>(n) {
                Ok(number) => number.serialize(serializer),
                Err(_) => serializer.serialize_str(n),
            },
        }
    }
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
