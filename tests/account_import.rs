//! `ramguard account import`: an account exported with the aliyun CLI becomes an account file
//! that loads, answers who may restore exactly as its policies say, and guards restores. Every
//! broken export is refused, or warned about, with its code and the file, line and column.
//! `scripts/export-account.sh` writes exactly the files the import reads.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{MANIFEST_DIR, Scratch, output};
use ramguard::diagnostic::{Diagnostic, Severity};
use ramguard::eval::PolicyKind;
use ramguard::ingest::account_import::{ImportError, LAYOUT, import_account};
use ramguard::principal::Account;
use ramguard::{
    Clearance, CompiledAccount, InstanceState, PolicyType, PrincipalRef, Request, RestoreCall,
    RestoreParameters, Timestamp, Verdict,
};
use serde_json::{Value, json};

const FIXTURE: &str = "tests/data/aliyun-export";
const EXPECTED: &str = "tests/data/aliyun-export.expected.json";
const SCRIPT: &str = "scripts/export-account.sh";
const ACCOUNT: &str = "1234567890123456";
const RG_PROD: &str = "rg-aek2prodk3mqa9y";
const RG_STAGING: &str = "rg-aek2stagx7n4a2b";

fn fixture() -> PathBuf {
    Path::new(MANIFEST_DIR).join(FIXTURE)
}

fn expected() -> String {
    std::fs::read_to_string(Path::new(MANIFEST_DIR).join(EXPECTED)).expect("the expected account")
}

// ---------------------------------------------------------------------------------------------
// The fixture, end to end.

#[test]
fn the_export_becomes_the_expected_account_file_with_no_warning() {
    let imported = import_account(fixture()).expect("the fixture imports");
    assert_eq!(imported.json(), expected());
    assert!(imported.warnings().is_empty(), "{:?}", imported.warnings());
    // The same export gives the same bytes every time.
    assert_eq!(
        import_account(fixture()).unwrap().into_json(),
        imported.json()
    );
}

#[test]
fn the_written_file_loads_and_maps_every_entity() {
    let scratch = Scratch::new("loads");
    let path = scratch.file("account.json", &expected());
    let account = Account::from_path(&path).expect("the account file loads");
    assert_eq!(account.id(), ACCOUNT);
    let principals: Vec<String> = account
        .principals()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        principals,
        [
            "user/alice",
            "user/bob",
            "user/carol",
            "user/dave",
            "user/erin",
            "role/kvstore-admin",
            "role/ops-bot",
            "role/restore-bot"
        ]
    );
    let groups: Vec<(&str, Vec<&str>)> = account
        .resource_groups()
        .iter()
        .map(|(name, arns)| (name.as_str(), arns.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        groups,
        [
            (
                RG_PROD,
                vec![
                    "acs:ecs:cn-hangzhou:1234567890123456:instance/i-bp1web01",
                    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1pay01",
                    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01",
                ]
            ),
            (
                RG_STAGING,
                vec![
                    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01",
                    "acs:kvstore:cn-shanghai:1234567890123456:instance/r-uf6stg02",
                ]
            ),
        ]
    );
    let file: Value = serde_json::from_str(&expected()).unwrap();
    assert_eq!(
        file["control_policies"],
        json!(["FullAliyunAccess", "NoProdRestore"])
    );
    assert_eq!(file["users"]["alice"]["groups"], json!(["dba", "oncall"]));
    assert_eq!(
        file["groups"]["dba"]["policies"],
        json!([{"name": "DbaRestore"}, {"name": "ProdRestore", "resource_group": RG_PROD}])
    );
    assert_eq!(
        file["users"]["dave"]["policies"],
        json!([{"name": "AliyunKvstoreFullAccess", "resource_group": RG_STAGING}])
    );
    // System policies carry the account's document and their type, the built-in ones too: RAM
    // evaluates the account's copy.
    let policies: Vec<(&str, &str)> = file["policies"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, p)| (name.as_str(), p["type"].as_str().unwrap_or("Custom")))
        .collect();
    assert_eq!(
        policies,
        [
            ("AliyunECSFullAccess", "System"),
            ("AliyunKvstoreFullAccess", "System"),
            ("AliyunKvstoreReadOnlyAccess", "System"),
            ("DbaRestore", "Custom"),
            ("NoProdRestore", "Custom"),
            ("OncallRestore", "Custom"),
            ("ProdRestore", "Custom"),
            ("ReadOnlyAccess", "System")
        ]
    );
    // OncallRestore's default version is v3, and v3 is what was imported: it has a Deny.
    assert_eq!(
        file["policies"]["OncallRestore"]["document"]["Statement"][1]["Effect"],
        "Deny"
    );
}

fn compiled() -> CompiledAccount {
    let imported = import_account(fixture()).expect("the fixture imports");
    CompiledAccount::compile(imported.account())
}

fn restore(instance: &str, region: &str) -> Request {
    Request::restore_instance(region, ACCOUNT, instance)
        .context("acs:MFAPresent", true)
        .context("acs:SourceIp", "10.1.2.3")
        .context("acs:SecureTransport", true)
        .build()
        .expect("a valid request")
}

/// `principal: Verdict by layer` for everyone, in account order.
fn who_can(account: &CompiledAccount, request: &Request) -> Vec<String> {
    account
        .who_can(request)
        .iter()
        .map(|a| format!("{}: {:?} by {:?}", a.principal, a.decision, a.policy_type))
        .collect()
}

#[test]
fn who_may_restore_the_payments_cache_is_what_the_policies_say() {
    let account = compiled();
    assert_eq!(
        who_can(&account, &restore("r-bp1pay01", "cn-hangzhou")),
        [
            // OncallRestore v3 allows the payments cache to the oncall group.
            "user/alice: Allow by AccountLevelIdentityBasedPolicy",
            // Auditors read; nothing of theirs restores.
            "user/bob: ImplicitDeny by AccountLevelIdentityBasedPolicy",
            "user/carol: Allow by AccountLevelIdentityBasedPolicy",
            // dave's full access is scoped to the staging resource group.
            "user/dave: ImplicitDeny by AccountLevelIdentityBasedPolicy",
            // erin's group dba has ProdRestore in the prod resource group, which holds it.
            "user/erin: Allow by ResourceGroupLevelIdentityBasedPolicy",
            "role/kvstore-admin: Allow by AccountLevelIdentityBasedPolicy",
            "role/ops-bot: ImplicitDeny by AccountLevelIdentityBasedPolicy",
            // DbaRestore is for staging instances only.
            "role/restore-bot: ImplicitDeny by AccountLevelIdentityBasedPolicy",
        ]
    );
}

