//! Compiled `*`/`?` wildcard patterns, as RAM matches `Action`, `Resource` and `StringLike`.
//!
//! A pattern matches the whole input. `*` matches any run of characters, including none and
//! including `:` and `/`; `?` matches exactly one character (one Unicode scalar value, not one
//! byte). There is no escape: every other character is literal.
//!
//! Each pattern is compiled once into a match strategy, after globset's `MatchStrategy`: most
//! policy patterns are a plain literal, prefix, suffix or substring test, and only the rest pay
//! for the general segment matcher, which is a single left-to-right pass without backtracking.

mod shift_and;

use shift_and::ShiftAnd;
use std::borrow::Cow;
use std::fmt;

/// A compiled wildcard pattern.
///
/// Build it with [`Pattern::new`] for case-sensitive values (resources, `StringLike`) or with
/// [`Pattern::new_folded`] for actions, then test inputs with [`Pattern::is_match`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Pattern {
    /// The text as written in the policy, kept unfolded for messages.
    source: String,
    strategy: MatchStrategy,
}

/// How a pattern is matched, chosen once when it is compiled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum MatchStrategy {
    /// No wildcard: the input must equal the text.
    Exact(String),
    /// `lit*`.
    Prefix(String),
    /// `*lit`.
    Suffix(String),
    /// `*lit*`.
    Contains(String),
    /// Only stars: everything matches.
    Any,
    /// Everything else: the pieces between stars, in order. A single segment means the pattern
    /// had no star (only `?`), so it must cover the whole input.
    General(Vec<Segment>),
    /// A general pattern of exactly four colons, such as `acs:kvstore:*:*:instance/r-team42-*`:
    /// against an input of four colons too, each field is matched on its own (each literal
    /// colon of the pattern must meet a distinct colon of the input, in order, so the fields
    /// align), with the simple strategies fields mostly get; anything else is matched whole.
    Fields(Box<FieldStrategies>),
}

/// The per-field strategies of [`MatchStrategy::Fields`], and the whole-text one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FieldStrategies {
    fields: [MatchStrategy; 5],
    whole: MatchStrategy,
}

/// An ARN (or any text) of exactly four colons, split at them: the colons of an
/// `acs:service:region:account:relative` resource name.
pub(crate) type Fields<'a> = [&'a str; 5];

/// The five fields of a text with exactly four colons.
pub(crate) fn fields(text: &str) -> Option<Fields<'_>> {
    let mut parts = text.split(':');
    let fields = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    parts.next().is_none().then_some(fields)
}

/// The literal characters and `?` between two stars.
///
/// Every character of a segment, `?` included, matches exactly one input character, so a
/// segment always matches a fixed number of characters. The general matcher relies on that.
#[derive(Clone, Debug)]
struct Segment {
    text: String,
    search: Search,
}

/// How a segment is found inside a longer input, both in linear time.
#[derive(Clone, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "literal segments are the common case, searched inline; the rare `?` one is boxed"
)]
enum Search {
    /// Without a `?`, the segment is a plain substring: searched with a finder built once,
    /// since `str::find` would rebuild its searcher on every call.
    Literal(memchr::memmem::Finder<'static>),
    /// With a `?`, bit-parallel (`shift_and`).
    Wildcards(Box<ShiftAnd>),
}

/// Segments are equal when their text is: the search is derived from it.
impl PartialEq for Segment {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Segment {}

impl std::hash::Hash for Segment {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl Pattern {
    /// Compiles a case-sensitive pattern, for resources and `StringLike` values.
    pub(crate) fn new(pattern: &str) -> Pattern {
        Pattern {
            source: pattern.to_owned(),
            strategy: MatchStrategy::compile(pattern),
        }
    }

    /// Compiles a case-insensitive pattern, for actions.
    ///
    /// The pattern is folded with [`fold_case`] here, once; the caller must fold inputs with
    /// [`fold_case`] too before passing them to [`Pattern::is_match`]. Folding happens before
    /// matching, so `?` matches one character of the *folded* text: `İ` folds to two characters.
    pub(crate) fn new_folded(pattern: &str) -> Pattern {
        Pattern {
            source: pattern.to_owned(),
            strategy: MatchStrategy::compile(&fold_case(pattern)),
        }
    }

