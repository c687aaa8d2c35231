//! Exact decimal numbers for RAM `Numeric*` conditions: parsing the JSON
//! number grammar and comparing by value without rounding.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// The largest exponent magnitude kept exactly; see [`Decimal`].
const MAX_EXPONENT: i64 = i64::MAX - 1;

/// An exact decimal number, compared by numeric value.
///
/// The value is stored normalized as a sign, its significant digits (no
/// leading or trailing zeros) and a decimal exponent: `d₁.d₂d₃… × 10^exponent`.
/// Because the form is canonical, equal numbers have equal fields, so `1`,
/// `1.0`, `10e-1` and `0.1e1` are equal and hash alike, and `-0` is `0`.
///
/// # Exponent range
///
/// Exponents are exact in `-(2⁶³ − 2) ..= 2⁶³ − 2`, which covers every
/// exponent literal that fits in an `i64`. A number beyond that range (such as
/// `1e999999999999999999999`) is refused rather than rounded: two such numbers
/// could not be told apart, and conditions compare exactly.
///
/// # Example
/// ```
/// use ramguard::Policy;
/// use ramguard::policy::ConditionValue;
/// use ramguard::value::Decimal;
///
/// // A policy's `Numeric…` values, given as numbers or as strings, are decimals.
/// let policy = Policy::from_text("p", r#"{"Version": "1", "Statement": [{"Effect": "Allow",
///   "Action": "kvstore:RestoreInstance", "Resource": "acs:kvstore:*:*:instance/r-bp1*",
///   "Condition": {"NumericLessThan": {"kvstore:Foo": ["1.0", 10e-1, "1e3"]}}}]}"#)?;
/// let values: Vec<&ConditionValue> = policy.statements()[0].conditions[0].values.iter().map(|v| &v.value).collect();
/// let one = Decimal::parse("1")?;
/// assert_eq!(values[..2], [&ConditionValue::Decimal(one.clone()), &ConditionValue::Decimal(one)]);
/// assert_eq!(values[2].to_string(), "1000");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// Whether the number is below zero; always false for zero.
    negative: bool,
    /// Significant ASCII digits, first and last non-zero; empty for zero.
    digits: Digits,
    /// Power of ten of the first digit; zero for zero.
    exponent: i64,
}

impl Decimal {
    /// How many digits follow the point when the decimal is written out in full.
    pub(crate) fn fraction_len(&self) -> u64 {
        let significant = i64::try_from(self.digits.len()).unwrap_or(i64::MAX);
        u64::try_from(significant - 1 - self.exponent).unwrap_or(0)
    }

