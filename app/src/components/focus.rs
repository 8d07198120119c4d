//! Keeping the keyboard user's place when a list reloads after their action.

use leptos::prelude::*;

/// Where focus should go once the next version of a list is on the page.
#[derive(Clone, Copy)]
pub struct FocusAfterReload(pub RwSignal<Option<String>>);

impl FocusAfterReload {
    pub fn new() -> Self {
        FocusAfterReload(RwSignal::new(None))
    }

    /// Ask for the element with one of these ids (the first that exists) to get focus when
    /// the list is next rendered.
    pub fn request(&self, ids: Vec<String>) {
        self.0.set(Some(ids.join(" ")));
    }

    /// Called by the freshly rendered list: moves focus, then forgets the request.
    pub fn on_render(self) {
        Effect::new(move |_| {
            let Some(ids) = self.0.get_untracked() else {
                return;
            };
            self.0.set(None);
            request_animation_frame(move || {
                use leptos::wasm_bindgen::JsCast;
                let doc = document();
                if let Some(el) = ids
                    .split(' ')
                    .find_map(|id| doc.get_element_by_id(id))
                    .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            });
        });
    }
}

impl Default for FocusAfterReload {
    fn default() -> Self {
        Self::new()
    }
}
