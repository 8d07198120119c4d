//! Integrations (CI and code hosts) on the wire: what the project settings show the owner,
//! and what an item shows of the pipeline that filed it and the commits that mention it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The deliveries shown per integration: this many authentic ones, and as many of the
/// attempts refused for a bad or missing secret.
pub const RECENT_DELIVERIES: i64 = 20;

/// One integration as its owner sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    pub id: Uuid,
    /// `github`, `gitlab`, `azure`, `generic`.
    pub provider: String,
    /// "GitHub".
    pub provider_label: String,
    pub name: String,
    /// Where the provider sends deliveries: `/hooks/{id}` on this server.
    pub path: String,
    /// The secret's last four characters.
    pub secret_hint: String,
    /// Branches whose runs and pushes count; empty: the repository's default branch.
    pub branches: Vec<String>,
    pub close_on_fixes: bool,
    pub done_on_green: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The latest deliveries, newest first.
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub delivery_id: Option<String>,
    pub event: String,
    pub at: DateTime<Utc>,
    pub accepted: bool,
    /// "filed #37", "updated #37", "linked #12", "ignored: unknown event", "refused: bad
    /// signature".
    pub outcome: String,
    pub error: Option<String>,
}

/// An integration with its secret, shown once (when it is made or its secret rotated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithSecret {
    pub integration: Integration,
    pub secret: String,
}

/// A commit or pull request that mentions an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemLink {
    /// `commit` or `pull_request`.
    pub kind: String,
    /// The commit's id, the pull request's number.
    pub reference: String,
    pub title: String,
    pub author: Option<String>,
    pub url: Option<String>,
    pub branch: Option<String>,
    pub at: DateTime<Utc>,
}

/// Where a bug came from when a failing pipeline filed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CiOrigin {
    /// "GitHub".
    pub provider: String,
    /// The integration's name.
    pub integration: String,
    /// Whether the integration was removed since: the bug still says where it came from,
    /// but no further runs arrive.
    pub removed: bool,
    pub pipeline: String,
    pub branch: String,
    /// Failures seen while the bug was open.
    pub occurrences: i32,
    pub last_seen: DateTime<Utc>,
    /// The latest runs, newest first.
    pub runs: Vec<CiRun>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CiRun {
    /// `failed` or `passed`.
    pub status: String,
    pub url: Option<String>,
    pub commit: Option<String>,
    pub at: DateTime<Utc>,
}

/// An integration's name and settings, as the owner changes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationSettings {
    pub name: String,
    /// Branch patterns, one per line or comma (a trailing `*` matches a prefix); empty: the
    /// repository's default branch.
    pub branches: String,
    pub close_on_fixes: bool,
    pub done_on_green: bool,
}
