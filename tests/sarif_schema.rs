//! The SARIF output validates against the official SARIF 2.1.0 JSON schema.
//!
//! `tests/data/sarif-schema-2.1.0.json` is the OASIS schema as published in the
//! `oasis-tcs/sarif-spec` repository (`Schemata/sarif-schema-2.1.0.json`, its JSON Schema
//! draft-07 revision), copied unchanged from the copy the `serde-sarif` crate ships (0.8.0,
//! `src/schema.json`): the build has no network but the package registries.

use std::path::{Path, PathBuf};

use ramguard::lint::{CheckOptions, CheckRun, Config};
use ramguard::report::ReportFormat;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    // The `language` patterns of `run` and `toolComponent` have a stray `]`, which the
    // validator's check of the schema against its meta-schema refuses as a regex. Replace
    // them, in memory only, with the pattern they mean (ramguard emits no `language`); the
    // file stays as published.
    for definition in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][definition]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn sarif(files: &[PathBuf], options: &CheckOptions) -> Value {
    let run = CheckRun::check(files, options).unwrap();
    let mut out = Vec::new();
    ReportFormat::Sarif.emitter().emit(&run, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every `*.json` below `dir` (relative to the crate root), sorted, as relative paths.
fn files_in(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join(dir), &mut files);
    let mut files: Vec<PathBuf> = files
        .into_iter()
        .map(|p| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or(p))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_and_example_validates() {
    let validator = validator();
    let options = CheckOptions {
        session_policies: files_in("tests/lint")
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".session.json"))
            .collect(),
        ..CheckOptions::default()
    };
    let fixtures = sarif(&files_in("tests/lint"), &options);
    let results = fixtures["runs"][0]["results"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(results >= 40, "only {results} results");
    assert_eq!(errors(&validator, &fixtures), Vec::<String>::new());
    let examples = sarif(&files_in("policies"), &CheckOptions::default());
    assert_eq!(errors(&validator, &examples), Vec::<String>::new());
    let empty = sarif(&[], &CheckOptions::default());
    assert_eq!(errors(&validator, &empty), Vec::<String>::new());
}

#[test]
fn suppressed_results_validate() {
    let config = Config::parse(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        "[[ignore]]\ncode = \"sid-not-documented\"\nreason = \"we label statements\"\n",
        "ramguard.toml",
    )
    .unwrap();
    let options = CheckOptions {
        config: Some(config),
        ..CheckOptions::default()
    };
    let log = sarif(&["tests/lint/sid-not-documented.json".into()], &options);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["suppressions"],
        serde_json::json!([{"kind": "external", "justification": "we label statements"}])
    );
    assert_eq!(errors(&validator(), &log), Vec::<String>::new());
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    let validator = validator();
    let mut log = sarif(
        &["tests/lint/invalid-effect.json".into()],
        &CheckOptions::default(),
    );
    assert_eq!(errors(&validator, &log), Vec::<String>::new());
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert_eq!(
        errors(&validator, &log).len(),
        2,
        "{:?}",
        errors(&validator, &log)
    );
}
