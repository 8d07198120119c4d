//! The working calendar: which dates the team works on. A date is a business day when its
//! weekday is in the project's working week and it is not one of the project's holidays.
//! Velocity, capacity and forecasts are all counted in business days, never calendar days.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::project::WorkingWeek;

/// How far back `previous_business_day` looks before giving up.
const PREVIOUS_SEARCH_DAYS: u32 = 366;
/// How far ahead `finish_date` looks before giving up (20 years, leap days included).
const FINISH_SEARCH_DAYS: u32 = 20 * 366;

/// A project's working week plus its holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    week: WorkingWeek,
    holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// A calendar working on `week`'s weekdays, except on `holidays`.
    pub fn new(week: WorkingWeek, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Calendar {
            week,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Whether the team works on `day`: its weekday is a working day and it is no holiday.
    pub fn is_business_day(&self, day: NaiveDate) -> bool {
        self.week.contains(day.weekday()) && !self.holidays.contains(&day)
    }

    /// Business days from `from` to `to`, both inclusive, ascending (empty when to < from).
    pub fn business_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        from.iter_days()
            .take_while(|day| *day <= to)
            .filter(|day| self.is_business_day(*day))
            .collect()
    }

    /// How many business days lie from `from` to `to`, both inclusive (0 when to < from).
    pub fn count_business_days(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let count = from
            .iter_days()
            .take_while(|day| *day <= to)
            .filter(|day| self.is_business_day(*day))
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// The last business day strictly before `day` (Monday → Friday with Mon–Fri); None if
    /// none within 366 days.
    pub fn previous_business_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        day.pred_opt()?
            .iter_days()
            .rev()
            .take(PREVIOUS_SEARCH_DAYS as usize)
            .find(|d| self.is_business_day(*d))
    }

    /// Forecast helper: the date on which `days` business days of work are finished when work
    /// starts on `from` (`from` counts if it is a business day). With the Mon–Fri week, three
    /// days from Thursday finish on Monday (Thu, Fri, Mon); holidays are skipped.
    ///
    /// `days == 0` means nothing is left to do, so the work is finished on `from` itself.
    /// Returns None when the answer lies more than 20 years ahead (absurd inputs).
    pub fn finish_date(&self, from: NaiveDate, days: u32) -> Option<NaiveDate> {
        if days == 0 {
            return Some(from);
        }
        from.iter_days()
            .take(FINISH_SEARCH_DAYS as usize)
            .filter(|d| self.is_business_day(*d))
            .nth(days as usize - 1) // days >= 1 here, so this cannot underflow
    }
}

/// The dates Cadence works with. Every date a person or a document gives is checked
/// against them where it enters, so date arithmetic inside can never overflow.
pub const DATE_RANGE: &str = "1900-01-01 to 2200-12-31";

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date")
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{} is not a date (YYYY-MM-DD)", crate::domain::Quoted(.0))]
    NotADate(String),
    #[error("{0} is outside the dates Cadence works with ({DATE_RANGE})")]
    OutOfRange(NaiveDate),
}

/// The date, when it is one Cadence works with.
pub fn in_range(date: NaiveDate) -> Result<NaiveDate, DateError> {
    if (first_day()..=last_day()).contains(&date) {
        Ok(date)
    } else {
        Err(DateError::OutOfRange(date))
    }
}

