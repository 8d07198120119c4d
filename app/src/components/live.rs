//! Live updates in the browser: while a project's page is open, one event stream of that
//! project (`GET /api/v1/projects/{slug}/events`, the browser's `EventSource`). Every change
//! it reports bumps [`Live::version`]. Pages read [`Live::tick`], which follows it except
//! while someone is typing in a field of the page and has not sent it yet: what they show
//! is then read again (inside a `Transition`: the old content stays until the new arrives)
//! without taking what they typed. The stream also says who else has the same page open
//! ([`Live::present`], shown by [`Presence`]). The stream's state is shown by [`LiveMark`].
//! Without JavaScript none of this runs: pages are as they were when loaded.

use crate::model::events::{LiveEvent, Present};
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
    /// [`Live::version`] as pages should follow it: held while something typed on the page
    /// is not sent yet (see `browser::typing`), then caught up.
    pub tick: RwSignal<u64>,
    /// Changes arrived that the page holds back until what is typed is sent.
    pub waiting: RwSignal<bool>,
    /// Who has the same page of the project open (the reader included).
    pub present: RwSignal<Vec<Present>>,
    /// The project followed.
    following: RwSignal<Option<String>>,
    /// The number of the latest change the page has seen (where a new stream starts).
    seen: RwSignal<i64>,
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
            .with_untracked(|f| f.as_deref() == Some(slug));
        if !same {
            self.seen.set(seen);
            self.following.set(Some(slug.to_owned()));
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
        tick: RwSignal::new(0),
        waiting: RwSignal::new(false),
        present: RwSignal::new(Vec::new()),
        following: RwSignal::new(None),
        seen: RwSignal::new(0),
    };
    provide_context(live);
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        // The page within the project, "board" in /p/{slug}/board: the stream says so, so
        // the others on that page see who is here. Another page opens a new stream that
        // starts where the last one stopped.
        let page = Memo::new(move |_| page_of(&location.pathname.get()));
        Effect::new(move |_| {
            let following = live.following.get();
            let page = page.get();
            // Whatever an earlier run asked for and has not done yet is out of date.
            let ask = browser::ASKED.with(|a| a.get() + 1);
            browser::ASKED.with(|a| a.set(ask));
            match following {
                // The stream's code is a split of its own, loaded the first time a project
                // page asks for it (after the page hydrated).
                Some(slug) => leptos::task::spawn_local(browser::open(live, slug, page, ask)),
                None => browser::close(live),
            }
        });
        Effect::new(move |_| {
            live.version.track();
            browser::catch_up_when_free(live);
        });
    }
    live
}

/// The page of a project path: "board" for /p/{slug}/board, "overview" for /p/{slug}.
pub fn page_of(path: &str) -> String {
    let mut parts = path.trim_start_matches('/').split('/');
    let page = match (parts.next(), parts.next(), parts.next()) {
        (Some("p"), Some(_), Some(page)) if !page.is_empty() => page,
        _ => "overview",
    };
    if crate::domain::project::is_page_name(page) {
        page.to_owned()
    } else {
        "overview".to_owned()
    }
}

