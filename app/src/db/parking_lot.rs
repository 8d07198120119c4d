use crate::domain::Title;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRow {
    pub id: Uuid,
    pub title: String,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn add(pool: &PgPool, project_id: Uuid, title: &Title) -> Result<TopicRow, sqlx::Error> {
    sqlx::query_as!(
        TopicRow,
        r#"insert into parking_lot_topic (id, project_id, title) values ($1, $2, $3)
           returning id, title, created_at"#,
        Uuid::now_v7(),
        project_id,
        title.as_str(),
    )
    .fetch_one(pool)
    .await
}

/// Newest first, at most `limit`.
#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn recent(
    pool: &PgPool,
    project_id: Uuid,
    limit: i64,
) -> Result<Vec<TopicRow>, sqlx::Error> {
    sqlx::query_as!(
        TopicRow,
        r#"select id, title, created_at from parking_lot_topic
           where project_id = $1
           order by created_at desc, id desc limit $2"#,
        project_id,
        limit,
    )
    .fetch_all(pool)
    .await
}

#[tracing::instrument(skip(pool), err(level = "debug"))]
pub async fn count(pool: &PgPool, project_id: Uuid) -> Result<i64, sqlx::Error> {
    let row = sqlx::query!(
        r#"select count(*) as "count!" from parking_lot_topic where project_id = $1"#,
        project_id
    )
    .fetch_one(pool)
    .await?;
    Ok(row.count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::project;

    #[sqlx::test(migrations = "../migrations")]
    async fn added_topics_come_back_newest_first_within_their_project(pool: PgPool) {
        let shop = project(&pool, "shop").await;
        let other = project(&pool, "other").await;
        let first = add(&pool, shop, &Title::parse("Deploy freeze").unwrap())
            .await
            .unwrap();
        let second = add(&pool, shop, &Title::parse("  Retro format ").unwrap())
            .await
            .unwrap();
        add(&pool, other, &Title::parse("Elsewhere").unwrap())
            .await
            .unwrap();
        assert_eq!(second.title, "Retro format");

        let rows = recent(&pool, shop, 10).await.unwrap();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![second.id, first.id]);
        assert_eq!(count(&pool, shop).await.unwrap(), 2);
        assert_eq!(count(&pool, other).await.unwrap(), 1);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_schema_rejects_titles_the_domain_would_reject(pool: PgPool) {
        let shop = project(&pool, "shop").await;
        let err = sqlx::query(
            "insert into parking_lot_topic (id, project_id, title) values ($1, $2, '  padded ')",
        )
        .bind(Uuid::now_v7())
        .bind(shop)
        .execute(&pool)
        .await
        .unwrap_err();
        let constraint = err.as_database_error().and_then(|e| e.constraint());
        assert_eq!(constraint, Some("parking_lot_topic_title_check"));
        assert_eq!(count(&pool, shop).await.unwrap(), 0);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn recent_is_limited(pool: PgPool) {
        let shop = project(&pool, "shop").await;
        for i in 0..5 {
            add(&pool, shop, &Title::parse(&format!("topic {i}")).unwrap())
                .await
                .unwrap();
        }
        assert_eq!(recent(&pool, shop, 3).await.unwrap().len(), 3);
    }
}
