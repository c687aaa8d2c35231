//! Conditions: operators, typed condition values, and their evaluation against a request
//! [`Context`].

mod operator;

pub use operator::{
    BaseOperator, Comparison, Family, OPERATORS, Operator, OperatorError, SetQualifier,
};

use std::cmp::Ordering;
use std::fmt;

use crate::context::{Context, ContextValue, fold_key};
use crate::json::{JsonKind, JsonValue};
use crate::pattern::{Pattern, fold_case, folds_to};
use crate::span::Spanned;
use crate::value::{self, Decimal, IpNetwork, Timestamp, ValueError};

/// One operator applied to one key: `"StringLike": {"acs:SourceVpc": ["vpc-1*", "vpc-2*"]}`
/// becomes one `Condition`. All conditions of a statement must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator, as written.
    pub operator: Spanned<Operator>,
    /// The condition key, as written (compared case-insensitively).
    pub key: Spanned<String>,
    /// The policy values, typed for the operator's family; any one may match.
    pub values: Vec<Spanned<ConditionValue>>,
}

/// A policy's condition value, parsed for its operator when the policy is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConditionValue {
    /// A string (String operators).
    String(String),
    /// An exact decimal (Numeric operators).
    Decimal(Decimal),
    /// An instant (Date operators).
    Timestamp(Timestamp),
    /// `true` or `false` (Bool).
    Bool(bool),
    /// An address or network (IP operators).
    Network(IpNetwork),
}

/// Why a JSON value cannot be a condition value for an operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConditionValueError {
    /// The JSON type is wrong for the operator (a number under `StringEquals`).
    #[error("{family} operators take {expected}, found {found}")]
    TypeMismatch {
        /// The operator family.
        family: Family,
        /// What it takes.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// The text does not parse as the operator's type.
    #[error(transparent)]
    Invalid(#[from] ValueError),
}

impl ConditionValue {
    /// Types a JSON value for an operator family (docs/semantics.md §3's value-type column).
    ///
    /// # Errors
    /// A JSON type the family does not take, or text that does not parse as its type.
    pub(crate) fn from_json(
        family: Family,
        json: &JsonValue,
    ) -> Result<ConditionValue, ConditionValueError> {
        let mismatch = |expected| ConditionValueError::TypeMismatch {
            family,
            expected,
            found: json.kind.type_name(),
        };
        Ok(match (family, &json.kind) {
            (Family::String, JsonKind::String(s)) => ConditionValue::String(s.clone()),
            (Family::String, _) => return Err(mismatch("a JSON string")),
            (Family::Numeric, JsonKind::String(s)) => ConditionValue::Decimal(Decimal::parse(s)?),
            (Family::Numeric, JsonKind::Number(n)) => ConditionValue::Decimal(Decimal::parse(n)?),
            (Family::Numeric, _) => return Err(mismatch("a number or a string holding one")),
            (Family::Date, JsonKind::String(s)) => {
                ConditionValue::Timestamp(Timestamp::parse_rfc3339(s)?)
            }
            (Family::Date, _) => return Err(mismatch("an RFC 3339 date-time string")),
            (Family::Bool, JsonKind::String(s)) => ConditionValue::Bool(value::parse_bool(s)?),
            (Family::Bool, JsonKind::Bool(b)) => ConditionValue::Bool(*b),
            (Family::Bool, _) => return Err(mismatch("`true` or `false`")),
            (Family::Ip, JsonKind::String(s)) => ConditionValue::Network(IpNetwork::parse(s)?),
            (Family::Ip, _) => return Err(mismatch("an IP address or CIDR string")),
        })
    }
}

impl fmt::Display for ConditionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionValue::String(s) => f.write_str(s),
            ConditionValue::Decimal(d) => fmt::Display::fmt(d, f),
            ConditionValue::Timestamp(i) => fmt::Display::fmt(i, f),
            ConditionValue::Bool(b) => fmt::Display::fmt(b, f),
            ConditionValue::Network(n) => fmt::Display::fmt(n, f),
        }
    }
}

/// Why a condition did not hold for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConditionMiss {
    /// The request lacks the key (or holds an empty list for it).
    KeyMissing,
    /// The request's values do not satisfy the operator.
    NotSatisfied,
    /// No request value satisfies the operator, and the value at this index does not parse as
    /// the operator's type, so it satisfies nothing, whatever the operator (docs/semantics.md §3).
    BadRequestValue {
        /// Which of the key's request values.
        index: usize,
    },
}

