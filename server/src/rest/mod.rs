//! The JSON API under `/api/v1`, for integrations and report tools. Handlers are thin: they
//! resolve the caller (API token or session cookie) and call the same `app::service`
//! operations as the server functions, so validation and authorization are one copy.
//!
//! Every route is listed in [`ApiDoc`]; the document is served at `/api/v1/openapi.json`.

mod export;
mod sprints;

use crate::AppState;
use app::auth::Caller;
use app::domain::{ItemKind, ItemState, Role, Rollup};
use app::error::AppError;
use app::model::accounts::Account;
use app::model::items::{
    ChildrenChoice, Item, ItemDetail, ItemEvent, ItemPage, ItemPatch, ItemQuery, MoveTo, NewItem,
    Person,
};
use app::model::projects::{
    ChartValue, HolidayEntry, Member, ProjectInfo, ProjectSettings, ProjectSummary,
};
use app::service::projects;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The largest document an import accepts: about 150,000 items with a short history (the
/// export of 100,000 such items measured 83 MB). It is parsed in memory.
const IMPORT_LIMIT: usize = 128 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/projects", get(list_projects).post(create_project))
        .route("/projects/{slug}", get(get_project))
        .route(
            "/projects/import",
            axum::routing::post(export::import_project)
                .get(export::get_project_named_import)
                .layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/projects/{slug}/export", get(export::export_project))
        .route("/projects/{slug}/standup", get(export::standup))
        .route(
            "/projects/{slug}/settings",
            axum::routing::put(put_settings),
        )
        .route(
            "/projects/{slug}/members",
            get(list_members).post(add_member),
        )
        .route(
            "/projects/{slug}/members/{email}",
            axum::routing::patch(update_member).delete(remove_member),
        )
        .route("/projects/{slug}/items", get(list_items).post(create_item))
        .route(
            "/projects/{slug}/items/{number}",
            get(get_item).patch(patch_item).delete(delete_item),
        )
        .route(
            "/projects/{slug}/items/{number}/move",
            axum::routing::post(move_item),
        )
        .route(
            "/projects/{slug}/sprints",
            get(sprints::list_sprints).post(sprints::create_sprint),
        )
        .route(
            "/projects/{slug}/sprints/{id}",
            axum::routing::patch(sprints::patch_sprint),
        )
        .route("/projects/{slug}/increments", get(sprints::list_increments))
        .route(
            "/projects/{slug}/increments/{id}",
            get(sprints::get_increment).patch(sprints::patch_increment),
        )
        .route(
            "/projects/{slug}/increments/{id}/items",
            axum::routing::post(sprints::commit_items),
        )
        .route(
            "/projects/{slug}/increments/{id}/items/{number}",
            axum::routing::delete(sprints::uncommit_item),
        )
        .route(
            "/projects/{slug}/increments/{id}/start",
            axum::routing::post(sprints::start_increment),
        )
        .route(
            "/projects/{slug}/increments/{id}/close",
            axum::routing::post(sprints::close_increment),
        )
        .route(
            "/projects/{slug}/increments/{id}/burndown",
            get(sprints::burndown),
        )
        .route("/projects/{slug}/reports/velocity", get(sprints::velocity))
        .route("/projects/{slug}/reports/forecast", get(sprints::forecast))
        .fallback(|| async { ApiError(AppError::NotFound) });
    Router::new().nest("/api/v1", api)
}

// --- errors -----------------------------------------------------------------------------

/// `{ "error": { "code": …, "message": …, "fields": {…} } }`
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// not_found, unauthorized, forbidden, validation, conflict, too_many_requests,
    /// bad_request or internal.
    pub code: String,
    pub message: String,
    /// For validation errors: the message for each field that is wrong.
    pub fields: BTreeMap<String, String>,
}

pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let code = match &err {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Validation(_) => "validation",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Busy => "busy",
            AppError::Internal => "internal",
            AppError::Request(_) => "bad_request",
        };
        let (message, fields) = match &err {
            AppError::Validation(f) => ("some fields are not valid".to_owned(), f.0.clone()),
            AppError::Request(m) => (m.clone(), BTreeMap::new()),
            other => (other.to_string(), BTreeMap::new()),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                fields,
            },
        };
        let mut response = (err.status(), Json(body)).into_response();
        if err == AppError::Unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if matches!(err, AppError::Busy | AppError::TooManyRequests) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        }
        response
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The caller, from `Authorization: Bearer` or the session cookie; anonymous is `None` and
/// each operation decides (every one here needs a caller).
pub struct ApiCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        Ok(ApiCaller(
            app::auth::resolve(&state.pool, &parts.headers).await?,
        ))
    }
}

/// A JSON body whose rejections are answered in the API's error shape: malformed JSON is
/// 400, well-formed JSON of the wrong shape is 422 naming the problem.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError(AppError::validation("body", e.body_text())))
            }
            Err(e) => Err(ApiError(AppError::Request(e.body_text()))),
        }
    }
}

