//! A text area that finds direct identifiers as the user types: the detector runs in the
//! browser (wasm, no server round trip), debounced; each finding is highlighted with its kind
//! in French and can be replaced by its placeholder in one click, or all at once.

use leptos::prelude::*;

use crate::components::field::field_id;
use crate::domain::pii::{find_identifiers_here, replace_all, Confidence, Finding, PiiKind};

/// Milliseconds of calm typing before the text is checked again.
const DEBOUNCE_MS: u64 = 120;

/// Splits a text into plain and flagged segments (with kind and confidence) for display.
fn segments(text: &str, findings: &[Finding]) -> Vec<(String, Option<(PiiKind, Confidence)>)> {
    let mut out = Vec::with_capacity(findings.len() * 2 + 1);
    let mut position = 0;
    for finding in findings {
        if finding.start < position || finding.end > text.len() {
            continue;
        }
        if finding.start > position {
            out.push((text[position..finding.start].to_string(), None));
        }
        out.push((
            text[finding.start..finding.end].to_string(),
            Some((finding.kind, finding.confidence)),
        ));
        position = finding.end;
    }
    if position < text.len() {
        out.push((text[position..].to_string(), None));
    }
    out
}

/// The text with one finding replaced by its placeholder.
fn replace_one(text: &str, finding: &Finding) -> String {
    format!(
        "{}{}{}",
        &text[..finding.start],
        finding.placeholder(),
        &text[finding.end..]
    )
}

/// Turns true once the browser has the name lists (always true on the server, which embeds them).
fn name_lists_ready() -> ArcRwSignal<bool> {
    thread_local! {
        static READY: ArcRwSignal<bool> = ArcRwSignal::new(cfg!(not(feature = "hydrate")));
    }
    READY.with(Clone::clone)
}

/// Fetches the name lists once per page and installs them (browser only).
fn load_name_lists() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        thread_local! {
            static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if STARTED.with(|started| started.replace(true)) {
            return;
        }
        let ready = name_lists_ready();
        leptos::task::spawn_local(async move {
            let Some(window) = web_sys::window() else {
                return;
            };
            let path = crate::domain::pii::NAME_LISTS_PATH;
            let Ok(response) = JsFuture::from(window.fetch_with_str(path)).await else {
                return;
            };
            let response: web_sys::Response = response.unchecked_into();
            if !response.ok() {
                return;
            }
            let Ok(text) = response.text() else {
                return;
            };
            if let Some(text) = JsFuture::from(text).await.ok().and_then(|t| t.as_string()) {
                if crate::domain::pii::install_name_lists(text) {
                    ready.set(true);
                }
            }
        });
    }
}

/// Turns true once the browser has the organisation's words (allow- and deny-lists).
fn territory_ready() -> ArcRwSignal<bool> {
    thread_local! {
        static READY: ArcRwSignal<bool> = ArcRwSignal::new(false);
    }
    READY.with(Clone::clone)
}

/// Fetches the current organisation's words once per page (signed in, browser only) and
/// installs them: every guarded field is checked again when they arrive.
fn load_territory() {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if STARTED.with(|started| started.replace(true)) {
            return;
        }
        if crate::components::use_session().viewer.is_none() {
            return;
        }
        let ready = territory_ready();
        leptos::task::spawn_local(async move {
            // A plain fetch of the server function's JSON (no server-function client code in
            // every island that has a guarded field).
            let Some((true, text)) = browser_fetch::send(PII_TERRITORY_URL, None).await else {
                return;
            };
            if let Ok(territory) = serde_json::from_str(&text) {
                crate::domain::pii::install_territory(territory);
                ready.set(true);
            }
        });
    }
}

/// The server function that answers the organisation's words (`crate::api::pii::get_territory`).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PII_TERRITORY_URL: &str = "/api/pii/territory";
/// The server function that takes a proposal (`crate::api::pii::propose_word`).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PII_PROPOSE_URL: &str = "/api/pii/propose";

