//! Condition operator names: the documented set, set qualifiers, and hints for the names RAM
//! refuses.

use std::fmt;

pub use crate::value::Family;

/// What an operator does with one request value and one policy value, before negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Comparison {
    /// Equal (for strings: byte-equal).
    Equals,
    /// Equal after Unicode lower-casing of both sides, one character at a time.
    EqualsIgnoreCase,
    /// The policy value is a `*`/`?` pattern matching the request value.
    Like,
    /// Request value < policy value.
    LessThan,
    /// Request value ≤ policy value.
    LessThanEquals,
    /// Request value > policy value.
    GreaterThan,
    /// Request value ≥ policy value.
    GreaterThanEquals,
    /// The policy network contains the request address.
    InNetwork,
}

/// A set qualifier on a multi-valued condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SetQualifier {
    /// `ForAnyValue:`: some request value satisfies the operator; false when the key is missing.
    ForAnyValue,
    /// `ForAllValues:`: every request value satisfies the operator; **true** when the key is
    /// missing or empty (docs/semantics.md §3 \[decision\], as in AWS).
    ForAllValues,
}

/// A base operator of RAM's documented condition language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BaseOperator {
    name: &'static str,
    family: Family,
    comparison: Comparison,
    negated: bool,
}

/// Every documented operator (docs/semantics.md §3): any other name is an invalid condition operator.
pub const OPERATORS: &[BaseOperator] = &[
    op("StringEquals", Family::String, Comparison::Equals, false),
    op("StringNotEquals", Family::String, Comparison::Equals, true),
    op(
        "StringEqualsIgnoreCase",
        Family::String,
        Comparison::EqualsIgnoreCase,
        false,
    ),
    op(
        "StringNotEqualsIgnoreCase",
        Family::String,
        Comparison::EqualsIgnoreCase,
        true,
    ),
    op("StringLike", Family::String, Comparison::Like, false),
    op("StringNotLike", Family::String, Comparison::Like, true),
    op("NumericEquals", Family::Numeric, Comparison::Equals, false),
    op(
        "NumericNotEquals",
        Family::Numeric,
        Comparison::Equals,
        true,
    ),
    op(
        "NumericLessThan",
        Family::Numeric,
        Comparison::LessThan,
        false,
    ),
    op(
        "NumericLessThanEquals",
        Family::Numeric,
        Comparison::LessThanEquals,
        false,
    ),
    op(
        "NumericGreaterThan",
        Family::Numeric,
        Comparison::GreaterThan,
        false,
    ),
    op(
        "NumericGreaterThanEquals",
        Family::Numeric,
        Comparison::GreaterThanEquals,
        false,
    ),
    op("DateEquals", Family::Date, Comparison::Equals, false),
    op("DateNotEquals", Family::Date, Comparison::Equals, true),
    op("DateLessThan", Family::Date, Comparison::LessThan, false),
    op(
        "DateLessThanEquals",
        Family::Date,
        Comparison::LessThanEquals,
        false,
    ),
    op(
        "DateGreaterThan",
        Family::Date,
        Comparison::GreaterThan,
        false,
    ),
    op(
        "DateGreaterThanEquals",
        Family::Date,
        Comparison::GreaterThanEquals,
        false,
    ),
    op("Bool", Family::Bool, Comparison::Equals, false),
    op("IpAddress", Family::Ip, Comparison::InNetwork, false),
    op("NotIpAddress", Family::Ip, Comparison::InNetwork, true),
];

const fn op(
    name: &'static str,
    family: Family,
    comparison: Comparison,
    negated: bool,
) -> BaseOperator {
    BaseOperator {
        name,
        family,
        comparison,
        negated,
    }
}

