//! Keyboard shortcuts, on every page, and the dialog that lists them (`?`).
//! [`listen`] is called once by the layout.
//!
//! They act on what the page marks, so a page opts in with attributes and no code of its own:
//! `data-shortcut="search"` and `data-shortcut="create"` name the fields `/` and `c` go to;
//! a list's rows carry `data-row`, with their title link as `.item-title` or `.card-title` (what `j`/`k`
//! focus and `Enter` opens) and their controls as `[data-key="e"]`, `[data-key="a"]`,
//! `[data-key="m"]`, `[data-key="s"]`, `[data-key="x"]` (what those letters press in the row holding focus). A shortcut never
//! fires while typing in a field, nor with Ctrl, Alt or Meta held; except `Ctrl-K` (`Cmd-K`),
//! which opens the command palette (`palette`) from anywhere.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// The help dialog's contents: plain HTML, made with the first `?` (in the split that
/// handles the keys, so the first load carries none of it).
#[cfg(feature = "hydrate")]
const HELP: &str = concat!(
    r#"<h2 id="shortcuts-title">Keyboard shortcuts</h2><dl class="shortcut-list">"#,
    "<dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>Next / previous item</dd>",
    "<dt><kbd>Enter</kbd></dt><dd>Open the item (on the backlog and board: beside the list)</dd>",
    "<dt><kbd>e</kbd></dt><dd>Change its estimate</dd>",
    "<dt><kbd>a</kbd></dt><dd>Change its assignee</dd>",
    "<dt><kbd>m</kbd></dt><dd>Move it to the top</dd>",
    "<dt><kbd>r</kbd></dt><dd>Rename it, in place (or double-click its title)</dd>",
    "<dt><kbd>s</kbd></dt><dd>Change its state (board: to the next column)</dd>",
    "<dt><kbd>x</kbd></dt><dd>Select it, to change several at once (shift-click: a range)</dd>",
    "<dt><kbd>c</kbd></dt><dd>Create an item</dd>",
    "<dt><kbd>/</kbd></dt><dd>Search</dd>",
    "<dt><kbd>Escape</kbd></dt><dd>Leave the search, the new item's title or a field of the item beside the list; close that item</dd>",
    "<dt><kbd>?</kbd></dt><dd>Show these shortcuts</dd>",
    "<dt><kbd>Ctrl</kbd> <kbd>K</kbd></dt><dd>Command palette: go to a page or an item, or run an action</dd></dl>",
    r#"<form method="dialog"><button class="button">Close</button></form>"#
);

/// The listener that makes the keys work (the help dialog is made by the first `?`). It only tells a
/// shortcut from other keys; what a shortcut does is loaded with its first use (a split of
/// its own, like a page's code).
pub fn listen() {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, |ev| {
            if is_shortcut(&ev) {
                ev.prevent_default();
                leptos::task::spawn_local(on_key(ev));
            }
        });
        on_cleanup(move || handle.remove());
    }
}

/// Whether a key is a shortcut here: one of the letters, not typed in a field, no Ctrl,
/// Alt or Meta; or Escape in a field a shortcut went to.
#[cfg(feature = "hydrate")]
fn is_shortcut(ev: &leptos::ev::KeyboardEvent) -> bool {
    // Ctrl-K (Cmd-K): the command palette, from anywhere, a field included.
    // By the key's place, so Caps Lock and other layouts open it too.
    if (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key() && ev.code() == "KeyK" {
        return !ev.default_prevented();
    }
    if ev.default_prevented() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return false;
    }
    let key = ev.key();
    let active = document().active_element();
    let field = active.as_ref().is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || el
                .closest("[contenteditable], dialog[open]")
                .ok()
                .flatten()
                .is_some()
    });
    // Escape also leaves a field of the item panel (`pages::lazy::Peek`), and then closes it.
    if field {
        key == "Escape"
            && active.is_some_and(|el| {
                el.has_attribute("data-shortcut") || el.closest("#peek").ok().flatten().is_some()
            })
    } else {
        matches!(
            key.as_str(),
            "?" | "/" | "c" | "e" | "a" | "m" | "s" | "x" | "j" | "k" | "r"
        ) || key == "Escape" && document().get_element_by_id("peek").is_some()
    }
}