    /// The decimal times `10^scale`, when that is a whole number that fits an `i128`.
    pub(crate) fn to_scaled(&self, scale: u32) -> Option<i128> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let mut mantissa: i128 = 0;
        for digit in self.digits.bytes() {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(digit - b'0'))?;
        }
        let significant = i64::try_from(self.digits.len()).ok()?;
        let shift = self.exponent - (significant - 1) + i64::from(scale);
        let shift = u32::try_from(shift).ok()?;
        let value = mantissa.checked_mul(10i128.checked_pow(shift)?)?;
        Some(if self.negative { -value } else { value })
    }

    /// Parses a JSON number literal, optionally preceded by a single `+`.
    ///
    /// The grammar is exactly `[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    /// with at most one sign: no whitespace, no hexadecimal, no `NaN` or
    /// infinities, no leading zeros (`01`), and digits on both sides of a
    /// point (`.5` and `5.` are errors). Exponents too large for an `i64` are
    /// refused (see [`Decimal`]).
    ///
    /// # Errors
    ///
    /// [`ValueError::InvalidNumber`] when `s` is not such a literal, saying
    /// what is wrong with it.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::{Decimal, ValueError};
    ///
    /// let one = Decimal::parse("1.0")?;
    /// assert_eq!(one, Decimal::parse("10e-1")?);
    /// assert_eq!(one.to_string(), "1");
    /// assert_eq!(Decimal::parse("+1e3")?.to_string(), "1000");
    /// assert!(Decimal::parse("-2.5")? < Decimal::parse("0")?);
    ///
    /// let error = Decimal::parse("01").unwrap_err();
    /// assert!(matches!(error, ValueError::InvalidNumber { .. }));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "expected a JSON number like `-1.5e3`, found `01`: leading zeros are not allowed"
    /// );
    /// # Ok::<(), ValueError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Decimal, ValueError> {
        let fail = |reason: String| ValueError::InvalidNumber {
            input: s.to_owned(),
            reason,
        };
        if s.is_empty() {
            return Err(fail("the input is empty".to_owned()));
        }
        if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
            return Err(fail("whitespace is not allowed".to_owned()));
        }

        let bytes = s.as_bytes();
        let mut pos = 0;
        let mut negative = false;
        if let Some(&sign @ (b'+' | b'-')) = bytes.first() {
            negative = sign == b'-';
            pos = 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                return Err(fail("only one leading sign is allowed".to_owned()));
            }
        }

        let unsigned = &s[pos..];
        if ["nan", "inf", "infinity"]
            .iter()
            .any(|word| unsigned.eq_ignore_ascii_case(word))
        {
            return Err(fail("`NaN` and infinities are not numbers".to_owned()));
        }

        // Integer part: a lone `0` or a non-zero digit followed by digits.
        let int_start = pos;
        match bytes.get(pos) {
            Some(b'0') => {
                pos += 1;
                match bytes.get(pos) {
                    Some(b'0'..=b'9') => {
                        return Err(fail("leading zeros are not allowed".to_owned()));
                    }
                    Some(b'x' | b'X') => {
                        return Err(fail("hexadecimal is not allowed".to_owned()));
                    }
                    _ => {}
                }
            }
            Some(b'1'..=b'9') => pos = skip_digits(bytes, pos),
            Some(b'.') => return Err(fail("a digit is required before `.`".to_owned())),
            _ => return Err(fail(format!("expected a digit, found {}", found(s, pos)))),
        }
        let int_digits = &bytes[int_start..pos];

        let mut frac_digits: &[u8] = &[];
        if bytes.get(pos) == Some(&b'.') {
            let start = pos + 1;
            pos = skip_digits(bytes, start);
            if pos == start {
                return Err(fail(format!(
                    "a digit is required after `.`, found {}",
                    found(s, pos)
                )));
            }
            frac_digits = &bytes[start..pos];
        }

        // The exponent literal may have any number of digits; reading it
        // saturates at u64::MAX, which is far beyond MAX_EXPONENT even after
        // the point shift, so an out-of-range literal stays out of range.
        let mut exponent: i128 = 0;
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            let exp_negative = match bytes.get(pos) {
                Some(b'-') => {
                    pos += 1;
                    true
                }
                Some(b'+') => {
                    pos += 1;
                    false
                }
                _ => false,
            };
            let start = pos;
            pos = skip_digits(bytes, start);
            if pos == start {
                return Err(fail(format!(
                    "a digit is required in the exponent, found {}",
                    found(s, pos)
                )));
            }
            let magnitude = bytes[start..pos].iter().fold(0u64, |acc, &d| {
                acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            });
            exponent = i128::from(magnitude);
            if exp_negative {
                exponent = -exponent;
            }
        }

        if pos < bytes.len() {
            return Err(fail(format!("unexpected {}", found(s, pos))));
        }

        Decimal::normalize(negative, int_digits, frac_digits, exponent).ok_or_else(|| {
            fail(
                "the exponent is out of range: a number must lie within 1e±9223372036854775806"
                    .to_owned(),
            )
        })
    }

    /// Builds the canonical form of `±int.frac × 10^exponent`, where the
    /// exponent's magnitude is at most `u64::MAX`.
    /// `None` when the exponent is out of range.
    fn normalize(
        negative: bool,
        int_digits: &[u8],
        frac_digits: &[u8],
        exponent: i128,
    ) -> Option<Decimal> {
        let all = || int_digits.iter().chain(frac_digits).copied();
        let leading = all().take_while(|&d| d == b'0').count();
        let total = int_digits.len() + frac_digits.len();
        if leading == total {
            return Some(Decimal::zero());
        }
        let trailing = all().rev().take_while(|&d| d == b'0').count();
        let significant = total - leading - trailing;
        let digits = Digits::new(significant, all().skip(leading).take(significant));

        // The first significant digit sits `int_len - leading - 1` places
        // left of the point; lengths are bounded by the input, so i128
        // cannot overflow when adding them to an exponent of at most 2⁶⁴.
        let shift = to_i128(int_digits.len()) - to_i128(leading) - 1;
        let adjusted = exponent + shift;
        if adjusted.abs() > i128::from(MAX_EXPONENT) {
            return None;
        }
        Some(Decimal {
            negative,
            digits,
            exponent: i64::try_from(adjusted).ok()?,
        })
    }

    fn zero() -> Decimal {
        Decimal {
            negative: false,
            digits: Digits::new(0, std::iter::empty()),
            exponent: 0,
        }
    }

    /// Returns `-1`, `0` or `1` for a negative, zero or positive number.
    fn signum(&self) -> i8 {
        if self.digits.is_empty() {
            0
        } else if self.negative {
            -1
        } else {
            1
        }
    }
}

