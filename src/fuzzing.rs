//! Oracles for the fuzz targets (`fuzz/`) and the tests that replay their corpora: internals
//! checked against the simple model they must agree with. Not part of the API: hidden, and free
//! to change.
//!
//! Each fuzz target is one line calling the function of its name here with the fuzzer's bytes;
//! `tests/fuzz_corpora.rs` replays every committed input through the same functions. A function
//! returns quietly when the input is refused or the properties hold, and panics, naming the
//! property, when one is violated.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::context::fold_key;
use crate::diagnostic::Diagnostic;
use crate::eval::{Decision, Explanation, Principal, Verdict};
use crate::ingest::account_import::import_account;
use crate::ingest::actiontrail::EventMapping;
use crate::pattern::{Pattern, fields, fold_case, folds_to};
use crate::principal::Account;
use crate::report::{Style, render};
use crate::restore::{
    Clearance, Flashback, InstanceState, Reason, RestoreCall, RestoreParameters, guard,
};
use crate::span::{Source, Span};
use crate::value::Timestamp;
use crate::{CompiledAccount, Policy, PolicySet, Request};

/// Whether the wildcard matcher matches `input` against `pattern` (`*` any run of characters,
/// `?` one character), case-insensitively as actions are matched when `fold` is set.
pub fn wildcard_match(pattern: &str, input: &str, fold: bool) -> bool {
    if fold {
        Pattern::new_folded(pattern).is_match(&fold_case(input))
    } else {
        Pattern::new(pattern).is_match(input)
    }
}

/// Checks every layer's statement index against a linear scan of its statements for `request`.
///
/// # Errors
/// The first statement that matches but that the index would not visit.
pub fn check_index(set: &PolicySet, request: &Request) -> Result<(), String> {
    set.check_index(request)
}

// ---------------------------------------------------------------------------------------------
// Fuzz targets.
// ---------------------------------------------------------------------------------------------

/// The names of the fuzz targets, each a function of this module taking the fuzzer's bytes.
pub const TARGETS: &[&str] = &[
    "policy",
    "request",
    "account",
    "instance",
    "actiontrail",
    "account_import",
    "wildcard",
    "evaluate",
    "prove",
];

/// Runs the check of the fuzz target called `target` on `data`; `false` when no target has
/// that name.
///
/// # Panics
/// As the target's function, when a property is violated.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "policy" => policy(data),
        "request" => request(data),
        "account" => account(data),
        "instance" => instance(data),
        "actiontrail" => actiontrail(data),
        "account_import" => account_import(data),
        "wildcard" => wildcard(data),
        "evaluate" => evaluate(data),
        "prove" => prove(data),
        _ => return false,
    }
    true
}

/// Any bytes as a policy document (a bare document or a `GetPolicy`/`GetPolicyVersion`
/// response): an error or a policy, never a panic. An error has at least one located,
/// renderable diagnostic (fail closed: no policy comes out of it). A policy, put in each layer
/// beside fixed policies, decides fixed requests with [`PolicySet::evaluate`] and
/// [`PolicySet::explain`] agreeing, and with each layer's index agreeing with a linear scan.
///
/// # Panics
/// When a property is violated.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = match Policy::parse("fuzz", Source::new("fuzz.json", text)) {
        Ok(policy) => policy,
        Err(invalid) => {
            assert!(
                !invalid.errors.is_empty(),
                "an invalid policy with no error"
            );
            check_diagnostics(&invalid.diagnostics());
            return;
        }
    };
    let _ = policy.statements().len();
    let sets = [
        PolicySet::builder().identity(policy.clone()).build(),
        PolicySet::builder()
            .control(policy.clone())
            .identity(system("AliyunKvstoreFullAccess"))
            .build(),
        PolicySet::builder()
            .identity(system("AliyunKvstoreFullAccess"))
            .session(policy.clone())
            .build(),
        PolicySet::builder()
            .resource_group_identity("rg-prod", policy.clone())
            .resource_group("rg-prod", [PROD_ARN])
            .principal(principal())
            .build(),
    ];
    for set in sets {
        let set = set.expect("one session policy at most");
        for request in fixed_requests() {
            check_decision(&set, request);
        }
    }
}

/// Any bytes as a request file ([`Request::from_json_text`]): an error with a renderable
/// diagnostic, or a request that fixed policy sets decide consistently (as [`policy`]).
///
/// # Panics
/// When a property is violated.
pub fn request(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source::new("request.json", text);
    let request = match Request::from_json_text(text) {
        Ok(request) => request,
        Err(error) => {
            let _ = (error.code(), error.help(), error.to_string());
            if let Some(span) = error.span() {
                check_span(text, span, error.code());
            }
            check_diagnostics(&[error.diagnostic(Some(&source))]);
            return;
        }
    };
    check_request(&request);
    for warning in request.warnings() {
        let _ = (warning.code(), warning.help(), warning.diagnostic());
    }
    for set in fixed_sets() {
        check_decision(set, &request);
    }
}

