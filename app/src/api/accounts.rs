//! Accounts: who am I, register, sign in and out, password, API tokens. None of these is
//! project-scoped; each resolves the caller itself.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Account {
    pub email: String,
    pub display_name: String,
    pub initials: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    /// The secret itself: shown once, never stored.
    pub token: String,
    pub info: TokenInfo,
}

/// Where to go after signing in: a path on this site only, so a crafted link cannot send
/// people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/projects".to_owned(),
    }
}

#[server(prefix = "/api/fn", endpoint = "me")]
pub async fn me() -> Result<Option<Account>, AppError> {
    use super::ssr::{caller, finish};
    finish(caller().await.map(|c| c.as_ref().map(Account::from)))
}

#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    email: String,
    display_name: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::ssr::{finish, pool, sign_in_as};
    use crate::service::accounts;
    finish(
        async {
            let pool = pool()?;
            let user = accounts::register(&pool, &email, &display_name, &password).await?;
            sign_in_as(&pool, user.id, next.as_deref()).await
        }
        .await,
    )
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
            if let Some(session) = caller().await?.and_then(|c| c.session) {
                crate::db::users::delete_session(&pool, &session).await?;
            }
            let response = expect_context::<leptos_axum::ResponseOptions>();
            response.append_header(
                http::header::SET_COOKIE,
                http::HeaderValue::from_str(&auth::clear_session_cookie(&auth_config()))
                    .map_err(|_| AppError::Internal)?,
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
    use super::ssr::{caller, finish, pool};
    use crate::service::accounts;
    finish(
        async {
            let pool = pool()?;
            let caller = caller().await?;
            accounts::change_password(&pool, caller.as_ref(), &current_password, &new_password)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "account/tokens")]
pub async fn list_tokens() -> Result<Vec<TokenInfo>, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::accounts;
    finish(
        async {
            let pool = pool()?;
            accounts::tokens(&pool, caller().await?.as_ref()).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "account/tokens/create")]
pub async fn create_token(name: String) -> Result<NewToken, AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::{accounts, signed_in};
    finish(
        async {
            let pool = pool()?;
            let caller = caller().await?;
            let caller = signed_in(caller.as_ref())?;
            accounts::create_token(&pool, caller.id, &name).await
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "account/tokens/revoke")]
pub async fn revoke_token(id: Uuid) -> Result<(), AppError> {
    use super::ssr::{caller, finish, pool};
    use crate::service::accounts;
    finish(
        async {
            let pool = pool()?;
            accounts::revoke_token(&pool, caller().await?.as_ref(), id).await
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/p/shop/settings")), "/p/shop/settings");
        assert_eq!(safe_next(Some("//evil.example/")), "/projects");
        assert_eq!(safe_next(Some("https://evil.example/")), "/projects");
        assert_eq!(safe_next(Some("/\\evil.example")), "/projects");
        assert_eq!(safe_next(None), "/projects");
    }
}
