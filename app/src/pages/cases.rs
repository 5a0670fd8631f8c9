//! `/cas` ("Mes demandes" and the organisation's cases), `/cas/nouveau` (start a case) and
//! `/cas/:id` (a case as its reader sees it: content, scales, thread, avis and the actions the
//! reader may take). Server-rendered; every form here is a plain form.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::SignedIn;
use crate::api::cases::{
    get_case, list_cases, CaseLine, CaseView, NewCase, PostCaseMessage, SetCaseSettings,
    SignAdvice, TakeCase, WithdrawCase,
};
use crate::api::meetings::MemberOption;
use crate::components::draft::DraftKeeper;
use crate::components::field::{field_error, CheckboxField, SelectField};
use crate::components::pii_editor::PiiTextarea;
use crate::components::print::PrintButton;
use crate::components::{ActionOutcome, CsrfField, ErrorBanner, Loading};
use crate::domain::cases::{CaseStatus, RequestStatus, SUICIDAL_WARNING_FR};
use crate::domain::ids::CaseId;

/// The `:id` of a case route.
pub fn case_route_id() -> impl Fn() -> CaseId + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<CaseId>().ok())
            .unwrap_or_default()
    }
}

/// The French status of a case, with the request's progress.
pub fn status_label(status: CaseStatus, request: Option<RequestStatus>) -> &'static str {
    match (status, request) {
        (CaseStatus::Submitted, Some(request)) => request.label_fr(),
        (status, _) => status.label_fr(),
    }
}

