//! Wire types: accounts (what the pages, the server functions and the JSON API exchange).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Account {
    pub email: String,
    pub display_name: String,
    pub initials: String,
    /// Unread notifications (the inbox), from projects the account is still in.
    #[serde(default)]
    pub unread: i64,
}

/// What the app shell shows around every page: the account, the projects to switch to, and
/// the open project's current increment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellData {
    pub account: Account,
    /// The account's projects still in use, by name: (slug, name).
    pub projects: Vec<(String, String)>,
    /// The open project's running increment (or the planned one whose dates hold today).
    pub increment: Option<IncrementNow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncrementNow {
    pub id: i64,
    /// "Sprint name · number".
    pub label: String,
    /// Business days from today to its last day, both counted (0 once it is past its end,
    /// and on non-working days at its end).
    pub days_left: u32,
    /// Its last day is behind us (a running increment not closed in time).
    pub ended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    /// The secret itself: shown once, never stored.
    pub token: String,
    pub info: TokenInfo,
}

/// Whether anyone may create an account on this instance (`CADENCE_REGISTRATION`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// Anyone can sign up on the registration page (the default).
    #[default]
    Open,
    /// Accounts are made by the administrator (`server create-user`).
    Closed,
}

impl Registration {
    /// `open` or `closed`, in any case.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "open" => Some(Registration::Open),
            "closed" => Some(Registration::Closed),
            _ => None,
        }
    }
}

/// Which notifications the person gets by email (account settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPrefs {
    /// Whether this server sends email at all (`CADENCE_SMTP_URL`).
    pub available: bool,
    pub kinds: Vec<EmailKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailKind {
    /// As stored: `mention`, `assigned`, …
    pub kind: String,
    /// "mentions of me".
    pub label: String,
    pub on: bool,
}
