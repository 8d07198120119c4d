//! Accounts: who am I, register, sign in and out, password, API tokens. None of these is
//! project-scoped; each resolves the caller itself.

use crate::error::AppError;
use crate::model::accounts::*;
use leptos::prelude::*;
use uuid::Uuid;

#[server(prefix = "/api/fn", endpoint = "me")]
pub async fn me() -> Result<Option<Account>, AppError> {
    use super::ssr::serve;
    use crate::service::accounts;
    serve(async |pool, caller| accounts::me(&pool, caller.as_ref()).await).await
}

#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    email: String,
    display_name: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::ssr::{auth_config, client_addr, finish, pool, sign_in_as};
    use crate::service::accounts;
    finish(
        async {
            let pool = pool()?;
            let user = accounts::sign_up(
                &pool,
                &auth_config(),
                &email,
                &display_name,
                &password,
                &client_addr(),
            )
            .await?;
            sign_in_as(&pool, user.id, next.as_deref()).await
        }
        .await,
    )
}

/// Whether this instance lets strangers register (the sign-up page asks).
#[server(prefix = "/api/fn", endpoint = "registration")]
pub async fn registration_status() -> Result<Registration, AppError> {
    use super::ssr::{auth_config, finish};
    finish(Ok(auth_config().registration))
}

#[server(prefix = "/api/fn", endpoint = "log_in")]
pub async fn log_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::ssr::{client_addr, finish, pool, sign_in_as};
    use crate::service::accounts;
    finish(
        async {
            let pool = pool()?;
            let user = accounts::log_in(&pool, &email, &password, &client_addr()).await?;
            sign_in_as(&pool, user.id, next.as_deref()).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    use super::ssr::{auth_config, caller, finish, pool};
    use crate::auth;
    finish(
        async {
            let pool = pool()?;
            crate::service::accounts::log_out(&pool, caller().await?.as_ref()).await?;
            let response = expect_context::<leptos_axum::ResponseOptions>();
            response.append_header(
                http::header::SET_COOKIE,
                http::HeaderValue::from_str(&auth::clear_session_cookie(&auth_config()))
                    .map_err(|e| AppError::internal("session cookie not a header value", e))?,
            );
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use super::ssr::{client_addr, serve};
    use crate::service::accounts;
    let addr = client_addr();
    serve(async |pool, caller| {
        accounts::change_password(
            &pool,
            caller.as_ref(),
            &current_password,
            &new_password,
            &addr,
        )
        .await
    })
    .await
}

#[server(prefix = "/api/fn", endpoint = "account/tokens")]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    use super::ssr::serve;
    use crate::service::accounts;
    serve(async |pool, caller| accounts::tokens(&pool, caller.as_ref()).await).await
}

#[server(prefix = "/api/fn", endpoint = "account/tokens/create")]
pub async fn create_token(name: String) -> Result<NewToken, AppError> {
    use super::ssr::serve;
    use crate::service::accounts;
    serve(async |pool, caller| accounts::create_token(&pool, caller.as_ref(), &name).await).await
}

#[server(prefix = "/api/fn", endpoint = "account/tokens/revoke")]
pub async fn revoke_token(id: Uuid) -> Result<(), AppError> {
    use super::ssr::serve;
    use crate::service::accounts;
    serve(async |pool, caller| accounts::revoke_token(&pool, caller.as_ref(), id).await).await
}
