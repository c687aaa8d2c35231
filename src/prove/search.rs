//! Is there a string that matches these patterns and not those? A breadth-first search of the
//! lazy product of the patterns' automata and the shape every such string must have.
//!
//! The alphabet is finite: the characters the patterns name, the characters the shape names,
//! and one character none of them names, which stands for every other (a wildcard cannot tell
//! two unnamed characters apart). So an empty search proves that no string exists at all.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Meter;
use super::glob::Glob;
use crate::pattern::fold_case;
use crate::span::is_hidden;

/// "At least one of `globs` matches" when `want`, else "none of them does".
#[derive(Debug, Clone)]
pub(crate) struct Constraint {
    pub(crate) globs: Vec<usize>,
    pub(crate) want: bool,
}

/// What the strings searched must look like, besides the constraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A folded request action, `<code>:<name>` (`Request` refuses anything else).
    Action,
    /// A request resource: `*`, or `acs:<service>:<region>:<account>:<relative>` with a service
    /// and a relative id, without hidden characters (`Request` refuses anything else).
    Resource,
    /// A context value: any text.
    Value,
    /// A folded context value, for keys read only by `…IgnoreCase` operators.
    FoldedValue,
}

/// The answer of one search.
#[derive(Debug)]
pub(crate) enum Found {
    /// A string of the shape that satisfies every constraint.
    Witness(String),
    /// No such string. `core` lists constraints (indexes) that alone already admit none.
    Empty { core: Vec<usize> },
    /// The meter ran out first.
    OutOfBudget,
}

const DEAD: u32 = u32::MAX;
const SETTLED: u32 = u32::MAX - 1;
const SHAPE_DEAD: u32 = u32::MAX;

/// The position sets of one glob met so far, numbered, and their transitions.
#[derive(Default)]
struct Interned {
    sets: Vec<Vec<u32>>,
    ids: HashMap<Vec<u32>, u32>,
    next: HashMap<(u32, u32), u32>,
}

impl Interned {
    fn id(&mut self, glob: &Glob, set: &[u32]) -> u32 {
        if set.is_empty() {
            return DEAD;
        }
        if glob.settled(set) {
            return SETTLED;
        }
        if let Some(&id) = self.ids.get(set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set.to_vec());
        self.ids.insert(set.to_vec(), id);
        id
    }
}

