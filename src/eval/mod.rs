//! Evaluation: policies compiled into layers, and RAM's decision for a request, with or
//! without a trace.

mod compile;
mod depends;
mod explain;
mod index;

pub use explain::{
    AccessDeniedDetail, AuthCondition, AuthPrincipal, DiagnosticMessage, Explanation, LayerTrace,
    MatchedPolicy, MatchedStatement, StatementOutcome, StatementTrace,
};

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub(crate) use compile::CompiledStatement;
use index::StatementIndex;

use crate::context::fold_key;
use crate::policy::{Effect, Policy};
use crate::request::Request;

/// The final answer for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Verdict {
    /// Allowed.
    Allow,
    /// A Deny statement matched.
    ExplicitDeny,
    /// Nothing allowed it.
    ImplicitDeny,
}

impl Verdict {
    /// Whether this is `Allow`.
    ///
    /// # Example
    /// ```
    /// use ramguard::Verdict;
    ///
    /// assert!(Verdict::Allow.is_allowed());
    /// assert!(!Verdict::ExplicitDeny.is_allowed());
    /// assert!(!Verdict::ImplicitDeny.is_allowed());
    /// ```
    pub fn is_allowed(self) -> bool {
        self == Verdict::Allow
    }
}

/// The layer that decided, named as in RAM's `AccessDeniedDetail.PolicyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[non_exhaustive]
pub enum PolicyType {
    /// Resource Directory control policies.
    ControlPolicy,
    /// The STS session policy of a role session.
    SessionPolicy,
    /// Identity policies attached at account scope.
    AccountLevelIdentityBasedPolicy,
    /// Identity policies attached in the scope of a resource group holding the resource.
    ResourceGroupLevelIdentityBasedPolicy,
}

/// A policy's kind in RAM: built in, or written by the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[non_exhaustive]
pub enum PolicyKind {
    /// A system policy (`AliyunKvstoreFullAccess`, …).
    System,
    /// A custom policy.
    #[default]
    Custom,
}

/// The kind of entity a policy is attached to, as RAM names it in `AttachedEntityType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EntityType {
    /// A RAM user.
    User,
    /// A RAM user group.
    Group,
    /// A RAM role.
    Role,
}

/// Where a policy takes part in evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Slot {
    /// A Resource Directory control policy.
    Control,
    /// The session policy of a role session.
    Session,
    /// An identity policy attached at account scope.
    Identity,
    /// An identity policy attached in the scope of the named resource group.
    ResourceGroupIdentity(String),
}

/// What RAM's diagnostics say about a policy besides its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyInfo {
    /// System or custom.
    pub kind: PolicyKind,
    /// The entity it is attached to, and that entity's name.
    pub attached_to: Option<(EntityType, String)>,
    /// The policy version in force (`v1`, …), when known.
    pub version: Option<String>,
}

/// Who is asking, for `AccessDeniedDetail`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Principal {
    /// `SubUser`, `AssumedRoleUser` or `Federated`.
    pub principal_type: String,
    /// The user or role name.
    pub display_name: String,
    /// The account that owns it.
    pub owner_id: String,
}

/// A policy in a set, with where it takes part.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) policy: Policy,
    pub(crate) slot: Slot,
    pub(crate) info: PolicyInfo,
}

/// Statements of one layer, with an index per effect.
#[derive(Debug, Clone)]
struct Layer {
    policy_type: PolicyType,
    resource_group: Option<String>,
    statements: Vec<CompiledStatement>,
    denies: StatementIndex,
    allows: StatementIndex,
}

/// Which statement decided: indexes into the set's policies and their statements.
/// [`PolicySet::locate`] turns one into names and a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatementId {
    /// The policy, in the order policies were added.
    pub policy: usize,
    /// The statement, in document order.
    pub statement: usize,
}

/// RAM's decision for a request: the verdict and the layer that gave it. Cheap to copy; made
/// without allocating. Its statement id means something only with its set: log
/// [`PolicySet::record`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decision {
    /// Allow, explicit deny or implicit deny.
    pub verdict: Verdict,
    /// The layer that decided.
    pub policy_type: PolicyType,
    /// A statement that decided (for `Allow` and `ExplicitDeny`); `explain` lists all of them.
    pub deciding: Option<StatementId>,
}

impl Decision {
    /// Whether the request is allowed.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request};
    ///
    /// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreReadOnlyAccess")?).build()?;
    /// let describe = Request::builder("kvstore:DescribeBackups",
    ///     "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01").build()?;
    /// let restore = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01").build()?;
    /// assert!(set.evaluate(&describe).is_allowed());
    /// assert!(!set.evaluate(&restore).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_allowed(&self) -> bool {
        self.verdict.is_allowed()
    }
}

/// A decision with its deciding statement located by policy name, `Sid` and position: what a
/// decision log records ([`PolicySet::record`]).
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct DecisionRecord {
    /// Allow, explicit deny or implicit deny.
    pub verdict: Verdict,
    /// The layer that decided.
    pub policy_type: PolicyType,
    /// The statement that decided; `None` for an implicit deny.
    pub statement: Option<MatchedStatement>,
}

