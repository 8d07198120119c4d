//! What the pages showing items share: the project facts a row or an item page needs
//! ([`BoardContext`]), and the menus that change an item's estimate, assignee or state in place
//! ([`item_field_select`]).

use crate::domain::Permission;
use crate::error::AppError;
use crate::model::items::{Item, ItemPatch};
use crate::model::projects::{Member, ProjectInfo};
use crate::server_fns::items::update_item;
use leptos::prelude::*;

/// Which control of which row (by item number) gets focus back once the list has reloaded
/// after a change made from it: a move button (`up`, `top`…) or a value (`estimate`…),
/// found by its id, `{which}-{number}`.
#[derive(Clone, Copy, PartialEq)]
pub struct Refocus(pub i32, pub &'static str);

/// What the rows need from the project: the chart, the members, and the caller's rights.
#[derive(Clone, Default)]
pub struct BoardContext {
    pub slug: String,
    pub chart: Vec<(u8, String)>,
    pub members: Vec<Member>,
    pub can_edit: bool,
    /// Scrum master or owner: may start planning poker.
    pub can_plan: bool,
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
            can_plan: project.role.allows(Permission::Plan) && !project.archived,
        }
    }
}

/// A field of an item that a row changes in place from a menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemField {
    /// Chosen from the project's effort chart.
    Estimate,
    /// Chosen among the project's members.
    Assignee,
    /// To do, doing or done.
    State,
}

/// One `<option>` of an [`item_field_select`] besides the empty one.
struct Choice {
    value: String,
    text: String,
    selected: bool,
}

impl ItemField {
    /// The menu's class, and its id before the item's number (`estimate-12`).
    fn name(self) -> &'static str {
        match self {
            ItemField::Estimate => "estimate",
            ItemField::Assignee => "assignee",
            ItemField::State => "state",
        }
    }

    /// The class of the value that opens the menu.
    fn chip_class(self) -> &'static str {
        match self {
            ItemField::Estimate => "chip estimate",
            ItemField::Assignee => "chip assignee",
            ItemField::State => "chip state",
        }
    }

    /// The shortcut that opens the menu of the row holding focus (`components::shortcuts`).
    fn key(self) -> &'static str {
        match self {
            ItemField::Estimate => "e",
            ItemField::Assignee => "a",
            ItemField::State => "s",
        }
    }

    /// The start of the menu's (visually hidden) label: "Estimate of #12".
    fn label(self) -> &'static str {
        match self {
            ItemField::Estimate => "Estimate",
            ItemField::Assignee => "Assignee",
            ItemField::State => "State",
        }
    }

    /// The text of the empty option.
    fn unset_label(self) -> &'static str {
        match self {
            ItemField::Estimate => "–",
            ItemField::Assignee => "Unassigned",
            ItemField::State => "",
        }
    }

    /// Whether the item has no value for this field (the empty option is then selected).
    /// A state is never unset: its menu has no empty option.
    fn is_unset(self, item: &Item) -> bool {
        match self {
            ItemField::Estimate => item.estimate.is_none(),
            ItemField::Assignee => item.assignee.is_none(),
            ItemField::State => false,
        }
    }

    /// What the row shows when the field is unset.
    fn unset_text(self) -> &'static str {
        match self {
            ItemField::Estimate => "not estimated",
            ItemField::Assignee => "Unassigned",
            ItemField::State => "",
        }
    }

    /// The value as text, shown in the row until its menu is opened.
    fn shown(self, item: &Item) -> String {
        match self {
            ItemField::Estimate => item
                .estimate_label
                .clone()
                .unwrap_or_else(|| self.unset_text().into()),
            ItemField::Assignee => item
                .assignee
                .as_ref()
                .map_or_else(|| self.unset_text().to_owned(), |a| a.display_name.clone()),
            ItemField::State => item.state.label().to_owned(),
        }
    }

    /// The options after the empty one, the item's current value selected.
    fn choices(self, item: &Item, ctx: &BoardContext) -> Vec<Choice> {
        match self {
            ItemField::Estimate => ctx
                .chart
                .iter()
                .map(|(p, label)| Choice {
                    value: p.to_string(),
                    text: format!("{p} · {label}"),
                    selected: item.estimate == Some(*p),
                })
                .collect(),
            ItemField::Assignee => {
                let current = item.assignee.as_ref().map(|a| a.email.to_lowercase());
                ctx.members
                    .iter()
                    .map(|m| Choice {
                        value: m.email.clone(),
                        text: m.display_name.clone(),
                        selected: current.as_deref() == Some(m.email.to_lowercase().as_str()),
                    })
                    .collect()
            }
            ItemField::State => crate::domain::ItemState::ALL
                .into_iter()
                .map(|s| Choice {
                    value: s.as_str().to_owned(),
                    text: s.label().to_owned(),
                    selected: item.state == s,
                })
                .collect(),
        }
    }

    /// The change that sets the field to the chosen option's value ("" clears it).
    fn patch(self, version: i32, value: String) -> ItemPatch {
        match self {
            ItemField::Estimate => ItemPatch {
                version,
                estimate: Some(value.parse::<i64>().ok()),
                ..Default::default()
            },
            ItemField::Assignee => ItemPatch {
                version,
                assignee: Some((!value.is_empty()).then_some(value)),
                ..Default::default()
            },
            ItemField::State => ItemPatch {
                version,
                state: Some(value),
                ..Default::default()
            },
        }
    }

    /// What to tell the user when saving fails.
    fn error_message(self, e: &AppError) -> String {
        match self {
            ItemField::Estimate => e.field("estimate").unwrap_or_else(|| e.to_string()),
            ItemField::Assignee | ItemField::State => e.to_string(),
        }
    }
}

