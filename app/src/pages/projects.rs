//! The projects the signed-in person belongs to, and a form to start a new one.

use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::components::import::ImportProject;
use crate::model::projects::{Invitation, ProjectSummary};
use crate::server_fns::projects::{my_invitations, my_projects, AnswerInvitation, CreateProject};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let imported = RwSignal::new(0u32);
    let answer = ServerAction::<AnswerInvitation>::new();
    let projects = crate::components::data::data(
        move || {
            (
                create.version().get(),
                imported.get(),
                answer.version().get(),
            )
        },
        |_| my_projects(),
    );
    let invitations =
        crate::components::data::data(move || answer.version().get(), |_| my_invitations());
    let name_error = field_error(create.value(), "name");
    let other_error = form_error(create.value(), &["name"]);
    view! {
        <Title text="Projects"/>
        <h1>"Your projects"</h1>
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    invitations.await.map(|list| view! { <Invitations list answer/> })
                })}
            </ErrorBoundary>
        </Transition>
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

/// Projects someone else's import named the caller in. They are not a member (and the
/// project is not in their list) until they accept.
#[component]
fn Invitations(list: Vec<Invitation>, answer: ServerAction<AnswerInvitation>) -> impl IntoView {
    if list.is_empty() {
        return ().into_any();
    }
    let error = form_error(answer.value(), &[]);
    view! {
        <section class="card" aria-labelledby="invitations-heading" data-testid="invitations">
            <h2 id="invitations-heading">"Invitations"</h2>
            <p class="muted">"Someone imported a project that names you. Accept to join it with the role it gives you; decline and it stays theirs alone."</p>
            <FormError message=error/>
            <ul class="project-list" aria-label="Invitations">
                {list
                    .into_iter()
                    .map(|i| {
                        let by = i
                            .invited_by
                            .map(|name| format!("imported by {name}"))
                            .unwrap_or_else(|| "imported by a former user".to_owned());
                        let (slug_accept, slug_decline) = (i.slug.clone(), i.slug);
                        view! {
                            <li class="project-row">
                                <strong>{i.name}</strong>
                                <span class="badge">{i.role.label()}</span>
                                <span class="muted">{by}</span>
                                <ActionForm action=answer attr:class="inline">
                                    <input type="hidden" name="slug" value=slug_accept/>
                                    <input type="hidden" name="accept" value="true"/>
                                    <button type="submit" class="button primary">"Accept"</button>
                                </ActionForm>
                                <ActionForm action=answer attr:class="inline">
                                    <input type="hidden" name="slug" value=slug_decline/>
                                    <input type="hidden" name="accept" value="false"/>
                                    <button type="submit" class="button">"Decline"</button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}
