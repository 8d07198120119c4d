//! Importing a document as a new project: read in bounded pieces with the path of any fault,
//! checked whole before anything is written, then written in one transaction (all or
//! nothing).
//!
//! Memory: the document's bytes are held once. The small parts (project, members, sprints)
//! are read into typed values; the long lists (items, stand-up notes, reflection cards) are
//! only indexed (where each element lies in the bytes) and each element is read when it is
//! checked, and again when it is written, a batch at a time. Nothing is ever read into a
//! `serde_json::Value` tree except one history value at a time. Every list has a maximum
//! that is refused as soon as it is passed, and the check stops at the first faults.
//!
//! Trust: people are named by email, and an import must not put a project into a stranger's
//! account or make them the author of anything. So the importer becomes the owner; everyone
//! else the document lists as a member gets a pending invitation (when they have an account)
//! and becomes a member on accepting; nothing in the project is attributed to anyone but
//! the importer. The answer says how many people were named, never which have accounts.

use super::*;
use crate::db::items as items_db;
use crate::domain::burndown::Report;
use crate::domain::calendar::in_range;
use crate::domain::comment::{store_mentions, CommentBody};
use crate::domain::history::Change;
use crate::domain::reflection::{parse_group, weeks_in, CardKind};
use crate::domain::ItemState;
use crate::service::reflection::{MAX_CARDS_PER_BOARD, MAX_GROUPS_PER_BOARD, MAX_POSITION};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
// `raw_value` is a serde_json feature that sqlx's `json` feature turns on for every ssr build.
use serde_json::value::RawValue;
use std::fmt;
use std::marker::PhantomData;

/// The highest item number an import accepts. New items count on from the highest, so
/// numbers near `i32::MAX` would make every new item fail.
pub const MAX_ITEM_NUMBER: i32 = 1_000_000;
/// The most items a document holds (they are numbered up to [`MAX_ITEM_NUMBER`]).
pub const MAX_ITEMS: usize = MAX_ITEM_NUMBER as usize;
/// The most history rows of one item.
pub const MAX_HISTORY_PER_ITEM: usize = 10_000;
/// The most comments on one item.
pub const MAX_COMMENTS_PER_ITEM: usize = 10_000;
/// The most members a document lists.
pub const MAX_MEMBERS: usize = 1_000;
/// The most sprints a document holds.
pub const MAX_SPRINTS: usize = 1_000;
/// The most increments of one sprint: a sprint lasts at most two years, an increment at
/// least a week.
pub const MAX_INCREMENTS_PER_SPRINT: usize = 110;
/// The most items one increment's commitment lists.
pub const MAX_COMMITMENT: usize = 100_000;
/// The most stand-up notes a document holds.
pub const MAX_NOTES: usize = 1_000_000;
/// The most reflection cards a document holds.
pub const MAX_CARDS: usize = 1_000_000;
/// Planning poker sessions in one document.
pub const MAX_POKER_SESSIONS: usize = 10_000;
/// Increment numbers run from 1 to this (new ones count on from the highest).
pub const MAX_INCREMENT_NUMBER: i32 = 100_000;
/// An item's version (each edit adds one) is at most this.
pub const MAX_VERSION: i32 = 1_000_000_000;
/// Backlog ranks lie within ± this, far inside i64, so moves between them never overflow.
pub const MAX_RANK: i64 = 1 << 60;
/// The check stops after this many faults: the answer names them, and a document with a
/// million bad items is refused as quickly as one with a single one.
const MAX_FAULTS: usize = 20;
/// Items written per statement (with their history in one more)…
const IMPORT_BATCH: usize = 1000;
/// …or fewer, when their text reaches this many bytes.
const BATCH_BYTES: usize = 1 << 20;
/// The longest history value (its JSON text), a description of 20,000 characters escaped
/// included. Each is read into a JSON tree on its own, which may take many times its size.
pub const MAX_HISTORY_VALUE_BYTES: usize = 256 * 1024;

// --- reading ----------------------------------------------------------------------------

/// A list of at most `MAX` elements: the element after the last allowed one is refused as
/// soon as it is read, so a long list never grows in memory.
struct Bounded<T, const MAX: usize>(Vec<T>);

impl<T, const MAX: usize> Default for Bounded<T, MAX> {
    fn default() -> Self {
        Bounded(Vec::new())
    }
}

impl<T, const MAX: usize> std::ops::Deref for Bounded<T, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Bounded<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Elements<T, const MAX: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for Elements<T, MAX> {
            type Value = Bounded<T, MAX>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a list of at most {MAX} elements")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(element) = seq.next_element()? {
                    if out.len() == MAX {
                        return Err(de::Error::custom(format!(
                            "too long: at most {MAX} are allowed here"
                        )));
                    }
                    out.push(element);
                }
                Ok(Bounded(out))
            }
        }
        deserializer.deserialize_seq(Elements(PhantomData))
    }
}

