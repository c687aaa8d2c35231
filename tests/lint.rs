//! The lint rules of `ramguard check`: one fixture per finding code in `tests/lint/` (named
//! `<code>.json` or `<code>.<variant>.json`, `*.session.json` checked as a session policy), with
//! snapshots of its text, JSON and SARIF reports; security warnings that must fire (and must
//! not); and every "redundant", "shadowed" or "can never match" claim checked against the
//! engine — deleting the statement a finding calls useless must not change one decision.

use std::path::{Path, PathBuf};

use ramguard::lint::{CheckOptions, CheckRun, DocumentKind, Finding, RULES, lint_source};
use ramguard::report::ReportFormat;
use ramguard::span::Source;
use ramguard::value::Timestamp;
use ramguard::{Policy, PolicySet, Request, Verdict};

/// The time tests judge grants at.
fn test_now() -> ramguard::value::Timestamp {
    ramguard::value::Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("a valid instant")
}

fn document(statements: &[&str]) -> String {
    format!(
        r#"{{"Version": "1", "Statement": [{}]}}"#,
        statements.join(", ")
    )
}

fn lint(kind: DocumentKind, statements: &[&str]) -> Vec<Finding> {
    lint_source(
        "p",
        Source::new("p.json", document(statements)),
        kind,
        &test_now(),
    )
}

/// The codes found in a policy made of these statements.
fn codes(statements: &[&str]) -> Vec<&'static str> {
    lint(DocumentKind::Policy, statements)
        .iter()
        .map(|f| f.code())
        .collect()
}

/// One `Allow` of `action` on `resource`, with an optional condition block.
fn allow(action: &str, resource: &str, condition: &str) -> String {
    statement("Allow", "Action", action, "Resource", resource, condition)
}

fn deny(action: &str, resource: &str, condition: &str) -> String {
    statement("Deny", "Action", action, "Resource", resource, condition)
}

fn statement(
    effect: &str,
    action_member: &str,
    action: &str,
    resource_member: &str,
    resource: &str,
    condition: &str,
) -> String {
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(r#", "Condition": {condition}"#)
    };
    format!(
        r#"{{"Effect": "{effect}", "{action_member}": {action}, "{resource_member}": {resource}{condition}}}"#
    )
}

/// Requests over the actions, resources and contexts the probes talk about.
fn requests() -> Vec<(bool, Request)> {
    let actions = [
        "kvstore:RestoreInstance",
        "kvstore:DescribeInstances",
        "kvstore:DeleteInstance",
        "ecs:DescribeInstances",
    ];
    let resources = [
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01",
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-dev01",
        "acs:kvstore:cn-beijing:2222222222222222:instance/r-prod02",
        "acs:kvstore:cn-hangzhou:1234567890123456:db/x",
        "acs:ecs:cn-hangzhou:1234567890123456:instance/i-1",
    ];
    type Ctx = &'static [(&'static str, &'static str)];
    let contexts: &[Ctx] = &[
        &[],
        &[("acs:SourceIp", "10.0.0.1")],
        &[("acs:SourceIp", "192.168.0.1")],
        &[("acs:SourceVpc", "vpc-1")],
        &[("acs:SourceVpc", "vpc-2"), ("acs:SourceIp", "10.0.0.1")],
        &[("acs:MFAPresent", "true")],
        &[
            ("acs:MFAPresent", "false"),
            ("acs:SecureTransport", "false"),
        ],
        &[("acs:CurrentTime", "2027-06-01T00:00:00Z")],
    ];
    let now = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let mut out = Vec::new();
    for action in actions {
        // A service's actions authorize on its own resources only: other pairs never reach RAM.
        let service = action.split(':').next().unwrap_or_default();
        for resource in resources
            .iter()
            .filter(|r| r.split(':').nth(1) == Some(service))
        {
            for context in contexts {
                let mut builder = Request::builder(action, *resource).at(now.clone());
                for (key, value) in *context {
                    builder = builder.context(*key, *value);
                }
                // A restore authorizes on an instance ARN: the requests a restore guardrail
                // is judged on.
                let restore =
                    action == "kvstore:RestoreInstance" && resource.contains(":instance/r-");
                out.push((restore, builder.build().unwrap()));
            }
        }
    }
    out
}

