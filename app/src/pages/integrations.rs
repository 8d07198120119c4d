//! The project's integrations (CI and code hosts), in the settings page: owners add one per
//! repository, copy its address and secret into the provider, tune what counts, rotate or
//! revoke the secret, and see the latest deliveries.

use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::domain::hooks::Provider;
use crate::model::hooks::{Integration, IntegrationSettings, WithSecret};
use crate::server_fns::hooks::{
    create_integration, list_integrations, remove_integration, rotate_integration,
    update_integration,
};
use leptos::prelude::*;
use uuid::Uuid;

/// This server's address as the browser sees it (`https://cadence.example`); empty while
/// the page renders on the server.
fn use_origin() -> RwSignal<String> {
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| origin.set(window().location().origin().unwrap_or_default()));
    origin
}

#[component]
pub fn Integrations(slug: String) -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let list_slug = slug.clone();
    let integrations = crate::components::data::data(
        move || changed.get(),
        move |_| list_integrations(list_slug.clone()),
    );
    let origin = use_origin();
    // The secret just made (or rotated), shown once.
    let shown = RwSignal::new(None::<WithSecret>);

    let create_slug = slug.clone();
    let create = Action::new(move |(provider, name): &(String, String)| {
        let (slug, provider, name) = (create_slug.clone(), provider.clone(), name.clone());
        async move { create_integration(slug, provider, name).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(made)) = create.value().get() {
            shown.set(Some(made));
            changed.update(|n| *n += 1);
        }
    });
    let name_error = field_error(create.value(), "name");
    let provider_error = field_error(create.value(), "provider");
    let create_other = form_error(create.value(), &["name", "provider"]);
    let provider = RwSignal::new("github".to_owned());
    let name = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch((provider.get(), name.get()));
    };

    view! {
        <section class="card" aria-labelledby="integrations-heading">
            <h2 id="integrations-heading">"Integrations"</h2>
            <p class="muted">"Connect the team's CI and code host: a failed pipeline files a bug at the top of the backlog, and commits and pull requests that mention "<code>"#12"</code>" are linked to item 12 (“fixes #12” on a counted branch moves it to done). The README says where to paste the address and secret in GitHub, GitLab and Azure DevOps."</p>
            <form class="needs-js" on:submit=submit aria-label="Add an integration">
                <div class="field-row">
                    <label for="integration-provider">"Provider"</label>
                    <select id="integration-provider" prop:value=move || provider.get()
                        on:change:target=move |ev| provider.set(ev.target().value())>
                        {Provider::ALL.into_iter().map(|p| view! {
                            <option value=p.as_str()>{p.label()}</option>
                        }).collect_view()}
                    </select>
                    <label for="integration-name">"Name"</label>
                    <input id="integration-name" type="text" maxlength="80" required
                        placeholder="dunder/store" prop:value=move || name.get()
                        on:input:target=move |ev| name.set(ev.target().value())
                        aria-describedby="integration-name-error"/>
                    <button type="submit" class="button" disabled=move || create.pending().get()>
                        "Add integration"
                    </button>
                </div>
                <FieldError id="integration-provider-error" message=provider_error/>
                <FieldError id="integration-name-error" message=name_error/>
                <FormError message=create_other/>
            </form>
            {move || shown.get().map(|made| view! {
                <SecretBox made=made origin=origin on_close=move || shown.set(None)/>
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading integrations…"</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                    match integrations.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">"No integrations yet."</p>
                        }.into_any(),
                        Ok(list) => list.into_iter().map(|i| view! {
                            <IntegrationCard slug=slug.clone() integration=i origin=origin
                                changed=changed shown=shown/>
                        }).collect_view().into_any(),
                    }
                })}}
            </Transition>
        </section>
    }
}

