//! Importing a document as a new project: parsed with the path of any fault, checked
//! whole before anything is written, then written in one transaction (all or nothing).

use super::*;
use crate::domain::calendar::in_range;
use crate::domain::history::Change;

/// Items written per statement on import (with their history in one more).
const IMPORT_BATCH: usize = 1000;

/// Reads a document: JSON of the right schema and version, then the right shape, naming
/// the path of the first thing that is wrong.
pub fn parse_document(bytes: &[u8]) -> Result<ExportDoc, AppError> {
    // A first pass reads only these two fields (the rest is skipped, not kept), so a large
    // document is held in memory once, as the typed document, and never as a JSON tree.
    #[derive(serde::Deserialize)]
    struct Head {
        schema: Option<Value>,
        version: Option<Value>,
    }
    let head: Head = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => AppError::validation(
            "document",
            format!("a Cadence project document is a JSON object with \"schema\": {SCHEMA:?}"),
        ),
        _ => AppError::Request(format!("the document is not valid JSON: {e}")),
    })?;
    match head.schema.as_ref().and_then(Value::as_str) {
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
    match head.version.as_ref().and_then(Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(AppError::validation(
                "version",
                format!("version {v} is not supported: this server reads version {VERSION}"),
            ))
        }
        None => {
            return Err(AppError::validation(
                "version",
                "missing: the document must say which version it is",
            ))
        }
    }
    let mut json = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let path = e.path().to_string();
        AppError::validation(
            if path.is_empty() || path == "." {
                "document"
            } else {
                &path
            },
            e.into_inner(),
        )
    })
}