#[test]
fn the_control_policy_keeps_everyone_off_production() {
    let account = compiled();
    let answers = account.who_can(&restore("r-bp1prod01", "cn-hangzhou"));
    assert_eq!(answers.len(), 8);
    for answer in &answers {
        assert_eq!(
            (answer.decision, answer.policy_type),
            (Verdict::ExplicitDeny, PolicyType::ControlPolicy),
            "{}",
            answer.principal
        );
        assert_eq!(answer.matched[0].at.policy, "NoProdRestore");
    }
}

#[test]
fn staging_restores_follow_mfa_and_resource_group_scope() {
    let account = compiled();
    assert_eq!(
        who_can(&account, &restore("r-uf6stg02", "cn-shanghai")),
        [
            "user/alice: Allow by AccountLevelIdentityBasedPolicy",
            "user/bob: ImplicitDeny by AccountLevelIdentityBasedPolicy",
            "user/carol: ImplicitDeny by AccountLevelIdentityBasedPolicy",
            "user/dave: Allow by ResourceGroupLevelIdentityBasedPolicy",
            "user/erin: Allow by AccountLevelIdentityBasedPolicy",
            "role/kvstore-admin: Allow by AccountLevelIdentityBasedPolicy",
            "role/ops-bot: Allow by ResourceGroupLevelIdentityBasedPolicy",
            "role/restore-bot: Allow by AccountLevelIdentityBasedPolicy",
        ]
    );
    // Without MFA, DbaRestore allows nobody, and OncallRestore's Deny does not apply either
    // (the key is missing, not false): only unconditional grants remain.
    let no_mfa = Request::restore_instance("cn-shanghai", ACCOUNT, "r-uf6stg02")
        .build()
        .unwrap();
    let allowed: Vec<String> = account
        .who_can(&no_mfa)
        .into_iter()
        .filter(|a| a.decision.is_allowed())
        .map(|a| a.principal.to_string())
        .collect();
    assert_eq!(allowed, ["user/dave", "role/kvstore-admin", "role/ops-bot"]);
}

#[test]
fn a_system_policy_carried_in_the_file_is_traced_as_one() {
    let account = compiled();
    let request = Request::builder(
        "ecs:StartInstance",
        "acs:ecs:cn-hangzhou:1234567890123456:instance/i-bp1web01",
    )
    .build()
    .unwrap();
    let answers = account.who_can(&request);
    let allowed: Vec<_> = answers.iter().filter(|a| a.decision.is_allowed()).collect();
    let [ops] = allowed.as_slice() else {
        panic!("only ops-bot may start ECS instances: {allowed:?}");
    };
    assert_eq!(ops.principal.to_string(), "role/ops-bot");
    assert_eq!(ops.matched[0].at.policy, "AliyunECSFullAccess");
    assert_eq!(ops.matched[0].policy_kind, PolicyKind::System);
    let custom = account
        .who_can(&restore("r-bp1pay01", "cn-hangzhou"))
        .into_iter()
        .find(|a| a.principal.to_string() == "user/carol")
        .unwrap();
    assert_eq!(custom.matched[0].policy_kind, PolicyKind::Custom);
}

