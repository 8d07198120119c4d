//! The backlog: the ranked list of open items, epics with their children, filters in the
//! URL, quick add, inline estimate and assignee, and reordering by drag and drop or by
//! keyboard (move up, down, to top, to bottom).
//!
//! This page and its filters are here; the quick-add form is in `quick_add`, the list with its
//! pager and keyboard moves in `list`, and one row of it in `row`.

pub(crate) mod bulk;
mod list;
mod quick_add;
mod row;

use super::project::{project_resource, use_slug};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::posted_error;
use crate::components::item_fields::BoardContext;
use crate::domain::ItemKind;
use crate::error::AppError;
use crate::model::items::ItemQuery;
use crate::server_fns::items::{list_items, AddItemForm, EditManyForm, MoveItemForm};
use crate::server_fns::projects::list_members;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use list::{ItemList, Refocus};
use quick_add::QuickAdd;

/// The filters and page position, read from the URL.
fn use_item_query() -> Memo<ItemQuery> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let text = |k: &str| q.get(k).filter(|v| !v.is_empty());
            ItemQuery {
                epic: text("epic").and_then(|v| v.parse().ok()),
                kind: text("kind"),
                assignee: text("assignee"),
                state: None,
                q: text("q"),
                unestimated: text("unestimated").map(|v| v == "true" || v == "on"),
                cursor: text("cursor"),
                limit: None,
            }
        })
    })
}

#[component]
pub fn BacklogPage() -> impl IntoView {
    let slug = use_slug();
    let project = project_resource();
    let members = crate::components::data::data(move || slug.get(), list_members);
    // The list's resource lives here, outside the view below that waits for the project and
    // its members: made in there, it was made again (and its query run and its answer sent
    // again) whenever that view ran again as those two arrived.
    let query = use_item_query();
    // Bumped after every change, so the list reloads.
    let changed = RwSignal::new(0u32);
    // Read again after every change, ours or (through the live stream) anyone's.
    let live = crate::components::live::Live::get();
    let page = crate::components::data::data(
        move || (slug.get(), query.get(), changed.get(), live.tick.get()),
        move |(slug, q, _, _)| list_items(slug, q),
    );
    // What the views below read as they render lives here too: the view that waits for the
    // project may run again during one server render, which drops what its previous run
    // made while that run's parts may still be rendering (a filter read from a dropped memo
    // panicked, and the page never finished, under 24 renders at once).
    let ctx = StoredValue::new(BoardContext::default());
    // A plain form post (JavaScript off) comes back with its error in the URL.
    let message = RwSignal::new(posted_error(&[AddItemForm::PATH, MoveItemForm::PATH]));
    let refocus = RwSignal::new(None::<Refocus>);
    let state = BacklogState {
        query,
        changed,
        message,
        refocus,
        mover: list::Mover {
            slug,
            page,
            last: crate::components::data::latest(page),
            ahead: crate::components::data::Ahead::none(),
            query,
            changed,
            message,
            refocus,
            dragged: RwSignal::new(None),
        },
        menu: RwSignal::new(None),
        selection: bulk::Selection::new(),
        bulk_error: RwSignal::new(posted_error(&[EditManyForm::PATH])),
    };
    view! {
        <Title text="Backlog"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the backlog…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    let project = project.await?;
                    let members = members.await?;
                    ctx.set_value(BoardContext::new(&project, members));
                    Ok::<_, AppError>(view! { <Backlog ctx page state/> })
                })}
            </ErrorBoundary>
        </Transition>
        <super::lazy::Peek/>
    }
}

