//! The task board of an increment: To Do, Doing and Done, cards moved by drag and drop or
//! with the keyboard (each move is an item edit, so it keeps the version check and writes
//! history), filtered by person or grouped by person, with column totals.

use super::project::{project_resource, use_slug};
use super::sprints::StateBadge;
use crate::components::data::{latest, Pending, Sent};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::focus::FocusAfterReload;
use crate::components::forms::posted_error;
use crate::domain::IncrementState;
use crate::domain::{ItemState, Permission};
use crate::error::AppError;
use crate::model::items::{Item, ItemPatch};
use crate::model::projects::Member;
use crate::model::sprints::Board;
use crate::server_fns::items::{update_item, SetStateForm};
use crate::server_fns::projects::list_members;
use crate::server_fns::sprints::get_board;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const COLUMNS: [ItemState; 3] = [ItemState::Todo, ItemState::Doing, ItemState::Done];

fn column_title(state: ItemState) -> &'static str {
    match state {
        ItemState::Todo => "To Do",
        ItemState::Doing => "Doing",
        ItemState::Done => "Done",
    }
}

/// The person filter from the URL: everyone, nobody, or one member by email.
#[derive(Debug, Clone, PartialEq)]
enum Who {
    Everyone,
    Nobody,
    Member(String),
}

impl Who {
    fn matches(&self, item: &Item) -> bool {
        match self {
            Who::Everyone => true,
            Who::Nobody => item.assignee.is_none(),
            Who::Member(email) => item
                .assignee
                .as_ref()
                .is_some_and(|a| a.email.eq_ignore_ascii_case(email)),
        }
    }
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let slug = use_slug();
    let query = use_query_map();
    let increment =
        Memo::new(move |_| query.with(|q| q.get("increment").and_then(|v| v.parse::<i64>().ok())));
    let who = Memo::new(move |_| {
        query.with(
            |q| match q.get("assignee").filter(|v| !v.is_empty()).as_deref() {
                None => Who::Everyone,
                Some("none") => Who::Nobody,
                Some(email) => Who::Member(email.to_owned()),
            },
        )
    });
    let grouped = Memo::new(move |_| query.with(|q| q.get("group").as_deref() == Some("person")));
    let project = project_resource();
    let members = crate::components::data::data(move || slug.get(), list_members);
    let changed = RwSignal::new(0u32);
    // Read again after every change, ours or (through the live stream) anyone's.
    let live = crate::components::live::Live::get();
    // Each reading carries the number it was started at (`changed`): the moves it already
    // holds are known (see `Pending`).
    let board = crate::components::data::data(
        move || (slug.get(), increment.get(), changed.get(), live.tick.get()),
        |(slug, increment, read, _)| async move { (read, get_board(slug, increment).await) },
    );
    // Drawn from the board as last read, so a move made while a newer reading is on its way
    // shows at once (see `latest`).
    let last = latest(board);
    // A plain form post (JavaScript off) comes back with its error in the URL.
    let message = RwSignal::new(posted_error(&[SetStateForm::PATH]));
    let focus = FocusAfterReload::new();
    // A card moves at once (the board is drawn from its data with our moves made on it, so
    // focus follows the card) and is then sent; the live stream's reloads wait meanwhile. A
    // move stays drawn until the board is read again after its answer (once no move is out);
    // a refused one goes back, and the page says why.
    let moves = Pending::<(i32, ItemState)>::new();
    // The card being dragged: the page's, as the board is drawn again while a drag goes on
    // (when a reload lands), and the drop must still know what was picked up.
    let dragged = RwSignal::new(None::<(i32, i32)>);
    // Moves go one after another, each with the newest version known of its card: the one
    // shown, or the one the previous move's answer gave (`→ →` pressed quickly sends the
    // second before the board is read again, and the version shown is the first's).
    let known = StoredValue::new(std::sync::Arc::new(futures_util::lock::Mutex::new(Vec::<(
        i32,
        i32,
    )>::new(
    ))));
    let mover = Action::new(move |(n, version, state): &(i32, i32, ItemState)| {
        let slug = slug.get_untracked();
        let mut patch = ItemPatch {
            version: *version,
            state: Some(state.as_str().to_owned()),
            ..ItemPatch::default()
        };
        let (n, to) = (*n, *state);
        let known = known.get_value();
        // The column it leaves, as the board shows it now (the toast's Undo puts it back).
        let read = last.try_get_untracked().flatten();
        let number = read.as_ref().map(|(number, _)| *number);
        let from = read.and_then(|(number, board)| {
            let shown = as_shown(board.ok()?, &moves.sent_untracked(), number);
            shown.items.iter().find(|i| i.number == n).map(|i| i.state)
        });
        let id = moves.start((n, to), number);
        let held = crate::components::live::Held::start();
        async move {
            let mut known = known.lock().await;
            if let Some((_, v)) = known.iter().find(|(k, _)| *k == n) {
                patch.version = patch.version.max(*v);
            }
            let result = update_item(slug.clone(), n, patch).await;
            if let Ok(item) = &result {
                known.retain(|(k, _)| *k != n);
                known.push((n, item.version));
            }
            drop(known);
            drop(held);
            // Handled here, once per answer (the action's value keeps only the last).
            match &result {
                Ok(_) => {
                    message.try_set(None);
                    moved_toast(slug, n, to, from, changed);
                }
                Err(e) => {
                    message.try_set(Some(format!("#{n} was not moved: {e}")));
                }
            }
            // Read again either way, once no move is out: after a conflict the board shows
            // the other person's change.
            moves.answered(id, result.is_err(), changed);
        }
    });
    view! {
        <Title text="Board"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the board…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || {
                let sent = moves.get();
                let known = last.get();
                Suspend::new(async move {
                    let project = project.await?;
                    let members = members.await?;
                    let (read, board) = match known {
                        Some(known) => known,
                        None => board.await,
                    };
                    let board = as_shown(board?, &sent, read);
                    // Cards move only while the increment runs: a closed one is history, and a
                    // planned one (between increments, or planned ahead) shows what is
                    // committed to it, carried-over work included, until it starts.
                    let can_move = project.role.allows(Permission::Contribute)
                        && !project.archived
                        && board.increment.as_ref().is_some_and(|i| i.state == IncrementState::Active);
                    Ok::<_, AppError>(view! {
                        <BoardView board members slug=project.slug.clone() who=who.get() grouped=grouped.get()
                                                    can_move mover message focus dragged/>
                                            })
                                        })
                                        }}
            </ErrorBoundary>
        </Transition>
        <super::lazy::Peek/>
    }
}

