//! Comparing two wildcard patterns: does one match everything the other matches, and can
//! they both match one string. The lint rules for redundant, shadowed and never-matching
//! statements rest on these two questions.
//!
//! Patterns use RAM's syntax ([`crate::pattern`]): `*` any run of characters, `?` exactly one,
//! everything else literal. Callers fold action patterns with [`crate::pattern::fold_case`]
//! first, as matching does.

/// Above this many pattern-character pairs the answer is not computed and the conservative one
/// is given: no policy pattern comes near it, and a hostile file cannot make `check` slow.
const MAX_CELLS: usize = 1 << 22;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    One,
    Many,
    /// A run of characters none of which is in the set: a field of a real ARN, where `*`
    /// of a pattern would cross separators the field cannot hold.
    ManyExcept(&'static [char]),
}

/// Every real kvstore instance ARN: `acs:kvstore:{region}:{account}:instance/{id}`, where the
/// region and account hold no `:` and the id neither `:` nor `/` (each may be empty, which
/// only widens the set: "matches none of these" stays a safe claim).
fn instance_arn_tokens() -> Vec<Token> {
    const FIELD: &[char] = &[':'];
    const ID: &[char] = &[':', '/'];
    let literal = |s: &'static str| s.chars().map(Token::Literal).collect::<Vec<_>>();
    let mut tokens = literal("acs:kvstore:");
    tokens.push(Token::ManyExcept(FIELD));
    tokens.push(Token::Literal(':'));
    tokens.push(Token::ManyExcept(FIELD));
    tokens.extend(literal(":instance/"));
    tokens.push(Token::ManyExcept(ID));
    tokens
}

/// Whether a resource pattern matches some real kvstore instance ARN. Exact for the set of
/// [`instance_arn_tokens`].
pub(crate) fn matches_some_instance(pattern: &str) -> bool {
    overlapping(&tokens(pattern), &instance_arn_tokens())
}

/// The pattern's tokens, with runs of `*` collapsed into one (they match the same strings).
fn tokens(pattern: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(pattern.len());
    for c in pattern.chars() {
        let token = match c {
            '*' => Token::Many,
            '?' => Token::One,
            c => Token::Literal(c),
        };
        if !(token == Token::Many && out.last() == Some(&Token::Many)) {
            out.push(token);
        }
    }
    out
}

/// Whether `general` matches every string `specific` matches.
///
/// Conservative: `true` is always right, `false` may be wrong for exotic pairs (`?*` covers
/// `*?`, but this says no). It treats `specific` as a string of symbols: a literal of
/// `general` matches only the same literal, its `?` matches one literal or `?`, and its `*`
/// matches any run of symbols, `*` included. Any match of that kind maps every string of
/// `specific` onto a match of `general`, so `true` is sound.
pub(crate) fn covers(general: &str, specific: &str) -> bool {
    let g = tokens(general);
    let s = tokens(specific);
    if (g.len() + 1).saturating_mul(s.len() + 1) > MAX_CELLS {
        return false;
    }
    // Computed from the end: with `gt` the current token of `general`, `next[j]` says whether
    // the tokens after it cover `specific[j..]`, and `row[j]` the same from `gt` on. Both rows
    // have `s.len() + 1` cells and `j + 1` is read only when `s[j]` exists, so no index is out
    // of bounds whatever the patterns.
    let mut next = vec![false; s.len() + 1];
    next[s.len()] = true; // the empty pattern covers exactly the empty string
    for &gt in g.iter().rev() {
        let mut row = vec![false; s.len() + 1];
        for j in (0..=s.len()).rev() {
            row[j] = match (gt, s.get(j)) {
                // `*` matches nothing more, or swallows one more symbol of any kind.
                (Token::Many, sym) => next[j] || (sym.is_some() && row[j + 1]),
                // Only templates hold these, and they are never the general side.
                (Token::ManyExcept(_), _) => false,
                (Token::One, Some(Token::Literal(_) | Token::One)) => next[j + 1],
                (Token::Literal(a), Some(Token::Literal(b))) => a == *b && next[j + 1],
                _ => false,
            };
        }
        next = row;
    }
    next[0]
}

