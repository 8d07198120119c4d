//! Project settings: the effort chart, the working week, holidays and the velocity window
//! (owners and scrum masters edit, everyone else reads), plus rename, archive and delete
//! for owners.

use super::project::project_resource;
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::domain::project::weekday_short_name;
use crate::domain::{EffortChart, Permission, Preset, StoryPoints, WorkingWeek};
use crate::model::projects::{ChartValue, HolidayEntry, ProjectInfo, ProjectSettings};
use crate::server_fns::projects::{update_settings, ArchiveProject, DeleteProject, RenameProject};
use leptos::prelude::*;
use leptos_meta::Title;

/// Every value an effort chart may hold.
const SCALE: [u8; 11] = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89];

#[component]
pub fn SettingsPage() -> impl IntoView {
    let project = project_resource();
    view! {
        <Title text="Settings"/>
        <Transition fallback=|| view! { <p class="muted">"Loading settings…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    project.await.map(|p| view! { <Settings project=p/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[derive(Clone, Debug, PartialEq)]
struct ChartRow {
    points: u8,
    on: bool,
    label: String,
}

fn rows_from(chart: &[ChartValue]) -> Vec<ChartRow> {
    SCALE
        .iter()
        .map(|&p| {
            let found = chart.iter().find(|v| v.points == p);
            ChartRow {
                points: p,
                on: found.is_some(),
                label: found.map(|v| v.label.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

fn preset_rows(preset: Preset) -> Vec<ChartRow> {
    let chart = EffortChart::preset(preset);
    let values: Vec<ChartValue> = chart
        .entries()
        .iter()
        .map(|e| ChartValue {
            points: e.points.value(),
            label: e.label.clone(),
        })
        .collect();
    rows_from(&values)
}

#[component]
fn Settings(project: ProjectInfo) -> impl IntoView {
    let can_edit = project.role.allows(Permission::EditSettings) && !project.archived;
    let is_owner = project.role.allows(Permission::Administer);
    let slug = project.slug.clone();
    let s = project.settings.clone();

    let rows = RwSignal::new(rows_from(&s.effort_chart));
    let days = RwSignal::new(s.working_days.clone());
    let window = RwSignal::new(s.velocity_window.to_string());
    let holidays = RwSignal::new(s.holidays.clone());
    let new_date = RwSignal::new(String::new());
    let new_name = RwSignal::new(String::new());
    let holiday_error = RwSignal::new(None::<String>);

    let save_slug = slug.clone();
    let save = Action::new(move |settings: &ProjectSettings| {
        let slug = save_slug.clone();
        let settings = settings.clone();
        async move { update_settings(slug, settings).await }
    });
    let chart_error = field_error(save.value(), "effort_chart");
    let days_error = field_error(save.value(), "working_days");
    let window_error = field_error(save.value(), "velocity_window");
    let holidays_error = field_error(save.value(), "holidays");
    let other_error = form_error(
        save.value(),
        &[
            "effort_chart",
            "working_days",
            "velocity_window",
            "holidays",
        ],
    );
    let saved = move || {
        save.value()
            .with(|v| matches!(v, Some(Ok(_))).then_some("Settings saved."))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let settings = ProjectSettings {
            effort_chart: rows
                .get()
                .into_iter()
                .filter(|r| r.on)
                .map(|r| ChartValue {
                    points: r.points,
                    label: r.label,
                })
                .collect(),
            working_days: days.get(),
            holidays: holidays.get(),
            velocity_window: window.get().trim().parse().unwrap_or(0),
        };
        save.dispatch(settings);
    };

    let add_holiday = move |_| {
        let date = new_date.get();
        let name = new_name.get();
        match chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
            Err(_) => holiday_error.set(Some("pick a date".into())),
            Ok(_) if name.trim().is_empty() => {
                holiday_error.set(Some("give the holiday a name".into()))
            }
            Ok(d) if holidays.with(|h| h.iter().any(|x| x.date == d)) => {
                holiday_error.set(Some(format!("{d} is already listed")))
            }
            Ok(d) => {
                holidays.update(|h| {
                    h.push(HolidayEntry {
                        date: d,
                        name: name.trim().to_owned(),
                    });
                    h.sort_by_key(|x| x.date);
                });
                new_date.set(String::new());
                new_name.set(String::new());
                holiday_error.set(None);
            }
        }
    };

    let disabled = !can_edit;
    view! {
        <header class="page-header">
            <h1>"Settings of " <a href=format!("/p/{slug}")>{project.name.clone()}</a></h1>
        </header>
        {(!can_edit).then(|| view! {
            <p class="notice">{if project.archived {
                "This project is archived: unarchive it to change its settings."
            } else {
                "Only owners and scrum masters change settings; you can read them."
            }}</p>
        })}
        // The form below edits in place and needs JavaScript; without it the settings are
        // listed as text.
        <section class="card without-js" aria-label="Settings as they are">
            {can_edit.then(|| view! {
                <p class="notice">"Changing the settings needs JavaScript in the browser (or the JSON API: "
                    <code>"PUT /api/v1/projects/…/settings"</code>")."</p>
            })}
            <dl class="facts">
                <dt>"Effort chart"</dt>
                <dd>{s.effort_chart.iter().map(|v| format!("{} · {}", v.points, v.label)).collect::<Vec<_>>().join(", ")}</dd>
                <dt>"Working days"</dt>
                <dd>{WorkingWeek::parse(&s.working_days.iter().map(|&d| i64::from(d)).collect::<Vec<_>>())
                    .map(|w| w.describe()).unwrap_or_default()}</dd>
                <dt>"Velocity window"</dt>
                <dd>{crate::words::last(u32::from(s.velocity_window), "closed increment", "closed increments")}</dd>
                <dt>"Holidays"</dt>
                <dd>{if s.holidays.is_empty() { "None".to_owned() } else {
                    s.holidays.iter().map(|h| format!("{} {}", h.date, h.name)).collect::<Vec<_>>().join("; ")
                }}</dd>
            </dl>
        </section>
        <form class="settings-form needs-js" on:submit=submit aria-label="Project settings">
            <fieldset class="card" disabled=disabled>
                <legend>"Effort chart"</legend>
                <p class="muted">"The story point values on this team's scale, and what you call each."</p>
                <div class="button-row" role="group" aria-label="Presets">
                    {Preset::ALL.into_iter().map(|p| view! {
                        <button type="button" class="button"
                            on:click=move |_| rows.set(preset_rows(p))>
                            {format!("Use {}", p.name())}
                        </button>
                    }).collect_view()}
                </div>
                <table class="table chart-table">
                    <thead><tr><th scope="col">"On the scale"</th><th scope="col">"Label"</th><th scope="col">"Shown as"</th></tr></thead>
                    <tbody>
                        {SCALE.iter().enumerate().map(|(i, &p)| {
                            let on_id = format!("chart-on-{p}");
                            let label_id = format!("chart-label-{p}");
                            let on = move || rows.with(|r| r[i].on);
                            let label = move || rows.with(|r| r[i].label.clone());
                            let shown = move || rows.with(|r| {
                                let row = &r[i];
                                if row.on && !row.label.trim().is_empty() {
                                    format!("{} · {}", StoryPoints::parse_extended(p).map(|s| s.to_string()).unwrap_or_default(), row.label.trim())
                                } else { String::new() }
                            });
                            view! {
                                <tr>
                                    <td>
                                        <input type="checkbox" id=on_id.clone() prop:checked=on
                                            on:change:target=move |ev| {
                                                let checked = ev.target().checked();
                                                rows.update(|r| r[i].on = checked);
                                            }/>
                                        <label for=on_id>{p.to_string()}</label>
                                    </td>
                                    <td>
                                        <label for=label_id.clone() class="visually-hidden">{format!("Label for {p}")}</label>
                                        <input type="text" id=label_id maxlength="30" prop:value=label
                                            on:input:target=move |ev| {
                                                let value = ev.target().value();
                                                rows.update(|r| r[i].label = value);
                                            }/>
                                    </td>
                                    <td class="muted">{shown}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <FieldError id="chart-error" message=chart_error/>
            </fieldset>

            <fieldset class="card" disabled=disabled>
                <legend>"Working week"</legend>
                <div class="button-row">
                    {(1u8..=7).map(|d| {
                        let id = format!("day-{d}");
                        view! {
                            <span class="check">
                                <input type="checkbox" id=id.clone()
                                    prop:checked=move || days.with(|v| v.contains(&d))
                                    on:change:target=move |ev| {
                                        let checked = ev.target().checked();
                                        days.update(|v| {
                                            v.retain(|&x| x != d);
                                            if checked { v.push(d); v.sort_unstable(); }
                                        });
                                    }/>
                                <label for=id>{weekday_short_name(d)}</label>
                            </span>
                        }
                    }).collect_view()}
                </div>
                <FieldError id="days-error" message=days_error/>
                <label for="velocity-window">"Velocity window (closed increments averaged)"</label>
                <input id="velocity-window" type="number" min="1" max="12" prop:value=move || window.get()
                    on:input:target=move |ev| window.set(ev.target().value())
                    aria-describedby="window-error"/>
                <FieldError id="window-error" message=window_error/>
            </fieldset>

            <fieldset class="card" disabled=disabled>
                <legend>"Holidays"</legend>
                <p class="muted">"Non-working dates: they do not count as business days."</p>
                <ul class="holiday-list" aria-label="Holidays">
                    {move || holidays.get().into_iter().map(|h| {
                        let date = h.date;
                        view! {
                            <li>
                                <time datetime=date.to_string()>{date.format("%a %Y-%m-%d").to_string()}</time>
                                " "{h.name.clone()}" "
                                <button type="button" class="button small"
                                    aria-label=format!("Remove holiday {}", h.name)
                                    on:click=move |_| holidays.update(|v| v.retain(|x| x.date != date))>
                                    "Remove"
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <div class="field-row">
                    <label for="holiday-date">"Date"</label>
                    <input id="holiday-date" type="date" prop:value=move || new_date.get()
                        on:input:target=move |ev| new_date.set(ev.target().value())/>
                    <label for="holiday-name">"Name"</label>
                    <input id="holiday-name" type="text" maxlength="80" prop:value=move || new_name.get()
                        on:input:target=move |ev| new_name.set(ev.target().value())/>
                    <button type="button" class="button" on:click=add_holiday>"Add holiday"</button>
                </div>
                <p class="field-error" role="alert">{move || holiday_error.get()}</p>
                <FieldError id="holidays-error" message=holidays_error/>
            </fieldset>

            {can_edit.then(|| view! {
                <div class="button-row">
                    <button type="submit" class="button primary" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
                    </button>
                    <p class="form-ok" role="status">{saved}</p>
                </div>
            })}
            <FormError message=other_error/>
        </form>
        <section class="card" aria-labelledby="export-heading">
            <h2 id="export-heading">"Export"</h2>
            <p class="muted">"The whole project as one JSON document: settings, members, items with their history, sprints and increments with their reports, stand-up notes and reflections. Import it as a new project from "
                <a href="/projects#import-heading">"Your projects"</a>" (or the JSON API: "
                <code>"POST /api/v1/projects/import"</code>")."</p>
            <a class="button" href=format!("/api/v1/projects/{}/export", project.slug) download=format!("{}.cadence.json", project.slug)
                rel="external">"Download as JSON"</a>
        </section>
        {is_owner.then(|| view! { <super::integrations::Integrations slug=project.slug.clone()/> })}
        {is_owner.then(|| view! { <OwnerZone project=project.clone()/> })}
    }
}

/// Rename, archive and delete: owners only.
#[component]
fn OwnerZone(project: ProjectInfo) -> impl IntoView {
    let rename = ServerAction::<RenameProject>::new();
    let archive = ServerAction::<ArchiveProject>::new();
    let delete = ServerAction::<DeleteProject>::new();
    let rename_error = field_error(rename.value(), "name");
    let rename_other = form_error(rename.value(), &["name"]);
    let confirm_error = field_error(delete.value(), "confirm_name");
    let delete_other = form_error(delete.value(), &["confirm_name"]);
    let archive_error = form_error(archive.value(), &[]);
    // After a rename or (un)archive the page reloads the project, so everything shows it.
    Effect::new(move |_| {
        let done = rename.value().with(|v| matches!(v, Some(Ok(_))))
            || archive.value().with(|v| matches!(v, Some(Ok(_))));
        if done {
            let _ = window().location().reload();
        }
    });
    let (slug1, slug2, slug3) = (
        project.slug.clone(),
        project.slug.clone(),
        project.slug.clone(),
    );
    let name = project.name.clone();
    let confirm_label = format!(
        "Delete this project and everything in it. Type its name, “{}”, to confirm.",
        project.name
    );
    let archived = project.archived;
    view! {
        <section class="card danger-zone" aria-labelledby="owner-heading">
            <h2 id="owner-heading">"Owner actions"</h2>
            <ActionForm action=rename attr:class="inline-form">
                <FormError message=rename_other/>
                <input type="hidden" name="slug" value=slug1/>
                <label for="rename-name">"Project name"</label>
                <div class="field-row">
                    <input id="rename-name" name="name" type="text" maxlength="80" value=name
                        aria-describedby="rename-error" required/>
                    <button type="submit" class="button">"Rename"</button>
                </div>
                <FieldError id="rename-error" message=rename_error/>
            </ActionForm>
            <ActionForm action=archive attr:class="inline-form">
                <FormError message=archive_error/>
                <input type="hidden" name="slug" value=slug2/>
                <input type="hidden" name="archived" value=(!archived).to_string()/>
                <button type="submit" class="button">
                    {if archived { "Unarchive project" } else { "Archive project" }}
                </button>
                <span class="muted">" Archived projects stay readable but cannot be changed."</span>
            </ActionForm>
            <ActionForm action=delete attr:class="inline-form">
                <FormError message=delete_other/>
                <input type="hidden" name="slug" value=slug3/>
                <label for="confirm-name">{confirm_label}</label>
                <div class="field-row">
                    <input id="confirm-name" name="confirm_name" type="text" autocomplete="off"
                        aria-describedby="confirm-error" required/>
                    <button type="submit" class="button danger">"Delete project"</button>
                </div>
                <FieldError id="confirm-error" message=confirm_error/>
            </ActionForm>
        </section>
    }
}
