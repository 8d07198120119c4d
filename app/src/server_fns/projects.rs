//! Projects, their members and settings.
//!
//! Project-scoped functions here are listed in the authorization table in
//! `server/tests/http/authz.rs`; add any new one there too.

use crate::error::AppError;
use crate::model::projects::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api/fn", endpoint = "projects/mine")]
pub async fn my_projects() -> Result<Vec<ProjectSummary>, AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| projects::mine(&pool, caller.as_ref()).await).await
}

#[server(prefix = "/api/fn", endpoint = "projects/create")]
pub async fn create_project(name: String) -> Result<ProjectSummary, AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| {
        let created = projects::create(&pool, caller.as_ref(), &name).await?;
        leptos_axum::redirect(&format!("/p/{}", created.slug));
        Ok(created)
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "project/detail")]
pub async fn project_detail(slug: String) -> Result<ProjectInfo, AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| projects::detail(&pool, caller.as_ref(), &slug).await).await
}

#[server(prefix = "/api/fn", endpoint = "project/settings", input = Json)]
pub async fn update_settings(
    slug: String,
    settings: ProjectSettings,
) -> Result<ProjectSettings, AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| {
        projects::update_settings(&pool, caller.as_ref(), &slug, &settings).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "project/rename")]
pub async fn rename_project(slug: String, name: String) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| projects::rename(&pool, caller.as_ref(), &slug, &name).await).await
}

#[server(prefix = "/api/fn", endpoint = "project/archive")]
pub async fn archive_project(slug: String, archived: bool) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| {
        projects::set_archived(&pool, caller.as_ref(), &slug, archived).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "project/delete")]
pub async fn delete_project(slug: String, confirm_name: String) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| {
        projects::delete(&pool, caller.as_ref(), &slug, &confirm_name).await?;
        leptos_axum::redirect("/projects");
        Ok(())
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "project/members")]
pub async fn list_members(slug: String) -> Result<Vec<Member>, AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| projects::members(&pool, caller.as_ref(), &slug).await).await
}

#[server(prefix = "/api/fn", endpoint = "project/members/add")]
pub async fn add_member(slug: String, email: String, role: String) -> Result<Member, AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| {
        projects::add_member(&pool, caller.as_ref(), &slug, &email, &role).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "project/members/role")]
pub async fn set_member_role(slug: String, email: String, role: String) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| {
        projects::set_member_role(&pool, caller.as_ref(), &slug, &email, &role).await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "project/members/remove")]
pub async fn remove_member(slug: String, email: String) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| projects::remove_member(&pool, caller.as_ref(), &slug, &email).await)
        .await
}

/// The caller's pending invitations (projects someone else's import named them in).
#[server(prefix = "/api/fn", endpoint = "projects/invitations")]
pub async fn my_invitations() -> Result<Vec<Invitation>, AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| projects::invitations(&pool, caller.as_ref()).await).await
}

/// Accepts (`accept` true) or declines an invitation to the project `slug`.
#[server(prefix = "/api/fn", endpoint = "projects/invitations/answer")]
pub async fn answer_invitation(slug: String, accept: bool) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::projects;
    serve(async |pool, caller| {
        projects::answer_invitation(&pool, caller.as_ref(), &slug, accept).await
    })
    .await
}
