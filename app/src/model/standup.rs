//! Wire types: standup (what the pages, the server functions and the JSON API exchange).

use super::items::Person;
use crate::domain::{ItemState, Role};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StandupItem {
    pub number: i32,
    pub title: String,
    /// "5 · LG".
    pub estimate_label: Option<String>,
    pub state: ItemState,
    pub assignee: Option<Person>,
    pub blocked_reason: Option<String>,
    /// When it was last marked blocked.
    pub blocked_since: Option<DateTime<Utc>>,
    /// Whole hours it has been blocked, counted by the server up to the moment the
    /// stand-up shows (now, or the end of a past day). The browser never reads its own
    /// clock: it may be wrong, in another time zone, or (in wasm) absent.
    pub blocked_hours: Option<i64>,
}

/// An item someone worked on during the previous business day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Worked {
    pub number: i32,
    pub title: String,
    /// They moved it to done that day.
    pub finished: bool,
    /// What they changed: "state", "estimate", "title"…
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Note {
    pub yesterday: String,
    pub today: String,
    pub blockers: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StandupPerson {
    pub person: Person,
    pub role: Role,
    pub yesterday: Vec<Worked>,
    pub today: Vec<StandupItem>,
    pub blockers: Vec<StandupItem>,
    pub note: Option<Note>,
    /// This is the caller (who may edit the note).
    pub me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Standup {
    pub date: NaiveDate,
    /// The business day "yesterday" means: on a Monday, the Friday before (holidays skipped).
    pub previous_business_day: Option<NaiveDate>,
    pub is_today: bool,
    /// For a past day, the moment (the end of that day) the items in progress and blocked
    /// are shown as of, rebuilt from the history. Absent for today and later days, which
    /// show the board as it is now.
    pub as_of: Option<DateTime<Utc>>,
    pub people: Vec<StandupPerson>,
    /// In progress with nobody on it.
    pub unassigned_doing: Vec<StandupItem>,
    /// Blocked for more than a day.
    pub long_blocked: Vec<StandupItem>,
    /// The caller may write notes.
    pub can_note: bool,
    /// The caller may run the meeting (scrum master or owner).
    pub can_run: bool,
}

/// A member's note for a day; empty strings clear a part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NoteInput {
    #[serde(default)]
    pub yesterday: String,
    #[serde(default)]
    pub today: String,
    #[serde(default)]
    pub blockers: String,
}