/// Any bytes as an account file ([`Account::parse`], policy paths resolved against the
/// crate's `policies/`): an error with located, renderable diagnostics, or an account whose
/// every principal is decided the same by the compiled account (which shares one compiled
/// control layer between principals) as by a set built on its own, by `who_can`, and
/// consistently (as [`policy`]).
///
/// # Panics
/// When a property is violated.
pub fn account(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let account = match Account::parse(Source::new("account.json", text), &base) {
        Ok(account) => account,
        Err(invalid) => {
            let diagnostics = invalid.diagnostics();
            assert!(!diagnostics.is_empty(), "an invalid account with no error");
            check_diagnostics(&diagnostics);
            return;
        }
    };
    check_account(&account);
}

/// Any bytes as an instance file ([`InstanceState::parse`]): an error, or a state that the
/// restore guard, given a policy that allows everything, permits a restore against only when
/// the state is the call's instance, `Normal`, and (for a point-in-time restore) has data
/// flashback on. The guard never hides a panic as an internal refusal, and never permits
/// without the state.
///
/// # Panics
/// When a property is violated.
pub fn instance(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let state = match InstanceState::parse(Source::new("instance.json", text)) {
        Ok(state) => state,
        Err(error) => {
            check_diagnostics(&[error.diagnostic()]);
            return;
        }
    };
    assert!(!state.instance_id.is_empty(), "an instance with no id");
    assert!(!state.status.is_empty(), "an instance with no status");
    let set = allow_all();
    let region = state
        .region_id
        .clone()
        .unwrap_or_else(|| "cn-hangzhou".into());
    let now = Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("a time");
    let calls = [
        RestoreParameters::backup_set(state.instance_id.clone(), "b-20261128"),
        RestoreParameters::point_in_time(state.instance_id.clone(), "2026-11-29T08:00:00Z"),
        RestoreParameters::backup_set("r-other", "b-20261128"),
    ]
    .map(|parameters| {
        RestoreCall::new(region.clone(), ACCOUNT_ID, parameters)
            .context("acs:MFAPresent", true)
            .context("acs:SourceIp", "10.1.2.3")
            .context("acs:SecureTransport", true)
            .at(now.clone())
    });
    for (i, call) in calls.iter().enumerate() {
        let clearance = guard(set, call, Some(&state));
        if let Clearance::Refused(refusal) = &clearance {
            assert!(
                !refusal.reasons().contains(&Reason::Internal),
                "the guard refused with an internal error (a panic caught): {refusal}"
            );
        }
        if clearance.is_permitted() {
            assert!(
                state.is_normal(),
                "permitted on a `{}` instance",
                state.status
            );
            assert!(
                call.check_instance(&state).is_ok(),
                "permitted against another instance's state"
            );
            assert!(
                i != 2 || state.instance_id == "r-other",
                "permitted a restore of `r-other` with `{}`'s state",
                state.instance_id
            );
            if i == 1 {
                assert!(
                    matches!(state.flashback, Flashback::Enabled { .. }),
                    "a point-in-time restore permitted without data flashback"
                );
            }
        }
        assert!(
            !guard(set, call, None).is_permitted(),
            "permitted without the instance's state"
        );
    }
}

/// Any bytes as ActionTrail input: one event ([`EventMapping::map`]; a bare event or a Simple
/// Log Service record) and, with the `cli` feature, a log read item by item as `batch` reads
/// it. A mapped event's own context values are never overridden by assumed ones, an event that
/// maps without assumptions maps with them, and its request is decided consistently (as
/// [`policy`]); an error names a field and renders.
///
/// # Panics
/// When a property is violated.
pub fn actiontrail(data: &[u8]) {
    #[cfg(feature = "cli")]
    read_log(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let plain = EventMapping::new();
    let assuming = assumptions();
    match plain.map(text) {
        Ok(mapped) => {
            let assumed = assuming
                .map(text)
                .expect("an event that maps without assumptions maps with them");
            for (key, values) in mapped.request.context().iter() {
                let own: Vec<&str> = values.iter().map(|v| v.text()).collect();
                let with: Vec<&str> = assumed
                    .request
                    .context()
                    .get(key)
                    .iter()
                    .map(|v| v.text())
                    .collect();
                assert_eq!(own, with, "an assumption overrode the event's `{key}`");
            }
            assert_eq!(mapped.request.action(), assumed.request.action());
            assert_eq!(mapped.request.resource(), assumed.request.resource());
            let _ = mapped.principal.principal_ref();
            check_request(&mapped.request);
            for set in fixed_sets() {
                check_decision(set, &mapped.request);
            }
        }
        Err(error) => {
            let _ = (error.code(), error.field(), error.message(), error.help());
            check_diagnostics(&[error.diagnostic()]);
            if let Ok(assumed) = assuming.map(text) {
                // Assumptions fill only what the event lacks, so they may make it mappable
                // (a missing time); check the result all the same.
                check_request(&assumed.request);
            }
        }
    }
}

/// Any bytes as an account export directory for [`import_account`]. The input is a text
/// archive: a line `=== PATH` starts a file at `PATH` (relative, at most two names of
/// `[A-Za-z0-9._@-]`), and the lines up to the next such line are its content. It is written
/// to a fresh temporary directory and imported twice. An import either fails with at least one
/// error and never with ramguard's own `internal` error, or yields an account file that parses
/// back as an account (checked as [`account`]); the two imports agree.
///
/// # Panics
/// When a property is violated.
pub fn account_import(data: &[u8]) {
    let Some(files) = archive(data) else {
        return;
    };
    let dir = TempDir::new();
    for (path, content) in &files {
        let path = dir.0.join(path);
        if let Some(parent) = path.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            continue;
        }
        let _ = std::fs::write(&path, content);
    }
    let first = import_account(&dir.0);
    let second = import_account(&dir.0);
    match (&first, &second) {
        (Ok(a), Ok(b)) => assert_eq!(a.json(), b.json(), "two imports of one export differ"),
        (Err(a), Err(b)) => assert_eq!(
            codes(a.errors()),
            codes(b.errors()),
            "two imports of one export fail differently"
        ),
        _ => panic!("one import of an export succeeded and the other failed"),
    }
    match first {
        Ok(imported) => {
            check_diagnostics(imported.warnings());
            let reread = Account::parse(Source::new("account.json", imported.json()), &dir.0)
                .unwrap_or_else(|e| panic!("the imported account file does not load: {e}"));
            assert_eq!(
                reread.principals(),
                imported.account().principals(),
                "the account file lists other principals than the import"
            );
            check_account(imported.account());
        }
        Err(error) => {
            assert!(!error.errors().is_empty(), "an import error with no error");
            assert!(
                !error.errors().iter().any(|d| d.code() == "internal"),
                "the import wrote an account file that does not load: {error}"
            );
            check_diagnostics(&error.diagnostics());
        }
    }
}

