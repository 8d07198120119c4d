//! Sprints and their increments, velocity, capacity and the forecast.
//!
//! A sprint is a named stretch of dates cut into increments of a fixed number of weeks; the
//! last increment may be shorter so that it ends exactly when the sprint does. An increment's
//! velocity is the points it completed per business day. The team's velocity averages the
//! most recent closed increments, and the forecast turns the remaining points into business
//! days (rounded up) and then into a date on the working calendar.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;

pub const SPRINT_NAME_MAX_CHARS: usize = 100;
pub const DEFAULT_INCREMENT_WEEKS: u8 = 2;
pub const MAX_INCREMENT_WEEKS: u8 = 8;
/// The longest sprint accepted, in calendar days (two years, one of them a leap year).
pub const MAX_SPRINT_DAYS: i64 = 731;

/// The most items one request may commit to (or take out of) an increment: a planning
/// session moves tens at a time, and each is locked while the project's lock is held.
pub const MAX_COMMITTED_AT_ONCE: usize = 500;

/// A sprint's name: trimmed, 1–100 chars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SprintName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SprintNameError {
    #[error("give the sprint a name")]
    Empty,
    #[error("keep the name to 100 characters")]
    TooLong,
}

impl SprintName {
    pub fn parse(raw: &str) -> Result<Self, SprintNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(SprintNameError::Empty);
        }
        if trimmed.chars().count() > SPRINT_NAME_MAX_CHARS {
            return Err(SprintNameError::TooLong);
        }
        Ok(SprintName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SprintName {
    type Error = SprintNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SprintName::parse(&value)
    }
}

impl From<SprintName> for String {
    fn from(value: SprintName) -> String {
        value.0
    }
}

impl std::fmt::Display for SprintName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stretch of dates, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanError {
    #[error("the end date is before the start date")]
    EndsBeforeStart,
}

impl Span {
    /// A span from `starts_on` to `ends_on`; a one-day span starts and ends on the same date.
    pub fn new(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<Span, SpanError> {
        if ends_on < starts_on {
            return Err(SpanError::EndsBeforeStart);
        }
        Ok(Span { starts_on, ends_on })
    }

    /// Whether the two spans share at least one date.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.starts_on <= other.ends_on && other.starts_on <= self.ends_on
    }

    /// Whether `d` lies within the span.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.starts_on <= d && d <= self.ends_on
    }

    /// Calendar days in the span, both ends counted.
    pub fn days(&self) -> u32 {
        let days = (self.ends_on - self.starts_on).num_days() + 1;
        u32::try_from(days).unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("the end date is before the start date")]
    EndsBeforeStart,
    #[error("an increment lasts 1 to 8 weeks")]
    Weeks,
    #[error("a sprint lasts at most 2 years")]
    TooLong,
}

/// Tile [start, end] with increments of `weeks` weeks (7*weeks calendar days each); the last
/// one may be shorter and ends exactly on `end`. Sprints longer than 731 days are refused.
pub fn tile(start: NaiveDate, end: NaiveDate, weeks: u8) -> Result<Vec<Span>, TileError> {
    if end < start {
        return Err(TileError::EndsBeforeStart);
    }
    if !(1..=MAX_INCREMENT_WEEKS).contains(&weeks) {
        return Err(TileError::Weeks);
    }
    if (end - start).num_days() + 1 > MAX_SPRINT_DAYS {
        return Err(TileError::TooLong);
    }
    let last_day_offset = Days::new(7 * u64::from(weeks) - 1); // weeks >= 1 here
    let mut spans = Vec::new();
    let mut starts_on = start;
    loop {
        // Past the end of the calendar means past `end` too.
        let ends_on = starts_on
            .checked_add_days(last_day_offset)
            .map_or(end, |d| d.min(end));
        spans.push(Span { starts_on, ends_on });
        match ends_on.succ_opt() {
            Some(next) if ends_on < end => starts_on = next,
            _ => return Ok(spans),
        }
    }
}

