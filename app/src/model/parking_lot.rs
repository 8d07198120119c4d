//! Wire types: parking lot (what the pages, the server functions and the JSON API exchange).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many topics the page shows.
pub const SHOWN_TOPICS: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: Uuid,
    pub title: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkingLot {
    pub topics: Vec<Topic>,
    pub total: i64,
}
