//! `prove`: exact answers on small cases, the command line, and a brute-force comparison over
//! every request of a tiny alphabet (docs/semantics.md §8).

mod common;

use std::time::Duration;

use common::{Scratch, output};
use ramguard::prove::{
    Budget, NeverAllows, NoNewAccess, Outcome, Proof, ProveError, redundant_statements,
};
use ramguard::request::Request;
use ramguard::{Policy, PolicySet};

fn policy(name: &str, statements: &str) -> Policy {
    let text = format!(r#"{{"Version": "1", "Statement": [{statements}]}}"#);
    Policy::from_text(name, &text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"))
}

fn set(identity: &[Policy], control: &[Policy]) -> PolicySet {
    let mut builder = PolicySet::builder();
    for p in identity {
        builder = builder.identity(p.clone());
    }
    for p in control {
        builder = builder.control(p.clone());
    }
    builder.build().expect("set builds")
}

/// A set of one identity policy holding `statements`.
fn identity(statements: &str) -> PolicySet {
    set(&[policy("p", statements)], &[])
}

/// A statement of `effect` on every kvstore action and resource, under `conditions` (the
/// members of its `Condition`).
fn on_kvstore(effect: &str, conditions: &str) -> String {
    format!(
        r#"{{"Effect": "{effect}", "Action": "kvstore:*", "Resource": "*", "Condition": {{{conditions}}}}}"#
    )
}

const ALLOW_ALL_KVSTORE: &str = r#"{"Effect": "Allow", "Action": "kvstore:*", "Resource": "*"}"#;

/// The request file of a witness restoring `resource` with `context` (its JSON members).
fn restore(resource: &str, context: &str) -> String {
    format!(
        r#"{{"action":"kvstore:RestoreInstance","resource":"{resource}","context":{{{context}}}}}"#
    )
}

/// The time every witness carries unless a condition asks for another.
const AT: &str = r#""acs:CurrentTime":"2026-01-01T00:00:00Z""#;

fn budget() -> Budget {
    Budget {
        time: Duration::from_secs(30),
        memory: 256 << 20,
    }
}

/// `never-allows` for `action` on `resource` unless `require`d values are carried.
fn ask(
    set: &PolicySet,
    action: &str,
    resource: &str,
    require: &[(&str, &str)],
) -> Result<Proof, ProveError> {
    NeverAllows {
        set,
        action: action.into(),
        resource: resource.into(),
        require: require
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
    .prove(budget())
}

/// `never-allows` for restores, which the test asks correctly.
fn never_allows(set: &PolicySet, resource: &str, require: &[(&str, &str)]) -> Proof {
    ask(set, "kvstore:RestoreInstance", resource, require).expect("the query can be asked")
}

fn witness(proof: &Proof) -> String {
    match &proof.outcome {
        Outcome::Violated(w) => serde_json::to_string(&w.request_file).unwrap(),
        other => panic!("expected a violation, got {other}"),
    }
}

#[test]
fn a_guardrail_on_mfa_holds_only_when_a_missing_key_is_covered() {
    // `Bool false` does not hold on a missing key: a request without acs:MFAPresent passes.
    let weak = set(
        &[policy("grant", ALLOW_ALL_KVSTORE)],
        &[policy(
            "guard",
            &format!(
                r#"{ALLOW_ALL_KVSTORE}, {{"Effect": "Deny", "Action": "kvstore:RestoreInstance", "Resource": "*",
                   "Condition": {{"Bool": {{"acs:MFAPresent": "false"}}}}}}"#
            ),
        )],
    );
    let proof = never_allows(
        &weak,
        "acs:kvstore:*:*:instance/r-*prod*",
        &[("acs:MFAPresent", "true")],
    );
    assert_eq!(
        witness(&proof),
        restore(
            "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod",
            AT
        )
    );
    // The guard that works lets through only what carries true: an Allow under `Bool true`
    // in the control layer, which a missing key fails.
    let strong = set(
        &[policy("grant", ALLOW_ALL_KVSTORE)],
        &[policy(
            "guard",
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"acs:MFAPresent": "true"}}}"#,
        )],
    );
    let proof = never_allows(
        &strong,
        "acs:kvstore:*:*:instance/r-*prod*",
        &[("acs:MFAPresent", "true")],
    );
    assert!(matches!(proof.outcome, Outcome::Holds), "{}", proof.outcome);
}

