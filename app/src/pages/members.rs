//! Who is in the project and in which role. Owners add people by email, change roles and
//! remove members; everyone else reads the list.

use super::project::{project_resource, use_slug};
use crate::components::error_view::{first_app_error, ErrorView};
use crate::components::forms::{field_error, form_error, FieldError, FormError};
use crate::domain::{Permission, Role};
use crate::model::projects::Member;
use crate::server_fns::projects::{list_members, AddMember, RemoveMember, SetMemberRole};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MembersPage() -> impl IntoView {
    let slug = use_slug();
    let project = project_resource();
    let add = ServerAction::<AddMember>::new();
    let set_role = ServerAction::<SetMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let members = crate::components::data::data(
        move || {
            (
                slug.get(),
                add.version().get(),
                set_role.version().get(),
                remove.version().get(),
            )
        },
        |(slug, ..)| list_members(slug),
    );
    let change_error =
        move || form_error(set_role.value(), &[])().or_else(form_error(remove.value(), &[]));
    view! {
        <Title text="Members"/>
        <Transition fallback=|| view! { <p class="muted">"Loading members…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView error=first_app_error(&errors.get())/> }>
                {move || Suspend::new(async move {
                    let project = project.await?;
                    let list = members.await?;
                    let is_owner = project.role.allows(Permission::Administer);
                    Ok::<_, crate::error::AppError>(view! {
                        <header class="page-header">
                            <h1>"Members of " <a href=format!("/p/{}", project.slug)>{project.name.clone()}</a></h1>
                        </header>
                        <FormError message=change_error/>
                        <MemberTable list slug=project.slug.clone() is_owner set_role remove/>
                        {is_owner.then(|| view! { <AddMemberForm slug=project.slug.clone() add/> })}
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn MemberTable(
    list: Vec<Member>,
    slug: String,
    is_owner: bool,
    set_role: ServerAction<SetMemberRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    view! {
        <table class="table" aria-label="Members">
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                {is_owner.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}</tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|m| {
                        let (slug, slug2) = (slug.clone(), slug.clone());
                        let role = m.role;
                        let role_cell = if is_owner {
                            let select_id = format!("role-{}", m.email);
                            let email = m.email.clone();
                            let label = format!("Role of {}", m.display_name);
                            view! {
                                <ActionForm action=set_role attr:class="row-form">
                                    <input type="hidden" name="slug" value=slug/>
                                    <input type="hidden" name="email" value=email/>
                                    <label for=select_id.clone() class="visually-hidden">{label}</label>
                                    <RoleSelect id=select_id name="role" selected=role/>
                                    <button type="submit" class="button small">"Save role"</button>
                                </ActionForm>
                            }
                            .into_any()
                        } else {
                            view! { <span>{role.label()}</span> }.into_any()
                        };
                        let (email, name) = (m.email.clone(), m.display_name.clone());
                        let actions = is_owner.then(move || view! {
                            <td>
                                <ActionForm action=remove attr:class="row-form">
                                    <input type="hidden" name="slug" value=slug2/>
                                    <input type="hidden" name="email" value=email/>
                                    <button type="submit" class="button small danger"
                                        aria-label=format!("Remove {name}")>"Remove"</button>
                                </ActionForm>
                            </td>
                        });
                        let row_email = m.email.clone();
                        view! {
                            <tr data-email=row_email>
                                <td><span class="avatar" aria-hidden="true">{m.initials}</span>" "{m.display_name}</td>
                                <td>{m.email}</td>
                                <td>{role_cell}</td>
                                {actions}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn RoleSelect(id: String, name: &'static str, selected: Role) -> impl IntoView {
    view! {
        <select id=id name=name>
            {Role::ALL
                .into_iter()
                .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.label()}</option> })
                .collect_view()}
        </select>
    }
}

#[component]
fn AddMemberForm(slug: String, add: ServerAction<AddMember>) -> impl IntoView {
    let email_error = field_error(add.value(), "email");
    let role_error = field_error(add.value(), "role");
    let other_error = form_error(add.value(), &["email", "role"]);
    let added = move || {
        add.value().with(|v| match v {
            Some(Ok(m)) => Some(format!(
                "{} was added as {}.",
                m.display_name,
                m.role.label()
            )),
            _ => None,
        })
    };
    view! {
        <section class="card" aria-labelledby="add-member-heading">
            <h2 id="add-member-heading">"Add a member"</h2>
            <p class="muted">"They need an account already; add them by the email they signed up with."</p>
            <ActionForm action=add attr:class="inline-form">
                <FormError message=other_error/>
                <input type="hidden" name="slug" value=slug/>
                <div class="field-row">
                    <label for="member-email">"Email"</label>
                    <input id="member-email" name="email" type="email" required
                        aria-describedby="member-email-error"/>
                    <label for="member-role">"Role"</label>
                    <RoleSelect id="member-role".to_owned() name="role" selected=Role::Member/>
                    <button type="submit" class="button primary" disabled=move || add.pending().get()>"Add member"</button>
                </div>
                <FieldError id="member-email-error" message=email_error/>
                <FieldError id="member-role-error" message=role_error/>
                <p class="form-ok" role="status">{added}</p>
            </ActionForm>
        </section>
    }
}
