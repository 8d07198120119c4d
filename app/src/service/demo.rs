//! `server demo`: the article's Dunder Mifflin project with real history, for a first look.
//!
//! Everything goes through the services, as the people of the story would have done it, each
//! step at its own moment (the service clock is set to that day): the team signs up, the
//! "Online store" epic is broken into its five child tasks, a sprint of six two-week
//! increments is planned so that today falls in its fourth, the first three are run and
//! closed (so velocity, burndown and reflections are real), the fourth is under way with
//! today's stand-up notes and a blocked item. Running it again changes nothing.

use crate::auth::Caller;
use crate::clock::Clock;
use crate::error::AppError;
use crate::model::items::{Item, ItemPatch, NewItem};
use crate::model::sprints::{Closing, Commitment, NewSprint};
use crate::model::standup::NoteInput;
use crate::service::{accounts, items, projects, reflection, sprints, standup};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use sqlx::PgPool;

pub const PROJECT: &str = "Dunder Mifflin Paper Company";
/// Every demo account signs in with this password (it is printed; the demo is for a look).
pub const PASSWORD: &str = "dunder mifflin demo";

/// The team: (email, name, role). The first is the owner, who runs the planning.
const TEAM: [(&str, &str, &str); 4] = [
    ("michael@dunder-mifflin.example", "Michael Scott", "owner"),
    ("jim@dunder-mifflin.example", "Jim Halpert", "member"),
    ("pam@dunder-mifflin.example", "Pam Beesly", "member"),
    ("dwight@dunder-mifflin.example", "Dwight Schrute", "member"),
];

/// What `server demo` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demo {
    pub email: &'static str,
    pub password: &'static str,
    pub slug: String,
    /// False when the demo was already there (nothing was changed).
    pub created: bool,
}

/// One piece of work of the story: (title, kind, points, parent is the epic, assignee).
struct Work {
    title: &'static str,
    kind: &'static str,
    points: i64,
    child: bool,
    who: usize,
}

const fn work(title: &'static str, kind: &'static str, points: i64, who: usize) -> Work {
    Work {
        title,
        kind,
        points,
        child: false,
        who,
    }
}

const fn child(title: &'static str, points: i64, who: usize) -> Work {
    Work {
        title,
        kind: "task",
        points,
        child: true,
        who,
    }
}

/// The backlog, in rank order. Indexes into it name the work below.
const BACKLOG: [Work; 16] = [
    work(
        "Home page says \"Online Orders Coming Soon!\"",
        "task",
        1,
        1,
    ), // 0
    work("Set up the web app and its pipeline", "task", 3, 3), // 1
    child("Display items", 1, 2),                              // 2
    child("Display item prices", 1, 2),                        // 3
    child("Create item database and records", 3, 3),           // 4
    child("Create storage for item pics", 1, 1),               // 5
    child("Create cart", 5, 1),                                // 6
    work("Customers sign in with their account number", "task", 3, 3), // 7
    work("Prices show without cents", "bug", 1, 2),            // 8
    work("Order history page", "task", 5, 1),                  // 9
    work("Checkout with invoice payment", "task", 8, 3),       // 10
    work("Order confirmation email", "task", 3, 2),            // 11
    work("Import the paper catalog from the warehouse", "task", 8, 3), // 12
    work("Sales dashboard for the regional manager", "task", 5, 1), // 13
    work("Cart forgets items after sign-in", "bug", 2, 2),     // 14
    work("Bulk order discounts", "task", 5, 1),                // 15
];

/// Per increment: the work committed, and for each piece the business day (0-based) it was
/// finished on, or None when it was not finished in the increment.
type Plan = &'static [(usize, Option<u32>)];
const INCREMENTS: [Plan; 4] = [
    &[
        (0, Some(1)),
        (1, Some(4)),
        (2, Some(6)),
        (3, Some(7)),
        (8, Some(9)),
    ],
    &[(4, Some(3)), (5, Some(2)), (7, Some(8)), (6, None)],
    &[(6, Some(2)), (9, Some(6)), (11, Some(8)), (14, Some(4))],
    &[(10, None), (12, None), (13, Some(1)), (15, None)],
];