/// `fetch` for the guard's two small requests: (success, body text), none when the network
/// failed.
#[cfg(feature = "hydrate")]
pub(crate) mod browser_fetch {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    /// GET `url`, or POST `form` (urlencoded) to it.
    pub async fn send(url: &str, form: Option<&[(&str, &str)]>) -> Option<(bool, String)> {
        let window = web_sys::window()?;
        let init = web_sys::RequestInit::new();
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&headers, &"Accept".into(), &"application/json".into());
        if let Some(form) = form {
            let body: Vec<String> = form
                .iter()
                .map(|(key, value)| {
                    format!(
                        "{}={}",
                        js_sys::encode_uri_component(key),
                        js_sys::encode_uri_component(value)
                    )
                })
                .collect();
            init.set_method("POST");
            init.set_body(&JsValue::from_str(&body.join("&")));
            let _ = js_sys::Reflect::set(
                &headers,
                &"Content-Type".into(),
                &"application/x-www-form-urlencoded".into(),
            );
        }
        init.set_headers(&headers);
        let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .ok()?;
        let response: web_sys::Response = response.unchecked_into();
        let text = JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        Some((response.ok(), text))
    }
}

/// "Pas un identifiant": proposes the passage to the coordination; the answer is shown under
/// the field.
fn propose(passage: String, notice: RwSignal<Option<String>>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let csrf = crate::components::use_session().csrf_token;
        let form = [("csrf_token", csrf.as_str()), ("entry", passage.as_str())];
        let shown = match browser_fetch::send(PII_PROPOSE_URL, Some(&form)).await {
            Some((true, text)) => serde_json::from_str::<String>(&text).unwrap_or(text),
            // The error as the server function serialises it: its French message.
            Some((false, text)) => serde_json::from_str::<crate::error::AppError>(&text)
                .map(|error| error.to_string())
                .unwrap_or_else(|_| "La proposition n'a pas pu être envoyée.".to_string()),
            None => "La proposition n'a pas pu être envoyée : vérifiez la connexion.".to_string(),
        };
        notice.set(Some(shown));
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (passage, notice);
}

/// The live state of one guarded field: the text as typed, the text last checked (debounced)
/// and the identifiers found in it. Shared by [`PiiTextarea`] and [`PiiInput`].
#[derive(Clone, Copy)]
struct Guard {
    text: RwSignal<String>,
    checked: RwSignal<String>,
    pending: StoredValue<Option<leptos::leptos_dom::helpers::TimeoutHandle>>,
    findings: Memo<Vec<Finding>>,
    /// The answer to the last "pas un identifiant".
    notice: RwSignal<Option<String>>,
    /// The DOM id of the field.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    field_id: StoredValue<String>,
}

impl Guard {
    fn new(value: &str, field_id: &str) -> Guard {
        let checked = RwSignal::new(value.to_string());
        let lists = name_lists_ready();
        let territory = territory_ready();
        // In the browser, once the page is interactive: load the name lists (not part of the
        // first load) and the organisation's words; every guarded field is checked again when
        // they arrive.
        Effect::new(move |_| {
            load_name_lists();
            load_territory();
        });
        Guard {
            text: RwSignal::new(value.to_string()),
            checked,
            pending: StoredValue::new(None),
            field_id: StoredValue::new(field_id.to_string()),
            notice: RwSignal::new(None),
            findings: Memo::new(move |_| {
                lists.track();
                territory.track();
                checked.with(|t| find_identifiers_here(t))
            }),
        }
    }

    /// The field changed: mirror it now, check it once typing calms down.
    fn input(self, value: String) {
        self.text.set(value.clone());
        if let Some(handle) = self.pending.get_value() {
            handle.clear();
        }
        let checked = self.checked;
        let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
            move || checked.set(value),
            std::time::Duration::from_millis(DEBOUNCE_MS),
        )
        .ok();
        self.pending.set_value(handle);
    }

    /// Takes over what the field holds in the page when its island wakes up: a person may have
    /// typed (or a draft been restored) before the browser code arrived, and it must not be
    /// lost. The first check still shows what the server rendered, then this text is checked.
    fn adopt_typed(self, id: &str, rendered: &str) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let element = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id));
            let typed = element.and_then(|e| match e.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                Some(area) => Some(area.value()),
                None => e.dyn_ref::<web_sys::HtmlInputElement>().map(|i| i.value()),
            });
            if let Some(typed) = typed.filter(|typed| typed != rendered) {
                self.text.set(typed.clone());
                Effect::new(move |_| self.input(typed.clone()));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (self, id, rendered);
    }

    /// Replaces the text (a replacement was clicked) and checks it at once.
    /// The field itself gets the new text and an `input` event, as if typed, so that whatever
    /// listens to the form (draft keeping, autosave) sees the replacement at once.
    fn apply(self, new_text: String) {
        self.text.set(new_text.clone());
        self.checked.set(new_text.clone());
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let element = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&self.field_id.get_value()));
            if let Some(element) = element {
                if let Some(area) = element.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                    area.set_value(&new_text);
                } else if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
                    input.set_value(&new_text);
                }
                let init = web_sys::EventInit::new();
                init.set_bubbles(true);
                if let Ok(event) = web_sys::Event::new_with_event_init_dict("input", &init) {
                    let _ = element.dispatch_event(&event);
                }
            }
        }
    }

    fn has_findings(self) -> bool {
        !self.findings.with(Vec::is_empty)
    }
}

