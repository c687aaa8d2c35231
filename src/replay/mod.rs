//! Replaying logs, for `batch` and `diff`: request logs (JSON Lines) and ActionTrail events,
//! read within stated limits, each decided by the right principal's policies, one record per
//! item in input order. Nothing a log holds stops a run or passes unnoticed: an item that
//! cannot be decided is an error record, and the command's exit status says there were some.

mod batch;
mod decide;
mod diff;
mod input;
mod record;

pub(crate) use batch::{RunError, run};
pub(crate) use decide::{Decider, Policies};
pub(crate) use diff::{DiffFormat, DiffSummary, diff};
pub(crate) use input::{InputError, InputFormat, ItemReader, Limits};
pub(crate) use record::Summary;

#[cfg(test)]
mod tests;
