//! The weekly reflection: cards under "went well", "didn't go well" and "action items",
//! dot-voted with a limited number of votes per person, per increment and week.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Votes each person has on one reflection board (an increment's week).
pub const VOTES_PER_PERSON: u32 = 5;
pub const CARD_MAX_CHARS: usize = 500;
pub const GROUP_MAX_CHARS: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum CardKind {
    WentWell,
    WentBadly,
    Action,
}

impl CardKind {
    pub const ALL: [CardKind; 3] = [CardKind::WentWell, CardKind::WentBadly, CardKind::Action];

    pub fn as_str(self) -> &'static str {
        match self {
            CardKind::WentWell => "went_well",
            CardKind::WentBadly => "went_badly",
            CardKind::Action => "action",
        }
    }

    pub fn parse(raw: &str) -> Option<CardKind> {
        CardKind::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            CardKind::WentWell => "Went well",
            CardKind::WentBadly => "Didn't go well",
            CardKind::Action => "Action items",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("write something on the card")]
    Empty,
    #[error("keep a card to {CARD_MAX_CHARS} characters")]
    TooLong,
}

/// A card's text: trimmed, 1–500 characters.
pub fn parse_card(raw: &str) -> Result<String, CardError> {
    let text = raw.trim();
    match text.chars().count() {
        0 => Err(CardError::Empty),
        n if n > CARD_MAX_CHARS => Err(CardError::TooLong),
        _ => Ok(text.to_owned()),
    }
}

/// A group heading set by the scrum master: trimmed, at most 60 characters; empty clears it.
pub fn parse_group(raw: &str) -> Result<Option<String>, String> {
    let text = raw.trim();
    match text.chars().count() {
        0 => Ok(None),
        n if n > GROUP_MAX_CHARS => {
            Err(format!("keep a group name to {GROUP_MAX_CHARS} characters"))
        }
        _ => Ok(Some(text.to_owned())),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("you have used all {VOTES_PER_PERSON} of your votes on this board: take one back first")]
pub struct NoVotesLeft;

/// Whether someone who has used `used` votes on a board may cast another.
pub fn may_vote(used: u32) -> Result<(), NoVotesLeft> {
    if used < VOTES_PER_PERSON {
        Ok(())
    } else {
        Err(NoVotesLeft)
    }
}

/// How many reflection weeks an increment has (a started week counts).
pub fn weeks_in(starts_on: NaiveDate, ends_on: NaiveDate) -> u8 {
    let days = (ends_on - starts_on).num_days().max(0) + 1;
    (days.div_euclid(7) + i64::from(days.rem_euclid(7) != 0)).clamp(1, 52) as u8
}

/// The week of the increment a day falls in (1-based), clamped to the increment.
pub fn week_of(starts_on: NaiveDate, ends_on: NaiveDate, day: NaiveDate) -> u8 {
    let offset = (day - starts_on).num_days().max(0);
    (offset.div_euclid(7) + 1).clamp(1, i64::from(weeks_in(starts_on, ends_on))) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn each_person_has_a_limited_number_of_votes() {
        assert!(may_vote(0).is_ok());
        assert!(may_vote(VOTES_PER_PERSON - 1).is_ok());
        assert_eq!(may_vote(VOTES_PER_PERSON), Err(NoVotesLeft));
        assert!(NoVotesLeft.to_string().contains("all 5"));
    }

    #[test]
    fn cards_are_trimmed_and_bounded() {
        assert_eq!(parse_card("  Pairing helped \n").unwrap(), "Pairing helped");
        assert_eq!(parse_card("   "), Err(CardError::Empty));
        assert_eq!(parse_card(&"x".repeat(501)), Err(CardError::TooLong));
        assert!(parse_card(&"é".repeat(500)).is_ok());
        assert_eq!(parse_group(" "), Ok(None));
        assert!(parse_group(&"g".repeat(61)).is_err());
    }

    #[test]
    fn a_two_week_increment_has_two_reflection_weeks() {
        assert_eq!(weeks_in(d(1, 5), d(1, 18)), 2);
        assert_eq!(weeks_in(d(1, 5), d(1, 16)), 2);
        assert_eq!(weeks_in(d(1, 5), d(1, 5)), 1);
        assert_eq!(week_of(d(1, 5), d(1, 18), d(1, 11)), 1);
        assert_eq!(week_of(d(1, 5), d(1, 18), d(1, 12)), 2);
        // Before or after the increment: its first or last week.
        assert_eq!(week_of(d(1, 5), d(1, 18), d(1, 1)), 1);
        assert_eq!(week_of(d(1, 5), d(1, 18), d(2, 1)), 2);
    }

    #[test]
    fn card_kinds_round_trip() {
        for kind in CardKind::ALL {
            assert_eq!(CardKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CardKind::parse("meh"), None);
    }
}
