//! One fixture file per finding code in `tests/lint/`, named `<code>.json` or
//! `<code>.<variant>.json`, each with snapshots of its text, JSON and SARIF reports. A file
//! named `*.session.json` is checked as a session policy.

use std::path::{Path, PathBuf};

use ramguard::lint::{CheckOptions, CheckRun, RULES};
use ramguard::report::ReportFormat;

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
