//! The decision corpus: policy sets, requests and the decision docs/semantics.md §1-4 prescribes for
//! them, read from `tests/corpus/*.json` (one `#[test]` per topic file), and invalid documents
//! with the errors and positions the parser must report, read from `tests/corpus/invalid.txt`.
//! `tests/corpus/README.md` describes both formats.
//!
//! Every failing case is reported by name with expected and actual, not only the first. A case
//! the engine gets wrong stays in the corpus and is listed in [`KNOWN_FAILURES`] with the reason;
//! the runner checks that it still fails, so the list cannot silently rot.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ramguard::context::ContextInput;
use ramguard::json::{self, JsonKind, JsonValue};
use ramguard::policy::{InvalidPolicy, ParseError};
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};

/// Where the corpus lives.
const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");

/// The time of every request that does not set `acs:CurrentTime` itself, so that no case
/// depends on the clock.
const DEFAULT_NOW: &str = "2026-06-01T12:00:00Z";

/// Cases (`topic/name`, or `invalid/name` for invalid documents) where the engine disagrees
/// with the spec, with why. Each must still fail; fix the engine, then remove the entry.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// The least number of decision cases the corpus must hold (issue 2).
const MIN_DECISION_CASES: usize = 150;

/// The least number of invalid documents the corpus must hold (issue 2).
const MIN_INVALID_DOCUMENTS: usize = 40;

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

const CASE_MEMBERS: &[&str] = &[
    "name",
    "note",
    "identity",
    "statements",
    "allow_if",
    "deny_if",
    "control",
    "session",
    "resource_groups",
    "action",
    "resource",
    "context",
    "expect",
];

/// One topic file, with its text kept so that documents are handed to the parser verbatim.
struct Topic<'a> {
    name: &'a str,
    text: &'a str,
}

impl Topic<'_> {
    fn slice(&self, value: &JsonValue) -> &str {
        &self.text[value.span.start..value.span.end]
    }

    /// A JSON object value, or an array of them, as document texts.
    fn documents(&self, value: &JsonValue) -> Vec<String> {
        match &value.kind {
            JsonKind::Array(items) => items.iter().map(|d| self.slice(d).to_string()).collect(),
            _ => vec![self.slice(value).to_string()],
        }
    }
}

fn string_member<'v>(value: &'v JsonValue, name: &str) -> Result<Option<&'v str>, String> {
    match value.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| format!("`{name}` must be a string")),
    }
}

fn parse_policy(label: &str, text: &str) -> Result<Policy, String> {
    Policy::from_text(label, text).map_err(|e| format!("policy `{label}` does not parse:\n{e}"))
}

/// The policy set a case describes.
fn policy_set(topic: &Topic<'_>, case: &JsonValue) -> Result<PolicySet, String> {
    let mut builder = PolicySet::builder();
    let mut identity: Vec<String> = case
        .get("identity")
        .map(|v| topic.documents(v))
        .unwrap_or_default();
    if let Some(statements) = case.get("statements") {
        identity.push(format!(
            r#"{{"Version": "1", "Statement": {}}}"#,
            topic.slice(statements)
        ));
    }
    if let Some(condition) = case.get("allow_if") {
        identity.push(format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {}}}]}}"#,
            topic.slice(condition)
        ));
    }
    if let Some(condition) = case.get("deny_if") {
        identity.push(format!(
            r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*"}}, {{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {}}}]}}"#,
            topic.slice(condition)
        ));
    }
    for (i, text) in identity.iter().enumerate() {
        builder = builder.identity(parse_policy(&format!("identity[{i}]"), text)?);
    }
    if let Some(control) = case.get("control") {
        for (i, text) in topic.documents(control).iter().enumerate() {
            builder = builder.control(parse_policy(&format!("control[{i}]"), text)?);
        }
    }
    if let Some(session) = case.get("session") {
        builder = builder.session(parse_policy("session", topic.slice(session))?);
    }
    if let Some(groups) = case.get("resource_groups") {
        let JsonKind::Array(groups) = &groups.kind else {
            return Err("`resource_groups` must be an array".into());
        };
        for group in groups {
            let name = string_member(group, "name")?.ok_or("a resource group has no `name`")?;
            let resources: Vec<String> = match group.get("resources").map(|r| &r.kind) {
                Some(JsonKind::Array(items)) => items
                    .iter()
                    .map(|r| r.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or("`resources` must hold strings")?,
                _ => return Err(format!("resource group `{name}` has no `resources` array")),
            };
            builder = builder.resource_group(name, resources);
            let policies = group
                .get("policies")
                .ok_or_else(|| format!("resource group `{name}` has no `policies`"))?;
            for (i, text) in topic.documents(policies).iter().enumerate() {
                let policy = parse_policy(&format!("{name}[{i}]"), text)?;
                builder = builder.resource_group_identity(name, policy);
            }
        }
    }
    builder.build().map_err(|e| e.to_string())
}

