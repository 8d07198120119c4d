//! The wire types: what the pages, the server functions (`server_fns`) and the JSON API
//! (`server/src/rest`) exchange, one file per aggregate. Plain data with serde; rules live
//! in `domain`, and nothing here touches the database.

pub mod accounts;
pub mod comments;
pub mod events;
pub mod export;
pub mod hooks;
pub mod items;
pub mod parking_lot;
pub mod poker;
pub mod projects;
pub mod reflection;
pub mod sprints;
pub mod standup;
