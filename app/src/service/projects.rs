//! Projects, members and settings.

use super::{access, signed_in, Access};
use crate::auth::Caller;
use crate::db::projects::{self as db, ProjectRow};
use crate::db::users;
use crate::domain::account::initials_of;
use crate::domain::calendar::in_range;
use crate::domain::effort_chart::{EffortChartError, MAX_VALUES as MAX_CHART_VALUES};
use crate::domain::{
    EffortChart, Email, HolidayName, Permission, ProjectName, Role, Slug, VelocityWindow,
    WorkingWeek,
};
use crate::error::{AppError, FieldErrors};
use crate::model::projects::{
    ChartValue, HolidayEntry, Invitation, Member, ProjectInfo, ProjectSettings, ProjectSummary,
};
use sqlx::PgPool;

/// How many holidays a project may list (about three a year for three centuries).
const MAX_HOLIDAYS: usize = 1000;

/// How many "-2", "-3"… alternatives are tried when a slug is taken.
const SLUG_ATTEMPTS: u32 = 100;

/// Creates a project with a unique slug derived from its name; the caller is its owner and
/// it starts with the T-shirt effort chart.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn create(
    pool: &PgPool,
    caller: Option<&Caller>,
    name: &str,
) -> Result<ProjectSummary, AppError> {
    let caller = signed_in(caller)?;
    let name = ProjectName::parse(name).map_err(|e| AppError::validation("name", e))?;
    let mut tx = pool.begin().await?;
    let project = insert_unique(&mut tx, &name).await?;
    db::add_member(&mut tx, project.id, caller.id, Role::Owner.as_str()).await?;
    db::replace_chart(&mut tx, project.id, &chart_rows(&EffortChart::default())).await?;
    tx.commit().await?;
    Ok(ProjectSummary {
        slug: project.slug,
        name: project.name,
        role: Role::Owner,
        archived: false,
        members: 1,
    })
}

/// Inserts a project with a slug from its name, adding "-2", "-3"… when taken.
pub(crate) async fn insert_unique(
    tx: &mut sqlx::PgConnection,
    name: &ProjectName,
) -> Result<ProjectRow, AppError> {
    let base = Slug::from_name(name.as_str());
    for n in 1..=SLUG_ATTEMPTS {
        let slug = if n == 1 {
            base.clone()
        } else {
            base.with_suffix(n)
        };
        if let Some(row) = db::insert(tx, slug.as_str(), name.as_str()).await? {
            return Ok(row);
        }
    }
    Err(AppError::validation(
        "name",
        "too many projects have this name: choose another",
    ))
}

/// Writes checked settings inside the caller's transaction.
pub(crate) async fn write_settings(
    tx: &mut sqlx::PgConnection,
    project_id: uuid::Uuid,
    settings: &ValidSettings,
) -> Result<(), AppError> {
    db::replace_chart(tx, project_id, &chart_rows(&settings.chart)).await?;
    let days: Vec<i16> = settings.week.days().iter().map(|&d| i16::from(d)).collect();
    db::set_calendar(tx, project_id, &days, i16::from(settings.window.get())).await?;
    db::replace_holidays(tx, project_id, &settings.holidays).await?;
    Ok(())
}

pub async fn mine(pool: &PgPool, caller: Option<&Caller>) -> Result<Vec<ProjectSummary>, AppError> {
    let caller = signed_in(caller)?;
    db::for_user(pool, caller.id)
        .await?
        .into_iter()
        .map(|r| {
            Ok(ProjectSummary {
                role: r.role,
                slug: r.slug,
                name: r.name,
                archived: r.archived_at.is_some(),
                members: r.members,
            })
        })
        .collect()
}

