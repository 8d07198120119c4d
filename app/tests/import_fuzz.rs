//! Fuzzing the import: a valid document, mutated at random (values replaced with odd ones,
//! fields removed, list entries repeated, unknown fields added), or any JSON at all, or any
//! bytes, given to `service::export::import`. Whatever comes in, the import answers with a
//! refusal the importer can act on, or a new project: never a panic, never a 500.
//!
//! A few dozen cases run with the tests; for a long run:
//! `PROPTEST_CASES=5000 SQLX_OFFLINE=false DATABASE_URL=… ./x cargo test -p app --features app/ssr --test import_fuzz -- --nocapture`
//! (4,000 cases take about ten seconds; `--nocapture` shows how the imports answered).
#![cfg(feature = "ssr")]

use app::auth::Caller;
use app::error::AppError;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use sqlx::PgPool;

/// The case count: `PROPTEST_CASES` when set (a long run by hand), else a quick 48.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

/// A document with something of every kind: members, a closed and an active increment with
/// a commitment and a report, an epic with a child, history, a note and a voted card.
fn seed() -> Value {
    json!({
        "schema": "cadence.project", "version": 1, "exported_at": "2026-11-30T12:00:00Z",
        "project": {"name": "Fuzzed", "slug": "fuzzed", "archived": false,
            "settings": {"effort_chart": [{"points": 1, "label": "S"}, {"points": 3, "label": "M"}],
                         "working_days": [1, 2, 3, 4, 5],
                         "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
                         "velocity_window": 3}},
        "members": [
            {"email": "importer@example.com", "display_name": "Ida Importer", "role": "owner"},
            {"email": "bob@example.com", "display_name": "Bob", "role": "member"}
        ],
        "sprints": [{"name": "Q1", "starts_on": "2026-01-05", "ends_on": "2026-01-30",
            "increment_weeks": 2, "increments": [
                {"key": 1, "number": 1, "starts_on": "2026-01-05", "ends_on": "2026-01-16",
                 "state": "closed", "started_at": "2026-01-05T09:00:00Z",
                 "closed_at": "2026-01-16T17:00:00Z", "committed_points": 3,
                 "commitment": [{"number": 2, "points": 3}],
                 "report": {"committed": 3, "added": 0, "removed": 0, "completed": 3,
                            "business_days": 10, "velocity": 0.3, "days": []}},
                {"key": 2, "number": 2, "starts_on": "2026-01-19", "ends_on": "2026-01-30",
                 "state": "active", "started_at": "2026-01-19T09:00:00Z", "closed_at": null,
                 "committed_points": 0, "commitment": [], "report": null}
            ]}],
        "items": [
            {"number": 1, "kind": "epic", "parent": null, "title": "Checkout",
             "description": "# Pay\n\n[link](https://x.example/)", "estimate": null,
             "assignee": null, "state": "todo", "blocked": false, "blocked_reason": null,
             "rank": 1024, "version": 1, "creator": "importer@example.com",
             "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z",
             "done_at": null, "deleted_at": null, "increment": null, "history": []},
            {"number": 2, "kind": "task", "parent": 1, "title": "Card payments",
             "description": "", "estimate": 3, "assignee": "bob@example.com",
             "state": "done", "blocked": false, "blocked_reason": null, "rank": 2048,
             "version": 3, "creator": "bob@example.com",
             "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-14T09:00:00Z",
             "done_at": "2026-01-14T09:00:00Z", "deleted_at": null, "increment": 1,
             "history": [{"actor": "bob@example.com", "at": "2026-01-14T09:00:00Z",
                          "field": "state", "old": "doing", "new": "done"}]},
            {"number": 3, "kind": "bug", "parent": null, "title": "Total is wrong",
             "description": "", "estimate": 1, "assignee": null, "state": "doing",
             "blocked": true, "blocked_reason": "Waiting on finance", "rank": 3072,
             "version": 1, "creator": null, "created_at": "2026-01-19T09:00:00Z",
             "updated_at": "2026-01-19T09:00:00Z", "done_at": null, "deleted_at": null,
             "increment": 2, "history": []}
        ],
        "standup_notes": [{"email": "importer@example.com", "day": "2026-01-20",
            "yesterday": "Cart", "today": "Totals", "blockers": "",
            "updated_at": "2026-01-20T09:00:00Z"}],
        "reflections": [{"increment": 1, "week": 1, "kind": "action", "body": "Pair more",
            "author": "importer@example.com", "group_name": null, "position": 1, "item": null,
            "created_at": "2026-01-16T09:00:00Z", "votes": ["importer@example.com"]}]
    })
}

/// Odd values: wrong types, edges of the number ranges, impossible dates, odd text.
fn odd_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        proptest::sample::select(vec![
            json!(0),
            json!(-1),
            json!(i32::MAX),
            json!(i32::MAX as i64 + 1),
            json!(i32::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1e308),
            json!(-1e-320),
            json!(0.5),
            json!(1_000_001),
            json!(""),
            json!(" "),
            json!("0000-01-01"),
            json!("9999-12-31"),
            json!("2026-02-30"),
            json!("2026-01-05T09:00:00Z"),
            json!("+275760-09-13T00:00:00Z"),
            json!("owner"),
            json!("epic"),
            json!("closed"),
            json!("IMPORTER@example.com"),
            json!("bob@example.com"),
            json!("x".repeat(70_000)),
        ]),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a document; `at` picks a place (any value in it, counted in order).
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, Value),
    Remove(usize),
    /// An entry of a list, once more (a repeated number, key or email).
    Repeat(usize),
    /// A field the format does not have.
    Unknown(usize, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        4 => (at, odd_value()).prop_map(|(a, v)| Mutation::Replace(a, v)),
        2 => at.prop_map(Mutation::Remove),
        2 => at.prop_map(Mutation::Repeat),
        1 => (at, odd_value()).prop_map(|(a, v)| Mutation::Unknown(a, v)),
    ]
}

