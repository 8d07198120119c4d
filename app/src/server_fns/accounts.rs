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

/// The app shell around every page: the account, its projects, and the open project's
/// current increment (`slug`, when a project page is open).
#[server(prefix = "/api/fn", endpoint = "shell")]
pub async fn shell(slug: Option<String>) -> Result<Option<ShellData>, AppError> {
    use super::ssr::serve;
    use crate::service::accounts;
    serve(async |pool, caller| accounts::shell(&pool, caller.as_ref(), slug.as_deref()).await).await
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

/// Whether this server sends email (`CADENCE_SMTP_URL`), as the server was started.
#[cfg(feature = "ssr")]
fn email_available() -> bool {
    use_context::<crate::service::email::EmailAvailable>()
        .unwrap_or_default()
        .0
}

#[server(prefix = "/api/fn", endpoint = "account/email")]
pub async fn my_email_prefs() -> Result<EmailPrefs, AppError> {
    use super::ssr::serve;
    use crate::service::email;
    let available = email_available();
    serve(async |pool, caller| email::prefs(&pool, caller.as_ref(), available).await).await
}

/// Which kinds of notification the caller gets by email: a checkbox per kind, named by the
/// kind (the form sends the checked ones).
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "account/email/set")]
pub async fn set_email_prefs(
    mention: Option<String>,
    assigned: Option<String>,
    comment: Option<String>,
    blocked: Option<String>,
    done: Option<String>,
    increment_started: Option<String>,
    increment_closed: Option<String>,
) -> Result<EmailPrefs, AppError> {
    use super::ssr::serve;
    use crate::service::email;
    let available = email_available();
    let on: Vec<String> = [
        ("mention", mention),
        ("assigned", assigned),
        ("comment", comment),
        ("blocked", blocked),
        ("done", done),
        ("increment_started", increment_started),
        ("increment_closed", increment_closed),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(k, _)| k.to_owned())
    .collect();
    serve(async |pool, caller| email::set_prefs(&pool, caller.as_ref(), available, &on).await).await
}