/// A wildcard pattern, an input and a fold flag decoded from the bytes, matched by the
/// compiled matcher ([`wildcard_match`], and field by field as resources are) and by a naive
/// dynamic-programming matcher over case-folded characters: they agree. `fold_case` agrees
/// with folding each character on its own, and `folds_to` with comparing the folded texts.
///
/// The first byte holds the flags (bit 0: fold; bit 1: raw UTF-8 instead of a small alphabet
/// rich in `*`, `?`, `:` and characters whose lowercase differs); the rest is the pattern and
/// the input, split at the first zero byte.
///
/// # Panics
/// When the matchers disagree.
pub fn wildcard(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let fold = flags & 1 == 1;
    let raw = flags & 2 == 2;
    let (pattern, input) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let decode = |bytes: &[u8], max: usize| -> String {
        if raw {
            String::from_utf8_lossy(bytes).chars().take(max).collect()
        } else {
            bytes
                .iter()
                .take(max)
                .map(|&b| ALPHABET[usize::from(b) % ALPHABET.len()])
                .collect()
        }
    };
    let pattern = decode(pattern, 48);
    let input = decode(input, 160);

    let folded_input = naive_fold(&input);
    assert_eq!(fold_case(&input), folded_input, "fold_case({input:?})");
    assert!(folds_to(&input, &folded_input), "folds_to({input:?})");
    let folded_pattern = naive_fold(&pattern);
    assert_eq!(
        folds_to(&input, &folded_pattern),
        folded_input == folded_pattern,
        "folds_to({input:?}, {folded_pattern:?})"
    );

    let (p, i) = if fold {
        (folded_pattern, folded_input.clone())
    } else {
        (pattern.clone(), input.clone())
    };
    let expected = naive_match(&p, &i);
    let found = wildcard_match(&pattern, &input, fold);
    assert_eq!(
        found, expected,
        "pattern {pattern:?} against {input:?} (fold: {fold}): matcher says {found}, naive says {expected}"
    );
    let compiled = if fold {
        Pattern::new_folded(&pattern)
    } else {
        Pattern::new(&pattern)
    };
    let by_fields = compiled.is_match_fields(&i, fields(&i).as_ref());
    assert_eq!(
        by_fields, expected,
        "pattern {pattern:?} against {input:?} (fold: {fold}) field by field: {by_fields}, naive says {expected}"
    );
    let prefix = compiled.literal_prefix();
    if expected {
        assert!(
            i.starts_with(&*fold_if(prefix, fold)),
            "a match of {pattern:?} that does not start with its literal prefix {prefix:?}"
        );
    }
    if compiled.is_match_all() {
        assert!(
            expected,
            "{pattern:?} claims to match everything but not {input:?}"
        );
    }
}

