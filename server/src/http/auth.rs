//! Sign-in, sign-out and the switch of current organisation: plain HTML form posts answered by
//! redirects, so they work without JavaScript (and with curl and a cookie jar).

use std::net::SocketAddr;

use app::api::session::{Viewer, CSRF_COOKIE, SESSION_COOKIE};
use app::backend::db::sessions::{self, Attempt, Reservation};
use app::backend::db::users;
use app::backend::security::{dummy_hash, random_token, same_site_path, verify_password};
use app::backend::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::context::{cookie, csrf_cookie, set_cookie, SessionToken};

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn internal_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne.").into_response()
}

/// `POST /auth/login`: reserves the attempt (throttling per client address and per account,
/// see [`sessions::reserve`]) before checking the password; a success opens a session and
/// trusts the browser for the account (device cookie).
pub async fn login(
    State(state): State<AppState>,
    previous: Option<Extension<SessionToken>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let email = users::normalise_email(&form.email);
    let back = |query: &str| see_other(&format!("/login?{query}&email={}", encode(&email)));
    let client = peer
        .map(|Extension(ConnectInfo(address))| sessions::client_key(address.ip()))
        .unwrap_or_else(|| "unknown".to_string());
    // The middleware let this request through, so it carries the anti-forgery cookie.
    let browser = cookie(&headers, CSRF_COOKIE).unwrap_or_default();
    let device = cookie(&headers, sessions::DEVICE_COOKIE);
    let attempt = Attempt {
        email: &email,
        client: &client,
        browser: &browser,
        device: device.as_deref(),
    };
    match sessions::reserve(&state.db, &attempt).await {
        Ok(Reservation::Granted) => {}
        Ok(Reservation::Refused { minutes }) => {
            tracing::warn!(%client, minutes, "sign-in throttled");
            return back(&format!("error=throttled&minutes={minutes}"));
        }
        Err(error) => {
            tracing::error!(%error, "throttle check failed");
            return internal_error();
        }
    }
    let user = users::by_email(&state.db, &email).await.ok().flatten();
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = form.password;
    let verified = {
        let hash = hash.clone().unwrap_or_else(|| dummy_hash().to_string());
        tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false)
    };
    let Some(user) = user.filter(|_| verified && hash.is_some()) else {
        // The reservation stays: it is the failure.
        tracing::info!(%client, "sign-in failed");
        return back("error=invalid");
    };
    let device_token = match sessions::signed_in(&state.db, &attempt, user.id).await {
        Ok(token) => token,
        Err(error) => {
            tracing::error!(%error, "cannot record a successful sign-in");
            return internal_error();
        }
    };
    if let Some(Extension(SessionToken(old))) = previous {
        let _ = sessions::delete(&state.db, &old).await;
    }
    let first_org = users::default_organisation(&state.db, user.id)
        .await
        .ok()
        .flatten();
    let token = match sessions::create(&state.db, user.id, first_org).await {
        Ok(token) => token,
        Err(error) => {
            tracing::error!(%error, "cannot create session");
            return internal_error();
        }
    };
    let secure = state.settings.secure_cookies;
    let max_age = sessions::ABSOLUTE_TIMEOUT.num_seconds();
    let mut response = see_other("/agenda");
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, Some(max_age), "Lax", secure),
    );
    cookies.append(
        header::SET_COOKIE,
        set_cookie(
            sessions::DEVICE_COOKIE,
            &device_token,
            Some(sessions::DEVICE_LIFETIME.num_seconds()),
            "Strict",
            secure,
        ),
    );
    // A new anti-forgery token for the signed-in session: one seen before sign-in (by a page
    // or a script) no longer validates.
    cookies.append(header::SET_COOKIE, csrf_cookie(&random_token(), secure));
    response
}

/// `POST /auth/logout`: ends the session and rotates the anti-forgery token (the device cookie
/// stays: the browser remains trusted by the account).
pub async fn logout(
    State(state): State<AppState>,
    token: Option<Extension<SessionToken>>,
) -> Response {
    if let Some(Extension(SessionToken(token))) = token {
        let _ = sessions::delete(&state.db, &token).await;
    }
    let secure = state.settings.secure_cookies;
    let mut response = see_other("/login?info=signed_out");
    let cookies = response.headers_mut();
    cookies.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), "Lax", secure),
    );
    cookies.append(header::SET_COOKIE, csrf_cookie(&random_token(), secure));
    response
}

/// The organisation switch form.
#[derive(Deserialize)]
pub struct SwitchForm {
    organisation_id: app::domain::ids::OrgId,
}

/// `POST /auth/organisation`.
pub async fn switch_organisation(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    token: Option<Extension<SessionToken>>,
    headers: HeaderMap,
    Form(form): Form<SwitchForm>,
) -> Response {
    let (Some(Extension(viewer)), Some(Extension(SessionToken(token)))) = (viewer, token) else {
        return see_other("/login?error=expired");
    };
    if !viewer
        .memberships
        .iter()
        .any(|m| m.organisation_id == form.organisation_id)
    {
        return (StatusCode::NOT_FOUND, "Organisation introuvable.").into_response();
    }
    if let Err(error) = sessions::set_organisation(&state.db, &token, form.organisation_id).await {
        tracing::error!(%error, "cannot switch organisation");
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(same_site_path)
        .unwrap_or("/reunions");
    see_other(back)
}
