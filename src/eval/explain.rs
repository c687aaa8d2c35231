//! The explained decision: every statement's outcome, the deciding statements, the missing
//! condition keys, and RAM's `AccessDeniedDetail` for denials.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::compile::{CompiledStatement, StatementMiss};
use super::{
    EntityType, Layer, PolicyInfo, PolicyKind, PolicySet, PolicyType, Principal, Slot, StatementId,
    Verdict, layer_verdict,
};
use crate::condition::{Condition, ConditionMiss};
use crate::policy::{Effect, Statement};
use crate::report::{Style, render_excerpt};
use crate::request::Request;
use crate::span::{Source, Span};

/// A decision with everything that led to it. Serializes with a stable field order, so it can
/// be pinned with `insta::assert_json_snapshot!`; `Display` renders it for people.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// Allow, explicit deny or implicit deny.
    pub decision: Verdict,
    /// The layer that decided.
    pub policy_type: PolicyType,
    /// The statements that decided: the matching Deny statements for an explicit deny, the
    /// matching Allow statements of the deciding layer for an allow, none for an implicit deny.
    pub matched: Vec<MatchedStatement>,
    /// Condition keys read by statements whose action and resource matched, that the request
    /// did not carry. Only the layers consulted on the way to the decision count: a layer after
    /// the one that decided is not read (`depends_on` looks at every layer, so it may name keys
    /// this list does not).
    pub missing_context: Vec<String>,
    /// The missing keys whose values could change whether the request is allowed
    /// ([`PolicySet::depends_on`]): empty when the decision holds whatever they are.
    pub depends_on: Vec<String>,
    /// Every layer and every statement in it.
    pub trace: Vec<LayerTrace>,
    /// Why no identity statement could allow, when the reason is not a statement: the
    /// resource belongs to another account than the principal's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For denials, the facts RAM's 403 response carries, under RAM's names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_denied_detail: Option<AccessDeniedDetail>,
}

impl Explanation {
    /// Whether the request is allowed.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request};
    ///
    /// let set = PolicySet::builder().identity(Policy::load("system:AliyunKvstoreReadOnlyAccess")?).build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let explained = set.explain(&request);
    /// assert!(!explained.is_allowed());
    /// assert_eq!(explained.is_allowed(), set.evaluate(&request).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_allowed(&self) -> bool {
        self.decision.is_allowed()
    }
}

/// Where a statement is and what it says, for traces and deciding statements.
#[derive(Debug, Clone, Serialize)]
pub struct MatchedStatement {
    /// The policy's name.
    pub policy: String,
    /// The file (or label) the policy was read from.
    pub file: String,
    /// The statement's index in the policy's `Statement` array, from 0.
    pub statement: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
    /// Its effect.
    pub effect: Effect,
    /// The line of the statement's opening brace.
    pub line: usize,
    /// The column of the statement's opening brace.
    pub column: usize,
    #[serde(skip)]
    source: Arc<Source>,
    #[serde(skip)]
    span: Span,
    /// Which policy of the set (the same name may be attached twice, at different scopes).
    #[serde(skip)]
    policy_index: usize,
}

/// One layer of the trace.
#[derive(Debug, Clone, Serialize)]
pub struct LayerTrace {
    /// The layer.
    pub policy_type: PolicyType,
    /// The resource group, for resource-group scoped layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
    /// Whether the layer applies to the request's resource: false for a resource-group layer
    /// whose group does not hold the resource.
    pub in_scope: bool,
    /// Whether the decision consulted this layer (later layers are not consulted once one
    /// decides; resource-group layers only for resources in the group, after an implicit deny).
    pub consulted: bool,
    /// The layer's own verdict.
    pub verdict: Verdict,
    /// Every statement of the layer's policies.
    pub statements: Vec<StatementTrace>,
}

/// One statement of the trace.
#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace {
    /// Where the statement is.
    #[serde(flatten)]
    pub at: MatchedStatement,
    /// Whether it matched, or the first reason it did not.
    pub outcome: StatementOutcome,
}

