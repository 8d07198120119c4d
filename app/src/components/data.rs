//! A page's data ([`data`]): a resource, as `Resource::new` makes it, read by the server
//! render and sent with the page as JSON, but read back in the browser with the same JSON
//! reader as the server functions' replies (`serde_json::from_slice`). `Resource::new`
//! reads with `serde_json::from_str`, and serde compiles each type's reader once per JSON
//! reader: every type a page shows was in the wasm twice.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON, written by `serde_json::to_string` and read by `serde_json::from_slice`.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A page's data: what `crate::components::data::data(source, fetcher)` makes, with the [`Json`] codec.
#[track_caller]
pub fn data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// A change the page shows before the server has it (a move): the data it was made on and
/// the data as changed. The page shows the changed data for as long as its resource still
/// holds the data the change was made on; once the resource is read again (after the
/// server's answer, or anyone's change) it shows the resource. Kept beside the resource,
/// not written into it: a resource written while it reloads leaves its `Transition` waiting.
pub struct Ahead<T: Send + Sync + 'static>(RwSignal<Option<(T, T)>>);

impl<T: Send + Sync + 'static> Clone for Ahead<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Ahead<T> {}

impl<T: Clone + PartialEq + Send + Sync + 'static> Ahead<T> {
    /// Nothing shown ahead yet.
    pub fn none() -> Self {
        Ahead(RwSignal::new(None))
    }

    /// The change, read where the page's view is made (so the view follows it).
    pub fn get(self) -> Option<(T, T)> {
        self.0.try_get().flatten()
    }

    /// What to show of `data`, the resource's: the change, while it was made on `data`.
    pub fn over(change: Option<(T, T)>, data: T) -> T {
        match change {
            Some((base, changed)) if base == data => changed,
            _ => data,
        }
    }

    /// Shows `data` (the resource's now) changed by `change`, made on what is shown now (an
    /// earlier change included). `change` says whether it changed anything; if it did, the
    /// answer is what [`Ahead::put_back`] needs to undo it.
    pub fn change(self, data: T, change: impl FnOnce(&mut T) -> bool) -> Option<(T, T)> {
        let now = Self::over(self.0.try_get_untracked().flatten(), data.clone());
        let mut changed = now.clone();
        change(&mut changed).then(|| {
            self.show(data.clone(), changed);
            (data, now)
        })
    }

    /// Undoes a change (refused by the server): shows again what was shown before it.
    pub fn put_back(self, undo: Option<(T, T)>) {
        if let Some((data, before)) = undo {
            self.show(data, before);
        }
    }

    /// Shows `changed` in place of `base` (the resource's data now).
    fn show(self, base: T, changed: T) {
        let change = (base != changed).then_some((base, changed));
        self.0.try_set(change);
    }
}
