//! The parking lot: topics raised in a meeting, to talk about after it. One per project.
//!
//! Listed in the authorization table in `server/tests/http/authz.rs`.

use crate::error::AppError;
use crate::model::parking_lot::*;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "parking_lot/list")]
pub async fn list_topics(slug: String) -> Result<ParkingLot, AppError> {
    use super::ssr::serve;
    use crate::service::parking_lot;
    serve(async |pool, caller| parking_lot::topics(&pool, caller.as_ref(), &slug).await).await
}

#[server(prefix = "/api/fn", endpoint = "parking_lot/add")]
pub async fn add_topic(slug: String, title: String) -> Result<Topic, AppError> {
    use super::ssr::serve;
    use crate::service::parking_lot;
    serve(async |pool, caller| parking_lot::add(&pool, caller.as_ref(), &slug, &title).await).await
}