/// A policy set and a request built from the bytes by choosing over small alphabets of actions,
/// resources, condition operators, keys and values (so that statements match often): the set
/// decides the request with [`PolicySet::evaluate`] and [`PolicySet::explain`] agreeing on the
/// verdict, the deciding layer and the deciding statement, each layer's index agrees with a
/// linear scan ([`check_index`]), and adding a policy of Deny statements never turns a denial
/// into an allow. A policy text that does not parse yields no set (fail closed).
///
/// # Panics
/// When a property is violated.
pub fn evaluate(data: &[u8]) {
    let mut u = Choices(data);
    let Some(builder) = set_builder(&mut u) else {
        return;
    };
    let deny_text = policy_text(&mut u, true);
    let Some(request) = request_from(&mut u) else {
        return;
    };
    let set = builder.clone().build().expect("one session policy at most");
    let decision = check_decision(&set, &request);
    if let Ok(deny) = Policy::from_text("deny", &deny_text) {
        let denser = builder
            .identity(deny)
            .build()
            .expect("one session policy at most");
        let after = check_decision(&denser, &request);
        if decision.verdict != Verdict::Allow {
            assert_ne!(
                after.verdict,
                Verdict::Allow,
                "adding Deny statements turned {:?} into Allow",
                decision.verdict
            );
        }
        if decision.verdict == Verdict::ExplicitDeny {
            assert_eq!(after.verdict, Verdict::ExplicitDeny);
        }
    }
}

/// A policy set and a request built as [`evaluate`] builds them: `prove` agrees with the
/// evaluator on the request. `never-allows` for the request's action on every resource does
/// not hold when the request is allowed; `no-new-access` from the set to the set with one
/// more identity policy does not hold when only the larger set allows the request. `prove`
/// confirms each witness with the evaluator itself, and an unconfirmed one is an error, so it
/// fails here too. The budgets are small: "unknown" is an answer.
///
/// # Panics
/// When a property is violated.
pub fn prove(data: &[u8]) {
    use crate::prove::{Budget, NeverAllows, NoNewAccess, Outcome};
    let mut u = Choices(data);
    let Some(builder) = set_builder(&mut u) else {
        return;
    };
    let Ok(extra) = Policy::from_text("extra", &policy_text(&mut u, false)) else {
        return;
    };
    let Some(request) = request_from(&mut u) else {
        return;
    };
    let set = builder.clone().build().expect("one session policy at most");
    let larger = builder
        .identity(extra)
        .build()
        .expect("one session policy at most");
    let budget = Budget {
        time: std::time::Duration::from_millis(200),
        memory: 64 << 20,
    };
    let never = NeverAllows {
        set: &set,
        action: request.action().to_owned(),
        resource: "*".into(),
        require: Vec::new(),
    }
    .prove(budget)
    .expect("prove confirms its witnesses");
    if set.evaluate(&request).is_allowed() {
        assert!(
            !matches!(never.outcome, Outcome::Holds),
            "never-allows holds, but the request is allowed"
        );
    }
    let gate = NoNewAccess {
        old: &set,
        new: &larger,
        action: None,
        resource: None,
    }
    .prove(budget)
    .expect("prove confirms its witnesses");
    if larger.evaluate(&request).is_allowed() && !set.evaluate(&request).is_allowed() {
        assert!(
            !matches!(gate.outcome, Outcome::Holds),
            "no-new-access holds, but only the larger set allows the request"
        );
    }
}

/// Up to four policies from small alphabets in random layers, two resource groups, maybe a
/// principal; `None` when a policy text does not parse.
fn set_builder(u: &mut Choices<'_>) -> Option<crate::eval::PolicySetBuilder> {
    let policies = u.below(4) + 1;
    let mut builder = PolicySet::builder();
    let mut session = false;
    for i in 0..policies {
        let text = policy_text(u, false);
        // Fail closed: a set is never built without a policy it was given.
        let policy = Policy::from_text(&format!("p{i}"), &text).ok()?;
        builder = match u.below(6) {
            0 => builder.control(policy),
            1 if !session => {
                session = true;
                builder.session(policy)
            }
            2 => builder.resource_group_identity("rg-a", policy),
            3 => builder.resource_group_identity("rg-b", policy),
            _ => builder.identity(policy),
        };
    }
    builder = builder
        .resource_group("rg-a", [PROD_ARN])
        .resource_group("rg-b", [PROD_ARN, STAGING_ARN]);
    if u.flag() {
        builder = builder.principal(principal());
    }
    Some(builder)
}

// ---------------------------------------------------------------------------------------------
// Shared checks.
// ---------------------------------------------------------------------------------------------

/// The account every fixed request and policy names.
const ACCOUNT_ID: &str = "1234567890123456";
const PROD_ARN: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01";
const STAGING_ARN: &str = "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg01";

