//! `/reunions/:id`: a meeting's details, invitees and their answers, the viewer's answer, and
//! for coordinators: invite, edit, cancel.

use leptos::prelude::*;
use leptos_router::components::A;

use super::agenda::RsvpButtons;
use super::SignedIn;
use crate::api::meetings::{get_meeting, CancelMeeting, Invite, MeetingDetail, Respond};
use crate::components::{CsrfField, ErrorBanner, Loading};
use crate::domain::role::Role;
use crate::domain::rsvp::Rsvp;

/// `/reunions/:id`.
#[component]
pub fn MeetingPage() -> impl IntoView {
    view! { <SignedIn><Meeting/></SignedIn> }
}

#[component]
fn Meeting() -> impl IntoView {
    let id = super::route_id();
    let respond = ServerAction::<Respond>::new();
    let invite = ServerAction::<Invite>::new();
    let cancel = ServerAction::<CancelMeeting>::new();
    let meeting = AsyncDerived::new(move || get_meeting(id()));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match meeting.await {
                    Ok(detail) => view! { <MeetingView detail respond invite cancel/> }.into_any(),
                    Err(error) => view! { <h1>"Réunion"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MeetingView(
    detail: MeetingDetail,
    respond: ServerAction<Respond>,
    invite: ServerAction<Invite>,
    cancel: ServerAction<CancelMeeting>,
) -> impl IntoView {
    let id = detail.id;
    let answered = |answer: Rsvp| {
        detail
            .invitees
            .iter()
            .filter(|i| i.response == answer)
            .count()
    };
    let counts = format!(
        "{} accepte(nt), {} peut-être, {} décline(nt), {} sans réponse",
        answered(Rsvp::Accepted),
        answered(Rsvp::Tentative),
        answered(Rsvp::Declined),
        answered(Rsvp::NeedsAction)
    );
    let in_series = detail.series_description.is_some();
    let can_answer = detail.my_response.is_some() && !detail.cancelled && !detail.past;
    let join_label = if detail.my_slots.is_empty() {
        "Rejoindre la séance"
    } else {
        "Rejoindre pour mon cas"
    };
    view! {
        <article class="meeting">
            <p class="breadcrumb"><A href="/reunions">"Réunions"</A> " › " {detail.organisation_name.clone()}</p>
            <h1>
                <span class=format!("badge kind-{}", detail.kind.code())>{detail.kind.label_fr()}</span>
                " " {detail.title.clone()}
            </h1>
            {detail.cancelled.then(|| view! { <p class="alert alert-error" role="status">"Cette réunion est annulée."</p> })}
            <dl class="facts">
                <dt>"Date"</dt><dd class="when">{detail.when.clone()}" (heure de Paris)"</dd>
                <dt>"Mode"</dt><dd>{detail.mode.label_fr()}</dd>
                {detail.address.clone().map(|a| view! { <dt>"Adresse"</dt><dd>{a}</dd> })}
                {detail.series_description.clone().map(|s| view! { <dt>"Série"</dt><dd>{s}</dd> })}
                <dt>"Envoi des cas avant le"</dt><dd>{detail.deadline.clone()}</dd>
                {detail.max_cases.map(|n| view! { <dt>"Nombre maximal de cas"</dt><dd>{n}</dd> })}
            </dl>
            {(!detail.my_slots.is_empty()).then(|| view! {
                <ul class="my-slots alert alert-info" aria-label="Vos passages">
                    {detail.my_slots.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}
                </ul>
            })}
            {(!detail.description_html.is_empty()).then(|| view! { <div class="description" inner_html=detail.description_html.clone()></div> })}
            <p>
                <a href=format!("/meetings/{id}/invite.ics") class="button button-small" download=format!("reunion-{id}.ics")>
                    "Ajouter à mon agenda (.ics)"
                </a>
                {(!detail.cancelled && !detail.past).then(|| view! {
                    " " <A href=format!("/reunions/{id}/salle") attr:class="button button-small">"Salle vidéo"</A>
                })}
                {matches!(detail.kind, crate::domain::meeting::MeetingKind::Staff | crate::domain::meeting::MeetingKind::Rcp).then(|| view! {
                    " " <A href=format!("/reunions/{id}/ordre-du-jour") attr:class="button button-small">"Ordre du jour"</A>
                    " " <A href=format!("/reunions/{id}/seance") attr:class="button button-small">
                        {join_label}
                    </A>
                })}
            </p>

            {can_answer.then(|| view! {
                <section class="card">
                    <h2>"Votre réponse"</h2>
                    <p>"Actuellement : " <strong class="my-response">{detail.my_response.map(Rsvp::label_fr)}</strong></p>
                    <RsvpButtons meeting_id=id current=detail.my_response action=respond/>
                    {in_series.then(|| view! {
                        <details>
                            <summary>"Répondre pour cette séance et toutes les suivantes"</summary>
                            <RsvpButtons meeting_id=id current=None action=respond with_scope=true/>
                        </details>
                    })}
                </section>
            })}

            <section>
                <h2>"Invité·es"</h2>
                <p class="muted">{counts}</p>
                {if detail.invitees.is_empty() {
                    view! { <p class="empty">"Personne n'est encore invité."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" role="region" aria-label="Invité·es" tabindex="0">
                        <table class="invitees">
                            <thead><tr><th scope="col">"Nom"</th><th scope="col">"Rôle"</th><th scope="col">"Réponse"</th></tr></thead>
                            <tbody>
                                {detail.invitees.iter().map(|i| view! {
                                    <tr>
                                        <td>{i.name.clone()}</td>
                                        <td>{i.role_label.clone()}</td>
                                        <td><span class=format!("tag rsvp-{}", i.response.code())>{i.response.label_fr()}</span></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any()
                }}
            </section>

            {(detail.can_manage && !detail.cancelled).then(|| view! { <ManagePanel detail=detail.clone() invite cancel/> })}
        </article>
    }
}

#[component]
fn ManagePanel(
    detail: MeetingDetail,
    invite: ServerAction<Invite>,
    cancel: ServerAction<CancelMeeting>,
) -> impl IntoView {
    let id = detail.id;
    let in_series = detail.series_description.is_some();
    let member_options = detail
        .members
        .iter()
        .map(|m| view! { <option value=m.user_id.to_string()>{m.label.clone()}</option> })
        .collect_view();
    let role_options = Role::ALL
        .iter()
        .map(|r| view! { <option value=r.code()>{r.plural_fr()}</option> })
        .collect_view();
    view! {
        <section class="card manage">
            <h2>"Organisation de la réunion"</h2>
            <p><A href=format!("/reunions/{id}/modifier") attr:class="button">"Modifier"</A></p>

            <h3>"Inviter"</h3>
            <div class="invite-forms">
                <ActionForm action=invite attr:class="inline-form" attr:aria-label="Inviter une personne">
                    <CsrfField/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="scope" value="following"/>
                    <label for="invite-user">"Une personne"</label>
                    <select id="invite-user" name="user_id" required=true>
                        <option value="">"— Choisir —"</option>
                        {member_options}
                    </select>
                    <button type="submit" class="button-small">"Inviter"</button>
                </ActionForm>
                <ActionForm action=invite attr:class="inline-form" attr:aria-label="Inviter un groupe">
                    <CsrfField/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="scope" value="following"/>
                    <label for="invite-role">"Un groupe"</label>
                    <select id="invite-role" name="role" required=true>
                        <option value="">"— Choisir —"</option>
                        {role_options}
                    </select>
                    <button type="submit" class="button-small">"Inviter le groupe"</button>
                </ActionForm>
            </div>
            {in_series.then(|| view! { <p class="hint">"Les invitations valent pour cette séance et toutes les suivantes."</p> })}

            <h3>"Annuler"</h3>
            <ActionForm action=cancel attr:class="cancel-form">
                <CsrfField/>
                <input type="hidden" name="id" value=id.to_string()/>
                {if in_series {
                    view! {
                        <fieldset>
                            <legend>"Que faut-il annuler ?"</legend>
                            <label><input type="radio" name="scope" value="occurrence" checked=true/>" Cette séance seulement"</label>
                            <label><input type="radio" name="scope" value="following"/>" Cette séance et les suivantes"</label>
                            <label><input type="radio" name="scope" value="series"/>" Toute la série"</label>
                        </fieldset>
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="scope" value="occurrence"/> }.into_any()
                }}
                <label class="confirm">
                    <input type="checkbox" name="confirm" value="yes" required=true/>
                    " Je confirme l'annulation (les invité·es recevront un e-mail)"
                </label>
                <button type="submit" class="button-danger">"Annuler la réunion"</button>
            </ActionForm>
        </section>
    }
}
