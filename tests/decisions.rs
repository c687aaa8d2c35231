//! Decisions: the decision corpus, policy sets and requests with the decision
//! docs/semantics.md §2-4 prescribes, read from `tests/corpus/*.json` (one `#[test]` per topic
//! file; `tests/corpus/README.md` describes the format), and the evaluation properties that a
//! table of cases cannot show.
//!
//! Every failing case is reported by name with expected and actual, not only the first. A case
//! the engine gets wrong stays in the corpus and is listed in [`KNOWN_FAILURES`] with the reason;
//! the runner checks that it still fails, so the list cannot silently rot.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use ramguard::request::ContextInput;
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};

/// Where the corpus lives.
const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");

/// The time of every request that does not set `acs:CurrentTime` itself, so that no case
/// depends on the clock.
const DEFAULT_NOW: &str = "2026-06-01T12:00:00Z";

/// Cases (`topic/name`) where the engine disagrees with the spec, with why. Each must still
/// fail; fix the engine, then remove the entry.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// The least number of decision cases the corpus must hold.
const MIN_DECISION_CASES: usize = 400;

/// One `#[test]` per topic file, and [`TOPICS`] listing them; a file in `tests/corpus/` that is
/// not listed here fails `every_topic_file_is_run`.
macro_rules! topic_tests {
    ($($name:ident),* $(,)?) => {
        /// The topic files run.
        const TOPICS: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run_topic(stringify!($name));
            }
        )*
    };
}

topic_tests!(
    actions,
    resources,
    requests,
    string,
    numeric,
    date,
    bool,
    ip,
    qualifiers,
    missing_keys,
    conditions,
    effects,
    layers,
);

/// A topic file: the default request, and the cases.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicFile {
    request: Option<RequestSpec>,
    cases: Vec<Case>,
}

/// A request, or the parts of one a case overrides.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RequestSpec {
    action: Option<String>,
    resource: Option<String>,
    context: Option<Box<RawValue>>,
}

/// One case. Documents stay raw JSON text, handed to the parser exactly as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default, rename = "note")]
    _note: Option<String>,
    identity: Option<Box<RawValue>>,
    statements: Option<Box<RawValue>>,
    allow_if: Option<Box<RawValue>>,
    deny_if: Option<Box<RawValue>>,
    control: Option<Box<RawValue>>,
    session: Option<Box<RawValue>>,
    resource_groups: Option<Vec<Group>>,
    // The request overrides are spelled out rather than a flattened `RequestSpec`: serde's
    // flatten buffers values, which neither `RawValue` nor `deny_unknown_fields` survive.
    action: Option<String>,
    resource: Option<String>,
    context: Option<Box<RawValue>>,
    expect: String,
}

/// Identity policies attached in the scope of a resource group, and the resources it holds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    name: String,
    resources: Vec<String>,
    policies: Box<RawValue>,
}

/// What a case expects: a decision, or a request the engine must refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Decision(Verdict, PolicyType),
    InvalidRequest,
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Decision(verdict, policy_type) => write!(f, "{verdict} by {policy_type}"),
            Expected::InvalidRequest => f.write_str("an invalid request"),
        }
    }
}

/// Reads `"Allow Account"`, `"ExplicitDeny ControlPolicy"`, `"InvalidRequest"`.
fn parse_expected(text: &str) -> Result<Expected, String> {
    if text == "InvalidRequest" {
        return Ok(Expected::InvalidRequest);
    }
    let (verdict, layer) = text
        .split_once(' ')
        .ok_or_else(|| format!("`expect` must be `<verdict> <layer>`, found `{text}`"))?;
    let verdict = match verdict {
        "Allow" => Verdict::Allow,
        "ExplicitDeny" => Verdict::ExplicitDeny,
        "ImplicitDeny" => Verdict::ImplicitDeny,
        other => return Err(format!("unknown verdict `{other}`")),
    };
    let policy_type = match layer {
        "Control" | "ControlPolicy" => PolicyType::ControlPolicy,
        "Session" | "SessionPolicy" => PolicyType::SessionPolicy,
        "Account" | "AccountLevelIdentityBasedPolicy" => {
            PolicyType::AccountLevelIdentityBasedPolicy
        }
        "ResourceGroup" | "ResourceGroupLevelIdentityBasedPolicy" => {
            PolicyType::ResourceGroupLevelIdentityBasedPolicy
        }
        other => return Err(format!("unknown layer `{other}`")),
    };
    Ok(Expected::Decision(verdict, policy_type))
}

