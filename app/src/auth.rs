//! Who is calling: password hashing, session and API-token secrets, and resolving a request
//! to an account. Server only.
//!
//! Sessions live in our own `user_session` table rather than a session crate: all a session
//! holds is "this browser is this account until then", and a table we own gives us sign-out
//! everywhere on a password change, token-style hashing of the cookie value, and no second
//! serialised blob format to migrate later.

use crate::clock::Clock;
use crate::db::projects::Membership;
use crate::db::users::{self as db, UserRow};
use crate::domain::Password;
use crate::error::AppError;
use crate::model::accounts::Registration;
use argon2::password_hash::{rand_core::OsRng, rand_core::RngCore, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "cadence_session";
pub const API_TOKEN_PREFIX: &str = "cad_";

/// Settings for how callers are identified; provided by the server to every request.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Mark the session cookie `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_proxy: bool,
    pub session_days: i64,
    /// Whether strangers may register, or only the administrator makes accounts.
    pub registration: Registration,
    /// How many accounts one client address may register in an hour.
    pub registrations_per_hour: i64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            secure_cookies: false,
            trust_proxy: false,
            session_days: 30,
            registration: Registration::Open,
            registrations_per_hour: crate::service::accounts::MAX_REGISTRATIONS_PER_ADDRESS,
        }
    }
}

/// A signed-in account making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// The SHA-256 of the session cookie, when the caller came with one (not a token).
    pub session: Option<[u8; 32]>,
    /// The server's clock: every service takes the time from here (see `crate::clock`).
    pub clock: Clock,
    /// The memberships already read during this request (see [`Memberships`]).
    pub memberships: Memberships,
}

/// The caller's memberships read so far in one request, so that a page whose server
/// functions and resources each check access to the same project reads it once. Shared by
/// the clones of one request's caller; empty for a new request. `service::access` fills it
/// for reads and empties it before any change, so nothing read after a change in the same
/// request is older than the change.
#[derive(Clone, Default)]
pub struct Memberships(Arc<Mutex<Vec<(String, Membership)>>>);

impl Memberships {
    pub fn get(&self, slug: &str) -> Option<Membership> {
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        known
            .iter()
            .find(|(s, _)| s == slug)
            .map(|(_, m)| m.clone())
    }

    pub fn remember(&self, slug: &str, membership: &Membership) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        known.retain(|(s, _)| s != slug);
        known.push((slug.to_owned(), membership.clone()));
    }

    pub fn forget(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl std::fmt::Debug for Memberships {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memberships")
    }
}

/// A cache, not part of who the caller is.
impl PartialEq for Memberships {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Memberships {}

impl Caller {
    fn from_row(row: UserRow, session: Option<[u8; 32]>, clock: &Clock) -> Caller {
        Caller {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            session,
            clock: clock.clone(),
            memberships: Memberships::default(),
        }
    }
}

// --- passwords --------------------------------------------------------------------------

/// Argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane. About
/// 45 ms per hash on one core of the 2-core machines this is built on, so a burst of
/// sign-ins cannot exhaust the server, while each guess costs an attacker the same.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on a blocking thread: the work is CPU-bound and would stall other requests.
pub async fn hash_password(password: &Password) -> Result<String, AppError> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::internal("password hashing task failed", e))?
    .map_err(|e| AppError::internal("password hashing failed", e))
}

/// Checks a password against a stored hash. With no stored hash (unknown email) it checks
/// against a dummy one, so both cases take the same time and answer the same.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"not anybody's password", &salt)
            .expect("hashing a constant")
            .to_string()
    })
}

// --- secrets ----------------------------------------------------------------------------

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is stored for a session cookie or API token: its SHA-256. The secrets are 256
/// random bits, so a fast hash is enough (nothing to brute-force), unlike passwords.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A new API token: `cad_` and 64 hex digits.
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_hex(32))
}

/// A new webhook secret for an integration: 64 hex digits.
pub fn new_hook_secret() -> String {
    random_hex(32)
}

/// Starts a session for the account and returns the cookie value.
pub async fn start_session(
    pool: &PgPool,
    user_id: Uuid,
    config: &AuthConfig,
) -> Result<String, AppError> {
    let secret = random_hex(32);
    // Sessions live on the database's clock, which also decides when they have expired.
    db::create_session(pool, &digest(&secret), user_id, config.session_days).await?;
    Ok(secret)
}

pub fn session_cookie(secret: &str, config: &AuthConfig) -> String {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        config.session_days * 24 * 3600
    )
}

