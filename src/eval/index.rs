//! The statement index of a layer: which statements a request could match, by its action and
//! its resource, so that a decision visits a handful of statements however many the layer has.
//!
//! Statements are first filed by action (the exact RAM action; for a wildcard action name, its
//! service and the literal prefix of the name, `kvstore:Describe*` under `kvstore` and
//! `describe`; or "any action" for `NotAction` and service wildcards), then, within each action
//! bucket, by resource. ARN patterns split on their colons: a pattern with exactly four literal
//! colons (`acs:service:region:account:relative`) can only match a resource with four colons
//! field by field, because each literal colon of the pattern must meet a distinct colon of the
//! resource, in order (`*` and `?` may cover colons, but then a colon would be missing for the
//! pattern's own). So such a pattern is filed under the literal prefix of its relative part
//! (`instance/r-team42-`) in a trie, or, when that starts with a wildcard, under its literal
//! service. Everything else (`*`, `NotResource`, patterns of another shape) is visited for every
//! resource of the action, and a request resource of another shape (`*`, a relative part with
//! colons) visits every statement of the action. The index only narrows: each candidate is
//! still matched in full.

use std::collections::HashMap;

use super::compile::CompiledStatement;
use crate::pattern::fields;
use crate::request::Request;

/// The statements of one effect in one layer, by action, then by resource.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatementIndex {
    /// By exact action, folded.
    by_action: HashMap<Box<str>, ResourceIndex>,
    /// Statements with a wildcard in the action name, by their service, then by the literal
    /// prefix of the name (folded).
    by_service: HashMap<Box<str>, Trie<ResourceIndex>>,
    /// `NotAction`, and actions whose service holds a wildcard.
    any_action: ResourceIndex,
}

/// The statements of one action bucket, by resource.
#[derive(Debug, Clone, Default)]
struct ResourceIndex {
    /// Four-colon patterns, by the literal prefix of their relative part.
    by_relative: Trie<Vec<u32>>,
    /// Four-colon patterns whose relative part starts with a wildcard, by literal service.
    by_service: HashMap<Box<str>, Vec<u32>>,
    /// Everything else: visited for every resource.
    rest: Vec<u32>,
    /// Every statement of the bucket, once: for a request resource of another shape.
    all: Vec<u32>,
}

/// A byte trie of literal prefixes; each node holds what is filed under the prefix ending there.
#[derive(Debug, Clone)]
struct Trie<T> {
    nodes: Vec<TrieNode<T>>,
}

#[derive(Debug, Clone, Default)]
struct TrieNode<T> {
    /// Children by byte, sorted.
    edges: Vec<(u8, u32)>,
    /// What is filed under the prefix ending at this node.
    value: T,
}

impl<T: Default> Default for Trie<T> {
    fn default() -> Self {
        Trie {
            nodes: vec![TrieNode::default()],
        }
    }
}

impl StatementIndex {
    /// Files statement `id`, from its compiled patterns.
    pub(crate) fn insert(&mut self, id: usize, statement: &CompiledStatement) {
        // A layer holds at most a few hundred thousand statements (documents are capped).
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        let (actions, negated) = statement.actions();
        let unindexable = negated
            || actions.iter().any(|p| match p.text().split_once(':') {
                Some((service, _)) => service.contains(['*', '?']),
                None => true,
            });
        if unindexable {
            self.any_action.insert(id, statement);
            return;
        }
        for pattern in actions {
            let folded = pattern.folded_text();
            let bucket = match folded.split_once(':') {
                Some((service, name)) if folded.contains(['*', '?']) => self
                    .by_service
                    .entry(service.into())
                    .or_default()
                    .entry(literal_prefix(name).as_bytes()),
                _ => self.by_action.entry(folded.into()).or_default(),
            };
            bucket.insert(id, statement);
        }
    }

    /// The statements `request` could match, each at least once, in no particular order.
    /// Allocates nothing.
    pub(crate) fn candidates<'a>(
        &'a self,
        request: &'a Request,
    ) -> impl Iterator<Item = usize> + 'a {
        self.candidates_by_action(request).map(|(id, _)| id)
    }

    /// As [`StatementIndex::candidates`], each with whether its action is known to match: a
    /// statement filed under the request's exact action has a pattern equal to it.
    pub(crate) fn candidates_by_action<'a>(
        &'a self,
        request: &'a Request,
    ) -> impl Iterator<Item = (usize, bool)> + 'a {
        let fields = request.resource_fields().map(|f| (f[1], f[4]));
        let action = request.action_folded();
        let name = action
            .get(request.service_folded().len() + 1..)
            .unwrap_or("");
        let exact = self
            .by_action
            .get(action)
            .into_iter()
            .flat_map(move |bucket| bucket.candidates(fields).map(|id| (id as usize, true)));
        let by_prefix = self
            .by_service
            .get(request.service_folded())
            .into_iter()
            .flat_map(move |trie| trie.walk(name.as_bytes()));
        let others = by_prefix
            .chain(std::iter::once(&self.any_action))
            .flat_map(move |bucket| bucket.candidates(fields).map(|id| (id as usize, false)));
        exact.chain(others)
    }
}

impl ResourceIndex {
    fn insert(&mut self, id: u32, statement: &CompiledStatement) {
        push_once(&mut self.all, id);
        let (resources, negated) = statement.resources();
        if negated {
            push_once(&mut self.rest, id);
            return;
        }
        for pattern in resources {
            match fields(pattern.text()) {
                Some([_, service, _, _, relative]) => {
                    let prefix = literal_prefix(relative);
                    if !prefix.is_empty() {
                        push_once(self.by_relative.entry(prefix.as_bytes()), id);
                    } else if !service.contains(['*', '?']) {
                        push_once(self.by_service.entry(service.into()).or_default(), id);
                    } else {
                        push_once(&mut self.rest, id);
                    }
                }
                None => push_once(&mut self.rest, id),
            }
        }
    }

