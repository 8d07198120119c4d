//! The weekly reflection over HTTP: cards, votes, and an action item becoming backlog work.

use super::scene::{ok, started_increment, team};
use super::support::{spawn, Client};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reflection_card_is_voted_up_and_becomes_a_backlog_item(pool: PgPool) {
    let app = spawn(pool).await;
    let (alice, bob, slug) = team(&app).await;
    let increment = started_increment(&alice, &slug).await.to_string();
    let add = |client: &Client, kind: &'static str, body: &'static str| {
        let (client, slug, increment) = (client.clone(), slug.clone(), increment.clone());
        async move {
            let res = client
                .call(
                    "reflection/add",
                    &[
                        ("slug", slug.as_str()),
                        ("increment", increment.as_str()),
                        ("week", "1"),
                        ("kind", kind),
                        ("body", body),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let action = add(&bob, "action", "Automate the deploy").await;
    let good = add(&alice, "went_well", "Pairing on checkout").await;
    let vote = |client: &Client, id: i64, on: bool| {
        let (client, slug) = (client.clone(), slug.clone());
        async move {
            client
                .call(
                    "reflection/vote",
                    &[
                        ("slug", slug.as_str()),
                        ("id", &id.to_string()),
                        ("on", &on.to_string()),
                    ],
                )
                .await
        }
    };
    assert_eq!(vote(&alice, action, true).await.status(), StatusCode::OK);
    assert_eq!(vote(&bob, action, true).await.status(), StatusCode::OK);
    // Voting twice for the same card counts once.
    let card: Value = vote(&bob, action, true).await.json().await.unwrap();
    assert_eq!(card["votes"], 2);
    assert_eq!(card["voted"], true);

    // Only the author edits a card.
    let res = alice
        .call(
            "reflection/edit",
            &[
                ("slug", &slug),
                ("id", &action.to_string()),
                ("body", "Mine now"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = bob
        .call(
            "reflection/edit",
            &[
                ("slug", &slug),
                ("id", &action.to_string()),
                ("body", "Automate the deploy pipeline"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Five votes each on a board: the sixth is refused until one is taken back.
    let mut extra = Vec::new();
    for body in ["One", "Two", "Three", "Four"] {
        let id = add(&alice, "went_badly", body).await;
        extra.push(id);
    }
    for id in &extra[..3] {
        assert_eq!(vote(&bob, *id, true).await.status(), StatusCode::OK);
    }
    assert_eq!(vote(&bob, good, true).await.status(), StatusCode::OK);
    let res = vote(&bob, extra[3], true).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("all 5"));
    assert_eq!(vote(&bob, good, false).await.status(), StatusCode::OK);
    assert_eq!(vote(&bob, extra[3], true).await.status(), StatusCode::OK);

    // Grouping and order belong to the scrum master (here the owner).
    let grouped_id = extra[0].to_string();
    let arrange = |client: &Client| {
        let (client, slug, id) = (client.clone(), slug.clone(), grouped_id.clone());
        async move {
            client
                .call(
                    "reflection/arrange",
                    &[
                        ("slug", slug.as_str()),
                        ("id", id.as_str()),
                        ("group_name", "Process"),
                        ("position", "0"),
                    ],
                )
                .await
                .status()
        }
    };
    assert_eq!(arrange(&bob).await, StatusCode::FORBIDDEN);
    assert_eq!(arrange(&alice).await, StatusCode::OK);

    // The action item becomes a backlog item at the top, linked both ways, once.
    let res = bob
        .call(
            "reflection/to_item",
            &[("slug", &slug), ("id", &action.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let card: Value = res.json().await.unwrap();
    let number = card["item"].as_i64().unwrap();
    let item = ok(
        &bob,
        Method::GET,
        &format!("/projects/{slug}/items/{number}"),
        None,
    )
    .await;
    assert_eq!(item["item"]["title"], "Automate the deploy pipeline");
    assert!(item["item"]["description"]
        .as_str()
        .unwrap()
        .contains("Q1 · 1, week 1"));
    let page = ok(
        &bob,
        Method::GET,
        &format!("/projects/{slug}/items?limit=1"),
        None,
    )
    .await;
    assert_eq!(page["items"][0]["number"], number);
    let res = bob
        .call(
            "reflection/to_item",
            &[("slug", &slug), ("id", &action.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = bob
        .call(
            "reflection/to_item",
            &[("slug", &slug), ("id", &good.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // The board as Bob sees it, with the velocity beside the (absent) previous one.
    let res = bob
        .call(
            "reflection",
            &[("slug", &slug), ("increment", &increment), ("week", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let board: Value = res.json().await.unwrap();
    assert_eq!(board["votes_left"], 0);
    assert!(board["previous"].is_null());
    let grouped = board["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == extra[0])
        .unwrap();
    assert_eq!(grouped["group_name"], "Process");
    let res = bob
        .call(
            "reflection",
            &[("slug", &slug), ("increment", &increment), ("week", "9")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
