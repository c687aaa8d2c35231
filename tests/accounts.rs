//! Account files: reading them (every error located), and resolving a principal into its
//! policies — groups, roles, resource-group scope, control policies, session policies.

use std::path::Path;

use ramguard::eval::{EntityType, PolicyKind, Slot};
use ramguard::principal::{Account, AccountError, InvalidAccount, PrincipalError, PrincipalRef};
use ramguard::span::Source;
use ramguard::value::Timestamp;
use ramguard::{Explanation, Policy, PolicySet, PolicyType, Request, Verdict};

const ACCOUNT_ID: &str = "1234567890123456";

fn shipped() -> Account {
    Account::from_path("policies/account.json").expect("the shipped account is valid")
}

fn principal(text: &str) -> PrincipalRef {
    PrincipalRef::parse(text).expect("valid principal")
}

fn set_of(account: &Account, who: &str) -> PolicySet {
    account
        .policy_set(&principal(who))
        .expect("known principal")
        .build()
        .expect("builds")
}

/// A restore of `instance` with MFA, from the office network, over TLS, at a fixed time.
fn restore(instance: &str) -> Request {
    restore_with(instance, &[("acs:SourceIp", "10.1.2.3")])
}

fn restore_with(instance: &str, extra: &[(&str, &str)]) -> Request {
    let mut builder = Request::restore_instance("cn-hangzhou", ACCOUNT_ID, instance)
        .context("acs:MFAPresent", true)
        .context("acs:SecureTransport", true)
        .context("acs:CurrentTime", "2026-11-29T09:30:00Z");
    for (key, value) in extra {
        builder = builder.context(*key, *value);
    }
    builder.build().expect("valid request")
}

fn decide(set: &PolicySet, request: &Request) -> (Verdict, PolicyType) {
    let explanation = set.explain(request);
    assert_eq!(
        set.evaluate(request).verdict,
        explanation.decision,
        "explain and evaluate agree"
    );
    (explanation.decision, explanation.policy_type)
}

fn invalid(text: &str) -> InvalidAccount {
    Account::parse(Source::new("acct.json", text), Path::new("policies"))
        .expect_err("the account is invalid")
}

/// `(code, line, column)` of every error in the account file itself.
fn issues(e: &InvalidAccount) -> Vec<(&'static str, usize, usize)> {
    e.issues
        .iter()
        .map(|i| {
            let at = e.source.position(i.span.start);
            (i.kind.code(), at.line, at.column)
        })
        .collect()
}

// ---- reading ----

#[test]
fn the_shipped_account_lists_its_principals_in_file_order() {
    let account = shipped();
    assert_eq!(account.id(), ACCOUNT_ID);
    let names: Vec<String> = account.principals().iter().map(|p| p.to_string()).collect();
    assert_eq!(
        names,
        [
            "user/alice",
            "user/bob",
            "user/carol",
            "role/restore-bot",
            "role/kvstore-admin"
        ]
    );
    assert_eq!(account.resource_groups()[0].0, "rg-prod");
}