/// The address and secret of an integration, right after they were made: the secret is
/// not shown again.
#[component]
fn SecretBox(
    made: WithSecret,
    origin: RwSignal<String>,
    on_close: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let path = made.integration.path.clone();
    let url = move || format!("{}{}", origin.get(), path);
    let how = match made.integration.provider.as_str() {
        "github" => "GitHub: repository Settings → Webhooks → Add webhook. Payload URL: the address; Content type: application/json; Secret: the secret; events: Workflow runs, Pushes, Pull requests.",
        "gitlab" => "GitLab: project Settings → Webhooks → Add new webhook. URL: the address; Secret token: the secret; triggers: Push events, Merge request events, Pipeline events.",
        "azure" => "Azure DevOps: Project settings → Service hooks → Web Hooks, for Build completed, Code pushed and Pull request created/merged. URL: the address; Basic authentication password (any user name), or an HTTP header X-Cadence-Token: the secret. Resource details to send: All. Keep Build completed's build status filter at [Any], not Failed: the green run must arrive to close the bug. Its builds do not name the default branch, so set the branches that count in the settings below.",
        _ => "Generic JSON: POST the JSON documented in the README to the address, signed with X-Cadence-Signature: sha256=HMAC-SHA256(secret, body).",
    };
    view! {
        <div class="card notice secret-box" role="status" aria-label="New integration secret">
            <p><strong>{format!("{} is ready. ", made.integration.name)}</strong>
                "Copy the secret now: it is not shown again (rotate it to get a new one)."</p>
            <label for="hook-url">"Address"</label>
            <CopyField id="hook-url" value=Signal::derive(url)/>
            <label for="hook-secret">"Secret"</label>
            <CopyField id="hook-secret" value=Signal::derive(move || made.secret.clone())/>
            <p class="muted">{how}</p>
            <button type="button" class="button" on:click=move |_| on_close()>"Done"</button>
        </div>
    }
}

/// A read-only field with a button that selects it for copying (Ctrl+C). Selecting, not
/// writing the clipboard from code: it works on any page, over plain HTTP too, and keeps the
/// first page's download small.
#[component]
fn CopyField(id: &'static str, value: Signal<String>) -> impl IntoView {
    let selected = RwSignal::new(false);
    let select = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Some(input) = document()
                .get_element_by_id(id)
                .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
            {
                let _ = input.focus();
                input.select();
            }
        }
        selected.set(true);
    };
    let what = if id == "hook-secret" {
        "the secret"
    } else {
        "the address"
    };
    view! {
        <div class="field-row">
            <input id=id type="text" readonly prop:value=move || value.get()
                on:focus:target=move |ev| ev.target().select()/>
            <button type="button" class="button small" on:click=select
                aria-label=format!("Copy {what}")>
                {move || if selected.get() { "Selected: press Ctrl+C" } else { "Copy" }}
            </button>
        </div>
    }
}

