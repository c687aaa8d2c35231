//! A RAM wildcard pattern as a position-set automaton, for symbolic search.
//!
//! The evaluator answers "does this text match?"; `prove` asks "is there a text that matches
//! these patterns and not those?". Both read patterns the same way: `*` is any run of
//! characters (`:` included, docs/semantics.md §2), `?` is exactly one character, anything else
//! is itself. A state of the automaton is the set of pattern positions a prefix can reach.

use crate::pattern::{Pattern, fold_case};

/// One item of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Literal(char),
    AnyOne,
    AnyRun,
    /// Any run of characters other than `:`: one field of an ARN.
    FieldRun,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone)]
pub(crate) struct Glob {
    items: Box<[Item]>,
    /// Whether the glob reads the folded input (`StringEqualsIgnoreCase` beside case-sensitive
    /// tests of the same key), each character folded as `fold_case` folds it.
    reads_folded: bool,
    /// The evaluator's own matcher for the same pattern, for testing whole strings fast.
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    Wildcards(Pattern),
    Exact(Box<str>),
    /// Run the automaton (ownership globs, which no policy pattern spells).
    Automaton,
}

impl Glob {
    /// Compiles a pattern as the evaluator reads it; for actions and `StringEqualsIgnoreCase`
    /// the caller passes the folded text. `exact` reads `*` and `?` as themselves
    /// (`StringEquals` values).
    pub(crate) fn new(pattern: &str, exact: bool) -> Glob {
        let mut items: Vec<Item> = Vec::with_capacity(pattern.len());
        for c in pattern.chars() {
            let item = match c {
                '*' if !exact => Item::AnyRun,
                '?' if !exact => Item::AnyOne,
                c => Item::Literal(c),
            };
            // `**` reads as `*`: collapsing keeps the position sets small.
            if !(item == Item::AnyRun && items.last() == Some(&Item::AnyRun)) {
                items.push(item);
            }
        }
        let matcher = if exact {
            Matcher::Exact(pattern.into())
        } else {
            Matcher::Wildcards(Pattern::new(pattern))
        };
        Glob {
            items: items.into(),
            reads_folded: false,
            matcher,
        }
    }

    /// The same glob reading folded input: it matches a text when it matches the text folded.
    /// Its pattern must be folded already.
    pub(crate) fn reading_folded(mut self) -> Glob {
        self.reads_folded = true;
        self
    }

    /// Whether the glob reads folded input.
    pub(crate) fn reads_folded(&self) -> bool {
        self.reads_folded
    }

    /// The positions reachable from `from` after reading the input character `c`: `c` itself,
    /// or each character `c` folds to for a glob reading folded input.
    pub(crate) fn step_input(&self, from: &[u32], c: char, out: &mut Vec<u32>) {
        if !self.reads_folded {
            return self.step(from, c, out);
        }
        let mut buffer = [0u8; 4];
        let folded = fold_case(c.encode_utf8(&mut buffer));
        let mut current: Vec<u32> = from.to_vec();
        for d in folded.chars() {
            self.step(&current, d, out);
            current.clone_from(out);
        }
        out.clone_from(&current);
    }

    /// Resources of account `account` (whose id holds no `:`): `acs:<service>:<region>:<account>:…`
    /// with the account as the whole fourth field, as the evaluator reads an ARN.
    pub(crate) fn owned_by(account: &str) -> Glob {
        let mut items: Vec<Item> = "acs:".chars().map(Item::Literal).collect();
        items.extend([
            Item::FieldRun,
            Item::Literal(':'),
            Item::FieldRun,
            Item::Literal(':'),
        ]);
        items.extend(account.chars().map(Item::Literal));
        items.extend([Item::Literal(':'), Item::AnyRun]);
        Glob {
            items: items.into(),
            reads_folded: false,
            matcher: Matcher::Automaton,
        }
    }

    /// A readable string the pattern matches, for witnesses: a `*` that is a whole ARN field
    /// becomes a typical value of the field (`kvstore`, `cn-hangzhou`, `account`), a final `*`
    /// after `/` the name `example`, any other `*` nothing, and `?` a `0`.
    pub(crate) fn example(&self, account: &str) -> String {
        let mut text = String::new();
        let mut field = 0;
        for (i, item) in self.items.iter().enumerate() {
            match item {
                Item::Literal(c) => {
                    if *c == ':' {
                        field += 1;
                    }
                    text.push(*c);
                }
                Item::AnyOne => text.push('0'),
                Item::AnyRun | Item::FieldRun => {
                    let whole_field = text.ends_with(':')
                        && matches!(self.items.get(i + 1), Some(Item::Literal(':')));
                    if whole_field {
                        text.push_str(match field {
                            1 => "kvstore",
                            2 => "cn-hangzhou",
                            3 => account,
                            _ => "",
                        });
                    } else if text.ends_with('/') && i + 1 == self.items.len() {
                        // `instance/*`: a name rather than nothing.
                        text.push_str("example");
                    }
                }
            }
        }
        text
    }