/// The backlog's reactive state, made once per page (see `BacklogPage`).
#[derive(Clone, Copy)]
struct BacklogState {
    query: Memo<ItemQuery>,
    /// Bumped after every change, so the list reloads.
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
    refocus: RwSignal<Option<Refocus>>,
    mover: list::Mover,
    /// The row menu that is open: kept by the page, so a reload (the live stream's) does not
    /// close it under the user.
    menu: RwSignal<Option<(i32, crate::components::item_fields::ItemField)>>,
    /// The rows checked for a bulk change, kept across the list's reloads.
    selection: bulk::Selection,
    /// Why the last bulk change was refused, shown in the bar.
    bulk_error: RwSignal<Option<String>>,
}

#[component]
fn Backlog(
    ctx: StoredValue<BoardContext>,
    page: Resource<Result<crate::model::items::ItemPage, AppError>, crate::components::data::Json>,
    state: BacklogState,
) -> impl IntoView {
    let BacklogState {
        query,
        changed,
        message,
        refocus,
        mover,
        menu,
        selection,
        bulk_error,
    } = state;
    let can_edit = ctx.try_with_value(|c| c.can_edit).unwrap_or_default();
    let filtered = move || {
        query
            .try_with(|q| {
                q.epic.is_some()
                    || q.kind.is_some()
                    || q.assignee.is_some()
                    || q.q.is_some()
                    || q.unestimated == Some(true)
            })
            .unwrap_or_default()
    };

    view! {
    <header class="page-header">
        <h1>"Backlog"</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                page.await.ok().map(|p| {
                    // A filtered list is a selection the scrum master can estimate together.
                    let chosen: Vec<String> = p.items.iter()
                        .filter(|i| i.kind != crate::domain::ItemKind::Epic && i.state != crate::domain::ItemState::Done)
                        .take(crate::model::poker::MAX_QUEUE)
                        .map(|i| i.number.to_string())
                        .collect();
                    let poker = (filtered() && ctx.try_with_value(|c| c.can_plan).unwrap_or_default() && !chosen.is_empty()).then(|| view! {
                        <a class="button small" data-testid="poker-selection"
                            href=format!("/p/{}/poker?items={}", ctx.try_with_value(|c| c.slug.clone()).unwrap_or_default(), chosen.join(","))>
                            {format!("Estimate {} in planning poker", crate::words::count(chosen.len() as i64, "item shown", "items shown"))}
                        </a>
                    });
                    view! {
                        <p class="totals" data-testid="backlog-totals">
                            // Epics are rows but not counted; their children are counted but shown inside
                            // them: so the count names what it counts.
                            {format!("{} · {}",
                                crate::words::count(p.total_count, "task or bug", "tasks and bugs"),
                                crate::words::count(p.total_points, "point", "points"))}
                        </p>
                        {poker}
                    }
                })
            })}
        </Transition>
    </header>
    <Filters ctx query/>
    {can_edit.then(|| view! {
        <QuickAdd ctx changed message/>
        <p class="without-js muted">"Without JavaScript, items are added and moved here, and checked items are changed together from the bar under the list; a row's estimate, assignee and state lead to the item's page."</p>
    })}
    <p class="form-error" role="alert">{move || message.try_get().flatten()}</p>
    <Transition fallback=|| view! { <p class="muted">"Loading items…"</p> }>
        <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
            // The filter is read here, not inside the future: a server renders the
            // future on whichever worker thread polls it, and a memo read there while
            // this request recomputes it on another panicked (seen once in 50 clients'
            // load on the debug build).
            {move || {
                let flat = filtered();
                let ahead = mover.ahead.get();
                let known = mover.last.get();
                Suspend::new(async move {
                    let read = match known {
                        Some(known) => known,
                        None => page.await,
                    };
                    read.map(|p| crate::components::data::Ahead::over(ahead, p)).map(|p| view! {
                                                <ItemList page=p ctx changed message refocus mover menu selection flat query/>
                                            })
                                        })
                                    }}
                                </ErrorBoundary>
                            </Transition>
                            {can_edit.then(|| bulk::bulk_bar(ctx, selection, changed, bulk_error))}
                        }
}

