//! Live updates: what the event stream of a project (`GET /api/v1/projects/{slug}/events`)
//! sends. Small on purpose: what changed, not the new data, which the page reads again.

use serde::{Deserialize, Serialize};

/// One committed change to a project's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LiveEvent {
    /// The event's number in its project: in commit order, without gaps. Sent as the SSE
    /// `id`, so a reconnecting client's `Last-Event-ID` asks for what came after it.
    pub seq: i64,
    /// items, sprints, standup, reflection, parking_lot, project or members.
    pub kind: String,
    /// For items: the numbers of the items changed (absent: too many to list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbers: Option<Vec<i32>>,
}

impl LiveEvent {
    /// Whether the change may concern item `number`.
    pub fn touches_item(&self, number: i32) -> bool {
        self.kind == "items"
            && self
                .numbers
                .as_ref()
                .is_none_or(|numbers| numbers.contains(&number))
    }
}

/// Someone with the same page of the project open (the stream's `presence` event carries
/// everyone on the stream's page, the listener included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Present {
    pub name: String,
    pub initials: String,
    /// The listener themself.
    pub you: bool,
}
