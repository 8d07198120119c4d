//! Wire types: sprints (what the pages, the server functions and the JSON API exchange).

use super::items::Item;
use crate::domain::burndown::Report;
use crate::domain::sprint::{Carry, IncrementState};
use crate::domain::sprint::{Forecast, TeamVelocity};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Increment {
    /// The `{id}` in increment URLs.
    pub id: i64,
    pub sprint_id: i64,
    pub sprint_name: String,
    /// 1, 2, 3… within its sprint.
    pub number: i32,
    pub starts_on: NaiveDate,
    /// The last day (inclusive).
    pub ends_on: NaiveDate,
    /// Working days between the two, without holidays.
    pub business_days: u32,
    pub state: IncrementState,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Points committed when it was started (recorded then, never recomputed).
    pub committed_points: Option<u32>,
    /// Items in it now (epics excepted), their points, and the points done.
    pub item_count: i64,
    pub points: i64,
    pub done_points: i64,
}

impl Increment {
    /// "Q1 · 2".
    pub fn label(&self) -> String {
        format!("{} · {}", self.sprint_name, self.number)
    }

    /// "Jan 5 – Jan 18".
    pub fn dates(&self) -> String {
        format!(
            "{} – {}",
            self.starts_on.format("%b %-d"),
            self.ends_on.format("%b %-d, %Y")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sprint {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub increment_weeks: u8,
    pub increments: Vec<Increment>,
}

/// A new sprint. Dates are `YYYY-MM-DD`; the increments are generated to tile it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewSprint {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Weeks per increment, 1–8 (default 2).
    pub increment_weeks: Option<String>,
}

/// Renames a sprint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SprintPatch {
    pub name: String,
}

/// New dates for an increment (`YYYY-MM-DD`); fields left out stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncrementPatch {
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// Closing an increment: a choice for all unfinished items, and exceptions per item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Closing {
    pub carry: Carry,
    #[serde(default)]
    pub items: Vec<CarryItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CarryItem {
    pub number: i32,
    pub carry: Carry,
}

/// Items to commit to an increment (or take out of it), by number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Commitment {
    pub items: Vec<i32>,
}

/// An increment with its report: frozen when closed, computed from history otherwise
/// (up to now for the active one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncrementReport {
    pub increment: Increment,
    pub frozen: bool,
    /// Every business day of the increment (the burndown's x axis).
    pub business_days: Vec<NaiveDate>,
    pub report: Option<Report>,
    /// Its items now, in rank order.
    pub items: Vec<Item>,
    /// Where "carry to the next increment" would send unfinished items.
    pub next: Option<Increment>,
}

/// One closed increment on the velocity chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VelocityPoint {
    pub increment_id: i64,
    pub label: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub committed: u32,
    pub added: u32,
    pub removed: u32,
    pub completed: u32,
    pub business_days: u32,
    /// Completed points per business day.
    pub velocity: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VelocityReport {
    /// Closed increments, oldest first.
    pub increments: Vec<VelocityPoint>,
    /// The average of the last `window` of them, with the slowest and fastest.
    pub team: Option<TeamVelocity>,
    pub window: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForecastLine {
    /// "Whole backlog" or the epic's title.
    pub label: String,
    pub epic: Option<i32>,
    pub remaining_points: u32,
    /// Absent without a team velocity.
    pub forecast: Option<Forecast>,
    /// For an epic: its own size, shown beside its children's points.
    pub own_size: Option<u32>,
    /// For an epic: the points its open children have left.
    pub children_remaining: Option<u32>,
    /// For an epic: which of the two `remaining_points` counts.
    pub counted: Option<crate::domain::EpicPoints>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForecastReport {
    pub team: Option<TeamVelocity>,
    /// Counting from this day.
    pub from: NaiveDate,
    pub backlog: ForecastLine,
    pub epics: Vec<ForecastLine>,
}

/// The planning session for one increment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planning {
    pub increment: Increment,
    /// Increments that can still be planned, for the chooser.
    pub plannable: Vec<Increment>,
    pub team: Option<TeamVelocity>,
    /// The velocity the capacity uses: the team's, or the one typed in.
    pub velocity: Option<f64>,
    pub typed: bool,
    pub capacity: Option<f64>,
    pub capacity_low: Option<f64>,
    pub capacity_high: Option<f64>,
    pub committed: Vec<Item>,
    /// Open backlog items not in any increment, in rank order.
    pub candidates: Vec<Item>,
    /// More candidates than are listed.
    pub more_candidates: bool,
    /// The numbers of the committed items and the candidates together, in rank order: an
    /// item moved between the lists takes its place in the other list at once.
    #[serde(default)]
    pub order: Vec<i32>,
    /// The planning poker sessions kept with this increment.
    #[serde(default)]
    pub poker: Vec<crate::model::poker::PastSession>,
}

/// The task board of one increment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub increment: Option<Increment>,
    /// Every increment that is not closed, and the closed ones, for the chooser.
    pub increments: Vec<Increment>,
    pub items: Vec<Item>,
}
