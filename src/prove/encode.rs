//! A policy set's decision as a formula over theory atoms (docs/semantics.md §4, §8).
//!
//! A statement matches when its action part, its resource part and every condition hold; a
//! layer allows when some Allow matches and no Deny does; a request is allowed when every
//! control and session layer allows it, no account-level Deny matches, and an account-level
//! Allow does.

use std::collections::HashMap;

use super::formula::{Formula, NodeId};
use super::glob::Glob;
use super::keys::Key;
use crate::PolicySet;
use crate::condition::{CompiledCondition, SetQualifier};
use crate::eval::CompiledStatement;
use crate::pattern::fold_case;
use crate::policy::Effect;

/// A fact about the request that the theories decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Atom {
    /// The folded action matches an action glob.
    Action(usize),
    /// The resource matches a resource glob.
    Resource(usize),
    /// The request holds the key.
    Present(usize),
    /// Some value of the test's key passes the test.
    Some(usize),
    /// Every value of the test's key passes the test.
    Every(usize),
}

/// The formula of a query and the atoms, globs, keys and tests it reads.
pub(crate) struct Encoder<'a> {
    pub(crate) formula: Formula,
    pub(crate) atoms: Vec<Atom>,
    atom_ids: HashMap<Atom, u32>,
    pub(crate) action_globs: Vec<Glob>,
    action_ids: HashMap<String, usize>,
    pub(crate) resource_globs: Vec<Glob>,
    resource_ids: HashMap<String, usize>,
    pub(crate) keys: Vec<Key>,
    key_ids: HashMap<String, usize>,
    /// Per-value tests: the key they read and the condition.
    pub(crate) tests: Vec<(usize, &'a CompiledCondition)>,
    test_ids: HashMap<String, usize>,
    /// The folded action every request of the query names, when the query fixes it.
    fixed_action: Option<String>,
    /// That action as the query wrote it, for the witness.
    fixed_action_written: Option<String>,
}

