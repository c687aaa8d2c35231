//! Which missing condition keys a decision depends on: the keys the request lacks whose values
//! could change whether it is allowed (docs/semantics.md §4, "Decisions that depend on missing
//! keys").
//!
//! RAM evaluates a missing key as false (true for negated operators), and so does ramguard. But
//! on a real call RAM always knows some keys (`acs:SecureTransport`, `acs:CurrentTime`, the
//! source address), so an Allow that holds only because such a key was left out of the request
//! is not RAM's decision. Each statement whose action and resource match is read three ways:
//! it matches whatever the missing keys hold, it cannot match whatever they hold (a condition
//! on a key the request carries fails), or it depends on them. The layers are then decided as
//! [`PolicySet::decide`] does, over every verdict each layer could reach; when both an allow
//! and a deny are reachable, the missing keys of the statements that could tip it are listed.

use super::compile::CompiledStatement;
use super::{Layer, PolicySet};
use crate::context::fold_key;
use crate::policy::Effect;
use crate::request::Request;

/// How a statement matches when the request's missing keys could hold any value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tristate {
    /// It matches whatever the missing keys hold (it reads none of them).
    Yes,
    /// It cannot match: its action, resource or a condition on a key the request carries fails.
    No,
    /// It matches or not depending on keys the request lacks.
    Maybe,
}

/// The verdicts a layer could reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Reachable {
    allow: bool,
    explicit_deny: bool,
    implicit_deny: bool,
}

impl Reachable {
    fn deny(self) -> bool {
        self.explicit_deny || self.implicit_deny
    }
}

/// The statements of one layer, read three ways, and the missing keys its undecided statements
/// read.
struct LayerReading<'r> {
    reachable: Reachable,
    keys: Vec<(String, &'r str)>,
}

