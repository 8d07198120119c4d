//! The history's unit tests: rows as every writer stores them, the walks back, summaries.

use super::*;

fn recorded() -> Recorded {
    Recorded {
        title: "Cart".into(),
        description: String::new(),
        kind: ItemKind::Task,
        estimate: None,
        state: ItemState::Todo,
        assignee: None,
        parent: None,
        blocked: Blocking::default(),
    }
}

#[test]
fn an_edit_lists_each_changed_field_once_in_page_order() {
    let old = recorded();
    assert!(changes(&old, &old).is_empty());
    let ada = Uuid::from_u128(7);
    let mut new = old.clone();
    new.blocked = Blocking {
        blocked: true,
        reason: Some("API down".into()),
    };
    new.state = ItemState::Doing;
    new.title = "Checkout".into();
    new.assignee = Some(AssigneeRef {
        id: Some(ada),
        name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
    });
    let fields: Vec<_> = changes(&old, &new).iter().map(Change::field).collect();
    assert_eq!(fields, ["title", "state", "assignee", "blocked"]);
    assert_eq!(
        changes(&old, &new)[1],
        Change::State {
            old: ItemState::Todo,
            new: ItemState::Doing
        }
    );

    // The same person typed with another email is no change of assignee.
    let mut again = new.clone();
    again.assignee = Some(AssigneeRef {
        id: Some(ada),
        name: Some("Ada".into()),
        email: Some("ADA@example.com".into()),
    });
    assert!(changes(&new, &again).is_empty());
}
use chrono::TimeZone;

