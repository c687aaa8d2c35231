//! Properties of evaluation over random small policy sets (docs/semantics.md §4): order never matters,
//! a Deny never creates an Allow, an Allow never creates a deny, `evaluate` and `explain` agree,
//! and nothing panics. Policies are written as text and parsed, so the parser is exercised too.

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

use ramguard::request::ContextInput;
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, Request};

/// Each property runs this many cases, so that the suite stays fast.
const CASES: u32 = 256;

const ACTION_PATTERNS: &[&str] = &[
    "kvstore:RestoreInstance",
    "KVSTORE:restoreinstance",
    "kvstore:DescribeInstances",
    "kvstore:*",
    "kvstore:Restore*",
    "kvstore:?escribe*",
    "*:RestoreInstance",
    "kv*:*",
    "ecs:*",
    "r-kvstore:*",
    "*",
];

const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "acs:kvstore:*:*:instance/*",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod01",
    "acs:kvstore:*:*:instance/r-*prod*",
    "acs:kvstore:*:*:instance/r-stg0?",
    "acs:kvstore:*",
    "acs:ecs:*",
];

/// Condition entries with distinct operators, so that any subset is a valid block.
const CONDITIONS: &[&str] = &[
    r#""Bool": {"acs:MFAPresent": "true"}"#,
    r#""IpAddress": {"acs:SourceIp": "10.0.0.0/8"}"#,
    r#""NotIpAddress": {"acs:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}"#,
    r#""StringNotLike": {"acs:SourceVpc": "vpc-*"}"#,
    r#""StringEquals": {"acs:SourceVpc": "vpc-1"}"#,
    r#""StringLike": {"acs:SourceVpc": ["vpc-1*", "clas?ic"]}"#,
    r#""StringEqualsIgnoreCase": {"ACS:SOURCEVPC": "VPC-1"}"#,
    r#""ForAllValues:StringEquals": {"acs:TagKeys": ["env", "team"]}"#,
    r#""ForAnyValue:StringLike": {"acs:TagKeys": "env*"}"#,
    r#""DateLessThan": {"acs:CurrentTime": "2026-06-01T12:00:00Z"}"#,
    r#""NumericLessThan": {"kvstore:Shards": 8}"#,
];

const REQUEST_ACTIONS: &[&str] = &[
    "kvstore:RestoreInstance",
    "KVSTORE:RESTOREINSTANCE",
    "kvstore:DescribeInstances",
    "kvstore:FlushInstance",
    "ecs:DescribeInstances",
];

const REQUEST_RESOURCES: &[&str] = &[
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod01",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-stg01",
    "acs:kvstore:cn-shanghai:1234567890123456:instance/r-stg10",
    "acs:ecs:cn-hangzhou:1234567890123456:instance/i-1",
];

/// A statement, kept as parts so that it can be rendered and varied.
#[derive(Debug, Clone)]
struct StatementSpec {
    sid: Option<u8>,
    deny: bool,
    not_action: bool,
    actions: Vec<&'static str>,
    not_resource: bool,
    resources: Vec<&'static str>,
    conditions: Vec<&'static str>,
}

