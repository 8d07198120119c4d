//! An item's history, typed: what an `item_event` row holds, written and read in one place,
//! and the walks back through it that the burndown and the stand-up make.
//!
//! A row stores one [`Change`] as a field name with an old and a new JSON value, kept
//! exactly as they have always been written: the item page and the export show them as
//! they are, and SQL reads `increment.id` and `blocked.blocked` in them. Old → new, where
//! "—" is SQL NULL:
//!
//! - `created`: — → `{kind, title, estimate, state: "todo", parent}`
//! - `title`, `description`, `kind`, `state`: string → string
//! - `estimate`: story points or null → the same
//! - `assignee`: `{id, name, email}` or null → the same
//! - `parent`: the epic's number or null → the same
//! - `increment`: `{id, name}` (its database id and label) or null → the same
//! - `blocked`: `{blocked, reason}` → `{blocked, reason}`
//! - `deleted`: — → —, or `{with_epic}` with the epic's number when it went with its epic
//! - `restored`: — → —
//! - `poker`: — → `{round, votes}` (beside the estimate change it made)
//! - `ci`: — → `{event: "failed" | "passing", pipeline, branch, run, commit, occurrences}`
//!   (what a CI integration reported about the bug it filed)
//! - `link`: — → `{kind: "commit" | "pull_request", reference, title, url, author, closes}`
//!
//! Nothing reads the same absent or JSON `null`: an export and import turns one into the
//! other. An import also leaves `id: null` in an `assignee` whose email matched no account,
//! and in an `increment` whose key the document did not define.

use super::burndown::{Facts, Track};
use super::{ItemKind, ItemState, StoryPoints};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::fmt;
use uuid::Uuid;

/// The fields the history records (the `item_event.field` check constraint).
pub const FIELDS: [&str; 15] = [
    "created",
    "title",
    "description",
    "kind",
    "estimate",
    "state",
    "assignee",
    "parent",
    "increment",
    "blocked",
    "deleted",
    "restored",
    "poker",
    "ci",
    "link",
];

/// An item as it was created (the `created` row's new value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub kind: ItemKind,
    pub title: String,
    pub estimate: Option<StoryPoints>,
    /// `todo` for every item created so far.
    pub state: ItemState,
    /// The parent epic's number.
    pub parent: Option<i32>,
}

/// A person as the history names them: the account (`None` when an import matched no
/// account) with the name and email they had then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssigneeRef {
    pub id: Option<Uuid>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// An increment as the history names it: its id (`None` when an import could not place it)
/// and its label then ("Q1 · 2").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncrementRef {
    pub id: Option<i64>,
    pub name: String,
}

/// The blocked flag with its reason. The default is not blocked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocking {
    pub blocked: bool,
    pub reason: Option<String>,
}

/// One change to an item, as a history row records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Created(Snapshot),
    Title {
        old: String,
        new: String,
    },
    Description {
        old: String,
        new: String,
    },
    Kind {
        old: ItemKind,
        new: ItemKind,
    },
    Estimate {
        old: Option<StoryPoints>,
        new: Option<StoryPoints>,
    },
    State {
        old: ItemState,
        new: ItemState,
    },
    Assignee {
        old: Option<AssigneeRef>,
        new: Option<AssigneeRef>,
    },
    /// The parent epic's number.
    Parent {
        old: Option<i32>,
        new: Option<i32>,
    },
    /// `None` is the backlog.
    Increment {
        old: Option<IncrementRef>,
        new: Option<IncrementRef>,
    },
    Blocked {
        old: Blocking,
        new: Blocking,
    },
    /// Moved to the trash; `with_epic` is the number of the epic it went with.
    Deleted {
        with_epic: Option<i32>,
    },
    Restored,
    /// Estimated in planning poker: the round, and its votes as played ("5", "?",
    /// "break"). Recorded beside the `Estimate` change it made; a note, not a fact the
    /// walkers need.
    Poker(PokerNote),
    /// What a CI integration reported about the bug it filed: another failure of the same
    /// pipeline, or its first green run since. A note beside any state change it made.
    Ci(CiNote),
    /// A commit or pull request that mentions the item (and whether it closed it). A note
    /// beside the state change a closing one made.
    Link(LinkNote),
}

