//! Notifications by email, when the server has SMTP settings (`CADENCE_SMTP_URL`).
//!
//! A notification is made in the change that causes it, flagged to go out by email unless
//! its reader turned that kind off. The request that caused it never waits for email: a
//! loop in each server process ([`run`]) sends what waits, one email per person per batch
//! window at most (the first notification goes at once; what comes within the window waits
//! for its end and goes together). A send that fails is retried with backoff (one minute,
//! doubling, at most an hour; given up after [`MAX_ATTEMPTS`], logged as an error). A
//! process takes a person's turn with a lease in the database, so several processes never
//! send the same batch. Each email ends with links that turn a kind off without signing in:
//! a signed token naming the person and the kinds, checked with the server's own key.

use super::signed_in;
use crate::auth::Caller;
use crate::db::email as db;
use crate::domain::notification::{self as rules, Line, MAX_ATTEMPTS};
use crate::error::AppError;
use crate::model::accounts::{EmailKind, EmailPrefs};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

/// Notifications older than this are never emailed.
const OLDEST: Duration = Duration::days(1);
/// How long a process holds a person's turn while it sends.
const LEASE: Duration = Duration::minutes(5);
/// People served per pass, and notifications per email.
const PEOPLE_PER_PASS: i64 = 50;
const LINES_PER_EMAIL: i64 = 50;
/// The key's name in `server_secret`.
const KEY_NAME: &str = "unsubscribe";

/// What the server was told about sending email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `smtp://`, `smtps://` (see the README), user and password in it.
    pub smtp_url: String,
    /// The sender: `Cadence <cadence@example.com>`.
    pub from: String,
    /// Where people reach this server (links in the email), without a trailing slash.
    pub public_url: String,
    /// At most one email per person within this time.
    pub batch: std::time::Duration,
}

/// Sends notification email; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
    window: Duration,
    /// The server's key for unsubscribe links, read on first use (the server starts while
    /// the database is away).
    key: tokio::sync::OnceCell<Vec<u8>>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.inner.from.to_string())
            .field("public_url", &self.inner.public_url)
            .finish_non_exhaustive()
    }
}

/// Whether this server sends email: provided to the pages' server functions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmailAvailable(pub bool);

impl Mailer {
    /// Checks the settings (an error names what is wrong).
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| format!("CADENCE_SMTP_URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("CADENCE_EMAIL_FROM {:?}: {e}", settings.from))?;
        let window = Duration::from_std(settings.batch)
            .map_err(|e| format!("CADENCE_EMAIL_BATCH_SECS: {e}"))?;
        Ok(Mailer {
            inner: Arc::new(Inner {
                transport,
                from,
                public_url: settings.public_url.trim_end_matches('/').to_owned(),
                window,
                key: tokio::sync::OnceCell::new(),
            }),
        })
    }
}

/// The server's key for unsubscribe links, made the first time.
async fn key(pool: &PgPool) -> Result<Vec<u8>, AppError> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut fresh = [0u8; 32];
    OsRng.fill_bytes(&mut fresh);
    Ok(db::server_secret(pool, KEY_NAME, &fresh).await?)
}

// --- the sending loop ---------------------------------------------------------------------------

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Emails sent.
    pub sent: usize,
    /// Sends that failed (to be retried, or given up).
    pub failed: usize,
    /// Notifications never sent: their reader left the project or turned the kind off.
    pub dropped: usize,
}