/// The document as the import reads it: the long lists as places in the bytes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document<'a> {
    #[allow(dead_code)]
    schema: String,
    #[allow(dead_code)]
    version: u32,
    #[allow(dead_code)]
    exported_at: DateTime<Utc>,
    project: ExportProject,
    members: Bounded<ExportMember, MAX_MEMBERS>,
    sprints: Bounded<SprintIn, MAX_SPRINTS>,
    #[serde(borrow)]
    items: Bounded<&'a RawValue, MAX_ITEMS>,
    #[serde(borrow)]
    standup_notes: Bounded<&'a RawValue, MAX_NOTES>,
    #[serde(borrow)]
    reflections: Bounded<&'a RawValue, MAX_CARDS>,
    /// Absent in documents from before planning poker.
    #[serde(default)]
    poker_sessions: Bounded<crate::model::export::ExportPokerSession, MAX_POKER_SESSIONS>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SprintIn {
    name: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    increment_weeks: u8,
    increments: Bounded<IncrementIn, MAX_INCREMENTS_PER_SPRINT>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncrementIn {
    key: u32,
    number: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    state: IncrementState,
    started_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    committed_points: Option<i32>,
    commitment: Option<Bounded<Committed, MAX_COMMITMENT>>,
    report: Option<Report>,
}

/// One entry of an increment's commitment, as `start` records it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Committed {
    number: i32,
    points: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemIn<'a> {
    number: i32,
    kind: ItemKind,
    parent: Option<i32>,
    title: String,
    description: String,
    estimate: Option<u8>,
    assignee: Option<String>,
    state: ItemState,
    blocked: bool,
    blocked_reason: Option<String>,
    rank: i64,
    version: i32,
    creator: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    done_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    increment: Option<u32>,
    #[serde(borrow)]
    history: Bounded<EventIn<'a>, MAX_HISTORY_PER_ITEM>,
    #[serde(default)]
    comments: Bounded<ExportComment, MAX_COMMENTS_PER_ITEM>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventIn<'a> {
    actor: Option<String>,
    at: DateTime<Utc>,
    field: String,
    #[serde(borrow)]
    old: Option<&'a RawValue>,
    #[serde(borrow)]
    new: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CardIn {
    increment: u32,
    week: u8,
    kind: CardKind,
    body: String,
    author: Option<String>,
    group_name: Option<String>,
    position: i32,
    item: Option<i32>,
    created_at: DateTime<Utc>,
    votes: Bounded<String, MAX_MEMBERS>,
}

/// The place of a fault: `items[3]` and `title` give `items[3].title`.
fn join(at: &str, path: &str) -> String {
    if path.is_empty() || path == "." {
        at.to_owned()
    } else if at.is_empty() || path.starts_with('[') {
        format!("{at}{path}")
    } else {
        format!("{at}.{path}")
    }
}

/// Reads `bytes` as a `T`, naming the path of the first fault under `at`.
fn read<'a, T: Deserialize<'a>>(bytes: &'a [u8], at: &str) -> Result<T, AppError> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = join(at, &e.path().to_string());
        AppError::validation(
            if path.is_empty() { "document" } else { &path },
            e.into_inner(),
        )
    })
}

/// One element of a long list, read when it is needed.
fn element<'a, T: Deserialize<'a>>(raw: &'a RawValue, list: &str, n: usize) -> Result<T, AppError> {
    read(raw.get().as_bytes(), &format!("{list}[{n}]"))
}

/// Checks `schema` and `version` before the rest, so a document of another kind or version
/// is named as such rather than by its first unexpected field. This pass keeps nothing.
fn check_head(bytes: &[u8]) -> Result<(), AppError> {
    #[derive(Deserialize)]
    struct Head<'a> {
        #[serde(borrow)]
        schema: Option<&'a RawValue>,
        #[serde(borrow)]
        version: Option<&'a RawValue>,
    }
    let head: Head = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => AppError::validation(
            "document",
            format!("a Cadence project document is a JSON object with \"schema\": {SCHEMA:?}"),
        ),
        _ => AppError::Request(format!("the document is not valid JSON: {e}")),
    })?;
    let schema = head
        .schema
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
    match schema.as_deref() {
        Some(SCHEMA) => {}
        Some(other) => {
            return Err(AppError::validation(
                "schema",
                format!("{other:?} is not a Cadence project document ({SCHEMA:?})"),
            ))
        }
        None => {
            return Err(AppError::validation(
                "schema",
                format!("missing: a Cadence project document says \"schema\": {SCHEMA:?}"),
            ))
        }
    }
    match head
        .version
        .and_then(|raw| serde_json::from_str::<u64>(raw.get()).ok())
    {
        Some(v) if v == u64::from(VERSION) => Ok(()),
        Some(v) => Err(AppError::validation(
            "version",
            format!("version {v} is not supported: this server reads version {VERSION}"),
        )),
        None => Err(AppError::validation(
            "version",
            "missing: the document must say which version it is",
        )),
    }
}

/// Reads a document: JSON of the right schema and version, then the right shape, naming
/// the path of the first thing that is wrong.
fn parse(bytes: &[u8]) -> Result<Document<'_>, AppError> {
    check_head(bytes)?;
    read(bytes, "")
}

// --- checking ---------------------------------------------------------------------------

/// Faults by their place in the document, up to [`MAX_FAULTS`].
#[derive(Default)]
struct Faults(FieldErrors);

impl Faults {
    fn add(&mut self, at: &str, message: impl fmt::Display) {
        self.0.add(at, message);
    }

    fn full(&self) -> bool {
        self.0 .0.len() >= MAX_FAULTS
    }

    /// A fault reading an element: its messages join the others.
    fn absorb(&mut self, e: AppError) -> Result<(), AppError> {
        match e {
            AppError::Validation(errors) => {
                for (at, message) in errors.0 {
                    self.add(&at, message);
                }
                Ok(())
            }
            other => Err(other),
        }
    }

