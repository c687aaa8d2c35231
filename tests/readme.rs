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
