//! "Import a project": a file picker that sends a Cadence export to the JSON API, with the
//! upload's progress, the document's errors by path, and a link to the new project.
//!
//! The upload uses `XMLHttpRequest` for its upload progress events (`fetch` has none). It
//! needs JavaScript: without it the control is hidden and the page says how else to import.

use crate::model::export::Imported;
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use serde::Deserialize;

// Most phases are only reached in the browser, where the upload runs.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Idle,
    /// Sending the file: the share sent so far (0 to 1), when the browser knows it.
    Uploading(Option<f64>),
    /// Sent; the server is checking and writing the project.
    Importing,
    Done(Imported),
    Failed {
        message: String,
        /// The document's faults: path in the document → what is wrong there.
        fields: Vec<(String, String)>,
    },
}

/// The JSON API's error body.
#[cfg(feature = "hydrate")]
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[cfg(feature = "hydrate")]
#[derive(Debug, Deserialize)]
struct ErrorDetail {
    message: String,
    #[serde(default)]
    fields: std::collections::BTreeMap<String, String>,
}

/// What the server answered, in words for the page.
#[cfg(feature = "hydrate")]
fn outcome(status: u16, body: &str) -> Phase {
    if status == 201 {
        if let Ok(imported) = serde_json::from_str::<Imported>(body) {
            return Phase::Done(imported);
        }
    }
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(e) => Phase::Failed {
            message: e.error.message,
            fields: e.error.fields.into_iter().collect(),
        },
        Err(_) if status == 413 => Phase::Failed {
            message: "the file is larger than this server accepts".into(),
            fields: Vec::new(),
        },
        Err(_) => Phase::Failed {
            message: format!("the server answered {status}; nothing was imported"),
            fields: Vec::new(),
        },
    }
}

/// Sends the file and follows it through `phase`.
#[cfg(feature = "hydrate")]
fn send(file: web_sys::File, phase: RwSignal<Phase>, imported: RwSignal<u32>) {
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{ProgressEvent, XmlHttpRequest};

    let failed = |message: &str| Phase::Failed {
        message: message.to_owned(),
        fields: Vec::new(),
    };
    let Ok(xhr) = XmlHttpRequest::new() else {
        phase.set(failed("this browser cannot send files"));
        return;
    };
    if xhr
        .open_with_async("POST", "/api/v1/projects/import", true)
        .and_then(|()| xhr.set_request_header("Content-Type", "application/json"))
        .and_then(|()| xhr.set_request_header("Accept", "application/json"))
        .is_err()
    {
        phase.set(failed("this browser cannot send files"));
        return;
    }
    // The closures live as long as the page: one upload at a time, a handful per visit.
    if let Ok(upload) = xhr.upload() {
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
            let share = ev
                .length_computable()
                .then(|| ev.loaded() / ev.total().max(1.0));
            phase.set(Phase::Uploading(share));
        });
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        progress.forget();
        let sent = Closure::<dyn FnMut()>::new(move || phase.set(Phase::Importing));
        upload.set_onload(Some(sent.as_ref().unchecked_ref()));
        sent.forget();
    }
    let answered = xhr.clone();
    let done = Closure::<dyn FnMut()>::new(move || {
        let status = answered.status().unwrap_or(0);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        let next = outcome(status, &body);
        if matches!(next, Phase::Done(_)) {
            imported.update(|n| *n += 1);
        }
        phase.set(next);
    });
    xhr.set_onload(Some(done.as_ref().unchecked_ref()));
    done.forget();
    let lost = Closure::<dyn FnMut()>::new(move || {
        phase.set(Phase::Failed {
            message: "the connection to the server was lost; nothing was imported".into(),
            fields: Vec::new(),
        })
    });
    xhr.set_onerror(Some(lost.as_ref().unchecked_ref()));
    lost.forget();
    phase.set(Phase::Uploading(Some(0.0)));
    if xhr.send_with_opt_blob(Some(&file)).is_err() {
        phase.set(failed("the file could not be sent"));
    }
}

/// The import control. `imported` is bumped after a project was created (the page's list
/// of projects reloads on it).
#[component]
pub fn ImportProject(imported: RwSignal<u32>) -> impl IntoView {
    let phase = RwSignal::new(Phase::Idle);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let busy = move || matches!(phase.get(), Phase::Uploading(_) | Phase::Importing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let file = input.get().and_then(|i| i.files()).and_then(|f| f.get(0));
            match file {
                Some(file) => send(file, phase, imported),
                None => phase.set(Phase::Failed {
                    message: "choose a file first".into(),
                    fields: Vec::new(),
                }),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (input, imported);
    };
    let status = move || {
        match phase.get() {
        Phase::Idle => ().into_any(),
        Phase::Uploading(share) => {
            let percent = share.map(|s| (s * 100.0).round().clamp(0.0, 100.0) as u32);
            view! {
                <p>{match percent {
                    Some(p) => format!("Sending the file… {p}%"),
                    None => "Sending the file…".to_owned(),
                }}</p>
                <progress max="100" value=percent.unwrap_or(0).to_string() aria-label="Upload"></progress>
            }
            .into_any()
        }
        Phase::Importing => view! {
            <p>"Sent. Checking the document and writing the project…"</p>
            <progress aria-label="Importing"></progress>
        }
        .into_any(),
        Phase::Done(i) => view! {
            <p class="notice" data-testid="import-done">
                {format!("Imported “{}” with {}. ", i.name, crate::words::count(i.items, "item", "items"))}
                <a href=format!("/p/{}", i.slug)>{format!("Open {}", i.name)}</a>
            </p>
            {(i.members_invited > 0).then(|| view! {
                <p class="muted" data-testid="import-invited">{format!(
                    "The document names {} besides you: whoever of them has an account here is invited and joins on accepting. Until then the project is yours alone, and their names were left off items, history, notes and votes.",
                    crate::words::count(i.members_invited, "other member", "other members")
                )}</p>
            })}
        }
        .into_any(),
        Phase::Failed { message, fields } => view! {
            <div class="notice notice-error" data-testid="import-failed">
                <p>{format!("Not imported: {message}")}</p>
                {(!fields.is_empty()).then(|| view! {
                    <ul class="import-errors">
                        {fields.into_iter().map(|(path, what)| view! {
                            <li><code>{path}</code>" "{what}</li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card" aria-labelledby="import-heading">
            <h2 id="import-heading">"Import a project"</h2>
            <p class="muted">"Restore a project from a file Cadence exported (its settings page: “Download as JSON”). It becomes a new project that you own; nothing that exists changes."</p>
            <p class="without-js muted">"Importing needs JavaScript in the browser. Without it, send the file to the JSON API: "
                <code>"POST /api/v1/projects/import"</code>"."</p>
            <form class="inline-form needs-js" aria-label="Import a project" on:submit=submit>
                <label for="import-file">"Exported project file (.json)"</label>
                <div class="field-row">
                    <input id="import-file" type="file" accept=".json,application/json" node_ref=input/>
                    <button type="submit" class="button primary" disabled=busy>"Import"</button>
                </div>
            </form>
            <div role="status" aria-live="polite" class="import-status">{status}</div>
        </section>
    }
}