    /// The characters before the first wildcard: every input the pattern matches starts
    /// with them.
    pub(crate) fn literal_prefix(&self) -> &str {
        let text = self.text();
        text.find(['*', '?']).map_or(text, |at| &text[..at])
    }

    /// Reports whether the pattern matches the whole of `input`. Never allocates.
    pub(crate) fn is_match(&self, input: &str) -> bool {
        self.strategy.is_match(input)
    }

    /// As [`Pattern::is_match`], for an input whose [`fields`] were split once for every
    /// pattern it meets (a request's resource).
    pub(crate) fn is_match_fields(&self, input: &str, split: Option<&Fields<'_>>) -> bool {
        match (&self.strategy, split) {
            // The relative part and the account tell resources apart most; `acs` never does.
            (MatchStrategy::Fields(strategies), Some(split)) => [4, 3, 1, 2, 0]
                .into_iter()
                .all(|i| strategies.fields[i].is_match(split[i])),
            (strategy, _) => strategy.is_match(input),
        }
    }

    /// The pattern as written in the policy (unfolded).
    pub(crate) fn text(&self) -> &str {
        &self.source
    }

    /// The text it matches against: folded for [`Pattern::new_folded`], as written otherwise.
    pub(crate) fn folded_text(&self) -> Cow<'_, str> {
        fold_case(&self.source)
    }

    /// Reports whether the pattern matches every input: it is made of stars only.
    pub(crate) fn is_match_all(&self) -> bool {
        self.strategy == MatchStrategy::Any
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl MatchStrategy {
    fn compile(pattern: &str) -> MatchStrategy {
        let whole = MatchStrategy::compile_whole(pattern);
        // Only the general matcher is worth splitting: the others are a single comparison.
        match (&whole, fields(pattern)) {
            (MatchStrategy::General(_), Some(split)) => {
                MatchStrategy::Fields(Box::new(FieldStrategies {
                    fields: split.map(MatchStrategy::compile_whole),
                    whole,
                }))
            }
            _ => whole,
        }
    }

    fn compile_whole(pattern: &str) -> MatchStrategy {
        let mut pieces = pattern.split('*');
        let first = pieces.next().unwrap_or_default();
        let mut rest: Vec<&str> = pieces.collect();
        let Some(last) = rest.pop() else {
            return if pattern.contains('?') {
                MatchStrategy::General(vec![Segment::new(pattern)])
            } else {
                MatchStrategy::Exact(pattern.to_owned())
            };
        };
        // Empty pieces between stars come from `**`: dropping them collapses consecutive stars.
        rest.retain(|piece| !piece.is_empty());
        if !pattern.contains('?') {
            match (first, rest.as_slice(), last) {
                ("", [], "") => return MatchStrategy::Any,
                (lit, [], "") => return MatchStrategy::Prefix(lit.to_owned()),
                ("", [], lit) => return MatchStrategy::Suffix(lit.to_owned()),
                ("", [lit], "") => return MatchStrategy::Contains((*lit).to_owned()),
                _ => {}
            }
        }
        let segments = std::iter::once(first)
            .chain(rest)
            .chain(std::iter::once(last))
            .map(Segment::new)
            .collect();
        MatchStrategy::General(segments)
    }
}

impl MatchStrategy {
    fn is_match(&self, input: &str) -> bool {
        match self {
            MatchStrategy::Exact(lit) => input == lit,
            MatchStrategy::Prefix(lit) => input.starts_with(lit.as_str()),
            MatchStrategy::Suffix(lit) => input.ends_with(lit.as_str()),
            MatchStrategy::Contains(lit) => input.contains(lit.as_str()),
            MatchStrategy::Any => true,
            MatchStrategy::General(segments) => general_match(segments, input),
            MatchStrategy::Fields(strategies) => strategies.whole.is_match(input),
        }
    }
}

/// Matches `input` against the segments of a pattern split at `*`.
///
/// The first segment is anchored at the start and the last at the end; both positions are
/// forced because a segment matches a fixed number of characters. Each middle segment is then
/// taken at its leftmost occurrence in what lies between: a later occurrence would only leave
/// less room for the segments after it, so leftmost never loses a match, and the whole match is
/// one pass with no backtracking, each segment found in linear time: `O(input × pattern / 64)`
/// at worst, usually `str::find` speed.
fn general_match(segments: &[Segment], input: &str) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return input.is_empty();
    };
    let Some((last, middle)) = rest.split_last() else {
        return first.match_prefix(input) == Some(input.len());
    };
    let Some(after_first) = first.match_prefix(input) else {
        return false;
    };
    // Anchor the last segment in what the first left over, so the two never overlap.
    let Some(rest) = input.get(after_first..) else {
        return false;
    };
    let Some(mut window) = last.match_suffix(rest).and_then(|end| rest.get(..end)) else {
        return false;
    };
    for segment in middle {
        let Some(rest) = segment.find_end(window).and_then(|end| window.get(end..)) else {
            return false;
        };
        window = rest;
    }
    true
}

impl Segment {
    fn new(text: &str) -> Segment {
        let search = if text.contains('?') {
            Search::Wildcards(Box::new(ShiftAnd::new(text)))
        } else {
            Search::Literal(memchr::memmem::Finder::new(text.as_bytes()).into_owned())
        };
        Segment {
            text: text.to_owned(),
            search,
        }
    }

