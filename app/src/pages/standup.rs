//! The daily stand-up: each member's previous business day (from the history), their
//! items in progress, their blockers and their note; call-outs for unowned work and long
//! blocks; and a run mode for the scrum master with a 15-minute time box and a timer per
//! person that walks the team.

use super::project::{project_resource, use_slug};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::form_error;
use crate::domain::ItemState;
use crate::error::AppError;
use crate::model::items::Item;
use crate::model::sprints::Board;
use crate::model::standup::{Standup, StandupItem, StandupPerson};
use crate::server_fns::sprints::get_board;
use crate::server_fns::standup::{get_standup, SaveNote};
use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The meeting's time box.
const TIME_BOX_SECONDS: u32 = 15 * 60;

#[component]
pub fn StandupPage() -> impl IntoView {
    let slug = use_slug();
    let query = use_query_map();
    let date = Memo::new(move |_| query.with(|q| q.get("date").filter(|d| !d.is_empty())));
    let save = ServerAction::<SaveNote>::new();
    // Read again after every change, ours or (through the live stream) anyone's.
    let live = crate::components::live::Live::get();
    // Read with the page so the browser follows the project's changes from then on.
    let project = project_resource();
    let standup = crate::components::data::data(
        move || {
            (
                slug.get(),
                date.get(),
                save.version().get(),
                live.tick.get(),
            )
        },
        |(slug, date, ..)| get_standup(slug, date),
    );
    // The current increment's board, which run mode filters to the person speaking.
    let board = crate::components::data::data(
        move || (slug.get(), live.tick.get()),
        |(slug, _)| get_board(slug, None),
    );
    view! {
        <Title text="Stand-up"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the stand-up…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                // Read now, not after the awaits: by then the page may be gone (navigated
                // away while its data came), and a gone page's signals cannot be read.
                {move || {
                    let slug = slug.get_untracked();
                    Suspend::new(async move {
                        project.await?;
                        let standup = standup.await?;
                        let board = board.await?;
                        Ok::<_, AppError>(view! { <StandupView standup board slug save/> })
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

fn day_text(d: NaiveDate) -> String {
    d.format("%A %b %-d, %Y").to_string()
}

#[component]
fn StandupView(
    standup: Standup,
    board: Board,
    slug: String,
    save: ServerAction<SaveNote>,
) -> impl IntoView {
    let date = standup.date;
    let link = |d: NaiveDate| format!("/p/{slug}/standup?date={d}");
    let (earlier, later) = (
        link(date - Duration::days(1)),
        link(date + Duration::days(1)),
    );
    let yesterday = standup.previous_business_day.map_or_else(
        || "There is no business day before this one.".to_owned(),
        |d| format!("“Yesterday” is the previous business day: {}.", day_text(d)),
    );
    let people = standup.people.clone();
    let speaker = RwSignal::new(None::<usize>);
    let callouts =
        (!standup.unassigned_doing.is_empty() || !standup.long_blocked.is_empty()).then(|| {
            view! {
                <section class="card callouts" aria-labelledby="callouts-heading">
                    <h2 id="callouts-heading">"Worth raising"</h2>
                    {(!standup.unassigned_doing.is_empty()).then(|| view! {
                        <h3>"In progress with nobody on it"</h3>
                        <ItemList items=standup.unassigned_doing.clone() slug=slug.clone()/>
                    })}
                    {(!standup.long_blocked.is_empty()).then(|| view! {
                        <h3>"Blocked for more than a day"</h3>
                        <ItemList items=standup.long_blocked.clone() slug=slug.clone()/>
                    })}
                </section>
            }
        });
    let run = standup
        .can_run
        .then(|| view! { <RunMode people=people.clone() speaker board slug=slug.clone()/> });
    let sections = people
        .into_iter()
        .enumerate()
        .map(|(index, p)| {
            let hidden = move || speaker.get().is_some_and(|s| s != index);
            view! {
                <div class:hidden-person=hidden>
                    <PersonSection p slug=slug.clone() date can_note=standup.can_note save speaking=move || speaker.get() == Some(index)/>
                </div>
            }
        })
        .collect_view();
    view! {
        <header class="page-header">
            <h1>"Stand-up · " {day_text(date)}</h1>
            <p class="muted">{yesterday}
                {match (standup.as_of.is_some(), standup.is_today) {
                    (true, _) => " In progress and blocked show the board as it was at the end of that day.",
                    (false, false) => " In progress and blocked show the board as it is now.",
                    (false, true) => "",
                }}</p>
            <nav class="filters" aria-label="Days">
                <a class="button small" href=earlier>"← Day before"</a>
                <form method="get" class="filters">
                    <label for="standup-date" class="visually-hidden">"Date"</label>
                    <input id="standup-date" type="date" name="date" value=date.to_string()/>
                    <button type="submit" class="button small">"Go"</button>
                </form>
                <a class="button small" href=later>"Day after →"</a>
            </nav>
        </header>
        {run}
        {callouts}
        {sections}
    }
}

/// " (for 5 h)", " (for 3 days)": how long an item has been blocked, from the hours the
/// server counted.
fn blocked_for(hours: i64) -> String {
    match hours {
        h if h >= 48 => format!(" (for {} days)", h / 24),
        1 => " (for 1 h)".to_owned(),
        h if h >= 2 => format!(" (for {h} h)"),
        _ => " (for under an hour)".to_owned(),
    }
}

#[component]
fn ItemList(items: Vec<StandupItem>, slug: String) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"Nothing."</p> }.into_any();
    }
    view! {
        <ul class="standup-items">
            {items.into_iter().map(|i| {
                let thread = format!("/p/{slug}/items/{}#comments", i.number);
                let blocked = i.blocked_reason.clone().map(|r| {
                    let since = i.blocked_hours.map(blocked_for).unwrap_or_default();
                    view! {
                        <span class="blocked-marker"><span class="badge blocked">"Blocked"</span>" "{r}{since}</span>
                        " " <a class="small" href=thread>"Discuss"</a>
                    }
                });
                view! {
                    <li data-number=i.number>
                        <a href=format!("/p/{slug}/items/{}", i.number)>{format!("#{} {}", i.number, i.title)}</a>
                        {i.estimate_label.map(|l| view! { " " <span class="muted">{l}</span> })}
                        " " {blocked}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn PersonSection(
    p: StandupPerson,
    slug: String,
    date: NaiveDate,
    can_note: bool,
    save: ServerAction<SaveNote>,
    speaking: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let heading = format!("person-{}", p.person.initials);
    let email = p.person.email.clone();
    let board_href = format!(
        "/p/{slug}/board?assignee={}",
        crate::words::urlencode(&email)
    );
    let yesterday = if p.yesterday.is_empty() {
        view! { <p class="muted">"No changes recorded."</p> }.into_any()
    } else {
        view! {
            <ul class="standup-items">
                {p.yesterday.iter().map(|w| view! {
                    <li data-number=w.number>
                        <a href=format!("/p/{slug}/items/{}", w.number)>{format!("#{} {}", w.number, w.title)}</a>
                        {if w.finished {
                            view! { " " <span class="badge done-badge">"Done"</span> }.into_any()
                        } else {
                            view! { " " <span class="muted">{work_words(&w.fields)}</span> }.into_any()
                        }}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let note = p.note.clone();
    let note_view = if p.me && can_note {
        let error = form_error(save.value(), &[]);
        let (y, t, b) = note
            .as_ref()
            .map(|n| (n.yesterday.clone(), n.today.clone(), n.blockers.clone()))
            .unwrap_or_default();
        let slug = slug.clone();
        view! {
            <ActionForm action=save attr:class="stacked-form note-form">
                <h3>"My note for the day"</h3>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="date" value=date.to_string()/>
                <label for="note-yesterday">"Yesterday"</label>
                <input id="note-yesterday" type="text" name="yesterday" maxlength="1000" value=y/>
                <label for="note-today">"Today"</label>
                <input id="note-today" type="text" name="today" maxlength="1000" value=t/>
                <label for="note-blockers">"Blockers"</label>
                <input id="note-blockers" type="text" name="blockers" maxlength="1000" value=b/>
                <p class="form-error" role="alert">{error}</p>
                <button type="submit" class="button small primary">"Save note"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        match note {
            Some(n) => view! {
                <div class="note" data-testid="note">
                    <h3>"Note"</h3>
                    <p><strong>"Yesterday: "</strong>{n.yesterday}</p>
                    <p><strong>"Today: "</strong>{n.today}</p>
                    <p><strong>"Blockers: "</strong>{n.blockers}</p>
                </div>
            }
            .into_any(),
            None => view! { <p class="muted">"No note for this day."</p> }.into_any(),
        }
    };
    view! {
        <section class="card standup-person" class:speaking=speaking aria-labelledby=heading data-email=email.clone()>
            <h2 id=heading.clone()>
                <span class="avatar" aria-hidden="true">{p.person.initials.clone()}</span>" "
                {p.person.display_name.clone()}" "<span class="muted">{p.role.label()}</span>
            </h2>
            <div class="standup-columns">
                <div><h3>"Yesterday"</h3>{yesterday}</div>
                <div><h3>"Today (doing)"</h3><ItemList items=p.today.clone() slug=slug.clone()/></div>
                <div><h3>"Blockers"</h3><ItemList items=p.blockers.clone() slug=slug.clone()/></div>
            </div>
            {note_view}
            <p><a href=board_href>{format!("{}'s board", p.person.display_name)}</a></p>
        </section>
    }
}

/// "created it", "changed state, estimate", "created it; changed state".
fn work_words(fields: &[String]) -> String {
    let created = fields.iter().any(|f| f == "created");
    let changed: Vec<&str> = fields
        .iter()
        .map(String::as_str)
        .filter(|f| *f != "created")
        .collect();
    match (created, changed.is_empty()) {
        (true, true) => "created it".to_owned(),
        (true, false) => format!("created it; changed {}", changed.join(", ")),
        (false, _) => format!("changed {}", changed.join(", ")),
    }
}

fn clock(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The scrum master's run mode: the whole meeting is time-boxed to 15 minutes, shared
/// evenly; the timer moves to the next person when their share is up (or on "Next"), and
/// only the person speaking is shown.
#[component]
fn RunMode(
    people: Vec<StandupPerson>,
    speaker: RwSignal<Option<usize>>,
    board: Board,
    slug: String,
) -> impl IntoView {
    let count = people.len().max(1) as u32;
    let emails = StoredValue::new(
        people
            .iter()
            .map(|p| p.person.email.clone())
            .collect::<Vec<_>>(),
    );
    let label = board.increment.as_ref().map(|i| i.label());
    let cards = StoredValue::new(board.items);
    // The board of the increment, filtered to the person speaking.
    let their_board = move || {
        let label = label.clone()?;
        let email = speaker
            .get()
            .and_then(|i| emails.with_value(|e| e.get(i).cloned()))?;
        let slug = slug.clone();
        let columns = [ItemState::Todo, ItemState::Doing, ItemState::Done].map(|state| {
            let mine: Vec<Item> = cards.with_value(|all| {
                all.iter()
                    .filter(|i| i.state == state)
                    .filter(|i| i.assignee.as_ref().is_some_and(|a| a.email == email))
                    .cloned()
                    .collect()
            });
            let title = match state {
                ItemState::Todo => "To Do",
                ItemState::Doing => "Doing",
                ItemState::Done => "Done",
            };
            let slug = slug.clone();
            view! {
                <section class="column" data-column=state.as_str()>
                    <h3>{format!("{title} · {}", mine.len())}</h3>
                    <ul class="cards">
                        {mine.into_iter().map(|i| view! {
                            <li class="board-card">
                                <a href=format!("/p/{slug}/items/{}", i.number)>{format!("#{} {}", i.number, i.title)}</a>
                                {i.blocked.then(|| view! { <span class="badge blocked">"Blocked"</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        });
        Some(view! {
            <h3>{format!("Their board in {label}")}</h3>
            <div class="board mini-board" data-testid="speaker-board">{columns.into_iter().collect_view()}</div>
        })
    };
    let share = TIME_BOX_SECONDS / count;
    let elapsed = RwSignal::new(0u32);
    let spoken = RwSignal::new(0u32);
    let names: Vec<String> = people
        .iter()
        .map(|p| p.person.display_name.clone())
        .collect();
    let names = StoredValue::new(names);
    let ticking = RwSignal::new(None::<IntervalHandle>);
    let next = move || {
        spoken.set(0);
        speaker.update(|s| {
            *s = match *s {
                Some(i) if (i as u32) + 1 < count => Some(i + 1),
                _ => None,
            }
        });
        if speaker.get_untracked().is_none() {
            if let Some(h) = ticking.get_untracked() {
                h.clear();
            }
            ticking.set(None);
        }
    };
    let start = move |_| {
        elapsed.set(0);
        spoken.set(0);
        speaker.set(Some(0));
        if let Ok(handle) = set_interval_with_handle(
            move || {
                // A tick that comes after the page is gone (its interval is cleared as the
                // page goes, but a tick may already be queued) does nothing.
                if elapsed.try_update(|e| *e += 1).is_none() {
                    return;
                }
                spoken.update(|s| *s += 1);
                if spoken.get_untracked() >= share {
                    next();
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            ticking.set(Some(handle));
        }
    };
    // Leaving the page while the stand-up runs stops its clock.
    on_cleanup(move || {
        if let Some(Some(h)) = ticking.try_get_untracked() {
            h.clear();
        }
    });
    let stop = move |_| {
        if let Some(h) = ticking.get_untracked() {
            h.clear();
        }
        ticking.set(None);
        speaker.set(None);
    };
    let current = move || {
        speaker
            .get()
            .and_then(|i| names.with_value(|n| n.get(i).cloned()))
    };
    view! {
        <section class="card run-mode needs-js" aria-labelledby="run-heading">
            <h2 id="run-heading">"Run the stand-up"</h2>
            {move || match current() {
                None => view! {
                    <p class="muted">{format!("15 minutes for {count} {}: {} each. Only the person speaking is shown.", if count == 1 { "person" } else { "people" }, clock(share))}</p>
                    <button type="button" class="button primary" on:click=start>"Start the 15-minute stand-up"</button>
                }.into_any(),
                Some(name) => view! {
                    <p class="timer" role="timer" aria-live="off">
                        <strong>{format!("{name} is speaking")}</strong>
                        " · " <span data-testid="speaker-time">{move || clock(share.saturating_sub(spoken.get()))}</span>" left for them"
                        " · " <span data-testid="meeting-time">{move || clock(TIME_BOX_SECONDS.saturating_sub(elapsed.get()))}</span>" left in the meeting"
                    </p>
                    <button type="button" class="button" on:click=move |_| next()>"Next person"</button>
                    " "
                    <button type="button" class="button" on:click=stop>"End the stand-up"</button>
                }.into_any(),
            }}
            {their_board}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{clock, work_words};

    #[test]
    fn work_reads_as_words() {
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(work_words(&f(&["created"])), "created it");
        assert_eq!(
            work_words(&f(&["state", "blocked"])),
            "changed state, blocked"
        );
        assert_eq!(
            work_words(&f(&["created", "state"])),
            "created it; changed state"
        );
    }

    #[test]
    fn the_clock_shows_minutes_and_seconds() {
        assert_eq!(clock(900), "15:00");
        assert_eq!(clock(65), "1:05");
        assert_eq!(clock(0), "0:00");
    }
}
