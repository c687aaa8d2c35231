//! Exact instants for RAM `Date*` conditions and R-kvstore time parameters:
//! strict RFC 3339, `RestoreTime` and `TimeShift` parsing, and the civil
//! calendar arithmetic behind them.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use super::ValueError;

const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// An exact point in time: whole seconds since the Unix epoch plus the
/// fraction of a second as decimal digits.
///
/// RFC 3339 allows fractions of any length, and RAM compares them exactly, so
/// the fraction is kept as its digits with trailing zeros removed (`.50` is
/// `5`, `.0` is empty). For such trimmed strings lexicographic order is
/// numeric order, so the derived ordering (seconds, then fraction digits) is
/// the order in time, and equal instants have equal fields.
///
/// `Timestamp` is `Clone` but not `Copy` because the fraction lives on the
/// heap; values are parsed once when a policy is loaded, so the clone cost
/// does not matter.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z, rounded toward negative infinity.
    seconds: i64,
    /// ASCII digits of the fraction of a second, without trailing zeros.
    fraction: Box<str>,
}

impl Timestamp {
    /// Parses an RFC 3339 §5.6 `date-time`, such as `2026-01-31T08:00:00Z`
    /// or `2026-01-31t16:00:00.25+08:00`.
    ///
    /// Every field has its exact digit count; `T` and `Z` may be in either
    /// case; seconds and an offset (`Z` or `±hh:mm`) are required; a fraction
    /// of any length is kept exactly. A space separator, a date alone and the
    /// leap second `60` are errors. Years run from `0000` to `9999`.
    ///
    /// # Errors
    ///
    /// [`ValueError::InvalidDateTime`], saying which field is malformed or
    /// out of range.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::{Timestamp, ValueError};
    ///
    /// let t = Timestamp::parse_rfc3339("2026-01-31t16:00:00.250+08:00")?;
    /// assert_eq!(t.to_string(), "2026-01-31T08:00:00.25Z");
    /// assert_eq!(t, Timestamp::parse_rfc3339("2026-01-31T08:00:00.25Z")?);
    ///
    /// let err = Timestamp::parse_rfc3339("2026-01-31 08:00:00Z").unwrap_err();
    /// assert!(matches!(err, ValueError::InvalidDateTime { .. }));
    /// assert_eq!(
    ///     err.to_string(),
    ///     "expected an RFC 3339 date-time like `2026-01-31T08:00:00Z`, \
    ///      found `2026-01-31 08:00:00Z`: a space separator is not allowed: use `T`"
    /// );
    /// # Ok::<(), ValueError>(())
    /// ```
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, ValueError> {
        parse(s, Format::Rfc3339)
    }

    /// Parses the R-kvstore `RestoreTime` format: exactly
    /// `yyyy-MM-ddTHH:mm:ssZ`, with uppercase `T` and `Z`, no fraction and
    /// no offset other than `Z`.
    ///
    /// # Errors
    ///
    /// [`ValueError::InvalidRestoreTime`], saying which field is malformed or
    /// out of range.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::{Timestamp, ValueError};
    ///
    /// let t = Timestamp::parse_restore_time("2026-01-31T08:00:00Z")?;
    /// assert_eq!(t.unix_seconds(), 1_769_846_400);
    ///
    /// // Valid RFC 3339, but not a `RestoreTime`.
    /// let err = Timestamp::parse_restore_time("2026-01-31T08:00:00.5Z").unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     ValueError::InvalidRestoreTime {
    ///         input: "2026-01-31T08:00:00.5Z".into(),
    ///         reason: "a fraction of a second is not allowed".into(),
    ///     }
    /// );
    /// # Ok::<(), ValueError>(())
    /// ```
    pub fn parse_restore_time(s: &str) -> Result<Timestamp, ValueError> {
        parse(s, Format::RestoreTime)
    }

