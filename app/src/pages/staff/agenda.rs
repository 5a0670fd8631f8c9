//! `/reunions/:id/ordre-du-jour`: the agenda of a staff or RCP. Coordinators order the cases,
//! set minutes, add a teaching talk or announcements, postpone a case and publish; invitees and
//! presenters read it. Every control is a plain form: it works without JavaScript.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::staff::{get_agenda, AddAgendaItem, AgendaView, SaveAgenda, SetQuorum};
use crate::components::{CsrfField, ErrorBanner, Loading};
use crate::domain::agenda::AgendaItemKind;
use crate::pages::SignedIn;

/// `/reunions/:id/ordre-du-jour`.
#[component]
pub fn MeetingAgendaPage() -> impl IntoView {
    view! { <SignedIn><Agenda/></SignedIn> }
}

#[component]
fn Agenda() -> impl IntoView {
    let id = crate::pages::route_id();
    let agenda = AsyncDerived::new(move || get_agenda(id()));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match agenda.await {
                    Ok(agenda) => view! { <AgendaView agenda/> }.into_any(),
                    Err(error) => view! { <h1>"Ordre du jour"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The heading shared by the agenda and session pages.
#[component]
pub fn MeetingHeading(agenda: AgendaView, page: &'static str) -> impl IntoView {
    let id = agenda.meeting_id;
    let crumb = agenda.title.clone();
    view! {
        <p class="breadcrumb">
            <A href="/reunions">"Réunions"</A> " › "
            <A href=format!("/reunions/{id}")>{crumb}</A>
        </p>
        <h1>
            <span class=format!("badge kind-{}", agenda.kind.code())>{agenda.kind.label_fr()}</span>
            " " {page} " — " {agenda.title.clone()}
        </h1>
        <p class="when">{agenda.when.clone()}" (heure de Paris)"</p>
        <nav class="subnav no-print" aria-label="Cette réunion">
            <A href=format!("/reunions/{id}")>"Détails"</A>
            <A href=format!("/reunions/{id}/ordre-du-jour")>"Ordre du jour"</A>
            <A href=format!("/reunions/{id}/seance")>"Séance"</A>
        </nav>
        {(!agenda.my_slots.is_empty()).then(|| view! {
            <ul class="my-slots alert alert-info" aria-label="Vos passages">
                {agenda.my_slots.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn AgendaView(agenda: AgendaView) -> impl IntoView {
    let save = ServerAction::<SaveAgenda>::new();
    let add = ServerAction::<AddAgendaItem>::new();
    let quorum = ServerAction::<SetQuorum>::new();
    let id = agenda.meeting_id;
    let overrun = agenda.total_minutes.saturating_sub(agenda.meeting_minutes);
    let summary = format!(
        "{} point(s), {} min sur {} min prévues",
        agenda.items.len(),
        agenda.total_minutes,
        agenda.meeting_minutes
    );
    let manage = agenda.can_manage && !agenda.cancelled;
    view! {
        <article class="agenda">
            <MeetingHeading agenda=agenda.clone() page="Ordre du jour"/>
            <p class="muted">
                {summary}
                {agenda.published.clone().map(|p| view! { " · " <strong class="published">{p}</strong> })}
                {agenda.published.is_none().then(|| view! { " · " <span class="tag">"Non publié"</span> })}
            </p>
            {(overrun > 0).then(|| view! {
                <p class="alert alert-error" role="status">
                    {format!("L'ordre du jour dépasse la fin de la réunion de {overrun} min : raccourcissez des points ou reportez un cas.")}
                </p>
            })}
            {if agenda.items.is_empty() {
                view! { <p class="empty">"Aucun cas soumis pour l'instant."</p> }.into_any()
            } else if manage {
                view! { <AgendaForm agenda=agenda.clone() save/> }.into_any()
            } else {
                view! { <AgendaTable agenda=agenda.clone()/> }.into_any()
            }}
            {manage.then(|| view! {
                <section class="card">
                    <h2>"Ajouter un point"</h2>
                    <ActionForm action=add attr:class="stack-form">
                        <CsrfField/>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <label for="item-kind">"Type"</label>
                        <select id="item-kind" name="kind" required=true>
                            <option value="teaching">{AgendaItemKind::Teaching.label_fr()}</option>
                            <option value="announcement">{AgendaItemKind::Announcement.label_fr()}</option>
                        </select>
                        <label for="item-title">"Intitulé"</label>
                        <input id="item-title" name="title" required=true maxlength=120/>
                        <label for="item-minutes">"Durée (minutes)"</label>
                        <input id="item-minutes" name="minutes" type="number" min=1 max=240 value=10 required=true/>
                        <button type="submit">"Ajouter à la fin"</button>
                    </ActionForm>
                </section>
                <QuorumForm agenda=agenda.clone() action=quorum/>
            })}
            {(!manage).then(|| view! { <p class="hint">"Quorum : " {agenda.quorum_rule.clone()}</p> })}
        </article>
    }
}

/// The agenda for readers: times, codes, question types, presenters.
#[component]
fn AgendaTable(agenda: AgendaView) -> impl IntoView {
    view! {
        <div class="table-wrap" role="region" aria-label="Ordre du jour" tabindex="0">
            <table class="agenda-table">
                <thead><tr>
                    <th scope="col">"Horaire"</th><th scope="col">"Point"</th>
                    <th scope="col">"Question"</th><th scope="col">"Présenté par"</th>
                </tr></thead>
                <tbody>
                    {agenda.items.into_iter().map(|item| view! {
                        <tr class:mine=item.mine class:overruns=item.overruns>
                            <td>{format!("{} – {}", item.start, item.end)}</td>
                            <td><ItemTitle item=item.clone()/></td>
                            <td>{item.question_types.join(", ")}</td>
                            <td>{item.presenter.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ItemTitle(item: crate::api::staff::AgendaItemView) -> impl IntoView {
    let label = match item.kind {
        AgendaItemKind::Case => None,
        kind => Some(kind.label_fr()),
    };
    view! {
        {match (item.case_id, item.can_open_case) {
            (Some(case_id), true) => view! { <a href=format!("/cas/{case_id}")>{item.title.clone()}</a> }.into_any(),
            _ => view! { <span>{item.title.clone()}</span> }.into_any(),
        }}
        {label.map(|l| view! { " " <span class="tag">{l}</span> })}
        {item.missing_count.filter(|n| *n > 0).map(|n| view! { " " <span class="tag tag-warning">{format!("{n} élément(s) manquant(s)")}</span> })}
        {item.overruns.then(|| view! { " " <span class="tag tag-warning">"Dépasse la fin"</span> })}
    }
}

/// The coordinator's form: one row per item, minutes editable, buttons to move, remove or
/// postpone; "Enregistrer" and "Publier" at the bottom.
#[component]
fn AgendaForm(agenda: AgendaView, save: ServerAction<SaveAgenda>) -> impl IntoView {
    let id = agenda.meeting_id;
    let count = agenda.items.len();
    let in_series = agenda.in_series;
    let published = agenda.published.is_some();
    view! {
        <ActionForm action=save attr:class="agenda-form">
            <CsrfField/>
            <input type="hidden" name="id" value=id.to_string()/>
            <div class="table-wrap" role="region" aria-label="Ordre du jour" tabindex="0">
            <table class="agenda-table">
                <thead><tr>
                    <th scope="col">"Horaire"</th><th scope="col">"Point"</th><th scope="col">"Question"</th>
                    <th scope="col">"Présenté par"</th><th scope="col">"Durée"</th><th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>
                    {agenda.items.into_iter().enumerate().map(|(n, item)| {
                        let minutes_id = format!("minutes-{n}");
                        let is_case = item.kind == AgendaItemKind::Case;
                        let title = item.title.clone();
                        view! {
                            <tr class:overruns=item.overruns>
                                <td>{format!("{} – {}", item.start, item.end)}</td>
                                <td>
                                    <input type="hidden" name=format!("items[{n}][key]") value=item.key.clone()/>
                                    <ItemTitle item=item.clone()/>
                                </td>
                                <td>{item.question_types.join(", ")}</td>
                                <td>{item.presenter.clone().unwrap_or_default()}</td>
                                <td>
                                    <label for=minutes_id.clone() class="visually-hidden">{format!("Durée de {title} (minutes)")}</label>
                                    <input id=minutes_id type="number" class="minutes" min=1 max=240
                                        name=format!("items[{n}][minutes]") value=item.minutes.to_string() required=true/>
                                    " min"
                                </td>
                                <td class="row-actions">
                                    {(n > 0).then(|| view! {
                                        <button type="submit" name="intent" value=format!("up:{n}") class="button-small"
                                            aria-label=format!("Monter {title}")>"↑"</button>
                                    })}
                                    {(n + 1 < count).then(|| view! {
                                        <button type="submit" name="intent" value=format!("down:{n}") class="button-small"
                                            aria-label=format!("Descendre {title}")>"↓"</button>
                                    })}
                                    {(is_case && in_series).then(|| view! {
                                        <button type="submit" name="intent" value=format!("postpone:{n}") class="button-small"
                                            aria-label=format!("Reporter {title} à la séance suivante")>"Reporter"</button>
                                    })}
                                    {(!is_case).then(|| view! {
                                        <button type="submit" name="intent" value=format!("remove:{n}") class="button-small button-danger"
                                            aria-label=format!("Retirer {title}")>"Retirer"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <p class="form-actions">
                <button type="submit" name="intent" value="save">"Enregistrer l'ordre du jour"</button>
                " "
                <button type="submit" name="intent" value="publish" class="button-primary">
                    {if published { "Republier et renvoyer l'ordre du jour" } else { "Publier l'ordre du jour" }}
                </button>
            </p>
            <p class="hint">
                "Publier envoie à chaque invité·e la liste des points (codes, questions, présentateurs, horaires ; jamais le contenu des cas) \
                 et à chaque présentateur·rice une invitation pour son seul créneau. Une fois publié, tout changement d'horaire met à jour ces invitations."
            </p>
        </ActionForm>
    }
}

#[component]
fn QuorumForm(agenda: AgendaView, action: ServerAction<SetQuorum>) -> impl IntoView {
    let (present, disciplines, psychiatrist) = agenda.quorum_numbers;
    view! {
        <section class="card">
            <h2>{format!("Quorum des réunions « {} » de l'organisation", agenda.kind.label_fr())}</h2>
            <p>"Règle actuelle : " <strong>{agenda.quorum_rule.clone()}</strong></p>
            <ActionForm action attr:class="stack-form">
                <CsrfField/>
                <input type="hidden" name="id" value=agenda.meeting_id.to_string()/>
                <label for="quorum-present">"Présent·es au minimum (hors coordination)"</label>
                <input id="quorum-present" name="min_present" type="number" min=0 max=50 value=present.to_string() required=true/>
                <label for="quorum-disciplines">"Disciplines différentes au minimum"</label>
                <input id="quorum-disciplines" name="min_disciplines" type="number" min=0 max=5 value=disciplines.to_string() required=true/>
                <label><input type="checkbox" name="psychiatrist_required" value="on" checked=psychiatrist/>" Dont un·e psychiatre"</label>
                <button type="submit">"Enregistrer la règle"</button>
            </ActionForm>
        </section>
    }
}
