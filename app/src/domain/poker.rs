//! Planning poker: the cards a member can show, and what a revealed round says (the
//! spread, who to hear from, whether the team agrees), and a session's summary.

use super::effort_chart::EffortChart;
use super::points::StoryPoints;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One card: points on the project's effort chart, "?" (no idea) or "break" (needs a
/// pause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Card {
    Points(StoryPoints),
    Unknown,
    Break,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a card: choose {choices}, ? or break", crate::domain::Quoted(.card))]
pub struct NotACard {
    pub card: String,
    pub choices: String,
}

impl Card {
    /// A card of this chart, as stored and sent ("5", "?", "break").
    pub fn parse(text: &str, chart: &EffortChart) -> Result<Card, NotACard> {
        let not = || NotACard {
            card: text.chars().take(20).collect(),
            choices: chart
                .entries()
                .iter()
                .map(|e| e.points.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        };
        match text.trim() {
            "?" => Ok(Card::Unknown),
            "break" => Ok(Card::Break),
            t => {
                let value: i64 = t.parse().map_err(|_| not())?;
                chart.estimate(value).map(Card::Points).map_err(|_| not())
            }
        }
    }

    /// A card as stored, without the chart (it was checked when it was played).
    pub fn from_stored(text: &str) -> Option<Card> {
        match text {
            "?" => Some(Card::Unknown),
            "break" => Some(Card::Break),
            t => t
                .parse::<i64>()
                .ok()
                .and_then(|v| StoryPoints::parse_extended(v).ok())
                .map(Card::Points),
        }
    }

    pub fn points(self) -> Option<StoryPoints> {
        match self {
            Card::Points(p) => Some(p),
            _ => None,
        }
    }
}

impl fmt::Display for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Card::Points(p) => write!(f, "{p}"),
            Card::Unknown => f.write_str("?"),
            Card::Break => f.write_str("break"),
        }
    }
}

/// What a revealed round's votes say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Spread {
    /// The lowest and highest points voted (none when nobody voted points).
    pub lowest: Option<u8>,
    pub highest: Option<u8>,
    /// Everyone voted, all the same points: the value to accept.
    pub agreed: Option<u8>,
    /// The most common points (the higher on a tie): what the scrum master is offered.
    pub suggested: Option<u8>,
    /// Someone asked for a pause.
    pub wants_break: bool,
}

impl Spread {
    pub fn of(cards: &[Card]) -> Spread {
        let points: Vec<u8> = cards
            .iter()
            .filter_map(|c| c.points())
            .map(|p| p.value())
            .collect();
        let lowest = points.iter().copied().min();
        let highest = points.iter().copied().max();
        let agreed = (!cards.is_empty() && points.len() == cards.len() && lowest == highest)
            .then_some(lowest)
            .flatten();
        let mut counts: Vec<(u8, usize)> = Vec::new();
        for p in &points {
            match counts.iter_mut().find(|(v, _)| v == p) {
                Some((_, n)) => *n += 1,
                None => counts.push((*p, 1)),
            }
        }
        let suggested = counts.iter().max_by_key(|(v, n)| (*n, *v)).map(|(v, _)| *v);
        Spread {
            lowest,
            highest,
            agreed,
            suggested,
            wants_break: cards.contains(&Card::Break),
        }
    }

