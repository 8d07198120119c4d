//! Selecting rows (a checkbox each, `x`, shift-click for a range) and changing them all at
//! once from the bar under the list: estimate, assignee, state, commit to an increment,
//! delete. One request, all or nothing (`items/bulk`); a toast says what was done and
//! offers Undo.
//!
//! Without JavaScript the bar is a plain form posting the checked boxes (`items/bulk-form`).
//! With it, what runs after a click or a submit is loaded with its first use (`#[lazy]`), so
//! the first load carries only the bar and the checkboxes.
//!
//! The same split holds what a row's move does (shown at once, sent, put back if refused,
//! with a toast to undo it) and focus coming back to a row's control after a change: one
//! split's loader costs the first load less than two.

use crate::components::item_fields::BoardContext;
use crate::domain::ItemState;
use leptos::prelude::*;

/// The rows chosen, in the order they were chosen, and the last one clicked (where a
/// shift-click's range starts). Kept by the page, so a reload of the list keeps them.
#[derive(Clone, Copy)]
pub struct Selection {
    pub items: RwSignal<Vec<i32>>,
    anchor: StoredValue<Option<i32>>,
}

impl Selection {
    pub fn new() -> Selection {
        Selection {
            items: RwSignal::new(Vec::new()),
            anchor: StoredValue::new(None),
        }
    }

    /// Whether a row is checked, as its checkbox reads it. On the server always unchecked,
    /// without touching the signal (see `row::shown_open`).
    pub fn has(self, n: i32) -> bool {
        #[cfg(feature = "ssr")]
        {
            let _ = (self, n);
            false
        }
        #[cfg(not(feature = "ssr"))]
        {
            self.items.try_with(|s| s.contains(&n)).unwrap_or_default()
        }
    }

    /// A row's checkbox was clicked (by the mouse, or by `x`): it is checked or not now.
    pub fn clicked(self, ev: leptos::ev::MouseEvent, n: i32) {
        let on = event_target_checked(&ev);
        self.items.try_update(|s| {
            s.retain(|x| *x != n);
            if on {
                s.push(n);
            }
        });
        #[cfg(feature = "hydrate")]
        if let Some(from) = self.anchor.try_get_value().flatten() {
            if ev.shift_key() && from != n {
                leptos::task::spawn_local(run(Job::Range(self, from, n, on)));
            }
        }
        self.anchor.try_set_value(Some(n));
    }
}

/// The bar that changes the selected rows: a plain form, sent with JavaScript by [`submit`].
pub fn bulk_bar(
    ctx: StoredValue<BoardContext>,
    selection: Selection,
    changed: RwSignal<u32>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let (slug, chart, members, can_plan) = ctx
        .try_with_value(|c| {
            (
                c.slug.clone(),
                c.chart.clone(),
                c.members.clone(),
                c.can_plan,
            )
        })
        .unwrap_or_default();
    let form_slug = slug.clone();
    let menu_slug = slug.clone();
    view! {
        <form id="bulk" class="bulk-bar" method="post" action="/api/fn/items/bulk-form"
            aria-label="Change the selected items"
            on:submit=move |ev| {
                ev.prevent_default();
                #[cfg(feature = "hydrate")]
                leptos::task::spawn_local(run(Job::Submit(form_slug.clone(), selection, changed, error)));
                #[cfg(not(feature = "hydrate"))]
                let _ = (&form_slug, changed);
            }>
            <input type="hidden" name="slug" value=slug/>
            // "5 selected": counted by the stylesheet, so it is right with JavaScript off too.
            <span class="bulk-count"></span>
            <label for="bulk-change" class="visually-hidden">"Change"</label>
            <select id="bulk-change" name="change" data-plan=can_plan.to_string() data-shortcut="bulk"
                on:focus=move |_| {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(run(Job::Increments(menu_slug.clone())));
                    #[cfg(not(feature = "hydrate"))]
                    let _ = &menu_slug;
                }>
                <option value="">"Choose a change…"</option>
                <optgroup label="Estimate">
                    {chart.into_iter().map(|(p, label)| view! {
                        <option value=format!("estimate:{p}")>{format!("{p} · {label}")}</option>
                    }).collect_view()}
                    <option value="estimate:">"Not estimated"</option>
                </optgroup>
                <optgroup label="Assign to">
                    {members.into_iter().map(|m| view! {
                        <option value=format!("assignee:{}", m.email)>{m.display_name}</option>
                    }).collect_view()}
                    <option value="assignee:">"Nobody"</option>
                </optgroup>
                <optgroup label="State">
                    {ItemState::ALL.into_iter().map(|s| view! {
                        <option value=format!("state:{}", s.as_str())>{s.label()}</option>
                    }).collect_view()}
                </optgroup>
                <option value="delete">"Delete"</option>
            </select>
            <button type="submit" class="button primary">"Apply"</button>
            <button type="button" class="button needs-js"
                on:click=move |_| selection.items.set(Vec::new())>"Clear selection"</button>
            <p class="form-error" role="alert">{move || error.try_get().flatten()}</p>
        </form>
    }
}

