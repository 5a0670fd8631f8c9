//! Sign-in (a plain HTML form that works without JavaScript), setting a password from a
//! one-time link, and asking for such a link when the password is forgotten.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::profile::{ForgotPassword, SetPassword, RESET_REQUESTED};
use crate::components::field::{field_error, Field};
use crate::components::{use_session, ActionOutcome, CsrfField};

/// `/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let email = query.read_untracked().get("email").unwrap_or_default();
    let throttled: String;
    let message = match query.read_untracked().get("error").as_deref() {
        Some("invalid") => Some(("alert-error", "E-mail ou mot de passe incorrect.")),
        Some("throttled") => {
            let minutes = query.read_untracked().get("minutes");
            let when = match minutes.and_then(|m| m.parse::<u32>().ok()) {
                Some(1) => "dans 1 minute".to_string(),
                Some(n) => format!("dans {n} minutes"),
                None => "plus tard".to_string(),
            };
            throttled = format!(
                "Trop de tentatives de connexion échouées. Réessayez {when} ou utilisez « Mot de passe oublié »."
            );
            Some(("alert-error", throttled.as_str()))
        }
        Some("csrf") => Some((
            "alert-error",
            "Le formulaire a expiré : veuillez réessayer.",
        )),
        Some("expired") => Some((
            "alert-error",
            "Votre session a expiré : veuillez vous reconnecter.",
        )),
        _ => match query.read_untracked().get("info").as_deref() {
            Some("password_set") => Some((
                "alert-ok",
                "Mot de passe enregistré : vous pouvez vous connecter.",
            )),
            Some("signed_out") => Some(("alert-ok", "Vous êtes déconnecté·e.")),
            _ => None,
        },
    };
    let signed_in = use_session().viewer.map(|v| v.display_name);
    view! {
        <section class="narrow card">
            <h1>"Connexion"</h1>
            {signed_in.map(|name| view! { <p class="alert alert-ok">"Vous êtes connecté·e en tant que " {name} "."</p> })}
            {message.map(|(class, text)| view! { <p class=format!("alert {class}") role="alert">{text.to_string()}</p> })}
            <form method="post" action="/auth/login">
                <CsrfField/>
                <Field label="Adresse e-mail" name="email" kind="email" value=email required=true autocomplete="username"/>
                <Field label="Mot de passe" name="password" kind="password" required=true autocomplete="current-password"/>
                <button type="submit" class="button-primary">"Se connecter"</button>
            </form>
            <p><a href="/mot-de-passe-oublie">"Mot de passe oublié ?"</a></p>
            <p class="hint">"Pas encore de compte ? Votre coordination CPTS vous envoie une invitation par e-mail."</p>
        </section>
    }
}

/// `/mot-de-passe/:token`.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    crate::has_islands();
    view! { <SetPasswordForm token/> }
}

/// The set-password form: an island, so that a refused password shows its error at once.
#[island(lazy)]
pub fn SetPasswordForm(token: String) -> impl IntoView {
    crate::island_hydrated();
    let action = ServerAction::<SetPassword>::new();
    let value = action.value();
    view! {
        <section class="narrow card">
            <h1>"Choisir votre mot de passe"</h1>
            <p>"Au moins 10 caractères. Une phrase facile à retenir est une bonne idée."</p>
            <ActionOutcome value success="Mot de passe enregistré."/>
            {move || field_error(value, "token").get().map(|m| view! {
                <p class="alert alert-error" role="alert">{m}" "<a href="/mot-de-passe-oublie">"Mot de passe oublié"</a></p>
            })}
            <ActionForm action=action>
                <CsrfField/>
                <input type="hidden" name="token" value=token.clone()/>
                <Field label="Nouveau mot de passe" name="password" kind="password" required=true autocomplete="new-password" error=field_error(value, "password")/>
                <Field label="Confirmez le mot de passe" name="confirmation" kind="password" required=true autocomplete="new-password" error=field_error(value, "confirmation")/>
                <button type="submit" class="button-primary">"Enregistrer"</button>
            </ActionForm>
        </section>
    }
}

/// `/mot-de-passe-oublie`: asks for a one-time link by e-mail. The answer never tells whether
/// an account has this address.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let email = query.read_untracked().get("email").unwrap_or_default();
    // Set by the server after a form sent without JavaScript.
    let sent = query.read_untracked().get("info").as_deref() == Some("sent");
    crate::has_islands();
    view! { <ForgotPasswordForm email sent/> }
}

/// The "Mot de passe oublié" form: an island (the answer shows without leaving the page).
#[island(lazy)]
pub fn ForgotPasswordForm(email: String, sent: bool) -> impl IntoView {
    crate::island_hydrated();
    let action = ServerAction::<ForgotPassword>::new();
    let value = action.value();
    view! {
        <section class="narrow card">
            <h1>"Mot de passe oublié"</h1>
            <p>"Indiquez l'adresse e-mail de votre compte : vous recevrez un lien pour choisir un nouveau mot de passe, valable 2 heures et une seule fois."</p>
            <ActionOutcome value success=RESET_REQUESTED/>
            {move || (sent && value.with(Option::is_none)).then(|| view! { <p class="alert alert-ok" role="status">{RESET_REQUESTED}</p> })}
            <ActionForm action=action attr:novalidate=true>
                <CsrfField/>
                <Field label="Adresse e-mail" name="email" kind="email" value=email required=true autocomplete="username" error=field_error(value, "email")/>
                <button type="submit" class="button-primary">"Recevoir un lien"</button>
            </ActionForm>
            <p><a href="/login">"Retour à la connexion"</a></p>
        </section>
    }
}
