//! Planning poker: the scrum master's estimating session. Members vote, viewers watch, the
//! scrum master or owner runs it. Until a round is revealed (by hand, or when its countdown
//! ends) nobody is sent anyone's vote but their own: every answer here is built for its
//! reader by [`view`].
//!
//! Every change names the queue position (and a vote its round) it is about: a change for
//! a moment that has passed (a second click on "accept", a vote for a round already
//! revealed) is refused as a conflict, never applied to the next item.

use super::{access, Access};
use crate::auth::Caller;
use crate::db::poker::{self as db, EntryRow, NewSession, RoundRow, SessionRow, VoteRow};
use crate::domain::history::{Change, PokerNote};
use crate::domain::poker::{Card, ItemOutcome, Spread, Summary};
use crate::domain::{EffortChart, Permission};
use crate::error::{AppError, FieldErrors};
use crate::model::poker::{
    CardChoice, CurrentItem, PastSession, PokerSession, PokerState, QueueEntry, RoundView,
    ShownVote, StartPoker,
};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub use crate::model::poker::MAX_QUEUE;
/// The default queue takes this many items.
pub const DEFAULT_QUEUE: i64 = 10;

fn validation(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::Validation(FieldErrors::one(field, message))
}

fn no_session() -> AppError {
    AppError::Conflict("no planning poker session is running in this project".into())
}

fn moved_on() -> AppError {
    AppError::Conflict(
        "the session has moved on since your page was loaded: look again and retry".into(),
    )
}

/// Everything a session's view is built from.
struct Loaded {
    session: SessionRow,
    entries: Vec<EntryRow>,
    rounds: Vec<RoundRow>,
    votes: Vec<VoteRow>,
}

async fn load(conn: &mut PgConnection, session: SessionRow) -> Result<Loaded, AppError> {
    let entries = db::entries(conn, session.id).await?;
    let rounds = db::rounds(conn, session.id).await?;
    let votes = db::votes(conn, session.id).await?;
    Ok(Loaded {
        session,
        entries,
        rounds,
        votes,
    })
}

fn revealed(round: &RoundRow, now: DateTime<Utc>) -> bool {
    round.revealed_at.is_some() || round.reveal_at.is_some_and(|at| at <= now)
}

fn cards_of(votes: &[&VoteRow]) -> Vec<Card> {
    votes
        .iter()
        .filter_map(|v| Card::from_stored(&v.card))
        .collect()
}

impl Loaded {
    fn rounds_of(&self, position: i32) -> impl Iterator<Item = &RoundRow> {
        self.rounds.iter().filter(move |r| r.position == position)
    }

    fn latest_round(&self, position: i32) -> Option<&RoundRow> {
        self.rounds_of(position).max_by_key(|r| r.number)
    }

    fn votes_of(&self, round_id: i64) -> Vec<&VoteRow> {
        self.votes
            .iter()
            .filter(|v| v.round_id == round_id)
            .collect()
    }

    /// The frozen summary of an ended session, or what the votes and outcomes say now.
    fn summary(&self) -> Summary {
        if let Some(frozen) = self
            .session
            .summary
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
        {
            return frozen;
        }
        let outcomes: Vec<ItemOutcome> = self
            .entries
            .iter()
            .map(|e| {
                let first = self.rounds_of(e.position).min_by_key(|r| r.number);
                let first_agreed = first
                    .map(|r| Spread::of(&cards_of(&self.votes_of(r.id))).agreed.is_some())
                    .unwrap_or(false);
                ItemOutcome {
                    accepted: (e.outcome.as_deref() == Some("accepted"))
                        .then(|| e.points.and_then(|p| u8::try_from(p).ok()))
                        .flatten(),
                    rounds: self.rounds_of(e.position).count() as u32,
                    first_round_agreed: first_agreed,
                }
            })
            .collect();
        Summary::of(&outcomes)
    }

    /// The current item and round, for a change that names them.
    fn current(&self, position: i32) -> Result<(&EntryRow, &RoundRow), AppError> {
        if self.session.current != Some(position) {
            return Err(moved_on());
        }
        let entry = self
            .entries
            .iter()
            .find(|e| e.position == position)
            .ok_or_else(moved_on)?;
        let round = self.latest_round(position).ok_or_else(moved_on)?;
        Ok((entry, round))
    }
}

fn card_choices(chart: &EffortChart) -> Vec<CardChoice> {
    chart
        .entries()
        .iter()
        .map(|e| CardChoice {
            card: e.points.to_string(),
            label: e.label.clone(),
        })
        .chain([
            CardChoice {
                card: "?".into(),
                label: "no idea".into(),
            },
            CardChoice {
                card: "break".into(),
                label: "needs a pause".into(),
            },
        ])
        .collect()
}

