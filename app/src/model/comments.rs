//! Comments, watching and notifications on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One comment in an item's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: i64,
    /// The author's name now (absent: an account since deleted).
    pub author: Option<String>,
    /// As written, with mentions as `@email` (empty once deleted): what the editor shows and
    /// an edit sends back.
    pub body: String,
    /// Rendered and sanitised, mentions as names, `#12` linked (empty once deleted).
    pub body_html: String,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    /// The reader wrote it (and may edit it).
    pub mine: bool,
    /// The reader may delete it (its author, an owner or a scrum master).
    pub can_delete: bool,
}

/// An item's comments, oldest first, and the reader's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Thread {
    pub comments: Vec<Comment>,
    /// The reader watches the item.
    pub watching: bool,
    /// The reader may comment (viewers read only).
    pub can_comment: bool,
    /// The project's members, for the `@` picker: name and email.
    pub people: Vec<Mentionable>,
    /// The server's time when it was read (for "3 min ago": the browser reads no clock).
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Mentionable {
    pub name: String,
    pub email: String,
}

/// A comment's text, as sent by the editor or the JSON API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CommentInput {
    /// Markdown; mention a member with `@` and their email. At most 64 KB.
    pub body: String,
}

/// One notification in a person's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    /// mention, assigned, comment, blocked, done, increment_started, increment_closed.
    pub kind: String,
    /// "Jim Halpert mentioned you on #12 Cart".
    pub summary: String,
    pub project: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
    /// Where it leads: the item (at the comment), or the project's sprints.
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Inbox {
    /// Newest first (the latest 100).
    pub notifications: Vec<Notification>,
    pub unread: i64,
}
