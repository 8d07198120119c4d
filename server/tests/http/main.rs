//! The real router on a real port, with its own fresh database, driven over HTTP the way a
//! browser or an integration would.

mod accounts;
mod api;
mod authz;
mod export;
mod hostile;
mod items;
mod pages;
mod reflection;
mod reports;
mod scene;
mod sprints;
mod standup;
mod support;