#[test]
fn a_multi_valued_key_can_carry_the_required_value_and_another() {
    // Allowed when some value is in 10.0.0.0/8; required: 192.0.2.1 among the values.
    let grant = identity(&on_kvstore(
        "Allow",
        r#""IpAddress": {"acs:SourceIp": "10.0.0.0/8"}"#,
    ));
    let proof = never_allows(&grant, "*", &[("acs:SourceIp", "192.0.2.1")]);
    assert_eq!(
        witness(&proof),
        restore("*", &format!(r#"{AT},"acs:SourceIp":"10.0.0.0""#))
    );
    // ForAllValues over the same network: a request with only 192.0.2.1 fails it, one
    // without the key passes it vacuously.
    let all = identity(&on_kvstore(
        "Allow",
        r#""ForAllValues:IpAddress": {"acs:SourceIp": "10.0.0.0/8"}"#,
    ));
    assert_eq!(witness(&never_allows(&all, "*", &[])), restore("*", AT));
}

#[test]
fn time_windows_are_decided_to_the_second() {
    // Allowed only inside [t1, t2); denied after a freeze time. A window's start is never
    // allowed when the freeze starts before it.
    let window = on_kvstore(
        "Allow",
        r#""DateGreaterThanEquals": {"acs:CurrentTime": "2026-06-01T00:00:00Z"},
           "DateLessThan": {"acs:CurrentTime": "2026-07-01T00:00:00Z"}"#,
    );
    let freeze = |after: &str| {
        on_kvstore(
            "Deny",
            &format!(r#""DateGreaterThan": {{"acs:CurrentTime": "{after}"}}"#),
        )
    };
    let frozen = identity(&format!("{window}, {}", freeze("2026-05-31T23:59:59Z")));
    assert!(matches!(
        never_allows(&frozen, "*", &[]).outcome,
        Outcome::Holds
    ));
    // A freeze from the window's first second on leaves that second.
    let open = identity(&format!("{window}, {}", freeze("2026-06-01T00:00:00Z")));
    assert_eq!(
        witness(&never_allows(&open, "*", &[])),
        restore("*", r#""acs:CurrentTime":"2026-06-01T00:00:00Z""#)
    );
}

#[test]
fn no_new_access_finds_the_widened_grant() {
    let old = identity(
        r#"{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-stg*"}"#,
    );
    let new = identity(
        r#"{"Effect": "Allow", "Action": "kvstore:Restore*", "Resource": "acs:kvstore:*:*:instance/r-*"}"#,
    );
    let query = |old, new| NoNewAccess {
        old,
        new,
        action: None,
        resource: None,
    };
    let proof = query(&old, &new).prove(budget()).unwrap();
    let Outcome::Violated(w) = &proof.outcome else {
        panic!("{}", proof.outcome)
    };
    assert_eq!(
        serde_json::to_string(&w.request_file).unwrap(),
        format!(
            r#"{{"action":"kvstore:restore","resource":"acs:kvstore:cn-hangzhou:1234567890123456:instance/r-","context":{{{AT}}}}}"#
        )
    );
    assert_eq!(
        w.decisions
            .iter()
            .map(|(l, d)| format!("{l}: {}", d.verdict))
            .collect::<Vec<_>>(),
        ["old: ImplicitDeny", "new: Allow"]
    );
    // The other way round, nothing is new.
    let proof = query(&new, &old).prove(budget()).unwrap();
    assert!(matches!(proof.outcome, Outcome::Holds), "{}", proof.outcome);
}

#[test]
fn a_pattern_maze_beyond_the_budget_is_unknown_not_holds() {
    // Allowed only on resources holding 24 infixes and not ending in `a` and 12 characters:
    // the automata product has millions of states.
    let mut statements = vec![ALLOW_ALL_KVSTORE.to_owned()];
    for i in 0..24 {
        statements.push(format!(
            r#"{{"Effect": "Deny", "Action": "kvstore:*", "NotResource": "acs:*k{i}z*"}}"#
        ));
    }
    statements.push(
        r#"{"Effect": "Deny", "Action": "kvstore:*", "Resource": "acs:*a????????????"}"#.into(),
    );
    let maze = identity(&statements.join(","));
    let proof = NeverAllows {
        set: &maze,
        action: "kvstore:RestoreInstance".into(),
        resource: "*".into(),
        require: Vec::new(),
    }
    .prove(Budget {
        time: Duration::from_millis(300),
        memory: 64 << 20,
    })
    .unwrap();
    let Outcome::Unknown(reason) = &proof.outcome else {
        panic!("{}", proof.outcome)
    };
    assert!(reason.starts_with("the budget ran out"), "{reason}");
    assert!(
        proof.elapsed < Duration::from_secs(10),
        "{:?}",
        proof.elapsed
    );
}

#[test]
fn keys_read_by_two_families_are_unknown_with_the_reason() {
    let mixed = identity(&on_kvstore(
        "Allow",
        r#""StringLike": {"kvstore:Tier": "gold*"}, "NumericLessThan": {"kvstore:Tier": "3"}"#,
    ));
    let Outcome::Unknown(reason) = never_allows(&mixed, "*", &[]).outcome else {
        panic!("expected unknown")
    };
    assert_eq!(
        reason,
        "condition key `kvstore:Tier` is read by operators of two families; `prove` decides one family per key"
    );
}

#[test]
fn bad_queries_are_errors_not_answers() {
    let empty = set(&[], &[]);
    let error = |action: &str, resource: &str, require: &[(&str, &str)]| {
        ask(&empty, action, resource, require)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error("RestoreInstance", "*", &[]),
        "`RestoreInstance` is not an action: write `<ram-code>:<action-name>`, e.g. `kvstore:RestoreInstance`"
    );
    // A scope no resource can match would make every property hold: refused.
    assert_eq!(
        error("kvstore:RestoreInstance", "r-*prod*", &[]),
        "`--resource r-*prod*`: resource must start with `acs:` or be `*`, found `r-*prod*`"
    );
    assert_eq!(
        error("kvstore:RestoreInstance", "acs:kvstore:::", &[]),
        "`--resource acs:kvstore:::`: it matches no resource a request can name (`*`, or `acs:<service>:<region>:<account>:<relative-id>` with a service and a relative id)"
    );
    let wrong_type = error("kvstore:RestoreInstance", "*", &[("acs:MFAPresent", "yes")]);
    assert!(
        wrong_type
            .starts_with("`--require acs:MFAPresent=yes`: `acs:MFAPresent` holds boolean values"),
        "{wrong_type}"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line.

#[test]
fn cli_proves_the_shipped_guardrail_and_exits_0() {
    let (code, stdout, _) = output(&[
        "prove",
        "never-allows",
        "--policy",
        "policies/dba-restore.json",
        "--control-policy",
        "policies/guardrails/no-prod-restore.json",
        "--resource",
        "acs:kvstore:*:*:instance/r-*prod*",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with(
        "holds: no request for kvstore:RestoreInstance on a resource matching acs:kvstore:*:*:instance/r-*prod* is allowed\n"
    ), "{stdout}");
}

#[test]
fn cli_reports_a_violation_as_json_with_a_witness_eval_confirms() {
    let (code, stdout, _) = output(&[
        "prove",
        "never-allows",
        "--policy",
        "policies/dba-restore.json",
        "--resource",
        "acs:kvstore:*:*:instance/r-*prod*",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["result"], "violated");
    assert_eq!(
        report["witness"].to_string(),
        restore(
            "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod",
            &format!(r#"{AT},"acs:MFAPresent":true,"acs:SourceIp":"10.0.0.0""#)
        )
    );
    assert_eq!(report["decisions"]["policies"]["verdict"], "Allow");
    assert_eq!(report["decisions"]["policies"]["statement"]["statement"], 1);
    assert!(report["elapsed_ms"].as_f64().unwrap() >= 0.0);
    // `eval` decides the witness the same way.
    let scratch = Scratch::new("witness");
    let file = scratch.file("witness.json", &report["witness"].to_string());
    let (code, stdout, _) = output(&[
        "eval",
        "--policy",
        "policies/dba-restore.json",
        "--request",
        &file,
    ]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn cli_no_new_access_gates_a_change_and_exits_by_the_answer() {
    let (code, stdout, _) = output(&[
        "prove",
        "no-new-access",
        "--old-policy",
        "policies/dba-restore.json",
        "--new-policy",
        "policies/dba-restore.json",
        "--new-policy",
        "policies/prod-restore.json",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with("violated: the new policies allow a request the old policies did not\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "old: ImplicitDeny (AccountLevelIdentityBasedPolicy): no statement allows it\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("new: Allow (AccountLevelIdentityBasedPolicy) by policies/prod-restore.json statement 0 (RestoreWithMfa), line 4, column 5\n"), "{stdout}");
    let (code, stdout, _) = output(&[
        "prove",
        "no-new-access",
        "--old-policy",
        "policies/dba-restore.json",
        "--new-policy",
        "policies/dba-restore.json",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout
            .starts_with("holds: every request the new policies allow, the old policies allowed\n"),
        "{stdout}"
    );
    // A control policy from stdin is read once and applies to both sides: denying all, it
    // leaves nothing new.
    let out = common::ramguard()
        .args([
            "prove",
            "no-new-access",
            "--old-policy",
            "policies/dba-restore.json",
            "--new-policy",
            "policies/prod-restore.json",
            "--control-policy",
            "-",
        ])
        .write_stdin(
            r#"{"Version": "1", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#,
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("holds: "), "{stdout}");
}

#[test]
fn cli_budget_and_input_errors_have_their_own_exit_codes() {
    let never_allows = |extra: &[&str]| {
        let mut args = vec![
            "prove",
            "never-allows",
            "--policy",
            "policies/dba-restore.json",
            "--resource",
            "*",
        ];
        args.extend_from_slice(extra);
        output(&args)
    };
    for (flag, value, error) in [
        (
            "--budget",
            "a fortnight",
            "error: invalid value 'a fortnight' for '--budget <TIME[,SIZE]>': `a fortnight` is not a time (60s, 500ms, 2m) or a size (512MiB)",
        ),
        (
            "--require",
            "acs:MFAPresent",
            "error: invalid value 'acs:MFAPresent' for '--require <KEY=VALUE>': expected KEY=VALUE, e.g. acs:SourceVpc=vpc-ops01, found `acs:MFAPresent`",
        ),
    ] {
        let (code, _, stderr) = never_allows(&[flag, value]);
        assert_eq!((code, stderr.lines().next()), (2, Some(error)));
    }
    // A misspelt action answers, with a warning: nothing allows an action nobody calls.
    let (code, _, stderr) = never_allows(&["--action", "kvstore:RestorInstance"]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning: `kvstore:RestorInstance` is not a known kvstore action\n  = help: did you mean `kvstore:RestoreInstance`? A property of an action nobody calls holds vacuously\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Brute force: every request over a tiny alphabet, decided by the evaluator, against `prove`.

/// A small deterministic generator (xorshift), so that the run is the same every time.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const ACTION_PATTERNS: &[&str] = &[
    "kv:a", "kv:*", "kv:?", "*", "kv:a*", "k*:b", "KV:B", "kv:ab",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "acs:s:*:1:x*",
    "acs:s:*",
    "acs:*:y",
    "acs:s:?:*",
    "acs:s::1:x",
    "acs:*x*",
    "acs:s:r:*:?",
];
const CONDITIONS: &[&str] = &[
    r#""Bool": {"acs:MFAPresent": "true"}"#,
    r#""Bool": {"acs:MFAPresent": "false"}"#,
    r#""NumericLessThan": {"kv:n": "2"}"#,
    r#""NumericGreaterThanEquals": {"kv:n": ["2.5", "1"]}"#,
    r#""NumericNotEquals": {"kv:n": "3"}"#,
    r#""ForAllValues:NumericLessThan": {"kv:n": "3"}"#,
    r#""StringLike": {"acs:SourceVpc": "v*"}"#,
    r#""StringNotEquals": {"acs:SourceVpc": "v1"}"#,
    r#""ForAnyValue:StringEquals": {"acs:SourceVpc": ["v1", "x"]}"#,
    r#""ForAllValues:StringNotLike": {"acs:SourceVpc": "*1"}"#,
    r#""StringEqualsIgnoreCase": {"acs:SourceVpc": "V1"}"#,
    r#""ForAnyValue:StringNotEqualsIgnoreCase": {"acs:SourceVpc": ["X", "v2"]}"#,
    r#""IpAddress": {"acs:SourceIp": "10.0.0.0/8"}"#,
    r#""NotIpAddress": {"acs:SourceIp": ["10.1.0.0/16"]}"#,
];
/// Every action and resource the brute force tries (longer ones behave like these).
const ACTIONS: &[&str] = &[
    "kv:a", "kv:b", "kv:ab", "kv:c", "kv:aa", "ka:b", "zz:a", "KV:A",
];
const RESOURCES: &[&str] = &[
    "*",
    "acs:s::1:x",
    "acs:s:r:1:x",
    "acs:s:r:1:xa",
    "acs:s:r:2:y",
    "acs:t:r:1:y",
    "acs:s:rr:1:x",
    "acs:s:r:1:z:y",
    "acs:s:::c",
];
const MFA: &[&str] = &[
    "",
    r#""acs:MFAPresent": true"#,
    r#""acs:MFAPresent": false"#,
    r#""acs:MFAPresent": [true, false]"#,
];
const NUMBERS: &[&str] = &[
    "",
    r#""kv:n": 1"#,
    r#""kv:n": "2.5""#,
    r#""kv:n": 3"#,
    r#""kv:n": "junk""#,
    r#""kv:n": [1, 3]"#,
];
const VPCS: &[&str] = &[
    "",
    r#""acs:SourceVpc": "v1""#,
    r#""acs:SourceVpc": "V1""#,
    r#""acs:SourceVpc": "v2""#,
    r#""acs:SourceVpc": "x""#,
    r#""acs:SourceVpc": ["v1", "x"]"#,
    r#""acs:SourceVpc": ["V1", "X"]"#,
];
const IPS: &[&str] = &[
    "",
    r#""acs:SourceIp": "10.1.2.3""#,
    r#""acs:SourceIp": "10.2.0.1""#,
    r#""acs:SourceIp": "192.0.2.1""#,
];

fn random_statement(rng: &mut Rng) -> String {
    let effect = if rng.below(3) == 0 { "Deny" } else { "Allow" };
    let list = |rng: &mut Rng, items: &[&str]| {
        let n = 1 + rng.below(2);
        let chosen: Vec<String> = (0..n).map(|_| format!("\"{}\"", rng.pick(items))).collect();
        format!("[{}]", chosen.join(", "))
    };
    let action_key = if rng.below(6) == 0 {
        "NotAction"
    } else {
        "Action"
    };
    let resource_key = if rng.below(6) == 0 {
        "NotResource"
    } else {
        "Resource"
    };
    let actions = list(rng, ACTION_PATTERNS);
    let resources = list(rng, RESOURCE_PATTERNS);
    let mut conditions: Vec<&str> = Vec::new();
    for _ in 0..rng.below(3) {
        let c = rng.pick(CONDITIONS);
        // One operator per statement condition block: JSON members must not repeat.
        let op = c.split('"').nth(1).unwrap();
        if !conditions.iter().any(|d| d.split('"').nth(1) == Some(op)) {
            conditions.push(c);
        }
    }
    let condition = if conditions.is_empty() {
        String::new()
    } else {
        format!(r#", "Condition": {{{}}}"#, conditions.join(", "))
    };
    format!(
        r#"{{"Effect": "{effect}", "{action_key}": {actions}, "{resource_key}": {resources}{condition}}}"#
    )
}

fn random_policy(rng: &mut Rng, name: &str) -> Policy {
    let n = 1 + rng.below(3);
    let statements: Vec<String> = (0..n).map(|_| random_statement(rng)).collect();
    policy(name, &statements.join(", "))
}

/// A random set: identity policies, and sometimes a control policy, a session policy, a
/// resource group with its own policy, a principal (which limits identity policies to its
/// account, `1`).
fn random_set(rng: &mut Rng, name: &str) -> PolicySet {
    let mut builder = PolicySet::builder().identity(random_policy(rng, name));
    if rng.below(4) == 0 {
        builder = builder.control(random_policy(rng, "control"));
    }
    if rng.below(5) == 0 {
        builder = builder.session(random_policy(rng, "session"));
    }
    if rng.below(3) == 0 {
        let members = [rng.pick(RESOURCES), rng.pick(RESOURCES)];
        builder = builder
            .resource_group_identity("rg", random_policy(rng, "grouped"))
            .resource_group("rg", members);
    }
    if rng.below(3) == 0 {
        builder = builder.principal(ramguard::eval::Principal {
            principal_type: "SubUser".into(),
            display_name: "alice".into(),
            owner_id: "1".into(),
        });
    }
    builder.build().expect("set builds")
}

/// Every request of the tiny alphabet, for `actions`.
fn all_requests(actions: &[&str]) -> Vec<Request> {
    let mut requests = Vec::new();
    for action in actions {
        for resource in RESOURCES {
            for mfa in MFA {
                for n in NUMBERS {
                    for vpc in VPCS {
                        for ip in IPS {
                            let entries: Vec<&str> = [*mfa, *n, *vpc, *ip]
                                .into_iter()
                                .filter(|e| !e.is_empty())
                                .collect();
                            let text = format!(
                                r#"{{"action": "{action}", "resource": "{resource}", "context": {{{}}}}}"#,
                                entries.join(", ")
                            );
                            requests.push(Request::from_json_text(&text).expect("valid request"));
                        }
                    }
                }
            }
        }
    }
    requests
}

#[test]
fn prove_agrees_with_brute_force_over_a_tiny_alphabet() {
    let requests = all_requests(ACTIONS);
    let fixed: Vec<&Request> = requests
        .iter()
        .filter(|r| r.action().eq_ignore_ascii_case("kv:a"))
        .collect();
    let mut rng = Rng(0x5eed_cafe);
    let (mut holds, mut violated) = (0, 0);
    for case in 0..120 {
        let current = random_set(&mut rng, "p");
        // never-allows kv:a on a scope, optionally requiring MFA.
        let scope = rng.pick(&["*", "acs:s:*", "acs:*x*"]);
        let require: Vec<(String, String)> = match rng.below(3) {
            0 => vec![("acs:MFAPresent".into(), "true".into())],
            1 => vec![("acs:SourceVpc".into(), "v1".into())],
            _ => Vec::new(),
        };
        let proof = NeverAllows {
            set: &current,
            action: "kv:a".into(),
            resource: scope.into(),
            require: require.clone(),
        }
        .prove(budget())
        .unwrap_or_else(|e| panic!("case {case}: {e}"));
        let scope_matches = |r: &Request| {
            scope == "*"
                || (scope == "acs:s:*" && r.resource().starts_with("acs:s:"))
                || (scope == "acs:*x*"
                    && r.resource().starts_with("acs:")
                    && r.resource()[4..].contains('x'))
        };
        let carries = |r: &Request| {
            require.iter().all(|(k, v)| {
                r.context().get(k).iter().any(|value| match value.input() {
                    ramguard::request::ContextInput::Bool(b) => b.to_string() == *v,
                    other => other_text(other) == *v,
                })
            }) && !require.is_empty()
        };
        let counterexample = fixed
            .iter()
            .find(|r| scope_matches(r) && current.evaluate(r).is_allowed() && !carries(r));
        match (&proof.outcome, counterexample) {
            (Outcome::Holds, Some(r)) => panic!(
                "case {case}: prove says holds, but {} on {} with {:?} is allowed",
                r.action(),
                r.resource(),
                r.context()
            ),
            (Outcome::Holds, None) => holds += 1,
            (Outcome::Violated(_), _) => violated += 1,
            (Outcome::Unknown(reason), _) => panic!("case {case}: unknown: {reason}"),
        }

        // no-new-access between two random sets, over every action.
        let other = random_set(&mut rng, "q");
        let proof = NoNewAccess {
            old: &current,
            new: &other,
            action: None,
            resource: None,
        }
        .prove(budget())
        .unwrap_or_else(|e| panic!("case {case}: {e}"));
        let new_access = requests
            .iter()
            .find(|r| other.evaluate(r).is_allowed() && !current.evaluate(r).is_allowed());
        match (&proof.outcome, new_access) {
            (Outcome::Holds, Some(r)) => panic!(
                "case {case}: prove says no new access, but {} on {} is newly allowed",
                r.action(),
                r.resource()
            ),
            (Outcome::Holds, None) => holds += 1,
            (Outcome::Violated(_), _) => violated += 1,
            (Outcome::Unknown(reason), _) => panic!("case {case}: unknown: {reason}"),
        }
    }
    // Both answers occur, so both directions of the comparison were exercised.
    assert!(
        holds >= 10 && violated >= 10,
        "holds {holds}, violated {violated}"
    );
}

fn other_text(input: &ramguard::request::ContextInput) -> String {
    match input {
        ramguard::request::ContextInput::String(s) | ramguard::request::ContextInput::Number(s) => {
            s.clone()
        }
        ramguard::request::ContextInput::Bool(b) => b.to_string(),
    }
}

#[test]
fn redundant_statements_change_no_decision_over_a_tiny_alphabet() {
    let requests = all_requests(ACTIONS);
    let allow_all = policy(
        "all",
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
    );
    let mut rng = Rng(0x0dd_ba11);
    let mut found = 0;
    for case in 0..80 {
        let n = 2 + rng.below(3);
        let statements: Vec<String> = (0..n).map(|_| random_statement(&mut rng)).collect();
        let whole = policy("p", &statements.join(", "));
        let findings = redundant_statements(&whole, &[], budget(), Duration::from_secs(60));
        // Each is redundant beside the statements it names alone.
        for found in &findings {
            let cover: Vec<&str> = found
                .covered_by
                .iter()
                .map(|&k| statements[k].as_str())
                .collect();
            let mut with: Vec<&str> = cover.clone();
            with.push(&statements[found.index]);
            let without = if cover.is_empty() {
                None
            } else {
                Some(policy("cover", &cover.join(", ")))
            };
            let with = policy("with", &with.join(", "));
            for context in [vec![], vec![allow_all.clone()]] {
                let with_it = set(&[vec![with.clone()], context.clone()].concat(), &[]);
                let without_it = set(
                    &[without.clone().into_iter().collect(), context.clone()].concat(),
                    &[],
                );
                if let Some(r) = requests.iter().find(|r| {
                    with_it.evaluate(r).is_allowed() != without_it.evaluate(r).is_allowed()
                }) {
                    panic!(
                        "case {case}: statement {} of {statements:?} is covered by {:?}, but not on {} {}",
                        found.index,
                        found.covered_by,
                        r.action(),
                        r.resource()
                    );
                }
            }
        }
        let redundant: Vec<usize> = findings.iter().map(|found| found.index).collect();
        if redundant.is_empty() {
            continue;
        }
        found += redundant.len();
        // They go all at once (each alone then goes too: more statements only cover more).
        let rest: Vec<&str> = statements
            .iter()
            .enumerate()
            .filter(|(i, _)| !redundant.contains(i))
            .map(|(_, s)| s.as_str())
            .collect();
        if rest.is_empty() {
            panic!("case {case}: every statement of {statements:?} is called redundant");
        }
        let without = policy("p", &rest.join(", "));
        // Alone, and beside a policy that allows everything: the two contexts where an
        // Allow and a Deny of the policy can make a difference.
        for context in [vec![], vec![allow_all.clone()]] {
            let with_them = set(&[vec![whole.clone()], context.clone()].concat(), &[]);
            let without_them = set(&[vec![without.clone()], context.clone()].concat(), &[]);
            if let Some(r) = requests.iter().find(|r| {
                with_them.evaluate(r).is_allowed() != without_them.evaluate(r).is_allowed()
            }) {
                panic!(
                    "case {case}: statements {redundant:?} of {statements:?} are called redundant, but removing them changes {} on {}",
                    r.action(),
                    r.resource()
                );
            }
        }
    }
    assert!(found >= 10, "only {found} redundant statements found");
}

#[test]
fn string_operators_on_a_boolean_key_are_decided_over_its_spellings() {
    // `StringEquals "false"` denies a request carrying JSON false (its text is "false"), and a
    // negated test denies a request without the key, but "False" passes both: RAM's own
    // value is one of these spellings, and it does not carry `true`.
    let guarded = identity(&format!(
        "{ALLOW_ALL_KVSTORE}, {}, {}",
        on_kvstore(
            "Deny",
            r#""StringEquals": {"acs:SecureTransport": "false"}"#
        ),
        on_kvstore("Deny", r#""StringNotLike": {"acs:SecureTransport": "*"}"#),
    ));
    assert_eq!(
        witness(&never_allows(
            &guarded,
            "*",
            &[("acs:SecureTransport", "true")]
        )),
        restore("*", &format!(r#"{AT},"acs:SecureTransport":"False""#))
    );
    let strict = identity(&on_kvstore(
        "Allow",
        r#""StringEqualsIgnoreCase": {"acs:SecureTransport": "true"}"#,
    ));
    assert!(matches!(
        never_allows(&strict, "*", &[("acs:SecureTransport", "true")]).outcome,
        Outcome::Holds
    ));
}

#[test]
fn cli_no_new_access_compares_a_principal_across_two_account_files() {
    let scratch = Scratch::new("accounts");
    let now = scratch.0.join("now.json").display().to_string();
    let (code, _, stderr) = output(&["account", "import", "tests/data/aliyun-export", "-o", &now]);
    assert_eq!(code, 0, "{stderr}");
    let account = std::fs::read_to_string(&now).unwrap();
    assert!(account.contains("instance/r-*stg*"));
    let proposed = scratch.file(
        "proposed.json",
        &account.replace("instance/r-*stg*", "instance/r-*"),
    );
    let prove = |old: &str, new: &str| {
        output(&[
            "prove",
            "no-new-access",
            "--principal",
            "user/erin",
            "--format",
            "json",
            "--old-account",
            old,
            "--new-account",
            new,
        ])
    };
    let (code, stdout, _) = prove(&now, &proposed);
    assert_eq!(code, 1, "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["decisions"]["old"]["verdict"], "ImplicitDeny");
    assert_eq!(report["decisions"]["new"]["verdict"], "Allow");
    assert_eq!(report["witness"]["action"], "kvstore:RestoreInstance");
    // Narrowing grants nothing new.
    let (code, stdout, _) = prove(&proposed, &now);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn cli_never_allows_over_an_account_answers_for_every_principal() {
    let (code, stdout, _) = output(&[
        "prove",
        "never-allows",
        "--account",
        "policies/account.json",
        "--resource",
        "acs:kvstore:*:*:instance/*",
        "--require",
        "acs:MFAPresent=true",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["result"], "violated");
    let answers: Vec<String> = report["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["principal"].as_str().unwrap(),
                p["result"].as_str().unwrap()
            )
        })
        .collect();
    // Only the role with AliyunKvstoreFullAccess restores without MFA; the control policy
    // does not guard `instance/*` beyond production.
    assert_eq!(
        answers,
        [
            "user/alice holds",
            "user/bob holds",
            "user/carol holds",
            "role/restore-bot holds",
            "role/kvstore-admin violated"
        ]
    );
    let admin = &report["principals"][4];
    assert_eq!(
        admin["decisions"]["policies"]["statement"]["file"],
        "system:AliyunKvstoreFullAccess"
    );
    // A session policy belongs to one role session.
    let (code, _, stderr) = output(&[
        "prove",
        "never-allows",
        "--account",
        "policies/account.json",
        "--session-policy",
        "policies/restore-bot-session.json",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: --session-policy applies to one role session\n"),
        "{stderr}"
    );
}

#[test]
fn a_witness_longer_than_a_request_may_be_is_unknown() {
    // Some value of 8,191 characters or more, but neither 8,191 nor 8,192: only 8,193 and
    // longer, which `Request` refuses.
    let q = "?".repeat(8191);
    let long = identity(&on_kvstore(
        "Allow",
        &format!(
            r#""StringLike": {{"kvstore:Tag": "{q}*"}},
               "StringNotLike": {{"kvstore:Tag": ["{q}", "{q}?"]}}"#
        ),
    ));
    let Outcome::Unknown(reason) = never_allows(&long, "*", &[]).outcome else {
        panic!("expected unknown")
    };
    assert_eq!(
        reason,
        "the shortest request found is longer than a request may be (8192 characters a value)"
    );
}

#[test]
fn a_key_compared_with_and_without_case_is_decided_over_every_character() {
    // Equal to `k` ignoring case, but neither `k` nor `K`: the Kelvin sign (U+212A) folds to `k`.
    let kelvin = identity(&on_kvstore(
        "Allow",
        r#""StringEqualsIgnoreCase": {"acs:ResourceTag/env": "K"},
           "StringNotEquals": {"acs:ResourceTag/env": ["k", "K"]}"#,
    ));
    assert_eq!(
        witness(&never_allows(&kelvin, "*", &[])),
        restore("*", &format!("{AT},\"acs:ResourceTag/env\":\"\u{212a}\""))
    );
    // Every spelling of `prod` denied: nothing is left.
    let spellings: Vec<String> = (0..16u32)
        .map(|mask| {
            "prod"
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask & (1 << i) == 0 {
                        c
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect()
        })
        .collect();
    let denied = identity(&format!(
        "{}, {}",
        on_kvstore(
            "Allow",
            r#""StringEqualsIgnoreCase": {"acs:ResourceTag/env": "prod"}"#
        ),
        on_kvstore(
            "Deny",
            &format!(
                r#""StringEquals": {{"acs:ResourceTag/env": {}}}"#,
                serde_json::to_string(&spellings).unwrap()
            )
        ),
    ));
    assert!(matches!(
        never_allows(&denied, "*", &[]).outcome,
        Outcome::Holds
    ));
}
