//! Reports on an increment, rebuilt from the history of its items.
//!
//! What the team committed to is the points in the increment when it started. Work moved in
//! later, or re-estimated upwards, is scope added; work moved out or re-estimated downwards
//! is scope removed. What it completed is the points of the items done when it closed, and
//! its velocity is that per business day. The burndown shows, at the end of each business
//! day, the points still to do next to an ideal line that falls evenly from the commitment to
//! zero on the last day. Epics and deleted items never count.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::sprint::velocity;

/// What matters about an item for the report, as of some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// In this increment, not deleted, not an epic.
    pub counts: bool,
    /// The estimate, 0 if none.
    pub points: u32,
    pub done: bool,
}

impl Facts {
    /// The points this item contributes to the increment's scope.
    pub fn counted_points(&self) -> u32 {
        if self.counts {
            self.points
        } else {
            0
        }
    }
}

/// One item's history: its facts before any change, then every change in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    /// The facts before the first change.
    pub initial: Facts,
    /// Ascending by time: the facts from that moment on.
    pub changes: Vec<(DateTime<Utc>, Facts)>,
}

impl Track {
    /// The facts in force at instant `t`: the last change with time <= t, else the initial ones.
    pub fn at(&self, t: DateTime<Utc>) -> Facts {
        let in_force = self.changes.partition_point(|(at, _)| *at <= t);
        match in_force.checked_sub(1) {
            Some(i) => self.changes[i].1,
            None => self.initial,
        }
    }
}

/// The burndown at the end of one business day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BurnDay {
    pub date: NaiveDate,
    /// Counted points not done yet.
    pub remaining: u32,
    /// All counted points: remaining + done.
    pub scope: u32,
    /// Counted points done.
    pub done: u32,
    /// Where an even burn from the commitment to zero on the last day would be.
    pub ideal: f64,
    /// The scope increase against the previous day (against the commitment on the first).
    pub scope_added: u32,
}

/// An increment's numbers and its burndown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Report {
    pub committed: u32,
    pub added: u32,
    pub removed: u32,
    pub completed: u32,
    pub business_days: u32,
    pub velocity: Option<f64>,
    pub days: Vec<BurnDay>,
}

/// Midnight UTC at the start of `day`.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// Builds the report of an increment.
///
/// - `started_at`: when the increment started; what counts then is the commitment.
/// - `until`: when it closed (or now, for an active increment). Changes after it are ignored,
///   and business days starting after it are left out of the burndown.
/// - `days`: the increment's business days, ascending, from `Calendar::business_days`.
///
/// Scope moves are the changes strictly after `started_at` and at or before `until`, so
/// `committed + added - removed` is always the scope at `until`.
pub fn report(
    tracks: &[Track],
    started_at: DateTime<Utc>,
    until: DateTime<Utc>,
    days: &[NaiveDate],
) -> Report {
    let sum = |t: DateTime<Utc>, pick: fn(&Facts) -> u32| -> u32 {
        tracks.iter().map(|track| pick(&track.at(t))).sum()
    };
    let done_points = |f: &Facts| if f.done { f.counted_points() } else { 0 };
    let open_points = |f: &Facts| if f.done { 0 } else { f.counted_points() };

    let committed = sum(started_at, Facts::counted_points);
    let (mut added, mut removed) = (0, 0);
    for track in tracks {
        let mut before = track.at(started_at).counted_points();
        let moves = track
            .changes
            .iter()
            .filter(|(at, _)| started_at < *at && *at <= until);
        for (_, facts) in moves {
            let after = facts.counted_points();
            if after > before {
                added += after - before;
            } else {
                removed += before - after;
            }
            before = after;
        }
    }

    let n = days.len();
    let mut previous_scope = committed;
    let mut burn = Vec::with_capacity(n);
    for (i, &date) in days.iter().enumerate() {
        if start_of(date) > until {
            continue;
        }
        let end_of_day = date.succ_opt().map_or(until, start_of);
        // A day that ended before the increment was started (it started late) shows the
        // commitment as it stood at the start, not the empty increment before it.
        let cut_off = end_of_day.min(until).max(started_at);
        let remaining = sum(cut_off, open_points);
        let done = sum(cut_off, done_points);
        let scope = remaining + done;
        burn.push(BurnDay {
            date,
            remaining,
            scope,
            done,
            ideal: f64::from(committed) * (n - i - 1) as f64 / n as f64,
            scope_added: scope.saturating_sub(previous_scope),
        });
        previous_scope = scope;
    }

    let business_days = u32::try_from(n).unwrap_or(u32::MAX);
    let completed = sum(until, done_points);
    Report {
        committed,
        added,
        removed,
        completed,
        business_days,
        velocity: velocity(completed, business_days),
        days: burn,
    }
}

