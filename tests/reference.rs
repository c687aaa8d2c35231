//! An independent reference evaluator, differential-tested against the engine.
//!
//! `tests/reference/model.rs` is a second, naive implementation of docs/semantics.md (§2
//! matching, §3 conditions, §4 layers, and which requests are refused), written from that
//! document alone. It shares no code with ramguard: its policies are plain Rust data that it
//! evaluates itself, statement by statement, with a dynamic-programming wildcard matcher and
//! hand-written number, date, boolean and address parsers (std only), and no compilation, index
//! or caching. The data is rendered to JSON text, which the engine parses
//! (`Policy::from_text`), compiles and indexes as it would a file, so the two share nothing but
//! the text of the policy and the request's values. The model being independent is the point:
//! a rule misread once in `src/` cannot be misread the same way here, and the engine's
//! narrowing (statement index, tries, Shift-And) is checked against a reading that has none.
//! ramguard is used only through the public API that builds inputs and reads the answer:
//! `Policy::from_text`, `PolicySet::builder()`, `Request::builder(..).context(..).absent(..)
//! .at(..).build()` and `PolicySet::evaluate` → `Decision { verdict, policy_type, deciding }`.
//!
//! `tests/reference/generate.rs` draws policy sets (control, session, account-scope and
//! resource-group identity policies, a principal or none) and requests from small alphabets, so
//! that actions, resources, condition keys and values actually meet: they match, miss, differ
//! only in letter case, are junk to an operator, are missing, empty or multi-valued. Each case
//! also has one long instance id (up to 150 characters) with resource and `StringLike` patterns
//! derived from it, `?` and `*` anywhere, so wildcard segments of every length meet text they
//! match and text one character off. For every request the verdict and the deciding layer must
//! agree, and the statement the engine names as deciding must be one the model says matches,
//! with that effect, in that layer. Where the model says the request is invalid (a malformed
//! action or resource, a typed global key with a value of another type, a key declared absent
//! that RAM always knows), the engine must refuse to build it.
//!
//! The examples pin the trickiest rules with exact decisions, so the model itself is checked
//! against the document, not just against the engine. The two discrepancies this test found
//! (how letter case folds, and whether `acs:SourceVpcIp` is typed) were settled in the document
//! in the engine's favour, and are pinned by the last two examples.
//!
//! `PROPTEST_CASES` sets the number of generated policy sets (each asked up to eight requests).
//! The default keeps `cargo test --test reference` around 20 s in a debug build; for a long run,
//! `PROPTEST_CASES=200000 cargo test --release --test reference`.

#[path = "reference/generate.rs"]
mod generate;
#[path = "reference/model.rs"]
mod model;

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, FileFailurePersistence, RngAlgorithm, TestRng, TestRunner};

use ramguard::eval::StatementId;
use ramguard::request::{ContextInput, RequestError};
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};

use model::{
    ConditionOp, Effect, Family, Group, Layer, List, NOW, PValue, PolicyDoc, RValue, RequestModel,
    SetModel, Statement,
};

/// Policy sets per run unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 2000;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

// ---------------------------------------------------------------------------------------------
// The engine, through its public API
// ---------------------------------------------------------------------------------------------

fn engine_policy(name: &str, doc: &PolicyDoc) -> Policy {
    let text = doc.render();
    match Policy::from_text(name, &text) {
        Ok(p) => p,
        Err(e) => panic!("the engine refused a generated policy:\n{text}\n{e:?}"),
    }
}

fn engine_set(set: &SetModel) -> PolicySet {
    let mut builder = PolicySet::builder();
    for (i, p) in set.control.iter().enumerate() {
        builder = builder.control(engine_policy(&format!("control-{i}"), p));
    }
    if let Some(p) = &set.session {
        builder = builder.session(engine_policy("session", p));
    }
    for (i, p) in set.identity.iter().enumerate() {
        builder = builder.identity(engine_policy(&format!("identity-{i}"), p));
    }
    for g in &set.groups {
        for (i, p) in g.policies.iter().enumerate() {
            builder = builder.resource_group_identity(
                g.name.clone(),
                engine_policy(&format!("{}-{i}", g.name), p),
            );
        }
        if let Some(resources) = &g.resources {
            builder = builder.resource_group(g.name.clone(), resources.clone());
        }
    }
    if let Some(account) = &set.principal_account {
        builder = builder.principal(ramguard::eval::Principal {
            principal_type: "SubUser".into(),
            display_name: "alice".into(),
            owner_id: account.clone(),
        });
    }
    builder.build().expect("one session policy at most")
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339(NOW).expect("NOW is a time")
}

