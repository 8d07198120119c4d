//! Live updates across server processes: one `LISTEN` connection per process, fanned out to
//! the open event streams of each project.
//!
//! The database is the one source of truth: a committed change has its event row and a
//! NOTIFY (see the `project_events` migration). The listener passes each notification to
//! the streams of its project. When its connection drops it reconnects and tells every
//! stream to catch up from the event table, from the last number that stream sent, so a
//! client misses nothing and sees nothing twice. A session or token that ends (NOTIFY on
//! `cadence_access`) makes that account's streams check their credentials again.

use app::model::events::LiveEvent;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

const EVENTS: &str = "cadence_events";
const ACCESS: &str = "cadence_access";

/// What a stream hears from the hub.
#[derive(Debug, Clone)]
pub enum Signal {
    /// A change in the stream's project.
    Event(LiveEvent),
    /// The listener was away: catch up from the table.
    CatchUp,
    /// This account's sessions or tokens changed: check the stream's credentials again.
    Access(Uuid),
}

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    projects: Mutex<HashMap<Uuid, broadcast::Sender<Signal>>>,
    /// Every stream's second ear: catch-up and access signals for all.
    all: broadcast::Sender<Signal>,
    /// True once the server is shutting down: streams end.
    closing: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            inner: Arc::new(Inner {
                projects: Mutex::new(HashMap::new()),
                all: broadcast::channel(64).0,
                closing: watch::channel(false).0,
            }),
        }
    }
}

/// One open stream's subscription; counts itself out when dropped.
pub struct Subscription {
    pub project: broadcast::Receiver<Signal>,
    pub all: broadcast::Receiver<Signal>,
    pub closing: watch::Receiver<bool>,
    hub: Hub,
    project_id: Uuid,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // The last stream of a project takes its channel with it.
        let mut projects = self
            .hub
            .inner
            .projects
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if projects
            .get(&self.project_id)
            .is_some_and(|tx| tx.receiver_count() <= 1)
        {
            projects.remove(&self.project_id);
        }
    }
}

impl Hub {
    /// Starts listening (a task that runs until the process ends).
    pub fn start(pool: PgPool) -> Hub {
        let hub = Hub::default();
        tokio::spawn(hub.clone().listen(pool.clone()));
        tokio::spawn(prune(pool));
        hub
    }

    pub fn subscribe(&self, project_id: Uuid) -> Subscription {
        let project = {
            let mut projects = self
                .inner
                .projects
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            projects
                .entry(project_id)
                .or_insert_with(|| broadcast::channel(256).0)
                .subscribe()
        };
        Subscription {
            project,
            all: self.inner.all.subscribe(),
            closing: self.inner.closing.subscribe(),
            hub: self.clone(),
            project_id,
        }
    }

    /// Ends every stream (graceful shutdown: clients reconnect elsewhere).
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }

    fn dispatch(&self, channel: &str, payload: &str) {
        match channel {
            EVENTS => {
                let Ok(note) = serde_json::from_str::<Note>(payload) else {
                    tracing::warn!(payload, "an event notification that is not ours");
                    return;
                };
                let projects = self
                    .inner
                    .projects
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if let Some(tx) = projects.get(&note.project) {
                    let _ = tx.send(Signal::Event(LiveEvent {
                        seq: note.seq,
                        kind: note.kind,
                        numbers: note.numbers,
                    }));
                }
            }
            ACCESS => {
                if let Ok(user) = payload.parse::<Uuid>() {
                    let _ = self.inner.all.send(Signal::Access(user));
                }
            }
            _ => {}
        }
    }

    async fn listen(self, pool: PgPool) {
        let mut pause = Duration::from_millis(100);
        loop {
            if *self.inner.closing.borrow() {
                return;
            }
            match self.connect(&pool).await {
                Ok(mut listener) => {
                    pause = Duration::from_millis(100);
                    // Whatever happened while no one listened is in the table.
                    let _ = self.inner.all.send(Signal::CatchUp);
                    tracing::info!("listening for changes");
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(note)) => self.dispatch(note.channel(), note.payload()),
                            Ok(None) => {
                                tracing::warn!("the LISTEN connection was lost; reconnecting");
                                break;
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "the LISTEN connection failed; reconnecting");
                                break;
                            }
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot LISTEN for changes; trying again");
                }
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    async fn connect(&self, pool: &PgPool) -> Result<PgListener, sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen_all([EVENTS, ACCESS]).await?;
        Ok(listener)
    }
}

#[derive(serde::Deserialize)]
struct Note {
    project: Uuid,
    seq: i64,
    kind: String,
    numbers: Option<Vec<i32>>,
}

/// How long events are kept for clients that were away: a day.
pub const KEEP_HOURS: i32 = 24;

async fn prune(pool: PgPool) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(e) = app::service::events::prune(&pool, KEEP_HOURS).await {
            tracing::warn!(error = %e, "could not prune old events");
        }
    }
}