/// An account with a lone Deny control policy, a group, users and a custom policy.
const MIXED_ACCOUNT: &str = r#"{
  "account_id": "1234567890123456",
  "policies": {
    "DbaRestore": {"path": "dba-restore.json"},
    "ProdRestore": {"path": "prod-restore.json"},
    "NoProdRestore": {"path": "guardrails/no-prod-restore.json"},
    "Auditor": {"document": {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:Describe*", "Resource": "*"}]}}
  },
  "control_policies": ["NoProdRestore"],
  "resource_groups": { "rg-prod": ["acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01"] },
  "groups": { "dba": { "policies": [ {"name": "DbaRestore"}, {"name": "ProdRestore", "resource_group": "rg-prod"} ] } },
  "users": { "alice": { "groups": ["dba"], "policies": [ {"name": "AliyunKvstoreReadOnlyAccess"} ] },
             "bob": { "policies": [ {"name": "Auditor"} ] } },
  "roles": { "restore-bot": { "policies": [ {"name": "DbaRestore"} ] } }
}"#;

#[test]
fn a_mixed_account_reads_and_its_lone_deny_control_policy_allows_nothing() {
    let account = Account::parse(
        Source::new("policies/account.json", MIXED_ACCOUNT),
        Path::new("policies"),
    )
    .expect("valid");
    // A control layer holding only a Deny statement allows nothing (docs/semantics.md §4): a real
    // account also carries FullAliyunAccess, as policies/account.json does.
    let set = set_of(&account, "user/alice");
    assert_eq!(
        decide(&set, &restore("r-bp1stg01")),
        (Verdict::ImplicitDeny, PolicyType::ControlPolicy)
    );
    // The inline document is located in the account file.
    let bob = set_of(&account, "user/bob");
    let (auditor, _) = bob
        .policies()
        .find(|(p, _)| p.name() == "Auditor")
        .expect("attached");
    let statement = &auditor.statements()[0];
    let at = auditor.source().position(statement.span.start);
    assert_eq!(auditor.source().name(), "policies/account.json");
    assert_eq!((at.line, at.column), (7, 60));
}

#[test]
fn system_policies_need_no_definition() {
    let account = shipped();
    let admin = set_of(&account, "role/kvstore-admin");
    let explanation = admin.explain(&restore("r-bp1stg01"));
    assert_eq!(explanation.decision, Verdict::Allow);
    let deciding = &explanation.matched[0];
    assert_eq!(deciding.policy, "AliyunKvstoreFullAccess");
    assert_eq!(deciding.file, "system:AliyunKvstoreFullAccess");
    let (slot, info) = admin.policy_info(deciding).expect("known");
    assert_eq!(*slot, Slot::Identity);
    assert_eq!(info.kind, PolicyKind::System);
    assert_eq!(
        info.attached_to,
        Some((EntityType::Role, "kvstore-admin".into()))
    );
}

#[test]
fn full_aliyun_access_is_a_built_in_control_policy() {
    let account = |control: &str, attached: &str| {
        Account::parse(
            Source::new(
                "acct.json",
                format!(
                    r#"{{"account_id": "1234567890123456",
  "policies": {{"NoProdRestore": {{"path": "guardrails/no-prod-restore.json"}}}},
  "control_policies": {control},
  "users": {{"alice": {{"policies": [{{"name": "{attached}"}}]}}}}}}"#
                ),
            ),
            Path::new("policies"),
        )
    };
    // Named, not defined: RD's default beside a Deny-only guardrail, as in a real account.
    let with_default = account(
        r#"["FullAliyunAccess", "NoProdRestore"]"#,
        "AliyunKvstoreFullAccess",
    )
    .expect("valid");
    let alice = set_of(&with_default, "user/alice");
    let control: Vec<(&str, &Slot)> = alice
        .policies()
        .filter(|(_, slot)| **slot == Slot::Control)
        .map(|(p, s)| (p.name(), s))
        .collect();
    assert_eq!(
        control,
        [
            ("FullAliyunAccess", &Slot::Control),
            ("NoProdRestore", &Slot::Control)
        ]
    );
    assert_eq!(
        decide(&alice, &restore("r-bp1stg01")),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
    assert_eq!(
        decide(&alice, &restore("r-bp1prod01")),
        (Verdict::ExplicitDeny, PolicyType::ControlPolicy)
    );
    let explanation = alice.explain(&restore("r-bp1stg01"));
    let control_trace = &explanation.trace[0].statements[0];
    assert_eq!(control_trace.at.file, "system:FullAliyunAccess");
    // It is a control policy: attached to a user, it is an error that says where it goes.
    let misused = account(r#"["FullAliyunAccess"]"#, "FullAliyunAccess").unwrap_err();
    assert_eq!(issues(&misused), [("not-an-identity-policy", 4, 45)]);
    assert!(
        misused.to_string().contains(
            "error[not-an-identity-policy]: `FullAliyunAccess` is a Resource Directory control policy, not a RAM policy\n --> acct.json:4:45\n  |\n4 |   \"users\": {\"alice\": {\"policies\": [{\"name\": \"FullAliyunAccess\"}]}}}\n  |                                             ^^^^^^^^^^^^^^^^^^\n  = help: list it under `control_policies`"
        ),
        "{misused}"
    );
}

// ---- resolution ----

#[test]
fn a_user_holds_its_own_policies_and_its_groups() {
    let account = shipped();
    let alice = set_of(&account, "user/alice");
    let names: Vec<(&str, &Slot)> = alice.policies().map(|(p, s)| (p.name(), s)).collect();
    assert_eq!(
        names,
        [
            ("FullAliyunAccess", &Slot::Control),
            ("NoProdRestore", &Slot::Control),
            ("AliyunKvstoreReadOnlyAccess", &Slot::Identity),
            ("DbaRestore", &Slot::Identity),
            (
                "ProdRestore",
                &Slot::ResourceGroupIdentity("rg-prod".into())
            ),
        ]
    );
    let explanation = alice.explain(&restore("r-bp1stg01"));
    assert_eq!(explanation.decision, Verdict::Allow);
    let (_, info) = alice.policy_info(&explanation.matched[0]).expect("known");
    assert_eq!(info.attached_to, Some((EntityType::Group, "dba".into())));
    assert_eq!(info.kind, PolicyKind::Custom);
}

#[test]
fn control_policies_deny_over_every_identity_policy() {
    let account = shipped();
    for who in ["user/alice", "role/kvstore-admin"] {
        assert_eq!(
            decide(&set_of(&account, who), &restore("r-bp1prod01")),
            (Verdict::ExplicitDeny, PolicyType::ControlPolicy),
            "{who}"
        );
    }
}

#[test]
fn resource_group_scoped_attachments_apply_only_in_their_group() {
    let account = shipped();
    let carol = set_of(&account, "user/carol");
    // r-bp1pay01 is in rg-prod: carol's only policy, scoped there, allows it.
    assert_eq!(
        decide(&carol, &restore("r-bp1pay01")),
        (
            Verdict::Allow,
            PolicyType::ResourceGroupLevelIdentityBasedPolicy
        )
    );
    // r-bp1stg01 is not: the same statement does not count.
    assert_eq!(
        decide(&carol, &restore("r-bp1stg01")),
        (
            Verdict::ImplicitDeny,
            PolicyType::AccountLevelIdentityBasedPolicy
        )
    );
    // Alice's account-scope DbaRestore needs the office network; from elsewhere it implicitly
    // denies, and only inside rg-prod does her group's scoped ProdRestore then allow.
    let alice = set_of(&account, "user/alice");
    let away = [("acs:SourceIp", "203.0.113.7")];
    assert_eq!(
        decide(&alice, &restore_with("r-bp1pay01", &away)),
        (
            Verdict::Allow,
            PolicyType::ResourceGroupLevelIdentityBasedPolicy
        )
    );
    assert_eq!(
        decide(&alice, &restore_with("r-bp1stg01", &away)),
        (
            Verdict::ImplicitDeny,
            PolicyType::AccountLevelIdentityBasedPolicy
        )
    );
}

#[test]
fn a_role_holds_its_own_policies_and_a_session_policy_narrows_them() {
    let account = shipped();
    let bot = || {
        account
            .policy_set(&principal("role/restore-bot"))
            .expect("known")
    };
    let without = bot().build().expect("builds");
    assert_eq!(decide(&without, &restore("r-bp1pay01")).0, Verdict::Allow);
    let session = Policy::from_path("policies/restore-bot-session.json").expect("valid");
    let with = bot().session(session).build().expect("builds");
    let vpc = [
        ("acs:SourceIp", "10.1.2.3"),
        ("acs:SourceVpc", "vpc-bp1ops01"),
    ];
    assert_eq!(
        decide(&with, &restore_with("r-bp1stg01", &vpc)),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
    assert_eq!(
        decide(&with, &restore_with("r-bp1pay01", &vpc)),
        (Verdict::ImplicitDeny, PolicyType::SessionPolicy)
    );
}

fn detail(explanation: &Explanation) -> serde_json::Value {
    serde_json::to_value(&explanation.access_denied_detail).expect("serializes")
}

#[test]
fn denials_name_the_principal_and_the_deciding_policies() {
    let account = shipped();
    let bob = set_of(&account, "user/bob");
    let denied = bob.explain(&restore("r-bp1stg01"));
    let detail = detail(&denied);
    assert_eq!(detail["AuthPrincipalType"], "SubUser");
    assert_eq!(detail["AuthPrincipalDisplayName"], "bob");
    assert_eq!(detail["AuthPrincipalOwnerId"], ACCOUNT_ID);
    assert_eq!(detail["NoPermissionType"], "ImplicitDeny");
    assert_eq!(
        detail["DecodedDiagnosticMessage"]["MatchedPolicies"],
        serde_json::json!([])
    );

    let admin = set_of(&account, "role/kvstore-admin");
    let denied = admin.explain(&restore("r-bp1prod01"));
    let detail = self::detail(&denied);
    assert_eq!(detail["AuthPrincipalType"], "AssumedRoleUser");
    assert_eq!(detail["AuthPrincipalDisplayName"], "kvstore-admin");
    assert_eq!(
        detail["DecodedDiagnosticMessage"]["MatchedPolicies"],
        serde_json::json!([{
            "PolicyType": "ControlPolicy",
            "PolicyKind": "Custom",
            "PolicyIdentifier": "NoProdRestore",
            "PolicyVersion": null,
            "Effect": "Deny",
            "AttachedEntityType": null,
            "AttachedScope": "Account"
        }])
    );
}

#[test]
fn the_same_policy_attached_twice_is_listed_with_each_attachment() {
    let text = r#"{
      "account_id": "1",
      "policies": {"NoPlainText": {"document": {"Version": "1", "Statement": [{"Effect": "Deny",
        "Action": "kvstore:*", "Resource": "*", "Condition": {"Bool": {"acs:SecureTransport": "false"}}}]}}},
      "groups": {"ops": {"policies": [{"name": "NoPlainText"}]}},
      "users": {"dan": {"groups": ["ops"], "policies": [{"name": "NoPlainText"}, {"name": "AliyunKvstoreFullAccess"}]}}
    }"#;
    let account = Account::parse(Source::new("a.json", text), Path::new(".")).expect("valid");
    let set = set_of(&account, "user/dan");
    let request = Request::restore_instance("cn-hangzhou", "1", "r-1")
        .context("acs:SecureTransport", false)
        .build()
        .expect("valid");
    let explanation = set.explain(&request);
    assert_eq!(explanation.decision, Verdict::ExplicitDeny);
    let matched = &detail(&explanation)["DecodedDiagnosticMessage"]["MatchedPolicies"];
    let attached: Vec<&str> = matched
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["AttachedEntityType"].as_str().expect("attached"))
        .collect();
    assert_eq!(attached, ["User", "Group"]);
}

