//! One item: its fields, an edit form that carries the version it was loaded at, its
//! history, and for epics their children with progress and an inline "add child".
//!
//! The same view shows as a side panel over the backlog or the board (`peek`, opened by
//! `pages::lazy::Peek`), editable there, with a link to this page.

use super::project::{project_resource, use_slug};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::posted_error;
use crate::components::item_fields::BoardContext;
use crate::domain::{ItemKind, ItemState};
use crate::error::AppError;
use crate::model::items::ItemQuery;
use crate::model::items::{ChildrenChoice, Item, ItemDetail, ItemPatch, NewItem};
use crate::server_fns::items::{
    create_item, delete_item, get_item, list_items, preview_description, restore_item, update_item,
    AddItemForm,
};
use crate::server_fns::projects::list_members;
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The item page, or with `peek` the side panel showing item `peek` over the page open.
#[component]
pub fn ItemPage(peek: Option<i32>) -> impl IntoView {
    let slug = use_slug();
    let params = use_params_map();
    let number = Memo::new(move |_| {
        peek.unwrap_or_else(|| {
            params.with(|p| {
                p.get("number")
                    .and_then(|n| n.parse::<i32>().ok())
                    .unwrap_or(0)
            })
        })
    });
    let project = project_resource();
    let members = crate::components::data::data(move || slug.get(), list_members);
    let changed = RwSignal::new(0u32);
    // The version this page's own last save made (not a change by someone else).
    let saved = RwSignal::new(None::<i32>);
    let detail = crate::components::data::data(
        move || (slug.get(), number.get(), changed.get()),
        |(slug, number, _)| get_item(slug, number),
    );
    let can_edit = Memo::new(move |_| {
        let editor = project
            .get()
            .and_then(|p| p.ok())
            .is_some_and(|p| p.role.allows(crate::domain::Permission::Contribute) && !p.archived);
        let trashed = detail
            .get()
            .and_then(|d| d.ok())
            .is_some_and(|d| d.item.deleted);
        editor && !trashed
    });
    let notice = changed_elsewhere(slug, number, detail, changed, saved, can_edit);
    let body = view! {
        <p class="notice changed-elsewhere" role="status" data-testid="changed-elsewhere">{notice}</p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    let project = project.await?;
                    let members = members.await?;
                    let detail = detail.await?;
                    let ctx = StoredValue::new(BoardContext::new(&project, members));
                    Ok::<_, AppError>(view! { <ItemView detail ctx changed saved peek=peek.is_some()/> })
                })}
            </ErrorBoundary>
        </Transition>
    };
    match peek {
        None => Either::Left(body),
        Some(n) => Either::Right(view! { <PeekPanel n slug>{body}</PeekPanel> }),
    }
}

