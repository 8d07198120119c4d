//! Sprints and their increments: create a sprint (its increments tile it), edit an
//! increment's dates, start one, and each increment's page with its report, burndown and
//! the closing dialog (where unfinished items go).

use super::project::{project_resource, use_slug};
use crate::components::charts::BurndownChart;
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::domain::Permission;
use crate::domain::{Carry, IncrementState};
use crate::error::AppError;
use crate::model::items::Item;
use crate::model::sprints::{CarryItem, Closing, Increment, IncrementReport, Sprint};
use crate::server_fns::sprints::{
    get_increment_report, list_sprints, CloseIncrement, CreateSprint, EditIncrement, RenameSprint,
    StartIncrement,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// "planned", "active" or "closed" as a badge.
#[component]
pub fn StateBadge(state: IncrementState) -> impl IntoView {
    let text = match state {
        IncrementState::Planned => "Planned",
        IncrementState::Active => "Active",
        IncrementState::Closed => "Closed",
    };
    view! { <span class=format!("badge increment-{}", state.as_str())>{text}</span> }
}

/// "1 decimal" velocity text.
pub fn per_day(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| crate::words::decimal(v, 1))
}

#[component]
pub fn SprintsPage() -> impl IntoView {
    let slug = use_slug();
    let project = project_resource();
    let create = ServerAction::<CreateSprint>::new();
    let start = ServerAction::<StartIncrement>::new();
    let edit = ServerAction::<EditIncrement>::new();
    let rename = ServerAction::<RenameSprint>::new();
    // Read again after every change, ours or (through the live stream) anyone's.
    let live = crate::components::live::Live::get();
    let sprints = crate::components::data::data(
        move || {
            (
                slug.get(),
                create.version().get(),
                start.version().get(),
                (edit.version().get(), rename.version().get()),
                live.tick.get(),
            )
        },
        |(slug, ..)| list_sprints(slug),
    );
    // The last refusal of a start, a date edit or a rename, shown above the sprints.
    let change_error = move || {
        form_error(start.value(), &[])()
            .or_else(form_error(edit.value(), &[]))
            .or_else(form_error(rename.value(), &[]))
    };
    view! {
        <Title text="Sprints"/>
        <Transition fallback=|| view! { <p class="muted">"Loading sprints…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    let project = project.await?;
                    let list = sprints.await?;
                    let can_plan = project.role.allows(Permission::Plan) && !project.archived;
                    let slug = project.slug;
                    Ok::<_, AppError>(view! {
                        <header class="page-header">
                            <h1>"Sprints"</h1>
                            <p class="muted">"A sprint is split into increments; velocity is counted per increment in business days ("
                                {project.settings.working_days.len()}" working days a week, holidays excluded)."</p>
                        </header>
                        <FormError message=change_error/>
                        {if list.is_empty() {
                            let next = if can_plan {
                                "Make one with the form below: name it, give its first and last day and how many weeks each increment lasts (two is common). Then plan the first increment's items on the planning page and start it."
                            } else {
                                "The project's owner or scrum master makes them; once one runs, its increments show here."
                            };
                            view! {
                                <div class="empty">
                                    <p>"No sprints yet. A sprint is a stretch of time, a quarter say, split into increments of one to eight weeks; velocity and the burndown are counted per increment."</p>
                                    <p>{next}</p>
                                </div>
                            }.into_any()
                        } else {
                            list.into_iter()
                                .map(|s| view! { <SprintCard sprint=s slug=slug.clone() can_plan start edit rename/> })
                                .collect_view()
                                .into_any()
                        }}
                    })
                })}
            </ErrorBoundary>
        </Transition>
        // Apart from the list: the list is read again after every change (anyone's), and a
        // form drawn again with it would lose what is being typed into it. This part waits
        // for the project alone; an error reading it shows above.
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                project.await.ok()
                    .filter(|p| p.role.allows(Permission::Plan) && !p.archived)
                    .map(|p| view! { <NewSprintForm slug=p.slug create/> })
            })}
        </Transition>
    }
}