fn engine_request(r: &RequestModel) -> Result<Request, RequestError> {
    let mut builder = Request::builder(r.action.clone(), r.resource.clone()).at(now());
    for (key, values) in &r.context {
        let inputs: Vec<ContextInput> = values
            .iter()
            .map(|v| match v {
                RValue::Str(s) => ContextInput::String(s.clone()),
                RValue::Bool(b) => ContextInput::Bool(*b),
                RValue::Num(n) => ContextInput::Number(n.clone()),
            })
            .collect();
        builder = builder.context(key.clone(), inputs);
    }
    for key in &r.absent {
        builder = builder.absent(key.clone());
    }
    builder.build()
}

fn verdict(v: Verdict) -> model::Verdict {
    match v {
        Verdict::Allow => model::Verdict::Allow,
        Verdict::ExplicitDeny => model::Verdict::ExplicitDeny,
        Verdict::ImplicitDeny => model::Verdict::ImplicitDeny,
    }
}

fn layer(t: PolicyType) -> Layer {
    match t {
        PolicyType::ControlPolicy => Layer::Control,
        PolicyType::SessionPolicy => Layer::Session,
        PolicyType::AccountLevelIdentityBasedPolicy => Layer::AccountIdentity,
        PolicyType::ResourceGroupLevelIdentityBasedPolicy => Layer::ResourceGroupIdentity,
        other => panic!("a policy type the model does not know: {other:?}"),
    }
}

/// The engine's answer: the decision, or the reason it refused the request.
fn engine_decide(
    set: &PolicySet,
    r: &RequestModel,
) -> Result<(model::Verdict, Layer), RequestError> {
    let request = engine_request(r)?;
    let d = set.evaluate(&request);
    Ok((verdict(d.verdict), layer(d.policy_type)))
}

/// The set's policies in the order `engine_set` adds them (`StatementId::policy`), each with
/// its layer and, for a resource group's, the group.
fn policies_in_order(set: &SetModel) -> Vec<(&PolicyDoc, Layer, Option<&Group>)> {
    let mut out: Vec<(&PolicyDoc, Layer, Option<&Group>)> = Vec::new();
    out.extend(set.control.iter().map(|p| (p, Layer::Control, None)));
    out.extend(set.session.iter().map(|p| (p, Layer::Session, None)));
    out.extend(
        set.identity
            .iter()
            .map(|p| (p, Layer::AccountIdentity, None)),
    );
    for g in &set.groups {
        out.extend(
            g.policies
                .iter()
                .map(|p| (p, Layer::ResourceGroupIdentity, Some(g))),
        );
    }
    out
}

/// The statement the engine names as deciding must be one the model says matches, with the
/// verdict's effect, in the deciding layer (for a resource group, one holding the resource);
/// an implicit deny names none.
fn check_deciding(
    set: &SetModel,
    r: &RequestModel,
    decided: (model::Verdict, Layer),
    deciding: Option<StatementId>,
) -> Result<(), String> {
    let id = match (decided.0, deciding) {
        (model::Verdict::ImplicitDeny, None) => return Ok(()),
        (model::Verdict::ImplicitDeny, Some(id)) => {
            return Err(format!(
                "an implicit deny names a deciding statement {id:?}"
            ));
        }
        (_, None) => return Err("no deciding statement".into()),
        (_, Some(id)) => id,
    };
    let policies = policies_in_order(set);
    let Some((doc, layer, group)) = policies.get(id.policy) else {
        return Err(format!("{id:?} names no policy"));
    };
    let Some(statement) = doc.statements.get(id.statement) else {
        return Err(format!("{id:?} names no statement"));
    };
    let effect = if decided.0 == model::Verdict::Allow {
        Effect::Allow
    } else {
        Effect::Deny
    };
    let holds = group.is_none_or(|g| g.resources.iter().flatten().any(|x| *x == r.resource));
    if statement.effect != effect || *layer != decided.1 || !holds || !model::applies(statement, r)
    {
        return Err(format!(
            "the deciding statement {id:?} ({layer:?}, {:?}) does not decide {decided:?}",
            statement.effect
        ));
    }
    Ok(())
}