/// Whether some string is matched by both patterns. Exact: a walk over pairs of positions,
/// both patterns read as automata. Above the size limit it answers `true`, the conservative
/// answer for rules that report what can never match.
pub(crate) fn overlaps(a: &str, b: &str) -> bool {
    overlapping(&tokens(a), &tokens(b))
}

fn overlapping(a: &[Token], b: &[Token]) -> bool {
    let is_run = |t: Option<&Token>| matches!(t, Some(Token::Many | Token::ManyExcept(_)));
    let width = b.len() + 1;
    if (a.len() + 1).saturating_mul(width) > MAX_CELLS {
        return true;
    }
    // `i <= a.len()` and `j <= b.len()` throughout, and a position moves past a token only
    // when the token exists, so every cell read or marked is in the table.
    let mut reached = vec![false; (a.len() + 1) * width];
    reached[0] = true;
    // Every move keeps or advances both positions, so one pass in order visits each state
    // after every state that can reach it.
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reached[i * width + j] {
                continue;
            }
            let (ta, tb) = (a.get(i), b.get(j));
            let mut mark = |i: usize, j: usize| reached[i * width + j] = true;
            // A run may match nothing.
            if is_run(ta) {
                mark(i + 1, j);
            }
            if is_run(tb) {
                mark(i, j + 1);
            }
            // Both read one common character.
            if let (Some(&x), Some(&y)) = (ta, tb) {
                if compatible(x, y) {
                    let ni = if is_run(ta) { i } else { i + 1 };
                    let nj = if is_run(tb) { j } else { j + 1 };
                    mark(ni, nj);
                }
            }
        }
    }
    reached[a.len() * width + b.len()]
}

