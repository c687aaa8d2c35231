//! The condition keys an event records: each read only when its value is RAM's own for the
//! key, so that a value RAM never sends cannot reach a condition.

use super::error::EventError;
use super::fields::Node;
use super::identity;
use crate::request::ContextValues;
use crate::value;

/// The global keys read from `event` (whose `userIdentity` is `identity`), in docs/actiontrail.md's
/// order; `acs:CurrentTime` is the caller's, since it may be assumed.
///
/// # Errors
/// A field that holds a value of another type than its key's: `mfaAuthenticated` other than
/// `true`/`false`, `additionalEventData.Scheme` other than `http`/`https`, or a non-string.
pub(super) fn event_context(
    event: &Node<'_>,
    identity: &Node<'_>,
) -> Result<Vec<(&'static str, ContextValues)>, EventError> {
    let mut keys: Vec<(&'static str, ContextValues)> = Vec::new();
    // A service host (`ecs.aliyuncs.com`) or a masked address (`192.168.XX.XX`) is no address:
    // the key is then missing, as it would be for RAM.
    if let Some(address) = event.string("sourceIpAddress")? {
        if let Ok(ip) = value::parse_ip_addr(address) {
            keys.push(("acs:SourceIp", ip.into()));
        }
    }
    if let Some(mfa) = identity::mfa_authenticated(identity)? {
        keys.push(("acs:MFAPresent", mfa.into()));
    }
    if let Some(data) = event.child("additionalEventData")? {
        if let Some(scheme) = data.string("Scheme")? {
            let secure = if scheme.eq_ignore_ascii_case("https") {
                true
            } else if scheme.eq_ignore_ascii_case("http") {
                false
            } else {
                return Err(EventError::invalid(
                    data.path("Scheme"),
                    format_args!("must be `https` or `http`, found `{scheme}`"),
                ));
            };
            keys.push(("acs:SecureTransport", secure.into()));
        }
    }
    if let Some(vpc) = event.string("vpcId")? {
        keys.push(("acs:SourceVpc", vpc.into()));
    }
    if let Some(agent) = event.string("userAgent")? {
        keys.push(("acs:UserAgent", agent.into()));
    }
    Ok(keys)
}