#[test]
fn the_guard_permits_a_staging_restore_and_refuses_production() {
    let account = compiled();
    let alice = PrincipalRef::parse("user/alice").unwrap();
    let call = |instance: &str| {
        RestoreCall::new(
            "cn-hangzhou",
            ACCOUNT,
            RestoreParameters::point_in_time(instance, "2026-11-29T08:00:00Z"),
        )
        .context("acs:MFAPresent", true)
        .context("acs:SourceIp", "10.1.2.3")
        .context("acs:SecureTransport", true)
        .at(Timestamp::parse_rfc3339(common::NOW).unwrap())
    };
    let state = |name: &str| {
        InstanceState::from_path(format!("{MANIFEST_DIR}/policies/instances/{name}.json"))
            .expect("an instance state")
    };
    let staging = account.guard(&alice, &call("r-bp1stg01"), Some(&state("r-bp1stg01")));
    assert!(
        matches!(staging, Clearance::Permitted(_)),
        "{:?}",
        serde_json::to_string(&staging)
    );
    let prod = account.guard(&alice, &call("r-bp1prod01"), Some(&state("r-bp1prod01")));
    assert!(!prod.is_permitted());
    let line = serde_json::to_string(&prod).unwrap();
    assert!(line.contains(r#""policy":"NoProdRestore""#), "{line}");
}

// ---------------------------------------------------------------------------------------------
// The command line.

#[test]
fn the_command_prints_or_writes_the_account_file() {
    let (code, stdout, stderr) = output(&["account", "import", FIXTURE]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(stdout, expected());

    let scratch = Scratch::new("cli");
    let out = scratch.0.join("account.json").display().to_string();
    let (code, stdout, stderr) = output(&["account", "import", FIXTURE, "-o", &out]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    assert_eq!(
        stderr,
        format!("wrote `{out}`: account 1234567890123456, 5 users, 3 roles, 2 resource groups\n")
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected());
    let (code, stdout, _) = output(&[
        "who-can",
        "--account",
        &out,
        "--resource",
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1pay01",
        "--context",
        "acs:MFAPresent=true",
        "--context",
        "acs:SourceIp=10.1.2.3",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("\nallowed (4):\n  user/alice"), "{stdout}");
}

#[test]
fn the_command_refuses_a_broken_export_with_located_errors() {
    let scratch = Scratch::new("cli-broken");
    let dir = copy_fixture(&scratch, "export");
    std::fs::remove_file(dir.join("user-policies/carol.json")).unwrap();
    let dir_arg = dir.display().to_string();
    let (code, stdout, stderr) = output(&["account", "import", &dir_arg, "-o", "/dev/null"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    let (line, column) = position(&dir.join("users.json"), "\"carol\"");
    assert!(
        stderr.starts_with(&format!(
            "error[missing-file]: `{dir_arg}/user-policies/carol.json` is missing: the policies of user `carol` are needed\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--> {dir_arg}/users.json:{line}:{column}\n")),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: run scripts/export-account.sh again: the file is the output of `aliyun ram ListPoliciesForUser --UserName carol`"),
        "{stderr}"
    );
    // Nothing half-imported reaches stdout either.
    let (code, stdout, _) = output(&["account", "import", &dir_arg]);
    assert_eq!((code, stdout.as_str()), (2, ""));
}

#[test]
fn warnings_go_to_stderr_unless_quiet() {
    let scratch = Scratch::new("cli-warn");
    let dir = copy_fixture(&scratch, "export");
    std::fs::write(dir.join("notes.txt"), "exported by hand\n").unwrap();
    let dir_arg = dir.display().to_string();
    let (code, stdout, stderr) = output(&["account", "import", &dir_arg]);
    assert_eq!(code, 0);
    assert_eq!(stdout, expected());
    assert!(
        stderr.starts_with(&format!(
            "warning[unused-file]: `{dir_arg}/notes.txt` is not part of an account export and was not read\n"
        )),
        "{stderr}"
    );
    let (code, stdout, stderr) = output(&["--quiet", "account", "import", &dir_arg]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
}

// ---------------------------------------------------------------------------------------------
// Broken exports: each case changes a copy of the fixture and names the one diagnostic it
// must cause, with its place.

/// Copies the fixture into `scratch/name`.
fn copy_fixture(scratch: &Scratch, name: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = scratch.0.join(name);
    copy(&fixture(), &dir);
    dir
}

/// Rewrites one JSON file of an export.
fn edit(dir: &Path, file: &str, change: impl FnOnce(&mut Value)) {
    let path = dir.join(file);
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut value);
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

/// Line and column (1-based, in characters) of the first `needle` in a file.
fn position(path: &Path, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    position_in(&text, needle)
}

fn position_in(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` in {text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Imports a changed copy of the fixture.
fn variant(
    name: &str,
    change: impl FnOnce(&Path),
) -> (
    PathBuf,
    Scratch,
    Result<ramguard::ingest::account_import::ImportedAccount, ImportError>,
) {
    let scratch = Scratch::new(name);
    let dir = copy_fixture(&scratch, "export");
    change(&dir);
    let result = import_account(&dir);
    (dir, scratch, result)
}

/// The one error of a refused import, with its code; every other error is listed in the
/// failure message.
fn the_error(
    result: Result<ramguard::ingest::account_import::ImportedAccount, ImportError>,
) -> Diagnostic {
    let error = result.expect_err("the import must fail");
    let [one] = error.errors() else {
        panic!("one error expected: {error}");
    };
    assert_eq!(one.severity, Severity::Error);
    one.clone()
}

/// The one warning of an accepted import.
fn the_warning(
    result: Result<ramguard::ingest::account_import::ImportedAccount, ImportError>,
) -> (Diagnostic, String) {
    let imported = result.unwrap_or_else(|e| panic!("the import must succeed: {e}"));
    let [one] = imported.warnings() else {
        panic!("one warning expected: {:?}", imported.warnings());
    };
    assert_eq!(one.severity, Severity::Warning);
    (one.clone(), imported.into_json())
}

/// Asserts a diagnostic's code and that it starts at `needle` in `file` of the export.
fn assert_at(diagnostic: &Diagnostic, code: &str, dir: &Path, file: &str, needle: &str) {
    assert_eq!(diagnostic.code(), code, "{diagnostic}");
    let path = dir.join(file);
    assert_eq!(
        diagnostic.file(),
        Some(path.display().to_string().as_str()),
        "{diagnostic}"
    );
    let start = diagnostic.start().expect("a position");
    assert_eq!(
        (start.line, start.column),
        position(&path, needle),
        "{diagnostic}"
    );
}

#[test]
fn a_missing_per_user_file_is_an_error_at_the_user() {
    let (dir, _s, result) = variant("missing-user-file", |dir| {
        std::fs::remove_file(dir.join("user-policies/carol.json")).unwrap();
    });
    let error = the_error(result);
    assert_at(&error, "missing-file", &dir, "users.json", "\"carol\"");
    assert_eq!(
        error.message,
        format!(
            "`{}` is missing: the policies of user `carol` are needed",
            dir.join("user-policies/carol.json").display()
        )
    );
}

#[test]
fn a_missing_policy_document_is_an_error_at_the_attachment() {
    let (dir, _s, result) = variant("missing-document", |dir| {
        std::fs::remove_file(dir.join("policies/OncallRestore.json")).unwrap();
    });
    let error = the_error(result);
    assert_at(
        &error,
        "missing-file",
        &dir,
        "group-policies/oncall.json",
        "\"OncallRestore\"",
    );
    assert!(
        error.message.ends_with(
            "is missing: the document of custom policy `OncallRestore`, attached to group `oncall`, is needed"
        ),
        "{error}"
    );
}

#[test]
fn a_list_cut_short_is_an_error() {
    let (dir, _s, result) = variant("truncated", |dir| {
        edit(dir, "users.json", |v| v["IsTruncated"] = json!(true));
    });
    assert_at(
        &the_error(result),
        "truncated-list",
        &dir,
        "users.json",
        "true",
    );

    let (dir, _s, result) = variant("total-count", |dir| {
        edit(dir, "resource-groups.json", |v| v["TotalCount"] = json!(3));
    });
    let error = the_error(result);
    assert_at(
        &error,
        "truncated-list",
        &dir,
        "resource-groups.json",
        "3\n}",
    );
    assert_eq!(
        error.message,
        "the list holds 2 of its 3 items (`TotalCount`)"
    );
}

#[test]
fn a_file_of_another_response_is_an_error() {
    let (dir, _s, result) = variant("other-response", |dir| {
        std::fs::copy(dir.join("groups.json"), dir.join("users.json")).unwrap();
        // Nobody is in a group of users that no longer exist: only the shape is wrong.
        for group in ["auditors", "dba", "oncall"] {
            edit(dir, &format!("group-members/{group}.json"), |v| {
                v["Users"]["User"] = json!([]);
            });
        }
        for user in ["alice", "bob", "carol", "dave", "erin"] {
            std::fs::remove_file(dir.join(format!("user-policies/{user}.json"))).unwrap();
        }
        edit(dir, "policy-attachments.json", |v| {
            let items = v["PolicyAttachments"]["PolicyAttachment"]
                .as_array_mut()
                .unwrap();
            items.retain(|a| a["PrincipalType"] != "IMSUser");
            v["TotalCount"] = json!(items.len());
        });
    });
    let error = the_error(result);
    assert_at(&error, "unexpected-shape", &dir, "users.json", "\"Groups\"");
    assert_eq!(
        error.message,
        "the response has no `Users` but has `Groups`: it is not the list this file holds"
    );
    assert_eq!(
        error.help.as_deref(),
        Some(
            "the file must be the output of `aliyun ram ListUsers`, as scripts/export-account.sh writes it"
        )
    );
}

#[test]
fn json_that_does_not_parse_or_repeats_a_member_is_an_error() {
    let (dir, _s, result) = variant("invalid-json", |dir| {
        let path = dir.join("roles.json");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}}}")).unwrap();
    });
    let error = the_error(result);
    assert_eq!(error.code(), "invalid-json");
    assert_eq!(
        error.file(),
        Some(dir.join("roles.json").display().to_string().as_str())
    );

    let (dir, _s, result) = variant("duplicate-member", |dir| {
        let path = dir.join("account-id.json");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replacen("{", "{\n\t\"AccountId\": \"9999999999999999\",", 1),
        )
        .unwrap();
    });
    let error = the_error(result);
    assert_eq!(error.code(), "duplicate-member");
    let start = error.start().unwrap();
    let (line, column) = position(&dir.join("account-id.json"), "\"AccountId\": \"1234");
    assert_eq!((start.line, start.column), (line, column));
}

#[test]
fn a_member_of_a_group_the_export_does_not_list_as_a_user_is_an_error() {
    let (dir, _s, result) = variant("unknown-member", |dir| {
        edit(dir, "group-members/dba.json", |v| {
            v["Users"]["User"]
                .as_array_mut()
                .unwrap()
                .push(json!({"DisplayName": "M", "JoinDate": "2024-03-11T02:25:00Z", "UserName": "mallory"}));
        });
    });
    let error = the_error(result);
    assert_at(
        &error,
        "unknown-user",
        &dir,
        "group-members/dba.json",
        "\"mallory\"",
    );
}

#[test]
fn a_file_about_an_entity_no_list_names_is_an_error() {
    let (dir, _s, result) = variant("unlisted", |dir| {
        std::fs::copy(
            dir.join("user-policies/alice.json"),
            dir.join("user-policies/mallory.json"),
        )
        .unwrap();
    });
    let error = the_error(result);
    assert_eq!(error.code(), "unlisted-entity");
    assert_eq!(
        error.message,
        format!(
            "`{}` is about the user `mallory`, which `users.json` does not list",
            dir.join("user-policies/mallory.json").display()
        )
    );
    assert!(error.location.is_none());
}

#[test]
fn a_policy_version_other_than_the_default_is_an_error() {
    // GetPolicyVersion of v1, which is not the default.
    let (dir, _s, result) = variant("not-default", |dir| {
        std::fs::write(
            dir.join("policies/OncallRestore.json"),
            r#"{
	"PolicyVersion": {
		"CreateDate": "2024-05-20T02:58:00Z",
		"IsDefaultVersion": false,
		"PolicyDocument": "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kvstore:*\", \"Resource\": \"*\"}]}",
		"VersionId": "v1"
	},
	"RequestId": "9B34724D-54B0-4A51-B34D-4512372FE1BE"
}
"#,
        )
        .unwrap();
    });
    let error = the_error(result);
    assert_at(
        &error,
        "not-default-version",
        &dir,
        "policies/OncallRestore.json",
        "false",
    );
    assert_eq!(
        error.message,
        "`v1` of policy `OncallRestore` is not its default version, the one RAM evaluates"
    );

    // ListPolicyVersions with no default, and with two.
    let versions = |defaults: [bool; 3]| {
        let items: Vec<Value> = defaults
            .iter()
            .enumerate()
            .map(|(i, d)| json!({
                "CreateDate": "2024-05-20T02:58:00Z",
                "IsDefaultVersion": d,
                "PolicyDocument": "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"*\"}]}",
                "VersionId": format!("v{}", i + 1)
            }))
            .collect();
        serde_json::to_string_pretty(
            &json!({"PolicyVersions": {"PolicyVersion": items}, "RequestId": "R"}),
        )
        .unwrap()
    };
    let none = versions([false, false, false]);
    let (dir, _s, result) = variant("no-default", |dir| {
        std::fs::write(dir.join("policies/OncallRestore.json"), &none).unwrap();
    });
    assert_at(
        &the_error(result),
        "not-default-version",
        &dir,
        "policies/OncallRestore.json",
        "{",
    );
    let two = versions([false, true, true]);
    let (_dir, _s, result) = variant("two-defaults", |dir| {
        std::fs::write(dir.join("policies/OncallRestore.json"), &two).unwrap();
    });
    let error = the_error(result);
    assert_eq!(error.code(), "ambiguous-default-version");
    let (line, _) = position_in(&two, "\"v3\"");
    // `IsDefaultVersion` of the second default sits two lines above its `VersionId`.
    assert_eq!(error.start().unwrap().line, line - 2);

    // A version list whose default is v3 imports as GetPolicy does (the listing says v3).
    let third = versions([false, false, true]);
    let (_dir, _s, result) = variant("listed-default", |dir| {
        std::fs::write(dir.join("policies/OncallRestore.json"), &third).unwrap();
    });
    let imported = result.expect("a version list with one default imports");
    let file: Value = serde_json::from_str(imported.json()).unwrap();
    assert_eq!(
        file["policies"]["OncallRestore"]["document"]["Statement"][0]["Resource"],
        "*"
    );
}

#[test]
fn resource_managers_get_policy_is_read_too() {
    let (_dir, _s, result) = variant("rm-get-policy", |dir| {
        edit(dir, "policies/DbaRestore.json", |v| {
            let document = v["DefaultPolicyVersion"]["PolicyDocument"].clone();
            let policy = v["Policy"].as_object_mut().unwrap();
            policy.insert("PolicyDocument".into(), document);
            v.as_object_mut().unwrap().remove("DefaultPolicyVersion");
        });
    });
    let imported = result.expect("Resource Manager's GetPolicy imports");
    assert_eq!(imported.json(), expected());
}

#[test]
fn a_listing_and_a_document_of_different_versions_are_an_error() {
    let (dir, _s, result) = variant("stale", |dir| {
        edit(dir, "group-policies/oncall.json", |v| {
            v["Policies"]["Policy"][0]["DefaultVersion"] = json!("v2");
        });
    });
    let error = the_error(result);
    assert_at(
        &error,
        "stale-policy-version",
        &dir,
        "group-policies/oncall.json",
        "\"v2\"",
    );

    let (dir, _s, result) = variant("inner-mismatch", |dir| {
        edit(dir, "policies/OncallRestore.json", |v| {
            v["Policy"]["DefaultVersion"] = json!("v4");
        });
    });
    let error = the_error(result);
    assert_at(
        &error,
        "not-default-version",
        &dir,
        "policies/OncallRestore.json",
        "\"v3\"",
    );
}

#[test]
fn a_file_about_another_policy_is_an_error() {
    let (dir, _s, result) = variant("wrong-file", |dir| {
        edit(dir, "policies/DbaRestore.json", |v| {
            v["Policy"]["PolicyName"] = json!("ProdRestore");
        });
    });
    let error = the_error(result);
    assert_at(
        &error,
        "wrong-file",
        &dir,
        "policies/DbaRestore.json",
        "\"ProdRestore\"",
    );
    assert_eq!(
        error.message,
        "the file is about the policy `ProdRestore`, but its name says `DbaRestore`"
    );
}

#[test]
fn an_invalid_policy_document_is_reported_inside_the_document() {
    let (dir, _s, result) = variant("invalid-document", |dir| {
        edit(dir, "policies/OncallRestore.json", |v| {
            let text = v["DefaultPolicyVersion"]["PolicyDocument"]
                .as_str()
                .unwrap();
            v["DefaultPolicyVersion"]["PolicyDocument"] =
                json!(text.replacen("\"Effect\": \"Deny\"", "\"Effect\": \"deny\"", 1));
        });
    });
    let error = the_error(result);
    assert_eq!(error.code(), "invalid-effect");
    assert_eq!(
        error.file(),
        Some(
            dir.join("policies/OncallRestore.json")
                .display()
                .to_string()
                .as_str()
        )
    );
    let location = error.location.as_ref().unwrap();
    assert_eq!(
        location.source.origin(),
        Some("DefaultPolicyVersion.PolicyDocument")
    );
    let start = error.start().unwrap();
    assert_eq!(
        (start.line, start.column),
        position_in(location.source.text(), "\"deny\"")
    );
}

#[test]
fn unknown_types_and_principals_are_errors() {
    let (dir, _s, result) = variant("policy-type", |dir| {
        edit(dir, "user-policies/alice.json", |v| {
            v["Policies"]["Policy"][0]["PolicyType"] = json!("Managed");
        });
    });
    assert_at(
        &the_error(result),
        "unknown-policy-type",
        &dir,
        "user-policies/alice.json",
        "\"Managed\"",
    );

    let attachment = |change: fn(&mut Value)| {
        move |dir: &Path| {
            edit(dir, "policy-attachments.json", |v| {
                change(&mut v["PolicyAttachments"]["PolicyAttachment"][4]);
            });
        }
    };
    let (dir, _s, result) = variant(
        "principal-type",
        attachment(|a| a["PrincipalType"] = json!("RamRole")),
    );
    assert_at(
        &the_error(result),
        "unknown-principal-type",
        &dir,
        "policy-attachments.json",
        "\"RamRole\"",
    );

    let (dir, _s, result) = variant(
        "principal",
        attachment(|a| a["PrincipalName"] = json!("mallory@1234567890123456.onaliyun.com")),
    );
    let error = the_error(result);
    assert_at(
        &error,
        "unknown-principal",
        &dir,
        "policy-attachments.json",
        "\"mallory@",
    );
    assert_eq!(
        error.message,
        "the attachment is to the user `mallory`, which `users.json` does not list"
    );

    let (dir, _s, result) = variant(
        "resource-group",
        attachment(|a| a["ResourceGroupId"] = json!("rg-nope")),
    );
    assert_at(
        &the_error(result),
        "unknown-resource-group",
        &dir,
        "policy-attachments.json",
        "\"rg-nope\"",
    );

    let (dir, _s, result) = variant(
        "other-scope",
        attachment(|a| a["ResourceGroupId"] = json!("9999999999999999")),
    );
    assert_at(
        &the_error(result),
        "other-account",
        &dir,
        "policy-attachments.json",
        "\"9999999999999999\"",
    );
}

#[test]
fn a_role_named_in_another_case_is_read_with_a_warning() {
    let (dir, _s, result) = variant("role-case", |dir| {
        edit(dir, "policy-attachments.json", |v| {
            v["PolicyAttachments"]["PolicyAttachment"][5]["PrincipalName"] = json!("Ops-Bot");
        });
    });
    let (warning, json) = the_warning(result);
    assert_at(
        &warning,
        "principal-name-case",
        &dir,
        "policy-attachments.json",
        "\"Ops-Bot\"",
    );
    assert_eq!(json, expected());
}

#[test]
fn an_account_scope_attachment_ram_does_not_list_is_an_error() {
    let (dir, _s, result) = variant("mismatch", |dir| {
        edit(dir, "policy-attachments.json", |v| {
            let items = v["PolicyAttachments"]["PolicyAttachment"]
                .as_array_mut()
                .unwrap();
            items.push(json!({
                "AttachDate": "2024-05-20T03:00:00Z", "Description": "", "PolicyName": "ReadOnlyAccess",
                "PolicyType": "System", "PrincipalName": "bob@1234567890123456.onaliyun.com",
                "PrincipalType": "IMSUser", "ResourceGroupId": ACCOUNT
            }));
            v["TotalCount"] = json!(items.len());
        });
    });
    let error = the_error(result);
    assert_eq!(error.code(), "attachment-mismatch");
    let path = dir.join("policy-attachments.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let last = text.rfind("\"ReadOnlyAccess\"").unwrap();
    let (line, column) = position_in(&text[last..], "\"ReadOnlyAccess\"");
    let before_line = text[..last].matches('\n').count();
    let before_col = text[..last].len() - text[..last].rfind('\n').map_or(0, |i| i + 1);
    let start = error.start().unwrap();
    assert_eq!(
        (start.line, start.column),
        (before_line + line, before_col + column)
    );
}

#[test]
fn resources_map_to_arns_and_doubtful_ones_are_refused() {
    let (dir, _s, result) = variant("redis-code", |dir| {
        edit(
            dir,
            &format!("resource-group-resources/{RG_STAGING}.json"),
            |v| {
                v["Resources"]["Resource"][0]["Service"] = json!("redis");
            },
        );
    });
    let file = format!("resource-group-resources/{RG_STAGING}.json");
    assert_at(
        &the_error(result),
        "unknown-kvstore-service",
        &dir,
        &file,
        "\"redis\"",
    );

    let (dir, _s, result) = variant("no-region", |dir| {
        edit(
            dir,
            &format!("resource-group-resources/{RG_STAGING}.json"),
            |v| {
                v["Resources"]["Resource"][1]["RegionId"] = json!("");
            },
        );
    });
    assert_at(
        &the_error(result),
        "invalid-resource",
        &dir,
        &file,
        "\"r-uf6stg02\"",
    );

    let (dir, _s, result) = variant("unmapped", |dir| {
        edit(
            dir,
            &format!("resource-group-resources/{RG_PROD}.json"),
            |v| {
                v["Resources"]["Resource"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("ResourceType");
            },
        );
    });
    let (warning, json) = the_warning(result);
    assert_at(
        &warning,
        "unmapped-resource",
        &dir,
        &format!("resource-group-resources/{RG_PROD}.json"),
        "\"i-bp1web01\"",
    );
    assert!(!json.contains("i-bp1web01"));

    let (dir, _s, result) = variant("foreign-group", |dir| {
        edit(dir, "resource-groups.json", |v| {
            v["ResourceGroups"]["ResourceGroup"][1]["AccountId"] = json!("9999999999999999");
        });
    });
    // The staging group is left out, so are the attachments scoped to it.
    let error = result.expect_err("another account's resource group");
    let codes: Vec<&str> = error.errors().iter().map(|d| d.code()).collect();
    assert_eq!(
        codes,
        [
            "unknown-resource-group",
            "unknown-resource-group",
            "other-account"
        ]
    );
    assert_at(
        &error.errors()[2],
        "other-account",
        &dir,
        "resource-groups.json",
        "\"9999999999999999\"",
    );
}

#[test]
fn names_that_could_leave_the_directory_are_refused() {
    let (dir, _s, result) = variant("evil-name", |dir| {
        edit(dir, "roles.json", |v| {
            v["Roles"]["Role"][0]["RoleName"] = json!("../../etc");
        });
        std::fs::remove_file(dir.join("role-policies/kvstore-admin.json")).unwrap();
        edit(dir, "policy-attachments.json", |v| {
            let items = v["PolicyAttachments"]["PolicyAttachment"]
                .as_array_mut()
                .unwrap();
            items.retain(|a| a["PrincipalName"] != "kvstore-admin");
            v["TotalCount"] = json!(items.len());
        });
    });
    assert_at(
        &the_error(result),
        "invalid-name",
        &dir,
        "roles.json",
        "\"../../etc\"",
    );
}

#[test]
fn duplicates_from_overlapping_pages_are_warnings() {
    let (dir, _s, result) = variant("duplicate-user", |dir| {
        edit(dir, "users.json", |v| {
            let users = v["Users"]["User"].as_array_mut().unwrap();
            let bob = users[1].clone();
            users.push(bob);
        });
    });
    let (warning, json) = the_warning(result);
    assert_eq!(warning.message, "user `bob` is listed twice");
    let text = std::fs::read_to_string(dir.join("users.json")).unwrap();
    let second = text.rfind("\"bob\"").unwrap();
    assert_eq!(
        warning.start().unwrap().line,
        text[..second].matches('\n').count() + 1
    );
    assert_eq!(json, expected());
}

#[test]
fn control_policies_need_full_aliyun_access_at_every_level() {
    let (dir, _s, result) = variant("allowlist", |dir| {
        edit(dir, "control-policy-attachments/fd-bVaRIG8s.json", |v| {
            v["ControlPolicyAttachments"]["ControlPolicyAttachment"]
                .as_array_mut()
                .unwrap()
                .remove(0);
        });
    });
    let error = the_error(result);
    assert_at(
        &error,
        "control-policy-allowlist",
        &dir,
        "control-policy-attachments/fd-bVaRIG8s.json",
        "{",
    );
    assert_eq!(
        error.message,
        "`FullAliyunAccess` is not attached to `fd-bVaRIG8s`: its allowlist of control policies cannot be imported"
    );

    let (dir, _s, result) = variant("system-control", |dir| {
        edit(dir, "control-policy-attachments/r-Wm7nQ2.json", |v| {
            v["ControlPolicyAttachments"]["ControlPolicyAttachment"][0]["PolicyName"] =
                json!("FullAliyunAccessV2");
        });
    });
    // The Root then lacks FullAliyunAccess too.
    let error = result.expect_err("an unknown system control policy");
    let codes: Vec<&str> = error.errors().iter().map(|d| d.code()).collect();
    assert_eq!(
        codes,
        ["control-policy-allowlist", "unknown-system-control-policy"]
    );
    assert_at(
        &error.errors()[1],
        "unknown-system-control-policy",
        &dir,
        "control-policy-attachments/r-Wm7nQ2.json",
        "\"FullAliyunAccessV2\"",
    );

    let (dir, _s, result) = variant("missing-level", |dir| {
        std::fs::remove_file(dir.join("control-policy-attachments/fd-bVaRIG8s.json")).unwrap();
    });
    let error = the_error(result);
    assert_at(
        &error,
        "missing-file",
        &dir,
        "rd-account.json",
        "\"rd-k3Zq9x/",
    );
}

#[test]
fn a_control_policy_cannot_share_a_name_with_a_ram_policy() {
    let (dir, _s, result) = variant("collision", |dir| {
        edit(dir, "control-policies/cp-jExXAqIYkwHN0001.json", |v| {
            v["ControlPolicy"]["PolicyName"] = json!("DbaRestore")
        });
        edit(dir, "control-policy-attachments/fd-bVaRIG8s.json", |v| {
            v["ControlPolicyAttachments"]["ControlPolicyAttachment"][1]["PolicyName"] =
                json!("DbaRestore");
        });
    });
    let error = the_error(result);
    assert_at(
        &error,
        "policy-name-collision",
        &dir,
        "control-policies/cp-jExXAqIYkwHN0001.json",
        "\"DbaRestore\"",
    );
}

#[test]
fn an_account_outside_a_resource_directory_imports_with_a_warning() {
    let (dir, _s, result) = variant("no-rd", |dir| {
        std::fs::remove_file(dir.join("rd-account.json")).unwrap();
        std::fs::remove_dir_all(dir.join("control-policy-attachments")).unwrap();
        std::fs::remove_dir_all(dir.join("control-policies")).unwrap();
    });
    let (warning, json) = the_warning(result);
    assert_eq!(warning.code(), "no-control-policies");
    assert_eq!(
        warning.message,
        format!(
            "`{}` is missing: the account is imported without Resource Directory control policies",
            dir.join("rd-account.json").display()
        )
    );
    let file: Value = serde_json::from_str(&json).unwrap();
    assert!(file.get("control_policies").is_none());
    assert!(file["policies"].get("NoProdRestore").is_none());

    // With the attachments still there, which of them apply is unknown: an error.
    let (_dir, _s, result) = variant("rd-missing", |dir| {
        std::fs::remove_file(dir.join("rd-account.json")).unwrap();
    });
    let error = the_error(result);
    assert_eq!(error.code(), "missing-file");
    assert!(
        error
            .message
            .ends_with("without it, which of the control policy attachments apply is unknown"),
        "{error}"
    );
}

#[test]
fn a_built_in_policy_that_differs_is_a_warning() {
    let (dir, _s, result) = variant("builtin-differs", |dir| {
        edit(
            dir,
            "system-policies/AliyunKvstoreReadOnlyAccess.json",
            |v| {
                v["DefaultPolicyVersion"]["PolicyDocument"] = json!(
                    "{\"Version\": \"1\", \"Statement\": [{\"Action\": [\"kvstore:Describe*\", \"kvstore:List*\"], \"Resource\": \"*\", \"Effect\": \"Allow\"}]}"
                );
            },
        );
    });
    let (warning, json) = the_warning(result);
    assert_at(
        &warning,
        "builtin-policy-differs",
        &dir,
        "system-policies/AliyunKvstoreReadOnlyAccess.json",
        "{",
    );
    // The account's copy is imported: RAM evaluates that one.
    let imported: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(
        imported["policies"]["AliyunKvstoreReadOnlyAccess"],
        json!({
            "document": {"Version": "1", "Statement": [{"Action": ["kvstore:Describe*", "kvstore:List*"], "Resource": "*", "Effect": "Allow"}]},
            "type": "System"
        })
    );
    let account = Account::parse(
        ramguard::span::Source::new("account.json", json.as_str()),
        "".as_ref(),
    )
    .expect("the written file loads");
    let alice = account
        .policy_set(&PrincipalRef::parse("user/alice").expect("a principal"))
        .expect("alice")
        .build()
        .expect("a set");
    let list = ramguard::Request::builder(
        "kvstore:ListTagResources",
        "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01",
    )
    .build()
    .expect("a request");
    assert!(
        alice.evaluate(&list).is_allowed(),
        "the account's copy grants List*"
    );
}

#[test]
fn the_account_id_must_be_one() {
    let (dir, _s, result) = variant("account-id", |dir| {
        edit(dir, "account-id.json", |v| {
            v["AccountId"] = json!("payments")
        });
    });
    let error = result.expect_err("no account id");
    assert_at(
        &error.errors()[0],
        "invalid-account-id",
        &dir,
        "account-id.json",
        "\"payments\"",
    );
}

#[test]
fn a_directory_is_needed() {
    let error = import_account(Path::new(MANIFEST_DIR).join(EXPECTED)).unwrap_err();
    assert_eq!(error.errors()[0].code(), "not-a-directory");
    let (code, _, stderr) = output(&["account", "import", "no-such-export"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error[not-a-directory]: `no-such-export` is not a directory\n  = help: give the directory scripts/export-account.sh wrote\n"
    );
}

// ---------------------------------------------------------------------------------------------
// The export script.

#[test]
fn the_script_is_valid_bash() {
    let status = std::process::Command::new("bash")
        .args(["-n", SCRIPT])
        .current_dir(MANIFEST_DIR)
        .status()
        .expect("bash runs");
    assert!(status.success());
    let (code, help) = {
        let out = std::process::Command::new("bash")
            .args([SCRIPT, "--help"])
            .current_dir(MANIFEST_DIR)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    assert_eq!(code, Some(0));
    assert!(
        help.starts_with("Exports a RAM account with the aliyun CLI into DIR"),
        "{help}"
    );
}

/// `(path, aliyun call)` for every file the script saves: the first arguments of `fetch`,
/// `rd_fetch`, `fetch_marker_list` and `fetch_page_list`, with `${name}` as `<>`.
fn script_files() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(Path::new(MANIFEST_DIR).join(SCRIPT)).unwrap();
    // Continuation lines joined, so that each call is one line.
    let joined = text.replace("\\\n", " ");
    let mut files = BTreeSet::new();
    for line in joined.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (skip, file) = match words.as_slice() {
            ["fetch" | "rd_fetch", file, _, _, ..] => (2, file),
            [
                "fetch_marker_list" | "fetch_page_list",
                file,
                _,
                _,
                _,
                _,
                ..,
            ] => (4, file),
            _ => continue,
        };
        // The helpers' own bodies pass "$@" along.
        if !file.ends_with(".json\"") {
            continue;
        }
        let path = placeholders(file.trim_matches('"'), "${", '}');
        let call = format!("aliyun {} {}", words[skip], words[skip + 1]);
        files.insert((path, call));
    }
    files
}

fn placeholders(text: &str, open: &str, close: char) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        out.push_str("<>");
        let after = &rest[start..];
        rest = after.find(close).map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn the_script_writes_exactly_the_files_the_import_reads() {
    let read: BTreeSet<(String, String)> = LAYOUT
        .iter()
        .map(|f| {
            let call: Vec<&str> = f.command.split_whitespace().take(3).collect();
            (placeholders(f.path, "<", '>'), call.join(" "))
        })
        .collect();
    let written = script_files();
    assert_eq!(written.len(), LAYOUT.len(), "{written:#?}");
    assert_eq!(written, read);
}

/// A stand-in for the aliyun CLI: answers from the fixture, two items a page, and logs calls.
const FAKE_ALIYUN: &str = r#"#!/usr/bin/env bash
set -euo pipefail
product=$1 api=$2
shift 2
echo "$product $api $*" >> "$FAKE_LOG"
declare -A arg
while [ $# -gt 0 ]; do arg[${1#--}]=$2; shift 2; done
f=$FIXTURE
marker_page() {
    jq -S --tab --arg c "$2" --arg i "$3" --argjson p "${arg[Marker]:-0}" '
        .[$c][$i] as $all | (($p + 1) * 2 < ($all | length)) as $more
        | {($c): {($i): $all[$p * 2:$p * 2 + 2]}, IsTruncated: $more, RequestId: "R"}
        + (if $more then {Marker: "\($p + 1)"} else {} end)' "$1"
}
number_page() {
    jq -S --tab --arg c "$2" --arg i "$3" --argjson p "${arg[PageNumber]}" '
        .[$c][$i] as $all
        | {($c): {($i): $all[($p - 1) * 2:($p - 1) * 2 + 2]}, PageNumber: $p, PageSize: 2,
           TotalCount: ($all | length), RequestId: "R"}' "$1"
}
case "$product $api" in
    "sts GetCallerIdentity") cat "$f/account-id.json" ;;
    "ram ListUsers") marker_page "$f/users.json" Users User ;;
    "ram ListGroups") marker_page "$f/groups.json" Groups Group ;;
    "ram ListRoles") marker_page "$f/roles.json" Roles Role ;;
    "ram ListUsersForGroup") marker_page "$f/group-members/${arg[GroupName]}.json" Users User ;;
    "ram ListPoliciesForUser") cat "$f/user-policies/${arg[UserName]}.json" ;;
    "ram ListPoliciesForGroup") cat "$f/group-policies/${arg[GroupName]}.json" ;;
    "ram ListPoliciesForRole") cat "$f/role-policies/${arg[RoleName]}.json" ;;
    "ram GetPolicy")
        case ${arg[PolicyType]} in
            Custom) cat "$f/policies/${arg[PolicyName]}.json" ;;
            System) cat "$f/system-policies/${arg[PolicyName]}.json" ;;
        esac ;;
    "resourcemanager ListResourceGroups") number_page "$f/resource-groups.json" ResourceGroups ResourceGroup ;;
    "resourcemanager ListResources")
        number_page "$f/resource-group-resources/${arg[ResourceGroupId]}.json" Resources Resource ;;
    "resourcemanager ListPolicyAttachments")
        number_page "$f/policy-attachments.json" PolicyAttachments PolicyAttachment ;;
    "resourcemanager GetAccount") cat "$f/rd-account.json" ;;
    "resourcemanager ListControlPolicyAttachmentsForTarget")
        cat "$f/control-policy-attachments/${arg[TargetId]}.json" ;;
    "resourcemanager GetControlPolicy") cat "$f/control-policies/${arg[PolicyId]}.json" ;;
    *) echo "fake aliyun: no answer for $product $api" >&2; exit 1 ;;
esac
"#;

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Runs the export script with the stand-in CLI; exit code and stderr.
fn run_script(scratch: &Scratch, args: &[&str]) -> (i32, String) {
    let bin = scratch.0.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("aliyun");
    std::fs::write(&fake, FAKE_ALIYUN).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .arg(Path::new(MANIFEST_DIR).join(SCRIPT))
        .args(args)
        .env("PATH", path)
        .env("FIXTURE", fixture())
        .env("FAKE_LOG", scratch.0.join("calls.log"))
        .output()
        .expect("bash runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn has_jq() -> bool {
    std::process::Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_script_run_against_a_stand_in_cli_writes_the_fixture() {
    if !has_jq() {
        // The script needs jq; without it only the checks above run.
        eprintln!("jq is not installed: the export script is not run");
        return;
    }
    let scratch = Scratch::new("script");
    let out = scratch.0.join("export");
    let out_arg = out.display().to_string();
    let (code, stderr) = run_script(
        &scratch,
        &["--profile", "payments", "--rd-profile", "mgmt", &out_arg],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("+ aliyun ram ListUsers --MaxItems 1000 --Marker 1\n"),
        "{stderr}"
    );
    assert!(stderr.ends_with(&format!(
        "exported account 1234567890123456 into {out_arg}; next: ramguard account import {out_arg} -o account.json\n"
    )));
    // Every file the fixture has, holding what the fixture's holds.
    assert_eq!(files_under(&out), files_under(&fixture()));
    for file in files_under(&fixture()) {
        let read = |dir: &Path| -> Value {
            serde_json::from_str(&std::fs::read_to_string(dir.join(&file)).unwrap()).unwrap()
        };
        assert_eq!(read(&out), read(&fixture()), "{file}");
    }
    assert_eq!(import_account(&out).unwrap().json(), expected());
    // Resource Directory calls use their own profile.
    let log = std::fs::read_to_string(scratch.0.join("calls.log")).unwrap();
    for line in log.lines() {
        let rd = line.contains("GetAccount") || line.contains("ControlPolic");
        let profile = if rd {
            "--profile mgmt"
        } else {
            "--profile payments"
        };
        assert!(line.ends_with(profile), "{line}");
    }

    // It never writes into a directory that holds something.
    let (code, stderr) = run_script(&scratch, &[&out_arg]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not an empty directory"), "{stderr}");

    // Without the Resource Directory calls, the import says what is missing.
    let bare = scratch.0.join("bare");
    let (code, stderr) = run_script(
        &scratch,
        &["--no-control-policies", &bare.display().to_string()],
    );
    assert_eq!(code, 0, "{stderr}");
    let imported = import_account(&bare).unwrap();
    let codes: Vec<&str> = imported.warnings().iter().map(|w| w.code()).collect();
    assert_eq!(codes, ["no-control-policies"]);
}