/// The board as read under number `read`, with the moves sent that it does not hold yet
/// made on it (see `Pending`).
fn as_shown(mut board: Board, sent: &[Sent<(i32, ItemState)>], read: u32) -> Board {
    for (n, to) in Pending::unheld(sent, read) {
        if let Some(card) = board.items.iter_mut().find(|i| i.number == *n) {
            card.state = *to;
        }
    }
    board
}

/// A move the server made is said in a toast whose Undo puts the card back in `from`, the
/// column it was shown in before.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn moved_toast(
    slug: String,
    n: i32,
    to: ItemState,
    from: Option<ItemState>,
    changed: RwSignal<u32>,
) {
    #[cfg(feature = "hydrate")]
    if let Some(from) = from.filter(|from| *from != to) {
        use super::backlog::bulk::{run, Job};
        leptos::task::spawn_local(run(Job::Column(slug, n, from, to, changed)));
    }
}

/// Moves a card (the card, its version, the column); what the answer means is handled where
/// it is sent.
type Mover = Action<(i32, i32, ItemState), ()>;

#[component]
fn BoardView(
    board: Board,
    members: Vec<Member>,
    slug: String,
    who: Who,
    grouped: bool,
    can_move: bool,
    mover: Mover,
    message: RwSignal<Option<String>>,
    focus: FocusAfterReload,
    dragged: RwSignal<Option<(i32, i32)>>,
) -> impl IntoView {
    focus.on_render();
    let Some(inc) = board.increment.clone() else {
        return view! {
            <header class="page-header"><h1>"Board"</h1><crate::components::live::Presence/></header>
            <p class="empty">"There is no increment to show: "
                <a href=format!("/p/{slug}/sprints")>"create a sprint"</a>" and plan its first increment."</p>
        }
        .into_any();
    };
    let id = inc.id;
    let items: Vec<Item> = board.items.into_iter().filter(|i| who.matches(i)).collect();
    let chooser = board
        .increments
        .iter()
        .map(|i| view! { <option value=i.id selected=i.id == id>{format!("{} ({})", i.label(), i.dates())}</option> })
        .collect_view();
    let who_value = match &who {
        Who::Everyone => String::new(),
        Who::Nobody => "none".into(),
        Who::Member(e) => e.clone(),
    };
    let people = members
        .iter()
        .map(|m| {
            let selected = who_value.eq_ignore_ascii_case(&m.email);
            view! { <option value=m.email.clone() selected=selected>{m.display_name.clone()}</option> }
        })
        .collect_view();
    let ctx = StoredValue::new(CardContext {
        slug: slug.clone(),
        can_move,
        mover,
        dragged,
        over: RwSignal::new(None),
        focus,
    });
    let lanes: Vec<(String, Vec<Item>)> = if grouped {
        let mut lanes: Vec<(String, Vec<Item>)> = members
            .iter()
            .map(|m| {
                let mine = items
                    .iter()
                    .filter(|i| i.assignee.as_ref().is_some_and(|a| a.email == m.email))
                    .cloned()
                    .collect();
                (m.display_name.clone(), mine)
            })
            .filter(|(_, mine): &(String, Vec<Item>)| !mine.is_empty())
            .collect();
        let nobody: Vec<Item> = items
            .iter()
            .filter(|i| i.assignee.is_none())
            .cloned()
            .collect();
        if !nobody.is_empty() {
            lanes.push(("Nobody".into(), nobody));
        }
        lanes
    } else {
        vec![(String::new(), items.clone())]
    };
    let totals = COLUMNS.map(|state| {
        let of: Vec<&Item> = items.iter().filter(|i| i.state == state).collect();
        (
            state,
            of.len(),
            of.iter()
                .map(|i| u32::from(i.estimate.unwrap_or(0)))
                .sum::<u32>(),
        )
    });
    let not_started = (inc.state == IncrementState::Planned).then(|| {
        view! {
            <p class="notice" data-testid="board-not-started">
                {format!("{} has not started: its board shows what is committed to it, and cards move once the scrum master starts it on the ", inc.label())}
                <a href=format!("/p/{slug}/sprints")>"sprints page"</a>"."
            </p>
        }
    });
    view! {
        <header class="page-header">
            <h1>"Board: " {inc.label()} " " <StateBadge state=inc.state/></h1>
            <crate::components::live::Presence/>
            <p class="muted">{format!("{} · {}", inc.dates(), crate::words::count(inc.business_days, "business day", "business days"))}
                " · " <a href=format!("/p/{slug}/increments/{id}")>"Report and burndown"</a></p>
            <form method="get" class="filters" aria-label="Board filters">
                <label for="board-increment">"Increment"</label>
                <select id="board-increment" name="increment">{chooser}</select>
                <label for="board-person">"Person"</label>
                <select id="board-person" name="assignee">
                    <option value="" selected=who == Who::Everyone>"Everyone"</option>
                    <option value="none" selected=who == Who::Nobody>"Nobody"</option>
                    {people}
                </select>
                <label><input type="checkbox" name="group" value="person" checked=grouped/>" Group by person"</label>
                <button type="submit" class="button small">"Show"</button>
            </form>
        </header>
        {not_started}
        <p class="form-error" role="alert">{move || message.get()}</p>
        <div class="board-totals" role="group" aria-label="Column totals">
            {totals.into_iter().map(|(state, count, points)| view! {
                <p data-column=state.as_str()>{format!("{}: {}, {}", column_title(state), crate::words::count(count as u32, "item", "items"), crate::words::count(points, "point", "points"))}</p>
            }).collect_view()}
        </div>
        {lanes.into_iter().map(|(person, lane)| view! { <Lane person lane ctx/> }).collect_view()}
        {items.is_empty().then(|| view! { <p class="empty">"No items here. Plan some on the planning page."</p> })}
    }
    .into_any()
}

