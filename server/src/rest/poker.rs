//! Planning poker through the JSON API: the whole session, so a chat bot could run one.
//! Every answer is the session as the caller sees it (others' votes only once revealed).

use super::error::{ApiResult, ErrorBody};
use super::extract::{ApiCaller, Body, Path};
use crate::AppState;
use app::model::poker::{PastSession, PokerState, StartPoker};
use app::service::poker;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;

/// A vote: the queue position and round it is for, and the card ("5", "?", "break").
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Vote {
    pub position: i32,
    pub round: i32,
    pub card: String,
}

/// A change to the item at this queue position (refused if the session has moved on).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AtPosition {
    pub position: i32,
}

/// Accepting a value for the item at this queue position.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Accept {
    pub position: i32,
    pub points: i64,
}

const SLUG: &str = "The project's URL name";

/// The project's running session (`session` is null when none is running).
#[utoipa::path(get, path = "/api/v1/projects/{slug}/poker", tag = "poker",
    params(("slug" = String, Path, description = SLUG)),
    responses((status = 200, body = PokerState), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_poker(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(
        poker::state(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

/// Starts a session (scrum master or owner); 409 when one is already running.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/poker", tag = "poker",
    params(("slug" = String, Path, description = SLUG)), request_body = StartPoker,
    responses((status = 200, body = PokerState), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn start_poker(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<StartPoker>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(
        poker::start(&state.pool, caller.as_ref(), &slug, &input).await?,
    ))
}

/// Votes (or changes one's vote) in the current round, until it is revealed.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/poker/vote", tag = "poker",
    params(("slug" = String, Path, description = SLUG)), request_body = Vote,
    responses((status = 200, body = PokerState), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(v): Body<Vote>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(
        poker::vote(
            &state.pool,
            caller.as_ref(),
            &slug,
            v.position,
            v.round,
            &v.card,
        )
        .await?,
    ))
}

/// Reveals the current round's votes (scrum master or owner).
#[utoipa::path(post, path = "/api/v1/projects/{slug}/poker/reveal", tag = "poker",
    params(("slug" = String, Path, description = SLUG)), request_body = AtPosition,
    responses((status = 200, body = PokerState), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reveal(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(at): Body<AtPosition>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(
        poker::reveal(&state.pool, caller.as_ref(), &slug, at.position).await?,
    ))
}

/// Starts another round of the current item, after a reveal (scrum master or owner).
#[utoipa::path(post, path = "/api/v1/projects/{slug}/poker/round", tag = "poker",
    params(("slug" = String, Path, description = SLUG)), request_body = AtPosition,
    responses((status = 200, body = PokerState), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn new_round(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(at): Body<AtPosition>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(
        poker::new_round(&state.pool, caller.as_ref(), &slug, at.position).await?,
    ))
}

/// Takes a value as the current item's estimate (with a history entry), then the next item.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/poker/accept", tag = "poker",
    params(("slug" = String, Path, description = SLUG)), request_body = Accept,
    responses((status = 200, body = PokerState), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(a): Body<Accept>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(
        poker::accept(&state.pool, caller.as_ref(), &slug, a.position, a.points).await?,
    ))
}

/// Leaves the current item unestimated; the next item.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/poker/skip", tag = "poker",
    params(("slug" = String, Path, description = SLUG)), request_body = AtPosition,
    responses((status = 200, body = PokerState), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn skip(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(at): Body<AtPosition>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(
        poker::skip(&state.pool, caller.as_ref(), &slug, at.position).await?,
    ))
}

/// Ends the session; its summary stays with the increment it planned.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/poker/end", tag = "poker",
    params(("slug" = String, Path, description = SLUG)),
    responses((status = 200, body = PokerState), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<PokerState>> {
    Ok(Json(poker::end(&state.pool, caller.as_ref(), &slug).await?))
}

/// The sessions kept with an increment, with their summaries.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/increments/{id}/poker", tag = "poker",
    params(("slug" = String, Path, description = SLUG),
           ("id" = i64, Path, description = "The increment's id")),
    responses((status = 200, body = Vec<PastSession>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn kept(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, id)): Path<(String, i64)>,
) -> ApiResult<Json<Vec<PastSession>>> {
    Ok(Json(
        poker::kept(&state.pool, caller.as_ref(), &slug, id).await?,
    ))
}
