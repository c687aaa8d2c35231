//! IP addresses and networks for RAM `IpAddress`/`NotIpAddress` conditions:
//! strict parsing and family-aware containment.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use super::ValueError;

/// An IPv4 or IPv6 network in CIDR form, such as `10.0.0.0/8`.
///
/// A single address is the network of just that address (`/32` or `/128`).
/// Host bits in the input are cleared, as RAM does: `10.0.0.1/24` is
/// `10.0.0.0/24`. Networks never span address families; see
/// [`IpNetwork::contains`].
///
/// # Example
/// ```
/// use ramguard::Policy;
/// use ramguard::policy::ConditionValue;
/// use ramguard::value::IpNetwork;
///
/// // A policy's `IpAddress` and `NotIpAddress` values are networks.
/// let policy = Policy::from_text("p", r#"{"Version": "1", "Statement": [{"Effect": "Allow",
///   "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-bp1*",
///   "Condition": {"IpAddress": {"acs:SourceIp": ["10.1.2.3/8", "192.168.1.7"]}}}]}"#)?;
/// let values: Vec<&ConditionValue> = policy.statements()[0].conditions[0].values.iter().map(|v| &v.value).collect();
/// assert_eq!(values[0], &ConditionValue::Network(IpNetwork::parse("10.0.0.0/8")?));
/// assert_eq!(values[1].to_string(), "192.168.1.7/32");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpNetwork {
    /// Always truncated: no host bits are set.
    net: IpNet,
}

impl IpNetwork {
    /// Parses an IPv4 or IPv6 address or CIDR network.
    ///
    /// Addresses use the standard textual forms (dotted-quad IPv4 without
    /// leading zeros, RFC 5952-style IPv6 without a zone). The prefix length
    /// is decimal without sign or leading zeros and at most 32 for IPv4 or
    /// 128 for IPv6. Whitespace anywhere is an error.
    ///
    /// # Errors
    ///
    /// [`ValueError::InvalidIpNetwork`] for anything else, saying whether the
    /// address or the prefix length is wrong.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::{IpNetwork, ValueError};
    ///
    /// assert_eq!(IpNetwork::parse("10.1.2.3/8")?.to_string(), "10.0.0.0/8");
    /// assert_eq!(IpNetwork::parse("10.0.0.1")?.to_string(), "10.0.0.1/32");
    /// assert_eq!(IpNetwork::parse("2001:db8::1/32")?.to_string(), "2001:db8::/32");
    ///
    /// let messages = ["10.0.0.0/33", "10.0.0.01"].map(|s| IpNetwork::parse(s).unwrap_err().to_string());
    /// assert_eq!(
    ///     messages,
    ///     [
    ///         "expected an IP address or CIDR network like `10.0.0.0/8`, found `10.0.0.0/33`: \
    ///          the prefix length `33` is out of range 0-32 for IPv4",
    ///         "expected an IP address or CIDR network like `10.0.0.0/8`, found `10.0.0.01`: \
    ///          `10.0.0.01` is not an IPv4 or IPv6 address",
    ///     ]
    /// );
    /// # Ok::<(), ValueError>(())
    /// ```
    pub fn parse(s: &str) -> Result<IpNetwork, ValueError> {
        let fail = |reason: String| ValueError::InvalidIpNetwork {
            input: s.to_owned(),
            reason,
        };
        if s.contains(char::is_whitespace) {
            return Err(fail("whitespace is not allowed".to_owned()));
        }
        let (addr_text, prefix_text) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr = parse_addr_text(addr_text).map_err(fail)?;
        let max_len: u8 = if addr.is_ipv4() { 32 } else { 128 };
        let prefix_len = match prefix_text {
            None => max_len,
            Some(text) => parse_prefix_len(text, max_len, &addr).map_err(fail)?,
        };
        // parse_prefix_len bounds the length, so this cannot fail; the error
        // path exists only to avoid a panic.
        let net = IpNet::new(addr, prefix_len)
            .map_err(|_| fail(format!("the prefix length `{prefix_len}` is out of range")))?;
        Ok(IpNetwork { net: net.trunc() })
    }