/// Whether a statement matched, or the first reason it did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatementOutcome {
    /// Action, resource and every condition matched.
    Matched,
    /// The request's action is not in `Action` (or is in `NotAction`).
    ActionNotMatched {
        /// `Action` or `NotAction`.
        element: String,
    },
    /// The request's resource is not in `Resource` (or is in `NotResource`).
    ResourceNotMatched {
        /// `Resource` or `NotResource`.
        element: String,
    },
    /// The request lacks the key, and the operator needs it.
    ConditionKeyMissing {
        /// The operator.
        operator: String,
        /// The key.
        key: String,
    },
    /// The request's values do not satisfy the operator.
    ConditionNotSatisfied {
        /// The operator.
        operator: String,
        /// The key.
        key: String,
        /// The policy's values.
        policy_values: Vec<String>,
        /// The request's values.
        request_values: Vec<String>,
    },
    /// The statement's policy is attached in the scope of a resource group that does not hold
    /// the request's resource.
    ResourceNotInGroup {
        /// The resource group.
        resource_group: String,
    },
    /// No request value satisfies the operator, and this one is not of its type (it satisfies
    /// nothing, whatever the operator).
    RequestValueInvalid {
        /// The operator.
        operator: String,
        /// The key.
        key: String,
        /// The offending request value.
        value: String,
    },
}

/// RAM's `AccessDeniedDetail`, with the diagnostic message decoded.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessDeniedDetail {
    /// The layer that denied.
    pub policy_type: PolicyType,
    /// The account owning the principal, when known.
    pub auth_principal_owner_id: Option<String>,
    /// `SubUser`, `AssumedRoleUser`, …, when known.
    pub auth_principal_type: Option<String>,
    /// The principal's name, when known.
    pub auth_principal_display_name: Option<String>,
    /// `ImplicitDeny` or `ExplicitDeny`.
    pub no_permission_type: Verdict,
    /// The action.
    pub auth_action: String,
    /// What `ram:DecodeDiagnosticMessage` would return for the encoded message.
    pub decoded_diagnostic_message: DiagnosticMessage,
}

/// The decoded diagnostic message of a denial.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DiagnosticMessage {
    /// Whether a Deny statement matched.
    pub explicit_deny: bool,
    /// The layer that denied.
    pub no_permission_policy_type: PolicyType,
    /// The action.
    pub auth_action: String,
    /// The resource.
    pub auth_resource: String,
    /// The principal, when known.
    pub auth_principal: Option<AuthPrincipal>,
    /// The request's condition keys and values.
    pub auth_conditions: Vec<AuthCondition>,
    /// The policies whose statements decided.
    pub matched_policies: Vec<MatchedPolicy>,
}

/// The principal in a diagnostic message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthPrincipal {
    /// `SubUser`, `AssumedRoleUser`, ….
    pub auth_principal_type: String,
    /// The principal's name.
    pub auth_principal_display_name: String,
    /// The owning account.
    pub auth_principal_owner_id: String,
}

/// One request condition in a diagnostic message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthCondition {
    /// The key.
    pub condition_key: String,
    /// Its values.
    pub condition_values: Vec<String>,
}

/// One deciding policy in a diagnostic message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MatchedPolicy {
    /// The layer.
    pub policy_type: PolicyType,
    /// `System` or `Custom`.
    pub policy_kind: PolicyKind,
    /// The policy's name.
    pub policy_identifier: String,
    /// The version in force, when known.
    pub policy_version: Option<String>,
    /// The effect of its deciding statement.
    pub effect: Effect,
    /// `User`, `Group` or `Role`, when known.
    pub attached_entity_type: Option<EntityType>,
    /// `Account`, or the resource group of a scoped attachment.
    pub attached_scope: String,
}