    /// The byte length of this segment's match at the very start of `hay`.
    fn match_prefix(&self, hay: &str) -> Option<usize> {
        if matches!(self.search, Search::Literal(_)) {
            return hay
                .starts_with(self.text.as_str())
                .then_some(self.text.len());
        }
        let mut chars = hay.chars();
        for want in self.text.chars() {
            let got = chars.next()?;
            if want != '?' && want != got {
                return None;
            }
        }
        Some(hay.len() - chars.as_str().len())
    }

    /// The byte offset where this segment's match starts when it is anchored at the end of `hay`.
    fn match_suffix(&self, hay: &str) -> Option<usize> {
        if matches!(self.search, Search::Literal(_)) {
            return hay
                .ends_with(self.text.as_str())
                .then(|| hay.len() - self.text.len());
        }
        // Walk back one input char per segment char: `?` spans a whole char, not a byte.
        let mut chars = hay.chars();
        for want in self.text.chars().rev() {
            let got = chars.next_back()?;
            if want != '?' && want != got {
                return None;
            }
        }
        Some(chars.as_str().len())
    }

    /// The byte offset just past the leftmost match of this segment in `hay`.
    fn find_end(&self, hay: &str) -> Option<usize> {
        match &self.search {
            // A match of whole UTF-8 text starts and ends on char boundaries.
            Search::Literal(finder) => finder.find(hay.as_bytes()).map(|at| at + self.text.len()),
            Search::Wildcards(search) => search.find_end(hay),
        }
    }
}

/// Whether `input` folded with [`fold_case`] equals `folded`, compared character by character
/// without allocating the folded text.
pub(crate) fn folds_to(input: &str, folded: &str) -> bool {
    let mut expected = folded.chars();
    for c in input.chars() {
        if c.is_ascii() {
            if expected.next() != Some(c.to_ascii_lowercase()) {
                return false;
            }
        } else if !c.to_lowercase().all(|lower| expected.next() == Some(lower)) {
            return false;
        }
    }
    expected.next().is_none()
}

/// Folds `s` for case-insensitive action matching: each character's [`char::to_lowercase`].
///
/// This is deliberately not [`str::to_lowercase`], whose final-sigma rule depends on the
/// neighbouring characters: a pattern `ΟΔΟΣ*` and an input `ΟΔΟΣΑ` must fold their `Σ` alike.
/// Returns the input unchanged, without allocating, when it is already folded.
pub(crate) fn fold_case(s: &str) -> Cow<'_, str> {
    // ASCII, nearly every key, action and value, is scanned byte by byte.
    let Some(candidate) = s
        .bytes()
        .position(|b| b.is_ascii_uppercase() || !b.is_ascii())
    else {
        return Cow::Borrowed(s);
    };
    let Some(at) = s[candidate..]
        .find(|c: char| !is_folded(c))
        .map(|i| candidate + i)
    else {
        return Cow::Borrowed(s);
    };
    let (done, todo) = s.split_at(at);
    let mut folded = String::with_capacity(s.len());
    folded.push_str(done);
    for c in todo.chars() {
        if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
        } else {
            folded.extend(c.to_lowercase());
        }
    }
    Cow::Owned(folded)
}