#[component]
fn IntegrationCard(
    slug: String,
    integration: Integration,
    origin: RwSignal<String>,
    changed: RwSignal<u32>,
    shown: RwSignal<Option<WithSecret>>,
) -> impl IntoView {
    let id: Uuid = integration.id;
    let i = integration;
    let field = |name: &str| format!("integration-{id}-{name}");
    let name = RwSignal::new(i.name.clone());
    let branches = RwSignal::new(i.branches.join(", "));
    let close_on_fixes = RwSignal::new(i.close_on_fixes);
    let done_on_green = RwSignal::new(i.done_on_green);
    let confirming = RwSignal::new(false);

    let save_slug = slug.clone();
    let save = Action::new(move |settings: &IntegrationSettings| {
        let (slug, settings) = (save_slug.clone(), settings.clone());
        async move { update_integration(slug, id, settings).await }
    });
    let rotate_slug = slug.clone();
    let rotate = Action::new(move |_: &()| {
        let slug = rotate_slug.clone();
        async move { rotate_integration(slug, id).await }
    });
    let remove_slug = slug.clone();
    let remove = Action::new(move |_: &()| {
        let slug = remove_slug.clone();
        async move { remove_integration(slug, id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(made)) = rotate.value().get() {
            shown.set(Some(made));
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let saved = move || {
        save.value()
            .with(|v| matches!(v, Some(Ok(_))).then_some("Saved."))
    };
    let branches_error = field_error(save.value(), "branches");
    let name_error = field_error(save.value(), "name");
    let save_other = form_error(save.value(), &["branches", "name"]);
    let other_error = move || {
        rotate
            .value()
            .with(|v| {
                v.as_ref()
                    .and_then(|r| r.as_ref().err().map(|e| e.to_string()))
            })
            .or_else(|| {
                remove.value().with(|v| {
                    v.as_ref()
                        .and_then(|r| r.as_ref().err().map(|e| e.to_string()))
                })
            })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(IntegrationSettings {
            name: name.get(),
            branches: branches.get(),
            close_on_fixes: close_on_fixes.get(),
            done_on_green: done_on_green.get(),
        });
    };
    let path = i.path.clone();
    let url = move || format!("{}{}", origin.get(), path);
    let heading = format!("{} · {}", i.name, i.provider_label);
    let (name_id, branches_id, close_id, green_id) = (
        field("name"),
        field("branches"),
        field("close"),
        field("green"),
    );
    // Each card's error lines have their own ids (a project may have several integrations).
    let (name_error_id, branches_error_id, branches_help_id) = (
        field("name-error"),
        field("branches-error"),
        field("branches-help"),
    );
    // Azure DevOps's builds do not name the repository's default branch.
    let branches_help = (i.provider == "azure").then(|| view! {
        <p id=branches_help_id.clone() class="muted small">
            "Azure DevOps builds do not say which branch is the default: name the branches that count (such as "<code>"main"</code>"); left empty, "<code>"main"</code>" and "<code>"master"</code>" count."
        </p>
    });
    let branches_described = if branches_help.is_some() {
        format!("{branches_help_id} {branches_error_id}")
    } else {
        branches_error_id.clone()
    };
    view! {
        <article class="card integration" aria-label=heading.clone()>
            <h3>{heading.clone()}</h3>
            <dl class="facts">
                <dt>"Address"</dt>
                <dd><code class="hook-address">{url}</code></dd>
                <dt>"Secret"</dt>
                <dd>{format!("…{}", i.secret_hint)}</dd>
                <dt>"Added"</dt>
                <dd>{format!("{}{}", i.created_at.format("%Y-%m-%d"),
                    i.created_by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default())}</dd>
            </dl>
            <form class="needs-js" on:submit=submit aria-label=format!("Settings of {}", i.name)>
                <label for=name_id.clone()>"Name"</label>
                <input id=name_id type="text" maxlength="80" prop:value=move || name.get()
                    on:input:target=move |ev| name.set(ev.target().value())
                    aria-describedby=name_error_id.clone()/>
                <FieldError id=name_error_id message=name_error/>
                <label for=branches_id.clone()>"Branches that count (comma separated, "<code>"release/*"</code>" matches a prefix; empty: the default branch)"</label>
                {branches_help}
                <input id=branches_id type="text" prop:value=move || branches.get()
                    on:input:target=move |ev| branches.set(ev.target().value())
                    aria-describedby=branches_described/>
                <FieldError id=branches_error_id message=branches_error/>
                <span class="check">
                    <input type="checkbox" id=close_id.clone() prop:checked=move || close_on_fixes.get()
                        on:change:target=move |ev| close_on_fixes.set(ev.target().checked())/>
                    <label for=close_id>"“fixes #12” merged to a counted branch moves #12 to done"</label>
                </span>
                <span class="check">
                    <input type="checkbox" id=green_id.clone() prop:checked=move || done_on_green.get()
                        on:change:target=move |ev| done_on_green.set(ev.target().checked())/>
                    <label for=green_id>"A green run after a red one moves the CI bug to done"</label>
                </span>
                <div class="button-row">
                    <button type="submit" class="button" disabled=move || save.pending().get()>"Save"</button>
                    <p class="form-ok" role="status">{saved}</p>
                </div>
                <FormError message=save_other/>
            </form>
            <div class="button-row needs-js">
                <button type="button" class="button" on:click=move |_| { rotate.dispatch(()); }>
                    "Rotate secret"
                </button>
                {move || if confirming.get() {
                    view! {
                        <span role="group" aria-label="Confirm removal">
                            "Remove it? Its address stops working at once. "
                            <button type="button" class="button danger" on:click=move |_| { remove.dispatch(()); }>"Remove"</button>
                            <button type="button" class="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button danger" on:click=move |_| confirming.set(true)>
                            "Remove integration"
                        </button>
                    }.into_any()
                }}
            </div>
            <FormError message=other_error/>
            <h4>"Latest deliveries"</h4>
            {if i.deliveries.is_empty() {
                view! { <p class="muted">"None yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table deliveries" aria-label=format!("Deliveries to {}", i.name)>
                        <thead><tr>
                            <th scope="col">"When"</th><th scope="col">"Event"</th>
                            <th scope="col">"Delivery"</th><th scope="col">"Outcome"</th>
                        </tr></thead>
                        <tbody>
                            {i.deliveries.into_iter().map(|d| view! {
                                <tr class=if d.accepted { "accepted" } else { "refused" }>
                                    <td><time datetime=d.at.to_rfc3339()>{d.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</time></td>
                                    <td>{d.event}</td>
                                    <td><code>{d.delivery_id.unwrap_or_default()}</code></td>
                                    <td>{d.outcome}{d.error.map(|e| format!(" ({e})"))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </article>
    }
}
