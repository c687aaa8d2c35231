//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test crate uses a part of these helpers")]

pub mod restore;

use std::path::PathBuf;

use assert_cmd::Command;

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