/// Whether two tokens can read the same character. Exclusion sets are tiny, so any two
/// wildcards share a character.
fn compatible(x: Token, y: Token) -> bool {
    match (x, y) {
        (Token::Literal(a), Token::Literal(b)) => a == b,
        (Token::Literal(c), Token::ManyExcept(set))
        | (Token::ManyExcept(set), Token::Literal(c)) => !set.contains(&c),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;
    use proptest::prelude::*;

    macro_rules! case {
        ($name:ident: $f:ident($a:expr) => $expected:expr) => {
            #[test]
            fn $name() {
                assert_eq!($f($a), $expected, "{}({:?})", stringify!($f), $a);
            }
        };
        ($name:ident: $f:ident($a:expr, $b:expr) => $expected:expr) => {
            #[test]
            fn $name() {
                assert_eq!(
                    $f($a, $b),
                    $expected,
                    "{}({:?}, {:?})",
                    stringify!($f),
                    $a,
                    $b
                );
            }
        };
    }

    case!(star_covers_everything: covers("*", "kvstore:Describe*") => true);
    case!(star_covers_empty: covers("*", "") => true);
    case!(prefix_covers_longer_prefix: covers("kvstore:Describe*", "kvstore:DescribeBackups") => true);
    case!(prefix_covers_its_own_extension: covers("kvstore:Describe*", "kvstore:DescribeB*") => true);
    case!(literal_does_not_cover_wider: covers("kvstore:DescribeBackups", "kvstore:Describe*") => false);
    case!(equal_literals: covers("a:b", "a:b") => true);
    case!(different_literals: covers("a:b", "a:c") => false);
    case!(question_covers_literal: covers("a?c", "abc") => true);
    case!(question_covers_question: covers("a?c", "a?c") => true);
    case!(question_does_not_cover_star: covers("a?c", "a*c") => false);
    case!(literal_does_not_cover_question: covers("abc", "a?c") => false);
    case!(star_covers_question: covers("a*c", "a?c") => true);
    case!(arn_any_region_covers_one: covers("acs:kvstore:*:1234567890123456:instance/*", "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-1") => true);
    case!(arn_other_account_not_covered: covers("acs:kvstore:*:111:instance/*", "acs:kvstore:*:222:instance/*") => false);
    case!(middle_star_covers: covers("acs:kvstore:*:*:instance/r-*prod*", "acs:kvstore:cn-hangzhou:1:instance/r-bp1prod01") => true);
    case!(stars_collapse: covers("a**b", "a*b") => true);
    case!(conservative_on_rotated_stars: covers("?*", "*?") => false);
    case!(empty_covers_only_empty: covers("", "a") => false);
    case!(empty_covers_empty: covers("", "") => true);

    case!(overlap_literals: overlaps("abc", "abc") => true);
    case!(no_overlap_literals: overlaps("abc", "abd") => false);
    case!(overlap_star_literal: overlaps("a*", "abc") => true);
    case!(overlap_two_stars: overlaps("a*c", "*b*") => true);
    case!(no_overlap_prefixes: overlaps("a*", "b*") => false);
    case!(no_overlap_suffixes: overlaps("*a", "*b") => false);
    case!(overlap_question_lengths: overlaps("??", "a*") => true);
    case!(no_overlap_question_lengths: overlaps("??", "???") => false);
    case!(wrong_ram_code: overlaps("acs:r-kvstore:*", "acs:kvstore:*:*:instance/*") => false);
    case!(not_an_instance_arn: overlaps("acs:kvstore:*:*:r-*prod*", "acs:kvstore:*:*:instance/*") => true);
    case!(db_arn_is_not_an_instance: overlaps("acs:kvstore:cn-hangzhou:1:db/x", "acs:kvstore:*:*:instance/*") => false);
    case!(empty_patterns: overlaps("", "*") => true);
    case!(instance_any: matches_some_instance("*") => true);
    case!(instance_named: matches_some_instance("acs:kvstore:cn-hangzhou:1:instance/r-bp1prod01") => true);
    case!(instance_wildcards: matches_some_instance("acs:kvstore:*:*:instance/r-*prod*") => true);
    case!(instance_partial: matches_some_instance("acs:kvstore:*") => true);
    case!(instance_missing_type: matches_some_instance("acs:kvstore:*:*:r-*prod*") => false);
    case!(instance_wrong_code: matches_some_instance("acs:r-kvstore:*:*:instance/*") => false);
    case!(instance_id_with_slash: matches_some_instance("acs:kvstore:*:*:instance/a/b") => false);
    case!(instance_empty_region: matches_some_instance("acs:kvstore::1:instance/r-1") => true);

    /// Every string over a small alphabet up to a length, to check the answers by brute force.
    /// Two patterns of at most 4 tokens that share a string share one of at most 8 characters.
    fn all_strings(alphabet: &[char], max: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..max {
            let mut next = Vec::new();
            for s in &last {
                for c in alphabet {
                    next.push(format!("{s}{c}"));
                }
            }
            out.extend(next.iter().cloned());
            last = next;
        }
        out
    }

    fn pattern_over() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(&['a', 'b', '*', '?'][..]), 0..=4)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        /// `covers` never claims what a string disproves; `overlaps` is exact on strings up to
        /// the length where every pair of these patterns shows a common string if it has one.
        #[test]
        fn agree_with_brute_force(a in pattern_over(), b in pattern_over()) {
            let strings = all_strings(&['a', 'b', 'c'], 8);
            let (pa, pb) = (Pattern::new(&a), Pattern::new(&b));
            if covers(&a, &b) {
                for s in &strings {
                    prop_assert!(!pb.is_match(s) || pa.is_match(s), "{a:?} covers {b:?} but not {s:?}");
                }
            }
            let common = strings.iter().any(|s| pa.is_match(s) && pb.is_match(s));
            prop_assert_eq!(overlaps(&a, &b), common, "{:?} {:?}", a, b);
        }

        /// A pattern covers itself: `covers` is not trivially false.
        #[test]
        fn a_pattern_covers_itself(a in pattern_over()) {
            prop_assert!(covers(&a, &a));
        }
    }

    #[test]
    fn huge_patterns_get_the_conservative_answer() {
        let big = "a*".repeat(3000);
        assert!(!covers(&big, &big));
        assert!(overlaps(&big, &"b".repeat(6000)));
    }
}
