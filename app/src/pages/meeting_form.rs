//! `/reunions/nouvelle` and `/reunions/:id/modifier`: the meeting form, shared by creation and
//! editing. Errors come back per field, in French; the form keeps what was typed. The title and
//! the description are e-mailed and published in calendars: the identifier guard checks them
//! as they are typed (the server refuses them too).

use crate::domain::ids::MeetingId;
use leptos::prelude::*;

use super::SignedIn;
use crate::api::meetings::{get_meeting, CreateMeeting, UpdateMeeting};
use crate::components::draft::DraftKeeper;
use crate::components::field::{field_error, Field, SelectField};
use crate::components::pii_editor::{PiiInput, PiiTextarea};
use crate::components::{use_session, ActionOutcome, CsrfField, ErrorBanner, Loading};
use crate::domain::meeting::{MeetingDraft, MeetingKind, MeetingMode};
use crate::error::AppError;

fn kind_options() -> Vec<(String, String)> {
    MeetingKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), k.label_fr().to_string()))
        .collect()
}

fn mode_options() -> Vec<(String, String)> {
    MeetingMode::ALL
        .iter()
        .map(|m| (m.code().to_string(), m.label_fr().to_string()))
        .collect()
}

/// The fields of a meeting, named `draft[...]` for the server function.
#[component]
fn MeetingFields<T: Clone + Send + Sync + 'static>(
    draft: MeetingDraft,
    value: MappedSignal<Option<Result<T, AppError>>>,
    with_repeat: bool,
) -> impl IntoView {
    let e = move |field: &'static str| field_error(value, field);
    view! {
        <SelectField label="Type de réunion" name="draft[kind]" options=kind_options() selected=draft.kind.clone() error=e("kind")/>
        <PiiInput label="Titre" name="draft[title]" value=draft.title.clone() required=true error=e("title")/>
        <div class="row">
            <Field label="Date" name="draft[date]" kind="date" value=draft.date.clone() required=true error=e("date")/>
            <Field label="Début" name="draft[start_time]" kind="time" value=draft.start_time.clone() required=true error=e("start_time") hint="Heure de Paris"/>
            <Field label="Fin" name="draft[end_time]" kind="time" value=draft.end_time.clone() required=true error=e("end_time")/>
        </div>
        <SelectField label="Mode" name="draft[mode]" options=mode_options() selected=draft.mode.clone() error=e("mode")/>
        <Field label="Adresse (présentiel ou hybride)" name="draft[address]" value=draft.address.clone() error=e("address")/>
        <div class="row">
            <Field label="Date limite d'envoi des cas" name="draft[deadline]" kind="datetime-local" value=draft.deadline.clone() error=e("deadline") hint="Par défaut : 7 jours avant la réunion"/>
            <Field label="Nombre maximal de cas" name="draft[max_cases]" kind="number" value=draft.max_cases.clone() error=e("max_cases")/>
        </div>
        <PiiTextarea label="Description (Markdown)" name="draft[description]" value=draft.description.clone() rows=6 error=e("description")/>
        <ConfirmPossible error=e("confirm_possible") initially=!draft.confirm_possible.is_empty()/>
        {if with_repeat {
            view! {
                <fieldset class="repeat">
                    <legend>"Périodicité"</legend>
                    <SelectField
                        label="Répétition"
                        name="draft[repeat]"
                        options=vec![
                            ("none".into(), "Ne se répète pas".into()),
                            ("weekly".into(), "Chaque semaine, même jour".into()),
                            ("monthly_nth_weekday".into(), "Chaque mois, même rang du jour (ex. 2e mardi)".into()),
                            ("monthly_last_weekday".into(), "Chaque mois, le dernier jour de ce type (ex. dernier jeudi)".into()),
                            ("monthly_day_of_month".into(), "Chaque mois, même date (ex. le 15)".into()),
                        ]
                        selected=draft.repeat.clone()
                        error=e("repeat")
                    />
                    <Field label="Tous les … (semaines ou mois)" name="draft[interval]" kind="number" value=if draft.interval.is_empty() { "1".to_string() } else { draft.interval.clone() } error=e("interval") hint="2 pour « tous les deux mois »"/>
                    <SelectField
                        label="Fin de la série"
                        name="draft[end_kind]"
                        options=vec![
                            ("count".into(), "Après un nombre de séances".into()),
                            ("until".into(), "À une date".into()),
                            ("never".into(), "Sans fin (3 ans planifiés)".into()),
                        ]
                        selected=draft.end_kind.clone()
                        error=e("end_kind")
                    />
                    <div class="row">
                        <Field label="Nombre de séances" name="draft[count]" kind="number" value=draft.count.clone() error=e("count")/>
                        <Field label="Jusqu'au" name="draft[until]" kind="date" value=draft.until.clone() error=e("until")/>
                    </div>
                </fieldset>
            }.into_any()
        } else {
            view! { <input type="hidden" name="draft[repeat]" value="none"/> }.into_any()
        }}
    }
}