fn describe(set: &SetModel, r: &RequestModel) -> String {
    let mut out = String::new();
    let add = |out: &mut String, label: String, doc: &PolicyDoc| {
        out.push_str(&format!("{label}:\n{}\n", doc.render()));
    };
    for (i, p) in set.control.iter().enumerate() {
        add(&mut out, format!("control-{i}"), p);
    }
    if let Some(p) = &set.session {
        add(&mut out, "session".into(), p);
    }
    for (i, p) in set.identity.iter().enumerate() {
        add(&mut out, format!("identity-{i}"), p);
    }
    for g in &set.groups {
        for (i, p) in g.policies.iter().enumerate() {
            add(
                &mut out,
                format!("{}-{i} (holds {:?})", g.name, g.resources),
                p,
            );
        }
        if g.policies.is_empty() {
            out.push_str(&format!(
                "{} holds {:?}, no policies\n",
                g.name, g.resources
            ));
        }
    }
    out.push_str(&format!(
        "principal account: {:?}\nrequest: {} on {}\n",
        set.principal_account, r.action, r.resource
    ));
    for (key, values) in &r.context {
        out.push_str(&format!("  {key}: {values:?}\n"));
    }
    for key in &r.absent {
        out.push_str(&format!("  {key}: declared absent\n"));
    }
    out
}

/// Model and engine agree on one request: the same decision, or both refuse it.
fn agree(set: &SetModel, engine: &PolicySet, r: &RequestModel) -> Result<(), String> {
    let actual = engine_request(r).map(|request| engine.evaluate(&request));
    match (r.invalid(), actual) {
        (Some(_), Err(_)) => Ok(()),
        (Some(why), Ok(d)) => Err(format!(
            "the model refuses the request ({why}), the engine decided {d:?}\n{}",
            describe(set, r)
        )),
        (None, Err(e)) => Err(format!(
            "the engine refused the request: {e}\n{}",
            describe(set, r)
        )),
        (None, Ok(decision)) => {
            let expected = set.decide(r);
            let actual = (verdict(decision.verdict), layer(decision.policy_type));
            if expected == actual {
                check_deciding(set, r, actual, decision.deciding)
                    .map_err(|e| format!("{e}\n{}", describe(set, r)))
            } else {
                Err(format!(
                    "model {expected:?}, engine {actual:?}\n{}",
                    describe(set, r)
                ))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The differential property
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/reference/proptest-regressions.txt",
        ))),
        ..Config::default()
    })]

    #[test]
    fn engine_agrees_with_the_reference_model((set, requests) in generate::case()) {
        let engine = engine_set(&set);
        for r in &requests {
            if let Err(message) = agree(&set, &engine, r) {
                prop_assert!(false, "{}", message);
            }
        }
    }
}

