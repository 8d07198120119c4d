//! The list of backlog items: its rows, the pager, and moving items (by drag and drop,
//! or by keyboard with focus kept on the moved item).

use super::row::item_row;
use crate::components::item_fields::{BoardContext, ItemField};
use crate::error::AppError;
use crate::model::items::{ItemPage, ItemQuery, MoveTo};
use leptos::prelude::*;

pub use crate::components::item_fields::Refocus;

/// Moves items, for the whole page: made once by the page, not by each list, because a list
/// being replaced by a reload is gone while its rows are still on screen and clickable.
/// The page shows a move at once; the server confirms it, or refuses it and the move is
/// undone with the reason (`bulk::moved`, loaded with the first move).
#[derive(Clone, Copy)]
// On the server a move is never made: only the browser reads these.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Mover {
    pub slug: Memo<String>,
    pub page: Resource<Result<ItemPage, AppError>, crate::components::data::Json>,
    /// The list as last read (`components::data::latest`): a move is made on it, and the
    /// list drawn from it, while a newer reading is on its way.
    pub last: RwSignal<Option<Result<ItemPage, AppError>>>,
    /// The list as moved here, shown until the list is read again.
    pub ahead: crate::components::data::Ahead<ItemPage>,
    pub query: Memo<ItemQuery>,
    pub changed: RwSignal<u32>,
    pub message: RwSignal<Option<String>>,
    pub refocus: RwSignal<Option<Refocus>>,
    /// The item being dragged.
    pub dragged: RwSignal<Option<i32>>,
}

impl Mover {
    /// Moves item `n`; `focus`: the button to keep focus on, wherever the item lands.
    pub fn dispatch(self, n: i32, to: MoveTo, focus: Option<Refocus>) {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(super::bulk::run(super::bulk::Job::Move(self, n, to, focus)));
        #[cfg(not(feature = "hydrate"))]
        let _ = (n, to, focus);
    }
}

#[component]
pub fn ItemList(
    page: ItemPage,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
    refocus: RwSignal<Option<Refocus>>,
    mover: Mover,
    /// The row menu that is open (see `item_field_select`).
    menu: RwSignal<Option<(i32, ItemField)>>,
    /// The rows checked for a bulk change.
    selection: super::bulk::Selection,
    flat: bool,
    query: Memo<ItemQuery>,
) -> impl IntoView {
    let items = page.items.clone();
    if items.is_empty() {
        let empty = if flat {
            "Nothing matches these filters."
        } else {
            "The backlog is empty. Start with an epic, a large piece of work you will split into tasks: type its title above, choose Epic, and press Enter."
        };
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    let numbers: Vec<i32> = items.iter().map(|i| i.number).collect();
    let Some(slug) = ctx.try_with_value(|c| c.slug.clone()) else {
        // The page is gone (a server render whose client left): nothing to render.
        return ().into_any();
    };
    // After a keyboard move and the reload, focus returns to the same button of the item.
    Effect::new(move |_| {
        if let Some(target) = refocus.get() {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(super::bulk::run(super::bulk::Job::Refocus(target, refocus)));
            #[cfg(not(feature = "hydrate"))]
            let _ = target;
        }
    });
    let next_cursor = page.next_cursor.clone();
    let next_href = move || {
        next_cursor.clone().and_then(|c| {
            query.try_with(|q| {
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
    let on_first_page = move || query.try_with(|q| q.cursor.is_none()).unwrap_or(true);
    let first_page = move || {
        query
            .try_with(|q| {
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
            .unwrap_or_default()
    };
    view! {
        <ol class="item-list" aria-label="Backlog items"
            on:dragover=move |ev| {
                ev.prevent_default();
                // Where the item would land, shown by the row under it (see `bulk::Job::Over`).
                #[cfg(feature = "hydrate")]
                leptos::task::spawn_local(super::bulk::run(super::bulk::Job::Over(ev.target())));
            }
            on:dragend=move |_| {
                mover.dragged.set(None);
                #[cfg(feature = "hydrate")]
                leptos::task::spawn_local(super::bulk::run(super::bulk::Job::Over(None)));
            }>
            {items.into_iter().enumerate().map(|(i, item)| {
                let prev = (i > 0).then(|| numbers[i - 1]);
                let next = numbers.get(i + 1).copied();
                item_row(item, ctx, changed, message, refocus, menu, prev, next, mover, selection)
            }).collect_view()}
        </ol>
        <nav class="pager" aria-label="Pages">
            {move || (!on_first_page()).then(|| view! { <a href=first_page()>"First page"</a> })}
            {move || next_href().map(|h| view! { <a href=h rel="next">"Next page"</a> })}
        </nav>
    }
    .into_any()
}
