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

#[tracing::instrument(skip(pool), err)]
pub async fn add(pool: &PgPool, title: &Title) -> Result<TopicRow, sqlx::Error> {
    sqlx::query_as!(
        TopicRow,
        r#"insert into parking_lot_topic (id, title) values ($1, $2)
           returning id, title, created_at"#,
        Uuid::now_v7(),
        title.as_str(),
    )
    .fetch_one(pool)
    .await
}

/// Newest first, at most `limit`.
#[tracing::instrument(skip(pool), err)]
pub async fn recent(pool: &PgPool, limit: i64) -> Result<Vec<TopicRow>, sqlx::Error> {
    sqlx::query_as!(
        TopicRow,
        r#"select id, title, created_at from parking_lot_topic
           order by created_at desc, id desc limit $1"#,
        limit,
    )
    .fetch_all(pool)
    .await
}

#[tracing::instrument(skip(pool), err)]
pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    let row = sqlx::query!(r#"select count(*) as "count!" from parking_lot_topic"#)
        .fetch_one(pool)
        .await?;
    Ok(row.count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn added_topics_come_back_newest_first(pool: PgPool) {
        let first = add(&pool, &Title::parse("Deploy freeze").unwrap())
            .await
            .unwrap();
        let second = add(&pool, &Title::parse("  Retro format ").unwrap())
            .await
            .unwrap();
        assert_eq!(second.title, "Retro format");

        let rows = recent(&pool, 10).await.unwrap();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![second.id, first.id]);
        assert_eq!(count(&pool).await.unwrap(), 2);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_schema_rejects_titles_the_domain_would_reject(pool: PgPool) {
        let err = sqlx::query("insert into parking_lot_topic (id, title) values ($1, '  padded ')")
            .bind(Uuid::now_v7())
            .execute(&pool)
            .await
            .unwrap_err();
        let constraint = err.as_database_error().and_then(|e| e.constraint());
        assert_eq!(constraint, Some("parking_lot_topic_title_check"));
        assert_eq!(count(&pool).await.unwrap(), 0);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn recent_is_limited(pool: PgPool) {
        for i in 0..5 {
            add(&pool, &Title::parse(&format!("topic {i}")).unwrap())
                .await
                .unwrap();
        }
        assert_eq!(recent(&pool, 3).await.unwrap().len(), 3);
    }
}