#[component]
fn CaseTable(lines: Vec<CaseLine>, caption: &'static str, with_author: bool) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="empty">"Aucun cas pour l'instant."</p> }.into_any();
    }
    let truncated = lines.len() as i64 >= crate::api::cases::LIST_LIMIT;
    view! {
        {truncated.then(|| view! {
            <p class="hint">{format!("Les {} cas modifiés le plus récemment sont affichés.", crate::api::cases::LIST_LIMIT)}</p>
        })}
        <div class="table-wrap" role="region" aria-label=caption tabindex="0">
            <table class="cases">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Code"</th>
                        <th scope="col">"Questions"</th>
                        <th scope="col">"Pour"</th>
                        {with_author.then(|| view! { <th scope="col">"Auteur·e"</th> })}
                        <th scope="col">"État"</th>
                        <th scope="col">"Complétude"</th>
                        <th scope="col">"Modifié"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|line| {
                        let questions = line.question_types.iter().map(|q| q.label_fr()).collect::<Vec<_>>().join(", ");
                        let waiting = line.waiting_days.map(|days| format!(" · {days} j"));
                        view! {
                            <tr class="case-line" class:overdue=line.overdue>
                                <td><a href=format!("/cas/{}", line.id) class="case-code">{line.code.clone()}</a>
                                    {line.suicidal_thoughts.then(|| view! { <span class="tag tag-danger" title=SUICIDAL_WARNING_FR>"Idées suicidaires"</span> })}
                                </td>
                                <td>{questions}</td>
                                <td>{line.destination.clone()}</td>
                                {with_author.then(|| view! { <td>{line.author_name.clone()}</td> })}
                                <td>
                                    <span class="tag">{status_label(line.status, line.request_status)}</span>
                                    {waiting}
                                    {line.overdue.then(|| view! { <span class="tag tag-danger">"En retard"</span> })}
                                    {line.taken_by_name.clone().map(|name| view! { <span class="muted">" · " {name}</span> })}
                                </td>
                                <td>{if line.ready { "Prêt".to_string() } else { format!("Incomplet ({})", line.missing_count) }}</td>
                                <td>{line.updated.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/cas`.
#[component]
pub fn CasesPage() -> impl IntoView {
    view! { <SignedIn><Cases/></SignedIn> }
}

#[component]
fn Cases() -> impl IntoView {
    let lists = AsyncDerived::new(list_cases);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match lists.await {
                    Ok(lists) => view! {
                        <div class="page-head">
                            <h1>"Cas et demandes d'avis"</h1>
                            {lists.may_create.then(|| view! { <A href="/cas/nouveau" attr:class="button button-primary">"Nouvelle demande"</A> })}
                        </div>
                        <section>
                            <h2>"Mes demandes"</h2>
                            <CaseTable lines=lists.mine caption="Mes demandes" with_author=false/>
                        </section>
                        {lists.organisation.map(|lines| view! {
                            <section>
                                <h2>"Cas de l'organisation"</h2>
                                <p class="hint">{format!("Une demande d'avis écrit sans réponse après {} jours est signalée « En retard ».", lists.answer_days)}</p>
                                <CaseTable lines caption="Cas de l'organisation" with_author=true/>
                            </section>
                        })}
                        {lists.may_configure.then(|| view! { <SettingsForm answer_days=lists.answer_days yearly_limit=lists.yearly_limit/> })}
                    }.into_any(),
                    Err(error) => view! { <h1>"Cas et demandes d'avis"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The coordinators' settings for written requests.
#[component]
fn SettingsForm(answer_days: i64, yearly_limit: i64) -> impl IntoView {
    let save = ServerAction::<SetCaseSettings>::new();
    view! {
        <section class="card">
            <h2>"Réglages des demandes d'avis"</h2>
            <ActionForm action=save attr:class="settings-form">
                <CsrfField/>
                <div class="row">
                    <div class="field">
                        <label for="settings-answer-days">"Délai de réponse avant alerte (jours)"</label>
                        <input id="settings-answer-days" name="answer_days" type="number" min="1" max="60" value=answer_days.to_string() required=true/>
                    </div>
                    <div class="field">
                        <label for="settings-yearly-limit">"Télé-expertises par patient, médecin et année"</label>
                        <input id="settings-yearly-limit" name="yearly_limit" type="number" min="1" max="52" value=yearly_limit.to_string() required=true/>
                    </div>
                </div>
                <p class="hint">"Une demande sans avis après ce délai est signalée « En retard » et la coordination reçoit un e-mail. La limite de télé-expertise suit la convention médicale (4 par an à ce jour)."</p>
                <button type="submit">"Enregistrer les réglages"</button>
            </ActionForm>
        </section>
    }
}

/// `/cas/nouveau`: what the case is for; the draft is created and its form opens.
#[component]
pub fn NewCasePage() -> impl IntoView {
    let create = ServerAction::<NewCase>::new();
    let meetings = AsyncDerived::new(crate::api::cases::open_meetings_for_cases);
    view! {
        <SignedIn>
            <h1>"Nouvelle demande"</h1>
            <p>
                "Un cas ne contient aucune donnée directement identifiante : il est désigné par un code "
                "(C-année-numéro), l'âge ou la tranche d'âge, le sexe, et le contenu clinique."
            </p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match meetings.await {
                        Ok(options) => view! {
                            <ActionForm action=create attr:class="new-case">
                                <CsrfField/>
                                <fieldset>
                                    <legend>"Pour quoi ?"</legend>
                                    <label><input type="radio" name="meeting_id" value="" checked=true/>" Une demande d'avis écrit à un·e psychiatre de l'organisation (télé-expertise)"</label>
                                    {options.into_iter().map(|(id, label)| view! {
                                        <label><input type="radio" name="meeting_id" value=id.to_string()/>" Présenter le cas à : " {label}</label>
                                    }).collect_view()}
                                </fieldset>
                                <div class="field">
                                    <label for="case-follows">"Suite d'un cas précédent (facultatif)"</label>
                                    <input id="case-follows" name="follows" placeholder="C-2026-014" aria-describedby="case-follows-hint"/>
                                    <p class="hint" id="case-follows-hint">"Le code d'un cas déjà discuté pour ce ou cette patient·e : les échelles montreront l'évolution, et la limite annuelle de télé-expertise en tient compte."</p>
                                </div>
                                <button type="submit" class="button-primary">"Commencer la rédaction"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    }
                })}
            </Suspense>
        </SignedIn>
    }
}

/// `/cas/:id`.
#[component]
pub fn CasePage() -> impl IntoView {
    view! { <SignedIn><Case/></SignedIn> }
}

#[component]
fn Case() -> impl IntoView {
    // The print button and the avis form are islands: say so before the data arrives (the
    // page's shell decides whether to send browser code before the suspended part renders).
    crate::has_islands();
    let id = case_route_id();
    let case = AsyncDerived::new(move || get_case(id()));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(case) => view! { <CaseDetail case/> }.into_any(),
                    Err(error) => view! { <h1>"Cas"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CaseDetail(case: CaseView) -> impl IntoView {
    let id = case.id;
    let take = ServerAction::<TakeCase>::new();
    let withdraw = ServerAction::<WithdrawCase>::new();
    let message = ServerAction::<PostCaseMessage>::new();
    let notes = ServerAction::<crate::api::staff::SavePreparationNotes>::new();
    let questions = case
        .content
        .question_types
        .iter()
        .map(|q| q.label_fr())
        .collect::<Vec<_>>()
        .join(", ");
    let status = status_label(case.status, case.request_status);
    view! {
        <article class="case">
            <p class="breadcrumb no-print"><A href="/cas">"Cas et demandes d'avis"</A></p>
            <h1>"Cas " <span class="case-code">{case.code.clone()}</span></h1>
            {case.suicidal_thoughts.then(|| view! {
                <p class="alert alert-error suicidal" role="alert">{SUICIDAL_WARNING_FR}</p>
            })}
            <dl class="facts">
                <dt>"Pour"</dt><dd>{case.destination.clone()}</dd>
                <dt>"État"</dt><dd><span class="tag case-status">{status}</span>
                    {case.waiting.clone().map(|w| view! { " · " {w} })}
                    {case.overdue.then(|| view! { " " <span class="tag tag-danger">"En retard"</span> })}
                </dd>
                {case.taken_by_name.clone().map(|name| view! { <dt>"Pris en charge par"</dt><dd>{name}</dd> })}
                <dt>"Demandé par"</dt><dd>{case.author_name.clone()}</dd>
                {case.submitted.clone().map(|at| view! { <dt>"Soumis le"</dt><dd>{at}</dd> })}
                {case.deadline.clone().map(|d| view! { <dt>"Date limite d'envoi"</dt><dd>{d}</dd> })}
                <dt>"Patient·e"</dt><dd>{format!("{}, {}", case.age_label, case.sex_label)}
                    {(case.patient_code != case.code).then(|| view! { " · suite de " {case.patient_code.clone()} })}
                </dd>
                <dt>"Médecin traitant"</dt><dd>{if case.content.treating_doctor_known { "connu" } else { "non renseigné" }}</dd>
                <dt>"Type de question"</dt><dd>{if questions.is_empty() { "—".to_string() } else { questions }}</dd>
            </dl>
            <section class="question">
                <h2>"Question posée"</h2>
                <p class="explicit-question">{if case.content.question.trim().is_empty() { "—".to_string() } else { case.content.question.clone() }}</p>
            </section>
            {(!case.missing.is_empty()).then(|| view! {
                <section class="completeness no-print">
                    <h2>{if case.ready { "Prêt (compléments conseillés)" } else { "Incomplet" }}</h2>
                    <ul>
                        {case.missing.iter().map(|(label, required)| view! {
                            <li class:required=*required>{label.clone()}</li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {case.sections.iter().map(|(label, html)| view! {
                <section class="case-section">
                    <h2>{label.clone()}</h2>
                    <div class="markdown" inner_html=html.clone()></div>
                </section>
            }).collect_view()}
            {(!case.scales.is_empty() || case.phq2.is_some()).then(|| view! {
                <section class="scales">
                    <h2>"Échelles"</h2>
                    {case.phq2.clone().map(|summary| view! { <p class="scale-summary">{summary}</p> })}
                    {case.scales.iter().map(|scale| view! {
                        <details class="scale">
                            <summary class="scale-summary">{scale.summary.clone()}</summary>
                            <ol>
                                {scale.items.iter().map(|(item, answer)| view! { <li>{item.clone()} " : " <strong>{answer.clone()}</strong></li> }).collect_view()}
                            </ol>
                        </details>
                        {scale.trend.clone().map(|t| view! { <p class="trend">{t}</p> })}
                    }).collect_view()}
                </section>
            })}

            <div class="case-actions no-print">
                {case.can_edit.then(|| view! { <A href=format!("/cas/{id}/modifier") attr:class="button button-primary">"Reprendre le brouillon"</A> })}
                {case.can_take.then(|| view! {
                    <ActionForm action=take attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button type="submit" class="button-primary">"Je prends cette demande"</button>
                    </ActionForm>
                })}
                {case.can_withdraw.then(|| view! {
                    <ActionForm action=withdraw attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <label class="confirm"><input type="checkbox" name="confirm" value="yes" required=true/>" Je confirme le retrait"</label>
                        <button type="submit" class="button-danger">"Retirer le cas"</button>
                    </ActionForm>
                })}
                {(!case.advice.is_empty()).then(|| view! { <PrintButton label="Imprimer le courrier".to_string()/> })}
            </div>

            <section class="advice">
                <h2>"Avis"</h2>
                {if case.advice.is_empty() {
                    view! { <p class="empty">"Pas encore d'avis."</p> }.into_any()
                } else {
                    case.advice.iter().map(|advice| view! {
                        <article class="advice-version" class:superseded=!advice.current>
                            <h3>
                                {if advice.current { format!("Avis (version {})", advice.version) } else { format!("Version {} (remplacée)", advice.version) }}
                            </h3>
                            <p class="signature">
                                "Signé par " <strong>{advice.signed_by.clone()}</strong> " le " {advice.signed_at.clone()}
                                {advice.recorded_by.clone().map(|name| view! { " — consigné par " {name} })}
                                {advice.patient_informed.then_some(" — patient·e informé·e et consentant·e")}
                            </p>
                            {advice.parts.iter().map(|(label, html)| view! {
                                <h4>{label.clone()}</h4>
                                <div class="markdown" inner_html=html.clone()></div>
                            }).collect_view()}
                        </article>
                    }).collect_view().into_any()
                }}
                <p class="hint">"Le médecin demandeur reste responsable de la prise en charge et des décisions thérapeutiques."</p>
            </section>

            {case.can_prepare.then(|| view! {
                <section class="card preparation no-print" aria-labelledby="prep-title">
                    <h2 id="prep-title">"Mes notes de préparation"</h2>
                    <p class="hint">"Privées : vous seul·e les lisez. Elles servent à préparer la réunion."</p>
                    <ActionForm action=notes attr:class="stack-form">
                        <CsrfField/>
                        <input type="hidden" name="case_id" value=id.to_string()/>
                        <label for="prep-notes">"Notes"</label>
                        <textarea id="prep-notes" name="body" rows=5>{case.preparation_note.clone()}</textarea>
                        <button type="submit">"Enregistrer mes notes"</button>
                    </ActionForm>
                </section>
            })}
            {case.meeting_id.map(|meeting| view! {
                <p class="no-print"><a href=format!("/reunions/{meeting}/ordre-du-jour")>"Ordre du jour de la réunion"</a>
                " · " <a href=format!("/reunions/{meeting}/seance")>"Séance"</a></p>
            })}

            {case.can_write_advice.then(|| case.decision_note.clone()).flatten().map(|note| view! {
                <p class="alert alert-info decision-note" role="note">{note}</p>
            })}
            {case.can_write_advice.then(|| {
                view! {
                    <AdviceForm
                        id
                        first=case.advice.is_empty()
                        written_request=case.meeting_id.is_none()
                        tele_expertise=case.tele_expertise.clone()
                        on_behalf_of=case.on_behalf_of.clone()
                    />
                }
            })}

            <section class="thread no-print">
                <h2>"Échanges"</h2>
                {if case.messages.is_empty() {
                    view! { <p class="empty">"Aucun message."</p> }.into_any()
                } else {
                    view! {
                        <ol class="messages">
                            {case.messages.iter().map(|m| view! {
                                <li><p class="muted">{m.author_name.clone()} " — " {m.when.clone()}</p><p>{m.body.clone()}</p></li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
                {(case.can_ask || case.can_reply).then(|| view! {
                    <ActionForm action=message attr:class="message-form">
                        <CsrfField/>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <label for="case-message">{if case.can_ask { "Poser une question au demandeur" } else { "Répondre" }}</label>
                        <textarea id="case-message" name="body" rows=3 required=true></textarea>
                        <button type="submit">"Envoyer"</button>
                    </ActionForm>
                })}
            </section>
        </article>
    }
}

/// The avis form: an island, so that a refused avis comes back with everything typed and with
/// each error beside its field; the text is also kept in the browser until it is signed.
#[island(lazy)]
fn AdviceForm(
    id: CaseId,
    first: bool,
    written_request: bool,
    tele_expertise: Option<String>,
    on_behalf_of: Vec<MemberOption>,
) -> impl IntoView {
    crate::island_hydrated();
    let sign = ServerAction::<SignAdvice>::new();
    let value = sign.value();
    let e = move |field: &'static str| field_error(value, field);
    let psychiatrists: Vec<(String, String)> =
        std::iter::once((String::new(), "— Choisir —".to_string()))
            .chain(
                on_behalf_of
                    .iter()
                    .map(|p| (p.user_id.to_string(), p.label.clone())),
            )
            .collect();
    view! {
        <section class="card advice-form no-print">
            <h2>{if first { "Donner un avis" } else { "Corriger l'avis (nouvelle version)" }}</h2>
            {tele_expertise.map(|note| view! { <p class="alert alert-warning" role="status">{note}</p> })}
            <ActionOutcome value success="Avis signé."/>
            <ActionForm action=sign attr:novalidate=true>
                <CsrfField/>
                <DraftKeeper key=format!("/cas/{id}/avis") saved=Signal::derive(move || matches!(value.get(), Some(Ok(_))))/>
                <input type="hidden" name="id" value=id.to_string()/>
                {(!on_behalf_of.is_empty()).then(|| view! {
                    <SelectField
                        label="Avis de (vous le consignez pour le ou la psychiatre)"
                        name="advice[psychiatrist_id]"
                        options=psychiatrists.clone()
                        error=e("psychiatrist_id")
                    />
                })}
                <PiiTextarea label="Avis diagnostique" name="advice[diagnostic_opinion]" rows=3 error=e("diagnostic_opinion")/>
                <PiiTextarea label="Avis pharmacologique" name="advice[pharmacological_advice]" rows=3 error=e("pharmacological_advice")/>
                <PiiTextarea label="Conduite à tenir recommandée" name="advice[recommended_actions]" rows=3 error=e("recommended_actions")/>
                <PiiTextarea label="Orientation" name="advice[orientation]" rows=2 error=e("orientation")/>
                <PiiTextarea label="Quand rediscuter" name="advice[rediscuss]" rows=1 error=e("rediscuss")/>
                <PiiTextarea label="Commentaire (Markdown)" name="advice[body_md]" rows=5 error=e("body_md")/>
                {written_request.then(|| view! {
                    <CheckboxField label="Patient·e informé·e et consentant·e (télé-expertise)" name="advice[patient_informed]" error=e("patient_informed")/>
                })}
                <CheckboxField label="Je confirme que les passages signalés comme « possibles » ne sont pas des identifiants" name="advice[confirm_possible]" error=e("confirm_possible")/>
                <p class="hint">"Signer rend l'avis définitif ; une correction ultérieure crée une nouvelle version, l'ancienne reste visible."</p>
                <button type="submit" class="button-primary">"Signer l'avis"</button>
            </ActionForm>
        </section>
    }
}
