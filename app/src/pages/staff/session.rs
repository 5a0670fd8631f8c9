//! `/reunions/:id/seance`: the session of a staff or RCP. The coordinator marks attendance and
//! moves from item to item; everyone watching the page sees the current item and the quorum
//! change within a second (the `LiveSession` island listens to `/meetings/{id}/live`, server-sent
//! events read from the database, so every server process tells the same).

use leptos::prelude::*;

use super::agenda::MeetingHeading;
use crate::api::staff::{
    get_session, AttendeeView, LiveState, MarkAttendance, SessionView, SetCurrentItem,
};
use crate::components::{CsrfField, ErrorBanner, Loading};
use crate::domain::ids::{AgendaItemId, MeetingId};
use crate::pages::SignedIn;
use serde::{Deserialize, Serialize};

/// `/reunions/:id/seance`.
#[component]
pub fn SessionPage() -> impl IntoView {
    view! { <SignedIn><Session/></SignedIn> }
}

#[component]
fn Session() -> impl IntoView {
    let id = crate::pages::route_id();
    crate::has_islands();
    let session = AsyncDerived::new(move || get_session(id()));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(session) => view! { <SessionBody session/> }.into_any(),
                    Err(error) => view! { <h1>"Séance"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One agenda item as the live list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveItem {
    /// Stored item (none: a case not placed yet, never current).
    pub item_id: Option<AgendaItemId>,
    /// Code or title.
    pub title: String,
    /// "14 h 20 – 14 h 40".
    pub times: String,
    /// The viewer presents it.
    pub mine: bool,
    /// Case page, when the viewer may open it.
    pub href: Option<String>,
}

#[component]
fn SessionBody(session: SessionView) -> impl IntoView {
    let id = session.agenda.meeting_id;
    let set_current = ServerAction::<SetCurrentItem>::new();
    let mark = ServerAction::<MarkAttendance>::new();
    let items = live_items(&session);
    let decisions = session.decisions.clone();
    view! {
        <article class="session">
            <MeetingHeading agenda=session.agenda.clone() page="Séance"/>
            <LiveSession meeting_id=id initial=session.live.clone() items/>
            {session.can_run.then(|| view! {
                <section class="card no-print" aria-labelledby="run-title">
                    <h2 id="run-title">"Conduite de la séance"</h2>
                    <div class="inline-forms">
                        {[("previous", "← Point précédent"), ("next", "Point suivant →"), ("none", "Terminer la séance")]
                            .into_iter()
                            .map(|(intent, label)| view! {
                                <ActionForm action=set_current attr:class="inline-form">
                                    <CsrfField/>
                                    <input type="hidden" name="id" value=id.to_string()/>
                                    <input type="hidden" name="intent" value=intent/>
                                    <button type="submit" class=if intent == "next" { "button-primary" } else { "" }>{label}</button>
                                </ActionForm>
                            })
                            .collect_view()}
                    </div>
                </section>
                <section class="card" aria-labelledby="attendance-title">
                    <h2 id="attendance-title">"Présences"</h2>
                    {if session.attendance.is_empty() {
                        view! { <p class="empty">"Personne n'est invité à cette réunion."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="attendance">
                                {session.attendance.iter().cloned().map(|person| view! { <AttendanceRow meeting_id=id person action=mark/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            })}
            {(!decisions.is_empty()).then(|| view! {
                <section aria-labelledby="decisions-title">
                    <h2 id="decisions-title">"Avis consignés"</h2>
                    <ul class="decisions">
                        {decisions.iter().map(|d| {
                            let title = session.agenda.items.iter().find(|i| i.case_id == Some(d.case_id)).map(|i| i.title.clone()).unwrap_or_else(|| "Cas".into());
                            view! { <li><strong>{title}</strong>" : "{d.kind.clone()}", "{d.signed.clone()}</li> }
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <p class="hint">"Pour consigner un avis, ouvrez le cas (son code dans l'ordre du jour) : le formulaire d'avis y enregistre, pour une RCP, une décision de RCP seulement si le quorum est atteint."</p>
            {session.can_print.then(|| view! {
                <p class="no-print">
                    <a class="button" href=format!("/reunions/{id}/emargement")>"Feuille d'émargement"</a>
                    {(session.agenda.kind == crate::domain::meeting::MeetingKind::Rcp).then(|| view! {
                        " " <a class="button" href=format!("/reunions/{id}/fiche-rcp")>"Fiches RCP"</a>
                    })}
                </p>
            })}
        </article>
    }
}

#[component]
fn AttendanceRow(
    meeting_id: MeetingId,
    person: AttendeeView,
    action: ServerAction<MarkAttendance>,
) -> impl IntoView {
    let uid = person.user_id;
    let (status, class) = match person.present {
        Some(true) => ("Présent·e", "tag rsvp-accepted"),
        Some(false) => ("Absent·e", "tag rsvp-declined"),
        None => ("Non renseigné", "tag"),
    };
    let name = person.name.clone();
    let form_label = format!("Présence de {name}");
    view! {
        <li class="attendee">
            <ActionForm action attr:class="attendance-form" attr:aria-label=form_label>
                <CsrfField/>
                <input type="hidden" name="id" value=meeting_id.to_string()/>
                <input type="hidden" name="user_id" value=uid.to_string()/>
                <span class="who"><strong>{person.name.clone()}</strong>" — "{person.role.clone()}
                    {person.discipline.clone().map(|d| view! { " (" {d} ")" })}</span>
                " " <span class=class>{status}</span>
                <label for=format!("arrived-{uid}")>"Arrivée"</label>
                <input id=format!("arrived-{uid}") name="arrived" type="time" value=person.arrived.clone()/>
                <label for=format!("left-{uid}")>"Départ"</label>
                <input id=format!("left-{uid}") name="left" type="time" value=person.left.clone()/>
                <button type="submit" name="mark" value="present" class="button-small" aria-label=format!("Présent·e : {name}")>"Présent·e"</button>
                <button type="submit" name="mark" value="absent" class="button-small" aria-label=format!("Absent·e : {name}")>"Absent·e"</button>
                <button type="submit" name="mark" value="left" class="button-small" aria-label=format!("Départ : {name}, maintenant")>"Départ"</button>
                <button type="submit" name="mark" value="save" class="button-small" aria-label=format!("Enregistrer les heures : {name}")>"Enregistrer les heures"</button>
                {person.in_room.clone().map(|time| {
                    let label = format!("Présence depuis la salle vidéo : {name}, {time}");
                    view! {
                        " " <span class="hint">"Salle vidéo : "{time}</span>
                        " " <button type="submit" name="mark" value="room" class="button-small" aria-label=label>"Reprendre la salle vidéo"</button>
                    }
                })}
            </ActionForm>
        </li>
    }
}

/// The agenda as the live list shows it.
pub(crate) fn live_items(session: &SessionView) -> Vec<LiveItem> {
    session
        .agenda
        .items
        .iter()
        .map(|item| LiveItem {
            item_id: item.item_id,
            title: item.title.clone(),
            times: format!("{} – {}", item.start, item.end),
            mine: item.mine,
            href: (item.can_open_case)
                .then(|| item.case_id.map(|c| format!("/cas/{c}")))
                .flatten(),
        })
        .collect()
}

/// The part of the page that follows the session live: the current item, where the viewer's
/// own case stands, the count of people present and the quorum.
#[island(lazy)]
pub(crate) fn LiveSession(
    meeting_id: MeetingId,
    initial: LiveState,
    items: Vec<LiveItem>,
) -> impl IntoView {
    crate::island_hydrated();
    let live = RwSignal::new(initial);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::prelude::*;
        if let Ok(source) = web_sys::EventSource::new(&format!("/meetings/{meeting_id}/live")) {
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    if let Some(text) = event.data().as_string() {
                        if let Ok(state) = serde_json::from_str::<LiveState>(&text) {
                            live.set(state);
                        }
                    }
                },
            );
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();
            std::mem::forget(source);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = meeting_id;
    let items = StoredValue::new(items);
    let position = move || {
        let current = live.with(|l| l.current_item_id);
        current
            .and_then(|c| items.with_value(|items| items.iter().position(|i| i.item_id == Some(c))))
    };
    let my_turn = move || {
        let mine = items.with_value(|items| items.iter().position(|i| i.mine))?;
        let (title, times) =
            items.with_value(|items| (items[mine].title.clone(), items[mine].times.clone()));
        Some(match position() {
            Some(p) if p == mine => {
                format!("C'est le tour de votre cas {title} : rejoignez la séance.")
            }
            Some(p) if p < mine => format!(
                "Votre cas {title} passe dans {} point(s) (prévu {times}).",
                mine - p
            ),
            Some(_) => format!("Votre cas {title} a été discuté."),
            None => format!("Votre cas {title} est prévu {times}."),
        })
    };
    view! {
        <section class="card live" aria-labelledby="live-title">
            <h2 id="live-title">"En direct"</h2>
            <div role="status" aria-live="polite" class="live-status">
                <p class="current-item"><strong>{move || live.with(|l| l.current_label.clone())}</strong></p>
                {move || my_turn().map(|text| view! { <p class="my-turn">{text}</p> })}
                <p class="presence">
                    {move || format!("Présent·es : {}", live.with(|l| l.present))}
                    {move || live.with(|l| l.quorum_met.map(|met| (met, l.quorum_text.clone()))).map(|(met, text)| view! {
                        " · " <span class=if met { "quorum quorum-met" } else { "quorum quorum-missing" }>{text}</span>
                    })}
                </p>
            </div>
            <ol class="live-agenda">
                {move || {
                    let current = position();
                    items.with_value(|items| items.iter().enumerate().map(|(n, item)| {
                        let is_current = current == Some(n);
                        view! {
                            <li class:current=is_current class:mine=item.mine aria-current=is_current.then_some("step")>
                                <span class="times">{item.times.clone()}</span>" "
                                {match &item.href {
                                    Some(href) => view! { <a href=href.clone()>{item.title.clone()}</a> }.into_any(),
                                    None => view! { <span>{item.title.clone()}</span> }.into_any(),
                                }}
                                {is_current.then(|| view! { " " <span class="tag">"En cours"</span> })}
                            </li>
                        }
                    }).collect_view())
                }}
            </ol>
        </section>
    }
}
