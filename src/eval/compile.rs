//! Statements compiled for matching, and the per-layer index that finds the statements an
//! action could match without visiting the others.

use std::collections::HashMap;

use crate::condition::{CompiledCondition, ConditionMiss};
use crate::pattern::{Pattern, fold_case};
use crate::policy::{Effect, Statement};
use crate::request::Request;

/// A statement ready to be matched: action patterns folded, everything compiled once.
#[derive(Debug, Clone)]
pub(crate) struct CompiledStatement {
    pub(crate) effect: Effect,
    actions_negated: bool,
    actions: Box<[Pattern]>,
    resources_negated: bool,
    resources: Box<[Pattern]>,
    conditions: Box<[CompiledCondition]>,
    /// Which policy of the set, and which statement of that policy.
    pub(crate) policy: usize,
    pub(crate) statement: usize,
}

/// The first reason a statement does not match a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatementMiss {
    Action,
    Resource,
    Condition { index: usize, miss: ConditionMiss },
}

impl CompiledStatement {
    pub(crate) fn compile(statement: &Statement, policy: usize, index: usize) -> CompiledStatement {
        CompiledStatement {
            effect: statement.effect.value,
            actions_negated: statement.action.negated,
            actions: statement
                .action
                .patterns
                .iter()
                .map(|p| Pattern::new_folded(&p.value))
                .collect(),
            resources_negated: statement.resource.negated,
            resources: statement
                .resource
                .patterns
                .iter()
                .map(|p| Pattern::new(&p.value))
                .collect(),
            conditions: statement
                .conditions
                .iter()
                .map(CompiledCondition::compile)
                .collect(),
            policy,
            statement: index,
        }
    }

    /// Matches the statement against a request: action part, resource part, then every
    /// condition. The one matching routine both `evaluate` and `explain` use.
    pub(crate) fn matches(&self, request: &Request) -> Result<(), StatementMiss> {
        self.match_action_and_resource(request)?;
        for (index, condition) in self.conditions.iter().enumerate() {
            condition
                .evaluate(request.context())
                .map_err(|miss| StatementMiss::Condition { index, miss })?;
        }
        Ok(())
    }

    /// Matches the action part and the resource part, not the conditions.
    pub(crate) fn match_action_and_resource(&self, request: &Request) -> Result<(), StatementMiss> {
        let action = request.action_folded();
        if self.actions.iter().any(|p| p.is_match(action)) == self.actions_negated {
            return Err(StatementMiss::Action);
        }
        let resource = request.resource();
        if self.resources.iter().any(|p| p.is_match(resource)) == self.resources_negated {
            return Err(StatementMiss::Resource);
        }
        Ok(())
    }

    pub(crate) fn conditions(&self) -> &[CompiledCondition] {
        &self.conditions
    }
}

/// Statements of one effect in one layer, indexed by what their `Action` can match: an exact
/// action, a RAM code (`kvstore:Describe*`), or anything (wildcard codes and `NotAction`).
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionIndex {
    by_action: HashMap<Box<str>, Vec<usize>>,
    by_service: HashMap<Box<str>, Vec<usize>>,
    any: Vec<usize>,
}

impl ActionIndex {
    pub(crate) fn insert(&mut self, id: usize, statement: &Statement) {
        let patterns = &statement.action.patterns;
        let unindexable = statement.action.negated
            || patterns.iter().any(|p| {
                let service = p.value.split(':').next().unwrap_or("");
                service.contains(['*', '?']) || !p.value.contains(':')
            });
        if unindexable {
            self.any.push(id);
            return;
        }
        for pattern in patterns {
            let folded = fold_case(&pattern.value);
            let bucket = if folded.contains(['*', '?']) {
                let service = folded.split(':').next().unwrap_or("");
                self.by_service.entry(service.into()).or_default()
            } else {
                self.by_action.entry(folded.as_ref().into()).or_default()
            };
            if bucket.last() != Some(&id) {
                bucket.push(id);
            }
        }
    }

    /// Every statement that could match the request's action (a statement listed under both
    /// its exact action and its RAM code may come twice, which changes no decision).
    pub(crate) fn candidates<'a>(&'a self, request: &Request) -> impl Iterator<Item = usize> + 'a {
        let exact = self
            .by_action
            .get(request.action_folded())
            .map_or(&[][..], Vec::as_slice);
        let service = self
            .by_service
            .get(request.service_folded())
            .map_or(&[][..], Vec::as_slice);
        exact.iter().chain(service).chain(&self.any).copied()
    }
}
