//! Typed values that RAM policy conditions compare: exact decimals,
//! instants, IP networks and booleans, with their parsers and one error type.
//!
//! Every parser here is strict: it accepts exactly the forms RAM documents
//! and says, on failure, what it expected and what it found. Values are parsed
//! once when a policy is loaded, so the types favour exactness over size.

use std::fmt;

mod decimal;
mod ip;
mod timestamp;

pub use decimal::Decimal;
pub use ip::IpNetwork;
pub(crate) use ip::parse_ip_addr;
pub use timestamp::Timestamp;

/// Why a string could not be read as a typed condition value.
///
/// Each message names the expected form with an example, quotes the input in
/// backticks and, where it helps, says what exactly was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The input is not a JSON number literal.
    #[error("expected a JSON number like `-1.5e3`, found `{input}`: {reason}")]
    InvalidNumber {
        /// The rejected input, verbatim.
        input: String,
        /// What was wrong with it.
        reason: String,
    },

    /// The input is not an RFC 3339 `date-time`.
    #[error(
        "expected an RFC 3339 date-time like `2026-01-31T08:00:00Z`, found `{input}`: {reason}"
    )]
    InvalidDateTime {
        /// The rejected input, verbatim.
        input: String,
        /// What was wrong with it.
        reason: String,
    },

    /// The input is not an R-kvstore `RestoreTime` (`yyyy-MM-ddTHH:mm:ssZ`).
    #[error(
        "expected a `RestoreTime` in the form `yyyy-MM-ddTHH:mm:ssZ` like `2026-01-31T08:00:00Z`, found `{input}`: {reason}"
    )]
    InvalidRestoreTime {
        /// The rejected input, verbatim.
        input: String,
        /// What was wrong with it.
        reason: String,
    },

    /// The input is not an R-kvstore `TimeShift` (`yyyy-MM-ddTHH:mmZ`).
    #[error(
        "expected a `TimeShift` in the form `yyyy-MM-ddTHH:mmZ` like `2026-01-31T08:00Z`, found `{input}`: {reason}"
    )]
    InvalidTimeShift {
        /// The rejected input, verbatim.
        input: String,
        /// What was wrong with it.
        reason: String,
    },

    /// The input is neither `true` nor `false`.
    #[error("expected `true` or `false` in any letter case, found `{input}`")]
    InvalidBool {
        /// The rejected input, verbatim.
        input: String,
    },

    /// The input is not an IP address or CIDR network.
    #[error("expected an IP address or CIDR network like `10.0.0.0/8`, found `{input}`: {reason}")]
    InvalidIpNetwork {
        /// The rejected input, verbatim.
        input: String,
        /// What was wrong with it.
        reason: String,
    },

    /// The input is not a plain IP address.
    #[error("expected an IP address like `10.0.0.1` or `2001:db8::1`, found `{input}`: {reason}")]
    InvalidIpAddr {
        /// The rejected input, verbatim.
        input: String,
        /// What was wrong with it.
        reason: String,
    },

    /// The input is a CIDR network where a single address was required.
    #[error("expected an IP address, found a network `{input}`")]
    IpAddrIsNetwork {
        /// The rejected input, verbatim.
        input: String,
    },
}

/// Parses a RAM boolean condition value: `true` or `false` in any letter case.
///
/// A JSON boolean is taken as is by the caller; this handles the string form,
/// which RAM compares case-insensitively (`"TRUE"` is true). Surrounding
/// whitespace is not trimmed: `" true"` is an error.
///
/// # Errors
///
/// [`ValueError::InvalidBool`] for any other string.
pub(crate) fn parse_bool(s: &str) -> Result<bool, ValueError> {
    if s.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if s.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ValueError::InvalidBool {
            input: s.to_owned(),
        })
    }
}

/// The type of value an operator family compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum Family {
    /// `String…` operators: JSON strings.
    String,
    /// `Numeric…` operators: exact decimals.
    Numeric,
    /// `Date…` operators: RFC 3339 instants.
    Date,
    /// `Bool`: `true` or `false`.
    Bool,
    /// `IpAddress` / `NotIpAddress`: addresses and CIDR networks.
    Ip,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::String => "string",
            Family::Numeric => "numeric",
            Family::Date => "date",
            Family::Bool => "boolean",
            Family::Ip => "IP address",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_bool_accepts_any_letter_case() {
        for (input, expected) in [
            ("true", true),
            ("TRUE", true),
            ("True", true),
            ("tRuE", true),
            ("false", false),
            ("FALSE", false),
            ("False", false),
        ] {
            assert_eq!(parse_bool(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn parse_bool_rejects_everything_else() {
        for input in [
            "", "1", "0", "yes", "t", " true", "true ", "truee", "\"true\"",
        ] {
            assert_eq!(
                parse_bool(input),
                Err(ValueError::InvalidBool {
                    input: input.to_owned()
                }),
                "{input}"
            );
        }
    }

    #[test]
    fn bool_error_message() {
        let err = parse_bool("yes").unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected `true` or `false` in any letter case, found `yes`"
        );
    }
}
