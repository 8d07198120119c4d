//! One row of the backlog: the item, its inline estimate and assignee, its move buttons,
//! and for an epic its children, loaded when first expanded.

use super::list::{Mover, Refocus};
use crate::components::item_fields::{item_field_select, BoardContext, ItemField};
use crate::domain::ItemKind;
use crate::model::items::{Item, ItemQuery, MoveTo};
use crate::server_fns::items::list_items;
use leptos::prelude::*;

/// A plain function, not a component (fifty per page; no props builder in the first load).
#[allow(clippy::too_many_arguments)]
pub fn item_row(
    item: Item,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
    refocus: RwSignal<Option<Refocus>>,
    menu: RwSignal<Option<(i32, ItemField)>>,
    prev: Option<i32>,
    next: Option<i32>,
    mover: Mover,
    selection: super::bulk::Selection,
) -> impl IntoView {
    // One copy for the row and its three menus.
    let item = std::sync::Arc::new(item);
    let n = item.number;
    // Read without panicking: a server render whose client has gone away may still be
    // finishing after the page's values are disposed.
    let (can_edit, slug) = ctx
        .try_with_value(|c| (c.can_edit, c.slug.clone()))
        .unwrap_or_default();
    let href = format!("/p/{slug}/items/{n}");
    let is_epic = item.kind == ItemKind::Epic;
    let expanded = RwSignal::new(false);
    let move_to = move |to: MoveTo, which: &'static str| {
        mover.dispatch(n, to, Some(Refocus(n, which)));
    };
    let title = item.title.clone();
    // An epic's own size is in its estimate menu; beside it, what its children add up to.
    let rollup = item.rollup.map(|r| {
        format!(
            "children: {}/{} pts · {}/{} done",
            r.done_points, r.total_points, r.done_children, r.children
        )
    });
    // Loaded when first expanded (a task, not a resource: rows are rendered inside the
    // list's suspense, where per-row resources would not line up during hydration; and not
    // an action, which would be made for every row of every server render).
    let children =
        RwSignal::new(None::<Result<crate::model::items::ItemPage, crate::error::AppError>>);
    let children_slug = slug.clone();
    let load_children = move || {
        let slug = children_slug.clone();
        leptos::task::spawn_local(async move {
            let page = list_items(
                slug,
                ItemQuery {
                    epic: Some(n),
                    limit: Some(200),
                    ..Default::default()
                },
            )
            .await;
            // The row may be gone by now (the list reloaded).
            children.try_set(Some(page));
        });
    };
    let dragged = mover.dragged;
    view! {
        <li class="item-row" class:epic=is_epic data-number=n.to_string() data-row
            draggable=if can_edit { "true" } else { "false" }
            on:dragstart=move |_| dragged.set(Some(n))
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(from) = dragged.get_untracked().filter(|from| *from != n) {
                    dragged.set(None);
                    mover.dispatch(from, MoveTo { before: Some(n), ..Default::default() }, None);
                }
            }>
            <div class="item-main">
                {can_edit.then(|| view! {
                    <span class="drag-handle" aria-hidden="true" title="Drag to reorder">"⠿"</span>
                    // Part of the bulk bar's form (`bulk`), wherever the row is.
                    <input type="checkbox" class="select" form="bulk" name="items[]" value=n.to_string()
                        data-key="x" aria-label=format!("Select #{n}")
                        prop:checked=move || selection.has(n)
                        on:click=move |ev| selection.clicked(ev, n)/>
                })}
                <span class="item-number">{format!("#{n}")}</span>
                <span class=format!("kind kind-{}", item.kind.as_str())>{item.kind.label()}</span>
                <a class="item-title" href=href>{title.clone()}</a>
                {item.from_ci.clone().map(|ci| view! {
                    <span class="badge ci" title=format!("Filed by {ci} CI when a pipeline failed")>{format!("{ci} CI")}</span>
                })}
                {item.blocked.then(|| view! { <span class="badge blocked" title=item.blocked_reason.clone().unwrap_or_default()>"Blocked"</span> })}
                {item.consider_splitting.then(|| view! { <span class="badge warn">"Consider splitting"</span> })}
                {rollup.map(|r| view! { <span class="muted rollup">{r}</span> })}
                {is_epic.then(|| view! {
                    <a class="button small without-js" href=format!("/p/{slug}/backlog?epic={n}")>"Children"</a>
                    <button type="button" class="button small needs-js" aria-expanded=move || shown_open(expanded).to_string()
                        on:click=move |_| {
                            // `try_`: a row stays on screen, clickable, while a reload replaces
                            // its list, and what it made is gone by then.
                            if expanded.try_get_untracked() == Some(false)
                                && children.try_with_untracked(Option::is_none) == Some(true) {
                                load_children();
                            }
                            expanded.try_update(|e| *e = !*e);
                        }>
                        {move || if shown_open(expanded) { "Hide children" } else { "Show children" }}
                    </button>
                })}
            </div>
            <div class="item-side">
                {item_field_select(ItemField::Estimate, item.clone(), ctx, changed, message, refocus, menu)}
                {item_field_select(ItemField::Assignee, item.clone(), ctx, changed, message, refocus, menu)}
                {item_field_select(ItemField::State, item.clone(), ctx, changed, message, refocus, menu)}
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
                                name="to" value="top" data-key="m"
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
            // `try_` and `shown_open`, here and above: a server render whose client has left
            // may still be finishing when the row's values are disposed.
            {move || shown_open(expanded).then(|| children.try_get().flatten()).flatten().map(|loaded| match loaded {
                Err(e) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                Ok(page) => view! {
                    <ul class="child-list" aria-label=format!("Children of #{n}")>
                        {page.items.into_iter().map(|c| {
                            let href = format!("/p/{slug}/items/{}", c.number);
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

/// Whether an epic's children are shown, as the row's view reads it. On the server always
/// closed, as every row is first shown, without touching the signal: a render whose client
/// has left can be finishing on one thread while another disposes the row's values, and
/// even a `try_` read tracks the signal first, which panics then (seen at the end of a
/// benchmark run).
fn shown_open(expanded: RwSignal<bool>) -> bool {
    #[cfg(feature = "ssr")]
    {
        let _ = expanded;
        false
    }
    #[cfg(not(feature = "ssr"))]
    {
        expanded.try_get().unwrap_or_default()
    }
}