    /// Whether `addr` is inside this network.
    ///
    /// Families never mix: an IPv4 network contains no IPv6 address, not
    /// even an IPv4-mapped one such as `::ffff:10.0.0.1`, and an IPv6
    /// network contains no IPv4 address.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::IpNetwork;
    ///
    /// let network: IpNetwork = "10.0.0.0/8".parse()?;
    /// assert!(network.contains(&"10.200.0.1".parse()?));
    /// assert!(!network.contains(&"11.0.0.1".parse()?));
    /// // Families never mix, not even through an IPv4-mapped IPv6 address.
    /// assert!(!network.contains(&"::ffff:10.0.0.1".parse()?));
    /// assert!(!IpNetwork::parse("::/0")?.contains(&"10.200.0.1".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn contains(&self, addr: &IpAddr) -> bool {
        match (&self.net, addr) {
            (IpNet::V4(net), IpAddr::V4(addr)) => net.contains(addr),
            (IpNet::V6(net), IpAddr::V6(addr)) => net.contains(addr),
            (IpNet::V4(_), IpAddr::V6(_)) | (IpNet::V6(_), IpAddr::V4(_)) => false,
        }
    }

    /// Whether `text`, a network as written, sets host bits that parsing clears: `10.1.2.3/8`
    /// does (it means `10.0.0.0/8`), `10.0.0.0/8` and `10.1.2.3` do not.
    ///
    /// The `cidr-host-bits` check of `ramguard check` asks this.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::IpNetwork;
    ///
    /// let written = ["10.1.2.3/8", "10.0.0.0/8", "10.1.2.3", "2001:db8::1/32", "10.0.0.0/33"];
    /// assert_eq!(written.map(IpNetwork::sets_host_bits), [true, false, false, true, false]);
    /// ```
    #[must_use]
    pub fn sets_host_bits(text: &str) -> bool {
        let Some((addr, _)) = text.split_once('/') else {
            return false;
        };
        match (IpNetwork::parse(text), parse_addr_text(addr)) {
            (Ok(net), Ok(addr)) => net.net.addr() != addr,
            _ => false,
        }
    }

    /// Returns the network as an [`ipnet::IpNet`], with host bits cleared. Crate-private, so
    /// that `ipnet` stays out of the public API.
    #[must_use]
    pub(crate) fn as_ipnet(&self) -> &IpNet {
        &self.net
    }
}

impl FromStr for IpNetwork {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IpNetwork::parse(s)
    }
}

/// Prints the normalized CIDR form, always with a prefix length:
/// `10.0.0.0/24`, `10.0.0.1/32`, `2001:db8::/32`.
impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net.addr(), self.net.prefix_len())
    }
}

impl fmt::Debug for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IpNetwork({self})")
    }
}

/// Parses a single IPv4 or IPv6 address, such as a request's source IP.
///
/// A CIDR network is an error even with a full-length prefix (`10.0.0.1/32`):
/// a request comes from one address, never a range.
///
/// # Errors
///
/// [`ValueError::IpAddrIsNetwork`] for a valid CIDR network and
/// [`ValueError::InvalidIpAddr`] for anything else that is not an address.
pub(crate) fn parse_ip_addr(s: &str) -> Result<IpAddr, ValueError> {
    if s.contains('/') && IpNetwork::parse(s).is_ok() {
        return Err(ValueError::IpAddrIsNetwork {
            input: s.to_owned(),
        });
    }
    if s.contains(char::is_whitespace) {
        return Err(ValueError::InvalidIpAddr {
            input: s.to_owned(),
            reason: "whitespace is not allowed".to_owned(),
        });
    }
    parse_addr_text(s).map_err(|reason| ValueError::InvalidIpAddr {
        input: s.to_owned(),
        reason,
    })
}

fn parse_addr_text(text: &str) -> Result<IpAddr, String> {
    if text.is_empty() {
        return Err("the address is empty".to_owned());
    }
    text.parse::<IpAddr>()
        .map_err(|_| format!("`{text}` is not an IPv4 or IPv6 address"))
}

