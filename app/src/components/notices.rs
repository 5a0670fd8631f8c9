//! What a form did, shown on the page it comes back to. Forms outside islands are plain HTML
//! forms posting to server functions: on success the server function sends the browser back
//! with `?ok=CODE` (a fixed code, never text from the URL); on failure the server-function layer
//! sends it back to the form's page with the error encoded in `__err`. Both render on the
//! server, with or without JavaScript.

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::hooks::use_query_map;

use super::ErrorBanner;
use crate::error::AppError;

/// Success codes and their French messages.
pub const SUCCESS_MESSAGES: &[(&str, &str)] = &[
    ("reponse", "Réponse enregistrée."),
    ("invitation", "Invitation envoyée."),
    (
        "annulation",
        "Réunion annulée ; les invité·es sont prévenu·es.",
    ),
    ("adhesion", "Réponse enregistrée."),
    ("relance", "Le message sera renvoyé dans un instant."),
    ("role", "Rôle modifié."),
    ("membre", "Invitation envoyée."),
    (
        "organisation",
        "Organisation créée. Changez d'organisation pour l'utiliser.",
    ),
    (
        "soumis",
        "Cas soumis. Vous serez prévenu·e par e-mail de la réponse.",
    ),
    ("retire", "Cas retiré."),
    ("pris", "Demande prise en charge : elle vous est attribuée."),
    ("message", "Message envoyé."),
    (
        "avis",
        "Avis signé ; l'auteur·e de la demande est prévenu·e par e-mail.",
    ),
    ("ordre_du_jour", "Ordre du jour enregistré."),
    (
        "publie",
        "Ordre du jour publié : les invité·es le reçoivent par e-mail, chaque présentateur·rice son créneau.",
    ),
    ("point", "Point ajouté à l'ordre du jour."),
    ("point_retire", "Point retiré de l'ordre du jour."),
    (
        "reporte",
        "Cas reporté à la séance suivante ; son auteur·e est prévenu·e.",
    ),
    ("quorum", "Règle de quorum enregistrée."),
    ("presence", "Présence enregistrée."),
    ("point_courant", "Point en cours mis à jour."),
    ("notes", "Notes enregistrées."),
    ("mot", "Mot ajouté : il s'applique dès maintenant."),
    (
        "mot_accepte",
        "Proposition acceptée : ce mot n'est plus signalé dans l'organisation.",
    ),
    ("mot_retire", "Mot retiré de la liste."),
];

/// The message of a success code.
pub fn success_message(code: &str) -> Option<&'static str> {
    SUCCESS_MESSAGES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, message)| *message)
}

/// `path` with `?ok=code` (replacing any query): where a plain form goes back after a success.
pub fn with_success(path: &str, code: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("/");
    format!("{path}?ok={code}")
}

/// The outcome of the last plain form posted from this page, if any.
#[component]
pub fn PageNotices() -> impl IntoView {
    let query = use_query_map();
    let (ok, err) = query.with_untracked(|q| (q.get("ok"), q.get("__err")));
    let error = err.map(|err| ServerFnUrlError::<AppError>::decode_err(&err));
    let fields: Vec<String> = match &error {
        Some(AppError::Validation { fields, message }) if fields.len() > 1 => fields
            .iter()
            .map(|f| f.message.clone())
            .filter(|m| m != message)
            .collect(),
        _ => Vec::new(),
    };
    view! {
        {ok.as_deref().and_then(success_message).map(|message| view! {
            <p class="alert alert-ok" role="status">{message}</p>
        })}
        {error.map(|error| view! { <ErrorBanner error/> })}
        {(!fields.is_empty()).then(|| view! {
            <ul class="field-errors">{fields.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_paths_drop_the_previous_query() {
        assert_eq!(
            with_success("/agenda?ok=reponse", "reponse"),
            "/agenda?ok=reponse"
        );
        assert_eq!(
            with_success("/reunions/4#x", "invitation"),
            "/reunions/4?ok=invitation"
        );
        assert!(success_message("reponse").is_some());
        assert!(success_message("<script>").is_none());
    }
}
