//! Integrations (CI and code hosts) in the project settings. Owners only.
//!
//! Every function here is listed in the authorization table in `server/tests/http/authz.rs`.

use crate::error::AppError;
use crate::model::hooks::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "hooks/list")]
pub async fn list_integrations(slug: String) -> Result<Vec<Integration>, AppError> {
    use super::ssr::serve;
    use crate::service::hooks;
    serve(async |pool, caller| hooks::list(&pool, caller.as_ref(), &slug).await).await
}

#[server(prefix = "/api/fn", endpoint = "hooks/create")]
pub async fn create_integration(
    slug: String,
    provider: String,
    name: String,
) -> Result<WithSecret, AppError> {
    use super::ssr::serve;
    use crate::service::hooks;
    serve(async |pool, caller| hooks::create(&pool, caller.as_ref(), &slug, &provider, &name).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "hooks/rotate")]
pub async fn rotate_integration(slug: String, id: Uuid) -> Result<WithSecret, AppError> {
    use super::ssr::serve;
    use crate::service::hooks;
    serve(async |pool, caller| hooks::rotate(&pool, caller.as_ref(), &slug, id).await).await
}

#[server(prefix = "/api/fn", endpoint = "hooks/update", input = Json)]
pub async fn update_integration(
    slug: String,
    id: Uuid,
    settings: IntegrationSettings,
) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::hooks;
    serve(async |pool, caller| hooks::update(&pool, caller.as_ref(), &slug, id, &settings).await)
        .await
}

#[server(prefix = "/api/fn", endpoint = "hooks/remove")]
pub async fn remove_integration(slug: String, id: Uuid) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::hooks;
    serve(async |pool, caller| hooks::remove(&pool, caller.as_ref(), &slug, id).await).await
}
