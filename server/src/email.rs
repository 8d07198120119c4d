//! `/unsubscribe?t=…`: the link at the end of every notification email. It works without
//! signing in (the token is signed by the server, see `app::service::email`). Opening it
//! asks to confirm, so a mail scanner that follows links changes nothing; the button, or a
//! mail program's one-click unsubscribe (RFC 8058, a POST to the same address), turns the
//! kinds off.

use crate::AppState;
use app::error::AppError;
use app::service::email::{self, Unsubscribe};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Link {
    #[serde(default)]
    t: String,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Cadence</title></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    (status, Html(html)).into_response()
}

fn kinds(u: &Unsubscribe) -> String {
    u.labels.join(", ")
}

fn refused(e: AppError) -> Response {
    match e {
        AppError::Validation(_) => page(
            StatusCode::BAD_REQUEST,
            "This link does not work",
            "<p>This unsubscribe link is not valid: it may have been cut short when it was \
             copied. Open it from the email again, or choose which emails you get in \
             <a href=\"/account#email\">your account settings</a>.</p>",
        ),
        other => {
            tracing::warn!(error = %other, "unsubscribe failed");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again",
                "<p>Cadence could not change your email settings just now. Nothing was \
                 changed; please try the link again in a minute.</p>",
            )
        }
    }
}

/// GET: says what the link turns off and asks to confirm.
pub async fn confirm(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    match email::unsubscribe_preview(&state.pool, &link.t).await {
        Ok(u) => page(
            StatusCode::OK,
            "Stop these emails?",
            &format!(
                "<p>You will no longer get email about {}. Your inbox in Cadence keeps \
                 them.</p><form method=\"post\" action=\"/unsubscribe?t={}\">\
                 <button type=\"submit\">Unsubscribe</button></form>",
                kinds(&u),
                app::words::urlencode(link.t.trim()),
            ),
        ),
        Err(e) => refused(e),
    }
}

/// POST: turns the kinds off (again is fine).
pub async fn unsubscribe(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    match email::unsubscribe(&state.pool, &link.t).await {
        Ok(u) => page(
            StatusCode::OK,
            "Unsubscribed",
            &format!(
                "<p>Done: no more email about {}. You can turn it back on in \
                 <a href=\"/account#email\">your account settings</a>.</p>",
                kinds(&u)
            ),
        ),
        Err(e) => refused(e),
    }
}
