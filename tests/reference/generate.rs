//! Proptest strategies for the reference test: policy sets and requests drawn from small
//! alphabets, so that patterns, keys and values meet often enough to match, miss, and be junk.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use crate::model::{
    ConditionOp, Effect, Family, Group, List, OPERATORS, PValue, PolicyDoc, RValue, RequestModel,
    SetModel, Statement,
};

/// The principal's account; the pools name another one too (`9876543210987654`).
pub const OWN: &str = "1234567890123456";

pub const ACTION_PATTERNS: &[&str] = &[
    "kvstore:RestoreInstance",
    "kvstore:restoreinstance",
    "KVSTORE:RESTOREINSTANCE",
    "kvstore:Restore?nstance",
    "kvstore:Restore*",
    "kvstore:*Instance",
    "kvstore:Describe*",
    "kvstore:*",
    "k?store:*",
    "kv*:Re*ance",
    "*:RestoreInstance",
    "*:*",
    "*",
    "ecs:*",
    "r-kvstore:RestoreInstance",
    "kvstore:RestoreInstance?",
    "kvstore:R*",
    "kvstore:restore",
    "kvstore:*e",
    "*store:RestoreInstance",
    // The Kelvin sign folds to `k` (simple folding), one byte for three.
    "\u{212A}VSTORE:restore*",
    "kvstore:Éx*",
    "KVSTORE:éX*",
    // Characters whose lower case is not simple case folding (§2): `ſ`, `µ`, `ς` stay as they
    // are, `İ` lowers to two characters.
    "kvstore:Re\u{17F}tore*",
    "kvstore:\u{3BC}*",
    "kvstore:Restore?nstance",
    "kvstore:Restore??nstance",
];

pub const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "acs:*",
    "acs:*:*:*:*",
    "acs:kvstore:*",
    "acs:kvstore:*:*:*",
    "acs:kvstore:*:*:instance/r-*",
    "acs:kvstore:*:*:instance/r-??od",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-?rod",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/R-PROD",
    "acs:kvstore:cn-hangzhou:1234567890123456:*",
    "acs:kvstore:cn-*:*:instance/r-prod*",
    "acs:kvstore:*:1234567890123456:instance/*",
    "acs:kvstore:*:9876543210987654:*",
    "acs:kvstore:*:instance/r-prod",
    "acs:*:instance/r-*",
    "acs:kvstore:*:*:instance/r-a:*",
    "acs:kvstore:cn-hangzhou:*:instance/*:b",
    "acs:kvstore*b",
    "acs:ecs:*:*:*",
    "acs:*:cn-shanghai:*:instance/r-stg",
    // `?` standing for a colon: three literal colons.
    "acs:kvstore?cn-hangzhou:1234567890123456:instance/r-prod",
    "acs:kvstore:cn-hangzhou:1234567890123456?instance/r-prod*",
    "acs:kvstore:*:*:*prod",
    "acs:kvstore:*:*:instance/r-pro",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod0?",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod01",
];

pub const REQUEST_ACTIONS: &[&str] = &[
    "kvstore:RestoreInstance",
    "KVStore:restoreINSTANCE",
    "kvstore:RestoreXnstance",
    "kvstore:DescribeInstances",
    "kvstore:Restore",
    "kvstore:RestoreInstanceX",
    "ecs:DescribeInstances",
    "r-kvstore:RestoreInstance",
    "\u{212A}vstore:RestoreInstance",
    "kvstore:ÉxPORT",
    "kvstore:Restore\u{130}nstance",
    "kvstore:\u{B5}x",
];

/// The longest action, resource, context key or value a request may hold (§7).
pub const MAX_CHARS: usize = 8192;

/// Actions a request cannot name (§2).
pub const INVALID_ACTIONS: &[&str] = &["RestoreInstance", "kvstore:Restore:Instance", ":x"];

/// Resources a request cannot name (§2, §7).
pub const INVALID_RESOURCES: &[&str] = &[
    "r-prod",
    "acs:kvstore:cn-hangzhou:1234567890123456",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1\u{202E}10dorp",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-\t",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-\u{85}",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-\u{2067}x",
];

