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
//! service. What the resource cannot narrow (`*`, `NotResource`, patterns of another shape) is
//! filed by a condition when it has one that needs a request value with a literal prefix (a
//! positive `StringEquals` or `StringLike` such as `"acs:SourceVpc": "vpc-team42-*"`), in a trie
//! of that key's prefixes, and otherwise visited for every resource of the action. A request
//! resource of another shape (`*`, a relative part with colons) visits every statement of the
//! action. The index only narrows: each candidate is still matched in full.

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
    /// Statements the resource cannot narrow, by a condition key (folded), then by the
    /// literal prefixes one of its values must start with.
    by_condition: Vec<(Box<str>, Trie<Vec<u32>>)>,
    /// Every statement filed in `by_condition`, once: when the context is not consulted.
    by_condition_all: Vec<u32>,
    /// Everything else: visited for every resource.
    rest: Vec<u32>,
    /// Every statement of the bucket, once: for a request resource of another shape.
    all: Vec<u32>,
}

/// A byte trie of literal prefixes; each node holds what is filed under the prefix ending there.
/// [`Trie::compress`] folds chains of empty nodes into their child, so that a walk along a
/// 40-byte ARN visits the handful of nodes where something is filed or the paths branch.
#[derive(Debug, Clone)]
struct Trie<T> {
    nodes: Vec<TrieNode<T>>,
}

#[derive(Debug, Clone, Default)]
struct TrieNode<T> {
    /// The bytes that follow the edge byte into this node before its value applies: the
    /// empty nodes compressed away.
    skip: Box<[u8]>,
    /// Children by byte, sorted.
    edges: Vec<(u8, u32)>,
    /// What is filed under the prefix ending at this node.
    value: T,
}

/// What a trie node holds, and whether that is nothing.
trait Filed: Default {
    fn is_empty(&self) -> bool;
}

impl Filed for Vec<u32> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

impl Filed for ResourceIndex {
    fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
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

    /// Compresses the tries, once every statement is filed: the walks get shorter, the
    /// candidates stay the same.
    pub(crate) fn compress(&mut self) {
        for bucket in self.by_action.values_mut() {
            bucket.compress();
        }
        for trie in self.by_service.values_mut() {
            for node in &mut trie.nodes {
                node.value.compress();
            }
            trie.compress();
        }
        self.any_action.compress();
    }

    /// The statements whose action and resource could match `request`, each at least once,
    /// in no particular order, whatever its context: what reading a decision's dependence on
    /// missing keys needs. Allocates nothing.
    pub(crate) fn candidates<'a>(
        &'a self,
        request: &'a Request,
    ) -> impl Iterator<Item = usize> + 'a {
        self.walk(request, false).map(|(id, _)| id)
    }

    /// The statements `request` could match, its context included, each at least once and
    /// with whether its action is known to match (a statement filed under the request's
    /// exact action has a pattern equal to it): what a decision visits. Allocates nothing.
    pub(crate) fn candidates_to_decide<'a>(
        &'a self,
        request: &'a Request,
    ) -> impl Iterator<Item = (usize, bool)> + 'a {
        self.walk(request, true)
    }

    /// The candidates of `request`, narrowed by its context's values too when `by_context`.
    fn walk<'a>(
        &'a self,
        request: &'a Request,
        by_context: bool,
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
            .flat_map(move |bucket| {
                bucket
                    .candidates(request, fields, by_context)
                    .map(|id| (id as usize, true))
            });
        let by_prefix = self
            .by_service
            .get(request.service_folded())
            .into_iter()
            .flat_map(move |trie| trie.walk(name.as_bytes()));
        let others = by_prefix
            .chain(std::iter::once(&self.any_action))
            .flat_map(move |bucket| {
                bucket
                    .candidates(request, fields, by_context)
                    .map(|id| (id as usize, false))
            });
        exact.chain(others)
    }
}