/// Shown once the server asked for it (some passages are only *possible* identifiers): the
/// person confirms they are not, and the form is sent again. Stays shown once ticked, so a later
/// refusal for another reason does not lose the confirmation.
#[component]
fn ConfirmPossible(error: Signal<Option<String>>, initially: bool) -> impl IntoView {
    let ticked = RwSignal::new(initially);
    view! {
        <Show when=move || error.get().is_some() || ticked.get()>
            <div class="field field-checkbox" class:field-invalid=move || error.get().is_some()>
                <input
                    type="checkbox"
                    id="draft-confirm-possible"
                    name="draft[confirm_possible]"
                    value="on"
                    prop:checked=move || ticked.get()
                    on:change=move |event| ticked.set(event_target_checked(&event))
                    aria-describedby=move || error.get().map(|_| "draft-confirm-possible-error")
                />
                <label for="draft-confirm-possible">
                    "Je confirme que les passages signalés comme « possibles » ne sont pas des identifiants"
                </label>
                {move || error.get().map(|message| view! {
                    <p class="field-error" id="draft-confirm-possible-error">{message}</p>
                })}
            </div>
        </Show>
    }
}

/// `/reunions/nouvelle`.
#[component]
pub fn NewMeetingPage() -> impl IntoView {
    view! { <SignedIn><NewMeeting/></SignedIn> }
}

#[component]
fn NewMeeting() -> impl IntoView {
    let is_coordinator = use_session().viewer.is_some_and(|v| v.is_coordinator());
    if is_coordinator {
        crate::has_islands();
    }
    view! {
        <h1>"Nouvelle réunion"</h1>
        {if is_coordinator {
            view! { <NewMeetingForm/> }.into_any()
        } else {
            view! { <ErrorBanner error=AppError::Forbidden/> }.into_any()
        }}
    }
}

/// The new-meeting form: an island (errors per field keep what was typed, the identifier guard
/// checks the title and description as they are typed, the draft survives a reload).
#[island(lazy)]
pub fn NewMeetingForm() -> impl IntoView {
    crate::island_hydrated();
    let create = ServerAction::<CreateMeeting>::new();
    let value = create.value();
    let draft = MeetingDraft {
        kind: "staff".into(),
        mode: "video".into(),
        start_time: "12:30".into(),
        end_time: "14:00".into(),
        end_kind: "count".into(),
        count: "6".into(),
        ..Default::default()
    };
    view! {
        <ActionOutcome value success="Réunion créée."/>
        <ActionForm action=create attr:class="meeting-form" attr:novalidate=true>
            <CsrfField/>
            <DraftKeeper key="/reunions/nouvelle" saved=Signal::derive(move || matches!(value.get(), Some(Ok(_))))/>
            <MeetingFields draft value with_repeat=true/>
            <button type="submit" class="button-primary">"Créer la réunion"</button>
        </ActionForm>
    }
}

/// `/reunions/:id/modifier`.
#[component]
pub fn EditMeetingPage() -> impl IntoView {
    view! { <SignedIn><EditMeeting/></SignedIn> }
}

/// The edit form of a meeting: an island, like [`NewMeetingForm`].
#[island(lazy)]
pub fn EditMeetingForm(id: MeetingId, in_series: bool, draft: MeetingDraft) -> impl IntoView {
    crate::island_hydrated();
    let update = ServerAction::<UpdateMeeting>::new();
    let value = update.value();
    view! {
        <ActionOutcome value success="Réunion modifiée ; les invité·es sont prévenu·es."/>
        <ActionForm action=update attr:class="meeting-form" attr:novalidate=true>
            <CsrfField/>
            <DraftKeeper key=format!("/reunions/{id}/modifier") saved=Signal::derive(move || matches!(value.get(), Some(Ok(_))))/>
            <input type="hidden" name="id" value=id.to_string()/>
            {if in_series {
                view! {
                    <fieldset>
                        <legend>"Appliquer la modification à"</legend>
                        <label><input type="radio" name="scope" value="occurrence" checked=true/>" Cette séance seulement"</label>
                        <label><input type="radio" name="scope" value="following"/>" Cette séance et les suivantes (même jour, nouvel horaire)"</label>
                    </fieldset>
                }.into_any()
            } else {
                view! { <input type="hidden" name="scope" value="occurrence"/> }.into_any()
            }}
            <MeetingFields draft value with_repeat=false/>
            <button type="submit" class="button-primary">"Enregistrer les modifications"</button>
        </ActionForm>
    }
}

#[component]
fn EditMeeting() -> impl IntoView {
    let id = super::route_id();
    let meeting = AsyncDerived::new(move || get_meeting(id()));
    crate::has_islands();
    view! {
        <h1>"Modifier la réunion"</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match meeting.await {
                    Ok(detail) if detail.can_manage => {
                        let in_series = detail.series_description.is_some();
                        view! { <EditMeetingForm id=detail.id in_series draft=detail.form/> }.into_any()
                    }
                    Ok(_) => view! { <ErrorBanner error=AppError::Forbidden/> }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
