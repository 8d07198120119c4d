//! Wire types: projects (what the pages, the server functions and the JSON API exchange).

use crate::domain::Role;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectSummary {
    pub slug: String,
    pub name: String,
    /// The caller's role on the project.
    pub role: Role,
    pub archived: bool,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChartValue {
    /// A Fibonacci value: 0, 1, 2, 3, 5, 8, 13, 21, 34, 55 or 89.
    pub points: u8,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HolidayEntry {
    pub date: NaiveDate,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectSettings {
    /// The values on the project's scale, each with its label, ascending.
    pub effort_chart: Vec<ChartValue>,
    /// ISO weekday numbers the team works: 1 = Monday … 7 = Sunday.
    pub working_days: Vec<u8>,
    /// Non-working dates.
    pub holidays: Vec<HolidayEntry>,
    /// How many closed increments the team velocity averages over (1–12).
    pub velocity_window: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectInfo {
    pub slug: String,
    pub name: String,
    pub role: Role,
    pub archived: bool,
    pub settings: ProjectSettings,
    /// The number of the project's latest change when this was read: a client that follows
    /// the project's event stream from here misses nothing.
    pub latest_change: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub email: String,
    pub display_name: String,
    pub initials: String,
    pub role: Role,
}

/// A project someone else's import named the caller in: pending until they accept it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub slug: String,
    pub name: String,
    /// The role the caller gets on accepting.
    pub role: Role,
    /// The display name of whoever imported the project (none once their account is gone).
    pub invited_by: Option<String>,
}
