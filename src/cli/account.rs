//! `ramguard account`: account files. `import` builds one from what the aliyun CLI prints.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::exit;
use super::output::{Reported, inform, report_all, report_error, write_stdout};
use crate::ingest::account_import::{ImportedAccount, import_account};
use crate::report::{Style, render};

/// Account files, the snapshot of a RAM account that `eval`, `restore`, `test` and `who-can`
/// read with --account: `import` builds one from an export of the real account.
///
/// Exit status: 0 done, 2 unusable input (e.g. an export with a file missing).
/// `ramguard account <COMMAND> --help` explains each command.
///
/// Examples:
///   ramguard account import tests/data/aliyun-export
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct AccountArgs {
    #[command(subcommand)]
    command: AccountCommand,
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    #[command(about = "Build an account file from an export made with scripts/export-account.sh")]
    Import(ImportArgs),
}

/// Build an account file from the JSON the aliyun CLI prints, as scripts/export-account.sh
/// saves it into a directory: users, groups and roles, their memberships, the policies
/// attached to each at account scope and in resource groups (with the default version of each
/// document), the resource groups with their resources, and the Resource Directory control
/// policies. Anything that could make a principal's permissions look other than they are is an
/// error, and nothing is written; warnings go to stderr.
///
/// Exit status: 0 the account file was written, 2 unusable input (a file missing, a list cut
/// short, a reference the export cannot resolve, an invalid policy document).
///
/// Examples:
///   scripts/export-account.sh --profile prod export/
///   ramguard account import export/ -o /tmp/account.json
///   ramguard account import tests/data/aliyun-export
///   ramguard account import tests/data/aliyun-export > account.json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct ImportArgs {
    /// The directory scripts/export-account.sh wrote, e.g. export/ (its layout is in
    /// docs/account-import.md).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Where to write the account file, e.g. policies/account.json; stdout when not given.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: AccountArgs) -> u8 {
    let result = match args.command {
        AccountCommand::Import(args) => import(&args),
    };
    match result {
        Ok(()) => exit::OK,
        Err(Reported) => exit::UNUSABLE,
    }
}

fn import(args: &ImportArgs) -> Result<(), Reported> {
    let imported = match import_account(&args.dir) {
        Ok(imported) => imported,
        Err(e) => return Err(report_all(&e.diagnostics())),
    };
    if !imported.warnings().is_empty() {
        // Warnings are information: quiet mode leaves them out.
        let rendered: Vec<String> = imported
            .warnings()
            .iter()
            .map(|w| render(w, Style::Colored))
            .collect();
        inform(&rendered.join("\n"));
    }
    match &args.output {
        None => write_stdout(imported.json()),
        Some(path) => {
            std::fs::write(path, imported.json())
                .map_err(|e| report_error(format!("cannot write `{}`: {e}", path.display())))?;
            inform(&summary(&imported, path));
            Ok(())
        }
    }
}

/// One line saying what was written.
fn summary(imported: &ImportedAccount, path: &std::path::Path) -> String {
    let account = imported.account();
    let principals = account.principals();
    let roles = principals.iter().filter(|p| p.is_role()).count();
    format!(
        "wrote `{}`: account {}, {} users, {roles} roles, {} resource groups\n",
        path.display(),
        account.id(),
        principals.len() - roles,
        account.resource_groups().len(),
    )
}
