//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and crash reproducers
//! (`fuzz/artifacts/<target>/`) through the checks the fuzz targets run
//! (`ramguard::fuzzing::<target>`), so a normal `cargo test` holds every input the fuzzer kept
//! and every crash it found. `scripts/fuzz` grows the corpora.

use std::path::{Path, PathBuf};

/// The files of `fuzz/<kind>/<target>/`, sorted; none when the directory does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Feeds every corpus file and reproducer of `target` to its check, naming the file that fails.
fn replay(target: &str) {
    let mut count = 0;
    for kind in ["corpus", "artifacts"] {
        for path in inputs(kind, target) {
            let data = std::fs::read(&path).expect("a readable input");
            let outcome = std::panic::catch_unwind(|| ramguard::fuzzing::run(target, &data));
            match outcome {
                Ok(known) => assert!(known, "`{target}` is not a fuzz target"),
                Err(_) => panic!("fuzz input {} fails its check", path.display()),
            }
            count += 1;
        }
    }
    // The corpora are committed: an empty one means it was lost, not that nothing needs testing.
    assert!(count > 0, "fuzz/corpus/{target}/ holds no input");
}

#[test]
fn every_corpus_directory_names_a_target() {
    for kind in ["corpus", "artifacts"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz")
            .join(kind);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            assert_eq!(kind, "artifacts", "fuzz/corpus/ is missing");
            continue;
        };
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            assert!(
                ramguard::fuzzing::TARGETS.contains(&name),
                "fuzz/{kind}/{name} names no fuzz target (known: {:?})",
                ramguard::fuzzing::TARGETS
            );
        }
    }
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    for target in ramguard::fuzzing::TARGETS {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/fuzz_targets")
            .join(format!("{target}.rs"));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            text.contains(&format!("ramguard::fuzzing::{target}(data)")),
            "{} does not call ramguard::fuzzing::{target}",
            file.display()
        );
    }
}

#[test]
fn policy() {
    replay("policy");
}

#[test]
fn request() {
    replay("request");
}

#[test]
fn account() {
    replay("account");
}

#[test]
fn instance() {
    replay("instance");
}

#[test]
fn actiontrail() {
    replay("actiontrail");
}

#[test]
fn account_import() {
    replay("account_import");
}

#[test]
fn wildcard() {
    replay("wildcard");
}

#[test]
fn evaluate() {
    replay("evaluate");
}

#[test]
fn prove() {
    replay("prove");
}