/// The estimate, the assignee or the state of an item, changeable in place (the project's effort
/// chart, or among its members). The row shows the value as a link to the item's page, which
/// changes it without JavaScript; with it, the link turns into the menu, open, and a choice
/// shows at once and is saved after (undone with the reason if the server refuses), then
/// `changed` is bumped so the list reloads.
///
/// The menu's options are made only when it is opened: a backlog page of fifty rows with a
/// menu each sent twenty kilobytes of options nobody had asked for.
///
/// A plain function, not a component: a hundred per page, and the first load carries no
/// props builder for it.
pub fn item_field_select(
    field: ItemField,
    // Shared by the row's three menus: each keeps it, to make its options when opened.
    item: std::sync::Arc<Item>,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
    refocus: RwSignal<Option<Refocus>>,
    // The row menu that is open, kept by the page: a reload that replaces the rows (the
    // live stream's) leaves it open, and focus comes back to it by its id.
    menu: RwSignal<Option<(i32, ItemField)>>,
) -> impl IntoView {
    let n = item.number;
    let version = item.version;
    // Read without panicking: a server render whose client has gone away may still be
    // finishing after the page's values are disposed.
    let (can_edit, slug) = ctx
        .try_with_value(|c| (c.can_edit, c.slug.clone()))
        .unwrap_or_default();
    let href = format!("/p/{slug}/items/{n}");
    let id = format!("{}-{n}", field.name());
    let label = format!("{} of #{n}: ", field.label());
    let shown = RwSignal::new(field.shown(&item));
    let this = Some((n, field));
    // Saved from the change handler, with no action made per menu: a backlog page renders a
    // hundred of these on the server. What it sets belongs to the page, apart from the value
    // shown, which a reload may have dropped with its row by the time the answer comes (a
    // row still on screen while its list is replaced is gone too): hence the `try_`.
    let save = move |value: String, text: String| {
        let before = shown.try_get_untracked();
        shown.try_set(text);
        let slug = slug.clone();
        leptos::task::spawn_local(async move {
            match update_item(slug, n, field.patch(version, value)).await {
                Ok(_) => {
                    // Focus comes back to this value once the list has reloaded.
                    refocus.try_set(Some(Refocus(n, field.name())));
                    changed.try_update(|c| *c += 1);
                }
                Err(e) => {
                    if let Some(before) = before {
                        shown.try_set(before);
                    }
                    message.try_set(Some(field.error_message(&e)));
                }
            }
        });
    };
    // Back to the link, focus on it (a keyboard user stays where they were).
    let close = move |focus: bool| {
        menu.try_update(|m| {
            if *m == this {
                *m = None;
            }
        });
        if focus {
            request_animation_frame(move || focus_by_id(&format!("{}-{n}", field.name())));
        }
    };
    view! {
        {move || if menu.try_get().flatten() == this {
            let save = save.clone();
            let unset = field.is_unset(&item);
            let choices = ctx.try_with_value(|c| field.choices(&item, c)).unwrap_or_default();
            view! {
                <label for=id.clone() class="visually-hidden">{label.trim_end_matches(": ").to_owned()}</label>
                // Marked as something in progress, like typed text: the live stream's reload
                // waits until the menu is closed rather than take it away from under the user.
                <select id=id.clone() class=field.name() data-typed=""
                    on:change:target=move |ev| {
                        let select = ev.target();
                        let text = select.selected_options().item(0)
                            .and_then(|o| o.text_content())
                            .filter(|t| t != field.unset_label())
                            .unwrap_or_else(|| field.unset_text().to_owned());
                        save(select.value(), text);
                        close(true);
                    }
                    on:keydown=move |ev| if ev.key() == "Escape" { ev.prevent_default(); close(true) }
                    on:blur:target=move |ev| {
                        // Left for something else; not when a reload took the menu away (the
                        // new one is open, and focus comes back to it).
                        let select = ev.target();
                        request_animation_frame(move || if select.is_connected() { close(false) });
                    }>
                    // A state is never unset: its empty option is hidden.
                    <option value="" selected=unset hidden=field == ItemField::State>{field.unset_label()}</option>
                    {choices.into_iter().map(|c| view! {
                        <option value=c.value selected=c.selected>{c.text}</option>
                    }).collect_view()}
                </select>
            }.into_any()
        } else {
            let label = label.clone();
            view! {
                <a id=id.clone() class=field.chip_class() href=href.clone()
                    aria-haspopup="listbox" data-key=field.key()
                    on:click=move |ev| {
                        // A viewer follows the link to the item (`e` and `a` too).
                        if !can_edit {
                            return;
                        }
                        ev.prevent_default();
                        menu.try_set(this);
                        request_animation_frame(move || open_menu(&format!("{}-{n}", field.name())));
                    }>
                    <span class="visually-hidden">{label}</span>
                    // `try_`: the menu's state is the page's, so a row still on screen while
                    // a reload replaces its list (and already disposed) hears it change too.
                    <span class="value">{move || shown.try_get().unwrap_or_default()}</span>
                </a>
            }.into_any()
        }}
    }
    .into_any()
}

/// Focuses the element with this id, if there is one.
pub fn focus_by_id(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(el) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Focuses the menu with this id and opens its list where the browser can (`showPicker`,
/// Chromium 121 and later); elsewhere the focused menu opens with the keyboard or a click.
fn open_menu(id: &str) {
    focus_by_id(id);
    call_on(id, "showPicker");
}

/// Calls the element's method of this name (none, or one the browser lacks: nothing).
pub fn call_on(id: &str, method: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = document().get_element_by_id(id) {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::js_sys::{Function, Reflect};
        if let Some(f) = Reflect::get(&el, &method.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            let _ = f.call0(&el);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, method);
}
