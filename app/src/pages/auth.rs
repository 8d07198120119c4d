//! Signing in and registering. Both forms work without JavaScript, and both send the person
//! on to where they were going (`?next=`). When the instance's registration is closed, the
//! registration page says so and how to get an account instead of showing the form.

use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::model::accounts::Registration;
use crate::server_fns::accounts::{registration_status, LogIn, Register};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn next_param() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("next").unwrap_or_default()))
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let registration = crate::components::data::data(|| (), |_| registration_status());
    let next = next_param();
    let email_error = field_error(action.value(), "email");
    let password_error = field_error(action.value(), "password");
    let other_error = form_error(action.value(), &["email", "password"]);
    let register_href = move || {
        let n = next.get();
        if n.is_empty() {
            "/register".to_owned()
        } else {
            format!("/register?next={}", crate::words::urlencode(&n))
        }
    };
    view! {
        <Title text="Sign in"/>
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <ActionForm action attr:class="stack-form" attr:aria-label="Sign in">
                <FormError message=other_error/>
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="login-email">"Email"</label>
                <input id="login-email" name="email" type="email" autocomplete="username" required
                    aria-describedby="login-email-error"/>
                <FieldError id="login-email-error" message=email_error/>
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password"
                    autocomplete="current-password" required aria-describedby="login-password-error"/>
                <FieldError id="login-password-error" message=password_error/>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match registration.await {
                        Ok(Registration::Closed) => view! {
                            <p class="muted">"New here? Ask the person who runs this Cadence for an account."</p>
                        }.into_any(),
                        _ => view! {
                            <p class="muted">"New here? " <a href=register_href>"Create an account"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let registration = crate::components::data::data(|| (), |_| registration_status());
    view! {
        <Title text="Create an account"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // If asking fails, the form is shown: the server still refuses when closed.
                match registration.await {
                    Ok(Registration::Closed) => view! { <RegistrationClosed/> }.into_any(),
                    _ => view! { <RegisterForm/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a stranger sees on an instance whose administrator makes the accounts.
#[component]
fn RegistrationClosed() -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Registration is closed"</h1>
            <p>
                "Accounts on this Cadence are made by the person who runs it. "
                "Ask them to create one for you; they will tell you how to sign in."
            </p>
            <p class="muted small">
                "For administrators: " <code>"server create-user --email … --name …"</code>
                " creates an account."
            </p>
            <p class="muted">"Already have an account? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}

#[component]
fn RegisterForm() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let next = next_param();
    let email_error = field_error(action.value(), "email");
    let name_error = field_error(action.value(), "display_name");
    let password_error = field_error(action.value(), "password");
    let other_error = form_error(action.value(), &["email", "display_name", "password"]);
    view! {
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <ActionForm action attr:class="stack-form" attr:aria-label="Create an account">
                <FormError message=other_error/>
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="register-email">"Email"</label>
                <input id="register-email" name="email" type="email" autocomplete="email" required
                    aria-describedby="register-email-error"/>
                <FieldError id="register-email-error" message=email_error/>
                <label for="register-name">"Your name"</label>
                <input id="register-name" name="display_name" type="text" autocomplete="name"
                    maxlength="80" required aria-describedby="register-name-error"/>
                <FieldError id="register-name-error" message=name_error/>
                <label for="register-password">"Password"</label>
                <input id="register-password" name="password" type="password"
                    autocomplete="new-password" minlength="10" required
                    aria-describedby="register-password-hint register-password-error"/>
                <p id="register-password-hint" class="muted small">"At least 10 characters; a passphrase is fine."</p>
                <FieldError id="register-password-error" message=password_error/>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="muted">"Already have an account? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}
