//! The pages loaded on demand. Each page's code is split out of the
//! first wasm module into a file of its own (`scripts/lib.sh`, `build_front`), fetched when the
//! page is first shown: the first load of the backlog carries the backlog and the shell, not
//! every page of the app. Data is not fetched here (`data` makes nothing), so a
//! page's resources start once its code has arrived; the code of a page is a few tens of KB,
//! cached for a year once fetched.
//!
//! Written out one by one: `#[lazy_route]` names a page's split by the type, and a macro
//! around it would give every page the same source position.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::*;

/// The account settings.
pub struct AccountRoute;

#[lazy_route]
impl LazyRoute for AccountRoute {
    fn data() -> Self {
        AccountRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <account::AccountPage/> }.into_any()
    }
}

/// A project's overview.
pub struct ProjectRoute;

#[lazy_route]
impl LazyRoute for ProjectRoute {
    fn data() -> Self {
        ProjectRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <project::ProjectPage/> }.into_any()
    }
}

/// An item.
pub struct ItemRoute;

#[lazy_route]
impl LazyRoute for ItemRoute {
    fn data() -> Self {
        ItemRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <item::ItemPage/> }.into_any()
    }
}

/// The board.
pub struct BoardRoute;

#[lazy_route]
impl LazyRoute for BoardRoute {
    fn data() -> Self {
        BoardRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <board::BoardPage/> }.into_any()
    }
}

/// The sprints.
pub struct SprintsRoute;

#[lazy_route]
impl LazyRoute for SprintsRoute {
    fn data() -> Self {
        SprintsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <sprints::SprintsPage/> }.into_any()
    }
}

/// An increment.
pub struct IncrementRoute;

#[lazy_route]
impl LazyRoute for IncrementRoute {
    fn data() -> Self {
        IncrementRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <sprints::IncrementPage/> }.into_any()
    }
}

/// Planning.
pub struct PlanningRoute;

#[lazy_route]
impl LazyRoute for PlanningRoute {
    fn data() -> Self {
        PlanningRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <planning::PlanningPage/> }.into_any()
    }
}

/// Planning poker.
pub struct PokerRoute;

#[lazy_route]
impl LazyRoute for PokerRoute {
    fn data() -> Self {
        PokerRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <poker::PokerPage/> }.into_any()
    }
}

/// Velocity, burndown and forecast.
pub struct VelocityRoute;

#[lazy_route]
impl LazyRoute for VelocityRoute {
    fn data() -> Self {
        VelocityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <velocity::VelocityPage/> }.into_any()
    }
}

/// The stand-up.
pub struct StandupRoute;

#[lazy_route]
impl LazyRoute for StandupRoute {
    fn data() -> Self {
        StandupRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <standup::StandupPage/> }.into_any()
    }
}

/// The reflection.
pub struct ReflectionRoute;

#[lazy_route]
impl LazyRoute for ReflectionRoute {
    fn data() -> Self {
        ReflectionRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <reflection::ReflectionPage/> }.into_any()
    }
}

/// Members.
pub struct MembersRoute;

#[lazy_route]
impl LazyRoute for MembersRoute {
    fn data() -> Self {
        MembersRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <members::MembersPage/> }.into_any()
    }
}

/// The caller's notifications.
pub struct InboxRoute;

#[lazy_route]
impl LazyRoute for InboxRoute {
    fn data() -> Self {
        InboxRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <inbox::InboxPage/> }.into_any()
    }
}

/// Project settings.
pub struct SettingsRoute;

#[lazy_route]
impl LazyRoute for SettingsRoute {
    fn data() -> Self {
        SettingsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <settings::SettingsPage/> }.into_any()
    }
}

/// Signing in.
pub struct LoginRoute;

#[lazy_route]
impl LazyRoute for LoginRoute {
    fn data() -> Self {
        LoginRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <auth::LoginPage/> }.into_any()
    }
}

/// Registering.
pub struct RegisterRoute;

#[lazy_route]
impl LazyRoute for RegisterRoute {
    fn data() -> Self {
        RegisterRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <auth::RegisterPage/> }.into_any()
    }
}

/// The list of projects.
pub struct ProjectsRoute;

#[lazy_route]
impl LazyRoute for ProjectsRoute {
    fn data() -> Self {
        ProjectsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <projects::ProjectsPage/> }.into_any()
    }
}
