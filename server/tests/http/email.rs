//! Notification email, sent to a real SMTP server the test starts (a small sink that speaks
//! SMTP on a loopback port and keeps what arrives): one email per person per batch, a muted
//! kind never sent, the unsubscribe link working without signing in, retries with backoff,
//! two senders never sending one batch twice, and nothing sent about a project one left.

use super::support::{create_item, rest, spawn, Client, TestApp};
use app::service::email::{deliver_due, MailSettings, Mailer, Pass};
use chrono::{Duration, SubsecRound, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    /// Headers and body as sent (dot-unstuffed).
    data: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        head.split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }

    /// The body as its reader sees it: quoted-printable decoded (lettre chooses it for
    /// lines longer than 76 characters), lines ending in `\n`.
    fn body(&self) -> String {
        let raw = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let encoding = self.header("Content-Transfer-Encoding").unwrap_or_default();
        let text = match encoding.to_ascii_lowercase().as_str() {
            "quoted-printable" => quoted_printable(raw),
            "" | "7bit" | "8bit" => raw.to_owned(),
            other => panic!("the sink reads no {other} bodies"),
        };
        text.replace("\r\n", "\n")
    }
}

fn quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'=')
            .then(|| joined.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// An SMTP server on a loopback port that accepts every message, or answers 451 to every
/// one while `failing` is set.
struct Sink {
    addr: SocketAddr,
    mail: Arc<Mutex<Vec<Received>>>,
    failing: Arc<AtomicBool>,
}

impl Sink {
    async fn start() -> Sink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mail = Arc::new(Mutex::new(Vec::new()));
        let failing = Arc::new(AtomicBool::new(false));
        let (m, f) = (mail.clone(), failing.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, m.clone(), f.clone()));
            }
        });
        Sink {
            addr,
            mail,
            failing,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.mail.lock().unwrap().clone()
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    mail: Arc<Mutex<Vec<Received>>>,
    failing: Arc<AtomicBool>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
    let mut to = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
            "HELO" | "RSET" | "NOOP" => b"250 OK\r\n",
            "MAIL" if failing.load(Ordering::SeqCst) => b"451 4.3.0 try again later\r\n",
            "MAIL" => {
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                b"250 OK\r\n"
            }
            "DATA" => {
                let _ = write.write_all(b"354 go on\r\n").await;
                let mut data = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push_str("\r\n");
                }
                mail.lock().unwrap().push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"502 not here\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

fn mailer(sink: &Sink, app: &TestApp) -> Mailer {
    Mailer::new(&MailSettings {
        smtp_url: format!("smtp://{}", sink.addr),
        from: "Cadence <cadence@example.com>".into(),
        public_url: app.base.clone(),
        batch: std::time::Duration::from_secs(180),
    })
    .unwrap()
}

async fn comment(client: &Client, slug: &str, number: i64, body: &str) {
    let (status, made) = rest(
        client,
        Method::POST,
        &format!("/projects/{slug}/items/{number}/comments"),
        Some(json!({ "body": body })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
}

async fn prefs(client: &Client) -> Value {
    let res = client.call("account/email", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn kind_on(prefs: &Value, kind: &str) -> bool {
    prefs["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == kind)
        .unwrap()["on"]
        .as_bool()
        .unwrap()
}

/// The first `{base}/unsubscribe?t=…` link in a body that follows `after`.
fn link_after(body: &str, after: &str) -> String {
    let rest = &body[body.find(after).expect(after) + after.len()..];
    rest.split_whitespace().next().unwrap().to_owned()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_mention_arrives_once_and_an_unsubscribed_kind_does_not(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let sink = Sink::start().await;
    let (olive, slug) = app.owner_of("olive@example.com", "Online store").await;
    let pam = app.user("pam@example.com", "Pam Beesly").await;
    olive.add_member(&slug, &pam, "member").await;
    let n = create_item(&olive, &slug, "Cart page").await;
    comment(
        &olive,
        &slug,
        n,
        "@pam@example.com can you check the totals?",
    )
    .await;

    // Two server processes pass at the same moment: one email.
    let (a, b) = (mailer(&sink, &app), mailer(&sink, &app));
    let now = Utc::now();
    let (one, two) = tokio::join!(deliver_due(&pool, &a, now), deliver_due(&pool, &b, now));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.sent + two.sent, 1, "{one:?} {two:?}");
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    let first = &mail[0];
    assert_eq!(first.to, vec!["pam@example.com"]);
    assert_eq!(
        first.header("Subject").as_deref(),
        Some(format!("Olive Owner mentioned you on #{n} Cart page").as_str())
    );
    assert!(first.header("To").unwrap().contains("pam@example.com"));
    assert_eq!(
        first.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let body = first.body();
    assert!(body.starts_with("Hello Pam Beesly,"), "{body}");
    assert!(
        body.contains(&format!("{}/p/{slug}/items/{n}#comment-", app.base)),
        "{body}"
    );
    assert!(
        !body.contains("can you check"),
        "the comment's text stays in Cadence: {body}"
    );

    // Arrives once: later passes send nothing more.
    for later in [now, now + Duration::minutes(10)] {
        assert_eq!(
            deliver_due(&pool, &a, later).await.unwrap(),
            Pass::default()
        );
    }
    assert_eq!(sink.received().len(), 1);

    // The link turns mentions off without signing in: opening it asks, the button does it.
    let link = link_after(&body, "No more emails about mentions of me: ");
    assert!(
        link.starts_with(&format!("{}/unsubscribe?t=", app.base)),
        "{link}"
    );
    let anonymous = app.anonymous();
    let page = anonymous.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Stop these emails?") && page.contains("mentions of me"),
        "{page}"
    );
    assert!(
        kind_on(&prefs(&pam).await, "mention"),
        "opening the link changed nothing"
    );
    let done = anonymous.http.post(&link).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done
        .text()
        .await
        .unwrap()
        .contains("no more email about mentions of me"));
    let p = prefs(&pam).await;
    assert!(!kind_on(&p, "mention") && kind_on(&p, "comment"), "{p}");
    // A link altered by hand is refused, and changes nothing.
    let forged = link.replace("mention", "comment");
    let refused = anonymous.http.post(&forged).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(kind_on(&prefs(&pam).await, "comment"));

    // Two comments and a mention: the mention is muted, the comments come in one email once
    // the batch window has passed.
    comment(&olive, &slug, n, "Totals are fine now.").await;
    comment(&olive, &slug, n, "@pam@example.com and the tax line?").await;
    comment(&olive, &slug, n, "Shipping too.").await;
    let within = deliver_due(&pool, &a, Utc::now()).await.unwrap();
    assert_eq!(within.sent, 0, "the batch window holds the second email");
    let pass = deliver_due(&pool, &a, Utc::now() + Duration::minutes(4))
        .await
        .unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    let mail = sink.received();
    assert_eq!(mail.len(), 2);
    let second = &mail[1];
    assert_eq!(
        second.header("Subject").as_deref(),
        Some("2 updates in Cadence")
    );
    let body = second.body();
    assert_eq!(
        body.matches("Olive Owner commented on").count(),
        2,
        "{body}"
    );
    assert!(!body.contains("mentioned you"), "{body}");
    // The inbox still has everything.
    let inbox: Value = pam.call("inbox", &[]).await.json().await.unwrap();
    assert_eq!(
        inbox["notifications"].as_array().unwrap().len(),
        4,
        "{inbox}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_refused_send_is_retried_later_then_arrives(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let sink = Sink::start().await;
    sink.failing.store(true, Ordering::SeqCst);
    let (olive, slug) = app.owner_of("olive@example.com", "Online store").await;
    let pam = app.user("pam@example.com", "Pam Beesly").await;
    olive.add_member(&slug, &pam, "member").await;
    let n = create_item(&olive, &slug, "Cart page").await;
    comment(&olive, &slug, n, "@pam@example.com ping").await;
    let m = mailer(&sink, &app);

    // As the database keeps times: in microseconds.
    let now = Utc::now().trunc_subsecs(6);
    let pass = deliver_due(&pool, &m, now).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (0, 1));
    let pam_id: uuid::Uuid =
        sqlx::query_scalar("select id from app_user where email = 'pam@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let state = app::db::email::sending_state(&pool, pam_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.attempts, 1);
    assert!(
        state
            .last_error
            .as_deref()
            .unwrap()
            .contains("try again later"),
        "{state:?}"
    );
    assert_eq!(state.retry_at, Some(now + Duration::minutes(1)));

    // Not before its time; then a second failure waits twice as long.
    let early = deliver_due(&pool, &m, now + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(early, Pass::default());
    let again = now + Duration::minutes(1);
    assert_eq!(deliver_due(&pool, &m, again).await.unwrap().failed, 1);
    let state = app::db::email::sending_state(&pool, pam_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (state.attempts, state.retry_at),
        (2, Some(again + Duration::minutes(2)))
    );

    // The server takes mail again: it arrives, once.
    sink.failing.store(false, Ordering::SeqCst);
    let pass = deliver_due(&pool, &m, again + Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!((pass.sent, pass.failed), (1, 0));
    assert_eq!(sink.received().len(), 1);
    let state = app::db::email::sending_state(&pool, pam_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((state.attempts, state.last_error), (0, None));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn nothing_is_sent_about_a_project_one_has_left_and_choices_are_kept(pool: PgPool) {
    let app = spawn(pool.clone()).await;
    let sink = Sink::start().await;
    let (olive, slug) = app.owner_of("olive@example.com", "Online store").await;
    let pam = app.user("pam@example.com", "Pam Beesly").await;
    olive.add_member(&slug, &pam, "member").await;
    let n = create_item(&olive, &slug, "Secret plans").await;
    comment(&olive, &slug, n, "@pam@example.com see this").await;
    let res = olive
        .call(
            "project/members/remove",
            &[("slug", &slug), ("email", "pam@example.com")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pass = deliver_due(&pool, &mailer(&sink, &app), Utc::now())
        .await
        .unwrap();
    assert_eq!((pass.sent, pass.dropped), (0, 1));
    assert!(sink.received().is_empty());

    // The account page's choices: anonymous callers are refused; the form's checked boxes
    // are the kinds on.
    let res = app.anonymous().call("account/email", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = pam
        .call("account/email/set", &[("assigned", "on"), ("done", "on")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let p = prefs(&pam).await;
    assert_eq!(p["available"], true);
    let on: Vec<&str> = p["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["on"] == true)
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(on, vec!["assigned", "done"]);
}