/// Edits a backlog row's title in place: a field over the title, Enter saves, Escape
/// leaves it as it was. The field is marked as typed in, so the live stream's reloads wait
/// until it is done (they could otherwise draw another item in this row); the list is read
/// again after the save through the stream, which reports it like anyone's change.
#[cfg(feature = "hydrate")]
pub(crate) fn rename(title: leptos::web_sys::Element, n: i32) {
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    use leptos::web_sys::{HtmlElement, HtmlInputElement};
    let doc = document();
    let Some(input) = doc
        .create_element("input")
        .ok()
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    input.set_class_name("rename");
    input.set_value(&title.text_content().unwrap_or_default());
    let _ = input.set_attribute("aria-label", &format!("Title of #{n}"));
    let _ = input.set_attribute("data-typed", "");
    let _ = input.set_attribute("maxlength", "200");
    let _ = title.set_attribute("hidden", "");
    let _ = title.after_with_node_1(&input);
    let _ = input.focus();
    input.select();
    let slug = window()
        .location()
        .pathname()
        .ok()
        .and_then(|p| p.split('/').nth(2).map(str::to_owned))
        .unwrap_or_default();
    // Back to the title, focused (the row keeps its place for `j`/`k`).
    let close = {
        let (input, title) = (input.clone(), title.clone());
        move || {
            input.remove();
            let _ = title.remove_attribute("hidden");
            if let Some(next) = title
                .next_element_sibling()
                .filter(|e| e.class_name() == "field-error")
            {
                next.remove();
            }
            if let Ok(t) = title.clone().dyn_into::<HtmlElement>() {
                let _ = t.focus();
            }
        }
    };
    // Enter saves, and so does leaving the field (what was typed is not dropped); once.
    let busy = std::rc::Rc::new(std::cell::Cell::new(false));
    let (cancel, cancelled) = (close.clone(), busy.clone());
    let save = {
        let input = input.clone();
        move || {
            if busy.replace(true) {
                return;
            }
            let (slug, text, input, close, busy) = (
                slug.clone(),
                input.value(),
                input.clone(),
                close.clone(),
                busy.clone(),
            );
            leptos::task::spawn_local(async move {
                let saved = match crate::server_fns::items::get_item(slug.clone(), n).await {
                    Ok(detail) if detail.item.title == text => Ok(()),
                    Ok(detail) => {
                        let patch = crate::model::items::ItemPatch {
                            version: detail.item.version,
                            title: Some(text),
                            ..Default::default()
                        };
                        crate::server_fns::items::update_item(slug, n, patch)
                            .await
                            .map(|_| ())
                    }
                    Err(e) => Err(e),
                };
                match saved {
                    Ok(()) => close(),
                    Err(e) => {
                        // Said next to the field, which stays for another try.
                        busy.set(false);
                        let message = e.field("title").unwrap_or_else(|| e.to_string());
                        let shown = input
                            .next_element_sibling()
                            .filter(|el| el.class_name() == "field-error")
                            .or_else(|| {
                                let p = document().create_element("p").ok()?;
                                p.set_class_name("field-error");
                                p.set_attribute("role", "alert").ok()?;
                                input.after_with_node_1(&p).ok()?;
                                Some(p)
                            });
                        if let Some(p) = shown {
                            p.set_text_content(Some(&message));
                        }
                    }
                }
            });
        }
    };
    let keys = {
        let save = save.clone();
        Closure::<dyn FnMut(leptos::web_sys::KeyboardEvent)>::new(
            move |ev: leptos::web_sys::KeyboardEvent| match ev.key().as_str() {
                "Escape" => {
                    ev.prevent_default();
                    // Nothing saved, not even by the blur that removing the field may bring.
                    cancelled.set(true);
                    cancel();
                }
                "Enter" => {
                    ev.prevent_default();
                    save();
                }
                _ => {}
            },
        )
    };
    let blur = Closure::<dyn FnMut()>::new(save);
    let _ = input.add_event_listener_with_callback("keydown", keys.as_ref().unchecked_ref());
    let _ = input.add_event_listener_with_callback("blur", blur.as_ref().unchecked_ref());
    keys.forget();
    blur.forget();
}

