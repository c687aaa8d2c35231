//! Condition keys: does some set of request values give each per-value test the truth the
//! model asks for?
//!
//! A condition reads its key through three facts: whether the request has the key, whether
//! some value passes the condition's per-value test, and whether every value does
//! ([`super::encode`] writes each qualifier with them). For one key the model asks some of
//! these facts to be true and some false; a value set meets the request when every value
//! passes the "every"-tests and fails the false "some"-tests, and each true "some"-test (and
//! false "every"-test) has one value of its own. So it is enough to find one value per such
//! test, among values that meet the universal ones.

use std::net::IpAddr;

use super::glob::Glob;
use super::search::{self, Constraint, Found, Shape};
use super::{Meter, shrink};
use crate::condition::{Comparison, CompiledCondition, Family, OperandView};
use crate::context::{ContextInput, ContextValue, global_key};
use crate::request::CURRENT_TIME_KEY;
use crate::value::{Decimal, Timestamp};

/// A key the statements read, folded, with the spelling of its first use.
#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) folded: String,
    pub(crate) written: String,
}

impl Key {
    /// Whether every request holds the key: RAM always knows the time, and `Request` always
    /// sets it.
    pub(crate) fn always_present(&self) -> bool {
        self.folded.eq_ignore_ascii_case(CURRENT_TIME_KEY)
    }
}

/// What the model asks of one key.
#[derive(Debug, Default)]
pub(crate) struct Demands<'a> {
    pub(crate) present: Option<bool>,
    /// (test, wanted truth of "some value passes").
    pub(crate) some: Vec<(&'a CompiledCondition, bool)>,
    /// (test, wanted truth of "every value passes").
    pub(crate) every: Vec<(&'a CompiledCondition, bool)>,
}

/// The answer for one key.
#[derive(Debug)]
pub(crate) enum KeyAnswer {
    /// The values to give the key; none means the request lacks it.
    Values(Vec<ContextInput>),
    /// No value set meets the demands.
    Conflict,
    /// The demands use a construct `prove` does not decide yet, or the budget ran out.
    Unknown(String),
}

/// Finds request values for `key` meeting `demands`. On a conflict, also returns which
/// demands (by position: presence, then `some`, then `every`) already conflict on their own,
/// found by dropping demands one at a time.
pub(crate) fn solve_with_core(
    key: &Key,
    demands: &Demands<'_>,
    meter: &Meter,
) -> (KeyAnswer, Vec<usize>) {
    let answer = solve(key, demands, meter);
    if !matches!(answer, KeyAnswer::Conflict) {
        return (answer, Vec::new());
    }
    let total = usize::from(demands.present.is_some()) + demands.some.len() + demands.every.len();
    let core = shrink((0..total).collect(), meter, |kept| {
        matches!(
            solve(key, &demands.subset(kept), meter),
            KeyAnswer::Conflict
        )
    });
    (answer, core)
}

impl Demands<'_> {
    /// The demands whose positions are `kept` (presence first, then `some`, then `every`).
    fn subset(&self, kept: &[usize]) -> Demands<'_> {
        let mut position = 0;
        let mut keep = || {
            position += 1;
            kept.contains(&(position - 1))
        };
        let present = match self.present {
            Some(p) if keep() => Some(p),
            Some(_) => None,
            None => None,
        };
        Demands {
            present,
            some: self.some.iter().copied().filter(|_| keep()).collect(),
            every: self.every.iter().copied().filter(|_| keep()).collect(),
        }
    }
}

