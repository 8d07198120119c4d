//! The command palette (`Ctrl-K`, or `Cmd-K`): jumps to any page the app shell links to,
//! to any item of the open project by number or by words of its title, and runs the common
//! actions. Its code, and the dialog it makes on first use, are in the split that handles
//! the keys (see `shortcuts`), so the first load carries none of it.
//!
//! The pages come from the shell's own links (`#app-nav`), so the palette offers exactly
//! what the sidebar does, for the project open and the account's other projects.

#[cfg(feature = "hydrate")]
pub use browser::open;

/// An item number typed as `12` or `#12`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn number_of(text: &str) -> Option<i32> {
    text.trim()
        .trim_start_matches('#')
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

/// Whether every word typed is in the label (case aside).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn matches(label: &str, typed: &str) -> bool {
    let label = label.to_lowercase();
    typed
        .to_lowercase()
        .split_whitespace()
        .all(|w| label.contains(w))
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{matches, number_of};
    use crate::components::layout::project_slug as slug_of;
    use crate::model::items::ItemQuery;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::HtmlElement;

    /// How many matching items the palette lists.
    const ITEMS: i64 = 8;

    #[derive(Clone, PartialEq)]
    enum Act {
        Go(String),
        /// Focus the field a page marks `data-shortcut=…` (or go to the backlog, which has it).
        Field(&'static str),
        Help,
    }

    #[derive(Clone, PartialEq)]
    struct Choice {
        label: String,
        hint: &'static str,
        act: Act,
    }

    /// The pages the shell links to, then the actions.
    fn fixed_choices(slug: Option<&str>) -> Vec<Choice> {
        let mut out: Vec<Choice> = Vec::new();
        if let Ok(links) = document().query_selector_all("#app-nav a[href]") {
            for i in 0..links.length() {
                let Some(a) = links.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
                    continue;
                };
                let Some(href) = a.get_attribute("href") else {
                    continue;
                };
                // The brand is "All projects" again, further down.
                if a.class_list().contains("brand") {
                    continue;
                }
                let text = if a.class_list().contains("account-link") {
                    "Your account".to_owned()
                } else {
                    a.get_attribute("aria-label")
                        .unwrap_or_else(|| a.inner_text())
                };
                let label = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if label.is_empty() || out.iter().any(|c| c.act == Act::Go(href.clone())) {
                    continue;
                }
                let in_project = slug.is_some_and(|s| href.starts_with(&format!("/p/{s}")));
                let hint = if a.closest(".switcher").ok().flatten().is_some() {
                    "Project"
                } else if in_project {
                    "Page"
                } else {
                    "Go to"
                };
                out.push(Choice {
                    label,
                    hint,
                    act: Act::Go(href),
                });
            }
        }
        // With rows checked on the backlog: the bar that changes them.
        if document()
            .query_selector(".item-list .select:checked")
            .ok()
            .flatten()
            .is_some()
        {
            out.push(Choice {
                label: "Change the selected items".into(),
                hint: "Action",
                act: Act::Field("bulk"),
            });
        }
        if slug.is_some() {
            out.push(Choice {
                label: "Create an item".into(),
                hint: "Action",
                act: Act::Field("create"),
            });
            out.push(Choice {
                label: "Search the backlog".into(),
                hint: "Action",
                act: Act::Field("search"),
            });
        }
        out.push(Choice {
            label: "Show the keyboard shortcuts".into(),
            hint: "Action",
            act: Act::Help,
        });
        out
    }

    thread_local! {
        /// The palette's query, set to "" each time it opens.
        static TYPED: std::cell::OnceCell<RwSignal<String>> = const { std::cell::OnceCell::new() };
    }

    /// Opens the palette, making it the first time.
    pub fn open() {
        let doc = document();
        if doc.get_element_by_id("palette").is_none() {
            let Some(body) = doc.body() else {
                return;
            };
            let typed = RwSignal::new(String::new());
            TYPED.with(|t| {
                let _ = t.set(typed);
            });
            leptos::mount::mount_to(body, move || palette(typed)).forget();
        }
        TYPED.with(|t| {
            if let Some(typed) = t.get() {
                typed.set(String::new());
            }
        });
        crate::components::item_fields::call_on("palette", "showModal");
        if let Some(input) = doc
            .get_element_by_id("palette-input")
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    }

    fn close() {
        crate::components::item_fields::call_on("palette", "close");
    }

    fn run(choice: &Choice, slug: Option<&str>) {
        close();
        let go = |href: &str| {
            // Through a link, so the router navigates in place (as any link of the app).
            let doc = document();
            if let Ok(a) = doc.create_element("a") {
                let _ = a.set_attribute("href", href);
                if let (Some(body), Ok(a)) = (doc.body(), a.dyn_into::<HtmlElement>()) {
                    let _ = body.append_child(&a);
                    a.click();
                    a.remove();
                }
            }
        };
        match &choice.act {
            Act::Go(href) => go(href),
            Act::Field(name) => {
                let on_page = focus_field(name);
                if let (false, Some(slug)) = (on_page, slug) {
                    go(&format!("/p/{slug}/backlog"));
                    focus_when_there(name, 30);
                }
            }
            Act::Help => crate::components::shortcuts::help(),
        }
    }

    /// Focuses the field the page marks `data-shortcut=name`; false when there is none.
    fn focus_field(name: &str) -> bool {
        document()
            .query_selector(&format!("[data-shortcut={name}]"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            .is_some_and(|field| field.focus().is_ok())
    }

    /// Focuses the field once the page navigated to has it (trying every 100 ms, `tries` times).
    fn focus_when_there(name: &'static str, tries: u32) {
        set_timeout(
            move || {
                if !focus_field(name) && tries > 1 {
                    focus_when_there(name, tries - 1);
                }
            },
            std::time::Duration::from_millis(100),
        );
    }

    fn palette(typed: RwSignal<String>) -> impl IntoView {
        let slug = move || slug_of(&window().location().pathname().unwrap_or_default());
        let active = RwSignal::new(0usize);
        // Items whose title has the words typed (two letters or more), from the server.
        let found = RwSignal::new(Vec::<Choice>::new());
        let asked = StoredValue::new(0u32);
        Effect::new(move |_| {
            let text = typed.get();
            active.set(0);
            // What an earlier query found is not offered for this one.
            found.set(Vec::new());
            let ask = asked.get_value() + 1;
            asked.set_value(ask);
            let Some(slug) = slug() else {
                return;
            };
            if text.trim().chars().count() < 2 || number_of(&text).is_some() {
                return;
            }
            // Typing on: only the last words typed are looked up.
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        if asked.get_value() != ask {
                            return;
                        }
                        let query = ItemQuery {
                            q: Some(text.trim().to_owned()),
                            limit: Some(ITEMS),
                            ..Default::default()
                        };
                        let page = crate::server_fns::items::list_items(slug.clone(), query).await;
                        if asked.get_value() != ask {
                            return;
                        }
                        found.set(
                            page.map(|p| {
                                p.items
                                    .into_iter()
                                    .map(|i| Choice {
                                        label: format!("#{} {}", i.number, i.title),
                                        hint: "Item",
                                        act: Act::Go(format!("/p/{slug}/items/{}", i.number)),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        );
                    })
                },
                std::time::Duration::from_millis(150),
            );
        });
        let choices = Memo::new(move |_| {
            let text = typed.get();
            let slug = slug();
            let mut out = Vec::new();
            if let (Some(n), Some(slug)) = (number_of(&text), slug.as_deref()) {
                out.push(Choice {
                    label: format!("Open item #{n}"),
                    hint: "Item",
                    act: Act::Go(format!("/p/{slug}/items/{n}")),
                });
            }
            out.extend(
                fixed_choices(slug.as_deref())
                    .into_iter()
                    .filter(|c| matches(&c.label, &text)),
            );
            out.extend(found.get());
            out
        });
        let choose = move |i: usize| {
            if let Some(c) = choices.with_untracked(|cs| cs.get(i).cloned()) {
                run(&c, slug().as_deref());
            }
        };
        // The choice stays on the list as it shrinks, and in view as it moves.
        Effect::new(move |_| {
            let count = choices.with(Vec::len);
            if active.get_untracked() >= count && count > 0 {
                active.set(count - 1);
            }
        });
        Effect::new(move |_| {
            let id = format!("palette-{}", active.get());
            choices.track();
            request_animation_frame(move || {
                if let Some(el) = document().get_element_by_id(&id) {
                    el.scroll_into_view_with_bool(false);
                }
            });
        });
        let on_key = move |ev: leptos::ev::KeyboardEvent| {
            if ev.is_composing() {
                return;
            }
            let count = choices.with_untracked(Vec::len);
            match ev.key().as_str() {
                "ArrowDown" if count > 0 => {
                    ev.prevent_default();
                    active.update(|a| *a = (*a + 1) % count);
                }
                "ArrowUp" if count > 0 => {
                    ev.prevent_default();
                    active.update(|a| *a = (*a + count - 1) % count);
                }
                "Enter" => {
                    ev.prevent_default();
                    choose(active.get_untracked());
                }
                _ => {}
            }
        };
        view! {
            <dialog id="palette" class="dialog palette" aria-label="Command palette">
                <input id="palette-input" type="text" role="combobox" autocomplete="off"
                    aria-label="Go to a page or an item, or run an action"
                    aria-expanded=move || (!choices.with(Vec::is_empty)).to_string()
                    aria-controls="palette-list" aria-autocomplete="list"
                    placeholder="Type a page, an item's number or words of its title…"
                    aria-activedescendant=move || {
                        let a = active.get();
                        (a < choices.with(Vec::len)).then(|| format!("palette-{a}"))
                    }
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                    on:keydown=on_key/>
                <ul id="palette-list" role="listbox" aria-label="Choices">
                    {move || {
                        choices
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, c)| {
                                view! {
                                    <li id=format!("palette-{i}") role="option"
                                        aria-selected=move || (active.get() == i).to_string()
                                        on:mousemove=move |_| active.set(i)
                                        on:click=move |_| choose(i)>
                                        <span>{c.label}</span>
                                        <span class="palette-hint">{c.hint}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <p class="palette-empty" hidden=move || !choices.with(Vec::is_empty)>"Nothing matches."</p>
            </dialog>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_words_are_read_as_typed() {
        assert_eq!(number_of("#12"), Some(12));
        assert_eq!(number_of(" 7 "), Some(7));
        assert_eq!(number_of("0"), None);
        assert_eq!(number_of("board"), None);
        assert!(matches("Stand-up", "stand"));
        assert!(matches("Create an item", "item cre"));
        assert!(!matches("Board", "boards"));
    }
}