/// Who else has this page open: their initials, named on hover and to screen readers.
#[component]
pub fn Presence() -> impl IntoView {
    let live = Live::get();
    move || {
        let present = live.present.get();
        (!present.is_empty()).then(|| {
            let names = present
                .iter()
                .map(|p| if p.you { format!("{} (you)", p.name) } else { p.name.clone() })
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <ul class="presence" data-testid="presence" aria-label=format!("Here now: {names}")>
                    {present.into_iter().map(|p| {
                        let title = if p.you { format!("{} (you)", p.name) } else { p.name.clone() };
                        view! {
                            <li class="avatar" class:you=p.you title=title.clone() aria-label=title>
                                {p.initials}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// "Live", "Reconnecting…" or "Offline" while a project page is open.
#[component]
pub fn LiveMark() -> impl IntoView {
    let live = Live::get();
    let text = move || match live.status.get() {
        LiveStatus::Off => "",
        LiveStatus::Connecting => "Connecting…",
        LiveStatus::Live if live.waiting.get() => "Live · changes wait until you save",
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

/// Held while a change the page already shows is on its way to the server: the live
/// stream's reloads wait meanwhile, as they do for typing (they would show the old state
/// until the server has it). Counted in `data-moving` on the document's element; nothing
/// on the server.
pub struct Held;

impl Held {
    pub fn start() -> Held {
        Held::count(1);
        Held
    }

    fn count(by: i32) {
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let n = root
                .get_attribute("data-moving")
                .and_then(|v| v.parse::<i32>().ok())
                .unwrap_or(0)
                + by;
            let _ = if n > 0 {
                root.set_attribute("data-moving", &n.to_string())
            } else {
                root.remove_attribute("data-moving")
            };
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = by;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        Held::count(-1);
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Live, LiveStatus};
    use crate::model::events::{LiveEvent, Present};
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
        /// Counts the streams asked for: an opening whose code arrives after a newer
        /// request (another page, or none) is dropped.
        pub static ASKED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }

    pub fn close(live: Live) {
        OPEN.with(|open| {
            if let Some(open) = open.borrow_mut().take() {
                open.source.close();
            }
        });
        live.status.set(LiveStatus::Off);
        live.present.set(Vec::new());
    }

    /// The number an event's data or id carries.
    fn number_of(e: &web_sys::Event) -> Option<i64> {
        e.dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
            .and_then(|d| d.trim().parse().ok())
    }

    #[leptos::lazy]
    pub fn open(live: Live, slug: String, page: String, ask: u32) {
        if ASKED.with(|a| a.get()) != ask {
            return;
        }
        watch_typing();
        close(live);
        // Read now, as the old stream closes: what it reported while this loaded is not
        // asked for again.
        let seen = live.seen.get_untracked();
        let url = format!(
            "/api/v1/projects/{}/events?after={seen}&page={}",
            crate::words::urlencode(&slug),
            crate::words::urlencode(&page)
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
            Box::new(move |e| {
                if let Some(latest) = number_of(&e) {
                    live.seen.update(|s| *s = (*s).max(latest));
                }
                live.status.set(LiveStatus::Live);
            }),
        );
        on(
            "presence",
            Box::new(move |e| {
                let present = e
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                    .and_then(|d| serde_json::from_str::<Vec<Present>>(&d).ok());
                if let Some(present) = present {
                    live.present.set(present);
                }
            }),
        );
        on(
            "change",
            Box::new(move |e| {
                let event = e
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                    .and_then(|d| serde_json::from_str::<LiveEvent>(&d).ok());
                live.status.set(LiveStatus::Live);
                if let Some(seq) = event.as_ref().map(|e| e.seq) {
                    live.seen.set(seq);
                }
                live.last.set(event);
                live.version.update(|v| *v += 1);
            }),
        );
        on(
            "reload",
            Box::new(move |e| {
                if let Some(latest) = number_of(&e) {
                    live.seen.set(latest);
                }
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

    /// Whether something typed on the page is not sent yet: a text field or text area whose
    /// value was typed (marked by [`watch_typing`]) and is not empty, or a row's menu that
    /// is open (`item_field_select` marks it the same way).
    fn typing() -> bool {
        document()
            .query_selector("[data-typed],[data-moving]")
            .ok()
            .flatten()
            .is_some()
    }

    /// Marks fields as they are typed in, and unmarks a form's fields when it is sent (or
    /// a field is emptied). Installed once.
    pub fn watch_typing() {
        thread_local! {
            static WATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if WATCHING.with(|w| w.replace(true)) {
            return;
        }
        let doc = document();
        let on_input = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
            let Some(field) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let text_like = match field.tag_name().as_str() {
                "TEXTAREA" => true,
                "INPUT" => matches!(
                    field.get_attribute("type").as_deref().unwrap_or("text"),
                    "text" | "search" | "email" | "number" | "url" | "tel" | "date"
                ),
                _ => false,
            };
            if !text_like {
                return;
            }
            let value = web_sys::js_sys::Reflect::get(&field, &"value".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            if value.is_empty() {
                let _ = field.remove_attribute("data-typed");
            } else {
                let _ = field.set_attribute("data-typed", "");
            }
        });
        let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
            let Some(form) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            if let Ok(fields) = form.query_selector_all("[data-typed]") {
                for i in 0..fields.length() {
                    if let Some(field) = fields
                        .item(i)
                        .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                    {
                        let _ = field.remove_attribute("data-typed");
                    }
                }
            }
        });
        let _ = doc.add_event_listener_with_callback_and_bool(
            "input",
            on_input.as_ref().unchecked_ref(),
            true,
        );
        let _ = doc.add_event_listener_with_callback_and_bool(
            "submit",
            on_submit.as_ref().unchecked_ref(),
            true,
        );
        // For the page's lifetime.
        on_input.forget();
        on_submit.forget();
    }

    /// Brings [`Live::tick`] up to [`Live::version`] now, or once nothing typed is waiting.
    pub fn catch_up_when_free(live: Live) {
        let version = live.version.get_untracked();
        if live.tick.get_untracked() >= version {
            live.waiting.set(false);
            return;
        }
        if typing() {
            if !live.waiting.get_untracked() {
                live.waiting.set(true);
                retry(live);
            }
        } else {
            live.waiting.set(false);
            let focused = document().active_element();
            live.tick.set(version);
            keep_focus(focused, 60);
        }
    }

    /// A keyboard user keeps their place: when the page's refreshed content replaces the
    /// element that has focus, focus goes to the new element with the same id. Checked every
    /// 50 ms, `tries` times at most (the new content comes when its data has arrived). Focus
    /// the user moves meanwhile is followed (opening a row's menu right after a change is
    /// common); focus they take away (to the page itself) is left alone unless the element
    /// they were on was removed.
    fn keep_focus(focused: Option<web_sys::Element>, tries: u32) {
        let Some(old) = focused.filter(|el| !el.id().is_empty()) else {
            return;
        };
        set_timeout(
            move || {
                let doc = document();
                let now = doc.active_element();
                let lost = now
                    .as_ref()
                    .is_none_or(|el| doc.body().is_some_and(|b| *el == *b));
                if lost {
                    if !old.is_connected() {
                        if let Some(el) = doc
                            .get_element_by_id(&old.id())
                            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                        {
                            let _ = el.focus();
                        }
                    }
                    return;
                }
                if tries > 0 {
                    let follow = now.filter(|el| !el.id().is_empty()).unwrap_or(old);
                    keep_focus(Some(follow), tries - 1);
                }
            },
            std::time::Duration::from_millis(50),
        );
    }

    fn retry(live: Live) {
        set_timeout(
            move || {
                if typing() {
                    retry(live);
                } else {
                    live.waiting.set(false);
                    catch_up_when_free(live);
                }
            },
            std::time::Duration::from_millis(500),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn the_page_of_a_project_path_is_its_second_part() {
        assert_eq!(page_of("/p/team/board"), "board");
        assert_eq!(page_of("/p/team/items/12"), "items");
        assert_eq!(page_of("/p/team"), "overview");
        assert_eq!(page_of("/p/team/Odd%20Page"), "overview");
    }
}