/// Compiled policies in RAM's layers. Immutable once built, `Send + Sync`: build it once and
/// share it between threads. A handle: cloning it is cheap and shares the compiled policies,
/// which is how a [`crate::restore::Clearance`] keeps what it needs to explain itself.
#[derive(Debug, Clone)]
pub struct PolicySet(Arc<Compiled>);

/// What a [`PolicySet`] holds.
#[derive(Debug)]
struct Compiled {
    members: Vec<Member>,
    /// Shared between the principals of a compiled account, which all have the same.
    control: Option<Arc<Layer>>,
    session: Option<Layer>,
    identity: Layer,
    resource_groups: Vec<Layer>,
    /// Resource ARN → the resource groups (indexes into `resource_groups`) holding it.
    membership: HashMap<String, Vec<usize>>,
    principal: Option<Principal>,
    /// Every condition key a statement reads, folded, sorted, once: a request that carries
    /// them all cannot depend on a missing one.
    condition_keys: Vec<String>,
}

/// Collects policies and resource groups for a [`PolicySet`].
#[derive(Debug, Clone, Default)]
pub struct PolicySetBuilder {
    members: Vec<Member>,
    groups: Vec<(String, Vec<String>)>,
    principal: Option<Principal>,
    /// A control layer compiled for another set: used when this set's control policies are the
    /// very same documents at the same positions.
    shared_control: Option<SharedLayer>,
}

/// A compiled layer, and the policies it was compiled from by position in their set.
#[derive(Debug, Clone)]
struct SharedLayer {
    layer: Arc<Layer>,
    policies: Vec<(usize, Policy)>,
}

/// A policy set that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A role session has one session policy.
    #[error("a role session has at most one session policy, found `{first}` and `{second}`")]
    SecondSessionPolicy {
        /// The first policy's name.
        first: String,
        /// The second policy's name.
        second: String,
    },
}

