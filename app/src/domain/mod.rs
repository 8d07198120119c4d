//! Pure rules of the product: no database, no web framework. Compiled for both the server
//! and the browser, unit-tested in place. Values here are parsed once and valid afterwards.

pub mod points;
pub mod title;

pub use points::{PointsError, StoryPoints};
pub use title::{Title, TitleError};