/// The session as `access`'s caller may see it.
fn view(loaded: &Loaded, access: &Access, chart: &EffortChart, now: DateTime<Utc>) -> PokerSession {
    let me = access.caller.id;
    let label = |p: Option<i16>| {
        p.and_then(|p| crate::domain::points::StoryPoints::parse_extended(p).ok())
            .map(|p| chart.display(p))
    };
    let round_view = |r: &RoundRow| {
        let votes = loaded.votes_of(r.id);
        let shown = revealed(r, now);
        let cards = cards_of(&votes);
        let spread = Spread::of(&cards);
        RoundView {
            number: r.number,
            revealed: shown,
            reveals_in_ms: (!shown)
                .then(|| r.reveal_at.map(|at| (at - now).num_milliseconds().max(0)))
                .flatten(),
            voted: votes.iter().map(|v| v.name.clone()).collect(),
            my_card: votes
                .iter()
                .find(|v| v.user_id == me)
                .map(|v| v.card.clone()),
            votes: if shown {
                votes
                    .iter()
                    .map(|v| ShownVote {
                        name: v.name.clone(),
                        card: v.card.clone(),
                        outlier: Card::from_stored(&v.card).and_then(|c| spread.outlier(c)),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            spread: shown.then_some(spread),
        }
    };
    let s = &loaded.session;
    let current = s.current.and_then(|position| {
        let entry = loaded.entries.iter().find(|e| e.position == position)?;
        Some(CurrentItem {
            position,
            number: entry.number,
            title: entry.title.clone(),
            estimate_label: label(entry.estimate),
            rounds: loaded.rounds_of(position).map(round_view).collect(),
        })
    });
    PokerSession {
        id: s.id,
        started_by: s.started_by.clone(),
        started_at: s.started_at,
        ended: s.ended_at.is_some(),
        increment: s.increment_id,
        increment_label: s.increment_label.clone(),
        countdown_secs: s.countdown_secs,
        can_control: access.role.allows(Permission::Plan) && access.project.archived_at.is_none(),
        can_vote: access.role.allows(Permission::Contribute)
            && access.project.archived_at.is_none(),
        cards: card_choices(chart),
        queue: loaded
            .entries
            .iter()
            .map(|e| QueueEntry {
                position: e.position,
                number: e.number,
                title: e.title.clone(),
                estimate_label: label(e.estimate),
                outcome: e.outcome.clone(),
                rounds: loaded.rounds_of(e.position).count() as i32,
            })
            .collect(),
        current,
        summary: loaded.summary(),
    }
}

fn state_of(loaded: Option<&Loaded>, access: &Access, chart: &EffortChart) -> PokerState {
    let now = access.caller.clock.now();
    PokerState {
        session: loaded.map(|l| view(l, access, chart, now)),
        can_start: access.role.allows(Permission::Plan) && access.project.archived_at.is_none(),
    }
}

/// The project's open session as the caller sees it (none: no session running).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn state(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<PokerState, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let chart = access.chart()?;
    let mut conn = pool.acquire().await?;
    let loaded = match db::open_session(&mut conn, access.project.id, false).await? {
        Some(session) => Some(load(&mut conn, session).await?),
        None => None,
    };
    Ok(state_of(loaded.as_ref(), &access, &chart))
}

/// A change to the open session.
enum Op<'a> {
    Vote {
        position: i32,
        round: i32,
        card: &'a str,
    },
    Reveal {
        position: i32,
    },
    NewRound {
        position: i32,
    },
    Accept {
        position: i32,
        points: i64,
    },
    Skip {
        position: i32,
    },
    End,
}

/// Runs `op` on the open session under its lock, then answers the new state.
async fn change(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    permission: Permission,
    op: Op<'_>,
) -> Result<PokerState, AppError> {
    let access = access(pool, caller, slug, permission).await?;
    let chart = access.chart()?;
    let mut tx = pool.begin().await?;
    let session = db::open_session(&mut tx, access.project.id, true)
        .await?
        .ok_or_else(no_session)?;
    let loaded = load(&mut tx, session).await?;
    apply(&mut tx, &access, &chart, &loaded, op).await?;
    let session = db::open_session(&mut tx, access.project.id, false).await?;
    let after = match session {
        Some(session) => Some(load(&mut tx, session).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(state_of(after.as_ref(), &access, &chart))
}

async fn apply(
    conn: &mut PgConnection,
    access: &Access,
    chart: &EffortChart,
    loaded: &Loaded,
    op: Op<'_>,
) -> Result<(), AppError> {
    let now = access.caller.clock.now();
    let project_id = access.project.id;
    let session_id = loaded.session.id;
    match op {
        Op::Vote {
            position,
            round,
            card,
        } => {
            let card = Card::parse(card, chart).map_err(|e| validation("card", e))?;
            let (_, current) = loaded.current(position)?;
            if current.number != round {
                return Err(moved_on());
            }
            if revealed(current, now) {
                return Err(AppError::Conflict(
                    "this round has been revealed: vote in the next one".into(),
                ));
            }
            db::upsert_vote(
                conn,
                project_id,
                current.id,
                access.caller.id,
                &card.to_string(),
                now,
            )
            .await?;
        }
        Op::Reveal { position } => {
            let (_, current) = loaded.current(position)?;
            db::reveal(conn, current.id, now).await?;
        }
        Op::NewRound { position } => {
            let (_, current) = loaded.current(position)?;
            if !revealed(current, now) {
                return Err(AppError::Conflict(
                    "reveal this round before starting another".into(),
                ));
            }
            let reveal = reveal_at(loaded.session.countdown_secs, now);
            db::insert_round(
                conn,
                project_id,
                session_id,
                position,
                current.number + 1,
                now,
                reveal,
            )
            .await?;
        }
        Op::Accept { position, points } => {
            let (entry, current) = loaded.current(position)?;
            let value = chart
                .estimate(points)
                .map_err(|e| validation("points", e))?;
            if !revealed(current, now) {
                return Err(AppError::Conflict(
                    "reveal the votes before accepting a value".into(),
                ));
            }
            let note = Change::Poker(PokerNote {
                round: current.number,
                votes: loaded
                    .votes_of(current.id)
                    .iter()
                    .map(|v| v.card.clone())
                    .collect(),
            });
            super::items::estimate_in(conn, access, chart, entry.item_id, points, &note).await?;
            let next = advance(conn, access, loaded, position).await?;
            let points = Some(i16::from(value.value()));
            db::decide(conn, session_id, position, "accepted", points, next).await?;
        }
        Op::Skip { position } => {
            loaded.current(position)?;
            let next = advance(conn, access, loaded, position).await?;
            db::decide(conn, session_id, position, "skipped", None, next).await?;
        }
        Op::End => {
            let summary = serde_json::to_value(loaded.summary())
                .map_err(|e| AppError::internal("summary unwritable", e))?;
            db::end(conn, session_id, now, &summary).await?;
        }
    }
    Ok(())
}

fn reveal_at(countdown: Option<i32>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    countdown.map(|secs| now + chrono::Duration::seconds(i64::from(secs)))
}

/// Starts a session (scrum master or owner): the queue given, or the default one.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn start(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    input: &StartPoker,
) -> Result<PokerState, AppError> {
    let access = access(pool, caller, slug, Permission::Plan).await?;
    let chart = access.chart()?;
    if let Some(secs) = input.countdown_secs {
        if !(5..=600).contains(&secs) {
            return Err(validation(
                "countdown_secs",
                "a countdown is between 5 and 600 seconds",
            ));
        }
    }
    let project_id = access.project.id;
    let now = access.caller.clock.now();
    let mut tx = pool.begin().await?;
    if let Some(increment) = input.increment {
        if !db::increment_open(&mut tx, project_id, increment).await? {
            return Err(validation(
                "increment",
                "that increment is not an open increment of this project",
            ));
        }
    }
    let items: Vec<Uuid> = match &input.items {
        Some(numbers) => {
            if numbers.len() > MAX_QUEUE {
                return Err(validation(
                    "items",
                    format!("at most {MAX_QUEUE} items in one session"),
                ));
            }
            let mut unique = numbers.clone();
            unique.dedup();
            let found = db::items_by_number(&mut tx, project_id, &unique).await?;
            if let Some(missing) = unique.iter().find(|n| !found.iter().any(|f| f.0 == **n)) {
                return Err(validation(
                    "items",
                    format!("#{missing} is not an item of this project"),
                ));
            }
            let mut ids: Vec<Uuid> = Vec::new();
            for (_, id, _) in found {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        }
        None => db::default_queue(&mut tx, project_id, input.increment, DEFAULT_QUEUE).await?,
    };
    if items.is_empty() {
        return Err(validation(
            "items",
            "there is nothing to estimate: choose the items, or add unestimated ones to the backlog",
        ));
    }
    let Some(id) = db::insert_session(
        &mut tx,
        NewSession {
            project_id,
            increment_id: input.increment,
            started_by: access.caller.id,
            countdown_secs: input.countdown_secs,
            items: &items,
            now,
        },
    )
    .await?
    else {
        return Err(AppError::Conflict(
            "a planning poker session is already running in this project: join it, or end it first"
                .into(),
        ));
    };
    db::insert_round(
        &mut tx,
        project_id,
        id,
        0,
        1,
        now,
        reveal_at(input.countdown_secs, now),
    )
    .await?;
    let session = db::open_session(&mut tx, project_id, false)
        .await?
        .ok_or_else(|| AppError::broken("the new session vanished"))?;
    let loaded = load(&mut tx, session).await?;
    tx.commit().await?;
    Ok(state_of(Some(&loaded), &access, &chart))
}

/// A member's vote in the current round (changeable until the reveal).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn vote(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    position: i32,
    round: i32,
    card: &str,
) -> Result<PokerState, AppError> {
    change(
        pool,
        caller,
        slug,
        Permission::Contribute,
        Op::Vote {
            position,
            round,
            card,
        },
    )
    .await
}

/// Shows the current round's votes to everyone.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn reveal(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    position: i32,
) -> Result<PokerState, AppError> {
    change(
        pool,
        caller,
        slug,
        Permission::Plan,
        Op::Reveal { position },
    )
    .await
}

/// Another round of the current item (the previous ones stay visible).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn new_round(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    position: i32,
) -> Result<PokerState, AppError> {
    change(
        pool,
        caller,
        slug,
        Permission::Plan,
        Op::NewRound { position },
    )
    .await
}