impl PolicySetBuilder {
    /// Adds an identity policy attached at account scope.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};
    ///
    /// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreFullAccess")?).build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let decision = set.evaluate(&request);
    /// assert_eq!((decision.verdict, decision.policy_type), (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn identity(self, policy: Policy) -> Self {
        self.add(Slot::Identity, policy, PolicyInfo::default())
    }

    /// Adds a Resource Directory control policy. Control policies must allow too: with any
    /// control policy in the set, a request that none of them allows is denied.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};
    ///
    /// let no_prod = Policy::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/guardrails/no-prod-restore.json"))?;
    /// let set = PolicySet::builder()
    ///     .control(Policy::load("system:FullAliyunAccess")?)
    ///     .control(no_prod)
    ///     .identity(Policy::load("system:AliyunKvstoreFullAccess")?)
    ///     .build()?;
    /// let prod = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01").build()?;
    /// let staging = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let decision = set.evaluate(&prod);
    /// assert_eq!((decision.verdict, decision.policy_type), (Verdict::ExplicitDeny, PolicyType::ControlPolicy));
    /// assert_eq!(set.evaluate(&staging).verdict, Verdict::Allow);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn control(self, policy: Policy) -> Self {
        self.add(Slot::Control, policy, PolicyInfo::default())
    }

    /// Sets the session policy of a role session: it must allow too. A set has at most one
    /// ([`PolicySetBuilder::build`] refuses a second).
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};
    ///
    /// let describe_only = Policy::from_text("session", r#"{"Version": "1", "Statement": [
    ///     {"Effect": "Allow", "Action": "kvstore:Describe*", "Resource": "*"}]}"#)?;
    /// let set = PolicySet::builder()
    ///     .identity(Policy::load("system:AliyunKvstoreFullAccess")?)
    ///     .session(describe_only)
    ///     .build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let decision = set.evaluate(&request);
    /// assert_eq!((decision.verdict, decision.policy_type), (Verdict::ImplicitDeny, PolicyType::SessionPolicy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session(self, policy: Policy) -> Self {
        self.add(Slot::Session, policy, PolicyInfo::default())
    }

    /// Adds an identity policy attached in the scope of a resource group; it applies only to
    /// the resources [`PolicySetBuilder::resource_group`] puts in the group.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};
    ///
    /// let prod_restore = Policy::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/prod-restore.json"))?;
    /// let set = PolicySet::builder()
    ///     .resource_group_identity("rg-prod", prod_restore)
    ///     .resource_group("rg-prod", ["acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01"])
    ///     .build()?;
    /// let restore = |instance: &str| {
    ///     Request::restore_instance("cn-hangzhou", "1234567890123456", instance)
    ///         .context("acs:MFAPresent", true)
    ///         .build()
    /// };
    /// let prod = set.evaluate(&restore("r-bp1prod01")?);
    /// assert_eq!((prod.verdict, prod.policy_type), (Verdict::Allow, PolicyType::ResourceGroupLevelIdentityBasedPolicy));
    /// // Not in the group: the policy does not apply.
    /// assert_eq!(set.evaluate(&restore("r-bp1stg01")?).verdict, Verdict::ImplicitDeny);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource_group_identity(self, group: impl Into<String>, policy: Policy) -> Self {
        self.add(
            Slot::ResourceGroupIdentity(group.into()),
            policy,
            PolicyInfo::default(),
        )
    }

    /// Adds a policy to a slot, with what RAM's diagnostics say about it.
    ///
    /// # Example
    /// ```
    /// use ramguard::eval::{EntityType, PolicyInfo, PolicyKind, Slot};
    /// use ramguard::{Policy, PolicySet, Request};
    ///
    /// let set = PolicySet::builder()
    ///     .add(Slot::Identity, Policy::load("system:AliyunKvstoreReadOnlyAccess")?, PolicyInfo {
    ///         kind: PolicyKind::System,
    ///         attached_to: Some((EntityType::User, "bob".into())),
    ///         version: Some("v1".into()),
    ///     })
    ///     .build()?;
    /// let request = Request::builder("kvstore:DescribeBackups", "*").build()?;
    /// let explained = set.explain(&request);
    /// let (slot, info) = set.policy_info(&explained.matched[0]).expect("a policy of the set");
    /// assert_eq!((slot, info.kind, info.version.as_deref()), (&Slot::Identity, PolicyKind::System, Some("v1")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(mut self, slot: Slot, policy: Policy, info: PolicyInfo) -> Self {
        self.members.push(Member { policy, slot, info });
        self
    }

    /// Declares the resources a resource group holds (ARNs, compared exactly, letter case
    /// included).
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request, Verdict};
    ///
    /// let set = PolicySet::builder()
    ///     .resource_group_identity("rg-staging", Policy::load("system:AliyunKvstoreFullAccess")?)
    ///     .resource_group("rg-staging", ["acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01"])
    ///     .build()?;
    /// let staging = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let other = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1STG01").build()?;
    /// assert_eq!(set.evaluate(&staging).verdict, Verdict::Allow);
    /// assert_eq!(set.evaluate(&other).verdict, Verdict::ImplicitDeny);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource_group<I, S>(mut self, group: impl Into<String>, resources: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.groups.push((
            group.into(),
            resources.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Reuses `other`'s compiled control layer when this set's control policies are the very
    /// same documents at the same positions (as for every principal of one account); otherwise
    /// the control policies are compiled as usual.
    pub(crate) fn share_control(mut self, other: &PolicySet) -> Self {
        if let Some(layer) = &other.0.control {
            let policies = other
                .0
                .members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.slot == Slot::Control)
                .map(|(i, m)| (i, m.policy.clone()))
                .collect();
            self.shared_control = Some(SharedLayer {
                layer: Arc::clone(layer),
                policies,
            });
        }
        self
    }

    /// Names the principal the policies belong to, for `AccessDeniedDetail`. Its account is
    /// the principal's own: identity policies never allow a resource of another account.
    ///
    /// # Example
    /// ```
    /// use ramguard::eval::Principal;
    /// use ramguard::{Policy, PolicySet, Request, Verdict};
    ///
    /// let set = PolicySet::builder()
    ///     .identity(Policy::load("system:AliyunKvstoreFullAccess")?)
    ///     .principal(Principal {
    ///         principal_type: "SubUser".into(),
    ///         display_name: "alice".into(),
    ///         owner_id: "1234567890123456".into(),
    ///     })
    ///     .build()?;
    /// let own = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let foreign = Request::restore_instance("cn-hangzhou", "9999999999999999", "r-bp1stg01").build()?;
    /// assert_eq!(set.evaluate(&own).verdict, Verdict::Allow);
    /// let explained = set.explain(&foreign);
    /// assert_eq!(explained.decision, Verdict::ImplicitDeny);
    /// let detail = explained.access_denied_detail.expect("a denial has details");
    /// assert_eq!(detail.auth_principal_display_name.as_deref(), Some("alice"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Compiles the policies into layers and indexes.
    ///
    /// # Errors
    /// More than one session policy.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet};
    ///
    /// let two = PolicySet::builder()
    ///     .session(Policy::load("system:AliyunKvstoreReadOnlyAccess")?)
    ///     .session(Policy::load("system:AliyunKvstoreFullAccess")?)
    ///     .build();
    /// assert_eq!(
    ///     two.unwrap_err().to_string(),
    ///     "a role session has at most one session policy, found `AliyunKvstoreReadOnlyAccess` and `AliyunKvstoreFullAccess`"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(self) -> Result<PolicySet, BuildError> {
        let sessions: Vec<_> = self
            .members
            .iter()
            .filter(|m| m.slot == Slot::Session)
            .collect();
        if let [first, second, ..] = sessions.as_slice() {
            return Err(BuildError::SecondSessionPolicy {
                first: first.policy.name().into(),
                second: second.policy.name().into(),
            });
        }
        let control_members: Vec<(usize, &Policy)> = self
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.slot == Slot::Control)
            .map(|(i, m)| (i, &m.policy))
            .collect();
        let shared_control = self.shared_control.as_ref().and_then(|shared| {
            let same = shared.policies.len() == control_members.len()
                && shared
                    .policies
                    .iter()
                    .zip(&control_members)
                    .all(|((i, p), (j, q))| i == j && p.is_same_document(q));
            same.then(|| Arc::clone(&shared.layer))
        });
        let mut control = Layer::new(PolicyType::ControlPolicy, None);
        let mut session = Layer::new(PolicyType::SessionPolicy, None);
        let mut identity = Layer::new(PolicyType::AccountLevelIdentityBasedPolicy, None);
        let mut resource_groups: Vec<Layer> = Vec::new();
        for (index, member) in self.members.iter().enumerate() {
            let layer = match &member.slot {
                // Compiled once for every principal of an account (see `share_control`).
                Slot::Control if shared_control.is_some() => continue,
                Slot::Control => &mut control,
                Slot::Session => &mut session,
                Slot::Identity => &mut identity,
                Slot::ResourceGroupIdentity(group) => {
                    let position = resource_groups
                        .iter()
                        .position(|l| l.resource_group.as_deref() == Some(group.as_str()))
                        .unwrap_or_else(|| {
                            resource_groups.push(Layer::new(
                                PolicyType::ResourceGroupLevelIdentityBasedPolicy,
                                Some(group.clone()),
                            ));
                            resource_groups.len() - 1
                        });
                    &mut resource_groups[position]
                }
            };
            layer.add(index, &member.policy);
        }
        let mut membership: HashMap<String, Vec<usize>> = HashMap::new();
        for (group, resources) in &self.groups {
            let Some(position) = resource_groups
                .iter()
                .position(|l| l.resource_group.as_deref() == Some(group.as_str()))
            else {
                continue; // a group with no policy attached in its scope changes nothing
            };
            for resource in resources {
                let groups = membership.entry(resource.clone()).or_default();
                if !groups.contains(&position) {
                    groups.push(position);
                }
            }
        }
        let mut condition_keys: Vec<String> = self
            .members
            .iter()
            .flat_map(|m| m.policy.statements().iter())
            .flat_map(|statement| statement.conditions.iter())
            .map(|condition| fold_key(&condition.key.value))
            .collect();
        condition_keys.sort_unstable();
        condition_keys.dedup();
        let has_control = !control_members.is_empty();
        let control = shared_control.or_else(|| has_control.then(|| Arc::new(control.finish())));
        Ok(PolicySet(Arc::new(Compiled {
            control,
            session: (!sessions.is_empty()).then(|| session.finish()),
            members: self.members,
            identity: identity.finish(),
            resource_groups: resource_groups.into_iter().map(Layer::finish).collect(),
            membership,
            principal: self.principal,
            condition_keys,
        })))
    }
}

