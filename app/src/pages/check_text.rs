//! `/verifier` ("Vérifier un texte"): check a text for direct identifiers before sharing it.
//! Detection runs in the browser; nothing is sent to the server.

use leptos::prelude::*;

use super::SignedIn;
use crate::components::draft::DraftKeeper;
use crate::components::pii_editor::PiiTextarea;

/// The text to check, highlighted as it is typed (an island: detection runs in the browser).
#[island(lazy)]
pub fn CheckTextForm() -> impl IntoView {
    crate::island_hydrated();
    view! {
        <form class="check-text" on:submit=|event| event.prevent_default()>
            <DraftKeeper key="/verifier" saved=Signal::derive(|| false)/>
            <PiiTextarea label="Texte à vérifier" name="text" rows=12/>
        </form>
    }
}

/// `/verifier`.
#[component]
pub fn CheckTextPage() -> impl IntoView {
    crate::has_islands();
    view! {
        <SignedIn>
            <h1>"Vérifier un texte"</h1>
            <p>
                "Collez ou tapez un texte (résumé de cas, courrier) : les identifiants directs — noms, "
                "téléphones, NIR, e-mails, adresses, dates de naissance, identifiants hospitaliers — sont "
                "repérés pendant la saisie, dans votre navigateur, sans rien envoyer au serveur."
            </p>
            <CheckTextForm/>
            <p class="hint">"Les noms de médicaments, de maladies, d'échelles, d'établissements et de villes ne sont pas signalés. Relisez toujours : l'outil aide, il ne remplace pas votre vigilance."</p>
        </SignedIn>
    }
}
