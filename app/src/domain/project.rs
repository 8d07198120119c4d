//! A project's name and its settings besides the effort chart: the working week, holidays
//! and the velocity window.

use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub const PROJECT_NAME_MAX_CHARS: usize = 80;
pub const HOLIDAY_NAME_MAX_CHARS: usize = 80;
pub const VELOCITY_WINDOW_MAX: u8 = 12;
pub const DEFAULT_VELOCITY_WINDOW: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectNameError {
    #[error("a project needs a name")]
    Empty,
    #[error("a project name can be at most {PROJECT_NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("a project name cannot contain control characters")]
    ControlCharacters,
}

impl ProjectName {
    pub fn parse(raw: &str) -> Result<Self, ProjectNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ProjectNameError::Empty);
        }
        if trimmed.chars().count() > PROJECT_NAME_MAX_CHARS {
            return Err(ProjectNameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ProjectNameError::ControlCharacters);
        }
        Ok(ProjectName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_newtype!(ProjectName, ProjectNameError);

/// The name of a non-working date ("Christmas Day").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HolidayName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolidayNameError {
    #[error("a holiday needs a name")]
    Empty,
    #[error("a holiday name can be at most {HOLIDAY_NAME_MAX_CHARS} characters")]
    TooLong,
}

impl HolidayName {
    pub fn parse(raw: &str) -> Result<Self, HolidayNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.chars().all(char::is_control) {
            return Err(HolidayNameError::Empty);
        }
        if trimmed.chars().count() > HOLIDAY_NAME_MAX_CHARS {
            return Err(HolidayNameError::TooLong);
        }
        Ok(HolidayName(trimmed.replace(char::is_control, " ")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_newtype!(HolidayName, HolidayNameError);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: HolidayName,
}

/// The weekdays the team works, as ISO numbers (Monday = 1 … Sunday = 7), ascending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<u8>", into = "Vec<u8>")]
pub struct WorkingWeek(Vec<u8>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkingWeekError {
    #[error("pick at least one working day")]
    Empty,
    #[error("{0} is not a weekday number (1 = Monday … 7 = Sunday)")]
    NotAWeekday(i64),
}

impl WorkingWeek {
    pub fn parse(days: &[i64]) -> Result<Self, WorkingWeekError> {
        let mut out = Vec::with_capacity(days.len());
        for &d in days {
            if !(1..=7).contains(&d) {
                return Err(WorkingWeekError::NotAWeekday(d));
            }
            out.push(d as u8);
        }
        out.sort_unstable();
        out.dedup();
        if out.is_empty() {
            return Err(WorkingWeekError::Empty);
        }
        Ok(WorkingWeek(out))
    }

    pub fn days(&self) -> &[u8] {
        &self.0
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.0.contains(&(day.number_from_monday() as u8))
    }

    /// "Mon, Tue, Wed, Thu, Fri".
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|&d| weekday_short_name(d))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Default for WorkingWeek {
    fn default() -> Self {
        WorkingWeek(vec![1, 2, 3, 4, 5])
    }
}

impl TryFrom<Vec<u8>> for WorkingWeek {
    type Error = WorkingWeekError;
    fn try_from(value: Vec<u8>) -> Result<Self, Self::Error> {
        WorkingWeek::parse(&value.into_iter().map(i64::from).collect::<Vec<_>>())
    }
}

impl From<WorkingWeek> for Vec<u8> {
    fn from(value: WorkingWeek) -> Self {
        value.0
    }
}

pub fn weekday_short_name(iso: u8) -> &'static str {
    match iso {
        1 => "Mon",
        2 => "Tue",
        3 => "Wed",
        4 => "Thu",
        5 => "Fri",
        6 => "Sat",
        7 => "Sun",
        _ => "?",
    }
}

/// How many closed increments the team velocity averages over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct VelocityWindow(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the velocity window is a number of increments from 1 to {VELOCITY_WINDOW_MAX}")]
pub struct VelocityWindowError;

impl VelocityWindow {
    pub fn parse(n: i64) -> Result<Self, VelocityWindowError> {
        if (1..=i64::from(VELOCITY_WINDOW_MAX)).contains(&n) {
            Ok(VelocityWindow(n as u8))
        } else {
            Err(VelocityWindowError)
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for VelocityWindow {
    fn default() -> Self {
        VelocityWindow(DEFAULT_VELOCITY_WINDOW)
    }
}

impl TryFrom<u8> for VelocityWindow {
    type Error = VelocityWindowError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        VelocityWindow::parse(i64::from(value))
    }
}

impl From<VelocityWindow> for u8 {
    fn from(value: VelocityWindow) -> Self {
        value.0
    }
}

/// Whether `page` can name a page of a project ("board", "parking-lot"): what a live
/// stream says its listener has open.
pub fn is_page_name(page: &str) -> bool {
    (1..=32).contains(&page.len()) && page.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_trimmed_and_bounded() {
        assert_eq!(ProjectName::parse("  Shop ").unwrap().as_str(), "Shop");
        assert_eq!(ProjectName::parse(""), Err(ProjectNameError::Empty));
        assert_eq!(
            ProjectName::parse(&"n".repeat(81)),
            Err(ProjectNameError::TooLong)
        );
        assert_eq!(
            ProjectName::parse("a\u{7}b"),
            Err(ProjectNameError::ControlCharacters)
        );
    }

    #[test]
    fn the_working_week_defaults_to_monday_to_friday() {
        let week = WorkingWeek::default();
        assert_eq!(week.describe(), "Mon, Tue, Wed, Thu, Fri");
        assert!(week.contains(Weekday::Fri));
        assert!(!week.contains(Weekday::Sat));
    }

    #[test]
    fn working_weeks_are_sorted_deduplicated_and_never_empty() {
        assert_eq!(WorkingWeek::parse(&[7, 1, 1]).unwrap().days(), [1, 7]);
        assert_eq!(WorkingWeek::parse(&[]), Err(WorkingWeekError::Empty));
        assert_eq!(
            WorkingWeek::parse(&[0]),
            Err(WorkingWeekError::NotAWeekday(0))
        );
        assert!(serde_json::from_str::<WorkingWeek>("[8]").is_err());
    }

    #[test]
    fn the_velocity_window_is_one_to_twelve_increments() {
        assert_eq!(VelocityWindow::default().get(), 3);
        assert!(VelocityWindow::parse(0).is_err());
        assert_eq!(VelocityWindow::parse(12).unwrap().get(), 12);
        assert!(VelocityWindow::parse(13).is_err());
    }

    #[test]
    fn holiday_names_are_required() {
        assert_eq!(
            HolidayName::parse(" Boxing Day ").unwrap().as_str(),
            "Boxing Day"
        );
        assert_eq!(HolidayName::parse("  "), Err(HolidayNameError::Empty));
    }
}