/// The `ci` row's new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiNote {
    /// `failed` (again) or `passing` (again).
    pub event: String,
    pub pipeline: String,
    pub branch: String,
    pub run: Option<String>,
    pub commit: Option<String>,
    /// How many failures the bug has seen, this one included.
    pub occurrences: Option<i32>,
}

/// The `link` row's new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkNote {
    /// `commit` or `pull_request`.
    pub kind: String,
    /// The commit's id, the pull request's number.
    pub reference: String,
    pub title: String,
    pub url: Option<String>,
    pub author: Option<String>,
    pub closes: bool,
}

/// The `poker` row's new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PokerNote {
    pub round: i32,
    pub votes: Vec<String>,
}

/// Which of a row's two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Old => "old",
            Side::New => "new",
        })
    }
}

/// A history row that does not hold a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("{} is not a field the history records", crate::domain::Quoted(.0))]
    UnknownField(String),
    #[error("the {side} value of a {field} change {problem}")]
    BadValue {
        field: &'static str,
        side: Side,
        problem: String,
    },
}

/// The new value of a `deleted` row that went with its epic.
#[derive(Deserialize)]
struct WithEpic {
    with_epic: i32,
}

/// A row's two values, read for one field.
struct Stored<'a> {
    field: &'static str,
    old: Option<&'a Value>,
    new: Option<&'a Value>,
}

impl Stored<'_> {
    fn bad(&self, side: Side, problem: String) -> HistoryError {
        HistoryError::BadValue {
            field: self.field,
            side,
            problem,
        }
    }

    /// One value; absent and `null` are both nothing.
    fn maybe<T: DeserializeOwned>(&self, side: Side) -> Result<Option<T>, HistoryError> {
        let value = match side {
            Side::Old => self.old,
            Side::New => self.new,
        };
        match value.filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone())
                .map(Some)
                .map_err(|e| self.bad(side, format!("is not valid: {e}"))),
        }
    }

    fn must<T: DeserializeOwned>(&self, side: Side) -> Result<T, HistoryError> {
        self.maybe(side)?
            .ok_or_else(|| self.bad(side, "is missing".into()))
    }

    fn empty(&self, side: Side) -> Result<(), HistoryError> {
        match self.maybe::<Value>(side)? {
            None => Ok(()),
            Some(v) => Err(self.bad(side, format!("should be empty, not {v}"))),
        }
    }

    /// A change whose two values are always there.
    fn pair<T: DeserializeOwned>(
        &self,
        make: impl FnOnce(T, T) -> Change,
    ) -> Result<Change, HistoryError> {
        Ok(make(self.must(Side::Old)?, self.must(Side::New)?))
    }

    /// A change whose two values may each be nothing.
    fn maybe_pair<T: DeserializeOwned>(
        &self,
        make: impl FnOnce(Option<T>, Option<T>) -> Change,
    ) -> Result<Change, HistoryError> {
        Ok(make(self.maybe(Side::Old)?, self.maybe(Side::New)?))
    }
}

fn both<T: Serialize>(old: &T, new: &T) -> (Option<Value>, Option<Value>) {
    (Some(json!(old)), Some(json!(new)))
}