fn parse_prefix_len(text: &str, max_len: u8, addr: &IpAddr) -> Result<u8, String> {
    let family = if addr.is_ipv4() { "IPv4" } else { "IPv6" };
    let out_of_range =
        || format!("the prefix length `{text}` is out of range 0-{max_len} for {family}");
    if text.is_empty() {
        return Err("the prefix length after `/` is missing".to_owned());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "the prefix length `{text}` is not a decimal number"
        ));
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(format!("the prefix length `{text}` has a leading zero"));
    }
    // At most three digits fit the range; longer is out of range, not
    // worth converting.
    let len: u8 = text.parse().map_err(|_| out_of_range())?;
    if len > max_len {
        return Err(out_of_range());
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNetwork {
        IpNetwork::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn addr(s: &str) -> IpAddr {
        parse_ip_addr(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_and_normalizes_networks() {
        for (input, display) in [
            ("10.0.0.1", "10.0.0.1/32"),
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("10.0.0.1/24", "10.0.0.0/24"),
            ("10.1.2.3/0", "0.0.0.0/0"),
            ("192.168.1.255/32", "192.168.1.255/32"),
            ("2001:db8::1", "2001:db8::1/128"),
            ("2001:DB8::1/32", "2001:db8::/32"),
            ("::/0", "::/0"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1/128"),
            ("::ffff:10.0.0.1/120", "::ffff:10.0.0.0/120"),
        ] {
            assert_eq!(net(input).to_string(), display, "{input}");
        }
    }

    #[test]
    fn rejects_malformed_networks() {
        for (input, reason) in [
            ("", "the address is empty"),
            ("/8", "the address is empty"),
            (
                "10.0.0.0/33",
                "the prefix length `33` is out of range 0-32 for IPv4",
            ),
            (
                "::/129",
                "the prefix length `129` is out of range 0-128 for IPv6",
            ),
            (
                "10.0.0.0/999999",
                "the prefix length `999999` is out of range 0-32 for IPv4",
            ),
            ("10.0.0.0/", "the prefix length after `/` is missing"),
            (
                "10.0.0.0/-1",
                "the prefix length `-1` is not a decimal number",
            ),
            (
                "10.0.0.0/+8",
                "the prefix length `+8` is not a decimal number",
            ),
            (
                "10.0.0.0/8/8",
                "the prefix length `8/8` is not a decimal number",
            ),
            ("10.0.0.0/08", "the prefix length `08` has a leading zero"),
            ("10.0.0.0 /8", "whitespace is not allowed"),
            (" 10.0.0.1", "whitespace is not allowed"),
            ("10.0.0", "`10.0.0` is not an IPv4 or IPv6 address"),
            ("10.0.0.256", "`10.0.0.256` is not an IPv4 or IPv6 address"),
            ("010.0.0.1", "`010.0.0.1` is not an IPv4 or IPv6 address"),
            (
                "fe80::1%eth0",
                "`fe80::1%eth0` is not an IPv4 or IPv6 address",
            ),
            ("[::1]", "`[::1]` is not an IPv4 or IPv6 address"),
            (
                "example.com",
                "`example.com` is not an IPv4 or IPv6 address",
            ),
            (
                "10.0.0.0-10.0.0.255",
                "`10.0.0.0-10.0.0.255` is not an IPv4 or IPv6 address",
            ),
        ] {
            assert_eq!(
                IpNetwork::parse(input),
                Err(ValueError::InvalidIpNetwork {
                    input: input.to_owned(),
                    reason: reason.to_owned()
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn containment_respects_prefix_and_family() {
        for (network, address, expected) in [
            ("10.0.0.0/8", "10.255.255.255", true),
            ("10.0.0.0/8", "11.0.0.0", false),
            ("10.0.0.1/24", "10.0.0.200", true),
            ("10.0.0.1/24", "10.0.1.0", false),
            ("10.0.0.1", "10.0.0.1", true),
            ("10.0.0.1", "10.0.0.2", false),
            ("0.0.0.0/0", "203.0.113.9", true),
            ("0.0.0.0/0", "::1", false),
            ("10.0.0.0/8", "::ffff:10.0.0.1", false),
            ("::/0", "10.0.0.1", false),
            ("::ffff:0:0/96", "10.0.0.1", false),
            ("::ffff:0:0/96", "::ffff:10.0.0.1", true),
            ("2001:db8::/32", "2001:db8:ffff::1", true),
            ("2001:db8::/32", "2001:db9::1", false),
        ] {
            assert_eq!(
                net(network).contains(&addr(address)),
                expected,
                "{network} contains {address}"
            );
        }
    }

    #[test]
    fn parse_ip_addr_accepts_only_single_addresses() {
        assert_eq!(addr("10.0.0.1"), IpAddr::from([10, 0, 0, 1]));
        assert!(addr("::ffff:10.0.0.1").is_ipv6());
        for input in ["10.0.0.0/8", "10.0.0.1/32", "::1/128"] {
            assert_eq!(
                parse_ip_addr(input),
                Err(ValueError::IpAddrIsNetwork {
                    input: input.to_owned()
                }),
                "{input}"
            );
        }
        assert_eq!(
            parse_ip_addr("10.0.0.0/8").unwrap_err().to_string(),
            "expected an IP address, found a network `10.0.0.0/8`"
        );
        for (input, reason) in [
            ("", "the address is empty"),
            ("10.0.0.1 ", "whitespace is not allowed"),
            (
                "10.0.0.0/33",
                "`10.0.0.0/33` is not an IPv4 or IPv6 address",
            ),
            ("localhost", "`localhost` is not an IPv4 or IPv6 address"),
        ] {
            assert_eq!(
                parse_ip_addr(input),
                Err(ValueError::InvalidIpAddr {
                    input: input.to_owned(),
                    reason: reason.to_owned()
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn equal_after_normalization() {
        assert_eq!(net("10.0.0.1/24"), net("10.0.0.0/24"));
        assert_eq!(net("10.0.0.1"), net("10.0.0.1/32"));
        assert_ne!(net("10.0.0.0/8"), net("10.0.0.0/16"));
        assert_eq!(
            IpNetwork::parse("10.0.0.0/33").unwrap_err().to_string(),
            "expected an IP address or CIDR network like `10.0.0.0/8`, found `10.0.0.0/33`: the prefix length `33` is out of range 0-32 for IPv4"
        );
    }
}
