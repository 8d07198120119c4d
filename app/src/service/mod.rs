//! The operations behind both the server functions and the JSON API, so the two share one
//! copy of every check: who is calling, may they, validate, write. Server only.
//!
//! Every project-scoped operation starts with [`access`]; keep it that way.

pub mod accounts;
pub mod comments;
pub mod demo;
pub mod email;
pub mod events;
pub mod export;
pub mod hooks;
pub mod idempotency;
pub mod items;
pub mod parking_lot;
pub mod poker;
pub mod projects;
pub mod reflection;
pub mod sprints;
pub mod standup;

use crate::auth::Caller;
use crate::db::projects::{self as db, ProjectRow};
use crate::domain::{EffortChart, Permission, Role};
use crate::error::AppError;
use sqlx::PgPool;

/// A caller's standing on one project.
#[derive(Debug, Clone)]
pub struct Access {
    pub caller: Caller,
    pub project: ProjectRow,
    pub role: Role,
    /// The project's effort chart as stored (read with the membership).
    chart: Vec<(i16, String)>,
    /// The number of the project's latest change when the membership was read.
    pub latest_change: i64,
}

impl Access {
    /// The project's effort chart as stored: (points, label) in ascending points.
    pub fn chart_rows(&self) -> &[(i16, String)] {
        &self.chart
    }

    /// The project's effort chart, read with the membership (no further query).
    pub fn chart(&self) -> Result<EffortChart, AppError> {
        let pairs: Vec<(i64, String)> = self
            .chart
            .iter()
            .map(|(p, l)| (i64::from(*p), l.clone()))
            .collect();
        EffortChart::parse(&pairs)
            .map_err(|e| AppError::internal("stored effort chart is invalid", e))
    }
}

/// The signed-in caller, or Unauthorized.
pub fn signed_in(caller: Option<&Caller>) -> Result<&Caller, AppError> {
    caller.ok_or(AppError::Unauthorized)
}

/// The one authorization check for project-scoped work. Anonymous → Unauthorized; not a
/// member (or no such project) → NotFound, so outsiders learn nothing; a role that may not
/// do `action` → Forbidden; changes to an archived project → Conflict.
///
/// A read reuses the membership already read for this caller in the same request (a page's
/// server functions each check it); anything else reads it afresh and forgets what the
/// request read so far, since the change may alter it.
///
/// Refusals are expected answers, not failures: service functions log them at INFO (this
/// check at DEBUG, since its caller logs the same refusal). ERROR is for our own faults,
/// logged where they happen (`AppError::from(sqlx::Error)`, the `internal` helpers).
#[tracing::instrument(skip(pool, caller), fields(user = ?caller.map(|c| c.id)), err(level = "debug"))]
pub async fn access(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    action: Permission,
) -> Result<Access, AppError> {
    let caller = signed_in(caller)?;
    let remembered = if action == Permission::Read {
        caller.memberships.get(slug)
    } else {
        caller.memberships.forget();
        None
    };
    let membership = match remembered {
        Some(known) => known,
        None => {
            let found = db::membership(pool, slug, caller.id)
                .await?
                .ok_or(AppError::NotFound)?;
            if action == Permission::Read {
                caller.memberships.remember(slug, &found);
            }
            found
        }
    };
    let db::Membership {
        project,
        role,
        chart,
        latest_change,
    } = membership;
    if !role.allows(action) {
        return Err(AppError::Forbidden);
    }
    if project.archived_at.is_some()
        && action != Permission::Read
        && action != Permission::Administer
    {
        return Err(AppError::Conflict(
            "this project is archived: an owner can unarchive it in its settings".into(),
        ));
    }
    Ok(Access {
        caller: caller.clone(),
        project,
        role,
        chart,
        latest_change,
    })
}

/// Runs a transaction's work again when it lost a race with another one (a serialization
/// failure or a deadlock: [`AppError::Contended`]), up to four attempts with a short random
/// pause, then lets the 503 through. The work must start its own transaction each time:
///
/// ```ignore
/// let mut retry = Retry::default();
/// loop {
///     match attempt(…).await {
///         Err(e) if retry.again(&e).await => continue,
///         done => return done,
///     }
/// }
/// ```
#[derive(Debug, Default)]
pub(crate) struct Retry {
    tries: u32,
}

impl Retry {
    const ATTEMPTS: u32 = 4;

    /// Whether to try again after this failure (after a pause, when so).
    pub(crate) async fn again(&mut self, err: &AppError) -> bool {
        if *err != AppError::Contended {
            return false;
        }
        self.tries += 1;
        if self.tries >= Self::ATTEMPTS {
            tracing::warn!(
                tries = self.tries,
                "a transaction kept losing races; answering 503"
            );
            return false;
        }
        // The random tail of a v7 UUID: enough to keep racing retries apart.
        let jitter = (uuid::Uuid::now_v7().as_u128() % 20) as u64;
        let pause = u64::from(self.tries) * 10 + jitter;
        tracing::info!(
            tries = self.tries,
            pause_ms = pause,
            "running a contended transaction again"
        );
        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        true
    }
}

/// The database answers (the server's readiness check).
pub async fn ready(pool: &PgPool) -> Result<(), sqlx::Error> {
    crate::db::ping(pool).await
}
