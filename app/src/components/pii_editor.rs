//! A text area that finds direct identifiers as the user types: the detector runs in the
//! browser (wasm, no server round trip), debounced; each finding is highlighted with its kind
//! in French and can be replaced by its placeholder in one click, or all at once.

use leptos::prelude::*;

use crate::components::field::field_id;
use crate::domain::pii::{find_identifiers, replace_all, Finding, PiiKind};

/// Milliseconds of calm typing before the text is checked again.
const DEBOUNCE_MS: u64 = 120;

/// Splits a text into plain and flagged segments for display.
fn segments(text: &str, findings: &[Finding]) -> Vec<(String, Option<PiiKind>)> {
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
            Some(finding.kind),
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
) -> impl IntoView {
    let id = field_id(name);
    let status_id = format!("{id}-pii");
    let text = RwSignal::new(value.clone());
    let checked = RwSignal::new(value.clone());
    let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let findings = Memo::new(move |_| checked.with(|t| find_identifiers(t)));

    let on_input = move |event| {
        let value = event_target_value(&event);
        text.set(value.clone());
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
            move || checked.set(value),
            std::time::Duration::from_millis(DEBOUNCE_MS),
        )
        .ok();
        pending.set_value(handle);
    };
    let apply = move |new_text: String| {
        text.set(new_text.clone());
        checked.set(new_text);
    };

    let summary = move || {
        let count = findings.with(Vec::len);
        if checked.with(|t| t.trim().is_empty()) {
            view! { <p class="hint" id=status_id.clone()>"Les identifiants repérés s'afficheront ici."</p> }.into_any()
        } else if count == 0 {
            view! { <p class="pii-clean" id=status_id.clone() role="status">"Aucun identifiant direct repéré."</p> }.into_any()
        } else {
            let plural = if count > 1 { "s" } else { "" };
            view! {
                <p class="field-error" id=status_id.clone() role="status">
                    {format!("{count} identifiant{plural} direct{plural} repéré{plural} : remplacez-les avant d'enregistrer.")}
                </p>
            }
            .into_any()
        }
    };

    view! {
        <div class="field pii-editor">
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                spellcheck="true"
                aria-describedby=format!("{}-pii", field_id(name))
                prop:value=move || text.get()
                on:input=on_input
            >
                {value}
            </textarea>
            {summary}
            <Show when=move || !findings.with(Vec::is_empty)>
                <div class="pii-preview" aria-label="Texte avec les identifiants surlignés">
                    {move || {
                        checked.with(|t| {
                            findings.with(|f| {
                                segments(t, f)
                                    .into_iter()
                                    .map(|(part, kind)| match kind {
                                        Some(kind) => view! {
                                            <mark class="pii" data-kind=kind.code()>
                                                {part}
                                                <span class="pii-kind">{format!("[{}]", kind.label_fr())}</span>
                                            </mark>
                                        }
                                        .into_any(),
                                        None => view! { <span>{part}</span> }.into_any(),
                                    })
                                    .collect_view()
                            })
                        })
                    }}
                </div>
                <ul class="pii-findings">
                    {move || {
                        let current = checked.get();
                        findings
                            .get()
                            .into_iter()
                            .map(|finding| {
                                let excerpt = current[finding.start..finding.end].to_string();
                                let label = format!("Remplacer « {excerpt} » par {}", finding.placeholder());
                                let source = current.clone();
                                view! {
                                    <li>
                                        <span class="badge">{finding.kind.label_fr()}</span>
                                        <span>{excerpt}</span>
                                        <button
                                            type="button"
                                            class="button-small"
                                            aria-label=label
                                            on:click=move |_| apply(replace_one(&source, &finding))
                                        >
                                            {format!("Remplacer par {}", finding.placeholder())}
                                        </button>
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
                        let current = checked.get_untracked();
                        let all = findings.get_untracked();
                        apply(replace_all(&current, &all));
                    }
                >
                    "Tout remplacer"
                </button>
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
        let findings = find_identifiers(text);
        let parts = segments(text, &findings);
        assert_eq!(
            parts.iter().map(|(p, _)| p.as_str()).collect::<String>(),
            text
        );
        assert!(parts
            .iter()
            .any(|(p, k)| p == "06 12 34 56 78" && *k == Some(PiiKind::Phone)));
        assert_eq!(replace_one(text, &findings[0]), "Tél. [TÉLÉPHONE], merci.");
    }
}