#[derive(Clone)]
struct CardContext {
    slug: String,
    can_move: bool,
    mover: Mover,
    dragged: RwSignal<Option<(i32, i32)>>,
    /// The column a dragged card is over (its heading's id): where it will land.
    over: RwSignal<Option<String>>,
    focus: FocusAfterReload,
}

#[component]
fn Lane(person: String, lane: Vec<Item>, ctx: StoredValue<CardContext>) -> impl IntoView {
    let heading = (!person.is_empty()).then(|| {
        let points: u32 = lane
            .iter()
            .map(|i| u32::from(i.estimate.unwrap_or(0)))
            .sum();
        view! { <h2 class="lane-heading">{format!("{person} · {}", crate::words::count(points, "point", "points"))}</h2> }
    });
    let lane_key = person.clone();
    view! {
        <section class="lane" aria-label=if person.is_empty() { "Board".to_owned() } else { person.clone() }>
            {heading}
            // A drag given up (Escape) ends where it began: no column is a target any more.
            <div class="board" on:dragend=move |_| ctx.with_value(|c| c.over.set(None))>
                {COLUMNS.map(|state| {
                    let cards: Vec<Item> = lane.iter().filter(|i| i.state == state).cloned().collect();
                    let points: u32 = cards.iter().map(|i| u32::from(i.estimate.unwrap_or(0))).sum();
                    let heading_id = format!("col-{}-{}", state.as_str(), lane_key.replace(' ', "-"));
                    let over = ctx.with_value(|c| c.over);
                    let (here, entered) = (heading_id.clone(), heading_id.clone());
                    let drop = move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        over.set(None);
                        let (mover, dragged, focus) = ctx.with_value(|c| (c.mover, c.dragged, c.focus));
                        if let Some((n, version)) = dragged.get_untracked() {
                            dragged.set(None);
                            focus.request(vec![format!("card-{n}")]);
                            mover.dispatch((n, version, state));
                        }
                    };
                    view! {
                        <section class="column" data-column=state.as_str() aria-labelledby=heading_id.clone()
                            class:drop-target=move || over.try_with(|o| o.as_deref() == Some(here.as_str())).unwrap_or_default()
                            on:dragenter=move |_| over.set(Some(entered.clone()))
                            on:dragover=move |ev| ev.prevent_default() on:drop=drop>
                            <h3 id=heading_id.clone()>{column_title(state)}" "<span class="muted">{format!("{} · {points} pts", cards.len())}</span></h3>
                            <ul class="cards">
                                {cards.into_iter().map(|item| view! { <Card item ctx/> }).collect_view()}
                            </ul>
                        </section>
                    }
                }).into_iter().collect_view()}
            </div>
        </section>
    }
}

