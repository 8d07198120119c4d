//! Queries, one module per aggregate. Server only. Functions take `&PgPool` or a connection
//! so a caller can run several in one transaction.

pub mod comments;
pub mod email;
pub mod events;
pub mod export;
pub mod hooks;
pub mod idempotency;
pub mod items;
pub mod parking_lot;
pub mod poker;
pub mod presence;
pub mod projects;
pub mod reflection;
pub mod sprints;
pub mod standup;
pub mod types;
pub mod users;

#[cfg(test)]
pub(crate) mod testing;

pub use sqlx::PgPool;

/// The database answers (the readiness check).
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!("select 1 as one").fetch_one(pool).await?;
    Ok(())
}