impl<'a> Encoder<'a> {
    /// An encoder for requests naming `action` (folded here), or any action.
    pub(crate) fn new(action: Option<&str>) -> Encoder<'a> {
        Encoder {
            formula: Formula::default(),
            atoms: Vec::new(),
            atom_ids: HashMap::new(),
            action_globs: Vec::new(),
            action_ids: HashMap::new(),
            resource_globs: Vec::new(),
            resource_ids: HashMap::new(),
            keys: Vec::new(),
            key_ids: HashMap::new(),
            tests: Vec::new(),
            test_ids: HashMap::new(),
            fixed_action: action.map(|a| fold_case(a).into_owned()),
            fixed_action_written: action.map(str::to_owned),
        }
    }

    fn atom(&mut self, atom: Atom) -> NodeId {
        let next = self.atoms.len() as u32;
        let id = *self.atom_ids.entry(atom).or_insert(next);
        if id == next {
            self.atoms.push(atom);
        }
        self.formula.atom(id)
    }

    /// "The request is allowed by `set`" (docs/semantics.md §4).
    pub(crate) fn allowed(&mut self, set: &'a PolicySet) -> NodeId {
        let layers = set.proof_layers();
        let mut parts = Vec::new();
        if let Some(principal) = layers.principal {
            // Identity policies reach only the principal's own account, and `*`.
            let owned = self.resource_owned_by(&principal.owner_id);
            let any = self.resource_matches_exactly("*");
            parts.push(self.formula.or([owned, any]));
        }
        for guard in [layers.control, layers.session].into_iter().flatten() {
            let (deny, allow) = self.layer(set, guard);
            let no_deny = self.formula.not(deny);
            parts.push(no_deny);
            parts.push(allow);
        }
        let (deny, allow) = self.layer(set, layers.identity);
        let no_deny = self.formula.not(deny);
        parts.push(no_deny);
        // Resource-group scoped policies count only where the account scope allows nothing:
        // among the groups holding the resource, a Deny wins, then an Allow.
        let mut group_denies = Vec::new();
        let mut group_allows = Vec::new();
        for (group, statements) in layers.resource_groups.iter().enumerate() {
            let mut members: Vec<&String> = layers
                .membership
                .iter()
                .filter(|(_, groups)| groups.contains(&group))
                .map(|(resource, _)| resource)
                .collect();
            members.sort();
            let held: Vec<NodeId> = members
                .into_iter()
                .map(|r| self.resource_matches_exactly(r))
                .collect();
            let in_group = self.formula.or(held);
            let (deny, allow) = self.layer(set, statements);
            group_denies.push(self.formula.and([in_group, deny]));
            group_allows.push(self.formula.and([in_group, allow]));
        }
        let group_deny = self.formula.or(group_denies);
        let group_allow = self.formula.or(group_allows);
        let no_group_deny = self.formula.not(group_deny);
        let by_group = self.formula.and([group_allow, no_group_deny]);
        parts.push(self.formula.or([allow, by_group]));
        self.formula.and(parts)
    }

    /// (some Deny matches, some Allow matches) for one layer.
    fn layer(
        &mut self,
        set: &'a PolicySet,
        statements: &'a [CompiledStatement],
    ) -> (NodeId, NodeId) {
        let mut denies = Vec::new();
        let mut allows = Vec::new();
        for statement in statements {
            let matches = self.statement(set, statement);
            match statement.effect {
                Effect::Deny => denies.push(matches),
                Effect::Allow => allows.push(matches),
            }
        }
        (self.formula.or(denies), self.formula.or(allows))
    }

    /// "The statement matches": the action part, then conditions, then the resource part. The
    /// order is the order in which the model's reasons are read, cheapest first.
    pub(crate) fn statement(
        &mut self,
        set: &'a PolicySet,
        statement: &'a CompiledStatement,
    ) -> NodeId {
        let (actions, actions_negated) = statement.actions();
        let action = match &self.fixed_action {
            Some(folded) => {
                let matched = actions.iter().any(|p| p.is_match(folded));
                self.formula.constant(matched != actions_negated)
            }
            None => {
                let atoms: Vec<NodeId> = actions
                    .iter()
                    .map(|p| {
                        let folded = fold_case(p.text());
                        let glob = intern_glob(
                            &mut self.action_globs,
                            &mut self.action_ids,
                            &folded,
                            || Glob::new(&folded, false),
                        );
                        self.atom(Atom::Action(glob))
                    })
                    .collect();
                let any = self.formula.or(atoms);
                if actions_negated {
                    self.formula.not(any)
                } else {
                    any
                }
            }
        };
        if self.formula.is_const(action, false) {
            return action;
        }
        let mut parts = vec![action];
        // The policy's own conditions give each key's spelling, for witnesses.
        let written = &set.policy(statement.policy).statements()[statement.statement].conditions;
        for (condition, as_written) in statement.conditions().iter().zip(written) {
            let holds = self.condition(condition, &as_written.key.value);
            parts.push(holds);
        }
        let (resources, resources_negated) = statement.resources();
        let atoms: Vec<NodeId> = resources
            .iter()
            .map(|p| self.resource_matches(p.text()))
            .collect();
        let any = self.formula.or(atoms);
        parts.push(if resources_negated {
            self.formula.not(any)
        } else {
            any
        });
        self.formula.and(parts)
    }

    /// "The resource matches `pattern`".
    pub(crate) fn resource_matches(&mut self, pattern: &str) -> NodeId {
        let glob = intern_glob(
            &mut self.resource_globs,
            &mut self.resource_ids,
            pattern,
            || Glob::new(pattern, false),
        );
        self.atom(Atom::Resource(glob))
    }

    /// "The resource is `text`", character for character.
    fn resource_matches_exactly(&mut self, text: &str) -> NodeId {
        let glob = intern_glob(
            &mut self.resource_globs,
            &mut self.resource_ids,
            &format!("\u{0}exact\u{0}{text}"),
            || Glob::new(text, true),
        );
        self.atom(Atom::Resource(glob))
    }

    /// "The resource is in account `account`" (its fourth field).
    fn resource_owned_by(&mut self, account: &str) -> NodeId {
        let glob = intern_glob(
            &mut self.resource_globs,
            &mut self.resource_ids,
            &format!("\u{0}owner\u{0}{account}"),
            || Glob::owned_by(account),
        );
        self.atom(Atom::Resource(glob))
    }

    /// "The condition holds", by its qualifier (docs/semantics.md §3): `ForAllValues` holds on a
    /// missing key, `ForAnyValue` and plain positive operators need a passing value, and plain
    /// negated operators hold on a missing key or a passing value.
    fn condition(&mut self, condition: &'a CompiledCondition, written_key: &str) -> NodeId {
        let (key, test) = self.test(condition, written_key);
        match condition.operator().qualifier {
            Some(SetQualifier::ForAllValues) => self.atom(Atom::Every(test)),
            Some(SetQualifier::ForAnyValue) => self.atom(Atom::Some(test)),
            None if condition.operator().base.is_negated() => {
                let present = self.atom(Atom::Present(key));
                let absent = self.formula.not(present);
                let some = self.atom(Atom::Some(test));
                self.formula.or([absent, some])
            }
            None => self.atom(Atom::Some(test)),
        }
    }

    /// "Some value of the condition's key (spelt `written_key`) passes its test": a request
    /// carries `KEY=VALUE`.
    pub(crate) fn some_value_passes(
        &mut self,
        condition: &'a CompiledCondition,
        written_key: &str,
    ) -> NodeId {
        let (_, test) = self.test(condition, written_key);
        self.atom(Atom::Some(test))
    }

    /// The key and the test of a condition, numbered once; a key keeps its first spelling.
    fn test(&mut self, condition: &'a CompiledCondition, written_key: &str) -> (usize, usize) {
        let folded = condition.key();
        let next_key = self.keys.len();
        let key = *self.key_ids.entry(folded.to_owned()).or_insert(next_key);
        if key == next_key {
            self.keys.push(Key {
                folded: folded.to_owned(),
                written: written_key.to_owned(),
            });
            // Every key has its presence atom, so the loop can tie tests to it.
            self.atom(Atom::Present(key));
        }
        let next_test = self.tests.len();
        let test = *self
            .test_ids
            .entry(condition.test_signature())
            .or_insert(next_test);
        if test == next_test {
            self.tests.push((key, condition));
        }
        (key, test)
    }

    /// The key of `Present`, `Some` and `Every` atoms.
    pub(crate) fn key_of(&self, atom: Atom) -> Option<usize> {
        match atom {
            Atom::Present(key) => Some(key),
            Atom::Some(test) | Atom::Every(test) => Some(self.tests[test].0),
            Atom::Action(_) | Atom::Resource(_) => None,
        }
    }

    /// The number of an atom, if the formula reads it.
    pub(crate) fn atom_id(&self, atom: Atom) -> Option<u32> {
        self.atom_ids.get(&atom).copied()
    }

    /// The number of the presence atom of `key`.
    pub(crate) fn present_atom(&self, key: usize) -> u32 {
        self.atom_ids[&Atom::Present(key)]
    }

    /// The action the query fixes, as it wrote it, if it does.
    pub(crate) fn fixed_action_as_written(&self) -> Option<&str> {
        self.fixed_action_written.as_deref()
    }
}

/// The number of the glob named `name` (a pattern, or a name no pattern can have for globs
/// of another kind), made by `make` on first use.
fn intern_glob(
    globs: &mut Vec<Glob>,
    ids: &mut HashMap<String, usize>,
    name: &str,
    make: impl FnOnce() -> Glob,
) -> usize {
    if let Some(&id) = ids.get(name) {
        return id;
    }
    globs.push(make());
    ids.insert(name.to_owned(), globs.len() - 1);
    globs.len() - 1
}