/// Sends what waits and is due at `now`.
pub async fn deliver_due(
    pool: &PgPool,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<Pass, AppError> {
    let m = &mailer.inner;
    let oldest = now - OLDEST;
    let sent_before = now - m.window;
    let mut pass = Pass::default();
    for user in db::due(pool, now, sent_before, oldest, PEOPLE_PER_PASS).await? {
        let Some(attempts) = db::claim(pool, user, now, sent_before, now + LEASE).await? else {
            continue;
        };
        send_to(pool, mailer, user, attempts, now, &mut pass).await?;
    }
    Ok(pass)
}

/// Sends one person their batch (their turn is taken).
async fn send_to(
    pool: &PgPool,
    mailer: &Mailer,
    user: Uuid,
    attempts: i32,
    now: DateTime<Utc>,
    pass: &mut Pass,
) -> Result<(), AppError> {
    let m = &mailer.inner;
    let Some(person) = db::recipient(pool, user).await? else {
        return Ok(());
    };
    let waiting = db::waiting(pool, user, now - OLDEST, LINES_PER_EMAIL).await?;
    // Left the project, or turned the kind off since: never sent.
    let (keep, drop): (Vec<_>, Vec<_>) = waiting
        .into_iter()
        .partition(|w| w.visible && !person.muted.contains(&w.kind));
    if !drop.is_empty() {
        let ids: Vec<i64> = drop.iter().map(|w| w.id).collect();
        let mut conn = pool.acquire().await?;
        db::done(&mut conn, &ids).await?;
        pass.dropped += ids.len();
    }
    if keep.is_empty() {
        db::release(pool, user).await?;
        return Ok(());
    }
    let lines: Vec<Line> = keep
        .iter()
        .map(|w| Line {
            kind: w.kind.clone(),
            summary: w.summary.clone(),
            project: w.project_name.clone(),
            url: format!(
                "{}{}",
                m.public_url,
                super::comments::notification_link(&w.slug, w.item_number, w.comment_id)
            ),
        })
        .collect();
    let kinds = rules::kinds_in(&lines);
    let key = m.key.get_or_try_init(|| key(pool)).await?;
    let link =
        |kinds: &[String]| format!("{}/unsubscribe?t={}", m.public_url, token(key, user, kinds));
    let unsubscribe: Vec<(String, String)> = kinds
        .iter()
        .map(|k| (k.clone(), link(std::slice::from_ref(k))))
        .collect();
    let letter = rules::letter(
        &person.display_name,
        &lines,
        &format!("{}/account#email", m.public_url),
        &unsubscribe,
    );
    let ids: Vec<i64> = keep.iter().map(|w| w.id).collect();
    let outcome = match compose(mailer, &person, &letter, &link(&kinds)) {
        Ok(message) => m.transport.send(message).await.map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => {
            db::sent(pool, user, &ids, now).await?;
            pass.sent += 1;
            tracing::info!(user = %user, notifications = ids.len(), "notification email sent");
        }
        Err(error) => {
            pass.failed += 1;
            let attempts = attempts + 1;
            if attempts >= MAX_ATTEMPTS {
                tracing::error!(user = %user, attempts, %error,
                    "notification email given up after repeated failures");
                db::given_up(pool, user, &ids, &error).await?;
            } else {
                let retry_at = now + rules::retry_after(attempts);
                tracing::warn!(user = %user, attempts, %error, %retry_at,
                    "notification email not sent; it will be tried again");
                db::failed(pool, user, attempts, retry_at, &error).await?;
            }
        }
    }
    Ok(())
}

/// The message itself: plain text, with one-click unsubscribe headers (RFC 8058).
fn compose(
    mailer: &Mailer,
    person: &db::Recipient,
    letter: &rules::Letter,
    unsubscribe_all: &str,
) -> Result<Message, String> {
    let to = Mailbox::new(
        Some(person.display_name.clone()),
        person
            .email
            .parse()
            .map_err(|e| format!("the address {:?}: {e}", person.email))?,
    );
    Message::builder()
        .from(mailer.inner.from.clone())
        .to(to)
        .subject(letter.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe_all}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ))
        .body(letter.body.clone())
        .map_err(|e| e.to_string())
}

/// Sends what is due every `every`, for as long as the process runs. Failures are logged;
/// the loop goes on.
pub async fn run(
    pool: PgPool,
    mailer: Mailer,
    clock: crate::clock::Clock,
    every: std::time::Duration,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = clock.now();
        match deliver_due(&pool, &mailer, now).await {
            Ok(pass) if pass.failed > 0 => {
                tracing::warn!(
                    sent = pass.sent,
                    failed = pass.failed,
                    "notification email pass"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "notification email pass failed"),
        }
    }
}

/// Notifications too old to email are no longer flagged (every process, SMTP or not: the
/// flag's index stays small).
pub async fn forget_old(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(db::forget_before(pool, now - OLDEST).await?)
}

// --- unsubscribe links ---------------------------------------------------------------------------

type HmacSha256 = Hmac<Sha256>;

/// `{user}.{kind-kind}.{mac}`: who, which kinds, and the server's signature of both.
fn token(key: &[u8], user: Uuid, kinds: &[String]) -> String {
    let payload = format!("{user}.{}", kinds.join("-"));
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{payload}.{sig}")
}