    fn done(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// What the check learned that the writing needs: which items are epics (written first).
struct Index {
    epics: Vec<bool>,
}

fn check_time(faults: &mut Faults, at: &str, time: Option<DateTime<Utc>>) {
    if let Some(t) = time {
        if let Err(e) = in_range(t.date_naive()) {
            faults.add(at, e);
        }
    }
}

fn check_sprints(doc: &Document, faults: &mut Faults) -> HashMap<u32, (NaiveDate, NaiveDate)> {
    let mut keys: HashMap<u32, (NaiveDate, NaiveDate)> = HashMap::new();
    for (s, sprint) in doc.sprints.iter().enumerate() {
        for (field, date) in [("starts_on", sprint.starts_on), ("ends_on", sprint.ends_on)] {
            if let Err(e) = in_range(date) {
                faults.add(&format!("sprints[{s}].{field}"), e);
            }
        }
        if crate::domain::sprint::SprintName::parse(&sprint.name).is_err() {
            faults.add(
                &format!("sprints[{s}].name"),
                "a sprint needs a name of 1–100 characters",
            );
        }
        if !(1..=crate::domain::sprint::MAX_INCREMENT_WEEKS).contains(&sprint.increment_weeks) {
            faults.add(
                &format!("sprints[{s}].increment_weeks"),
                format!(
                    "an increment lasts 1 to {} weeks",
                    crate::domain::sprint::MAX_INCREMENT_WEEKS
                ),
            );
        }
        for (i, inc) in sprint.increments.iter().enumerate() {
            let at = format!("sprints[{s}].increments[{i}]");
            if keys.insert(inc.key, (inc.starts_on, inc.ends_on)).is_some() {
                faults.add(
                    "sprints",
                    format!("two increments have the key {}", inc.key),
                );
            }
            check_increment(inc, &at, faults);
        }
    }
    keys
}

fn check_increment(inc: &IncrementIn, at: &str, faults: &mut Faults) {
    let mut dates_ok = true;
    for (field, date) in [("starts_on", inc.starts_on), ("ends_on", inc.ends_on)] {
        if let Err(e) = in_range(date) {
            faults.add(&format!("{at}.{field}"), e);
            dates_ok = false;
        }
    }
    if dates_ok {
        if inc.ends_on < inc.starts_on {
            faults.add(at, "ends before it starts");
        } else if (inc.ends_on - inc.starts_on).num_days() >= crate::domain::sprint::MAX_SPRINT_DAYS
        {
            faults.add(at, "an increment lasts at most two years");
        }
    }
    if !(1..=MAX_INCREMENT_NUMBER).contains(&inc.number) {
        faults.add(
            &format!("{at}.number"),
            format!("increments are numbered 1 to {MAX_INCREMENT_NUMBER}"),
        );
    }
    if let Some(p) = inc.committed_points {
        if !(0..=crate::domain::burndown::MAX_REPORT_POINTS as i32).contains(&p) {
            faults.add(
                &format!("{at}.committed_points"),
                format!(
                    "{p} is not between 0 and {}",
                    crate::domain::burndown::MAX_REPORT_POINTS
                ),
            );
        }
    }
    for (c, entry) in inc.commitment.iter().flat_map(|c| c.iter()).enumerate() {
        if !(1..=MAX_ITEM_NUMBER).contains(&entry.number) {
            faults.add(
                &format!("{at}.commitment[{c}].number"),
                format!("items are numbered 1 to {MAX_ITEM_NUMBER}"),
            );
            break;
        }
    }
    check_time(faults, &format!("{at}.started_at"), inc.started_at);
    check_time(faults, &format!("{at}.closed_at"), inc.closed_at);
    if let Some(Err(e)) = inc.report.as_ref().map(Report::check) {
        faults.add(&format!("{at}.report"), e);
    }
    let consistent = match inc.state {
        IncrementState::Planned => inc.started_at.is_none() && inc.closed_at.is_none(),
        IncrementState::Active => inc.started_at.is_some() && inc.closed_at.is_none(),
        IncrementState::Closed => {
            inc.started_at.is_some() && inc.closed_at.is_some() && inc.report.is_some()
        }
    };
    if !consistent {
        faults.add(at, "its state does not match its start, close and report");
    }
}

fn check_item(
    item: &ItemIn,
    n: usize,
    keys: &HashMap<u32, (NaiveDate, NaiveDate)>,
    faults: &mut Faults,
) {
    let at = |f: &str| format!("items[{n}].{f}");
    if let Err(e) = Title::parse(&item.title) {
        faults.add(&at("title"), e);
    }
    if let Err(e) = parse_description(&item.description) {
        faults.add(&at("description"), e);
    }
    if let Some(e) = item.estimate {
        if StoryPoints::parse_extended(e).is_err() {
            faults.add(
                &at("estimate"),
                format!("{e} is not on the Fibonacci scale"),
            );
        }
    }
    if item.parent.is_some() && item.kind == ItemKind::Epic {
        faults.add(&at("parent"), "an epic has no parent");
    }
    if (item.state == ItemState::Done) != item.done_at.is_some() {
        faults.add(&at("done_at"), "set exactly when the item is done");
    }
    if parse_blocked(item.blocked, item.blocked_reason.as_deref()).is_err()
        || (!item.blocked && item.blocked_reason.is_some())
    {
        faults.add(
            &at("blocked_reason"),
            "a reason goes with blocked items only",
        );
    }
    if !(1..=MAX_VERSION).contains(&item.version) {
        faults.add(&at("version"), format!("must be 1 to {MAX_VERSION}"));
    }
    if !(-MAX_RANK..=MAX_RANK).contains(&item.rank) {
        faults.add(&at("rank"), format!("a rank lies within ±{MAX_RANK}"));
    }
    if let Some(k) = item.increment {
        if !keys.contains_key(&k) {
            faults.add(&at("increment"), format!("no increment has key {k}"));
        }
    }
    for (field, time) in [
        ("created_at", Some(item.created_at)),
        ("updated_at", Some(item.updated_at)),
        ("done_at", item.done_at),
        ("deleted_at", item.deleted_at),
    ] {
        check_time(faults, &at(field), time);
    }
    for (c, comment) in item.comments.iter().enumerate() {
        let here = |f: &str| at(&format!("comments[{c}].{f}"));
        for (field, time) in [
            ("created_at", Some(comment.created_at)),
            ("edited_at", comment.edited_at),
            ("deleted_at", comment.deleted_at),
        ] {
            check_time(faults, &here(field), time);
        }
        match comment.deleted_at {
            Some(_) if !comment.body.is_empty() => {
                faults.add(&here("body"), "a deleted comment has no text")
            }
            Some(_) => {}
            None => {
                if let Err(e) = CommentBody::parse(&comment.body) {
                    faults.add(&here("body"), e);
                }
            }
        }
    }
    // Each history row must hold a change as the history records it (the document names
    // increments by key and people by email; the ids are filled in on import).
    for (h, event) in item.history.iter().enumerate() {
        let here = at(&format!("history[{h}]"));
        check_time(faults, &here, Some(event.at));
        let long = [event.old, event.new]
            .into_iter()
            .flatten()
            .any(|raw| raw.get().len() > MAX_HISTORY_VALUE_BYTES);
        if long {
            faults.add(
                &here,
                format!("a history value is at most {MAX_HISTORY_VALUE_BYTES} bytes of JSON"),
            );
            return;
        }
        let value = |raw: Option<&RawValue>| {
            raw.map(|r| serde_json::from_str::<Value>(r.get()))
                .transpose()
        };
        match (value(event.old), value(event.new)) {
            (Ok(old), Ok(new)) => {
                if let Err(e) = Change::from_stored(&event.field, old.as_ref(), new.as_ref()) {
                    faults.add(&here, e);
                }
            }
            (Err(e), _) | (_, Err(e)) => faults.add(&here, e),
        }
        if faults.full() {
            return;
        }
    }
}

/// Reads every item once, checking it; what the writing needs is kept, the items are not.
fn check_items(
    doc: &Document,
    keys: &HashMap<u32, (NaiveDate, NaiveDate)>,
    faults: &mut Faults,
) -> Result<(Vec<bool>, HashSet<i32>), AppError> {
    let mut epics = Vec::with_capacity(doc.items.len());
    let mut numbers: HashSet<i32> = HashSet::with_capacity(doc.items.len());
    let mut epic_numbers: HashSet<i32> = HashSet::new();
    // (index, parent number) of every child, checked once all epics are known.
    let mut parents: Vec<(u32, i32)> = Vec::new();
    for (n, raw) in doc.items.iter().enumerate() {
        if faults.full() {
            break;
        }
        let item: ItemIn = match element(raw, "items", n) {
            Ok(item) => item,
            Err(e) => {
                faults.absorb(e)?;
                epics.push(false);
                continue;
            }
        };
        if !(1..=MAX_ITEM_NUMBER).contains(&item.number) {
            faults.add(
                &format!("items[{n}].number"),
                format!(
                    "#{} is out of range: items are numbered 1 to {MAX_ITEM_NUMBER}",
                    item.number
                ),
            );
        } else if !numbers.insert(item.number) {
            faults.add(
                &format!("items[{n}].number"),
                format!("#{} appears twice", item.number),
            );
        }
        epics.push(item.kind == ItemKind::Epic);
        if item.kind == ItemKind::Epic {
            epic_numbers.insert(item.number);
        }
        if let (Some(p), false) = (item.parent, item.kind == ItemKind::Epic) {
            parents.push((n as u32, p));
        }
        check_item(&item, n, keys, faults);
    }
    for (n, p) in parents {
        if !epic_numbers.contains(&p) {
            faults.add(
                &format!("items[{n}].parent"),
                format!("#{p} is not an epic in the document"),
            );
        }
        if faults.full() {
            break;
        }
    }
    Ok((epics, numbers))
}

fn check_notes(doc: &Document, faults: &mut Faults) -> Result<(), AppError> {
    for (n, raw) in doc.standup_notes.iter().enumerate() {
        if faults.full() {
            break;
        }
        let note: ExportNote = match element(raw, "standup_notes", n) {
            Ok(note) => note,
            Err(e) => {
                faults.absorb(e)?;
                continue;
            }
        };
        if let Err(e) = in_range(note.day) {
            faults.add(&format!("standup_notes[{n}].day"), e);
        }
        check_time(
            faults,
            &format!("standup_notes[{n}].updated_at"),
            Some(note.updated_at),
        );
    }
    Ok(())
}

fn check_cards(
    doc: &Document,
    keys: &HashMap<u32, (NaiveDate, NaiveDate)>,
    numbers: &HashSet<i32>,
    faults: &mut Faults,
) -> Result<(), AppError> {
    // Cards and group names per board (increment key, week): counted, never compared pairwise.
    let mut boards: HashMap<(u32, u8), (usize, HashSet<String>)> = HashMap::new();
    for (c, raw) in doc.reflections.iter().enumerate() {
        if faults.full() {
            break;
        }
        let card: CardIn = match element(raw, "reflections", c) {
            Ok(card) => card,
            Err(e) => {
                faults.absorb(e)?;
                continue;
            }
        };
        let at = |f: &str| format!("reflections[{c}].{f}");
        match keys.get(&card.increment) {
            None => faults.add(
                &at("increment"),
                format!("no increment has key {}", card.increment),
            ),
            Some(&(starts, ends)) => {
                let weeks = weeks_in(starts, ends);
                if !(1..=weeks).contains(&card.week) {
                    faults.add(&at("week"), format!("its increment has weeks 1 to {weeks}"));
                }
            }
        }
        if let Err(e) = parse_card(&card.body) {
            faults.add(&at("body"), e);
        }
        let board = boards.entry((card.increment, card.week)).or_default();
        board.0 += 1;
        if board.0 > MAX_CARDS_PER_BOARD {
            faults.add(
                &at("week"),
                format!("a board holds at most {MAX_CARDS_PER_BOARD} cards"),
            );
        }
        match card.group_name.as_deref().map(parse_group) {
            Some(Err(e)) => faults.add(&at("group_name"), e),
            Some(Ok(Some(group))) => {
                if board.1.insert(group) && board.1.len() > MAX_GROUPS_PER_BOARD {
                    faults.add(
                        &at("group_name"),
                        format!("a board has at most {MAX_GROUPS_PER_BOARD} groups"),
                    );
                }
            }
            _ => {}
        }
        if !(-MAX_POSITION..=MAX_POSITION).contains(&card.position) {
            faults.add(
                &at("position"),
                format!("a position lies between -{MAX_POSITION} and {MAX_POSITION}"),
            );
        }
        check_time(faults, &at("created_at"), Some(card.created_at));
        if let Some(n) = card.item {
            if !numbers.contains(&n) {
                faults.add(&at("item"), format!("there is no item #{n}"));
            }
        }
    }
    Ok(())
}

fn check_poker(
    doc: &Document,
    keys: &HashMap<u32, (NaiveDate, NaiveDate)>,
    numbers: &HashSet<i32>,
    faults: &mut Faults,
) {
    for (s, session) in doc.poker_sessions.iter().enumerate() {
        if faults.full() {
            break;
        }
        let at = |f: &str| format!("poker_sessions[{s}].{f}");
        if let Some(key) = session.increment {
            if !keys.contains_key(&key) {
                faults.add(&at("increment"), format!("no increment has key {key}"));
            }
        }
        check_time(faults, &at("started_at"), Some(session.started_at));
        check_time(faults, &at("ended_at"), session.ended_at);
        if let Some(secs) = session.countdown_secs {
            if !(5..=600).contains(&secs) {
                faults.add(
                    &at("countdown_secs"),
                    "a countdown is between 5 and 600 seconds",
                );
            }
        }
        if session.items.len() > crate::service::poker::MAX_QUEUE {
            faults.add(
                &at("items"),
                format!(
                    "at most {} items in one session",
                    crate::service::poker::MAX_QUEUE
                ),
            );
        }
        let mut seen = HashSet::new();
        for (i, item) in session.items.iter().enumerate() {
            let at = |f: &str| format!("poker_sessions[{s}].items[{i}].{f}");
            if !numbers.contains(&item.item) {
                faults.add(&at("item"), format!("there is no item #{}", item.item));
            } else if !seen.insert(item.item) {
                faults.add(&at("item"), format!("#{} is in the queue twice", item.item));
            }
            match item.outcome.as_deref() {
                None | Some("accepted") | Some("skipped") => {}
                Some(_) => faults.add(&at("outcome"), "accepted, skipped or none"),
            }
            if item
                .points
                .is_some_and(|p| crate::domain::points::StoryPoints::parse_extended(p).is_err())
            {
                faults.add(&at("points"), "points are a Fibonacci value from 0 to 89");
            }
        }
    }
}

/// The checks the database would otherwise make with less helpful words, stopping after
/// the first [`MAX_FAULTS`] faults.
fn check(doc: &Document) -> Result<Index, AppError> {
    let mut faults = Faults::default();
    if let Err(e) = ProjectName::parse(&doc.project.name) {
        faults.add("project.name", e);
    }
    if let Err(AppError::Validation(e)) =
        crate::service::projects::validate_settings(&doc.project.settings)
    {
        for (field, message) in e.0 {
            faults.add(&format!("project.settings.{field}"), message);
        }
    }
    for (m, member) in doc.members.iter().enumerate() {
        if let Err(e) = Email::parse(&member.email) {
            faults.add(&format!("members[{m}].email"), e);
        }
    }
    let increments = check_sprints(doc, &mut faults);
    let (epics, numbers) = check_items(doc, &increments, &mut faults)?;
    check_notes(doc, &mut faults)?;
    check_cards(doc, &increments, &numbers, &mut faults)?;
    check_poker(doc, &increments, &numbers, &mut faults);
    faults.done()?;
    Ok(Index { epics })
}

// --- writing ----------------------------------------------------------------------------

/// History values back from the document: increment keys become the new ids; a person
/// keeps the id of their account only when it is the importer.
pub(super) fn import_value(
    field: &str,
    value: Option<Value>,
    increments: &HashMap<u32, i64>,
    importer: &Caller,
) -> Option<Value> {
    match (field, value) {
        ("increment", Some(Value::Object(mut o))) => {
            let id = o
                .remove("key")
                .and_then(|k| k.as_u64())
                .and_then(|k| u32::try_from(k).ok())
                .and_then(|k| increments.get(&k).copied());
            o.insert("id".into(), json!(id));
            Some(Value::Object(o))
        }
        ("assignee", Some(Value::Object(mut o))) => {
            let id = o
                .get("email")
                .and_then(Value::as_str)
                .filter(|e| is_importer(importer, e))
                .map(|_| importer.id);
            o.insert("id".into(), json!(id));
            Some(Value::Object(o))
        }
        (_, v) => v,
    }
}

pub(super) fn normalize(email: &str) -> String {
    Email::parse(email)
        .map(|e| e.normalized())
        .unwrap_or_else(|_| email.trim().to_lowercase())
}

fn is_importer(importer: &Caller, email: &str) -> bool {
    normalize(email) == normalize(&importer.email)
}

/// A constraint the document broke becomes a validation error (the transaction is rolled
/// back, so nothing is written). The constraint's name is logged, not sent: database text
/// stays on the server.
pub(super) fn broke(e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(db) if db.constraint().is_some() => {
            tracing::warn!(constraint = ?db.constraint(), "import refused by a constraint");
            AppError::validation(
                "document",
                "the document is not consistent (an item, increment or card contradicts \
                 another part of it); nothing was imported",
            )
        }
        _ => e.into(),
    }
}

/// Everyone the document lists as a member besides the importer, by normalised email, with
/// the role it gives them (the first mention counts).
fn named_members(doc: &Document, importer: &Caller) -> Vec<(String, Role)> {
    let mut seen = HashSet::new();
    doc.members
        .iter()
        .filter(|m| !is_importer(importer, &m.email))
        .filter_map(|m| {
            let email = normalize(&m.email);
            seen.insert(email.clone()).then_some((email, m.role))
        })
        .collect()
}

/// Pending invitations for the named people who have accounts here.
async fn invite(
    tx: &mut sqlx::PgConnection,
    project_id: Uuid,
    importer: &Caller,
    named: &[(String, Role)],
) -> Result<(), AppError> {
    let emails: Vec<String> = named.iter().map(|(e, _)| e.clone()).collect();
    let accounts: HashMap<String, Uuid> =
        db::users_by_email(tx, &emails).await?.into_iter().collect();
    let (mut users, mut roles) = (Vec::new(), Vec::new());
    for (email, role) in named {
        if let Some(&id) = accounts.get(email) {
            users.push(id);
            roles.push(role.as_str().to_owned());
        }
    }
    projects_db::invite_many(tx, project_id, importer.id, &users, &roles).await?;
    Ok(())
}

async fn write_sprints(
    tx: &mut sqlx::PgConnection,
    pid: Uuid,
    doc: &Document<'_>,
) -> Result<HashMap<u32, i64>, AppError> {
    let mut increments: HashMap<u32, i64> = HashMap::new();
    for sprint in doc.sprints.iter() {
        let sprint_id = crate::db::sprints::insert_sprint(
            tx,
            pid,
            sprint.name.trim(),
            sprint.starts_on,
            sprint.ends_on,
            i16::from(sprint.increment_weeks),
        )
        .await
        .map_err(broke)?;
        for inc in sprint.increments.iter() {
            let commitment = inc.commitment.as_ref().map(|list| {
                json!(list
                    .iter()
                    .map(|c| json!({"number": c.number, "points": c.points}))
                    .collect::<Vec<_>>())
            });
            let id = db::insert_increment(
                tx,
                pid,
                sprint_id,
                inc.number,
                inc.starts_on,
                inc.ends_on,
                inc.state.as_str(),
                inc.started_at,
                inc.closed_at,
                inc.committed_points,
                commitment,
                inc.report
                    .as_ref()
                    .map(serde_json::to_value)
                    .transpose()
                    .map_err(|e| AppError::internal("export", e))?,
            )
            .await
            .map_err(broke)?;
            increments.insert(inc.key, id);
        }
    }
    Ok(increments)
}

/// Writes one batch of items and then their history.
async fn write_batch(
    tx: &mut sqlx::PgConnection,
    pid: Uuid,
    importer: &Caller,
    batch: &[ItemIn<'_>],
    ids: &mut HashMap<i32, Uuid>,
    increments: &HashMap<u32, i64>,
) -> Result<(), AppError> {
    let mine = |email: Option<&str>| {
        email
            .filter(|e| is_importer(importer, e))
            .map(|_| importer.id)
    };
    let mut rows = Vec::with_capacity(batch.len());
    for item in batch {
        let id = Uuid::now_v7();
        ids.insert(item.number, id);
        rows.push(ItemImport {
            id,
            number: item.number,
            kind: item.kind.as_str(),
            parent_id: item.parent.and_then(|p| ids.get(&p).copied()),
            title: item.title.trim(),
            description: &item.description,
            estimate: item.estimate.map(i16::from),
            assignee_id: mine(item.assignee.as_deref()),
            state: item.state.as_str(),
            blocked: item.blocked,
            blocked_reason: item.blocked_reason.as_deref(),
            rank: item.rank,
            version: item.version,
            creator_id: mine(item.creator.as_deref()),
            created_at: item.created_at,
            updated_at: item.updated_at,
            done_at: item.done_at,
            deleted_at: item.deleted_at,
            increment_id: item.increment.and_then(|k| increments.get(&k).copied()),
        });
    }
    db::insert_items(tx, pid, &rows).await.map_err(broke)?;
    let (mut items, mut actors, mut ats, mut fields, mut olds, mut news) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let value = |raw: Option<&RawValue>| -> Result<Option<Value>, AppError> {
        raw.map(|r| serde_json::from_str(r.get()))
            .transpose()
            .map_err(|e| AppError::internal("checked history value unreadable", e))
    };
    for (item, row) in batch.iter().zip(&rows) {
        for e in item.history.iter() {
            items.push(row.id);
            actors.push(mine(e.actor.as_deref()));
            ats.push(e.at);
            fields.push(e.field.clone());
            olds.push(import_value(&e.field, value(e.old)?, increments, importer));
            news.push(import_value(&e.field, value(e.new)?, increments, importer));
        }
    }
    if !items.is_empty() {
        db::insert_events(tx, pid, &items, &actors, &ats, &fields, &olds, &news)
            .await
            .map_err(broke)?;
    }
    // Comments: the importer's keep their author and mentions of the importer become
    // mentions again; anyone else's are nobody's, and their addresses stay text.
    let mut stored = Vec::new();
    for (item, row) in batch.iter().zip(&rows) {
        for c in item.comments.iter() {
            let body = match c.deleted_at {
                Some(_) => String::new(),
                None => {
                    let body = CommentBody::parse(&c.body)
                        .map_err(|e| AppError::internal("checked comment unreadable", e))?;
                    let mentions = store_mentions(body.as_str(), |email| {
                        is_importer(importer, email).then_some(importer.id)
                    });
                    // Stored mentions are longer than short addresses: past the limit, the
                    // text stays as written.
                    if CommentBody::parse(&mentions).is_ok() {
                        mentions
                    } else {
                        body.as_str().to_owned()
                    }
                }
            };
            stored.push((row.id, mine(c.author.as_deref()), body, c));
        }
    }
    if !stored.is_empty() {
        let comments: Vec<db::CommentImport> = stored
            .iter()
            .map(|(item_id, author_id, body, c)| db::CommentImport {
                item_id: *item_id,
                author_id: *author_id,
                body,
                created_at: c.created_at,
                edited_at: c.edited_at,
                deleted_at: c.deleted_at,
            })
            .collect();
        db::insert_comments(tx, pid, &comments)
            .await
            .map_err(broke)?;
    }
    Ok(())
}

/// Epics first, so children can name them; a batch of items and then their history per
/// statement. Items are read again from the bytes, a batch at a time.
async fn write_items(
    tx: &mut sqlx::PgConnection,
    pid: Uuid,
    importer: &Caller,
    doc: &Document<'_>,
    index: &Index,
    increments: &HashMap<u32, i64>,
) -> Result<HashMap<i32, Uuid>, AppError> {
    let mut ids: HashMap<i32, Uuid> = HashMap::with_capacity(doc.items.len());
    for epics in [true, false] {
        let mut batch: Vec<ItemIn> = Vec::with_capacity(IMPORT_BATCH);
        let mut bytes = 0;
        let chosen = doc
            .items
            .iter()
            .enumerate()
            .filter(|(n, _)| index.epics[*n] == epics);
        for (n, raw) in chosen {
            batch.push(element(raw, "items", n)?);
            bytes += raw.get().len();
            if batch.len() == IMPORT_BATCH || bytes >= BATCH_BYTES {
                write_batch(tx, pid, importer, &batch, &mut ids, increments).await?;
                batch.clear();
                bytes = 0;
            }
        }
        if !batch.is_empty() {
            write_batch(tx, pid, importer, &batch, &mut ids, increments).await?;
        }
    }
    db::finish_items(tx, pid).await?;
    Ok(ids)
}

/// The importer's own stand-up notes (nobody else's: nothing is attributed to them).
async fn write_notes(
    tx: &mut sqlx::PgConnection,
    pid: Uuid,
    importer: &Caller,
    doc: &Document<'_>,
) -> Result<(), AppError> {
    for (n, raw) in doc.standup_notes.iter().enumerate() {
        let note: ExportNote = element(raw, "standup_notes", n)?;
        if is_importer(importer, &note.email) {
            db::insert_note(
                tx,
                pid,
                importer.id,
                note.day,
                &note.yesterday,
                &note.today,
                &note.blockers,
                note.updated_at,
            )
            .await
            .map_err(broke)?;
        }
    }
    Ok(())
}

/// Reflection cards; their author and votes only when they are the importer's.
async fn write_cards(
    tx: &mut sqlx::PgConnection,
    pid: Uuid,
    importer: &Caller,
    doc: &Document<'_>,
    increments: &HashMap<u32, i64>,
    ids: &HashMap<i32, Uuid>,
) -> Result<(), AppError> {
    for (c, raw) in doc.reflections.iter().enumerate() {
        let card: CardIn = element(raw, "reflections", c)?;
        let group = card
            .group_name
            .as_deref()
            .map(parse_group)
            .transpose()
            .map_err(|e| AppError::validation(&format!("reflections[{c}].group_name"), e))?
            .flatten();
        let id = db::insert_card(
            tx,
            &CardImport {
                project_id: pid,
                increment_id: increments
                    .get(&card.increment)
                    .copied()
                    .ok_or_else(|| AppError::broken("checked increment key missing"))?,
                week: i16::from(card.week),
                kind: card.kind.as_str(),
                body: card.body.trim(),
                author_id: card
                    .author
                    .as_deref()
                    .filter(|e| is_importer(importer, e))
                    .map(|_| importer.id),
                group_name: group.as_deref(),
                position: card.position,
                item_id: card.item.and_then(|n| ids.get(&n).copied()),
                created_at: card.created_at,
            },
        )
        .await
        .map_err(broke)?;
        if card.votes.iter().any(|e| is_importer(importer, e)) {
            db::insert_votes(tx, id, &[importer.id])
                .await
                .map_err(broke)?;
        }
    }
    Ok(())
}

/// Planning poker sessions: ended, started by the importer, with their frozen summaries.
async fn write_poker(
    tx: &mut sqlx::PgConnection,
    pid: Uuid,
    importer: &Caller,
    doc: &Document<'_>,
    increments: &HashMap<u32, i64>,
    ids: &HashMap<i32, Uuid>,
) -> Result<(), AppError> {
    for session in doc.poker_sessions.iter() {
        let items: Vec<Uuid> = session
            .items
            .iter()
            .map(|i| {
                ids.get(&i.item)
                    .copied()
                    .ok_or_else(|| AppError::broken("checked item missing"))
            })
            .collect::<Result<_, _>>()?;
        let outcomes: Vec<Option<String>> =
            session.items.iter().map(|i| i.outcome.clone()).collect();
        let points: Vec<Option<i16>> = session
            .items
            .iter()
            .map(|i| i.points.map(i16::from))
            .collect();
        let summary = serde_json::to_value(&session.summary)
            .map_err(|e| AppError::internal("summary unwritable", e))?;
        crate::db::poker::insert_imported(
            tx,
            crate::db::poker::ImportedSession {
                project_id: pid,
                increment_id: session.increment.and_then(|k| increments.get(&k).copied()),
                started_by: importer.id,
                started_at: session.started_at,
                ended_at: session.ended_at.unwrap_or(importer.clock.now()),
                countdown_secs: session.countdown_secs,
                summary: &summary,
                items: &items,
                outcomes: &outcomes,
                points: &points,
            },
        )
        .await
        .map_err(broke)?;
    }
    Ok(())
}

/// Creates a new project from a document's bytes; the caller is its owner, and everyone
/// else it lists as a member is invited. All or nothing.
#[tracing::instrument(skip(pool, caller, bytes), fields(bytes = bytes.len()), err(level = "info"))]
pub async fn import(
    pool: &PgPool,
    caller: Option<&Caller>,
    bytes: &[u8],
) -> Result<Imported, AppError> {
    let caller = signed_in(caller)?;
    let doc = parse(bytes)?;
    let index = check(&doc)?;
    let name = ProjectName::parse(&doc.project.name)
        .map_err(|e| AppError::validation("project.name", e))?;
    let settings = crate::service::projects::validate_settings(&doc.project.settings)?;
    let named = named_members(&doc, caller);

    let mut tx = pool.begin().await?;
    let project = crate::service::projects::insert_unique(&mut tx, &name).await?;
    let pid = project.id;
    projects_db::add_member(&mut tx, pid, caller.id, Role::Owner.as_str()).await?;
    invite(&mut tx, pid, caller, &named).await?;
    crate::service::projects::write_settings(&mut tx, pid, &settings).await?;
    if doc.project.archived {
        db::set_archived(&mut tx, pid, caller.clock.now()).await?;
    }
    let increments = write_sprints(&mut tx, pid, &doc).await?;
    // A document may give two items one rank (written by hand, or exported before ranks
    // were unique): they are renumbered in order, ties in the document's order, before the
    // uniqueness is checked at the end of the transaction.
    items_db::defer_rank_check(&mut tx).await?;
    let ids = write_items(&mut tx, pid, caller, &doc, &index, &increments).await?;
    if items_db::ranks_shared(&mut tx, pid).await? {
        items_db::spread(&mut tx, pid).await?;
    }
    write_notes(&mut tx, pid, caller, &doc).await?;
    write_cards(&mut tx, pid, caller, &doc, &increments, &ids).await?;
    write_poker(&mut tx, pid, caller, &doc, &increments, &ids).await?;
    tx.commit().await?;
    Ok(Imported {
        slug: project.slug,
        name: project.name,
        items: doc.items.len(),
        members_invited: named.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_longer_than_its_maximum_is_refused_where_it_is() {
        let json = br#"{"list": [1, 2, 3, 4]}"#;
        #[derive(Deserialize)]
        struct Doc {
            #[allow(dead_code)]
            list: Bounded<u8, 3>,
        }
        let err = read::<Doc>(json, "").err().unwrap();
        let message = err.field("list").unwrap();
        assert!(message.contains("at most 3"), "{message}");
        assert_eq!(
            read::<Doc>(br#"{"list": [1, 2, 3]}"#, "").map(|d| d.list.len()),
            Ok(3)
        );
    }

    #[test]
    fn faults_are_named_by_their_place() {
        assert_eq!(join("items[3]", "title"), "items[3].title");
        assert_eq!(join("items[3]", "."), "items[3]");
        assert_eq!(join("items[3]", "history[0].at"), "items[3].history[0].at");
        assert_eq!(join("", "project.name"), "project.name");
    }
}