/// Points per business day: completed / business days; None when there are no business days.
pub fn velocity(completed_points: u32, business_days: u32) -> Option<f64> {
    (business_days > 0).then(|| f64::from(completed_points) / f64::from(business_days))
}

/// The team's velocity over its recent closed increments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamVelocity {
    /// Mean points per business day.
    pub average: f64,
    /// The lowest of the averaged velocities.
    pub slowest: f64,
    /// The highest of the averaged velocities.
    pub fastest: f64,
    /// How many increments were averaged.
    pub increments: usize,
}

/// The team's velocity: the mean of the `window` most recent closed increments' velocities
/// (input is newest first); slowest/fastest are min/max of those same ones. None when the
/// input is empty or window==0.
pub fn team_velocity(newest_first: &[f64], window: usize) -> Option<TeamVelocity> {
    let recent = &newest_first[..window.min(newest_first.len())];
    let (&first, rest) = recent.split_first()?;
    let (sum, slowest, fastest) = rest
        .iter()
        .fold((first, first, first), |(sum, lo, hi), &v| {
            (sum + v, lo.min(v), hi.max(v))
        });
    Some(TeamVelocity {
        average: sum / recent.len() as f64,
        slowest,
        fastest,
        increments: recent.len(),
    })
}

/// Capacity of an increment: velocity × business days, in points.
pub fn capacity(velocity: f64, business_days: u32) -> f64 {
    velocity * f64::from(business_days)
}

/// When the remaining work should be done, at the team's average, fastest and slowest pace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Forecast {
    pub remaining_points: u32,
    /// Business days of work left at the average velocity, rounded up.
    pub business_days: u32,
    /// The finish date at the average velocity (None beyond 20 years).
    pub date: Option<NaiveDate>,
    /// The finish date at the fastest velocity.
    pub optimistic: Option<NaiveDate>,
    /// The finish date at the slowest velocity; None if the slowest velocity is not positive.
    pub pessimistic: Option<NaiveDate>,
}

/// Business days needed for `points` at `velocity` points per day, rounded up; None unless the
/// velocity is positive.
fn days_needed(points: u32, velocity: f64) -> Option<u32> {
    // `as` saturates for huge quotients; finish_date then refuses the absurd horizon.
    (velocity > 0.0).then(|| (f64::from(points) / velocity).ceil() as u32)
}

/// Remaining points ÷ team velocity → business days (rounded up) → a date on the working
/// calendar, counting `from` as the first day of work if it is a business day.
///
/// Nothing remaining → business_days 0 and all three dates are `from` (whatever the velocity:
/// there is nothing left to wait for). Otherwise an average velocity <= 0 → None (cannot
/// forecast).
pub fn forecast(
    remaining_points: u32,
    team: &TeamVelocity,
    calendar: &Calendar,
    from: NaiveDate,
) -> Option<Forecast> {
    if remaining_points == 0 {
        return Some(Forecast {
            remaining_points,
            business_days: 0,
            date: Some(from),
            optimistic: Some(from),
            pessimistic: Some(from),
        });
    }
    let business_days = days_needed(remaining_points, team.average)?;
    let finish = |velocity: f64| {
        days_needed(remaining_points, velocity).and_then(|days| calendar.finish_date(from, days))
    };
    Some(Forecast {
        remaining_points,
        business_days,
        date: calendar.finish_date(from, business_days),
        optimistic: finish(team.fastest),
        pessimistic: finish(team.slowest),
    })
}

/// Where an increment is in its life: planned, then active (the board moves), then
/// closed (its report frozen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum IncrementState {
    Planned,
    Active,
    Closed,
}

impl IncrementState {
    pub fn as_str(self) -> &'static str {
        match self {
            IncrementState::Planned => "planned",
            IncrementState::Active => "active",
            IncrementState::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<IncrementState> {
        match raw {
            "planned" => Some(IncrementState::Planned),
            "active" => Some(IncrementState::Active),
            "closed" => Some(IncrementState::Closed),
            _ => None,
        }
    }
}

/// Where unfinished items go when an increment closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Carry {
    /// The next planned increment.
    Next,
    /// Back to the top of the backlog.
    Backlog,
}

