//! `POST /theme`: keeps a browser's choice of colours (light, dark, or as the system is set)
//! in a cookie, which the server reads to mark every page (`app::chosen_theme`), then goes
//! back to the page the form was on. A plain form: no JavaScript needed.
//!
//! `POST /sidebar` does the same for hiding the app's sidebar (`sidebar=hidden|shown`),
//! going back to the page the form was on (its `Referer`).

use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Choice {
    theme: String,
    #[serde(default)]
    back: String,
}

/// Only a path of this site: never another site's address (`//host`, `/\host`).
fn local(back: &str) -> &str {
    let safe = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.chars().any(char::is_control);
    if safe {
        back
    } else {
        "/account"
    }
}

pub async fn choose(State(state): State<AppState>, Form(choice): Form<Choice>) -> Response {
    let value = match choice.theme.as_str() {
        "light" | "dark" => Some(choice.theme.as_str()),
        "system" => None,
        _ => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                "theme must be system, light or dark",
            )
                .into_response()
        }
    };
    remembered(&state, app::THEME_COOKIE, value, local(&choice.back))
}

/// Keeps a browser's choice in the cookie `name` for a year (or forgets it, `None`), then
/// goes back to `back`.
fn remembered(state: &AppState, name: &str, value: Option<&str>, back: &str) -> Response {
    let secure = if state.auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = match value {
        Some(v) => format!("{name}={v}; Path=/; Max-Age=31536000; SameSite=Lax{secure}"),
        None => format!("{name}=; Path=/; Max-Age=0; SameSite=Lax{secure}"),
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, back.to_owned()),
        ],
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct SidebarChoice {
    sidebar: String,
}

pub async fn sidebar(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(choice): Form<SidebarChoice>,
) -> Response {
    let value = match choice.sidebar.as_str() {
        "hidden" => Some("hidden"),
        "shown" => None,
        _ => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                "sidebar must be hidden or shown",
            )
                .into_response()
        }
    };
    remembered(
        &state,
        app::SIDEBAR_COOKIE,
        value,
        &back_from_referer(&headers),
    )
}

/// The path (and query) of the page the form was on, when it is this site's; else the
/// projects.
fn back_from_referer(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let referer = headers.get(header::REFERER).and_then(|h| h.to_str().ok());
    let path = match (referer, host) {
        (Some(r), Some(host)) => r
            .split_once("://")
            .and_then(|(_, rest)| rest.strip_prefix(host))
            .filter(|p| local(p) == *p),
        _ => None,
    };
    path.unwrap_or("/projects").to_owned()
}

#[cfg(test)]
mod tests {
    use super::{back_from_referer, local};
    use axum::http::{header, HeaderMap, HeaderValue};

    #[test]
    fn it_goes_back_only_within_the_site() {
        assert_eq!(local("/account#appearance"), "/account#appearance");
        assert_eq!(
            local("/p/dunder/backlog?state=todo"),
            "/p/dunder/backlog?state=todo"
        );
        for away in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/a\r\nX: y",
        ] {
            assert_eq!(local(away), "/account", "{away:?}");
        }
    }

    #[test]
    fn the_sidebar_form_goes_back_to_its_page_on_this_site_only() {
        let with = |referer: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::HOST,
                HeaderValue::from_static("cadence.example:3000"),
            );
            h.insert(header::REFERER, HeaderValue::from_str(referer).unwrap());
            back_from_referer(&h)
        };
        assert_eq!(
            with("http://cadence.example:3000/p/shop/board?person=x"),
            "/p/shop/board?person=x"
        );
        assert_eq!(with("https://cadence.example:3000/account"), "/account");
        assert_eq!(with("https://evil.example/p/shop"), "/projects");
        assert_eq!(
            with("https://cadence.example:3000//evil.example"),
            "/projects"
        );
        assert_eq!(back_from_referer(&HeaderMap::new()), "/projects");
    }
}
