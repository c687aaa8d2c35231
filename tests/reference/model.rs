//! The reference model: policies and requests as plain data, rendered to the JSON the engine
//! reads, and evaluated here naively, statement by statement, straight from docs/semantics.md.
//! Nothing in this file calls ramguard.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/// A value written in a policy's `Condition`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PValue {
    /// A JSON string.
    Str(String),
    /// A JSON number, written as this exact text.
    Num(String),
    /// A JSON boolean.
    Bool(bool),
}

/// A value given for a request's condition key (the engine's `ContextInput`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RValue {
    Str(String),
    Bool(bool),
    /// A JSON number, as its text.
    Num(String),
}

/// A list of names (`Action`, `Resource`, condition values): rendered as a bare string when it
/// holds one name and `scalar` is set (docs/semantics.md §1: the two are the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List<T> {
    pub items: Vec<T>,
    pub scalar: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One operator of a `Condition` block: its name as written, and key → values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionOp {
    pub operator: String,
    pub entries: Vec<(String, List<PValue>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub not_action: bool,
    pub actions: List<String>,
    pub not_resource: bool,
    pub resources: List<String>,
    pub condition: Vec<ConditionOp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDoc {
    pub statements: Vec<Statement>,
    /// With one statement: written as a lone object instead of an array (§1 "bare statement").
    pub bare: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    /// ARNs the group holds; `None` when the group is never declared (its policies then apply
    /// to nothing).
    pub resources: Option<Vec<String>>,
    pub policies: Vec<PolicyDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetModel {
    pub control: Vec<PolicyDoc>,
    pub session: Option<PolicyDoc>,
    pub identity: Vec<PolicyDoc>,
    pub groups: Vec<Group>,
    /// The principal's account, when the set knows its principal (§4 "Another account").
    pub principal_account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestModel {
    pub action: String,
    pub resource: String,
    /// Keys as spelled, with their values (an empty list is a missing key).
    pub context: Vec<(String, Vec<RValue>)>,
    /// Keys declared absent.
    pub absent: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Control,
    Session,
    AccountIdentity,
    ResourceGroupIdentity,
}

/// The time every generated request is made at: the value of `acs:CurrentTime` when the request
/// does not give one (§3).
pub const NOW: &str = "2026-01-01T00:00:00Z";

// ---------------------------------------------------------------------------------------------
// Rendering to JSON text
// ---------------------------------------------------------------------------------------------

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn pvalue(out: &mut String, v: &PValue) {
    match v {
        PValue::Str(s) => json_string(out, s),
        PValue::Num(n) => out.push_str(n),
        PValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

fn list<T>(out: &mut String, l: &List<T>, mut item: impl FnMut(&mut String, &T)) {
    if l.scalar && l.items.len() == 1 {
        item(out, &l.items[0]);
        return;
    }
    out.push('[');
    for (i, x) in l.items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item(out, x);
    }
    out.push(']');
}

fn statement(out: &mut String, s: &Statement) {
    out.push_str("{\"Effect\": ");
    json_string(
        out,
        match s.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        },
    );
    if let Some(sid) = &s.sid {
        out.push_str(", \"Sid\": ");
        json_string(out, sid);
    }
    out.push_str(if s.not_action {
        ", \"NotAction\": "
    } else {
        ", \"Action\": "
    });
    list(out, &s.actions, |o, a| json_string(o, a));
    out.push_str(if s.not_resource {
        ", \"NotResource\": "
    } else {
        ", \"Resource\": "
    });
    list(out, &s.resources, |o, r| json_string(o, r));
    if !s.condition.is_empty() {
        out.push_str(", \"Condition\": {");
        for (i, op) in s.condition.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            json_string(out, &op.operator);
            out.push_str(": {");
            for (j, (key, values)) in op.entries.iter().enumerate() {
                if j > 0 {
                    out.push_str(", ");
                }
                json_string(out, key);
                out.push_str(": ");
                list(out, values, pvalue);
            }
            out.push('}');
        }
        out.push('}');
    }
    out.push('}');
}

impl PolicyDoc {
    /// The document as JSON text, for the engine.
    pub fn render(&self) -> String {
        let mut out = String::from("{\"Version\": \"1\", \"Statement\": ");
        if self.bare && self.statements.len() == 1 {
            statement(&mut out, &self.statements[0]);
        } else {
            out.push_str("[\n  ");
            for (i, s) in self.statements.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n  ");
                }
                statement(&mut out, s);
            }
            out.push_str("\n]");
        }
        out.push('}');
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Wildcards and case (§2)
// ---------------------------------------------------------------------------------------------

/// Letter case folded one character at a time by Unicode's lowercase mapping (§2), which
/// may give two characters for one (`İ`).
pub fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// `*` any run (colons and slashes included), `?` one character, everything else literal. A
/// plain dynamic programme over (pattern prefix, text prefix), one row at a time.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    // row[j]: the pattern read so far matches t[..j].
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    let mut next = vec![false; t.len() + 1];
    for p in pattern.chars() {
        for j in 0..=t.len() {
            next[j] = match p {
                '*' => row[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && row[j - 1],
                c => j > 0 && row[j - 1] && t[j - 1] == c,
            };
        }
        std::mem::swap(&mut row, &mut next);
        if !row.contains(&true) {
            return false;
        }
    }
    row[t.len()]
}

fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard(&fold(pattern), &fold(action))
}

pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    wildcard(pattern, resource)
}

// ---------------------------------------------------------------------------------------------
// Typed values (§3), parsed by hand
// ---------------------------------------------------------------------------------------------

/// The largest decimal exponent accepted (§3 "Exact numbers").
const MAX_EXPONENT: i128 = (1i128 << 63) - 2;

/// An exact decimal: `0.d1d2d3… × 10^exp`, digits without leading or trailing zeros; zero has
/// no digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dec {
    neg: bool,
    digits: Vec<u8>,
    exp: i128,
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON number, optionally after a `+` (strings may carry one).
pub fn parse_dec(s: &str, plus_allowed: bool) -> Option<Dec> {
    let (neg, rest) = if let Some(r) = s.strip_prefix('-') {
        (true, r)
    } else if let Some(r) = s.strip_prefix('+').filter(|_| plus_allowed) {
        (false, r)
    } else {
        (false, s)
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if !all_digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    if let Some(f) = frac {
        if !all_digits(f) {
            return None;
        }
    }
    let exp: i128 = match exponent {
        None => 0,
        Some(e) => {
            let (eneg, edigits) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            if !all_digits(edigits) {
                return None;
            }
            let trimmed = edigits.trim_start_matches('0');
            if trimmed.len() > 30 {
                return None;
            }
            let v: i128 = if trimmed.is_empty() {
                0
            } else {
                trimmed.parse().ok()?
            };
            if v > MAX_EXPONENT {
                return None;
            }
            if eneg { -v } else { v }
        }
    };
    let mut digits: Vec<u8> = int
        .bytes()
        .chain(frac.unwrap_or("").bytes())
        .map(|b| b - b'0')
        .collect();
    let mut point = int.len() as i128 + exp;
    while digits.first() == Some(&0) {
        digits.remove(0);
        point -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        return Some(Dec {
            neg: false,
            digits,
            exp: 0,
        });
    }
    Some(Dec {
        neg,
        digits,
        exp: point,
    })
}

fn cmp_dec(a: &Dec, b: &Dec) -> Ordering {
    let sign = |d: &Dec| {
        if d.digits.is_empty() {
            0
        } else if d.neg {
            -1
        } else {
            1
        }
    };
    let (sa, sb) = (sign(a), sign(b));
    if sa != sb || sa == 0 {
        return sa.cmp(&sb);
    }
    let magnitude = a.exp.cmp(&b.exp).then_with(|| a.digits.cmp(&b.digits));
    if sa < 0 {
        magnitude.reverse()
    } else {
        magnitude
    }
}

/// An instant: seconds since the epoch, and the fraction's digits without trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    secs: i64,
    frac: String,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn fixed_digits(s: &str, n: usize) -> Option<i64> {
    (s.len() == n && all_digits(s)).then(|| s.parse().ok())?
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, `T` and `Z` in either case.
pub fn parse_date(s: &str) -> Option<Instant> {
    if !s.is_ascii() || s.len() < 20 {
        return None;
    }
    let b = s.as_bytes();
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let year = fixed_digits(&s[0..4], 4)?;
    let month = fixed_digits(&s[5..7], 2)?;
    let day = fixed_digits(&s[8..10], 2)?;
    let hour = fixed_digits(&s[11..13], 2)?;
    let minute = fixed_digits(&s[14..16], 2)?;
    let second = fixed_digits(&s[17..19], 2)?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[(month - 1) as usize]
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut frac = "";
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        frac = &r[..n];
        rest = &r[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || !matches!(rb[0], b'+' | b'-') || rb[3] != b':' {
                return None;
            }
            let oh = fixed_digits(&rest[1..3], 2)?;
            let om = fixed_digits(&rest[4..6], 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if rb[0] == b'-' { -o } else { o }
        }
    };
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(Instant {
        secs,
        frac: frac.trim_end_matches('0').to_string(),
    })
}

fn cmp_instant(a: &Instant, b: &Instant) -> Ordering {
    // Without trailing zeros, fractions compare as digit strings.
    a.secs.cmp(&b.secs).then_with(|| a.frac.cmp(&b.frac))
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An address or network as a policy value: host bits cleared (§3 "CIDRs").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    v6: bool,
    bits: u128,
    prefix: u32,
}

fn addr_bits(a: IpAddr) -> (bool, u128, u32) {
    match a {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (true, u128::from(v6), 128),
    }
}

/// The top `prefix` bits of a `len`-bit number.
fn mask(len: u32, prefix: u32) -> u128 {
    match prefix {
        0 => 0,
        128 => u128::MAX,
        p => ((1u128 << p) - 1) << (len - p),
    }
}

pub fn parse_net(s: &str) -> Option<Net> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let (v6, bits, len) = addr_bits(addr.parse::<IpAddr>().ok()?);
    let prefix = match prefix {
        None => len,
        Some(p) => {
            if !all_digits(p) || p.len() > 3 {
                return None;
            }
            let p: u32 = p.parse().ok()?;
            if p > len {
                return None;
            }
            p
        }
    };
    Some(Net {
        v6,
        bits: bits & mask(len, prefix),
        prefix,
    })
}

fn net_contains(net: &Net, addr: IpAddr) -> bool {
    let (v6, bits, len) = addr_bits(addr);
    v6 == net.v6 && bits & mask(len, net.prefix) == net.bits
}

// ---------------------------------------------------------------------------------------------
// Operators (§3)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    Equals,
    EqualsIgnoreCase,
    Like,
    Less,
    LessEquals,
    Greater,
    GreaterEquals,
    InNetwork,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy)]
