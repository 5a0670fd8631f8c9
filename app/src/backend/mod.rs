//! Server-only half of the app crate (feature `ssr`): shared state, the signed-in viewer, SQL and
//! security helpers. Server functions in `crate::api` call into here; the `concerto` binary builds
//! the state and the HTTP layers around it.

pub mod calendar;
pub mod db;
pub mod markdown;
pub mod notifications;
pub mod security;

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;
use tokio::sync::Notify;

use crate::domain::permissions::{may, Action};
use crate::domain::principal::{Membership, Viewer};
use crate::error::AppError;

/// Settings the request handlers need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Public base URL, without trailing slash (links in e-mails and calendar feeds).
    pub base_url: String,
    /// Set the `Secure` flag on cookies (behind https).
    pub secure_cookies: bool,
    /// When video rooms are open.
    pub room_hours: crate::domain::video::RoomHours,
    /// The STUN/TURN servers browsers use to reach the video rooms.
    pub ice: IceSettings,
}

/// STUN/TURN servers for the video rooms (none on a LAN or loopback).
#[derive(Clone, Debug, Default)]
pub struct IceSettings {
    /// A STUN server URL.
    pub stun_url: Option<String>,
    /// A TURN server URL.
    pub turn_url: Option<String>,
    /// The secret shared with the TURN server (coturn `static-auth-secret`).
    pub turn_secret: Option<String>,
}

impl IceSettings {
    /// The servers handed to `who`'s browser now, TURN credentials valid for `valid_for`.
    pub fn servers(
        &self,
        who: &str,
        now: chrono::DateTime<chrono::Utc>,
        valid_for: chrono::Duration,
    ) -> Vec<crate::domain::video::IceServer> {
        let mut servers = Vec::new();
        if let Some(url) = &self.stun_url {
            servers.push(crate::domain::video::IceServer {
                urls: vec![url.clone()],
                username: None,
                credential: None,
            });
        }
        if let (Some(url), Some(secret)) = (&self.turn_url, &self.turn_secret) {
            let (username, credential) =
                security::turn_credentials(secret, who, (now + valid_for).timestamp());
            servers.push(crate::domain::video::IceServer {
                urls: vec![url.clone()],
                username: Some(username),
                credential: Some(credential),
            });
        }
        servers
    }
}

/// The value of cookie `name` in request headers.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// Everything a request handler or server function may need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database (SQLite or PostgreSQL).
    pub db: db::Db,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Wakes the mail worker when the outbox gets a new row.
    pub mail_wakeup: Arc<Notify>,
    /// Leptos rendering options.
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from the Leptos context of the current request.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

/// The request's HTTP parts, from the Leptos context.
fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The signed-in person, or `Unauthenticated`.
pub fn viewer() -> Result<Viewer, AppError> {
    request_parts()
        .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in person's membership of `organisation_id`, checked for `action`.
/// Someone who is not a member gets `NotFound` (never reveal that another organisation's data
/// exists); a member without the right gets `Forbidden`.
pub fn member_of(
    organisation_id: crate::domain::ids::OrgId,
    action: Action,
) -> Result<(Viewer, Membership), AppError> {
    let viewer = viewer()?;
    let membership = viewer
        .memberships
        .iter()
        .find(|m| m.organisation_id == organisation_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if !may(membership.role, action) {
        return Err(AppError::Forbidden);
    }
    Ok((viewer, membership))
}

/// The signed-in person's current organisation, checked for `action`.
pub fn current_member(action: Action) -> Result<(Viewer, Membership), AppError> {
    let viewer = viewer()?;
    let current = viewer.current.clone().ok_or(AppError::Forbidden)?;
    member_of(current.organisation_id, action)
}

/// After a successful form post, sends the browser back to the page the form was on (its
/// Referer, when it is a path of this site; else `fallback`) with `?ok=code`, which that page
/// shows as a success message. Plain forms (no JavaScript, or outside islands) follow it as a
/// 302; forms in islands follow it as a page load. Callers that read the result (scripts,
/// tests) get it as usual.
pub fn redirect_back(code: &str, fallback: &str) {
    let back = request_parts()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::REFERER)
                .and_then(|value| value.to_str().ok())
                .and_then(security::same_site_path)
                .map(str::to_string)
        })
        .unwrap_or_else(|| fallback.to_string());
    leptos_axum::redirect(&crate::components::notices::with_success(&back, code));
}

/// Sets the HTTP status of the server-function response from an error, and passes it on.
pub fn fail<T>(error: AppError) -> Result<T, AppError> {
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            options.set_status(status);
        }
    }
    Err(error)
}

/// Runs a server-function body and maps its error to the right HTTP status.
pub async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    match body.await {
        Ok(value) => Ok(value),
        Err(error) => fail(error),
    }
}