/// Finds request values for `key` meeting `demands`.
pub(crate) fn solve(key: &Key, demands: &Demands<'_>, meter: &Meter) -> KeyAnswer {
    let needs_value = demands.present == Some(true)
        || demands.some.iter().any(|(_, want)| *want)
        || demands.every.iter().any(|(_, want)| !*want);
    if demands.present == Some(false) {
        return if needs_value || key.always_present() {
            KeyAnswer::Conflict
        } else {
            KeyAnswer::Values(Vec::new())
        };
    }
    if !needs_value && !key.always_present() {
        return KeyAnswer::Values(Vec::new());
    }
    // Every value must meet these.
    let universal: Vec<(&CompiledCondition, bool)> = demands
        .some
        .iter()
        .filter(|(_, want)| !*want)
        .chain(demands.every.iter().filter(|(_, want)| *want))
        .copied()
        .collect();
    // Each of these needs one value of its own.
    let mut existential: Vec<(&CompiledCondition, bool)> = demands
        .some
        .iter()
        .filter(|(_, want)| *want)
        .copied()
        .chain(
            demands
                .every
                .iter()
                .filter(|(_, want)| !*want)
                .map(|(c, _)| (*c, false)),
        )
        .collect();
    existential.dedup_by_key(|(c, want)| (c.test_signature(), *want));
    let tests: Vec<&CompiledCondition> = universal
        .iter()
        .chain(&existential)
        .map(|(c, _)| *c)
        .collect();
    let domain = match Domain::of(key, &tests) {
        Ok(domain) => domain,
        Err(reason) => return KeyAnswer::Unknown(reason),
    };
    // One value for every test reads best (and is what RAM sends for most keys): try it
    // first.
    if existential.len() > 1 {
        let all: Vec<(&CompiledCondition, bool)> =
            universal.iter().chain(&existential).copied().collect();
        match domain.find(&all, None, meter) {
            Ok(Some(value)) => return KeyAnswer::Values(vec![value]),
            Ok(None) => {}
            Err(reason) => return KeyAnswer::Unknown(reason),
        }
    }
    let goals: Vec<Option<(&CompiledCondition, bool)>> = if existential.is_empty() {
        vec![None]
    } else {
        existential.into_iter().map(Some).collect()
    };
    let mut values = Vec::new();
    for goal in goals {
        match domain.find(&universal, goal, meter) {
            Ok(Some(value)) => {
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            Ok(None) => return KeyAnswer::Conflict,
            Err(reason) => return KeyAnswer::Unknown(reason),
        }
    }
    KeyAnswer::Values(values)
}

/// For a key whose tests all take one typed family (Bool, IP, Numeric, Date), one value of
/// every region the tests tell apart, with whether each passes each test; `None` for text
/// keys and for keys `prove` answers "unknown" for. With these, the key's facts can be told
/// to the SAT solver up front: a value set is a set of regions.
pub(crate) fn regions(
    key: &Key,
    tests: &[&CompiledCondition],
) -> Option<Vec<(ContextInput, Vec<bool>)>> {
    if tests.is_empty() {
        return None;
    }
    match Domain::of(key, tests).ok()? {
        Domain::Text { .. } => None,
        Domain::Candidates(candidates) => Some(
            candidates
                .into_iter()
                .map(|input| {
                    let value = ContextValue::new(input.clone());
                    let passes = tests.iter().map(|t| t.holds_for_value(&value)).collect();
                    (input, passes)
                })
                .collect(),
        ),
    }
}

/// Where a key's values are sought.
enum Domain {
    /// Any text: searched with the patterns' automata. With `folded`, every test ignores case
    /// and only folded text is searched; with `mixed`, some do and some do not, and the tests
    /// that ignore case read the text folded.
    Text { folded: bool, mixed: bool },
    /// A typed family: a finite list of values, one in every region the tests tell apart.
    Candidates(Vec<ContextInput>),
}

impl Domain {
    fn of(key: &Key, tests: &[&CompiledCondition]) -> Result<Domain, String> {
        let typed = typed_family(key);
        // A Bool key RAM sets holds `true` or `false` in JSON or as text in any letter case:
        // few enough values to try each, whatever String or Bool operators read them.
        if typed == Some(Family::Bool)
            && tests
                .iter()
                .all(|c| matches!(c.operator().base.family(), Family::Bool | Family::String))
            && tests
                .iter()
                .any(|c| c.operator().base.family() == Family::String)
        {
            return Ok(Domain::Candidates(boolean_texts()));
        }
        let mut families = tests.iter().map(|c| c.operator().base.family());
        let Some(family) = families.next() else {
            // Only presence matters: any value of the key's type.
            return Ok(Domain::Candidates(default_values(key)));
        };
        if families.any(|f| f != family) {
            return Err(format!(
                "condition key `{}` is read by operators of two families; `prove` decides one family per key",
                key.written
            ));
        }
        if let Some(typed) = typed
            && typed != family
        {
            return Err(format!(
                "condition key `{}` holds {typed} values but is read by {family} operators",
                key.written
            ));
        }
        // A value that does not parse satisfies no test; RAM never sends one for a typed
        // global key, and `Request` refuses it.
        let junk = typed.is_none();
        Ok(match family {
            Family::String => {
                let folded = tests
                    .iter()
                    .map(|c| c.operator().base.comparison() == Comparison::EqualsIgnoreCase);
                let mut folded = folded.collect::<Vec<_>>();
                folded.sort_unstable();
                folded.dedup();
                Domain::Text {
                    folded: folded == [true],
                    mixed: folded.len() > 1,
                }
            }
            Family::Bool => {
                let mut values = vec![ContextInput::Bool(true), ContextInput::Bool(false)];
                values.extend(junk.then(junk_value));
                Domain::Candidates(values)
            }
            Family::Ip => Domain::Candidates(ip_candidates(tests, junk)),
            Family::Numeric => Domain::Candidates(numeric_candidates(tests, junk)?),
            Family::Date => Domain::Candidates(date_candidates(tests, junk)?),
        })
    }

    /// A value meeting every `universal` test and the `goal`, if any exists.
    fn find(
        &self,
        universal: &[(&CompiledCondition, bool)],
        goal: Option<(&CompiledCondition, bool)>,
        meter: &Meter,
    ) -> Result<Option<ContextInput>, String> {
        let wanted: Vec<(&CompiledCondition, bool)> =
            universal.iter().copied().chain(goal).collect();
        match self {
            Domain::Candidates(candidates) => Ok(candidates
                .iter()
                .find(|input| {
                    let value = ContextValue::new((*input).clone());
                    wanted
                        .iter()
                        .all(|(test, want)| test.holds_for_value(&value) == *want)
                })
                .cloned()),
            Domain::Text { folded, mixed } => {
                let mut globs: Vec<Glob> = Vec::new();
                let mut constraints = Vec::new();
                for (test, want) in &wanted {
                    let first = globs.len();
                    let ignores_case =
                        test.operator().base.comparison() == Comparison::EqualsIgnoreCase;
                    match test.operand() {
                        OperandView::Patterns(patterns) => {
                            globs.extend(patterns.iter().map(|p| Glob::new(p.text(), false)));
                        }
                        // `…IgnoreCase` values are folded already; beside case-sensitive tests
                        // they read the text folded.
                        OperandView::Strings(strings) if *mixed && ignores_case => {
                            globs.extend(
                                strings.iter().map(|s| Glob::new(s, true).reading_folded()),
                            );
                        }
                        OperandView::Strings(strings) => {
                            globs.extend(strings.iter().map(|s| Glob::new(s, true)));
                        }
                        _ => return Err("a String test without strings".into()),
                    }
                    // Text always parses, so the test is "some policy value matches",
                    // flipped for negated operators.
                    let negated = test.operator().base.is_negated();
                    constraints.push(Constraint {
                        globs: (first..globs.len()).collect(),
                        want: *want != negated,
                    });
                }
                let refs: Vec<&Glob> = globs.iter().collect();
                let shape = if *folded {
                    Shape::FoldedValue
                } else {
                    Shape::Value
                };
                match search::search(&refs, &constraints, shape, meter) {
                    Found::Witness(text) => Ok(Some(ContextInput::String(text))),
                    Found::Empty { .. } => Ok(None),
                    Found::OutOfBudget => Err("the budget ran out".into()),
                }
            }
        }
    }
}

/// The family RAM's values of a typed global key belong to (`acs:MFAPresent` is Bool).
fn typed_family(key: &Key) -> Option<Family> {
    global_key(&key.written)
        .map(|(_, family)| family)
        .filter(|family| matches!(family, Family::Date | Family::Bool | Family::Ip))
}

/// `true` and `false` as JSON, then every spelling of them in any letter case.
fn boolean_texts() -> Vec<ContextInput> {
    let mut values = vec![ContextInput::Bool(true), ContextInput::Bool(false)];
    for word in ["true", "false"] {
        let letters: Vec<char> = word.chars().collect();
        for mask in 0u32..(1 << letters.len()) {
            let text: String = letters
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if mask & (1 << i) == 0 {
                        *c
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect();
            values.push(ContextInput::String(text));
        }
    }
    values
}

fn junk_value() -> ContextInput {
    ContextInput::String("not-a-value".into())
}

/// Values for a key no test reads: one of its type.
fn default_values(key: &Key) -> Vec<ContextInput> {
    vec![match typed_family(key) {
        Some(Family::Bool) => ContextInput::Bool(true),
        Some(Family::Ip) => ContextInput::String("192.0.2.1".into()),
        Some(Family::Date) => ContextInput::String(DEFAULT_TIME.into()),
        _ => ContextInput::String("value".into()),
    }]
}

/// The time a witness carries when nothing asks for another.
pub(crate) const DEFAULT_TIME: &str = "2026-01-01T00:00:00Z";

/// Every address where membership of some network can change, and the lowest address of
/// each version: one address of every region the networks cut the address space into.
fn ip_candidates(tests: &[&CompiledCondition], junk: bool) -> Vec<ContextInput> {
    let mut addresses: Vec<IpAddr> = vec![
        IpAddr::from([0u8, 0, 0, 0]),
        IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 0]),
    ];
    for test in tests {
        if let OperandView::Networks(networks) = test.operand() {
            for network in networks {
                let net = network.as_ipnet();
                addresses.push(net.network());
                match net.broadcast() {
                    IpAddr::V4(last) => {
                        if let Some(next) = u32::from(last).checked_add(1) {
                            addresses.push(IpAddr::from(std::net::Ipv4Addr::from(next)));
                        }
                    }
                    IpAddr::V6(last) => {
                        if let Some(next) = u128::from(last).checked_add(1) {
                            addresses.push(IpAddr::from(std::net::Ipv6Addr::from(next)));
                        }
                    }
                }
            }
        }
    }
    addresses.sort_unstable();
    addresses.dedup();
    let mut values: Vec<ContextInput> = addresses
        .into_iter()
        .map(|a| ContextInput::String(a.to_string()))
        .collect();
    values.extend(junk.then(junk_value));
    values
}