impl Change {
    /// The field name stored with the change.
    pub fn field(&self) -> &'static str {
        match self {
            Change::Created(_) => "created",
            Change::Title { .. } => "title",
            Change::Description { .. } => "description",
            Change::Kind { .. } => "kind",
            Change::Estimate { .. } => "estimate",
            Change::State { .. } => "state",
            Change::Assignee { .. } => "assignee",
            Change::Parent { .. } => "parent",
            Change::Increment { .. } => "increment",
            Change::Blocked { .. } => "blocked",
            Change::Deleted { .. } => "deleted",
            Change::Restored => "restored",
            Change::Poker(_) => "poker",
            Change::Ci(_) => "ci",
            Change::Link(_) => "link",
        }
    }

    /// The row to insert: field, old value, new value (`None` is SQL NULL).
    pub fn to_stored(&self) -> (&'static str, Option<Value>, Option<Value>) {
        let (old, new) = match self {
            Change::Created(snapshot) => (None, Some(json!(snapshot))),
            Change::Title { old, new } | Change::Description { old, new } => both(old, new),
            Change::Kind { old, new } => both(old, new),
            Change::Estimate { old, new } => both(old, new),
            Change::State { old, new } => both(old, new),
            Change::Assignee { old, new } => both(old, new),
            Change::Parent { old, new } => both(old, new),
            Change::Increment { old, new } => both(old, new),
            Change::Blocked { old, new } => both(old, new),
            Change::Deleted { with_epic } => (None, with_epic.map(|n| json!({ "with_epic": n }))),
            Change::Restored => (None, None),
            Change::Poker(note) => (None, Some(json!(note))),
            Change::Ci(note) => (None, Some(json!(note))),
            Change::Link(note) => (None, Some(json!(note))),
        };
        (self.field(), old, new)
    }

    /// Reads a stored row. Keys an object does not need are ignored.
    pub fn from_stored(
        field: &str,
        old: Option<&Value>,
        new: Option<&Value>,
    ) -> Result<Change, HistoryError> {
        let known = FIELDS
            .into_iter()
            .find(|f| *f == field)
            .ok_or_else(|| HistoryError::UnknownField(field.to_owned()))?;
        let s = Stored {
            field: known,
            old,
            new,
        };
        Ok(match known {
            "created" => {
                s.empty(Side::Old)?;
                Change::Created(s.must(Side::New)?)
            }
            "title" => s.pair(|old, new| Change::Title { old, new })?,
            "description" => s.pair(|old, new| Change::Description { old, new })?,
            "kind" => s.pair(|old, new| Change::Kind { old, new })?,
            "estimate" => s.maybe_pair(|old, new| Change::Estimate { old, new })?,
            "state" => s.pair(|old, new| Change::State { old, new })?,
            "assignee" => s.maybe_pair(|old, new| Change::Assignee { old, new })?,
            "parent" => s.maybe_pair(|old, new| Change::Parent { old, new })?,
            "increment" => s.maybe_pair(|old, new| Change::Increment { old, new })?,
            "blocked" => s.pair(|old, new| Change::Blocked { old, new })?,
            "deleted" => {
                s.empty(Side::Old)?;
                let with_epic = s.maybe::<WithEpic>(Side::New)?.map(|w| w.with_epic);
                Change::Deleted { with_epic }
            }
            "restored" => {
                s.empty(Side::Old)?;
                s.empty(Side::New)?;
                Change::Restored
            }
            "poker" => {
                s.empty(Side::Old)?;
                Change::Poker(s.must(Side::New)?)
            }
            "ci" => {
                s.empty(Side::Old)?;
                Change::Ci(s.must(Side::New)?)
            }
            "link" => {
                s.empty(Side::Old)?;
                Change::Link(s.must(Side::New)?)
            }
            _ => return Err(HistoryError::UnknownField(field.to_owned())),
        })
    }

    /// Whether this change finished the item (moved it to done).
    pub fn finishes(&self) -> bool {
        matches!(
            self,
            Change::State {
                new: ItemState::Done,
                ..
            }
        )
    }

    /// One line for people: "estimate: 3 → 5", "epic: #4 → none", "created".
    pub fn summary(&self) -> String {
        fn points(p: &Option<StoryPoints>) -> String {
            p.map_or_else(|| "none".into(), |p| p.to_string())
        }
        fn epic(n: &Option<i32>) -> String {
            n.map_or_else(|| "none".into(), |n| format!("#{n}"))
        }
        // Someone the history has no name for shows as the stored value, as always.
        fn person(a: &Option<AssigneeRef>) -> String {
            a.as_ref().map_or_else(
                || "none".into(),
                |a| a.name.clone().unwrap_or_else(|| json!(a).to_string()),
            )
        }
        fn increment(i: &Option<IncrementRef>) -> String {
            i.as_ref().map_or_else(|| "none".into(), |i| i.name.clone())
        }
        fn blocking(b: &Blocking) -> String {
            match (&b.reason, b.blocked) {
                (Some(reason), _) => reason.clone(),
                (None, false) => "not blocked".into(),
                (None, true) => json!(b).to_string(),
            }
        }
        let (old, new) = match self {
            Change::Created(_) => return "created".into(),
            Change::Deleted { .. } => return "moved to the trash".into(),
            Change::Restored => return "restored from the trash".into(),
            Change::Poker(note) => {
                let cards: Vec<_> = note
                    .votes
                    .iter()
                    .filter_map(|v| super::poker::Card::from_stored(v))
                    .collect();
                return super::poker::history_line(note.round, &cards);
            }
            Change::Ci(note) => {
                let run = format!("{} on {}", note.pipeline, note.branch);
                return match (note.event.as_str(), note.occurrences) {
                    ("passing", _) => format!("CI: {run} passing again"),
                    (_, Some(n)) if n > 1 => format!("CI: {run} failed again ({n} times in all)"),
                    _ => format!("CI: {run} failed"),
                };
            }
            Change::Link(note) => {
                let what = match note.kind.as_str() {
                    "pull_request" => format!("pull request #{}", note.reference),
                    _ => format!(
                        "commit {}",
                        note.reference.get(..7).unwrap_or(&note.reference)
                    ),
                };
                let verb = if note.closes {
                    "closed by"
                } else {
                    "mentioned in"
                };
                return format!("{verb} {what}: {}", note.title);
            }
            Change::Description { .. } => return "description edited".into(),
            Change::Parent { old, new } => return format!("epic: {} → {}", epic(old), epic(new)),
            Change::Title { old, new } => (old.clone(), new.clone()),
            Change::Kind { old, new } => (old.as_str().to_owned(), new.as_str().to_owned()),
            Change::State { old, new } => (old.as_str().to_owned(), new.as_str().to_owned()),
            Change::Estimate { old, new } => (points(old), points(new)),
            Change::Assignee { old, new } => (person(old), person(new)),
            Change::Increment { old, new } => (increment(old), increment(new)),
            Change::Blocked { old, new } => (blocking(old), blocking(new)),
        };
        format!("{}: {old} → {new}", self.field())
    }
}