/// The decisions of an identity policy made of `statements`, on restore requests only or on all.
fn verdicts(statements: &[&str], restores_only: bool) -> Vec<Verdict> {
    let mut builder = PolicySet::builder();
    // A policy of no statement is refused: the set without it decides the same.
    if !statements.is_empty() {
        builder = builder.identity(Policy::from_text("p", &document(statements)).unwrap());
    }
    let set = builder.build().unwrap();
    requests()
        .iter()
        .filter(|(restore, _)| *restore || !restores_only)
        .map(|(_, r)| set.evaluate(r).verdict)
        .collect()
}

/// Lints the statements, checks every claim that a statement is useless against the engine,
/// and returns the codes found.
fn claims_hold(statements: &[&str]) -> Vec<&'static str> {
    let findings = lint(DocumentKind::Policy, statements);
    for f in &findings {
        let restores_only = match f.code() {
            "redundant-statement" | "shadowed-by-deny" | "statement-never-matches" => false,
            "deny-never-matches-restore" => true,
            _ => continue,
        };
        let index = f
            .statement_index()
            .expect("a statement finding names its statement");
        let without: Vec<&str> = statements
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != index)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(
            verdicts(statements, restores_only),
            verdicts(&without, restores_only),
            "`{}` on Statement[{index}] is false: deleting it changes decisions\n{}",
            f.code(),
            document(statements)
        );
    }
    findings.iter().map(|f| f.code()).collect()
}

const RESTORE: &str = r#""kvstore:RestoreInstance""#;
const ANY: &str = r#""*""#;
const ARN: &str = r#""acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01""#;

// --- one fixture per rule ------------------------------------------------------------------

/// The fixture's path relative to the crate root, as a user would type it, so that reports
/// and snapshots do not depend on where the checkout lives.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

fn options_for(path: &Path) -> CheckOptions {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    CheckOptions {
        session_policies: if name.ends_with(".session.json") {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        },
        ..CheckOptions::default()
    }
}

fn render(run: &CheckRun, format: ReportFormat) -> String {
    let mut out = Vec::new();
    format.emitter().emit(run, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The code a fixture is named after.
fn code_of(path: &Path) -> &str {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.split('.').next().unwrap_or_default()
}

#[test]
fn fixtures() {
    insta::glob!("lint/*.json", |absolute| {
        let path = relative(absolute);
        let run = CheckRun::check(std::slice::from_ref(&path), &options_for(&path)).unwrap();
        let code = code_of(&path);
        assert!(
            run.findings.iter().any(|f| f.code() == code),
            "{} does not report `{code}`",
            path.display()
        );
        insta::assert_snapshot!("text", render(&run, ReportFormat::Text));
        insta::assert_snapshot!("json", render(&run, ReportFormat::Json));
        let sarif: serde_json::Value =
            serde_json::from_str(&render(&run, ReportFormat::Sarif)).unwrap();
        insta::assert_json_snapshot!("sarif", sarif, {".runs[].tool.driver.version" => "[version]"});
    });
}

#[test]
fn every_rule_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.code)
        .filter(|code| {
            !names
                .iter()
                .any(|n| n.split('.').next() == Some(code) && n.ends_with(".json"))
        })
        .collect();
    assert_eq!(missing, Vec::<&str>::new());
}

// --- restore-on-every-instance: every way of granting the restore everywhere -------------

#[test]
fn broad_restore_grants_are_all_reported() {
    let actions = [
        r#""*""#,
        r#""*:*""#,
        r#""kvstore:*""#,
        r#""kvstore:Restore*""#,
        r#""kvstore:R?storeInstance""#,
        r#""*:RestoreInstance""#,
        r#""KVSTORE:restoreinstance""#,
        r#""kvstore:*Instance""#,
        r#""k*:r*""#,
        r#"["kvstore:Describe*", "kvstore:RestoreInstance"]"#,
    ];
    for action in actions {
        assert_eq!(
            codes(&[&allow(action, ANY, "")]),
            ["restore-on-every-instance"],
            "{action}"
        );
    }
    let resources = [
        r#""acs:kvstore:*:*:*""#,
        r#""acs:*:*:*:instance/*""#,
        r#""acs:kvstore:cn-*:*:instance/*""#,
        r#""acs:kvstore:*:1234567890123456:instance/*""#,
        r#""acs:kvstore:cn-hangzhou:1234567890123456:instance/r-*""#,
    ];
    for resource in resources {
        assert_eq!(
            codes(&[&allow(RESTORE, resource, "")]),
            ["restore-on-every-instance"],
            "{resource}"
        );
    }
}

