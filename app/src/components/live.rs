//! Live updates in the browser: while a project's page is open, one event stream of that
//! project (`GET /api/v1/projects/{slug}/events`, the browser's `EventSource`). Every change
//! it reports bumps [`Live::version`], which the pages' resources read, so what they show is
//! read again (inside a `Transition`: the old content stays until the new arrives). The
//! stream's state is shown by [`LiveMark`]. Without JavaScript none of this runs: pages are
//! as they were when loaded.

use crate::model::events::LiveEvent;
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    /// No project page is open (or the browser cannot stream).
    Off,
    Connecting,
    Live,
    /// The stream dropped; the browser is trying again, and will catch up.
    Reconnecting,
    /// The stream was refused or ended for good: reloading shows the changes.
    Offline,
}

#[derive(Clone, Copy)]
pub struct Live {
    /// Bumped by every change the stream reports.
    pub version: RwSignal<u64>,
    pub status: RwSignal<LiveStatus>,
    /// The latest change reported.
    pub last: RwSignal<Option<LiveEvent>>,
    /// The project followed, and the number of the latest change its page was read at.
    following: RwSignal<Option<(String, i64)>>,
}

impl Live {
    /// The context's, made by the app shell.
    pub fn get() -> Live {
        use_context::<Live>().unwrap_or_else(provide_live)
    }

    /// Follows this project's changes from change number `seen` (the page's data is at
    /// least that new). Following the same project again keeps the open stream.
    pub fn follow(&self, slug: &str, seen: i64) {
        let same = self
            .following
            .with_untracked(|f| f.as_ref().is_some_and(|(s, _)| s == slug));
        if !same {
            self.following.set(Some((slug.to_owned(), seen)));
        }
    }

    pub fn unfollow(&self) {
        if self.following.with_untracked(Option::is_some) {
            self.following.set(None);
        }
    }
}

/// Makes the app's [`Live`] and (in the browser) keeps its stream open for the project
/// followed.
pub fn provide_live() -> Live {
    let live = Live {
        version: RwSignal::new(0),
        status: RwSignal::new(LiveStatus::Off),
        last: RwSignal::new(None),
        following: RwSignal::new(None),
    };
    provide_context(live);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| match live.following.get() {
        Some((slug, seen)) => browser::open(live, &slug, seen),
        None => browser::close(live),
    });
    live
}

/// "Live", "Reconnecting…" or "Offline" while a project page is open.
#[component]
pub fn LiveMark() -> impl IntoView {
    let live = Live::get();
    let text = move || match live.status.get() {
        LiveStatus::Off => "",
        LiveStatus::Connecting => "Connecting…",
        LiveStatus::Live => "Live",
        LiveStatus::Reconnecting => "Reconnecting…",
        LiveStatus::Offline => "Offline: reload to see changes",
    };
    let state = move || match live.status.get() {
        LiveStatus::Off => "off",
        LiveStatus::Connecting => "connecting",
        LiveStatus::Live => "live",
        LiveStatus::Reconnecting => "reconnecting",
        LiveStatus::Offline => "offline",
    };
    move || {
        (live.status.get() != LiveStatus::Off).then(|| {
            view! {
                <span class="live-mark" data-testid="live-mark" data-state=state role="status"
                    title="Changes by others appear here as they are made">
                    {text}
                </span>
            }
        })
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Live, LiveStatus};
    use crate::model::events::LiveEvent;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use std::cell::RefCell;
    use web_sys::{EventSource, MessageEvent};

    struct Open {
        source: EventSource,
        _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    }

    thread_local! {
        static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
    }

    pub fn close(live: Live) {
        OPEN.with(|open| {
            if let Some(open) = open.borrow_mut().take() {
                open.source.close();
            }
        });
        live.status.set(LiveStatus::Off);
    }

    pub fn open(live: Live, slug: &str, seen: i64) {
        close(live);
        let url = format!(
            "/api/v1/projects/{}/events?after={seen}",
            crate::words::urlencode(slug)
        );
        let Ok(source) = EventSource::new(&url) else {
            return;
        };
        live.status.set(LiveStatus::Connecting);
        let mut handlers = Vec::new();
        let mut on = |name: &str, f: Box<dyn FnMut(web_sys::Event)>| {
            let closure = Closure::wrap(f);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            handlers.push(closure);
        };
        on(
            "hello",
            Box::new(move |_| live.status.set(LiveStatus::Live)),
        );
        on(
            "change",
            Box::new(move |e| {
                let event = e
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                    .and_then(|d| serde_json::from_str::<LiveEvent>(&d).ok());
                live.status.set(LiveStatus::Live);
                live.last.set(event);
                live.version.update(|v| *v += 1);
            }),
        );
        on(
            "reload",
            Box::new(move |_| {
                live.status.set(LiveStatus::Live);
                live.last.set(None);
                live.version.update(|v| *v += 1);
            }),
        );
        let watched = source.clone();
        on(
            "error",
            Box::new(move |_| {
                // The browser retries by itself unless the answer was a refusal.
                live.status
                    .set(if watched.ready_state() == EventSource::CLOSED {
                        LiveStatus::Offline
                    } else {
                        LiveStatus::Reconnecting
                    });
            }),
        );
        OPEN.with(|open| {
            *open.borrow_mut() = Some(Open {
                source,
                _handlers: handlers,
            })
        });
    }
}
