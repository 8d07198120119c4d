//! Rows for database tests to stand on.

use sqlx::PgPool;
use uuid::Uuid;

/// An empty project with this slug.
pub async fn project(pool: &PgPool, slug: &str) -> Uuid {
    let mut conn = pool.acquire().await.unwrap();
    super::projects::insert(&mut conn, slug, slug)
        .await
        .unwrap()
        .expect("slug is free")
        .id
}