// --- walking back ----------------------------------------------------------------------

/// What an increment's burndown needs of an item, at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurnFacts {
    /// False before it was created; true for an item as it is now.
    pub exists: bool,
    pub kind: ItemKind,
    pub estimate: Option<StoryPoints>,
    pub state: ItemState,
    pub increment_id: Option<i64>,
    /// In the trash.
    pub deleted: bool,
}

impl BurnFacts {
    /// What the item contributes to the burndown of `increment`.
    pub fn facts(&self, increment: i64) -> Facts {
        Facts {
            counts: self.exists
                && !self.deleted
                && self.kind != ItemKind::Epic
                && self.increment_id == Some(increment),
            points: self.estimate.map_or(0, |p| u32::from(p.value())),
            done: self.state == ItemState::Done,
        }
    }

    /// The facts just before a change, given the facts just after it.
    pub fn before(mut self, change: &Change) -> BurnFacts {
        match change {
            Change::Created(_) => self.exists = false,
            Change::Kind { old, .. } => self.kind = *old,
            Change::Estimate { old, .. } => self.estimate = *old,
            Change::State { old, .. } => self.state = *old,
            Change::Increment { old, .. } => self.increment_id = old.as_ref().and_then(|i| i.id),
            Change::Deleted { .. } => self.deleted = false,
            Change::Restored => self.deleted = true,
            _ => {}
        }
        self
    }

    /// The facts at a moment, from these (now) and the changes since, newest first.
    pub fn walked_back<'a>(self, later_changes: impl IntoIterator<Item = &'a Change>) -> BurnFacts {
        later_changes.into_iter().fold(self, BurnFacts::before)
    }

    /// The item's track through `increment`, walked back from these facts (now) through
    /// all of its changes, oldest first.
    pub fn track(self, increment: i64, changes: &[(DateTime<Utc>, Change)]) -> Track {
        let mut facts = self;
        let mut steps = Vec::with_capacity(changes.len());
        for (at, change) in changes.iter().rev() {
            steps.push((*at, facts.facts(increment)));
            facts = facts.before(change);
        }
        steps.reverse();
        Track {
            initial: facts.facts(increment),
            changes: steps,
        }
    }
}