/// What the bar and the checkboxes do after an event, in one split loaded with the first
/// (one split, not one per job: each brings its own loading code to the first load).
#[cfg(feature = "hydrate")]
pub(crate) enum Job {
    /// A shift-click: the selection, the row clicked before, this row, checked or not.
    Range(Selection, i32, i32, bool),
    /// The bar's menu was reached: add the increments (the project's slug).
    Increments(String),
    /// The bar was submitted.
    Submit(String, Selection, RwSignal<u32>, RwSignal<Option<String>>),
    /// A drag is over this part of the list (or has ended: `None`): the row it would land
    /// above is marked (`drop-target`, a line above it), and no other.
    Over(Option<leptos::web_sys::EventTarget>),
    /// Focus is to come back to a row's control once the list is drawn again.
    Refocus(super::list::Refocus, RwSignal<Option<super::list::Refocus>>),
    /// An item was moved (by a button, a key or a drop), with the button to keep focus on.
    Move(
        super::list::Mover,
        i32,
        crate::model::items::MoveTo,
        Option<super::list::Refocus>,
    ),
    /// The backlog or the board was shown (its owner): the item panel follows the address
    /// from now on (`pages::lazy::Peek`; here to share this split's loader). Not if the
    /// page was left while this split loaded.
    Peek(leptos::reactive::owner::WeakOwner),
    /// An item was deleted from its page or panel (the project's slug, its number, the
    /// page's reload counter): a toast says so, with Undo.
    Deleted(String, i32, RwSignal<u32>),
    /// A card was moved on the board (the project's slug, its number, the column it left
    /// and the one it is in now, the board's reload counter): a toast says so, with Undo,
    /// and takes the place of the previous move's.
    Column(String, i32, ItemState, ItemState, RwSignal<u32>),
}