// --- the document -----------------------------------------------------------------------

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cadence API",
        version = "1",
        description = "Projects, members, settings, the backlog, sprints, increments and reports of a Cadence instance. Authenticate \
                       with a personal API token (`Authorization: Bearer cad_…`, created on \
                       the account page or with `server create-token`) or the session cookie."
    ),
    paths(
        me,
        list_projects,
        create_project,
        get_project,
        put_settings,
        list_members,
        add_member,
        update_member,
        remove_member,
        list_items,
        create_item,
        get_item,
        patch_item,
        delete_item,
        move_item,
        sprints::list_sprints,
        sprints::create_sprint,
        sprints::patch_sprint,
        sprints::list_increments,
        sprints::get_increment,
        sprints::patch_increment,
        sprints::commit_items,
        sprints::uncommit_item,
        sprints::start_increment,
        sprints::close_increment,
        sprints::burndown,
        sprints::velocity,
        sprints::forecast,
        export::export_project,
        export::import_project,
        export::standup
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        Account,
        ProjectSummary,
        ProjectInfo,
        ProjectSettings,
        ChartValue,
        HolidayEntry,
        Member,
        Role,
        NewProject,
        NewMember,
        MemberChange,
        Item,
        ItemPage,
        ItemDetail,
        ItemEvent,
        NewItem,
        ItemPatch,
        MoveTo,
        Person,
        Rollup,
        ItemKind,
        ItemState,
        ChildrenChoice,
        StaleItem,
        app::model::sprints::Sprint,
        app::model::sprints::Increment,
        app::domain::IncrementState,
        app::model::sprints::NewSprint,
        app::model::sprints::SprintPatch,
        app::model::sprints::IncrementPatch,
        app::model::sprints::Commitment,
        app::model::sprints::Closing,
        app::domain::Carry,
        app::model::sprints::CarryItem,
        app::model::sprints::IncrementReport,
        app::model::sprints::VelocityReport,
        app::model::sprints::VelocityPoint,
        app::model::sprints::ForecastReport,
        app::model::sprints::ForecastLine,
        app::domain::burndown::Report,
        app::domain::burndown::BurnDay,
        app::domain::sprint::TeamVelocity,
        app::domain::sprint::Forecast,
        sprints::Burndown,
        app::model::export::ExportDoc,
        app::model::export::ExportProject,
        app::model::export::ExportMember,
        app::model::export::ExportSprint,
        app::model::export::ExportIncrement,
        app::model::export::ExportItem,
        app::model::export::ExportEvent,
        app::model::export::ExportNote,
        app::model::export::ExportCard,
        app::model::export::Imported,
        app::domain::reflection::CardKind,
        app::model::standup::Standup,
        app::model::standup::StandupPerson,
        app::model::standup::StandupItem,
        app::model::standup::Worked,
        app::model::standup::Note
    )),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(app::auth::SESSION_COOKIE))),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

// --- accounts ---------------------------------------------------------------------------

/// The account making the request.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Account), (status = 401, body = ErrorBody)))]
async fn me(ApiCaller(caller): ApiCaller) -> ApiResult<Json<Account>> {
    let caller = app::service::signed_in(caller.as_ref())?;
    Ok(Json(Account::from(caller)))
}

// --- projects ---------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewProject {
    pub name: String,
}