/// The most points a frozen report may count: far beyond any team (a hundred people
/// finishing 89-point items every business day for two years), and far from overflowing.
pub const MAX_REPORT_POINTS: u32 = 10_000_000;

impl Report {
    /// Whether a report that comes from outside (an imported document) is one Cadence could
    /// have frozen: every number in range, at most one day per business day, each day's
    /// ideal a finite share of the commitment, and the velocity exactly the completed points
    /// per business day. So no odd number (a velocity of `1e-320` or `1e300`) ever reaches
    /// a chart or a forecast.
    pub fn check(&self) -> Result<(), String> {
        for (name, n) in [
            ("committed", self.committed),
            ("added", self.added),
            ("removed", self.removed),
            ("completed", self.completed),
        ] {
            if n > MAX_REPORT_POINTS {
                return Err(format!(
                    "{name} is {n}: a report counts at most {MAX_REPORT_POINTS} points"
                ));
            }
        }
        let most_days = super::sprint::MAX_SPRINT_DAYS as u32;
        if self.business_days > most_days {
            return Err(format!(
                "{} business days: an increment has at most {most_days}",
                self.business_days
            ));
        }
        if self.days.len() > self.business_days as usize {
            return Err("the burndown has more days than the increment has business days".into());
        }
        let expected = velocity(self.completed, self.business_days);
        let matches = match (self.velocity, expected) {
            (None, None) => true,
            (Some(v), Some(e)) => v.is_finite() && (v - e).abs() <= 1e-9 * e.max(1.0),
            _ => false,
        };
        if !matches {
            return Err(match expected {
                Some(e) => {
                    format!("the velocity must be the completed points per business day ({e})")
                }
                None => "an increment without business days has no velocity (null)".into(),
            });
        }
        for day in &self.days {
            super::calendar::in_range(day.date).map_err(|e| e.to_string())?;
            if [day.remaining, day.scope, day.done, day.scope_added]
                .into_iter()
                .any(|n| n > MAX_REPORT_POINTS)
            {
                return Err(format!("{}: at most {MAX_REPORT_POINTS} points", day.date));
            }
            if !(day.ideal.is_finite() && (0.0..=f64::from(self.committed)).contains(&day.ideal)) {
                return Err(format!(
                    "{}: the ideal line runs from the commitment down to 0",
                    day.date
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn a_report_from_outside_holds_only_numbers_cadence_could_have_frozen() {
        let good = Report {
            committed: 10,
            added: 0,
            removed: 0,
            completed: 8,
            business_days: 10,
            velocity: Some(0.8),
            days: vec![BurnDay {
                date: date(1, 5),
                remaining: 10,
                scope: 10,
                done: 0,
                ideal: 9.0,
                scope_added: 0,
            }],
        };
        assert_eq!(good.check(), Ok(()));
        for velocity in [Some(1e-320), Some(1e300), Some(-0.8), Some(0.0), None] {
            let odd = Report {
                velocity,
                ..good.clone()
            };
            assert!(odd.check().is_err(), "{velocity:?}");
        }
        let none = Report {
            completed: 0,
            business_days: 0,
            velocity: None,
            days: vec![],
            ..good.clone()
        };
        assert_eq!(none.check(), Ok(()));
        let huge = Report {
            completed: u32::MAX,
            ..good.clone()
        };
        assert!(huge.check().unwrap_err().contains("at most"));
        let mut wild = good.clone();
        wild.days[0].ideal = f64::MAX;
        assert!(wild.check().is_err());
        let long = Report {
            days: vec![good.days[0].clone(); 11],
            ..good
        };
        assert!(long.check().is_err());
    }

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn at(m: u32, d: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, hour, 0, 0).unwrap()
    }

    fn open(points: u32) -> Facts {
        Facts {
            counts: true,
            points,
            done: false,
        }
    }

    fn done(points: u32) -> Facts {
        Facts {
            done: true,
            ..open(points)
        }
    }

    fn out(points: u32) -> Facts {
        Facts {
            counts: false,
            ..open(points)
        }
    }

    fn track(initial: Facts, changes: &[(DateTime<Utc>, Facts)]) -> Track {
        Track {
            initial,
            changes: changes.to_vec(),
        }
    }

    /// Jan 5 – Jan 16 2026, Mon–Fri: ten business days.
    fn ten_days() -> Vec<NaiveDate> {
        [5, 6, 7, 8, 9, 12, 13, 14, 15, 16]
            .into_iter()
            .map(|d| date(1, d))
            .collect()
    }

    /// Committed 5 + 3 + 8; the 3 done on day 2, the 5 on day 4; a 2 moved in on day 3; the
    /// 8 re-estimated to 13 on day 5.
    fn the_increment() -> Vec<Track> {
        vec![
            track(open(5), &[(at(1, 8, 11), done(5))]),
            track(open(3), &[(at(1, 6, 15), done(3))]),
            track(open(8), &[(at(1, 9, 10), open(13))]),
            track(out(2), &[(at(1, 7, 14), open(2))]),
        ]
    }

    #[test]
    fn facts_in_force_switch_at_the_exact_change_instant() {
        let t = at(1, 6, 15);
        let tr = track(open(3), &[(t, done(3)), (at(1, 7, 9), out(3))]);
        assert_eq!(tr.at(t - Duration::nanoseconds(1)), open(3));
        assert_eq!(tr.at(t), done(3));
        assert_eq!(tr.at(at(1, 7, 8)), done(3));
        assert_eq!(tr.at(at(1, 7, 9)), out(3));
        assert_eq!(tr.at(at(2, 1, 0)), out(3));
        assert_eq!(track(open(1), &[]).at(t), open(1));
    }

    #[test]
    fn a_closed_increment_reports_commitment_scope_and_velocity() {
        let r = report(&the_increment(), at(1, 5, 9), at(1, 16, 17), &ten_days());
        assert_eq!(r.committed, 16);
        assert_eq!(r.added, 7);
        assert_eq!(r.removed, 0);
        assert_eq!(r.completed, 8);
        assert_eq!(r.business_days, 10);
        assert_eq!(r.velocity, Some(0.8));

        let remaining: Vec<u32> = r.days.iter().map(|d| d.remaining).collect();
        assert_eq!(remaining, [16, 13, 15, 10, 15, 15, 15, 15, 15, 15]);
        let done: Vec<u32> = r.days.iter().map(|d| d.done).collect();
        assert_eq!(done, [0, 3, 3, 8, 8, 8, 8, 8, 8, 8]);
        let scope: Vec<u32> = r.days.iter().map(|d| d.scope).collect();
        assert_eq!(scope, [16, 16, 18, 18, 23, 23, 23, 23, 23, 23]);
        let scope_added: Vec<u32> = r.days.iter().map(|d| d.scope_added).collect();
        assert_eq!(scope_added, [0, 0, 2, 0, 5, 0, 0, 0, 0, 0]);

        assert_eq!(r.days[0].date, date(1, 5));
        assert_eq!(r.days[9].date, date(1, 16));
        assert!((r.days[0].ideal - 14.4).abs() < 1e-9);
        assert!((r.days[4].ideal - 8.0).abs() < 1e-9);
        assert_eq!(r.days[9].ideal, 0.0);

        let last = r.days.last().unwrap();
        assert_eq!(r.committed + r.added - r.removed, last.scope);
    }

    #[test]
    fn moving_an_item_out_removes_its_points() {
        let tracks = vec![
            track(open(5), &[]),
            // Moved in before the start: part of the commitment, not added.
            track(out(3), &[(at(1, 2, 12), open(3))]),
            track(open(8), &[(at(1, 7, 10), out(8))]),
        ];
        let r = report(&tracks, at(1, 5, 9), at(1, 16, 17), &ten_days());
        assert_eq!(r.committed, 16);
        assert_eq!(r.added, 0);
        assert_eq!(r.removed, 8);
        assert_eq!(r.completed, 0);
        assert_eq!(r.days[1].remaining, 16);
        assert_eq!(r.days[2].remaining, 8);
        assert_eq!(r.days[2].scope_added, 0);
        assert_eq!(r.committed + r.added - r.removed, r.days[9].scope);
    }

    #[test]
    fn re_estimating_down_and_changes_after_close_are_handled() {
        let tracks = vec![
            track(open(8), &[(at(1, 6, 10), open(5)), (at(1, 7, 10), open(6))]),
            // Changed after the close: ignored.
            track(open(2), &[(at(1, 17, 10), done(2))]),
        ];
        let r = report(&tracks, at(1, 5, 9), at(1, 16, 17), &ten_days());
        assert_eq!((r.committed, r.added, r.removed), (10, 1, 3));
        assert_eq!(r.completed, 0);
        assert_eq!(r.committed + r.added - r.removed, r.days[9].scope);
        assert_eq!(r.days[9].scope, 8);
    }

    #[test]
    fn an_active_increment_shows_days_up_to_now() {
        let r = report(&the_increment(), at(1, 5, 9), at(1, 7, 12), &ten_days());
        assert_eq!(r.days.len(), 3);
        assert_eq!(r.days[2].date, date(1, 7));
        // The 2-point item moves in at 14:00 on day 3, after `until`.
        assert_eq!(r.days[2].remaining, 13);
        assert_eq!(r.added, 0);
        assert_eq!(r.completed, 3);
        assert_eq!(r.business_days, 10);
        assert!((r.days[2].ideal - 11.2).abs() < 1e-9);
    }

    #[test]
    fn days_before_a_late_start_show_the_commitment() {
        // Planned on Monday, started on Wednesday morning: the items were committed on
        // Tuesday, so before the start the increment held them already, but only the start
        // counts. Monday and Tuesday show the commitment, not an empty increment.
        let tracks = vec![
            track(out(5), &[(at(1, 6, 10), open(5))]),
            track(out(3), &[(at(1, 6, 11), open(3)), (at(1, 7, 15), done(3))]),
        ];
        let r = report(&tracks, at(1, 7, 9), at(1, 8, 12), &ten_days());
        assert_eq!(r.committed, 8);
        let remaining: Vec<u32> = r.days.iter().map(|d| d.remaining).collect();
        assert_eq!(remaining, [8, 8, 5, 5]);
        assert!(r.days.iter().all(|d| d.scope == 8 && d.scope_added == 0));
    }

    #[test]
    fn two_hundred_points_over_ten_days_is_twenty_a_day() {
        let tracks: Vec<Track> = (0..10)
            .map(|i| track(open(20), &[(at(1, 5 + i, 16), done(20))]))
            .collect();
        let r = report(&tracks, at(1, 5, 9), at(1, 16, 17), &ten_days());
        assert_eq!(r.committed, 200);
        assert_eq!(r.completed, 200);
        assert_eq!(r.velocity, Some(20.0));
        assert_eq!(r.days[9].remaining, 0);
    }

    #[test]
    fn no_business_days_means_no_velocity() {
        let r = report(&[track(done(3), &[])], at(1, 5, 9), at(1, 5, 17), &[]);
        assert_eq!(r.completed, 3);
        assert_eq!(r.velocity, None);
        assert!(r.days.is_empty());
    }
}