    /// Parses the R-kvstore `TimeShift` format `yyyy-MM-ddTHH:mmZ`, with
    /// uppercase `T` and `Z`; seconds are tolerated
    /// (`yyyy-MM-ddTHH:mm:ssZ`), a fraction or an offset is not.
    ///
    /// # Errors
    ///
    /// [`ValueError::InvalidTimeShift`], saying which field is malformed or
    /// out of range.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::{Timestamp, ValueError};
    ///
    /// assert_eq!(Timestamp::parse_time_shift("2026-01-31T08:00Z")?.to_string(), "2026-01-31T08:00:00Z");
    /// assert_eq!(Timestamp::parse_time_shift("2026-01-31T08:00:30Z")?.to_string(), "2026-01-31T08:00:30Z");
    ///
    /// let err = Timestamp::parse_time_shift("2026-01-31T08:00+08:00").unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     ValueError::InvalidTimeShift {
    ///         input: "2026-01-31T08:00+08:00".into(),
    ///         reason: "an offset is not allowed: the time must be in UTC and end in `Z`".into(),
    ///     }
    /// );
    /// # Ok::<(), ValueError>(())
    /// ```
    pub fn parse_time_shift(s: &str) -> Result<Timestamp, ValueError> {
        parse(s, Format::TimeShift)
    }

    /// Returns the current time from the system clock, to the nanosecond.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::Timestamp;
    ///
    /// // Judge grants as of now, as `ramguard check` does by default.
    /// let now = Timestamp::now();
    /// assert!(now > Timestamp::parse_rfc3339("2026-01-01T00:00:00Z")?);
    /// assert!(now.to_string().ends_with('Z'));
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    #[must_use]
    pub fn now() -> Timestamp {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => Timestamp::from_unix(
                i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                after.subsec_nanos(),
            ),
            Err(err) => {
                // A clock set before 1970: step back whole seconds, then
                // forward by the complement of the remaining nanoseconds.
                let before = err.duration();
                let seconds = i64::try_from(before.as_secs()).map_or(i64::MIN, i64::saturating_neg);
                match before.subsec_nanos() {
                    0 => Timestamp::from_unix(seconds, 0),
                    nanos => {
                        Timestamp::from_unix(seconds.saturating_sub(1), NANOS_PER_SECOND - nanos)
                    }
                }
            }
        }
    }

    /// Builds the instant `seconds` and `nanos` nanoseconds after the Unix
    /// epoch (before it, for negative `seconds`).
    ///
    /// Like [`std::time::Duration::new`], nanoseconds of a full second or
    /// more carry into `seconds`; the sum saturates at `i64::MAX` rather
    /// than overflow.
    ///
    /// # Example
    /// ```
    /// use ramguard::value::Timestamp;
    ///
    /// assert_eq!(Timestamp::from_unix(1_769_846_400, 250_000_000).to_string(), "2026-01-31T08:00:00.25Z");
    /// assert_eq!(Timestamp::from_unix(-1, 500_000_000).to_string(), "1969-12-31T23:59:59.5Z");
    /// // Nanoseconds carry into seconds.
    /// assert_eq!(Timestamp::from_unix(0, 1_500_000_000), Timestamp::from_unix(1, 500_000_000));
    /// ```
    #[must_use]
    pub fn from_unix(seconds: i64, nanos: u32) -> Timestamp {
        let seconds = seconds.saturating_add(i64::from(nanos / NANOS_PER_SECOND));
        let nanos = nanos % NANOS_PER_SECOND;
        let fraction = if nanos == 0 {
            String::new()
        } else {
            format!("{nanos:09}").trim_end_matches('0').to_owned()
        };
        Timestamp {
            seconds,
            fraction: fraction.into_boxed_str(),
        }
    }

    /// How many digits the fraction of a second has (no trailing zeros).
    pub(crate) fn fraction_len(&self) -> usize {
        self.fraction.len()
    }

    /// The instant in units of `10^-scale` seconds since the epoch, when the fraction has at
    /// most `scale` digits.
    pub(crate) fn to_scaled(&self, scale: u32) -> Option<i128> {
        let pad = scale.checked_sub(u32::try_from(self.fraction.len()).ok()?)?;
        let fraction: i128 = if self.fraction.is_empty() {
            0
        } else {
            self.fraction.parse().ok()?
        };
        i128::from(self.seconds)
            .checked_mul(10i128.checked_pow(scale)?)?
            .checked_add(fraction.checked_mul(10i128.checked_pow(pad)?)?)
    }

    /// The instant `value` units of `10^-scale` seconds after the epoch, if its seconds fit.
    pub(crate) fn from_scaled(value: i128, scale: u32) -> Option<Timestamp> {
        let unit = 10i128.checked_pow(scale)?;
        let seconds = i64::try_from(value.div_euclid(unit)).ok()?;
        let digits = format!("{:0width$}", value.rem_euclid(unit), width = scale as usize);
        let fraction = digits.trim_end_matches('0');
        Some(Timestamp {
            seconds,
            fraction: fraction.into(),
        })
    }

    /// Returns the whole seconds since the Unix epoch, rounded toward
    /// negative infinity (the fraction is never negative).
    ///
    /// # Example
    /// ```
    /// use ramguard::value::Timestamp;
    ///
    /// let t = Timestamp::parse_rfc3339("2026-01-31T16:00:00+08:00")?;
    /// assert_eq!(t.unix_seconds(), 1_769_846_400);
    /// // Half a second before the epoch is second -1 plus half a second.
    /// assert_eq!(Timestamp::parse_rfc3339("1969-12-31T23:59:59.5Z")?.unix_seconds(), -1);
    /// # Ok::<(), ramguard::value::ValueError>(())
    /// ```
    #[must_use]
    pub fn unix_seconds(&self) -> i64 {
        self.seconds
    }
}