/// The side panel's frame: a link to the item's own page, and Close (or Escape, see
/// `components::shortcuts`), which takes `peek` out of the address and gives focus back to
/// the item's title in the list. The panel takes focus when it opens.
#[component]
fn PeekPanel(n: i32, slug: Memo<String>, children: Children) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let _ = panel.focus();
        }
    });
    let navigate = leptos_router::hooks::use_navigate();
    let close = move |_| {
        #[cfg(feature = "hydrate")]
        {
            navigate(
                &super::lazy::peek_url(None),
                leptos_router::NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            );
            let opener =
                format!(".item-title[href$='/items/{n}'], .card-title[href$='/items/{n}']");
            if let Some(Ok(a)) = document()
                .query_selector(&opener)
                .ok()
                .flatten()
                .map(leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>)
            {
                let _ = a.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &navigate;
    };
    view! {
        <div class="peek" id="peek" role="dialog" aria-modal="false" tabindex="-1" aria-label=format!("Item #{n}") node_ref=panel>
            <div class="peek-bar">
                <a class="button" href=move || format!("/p/{}/items/{n}", slug.get())>"Open full page"</a>
                <button type="button" class="button" id="peek-close" on:click=close
                    aria-keyshortcuts="Escape">"Close"</button>
            </div>
            {children()}
        </div>
    }
}

#[component]
fn ItemView(
    detail: ItemDetail,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    saved: RwSignal<Option<i32>>,
    /// Shown in the side panel: no page title or breadcrumbs, and its heading one level down.
    peek: bool,
) -> impl IntoView {
    let item = detail.item.clone();
    let slug = ctx.with_value(|c| c.slug.clone());
    let can_edit = ctx.with_value(|c| c.can_edit) && !item.deleted;
    let is_epic = item.kind == ItemKind::Epic;
    let title = format!("#{} {}", item.number, item.title);
    let epic_link = item.parent.map(|p| {
        view! { <a href=format!("/p/{slug}/items/{p}")>{format!("Epic #{p}")}</a> }
    });
    let heading = if peek {
        Either::Left(view! { <h2 class="peek-title">{title.clone()}</h2> })
    } else {
        Either::Right(view! { <h1>{title.clone()}</h1> })
    };
    view! {
        {if peek {
            Either::Left(epic_link.map(|a| view! { <p class="muted">"In " {a}</p> }))
        } else {
            Either::Right(view! {
                <Title text=title/>
                <nav class="breadcrumbs" aria-label="Breadcrumbs">
                    <a href=format!("/p/{slug}/backlog")>"Backlog"</a>
                    {epic_link.map(|a| view! { " › " {a} })}
                </nav>
            })
        }}
        <header class="page-header">
            {heading}
            <span class=format!("kind kind-{}", item.kind.as_str())>{item.kind.label()}</span>
            <span class="badge" data-testid="item-state">{item.state.label()}</span>
            {item.estimate_label.clone().map(|l| view! { <span class="badge" data-testid="item-estimate">{l}</span> })}
            {item.consider_splitting.then(|| view! { <span class="badge warn">"Consider splitting"</span> })}
            {item.increment.zip(item.increment_label.clone()).map(|(id, label)| view! {
                <a class="badge" data-testid="item-increment" href=format!("/p/{slug}/increments/{id}")>{format!("In {label}")}</a>
            })}
        </header>
        {item.deleted.then(|| view! { <Trashed item=item.clone() ctx changed/> })}
        {item.blocked.then(|| view! {
            <p class="notice notice-error">"Blocked: " {item.blocked_reason.clone().unwrap_or_default()}</p>
        })}
        {is_epic.then(|| view! { <EpicProgress detail=detail.clone() ctx changed can_edit/> })}
        <section class="card" aria-labelledby="description-heading">
            <h2 id="description-heading">"Description"</h2>
            {if item.description.is_empty() {
                view! { <p class="empty">"No description yet."</p> }.into_any()
            } else {
                // Rendered and sanitised on the server (crate::markdown): no raw HTML passes.
                view! { <div class="markdown" inner_html=item.description_html.clone()></div> }.into_any()
            }}
            <p class="muted small">
                {format!("Created {} by {}", item.created_at.format("%Y-%m-%d %H:%M UTC"),
                    item.creator.clone().or_else(|| detail.ci.as_ref().map(|ci| format!("{} CI ({})", ci.provider, ci.integration)))
                        .unwrap_or_else(|| "someone".into()))}
                {item.assignee.clone().map(|a| format!(" · assigned to {}", a.display_name))}
            </p>
        </section>
        {detail.ci.clone().map(|ci| view! { <CiOriginView ci/> })}
        {(!detail.links.is_empty()).then(|| view! { <LinksView links=detail.links.clone()/> })}
        {can_edit.then(|| view! { <EditForm item=item.clone() ctx changed saved/> })}
        <super::comments::Activity slug=slug.clone() number=item.number detail=detail.clone()/>
    }
}

#[component]
fn EpicProgress(
    detail: ItemDetail,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    can_edit: bool,
) -> impl IntoView {
    let r = detail.item.rollup.unwrap_or_default();
    let slug = ctx.with_value(|c| c.slug.clone());
    let epic_number = detail.item.number;
    view! {
        <section class="card" aria-labelledby="children-heading">
            <h2 id="children-heading">"Child items"</h2>
            <p data-testid="epic-progress">
                {format!("{} of {} points done · {} of {} items · {} points remaining",
                    r.done_points, r.total_points, r.done_children, r.children, r.remaining_points)}
                {(r.unestimated > 0).then(|| format!(" · {} not estimated", r.unestimated))}
            </p>
            <progress max=r.total_points.max(1).to_string() value=r.done_points.to_string()
                aria-label="Points done">{format!("{}%", r.percent())}</progress>
            <table class="table" aria-label="Child items">
                <thead><tr><th scope="col">"#"</th><th scope="col">"Title"</th><th scope="col">"Estimate"</th><th scope="col">"State"</th></tr></thead>
                <tbody>
                    {detail.children.into_iter().map(|c| view! {
                        <tr class:done=c.state == ItemState::Done>
                            <td>{format!("#{}", c.number)}</td>
                            <td><a href=format!("/p/{slug}/items/{}", c.number)>{c.title}</a></td>
                            <td>{c.estimate_label.unwrap_or_else(|| "–".into())}</td>
                            <td>{c.state.label()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {can_edit.then(|| view! { <AddChild epic=epic_number ctx changed/> })}
        </section>
    }
}

#[component]
fn AddChild(epic: i32, ctx: StoredValue<BoardContext>, changed: RwSignal<u32>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let estimate = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let slug = ctx.with_value(|c| c.slug.clone());
    let add = Action::new(move |item: &NewItem| {
        let (slug, item) = (slug.clone(), item.clone());
        async move { create_item(slug, item).await }
    });
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| match add.value().get() {
        Some(Ok(_)) => {
            title.set(String::new());
            error.set(None);
            changed.update(|c| *c += 1);
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
        }
        Some(Err(e)) => error.set(Some(
            e.field("title")
                .or_else(|| e.field("estimate"))
                .unwrap_or_else(|| e.to_string()),
        )),
        None => {}
    });
    // A plain form posting to `items/add`, so it works with JavaScript off as well.
    let form_slug = ctx.with_value(|c| c.slug.clone());
    let posted = posted_error(&[AddItemForm::PATH]);
    view! {
        <form class="field-row add-child" aria-label="Add a child item" method="post" action="/api/fn/items/add"
            on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(NewItem {
                    title: title.get_untracked(),
                    parent: Some(epic),
                    estimate: estimate.get_untracked().parse().ok(),
                    ..Default::default()
                });
            }>
            <input type="hidden" name="slug" value=form_slug/>
            <input type="hidden" name="parent" value=epic.to_string()/>
            <label for="child-title" class="visually-hidden">"Child item title"</label>
            <input id="child-title" name="title" type="text" maxlength="200" placeholder="Add a child task" node_ref=input
                prop:value=move || title.get() on:input:target=move |ev| title.set(ev.target().value())/>
            <label for="child-estimate" class="visually-hidden">"Child item estimate"</label>
            <select id="child-estimate" name="estimate" on:change:target=move |ev| estimate.set(ev.target().value())>
                <option value="">"Not estimated"</option>
                {ctx.with_value(|c| c.chart.clone()).into_iter().map(|(p, l)| view! {
                    <option value=p.to_string()>{format!("{p} · {l}")}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="button primary">"Add child"</button>
        </form>
        <p class="field-error" role="alert">{move || error.get().or_else(|| posted.clone())}</p>
    }
}

#[component]
fn EditForm(
    item: Item,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
    saved: RwSignal<Option<i32>>,
) -> impl IntoView {
    let n = item.number;
    let version = item.version;
    let title = RwSignal::new(item.title.clone());
    let kind = RwSignal::new(item.kind.as_str().to_owned());
    let state = RwSignal::new(item.state.as_str().to_owned());
    let estimate = RwSignal::new(item.estimate.map(|e| e.to_string()).unwrap_or_default());
    let assignee = RwSignal::new(
        item.assignee
            .as_ref()
            .map(|a| a.email.clone())
            .unwrap_or_default(),
    );
    let blocked = RwSignal::new(item.blocked);
    let reason = RwSignal::new(item.blocked_reason.clone().unwrap_or_default());
    let description = RwSignal::new(item.description.clone());
    let is_epic = item.kind == ItemKind::Epic;
    let epic = RwSignal::new(item.parent.map(|p| p.to_string()).unwrap_or_default());
    let slug = ctx.with_value(|c| c.slug.clone());
    // The epics an item can be put under, read in the browser once the form shows. Not a
    // local resource: one read while the server renders the page makes the page's
    // `Transition` give up and send its fallback ("Loading…") instead of the item.
    let epics = RwSignal::new(Vec::<(i32, String)>::new());
    Effect::new({
        let slug = slug.clone();
        move |_| {
            let query = ItemQuery {
                kind: Some("epic".into()),
                limit: Some(crate::model::items::MAX_PAGE_SIZE),
                ..Default::default()
            };
            let slug = slug.clone();
            leptos::task::spawn_local(async move {
                if let Ok(page) = list_items(slug, query).await {
                    epics.try_set(
                        page.items
                            .into_iter()
                            .map(|i| (i.number, i.title))
                            .collect(),
                    );
                }
            });
        }
    });
    // The description as it will show once saved, rendered by the server (as it is saved).
    let previewing = RwSignal::new(false);
    let preview = {
        let slug = slug.clone();
        Action::new(move |text: &String| {
            let (slug, text) = (slug.clone(), text.clone());
            async move { Own(preview_description(slug, text).await) }
        })
    };
    let save = Action::new(move |patch: &ItemPatch| {
        let (slug, patch) = (slug.clone(), patch.clone());
        async move { update_item(slug, n, patch).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(item)) = save.value().get() {
            saved.set(Some(item.version));
            changed.update(|c| *c += 1);
        }
    });
    let error = move |field: &'static str| {
        move || {
            save.value().with(|v| match v {
                Some(Err(e)) => e.field(field),
                _ => None,
            })
        }
    };
    let conflict = move || {
        save.value().with(|v| match v {
            Some(Err(AppError::Conflict(m))) => Some(m.clone()),
            Some(Err(e)) if !matches!(e, AppError::Validation(_)) => Some(e.to_string()),
            _ => None,
        })
    };
    let original = item.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let o = &original;
        let estimate_now = estimate.get_untracked().parse::<i64>().ok();
        let assignee_now = Some(assignee.get_untracked()).filter(|a| !a.is_empty());
        let epic_now = epic.get_untracked().parse::<i32>().ok();
        let patch = ItemPatch {
            version,
            title: Some(title.get_untracked()).filter(|t| *t != o.title),
            description: Some(description.get_untracked()).filter(|d| *d != o.description),
            kind: Some(kind.get_untracked()).filter(|k| k != o.kind.as_str()),
            estimate: (estimate_now != o.estimate.map(i64::from)).then_some(estimate_now),
            assignee: (assignee_now.as_deref().map(str::to_lowercase)
                != o.assignee.as_ref().map(|a| a.email.to_lowercase()))
            .then_some(assignee_now),
            state: Some(state.get_untracked()).filter(|s| s != o.state.as_str()),
            blocked: Some(blocked.get_untracked()).filter(|b| *b != o.blocked),
            blocked_reason: Some(reason.get_untracked())
                .filter(|r| Some(r) != o.blocked_reason.as_ref() && blocked.get_untracked()),
            parent: (!is_epic && epic_now != o.parent).then_some(epic_now),
        };
        save.dispatch(patch);
    };
    let parent = item.parent;
    view! {
        <section class="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Edit"</h2>
            {move || conflict().map(|m| view! {
                <div class="notice notice-error" role="alert">
                    <p>{m}</p>
                    <button type="button" class="button" on:click=move |_| changed.update(|c| *c += 1)>"Reload"</button>
                </div>
            })}
            <p class="without-js muted">"Editing an item needs JavaScript in the browser (or the JSON API: "
                <code>"PATCH /api/v1/projects/…/items/…"</code>"). Child items can be added below without it."</p>
            <form class="stack-form needs-js" on:submit=submit aria-label="Edit item">
                <label for="edit-title">"Title"</label>
                <input id="edit-title" type="text" maxlength="200" prop:value=move || title.get()
                    on:input:target=move |ev| title.set(ev.target().value())/>
                <p class="field-error" role="alert">{error("title")}</p>
                <div class="field-row">
                    <label for="edit-kind">"Kind"</label>
                    <select id="edit-kind" on:change:target=move |ev| kind.set(ev.target().value())>
                        {ItemKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=k == item.kind>{k.label()}</option>
                        }).collect_view()}
                    </select>
                    <label for="edit-state">"State"</label>
                    <select id="edit-state" on:change:target=move |ev| state.set(ev.target().value())>
                        {ItemState::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=s == item.state>{s.label()}</option>
                        }).collect_view()}
                    </select>
                    {view! {
                        <label for="edit-estimate">{if is_epic { "Size of the epic" } else { "Estimate" }}</label>
                        <select id="edit-estimate" on:change:target=move |ev| estimate.set(ev.target().value())>
                            <option value="" selected=item.estimate.is_none()>"Not estimated"</option>
                            {ctx.with_value(|c| c.chart.clone()).into_iter().map(|(p, l)| view! {
                                <option value=p.to_string() selected=item.estimate == Some(p)>{format!("{p} · {l}")}</option>
                            }).collect_view()}
                        </select>
                    }}
                    <label for="edit-assignee">"Assignee"</label>
                    <select id="edit-assignee" on:change:target=move |ev| assignee.set(ev.target().value())>
                        <option value="">"Unassigned"</option>
                        {ctx.with_value(|c| c.members.clone()).into_iter().map(|m| {
                            let selected = item.assignee.as_ref().is_some_and(|a| a.email.eq_ignore_ascii_case(&m.email));
                            view! { <option value=m.email.clone() selected=selected>{m.display_name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                {(!is_epic).then(|| view! {
                    <div class="field-row">
                        <label for="edit-epic">"Epic"</label>
                        <select id="edit-epic" on:change:target=move |ev| epic.set(ev.target().value())>
                            <option value="" selected=parent.is_none()>"No epic"</option>
                            {move || {
                                let mut list = epics.get();
                                if let Some(p) = parent.filter(|p| !list.iter().any(|(n, _)| n == p)) {
                                    list.insert(0, (p, String::new()));
                                }
                                list.into_iter().map(|(n, t)| view! {
                                    <option value=n.to_string() selected=parent == Some(n)>{format!("#{n} {t}")}</option>
                                }).collect_view()
                            }}
                        </select>
                    </div>
                })}
                <p class="field-error" role="alert">{error("estimate")}{error("kind")}{error("assignee")}{error("state")}{error("parent")}</p>
                <span class="check">
                    <input id="edit-blocked" type="checkbox" prop:checked=move || blocked.get()
                        on:change:target=move |ev| blocked.set(ev.target().checked())/>
                    <label for="edit-blocked">"Blocked"</label>
                </span>
                {move || blocked.get().then(|| view! {
                    <label for="edit-reason">"Why is it blocked?"</label>
                    <input id="edit-reason" type="text" maxlength="500" prop:value=move || reason.get()
                        on:input:target=move |ev| reason.set(ev.target().value())/>
                })}
                <p class="field-error" role="alert">{error("blocked_reason")}</p>
                // No text child: Leptos does not escape a textarea's children when rendering
                // on the server, so a description holding "</textarea>" could break out. The
                // value is set as a property instead (the edit form needs JavaScript anyway).
                <div class="field-head">
                    <label for="edit-description">"Description (markdown)"</label>
                    <span class="segmented" role="group" aria-label="Description">
                        <button type="button" class="button small" aria-pressed=move || (!previewing.get()).to_string()
                            on:click=move |_| previewing.set(false)>"Write"</button>
                        <button type="button" class="button small" aria-pressed=move || previewing.get().to_string()
                            on:click=move |_| {
                                previewing.set(true);
                                preview.dispatch(description.get_untracked());
                            }>"Preview"</button>
                    </span>
                </div>
                <textarea id="edit-description" rows="8" prop:value=move || description.get() hidden=move || previewing.get()
                    on:input:target=move |ev| description.set(ev.target().value())></textarea>
                {move || previewing.get().then(|| view! {
                    <div class="markdown preview" data-testid="description-preview" aria-live="polite">
                        {move || match (preview.pending().get(), preview.value().get().map(|r| r.0)) {
                            (true, _) | (_, None) => EitherOf4::A(view! { <p class="muted">"Rendering the preview…"</p> }),
                            (_, Some(Ok(html))) if html.is_empty() => EitherOf4::B(view! { <p class="empty">"Nothing to preview."</p> }),
                            // Rendered and sanitised on the server, as the saved description is.
                            (_, Some(Ok(html))) => EitherOf4::C(view! { <div inner_html=html></div> }),
                            (_, Some(Err(e))) => EitherOf4::D(view! {
                                <p class="field-error">{e.field("description").unwrap_or_else(|| e.to_string())}</p>
                            }),
                        }}
                    </div>
                })}
                <p class="field-error" role="alert">{error("description")}</p>
                <button type="submit" class="button primary" disabled=move || save.pending().get()>"Save changes"</button>
            </form>
            <DeleteControl item=item.clone() ctx changed/>
        </section>
    }
}

#[component]
fn DeleteControl(
    item: Item,
    ctx: StoredValue<BoardContext>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let n = item.number;
    let has_children = item.rollup.is_some_and(|r| r.children > 0);
    let choice = RwSignal::new(None::<ChildrenChoice>);
    let slug = ctx.with_value(|c| c.slug.clone());
    let delete = Action::new({
        let slug = slug.clone();
        move |children: &Option<ChildrenChoice>| {
            let (slug, children) = (slug.clone(), *children);
            async move { delete_item(slug, n, children).await }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            changed.update(|c| *c += 1);
            // A toast says so, with Undo (the backlog's, in its split).
            #[cfg(feature = "hydrate")]
            {
                use crate::pages::backlog::bulk::{run, Job};
                leptos::task::spawn_local(run(Job::Deleted(slug.clone(), n, changed)));
            }
        }
    });
    let error = move || {
        delete.value().with(|v| match v {
            Some(Err(e)) => Some(e.field("children").unwrap_or_else(|| e.to_string())),
            _ => None,
        })
    };
    view! {
        <div class="delete-control needs-js">
            {has_children.then(|| view! {
                <fieldset class="choice">
                    <legend>"Its child items:"</legend>
                    <span class="check">
                        <input type="radio" id="children-delete" name="children"
                            on:change=move |_| choice.set(Some(ChildrenChoice::Delete))/>
                        <label for="children-delete">"delete them too"</label>
                    </span>
                    <span class="check">
                        <input type="radio" id="children-detach" name="children"
                            on:change=move |_| choice.set(Some(ChildrenChoice::Detach))/>
                        <label for="children-detach">"keep them in the backlog"</label>
                    </span>
                </fieldset>
            })}
            <button type="button" class="button danger" on:click=move |_| { delete.dispatch(choice.get_untracked()); }>
                "Delete"
            </button>
            <p class="field-error" role="alert">{error}</p>
        </div>
    }
}

#[component]
fn Trashed(item: Item, ctx: StoredValue<BoardContext>, changed: RwSignal<u32>) -> impl IntoView {
    let n = item.number;
    let slug = ctx.with_value(|c| c.slug.clone());
    let restore = Action::new(move |_: &()| {
        let slug = slug.clone();
        async move { restore_item(slug, n).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = restore.value().get() {
            changed.update(|c| *c += 1);
        }
    });
    let can_edit = ctx.with_value(|c| c.can_edit);
    view! {
        <div class="notice" role="status">
            <p>{format!("#{n} is in the trash.")}</p>
            {can_edit.then(|| view! {
                <button type="button" class="button needs-js" on:click=move |_| { restore.dispatch(()); }>"Undo: restore it"</button>
            })}
        </div>
    }
}

/// A value of this page's own type: the reactive code made for it stays in this page's
/// split. (Made for a type other pages' splits use as well, wasm-split moves that code
/// into the first load.)
#[derive(Clone)]
struct Own<T>(T);

/// Where a bug came from when a failing pipeline filed it, and its runs since.
#[component]
fn CiOriginView(ci: crate::model::hooks::CiOrigin) -> impl IntoView {
    let summary = format!(
        "Filed by {} CI ({}) when {} failed on {}: {} in all, the last at {}.",
        ci.provider,
        ci.integration,
        ci.pipeline,
        ci.branch,
        crate::words::count(ci.occurrences.max(0) as u32, "failure", "failures"),
        ci.last_seen.format("%Y-%m-%d %H:%M UTC"),
    );
    let removed = ci.removed.then(|| {
        view! {
            <p class="muted" data-testid="ci-removed">
                "The integration has been removed since: further runs no longer reach this bug."
            </p>
        }
    });
    view! {
        <section class="card" aria-labelledby="ci-heading">
            <h2 id="ci-heading">"From CI"</h2>
            <p data-testid="ci-origin">{summary}</p>
            {removed}
            <ol class="ci-runs" aria-label="Runs">
                {ci.runs.into_iter().map(|run| {
                    let label = format!("{} {}", run.status, run.at.format("%Y-%m-%d %H:%M UTC"));
                    let commit = run.commit.map(|c| format!(" · commit {}", c.get(..7).unwrap_or(&c).to_owned()));
                    view! {
                        <li class=format!("run-{}", run.status)>
                            {match run.url {
                                Some(url) => view! { <a href=url rel="external noopener">{label}</a> }.into_any(),
                                None => label.into_any(),
                            }}
                            {commit}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The commits and pull requests that mention the item.
#[component]
fn LinksView(links: Vec<crate::model::hooks::ItemLink>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="links-heading">
            <h2 id="links-heading">"Commits and pull requests"</h2>
            <ul class="item-links" aria-label="Commits and pull requests">
                {links.into_iter().map(|l| {
                    let what = if l.kind == "pull_request" {
                        format!("Pull request #{}", l.reference)
                    } else {
                        format!("Commit {}", l.reference.get(..7).unwrap_or(&l.reference))
                    };
                    let details = format!(
                        "{}{}",
                        l.author.map(|a| format!(" · {a}")).unwrap_or_default(),
                        l.branch.map(|b| format!(" · {b}")).unwrap_or_default(),
                    );
                    view! {
                        <li>
                            {match l.url {
                                Some(url) => view! { <a href=url rel="external noopener">{what}</a> }.into_any(),
                                None => view! { <span>{what}</span> }.into_any(),
                            }}
                            ": " {l.title}
                            <span class="muted">{details}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// What differs between the item as shown and as it is now, field by field, for the
/// "changed elsewhere" notice: (field, new value).
pub fn differences(shown: &Item, now: &Item) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut field = |name: &'static str, before: String, after: String| {
        if before != after {
            out.push((name, after));
        }
    };
    field("Title", shown.title.clone(), now.title.clone());
    field("Kind", shown.kind.label().into(), now.kind.label().into());
    field(
        "State",
        shown.state.label().into(),
        now.state.label().into(),
    );
    let estimate = |i: &Item| {
        i.estimate_label
            .clone()
            .unwrap_or_else(|| "not estimated".into())
    };
    field("Estimate", estimate(shown), estimate(now));
    let assignee = |i: &Item| {
        i.assignee
            .as_ref()
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| "nobody".into())
    };
    field("Assignee", assignee(shown), assignee(now));
    let blocked = |i: &Item| match (i.blocked, &i.blocked_reason) {
        (false, _) => "not blocked".to_owned(),
        (true, Some(r)) if !r.is_empty() => format!("blocked: {r}"),
        (true, _) => "blocked".to_owned(),
    };
    field("Blocked", blocked(shown), blocked(now));
    let epic = |i: &Item| {
        i.parent
            .map(|p| format!("#{p}"))
            .unwrap_or_else(|| "none".into())
    };
    field("Epic", epic(shown), epic(now));
    let increment = |i: &Item| i.increment_label.clone().unwrap_or_else(|| "none".into());
    field("Increment", increment(shown), increment(now));
    if shown.description != now.description {
        out.push(("Description", "changed".into()));
    }
    if shown.deleted != now.deleted {
        let trash = if now.deleted {
            "moved to the trash"
        } else {
            "restored"
        };
        out.push(("Trash", trash.into()));
    }
    if out.is_empty() && shown.rollup != now.rollup {
        out.push(("Child items", "changed".into()));
    }
    out
}

/// When someone else changes the item (the live stream says so), the page does not replace
/// what is shown, where its editor may be typing: it says who changed it and what is new,
/// and offers to take the new version. (The version check on saving stays as the last
/// guard.) A reader who cannot edit has nothing to lose: their page just follows. Saves
/// from this page (`saved`, the version they made) are not someone else's.
fn changed_elsewhere(
    slug: Memo<String>,
    number: Memo<i32>,
    detail: Resource<Result<ItemDetail, AppError>, crate::components::data::Json>,
    changed: RwSignal<u32>,
    saved: RwSignal<Option<i32>>,
    can_edit: Memo<bool>,
) -> impl IntoView {
    let live = crate::components::live::Live::get();
    let newer = RwSignal::new(None::<(String, Vec<(&'static str, String)>)>);
    let check = Action::new(move |_: &()| get_item(slug.get_untracked(), number.get_untracked()));
    Effect::new(move |_| {
        live.version.track();
        let touched = live
            .last
            .get_untracked()
            .is_none_or(|e| e.touches_item(number.get_untracked()));
        if touched && live.version.get_untracked() > 0 {
            check.dispatch(());
        }
    });
    Effect::new(move |_| {
        let Some(Ok(latest)) = check.value().get() else {
            return;
        };
        let Some(shown) = detail.get_untracked().and_then(|d| d.ok()) else {
            return;
        };
        let ours = saved.get_untracked() == Some(latest.item.version);
        if shown.item.version == latest.item.version && shown.item.rollup == latest.item.rollup
            || ours
        {
            return;
        }
        if !can_edit.get_untracked() {
            changed.update(|n| *n += 1);
            return;
        }
        let who = latest
            .history
            .first()
            .and_then(|e| e.actor.clone())
            .unwrap_or_else(|| "someone".to_owned());
        newer.set(Some((
            format!("#{} was changed by {who} just now.", latest.item.number),
            differences(&shown.item, &latest.item),
        )));
    });
    // Taking the new version (or saving) ends the notice.
    Effect::new(move |_| {
        changed.track();
        newer.set(None);
    });
    move || {
        newer.get().map(|(text, fields)| {
            view! {
                {text}
                <ul class="changes" aria-label="What is new">
                    {fields.into_iter().map(|(name, value)| view! {
                        <li><strong>{name} ": "</strong>{value}</li>
                    }).collect_view()}
                </ul>
                <button type="button" class="button small" on:click=move |_| {
                    changed.update(|n| *n += 1);
                }>"Take the new version"</button>
                " (what you typed here is replaced)"
            }
        })
    }
}
