//! Concerto's Leptos application: the shell, the router and the pages, compiled for the server
//! (`ssr`) and for the browser (`hydrate`). Pure rules live in [`domain`], server functions in
//! [`api`], server-only code in `backend`.

#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::api::session::SessionView;
use crate::components::nav::Nav;
use crate::pages::*;

/// Id of the script element carrying the [`SessionView`] to the browser.
pub const SESSION_ELEMENT_ID: &str = "concerto-session";

/// The request's session and CSP nonce, put in the request's extensions by the server's
/// middleware.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let session = {
        let parts = use_context::<http::request::Parts>();
        if let Some(nonce) = parts.as_ref().and_then(|p| p.extensions.get::<CspNonce>()) {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0.clone()));
        }
        parts
            .and_then(|p| p.extensions.get::<SessionView>().cloned())
            .unwrap_or_default()
    };
    #[cfg(not(feature = "ssr"))]
    let session = SessionView::default();
    let session_json = serde_json::to_string(&session)
        .unwrap_or_default()
        .replace('<', "\\u003c");
    provide_context(session);
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" href="/pkg/concerto.css"/>
                <link rel="icon" href="data:,"/>
                <script type="application/json" id=SESSION_ELEMENT_ID inner_html=session_json></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Concerto"/>
        <Router>
            <Nav/>
            <main id="contenu" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/mot-de-passe/:token") view=SetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/mot-de-passe-oublie") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions") view=MeetingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/nouvelle") view=NewMeetingPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id") view=MeetingPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id/modifier") view=EditMeetingPage ssr=SsrMode::Async/>
                    <Route path=path!("/agenda") view=AgendaPage ssr=SsrMode::Async/>
                    <Route path=path!("/profil") view=ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/membres") view=MembersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/verifier") view=CheckTextPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Browser entry point: reads the session the server rendered, then hydrates.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let session: SessionView = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(SESSION_ELEMENT_ID))
        .and_then(|e| e.text_content())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    leptos::mount::hydrate_body(move || {
        provide_context(session);
        view! { <App/> }
    });
    // Lets browser tests wait for interactivity instead of sleeping.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__concertoHydrated".into(), &true.into());
    }
}