impl StatementSpec {
    fn render(&self) -> String {
        let list = |items: &[&str]| {
            let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
            if quoted.len() == 1 {
                quoted[0].clone()
            } else {
                format!("[{}]", quoted.join(", "))
            }
        };
        let mut members = Vec::new();
        if let Some(sid) = self.sid {
            members.push(format!(r#""Sid": "s{sid}""#));
        }
        members.push(format!(
            r#""Effect": "{}""#,
            if self.deny { "Deny" } else { "Allow" }
        ));
        members.push(format!(
            r#""{}": {}"#,
            if self.not_action {
                "NotAction"
            } else {
                "Action"
            },
            list(&self.actions)
        ));
        members.push(format!(
            r#""{}": {}"#,
            if self.not_resource {
                "NotResource"
            } else {
                "Resource"
            },
            list(&self.resources)
        ));
        if !self.conditions.is_empty() {
            members.push(format!(
                r#""Condition": {{{}}}"#,
                self.conditions.join(", ")
            ));
        }
        format!("{{{}}}", members.join(", "))
    }
}

/// A policy document: its statements in document order.
#[derive(Debug, Clone)]
struct PolicySpec(Vec<StatementSpec>);

impl PolicySpec {
    fn render(&self) -> String {
        let statements: Vec<String> = self.0.iter().map(StatementSpec::render).collect();
        format!(
            "{{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {}\n  ]\n}}",
            statements.join(",\n    ")
        )
    }
}

/// A policy set in RAM's layers.
#[derive(Debug, Clone)]
struct SetSpec {
    control: Vec<PolicySpec>,
    session: Option<PolicySpec>,
    identity: Vec<PolicySpec>,
    /// Resource groups `rg-0`, `rg-1`: identity policies attached in their scope, and the
    /// resources each holds.
    groups: Vec<GroupSpec>,
}

/// A resource group: the identity policies attached in its scope, and the resources it holds.
#[derive(Debug, Clone)]
struct GroupSpec {
    policies: Vec<PolicySpec>,
    resources: Vec<&'static str>,
}

/// The layers of a [`SetSpec`], to address one policy.
#[derive(Debug, Clone, Copy)]
enum LayerName {
    Control,
    Session,
    Identity,
    Group,
}

impl SetSpec {
    /// The set, and the name of every policy in the order it was added (as `StatementId`
    /// counts them).
    fn build(&self) -> (PolicySet, Vec<String>) {
        let mut names = Vec::new();
        let mut parse = |label: String, spec: &PolicySpec| {
            let text = spec.render();
            let policy = Policy::from_text(&label, &text).unwrap_or_else(|e| {
                panic!("generated policy `{label}` does not parse:\n{e}\n{text}")
            });
            names.push(label);
            policy
        };
        let mut builder = PolicySet::builder();
        for (i, p) in self.control.iter().enumerate() {
            builder = builder.control(parse(format!("control-{i}"), p));
        }
        if let Some(p) = &self.session {
            builder = builder.session(parse("session".into(), p));
        }
        for (i, p) in self.identity.iter().enumerate() {
            builder = builder.identity(parse(format!("identity-{i}"), p));
        }
        for (g, group) in self.groups.iter().enumerate() {
            let name = format!("rg-{g}");
            for (i, p) in group.policies.iter().enumerate() {
                let policy = parse(format!("{name}-{i}"), p);
                builder = builder.resource_group_identity(name.as_str(), policy);
            }
            builder = builder.resource_group(name, group.resources.iter().copied());
        }
        (builder.build().expect("at most one session policy"), names)
    }

    fn layer_mut(&mut self, layer: LayerName) -> Vec<&mut PolicySpec> {
        match layer {
            LayerName::Control => self.control.iter_mut().collect(),
            LayerName::Session => self.session.iter_mut().collect(),
            LayerName::Identity => self.identity.iter_mut().collect(),
            LayerName::Group => self
                .groups
                .iter_mut()
                .flat_map(|g| g.policies.iter_mut())
                .collect(),
        }
    }

    /// Adds a statement to the `which`-th policy of a layer; to a new identity policy when the
    /// layer has none (a new identity policy can only add to what the identity layer matches).
    fn add_statement(&mut self, layer: LayerName, which: usize, statement: StatementSpec) {
        let mut policies = self.layer_mut(layer);
        if policies.is_empty() {
            self.identity.push(PolicySpec(vec![statement]));
        } else {
            let n = policies.len();
            policies[which % n].0.push(statement);
        }
    }

    /// The same policies, statements and policies reordered by `seed`.
    fn shuffled(&self, seed: u64) -> SetSpec {
        let mut rng = seed | 1;
        let groups = shuffle(&self.groups, &mut rng);
        let mut shuffle_policies = |policies: &[PolicySpec]| {
            let mut policies: Vec<PolicySpec> = policies
                .iter()
                .map(|p| PolicySpec(shuffle(&p.0, &mut rng)))
                .collect();
            policies = shuffle(&policies, &mut rng);
            policies
        };
        SetSpec {
            control: shuffle_policies(&self.control),
            session: self
                .session
                .as_ref()
                .map(|p| shuffle_policies(std::slice::from_ref(p)).remove(0)),
            identity: shuffle_policies(&self.identity),
            groups: groups
                .into_iter()
                .map(|g| GroupSpec {
                    policies: shuffle_policies(&g.policies),
                    resources: g.resources,
                })
                .collect(),
        }
    }
}

/// A Fisher-Yates shuffle driven by a xorshift generator, so that a failing case shrinks to a
/// reproducible seed.
fn shuffle<T: Clone>(items: &[T], rng: &mut u64) -> Vec<T> {
    let mut items = items.to_vec();
    for i in (1..items.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        let j = (*rng % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
    items
}

fn statement(deny: Option<bool>) -> impl Strategy<Value = StatementSpec> {
    let effect = match deny {
        Some(deny) => Just(deny).boxed(),
        // Mostly Allow statements, so that allows are common enough to test.
        None => proptest::bool::weighted(0.3).boxed(),
    };
    (
        proptest::option::weighted(0.3, 0u8..3),
        effect,
        proptest::bool::weighted(0.2),
        proptest::collection::vec(select(ACTION_PATTERNS), 1..=2),
        proptest::bool::weighted(0.2),
        proptest::collection::vec(select(RESOURCE_PATTERNS), 1..=2),
        proptest::collection::vec(0..CONDITIONS.len(), 0..=2),
    )
        .prop_map(
            |(sid, deny, not_action, actions, not_resource, resources, picks)| {
                let mut conditions: Vec<&'static str> = Vec::new();
                for pick in picks {
                    if !conditions.contains(&CONDITIONS[pick]) {
                        conditions.push(CONDITIONS[pick]);
                    }
                }
                StatementSpec {
                    sid,
                    deny,
                    not_action,
                    actions,
                    not_resource,
                    resources,
                    conditions,
                }
            },
        )
}

fn policy() -> impl Strategy<Value = PolicySpec> {
    proptest::collection::vec(statement(None), 1..=3).prop_map(PolicySpec)
}

fn policy_set() -> impl Strategy<Value = SetSpec> {
    (
        // Control policies are rare, as in most accounts: they mostly deny.
        proptest::option::weighted(0.3, proptest::collection::vec(policy(), 1..=2))
            .prop_map(Option::unwrap_or_default),
        proptest::option::weighted(0.3, policy()),
        proptest::collection::vec(policy(), 0..=3),
        proptest::collection::vec(group(), 0..=2),
    )
        .prop_map(|(control, session, identity, groups)| SetSpec {
            control,
            session,
            identity,
            groups,
        })
}

fn group() -> impl Strategy<Value = GroupSpec> {
    (
        proptest::collection::vec(policy(), 1..=2),
        subsequence(REQUEST_RESOURCES, 0..=REQUEST_RESOURCES.len()),
    )
        .prop_map(|(policies, resources)| GroupSpec {
            policies,
            resources,
        })
}

/// Values a request may carry for each key the condition pool reads; `None` leaves it out.
/// Global keys get only values of their type (the request builder refuses others);
/// `kvstore:Shards` carries the wrong-type value.
fn context() -> impl Strategy<Value = Vec<(&'static str, Vec<ContextInput>)>> {
    let s = |v: &str| ContextInput::String(v.to_string());
    let mfa = select(vec![
        None,
        Some(vec![ContextInput::Bool(true)]),
        Some(vec![ContextInput::Bool(false)]),
        Some(vec![s("TRUE")]),
    ]);
    let ip = select(vec![
        None,
        Some(vec![s("10.1.2.3")]),
        Some(vec![s("203.0.113.7")]),
        Some(vec![s("2001:db8::5")]),
        Some(vec![s("::ffff:10.0.0.1")]),
    ]);
    let vpc = select(vec![
        None,
        Some(vec![s("vpc-1")]),
        Some(vec![s("VPC-1")]),
        Some(vec![s("classic")]),
    ]);
    let tags = select(vec![
        None,
        Some(vec![]),
        Some(vec![s("env")]),
        Some(vec![s("env"), s("team")]),
        Some(vec![s("env"), s("cost")]),
    ]);
    let time = select(vec![
        None,
        Some(vec![s("2026-06-01T11:59:59.999Z")]),
        Some(vec![s("2026-06-01T20:00:00+08:00")]),
    ]);
    let shards = select(vec![
        None,
        Some(vec![ContextInput::Number("4".into())]),
        Some(vec![ContextInput::Number("8.0".into())]),
        Some(vec![s("many")]),
    ]);
    (mfa, ip, vpc, tags, time, shards).prop_map(|(mfa, ip, vpc, tags, time, shards)| {
        [
            ("acs:MFAPresent", mfa),
            ("acs:SourceIp", ip),
            ("acs:SourceVpc", vpc),
            ("acs:TagKeys", tags),
            ("acs:CurrentTime", time),
            ("kvstore:Shards", shards),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    })
}

/// A request of `action` on `resource` with `context`, at the corpus's time.
fn build_request(
    action: &str,
    resource: &str,
    context: &[(&'static str, Vec<ContextInput>)],
) -> Request {
    let now = Timestamp::parse_rfc3339("2026-06-01T12:00:00Z").expect("a valid instant");
    let mut builder = Request::builder(action, resource).at(now);
    for (key, values) in context {
        builder = builder.context(*key, values.clone());
    }
    builder.build().expect("generated requests are valid")
}

fn request() -> impl Strategy<Value = Request> {
    (
        select(REQUEST_ACTIONS),
        select(REQUEST_RESOURCES),
        context(),
    )
        .prop_map(|(action, resource, context)| build_request(action, resource, &context))
}

fn layer() -> impl Strategy<Value = LayerName> {
    select(vec![
        LayerName::Control,
        LayerName::Session,
        LayerName::Identity,
        LayerName::Group,
    ])
}

fn decision(set: &SetSpec, request: &Request) -> (ramguard::Verdict, ramguard::PolicyType) {
    let decision = set.build().0.evaluate(request);
    (decision.verdict, decision.policy_type)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn statement_and_policy_order_never_change_the_decision(
        set in policy_set(),
        request in request(),
        seed in any::<u64>(),
    ) {
        let shuffled = set.shuffled(seed);
        prop_assert_eq!(decision(&set, &request), decision(&shuffled, &request));
    }

    #[test]
    fn adding_a_deny_never_turns_a_deny_into_allow(
        set in policy_set(),
        request in request(),
        layer in layer(),
        which in any::<usize>(),
        deny in statement(Some(true)),
    ) {
        let before = decision(&set, &request);
        let mut more = set.clone();
        more.add_statement(layer, which, deny);
        let after = decision(&more, &request);
        prop_assert!(before.0.is_allowed() || !after.0.is_allowed(), "{before:?} became {after:?}");
    }

    #[test]
    fn adding_an_allow_never_turns_an_allow_into_a_deny(
        set in policy_set(),
        request in request(),
        layer in layer(),
        which in any::<usize>(),
        allow in statement(Some(false)),
    ) {
        let before = decision(&set, &request);
        let mut more = set.clone();
        more.add_statement(layer, which, allow);
        let after = decision(&more, &request);
        prop_assert!(!before.0.is_allowed() || after.0.is_allowed(), "{before:?} became {after:?}");
    }

    #[test]
    fn evaluate_and_explain_agree(set in policy_set(), request in request()) {
        let (policies, names) = set.build();
        let decision = policies.evaluate(&request);
        let explanation = policies.explain(&request);
        prop_assert_eq!(explanation.decision, decision.verdict);
        prop_assert_eq!(explanation.policy_type, decision.policy_type);
        match decision.deciding {
            None => {
                prop_assert_eq!(decision.verdict, ramguard::Verdict::ImplicitDeny);
                prop_assert!(explanation.matched.is_empty());
            }
            Some(id) => {
                let name = &names[id.policy];
                prop_assert!(
                    explanation
                        .matched
                        .iter()
                        .any(|m| &m.policy == name && m.statement == id.statement),
                    "{name} statement {} is not among {:?}",
                    id.statement,
                    explanation.matched
                );
            }
        }
        let traced: usize = explanation.trace.iter().map(|l| l.statements.len()).sum();
        let written: usize = set
            .control
            .iter()
            .chain(&set.session)
            .chain(&set.identity)
            .chain(set.groups.iter().flat_map(|g| &g.policies))
            .map(|p| p.0.len())
            .sum();
        prop_assert_eq!(traced, written, "every statement of every layer is traced");
        // The keys the trace says were missing, without the trace.
        prop_assert_eq!(policies.missing_context(&request), explanation.missing_context);
    }

    /// When `depends_on` is empty, no values of the missing keys change whether the request is
    /// allowed: the keys a decision does not list can never overturn it.
    #[test]
    fn a_decision_that_depends_on_no_missing_key_holds_whatever_they_are(
        set in policy_set(),
        action in select(REQUEST_ACTIONS),
        resource in select(REQUEST_RESOURCES),
        given in context(),
        completion in context(),
    ) {
        let (policies, _) = set.build();
        let request = build_request(action, resource, &given);
        if policies.depends_on(&request).is_empty() {
            let mut completed = given.clone();
            // `acs:CurrentTime` is never missing: the builder sets the clock's time.
            for (key, values) in completion {
                if key != "acs:CurrentTime" && !given.iter().any(|(k, _)| *k == key) {
                    completed.push((key, values));
                }
            }
            let other = build_request(action, resource, &completed);
            prop_assert_eq!(
                policies.evaluate(&request).is_allowed(),
                policies.evaluate(&other).is_allowed(),
                "depends on nothing, yet {:?} changed it", completed
            );
        }
    }

    /// A resource pattern decides through the whole engine exactly as a reference matcher
    /// (docs/semantics.md §2: `*` any run including `:` and `/`, `?` one character, no escape). The
    /// pattern is the resource itself with random edits, so that matches and near misses are
    /// both common.
    #[test]
    fn resource_patterns_match_as_the_reference_matcher(
        relative in "[ab:/é]{1,8}",
        edits in proptest::collection::vec(0u8..20, 0..40),
    ) {
        let resource = format!("acs:kvstore:cn-hangzhou:1:{relative}");
        let pattern = format!("acs:{}", edit(&resource["acs:".len()..], &edits));
        let text = format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "{pattern}"}}]}}"#
        );
        let policy = Policy::from_text("p", &text).expect("a valid policy");
        let set = PolicySet::builder().identity(policy).build().expect("a valid set");
        let request = Request::builder("kvstore:RestoreInstance", resource.as_str())
            .build()
            .expect("a valid request");
        prop_assert_eq!(
            set.evaluate(&request).is_allowed(),
            reference_match(&pattern.chars().collect::<Vec<_>>(), &resource.chars().collect::<Vec<_>>()),
            "pattern `{}` against `{}`", pattern, resource
        );
    }

    /// Mangled documents are refused or accepted, never a panic; evaluation of whatever
    /// parses never panics either.
    #[test]
    fn mangled_documents_never_panic(
        set in policy_set(),
        request in request(),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), "[\\[\\]{}\",:*?a\\\\]{0,3}"), 1..4),
    ) {
        let mut text = set.identity.first().map_or_else(
            || PolicySpec(Vec::new()).render(),
            PolicySpec::render,
        );
        for (at, insert) in cuts {
            let chars: Vec<char> = text.chars().collect();
            let i = at.index(chars.len() + 1);
            let end = (i + 2).min(chars.len());
            text = chars[..i].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(&chars[end..]).collect();
        }
        if let Ok(policy) = Policy::from_text("mangled", &text) {
            let set = PolicySet::builder().identity(policy).build().expect("a valid set");
            let decision = set.evaluate(&request);
            let explanation = set.explain(&request);
            prop_assert_eq!(explanation.decision, decision.verdict);
            let _ = explanation.to_string();
        }
    }
}

