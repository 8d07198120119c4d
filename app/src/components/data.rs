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

/// A resource's data as last read, once the browser has it (nothing on the server, and
/// nothing while the page hydrates). A page drawn from it rather than from the resource
/// keeps showing what it has while a newer reading is on its way, and a change made
/// meanwhile ([`Pending`]) shows at once instead of when that reading lands.
pub fn latest<T>(resource: Resource<T, Json>) -> RwSignal<Option<T>>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let last = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(read) = resource.get() {
            last.set(Some(read));
        }
    });
    last
}

/// One change a page has sent and draws before the server has it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent<M> {
    id: u32,
    pub change: M,
    /// Once answered and no other change is out: the number of the reading of the page's
    /// data that holds it (the page's data is read again under that number).
    settled: Option<u32>,
}

impl<M> Sent<M> {
    /// Whether the data read under number `read` already holds this change.
    fn held_by(&self, read: u32) -> bool {
        self.settled.is_some_and(|s| read >= s)
    }
}

/// Changes a page draws before the server has them (the board's and the plan's moves). The
/// page's data is read under a number (`changed`, part of its resource's source, and
/// returned with the data); the page is drawn from the data with every change it does not
/// hold yet made on it, in the order they were made. A change stays drawn until a reading
/// started after its answer lands, whatever readings land before (one started earlier
/// would show the page without it until then); a refused one is dropped. The changes must
/// be ones that, made again on data that holds them, change nothing.
pub struct Pending<M: Send + Sync + 'static> {
    sent: RwSignal<Vec<Sent<M>>>,
    /// The last change's id, and how many are out.
    counts: StoredValue<(u32, u32)>,
}

impl<M: Send + Sync + 'static> Clone for Pending<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: Send + Sync + 'static> Copy for Pending<M> {}

impl<M: Clone + PartialEq + Send + Sync + 'static> Pending<M> {
    pub fn new() -> Self {
        Pending {
            sent: RwSignal::new(Vec::new()),
            counts: StoredValue::new((0, 0)),
        }
    }

    /// The changes sent (the view that reads this is drawn again when they change).
    pub fn get(self) -> Vec<Sent<M>> {
        self.sent.try_get().unwrap_or_default()
    }

    /// The changes sent, read without the caller following them.
    pub fn sent_untracked(self) -> Vec<Sent<M>> {
        self.sent.try_get_untracked().unwrap_or_default()
    }

    /// The changes of `sent` that the data read under `read` does not hold yet, in order.
    pub fn unheld(sent: &[Sent<M>], read: u32) -> impl Iterator<Item = &M> {
        sent.iter()
            .filter(move |s| !s.held_by(read))
            .map(|s| &s.change)
    }

    /// Draws `change` from now on, as sent; `read` is the number of the data the page has
    /// (changes it holds are forgotten). The answer goes to [`Pending::answered`] with the id.
    pub fn start(self, change: M, read: Option<u32>) -> u32 {
        let id = self
            .counts
            .try_update_value(|(last, out)| {
                *last += 1;
                *out += 1;
                *last
            })
            .unwrap_or_default();
        self.sent.try_update(|sent| {
            sent.retain(|s| !read.is_some_and(|r| s.held_by(r)));
            sent.push(Sent {
                id,
                change,
                settled: None,
            });
        });
        id
    }

    /// The answer to change `id`: a refused change is no longer drawn. Once no change is
    /// out, the page's data is read again (`changed` bumped): that reading holds every change
    /// answered so far.
    pub fn answered(self, id: u32, refused: bool, changed: RwSignal<u32>) {
        if refused {
            self.sent.try_update(|sent| sent.retain(|s| s.id != id));
        }
        let out = self.counts.try_update_value(|(_, out)| {
            *out = out.saturating_sub(1);
            *out
        });
        if out != Some(0) {
            return;
        }
        if let Some(next) = changed.try_get_untracked().map(|n| n.saturating_add(1)) {
            self.sent.try_update(|sent| {
                for s in sent.iter_mut().filter(|s| s.settled.is_none()) {
                    s.settled = Some(next);
                }
            });
            changed.try_set(next);
        }
    }
}

impl<M: Clone + PartialEq + Send + Sync + 'static> Default for Pending<M> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::Pending;
    use leptos::prelude::*;

    fn unheld(pending: Pending<i32>, read: u32) -> Vec<i32> {
        Pending::unheld(&pending.sent_untracked(), read)
            .copied()
            .collect()
    }

    #[test]
    fn a_change_is_drawn_until_a_reading_started_after_its_answer_lands() {
        let owner = Owner::new();
        owner.set();
        let changed = RwSignal::new(0u32);
        let pending = Pending::<i32>::new();
        let first = pending.start(1, Some(0));
        let second = pending.start(2, Some(0));
        // The first is answered while the second is out: nothing is read again yet.
        pending.answered(first, false, changed);
        assert_eq!(changed.get_untracked(), 0);
        assert_eq!(unheld(pending, 0), vec![1, 2]);
        // The last answer has the data read again, under number 1, which holds both.
        pending.answered(second, false, changed);
        assert_eq!(changed.get_untracked(), 1);
        assert_eq!(unheld(pending, 0), vec![1, 2], "a reading started earlier");
        assert_eq!(unheld(pending, 1), Vec::<i32>::new());
        // The next change forgets the ones the page's data holds; refused, it is not drawn.
        let third = pending.start(3, Some(1));
        assert_eq!(unheld(pending, 1), vec![3]);
        assert_eq!(pending.sent_untracked().len(), 1);
        pending.answered(third, true, changed);
        assert_eq!(unheld(pending, 1), Vec::<i32>::new());
        assert_eq!(changed.get_untracked(), 2, "read again after a refusal too");
    }
}