/// Checks one decision: evaluate and explain agree on the verdict, the layer and the deciding
/// statement; the index agrees with a linear scan; the decision is the same twice.
fn check_decision(set: &PolicySet, request: &Request) -> Decision {
    let decision = set.evaluate(request);
    let explained: Explanation = set.explain(request);
    assert_eq!(
        decision.verdict, explained.decision,
        "evaluate and explain disagree on the verdict"
    );
    assert_eq!(
        decision.policy_type, explained.policy_type,
        "evaluate and explain disagree on the deciding layer"
    );
    match decision.verdict {
        Verdict::Allow | Verdict::ExplicitDeny => {
            let id = decision
                .deciding
                .unwrap_or_else(|| panic!("{:?} with no deciding statement", decision.verdict));
            let at = set
                .record(&decision)
                .statement
                .expect("the deciding statement is in the set");
            assert!(
                explained.matched.iter().any(|m| m.policy == at.policy
                    && m.file == at.file
                    && m.statement == at.statement),
                "evaluate's deciding statement {id:?} ({} statement {}) is not among explain's matched",
                at.policy,
                at.statement
            );
        }
        Verdict::ImplicitDeny => assert!(
            explained.matched.is_empty(),
            "an implicit deny with matched statements"
        ),
    }
    // Not a subset of `missing_context`, which lists only the keys read in the layers that
    // were consulted: a key read in a later layer matters as soon as missing keys could make
    // the deciding layer allow.
    for key in &explained.depends_on {
        assert!(
            request.context().get(key).is_empty(),
            "depends on `{key}`, which the request carries"
        );
        let folded = fold_key(key);
        assert!(
            !request.context().declared_absent().any(|k| k == folded),
            "depends on `{key}`, which the request declares absent"
        );
    }
    for key in &explained.missing_context {
        assert!(
            request.context().get(key).is_empty(),
            "`{key}` is missing, but the request carries it"
        );
    }
    if let Err(e) = check_index(set, request) {
        panic!("index and linear scan disagree: {e}");
    }
    let again = set.evaluate(request);
    assert_eq!(
        (again.verdict, again.policy_type, again.deciding),
        (decision.verdict, decision.policy_type, decision.deciding),
        "two evaluations differ"
    );
    let _ = explained.to_string();
    decision
}

/// What a request that was read must be.
fn check_request(request: &Request) {
    assert!(request.action().contains(':'), "an action with no service");
    assert_eq!(
        request.resource() == "*",
        request.resource_account().is_none(),
        "a resource's account is known exactly when it is not `*`"
    );
    for (key, values) in request.context().iter() {
        assert!(!key.is_empty(), "an empty context key");
        let _ = values.iter().map(|v| v.text().len()).sum::<usize>();
    }
}

/// Checks a loaded account: every principal decided alike by the compiled account, a set
/// built on its own, and `who_can`.
fn check_account(account: &Account) {
    let compiled = CompiledAccount::compile(account);
    let principals = account.principals();
    assert_eq!(compiled.principals(), principals.as_slice());
    let requests = fixed_requests();
    for principal in &principals {
        let builder = account
            .policy_set(principal)
            .unwrap_or_else(|e| panic!("a principal the account lists is unknown to it: {e}"));
        let Ok(own) = builder.build() else {
            assert!(compiled.policy_set(principal).is_err());
            continue;
        };
        for request in &requests[..3] {
            let alone = check_decision(&own, request);
            let shared = compiled
                .evaluate(principal, request)
                .expect("a principal of the account");
            assert_eq!(
                (shared.verdict, shared.policy_type, shared.deciding),
                (alone.verdict, alone.policy_type, alone.deciding),
                "{principal}: the compiled account and a set of its own disagree"
            );
            let in_account = compiled.policy_set(principal).expect("compiled");
            check_decision(in_account, request);
        }
    }
    for request in &requests[..3] {
        for answer in compiled.who_can(request) {
            let decision = compiled
                .evaluate(&answer.principal, request)
                .expect("a principal of the account");
            assert_eq!(
                (answer.decision, answer.policy_type),
                (decision.verdict, decision.policy_type),
                "who_can disagrees with evaluate for {}",
                answer.principal
            );
        }
    }
}

/// Every diagnostic renders, serializes, and points inside its source.
fn check_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        if let Some(location) = &diagnostic.location {
            check_span(location.source.text(), location.span, diagnostic.code());
        }
        let _ = render(diagnostic, Style::Plain);
        let _ = serde_json::to_string(diagnostic).expect("a diagnostic serializes");
    }
}

/// A span lies inside its text, on character boundaries, so that slicing the text with it
/// cannot panic.
fn check_span(text: &str, span: Span, code: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "`{code}` at {span:?}, outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "`{code}` at {span:?}, not on character boundaries"
    );
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(Diagnostic::code).collect()
}

fn system(name: &str) -> Policy {
    Policy::load(format!("system:{name}")).expect("a built-in policy")
}

fn principal() -> Principal {
    Principal {
        principal_type: "SubUser".into(),
        display_name: "fuzz".into(),
        owner_id: ACCOUNT_ID.into(),
    }
}

/// A policy that allows everything.
fn allow_all() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| {
        let all = Policy::from_text(
            "all",
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
        )
        .expect("a valid policy");
        PolicySet::builder()
            .identity(all)
            .build()
            .expect("a valid set")
    })
}