pub(super) fn explain(set: &PolicySet, request: &Request) -> Explanation {
    let layers: Vec<&Layer> = set
        .0
        .control
        .as_deref()
        .into_iter()
        .chain(&set.0.session)
        .chain(std::iter::once(&set.0.identity))
        .chain(&set.0.resource_groups)
        .collect();
    let outcomes: Vec<Vec<Result<(), StatementMiss>>> = layers
        .iter()
        .map(|layer| {
            layer
                .statements
                .iter()
                .map(|s| s.matches(request))
                .collect()
        })
        .collect();
    // Resource-group layers apply only to resources in their group.
    let groups_of_resource = set.resource_groups_of(request.resource());
    let in_scope: Vec<bool> = layers
        .iter()
        .map(|layer| {
            layer.resource_group.is_none()
                || groups_of_resource
                    .iter()
                    .any(|&g| std::ptr::eq(&set.0.resource_groups[g], *layer))
        })
        .collect();
    let matching = |i: usize| {
        layers[i]
            .statements
            .iter()
            .zip(&outcomes[i])
            .filter(|(_, o)| o.is_ok())
            .map(|(s, _)| s)
    };
    // Each layer's own verdict; a resource-group layer that does not hold the resource has none.
    let verdicts: Vec<Verdict> = (0..layers.len())
        .map(|i| {
            if in_scope[i] {
                layer_verdict(matching(i).map(|s| s.effect))
            } else {
                Verdict::ImplicitDeny
            }
        })
        .collect();
    let mut consulted = vec![false; layers.len()];
    let decision = set.decide(request, |layer| {
        let i = layers
            .iter()
            .position(|l| std::ptr::eq(*l, layer))
            .unwrap_or_default();
        consulted[i] = true;
        let verdict = verdicts[i];
        let deciding = matching(i)
            .find(|s| Some(s.effect) == deciding_effect(verdict))
            .map(|s| s.id());
        (verdict, deciding)
    });

    let mut matched = Vec::new();
    let mut missing_context: Vec<String> = Vec::new();
    let mut missing_folded: Vec<&str> = Vec::new();
    let mut trace = Vec::with_capacity(layers.len());
    for (i, layer) in layers.iter().enumerate() {
        let mut statements = Vec::with_capacity(layer.statements.len());
        for (compiled, outcome) in layer.statements.iter().zip(&outcomes[i]) {
            let statement = set.statement(compiled.id());
            let at = locate(set, compiled);
            if consulted[i]
                && layer.policy_type == decision.policy_type
                && outcome.is_ok()
                && Some(compiled.effect) == deciding_effect(decision.verdict)
            {
                matched.push(at.clone());
            }
            if consulted[i]
                && !matches!(
                    outcome,
                    Err(StatementMiss::Action | StatementMiss::Resource)
                )
            {
                for (condition, compiled_condition) in
                    statement.conditions.iter().zip(compiled.conditions())
                {
                    // Keys compare as the context compares them: folded.
                    let folded = compiled_condition.key();
                    if request.context().values(folded).is_empty()
                        && !missing_folded.contains(&folded)
                    {
                        missing_folded.push(folded);
                        missing_context.push(condition.key.value.clone());
                    }
                }
            }
            let outcome = match &layer.resource_group {
                Some(group) if !in_scope[i] => StatementOutcome::ResourceNotInGroup {
                    resource_group: group.clone(),
                },
                _ => describe(statement, request, *outcome),
            };
            statements.push(StatementTrace { at, outcome });
        }
        trace.push(LayerTrace {
            policy_type: layer.policy_type,
            resource_group: layer.resource_group.clone(),
            in_scope: in_scope[i],
            consulted: consulted[i],
            verdict: verdicts[i],
            statements,
        });
    }
    missing_context.sort();
    let access_denied_detail = (!decision.is_allowed()).then(|| {
        denial_detail(
            set,
            request,
            decision.verdict,
            decision.policy_type,
            &matched,
        )
    });
    let note = set.0.principal.as_ref().filter(|_| !set.owns(request)).map(|p| {
        format!(
            "the resource is in account `{}`, the principal in account `{}`: identity policies never grant another account's resources",
            request.resource_account().unwrap_or_default(),
            p.owner_id
        )
    });
    Explanation {
        decision: decision.verdict,
        policy_type: decision.policy_type,
        matched,
        missing_context,
        depends_on: set.depends_on(request),
        trace,
        note,
        access_denied_detail,
    }
}

