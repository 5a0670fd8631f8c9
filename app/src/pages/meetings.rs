//! `/reunions`: upcoming and past meetings of the current organisation, filtered by kind.

use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::SignedIn;
use crate::api::mail::{undelivered_mail, RetryMail};
use crate::api::meetings::{list_meetings, MeetingSummary};
use crate::components::{use_session, CsrfField, ErrorBanner, Loading};
use crate::domain::meeting::MeetingKind;

/// One line of a list of meetings (shared by the list and the agenda).
#[component]
pub fn MeetingLine(
    meeting: MeetingSummary,
    #[prop(optional)] show_organisation: bool,
    /// More classes on the list item.
    #[prop(optional)]
    class: &'static str,
    /// More content at the end of the item (e.g. the answer buttons of "Mon agenda").
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let href = format!("/reunions/{}", meeting.id);
    view! {
        <li class=format!("meeting-line {class}") class:cancelled=meeting.cancelled>
            <span class=format!("badge kind-{}", meeting.kind.code())>{meeting.kind.label_fr()}</span>
            // A plain link: the router still handles the click, without a reactive `<A>` per row.
            <a href=href class="meeting-title">{meeting.title}</a>
            <span class="when">{meeting.when}</span>
            <span class="mode">{meeting.mode.label_fr()}</span>
            {meeting.in_series.then(|| view! { <span class="tag">"Série"</span> })}
            {meeting.cancelled.then(|| view! { <span class="tag tag-danger">"Annulée"</span> })}
            {meeting.my_response.map(|r| view! { <span class=format!("tag rsvp-{}", r.code())>{r.label_fr()}</span> })}
            {show_organisation.then(|| view! { <span class="muted">{meeting.organisation_name}</span> })}
            {children.map(|children| children())}
        </li>
    }
}

/// `/reunions`.
#[component]
pub fn MeetingsPage() -> impl IntoView {
    view! { <SignedIn><MeetingsList/></SignedIn> }
}

#[component]
fn MeetingsList() -> impl IntoView {
    let query = use_query_map();
    let kind = move || query.read().get("kind").unwrap_or_default();
    let period = move || {
        query
            .read()
            .get("period")
            .unwrap_or_else(|| "upcoming".to_string())
    };
    let meetings = AsyncDerived::new(move || list_meetings(kind(), period()));
    let is_coordinator = use_session().viewer.is_some_and(|v| v.is_coordinator());
    let kind_options = move || {
        let current = kind();
        std::iter::once(("".to_string(), "Tous les types".to_string()))
            .chain(
                MeetingKind::ALL
                    .iter()
                    .map(|k| (k.code().to_string(), k.label_fr().to_string())),
            )
            .map(|(value, label)| {
                let selected = value == current;
                view! { <option value=value selected=selected>{label}</option> }
            })
            .collect_view()
    };
    view! {
        {is_coordinator.then(|| view! { <UndeliveredMail/> })}
        <div class="page-head">
            <h1>"Réunions"</h1>
            {is_coordinator.then(|| view! { <A href="/reunions/nouvelle" attr:class="button button-primary">"Nouvelle réunion"</A> })}
        </div>
        <Form method="GET" action="/reunions" attr:class="filters">
            <div class="field-inline">
                <label for="filter-kind">"Type"</label>
                <select id="filter-kind" name="kind">{kind_options}</select>
            </div>
            <div class="field-inline">
                <label for="filter-period">"Période"</label>
                <select id="filter-period" name="period">
                    <option value="upcoming" selected=move || period() != "past">"À venir"</option>
                    <option value="past" selected=move || period() == "past">"Passées"</option>
                </select>
            </div>
            <button type="submit" class="button-small">"Filtrer"</button>
        </Form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match meetings.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"Aucune réunion pour ces critères."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="meeting-list">
                            {list.into_iter().map(|meeting| view! { <MeetingLine meeting/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// For coordinators: the organisation's e-mails that could not be delivered after several
/// attempts, each with a button to try again now. Shows nothing when all went out.
#[component]
fn UndeliveredMail() -> impl IntoView {
    let retry = ServerAction::<RetryMail>::new();
    let failing = AsyncDerived::new(undelivered_mail);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match failing.await {
                    Ok(list) if list.is_empty() => ().into_any(),
                    Ok(list) => view! {
                        <section class="alert alert-error undelivered" aria-labelledby="undelivered-title">
                            <h2 id="undelivered-title">"E-mails non distribués"</h2>
                            <p>"Ces messages n'ont pas pu être remis malgré plusieurs tentatives. Vérifiez l'adresse ou la configuration du serveur d'envoi."</p>
                            <ul>
                                {list.into_iter().map(|mail| view! {
                                    <li>
                                        <strong>{mail.recipient}</strong>" — "{mail.subject}
                                        <span class="muted">{format!(" ({} tentatives : {})", mail.attempts, mail.last_error)}</span>
                                        <ActionForm action=retry attr:class="inline-form">
                                            <CsrfField/>
                                            <input type="hidden" name="id" value=mail.id.to_string()/>
                                            <button type="submit" class="button-small">"Réessayer"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    // The list of meetings below shows errors; this block stays silent.
                    Err(_) => ().into_any(),
                }
            })}
        </Suspense>
    }
}