pub const REQUEST_RESOURCES: &[&str] = &[
    "*",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-Prod",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-prod01",
    "acs:kvstore:cn-shanghai:1234567890123456:instance/r-stg",
    "acs:kvstore:cn-hangzhou:9876543210987654:instance/r-prod",
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-a:b",
    "acs:ecs:cn-hangzhou:1234567890123456:instance/i-1",
    // Wildcards in a request are plain characters.
    "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-*",
    // Accounts that are not the principal's.
    "acs:kvstore:cn-hangzhou::instance/r-prod",
    "acs:kvstore:cn-hangzhou:*:instance/r-prod",
];

/// A value in a pool: `S` a string, `N` a JSON number (its text), `B` a boolean.
#[derive(Debug, Clone, Copy)]
pub enum V {
    S(&'static str),
    N(&'static str),
    B(bool),
}
use V::{B, N, S};

impl V {
    fn policy(self) -> PValue {
        match self {
            S(s) => PValue::Str(s.into()),
            N(n) => PValue::Num(n.into()),
            B(b) => PValue::Bool(b),
        }
    }

    fn request(self) -> RValue {
        match self {
            S(s) => RValue::Str(s.into()),
            N(n) => RValue::Num(n.into()),
            B(b) => RValue::Bool(b),
        }
    }
}

/// A condition key: its spellings (one key, letter case varied) and its natural family.
pub struct Key {
    pub spellings: &'static [&'static str],
    pub family: Family,
    /// One of RAM's typed global keys: a request value of another type is refused (§3).
    pub typed: bool,
}

pub const KEYS: &[Key] = &[
    Key {
        spellings: &["acs:MFAPresent", "ACS:MFAPRESENT", "acs:mfaPresent"],
        family: Family::Bool,
        typed: true,
    },
    Key {
        spellings: &["acs:SecureTransport", "acs:securetransport"],
        family: Family::Bool,
        typed: true,
    },
    Key {
        spellings: &["acs:SourceIp", "ACS:SOURCEIP", "acs:sourceIP"],
        family: Family::Ip,
        typed: true,
    },
    Key {
        spellings: &["acs:CurrentTime", "acs:currentTime", "ACS:CURRENTTIME"],
        family: Family::Date,
        typed: true,
    },
    Key {
        spellings: &["acs:SourceVpc", "acs:sourcevpc"],
        family: Family::String,
        typed: false,
    },
    Key {
        spellings: &["acs:ResourceTag/env", "ACS:resourcetag/ENV"],
        family: Family::String,
        typed: false,
    },
    Key {
        spellings: &["kvstore:ClientIp", "KVSTORE:clientip"],
        family: Family::Ip,
        typed: false,
    },
    Key {
        spellings: &[
            "kvstore:Capacity",
            "Kvstore:CAPACITY",
            "\u{212A}vstore:capacity",
        ],
        family: Family::Numeric,
        typed: false,
    },
    Key {
        spellings: &["kvstore:BackupTime", "kvstore:backuptime"],
        family: Family::Date,
        typed: false,
    },
    Key {
        spellings: &["kvstore:Encrypted", "KVSTORE:ENCRYPTED"],
        family: Family::Bool,
        typed: false,
    },
    Key {
        spellings: &["acs:SourceVpcIp", "ACS:sourcevpcip"],
        family: Family::Ip,
        typed: true,
    },
];

/// Policy values for an operator family: every one valid for it (an invalid one is a load
/// error), chosen to meet the request values below.
pub fn policy_pool(family: Family) -> &'static [V] {
    match family {
        Family::String => &[
            S("prod"),
            S("PROD"),
            S("Prod"),
            S("prod*"),
            S("p?od"),
            S("?*"),
            S("*"),
            S(""),
            S("staging"),
            S("vpc-*"),
            S("vpc-123"),
            S("true"),
            S("5"),
            S("p?d"),
            S("ÉTÉ"),
            S("\u{212A}ey"),
            S("STRA\u{1E9E}E"),
        ],
        Family::Numeric => &[
            N("5"),
            S("5"),
            S("+5"),
            N("5.0"),
            N("1e1"),
            N("-0"),
            N("0"),
            N("10"),
            S("0.1"),
            N("1e-1"),
            N("0.10000000000000000001"),
            N("9223372036854775808"),
            S("1e9223372036854775806"),
            N("-5"),
            N("4.99999999999999999999"),
            N("1e400"),
            N("-1E-400"),
            // Around 38 significant digits.
            N("12345678901234567890123456789012345678"),
            N("123456789012345678901234567890123456789"),
            S("1234567890123456789012345678901234567890123"),
            N("0.100000000000000000000000000000000000001"),
        ],
        Family::Date => &[
            S("2026-01-01T00:00:00Z"),
            S("2026-01-01T08:00:00+08:00"),
            S("2026-01-01t00:00:00.000z"),
            S("2025-12-31T23:59:59.999Z"),
            S("2026-06-01T00:00:00.5Z"),
            S("2026-06-01T00:00:00.50000000000000000001Z"),
            S("2030-01-01T00:00:00Z"),
            S("2020-01-01T00:00:00-05:30"),
        ],
        Family::Bool => &[S("true"), S("FALSE"), S("True"), B(true), B(false)],
        Family::Ip => &[
            S("10.0.0.0/8"),
            S("10.1.2.3/8"),
            S("10.0.0.1"),
            S("10.0.0.1/32"),
            S("11.0.0.0/8"),
            S("192.168.0.0/16"),
            S("0.0.0.0/0"),
            S("2001:db8::/32"),
            S("::1"),
            S("::/0"),
            S("::ffff:0:0/96"),
            S("2001:DB8::/32"),
        ],
    }
}