    /// The characters the pattern names; every other character behaves alike.
    pub(crate) fn literals(&self) -> impl Iterator<Item = char> + '_ {
        self.items.iter().filter_map(|item| match item {
            Item::Literal(c) => Some(*c),
            _ => None,
        })
    }

    /// The positions reachable before any character is read.
    pub(crate) fn start(&self, out: &mut Vec<u32>) {
        out.clear();
        out.push(0);
        self.close(out);
    }

    /// The positions reachable from `from` after reading `c`; empty when the pattern is dead.
    pub(crate) fn step(&self, from: &[u32], c: char, out: &mut Vec<u32>) {
        out.clear();
        for &position in from {
            match self.items.get(position as usize) {
                Some(Item::AnyRun) => out.push(position),
                Some(Item::FieldRun) if c != ':' => out.push(position),
                Some(Item::AnyOne) => out.push(position + 1),
                Some(Item::Literal(l)) if *l == c => out.push(position + 1),
                _ => {}
            }
        }
        self.close(out);
    }

    /// Adds the positions past every `*` in the set (a `*` may match nothing), then sorts.
    fn close(&self, set: &mut Vec<u32>) {
        let len = set.len();
        for i in 0..len {
            let position = set[i];
            if matches!(
                self.items.get(position as usize),
                Some(Item::AnyRun | Item::FieldRun)
            ) {
                set.push(position + 1);
            }
        }
        set.sort_unstable();
        set.dedup();
    }

    /// Whether `text` matches.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if self.reads_folded {
            return self.matches_text(&fold_case(text));
        }
        self.matches_text(text)
    }

    fn matches_text(&self, text: &str) -> bool {
        match &self.matcher {
            Matcher::Wildcards(pattern) => pattern.is_match(text),
            Matcher::Exact(exact) => **exact == *text,
            Matcher::Automaton => self.runs_to_match(text),
        }
    }

    /// Whether `text` matches, by running the automaton.
    fn runs_to_match(&self, text: &str) -> bool {
        let (mut set, mut next) = (Vec::new(), Vec::new());
        self.start(&mut set);
        for c in text.chars() {
            if set.is_empty() {
                return false;
            }
            self.step(&set, c, &mut next);
            std::mem::swap(&mut set, &mut next);
        }
        self.accepts(&set)
    }

    /// Whether the text read so far matches.
    pub(crate) fn accepts(&self, set: &[u32]) -> bool {
        set.last() == Some(&(self.items.len() as u32))
    }

    /// Whether every continuation of the text read so far matches: the set holds a final `*`.
    pub(crate) fn settled(&self, set: &[u32]) -> bool {
        self.items.last() == Some(&Item::AnyRun) && set.contains(&(self.items.len() as u32 - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_reads_the_fourth_field() {
        let owned = Glob::owned_by("123");
        assert!(owned.runs_to_match("acs:kvstore:cn:123:instance/r-1"));
        assert!(owned.runs_to_match("acs:kvstore::123:x:y"));
        assert!(!owned.runs_to_match("acs:kvstore:cn:9:123:x"));
        assert!(!owned.runs_to_match("acs:kvstore:cn:1234:x"));
    }

    #[test]
    fn reads_patterns_as_the_evaluator_does() {
        for (pattern, text, expected) in [
            (
                "acs:kvstore:*:*:instance/r-*prod*",
                "acs:kvstore:::instance/r-prod",
                true,
            ),
            (
                "acs:kvstore:*:*:instance/r-*prod*",
                "acs:kvstore:a:b:c:instance/r-xprod",
                true,
            ),
            ("r-?", "r-", false),
            ("r-?", "r-1", true),
            ("r-??", "r-1", false),
            ("*", "", true),
            ("", "", true),
            ("a**b", "ab", true),
            ("*a*", "bbb", false),
        ] {
            let glob = Glob::new(pattern, false);
            // The automaton, and the evaluator's matcher it keeps for whole strings.
            assert_eq!(glob.runs_to_match(text), expected, "{pattern} on {text}");
            assert_eq!(glob.is_match(text), expected, "{pattern} on {text}");
        }
    }

    #[test]
    fn exact_patterns_read_wildcards_as_characters() {
        let glob = Glob::new("a*", true);
        assert_eq!(glob.literals().collect::<String>(), "a*");
        assert!(glob.runs_to_match("a*") && glob.is_match("a*"));
        assert!(!glob.runs_to_match("ab") && !glob.is_match("ab"));
    }

    #[test]
    fn folded_input_is_read_folded() {
        let glob = Glob::new("k", true).reading_folded();
        assert!(glob.is_match("K") && glob.is_match("\u{212a}"));
        let (mut set, mut next) = (Vec::new(), Vec::new());
        glob.start(&mut set);
        glob.step_input(&set, '\u{212a}', &mut next);
        assert!(glob.accepts(&next));
    }

    #[test]
    fn a_final_star_settles_the_match() {
        let glob = Glob::new("ab*", false);
        let (mut set, mut next) = (Vec::new(), Vec::new());
        glob.start(&mut set);
        assert!(!glob.settled(&set));
        for c in "ab".chars() {
            glob.step(&set, c, &mut next);
            std::mem::swap(&mut set, &mut next);
        }
        assert!(glob.settled(&set));
    }
}
