//! The DevOps loop: integrations (a project's CI and code host) and the deliveries they
//! send. A failed pipeline files a bug at the top of the backlog (further failures of the
//! same pipeline and branch count on it while it is open; the first green run says "passing
//! again" and, per the setting, moves it to done); commits and pull requests that mention
//! `#12` are linked to item 12, and "fixes #12" on a counted branch moves it to done.
//!
//! The owner's side goes through [`access`] like every project operation. A delivery has no
//! caller: it proves itself with its integration's secret, by the provider's own scheme and
//! in constant time, before anything is read or written but the record of the attempt.

use super::access;
use super::items::{insert_at_top, set_state_for_integration, AtTop};
use crate::auth::{digest, new_hook_secret, Caller};
use crate::clock::Clock;
use crate::db::hooks::{self as db, IntegrationRow, Kept, NewDelivery, NewLink};
use crate::db::items as items_db;
use crate::domain::history::{Change, CiNote, LinkNote};
use crate::domain::hooks::{
    self as rules, branch_counts, markdown_text, Commit, Event, Provider, PullRequest, Push, Run,
    RunStatus,
};
use crate::domain::{Email, ItemKind, ItemState, Permission, Title};
use crate::error::{AppError, FieldErrors};
use crate::model::hooks::{
    CiOrigin, CiRun, Delivery, Integration, IntegrationSettings, ItemLink, WithSecret,
    RECENT_DELIVERIES,
};
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// The largest delivery read (the edge answers 413 beyond it, before reading).
pub const MAX_BODY: usize = 1024 * 1024;
/// How much of a body the record of deliveries keeps.
const KEPT_BODY: usize = 4096;
/// How many authentic deliveries are kept per integration (older ones are pruned).
const KEPT_DELIVERIES: i64 = 200;
/// How many attempts with a bad or missing secret are kept per integration, apart from the
/// authentic deliveries: anyone who knows the address can send them.
const KEPT_REFUSED: i64 = 20;
/// How many runs a CI bug lists.
const KEPT_RUNS: usize = 10;

// --- the owner's side --------------------------------------------------------------------

fn secret_hint(secret: &str) -> String {
    secret[secret.len().saturating_sub(4)..].to_owned()
}

fn keep(provider: Provider, secret: &str) -> (Option<String>, Option<[u8; 32]>) {
    if provider.signs_bodies() {
        (Some(secret.to_owned()), None)
    } else {
        (None, Some(digest(secret)))
    }
}

fn kept<'a>(key: &'a Option<String>, hash: &'a Option<[u8; 32]>) -> Result<Kept<'a>, AppError> {
    match (key, hash) {
        (Some(key), _) => Ok(Kept::HmacKey(key)),
        (_, Some(hash)) => Ok(Kept::TokenHash(hash)),
        _ => Err(AppError::broken("a secret is kept one way or the other")),
    }
}

fn to_integration(row: IntegrationRow, deliveries: Vec<Delivery>) -> Integration {
    let label = Provider::parse(&row.provider)
        .map(|p| p.label().to_owned())
        .unwrap_or_else(|_| row.provider.clone());
    Integration {
        path: format!("/hooks/{}", row.id),
        id: row.id,
        provider: row.provider,
        provider_label: label,
        name: row.name,
        secret_hint: row.secret_hint,
        branches: row.branches,
        close_on_fixes: row.close_on_fixes,
        done_on_green: row.done_on_green,
        created_by: row.created_by,
        created_at: row.created_at,
        deliveries,
    }
}

fn parse_name(name: &str, errors: &mut FieldErrors) -> Option<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        errors.add(
            "name",
            "a name of 1 to 80 characters, such as the repository's",
        );
        return None;
    }
    Some(name.to_owned())
}

/// The project's integrations with their latest deliveries. Owners only: the deliveries
/// hold what the providers sent.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn list(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<Vec<Integration>, AppError> {
    let access = access(pool, caller, slug, Permission::Administer).await?;
    let rows = db::integrations(pool, access.project.id).await?;
    let mut deliveries: HashMap<Uuid, Vec<Delivery>> = HashMap::new();
    for d in db::recent_deliveries(pool, access.project.id, RECENT_DELIVERIES).await? {
        deliveries
            .entry(d.integration_id)
            .or_default()
            .push(Delivery {
                delivery_id: d.delivery_id,
                event: d.event,
                at: d.at,
                accepted: d.accepted,
                outcome: d.outcome,
                error: d.error,
            });
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = deliveries.remove(&row.id).unwrap_or_default();
            to_integration(row, mine)
        })
        .collect())
}

