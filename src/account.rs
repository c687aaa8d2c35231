//! An account compiled once for all of its principals: what a dispatcher keeps in memory and
//! asks before every restore, and what `who-can` asks for every principal at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::eval::{
    BuildError, Decision, EntityType, Explanation, MatchedStatement, PolicyKind, PolicySet,
    PolicyType, Slot, Verdict,
};
use crate::principal::{Account, AccountError, PrincipalError, PrincipalRef};
use crate::request::Request;
use crate::restore::{self, Clearance, InstanceState, Reason, RestoreCall};

/// Every principal of an [`Account`] with its [`PolicySet`], compiled once. The control
/// policies, which every principal shares, are compiled once for all of them. Cheap to clone
/// (a handle), `Send + Sync`: share one between threads, and swap it for a new one on a change
/// ([`crate::reload::Reloadable`]).
///
/// # Example
/// ```
/// use ramguard::account::CompiledAccount;
/// use ramguard::principal::PrincipalRef;
/// use ramguard::restore::{InstanceState, RestoreCall, RestoreParameters};
/// use ramguard::value::Timestamp;
///
/// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
/// let state = InstanceState::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/instances/r-bp1stg01.json"))?;
/// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
///     RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z"))
///     .context("acs:MFAPresent", true)
///     .context("acs:SourceIp", "10.1.2.3")
///     .context("acs:SecureTransport", true)
///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
/// let alice = PrincipalRef::parse("user/alice")?;
/// assert!(account.guard(&alice, &call, Some(&state)).is_permitted());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompiledAccount(Arc<Compiled>);

#[derive(Debug)]
struct Compiled {
    id: String,
    files: Vec<PathBuf>,
    /// Principals in the account file's order: users, then roles.
    principals: Vec<PrincipalRef>,
    /// A set per principal; `Err` only if a set could not be built, which the account format
    /// cannot express today (no session policies): such a principal is refused, never allowed.
    sets: HashMap<PrincipalRef, Result<PolicySet, BuildError>>,
}