impl Layer {
    fn new(policy_type: PolicyType, resource_group: Option<String>) -> Layer {
        Layer {
            policy_type,
            resource_group,
            statements: Vec::new(),
            denies: StatementIndex::default(),
            allows: StatementIndex::default(),
        }
    }

    fn add(&mut self, policy_index: usize, policy: &Policy) {
        for (i, statement) in policy.statements().iter().enumerate() {
            let id = self.statements.len();
            let compiled = CompiledStatement::compile(statement, policy_index, i);
            match statement.effect.value {
                Effect::Deny => self.denies.insert(id, &compiled),
                Effect::Allow => self.allows.insert(id, &compiled),
            }
            self.statements.push(compiled);
        }
    }

    /// Compresses the layer's indexes, once every policy is added.
    fn finish(mut self) -> Layer {
        self.denies.compress();
        self.allows.compress();
        self
    }

    /// The layer's verdict without a trace: any matching Deny, else any matching Allow, else
    /// implicit deny. Visits only the statements the index offers, and allocates nothing.
    fn evaluate(&self, request: &Request) -> (Verdict, Option<StatementId>) {
        for (i, action_matched) in self.denies.candidates_to_decide(request) {
            let statement = &self.statements[i];
            if statement.matches_indexed(request, action_matched).is_ok() {
                return (Verdict::ExplicitDeny, Some(statement.id()));
            }
        }
        for (i, action_matched) in self.allows.candidates_to_decide(request) {
            let statement = &self.statements[i];
            if statement.matches_indexed(request, action_matched).is_ok() {
                return (Verdict::Allow, Some(statement.id()));
            }
        }
        (Verdict::ImplicitDeny, None)
    }
}

impl CompiledStatement {
    fn id(&self) -> StatementId {
        StatementId {
            policy: self.policy,
            statement: self.statement,
        }
    }
}

/// The compiled layers of a set, as `prove` reads them.
pub(crate) struct ProofLayers<'a> {
    pub(crate) control: Option<&'a [CompiledStatement]>,
    pub(crate) session: Option<&'a [CompiledStatement]>,
    pub(crate) identity: &'a [CompiledStatement],
    /// The resource-group scoped layers, by group.
    pub(crate) resource_groups: Vec<&'a [CompiledStatement]>,
    /// Resource ARN → the groups (indexes into `resource_groups`) holding it.
    pub(crate) membership: &'a HashMap<String, Vec<usize>>,
    pub(crate) principal: Option<&'a Principal>,
}

