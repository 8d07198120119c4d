//! Pure rules of the product: no database, no web framework. Compiled for both the server
//! and the browser, unit-tested in place. Values here are parsed once and valid afterwards.

pub mod effort_chart;
pub mod email;
pub mod points;
pub mod slug;
pub mod title;

pub use effort_chart::{ChartEntry, EffortChart, EffortChartError, NotOnChart, Preset};
pub use email::{Email, EmailError};
pub use points::{PointsError, StoryPoints};
pub use slug::{Slug, SlugError};
pub use title::{Title, TitleError};
