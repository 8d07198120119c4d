//! One module per route.

pub mod account;
pub mod auth;
pub mod backlog;
pub mod board;
pub mod comments;
pub mod inbox;
pub mod integrations;
pub mod item;
pub mod lazy;
pub mod members;
pub mod not_found;
pub mod planning;
pub mod poker;
pub mod project;
pub mod projects;
pub mod reflection;
pub mod settings;
pub mod sprints;
pub mod standup;
pub mod velocity;
