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

/// Room for wasm-split-cli (0.2.3) to lay out the read-only data. It gives each module its
/// share of `.rodata`, each share aligned; when the shares with their padding come out longer
/// than the segment they came from (it happened by 16 bytes), it gives up and puts *all* of
/// the data in the first module (+29 KB brotli on the first load, with a warning "Overlong
/// segment"). This block is kept by the linker but used by no code, so it is in no module's
/// share: it lengthens the segment the shares must fit in, by more than their padding can.
#[used]
static SPLIT_DATA_ROOM: [u8; 4096] = [0x5a; 4096];