impl FromStr for Timestamp {
    type Err = ValueError;

    /// Parses an RFC 3339 date-time, as [`Timestamp::parse_rfc3339`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse_rfc3339(s)
    }
}

/// Prints RFC 3339 in UTC, `2026-01-31T08:00:00Z`, with a `.fraction` only
/// when it is non-zero (`2026-01-31T08:00:00.25Z`).
///
/// Instants outside years 0000-9999, reachable only through an offset at the
/// edge of that range or [`Timestamp::from_unix`], print with the year's sign
/// and all its digits (`-0001-12-31T23:00:00Z`, `10000-01-01T00:00:00Z`),
/// which is not RFC 3339.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(SECONDS_PER_DAY);
        let secs_of_day = self.seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if year < 0 {
            write!(f, "-{:04}", year.unsigned_abs())?;
        } else {
            write!(f, "{year:04}")?;
        }
        write!(
            f,
            "-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            secs_of_day / 3600,
            secs_of_day % 3600 / 60,
            secs_of_day % 60
        )?;
        if !self.fraction.is_empty() {
            write!(f, ".{}", self.fraction)?;
        }
        f.write_str("Z")
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

/// The textual forms an [`Timestamp`] can be parsed from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Rfc3339,
    RestoreTime,
    TimeShift,
}

impl Format {
    fn error(self, input: &str, reason: String) -> ValueError {
        let input = input.to_owned();
        match self {
            Format::Rfc3339 => ValueError::InvalidDateTime { input, reason },
            Format::RestoreTime => ValueError::InvalidRestoreTime { input, reason },
            Format::TimeShift => ValueError::InvalidTimeShift { input, reason },
        }
    }

    /// Whether `t` and `z` are accepted as well as `T` and `Z`.
    fn allows_lowercase(self) -> bool {
        self == Format::Rfc3339
    }

    /// Whether the seconds may be left out.
    fn seconds_optional(self) -> bool {
        self == Format::TimeShift
    }

    /// Whether a fraction and numeric offsets are accepted.
    fn allows_fraction_and_offset(self) -> bool {
        self == Format::Rfc3339
    }

    /// What must follow the date, for the error on a date alone.
    fn time_suffix(self) -> &'static str {
        match self {
            Format::Rfc3339 => "the time and offset are required",
            Format::RestoreTime | Format::TimeShift => "the time and the `Z` suffix are required",
        }
    }
}

