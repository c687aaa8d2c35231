//! No input makes the parsers panic: random text, and random edits of valid documents.

use proptest::prelude::*;
use ramguard::{Policy, PolicySet, Request};

const VALID: &str = r#"{"Version": "1", "Statement": [{"Sid": "s", "Effect": "Allow",
  "Action": ["kvstore:Restore*", "kvstore:Describe?nstances"], "NotResource": "acs:kvstore:*:*:instance/r-*prod*",
  "Condition": {"ForAllValues:StringLike": {"acs:TagKeys": ["env", "t*"]}, "IpAddress": {"acs:SourceIp": "2001:db8::1/48"},
  "DateGreaterThan": {"acs:CurrentTime": "2026-01-01T00:00:00.5+08:00"}, "NumericEquals": {"acs:N": 1e3}, "Bool": {"acs:MFAPresent": true}}}]}"#;

const REQUEST: &str = r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1",
  "context": {"acs:TagKeys": ["env"], "acs:SourceIp": "2001:db8::2", "acs:N": 1000, "acs:MFAPresent": true}}"#;

/// Replaces, inserts or deletes characters of `base` at the given positions.
fn mutate(base: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for &(at, kind, c) in edits {
        let at = at % (chars.len() + 1);
        match kind % 3 {
            0 if at < chars.len() => chars[at] = c,
            1 => chars.insert(at, c),
            _ if at < chars.len() => {
                chars.remove(at);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = (usize, u8, char)> {
    (
        any::<usize>(),
        any::<u8>(),
        prop_oneof![
            Just('"'),
            Just('{'),
            Just('}'),
            Just('['),
            Just(']'),
            Just(','),
            Just(':'),
            Just('*'),
            Just('\\'),
            any::<char>()
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_text_never_panics(text in ".{0,200}") {
        let _ = Policy::from_text("p", &text);
        let _ = Request::from_json_text(&text);
    }

    #[test]
    fn edited_documents_parse_or_fail_cleanly(edits in proptest::collection::vec(edit(), 1..6)) {
        let text = mutate(VALID, &edits);
        if let Ok(policy) = Policy::from_text("p", &text) {
            let set = PolicySet::builder().identity(policy).build().expect("one identity policy builds");
            if let Ok(request) = Request::from_json_text(&mutate(REQUEST, &edits[..1])) {
                let decision = set.evaluate(&request);
                prop_assert_eq!(decision.verdict, set.explain(&request).decision);
            }
        }
    }
}

#[test]
fn the_unedited_fixtures_are_valid() {
    assert!(Policy::from_text("p", VALID).is_ok());
    assert!(Request::from_json_text(REQUEST).is_ok());
}