/// The checks the database would otherwise make with less helpful words.
pub(super) fn check(doc: &ExportDoc) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    if let Err(e) = ProjectName::parse(&doc.project.name) {
        errors.add("project.name", e);
    }
    if let Err(AppError::Validation(e)) =
        crate::service::projects::validate_settings(&doc.project.settings)
    {
        for (field, message) in e.0 {
            errors.add(&format!("project.settings.{field}"), message);
        }
    }
    let mut keys: HashSet<u32> = HashSet::new();
    for inc in doc.sprints.iter().flat_map(|s| s.increments.iter()) {
        if !keys.insert(inc.key) {
            errors.add(
                "sprints",
                format!("two increments have the key {}", inc.key),
            );
        }
    }
    for (s, sprint) in doc.sprints.iter().enumerate() {
        for (field, date) in [("starts_on", sprint.starts_on), ("ends_on", sprint.ends_on)] {
            if let Err(e) = in_range(date) {
                errors.add(&format!("sprints[{s}].{field}"), e);
            }
        }
        for (i, inc) in sprint.increments.iter().enumerate() {
            for (field, date) in [("starts_on", inc.starts_on), ("ends_on", inc.ends_on)] {
                if let Err(e) = in_range(date) {
                    errors.add(&format!("sprints[{s}].increments[{i}].{field}"), e);
                }
            }
        }
        if crate::domain::sprint::SprintName::parse(&sprint.name).is_err() {
            errors.add(
                &format!("sprints[{s}].name"),
                "a sprint needs a name of 1–100 characters",
            );
        }
        for (i, inc) in sprint.increments.iter().enumerate() {
            let at = format!("sprints[{s}].increments[{i}]");
            if inc.ends_on < inc.starts_on {
                errors.add(&at, "ends before it starts");
            } else if (inc.ends_on - inc.starts_on).num_days()
                >= crate::domain::sprint::MAX_SPRINT_DAYS
            {
                errors.add(&at, "an increment lasts at most two years");
            }
            let consistent = match inc.state {
                IncrementState::Planned => inc.started_at.is_none() && inc.closed_at.is_none(),
                IncrementState::Active => inc.started_at.is_some() && inc.closed_at.is_none(),
                IncrementState::Closed => {
                    inc.started_at.is_some() && inc.closed_at.is_some() && inc.report.is_some()
                }
            };
            if !consistent {
                errors.add(&at, "its state does not match its start, close and report");
            }
        }
    }
    let epics: HashSet<i32> = doc
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Epic)
        .map(|i| i.number)
        .collect();
    let mut numbers = HashSet::new();
    for (n, item) in doc.items.iter().enumerate() {
        let at = |f: &str| format!("items[{n}].{f}");
        if item.number <= 0 || !numbers.insert(item.number) {
            errors.add(
                &at("number"),
                format!("#{} is not a new positive number", item.number),
            );
        }
        if let Err(e) = Title::parse(&item.title) {
            errors.add(&at("title"), e);
        }
        if let Err(e) = parse_description(&item.description) {
            errors.add(&at("description"), e);
        }
        if let Some(e) = item.estimate {
            if StoryPoints::parse_extended(e).is_err() {
                errors.add(
                    &at("estimate"),
                    format!("{e} is not on the Fibonacci scale"),
                );
            }
        }
        match item.parent {
            Some(_) if item.kind == ItemKind::Epic => {
                errors.add(&at("parent"), "an epic has no parent")
            }
            Some(p) if !epics.contains(&p) => errors.add(
                &at("parent"),
                format!("#{p} is not an epic in the document"),
            ),
            _ => {}
        }
        if (item.state == crate::domain::ItemState::Done) != item.done_at.is_some() {
            errors.add(&at("done_at"), "set exactly when the item is done");
        }
        if parse_blocked(item.blocked, item.blocked_reason.as_deref()).is_err()
            || (!item.blocked && item.blocked_reason.is_some())
        {
            errors.add(
                &at("blocked_reason"),
                "a reason goes with blocked items only",
            );
        }
        if item.version <= 0 {
            errors.add(&at("version"), "must be positive");
        }
        if let Some(k) = item.increment {
            if !keys.contains(&k) {
                errors.add(&at("increment"), format!("no increment has key {k}"));
            }
        }
        // Each history row must hold a change as the history records it (the document names
        // increments by key and people by email; the ids are filled in on import).
        for (h, event) in item.history.iter().enumerate() {
            if let Err(e) =
                Change::from_stored(&event.field, event.old.as_ref(), event.new.as_ref())
            {
                errors.add(&at(&format!("history[{h}]")), e);
            }
        }
    }
    for (n, note) in doc.standup_notes.iter().enumerate() {
        if let Err(e) = in_range(note.day) {
            errors.add(&format!("standup_notes[{n}].day"), e);
        }
    }
    for (c, card) in doc.reflections.iter().enumerate() {
        if !keys.contains(&card.increment) {
            errors.add(
                &format!("reflections[{c}].increment"),
                format!("no increment has key {}", card.increment),
            );
        }
        if let Err(e) = parse_card(&card.body) {
            errors.add(&format!("reflections[{c}].body"), e);
        }
        if card.week == 0 {
            errors.add(&format!("reflections[{c}].week"), "weeks count from 1");
        }
        if let Some(n) = card.item {
            if !numbers.contains(&n) {
                errors.add(
                    &format!("reflections[{c}].item"),
                    format!("there is no item #{n}"),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// History values back from the document: increment keys become the new ids, and people
/// get their ids from their email.
pub(super) fn import_value(
    field: &str,
    value: Option<Value>,
    increments: &HashMap<u32, i64>,
    users: &HashMap<String, Uuid>,
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
                .and_then(|e| users.get(&normalize(e)).copied());
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

/// Creates a new project from a document; the caller is its owner. All or nothing.
#[tracing::instrument(skip(pool, caller, doc), err(level = "info"))]
pub async fn import(
    pool: &PgPool,
    caller: Option<&Caller>,
    doc: &ExportDoc,
) -> Result<Imported, AppError> {
    let caller = signed_in(caller)?;
    check(doc)?;
    let name = ProjectName::parse(&doc.project.name)
        .map_err(|e| AppError::validation("project.name", e))?;
    let settings = crate::service::projects::validate_settings(&doc.project.settings)?;
    let mut tx = pool.begin().await?;

    let mut emails: Vec<String> = doc.members.iter().map(|m| normalize(&m.email)).collect();
    emails.extend(
        doc.items
            .iter()
            .filter_map(|i| i.assignee.as_deref())
            .map(normalize),
    );
    emails.extend(
        doc.items
            .iter()
            .filter_map(|i| i.creator.as_deref())
            .map(normalize),
    );
    emails.extend(
        doc.items
            .iter()
            .flat_map(|i| i.history.iter().filter_map(|e| e.actor.as_deref()))
            .map(normalize),
    );
    emails.extend(doc.standup_notes.iter().map(|n| normalize(&n.email)));
    emails.extend(
        doc.reflections
            .iter()
            .flat_map(|c| c.author.iter().chain(c.votes.iter()))
            .map(|e| normalize(e)),
    );
    emails.sort();
    emails.dedup();
    let known: HashMap<String, Uuid> = db::users_by_email(&mut tx, &emails)
        .await?
        .into_iter()
        .collect();
    let account = |email: Option<&str>| email.and_then(|e| known.get(&normalize(e)).copied());

    let project = crate::service::projects::insert_unique(&mut tx, &name).await?;
    let pid = project.id;
    projects_db::add_member(&mut tx, pid, caller.id, Role::Owner.as_str()).await?;
    let mut skipped = Vec::new();
    let mut members: HashSet<Uuid> = HashSet::from([caller.id]);
    for m in &doc.members {
        match account(Some(&m.email)) {
            Some(id) if members.insert(id) => {
                projects_db::add_member(&mut tx, pid, id, m.role.as_str()).await?;
            }
            Some(_) => {}
            None => skipped.push(m.email.clone()),
        }
    }
    // People are named only when they are members of the new project (the importer and the
    // members the document lists): nobody else is made the author of anything.
    let user = |email: Option<&str>| account(email).filter(|u| members.contains(u));
    crate::service::projects::write_settings(&mut tx, pid, &settings).await?;
    if doc.project.archived {
        db::set_archived(&mut tx, pid, caller.clock.now()).await?;
    }

    let mut increments: HashMap<u32, i64> = HashMap::new();
    for sprint in &doc.sprints {
        let sprint_id = crate::db::sprints::insert_sprint(
            &mut tx,
            pid,
            sprint.name.trim(),
            sprint.starts_on,
            sprint.ends_on,
            i16::from(sprint.increment_weeks),
        )
        .await
        .map_err(broke)?;
        for inc in &sprint.increments {
            let id = db::insert_increment(
                &mut tx,
                pid,
                sprint_id,
                inc.number,
                inc.starts_on,
                inc.ends_on,
                inc.state.as_str(),
                inc.started_at,
                inc.closed_at,
                inc.committed_points,
                inc.commitment.clone(),
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

    // Epics first, so children can name them; a batch of items and then their history per
    // statement.
    let mut ids: HashMap<i32, Uuid> = HashMap::new();
    let (epics, others): (Vec<&ExportItem>, Vec<&ExportItem>) =
        doc.items.iter().partition(|i| i.kind == ItemKind::Epic);
    for group in [epics, others] {
        for batch in group.chunks(IMPORT_BATCH) {
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
                    assignee_id: user(item.assignee.as_deref()),
                    state: item.state.as_str(),
                    blocked: item.blocked,
                    blocked_reason: item.blocked_reason.as_deref(),
                    rank: item.rank,
                    version: item.version,
                    creator_id: user(item.creator.as_deref()),
                    created_at: item.created_at,
                    updated_at: item.updated_at,
                    done_at: item.done_at,
                    deleted_at: item.deleted_at,
                    increment_id: item.increment.and_then(|k| increments.get(&k).copied()),
                });
            }
            db::insert_items(&mut tx, pid, &rows).await.map_err(broke)?;
            let (mut items, mut actors, mut ats, mut fields, mut olds, mut news) =
                (vec![], vec![], vec![], vec![], vec![], vec![]);
            for (item, row) in batch.iter().zip(&rows) {
                for e in &item.history {
                    items.push(row.id);
                    actors.push(user(e.actor.as_deref()));
                    ats.push(e.at);
                    fields.push(e.field.clone());
                    olds.push(import_value(&e.field, e.old.clone(), &increments, &known));
                    news.push(import_value(&e.field, e.new.clone(), &increments, &known));
                }
            }
            if items.is_empty() {
                continue;
            }
            db::insert_events(&mut tx, pid, &items, &actors, &ats, &fields, &olds, &news)
                .await
                .map_err(broke)?;
        }
    }
    db::finish_items(&mut tx, pid).await?;

    for note in &doc.standup_notes {
        if let Some(uid) = user(Some(&note.email)) {
            db::insert_note(
                &mut tx,
                pid,
                uid,
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
    for card in &doc.reflections {
        let id = db::insert_card(
            &mut tx,
            &CardImport {
                project_id: pid,
                increment_id: increments
                    .get(&card.increment)
                    .copied()
                    .ok_or_else(|| AppError::broken("checked increment key missing"))?,
                week: i16::from(card.week),
                kind: card.kind.as_str(),
                body: card.body.trim(),
                author_id: user(card.author.as_deref()),
                group_name: card.group_name.as_deref(),
                position: card.position,
                item_id: card.item.and_then(|n| ids.get(&n).copied()),
                created_at: card.created_at,
            },
        )
        .await
        .map_err(broke)?;
        let voters: Vec<Uuid> = card.votes.iter().filter_map(|e| user(Some(e))).collect();
        if !voters.is_empty() {
            db::insert_votes(&mut tx, id, &voters)
                .await
                .map_err(broke)?;
        }
    }
    tx.commit().await?;
    Ok(Imported {
        slug: project.slug,
        name: project.name,
        items: doc.items.len(),
        skipped_members: skipped,
    })
}
