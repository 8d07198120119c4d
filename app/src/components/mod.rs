//! Reusable pieces of the interface.

pub mod error_view;
pub mod forms;
pub mod layout;
