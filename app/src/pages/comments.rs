//! An item's comments and its history, on the item page: the thread (newest last) with
//! its form, where `@` offers the project's members (arrow keys, Enter or Tab to pick,
//! Escape to close); watching; and the history with the comments interleaved (or only
//! the comments).

use crate::model::comments::{Comment, Mentionable, Thread};
use crate::model::items::ItemDetail;
use crate::server_fns::comments::{
    comment_thread, delete_comment, edit_comment, watch_item, AddComment,
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// "just now", "5 min ago", "3 h ago", "2 days ago", then the date.
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - at).num_seconds().max(0);
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        86_400..=604_799 => crate::words::count(secs / 86_400, "day ago", "days ago"),
        _ => at.format("%Y-%m-%d").to_string(),
    }
}

fn exact(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The `@word` being typed before the caret, if any: where it starts and what it holds.
fn mention_at(text: &str, caret: usize) -> Option<(usize, String)> {
    let before = text.get(..caret)?;
    let start = before.rfind('@')?;
    let word = &before[start + 1..];
    let glued = before[..start]
        .chars()
        .next_back()
        .is_some_and(|c| !c.is_whitespace() && c != '(');
    if glued || word.chars().any(char::is_whitespace) || word.len() > 60 {
        return None;
    }
    Some((start, word.to_lowercase()))
}

fn matches(people: &[Mentionable], word: &str) -> Vec<Mentionable> {
    people
        .iter()
        .filter(|p| {
            word.is_empty()
                || p.email.starts_with(word)
                || p.name
                    .to_lowercase()
                    .split_whitespace()
                    .any(|part| part.starts_with(word))
        })
        .take(8)
        .cloned()
        .collect()
}

/// The comments and the history of an item.
#[component]
pub fn Activity(slug: String, number: i32, detail: ItemDetail) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let thread_slug = slug.clone();
    // Held by reference count, not in the owner's arena: see below.
    let thread = ArcResource::<_, crate::components::data::Json>::new_with_options(
        move || refresh.get(),
        move |_| comment_thread(thread_slug.clone(), number),
        false,
    );
    // Someone else's comment arrives while the page is open.
    let live = crate::components::live::Live::get();
    Effect::new(move |_| {
        live.tick.track();
        let touched = live
            .last
            .get_untracked()
            .is_none_or(|e| e.touches_item(number));
        if touched && live.tick.get_untracked() > 0 {
            refresh.update(|n| *n += 1);
        }
    });
    // Plain values and a counted resource, not stored ones: when the item is read again (a
    // delete, an undo) the panel draws a new `Activity` and this one's owner goes, while its
    // list of comments may still be drawing; a stored value read then had been disposed, and
    // the page stopped (seen in CI: the peek test's delete and undo).
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading comments…"</p> }>
            {move || {
                let (slug, detail, thread) = (slug.clone(), detail.clone(), thread.clone());
                Suspend::new(async move {
                match thread.await {
                    Ok(t) => view! {
                        <CommentsSection slug number thread=t.clone() refresh/>
                        <History detail thread=t/>
                    }.into_any(),
                    Err(e) => {
                        let none = Thread {
                            comments: Vec::new(),
                            watching: false,
                            can_comment: false,
                            people: Vec::new(),
                            now: detail.item.updated_at,
                        };
                        view! {
                            <p class="form-error" role="alert">{e.to_string()}</p>
                            <History detail thread=none/>
                        }.into_any()
                    }
                }
            })}}
        </Transition>
    }
}

