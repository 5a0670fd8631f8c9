//! `/verifier` ("Vérifier un texte"): check a text for direct identifiers before sharing it.

use leptos::prelude::*;

use super::SignedIn;

/// `/verifier`.
#[component]
pub fn CheckTextPage() -> impl IntoView {
    view! {
        <SignedIn>
            <h1>"Vérifier un texte"</h1>
            <p>"Collez un texte (résumé de cas, courrier) : les identifiants directs (noms, téléphones, NIR, adresses, dates de naissance, identifiants hospitaliers) sont repérés pendant la saisie, sans rien envoyer au serveur."</p>
        </SignedIn>
    }
}
