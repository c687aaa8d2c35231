//! Unit tests of the checks, one policy fragment at a time.

use super::*;

/// The time tests judge grants at.
fn test_now() -> crate::value::Timestamp {
    crate::value::Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("a valid instant")
}

/// The findings for a document made of these statements, as `code: message`.
fn lint(kind: DocumentKind, statements: &str) -> Vec<String> {
    let text = format!(r#"{{"Version": "1", "Statement": [{statements}]}}"#);
    lint_source("p", Source::new("p.json", text), kind, &test_now())
        .iter()
        .map(|f| format!("{}: {}", f.code(), f.message))
        .collect()
}

fn codes(statements: &str) -> Vec<&'static str> {
    let text = format!(r#"{{"Version": "1", "Statement": [{statements}]}}"#);
    lint_source(
        "p",
        Source::new("p.json", text),
        DocumentKind::Policy,
        &test_now(),
    )
    .iter()
    .map(|f| f.code())
    .collect()
}

const ARN: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01";

#[test]
fn every_parser_code_has_a_rule() {
    use crate::policy::ParseErrorKind as K;
    let kinds = [
        K::InvalidJson {
            message: String::new(),
        },
        K::InvalidResponse {
            message: String::new(),
        },
        K::DuplicateMember {
            name: String::new(),
            first: String::new(),
        },
        K::TypeMismatch {
            element: String::new(),
            expected: "",
            found: "",
        },
        K::UnknownElement {
            name: String::new(),
            context: "",
            expected: &[],
        },
        K::PrincipalNotAllowed,
        K::MissingElement {
            element: "",
            context: "",
        },
        K::ConflictingElements {
            first: "",
            second: "",
        },
        K::Empty {
            element: String::new(),
            what: "",
        },
        K::InvalidVersion {
            found: String::new(),
        },
        K::InvalidEffect {
            found: String::new(),
        },
        K::InvalidActionFormat {
            found: String::new(),
        },
        K::InvalidArnPrefix {
            found: String::new(),
        },
        K::InvalidConditionOperator {
            found: String::new(),
            hint: String::new(),
        },
        K::InvalidConditionKeyFormat {
            found: String::new(),
        },
        K::MultipleBooleanValues {
            key: String::new(),
            count: 0,
        },
        K::InvalidConditionValue {
            operator: String::new(),
            reason: String::new(),
        },
    ];
    for kind in kinds {
        let rule = rule(kind.code()).unwrap_or_else(|| panic!("no rule for `{}`", kind.code()));
        assert_eq!(rule.severity, Severity::Error, "{}", rule.code);
    }
}

#[test]
fn parse_errors_are_error_findings_with_positions() {
    let source = Source::new(
        "p.json",
        "{\"Version\": \"1\",\n \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"kvstore:X\", \"Resource\": \"*\"}]}",
    );
    let findings = lint_source("p", source, DocumentKind::Policy, &test_now());
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(
        (
            f.code(),
            f.severity,
            f.message.as_str(),
            f.help.as_deref().unwrap_or("")
        ),
        (
            "invalid-effect",
            Severity::Error,
            "`Effect` must be `Allow` or `Deny`, found `allow`",
            "write `Allow`: the value is case-sensitive"
        )
    );
    assert_eq!(
        (
            f.start().unwrap().line,
            f.start().unwrap().column,
            f.end().unwrap().column
        ),
        (2, 27, 34)
    );
}

#[test]
fn size_limits_depend_on_the_kind() {
    let padding = " ".repeat(1_100);
    let text = format!(
        r#"{{"Version": "1",{padding} "Statement": [{{"Effect": "Deny", "Action": "kvstore:DeleteInstance", "Resource": "*"}}]}}"#
    );
    let lint_as = |kind| -> Vec<&'static str> {
        lint_source("p", Source::new("p.json", text.clone()), kind, &test_now())
            .iter()
            .map(|f| f.code())
            .collect()
    };
    assert_eq!(lint_as(DocumentKind::Policy), Vec::<&str>::new());
    assert_eq!(lint_as(DocumentKind::Session), ["policy-too-long"]);
    // A broken document is still measured.
    let broken = format!("{{{}", " ".repeat(7_000));
    let codes: Vec<_> = lint_source(
        "p",
        Source::new("p.json", broken),
        DocumentKind::Control,
        &test_now(),
    )
    .iter()
    .map(|f| f.code())
    .collect();
    assert_eq!(codes, ["policy-too-long", "invalid-json"]);
}

