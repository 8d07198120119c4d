//! Cadence: the application shared by the server (SSR) and the browser (hydration).

#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod clock;
pub mod components;
#[cfg(feature = "ssr")]
pub mod db;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod model;
pub mod pages;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;
pub mod words;

use components::layout::Layout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    path, Lazy, SsrMode,
};

/// The cookie that keeps a browser's choice of colours (`light` or `dark`; without it the
/// system's setting decides).
pub const THEME_COOKIE: &str = "cadence_theme";

/// The colours chosen in this browser: `light`, `dark`, or `None` (as the system is set).
/// On the server from the request's cookie; in the browser from the page, which the server
/// marked (`<html data-theme>`), so both halves agree while the page hydrates.
pub fn chosen_theme() -> Option<&'static str> {
    let raw: Option<String> = {
        #[cfg(feature = "ssr")]
        {
            use_context::<http::request::Parts>()
                .and_then(|parts| auth::cookie(&parts.headers, THEME_COOKIE).map(str::to_owned))
        }
        #[cfg(not(feature = "ssr"))]
        {
            document()
                .document_element()
                .and_then(|html| html.get_attribute("data-theme"))
        }
    };
    match raw.as_deref() {
        Some("light") => Some("light"),
        Some("dark") => Some("dark"),
        _ => None,
    }
}

/// The cookie that keeps the sidebar hidden in this browser (`hidden`; without it the
/// sidebar shows on a screen wide enough for it).
pub const SIDEBAR_COOKIE: &str = "cadence_sidebar";

/// Whether this browser asked for the sidebar to be hidden (rendered into `<html>` on the
/// server: the page's style reads it, no code in the browser needs to).
fn sidebar_hidden() -> Option<&'static str> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| auth::cookie(&parts.headers, SIDEBAR_COOKIE).map(str::to_owned))
            .filter(|v| v == "hidden")
            .map(|_| "hidden")
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=chosen_theme() data-sidebar=sidebar_hidden()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // The stylesheet is the page's, named like the wasm bundle (hashed in a
                // release build); the id lets `cargo leptos watch` swap it on a change.
                <link
                    id="leptos"
                    rel="stylesheet"
                    href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
                />
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%232f6fdf'/%3E%3Cpath d='M4 11l3-6 2 4 1.5-2L12 11' stroke='white' fill='none' stroke-width='1.5'/%3E%3C/svg%3E"/>
        <Meta name="color-scheme" content="light dark"/>
        <Title formatter=|page: String| {
            if page.is_empty() { "Cadence".to_owned() } else { format!("{page} · Cadence") }
        }/>
        <Router>
            <Layout>
                <Routes fallback=pages::not_found::NotFound>
                    // In-order streaming: the page arrives complete, so it reads (and its
                    // forms work) with JavaScript off, as well as before hydration.
                    <Route path=path!("") view=|| view! { <Redirect path="/projects"/> }/>
                    <Route path=path!("/login") view={Lazy::<pages::lazy::LoginRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/register") view={Lazy::<pages::lazy::RegisterRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/account") view={Lazy::<pages::lazy::AccountRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/inbox") view={Lazy::<pages::lazy::InboxRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/projects") view={Lazy::<pages::lazy::ProjectsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug") view={Lazy::<pages::lazy::ProjectRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/backlog") view=pages::backlog::BacklogPage ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/items/:number") view={Lazy::<pages::lazy::ItemRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/board") view={Lazy::<pages::lazy::BoardRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/sprints") view={Lazy::<pages::lazy::SprintsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/increments/:id") view={Lazy::<pages::lazy::IncrementRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/planning") view={Lazy::<pages::lazy::PlanningRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/poker") view={Lazy::<pages::lazy::PokerRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/velocity") view={Lazy::<pages::lazy::VelocityRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/standup") view={Lazy::<pages::lazy::StandupRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/reflection") view={Lazy::<pages::lazy::ReflectionRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/members") view={Lazy::<pages::lazy::MembersRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/p/:slug/settings") view={Lazy::<pages::lazy::SettingsRoute>::new()} ssr=SsrMode::InOrder/>
                </Routes>
            </Layout>
        </Router>
    }
}