#[test]
fn unknown_principals_are_errors() {
    let account = shipped();
    assert_eq!(
        account.policy_set(&principal("user/zed")).unwrap_err(),
        PrincipalError::Unknown {
            kind: "user",
            name: "zed".into(),
            known: vec!["alice".into(), "bob".into(), "carol".into()]
        }
    );
    let e = account.policy_set(&principal("role/alice")).unwrap_err();
    assert_eq!(e.to_string(), "the account has no role `alice`");
    assert_eq!(
        e.help(),
        "roles in the account: `restore-bot`, `kvstore-admin`"
    );
    for bad in ["alice", "user/", "group/dba", "User/alice", ""] {
        assert_eq!(
            PrincipalRef::parse(bad),
            Err(PrincipalError::Syntax { found: bad.into() }),
            "{bad}"
        );
    }
}

// ---- errors ----

#[test]
fn every_error_in_the_account_file_is_located() {
    let e = invalid(
        r#"{
  "account_id": 1234,
  "policies": {
    "P": {"path": "nope.json"},
    "AliyunKvstoreFullAccess": {"path": "dba-restore.json"},
    "R": {},
    "S": {"path": "dba-restore.json", "document": {}},
    "T": {"document": "text"}
  },
  "control_policies": ["AliyunKvstoreReadOnlyAccess", "Nope", "P", "P"],
  "resource_groups": {"rg": ["arn:x", "acs:kvstore"]},
  "groups": {"g": {"policies": [{"name": "P", "resource_group": "rg2"}], "groups": []}},
  "users": {"u": {"groups": ["g", "h", "g"], "policies": [{"nam": "P"}, {"name": ""}, {"name": "P"}, {"name": "P"}]},
            "": {}},
  "roles": {"r": {"policies": "P"}, "r2": {"policies": [{"name": "Missing"}]}},
  "extra": 1,
  "users": {}
}"#,
    );
    assert_eq!(
        issues(&e),
        [
            ("data-type-mismatch", 2, 17),
            ("policy-unreadable", 4, 19),
            ("system-policy-redefined", 5, 5),
            ("invalid-policy-definition", 6, 5),
            ("invalid-policy-definition", 7, 5),
            ("data-type-mismatch", 8, 23),
            ("not-a-control-policy", 10, 24),
            ("unknown-policy", 10, 55),
            ("duplicate-reference", 10, 68),
            ("invalid-resource", 11, 30),
            ("invalid-resource", 11, 39),
            ("unknown-resource-group", 12, 65),
            ("unknown-member", 12, 74),
            ("unknown-group", 13, 35),
            ("duplicate-reference", 13, 40),
            ("missing-member", 13, 59),
            ("unknown-member", 13, 60),
            ("empty-value", 13, 82),
            ("duplicate-reference", 13, 111),
            ("empty-value", 14, 13),
            ("data-type-mismatch", 15, 31),
            ("unknown-policy", 15, 66),
            ("unknown-member", 16, 3),
            ("duplicate-member", 17, 3),
        ]
    );
    assert!(e.policies.is_empty());
    let text = e.to_string();
    assert!(
        text.starts_with(
            "error[data-type-mismatch]: `account_id` must be a string, found a number\n --> acct.json:2:17\n  |\n2 |   \"account_id\": 1234,\n  |                 ^^^^\n  = help: write `account_id` as a string\n\nerror[policy-unreadable]: "
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "error[unknown-policy]: unknown policy `Nope`\n  --> acct.json:10:55\n   |\n10 |   \"control_policies\": [\"AliyunKvstoreReadOnlyAccess\", \"Nope\", \"P\", \"P\"],\n   |                                                       ^^^^^^\n   = help: define it under `policies`, or name one of: `P`, `R`, `S`, `T`, `FullAliyunAccess`"
        ),
        "{text}"
    );
    assert!(
        text.contains("error[unknown-group]: unknown group `h`\n  --> acct.json:13:35\n   |\n13 |   \"users\": {\"u\": {\"groups\": [\"g\", \"h\", \"g\"], \"policies\": [{\"nam\": \"P\"}, {\"name\": \"\"}, {\"name\": \"P\"}, {\"name\": \"P\"}]},\n   |                                   ^^^\n   = help: define it under `groups`, or name one of: `g`"),
        "{text}"
    );
}