/// Searches for a string of `shape` meeting every constraint over `globs`.
pub(crate) fn search(
    globs: &[&Glob],
    constraints: &[Constraint],
    shape: Shape,
    meter: &Meter,
) -> Found {
    // Only the globs some constraint reads take part.
    let mut used: Vec<usize> = constraints
        .iter()
        .flat_map(|c| c.globs.iter().copied())
        .collect();
    used.sort_unstable();
    used.dedup();
    let slot_of: HashMap<usize, usize> = used.iter().enumerate().map(|(s, &g)| (g, s)).collect();
    let constraint_slots: Vec<(Vec<usize>, bool)> = constraints
        .iter()
        .map(|c| (c.globs.iter().map(|g| slot_of[g]).collect(), c.want))
        .collect();
    let slot_globs: Vec<&Glob> = used.iter().map(|&g| globs[g]).collect();
    let alphabet = alphabet(&slot_globs, shape);

    let width = slot_globs.len() + 1;
    let mut interned: Vec<Interned> = (0..slot_globs.len()).map(|_| Interned::default()).collect();
    let mut scratch = Vec::new();
    let mut start: Vec<u32> = Vec::with_capacity(width);
    for (slot, glob) in slot_globs.iter().enumerate() {
        glob.start(&mut scratch);
        start.push(interned[slot].id(glob, &scratch));
    }
    start.push(0);

    let mut core = vec![false; constraints.len()];
    let assess = |state: &[u32], core: &mut [bool], interned: &[Interned]| -> Judgement {
        judge(state, &constraint_slots, &slot_globs, interned, shape, core)
    };
    match assess(&start, &mut core, &interned) {
        Judgement::Accept => return Found::Witness(String::new()),
        Judgement::Prune => {
            return Found::Empty {
                core: indexes(&core),
            };
        }
        Judgement::Continue => {}
    }
    // Each state reached once; a queued state travels with its node (its parent and the
    // letter that led to it), so only `visited` keeps states after they are expanded.
    let mut visited: HashSet<Box<[u32]>> = HashSet::new();
    let mut nodes: Vec<(u32, char)> = vec![(u32::MAX, '\0')];
    let mut queue: VecDeque<(usize, Box<[u32]>)> = VecDeque::new();
    let start: Box<[u32]> = start.into();
    visited.insert(start.clone());
    queue.push_back((0, start));

    let mut next_state: Vec<u32> = Vec::with_capacity(width);
    while let Some((node, state)) = queue.pop_front() {
        if node % 64 == 0 && meter.exhausted(visited.len() * (width * 4 + 48)) {
            return Found::OutOfBudget;
        }
        for (letter, &c) in alphabet.iter().enumerate() {
            let shape_state = step_shape(shape, state[width - 1], c);
            if shape_state == SHAPE_DEAD {
                continue;
            }
            next_state.clear();
            for slot in 0..slot_globs.len() {
                let from = state[slot];
                let to = if from == DEAD || from == SETTLED {
                    from
                } else if let Some(&to) = interned[slot].next.get(&(from, letter as u32)) {
                    to
                } else {
                    let glob = slot_globs[slot];
                    glob.step_input(&interned[slot].sets[from as usize], c, &mut scratch);
                    let to = interned[slot].id(glob, &scratch);
                    interned[slot].next.insert((from, letter as u32), to);
                    to
                };
                next_state.push(to);
            }
            next_state.push(shape_state);
            if visited.contains(next_state.as_slice()) {
                continue;
            }
            let judgement = assess(&next_state, &mut core, &interned);
            visited.insert(next_state.as_slice().into());
            match judgement {
                Judgement::Prune => continue,
                Judgement::Accept => {
                    let mut text = vec![c];
                    let mut at = node;
                    while nodes[at].0 != u32::MAX {
                        text.push(nodes[at].1);
                        at = nodes[at].0 as usize;
                    }
                    return Found::Witness(text.into_iter().rev().collect());
                }
                Judgement::Continue => {
                    nodes.push((node as u32, c));
                    queue.push_back((nodes.len() - 1, next_state.as_slice().into()));
                }
            }
        }
    }
    Found::Empty {
        core: indexes(&core),
    }
}

fn indexes(flags: &[bool]) -> Vec<usize> {
    flags
        .iter()
        .enumerate()
        .filter_map(|(i, &f)| f.then_some(i))
        .collect()
}

enum Judgement {
    /// Every constraint holds and the shape is complete: a witness.
    Accept,
    /// No continuation can become a witness.
    Prune,
    /// Not a witness yet; a continuation may be.
    Continue,
}

/// Judges a product state, marking in `core` one constraint that explains a prune or a
/// rejection (preferring one already marked), so that the marked constraints alone reject
/// every state the search rejected.
fn judge(
    state: &[u32],
    constraints: &[(Vec<usize>, bool)],
    globs: &[&Glob],
    interned: &[Interned],
    shape: Shape,
    core: &mut [bool],
) -> Judgement {
    let accepts = |slot: usize| {
        let id = state[slot];
        id == SETTLED || (id != DEAD && globs[slot].accepts(&interned[slot].sets[id as usize]))
    };
    let mut failing: Option<usize> = None;
    let mut note_failing = |i: usize, core: &[bool]| {
        if failing.is_none_or(|f| !core[f] && core[i]) {
            failing = Some(i);
        }
    };
    let mut prune: Option<usize> = None;
    for (i, (slots, want)) in constraints.iter().enumerate() {
        let any_settled = slots.iter().any(|&s| state[s] == SETTLED);
        let all_dead = slots.iter().all(|&s| state[s] == DEAD);
        let doomed = if *want { all_dead } else { any_settled };
        if doomed {
            if core[i] {
                return Judgement::Prune;
            }
            prune.get_or_insert(i);
            continue;
        }
        let now = slots.iter().any(|&s| accepts(s)) == *want;
        if !now {
            note_failing(i, core);
        }
    }
    if let Some(i) = prune {
        core[i] = true;
        return Judgement::Prune;
    }
    if !shape_accepts(shape, state[state.len() - 1]) {
        // The shape alone rejects it: no constraint needs to join the core.
        return Judgement::Continue;
    }
    match failing {
        Some(i) => {
            core[i] = true;
            Judgement::Continue
        }
        None => Judgement::Accept,
    }
}

