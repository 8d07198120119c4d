//! The pages loaded on demand. Each page's code is split out of the
//! first wasm module into a file of its own (`scripts/lib.sh`, `build_front`), fetched when the
//! page is first shown: the first load of the backlog carries the backlog and the shell, not
//! every page of the app. Data is not fetched here (`data` makes nothing), so a
//! page's resources start once its code has arrived; the code of a page is a few tens of KB,
//! cached for a year once fetched.
//!
//! Written out one by one: `#[lazy_route]` names a page's split by the type, and a macro
//! around it would give every page the same source position.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::*;

/// The account settings.
pub struct AccountRoute;

#[lazy_route]
impl LazyRoute for AccountRoute {
    fn data() -> Self {
        AccountRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <account::AccountPage/> }.into_any()
    }
}

/// A project's overview.
pub struct ProjectRoute;

#[lazy_route]
impl LazyRoute for ProjectRoute {
    fn data() -> Self {
        ProjectRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <project::ProjectPage/> }.into_any()
    }
}

/// An item: its page, or (with a number) the side panel showing it over the page open.
pub struct ItemRoute(pub Option<i32>);

#[lazy_route]
impl LazyRoute for ItemRoute {
    fn data() -> Self {
        ItemRoute(None)
    }

    fn view(this: Self) -> AnyView {
        view! { <item::ItemPage peek=this.0/> }.into_any()
    }
}

/// The item side panel over the backlog or the board (peek). `?peek=12` in the address
/// opens it, so it survives a reload and can be sent; a plain click on an item's title (or
/// Enter on it) sets that, while the title stays a link to the item's page (for a new tab,
/// and without JavaScript). The panel is the item page's own code (`ItemRoute`), fetched
/// with its first use, and drawn by the browser only: the server's page has none of it.
///
/// What follows the address is loaded after the page (`backlog::bulk`'s split), so the
/// first load has only this call; the panel is built and mounted by hand rather than drawn
/// by a reactive view or a `Suspense` (each of those made some KB more).
#[component]
pub fn Peek() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    if let Some(owner) = Owner::current() {
        use super::backlog::bulk::{run, Job};
        leptos::task::spawn_local(run(Job::Peek(owner.downgrade())));
    }
}

/// Opens and closes the item panel as `peek` in the address says, from now on (under the
/// owner of the page showing it).
#[cfg(feature = "hydrate")]
pub fn follow_peek() {
    let query = leptos_router::hooks::use_query_map();
    let peek = Memo::new(move |_| query.with(|q| q.get("peek").unwrap_or_default()));
    open_on_click();
    // Until this code has arrived (just after the page is ready) a title opens the
    // item's page; `<html data-peek>` says the panel is ready (browser tests wait for it).
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("data-peek", "");
    }
    // Made under this effect, so what the panel holds goes when another item is
    // peeked or the panel closes.
    Effect::new(move |_| {
        unmount_panel();
        let Ok(n) = peek.get().parse::<i32>() else {
            return;
        };
        leptos::task::spawn_local_scoped(async move {
            let panel = <ItemRoute as LazyRoute>::view(ItemRoute(Some(n))).await;
            if peek.try_get_untracked().is_some_and(|p| p == n.to_string()) {
                let mut built = panel.build();
                if let Some(body) = document().body() {
                    built.mount(&body, None);
                }
                PANEL.with_borrow_mut(|p| *p = Some(built));
            }
        });
    });
    on_cleanup(unmount_panel);
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The item panel on screen, if any.
    static PANEL: std::cell::RefCell<Option<leptos::tachys::view::any_view::AnyViewState>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(feature = "hydrate")]
fn unmount_panel() {
    use leptos::tachys::view::Mountable;
    if let Some(mut panel) = PANEL.with_borrow_mut(Option::take) {
        panel.unmount();
    }
}

/// The address open, with `peek` set to `n` or taken out (other parameters kept).
#[cfg(feature = "hydrate")]
pub fn peek_url(n: Option<&str>) -> String {
    let location = window().location();
    let mut url = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let kept = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("peek="));
    let mut sep = '?';
    for part in kept.chain(n.map(|_| "peek=")) {
        url.push(sep);
        url.push_str(part);
        sep = '&';
    }
    url.push_str(n.unwrap_or_default());
    url
}

