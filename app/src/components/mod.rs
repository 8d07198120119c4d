//! Reusable pieces of the interface.

pub mod charts;
pub mod data;
pub mod error_view;
pub mod focus;
pub mod forms;
pub mod import;
pub mod item_fields;
pub mod layout;
pub mod live;
pub mod palette;
pub mod shortcuts;