/// The letters to try: every character a glob or the shape names, then one that none names.
/// When some glob reads folded input, also one character of every kind folding tells apart:
/// characters whose folded form holds a named character, or is longer than one character.
fn alphabet(globs: &[&Glob], shape: Shape) -> Vec<char> {
    let named: &[char] = match shape {
        Shape::Action => &[':'],
        Shape::Resource => &['a', 'c', 's', ':', '*'],
        Shape::Value | Shape::FoldedValue => &[],
    };
    let mut letters: Vec<char> = globs
        .iter()
        .flat_map(|g| g.literals())
        .chain(named.iter().copied())
        .filter(|&c| allowed(shape, c))
        .collect();
    letters.sort_unstable();
    letters.dedup();
    let fresh = ('a'..='z')
        .chain('0'..='9')
        .chain(['-', '_', '.', '/'])
        .chain((0x100..0x2000).filter_map(char::from_u32))
        .find(|c| allowed(shape, *c) && letters.binary_search(c).is_err());
    if globs.iter().any(|g| g.reads_folded()) {
        // Two characters no case-sensitive glob names behave alike exactly when their folded
        // forms read alike: the same length, the same named characters at the same places.
        let folded_named: Vec<char> = globs
            .iter()
            .filter(|g| g.reads_folded())
            .flat_map(|g| g.literals())
            .collect();
        let named = letters.clone();
        let mut kinds: Vec<Vec<Option<char>>> = Vec::new();
        for &(c, ref folded) in changed_by_folding() {
            if named.binary_search(&c).is_ok() || !allowed(shape, c) {
                continue;
            }
            let kind: Vec<Option<char>> = folded
                .chars()
                .map(|d| folded_named.contains(&d).then_some(d))
                .collect();
            // A character folding to one unnamed character is like the fresh one.
            if kind.len() == 1 && kind[0].is_none() || kinds.contains(&kind) {
                continue;
            }
            kinds.push(kind);
            letters.push(c);
        }
    }
    letters.extend(fresh);
    letters
}

/// Every character `fold_case` changes, with what it folds to (about 1,400 of them).
fn changed_by_folding() -> &'static [(char, String)] {
    static CHANGED: std::sync::LazyLock<Vec<(char, String)>> = std::sync::LazyLock::new(|| {
        (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                let text = c.to_string();
                let folded = fold_case(&text);
                (folded != text.as_str()).then(|| (c, folded.into_owned()))
            })
            .collect()
    });
    &CHANGED
}

/// Whether `text` has the shape.
pub(crate) fn fits(shape: Shape, text: &str) -> bool {
    let mut state = 0;
    for c in text.chars() {
        if !allowed(shape, c) {
            return false;
        }
        state = step_shape(shape, state, c);
        if state == SHAPE_DEAD {
            return false;
        }
    }
    shape_accepts(shape, state)
}

/// Whether a character can occur in a string of the shape at all.
fn allowed(shape: Shape, c: char) -> bool {
    match shape {
        Shape::Resource => !is_hidden(c),
        // Folded text holds only characters that fold to themselves.
        Shape::Action | Shape::FoldedValue => {
            let text = c.to_string();
            fold_case(&text) == text.as_str()
        }
        Shape::Value => true,
    }
}