/// JSON pointers to every value in `doc` but the root, in order.
fn places(doc: &Value, here: String, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                let place = format!("{here}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(place.clone());
                places(value, place, out);
            }
        }
        Value::Array(list) => {
            for (i, value) in list.iter().enumerate() {
                let place = format!("{here}/{i}");
                out.push(place.clone());
                places(value, place, out);
            }
        }
        _ => {}
    }
}

fn apply(doc: &mut Value, change: &Mutation) {
    let mut all = Vec::new();
    places(doc, String::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let pick = |at: &usize| all[at % all.len()].clone();
    let parent_of = |place: &str| place[..place.rfind('/').unwrap()].to_owned();
    let last_of = |place: &str| place[place.rfind('/').unwrap() + 1..].to_owned();
    match change {
        Mutation::Replace(at, value) => *doc.pointer_mut(&pick(at)).unwrap() = value.clone(),
        Mutation::Remove(at) => {
            let place = pick(at);
            let last = last_of(&place);
            match doc.pointer_mut(&parent_of(&place)).unwrap() {
                Value::Object(map) => {
                    map.remove(&last.replace("~1", "/").replace("~0", "~"));
                }
                Value::Array(list) => {
                    list.remove(last.parse::<usize>().unwrap());
                }
                _ => unreachable!("a place's parent holds it"),
            }
        }
        Mutation::Repeat(at) => {
            let place = pick(at);
            let value = doc.pointer(&place).unwrap().clone();
            if let Value::Array(list) = doc.pointer_mut(&parent_of(&place)).unwrap() {
                list.push(value);
            }
        }
        Mutation::Unknown(at, value) => {
            let place = pick(at);
            if let Value::Object(map) = doc.pointer_mut(&place).unwrap() {
                map.insert("surprise".into(), value.clone());
            }
        }
    }
}

/// What is sent: the seed with a few changes, any JSON, or any bytes.
fn document() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // A name of its own, so imports keep finding a free URL name (after a hundred
        // projects of one name, the next is refused).
        6 => (proptest::collection::vec(mutation(), 1..5), any::<u32>()).prop_map(
            |(changes, n)| {
                let mut doc = seed();
                doc["project"]["name"] = json!(format!("Fuzzed {n}"));
                for change in &changes {
                    apply(&mut doc, change);
                }
                serde_json::to_vec(&doc).unwrap()
            }
        ),
        1 => odd_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ]
}

async fn importer(pool: &PgPool) -> Caller {
    let row = app::service::accounts::register(
        pool,
        "importer@example.com",
        "Ida Importer",
        "a long enough password",
    )
    .await
    .unwrap();
    Caller {
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        session: None,
        clock: app::clock::Clock::system(),
        memberships: Default::default(),
    }
}

/// How an import answered: "imported", or the refusal's status.
type Outcome = String;

/// Why this import's answer is wrong, if it is: a 500 (a refusal is fine, and so is a new
/// project). A panic fails the test by itself.
async fn run(pool: &PgPool, caller: &Caller, bytes: &[u8]) -> Result<Outcome, String> {
    match app::service::export::import(pool, Some(caller), bytes).await {
        Ok(_) => Ok("imported".into()),
        Err(e) if e == AppError::Internal || e.status().is_server_error() => Err(format!(
            "{} {e:?} for {}",
            e.status(),
            String::from_utf8_lossy(bytes)
        )),
        Err(e) => Ok(e.status().as_u16().to_string()),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn no_document_makes_the_import_fail_on_our_side(pool: PgPool) {
    let caller = importer(&pool).await;
    // The seed itself imports, so mutations start from something the import accepts.
    let seed = serde_json::to_vec(&seed()).unwrap();
    let imported = app::service::export::import(&pool, Some(&caller), &seed).await;
    assert!(imported.is_ok(), "the seed: {imported:?}");

    // proptest's runner is synchronous and the import is not: cases are drawn from the
    // runner, run here, and a failing one is shrunk by hand the way proptest would.
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = document();
    let mut outcomes = std::collections::BTreeMap::<Outcome, u32>::new();
    for _ in 0..cases() {
        let mut tree = strategy.new_tree(&mut runner).unwrap();
        let mut failure = match run(&pool, &caller, &tree.current()).await {
            Ok(outcome) => {
                *outcomes.entry(outcome).or_default() += 1;
                continue;
            }
            Err(failure) => failure,
        };
        for _ in 0..200 {
            if !tree.simplify() {
                break;
            }
            match run(&pool, &caller, &tree.current()).await {
                Err(smaller) => failure = smaller,
                Ok(_) if !tree.complicate() => break,
                Ok(_) => {}
            }
        }
        panic!("{failure}");
    }
    // What the cases reached (shown with --nocapture): refusals of each kind and imports.
    eprintln!("import outcomes: {outcomes:?}");
}
