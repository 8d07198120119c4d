//! `POST /theme`: keeps a browser's choice of colours (light, dark, or as the system is set)
//! in a cookie, which the server reads to mark every page (`app::chosen_theme`), then goes
//! back to the page the form was on. A plain form: no JavaScript needed.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
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
    let secure = if state.auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let name = app::THEME_COOKIE;
    let cookie = match choice.theme.as_str() {
        "light" | "dark" => format!(
            "{name}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            choice.theme
        ),
        "system" => format!("{name}=; Path=/; Max-Age=0; SameSite=Lax{secure}"),
        _ => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                "theme must be system, light or dark",
            )
                .into_response()
        }
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, local(&choice.back).to_owned()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::local;

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
}
