//! `diff`: every item decided under two sets of policies, and the items whose decision changed,
//! grouped into access gained, access lost, other changes, and items that could not be decided.

use std::io::{BufRead, Write};

use serde::Serialize;

use super::batch::{RunError, decide_chunk, internal_error};
use super::decide::Decider;
use super::input::{Item, ItemReader};
use super::record::{Outcome, Record};
use crate::json::JsonValue;

/// Items compared together (see `batch`).
const CHUNK_ITEMS: usize = 4_096;

/// How an item's decision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ChangeKind {
    /// Denied before, allowed now: the changes a review must look at first.
    Gained,
    /// Allowed before, denied now.
    Lost,
    /// Allowed (or denied) both times, by another layer or another kind of deny.
    Other,
    /// Not decided under the old or the new policies: nothing can be said.
    Undecided,
}

/// An item whose decision changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Change {
    /// How.
    pub(crate) change: ChangeKind,
    /// The 1-based line the item starts on.
    pub(crate) line: usize,
    /// Its position in the array that held it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<usize>,
    /// A request's `"id"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<JsonValue>,
    /// An event's `eventId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) event_id: Option<String>,
    /// Whose policies decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) principal: Option<String>,
    /// The action decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<String>,
    /// The resource decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resource: Option<String>,
    /// The outcome under the old policies.
    pub(crate) old: Outcome,
    /// The outcome under the new policies.
    pub(crate) new: Outcome,
}

/// Counts of a comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct DiffSummary {
    /// Items read (blank lines are skipped).
    pub(crate) records: usize,
    /// Items whose decision changed, all kinds.
    pub(crate) changed: usize,
    /// Denied before, allowed now.
    pub(crate) gained: usize,
    /// Allowed before, denied now.
    pub(crate) lost: usize,
    /// The same allow or deny, decided differently.
    pub(crate) other: usize,
    /// Items not decided on one side or both.
    pub(crate) undecided: usize,
    /// Events not governed by RAM policies, on both sides.
    pub(crate) skipped: usize,
}

/// How a comparison is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiffFormat {
    /// A report for people, grouped.
    Text,
    /// One JSON object: the summary and the changes by kind.
    Json,
    /// One JSON line per change, as they are found.
    JsonLines,
}

/// Compares every item under `old` and `new`, writing the changes in `format`.
///
/// # Errors
/// The input stops being a log, or the output cannot be written.
pub(crate) fn diff(
    old: &Decider,
    new: &Decider,
    reader: &mut ItemReader<impl BufRead>,
    mut output: impl Write,
    jobs: usize,
    format: DiffFormat,
) -> Result<DiffSummary, RunError> {
    let mut summary = DiffSummary::default();
    let mut kept: Vec<Change> = Vec::new();
    let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK_ITEMS);
    let mut stopped = None;
    loop {
        chunk.clear();
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
        let pairs = decide_chunk(
            &chunk,
            jobs,
            |item| (old.decide(item), new.decide(item)),
            |item| (internal_error(item), internal_error(item)),
        );
        for (before, after) in pairs {
            summary.records += 1;
            let Some(change) = compare(before, after, &mut summary) else {
                continue;
            };
            if format == DiffFormat::JsonLines {
                serde_json::to_writer(&mut output, &change)
                    .map_err(|e| RunError::Output(e.into()))?;
                output.write_all(b"\n").map_err(RunError::Output)?;
            } else {
                kept.push(change);
            }
        }
        if stopped.is_some() || chunk.len() < CHUNK_ITEMS {
            break;
        }
    }
    match format {
        DiffFormat::JsonLines => {}
        DiffFormat::Json => {
            let report = Report {
                summary,
                gained: of_kind(&kept, ChangeKind::Gained),
                lost: of_kind(&kept, ChangeKind::Lost),
                other: of_kind(&kept, ChangeKind::Other),
                undecided: of_kind(&kept, ChangeKind::Undecided),
            };
            serde_json::to_writer_pretty(&mut output, &report)
                .map_err(|e| RunError::Output(e.into()))?;
            output.write_all(b"\n").map_err(RunError::Output)?;
        }
        DiffFormat::Text => output
            .write_all(render_text(&kept).as_bytes())
            .map_err(RunError::Output)?,
    }
    output.flush().map_err(RunError::Output)?;
    match stopped {
        Some(e) => Err(RunError::Input(e)),
        None => Ok(summary),
    }
}

/// The JSON report.
#[derive(Serialize)]
struct Report<'a> {
    summary: DiffSummary,
    gained: Vec<&'a Change>,
    lost: Vec<&'a Change>,
    other: Vec<&'a Change>,
    undecided: Vec<&'a Change>,
}