/// Requests over the repository's shapes: restores with full and partial context, another
/// account's resource, a describe on `*`, a key declared absent.
fn fixed_requests() -> &'static [Request] {
    static REQUESTS: OnceLock<Vec<Request>> = OnceLock::new();
    REQUESTS.get_or_init(|| {
        let time = || Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("a time");
        vec![
            Request::restore_instance("cn-hangzhou", ACCOUNT_ID, "r-bp1prod01")
                .context("acs:SourceIp", "10.1.2.3")
                .context("acs:MFAPresent", true)
                .context("acs:SecureTransport", true)
                .context("acs:ResourceTag/env", "prod")
                .at(time()),
            Request::restore_instance("cn-hangzhou", ACCOUNT_ID, "r-bp1stg01")
                .context("acs:MFAPresent", false)
                .absent("acs:SourceIp")
                .at(time()),
            Request::builder("kvstore:DescribeBackups", "*").at(time()),
            Request::restore_instance("cn-shanghai", "9999999999999999", "r-bp1prod01").at(time()),
            Request::builder("KVSTORE:restoreinstance", PROD_ARN)
                .context("acs:TagKeys", vec!["env", "team"])
                .context("kvstore:BackupRetention", 7)
                .at(time()),
        ]
        .into_iter()
        .map(|b| b.build().expect("a valid request"))
        .collect()
    })
}

/// Sets over every layer, with conditions on many keys.
fn fixed_sets() -> &'static [PolicySet] {
    static SETS: OnceLock<Vec<PolicySet>> = OnceLock::new();
    SETS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let file = |name: &str| Policy::from_path(dir.join(name)).expect("a policy of the repo");
        let text = |name: &str, text: &str| Policy::from_text(name, text).expect("a valid policy");
        let conditions = text(
            "conditions",
            r#"{"Version": "1", "Statement": [
              {"Effect": "Allow", "Action": ["kvstore:Restore*", "kvstore:Describe*"], "Resource": "*",
               "Condition": {"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
                             "DateLessThan": {"acs:CurrentTime": "2027-01-01T00:00:00Z"}}},
              {"Effect": "Deny", "NotAction": "kvstore:Describe*", "Resource": "acs:kvstore:*:*:instance/*prod*",
               "Condition": {"StringNotEquals": {"acs:ResourceTag/env": "prod"}}},
              {"Effect": "Allow", "Action": "*", "NotResource": "acs:kvstore:*:*:instance/r-bp1prod01",
               "Condition": {"ForAnyValue:StringLike": {"acs:TagKeys": "te*"},
                             "NumericLessThanEquals": {"kvstore:BackupRetention": "30"}}},
              {"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
               "Condition": {"Bool": {"acs:SecureTransport": "false"}}}]}"#,
        );
        let sets = [
            PolicySet::builder()
                .control(system("FullAliyunAccess"))
                .control(file("guardrails/no-prod-restore.json"))
                .identity(file("dba-restore.json"))
                .identity(conditions.clone())
                .resource_group_identity("rg-prod", file("prod-restore.json"))
                .resource_group("rg-prod", [PROD_ARN])
                .principal(principal())
                .build(),
            PolicySet::builder()
                .identity(file("auditor.json"))
                .session(file("restore-bot-session.json"))
                .identity(system("AliyunKvstoreFullAccess"))
                .build(),
            PolicySet::builder()
                .resource_group_identity("rg-all", conditions)
                .resource_group("rg-all", [PROD_ARN, STAGING_ARN])
                .build(),
        ];
        sets.into_iter()
            .map(|s| s.expect("a valid set"))
            .collect()
    })
}

fn assumptions() -> EventMapping {
    EventMapping::new()
        .assume("acs:MFAPresent", true)
        .assume("acs:SourceIp", "10.9.9.9")
        .assume("acs:CurrentTime", "2026-11-29T09:30:00Z")
        .assume("acs:SourceVpc", "vpc-fuzz")
}

/// Reads a log and decides it as `batch` does (against the repository's account, so each event
/// is decided by its own principal), with small limits so that they are reached: one record
/// per item, counted once, and never an `internal` error (a panic caught).
#[cfg(feature = "cli")]
fn read_log(data: &[u8]) {
    use crate::replay::{Decider, ItemReader, Limits, Policies, run};
    static ACCOUNT: OnceLock<CompiledAccount> = OnceLock::new();
    let account = ACCOUNT.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/account.json");
        CompiledAccount::from_path(path).expect("the repository's account")
    });
    let limits = Limits {
        max_line_bytes: 2048,
        max_document_bytes: 16384,
    };
    let mut reader = ItemReader::new(data, None, limits);
    let Ok(format) = reader.format() else {
        return;
    };
    let decider = Decider {
        policies: Policies::Account(account.clone()),
        format,
        mapping: EventMapping::new(),
        keep_subject: true,
    };
    let mut output = Vec::new();
    let summary = run(&decider, &mut reader, &mut output, 1);
    let output = String::from_utf8(output).expect("records are UTF-8");
    let lines = output.lines().count();
    for line in output.lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("a record is JSON");
        assert_ne!(
            record["code"], "internal",
            "an internal error (a panic caught) deciding an item: {line}"
        );
    }
    if let Ok(summary) = summary {
        assert_eq!(summary.records, lines, "records counted and written differ");
        assert_eq!(
            summary.records,
            summary.allowed + summary.denied + summary.skipped + summary.errors,
            "a record counted in no class, or twice"
        );
    }
}

