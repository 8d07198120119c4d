//! Live updates across server processes: one `LISTEN` connection per process, fanned out to
//! the open event streams of each project.
//!
//! The database is the one source of truth: a committed change has its event row and a
//! NOTIFY (see the `project_events` migration). The listener passes each notification to
//! the streams of its project. When its connection drops it reconnects and tells every
//! stream to catch up from the event table, from the last number that stream sent, so a
//! client misses nothing and sees nothing twice. A session or token that ends (NOTIFY on
//! `cadence_access`) makes that account's streams check their credentials again.
//!
//! Presence (who has a page open) is kept in the database too, a row per stream that names
//! its page: any process's arrivals and departures notify `cadence_presence`, and each
//! process reads a project's list once for all its streams of that project.

use app::model::events::LiveEvent;
use app::service::events::{self as events, Here};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

const EVENTS: &str = "cadence_events";
const ACCESS: &str = "cadence_access";
const PRESENCE: &str = "cadence_presence";

/// How often a process marks its streams' presence as still there, and after how long
/// without that a stream's presence is forgotten (its process died).
const PRESENCE_REFRESH: Duration = Duration::from_secs(30);
const PRESENCE_EXPIRES_SECS: i32 = 90;

/// What a stream hears from the hub.
#[derive(Debug, Clone)]
pub enum Signal {
    /// A change in the stream's project.
    Event(LiveEvent),
    /// The listener was away: catch up from the table.
    CatchUp,
    /// This account's sessions or tokens changed: check the stream's credentials again.
    Access(Uuid),
    /// Who has which page of the stream's project open now.
    Presence(Arc<Vec<Here>>),
}

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    projects: Mutex<HashMap<Uuid, broadcast::Sender<Signal>>>,
    /// This process's streams that are present on a page.
    present: Mutex<HashSet<Uuid>>,
    /// Every stream's second ear: catch-up and access signals for all.
    all: broadcast::Sender<Signal>,
    /// True once the server is shutting down: streams end.
    closing: watch::Sender<bool>,
}

impl Hub {
    fn new(pool: PgPool) -> Self {
        Hub {
            inner: Arc::new(Inner {
                pool,
                projects: Mutex::new(HashMap::new()),
                present: Mutex::new(HashSet::new()),
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
    /// The stream's presence on a page, if it has one.
    presence: Option<Uuid>,
}

impl Subscription {
    /// Records the stream as present on `page` (see [`events::arrive`]); it departs when
    /// the subscription is dropped, however the stream ends.
    pub async fn arrive(
        &mut self,
        access: &app::service::Access,
        page: &str,
    ) -> Result<(), app::error::AppError> {
        let stream_id = Uuid::new_v4();
        events::arrive(&self.hub.inner.pool, access, stream_id, page).await?;
        self.presence = Some(stream_id);
        lock(&self.hub.inner.present).insert(stream_id);
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(stream_id) = self.presence.take() {
            lock(&self.hub.inner.present).remove(&stream_id);
            let pool = self.hub.inner.pool.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(e) = events::depart(&pool, stream_id).await {
                        tracing::warn!(error = %e, "could not record a stream's departure");
                    }
                });
            }
        }
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
        let hub = Hub::new(pool.clone());
        tokio::spawn(hub.clone().listen(pool.clone()));
        tokio::spawn(prune(pool));
        tokio::spawn(hub.clone().keep_presence());
        hub
    }

    /// This process's open event streams (each holds one receiver of `all`).
    pub fn open_streams(&self) -> usize {
        self.inner.all.receiver_count()
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
            presence: None,
        }
    }

    /// Reads who is on the project's pages and tells its streams in this process (if any).
    fn tell_presence(&self, project_id: Uuid) {
        if !lock(&self.inner.projects).contains_key(&project_id) {
            return;
        }
        let hub = self.clone();
        tokio::spawn(async move {
            match events::here(&hub.inner.pool, project_id).await {
                Ok(here) => {
                    if let Some(tx) = lock(&hub.inner.projects).get(&project_id) {
                        let _ = tx.send(Signal::Presence(Arc::new(here)));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not read who is here"),
            }
        });
    }

    /// Every 30 s: this process's streams are still there; streams of a process that died
    /// are forgotten.
    async fn keep_presence(self) {
        let mut every = tokio::time::interval(PRESENCE_REFRESH);
        loop {
            every.tick().await;
            if *self.inner.closing.borrow() {
                return;
            }
            let ids: Vec<Uuid> = lock(&self.inner.present).iter().copied().collect();
            if !ids.is_empty() {
                if let Err(e) = events::still_here(&self.inner.pool, &ids).await {
                    tracing::warn!(error = %e, "could not refresh presence");
                }
            }
            if let Err(e) = events::sweep_presence(&self.inner.pool, PRESENCE_EXPIRES_SECS).await {
                tracing::warn!(error = %e, "could not sweep presence");
            }
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
            PRESENCE => {
                if let Ok(project) = payload.parse::<Uuid>() {
                    self.tell_presence(project);
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
                    let open: Vec<Uuid> = lock(&self.inner.projects).keys().copied().collect();
                    for project in open {
                        self.tell_presence(project);
                    }
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
        listener.listen_all([EVENTS, ACCESS, PRESENCE]).await?;
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