struct Operator {
    qualifier: Qualifier,
    family: Family,
    test: Test,
    negated: bool,
}

/// Every operator docs/semantics.md §3 lists, with its family.
pub const OPERATORS: &[(&str, Family)] = &[
    ("StringEquals", Family::String),
    ("StringNotEquals", Family::String),
    ("StringEqualsIgnoreCase", Family::String),
    ("StringNotEqualsIgnoreCase", Family::String),
    ("StringLike", Family::String),
    ("StringNotLike", Family::String),
    ("NumericEquals", Family::Numeric),
    ("NumericNotEquals", Family::Numeric),
    ("NumericLessThan", Family::Numeric),
    ("NumericLessThanEquals", Family::Numeric),
    ("NumericGreaterThan", Family::Numeric),
    ("NumericGreaterThanEquals", Family::Numeric),
    ("DateEquals", Family::Date),
    ("DateNotEquals", Family::Date),
    ("DateLessThan", Family::Date),
    ("DateLessThanEquals", Family::Date),
    ("DateGreaterThan", Family::Date),
    ("DateGreaterThanEquals", Family::Date),
    ("Bool", Family::Bool),
    ("IpAddress", Family::Ip),
    ("NotIpAddress", Family::Ip),
];

fn parse_operator(name: &str) -> Operator {
    let (qualifier, base) = if let Some(b) = name.strip_prefix("ForAnyValue:") {
        (Qualifier::ForAnyValue, b)
    } else if let Some(b) = name.strip_prefix("ForAllValues:") {
        (Qualifier::ForAllValues, b)
    } else {
        (Qualifier::None, name)
    };
    let (test, negated) = match base {
        "Bool" => (Test::Equals, false),
        "IpAddress" => (Test::InNetwork, false),
        "NotIpAddress" => (Test::InNetwork, true),
        _ => {
            let rest = base
                .strip_prefix("String")
                .or_else(|| base.strip_prefix("Numeric"))
                .or_else(|| base.strip_prefix("Date"))
                .unwrap_or_else(|| panic!("the generator wrote an unknown operator {name}"));
            let (negated, rest) = match rest.strip_prefix("Not") {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let test = match rest {
                "Equals" => Test::Equals,
                "EqualsIgnoreCase" => Test::EqualsIgnoreCase,
                "Like" => Test::Like,
                "LessThan" => Test::Less,
                "LessThanEquals" => Test::LessEquals,
                "GreaterThan" => Test::Greater,
                "GreaterThanEquals" => Test::GreaterEquals,
                _ => panic!("the generator wrote an unknown operator {name}"),
            };
            (test, negated)
        }
    };
    let family = OPERATORS
        .iter()
        .find(|(n, _)| *n == base)
        .unwrap_or_else(|| panic!("the generator wrote an unknown operator {name}"))
        .1;
    Operator {
        qualifier,
        family,
        test,
        negated,
    }
}

/// A request value read for an operator family; `None` when it does not parse ("junk").
#[derive(Debug, Clone)]
enum Typed {
    Text(String),
    Num(Dec),
    Date(Instant),
    Bool(bool),
    /// A request's address.
    Addr(IpAddr),
    /// A policy's address or network.
    Net(Net),
}

impl RValue {
    /// What String operators compare: a boolean reads as `true`/`false`, a number as its text.
    pub fn text(&self) -> String {
        match self {
            RValue::Str(s) | RValue::Num(s) => s.clone(),
            RValue::Bool(b) => b.to_string(),
        }
    }

    fn typed(&self, family: Family) -> Option<Typed> {
        match (family, self) {
            (Family::String, v) => Some(Typed::Text(v.text())),
            (Family::Numeric, RValue::Str(s)) => parse_dec(s, true).map(Typed::Num),
            (Family::Numeric, RValue::Num(s)) => parse_dec(s, false).map(Typed::Num),
            (Family::Date, RValue::Str(s)) => parse_date(s).map(Typed::Date),
            (Family::Bool, RValue::Bool(b)) => Some(Typed::Bool(*b)),
            (Family::Bool, RValue::Str(s)) => parse_bool(s).map(Typed::Bool),
            (Family::Ip, RValue::Str(s)) => s.parse::<IpAddr>().ok().map(Typed::Addr),
            _ => None,
        }
    }

    /// Whether the value parses for `family`: a value of a typed global key must (§3).
    pub fn is_of(&self, family: Family) -> bool {
        self.typed(family).is_some()
    }
}

/// A policy value read for its operator's family. A value that does not parse is a load error
/// (§3), so the generator must never write one: that panics here.
fn policy_typed(family: Family, v: &PValue) -> Typed {
    let typed = match (family, v) {
        (Family::String, PValue::Str(s)) => Some(Typed::Text(s.clone())),
        (Family::Numeric, PValue::Str(s)) => parse_dec(s, true).map(Typed::Num),
        (Family::Numeric, PValue::Num(s)) => parse_dec(s, false).map(Typed::Num),
        (Family::Date, PValue::Str(s)) => parse_date(s).map(Typed::Date),
        (Family::Bool, PValue::Bool(b)) => Some(Typed::Bool(*b)),
        (Family::Bool, PValue::Str(s)) => parse_bool(s).map(Typed::Bool),
        (Family::Ip, PValue::Str(s)) => parse_net(s).map(Typed::Net),
        _ => None,
    };
    typed.unwrap_or_else(|| panic!("the generator wrote {v:?} for a {family:?} operator"))
}

/// One request value against one policy value, the test positive (negation is applied by the
/// caller over all policy values).
fn compare(test: Test, request: &Typed, policy: &Typed) -> bool {
    use Typed as T;
    let order = |o: Ordering| match test {
        Test::Equals => o == Ordering::Equal,
        Test::Less => o == Ordering::Less,
        Test::LessEquals => o != Ordering::Greater,
        Test::Greater => o == Ordering::Greater,
        Test::GreaterEquals => o != Ordering::Less,
        _ => unreachable!("{test:?} is not an ordering"),
    };
    match (request, policy) {
        (T::Text(r), T::Text(p)) => match test {
            Test::Equals => r == p,
            Test::EqualsIgnoreCase => fold(r) == fold(p),
            Test::Like => wildcard(p, r),
            _ => unreachable!(),
        },
        (T::Num(r), T::Num(p)) => order(cmp_dec(r, p)),
        (T::Date(r), T::Date(p)) => order(cmp_instant(r, p)),
        (T::Bool(r), T::Bool(p)) => r == p,
        (T::Addr(r), T::Net(p)) => net_contains(p, *r),
        _ => unreachable!("{request:?} against {policy:?}"),
    }
}

/// The outcome of one condition entry (one key under one operator).
fn entry_holds(op: &Operator, policy_values: &[PValue], request_values: &[RValue]) -> bool {
    let policy: Vec<Typed> = policy_values
        .iter()
        .map(|v| policy_typed(op.family, v))
        .collect();
    // One request value on its own: a value that does not parse satisfies nothing, negated
    // operators included; otherwise OR over the policy values, NOR for a negated operator.
    let holds = |r: &RValue| match r.typed(op.family) {
        None => false,
        Some(t) => {
            let any = policy.iter().any(|p| compare(op.test, &t, p));
            any != op.negated
        }
    };
    match op.qualifier {
        Qualifier::None if request_values.is_empty() => op.negated,
        Qualifier::None | Qualifier::ForAnyValue => request_values.iter().any(holds),
        Qualifier::ForAllValues => request_values.iter().all(holds),
    }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// RAM's typed global keys (§3): their values must be of their type.
pub const TYPED_GLOBAL_KEYS: &[(&str, Family)] = &[
    ("acs:CurrentTime", Family::Date),
    ("acs:SourceIp", Family::Ip),
    ("acs:SourceVpcIp", Family::Ip),
    ("acs:MFAPresent", Family::Bool),
    ("acs:SecureTransport", Family::Bool),
];

/// Keys RAM knows on every call, which cannot be declared absent (§3).
const ALWAYS_KNOWN: &[&str] = &["acs:CurrentTime", "acs:SecureTransport"];

fn valid_key(key: &str) -> bool {
    matches!(key.split_once(':'), Some((a, b)) if !a.is_empty() && !b.is_empty())
}

impl RequestModel {
    /// Why the engine must refuse to build this request, if it must.
    pub fn invalid(&self) -> Option<String> {
        if !valid_key(&self.action) || self.action.matches(':').count() != 1 {
            return Some(format!("{} is no `<ram-code>:<action-name>`", self.action));
        }
        // §2: a request names `*` or an `acs:` ARN of five parts.
        if self.resource != "*"
            && (!self.resource.starts_with("acs:") || self.resource.matches(':').count() < 4)
        {
            return Some(format!("{} is no ARN", self.resource));
        }
        // §7: control characters and bidirectional formatting marks hide what a name says.
        let hidden = |c: char| {
            c.is_control()
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        };
        if let Some(c) = self.resource.chars().find(|&c| hidden(c)) {
            return Some(format!(
                "{:?} holds the hidden character {c:?}",
                self.resource
            ));
        }
        // §7: an action, resource, context key or value holds at most 8,192 characters.
        let long = |s: &str| s.chars().count() > 8192;
        if long(&self.action)
            || long(&self.resource)
            || self
                .context
                .iter()
                .any(|(k, vs)| long(k) || vs.iter().any(|v| long(&v.text())))
        {
            return Some("over the length limit".into());
        }
        let mut seen: Vec<String> = Vec::new();
        for (key, values) in &self.context {
            if !valid_key(key) {
                return Some(format!("invalid key {key}"));
            }
            let folded = fold(key);
            if seen.contains(&folded) {
                return Some(format!("duplicate key {key}"));
            }
            seen.push(folded.clone());
            if let Some((_, family)) = TYPED_GLOBAL_KEYS.iter().find(|(k, _)| fold(k) == folded) {
                if let Some(v) = values.iter().find(|v| !v.is_of(*family)) {
                    return Some(format!("{v:?} is no {family:?} for {key}"));
                }
            }
        }
        for key in &self.absent {
            if !valid_key(key) {
                return Some(format!("invalid absent key {key}"));
            }
            let folded = fold(key);
            if ALWAYS_KNOWN.iter().any(|k| fold(k) == folded) {
                return Some(format!("{key} is always known"));
            }
            if seen.contains(&folded) {
                return Some(format!("{key} is both given and absent"));
            }
        }
        None
    }

    /// The context looked up by folded key, with `acs:CurrentTime` defaulted to [`NOW`].
    fn values(&self) -> HashMap<String, Vec<RValue>> {
        let mut map: HashMap<String, Vec<RValue>> = self
            .context
            .iter()
            .map(|(k, v)| (fold(k), v.clone()))
            .collect();
        let now = map.entry(fold("acs:CurrentTime")).or_default();
        if now.is_empty() {
            now.push(RValue::Str(NOW.into()));
        }
        map
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation (§4)
// ---------------------------------------------------------------------------------------------

fn statement_matches(
    s: &Statement,
    request: &RequestModel,
    context: &HashMap<String, Vec<RValue>>,
) -> bool {
    let action = s
        .actions
        .items
        .iter()
        .any(|p| action_matches(p, &request.action));
    if action == s.not_action {
        return false;
    }
    let resource = s
        .resources
        .items
        .iter()
        .any(|p| resource_matches(p, &request.resource));
    if resource == s.not_resource {
        return false;
    }
    s.condition.iter().all(|op| {
        let operator = parse_operator(&op.operator);
        op.entries.iter().all(|(key, values)| {
            let given = context.get(&fold(key)).map_or(&[][..], Vec::as_slice);
            entry_holds(&operator, &values.items, given)
        })
    })
}

/// One layer: a matching Deny, else a matching Allow, else nothing. `allows_count` is false
/// where an Allow cannot reach the resource (another account's).
fn layer(
    policies: &[&PolicyDoc],
    request: &RequestModel,
    context: &HashMap<String, Vec<RValue>>,
    allows_count: bool,
) -> Verdict {
    let mut allowed = false;
    for s in policies.iter().flat_map(|p| &p.statements) {
        if statement_matches(s, request, context) {
            match s.effect {
                Effect::Deny => return Verdict::ExplicitDeny,
                Effect::Allow => allowed |= allows_count,
            }
        }
    }
    if allowed {
        Verdict::Allow
    } else {
        Verdict::ImplicitDeny
    }
}

/// The account a request resource names: the fourth part of an ARN; `None` for `*`.
fn resource_account(resource: &str) -> Option<&str> {
    if resource == "*" {
        return None;
    }
    resource.split(':').nth(3)
}

impl SetModel {
    /// RAM's decision and the layer that gave it.
    pub fn decide(&self, request: &RequestModel) -> (Verdict, Layer) {
        let context = request.values();
        if !self.control.is_empty() {
            let all: Vec<&PolicyDoc> = self.control.iter().collect();
            let v = layer(&all, request, &context, true);
            if v != Verdict::Allow {
                return (v, Layer::Control);
            }
        }
        if let Some(session) = &self.session {
            let v = layer(&[session], request, &context, true);
            if v != Verdict::Allow {
                return (v, Layer::Session);
            }
        }
        let foreign = match (&self.principal_account, resource_account(&request.resource)) {
            (Some(own), Some(account)) => own != account,
            _ => false,
        };
        let account: Vec<&PolicyDoc> = self.identity.iter().collect();
        let v = layer(&account, request, &context, !foreign);
        if v != Verdict::ImplicitDeny {
            return (v, Layer::AccountIdentity);
        }
        let holding: Vec<&Group> = self
            .groups
            .iter()
            // A group with no policies attached in its scope is no scoped group: it leaves
            // the decision to the account scope (§4).
            .filter(|g| {
                !g.policies.is_empty()
                    && g.resources
                        .as_ref()
                        .is_some_and(|r| r.contains(&request.resource))
            })
            .collect();
        if holding.is_empty() {
            return (Verdict::ImplicitDeny, Layer::AccountIdentity);
        }
        let verdicts: Vec<Verdict> = holding
            .iter()
            .map(|g| {
                let policies: Vec<&PolicyDoc> = g.policies.iter().collect();
                layer(&policies, request, &context, !foreign)
            })
            .collect();
        let v = if verdicts.contains(&Verdict::ExplicitDeny) {
            Verdict::ExplicitDeny
        } else if verdicts.contains(&Verdict::Allow) {
            Verdict::Allow
        } else {
            Verdict::ImplicitDeny
        };
        (v, Layer::ResourceGroupIdentity)
    }
}

/// For coverage: one condition entry against a request, with its operator's family, whether it
/// holds, and whether a request value was junk to the operator.
pub fn entry_outcome(
    op: &ConditionOp,
    key: &str,
    values: &List<PValue>,
    request: &RequestModel,
) -> (Family, bool, bool) {
    let operator = parse_operator(&op.operator);
    let context = request.values();
    let given = context.get(&fold(key)).map_or(&[][..], Vec::as_slice);
    let junk = given.iter().any(|v| v.typed(operator.family).is_none());
    (
        operator.family,
        entry_holds(&operator, &values.items, given),
        junk,
    )
}

/// Whether a statement matches a request: action, resource and every condition.
pub fn applies(s: &Statement, request: &RequestModel) -> bool {
    statement_matches(s, request, &request.values())
}