/// The effect of the statements that decide a verdict.
fn deciding_effect(verdict: Verdict) -> Option<Effect> {
    match verdict {
        Verdict::Allow => Some(Effect::Allow),
        Verdict::ExplicitDeny => Some(Effect::Deny),
        Verdict::ImplicitDeny => None,
    }
}

fn locate(set: &PolicySet, compiled: &CompiledStatement) -> MatchedStatement {
    set.locate_statement(compiled.id())
}

fn describe(
    statement: &Statement,
    request: &Request,
    outcome: Result<(), StatementMiss>,
) -> StatementOutcome {
    let condition_parts = |index: usize| -> (&Condition, String, String) {
        let condition = &statement.conditions[index];
        (
            condition,
            condition.operator.value.to_string(),
            condition.key.value.clone(),
        )
    };
    match outcome {
        Ok(()) => StatementOutcome::Matched,
        Err(StatementMiss::Action) => StatementOutcome::ActionNotMatched {
            element: statement.action.member_name("Action"),
        },
        Err(StatementMiss::Resource) => StatementOutcome::ResourceNotMatched {
            element: statement.resource.member_name("Resource"),
        },
        Err(StatementMiss::Condition { index, miss }) => {
            let (condition, operator, key) = condition_parts(index);
            let request_values = request.context().get(&key);
            match miss {
                ConditionMiss::KeyMissing => {
                    StatementOutcome::ConditionKeyMissing { operator, key }
                }
                ConditionMiss::NotSatisfied => StatementOutcome::ConditionNotSatisfied {
                    operator,
                    key,
                    policy_values: condition
                        .values
                        .iter()
                        .map(|v| v.value.to_string())
                        .collect(),
                    request_values: request_values
                        .iter()
                        .map(|v| v.text().to_string())
                        .collect(),
                },
                ConditionMiss::BadRequestValue { index } => StatementOutcome::RequestValueInvalid {
                    operator,
                    key,
                    value: request_values
                        .get(index)
                        .map(|v| v.text().to_string())
                        .unwrap_or_default(),
                },
            }
        }
    }
}

fn denial_detail(
    set: &PolicySet,
    request: &Request,
    verdict: Verdict,
    policy_type: PolicyType,
    matched: &[MatchedStatement],
) -> AccessDeniedDetail {
    let principal: Option<&Principal> = set.0.principal.as_ref();
    let mut matched_policies: Vec<MatchedPolicy> = Vec::new();
    let mut listed: Vec<usize> = Vec::new();
    for m in matched {
        let Some(member) = set.0.members.get(m.policy_index) else {
            continue;
        };
        if listed.contains(&m.policy_index) {
            continue;
        }
        listed.push(m.policy_index);
        matched_policies.push(MatchedPolicy {
            policy_type,
            policy_kind: member.info.kind,
            policy_identifier: m.policy.clone(),
            policy_version: member.info.version.clone(),
            effect: m.effect,
            attached_entity_type: member.info.attached_to.as_ref().map(|(t, _)| *t),
            attached_scope: match &member.slot {
                Slot::ResourceGroupIdentity(group) => group.clone(),
                _ => "Account".into(),
            },
        });
    }
    AccessDeniedDetail {
        policy_type,
        auth_principal_owner_id: principal.map(|p| p.owner_id.clone()),
        auth_principal_type: principal.map(|p| p.principal_type.clone()),
        auth_principal_display_name: principal.map(|p| p.display_name.clone()),
        no_permission_type: verdict,
        auth_action: request.action().to_string(),
        decoded_diagnostic_message: DiagnosticMessage {
            explicit_deny: verdict == Verdict::ExplicitDeny,
            no_permission_policy_type: policy_type,
            auth_action: request.action().to_string(),
            auth_resource: request.resource().to_string(),
            auth_principal: principal.map(|p| AuthPrincipal {
                auth_principal_type: p.principal_type.clone(),
                auth_principal_display_name: p.display_name.clone(),
                auth_principal_owner_id: p.owner_id.clone(),
            }),
            auth_conditions: request
                .context()
                .iter()
                .map(|(key, values)| AuthCondition {
                    condition_key: key.to_string(),
                    condition_values: values.iter().map(|v| v.text().to_string()).collect(),
                })
                .collect(),
            matched_policies,
        },
    }
}

