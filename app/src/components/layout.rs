use crate::model::accounts::IncrementNow;
use crate::server_fns::accounts::{shell as app_shell, LogOut};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// Project pages still to come: shown so the shape of the product is visible, not links.
/// The project slug in a `/p/{slug}/…` path.
pub fn project_slug(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/p/")?;
    let slug = rest.split('/').next()?;
    (!slug.is_empty()).then(|| slug.to_owned())
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let location = use_location();
    // The project's pages follow its changes (see `pages::project::project_resource`);
    // leaving them closes the stream.
    let live = crate::components::live::provide_live();
    let slug = Memo::new(move |_| project_slug(&location.pathname.get()));
    // Refetched on every navigation, so signing in or out shows at once, and on every
    // change the open project's stream reports, so the unread count and the increment's
    // days left follow comments, assignments, starts and closes while a page is open.
    let shell = crate::components::data::data(
        move || (slug.get(), location.pathname.get(), live.version.get()),
        |(slug, _, _)| app_shell(slug),
    );
    let log_out = ServerAction::<LogOut>::new();
    crate::components::shortcuts::listen();
    Effect::new(move |_| {
        if slug.get().is_none() {
            live.unfollow();
        }
    });
    // On a phone the sidebar is a menu over the page: a link followed in it closes it, and
    // the project switcher, kept on the page, closes too.
    Effect::new(move |_| {
        location.pathname.track();
        crate::components::item_fields::call_on("app-nav", "hidePopover");
        #[cfg(feature = "hydrate")]
        if let Ok(Some(open)) = document().query_selector(".switcher[open]") {
            let _ = open.remove_attribute("open");
        }
    });

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <div class="topbar">
            <button type="button" class="button small" popovertarget="app-nav">"Menu"</button>
            <Brand/>
            <form method="post" action="/sidebar" class="sidebar-pin">
                <button type="submit" class="button small" name="sidebar" value="shown">"Pin the sidebar"</button>
            </form>
        </div>
        <aside id="app-nav" class="sidebar" popover="" aria-label="Sidebar">
            <div class="sidebar-head">
                <Brand/>
                <form method="post" action="/sidebar" class="sidebar-unpin">
                    <button type="submit" class="button small subtle" name="sidebar" value="hidden"
                        title="Hide the sidebar (it stays a menu)">"Hide"</button>
                </form>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let slug = slug.get_untracked();
                    let shell = match shell.await {
                        Ok(shell) => shell,
                        // The project's pages still, and what went wrong, not a "Sign in".
                        Err(e) => {
                            return view! {
                                {slug.map(project_nav)}
                                <p class="user-menu field-error">{e.to_string()}</p>
                            }
                            .into_any()
                        }
                    };
                    let Some(shell) = shell else {
                        return view! {
                            <div class="user-menu">
                                <a href="/login" class="button small">"Sign in"</a>
                            </div>
                        }
                        .into_any();
                    };
                    let a = shell.account;
                    view! {
                        {switcher(slug.as_deref(), shell.projects)}
                        {slug.map(|slug| project_pages(slug, shell.increment))}
                        <div class="user-menu">
                            {inbox_link(a.unread)}
                            <A href="/account" attr:class="account-link" attr:title=a.email>
                                <span class="avatar" aria-hidden="true">{a.initials}</span>
                                <span class="account-name">{a.display_name}</span>
                            </A>
                            <ActionForm action=log_out attr:class="row-form">
                                <button type="submit" class="button small subtle">"Sign out"</button>
                            </ActionForm>
                        </div>
                    }
                    .into_any()
                })}
            </Transition>
        </aside>
        <div class="app-body">
            // The live stream's state, outside the sidebar: seen (and announced) at every
            // width, the sidebar hidden or not.
            <div class="app-status"><crate::components::live::LiveMark/></div>
            <main id="main" class="app-main">
                {children()}
            </main>
            <footer class="app-footer">"Cadence — plan, build, reflect."</footer>
        </div>
    }
}