/// The next item in the queue after `position` still to decide, with its first round.
async fn advance(
    conn: &mut PgConnection,
    access: &Access,
    loaded: &Loaded,
    position: i32,
) -> Result<Option<i32>, AppError> {
    let next = loaded
        .entries
        .iter()
        .find(|e| e.position > position && e.outcome.is_none())
        .map(|e| e.position);
    if let Some(next) = next {
        if loaded.latest_round(next).is_none() {
            let now = access.caller.clock.now();
            db::insert_round(
                conn,
                access.project.id,
                loaded.session.id,
                next,
                1,
                now,
                reveal_at(loaded.session.countdown_secs, now),
            )
            .await?;
        }
    }
    Ok(next)
}

/// Takes `points` as the current item's estimate (after a reveal), with a history entry
/// that says how ("estimated in planning poker, round 2: 3, 5, 5, 8"); then the next item.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn accept(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    position: i32,
    points: i64,
) -> Result<PokerState, AppError> {
    change(
        pool,
        caller,
        slug,
        Permission::Plan,
        Op::Accept { position, points },
    )
    .await
}

/// Leaves the current item unestimated and goes on to the next.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn skip(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    position: i32,
) -> Result<PokerState, AppError> {
    change(pool, caller, slug, Permission::Plan, Op::Skip { position }).await
}