/// A `YYYY-MM-DD` date (spaces around it ignored) that Cadence works with.
pub fn parse_date(raw: &str) -> Result<NaiveDate, DateError> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| DateError::NotADate(raw.to_owned()))
        .and_then(in_range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_within_the_range_cadence_works_with() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(parse_date(" 2026-03-02 "), Ok(d(2026, 3, 2)));
        assert_eq!(parse_date("1900-01-01"), Ok(d(1900, 1, 1)));
        assert_eq!(parse_date("2200-12-31"), Ok(d(2200, 12, 31)));
        // A date chrono can read but no calendar arithmetic survives near.
        assert!(matches!(
            parse_date("+262142-12-31"),
            Err(DateError::OutOfRange(_))
        ));
        assert_eq!(
            parse_date("12/25/2026"),
            Err(DateError::NotADate("12/25/2026".into()))
        );
        assert_eq!(
            parse_date("1899-12-31"),
            Err(DateError::OutOfRange(d(1899, 12, 31)))
        );
        assert!(parse_date("2201-01-01").is_err());
        assert!(parse_date("-4714-01-01").is_err());
        assert!(parse_date("2026-02-30").is_err());
        assert_eq!(in_range(d(2026, 3, 2)), Ok(d(2026, 3, 2)));
        assert!(in_range(NaiveDate::MAX).is_err());
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn mon_fri() -> Calendar {
        Calendar::new(WorkingWeek::default(), [])
    }

    #[test]
    fn weekends_are_not_business_days() {
        let cal = mon_fri();
        assert!(cal.is_business_day(date(2026, 1, 9))); // Friday
        assert!(!cal.is_business_day(date(2026, 1, 10))); // Saturday
        assert!(!cal.is_business_day(date(2026, 1, 11))); // Sunday
        assert_eq!(
            cal.business_days(date(2026, 1, 8), date(2026, 1, 13)),
            [
                date(2026, 1, 8),
                date(2026, 1, 9),
                date(2026, 1, 12),
                date(2026, 1, 13)
            ]
        );
    }

    #[test]
    fn holidays_are_not_business_days() {
        let cal = Calendar::new(WorkingWeek::default(), [date(2026, 1, 7)]);
        assert!(!cal.is_business_day(date(2026, 1, 7)));
        assert!(cal.is_business_day(date(2026, 1, 8)));
        assert_eq!(
            cal.count_business_days(date(2026, 1, 5), date(2026, 1, 9)),
            4
        );
    }

    #[test]
    fn custom_working_weeks() {
        let mon_thu = Calendar::new(WorkingWeek::parse(&[1, 2, 3, 4]).unwrap(), []);
        assert!(!mon_thu.is_business_day(date(2026, 1, 9))); // Friday
        assert_eq!(
            mon_thu.count_business_days(date(2026, 1, 5), date(2026, 1, 11)),
            4
        );

        let sun_thu = Calendar::new(WorkingWeek::parse(&[7, 1, 2, 3, 4]).unwrap(), []);
        assert!(sun_thu.is_business_day(date(2026, 1, 11))); // Sunday
        assert!(!sun_thu.is_business_day(date(2026, 1, 9))); // Friday
        assert_eq!(
            sun_thu.previous_business_day(date(2026, 1, 11)),
            Some(date(2026, 1, 8)) // Sunday → Thursday
        );
    }

    #[test]
    fn a_two_week_increment_has_ten_business_days() {
        let cal = mon_fri();
        assert_eq!(
            cal.count_business_days(date(2026, 1, 5), date(2026, 1, 16)),
            10
        );
        let days = cal.business_days(date(2026, 1, 5), date(2026, 1, 16));
        assert_eq!(days.len(), 10);
        assert_eq!(days.first(), Some(&date(2026, 1, 5)));
        assert_eq!(days.last(), Some(&date(2026, 1, 16)));
    }

    #[test]
    fn reversed_ranges_are_empty() {
        let cal = mon_fri();
        assert!(cal
            .business_days(date(2026, 1, 9), date(2026, 1, 8))
            .is_empty());
        assert_eq!(
            cal.count_business_days(date(2026, 1, 9), date(2026, 1, 8)),
            0
        );
    }

    #[test]
    fn previous_business_day_skips_weekends_and_holidays() {
        let cal = mon_fri();
        assert_eq!(
            cal.previous_business_day(date(2026, 1, 12)),
            Some(date(2026, 1, 9))
        );
        assert_eq!(
            cal.previous_business_day(date(2026, 1, 8)),
            Some(date(2026, 1, 7))
        );

        let friday_off = Calendar::new(WorkingWeek::default(), [date(2026, 1, 9)]);
        assert_eq!(
            friday_off.previous_business_day(date(2026, 1, 12)),
            Some(date(2026, 1, 8))
        );

        let monday_off = Calendar::new(WorkingWeek::default(), [date(2026, 1, 12)]);
        assert_eq!(
            monday_off.previous_business_day(date(2026, 1, 13)),
            Some(date(2026, 1, 9))
        );
    }

    #[test]
    fn previous_business_day_gives_up_after_a_year() {
        let every_day_off = Calendar::new(
            WorkingWeek::default(),
            date(2025, 1, 1).iter_days().take(400),
        );
        assert_eq!(every_day_off.previous_business_day(date(2026, 1, 12)), None);
    }

    #[test]
    fn finish_date_counts_business_days_from_the_start() {
        let cal = mon_fri();
        assert_eq!(
            cal.finish_date(date(2026, 1, 8), 3),
            Some(date(2026, 1, 12))
        );
        assert_eq!(cal.finish_date(date(2026, 1, 8), 1), Some(date(2026, 1, 8)));
        assert_eq!(cal.finish_date(date(2026, 1, 8), 0), Some(date(2026, 1, 8)));
        // Starting on a Saturday: the first day of work is Monday.
        assert_eq!(
            cal.finish_date(date(2026, 1, 10), 1),
            Some(date(2026, 1, 12))
        );

        let monday_off = Calendar::new(WorkingWeek::default(), [date(2026, 1, 12)]);
        assert_eq!(
            monday_off.finish_date(date(2026, 1, 8), 3),
            Some(date(2026, 1, 13))
        );
    }

    #[test]
    fn finish_date_refuses_absurd_horizons() {
        let cal = mon_fri();
        assert_eq!(cal.finish_date(date(2026, 1, 5), 1_000_000), None);
        assert!(cal.finish_date(date(2026, 1, 5), 260 * 19).is_some());
    }
}