/// Request values that parse for a family.
pub fn request_pool(family: Family) -> &'static [V] {
    match family {
        Family::String => &[
            S("prod"),
            S("PROD"),
            S("Prod"),
            S("prod-1"),
            S("pod"),
            S("p*d"),
            S(""),
            S("staging"),
            S("vpc-123"),
            S("vpc-"),
            S("*"),
            S("true"),
            B(true),
            N("5"),
            S("pöd"),
            S("été"),
            S("KEY"),
            S("stra\u{DF}e"),
            S("STRASSE"),
        ],
        Family::Numeric => &[
            N("5"),
            S("5"),
            S("+5"),
            S("5.000"),
            N("-0"),
            N("0"),
            S("0.1"),
            S("1E-1"),
            N("1e1"),
            S("10"),
            N("100e-1"),
            N("-5"),
            N("4.99999999999999999999"),
            N("9223372036854775808"),
            S("1e9223372036854775806"),
            S("0.10000000000000000001"),
            N("1E400"),
            S("1e+400"),
            S("+10e399"),
            N("-1e-400"),
            S("-0.0"),
            N("0e0"),
            N("12345678901234567890123456789012345678"),
            N("12345678901234567890123456789012345679"),
            S("123456789012345678901234567890123456789"),
            S("123456789012345678901234567890123456789.0000"),
            N("1234567890123456789012345678901234567890123"),
            S("1234567890123456789012345678901234567890124"),
            S("1.234567890123456789012345678901234567890123e42"),
            S("0.1000000000000000000000000000000000000010"),
            S("0.100000000000000000000000000000000000002"),
        ],
        Family::Date => &[
            S("2026-01-01T00:00:00Z"),
            S("2026-01-01T08:00:00+08:00"),
            S("2026-01-01t00:00:00.000z"),
            S("2025-12-31T23:59:59.999Z"),
            S("2026-06-01T00:00:00.5Z"),
            S("2026-06-01T00:00:00.50000000000000000001Z"),
            S("2026-01-01T00:00:00.000000000000000000001Z"),
            S("2027-01-01T00:00:00-01:00"),
            S("2024-02-29T12:00:00Z"),
        ],
        Family::Bool => &[B(true), B(false), S("TRUE"), S("false"), S("True")],
        Family::Ip => &[
            S("10.0.0.1"),
            S("10.255.255.255"),
            S("11.0.0.1"),
            S("192.168.1.1"),
            S("0.0.0.0"),
            S("::1"),
            S("2001:db8::1"),
            S("2001:db9::1"),
            S("::ffff:10.0.0.1"),
            S("2001:DB8::1"),
            S("2001:0db8:0:0:0:0:0:1"),
        ],
    }
}