#[cfg(test)]
mod tests {
    use super::super::project::WorkingWeek;
    use super::*;
    use chrono::Duration;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn span(a: NaiveDate, b: NaiveDate) -> Span {
        Span::new(a, b).unwrap()
    }

    fn assert_contiguous(spans: &[Span]) {
        for pair in spans.windows(2) {
            assert_eq!(pair[1].starts_on, pair[0].ends_on + Duration::days(1));
            assert!(!pair[0].overlaps(&pair[1]));
        }
    }

    #[test]
    fn sprint_names_are_trimmed_and_bounded() {
        let name = SprintName::parse("  Q1 release  ").unwrap();
        assert_eq!(name.as_str(), "Q1 release");
        assert_eq!(name.to_string(), "Q1 release");
        assert_eq!(String::from(name), "Q1 release");
        assert_eq!(SprintName::parse("   "), Err(SprintNameError::Empty));
        assert!(SprintName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            SprintName::parse(&"é".repeat(101)),
            Err(SprintNameError::TooLong)
        );
        assert_eq!(SprintNameError::Empty.to_string(), "give the sprint a name");
    }

    #[test]
    fn spans_contain_overlap_and_count_days() {
        let jan = span(date(2026, 1, 1), date(2026, 1, 31));
        assert_eq!(jan.days(), 31);
        assert!(jan.contains(date(2026, 1, 31)));
        assert!(!jan.contains(date(2026, 2, 1)));
        assert!(jan.overlaps(&span(date(2026, 1, 31), date(2026, 2, 5))));
        assert!(!jan.overlaps(&span(date(2026, 2, 1), date(2026, 2, 5))));
        assert_eq!(span(date(2026, 1, 1), date(2026, 1, 1)).days(), 1);
        assert_eq!(
            Span::new(date(2026, 1, 2), date(2026, 1, 1)),
            Err(SpanError::EndsBeforeStart)
        );
    }

    #[test]
    fn a_quarter_sprint_tiles_into_six_two_week_increments() {
        let spans = tile(date(2026, 1, 5), date(2026, 3, 27), 2).unwrap();
        assert_eq!(spans.len(), 6);
        assert_eq!(spans[0], span(date(2026, 1, 5), date(2026, 1, 18)));
        assert_eq!(spans[5], span(date(2026, 3, 16), date(2026, 3, 27)));
        assert_eq!(spans[5].days(), 12);
        assert!(spans[..5].iter().all(|s| s.days() == 14));
        assert_contiguous(&spans);
        for (i, a) in spans.iter().enumerate() {
            for b in &spans[i + 1..] {
                assert!(!a.overlaps(b));
            }
        }
    }

    #[test]
    fn a_calendar_quarter_tiles_into_seven_increments() {
        let spans = tile(date(2026, 1, 1), date(2026, 3, 31), 2).unwrap();
        assert_eq!(spans.len(), 7);
        assert_eq!(spans[0].starts_on, date(2026, 1, 1));
        assert_eq!(spans[6], span(date(2026, 3, 26), date(2026, 3, 31)));
        assert_contiguous(&spans);
    }

    #[test]
    fn exact_and_tiny_sprints() {
        let spans = tile(date(2026, 1, 5), date(2026, 2, 1), 2).unwrap();
        assert_eq!(
            spans,
            [
                span(date(2026, 1, 5), date(2026, 1, 18)),
                span(date(2026, 1, 19), date(2026, 2, 1)),
            ]
        );
        assert_eq!(
            tile(date(2026, 1, 5), date(2026, 1, 5), 2).unwrap(),
            [span(date(2026, 1, 5), date(2026, 1, 5))]
        );
    }

    #[test]
    fn tiling_refuses_bad_input() {
        let start = date(2026, 1, 5);
        assert_eq!(
            tile(start, date(2026, 1, 4), 2),
            Err(TileError::EndsBeforeStart)
        );
        assert_eq!(tile(start, date(2026, 3, 27), 0), Err(TileError::Weeks));
        assert_eq!(tile(start, date(2026, 3, 27), 9), Err(TileError::Weeks));
        assert!(tile(start, date(2026, 3, 27), 8).is_ok());
        assert!(tile(start, start + Duration::days(730), 2).is_ok());
        assert_eq!(
            tile(start, start + Duration::days(731), 2),
            Err(TileError::TooLong)
        );
    }

