//! The limits ramguard enforces on what it reads, in one place.
//!
//! Each is far above what RAM itself accepts (a policy document is at most 6,144 characters, so
//! it holds a few dozen statements), and small enough that no input, however hostile, takes
//! unbounded time or memory: reading is linear in the input, and evaluating one request against
//! one pattern costs at most `MAX_VALUE_CHARS × MAX_PATTERN_CHARS / 64` word operations, because
//! wildcard matching is linear (bit-parallel for `?`). Going over a limit is an error that names
//! the file, the place and the limit, never a truncated read and never a decision.

/// The largest policy, request or instance document, read from a file or given as text: 4 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The largest account file, or any JSON text at all: 64 MiB. An account holds every policy of
/// every principal, so it may be much larger than one policy.
pub const MAX_ACCOUNT_BYTES: usize = 64 * 1024 * 1024;

/// How deeply JSON arrays and objects may nest: 64 levels (a policy needs five). The reader is
/// recursive; the limit keeps hostile input from overflowing its stack.
pub const MAX_DEPTH: usize = 64;

/// The most statements in one policy document: 10,000.
pub const MAX_STATEMENTS: usize = 10_000;

/// The most entries in one list: actions or resources of a statement, values of one condition
/// key, in a policy or a request: 1,000.
pub const MAX_LIST_ENTRIES: usize = 1_000;

/// The longest action, resource or condition value in a policy, in characters: 8,192.
pub const MAX_PATTERN_CHARS: usize = 8_192;

/// The longest action, resource or context value of a request, in characters: 8,192.
pub const MAX_VALUE_CHARS: usize = 8_192;

/// The longest line `batch` and `diff` read from a log, by default (`--max-line-bytes`): 1 MiB.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Whether `text` is longer than `limit` characters, without counting them when its byte length
/// already settles it.
pub(crate) fn exceeds_chars(text: &str, limit: usize) -> Option<usize> {
    if text.len() <= limit {
        return None;
    }
    let chars = text.chars().count();
    (chars > limit).then_some(chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_counted_not_bytes() {
        assert_eq!(exceeds_chars("abc", 3), None);
        assert_eq!(exceeds_chars("abcd", 3), Some(4));
        // Three characters of three bytes each: nine bytes, within a three-character limit.
        assert_eq!(exceeds_chars("日本語", 3), None);
        assert_eq!(exceeds_chars("日本語x", 3), Some(4));
    }
}