fn of_kind(changes: &[Change], kind: ChangeKind) -> Vec<&Change> {
    changes.iter().filter(|c| c.change == kind).collect()
}

/// The change between two records of one item, counted; `None` when nothing changed.
fn compare(before: Record, after: Record, summary: &mut DiffSummary) -> Option<Change> {
    let kind = match (&before.outcome, &after.outcome) {
        (Outcome::Skipped { .. }, Outcome::Skipped { .. }) => {
            summary.skipped += 1;
            return None;
        }
        (Outcome::Decided(old), Outcome::Decided(new)) => {
            if (old.decision, old.policy_type) == (new.decision, new.policy_type) {
                return None;
            }
            match (old.decision.is_allowed(), new.decision.is_allowed()) {
                (false, true) => ChangeKind::Gained,
                (true, false) => ChangeKind::Lost,
                _ => ChangeKind::Other,
            }
        }
        _ => ChangeKind::Undecided,
    };
    summary.changed += usize::from(kind != ChangeKind::Undecided);
    match kind {
        ChangeKind::Gained => summary.gained += 1,
        ChangeKind::Lost => summary.lost += 1,
        ChangeKind::Other => summary.other += 1,
        ChangeKind::Undecided => summary.undecided += 1,
    }
    // What was decided on, or for an event that was not, what it maps to.
    let subject = before
        .decided_on
        .clone()
        .or_else(|| after.decided_on.clone())
        .or_else(|| before.action.clone().zip(before.resource.clone()));
    let (action, resource) = subject.map_or((None, None), |(a, r)| (Some(a), Some(r)));
    Some(Change {
        change: kind,
        line: before.line,
        index: before.index,
        id: before.id,
        event_id: before.event_id.or(after.event_id),
        principal: before.principal.or(after.principal),
        action,
        resource,
        old: before.outcome,
        new: after.outcome,
    })
}

/// The report for people: each group with its changes, the deciding statement on each side.
fn render_text(changes: &[Change]) -> String {
    let groups = [
        (
            ChangeKind::Gained,
            "gained access",
            "denied before, allowed now",
        ),
        (
            ChangeKind::Lost,
            "lost access",
            "allowed before, denied now",
        ),
        (
            ChangeKind::Other,
            "other changes",
            "the same allow or deny, decided by another layer or kind of deny",
        ),
        (
            ChangeKind::Undecided,
            "could not decide",
            "not decided under the old or the new policies",
        ),
    ];
    let mut out = String::new();
    for (kind, title, meaning) in groups {
        let group = of_kind(changes, kind);
        out.push_str(&format!("{title} ({}): {meaning}\n", group.len()));
        for change in group {
            out.push_str(&format!("  {}\n", heading(change)));
            out.push_str(&format!("    before: {}\n", outcome_text(&change.old)));
            out.push_str(&format!("    now:    {}\n", outcome_text(&change.new)));
        }
        out.push('\n');
    }
    out
}

fn heading(change: &Change) -> String {
    let mut at = format!("line {}", change.line);
    if let Some(index) = change.index {
        at.push_str(&format!(" [{index}]"));
    }
    if let Some(id) = &change.event_id {
        at.push_str(&format!(" (event {id})"));
    } else if let Some(id) = &change.id {
        let id = serde_json::to_string(id).unwrap_or_default();
        at.push_str(&format!(" (id {id})"));
    }
    let who = change
        .principal
        .as_deref()
        .map(|p| format!(" {p}"))
        .unwrap_or_default();
    let what = match (&change.action, &change.resource) {
        (Some(action), Some(resource)) => format!(" {action} on {resource}"),
        _ => String::new(),
    };
    format!("{at}:{who}{what}")
}

fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Decided(d) => {
            let by = d
                .statement
                .as_ref()
                .map(|s| {
                    let sid = s
                        .sid
                        .as_ref()
                        .map(|s| format!(" \"{s}\""))
                        .unwrap_or_default();
                    format!(", by {} Statement[{}]{sid}", s.policy, s.index)
                })
                .unwrap_or_default();
            let depends = if d.depends_on.is_empty() {
                String::new()
            } else {
                format!("; depends on missing {}", d.depends_on.join(", "))
            };
            format!("{} ({}){by}{depends}", d.decision, d.policy_type)
        }
        Outcome::Skipped { reason, .. } => format!("not evaluated: {reason}"),
        Outcome::Error { error, code, .. } => format!("error[{code}]: {error}"),
    }
}
