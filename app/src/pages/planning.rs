//! The scrum master's planning session: the increment's capacity from the team's velocity
//! (or a typed one when there is no history), and items moved between the backlog and the
//! increment by drag and drop or with the keyboard, with the committed points against the
//! capacity.

use super::project::{project_resource, use_slug};
use super::sprints::{per_day, StateBadge};
use crate::components::data::{latest, Pending};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::focus::FocusAfterReload;
use crate::domain::IncrementState;
use crate::domain::Permission;
use crate::error::AppError;
use crate::model::items::Item;
use crate::model::sprints::Planning;
use crate::server_fns::sprints::{commit_items, get_planning};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PlanningPage() -> impl IntoView {
    let slug = use_slug();
    let query = use_query_map();
    let increment =
        Memo::new(move |_| query.with(|q| q.get("increment").and_then(|v| v.parse::<i64>().ok())));
    let velocity = Memo::new(move |_| query.with(|q| q.get("velocity").filter(|v| !v.is_empty())));
    let project = project_resource();
    // Bumped to read the plan again after our own moves; each reading carries the number it
    // was started at, so the moves it already holds are known (see `Pending`).
    let changed = RwSignal::new(0u32);
    let live = crate::components::live::Live::get();
    let planning = crate::components::data::data(
        move || {
            (
                slug.get(),
                increment.get(),
                velocity.get(),
                changed.get(),
                live.tick.get(),
            )
        },
        |(slug, increment, velocity, read, _)| async move {
            (read, get_planning(slug, increment, velocity).await)
        },
    );
    // Drawn from the plan as last read, so a move made while a newer reading is on its way
    // shows at once (see `latest`).
    let last = latest(planning);
    let message = RwSignal::new(None::<String>);
    let focus = FocusAfterReload::new();
    // Items move between the lists at once: the page is drawn from the plan with our moves
    // made on it (the points committed follow), and the moves are then sent; the live
    // stream's reloads wait meanwhile. A move stays drawn until the plan is read again after
    // its answer; a refused one goes back, and the page says why. The plan is read again once
    // no move is out: a reading after an earlier answer would show the server's plan without
    // the later moves.
    let moves = Pending::<Move>::new();
    // The item being dragged: the page's, as the view is drawn again while a drag goes on
    // (when a reload lands), and the drop must still know what was picked up.
    let dragged = RwSignal::new(None::<(i32, bool)>);
    let mover = Action::new(
        move |(increment, numbers, commit): &(i64, Vec<i32>, bool)| {
            let slug = slug.get_untracked();
            let (increment, numbers, commit) = (*increment, numbers.clone(), *commit);
            let read = last.try_get_untracked().flatten().map(|(read, _)| read);
            let change = Move {
                increment,
                numbers: numbers.clone(),
                commit,
            };
            let id = moves.start(change, read);
            let held = crate::components::live::Held::start();
            async move {
                let result = commit_items(slug, increment, numbers, commit).await;
                drop(held);
                // Handled here, once per answer (the action's value keeps only the last).
                if let Err(e) = &result {
                    message.try_set(Some(format!("Not moved: {e}")));
                } else {
                    message.try_set(None);
                }
                moves.answered(id, result.is_err(), changed);
            }
        },
    );
    view! {
        <Title text="Planning"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the plan…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || {
                let sent = moves.get();
                let known = last.get();
                Suspend::new(async move {
                    let project = project.await?;
                    let (read, plan) = match known {
                        Some(known) => known,
                        None => planning.await,
                    };
                    let mut plan = plan?;
                    for m in Pending::unheld(&sent, read) {
                        m.make(&mut plan);
                    }
                    let can_plan = project.role.allows(Permission::Plan)
                        && !project.archived
                        && plan.increment.state != IncrementState::Closed;
                    Ok::<_, AppError>(view! {
                                <PlanView plan slug=project.slug.clone() can_plan mover message focus dragged/>
                            })
                        })
                        }}
            </ErrorBoundary>
        </Transition>
    }
}

/// Points for people: whole when they are ("10"), else one decimal ("9.6"); never "-0".
fn points(x: f64) -> String {
    let x = if x.abs() < 0.05 { 0.0 } else { x };
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round() as i64)
    } else {
        crate::words::decimal(x, 1)
    }
}

/// Commits items to an increment (or takes them out of it); what the answer means is
/// handled where it is sent.
type Mover = Action<(i64, Vec<i32>, bool), ()>;

/// Items committed to an increment, or taken out of it.
#[derive(Clone, Debug, PartialEq)]
struct Move {
    increment: i64,
    numbers: Vec<i32>,
    commit: bool,
}

