//! Wire types: items (what the pages, the server functions and the JSON API exchange).

use crate::domain::{ItemKind, ItemState, Rollup};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// How many items a backlog page shows.
pub const PAGE_SIZE: i64 = 50;
/// The most one API call returns.
pub const MAX_PAGE_SIZE: i64 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Person {
    pub email: String,
    pub display_name: String,
    pub initials: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: Uuid,
    /// The item's number in its project ("#12"); the `{id}` in item URLs.
    pub number: i32,
    pub kind: ItemKind,
    /// The parent epic's number.
    pub parent: Option<i32>,
    pub title: String,
    /// As written (markdown).
    pub description: String,
    /// The description rendered to HTML, with anything unsafe removed.
    pub description_html: String,
    /// Story points; absent when not estimated (which is not the same as 0).
    pub estimate: Option<u8>,
    /// "5 · LG": the estimate with its label on the project's effort chart.
    pub estimate_label: Option<String>,
    /// 13 points or more on a task or bug: worth splitting.
    pub consider_splitting: bool,
    pub assignee: Option<Person>,
    pub state: ItemState,
    pub blocked: bool,
    pub blocked_reason: Option<String>,
    /// Send this back with an edit; a stale one gets 409 Conflict.
    pub version: i32,
    pub creator: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    /// In the trash (restorable).
    pub deleted: bool,
    /// The increment it is committed to, if any.
    pub increment: Option<i64>,
    /// Its name, "Q1 · 2".
    pub increment_label: Option<String>,
    /// For epics: progress of their children.
    pub rollup: Option<Rollup>,
    /// For a bug a failing pipeline filed: its CI ("GitHub"). The item page says more.
    #[serde(default)]
    pub from_ci: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemPage {
    pub items: Vec<Item>,
    /// Items (epics excepted) matching the filters, over all pages.
    pub total_count: i64,
    /// Their story points.
    pub total_points: i64,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemEvent {
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    /// created, title, description, kind, estimate, state, assignee, parent, increment,
    /// blocked, deleted or restored.
    pub field: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub old: Option<serde_json::Value>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub new: Option<serde_json::Value>,
    /// For people: "estimate: 3 → 5".
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemDetail {
    pub item: Item,
    /// For epics: their children in rank order (done ones too).
    pub children: Vec<Item>,
    /// Newest first.
    pub history: Vec<ItemEvent>,
    /// Commits and pull requests that mention it, newest first.
    pub links: Vec<super::hooks::ItemLink>,
    /// For a bug a failing pipeline filed: which, and its runs since.
    pub ci: Option<super::hooks::CiOrigin>,
}

/// The backlog's and the items API's filters; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct ItemQuery {
    /// Only the children of the epic with this number.
    pub epic: Option<i32>,
    /// epic, task or bug.
    pub kind: Option<String>,
    /// A member's email, or "none" for unassigned items.
    pub assignee: Option<String>,
    /// todo, doing or done.
    pub state: Option<String>,
    /// Words in the title.
    pub q: Option<String>,
    /// Only items without an estimate.
    pub unestimated: Option<bool>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    /// Page size, at most 200 (default 50).
    pub limit: Option<i64>,
}

/// A new item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewItem {
    /// epic, task or bug (default task).
    pub kind: Option<String>,
    pub title: String,
    pub description: Option<String>,
    /// The parent epic's number (tasks and bugs only).
    pub parent: Option<i32>,
    /// Story points on the project's effort chart.
    pub estimate: Option<i64>,
    /// A member's email.
    pub assignee: Option<String>,
    /// "top" or "bottom" of the backlog (default bottom).
    pub position: Option<String>,
}

/// Changes to an item; fields left out stay as they are. `null` clears the estimate,
/// assignee or parent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemPatch {
    /// The version the change was made against.
    pub version: i32,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>))]
    pub estimate: Option<Option<i64>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub assignee: Option<Option<String>>,
    pub state: Option<String>,
    pub blocked: Option<bool>,
    pub blocked_reason: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i32>))]
    pub parent: Option<Option<i32>>,
}