/// The shape's own small automaton (see [`Shape`]).
fn step_shape(shape: Shape, state: u32, c: char) -> u32 {
    match shape {
        Shape::Value | Shape::FoldedValue => 0,
        Shape::Action => match (state, c) {
            (0, ':') | (2 | 3, ':') => SHAPE_DEAD,
            (0 | 1, _) if c != ':' => 1,
            (1, ':') => 2,
            (2 | 3, _) => 3,
            _ => SHAPE_DEAD,
        },
        Shape::Resource => match (state, c) {
            (0, '*') => 1,
            (0, 'a') => 2,
            (2, 'c') => 3,
            (3, 's') => 4,
            (4, ':') => 5,
            (5, ':') => SHAPE_DEAD,
            (6, ':') => 7,
            (5 | 6, _) => 6,
            (7, ':') => 8,
            (7, _) => 7,
            (8, ':') => 9,
            (8, _) => 8,
            (9 | 10, _) => 10,
            _ => SHAPE_DEAD,
        },
    }
}

fn shape_accepts(shape: Shape, state: u32) -> bool {
    match shape {
        Shape::Value | Shape::FoldedValue => true,
        Shape::Action => state == 3,
        Shape::Resource => state == 1 || state == 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    fn run(patterns: &[(&str, bool)], shape: Shape) -> Found {
        let globs: Vec<Glob> = patterns.iter().map(|(p, _)| Glob::new(p, false)).collect();
        let refs: Vec<&Glob> = globs.iter().collect();
        let constraints: Vec<Constraint> = patterns
            .iter()
            .enumerate()
            .map(|(i, (_, want))| Constraint {
                globs: vec![i],
                want: *want,
            })
            .collect();
        search(&refs, &constraints, shape, &Meter::unlimited())
    }

    #[test]
    fn finds_the_shortest_resource_the_patterns_allow() {
        let found = run(
            &[
                ("acs:kvstore:*:*:instance/r-*prod*", true),
                ("acs:kvstore:*:1234:*", false),
            ],
            Shape::Resource,
        );
        let Found::Witness(text) = found else {
            panic!("{found:?}")
        };
        assert!(Pattern::new("acs:kvstore:*:*:instance/r-*prod*").is_match(&text));
        assert!(!Pattern::new("acs:kvstore:*:1234:*").is_match(&text));
        assert_eq!(text, "acs:kvstore:::instance/r-prod");
    }

    #[test]
    fn proves_a_cover_and_names_the_patterns_that_make_it() {
        let found = run(
            &[
                ("acs:kvstore:*:*:instance/r-*prod*", true),
                ("acs:ecs:*", false),
                ("acs:kvstore:*", false),
            ],
            Shape::Resource,
        );
        let Found::Empty { core } = found else {
            panic!("{found:?}")
        };
        assert_eq!(core, [0, 2]);
    }

    #[test]
    fn resources_keep_their_shape() {
        // `*` alone is a resource; `acs:x:::` lacks a relative id, so it is not.
        let Found::Witness(text) = run(&[("*", true)], Shape::Resource) else {
            panic!()
        };
        assert_eq!(text, "*");
        assert!(matches!(
            run(&[("acs:x:::", true)], Shape::Resource),
            Found::Empty { .. }
        ));
        let Found::Witness(action) = run(&[("kvstore:*", true)], Shape::Action) else {
            panic!()
        };
        assert_eq!(action, "kvstore:e");
    }

    #[test]
    fn the_fresh_letter_stands_for_every_unnamed_character() {
        // Three `?` and no named letter: only unnamed characters can fill them.
        let Found::Witness(text) = run(&[("???", true), ("*a*", false)], Shape::Value) else {
            panic!()
        };
        assert_eq!(text.chars().count(), 3);
        assert!(!text.contains('a'));
    }
}