impl CompiledAccount {
    /// Compiles every principal of `account`.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    /// use ramguard::principal::Account;
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let compiled = CompiledAccount::compile(&account);
    /// assert_eq!(compiled.id(), "1234567890123456");
    /// assert_eq!(compiled.principals().len(), account.principals().len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compile(account: &Account) -> CompiledAccount {
        let principals = account.principals();
        let mut sets = HashMap::with_capacity(principals.len());
        let mut first: Option<PolicySet> = None;
        for principal in &principals {
            let set = account.policy_set(principal).map(|builder| {
                // Every principal has the same control policies: compile them once.
                match &first {
                    Some(first) => builder.share_control(first).build(),
                    None => builder.build(),
                }
            });
            // `principals()` lists only principals the account has.
            let Ok(set) = set else { continue };
            if first.is_none()
                && let Ok(built) = &set
            {
                first = Some(built.clone());
            }
            sets.insert(principal.clone(), set);
        }
        CompiledAccount(Arc::new(Compiled {
            id: account.id().to_string(),
            files: account.files().to_vec(),
            principals,
            sets,
        }))
    }

    /// Reads the account file at `path` and compiles it.
    ///
    /// # Errors
    /// [`AccountError`] when the file or a policy file it names cannot be read or is invalid;
    /// every error is located.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    /// use ramguard::principal::AccountError;
    ///
    /// let missing = CompiledAccount::from_path("no-such-account.json");
    /// assert!(matches!(missing, Err(AccountError::Source(_))));
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<CompiledAccount, AccountError> {
        Account::from_path(path).map(|account| CompiledAccount::compile(&account))
    }

    /// The account id.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert_eq!(account.id(), "1234567890123456");
    /// # Ok::<(), ramguard::principal::AccountError>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The files the account was read from ([`Account::files`]).
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// assert!(account.files()[0].ends_with("policies/account.json"));
    /// assert_eq!(account.files().len(), 4);
    /// # Ok::<(), ramguard::principal::AccountError>(())
    /// ```
    pub fn files(&self) -> &[PathBuf] {
        &self.0.files
    }

    /// Every principal: the users, then the roles, in the account file's order.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let names: Vec<String> = account.principals().iter().map(|p| p.to_string()).collect();
    /// assert_eq!(names[0], "user/alice");
    /// assert!(names.contains(&"role/restore-bot".to_string()));
    /// # Ok::<(), ramguard::principal::AccountError>(())
    /// ```
    pub fn principals(&self) -> &[PrincipalRef] {
        &self.0.principals
    }

    /// The compiled policies of `principal`.
    ///
    /// # Errors
    /// [`PrincipalError::Unknown`] when the account has no such user or role.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    /// use ramguard::principal::PrincipalRef;
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let set = account.policy_set(&PrincipalRef::parse("user/alice")?)?;
    /// assert_eq!(set.principal().map(|p| p.display_name.as_str()), Some("alice"));
    /// let nobody = account.policy_set(&PrincipalRef::parse("user/mallory")?);
    /// assert_eq!(nobody.unwrap_err().code(), "unknown-principal");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy_set(&self, principal: &PrincipalRef) -> Result<&PolicySet, PrincipalError> {
        match self.0.sets.get(principal) {
            Some(Ok(set)) => Ok(set),
            Some(Err(e)) => Err(PrincipalError::Unusable {
                principal: principal.to_string(),
                reason: e.to_string(),
            }),
            None => Err(self.unknown(principal)),
        }
    }

    /// RAM's decision for `principal`.
    ///
    /// # Errors
    /// [`PrincipalError::Unknown`] when the account has no such user or role.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    /// use ramguard::principal::PrincipalRef;
    /// use ramguard::{Request, Verdict};
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01").build()?;
    /// let decision = account.evaluate(&PrincipalRef::parse("user/alice")?, &request)?;
    /// assert_eq!(decision.verdict, Verdict::ExplicitDeny);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(
        &self,
        principal: &PrincipalRef,
        request: &Request,
    ) -> Result<Decision, PrincipalError> {
        Ok(self.policy_set(principal)?.evaluate(request))
    }

    /// RAM's decision for `principal`, with its trace.
    ///
    /// # Errors
    /// [`PrincipalError::Unknown`] when the account has no such user or role.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    /// use ramguard::principal::PrincipalRef;
    /// use ramguard::Request;
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01").build()?;
    /// let explained = account.explain(&PrincipalRef::parse("user/alice")?, &request)?;
    /// assert_eq!(explained.matched[0].policy, "NoProdRestore");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(
        &self,
        principal: &PrincipalRef,
        request: &Request,
    ) -> Result<Explanation, PrincipalError> {
        Ok(self.policy_set(principal)?.explain(request))
    }

    /// The restore guard ([`restore::guard`]) for `principal`. A principal the account does not
    /// have is refused ([`Reason::UnknownPrincipal`]), like any other doubt.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    /// use ramguard::principal::PrincipalRef;
    /// use ramguard::restore::{Reason, RestoreCall, RestoreParameters};
    /// use ramguard::value::Timestamp;
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
    ///     RestoreParameters::backup_set("r-bp1stg01", "b-20261128"))
    ///     .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?);
    /// let refusal = account.guard(&PrincipalRef::parse("user/mallory")?, &call, None).into_result().unwrap_err();
    /// assert!(matches!(refusal.reasons(), [Reason::UnknownPrincipal(_)]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn guard(
        &self,
        principal: &PrincipalRef,
        call: &RestoreCall,
        state: Option<&InstanceState>,
    ) -> Clearance {
        match self.policy_set(principal) {
            Ok(set) => restore::guard(set, call, state),
            Err(e) => restore::refuse(call, Reason::UnknownPrincipal(e)),
        }
    }

    /// Every principal's answer to `request`, in [`CompiledAccount::principals`] order: the
    /// decision, the deciding statements with how their policies reach the principal, and the
    /// keys the request lacks.
    ///
    /// # Example
    /// ```
    /// use ramguard::account::CompiledAccount;
    /// use ramguard::Request;
    ///
    /// let account = CompiledAccount::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:MFAPresent", true)
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .build()?;
    /// let allowed: Vec<String> = account.who_can(&request).into_iter()
    ///     .filter(|a| a.decision.is_allowed())
    ///     .map(|a| a.principal.to_string())
    ///     .collect();
    /// assert_eq!(allowed, ["user/alice", "role/restore-bot", "role/kvstore-admin"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn who_can(&self, request: &Request) -> Vec<Answer> {
        self.0
            .principals
            .iter()
            .filter_map(|principal| {
                let set = self.policy_set(principal).ok()?;
                Some(Answer::new(principal, set, &set.explain(request)))
            })
            .collect()
    }

    fn unknown(&self, principal: &PrincipalRef) -> PrincipalError {
        let (kind, known) = match principal {
            PrincipalRef::User(_) => ("user", self.names(false)),
            PrincipalRef::Role(_) => ("role", self.names(true)),
        };
        PrincipalError::Unknown {
            kind,
            name: principal.name().to_string(),
            known,
        }
    }

    fn names(&self, roles: bool) -> Vec<String> {
        self.0
            .principals
            .iter()
            .filter(|p| p.is_role() == roles)
            .map(|p| p.name().to_string())
            .collect()
    }
}