impl PolicySet {
    /// The condition keys the request lacks whose values could change whether it is allowed,
    /// each once, as a policy spells it, sorted; empty when the decision holds whatever they
    /// are. Keys declared absent ([`crate::request::RequestBuilder::absent`]) are evaluated as
    /// missing and never listed. Allocates nothing when the list is empty.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request, Verdict};
    ///
    /// let policy = Policy::from_text("dba", r#"{"Version": "1", "Statement": [
    ///     {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"},
    ///     {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
    ///      "Condition": {"Bool": {"acs:SecureTransport": "false"}}}]}"#)?;
    /// let set = PolicySet::builder().identity(policy).build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-1").build()?;
    /// // Allowed as evaluated, but over plain HTTP the Deny would apply.
    /// assert_eq!(set.evaluate(&request).verdict, Verdict::Allow);
    /// assert_eq!(set.depends_on(&request), ["acs:SecureTransport"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn depends_on(&self, request: &Request) -> Vec<String> {
        // Most calls carry every key the policies read: then none is missing.
        let context = request.context();
        let lacks =
            |key: &String| context.values(key).is_empty() && !context.is_declared_absent(key);
        if !self.0.condition_keys.iter().any(lacks) {
            return Vec::new();
        }
        let mut keys: Vec<(String, &str)> = Vec::new();
        let mut can_allow = true;
        let mut can_deny = false;
        let mut read = |layer: &Layer| {
            let reading = self.read_layer(layer, request);
            for key in reading.keys {
                if !keys.iter().any(|(folded, _)| *folded == key.0) {
                    keys.push(key);
                }
            }
            reading.reachable
        };
        // The same order as `decide`: control and session policies must allow.
        for guard in [self.0.control.as_deref(), self.0.session.as_ref()]
            .into_iter()
            .flatten()
        {
            let reachable = read(guard);
            can_deny |= reachable.deny();
            if !reachable.allow {
                can_allow = false;
                break;
            }
        }
        if can_allow {
            let account = read(&self.0.identity);
            can_deny |= account.explicit_deny;
            if !self.owns(request) {
                // Another account's resource: identity policies never allow it.
                can_allow = false;
                can_deny = true;
            } else if account.implicit_deny {
                let groups = self.resource_groups_of(request.resource());
                let scoped: Vec<Reachable> = groups
                    .iter()
                    .map(|&g| read(&self.0.resource_groups[g]))
                    .collect();
                // As in `decide`: a Deny in any group wins, then an Allow in any.
                let denied_for_sure = scoped.iter().any(|r| !r.allow && !r.implicit_deny);
                let group_allow = !denied_for_sure && scoped.iter().any(|r| r.allow);
                let group_deny = scoped.is_empty()
                    || scoped.iter().any(|r| r.explicit_deny)
                    || scoped.iter().all(|r| r.implicit_deny);
                can_allow = account.allow || group_allow;
                can_deny |= group_deny;
            } else {
                can_allow = account.allow;
            }
        }
        if !(can_allow && can_deny) {
            return Vec::new();
        }
        keys.sort_by(|a, b| a.1.cmp(b.1));
        keys.into_iter().map(|(_, key)| key.to_string()).collect()
    }

    /// The condition keys the request lacks (or declares absent) that a statement read on the
    /// way to the decision, each once, as a policy spells it, sorted: the `missing_context` of
    /// [`PolicySet::explain`], without the trace. Allocates nothing when no key is missing.
    ///
    /// # Example
    /// ```
    /// use ramguard::{Policy, PolicySet, Request};
    ///
    /// let policy = Policy::from_text("dba", r#"{"Version": "1", "Statement": [
    ///     {"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*",
    ///      "Condition": {"Bool": {"acs:MFAPresent": "true"}, "IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}}]}"#)?;
    /// let set = PolicySet::builder().identity(policy).build()?;
    /// let request = Request::restore_instance("cn-hangzhou", "1234567890123456", "r-1")
    ///     .context("acs:SourceIp", "10.1.2.3")
    ///     .build()?;
    /// assert_eq!(set.missing_context(&request), ["acs:MFAPresent"]);
    /// assert_eq!(set.missing_context(&request), set.explain(&request).missing_context);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn missing_context(&self, request: &Request) -> Vec<String> {
        let context = request.context();
        if !self
            .0
            .condition_keys
            .iter()
            .any(|k| context.values(k).is_empty())
        {
            return Vec::new();
        }
        // Folded (to dedupe), where met (layer, statement), and as spelled: when policies spell
        // a key differently, the spelling `explain` meets first (in layer and statement order)
        // is kept, whatever order the index offers the statements in.
        let mut keys: Vec<(String, (usize, usize), &str)> = Vec::new();
        let mut layer_number = 0;
        self.decide(request, |layer| {
            layer_number += 1;
            let candidates = layer
                .denies
                .candidates(request)
                .chain(layer.allows.candidates(request));
            for index in candidates {
                let compiled = &layer.statements[index];
                if compiled.match_action_and_resource(request).is_err() {
                    continue;
                }
                let statement = self.statement(compiled.id());
                let met = (layer_number, index);
                for (condition, compiled) in statement.conditions.iter().zip(compiled.conditions())
                {
                    let folded = compiled.key();
                    if !context.values(folded).is_empty() {
                        continue;
                    }
                    match keys.iter_mut().find(|(f, _, _)| f == folded) {
                        Some(key) if met < key.1 => {
                            key.1 = met;
                            key.2 = &condition.key.value;
                        }
                        Some(_) => {}
                        None => keys.push((folded.to_string(), met, &condition.key.value)),
                    }
                }
            }
            layer.evaluate(request)
        });
        let mut missing: Vec<String> = keys
            .into_iter()
            .map(|(_, _, key)| key.to_string())
            .collect();
        missing.sort();
        missing
    }

    /// Reads every statement of a layer whose action and resource match, three ways.
    fn read_layer<'s>(&'s self, layer: &Layer, request: &Request) -> LayerReading<'s> {
        let mut keys = Vec::new();
        let (mut deny_yes, mut deny_maybe, mut allow_yes, mut allow_maybe) =
            (false, false, false, false);
        let candidates = layer
            .denies
            .candidates(request)
            .chain(layer.allows.candidates(request));
        for index in candidates {
            let statement = &layer.statements[index];
            let tristate = self.read_statement(statement, request, &mut keys);
            match (statement.effect, tristate) {
                (Effect::Deny, Tristate::Yes) => deny_yes = true,
                (Effect::Deny, Tristate::Maybe) => deny_maybe = true,
                (Effect::Allow, Tristate::Yes) => allow_yes = true,
                (Effect::Allow, Tristate::Maybe) => allow_maybe = true,
                (_, Tristate::No) => {}
            }
        }
        // The same rule as `layer_verdict`, over what each statement could do.
        let reachable = if deny_yes {
            Reachable {
                explicit_deny: true,
                ..Reachable::default()
            }
        } else {
            Reachable {
                explicit_deny: deny_maybe,
                allow: allow_yes || allow_maybe,
                implicit_deny: !allow_yes,
            }
        };
        LayerReading { reachable, keys }
    }

    /// Reads one statement three ways, adding the missing keys of a `Maybe` statement to `keys`
    /// (folded, and as the policy spells them).
    fn read_statement<'s>(
        &'s self,
        statement: &CompiledStatement,
        request: &Request,
        keys: &mut Vec<(String, &'s str)>,
    ) -> Tristate {
        if statement.match_action_and_resource(request).is_err() {
            return Tristate::No;
        }
        let context = request.context();
        let mut missing = false;
        for condition in statement.conditions() {
            let folded = condition.key();
            if context.values(folded).is_empty() && !context.is_declared_absent(folded) {
                missing = true;
            } else if condition.evaluate(context).is_err() {
                return Tristate::No;
            }
        }
        if !missing {
            return Tristate::Yes;
        }
        let written = &self.statement(statement.id()).conditions;
        for (condition, compiled) in written.iter().zip(statement.conditions()) {
            let folded = compiled.key();
            if context.values(folded).is_empty()
                && !context.is_declared_absent(folded)
                && !keys.iter().any(|(k, _)| k == folded)
            {
                keys.push((fold_key(&condition.key.value), condition.key.value.as_str()));
            }
        }
        Tristate::Maybe
    }
}