    /// The statements whose resources could match a resource of these fields (`None`: a
    /// resource of another shape, which any statement could match).
    fn candidates<'a>(
        &'a self,
        fields: Option<(&'a str, &'a str)>,
    ) -> impl Iterator<Item = u32> + 'a {
        let (walk, by_service, rest, all): (_, &[u32], &[u32], &[u32]) = match fields {
            // The empty prefix holds nothing here: a pattern without one is filed elsewhere.
            Some((service, relative)) => (
                self.by_relative.walk(relative.as_bytes()),
                self.by_service.get(service).map_or(&[], Vec::as_slice),
                &self.rest,
                &[],
            ),
            None => (self.by_relative.walk(&[]), &[], &[], &self.all),
        };
        walk.flat_map(|ids| ids.iter())
            .chain(by_service)
            .chain(rest)
            .chain(all)
            .copied()
    }
}

impl<T: Default> Trie<T> {
    /// What is filed under `key`, made empty if it was not there yet.
    fn entry(&mut self, key: &[u8]) -> &mut T {
        let mut node = 0usize;
        for &byte in key {
            let edges = &self.nodes[node].edges;
            node = match edges.binary_search_by_key(&byte, |(b, _)| *b) {
                Ok(at) => edges[at].1 as usize,
                Err(at) => {
                    let child = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    let child_id = u32::try_from(child).unwrap_or(u32::MAX);
                    self.nodes[node].edges.insert(at, (byte, child_id));
                    child
                }
            };
        }
        &mut self.nodes[node].value
    }
}

impl<T> Trie<T> {
    /// What is filed under every prefix of `key`, the empty one first.
    fn walk<'a>(&'a self, key: &'a [u8]) -> TrieWalk<'a, T> {
        TrieWalk {
            trie: self,
            node: Some(0),
            key,
        }
    }
}

/// The walk down a trie along a key, yielding what each node reached holds.
struct TrieWalk<'a, T> {
    trie: &'a Trie<T>,
    /// The next node to yield.
    node: Option<usize>,
    key: &'a [u8],
}

impl<'a, T> Iterator for TrieWalk<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let node = &self.trie.nodes[self.node?];
        self.node = self.key.split_first().and_then(|(&byte, rest)| {
            self.key = rest;
            node.edges
                .binary_search_by_key(&byte, |(b, _)| *b)
                .ok()
                .map(|at| node.edges[at].1 as usize)
        });
        Some(&node.value)
    }
}

/// The characters before the first wildcard.
fn literal_prefix(text: &str) -> &str {
    text.find(['*', '?']).map_or(text, |at| &text[..at])
}

fn push_once(ids: &mut Vec<u32>, id: u32) {
    if ids.last() != Some(&id) {
        ids.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    fn index(statements: &str) -> StatementIndex {
        let policy = Policy::from_text(
            "p",
            &format!(r#"{{"Version": "1", "Statement": [{statements}]}}"#),
        )
        .expect("valid");
        let mut index = StatementIndex::default();
        for (id, statement) in policy.statements().iter().enumerate() {
            index.insert(id, &CompiledStatement::compile(statement, 0, id));
        }
        index
    }

    fn candidates(index: &StatementIndex, action: &str, resource: &str) -> Vec<usize> {
        let request = Request::builder(action, resource).build().expect("valid");
        let mut ids: Vec<usize> = index.candidates(&request).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    #[test]
    fn a_request_visits_only_statements_its_action_and_resource_could_match() {
        let index = index(
            r#"
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-team42-*"},
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-team7-*"},
            {"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "acs:kvstore:cn-hangzhou:1:instance/r-team42-prod-1"},
            {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "ecs:*", "Resource": "acs:kvstore:*:*:instance/r-team42-*"},
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "NotResource": "acs:kvstore:*:*:instance/r-team9-*"},
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:*"},
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:*:*:*:*"}
            "#,
        );
        let restore = "kvstore:RestoreInstance";
        assert_eq!(
            candidates(
                &index,
                restore,
                "acs:kvstore:cn-hangzhou:1:instance/r-team42-prod-1"
            ),
            [0, 2, 4, 5, 6, 7]
        );
        assert_eq!(
            candidates(
                &index,
                restore,
                "acs:kvstore:cn-hangzhou:1:instance/r-team8-dev-1"
            ),
            [5, 6, 7]
        );
        assert_eq!(
            candidates(
                &index,
                "ecs:StartInstance",
                "acs:ecs:cn-hangzhou:1:instance/i-1"
            ),
            [3]
        );
        // A resource of another shape: every statement of the action.
        assert_eq!(candidates(&index, restore, "*"), [0, 1, 2, 4, 5, 6, 7]);
        assert_eq!(
            candidates(
                &index,
                restore,
                "acs:kvstore:cn-hangzhou:1:instance/r-team8:x"
            ),
            [0, 1, 2, 4, 5, 6, 7]
        );
    }

    #[test]
    fn patterns_whose_wildcards_cover_colons_are_not_narrowed_away() {
        // Three colons: `*` may stand for `cn-hangzhou:1`; the pattern is visited for every
        // resource of the action and matched in full.
        let index = index(
            r#"{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:instance/r-1"}"#,
        );
        assert_eq!(
            candidates(
                &index,
                "kvstore:RestoreInstance",
                "acs:kvstore:cn-hangzhou:1:instance/r-1"
            ),
            [0]
        );
    }
}