#[component]
fn Filters(ctx: StoredValue<BoardContext>, query: Memo<ItemQuery>) -> impl IntoView {
    let q = move || {
        query
            .try_with(|q| q.q.clone().unwrap_or_default())
            .unwrap_or_default()
    };
    let kind = move || {
        query
            .try_with(|q| q.kind.clone().unwrap_or_default())
            .unwrap_or_default()
    };
    let assignee = move || {
        query
            .try_with(|q| q.assignee.clone().unwrap_or_default())
            .unwrap_or_default()
    };
    let unestimated = move || {
        query
            .try_with(|q| q.unestimated == Some(true))
            .unwrap_or_default()
    };
    let epic = move || query.try_with(|q| q.epic).flatten();
    let slug = ctx.try_with_value(|c| c.slug.clone()).unwrap_or_default();
    // Filters apply as they change: a choice at once, words after a pause in typing; the
    // URL keeps them (a filtered backlog is a link to send), replaced rather than stacked.
    // A plain GET form without JavaScript; with it, the same query is navigated to here
    // (the router's `Form` would bring its code for every kind of form into the first load),
    // and Enter has nothing left to do: what was typed applies after the pause anyway.
    let navigate = leptos_router::hooks::use_navigate();
    let apply = move |form: leptos::web_sys::HtmlFormElement| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let Ok(data) = leptos::web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let Ok(params) = leptos::web_sys::UrlSearchParams::new_with_str_sequence_sequence(
                data.unchecked_ref(),
            ) else {
                return;
            };
            let path = window().location().pathname().unwrap_or_default();
            navigate(
                &format!("{path}?{}", String::from(params.to_string())),
                leptos_router::NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (form, &navigate);
    };
    let typed = StoredValue::new(0u32);
    let on_input = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(form) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
            .is_some_and(|i| i.type_() == "search");
        typed.update_value(|n| *n += 1);
        let mine = typed.get_value();
        let apply = apply.clone();
        set_timeout(
            move || {
                if typed.try_get_value() == Some(mine) {
                    apply(form);
                }
            },
            std::time::Duration::from_millis(if typing { 300 } else { 0 }),
        );
    };
    view! {
        <form method="get" class="filters" aria-label="Filters" on:input=on_input
            on:submit=|ev| ev.prevent_default()>
            {move || epic().map(|n| view! {
                <input type="hidden" name="epic" value=n.to_string()/>
                <span class="badge">{format!("Epic #{n}")}</span>
            })}
            <label for="filter-q">"Search"</label>
            <input id="filter-q" type="search" name="q" data-shortcut="search" prop:value=q value=q placeholder="Words in the title"/>
            <label for="filter-kind">"Kind"</label>
            <select id="filter-kind" name="kind">
                <option value="" selected=move || kind().is_empty()>"Any"</option>
                {ItemKind::ALL.into_iter().map(|k| view! {
                    <option value=k.as_str() selected=move || kind() == k.as_str()>{k.label()}</option>
                }).collect_view()}
            </select>
            <label for="filter-assignee">"Assignee"</label>
            <select id="filter-assignee" name="assignee">
                <option value="" selected=move || assignee().is_empty()>"Anyone"</option>
                <option value="none" selected=move || assignee() == "none">"Nobody"</option>
                {ctx.try_with_value(|c| c.members.clone()).unwrap_or_default().into_iter().map(|m| {
                    let email = m.email.clone();
                    view! {
                        <option value=m.email.clone() selected=move || assignee() == email>{m.display_name}</option>
                    }
                }).collect_view()}
            </select>
            <span class="check">
                <input id="filter-unestimated" type="checkbox" name="unestimated" value="true"
                    prop:checked=unestimated checked=unestimated/>
                <label for="filter-unestimated">"Not estimated"</label>
            </span>
            <button type="submit" class="button without-js">"Filter"</button>
            <a class="button" href=format!("/p/{slug}/backlog")>"Clear"</a>
        </form>
    }
}
