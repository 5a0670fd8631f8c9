//! Sign-in (a plain HTML form that works without JavaScript) and setting a password from a
//! one-time link.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::profile::SetPassword;
use crate::components::field::{field_error, Field};
use crate::components::{use_session, ActionOutcome, CsrfField};

/// `/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let email = query.read_untracked().get("email").unwrap_or_default();
    let message = match query.read_untracked().get("error").as_deref() {
        Some("invalid") => Some(("alert-error", "E-mail ou mot de passe incorrect.")),
        Some("throttled") => Some((
            "alert-error",
            "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes.",
        )),
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
            {message.map(|(class, text)| view! { <p class=format!("alert {class}") role="alert">{text}</p> })}
            <form method="post" action="/auth/login">
                <CsrfField/>
                <Field label="Adresse e-mail" name="email" kind="email" value=email required=true autocomplete="username"/>
                <Field label="Mot de passe" name="password" kind="password" required=true autocomplete="current-password"/>
                <button type="submit" class="button-primary">"Se connecter"</button>
            </form>
            <p class="hint">"Pas encore de compte ? Votre coordination CPTS vous envoie une invitation par e-mail."</p>
        </section>
    }
}

/// `/mot-de-passe/:token`.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let action = ServerAction::<SetPassword>::new();
    let value = action.value();
    view! {
        <section class="narrow card">
            <h1>"Choisir votre mot de passe"</h1>
            <p>"Au moins 10 caractères. Une phrase facile à retenir est une bonne idée."</p>
            <ActionOutcome value success="Mot de passe enregistré."/>
            {move || field_error(value, "token").get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
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
