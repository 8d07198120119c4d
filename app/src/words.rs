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