/// Ends the session: its summary stays with the increment it planned.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn end(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<PokerState, AppError> {
    change(pool, caller, slug, Permission::Plan, Op::End).await
}

/// The sessions kept with an increment, with their summaries.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn kept(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    increment: i64,
) -> Result<Vec<PastSession>, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    kept_of(pool, &access, increment).await
}

/// The same for a caller whose access is checked (the planning page's data).
pub(crate) async fn kept_of(
    pool: &PgPool,
    access: &Access,
    increment: i64,
) -> Result<Vec<PastSession>, AppError> {
    let sessions = db::sessions_of_increment(pool, access.project.id, increment).await?;
    if sessions.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(sessions.len());
    for session in sessions {
        let (id, started_at, started_by) =
            (session.id, session.started_at, session.started_by.clone());
        // An ended session's summary is frozen with it: only a running one is read in full.
        let frozen = session
            .summary
            .clone()
            .and_then(|v| serde_json::from_value::<Summary>(v).ok());
        let summary = match frozen {
            Some(summary) => summary,
            None => load(&mut *pool.acquire().await?, session).await?.summary(),
        };
        out.push(PastSession {
            id,
            started_at,
            started_by,
            summary,
        });
    }
    Ok(out)
}

/// Every session of a project as the export writes it (`keys`: increment ids to the
/// document's keys).
pub(crate) async fn exported(
    conn: &mut PgConnection,
    project_id: Uuid,
    keys: &std::collections::HashMap<i64, u32>,
) -> Result<Vec<crate::model::export::ExportPokerSession>, AppError> {
    use crate::model::export::{ExportPokerItem, ExportPokerSession};
    let sessions = db::sessions(conn, project_id).await?;
    let mut out = Vec::with_capacity(sessions.len());
    for session in sessions {
        let loaded = load(conn, session).await?;
        let items = loaded
            .entries
            .iter()
            .map(|e| ExportPokerItem {
                item: e.number,
                outcome: e.outcome.clone(),
                points: e.points.and_then(|p| u8::try_from(p).ok()),
            })
            .collect();
        let s = &loaded.session;
        out.push(ExportPokerSession {
            increment: s.increment_id.and_then(|id| keys.get(&id).copied()),
            started_at: s.started_at,
            ended_at: s.ended_at,
            countdown_secs: s.countdown_secs,
            summary: loaded.summary(),
            items,
        });
    }
    Ok(out)
}
