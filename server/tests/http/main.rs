//! The real router on a real port, with its own fresh database, driven over HTTP the way a
//! browser or an integration would.

mod accounts;
mod api;
mod authz;
mod bulk;
mod comments;
mod cross_project;
mod edge;
mod email;
mod export;
mod hooks;
mod hostile;
mod import_limits;
mod items;
mod live;
mod load;
mod ops;
mod pages;
mod poker;
mod reflection;
mod reports;
mod scene;
mod signin;
mod speed;
mod sprints;
mod standup;
mod support;
