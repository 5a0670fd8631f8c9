//! `/membres`: the organisation's members and pending invitations; coordinators invite new ones
//! by e-mail and change roles.

use leptos::prelude::*;

use super::SignedIn;
use crate::api::members::{list_members, InviteMember, MemberView, SetMemberRole};
use crate::components::field::{field_error, Field, SelectField};
use crate::components::{use_session, ActionOutcome, CsrfField, ErrorBanner, Loading};
use crate::domain::role::Role;

/// `/membres`.
#[component]
pub fn MembersPage() -> impl IntoView {
    view! { <SignedIn><Members/></SignedIn> }
}

/// Role options as (code, French label).
fn role_options() -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.label_fr().to_string()))
        .collect()
}

/// What the "Compte" column says.
fn account_state(member: &MemberView) -> &'static str {
    if member.pending {
        "Invitation en attente d'acceptation"
    } else if member.active {
        "Actif"
    } else {
        "Invitation envoyée"
    }
}

/// "Changer le rôle": a select and a button for one member (coordinators).
#[component]
fn RoleChange(member: MemberView, action: ServerAction<SetMemberRole>) -> impl IntoView {
    let select_id = format!("role-{}", member.user_id);
    let current = member.role;
    view! {
        <ActionForm action=action attr:class="inline-form">
            <CsrfField/>
            <input type="hidden" name="user_id" value=member.user_id.to_string()/>
            <label class="visually-hidden" for=select_id.clone()>{format!("Nouveau rôle de {}", member.name)}</label>
            <select id=select_id name="role">
                {role_options()
                    .into_iter()
                    .map(|(code, label)| {
                        let selected = code == current.code();
                        view! { <option value=code selected=selected>{label}</option> }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="button-small">"Changer le rôle"</button>
        </ActionForm>
    }
}

/// "Inviter un·e professionnel·le" (coordinators): an island, so that a refused form keeps what
/// was typed.
#[island(lazy)]
pub fn MemberInviteForm() -> impl IntoView {
    crate::island_hydrated();
    let invite = ServerAction::<InviteMember>::new();
    let value = invite.value();
    view! {
        <section class="card">
                <h2>"Inviter un·e professionnel·le"</h2>
                <p class="hint">"Une personne qui a déjà un compte Concerto doit accepter l'invitation avant d'accéder à l'organisation. Inviter à nouveau un membre lui renvoie un lien, sans changer son rôle."</p>
                <ActionOutcome value success="Invitation envoyée par e-mail."/>
                <ActionForm action=invite attr:novalidate=true>
                    <CsrfField/>
                    <div class="row">
                        <Field label="Nom affiché" name="display_name" required=true error=field_error(value, "display_name")/>
                        <Field label="Adresse e-mail" name="email" kind="email" required=true error=field_error(value, "email")/>
                        <SelectField label="Rôle" name="role" options=role_options() selected="gp" error=field_error(value, "role")/>
                    </div>
                    <button type="submit" class="button-primary">"Envoyer l'invitation"</button>
                </ActionForm>
            </section>
    }
}

#[component]
fn Members() -> impl IntoView {
    let set_role = ServerAction::<SetMemberRole>::new();
    let members = AsyncDerived::new(list_members);
    let is_coordinator = use_session().viewer.is_some_and(|v| v.is_coordinator());
    if is_coordinator {
        crate::has_islands();
    }
    view! {
        <h1>"Membres"</h1>
        {is_coordinator.then(|| view! { <MemberInviteForm/> })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(list) => view! {
                        <div class="table-wrap" role="region" aria-label="Membres" tabindex="0">
                        <table class="members">
                            <thead>
                                <tr>
                                    <th scope="col">"Nom"</th><th scope="col">"E-mail"</th><th scope="col">"Rôle"</th><th scope="col">"Compte"</th>
                                    {is_coordinator.then(|| view! { <th scope="col">"Changer le rôle"</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.name.clone()}</td>
                                        <td>{m.email.clone()}</td>
                                        <td>{m.role.label_fr()}</td>
                                        <td>{account_state(&m)}</td>
                                        {is_coordinator.then(|| view! { <td><RoleChange member=m.clone() action=set_role/></td> })}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
