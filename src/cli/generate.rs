//! `ramguard completions` and `ramguard man`: shell completions and manual pages, generated
//! from the same clap definitions that parse the command line, so they cannot drift from it.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;
use super::exit;
use super::output::{Reported, report_with_help, write_stdout};

/// Print a shell completion script on stdout, generated from this build's flags.
///
/// Exit status: 0 printed, 2 an unknown shell.
///
/// Examples:
///   ramguard completions bash > ~/.local/share/bash-completion/completions/ramguard
///   ramguard completions zsh > ~/.zfunc/_ramguard     # with fpath+=~/.zfunc in ~/.zshrc
///   ramguard completions fish > ~/.config/fish/completions/ramguard.fish
///   ramguard completions powershell >> $PROFILE
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in, e.g. bash.
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

/// Print the manual page (roff), or write one page per command into a directory.
///
/// Exit status: 0 written, 2 the directory cannot be created or written.
///
/// Examples:
///   ramguard man | man -l -
///   ramguard man --out-dir /tmp/man1    # ramguard.1, ramguard-check.1, …; then man -M /tmp ramguard-check
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct ManArgs {
    /// Write ramguard.1 and a page per command (ramguard-check.1, …) into DIR, created if
    /// missing, instead of printing ramguard.1, e.g. /usr/local/share/man/man1.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

pub(crate) fn completions(args: CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "ramguard", &mut script);
    finish(write_stdout(&String::from_utf8_lossy(&script)))
}

pub(crate) fn man(args: ManArgs) -> u8 {
    let Some(dir) = args.out_dir else {
        let mut page = Vec::new();
        let rendered = clap_mangen::Man::new(Cli::command()).render(&mut page);
        return finish(rendered.map_err(cannot_write).and_then(|()| {
            // Roff is ASCII here: clap's help text is, and the renderer escapes the rest.
            write_stdout(&String::from_utf8_lossy(&page))
        }));
    };
    let written =
        std::fs::create_dir_all(&dir).and_then(|()| clap_mangen::generate_to(Cli::command(), &dir));
    finish(written.map_err(|e| {
        report_with_help(
            format_args!(
                "cannot write the manual pages into `{}`: {e}",
                dir.display()
            ),
            "give a directory you can write to with --out-dir",
        )
    }))
}

fn cannot_write(e: std::io::Error) -> Reported {
    report_with_help(
        format_args!("cannot render the manual page: {e}"),
        "this is a bug in ramguard; please report it",
    )
}

fn finish(result: Result<(), Reported>) -> u8 {
    match result {
        Ok(()) => exit::OK,
        Err(Reported) => exit::UNUSABLE,
    }
}
