//! The server's one clock. Every service takes the time from the caller's clock
//! (`Caller::clock`), read when it is needed (a history row is stamped when it is written,
//! after any lock it waited for), never from `Utc::now()` or the database's `now()`.
//! Production runs on the system clock; a test starts the clock where it needs it, so a
//! run across midnight UTC still reads one day.
//!
//! Two kinds of time stay with the database, wholly, so no comparison mixes the two clocks:
//! sessions and log-in throttling (their expiry is set and checked in SQL: they are about
//! real time, not the team's days), and rows' own bookkeeping stamps (`created_at`, and
//! `updated_at` kept by a trigger), which no rule reads.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<Mutex<Running>>>);

/// A test's clock: it read `at` at the instant `since`, and runs on from there.
#[derive(Debug)]
struct Running {
    at: DateTime<Utc>,
    since: Instant,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that reads `at` now and runs on at the real pace (so changes keep their
    /// order), for tests: started at noon, it reads the same day for twelve hours.
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        Clock(Some(Arc::new(Mutex::new(Running {
            at,
            since: Instant::now(),
        }))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(running) => {
                let running = running.lock().unwrap_or_else(|e| e.into_inner());
                let elapsed = Duration::from_std(running.since.elapsed()).unwrap_or_default();
                running.at + elapsed
            }
        }
    }

    /// The day it is in UTC, the time zone the team's days are counted in.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves a test's clock on (or back); the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(running) = &self.0 {
            running.lock().unwrap_or_else(|e| e.into_inner()).at += by;
        }
    }
}

/// Two handles are the same clock when both are the system's or they share one time.
impl PartialEq for Clock {
    fn eq(&self, other: &Clock) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Clock {}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_test_clock_starts_where_it_is_told_runs_on_and_moves_with_its_copies() {
        let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        let clock = Clock::starting_at(noon);
        let copy = clock.clone();
        let first = clock.now();
        assert!(
            first >= noon && first - noon < Duration::seconds(5),
            "{first}"
        );
        assert!(clock.now() >= first, "it never runs backwards");
        copy.advance(Duration::hours(13));
        assert!(clock.now() - noon >= Duration::hours(13));
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
        assert_eq!(clock, copy);
        assert_ne!(clock, Clock::system());
        assert_ne!(clock, Clock::starting_at(noon));
    }
}
