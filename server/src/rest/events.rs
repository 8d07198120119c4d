//! The live event stream of a project (server-sent events).

use super::error::{ApiError, ApiResult, ErrorBody};
use super::extract::{ApiCaller, Path};
use crate::live::Signal;
use crate::AppState;
use app::error::AppError;
use app::model::events::{LiveEvent, Present};
use app::service::events::{self as events, CatchUp};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

#[derive(Debug, serde::Deserialize)]
pub struct Params {
    after: Option<i64>,
    page: Option<String>,
}

/// How often a quiet stream sends a comment, so proxies keep it open.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// The project's changes as they commit, as server-sent events (`text/event-stream`). Each
/// `change` event has the change's number as its `id` and a `LiveEvent` as its data. A
/// client that reconnects with `Last-Event-ID` (browsers do this by themselves) first gets
/// every change after that number; if those are no longer kept (a day), a `reload` event
/// instead, after which it should read everything again. The first event, `hello`, carries
/// the latest number. The stream ends when the caller stops being a member or their
/// session or token ends, and when the server shuts down.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/events", tag = "live",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("Last-Event-ID" = Option<i64>, Header,
            description = "The number of the last change the client saw"),
           ("after" = Option<i64>, Query,
            description = "The same for a first connection (a page sends the number its data \
                           was read at, `latest_change` of the project); the header wins"),
           ("page" = Option<String>, Query,
            description = "The page the listener has open (`board`, `planning`, …): they are \
                           shown as present on it, and `presence` events say who else is")),
    responses((status = 200, content_type = "text/event-stream", body = LiveEvent,
               description = "A stream of `hello`, `change` and `reload` events, and with \
                              `page`, `presence` events whose data is a list of `Present`"),
              (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    params: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let Query(params) = params.map_err(|e| ApiError(AppError::Request(e.body_text())))?;
    let access = events::open(&state.pool, caller.as_ref(), &slug).await?;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(params.after);
    // Subscribed before reading what was missed: nothing falls between the two.
    let mut subscription = state.hub.subscribe(access.project.id);
    let page = params.page.filter(|p| !p.is_empty());
    if let Some(page) = &page {
        subscription.arrive(&access, page).await?;
    }
    let (tx, rx) = mpsc::channel::<Event>(64);
    let pool = state.pool.clone();
    let clock = state.clock.clone();
    tokio::spawn(async move {
        let mut subscription = subscription;
        let mut last = match last_seen {
            Some(seen) => seen,
            None => match events::latest(&pool, &access).await {
                Ok(latest) => latest,
                Err(_) => return,
            },
        };
        let hello = Event::default().event("hello").data(last.to_string());
        if tx.send(hello).await.is_err() {
            return;
        }
        if last_seen.is_some() && !catch_up(&pool, &access, &mut last, &tx).await {
            return;
        }
        // Who is on the page now; afterwards, whenever that changes.
        let mut told: Option<Vec<Present>> = None;
        if let Some(page) = &page {
            match events::here(&pool, access.project.id).await {
                Ok(here) => {
                    let present = events::present_on(&here, page, access.caller.id);
                    if !send_presence(&tx, &present).await {
                        return;
                    }
                    told = Some(present);
                }
                Err(_) => return,
            }
        }
        loop {
            let signal = tokio::select! {
                s = subscription.project.recv() => s,
                s = subscription.all.recv() => s,
                _ = subscription.closing.changed() => return,
                _ = tx.closed() => return,
            };
            let keep_going = match signal {
                Ok(Signal::Event(event)) => {
                    if event.seq <= last {
                        true
                    } else if event.seq > last + 1 {
                        // One went by unseen (the channel lagged): read it from the table.
                        catch_up(&pool, &access, &mut last, &tx).await
                    } else {
                        let kind = event.kind.clone();
                        last = event.seq;
                        send(&tx, &event).await
                            && (kind != "members" && kind != "project"
                                || events::still_member(&pool, &access).await)
                    }
                }
                Ok(Signal::CatchUp) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    catch_up(&pool, &access, &mut last, &tx).await
                }
                Ok(Signal::Access(user)) if user == access.caller.id => {
                    matches!(app::auth::resolve(&pool, &headers, &clock, None).await,
                             Ok(Some(caller)) if caller.id == user)
                }
                Ok(Signal::Access(_)) => true,
                Ok(Signal::Presence(here)) => match &page {
                    Some(page) => {
                        let present = events::present_on(&here, page, access.caller.id);
                        if told.as_ref() == Some(&present) {
                            true
                        } else {
                            let sent = send_presence(&tx, &present).await;
                            told = Some(present);
                            sent
                        }
                    }
                    None => true,
                },
                Err(broadcast::error::RecvError::Closed) => false,
            };
            if !keep_going {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|event| (Ok::<_, Infallible>(event), rx))
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response();
    // Proxies (nginx) pass it on as it comes instead of buffering it.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    Ok(response)
}

async fn send_presence(tx: &mpsc::Sender<Event>, present: &[Present]) -> bool {
    match Event::default().event("presence").json_data(present) {
        Ok(sse) => tx.send(sse).await.is_ok(),
        Err(_) => false,
    }
}

async fn send(tx: &mpsc::Sender<Event>, event: &LiveEvent) -> bool {
    let Ok(sse) = Event::default()
        .id(event.seq.to_string())
        .event("change")
        .json_data(event)
    else {
        return false;
    };
    tx.send(sse).await.is_ok()
}

/// Sends what the client has not seen from the table (or `reload` when it is gone).
async fn catch_up(
    pool: &sqlx::PgPool,
    access: &app::service::Access,
    last: &mut i64,
    tx: &mpsc::Sender<Event>,
) -> bool {
    match events::missed(pool, access, *last).await {
        Ok(CatchUp::Events(missed)) => {
            for event in missed {
                *last = event.seq;
                if !send(tx, &event).await {
                    return false;
                }
            }
            true
        }
        Ok(CatchUp::Reload(latest)) => {
            *last = latest;
            let reload = Event::default()
                .id(latest.to_string())
                .event("reload")
                .data(latest.to_string());
            tx.send(reload).await.is_ok()
        }
        Err(_) => false,
    }
}