#[component]
fn Brand() -> impl IntoView {
    view! {
        <A href="/projects" attr:class="brand">
            <span class="brand-mark" aria-hidden="true"></span>
            "Cadence"
        </A>
    }
}

/// The open project's name, opening the list of the others (and all projects).
fn switcher(slug: Option<&str>, projects: Vec<(String, String)>) -> impl IntoView {
    let current = slug.map(|slug| {
        projects
            .iter()
            .find(|(s, _)| s == slug)
            .map_or_else(|| slug.to_owned(), |(_, name)| name.clone())
    });
    let others: Vec<_> = projects
        .into_iter()
        .filter(|(s, _)| Some(s.as_str()) != slug)
        .map(|(s, name)| view! { <li><A href=format!("/p/{s}")>{name}</A></li> })
        .collect();
    view! {
        <details class="switcher">
            <summary>
                <span class="visually-hidden">"Project: "</span>
                {current.unwrap_or_else(|| "Projects".to_owned())}
            </summary>
            <ul>
                {others}
                <li><A href="/projects" exact=true>"All projects"</A></li>
            </ul>
        </details>
    }
}

/// The inbox, with the number of unread notifications.
fn inbox_link(unread: i64) -> impl IntoView {
    let label = match unread {
        0 => "Inbox".to_owned(),
        n => format!("Inbox, {n} unread"),
    };
    view! {
        <A href="/inbox" attr:class="inbox-link" attr:aria-label=label>
            "Inbox"
            {(unread > 0).then(|| view! { <span class="unread-count" data-testid="unread-count">{unread}</span> })}
        </A>
    }
}

/// The project's current increment with its days left, and its pages.
fn project_pages(slug: String, increment: Option<IncrementNow>) -> impl IntoView {
    let increment = match increment {
        Some(i) => {
            let left = match (i.days_left, i.ended) {
                (_, true) => "past its last day".to_owned(),
                (0, false) => "no working days left".to_owned(),
                (1, false) => "last day".to_owned(),
                (n, false) => format!("{n} days left"),
            };
            view! {
                <a class="increment-now" href=format!("/p/{slug}/increments/{}", i.id)>
                    <span>{i.label}</span>
                    <span class="days-left" data-testid="days-left">{left}</span>
                </a>
            }
            .into_any()
        }
        None => view! {
            <a class="increment-now" href=format!("/p/{slug}/sprints")>
                <span class="muted">"No increment running"</span>
            </a>
        }
        .into_any(),
    };
    view! { {increment} {project_nav(slug)} }
}

/// The project's pages.
fn project_nav(slug: String) -> impl IntoView {
    let link = |href: String, text: &'static str| {
        view! { <li><A href=href exact=true attr:class="nav-item">{text}</A></li> }
    };
    view! {
        <nav aria-label="Project"><ul class="project-nav">
            {link(format!("/p/{slug}"), "Overview")}
            {link(format!("/p/{slug}/backlog"), "Backlog")}
            {link(format!("/p/{slug}/board"), "Board")}
            {link(format!("/p/{slug}/sprints"), "Sprints")}
            {link(format!("/p/{slug}/planning"), "Planning")}
            {link(format!("/p/{slug}/poker"), "Poker")}
            {link(format!("/p/{slug}/standup"), "Stand-up")}
            {link(format!("/p/{slug}/reflection"), "Reflection")}
            {link(format!("/p/{slug}/velocity"), "Velocity")}
            {link(format!("/p/{slug}/members"), "Members")}
            {link(format!("/p/{slug}/settings"), "Settings")}
        </ul></nav>
    }
}

#[cfg(test)]
mod tests {
    use super::project_slug;

    #[test]
    fn the_project_is_read_from_the_path() {
        assert_eq!(project_slug("/p/shop/settings").as_deref(), Some("shop"));
        assert_eq!(project_slug("/p/shop").as_deref(), Some("shop"));
        assert_eq!(project_slug("/p/"), None);
        assert_eq!(project_slug("/projects"), None);
    }
}
