//! The projects the signed-in person belongs to, and a form to start a new one.

use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::components::import::ImportProject;
use crate::model::projects::ProjectSummary;
use crate::server_fns::projects::{my_projects, CreateProject};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let imported = RwSignal::new(0u32);
    let projects = Resource::new(
        move || (create.version().get(), imported.get()),
        |_| my_projects(),
    );
    let name_error = field_error(create.value(), "name");
    let other_error = form_error(create.value(), &["name"]);
    view! {
        <Title text="Projects"/>
        <h1>"Your projects"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading projects…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    projects.await.map(|list| view! { <ProjectList list/> })
                })}
            </ErrorBoundary>
        </Transition>
        <section class="card" aria-labelledby="new-project-heading">
            <h2 id="new-project-heading">"New project"</h2>
            <ActionForm action=create attr:class="inline-form">
                <FormError message=other_error/>
                <label for="project-name">"Name"</label>
                <div class="field-row">
                    <input id="project-name" name="name" type="text" maxlength="80" required
                        placeholder="e.g. Web shop" aria-describedby="project-name-error"/>
                    <button type="submit" class="button primary" disabled=move || create.pending().get()>
                        "Create project"
                    </button>
                </div>
                <FieldError id="project-name-error" message=name_error/>
            </ActionForm>
        </section>
        <ImportProject imported/>
    }
}

#[component]
fn ProjectList(list: Vec<ProjectSummary>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="empty">"You are not in any project yet. Create one below, or ask an owner to add you."</p>
        }
        .into_any();
    }
    view! {
        <ul class="project-list" aria-label="Your projects">
            {list
                .into_iter()
                .map(|p| {
                    let href = format!("/p/{}", p.slug);
                    let members = match p.members {
                        1 => "1 member".to_owned(),
                        n => format!("{n} members"),
                    };
                    view! {
                        <li class="project-row" class:archived=p.archived>
                            <a href=href class="project-link">{p.name}</a>
                            <span class="badge">{p.role.label()}</span>
                            <span class="muted">{members}</span>
                            {p.archived.then(|| view! { <span class="badge muted">"Archived"</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