/// A field that is present (even as `null`) becomes `Some(..)`; absent stays `None`.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Where to move an item: give exactly one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MoveTo {
    /// Just before the item with this number.
    pub before: Option<i32>,
    /// Just after the item with this number.
    pub after: Option<i32>,
    /// "top" or "bottom".
    pub to: Option<String>,
}

impl MoveTo {
    /// Makes this move in a page of a list already in rank order, as the server will (so the
    /// page shows it before the server has answered). `first`/`last`: whether this is the
    /// list's first or last page; moved to the top or bottom of the list, an item leaves a
    /// page that is not. Returns the move that puts it back, or `None` when the page cannot
    /// show this move (the item or its neighbour is not on it) and is left as it was.
    pub fn apply<T>(
        &self,
        list: &mut Vec<T>,
        number: impl Fn(&T) -> i32,
        n: i32,
        first: bool,
        last: bool,
    ) -> Option<Option<MoveTo>> {
        let from = list.iter().position(|x| number(x) == n)?;
        let next_to = |k: i32| list.iter().position(|x| number(x) == k);
        let at = match (self.before, self.after, self.to.as_deref()) {
            (Some(k), _, _) if k != n => Some(next_to(k)?),
            (_, Some(k), _) if k != n => Some(next_to(k)? + 1),
            (None, None, Some("top")) => first.then_some(0),
            (None, None, Some("bottom")) => last.then_some(list.len()),
            _ => return None,
        };
        let item = list.remove(from);
        // Where it was: before the item that followed it, or else after the one before it.
        let back = match (
            list.get(from),
            from.checked_sub(1).and_then(|i| list.get(i)),
        ) {
            (Some(next), _) => Some(MoveTo {
                before: Some(number(next)),
                ..MoveTo::default()
            }),
            (None, Some(prev)) => Some(MoveTo {
                after: Some(number(prev)),
                ..MoveTo::default()
            }),
            (None, None) => None,
        };
        if let Some(at) = at {
            // Removing it shifted everything after it one place up.
            list.insert(if at > from { at - 1 } else { at }, item);
        }
        Some(back)
    }
}

/// What happens to an epic's children when it is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ChildrenChoice {
    /// Delete them too (they come back with the epic on undo).
    Delete,
    /// Keep them in the backlog without a parent.
    Detach,
}

/// The most items one bulk edit changes.
pub const MAX_BULK: usize = 200;

/// What a bulk edit does to each of its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum BulkChange {
    /// Sets the estimate (points on the effort chart), or clears it.
    Estimate(Option<i64>),
    /// Assigns to the member with this email, or to nobody.
    Assignee(Option<String>),
    /// Sets the state (`todo`, `doing`, `done`).
    State(String),
    /// Commits to an increment that is not closed (by its id).
    Increment(i64),
    /// Takes out of this increment, back to the backlog.
    Uncommit(i64),
    /// Moves to the trash.
    Delete,
    /// Brings back from the trash.
    Restore,
}

impl BulkChange {
    /// Reads a choice of the backlog's bulk form: `estimate:5`, `estimate:` (none),
    /// `assignee:ada@example.com`, `assignee:`, `state:done`, `increment:12`, `delete`.
    pub fn from_choice(choice: &str) -> Option<BulkChange> {
        let (what, value) = choice.split_once(':').unwrap_or((choice, ""));
        let value = value.trim();
        let given = (!value.is_empty()).then(|| value.to_owned());
        Some(match what {
            "estimate" => BulkChange::Estimate(match given {
                Some(v) => Some(v.parse().ok()?),
                None => None,
            }),
            "assignee" => BulkChange::Assignee(given),
            "state" => BulkChange::State(given?),
            "increment" => BulkChange::Increment(given?.parse().ok()?),
            "delete" => BulkChange::Delete,
            _ => return None,
        })
    }
}

/// One change made to several items, by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkEdit {
    pub items: Vec<i32>,
    pub change: BulkChange,
}

/// What a bulk edit did: how many items it changed, and the edits that put them back
/// as they were (sent as one request by Undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkDone {
    pub changed: u32,
    pub undo: Vec<BulkEdit>,
}

#[cfg(test)]
mod tests {
    use super::{BulkChange, ItemPatch, MoveTo};