impl BaseOperator {
    /// The operator's name as written in policies.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::Operator;
    ///
    /// let operator = Operator::parse("ForAnyValue:StringLike")?;
    /// assert_eq!(operator.base.name(), "StringLike");
    /// # Ok::<(), ramguard::policy::OperatorError>(())
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The type of value it compares.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::{Family, OPERATORS};
    ///
    /// let dates: Vec<&str> = OPERATORS
    ///     .iter()
    ///     .filter(|op| op.family() == Family::Date)
    ///     .map(|op| op.name())
    ///     .collect();
    /// assert_eq!(
    ///     dates,
    ///     ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"]
    /// );
    /// ```
    pub fn family(&self) -> Family {
        self.family
    }

    /// The comparison made for each request value and policy value.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::{Comparison, Operator};
    ///
    /// let not_ip = Operator::parse("NotIpAddress")?.base;
    /// assert_eq!(not_ip.comparison(), Comparison::InNetwork);
    /// let at_most = Operator::parse("NumericLessThanEquals")?.base;
    /// assert_eq!(at_most.comparison(), Comparison::LessThanEquals);
    /// # Ok::<(), ramguard::policy::OperatorError>(())
    /// ```
    pub fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// Whether this is a negated operator (`…NotEquals`, `StringNotLike`, `NotIpAddress`): true
    /// only when a request value matches none of the policy values, and true on a missing key.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::Operator;
    ///
    /// let negated = |name: &str| Operator::parse(name).map(|op| op.base.is_negated());
    /// assert_eq!(negated("StringNotLike"), Ok(true));
    /// assert_eq!(negated("NotIpAddress"), Ok(true));
    /// // `…GreaterThan` is not the negation of `…LessThan`: it fails on a missing key.
    /// assert_eq!(negated("NumericGreaterThan"), Ok(false));
    /// ```
    pub fn is_negated(&self) -> bool {
        self.negated
    }
}

/// A complete operator: an optional set qualifier and a base operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// `ForAnyValue:` or `ForAllValues:`, if written.
    pub qualifier: Option<SetQualifier>,
    /// The operator proper.
    pub base: BaseOperator,
}

/// A condition operator name RAM does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a RAM condition operator")]
pub struct OperatorError {
    /// The name as written.
    pub name: String,
    /// How to write what was probably meant.
    pub hint: String,
}

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringLike`. Names are case-sensitive.
    ///
    /// # Errors
    /// A name outside RAM's documented set, with a hint: the AWS-only `…IfExists`, `Null`, `Arn…`
    /// and `Binary…` operators are refused (docs/semantics.md §3 \[decision\]: fail closed).
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::{Family, Operator, SetQualifier};
    ///
    /// let operator = Operator::parse("ForAllValues:StringNotLike")?;
    /// assert_eq!(operator.qualifier, Some(SetQualifier::ForAllValues));
    /// assert_eq!((operator.base.name(), operator.base.family()), ("StringNotLike", Family::String));
    ///
    /// let error = Operator::parse("NumericEqualsIfExists").unwrap_err();
    /// assert_eq!(error.to_string(), "`NumericEqualsIfExists` is not a RAM condition operator");
    /// assert_eq!(
    ///     error.hint,
    ///     "RAM has no `…IfExists` operators; use `NumericEquals` (a missing key makes it false, \
    ///      or true for negated operators)"
    /// );
    /// # Ok::<(), ramguard::policy::OperatorError>(())
    /// ```
    pub fn parse(name: &str) -> Result<Operator, OperatorError> {
        let (qualifier, base_name) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name)
        };
        match OPERATORS.iter().find(|op| op.name == base_name) {
            Some(&base) => Ok(Operator { qualifier, base }),
            None => Err(OperatorError {
                name: name.to_string(),
                hint: unknown_operator_hint(name, base_name),
            }),
        }
    }

    /// The name as it is written in a policy.
    ///
    /// # Example
    /// ```
    /// use ramguard::policy::Operator;
    ///
    /// assert_eq!(Operator::parse("ForAnyValue:IpAddress")?.name(), "ForAnyValue:IpAddress");
    /// assert_eq!(Operator::parse("Bool")?.name(), "Bool");
    /// # Ok::<(), ramguard::policy::OperatorError>(())
    /// ```
    pub fn name(&self) -> String {
        self.to_string()
    }
}