/// One principal's answer in [`CompiledAccount::who_can`].
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Answer {
    /// `user/NAME` or `role/NAME`.
    pub principal: PrincipalRef,
    /// `SubUser` or `AssumedRoleUser`, as RAM names them.
    pub principal_type: &'static str,
    /// The verdict.
    pub decision: Verdict,
    /// The layer that decided.
    pub policy_type: PolicyType,
    /// The deciding statements: the allowing ones, or the denying ones for an explicit deny.
    pub matched: Vec<Deciding>,
    /// Condition keys the request lacks that a statement read.
    pub missing_context: Vec<String>,
}

/// A deciding statement, with how its policy reaches the principal.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Deciding {
    /// Where the statement is.
    #[serde(flatten)]
    pub at: MatchedStatement,
    /// A system or a custom policy.
    pub policy_kind: PolicyKind,
    /// The user, group or role the policy is attached to; none for a control policy.
    pub attached_to: Option<AttachedTo>,
    /// `Account`, or the resource group of a scoped attachment.
    pub scope: String,
}

/// The entity a policy is attached to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AttachedTo {
    /// A user, a group or a role.
    pub entity_type: EntityType,
    /// Its name.
    pub name: String,
}

impl Answer {
    fn new(principal: &PrincipalRef, set: &PolicySet, explanation: &Explanation) -> Answer {
        let matched = explanation
            .matched
            .iter()
            .map(|at| {
                let (slot, info) = set
                    .policy_info(at)
                    .map_or((None, None), |(slot, info)| (Some(slot), Some(info)));
                Deciding {
                    at: at.clone(),
                    policy_kind: info.map_or(PolicyKind::Custom, |i| i.kind),
                    attached_to: info.and_then(|i| i.attached_to.as_ref()).map(
                        |(entity_type, name)| AttachedTo {
                            entity_type: *entity_type,
                            name: name.clone(),
                        },
                    ),
                    scope: match slot {
                        Some(Slot::ResourceGroupIdentity(group)) => group.clone(),
                        _ => "Account".into(),
                    },
                }
            })
            .collect();
        Answer {
            principal: principal.clone(),
            principal_type: principal.principal_type(),
            decision: explanation.decision,
            policy_type: explanation.policy_type,
            matched,
            missing_context: explanation.missing_context.clone(),
        }
    }
}