/// Request values that do not parse for a family (junk to its operators).
pub fn junk_pool(family: Family) -> &'static [V] {
    match family {
        // Every value reads as a string.
        Family::String => &[S("junk")],
        Family::Numeric => &[
            S("abc"),
            S(""),
            S("1e9223372036854775807"),
            S("5 "),
            B(true),
            S("0x10"),
            S(".5"),
            S("1."),
            S("--1"),
            S("+-5"),
        ],
        Family::Date => &[
            S("2026-01-01"),
            S("2026-01-01T00:00Z"),
            S("2026-01-01T00:00:00"),
            S("yesterday"),
            N("1767225600"),
            S("2026-13-01T00:00:00Z"),
            S("2026-02-29T00:00:00Z"),
            S("2026-01-01T24:00:00Z"),
            S("2026-01-01 00:00:00Z"),
        ],
        Family::Bool => &[S("yes"), N("1"), S("1"), S(""), S("t")],
        Family::Ip => &[
            S("10.0.0.0/8"),
            S("junk"),
            S("256.0.0.1"),
            S(""),
            N("167772161"),
            S("10.0.0"),
        ],
    }
}

const FAMILIES: [Family; 5] = [
    Family::String,
    Family::Numeric,
    Family::Date,
    Family::Bool,
    Family::Ip,
];

fn pick<T: Copy>(pool: &[T], i: &Index) -> T {
    pool[i.index(pool.len())]
}

