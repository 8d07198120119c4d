//! The backlog: the ranked list of open items, epics with their children, filters in the
//! URL, quick add, inline estimate and assignee, and reordering by drag and drop or by
//! keyboard (move up, down, to top, to bottom).

use super::project::{project_resource, use_slug};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::posted_error;
use crate::domain::{ItemKind, Permission};
use crate::error::AppError;
use crate::model::items::{Item, ItemPage, ItemPatch, ItemQuery, MoveTo, NewItem};
use crate::model::projects::{Member, ProjectInfo};
use crate::server_fns::items::{
    create_item, list_items, move_item, update_item, AddItemForm, MoveItemForm,
};
use crate::server_fns::projects::list_members;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

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

/// What the rows need from the project: the chart, the members, and the caller's rights.
#[derive(Clone)]
pub struct BoardContext {
    pub slug: String,
    pub chart: Vec<(u8, String)>,
    pub members: Vec<Member>,
    pub can_edit: bool,
}

impl BoardContext {
    pub fn new(project: &ProjectInfo, members: Vec<Member>) -> BoardContext {
        BoardContext {
            slug: project.slug.clone(),
            chart: project
                .settings
                .effort_chart
                .iter()
                .map(|v| (v.points, v.label.clone()))
                .collect(),
            members,
            can_edit: project.role.allows(Permission::Contribute) && !project.archived,
        }
    }
}