pub fn clear_session_cookie(config: &AuthConfig) -> String {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

// --- resolving a request ----------------------------------------------------------------

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The account behind a request: an `Authorization: Bearer` API token if one is given
/// (a wrong token is an error, not a silent fall-back), otherwise the session cookie.
///
/// When the request is about a project (`slug`), the caller's membership of it is read in
/// the same statement and remembered with the caller (see [`Memberships`]), so the
/// request's first access check needs no query of its own.
pub async fn resolve(
    pool: &PgPool,
    headers: &HeaderMap,
    clock: &Clock,
    slug: Option<&str>,
) -> Result<Option<Caller>, AppError> {
    let remember = |(row, membership): (UserRow, Option<Membership>), session: Option<[u8; 32]>| {
        let caller = Caller::from_row(row, session, clock);
        if let (Some(slug), Some(m)) = (slug, membership) {
            caller.memberships.remember(slug, &m);
        }
        caller
    };
    if headers.contains_key(http::header::AUTHORIZATION) {
        let token = bearer(headers).ok_or(AppError::Unauthorized)?;
        let found = db::caller(pool, db::Credential::Token(&digest(token)), slug).await?;
        return found
            .map(|found| Some(remember(found, None)))
            .ok_or(AppError::Unauthorized);
    }
    let Some(secret) = cookie(headers, SESSION_COOKIE).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let hash = digest(secret);
    Ok(db::caller(pool, db::Credential::Session(&hash), slug)
        .await?
        .map(|found| remember(found, Some(hash))))
}

/// The caller of one request, looked up at most once however many server functions,
/// resources, extractors and middlewares ask: the server puts a new one in every request's
/// extensions, and [`caller_of`] reads through it. It knows which project the request is
/// about when its path says so (`/p/{slug}/…`, `/api/v1/projects/{slug}/…`).
#[derive(Clone, Default)]
pub struct RequestCaller {
    cell: Arc<tokio::sync::OnceCell<Result<Option<Caller>, AppError>>>,
    slug: Option<String>,
}

impl RequestCaller {
    /// The request's caller-to-be, with the project its path names.
    pub fn for_path(path: &str) -> RequestCaller {
        let slug = path
            .strip_prefix("/p/")
            .or_else(|| path.strip_prefix("/api/v1/projects/"))
            .and_then(|rest| rest.split('/').next())
            .filter(|s| !s.is_empty() && *s != "import")
            .map(str::to_owned);
        RequestCaller {
            cell: Arc::default(),
            slug,
        }
    }
}

/// The caller of a request: through its [`RequestCaller`] when it has one (one look-up per
/// request), otherwise looked up now.
pub async fn caller_of(
    pool: &PgPool,
    headers: &HeaderMap,
    extensions: &http::Extensions,
    clock: &Clock,
) -> Result<Option<Caller>, AppError> {
    match extensions.get::<RequestCaller>() {
        Some(request) => request
            .cell
            .get_or_init(|| resolve(pool, headers, clock, request.slug.as_deref()))
            .await
            .clone(),
        None => resolve(pool, headers, clock, None).await,
    }
}

/// The address failed log-ins are counted against.
pub fn client_addr(headers: &HeaderMap, peer: Option<SocketAddr>, trust_proxy: bool) -> String {
    if trust_proxy {
        // The rightmost entry is the one our proxy added; anything left of it is what the
        // client claimed, and a client can claim anything.
        if let Some(added) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return added.to_owned();
        }
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hash_password(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(hash.clone())).await);
        // Same password, new salt: a different hash.
        assert_ne!(hash, hash_password(&password).await.unwrap());
        assert!(!verify_password("correct horse battery".into(), None).await);
    }

    #[test]
    fn a_request_knows_its_project_from_the_path() {
        let slug = |p: &str| RequestCaller::for_path(p).slug;
        assert_eq!(slug("/p/dunder/backlog").as_deref(), Some("dunder"));
        assert_eq!(slug("/p/dunder").as_deref(), Some("dunder"));
        assert_eq!(
            slug("/api/v1/projects/dunder/items").as_deref(),
            Some("dunder")
        );
        assert_eq!(slug("/api/v1/projects/import"), None);
        assert_eq!(slug("/api/fn/items/update"), None);
        assert_eq!(slug("/projects"), None);
        assert_eq!(slug("/p/"), None);
    }

    #[test]
    fn cookies_and_bearer_tokens_are_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; cadence_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        headers.insert(http::header::AUTHORIZATION, "Bearer cad_x".parse().unwrap());
        assert_eq!(bearer(&headers), Some("cad_x"));
        headers.insert(http::header::AUTHORIZATION, "Basic eA==".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_lax_and_secure_when_configured() {
        let mut config = AuthConfig::default();
        let plain = session_cookie("s", &config);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        config.secure_cookies = true;
        assert!(session_cookie("s", &config).ends_with("; Secure"));
        assert!(clear_session_cookie(&config).contains("Max-Age=0"));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        // The client claimed 198.51.100.7; our proxy (10.0.0.1) saw 203.0.113.9 and added it.
        headers.insert(
            "x-forwarded-for",
            "198.51.100.7, 203.0.113.9".parse().unwrap(),
        );
        let peer = Some("10.0.0.1:5000".parse().unwrap());
        assert_eq!(client_addr(&headers, peer, true), "203.0.113.9");
        assert_eq!(client_addr(&headers, peer, false), "10.0.0.1");
    }
}
