//! Reading policy documents (docs/semantics.md §1): every error with its code, line and column,
//! read from `tests/corpus/invalid.txt` (`tests/corpus/README.md` describes the format), and the
//! documents Alibaba Cloud's API prints around a policy.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ramguard::policy::{InvalidPolicy, ParseError, ParseErrorKind};
use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};

/// Documents that must be refused (or accepted, `expect: ok`), with every error.
const INVALID_TXT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/invalid.txt");

/// The least number of documents `invalid.txt` must hold.
const MIN_DOCUMENTS: usize = 150;

/// One `=== name` section of `invalid.txt`.
#[derive(Debug)]
struct Document {
    name: String,
    /// `code line:col`, in document order; empty when the document must parse.
    expected: Vec<String>,
    text: String,
}

/// Reads `invalid.txt`: `=== name`, then `expect: code line:col` lines (or `expect: ok`), then
/// the document up to the next `=== ` line (blank lines before it are not part of it).
fn load_documents() -> Vec<Document> {
    let text = std::fs::read_to_string(Path::new(INVALID_TXT)).expect("invalid.txt");
    let mut documents: Vec<Document> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("=== ") {
            documents.push(Document {
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
        let kept = document.text.trim_end_matches(['\n', '\r']).len();
        document.text.truncate(kept);
    }
    documents
}

/// The enum variant's name, from its `Debug` form.
fn variant_name(kind: &ParseErrorKind) -> String {
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

/// An error as `code line:column`, the form `invalid.txt` lists them in.
fn located(invalid: &InvalidPolicy, error: &ParseError) -> String {
    format!(
        "{} {}",
        error.kind.code(),
        invalid.source.position(error.span.start)
    )
}

#[test]
fn invalid_documents() {
    let documents = load_documents();
    assert!(
        documents.len() >= MIN_DOCUMENTS,
        "{} documents, want at least {MIN_DOCUMENTS}",
        documents.len()
    );
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
        if actual != document.expected {
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

// ---------------------------------------------------------------------------------------------
// API responses around a policy document (docs/semantics.md §1).

fn decide(document: &str) -> (Verdict, PolicyType) {
    let set = PolicySet::builder()
        .identity(Policy::from_text("p", document).expect("valid"))
        .build()
        .expect("set builds");
    let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1prod01")
        .build()
        .expect("valid");
    let decision = set.evaluate(&request);
    (decision.verdict, decision.policy_type)
}

const ALLOW_RESTORE: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#;
const ALLOW_ECS: &str =
    r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}"#;

#[test]
fn wrappers_evaluate_the_document_in_force() {
    let embed = |d: &str| serde_json::to_string(d).expect("string");
    let cases: Vec<(&str, String, Verdict)> = vec![
        (
            "get-policy-default-version-over-policy-document",
            format!(
                r#"{{"Policy": {{"PolicyName": "P", "PolicyDocument": {}}}, "DefaultPolicyVersion": {{"PolicyDocument": {}}}}}"#,
                embed(ALLOW_RESTORE),
                embed(ALLOW_ECS)
            ),
            Verdict::ImplicitDeny,
        ),
        (
            "get-policy-policy-document",
            format!(
                r#"{{"Policy": {{"PolicyName": "P", "PolicyDocument": {}}}}}"#,
                embed(ALLOW_RESTORE)
            ),
            Verdict::Allow,
        ),
        (
            "list-versions-default-one",
            format!(
                r#"{{"PolicyVersions": {{"PolicyVersion": [{{"VersionId": "v1", "IsDefaultVersion": false, "PolicyDocument": {}}}, {{"VersionId": "v2", "IsDefaultVersion": true, "PolicyDocument": {}}}]}}}}"#,
                embed(ALLOW_RESTORE),
                embed(ALLOW_ECS)
            ),
            Verdict::ImplicitDeny,
        ),
        (
            "get-policy-version-document-as-object",
            format!(r#"{{"PolicyVersion": {{"PolicyDocument": {ALLOW_RESTORE}}}}}"#),
            Verdict::Allow,
        ),
        (
            "get-policy-version-embedded-bare-statement",
            format!(
                r#"{{"RequestId": "x", "PolicyVersion": {{"PolicyDocument": {}}}}}"#,
                embed(
                    r#"{"Version": "1", "Statement": {"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "acs:kvstore:*:*:instance/*"}}"#
                )
            ),
            Verdict::Allow,
        ),
    ];
    for (name, text, expected) in cases {
        assert_eq!(
            decide(&text),
            (expected, PolicyType::AccountLevelIdentityBasedPolicy),
            "{name}"
        );
    }
}

/// docs/semantics.md §1 is silent on a byte-order mark at the start of an embedded
/// `PolicyDocument` string. It is read like one at the start of a file (skipped, columns counted
/// after it); this pins that, so a change is deliberate.
#[test]
fn a_bom_inside_an_embedded_document_is_skipped_like_a_file_bom() {
    let embedded = |version: &str| {
        format!(
            r#"{{"PolicyVersion": {{"PolicyDocument": "\ufeff{{\"Version\": \"{version}\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}]}}"}}}}"#
        )
    };
    assert_eq!(
        decide(&embedded("1")),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
    let invalid = Policy::from_text("p", &embedded("2")).expect_err("version 2 is refused");
    let found: Vec<String> = invalid
        .errors
        .iter()
        .map(|e| located(&invalid, e))
        .collect();
    assert_eq!(found, ["invalid-version 1:13"]);
}
