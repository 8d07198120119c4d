//! Registering, signing in, passwords and API tokens.

use crate::auth::{self, Caller};
use crate::db::users::{self as db, TokenRow, UserRow};
use crate::domain::account::initials_of;
use crate::domain::Permission;
use crate::domain::{DisplayName, Email, Password};
use crate::error::{from_constraint, AppError, FieldErrors};
use crate::model::accounts::{Account, IncrementNow, NewToken, Registration, ShellData, TokenInfo};
use sqlx::PgPool;
use uuid::Uuid;

// Throttling password guesses. An attempt is recorded *before* the password is hashed
// (see `db::reserve_password_attempt`), so concurrent guesses are counted one by one; a
// right password forgives that address's attempts for the account. The limits are layered
// so that a stranger cannot lock someone out:
// - per account and address: 5 a minute. A guesser from one address is slowed to 5 a minute
//   for the account, while the owner, from another address, still signs in.
// - per address, any account: 20 a minute (against trying a few passwords on many accounts).
// - per account, any address: 100 in 15 minutes. One address can make at most 75 attempts
//   in that time, so only a guesser with several addresses can reach this ceiling, and then
//   the account waits (right password or not) until the window has passed: a slow lock-out is
//   the price of capping distributed guessing at 100 guesses per 15 minutes.

/// Password attempts allowed per account and client address in [`SHORT_WINDOW_SECS`].
pub const MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Password attempts allowed per client address, for any accounts, in [`SHORT_WINDOW_SECS`].
pub const MAX_ATTEMPTS_PER_ADDRESS: i64 = 20;
pub const SHORT_WINDOW_SECS: f64 = 60.0;
/// Password attempts allowed per account, from any addresses, in [`LONG_WINDOW_SECS`].
pub const MAX_ATTEMPTS_PER_ACCOUNT: i64 = 100;
pub const LONG_WINDOW_SECS: f64 = 15.0 * 60.0;
/// Registrations allowed per client address in [`REGISTRATION_WINDOW_SECS`], unless the
/// instance says otherwise (`AuthConfig::registrations_per_hour`).
pub const MAX_REGISTRATIONS_PER_ADDRESS: i64 = 20;
pub const REGISTRATION_WINDOW_SECS: f64 = 3600.0;

/// Longer than any email an account can have (see `Email::parse`).
const EMAIL_MAX_CHARS: usize = 254;

// The per-account ceiling is there against guessing from many addresses: one address alone,
// held to its own limit, must not be able to reach it (and lock the owner out). Checked when
// compiling, so a change of the limits cannot break it unnoticed.
const _: () = assert!(
    MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS * ((LONG_WINDOW_SECS / SHORT_WINDOW_SECS) as i64)
        < MAX_ATTEMPTS_PER_ACCOUNT
);

/// The caller's account with their unread notifications counted (the header, `/me`).
pub async fn me(pool: &PgPool, caller: Option<&Caller>) -> Result<Option<Account>, AppError> {
    let Some(c) = caller else {
        return Ok(None);
    };
    let mut account = Account::from(c);
    account.unread = super::comments::unread(pool, Some(c)).await?;
    Ok(Some(account))
}

