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
use crate::components::notices::PageNotices;
use crate::pages::*;

/// Id of the script element carrying the [`SessionView`] to the browser.
pub const SESSION_ELEMENT_ID: &str = "concerto-session";

/// The request's session and CSP nonce, put in the request's extensions by the server's
/// middleware.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Whether the page being rendered has islands (interactive parts): only then does it load the
/// browser code (wasm and its JavaScript glue). Pages with an island say so with
/// [`has_islands`] before rendering it.
#[derive(Clone, Debug, Default)]
pub struct IslandsOnPage(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl IslandsOnPage {
    fn has_any(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Called by a page (on the server) that renders an island, so that the page loads the browser
/// code.
pub fn has_islands() {
    if let Some(flag) = use_context::<IslandsOnPage>() {
        flag.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

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
    // What islands read as the session (see `use_session`), written only on pages with islands.
    let session_json = {
        let session = session.clone();
        move || {
            serde_json::to_string(&session)
                .unwrap_or_default()
                .replace('<', "\\u003c")
        }
    };
    provide_context(session);
    let islands = IslandsOnPage::default();
    provide_context(islands.clone());
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" href="/pkg/concerto.css"/>
                <link rel="icon" href="data:,"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                // Only a page that has islands loads the browser code: rendered last, once the
                // page's components have said whether they have any.
                {move || islands.has_any().then(|| view! {
                    <script type="application/json" id=SESSION_ELEMENT_ID inner_html=session_json()></script>
                    <HydrationScripts options=options.clone() islands=true/>
                })}
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
                <PageNotices/>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/mot-de-passe/:token") view=SetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/mot-de-passe-oublie") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions") view=MeetingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/nouvelle") view=NewMeetingPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id") view=MeetingPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id/modifier") view=EditMeetingPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id/ordre-du-jour") view=MeetingAgendaPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id/seance") view=SessionPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id/salle") view=RoomPage ssr=SsrMode::Async/>
                    <Route path=path!("/invitation") view=GuestRoomPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id/emargement") view=SignInSheetPage ssr=SsrMode::Async/>
                    <Route path=path!("/reunions/:id/fiche-rcp") view=RcpRecordsPage ssr=SsrMode::Async/>
                    <Route path=path!("/agenda") view=AgendaPage ssr=SsrMode::Async/>
                    <Route path=path!("/cas") view=CasesPage ssr=SsrMode::Async/>
                    <Route path=path!("/cas/nouveau") view=NewCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/cas/:id") view=CasePage ssr=SsrMode::Async/>
                    <Route path=path!("/cas/:id/modifier") view=EditCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/journal") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/territoire") view=TerritoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/profil") view=ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/membres") view=MembersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/verifier") view=CheckTextPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Browser entry point: hydrates the islands of the page (the rest is server-rendered HTML).
/// Islands load lazily (each from its own chunk); each one reports when it is live
/// ([`island_hydrated`]).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

/// Called by every island once it is hydrated: when all the islands of the page are, sets
/// `window.__concertoHydrated`, which lets browser tests wait for interactivity instead of
/// sleeping. Does nothing on the server.
pub fn island_hydrated() {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        thread_local! {
            static HYDRATED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        let done = HYDRATED.with(|count| {
            count.set(count.get() + 1);
            count.get()
        });
        let Some(window) = web_sys::window() else {
            return;
        };
        let total = window
            .document()
            .and_then(|d| d.query_selector_all("leptos-island").ok())
            .map_or(0, |islands| islands.length());
        if done >= total {
            let _ = js_sys::Reflect::set(&window, &"__concertoHydrated".into(), &true.into());
        }
    });
}