#[test]
fn restore_grants_on_every_instance() {
    let allow = |action: &str, resource: &str, condition: &str| {
        codes(&format!(
            r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}{condition}}}"#
        ))
    };
    let every = ["restore-on-every-instance"];
    let none: [&str; 0] = [];
    assert_eq!(allow(r#""*""#, r#""*""#, ""), every);
    assert_eq!(allow(r#""kvstore:*""#, r#""*""#, ""), every);
    assert_eq!(
        allow(
            r#""kvstore:Restore*""#,
            r#""acs:kvstore:*:1:instance/*""#,
            ""
        ),
        every
    );
    assert_eq!(
        allow(
            r#""KVStore:restoreinstance""#,
            r#""acs:kvstore:cn-hangzhou:*:instance/r-1""#,
            ""
        ),
        every
    );
    // Named instances, other actions, other services: nothing to say.
    assert_eq!(
        allow(r#""kvstore:RestoreInstance""#, &format!("\"{ARN}\""), ""),
        none
    );
    assert_eq!(allow(r#""kvstore:Describe*""#, r#""*""#, ""), none);
    assert_eq!(
        allow(
            r#""kvstore:RestoreInstance""#,
            r#""acs:ecs:*:*:instance/*""#,
            ""
        ),
        ["statement-never-matches"]
    );
    // A second factor or a network makes it acceptable; a negated or ForAllValues one does not.
    let mfa = r#", "Condition": {"Bool": {"acs:MFAPresent": "true"}}"#;
    assert_eq!(allow(r#""kvstore:*""#, r#""*""#, mfa), none);
    let no_mfa = r#", "Condition": {"Bool": {"acs:MFAPresent": "false"}}"#;
    assert_eq!(allow(r#""kvstore:*""#, r#""*""#, no_mfa), every);
    let vpc = r#", "Condition": {"StringLike": {"acs:SourceVpc": "vpc-ops*"}}"#;
    assert_eq!(allow(r#""kvstore:*""#, r#""*""#, vpc), none);
    let not_ip = r#", "Condition": {"NotIpAddress": {"acs:SourceIp": "0.0.0.0/0"}}"#;
    assert_eq!(allow(r#""kvstore:*""#, r#""*""#, not_ip), every);
    // NotAction that leaves the restore in, NotResource that spares only some instances.
    assert_eq!(
        codes(r#"{"Effect": "Allow", "NotAction": "kvstore:Delete*", "Resource": "*"}"#),
        ["allow-not-action", "restore-on-every-instance"]
    );
    assert_eq!(
        codes(r#"{"Effect": "Allow", "NotAction": "kvstore:Restore*", "Resource": "*"}"#),
        ["allow-not-action"]
    );
    assert_eq!(
        codes(
            r#"{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "NotResource": "acs:kvstore:*:*:instance/*"}"#
        ),
        ["allow-not-resource"]
    );
}

#[test]
fn control_policies_bound_rather_than_grant() {
    let statement = r#"{"Effect": "Allow", "NotAction": "ecs:*", "Resource": "*"}"#;
    assert_eq!(lint(DocumentKind::Control, statement), Vec::<String>::new());
    let forall = r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"acs:TagKeys": "env"}}}"#;
    assert_eq!(
        lint(DocumentKind::Control, forall),
        [
            "for-all-values-in-allow: `ForAllValues:StringEquals` on `acs:TagKeys` holds when the request has no `acs:TagKeys`, so this `Allow` applies to requests without it"
        ]
    );
}

#[test]
fn restore_guardrails_that_stop_nothing() {
    let deny = |action: &str, resource: &str| {
        lint(
            DocumentKind::Policy,
            &format!(r#"{{"Effect": "Deny", "Action": {action}, "Resource": {resource}}}"#),
        )
    };
    assert_eq!(
        deny(r#""r-kvstore:RestoreInstance""#, r#""*""#),
        [
            "deny-never-matches-restore: this `Deny` names `r-kvstore:RestoreInstance` but never matches `kvstore:RestoreInstance`, so it stops no restore"
        ]
    );
    assert_eq!(
        deny(r#""kvstore:RestoreInstances""#, r#""*""#),
        [
            "deny-never-matches-restore: this `Deny` names `kvstore:RestoreInstances` but never matches `kvstore:RestoreInstance`, so it stops no restore"
        ]
    );
    assert_eq!(
        deny(
            r#""kvstore:RestoreInstance""#,
            r#"["acs:kvstore:*:*:db/*", "acs:r-kvstore:*:*:instance/*"]"#
        ),
        [
            "deny-never-matches-restore: this `Deny` on `kvstore:RestoreInstance` never matches an instance: `acs:kvstore:*:*:db/*`, `acs:r-kvstore:*:*:instance/*` match no kvstore instance ARN"
        ]
    );
    // A restore named next to a pattern that does match it is fine, and so is a Deny of
    // `*` on another service's resources: it is not a restore guardrail.
    assert!(
        deny(
            r#"["r-kvstore:RestoreInstance", "kvstore:Restore*"]"#,
            r#""*""#
        )
        .iter()
        .all(|f| f.starts_with("unknown-action"))
    );
    assert_eq!(
        deny(r#""*""#, r#""acs:ecs:*:*:instance/*""#),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(r#"{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "NotResource": "*"}"#),
        ["deny-never-matches-restore"]
    );
}

#[test]
fn contradictory_conditions() {
    let with = |condition: &str| {
        lint(
            DocumentKind::Policy,
            &format!(
                r#"{{"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "{ARN}", "Condition": {condition}}}"#
            ),
        )
    };
    assert_eq!(
        with(r#"{"NumericGreaterThan": {"acs:Port": "10"}, "NumericLessThan": {"acs:Port": "5"}}"#)
            [..],
        [
            "unknown-condition-key: unknown global condition key `acs:Port`",
            "unknown-condition-key: unknown global condition key `acs:Port`"
        ],
        "an unknown key may hold several values: no contradiction claimed"
    );
    assert_eq!(
        with(
            r#"{"DateGreaterThanEquals": {"acs:CurrentTime": "2036-01-01T00:00:00Z"}, "DateLessThan": {"acs:CurrentTime": "2036-01-01T00:00:00Z"}}"#
        ),
        [
            "statement-never-matches: this statement can never match a request: `DateGreaterThanEquals` `2036-01-01T00:00:00Z` and `DateLessThan` `2036-01-01T00:00:00Z` on `acs:CurrentTime` cannot both hold"
        ]
    );
    // Equal bounds that both include the value leave exactly one instant.
    assert_eq!(
        with(
            r#"{"DateGreaterThanEquals": {"acs:CurrentTime": "2036-01-01T00:00:00Z"}, "DateLessThanEquals": {"acs:CurrentTime": "2036-01-01T00:00:00Z"}}"#
        ),
        Vec::<String>::new()
    );
    // Several values are alternatives: `< [2035, 2037]` reaches up to 2037.
    assert_eq!(
        with(
            r#"{"DateGreaterThan": {"acs:CurrentTime": "2036-01-01T00:00:00Z"}, "DateLessThan": {"acs:CurrentTime": ["2035-01-01T00:00:00Z", "2037-01-01T00:00:00Z"]}}"#
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        with(
            r#"{"DateEquals": {"acs:CurrentTime": "2035-06-01T00:00:00Z"}, "DateGreaterThan": {"acs:CurrentTime": "2036-01-01T00:00:00Z"}}"#
        ),
        [
            "statement-never-matches: this statement can never match a request: no value of `DateEquals` on `acs:CurrentTime` satisfies `DateGreaterThan` `2036-01-01T00:00:00Z`"
        ]
    );
    // A multi-valued key and a set qualifier are left alone.
    assert_eq!(
        with(r#"{"StringEquals": {"acs:TagKeys": "a"}, "StringNotEquals": {"acs:TagKeys": "a"}}"#),
        Vec::<String>::new()
    );
    assert_eq!(
        with(
            r#"{"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}, "NotIpAddress": {"acs:SourceIp": ["192.168.0.0/16", "10.0.0.0/9"]}}"#
        ),
        Vec::<String>::new()
    );
}

#[test]
fn redundant_and_shadowed_statements() {
    let allow_all = r#"{"Effect": "Allow", "Action": "kvstore:*", "Resource": "acs:kvstore:cn-hangzhou:1:instance/r-1"}"#;
    let allow_one = r#"{"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "Condition": {"Bool": {"acs:SecureTransport": "true"}}}"#;
    assert_eq!(
        lint(DocumentKind::Policy, &format!("{allow_one}, {allow_all}")),
        [
            "redundant-statement: this statement is redundant: Statement[1] at line 1 already allows every request it matches"
        ]
    );
    // Two identical statements: only the second is reported.
    assert_eq!(
        codes(&format!("{allow_all}, {allow_all}")),
        ["redundant-statement"]
    );
    // The covering statement's conditions must all appear in the covered one.
    let conditional = r#"{"Effect": "Allow", "Action": "kvstore:*", "Resource": "*", "Condition": {"Bool": {"acs:SecureTransport": "true"}}}"#;
    let plain = r#"{"Effect": "Allow", "Action": "kvstore:DescribeInstances", "Resource": "acs:kvstore:cn-hangzhou:1:instance/r-1"}"#;
    assert_eq!(
        codes(&format!("{conditional}, {plain}")),
        ["restore-on-every-instance"]
    );
    // NotAction against Action: a Deny of everything but Describe shadows an Allow of Create…
    let deny_not = r#"{"Effect": "Deny", "NotAction": "kvstore:Describe*", "Resource": "*"}"#;
    let create = r#"{"Effect": "Allow", "Action": "kvstore:CreateBackup", "Resource": "acs:kvstore:cn-hangzhou:1:instance/r-1"}"#;
    assert_eq!(
        lint(DocumentKind::Policy, &format!("{create}, {deny_not}")),
        [
            "shadowed-by-deny: this `Allow` never takes effect: the `Deny` of Statement[1] at line 1 matches every request it matches"
        ]
    );
    // …but not an Allow of Describe.
    let describe = r#"{"Effect": "Allow", "Action": "kvstore:DescribeBackups", "Resource": "acs:kvstore:cn-hangzhou:1:instance/r-1"}"#;
    assert_eq!(
        codes(&format!("{describe}, {deny_not}")),
        Vec::<&str>::new()
    );
    // Two NotAction lists: the wider exclusion matches less.
    let not_describe = r#"{"Effect": "Deny", "NotAction": "kvstore:Describe*", "Resource": "*"}"#;
    let not_describe_one =
        r#"{"Effect": "Deny", "NotAction": "kvstore:DescribeBackups", "Resource": "*"}"#;
    assert_eq!(
        lint(
            DocumentKind::Policy,
            &format!("{not_describe_one}, {not_describe}")
        ),
        [
            "redundant-statement: this statement is redundant: Statement[0] at line 1 already denies every request it matches"
        ]
    );
}

#[test]
fn names_are_checked_with_suggestions() {
    let allow = |action: &str, condition: &str| {
        lint(
            DocumentKind::Policy,
            &format!(
                r#"{{"Effect": "Allow", "Action": "{action}", "Resource": "{ARN}"{condition}}}"#
            ),
        )
    };
    assert_eq!(allow("kvstore:describeinstances", ""), Vec::<String>::new());
    assert_eq!(
        allow("ecs:Frobnicate", ""),
        Vec::<String>::new(),
        "other services are not judged"
    );
    assert_eq!(
        allow("redis:DescribeInstnces", ""),
        [
            "unknown-action: `redis` is not a RAM code, so `redis:DescribeInstnces` matches no kvstore request: did you mean `kvstore:DescribeInstances`?"
        ]
    );
    assert_eq!(
        allow(
            "kvstore:DescribeInstances",
            r#", "Condition": {"IpAddress": {"acs:SourceVpc": "10.0.0.0/8"}, "StringEquals": {"ACS:SOURCEVPC": "vpc-1"}}"#
        ),
        [
            "condition-key-type-mismatch: `acs:SourceVpc` is a string key, but `IpAddress` compares IP addresses"
        ]
    );
    assert_eq!(
        allow(
            "kvstore:DescribeInstances",
            r#", "Condition": {"StringEquals": {"acs:ResourceTag/env": "prod", "acs:ResourceTags/env": "x"}}"#
        ),
        [
            "unknown-condition-key: unknown global condition key `acs:ResourceTags/env`: did you mean `acs:ResourceTag/env`?"
        ]
    );
}

#[test]
fn findings_carry_statement_and_sid() {
    let text = r#"{"Version": "1", "Statement": [
        {"Effect": "Deny", "Action": "kvstore:DeleteInstance", "Resource": "*"},
        {"Sid": "Broad", "Effect": "Allow", "Action": "kvstore:*", "Resource": "*"}]}"#;
    let findings = lint_source(
        "p",
        Source::new("p.json", text),
        DocumentKind::Policy,
        &test_now(),
    );
    let got: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f.code(),
                f.statement_index(),
                f.sid(),
                f.start().unwrap().line,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("sid-not-documented", Some(1), Some("Broad"), 3),
            ("restore-on-every-instance", Some(1), Some("Broad"), 3)
        ]
    );
}

#[test]
fn keys_of_alibabas_own_policies_are_known() {
    // As in Alibaba's DatabaseAdministrator policy and the OSS documentation.
    assert_eq!(
        codes(
            r#"{"Effect": "Allow", "Action": "ram:PassRole", "Resource": "*",
                "Condition": {"StringEquals": {"acs:Service": "rds.aliyuncs.com"}}},
               {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:oss:*:*:b/*",
                "Condition": {"StringLike": {"acs:UserAgent": "curl*"}}}"#
        ),
        Vec::<&str>::new()
    );
}

#[test]
fn cidrs_with_host_bits_and_expired_grants() {
    assert_eq!(
        lint(
            DocumentKind::Policy,
            r#"{"Effect": "Allow", "Action": "kvstore:Describe*", "Resource": "*",
                "Condition": {"IpAddress": {"acs:SourceIp": ["10.1.2.3/8", "10.0.0.0/8", "10.1.2.3"]}}}"#
        ),
        ["cidr-host-bits: `10.1.2.3/8` sets host bits: RAM reads it as `10.0.0.0/8`"]
    );
    let until = |operator: &str, time: &str| {
        lint(
            DocumentKind::Policy,
            &format!(
                r#"{{"Effect": "Allow", "Action": "kvstore:Describe*", "Resource": "*",
                    "Condition": {{"{operator}": {{"acs:CurrentTime": "{time}"}}}}}}"#
            ),
        )
    };
    // The test clock is 2026-11-29T09:30:00Z.
    assert_eq!(
        until("DateLessThan", "2026-11-29T09:30:00Z"),
        [
            "expired-grant: this `Allow` expired at `2026-11-29T09:30:00Z`: `DateLessThan` on `acs:CurrentTime` can no longer hold"
        ]
    );
    assert!(until("DateLessThanEquals", "2026-11-29T09:30:00Z").is_empty());
    assert!(until("DateLessThan", "2026-11-29T09:30:01Z").is_empty());
    // Bounds from below, and a Deny, are not grants that run out.
    assert!(until("DateGreaterThan", "2020-01-01T00:00:00Z").is_empty());
    assert!(
        lint(
            DocumentKind::Policy,
            r#"{"Effect": "Deny", "Action": "kvstore:Describe*", "Resource": "*",
                "Condition": {"DateLessThan": {"acs:CurrentTime": "2020-01-01T00:00:00Z"}}}"#
        )
        .is_empty()
    );
}
