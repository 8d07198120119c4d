//! Small helpers for forms backed by server actions.

use crate::error::AppError;
use leptos::prelude::*;

/// The message for `field` from the action's last answer, if it was a validation error
/// about that field.
///
/// `value` is read with `try_with`: an action's `value()` is a signal owned by the view that
/// asked for it, and a view drawn again (its data read again) drops it while the old view's
/// text may still be updated once by the same answer. That read is nothing, not a panic
/// that stops the page (what a sprint created while the list reloaded did, in CI).
pub fn field_error<S, T>(
    value: S,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static
where
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    move || {
        value
            .try_with(|v| match v {
                Some(Err(e)) => e.field(field),
                _ => None,
            })
            .flatten()
    }
}

/// The action's last error when it is not about one of `fields` (shown above the form).
/// Read with `try_with`, as in [`field_error`].
pub fn form_error<S, T>(
    value: S,
    fields: &'static [&'static str],
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static
where
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    move || {
        value
            .try_with(|v| match v {
                Some(Err(AppError::Validation(errors)))
                    if errors.0.keys().all(|k| fields.contains(&k.as_str())) =>
                {
                    None
                }
                Some(Err(e)) => Some(e.to_string()),
                _ => None,
            })
            .flatten()
    }
}

/// An error line under an input; `id` is what the input's `aria-describedby` names (made
/// per record where a page repeats a form, so no two elements share it).
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! { <p id=id class="field-error" role="alert">{message}</p> }
}

/// A form-level error banner.
#[component]
pub fn FormError(message: impl Fn() -> Option<String> + Send + Sync + 'static) -> impl IntoView {
    view! {
        <p class="form-error" role="alert">{message}</p>
    }
}

/// The error a plain form post (JavaScript off) to one of `paths` came back with. Leptos
/// answers such a post with a redirect back to the page and puts the server function's path
/// and its error in the URL (`__path`, `__err`); read once, when the page is built.
pub fn posted_error(paths: &[&str]) -> Option<String> {
    use leptos::server_fn::error::ServerFnUrlError;
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| {
        let path = q.get("__path")?;
        let err = q.get("__err")?;
        paths
            .contains(&path.as_str())
            .then(|| ServerFnUrlError::<AppError>::decode_err(&err).to_string())
    })
}
