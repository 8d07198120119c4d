//! The backlog's quick-add form.

use super::use_item_query;
use crate::components::item_fields::BoardContext;
use crate::domain::ItemKind;
use crate::model::items::NewItem;
use crate::server_fns::items::create_item;
use leptos::prelude::*;

/// A plain form (it works with JavaScript off, posting to `items/add`); with JavaScript the
/// item is added in place and the list reloads.
#[component]
pub fn QuickAdd(
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let slug = ctx.try_with_value(|c| c.slug.clone()).unwrap_or_default();
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
    let epic = move || query.try_with(|q| q.epic).flatten();
    view! {
        <form class="quick-add field-row" aria-label="Quick add" method="post" action="/api/fn/items/add"
            on:submit=move |ev| { ev.prevent_default(); submit_bottom(false); }>
            <input type="hidden" name="slug" value=slug/>
            {move || epic().map(|n| view! { <input type="hidden" name="parent" value=n.to_string()/> })}
            <label for="quick-add-title" class="visually-hidden">"New item title"</label>
            <input id="quick-add-title" name="title" data-shortcut="create" type="text" maxlength="200" autocomplete="off"
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
                {ctx.try_with_value(|c| c.chart.clone()).unwrap_or_default().into_iter().map(|(p, label)| view! {
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