/// The epic's own line: the "Online store" the five child tasks break down.
const EPIC: (&str, i64) = ("Online store", 13);

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).expect("a valid hour"))
}

/// The `n`th business day (Monday to Friday) from `start` (a Monday), 0-based.
fn business_day(start: NaiveDate, n: u32) -> NaiveDate {
    start + Duration::days(i64::from(n / 5 * 7 + n % 5))
}

/// An item's version now (planning changes it too).
async fn version(pool: &PgPool, caller: &Caller, slug: &str, number: i32) -> Result<i32, AppError> {
    Ok(items::detail(pool, Some(caller), slug, number)
        .await?
        .item
        .version)
}

struct Team {
    people: Vec<Caller>,
}

impl Team {
    /// Person `who`, acting at `when`.
    fn at(&self, who: usize, when: DateTime<Utc>) -> Caller {
        let mut caller = self.people[who].clone();
        caller.clock = Clock::starting_at(when);
        caller.memberships = Default::default();
        caller
    }
}

/// Creates the demo (or finds it there). `clock` gives today.
pub async fn create(pool: &PgPool, clock: &Clock) -> Result<Demo, AppError> {
    let today = clock.today();
    let mut people = Vec::new();
    for (email, name, _) in TEAM {
        let row = match accounts::find(pool, email).await {
            Ok(row) => row,
            Err(AppError::NotFound) => accounts::register(pool, email, name, PASSWORD).await?,
            Err(e) => return Err(e),
        };
        people.push(Caller {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            session: None,
            clock: clock.clone(),
            memberships: Default::default(),
        });
    }
    let team = Team { people };
    let owner = &team.people[0];
    if let Some(project) = projects::mine(pool, Some(owner))
        .await?
        .into_iter()
        .find(|p| p.name == PROJECT)
    {
        return Ok(Demo {
            email: TEAM[0].0,
            password: PASSWORD,
            slug: project.slug,
            created: false,
        });
    }

    // The sprint: six two-week increments from the Monday six weeks before this week's, so
    // today is in the fourth.
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let start = monday - Duration::weeks(6);
    let before = at(start - Duration::days(3), 9);

    let michael = team.at(0, before);
    let slug = projects::create(pool, Some(&michael), PROJECT).await?.slug;
    for (who, (email, _, role)) in TEAM.iter().enumerate().skip(1) {
        projects::add_member(
            pool,
            Some(&team.at(0, before + Duration::minutes(who as i64))),
            &slug,
            email,
            role,
        )
        .await?;
    }

    // The backlog: the epic first, then the work in rank order.
    let epic = items::create(
        pool,
        Some(&michael),
        &slug,
        &NewItem {
            kind: Some("epic".into()),
            title: EPIC.0.into(),
            description: Some(
                "Customers order paper online: browse the catalog, fill a cart, check out.".into(),
            ),
            estimate: Some(EPIC.1),
            ..Default::default()
        },
    )
    .await?;
    let mut made: Vec<Item> = Vec::new();
    for w in &BACKLOG {
        made.push(
            items::create(
                pool,
                Some(&michael),
                &slug,
                &NewItem {
                    kind: Some(w.kind.into()),
                    title: w.title.into(),
                    parent: w.child.then_some(epic.number),
                    estimate: Some(w.points),
                    assignee: Some(TEAM[w.who].0.into()),
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    let number = |index: usize| made[index].number;

    let sprint = sprints::create(
        pool,
        Some(&michael),
        &slug,
        &NewSprint {
            name: format!(
                "Online store, {}–{}",
                start.format("%b"),
                (start + Duration::weeks(12) - Duration::days(1)).format("%b %Y")
            ),
            starts_on: start.to_string(),
            ends_on: (start + Duration::weeks(12) - Duration::days(1)).to_string(),
            increment_weeks: Some("2".into()),
        },
    )
    .await?;

    let now = clock.now();
    for (k, plan) in INCREMENTS.iter().enumerate() {
        let increment = &sprint.increments[k];
        let first = increment.starts_on;
        let opening = at(first, 9).min(now);
        let planner = team.at(0, opening);
        // Work carried from the increment before is already committed.
        let fresh: Vec<i32> = plan.iter().map(|(i, _)| number(*i)).collect();
        let already = sprints::report(pool, Some(&planner), &slug, increment.id)
            .await?
            .items
            .into_iter()
            .map(|i| i.number)
            .collect::<Vec<_>>();
        let commit: Vec<i32> = fresh.into_iter().filter(|n| !already.contains(n)).collect();
        sprints::commit(
            pool,
            Some(&planner),
            &slug,
            increment.id,
            &Commitment { items: commit },
        )
        .await?;
        sprints::start(pool, Some(&planner), &slug, increment.id).await?;

        // The work, day by day: started the business day before it is finished (or the first
        // day), finished on its day; nothing happens after the real now.
        for (index, finished) in plan.iter() {
            let w = &BACKLOG[*index];
            let n = number(*index);
            let started_on = business_day(first, finished.map_or(0, |d| d.saturating_sub(1)));
            let steps = [
                Some((at(started_on, 10), "doing")),
                finished.map(|d| (at(business_day(first, d), 15), "done")),
            ];
            for (when, state) in steps.into_iter().flatten() {
                if when > now {
                    continue;
                }
                let person = team.at(w.who, when);
                items::update(
                    pool,
                    Some(&person),
                    &slug,
                    n,
                    &ItemPatch {
                        version: version(pool, &person, &slug, n).await?,
                        state: Some(state.into()),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }

        if k < 3 {
            // The weekly reflection, then the close: what was not finished goes on.
            let cards: [(usize, u8, &str, &str); 4] = [
                (
                    2,
                    1,
                    "went_well",
                    "The pipeline deploys every merge within ten minutes",
                ),
                (
                    1,
                    1,
                    "went_badly",
                    "Stand-ups ran long on Monday and Tuesday",
                ),
                (
                    3,
                    2,
                    "went_badly",
                    "The warehouse answers questions a day late",
                ),
                (
                    0,
                    2,
                    "action",
                    "Keep stand-ups to fifteen minutes, details afterwards",
                ),
            ];
            for (who, week, kind, body) in cards {
                let when = at(business_day(first, u32::from(week) * 5 - 1), 16);
                let card = reflection::add(
                    pool,
                    Some(&team.at(who, when)),
                    &slug,
                    increment.id,
                    week,
                    kind,
                    &format!("{body} (increment {})", k + 1),
                )
                .await?;
                reflection::vote(
                    pool,
                    Some(&team.at((who + 1) % 4, when)),
                    &slug,
                    card.id,
                    true,
                )
                .await?;
            }
            sprints::close(
                pool,
                Some(&team.at(0, at(business_day(first, 9), 17))),
                &slug,
                increment.id,
                &Closing {
                    carry: crate::domain::sprint::Carry::Next,
                    items: Vec::new(),
                },
            )
            .await?;
        }
    }

    // Today: the import waits for the warehouse, and the stand-up says so.
    let blocked = number(12);
    let dwight = team.at(3, now);
    items::update(
        pool,
        Some(&dwight),
        &slug,
        blocked,
        &ItemPatch {
            version: version(pool, &dwight, &slug, blocked).await?,
            blocked: Some(true),
            blocked_reason: Some("Waiting for the warehouse's price list".into()),
            ..Default::default()
        },
    )
    .await?;
    let day = today.to_string();
    let notes: [(usize, &str, &str, &str); 3] = [
        (
            1,
            "Order history page design review",
            "Checkout with invoice payment",
            "",
        ),
        (
            3,
            "Mapped the warehouse catalog fields",
            "Catalog import, once the price list arrives",
            "Waiting for the warehouse's price list",
        ),
        (2, "Dashboard charts", "Bulk order discounts", ""),
    ];
    for (who, yesterday, today_text, blockers) in notes {
        standup::save_note(
            pool,
            Some(&team.at(who, now)),
            &slug,
            &day,
            &NoteInput {
                yesterday: yesterday.into(),
                today: today_text.into(),
                blockers: blockers.into(),
            },
        )
        .await?;
    }

    Ok(Demo {
        email: TEAM[0].0,
        password: PASSWORD,
        slug,
        created: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sprint::IncrementState;

    #[test]
    fn business_days_skip_weekends() {
        let monday = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(business_day(monday, 0), monday);
        assert_eq!(business_day(monday, 4), monday + Duration::days(4));
        assert_eq!(business_day(monday, 5), monday + Duration::days(7));
        assert_eq!(business_day(monday, 9), monday + Duration::days(11));
    }

    /// The demo has the story's shape, and a second run changes nothing.
    #[sqlx::test(migrations = "../migrations")]
    async fn the_demo_tells_the_story_once(pool: PgPool) {
        story(&pool, Clock::system()).await;
    }

    /// Whatever day it is run: before the work of a Monday began, and on a Sunday.
    #[sqlx::test(migrations = "../migrations")]
    async fn the_demo_is_whole_early_on_a_monday(pool: PgPool) {
        story(
            &pool,
            Clock::starting_at(at(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 7)),
        )
        .await;
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_demo_is_whole_on_a_sunday(pool: PgPool) {
        story(
            &pool,
            Clock::starting_at(at(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(), 20)),
        )
        .await;
    }

    async fn story(pool: &PgPool, clock: Clock) {
        let pool = pool.clone();
        let demo = create(&pool, &clock).await.unwrap();
        assert!(demo.created);
        let again = create(&pool, &clock).await.unwrap();
        assert!(!again.created);
        assert_eq!(again.slug, demo.slug);

        let row = accounts::find(&pool, demo.email).await.unwrap();
        let michael = Caller {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            session: None,
            clock: clock.clone(),
            memberships: Default::default(),
        };
        let me = Some(&michael);
        assert_eq!(projects::mine(&pool, me).await.unwrap().len(), 1);

        let all = items::list_filtered(&pool, me, &demo.slug, &Default::default(), false)
            .await
            .unwrap()
            .items;
        let epic = all.iter().find(|i| i.title == "Online store").unwrap();
        let children: Vec<_> = all
            .iter()
            .filter(|i| i.parent == Some(epic.number))
            .collect();
        assert_eq!(children.len(), 5);

        let listed = sprints::list(&pool, me, &demo.slug).await.unwrap();
        assert_eq!(listed.len(), 1);
        let increments = &listed[0].increments;
        assert_eq!(increments.len(), 6);
        let states: Vec<_> = increments.iter().map(|i| i.state).collect();
        assert_eq!(
            states,
            [
                IncrementState::Closed,
                IncrementState::Closed,
                IncrementState::Closed,
                IncrementState::Active,
                IncrementState::Planned,
                IncrementState::Planned
            ]
        );
        let today = clock.today();
        assert!(increments[3].starts_on <= today && today <= increments[3].ends_on);

        let velocity = sprints::velocity(&pool, me, &demo.slug).await.unwrap();
        let closed: Vec<_> = velocity
            .increments
            .iter()
            .filter(|p| p.velocity.is_some())
            .collect();
        assert!(closed.len() >= 3, "{velocity:?}");
        assert!(closed.iter().all(|p| p.completed > 0), "{velocity:?}");

        let report = sprints::report(&pool, me, &demo.slug, increments[0].id)
            .await
            .unwrap();
        assert!(report.frozen);
        assert!(report.report.is_some());

        let board = reflection::board(&pool, me, &demo.slug, Some(increments[0].id), None)
            .await
            .unwrap();
        assert!(!board.cards.is_empty());

        let standup = standup::standup(&pool, me, &demo.slug, None).await.unwrap();
        assert_eq!(
            standup.people.iter().filter(|p| p.note.is_some()).count(),
            3
        );
        assert!(standup.people.iter().any(|p| p
            .blockers
            .iter()
            .any(
                |i| i.blocked_reason.as_deref() == Some("Waiting for the warehouse's price list")
            )));
    }
}
