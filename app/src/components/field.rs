//! Labelled form fields with their error message: every field has a label, errors are tied to
//! the field with aria-describedby.

use leptos::prelude::*;

use crate::error::AppError;

/// The DOM id for a form field name (`draft[title]` → `f-draft-title`).
pub fn field_id(name: &str) -> String {
    let mut id = String::from("f-");
    for c in name.chars() {
        match c {
            '[' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

/// The error message for `field` in an action's latest result.
pub fn field_error<T: Clone + Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        value.with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(|e| e.field_message(field))
        })
    })
}

/// A labelled `<input>`.
#[component]
pub fn Field(
    /// Visible label.
    label: &'static str,
    /// Form name (`draft[title]`).
    name: &'static str,
    /// Input type.
    #[prop(default = "text")]
    kind: &'static str,
    /// Initial value.
    #[prop(into, optional)]
    value: String,
    /// Error for this field.
    #[prop(into, optional)]
    error: Option<Signal<Option<String>>>,
    /// Required.
    #[prop(optional)]
    required: bool,
    /// Help text under the field.
    #[prop(optional)]
    hint: &'static str,
    /// Browser autocomplete hint.
    #[prop(optional)]
    autocomplete: &'static str,
) -> impl IntoView {
    let id = field_id(name);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}{required.then_some(view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            />
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id>{hint}</p> })}
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A labelled `<select>` over (value, label) pairs.
#[component]
pub fn SelectField(
    /// Visible label.
    label: &'static str,
    /// Form name.
    name: &'static str,
    /// Options as (value, label).
    options: Vec<(String, String)>,
    /// Selected value.
    #[prop(into, optional)]
    selected: String,
    /// Error for this field.
    #[prop(into, optional)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let id = field_id(name);
    let error_id = format!("{id}-error");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=described>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = value == selected;
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}

/// A labelled checkbox (value "on") with its error message.
#[component]
pub fn CheckboxField(
    /// Visible label.
    label: &'static str,
    /// Form name.
    name: &'static str,
    /// Initially ticked.
    #[prop(optional)]
    checked: bool,
    /// Error for this field.
    #[prop(into, optional)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let id = field_id(name);
    let error_id = format!("{id}-error");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    view! {
        <div class="field field-checkbox" class:field-invalid=move || error.get().is_some()>
            <input
                type="checkbox"
                id=id.clone()
                name=name
                value="on"
                checked=checked
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            />
            <label for=id>{label}</label>
            {move || error.get().map(|message| view! { <p class="field-error" id=error_id.clone()>{message}</p> })}
        </div>
    }
}