#[test]
fn errors_in_policy_documents_carry_their_own_positions() {
    let e = invalid(
        "{\"account_id\": \"1\", \"policies\": {\n  \"Bad\": {\"document\": {\"Version\": \"2\",\n    \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"kvstore:*\", \"Resource\": \"*\"}]}}}}",
    );
    assert!(e.issues.is_empty());
    let [policy] = e.policies.as_slice() else {
        panic!("one invalid policy: {e}")
    };
    let located: Vec<(&str, usize, usize)> = policy
        .errors
        .iter()
        .map(|err| {
            let at = policy.source.position(err.span.start);
            (err.kind.code(), at.line, at.column)
        })
        .collect();
    assert_eq!(
        located,
        [("invalid-version", 2, 35), ("invalid-effect", 3, 30)]
    );
    assert_eq!(policy.source.name(), "acct.json");
}

#[test]
fn a_policy_file_that_is_invalid_is_reported_with_its_own_file() {
    let dir = std::env::temp_dir().join(format!("ramguard-account-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("bad.json"), "{\"Version\": \"1\"}").expect("write");
    std::fs::write(
        dir.join("account.json"),
        r#"{"account_id": "1", "policies": {"Bad": {"path": "bad.json"}}}"#,
    )
    .expect("write");
    let Err(AccountError::Invalid(e)) = Account::from_path(dir.join("account.json")) else {
        panic!("invalid")
    };
    assert_eq!(e.policies.len(), 1);
    assert_eq!(
        e.policies[0].source.name(),
        dir.join("bad.json").display().to_string()
    );
    assert!(
        e.to_string().contains("error[missing-policy-element]"),
        "{e}"
    );
    assert!(matches!(
        Account::from_path(dir.join("missing.json")),
        Err(AccountError::Source(_))
    ));
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn syntax_errors_and_missing_account_id() {
    let e = invalid("{\"account_id\": \"1\",}");
    assert_eq!(issues(&e), [("invalid-json", 1, 20)]);
    let e = invalid("{}");
    assert_eq!(issues(&e), [("missing-member", 1, 1)]);
    let e = invalid("[]");
    assert_eq!(issues(&e), [("data-type-mismatch", 1, 1)]);
    let e = invalid("{\"account_id\": \"12-34\"}");
    assert_eq!(issues(&e), [("invalid-account-id", 1, 16)]);
}

// ---- resolution, edge by edge ----

fn account(text: &str) -> Account {
    Account::parse(Source::new("acct.json", text), Path::new("policies")).expect("valid account")
}

fn codes(e: &InvalidAccount) -> Vec<&'static str> {
    e.issues.iter().map(|i| i.kind.code()).collect()
}

/// The decision for `who` restoring `instance` at the fixed time.
fn decide_for(account: &Account, who: &str, instance: &str) -> (Verdict, PolicyType) {
    let set = account
        .policy_set(&PrincipalRef::parse(who).expect("principal"))
        .expect("known principal")
        .build()
        .expect("builds");
    let request = Request::restore_instance("cn-hangzhou", ACCOUNT_ID, instance)
        .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("valid"))
        .build()
        .expect("valid request");
    let d = set.evaluate(&request);
    (d.verdict, d.policy_type)
}

const ALLOW_DOC: &str = r#"{"document": {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}}"#;
const DENY_DOC: &str = r#"{"document": {"Version": "1", "Statement": [{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}}"#;

#[test]
fn a_user_gets_its_groups_policies_and_a_role_only_its_own() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}}},
            "groups": {{"dba": {{"policies": [{{"name": "Allow"}}]}}}},
            "users": {{"alice": {{"groups": ["dba"]}}, "bob": {{}}}},
            "roles": {{"bot": {{}}}}}}"#
    ));
    assert_eq!(
        decide_for(&a, "user/alice", "r-1"),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
    assert_eq!(decide_for(&a, "user/bob", "r-1").0, Verdict::ImplicitDeny);
    assert_eq!(decide_for(&a, "role/bot", "r-1").0, Verdict::ImplicitDeny);
}

