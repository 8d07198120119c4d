//! Projects, their members and settings.
//!
//! Project-scoped functions here are listed in the authorization table in
//! `server/tests/authz.rs`; add any new one there too.

use crate::domain::Role;
use crate::error::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectSummary {
    pub slug: String,
    pub name: String,
    /// The caller's role on the project.
    pub role: Role,
    pub archived: bool,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChartValue {
    /// A Fibonacci value: 0, 1, 2, 3, 5, 8, 13, 21, 34, 55 or 89.
    pub points: u8,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HolidayEntry {
    pub date: NaiveDate,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectSettings {
    /// The values on the project's scale, each with its label, ascending.
    pub effort_chart: Vec<ChartValue>,
    /// ISO weekday numbers the team works: 1 = Monday … 7 = Sunday.
    pub working_days: Vec<u8>,
    /// Non-working dates.
    pub holidays: Vec<HolidayEntry>,
    /// How many closed increments the team velocity averages over (1–12).
    pub velocity_window: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectInfo {
    pub slug: String,
    pub name: String,
    pub role: Role,
    pub archived: bool,
    pub settings: ProjectSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub email: String,
    pub display_name: String,
    pub initials: String,
    pub role: Role,
}

#[server(prefix = "/api/fn", endpoint = "projects/mine")]
pub async fn my_projects() -> Result<Vec<ProjectSummary>, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::mine(&pool, caller().await?.as_ref()).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "projects/create")]
pub async fn create_project(name: String) -> Result<ProjectSummary, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            let created = projects::create(&pool, caller().await?.as_ref(), &name).await?;
            leptos_axum::redirect(&format!("/p/{}", created.slug));
            Ok(created)
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/detail")]
pub async fn project_detail(slug: String) -> Result<ProjectInfo, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::detail(&pool, caller().await?.as_ref(), &slug).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/settings", input = Json)]
pub async fn update_settings(
    slug: String,
    settings: ProjectSettings,
) -> Result<ProjectSettings, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::update_settings(&pool, caller().await?.as_ref(), &slug, &settings).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/rename")]
pub async fn rename_project(slug: String, name: String) -> Result<(), AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::rename(&pool, caller().await?.as_ref(), &slug, &name).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/archive")]
pub async fn archive_project(slug: String, archived: bool) -> Result<(), AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::set_archived(&pool, caller().await?.as_ref(), &slug, archived).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/delete")]
pub async fn delete_project(slug: String, confirm_name: String) -> Result<(), AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::delete(&pool, caller().await?.as_ref(), &slug, &confirm_name).await?;
            leptos_axum::redirect("/projects");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/members")]
pub async fn list_members(slug: String) -> Result<Vec<Member>, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::members(&pool, caller().await?.as_ref(), &slug).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/members/add")]
pub async fn add_member(slug: String, email: String, role: String) -> Result<Member, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::add_member(&pool, caller().await?.as_ref(), &slug, &email, &role).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/members/role")]
pub async fn set_member_role(slug: String, email: String, role: String) -> Result<(), AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::set_member_role(&pool, caller().await?.as_ref(), &slug, &email, &role).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "project/members/remove")]
pub async fn remove_member(slug: String, email: String) -> Result<(), AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::projects;
    finish(
        async {
            let pool = pool()?;
            projects::remove_member(&pool, caller().await?.as_ref(), &slug, &email).await
        }
        .await,
    )
}
