//! The guard a dispatcher calls before each restore: RAM's decision, the API's parameter rules
//! and its checks of the instance's state, answered as a value that permits only when all of
//! them were made and passed.

use std::panic::AssertUnwindSafe;

use super::clearance::{Assessment, Clearance, Permit, Permitted, Reason, Refusal};
use super::validate::{CheckStatus, InstanceCheck, Validation};
use super::{CallError, InstanceState, RestoreCall};
use crate::eval::{Decision, PolicySet};
use crate::request::{CURRENT_TIME_KEY, Request};
use crate::value::Timestamp;

/// Checks a restore before it is dispatched: RAM's decision for `kvstore:RestoreInstance` on
/// the instance, the API's parameter rules, and its checks of the instance's `state`. Returns
/// [`Clearance::Permitted`] only when RAM allows, the parameters are valid, and the state was
/// given, is the instance's, and passes; a panic inside becomes a refusal.
///
/// # Example
/// ```
/// use ramguard::restore::{self, Clearance, InstanceState, RestoreCall, RestoreParameters};
/// use ramguard::span::Source;
/// use ramguard::value::Timestamp;
/// use ramguard::{Policy, PolicySet};
///
/// let set = PolicySet::builder()
///     .identity(Policy::from_text("dba", r#"{"Version": "1", "Statement": [{"Effect": "Allow",
///         "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-bp1stg*",
///         "Condition": {"Bool": {"acs:MFAPresent": "true"}}}]}"#)?)
///     .build()?;
/// let state = InstanceState::parse(Source::new("r-bp1stg01.json",
///     r#"{"InstanceId": "r-bp1stg01", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"}"#))?;
/// let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z")?;
/// let call = RestoreCall::new("cn-hangzhou", "1234567890123456",
///     RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z").filter_key("^session:"))
///     .context("acs:MFAPresent", true)
///     .at(now.clone());
///
/// match restore::guard(&set, &call, Some(&state)) {
///     Clearance::Permitted(permit) => assert!(!permit.plan().overwrites_all_data()),
///     Clearance::Refused(refusal) => panic!("{refusal}"),
/// }
///
/// // Without the instance's state, nothing is permitted.
/// let refused = restore::guard(&set, &call, None).into_result().unwrap_err();
/// assert!(refused.to_string().contains("not checked"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn guard(set: &PolicySet, call: &RestoreCall, state: Option<&InstanceState>) -> Clearance {
    // The set is immutable and nothing observed after a panic is reused, so unwinding through
    // it cannot leave broken state behind.
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| clear(set, call, state)));
    outcome.unwrap_or_else(|_| {
        Clearance::Refused(Refusal {
            reasons: vec![Reason::Internal],
            assessment: Box::new(Assessment {
                policies: Some(set.clone()),
                parameters: call.parameters.clone(),
                request: None,
                decision: None,
                depends_on: Vec::new(),
                validation: Validation::not_made(),
                submitted_at: call.submitted_at.clone().unwrap_or_else(Timestamp::now),
            }),
        })
    })
}

/// A refusal made before any check, for a reason found outside the guard (an unknown
/// principal): nothing was evaluated or validated.
pub(crate) fn refuse(call: &RestoreCall, reason: Reason) -> Clearance {
    Clearance::Refused(Refusal {
        reasons: vec![reason],
        assessment: Box::new(Assessment {
            policies: None,
            parameters: call.parameters.clone(),
            request: None,
            decision: None,
            depends_on: Vec::new(),
            validation: Validation::not_made(),
            submitted_at: call.submitted_at.clone().unwrap_or_else(Timestamp::now),
        }),
    })
}

