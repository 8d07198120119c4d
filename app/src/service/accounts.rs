//! Registering, signing in, passwords and API tokens.

use crate::auth::{self, Caller};
use crate::db::users::{self as db, TokenRow, UserRow};
use crate::domain::account::initials_of;
use crate::domain::{DisplayName, Email, Password};
use crate::error::{from_constraint, AppError, FieldErrors};
use crate::model::accounts::{Account, NewToken, TokenInfo};
use sqlx::PgPool;
use uuid::Uuid;

/// Failed log-ins allowed per account, and per client address, in [`THROTTLE_WINDOW_SECS`].
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_SECS: f64 = 60.0;

const WRONG_CREDENTIALS: &str = "that email and password do not match an account";

impl From<&Caller> for Account {
    fn from(c: &Caller) -> Self {
        Account {
            email: c.email.clone(),
            display_name: c.display_name.clone(),
            initials: initials_of(&c.display_name),
        }
    }
}

impl From<TokenRow> for TokenInfo {
    fn from(row: TokenRow) -> Self {
        TokenInfo {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// Creates an account. Every field is checked and all problems are reported together.
#[tracing::instrument(skip(pool, password), err(level = "info"))]
pub async fn register(
    pool: &PgPool,
    email: &str,
    display_name: &str,
    password: &str,
) -> Result<UserRow, AppError> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(email).map_err(|e| errors.add("email", e)).ok();
    let name = DisplayName::parse(display_name)
        .map_err(|e| errors.add("display_name", e))
        .ok();
    let password = Password::parse(password)
        .map_err(|e| errors.add("password", e))
        .ok();
    let (Some(email), Some(name), Some(password)) = (email, name, password) else {
        return Err(AppError::Validation(errors));
    };
    let hash = auth::hash_password(&password).await?;
    db::insert(
        pool,
        email.as_str(),
        &email.normalized(),
        name.as_str(),
        &hash,
    )
    .await
    .map_err(|e| {
        from_constraint(
            e,
            &[(
                "app_user_email_key",
                "email",
                "an account with this email already exists",
            )],
        )
    })
}

/// Checks an email and password, throttling failures per account and per client address.
/// An unknown email and a wrong password get the same answer, in the same time.
#[tracing::instrument(skip(pool, password), err(level = "info"))]
pub async fn log_in(
    pool: &PgPool,
    email: &str,
    password: &str,
    client_addr: &str,
) -> Result<UserRow, AppError> {
    let normalized = email.trim().to_lowercase();
    if normalized.is_empty() {
        return Err(AppError::validation("email", "enter your email address"));
    }
    let (by_email, by_addr) =
        db::recent_failures(pool, &normalized, client_addr, THROTTLE_WINDOW_SECS).await?;
    if by_email >= MAX_FAILURES_PER_ACCOUNT || by_addr >= MAX_FAILURES_PER_ADDRESS {
        tracing::warn!(by_email, by_addr, "log-in throttled");
        return Err(AppError::TooManyRequests);
    }
    let found = db::find_with_hash(pool, &normalized).await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let ok = auth::verify_password(password.to_owned(), hash).await;
    match user {
        Some(user) if ok => {
            db::clear_failures(pool, &normalized).await?;
            Ok(user)
        }
        _ => {
            db::record_failure(pool, &normalized, client_addr).await?;
            Err(AppError::validation("password", WRONG_CREDENTIALS))
        }
    }
}

/// Ends the caller's session, if they are signed in with one (a token has none).
#[tracing::instrument(skip(pool, caller), err)]
pub async fn log_out(pool: &PgPool, caller: Option<&Caller>) -> Result<(), AppError> {
    if let Some(session) = caller.and_then(|c| c.session.as_ref()) {
        db::delete_session(pool, session).await?;
    }
    Ok(())
}

/// Changes the caller's password after checking the current one, and signs out every other
/// session of theirs (a changed password usually means a worry).
#[tracing::instrument(skip(pool, caller, current, new), err(level = "info"))]
pub async fn change_password(
    pool: &PgPool,
    caller: Option<&Caller>,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let caller = super::signed_in(caller)?;
    let new = Password::parse(new).map_err(|e| AppError::validation("new_password", e))?;
    let stored = db::password_hash(pool, caller.id).await?;
    if !auth::verify_password(current.to_owned(), Some(stored)).await {
        return Err(AppError::validation(
            "current_password",
            "that is not your current password",
        ));
    }
    set_password(pool, caller.id, &new).await?;
    db::delete_other_sessions(pool, caller.id, caller.session.as_ref().map(|h| &h[..])).await?;
    Ok(())
}

/// Sets a password without the old one (the admin command line), signing out everywhere.
pub async fn reset_password(pool: &PgPool, email: &str, new: &str) -> Result<(), AppError> {
    let user = find(pool, email).await?;
    let new = Password::parse(new).map_err(|e| AppError::validation("password", e))?;
    set_password(pool, user.id, &new).await?;
    db::delete_other_sessions(pool, user.id, None).await?;
    Ok(())
}

async fn set_password(pool: &PgPool, user_id: Uuid, new: &Password) -> Result<(), AppError> {
    let hash = auth::hash_password(new).await?;
    db::set_password(pool, user_id, &hash).await?;
    Ok(())
}

/// The account with this email (the admin command line).
pub async fn find(pool: &PgPool, email: &str) -> Result<UserRow, AppError> {
    let email = Email::parse(email).map_err(|e| AppError::validation("email", e))?;
    db::find_by_email(pool, &email.normalized())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn tokens(pool: &PgPool, caller: Option<&Caller>) -> Result<Vec<TokenInfo>, AppError> {
    let caller = super::signed_in(caller)?;
    Ok(db::tokens(pool, caller.id)
        .await?
        .into_iter()
        .map(TokenInfo::from)
        .collect())
}

/// A new API token for the account; the secret is in the answer and nowhere else.
#[tracing::instrument(skip(pool), err(level = "info"))]
pub async fn create_token(pool: &PgPool, user_id: Uuid, name: &str) -> Result<NewToken, AppError> {
    let name = DisplayName::parse(name).map_err(|e| AppError::validation("name", e))?;
    let token = auth::new_api_token();
    let prefix: String = token.chars().take(12).collect();
    let row = db::create_token(pool, user_id, name.as_str(), &auth::digest(&token), &prefix)
        .await
        .map_err(|e| {
            from_constraint(
                e,
                &[(
                    "api_token_user_name_key",
                    "name",
                    "you already have a token with this name",
                )],
            )
        })?;
    Ok(NewToken {
        token,
        info: row.into(),
    })
}

pub async fn revoke_token(
    pool: &PgPool,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<(), AppError> {
    let caller = super::signed_in(caller)?;
    if db::revoke_token(pool, caller.id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