#[cfg(feature = "hydrate")]
#[leptos::lazy]
pub(crate) async fn run(job: Job) {
    match job {
        Job::Peek(page) => {
            if let Some(owner) = page.upgrade() {
                owner.with(crate::pages::lazy::follow_peek);
            }
        }
        Job::Deleted(slug, n, changed) => toast(
            &format!("#{n} was moved to the trash."),
            Some((slug, Undo::Restore(n), changed)),
        ),
        Job::Column(slug, n, from, to, changed) => toast(
            &format!("Moved #{n} to {}.", to.label()),
            Some((slug, Undo::Column(n, from), changed)),
        ),
        Job::Range(selection, from, to, on) => range(selection, from, to, on),
        Job::Increments(slug) => increments(slug).await,
        Job::Submit(slug, selection, changed, error) => {
            submit(slug, selection, changed, error).await
        }
        Job::Move(mover, n, to, focus) => moved(mover, n, to, focus).await,
        Job::Over(target) => {
            use leptos::wasm_bindgen::JsCast;
            let row = target
                .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
                .and_then(|el| el.closest(".item-list > li").ok().flatten());
            mark_drop_target(row);
        }
        Job::Refocus(target, refocus) => {
            // One pass per request: each list drawn meanwhile asks again, and a later pass
            // would take what has focus then (the user's next menu) for the pressed control.
            if REFOCUSING.with(|r| r.replace(Some(target))) != Some(target) {
                refocus_when_mounted(target, refocus, 200, document().active_element());
            }
        }
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The request a [`refocus_when_mounted`] pass is following.
    static REFOCUSING: std::cell::Cell<Option<super::list::Refocus>> = const { std::cell::Cell::new(None) };
}

/// Focuses the control named by `target` (`{which}-{number}`) once the list is drawn again
/// without it in the place that was pressed, checking every 25 ms, up to five seconds (a
/// reload under load can take that long). `pressed`: what had focus when it was asked for.
/// If the user has moved on meanwhile (focus is on something else, not lost to the page),
/// they are left there: a save's answer must not take focus from the next menu opened.
#[cfg(feature = "hydrate")]
fn refocus_when_mounted(
    target: super::list::Refocus,
    refocus: RwSignal<Option<super::list::Refocus>>,
    tries: u32,
    pressed: Option<leptos::web_sys::Element>,
) {
    use leptos::wasm_bindgen::JsCast;
    let done = move || {
        refocus.try_set(None);
        REFOCUSING.with(|r| r.set(None));
    };
    if refocus.try_get_untracked().flatten() != Some(target) {
        // A newer request replaced it (its own pass runs), or it was handled.
        REFOCUSING.with(|r| {
            if r.get() == Some(target) {
                r.set(None);
            }
        });
        return;
    }
    let super::list::Refocus(n, which) = target;
    let doc = document();
    let active = doc.active_element();
    let body = doc.body().map(leptos::web_sys::Element::from);
    if active.is_some() && active != pressed && active != body {
        return done();
    }
    let named = doc.get_element_by_id(&format!("{which}-{n}"));
    // Until the list is drawn again, the control with this id is still the one pressed,
    // and focused.
    let not_yet = named.is_some() && named == active;
    // At an edge the same button is disabled now (the last item cannot move down): focus
    // the item's other arrow instead, never another item's button.
    let other = match which {
        "up" => "down",
        "down" => "up",
        _ => which,
    };
    let found = named
        .filter(|el| !el.has_attribute("disabled"))
        .or_else(|| doc.get_element_by_id(&format!("{other}-{n}")));
    match found {
        Some(el) if !not_yet => {
            if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
            done();
        }
        _ if tries > 0 => set_timeout(
            move || refocus_when_mounted(target, refocus, tries - 1, pressed),
            std::time::Duration::from_millis(25),
        ),
        _ => done(),
    }
}

/// Moves an item: shown at once, in the page's data (the list is drawn from it, so every
/// row keeps its own buttons and focus follows the item), then sent. The live stream's
/// reloads wait meanwhile (they would show the old order). A refusal puts the list back
/// and says why; a move made can be undone from its toast.
#[cfg(feature = "hydrate")]
async fn moved(
    mover: super::list::Mover,
    n: i32,
    to: crate::model::items::MoveTo,
    focus: Option<super::list::Refocus>,
) {
    let Some(slug) = mover.slug.try_get_untracked() else {
        return;
    };
    let first = mover
        .query
        .try_with_untracked(|q| q.cursor.is_none())
        .unwrap_or_default();
    mark_drop_target(None);
    // Made on what the page shows now: the list as last read (a reading may be on its way:
    // the move is made all the same), with any earlier move not read yet.
    let Some(Ok(data)) = mover
        .last
        .try_get_untracked()
        .flatten()
        .or_else(|| mover.page.try_get_untracked().flatten())
    else {
        return;
    };
    let mut back = None;
    let undo = mover.ahead.change(data, |page| {
        let last = page.next_cursor.is_none();
        back = to.apply(&mut page.items, |i| i.number, n, first, last);
        back.is_some()
    });
    mover.refocus.try_set(focus);
    let held = crate::components::live::Held::start();
    let result = crate::server_fns::items::move_item(slug.clone(), n, to.clone()).await;
    drop(held);
    match result {
        Ok(_) => {
            mover.message.try_set(None);
            let back = back.flatten();
            let text = format!("Moved #{n} {}.", where_to(&to));
            toast(&text, back.map(|b| (slug, Undo::Move(n, b), mover.changed)));
        }
        Err(e) => {
            if undo.is_some() {
                mover.ahead.put_back(undo);
                mover.refocus.try_set(focus);
            }
            mover
                .message
                .try_set(Some(format!("#{n} was not moved: {e}")));
        }
    }
    // Either way the list is read again: it shows what the server has.
    mover.changed.try_update(|c| *c += 1);
}

/// Marks `row` as where a dragged item would land, and no other row (none: the drag ended).
/// A class set here, beside the classes the view sets, which it leaves alone.
#[cfg(feature = "hydrate")]
fn mark_drop_target(row: Option<leptos::web_sys::Element>) {
    if let Ok(marked) = document().query_selector_all(".item-list > li.drop-target") {
        for i in 0..marked.length() {
            if let Some(el) = marked.item(i).and_then(|n| {
                leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(n).ok()
            }) {
                if Some(&el) != row.as_ref() {
                    let _ = el.class_list().remove_1("drop-target");
                }
            }
        }
    }
    if let Some(row) = row {
        let _ = row.class_list().add_1("drop-target");
    }
}

/// "to the top", "above #4": where a move put an item, for its toast.
#[cfg(feature = "hydrate")]
fn where_to(to: &crate::model::items::MoveTo) -> String {
    match (to.before, to.after) {
        (Some(k), _) => format!("above #{k}"),
        (_, Some(k)) => format!("below #{k}"),
        _ => format!("to the {}", to.to.as_deref().unwrap_or("top")),
    }
}

/// What a toast's Undo sends.
#[cfg(feature = "hydrate")]
enum Undo {
    Edits(Vec<crate::model::items::BulkEdit>),
    Move(i32, crate::model::items::MoveTo),
    /// Takes a deleted item (and what was deleted with it) out of the trash.
    Restore(i32),
    /// Puts a card moved on the board back in the column it left.
    Column(i32, ItemState),
}

/// A shift-click: every row between the last one clicked and this one takes this one's state.
#[cfg(feature = "hydrate")]
fn range(selection: Selection, from: i32, to: i32, on: bool) {
    let Ok(boxes) = document().query_selector_all(".item-list .select") else {
        return;
    };
    let numbers: Vec<i32> = (0..boxes.length())
        .filter_map(|i| boxes.item(i))
        .filter_map(|b| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(b).ok())
        .filter_map(|b| b.get_attribute("value")?.parse().ok())
        .collect();
    let (Some(a), Some(b)) = (
        numbers.iter().position(|x| *x == from),
        numbers.iter().position(|x| *x == to),
    ) else {
        return;
    };
    let between = &numbers[a.min(b)..=a.max(b)];
    selection.items.try_update(|s| {
        s.retain(|x| !between.contains(x));
        if on {
            s.extend_from_slice(between);
        }
    });
}

/// The increments items can be committed to, added to the bar's menu for those who plan
/// (read once, when the menu is first reached).
#[cfg(feature = "hydrate")]
async fn increments(slug: String) {
    let doc = document();
    let Some(select) = doc.get_element_by_id("bulk-change") else {
        return;
    };
    if select.get_attribute("data-plan").as_deref() != Some("true")
        || select.has_attribute("data-loaded")
    {
        return;
    }
    let _ = select.set_attribute("data-loaded", "");
    let Ok(sprints) = crate::server_fns::sprints::list_sprints(slug).await else {
        let _ = select.remove_attribute("data-loaded");
        return;
    };
    let Ok(group) = doc.create_element("optgroup") else {
        return;
    };
    let _ = group.set_attribute("label", "Commit to");
    for sprint in sprints {
        for i in sprint
            .increments
            .iter()
            .filter(|i| i.state != crate::domain::IncrementState::Closed)
        {
            if let Ok(option) = doc.create_element("option") {
                let _ = option.set_attribute("value", &format!("increment:{}", i.id));
                option.set_text_content(Some(&format!(
                    "{} · increment {} ({} – {})",
                    sprint.name, i.number, i.starts_on, i.ends_on
                )));
                let _ = group.append_child(&option);
            }
        }
    }
    if group.child_element_count() > 0 {
        // Before "Delete", the last choice.
        let _ = select.insert_before(
            &group,
            select.last_element_child().as_ref().map(|e| e.as_ref()),
        );
    }
}

/// Sends the bar's change for the selected items; on success the list reloads, the
/// selection clears and a toast offers Undo; a refusal is shown in the bar.
#[cfg(feature = "hydrate")]
async fn submit(
    slug: String,
    selection: Selection,
    changed: RwSignal<u32>,
    error: RwSignal<Option<String>>,
) {
    use crate::model::items::{BulkChange, BulkEdit};
    use leptos::wasm_bindgen::JsCast;
    let select = document()
        .get_element_by_id("bulk-change")
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlSelectElement>().ok());
    let choice = select.as_ref().map(|s| s.value()).unwrap_or_default();
    // `try_`: the page may have been left while this split was loading.
    let items = selection.items.try_get_untracked().unwrap_or_default();
    let Some(change) = BulkChange::from_choice(&choice) else {
        error.try_set(Some("Choose what to do with the selected items.".into()));
        return;
    };
    if items.is_empty() {
        error.try_set(Some(
            "Select at least one item (x, or its checkbox).".into(),
        ));
        return;
    }
    let what = match &change {
        BulkChange::Estimate(_) => "Estimated",
        BulkChange::Assignee(_) => "Assigned",
        BulkChange::State(_) => "Changed the state of",
        BulkChange::Delete => "Deleted",
        _ => "Committed",
    };
    let edits = vec![BulkEdit { items, change }];
    match crate::server_fns::items::edit_many(slug.clone(), edits).await {
        Ok(done) => {
            error.try_set(None);
            selection.items.try_set(Vec::new());
            if let Some(s) = &select {
                s.set_value("");
            }
            changed.try_update(|n| *n += 1);
            let text = format!(
                "{what} {}.",
                crate::words::count(i64::from(done.changed), "item", "items")
            );
            toast(&text, Some((slug, Undo::Edits(done.undo), changed)));
        }
        Err(e) => {
            error.try_set(Some(e.to_string()));
        }
    }
}

