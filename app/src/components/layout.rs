use crate::server_fns::accounts::{me, LogOut};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// Project pages still to come: shown so the shape of the product is visible, not links.
/// The project slug in a `/p/{slug}/…` path.
fn project_slug(path: &str) -> Option<String> {
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
    // Refetched on every navigation, so signing in or out shows at once, and on every
    // change the open project's stream reports, so the unread count follows comments,
    // assignments and the rest while a project page is open.
    let account = Resource::new(
        move || format!("{} {}", location.pathname.get(), live.version.get()),
        |_| me(),
    );
    let slug = Memo::new(move |_| project_slug(&location.pathname.get()));
    let log_out = ServerAction::<LogOut>::new();
    crate::components::shortcuts::listen();
    Effect::new(move |_| {
        if slug.get().is_none() {
            live.unfollow();
        }
    });

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <A href="/projects" attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Cadence"
            </A>
            {move || slug.get().map(|slug| view! { <ProjectNav slug/> })}
            <crate::components::live::LiveMark/>
            <div class="user-menu">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(Some(a)) => view! {
                                <InboxLink unread=a.unread/>
                                <A href="/account" attr:class="account-link" attr:title=a.email.clone()>
                                    <span class="avatar" aria-hidden="true">{a.initials.clone()}</span>
                                    <span class="account-name">{a.display_name.clone()}</span>
                                </A>
                                <ActionForm action=log_out attr:class="row-form">
                                    <button type="submit" class="button small">"Sign out"</button>
                                </ActionForm>
                            }
                            .into_any(),
                            _ => view! { <a href="/login" class="button small">"Sign in"</a> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </header>
        <main id="main" class="app-main">
            {children()}
        </main>
        <footer class="app-footer">"Cadence — plan, build, reflect."</footer>
    }
}

/// The inbox, with the number of unread notifications.
#[component]
fn InboxLink(unread: i64) -> impl IntoView {
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

#[component]
fn ProjectNav(slug: String) -> impl IntoView {
    let link = |href: String, text: &'static str| {
        view! { <li><A href=href exact=true attr:class="nav-item">{text}</A></li> }
    };
    view! {
        <nav class="project-nav" aria-label="Project">
            <ul>
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
            </ul>
        </nav>
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
