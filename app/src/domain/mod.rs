//! Pure rules of the product: no database, no web framework. Compiled for both the server
//! and the browser, unit-tested in place. Values here are parsed once and valid afterwards.

/// The conversions every parsed string type shares: from a `String` through its `parse`
/// (so serde checks it too), back into a `String`, and `Display` as the string itself.
macro_rules! string_newtype {
    ($type:ident, $error:ident) => {
        impl TryFrom<String> for $type {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $type::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.0
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use string_newtype;

/// A value quoted in a message as `{:?}` quotes a string, but through `Display`: the
/// browser half is built with `-Zfmt-debug=none` (scripts/lib.sh, build_front), where `{:?}`
/// prints nothing, and these messages are shown by both halves.
pub struct Quoted<'a>(pub &'a str);

impl std::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\"", self.0.escape_debug())
    }
}

pub mod account;
pub mod burndown;
pub mod calendar;
pub mod comment;
pub mod edit;
pub mod effort_chart;
pub mod email;
pub mod history;
pub mod hooks;
pub mod item;
pub mod notification;
pub mod points;
pub mod poker;
pub mod project;
pub mod rank;
pub mod reflection;
pub mod role;
pub mod slug;
pub mod sprint;
pub mod title;

pub use account::{DisplayName, DisplayNameError, Password, PasswordError};
pub use effort_chart::{ChartEntry, EffortChart, EffortChartError, NotOnChart, Preset};
pub use email::{Email, EmailError};
pub use history::{Change, HistoryError};
pub use item::{ChildSummary, EpicPoints, ItemKind, ItemState, Rollup};
pub use points::{PointsError, StoryPoints};
pub use project::{
    Holiday, HolidayName, ProjectName, VelocityWindow, WorkingWeek, WorkingWeekError,
};
pub use role::{Permission, Role};
pub use slug::{Slug, SlugError};
pub use sprint::{Carry, IncrementState};
pub use title::{Title, TitleError};
