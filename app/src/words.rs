//! Counts and ranges written as a person writes them: "1 item", "3 items", "Dec 15"
//! rather than "1 items", "item(s)" or "Dec 15 – Dec 15".

use chrono::NaiveDate;
use std::fmt::Display;

/// "1 item", "0 items", "2.5 points": the noun agrees with the number.
pub fn count<N: Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

/// "the last increment" / "the last 3 increments".
pub fn last(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("the last {one}")
    } else {
        format!("the last {n} {many}")
    }
}

/// Two dates in `format`, joined by an en dash, or the one date when they are the same.
pub fn date_range(from: NaiveDate, to: NaiveDate, format: &str) -> String {
    if from == to {
        from.format(format).to_string()
    } else {
        format!("{} – {}", from.format(format), to.format(format))
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A number with `places` decimals ("9.6"), rounded half away from zero; never "-0".
/// Integer arithmetic, not `format!("{x:.1}")`: the browser's code then carries none of
/// the standard library's float printing (about 10 KB, kept in the first module because
/// formatting reaches it through a table of functions every module shares).
pub fn decimal(x: f64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let scaled = (x * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e15 {
        return if x.is_nan() {
            "—".into()
        } else if x > 0.0 {
            "∞".into()
        } else {
            "-∞".into()
        };
    }
    let scaled = scaled as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let n = scaled.unsigned_abs();
    let (whole, part) = (n / scale, n % scale);
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0width$}", width = places as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1u32, "item", "items"), "1 item");
        assert_eq!(count(0u32, "item", "items"), "0 items");
        assert_eq!(count(8i64, "item", "items"), "8 items");
        assert_eq!(
            last(1, "closed increment", "closed increments"),
            "the last closed increment"
        );
        assert_eq!(
            last(3, "closed increment", "closed increments"),
            "the last 3 closed increments"
        );
    }

    #[test]
    fn a_range_of_one_day_is_that_day() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(date_range(d, d, "%a %b %-d"), "Tue Dec 15");
        assert_eq!(
            date_range(d, d + chrono::Duration::days(2), "%a %b %-d"),
            "Tue Dec 15 – Thu Dec 17"
        );
    }
}
