//! `/territoire` ("Mots du territoire", coordinators): the organisation's allow-list (words the
//! identifier guard must not flag: local places and services named after people, programmes)
//! and deny-list (surnames common in the territory, always flagged), and the "pas un
//! identifiant" proposals of clinicians, to accept or refuse.

use leptos::prelude::*;

use super::SignedIn;
use crate::api::pii::{list_words, AddWord, DecideWord, WordView};
use crate::components::{CsrfField, ErrorBanner, Loading};

/// `/territoire`.
#[component]
pub fn TerritoryPage() -> impl IntoView {
    view! { <SignedIn><Territory/></SignedIn> }
}

#[component]
fn Territory() -> impl IntoView {
    let words = AsyncDerived::new(list_words);
    let add = ServerAction::<AddWord>::new();
    let decide = ServerAction::<DecideWord>::new();
    view! {
        <h1>"Mots du territoire"</h1>
        <p>
            "Le repérage des identifiants s'adapte à votre organisation : les mots autorisés ne sont plus signalés "
            "(un CMP qui porte le nom d'une personne, un lieu, un programme), les mots à signaler le sont toujours "
            "(noms de famille fréquents du territoire). Les deux listes s'appliquent dans le navigateur et sur le serveur."
        </p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match words.await {
                    Ok(words) => view! { <Lists words decide/> }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card">
            <h2>"Ajouter un mot"</h2>
            <ActionForm action=add attr:class="stack-form">
                <CsrfField/>
                <fieldset>
                    <legend>"Liste"</legend>
                    <label><input type="radio" name="list" value="allow" checked=true/>" Ne pas signaler (pas un identifiant)"</label>
                    <label><input type="radio" name="list" value="deny"/>" Toujours signaler (nom de famille)"</label>
                </fieldset>
                <label for="word-entry">"Mot ou nom (cinq mots au plus, sans chiffres)"</label>
                <input id="word-entry" name="entry" required=true maxlength=80/>
                <button type="submit">"Ajouter"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Lists(words: Vec<WordView>, decide: ServerAction<DecideWord>) -> impl IntoView {
    let section = move |title: &'static str, empty: &'static str, lines: Vec<WordView>| {
        view! {
            <section>
                <h2>{title}</h2>
                {if lines.is_empty() {
                    view! { <p class="empty">{empty}</p> }.into_any()
                } else {
                    view! {
                        <ul class="territory-words">
                            {lines.into_iter().map(|word| view! { <WordLine word decide/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        }
    };
    let pick = |pending: bool, list: &str| -> Vec<WordView> {
        words
            .iter()
            .filter(|w| w.pending == pending && (pending || w.list == list))
            .cloned()
            .collect()
    };
    view! {
        {section("Propositions à examiner", "Aucune proposition en attente.", pick(true, ""))}
        {section("Ne pas signaler", "Aucun mot autorisé.", pick(false, "allow"))}
        {section("Toujours signaler", "Aucun mot à signaler.", pick(false, "deny"))}
    }
}

#[component]
fn WordLine(word: WordView, decide: ServerAction<DecideWord>) -> impl IntoView {
    let buttons: Vec<(&'static str, &'static str, String)> = if word.pending {
        vec![
            (
                "approve",
                "Accepter",
                format!("Accepter « {} »", word.entry),
            ),
            ("remove", "Refuser", format!("Refuser « {} »", word.entry)),
        ]
    } else {
        vec![("remove", "Retirer", format!("Retirer « {} »", word.entry))]
    };
    view! {
        <li>
            <strong>{word.entry.clone()}</strong>" " <span class="muted">{word.origin.clone()}</span>
            <span class="inline-forms">
                {buttons.into_iter().map(|(decision, label, aria)| view! {
                    <ActionForm action=decide attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="id" value=word.id.to_string()/>
                        <input type="hidden" name="decision" value=decision/>
                        <button type="submit" class="button-small" aria-label=aria>{label}</button>
                    </ActionForm>
                }).collect_view()}
            </span>
        </li>
    }
}