/// One context value as the request file reader would take it: numbers keep their JSON text.
fn context_input(value: &JsonValue) -> Result<ContextInput, String> {
    match &value.kind {
        JsonKind::String(s) => Ok(ContextInput::String(s.clone())),
        JsonKind::Bool(b) => Ok(ContextInput::Bool(*b)),
        JsonKind::Number(n) => Ok(ContextInput::Number(n.to_string())),
        other => Err(format!(
            "context values must be strings, booleans or numbers, found {}",
            other.type_name()
        )),
    }
}

/// The request a case describes: the file's default request with the case's overrides. The
/// outer error is a malformed case, the inner one a request the engine refuses.
fn request(
    defaults: Option<&JsonValue>,
    case: &JsonValue,
) -> Result<Result<Request, String>, String> {
    let pick = |name: &str| {
        case.get(name)
            .or_else(|| defaults.and_then(|d| d.get(name)))
    };
    let action = pick("action")
        .and_then(JsonValue::as_str)
        .ok_or("no `action` (in the case or the file's `request`)")?;
    let resource = pick("resource")
        .and_then(JsonValue::as_str)
        .ok_or("no `resource` (in the case or the file's `request`)")?;
    let now = Timestamp::parse_rfc3339(DEFAULT_NOW).map_err(|e| e.to_string())?;
    let mut builder = Request::builder(action, resource).at(now);
    if let Some(context) = pick("context") {
        let JsonKind::Object(entries) = &context.kind else {
            return Err("`context` must be an object".into());
        };
        for entry in entries {
            let values = match &entry.value.kind {
                JsonKind::Array(items) => items
                    .iter()
                    .map(context_input)
                    .collect::<Result<Vec<_>, _>>()?,
                _ => vec![context_input(&entry.value)?],
            };
            builder = builder.context(entry.name.as_str(), values);
        }
    }
    Ok(builder.build().map_err(|e| e.to_string()))
}

