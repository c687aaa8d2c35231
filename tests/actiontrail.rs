//! Every ActionTrail fixture in `tests/data/actiontrail/`, mapped through the public API and
//! pinned with insta: the request RAM authorized and who made it, or the error naming the
//! field at fault. A change to a snapshot changes what `batch` and `diff` evaluate for an
//! event: review it as one.

use std::path::{Path, PathBuf};

use ramguard::ingest::actiontrail::{EventMapping, MappedEvent};
use serde_json::{Map, Value, json};

/// The fixtures, in name order.
fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/actiontrail");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixture directory")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
}

/// What an event mapped to, in a few members.
fn summary(mapped: &MappedEvent) -> Value {
    let context: Map<String, Value> = mapped
        .request
        .context()
        .iter()
        .map(|(key, values)| (key.to_string(), json!(values)))
        .collect();
    json!({
        "event_id": mapped.event_id,
        "event": format!("{}/{}", mapped.service_name, mapped.event_name),
        "principal": mapped.principal,
        "evaluated_as": mapped.principal.principal_ref(),
        "action": mapped.request.action(),
        "resource": mapped.request.resource(),
        "context": context,
        "error_code": mapped.error_code,
    })
}

#[test]
fn every_fixture_maps_as_pinned() {
    let paths = fixtures();
    assert!(paths.len() >= 20, "the fixtures were found: {paths:?}");
    for path in paths {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 name");
        let text = std::fs::read_to_string(&path).expect("a readable fixture");
        let result = EventMapping::new().map(&text);
        // The names say which fixtures are meant to be refused.
        assert_eq!(
            result.is_err(),
            name.starts_with("error-"),
            "{name}: {:?}",
            result.as_ref().err()
        );
        let summary = match result {
            Ok(mapped) => summary(&mapped),
            Err(error) => json!({ "error": error }),
        };
        insta::assert_json_snapshot!(name, summary);
    }
}

#[test]
fn an_assumption_fills_what_every_event_lacks() {
    // A trail of calls made from the office VPC, whose events record no VPC.
    let mapping = EventMapping::new().assume("acs:SourceVpc", "vpc-bp1office");
    mapping.check().expect("a valid assumption");
    for path in fixtures() {
        let text = std::fs::read_to_string(&path).expect("a readable fixture");
        let Ok(mapped) = mapping.map(&text) else {
            continue;
        };
        let vpc = mapped.request.context().get("acs:SourceVpc");
        assert_eq!(vpc.len(), 1, "{}", path.display());
        assert_eq!(vpc[0].text(), "vpc-bp1office", "{}", path.display());
    }
}
