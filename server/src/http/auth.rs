//! Sign-in, sign-out and the switch of current organisation: plain HTML form posts answered by
//! redirects, so they work without JavaScript (and with curl and a cookie jar).

use app::api::session::{Viewer, SESSION_COOKIE};
use app::backend::db::{sessions, users};
use app::backend::security::{dummy_hash, verify_password};
use app::backend::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::context::{set_cookie, SessionToken};

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

/// `POST /auth/login`.
pub async fn login(
    State(state): State<AppState>,
    previous: Option<Extension<SessionToken>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let email = users::normalise_email(&form.email);
    let back = |error: &str| see_other(&format!("/login?error={error}&email={}", encode(&email)));
    match sessions::is_throttled(&state.pool, &email).await {
        Ok(true) => {
            tracing::warn!("sign-in throttled");
            return back("throttled");
        }
        Ok(false) => {}
        Err(error) => {
            tracing::error!(%error, "throttle check failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne.").into_response();
        }
    }
    let user = users::by_email(&state.pool, &email).await.ok().flatten();
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = form.password;
    let verified = {
        let hash = hash.clone().unwrap_or_else(|| dummy_hash().to_string());
        tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false)
    };
    let Some(user) = user.filter(|_| verified && hash.is_some()) else {
        let _ = sessions::record_failure(&state.pool, &email).await;
        return back("invalid");
    };
    let _ = sessions::clear_failures(&state.pool, &email).await;
    if let Some(Extension(SessionToken(old))) = previous {
        let _ = sessions::delete(&state.pool, &old).await;
    }
    let first_org = users::default_organisation(&state.pool, user.id)
        .await
        .ok()
        .flatten();
    let token = match sessions::create(&state.pool, user.id, first_org).await {
        Ok(token) => token,
        Err(error) => {
            tracing::error!(%error, "cannot create session");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne.").into_response();
        }
    };
    let max_age = sessions::ABSOLUTE_TIMEOUT.num_seconds();
    let mut response = see_other("/agenda");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            Some(max_age),
            "Lax",
            state.settings.secure_cookies,
        ),
    );
    response
}

/// `POST /auth/logout`.
pub async fn logout(
    State(state): State<AppState>,
    token: Option<Extension<SessionToken>>,
) -> Response {
    if let Some(Extension(SessionToken(token))) = token {
        let _ = sessions::delete(&state.pool, &token).await;
    }
    let mut response = see_other("/login?info=signed_out");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            "",
            Some(0),
            "Lax",
            state.settings.secure_cookies,
        ),
    );
    response
}

/// The organisation switch form.
#[derive(Deserialize)]
pub struct SwitchForm {
    organisation_id: i64,
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
    if let Err(error) = sessions::set_organisation(&state.pool, &token, form.organisation_id).await
    {
        tracing::error!(%error, "cannot switch organisation");
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.find("://")
                .and_then(|i| v[i + 3..].find('/').map(|j| v[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/reunions".to_string());
    see_other(&back)
}