/// A new integration, with its secret (shown this once).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn create(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    provider: &str,
    name: &str,
) -> Result<WithSecret, AppError> {
    let access = access(pool, caller, slug, Permission::Administer).await?;
    let mut errors = FieldErrors::default();
    let provider = Provider::parse(provider)
        .map_err(|e| errors.add("provider", e))
        .ok();
    let name = parse_name(name, &mut errors);
    let (Some(provider), Some(name)) = (provider, name) else {
        return Err(AppError::Validation(errors));
    };
    let secret = new_hook_secret();
    let (key, hash) = keep(provider, &secret);
    let kept = kept(&key, &hash)?;
    let mut tx = pool.begin().await?;
    let id = db::insert_integration(
        &mut tx,
        db::NewIntegration {
            project_id: access.project.id,
            provider: provider.as_str(),
            name: &name,
            secret: kept,
            secret_hint: &secret_hint(&secret),
            created_by: access.caller.id,
        },
    )
    .await?;
    let row = db::integration(&mut tx, id, false)
        .await?
        .ok_or_else(|| AppError::broken("new integration vanished"))?;
    tx.commit().await?;
    Ok(WithSecret {
        integration: to_integration(row, Vec::new()),
        secret,
    })
}

/// One of the project's integrations, locked for a change.
async fn owned(
    conn: &mut PgConnection,
    project_id: Uuid,
    id: Uuid,
) -> Result<IntegrationRow, AppError> {
    db::integration(conn, id, true)
        .await?
        .filter(|row| row.project_id == project_id)
        .ok_or(AppError::NotFound)
}

/// A new secret for an integration; the old one stops working at once.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn rotate(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: Uuid,
) -> Result<WithSecret, AppError> {
    let access = access(pool, caller, slug, Permission::Administer).await?;
    let mut tx = pool.begin().await?;
    let row = owned(&mut tx, access.project.id, id).await?;
    let provider = Provider::parse(&row.provider).map_err(|e| AppError::broken(&e))?;
    let secret = new_hook_secret();
    let (key, hash) = keep(provider, &secret);
    let kept = kept(&key, &hash)?;
    db::set_secret(&mut tx, id, kept, &secret_hint(&secret)).await?;
    let row = db::integration(&mut tx, id, false)
        .await?
        .ok_or_else(|| AppError::broken("integration vanished"))?;
    tx.commit().await?;
    Ok(WithSecret {
        integration: to_integration(row, Vec::new()),
        secret,
    })
}