/// The verdict of one layer from the effects of the statements that matched in it
/// (docs/semantics.md §4): a matching Deny wins, then a matching Allow, else nothing allowed it.
fn layer_verdict(matched: impl IntoIterator<Item = Effect>) -> Verdict {
    let mut verdict = Verdict::ImplicitDeny;
    for effect in matched {
        match effect {
            Effect::Deny => return Verdict::ExplicitDeny,
            Effect::Allow => verdict = Verdict::Allow,
        }
    }
    verdict
}

impl PolicySet {
    /// Starts a set. A set without policies denies everything.
    ///
    /// # Example
    /// ```
    /// use ramguard::{PolicySet, Request, Verdict};
    ///
    /// let empty = PolicySet::builder().build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// assert_eq!(empty.evaluate(&request).verdict, Verdict::ImplicitDeny);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> PolicySetBuilder {
        PolicySetBuilder::default()
    }

    /// RAM's decision for a request, without a trace. Allocates nothing.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};
    ///
    /// let grant = r#"{"Version": "1", "Statement": [{"Effect": "Allow",
    ///     "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-stg*"}]}"#;
    /// let guard = r#"{"Version": "1", "Statement": [
    ///     {"Effect": "Allow", "Action": "*", "Resource": "*"},
    ///     {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
    ///      "Condition": {"Bool": {"acs:MFAPresent": "false"}}}]}"#;
    /// let set = PolicySet::builder()
    ///     .identity(Policy::from_text("grant", grant)?)
    ///     .control(Policy::from_text("guard", guard)?)
    ///     .build()?;
    ///
    /// let with_mfa = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-stg01")
    ///     .context("acs:MFAPresent", true)
    ///     .build()?;
    /// assert_eq!(set.evaluate(&with_mfa).verdict, Verdict::Allow);
    ///
    /// let without = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-stg01")
    ///     .context("acs:MFAPresent", false)
    ///     .build()?;
    /// let decision = set.evaluate(&without);
    /// assert_eq!((decision.verdict, decision.policy_type), (Verdict::ExplicitDeny, PolicyType::ControlPolicy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(&self, request: &Request) -> Decision {
        self.decide(request, |layer| layer.evaluate(request))
    }

    /// The decision with its full trace: every statement of every layer, matched or the first
    /// reason it did not, the deciding statements, and the condition keys the request lacked.
    /// Always agrees with [`PolicySet::evaluate`].
    ///
    /// # Example
    /// ```
    /// use ramguard::eval::StatementOutcome;
    /// use ramguard::{Policy, PolicySet, Request, Verdict};
    ///
    /// let dba = Policy::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/dba-restore.json"))?;
    /// let set = PolicySet::builder().identity(dba).build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .context("acs:SecureTransport", true)
    ///     .build()?;
    /// let explained = set.explain(&request);
    /// assert_eq!(explained.decision, Verdict::ImplicitDeny);
    /// assert_eq!(explained.missing_context, ["acs:MFAPresent"]);
    /// assert_eq!(
    ///     explained.trace[0].statements[1].outcome,
    ///     StatementOutcome::ConditionKeyMissing { operator: "Bool".into(), key: "acs:MFAPresent".into() }
    /// );
    /// assert!(explained.to_string().starts_with(
    ///     "ImplicitDeny (decided by AccountLevelIdentityBasedPolicy)\n\nno statement allows the request\n"
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self, request: &Request) -> Explanation {
        explain::explain(self, request)
    }

    /// The policy at `index`, in the order policies were added ([`StatementId::policy`]).
    ///
    /// # Panics
    /// When `index` does not come from this set.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request};
    ///
    /// let set = PolicySet::builder()
    ///     .control(Policy::load("system:FullAliyunAccess")?)
    ///     .identity(Policy::load("system:AliyunKvstoreFullAccess")?)
    ///     .build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let deciding = set.evaluate(&request).deciding.expect("an Allow has a deciding statement");
    /// assert_eq!((deciding.policy, deciding.statement), (1, 0));
    /// assert_eq!(set.policy(deciding.policy).name(), "AliyunKvstoreFullAccess");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy(&self, index: usize) -> &Policy {
        &self.0.members[index].policy
    }

    /// The policies of the set, in the order they were added, each with its slot.
    ///
    /// # Example
    /// ```
    /// use ramguard::eval::Slot;
    /// use ramguard::{Policy, PolicySet};
    ///
    /// let set = PolicySet::builder()
    ///     .identity(Policy::load("system:AliyunKvstoreReadOnlyAccess")?)
    ///     .control(Policy::load("system:FullAliyunAccess")?)
    ///     .build()?;
    /// let policies: Vec<(&str, &Slot)> = set.policies().map(|(policy, slot)| (policy.name(), slot)).collect();
    /// assert_eq!(policies, [("AliyunKvstoreReadOnlyAccess", &Slot::Identity), ("FullAliyunAccess", &Slot::Control)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policies(&self) -> impl Iterator<Item = (&Policy, &Slot)> {
        self.0.members.iter().map(|m| (&m.policy, &m.slot))
    }

    /// The policy at `index`, if the set has one there.
    #[cfg(feature = "cli")]
    pub(crate) fn policy_at(&self, index: usize) -> Option<&Policy> {
        self.0.members.get(index).map(|m| &m.policy)
    }

    /// Checks the statement index of every layer against a linear scan for `request`: every
    /// statement that matches must be among the candidates a decision visits, and every
    /// statement whose action and resource match among the context-free candidates. The
    /// fuzzer's oracle (`ramguard::fuzzing`).
    pub(crate) fn check_index(&self, request: &Request) -> Result<(), String> {
        let layers = self
            .0
            .control
            .as_deref()
            .into_iter()
            .chain(&self.0.session)
            .chain(std::iter::once(&self.0.identity))
            .chain(&self.0.resource_groups);
        for layer in layers {
            let to_decide: Vec<usize> = layer
                .denies
                .candidates_to_decide(request)
                .chain(layer.allows.candidates_to_decide(request))
                .map(|(id, _)| id)
                .collect();
            let by_action_and_resource: Vec<usize> = layer
                .denies
                .candidates(request)
                .chain(layer.allows.candidates(request))
                .collect();
            for (id, statement) in layer.statements.iter().enumerate() {
                let name = || format!("{:?} statement {id}", layer.policy_type);
                if statement.matches(request).is_ok() && !to_decide.contains(&id) {
                    return Err(format!(
                        "{} matches but a decision does not visit it",
                        name()
                    ));
                }
                if statement.match_action_and_resource(request).is_ok()
                    && !by_action_and_resource.contains(&id)
                {
                    return Err(format!(
                        "{}'s action and resource match but the context-free index omits it",
                        name()
                    ));
                }
            }
        }
        Ok(())
    }

    /// RAM's order of layers (docs/semantics.md §4), the one place it is written: the first layer that
    /// does not allow decides. `layer` gives one layer's verdict and a deciding statement.
    fn decide(
        &self,
        request: &Request,
        mut layer: impl FnMut(&Layer) -> (Verdict, Option<StatementId>),
    ) -> Decision {
        let decision = |(verdict, deciding), policy_type| Decision {
            verdict,
            policy_type,
            deciding,
        };
        for guard in [self.0.control.as_deref(), self.0.session.as_ref()]
            .into_iter()
            .flatten()
        {
            let result = layer(guard);
            if result.0 != Verdict::Allow {
                // Control and session policies must allow; any deny there is final.
                return decision(result, guard.policy_type);
            }
        }
        let account = layer(&self.0.identity);
        if account.0 == Verdict::ExplicitDeny {
            return decision(account, PolicyType::AccountLevelIdentityBasedPolicy);
        }
        if !self.owns(request) {
            // Identity policies never reach another account's resources: that takes a
            // resource-based policy, and kvstore has none (docs/semantics.md §4).
            return decision(
                (Verdict::ImplicitDeny, None),
                PolicyType::AccountLevelIdentityBasedPolicy,
            );
        }
        if account.0 == Verdict::Allow {
            return decision(account, PolicyType::AccountLevelIdentityBasedPolicy);
        }
        // Only on an implicit deny at account scope do resource-group scoped policies count.
        let groups = self.resource_groups_of(request.resource());
        if groups.is_empty() {
            return decision(account, PolicyType::AccountLevelIdentityBasedPolicy);
        }
        let mut result = (Verdict::ImplicitDeny, None);
        for &group in groups {
            let r = layer(&self.0.resource_groups[group]);
            match r.0 {
                Verdict::ExplicitDeny => {
                    result = r;
                    break;
                }
                Verdict::Allow if result.0 == Verdict::ImplicitDeny => result = r,
                _ => {}
            }
        }
        decision(result, PolicyType::ResourceGroupLevelIdentityBasedPolicy)
    }

    /// Whether the request's resource is in the principal's own account; always true when the
    /// set names no principal (loose policies, no account known), and for the resource `*`,
    /// which names no account (docs/semantics.md §2).
    /// `decision`, made by this set, with its deciding statement located.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request};
    ///
    /// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreFullAccess")?).build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let record = set.record(&set.evaluate(&request));
    /// assert_eq!(
    ///     serde_json::to_string(&record)?,
    ///     r#"{"verdict":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"AliyunKvstoreFullAccess","file":"system:AliyunKvstoreFullAccess","statement":0,"sid":null,"effect":"Allow","line":4,"column":5}}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record(&self, decision: &Decision) -> DecisionRecord {
        DecisionRecord {
            verdict: decision.verdict,
            policy_type: decision.policy_type,
            statement: decision.deciding.and_then(|id| self.locate(id)),
        }
    }

    /// The principal whose policies these are, when the set names one (sets built from an
    /// account do).
    ///
    /// # Example
    /// ```
    /// use ramguard::principal::{Account, PrincipalRef};
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let set = account.policy_set(&PrincipalRef::parse("role/restore-bot")?)?.build()?;
    /// let principal = set.principal().expect("a principal of the account");
    /// assert_eq!(principal.principal_type, "AssumedRoleUser");
    /// assert_eq!(principal.display_name, "restore-bot");
    /// assert_eq!(principal.owner_id, "1234567890123456");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn principal(&self) -> Option<&Principal> {
        self.0.principal.as_ref()
    }

    /// Whether `other` is a handle on the very same compiled set (a clone of this one).
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet};
    ///
    /// let policy = Policy::load("system:AliyunKvstoreFullAccess")?;
    /// let set = PolicySet::builder().identity(policy.clone()).build()?;
    /// assert!(set.is_same_set(&set.clone()));
    /// let again = PolicySet::builder().identity(policy).build()?;
    /// assert!(!set.is_same_set(&again), "the same policy, compiled twice");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_same_set(&self, other: &PolicySet) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The compiled statements of each layer, for `prove`: control, session, account-level
    /// identity, resource-group scoped, with the groups' resources.
    pub(crate) fn proof_layers(&self) -> ProofLayers<'_> {
        ProofLayers {
            control: self.0.control.as_deref().map(|l| l.statements.as_slice()),
            session: self.0.session.as_ref().map(|l| l.statements.as_slice()),
            identity: &self.0.identity.statements,
            resource_groups: self
                .0
                .resource_groups
                .iter()
                .map(|l| l.statements.as_slice())
                .collect(),
            membership: &self.0.membership,
            principal: self.0.principal.as_ref(),
        }
    }

    pub(crate) fn owns(&self, request: &Request) -> bool {
        match (&self.0.principal, request.resource_account()) {
            (Some(principal), Some(account)) => principal.owner_id == account,
            _ => true,
        }
    }

    pub(crate) fn resource_groups_of(&self, resource: &str) -> &[usize] {
        self.0.membership.get(resource).map_or(&[], Vec::as_slice)
    }

    fn member(&self, id: StatementId) -> &Member {
        &self.0.members[id.policy]
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Allow => "Allow",
            Verdict::ExplicitDeny => "ExplicitDeny",
            Verdict::ImplicitDeny => "ImplicitDeny",
        })
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyType::ControlPolicy => "ControlPolicy",
            PolicyType::SessionPolicy => "SessionPolicy",
            PolicyType::AccountLevelIdentityBasedPolicy => "AccountLevelIdentityBasedPolicy",
            PolicyType::ResourceGroupLevelIdentityBasedPolicy => {
                "ResourceGroupLevelIdentityBasedPolicy"
            }
        })
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.verdict, self.policy_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "acs:kvstore:cn-hangzhou:1:instance/r-1";

    fn policy(name: &str, statements: &str) -> Policy {
        Policy::from_text(
            name,
            &format!(r#"{{"Version": "1", "Statement": [{statements}]}}"#),
        )
        .expect("test policy is valid")
    }

    fn allow_all(name: &str) -> Policy {
        policy(
            name,
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
        )
    }

    /// Allows only actions of another service than the request's.
    fn allow_ecs(name: &str) -> Policy {
        policy(
            name,
            r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}"#,
        )
    }

    fn deny_all(name: &str) -> Policy {
        policy(
            name,
            r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#,
        )
    }

    fn request() -> Request {
        Request::builder("kvstore:RestoreInstance", ARN)
            .build()
            .expect("valid request")
    }

    fn decide(builder: PolicySetBuilder) -> (Verdict, PolicyType) {
        let set = builder.build().expect("set builds");
        let decision = set.evaluate(&request());
        let explained = set.explain(&request());
        assert_eq!(
            (explained.decision, explained.policy_type),
            (decision.verdict, decision.policy_type)
        );
        (decision.verdict, decision.policy_type)
    }

    #[test]
    fn decisions_serialize_and_display_stably() {
        let set = PolicySet::builder()
            .identity(allow_all("id"))
            .build()
            .expect("set builds");
        let decision = set.evaluate(&request());
        assert_eq!(
            serde_json::to_string(&set.record(&decision)).expect("serializes"),
            r#"{"verdict":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"id","file":"id","statement":0,"sid":null,"effect":"Allow","line":1,"column":32}}"#
        );
        assert_eq!(
            decision.to_string(),
            "Allow (AccountLevelIdentityBasedPolicy)"
        );
    }

    #[test]
    fn nothing_attached_is_an_implicit_deny_at_account_scope() {
        assert_eq!(
            decide(PolicySet::builder()),
            (
                Verdict::ImplicitDeny,
                PolicyType::AccountLevelIdentityBasedPolicy
            )
        );
    }

    #[test]
    fn control_policies_must_allow() {
        let b = PolicySet::builder().identity(allow_all("id"));
        assert_eq!(
            decide(b.clone().control(allow_ecs("c"))),
            (Verdict::ImplicitDeny, PolicyType::ControlPolicy)
        );
        assert_eq!(
            decide(b.clone().control(deny_all("c"))),
            (Verdict::ExplicitDeny, PolicyType::ControlPolicy)
        );
        assert_eq!(
            decide(b.control(allow_all("c"))),
            (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
        );
    }

    #[test]
    fn a_session_policy_must_allow_too() {
        let b = PolicySet::builder().identity(allow_all("id"));
        assert_eq!(
            decide(b.clone().session(allow_ecs("s"))),
            (Verdict::ImplicitDeny, PolicyType::SessionPolicy)
        );
        assert_eq!(
            decide(b.clone().session(allow_all("s"))),
            (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
        );
        let two = b.session(allow_all("s1")).session(allow_all("s2")).build();
        assert_eq!(
            two.unwrap_err().to_string(),
            "a role session has at most one session policy, found `s1` and `s2`"
        );
    }

    #[test]
    fn resource_group_scope_counts_only_after_an_implicit_deny_and_only_for_members() {
        let grouped = |b: PolicySetBuilder, resources: &[&str]| {
            b.resource_group_identity("rg", allow_all("rg-allow"))
                .resource_group("rg", resources.iter().copied())
        };
        assert_eq!(
            decide(grouped(PolicySet::builder(), &[ARN])),
            (
                Verdict::Allow,
                PolicyType::ResourceGroupLevelIdentityBasedPolicy
            )
        );
        assert_eq!(
            decide(grouped(
                PolicySet::builder(),
                &["acs:kvstore:cn-hangzhou:1:instance/r-2"]
            )),
            (
                Verdict::ImplicitDeny,
                PolicyType::AccountLevelIdentityBasedPolicy
            )
        );
        assert_eq!(
            decide(grouped(
                PolicySet::builder().identity(deny_all("id")),
                &[ARN]
            )),
            (
                Verdict::ExplicitDeny,
                PolicyType::AccountLevelIdentityBasedPolicy
            )
        );
        let denied_in_group = PolicySet::builder()
            .resource_group_identity("rg2", deny_all("rg2-deny"))
            .resource_group("rg2", [ARN]);
        assert_eq!(
            decide(grouped(denied_in_group, &[ARN])),
            (
                Verdict::ExplicitDeny,
                PolicyType::ResourceGroupLevelIdentityBasedPolicy
            )
        );
    }

    #[test]
    fn a_principal_never_reaches_another_accounts_resources() {
        let set = |owner: &str| {
            PolicySet::builder()
                .identity(allow_all("id"))
                .principal(Principal {
                    principal_type: "SubUser".into(),
                    display_name: "alice".into(),
                    owner_id: owner.into(),
                })
        };
        // The request's resource is in account `1`.
        assert_eq!(
            decide(set("1")),
            (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
        );
        assert_eq!(
            decide(set("2")),
            (
                Verdict::ImplicitDeny,
                PolicyType::AccountLevelIdentityBasedPolicy
            )
        );
        let other = set("2").build().expect("set builds");
        assert_eq!(
            other.explain(&request()).note.as_deref(),
            Some(
                "the resource is in account `1`, the principal in account `2`: identity policies never grant another account's resources"
            )
        );
        assert_eq!(
            set("1")
                .build()
                .expect("set builds")
                .explain(&request())
                .note,
            None
        );
        assert_eq!(
            decide(set("2").identity(deny_all("deny"))),
            (
                Verdict::ExplicitDeny,
                PolicyType::AccountLevelIdentityBasedPolicy
            )
        );
    }

    #[test]
    fn missing_context_lists_a_key_once_however_it_is_spelled() {
        let set = PolicySet::builder()
            .identity(policy(
                "id",
                r#"{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"StringEquals": {"acs:ResourceTag/ÉTAT": "prod"}}},
                   {"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"StringLike": {"ACS:resourcetag/état": "p*"}, "Bool": {"acs:MFAPresent": "true"}}}"#,
            ))
            .build()
            .expect("set builds");
        assert_eq!(
            set.explain(&request()).missing_context,
            ["acs:MFAPresent", "acs:ResourceTag/ÉTAT"]
        );
    }

    #[test]
    fn explain_lists_deciding_statements_and_unconsulted_layers() {
        let set = PolicySet::builder()
            .control(deny_all("guard"))
            .identity(policy(
                "id",
                r#"{"Sid": "Restore", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*",
                    "Condition": {"Bool": {"acs:MFAPresent": "true"}}}"#,
            ))
            .build()
            .expect("set builds");
        let explained = set.explain(&request());
        assert_eq!(explained.decision, Verdict::ExplicitDeny);
        assert_eq!(explained.matched.len(), 1);
        assert_eq!(explained.matched[0].policy, "guard");
        assert_eq!(
            set.evaluate(&request()).deciding,
            Some(StatementId {
                policy: 0,
                statement: 0
            })
        );
        assert_eq!(explained.trace.len(), 2);
        assert!(explained.trace[0].consulted);
        assert!(!explained.trace[1].consulted);
        assert_eq!(
            explained.trace[1].statements[0].outcome,
            StatementOutcome::ConditionKeyMissing {
                operator: "Bool".into(),
                key: "acs:MFAPresent".into()
            }
        );
        // Keys are reported only for consulted layers.
        assert!(explained.missing_context.is_empty());
        let detail = explained
            .access_denied_detail
            .expect("a denial has details");
        assert_eq!(
            detail.decoded_diagnostic_message.matched_policies[0].policy_identifier,
            "guard"
        );
    }
}