/// Rows exactly as service::items, service::sprints and the import write them: field,
/// old and new value as JSON ("" for SQL NULL), and the item page's summary.
const ROWS: [(&str, &str, &str, &str); 22] = [
    (
        "created",
        "",
        r#"{"kind":"task","title":"Cart","estimate":5,"state":"todo","parent":3}"#,
        "created",
    ),
    (
        "created",
        "",
        r#"{"kind":"epic","title":"Pay","estimate":null,"state":"todo","parent":null}"#,
        "created",
    ),
    ("title", r#""Cart""#, r#""Basket""#, "title: Cart → Basket"),
    ("description", r#""""#, r#""*Fast*""#, "description edited"),
    ("kind", r#""task""#, r#""bug""#, "kind: task → bug"),
    ("estimate", "null", "3", "estimate: none → 3"),
    ("estimate", "89", "0", "estimate: 89 → 0"),
    ("state", r#""todo""#, r#""doing""#, "state: todo → doing"),
    ("assignee", "null", OLIVE, "assignee: none → Olive"),
    // An import leaves no id where the email matched no account.
    (
        "assignee",
        OLIVE,
        r#"{"id":null,"name":"Carol","email":"c@x.org"}"#,
        "assignee: Olive → Carol",
    ),
    ("parent", "1", "null", "epic: #1 → none"),
    ("parent", "null", "4", "epic: none → #4"),
    (
        "increment",
        "null",
        r#"{"id":7,"name":"Now · 1"}"#,
        "increment: none → Now · 1",
    ),
    // An import leaves no id where the document named no increment.
    (
        "increment",
        r#"{"id":7,"name":"Now · 1"}"#,
        r#"{"id":null,"name":"Now · 2"}"#,
        "increment: Now · 1 → Now · 2",
    ),
    (
        "blocked",
        r#"{"blocked":false,"reason":null}"#,
        r#"{"blocked":true,"reason":"API down"}"#,
        "blocked: not blocked → API down",
    ),
    ("deleted", "", "", "moved to the trash"),
    ("deleted", "", r#"{"with_epic":4}"#, "moved to the trash"),
    ("restored", "", "", "restored from the trash"),
    (
        "poker",
        "",
        r#"{"round":2,"votes":["8","5","?","3","5"]}"#,
        "estimated in planning poker, round 2: 3, 5, 5, 8, ?",
    ),
    (
        "ci",
        "",
        r#"{"event":"failed","pipeline":"build","branch":"main","run":"https://ci.example/runs/9","commit":"6113728f27","occurrences":3}"#,
        "CI: build on main failed again (3 times in all)",
    ),
    (
        "ci",
        "",
        r#"{"event":"passing","pipeline":"build","branch":"main","run":null,"commit":null,"occurrences":null}"#,
        "CI: build on main passing again",
    ),
    (
        "link",
        "",
        r#"{"kind":"commit","reference":"6113728f27ae","title":"Fix the cart total","url":null,"author":"Jim Halpert","closes":true}"#,
        "closed by commit 6113728: Fix the cart total",
    ),
];
const OLIVE: &str =
    r#"{"id":"00000000-0000-0000-0000-000000000007","name":"Olive","email":"o@x.org"}"#;

fn stored(text: &str) -> Option<Value> {
    (!text.is_empty()).then(|| serde_json::from_str(text).unwrap())
}

fn rows() -> Vec<(&'static str, Option<Value>, Option<Value>, &'static str)> {
    ROWS.iter()
        .map(|&(f, old, new, text)| (f, stored(old), stored(new), text))
        .collect()
}

fn read(field: &str, old: Option<Value>, new: Option<Value>) -> Result<Change, HistoryError> {
    Change::from_stored(field, old.as_ref(), new.as_ref())
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day, hour, 0, 0).unwrap()
}

fn pts(v: u8) -> Option<StoryPoints> {
    Some(StoryPoints::parse_extended(v).unwrap())
}

fn inc(id: i64, name: &str) -> Option<IncrementRef> {
    Some(IncrementRef {
        id: Some(id),
        name: name.into(),
    })
}

fn blocked(reason: &str) -> Blocking {
    Blocking {
        blocked: true,
        reason: Some(reason.into()),
    }
}

fn state(old: ItemState, new: ItemState) -> Change {
    Change::State { old, new }
}

fn created() -> Change {
    Change::Created(Snapshot {
        kind: ItemKind::Task,
        title: "Cart".into(),
        estimate: pts(5),
        state: ItemState::Todo,
        parent: Some(3),
    })
}

#[test]
fn rows_as_written_today_read_and_write_back_unchanged() {
    // Read, then written again to the very same values: every change round-trips.
    for (field, old, new, summary) in rows() {
        let change = read(field, old.clone(), new.clone()).unwrap();
        assert_eq!(change.field(), field);
        assert_eq!(change.to_stored(), (field, old, new));
        assert_eq!(change.summary(), summary);
    }
    let mut fields: Vec<&str> = ROWS.iter().map(|row| row.0).collect();
    fields.dedup();
    assert_eq!(fields, FIELDS, "every field, in the constraint's order");
}

#[test]
fn nothing_reads_the_same_absent_or_null() {
    // An export and import turns SQL NULL into JSON null and back.
    let null = |v: &Option<Value>| v.clone().or(Some(Value::Null));
    let absent = |v: &Option<Value>| v.clone().filter(|v| !v.is_null());
    for (field, old, new, _) in rows() {
        let as_written = read(field, old.clone(), new.clone());
        assert_eq!(read(field, null(&old), null(&new)), as_written, "{field}");
        assert_eq!(
            read(field, absent(&old), absent(&new)),
            as_written,
            "{field}"
        );
    }
}

#[test]
fn values_are_read_into_the_domain_types() {
    let typed: Vec<Change> = rows()
        .into_iter()
        .map(|(field, old, new, _)| read(field, old, new).unwrap())
        .collect();
    assert_eq!(typed[0], created());
    assert_eq!(
        typed[6],
        Change::Estimate {
            old: pts(89),
            new: pts(0)
        }
    );
    assert_eq!(typed[7], state(ItemState::Todo, ItemState::Doing));
    let Change::Assignee {
        old: Some(olive),
        new: Some(carol),
    } = &typed[9]
    else {
        panic!("not an assignee change");
    };
    assert_eq!((olive.id, carol.id), (Some(Uuid::from_u128(7)), None));
    assert_eq!(carol.email.as_deref(), Some("c@x.org"));
    let no_id = Some(IncrementRef {
        id: None,
        name: "Now · 2".into(),
    });
    assert_eq!(
        typed[13],
        Change::Increment {
            old: inc(7, "Now · 1"),
            new: no_id
        }
    );
    let unblocked = Change::Blocked {
        old: Blocking::default(),
        new: blocked("API down"),
    };
    assert_eq!(typed[14], unblocked);
    assert_eq!(typed[16], Change::Deleted { with_epic: Some(4) });
    assert!(!typed[7].finishes() && state(ItemState::Doing, ItemState::Done).finishes());
}

#[test]
fn malformed_rows_are_refused_naming_the_field_and_the_value() {
    let unknown = read("rank", None, None).unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "\"rank\" is not a field the history records"
    );
    let bad = read("state", stored(r#""todo""#), stored(r#""finished""#)).unwrap_err();
    assert!(matches!(
        bad,
        HistoryError::BadValue {
            field: "state",
            side: Side::New,
            ..
        }
    ));
    assert!(bad
        .to_string()
        .starts_with("the new value of a state change is not valid"));
    let missing = read("title", stored(r#""Cart""#), None).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "the new value of a title change is missing"
    );
    let extra = read("restored", stored("true"), None).unwrap_err();
    assert_eq!(
        extra.to_string(),
        "the old value of a restored change should be empty, not true"
    );
    for (field, old, new) in [
        ("estimate", "4", ""),
        ("estimate", r#""5""#, ""),
        ("kind", "1", r#""task""#),
        ("state", r#"" todo""#, r#""doing""#),
        (
            "assignee",
            r#"{"id":"someone","name":"A","email":"a@x.org"}"#,
            "",
        ),
        ("increment", r#"{"id":7}"#, ""),
        ("increment", r#"{"id":"7","name":"Q1 · 1"}"#, ""),
        ("blocked", r#"{"reason":"x"}"#, r#"{"blocked":false}"#),
        ("blocked", "", r#"{"blocked":false}"#),
        ("parent", "\"#1\"", ""),
        (
            "created",
            r#""x""#,
            r#"{"kind":"task","title":"A","state":"todo"}"#,
        ),
        ("created", "", r#"{"title":"Cart"}"#),
        ("deleted", "", "4"),
        ("deleted", "4", ""),
    ] {
        assert!(
            read(field, stored(old), stored(new)).is_err(),
            "{field} {old} {new}"
        );
    }
}

#[test]
fn a_nameless_person_or_reasonless_block_shows_as_stored() {
    let nameless = AssigneeRef {
        id: None,
        name: None,
        email: Some("c@x.org".into()),
    };
    let change = Change::Assignee {
        old: Some(nameless),
        new: None,
    };
    let shown = json!({"id": null, "name": null, "email": "c@x.org"});
    assert_eq!(change.summary(), format!("assignee: {shown} → none"));
    let bare = Blocking {
        blocked: true,
        reason: None,
    };
    let change = Change::Blocked {
        old: bare,
        new: Blocking::default(),
    };
    let shown = json!({"blocked": true, "reason": null});
    assert_eq!(change.summary(), format!("blocked: {shown} → not blocked"));
}

#[test]
fn an_items_track_is_rebuilt_backwards_from_what_it_is_now() {
    // Now: 8 points, done, back in no increment (carried out at the close).
    let now = BurnFacts {
        exists: true,
        kind: ItemKind::Task,
        estimate: pts(8),
        state: ItemState::Done,
        increment_id: None,
        deleted: false,
    };
    let changes = [
        (at(5, 9), created()),
        (
            at(6, 9),
            Change::Increment {
                old: None,
                new: inc(7, "Q1 · 1"),
            },
        ),
        (
            at(7, 9),
            Change::Estimate {
                old: pts(5),
                new: pts(8),
            },
        ),
        (at(8, 9), state(ItemState::Todo, ItemState::Done)),
        (
            at(9, 9),
            Change::Increment {
                old: inc(7, "Q1 · 1"),
                new: None,
            },
        ),
    ];
    let track = now.track(7, &changes);
    assert!(!track.initial.counts, "before it existed, it did not count");
    assert!(!track.at(at(5, 10)).counts);
    assert_eq!(
        track.at(at(6, 10)),
        Facts {
            counts: true,
            points: 5,
            done: false
        }
    );
    assert_eq!(track.at(at(7, 10)).points, 8);
    assert!(track.at(at(8, 10)).done && track.at(at(8, 10)).counts);
    assert!(!track.at(at(9, 10)).counts, "moved out on the 9th");
    // From the changes after a moment only, newest first: as it was on the 7th.
    let then = now.walked_back(changes[3..].iter().rev().map(|(_, c)| c));
    let facts = (then.state, then.estimate, then.increment_id);
    assert_eq!(facts, (ItemState::Todo, pts(8), Some(7)));
    assert_eq!(then.facts(7), track.at(at(7, 10)));
    assert!(!now.walked_back(changes.iter().rev().map(|(_, c)| c)).exists);
}

#[test]
fn deleted_items_and_epics_never_count() {
    let now = BurnFacts {
        exists: true,
        kind: ItemKind::Epic,
        estimate: pts(13),
        state: ItemState::Todo,
        increment_id: Some(3),
        deleted: true,
    };
    let changes = [
        (
            at(6, 9),
            Change::Kind {
                old: ItemKind::Task,
                new: ItemKind::Epic,
            },
        ),
        (at(7, 9), Change::Deleted { with_epic: None }),
    ];
    let track = now.track(3, &changes);
    assert!(track.initial.counts, "a task in the increment counts");
    assert!(!track.at(at(6, 10)).counts, "an epic does not");
    assert!(!track.at(at(8, 10)).counts);
    assert!(!now.track(3, &[]).initial.counts);
    let live = BurnFacts {
        kind: ItemKind::Task,
        deleted: false,
        ..now
    };
    assert!(
        !live.before(&Change::Restored).facts(3).counts,
        "in the trash before"
    );
}

fn card() -> StandupCard {
    let alice = AssigneeRef {
        id: Some(Uuid::from_u128(20)),
        name: Some("Alice Archer".into()),
        email: Some("alice@example.com".into()),
    };
    StandupCard {
        kind: ItemKind::Task,
        title: "Checkout".into(),
        estimate: pts(8),
        state: ItemState::Done,
        assignee: Some(alice),
        blocked: Blocking::default(),
        deleted: false,
    }
}

#[test]
fn later_changes_are_undone_newest_first() {
    assert_eq!(card().walked_back([]), Some(card()));
    // Since the moment: Bob handed it to Alice, it was re-estimated and renamed,
    // unblocked, and finished.
    let (id, name) = (Some(Uuid::from_u128(21)), Some("Bobby".into()));
    let bob = Some(AssigneeRef {
        id,
        name,
        email: None,
    });
    let changes = [
        state(ItemState::Doing, ItemState::Done),
        Change::Blocked {
            old: blocked("API down"),
            new: Blocking::default(),
        },
        Change::Title {
            old: "Check out".into(),
            new: "Checkout".into(),
        },
        Change::Estimate {
            old: pts(5),
            new: pts(8),
        },
        Change::Assignee {
            old: bob.clone(),
            new: card().assignee,
        },
        Change::Description {
            old: "x".into(),
            new: "y".into(),
        },
        state(ItemState::Todo, ItemState::Doing),
    ];
    let then = card().walked_back(changes.iter()).unwrap();
    assert_eq!((then.state, then.estimate), (ItemState::Todo, pts(5)));
    assert_eq!(
        (then.title.as_str(), &then.blocked),
        ("Check out", &blocked("API down"))
    );
    assert_eq!(then.assignee, bob, "as the history named them");
    assert!(then.on_the_board(), "blocked");
    let then = card().walked_back(changes[..1].iter()).unwrap();
    assert_eq!(
        (then.state, then.blocked.blocked),
        (ItemState::Doing, false)
    );
    assert!(then.on_the_board() && !card().on_the_board());
    let nobody = [Change::Assignee {
        old: None,
        new: card().assignee,
    }];
    assert_eq!(card().walked_back(nobody.iter()).unwrap().assignee, None);
}

#[test]
fn items_created_later_or_in_the_trash_then_are_not_there() {
    let later = [state(ItemState::Todo, ItemState::Done), created()];
    assert_eq!(card().walked_back(later.iter()), None);
    // In the trash now, but deleted after the moment: it was there.
    let trashed = StandupCard {
        deleted: true,
        ..card()
    };
    let deleted = [Change::Deleted { with_epic: None }];
    assert!(trashed.clone().walked_back(deleted.iter()).is_some());
    assert_eq!(trashed.walked_back([]), None);
    // Restored since: it was in the trash then.
    assert_eq!(card().walked_back([Change::Restored].iter()), None);
    let mut idle = StandupCard {
        state: ItemState::Todo,
        ..card()
    };
    assert!(!idle.on_the_board());
    idle.blocked = blocked("waiting");
    assert!(idle.on_the_board());
    idle.kind = ItemKind::Epic;
    assert!(!idle.on_the_board(), "epics are not walked");
}