/// Opens the dialog listing the shortcuts, made the first time.
#[cfg(feature = "hydrate")]
pub fn help() {
    let doc = document();
    let dialog = doc.get_element_by_id("shortcuts-help").or_else(|| {
        let d = doc.create_element("dialog").ok()?;
        d.set_id("shortcuts-help");
        d.set_class_name("dialog");
        d.set_attribute("aria-labelledby", "shortcuts-title").ok()?;
        d.set_inner_html(HELP);
        doc.body()?.append_child(&d).ok()?;
        Some(d)
    });
    if dialog.is_some() {
        crate::components::item_fields::call_on("shortcuts-help", "showModal");
    }
}

/// What a shortcut does (see [`is_shortcut`]).
#[cfg(feature = "hydrate")]
#[leptos::lazy]
fn on_key(ev: leptos::ev::KeyboardEvent) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{Element, HtmlElement};
    let doc = document();
    let active = doc.active_element();
    // Escape leaves a field a shortcut went to, or one of the item panel's (what was typed
    // stays), so the keys work again; out of a field, it closes the panel.
    if ev.key() == "Escape" {
        match active.as_ref().and_then(|el| el.dyn_ref::<HtmlElement>()) {
            Some(el)
                if matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || el.has_attribute("data-shortcut") =>
            {
                let _ = el.blur();
            }
            _ => {
                crate::components::item_fields::call_on("peek-close", "click");
            }
        }
        return;
    }
    let press = |el: Option<Element>, click: bool| {
        let Some(el) = el.and_then(|e| e.dyn_into::<HtmlElement>().ok()) else {
            return false;
        };
        // Focus first, then press: what the press does afterwards (a move's reload, a menu
        // closing) brings focus back to the control pressed, as for a keyboard user's own.
        let _ = el.focus();
        if click {
            el.click();
        }
        true
    };
    let find = |selector: &str| doc.query_selector(selector).ok().flatten();
    let row = active
        .as_ref()
        .and_then(|el| el.closest("[data-row]").ok().flatten());
    let in_row = |selector: &str| {
        row.as_ref()
            .and_then(|r| r.query_selector(selector).ok().flatten())
    };
    if ev.ctrl_key() || ev.meta_key() {
        crate::components::palette::open();
        return;
    }
    let _ = match ev.key().as_str() {
        "?" => {
            help();
            true
        }
        "/" => press(find("[data-shortcut=search]"), false),
        "c" => press(find("[data-shortcut=create]"), false),
        "e" | "a" | "m" | "s" => press(in_row(&format!("[data-key={}]", ev.key())), true),
        // Checks the row without taking focus from it, so j/k go on from there.
        "x" => in_row("[data-key=x]")
            .and_then(|el| el.dyn_into::<HtmlElement>().ok())
            .map(|el| el.click())
            .is_some(),
        // A backlog row's title, edited in place.
        "r" => row
            .as_ref()
            .and_then(|r| {
                Some((
                    r.query_selector(".item-title").ok()??,
                    r.get_attribute("data-number")?.parse().ok()?,
                ))
            })
            .map(|(title, n)| rename(title, n))
            .is_some(),
        key @ ("j" | "k") => {
            let next = match &row {
                None if key == "j" => find("[data-row]"),
                None => None,
                Some(r) if key == "j" => r.next_element_sibling(),
                Some(r) => r.previous_element_sibling(),
            };
            press(
                next.and_then(|r| r.query_selector(".item-title, .card-title").ok().flatten()),
                false,
            )
        }
        _ => false,
    };
}