fn unknown_operator_hint(name: &str, base_name: &str) -> String {
    let valid = |n: &str| OPERATORS.iter().any(|op| op.name == n);
    if let Some(stem) = base_name.strip_suffix("IfExists").filter(|s| valid(s)) {
        return format!(
            "RAM has no `…IfExists` operators; use `{stem}` (a missing key makes it false, or true for negated operators)"
        );
    }
    if base_name == "Null" {
        return "RAM has no `Null` operator; a condition on a missing key is false (true for negated operators), which usually says what was meant".into();
    }
    if base_name.starts_with("Arn") {
        return "RAM has no `Arn…` operators; compare ARNs with `StringEquals` or `StringLike`"
            .into();
    }
    if base_name.starts_with("Binary") {
        return "RAM has no `Binary…` operators; condition values are strings, numbers, dates, booleans or IP addresses".into();
    }
    if let Some(qualifier) = ["ForAnyValue", "ForAllValues"]
        .iter()
        .find(|q| {
            name.to_ascii_lowercase()
                .starts_with(&q.to_ascii_lowercase())
        })
        .filter(|q| !name.starts_with(&format!("{q}:")))
    {
        return format!(
            "write the set qualifier exactly as `{qualifier}:` followed by an operator, e.g. `{qualifier}:StringEquals`"
        );
    }
    match OPERATORS
        .iter()
        .find(|op| op.name.eq_ignore_ascii_case(base_name))
    {
        Some(op) => format!("operator names are case-sensitive: write `{}`", op.name),
        None => "use one of RAM's operators: String…, Numeric…, Date…, Bool, IpAddress, NotIpAddress, optionally after `ForAnyValue:` or `ForAllValues:`".into(),
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAnyValue) => write!(f, "ForAnyValue:{}", self.base.name),
            Some(SetQualifier::ForAllValues) => write!(f, "ForAllValues:{}", self.base.name),
            None => f.write_str(self.base.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_operator_with_and_without_qualifiers() {
        for base in OPERATORS {
            for prefix in ["", "ForAnyValue:", "ForAllValues:"] {
                let name = format!("{prefix}{}", base.name());
                let op = Operator::parse(&name).unwrap();
                assert_eq!(op.to_string(), name);
                assert_eq!(op.base, *base);
            }
        }
        assert_eq!(OPERATORS.len(), 21);
    }

    #[test]
    fn negated_operators_are_exactly_the_documented_ones() {
        let negated: Vec<_> = OPERATORS
            .iter()
            .filter(|o| o.is_negated())
            .map(|o| o.name())
            .collect();
        assert_eq!(
            negated,
            [
                "StringNotEquals",
                "StringNotEqualsIgnoreCase",
                "StringNotLike",
                "NumericNotEquals",
                "DateNotEquals",
                "NotIpAddress"
            ]
        );
    }

    #[test]
    fn refused_names_come_with_hints() {
        let hint = |n: &str| Operator::parse(n).unwrap_err().hint;
        assert!(hint("StringEqualsIfExists").contains("use `StringEquals`"));
        assert!(hint("Null").contains("no `Null` operator"));
        assert!(hint("ArnLike").contains("`StringLike`"));
        assert!(hint("BinaryEquals").contains("no `Binary…`"));
        assert_eq!(
            hint("stringequals"),
            "operator names are case-sensitive: write `StringEquals`"
        );
        assert!(hint("ForAnyValueStringEquals").contains("`ForAnyValue:`"));
        assert!(hint("forallvalues:StringEquals").contains("`ForAllValues:`"));
        assert!(hint("Frobnicate").starts_with("use one of RAM's operators"));
        assert!(Operator::parse("ForAnyValue:ForAllValues:StringEquals").is_err());
        assert!(Operator::parse("ForAnyValue:").is_err());
        assert_eq!(
            Operator::parse("IpAddressIfExists")
                .unwrap_err()
                .to_string(),
            "`IpAddressIfExists` is not a RAM condition operator"
        );
    }
}