#[test]
fn broad_restore_through_not_action_and_not_resource() {
    let not_action = statement("Allow", "NotAction", r#""ecs:*""#, "Resource", ANY, "");
    assert_eq!(
        codes(&[&not_action]),
        ["allow-not-action", "restore-on-every-instance"]
    );
    let not_resource = statement(
        "Allow",
        "Action",
        r#""kvstore:*""#,
        "NotResource",
        r#""acs:kvstore:*:*:instance/r-prod*""#,
        "",
    );
    assert_eq!(
        codes(&[&not_resource]),
        ["restore-on-every-instance", "allow-not-resource"]
    );
}

#[test]
fn not_lists_that_exclude_the_restore_are_not_restore_grants() {
    for excluded in [r#""kvstore:Restore*""#, r#""KVSTORE:restoreINSTANCE""#] {
        let s = statement("Allow", "NotAction", excluded, "Resource", ANY, "");
        assert_eq!(codes(&[&s]), ["allow-not-action"], "{excluded}");
    }
    let s = statement(
        "Allow",
        "Action",
        r#""kvstore:*""#,
        "NotResource",
        r#""acs:kvstore:*:*:instance/*""#,
        "",
    );
    assert_eq!(codes(&[&s]), ["allow-not-resource"]);
}

#[test]
fn conditions_that_do_not_restrict_do_not_silence_the_warning() {
    let unrestricting = [
        (
            r#"{"ForAllValues:IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
            &["restore-on-every-instance", "for-all-values-in-allow"][..],
        ),
        (
            r#"{"NotIpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
            &["restore-on-every-instance"],
        ),
        (
            r#"{"StringNotLike": {"acs:SourceVpc": "vpc-*"}}"#,
            &["restore-on-every-instance"],
        ),
        (
            r#"{"Bool": {"acs:MFAPresent": "false"}}"#,
            &["restore-on-every-instance"],
        ),
        (
            r#"{"Bool": {"acs:SecureTransport": "true"}}"#,
            &["restore-on-every-instance"],
        ),
        // A match-all value leaves only "the key is present".
        (
            r#"{"StringLike": {"acs:SourceVpc": "*"}}"#,
            &["restore-on-every-instance"],
        ),
        (
            r#"{"ForAnyValue:StringLike": {"acs:SourceVpc": "**"}}"#,
            &["restore-on-every-instance"],
        ),
        (
            r#"{"IpAddress": {"acs:SourceIp": "0.0.0.0/0"}}"#,
            &["restore-on-every-instance"],
        ),
        (
            r#"{"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "::/0"]}}"#,
            &["restore-on-every-instance"],
        ),
        (
            r#"{"StringLike": {"acs:SourceIp": "*"}}"#,
            &["restore-on-every-instance", "condition-key-type-mismatch"],
        ),
    ];
    for (condition, expected) in unrestricting {
        assert_eq!(
            codes(&[&allow(RESTORE, ANY, condition)]),
            expected,
            "{condition}"
        );
    }
}

#[test]
fn conditions_that_restrict_silence_the_warning() {
    for condition in [
        r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
        r#"{"IpAddress": {"ACS:SOURCEIP": "10.0.0.0/8"}}"#,
        r#"{"Bool": {"acs:MFAPresent": "TRUE"}}"#,
        r#"{"StringEquals": {"acs:SourceVpc": "vpc-1"}}"#,
        r#"{"StringLike": {"acs:SourceVpc": "vpc-1*"}}"#,
    ] {
        assert_eq!(
            codes(&[&allow(RESTORE, ANY, condition)]),
            Vec::<&str>::new(),
            "{condition}"
        );
    }
}

#[test]
fn named_instances_and_control_policies_are_not_broad_grants() {
    assert_eq!(
        codes(&[&allow(r#""kvstore:*""#, ARN, "")]),
        Vec::<&str>::new()
    );
    let control = lint(DocumentKind::Control, &[&allow(ANY, ANY, "")]);
    assert!(control.is_empty(), "{control:?}");
}

// --- deny-never-matches-restore -----------------------------------------------------------

#[test]
fn broken_restore_guardrails_are_reported_and_true() {
    let broken = [
        deny(r#""r-kvstore:RestoreInstance""#, ANY, ""),
        deny(r#""kvstore:RestoreInstances""#, ANY, ""),
        deny(RESTORE, r#""acs:kvstore:*:*:r-*prod*""#, ""),
        deny(RESTORE, r#""acs:r-kvstore:*:*:instance/*""#, ""),
        deny(RESTORE, r#""acs:kvstore:*:*:Instance/*""#, ""),
        deny(r#""*:RestoreInstance""#, r#""acs:kvstore:*:*:db/*""#, ""),
        deny(
            RESTORE,
            r#""acs:kvstore:*:*:instance/*""#,
            r#"{"StringEquals": {"acs:SourceVpc": "vpc-1"}, "StringNotEquals": {"acs:SourceVpc": "vpc-1"}}"#,
        ),
        deny(
            RESTORE,
            ANY,
            r#"{"DateGreaterThan": {"acs:CurrentTime": "2027-01-01T00:00:00Z"}, "DateLessThan": {"acs:CurrentTime": "2026-01-01T00:00:00Z"}}"#,
        ),
        statement(
            "Deny",
            "Action",
            RESTORE,
            "NotResource",
            r#""acs:kvstore:*:*:instance/*""#,
            "",
        ),
        statement("Deny", "Action", RESTORE, "NotResource", ANY, ""),
        // The restore has no service condition keys.
        deny(
            RESTORE,
            ANY,
            r#"{"StringLike": {"kvstore:InstanceId": "r-*prod*"}}"#,
        ),
        deny(
            r#"["kvstore:RestoreInstance", "kvstore:FlushInstance"]"#,
            ANY,
            r#"{"ForAnyValue:StringNotEquals": {"kvstore:RestoreType": "1"}}"#,
        ),
    ];
    for s in &broken {
        let mut found = claims_hold(&[s, &allow(ANY, ANY, "")]);
        found.retain(|c| *c != "restore-on-every-instance");
        assert_eq!(found, ["deny-never-matches-restore"], "{s}");
    }
}

#[test]
fn working_restore_guardrails_are_not_reported() {
    for s in [
        deny(RESTORE, r#""acs:kvstore:*:*:instance/r-*prod*""#, ""),
        deny(RESTORE, r#""acs:*:*:*:instance/*""#, ""),
        deny(r#""kvstore:restoreinstance""#, ANY, ""),
        deny(r#""kvstore:Restore*""#, r#""acs:kvstore:*""#, ""),
        // True on a missing key, so they still stop every restore.
        deny(
            RESTORE,
            ANY,
            r#"{"StringNotEquals": {"kvstore:InstanceId": "r-dev"}}"#,
        ),
        deny(
            RESTORE,
            ANY,
            r#"{"ForAllValues:StringEquals": {"kvstore:InstanceId": "r-dev"}}"#,
        ),
        statement(
            "Deny",
            "Action",
            RESTORE,
            "NotResource",
            r#""acs:kvstore:*:*:instance/r-dev*""#,
            "",
        ),
    ] {
        let found: Vec<_> = codes(&[&s])
            .into_iter()
            .filter(|c| *c != "partial-arn")
            .collect();
        assert_eq!(found, Vec::<&str>::new(), "{s}");
    }
}

// --- redundant-statement, shadowed-by-deny, statement-never-matches: claims vs engine ------

#[test]
fn redundancy_claims_agree_with_the_engine() {
    let cases: Vec<(Vec<String>, &[&str])> = vec![
        (
            vec![allow(r#""kvstore:*""#, ANY, ""), allow(RESTORE, ARN, "")],
            &["restore-on-every-instance", "redundant-statement"],
        ),
        (
            vec![
                allow(RESTORE, ARN, ""),
                allow(r#""KVSTORE:restoreinstance""#, ARN, ""),
            ],
            &["redundant-statement"],
        ),
        (
            vec![
                statement("Allow", "NotAction", r#""ecs:*""#, "Resource", ARN, ""),
                allow(r#""kvstore:*""#, ARN, ""),
            ],
            &["allow-not-action", "redundant-statement"],
        ),
        (
            vec![
                statement(
                    "Allow",
                    "NotAction",
                    r#""kvstore:Describe*""#,
                    "Resource",
                    ARN,
                    "",
                ),
                statement("Allow", "NotAction", r#""kvstore:*""#, "Resource", ARN, ""),
            ],
            &[
                "allow-not-action",
                "redundant-statement",
                "allow-not-action",
            ],
        ),
        (
            vec![
                statement(
                    "Allow",
                    "Action",
                    RESTORE,
                    "NotResource",
                    r#""acs:kvstore:*:*:instance/r-bp1*""#,
                    r#"{"Bool": {"acs:MFAPresent": "true"}}"#,
                ),
                statement(
                    "Allow",
                    "Action",
                    RESTORE,
                    "NotResource",
                    r#""acs:kvstore:*:*:instance/r-*""#,
                    r#"{"Bool": {"acs:MFAPresent": "true"}, "IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
                ),
            ],
            &[
                "allow-not-resource",
                "redundant-statement",
                "allow-not-resource",
            ],
        ),
        (
            vec![
                allow(
                    RESTORE,
                    ARN,
                    r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
                ),
                allow(RESTORE, ARN, ""),
            ],
            &["redundant-statement"],
        ),
        (
            vec![
                deny(ANY, ANY, r#"{"Bool": {"acs:SecureTransport": "false"}}"#),
                allow(
                    RESTORE,
                    ARN,
                    r#"{"Bool": {"acs:SecureTransport": false}, "IpAddress": {"acs:sourceip": "10.0.0.0/8"}}"#,
                ),
            ],
            &["shadowed-by-deny"],
        ),
        (
            vec![deny(r#""kvstore:*""#, ANY, ""), allow(RESTORE, ARN, "")],
            &["shadowed-by-deny"],
        ),
        (
            vec![allow(r#""kvstore:*""#, r#""acs:ecs:*:*:*""#, "")],
            &["statement-never-matches"],
        ),
        (
            vec![allow(
                RESTORE,
                ARN,
                r#"{"DateGreaterThanEquals": {"acs:CurrentTime": "2027-06-01T00:00:00Z"}, "DateLessThan": {"acs:CurrentTime": "2027-06-01T08:00:00+08:00"}}"#,
            )],
            &["statement-never-matches"],
        ),
    ];
    for (statements, expected) in &cases {
        let refs: Vec<&str> = statements.iter().map(String::as_str).collect();
        assert_eq!(claims_hold(&refs), *expected, "{}", document(&refs));
    }
}

#[test]
fn of_two_statements_the_narrower_is_the_redundant_one() {
    // One value more is wider, not narrower: no single statement covers the wider one, and
    // `prove` shows the narrower one changes no decision.
    let narrower = allow(
        RESTORE,
        ARN,
        r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#,
    );
    let wider = allow(
        RESTORE,
        ARN,
        r#"{"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}"#,
    );
    for (statements, redundant) in [([&narrower, &wider], 0), ([&wider, &narrower], 1)] {
        let refs: Vec<&str> = statements.iter().map(|s| s.as_str()).collect();
        assert_eq!(claims_hold(&refs), ["redundant-statement"]);
        let findings = lint(DocumentKind::Policy, &refs);
        assert_eq!(findings[0].statement_index(), Some(redundant));
        assert!(
            findings[0]
                .message
                .ends_with("every request it matches (proved over every request)"),
            "{}",
            findings[0].message
        );
    }
}

#[test]
fn statements_that_matter_are_not_called_redundant() {
    let cases: Vec<Vec<String>> = vec![
        // The Deny has a condition the Allow lacks: the Allow still takes effect.
        vec![
            deny(ANY, ANY, r#"{"Bool": {"acs:SecureTransport": "false"}}"#),
            allow(RESTORE, ARN, ""),
        ],
        // `NotAction` of kvstore and an `Action` of kvstore overlap nowhere.
        vec![
            statement("Allow", "NotAction", r#""kvstore:*""#, "Resource", ANY, ""),
            allow(RESTORE, ARN, ""),
        ],
        // Resources compare case-sensitively.
        vec![
            allow(
                RESTORE,
                r#""acs:kvstore:cn-hangzhou:1234567890123456:instance/R-*""#,
                "",
            ),
            allow(RESTORE, ARN, ""),
        ],
        // A `NotResource` cannot cover a positive list it overlaps.
        vec![
            statement(
                "Allow",
                "Action",
                RESTORE,
                "NotResource",
                r#""acs:kvstore:*:*:instance/r-bp1*""#,
                "",
            ),
            allow(RESTORE, ARN, ""),
        ],
        // Different qualifiers are different conditions.
        vec![
            allow(
                RESTORE,
                ARN,
                r#"{"ForAnyValue:StringEquals": {"acs:SourceVpc": "vpc-1"}}"#,
            ),
            allow(
                RESTORE,
                ARN,
                r#"{"ForAllValues:StringEquals": {"acs:SourceVpc": "vpc-1"}}"#,
            ),
        ],
    ];
    for statements in &cases {
        let refs: Vec<&str> = statements.iter().map(String::as_str).collect();
        let found = claims_hold(&refs);
        for claim in [
            "redundant-statement",
            "shadowed-by-deny",
            "statement-never-matches",
        ] {
            assert!(
                !found.contains(&claim),
                "{claim} in {found:?}: {}",
                document(&refs)
            );
        }
    }
}

// --- positions ------------------------------------------------------------------------------

#[test]
fn positions_count_characters_on_later_lines() {
    let text = "{\n  \"Version\": \"1\",\n  \"Statement\": [{\"Sid\": \"Ünïcode😀\",\n    \"Effect\": \"Allow\", \"Action\": \"kvstore:*\", \"Resource\": \"*\"}]}";
    let findings = lint_source(
        "p",
        Source::new("p.json", text),
        DocumentKind::Policy,
        &test_now(),
    );
    let at: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}-{}", f.code(), f.start().unwrap(), f.end().unwrap()))
        .collect();
    assert_eq!(
        at,
        [
            "sid-not-documented 3:25-3:35",
            "restore-on-every-instance 4:34-4:45",
        ]
    );
}

// --- suppressions ---------------------------------------------------------------------------

mod suppressions {
    use super::*;
    use ramguard::lint::Config;
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config::parse(Path::new("/repo"), text, "ramguard.toml").unwrap()
    }

    /// Which findings of the two broad statements `Keep` and `keep` the configuration silences
    /// in `file`.
    fn silenced(config_text: &str, file: &str) -> Vec<bool> {
        let c = config(config_text);
        let keep = r#"{"Sid": "Keep", "Effect": "Allow", "Action": "kvstore:*", "Resource": "*"}"#;
        let other = r#"{"Sid": "keep", "Effect": "Allow", "Action": "*", "Resource": "acs:kvstore:*:*:instance/*"}"#;
        lint(DocumentKind::Policy, &[keep, other])
            .iter()
            .filter(|f| f.code() == "restore-on-every-instance")
            .map(|f| c.suppression_for(f, Path::new(file)).is_some())
            .collect()
    }

    const BY_SID: &str = "[[ignore]]\ncode = \"restore-on-every-instance\"\npath = \"policies/*.json\"\nsid = \"Keep\"";

    #[test]
    fn sid_silences_only_its_statement_and_compares_exactly() {
        assert_eq!(silenced(BY_SID, "/repo/policies/p.json"), [true, false]);
    }

    #[test]
    fn path_globs_do_not_cross_directories_or_roots() {
        assert_eq!(
            silenced(BY_SID, "/repo/policies/sub/p.json"),
            [false, false]
        );
        assert_eq!(silenced(BY_SID, "/other/policies/p.json"), [false, false]);
        assert_eq!(
            silenced(BY_SID, "/repo/policies/../policies/p.json"),
            [true, false]
        );
    }

    #[test]
    fn other_codes_are_not_silenced() {
        let c = "[[ignore]]\ncode = \"allow-not-action\"";
        assert_eq!(silenced(c, "/repo/policies/p.json"), [false, false]);
    }

    #[test]
    fn a_code_without_path_or_sid_silences_every_file() {
        let c = "[[ignore]]\ncode = \"restore-on-every-instance\"";
        assert_eq!(silenced(c, "/elsewhere/p.json"), [true, true]);
    }

    #[test]
    fn a_dot_slash_path_silences_like_the_plain_path() {
        let c = "[[ignore]]\ncode = \"restore-on-every-instance\"\npath = \"./policies/p.json\"";
        assert_eq!(silenced(c, "/repo/policies/p.json"), [true, true]);
    }
}
