//! The README shows what the commands print: each shown output is the output of the command
//! shown above it, run here, so the README cannot fall behind the code.

mod common;

const README: &str = include_str!("../README.md");

/// The body of the first fenced block of `language` after `heading`.
fn block_after<'a>(heading: &str, language: &str) -> &'a str {
    let section = README
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in the README"));
    let fence = format!("```{language}\n");
    let start = section
        + README[section..]
            .find(&fence)
            .unwrap_or_else(|| panic!("no {language} block after `{heading}`"))
        + fence.len();
    let end = start + README[start..].find("```").expect("a closing fence");
    &README[start..end]
}

/// The arguments of a `cargo run -q -- ARGS` line.
fn arguments(command: &str) -> Vec<&str> {
    command
        .trim()
        .strip_prefix("cargo run -q -- ")
        .unwrap_or_else(|| panic!("not a `cargo run -q --` command: {command}"))
        .split(' ')
        .collect()
}

#[test]
fn the_main_job_prints_what_the_readme_shows() {
    let command = block_after("## Two commands", "sh");
    let (code, stdout, stderr) = common::output(&arguments(command));
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(stdout, block_after("## What the main job prints", "text"));
}

#[test]
fn check_prints_what_the_readme_shows() {
    let command = block_after("### Check policies in CI", "sh");
    let (code, stdout, stderr) = common::output(&arguments(command));
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(stdout, block_after("### Check policies in CI", "text"));
}

#[test]
fn the_walkthrough_runs_as_written() {
    let commands = block_after(
        "### Would this change have broken anything last month?",
        "sh",
    );
    let lines: Vec<&str> = commands.lines().collect();
    let [import, sed, diff] = lines.as_slice() else {
        panic!("three commands: {commands}")
    };
    // The README writes to /tmp; this test writes the same files to a scratch directory.
    let scratch = common::Scratch::new("walkthrough");
    let now = scratch.0.join("account-now.json");
    let proposed = scratch.0.join("account-proposed.json");
    let now = now.to_str().expect("a UTF-8 path");
    let proposed = proposed.to_str().expect("a UTF-8 path");
    let in_scratch = |line: &str| {
        line.replace("/tmp/account-now.json", now)
            .replace("/tmp/account-proposed.json", proposed)
    };
    let import = in_scratch(import);
    let (code, _, stderr) = common::output(&arguments(&import));
    assert_eq!(code, 0, "{stderr}");
    // `sed 's|instance/r-\*stg\*|instance/r-*|' NOW > PROPOSED`, done here without a shell.
    assert!(
        sed.starts_with(r"sed 's|instance/r-\*stg\*|instance/r-*|' "),
        "{sed}"
    );
    let account = std::fs::read_to_string(now).expect("the imported account");
    assert!(account.contains("instance/r-*stg*"), "the change applies");
    std::fs::write(
        proposed,
        account.replace("instance/r-*stg*", "instance/r-*"),
    )
    .expect("the proposed account");
    let diff = in_scratch(diff);
    let (code, stdout, stderr) = common::output(&arguments(&diff));
    assert_eq!(code, 1, "access was gained");
    assert_eq!(
        stdout,
        block_after("and the trail is last month's events", "text")
    );
    assert!(
        README.contains(&format!("and on stderr `{}`", stderr.trim())),
        "{stderr}"
    );
}

/// The `sh` and `text` blocks after `marker` (a line of the section's prose), with the
/// command's quotes taken off, as a shell would.
fn prove_example(marker: &str) -> (Vec<String>, &'static str) {
    let command = block_after(marker, "sh");
    let arguments = arguments(command)
        .into_iter()
        .map(|a| a.trim_matches('\'').to_owned())
        .collect();
    (arguments, block_after(marker, "text"))
}

#[test]
fn prove_prints_what_the_readme_shows() {
    for (marker, expected_code) in [
        ("### Prove it for every request", 0),
        ("**A pull-request gate.**", 1),
    ] {
        let (arguments, shown) = prove_example(marker);
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = common::output(&arguments);
        assert_eq!((code, stderr.as_str()), (expected_code, ""), "{stdout}");
        // The README leaves out the time the proof took, the last line.
        assert!(stdout.starts_with(shown), "{marker}:\n{stdout}");
        assert!(
            stdout[shown.len()..]
                .trim_start()
                .starts_with("decided in "),
            "{stdout}"
        );
    }
}
