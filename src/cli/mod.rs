//! Command-line definitions and the exit-code contract; each subcommand wires flags to
//! library calls in its own module.

mod account;
mod batch;
mod check;
mod common;
mod diff;
mod eval;
mod generate;
mod log;
mod output;
mod prove;
mod request;
mod restore;
mod test_cmd;
mod who_can;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, like grep's: what scripts and CI read.
pub(crate) mod exit {
    /// Allowed, or no error findings.
    pub(crate) const OK: u8 = 0;
    /// Denied, or error findings.
    pub(crate) const DENIED: u8 = 1;
    /// The input could not be used: bad flags, an unreadable file, an invalid policy or request.
    pub(crate) const UNUSABLE: u8 = 2;
    /// `restore`: allowed, but the API would reject the parameters or the instance's state.
    pub(crate) const REJECTED_PARAMETERS: u8 = 3;
    /// `restore`: allowed and valid, but not cleared: a check could not be made (the
    /// instance's state was not given, or the decision depends on keys the call lacks).
    /// `prove`: the query was not decided (a construct not decided yet, or the budget).
    pub(crate) const NOT_CLEARED: u8 = 4;
    /// `batch`, `diff`: some items of the log could not be decided (their records say why).
    pub(crate) const UNDECIDED: u8 = 5;
}

/// Decide whether a principal may call kvstore:RestoreInstance, by evaluating Alibaba Cloud
/// RAM policies exactly as RAM would, and say why.
///
/// Exit status, like grep's: 0 allowed (no error findings, every test passed), 1 denied
/// (error findings, a failed test), 2 the input could not be used; `restore` adds 3 (allowed,
/// but the API would reject the parameters) and 4 (allowed and valid, but not cleared: a check
/// could not be made); `batch` and `diff` add 5 (some items of the log could not be decided);
/// `prove` answers 0 holds, 1 violated, 4 unknown.
/// `ramguard <COMMAND> --help` explains each command.
#[derive(Debug, Parser)]
#[command(name = "ramguard", version, max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command takes, before or after its name.
#[derive(Debug, Args)]
struct GlobalArgs {
    /// Print nothing on stdout and no warnings or summaries: the exit status is the answer.
    /// Errors that make the input unusable are still printed on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// When to colour text output: auto (on a terminal, unless NO_COLOR is set), always or
    /// never. JSON and SARIF are never coloured.
    #[arg(long, value_name = "WHEN", value_enum, global = true, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
}

/// The values of `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    /// Colour on a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it).
    Auto,
    /// Always colour, even into a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

impl ColorWhen {
    fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(about = "Evaluate one request against policies and explain the decision")]
    Eval(eval::EvalArgs),
    #[command(
        about = "Check a RestoreInstance call before making it: permission, parameters, effect"
    )]
    Restore(restore::RestoreArgs),
    #[command(about = "Lint policy files for CI: errors, security warnings, text/JSON/SARIF")]
    Check(check::CheckArgs),
    #[command(about = "Run decision tests: named requests with the decision they must get")]
    Test(test_cmd::TestArgs),
    #[command(about = "List the users and roles of an account allowed an action on a resource")]
    WhoCan(who_can::WhoCanArgs),
    #[command(about = "Decide every request of a JSON Lines log, in order, on every core")]
    Batch(batch::BatchArgs),
    #[command(about = "Show which logged requests a policy change would newly allow or deny")]
    Diff(diff::DiffArgs),
    #[command(about = "Prove a property for every possible request: never-allows, no-new-access")]
    Prove(prove::ProveArgs),
    #[command(about = "Build an account file from what the aliyun CLI prints")]
    Account(account::AccountArgs),
    #[command(about = "Print a shell completion script (bash, zsh, fish, elvish, powershell)")]
    Completions(generate::CompletionsArgs),
    #[command(about = "Print the manual page, or write one per command into a directory")]
    Man(generate::ManArgs),
}

/// Parses the command line and runs the subcommand; never panics out to the user. The
/// `ramguard` binary is this function.
///
/// # Example
/// ```no_run
/// // `no_run`: it reads this process's own command line, which in a doctest is not ramguard's.
/// fn main() -> std::process::ExitCode {
///     ramguard::cli::run()
/// }
/// ```
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::UNUSABLE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    cli.global.color.choice().write_global();
    output::set_quiet(cli.global.quiet);
    // A panic is a bug, but it must still deny: report it and exit as unusable input.
    let outcome = std::panic::catch_unwind(|| run_command(cli.command));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(_) => {
            output::eprint_text("error: internal error while evaluating; nothing was allowed\n");
            ExitCode::from(exit::UNUSABLE)
        }
    }
}

/// Runs one command and returns its exit status.
fn run_command(command: Command) -> u8 {
    // Lets the tests force a panic in a debug build, where a bug in a command would raise one.
    #[cfg(debug_assertions)]
    if std::env::var_os("RAMGUARD_FORCE_A_PANIC").is_some() {
        panic!("forced by a test");
    }
    match command {
        Command::Eval(args) => eval::run(args),
        Command::Batch(args) => batch::run(args),
        Command::Check(args) => check::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Restore(args) => restore::run(args),
        Command::Test(args) => test_cmd::run(args),
        Command::WhoCan(args) => who_can::run(args),
        Command::Prove(args) => prove::run(args),
        Command::Account(args) => account::run(args),
        Command::Completions(args) => generate::completions(args),
        Command::Man(args) => generate::man(args),
    }
}
