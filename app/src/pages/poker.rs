//! Planning poker (`/p/{slug}/poker`): the scrum master puts items up one by one, everyone
//! shows a card at once, the outliers explain, the team agrees. The page follows the
//! session live (every vote, reveal and accept is an event); who is here is the live
//! stream's presence. Forms work without JavaScript too (a post and a reload).
//!
//! Keys: 1–9 pick a card (Enter sends it); the scrum master's r (reveal), n (another
//! round), a (accept), s (skip).

use super::project::{project_resource, use_slug};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{form_error, posted_error, FormError};
use crate::components::live::{Live, Presence};
use crate::domain::poker::Outlier;
use crate::error::AppError;
use crate::model::poker::{CurrentItem, PokerSession, PokerState, RoundView};
use crate::server_fns::poker::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<BeginPoker>,
    vote: ServerAction<PokerVote>,
    reveal: ServerAction<PokerReveal>,
    round: ServerAction<PokerNewRound>,
    accept: ServerAction<PokerAccept>,
    skip: ServerAction<PokerSkip>,
    end: ServerAction<PokerEnd>,
}

impl Actions {
    fn new() -> Actions {
        Actions {
            start: ServerAction::new(),
            vote: ServerAction::new(),
            reveal: ServerAction::new(),
            round: ServerAction::new(),
            accept: ServerAction::new(),
            skip: ServerAction::new(),
            end: ServerAction::new(),
        }
    }

    fn versions(&self) -> (usize, usize, usize, usize, usize, usize, usize) {
        (
            self.start.version().get(),
            self.vote.version().get(),
            self.reveal.version().get(),
            self.round.version().get(),
            self.accept.version().get(),
            self.skip.version().get(),
            self.end.version().get(),
        )
    }

    /// The last refusal of any of them.
    fn error(&self) -> Option<String> {
        form_error(self.start.value(), &[])()
            .or_else(form_error(self.vote.value(), &[]))
            .or_else(form_error(self.reveal.value(), &[]))
            .or_else(form_error(self.round.value(), &[]))
            .or_else(form_error(self.accept.value(), &[]))
            .or_else(form_error(self.skip.value(), &[]))
            .or_else(form_error(self.end.value(), &[]))
    }
}