/// What the stand-up shows of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandupCard {
    pub kind: ItemKind,
    pub title: String,
    pub estimate: Option<StoryPoints>,
    pub state: ItemState,
    /// Walked back, this is the person as the history named them: the stand-up names
    /// current members as the team knows them now.
    pub assignee: Option<AssigneeRef>,
    pub blocked: Blocking,
    /// In the trash.
    pub deleted: bool,
}

impl StandupCard {
    /// In progress or blocked, and not finished: what the stand-up walks through.
    pub fn on_the_board(&self) -> bool {
        self.kind != ItemKind::Epic
            && self.state != ItemState::Done
            && (self.state == ItemState::Doing || self.blocked.blocked)
    }

    /// The card at a moment, from this one (now) and the changes since, newest first.
    /// `None` when the item did not exist yet or was in the trash.
    pub fn walked_back<'a>(
        mut self,
        later_changes: impl IntoIterator<Item = &'a Change>,
    ) -> Option<StandupCard> {
        let mut existed = true;
        for change in later_changes {
            match change {
                Change::Created(_) => existed = false,
                Change::Deleted { .. } => self.deleted = false,
                Change::Restored => self.deleted = true,
                Change::State { old, .. } => self.state = *old,
                Change::Kind { old, .. } => self.kind = *old,
                Change::Title { old, .. } => self.title.clone_from(old),
                Change::Estimate { old, .. } => self.estimate = *old,
                Change::Assignee { old, .. } => self.assignee.clone_from(old),
                Change::Blocked { old, .. } => self.blocked.clone_from(old),
                Change::Description { .. }
                | Change::Parent { .. }
                | Change::Increment { .. }
                | Change::Poker(_)
                | Change::Ci(_)
                | Change::Link(_) => {}
            }
        }
        (existed && !self.deleted).then_some(self)
    }
}

/// An item's fields as its history records them: what an edit is compared on.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub title: String,
    pub description: String,
    pub kind: ItemKind,
    pub estimate: Option<StoryPoints>,
    pub state: ItemState,
    /// Compared by account: the name and email only go into the record.
    pub assignee: Option<AssigneeRef>,
    /// The parent epic's number.
    pub parent: Option<i32>,
    pub blocked: Blocking,
}

/// What an edit changed, one [`Change`] per field, in the order the item page lists them.
pub fn changes(old: &Recorded, new: &Recorded) -> Vec<Change> {
    let mut changes = Vec::new();
    if new.title != old.title {
        changes.push(Change::Title {
            old: old.title.clone(),
            new: new.title.clone(),
        });
    }
    if new.description != old.description {
        changes.push(Change::Description {
            old: old.description.clone(),
            new: new.description.clone(),
        });
    }
    if new.kind != old.kind {
        changes.push(Change::Kind {
            old: old.kind,
            new: new.kind,
        });
    }
    if new.estimate != old.estimate {
        changes.push(Change::Estimate {
            old: old.estimate,
            new: new.estimate,
        });
    }
    if new.state != old.state {
        changes.push(Change::State {
            old: old.state,
            new: new.state,
        });
    }
    let account = |a: &Option<AssigneeRef>| a.as_ref().and_then(|a| a.id);
    if account(&new.assignee) != account(&old.assignee) {
        changes.push(Change::Assignee {
            old: old.assignee.clone(),
            new: new.assignee.clone(),
        });
    }
    if new.parent != old.parent {
        changes.push(Change::Parent {
            old: old.parent,
            new: new.parent,
        });
    }
    if new.blocked != old.blocked {
        changes.push(Change::Blocked {
            old: old.blocked.clone(),
            new: new.blocked.clone(),
        });
    }
    changes
}

#[cfg(test)]
mod tests;