/// The person and kinds a token names, if the server signed it.
fn verify(key: &[u8], token: &str) -> Option<(Uuid, Vec<String>)> {
    let (payload, sig) = token.trim().rsplit_once('.')?;
    let (user, kinds) = payload.split_once('.')?;
    let sig: Vec<u8> = (0..sig.len())
        .step_by(2)
        .map(|i| {
            sig.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<_>>()?;
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(payload.as_bytes());
    mac.verify_slice(&sig).ok()?;
    let kinds: Vec<String> = kinds.split('-').map(str::to_owned).collect();
    if kinds.iter().any(|k| !rules::is_kind(k)) {
        return None;
    }
    Some((user.parse().ok()?, kinds))
}

/// What an unsubscribe link turns off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    /// What people call the kinds ("mentions of me").
    pub labels: Vec<String>,
}

fn invalid_link() -> AppError {
    AppError::validation(
        "t",
        "this unsubscribe link is not valid (it may be cut short)",
    )
}

/// What a link would turn off, without doing it (the page that asks to confirm).
pub async fn unsubscribe_preview(pool: &PgPool, token: &str) -> Result<Unsubscribe, AppError> {
    let (_, kinds) = verify(&key(pool).await?, token).ok_or_else(invalid_link)?;
    Ok(Unsubscribe {
        labels: kinds
            .iter()
            .map(|k| rules::kind_label(k).to_owned())
            .collect(),
    })
}

/// Turns off the kinds a link names, for the person it names (no sign-in: the signature is
/// the proof). Doing it twice is fine.
#[tracing::instrument(skip(pool, token), err(level = "info"))]
pub async fn unsubscribe(pool: &PgPool, token: &str) -> Result<Unsubscribe, AppError> {
    let (user, kinds) = verify(&key(pool).await?, token).ok_or_else(invalid_link)?;
    if !db::mute(pool, user, &kinds).await? {
        // The account is gone: nothing will be sent to it anyway.
        tracing::info!(user = %user, "unsubscribe link of a deleted account");
    }
    Ok(Unsubscribe {
        labels: kinds
            .iter()
            .map(|k| rules::kind_label(k).to_owned())
            .collect(),
    })
}

/// An unsubscribe link for a person and kinds, as an email carries it (tests, and the
/// `server` command line).
pub async fn unsubscribe_token(
    pool: &PgPool,
    user: Uuid,
    kinds: &[String],
) -> Result<String, AppError> {
    Ok(token(&key(pool).await?, user, kinds))
}

// --- each person's choice -------------------------------------------------------------------------

fn prefs_of(available: bool, muted: &[String]) -> EmailPrefs {
    EmailPrefs {
        available,
        kinds: rules::KINDS
            .iter()
            .map(|(kind, label)| EmailKind {
                kind: (*kind).to_owned(),
                label: (*label).to_owned(),
                on: !muted.iter().any(|m| m == kind),
            })
            .collect(),
    }
}

/// The caller's email choices.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn prefs(
    pool: &PgPool,
    caller: Option<&Caller>,
    available: bool,
) -> Result<EmailPrefs, AppError> {
    let caller = signed_in(caller)?;
    Ok(prefs_of(available, &db::muted(pool, caller.id).await?))
}

/// Sets which kinds the caller gets email for (every kind not in `on` is off).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn set_prefs(
    pool: &PgPool,
    caller: Option<&Caller>,
    available: bool,
    on: &[String],
) -> Result<EmailPrefs, AppError> {
    let caller = signed_in(caller)?;
    if let Some(bad) = on.iter().find(|k| !rules::is_kind(k)) {
        return Err(AppError::validation(
            "kinds",
            format!(
                "there is no kind of notification called {}",
                crate::domain::Quoted(bad)
            ),
        ));
    }
    let muted: Vec<String> = rules::KINDS
        .iter()
        .map(|(k, _)| (*k).to_owned())
        .filter(|k| !on.contains(k))
        .collect();
    db::set_muted(pool, caller.id, &muted).await?;
    Ok(prefs_of(available, &muted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_person_and_kinds_and_nothing_else() {
        let key = [7u8; 32];
        let user = Uuid::now_v7();
        let kinds = vec!["mention".to_owned(), "comment".to_owned()];
        let t = token(&key, user, &kinds);
        assert_eq!(verify(&key, &t), Some((user, kinds.clone())));
        // Another key, a changed kind, a cut signature, another person: refused.
        assert_eq!(verify(&[8u8; 32], &t), None);
        assert_eq!(verify(&key, &t.replace("comment", "done")), None);
        assert_eq!(verify(&key, &t[..t.len() - 2]), None);
        let other = token(&key, Uuid::now_v7(), &kinds);
        let forged = format!(
            "{}.{}",
            t.rsplit_once('.').unwrap().0,
            other.rsplit_once('.').unwrap().1
        );
        assert_eq!(verify(&key, &forged), None);
        assert_eq!(verify(&key, "garbage"), None);
        assert_eq!(verify(&key, "a.b.ç"), None);
    }

    #[test]
    fn prefs_list_every_kind_on_unless_muted() {
        let p = prefs_of(true, &["comment".to_owned()]);
        assert_eq!(p.kinds.len(), rules::KINDS.len());
        assert!(p.kinds.iter().all(|k| k.on == (k.kind != "comment")));
    }
}