/// A list of names, sometimes written as a bare string when it holds one.
fn names(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = List<String>> {
    (vec(select(pool), 1..=max), any::<bool>()).prop_map(|(items, scalar)| List {
        items: items.into_iter().map(String::from).collect(),
        scalar,
    })
}

/// Resource patterns: from the fixed alphabet, or derived from the case's long instance id.
fn resource_patterns() -> impl Strategy<Value = List<String>> {
    let one = prop_oneof![
        4 => select(RESOURCE_PATTERNS).prop_map(String::from),
        1 => derived(DERIVED_ARN_PATTERN),
    ];
    (vec(one, 1..=2), any::<bool>()).prop_map(|(items, scalar)| List { items, scalar })
}

/// One operator with one or two keys. Keys are mostly of the operator's family so that values
/// meet; sometimes any key, so that values are junk to it.
fn condition_op() -> impl Strategy<Value = ConditionOp> {
    let entry = (
        any::<Index>(),
        any::<Index>(),
        proptest::bool::weighted(0.75),
        vec(any::<Index>(), 1..=3),
        any::<bool>(),
        proptest::option::weighted(0.2, derived(DERIVED_VALUE_PATTERN)),
    );
    (0u8..10, select(OPERATORS), vec(entry, 1..=2)).prop_map(|(q, (base, family), entries)| {
        let qualifier = match q {
            0..=5 => "",
            6 | 7 => "ForAnyValue:",
            _ => "ForAllValues:",
        };
        let mut taken: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        for (key, spelling, steer, values, scalar, derived) in entries {
            let key = if steer {
                let same: Vec<usize> = (0..KEYS.len())
                    .filter(|&k| KEYS[k].family == family)
                    .collect();
                same[key.index(same.len())]
            } else {
                key.index(KEYS.len())
            };
            // Two keys equal ignoring case under one operator are an error (§1).
            if taken.contains(&key) {
                continue;
            }
            taken.push(key);
            let pool = policy_pool(family);
            let mut values: Vec<PValue> = values.iter().map(|i| pick(pool, i).policy()).collect();
            if family == Family::Bool {
                // Bool takes one value per key (§3).
                values.truncate(1);
            }
            if let (Family::String, Some(d)) = (family, derived) {
                values[0] = PValue::Str(d);
            }
            out.push((
                pick(KEYS[key].spellings, &spelling).to_string(),
                List {
                    items: values,
                    scalar,
                },
            ));
        }
        ConditionOp {
            operator: format!("{qualifier}{base}"),
            entries: out,
        }
    })
}

fn statement() -> impl Strategy<Value = Statement> {
    let condition = prop_oneof![
        2 => Just(Vec::new()),
        3 => vec(condition_op(), 1..=3),
    ]
    .prop_map(|ops| {
        // An operator written twice is a duplicate member (§1).
        let mut out: Vec<ConditionOp> = Vec::new();
        for op in ops {
            if !out.iter().any(|o| o.operator == op.operator) {
                out.push(op);
            }
        }
        out
    });
    (
        proptest::bool::weighted(0.35),
        proptest::option::weighted(0.1, 0u8..3),
        proptest::bool::weighted(0.12),
        names(ACTION_PATTERNS, 3),
        proptest::bool::weighted(0.12),
        resource_patterns(),
        condition,
    )
        .prop_map(
            |(deny, sid, not_action, actions, not_resource, resources, condition)| Statement {
                sid: sid.map(|n| format!("S{n}")),
                effect: if deny { Effect::Deny } else { Effect::Allow },
                not_action,
                actions,
                not_resource,
                resources,
                condition,
            },
        )
}

pub fn policy() -> impl Strategy<Value = PolicyDoc> {
    (vec(statement(), 1..=3), proptest::bool::weighted(0.15))
        .prop_map(|(statements, bare)| PolicyDoc { statements, bare })
}

/// `Allow * on *`, as Resource Directory's `FullAliyunAccess`.
pub fn full_access() -> PolicyDoc {
    PolicyDoc {
        statements: vec![Statement {
            sid: None,
            effect: Effect::Allow,
            not_action: false,
            actions: List {
                items: vec!["*".into()],
                scalar: true,
            },
            not_resource: false,
            resources: List {
                items: vec!["*".into()],
                scalar: true,
            },
            condition: Vec::new(),
        }],
        bare: false,
    }
}

/// The policies of a layer that must allow (control, session): often a full allow beside
/// random policies, as Resource Directory attaches `FullAliyunAccess` beside guardrails.
fn guard_layer(max: usize) -> impl Strategy<Value = Vec<PolicyDoc>> {
    (proptest::bool::weighted(0.6), vec(policy(), 1..=max)).prop_map(|(full, mut policies)| {
        if full {
            policies.insert(0, full_access());
        }
        policies
    })
}

fn group() -> impl Strategy<Value = Group> {
    let own: Vec<&'static str> = REQUEST_RESOURCES
        .iter()
        .copied()
        .filter(|r| *r != "*" && r.contains(OWN))
        .chain([LONG_ARN])
        .collect();
    (
        proptest::option::weighted(0.85, proptest::sample::subsequence(own, 1..=3)),
        prop_oneof![1 => Just(Vec::new()), 4 => vec(policy(), 1..=2)],
    )
        .prop_map(|(resources, policies)| Group {
            name: String::new(),
            resources: resources.map(|r| r.into_iter().map(String::from).collect()),
            policies,
        })
}

pub fn policy_set() -> impl Strategy<Value = SetModel> {
    (
        proptest::option::weighted(0.4, guard_layer(2)),
        proptest::option::weighted(0.4, guard_layer(1)),
        vec(policy(), 0..=3),
        prop_oneof![1 => Just(Vec::new()), 2 => vec(group(), 1..=2)],
        proptest::bool::weighted(0.4),
    )
        .prop_map(|(control, session, identity, mut groups, principal)| {
            for (i, g) in groups.iter_mut().enumerate() {
                g.name = format!("rg-{i}");
            }
            SetModel {
                control: control.unwrap_or_default(),
                // A session has one session policy: fold the layer into one document.
                session: session.map(|ps| PolicyDoc {
                    statements: ps.into_iter().flat_map(|p| p.statements).collect(),
                    bare: false,
                }),
                identity,
                groups,
                principal_account: principal.then(|| OWN.to_string()),
            }
        })
}

/// One request value for a key: mostly of the key's family, sometimes junk to it or of another
/// family. A typed global key rarely gets a wrong one (the request is then refused).
fn value_for(key: &Key, source: u8, family: Index, i: &Index) -> RValue {
    if key.family == Family::String && source == 12 && i.index(8) == 0 {
        // At the limit on a request value's length (§7), or one over.
        return RValue::Str("v".repeat(MAX_CHARS + family.index(2)));
    }
    if key.family == Family::String && source < 12 {
        // The long id itself, or with one character changed: StringLike meets long values.
        return RValue::Str(if source < 6 {
            LONG_VALUE.to_string()
        } else {
            format!("{LONG_VALUE_FLIPPED}{}", i.index(400))
        });
    }
    let (natural, junk) = if key.typed { (99, 100) } else { (70, 85) };
    let v = if source < natural {
        pick(request_pool(key.family), i)
    } else if source < junk {
        pick(junk_pool(key.family), i)
    } else {
        let f = pick(&FAMILIES, &family);
        if source % 2 == 0 {
            pick(request_pool(f), i)
        } else {
            pick(junk_pool(f), i)
        }
    };
    v.request()
}

pub fn request() -> impl Strategy<Value = RequestModel> {
    let entry = (
        0u8..100,
        any::<Index>(),
        vec((0u8..100, any::<Index>(), any::<Index>()), 0..=3),
    );
    (
        prop_oneof![30 => select(REQUEST_ACTIONS), 1 => select(INVALID_ACTIONS)],
        prop_oneof![
            20 => select(REQUEST_RESOURCES).prop_map(String::from),
            4 => Just(LONG_ARN.to_string()),
            4 => (0u16..400).prop_map(|at| format!("{LONG_ARN_FLIPPED}{at}")),
            1 => select(INVALID_RESOURCES).prop_map(String::from),
            // At the limit on a request resource's length (§7), or one over.
            1 => (0usize..=1).prop_map(|over| {
                let arn = long_arn("");
                format!("{arn}{}", "r".repeat(MAX_CHARS + over - arn.len()))
            }),
        ],
        vec(entry, KEYS.len()),
    )
        .prop_map(|(action, resource, entries)| {
            let mut context = Vec::new();
            let mut absent = Vec::new();
            for (key, (presence, spelling, values)) in KEYS.iter().zip(entries) {
                let spelled = pick(key.spellings, &spelling).to_string();
                match presence {
                    // Missing (first, so that shrinking leaves keys out).
                    0..=42 => {}
                    // Declared absent: evaluated as missing (refused for the keys RAM always knows).
                    43 | 44 => absent.push(spelled),
                    // Given, perhaps as an empty list (a missing key).
                    _ => context.push((
                        spelled,
                        values
                            .iter()
                            .map(|(s, f, i)| value_for(key, *s, *f, i))
                            .collect(),
                    )),
                }
            }
            RequestModel {
                action: action.into(),
                resource,
                context,
                absent,
            }
        })
}

/// A policy set and the requests asked of it, with the placeholders for the case's long
/// instance id resolved.
pub fn case() -> impl Strategy<Value = (SetModel, Vec<RequestModel>)> {
    (long_id(), policy_set(), vec(request(), 1..=8))
        .prop_map(|(id, set, requests)| resolve(&id, set, requests))
}

// ---------------------------------------------------------------------------------------------
// Long names: one instance id per case, up to 150 characters, and patterns derived from it with
// `?` and `*` in any position, so that wildcard segments of every length (around 64 and 128
// characters too) meet text they match and text they almost match.
// ---------------------------------------------------------------------------------------------

/// Placeholders, resolved once the case's id is known. They start with NUL, which no pool uses.
const LONG_ARN: &str = "\u{0}arn";
const LONG_ARN_FLIPPED: &str = "\u{0}arn-flipped:";
const LONG_VALUE: &str = "\u{0}value";
const LONG_VALUE_FLIPPED: &str = "\u{0}value-flipped:";
const DERIVED_ARN_PATTERN: &str = "\u{0}arn-pattern:";
const DERIVED_VALUE_PATTERN: &str = "\u{0}value-pattern:";

/// The instance's ARN for an id.
fn long_arn(id: &str) -> String {
    format!("acs:kvstore:cn-hangzhou:{OWN}:instance/r-{id}")
}

fn long_id() -> impl Strategy<Value = String> {
    vec(
        select(&['a', 'a', 'b', 'b', 'a', 'b', ':', '/'][..]),
        0..=150,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Edits to turn a name into a pattern: `kind,position,length;…`.
fn derived(prefix: &'static str) -> impl Strategy<Value = String> {
    vec((0u8..6, any::<u16>(), 0u8..=90), 0..=6).prop_map(move |edits| {
        let mut out = prefix.to_string();
        for (kind, at, n) in edits {
            out.push_str(&format!("{kind},{at},{n};"));
        }
        out
    })
}

/// One character changed (`a` ↔ `b`, anything else to `a`).
fn flip(text: &str, at: usize) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if !chars.is_empty() {
        let i = at % chars.len();
        chars[i] = if chars[i] == 'a' { 'b' } else { 'a' };
    }
    chars.into_iter().collect()
}

/// Applies encoded edits to `text`: `?` for a character, `*` for a run, a run of `?` every
/// other character, a changed character, a deleted one, an inserted one.
fn apply_edits(text: &str, edits: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits.split(';').filter(|e| !e.is_empty()) {
        let mut parts = edit
            .split(',')
            .map(|p| p.parse::<usize>().expect("an edit"));
        let (kind, at, n) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let len = chars.len();
        let i = if len == 0 { 0 } else { at % len };
        match kind {
            0 if len > 0 => chars[i] = '?',
            1 => {
                let end = (i + n).min(len);
                chars.splice(i..end, ['*']);
            }
            2 => {
                let end = (i + n).min(len);
                for c in chars[i..end].iter_mut().step_by(2) {
                    *c = '?';
                }
            }
            3 if len > 0 => chars[i] = if chars[i] == 'a' { 'b' } else { 'a' },
            4 if len > 0 => {
                chars.remove(i);
            }
            5 => chars.insert(i, 'a'),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn resolve_str(id: &str, s: &str) -> String {
    if !s.starts_with('\u{0}') {
        return s.to_string();
    }
    if let Some(edits) = s.strip_prefix(DERIVED_ARN_PATTERN) {
        let pattern = apply_edits(&long_arn(id), edits);
        // A resource pattern must start with `acs:` (§1), or be `*`.
        return if pattern == "*" || pattern.starts_with("acs:") {
            pattern
        } else {
            format!("acs:*{pattern}")
        };
    }
    if let Some(edits) = s.strip_prefix(DERIVED_VALUE_PATTERN) {
        return apply_edits(id, edits);
    }
    if let Some(at) = s.strip_prefix(LONG_ARN_FLIPPED) {
        return long_arn(&flip(id, at.parse().expect("a position")));
    }
    if let Some(at) = s.strip_prefix(LONG_VALUE_FLIPPED) {
        return flip(id, at.parse().expect("a position"));
    }
    match s {
        LONG_ARN => long_arn(id),
        LONG_VALUE => id.to_string(),
        _ => panic!("an unknown placeholder {s:?}"),
    }
}

fn resolve_policy(id: &str, p: &mut PolicyDoc) {
    for st in &mut p.statements {
        for r in &mut st.resources.items {
            *r = resolve_str(id, r);
        }
        for op in &mut st.condition {
            for (_, values) in &mut op.entries {
                for v in &mut values.items {
                    if let PValue::Str(s) = v {
                        *s = resolve_str(id, s);
                    }
                }
            }
        }
    }
}

fn resolve(
    id: &str,
    mut set: SetModel,
    mut requests: Vec<RequestModel>,
) -> (SetModel, Vec<RequestModel>) {
    let policies = set
        .control
        .iter_mut()
        .chain(&mut set.session)
        .chain(&mut set.identity)
        .chain(set.groups.iter_mut().flat_map(|g| &mut g.policies));
    for p in policies {
        resolve_policy(id, p);
    }
    for g in &mut set.groups {
        for r in g.resources.iter_mut().flatten() {
            *r = resolve_str(id, r);
        }
    }
    for r in &mut requests {
        r.resource = resolve_str(id, &r.resource);
        for (_, values) in &mut r.context {
            for v in values {
                if let RValue::Str(s) = v {
                    *s = resolve_str(id, s);
                }
            }
        }
    }
    (set, requests)
}
