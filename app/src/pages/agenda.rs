//! `/agenda` ("Mon agenda"): the viewer's upcoming invitations in all their organisations, with
//! one-click answers.

use leptos::prelude::*;

use super::meetings::MeetingLine;
use super::SignedIn;
use crate::api::meetings::{my_agenda, Respond};
use crate::components::{ActionOutcome, CsrfField, ErrorBanner, Loading};
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
    meeting_id: i64,
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

#[component]
fn Agenda() -> impl IntoView {
    let respond = ServerAction::<Respond>::new();
    let agenda = Resource::new(move || respond.version().get(), |_| my_agenda());
    view! {
        <h1>"Mon agenda"</h1>
        <ActionOutcome value=respond.value() success="Réponse enregistrée."/>
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
                                        <div class="agenda-item">
                                            <MeetingLine meeting show_organisation=true/>
                                            {(!cancelled).then(|| view! { <RsvpButtons meeting_id=id current action=respond/> })}
                                        </div>
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