/// Runs one case: `Ok(None)` when it passes, `Ok(Some(why))` when the engine disagrees,
/// `Err` when the case itself is malformed.
fn run_case(
    topic: &Topic<'_>,
    defaults: Option<&JsonValue>,
    case: &JsonValue,
) -> Result<Option<String>, String> {
    if let JsonKind::Object(members) = &case.kind {
        for member in members {
            if !CASE_MEMBERS.contains(&member.name.as_str()) {
                return Err(format!("unknown case member `{}`", member.name));
            }
        }
    } else {
        return Err("a case must be an object".into());
    }
    let expected = parse_expected(string_member(case, "expect")?.ok_or("no `expect`")?)?;
    let set = policy_set(topic, case)?;
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

/// The cases of a topic file, with the file's default request.
fn load_topic(text: &str) -> Result<(Option<JsonValue>, Vec<JsonValue>), String> {
    let root = json::parse(text).map_err(|e| format!("not JSON at byte {}: {e}", e.span.start))?;
    let request = root.get("request").cloned();
    let Some(JsonValue {
        kind: JsonKind::Array(cases),
        ..
    }) = root.get("cases")
    else {
        return Err("a topic file is an object with a `cases` array".into());
    };
    Ok((request, cases.clone()))
}

fn read_topic(name: &str) -> String {
    let path = Path::new(CORPUS_DIR).join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run_topic(name: &str) {
    let text = read_topic(name);
    let topic = Topic { name, text: &text };
    let (defaults, cases) = load_topic(&text).unwrap_or_else(|e| panic!("{name}.json: {e}"));
    let mut problems: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut failed = BTreeSet::new();
    for (index, case) in cases.iter().enumerate() {
        let case_name = string_member(case, "name")
            .ok()
            .flatten()
            .map_or_else(|| format!("#{index}"), str::to_string);
        let id = format!("{}/{case_name}", topic.name);
        if !seen.insert(case_name.clone()) {
            problems.push(format!("{id}: the name is used twice"));
        }
        match run_case(&topic, defaults.as_ref(), case) {
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
fn every_topic_file_is_run() {
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
}

#[test]
fn the_corpus_is_large_enough() {
    let total: usize = TOPICS
        .iter()
        .map(|t| load_topic(&read_topic(t)).map_or(0, |(_, cases)| cases.len()))
        .sum();
    assert!(
        total >= MIN_DECISION_CASES,
        "{total} decision cases, want at least {MIN_DECISION_CASES}"
    );
    let documents = load_invalid_documents().len();
    assert!(
        documents >= MIN_INVALID_DOCUMENTS,
        "{documents} invalid documents, want at least {MIN_INVALID_DOCUMENTS}"
    );
}

// ---------------------------------------------------------------------------------------------
// Invalid documents.

/// One `=== name` section of `invalid.txt`.
#[derive(Debug)]
struct InvalidDocument {
    name: String,
    /// `code line:col`, in document order; empty when the document must parse.
    expected: Vec<String>,
    text: String,
}

/// Reads `invalid.txt`: `=== name`, then `expect: code line:col` lines (or `expect: ok`), then
/// the document up to the next `=== ` line (its final line break is not part of it).
fn load_invalid_documents() -> Vec<InvalidDocument> {
    let path = Path::new(CORPUS_DIR).join("invalid.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut documents: Vec<InvalidDocument> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("=== ") {
            documents.push(InvalidDocument {
                name: name.trim_end().to_string(),
                expected: Vec::new(),
                text: String::new(),
            });
            continue;
        }
        let Some(document) = documents.last_mut() else {
            continue; // the file's header comment
        };
        match line.strip_prefix("expect: ") {
            Some(expect) if document.text.is_empty() => {
                if expect.trim_end() != "ok" {
                    document.expected.push(expect.trim_end().to_string());
                }
            }
            _ => document.text.push_str(line),
        }
    }
    for document in &mut documents {
        if document.text.ends_with('\n') {
            document.text.pop();
            if document.text.ends_with('\r') {
                document.text.pop();
            }
        }
    }
    documents
}

/// The enum variant's name, from its `Debug` form.
fn variant_name(kind: &ramguard::policy::ParseErrorKind) -> String {
    let debug = format!("{kind:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Every variant of `ParseErrorKind`; `invalid_documents` checks each one is produced.
const PARSE_ERROR_VARIANTS: &[&str] = &[
    "InvalidJson",
    "InvalidResponse",
    "DuplicateMember",
    "TypeMismatch",
    "UnknownElement",
    "PrincipalNotAllowed",
    "MissingElement",
    "ConflictingElements",
    "Empty",
    "InvalidVersion",
    "InvalidEffect",
    "InvalidActionFormat",
    "InvalidArnPrefix",
    "InvalidConditionOperator",
    "InvalidConditionKeyFormat",
    "MultipleBooleanValues",
    "InvalidConditionValue",
];

#[test]
fn invalid_documents() {
    let documents = load_invalid_documents();
    let mut problems = Vec::new();
    let mut variants: BTreeMap<String, usize> = BTreeMap::new();
    let mut names = BTreeSet::new();
    for document in &documents {
        if !names.insert(document.name.clone()) {
            problems.push(format!("{}: the name is used twice", document.name));
        }
        let label = format!("{}.json", document.name);
        let actual: Vec<String> = match Policy::from_text(&label, &document.text) {
            Ok(_) => Vec::new(),
            Err(invalid) => {
                if invalid.errors.is_empty() {
                    problems.push(format!("{}: an error without any error", document.name));
                }
                if invalid.source.name() != label {
                    problems.push(format!(
                        "{}: errors are reported under `{}`, not the file's name",
                        document.name,
                        invalid.source.name()
                    ));
                }
                invalid
                    .errors
                    .iter()
                    .map(|e| {
                        *variants.entry(variant_name(&e.kind)).or_default() += 1;
                        located(&invalid, e)
                    })
                    .collect()
            }
        };
        let id = format!("invalid/{}", document.name);
        let known = KNOWN_FAILURES.iter().find(|(k, _)| *k == id);
        match (actual == document.expected, known) {
            (true, None) => {}
            (true, Some(_)) => problems.push(format!(
                "{id}: listed in KNOWN_FAILURES but passes: remove it"
            )),
            (false, Some((_, reason))) => eprintln!("{id}: known failure ({reason})"),
            (false, None) => {
                let show = |v: &[String]| {
                    if v.is_empty() {
                        "ok".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                problems.push(format!(
                    "{}: expected [{}], got [{}]",
                    document.name,
                    show(&document.expected),
                    show(&actual)
                ));
            }
        }
    }
    for (known, _) in KNOWN_FAILURES {
        if let Some(name) = known.strip_prefix("invalid/") {
            if !names.contains(name) {
                problems.push(format!(
                    "{known}: listed in KNOWN_FAILURES but does not exist"
                ));
            }
        }
    }
    for variant in PARSE_ERROR_VARIANTS {
        if !variants.contains_key(*variant) {
            problems.push(format!("no document produces `ParseErrorKind::{variant}`"));
        }
    }
    for variant in variants.keys() {
        if !PARSE_ERROR_VARIANTS.contains(&variant.as_str()) {
            problems.push(format!(
                "`ParseErrorKind::{variant}` is new: add it to PARSE_ERROR_VARIANTS"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in invalid.txt:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Nesting far beyond any policy is an error, never a stack overflow.
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        let depth = 100_000;
        let text = format!(
            r#"{{"Version": "1", "Statement": {}1{}}}"#,
            open.repeat(depth),
            close.repeat(depth)
        );
        let invalid = Policy::from_text("deep.json", &text).expect_err("nesting is refused");
        let codes: Vec<&str> = invalid.errors.iter().map(|e| e.kind.code()).collect();
        assert_eq!(codes, ["invalid-json"]);
    }
}

/// A byte-order mark is not a column, and `\r\n` ends a line (positions count characters).
#[test]
fn positions_skip_a_bom_and_count_crlf_lines() {
    let text = "\u{feff}{\r\n  \"Version\": \"1\",\r\n  \"Statement\": [{\"Sid\": \"é\", \"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]\r\n}\r\n";
    let invalid = Policy::from_text("bom.json", text).expect_err("`allow` is refused");
    let found: Vec<String> = invalid
        .errors
        .iter()
        .map(|e| located(&invalid, e))
        .collect();
    assert_eq!(found, ["invalid-effect 3:40"]);
}

/// RAM refuses custom policies over 6,144 characters, but a longer document still evaluates
/// (docs/semantics.md §1: `check` reports the size, the parser does not).
#[test]
fn documents_over_rams_size_limit_still_evaluate() {
    let statements: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"Effect": "Allow", "Action": "kvstore:Describe{i}", "Resource": "acs:kvstore:*:*:instance/r-{i}"}}"#
            )
        })
        .chain(std::iter::once(
            r#"{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}"#.into(),
        ))
        .collect();
    let text = format!(
        r#"{{"Version": "1", "Statement": [{}]}}"#,
        statements.join(", ")
    );
    assert!(text.chars().count() > ramguard::policy::MAX_POLICY_CHARS);
    let policy = Policy::from_text("long.json", &text).expect("a long policy parses");
    let set = PolicySet::builder()
        .identity(policy)
        .build()
        .expect("a valid set");
    let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-1")
        .build()
        .expect("a valid request");
    let decision = set.evaluate(&request);
    assert_eq!(
        (decision.verdict, decision.policy_type),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
}

/// An error as `code line:column`, the form `invalid.txt` lists them in.
fn located(invalid: &InvalidPolicy, error: &ParseError) -> String {
    format!(
        "{} {}",
        error.kind.code(),
        invalid.source.position(error.span.start)
    )
}