pub async fn detail(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<ProjectInfo, AppError> {
    let access = access(pool, caller, slug, Permission::Read).await?;
    let settings = settings_with(pool, &access.project, access.chart_rows().to_vec()).await?;
    Ok(ProjectInfo {
        slug: access.project.slug,
        name: access.project.name,
        role: access.role,
        archived: access.project.archived_at.is_some(),
        settings,
        latest_change: access.latest_change,
    })
}

pub(crate) async fn settings_of(
    pool: &PgPool,
    project: &ProjectRow,
) -> Result<ProjectSettings, AppError> {
    let chart = db::chart(pool, project.id).await?;
    settings_with(pool, project, chart).await
}

/// The settings document, given the project's effort chart as stored.
async fn settings_with(
    pool: &PgPool,
    project: &ProjectRow,
    chart: Vec<(i16, String)>,
) -> Result<ProjectSettings, AppError> {
    let holidays = db::holidays(pool, project.id).await?;
    Ok(ProjectSettings {
        effort_chart: chart
            .into_iter()
            .map(|(points, label)| ChartValue {
                points: points as u8,
                label,
            })
            .collect(),
        working_days: project.working_days.iter().map(|&d| d as u8).collect(),
        holidays: holidays
            .into_iter()
            .map(|h| HolidayEntry {
                date: h.day,
                name: h.name,
            })
            .collect(),
        velocity_window: project.velocity_window as u8,
    })
}

fn chart_rows(chart: &EffortChart) -> Vec<(i16, String)> {
    chart
        .entries()
        .iter()
        .map(|e| (i16::from(e.points.value()), e.label.clone()))
        .collect()
}

/// A settings document that passed every check.
pub struct ValidSettings {
    pub chart: EffortChart,
    pub week: WorkingWeek,
    pub holidays: Vec<(chrono::NaiveDate, String)>,
    pub window: VelocityWindow,
}

/// Checks a whole settings document, reporting every field that is wrong.
pub fn validate_settings(input: &ProjectSettings) -> Result<ValidSettings, AppError> {
    let mut errors = FieldErrors::default();
    // Lists too long to be right are refused before anything is copied or compared.
    let chart = if input.effort_chart.len() > MAX_CHART_VALUES {
        errors.add(
            "effort_chart",
            EffortChartError::TooMany(input.effort_chart.len()),
        );
        None
    } else {
        let pairs: Vec<(i64, String)> = input
            .effort_chart
            .iter()
            .map(|v| (i64::from(v.points), v.label.clone()))
            .collect();
        EffortChart::parse(&pairs)
            .map_err(|e| errors.add("effort_chart", e))
            .ok()
    };
    let week = if input.working_days.len() > 7 {
        errors.add(
            "working_days",
            format!(
                "a week has 7 days: list each working day once, not {} days",
                input.working_days.len()
            ),
        );
        None
    } else {
        let days: Vec<i64> = input.working_days.iter().map(|&d| i64::from(d)).collect();
        WorkingWeek::parse(&days)
            .map_err(|e| errors.add("working_days", e))
            .ok()
    };
    let window = VelocityWindow::parse(i64::from(input.velocity_window))
        .map_err(|e| errors.add("velocity_window", e))
        .ok();
    if input.holidays.len() > MAX_HOLIDAYS {
        errors.add(
            "holidays",
            format!(
                "at most {MAX_HOLIDAYS} holidays, not {}",
                input.holidays.len()
            ),
        );
    }
    let mut holidays = Vec::with_capacity(input.holidays.len().min(MAX_HOLIDAYS));
    let mut seen = std::collections::BTreeSet::new();
    for h in input.holidays.iter().take(MAX_HOLIDAYS) {
        if let Err(e) = in_range(h.date) {
            errors.add("holidays", e);
            continue;
        }
        match HolidayName::parse(&h.name) {
            Ok(name) if seen.insert(h.date) => holidays.push((h.date, name.as_str().to_owned())),
            Ok(_) => errors.add("holidays", format!("{} is listed twice", h.date)),
            Err(e) => errors.add("holidays", format!("{}: {e}", h.date)),
        }
    }
    holidays.sort();
    match (chart, week, window) {
        (Some(chart), Some(week), Some(window)) if errors.is_empty() => Ok(ValidSettings {
            chart,
            week,
            holidays,
            window,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Replaces the project's settings (owners and scrum masters); all or nothing.
#[tracing::instrument(skip(pool, caller, input), err(level = "info"))]
pub async fn update_settings(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    input: &ProjectSettings,
) -> Result<ProjectSettings, AppError> {
    let Access { project, .. } = access(pool, caller, slug, Permission::EditSettings).await?;
    let settings = validate_settings(input)?;
    let mut tx = pool.begin().await?;
    write_settings(&mut tx, project.id, &settings).await?;
    tx.commit().await?;
    let project = access(pool, caller, slug, Permission::Read).await?.project;
    settings_of(pool, &project).await
}

pub async fn rename(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    name: &str,
) -> Result<(), AppError> {
    let Access { project, .. } = access(pool, caller, slug, Permission::Administer).await?;
    if project.archived_at.is_some() {
        return Err(AppError::Conflict(
            "this project is archived: unarchive it to rename it".into(),
        ));
    }
    let name = ProjectName::parse(name).map_err(|e| AppError::validation("name", e))?;
    db::rename(pool, project.id, name.as_str()).await?;
    Ok(())
}

pub async fn set_archived(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    archived: bool,
) -> Result<(), AppError> {
    let access = access(pool, caller, slug, Permission::Administer).await?;
    let at = access.caller.clock.now();
    db::set_archived(pool, access.project.id, archived, at).await?;
    Ok(())
}

/// Deletes the project and everything in it. The caller confirms by typing its name.
pub async fn delete(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    confirm_name: &str,
) -> Result<(), AppError> {
    let Access { project, .. } = access(pool, caller, slug, Permission::Administer).await?;
    if confirm_name.trim() != project.name {
        return Err(AppError::validation(
            "confirm_name",
            format!("type the project's name, {:?}, to delete it", project.name),
        ));
    }
    db::delete(pool, project.id).await?;
    Ok(())
}

pub async fn members(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
) -> Result<Vec<Member>, AppError> {
    let Access { project, .. } = access(pool, caller, slug, Permission::Read).await?;
    db::members(pool, project.id)
        .await?
        .into_iter()
        .map(|m| {
            Ok(Member {
                initials: initials_of(&m.display_name),
                role: m.role,
                email: m.email,
                display_name: m.display_name,
            })
        })
        .collect()
}

/// The caller's pending invitations (projects an import named them in).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn invitations(
    pool: &PgPool,
    caller: Option<&Caller>,
) -> Result<Vec<Invitation>, AppError> {
    let caller = signed_in(caller)?;
    Ok(db::invitations_for(pool, caller.id)
        .await?
        .into_iter()
        .map(|r| Invitation {
            slug: r.slug,
            name: r.name,
            role: r.role,
            invited_by: r.invited_by,
        })
        .collect())
}

/// Accepts (the caller becomes a member with the role the invitation offers) or declines
/// (the invitation is gone, nothing else changes) an invitation. 404 when there is none:
/// the same answer whether the project exists or not.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn answer_invitation(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    accept: bool,
) -> Result<(), AppError> {
    let caller = signed_in(caller)?;
    let mut tx = pool.begin().await?;
    let (project_id, role) = db::take_invitation(&mut tx, slug, caller.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if accept {
        // Already a member (an owner added them meanwhile): their role stays as it is.
        db::add_member(&mut tx, project_id, caller.id, role.as_str()).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw).map_err(|e| AppError::validation("role", e))
}

/// Adds an existing account to the project (owners only).
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn add_member(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    email: &str,
    role: &str,
) -> Result<Member, AppError> {
    let Access { project, .. } = access(pool, caller, slug, Permission::Administer).await?;
    let mut errors = FieldErrors::default();
    let email = Email::parse(email).map_err(|e| errors.add("email", e)).ok();
    let role = parse_role(role)
        .map_err(|e| errors.add("role", e.field("role").unwrap_or_default()))
        .ok();
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AppError::Validation(errors));
    };
    // Owners add people they work with; telling them an address has no account here is
    // what they need to know (it reveals nothing a registration attempt would not).
    let user = users::find_by_email(pool, &email.normalized())
        .await?
        .ok_or_else(|| {
            AppError::validation(
                "email",
                "nobody has an account with this email: ask them to register first",
            )
        })?;
    let mut tx = pool.begin().await?;
    db::lock_member(&mut tx, project.id, user.id).await?;
    if !db::add_member(&mut tx, project.id, user.id, role.as_str()).await? {
        return Err(AppError::Conflict(format!(
            "{} is already a member of this project",
            user.email
        )));
    }
    tx.commit().await?;
    Ok(Member {
        initials: initials_of(&user.display_name),
        email: user.email,
        display_name: user.display_name,
        role,
    })
}

/// Changes a member's role (owners only); the last owner cannot be demoted.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn set_member_role(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    email: &str,
    role: &str,
) -> Result<(), AppError> {
    let Access { project, .. } = access(pool, caller, slug, Permission::Administer).await?;
    let role = parse_role(role)?;
    let (mut tx, user_id, current) = lock_existing_member(pool, project.id, email).await?;
    if current == Role::Owner
        && role != Role::Owner
        && db::owner_count(&mut tx, project.id).await? <= 1
    {
        return Err(AppError::Conflict(
            "a project needs an owner: make someone else owner first".into(),
        ));
    }
    db::set_role(&mut tx, project.id, user_id, role.as_str()).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member (owners only); the last owner cannot be removed.
#[tracing::instrument(skip(pool, caller), err(level = "info"))]
pub async fn remove_member(
    pool: &PgPool,
    caller: Option<&Caller>,
    slug: &str,
    email: &str,
) -> Result<(), AppError> {
    let Access { project, .. } = access(pool, caller, slug, Permission::Administer).await?;
    let (mut tx, user_id, current) = lock_existing_member(pool, project.id, email).await?;
    if current == Role::Owner && db::owner_count(&mut tx, project.id).await? <= 1 {
        return Err(AppError::Conflict(
            "a project needs an owner: make someone else owner before removing this one".into(),
        ));
    }
    db::remove_member(&mut tx, project.id, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a transaction holding the project's lock and finds the member by email.
async fn lock_existing_member(
    pool: &PgPool,
    project_id: uuid::Uuid,
    email: &str,
) -> Result<(sqlx::Transaction<'static, sqlx::Postgres>, uuid::Uuid, Role), AppError> {
    let email = Email::parse(email).map_err(|e| AppError::validation("email", e))?;
    let user = users::find_by_email(pool, &email.normalized())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = pool.begin().await?;
    let role = db::lock_member(&mut tx, project_id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((tx, user.id, role))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::accounts;

    async fn caller(pool: &PgPool, email: &str) -> Caller {
        let row = accounts::register(pool, email, "Someone", "a long enough password")
            .await
            .unwrap();
        Caller {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            session: None,
            clock: crate::clock::Clock::system(),
            memberships: Default::default(),
        }
    }

    /// Two owners demoting each other at the same moment: the project lock makes one wait,
    /// so one demotion wins and the project keeps an owner.
    #[sqlx::test(migrations = "../migrations")]
    async fn concurrent_demotions_cannot_leave_a_project_without_an_owner(pool: PgPool) {
        let ada = caller(&pool, "ada@example.com").await;
        let bob = caller(&pool, "bob@example.com").await;
        let project = create(&pool, Some(&ada), "Shop").await.unwrap();
        add_member(&pool, Some(&ada), &project.slug, &bob.email, "owner")
            .await
            .unwrap();

        for _ in 0..5 {
            let (a, b) = tokio::join!(
                set_member_role(&pool, Some(&ada), &project.slug, &bob.email, "member"),
                set_member_role(&pool, Some(&bob), &project.slug, &ada.email, "member"),
            );
            let owners: Vec<Member> = members(&pool, Some(&ada), &project.slug)
                .await
                .or(members(&pool, Some(&bob), &project.slug).await)
                .unwrap()
                .into_iter()
                .filter(|m| m.role == Role::Owner)
                .collect();
            assert_eq!(owners.len(), 1, "{a:?} {b:?}");
            assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
            // Restore two owners for the next round.
            let owner = if a.is_ok() { &ada } else { &bob };
            let other = if a.is_ok() { &bob.email } else { &ada.email };
            set_member_role(&pool, Some(owner), &project.slug, other, "owner")
                .await
                .unwrap();
        }
    }

    #[test]
    fn a_settings_document_reports_all_its_problems_at_once() {
        let input = ProjectSettings {
            effort_chart: vec![ChartValue {
                points: 3,
                label: "M".into(),
            }],
            working_days: vec![8],
            holidays: vec![
                HolidayEntry {
                    date: chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
                    name: "Christmas".into(),
                },
                HolidayEntry {
                    date: chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
                    name: "Again".into(),
                },
            ],
            velocity_window: 13,
        };
        let Err(AppError::Validation(errors)) = validate_settings(&input) else {
            panic!("expected a validation error");
        };
        assert_eq!(
            errors.get("effort_chart"),
            Some("an effort chart needs at least two values")
        );
        assert!(errors.get("working_days").unwrap().contains('8'));
        assert_eq!(errors.get("holidays"), Some("2026-12-25 is listed twice"));
        assert!(errors.get("velocity_window").is_some());
    }
}