    #[test]
    fn a_move_shown_at_once_is_the_servers_and_says_how_to_undo_it() {
        let go = |list: &[i32], n: i32, to: MoveTo, first: bool, last: bool| {
            let mut list = list.to_vec();
            let back = to.apply(&mut list, |x| *x, n, first, last);
            (list, back)
        };
        let before = |k| MoveTo {
            before: Some(k),
            ..MoveTo::default()
        };
        let after = |k| MoveTo {
            after: Some(k),
            ..MoveTo::default()
        };
        let to = |w: &str| MoveTo {
            to: Some(w.into()),
            ..MoveTo::default()
        };
        let page = [1, 2, 3, 4];
        // Up (before the one above), down (after the one below), a drop onto an item.
        assert_eq!(
            go(&page, 3, before(2), true, true),
            (vec![1, 3, 2, 4], Some(Some(before(4))))
        );
        assert_eq!(
            go(&page, 2, after(3), true, true),
            (vec![1, 3, 2, 4], Some(Some(before(3))))
        );
        assert_eq!(
            go(&page, 4, before(1), true, true),
            (vec![4, 1, 2, 3], Some(Some(after(3))))
        );
        assert_eq!(
            go(&page, 1, after(4), true, true),
            (vec![2, 3, 4, 1], Some(Some(before(2))))
        );
        // Top and bottom stay on the page only when the page holds that end of the list.
        assert_eq!(
            go(&page, 3, to("top"), true, false),
            (vec![3, 1, 2, 4], Some(Some(before(4))))
        );
        assert_eq!(
            go(&page, 3, to("top"), false, true),
            (vec![1, 2, 4], Some(Some(before(4))))
        );
        assert_eq!(
            go(&page, 2, to("bottom"), false, true),
            (vec![1, 3, 4, 2], Some(Some(before(3))))
        );
        assert_eq!(
            go(&page, 2, to("bottom"), true, false),
            (vec![1, 3, 4], Some(Some(before(3))))
        );
        // Nothing the page can show: the item or its neighbour is elsewhere, or itself.
        for (n, m) in [
            (9, before(1)),
            (1, before(9)),
            (1, after(9)),
            (2, before(2)),
        ] {
            assert_eq!(go(&page, n, m, true, true), (page.to_vec(), None));
        }
        assert_eq!(go(&[5], 5, to("top"), true, true), (vec![5], Some(None)));
    }

    #[test]
    fn a_patch_keeps_absent_null_and_set_apart_through_json() {
        let untouched = ItemPatch {
            version: 3,
            title: Some("Cart".into()),
            ..Default::default()
        };
        let json = serde_json::to_string(&untouched).unwrap();
        assert!(
            !json.contains("parent") && !json.contains("estimate"),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ItemPatch>(&json).unwrap(), untouched);

        let cleared: ItemPatch =
            serde_json::from_str(r#"{"version": 3, "parent": null, "estimate": 5}"#).unwrap();
        assert_eq!(cleared.parent, Some(None));
        assert_eq!(cleared.estimate, Some(Some(5)));
        assert_eq!(cleared.assignee, None);
        let back: ItemPatch =
            serde_json::from_str(&serde_json::to_string(&cleared).unwrap()).unwrap();
        assert_eq!(back, cleared);
    }

    #[test]
    fn the_bulk_forms_choices_read_as_changes() {
        let read = BulkChange::from_choice;
        assert_eq!(read("estimate:5"), Some(BulkChange::Estimate(Some(5))));
        assert_eq!(read("estimate:"), Some(BulkChange::Estimate(None)));
        assert_eq!(
            read("assignee:ada@example.com"),
            Some(BulkChange::Assignee(Some("ada@example.com".into())))
        );
        assert_eq!(read("assignee:"), Some(BulkChange::Assignee(None)));
        assert_eq!(read("state:done"), Some(BulkChange::State("done".into())));
        assert_eq!(read("increment:12"), Some(BulkChange::Increment(12)));
        assert_eq!(read("delete"), Some(BulkChange::Delete));
        for refused in [
            "",
            "estimate:five",
            "state:",
            "increment:",
            "restore",
            "drop:1",
        ] {
            assert_eq!(read(refused), None, "{refused:?}");
        }
    }
}
