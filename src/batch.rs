//! Replaying request logs: JSON Lines in, one decision (or error record) per line out, in
//! input order, on several threads.

use std::io::{self, BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::Serialize;

use crate::eval::{PolicySet, PolicyType, StatementId, Verdict};
use crate::json::{self, JsonKind, JsonValue};
use crate::request::{Request, RequestWarning};

/// Lines decided together: large enough to keep every thread busy, small enough that memory
/// stays flat on logs of any length.
const CHUNK_LINES: usize = 4_096;

/// The outcome of one input line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct BatchRecord {
    /// The 1-based line number in the input.
    pub line: usize,
    /// The request's `"id"`, copied as given, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<JsonValue>,
    /// The decision, or why the line could not be decided.
    #[serde(flatten)]
    pub result: BatchResult,
}

/// A decision or an error, for one line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum BatchResult {
    /// The line was a valid request.
    Decided {
        /// Allow, explicit deny or implicit deny.
        decision: Verdict,
        /// The layer that decided.
        policy_type: PolicyType,
        /// The deciding statement, for allows and explicit denies.
        #[serde(skip_serializing_if = "Option::is_none")]
        statement: Option<DecidingStatement>,
        /// The keys the request lacks whose values could change whether it is allowed.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        depends_on: Vec<String>,
        /// Doubts about the request: `acs:` keys RAM does not have.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<RequestWarning>,
    },
    /// The line could not be decided; nothing was allowed.
    Error {
        /// What was wrong with the line.
        error: String,
    },
}

/// Which statement decided, by policy name and index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DecidingStatement {
    /// The policy's name.
    pub policy: String,
    /// The statement's index in the policy, from 0.
    pub index: usize,
    /// Its `Sid`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct BatchSummary {
    /// Lines read (blank lines are skipped and not counted).
    pub lines: usize,
    /// Allowed requests.
    pub allowed: usize,
    /// Denied requests, explicitly or implicitly.
    pub denied: usize,
    /// Lines that could not be decided.
    pub errors: usize,
}

/// Decides one line of a request log. Never fails: a bad line becomes an error record.
pub(crate) fn decide_line(set: &PolicySet, line_number: usize, line: &str) -> BatchRecord {
    let record = |id, result| BatchRecord {
        line: line_number,
        id,
        result,
    };
    let root = match json::parse(line) {
        Ok(root) => root,
        Err(e) => {
            return record(
                None,
                error(format!(
                    "invalid JSON at column {}: {}",
                    line.get(..e.span.start)
                        .map_or(e.span.start, |s| s.chars().count())
                        + 1,
                    e.message
                )),
            );
        }
    };
    let id = root.get("id").cloned();
    if !matches!(root.kind, JsonKind::Object(_)) {
        return record(
            id,
            error(format!(
                "a request must be a JSON object, found {}",
                root.kind.type_name()
            )),
        );
    }
    let request = match Request::from_json(&root) {
        Ok(request) => request,
        Err(e) => return record(id, error(e.to_string())),
    };
    // A panic is a bug; it must deny that line and let the run go on.
    match catch_unwind(AssertUnwindSafe(|| {
        (set.evaluate(&request), set.depends_on(&request))
    })) {
        Ok((decision, depends_on)) => record(
            id,
            BatchResult::Decided {
                decision: decision.verdict,
                policy_type: decision.policy_type,
                statement: decision.deciding.map(|d| deciding_statement(set, d)),
                depends_on,
                warnings: request.warnings(),
            },
        ),
        Err(_) => record(
            id,
            error("internal error while evaluating; nothing was allowed".into()),
        ),
    }
}

/// One non-blank line of a request log, numbered from 1: its text, or the offset of the first
/// byte that is not UTF-8.
type LogLine = (usize, Result<String, usize>);

/// Reads a request log line by line as bytes, so that a line that is not UTF-8 becomes an
/// error record instead of ending the run.
#[derive(Debug, Default)]
struct LogReader {
    number: usize,
    buffer: Vec<u8>,
}

impl LogReader {
    /// The next non-blank line, or `None` at the end of the input.
    fn next_line(&mut self, input: &mut impl BufRead) -> io::Result<Option<LogLine>> {
        loop {
            self.buffer.clear();
            if input.read_until(b'\n', &mut self.buffer)? == 0 {
                return Ok(None);
            }
            self.number += 1;
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let end = self.buffer.len()
                - usize::from(self.buffer.ends_with(b"\n"))
                - usize::from(self.buffer.ends_with(b"\r\n"));
            let text = std::str::from_utf8(&self.buffer[..end])
                .map(str::to_string)
                .map_err(|e| e.valid_up_to());
            return Ok(Some((self.number, text)));
        }
    }
}

