//! Did-you-mean: the known name nearest to a misspelt one.

use crate::pattern::fold_case;

/// The candidate nearest to `word` ignoring case, if it is near enough to be a typo: at most a
/// quarter of the word's characters apart, and at least two. Ties go to the first.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let folded = fold_case(word);
    let limit = (folded.chars().count() / 4).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&folded, &fold_case(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_nothing_else() {
        let names = ["RestoreInstance", "DescribeInstances", "FlushInstance"];
        assert_eq!(nearest("RestoreInstances", names), Some("RestoreInstance"));
        assert_eq!(nearest("restorinstance", names), Some("RestoreInstance"));
        assert_eq!(nearest("Frobnicate", names), None);
        // Characters, not bytes, are counted.
        assert_eq!(nearest("日本", ["日本語"]), Some("日本語"));
        assert_eq!(
            nearest("ab", ["xy"]),
            Some("xy"),
            "two edits are allowed on short words"
        );
        assert_eq!(nearest("ab", ["xyz"]), None);
    }
}