#[component]
fn SprintCard(
    sprint: Sprint,
    slug: String,
    can_plan: bool,
    start: ServerAction<StartIncrement>,
    edit: ServerAction<EditIncrement>,
    rename: ServerAction<RenameSprint>,
) -> impl IntoView {
    let heading = format!("sprint-{}", sprint.id);
    let rename_form = can_plan.then(|| {
        let field = format!("rename-{}", sprint.id);
        let (slug, id, name) = (slug.clone(), sprint.id, sprint.name.clone());
        view! {
            <details class="edit-dates">
                <summary>"Rename"</summary>
                <ActionForm action=rename attr:class="row-form">
                    <input type="hidden" name="slug" value=slug/>
                    <input type="hidden" name="id" value=id/>
                    <label for=field.clone() class="visually-hidden">"Sprint name"</label>
                    <input id=field type="text" name="name" required maxlength="100" value=name/>
                    <button type="submit" class="button small">"Save name"</button>
                </ActionForm>
            </details>
        }
    });
    view! {
        <section class="card sprint" aria-labelledby=heading data-sprint=sprint.id>
            <h2 id=heading.clone()>{sprint.name.clone()}</h2>
            {rename_form}
            <p class="muted">{format!("{} – {} · {}-week increments", sprint.starts_on.format("%b %-d, %Y"),
                sprint.ends_on.format("%b %-d, %Y"), sprint.increment_weeks)}</p>
            <table class="table increments" aria-label=format!("Increments of {}", sprint.name)>
                <thead><tr>
                    <th scope="col">"Increment"</th><th scope="col">"Dates"</th>
                    <th scope="col">"Business days"</th><th scope="col">"State"</th>
                    <th scope="col">"Items"</th><th scope="col">"Points (done)"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {sprint.increments.into_iter().map(|inc| view! {
                        <IncrementRow inc slug=slug.clone() can_plan start edit/>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn IncrementRow(
    inc: Increment,
    slug: String,
    can_plan: bool,
    start: ServerAction<StartIncrement>,
    edit: ServerAction<EditIncrement>,
) -> impl IntoView {
    let id = inc.id;
    let href = format!("/p/{slug}/increments/{id}");
    let planned = inc.state == IncrementState::Planned;
    let editable = can_plan && inc.state != IncrementState::Closed;
    let label = inc.label();
    let (slug2, slug3) = (slug.clone(), slug.clone());
    let start_form = (can_plan && planned).then(|| {
        view! {
            <ActionForm action=start attr:class="row-form">
                <input type="hidden" name="slug" value=slug2/>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button small primary" aria-label=format!("Start {label}")>"Start"</button>
            </ActionForm>
        }
    });
    let edit_form = editable.then(|| {
        let (s_id, e_id) = (format!("starts-{id}"), format!("ends-{id}"));
        view! {
            <details class="edit-dates">
                <summary>"Edit dates"</summary>
                <ActionForm action=edit attr:class="row-form">
                    <input type="hidden" name="slug" value=slug3/>
                    <input type="hidden" name="id" value=id/>
                    <label for=s_id.clone()>"Start"</label>
                    <input id=s_id type="date" name="starts_on" required value=inc.starts_on.to_string()/>
                    <label for=e_id.clone()>"End"</label>
                    <input id=e_id type="date" name="ends_on" required value=inc.ends_on.to_string()/>
                    <button type="submit" class="button small">"Save dates"</button>
                </ActionForm>
            </details>
        }
    });
    let plan_link = (inc.state != IncrementState::Closed)
        .then(|| view! { <a class="button small" href=format!("/p/{slug}/planning?increment={id}")>"Plan"</a> });
    let board_link = view! { <a class="button small" href=format!("/p/{slug}/board?increment={id}")>"Board"</a> };
    view! {
        <tr data-increment=id>
            <th scope="row"><a href=href>{inc.label()}</a></th>
            <td>{inc.dates()}</td>
            <td>{inc.business_days}</td>
            <td><StateBadge state=inc.state/></td>
            <td>{inc.item_count}</td>
            <td>{format!("{} ({})", inc.points, inc.done_points)}</td>
            <td class="actions">{plan_link}{board_link}{start_form}{edit_form}</td>
        </tr>
    }
}

#[component]
fn NewSprintForm(slug: String, create: ServerAction<CreateSprint>) -> impl IntoView {
    let name_error = field_error(create.value(), "name");
    let starts_error = field_error(create.value(), "starts_on");
    let ends_error = field_error(create.value(), "ends_on");
    let weeks_error = field_error(create.value(), "increment_weeks");
    let other = form_error(
        create.value(),
        &["name", "starts_on", "ends_on", "increment_weeks"],
    );
    // Once created, the form is empty again for the next sprint (the status says what was made).
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if create.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    let created = move || {
        create.value().with(|v| match v {
            Some(Ok(s)) => Some(format!(
                "{} was created with {}.",
                s.name,
                crate::words::count(s.increments.len(), "increment", "increments")
            )),
            _ => None,
        })
    };
    view! {
        <section class="card" aria-labelledby="new-sprint-heading">
            <h2 id="new-sprint-heading">"New sprint"</h2>
            <ActionForm action=create node_ref=form attr:class="stacked-form">
                <FormError message=other/>
                <input type="hidden" name="slug" value=slug/>
                <label for="sprint-name">"Name"</label>
                <input id="sprint-name" name="sprint[name]" required maxlength="100" placeholder="Q1"
                    aria-describedby="sprint-name-error"/>
                <FieldError id="sprint-name-error" message=name_error/>
                <div class="field-row">
                    <label for="sprint-starts">"Start"</label>
                    <input id="sprint-starts" type="date" name="sprint[starts_on]" required
                        aria-describedby="sprint-starts-error"/>
                    <label for="sprint-ends">"End"</label>
                    <input id="sprint-ends" type="date" name="sprint[ends_on]" required
                        aria-describedby="sprint-ends-error"/>
                    <label for="sprint-weeks">"Increment length"</label>
                    <select id="sprint-weeks" name="sprint[increment_weeks]">
                        {(1..=8u8).map(|w| view! {
                            <option value=w selected=w == 2>{format!("{w} week{}", if w == 1 { "" } else { "s" })}</option>
                        }).collect_view()}
                    </select>
                </div>
                <FieldError id="sprint-starts-error" message=starts_error/>
                <FieldError id="sprint-ends-error" message=ends_error/>
                <FieldError id="sprint-weeks-error" message=weeks_error/>
                <button type="submit" class="button primary" disabled=move || create.pending().get()>"Create sprint"</button>
                <p class="form-ok" role="status">{created}</p>
            </ActionForm>
        </section>
    }
}

// --- one increment -----------------------------------------------------------------------

#[component]
pub fn IncrementPage() -> impl IntoView {
    let slug = use_slug();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0))
    });
    let project = project_resource();
    let start = ServerAction::<StartIncrement>::new();
    let close = ServerAction::<CloseIncrement>::new();
    let live = crate::components::live::Live::get();
    let report = crate::components::data::data(
        move || {
            (
                slug.get(),
                id.get(),
                (start.version().get(), close.version().get()),
                live.tick.get(),
            )
        },
        |(slug, id, ..)| get_increment_report(slug, id),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the increment…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    let project = project.await?;
                    let found = report.await?;
                    let can_plan = project.role.allows(Permission::Plan) && !project.archived;
                    Ok::<_, AppError>(view! { <IncrementView found slug=project.slug.clone() can_plan start close/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn IncrementView(
    found: IncrementReport,
    slug: String,
    can_plan: bool,
    start: ServerAction<StartIncrement>,
    close: ServerAction<CloseIncrement>,
) -> impl IntoView {
    let inc = found.increment.clone();
    let id = inc.id;
    let start_error = form_error(start.value(), &[]);
    let numbers = found.report.as_ref().map(|r| {
        view! {
            <dl class="report-numbers">
                <div><dt>"Committed"</dt><dd data-number="committed">{r.committed}</dd></div>
                <div><dt>"Added"</dt><dd data-number="added">{r.added}</dd></div>
                <div><dt>"Removed"</dt><dd data-number="removed">{r.removed}</dd></div>
                <div><dt>"Completed"</dt><dd data-number="completed">{r.completed}</dd></div>
                <div><dt>"Business days"</dt><dd data-number="business-days">{r.business_days}</dd></div>
                <div><dt>"Velocity"</dt><dd data-number="velocity">{format!("{} pts/day", per_day(r.velocity))}</dd></div>
            </dl>
        }
    });
    let note = match inc.state {
        IncrementState::Planned => {
            "Not started: plan it, then start it. Its commitment is recorded at the start."
        }
        IncrementState::Active => "Running: the numbers so far, up to today.",
        IncrementState::Closed => "Closed: these numbers are frozen and never change.",
    };
    let chart = found.report.clone().map(|r| {
        view! { <BurndownChart report=r business_days=found.business_days.clone()/> }.into_any()
    });
    let start_form = (can_plan && inc.state == IncrementState::Planned).then(|| {
        let slug = slug.clone();
        view! {
            <ActionForm action=start attr:class="row-form">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button primary">"Start this increment"</button>
            </ActionForm>
            <FormError message=start_error/>
        }
    });
    let close_form = (can_plan && inc.state == IncrementState::Active).then(|| {
        view! { <CloseForm found=found.clone() slug=slug.clone() close/> }
    });
    let committed = inc.committed_points.map(|p| {
        view! {
            <p class="muted">{format!("Committed at the start: {}.", crate::words::count(p, "point", "points"))}</p>
        }
    });
    view! {
        <Title text=inc.label()/>
        <header class="page-header">
            <h1>{inc.label()}" "<StateBadge state=inc.state/></h1>
            <p class="muted">{format!("{} · {}", inc.dates(), crate::words::count(inc.business_days, "business day", "business days"))}</p>
            <p class="muted">{note}</p>
            <nav class="page-actions" aria-label="Increment">
                <a class="button small" href=format!("/p/{slug}/board?increment={id}")>"Board"</a>
                {(inc.state != IncrementState::Closed).then(|| view! {
                    <a class="button small" href=format!("/p/{slug}/planning?increment={id}")>"Plan"</a>
                })}
                <a class="button small" href=format!("/p/{slug}/sprints")>"All sprints"</a>
            </nav>
        </header>
        {start_form}
        {committed}
        {numbers}
        <section aria-labelledby="burndown-heading">
            <h2 id="burndown-heading">"Burndown"</h2>
            {chart.unwrap_or_else(|| view! { <p class="empty">"The burndown starts when the increment starts."</p> }.into_any())}
        </section>
        {close_form}
        <section aria-labelledby="items-heading">
            <h2 id="items-heading">"Items"</h2>
            <ItemTable items=found.items.clone() slug=slug.clone()/>
        </section>
    }
}

/// A plain table of items: number, title, estimate, state, assignee.
#[component]
pub fn ItemTable(items: Vec<Item>, slug: String) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">"No items."</p> }.into_any();
    }
    view! {
        <table class="table items">
            <thead><tr><th scope="col">"#"</th><th scope="col">"Title"</th><th scope="col">"Estimate"</th>
                <th scope="col">"State"</th><th scope="col">"Assignee"</th></tr></thead>
            <tbody>
                {items.into_iter().map(|i| view! {
                    <tr data-number=i.number>
                        <td>{format!("#{}", i.number)}</td>
                        <td><a href=format!("/p/{slug}/items/{}", i.number)>{i.title}</a>
                            {i.blocked.then(|| view! { <span class="badge blocked">"Blocked"</span> })}</td>
                        <td>{i.estimate_label.unwrap_or_else(|| "—".into())}</td>
                        <td>{i.state.label()}</td>
                        <td>{i.assignee.map(|a| a.display_name).unwrap_or_else(|| "—".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The scrum master's closing dialog: where unfinished items go, for all or per item.
#[component]
fn CloseForm(
    found: IncrementReport,
    slug: String,
    close: ServerAction<CloseIncrement>,
) -> impl IntoView {
    let id = found.increment.id;
    let next = found.next.clone();
    let unfinished: Vec<Item> = found
        .items
        .iter()
        .filter(|i| i.state != crate::domain::ItemState::Done)
        .cloned()
        .collect();
    let all = RwSignal::new(if next.is_some() {
        Carry::Next
    } else {
        Carry::Backlog
    });
    let per_item: RwSignal<Vec<(i32, Option<Carry>)>> =
        RwSignal::new(unfinished.iter().map(|i| (i.number, None)).collect());
    let error = form_error(close.value(), &[]);
    let next_label = next
        .as_ref()
        .map(|n| format!("To the next increment, {}", n.label()));
    let has_next = next.is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let items = per_item
            .get_untracked()
            .into_iter()
            .filter_map(|(number, c)| c.map(|carry| CarryItem { number, carry }))
            .collect();
        close.dispatch(CloseIncrement {
            slug: slug.clone(),
            id,
            close: Closing {
                carry: all.get_untracked(),
                items,
            },
        });
    };
    let choice = |c: Carry| match c {
        Carry::Next => "next",
        Carry::Backlog => "backlog",
    };
    view! {
        <section class="card close-increment" aria-labelledby="close-heading">
            <h2 id="close-heading">"Close this increment"</h2>
            <p class="muted">{format!("Closing freezes the report. {} move on:", crate::words::count(unfinished.len() as u32, "unfinished item", "unfinished items"))}</p>
            <p class="without-js muted">"Closing an increment needs JavaScript in the browser (or the JSON API)."</p>
            <form class="needs-js" on:submit=submit>
                <FormError message=error/>
                <fieldset>
                    <legend>"Unfinished items go"</legend>
                    {next_label.map(|label| view! {
                        <label><input type="radio" name="carry" value="next"
                            prop:checked=move || all.get() == Carry::Next
                            on:change=move |_| all.set(Carry::Next)/>" "{label}</label>
                    })}
                    <label><input type="radio" name="carry" value="backlog"
                        prop:checked=move || all.get() == Carry::Backlog
                        on:change=move |_| all.set(Carry::Backlog)/>" Back to the top of the backlog"</label>
                    {(!has_next).then(|| view! { <p class="muted">"There is no planned increment after this one."</p> })}
                </fieldset>
                {(!unfinished.is_empty()).then(|| view! {
                    <table class="table">
                        <caption>"Or choose per item"</caption>
                        <tbody>
                            {unfinished.iter().map(|i| {
                                let number = i.number;
                                let select_id = format!("carry-{number}");
                                let on_change = move |ev: leptos::ev::Event| {
                                    let v = event_target_value(&ev);
                                    let c = match v.as_str() {
                                        "next" => Some(Carry::Next),
                                        "backlog" => Some(Carry::Backlog),
                                        _ => None,
                                    };
                                    per_item.update(|list| {
                                        if let Some(e) = list.iter_mut().find(|(n, _)| *n == number) {
                                            e.1 = c;
                                        }
                                    });
                                };
                                view! {
                                    <tr>
                                        <td><label for=select_id.clone()>{format!("#{} {}", number, i.title)}</label></td>
                                        <td><select id=select_id on:change=on_change>
                                            <option value="" selected>"As above"</option>
                                            {has_next.then(|| view! { <option value=choice(Carry::Next)>"Next increment"</option> })}
                                            <option value=choice(Carry::Backlog)>"Backlog"</option>
                                        </select></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
                <button type="submit" class="button danger" disabled=move || close.pending().get()>"Close increment"</button>
            </form>
        </section>
    }
}