/// A plain click on an item's title, on the backlog or the board, opens the panel instead
/// of the page (a double-click on the backlog renames the item in place). Heard while
/// capturing, so before the router's own handler takes the link; set up once, with the
/// first panel-holding page shown.
#[cfg(feature = "hydrate")]
fn open_on_click() {
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    use leptos::web_sys::{Element, MouseEvent};
    static LISTENING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if LISTENING.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let navigate = leptos_router::hooks::use_navigate();
    let on_click = Closure::<dyn Fn(MouseEvent)>::new(move |ev: MouseEvent| {
        let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
        let path = window().location().pathname().unwrap_or_default();
        if ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
            || !(path.ends_with("/backlog") || path.ends_with("/board"))
        {
            return;
        }
        let Some(title) = target.and_then(|e| e.closest(".item-title, .card-title").ok().flatten())
        else {
            return;
        };
        // The item page's address ends with its number.
        let Some(n) = title.get_attribute("href").and_then(|h| {
            let from = h.bytes().rposition(|b| b == b'/')? + 1;
            h.get(from..).map(str::to_owned)
        }) else {
            return;
        };
        ev.prevent_default();
        if ev.detail() > 1 {
            // A double-click on a backlog row's title renames it in place, as `r` does; the
            // panel its first click opened closes again.
            if path.ends_with("/backlog") {
                if let (Some(_), Ok(number)) =
                    (title.closest("[data-row]").ok().flatten(), n.parse::<i32>())
                {
                    navigate(
                        &peek_url(None),
                        leptos_router::NavigateOptions {
                            scroll: false,
                            replace: true,
                            ..Default::default()
                        },
                    );
                    crate::components::shortcuts::rename(title, number);
                }
            }
            return;
        }
        navigate(
            &peek_url(Some(&n)),
            leptos_router::NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let _ = document().add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    on_click.forget();
}

/// The board.
pub struct BoardRoute;

#[lazy_route]
impl LazyRoute for BoardRoute {
    fn data() -> Self {
        BoardRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <board::BoardPage/> }.into_any()
    }
}

/// The sprints.
pub struct SprintsRoute;

#[lazy_route]
impl LazyRoute for SprintsRoute {
    fn data() -> Self {
        SprintsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <sprints::SprintsPage/> }.into_any()
    }
}

/// An increment.
pub struct IncrementRoute;

#[lazy_route]
impl LazyRoute for IncrementRoute {
    fn data() -> Self {
        IncrementRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <sprints::IncrementPage/> }.into_any()
    }
}

/// Planning.
pub struct PlanningRoute;

#[lazy_route]
impl LazyRoute for PlanningRoute {
    fn data() -> Self {
        PlanningRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <planning::PlanningPage/> }.into_any()
    }
}

/// Planning poker.
pub struct PokerRoute;

#[lazy_route]
impl LazyRoute for PokerRoute {
    fn data() -> Self {
        PokerRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <poker::PokerPage/> }.into_any()
    }
}

/// Velocity, burndown and forecast.
pub struct VelocityRoute;

#[lazy_route]
impl LazyRoute for VelocityRoute {
    fn data() -> Self {
        VelocityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <velocity::VelocityPage/> }.into_any()
    }
}

/// The stand-up.
pub struct StandupRoute;

#[lazy_route]
impl LazyRoute for StandupRoute {
    fn data() -> Self {
        StandupRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <standup::StandupPage/> }.into_any()
    }
}

/// The reflection.
pub struct ReflectionRoute;

#[lazy_route]
impl LazyRoute for ReflectionRoute {
    fn data() -> Self {
        ReflectionRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <reflection::ReflectionPage/> }.into_any()
    }
}

/// Members.
pub struct MembersRoute;

#[lazy_route]
impl LazyRoute for MembersRoute {
    fn data() -> Self {
        MembersRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <members::MembersPage/> }.into_any()
    }
}

/// The caller's notifications.
pub struct InboxRoute;

#[lazy_route]
impl LazyRoute for InboxRoute {
    fn data() -> Self {
        InboxRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <inbox::InboxPage/> }.into_any()
    }
}

/// Project settings.
pub struct SettingsRoute;

#[lazy_route]
impl LazyRoute for SettingsRoute {
    fn data() -> Self {
        SettingsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <settings::SettingsPage/> }.into_any()
    }
}

/// Signing in.
pub struct LoginRoute;

#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        LoginRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <auth::LoginPage/> }.into_any()
    }
}

/// Registering.
pub struct RegisterRoute;

#[lazy_route]
impl LazyRoute for RegisterRoute {
    fn data() -> Self {
        RegisterRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <auth::RegisterPage/> }.into_any()
    }
}

/// The list of projects.
pub struct ProjectsRoute;

#[lazy_route]
impl LazyRoute for ProjectsRoute {
    fn data() -> Self {
        ProjectsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <projects::ProjectsPage/> }.into_any()
    }
}