#[component]
pub fn BacklogPage() -> impl IntoView {
    let slug = use_slug();
    let project = project_resource();
    let members = Resource::new(move || slug.get(), list_members);
    view! {
        <Title text="Backlog"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the backlog…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    let project = project.await?;
                    let members = members.await?;
                    Ok::<_, AppError>(view! { <Backlog ctx=BoardContext::new(&project, members)/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Backlog(ctx: BoardContext) -> impl IntoView {
    let query = use_item_query();
    // Bumped after every change, so the list reloads.
    let changed = RwSignal::new(0u32);
    let list_slug = ctx.slug.clone();
    let page = Resource::new(
        move || (query.get(), changed.get()),
        move |(q, _)| list_items(list_slug.clone(), q),
    );
    // A plain form post (JavaScript off) comes back with its error in the URL.
    let message = RwSignal::new(posted_error(&[AddItemForm::PATH, MoveItemForm::PATH]));
    let refocus = RwSignal::new(None::<Refocus>);
    let ctx = StoredValue::new(ctx);
    let filtered = move || {
        query.with(|q| {
            q.epic.is_some()
                || q.kind.is_some()
                || q.assignee.is_some()
                || q.q.is_some()
                || q.unestimated == Some(true)
        })
    };

    view! {
        <header class="page-header">
            <h1>"Backlog"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    page.await.ok().map(|p| view! {
                        <p class="totals" data-testid="backlog-totals">
                            // Epics are rows but not counted; their children are counted but shown inside
                            // them: so the count names what it counts.
                            {format!("{} · {}",
                                crate::words::count(p.total_count, "task or bug", "tasks and bugs"),
                                crate::words::count(p.total_points, "point", "points"))}
                        </p>
                    })
                })}
            </Transition>
        </header>
        <Filters ctx/>
        {move || ctx.with_value(|c| c.can_edit).then(|| view! {
            <QuickAdd ctx changed message/>
            <p class="without-js muted">"Without JavaScript, items are added and moved here; changing an estimate or an assignee needs JavaScript (or the JSON API)."</p>
        })}
        <p class="form-error" role="alert">{move || message.get()}</p>
        <Transition fallback=|| view! { <p class="muted">"Loading items…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    page.await.map(|p| view! {
                        <ItemList page=p ctx changed message refocus flat=filtered()/>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Filters(ctx: StoredValue<BoardContext>) -> impl IntoView {
    let query = use_item_query();
    let q = move || query.with(|q| q.q.clone().unwrap_or_default());
    let kind = move || query.with(|q| q.kind.clone().unwrap_or_default());
    let assignee = move || query.with(|q| q.assignee.clone().unwrap_or_default());
    let unestimated = move || query.with(|q| q.unestimated == Some(true));
    let epic = move || query.with(|q| q.epic);
    let slug = ctx.with_value(|c| c.slug.clone());
    view! {
        <Form method="GET" action="" attr:class="filters" attr:aria-label="Filters">
            {move || epic().map(|n| view! {
                <input type="hidden" name="epic" value=n.to_string()/>
                <span class="badge">{format!("Epic #{n}")}</span>
            })}
            <label for="filter-q">"Search"</label>
            <input id="filter-q" type="search" name="q" prop:value=q value=q placeholder="Words in the title"/>
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
                {ctx.with_value(|c| c.members.clone()).into_iter().map(|m| {
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
            <button type="submit" class="button">"Filter"</button>
            <a class="button" href=format!("/p/{slug}/backlog")>"Clear"</a>
        </Form>
    }
}

/// A plain form (it works with JavaScript off, posting to `items/add`); with JavaScript the
/// item is added in place and the list reloads.
#[component]
fn QuickAdd(
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let slug = ctx.with_value(|c| c.slug.clone());
    let title = RwSignal::new(String::new());
    let kind = RwSignal::new("task".to_owned());
    let estimate = RwSignal::new(String::new());
    let query = use_item_query();
    let add = Action::new(move |(slug, item): &(String, NewItem)| {
        let (slug, item) = (slug.clone(), item.clone());
        async move { create_item(slug, item).await }
    });
    Effect::new(move |_| match add.value().get() {
        Some(Ok(_)) => {
            title.set(String::new());
            estimate.set(String::new());
            message.set(None);
            changed.update(|n| *n += 1);
        }
        Some(Err(e)) => message.set(Some(e.field("title").unwrap_or_else(|| e.to_string()))),
        None => {}
    });
    let dispatch_slug = slug.clone();
    let submit = move |top: bool| {
        let epic = query.with_untracked(|q| q.epic);
        add.dispatch((
            dispatch_slug.clone(),
            NewItem {
                kind: Some(kind.get_untracked()),
                title: title.get_untracked(),
                parent: epic,
                estimate: estimate.get_untracked().parse().ok(),
                position: Some(if top { "top" } else { "bottom" }.to_owned()),
                ..Default::default()
            },
        ));
    };
    let submit_bottom = submit.clone();
    let epic = move || query.with(|q| q.epic);
    view! {
        <form class="quick-add field-row" aria-label="Quick add" method="post" action="/api/fn/items/add"
            on:submit=move |ev| { ev.prevent_default(); submit_bottom(false); }>
            <input type="hidden" name="slug" value=slug/>
            {move || epic().map(|n| view! { <input type="hidden" name="parent" value=n.to_string()/> })}
            <label for="quick-add-title" class="visually-hidden">"New item title"</label>
            <input id="quick-add-title" name="title" type="text" maxlength="200" autocomplete="off"
                placeholder="Add an item: type a title, press Enter"
                prop:value=move || title.get()
                on:input:target=move |ev| title.set(ev.target().value())/>
            <label for="quick-add-kind" class="visually-hidden">"Kind"</label>
            <select id="quick-add-kind" name="kind" on:change:target=move |ev| kind.set(ev.target().value())>
                {ItemKind::ALL.into_iter().map(|k| view! {
                    <option value=k.as_str() selected=k == ItemKind::Task>{k.label()}</option>
                }).collect_view()}
            </select>
            <label for="quick-add-estimate" class="visually-hidden">"New item estimate"</label>
            <select id="quick-add-estimate" name="estimate" prop:value=move || estimate.get()
                on:change:target=move |ev| estimate.set(ev.target().value())>
                <option value="" selected=true>"Not estimated"</option>
                {ctx.with_value(|c| c.chart.clone()).into_iter().map(|(p, label)| view! {
                    <option value=p.to_string()>{format!("{p} · {label}")}</option>
                }).collect_view()}
            </select>
            <button type="submit" name="position" value="bottom" class="button primary"
                disabled=move || add.pending().get()>"Add to bottom"</button>
            <button type="submit" name="position" value="top" class="button"
                on:click=move |ev| { ev.prevent_default(); submit(true); }>"Add to top"</button>
        </form>
    }
}

/// Which row asked to keep focus after the list reloads (a keyboard move).
#[derive(Clone, Copy, PartialEq)]
struct Refocus(i32, &'static str);

#[component]
fn ItemList(
    page: ItemPage,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
    refocus: RwSignal<Option<Refocus>>,
    flat: bool,
) -> impl IntoView {
    let query = use_item_query();
    let items = page.items.clone();
    if items.is_empty() {
        let empty = if flat {
            "Nothing matches these filters."
        } else {
            "The backlog is empty. Add the first item above."
        };
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    let numbers: Vec<i32> = items.iter().map(|i| i.number).collect();
    let dragged = RwSignal::new(None::<i32>);
    let slug = ctx.with_value(|c| c.slug.clone());
    let mover = Action::new(move |(n, to, focus): &(i32, MoveTo, Option<Refocus>)| {
        let (slug, n, to, focus) = (slug.clone(), *n, to.clone(), *focus);
        async move {
            let result = move_item(slug, n, to).await;
            (result, focus)
        }
    });
    Effect::new(move |_| {
        if let Some((result, focus)) = mover.value().get() {
            match result {
                Ok(_) => {
                    message.set(None);
                    refocus.set(focus);
                    changed.update(|n| *n += 1);
                }
                Err(e) => {
                    refocus.set(None);
                    message.set(Some(e.to_string()));
                }
            }
        }
    });
    // After a keyboard move and the reload, focus returns to the same button of the item.
    Effect::new(move |_| {
        if let Some(target) = refocus.get() {
            refocus_when_mounted(target, refocus, 20);
        }
    });
    let next_cursor = page.next_cursor.clone();
    let next_href = move || {
        next_cursor.clone().map(|c| {
            query.with(|q| {
                let mut parts = vec![format!("cursor={}", crate::words::urlencode(&c))];
                if let Some(e) = q.epic {
                    parts.push(format!("epic={e}"));
                }
                if let Some(k) = &q.kind {
                    parts.push(format!("kind={}", crate::words::urlencode(k)));
                }
                if let Some(a) = &q.assignee {
                    parts.push(format!("assignee={}", crate::words::urlencode(a)));
                }
                if let Some(t) = &q.q {
                    parts.push(format!("q={}", crate::words::urlencode(t)));
                }
                if q.unestimated == Some(true) {
                    parts.push("unestimated=true".into());
                }
                format!("?{}", parts.join("&"))
            })
        })
    };
    let on_first_page = move || query.with(|q| q.cursor.is_none());
    let slug = ctx.with_value(|c| c.slug.clone());
    let first_page = move || {
        query.with(|q| {
            let mut q = q.clone();
            q.cursor = None;
            let mut parts = Vec::new();
            if let Some(e) = q.epic {
                parts.push(format!("epic={e}"));
            }
            if let Some(k) = &q.kind {
                parts.push(format!("kind={k}"));
            }
            format!("/p/{slug}/backlog?{}", parts.join("&"))
        })
    };
    view! {
        <ol class="item-list" aria-label="Backlog items"
            on:dragover=move |ev| ev.prevent_default()>
            {items.into_iter().enumerate().map(|(i, item)| {
                let prev = (i > 0).then(|| numbers[i - 1]);
                let next = numbers.get(i + 1).copied();
                view! { <ItemRow item ctx changed message prev next dragged mover/> }
            }).collect_view()}
        </ol>
        <nav class="pager" aria-label="Pages">
            {move || (!on_first_page()).then(|| view! { <a href=first_page()>"First page"</a> })}
            {move || next_href().map(|h| view! { <a href=h rel="next">"Next page"</a> })}
        </nav>
    }
    .into_any()
}

/// Focuses the button named by `target` once the reloaded list has replaced the one that
/// was pressed (which keeps focus until then), checking again each frame for a little while.
fn refocus_when_mounted(target: Refocus, refocus: RwSignal<Option<Refocus>>, tries: u32) {
    if refocus.get_untracked() != Some(target) {
        // Another pass already handled it (or a newer move replaced it).
        return;
    }
    let Refocus(n, which) = target;
    let doc = document();
    let pressed = doc.get_element_by_id(&format!("{which}-{n}"));
    // Until the reload lands, the pressed button is still the one with this id, and focused.
    let not_yet = pressed.is_some() && pressed == doc.active_element();
    // At an edge the same button is disabled now (the last item cannot move down): focus
    // the item's other arrow instead, never another item's button.
    let other = match which {
        "up" => "down",
        "down" => "up",
        _ => which,
    };
    let target_el = pressed
        .filter(|el| !el.has_attribute("disabled"))
        .or_else(|| doc.get_element_by_id(&format!("{other}-{n}")));
    match target_el {
        Some(el) if !not_yet => {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
            refocus.set(None);
        }
        _ if tries > 0 => set_timeout(
            move || refocus_when_mounted(target, refocus, tries - 1),
            std::time::Duration::from_millis(25),
        ),
        _ => refocus.set(None),
    }
}

type Mover = Action<(i32, MoveTo, Option<Refocus>), (Result<Item, AppError>, Option<Refocus>)>;

#[component]
fn ItemRow(
    item: Item,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
    prev: Option<i32>,
    next: Option<i32>,
    dragged: RwSignal<Option<i32>>,
    mover: Mover,
) -> impl IntoView {
    let n = item.number;
    let can_edit = ctx.with_value(|c| c.can_edit);
    let slug = ctx.with_value(|c| c.slug.clone());
    let href = format!("/p/{slug}/items/{n}");
    let is_epic = item.kind == ItemKind::Epic;
    let expanded = RwSignal::new(false);
    let move_to = move |to: MoveTo, which: &'static str| {
        mover.dispatch((n, to, Some(Refocus(n, which))));
    };
    let title = item.title.clone();
    // An epic's own size is in its estimate menu; beside it, what its children add up to.
    let rollup = item.rollup.map(|r| {
        format!(
            "children: {}/{} pts · {}/{} done",
            r.done_points, r.total_points, r.done_children, r.children
        )
    });
    // Loaded when first expanded (an action, not a resource: rows are rendered inside the
    // list's suspense, where per-row resources would not line up during hydration).
    let children_slug = slug.clone();
    let load_children = Action::new(move |_: &()| {
        let slug = children_slug.clone();
        async move {
            list_items(
                slug,
                ItemQuery {
                    epic: Some(n),
                    limit: Some(200),
                    ..Default::default()
                },
            )
            .await
        }
    });
    view! {
        <li class="item-row" class:epic=is_epic data-number=n.to_string()
            draggable=if can_edit { "true" } else { "false" }
            on:dragstart=move |_| dragged.set(Some(n))
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(from) = dragged.get_untracked().filter(|from| *from != n) {
                    dragged.set(None);
                    mover.dispatch((from, MoveTo { before: Some(n), ..Default::default() }, None));
                }
            }>
            <div class="item-main">
                {can_edit.then(|| view! { <span class="drag-handle" aria-hidden="true" title="Drag to reorder">"⠿"</span> })}
                <span class="item-number">{format!("#{n}")}</span>
                <span class=format!("kind kind-{}", item.kind.as_str())>{item.kind.label()}</span>
                <a class="item-title" href=href>{title.clone()}</a>
                {item.blocked.then(|| view! { <span class="badge blocked" title=item.blocked_reason.clone().unwrap_or_default()>"Blocked"</span> })}
                {item.consider_splitting.then(|| view! { <span class="badge warn">"Consider splitting"</span> })}
                {rollup.map(|r| view! { <span class="muted rollup">{r}</span> })}
                {is_epic.then(|| view! {
                    <a class="button small without-js" href=format!("/p/{slug}/backlog?epic={n}")>"Children"</a>
                    <button type="button" class="button small needs-js" aria-expanded=move || expanded.get().to_string()
                        on:click=move |_| {
                            if !expanded.get_untracked() && load_children.value().with_untracked(Option::is_none) {
                                load_children.dispatch(());
                            }
                            expanded.update(|e| *e = !*e);
                        }>
                        {move || if expanded.get() { "Hide children" } else { "Show children" }}
                    </button>
                })}
            </div>
            <div class="item-side">
                <EstimateSelect item=item.clone() ctx changed message/>
                <AssigneeSelect item=item.clone() ctx changed message/>
                {can_edit.then(|| {
                    let t = title.clone();
                    // Each button submits the row's form with its own target, so it works
                    // with JavaScript off; with it, the move happens in place and focus stays.
                    view! {
                        <form class="move-buttons" method="post" action="/api/fn/items/move-form"
                            role="group" aria-label=format!("Move {t}")>
                            <input type="hidden" name="slug" value=slug.clone()/>
                            <input type="hidden" name="number" value=n.to_string()/>
                            <button type="submit" class="button small" id=format!("up-{n}") disabled=prev.is_none()
                                name="before" value=prev.map(|p| p.to_string()).unwrap_or_default()
                                aria-label=format!("Move #{n} up")
                                on:click=move |ev| { ev.prevent_default(); if let Some(p) = prev { move_to(MoveTo { before: Some(p), ..Default::default() }, "up") } }>"↑"</button>
                            <button type="submit" class="button small" id=format!("down-{n}") disabled=next.is_none()
                                name="after" value=next.map(|x| x.to_string()).unwrap_or_default()
                                aria-label=format!("Move #{n} down")
                                on:click=move |ev| { ev.prevent_default(); if let Some(x) = next { move_to(MoveTo { after: Some(x), ..Default::default() }, "down") } }>"↓"</button>
                            <button type="submit" class="button small" id=format!("top-{n}")
                                name="to" value="top"
                                aria-label=format!("Move #{n} to the top")
                                on:click=move |ev| { ev.prevent_default(); move_to(MoveTo { to: Some("top".into()), ..Default::default() }, "top") }>"⤒"</button>
                            <button type="submit" class="button small" id=format!("bottom-{n}")
                                name="to" value="bottom"
                                aria-label=format!("Move #{n} to the bottom")
                                on:click=move |ev| { ev.prevent_default(); move_to(MoveTo { to: Some("bottom".into()), ..Default::default() }, "bottom") }>"⤓"</button>
                        </form>
                    }
                })}
            </div>
            {move || expanded.get().then(|| load_children.value().get()).flatten().map(|loaded| match loaded {
                Err(e) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                Ok(page) => view! {
                    <ul class="child-list" aria-label=format!("Children of #{n}")>
                        {page.items.into_iter().map(|c| {
                            let href = format!("/p/{}/items/{}", ctx.with_value(|x| x.slug.clone()), c.number);
                            view! {
                                <li class:done=c.state == crate::domain::ItemState::Done>
                                    <span class="item-number">{format!("#{}", c.number)}</span>" "
                                    <a href=href>{c.title}</a>" "
                                    <span class="muted">{c.estimate_label.unwrap_or_else(|| "not estimated".into())}</span>" "
                                    <span class="badge">{c.state.label()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </li>
    }
}

/// The estimate, changeable in place from the project's effort chart.
#[component]
pub fn EstimateSelect(
    item: Item,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let n = item.number;
    let version = item.version;
    let current = item.estimate;
    let can_edit = ctx.with_value(|c| c.can_edit);
    let slug = ctx.with_value(|c| c.slug.clone());
    let save = Action::new(move |estimate: &Option<i64>| {
        let (slug, estimate) = (slug.clone(), *estimate);
        async move {
            update_item(
                slug,
                n,
                ItemPatch {
                    version,
                    estimate: Some(estimate),
                    ..Default::default()
                },
            )
            .await
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => changed.update(|c| *c += 1),
        Some(Err(e)) => message.set(Some(e.field("estimate").unwrap_or_else(|| e.to_string()))),
        None => {}
    });
    let id = format!("estimate-{n}");
    let shown = item
        .estimate_label
        .clone()
        .unwrap_or_else(|| "not estimated".into());
    // The menu saves as it changes, which needs JavaScript; without it the row shows the
    // estimate as text (the item's page changes it).
    view! {
        <span class="without-js muted">{shown}</span>
        <label for=id.clone() class="visually-hidden">{format!("Estimate of #{n}")}</label>
        <select id=id class="estimate needs-js" disabled=!can_edit
            on:change:target=move |ev| {
                let value = ev.target().value();
                save.dispatch(value.parse::<i64>().ok());
            }>
            <option value="" selected=current.is_none()>"–"</option>
            {ctx.with_value(|c| c.chart.clone()).into_iter().map(|(p, label)| view! {
                <option value=p.to_string() selected=current == Some(p)>{format!("{p} · {label}")}</option>
            }).collect_view()}
        </select>
    }
}

/// The assignee, changeable in place among the project's members.
#[component]
pub fn AssigneeSelect(
    item: Item,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let n = item.number;
    let version = item.version;
    let current = item.assignee.as_ref().map(|a| a.email.to_lowercase());
    let can_edit = ctx.with_value(|c| c.can_edit);
    let slug = ctx.with_value(|c| c.slug.clone());
    let save = Action::new(move |email: &Option<String>| {
        let (slug, email) = (slug.clone(), email.clone());
        async move {
            update_item(
                slug,
                n,
                ItemPatch {
                    version,
                    assignee: Some(email),
                    ..Default::default()
                },
            )
            .await
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => changed.update(|c| *c += 1),
        Some(Err(e)) => message.set(Some(e.to_string())),
        None => {}
    });
    let id = format!("assignee-{n}");
    let shown = item
        .assignee
        .as_ref()
        .map_or_else(|| "Unassigned".to_owned(), |a| a.display_name.clone());
    view! {
        <span class="without-js muted">{shown}</span>
        <label for=id.clone() class="visually-hidden">{format!("Assignee of #{n}")}</label>
        <select id=id class="assignee needs-js" disabled=!can_edit
            on:change:target=move |ev| {
                let value = ev.target().value();
                save.dispatch((!value.is_empty()).then_some(value));
            }>
            <option value="" selected=current.is_none()>"Unassigned"</option>
            {ctx.with_value(|c| c.members.clone()).into_iter().map(|m| {
                let selected = current.as_deref() == Some(m.email.to_lowercase().as_str());
                view! { <option value=m.email.clone() selected=selected>{m.display_name}</option> }
            }).collect_view()}
        </select>
    }
}
