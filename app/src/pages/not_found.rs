use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any URL no route matches. During server rendering it sets the real 404 status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="page-message">
            <h1>"Page not found"</h1>
            <p>"Nothing lives at this address. It may have moved, or the link is mistyped."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}
