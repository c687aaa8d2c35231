//! Alibaba Cloud Resource Names: `acs:<service>:<region>:<account-id>:<relative-id>`.
//!
//! Request resources are parsed into their five parts with [`Arn::parse`]; policy `Resource`
//! patterns are only classified with [`classify_resource_pattern`], since they are matched
//! whole as wildcard patterns rather than part by part.

use std::fmt;

/// The scheme every ARN starts with, colon included.
const PREFIX: &str = "acs:";

/// The shape of an ARN, for messages.
const SHAPE: &str = "acs:<service>:<region>:<account-id>:<relative-id>";

/// A concrete resource name, split into its parts. Borrows from the parsed text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Arn<'a> {
    /// The service code, such as `kvstore`; never empty.
    pub service: &'a str,
    /// The region, such as `cn-hangzhou`; empty for global services.
    pub region: &'a str,
    /// The owning account id; may be empty.
    pub account: &'a str,
    /// The resource path within the service, such as `instance/r-bp1prod01`; never empty and
    /// may itself hold colons.
    pub relative: &'a str,
}

/// Why a resource name or pattern was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ArnError {
    /// The text does not start with `acs:` (nor is it `*`, where a pattern is expected).
    #[error(
        "resource must start with `acs:`{}, found `{found}`",
        if *.pattern { " or be `*`" } else { "" }
    )]
    BadPrefix {
        /// The rejected text.
        found: String,
        /// Whether a policy pattern was expected, where `*` is accepted too.
        pattern: bool,
    },
    /// The text has fewer than the five colon-separated parts of an ARN.
    #[error("resource must have 5 colon-separated parts (`{SHAPE}`), found {parts} in `{found}`")]
    TooFewParts {
        /// The rejected text.
        found: String,
        /// How many colon-separated parts it has.
        parts: usize,
    },
    /// The service part is empty.
    #[error("resource has an empty service, found `{found}`")]
    EmptyService {
        /// The rejected text.
        found: String,
    },
    /// The relative id part is empty.
    #[error("resource has an empty relative id, found `{found}`")]
    EmptyRelative {
        /// The rejected text.
        found: String,
    },
}

/// What a policy `Resource` pattern looks like, as far as its ARN prefix goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ResourcePatternShape {
    /// `*`: every resource.
    Any,
    /// `acs:` followed by at least the four other parts.
    Full,
    /// `acs:` with fewer than five parts, such as `acs:kvstore:*`. RAM accepts it (its stars
    /// still cross colons), but it is worth a warning.
    Partial,
}

impl<'a> Arn<'a> {
    /// Parses a concrete request resource. Only the first four colons separate parts; the
    /// relative id keeps any further ones.
    ///
    /// # Errors
    ///
    /// Fails unless `s` starts with `acs:` and has five parts, with a non-empty service and
    /// relative id. Region and account may be empty.
    pub(crate) fn parse(s: &'a str) -> Result<Arn<'a>, ArnError> {
        let Some(rest) = s.strip_prefix(PREFIX) else {
            return Err(ArnError::BadPrefix {
                found: s.to_owned(),
                pattern: false,
            });
        };
        let mut parts = rest.splitn(4, ':');
        let (Some(service), Some(region), Some(account), Some(relative)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ArnError::TooFewParts {
                found: s.to_owned(),
                parts: count_parts(rest),
            });
        };
        if service.is_empty() {
            return Err(ArnError::EmptyService {
                found: s.to_owned(),
            });
        }
        if relative.is_empty() {
            return Err(ArnError::EmptyRelative {
                found: s.to_owned(),
            });
        }
        Ok(Arn {
            service,
            region,
            account,
            relative,
        })
    }
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Arn {
            service,
            region,
            account,
            relative,
        } = self;
        write!(f, "{PREFIX}{service}:{region}:{account}:{relative}")
    }
}

/// Classifies a policy `Resource` pattern by how much of an ARN it spells out.
///
/// # Errors
///
/// Fails with [`ArnError::BadPrefix`] when `p` is neither `*` nor starts with `acs:` (docs/semantics.md §2:
/// `**` is neither).
pub(crate) fn classify_resource_pattern(p: &str) -> Result<ResourcePatternShape, ArnError> {
    if p == "*" {
        return Ok(ResourcePatternShape::Any);
    }
    let Some(rest) = p.strip_prefix(PREFIX) else {
        return Err(ArnError::BadPrefix {
            found: p.to_owned(),
            pattern: true,
        });
    };
    Ok(if count_parts(rest) >= 5 {
        ResourcePatternShape::Full
    } else {
        ResourcePatternShape::Partial
    })
}

/// The ARN of a Tair/Redis (`kvstore`) instance.
pub(crate) fn kvstore_instance_arn(region: &str, account_id: &str, instance_id: &str) -> String {
    format!("{PREFIX}kvstore:{region}:{account_id}:instance/{instance_id}")
}

