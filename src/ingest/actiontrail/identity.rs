//! Who made the call: `userIdentity` read into an [`EventPrincipal`], and whether the session
//! was authenticated with MFA.

use std::fmt;

use super::error::EventError;
use super::fields::Node;
use crate::json::JsonKind;
use crate::principal::PrincipalRef;
use crate::value;

/// Who made the call, as ActionTrail's `userIdentity.type` and `userName` say.
///
/// Displays and serializes as `user/NAME`, `role/NAME`, `root`, `service:NAME` or
/// `other:TYPE`.
///
/// # Example
/// ```
/// use ramguard::ingest::actiontrail::EventPrincipal;
///
/// let role = EventPrincipal::Role { name: "restore-bot".into(), session: Some("nightly".into()) };
/// assert_eq!(role.to_string(), "role/restore-bot");
/// assert_eq!(serde_json::to_string(&EventPrincipal::Service("ecs.aliyuncs.com".into()))?, r#""service:ecs.aliyuncs.com""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventPrincipal {
    /// A RAM user (`ram-user`), by name.
    User(String),
    /// A role session (`assumed-role`): the role's name and the session's.
    Role {
        /// The role's name.
        name: String,
        /// The session's name, when the event records one.
        session: Option<String>,
    },
    /// The account itself (`root-account`): RAM policies do not restrict it.
    RootAccount {
        /// The account's id, when the event records it.
        account_id: Option<String>,
    },
    /// An Alibaba Cloud service acting on the account's resources (`system`), by the name the
    /// event gives it, such as `ecs.aliyuncs.com`.
    Service(String),
    /// Any other identity type, such as `cloudsso-user` or `alibaba-cloud-account`.
    Other {
        /// `userIdentity.type`, as recorded.
        identity_type: String,
    },
}

impl EventPrincipal {
    /// The principal to look up in an account: users and roles only. A root account, a
    /// service or another identity is governed by no policy of the account's users and roles.
    ///
    /// # Example
    /// ```
    /// use ramguard::PrincipalRef;
    /// use ramguard::ingest::actiontrail::EventPrincipal;
    ///
    /// let role = EventPrincipal::Role { name: "restore-bot".into(), session: None };
    /// assert_eq!(role.principal_ref(), Some(PrincipalRef::Role("restore-bot".into())));
    /// assert_eq!(EventPrincipal::RootAccount { account_id: None }.principal_ref(), None);
    /// ```
    pub fn principal_ref(&self) -> Option<PrincipalRef> {
        match self {
            EventPrincipal::User(name) => Some(PrincipalRef::User(name.clone())),
            EventPrincipal::Role { name, .. } => Some(PrincipalRef::Role(name.clone())),
            EventPrincipal::RootAccount { .. }
            | EventPrincipal::Service(_)
            | EventPrincipal::Other { .. } => None,
        }
    }
}

impl fmt::Display for EventPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventPrincipal::User(name) => write!(f, "user/{name}"),
            EventPrincipal::Role { name, .. } => write!(f, "role/{name}"),
            EventPrincipal::RootAccount { .. } => f.write_str("root"),
            EventPrincipal::Service(name) => write!(f, "service:{name}"),
            EventPrincipal::Other { identity_type } => write!(f, "other:{identity_type}"),
        }
    }
}

impl serde::Serialize for EventPrincipal {
    /// As its `Display` string.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads the principal from `userIdentity`.
///
/// # Errors
/// `userIdentity.type` is missing, or the name its type needs is.
pub(super) fn principal(identity: &Node<'_>) -> Result<EventPrincipal, EventError> {
    let identity_type = identity.required_string("type")?;
    let user_name = || identity.required_string("userName");
    Ok(match identity_type {
        "ram-user" => EventPrincipal::User(user_name()?.to_string()),
        "assumed-role" => {
            // `<role name>:<session name>`; session names may hold more colons, role names none.
            let user_name = user_name()?;
            let (name, session) = user_name
                .split_once(':')
                .map_or((user_name, None), |(name, session)| (name, Some(session)));
            if name.is_empty() {
                return Err(EventError::invalid(
                    identity.path("userName"),
                    "must be `<role name>:<session name>`, found no role name",
                ));
            }
            EventPrincipal::Role {
                name: name.to_string(),
                session: session.filter(|s| !s.is_empty()).map(str::to_string),
            }
        }
        "root-account" => EventPrincipal::RootAccount {
            account_id: identity.string("accountId")?.map(str::to_string),
        },
        "system" => EventPrincipal::Service(user_name()?.to_string()),
        other => EventPrincipal::Other {
            identity_type: other.to_string(),
        },
    })
}

/// Whether the session was authenticated with MFA: `sessionContext.attributes.mfaAuthenticated`
/// (the older `sessionContext.sessionAttributes` too), `None` when the event does not say.
///
/// # Errors
/// A value other than `true` or `false` (a string, as ActionTrail writes it, or a boolean), or
/// the two places disagreeing.
pub(super) fn mfa_authenticated(identity: &Node<'_>) -> Result<Option<bool>, EventError> {
    let Some(session) = identity.child("sessionContext")? else {
        return Ok(None);
    };
    let mut found: Option<(bool, String)> = None;
    for attributes in ["attributes", "sessionAttributes"] {
        let Some(attributes) = session.child(attributes)? else {
            continue;
        };
        let field = attributes.path("mfaAuthenticated");
        let value = match attributes.value("mfaAuthenticated").map(|v| &v.kind) {
            None => continue,
            Some(JsonKind::Bool(b)) => *b,
            Some(JsonKind::String(s)) => value::parse_bool(s).map_err(|_| {
                EventError::invalid(
                    &field,
                    format_args!("must be `true` or `false`, found `{s}`"),
                )
            })?,
            Some(other) => {
                return Err(EventError::wrong_type(
                    field,
                    "`\"true\"` or `\"false\"`",
                    other.type_name(),
                ));
            }
        };
        match &found {
            // Two readings of one fact: which one RAM used is unknown, so neither is taken.
            Some((earlier, earlier_field)) if *earlier != value => {
                return Err(EventError::invalid(
                    field,
                    format_args!("is `{value}` but `{earlier_field}` is `{earlier}`"),
                ));
            }
            Some(_) => {}
            None => found = Some((value, field)),
        }
    }
    Ok(found.map(|(value, _)| value))
}
