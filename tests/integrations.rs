//! Use from other repositories: the composite GitHub Action (`action.yml` and the scripts it
//! runs) and the pre-commit hook (`.pre-commit-hooks.yaml`). GitHub and pre-commit are not on
//! this machine; these tests check the definitions refer to what exists and run the scripts
//! with the environment GitHub gives them, on the binary under test.
#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{MANIFEST_DIR, Scratch};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(MANIFEST_DIR).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The names declared under a top-level YAML section (`inputs:`), at two spaces of indent.
fn declared(yaml: &str, section: &str) -> BTreeSet<String> {
    yaml.lines()
        .skip_while(|line| *line != format!("{section}:"))
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with(' ') || line.starts_with('#'))
        .filter_map(|line| {
            let name = line.strip_prefix("  ")?.strip_suffix(':')?;
            (!name.starts_with(' ')).then(|| name.to_string())
        })
        .collect()
}

/// Every `${{ <prefix>NAME... }}` reference, as NAME.
fn references(yaml: &str, prefix: &str) -> BTreeSet<String> {
    yaml.match_indices(prefix)
        .map(|(at, _)| {
            yaml[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn the_action_refers_only_to_inputs_steps_and_scripts_that_exist() {
    let action = read("action.yml");
    let inputs = declared(&action, "inputs");
    assert_eq!(
        inputs,
        [
            "args",
            "category",
            "fail-on-findings",
            "paths",
            "upload-sarif"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        references(&action, "inputs."),
        inputs,
        "every input is used"
    );
    assert_eq!(
        declared(&action, "outputs"),
        ["exit-code", "sarif-file"].map(String::from).into()
    );

    let step_ids: BTreeSet<String> = action
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- id: "))
        .map(String::from)
        .collect();
    assert_eq!(
        step_ids,
        ["cache", "check", "version"].map(String::from).into()
    );
    assert_eq!(references(&action, "steps."), step_ids);

    let scripts: Vec<&str> = action
        .lines()
        .filter_map(|line| line.split("$GITHUB_ACTION_PATH/").nth(1))
        .map(|rest| rest.trim_end_matches(['"', '\'']))
        .collect();
    assert_eq!(
        scripts,
        [
            "scripts/github-action/locate.sh",
            "scripts/github-action/install.sh",
            "scripts/github-action/check.sh",
        ]
    );
    for script in scripts {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(Path::new(MANIFEST_DIR).join(script))
            .unwrap_or_else(|e| panic!("{script}: {e}"))
            .permissions()
            .mode();
        assert_ne!(mode & 0o111, 0, "{script} is not executable");
    }
    assert!(action.contains("using: composite"));
    // Inputs reach the scripts through the environment, never pasted into a script, where a
    // crafted value could run commands.
    for line in action
        .lines()
        .filter(|l| l.trim_start().starts_with("run:"))
    {
        assert!(!line.contains("${{"), "{line}");
    }
}

/// What GitHub gives a composite step: the action's checkout, output and path files.
struct Runner {
    scratch: Scratch,
    bin_dir: PathBuf,
}

impl Runner {
    fn new(name: &str) -> Runner {
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_ramguard"));
        Runner {
            scratch: Scratch::new(name),
            bin_dir: bin.parent().expect("the binary's directory").to_path_buf(),
        }
    }

    /// Runs a script from the crate root, as a workflow runs in its checkout; returns the exit
    /// code, stdout and the outputs written to $GITHUB_OUTPUT.
    fn run(&self, script: &str, env: &[(&str, &str)]) -> (i32, String, Vec<(String, String)>) {
        let outputs = self.scratch.0.join("github-output");
        let _ = std::fs::remove_file(&outputs);
        let path = format!(
            "{}:{}",
            self.bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .arg(Path::new(MANIFEST_DIR).join(script))
            .current_dir(MANIFEST_DIR)
            .env("PATH", path)
            .env("GITHUB_ACTION_PATH", MANIFEST_DIR)
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_PATH", self.scratch.0.join("github-path"))
            .env("RUNNER_TEMP", &self.scratch.0)
            .env("RUNNER_TOOL_CACHE", self.scratch.0.join("tool-cache"))
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .output()
            .expect("bash runs");
        let written = std::fs::read_to_string(&outputs).unwrap_or_default();
        let outputs = written
            .lines()
            .map(|line| {
                let (key, value) = line.split_once('=').expect("key=value");
                (key.to_string(), value.to_string())
            })
            .collect();
        (
            out.status.code().expect("an exit code"),
            String::from_utf8(out.stdout).expect("UTF-8"),
            outputs,
        )
    }
}

#[test]
fn the_cache_key_names_the_version_and_the_sources() {
    let runner = Runner::new("locate");
    let (code, _, first) = runner.run("scripts/github-action/locate.sh", &[]);
    assert_eq!(code, 0);
    let [(root_key, root), (key_key, key)] = &first[..] else {
        panic!("two outputs: {first:?}");
    };
    assert_eq!((root_key.as_str(), key_key.as_str()), ("root", "key"));
    let version = env!("CARGO_PKG_VERSION");
    assert!(key.starts_with(&format!("ramguard-{version}-")), "{key}");
    let hash = key.rsplit('-').next().expect("a hash");
    assert_eq!(hash.len(), 64, "{key}");
    assert!(
        root.ends_with(&format!("/ramguard/{version}-{}", &hash[..16])),
        "{root}"
    );
    let path = std::fs::read_to_string(runner.scratch.0.join("github-path")).expect("the path");
    assert_eq!(path, format!("{root}/bin\n"));
    // The same sources give the same key: a cache hit on the next run.
    let (_, _, second) = runner.run("scripts/github-action/locate.sh", &[]);
    assert_eq!(first, second);
}

#[test]
fn the_check_step_writes_sarif_and_records_findings_without_failing() {
    let runner = Runner::new("check-step");
    let (code, log, outputs) = runner.run(
        "scripts/github-action/check.sh",
        &[("RAMGUARD_PATHS", "policies/")],
    );
    assert_eq!(code, 0, "{log}");
    assert!(
        log.starts_with(&format!("ramguard {}\n", env!("CARGO_PKG_VERSION"))),
        "{log}"
    );
    assert!(log.contains("checked 5 files: 2 suggestions"), "{log}");
    let sarif_path = runner.scratch.0.join("ramguard.sarif");
    assert_eq!(
        outputs,
        [
            ("sarif-file".to_string(), sarif_path.display().to_string()),
            ("exit-code".to_string(), "0".to_string()),
        ]
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).expect("the report"))
            .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");

    // Findings: recorded for the last step to fail on, after the upload.
    let bad = runner.scratch.file(
        "bad.json",
        r#"{"Version": "1", "Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let paths = format!("{bad}\n  policies/dba-restore.json");
    let (code, log, outputs) = runner.run(
        "scripts/github-action/check.sh",
        &[
            ("RAMGUARD_PATHS", &paths),
            ("RAMGUARD_ARGS", "--no-config --deny-warnings"),
        ],
    );
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("invalid-effect"),
        "the log shows the findings: {log}"
    );
    assert!(log.contains('\u{1b}'), "the log is coloured");
    assert_eq!(outputs[1], ("exit-code".to_string(), "1".to_string()));
    let sarif = std::fs::read_to_string(&sarif_path).expect("the report");
    assert!(sarif.contains("\"ruleId\": \"invalid-effect\""), "{sarif}");

    // Globs reach ramguard unexpanded, and a path that does not exist fails the step.
    let (code, _, outputs) = runner.run(
        "scripts/github-action/check.sh",
        &[("RAMGUARD_PATHS", "'policies/*.json' no-such-dir/")],
    );
    assert_eq!(code, 2);
    assert_eq!(outputs, [("exit-code".to_string(), "2".to_string())]);
}

#[test]
fn the_pre_commit_hook_checks_the_staged_json_files() {
    let hooks = read(".pre-commit-hooks.yaml");
    let field = |name: &str| -> String {
        hooks
            .lines()
            .find_map(|line| line.trim().strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no `{name}`"))
            .to_string()
    };
    assert_eq!(field("- id"), "ramguard-check");
    assert_eq!(field("language"), "rust");
    assert_eq!(field("files"), "\\.json$");
    let entry = field("entry");
    let mut words = entry.split(' ');
    assert_eq!(
        words.next(),
        Some("ramguard"),
        "pre-commit runs the installed binary"
    );
    let args: Vec<&str> = words.collect();

    // pre-commit passes the staged files that match `files`: here, every example.
    let mut staged: Vec<String> = walk(Path::new(MANIFEST_DIR).join("policies"))
        .into_iter()
        .filter(|p| p.ends_with(".json"))
        .map(|p| {
            p.strip_prefix(&format!("{MANIFEST_DIR}/"))
                .expect("in the crate")
                .to_string()
        })
        .collect();
    staged.sort();
    let (code, out, err) = common::output(
        &[
            &args[..],
            &staged.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("checked 5 files: 2 suggestions"), "{out}");

    let scratch = Scratch::new("pre-commit");
    let bad = scratch.file("bad.json", r#"{"Version": "1", "Statement": []}"#);
    let (code, out, _) = common::output(&[&args[..], &[bad.as_str()]].concat());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[empty-value]"), "{out}");
}

fn walk(dir: PathBuf) -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("a directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(walk(path));
        } else {
            files.push(path.display().to_string());
        }
    }
    files
}