impl Move {
    /// Makes the move on the plan as read (of its increment; made again, it changes nothing).
    fn make(&self, plan: &mut Planning) {
        if plan.increment.id != self.increment {
            return;
        }
        let order = std::mem::take(&mut plan.order);
        let (from, to) = if self.commit {
            (&mut plan.candidates, &mut plan.committed)
        } else {
            (&mut plan.committed, &mut plan.candidates)
        };
        let (moving, staying) = std::mem::take(from)
            .into_iter()
            .partition(|i| self.numbers.contains(&i.number));
        *from = staying;
        to.extend::<Vec<Item>>(moving);
        // In rank order, as the server will list them (unknown numbers last).
        to.sort_by_key(|i| {
            order
                .iter()
                .position(|n| *n == i.number)
                .unwrap_or(usize::MAX)
        });
        plan.order = order;
    }
}

#[component]
fn PlanView(
    plan: Planning,
    slug: String,
    can_plan: bool,
    mover: Mover,
    message: RwSignal<Option<String>>,
    focus: FocusAfterReload,
    dragged: RwSignal<Option<(i32, bool)>>,
) -> impl IntoView {
    focus.on_render();
    let inc = plan.increment.clone();
    let id = inc.id;
    let committed_points: u32 = plan
        .committed
        .iter()
        .map(|i| u32::from(i.estimate.unwrap_or(0)))
        .sum();
    let velocity_text = match (&plan.team, plan.typed) {
        (_, true) => format!(
            "Using the velocity you typed: {} points per business day.",
            per_day(plan.velocity)
        ),
        (Some(t), false) => format!(
            "Team velocity: {} points per business day, the average of {} (slowest {}, fastest {}).",
            per_day(Some(t.average)),
            crate::words::last(t.increments as u32, "closed increment", "closed increments"),
            per_day(Some(t.slowest)),
            per_day(Some(t.fastest))
        ),
        (None, false) => "No closed increments yet, so there is no team velocity to go by: type the velocity you expect below.".to_owned(),
    };
    let capacity_text = plan.capacity.map(|c| {
        let range = match (plan.capacity_low, plan.capacity_high) {
            (Some(lo), Some(hi)) => {
                format!(
                    " (from {} to {} at the slowest and fastest pace)",
                    crate::words::decimal(lo, 0),
                    crate::words::decimal(hi, 0)
                )
            }
            _ => String::new(),
        };
        format!(
            "Capacity: {} points = {} points per day × {}{range}.",
            points(c),
            per_day(plan.velocity),
            crate::words::count(inc.business_days, "business day", "business days")
        )
    });
    let load = plan.capacity.map(|c| {
        let over = f64::from(committed_points) - c;
        let percent = if c > 0.0 { (f64::from(committed_points) / c * 100.0).min(100.0) } else { 100.0 };
        let (class, text) = if over > 0.0 {
            ("load over", format!("Over capacity by {} points: {committed_points} committed against {}.", points(over), points(c)))
        } else {
            ("load", format!("{committed_points} of {} points committed ({} left).", points(c), points(-over)))
        };
        view! {
            <div class=class>
                <div class="progress" aria-hidden="true"><span style=format!("width: {}%", crate::words::decimal(percent, 0))></span></div>
                <p role="status" id="plan-load">{text}</p>
            </div>
        }
    });
    let chooser = plan
        .plannable
        .iter()
        .map(|i| view! { <option value=i.id selected=i.id == id>{format!("{} ({})", i.label(), i.dates())}</option> })
        .collect_view();
    let typed_value = if plan.typed {
        plan.velocity.map(|v| format!("{v}"))
    } else {
        None
    };
    let commit = move |numbers: Vec<i32>, into: bool, focus_ids: Vec<String>| {
        focus.request(focus_ids);
        mover.dispatch((id, numbers, into));
    };
    let slug_for_list = slug.clone();
    let list = move |items: Vec<Item>, committed: bool| {
        let numbers: Vec<i32> = items.iter().map(|i| i.number).collect();
        items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let n = item.number;
                let (verb, arrow, prefix) = if committed {
                    ("Take out", "←", "out")
                } else {
                    ("Commit", "→", "in")
                };
                // Focus stays in the same list: on the next item, else the previous one.
                let neighbours: Vec<String> = numbers
                    .get(index + 1)
                    .into_iter()
                    .chain(index.checked_sub(1).and_then(|i| numbers.get(i)))
                    .map(|m| format!("{prefix}-{m}"))
                    .chain(std::iter::once(format!("list-{prefix}")))
                    .collect();
                let button = can_plan.then(|| view! {
                    <button type="button" class="button small needs-js" id=format!("{prefix}-{n}")
                        aria-label=format!("{verb} #{n} {}", item.title)
                        on:click=move |_| commit(vec![n], !committed, neighbours.clone())>
                        {if committed { format!("{arrow} {verb}") } else { format!("{verb} {arrow}") }}
                    </button>
                });
                view! {
                    <li class="plan-item" data-number=n draggable=if can_plan { "true" } else { "false" }
                        on:dragstart=move |_| dragged.set(Some((n, committed)))>
                        <span class="number">{format!("#{n}")}</span>
                        <a href=format!("/p/{slug_for_list}/items/{n}") class="title">{item.title.clone()}</a>
                        <span class="estimate">{item.estimate_label.clone().unwrap_or_else(|| "not estimated".into())}</span>
                        {item.assignee.clone().map(|a| view! { <span class="avatar" title=a.display_name>{a.initials}</span> })}
                        {button}
                    </li>
                }
            })
            .collect_view()
    };
    // The list a dragged item is over: where it will land.
    let over = RwSignal::new(None::<bool>);
    let drop_into = move |committed: bool| {
        move |ev: leptos::ev::DragEvent| {
            ev.prevent_default();
            over.set(None);
            if let Some((n, from_committed)) = dragged.get_untracked() {
                dragged.set(None);
                if from_committed != committed {
                    commit(
                        vec![n],
                        committed,
                        vec![format!("list-{}", if committed { "out" } else { "in" })],
                    );
                }
            }
        }
    };
    let candidates_count = plan.candidates.len();
    view! {
        <header class="page-header">
            <h1>"Planning " {inc.label()} " " <StateBadge state=inc.state/></h1>
            <crate::components::live::Presence/>
            <p><a href=format!("/p/{slug}/poker?increment={id}") class="button small">"Estimate together: planning poker"</a></p>
            {(!plan.poker.is_empty()).then(|| view! {
                <ul class="poker-kept" data-testid="poker-kept" aria-label="Planning poker sessions">
                    {plan.poker.iter().map(|s| view! {
                        <li>{format!("Planning poker {} by {}: {}", s.started_at.format("%Y-%m-%d"),
                            s.started_by.clone().unwrap_or_else(|| "someone".into()), s.summary.line())}</li>
                    }).collect_view()}
                </ul>
            })}
            <p class="muted">{format!("{} · {}", inc.dates(), crate::words::count(inc.business_days, "business day", "business days"))}</p>
            <form method="get" class="filters" aria-label="Choose the increment">
                <label for="plan-increment">"Increment"</label>
                <select id="plan-increment" name="increment">{chooser}</select>
                <button type="submit" class="button small">"Show"</button>
            </form>
        </header>
        <section class="card capacity" aria-labelledby="capacity-heading">
            <h2 id="capacity-heading">"Capacity"</h2>
            <p id="plan-velocity">{velocity_text}</p>
            {capacity_text.map(|t| view! { <p id="plan-capacity">{t}</p> })}
            {load}
            <form method="get" class="filters" aria-label="Velocity">
                <input type="hidden" name="increment" value=id/>
                <label for="plan-velocity-input">"Velocity to plan with (points per business day)"</label>
                <input id="plan-velocity-input" name="velocity" inputmode="decimal" size="6"
                    value=typed_value placeholder=plan.team.map(|t| crate::words::decimal(t.average, 1))/>
                <button type="submit" class="button small">"Use it"</button>
            </form>
        </section>
        <p class="form-error" role="alert">{move || message.get()}</p>
        // A drag given up (Escape) ends where it began: no list is a target any more.
        <div class="plan-columns" on:dragend=move |_| over.set(None)>
            <section aria-labelledby="list-in-heading" class="plan-column">
                <h2 id="list-in-heading">"Backlog"</h2>
                <p class="muted">{format!("{} in no increment{}", crate::words::count(candidates_count as u32, "open item", "open items"), if plan.more_candidates { ", the first 100 shown" } else { "" })}</p>
                <ul class="plan-list" id="list-in" tabindex="-1" aria-labelledby="list-in-heading"
                    class:drop-target=move || over.get() == Some(false)
                    on:dragenter=move |_| over.set(Some(false))
                    on:dragover=move |ev| ev.prevent_default() on:drop=drop_into(false)>
                    {list(plan.candidates.clone(), false)}
                </ul>
            </section>
            <section aria-labelledby="list-out-heading" class="plan-column">
                <h2 id="list-out-heading">{format!("In {} · {}", inc.label(), crate::words::count(committed_points, "point", "points"))}</h2>
                <ul class="plan-list committed" id="list-out" tabindex="-1" aria-labelledby="list-out-heading"
                    class:drop-target=move || over.get() == Some(true)
                    on:dragenter=move |_| over.set(Some(true))
                    on:dragover=move |ev| ev.prevent_default() on:drop=drop_into(true)>
                    {list(plan.committed.clone(), true)}
                </ul>
                {plan.committed.is_empty().then(|| view! { <p class="empty">"Nothing committed yet: drag items here, or use their Commit buttons."</p> })}
                <p><a href=format!("/p/{slug}/increments/{id}")>"Go to the increment to start it"</a></p>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::points;

    #[test]
    fn points_read_naturally() {
        assert_eq!(points(10.0), "10");
        assert_eq!(points(-0.0), "0");
        assert_eq!(points(0.4), "0.4");
        assert_eq!(points(9.6), "9.6");
        assert_eq!(points(199.98), "200");
    }
}
