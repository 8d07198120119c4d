//! The weekly reflection of an increment: add cards under "went well", "didn't go well"
//! and "action items", vote (a few votes each), edit one's own cards, and turn an action
//! item into a backlog item. The scrum master groups and orders the cards. The increment's
//! velocity is shown beside the previous one's.

use super::project::{project_resource, use_slug};
use super::sprints::per_day;
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::form_error;
use crate::domain::reflection::CardKind;
use crate::error::AppError;
use crate::model::reflection::{Card, Reflection};
use crate::server_fns::reflection::{
    arrange_card, get_reflection, AddCard, CardToItem, EditCard, VoteCard,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReflectionPage() -> impl IntoView {
    let slug = use_slug();
    let query = use_query_map();
    let increment =
        Memo::new(move |_| query.with(|q| q.get("increment").and_then(|v| v.parse::<i64>().ok())));
    let week = Memo::new(move |_| query.with(|q| q.get("week").and_then(|v| v.parse::<u8>().ok())));
    let add = ServerAction::<AddCard>::new();
    let edit = ServerAction::<EditCard>::new();
    let vote = ServerAction::<VoteCard>::new();
    let to_item = ServerAction::<CardToItem>::new();
    let arranged = RwSignal::new(0u32);
    // Read again after every change, ours or (through the live stream) anyone's.
    let live = crate::components::live::Live::get();
    // Read with the page so the browser follows the project's changes from then on.
    let project = project_resource();
    let board = crate::components::data::data(
        move || {
            (
                slug.get(),
                increment.get(),
                week.get(),
                (
                    add.version().get(),
                    edit.version().get(),
                    vote.version().get(),
                ),
                (to_item.version().get(), arranged.get(), live.tick.get()),
            )
        },
        |(slug, increment, week, ..)| get_reflection(slug, increment, week),
    );
    let actions = Actions {
        add,
        edit,
        vote,
        to_item,
        arranged,
    };
    view! {
        <Title text="Reflection"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the reflection…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                // Read now, not after the awaits: by then the page may be gone (navigated
                // away while its data came), and a gone page's signals cannot be read.
                {move || {
                    let slug = slug.get_untracked();
                    Suspend::new(async move {
                        project.await?;
                        let board = board.await?;
                        Ok::<_, AppError>(view! { <Board board slug actions/> })
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddCard>,
    edit: ServerAction<EditCard>,
    vote: ServerAction<VoteCard>,
    to_item: ServerAction<CardToItem>,
    arranged: RwSignal<u32>,
}

fn velocity_line(board: &Reflection) -> String {
    let this = format!(
        "{}: {} points per business day{}",
        board.increment.label(),
        per_day(board.velocity),
        if board.increment.state == crate::domain::IncrementState::Active {
            " so far"
        } else {
            ""
        }
    );
    match &board.previous {
        None => {
            format!("Velocity of {this}. There is no closed increment before it to compare with.")
        }
        Some((label, prev)) => {
            let trend = match (board.velocity, prev) {
                (Some(now), Some(before)) if now > before + 1e-9 => {
                    format!(
                        " Velocity rose by {}.",
                        crate::words::decimal(now - before, 1)
                    )
                }
                (Some(now), Some(before)) if now + 1e-9 < *before => {
                    format!(
                        " Velocity fell by {}.",
                        crate::words::decimal(before - now, 1)
                    )
                }
                (Some(_), Some(_)) => " Velocity held steady.".to_owned(),
                _ => String::new(),
            };
            format!(
                "Velocity of {this}; the increment before, {label}: {}.{trend}",
                per_day(*prev)
            )
        }
    }
}

#[component]
fn Board(board: Reflection, slug: String, actions: Actions) -> impl IntoView {
    let id = board.increment.id;
    let chooser = board
        .increments
        .iter()
        .map(|i| view! { <option value=i.id selected=i.id == id>{format!("{} ({})", i.label(), i.dates())}</option> })
        .collect_view();
    let weeks = (1..=board.weeks)
        .map(|w| view! { <option value=w selected=w == board.week>{format!("Week {w}")}</option> })
        .collect_view();
    let error = move || {
        form_error(actions.add.value(), &[])()
            .or_else(form_error(actions.edit.value(), &[]))
            .or_else(form_error(actions.vote.value(), &[]))
            .or_else(form_error(actions.to_item.value(), &[]))
    };
    let columns = CardKind::ALL
        .into_iter()
        .map(|kind| {
            let cards: Vec<Card> = board
                .cards
                .iter()
                .filter(|c| c.kind == kind)
                .cloned()
                .collect();
            view! {
                <Column kind cards slug=slug.clone() increment=id week=board.week
                    can_write=board.can_write can_arrange=board.can_arrange actions/>
            }
        })
        .collect_view();
    view! {
        <header class="page-header">
            <h1>{format!("Reflection · {}, week {}", board.increment.label(), board.week)}</h1>
            <form method="get" class="filters" aria-label="Choose the board">
                <label for="reflection-increment">"Increment"</label>
                <select id="reflection-increment" name="increment">{chooser}</select>
                <label for="reflection-week">"Week"</label>
                <select id="reflection-week" name="week">{weeks}</select>
                <button type="submit" class="button small">"Show"</button>
            </form>
        </header>
        <p id="reflection-velocity" class="card">{velocity_line(&board)}</p>
        <p class="muted" id="votes-left">{format!("You have {} of {} left on this board.", board.votes_left, crate::words::count(board.votes_per_person, "vote", "votes"))}</p>
        <p class="form-error" role="alert">{error}</p>
        <div class="reflection-columns">{columns}</div>
    }
}

#[allow(clippy::too_many_arguments)]
#[component]
fn Column(
    kind: CardKind,
    cards: Vec<Card>,
    slug: String,
    increment: i64,
    week: u8,
    can_write: bool,
    can_arrange: bool,
    actions: Actions,
) -> impl IntoView {
    let heading = format!("column-{}", kind.as_str());
    let input_id = format!("new-{}", kind.as_str());
    let add_form = can_write.then(|| {
        let slug = slug.clone();
        view! {
            <ActionForm action=actions.add attr:class="row-form add-card">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="increment" value=increment/>
                <input type="hidden" name="week" value=week/>
                <input type="hidden" name="kind" value=kind.as_str()/>
                <label for=input_id.clone() class="visually-hidden">{format!("New card under {}", kind.label())}</label>
                <input id=input_id type="text" name="body" required maxlength="500" placeholder="Add a card…"/>
                <button type="submit" class="button small">"Add"</button>
            </ActionForm>
        }
    });
    let positions: Vec<(i64, Option<String>, i32)> = cards
        .iter()
        .map(|c| (c.id, c.group_name.clone(), c.position))
        .collect();
    let mut last_group: Option<String> = None;
    let items = cards
        .into_iter()
        .enumerate()
        .map(|(index, card)| {
            let group_heading = (card.group_name != last_group)
                .then(|| card.group_name.clone())
                .flatten()
                .map(|g| view! { <li class="card-group" role="presentation"><h3>{g}</h3></li> });
            last_group = card.group_name.clone();
            let neighbours = (
                index.checked_sub(1).and_then(|i| positions.get(i).cloned()),
                positions.get(index + 1).cloned(),
            );
            view! {
                {group_heading}
                <CardView card slug=slug.clone() can_write can_arrange actions neighbours/>
            }
        })
        .collect_view();
    view! {
        <section class="reflection-column" aria-labelledby=heading data-kind=kind.as_str()>
            <h2 id=heading.clone()>{kind.label()}</h2>
            <ul class="reflection-cards">{items}</ul>
            {add_form}
        </section>
    }
}

type Slot = Option<(i64, Option<String>, i32)>;

#[component]
fn CardView(
    card: Card,
    slug: String,
    can_write: bool,
    can_arrange: bool,
    actions: Actions,
    neighbours: (Slot, Slot),
) -> impl IntoView {
    let id = card.id;
    let body = card.body.clone();
    let (s1, s2, s3, s4) = (slug.clone(), slug.clone(), slug.clone(), slug.clone());
    let vote = can_write.then(|| {
        let on = !card.voted;
        let label = if card.voted {
            format!("Take back your vote for “{}”", card.body)
        } else {
            format!("Vote for “{}”", card.body)
        };
        view! {
            <ActionForm action=actions.vote attr:class="row-form">
                <input type="hidden" name="slug" value=s1/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="on" value=on.to_string()/>
                <button type="submit" class="button small" aria-pressed=card.voted.to_string() aria-label=label>
                    {if card.voted { "▲ Voted" } else { "▲ Vote" }}
                </button>
            </ActionForm>
        }
    });
    let edit = (can_write && card.mine).then(|| {
        let field = format!("edit-card-{id}");
        view! {
            <details class="edit-card">
                <summary>"Edit"</summary>
                <ActionForm action=actions.edit attr:class="row-form">
                    <input type="hidden" name="slug" value=s2/>
                    <input type="hidden" name="id" value=id/>
                    <label for=field.clone() class="visually-hidden">"Card text"</label>
                    <input id=field type="text" name="body" required maxlength="500" value=card.body.clone()/>
                    <button type="submit" class="button small">"Save"</button>
                </ActionForm>
            </details>
        }
    });
    let item = match card.item {
        Some(n) => Some(view! {
            <a class="badge" href=format!("/p/{slug}/items/{n}")>{format!("Backlog item #{n}")}</a>
        }.into_any()),
        None if card.kind == CardKind::Action && can_write => Some(view! {
            <ActionForm action=actions.to_item attr:class="row-form">
                <input type="hidden" name="slug" value=s3/>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button small">"Make it a backlog item"</button>
            </ActionForm>
        }.into_any()),
        None => None,
    };
    let arrange = can_arrange.then(|| {
        let group = card.group_name.clone().unwrap_or_default();
        let position = card.position;
        let field = format!("group-{id}");
        let slug = s4.clone();
        let regroup = Action::new(move |(group, position): &(String, i32)| {
            let (slug, group, position) = (slug.clone(), group.clone(), *position);
            async move { arrange_card(slug, id, group, position).await }
        });
        Effect::new(move |_| {
            if regroup.value().get().is_some() {
                actions.arranged.update(|n| *n += 1);
            }
        });
        let slug = s4.clone();
        let my_group = card.group_name.clone().unwrap_or_default();
        let swap = Action::new(move |other: &(i64, Option<String>, i32)| {
            let (slug, my_group) = (slug.clone(), my_group.clone());
            let (other_id, other_group, other_position) = other.clone();
            async move {
                // Trade places with the neighbour, each keeping its group.
                let this = arrange_card(slug.clone(), id, my_group, other_position).await;
                let that =
                    arrange_card(slug, other_id, other_group.unwrap_or_default(), position).await;
                this.and(that)
            }
        });
        Effect::new(move |_| {
            if swap.value().get().is_some() {
                actions.arranged.update(|n| *n += 1);
            }
        });
        let (up, down) = neighbours.clone();
        let group_value = RwSignal::new(group);
        view! {
            <div class="arrange needs-js">
                <label for=field.clone() class="visually-hidden">"Group"</label>
                <input id=field type="text" placeholder="Group" size="10" prop:value=move || group_value.get()
                    on:input:target=move |ev| group_value.set(ev.target().value())/>
                <button type="button" class="button small" on:click=move |_| { regroup.dispatch((group_value.get_untracked(), position)); }>"Group"</button>
                {up.map(|u| view! { <button type="button" class="button small" aria-label="Move up" on:click=move |_| { swap.dispatch(u.clone()); }>"↑"</button> })}
                {down.map(|d| view! { <button type="button" class="button small" aria-label="Move down" on:click=move |_| { swap.dispatch(d.clone()); }>"↓"</button> })}
            </div>
        }
    });
    view! {
        <li class="reflection-card" data-card=id>
            <p class="card-body">{body}</p>
            <p class="muted">{card.author.clone().unwrap_or_else(|| "someone".into())}
                " · " <span data-testid="votes">{format!("{} vote{}", card.votes, if card.votes == 1 { "" } else { "s" })}</span></p>
            <div class="card-actions">{vote}{item}</div>
            {edit}
            {arrange}
        </li>
    }
}