/// Splits a text archive into relative paths and contents; `None` when it is not UTF-8, names
/// an unsafe path, or holds too many files.
fn archive(data: &[u8]) -> Option<Vec<(PathBuf, String)>> {
    let text = std::str::from_utf8(data).ok()?;
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("=== ") {
            let path = path.trim_end_matches(['\n', '\r']);
            let names: Vec<&str> = path.split('/').collect();
            let safe = |name: &&str| {
                !name.is_empty()
                    && *name != "."
                    && *name != ".."
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b))
            };
            if names.len() > 2 || !names.iter().all(safe) || files.len() >= 64 {
                return None;
            }
            files.push((PathBuf::from(path), String::new()));
        } else if let Some((_, content)) = files.last_mut() {
            content.push_str(line);
        }
    }
    Some(files)
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ramguard-fuzz-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temporary directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// The naive wildcard matcher.
// ---------------------------------------------------------------------------------------------

/// Characters the wildcard target draws from: wildcards, the ARN separators, ASCII letters in
/// both cases, and characters whose lowercase is another length or another script (`İ` folds
/// to two characters, the Kelvin sign to `k`, `Σ` to `σ` whatever follows it).
const ALPHABET: &[char] = &[
    '*', '*', '?', ':', '/', 'a', 'b', 'A', 'B', 'k', 'K', 'r', '-', 'İ', 'i', '\u{307}', 'K', 'Σ',
    'σ', 'ς', 'ß', 'é', 'É', '1',
];

/// Each character's `char::to_lowercase`, as actions are folded.
fn naive_fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

fn fold_if(s: &str, fold: bool) -> std::borrow::Cow<'_, str> {
    if fold {
        std::borrow::Cow::Owned(naive_fold(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Whether `pattern` matches the whole of `input`: `*` any run of characters, `?` exactly one,
/// everything else itself. Dynamic programming over characters, `O(pattern × input)`.
fn naive_match(pattern: &str, input: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = input.chars().collect();
    // row[j]: whether p[..i] matches s[..j].
    let mut row = vec![false; s.len() + 1];
    row[0] = true;
    for &pc in &p {
        let mut next = vec![false; s.len() + 1];
        if pc == '*' {
            let mut any = false;
            for j in 0..=s.len() {
                any |= row[j];
                next[j] = any;
            }
        } else {
            for j in 1..=s.len() {
                next[j] = row[j - 1] && (pc == '?' || pc == s[j - 1]);
            }
        }
        row = next;
    }
    row[s.len()]
}

// ---------------------------------------------------------------------------------------------
// Structured inputs for `evaluate`.
// ---------------------------------------------------------------------------------------------

/// Choices read from the fuzzer's bytes, zeros once they run out.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[self.below(from.len())]
    }

    /// One to three values drawn from `from`, as a JSON string or array.
    fn values(&mut self, from: &[&str]) -> serde_json::Value {
        let n = self.below(3) + 1;
        let values: Vec<serde_json::Value> = (0..n).map(|_| self.pick(from).into()).collect();
        if n == 1 && self.flag() {
            values.into_iter().next().unwrap_or_default()
        } else {
            serde_json::Value::Array(values)
        }
    }

    /// A short pattern over a few characters that occur in actions or ARNs.
    fn generated(&mut self, letters: &[char]) -> String {
        let n = self.below(12) + 1;
        (0..n).map(|_| letters[self.below(letters.len())]).collect()
    }
}

const ACTIONS: &[&str] = &[
    "kvstore:RestoreInstance",
    "kvstore:*",
    "*",
    "kvstore:Restore*",
    "kvstore:Describe*",
    "kvstore:DescribeBackups",
    "ecs:*",
    "KVStore:restoreINSTANCE",
    "kvstore:?estoreInstance",
    "kvstore:*Instance",
    "kvstore:R*e*e",
    "*:*",
];

const RESOURCES: &[&str] = &[
    "*",
    "acs:kvstore:*:*:instance/r-*",
    PROD_ARN,
    STAGING_ARN,
    "acs:kvstore:*:*:*",
    "acs:kvstore:cn-*:*:instance/*prod*",
    "acs:*:*:*:*",
    "acs:kvstore:*:9999999999999999:instance/*",
    "acs:kvstore:*:1234567890123456:instance/r-bp1???01",
    "acs:kvstore:*:*:instance/R-BP1PROD01",
    "acs:kvstore:cn-hangzhou:*:instance/r-bp1prod01*",
    "acs:kvstore:*:*:instance/*/*",
];

/// Condition keys with the operators and values of their type.
const KEYS: &[(&str, &[&str], &[&str])] = &[
    ("acs:MFAPresent", BOOL_OPS, &["true", "false", "TRUE"]),
    ("acs:SecureTransport", BOOL_OPS, &["true", "false"]),
    (
        "acs:SourceIp",
        IP_OPS,
        &[
            "10.0.0.0/8",
            "10.1.2.3",
            "192.168.0.0/16",
            "::/0",
            "10.1.2.0/24",
        ],
    ),
    (
        "acs:CurrentTime",
        DATE_OPS,
        &[
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
            "2026-11-29T09:30:00Z",
            "2026-11-29T17:30:00+08:00",
        ],
    ),
    (
        "acs:ResourceTag/env",
        STRING_OPS,
        &["prod", "staging", "pr*", "PROD", "?rod", ""],
    ),
    ("acs:TagKeys", STRING_OPS, &["env", "team", "e*", "TEAM"]),
    (
        "kvstore:BackupRetention",
        NUMERIC_OPS,
        &["7", "30", "1.5", "-1", "7.0"],
    ),
];

const BOOL_OPS: &[&str] = &["Bool"];
const IP_OPS: &[&str] = &["IpAddress", "NotIpAddress"];
const DATE_OPS: &[&str] = &[
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
];
const STRING_OPS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
];
const NUMERIC_OPS: &[&str] = &[
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
];

