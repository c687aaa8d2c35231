//! Writing results to stdout and diagnostics to stderr, every one drawn by the one renderer
//! (`crate::report::render`): `error[code]: message`, ` --> file:line:column` and the source
//! line when there is a position, and `= help: …`.

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{Style, render};
use crate::source::SourceError;

/// Whether `--quiet` was given: nothing on stdout, no warnings; the exit status says it all.
/// Errors that make the input unusable are still printed, so a failing CI job says why.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets quiet mode for the rest of the process (`--quiet`).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Where a command writes its results: stdout, or nowhere in quiet mode. Plain bytes, for
/// output without colour (JSON, JSON Lines, SARIF).
pub(crate) fn stdout() -> Box<dyn Write> {
    if is_quiet() {
        Box::new(io::sink())
    } else {
        Box::new(io::stdout().lock())
    }
}

/// Like [`stdout`], for text that may carry ANSI colours: they are kept on a terminal and
/// stripped when stdout is a file or a pipe, or `NO_COLOR` is set, or `--color never`.
pub(crate) fn colored_stdout() -> Box<dyn Write> {
    if is_quiet() {
        Box::new(io::sink())
    } else {
        Box::new(anstream::stdout().lock())
    }
}

/// A failure already explained to the user; the subcommand exits with [`super::exit::UNUSABLE`].
#[derive(Debug)]
pub(crate) struct Reported;

/// Prints text to stderr. A closed stderr is ignored: there is nobody left to tell, and a
/// panic there would only hide the exit status. Colours are stripped where they are unwanted
/// (not a terminal, or `NO_COLOR` set).
pub(crate) fn eprint_text(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Prints a summary or other information to stderr, unless in quiet mode.
pub(crate) fn inform(text: &str) {
    if !is_quiet() {
        eprint_text(text);
    }
}

/// Prints diagnostics to stderr, each drawn by the one renderer, a blank line between them.
pub(crate) fn report_all(diagnostics: &[Diagnostic]) -> Reported {
    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|d| render(d, Style::Colored))
        .collect();
    eprint_text(&rendered.join("\n"));
    Reported
}

/// Prints one diagnostic to stderr.
pub(crate) fn report(diagnostic: Diagnostic) -> Reported {
    report_all(std::slice::from_ref(&diagnostic))
}

/// Prints `error: message` for unusable input, for a message that carries its own help line.
pub(crate) fn report_error(message: impl Display) -> Reported {
    report(Diagnostic::plain(
        Severity::Error,
        None,
        message.to_string(),
    ))
}

/// Prints `error: message` and a `help:` line saying how to fix it.
pub(crate) fn report_with_help(message: impl Display, help: impl Display) -> Reported {
    report(
        Diagnostic::plain(Severity::Error, None, message.to_string()).with_help(help.to_string()),
    )
}

/// Prints a file that cannot be read, with how to fix it.
pub(crate) fn report_source_error(e: &SourceError) -> Reported {
    report(e.diagnostic())
}

/// Prints a warning: the command goes on, but the user probably made a mistake.
pub(crate) fn warn(message: impl Display, help: impl Display) {
    if is_quiet() {
        return;
    }
    report(
        Diagnostic::plain(Severity::Warning, None, message.to_string()).with_help(help.to_string()),
    );
}

/// Whether a write failed only because the reader went away (`| head`). That is how a pipe
/// ends, not an error: the command stops writing and exits with the status of its result.
pub(crate) fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Writes text to stdout. A reader that stopped early is not an error (see [`is_broken_pipe`]);
/// any other failure (a full disk) is reported.
pub(crate) fn write_stdout(text: &str) -> Result<(), Reported> {
    let mut out = stdout();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if !is_broken_pipe(&e) => Err(report_error(format!("cannot write the output: {e}"))),
        _ => Ok(()),
    }
}

/// Writes text for people to stdout, with characters that would drive the terminal (control
/// characters, bidirectional marks) shown escaped: policies and requests are quoted in it.
pub(crate) fn write_text(text: &str) -> Result<(), Reported> {
    write_stdout(&crate::report::visible(text))
}

/// Prints a value as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), Reported> {
    let text = serde_json::to_string_pretty(value).map_err(report_error)?;
    write_stdout(&format!("{text}\n"))
}
