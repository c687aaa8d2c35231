//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test crate uses a part of these helpers")]

pub mod restore;

use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;

/// The crate root, where every command runs.
pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// The action of every restore.
pub const RESTORE: &str = "kvstore:RestoreInstance";
/// The shipped staging instance.
pub const STAGING: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01";
/// The submission time of the shipped examples.
pub const NOW: &str = "2026-11-29T09:30:00Z";

/// `ramguard` run from the crate root, so that the paths it prints are the relative paths given.
pub fn ramguard() -> Command {
    let mut command = Command::cargo_bin("ramguard").expect("the ramguard binary");
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// A scratch directory for files a test writes, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A directory named after the test crate, `name` and the process, so that test crates
    /// running at the same time never share one.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "ramguard-{}-{name}-{}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Scratch(dir)
    }

    /// Writes `text` to `name` in the directory and returns the file's path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("a scratch file");
        path.display().to_string()
    }

    /// Makes the directory `name` in the scratch directory and returns its path.
    pub fn dir(&self, name: &str) -> String {
        let path = self.0.join(name);
        std::fs::create_dir_all(&path).expect("a scratch subdirectory");
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Exit code, stdout and stderr of one run of `ramguard ARGS`.
pub fn output(args: &[&str]) -> (i32, String, String) {
    let output = ramguard().args(args).output().expect("ramguard runs");
    (
        output.status.code().expect("an exit code, not a signal"),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// Runs with stdout a socket whose reader is already gone, as `| head` leaves a pipe, and
/// returns the exit code and stderr. Writing there fails with EPIPE at once, every time.
#[cfg(unix)]
pub fn run_into_closed_pipe(args: &[&str], stdin: &str) -> (i32, String) {
    use std::os::fd::OwnedFd;
    let (reader, writer) = std::os::unix::net::UnixStream::pair().expect("a socket pair");
    drop(reader);
    let writer = OwnedFd::from(writer);
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_ramguard"))
        .current_dir(MANIFEST_DIR)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("ramguard starts");
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        // The child may exit before reading; a failed write here changes nothing.
        let _ = input.write_all(stdin.as_bytes());
    }
    let output = child.wait_with_output().expect("ramguard ends");
    (
        output.status.code().expect("an exit code, not a signal"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// One JSON line per example request (in file order), as `batch` and `diff` read them.
pub fn request_log() -> String {
    let mut log = String::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(format!("{MANIFEST_DIR}/policies/requests"))
        .expect("the example requests")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(path).expect("example request");
        log.push_str(&text.replace('\n', ""));
        log.push('\n');
    }
    log
}