#[component]
pub fn PokerPage() -> impl IntoView {
    let slug = use_slug();
    let query = use_query_map();
    let increment =
        Memo::new(move |_| query.with(|q| q.get("increment").and_then(|v| v.parse::<i64>().ok())));
    // A selection from the backlog: "3,5,8".
    let items = Memo::new(move |_| {
        query.with(|q| {
            q.get("items")
                .and_then(|v| crate::model::poker::parse_numbers(&v))
                .filter(|n| !n.is_empty())
        })
    });
    let project = project_resource();
    let actions = Actions::new();
    let live = Live::get();
    // A countdown that ends reveals the round: read again then.
    let countdown_over = RwSignal::new(0u32);
    let state = crate::components::data::data(
        move || {
            (
                slug.get(),
                actions.versions(),
                live.tick.get(),
                countdown_over.get(),
            )
        },
        |(slug, ..)| get_poker(slug),
    );
    let posted = posted_error(&[
        BeginPoker::PATH,
        PokerVote::PATH,
        PokerReveal::PATH,
        PokerNewRound::PATH,
        PokerAccept::PATH,
        PokerSkip::PATH,
        PokerEnd::PATH,
    ]);
    let error = move || actions.error().or_else(|| posted.clone());
    keyboard();
    view! {
        <Title text="Planning poker"/>
        <header class="page-header">
            <h1>"Planning poker"</h1>
            <Presence/>
        </header>
        <FormError message=error/>
        <Transition fallback=|| view! { <p class="muted">"Loading the session…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                // Read now, not after the awaits: by then the page may be gone (navigated
                // away while its data came), and a gone page's signals cannot be read.
                {move || {
                    let (slug, increment, items) =
                        (slug.get_untracked(), increment.get_untracked(), items.get_untracked());
                    Suspend::new(async move {
                        project.await?;
                        let state = state.await?;
                        schedule_reveal(&state, countdown_over);
                        Ok::<_, AppError>(view! { <Session state slug increment items actions/> })
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// Reads the state again when the current round's countdown ends (in the browser).
fn schedule_reveal(state: &PokerState, countdown_over: RwSignal<u32>) {
    let due = state
        .session
        .as_ref()
        .and_then(|s| s.current.as_ref())
        .and_then(|c| c.rounds.last())
        .and_then(|r| r.reveals_in_ms);
    #[cfg(feature = "hydrate")]
    if let Some(ms) = due {
        set_timeout(
            move || countdown_over.update(|n| *n += 1),
            std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0) + 150),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (due, countdown_over);
}

/// Number keys focus a card (Enter sends it); the scrum master's letters press their
/// buttons. Never while typing in a field.
fn keyboard() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::keydown, |ev| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                });
            if typing {
                return;
            }
            let key = ev.key();
            let id = match key.as_str() {
                k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() && k != "0" => {
                    format!("card-{}", k)
                }
                "r" => "poker-reveal".into(),
                "n" => "poker-round".into(),
                "a" => "poker-accept-points".into(),
                "s" => "poker-skip".into(),
                _ => return,
            };
            let Some(el) = document()
                .get_element_by_id(&id)
                .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
            else {
                return;
            };
            ev.prevent_default();
            // Cards and the accept choice take focus (Enter confirms); the others act.
            if id.starts_with("card-") || id == "poker-accept-points" {
                let _ = el.focus();
            } else {
                el.click();
            }
        });
        on_cleanup(move || handle.remove());
    }
}

#[component]
fn Session(
    state: PokerState,
    slug: String,
    increment: Option<i64>,
    items: Option<Vec<i32>>,
    actions: Actions,
) -> impl IntoView {
    let Some(session) = state.session else {
        let start = state.can_start.then(|| {
            view! { <StartForm slug=slug.clone() increment items actions/> }
        });
        return view! {
            <section class="card">
                <p class="empty" data-testid="no-session">"No planning poker session is running."</p>
                {if state.can_start {
                    "Start one with the items to estimate: by default the unestimated items at the top of the backlog, or those committed to the increment being planned."
                } else {
                    "The scrum master or an owner starts one; this page shows it as soon as they do."
                }}
            </section>
            {start}
            <p><a href=format!("/p/{slug}/planning")>"Back to planning"</a>" (past sessions' summaries are kept there with their increment)"</p>
        }
        .into_any();
    };
    view! { <Running session slug actions/> }.into_any()
}

#[component]
fn StartForm(
    slug: String,
    increment: Option<i64>,
    items: Option<Vec<i32>>,
    actions: Actions,
) -> impl IntoView {
    let chosen = items.map(|numbers| {
        let list = numbers
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let named = numbers
            .iter()
            .map(|n| format!("#{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <input type="hidden" name="items" value=list/>
            <p data-testid="poker-chosen">{format!("The items chosen in the backlog are put up, in order: {named}.")}</p>
        }
    });
    view! {
        <ActionForm action=actions.start attr:class="card stacked-form" attr:aria-label="Start a session">
            <h2>"Start a session"</h2>
            <input type="hidden" name="slug" value=slug/>
            {chosen}
            {increment.map(|i| view! {
                <input type="hidden" name="increment" value=i/>
                <p class="muted">"The items committed to the increment being planned are put up."</p>
            })}
            <label for="poker-countdown">"Reveal"</label>
            <select id="poker-countdown" name="countdown_secs">
                <option value="">"when I reveal"</option>
                <option value="30">"by itself after 30 seconds"</option>
                <option value="60">"by itself after a minute"</option>
            </select>
            <button type="submit" class="button primary" id="poker-start">"Start planning poker"</button>
        </ActionForm>
    }
}

#[component]
fn Running(session: PokerSession, slug: String, actions: Actions) -> impl IntoView {
    let about = format!(
        "Started by {}{}.",
        session
            .started_by
            .clone()
            .unwrap_or_else(|| "someone".into()),
        session
            .increment_label
            .as_ref()
            .map(|l| format!(" to plan {l}"))
            .unwrap_or_default()
    );
    let queue = session
        .queue
        .iter()
        .map(|e| {
            let current = session.current.as_ref().is_some_and(|c| c.position == e.position);
            let outcome = match e.outcome.as_deref() {
                Some("accepted") => format!("estimated: {}", e.estimate_label.clone().unwrap_or_default()),
                Some("skipped") => "skipped".into(),
                _ if current => "now".into(),
                _ => "to come".into(),
            };
            view! {
                <li aria-current=current.then_some("step") class:current=current>
                    <a href=format!("/p/{slug}/items/{}", e.number)>{format!("#{} {}", e.number, e.title)}</a>
                    " · " <span class="muted">{outcome}</span>
                    {(e.rounds > 1).then(|| format!(" · {} rounds", e.rounds))}
                </li>
            }
        })
        .collect_view();
    let current = session.current.clone().map(|c| {
        view! { <Current current=c session=session.clone() slug=slug.clone() actions/> }
    });
    let done = session.current.is_none().then(|| {
        view! {
            <section class="card" aria-labelledby="poker-done">
                <h2 id="poker-done">"Every item is done"</h2>
                <p data-testid="poker-summary">{session.summary.line()}</p>
            </section>
        }
    });
    let end = session.can_control.then(|| {
        view! {
            <ActionForm action=actions.end attr:class="row-form">
                <input type="hidden" name="slug" value=slug.clone()/>
                <button type="submit" class="button" id="poker-end">"End the session"</button>
            </ActionForm>
        }
    });
    let keys = if session.can_control {
        "Keys: 1–9 pick a card, Enter sends it; r reveals, n starts another round, a goes to the value to accept, s skips."
    } else {
        "Keys: 1–9 pick a card, Enter sends it."
    };
    view! {
        <p class="muted">{about}</p>
        {current}
        {done}
        <section class="card" aria-labelledby="queue-heading">
            <h2 id="queue-heading">"Queue"</h2>
            <ol class="poker-queue" data-testid="poker-queue">{queue}</ol>
            <p class="muted small" data-testid="poker-progress">{session.summary.line()}</p>
        </section>
        {end}
        <p class="muted small">{keys}</p>
    }
}

#[component]
fn Current(
    current: CurrentItem,
    session: PokerSession,
    slug: String,
    actions: Actions,
) -> impl IntoView {
    let position = current.position;
    let slug = StoredValue::new(slug);
    let latest = current.rounds.last().cloned();
    let earlier: Vec<RoundView> = current
        .rounds
        .iter()
        .take(current.rounds.len().saturating_sub(1))
        .cloned()
        .collect();
    let Some(round) = latest else {
        return ().into_any();
    };
    let heading = format!("#{} {}", current.number, current.title);
    let now = current
        .estimate_label
        .clone()
        .map(|l| format!("Estimate now: {l}"))
        .unwrap_or_else(|| "Not estimated yet".into());
    let voting = (session.can_vote && !round.revealed).then(|| {
        let cards = session
            .cards
            .clone()
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let chosen = round.my_card.as_deref() == Some(c.card.as_str());
                let id = (i < 9).then(|| format!("card-{}", i + 1));
                let label = if c.card == "?" || c.card == "break" {
                    c.label.clone()
                } else {
                    format!("{} · {}", c.card, c.label)
                };
                view! {
                    <li>
                        <ActionForm action=actions.vote attr:class="card-form">
                            <input type="hidden" name="slug" value=slug.get_value()/>
                            <input type="hidden" name="position" value=position/>
                            <input type="hidden" name="round" value=round.number/>
                            <input type="hidden" name="card" value=c.card.clone()/>
                            <button type="submit" id=id class="poker-card" class:chosen=chosen
                                aria-pressed=if chosen { "true" } else { "false" }
                                aria-label=format!("Vote {label}")>
                                <strong>{if c.card == "break" { "☕".to_owned() } else { c.card.clone() }}</strong>
                                <span>{c.label.clone()}</span>
                            </button>
                        </ActionForm>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul class="poker-cards" aria-label="Your card">{cards}</ul>
            <p class="muted" data-testid="my-vote">{match &round.my_card {
                Some(card) => format!("You voted {card}; you can change it until the reveal."),
                None => "Pick a card: nobody sees it until the reveal.".to_owned(),
            }}</p>
        }
    });
    let controls = session.can_control.then(|| {
        if !round.revealed {
            view! {
                <ActionForm action=actions.reveal attr:class="row-form">
                    <input type="hidden" name="slug" value=slug.get_value()/>
                    <input type="hidden" name="position" value=position/>
                    <button type="submit" class="button primary" id="poker-reveal">"Reveal the votes"</button>
                </ActionForm>
            }
            .into_any()
        } else {
            let suggested = round
                .spread
                .as_ref()
                .and_then(|s| s.agreed.or(s.suggested));
            let options = session
                .cards
                .clone()
                .into_iter()
                .filter(|c| c.card.parse::<u8>().is_ok())
                .map(|c| {
                    let selected = c.card.parse::<u8>().ok() == suggested;
                    view! { <option value=c.card.clone() selected=selected>{format!("{} · {}", c.card, c.label)}</option> }
                })
                .collect_view();
            view! {
                <div class="poker-controls">
                    <ActionForm action=actions.accept attr:class="row-form">
                        <input type="hidden" name="slug" value=slug.get_value()/>
                        <input type="hidden" name="position" value=position/>
                        <label for="poker-accept-points">"Estimate"</label>
                        <select id="poker-accept-points" name="points">{options}</select>
                        <button type="submit" class="button primary" id="poker-accept">"Accept"</button>
                    </ActionForm>
                    <ActionForm action=actions.round attr:class="row-form">
                        <input type="hidden" name="slug" value=slug.get_value()/>
                        <input type="hidden" name="position" value=position/>
                        <button type="submit" class="button" id="poker-round">"Another round"</button>
                    </ActionForm>
                    <ActionForm action=actions.skip attr:class="row-form">
                        <input type="hidden" name="slug" value=slug.get_value()/>
                        <input type="hidden" name="position" value=position/>
                        <button type="submit" class="button" id="poker-skip">"Skip"</button>
                    </ActionForm>
                </div>
            }
            .into_any()
        }
    });
    let skip_before_reveal = (session.can_control && !round.revealed).then(|| {
        view! {
            <ActionForm action=actions.skip attr:class="row-form">
                <input type="hidden" name="slug" value=slug.get_value()/>
                <input type="hidden" name="position" value=position/>
                <button type="submit" class="button" id="poker-skip">"Skip this item"</button>
            </ActionForm>
        }
    });
    view! {
        <section class="card poker-current" aria-labelledby="poker-item">
            <h2 id="poker-item"><a href=format!("/p/{}/items/{}", slug.get_value(), current.number)>{heading}</a></h2>
            <p class="muted">{now}</p>
            <RoundPanel round=round.clone() current=true/>
            {voting}
            {controls}
            {skip_before_reveal}
            {(!earlier.is_empty()).then(|| view! {
                <details class="poker-earlier">
                    <summary>{format!("Earlier rounds ({})", earlier.len())}</summary>
                    {earlier.into_iter().map(|r| view! { <RoundPanel round=r current=false/> }).collect_view()}
                </details>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn RoundPanel(round: RoundView, current: bool) -> impl IntoView {
    let title = format!("Round {}", round.number);
    let status = if round.revealed {
        "revealed".to_owned()
    } else {
        match round.reveals_in_ms {
            Some(ms) => format!("reveals by itself in {} s", (ms + 999) / 1000),
            None => "voting".to_owned(),
        }
    };
    let voted = if round.voted.is_empty() {
        "Nobody has voted yet.".to_owned()
    } else {
        format!("Voted: {}.", round.voted.join(", "))
    };
    let votes = round.revealed.then(|| {
        let spread = round
            .spread
            .clone()
            .map(|s| match (s.agreed, s.lowest, s.highest) {
                (Some(v), _, _) => format!("Everyone agrees: {v}."),
                (None, Some(lo), Some(hi)) => format!(
                    "From {lo} to {hi}{}: the highest and lowest explain.",
                    s.suggested
                        .map(|v| format!(", most chose {v}"))
                        .unwrap_or_default()
                ),
                _ => "No points voted.".to_owned(),
            });
        let list = round
            .votes
            .iter()
            .map(|v| {
                let note = match v.outlier {
                    Some(Outlier::Highest) => " (highest: explain)",
                    Some(Outlier::Lowest) => " (lowest: explain)",
                    None => "",
                };
                view! {
                    <li class:outlier=v.outlier.is_some()>
                        <strong>{v.name.clone()}</strong> ": " {v.card.clone()} {note}
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul class="poker-votes" data-testid="poker-votes">{list}</ul>
            <p data-testid="poker-spread">{spread}</p>
        }
    });
    view! {
        <div class="poker-round" data-testid=if current { "current-round" } else { "earlier-round" }>
            <h3>{title} " · " <span class="muted">{status}</span></h3>
            <p data-testid="poker-voted">{voted}</p>
            {votes}
        </div>
    }
}