impl ResourceIndex {
    fn insert(&mut self, id: u32, statement: &CompiledStatement) {
        push_once(&mut self.all, id);
        let (resources, negated) = statement.resources();
        if negated {
            self.insert_unnarrowed(id, statement);
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
                        self.insert_unnarrowed(id, statement);
                    }
                }
                None => self.insert_unnarrowed(id, statement),
            }
        }
    }

    fn compress(&mut self) {
        self.by_relative.compress();
        for (_, trie) in &mut self.by_condition {
            trie.compress();
        }
    }

    /// Files a statement its resources cannot narrow: by its first condition that needs a
    /// request value with a literal prefix, or in `rest`.
    fn insert_unnarrowed(&mut self, id: u32, statement: &CompiledStatement) {
        let narrowing = statement
            .conditions()
            .iter()
            .find_map(|c| Some((c.key(), c.required_prefixes()?)));
        let Some((key, prefixes)) = narrowing else {
            push_once(&mut self.rest, id);
            return;
        };
        push_once(&mut self.by_condition_all, id);
        let at = match self.by_condition.iter().position(|(k, _)| **k == *key) {
            Some(at) => at,
            None => {
                self.by_condition.push((key.into(), Trie::default()));
                self.by_condition.len() - 1
            }
        };
        let trie = &mut self.by_condition[at].1;
        for prefix in prefixes {
            push_once(trie.entry(prefix.as_bytes()), id);
        }
    }

    /// The statements whose resources (and, when `by_context`, narrowing conditions) could
    /// match a request whose resource has these fields (`None`: a resource of another shape,
    /// which any statement of the bucket could match).
    fn candidates<'a>(
        &'a self,
        request: &'a Request,
        fields: Option<(&'a str, &'a str)>,
        by_context: bool,
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
        let unnarrowed: &[u32] = match fields {
            Some(_) if !by_context => &self.by_condition_all,
            _ => &[],
        };
        // A statement filed by a condition is reached through the request's values of its key.
        let by_condition = fields
            .filter(|_| by_context)
            .map_or(&[][..], |_| &self.by_condition[..])
            .iter()
            .flat_map(move |(key, trie)| {
                request
                    .context()
                    .values(key)
                    .iter()
                    .flat_map(move |value| trie.walk(value.text().as_bytes()))
            });
        walk.chain(by_condition)
            .flat_map(|ids| ids.iter())
            .chain(by_service)
            .chain(rest)
            .chain(unnarrowed)
            .chain(all)
            .copied()
    }
}

impl<T: Filed> Trie<T> {
    /// What is filed under `key`, made empty if it was not there yet. Only for a trie not
    /// yet compressed.
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

    /// Folds each chain of empty nodes with a single child (below the root) into the node it
    /// leads to, which keeps the chain's bytes as its skip; the nodes folded away are dropped.
    fn compress(&mut self) {
        let mut nodes: Vec<TrieNode<T>> = self.nodes.drain(..).collect();
        let mut compressed = Vec::with_capacity(nodes.len());
        compressed.push(TrieNode::default());
        // (old node, new node): the root is never folded, its value is the empty prefix's.
        let mut stack = vec![(0usize, 0usize)];
        while let Some((old, new)) = stack.pop() {
            let mut skip = Vec::new();
            let mut at = old;
            while new != 0 && nodes[at].value.is_empty() && nodes[at].edges.len() == 1 {
                let (byte, child) = nodes[at].edges[0];
                skip.push(byte);
                at = child as usize;
            }
            let node = &mut nodes[at];
            let edges = std::mem::take(&mut node.edges);
            compressed[new].skip = skip.into();
            compressed[new].value = std::mem::take(&mut node.value);
            for (byte, child) in edges {
                let id = compressed.len();
                compressed.push(TrieNode::default());
                compressed[new]
                    .edges
                    .push((byte, u32::try_from(id).unwrap_or(u32::MAX)));
                stack.push((child as usize, id));
            }
        }
        self.nodes = compressed;
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
            let at = node.edges.binary_search_by_key(&byte, |(b, _)| *b).ok()?;
            let child = node.edges[at].1 as usize;
            let skip = &self.trie.nodes[child].skip;
            self.key = rest.strip_prefix(&**skip)?;
            Some(child)
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
        candidates_of(index, &request)
    }

