//! Drafts that survive a reload: the form's fields are saved in the browser's localStorage as
//! the user types, restored when the page is opened again, and forgotten once the form is
//! accepted. Passwords and hidden fields are never stored. Without JavaScript nothing happens.

use leptos::prelude::*;

/// Prefix of the localStorage keys.
pub const DRAFT_PREFIX: &str = "concerto-draft:";

/// Put inside a `<form>`: keeps its fields as a draft under `key`; `saved` turns true once the
/// form was accepted, which forgets the draft.
#[component]
pub fn DraftKeeper(
    /// Storage key (a page path is a good one).
    #[prop(into)]
    key: String,
    /// True once the form has been accepted by the server.
    #[prop(into)]
    saved: Signal<bool>,
) -> impl IntoView {
    let marker = NodeRef::<leptos::html::Span>::new();
    let restored = RwSignal::new(false);
    let storage_key = format!("{DRAFT_PREFIX}{key}");
    #[cfg(feature = "hydrate")]
    {
        let attach_key = storage_key.clone();
        Effect::new(move |_| {
            if let Some(span) = marker.get() {
                browser::attach(&span, &attach_key, restored);
            }
        });
        let forget_key = storage_key.clone();
        Effect::new(move |_| {
            if saved.get() {
                browser::forget(&forget_key);
                restored.set(false);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (&storage_key, saved);
    view! {
        <span node_ref=marker hidden=true></span>
        <Show when=move || restored.get()>
            <p class="alert alert-ok" role="status">"Brouillon restauré : vos saisies précédentes ont été remises en place."</p>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    /// Reads a stored draft value.
    pub fn load(key: &str) -> Option<String> {
        storage()?.get_item(key).ok()?
    }

    /// Stores a draft value.
    pub fn store(key: &str, value: &str) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(key, value);
        }
    }

    /// Forgets a draft.
    pub fn forget(key: &str) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(key);
        }
    }

    /// (name, value) of every field worth keeping.
    pub fn fields(form: &web_sys::HtmlFormElement) -> Vec<(String, String)> {
        let elements = form.elements();
        let mut out = Vec::new();
        for index in 0..elements.length() {
            let Some(element) = elements.item(index) else {
                continue;
            };
            if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
                let kind = input.type_();
                if input.name().is_empty()
                    || matches!(kind.as_str(), "hidden" | "password" | "submit" | "button")
                {
                    continue;
                }
                if matches!(kind.as_str(), "radio" | "checkbox") {
                    if input.checked() {
                        out.push((input.name(), input.value()));
                    }
                    continue;
                }
                out.push((input.name(), input.value()));
            } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
                if !area.name().is_empty() {
                    out.push((area.name(), area.value()));
                }
            } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
                if !select.name().is_empty() {
                    out.push((select.name(), select.value()));
                }
            }
        }
        out
    }

    fn restore(form: &web_sys::HtmlFormElement, saved: &[(String, String)]) {
        let elements = form.elements();
        for index in 0..elements.length() {
            let Some(element) = elements.item(index) else {
                continue;
            };
            let name = element.get_attribute("name").unwrap_or_default();
            let Some((_, value)) = saved.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
                match input.type_().as_str() {
                    "hidden" | "password" => {}
                    "radio" | "checkbox" => input.set_checked(input.value() == *value),
                    _ => input.set_value(value),
                }
            } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
                area.set_value(value);
            } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
                select.set_value(value);
            }
            // Let components that mirror a field in a signal (the identifier guard) catch up.
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            if let Ok(event) = web_sys::Event::new_with_event_init_dict("input", &init) {
                let _ = element.dispatch_event(&event);
            }
        }
    }

    /// Restores the draft into the form around `marker`, then saves on every change.
    pub fn attach(marker: &web_sys::HtmlElement, key: &str, restored: RwSignal<bool>) {
        let Some(form) = marker
            .closest("form")
            .ok()
            .flatten()
            .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        if let Some(saved) =
            load(key).and_then(|json| serde_json::from_str::<Vec<(String, String)>>(&json).ok())
        {
            if !saved.is_empty() {
                restore(&form, &saved);
                restored.set(true);
            }
        }
        let key = key.to_string();
        let target = form.clone();
        let save = Closure::<dyn Fn()>::new(move || {
            if let Ok(json) = serde_json::to_string(&fields(&target)) {
                store(&key, &json);
            }
        });
        let _ = form.add_event_listener_with_callback("input", save.as_ref().unchecked_ref());
        let _ = form.add_event_listener_with_callback("change", save.as_ref().unchecked_ref());
        // The listener lives as long as the page's form.
        save.forget();
    }
}