/// Shows a message for a few seconds at the foot of the window, with an Undo button when
/// there is something to undo. Announced politely. A move's toast replaces the previous
/// move's (a run of keyboard moves leaves one, undoing the last).
#[cfg(feature = "hydrate")]
fn toast(text: &str, undo: Option<(String, Undo, RwSignal<u32>)>) {
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    let doc = document();
    let Some(body) = doc.body() else { return };
    let shelf = doc.get_element_by_id("toasts").or_else(|| {
        let s = doc.create_element("div").ok()?;
        s.set_id("toasts");
        s.set_class_name("toasts");
        s.set_attribute("role", "status").ok()?;
        body.append_child(&s).ok()?;
        Some(s)
    });
    let Some(shelf) = shelf else { return };
    let Ok(card) = doc.create_element("div") else {
        return;
    };
    card.set_class_name("toast");
    if let Some((_, Undo::Move(..) | Undo::Column(..), _)) = &undo {
        if let Some(old) = doc.get_element_by_id("toast-move") {
            old.remove();
        }
        card.set_id("toast-move");
    }
    let Ok(p) = doc.create_element("p") else {
        return;
    };
    p.set_text_content(Some(text));
    let _ = card.append_child(&p);
    if let Some((slug, undo, changed)) =
        undo.filter(|(_, u, _)| !matches!(u, Undo::Edits(e) if e.is_empty()))
    {
        let undo = std::rc::Rc::new(undo);
        if let Ok(button) = doc.create_element("button") {
            button.set_class_name("button small");
            let _ = button.set_attribute("type", "button");
            button.set_text_content(Some("Undo"));
            let shown = card.clone();
            let press = Closure::<dyn FnMut()>::new(move || {
                shown.remove();
                let (slug, undo) = (slug.clone(), undo.clone());
                leptos::task::spawn_local(async move {
                    let done = match &*undo {
                        Undo::Edits(edits) => {
                            crate::server_fns::items::edit_many(slug, edits.clone())
                                .await
                                .map(|_| ())
                        }
                        Undo::Move(n, to) => {
                            crate::server_fns::items::move_item(slug, *n, to.clone())
                                .await
                                .map(|_| ())
                        }
                        Undo::Restore(n) => crate::server_fns::items::restore_item(slug, *n)
                            .await
                            .map(|_| ()),
                        Undo::Column(n, from) => {
                            use crate::model::items::{BulkChange, BulkEdit};
                            let edit = BulkEdit {
                                items: vec![*n],
                                change: BulkChange::State(from.as_str().to_owned()),
                            };
                            crate::server_fns::items::edit_many(slug, vec![edit])
                                .await
                                .map(|_| ())
                        }
                    };
                    match done {
                        Ok(()) => {
                            changed.try_update(|n| *n += 1);
                            toast("Undone.", None);
                        }
                        Err(e) => toast(&format!("Could not undo: {e}"), None),
                    }
                });
            });
            let _ =
                button.add_event_listener_with_callback("click", press.as_ref().unchecked_ref());
            press.forget();
            let _ = card.append_child(&button);
        }
    }
    let _ = shelf.append_child(&card);
    let gone = card.clone();
    set_timeout(move || gone.remove(), std::time::Duration::from_secs(10));
}