fn is_folded(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_uppercase();
    }
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One `#[test]` per row: `name: [folded] pattern, input => expected`. Folded rows build the
    /// pattern with `new_folded` and fold the input, as action matching does.
    macro_rules! case {
        ($name:ident: folded $pattern:expr, $input:expr => $expected:expr) => {
            #[test]
            fn $name() {
                let input = fold_case($input);
                let got = Pattern::new_folded($pattern).is_match(&input);
                assert_eq!(got, $expected, "{:?} against {:?}", $pattern, input);
            }
        };
        ($name:ident: $pattern:expr, $input:expr => $expected:expr) => {
            #[test]
            fn $name() {
                let got = Pattern::new($pattern).is_match($input);
                assert_eq!(got, $expected, "{:?} against {:?}", $pattern, $input);
            }
        };
    }

    const ARN: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01";

    case!(exact_hit: "abc", "abc" => true);
    case!(exact_longer_input: "abc", "abcd" => false);
    case!(exact_shorter_input: "abc", "ab" => false);
    case!(exact_is_case_sensitive: "ABC", "abc" => false);
    case!(empty_pattern_empty_input: "", "" => true);
    case!(empty_pattern_nonempty_input: "", "a" => false);
    case!(nonempty_pattern_empty_input: "a", "" => false);
    case!(star_empty_input: "*", "" => true);
    case!(star_arn: "*", ARN => true);
    case!(stars_collapse_to_any: "***", "abc" => true);
    case!(prefix_hit: "acs:kvstore:*", ARN => true);
    case!(prefix_whole_input: "ab*", "ab" => true);
    case!(prefix_is_anchored: "a*", "ba" => false);
    case!(prefix_longer_than_input: "abc*", "ab" => false);
    case!(suffix_hit: "*instance/r-bp1prod01", ARN => true);
    case!(suffix_whole_input: "*ab", "ab" => true);
    case!(suffix_is_anchored: "*a", "ab" => false);
    case!(contains_hit: "*:instance/*", ARN => true);
    case!(contains_whole_input: "*abc*", "abc" => true);
    case!(contains_miss: "*xyz*", "abc" => false);
    case!(star_both_ends: "*bp1*", ARN => true);
    case!(general_ends: "a*c", "abc" => true);
    case!(general_ends_empty_middle: "a*c", "ac" => true);
    case!(general_ends_must_not_overlap: "ab*ba", "aba" => false);
    case!(general_ends_adjacent: "ab*ba", "abba" => true);
    case!(general_single_char_cannot_be_both_ends: "a*a", "a" => false);
    case!(general_middles_in_order: "*b*c*", "abc" => true);
    case!(general_middles_out_of_order: "*c*b*", "abc" => false);
    case!(general_middle_not_in_last: "a*b*c", "acbc" => true);
    case!(general_middle_must_fit_before_last: "a*b*bc", "abc" => false);
    case!(consecutive_stars_general: "a**b***c", "abc" => true);
    case!(pattern_longer_than_input: "abcdef", "abc" => false);
    case!(general_longer_than_input: "abc*def", "abcde" => false);
    case!(question_one_char: "?", "a" => true);
    case!(question_empty_input: "?", "" => false);
    case!(question_two_chars: "?", "ab" => false);
    case!(question_accented: "?", "é" => true);
    case!(question_cjk_pair: "??", "日本" => true);
    case!(question_cjk_one_short: "?", "日本" => false);
    case!(question_emoji: "?", "🦀" => true);
    case!(questions_are_chars_not_bytes: "????", "🦀" => false);
    case!(questions_longer_than_input: "????", "abc" => false);
    case!(question_at_start: "?bc", "abc" => true);
    case!(question_at_end: "ab?", "abc" => true);
    case!(question_at_end_needs_a_char: "ab?", "ab" => false);
    case!(question_then_star: "a?*", "ab" => true);
    case!(star_then_question_needs_a_char: "*?", "" => false);
    case!(star_then_question_multibyte: "*?", "日" => true);
    case!(anchored_last_segment_multibyte: "*本?", "日本é" => true);
    case!(anchored_last_segment_wrong_char: "*本?", "日本" => false);
    case!(anchored_ends_with_question_no_overlap: "é?*?é", "éxé" => false);
    case!(middle_question_multibyte: "*é?é*", "aé🦀éb" => true);
    case!(input_star_is_literal: "ab", "a*" => false);
    case!(star_matches_input_star: "a*", "a**" => true);
    case!(question_matches_input_star: "a?c", "a*c" => true);
    case!(backslash_is_literal: "a\\*", "a\\bc" => true);
    case!(backslash_does_not_escape: "a\\*", "a*" => false);
    case!(star_crosses_colons: "acs:kvstore:*:instance/*", ARN => true);
    case!(star_crosses_slashes: "a*z", "a/b/c:z" => true);
    case!(arn_exact: ARN, ARN => true);
    case!(arn_any_region: "acs:kvstore:*:1234567890123456:instance/r-bp1prod01", ARN => true);
    case!(arn_other_account: "acs:kvstore:*:999:instance/*", ARN => false);
    case!(arn_instance_prefix: "acs:kvstore:*:*:instance/r-bp1prod*", ARN => true);
    case!(arn_question_in_region: "acs:kvstore:cn-hangzho?:*:instance/*", ARN => true);
    case!(arn_other_service: "acs:ecs:*", ARN => false);
    case!(arn_is_case_sensitive: "acs:kvstore:*:*:instance/R-BP1PROD01", ARN => false);
    case!(unfolded_pattern_is_case_sensitive: "KVSTORE:*", "kvstore:x" => false);
    case!(folded_action_prefix: folded "KVSTORE:Restore*", "kvstore:restoreinstance" => true);
    case!(folded_mixed_case_input: folded "kvstore:RestoreInstance", "KVStore:RESTOREINSTANCE" => true);
    case!(folded_other_action: folded "kvstore:Describe*", "kvstore:RestoreInstance" => false);
    case!(folded_capital_sigma: folded "Σ", "σ" => true);
    case!(folded_sigma_before_star: folded "ΟΔΟΣ*", "ΟΔΟΣΑ" => true);
    case!(folded_final_sigma_is_its_own_letter: folded "Σ", "ς" => false);
    case!(folded_dotted_capital_i: folded "İ*", "İx" => true);
    case!(folded_dotted_capital_i_is_two_chars: folded "x??", "Xİ" => true);
    case!(folded_dotted_capital_i_not_one_char: folded "x?", "Xİ" => false);
    case!(folded_question_accented: folded "É?", "éÉ" => true);

    #[test]
    fn strategies() {
        use MatchStrategy::*;
        let strategy = |p: &str| Pattern::new(p).strategy;
        let lit = |s: &str| s.to_owned();
        let segs = |s: &[&str]| General(s.iter().map(|s| Segment::new(s)).collect());
        assert_eq!(strategy(""), Exact(lit("")));
        assert_eq!(strategy("a:b/c"), Exact(lit("a:b/c")));
        assert_eq!(strategy("**"), Any);
        assert_eq!(strategy("ab**"), Prefix(lit("ab")));
        assert_eq!(strategy("**ab"), Suffix(lit("ab")));
        assert_eq!(strategy("*a*"), Contains(lit("a")));
        assert_eq!(strategy("**a**b"), segs(&["", "a", "b"]));
        assert_eq!(strategy("a*b"), segs(&["a", "b"]));
        assert_eq!(strategy("a?"), segs(&["a?"]));
        assert_eq!(strategy("?*"), segs(&["?", ""]));
    }

    #[test]
    fn accessors() {
        let p = Pattern::new_folded("KVStore:Restore*");
        assert_eq!(p.to_string(), "KVStore:Restore*");
        assert!(!p.is_match_all());
        assert_eq!(p.text(), "KVStore:Restore*");
        assert!(Pattern::new("***").is_match_all());
        assert!(!Pattern::new("").is_match_all());
        assert_eq!(Pattern::new("a*"), Pattern::new("a*").clone());
        assert_ne!(Pattern::new("a*"), Pattern::new("a**"));
    }

    #[test]
    fn fold_case_borrows_when_already_folded() {
        assert!(matches!(fold_case("kvstore:restore"), Cow::Borrowed(_)));
        assert!(matches!(fold_case("日本é"), Cow::Borrowed(_)));
        assert_eq!(
            fold_case("kvstore:RestoreInstance"),
            "kvstore:restoreinstance"
        );
        assert_eq!(fold_case("ΟΔΟΣ"), "οδοσ");
        assert_eq!(fold_case("İ").chars().count(), 2);
    }

    #[test]
    fn folds_to_agrees_with_fold_case() {
        for input in [
            "STAGING", "Staging", "staging", "stagin", "stagingx", "ΟΔΟΣ", "İx", "", "日本",
        ] {
            for folded in ["staging", "οδοσ", "i\u{307}x", "ix", "", "日本"] {
                assert_eq!(
                    folds_to(input, folded),
                    fold_case(input) == folded,
                    "{input} against {folded}"
                );
            }
        }
    }

    #[test]
    fn fold_case_is_idempotent_for_every_char() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let once = fold_case(c.encode_utf8(&mut buf)).into_owned();
            assert_eq!(fold_case(&once), once, "{c:?}");
        }
    }

    #[test]
    fn many_stars_do_not_backtrack() {
        let input = "a".repeat(4000);
        let pattern = format!("{}*b", "*a".repeat(49));
        assert_eq!(pattern.matches('*').count(), 50);
        assert!(!Pattern::new(&pattern).is_match(&input));
        assert!(!Pattern::new(&format!("{}*b*", "*a?".repeat(49))).is_match(&input));
        assert!(Pattern::new(&format!("{}*", "*a?".repeat(49))).is_match(&input));
    }

    /// The textbook dynamic program over chars: `matched[j]` says whether the pattern read so
    /// far matches the first `j` input chars.
    fn reference_match(pattern: &str, input: &str) -> bool {
        let input: Vec<char> = input.chars().collect();
        let mut matched = vec![false; input.len() + 1];
        matched[0] = true;
        for p in pattern.chars() {
            let mut next = vec![false; input.len() + 1];
            next[0] = p == '*' && matched[0];
            for (j, &c) in input.iter().enumerate() {
                next[j + 1] = if p == '*' {
                    matched[j + 1] || next[j]
                } else {
                    matched[j] && (p == '?' || p == c)
                };
            }
            matched = next;
        }
        matched[input.len()]
    }

    fn string_over(alphabet: &'static [char], max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(alphabet), 0..=max)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn agrees_with_reference(
            pattern in string_over(&['a', 'b', 'é', ':', '*', '?'], 10),
            input in string_over(&['a', 'b', 'é', ':'], 12),
        ) {
            prop_assert_eq!(Pattern::new(&pattern).is_match(&input), reference_match(&pattern, &input));
        }

        #[test]
        fn agrees_with_reference_on_any_unicode(pattern in "[*?a\\PC]{0,8}", input in "[a\\PC]{0,10}") {
            let expected = reference_match(&fold_case(&pattern), &fold_case(&input));
            prop_assert_eq!(Pattern::new_folded(&pattern).is_match(&fold_case(&input)), expected);
        }
    }
}
