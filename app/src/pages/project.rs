//! A project's start page: what it is, who you are in it, and its parking lot.

use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::domain::{Permission, WorkingWeek};
use crate::model::parking_lot::ParkingLot;
use crate::model::projects::ProjectInfo;
use crate::server_fns::parking_lot::{list_topics, AddTopic};
use crate::server_fns::projects::project_detail;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The `:slug` of the current route.
pub fn use_slug() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()))
}

/// Loads the project for the current route (refetched when the slug changes), and follows
/// its changes from the moment it was read (the live event stream, in the browser).
pub fn project_resource(
) -> Resource<Result<ProjectInfo, crate::error::AppError>, crate::components::data::Json> {
    let slug = use_slug();
    let project = crate::components::data::data(move || slug.get(), project_detail);
    let live = crate::components::live::Live::get();
    Effect::new(move |_| {
        if let Some(Ok(info)) = project.get() {
            live.follow(&info.slug, info.latest_change);
        }
    });
    project
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    let project = project_resource();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading project…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    project.await.map(|p| view! { <Overview project=p/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Overview(project: ProjectInfo) -> impl IntoView {
    let chart = project
        .settings
        .effort_chart
        .iter()
        .map(|v| format!("{} · {}", v.points, v.label))
        .collect::<Vec<_>>()
        .join(", ");
    let days: Vec<i64> = project
        .settings
        .working_days
        .iter()
        .map(|&d| i64::from(d))
        .collect();
    let week = WorkingWeek::parse(&days)
        .map(|w| w.describe())
        .unwrap_or_default();
    let can_contribute = project.role.allows(Permission::Contribute) && !project.archived;
    let slug = project.slug.clone();
    view! {
        <Title text=project.name.clone()/>
        <header class="page-header">
            <h1>{project.name.clone()}</h1>
            <span class="badge" title="Your role">{project.role.label()}</span>
        </header>
        {project.archived.then(|| view! {
            <p class="notice">"This project is archived: it can be read but not changed."</p>
        })}
        <section class="card" aria-labelledby="about-heading">
            <h2 id="about-heading">"How this team works"</h2>
            <dl class="facts">
                <dt>"Effort chart"</dt><dd data-testid="effort-chart">{chart}</dd>
                <dt>"Working days"</dt><dd>{week}</dd>
                <dt>"Velocity window"</dt>
                <dd>{crate::words::last(u32::from(project.settings.velocity_window), "closed increment", "closed increments")}</dd>
                <dt>"Holidays"</dt><dd>{format!("{} listed", crate::words::count(project.settings.holidays.len() as u32, "day", "days"))}</dd>
            </dl>
            <p>
                <a href=format!("/p/{slug}/members")>"Members"</a>" · "
                <a href=format!("/p/{slug}/settings")>"Settings"</a>
            </p>
        </section>
        <ParkingLotCard slug=project.slug can_contribute/>
    }
}

/// Topics raised in a meeting, to discuss after it. The form is a real form that Leptos
/// upgrades to a call without a page reload.
#[component]
fn ParkingLotCard(slug: String, can_contribute: bool) -> impl IntoView {
    let add = ServerAction::<AddTopic>::new();
    let list_slug = slug.clone();
    let live = crate::components::live::Live::get();
    let lot = crate::components::data::data(
        move || (add.version().get(), live.tick.get()),
        move |_| list_topics(list_slug.clone()),
    );
    let input = NodeRef::<leptos::html::Input>::new();

    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            if let Some(input) = input.get() {
                input.set_value("");
                let _ = input.focus();
            }
        }
    });
    let title_error = field_error(add.value(), "title");
    let other_error = form_error(add.value(), &["title"]);

    view! {
        <section class="card" aria-labelledby="parking-lot-heading">
            <h2 id="parking-lot-heading">"Parking lot"</h2>
            <p class="muted">"Raise a topic now, talk it through after the stand-up."</p>
            {can_contribute.then(|| view! {
                <ActionForm action=add attr:class="inline-form">
                    <FormError message=other_error/>
                    <input type="hidden" name="slug" value=slug.clone()/>
                    <label for="topic-title">"New topic"</label>
                    <div class="field-row">
                        <input
                            id="topic-title"
                            name="title"
                            type="text"
                            maxlength="200"
                            autocomplete="off"
                            placeholder="e.g. Which browsers do we support?"
                            aria-describedby="topic-title-error"
                            aria-invalid=move || title_error().is_some().to_string()
                            node_ref=input
                        />
                        <button type="submit" class="button primary" disabled=move || add.pending().get()>
                            {move || if add.pending().get() { "Adding…" } else { "Add topic" }}
                        </button>
                    </div>
                    <FieldError id="topic-title-error" message=title_error/>
                </ActionForm>
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading topics…"</p> }>
                <ErrorBoundary fallback=|errors| {
                    view! { <ErrorView error=first_app_error(&errors.get())/> }
                }>
                    {move || Suspend::new(async move {
                        lot.await.map(|lot| view! { <TopicList lot/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn TopicList(lot: ParkingLot) -> impl IntoView {
    let summary = match lot.total {
        0 => "No topics yet.".to_owned(),
        1 => "1 topic".to_owned(),
        n => format!("{n} topics"),
    };
    view! {
        <p class="topic-count" aria-live="polite">{summary}</p>
        <ul class="topic-list" aria-label="Parking lot topics">
            {lot
                .topics
                .into_iter()
                .map(|topic| {
                    let stamp = topic.created_at.format("%Y-%m-%d %H:%M UTC").to_string();
                    let iso = topic.created_at.to_rfc3339();
                    view! {
                        <li>
                            <span class="topic-title">{topic.title}</span>
                            <time class="muted" datetime=iso>{stamp}</time>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