#[component]
fn CommentsSection(
    slug: String,
    number: i32,
    thread: Thread,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let now = thread.now;
    let watching = thread.watching;
    let watch_slug = slug.clone();
    let watch = Action::new(move |on: &bool| {
        let (slug, on) = (watch_slug.clone(), *on);
        async move { watch_item(slug, number, on).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = watch.value().get() {
            refresh.update(|n| *n += 1);
        }
    });
    let count = thread.comments.iter().filter(|c| !c.deleted).count();
    let people = StoredValue::new(thread.people.clone());
    view! {
        <section class="card" aria-labelledby="comments-heading" id="comments">
            <div class="section-head">
                <h2 id="comments-heading">{format!("Comments ({count})")}</h2>
                <button type="button" class="button small needs-js" aria-pressed=watching.to_string()
                    on:click=move |_| { watch.dispatch(!watching); }>
                    {if watching { "Stop watching" } else { "Watch" }}
                </button>
            </div>
            {if thread.comments.is_empty() {
                view! { <p class="empty">"No comments yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="comments" aria-label="Comments">
                        {thread.comments.into_iter().map(|c| view! {
                            <CommentView slug=slug.clone() number comment=c now refresh people/>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {thread.can_comment.then(|| view! { <AddCommentForm slug=slug.clone() number refresh people/> })}
        </section>
    }
}

#[component]
fn CommentView(
    slug: String,
    number: i32,
    comment: Comment,
    now: DateTime<Utc>,
    refresh: RwSignal<u32>,
    people: StoredValue<Vec<Mentionable>>,
) -> impl IntoView {
    let id = comment.id;
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let (edit_slug, delete_slug) = (slug.clone(), slug.clone());
    let save = Action::new(move |body: &String| {
        let (slug, body) = (edit_slug.clone(), body.clone());
        async move { edit_comment(slug, number, id, body).await }
    });
    let remove = Action::new(move |_: &()| {
        let slug = delete_slug.clone();
        async move { delete_comment(slug, number, id).await }
    });
    Effect::new(move |_| {
        let saved = save.value().with(|v| matches!(v, Some(Ok(_))));
        let removed = remove.value().with(|v| matches!(v, Some(Ok(_))));
        if saved || removed {
            editing.set(false);
            refresh.update(|n| *n += 1);
        }
    });
    let error = move || {
        save.value()
            .with(|v| {
                v.as_ref()
                    .and_then(|r| r.as_ref().err().map(|e| e.to_string()))
            })
            .or_else(|| {
                remove.value().with(|v| {
                    v.as_ref()
                        .and_then(|r| r.as_ref().err().map(|e| e.to_string()))
                })
            })
    };
    let author = comment.author.clone().unwrap_or_else(|| "someone".into());
    let when = ago(comment.created_at, now);
    let draft = RwSignal::new(comment.body.clone());
    let body_html = comment.body_html.clone();
    let (mine, can_delete, deleted) = (comment.mine, comment.can_delete, comment.deleted);
    let edited = comment.edited_at.map(|at| format!("edited {}", exact(at)));
    view! {
        <li class="comment" id=format!("comment-{id}") class:deleted=deleted>
            <p class="comment-head">
                <strong>{author}</strong>" "
                <time datetime=comment.created_at.to_rfc3339() title=exact(comment.created_at)>{when}</time>
                {edited.map(|e| view! { " " <span class="muted" title=e>"(edited)"</span> })}
            </p>
            {if deleted {
                view! { <p class="muted">"comment deleted"</p> }.into_any()
            } else {
                view! {
                    <Show when=move || editing.get() fallback=move || view! {
                        // Rendered and sanitised on the server (crate::markdown).
                        <div class="markdown" inner_html=body_html.clone()></div>
                    }>
                        <form class="comment-edit" on:submit=move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            save.dispatch(draft.get_untracked());
                        }>
                            <MentionInput id=format!("comment-edit-{id}") label="Edit comment" value=draft people/>
                            <div class="button-row">
                                <button type="submit" class="button primary">"Save"</button>
                                <button type="button" class="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                            </div>
                        </form>
                    </Show>
                }.into_any()
            }}
            <div class="button-row needs-js">
                {(mine && !deleted).then(|| view! {
                    <button type="button" class="button small" on:click=move |_| editing.set(true)
                        aria-label=format!("Edit comment {id}")>"Edit"</button>
                })}
                {(can_delete && !deleted).then(|| view! {
                    {move || if confirming.get() {
                        view! {
                            <span role="group" aria-label="Confirm deletion">
                                "Delete this comment? "
                                <button type="button" class="button small danger" on:click=move |_| { remove.dispatch(()); }>"Delete"</button>
                                <button type="button" class="button small" on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </span>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button small" on:click=move |_| confirming.set(true)
                                aria-label=format!("Delete comment {id}")>"Delete"</button>
                        }.into_any()
                    }}
                })}
            </div>
            <p class="field-error" role="alert">{error}</p>
        </li>
    }
}

#[component]
fn AddCommentForm(
    slug: String,
    number: i32,
    refresh: RwSignal<u32>,
    people: StoredValue<Vec<Mentionable>>,
) -> impl IntoView {
    let add = ServerAction::<AddComment>::new();
    let body = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            body.set(String::new());
            refresh.update(|n| *n += 1);
        }
    });
    let error = move || {
        add.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err().map(|e| e.to_string()))
        })
    };
    view! {
        <ActionForm action=add attr:class="comment-form" attr:aria-label="Add a comment">
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="number" value=number.to_string()/>
            <MentionInput id="comment-body".to_owned() label="Add a comment" value=body people name="body"/>
            <p class="muted small">"Markdown. Type @ to mention someone; Ctrl+Enter sends."</p>
            <button type="submit" class="button primary" disabled=move || add.pending().get()>"Comment"</button>
            <p class="field-error" role="alert">{error}</p>
        </ActionForm>
    }
}

