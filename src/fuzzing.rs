//! Oracles for the fuzz targets (`fuzz/`) and the tests that replay their corpora: internals
//! checked against the simple model they must agree with. Not part of the API: hidden, and free
//! to change.

use crate::pattern::{Pattern, fold_case};
use crate::{PolicySet, Request};

/// Whether the wildcard matcher matches `input` against `pattern` (`*` any run of characters,
/// `?` one character), case-insensitively as actions are matched when `fold` is set.
pub fn wildcard_match(pattern: &str, input: &str, fold: bool) -> bool {
    if fold {
        Pattern::new_folded(pattern).is_match(&fold_case(input))
    } else {
        Pattern::new(pattern).is_match(input)
    }
}

/// Checks every layer's statement index against a linear scan of its statements for `request`.
///
/// # Errors
/// The first statement that matches but that the index would not visit.
pub fn check_index(set: &PolicySet, request: &Request) -> Result<(), String> {
    set.check_index(request)
}