/// `text` with one edit per character, chosen by `edits` (missing ones keep the character):
/// mostly kept, else replaced by `?` or `*`, a run swallowed by `*`, a wildcard or a wrong
/// character inserted, or the character dropped.
fn edit(text: &str, edits: &[u8]) -> String {
    let mut out = String::new();
    let mut skip = 0;
    for (i, c) in text.chars().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match edits.get(i).copied().unwrap_or(0) {
            0..=10 => out.push(c),
            11 | 12 => out.push('?'),
            13 => out.push('*'),
            14 => {
                out.push('*');
                skip = 3;
            }
            15 => {
                out.push('?');
                out.push(c);
            }
            16 => {
                out.push('*');
                out.push(c);
            }
            17 => out.push('x'),
            18 => {}
            _ => {
                out.push(c);
                out.push('?');
            }
        }
    }
    out
}

/// The obvious exponential reference: `*` tries every split, `?` takes one character.
fn reference_match(pattern: &[char], input: &[char]) -> bool {
    match pattern.split_first() {
        None => input.is_empty(),
        Some(('*', rest)) => (0..=input.len()).any(|i| reference_match(rest, &input[i..])),
        Some(('?', rest)) => !input.is_empty() && reference_match(rest, &input[1..]),
        Some((c, rest)) => input.first() == Some(c) && reference_match(rest, &input[1..]),
    }
}
