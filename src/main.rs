//! The `ramguard` command: a thin shell over the library; see `ramguard --help`.

fn main() -> std::process::ExitCode {
    ramguard::cli::run()
}