/// The app shell's data: the account (as [`me`]), the account's projects, and, when a page
/// of a project the caller belongs to is open, its current increment with the business days
/// left. A project the caller cannot read shows no increment (its page says why). One
/// statement past the membership check, which the page's own reads share.
pub async fn shell(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: Option<&str>,
) -> Result<Option<ShellData>, AppError> {
    let Some(c) = caller else {
        return Ok(None);
    };
    let access = match slug {
        Some(slug) => match super::access(pool, caller, slug, Permission::Read).await {
            Ok(access) => Some(access),
            Err(AppError::NotFound | AppError::Forbidden) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let today = c.clock.today();
    let row = crate::db::projects::shell(pool, c.id, access.as_ref().map(|a| a.project.id), today)
        .await?;
    let increment = match (&access, row.increment_id, row.ends_on) {
        (Some(access), Some(id), Some(ends_on)) => {
            let calendar = super::sprints::calendar_with(access, row.holidays.unwrap_or_default())?;
            Some(IncrementNow {
                id,
                label: format!(
                    "{} · {}",
                    row.sprint_name.unwrap_or_default(),
                    row.number.unwrap_or_default()
                ),
                days_left: calendar.count_business_days(today, ends_on),
                ended: today > ends_on,
            })
        }
        _ => None,
    };
    let mut account = Account::from(c);
    account.unread = row.unread;
    Ok(Some(ShellData {
        account,
        projects: row.slugs.into_iter().zip(row.names).collect(),
        increment,
    }))
}

const WRONG_CREDENTIALS: &str = "that email and password do not match an account";

impl From<&Caller> for Account {
    fn from(c: &Caller) -> Self {
        Account {
            email: c.email.clone(),
            display_name: c.display_name.clone(),
            initials: initials_of(&c.display_name),
            unread: 0,
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
/// Neither throttled nor refused when registration is closed: this is also the administrator's
/// way in (`server create-user`); strangers come through [`sign_up`].
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

/// What a stranger sees when registration is closed.
pub const REGISTRATION_CLOSED: &str =
    "registration is closed on this Cadence: ask the person who runs it \
     to create an account for you";

/// Registration from the sign-up page: refused when the instance is closed, and limited per
/// client address (every attempt counts, whether an account was made or not: the limit is
/// there against mass sign-ups and against probing which emails have accounts).
#[tracing::instrument(skip(pool, password), err(level = "info"))]
pub async fn sign_up(
    pool: &PgPool,
    config: &crate::auth::AuthConfig,
    email: &str,
    display_name: &str,
    password: &str,
    client_addr: &str,
) -> Result<UserRow, AppError> {
    if config.registration == Registration::Closed {
        return Err(AppError::Refused(REGISTRATION_CLOSED.into()));
    }
    if !db::reserve_registration(
        pool,
        client_addr,
        REGISTRATION_WINDOW_SECS,
        config.registrations_per_hour,
    )
    .await?
    {
        tracing::warn!(client_addr, "registration throttled");
        return Err(AppError::TooManyRequests);
    }
    register(pool, email, display_name, password).await
}

/// The key password attempts are counted under: the email as the account is found by.
fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks a password for the account `key` (see [`account_key`]) from `client_addr`, under
/// the throttle: the attempt is recorded before the (slow) check, and forgiven if right.
/// `None` as the stored hash checks against a dummy one (an unknown email).
async fn checked_password(
    pool: &PgPool,
    key: &str,
    client_addr: &str,
    password: &str,
    stored: Option<String>,
) -> Result<bool, AppError> {
    let reserved = db::reserve_password_attempt(
        pool,
        key,
        client_addr,
        SHORT_WINDOW_SECS,
        LONG_WINDOW_SECS,
        |seen| {
            let allowed = seen.pair < MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS
                && seen.address < MAX_ATTEMPTS_PER_ADDRESS
                && seen.account < MAX_ATTEMPTS_PER_ACCOUNT;
            if !allowed {
                tracing::warn!(?seen, "password attempt throttled");
            }
            allowed
        },
    )
    .await?;
    if reserved.is_none() {
        return Err(AppError::TooManyRequests);
    }
    let ok = auth::verify_password(password.to_owned(), stored).await;
    if ok {
        db::forgive_password_attempts(pool, key, client_addr).await?;
    }
    Ok(ok)
}

/// Checks an email and password, throttled (see the limits above). An unknown email and a
/// wrong password get the same answer, in the same time.
#[tracing::instrument(skip(pool, password), err(level = "info"))]
pub async fn log_in(
    pool: &PgPool,
    email: &str,
    password: &str,
    client_addr: &str,
) -> Result<UserRow, AppError> {
    let key = account_key(email);
    if key.is_empty() {
        return Err(AppError::validation("email", "enter your email address"));
    }
    if key.chars().count() > EMAIL_MAX_CHARS {
        // No account has such an email: nothing to guess, nothing to record.
        return Err(AppError::validation("password", WRONG_CREDENTIALS));
    }
    let (user, hash) = match db::find_with_hash(pool, &key).await? {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let ok = checked_password(pool, &key, client_addr, password, hash).await?;
    match user {
        Some(user) if ok => Ok(user),
        _ => Err(AppError::validation("password", WRONG_CREDENTIALS)),
    }
}

/// Ends the caller's session, if they are signed in with one (a token has none).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn log_out(pool: &PgPool, caller: Option<&Caller>) -> Result<(), AppError> {
    if let Some(session) = caller.and_then(|c| c.session.as_ref()) {
        db::delete_session(pool, session).await?;
    }
    Ok(())
}

/// Changes the caller's password after checking the current one (throttled like signing
/// in: the check is a password guess too), signs out every other session of theirs and
/// revokes their API tokens (a changed password usually means a worry).
#[tracing::instrument(skip(pool, caller, current, new), err(level = "info"))]
pub async fn change_password(
    pool: &PgPool,
    caller: Option<&Caller>,
    current: &str,
    new: &str,
    client_addr: &str,
) -> Result<(), AppError> {
    let caller = super::signed_in(caller)?;
    let new = Password::parse(new).map_err(|e| AppError::validation("new_password", e))?;
    let stored = db::password_hash(pool, caller.id).await?;
    let key = account_key(&caller.email);
    if !checked_password(pool, &key, client_addr, current, Some(stored)).await? {
        return Err(AppError::validation(
            "current_password",
            "that is not your current password",
        ));
    }
    replace_password(pool, caller.id, &new, caller.session.as_ref()).await?;
    Ok(())
}

/// Sets a password without the old one (the admin command line), signing the account out
/// everywhere and revoking its API tokens.
pub async fn reset_password(
    pool: &PgPool,
    email: &str,
    new: &str,
) -> Result<db::SignedOut, AppError> {
    let user = find(pool, email).await?;
    let new = Password::parse(new).map_err(|e| AppError::validation("password", e))?;
    replace_password(pool, user.id, &new, None).await
}

/// The new password, with every session but `keep` ended and every API token revoked, in
/// one transaction: no token made with the old password outlives it.
async fn replace_password(
    pool: &PgPool,
    user_id: Uuid,
    new: &Password,
    keep: Option<&[u8; 32]>,
) -> Result<db::SignedOut, AppError> {
    let hash = auth::hash_password(new).await?;
    Ok(db::replace_password(pool, user_id, &hash, keep.map(|h| &h[..])).await?)
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

/// What a caller without a browser session (an API token) is told when making a token.
pub const TOKENS_NEED_A_SESSION: &str = "API tokens can only be created from the account page \
     while signed in, or by the administrator with `server create-token`; an API token cannot \
     create tokens";

/// A new API token for the signed-in caller. Only a browser session may make one: a stolen
/// token must not be able to mint others that outlive its revocation.
pub async fn create_token(
    pool: &PgPool,
    caller: Option<&Caller>,
    name: &str,
) -> Result<NewToken, AppError> {
    let caller = super::signed_in(caller)?;
    if caller.session.is_none() {
        return Err(AppError::Refused(TOKENS_NEED_A_SESSION.into()));
    }
    issue_token(pool, caller.id, name).await
}

/// A new API token for the account (the admin command line, and [`create_token`]); the
/// secret is in the answer and nowhere else.
#[tracing::instrument(skip(pool), err(level = "info"))]
pub async fn issue_token(pool: &PgPool, user_id: Uuid, name: &str) -> Result<NewToken, AppError> {
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
