use crate::api::parking_lot::{list_topics, AddTopic, ParkingLot};
use crate::components::error_view::{first_app_error, ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Welcome to Cadence"</h1>
            <p class="lead">
                "Backlog, sprints and increments, the task board, velocity and the daily stand-up, "
                "for teams that estimate in story points."
            </p>
        </section>
        <ParkingLotCard/>
    }
}

/// Topics raised in a meeting, to discuss after it. Works with and without JavaScript:
/// the form is a real form that Leptos upgrades to a call without a page reload.
#[component]
fn ParkingLotCard() -> impl IntoView {
    let add = ServerAction::<AddTopic>::new();
    let lot = Resource::new(move || add.version().get(), |_| list_topics());
    let input = NodeRef::<leptos::html::Input>::new();

    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            if let Some(input) = input.get() {
                input.set_value("");
                let _ = input.focus();
            }
        }
    });
    let title_error = move || {
        add.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.field("title").unwrap_or_else(|| e.to_string()))
    };

    view! {
        <section class="card" aria-labelledby="parking-lot-heading">
            <h2 id="parking-lot-heading">"Parking lot"</h2>
            <p class="muted">"Raise a topic now, talk it through after the stand-up."</p>
            <ActionForm action=add attr:class="inline-form">
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
                <p id="topic-title-error" class="field-error" role="alert">
                    {title_error}
                </p>
            </ActionForm>
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