/// A policy document of one to three statements (Deny statements only when `deny_only`).
fn policy_text(u: &mut Choices<'_>, deny_only: bool) -> String {
    let n = u.below(3) + 1;
    let statements: Vec<serde_json::Value> = (0..n)
        .map(|_| {
            let mut statement = serde_json::Map::new();
            let effect = if deny_only || u.flag() {
                "Deny"
            } else {
                "Allow"
            };
            statement.insert("Effect".into(), effect.into());
            let action = if u.below(4) == 0 {
                serde_json::Value::String(format!(
                    "kvstore:{}",
                    u.generated(&['R', 'e', 's', 't', 'o', 'I', '*', '?', 'D'])
                ))
            } else {
                u.values(ACTIONS)
            };
            let action_key = if u.below(5) == 0 {
                "NotAction"
            } else {
                "Action"
            };
            statement.insert(action_key.into(), action);
            let resource = if u.below(5) == 0 {
                serde_json::Value::String(format!(
                    "acs:kvstore:*:*:instance/{}",
                    u.generated(&['r', '-', 'b', 'p', '1', '*', '?', '/'])
                ))
            } else {
                u.values(RESOURCES)
            };
            let resource_key = if u.below(5) == 0 {
                "NotResource"
            } else {
                "Resource"
            };
            statement.insert(resource_key.into(), resource);
            let conditions = u.below(4);
            if conditions > 0 {
                let mut blocks = serde_json::Map::new();
                for _ in 0..conditions {
                    let (key, ops, values) = KEYS[u.below(KEYS.len())];
                    let mut operator = u.pick(ops).to_string();
                    match u.below(6) {
                        0 => operator.insert_str(0, "ForAnyValue:"),
                        1 => operator.insert_str(0, "ForAllValues:"),
                        _ => {}
                    }
                    let key = if u.below(8) == 0 {
                        key.to_ascii_uppercase()
                    } else {
                        key.to_string()
                    };
                    let value = u.values(values);
                    let block = blocks
                        .entry(operator)
                        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                    if let serde_json::Value::Object(block) = block {
                        block.insert(key, value);
                    }
                }
                statement.insert("Condition".into(), serde_json::Value::Object(blocks));
            }
            serde_json::Value::Object(statement)
        })
        .collect();
    serde_json::json!({"Version": "1", "Statement": statements}).to_string()
}

/// A request for one of a few actions on one of a few resources, with some context.
fn request_from(u: &mut Choices<'_>) -> Option<Request> {
    let action = u.pick(&[
        "kvstore:RestoreInstance",
        "kvstore:DescribeBackups",
        "KVSTORE:RestoreInstance",
        "ecs:DeleteDisk",
        "kvstore:restoreinstance",
    ]);
    let resource = u.pick(&[
        PROD_ARN,
        STAGING_ARN,
        "acs:kvstore:cn-hangzhou:9999999999999999:instance/r-bp1prod01",
        "*",
        "acs:kvstore:cn-shanghai:1234567890123456:instance/r-bp1prod01/x",
    ]);
    let mut builder = Request::builder(action, resource);
    for (key, _, _) in KEYS {
        match u.below(4) {
            0 => {}
            1 if *key != "acs:CurrentTime" && *key != "acs:SecureTransport" => {
                builder = builder.absent(*key);
            }
            _ => {
                builder = match *key {
                    "acs:MFAPresent" | "acs:SecureTransport" => builder.context(*key, u.flag()),
                    "acs:SourceIp" => builder.context(
                        *key,
                        u.pick(&["10.1.2.3", "192.168.0.1", "::1", "172.16.0.1"]),
                    ),
                    "acs:CurrentTime" => builder.context(
                        *key,
                        u.pick(&[
                            "2026-11-29T09:30:00Z",
                            "2020-01-01T00:00:00Z",
                            "2030-06-01T12:00:00+08:00",
                        ]),
                    ),
                    "acs:TagKeys" => {
                        builder.context(*key, vec![u.pick(&["env", "team", "Env"]), "x"])
                    }
                    "kvstore:BackupRetention" => match u.below(3) {
                        0 => builder.context(*key, 7),
                        1 => builder.context(*key, "30"),
                        _ => builder.context(*key, "1.50"),
                    },
                    _ => builder.context(*key, u.pick(&["prod", "staging", "Prod", ""])),
                };
            }
        }
    }
    builder
        .at(Timestamp::parse_rfc3339("2026-11-29T09:30:00Z").expect("a time"))
        .build()
        .ok()
}
