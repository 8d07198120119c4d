//! The inbox: the caller's notifications, newest first, unread ones marked; each leads to
//! its item (opening one marks it read); "Mark all read".

use crate::components::error_view::{first_app_error, ErrorView};
use crate::server_fns::comments::{mark_read, my_inbox, MarkRead};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn InboxPage() -> impl IntoView {
    let mark = ServerAction::<MarkRead>::new();
    let list = crate::components::data::data(move || mark.version().get(), |_| my_inbox());
    // Opening a notification marks it read first, then goes to it (so the header's count,
    // read again on arrival, is already down).
    let open = Action::new(|(id, link): &(i64, String)| {
        let (id, link) = (*id, link.clone());
        async move {
            let _ = mark_read(Some(id)).await;
            link
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(link) = open.value().get() {
            navigate(&link, Default::default());
        }
    });
    view! {
        <Title text="Inbox"/>
        <header class="page-header">
            <h1>"Inbox"</h1>
            <ActionForm action=mark attr:class="row-form">
                <button type="submit" class="button small">"Mark all read"</button>
            </ActionForm>
        </header>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    let inbox = list.await?;
                    let unread = inbox.unread;
                    Ok::<_, crate::error::AppError>(view! {
                        <p class="muted" data-testid="inbox-unread">
                            {crate::words::count(unread, "unread notification", "unread notifications")}
                        </p>
                        {if inbox.notifications.is_empty() {
                            view! { <p class="empty">"Nothing yet: mentions, assignments and comments on items you watch arrive here."</p> }.into_any()
                        } else {
                            view! {
                                <ol class="inbox" aria-label="Notifications">
                                    {inbox.notifications.into_iter().map(|n| {
                                        let id = n.id;
                                        let link = n.link.clone();
                                        view! {
                                            <li class:unread=!n.read>
                                                <a href=n.link.clone() on:click=move |ev: leptos::ev::MouseEvent| {
                                                    // A new tab or window is the browser's business.
                                                    if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                                                        return;
                                                    }
                                                    ev.prevent_default();
                                                    open.dispatch((id, link.clone()));
                                                }>{n.summary.clone()}</a>
                                                " " <span class="muted">{format!("{} · {}", n.project, n.created_at.format("%Y-%m-%d %H:%M UTC"))}</span>
                                                {(!n.read).then(|| view! {
                                                    " " <span class="badge">"unread"</span>
                                                    <ActionForm action=mark attr:class="row-form">
                                                        <input type="hidden" name="id" value=id.to_string()/>
                                                        <button type="submit" class="button small" aria-label=format!("Mark read: {}", n.summary)>"Mark read"</button>
                                                    </ActionForm>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
