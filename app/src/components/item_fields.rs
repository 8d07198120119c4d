//! What the pages showing items share: the project facts a row or an item page needs
//! ([`BoardContext`]), and the menus that change an item's estimate or assignee in place
//! ([`ItemFieldSelect`]).

use crate::domain::Permission;
use crate::error::AppError;
use crate::model::items::{Item, ItemPatch};
use crate::model::projects::{Member, ProjectInfo};
use crate::server_fns::items::update_item;
use leptos::prelude::*;

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
}

/// One `<option>` of an [`ItemFieldSelect`] besides the empty one.
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
        }
    }

    /// The start of the menu's (visually hidden) label: "Estimate of #12".
    fn label(self) -> &'static str {
        match self {
            ItemField::Estimate => "Estimate",
            ItemField::Assignee => "Assignee",
        }
    }

    /// The text of the empty option.
    fn unset_label(self) -> &'static str {
        match self {
            ItemField::Estimate => "–",
            ItemField::Assignee => "Unassigned",
        }
    }

    /// Whether the item has no value for this field (the empty option is then selected).
    fn is_unset(self, item: &Item) -> bool {
        match self {
            ItemField::Estimate => item.estimate.is_none(),
            ItemField::Assignee => item.assignee.is_none(),
        }
    }

    /// The value as text, shown instead of the menu without JavaScript.
    fn shown(self, item: &Item) -> String {
        match self {
            ItemField::Estimate => item
                .estimate_label
                .clone()
                .unwrap_or_else(|| "not estimated".into()),
            ItemField::Assignee => item
                .assignee
                .as_ref()
                .map_or_else(|| "Unassigned".to_owned(), |a| a.display_name.clone()),
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
        }
    }

    /// What to tell the user when saving fails.
    fn error_message(self, e: &AppError) -> String {
        match self {
            ItemField::Estimate => e.field("estimate").unwrap_or_else(|| e.to_string()),
            ItemField::Assignee => e.to_string(),
        }
    }
}

/// The estimate or the assignee of an item, changeable in place (from the project's effort
/// chart, or among its members). On a change it saves, then bumps `changed` so the list
/// reloads, or puts the error in `message`.
#[component]
pub fn ItemFieldSelect(
    field: ItemField,
    item: Item,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let n = item.number;
    let version = item.version;
    let can_edit = ctx.with_value(|c| c.can_edit);
    // Saved from the change handler, with nothing reactive made per menu: a backlog page
    // renders a hundred of these on the server, where an action each was a good part of
    // the page's allocations. `changed` and `message` belong to the page and outlive a row.
    let save = move |patch: ItemPatch| {
        let slug = ctx.with_value(|c| c.slug.clone());
        leptos::task::spawn_local(async move {
            match update_item(slug, n, patch).await {
                Ok(_) => changed.update(|c| *c += 1),
                Err(e) => message.set(Some(field.error_message(&e))),
            }
        });
    };
    let id = format!("{}-{n}", field.name());
    let shown = field.shown(&item);
    let unset = field.is_unset(&item);
    let choices = ctx.with_value(|c| field.choices(&item, c));
    // The menu saves as it changes, which needs JavaScript; without it the row shows the
    // value as text (the item's page changes it).
    view! {
        <span class="without-js muted">{shown}</span>
        <label for=id.clone() class="visually-hidden">{format!("{} of #{n}", field.label())}</label>
        <select id=id class=format!("{} needs-js", field.name()) disabled=!can_edit
            on:change:target=move |ev| {
                let value = ev.target().value();
                save(field.patch(version, value));
            }>
            <option value="" selected=unset>{field.unset_label()}</option>
            {choices.into_iter().map(|c| view! {
                <option value=c.value selected=c.selected>{c.text}</option>
            }).collect_view()}
        </select>
    }
}
