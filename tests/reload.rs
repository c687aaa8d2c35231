//! Policies that change under a running dispatcher: a reload swaps atomically, keeps the last
//! good generation when a file is broken (and says why), retries only when a file changes, and
//! never disturbs a generation in use.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::Scratch;
use ramguard::Verdict;
use ramguard::account::CompiledAccount;
use ramguard::principal::PrincipalRef;
use ramguard::reload::Reloadable;
use ramguard::request::Request;

const ACCOUNT: &str = r#"{
  "account_id": "1234567890123456",
  "policies": {"Restore": {"path": "restore.json"}},
  "users": {"alice": {"policies": [{"name": "Restore"}]}}
}"#;

const ALLOW: &str = r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#;
const DENY: &str = r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#;
const BROKEN: &str = r#"{"Version": "1", "Statement": [{"Effect": "allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#;

fn restore() -> Request {
    Request::restore_instance("cn-hangzhou", "1234567890123456", "r-bp1stg01")
        .build()
        .expect("a valid request")
}

fn verdict(account: &CompiledAccount) -> Verdict {
    let alice = PrincipalRef::parse("user/alice").expect("a principal");
    account
        .evaluate(&alice, &restore())
        .expect("alice is in the account")
        .verdict
}

#[test]
fn a_broken_file_in_the_middle_keeps_the_last_good_generation() {
    let scratch = Scratch::new("reload-broken");
    let account_path = scratch.file("account.json", ACCOUNT);
    let policy_path = scratch.file("restore.json", ALLOW);
    let account = Reloadable::account(&account_path).expect("the first load");
    let first = account.current();
    assert_eq!(first.number(), 1);
    assert_eq!(verdict(first.value()), Verdict::Allow);
    assert_eq!(
        first.files(),
        [
            std::path::PathBuf::from(&account_path),
            std::path::PathBuf::from(&policy_path)
        ]
    );

    // A change: the next generation denies; the one in use still allows.
    std::fs::write(&policy_path, DENY).expect("write");
    assert_eq!(account.reload_if_changed().expect("reloads"), Some(2));
    assert_eq!(verdict(account.current().value()), Verdict::ExplicitDeny);
    assert_eq!(
        verdict(first.value()),
        Verdict::Allow,
        "a generation never changes"
    );

    // A broken edit: the error names the file, line and column; generation 2 stays.
    std::fs::write(&policy_path, BROKEN).expect("write");
    let error = account
        .reload_if_changed()
        .expect_err("the policy is invalid");
    assert_eq!(error.kept(), Some(2));
    let diagnostic = &error.diagnostics()[0];
    assert_eq!(diagnostic.code(), "invalid-effect");
    assert_eq!(diagnostic.file(), Some(policy_path.as_str()));
    let at = diagnostic.start().expect("located");
    assert_eq!((at.line, at.column), (1, 43));
    assert!(
        error
            .to_string()
            .starts_with("reload failed; generation 2 stays current:\nerror[invalid-effect]:"),
        "{error}"
    );
    assert_eq!(account.current().number(), 2);
    assert_eq!(verdict(account.current().value()), Verdict::ExplicitDeny);
    assert_eq!(
        account.last_error().map(|e| e.diagnostics()[0].code()),
        Some("invalid-effect")
    );
    // Polling again does not retry a file that has not changed since.
    assert_eq!(account.reload_if_changed().expect("nothing to do"), None);

    // Fixed: generation 3, and the error is cleared.
    std::fs::write(&policy_path, ALLOW).expect("write");
    assert_eq!(account.reload_if_changed().expect("reloads"), Some(3));
    assert_eq!(verdict(account.current().value()), Verdict::Allow);
    assert!(account.last_error().is_none());

    // A deleted account file is an error too, never an empty account.
    std::fs::remove_file(&account_path).expect("remove");
    let error = account
        .reload_if_changed()
        .expect_err("the account is gone");
    assert_eq!(error.diagnostics()[0].code(), "unreadable-file");
    assert_eq!(verdict(account.current().value()), Verdict::Allow);
}

#[test]
fn a_changed_file_list_is_watched_from_the_next_generation() {
    let scratch = Scratch::new("reload-files");
    let account_path = scratch.file("account.json", ACCOUNT);
    scratch.file("restore.json", ALLOW);
    let account = Reloadable::account(&account_path).expect("the first load");
    // The account now names another file, which does not exist yet.
    let renamed = ACCOUNT.replace("restore.json", "restore-v2.json");
    std::fs::write(&account_path, &renamed).expect("write");
    let error = account
        .reload_if_changed()
        .expect_err("restore-v2.json is missing");
    assert_eq!(error.diagnostics()[0].code(), "policy-unreadable");
    // Writing the missing file does not change a watched file: the account file must be
    // touched, or `reload` called, to try again.
    scratch.file("restore-v2.json", DENY);
    assert_eq!(account.reload().expect("loads"), 2);
    assert_eq!(verdict(account.current().value()), Verdict::ExplicitDeny);
    assert!(account.current().files()[1].ends_with("restore-v2.json"));
}

#[test]
fn readers_in_flight_see_whole_generations_while_another_thread_reloads() {
    let scratch = Scratch::new("reload-threads");
    let account_path = scratch.file("account.json", ACCOUNT);
    let policy_path = scratch.file("restore.json", ALLOW);
    let account = Arc::new(Reloadable::account(&account_path).expect("the first load"));
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let account = Arc::clone(&account);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut seen = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let generation = account.current();
                    // Odd generations allow, even ones deny: a generation is never mixed.
                    let expected = if generation.number() % 2 == 1 {
                        Verdict::Allow
                    } else {
                        Verdict::ExplicitDeny
                    };
                    assert_eq!(verdict(generation.value()), expected);
                    seen = seen.max(generation.number());
                }
                seen
            })
        })
        .collect();
    for round in 0..20 {
        let text = if round % 2 == 0 { DENY } else { ALLOW };
        std::fs::write(&policy_path, text).expect("write");
        assert_eq!(account.reload().expect("reloads"), round + 2);
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        let seen = reader.join().expect("no reader panicked");
        assert!(seen <= 21);
    }
    assert_eq!(account.current().number(), 21);
}
