//! Wire types: export (what the pages, the server functions and the JSON API exchange).

use super::projects::ProjectSettings;
use crate::domain::reflection::CardKind;
use crate::domain::IncrementState;
use crate::domain::{ItemKind, ItemState, Role};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What `schema` says.
pub const SCHEMA: &str = "cadence.project";
/// The version this server writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportDoc {
    /// Always "cadence.project".
    pub schema: String,
    /// The document's version (1).
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub project: ExportProject,
    pub members: Vec<ExportMember>,
    pub sprints: Vec<ExportSprint>,
    pub items: Vec<ExportItem>,
    pub standup_notes: Vec<ExportNote>,
    pub reflections: Vec<ExportCard>,
    /// Planning poker sessions, with their summaries (absent in older documents).
    #[serde(default)]
    pub poker_sessions: Vec<ExportPokerSession>,
}

/// A planning poker session: what it estimated and its summary. Votes are not exported
/// (they are other people's; an import attributes nothing to anyone but the importer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportPokerSession {
    /// The key of the increment it planned.
    pub increment: Option<u32>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub countdown_secs: Option<i32>,
    pub summary: crate::domain::poker::Summary,
    pub items: Vec<ExportPokerItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportPokerItem {
    /// The item's number.
    pub item: i32,
    /// accepted, skipped, or none.
    pub outcome: Option<String>,
    pub points: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportProject {
    pub name: String,
    /// The slug it had where it was exported (a new one is chosen on import).
    pub slug: String,
    pub archived: bool,
    pub settings: ProjectSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportMember {
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportSprint {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub increment_weeks: u8,
    pub increments: Vec<ExportIncrement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportIncrement {
    /// How items, history and reflections refer to this increment (1, 2, 3… in the
    /// document's order).
    pub key: u32,
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: IncrementState,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub committed_points: Option<i32>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub commitment: Option<Value>,
    /// The frozen report of a closed increment.
    pub report: Option<crate::domain::burndown::Report>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportItem {
    pub number: i32,
    pub kind: ItemKind,
    /// The parent epic's number.
    pub parent: Option<i32>,
    pub title: String,
    pub description: String,
    pub estimate: Option<u8>,
    /// A member's email.
    pub assignee: Option<String>,
    pub state: ItemState,
    pub blocked: bool,
    pub blocked_reason: Option<String>,
    pub rank: i64,
    pub version: i32,
    pub creator: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The `key` of its increment.
    pub increment: Option<u32>,
    /// Oldest first. In `increment` values, `key` names the increment.
    pub history: Vec<ExportEvent>,
    /// Oldest first (left out when there are none; documents without it read as none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<ExportComment>,
}

/// A comment on an item. Mentions are written `@email`, as people type them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportComment {
    /// Who wrote it (email); none when their account is gone.
    pub author: Option<String>,
    /// Markdown; empty once deleted.
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// A deleted comment keeps its place in the thread, without its text.
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportEvent {
    /// Who made the change (email).
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub field: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub old: Option<Value>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub new: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportNote {
    pub email: String,
    pub day: NaiveDate,
    pub yesterday: String,
    pub today: String,
    pub blockers: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportCard {
    /// The `key` of its increment.
    pub increment: u32,
    pub week: u8,
    pub kind: CardKind,
    pub body: String,
    pub author: Option<String>,
    pub group_name: Option<String>,
    pub position: i32,
    /// The number of the backlog item it became.
    pub item: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// Who voted for it (emails).
    pub votes: Vec<String>,
}

/// What an import made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Imported {
    pub slug: String,
    pub name: String,
    pub items: usize,
    /// How many people the document names as members besides the importer (counted by
    /// email). Each who has an account here is invited and joins, with the role the
    /// document gives, only on accepting; the number is the same whether or not they have
    /// accounts, so an import tells nobody which emails are registered. Nothing in the new
    /// project is attributed to anyone but the importer.
    pub members_invited: usize,
}
