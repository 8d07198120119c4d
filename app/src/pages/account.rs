//! The signed-in person's account: which notifications come by email, the colours of this
//! browser, password, and personal API tokens.

use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::model::accounts::{EmailPrefs, TokenInfo};
use crate::server_fns::accounts::{
    list_tokens, me, my_email_prefs, ChangePassword, CreateToken, RevokeToken, SetEmailPrefs,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let account = crate::components::data::data(|| (), |_| me());
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <Transition fallback=|| ()>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    account.await.map(|a| a.map(|a| view! {
                        <p>"Signed in as " <strong>{a.display_name}</strong> " (" {a.email} ")"</p>
                    }))
                })}
            </ErrorBoundary>
        </Transition>
        <EmailCard/>
        <AppearanceCard/>
        <PasswordCard/>
        <TokensCard/>
    }
}

#[component]
fn PasswordCard() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let current_error = field_error(change.value(), "current_password");
    let new_error = field_error(change.value(), "new_password");
    let other = form_error(change.value(), &["current_password", "new_password"]);
    let done = move || {
        change.value().with(|v| {
            matches!(v, Some(Ok(_))).then_some(
                "Password changed. Your other sessions were signed out and your API tokens \
                 revoked: make new ones for your scripts.",
            )
        })
    };
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <ActionForm action=change attr:class="stack-form">
                <FormError message=other/>
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current_password" type="password"
                    autocomplete="current-password" required aria-describedby="current-password-error"/>
                <FieldError id="current-password-error" message=current_error/>
                <label for="new-password">"New password"</label>
                <input id="new-password" name="new_password" type="password" minlength="10"
                    autocomplete="new-password" required aria-describedby="new-password-error"/>
                <FieldError id="new-password-error" message=new_error/>
                <button type="submit" class="button primary">"Change password"</button>
                <p class="form-ok" role="status">{done}</p>
            </ActionForm>
        </section>
    }
}

#[component]
fn TokensCard() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = crate::components::data::data(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let name_error = field_error(create.value(), "name");
    let other = form_error(create.value(), &["name"]);
    let revoke_error = form_error(revoke.value(), &[]);
    let fresh = move || {
        create.value().with(|v| match v {
            Some(Ok(t)) => Some(view! {
                <div class="notice" role="status">
                    <p>{format!("Your new token “{}”. Copy it now: it will not be shown again.", t.info.name)}</p>
                    <code class="token" data-testid="new-token">{t.token.clone()}</code>
                </div>
            }),
            _ => None,
        })
    };
    view! {
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p class="muted">
                "For scripts and report tools: send " <code>"Authorization: Bearer <token>"</code>
                " to " <a href="/api/v1/openapi.json">"the JSON API"</a> ". "
                "Changing your password revokes them all."
            </p>
            {fresh}
            <ActionForm action=create attr:class="inline-form">
                <FormError message=other/>
                <label for="token-name">"Token name"</label>
                <div class="field-row">
                    <input id="token-name" name="name" type="text" maxlength="80" required
                        placeholder="e.g. Weekly report" aria-describedby="token-name-error"/>
                    <button type="submit" class="button primary">"Create token"</button>
                </div>
                <FieldError id="token-name-error" message=name_error/>
            </ActionForm>
            <FormError message=revoke_error/>
            <Transition fallback=|| view! { <p class="muted">"Loading tokens…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                    {move || Suspend::new(async move {
                        tokens.await.map(|list| view! { <TokenList list revoke/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn TokenList(list: Vec<TokenInfo>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No tokens yet."</p> }.into_any();
    }
    view! {
        <table class="table" aria-label="Your API tokens">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Starts with"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                {list.into_iter().map(|t| view! {
                    <tr>
                        <td>{t.name.clone()}</td>
                        <td><code>{format!("{}…", t.prefix)}</code></td>
                        <td>{t.created_at.format("%Y-%m-%d").to_string()}</td>
                        <td>{t.last_used_at.map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "never".into())}</td>
                        <td>
                            <ActionForm action=revoke attr:class="row-form">
                                <input type="hidden" name="id" value=t.id.to_string()/>
                                <button type="submit" class="button small danger"
                                    aria-label=format!("Revoke {}", t.name)>"Revoke"</button>
                            </ActionForm>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn EmailCard() -> impl IntoView {
    let save = ServerAction::<SetEmailPrefs>::new();
    let prefs = crate::components::data::data(move || save.version().get(), |_| my_email_prefs());
    view! {
        <section class="card" id="email" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                    {move || Suspend::new(async move {
                        prefs.await.map(|p| view! { <EmailForm prefs=p save/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn EmailForm(prefs: EmailPrefs, save: ServerAction<SetEmailPrefs>) -> impl IntoView {
    let error = form_error(save.value(), &[]);
    let done = move || {
        save.value()
            .with(|v| matches!(v, Some(Ok(_))).then_some("Email settings saved."))
    };
    let off = (!prefs.available).then(|| {
        view! {
            <p class="notice">
                "This server sends no email (its administrator has not set "
                <code>"CADENCE_SMTP_URL"</code>
                "). Your choices are kept for when it does; your inbox has every notification."
            </p>
        }
    });
    view! {
        {off}
        <ActionForm action=save attr:class="stack-form">
            <FormError message=error/>
            <fieldset>
                <legend>"Email me about"</legend>
                {prefs.kinds.into_iter().map(|k| {
                    let id = format!("email-{}", k.kind);
                    view! {
                        <span class="check">
                            <input type="checkbox" id=id.clone() name=k.kind value="on" checked=k.on/>
                            <label for=id>{k.label}</label>
                        </span>
                    }
                }).collect_view()}
            </fieldset>
            <p class="muted">"At most one email every few minutes: what happens meanwhile comes together."</p>
            <button type="submit" class="button primary">"Save email settings"</button>
            <p class="form-ok" role="status">{done}</p>
        </ActionForm>
    }
}

/// Light or dark colours for this browser, or as the system is set: a plain form (the
/// server keeps the choice in a cookie and marks every page with it), so it works without
/// JavaScript too.
#[component]
fn AppearanceCard() -> impl IntoView {
    let chosen = crate::chosen_theme().unwrap_or("system");
    let choice = move |value: &'static str, text: &'static str| {
        let id = format!("theme-{value}");
        view! {
            <span class="check">
                <input type="radio" id=id.clone() name="theme" value=value checked=chosen == value/>
                <label for=id>{text}</label>
            </span>
        }
    };
    view! {
        <section class="card" id="appearance" aria-labelledby="appearance-heading">
            <h2 id="appearance-heading">"Appearance"</h2>
            <form method="post" action="/theme" class="stack-form">
                <input type="hidden" name="back" value="/account#appearance"/>
                <fieldset>
                    <legend>"Colours in this browser"</legend>
                    {choice("system", "As the system is set")}
                    {choice("light", "Light")}
                    {choice("dark", "Dark")}
                </fieldset>
                <button type="submit" class="button primary">"Save appearance"</button>
            </form>
        </section>
    }
}