impl PolicySet {
    pub(super) fn statement(&self, id: StatementId) -> &Statement {
        &self.member(id).policy.statements()[id.statement]
    }
}

impl PolicySet {
    /// Where the policy of a deciding or traced statement takes part, and what RAM's
    /// diagnostics say about it (kind, attachment, version); `None` for a statement of another
    /// set.
    ///
    /// # Example
    /// ```
    /// use ramguard::eval::{EntityType, PolicyKind, Slot};
    /// use ramguard::principal::{Account, PrincipalRef};
    /// use ramguard::Request;
    ///
    /// let account = Account::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/account.json"))?;
    /// let carol = account.policy_set(&PrincipalRef::parse("user/carol")?)?.build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1pay01")
    ///     .context("acs:MFAPresent", true)
    ///     .build()?;
    /// let explained = carol.explain(&request);
    /// assert!(explained.is_allowed());
    /// let (slot, info) = carol.policy_info(&explained.matched[0]).expect("a policy of the set");
    /// assert_eq!(slot, &Slot::ResourceGroupIdentity("rg-prod".into()));
    /// assert_eq!(info.kind, PolicyKind::Custom);
    /// assert_eq!(info.attached_to, Some((EntityType::Group, "oncall".into())));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy_info(&self, statement: &MatchedStatement) -> Option<(&Slot, &PolicyInfo)> {
        self.0
            .members
            .get(statement.policy_index)
            .map(|m| (&m.slot, &m.info))
    }
}

impl PolicySet {
    /// The statement a decision names ([`Decision::deciding`](super::Decision::deciding)),
    /// located: its policy, file, index, `Sid`, effect, line and column. `None` for an id of
    /// another set.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request};
    ///
    /// let set = PolicySet::builder()
    ///     .identity(Policy::from_text("dba", r#"{"Version": "1", "Statement": [
    ///         {"Sid": "Staging", "Effect": "Allow", "Action": "kvstore:RestoreInstance",
    ///          "Resource": "acs:kvstore:*:*:instance/r-bp1stg*"}]}"#)?)
    ///     .build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01").build()?;
    /// let decision = set.evaluate(&request);
    /// let statement = set.locate(decision.deciding.expect("an Allow names its statement")).expect("ours");
    /// assert_eq!((statement.policy.as_str(), statement.statement), ("dba", 0));
    /// assert_eq!(statement.sid.as_deref(), Some("Staging"));
    /// assert_eq!((statement.line, statement.column), (2, 9));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn locate(&self, id: StatementId) -> Option<MatchedStatement> {
        let member = self.0.members.get(id.policy)?;
        member.policy.statements().get(id.statement)?;
        Some(self.locate_statement(id))
    }

    /// [`PolicySet::locate`] for an id known to be the set's own.
    fn locate_statement(&self, id: StatementId) -> MatchedStatement {
        let member = self.member(id);
        let statement = self.statement(id);
        let source = member.policy.source().clone();
        let at = source.position(statement.span.start);
        MatchedStatement {
            policy: member.policy.name().to_string(),
            file: source.name().to_string(),
            statement: id.statement,
            sid: statement.sid.as_ref().map(|s| s.value.clone()),
            effect: statement.effect.value,
            line: at.line,
            column: at.column,
            span: statement.span,
            source,
            policy_index: id.policy,
        }
    }
}

