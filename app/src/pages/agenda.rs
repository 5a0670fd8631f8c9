//! `/agenda` ("Mon agenda"): the viewer's upcoming invitations in all their organisations, with
//! one-click answers, and the invitations to join an organisation waiting for their consent.

use crate::domain::ids::MeetingId;
use leptos::prelude::*;

use super::meetings::MeetingLine;
use super::SignedIn;
use crate::api::meetings::{my_agenda, Respond};
use crate::api::members::{my_invitations, AnswerInvitation};
use crate::api::session::Membership;
use crate::components::{CsrfField, ErrorBanner, Loading};
use crate::domain::rsvp::Rsvp;

/// `/agenda`.
#[component]
pub fn AgendaPage() -> impl IntoView {
    view! { <SignedIn><Agenda/></SignedIn> }
}

/// The three answer buttons for a meeting, each its own small form so it works without
/// JavaScript.
#[component]
pub fn RsvpButtons(
    meeting_id: MeetingId,
    current: Option<Rsvp>,
    action: ServerAction<Respond>,
    #[prop(optional)] with_scope: bool,
) -> impl IntoView {
    let buttons = [
        (Rsvp::Accepted, "Accepter"),
        (Rsvp::Tentative, "Peut-être"),
        (Rsvp::Declined, "Décliner"),
    ];
    view! {
        <div class="rsvp" role="group" aria-label="Votre réponse">
            {buttons
                .into_iter()
                .map(|(answer, label)| {
                    let pressed = current == Some(answer);
                    view! {
                        <ActionForm action=action attr:class="inline-form">
                            <CsrfField/>
                            <input type="hidden" name="id" value=meeting_id.to_string()/>
                            <input type="hidden" name="response" value=answer.code()/>
                            {with_scope.then(|| view! { <input type="hidden" name="scope" value="following"/> })}
                            <button type="submit" class=format!("button-small rsvp-{}", answer.code()) aria-pressed=pressed.to_string()>
                                {label}
                            </button>
                        </ActionForm>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// One invitation to join an organisation, with its Accepter / Refuser buttons.
#[component]
fn JoinInvitation(invitation: Membership, action: ServerAction<AnswerInvitation>) -> impl IntoView {
    let organisation_id = invitation.organisation_id;
    view! {
        <li class="join-invitation">
            <strong>{invitation.organisation_name.clone()}</strong>" — "{invitation.role.label_fr()}
            <div class="inline-forms" role="group" aria-label=format!("Invitation de {}", invitation.organisation_name)>
                {[("accept", "Accepter"), ("decline", "Refuser")]
                    .into_iter()
                    .map(|(answer, label)| view! {
                        <ActionForm action=action attr:class="inline-form">
                            <CsrfField/>
                            <input type="hidden" name="organisation_id" value=organisation_id.to_string()/>
                            <input type="hidden" name="answer" value=answer/>
                            <button type="submit" class="button-small">{label}</button>
                        </ActionForm>
                    })
                    .collect_view()}
            </div>
        </li>
    }
}

/// "Invitations à rejoindre une organisation", when there are any.
#[component]
fn JoinInvitations() -> impl IntoView {
    let answer = ServerAction::<AnswerInvitation>::new();
    let invitations = AsyncDerived::new(my_invitations);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match invitations.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <section class="card">
                            <h2>"Invitations à rejoindre une organisation"</h2>
                            <p class="hint">"Vous n'aurez accès à ses réunions et à ses membres qu'après avoir accepté."</p>
                            <ul>
                                {list.into_iter().map(|invitation| view! { <JoinInvitation invitation action=answer/> }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Agenda() -> impl IntoView {
    let respond = ServerAction::<Respond>::new();
    let agenda = AsyncDerived::new(my_agenda);
    view! {
        <h1>"Mon agenda"</h1>
        <JoinInvitations/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match agenda.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"Aucune réunion à venir."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="meeting-list agenda">
                            {list
                                .into_iter()
                                .map(|meeting| {
                                    let id = meeting.id;
                                    let current = meeting.my_response;
                                    let cancelled = meeting.cancelled;
                                    view! {
                                        <MeetingLine meeting show_organisation=true class="agenda-item">
                                            {(!cancelled).then(|| view! { <RsvpButtons meeting_id=id current action=respond/> })}
                                        </MeetingLine>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