/// The significant digits of a [`Decimal`]: inline up to [`Digits::INLINE`] of them (any
/// realistic condition value), so that typing a request value allocates nothing; on the heap
/// beyond.
#[derive(Clone)]
enum Digits {
    Inline {
        len: u8,
        bytes: [u8; Digits::INLINE],
    },
    Heap(Box<str>),
}

impl Digits {
    const INLINE: usize = 38;

    /// Collects `len` ASCII digits.
    fn new(len: usize, digits: impl Iterator<Item = u8>) -> Digits {
        if len <= Digits::INLINE {
            let mut bytes = [0; Digits::INLINE];
            for (slot, digit) in bytes.iter_mut().zip(digits) {
                *slot = digit;
            }
            // `len` is at most INLINE, which fits a byte.
            return Digits::Inline {
                len: len as u8,
                bytes,
            };
        }
        Digits::Heap(digits.map(char::from).collect::<String>().into_boxed_str())
    }
}

impl std::ops::Deref for Digits {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            // Only ASCII digits are ever stored.
            Digits::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Digits::Heap(digits) => digits,
        }
    }
}

impl PartialEq for Digits {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Digits {}

impl std::hash::Hash for Digits {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl PartialOrd for Digits {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Digits {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

/// Advances past ASCII digits from `pos`, returning the first non-digit index.
fn skip_digits(bytes: &[u8], pos: usize) -> usize {
    pos + bytes
        .get(pos..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// Describes the character at byte `pos` for an error message.
///
/// The parser only ever steps over ASCII bytes, so `pos` is a char boundary.
fn found(s: &str, pos: usize) -> String {
    match s.get(pos..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("`{c}`"),
        None => "the end of the input".to_owned(),
    }
}

fn to_i128(n: usize) -> i128 {
    // usize is at most 64 bits on every supported target.
    i128::try_from(n).unwrap_or(i128::MAX)
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.signum().cmp(&other.signum()).then_with(|| {
            // Same sign and both non-zero (or both zero, where the fields are
            // equal): a larger exponent means a larger magnitude, and for
            // equal exponents the digit strings compare lexicographically
            // because neither has trailing zeros (`1` < `12` < `2`).
            let magnitude = self
                .exponent
                .cmp(&other.exponent)
                .then_with(|| self.digits.cmp(&other.digits));
            if self.negative {
                magnitude.reverse()
            } else {
                magnitude
            }
        })
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Decimal {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::parse(s)
    }
}

/// Prints the canonical form: plain notation (`1.5`, `-0.001`, `1000`) when
/// the exponent is in `-6 ..= 20`, otherwise scientific notation with a signed
/// exponent (`1e+400`, `-2.5e-7`). The output always parses back to an equal
/// value.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.digits.is_empty() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let digits: &str = &self.digits;
        if (0..=20).contains(&self.exponent) {
            // In range, so the conversion cannot fail.
            let int_len = usize::try_from(self.exponent).unwrap_or(0) + 1;
            if digits.len() <= int_len {
                write!(f, "{digits}{:0<width$}", "", width = int_len - digits.len())
            } else {
                write!(f, "{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else if (-6..0).contains(&self.exponent) {
            let zeros = usize::try_from(-self.exponent - 1).unwrap_or(0);
            write!(f, "0.{:0<zeros$}{digits}", "")
        } else {
            let (first, rest) = digits.split_at(1);
            f.write_str(first)?;
            if !rest.is_empty() {
                write!(f, ".{rest}")?;
            }
            write!(f, "e{:+}", self.exponent)
        }
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        Decimal::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn long_and_short_digit_strings_compare_alike() {
        // 38 significant digits are kept inline, 39 on the heap: both orders and equalities hold.
        let inline = "1".repeat(38);
        let heap = "1".repeat(39);
        assert!(dec(&inline) < dec(&heap));
        assert!(dec(&format!("{heap}e-1")) > dec(&inline));
        assert_eq!(dec(&format!("{heap}e-1")), dec(&format!("{}.1", inline)));
        assert_eq!(
            dec(&heap).to_string(),
            "1.11111111111111111111111111111111111111e+38"
        );
        assert_eq!(dec(&dec(&heap).to_string()), dec(&heap));
    }

    #[test]
    fn accepts_json_numbers() {
        for (input, display) in [
            ("0", "0"),
            ("-0", "0"),
            ("+0", "0"),
            ("0.0", "0"),
            ("-0.0e5", "0"),
            ("1", "1"),
            ("+5", "5"),
            ("-5", "-5"),
            ("1.5", "1.5"),
            ("-0.001", "-0.001"),
            ("1.50", "1.5"),
            ("100", "100"),
            ("1e2", "100"),
            ("1E2", "100"),
            ("1e+2", "100"),
            ("1e-2", "0.01"),
            ("0.1e1", "1"),
            ("10e-1", "1"),
            ("123.456", "123.456"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("1e20", "100000000000000000000"),
            ("1e21", "1e+21"),
            ("1e400", "1e+400"),
            ("-1.25e-400", "-1.25e-400"),
            ("12345678901234567890.5", "12345678901234567890.5"),
            ("1e0000000000000000000000000002", "100"),
        ] {
            assert_eq!(dec(input).to_string(), display, "{input}");
        }
    }

    #[test]
    fn rejects_non_json_forms() {
        for (input, reason) in [
            ("", "the input is empty"),
            (" 1", "whitespace is not allowed"),
            ("1 ", "whitespace is not allowed"),
            ("1\n", "whitespace is not allowed"),
            ("+-5", "only one leading sign is allowed"),
            ("-+5", "only one leading sign is allowed"),
            ("++5", "only one leading sign is allowed"),
            ("--5", "only one leading sign is allowed"),
            ("NaN", "`NaN` and infinities are not numbers"),
            ("-nan", "`NaN` and infinities are not numbers"),
            ("Infinity", "`NaN` and infinities are not numbers"),
            ("+inf", "`NaN` and infinities are not numbers"),
            ("0x10", "hexadecimal is not allowed"),
            ("01", "leading zeros are not allowed"),
            ("-00", "leading zeros are not allowed"),
            (".1", "a digit is required before `.`"),
            ("-.1", "a digit is required before `.`"),
            (
                "1.",
                "a digit is required after `.`, found the end of the input",
            ),
            ("1.e5", "a digit is required after `.`, found `e`"),
            (
                "1e",
                "a digit is required in the exponent, found the end of the input",
            ),
            (
                "1e+",
                "a digit is required in the exponent, found the end of the input",
            ),
            ("1e-x", "a digit is required in the exponent, found `x`"),
            ("-", "expected a digit, found the end of the input"),
            ("+", "expected a digit, found the end of the input"),
            ("e5", "expected a digit, found `e`"),
            ("١", "expected a digit, found `١`"),
            ("1_000", "unexpected `_`"),
            ("1,5", "unexpected `,`"),
            ("1e5.5", "unexpected `.`"),
            ("1.5.5", "unexpected `.`"),
            ("5é", "unexpected `é`"),
        ] {
            assert_eq!(
                Decimal::parse(input),
                Err(ValueError::InvalidNumber {
                    input: input.to_owned(),
                    reason: reason.to_owned()
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn error_message_names_expected_and_found() {
        assert_eq!(
            Decimal::parse("01").unwrap_err().to_string(),
            "expected a JSON number like `-1.5e3`, found `01`: leading zeros are not allowed"
        );
    }

    #[test]
    fn equal_values_are_equal_and_hash_alike() {
        use std::collections::HashSet;
        for group in [
            &["1", "1.0", "10e-1", "0.1e1", "+1", "100e-2", "0.001e3"][..],
            &["0", "-0", "0.000", "0e999999999999999999999", "-0e-5"],
            &["-1.5", "-15e-1", "-0.15E+1"],
        ] {
            let set: HashSet<Decimal> = group.iter().map(|s| dec(s)).collect();
            assert_eq!(set.len(), 1, "{group:?}");
            for s in group {
                assert_eq!(dec(s).cmp(&dec(group[0])), Ordering::Equal, "{s}");
            }
        }
    }

    #[test]
    fn orders_by_value() {
        // Each list is strictly increasing.
        let ascending = [
            "-1e9223372036854775806",
            "-1e400",
            "-1e399",
            "-2",
            "-1.5",
            "-1",
            "-0.12",
            "-0.1",
            "-1e-400",
            "0",
            "1e-9223372036854775806",
            "1e-400",
            "0.09",
            "0.1",
            "0.12",
            "1",
            "1.0000000000000000000001",
            "1.5",
            "2",
            "9.99",
            "10",
            "1e2",
            "1e399",
            "9.9e399",
            "1e400",
            "9.9e9223372036854775805",
            "1e9223372036854775806",
        ];
        for pair in ascending.windows(2) {
            let (a, b) = (dec(pair[0]), dec(pair[1]));
            assert!(a < b, "{} < {}", pair[0], pair[1]);
            assert!(b > a, "{} > {}", pair[1], pair[0]);
        }
    }

    #[test]
    fn exponents_beyond_i64_are_refused_not_rounded() {
        for huge in [
            "1e999999999999999999999",
            "-1e-999999999999999999999",
            "100e9223372036854775806",
        ] {
            let error = Decimal::parse(huge).expect_err(huge).to_string();
            assert!(error.contains("the exponent is out of range"), "{error}");
        }
        // The largest exact exponents are kept exactly, and round-trip.
        let edge = dec("1e9223372036854775806");
        assert_eq!(edge.to_string(), "1e+9223372036854775806");
        assert_eq!(dec(&edge.to_string()), edge);
        assert!(dec("2e9223372036854775806") > edge);
        let tiny = dec("-1e-9223372036854775806");
        assert!(tiny < dec("0") && tiny > dec("-1e-400"));
        assert_eq!(
            dec("0.01e-9223372036854775804").to_string(),
            "1e-9223372036854775806"
        );
    }

    proptest! {
        #[test]
        fn ordering_agrees_with_f64(
            a in -1_000_000_000_000i64..1_000_000_000_000,
            a_scale in 0u32..12,
            b in -1_000_000_000_000i64..1_000_000_000_000,
            b_scale in 0u32..12,
        ) {
            let (sa, sb) = (with_scale(a, a_scale), with_scale(b, b_scale));
            let (da, db) = (dec(&sa), dec(&sb));
            let (fa, fb): (f64, f64) = (sa.parse().unwrap(), sb.parse().unwrap());
            // Correctly rounded parsing is monotonic: an exact order can only
            // collapse to equality in f64, never reverse.
            match da.cmp(&db) {
                Ordering::Less => prop_assert!(fa <= fb, "{sa} < {sb}"),
                Ordering::Greater => prop_assert!(fa >= fb, "{sa} > {sb}"),
                Ordering::Equal => prop_assert!(fa == fb, "{sa} == {sb}"),
            }
            if fa < fb {
                prop_assert!(da < db, "{sa} < {sb}");
            }
        }

        #[test]
        fn scientific_form_agrees_with_f64(
            a in -99_999i64..99_999, a_exp in -30i32..30,
            b in -99_999i64..99_999, b_exp in -30i32..30,
        ) {
            let (sa, sb) = (format!("{a}e{a_exp}"), format!("{b}e{b_exp}"));
            let (fa, fb): (f64, f64) = (sa.parse().unwrap(), sb.parse().unwrap());
            let (da, db) = (dec(&sa), dec(&sb));
            if fa < fb {
                prop_assert!(da < db, "{sa} < {sb}");
            }
            if da < db {
                prop_assert!(fa <= fb, "{sa} < {sb}");
            }
        }

        #[test]
        fn display_round_trips(
            n in any::<i64>(), scale in 0u32..30, exp in -40i64..40,
        ) {
            let d = dec(&format!("{}e{exp}", with_scale(n, scale)));
            let printed = d.to_string();
            prop_assert_eq!(dec(&printed), d.clone());
            prop_assert_eq!(printed, dec(&d.to_string()).to_string());
        }
    }

    /// Formats `n / 10^scale` as a plain decimal literal.
    fn with_scale(n: i64, scale: u32) -> String {
        let sign = if n < 0 { "-" } else { "" };
        let digits = format!("{:0>width$}", n.unsigned_abs(), width = scale as usize + 1);
        let (int, frac) = digits.split_at(digits.len() - scale as usize);
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }
}