/// Each constant, a value below, between and above them: one of every region.
fn numeric_candidates(
    tests: &[&CompiledCondition],
    junk: bool,
) -> Result<Vec<ContextInput>, String> {
    let constants: Vec<&Decimal> = tests
        .iter()
        .flat_map(|test| match test.operand() {
            OperandView::Decimals(decimals) => decimals.iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut values = region_values(
        &constants,
        |d| usize::try_from(d.fraction_len()).unwrap_or(usize::MAX),
        |d, scale| d.to_scaled(scale),
        |point, scale| Some(format_scaled(point, scale)),
    )
    .ok_or_else(|| too_precise("number"))?;
    values.extend(junk.then(junk_value));
    Ok(values)
}

/// As [`numeric_candidates`], for instants.
fn date_candidates(tests: &[&CompiledCondition], junk: bool) -> Result<Vec<ContextInput>, String> {
    let constants: Vec<&Timestamp> = tests
        .iter()
        .flat_map(|test| match test.operand() {
            OperandView::Instants(instants) => instants.iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut values = region_values(
        &constants,
        |t| t.fraction_len(),
        |t, scale| t.to_scaled(scale),
        |point, scale| {
            // Instants past the years RFC 3339 can write hold no request value.
            let text = Timestamp::from_scaled(point, scale)?.to_string();
            Timestamp::parse_rfc3339(&text).is_ok().then_some(text)
        },
    )
    .ok_or_else(|| too_precise("time"))?;
    values.extend(junk.then(junk_value));
    Ok(values)
}

/// One text value of every region `constants` cut an ordered line into: each constant, one
/// between each two, one below and one above. Values are exact integers in units a tenth of
/// the constants' finest digit (`to_scaled`), written back by `render` (`None`: no request can
/// hold it). `None` when a value does not fit 128 bits.
fn region_values<T>(
    constants: &[T],
    fraction_len: impl Fn(&T) -> usize,
    to_scaled: impl Fn(&T, u32) -> Option<i128>,
    render: impl Fn(i128, u32) -> Option<String>,
) -> Option<Vec<ContextInput>> {
    let finest = constants.iter().map(fraction_len).max().unwrap_or(0);
    let scale = u32::try_from(finest).ok()?.checked_add(1)?;
    let unit = 10i128.checked_pow(scale)?;
    let mut scaled = constants
        .iter()
        .map(|c| to_scaled(c, scale))
        .collect::<Option<Vec<i128>>>()?;
    let points = region_points(&mut scaled, unit)?;
    Some(
        points
            .into_iter()
            .filter_map(|point| render(point, scale))
            .map(ContextInput::String)
            .collect(),
    )
}

fn too_precise(what: &str) -> String {
    format!("a condition compares a {what} too large or too precise for `prove`")
}

/// Sorted distinct points, a point below, between each two and above them. Constants are
/// multiples of 10 in `unit`s of a tenth of their finest digit, so midpoints are whole.
fn region_points(constants: &mut Vec<i128>, unit: i128) -> Option<Vec<i128>> {
    constants.sort_unstable();
    constants.dedup();
    let (Some(&first), Some(&last)) = (constants.first(), constants.last()) else {
        return Some(vec![0]);
    };
    let mut points = vec![first.checked_sub(unit)?];
    for pair in constants.windows(2) {
        points.push(pair[0]);
        points.push(pair[0].checked_add(pair[1])?.div_euclid(2));
    }
    points.push(last);
    points.push(last.checked_add(unit)?);
    Some(points)
}

/// Writes `value / 10^scale` as a plain decimal.
fn format_scaled(value: i128, scale: u32) -> String {
    let unit = 10u128.pow(scale);
    let magnitude = value.unsigned_abs();
    let (whole, fraction) = (magnitude / unit, magnitude % unit);
    let sign = if value < 0 { "-" } else { "" };
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:0width$}", width = scale as usize);
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_numbers_are_written_back_exactly() {
        assert_eq!(format_scaled(-15, 1), "-1.5");
        assert_eq!(format_scaled(100, 2), "1");
        assert_eq!(format_scaled(5, 2), "0.05");
        assert_eq!(Decimal::parse("0.05").unwrap().to_scaled(3), Some(50));
        assert_eq!(Decimal::parse("-1e3").unwrap().to_scaled(1), Some(-10_000));
        let t = Timestamp::parse_rfc3339("1969-12-31T23:59:59.25Z").unwrap();
        assert_eq!(t.to_scaled(3), Some(-750));
        assert_eq!(t.to_scaled(1), None);
        assert_eq!(
            Timestamp::from_scaled(-750, 3).unwrap().to_string(),
            "1969-12-31T23:59:59.25Z"
        );
    }

    #[test]
    fn region_points_fall_below_between_and_above() {
        assert_eq!(
            region_points(&mut vec![30, 10, 10], 10),
            Some(vec![0, 10, 20, 30, 40])
        );
    }
}
