//! The records of a meeting, generated from what was recorded (never typed twice) and laid out
//! for printing: the sign-in sheet (`/reunions/:id/emargement`) and, for an RCP, one fiche RCP
//! per case discussed (`/reunions/:id/fiche-rcp`).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::staff::{get_records, RecordsView};
use crate::components::print::PrintButton;
use crate::components::{ErrorBanner, Loading};
use crate::pages::SignedIn;

/// `/reunions/:id/emargement`.
#[component]
pub fn SignInSheetPage() -> impl IntoView {
    view! { <SignedIn><Records sheet=true/></SignedIn> }
}

/// `/reunions/:id/fiche-rcp`.
#[component]
pub fn RcpRecordsPage() -> impl IntoView {
    view! { <SignedIn><Records sheet=false/></SignedIn> }
}

#[component]
fn Records(sheet: bool) -> impl IntoView {
    let id = crate::pages::route_id();
    crate::has_islands();
    let records = AsyncDerived::new(move || get_records(id()));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match records.await {
                    Ok(records) if sheet => view! { <SignInSheet records/> }.into_any(),
                    Ok(records) => view! { <RcpRecords records/> }.into_any(),
                    Err(error) => view! { <h1>"Documents de la réunion"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Header(records: RecordsView, title: &'static str) -> impl IntoView {
    let id = records.meeting_id;
    let crumb = records.title.clone();
    view! {
        <p class="breadcrumb no-print">
            <A href="/reunions">"Réunions"</A> " › "
            <A href=format!("/reunions/{id}/seance")>{crumb}</A>
        </p>
        <h1>{title}</h1>
        <dl class="facts">
            <dt>"Organisation"</dt><dd>{records.organisation_name.clone()}</dd>
            <dt>"Réunion"</dt><dd>{format!("{} — {}", records.kind.label_fr(), records.title)}</dd>
            <dt>"Date"</dt><dd>{records.when.clone()}" (heure de Paris)"</dd>
        </dl>
    }
}

#[component]
fn SignInSheet(records: RecordsView) -> impl IntoView {
    view! {
        <article class="record sign-in-sheet">
            <Header records=records.clone() title="Feuille d'émargement"/>
            <p class="no-print"><PrintButton label="Imprimer la feuille d'émargement".to_string()/></p>
            <div class="table-wrap" role="region" aria-label="Émargement" tabindex="0">
            <table class="sheet">
                <thead><tr>
                    <th scope="col">"Nom"</th><th scope="col">"Rôle"</th><th scope="col">"Discipline"</th>
                    <th scope="col">"Présence"</th><th scope="col">"Arrivée"</th><th scope="col">"Départ"</th>
                    <th scope="col">"Signature"</th>
                </tr></thead>
                <tbody>
                    {records.sheet.iter().map(|line| view! {
                        <tr>
                            <td>{line.name.clone()}</td><td>{line.role.clone()}</td><td>{line.discipline.clone()}</td>
                            <td>{line.status.clone()}</td><td>{line.arrived.clone()}</td><td>{line.left.clone()}</td>
                            <td class="signature"></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <p class="hint">{format!("Quorum de ce type de réunion : {}.", records.quorum_rule)}</p>
        </article>
    }
}

#[component]
fn RcpRecords(records: RecordsView) -> impl IntoView {
    let empty = records.rcp.is_empty();
    view! {
        <article class="record rcp-records">
            <Header records=records.clone() title="Fiches RCP"/>
            {(!empty).then(|| view! { <p class="no-print"><PrintButton label="Imprimer les fiches RCP".to_string()/></p> })}
            {empty.then(|| view! { <p class="empty">"Aucun avis n'a encore été consigné pendant cette réunion."</p> })}
            {records.rcp.iter().map(|fiche| view! {
                <section class="rcp-fiche">
                    <h2>{format!("Fiche RCP — cas {}", fiche.code)}</h2>
                    <dl class="facts">
                        <dt>"Question posée"</dt><dd>{fiche.question.clone()}</dd>
                        <dt>"Disciplines présentes"</dt><dd>{fiche.disciplines.clone()}</dd>
                        <dt>"Quorum atteint"</dt><dd>{fiche.quorum_met.clone()}</dd>
                        <dt>"Nature"</dt><dd><strong>{fiche.decision_kind.clone()}</strong></dd>
                        <dt>"Date"</dt><dd>{fiche.date.clone()}</dd>
                        <dt>"Consigné par"</dt><dd>{fiche.recorded_by.clone()}</dd>
                    </dl>
                    <h3>"Décision"</h3>
                    <dl class="decision">
                        {fiche.decision.iter().map(|(label, text)| view! { <dt>{label.clone()}</dt><dd>{text.clone()}</dd> }).collect_view()}
                    </dl>
                </section>
            }).collect_view()}
        </article>
    }
}
