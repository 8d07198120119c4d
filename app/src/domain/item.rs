//! Work items: kinds, states, the blocked reason, descriptions, and the roll-up of an
//! epic's children.

use super::points::StoryPoints;
use serde::{Deserialize, Serialize};

pub const DESCRIPTION_MAX_CHARS: usize = 20_000;
pub const BLOCKED_REASON_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ItemKind {
    Epic,
    Task,
    Bug,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ItemState {
    Todo,
    Doing,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not one of {}", crate::domain::Quoted(.0), .1)]
pub struct UnknownValue(pub String, pub &'static str);

impl ItemKind {
    pub const ALL: [ItemKind; 3] = [ItemKind::Epic, ItemKind::Task, ItemKind::Bug];

    pub fn parse(raw: &str) -> Result<ItemKind, UnknownValue> {
        match raw.trim() {
            "epic" => Ok(ItemKind::Epic),
            "task" => Ok(ItemKind::Task),
            "bug" => Ok(ItemKind::Bug),
            other => Err(UnknownValue(other.to_owned(), "epic, task, bug")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Epic => "epic",
            ItemKind::Task => "task",
            ItemKind::Bug => "bug",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Epic => "Epic",
            ItemKind::Task => "Task",
            ItemKind::Bug => "Bug",
        }
    }
}

impl ItemState {
    pub const ALL: [ItemState; 3] = [ItemState::Todo, ItemState::Doing, ItemState::Done];

    pub fn parse(raw: &str) -> Result<ItemState, UnknownValue> {
        match raw.trim() {
            "todo" => Ok(ItemState::Todo),
            "doing" => Ok(ItemState::Doing),
            "done" => Ok(ItemState::Done),
            other => Err(UnknownValue(other.to_owned(), "todo, doing, done")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Todo => "todo",
            ItemState::Doing => "doing",
            ItemState::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemState::Todo => "To do",
            ItemState::Doing => "Doing",
            ItemState::Done => "Done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("a description can be at most {DESCRIPTION_MAX_CHARS} characters")]
    DescriptionTooLong,
    #[error("say why it is blocked")]
    ReasonMissing,
    #[error("a reason can be at most {BLOCKED_REASON_MAX_CHARS} characters")]
    ReasonTooLong,
}

/// A description as typed (markdown); only its length is limited. Line endings are
/// normalised so the same text always compares equal.
pub fn parse_description(raw: &str) -> Result<String, TextError> {
    let text = raw.replace("\r\n", "\n");
    let text = text.trim_end();
    if text.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(TextError::DescriptionTooLong);
    }
    Ok(text.to_owned())
}

/// The blocked flag with its reason: blocked needs a reason; unblocked keeps none.
pub fn parse_blocked(blocked: bool, reason: Option<&str>) -> Result<Option<String>, TextError> {
    if !blocked {
        return Ok(None);
    }
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(TextError::ReasonMissing);
    }
    if reason.chars().count() > BLOCKED_REASON_MAX_CHARS {
        return Err(TextError::ReasonTooLong);
    }
    Ok(Some(reason.to_owned()))
}

/// One child of an epic, for the roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildSummary {
    pub estimate: Option<StoryPoints>,
    pub state: ItemState,
}

/// An epic's progress, from its children.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rollup {
    pub total_points: u32,
    pub done_points: u32,
    pub remaining_points: u32,
    pub children: u32,
    pub done_children: u32,
    /// Children without an estimate (their points are unknown, so not in the totals).
    pub unestimated: u32,
}

impl Rollup {
    pub fn of(children: &[ChildSummary]) -> Rollup {
        let mut r = Rollup::default();
        for c in children {
            r.children += 1;
            let points = c.estimate.map(|p| u32::from(p.value()));
            if points.is_none() {
                r.unestimated += 1;
            }
            let points = points.unwrap_or(0);
            r.total_points += points;
            if c.state == ItemState::Done {
                r.done_children += 1;
                r.done_points += points;
            }
        }
        r.remaining_points = r.total_points - r.done_points;
        r
    }

    /// The same from totals kept elsewhere (the database's per-epic roll-up): counts and
    /// points of the live children, all and done. Negative figures (which a consistent store
    /// never has) count as none.
    pub fn from_totals(
        children: i64,
        done_children: i64,
        unestimated: i64,
        total_points: i64,
        done_points: i64,
    ) -> Rollup {
        let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
        let (total_points, done_points) = (n(total_points), n(done_points).min(n(total_points)));
        Rollup {
            total_points,
            done_points,
            remaining_points: total_points - done_points,
            children: n(children),
            done_children: n(done_children),
            unestimated: n(unestimated),
        }
    }

    /// Whole-percent progress by points (by count when nothing is estimated).
    pub fn percent(&self) -> u32 {
        (self.done_points * 100)
            .checked_div(self.total_points)
            .or_else(|| (self.done_children * 100).checked_div(self.children))
            .unwrap_or(0)
    }
}

/// Which points stand for an epic in a forecast. The article sizes an epic first (13 or
/// 21) and breaks it into child tasks later: until a child is estimated the epic's own size
/// is all that is known; from then on the children are the finer estimate, and the epic's
/// own size is only shown beside them (never added to them, so nothing counts twice).
/// Velocity and burndown never count an epic's own size: the work flows through its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EpicPoints {
    /// Its children's points (at least one child is estimated).
    Children,
    /// Its own size (no child is estimated yet).
    OwnSize,
}

impl EpicPoints {
    pub fn of(own_size: Option<u32>, estimated_children: u32) -> EpicPoints {
        if estimated_children == 0 && own_size.is_some() {
            EpicPoints::OwnSize
        } else {
            EpicPoints::Children
        }
    }

    /// The points left that the forecast counts for an open epic.
    pub fn remaining(self, own_size: Option<u32>, children_remaining: u32) -> u32 {
        match self {
            EpicPoints::Children => children_remaining,
            EpicPoints::OwnSize => own_size.unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epic_counts_its_own_size_until_a_child_is_estimated() {
        // The article's "Online store", sized 21 before anyone broke it down.
        assert_eq!(EpicPoints::of(Some(21), 0), EpicPoints::OwnSize);
        assert_eq!(EpicPoints::of(Some(21), 0).remaining(Some(21), 0), 21);
        // Broken into its five child tasks (11 points, 3 done): the children count.
        assert_eq!(EpicPoints::of(Some(21), 5), EpicPoints::Children);
        assert_eq!(EpicPoints::of(Some(21), 5).remaining(Some(21), 8), 8);
        // Not sized at all: whatever its children have (nothing yet).
        assert_eq!(EpicPoints::of(None, 0), EpicPoints::Children);
        assert_eq!(EpicPoints::of(None, 0).remaining(None, 0), 0);
    }

    fn child(points: Option<u8>, state: ItemState) -> ChildSummary {
        ChildSummary {
            estimate: points.map(|p| StoryPoints::parse(p).unwrap()),
            state,
        }
    }

    #[test]
    fn the_articles_shop_epic_adds_up_to_eleven_points() {
        // Display items 1, display prices 1, item database 3, pics storage 1, cart 5.
        let mut children: Vec<ChildSummary> = [1, 1, 3, 1, 5]
            .into_iter()
            .map(|p| child(Some(p), ItemState::Todo))
            .collect();
        let r = Rollup::of(&children);
        assert_eq!(
            (r.total_points, r.done_points, r.remaining_points),
            (11, 0, 11)
        );
        assert_eq!(r.percent(), 0);
        children[2].state = ItemState::Done;
        let r = Rollup::of(&children);
        assert_eq!(
            (r.done_points, r.remaining_points, r.done_children),
            (3, 8, 1)
        );
        assert_eq!(r.percent(), 27);
    }

    #[test]
    fn unestimated_children_are_counted_but_add_no_points() {
        let r = Rollup::of(&[
            child(None, ItemState::Done),
            child(Some(0), ItemState::Todo),
        ]);
        assert_eq!(r.children, 2);
        assert_eq!(r.unestimated, 1);
        assert_eq!(r.total_points, 0);
        assert_eq!(r.percent(), 50, "by count when no points are known");
        assert_eq!(Rollup::of(&[]).percent(), 0);
    }

    #[test]
    fn totals_kept_elsewhere_make_the_same_rollup_as_the_children() {
        let children = [
            ChildSummary {
                estimate: Some(StoryPoints::parse_extended(5).unwrap()),
                state: ItemState::Done,
            },
            ChildSummary {
                estimate: Some(StoryPoints::parse_extended(3).unwrap()),
                state: ItemState::Todo,
            },
            ChildSummary {
                estimate: None,
                state: ItemState::Done,
            },
        ];
        assert_eq!(Rollup::from_totals(3, 2, 1, 8, 5), Rollup::of(&children));
        assert_eq!(Rollup::from_totals(0, 0, 0, 0, 0), Rollup::of(&[]));
        // A store out of step never makes remaining points underflow.
        assert_eq!(Rollup::from_totals(1, 1, 0, 3, 5).remaining_points, 0);
    }

    #[test]
    fn blocked_needs_a_reason_and_unblocking_drops_it() {
        assert_eq!(
            parse_blocked(true, Some("  ")),
            Err(TextError::ReasonMissing)
        );
        assert_eq!(
            parse_blocked(true, Some(" waiting for API keys ")),
            Ok(Some("waiting for API keys".into()))
        );
        assert_eq!(parse_blocked(false, Some("stale")), Ok(None));
    }

    #[test]
    fn kinds_and_states_parse_from_their_wire_names() {
        for k in ItemKind::ALL {
            assert_eq!(ItemKind::parse(k.as_str()), Ok(k));
        }
        for s in ItemState::ALL {
            assert_eq!(ItemState::parse(s.as_str()), Ok(s));
        }
        assert!(ItemKind::parse("story").is_err());
    }

    #[test]
    fn descriptions_keep_their_text_and_are_bounded() {
        assert_eq!(parse_description("a\r\nb\n\n").unwrap(), "a\nb");
        assert!(parse_description(&"x".repeat(20_001)).is_err());
    }
}