impl MatchedStatement {
    /// The statement's source and span, to show it.
    pub(crate) fn source_span(&self) -> (&Source, Span) {
        (&self.source, self.span)
    }

    fn label(&self) -> String {
        let sid = self
            .sid
            .as_ref()
            .map(|s| format!(" \"{s}\""))
            .unwrap_or_default();
        format!(
            "{} Statement[{}]{} ({})",
            self.policy, self.statement, sid, self.effect
        )
    }
}

impl fmt::Display for StatementOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatementOutcome::Matched => f.write_str("matched"),
            StatementOutcome::ActionNotMatched { element } if element == "NotAction" => {
                f.write_str("the action is excluded by `NotAction`")
            }
            StatementOutcome::ActionNotMatched { .. } => {
                f.write_str("the action is not in `Action`")
            }
            StatementOutcome::ResourceNotMatched { element } if element == "NotResource" => {
                f.write_str("the resource is excluded by `NotResource`")
            }
            StatementOutcome::ResourceNotMatched { .. } => {
                f.write_str("the resource is not in `Resource`")
            }
            StatementOutcome::ConditionKeyMissing { operator, key } => {
                write!(f, "`{operator}` on `{key}`: the request has no `{key}`")
            }
            StatementOutcome::ConditionNotSatisfied {
                operator,
                key,
                policy_values,
                request_values,
            } => write!(
                f,
                "`{operator}` on `{key}`: request {} against policy {}",
                list(request_values),
                list(policy_values)
            ),
            StatementOutcome::ResourceNotInGroup { resource_group } => write!(
                f,
                "the resource is not in resource group `{resource_group}`"
            ),
            StatementOutcome::RequestValueInvalid {
                operator,
                key,
                value,
            } => write!(
                f,
                "`{operator}` on `{key}`: request value `{value}` is not of the operator's type, so it satisfies nothing"
            ),
        }
    }
}

fn list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    format!("[{}]", items.join(", "))
}

/// Lines of a statement shown under the deciding statement; longer ones are cut.
const SNIPPET_LINES: usize = 16;

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} (decided by {})", self.decision, self.policy_type)?;
        for m in &self.matched {
            let (source, span) = m.source_span();
            let excerpt = render_excerpt(&m.label(), source, span, SNIPPET_LINES, Style::Plain);
            write!(f, "\n{excerpt}")?;
        }
        if let Some(note) = &self.note {
            writeln!(f, "\n{note}")?;
        } else if self.matched.is_empty() && self.decision == Verdict::ImplicitDeny {
            writeln!(f, "\nno statement allows the request")?;
        }
        let others: Vec<&LayerTrace> = self
            .trace
            .iter()
            .filter(|l| !l.statements.is_empty())
            .collect();
        if !others.is_empty() {
            writeln!(f, "\nstatements:")?;
        }
        for layer in others {
            let group = layer
                .resource_group
                .as_ref()
                .map(|g| format!(" `{g}`"))
                .unwrap_or_default();
            let consulted = if !layer.in_scope {
                ", resource not in group"
            } else if layer.consulted {
                ""
            } else {
                ", not consulted"
            };
            writeln!(
                f,
                "  {}{group} ({}{consulted})",
                layer.policy_type, layer.verdict
            )?;
            for s in &layer.statements {
                writeln!(
                    f,
                    "    {} at {}:{}: {}",
                    s.at.label(),
                    s.at.line,
                    s.at.column,
                    s.outcome
                )?;
            }
        }
        if !self.missing_context.is_empty() {
            writeln!(f, "\nmissing context: {}", self.missing_context.join(", "))?;
        }
        if !self.depends_on.is_empty() {
            writeln!(
                f,
                "the decision depends on missing keys: {} (a real call carries them; give their values)",
                self.depends_on.join(", ")
            )?;
        }
        Ok(())
    }
}