/// The findings of a guarded field, each with its kind in French and a one-click replacement,
/// and a button that replaces them all.
#[component]
fn FindingsList(guard: Guard) -> impl IntoView {
    view! {
        <ul class="pii-findings">
            {move || {
                let current = guard.checked.get();
                guard
                    .findings
                    .get()
                    .into_iter()
                    .map(|finding| {
                        let excerpt = current[finding.start..finding.end].to_string();
                        let possible = finding.confidence == Confidence::Possible;
                        let badge = if possible {
                            format!("{} (possible)", finding.kind.label_fr())
                        } else {
                            finding.kind.label_fr().to_string()
                        };
                        let reason = finding.reason.to_string();
                        let label = format!("Remplacer par {} : « {excerpt} »", finding.placeholder());
                        let source = current.clone();
                        // Names and places may be local words: proposed to the coordination.
                        let proposable = matches!(finding.kind, PiiKind::Name | PiiKind::Address);
                        let passage = excerpt.clone();
                        let not_label = format!("Pas un identifiant : « {excerpt} »");
                        view! {
                            <li class:pii-possible=possible>
                                <span class="badge">{badge}</span>
                                <span>{excerpt}</span>
                                <span class="muted">{reason}</span>
                                <button
                                    type="button"
                                    class="button-small"
                                    aria-label=label
                                    on:click=move |_| guard.apply(replace_one(&source, &finding))
                                >
                                    {format!("Remplacer par {}", finding.placeholder())}
                                </button>
                                {proposable.then(|| view! {
                                    <button
                                        type="button"
                                        class="button-small button-quiet"
                                        aria-label=not_label
                                        on:click=move |_| propose(passage.clone(), guard.notice)
                                    >
                                        "Pas un identifiant"
                                    </button>
                                })}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <button
            type="button"
            class="button-small"
            on:click=move |_| {
                let current = guard.checked.get_untracked();
                let all = guard.findings.get_untracked();
                guard.apply(replace_all(&current, &all));
            }
        >
            "Tout remplacer"
        </button>
        {move || guard.notice.get().map(|text| view! { <p class="pii-proposed" role="status">{text}</p> })}
    }
}

/// The findings, counted as a sentence: likely and certain ones must be replaced; possible ones
/// are to check (the server asks to confirm them).
fn findings_sentence(findings: &[Finding]) -> String {
    let possible = findings
        .iter()
        .filter(|f| f.confidence == Confidence::Possible)
        .count();
    let sure = findings.len() - possible;
    let mut parts = Vec::new();
    if sure > 0 {
        let plural = if sure > 1 { "s" } else { "" };
        parts.push(format!(
            "{sure} identifiant{plural} direct{plural} repéré{plural} : remplacez-les avant d'enregistrer."
        ));
    }
    if possible > 0 {
        let plural = if possible > 1 { "s" } else { "" };
        parts.push(format!(
            "{possible} passage{plural} à vérifier (identifiant{plural} possible{plural}) : remplacez, ou confirmez à l'enregistrement."
        ));
    }
    parts.join(" ")
}

/// The DOM ids of a guarded field, of its findings status and of its server error.
struct Ids {
    field: String,
    status: String,
    error: String,
}

impl Ids {
    fn new(name: &str) -> Ids {
        let field = field_id(name);
        Ids {
            status: format!("{field}-pii"),
            error: format!("{field}-error"),
            field,
        }
    }

    /// `aria-describedby`: the server error when there is one, the status when it is shown.
    fn described_by(
        &self,
        error: Signal<Option<String>>,
        status_shown: impl Fn() -> bool + Send + Sync + 'static,
    ) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let (error_id, status_id) = (self.error.clone(), self.status.clone());
        move || {
            let mut ids = Vec::new();
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            if status_shown() {
                ids.push(status_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    }
}

/// A labelled text area with live identifier detection.
#[component]
pub fn PiiTextarea(
    /// Visible label.
    label: &'static str,
    /// Form name.
    name: &'static str,
    /// Initial text.
    #[prop(into, optional)]
    value: String,
    /// Rows.
    #[prop(default = 8)]
    rows: u32,
    /// Error for this field from the server.
    #[prop(into, optional)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let ids = Ids::new(name);
    let described = ids.described_by(error, || true);
    let Ids {
        field: id,
        status: status_id,
        error: error_id,
    } = ids;
    let guard = Guard::new(&value, &id);
    guard.adopt_typed(&id, &value);
    let findings = guard.findings;
    let checked = guard.checked;

    let summary = move || {
        let count = findings.with(Vec::len);
        let sentence = findings.with(|f| findings_sentence(f));
        if checked.with(|t| t.trim().is_empty()) {
            view! { <p class="hint" id=status_id.clone()>"Les identifiants repérés s'afficheront ici."</p> }.into_any()
        } else if count == 0 {
            view! { <p class="pii-clean" id=status_id.clone() role="status">"Aucun identifiant direct repéré."</p> }.into_any()
        } else {
            view! {
                <p class="field-error" id=status_id.clone() role="status">{sentence}</p>
            }
            .into_any()
        }
    };

    view! {
        <div class="field pii-editor" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                spellcheck="true"
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || guard.text.get()
                on:input=move |event| guard.input(event_target_value(&event))
            >
                {value}
            </textarea>
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
            {summary}
            <Show when=move || guard.has_findings()>
                <div class="pii-preview" aria-label="Texte avec les identifiants surlignés">
                    {move || {
                        checked.with(|t| {
                            findings.with(|f| {
                                segments(t, f)
                                    .into_iter()
                                    .map(|(part, kind)| match kind {
                                        Some((kind, confidence)) => {
                                            let possible = confidence == Confidence::Possible;
                                            let label = if possible {
                                                format!("[{}, possible]", kind.label_fr())
                                            } else {
                                                format!("[{}]", kind.label_fr())
                                            };
                                            view! {
                                                <mark class="pii" class:pii-possible=possible data-kind=kind.code()>
                                                    {part}
                                                    <span class="pii-kind">{label}</span>
                                                </mark>
                                            }
                                        }
                                        .into_any(),
                                        None => view! { <span>{part}</span> }.into_any(),
                                    })
                                    .collect_view()
                            })
                        })
                    }}
                </div>
                <FindingsList guard/>
            </Show>
        </div>
    }
}

/// A labelled one-line `<input>` with live identifier detection: nothing is shown while the
/// text is clean; findings are listed under the field, each with its replacement.
#[component]
pub fn PiiInput(
    /// Visible label.
    label: &'static str,
    /// Form name.
    name: &'static str,
    /// Initial text.
    #[prop(into, optional)]
    value: String,
    /// Required.
    #[prop(optional)]
    required: bool,
    /// Error for this field from the server.
    #[prop(into, optional)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let guard = Guard::new(&value, &field_id(name));
    let ids = Ids::new(name);
    let described = ids.described_by(error, move || guard.has_findings());
    let Ids {
        field: id,
        status: status_id,
        error: error_id,
    } = ids;
    guard.adopt_typed(&id, &value);
    view! {
        <div class="field pii-editor" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}{required.then_some(view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            <input
                id=id
                name=name
                type="text"
                value=value
                required=required
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
                prop:value=move || guard.text.get()
                on:input=move |event| guard.input(event_target_value(&event))
            />
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
            <Show when=move || guard.has_findings()>
                <p class="field-error" id=status_id.clone() role="status">
                    {move || guard.findings.with(|f| findings_sentence(f))}
                </p>
                <FindingsList guard/>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_text_in_order() {
        let text = "Tél. 06 12 34 56 78, merci.";
        let findings = crate::domain::pii::find_identifiers(text);
        let parts = segments(text, &findings);
        assert_eq!(
            parts.iter().map(|(p, _)| p.as_str()).collect::<String>(),
            text
        );
        assert!(
            parts
                .iter()
                .any(|(p, k)| p == "06 12 34 56 78"
                    && k.map(|(kind, _)| kind) == Some(PiiKind::Phone))
        );
        assert_eq!(replace_one(text, &findings[0]), "Tél. [TÉLÉPHONE], merci.");
    }
}
