//! Statements compiled for matching.

use crate::condition::{CompiledCondition, ConditionMiss};
use crate::pattern::Pattern;
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
        self.match_conditions(request)
    }

    /// As [`CompiledStatement::matches`], skipping the action when the index already knows it
    /// matches.
    pub(crate) fn matches_indexed(
        &self,
        request: &Request,
        action_matched: bool,
    ) -> Result<(), StatementMiss> {
        if action_matched {
            self.match_resource(request)?;
        } else {
            self.match_action_and_resource(request)?;
        }
        self.match_conditions(request)
    }

    fn match_conditions(&self, request: &Request) -> Result<(), StatementMiss> {
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
        self.match_resource(request)
    }

    fn match_resource(&self, request: &Request) -> Result<(), StatementMiss> {
        let resource = request.resource();
        let fields = request.resource_fields();
        if self
            .resources
            .iter()
            .any(|p| p.is_match_fields(resource, fields.as_ref()))
            == self.resources_negated
        {
            return Err(StatementMiss::Resource);
        }
        Ok(())
    }

    pub(crate) fn conditions(&self) -> &[CompiledCondition] {
        &self.conditions
    }

    /// The action patterns, and whether they are `NotAction`.
    pub(crate) fn actions(&self) -> (&[Pattern], bool) {
        (&self.actions, self.actions_negated)
    }

    /// The resource patterns, and whether they are `NotResource`.
    pub(crate) fn resources(&self) -> (&[Pattern], bool) {
        (&self.resources, self.resources_negated)
    }
}