#[test]
fn resource_group_scope_applies_only_to_its_resources_and_only_after_implicit_deny() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}, "Deny": {DENY_DOC}}},
            "resource_groups": {{"rg": ["acs:kvstore:cn-hangzhou:{ACCOUNT_ID}:instance/r-in"]}},
            "users": {{"alice": {{"policies": [{{"name": "Allow", "resource_group": "rg"}}]}},
                       "carol": {{"policies": [{{"name": "Allow"}}, {{"name": "Deny", "resource_group": "rg"}}]}}}}}}"#
    ));
    assert_eq!(
        decide_for(&a, "user/alice", "r-in"),
        (
            Verdict::Allow,
            PolicyType::ResourceGroupLevelIdentityBasedPolicy
        )
    );
    assert_eq!(
        decide_for(&a, "user/alice", "r-out").0,
        Verdict::ImplicitDeny
    );
    // An account-scope Allow decides before the resource-group scope is consulted.
    assert_eq!(
        decide_for(&a, "user/carol", "r-in"),
        (Verdict::Allow, PolicyType::AccountLevelIdentityBasedPolicy)
    );
}

#[test]
fn a_control_policy_that_does_not_allow_denies_everyone() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}, "Deny": {DENY_DOC}}},
            "control_policies": ["Deny"],
            "users": {{"alice": {{"policies": [{{"name": "AliyunKvstoreFullAccess"}}]}}}}}}"#
    ));
    assert_eq!(
        decide_for(&a, "user/alice", "r-1"),
        (Verdict::ExplicitDeny, PolicyType::ControlPolicy)
    );
}

