//! The `ramguard` command: a thin shell over the library; see `ramguard --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