    fn candidates_of(index: &StatementIndex, request: &Request) -> Vec<usize> {
        let mut ids: Vec<usize> = index.candidates(request).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn compressed(mut index: StatementIndex) -> StatementIndex {
        index.compress();
        index
    }

    #[test]
    fn statements_the_resource_cannot_narrow_are_filed_by_a_prefixed_condition_value() {
        let index = compressed(index(
            r#"
            {"Effect": "Deny", "Action": "kvstore:*", "NotResource": "acs:kvstore:*:*:instance/r-team42-*",
             "Condition": {"StringLike": {"acs:SourceVpc": "vpc-team42-*"}}},
            {"Effect": "Deny", "Action": "kvstore:*", "Resource": "*",
             "Condition": {"StringEquals": {"ACS:SourceVpc": ["vpc-ops", "vpc-audit"]}}},
            {"Effect": "Deny", "Action": "kvstore:*", "Resource": "*",
             "Condition": {"ForAllValues:StringLike": {"acs:SourceVpc": "vpc-team7-*"}}},
            {"Effect": "Deny", "Action": "kvstore:*", "Resource": "*",
             "Condition": {"StringNotLike": {"acs:SourceVpc": "vpc-team7-*"}}},
            {"Effect": "Deny", "Action": "kvstore:*", "Resource": "*",
             "Condition": {"StringLike": {"acs:SourceVpc": ["vpc-1*", "*-prod"]}}},
            {"Effect": "Deny", "Action": "kvstore:*", "Resource": "*",
             "Condition": {"StringEqualsIgnoreCase": {"acs:SourceVpc": "VPC-OPS"}}}
            "#,
        ));
        let from = |vpc: Option<&str>| {
            let request = Request::builder(
                "kvstore:RestoreInstance",
                "acs:kvstore:cn-hangzhou:1:instance/r-team9-prod-1",
            );
            let request = match vpc {
                Some(vpc) => request.context("acs:SourceVpc", vpc),
                None => request,
            };
            let request = request.build().expect("valid");
            let mut ids: Vec<usize> = index
                .candidates_to_decide(&request)
                .map(|(id, _)| id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            // Without the context, every statement of the action is offered.
            assert_eq!(candidates_of(&index, &request), [0, 1, 2, 3, 4, 5]);
            ids
        };
        // ForAllValues holds on a missing key, negated and case-insensitive operators and a
        // pattern without a literal prefix narrow nothing: statements 2 to 5 are always visited.
        assert_eq!(from(Some("vpc-team42-a")), [0, 2, 3, 4, 5]);
        assert_eq!(from(Some("vpc-ops")), [1, 2, 3, 4, 5]);
        assert_eq!(from(Some("vpc-opsx")), [1, 2, 3, 4, 5]);
        assert_eq!(from(Some("vpc-team4")), [2, 3, 4, 5]);
        assert_eq!(from(None), [2, 3, 4, 5]);
    }

    #[test]
    fn compressing_the_tries_keeps_every_candidate() {
        let statements = r#"
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-team4-*"},
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-team42-*"},
            {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-team42-prod-1"},
            {"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "acs:kvstore:*:*:instance/r-team42-prod-*"},
            {"Effect": "Allow", "Action": "kvstore:Re*", "Resource": "acs:kvstore:*:*:instance/r-*"},
            {"Effect": "Allow", "Action": "kvstore:R*", "Resource": "acs:kvstore:*:*:instance/r-team42-prod-12"}
        "#;
        let (plain, compressed) = (index(statements), compressed(index(statements)));
        for resource in [
            "acs:kvstore:cn-hangzhou:1:instance/r-team42-prod-1",
            "acs:kvstore:cn-hangzhou:1:instance/r-team42-prod-12",
            "acs:kvstore:cn-hangzhou:1:instance/r-team4-dev-1",
            "acs:kvstore:cn-hangzhou:1:instance/r-team4",
            "acs:kvstore:cn-hangzhou:1:instance/r-",
            "acs:kvstore:cn-hangzhou:1:instance/",
        ] {
            for action in ["kvstore:RestoreInstance", "kvstore:Reboot", "kvstore:Run"] {
                assert_eq!(
                    candidates(&compressed, action, resource),
                    candidates(&plain, action, resource),
                    "{action} on {resource}"
                );
            }
        }
        assert_eq!(
            candidates(
                &compressed,
                "kvstore:RestoreInstance",
                "acs:kvstore:cn-hangzhou:1:instance/r-team42-prod-1"
            ),
            [1, 2, 3, 4]
        );
        assert_eq!(
            candidates(
                &compressed,
                "kvstore:Run",
                "acs:kvstore:cn-hangzhou:1:instance/r-team42-prod-12"
            ),
            [5]
        );
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
