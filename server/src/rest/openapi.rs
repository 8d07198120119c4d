//! The OpenAPI document: every route of the API, its types and the two ways to authenticate.
//! Served at `/api/v1/openapi.json`.

use super::error::{ErrorBody, ErrorDetail};
use super::items::{BulkRequest, StaleItem};
use super::members::{MemberChange, NewMember};
use super::projects::NewProject;
use super::{account, comments, events, export, items, members, poker, projects, sprints, standup};
use app::domain::{ItemKind, ItemState, Role, Rollup};
use app::model::accounts::Account;
use app::model::items::{
    BulkChange, BulkDone, BulkEdit, ChildrenChoice, Item, ItemDetail, ItemEvent, ItemPage,
    ItemPatch, MoveTo, NewItem, Person,
};
use app::model::projects::{
    ChartValue, HolidayEntry, Member, ProjectInfo, ProjectSettings, ProjectSummary,
};
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cadence API",
        version = "1",
        description = "Projects, members, settings, the backlog, sprints, increments and reports of a Cadence instance. Authenticate \
                       with a personal API token (`Authorization: Bearer cad_…`, created on \
                       the account page or with `server create-token`) or the session cookie. A \
                       `POST` may carry `Idempotency-Key` (up to 255 visible characters): a \
                       retry with the same key and request within a day gets the first answer \
                       again (`Idempotent-Replayed: true`) instead of making a second copy."
    ),
    paths(
        account::me,
        projects::list_projects,
        projects::create_project,
        projects::get_project,
        projects::put_settings,
        members::list_members,
        members::add_member,
        members::update_member,
        members::remove_member,
        items::list_items,
        items::create_item,
        items::get_item,
        items::patch_item,
        items::delete_item,
        items::move_item,
        items::bulk,
        comments::list_comments,
        comments::add_comment,
        comments::edit_comment,
        comments::delete_comment,
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
        standup::standup,
        events::events,
        poker::get_poker,
        poker::start_poker,
        poker::vote,
        poker::reveal,
        poker::new_round,
        poker::accept,
        poker::skip,
        poker::end,
        poker::kept
    ),
    components(schemas(
        ErrorBody,
        BulkRequest,
        BulkEdit,
        BulkChange,
        BulkDone,
        ErrorDetail,
        app::model::events::LiveEvent,
        app::model::events::Present,
        app::model::poker::PokerState,
        app::model::poker::PokerSession,
        app::model::poker::CardChoice,
        app::model::poker::QueueEntry,
        app::model::poker::CurrentItem,
        app::model::poker::RoundView,
        app::model::poker::ShownVote,
        app::model::poker::StartPoker,
        app::model::poker::PastSession,
        app::domain::poker::Spread,
        app::domain::poker::Outlier,
        app::domain::poker::Summary,
        poker::Vote,
        poker::AtPosition,
        poker::Accept,
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
        app::model::hooks::ItemLink,
        app::model::comments::Comment,
        app::model::comments::Thread,
        app::model::comments::Mentionable,
        app::model::comments::CommentInput,
        app::model::hooks::CiOrigin,
        app::model::hooks::CiRun,
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
        app::model::export::ExportPokerSession,
        app::model::export::ExportPokerItem,
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

/// `GET /api/v1/openapi.json`: the document above.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