/// Decides one line read by [`LogReader`].
fn decide_log_line(set: &PolicySet, (number, line): &LogLine) -> BatchRecord {
    match line {
        Ok(text) => decide_line(set, *number, text),
        Err(offset) => BatchRecord {
            line: *number,
            id: None,
            result: error(format!(
                "the line is not UTF-8 text (invalid byte at byte {})",
                offset + 1
            )),
        },
    }
}

fn error(message: String) -> BatchResult {
    BatchResult::Error { error: message }
}

fn deciding_statement(set: &PolicySet, id: StatementId) -> DecidingStatement {
    let policy = set.policy(id.policy);
    DecidingStatement {
        policy: policy.name().to_string(),
        index: id.statement,
        sid: policy
            .statements()
            .get(id.statement)
            .and_then(|s| s.sid.as_ref())
            .map(|s| s.value.clone()),
    }
}

/// Reads JSON Lines requests and writes one JSON line per non-blank input line, in input
/// order, deciding on `jobs` threads.
///
/// # Errors
/// Only reading or writing failures; bad lines become error records.
pub(crate) fn run(
    set: &PolicySet,
    input: impl BufRead,
    mut output: impl Write,
    jobs: usize,
) -> io::Result<BatchSummary> {
    let jobs = jobs.max(1);
    let mut summary = BatchSummary::default();
    let mut input = input;
    let mut lines = LogReader::default();
    let mut chunk: Vec<LogLine> = Vec::with_capacity(CHUNK_LINES);
    loop {
        chunk.clear();
        while chunk.len() < CHUNK_LINES {
            match lines.next_line(&mut input)? {
                Some(line) => chunk.push(line),
                None => break,
            }
        }
        if chunk.is_empty() {
            break;
        }
        for record in decide_chunk(set, &chunk, jobs) {
            summary.lines += 1;
            match &record.result {
                BatchResult::Decided { decision, .. } if decision.is_allowed() => {
                    summary.allowed += 1
                }
                BatchResult::Decided { .. } => summary.denied += 1,
                BatchResult::Error { .. } => summary.errors += 1,
            }
            serde_json::to_writer(&mut output, &record)?;
            output.write_all(b"\n")?;
        }
    }
    output.flush()?;
    Ok(summary)
}

/// Decides a chunk on up to `jobs` scoped threads, keeping input order.
fn decide_chunk(set: &PolicySet, chunk: &[LogLine], jobs: usize) -> Vec<BatchRecord> {
    let per_thread = chunk.len().div_ceil(jobs).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunk
            .chunks(per_thread)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|line| decide_log_line(set, line))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(chunk.chunks(per_thread))
            .flat_map(|(handle, part)| {
                // A thread can only fail by panicking outside `decide_line`'s guard; its lines
                // still get records, as errors.
                handle.join().unwrap_or_else(|_| {
                    part.iter()
                        .map(|(n, _)| BatchRecord {
                            line: *n,
                            id: None,
                            result: error(
                                "internal error while evaluating; nothing was allowed".into(),
                            ),
                        })
                        .collect()
                })
            })
            .collect()
    })
}

/// A request whose decision differs between two policy sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DecisionChange {
    /// The 1-based line number in the input.
    pub line: usize,
    /// The request's `"id"`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<JsonValue>,
    /// The decision under the old policies.
    pub old: BatchResult,
    /// The decision under the new policies.
    pub new: BatchResult,
}

/// Counts of a comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct DiffSummary {
    /// Lines read (blank lines are skipped).
    pub lines: usize,
    /// Requests whose decision or deciding layer changed.
    pub changed: usize,
    /// Requests denied before and allowed now: the changes to review first.
    pub newly_allowed: usize,
    /// Requests allowed before and denied now.
    pub newly_denied: usize,
}

