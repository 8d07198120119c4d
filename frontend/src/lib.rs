//! The browser half: hydrates the server-rendered page into the live app.

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: a page whose code is loaded on demand (app/src/pages/lazy.rs)
    // is hydrated once its module has arrived. When all of the page is hydrated, the body is
    // marked: the tests (and any curious user) know the page is live from then on.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