/// The caller's projects, each with their role on it.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    responses((status = 200, body = Vec<ProjectSummary>), (status = 401, body = ErrorBody)))]
async fn list_projects(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<ProjectSummary>>> {
    Ok(Json(projects::mine(&state.pool, caller.as_ref()).await?))
}

/// Creates a project; the caller becomes its owner. The slug is derived from the name.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = ProjectSummary), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Body(input): Body<NewProject>,
) -> ApiResult<(StatusCode, Json<ProjectSummary>)> {
    let created = projects::create(&state.pool, caller.as_ref(), &input.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A project with its settings.
#[utoipa::path(get, path = "/api/v1/projects/{slug}", tag = "projects",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = ProjectInfo), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn get_project(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<ProjectInfo>> {
    Ok(Json(
        projects::detail(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

/// Replaces the project's settings as a whole (owners and scrum masters).
#[utoipa::path(put, path = "/api/v1/projects/{slug}/settings", tag = "projects",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = ProjectSettings,
    responses((status = 200, body = ProjectSettings), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<ProjectSettings>,
) -> ApiResult<Json<ProjectSettings>> {
    Ok(Json(
        projects::update_settings(&state.pool, caller.as_ref(), &slug, &input).await?,
    ))
}

// --- members ----------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewMember {
    pub email: String,
    /// owner, scrum_master, member or viewer.
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberChange {
    /// owner, scrum_master, member or viewer.
    pub role: String,
}

#[utoipa::path(get, path = "/api/v1/projects/{slug}/members", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name")),
    responses((status = 200, body = Vec<Member>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<Member>>> {
    Ok(Json(
        projects::members(&state.pool, caller.as_ref(), &slug).await?,
    ))
}

/// Adds an existing account to the project (owners).
#[utoipa::path(post, path = "/api/v1/projects/{slug}/members", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = NewMember,
    responses((status = 201, body = Member), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<NewMember>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let member = projects::add_member(
        &state.pool,
        caller.as_ref(),
        &slug,
        &input.email,
        &input.role,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(member)))
}

/// Changes a member's role (owners). The last owner cannot be demoted.
#[utoipa::path(patch, path = "/api/v1/projects/{slug}/members/{email}", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("email" = String, Path, description = "The member's email")),
    request_body = MemberChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_member(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, email)): Path<(String, String)>,
    Body(input): Body<MemberChange>,
) -> ApiResult<StatusCode> {
    projects::set_member_role(&state.pool, caller.as_ref(), &slug, &email, &input.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (owners). The last owner cannot be removed.
#[utoipa::path(delete, path = "/api/v1/projects/{slug}/members/{email}", tag = "members",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("email" = String, Path, description = "The member's email")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove_member(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, email)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    projects::remove_member(&state.pool, caller.as_ref(), &slug, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- items ------------------------------------------------------------------------------

/// Items in rank order, filtered like the backlog page, a page at a time.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/items", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"), ItemQuery),
    responses((status = 200, body = ItemPage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_items(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    query: Result<Query<ItemQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ItemPage>> {
    let Query(query) = query.map_err(|e| ApiError(AppError::Request(e.body_text())))?;
    Ok(Json(
        app::service::items::list_filtered(&state.pool, caller.as_ref(), &slug, &query, false)
            .await?,
    ))
}

/// Creates an item at the bottom (or top) of the backlog.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/items", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name")),
    request_body = NewItem,
    responses((status = 201, body = Item), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(slug): Path<String>,
    Body(input): Body<NewItem>,
) -> ApiResult<(StatusCode, Json<Item>)> {
    let item = app::service::items::create(&state.pool, caller.as_ref(), &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// One item with its children (for epics) and its history.
#[utoipa::path(get, path = "/api/v1/projects/{slug}/items/{number}", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    responses((status = 200, body = ItemDetail), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn get_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
) -> ApiResult<Json<ItemDetail>> {
    Ok(Json(
        app::service::items::detail(&state.pool, caller.as_ref(), &slug, number).await?,
    ))
}

/// The answer to an edit made against an old version: the error and the item as it is now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StaleItem {
    pub error: ErrorDetail,
    pub current: Item,
}

/// Changes an item. `version` must be the one the caller saw: a stale one gets 409 with
/// the current item, and nothing is changed.
#[utoipa::path(patch, path = "/api/v1/projects/{slug}/items/{number}", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    request_body = ItemPatch,
    responses((status = 200, body = Item), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = StaleItem),
              (status = 422, body = ErrorBody)))]
async fn patch_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
    Body(patch): Body<ItemPatch>,
) -> Result<Json<Item>, Response> {
    use app::service::items;
    match items::update(&state.pool, caller.as_ref(), &slug, number, &patch).await {
        Ok(item) => Ok(Json(item)),
        Err(AppError::Conflict(message)) => {
            let current = items::detail(&state.pool, caller.as_ref(), &slug, number)
                .await
                .map_err(|e| ApiError(e).into_response())?
                .item;
            let body = StaleItem {
                error: ErrorDetail {
                    code: "conflict".into(),
                    message,
                    fields: BTreeMap::new(),
                },
                current,
            };
            Err((StatusCode::CONFLICT, Json(body)).into_response())
        }
        Err(e) => Err(ApiError(e).into_response()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeleteParams {
    /// For an epic with children: `delete` them too or `detach` them.
    pub children: Option<ChildrenChoice>,
}

/// Moves an item to the trash (an epic with children needs `children`).
#[utoipa::path(delete, path = "/api/v1/projects/{slug}/items/{number}", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number"), DeleteParams),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
    params: Result<Query<DeleteParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<StatusCode> {
    let Query(params) = params.map_err(|e| ApiError(AppError::Request(e.body_text())))?;
    app::service::items::delete(&state.pool, caller.as_ref(), &slug, number, params.children)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves an item before or after another, or to the top or bottom.
#[utoipa::path(post, path = "/api/v1/projects/{slug}/items/{number}/move", tag = "items",
    params(("slug" = String, Path, description = "The project's URL name"),
           ("number" = i32, Path, description = "The item's number")),
    request_body = MoveTo,
    responses((status = 200, body = Item), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn move_item(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path((slug, number)): Path<(String, i32)>,
    Body(to): Body<MoveTo>,
) -> ApiResult<Json<Item>> {
    Ok(Json(
        app::service::items::move_to(&state.pool, caller.as_ref(), &slug, number, &to).await?,
    ))
}