    #[test]
    fn velocity_is_points_per_business_day() {
        assert_eq!(velocity(200, 10), Some(20.0));
        assert_eq!(velocity(5, 0), None);
        assert_eq!(velocity(0, 10), Some(0.0));
    }

    #[test]
    fn team_velocity_averages_the_newest_increments_in_the_window() {
        let team = team_velocity(&[20.0, 10.0, 15.0, 99.0], 3).unwrap();
        assert_eq!(
            team,
            TeamVelocity {
                average: 15.0,
                slowest: 10.0,
                fastest: 20.0,
                increments: 3
            }
        );
        let few = team_velocity(&[12.0, 8.0], 5).unwrap();
        assert_eq!(few.average, 10.0);
        assert_eq!(few.increments, 2);
        assert_eq!(team_velocity(&[], 3), None);
        assert_eq!(team_velocity(&[20.0], 0), None);
    }

    #[test]
    fn capacity_is_velocity_times_business_days() {
        assert_eq!(capacity(20.0, 10), 200.0);
        assert_eq!(capacity(1.5, 0), 0.0);
    }

    fn team(average: f64, slowest: f64, fastest: f64) -> TeamVelocity {
        TeamVelocity {
            average,
            slowest,
            fastest,
            increments: 3,
        }
    }

    #[test]
    fn forecast_turns_points_into_a_business_date() {
        let cal = Calendar::new(WorkingWeek::default(), []);
        let thursday = date(2026, 1, 8);
        let f = forecast(100, &team(20.0, 20.0, 20.0), &cal, thursday).unwrap();
        assert_eq!(f.remaining_points, 100);
        assert_eq!(f.business_days, 5);
        assert_eq!(f.date, Some(date(2026, 1, 14)));

        let monday_off = Calendar::new(WorkingWeek::default(), [date(2026, 1, 12)]);
        let f = forecast(100, &team(20.0, 20.0, 20.0), &monday_off, thursday).unwrap();
        assert_eq!(f.business_days, 5);
        assert_eq!(f.date, Some(date(2026, 1, 15)));
    }

    #[test]
    fn forecast_ranges_from_fastest_to_slowest() {
        let cal = Calendar::new(WorkingWeek::default(), []);
        let f = forecast(100, &team(20.0, 10.0, 25.0), &cal, date(2026, 1, 8)).unwrap();
        assert_eq!(f.date, Some(date(2026, 1, 14)));
        assert_eq!(f.optimistic, Some(date(2026, 1, 13))); // 4 days
        assert_eq!(f.pessimistic, Some(date(2026, 1, 21))); // 10 days

        let stalled = forecast(100, &team(20.0, 0.0, 25.0), &cal, date(2026, 1, 8)).unwrap();
        assert_eq!(stalled.pessimistic, None);
        // Partial days round up: 90 points at 20 a day take 5 days.
        let f = forecast(90, &team(20.0, 20.0, 20.0), &cal, date(2026, 1, 8)).unwrap();
        assert_eq!(f.business_days, 5);
    }

    #[test]
    fn forecast_with_nothing_left_or_no_velocity() {
        let cal = Calendar::new(WorkingWeek::default(), []);
        let saturday = date(2026, 1, 10);
        let f = forecast(0, &team(20.0, 10.0, 25.0), &cal, saturday).unwrap();
        assert_eq!(f.business_days, 0);
        assert_eq!(
            (f.date, f.optimistic, f.pessimistic),
            (Some(saturday), Some(saturday), Some(saturday))
        );
        assert_eq!(forecast(10, &team(0.0, 0.0, 0.0), &cal, saturday), None);
        assert_eq!(forecast(10, &team(-1.0, -1.0, 0.0), &cal, saturday), None);
    }
}