#[cfg(test)]
mod tests {
    use crate::{Policy, PolicySet, Request};

    const ARN: &str = "acs:kvstore:cn-hangzhou:1:instance/r-1";

    fn policy(name: &str, statements: &str) -> Policy {
        Policy::from_text(
            name,
            &format!(r#"{{"Version": "1", "Statement": [{statements}]}}"#),
        )
        .expect("test policy is valid")
    }

    const ALLOW: &str = r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#;
    const ALLOW_WITH_MFA: &str = r#"{"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"acs:MFAPresent": "true"}}}"#;
    const DENY_OVER_HTTP: &str = r#"{"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"acs:SecureTransport": "false"}}}"#;
    const DENY_OUTSIDE_VPC: &str = r#"{"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringNotLike": {"acs:SourceVpc": "vpc-*"}}}"#;

    fn request(context: &[(&str, &str)], absent: &[&str]) -> Request {
        let mut builder = Request::builder("kvstore:RestoreInstance", ARN);
        for (key, value) in context {
            builder = builder.context(*key, *value);
        }
        for key in absent {
            builder = builder.absent(*key);
        }
        builder.build().expect("valid request")
    }

    #[test]
    fn a_deny_a_missing_key_could_switch_on() {
        let set = PolicySet::builder()
            .identity(policy("id", &format!("{ALLOW}, {DENY_OVER_HTTP}")))
            .build()
            .expect("builds");
        assert_eq!(set.depends_on(&request(&[], &[])), ["acs:SecureTransport"]);
        // Given, the decision is settled either way.
        let given = request(&[("acs:SecureTransport", "true")], &[]);
        assert!(set.depends_on(&given).is_empty());
        let plain = request(&[("acs:SecureTransport", "false")], &[]);
        assert!(set.depends_on(&plain).is_empty());
    }

    #[test]
    fn an_allow_that_holds_only_because_a_negated_operator_saw_no_key() {
        let allow_unless_classic = r#"{"Effect": "Allow", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"acs:SourceVpc": "classic"}}}"#;
        let set = PolicySet::builder()
            .identity(policy("id", allow_unless_classic))
            .build()
            .expect("builds");
        assert_eq!(set.depends_on(&request(&[], &[])), ["acs:SourceVpc"]);
        // Declared absent, it is evaluated as missing and not listed.
        assert!(set.depends_on(&request(&[], &["ACS:SourceVpc"])).is_empty());
        // Another Allow that needs no missing key settles it.
        let set = PolicySet::builder()
            .identity(policy("id", &format!("{allow_unless_classic}, {ALLOW}")))
            .build()
            .expect("builds");
        assert!(set.depends_on(&request(&[], &[])).is_empty());
    }

    #[test]
    fn a_deny_that_cannot_match_for_another_reason_adds_nothing() {
        let deny_over_http_from_elsewhere = r#"{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"Bool": {"acs:SecureTransport": "false"}, "IpAddress": {"acs:SourceIp": "203.0.113.0/24"}}}"#;
        let set = PolicySet::builder()
            .identity(policy(
                "id",
                &format!("{ALLOW}, {deny_over_http_from_elsewhere}"),
            ))
            .build()
            .expect("builds");
        // The source address is given and outside the network: the Deny cannot match.
        assert!(
            set.depends_on(&request(&[("acs:SourceIp", "10.0.0.1")], &[]))
                .is_empty()
        );
        assert_eq!(
            set.depends_on(&request(&[("acs:SourceIp", "203.0.113.9")], &[])),
            ["acs:SecureTransport"]
        );
        // A Deny on another resource never matters.
        let elsewhere = r#"{"Effect": "Deny", "Action": "*", "Resource": "acs:ecs:*",
            "Condition": {"Bool": {"acs:SecureTransport": "false"}}}"#;
        let set = PolicySet::builder()
            .identity(policy("id", &format!("{ALLOW}, {elsewhere}")))
            .build()
            .expect("builds");
        assert!(set.depends_on(&request(&[], &[])).is_empty());
    }