/// A condition compiled for evaluation: key folded, patterns built, strings pre-folded.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCondition {
    key: Box<str>,
    operator: Operator,
    operand: Operand,
}

/// The compiled policy values of a condition (`Strings` are folded under `…IgnoreCase`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum OperandView<'a> {
    Strings(&'a [Box<str>]),
    Patterns(&'a [Pattern]),
    Decimals(&'a [Decimal]),
    Instants(&'a [Timestamp]),
    Networks(&'a [IpNetwork]),
    Bool,
}

#[derive(Debug, Clone)]
enum Operand {
    Strings(Box<[Box<str>]>),
    Patterns(Box<[Pattern]>),
    Decimals(Box<[Decimal]>),
    Instants(Box<[Timestamp]>),
    Networks(Box<[IpNetwork]>),
    Bool(bool),
}

impl CompiledCondition {
    pub(crate) fn compile(condition: &Condition) -> CompiledCondition {
        let base = condition.operator.value.base;
        let values = condition.values.iter().map(|v| &v.value);
        let operand = match (base.family(), base.comparison()) {
            (Family::String, Comparison::Like) => Operand::Patterns(
                values
                    .filter_map(|v| match v {
                        ConditionValue::String(s) => Some(Pattern::new(s)),
                        _ => None,
                    })
                    .collect(),
            ),
            (Family::String, comparison) => {
                let fold = comparison == Comparison::EqualsIgnoreCase;
                Operand::Strings(
                    values
                        .filter_map(|v| match v {
                            ConditionValue::String(s) if fold => Some(fold_case(s).into()),
                            ConditionValue::String(s) => Some(s.as_str().into()),
                            _ => None,
                        })
                        .collect(),
                )
            }
            (Family::Numeric, _) => Operand::Decimals(
                values
                    .filter_map(|v| match v {
                        ConditionValue::Decimal(d) => Some(d.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            (Family::Date, _) => Operand::Instants(
                values
                    .filter_map(|v| match v {
                        ConditionValue::Timestamp(i) => Some(i.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            (Family::Ip, _) => Operand::Networks(
                values
                    .filter_map(|v| match v {
                        ConditionValue::Network(n) => Some(*n),
                        _ => None,
                    })
                    .collect(),
            ),
            // The parser allows exactly one value per key under `Bool`.
            (Family::Bool, _) => Operand::Bool(matches!(
                condition.values.first().map(|v| &v.value),
                Some(ConditionValue::Bool(true))
            )),
        };
        CompiledCondition {
            key: fold_key(&condition.key.value).into(),
            operator: condition.operator.value,
            operand,
        }
    }

    /// Evaluates the condition against a request context. Allocates nothing.
    pub(crate) fn evaluate(&self, context: &Context) -> Result<(), ConditionMiss> {
        let values = context.values(&self.key);
        let negated = self.operator.base.is_negated();
        if values.is_empty() {
            // docs/semantics.md §3: ForAllValues holds vacuously; ForAnyValue never does; without a
            // qualifier only negated operators hold on a missing key.
            return match self.operator.qualifier {
                Some(SetQualifier::ForAllValues) => Ok(()),
                Some(SetQualifier::ForAnyValue) => Err(ConditionMiss::KeyMissing),
                None if negated => Ok(()),
                None => Err(ConditionMiss::KeyMissing),
            };
        }
        // Each request value is tested on its own. A value that does not parse as the
        // operator's type satisfies nothing, negated operators included, so one junk value
        // can neither switch a Deny off nor make an Allow match (docs/semantics.md §3).
        let mut any = false;
        let mut all = true;
        let mut first_invalid = None;
        for (index, value) in values.iter().enumerate() {
            let holds = match self.matches_any_policy_value(value) {
                // Negated operators are NOR over the policy values, per request value.
                Some(matched) => matched != negated,
                None => {
                    first_invalid.get_or_insert(index);
                    false
                }
            };
            any |= holds;
            all &= holds;
        }
        let holds = match self.operator.qualifier {
            Some(SetQualifier::ForAllValues) => all,
            Some(SetQualifier::ForAnyValue) | None => any,
        };
        match (holds, first_invalid) {
            (true, _) => Ok(()),
            (false, Some(index)) => Err(ConditionMiss::BadRequestValue { index }),
            (false, None) => Err(ConditionMiss::NotSatisfied),
        }
    }

    /// Whether one request value satisfies the positive form of the operator for any policy
    /// value; `None` when the request value is not of the operator's type.
    fn matches_any_policy_value(&self, value: &ContextValue) -> Option<bool> {
        let comparison = self.operator.base.comparison();
        Some(match &self.operand {
            Operand::Strings(strings) if comparison == Comparison::EqualsIgnoreCase => {
                strings.iter().any(|s| folds_to(value.text(), s))
            }
            Operand::Strings(strings) => strings.iter().any(|s| **s == *value.text()),
            Operand::Patterns(patterns) => patterns.iter().any(|p| p.is_match(value.text())),
            Operand::Decimals(decimals) => {
                let v = value.decimal()?;
                decimals.iter().any(|d| compare(comparison, v.cmp(d)))
            }
            Operand::Instants(instants) => {
                let v = value.instant()?;
                instants.iter().any(|i| compare(comparison, v.cmp(i)))
            }
            Operand::Networks(networks) => {
                let v = value.ip()?;
                networks.iter().any(|n| n.contains(&v))
            }
            Operand::Bool(expected) => value.boolean()? == *expected,
        })
    }

    /// Whether one request value satisfies the condition's per-value test: the operator's
    /// positive form for any policy value, flipped for negated operators, and false for a
    /// value not of the operator's type. [`CompiledCondition::evaluate`] combines these.
    pub(crate) fn holds_for_value(&self, value: &ContextValue) -> bool {
        self.matches_any_policy_value(value)
            .is_some_and(|matched| matched != self.operator.base.is_negated())
    }

    /// The operator, with its set qualifier.
    pub(crate) fn operator(&self) -> Operator {
        self.operator
    }

    /// The compiled policy values, for `prove`.
    pub(crate) fn operand(&self) -> OperandView<'_> {
        match &self.operand {
            Operand::Strings(strings) => OperandView::Strings(strings),
            Operand::Patterns(patterns) => OperandView::Patterns(patterns),
            Operand::Decimals(decimals) => OperandView::Decimals(decimals),
            Operand::Instants(instants) => OperandView::Instants(instants),
            Operand::Networks(networks) => OperandView::Networks(networks),
            Operand::Bool(_) => OperandView::Bool,
        }
    }

    /// A text equal for two conditions exactly when they test request values alike (the
    /// qualifier aside): the base operator, the key and the compiled values.
    pub(crate) fn test_signature(&self) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{:?}",
            self.operator.base.name(),
            self.key,
            self.operand
        )
    }

    /// The folded key this condition reads.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    /// Literal prefixes such that the condition can hold only when some request value of its
    /// key starts with one of them: the policy values of a positive, case-sensitive
    /// `StringEquals` or `StringLike` (up to the first wildcard), without `ForAllValues` (which
    /// holds on a missing key). `None` for any other condition, or when a prefix is empty and
    /// so narrows nothing. The statement index files statements under these.
    pub(crate) fn required_prefixes(&self) -> Option<Vec<&str>> {
        if self.operator.base.is_negated()
            || self.operator.qualifier == Some(SetQualifier::ForAllValues)
        {
            return None;
        }
        let prefixes: Vec<&str> = match (&self.operand, self.operator.base.comparison()) {
            (Operand::Strings(strings), Comparison::Equals) => {
                strings.iter().map(|s| &**s).collect()
            }
            (Operand::Patterns(patterns), _) => {
                patterns.iter().map(|p| p.literal_prefix()).collect()
            }
            _ => return None,
        };
        let narrows = !prefixes.is_empty() && prefixes.iter().all(|p| !p.is_empty());
        narrows.then_some(prefixes)
    }
}

/// Whether `request.cmp(policy)` satisfies an ordering comparison.
fn compare(comparison: Comparison, ordering: Ordering) -> bool {
    match comparison {
        Comparison::LessThan => ordering.is_lt(),
        Comparison::LessThanEquals => ordering.is_le(),
        Comparison::GreaterThan => ordering.is_gt(),
        Comparison::GreaterThanEquals => ordering.is_ge(),
        Comparison::Equals
        | Comparison::EqualsIgnoreCase
        | Comparison::Like
        | Comparison::InNetwork => ordering.is_eq(),
    }
}