/// A document, or an array of documents, as their texts.
fn documents(raw: &RawValue) -> Result<Vec<String>, String> {
    if raw.get().trim_start().starts_with('[') {
        let items: Vec<Box<RawValue>> =
            serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
        Ok(items.iter().map(|d| d.get().to_string()).collect())
    } else {
        Ok(vec![raw.get().to_string()])
    }
}

fn parse_policy(label: &str, text: &str) -> Result<Policy, String> {
    Policy::from_text(label, text).map_err(|e| format!("policy `{label}` does not parse:\n{e}"))
}

/// The policy set a case describes.
fn policy_set(case: &Case) -> Result<PolicySet, String> {
    let mut builder = PolicySet::builder();
    let mut identity = match &case.identity {
        Some(raw) => documents(raw)?,
        None => Vec::new(),
    };
    if let Some(statements) = &case.statements {
        identity.push(format!(
            r#"{{"Version": "1", "Statement": {}}}"#,
            statements.get()
        ));
    }
    if let Some(condition) = &case.allow_if {
        identity.push(format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {}}}]}}"#,
            condition.get()
        ));
    }
    if let Some(condition) = &case.deny_if {
        identity.push(format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*"}}, {{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {}}}]}}"#,
            condition.get()
        ));
    }
    for (i, text) in identity.iter().enumerate() {
        builder = builder.identity(parse_policy(&format!("identity[{i}]"), text)?);
    }
    if let Some(control) = &case.control {
        for (i, text) in documents(control)?.iter().enumerate() {
            builder = builder.control(parse_policy(&format!("control[{i}]"), text)?);
        }
    }
    if let Some(session) = &case.session {
        builder = builder.session(parse_policy("session", session.get())?);
    }
    for group in case.resource_groups.iter().flatten() {
        builder = builder.resource_group(group.name.as_str(), group.resources.iter().cloned());
        for (i, text) in documents(&group.policies)?.iter().enumerate() {
            let policy = parse_policy(&format!("{}[{i}]", group.name), text)?;
            builder = builder.resource_group_identity(group.name.as_str(), policy);
        }
    }
    builder.build().map_err(|e| e.to_string())
}

