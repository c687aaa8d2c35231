use super::input::{Content, Item, Unreadable};
use super::*;
use crate::Policy;
use crate::eval::PolicySet;
use crate::ingest::actiontrail::EventMapping;

fn set() -> PolicySet {
    let policy = Policy::from_text(
        "restore",
        r#"{"Version": "1", "Statement": [{"Sid": "R", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-stg*"}]}"#,
    )
    .expect("valid");
    PolicySet::builder()
        .identity(policy)
        .build()
        .expect("builds")
}

fn decider(set: PolicySet, format: InputFormat) -> Decider {
    Decider {
        policies: Policies::Set { set, label: None },
        format,
        mapping: EventMapping::new(),
        keep_subject: false,
    }
}

fn reader(input: &[u8], format: Option<InputFormat>, limits: Limits) -> ItemReader<&[u8]> {
    ItemReader::new(input, format, limits)
}

/// Runs `batch` over `input` and returns its output lines and summary.
fn batch(input: &[u8], jobs: usize) -> (Vec<String>, Summary) {
    let mut out = Vec::new();
    let mut items = reader(input, None, Limits::default());
    let summary = run(
        &decider(set(), InputFormat::Requests),
        &mut items,
        &mut out,
        jobs,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let text = String::from_utf8(out).expect("utf-8");
    (text.lines().map(String::from).collect(), summary)
}

#[test]
fn one_record_per_line_in_order_and_bad_lines_become_errors() {
    let input = [
        r#"{"id": "a", "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#,
        r#"{"id": 2, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-prod01"}"#,
        "",
        "not json",
        r#"{"id": "c", "action": "RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#,
        "[1]",
    ]
    .join("\n");
    let (lines, summary) = batch(input.as_bytes(), 3);
    assert_eq!(
        lines,
        [
            r#"{"line":1,"id":"a","decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"restore","index":0,"sid":"R"}}"#,
            r#"{"line":2,"id":2,"decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy"}"#,
            r#"{"line":4,"error":"invalid JSON at column 1: expected a JSON value, found `not`","code":"invalid-json"}"#,
            r#"{"line":5,"id":"c","error":"request action `RestoreInstance` is not of the form `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`","code":"invalid-action"}"#,
            r#"{"line":6,"error":"a request must be a JSON object, found an array","code":"not-an-object"}"#,
        ]
    );
    assert_eq!(
        summary,
        Summary {
            records: 5,
            allowed: 1,
            denied: 1,
            skipped: 0,
            errors: 3
        }
    );
}

#[test]
fn a_line_that_is_not_utf8_is_an_error_record_and_the_run_goes_on() {
    let mut input: Vec<u8> = b"{\"id\": \"\xff\"}\r\n".to_vec();
    input.extend_from_slice(r#"{"id": "\u00e9", "action": 1}"#.as_bytes());
    input.extend_from_slice("\n{\"id\": \"é\", x}\n".as_bytes());
    let (lines, summary) = batch(&input, 2);
    assert_eq!(
        lines,
        [
            r#"{"line":1,"error":"the line is not UTF-8 text (invalid byte at byte 9)","code":"not-utf8"}"#,
            r#"{"line":2,"id":"é","error":"`action` must be a string, found a number","code":"invalid-request"}"#,
            r#"{"line":3,"error":"invalid JSON at column 13: expected a member name in double quotes, found `x`","code":"invalid-json"}"#,
        ]
    );
    assert_eq!(summary.errors, 3);
}

#[test]
fn order_is_kept_across_chunks_and_threads() {
    let line = |i: usize| {
        let instance = if i % 3 == 0 { "r-stg" } else { "r-prod" };
        format!(
            r#"{{"id": {i}, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/{instance}{i}"}}"#
        )
    };
    let count = 4_096 + 100;
    let input: Vec<String> = (0..count).map(line).collect();
    let (lines, summary) = batch(input.join("\n").as_bytes(), 4);
    assert_eq!(summary.records, count);
    assert_eq!(summary.allowed, count.div_ceil(3));
    for (i, record) in lines.iter().enumerate() {
        assert!(
            record.starts_with(&format!(r#"{{"line":{},"id":{i},"#, i + 1)),
            "{record}"
        );
    }
}

#[test]
fn a_line_over_the_limit_is_an_error_record_and_memory_stays_bounded() {
    let request = r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#;
    let long = format!(
        r#"{{"id": "{}", "action": "kvstore:RestoreInstance", "resource": "*"}}"#,
        "x".repeat(300)
    );
    let input = format!("{request}\n{long}\n{request}\n");
    let limits = Limits {
        max_line_bytes: 200,
        ..Limits::default()
    };
    let mut out = Vec::new();
    let summary = run(
        &decider(set(), InputFormat::Requests),
        &mut reader(input.as_bytes(), None, limits),
        &mut out,
        1,
    )
    .expect("runs");
    let text = String::from_utf8(out).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[1],
        r#"{"line":2,"error":"the line is longer than 200 bytes (--max-line-bytes)","code":"line-too-long"}"#
    );
    assert!(
        lines[2].starts_with(r#"{"line":3,"decision":"Allow""#),
        "{text}"
    );
    assert_eq!((summary.records, summary.errors), (3, 1));
}

#[test]
fn input_with_no_line_end_stops_the_run_after_what_came_before() {
    let mut input = b"{\"action\": \"kvstore:RestoreInstance\", \"resource\": \"*\"}\n".to_vec();
    input.extend(std::iter::repeat_n(0u8, 100 * 16 + 1));
    let limits = Limits {
        max_line_bytes: 100,
        ..Limits::default()
    };
    let mut out = Vec::new();
    let error = run(
        &decider(set(), InputFormat::Requests),
        &mut reader(&input, Some(InputFormat::Requests), limits),
        &mut out,
        1,
    )
    .expect_err("no line end");
    let RunError::Input(error) = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        error.to_string(),
        "line 2 has no end after 1601 bytes: the input is not a line-oriented log"
    );
    assert!(
        String::from_utf8(out)
            .expect("utf-8")
            .starts_with(r#"{"line":1,"#)
    );
}

#[test]
fn a_pretty_printed_request_is_not_json_lines() {
    let input = "{\n  \"action\": \"kvstore:RestoreInstance\",\n  \"resource\": \"*\"\n}\n";
    let mut items = reader(
        input.as_bytes(),
        Some(InputFormat::Requests),
        Limits::default(),
    );
    let error = items.next_item().expect_err("not JSON Lines");
    assert_eq!(
        error.to_string(),
        "the input is not JSON Lines: the JSON value on line 1 continues on the next line"
    );
    // Told from the content, the same document is refused as not events.
    let mut items = reader(input.as_bytes(), None, Limits::default());
    assert_eq!(
        items.format().expect_err("not events").to_string(),
        "the document starting on line 1 is an object, not ActionTrail events"
    );
}

#[test]
fn the_format_is_told_from_the_first_json_line() {
    let tell = |input: &str| {
        reader(input.as_bytes(), None, Limits::default())
            .format()
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        tell("garbage\n\n{\"action\": \"a:b\", \"resource\": \"*\"}\n"),
        Ok(InputFormat::Requests)
    );
    assert_eq!(
        tell("{\"eventId\": \"1\", \"eventName\": \"RestoreInstance\"}\n"),
        Ok(InputFormat::ActionTrail)
    );
    assert_eq!(
        tell("{\"__topic__\": \"actiontrail_audit_event\", \"event\": \"{}\"}\n"),
        Ok(InputFormat::ActionTrail)
    );
    assert_eq!(
        tell("[{\"eventId\": \"1\"}]\n"),
        Ok(InputFormat::ActionTrail)
    );
    assert_eq!(
        tell("{\"RequestId\": \"x\", \"Events\": [\n]}\n"),
        Ok(InputFormat::ActionTrail)
    );
    assert_eq!(
        tell("{\"name\": \"x\"}\n"),
        Err(
            "cannot tell from line 1 whether the input holds requests or ActionTrail events".into()
        )
    );
    // Nothing but lines that are not JSON: they are error records either way.
    assert_eq!(tell("not json\n"), Ok(InputFormat::Requests));
}

/// Every event of an input, with the line it starts on and its index in its array.
fn events(input: &str) -> Vec<(usize, Option<usize>, String)> {
    let mut items = reader(input.as_bytes(), None, Limits::default());
    let mut seen = Vec::new();
    while let Some(Item {
        line,
        index,
        content,
    }) = items.next_item().expect("reads")
    {
        let Content::Value(value) = content else {
            panic!("line {line}: {content:?}")
        };
        let id = match &value.get("eventId").expect("an id").kind {
            crate::json::JsonKind::String(id) => id.clone(),
            other => panic!("{other:?}"),
        };
        seen.push((line, index, id));
    }
    seen
}

#[test]
fn events_in_documents_and_arrays_keep_their_lines_and_indexes() {
    // A LookupEvents response, pretty-printed: the whole input is one document.
    let document = "{\n  \"Events\": [\n    {\"eventId\": \"a\"},\n    {\n      \"eventId\": \"b\"\n    }\n  ],\n  \"NextToken\": \"t\"\n}\n";
    assert_eq!(
        events(document),
        [(3, Some(0), "a".to_string()), (4, Some(1), "b".to_string())]
    );
    // Lines holding an array each, or one event each.
    let lines = "[{\"eventId\": \"c\"}, {\"eventId\": \"d\"}]\n\n{\"eventId\": \"e\"}\n";
    assert_eq!(
        events(lines),
        [
            (1, Some(0), "c".to_string()),
            (1, Some(1), "d".to_string()),
            (3, None, "e".to_string()),
        ]
    );
    // Anything after a multi-line document is part of it: here, invalid.
    let both = format!("{document}{lines}");
    let mut items = reader(both.as_bytes(), None, Limits::default());
    assert_eq!(
        items.format().expect_err("two documents").to_string(),
        "invalid JSON at line 10, column 1: expected the end of the document after the top-level value, found `[`"
    );
}

#[test]
fn a_document_over_the_limit_is_refused() {
    let document = format!("[\n{}\n]\n", vec![r#"{"eventId": "a"}"#; 20].join(",\n"));
    let limits = Limits {
        max_document_bytes: 100,
        ..Limits::default()
    };
    let error = reader(document.as_bytes(), None, limits)
        .format()
        .expect_err("too large");
    assert_eq!(
        error.to_string(),
        "the JSON document is larger than 100 bytes"
    );
}

#[test]
fn unreadable_items_name_why() {
    let decider = decider(set(), InputFormat::Requests);
    let item = |why| Item {
        line: 7,
        index: None,
        content: Content::Unreadable(why),
    };
    let record = decider.decide(&item(Unreadable::TooLong { limit: 10 }));
    assert_eq!(
        serde_json::to_string(&record).expect("serializes"),
        r#"{"line":7,"error":"the line is longer than 10 bytes (--max-line-bytes)","code":"line-too-long"}"#
    );
}

#[test]
fn diff_groups_changes_and_counts_undecided_items() {
    let wider = Policy::from_text(
        "wider",
        r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#,
    )
    .expect("valid");
    let new = PolicySet::builder()
        .identity(wider)
        .build()
        .expect("builds");
    let input = [
        r#"{"id": 1, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#,
        r#"{"id": 2, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-prod01"}"#,
        r#"{"id": 3, "action": "kvstore:DeleteInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-prod01"}"#,
        "garbage",
    ]
    .join("\n");
    let mut old = decider(set(), InputFormat::Requests);
    let mut new = decider(new, InputFormat::Requests);
    old.keep_subject = true;
    new.keep_subject = true;
    let mut out = Vec::new();
    let summary = diff(
        &old,
        &new,
        &mut reader(input.as_bytes(), None, Limits::default()),
        &mut out,
        2,
        DiffFormat::JsonLines,
    )
    .expect("runs");
    assert_eq!(
        String::from_utf8(out).expect("utf-8"),
        // Line 1 is allowed by another statement of the same layer: not a change.
        concat!(
            r#"{"change":"gained","line":2,"id":2,"action":"kvstore:RestoreInstance","resource":"acs:kvstore:cn-hangzhou:1:instance/r-prod01","#,
            r#""old":{"decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy"},"#,
            r#""new":{"decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"wider","index":0}}}"#,
            "\n",
            r#"{"change":"undecided","line":4,"old":{"error":"invalid JSON at column 1: expected a JSON value, found `garbage`","code":"invalid-json"},"#,
            r#""new":{"error":"invalid JSON at column 1: expected a JSON value, found `garbage`","code":"invalid-json"}}"#,
            "\n",
        )
    );
    assert_eq!(
        summary,
        DiffSummary {
            records: 4,
            changed: 1,
            gained: 1,
            lost: 0,
            other: 0,
            undecided: 1,
            skipped: 0
        }
    );
}

/// A line holding this makes `Decider::decide` panic inside its guard, as an engine bug would.
pub(super) const FORCE_A_PANIC: &str = "force-a-panic";

#[test]
fn a_panic_inside_a_worker_loses_no_line_and_allows_nothing() {
    let allowed = r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#;
    let mut input: Vec<String> = (0..10).map(|_| allowed.to_string()).collect();
    input[4] = format!(
        r#"{{"id": "{FORCE_A_PANIC}", "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}}"#
    );
    let (lines, summary) = batch(input.join("\n").as_bytes(), 2);
    assert_eq!(lines.len(), 10);
    assert_eq!(
        lines[4],
        r#"{"line":5,"error":"internal error while evaluating; nothing was allowed","code":"internal"}"#
    );
    for (i, line) in lines.iter().enumerate().filter(|(i, _)| *i != 4) {
        assert!(
            line.starts_with(&format!(r#"{{"line":{},"decision":"Allow""#, i + 1)),
            "{line}"
        );
    }
    assert_eq!((summary.allowed, summary.errors), (9, 1));
}

#[test]
fn a_worker_thread_that_dies_has_every_item_answered_by_the_fallback() {
    let items: Vec<Item> = (1..=9)
        .map(|line| Item {
            line,
            index: None,
            content: Content::Line(String::new()),
        })
        .collect();
    // Three threads of three items; the second dies outside any guard of `decide`.
    let answers = batch::decide_chunk(
        &items,
        3,
        |item| {
            assert_ne!(item.line, 5, "a bug outside decide's guard");
            format!("decided {}", item.line)
        },
        |item| format!("fallback {}", item.line),
    );
    assert_eq!(
        answers,
        [
            "decided 1",
            "decided 2",
            "decided 3",
            "fallback 4",
            "fallback 5",
            "fallback 6",
            "decided 7",
            "decided 8",
            "decided 9"
        ]
    );
}
