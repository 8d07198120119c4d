//! Wire types: reflection (what the pages, the server functions and the JSON API exchange).

use super::sprints::Increment;
use crate::domain::reflection::CardKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Card {
    pub id: i64,
    pub week: u8,
    pub kind: CardKind,
    pub body: String,
    pub author: Option<String>,
    /// The caller wrote it (and may edit it).
    pub mine: bool,
    pub votes: i64,
    /// The caller voted for it.
    pub voted: bool,
    pub group_name: Option<String>,
    pub position: i32,
    /// The backlog item an action item became.
    pub item: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reflection {
    pub increment: Increment,
    /// Increments that have started, for the chooser.
    pub increments: Vec<Increment>,
    pub week: u8,
    pub weeks: u8,
    /// Points per business day of this increment (so far, while it runs).
    pub velocity: Option<f64>,
    /// The increment before it, and its velocity.
    pub previous: Option<(String, Option<f64>)>,
    pub cards: Vec<Card>,
    pub votes_left: u32,
    pub votes_per_person: u32,
    pub can_write: bool,
    pub can_arrange: bool,
}
