//! `/cas/:id/modifier`: the case form. Every free-text field runs the identifier guard as it is
//! typed; the draft is saved on the server a moment after each change (and when the page is
//! left), and kept in the browser until the server has it, so a reload, a lost connection or an
//! expired session loses nothing; the server refuses a save made from an older version (another
//! tab) rather than overwrite it. What is still missing shows as the form is filled.

use leptos::prelude::*;
use leptos_router::components::A;

use super::cases::case_route_id;
use super::SignedIn;
use crate::api::cases::{get_case, CaseView, SaveCase};
use crate::components::draft::DraftKeeper;
use crate::components::field::{CheckboxField, Field, SelectField};
use crate::components::pii_editor::PiiTextarea;
use crate::components::{CsrfField, ErrorBanner, Loading};
use crate::domain::cases::form::{item_field, CaseDraft, FORM_SCALES};
use crate::domain::cases::{missing, Severity, Sex, ANSWERS};
use crate::domain::ids::{CaseId, MeetingId};
use crate::error::AppError;

/// `/cas/:id/modifier`.
#[component]
pub fn EditCasePage() -> impl IntoView {
    view! { <SignedIn><EditCase/></SignedIn> }
}

#[component]
fn EditCase() -> impl IntoView {
    // The form is an island: say so now, before the data arrives (the page's shell decides
    // whether to send browser code before the suspended part renders).
    crate::has_islands();
    let id = case_route_id();
    let case = AsyncDerived::new(move || get_case(id()));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(case) if case.can_edit => {
                        let CaseView { id, code, version, draft, open_meetings, destination, deadline, .. } = case;
                        view! {
                            <p class="breadcrumb"><A href="/cas">"Cas et demandes d'avis"</A> " › " <a href=format!("/cas/{id}")>{code.clone()}</a></p>
                            <h1>"Cas " <span class="case-code">{code}</span></h1>
                            <p>{destination}{deadline.map(|d| format!(" — cas à envoyer avant le {d}"))}</p>
                            <CaseForm id version draft open_meetings/>
                        }.into_any()
                    }
                    Ok(case) => view! {
                        <h1>"Cas " {case.code.clone()}</h1>
                        <p class="alert alert-error" role="alert">
                            {if case.deadline_passed { "La date limite d'envoi des cas pour cette réunion est passée : ce brouillon ne peut plus être modifié ni soumis." } else { "Ce cas n'est plus un brouillon : il ne peut plus être modifié." }}
                        </p>
                        <p><a href=format!("/cas/{}", case.id)>"Voir le cas"</a></p>
                    }.into_any(),
                    Err(error) => view! { <h1>"Cas"</h1><ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// How long after the last keystroke the draft is saved.
#[cfg(feature = "hydrate")]
const AUTOSAVE_DELAY: std::time::Duration = std::time::Duration::from_millis(1200);

/// The form: an island (live identifier guard, completeness, autosave, local copy).
#[island(lazy)]
pub fn CaseForm(
    id: CaseId,
    version: i64,
    draft: CaseDraft,
    open_meetings: Vec<(MeetingId, String)>,
) -> impl IntoView {
    crate::island_hydrated();
    let save = ServerAction::<SaveCase>::new();
    let value = save.value();
    let version = RwSignal::new(version);
    // The latest refusal, from the form's buttons or from an autosave.
    let refusal = RwSignal::new(None::<AppError>);
    let status = RwSignal::new(String::new());
    let clean = RwSignal::new(true);
    let gaps = RwSignal::new(missing(&draft.content()));
    let form_ref = NodeRef::<leptos::html::Form>::new();

    Effect::new(move |_| match value.get() {
        Some(Ok(saved)) => {
            version.set(saved.version);
            refusal.set(None);
            status.set(saved.saved_at);
            clean.set(true);
        }
        Some(Err(error)) => refusal.set(Some(error)),
        None => {}
    });
    let e = move |field: &'static str| {
        Signal::derive(move || {
            refusal.with(|r| r.as_ref().and_then(|error| error.field_message(field)))
        })
    };

    #[cfg(feature = "hydrate")]
    let on_input = {
        let generation = StoredValue::new(0u64);
        move |_| {
            clean.set(false);
            let Some(form) = form_ref.get_untracked() else {
                return;
            };
            let draft = browser::read(&form);
            gaps.set(missing(&draft.content()));
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            set_timeout(
                move || {
                    if generation.get_value() != mine {
                        return; // typed again since: a later timer saves
                    }
                    let Some(form) = form_ref.get_untracked() else {
                        return;
                    };
                    let draft = browser::read(&form);
                    let csrf = browser::csrf(&form);
                    status.set("Enregistrement…".to_string());
                    leptos::task::spawn_local(async move {
                        let result = crate::api::cases::save_case(
                            csrf,
                            id,
                            version.get_untracked(),
                            "autosave".to_string(),
                            draft,
                        )
                        .await;
                        match result {
                            Ok(saved) => {
                                version.set(saved.version);
                                refusal.set(None);
                                gaps.set(missing(&browser::read(&form).content()));
                                if generation.get_value() == mine {
                                    clean.set(true);
                                }
                                status.set(saved.saved_at);
                            }
                            Err(error) => {
                                status.set(match &error {
                                    AppError::Unauthenticated | AppError::Csrf => "Non enregistré sur le serveur : votre session a expiré. Vos saisies sont gardées dans ce navigateur ; reconnectez-vous dans un autre onglet puis revenez ici.".to_string(),
                                    AppError::Transport(_) => "Non enregistré : connexion perdue. Vos saisies sont gardées dans ce navigateur ; l'enregistrement reprendra à la prochaine modification.".to_string(),
                                    AppError::Validation { .. } => "Non enregistré sur le serveur : corrigez les champs signalés (vos saisies sont gardées dans ce navigateur).".to_string(),
                                    other => format!("Non enregistré : {other}"),
                                });
                                refusal.set(Some(error));
                            }
                        }
                    });
                },
                AUTOSAVE_DELAY,
            );
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_input = move |_: leptos::ev::Event| {};

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(form) = form_ref.get() {
            browser::save_on_leave(&form, id, version, clean);
        }
    });

    let meeting_options: Vec<(String, String)> = std::iter::once((
        String::new(),
        "Demande d'avis écrit (télé-expertise)".to_string(),
    ))
    .chain(
        open_meetings
            .iter()
            .map(|(id, label)| (id.to_string(), label.clone())),
    )
    .collect();
    let sex_options: Vec<(String, String)> =
        std::iter::once((String::new(), "— Choisir —".to_string()))
            .chain(
                Sex::ALL
                    .iter()
                    .map(|s| (s.code().to_string(), s.label_fr().to_string())),
            )
            .collect();
    let d = draft.clone();
    view! {
        {move || refusal.get().map(|error| view! { <ErrorBanner error/> })}
        <ActionForm action=save node_ref=form_ref attr:class="case-form" attr:novalidate=true on:input=on_input>
            <CsrfField/>
            <DraftKeeper key=format!("/cas/{id}") saved=clean/>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="version" value=move || version.get().to_string()/>
            <SelectField label="Pour" name="case[meeting_id]" options=meeting_options selected=d.meeting_id.clone() error=e("meeting_id")/>
            <fieldset class="question-types" aria-describedby="question-types-error">
                <legend>"Type de question"</legend>
                <CheckboxField label="Avis diagnostique" name="case[q_diagnostic]" checked=!d.q_diagnostic.is_empty()/>
                <CheckboxField label="Avis pharmacologique" name="case[q_pharmacological]" checked=!d.q_pharmacological.is_empty()/>
                <CheckboxField label="Conduite à tenir" name="case[q_conduct]" checked=!d.q_conduct.is_empty()/>
                <CheckboxField label="Orientation" name="case[q_orientation]" checked=!d.q_orientation.is_empty()/>
                {move || e("question_types").get().map(|m| view! { <p class="field-error" id="question-types-error">{m}</p> })}
            </fieldset>
            <PiiTextarea label="Question posée, en une phrase" name="case[question]" value=d.question.clone() rows=2 error=e("question")/>
            <PiiTextarea label="Motif de la demande" name="case[reason]" value=d.reason.clone() rows=3 error=e("reason")/>
            <div class="row">
                <Field label="Âge" name="case[age]" value=d.age.clone() error=e("age") hint="En années (ex. 42) ou une tranche (ex. 45-54)"/>
                <SelectField label="Sexe" name="case[sex]" options=sex_options selected=d.sex.clone() error=e("sex")/>
            </div>
            <PiiTextarea label="Symptômes et évolution" name="case[symptoms]" value=d.symptoms.clone() rows=4 error=e("symptoms")/>
            <PiiTextarea label="Hypothèses diagnostiques" name="case[hypotheses]" value=d.hypotheses.clone() rows=2 error=e("hypotheses")/>
            <PiiTextarea label="Antécédents psychiatriques et médicaux" name="case[history]" value=d.history.clone() rows=3 error=e("history")/>
            <PiiTextarea label="Traitement actuel et essais antérieurs" name="case[treatment]" value=d.treatment.clone() rows=3 error=e("treatment")/>
            <PiiTextarea label="Ce que vous attendez du psychiatre" name="case[expectations]" value=d.expectations.clone() rows=2 error=e("expectations")/>
            <PiiTextarea label="Suivi somatique" name="case[somatic_follow_up]" value=d.somatic_follow_up.clone() rows=2 error=e("somatic_follow_up")/>
            <CheckboxField label="Le ou la patient·e a un médecin traitant connu" name="case[treating_doctor_known]" checked=!d.treating_doctor_known.is_empty()/>
            <PiiTextarea label="Récit clinique (Markdown)" name="case[narrative_md]" value=d.narrative_md.clone() rows=8 error=e("narrative_md")/>
            <NarrativePreview form=form_ref/>
            {FORM_SCALES.iter().map(|&scale| {
                let items = scale.items();
                view! {
                    <fieldset class="scale-form">
                        <legend>{scale.label_fr()} " (facultatif)"</legend>
                        <p class="hint">{scale.stem()}</p>
                        {items.iter().enumerate().map(|(index, item)| {
                            let field = item_field(scale, index + 1);
                            let current = d.items.get(&field).cloned().unwrap_or_default();
                            let name = format!("case[items][{field}]");
                            view! {
                                <fieldset class="scale-item">
                                    <legend>{format!("{}. {item}", index + 1)}</legend>
                                    {ANSWERS.iter().enumerate().map(|(answer, label)| {
                                        let input_id = format!("f-{field}-{answer}");
                                        view! {
                                            <span class="scale-answer">
                                                <input type="radio" id=input_id.clone() name=name.clone() value=answer.to_string() checked=current == answer.to_string()/>
                                                <label for=input_id>{format!("{label} ({answer})")}</label>
                                            </span>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                    </fieldset>
                }
            }).collect_view()}
            <CheckboxField label="Je confirme que les passages signalés comme « possibles » ne sont pas des identifiants" name="case[confirm_possible]" error=e("confirm_possible")/>
            <section class="completeness" aria-live="polite">
                <h2>{move || if gaps.with(|g| g.iter().all(|m| m.severity() != Severity::Required)) { "Prêt" } else { "À compléter" }}</h2>
                {move || gaps.with(|g| if g.is_empty() {
                    view! { <p>"Tout y est."</p> }.into_any()
                } else {
                    view! {
                        <ul>
                            {g.iter().map(|m| view! {
                                <li class:required=m.severity() == Severity::Required>{m.label_fr()}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </section>
            <p class="autosave-status" role="status">{move || status.get()}</p>
            <div class="form-actions">
                <button type="submit" name="intent" value="save">"Enregistrer le brouillon"</button>
                <button type="submit" name="intent" value="submit" class="button-primary">"Soumettre"</button>
            </div>
            <p class="hint">"Une fois soumis, le cas ne peut plus être modifié ; vous pourrez le retirer jusqu'à la date limite."</p>
        </ActionForm>
    }
}

/// "Aperçu du récit": the narrative rendered by the server exactly as the case page will show it.
#[component]
fn NarrativePreview(form: NodeRef<leptos::html::Form>) -> impl IntoView {
    let html = RwSignal::new(None::<String>);
    let preview = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(form) = form.get_untracked() {
            let text = browser::read(&form).narrative_md;
            let csrf = browser::csrf(&form);
            leptos::task::spawn_local(async move {
                let shown = match crate::api::cases::preview_markdown(csrf, text).await {
                    Ok(html) if html.trim().is_empty() => "<p>(récit vide)</p>".to_string(),
                    Ok(html) => html,
                    Err(error) => format!(
                        "<p>{}</p>",
                        error
                            .to_string()
                            .replace('&', "&amp;")
                            .replace('<', "&lt;")
                            .replace('>', "&gt;")
                    ),
                };
                html.set(Some(shown));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = form;
    };
    view! {
        <div class="narrative-preview">
            <button type="button" class="button-small" on:click=preview>"Aperçu du récit"</button>
            {move || html.get().map(|html| view! {
                <div class="markdown preview" aria-live="polite" inner_html=html></div>
            })}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    use crate::components::draft::browser::fields;
    use crate::domain::cases::form::CaseDraft;
    use crate::domain::ids::CaseId;

    /// The form's case fields (`case[x]` → `x`, `case[items][k]` → `items[k]`).
    pub fn read(form: &web_sys::HtmlFormElement) -> CaseDraft {
        let pairs: Vec<(String, String)> = fields(form)
            .into_iter()
            .filter_map(|(name, value)| {
                let rest = name.strip_prefix("case[")?;
                let key = rest.replacen(']', "", 1);
                Some((key, value))
            })
            .collect();
        CaseDraft::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The form's anti-forgery token.
    pub fn csrf(form: &web_sys::HtmlFormElement) -> String {
        form.query_selector("input[name=csrf_token]")
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .unwrap_or_default()
    }

    /// When the page is left with unsaved changes, sends them one last time (a beacon: the
    /// browser delivers it even as the page goes away).
    pub fn save_on_leave(
        form: &web_sys::HtmlFormElement,
        id: CaseId,
        version: RwSignal<i64>,
        clean: RwSignal<bool>,
    ) {
        let form = form.clone();
        let leave = Closure::<dyn Fn()>::new(move || {
            if clean.get_untracked() {
                return;
            }
            let Ok(params) = web_sys::UrlSearchParams::new() else {
                return;
            };
            params.append("csrf_token", &csrf(&form));
            params.append("id", &id.to_string());
            params.append("version", &version.get_untracked().to_string());
            params.append("intent", "autosave");
            for (name, value) in fields(&form) {
                if name.starts_with("case[") {
                    params.append(&name, &value);
                }
            }
            if let Some(window) = web_sys::window() {
                let _ = window
                    .navigator()
                    .send_beacon_with_opt_url_search_params("/api/cases/save", Some(&params));
            }
        });
        if let Some(window) = web_sys::window() {
            let _ =
                window.add_event_listener_with_callback("pagehide", leave.as_ref().unchecked_ref());
        }
        leave.forget();
    }
}