/// Counts the parts of an ARN, `acs` included, given the text after `acs:`; stops at five.
fn count_parts(after_prefix: &str) -> usize {
    1 + after_prefix.splitn(4, ':').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn<'a>(service: &'a str, region: &'a str, account: &'a str, relative: &'a str) -> Arn<'a> {
        Arn {
            service,
            region,
            account,
            relative,
        }
    }

    #[test]
    fn parses_kvstore_instance() {
        let s = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01";
        let expected = arn(
            "kvstore",
            "cn-hangzhou",
            "1234567890123456",
            "instance/r-bp1prod01",
        );
        assert_eq!(Arn::parse(s), Ok(expected));
    }

    #[test]
    fn relative_id_keeps_colons_and_slashes() {
        let parsed = Arn::parse("acs:oss:cn-beijing:1:bucket/a:b/c::d");
        assert_eq!(parsed, Ok(arn("oss", "cn-beijing", "1", "bucket/a:b/c::d")));
    }

    #[test]
    fn region_and_account_may_be_empty() {
        assert_eq!(
            Arn::parse("acs:ram::123:role/admin"),
            Ok(arn("ram", "", "123", "role/admin"))
        );
        assert_eq!(
            Arn::parse("acs:oss:::bucket"),
            Ok(arn("oss", "", "", "bucket"))
        );
    }

    #[test]
    fn unicode_parts() {
        let parsed = Arn::parse("acs:kvstore:区域:账号:instance/实例-é🦀");
        assert_eq!(
            parsed,
            Ok(arn("kvstore", "区域", "账号", "instance/实例-é🦀"))
        );
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01",
            "acs:oss:::bucket/a:b",
            "acs:kvstore:区域:账号:instance/实例",
        ] {
            let parsed = Arn::parse(s).map(|a| a.to_string());
            assert_eq!(parsed.as_deref(), Ok(s));
        }
    }

    #[test]
    fn rejects_other_prefixes() {
        for s in [
            "arn:aws:s3:::x",
            "ACS:kvstore:r:a:x",
            "acs",
            "acsx:kvstore:r:a:x",
            "",
            "*",
        ] {
            let err = Arn::parse(s);
            let expected = ArnError::BadPrefix {
                found: s.to_owned(),
                pattern: false,
            };
            assert_eq!(err, Err(expected), "{s:?}");
        }
        let err = Arn::parse("*").map(|_| ()).unwrap_err().to_string();
        assert_eq!(err, "resource must start with `acs:`, found `*`");
    }

    #[test]
    fn rejects_too_few_parts() {
        for (s, parts) in [
            ("acs:", 2),
            ("acs:kvstore", 2),
            ("acs:kvstore:r", 3),
            ("acs:kvstore:r:a", 4),
        ] {
            let expected = ArnError::TooFewParts {
                found: s.to_owned(),
                parts,
            };
            assert_eq!(Arn::parse(s), Err(expected), "{s:?}");
        }
        let err = Arn::parse("acs:kvstore")
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "resource must have 5 colon-separated parts \
             (`acs:<service>:<region>:<account-id>:<relative-id>`), found 2 in `acs:kvstore`"
        );
    }

    #[test]
    fn rejects_empty_service() {
        let s = "acs::cn-hangzhou:1:instance/x";
        let err = Arn::parse(s);
        assert_eq!(
            err,
            Err(ArnError::EmptyService {
                found: s.to_owned()
            })
        );
        let message = err.map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "resource has an empty service, found `acs::cn-hangzhou:1:instance/x`"
        );
    }

    #[test]
    fn rejects_empty_relative_id() {
        let s = "acs:kvstore:cn-hangzhou:1:";
        let err = Arn::parse(s);
        assert_eq!(
            err,
            Err(ArnError::EmptyRelative {
                found: s.to_owned()
            })
        );
        let message = err.map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "resource has an empty relative id, found `acs:kvstore:cn-hangzhou:1:`"
        );
    }

    #[test]
    fn classifies_patterns() {
        use ResourcePatternShape::*;
        let cases = [
            ("*", Any),
            ("acs:kvstore:*:*:instance/*", Full),
            ("acs:kvstore:*:*:*", Full),
            ("acs:oss:::bucket/a:b", Full),
            ("acs:kvstore:*:*:", Full),
            ("acs:*", Partial),
            ("acs:", Partial),
            ("acs:kvstore:*", Partial),
            ("acs:kvstore:cn-hangzhou:*", Partial),
        ];
        for (p, shape) in cases {
            assert_eq!(classify_resource_pattern(p), Ok(shape), "{p:?}");
        }
    }

    #[test]
    fn rejects_patterns_without_prefix() {
        for p in [
            "arn:aws:s3:::x",
            "",
            "*acs:kvstore:*",
            "kvstore:*",
            "ACS:*",
            "**",
            "***",
        ] {
            let expected = ArnError::BadPrefix {
                found: p.to_owned(),
                pattern: true,
            };
            assert_eq!(classify_resource_pattern(p), Err(expected), "{p:?}");
        }
        let err = classify_resource_pattern("arn:aws:s3:::x")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "resource must start with `acs:` or be `*`, found `arn:aws:s3:::x`"
        );
    }

    #[test]
    fn builds_kvstore_instance_arns() {
        let s = kvstore_instance_arn("cn-hangzhou", "1234567890123456", "r-bp1prod01");
        assert_eq!(
            s,
            "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01"
        );
        let parsed = Arn::parse(&s);
        let expected = arn(
            "kvstore",
            "cn-hangzhou",
            "1234567890123456",
            "instance/r-bp1prod01",
        );
        assert_eq!(parsed, Ok(expected));
        assert_eq!(
            classify_resource_pattern(&s),
            Ok(ResourcePatternShape::Full)
        );
    }
}