/// A textarea whose `@` offers the project's members: typed letters narrow the list (name
/// or email), ArrowDown/ArrowUp move, Enter or Tab picks (the mention is written as
/// `@email`), Escape closes. Ctrl+Enter submits the form.
#[component]
fn MentionInput(
    id: String,
    label: &'static str,
    value: RwSignal<String>,
    people: StoredValue<Vec<Mentionable>>,
    #[prop(optional)] name: Option<&'static str>,
) -> impl IntoView {
    let open = RwSignal::new(None::<(usize, Vec<Mentionable>)>);
    let active = RwSignal::new(0usize);
    let area = NodeRef::<leptos::html::Textarea>::new();
    let list_id = format!("{id}-people");
    let update = move || {
        let Some(el) = area.get_untracked() else {
            return;
        };
        let (text, caret) = text_and_caret(&el);
        match mention_at(&text, caret) {
            Some((start, word)) => {
                let found = people.with_value(|p| matches(p, &word));
                if found.is_empty() {
                    open.set(None);
                } else {
                    active.set(0);
                    open.set(Some((start, found)));
                }
            }
            None => open.set(None),
        }
    };
    let pick = move |person: Mentionable| {
        let Some(el) = area.get_untracked() else {
            return;
        };
        let Some((start, _)) = open.get_untracked() else {
            return;
        };
        let (text, caret) = text_and_caret(&el);
        let inserted = format!("@{} ", person.email);
        let new = format!(
            "{}{}{}",
            &text[..start],
            inserted,
            &text[caret.max(start)..]
        );
        let at = (text[..start].encode_utf16().count() + inserted.encode_utf16().count()) as u32;
        value.set(new.clone());
        el.set_value(&new);
        let _ = el.set_selection_range(at, at);
        let _ = el.focus();
        open.set(None);
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if key == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            if let Some(form) = area.get_untracked().and_then(|el| el.form()) {
                let _ = form.request_submit();
            }
            return;
        }
        let Some((_, found)) = open.get_untracked() else {
            return;
        };
        match key.as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                active.update(|a| *a = (*a + 1) % found.len());
            }
            "ArrowUp" => {
                ev.prevent_default();
                active.update(|a| *a = (*a + found.len() - 1) % found.len());
            }
            "Enter" | "Tab" => {
                ev.prevent_default();
                if let Some(person) = found.get(active.get_untracked()).cloned() {
                    pick(person);
                }
            }
            "Escape" => {
                ev.prevent_default();
                open.set(None);
            }
            _ => {}
        }
    };
    let option_id = {
        let id = id.clone();
        move |i: usize| format!("{id}-person-{i}")
    };
    let option_id2 = option_id.clone();
    view! {
        <label for=id.clone()>{label}</label>
        <div class="mention-input">
            <textarea id=id.clone() name=name rows="4" maxlength="65536" node_ref=area
                role="combobox" aria-autocomplete="list" aria-controls=list_id.clone()
                aria-expanded=move || open.with(Option::is_some).to_string()
                aria-activedescendant=move || open.with(|o| o.as_ref().map(|_| option_id2(active.get())))
                prop:value=move || value.get()
                on:input:target=move |ev| { value.set(ev.target().value()); update(); }
                on:keydown=keydown
                on:click=move |_| update()
                on:blur=move |_| open.set(None)></textarea>
            {move || open.get().map(|(_, found)| {
                let option_id = option_id.clone();
                view! {
                    <ul class="mention-list" role="listbox" id=list_id.clone() aria-label="People to mention">
                        {found.into_iter().enumerate().map(|(i, person)| {
                            let chosen = person.clone();
                            view! {
                                <li role="option" id=option_id(i)
                                    aria-selected=move || (active.get() == i).to_string()
                                    class:active=move || active.get() == i
                                    // mousedown, not click: the textarea keeps its focus.
                                    on:mousedown=move |ev| { ev.prevent_default(); pick(chosen.clone()); }>
                                    <strong>{person.name.clone()}</strong>" "
                                    <span class="muted">{person.email.clone()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
        </div>
    }
}

/// A textarea's text and its caret, in bytes of the text.
fn text_and_caret(el: &leptos::web_sys::HtmlTextAreaElement) -> (String, usize) {
    let text = el.value();
    let caret = el
        .selection_start()
        .ok()
        .flatten()
        .map(|c| utf16_to_byte(&text, c as usize))
        .unwrap_or(text.len());
    (text, caret)
}

/// A caret position as the browser gives it (UTF-16 units) in bytes of `text`.
fn utf16_to_byte(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// One line of the history: a change or a comment.
struct HistoryLine {
    at: DateTime<Utc>,
    who: String,
    what: String,
    /// Where the line points (a CI run, a commit), when an integration wrote it.
    link: Option<String>,
    comment: bool,
}

/// The item's history, newest first, with its comments in between; "Comments only" hides
/// the field changes.
#[component]
fn History(detail: ItemDetail, thread: Thread) -> impl IntoView {
    let only_comments = RwSignal::new(false);
    // Rows nobody made by hand (no actor) beside a CI or commit note came from an integration.
    let by_integration: Vec<_> = detail
        .history
        .iter()
        .filter(|e| e.field == "ci" || e.field == "link")
        .map(|e| e.at)
        .collect();
    // "GitLab CI (dunder/store)" for the bug a pipeline filed.
    let ci = detail
        .ci
        .as_ref()
        .map(|ci| format!("{} CI ({})", ci.provider, ci.integration));
    let actor = move |e: &crate::model::items::ItemEvent| match (&e.actor, &ci) {
        (Some(name), _) => name.clone(),
        (None, Some(ci)) if e.field == "ci" || e.field == "created" => ci.clone(),
        (None, _) if by_integration.contains(&e.at) => "An integration".into(),
        (None, _) => "someone".into(),
    };
    let mut rows: Vec<HistoryLine> = detail
        .history
        .iter()
        .map(|e| HistoryLine {
            at: e.at,
            who: actor(e),
            what: e.summary.clone(),
            link: history_link(e),
            comment: false,
        })
        .collect();
    for c in &thread.comments {
        let what = if c.deleted {
            "comment deleted".to_owned()
        } else {
            let first: String = c
                .body
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(80)
                .collect();
            format!("commented: {first}")
        };
        rows.push(HistoryLine {
            at: c.created_at,
            who: c.author.clone().unwrap_or_else(|| "someone".into()),
            what,
            link: None,
            comment: true,
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
    view! {
        <section class="card" aria-labelledby="history-heading">
            <div class="section-head">
                <h2 id="history-heading">"History"</h2>
                <span class="check needs-js">
                    <input type="checkbox" id="history-comments-only" prop:checked=move || only_comments.get()
                        on:change:target=move |ev| only_comments.set(ev.target().checked())/>
                    <label for="history-comments-only">"Comments only"</label>
                </span>
            </div>
            <ol class="history" aria-label="History">
                {rows.into_iter().map(|HistoryLine { at, who, what, link, comment }| view! {
                    <li class:comment-line=comment
                        style:display=move || if only_comments.get() && !comment { "none" } else { "" }>
                        <time datetime=at.to_rfc3339()>{at.format("%Y-%m-%d %H:%M").to_string()}</time>
                        " " <strong>{who}</strong>
                        " " {match link {
                            Some(url) => view! {
                                <a class="history-link" href=url rel="external noopener">{what}</a>
                            }.into_any(),
                            None => what.into_any(),
                        }}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Where a history line made by an integration points: the CI run ("failed again",
/// "passing again") or the commit or pull request ("closed by commit …"), kept in the row's
/// new value. Only web addresses: a payload's other schemes are never made links.
fn history_link(e: &crate::model::items::ItemEvent) -> Option<String> {
    let key = match e.field.as_str() {
        "ci" => "run",
        "link" => "url",
        _ => return None,
    };
    let url = e.new.as_ref()?.get(key)?.as_str();
    crate::domain::hooks::web_url(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(field: &str, new: serde_json::Value) -> crate::model::items::ItemEvent {
        crate::model::items::ItemEvent {
            actor: None,
            at: DateTime::<Utc>::default(),
            field: field.into(),
            old: None,
            new: Some(new),
            summary: String::new(),
        }
    }

    #[test]
    fn ci_and_commit_lines_link_to_their_run_or_commit_and_only_on_the_web() {
        let run = "https://github.com/dunder/store/actions/runs/1";
        assert_eq!(
            history_link(&event(
                "ci",
                serde_json::json!({"event": "passing", "run": run})
            )),
            Some(run.to_owned())
        );
        let commit = "http://git.example/c/6113728";
        assert_eq!(
            history_link(&event(
                "link",
                serde_json::json!({"closes": true, "url": commit})
            )),
            Some(commit.to_owned())
        );
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "",
        ] {
            assert_eq!(
                history_link(&event("ci", serde_json::json!({"run": bad}))),
                None,
                "{bad}"
            );
        }
        assert_eq!(
            history_link(&event("ci", serde_json::json!({"run": null}))),
            None
        );
        assert_eq!(
            history_link(&event("title", serde_json::json!({"url": run}))),
            None,
            "only integrations' lines link"
        );
    }

    #[test]
    fn the_word_after_an_at_sign_is_a_mention_being_typed() {
        assert_eq!(mention_at("hi @ji", 6), Some((3, "ji".into())));
        assert_eq!(mention_at("@", 1), Some((0, String::new())));
        assert_eq!(mention_at("mail a@b", 8), None, "an address, not a mention");
        assert_eq!(mention_at("@jim done", 9), None, "a space ends it");
    }

    #[test]
    fn people_match_by_name_or_email() {
        let people = vec![
            Mentionable {
                name: "Jim Halpert".into(),
                email: "jim@dm.com".into(),
            },
            Mentionable {
                name: "Pam Beesly".into(),
                email: "pam@dm.com".into(),
            },
        ];
        assert_eq!(matches(&people, "hal").len(), 1);
        assert_eq!(matches(&people, "pam").len(), 1);
        assert_eq!(matches(&people, "").len(), 2);
        assert_eq!(utf16_to_byte("é@j", 2), 3);
    }
}
