//! Planning poker on the wire: the session as one person sees it. Until a round is
//! revealed, the only vote in it is the reader's own.

use crate::domain::poker::{Outlier, Spread, Summary};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// At most this many items in one session's queue.
pub const MAX_QUEUE: usize = 100;

/// Numbers from a list such as "3,5,8" (a link's `items`); `None` when it is not one.
pub fn parse_numbers(list: &str) -> Option<Vec<i32>> {
    list.split(',')
        .map(|n| n.trim().parse::<i32>().ok().filter(|n| *n > 0))
        .collect()
}

/// The project's poker session, if one is open, and the sessions kept for an increment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PokerState {
    pub session: Option<PokerSession>,
    /// The reader may start a session (scrum master or owner).
    pub can_start: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PokerSession {
    pub id: i64,
    pub started_by: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended: bool,
    /// The increment being planned ("Q1 · 2"), where the summary is kept.
    pub increment: Option<i64>,
    pub increment_label: Option<String>,
    /// Rounds reveal by themselves after this many seconds.
    pub countdown_secs: Option<i32>,
    /// The reader runs the session (scrum master or owner).
    pub can_control: bool,
    /// The reader may vote (not a viewer).
    pub can_vote: bool,
    /// The cards, in order: the effort chart's values with their labels, then "?" and
    /// "break".
    pub cards: Vec<CardChoice>,
    pub queue: Vec<QueueEntry>,
    /// The item being estimated; none once the queue is done.
    pub current: Option<CurrentItem>,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CardChoice {
    /// What to send as a vote: "5", "?" or "break".
    pub card: String,
    /// "Labrador", "no idea", "needs a pause".
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueueEntry {
    pub position: i32,
    pub number: i32,
    pub title: String,
    /// The item's estimate now ("5 · M").
    pub estimate_label: Option<String>,
    /// accepted, skipped, or none yet.
    pub outcome: Option<String>,
    pub rounds: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentItem {
    pub position: i32,
    pub number: i32,
    pub title: String,
    pub estimate_label: Option<String>,
    /// Every round of this item so far, the current one last.
    pub rounds: Vec<RoundView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoundView {
    pub number: i32,
    pub revealed: bool,
    /// The countdown: milliseconds until it reveals by itself.
    pub reveals_in_ms: Option<i64>,
    /// Who has voted, by name (not what).
    pub voted: Vec<String>,
    /// The reader's own card in this round.
    pub my_card: Option<String>,
    /// Once revealed: every vote with its voter.
    pub votes: Vec<ShownVote>,
    /// Once revealed: what the votes say.
    pub spread: Option<Spread>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShownVote {
    pub name: String,
    pub card: String,
    /// The highest or lowest vote, when votes differ: the team hears their reasons.
    pub outlier: Option<Outlier>,
}

/// Starting a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StartPoker {
    /// The items to estimate, in order. Default: those committed to `increment` when it is
    /// given, otherwise the unestimated items at the top of the backlog (up to 10).
    #[serde(default)]
    pub items: Option<Vec<i32>>,
    /// The increment being planned.
    #[serde(default)]
    pub increment: Option<i64>,
    /// Reveal each round by itself this many seconds after it starts (5–600).
    #[serde(default)]
    pub countdown_secs: Option<i32>,
}

/// A past session of an increment, for the planning page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PastSession {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub started_by: Option<String>,
    pub summary: Summary,
}