/// The generator reaches every outcome: each verdict from each layer it can come from, each
/// operator family both holding and failing, junk values, multi-valued and missing keys, and
/// refused requests. Checked over the model alone, with a fixed seed, so it is quick and stable.
#[test]
fn generator_covers_the_semantics() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = generate::case();
    let mut decisions: BTreeMap<(model::Verdict, Layer), u32> = BTreeMap::new();
    let mut entries: BTreeMap<(Family, bool), u32> = BTreeMap::new();
    let mut qualifiers: BTreeMap<(String, bool), u32> = BTreeMap::new();
    let (mut invalid, mut junk, mut multi, mut empty, mut total) = (0, 0, 0, 0, 0);
    let mut long = 0;
    let mut at_limit: BTreeMap<bool, u32> = BTreeMap::new();
    let mut long_matches: BTreeMap<bool, u32> = BTreeMap::new();
    for _ in 0..500 {
        let (set, requests) = strategy.new_tree(&mut runner).expect("a case").current();
        for r in &requests {
            total += 1;
            if r.resource.len() >= 8192 {
                *at_limit.entry(r.invalid().is_none()).or_default() += 1;
            }
            if r.invalid().is_some() {
                invalid += 1;
                continue;
            }
            *decisions.entry(set.decide(r)).or_default() += 1;
            if r.resource.len() > 70 {
                long += 1;
                let patterns = set
                    .identity
                    .iter()
                    .chain(&set.control)
                    .flat_map(|p| &p.statements)
                    .flat_map(|s| &s.resources.items)
                    .filter(|p| p.len() > 70 && p.contains(['?', '*']));
                for p in patterns {
                    *long_matches
                        .entry(model::resource_matches(p, &r.resource))
                        .or_default() += 1;
                }
            }
            for (_, values) in &r.context {
                multi += u32::from(values.len() > 1);
                empty += u32::from(values.is_empty());
            }
            let statements = set
                .control
                .iter()
                .chain(&set.session)
                .chain(&set.identity)
                .chain(set.groups.iter().flat_map(|g| &g.policies))
                .flat_map(|p| &p.statements);
            for s in statements {
                for op in &s.condition {
                    for (key, values) in &op.entries {
                        let (family, holds, saw_junk) = model::entry_outcome(op, key, values, r);
                        *entries.entry((family, holds)).or_default() += 1;
                        junk += u32::from(saw_junk);
                        let qualifier = op.operator.split(':').next().unwrap_or_default();
                        let qualifier = if op.operator.contains(':') {
                            qualifier
                        } else {
                            "none"
                        };
                        *qualifiers
                            .entry((qualifier.to_string(), holds))
                            .or_default() += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{total} requests, {invalid} refused, {multi} multi-valued keys, {empty} empty lists, {junk} entries seeing junk"
    );
    eprintln!("decisions: {decisions:?}");
    eprintln!(
        "{long} requests on long ARNs; long wildcard patterns matching them: {long_matches:?}"
    );
    eprintln!("condition entries: {entries:?}");
    eprintln!("qualifiers: {qualifiers:?}");
    use Layer::*;
    use model::Verdict::*;
    for outcome in [
        (ExplicitDeny, Control),
        (ImplicitDeny, Control),
        (ExplicitDeny, Session),
        (ImplicitDeny, Session),
        (Allow, AccountIdentity),
        (ExplicitDeny, AccountIdentity),
        (ImplicitDeny, AccountIdentity),
        (Allow, ResourceGroupIdentity),
        (ExplicitDeny, ResourceGroupIdentity),
        (ImplicitDeny, ResourceGroupIdentity),
    ] {
        let n = decisions.get(&outcome).copied().unwrap_or(0);
        assert!(n >= 5, "{outcome:?} reached only {n} times");
    }
    for family in [
        Family::String,
        Family::Numeric,
        Family::Date,
        Family::Bool,
        Family::Ip,
    ] {
        for holds in [true, false] {
            let n = entries.get(&(family, holds)).copied().unwrap_or(0);
            assert!(n >= 50, "{family:?} entries holding={holds}: only {n}");
        }
    }
    for q in ["none", "ForAnyValue", "ForAllValues"] {
        for holds in [true, false] {
            let n = qualifiers
                .get(&(q.to_string(), holds))
                .copied()
                .unwrap_or(0);
            assert!(n >= 50, "{q} entries holding={holds}: only {n}");
        }
    }
    assert!(
        invalid * 50 > total && invalid * 4 < total,
        "{invalid} of {total} refused"
    );
    assert!(junk > 200 && multi > 200 && empty > 100);
    eprintln!("resources at the length limit (valid?): {at_limit:?}");
    assert!(at_limit.len() == 2, "{at_limit:?}");
}

// ---------------------------------------------------------------------------------------------
// Examples: exact decisions that pin docs/semantics.md, for the model and the engine alike
// ---------------------------------------------------------------------------------------------

const PROD: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod";
const RESTORE: &str = "kvstore:RestoreInstance";

fn names<T: Clone>(items: &[T]) -> List<T> {
    List {
        items: items.to_vec(),
        scalar: false,
    }
}

fn strings(items: &[&str]) -> List<String> {
    List {
        items: items.iter().map(|s| s.to_string()).collect(),
        scalar: true,
    }
}

fn s(v: &str) -> PValue {
    PValue::Str(v.into())
}

fn stmt(effect: Effect, actions: &[&str], resources: &[&str]) -> Statement {
    Statement {
        sid: None,
        effect,
        not_action: false,
        actions: strings(actions),
        not_resource: false,
        resources: strings(resources),
        condition: Vec::new(),
    }
}

fn when(mut s: Statement, operator: &str, key: &str, values: &[PValue]) -> Statement {
    s.condition.push(ConditionOp {
        operator: operator.into(),
        entries: vec![(key.into(), names(values))],
    });
    s
}

fn doc(statements: Vec<Statement>) -> PolicyDoc {
    PolicyDoc {
        statements,
        bare: false,
    }
}

fn identity(statements: Vec<Statement>) -> SetModel {
    SetModel {
        control: Vec::new(),
        session: None,
        identity: vec![doc(statements)],
        groups: Vec::new(),
        principal_account: None,
    }
}

fn req(action: &str, resource: &str, context: &[(&str, Vec<RValue>)]) -> RequestModel {
    RequestModel {
        action: action.into(),
        resource: resource.into(),
        context: context
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        absent: Vec::new(),
    }
}

fn rs(values: &[&str]) -> Vec<RValue> {
    values.iter().map(|v| RValue::Str(v.to_string())).collect()
}

/// Both the model and the engine give `expected` (verdict, layer).
#[track_caller]
fn expect(set: &SetModel, r: &RequestModel, expected: (model::Verdict, Layer)) {
    assert_eq!(set.decide(r), expected, "model\n{}", describe(set, r));
    let engine = engine_set(set);
    let actual = engine_decide(&engine, r).expect("a valid request");
    assert_eq!(actual, expected, "engine\n{}", describe(set, r));
}

use model::Verdict::{Allow, ExplicitDeny, ImplicitDeny};
const ACCOUNT: Layer = Layer::AccountIdentity;

#[test]
fn the_default_time_is_now() {
    let r = engine_request(&req(RESTORE, PROD, &[])).unwrap();
    assert_eq!(r.context().get("acs:CurrentTime")[0].text(), NOW);
}

#[test]
fn actions_ignore_case_resources_do_not() {
    let set = identity(vec![stmt(
        Effect::Allow,
        &["KVSTORE:restore?NSTANCE"],
        &[PROD],
    )]);
    expect(
        &set,
        &req("kvstore:RestoreInstance", PROD, &[]),
        (Allow, ACCOUNT),
    );
    let upper = "acs:kvstore:cn-hangzhou:1234567890123456:instance/R-PROD";
    expect(&set, &req(RESTORE, upper, &[]), (ImplicitDeny, ACCOUNT));
    // The RAM code is kvstore: r-kvstore patterns match no kvstore action.
    let set = identity(vec![stmt(Effect::Allow, &["r-kvstore:*"], &["*"])]);
    expect(&set, &req(RESTORE, PROD, &[]), (ImplicitDeny, ACCOUNT));
}

#[test]
fn a_star_crosses_colons_and_the_resource_star_is_a_string() {
    // A partial ARN: `*` covers `cn-hangzhou:1234567890123456`.
    let set = identity(vec![stmt(
        Effect::Allow,
        &[RESTORE],
        &["acs:kvstore:*:instance/r-prod"],
    )]);
    expect(&set, &req(RESTORE, PROD, &[]), (Allow, ACCOUNT));
    // `acs:*` does not match the request resource `*`; `*` does; NotResource `acs:*` does.
    let set = identity(vec![stmt(Effect::Allow, &["kvstore:*"], &["acs:*"])]);
    expect(
        &set,
        &req("kvstore:DescribeRegions", "*", &[]),
        (ImplicitDeny, ACCOUNT),
    );
    let mut not = stmt(Effect::Allow, &["kvstore:*"], &["acs:*"]);
    not.not_resource = true;
    expect(
        &identity(vec![not]),
        &req("kvstore:DescribeRegions", "*", &[]),
        (Allow, ACCOUNT),
    );
    // NotAction matches an action none of its patterns match.
    let mut not = stmt(Effect::Deny, &["kvstore:Describe*"], &["*"]);
    not.not_action = true;
    let set = identity(vec![not, stmt(Effect::Allow, &["*"], &["*"])]);
    expect(&set, &req(RESTORE, PROD, &[]), (ExplicitDeny, ACCOUNT));
    expect(
        &set,
        &req("kvstore:DescribeInstances", PROD, &[]),
        (Allow, ACCOUNT),
    );
}

#[test]
fn a_missing_key_fails_a_condition_except_a_bare_negated_one() {
    let deny = |op: &str| {
        identity(vec![
            stmt(Effect::Allow, &["*"], &["*"]),
            when(
                stmt(Effect::Deny, &[RESTORE], &["*"]),
                op,
                "acs:SourceVpc",
                &[s("vpc-*")],
            ),
        ])
    };
    let r = req(RESTORE, PROD, &[]);
    expect(&deny("StringNotLike"), &r, (ExplicitDeny, ACCOUNT));
    expect(&deny("StringLike"), &r, (Allow, ACCOUNT));
    expect(&deny("ForAnyValue:StringNotLike"), &r, (Allow, ACCOUNT));
    expect(
        &deny("ForAllValues:StringLike"),
        &r,
        (ExplicitDeny, ACCOUNT),
    );
    // An empty list is a missing key.
    let empty = req(RESTORE, PROD, &[("ACS:SOURCEVPC", vec![])]);
    expect(&deny("StringNotLike"), &empty, (ExplicitDeny, ACCOUNT));
    expect(
        &deny("ForAllValues:StringNotLike"),
        &empty,
        (ExplicitDeny, ACCOUNT),
    );
    // A value from a VPC: keys compare ignoring case.
    let vpc = req(RESTORE, PROD, &[("ACS:sourcevpc", rs(&["vpc-1"]))]);
    expect(&deny("StringNotLike"), &vpc, (Allow, ACCOUNT));
    // Several values without a qualifier: any value; negated: any value matching none.
    let two = req(
        RESTORE,
        PROD,
        &[("acs:SourceVpc", rs(&["vpc-1", "classic"]))],
    );
    expect(&deny("StringNotLike"), &two, (ExplicitDeny, ACCOUNT));
    expect(&deny("ForAllValues:StringLike"), &two, (Allow, ACCOUNT));
}

#[test]
fn junk_satisfies_nothing() {
    let allow = |op: &str, values: &[&str]| {
        identity(vec![when(
            stmt(Effect::Allow, &[RESTORE], &["*"]),
            op,
            "kvstore:ClientIp",
            &values.iter().map(|v| s(v)).collect::<Vec<_>>(),
        )])
    };
    let mixed = req(
        RESTORE,
        PROD,
        &[("kvstore:ClientIp", rs(&["10.9.1.1", "junk"]))],
    );
    let junk = req(RESTORE, PROD, &[("kvstore:ClientIp", rs(&["junk"]))]);
    expect(
        &allow("IpAddress", &["10.9.0.0/16"]),
        &mixed,
        (Allow, ACCOUNT),
    );
    expect(
        &allow("ForAllValues:IpAddress", &["10.9.0.0/16"]),
        &mixed,
        (ImplicitDeny, ACCOUNT),
    );
    expect(
        &allow("NotIpAddress", &["10.9.0.0/16"]),
        &junk,
        (ImplicitDeny, ACCOUNT),
    );
    // The negated operator holds for the junk-free value matching none.
    let outside = req(
        RESTORE,
        PROD,
        &[("kvstore:ClientIp", rs(&["junk", "10.8.0.1"]))],
    );
    expect(
        &allow("NotIpAddress", &["10.9.0.0/16"]),
        &outside,
        (Allow, ACCOUNT),
    );
    // A CIDR is no address in a request; host bits in a policy network are cleared.
    let cidr = req(RESTORE, PROD, &[("kvstore:ClientIp", rs(&["10.9.0.0/16"]))]);
    expect(
        &allow("IpAddress", &["10.9.0.0/16"]),
        &cidr,
        (ImplicitDeny, ACCOUNT),
    );
    let far = req(RESTORE, PROD, &[("kvstore:ClientIp", rs(&["10.200.0.1"]))]);
    expect(&allow("IpAddress", &["10.1.2.3/8"]), &far, (Allow, ACCOUNT));
    // An IPv4-mapped IPv6 address is not in an IPv4 network.
    let mapped = req(
        RESTORE,
        PROD,
        &[("kvstore:ClientIp", rs(&["::ffff:10.0.0.1"]))],
    );
    expect(
        &allow("IpAddress", &["10.0.0.0/8"]),
        &mapped,
        (ImplicitDeny, ACCOUNT),
    );
    // A typed global key with a value of another type is refused, not evaluated.
    let refused = req(RESTORE, PROD, &[("acs:MFAPresent", rs(&["yes"]))]);
    assert!(refused.invalid().is_some());
    assert!(engine_request(&refused).is_err());
    let refused = req(RESTORE, PROD, &[("acs:SourceIp", rs(&["10.0.0.0/8"]))]);
    assert!(refused.invalid().is_some());
    assert!(engine_request(&refused).is_err());
}

#[test]
fn numbers_and_dates_compare_exactly() {
    let allow = |op: &str, key: &str, value: PValue| {
        identity(vec![when(
            stmt(Effect::Allow, &[RESTORE], &["*"]),
            op,
            key,
            &[value],
        )])
    };
    let capacity = |v: RValue| req(RESTORE, PROD, &[("kvstore:Capacity", vec![v])]);
    let num = |n: &str| PValue::Num(n.into());
    let tenth = allow("NumericEquals", "kvstore:Capacity", num("0.1"));
    expect(
        &tenth,
        &capacity(RValue::Str("1E-1".into())),
        (Allow, ACCOUNT),
    );
    expect(
        &tenth,
        &capacity(RValue::Str("0.10000000000000000001".into())),
        (ImplicitDeny, ACCOUNT),
    );
    let ten = allow("NumericGreaterThanEquals", "kvstore:Capacity", s("+1e1"));
    expect(&ten, &capacity(RValue::Num("10".into())), (Allow, ACCOUNT));
    expect(
        &ten,
        &capacity(RValue::Num("9.99999999999999999999".into())),
        (ImplicitDeny, ACCOUNT),
    );
    // A boolean is no number; a number's text is no boolean.
    expect(&ten, &capacity(RValue::Bool(true)), (ImplicitDeny, ACCOUNT));
    // Exponents beyond ±(2⁶³−2) are junk in a request.
    let huge = allow("NumericGreaterThan", "kvstore:Capacity", num("0"));
    expect(
        &huge,
        &capacity(RValue::Str("1e9223372036854775806".into())),
        (Allow, ACCOUNT),
    );
    expect(
        &huge,
        &capacity(RValue::Str("1e9223372036854775807".into())),
        (ImplicitDeny, ACCOUNT),
    );
    // The default time is NOW; offsets and fractions compare as instants.
    let at = allow(
        "DateEquals",
        "acs:CurrentTime",
        s("2026-01-01T08:00:00+08:00"),
    );
    expect(&at, &req(RESTORE, PROD, &[]), (Allow, ACCOUNT));
    expect(
        &at,
        &req(RESTORE, PROD, &[("acs:CurrentTime", vec![])]),
        (Allow, ACCOUNT),
    );
    let before = allow(
        "DateLessThan",
        "kvstore:BackupTime",
        s("2026-06-01T00:00:00.5Z"),
    );
    let backup = |v: &str| req(RESTORE, PROD, &[("kvstore:BackupTime", rs(&[v]))]);
    expect(
        &before,
        &backup("2026-06-01T00:00:00.49999999999999999999Z"),
        (Allow, ACCOUNT),
    );
    expect(
        &before,
        &backup("2026-06-01t00:00:00.500z"),
        (ImplicitDeny, ACCOUNT),
    );
    expect(
        &before,
        &backup("2026-01-01T00:00:00"),
        (ImplicitDeny, ACCOUNT),
    );
}

#[test]
fn strings_read_booleans_and_numbers_as_text() {
    let deny = identity(vec![
        stmt(Effect::Allow, &["*"], &["*"]),
        when(
            stmt(Effect::Deny, &["*"], &["*"]),
            "StringEquals",
            "acs:SecureTransport",
            &[s("false")],
        ),
    ]);
    let plain = req(
        RESTORE,
        PROD,
        &[("acs:SecureTransport", vec![RValue::Bool(false)])],
    );
    expect(&deny, &plain, (ExplicitDeny, ACCOUNT));
    let upper = req(RESTORE, PROD, &[("acs:SecureTransport", rs(&["FALSE"]))]);
    expect(&deny, &upper, (Allow, ACCOUNT));
    let bool_deny = identity(vec![
        stmt(Effect::Allow, &["*"], &["*"]),
        when(
            stmt(Effect::Deny, &["*"], &["*"]),
            "Bool",
            "acs:SecureTransport",
            &[PValue::Bool(false)],
        ),
    ]);
    expect(&bool_deny, &upper, (ExplicitDeny, ACCOUNT));
    let ignore_case = identity(vec![when(
        stmt(Effect::Allow, &["*"], &["*"]),
        "StringEqualsIgnoreCase",
        "acs:ResourceTag/env",
        &[s("PROD")],
    )]);
    let tagged = req(RESTORE, PROD, &[("ACS:RESOURCETAG/ENV", rs(&["prod"]))]);
    expect(&ignore_case, &tagged, (Allow, ACCOUNT));
}

#[test]
fn layers_decide_in_order() {
    let allow_all = || doc(vec![stmt(Effect::Allow, &["*"], &["*"])]);
    let deny_restore = || doc(vec![stmt(Effect::Deny, &[RESTORE], &["*"])]);
    let r = req(RESTORE, PROD, &[]);
    // No policies at all.
    let empty = SetModel {
        control: vec![],
        session: None,
        identity: vec![],
        groups: vec![],
        principal_account: None,
    };
    expect(&empty, &r, (ImplicitDeny, ACCOUNT));
    // A control layer must allow: a Deny-only guardrail denies everything.
    let mut set = empty.clone();
    set.control = vec![deny_restore()];
    set.identity = vec![allow_all()];
    expect(&set, &r, (ExplicitDeny, Layer::Control));
    set.control = vec![doc(vec![stmt(Effect::Deny, &["ecs:*"], &["*"])])];
    expect(&set, &r, (ImplicitDeny, Layer::Control));
    set.control.push(allow_all());
    expect(&set, &r, (Allow, ACCOUNT));
    // The session policy must allow too.
    set.session = Some(doc(vec![stmt(
        Effect::Allow,
        &["kvstore:Describe*"],
        &["*"],
    )]));
    expect(&set, &r, (ImplicitDeny, Layer::Session));
    set.session = Some(allow_all());
    expect(&set, &r, (Allow, ACCOUNT));
    // Resource-group policies only on an account-scope implicit deny.
    let group = |name: &str, policies: Vec<PolicyDoc>| Group {
        name: name.into(),
        resources: Some(vec![PROD.into()]),
        policies,
    };
    set.groups = vec![group("rg-a", vec![deny_restore()])];
    expect(&set, &r, (Allow, ACCOUNT));
    set.identity = vec![];
    expect(&set, &r, (ExplicitDeny, Layer::ResourceGroupIdentity));
    set.groups.push(group("rg-b", vec![allow_all()]));
    expect(&set, &r, (ExplicitDeny, Layer::ResourceGroupIdentity));
    set.groups.remove(0);
    expect(&set, &r, (Allow, Layer::ResourceGroupIdentity));
    set.groups[0].policies = vec![doc(vec![stmt(Effect::Allow, &["ecs:*"], &["*"])])];
    expect(&set, &r, (ImplicitDeny, Layer::ResourceGroupIdentity));
    // Another resource, in no group.
    let other = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-stg";
    expect(&set, &req(RESTORE, other, &[]), (ImplicitDeny, ACCOUNT));
}

#[test]
fn another_accounts_resource_is_never_allowed() {
    let mut set = identity(vec![stmt(Effect::Allow, &["*"], &["*"])]);
    set.principal_account = Some(generate::OWN.into());
    let foreign = "acs:kvstore:cn-hangzhou:9876543210987654:instance/r-prod";
    expect(&set, &req(RESTORE, foreign, &[]), (ImplicitDeny, ACCOUNT));
    expect(&set, &req(RESTORE, PROD, &[]), (Allow, ACCOUNT));
    // `*` is in the principal's own account.
    expect(
        &set,
        &req("kvstore:DescribeRegions", "*", &[]),
        (Allow, ACCOUNT),
    );
    set.identity[0].statements.push(stmt(
        Effect::Deny,
        &[RESTORE],
        &["acs:kvstore:*:9876543210987654:*"],
    ));
    expect(&set, &req(RESTORE, foreign, &[]), (ExplicitDeny, ACCOUNT));
}

/// §2: letter case folds by Unicode's lowercase mapping, which is not simple case folding:
/// `ſ`, `µ` and `ς` stay as they are, and `İ` lowers to two characters, so `?` does not stand
/// for it and `??` does.
#[test]
fn case_folds_by_lowercase_mapping_not_simple_folding() {
    for (pattern, action, expected) in [
        ("kvstore:Re\u{17F}tore*", RESTORE, ImplicitDeny),
        ("kvstore:\u{3BC}*", "kvstore:\u{B5}x", ImplicitDeny),
        ("kvstore:\u{3C3}*", "kvstore:\u{3C2}x", ImplicitDeny),
        (
            "kvstore:Restore?nstance",
            "kvstore:Restore\u{130}nstance",
            ImplicitDeny,
        ),
        (
            "kvstore:Restore??nstance",
            "kvstore:Restore\u{130}nstance",
            Allow,
        ),
        (
            "KVSTORE:RESTORE\u{130}*",
            "kvstore:restorei\u{307}nstance",
            Allow,
        ),
    ] {
        let set = identity(vec![stmt(Effect::Allow, &[pattern], &["*"])]);
        expect(&set, &req(action, PROD, &[]), (expected, ACCOUNT));
    }
}

/// §3: `acs:SourceVpcIp` is a typed global key, like `acs:SourceIp`: a value that is not an
/// address makes the request invalid, so a junk value cannot switch a condition on it off.
#[test]
fn a_junk_source_vpc_ip_is_refused() {
    let r = req(
        RESTORE,
        PROD,
        &[("acs:SourceVpcIp", rs(&["junk", "10.0.0.1"]))],
    );
    assert!(r.invalid().is_some(), "the model must refuse it");
    let error = engine_request(&r).expect_err("the engine must refuse it");
    assert_eq!(error.code(), "invalid-context-value");
    let fine = req(RESTORE, PROD, &[("acs:SourceVpcIp", rs(&["10.0.0.1"]))]);
    let set = identity(vec![when(
        stmt(Effect::Allow, &[RESTORE], &["*"]),
        "NotIpAddress",
        "acs:SourceVpcIp",
        &[s("192.168.0.0/16")],
    )]);
    expect(&set, &fine, (Allow, ACCOUNT));
}
