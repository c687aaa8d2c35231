//! `batch`: one record per item, in input order, decided on several threads.

use std::io::{self, BufRead, Write};

use super::decide::Decider;
use super::input::{InputError, Item, ItemReader};
use super::record::{Record, Summary};

/// Items decided together: enough to keep every thread busy, few enough that memory stays flat
/// on logs of any length.
const CHUNK_ITEMS: usize = 4_096;

/// Why a run stopped before the end of its input (what was read before is answered).
#[derive(Debug)]
pub(crate) enum RunError {
    /// The input is not a log that can be replayed.
    Input(InputError),
    /// Writing failed (a reader that went away included).
    Output(io::Error),
}

/// Decides every item of `reader` and writes one JSON line per item, in order.
///
/// # Errors
/// The input stops being a log, or the output cannot be written; items are never errors.
pub(crate) fn run(
    decider: &Decider,
    reader: &mut ItemReader<impl BufRead>,
    mut output: impl Write,
    jobs: usize,
) -> Result<Summary, RunError> {
    let mut summary = Summary::default();
    let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK_ITEMS);
    loop {
        chunk.clear();
        let mut stopped = None;
        while chunk.len() < CHUNK_ITEMS {
            match reader.next_item() {
                Ok(Some(item)) => chunk.push(item),
                Ok(None) => break,
                Err(e) => {
                    stopped = Some(e);
                    break;
                }
            }
        }
        let records = decide_chunk(&chunk, jobs, |item| decider.decide(item), internal_error);
        for record in records {
            summary.count(&record);
            write_record(&mut output, &record).map_err(RunError::Output)?;
        }
        if let Some(e) = stopped {
            output.flush().map_err(RunError::Output)?;
            return Err(RunError::Input(e));
        }
        if chunk.len() < CHUNK_ITEMS {
            break;
        }
    }
    output.flush().map_err(RunError::Output)?;
    Ok(summary)
}

/// The record of an item whose thread failed outside `decide`'s own guard.
pub(crate) fn internal_error(item: &Item) -> Record {
    Record::at(item).error(
        "internal",
        None,
        "internal error while evaluating; nothing was allowed",
    )
}

fn write_record(output: &mut impl Write, record: &Record) -> io::Result<()> {
    serde_json::to_writer(&mut *output, record)?;
    output.write_all(b"\n")
}

/// Decides a chunk on up to `jobs` scoped threads, keeping input order. `on_panic` answers
/// for the items of a thread that failed (`decide` catches panics itself; this is the last
/// line of defence).
pub(crate) fn decide_chunk<T: Send>(
    chunk: &[Item],
    jobs: usize,
    decide: impl Fn(&Item) -> T + Sync,
    on_panic: impl Fn(&Item) -> T,
) -> Vec<T> {
    let per_thread = chunk.len().div_ceil(jobs.max(1)).max(1);
    let decide = &decide;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunk
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(decide).collect::<Vec<T>>()))
            .collect();
        handles
            .into_iter()
            .zip(chunk.chunks(per_thread))
            .flat_map(|(handle, part)| {
                handle
                    .join()
                    .unwrap_or_else(|_| part.iter().map(&on_panic).collect())
            })
            .collect()
    })
}