    #[test]
    fn every_layer_counts_and_a_settled_deny_depends_on_nothing() {
        // A control policy's Deny outside a VPC: the restore may be denied there.
        let set = PolicySet::builder()
            .control(policy("guard", &format!("{ALLOW}, {DENY_OUTSIDE_VPC}")))
            .identity(policy("id", ALLOW))
            .build()
            .expect("builds");
        assert_eq!(set.depends_on(&request(&[], &[])), ["acs:SourceVpc"]);
        assert!(
            set.depends_on(&request(&[("acs:SourceVpc", "vpc-1")], &[]))
                .is_empty()
        );
        // An Allow in the session policy that needs MFA: supplying it could allow.
        let set = PolicySet::builder()
            .session(policy("session", ALLOW_WITH_MFA))
            .identity(policy("id", ALLOW))
            .build()
            .expect("builds");
        assert_eq!(set.depends_on(&request(&[], &[])), ["acs:MFAPresent"]);
        // A control layer that allows nothing settles the decision whatever the keys are.
        let set = PolicySet::builder()
            .control(policy(
                "guard",
                r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}"#,
            ))
            .identity(policy("id", ALLOW_WITH_MFA))
            .build()
            .expect("builds");
        assert!(set.depends_on(&request(&[], &[])).is_empty());
    }

    #[test]
    fn resource_group_layers_count_only_after_an_implicit_deny() {
        let grouped = |account: &str| {
            PolicySet::builder()
                .identity(policy("id", account))
                .resource_group_identity("rg", policy("rg", ALLOW_WITH_MFA))
                .resource_group("rg", [ARN])
                .build()
                .expect("builds")
        };
        // Nothing at account scope: the group's MFA condition decides.
        let none = r#"{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}"#;
        assert_eq!(
            grouped(none).depends_on(&request(&[], &[])),
            ["acs:MFAPresent"]
        );
        // An Allow at account scope: the group is never consulted.
        assert!(grouped(ALLOW).depends_on(&request(&[], &[])).is_empty());
    }
}
