use leptos::prelude::*;
use leptos_router::components::A;

/// The project pages a team moves between every day. They arrive with the project
/// features; until then they are shown, but not yet links.
const PROJECT_PAGES: [&str; 8] = [
    "Backlog",
    "Board",
    "Sprints",
    "Planning",
    "Stand-up",
    "Reflection",
    "Velocity",
    "Settings",
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Cadence"
            </A>
            <nav class="project-nav" aria-label="Project">
                <ul>
                    {PROJECT_PAGES
                        .iter()
                        .map(|page| {
                            view! {
                                <li>
                                    <span class="nav-item" aria-disabled="true" title="Arrives with projects">
                                        {*page}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
        <main id="main" class="app-main">
            {children()}
        </main>
        <footer class="app-footer">"Cadence — plan, build, reflect."</footer>
    }
}
