//! An adversarial audit of the engine against docs/semantics.md §1-4: edge cases of parsing, matching,
//! conditions, unwrapping and layers, each with the exact decision, error code and position the
//! spec prescribes. Every table is run whole and every disagreement listed, not only the first;
//! every decision is checked through both `evaluate` and `explain`.

use ramguard::context::{ContextInput, ContextValues};
use ramguard::json::{self, JsonKind, JsonValue};
use ramguard::request::RequestError;
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, PolicyType, Request, Verdict};

use PolicyType::{
    AccountLevelIdentityBasedPolicy as ACCOUNT, ControlPolicy as CONTROL,
    ResourceGroupLevelIdentityBasedPolicy as GROUP, SessionPolicy as SESSION,
};
use Verdict::{Allow, ExplicitDeny, ImplicitDeny};

const ARN: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01";
const RESTORE: &str = "kvstore:RestoreInstance";
/// The time of every request that does not set `acs:CurrentTime`.
const NOW: &str = "2026-06-01T12:00:00Z";

// ---------------------------------------------------------------------------------------------
// Helpers

fn doc(statements: &str) -> String {
    format!(r#"{{"Version": "1", "Statement": [{statements}]}}"#)
}

fn policy(name: &str, text: &str) -> Policy {
    Policy::from_text(name, text).unwrap_or_else(|e| panic!("`{name}` must parse:\n{e}\n{text}"))
}

fn allow_all() -> String {
    doc(r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#)
}

fn deny_all() -> String {
    doc(r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#)
}

fn allow_restore() -> String {
    doc(r#"{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}"#)
}

fn allow_ecs() -> String {
    doc(r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}"#)
}

/// One request value from JSON: a string, a boolean or a number (kept as its text).
fn input(value: &JsonValue) -> ContextInput {
    match &value.kind {
        JsonKind::String(s) => ContextInput::String(s.clone()),
        JsonKind::Bool(b) => ContextInput::Bool(*b),
        JsonKind::Number(n) => ContextInput::Number(n.to_string()),
        other => panic!("a test context value cannot be {}", other.type_name()),
    }
}

/// A request made at [`NOW`], its context given as a JSON object text.
fn request(action: &str, resource: &str, context: &str) -> Result<Request, RequestError> {
    let now = Timestamp::parse_rfc3339(NOW).expect("NOW is a date");
    let mut builder = Request::builder(action, resource).at(now);
    let root = json::parse(context).expect("test context is JSON");
    let JsonKind::Object(members) = &root.kind else {
        panic!("test context must be an object")
    };
    for member in members {
        let values: ContextValues = match &member.value.kind {
            JsonKind::Array(items) => items.iter().map(input).collect::<Vec<_>>().into(),
            _ => input(&member.value).into(),
        };
        builder = builder.context(member.name.clone(), values);
    }
    builder.build()
}

/// The decision of `set` for `request` through `evaluate`, after checking that `explain` agrees.
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

fn identity_only(documents: &[String]) -> PolicySet {
    documents
        .iter()
        .enumerate()
        .fold(PolicySet::builder(), |b, (i, d)| {
            b.identity(policy(&format!("identity{i}"), d))
        })
        .build()
        .expect("set builds")
}

/// Fails with every mismatch of a table at once.
fn report(table: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{table}: {} probe(s) disagree with docs/semantics.md:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The errors of an invalid document as `(code, "line:column")`, or `ok` for a valid one.
fn errors(text: &str) -> Vec<(String, String)> {
    match Policy::from_text("p.json", text) {
        Ok(_) => vec![("ok".into(), String::new())],
        Err(invalid) => invalid
            .errors
            .iter()
            .map(|e| {
                let at = invalid.source.position(e.span.start);
                (e.kind.code().to_string(), at.to_string())
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// §2 Action matching: (pattern in `Action`, request action, whether the statement applies)

#[rustfmt::skip]
const ACTIONS: &[(&str, &str, bool)] = &[
    ("kvstore:RestoreInstance", "KVSTORE:restoreinstance", true),
    ("KvStore:RESTORE*", RESTORE, true),
    ("kvstore:Restore?nstance", RESTORE, true),
    ("kvstore:Restore??nstance", RESTORE, false),
    ("kvstore:RestoreInstance?", RESTORE, false),
    ("*:RestoreInstance", RESTORE, true),
    ("*:*", RESTORE, true),
    ("kv*:*", RESTORE, true),
    ("kvstore:**", RESTORE, true),
    ("*", RESTORE, true),
    ("kvstore:*Instance", RESTORE, true),
    ("r-kvstore:*", RESTORE, false),
    ("kvstore:Describe*", RESTORE, false),
    ("kvstore:RestoreInstances", RESTORE, false),
    ("ecs:RestoreInstance", RESTORE, false),
    // `?` is one character, not one byte, after folding.
    ("kvstore:?", "kvstore:é", true),
    ("kvstore:??", "kvstore:é", false),
    ("kvstore:?", "kvstore:🦀", true),
    ("kvstore:?", "kvstore:É", true),
    ("kvstore:É*", "kvstore:éte", true),
    ("kvstore:日本?", "kvstore:日本語", true),
    // Greek capital kappa is not Latin K in any case; the Kelvin sign lower-cases to `k`, and
    // the action index must agree with the matcher on it.
    ("\u{039A}vstore:*", RESTORE, false),
    ("\u{212A}vstore:*", RESTORE, true),
    ("\u{212A}VSTORE:RestoreInstance", RESTORE, true),
];

#[test]
fn action_matching() {
    let mut failures = Vec::new();
    for &(pattern, action, applies) in ACTIONS {
        for effect in ["Allow", "Deny"] {
            let statement = format!(
                r#"{{"Effect": "{effect}", "Action": {}, "Resource": "*"}}"#,
                serde_json::to_string(pattern).expect("string")
            );
            let mut documents = vec![doc(&statement)];
            if effect == "Deny" {
                documents.push(allow_all());
            }
            let set = identity_only(&documents);
            let req = request(action, ARN, "{}").expect("valid request");
            let expected = match (effect, applies) {
                ("Allow", true) => Allow,
                ("Allow", false) => ImplicitDeny,
                (_, true) => ExplicitDeny,
                (_, false) => Allow,
            };
            let got = decide(&set, &req);
            if got != (expected, ACCOUNT) {
                failures.push(format!(
                    "{effect} `{pattern}` vs `{action}`: expected {expected}, got {got:?}"
                ));
            }
        }
    }
    report("actions", failures);
}

#[test]
fn not_action_and_mixed_action_lists() {
    let cases: &[(&str, &str, Verdict)] = &[
        // (statements, request action, verdict)
        (
            r#"{"Effect": "Allow", "NotAction": "kvstore:Describe*", "Resource": "*"}"#,
            RESTORE,
            Allow,
        ),
        (
            r#"{"Effect": "Allow", "NotAction": ["ecs:*", "KVSTORE:RESTORE*"], "Resource": "*"}"#,
            RESTORE,
            ImplicitDeny,
        ),
        (
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "NotAction": "kvstore:Describe*", "Resource": "*"}"#,
            RESTORE,
            ExplicitDeny,
        ),
        // The index must find a Deny through any of its patterns.
        (
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["ecs:*", "KVSTORE:RESTOREINSTANCE"], "Resource": "*"}"#,
            RESTORE,
            ExplicitDeny,
        ),
        (
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["ecs:*", "*:restoreinstance"], "Resource": "*"}"#,
            RESTORE,
            ExplicitDeny,
        ),
        (
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": ["ecs:*", "k?store:*"], "Resource": "*"}"#,
            RESTORE,
            ExplicitDeny,
        ),
        (
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "KVStore:Restore*", "Resource": "*"}"#,
            "kvstore:restoreinstance",
            ExplicitDeny,
        ),
        // Order never matters; a one-element array is the string.
        (
            r#"{"Effect": "Deny", "Action": ["kvstore:RestoreInstance"], "Resource": ["*"]}, {"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
            RESTORE,
            ExplicitDeny,
        ),
        (
            r#"{"Effect": "Allow", "Action": ["kvstore:RestoreInstance"], "Resource": ["acs:kvstore:*:*:instance/*"]}"#,
            RESTORE,
            Allow,
        ),
    ];
    let mut failures = Vec::new();
    for (i, &(statements, action, expected)) in cases.iter().enumerate() {
        let set = identity_only(&[doc(statements)]);
        let got = decide(&set, &request(action, ARN, "{}").expect("valid request"));
        if got != (expected, ACCOUNT) {
            failures.push(format!("case {i}: expected {expected}, got {got:?}"));
        }
    }
    report("NotAction and lists", failures);
}

// ---------------------------------------------------------------------------------------------
// §2 Resource matching: (pattern in `Resource`, request resource, whether the statement applies)

#[rustfmt::skip]
const RESOURCES: &[(&str, &str, bool)] = &[
    ("acs:kvstore:*:*:instance/*", ARN, true),
    ("acs:kvstore:*:*:instance/R-BP1PROD01", ARN, false),
    ("acs:kvstore:CN-HANGZHOU:*:instance/*", ARN, false),
    ("acs:kvstore:*", ARN, true),
    ("acs:*", ARN, true),
    ("acs:kvstore", ARN, false),
    ("acs:", ARN, false),
    ("*", ARN, true),
    (
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod0?",
        ARN,
        true,
    ),
    (
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01?",
        ARN,
        false,
    ),
    ("acs:kvstore::*:instance/*", ARN, false),
    ("acs:kvstore:*:*:*prod*", ARN, true),
    ("acs:kvstore:*:*:instance/r-*prod*", ARN, true),
    // The relative id may hold colons; `*` crosses them.
    ("acs:oss:*:*:bucket/a:*", "acs:oss:cn-hangzhou:1:bucket/a:b:c", true),
    ("acs:oss:*:*:bucket/a:?", "acs:oss:cn-hangzhou:1:bucket/a:b:c", false),
    ("acs:ram::*:role/*", "acs:ram::1:role/admin", true),
    ("acs:kvstore:*:*:instance/?", "acs:kvstore:cn:1:instance/实", true),
    ("acs:kvstore:*:*:instance/??", "acs:kvstore:cn:1:instance/实", false),
];

#[test]
fn resource_matching() {
    let mut failures = Vec::new();
    for &(pattern, resource, applies) in RESOURCES {
        for negated in [false, true] {
            let member = if negated { "NotResource" } else { "Resource" };
            let statement = format!(
                r#"{{"Effect": "Allow", "Action": "*", "{member}": {}}}"#,
                serde_json::to_string(pattern).expect("string")
            );
            let set = identity_only(&[doc(&statement)]);
            let req = request(RESTORE, resource, "{}").expect("valid request");
            let expected = if applies != negated {
                Allow
            } else {
                ImplicitDeny
            };
            let got = decide(&set, &req);
            if got != (expected, ACCOUNT) {
                failures.push(format!(
                    "{member} `{pattern}` vs `{resource}`: expected {expected}, got {got:?}"
                ));
            }
        }
    }
    report("resources", failures);
}

#[test]
fn many_stars_against_a_long_resource_stay_linear() {
    let resource = format!("acs:kvstore:cn:1:instance/{}", "a".repeat(4_000));
    let no_b = format!("acs:{}*b", "*a".repeat(60));
    let all_a = format!("acs:{}*", "*a".repeat(60));
    // The resource holds 4,001 `a`s: one in `instance`.
    let every_a = format!("acs:*{}", "a*".repeat(4_001));
    let one_a_too_many = format!("acs:*{}", "a*".repeat(4_002));
    let mut failures = Vec::new();
    for (pattern, applies) in [
        (no_b, false),
        (all_a, true),
        (every_a, true),
        (one_a_too_many, false),
    ] {
        let statement = format!(r#"{{"Effect": "Allow", "Action": "*", "Resource": "{pattern}"}}"#);
        let set = identity_only(&[doc(&statement)]);
        let got = decide(&set, &request(RESTORE, &resource, "{}").expect("valid"));
        let expected = if applies { Allow } else { ImplicitDeny };
        if got != (expected, ACCOUNT) {
            failures.push(format!(
                "{}…: expected {expected}, got {got:?}",
                &pattern[..12]
            ));
        }
    }
    report("long inputs", failures);
}

// ---------------------------------------------------------------------------------------------
// §3 Conditions: (condition block, request context, whether the block holds). Each row runs as
// an Allow (holds ⇔ Allow, else ImplicitDeny) and as a Deny next to an allow-all (holds ⇔
// ExplicitDeny, else Allow).

#[rustfmt::skip]
const CONDITIONS: &[(&str, &str, &str, bool)] = &[
    // (name, block, context, holds)
    // String family.
    ("empty-string-value-equals", r#"{"StringEquals": {"acs:SourceVpc": ""}}"#, r#"{"acs:SourceVpc": ""}"#, true),
    ("empty-string-value-vs-text", r#"{"StringEquals": {"acs:SourceVpc": ""}}"#, r#"{"acs:SourceVpc": "vpc-1"}"#, false),
    ("empty-string-value-missing-key", r#"{"StringEquals": {"acs:SourceVpc": ""}}"#, "{}", false),
    ("empty-string-not-equals", r#"{"StringNotEquals": {"acs:SourceVpc": ""}}"#, r#"{"acs:SourceVpc": ""}"#, false),
    ("empty-string-like-empty", r#"{"StringLike": {"acs:SourceVpc": ""}}"#, r#"{"acs:SourceVpc": ""}"#, true),
    ("empty-string-like-text", r#"{"StringLike": {"acs:SourceVpc": ""}}"#, r#"{"acs:SourceVpc": "x"}"#, false),
    ("star-like-empty-request", r#"{"StringLike": {"acs:SourceVpc": "*"}}"#, r#"{"acs:SourceVpc": ""}"#, true),
    ("bool-request-as-string", r#"{"StringEquals": {"acs:SecureTransport": "false"}}"#, r#"{"acs:SecureTransport": false}"#, true),
    ("bool-request-string-case", r#"{"StringEquals": {"acs:SecureTransport": "False"}}"#, r#"{"acs:SecureTransport": false}"#, false),
    ("number-request-keeps-json-text", r#"{"StringEquals": {"kvstore:N": "1E2"}}"#, r#"{"kvstore:N": 1E2}"#, true),
    ("number-request-not-normalized", r#"{"StringEquals": {"kvstore:N": "100"}}"#, r#"{"kvstore:N": 1E2}"#, false),
    ("ignore-case-unicode", r#"{"StringEqualsIgnoreCase": {"kvstore:T": "ÉTÉ"}}"#, r#"{"kvstore:T": "été"}"#, true),
    ("ignore-case-ascii", r#"{"StringNotEqualsIgnoreCase": {"kvstore:T": "prod"}}"#, r#"{"kvstore:T": "PROD"}"#, false),
    ("like-is-case-sensitive", r#"{"StringLike": {"kvstore:T": "Prod*"}}"#, r#"{"kvstore:T": "prod-1"}"#, false),
    ("like-question-cjk", r#"{"StringLike": {"kvstore:T": "?"}}"#, r#"{"kvstore:T": "日"}"#, true),
    ("like-question-emoji", r#"{"StringLike": {"kvstore:T": "a?b"}}"#, r#"{"kvstore:T": "a🦀b"}"#, true),
    ("like-two-questions-one-char", r#"{"StringLike": {"kvstore:T": "??"}}"#, r#"{"kvstore:T": "é"}"#, false),
    ("like-star-crosses-slash-colon", r#"{"StringLike": {"kvstore:T": "a*z"}}"#, r#"{"kvstore:T": "a/b:c/z"}"#, true),
    ("equals-is-case-sensitive", r#"{"StringEquals": {"kvstore:T": "Prod"}}"#, r#"{"kvstore:T": "prod"}"#, false),
    // Condition keys.
    ("key-case-insensitive", r#"{"StringEquals": {"ACS:SOURCEVPC": "vpc-1"}}"#, r#"{"acs:sourcevpc": "vpc-1"}"#, true),
    ("key-unicode-case-insensitive", r#"{"StringEquals": {"acs:ResourceTag/ÉQUIPE": "a"}}"#, r#"{"acs:resourcetag/équipe": "a"}"#, true),
    ("key-with-two-colons", r#"{"StringEquals": {"acs:ResourceTag/a:b": "x"}}"#, r#"{"acs:ResourceTag/a:b": "x"}"#, true),
    ("key-with-two-colons-other-key", r#"{"StringEquals": {"acs:ResourceTag/a:b": "x"}}"#, r#"{"acs:ResourceTag/a": "x"}"#, false),
    ("key-with-slashes", r#"{"StringEquals": {"acs:ResourceTag/team/sub": "x"}}"#, r#"{"ACS:RESOURCETAG/TEAM/SUB": "x"}"#, true),
    ("key-value-case-still-matters", r#"{"StringEquals": {"acs:ResourceTag/env": "prod"}}"#, r#"{"acs:resourcetag/ENV": "PROD"}"#, false),
    // Numeric family.
    ("numeric-plus-in-policy", r#"{"NumericEquals": {"kvstore:N": "+5"}}"#, r#"{"kvstore:N": 5}"#, true),
    ("numeric-plus-in-request", r#"{"NumericEquals": {"kvstore:N": 5}}"#, r#"{"kvstore:N": "+5"}"#, true),
    ("numeric-exponent", r#"{"NumericEquals": {"kvstore:N": "1E2"}}"#, r#"{"kvstore:N": 100}"#, true),
    ("numeric-exponent-json", r#"{"NumericEquals": {"kvstore:N": 1e2}}"#, r#"{"kvstore:N": "100.000"}"#, true),
    ("numeric-negative-zero", r#"{"NumericEquals": {"kvstore:N": "-0"}}"#, r#"{"kvstore:N": 0}"#, true),
    ("numeric-negative-zero-not-below-zero", r#"{"NumericLessThan": {"kvstore:N": 0}}"#, r#"{"kvstore:N": "-0.0"}"#, false),
    ("numeric-exact-beyond-f64", r#"{"NumericEquals": {"kvstore:N": 9007199254740993}}"#, r#"{"kvstore:N": 9007199254740992}"#, false),
    ("numeric-exact-fraction", r#"{"NumericLessThan": {"kvstore:N": "0.30000000000000000001"}}"#, r#"{"kvstore:N": 0.3}"#, true),
    ("numeric-exact-fraction-equal", r#"{"NumericEquals": {"kvstore:N": 0.1}}"#, r#"{"kvstore:N": "0.10"}"#, true),
    ("numeric-huge-exponents", r#"{"NumericGreaterThan": {"kvstore:N": "1e999"}}"#, r#"{"kvstore:N": "1e1000"}"#, true),
    ("numeric-request-space", r#"{"NumericEquals": {"kvstore:N": 5}}"#, r#"{"kvstore:N": " 5"}"#, false),
    ("numeric-request-space-negated", r#"{"NumericNotEquals": {"kvstore:N": 5}}"#, r#"{"kvstore:N": " 5"}"#, false),
    ("numeric-request-hex-negated", r#"{"NumericNotEquals": {"kvstore:N": 16}}"#, r#"{"kvstore:N": "0x10"}"#, false),
    ("numeric-request-nan-negated", r#"{"NumericNotEquals": {"kvstore:N": 1}}"#, r#"{"kvstore:N": "NaN"}"#, false),
    ("numeric-request-bool", r#"{"NumericEquals": {"kvstore:N": 1}}"#, r#"{"kvstore:N": true}"#, false),
    ("numeric-not-equals-other", r#"{"NumericNotEquals": {"kvstore:N": [5, 6]}}"#, r#"{"kvstore:N": 7}"#, true),
    ("numeric-not-equals-nor", r#"{"NumericNotEquals": {"kvstore:N": [5, 6]}}"#, r#"{"kvstore:N": 6}"#, false),
    // Date family.
    ("date-minus-zero-offset", r#"{"DateEquals": {"acs:CurrentTime": "2026-06-01T12:00:00-00:00"}}"#, "{}", true),
    ("date-offset-same-instant", r#"{"DateEquals": {"acs:CurrentTime": "2026-06-01T20:00:00+08:00"}}"#, "{}", true),
    ("date-lowercase-t-z", r#"{"DateEquals": {"acs:CurrentTime": "2026-06-01t12:00:00z"}}"#, "{}", true),
    ("date-fraction-20-digits-greater", r#"{"DateGreaterThan": {"acs:CurrentTime": "2026-06-01T12:00:00Z"}}"#, r#"{"acs:CurrentTime": "2026-06-01T12:00:00.00000000000000000001Z"}"#, true),
    ("date-fraction-20-digits-not-equal", r#"{"DateEquals": {"acs:CurrentTime": "2026-06-01T12:00:00Z"}}"#, r#"{"acs:CurrentTime": "2026-06-01T12:00:00.00000000000000000001Z"}"#, false),
    ("date-fraction-trailing-zeros", r#"{"DateEquals": {"acs:CurrentTime": "2026-06-01T20:00:00.500+08:00"}}"#, r#"{"acs:CurrentTime": "2026-06-01T12:00:00.5z"}"#, true),
    ("date-less-than-now", r#"{"DateLessThan": {"acs:CurrentTime": "2026-06-01T12:00:00Z"}}"#, "{}", false),
    ("date-less-than-equals-now", r#"{"DateLessThanEquals": {"acs:CurrentTime": "2026-06-01T12:00:00Z"}}"#, "{}", true),
    ("date-fraction-just-after-now", r#"{"DateLessThan": {"acs:CurrentTime": "2026-06-01T12:00:00.000000000000000000001Z"}}"#, "{}", true),
    ("date-request-space", r#"{"DateNotEquals": {"kvstore:When": "2020-01-01T00:00:00Z"}}"#, r#"{"kvstore:When": "2026-06-01 12:00:00Z"}"#, false),
    ("date-request-date-only", r#"{"DateGreaterThan": {"kvstore:When": "2020-01-01T00:00:00Z"}}"#, r#"{"kvstore:When": "2026-06-01"}"#, false),
    ("date-request-leap-second", r#"{"DateGreaterThan": {"kvstore:When": "2000-01-01T00:00:00Z"}}"#, r#"{"kvstore:When": "2016-12-31T23:59:60Z"}"#, false),
    ("date-request-number", r#"{"DateGreaterThan": {"kvstore:When": "1970-01-01T00:00:00Z"}}"#, r#"{"kvstore:When": 1780000000}"#, false),
    ("date-negated-missing-key", r#"{"DateNotEquals": {"kvstore:T": "2026-01-01T00:00:00Z"}}"#, "{}", true),
    ("date-current-time-empty-list-is-the-clock", r#"{"DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#, r#"{"acs:CurrentTime": []}"#, true),
    // Bool.
    ("bool-json-true-vs-upper-string", r#"{"Bool": {"acs:MFAPresent": true}}"#, r#"{"acs:MFAPresent": "TRUE"}"#, true),
    ("bool-mixed-case-policy", r#"{"Bool": {"acs:MFAPresent": "False"}}"#, r#"{"acs:MFAPresent": false}"#, true),
    ("bool-one-element-array", r#"{"Bool": {"acs:MFAPresent": ["true"]}}"#, r#"{"acs:MFAPresent": true}"#, true),
    ("bool-request-number", r#"{"Bool": {"kvstore:Flag": true}}"#, r#"{"kvstore:Flag": 1}"#, false),
    ("bool-request-word", r#"{"Bool": {"kvstore:Flag": false}}"#, r#"{"kvstore:Flag": "no"}"#, false),
    ("bool-request-empty-list", r#"{"Bool": {"acs:MFAPresent": true}}"#, r#"{"acs:MFAPresent": []}"#, false),
    ("bool-for-all-json-true-all", r#"{"ForAllValues:Bool": {"acs:MFAPresent": true}}"#, r#"{"acs:MFAPresent": [true, "true"]}"#, true),
    ("bool-for-all-json-true-one-false", r#"{"ForAllValues:Bool": {"acs:MFAPresent": true}}"#, r#"{"acs:MFAPresent": [true, false]}"#, false),
    ("bool-for-all-missing", r#"{"ForAllValues:Bool": {"acs:MFAPresent": true}}"#, "{}", true),
    ("bool-for-all-bad-value", r#"{"ForAllValues:Bool": {"kvstore:Flag": true}}"#, r#"{"kvstore:Flag": [true, "yes"]}"#, false),
    ("bool-for-any-one-true", r#"{"ForAnyValue:Bool": {"acs:MFAPresent": true}}"#, r#"{"acs:MFAPresent": [false, true]}"#, true),
    ("bool-for-any-missing", r#"{"ForAnyValue:Bool": {"acs:MFAPresent": true}}"#, "{}", false),
    // IP.
    ("ip-mapped-v6-not-in-v4-net", r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#, r#"{"acs:SourceIp": "::ffff:10.0.0.1"}"#, false),
    ("ip-mapped-v6-not-ip-v4-net", r#"{"NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#, r#"{"acs:SourceIp": "::ffff:10.0.0.1"}"#, true),
    ("ip-v4-all", r#"{"IpAddress": {"acs:SourceIp": "0.0.0.0/0"}}"#, r#"{"acs:SourceIp": "203.0.113.9"}"#, true),
    ("ip-v4-all-not-v6", r#"{"IpAddress": {"acs:SourceIp": "0.0.0.0/0"}}"#, r#"{"acs:SourceIp": "2001:db8::1"}"#, false),
    ("ip-v6-all-has-mapped", r#"{"IpAddress": {"acs:SourceIp": "::/0"}}"#, r#"{"acs:SourceIp": "::ffff:10.0.0.1"}"#, true),
    ("ip-v6-all-not-v4", r#"{"IpAddress": {"acs:SourceIp": "::/0"}}"#, r#"{"acs:SourceIp": "10.0.0.1"}"#, false),
    ("ip-host-bits", r#"{"IpAddress": {"acs:SourceIp": "10.0.0.1/24"}}"#, r#"{"acs:SourceIp": "10.0.0.200"}"#, true),
    ("ip-host-bits-outside", r#"{"IpAddress": {"acs:SourceIp": "10.0.0.1/24"}}"#, r#"{"acs:SourceIp": "10.0.1.1"}"#, false),
    ("ip-single-address", r#"{"IpAddress": {"acs:SourceIp": "2001:db8::1"}}"#, r#"{"acs:SourceIp": "2001:DB8:0:0::1"}"#, true),
    ("ip-zone-id-request", r#"{"IpAddress": {"kvstore:ClientIp": "fe80::/10"}}"#, r#"{"kvstore:ClientIp": "fe80::1%eth0"}"#, false),
    ("ip-zone-id-request-negated", r#"{"NotIpAddress": {"kvstore:ClientIp": "10.0.0.0/8"}}"#, r#"{"kvstore:ClientIp": "fe80::1%eth0"}"#, false),
    ("ip-cidr-request", r#"{"IpAddress": {"kvstore:ClientIp": "10.0.0.0/8"}}"#, r#"{"kvstore:ClientIp": "10.0.0.1/32"}"#, false),
    ("ip-cidr-request-negated", r#"{"NotIpAddress": {"kvstore:ClientIp": "192.168.0.0/16"}}"#, r#"{"kvstore:ClientIp": "10.0.0.0/8"}"#, false),
    ("ip-leading-zero-request", r#"{"IpAddress": {"kvstore:ClientIp": "10.0.0.0/8"}}"#, r#"{"kvstore:ClientIp": "010.0.0.1"}"#, false),
    ("ip-number-request", r#"{"NotIpAddress": {"kvstore:ClientIp": "10.0.0.0/8"}}"#, r#"{"kvstore:ClientIp": 10}"#, false),
    ("ip-or-of-networks", r#"{"IpAddress": {"acs:SourceIp": ["192.168.0.0/16", "10.0.0.0/8"]}}"#, r#"{"acs:SourceIp": "10.1.1.1"}"#, true),
    ("ip-nor-of-networks", r#"{"NotIpAddress": {"acs:SourceIp": ["192.168.0.0/16", "10.0.0.0/8"]}}"#, r#"{"acs:SourceIp": "10.1.1.1"}"#, false),
    ("ip-negated-missing", r#"{"NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#, "{}", true),
    // Qualifiers and multi-valued keys.
    ("any-negated-like-one-unmatched", r#"{"ForAnyValue:StringNotLike": {"acs:TagKeys": "env*"}}"#, r#"{"acs:TagKeys": ["env", "team"]}"#, true),
    ("any-negated-like-all-matched", r#"{"ForAnyValue:StringNotLike": {"acs:TagKeys": "env*"}}"#, r#"{"acs:TagKeys": ["env", "envx"]}"#, false),
    ("any-negated-missing", r#"{"ForAnyValue:StringNotLike": {"acs:TagKeys": "env*"}}"#, "{}", false),
    ("any-negated-empty-list", r#"{"ForAnyValue:NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#, r#"{"acs:SourceIp": []}"#, false),
    ("all-negated-missing", r#"{"ForAllValues:StringNotLike": {"acs:TagKeys": "env*"}}"#, "{}", true),
    ("all-negated-empty-list", r#"{"ForAllValues:StringNotEquals": {"acs:TagKeys": "env"}}"#, r#"{"acs:TagKeys": []}"#, true),
    ("all-positive-empty-list", r#"{"ForAllValues:StringEquals": {"acs:TagKeys": "env"}}"#, r#"{"acs:TagKeys": []}"#, true),
    ("all-not-ip-one-inside", r#"{"ForAllValues:NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#, r#"{"acs:SourceIp": ["192.168.1.1", "10.0.0.1"]}"#, false),
    ("unqualified-negated-multi-one-unlisted", r#"{"StringNotEquals": {"acs:TagKeys": ["a", "b"]}}"#, r#"{"acs:TagKeys": ["a", "c"]}"#, true),
    ("unqualified-negated-multi-all-listed", r#"{"StringNotEquals": {"acs:TagKeys": ["a", "b"]}}"#, r#"{"acs:TagKeys": ["b", "a"]}"#, false),
    ("unqualified-negated-empty-list-is-missing", r#"{"StringNotEquals": {"acs:TagKeys": "a"}}"#, r#"{"acs:TagKeys": []}"#, true),
    // Each value is tested on its own: a bad value satisfies nothing, the matching one still does.
    ("any-bad-value-beside-match", r#"{"ForAnyValue:NumericEquals": {"kvstore:N": 1}}"#, r#"{"kvstore:N": [1, "one"]}"#, true),
    ("unqualified-bad-value-beside-match", r#"{"IpAddress": {"kvstore:ClientIp": "10.0.0.0/8"}}"#, r#"{"kvstore:ClientIp": ["10.0.0.1", "x"]}"#, true),
    ("all-bad-value-beside-match", r#"{"ForAllValues:IpAddress": {"kvstore:ClientIp": "10.0.0.0/8"}}"#, r#"{"kvstore:ClientIp": ["10.0.0.1", "x"]}"#, false),
    ("negated-bad-value-alone", r#"{"NotIpAddress": {"kvstore:ClientIp": "10.0.0.0/8"}}"#, r#"{"kvstore:ClientIp": ["x"]}"#, false),
    // Combination.
    ("keys-and", r#"{"StringEquals": {"kvstore:A": "1", "kvstore:B": "2"}}"#, r#"{"kvstore:A": "1"}"#, false),
    ("keys-and-both", r#"{"StringEquals": {"kvstore:A": "1", "kvstore:B": "2"}}"#, r#"{"kvstore:A": "1", "kvstore:B": "2"}"#, true),
    ("operators-and", r#"{"StringEquals": {"kvstore:A": "1"}, "StringNotEquals": {"kvstore:A": "1"}}"#, r#"{"kvstore:A": "1"}"#, false),
    ("qualified-and-plain-same-key", r#"{"StringEquals": {"kvstore:A": "1"}, "ForAnyValue:StringEquals": {"kvstore:A": ["1", "2"]}}"#, r#"{"kvstore:A": "1"}"#, true),
    ("alibaba-deny-unless-vpc", r#"{"StringNotLike": {"acs:SourceVpc": "vpc-*"}}"#, "{}", true),
    ("alibaba-deny-unless-vpc-in-vpc", r#"{"StringNotLike": {"acs:SourceVpc": "vpc-*"}}"#, r#"{"acs:SourceVpc": "vpc-123"}"#, false),
];

#[test]
fn conditions() {
    let mut failures = Vec::new();
    for &(name, block, context, holds) in CONDITIONS {
        let allow = doc(&format!(
            r#"{{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {block}}}"#
        ));
        let deny = doc(&format!(
            r#"{{"Effect": "Allow", "Action": "*", "Resource": "*"}}, {{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {block}}}"#
        ));
        let req = match request(RESTORE, ARN, context) {
            Ok(req) => req,
            Err(e) => {
                failures.push(format!("{name}: request refused: {e}"));
                continue;
            }
        };
        let allowed = decide(&identity_only(&[allow]), &req);
        let denied = decide(&identity_only(&[deny]), &req);
        let expected = if holds {
            ((Allow, ACCOUNT), (ExplicitDeny, ACCOUNT))
        } else {
            ((ImplicitDeny, ACCOUNT), (Allow, ACCOUNT))
        };
        if (allowed, denied) != expected {
            failures.push(format!(
                "{name}: block should {}hold; as Allow got {allowed:?}, as Deny got {denied:?}",
                if holds { "" } else { "not " }
            ));
        }
    }
    report("conditions", failures);
}

// ---------------------------------------------------------------------------------------------
// §1-3 Invalid documents: (name, document, every error in document order, as `code line:column`
// or `code @marker`: where the marker first occurs)

#[rustfmt::skip]
const INVALID: &[(&str, &str, &[&str])] = &[
    // Actions.
    ("action-two-stars", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "**", "Resource": "*"}]}"#, &["invalid-action-format @\"**\""]),
    ("action-three-parts", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:*:x", "Resource": "*"}]}"#, &["invalid-action-format @\"kvstore:*:x\""]),
    ("action-empty-code", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ":x", "Resource": "*"}]}"#, &["invalid-action-format @\":x\""]),
    ("action-empty-name", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*:", "Resource": "*"}]}"#, &["invalid-action-format @\"*:\""]),
    ("action-no-colon", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore*", "Resource": "*"}]}"#, &["invalid-action-format @\"kvstore*\""]),
    ("action-lone-colon", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ":", "Resource": "*"}]}"#, &["invalid-action-format @\":\""]),
    ("action-empty-string", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["kvstore:X", ""], "Resource": "*"}]}"#, &["empty-value @\"\"]"]),
    ("action-empty-array", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}"#, &["empty-value @[]"]),
    ("action-number", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": [5], "Resource": "*"}]}"#, &["data-type-mismatch @5]"]),
    ("action-and-not-action", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}]}"#, &["conflicting-policy-elements @\"NotAction\""]),
    ("action-missing", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Resource": "*"}]}"#, &["missing-policy-element 1:32"]),
    // Resources.
    ("resource-two-stars", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "**"}]}"#, &["invalid-arn-prefix @\"**\""]),
    ("resource-upper-prefix", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "ACS:*"}]}"#, &["invalid-arn-prefix @\"ACS:*\""]),
    ("resource-no-colon", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "acs"}]}"#, &["invalid-arn-prefix @\"acs\""]),
    ("resource-star-prefix", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*acs:*"}]}"#, &["invalid-arn-prefix @\"*acs:*\""]),
    ("resource-empty", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": ""}]}"#, &["empty-value @\"\"}"]),
    ("resource-missing", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*"}]}"#, &["missing-policy-element 1:32"]),
    ("resource-and-not-resource", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "*", "Resource": "*"}]}"#, &["conflicting-policy-elements @\"Resource\""]),
    // Document and statement members.
    ("version-one-point-zero", r#"{"Version": "1.0", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["invalid-version @\"1.0\""]),
    ("version-empty", r#"{"Version": "", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["invalid-version @\"\""]),
    ("version-number", r#"{"Version": 1, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["data-type-mismatch @1,"]),
    ("statement-empty", r#"{"Version": "1", "Statement": []}"#, &["empty-value @[]"]),
    ("statement-null", r#"{"Version": "1", "Statement": null}"#, &["data-type-mismatch @null"]),
    ("statement-item-string", r#"{"Version": "1", "Statement": ["x"]}"#, &["data-type-mismatch @\"x\""]),
    ("effect-lowercase", r#"{"Version": "1", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}"#, &["invalid-effect @\"allow\""]),
    ("effect-array", r#"{"Version": "1", "Statement": [{"Effect": ["Allow"], "Action": "*", "Resource": "*"}]}"#, &["data-type-mismatch @[\"Allow\"]"]),
    ("member-name-case", r#"{"Version": "1", "Statement": [{"effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["missing-policy-element 1:32", "invalid-policy-element @\"effect\""]),
    ("sid-empty", r#"{"Version": "1", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["empty-value @\"\""]),
    ("sid-number", r#"{"Version": "1", "Statement": [{"Sid": 1, "Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["data-type-mismatch @1,"]),
    ("principal-in-statement", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}"#, &["invalid-policy-element @\"Principal\""]),
    ("not-principal-in-statement", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "NotPrincipal": "*", "Action": "*", "Resource": "*"}]}"#, &["invalid-policy-element @\"NotPrincipal\""]),
    ("principal-at-document-level", r#"{"Version": "1", "Principal": "*", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["invalid-policy-element @\"Principal\""]),
    ("not-principal-at-document-level", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}], "NotPrincipal": {"RAM": "*"}}"#, &["invalid-policy-element @\"NotPrincipal\""]),
    ("unknown-document-member", r#"{"Version": "1", "Id": "x", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["invalid-policy-element @\"Id\""]),
    ("duplicate-version", r#"{"Version": "1", "Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#, &["duplicate-member @\"Version\": \"1\", \"Statement\""]),
    ("duplicate-effect-by-escape", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Eff\u0065ct": "Deny", "Action": "*", "Resource": "*"}]}"#, &["duplicate-member @\"Eff\\u0065ct\""]),
    // Conditions: structure.
    ("condition-empty", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}]}"#, &["empty-value @{}}]"]),
    ("condition-array", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []}]}"#, &["data-type-mismatch @[]}]"]),
    ("operator-empty", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {}}}]}"#, &["empty-value @{}}}"]),
    ("key-empty-array", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:A": []}}}]}"#, &["empty-value @[]}}"]),
    ("duplicate-operator", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:A": true}, "Bool": {"acs:B": true}}}]}"#, &["duplicate-member @\"Bool\": {\"acs:B\""]),
    ("duplicate-key-ignoring-case", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:Tag": "a", "ACS:TAG": "b"}}}]}"#, &["duplicate-member @\"ACS:TAG\""]),
    ("duplicate-key-ignoring-unicode-case", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:ResourceTag/É": "a", "acs:resourcetag/é": "b"}}}]}"#, &["duplicate-member @\"acs:resourcetag/é\""]),
    ("key-without-colon", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"MFAPresent": true}}}]}"#, &["invalid-condition-key-format @\"MFAPresent\""]),
    ("key-empty-code", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {":MFAPresent": true}}}]}"#, &["invalid-condition-key-format @\":MFAPresent\""]),
    ("key-empty-name", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:": true}}}]}"#, &["invalid-condition-key-format @\"acs:\""]),
    ("key-empty", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"": true}}}]}"#, &["invalid-condition-key-format @\"\": true"]),
    // Conditions: operators.
    ("operator-lowercase", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"stringEquals": {"acs:A": "x"}}}]}"#, &["invalid-condition-operator @\"stringEquals\""]),
    ("operator-if-exists", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualsIfExists": {"acs:A": "x"}}}]}"#, &["invalid-condition-operator @\"StringEqualsIfExists\""]),
    ("operator-null", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"acs:A": "true"}}}]}"#, &["invalid-condition-operator @\"Null\""]),
    ("operator-arn-like", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ArnLike": {"acs:A": "x"}}}]}"#, &["invalid-condition-operator @\"ArnLike\""]),
    ("operator-binary", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"BinaryEquals": {"acs:A": "eA=="}}}]}"#, &["invalid-condition-operator @\"BinaryEquals\""]),
    ("operator-bare-qualifier", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:": {"acs:A": "x"}}}]}"#, &["invalid-condition-operator @\"ForAnyValue:\""]),
    ("operator-qualifier-case", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyvalue:StringEquals": {"acs:A": "x"}}}]}"#, &["invalid-condition-operator @\"ForAnyvalue:StringEquals\""]),
    ("operator-two-qualifiers", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:ForAnyValue:StringEquals": {"acs:A": "x"}}}]}"#, &["invalid-condition-operator @\"ForAllValues:ForAnyValue:StringEquals\""]),
    ("operator-empty-name", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"": {"acs:A": "x"}}}]}"#, &["invalid-condition-operator @\"\""]),
    // Conditions: values.
    ("string-number", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:A": 5}}}]}"#, &["data-type-mismatch @5"]),
    ("string-bool", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"acs:A": [true]}}}]}"#, &["data-type-mismatch @true"]),
    ("string-null", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:A": null}}}]}"#, &["data-type-mismatch @null"]),
    ("string-nested-array", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:A": [["x"]]}}}]}"#, &["data-type-mismatch @[\"x\"]]"]),
    ("string-object", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:A": {"x": "y"}}}}]}"#, &["data-type-mismatch @{\"x\""]),
    ("numeric-empty-string", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": ""}}}]}"#, &["invalid-condition-value @\"\""]),
    ("numeric-nan", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": "NaN"}}}]}"#, &["invalid-condition-value @\"NaN\""]),
    ("numeric-infinity", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": "-Infinity"}}}]}"#, &["invalid-condition-value @\"-Infinity\""]),
    ("numeric-hex", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": "0x10"}}}]}"#, &["invalid-condition-value @\"0x10\""]),
    ("numeric-spaces", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": [" 5", "5 "]}}}]}"#, &["invalid-condition-value @\" 5\"", "invalid-condition-value @\"5 \""]),
    ("numeric-two-signs", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": ["+-5", "++5"]}}}]}"#, &["invalid-condition-value @\"+-5\"", "invalid-condition-value @\"++5\""]),
    ("numeric-bare-point", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": [".5", "5."]}}}]}"#, &["invalid-condition-value @\".5\"", "invalid-condition-value @\"5.\""]),
    ("numeric-leading-zero", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": "05"}}}]}"#, &["invalid-condition-value @\"05\""]),
    ("numeric-bool", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:A": true}}}]}"#, &["data-type-mismatch @true"]),
    ("date-empty", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": ""}}}]}"#, &["invalid-condition-value @\"\""]),
    ("date-space", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-06-01 12:00:00Z"}}}]}"#, &["invalid-condition-value @\"2026-06-01 12:00:00Z\""]),
    ("date-only", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-06-01"}}}]}"#, &["invalid-condition-value @\"2026-06-01\""]),
    ("date-no-seconds", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-06-01T12:00Z"}}}]}"#, &["invalid-condition-value @\"2026-06-01T12:00Z\""]),
    ("date-no-offset", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-06-01T12:00:00"}}}]}"#, &["invalid-condition-value @\"2026-06-01T12:00:00\""]),
    ("date-leap-second", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2016-12-31T23:59:60Z"}}}]}"#, &["invalid-condition-value @\"2016-12-31T23:59:60Z\""]),
    ("date-short-offset", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-06-01T12:00:00+8:00"}}}]}"#, &["invalid-condition-value @\"2026-06-01T12:00:00+8:00\""]),
    ("date-compact-offset", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-06-01T12:00:00+0800"}}}]}"#, &["invalid-condition-value @\"2026-06-01T12:00:00+0800\""]),
    ("date-not-leap-year", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-02-29T00:00:00Z"}}}]}"#, &["invalid-condition-value @\"2026-02-29T00:00:00Z\""]),
    ("date-empty-fraction", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": "2026-06-01T12:00:00.Z"}}}]}"#, &["invalid-condition-value @\"2026-06-01T12:00:00.Z\""]),
    ("date-epoch-number", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"acs:A": 1780000000}}}]}"#, &["data-type-mismatch @1780000000"]),
    ("bool-two-values", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:A": ["true", "false"]}}}]}"#, &["invalid-condition-multiple-boolean @[\"true\", \"false\"]"]),
    ("bool-same-value-twice", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:Bool": {"acs:A": [true, true]}}}]}"#, &["invalid-condition-multiple-boolean @[true, true]"]),
    ("bool-word", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:A": "yes"}}}]}"#, &["invalid-condition-value @\"yes\""]),
    ("bool-empty-string", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:A": ""}}}]}"#, &["invalid-condition-value @\"\""]),
    ("bool-number", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:A": 1}}}]}"#, &["data-type-mismatch @1}"]),
    ("ip-prefix-too-long", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"acs:A": "10.0.0.0/33"}}}]}"#, &["invalid-condition-value @\"10.0.0.0/33\""]),
    ("ip-zone-id", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"acs:A": "fe80::1%eth0"}}}]}"#, &["invalid-condition-value @\"fe80::1%eth0\""]),
    ("ip-octet-too-large", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"acs:A": "10.0.0.256"}}}]}"#, &["invalid-condition-value @\"10.0.0.256\""]),
    ("ip-trailing-space", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"acs:A": "10.0.0.0/8 "}}}]}"#, &["invalid-condition-value @\"10.0.0.0/8 \""]),
    ("ip-empty", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"acs:A": ""}}}]}"#, &["invalid-condition-value @\"\""]),
    // API-response wrappers: positions inside the decoded `PolicyDocument`.
    ("wrapped-empty-statement", r#"{"PolicyVersion": {"PolicyDocument": "{\"Version\": \"1\", \"Statement\": []}"}}"#, &["empty-value 1:31"]),
    ("wrapped-invalid-json", r#"{"PolicyVersion": {"PolicyDocument": "{\"Version\": \"1\",\n \"Statement\": ]}"}}"#, &["invalid-json 2:15"]),
    ("wrapped-wrapper", r#"{"PolicyVersion": {"PolicyDocument": "{\"PolicyVersion\": {\"PolicyDocument\": \"{}\"}}"}}"#, &["missing-policy-element 1:1", "missing-policy-element 1:1", "invalid-policy-element 1:2"]),
    ("wrapped-not-a-string", r#"{"PolicyVersion": {"PolicyDocument": ["x"]}}"#, &["invalid-policy-response 1:38"]),
    ("wrapper-duplicate-document", r#"{"PolicyVersion": {"PolicyDocument": "{}", "PolicyDocument": "{}"}}"#, &["duplicate-member 1:44"]),
    ("version-list-duplicate-list", r#"{"PolicyVersions": {"PolicyVersion": [{"IsDefaultVersion": true, "PolicyDocument": "{}"}], "PolicyVersion": []}}"#, &["duplicate-member @\"PolicyVersion\": []"]),
    ("version-list-no-default", r#"{"PolicyVersions": {"PolicyVersion": [{"IsDefaultVersion": false, "PolicyDocument": "{}"}]}}"#, &["invalid-policy-response 1:20"]),
    ("version-list-two-defaults", r#"{"PolicyVersions": {"PolicyVersion": [{"IsDefaultVersion": true, "PolicyDocument": "{}"}, {"IsDefaultVersion": true, "PolicyDocument": "{}"}]}}"#, &["invalid-policy-response 1:91"]),
];

/// Resolves an expected error, `code line:column` or `code @marker` (the marker's first
/// occurrence in a one-line document), to `code line:column`.
fn resolve(text: &str, expected: &str) -> String {
    let Some((code, marker)) = expected.split_once(" @") else {
        return expected.to_string();
    };
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("marker `{marker}` is not in the document"));
    format!("{code} 1:{}", text[..at].chars().count() + 1)
}

#[test]
fn invalid_documents() {
    let mut failures = Vec::new();
    for &(name, text, expected) in INVALID {
        let expected: Vec<String> = expected.iter().map(|e| resolve(text, e)).collect();
        let got: Vec<String> = errors(text)
            .into_iter()
            .map(|(code, at)| format!("{code} {at}").trim_end().to_string())
            .collect();
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    report("invalid documents", failures);
}

/// Documents at the edges of the grammar that docs/semantics.md accepts.
#[rustfmt::skip]
const VALID: &[(&str, &str)] = &[
    ("bare-statement", r#"{"Version": "1", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#),
    ("wildcard-code-and-name", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["*:*", "kvstore:**", "*:Restore*", "k?store:?*"], "Resource": "*"}]}"#),
    ("partial-resources", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": ["acs:", "acs:*", "acs:kvstore:*", "acs:kvstore:cn-hangzhou:*"]}]}"#),
    ("empty-string-condition-values", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:A": ""}, "StringLike": {"acs:B": ["", "x"]}}}]}"#),
    ("key-with-colons-and-slashes", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:ResourceTag/a:b/c": "x"}}}]}"#),
    ("same-key-different-operators", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"acs:A": "x"}, "ForAnyValue:StringEquals": {"ACS:A": "y"}}}]}"#),
    ("date-forms", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateGreaterThan": {"acs:CurrentTime": ["2026-06-01T12:00:00.00000000000000000001-00:00", "2026-06-01t12:00:00z", "0000-01-01T00:00:00+23:59"]}}}]}"#),
    ("numeric-forms", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"acs:N": ["+5", "1E2", "-0", 1e2, -0.0, "1e-400"]}}}]}"#),
    ("bool-forms", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:Bool": {"acs:A": true}, "Bool": {"acs:B": "FALSE"}, "ForAnyValue:Bool": {"acs:C": ["tRuE"]}}}]}"#),
    ("ip-forms", r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"acs:SourceIp": ["::ffff:10.0.0.1", "0.0.0.0/0", "::/0", "10.0.0.1/24", "2001:DB8::/32"]}}}]}"#),
    ("unicode-sid", r#"{"Version": "1", "Statement": [{"Sid": "恢复-é", "Effect": "Deny", "NotAction": "kvstore:Describe*", "NotResource": "acs:kvstore:*:*:instance/r-dev*"}]}"#),
    ("bom-file", "\u{feff}{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"),
];

#[test]
fn valid_documents() {
    let mut failures = Vec::new();
    for &(name, text) in VALID {
        if let Err(e) = Policy::from_text(name, text) {
            failures.push(format!("{name}: refused:\n{e}"));
        }
    }
    report("valid documents", failures);
}

// ---------------------------------------------------------------------------------------------
// §1 Wrappers: the document in force decides.

#[test]
fn wrappers_evaluate_the_document_in_force() {
    let embed = |d: &str| serde_json::to_string(d).expect("string");
    let cases: Vec<(&str, String, Verdict)> = vec![
        (
            "get-policy-default-version-over-policy-document",
            format!(
                r#"{{"Policy": {{"PolicyName": "P", "PolicyDocument": {}}}, "DefaultPolicyVersion": {{"PolicyDocument": {}}}}}"#,
                embed(&allow_restore()),
                embed(&allow_ecs())
            ),
            ImplicitDeny,
        ),
        (
            "get-policy-policy-document",
            format!(
                r#"{{"Policy": {{"PolicyName": "P", "PolicyDocument": {}}}}}"#,
                embed(&allow_restore())
            ),
            Allow,
        ),
        (
            "list-versions-default-one",
            format!(
                r#"{{"PolicyVersions": {{"PolicyVersion": [{{"VersionId": "v1", "IsDefaultVersion": false, "PolicyDocument": {}}}, {{"VersionId": "v2", "IsDefaultVersion": true, "PolicyDocument": {}}}]}}}}"#,
                embed(&allow_restore()),
                embed(&allow_ecs())
            ),
            ImplicitDeny,
        ),
        (
            "get-policy-version-document-as-object",
            format!(
                r#"{{"PolicyVersion": {{"PolicyDocument": {}}}}}"#,
                allow_restore()
            ),
            Allow,
        ),
        (
            "get-policy-version-embedded-bare-statement",
            format!(
                r#"{{"RequestId": "x", "PolicyVersion": {{"PolicyDocument": {}}}}}"#,
                embed(
                    r#"{"Version": "1", "Statement": {"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "acs:kvstore:*:*:instance/*"}}"#
                )
            ),
            Allow,
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, expected) in cases {
        let set = identity_only(&[text]);
        let got = decide(&set, &request(RESTORE, ARN, "{}").expect("valid"));
        if got != (expected, ACCOUNT) {
            failures.push(format!("{name}: expected {expected}, got {got:?}"));
        }
    }
    report("wrappers", failures);
}

/// docs/semantics.md §1 is silent on a byte-order mark at the start of an embedded `PolicyDocument`
/// string. It is read like one at the start of a file (skipped, columns counted after it); this
/// pins that, so a change is deliberate.
#[test]
fn a_bom_inside_an_embedded_document_is_skipped_like_a_file_bom() {
    let embedded = |version: &str| {
        format!(
            r#"{{"PolicyVersion": {{"PolicyDocument": "\ufeff{{\"Version\": \"{version}\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}]}}"}}}}"#
        )
    };
    let set = identity_only(&[embedded("1")]);
    let got = decide(&set, &request(RESTORE, ARN, "{}").expect("valid"));
    assert_eq!(got, (Allow, ACCOUNT));
    assert_eq!(
        errors(&embedded("2")),
        [("invalid-version".to_string(), "1:13".to_string())]
    );
}

/// docs/semantics.md §1: documents over RAM's size limits still evaluate (`check` reports them).
#[test]
fn documents_over_the_size_limits_still_evaluate() {
    let long_sid = "S".repeat(7_000);
    let text = doc(&format!(
        r#"{{"Sid": "{long_sid}", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}}"#
    ));
    assert!(text.chars().count() > 6_144);
    let set = PolicySet::builder()
        .session(policy("session", &text))
        .control(policy("control", &text))
        .identity(policy("identity", &text))
        .build()
        .expect("set builds");
    assert_eq!(
        decide(&set, &request(RESTORE, ARN, "{}").expect("valid")),
        (Allow, ACCOUNT)
    );
}

// ---------------------------------------------------------------------------------------------
// §4 Layers: control, session, account scope, resource groups.

struct Layers {
    control: Vec<String>,
    session: Option<String>,
    identity: Vec<String>,
    /// (group, resources it holds, policies attached in its scope)
    groups: Vec<(&'static str, Vec<&'static str>, Vec<String>)>,
}

impl Layers {
    fn set(&self) -> PolicySet {
        let mut b = PolicySet::builder();
        for (i, d) in self.control.iter().enumerate() {
            b = b.control(policy(&format!("control{i}"), d));
        }
        if let Some(d) = &self.session {
            b = b.session(policy("session", d));
        }
        for (i, d) in self.identity.iter().enumerate() {
            b = b.identity(policy(&format!("identity{i}"), d));
        }
        for (group, resources, policies) in &self.groups {
            for (i, d) in policies.iter().enumerate() {
                b = b.resource_group_identity(*group, policy(&format!("{group}-{i}"), d));
            }
            b = b.resource_group(*group, resources.iter().copied());
        }
        b.build().expect("set builds")
    }
}

#[test]
fn layers() {
    let other = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-other";
    let upper = "acs:kvstore:cn-hangzhou:1234567890123456:instance/R-BP1PROD01";
    let l = |control: Vec<String>,
             session: Option<String>,
             identity: Vec<String>,
             groups: Vec<(&'static str, Vec<&'static str>, Vec<String>)>| Layers {
        control,
        session,
        identity,
        groups,
    };
    let cases: Vec<(&str, Layers, (Verdict, PolicyType))> = vec![
        (
            "all-layers-group-allows",
            l(
                vec![allow_all()],
                Some(allow_all()),
                vec![],
                vec![("rg", vec![ARN], vec![allow_restore()])],
            ),
            (Allow, GROUP),
        ),
        (
            "all-layers-group-denies",
            l(
                vec![allow_all()],
                Some(allow_all()),
                vec![allow_ecs()],
                vec![("rg", vec![ARN], vec![deny_all()])],
            ),
            (ExplicitDeny, GROUP),
        ),
        (
            "all-layers-account-allows-before-group-deny",
            l(
                vec![allow_all()],
                Some(allow_all()),
                vec![allow_restore()],
                vec![("rg", vec![ARN], vec![deny_all()])],
            ),
            (Allow, ACCOUNT),
        ),
        (
            "all-layers-account-deny-before-group-allow",
            l(
                vec![allow_all()],
                Some(allow_all()),
                vec![deny_all()],
                vec![("rg", vec![ARN], vec![allow_all()])],
            ),
            (ExplicitDeny, ACCOUNT),
        ),
        (
            "session-silent",
            l(
                vec![allow_all()],
                Some(allow_ecs()),
                vec![allow_all()],
                vec![("rg", vec![ARN], vec![allow_all()])],
            ),
            (ImplicitDeny, SESSION),
        ),
        (
            "session-denies",
            l(
                vec![allow_all()],
                Some(doc(
                    r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "kvstore:Restore*", "Resource": "*"}"#,
                )),
                vec![allow_all()],
                vec![],
            ),
            (ExplicitDeny, SESSION),
        ),
        (
            "control-silent-before-session",
            l(
                vec![allow_ecs()],
                Some(allow_all()),
                vec![allow_all()],
                vec![("rg", vec![ARN], vec![allow_all()])],
            ),
            (ImplicitDeny, CONTROL),
        ),
        (
            "control-deny-in-one-of-two",
            l(
                vec![
                    allow_all(),
                    doc(
                        r#"{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/*prod*"}"#,
                    ),
                ],
                None,
                vec![allow_all()],
                vec![],
            ),
            (ExplicitDeny, CONTROL),
        ),
        (
            "control-deny-beats-session-deny",
            l(
                vec![deny_all()],
                Some(deny_all()),
                vec![allow_all()],
                vec![],
            ),
            (ExplicitDeny, CONTROL),
        ),
        (
            "control-allows-nothing-else",
            l(vec![allow_all()], None, vec![], vec![]),
            (ImplicitDeny, ACCOUNT),
        ),
        (
            "session-allows-nothing-else",
            l(vec![], Some(allow_all()), vec![], vec![]),
            (ImplicitDeny, ACCOUNT),
        ),
        (
            "group-allows-only-via-group-control-silent",
            l(
                vec![allow_ecs()],
                None,
                vec![],
                vec![("rg", vec![ARN], vec![allow_all()])],
            ),
            (ImplicitDeny, CONTROL),
        ),
        (
            "two-groups-allow-and-deny",
            l(
                vec![],
                None,
                vec![],
                vec![
                    ("rg-a", vec![ARN], vec![allow_all()]),
                    ("rg-b", vec![ARN], vec![deny_all()]),
                ],
            ),
            (ExplicitDeny, GROUP),
        ),
        (
            "two-groups-deny-and-allow",
            l(
                vec![],
                None,
                vec![],
                vec![
                    ("rg-a", vec![ARN], vec![deny_all()]),
                    ("rg-b", vec![ARN], vec![allow_all()]),
                ],
            ),
            (ExplicitDeny, GROUP),
        ),
        (
            "two-groups-allow-and-silent",
            l(
                vec![],
                None,
                vec![],
                vec![
                    ("rg-a", vec![ARN], vec![allow_ecs()]),
                    ("rg-b", vec![ARN], vec![allow_restore()]),
                ],
            ),
            (Allow, GROUP),
        ),
        (
            "two-groups-both-silent",
            l(
                vec![],
                None,
                vec![],
                vec![
                    ("rg-a", vec![ARN], vec![allow_ecs()]),
                    ("rg-b", vec![ARN], vec![allow_ecs()]),
                ],
            ),
            (ImplicitDeny, GROUP),
        ),
        (
            "group-deny-for-other-resource-only",
            l(
                vec![],
                None,
                vec![],
                vec![
                    ("rg-a", vec![ARN], vec![allow_all()]),
                    ("rg-b", vec![other], vec![deny_all()]),
                ],
            ),
            (Allow, GROUP),
        ),
        (
            "group-not-holding-resource",
            l(
                vec![],
                None,
                vec![],
                vec![("rg", vec![other], vec![allow_all()])],
            ),
            (ImplicitDeny, ACCOUNT),
        ),
        (
            "group-membership-is-case-sensitive",
            l(
                vec![],
                None,
                vec![],
                vec![("rg", vec![upper], vec![allow_all()])],
            ),
            (ImplicitDeny, ACCOUNT),
        ),
        (
            "group-without-resources",
            l(
                vec![],
                None,
                vec![],
                vec![("rg", vec![], vec![allow_all()])],
            ),
            (ImplicitDeny, ACCOUNT),
        ),
        (
            "group-allow-condition-missing-key",
            l(
                vec![],
                None,
                vec![],
                vec![(
                    "rg",
                    vec![ARN],
                    vec![doc(
                        r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:MFAPresent": true}}}"#,
                    )],
                )],
            ),
            (ImplicitDeny, GROUP),
        ),
        (
            "group-deny-negated-missing-key",
            l(
                vec![],
                None,
                vec![],
                vec![(
                    "rg",
                    vec![ARN],
                    vec![
                        allow_all(),
                        doc(
                            r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotLike": {"acs:SourceVpc": "vpc-*"}}}"#,
                        ),
                    ],
                )],
            ),
            (ExplicitDeny, GROUP),
        ),
    ];
    let mut failures = Vec::new();
    for (name, layers, expected) in cases {
        let got = decide(&layers.set(), &request(RESTORE, ARN, "{}").expect("valid"));
        if got != expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    report("layers", failures);
}

// ---------------------------------------------------------------------------------------------
// §2-3 Requests the engine must refuse, and request files.

#[test]
fn invalid_requests() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (name, action, resource, context)
        ("action-three-parts", "kvstore:*:x", ARN, "{}"),
        ("action-empty-code", ":x", ARN, "{}"),
        ("action-empty-name", "kvstore:", ARN, "{}"),
        ("action-no-colon", "RestoreInstance", ARN, "{}"),
        (
            "resource-partial",
            RESTORE,
            "acs:kvstore:cn-hangzhou:1",
            "{}",
        ),
        (
            "resource-no-prefix",
            RESTORE,
            "kvstore:cn-hangzhou:1:instance/r-1",
            "{}",
        ),
        (
            "key-without-colon",
            RESTORE,
            ARN,
            r#"{"SourceIp": "10.0.0.1"}"#,
        ),
        (
            "key-empty-code",
            RESTORE,
            ARN,
            r#"{":SourceIp": "10.0.0.1"}"#,
        ),
        ("key-empty-name", RESTORE, ARN, r#"{"acs:": "10.0.0.1"}"#),
        (
            "keys-equal-ignoring-case",
            RESTORE,
            ARN,
            r#"{"acs:SourceIp": "10.0.0.1", "ACS:sourceip": "10.0.0.2"}"#,
        ),
        (
            "keys-equal-ignoring-unicode-case",
            RESTORE,
            ARN,
            r#"{"acs:ResourceTag/É": "a", "acs:resourcetag/é": "b"}"#,
        ),
        (
            "current-time-twice",
            RESTORE,
            ARN,
            r#"{"acs:CurrentTime": "2026-01-01T00:00:00Z", "ACS:CURRENTTIME": "2027-01-01T00:00:00Z"}"#,
        ),
    ];
    let mut failures = Vec::new();
    for &(name, action, resource, context) in cases {
        if let Ok(r) = request(action, resource, context) {
            failures.push(format!(
                "{name}: accepted as {} on {}",
                r.action(),
                r.resource()
            ));
        }
    }
    for (name, text) in [
        (
            "context-given-twice",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:MFAPresent": true}, "context": {"acs:SourceIp": "10.0.0.1"}}"#,
        ),
        (
            "resource-given-twice",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-2"}"#,
        ),
        (
            "context-key-twice-exactly",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:MFAPresent": true, "acs:MFAPresent": false}}"#,
        ),
        (
            "context-null-value",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:MFAPresent": null}}"#,
        ),
        (
            "context-nested-list",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:TagKeys": [["a"]]}}"#,
        ),
    ] {
        if Request::from_json_text(text).is_ok() {
            failures.push(format!("{name}: request file accepted"));
        }
    }
    report("invalid requests", failures);
}

/// An empty list counts as a missing key (docs/semantics.md §3), so `acs:CurrentTime: []` falls back to
/// the evaluation clock like an absent key: it must not blank out the time a Deny reads.
#[test]
fn an_empty_current_time_falls_back_to_the_clock() {
    let req = request(RESTORE, ARN, r#"{"acs:CurrentTime": []}"#).expect("valid");
    let times: Vec<&str> = req
        .context()
        .get("acs:CurrentTime")
        .iter()
        .map(|v| v.text())
        .collect();
    assert_eq!(times, [NOW]);
    let guard = doc(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}}"#,
    );
    let set = PolicySet::builder()
        .control(policy("guard", &guard))
        .identity(policy("id", &allow_all()))
        .build()
        .expect("set builds");
    assert_eq!(decide(&set, &req), (ExplicitDeny, CONTROL));
    let file = Request::from_json_text(
        r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:CurrentTime": []}}"#,
    )
    .expect("valid request file");
    assert_eq!(file.context().get("acs:currenttime").len(), 1);
    assert_eq!(set.evaluate(&file).verdict, ExplicitDeny);
}