#[test]
fn a_session_policy_restricts_a_role_session() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "roles": {{"bot": {{"policies": [{{"name": "AliyunKvstoreFullAccess"}}]}}}}}}"#
    ));
    let session = Policy::from_text(
        "session",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:Describe*", "Resource": "*"}]}"#,
    )
    .expect("valid");
    let set = a
        .policy_set(&PrincipalRef::Role("bot".into()))
        .expect("known")
        .session(session)
        .build()
        .expect("builds");
    let request = Request::restore_instance("cn-hangzhou", ACCOUNT_ID, "r-1")
        .build()
        .expect("valid");
    let d = set.evaluate(&request);
    assert_eq!(
        (d.verdict, d.policy_type),
        (Verdict::ImplicitDeny, PolicyType::SessionPolicy)
    );
}

#[test]
fn unknown_names_are_errors() {
    let e = invalid(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "control_policies": ["Nope"],
            "users": {{"alice": {{"groups": ["ghosts"], "policies": [{{"name": "Missing"}}, {{"name": "aliyunkvstorefullaccess"}}, {{"name": "AliyunKvstoreFullAccess", "resource_group": "rg-none"}}]}}}}}}"#
    ));
    assert_eq!(
        codes(&e),
        [
            "unknown-policy",
            "unknown-group",
            "unknown-policy",
            "unknown-policy",
            "unknown-resource-group"
        ]
    );
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "users": {{"alice": {{}}}}}}"#
    ));
    for who in ["user/Alice", "user/bob", "role/alice"] {
        assert!(
            a.policy_set(&PrincipalRef::parse(who).expect("syntax"))
                .is_err(),
            "{who}"
        );
    }
    for bad in ["alice", "user/", "group/dba", "/alice", "User/alice"] {
        assert!(PrincipalRef::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn duplicates_are_errors_and_names_differing_in_case_are_distinct() {
    let e = invalid(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "groups": {{"dba": {{}}}},
            "users": {{"alice": {{"groups": ["dba", "dba"], "policies": [{{"name": "AliyunKvstoreFullAccess"}}, {{"name": "AliyunKvstoreFullAccess"}}]}}}}}}"#
    ));
    assert_eq!(codes(&e), ["duplicate-reference", "duplicate-reference"]);
    // Exact duplicate member names are errors; names differing only in case are two entities.
    let e = invalid(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "users": {{"alice": {{}}, "alice": {{}}}}}}"#
    ));
    assert_eq!(codes(&e), ["duplicate-member"]);
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Allow": {ALLOW_DOC}}},
            "users": {{"alice": {{"policies": [{{"name": "Allow"}}]}}, "Alice": {{}}}}}}"#
    ));
    assert_eq!(decide_for(&a, "user/alice", "r-1").0, Verdict::Allow);
    assert_eq!(decide_for(&a, "user/Alice", "r-1").0, Verdict::ImplicitDeny);
}

#[test]
fn a_policy_attached_to_both_user_and_group_is_evaluated_consistently() {
    let a = account(&format!(
        r#"{{"account_id": "{ACCOUNT_ID}", "policies": {{"Deny": {DENY_DOC}}},
            "groups": {{"dba": {{"policies": [{{"name": "Deny"}}, {{"name": "AliyunKvstoreFullAccess"}}]}}}},
            "users": {{"alice": {{"groups": ["dba"], "policies": [{{"name": "Deny"}}]}}}}}}"#
    ));
    assert_eq!(
        decide_for(&a, "user/alice", "r-1"),
        (
            Verdict::ExplicitDeny,
            PolicyType::AccountLevelIdentityBasedPolicy
        )
    );
}
