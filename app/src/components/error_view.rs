use crate::error::AppError;
use leptos::prelude::*;

/// What a data region shows when loading it failed.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    let (headline, hint) = match &error {
        AppError::NotFound => (
            "Not found",
            "It may have been deleted, or the link is wrong.",
        ),
        AppError::Unauthorized => ("Please sign in", "Your session may have ended."),
        AppError::Forbidden => ("Not allowed", "Ask a project owner for access."),
        AppError::Request(_) => (
            "Could not reach Cadence",
            "Check your connection and retry.",
        ),
        AppError::Conflict(_) | AppError::Validation(_) => (
            "Not possible as things stand",
            "The message says what to do first.",
        ),
        AppError::Unavailable | AppError::Contended | AppError::Busy => (
            "Cadence is busy",
            "Nothing was changed. Try again in a moment.",
        ),
        _ => ("Something went wrong", "Try again in a moment."),
    };
    view! {
        <div class="notice notice-error" role="alert">
            <strong>{headline}</strong>
            <p>{error.to_string()}</p>
            <p class="muted">{hint}</p>
        </div>
    }
}

/// Renders the first `AppError` among a boundary's errors.
pub fn first_app_error(errors: &leptos::error::Errors) -> AppError {
    errors
        .iter()
        .find_map(|(_, e)| e.downcast_ref::<AppError>().cloned())
        .unwrap_or(AppError::Internal)
}