/// A context object's entries in document order, values kept as raw text so that numbers keep
/// their JSON text and duplicate keys reach the request builder.
struct Entries(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a context object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// One context value as the request file reader takes it: numbers keep their JSON text.
fn context_input(raw: &RawValue) -> Result<ContextInput, String> {
    let text = raw.get().trim();
    match text.chars().next() {
        Some('"') => serde_json::from_str(text)
            .map(ContextInput::String)
            .map_err(|e| e.to_string()),
        Some('t' | 'f') => serde_json::from_str(text)
            .map(ContextInput::Bool)
            .map_err(|e| e.to_string()),
        Some('-' | '0'..='9') => Ok(ContextInput::Number(text.to_string())),
        _ => Err(format!(
            "context values must be strings, booleans or numbers, found `{text}`"
        )),
    }
}

/// The request a case describes: the file's default request with the case's overrides. The
/// outer error is a malformed case, the inner one a request the engine refuses.
fn request(defaults: &RequestSpec, case: &Case) -> Result<Result<Request, String>, String> {
    let action = case
        .action
        .as_ref()
        .or(defaults.action.as_ref())
        .ok_or("no `action` (in the case or the file's `request`)")?;
    let resource = case
        .resource
        .as_ref()
        .or(defaults.resource.as_ref())
        .ok_or("no `resource` (in the case or the file's `request`)")?;
    let now = Timestamp::parse_rfc3339(DEFAULT_NOW).map_err(|e| e.to_string())?;
    let mut builder = Request::builder(action.as_str(), resource.as_str()).at(now);
    if let Some(context) = case.context.as_ref().or(defaults.context.as_ref()) {
        let entries: Entries = serde_json::from_str(context.get())
            .map_err(|e| format!("`context` must be an object: {e}"))?;
        for (key, raw) in entries.0 {
            let values = if raw.get().trim_start().starts_with('[') {
                let items: Vec<Box<RawValue>> =
                    serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
                items
                    .iter()
                    .map(|item| context_input(item))
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                vec![context_input(&raw)?]
            };
            builder = builder.context(key, values);
        }
    }
    Ok(builder.build().map_err(|e| e.to_string()))
}

/// Runs one case: `Ok(None)` when it passes, `Ok(Some(why))` when the engine disagrees,
/// `Err` when the case itself is malformed.
fn run_case(defaults: &RequestSpec, case: &Case) -> Result<Option<String>, String> {
    let expected = parse_expected(&case.expect)?;
    let set = policy_set(case)?;
    let request = match (request(defaults, case)?, expected) {
        (Ok(request), _) => request,
        (Err(_), Expected::InvalidRequest) => return Ok(None),
        (Err(e), _) => {
            return Ok(Some(format!(
                "expected {expected}, the request is invalid: {e}"
            )));
        }
    };
    let decision = set.evaluate(&request);
    let explanation = set.explain(&request);
    if (explanation.decision, explanation.policy_type) != (decision.verdict, decision.policy_type) {
        return Ok(Some(format!(
            "evaluate says {decision} but explain says {} ({})",
            explanation.decision, explanation.policy_type
        )));
    }
    let actual = Expected::Decision(decision.verdict, decision.policy_type);
    Ok((actual != expected).then(|| format!("expected {expected}, got {actual}")))
}

fn load_topic(name: &str) -> TopicFile {
    let path = Path::new(CORPUS_DIR).join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}.json: {e}"))
}

fn run_topic(name: &str) {
    let topic = load_topic(name);
    let defaults = topic.request.unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut failed = BTreeSet::new();
    for case in &topic.cases {
        let id = format!("{name}/{}", case.name);
        if !seen.insert(case.name.clone()) {
            problems.push(format!("{id}: the name is used twice"));
        }
        match run_case(&defaults, case) {
            Ok(None) => {}
            Ok(Some(why)) => {
                failed.insert(id.clone());
                if let Some((_, reason)) = KNOWN_FAILURES.iter().find(|(k, _)| *k == id) {
                    eprintln!("{id}: known failure ({reason}): {why}");
                } else {
                    problems.push(format!("{id}: {why}"));
                }
            }
            Err(e) => problems.push(format!("{id}: malformed case: {e}")),
        }
    }
    for (known, _) in KNOWN_FAILURES {
        if known.starts_with(&format!("{name}/")) && !failed.contains(*known) {
            problems.push(format!(
                "{known}: listed in KNOWN_FAILURES but passes (or does not exist): remove it"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in {name}.json:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_topic_file_is_run_and_the_corpus_is_large_enough() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(CORPUS_DIR)
        .expect("the corpus directory")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_string)
        })
        .collect();
    let listed: BTreeSet<String> = TOPICS.iter().map(|t| t.to_string()).collect();
    assert_eq!(on_disk, listed);
    let total: usize = TOPICS.iter().map(|t| load_topic(t).cases.len()).sum();
    assert!(
        total >= MIN_DECISION_CASES,
        "{total} decision cases, want at least {MIN_DECISION_CASES}"
    );
}

// ---------------------------------------------------------------------------------------------
// What a table of cases cannot show.

fn allow_all_document() -> String {
    r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#.into()
}

fn decide(set: &PolicySet, request: &Request) -> (Verdict, PolicyType) {
    let fast = set.evaluate(request);
    let explained = set.explain(request);
    assert_eq!(
        (fast.verdict, fast.policy_type),
        (explained.decision, explained.policy_type),
        "evaluate and explain disagree"
    );
    (fast.verdict, fast.policy_type)
}

/// Many stars against a long resource: matching stays linear (a backtracking matcher would
/// not finish), and the answers are exact at the edge.
#[test]
fn many_stars_against_a_long_resource_stay_linear() {
    let resource = format!("acs:kvstore:cn:1:instance/{}", "a".repeat(4_000));
    let no_b = format!("acs:{}*b", "*a".repeat(60));
    let all_a = format!("acs:{}*", "*a".repeat(60));
    // The resource holds 4,001 `a`s: one in `instance`.
    let every_a = format!("acs:*{}", "a*".repeat(4_001));
    let one_a_too_many = format!("acs:*{}", "a*".repeat(4_002));
    for (pattern, applies) in [
        (no_b, false),
        (all_a, true),
        (every_a, true),
        (one_a_too_many, false),
    ] {
        let text = format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "{pattern}"}}]}}"#
        );
        let set = PolicySet::builder()
            .identity(Policy::from_text("p", &text).expect("valid"))
            .build()
            .expect("set builds");
        let request = Request::builder("kvstore:RestoreInstance", resource.as_str())
            .build()
            .expect("valid");
        let expected = if applies {
            Verdict::Allow
        } else {
            Verdict::ImplicitDeny
        };
        assert_eq!(
            decide(&set, &request),
            (expected, PolicyType::AccountLevelIdentityBasedPolicy),
            "{}…",
            &pattern[..12]
        );
    }
}