    /// Whether a vote of `card` is one the team should hear the reasons for: the highest
    /// or the lowest, when the votes differ.
    pub fn outlier(&self, card: Card) -> Option<Outlier> {
        let v = card.points()?.value();
        if self.lowest == self.highest {
            return None;
        }
        if Some(v) == self.highest {
            Some(Outlier::Highest)
        } else if Some(v) == self.lowest {
            Some(Outlier::Lowest)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outlier {
    Highest,
    Lowest,
}

/// The history line of an estimate taken in planning poker: "estimated in planning poker,
/// round 2: 3, 5, 5, 8" (the votes in ascending order, "?" and "break" last).
pub fn history_line(round: i32, cards: &[Card]) -> String {
    let mut sorted: Vec<Card> = cards.to_vec();
    sorted.sort_by_key(|c| match c {
        Card::Points(p) => (0, p.value()),
        Card::Unknown => (1, 0),
        Card::Break => (2, 0),
    });
    let votes = sorted
        .iter()
        .map(Card::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if votes.is_empty() {
        format!("estimated in planning poker, round {round}")
    } else {
        format!("estimated in planning poker, round {round}: {votes}")
    }
}

/// One item's course through a session, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemOutcome {
    /// The points accepted; `None`: skipped or not reached.
    pub accepted: Option<u8>,
    pub rounds: u32,
    /// The first round's votes all agreed.
    pub first_round_agreed: bool,
}

/// A session's summary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Summary {
    pub items_estimated: u32,
    pub points_added: u32,
    pub rounds: u32,
    /// Items estimated whose first round already agreed.
    pub agreed_first_round: u32,
}

impl Summary {
    pub fn of(outcomes: &[ItemOutcome]) -> Summary {
        let estimated = outcomes.iter().filter(|o| o.accepted.is_some());
        Summary {
            items_estimated: estimated.clone().count() as u32,
            points_added: estimated
                .clone()
                .map(|o| u32::from(o.accepted.unwrap_or(0)))
                .sum(),
            rounds: outcomes.iter().map(|o| o.rounds).sum(),
            agreed_first_round: estimated.filter(|o| o.first_round_agreed).count() as u32,
        }
    }

    /// "3 items estimated, 13 points, 5 rounds; the first round agreed on 1 of 3."
    pub fn line(&self) -> String {
        let items = if self.items_estimated == 1 {
            "item"
        } else {
            "items"
        };
        let rounds = if self.rounds == 1 { "round" } else { "rounds" };
        format!(
            "{} {items} estimated, {} points, {} {rounds}; the first round agreed on {} of {}.",
            self.items_estimated,
            self.points_added,
            self.rounds,
            self.agreed_first_round,
            self.items_estimated
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> EffortChart {
        EffortChart::default()
    }

    fn p(v: i64) -> Card {
        Card::Points(StoryPoints::parse(v).unwrap())
    }

    #[test]
    fn cards_are_the_charts_values_a_question_mark_or_a_break() {
        let chart = chart();
        let first = chart.entries()[0].points;
        assert_eq!(
            Card::parse(&first.to_string(), &chart),
            Ok(Card::Points(first))
        );
        assert_eq!(Card::parse("?", &chart), Ok(Card::Unknown));
        assert_eq!(Card::parse("break", &chart), Ok(Card::Break));
        for bad in ["4", "-1", "", "coffee", "1000"] {
            assert!(Card::parse(bad, &chart).is_err(), "{bad}");
        }
        for card in [p(5), Card::Unknown, Card::Break] {
            assert_eq!(Card::from_stored(&card.to_string()), Some(card));
        }
    }

    #[test]
    fn a_spread_names_the_outliers_and_agreement() {
        let s = Spread::of(&[p(3), p(5), p(5), p(8)]);
        assert_eq!(
            (s.lowest, s.highest, s.agreed, s.suggested),
            (Some(3), Some(8), None, Some(5))
        );
        assert_eq!(s.outlier(p(8)), Some(Outlier::Highest));
        assert_eq!(s.outlier(p(3)), Some(Outlier::Lowest));
        assert_eq!(s.outlier(p(5)), None);
        let same = Spread::of(&[p(5), p(5)]);
        assert_eq!((same.agreed, same.outlier(p(5))), (Some(5), None));
        // A "?" is not agreement; a break asks for a pause.
        let unsure = Spread::of(&[p(5), Card::Unknown, Card::Break]);
        assert_eq!((unsure.agreed, unsure.wants_break), (None, true));
        assert_eq!(Spread::of(&[]).agreed, None);
        // A tie goes to the higher value.
        assert_eq!(Spread::of(&[p(3), p(5)]).suggested, Some(5));
    }

    #[test]
    fn the_history_line_lists_the_votes_in_order() {
        assert_eq!(
            history_line(2, &[p(8), p(5), Card::Unknown, p(3), p(5)]),
            "estimated in planning poker, round 2: 3, 5, 5, 8, ?"
        );
        assert_eq!(history_line(1, &[]), "estimated in planning poker, round 1");
    }

    #[test]
    fn a_summary_counts_items_points_rounds_and_first_round_agreement() {
        let s = Summary::of(&[
            ItemOutcome {
                accepted: Some(5),
                rounds: 2,
                first_round_agreed: false,
            },
            ItemOutcome {
                accepted: Some(3),
                rounds: 1,
                first_round_agreed: true,
            },
            ItemOutcome {
                accepted: None,
                rounds: 1,
                first_round_agreed: false,
            },
        ]);
        assert_eq!(
            s,
            Summary {
                items_estimated: 2,
                points_added: 8,
                rounds: 4,
                agreed_first_round: 1
            }
        );
        assert_eq!(
            s.line(),
            "2 items estimated, 8 points, 4 rounds; the first round agreed on 1 of 2."
        );
    }
}