/// Decides each request of a log under `old` and `new` and writes one JSON line per request
/// whose verdict or deciding layer differs (an invalid line differs from nothing).
///
/// # Errors
/// Only reading or writing failures.
pub(crate) fn diff(
    old: &PolicySet,
    new: &PolicySet,
    input: impl BufRead,
    mut output: impl Write,
) -> io::Result<DiffSummary> {
    let mut summary = DiffSummary::default();
    let mut input = input;
    let mut lines = LogReader::default();
    while let Some(line) = lines.next_line(&mut input)? {
        summary.lines += 1;
        let before = decide_log_line(old, &line);
        let after = decide_log_line(new, &line);
        let key = |r: &BatchResult| match r {
            BatchResult::Decided {
                decision,
                policy_type,
                ..
            } => Some((*decision, *policy_type)),
            BatchResult::Error { .. } => None,
        };
        if key(&before.result) == key(&after.result) {
            continue;
        }
        let allowed = |r: &BatchResult| matches!(r, BatchResult::Decided { decision, .. } if decision.is_allowed());
        summary.changed += 1;
        match (allowed(&before.result), allowed(&after.result)) {
            (false, true) => summary.newly_allowed += 1,
            (true, false) => summary.newly_denied += 1,
            _ => {}
        }
        let change = DecisionChange {
            line: line.0,
            id: before.id,
            old: before.result,
            new: after.result,
        };
        serde_json::to_writer(&mut output, &change)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    fn set() -> PolicySet {
        let policy = Policy::from_text(
            "restore",
            r#"{"Version": "1", "Statement": [{"Sid": "R", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-stg*"}]}"#,
        )
        .expect("valid");
        PolicySet::builder()
            .identity(policy)
            .build()
            .expect("builds")
    }

    #[test]
    fn one_record_per_line_in_order_and_bad_lines_become_errors() {
        let input = [
            r#"{"id": "a", "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#,
            r#"{"id": 2, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-prod01"}"#,
            "",
            "not json",
            r#"{"id": "c", "action": "RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#,
            "[1]",
        ]
        .join("\n");
        let mut out = Vec::new();
        let summary = run(&set(), input.as_bytes(), &mut out, 3).expect("in-memory io");
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"line":1,"id":"a","decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"restore","index":0,"sid":"R"}}"#,
                r#"{"line":2,"id":2,"decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy"}"#,
                r#"{"line":4,"error":"invalid JSON at column 1: expected a JSON value, found `not`"}"#,
                r#"{"line":5,"id":"c","error":"request action `RestoreInstance` is not of the form `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`"}"#,
                r#"{"line":6,"error":"a request must be a JSON object, found an array"}"#,
            ]
        );
        assert_eq!(
            summary,
            BatchSummary {
                lines: 5,
                allowed: 1,
                denied: 1,
                errors: 3
            }
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_is_an_error_record_and_the_run_goes_on() {
        let mut input: Vec<u8> = b"{\"id\": \"\xff\"}\r\n".to_vec();
        input.extend_from_slice(r#"{"id": "\u00e9", "action": 1}"#.as_bytes());
        input.extend_from_slice("\n{\"id\": \"é\", x}\n".as_bytes());
        let mut out = Vec::new();
        let summary = run(&set(), input.as_slice(), &mut out, 2).expect("in-memory io");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            concat!(
                r#"{"line":1,"error":"the line is not UTF-8 text (invalid byte at byte 9)"}"#,
                "\n",
                r#"{"line":2,"id":"é","error":"`action` must be a string, found a number"}"#,
                "\n",
                r#"{"line":3,"error":"invalid JSON at column 13: expected a member name in double quotes, found `x`"}"#,
                "\n",
            )
        );
        assert_eq!(summary.errors, 3);
    }

    #[test]
    fn order_is_kept_across_chunks_and_threads() {
        let line = |i: usize| {
            let instance = if i % 3 == 0 { "r-stg" } else { "r-prod" };
            format!(
                r#"{{"id": {i}, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/{instance}{i}"}}"#
            )
        };
        let input: Vec<String> = (0..CHUNK_LINES + 100).map(line).collect();
        let mut out = Vec::new();
        let summary = run(&set(), input.join("\n").as_bytes(), &mut out, 4).expect("in-memory io");
        assert_eq!(summary.lines, CHUNK_LINES + 100);
        assert_eq!(summary.allowed, (CHUNK_LINES + 100).div_ceil(3));
        for (i, record) in String::from_utf8(out).expect("utf-8").lines().enumerate() {
            assert!(
                record.starts_with(&format!(r#"{{"line":{},"id":{i},"#, i + 1)),
                "{record}"
            );
        }
    }

    #[test]
    fn diff_reports_only_changed_decisions() {
        let wider = Policy::from_text(
            "wider",
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#,
        )
        .expect("valid");
        let new = PolicySet::builder()
            .identity(wider)
            .build()
            .expect("builds");
        let input = [
            r#"{"id": 1, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-stg01"}"#,
            r#"{"id": 2, "action": "kvstore:RestoreInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-prod01"}"#,
            r#"{"id": 3, "action": "kvstore:DeleteInstance", "resource": "acs:kvstore:cn-hangzhou:1:instance/r-prod01"}"#,
        ]
        .join("\n");
        let mut out = Vec::new();
        let summary = diff(&set(), &new, input.as_bytes(), &mut out).expect("in-memory io");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            concat!(
                r#"{"line":2,"id":2,"old":{"decision":"ImplicitDeny","policy_type":"AccountLevelIdentityBasedPolicy"},"#,
                r#""new":{"decision":"Allow","policy_type":"AccountLevelIdentityBasedPolicy","statement":{"policy":"wider","index":0}}}"#,
                "\n"
            )
        );
        assert_eq!(
            summary,
            DiffSummary {
                lines: 3,
                changed: 1,
                newly_allowed: 1,
                newly_denied: 0
            }
        );
    }
}