/// Reads fixed-width fields from ASCII input, producing error reasons.
///
/// It only ever steps over ASCII bytes, so its position is always a char
/// boundary and the character found there can be quoted in messages.
struct Cursor<'a> {
    input: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    /// Describes the character at the current position for a message.
    fn found(&self) -> String {
        match self
            .input
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => format!("`{c}`"),
            None => "the end of the input".to_owned(),
        }
    }

    /// Consumes exactly `count` ASCII digits and returns their value.
    fn digits(&mut self, count: usize, field: &str) -> Result<i64, String> {
        let mut value = 0i64;
        for _ in 0..count {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    // At most four digits, so this cannot overflow.
                    value = value * 10 + i64::from(d - b'0');
                    self.pos += 1;
                }
                _ => {
                    return Err(format!(
                        "expected {count} digits for the {field}, found {}",
                        self.found()
                    ));
                }
            }
        }
        Ok(value)
    }

    /// Consumes the byte `expected`, which separates fields.
    fn separator(&mut self, expected: u8, after: &str) -> Result<(), String> {
        if self.peek() == Some(expected) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{}` after the {after}, found {}",
                char::from(expected),
                self.found()
            ))
        }
    }
}

fn parse(input: &str, format: Format) -> Result<Timestamp, ValueError> {
    parse_fields(input, format).map_err(|reason| format.error(input, reason))
}

fn parse_fields(input: &str, format: Format) -> Result<Timestamp, String> {
    let mut cur = Cursor { input, pos: 0 };
    let days = parse_date(&mut cur)?;
    match cur.peek() {
        None => return Err(format.time_suffix().to_owned()),
        Some(b'T') => {}
        Some(b't') if format.allows_lowercase() => {}
        Some(b't') => return Err("the `T` separator must be uppercase".to_owned()),
        Some(b' ') => return Err("a space separator is not allowed: use `T`".to_owned()),
        Some(_) => {
            return Err(format!(
                "expected `T` after the date, found {}",
                cur.found()
            ));
        }
    }
    cur.pos += 1;
    let (secs_of_day, fraction) = parse_time(&mut cur, format)?;
    let offset = parse_offset(&mut cur, format)?;
    if !cur.at_end() {
        return Err(format!(
            "unexpected `{}` after the time zone",
            input.get(cur.pos..).unwrap_or_default()
        ));
    }
    // Years have four digits, so no term comes near overflow. The offset is
    // local time minus UTC, hence subtracted.
    Ok(Timestamp {
        seconds: days * SECONDS_PER_DAY + secs_of_day - offset,
        fraction: Box::from(fraction),
    })
}

/// Reads `YYYY-MM-DD` and returns its day number since the Unix epoch.
fn parse_date(cur: &mut Cursor<'_>) -> Result<i64, String> {
    let year = cur.digits(4, "year")?;
    cur.separator(b'-', "year")?;
    let month = cur.digits(2, "month")?;
    check_range(month, 1, 12, "month")?;
    cur.separator(b'-', "month")?;
    let day = cur.digits(2, "day")?;
    let month_days = days_in_month(year, month);
    if !(1..=month_days).contains(&day) {
        return Err(format!(
            "day `{day:02}` is out of range for `{year:04}-{month:02}`, which has {month_days} days"
        ));
    }
    Ok(days_from_civil(year, month, day))
}

/// Reads `HH:MM[:SS][.F+]` as the format allows and returns the seconds
/// since midnight and the fraction digits without trailing zeros.
fn parse_time<'a>(cur: &mut Cursor<'a>, format: Format) -> Result<(i64, &'a str), String> {
    let hour = cur.digits(2, "hour")?;
    check_range(hour, 0, 23, "hour")?;
    cur.separator(b':', "hour")?;
    let minute = cur.digits(2, "minute")?;
    check_range(minute, 0, 59, "minute")?;

    let second = match cur.peek() {
        Some(b':') => {
            cur.pos += 1;
            let second = cur.digits(2, "second")?;
            if second == 60 {
                return Err(
                    "second `60` is out of range 00-59: leap seconds are not allowed".to_owned(),
                );
            }
            check_range(second, 0, 59, "second")?;
            second
        }
        _ if format.seconds_optional() => 0,
        None | Some(b'Z' | b'z' | b'+' | b'-') => {
            return Err("the seconds are required".to_owned());
        }
        Some(_) => {
            return Err(format!(
                "expected `:` after the minute, found {}",
                cur.found()
            ));
        }
    };

    let mut fraction = "";
    if cur.peek() == Some(b'.') {
        if !format.allows_fraction_and_offset() {
            return Err("a fraction of a second is not allowed".to_owned());
        }
        cur.pos += 1;
        let start = cur.pos;
        while let Some(b'0'..=b'9') = cur.peek() {
            cur.pos += 1;
        }
        if cur.pos == start {
            return Err(format!("expected a digit after `.`, found {}", cur.found()));
        }
        fraction = cur
            .input
            .get(start..cur.pos)
            .unwrap_or_default()
            .trim_end_matches('0');
    }
    Ok((hour * 3600 + minute * 60 + second, fraction))
}

/// Reads the time zone, `Z` or `±hh:mm` as the format allows, and returns
/// the offset from UTC in seconds.
fn parse_offset(cur: &mut Cursor<'_>, format: Format) -> Result<i64, String> {
    let numeric = format.allows_fraction_and_offset();
    match cur.peek() {
        Some(b'Z') => {
            cur.pos += 1;
            Ok(0)
        }
        Some(b'z') if format.allows_lowercase() => {
            cur.pos += 1;
            Ok(0)
        }
        Some(b'z') => Err("the `Z` suffix must be uppercase".to_owned()),
        Some(sign @ (b'+' | b'-')) if numeric => {
            cur.pos += 1;
            let hour = cur.digits(2, "offset hour")?;
            check_range(hour, 0, 23, "offset hour")?;
            cur.separator(b':', "offset hour")?;
            let minute = cur.digits(2, "offset minute")?;
            check_range(minute, 0, 59, "offset minute")?;
            let magnitude = hour * 3600 + minute * 60;
            Ok(if sign == b'-' { -magnitude } else { magnitude })
        }
        Some(b'+' | b'-') => {
            Err("an offset is not allowed: the time must be in UTC and end in `Z`".to_owned())
        }
        None if numeric => Err("the offset is required: add `Z` or `±hh:mm`".to_owned()),
        None => Err("the `Z` suffix is required".to_owned()),
        Some(_) if numeric => Err(format!(
            "expected `Z` or an offset like `+08:00` after the time, found {}",
            cur.found()
        )),
        Some(_) => Err(format!(
            "expected `Z` after the time, found {}",
            cur.found()
        )),
    }
}

fn check_range(value: i64, min: i64, max: i64, field: &str) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{field} `{value:02}` is out of range {min:02}-{max:02}"
        ))
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1-12) of the proleptic Gregorian `year`.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date `year-month-day`.
///
/// Howard Hinnant's `days_from_civil`
/// (<https://howardhinnant.github.io/date_algorithms.html>): years are
/// shifted to start in March so that the leap day ends the year, then counted
/// in 400-year eras of 146097 days. Exact for any `year` within ±10¹⁴.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400); // [0, 399]
    let month_from_march = (month + 9) % 12; // March is 0, February is 11
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1; // [0, 365]
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719468 is the number of days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian `(year, month, day)` that is `days` after
/// 1970-01-01; the inverse of [`days_from_civil`].
///
/// Howard Hinnant's `civil_from_days`. Any `days` from an `i64` count of
/// seconds (at most ±1.1 × 10¹⁴) stays far from overflow.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097); // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // [0, 399]
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365]
    let month_from_march = (5 * day_of_year + 2) / 153; // [0, 11]
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // [1, 31]
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rfc(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn civil_conversions_match_known_dates() {
        for ((y, m, d), days) in [
            ((1970, 1, 1), 0),
            ((1969, 12, 31), -1),
            ((1970, 1, 2), 1),
            ((2000, 1, 1), 10_957),
            ((2000, 2, 29), 11_016),
            ((2000, 3, 1), 11_017),
            ((1900, 3, 1), -25_508),
            ((2026, 1, 31), 20_484),
            ((0, 1, 1), -719_528),
            ((0, 2, 29), -719_469),
            ((9999, 12, 31), 2_932_896),
        ] {
            assert_eq!(days_from_civil(y, m, d), days, "{y:04}-{m:02}-{d:02}");
            assert_eq!(civil_from_days(days), (y, m, d), "{days}");
        }
    }

    #[test]
    fn unix_seconds_of_known_instants() {
        for (input, seconds) in [
            ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59Z", -1),
            ("2000-02-29T00:00:00Z", 951_782_400),
            ("2026-01-31T08:00:00Z", 1_769_846_400),
            ("9999-12-31T23:59:59Z", 253_402_300_799),
            ("0000-01-01T00:00:00Z", -62_167_219_200),
        ] {
            assert_eq!(rfc(input).unix_seconds(), seconds, "{input}");
            assert_eq!(rfc(input).to_string(), input);
            assert_eq!(Timestamp::from_unix(seconds, 0), rfc(input), "{input}");
        }
    }

    #[test]
    fn accepts_rfc3339_forms() {
        for (input, display) in [
            ("2026-01-31T08:00:00Z", "2026-01-31T08:00:00Z"),
            ("2026-01-31t08:00:00z", "2026-01-31T08:00:00Z"),
            ("2026-01-31T08:00:00z", "2026-01-31T08:00:00Z"),
            ("2026-01-31T16:00:00+08:00", "2026-01-31T08:00:00Z"),
            ("2026-01-31T03:30:00-04:30", "2026-01-31T08:00:00Z"),
            ("2026-01-31T08:00:00-00:00", "2026-01-31T08:00:00Z"),
            ("2026-01-31T08:00:00+00:00", "2026-01-31T08:00:00Z"),
            ("2026-01-01T00:00:00+23:59", "2025-12-31T00:01:00Z"),
            ("2026-01-31T08:00:00.5Z", "2026-01-31T08:00:00.5Z"),
            ("2026-01-31T08:00:00.500Z", "2026-01-31T08:00:00.5Z"),
            ("2026-01-31T08:00:00.000Z", "2026-01-31T08:00:00Z"),
            (
                "2026-01-31T08:00:00.123456789012345678901Z",
                "2026-01-31T08:00:00.123456789012345678901Z",
            ),
            ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
            ("2000-02-29T23:59:59Z", "2000-02-29T23:59:59Z"),
            ("2026-12-31T23:59:59.999Z", "2026-12-31T23:59:59.999Z"),
            ("0000-01-01T00:00:00+01:00", "-0001-12-31T23:00:00Z"),
            ("9999-12-31T23:59:59-01:00", "10000-01-01T00:59:59Z"),
        ] {
            assert_eq!(rfc(input).to_string(), display, "{input}");
        }
    }

    #[test]
    fn rejects_malformed_rfc3339() {
        for (input, reason) in [
            ("2026-01-31", "the time and offset are required"),
            (
                "2026-01-31 08:00:00Z",
                "a space separator is not allowed: use `T`",
            ),
            ("2026-01-31T08:00Z", "the seconds are required"),
            ("2026-01-31T08:00", "the seconds are required"),
            (
                "2026-01-31T08:00:00",
                "the offset is required: add `Z` or `±hh:mm`",
            ),
            (
                "2026-01-31T08:00:00.5",
                "the offset is required: add `Z` or `±hh:mm`",
            ),
            (
                "2026-02-29T00:00:00Z",
                "day `29` is out of range for `2026-02`, which has 28 days",
            ),
            (
                "1900-02-29T00:00:00Z",
                "day `29` is out of range for `1900-02`, which has 28 days",
            ),
            (
                "2026-04-31T00:00:00Z",
                "day `31` is out of range for `2026-04`, which has 30 days",
            ),
            (
                "2026-01-00T00:00:00Z",
                "day `00` is out of range for `2026-01`, which has 31 days",
            ),
            ("2026-13-01T00:00:00Z", "month `13` is out of range 01-12"),
            ("2026-00-01T00:00:00Z", "month `00` is out of range 01-12"),
            ("2026-01-31T24:00:00Z", "hour `24` is out of range 00-23"),
            ("2026-01-31T08:60:00Z", "minute `60` is out of range 00-59"),
            (
                "2026-12-31T23:59:60Z",
                "second `60` is out of range 00-59: leap seconds are not allowed",
            ),
            ("2026-12-31T23:59:61Z", "second `61` is out of range 00-59"),
            (
                "2026-01-31T08:00:00+24:00",
                "offset hour `24` is out of range 00-23",
            ),
            (
                "2026-01-31T08:00:00+08:60",
                "offset minute `60` is out of range 00-59",
            ),
            (
                "2026-01-31T08:00:00+0800",
                "expected `:` after the offset hour, found `0`",
            ),
            (
                "2026-01-31T08:00:00+8:00",
                "expected 2 digits for the offset hour, found `:`",
            ),
            (
                "2026-01-31T08:00:00.Z",
                "expected a digit after `.`, found `Z`",
            ),
            (
                "2026-01-31T08:00:00,5Z",
                "expected `Z` or an offset like `+08:00` after the time, found `,`",
            ),
            (
                "2026-01-31T08:00:00 Z",
                "expected `Z` or an offset like `+08:00` after the time, found ` `",
            ),
            (
                "2026-01-31T08:00:00ZZ",
                "unexpected `Z` after the time zone",
            ),
            (
                "2026-01-31T08:00:00Z ",
                "unexpected ` ` after the time zone",
            ),
            (
                " 2026-01-31T08:00:00Z",
                "expected 4 digits for the year, found ` `",
            ),
            (
                "26-01-31T08:00:00Z",
                "expected 4 digits for the year, found `-`",
            ),
            (
                "+2026-01-31T08:00:00Z",
                "expected 4 digits for the year, found `+`",
            ),
            (
                "20260-01-31T08:00:00Z",
                "expected `-` after the year, found `0`",
            ),
            (
                "2026-1-31T08:00:00Z",
                "expected 2 digits for the month, found `-`",
            ),
            (
                "2026/01/31T08:00:00Z",
                "expected `-` after the year, found `/`",
            ),
            (
                "2026-01-31T8:00:00Z",
                "expected 2 digits for the hour, found `:`",
            ),
            (
                "2026-01-31T08.00:00Z",
                "expected `:` after the hour, found `.`",
            ),
            (
                "2026-01-31_08:00:00Z",
                "expected `T` after the date, found `_`",
            ),
            (
                "2026-01-31T08:00:0Z",
                "expected 2 digits for the second, found `Z`",
            ),
            (
                "2026-01-31T08:00:00+08",
                "expected `:` after the offset hour, found the end of the input",
            ),
            (
                "2026-01-31T08:00:00Ü",
                "expected `Z` or an offset like `+08:00` after the time, found `Ü`",
            ),
            (
                "",
                "expected 4 digits for the year, found the end of the input",
            ),
        ] {
            assert_eq!(
                Timestamp::parse_rfc3339(input),
                Err(ValueError::InvalidDateTime {
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
            Timestamp::parse_rfc3339("2026-01-31")
                .unwrap_err()
                .to_string(),
            "expected an RFC 3339 date-time like `2026-01-31T08:00:00Z`, found `2026-01-31`: the time and offset are required"
        );
        assert_eq!(
            Timestamp::parse_restore_time("2026-01-31T08:00Z")
                .unwrap_err()
                .to_string(),
            "expected a `RestoreTime` in the form `yyyy-MM-ddTHH:mm:ssZ` like `2026-01-31T08:00:00Z`, found `2026-01-31T08:00Z`: the seconds are required"
        );
    }

    #[test]
    fn compares_exactly() {
        // Each list is strictly increasing.
        let ascending = [
            "0000-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "1969-12-31T23:59:59.999999999999Z",
            "1970-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            "2026-01-01T08:00:00.000000001+08:00",
            "2026-01-01T00:00:00.09Z",
            "2026-01-01T00:00:00.1Z",
            "2026-01-01T00:00:00.10000000001Z",
            "2026-01-01T00:00:00.2Z",
            "2026-01-01T00:00:01Z",
            "9999-12-31T23:59:59.9Z",
        ];
        for pair in ascending.windows(2) {
            assert!(rfc(pair[0]) < rfc(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        for (a, b) in [
            ("2026-01-01T08:00:00+08:00", "2026-01-01T00:00:00Z"),
            ("2025-12-31T19:00:00-05:00", "2026-01-01T00:00:00z"),
            ("2026-01-01T00:00:00.100Z", "2026-01-01t00:00:00.1Z"),
            ("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00Z"),
        ] {
            assert_eq!(rfc(a), rfc(b), "{a} == {b}");
        }
    }

    #[test]
    fn restore_time_is_strict() {
        assert_eq!(
            Timestamp::parse_restore_time("2026-01-31T08:00:00Z"),
            Ok(rfc("2026-01-31T08:00:00Z"))
        );
        for (input, reason) in [
            (
                "2026-01-31t08:00:00Z",
                "the `T` separator must be uppercase",
            ),
            ("2026-01-31T08:00:00z", "the `Z` suffix must be uppercase"),
            (
                "2026-01-31T08:00:00.5Z",
                "a fraction of a second is not allowed",
            ),
            (
                "2026-01-31T16:00:00+08:00",
                "an offset is not allowed: the time must be in UTC and end in `Z`",
            ),
            ("2026-01-31T08:00Z", "the seconds are required"),
            ("2026-01-31T08:00:00", "the `Z` suffix is required"),
            ("2026-01-31", "the time and the `Z` suffix are required"),
            (
                "2026-01-31 08:00:00Z",
                "a space separator is not allowed: use `T`",
            ),
            (
                "2026-01-31T08:00:00Zx",
                "unexpected `x` after the time zone",
            ),
            (
                "2026-01-31T08:00:00X",
                "expected `Z` after the time, found `X`",
            ),
        ] {
            assert_eq!(
                Timestamp::parse_restore_time(input),
                Err(ValueError::InvalidRestoreTime {
                    input: input.to_owned(),
                    reason: reason.to_owned()
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn time_shift_allows_missing_seconds() {
        for (input, display) in [
            ("2026-01-31T08:00Z", "2026-01-31T08:00:00Z"),
            ("2026-01-31T08:05:30Z", "2026-01-31T08:05:30Z"),
        ] {
            assert_eq!(
                Timestamp::parse_time_shift(input).map(|i| i.to_string()),
                Ok(display.to_owned()),
                "{input}"
            );
        }
        for (input, reason) in [
            ("2026-01-31t08:00Z", "the `T` separator must be uppercase"),
            ("2026-01-31T08:00z", "the `Z` suffix must be uppercase"),
            (
                "2026-01-31T08:00:00.5Z",
                "a fraction of a second is not allowed",
            ),
            (
                "2026-01-31T08:00+08:00",
                "an offset is not allowed: the time must be in UTC and end in `Z`",
            ),
            ("2026-01-31T08:00", "the `Z` suffix is required"),
            ("2026-01-31T08Z", "expected `:` after the hour, found `Z`"),
            (
                "2026-01-31T08:0Z",
                "expected 2 digits for the minute, found `Z`",
            ),
            (
                "2026-02-30T08:00Z",
                "day `30` is out of range for `2026-02`, which has 28 days",
            ),
        ] {
            assert_eq!(
                Timestamp::parse_time_shift(input),
                Err(ValueError::InvalidTimeShift {
                    input: input.to_owned(),
                    reason: reason.to_owned()
                }),
                "{input:?}"
            );
        }
    }

    #[test]
    fn from_unix_keeps_nanoseconds() {
        for ((seconds, nanos), display) in [
            ((0, 0), "1970-01-01T00:00:00Z"),
            ((0, 500_000_000), "1970-01-01T00:00:00.5Z"),
            ((0, 1), "1970-01-01T00:00:00.000000001Z"),
            ((-1, 999_999_999), "1969-12-31T23:59:59.999999999Z"),
            ((0, 1_500_000_000), "1970-01-01T00:00:01.5Z"),
            ((-62_167_219_201, 0), "-0001-12-31T23:59:59Z"),
        ] {
            assert_eq!(Timestamp::from_unix(seconds, nanos).to_string(), display);
        }
        assert_eq!(
            Timestamp::from_unix(i64::MAX, u32::MAX).unix_seconds(),
            i64::MAX
        );
        // Extreme values display without overflow.
        assert!(!Timestamp::from_unix(i64::MIN, 0).to_string().is_empty());
        assert!(!Timestamp::from_unix(i64::MAX, 0).to_string().is_empty());
    }

    #[test]
    fn now_is_after_2020_and_round_trips() {
        let now = Timestamp::now();
        assert!(now > rfc("2020-01-01T00:00:00Z"));
        assert_eq!(rfc(&now.to_string()), now);
    }

    proptest! {
        #[test]
        fn display_round_trips(
            year in 0i64..=9999,
            month in 1i64..=12,
            day_seed in 0i64..31,
            hour in 0i64..24,
            minute in 0i64..60,
            second in 0i64..60,
            fraction in "([0-9]{0,20}[1-9])?",
        ) {
            let day = day_seed % days_in_month(year, month) + 1;
            let dot = if fraction.is_empty() { "" } else { "." };
            let text = format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{dot}{fraction}Z"
            );
            let instant = rfc(&text);
            prop_assert_eq!(instant.to_string(), text);
            prop_assert_eq!(rfc(&instant.to_string()), instant);
        }

        #[test]
        fn offsets_shift_by_their_amount(
            seconds in -62_135_596_800i64..253_370_764_800, // 0001 to 9998
            offset_minutes in -1439i64..=1439,
        ) {
            let utc = Timestamp::from_unix(seconds, 0);
            let local = Timestamp::from_unix(seconds + offset_minutes * 60, 0).to_string();
            let sign = if offset_minutes < 0 { '-' } else { '+' };
            let magnitude = offset_minutes.abs();
            let text = format!(
                "{}{sign}{:02}:{:02}",
                local.trim_end_matches('Z'),
                magnitude / 60,
                magnitude % 60
            );
            prop_assert_eq!(rfc(&text), utc);
        }

        #[test]
        fn civil_days_round_trip(days in -800_000i64..3_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert!((1..=12).contains(&m));
            prop_assert!((1..=days_in_month(y, m)).contains(&d));
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
