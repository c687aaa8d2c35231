//! Requests (docs/semantics.md §2-3): request files read strictly. The requests the engine must
//! refuse as built are decision-corpus cases (`tests/corpus/requests.json`); these are the
//! files whose JSON shape is wrong.

use ramguard::Request;

#[test]
fn request_files_of_the_wrong_shape_are_refused() {
    let cases = [
        (
            "context-given-twice",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:MFAPresent": true}, "context": {"acs:SourceIp": "10.0.0.1"}}"#,
            "`context` is given twice",
        ),
        (
            "resource-given-twice",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-2"}"#,
            "`resource` is given twice",
        ),
        (
            "context-key-twice-exactly",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:MFAPresent": true, "acs:MFAPresent": false}}"#,
            "context keys `acs:MFAPresent` and `acs:MFAPresent` are the same key (keys are case-insensitive): give it once, with a list of values if it has several",
        ),
        (
            "context-null-value",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:MFAPresent": null}}"#,
            "context key `acs:MFAPresent`: values must be strings, booleans or numbers, found null",
        ),
        (
            "context-nested-list",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "context": {"acs:TagKeys": [["a"]]}}"#,
            "context key `acs:TagKeys`: values must be strings, booleans or numbers, found an array",
        ),
        (
            "absent-not-a-list",
            r#"{"action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-1", "absent": "acs:SourceIp"}"#,
            "`absent` must be a list of condition keys, found a string",
        ),
    ];
    for (name, text, message) in cases {
        let error = Request::from_json_text(text).expect_err(name);
        assert_eq!(error.to_string(), message, "{name}");
    }
}