#[component]
fn Card(item: Item, ctx: StoredValue<CardContext>) -> impl IntoView {
    let (slug, can_move, mover, dragged, focus) =
        ctx.with_value(|c| (c.slug.clone(), c.can_move, c.mover, c.dragged, c.focus));
    let n = item.number;
    let version = item.version;
    let index = COLUMNS.iter().position(|s| *s == item.state).unwrap_or(0);
    let left = index.checked_sub(1).map(|i| COLUMNS[i]);
    let right = COLUMNS.get(index + 1).copied();
    let button = move |to: ItemState, which: &'static str, arrow: &'static str| {
        let id = format!("{which}-{n}");
        // Focus follows the card: the same button if it still has one, else the other.
        let other = if which == "left" { "right" } else { "left" };
        let focus_ids = vec![id.clone(), format!("{other}-{n}"), format!("card-{n}")];
        // `s` (components::shortcuts) presses the right arrow of the card holding focus.
        let key = (which == "right").then_some("s");
        view! {
            <button type="submit" class="button small" id=id name="state" value=to.as_str() data-key=key
                aria-label=format!("Move #{n} to {}", column_title(to))
                on:click=move |ev| {
                    ev.prevent_default();
                    focus.request(focus_ids.clone());
                    mover.dispatch((n, version, to));
                }>{arrow}</button>
        }
    };
    // A plain form, so the arrows work with JavaScript off too (`items/state`).
    let form_slug = slug.clone();
    let buttons = can_move.then(|| {
        view! {
            <form class="card-moves" method="post" action="/api/fn/items/state">
                <input type="hidden" name="slug" value=form_slug/>
                <input type="hidden" name="number" value=n.to_string()/>
                <input type="hidden" name="version" value=version.to_string()/>
                {left.map(|to| button(to, "left", "←"))}
                {right.map(|to| button(to, "right", "→"))}
            </form>
        }
    });
    let blocked = item.blocked.then(|| {
        let reason = item.blocked_reason.clone().unwrap_or_default();
        view! { <p class="blocked-marker"><span class="badge blocked">"Blocked"</span>" "{reason}</p> }
    });
    view! {
        <li class=if item.blocked { "board-card blocked" } else { "board-card" } id=format!("card-{n}") tabindex="-1"
            data-number=n data-row draggable=if can_move { "true" } else { "false" }
            on:dragstart=move |_| dragged.set(Some((n, version)))>
            <a href=format!("/p/{slug}/items/{n}") class="card-title">{format!("#{n} {}", item.title)}</a>
            <div class="card-meta">
                <span class="estimate">{item.estimate_label.clone().unwrap_or_else(|| "not estimated".into())}</span>
                {item.assignee.clone().map(|a| view! { <span class="avatar" title=a.display_name.clone() aria-label=format!("Assigned to {}", a.display_name)>{a.initials}</span> })}
            </div>
            {blocked}
            {buttons}
        </li>
    }
}