/// docs/semantics.md §1: documents over RAM's size limits still evaluate, in every layer
/// (`check` reports their size, the parser does not).
#[test]
fn documents_over_the_size_limits_still_evaluate() {
    let long_sid = "S".repeat(7_000);
    let text = format!(
        r#"{{"Version": "1", "Statement": [{{"Sid": "{long_sid}", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}}]}}"#
    );
    assert!(text.chars().count() > ramguard::policy::MAX_POLICY_CHARS);
    let policy = |name: &str| Policy::from_text(name, &text).expect("a long policy parses");
    let set = PolicySet::builder()
        .session(policy("session"))
        .control(policy("control"))
        .identity(policy("identity"))
        .build()
        .expect("set builds");
    let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-1")
        .build()
        .expect("a valid request");
    assert_eq!(
        decide(&set, &request),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
}

/// An empty list counts as a missing key (docs/semantics.md §3), so `acs:CurrentTime: []` falls
/// back to the evaluation clock like an absent key: it must not blank out the time a Deny reads.
#[test]
fn an_empty_current_time_falls_back_to_the_clock() {
    let now = Timestamp::parse_rfc3339(DEFAULT_NOW).expect("valid");
    let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-1")
        .context("acs:CurrentTime", Vec::<String>::new())
        .at(now)
        .build()
        .expect("valid");
    let times: Vec<&str> = request
        .context()
        .get("acs:CurrentTime")
        .iter()
        .map(|v| v.text())
        .collect();
    assert_eq!(times, [DEFAULT_NOW]);
    let guard = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}}]}"#;
    let set = PolicySet::builder()
        .control(Policy::from_text("guard", guard).expect("valid"))
        .identity(Policy::from_text("id", &allow_all_document()).expect("valid"))
        .build()
        .expect("set builds");
    assert_eq!(
        decide(&set, &request),
        (Verdict::ExplicitDeny, PolicyType::ControlPolicy)
    );
    let file = Request::from_json_text(
        r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:CurrentTime": []}}"#,
    )
    .expect("valid request file");
    assert_eq!(file.context().get("acs:currenttime").len(), 1);
    assert_eq!(set.evaluate(&file).verdict, Verdict::ExplicitDeny);
}