fn clear(set: &PolicySet, call: &RestoreCall, state: Option<&InstanceState>) -> Clearance {
    // Lets the tests force a panic where a bug in the engine would raise one.
    #[cfg(test)]
    if tests::FORCE_A_PANIC.get() {
        panic!("forced by a test");
    }
    let submitted_at = call.submitted_at.clone().unwrap_or_else(Timestamp::now);
    let mut reasons = Vec::new();
    if let Some(Err(e)) = state.map(|s| call.check_instance(s)) {
        reasons.push(Reason::InvalidCall(e));
    }
    let built = call
        .request_builder(&submitted_at)
        .and_then(|b| b.build().map_err(CallError::from))
        .and_then(|request| same_time(&request, &submitted_at).map(|()| request));
    let request = match built {
        Ok(request) => Some(request),
        // An invalid `InstanceId` is reported among the parameter errors.
        Err(CallError::InstanceId) => None,
        Err(e) => {
            reasons.push(Reason::InvalidCall(e));
            None
        }
    };
    let decision = request.as_ref().map(|r| set.evaluate(r));
    if let Some(decision) = decision.filter(|d| !d.is_allowed()) {
        reasons.push(Reason::Denied(decision));
    }
    let validation = call.parameters.validate(&submitted_at, state);
    if !validation.is_valid() {
        reasons.push(Reason::RejectedParameters(validation.errors.clone()));
    }
    let depends_on = request
        .as_ref()
        .map(|r| set.depends_on(r))
        .unwrap_or_default();
    // A denial is refused anyway; only an Allow that a missing key could overturn is a reason.
    if decision.is_some_and(|d| d.is_allowed()) && !depends_on.is_empty() {
        reasons.push(Reason::MissingContext(depends_on.clone()));
    }
    let unchecked: Vec<InstanceCheck> = validation
        .instance_checks
        .iter()
        .filter(|c| c.status == CheckStatus::NotChecked)
        .cloned()
        .collect();
    if !unchecked.is_empty() {
        reasons.push(Reason::InstanceNotChecked(unchecked));
    }
    let assessment = Assessment {
        policies: Some(set.clone()),
        parameters: call.parameters.clone(),
        request,
        decision,
        depends_on,
        validation,
        submitted_at,
    };
    if reasons.is_empty()
        && let Some(decision) = decision.filter(Decision::is_allowed)
        && let Some(plan) = assessment.validation.plan.clone()
    {
        return Clearance::Permitted(Permit::new(Permitted {
            decision,
            plan,
            assessment,
        }));
    }
    if reasons.is_empty() {
        // Unreachable by construction; a refusal must still say something.
        reasons.push(Reason::Internal);
    }
    let assessment = Box::new(assessment);
    Clearance::Refused(Refusal {
        reasons,
        assessment,
    })
}

/// Checks that the request is evaluated at the submission time: a context `acs:CurrentTime`
/// overrides the time given to the builder, and a policy reading another time than the
/// parameter rules could allow what RAM, seeing the real time, denies.
fn same_time(request: &Request, submitted_at: &Timestamp) -> Result<(), CallError> {
    let values = request.context().get(CURRENT_TIME_KEY);
    match values {
        [one] if one.instant() == Some(submitted_at) => Ok(()),
        _ => Err(CallError::CurrentTime {
            expected: submitted_at.to_string(),
            found: values
                .iter()
                .map(|v| v.text())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::Policy;
    use crate::restore::RestoreParameters;
    use crate::span::Source;

    thread_local! {
        /// Makes `clear` panic on this thread, as an engine bug would.
        pub(super) static FORCE_A_PANIC: Cell<bool> = const { Cell::new(false) };
    }

    #[test]
    fn a_panic_inside_the_guard_refuses_a_restore_it_would_permit() {
        let policy = Policy::from_text(
            "dba",
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*"}]}"#,
        )
        .expect("valid");
        let set = PolicySet::builder()
            .identity(policy)
            .build()
            .expect("builds");
        let state = InstanceState::parse(Source::new(
            "r-bp1stg01.json",
            r#"{"InstanceId": "r-bp1stg01", "InstanceStatus": "Normal", "BackupLogStartTime": "2026-11-20T00:00:00Z"}"#,
        ))
        .expect("valid");
        let call = RestoreCall::new(
            "cn-hangzhou",
            "1234567890123456",
            RestoreParameters::point_in_time("r-bp1stg01", "2026-11-29T08:00:00Z"),
        )
        .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("valid"));
        assert!(matches!(
            guard(&set, &call, Some(&state)),
            Clearance::Permitted(_)
        ));
        FORCE_A_PANIC.set(true);
        let clearance = guard(&set, &call, Some(&state));
        FORCE_A_PANIC.set(false);
        let Clearance::Refused(refusal) = clearance else {
            panic!("a panic must never permit");
        };
        assert_eq!(refusal.reasons, [Reason::Internal]);
        assert_eq!(
            refusal.to_string().lines().next(),
            Some("restore refused: internal error while checking; nothing is permitted")
        );
    }
}