/// Changes an integration's name and settings.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn update(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: Uuid,
    settings: &IntegrationSettings,
) -> Result<(), AppError> {
    let access = access(pool, caller, slug, Permission::Administer).await?;
    let mut errors = FieldErrors::default();
    let name = parse_name(&settings.name, &mut errors);
    let branches = rules::parse_branches(&settings.branches)
        .map_err(|e| errors.add("branches", e))
        .ok();
    let (Some(name), Some(branches)) = (name, branches) else {
        return Err(AppError::Validation(errors));
    };
    let mut tx = pool.begin().await?;
    owned(&mut tx, access.project.id, id).await?;
    db::update_settings(
        &mut tx,
        id,
        &name,
        &branches,
        settings.close_on_fixes,
        settings.done_on_green,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes an integration: its address answers 404 from now on, and its deliveries go with
/// it. The bugs it filed and the commits it linked stay on the items; a bug still says where
/// it came from (its provider and the integration's name are its own), and no further runs
/// count on it.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn remove(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    id: Uuid,
) -> Result<(), AppError> {
    let access = access(pool, caller, slug, Permission::Administer).await?;
    let mut tx = pool.begin().await?;
    owned(&mut tx, access.project.id, id).await?;
    db::delete_integration(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

// --- what an item shows ----------------------------------------------------------------------

/// The commits and pull requests linked to an item, and where it came from when a pipeline
/// filed it. The caller checked that the reader may see the item.
pub(crate) async fn item_links(
    pool: &PgPool,
    item_id: Uuid,
) -> Result<(Vec<ItemLink>, Option<CiOrigin>), AppError> {
    let links = db::links(pool, item_id)
        .await?
        .into_iter()
        .map(|l| ItemLink {
            kind: l.kind,
            reference: l.reference,
            title: l.title,
            author: l.author,
            url: l.url,
            branch: l.branch,
            at: l.at,
        })
        .collect();
    let ci = db::ci_origin(pool, item_id).await?.map(|o| CiOrigin {
        provider: Provider::parse(&o.provider)
            .map(|p| p.label().to_owned())
            .unwrap_or(o.provider),
        integration: o.integration,
        removed: o.removed,
        pipeline: o.pipeline,
        branch: o.branch,
        occurrences: o.occurrences,
        last_seen: o.last_seen,
        runs: serde_json::from_value(o.runs).unwrap_or_default(),
    });
    Ok((links, ci))
}

// --- deliveries --------------------------------------------------------------------------------

/// What a delivery is answered: the status and the outcome, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub outcome: String,
}

impl Answer {
    fn new(status: u16, outcome: impl Into<String>) -> Answer {
        Answer {
            status,
            outcome: outcome.into(),
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Checks `sha256=<hex>` against the HMAC-SHA256 of the body under `key`, in constant time.
fn signed(key: &str, signature: Option<&str>, body: &[u8]) -> Result<(), &'static str> {
    let signature = signature.ok_or("no signature")?;
    let hex = signature.strip_prefix("sha256=").ok_or("bad signature")?;
    let Some(expected) = decode_hex(hex) else {
        return Err("bad signature");
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|_| "bad signature")?;
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| "bad signature")
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

/// Checks a secret sent as it is against the hash kept, in constant time.
fn token(hash: &[u8], sent: Option<&str>) -> Result<(), &'static str> {
    let sent = sent.ok_or("no secret")?;
    if bool::from(digest(sent).as_slice().ct_eq(hash)) {
        Ok(())
    } else {
        Err("bad secret")
    }
}

/// The password of a basic `Authorization` header (Azure DevOps service hooks send the
/// secret that way; the user name is not checked).
fn basic_password(headers: &HeaderMap) -> Option<String> {
    let value = header(headers, "authorization")?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':')
        .map(|(_, password)| password.to_owned())
}

/// Whether the delivery proves it comes from the integration's provider.
fn verify(
    provider: Provider,
    row: &IntegrationRow,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), &'static str> {
    let key = || row.hmac_key.as_deref().ok_or("bad signature");
    let hash = || row.token_hash.as_deref().ok_or("bad secret");
    match provider {
        Provider::Github => signed(key()?, header(headers, "x-hub-signature-256"), body),
        Provider::Generic => signed(key()?, header(headers, "x-cadence-signature"), body),
        Provider::Gitlab => token(hash()?, header(headers, "x-gitlab-token")),
        Provider::Azure => {
            let sent = header(headers, "x-cadence-token")
                .map(str::to_owned)
                .or_else(|| basic_password(headers));
            token(hash()?, sent.as_deref())
        }
    }
}

/// The event a delivery names (for the record, and for the providers that name it in a
/// header), and its delivery id.
fn names(provider: Provider, headers: &HeaderMap, body: &[u8]) -> (Option<String>, Option<String>) {
    let from = |event: &str, delivery: &str| {
        (
            header(headers, event).map(str::to_owned),
            header(headers, delivery).map(str::to_owned),
        )
    };
    let (event, delivery) = match provider {
        Provider::Github => from("x-github-event", "x-github-delivery"),
        Provider::Gitlab => {
            // `Idempotency-Key` stays the same across GitLab's retries (17.4 and later).
            let (event, delivery) = from("x-gitlab-event", "idempotency-key");
            (
                event,
                delivery.or_else(|| header(headers, "x-gitlab-event-uuid").map(str::to_owned)),
            )
        }
        Provider::Azure => (None, None),
        Provider::Generic => from("x-cadence-event", "x-cadence-delivery"),
    };
    let event = event.or_else(|| rules::event_in_body(body));
    let delivery = delivery.or_else(|| rules::delivery_in_body(body));
    let cut = |s: String| s.chars().take(200).collect::<String>();
    (event.map(cut), delivery.map(cut))
}

/// The start of a body as the record keeps it: at most [`KEPT_BODY`] bytes, cut on a
/// character boundary (a character the cut would split is left out whole).
fn kept_body(body: &[u8]) -> String {
    let mut start = &body[..body.len().min(KEPT_BODY)];
    if let Err(e) = std::str::from_utf8(start) {
        if e.error_len().is_none() {
            start = &start[..e.valid_up_to()];
        }
    }
    // PostgreSQL keeps no NUL in text. Bytes that are not UTF-8 become U+FFFD, which is
    // longer than a byte: cut again.
    let mut text = String::from_utf8_lossy(start).replace('\0', "");
    text.truncate(text.floor_char_boundary(KEPT_BODY));
    text
}

/// Handles one delivery to `/hooks/{id}`: 404 for no such integration (nothing recorded);
/// 401 for a bad or missing secret (recorded without its body, among the attempts kept
/// apart), 400 for a body that is not the event's JSON (recorded, nothing else written); 200
/// for one already handled (a provider's retry: nothing written); 202 for an event Cadence
/// does not act on; 200 for the rest, with what was done. A body over [`MAX_BODY`] never
/// gets here: the edge answers 413 before reading it (`server::guard`), and nothing is
/// recorded.
#[tracing::instrument(skip(pool, clock, headers, body), err(level = "info"))]
pub async fn deliver(
    pool: &PgPool,
    clock: &Clock,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Answer, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let mut conn = pool.acquire().await?;
    let row = db::integration(&mut conn, id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    let provider = Provider::parse(&row.provider).map_err(|e| AppError::broken(&e))?;
    let (event_name, delivery_id) = names(provider, headers, body);
    let event_label = event_name.clone().unwrap_or_else(|| "(none)".into());
    // `authentic`: whether the delivery proved it comes from the provider. One that did not
    // was written by whoever knows the address: its body is not kept, and it is pruned apart
    // from the authentic ones, so a stream of them pushes none of those out.
    let refuse = |status: u16, authentic: bool, outcome: String, error: Option<String>| {
        let delivery_id = delivery_id.clone();
        let event_label = event_label.clone();
        async move {
            let mut conn = pool.acquire().await?;
            let kept = if authentic {
                kept_body(body)
            } else {
                String::new()
            };
            db::record_delivery(
                &mut conn,
                NewDelivery {
                    integration_id: id,
                    delivery_id: delivery_id.as_deref(),
                    event: &event_label,
                    authentic,
                    accepted: false,
                    outcome: &outcome,
                    error: error.as_deref(),
                    body: &kept,
                },
            )
            .await?;
            let keep = if authentic {
                KEPT_DELIVERIES
            } else {
                KEPT_REFUSED
            };
            db::prune_deliveries(&mut conn, id, authentic, keep).await?;
            Ok::<Answer, AppError>(Answer::new(status, outcome))
        }
    };
    drop(conn);
    if let Err(why) = verify(provider, &row, headers, body) {
        tracing::info!(integration = %id, why, "refused a delivery");
        return refuse(401, false, format!("refused: {why}"), None).await;
    }
    let event = match rules::read(provider, event_name.as_deref(), body) {
        Ok(event) => event,
        Err(malformed) => {
            return refuse(400, true, "refused: malformed".into(), Some(malformed.0)).await;
        }
    };

    let mut tx = pool.begin().await?;
    // One delivery of an integration at a time (see `db::hooks::integration`); the settings
    // are read again under the lock.
    let Some(row) = db::integration(&mut tx, id, true).await? else {
        return Err(AppError::NotFound);
    };
    let Some(recorded) = db::record_delivery(
        &mut tx,
        NewDelivery {
            integration_id: id,
            delivery_id: delivery_id.as_deref(),
            event: &event_label,
            authentic: true,
            accepted: true,
            outcome: "received",
            error: None,
            body: &kept_body(body),
        },
    )
    .await?
    else {
        return Ok(Answer::new(200, "already handled: nothing done again"));
    };
    let handled = handle(&mut tx, &row, provider, event, clock.now()).await;
    let answer = match handled {
        Ok(answer) => answer,
        Err(err) => {
            drop(tx);
            let _ = refuse(
                500,
                true,
                "error".into(),
                Some("failed on our side (logged)".into()),
            )
            .await;
            return Err(err);
        }
    };
    db::set_outcome(&mut tx, recorded, &answer.outcome).await?;
    db::prune_deliveries(&mut tx, id, true, KEPT_DELIVERIES).await?;
    tx.commit().await?;
    Ok(answer)
}

async fn handle(
    tx: &mut PgConnection,
    row: &IntegrationRow,
    provider: Provider,
    event: Event,
    now: DateTime<Utc>,
) -> Result<Answer, AppError> {
    match event {
        Event::Ping => Ok(Answer::new(200, "pong")),
        Event::Ignored(why) => Ok(Answer::new(202, format!("ignored: {why}"))),
        Event::Run(run) => {
            if !branch_counts(&row.branches, &run.branch, run.default_branch.as_deref()) {
                return Ok(Answer::new(
                    202,
                    format!("ignored: branch {} does not count", run.branch),
                ));
            }
            match run.status {
                RunStatus::Failed => failed(tx, row, provider, &run, now).await,
                RunStatus::Passed => passed(tx, row, &run, now).await,
            }
        }
        Event::Push(push) => pushed(tx, row, &push, now).await,
        Event::PullRequest(pr) => pull_request(tx, row, &pr, now).await,
    }
}

fn run_entry(run: &Run, now: DateTime<Utc>) -> Value {
    json!(CiRun {
        status: match run.status {
            RunStatus::Failed => "failed",
            RunStatus::Passed => "passed",
        }
        .into(),
        url: rules::web_url(run.url.as_deref()),
        commit: run.commit.as_ref().map(|c| c.id.clone()),
        at: now,
    })
}

/// The runs with this one first, at most [`KEPT_RUNS`].
fn with_run(runs: &Value, run: &Run, now: DateTime<Utc>) -> Value {
    let mut list = vec![run_entry(run, now)];
    if let Some(old) = runs.as_array() {
        list.extend(old.iter().take(KEPT_RUNS - 1).cloned());
    }
    Value::Array(list)
}

fn ci_note(run: &Run, event: &str, occurrences: Option<i32>) -> Change {
    Change::Ci(CiNote {
        event: event.into(),
        pipeline: run.pipeline.clone(),
        branch: run.branch.clone(),
        run: rules::web_url(run.url.as_deref()),
        commit: run.commit.as_ref().map(|c| c.id.clone()),
        occurrences,
    })
}

/// The bug's description: what failed, where, with which commit by whom.
fn bug_description(provider: Provider, row: &IntegrationRow, run: &Run) -> String {
    let mut text = format!(
        "{provider} ({}) reported a failed run of **{}** on `{}`.\n\n",
        markdown_text(&row.name),
        markdown_text(&run.pipeline),
        run.branch.replace('`', "'"),
    );
    if let Some(url) = rules::web_url(run.url.as_deref()) {
        text.push_str(&format!("- Run: <{url}>\n"));
    }
    if let Some(commit) = &run.commit {
        let mut line = format!("- Commit: `{}`", commit.short_id().replace('`', "'"));
        if !commit.subject().is_empty() {
            line.push_str(&format!(" {}", markdown_text(commit.subject())));
        }
        match (&commit.author_name, &commit.author_email) {
            (Some(name), _) => line.push_str(&format!(" by {}", markdown_text(name))),
            (None, Some(email)) => line.push_str(&format!(" by {}", markdown_text(email))),
            _ => {}
        }
        text.push_str(&line);
        text.push('\n');
    }
    if !run.failing_jobs.is_empty() {
        let jobs: Vec<String> = run.failing_jobs.iter().map(|j| markdown_text(j)).collect();
        text.push_str(&format!("- Failing jobs: {}\n", jobs.join(", ")));
    }
    text
}

/// The member whose email is the commit author's, if any.
async fn author_member(
    tx: &mut PgConnection,
    project_id: Uuid,
    commit: Option<&Commit>,
) -> Result<Option<Uuid>, AppError> {
    let Some(email) = commit.and_then(|c| c.author_email.as_deref()) else {
        return Ok(None);
    };
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    Ok(items_db::member_id(tx, project_id, &email.normalized()).await?)
}

async fn failed(
    tx: &mut PgConnection,
    row: &IntegrationRow,
    provider: Provider,
    run: &Run,
    now: DateTime<Utc>,
) -> Result<Answer, AppError> {
    if let Some(bug) = db::open_ci_bug(tx, row.id, &run.pipeline, &run.branch).await? {
        let occurrences = bug.occurrences + 1;
        db::note_run(
            tx,
            bug.item_id,
            occurrences,
            now,
            &with_run(&bug.runs, run, now),
        )
        .await?;
        let note = ci_note(run, "failed", Some(occurrences));
        items_db::record_by(tx, row.project_id, bug.item_id, None, now, &note).await?;
        // The item's own row changes too, so open pages hear of it and reload it.
        items_db::touch(tx, bug.item_id).await?;
        return Ok(Answer::new(200, format!("updated #{}", bug.number)));
    }
    let title = Title::parse(&rules::bug_title(&run.pipeline, &run.branch))
        .map_err(|e| AppError::validation("pipeline", e.to_string()))?;
    let description = bug_description(provider, row, run);
    let assignee = author_member(tx, row.project_id, run.commit.as_ref()).await?;
    let (item_id, number) = insert_at_top(
        tx,
        row.project_id,
        None,
        now,
        AtTop {
            kind: ItemKind::Bug,
            title: &title,
            description: &description,
            assignee,
        },
    )
    .await?;
    db::insert_ci_bug(
        tx,
        db::NewCiBug {
            item_id,
            integration: row,
            pipeline: &run.pipeline,
            branch: &run.branch,
            at: now,
            runs: &with_run(&Value::Array(Vec::new()), run, now),
        },
    )
    .await?;
    Ok(Answer::new(200, format!("filed #{number}")))
}

async fn passed(
    tx: &mut PgConnection,
    row: &IntegrationRow,
    run: &Run,
    now: DateTime<Utc>,
) -> Result<Answer, AppError> {
    let Some(bug) = db::open_ci_bug(tx, row.id, &run.pipeline, &run.branch).await? else {
        return Ok(Answer::new(200, "passed: no open bug"));
    };
    db::note_run(
        tx,
        bug.item_id,
        bug.occurrences,
        now,
        &with_run(&bug.runs, run, now),
    )
    .await?;
    let note = ci_note(run, "passing", None);
    if row.done_on_green {
        set_state_for_integration(
            tx,
            row.project_id,
            bug.number,
            ItemState::Done,
            now,
            &[note],
        )
        .await?;
        Ok(Answer::new(
            200,
            format!("passing again: #{} done", bug.number),
        ))
    } else {
        items_db::record_by(tx, row.project_id, bug.item_id, None, now, &note).await?;
        items_db::touch(tx, bug.item_id).await?;
        Ok(Answer::new(200, format!("passing again: #{}", bug.number)))
    }
}

/// What a mention did, for the outcome: "linked #12", "closed #12".
#[derive(Default)]
struct Mentions {
    linked: Vec<i32>,
    closed: Vec<i32>,
}

impl Mentions {
    fn answer(self) -> Answer {
        let list = |numbers: &[i32]| {
            numbers
                .iter()
                .map(|n| format!("#{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.linked.is_empty() {
            parts.push(format!("linked {}", list(&self.linked)));
        }
        if !self.closed.is_empty() {
            parts.push(format!("closed {}", list(&self.closed)));
        }
        if parts.is_empty() {
            Answer::new(200, "no items mentioned")
        } else {
            Answer::new(200, parts.join("; "))
        }
    }
}

/// A commit or pull request that may mention items.
struct Mention<'a> {
    /// Where the references are: the commit message, the pull request's title.
    text: &'a str,
    link: LinkNote,
    branch: &'a str,
    /// Whether "fixes #12" closes #12 (a counted branch, the setting on, a pull request
    /// merged).
    may_close: bool,
}

/// Links what mentions items of this project to them (references to numbers it does not
/// have, or to items in its trash, are ignored) and closes those it fixes when it may.
async fn mention(
    tx: &mut PgConnection,
    row: &IntegrationRow,
    mention: Mention<'_>,
    now: DateTime<Utc>,
    done: &mut Mentions,
) -> Result<(), AppError> {
    let Mention {
        text,
        link,
        branch,
        may_close,
    } = mention;
    let branch = Some(branch);
    let references = rules::references(text);
    if references.is_empty() {
        return Ok(());
    }
    let numbers: Vec<i32> = references.iter().map(|r| r.number).collect();
    let found = db::referenced(tx, row.project_id, &numbers).await?;
    for reference in references {
        let Some(item) = found
            .iter()
            .find(|f| f.number == reference.number && !f.deleted)
        else {
            continue;
        };
        let new = db::link(
            tx,
            NewLink {
                item_id: item.id,
                integration_id: row.id,
                kind: &link.kind,
                reference: &link.reference,
                title: &link.title,
                author: link.author.as_deref(),
                url: link.url.as_deref(),
                branch,
            },
        )
        .await?;
        let closes = may_close && reference.closes && item.state != ItemState::Done;
        let note = Change::Link(LinkNote {
            closes,
            ..link.clone()
        });
        if closes {
            set_state_for_integration(
                tx,
                row.project_id,
                item.number,
                ItemState::Done,
                now,
                &[note],
            )
            .await?;
            done.closed.push(item.number);
        } else if new {
            items_db::record_by(tx, row.project_id, item.id, None, now, &note).await?;
            items_db::touch(tx, item.id).await?;
        }
        if new && !done.linked.contains(&item.number) {
            done.linked.push(item.number);
        }
    }
    Ok(())
}

async fn pushed(
    tx: &mut PgConnection,
    row: &IntegrationRow,
    push: &Push,
    now: DateTime<Utc>,
) -> Result<Answer, AppError> {
    let counts = branch_counts(&row.branches, &push.branch, push.default_branch.as_deref());
    let mut done = Mentions::default();
    for commit in push.commits.iter().take(100) {
        let link = LinkNote {
            kind: "commit".into(),
            reference: commit.id.chars().take(64).collect(),
            title: commit.subject().chars().take(200).collect(),
            url: rules::web_url(commit.url.as_deref()),
            author: commit.author_name.clone().or(commit.author_email.clone()),
            closes: false,
        };
        let found = Mention {
            text: &commit.message,
            link,
            branch: &push.branch,
            may_close: counts && row.close_on_fixes,
        };
        mention(tx, row, found, now, &mut done).await?;
    }
    Ok(done.answer())
}

async fn pull_request(
    tx: &mut PgConnection,
    row: &IntegrationRow,
    pr: &PullRequest,
    now: DateTime<Utc>,
) -> Result<Answer, AppError> {
    let counts = branch_counts(
        &row.branches,
        &pr.target_branch,
        pr.default_branch.as_deref(),
    );
    let link = LinkNote {
        kind: "pull_request".into(),
        reference: pr.number.to_string(),
        title: pr.title.chars().take(200).collect(),
        url: rules::web_url(pr.url.as_deref()),
        author: pr.author.clone(),
        closes: false,
    };
    let found = Mention {
        text: &pr.title,
        link,
        branch: &pr.target_branch,
        may_close: pr.merged && counts && row.close_on_fixes,
    };
    let mut done = Mentions::default();
    mention(tx, row, found, now, &mut done).await?;
    Ok(done.answer())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_body_is_its_first_4_kb_cut_on_a_character_boundary() {
        assert_eq!(kept_body(b"{\"a\": 1}"), "{\"a\": 1}");
        let ascii = "x".repeat(KEPT_BODY + 10);
        assert_eq!(kept_body(ascii.as_bytes()), ascii[..KEPT_BODY]);
        // Byte 4096 falls inside a two-byte character: it is left out whole.
        let split = format!("x{}", "é".repeat(KEPT_BODY));
        let kept = kept_body(split.as_bytes());
        assert_eq!(kept.len(), KEPT_BODY - 1);
        assert_eq!(kept, split[..KEPT_BODY - 1]);
        // Bytes that are not UTF-8 become U+FFFD, and the whole still fits.
        let invalid = vec![0xff; KEPT_BODY + 10];
        let kept = kept_body(&invalid);
        assert!(kept.len() <= KEPT_BODY && kept.starts_with('\u{fffd}'));
        assert_eq!(kept_body(b"a\0b"), "ab", "PostgreSQL keeps no NUL");
    }
}
