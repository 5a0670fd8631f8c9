//! `GET /invitation/{token}`: a guest opens the one-time link a professional sent them. The
//! first browser to open it gets a secret (cookie `concerto_guest`, of which only the hash is
//! stored) and goes to the guest page (`/invitation`); any other browser is refused, so a
//! forwarded or intercepted link cannot be used twice. The same browser may come back.

use app::api::video::GUEST_COOKIE;
use app::backend::db::meetings as meetings_store;
use app::backend::db::video::{self as store, GuestRow};
use app::backend::security::{random_token, token_hash};
use app::backend::AppState;
use app::domain::video::RoomState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::http::context::{cookie, set_cookie};

/// A link another browser opened first.
const ALREADY_OPENED: &str = "Ce lien d'invitation a déjà été ouvert sur un autre appareil. Demandez un nouveau lien au médecin qui vous l'a envoyé.";

/// A small French page for a link that cannot be used.
fn refusal(status: StatusCode, message: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Lien d'invitation</title></head><body><main><h1>Lien d'invitation</h1>\
         <p role=\"alert\">{message}</p></main></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// The guest link a browser holds (by the secret in its cookie), when still valid.
pub async fn held(state: &AppState, headers: &HeaderMap) -> Option<GuestRow> {
    let secret = cookie(headers, GUEST_COOKIE)?;
    store::guest_by_claim(&state.db, &token_hash(&secret))
        .await
        .ok()
        .flatten()
        .filter(|guest| guest.revoked_at.is_none())
}

/// `GET /invitation/{token}`.
pub async fn claim(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let unknown = || {
        refusal(
            StatusCode::NOT_FOUND,
            "Ce lien d'invitation n'est pas valable. Demandez un nouveau lien au médecin qui vous l'a envoyé.",
        )
    };
    let guest = match store::guest_by_token(&state.db, &token_hash(&token)).await {
        Ok(Some(guest)) => guest,
        Ok(None) => return unknown(),
        Err(error) => {
            tracing::error!(%error, "guest link lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if guest.revoked_at.is_some() {
        return refusal(
            StatusCode::GONE,
            "Ce lien d'invitation a été retiré. Demandez un nouveau lien au médecin qui vous l'a envoyé.",
        );
    }
    let meeting = match meetings_store::get(&state.db, guest.meeting_id).await {
        Ok(Some(meeting)) => meeting,
        Ok(None) => return unknown(),
        Err(error) => {
            tracing::error!(%error, "meeting lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let closes = match state.settings.room_hours.state(
        meeting.start_utc.0,
        meeting.duration_minutes,
        Utc::now(),
    ) {
        _ if meeting.cancelled => {
            return refusal(StatusCode::GONE, "Cette consultation est annulée.")
        }
        RoomState::Closed(_) => {
            return refusal(StatusCode::GONE, "Cette consultation est terminée.")
        }
        RoomState::NotYet(_) => state
            .settings
            .room_hours
            .closes(meeting.start_utc.0, meeting.duration_minutes),
        RoomState::Open(closes) => closes,
    };
    let to_page = |set: Option<String>| {
        let mut response =
            (StatusCode::SEE_OTHER, [(header::LOCATION, "/invitation")]).into_response();
        if let Some(secret) = set {
            let max_age = (closes - Utc::now()).num_seconds().max(60);
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    GUEST_COOKIE,
                    &secret,
                    Some(max_age),
                    "Lax",
                    state.settings.secure_cookies,
                ),
            );
        }
        response
    };
    if let Some(hash) = &guest.claim_hash {
        // Claimed: only by this browser, coming back.
        let mine =
            cookie(&headers, GUEST_COOKIE).is_some_and(|secret| token_hash(&secret) == *hash);
        return if mine {
            to_page(None)
        } else {
            refusal(StatusCode::GONE, ALREADY_OPENED)
        };
    }
    let secret = random_token();
    match store::claim_guest(&state.db, guest.id, &token_hash(&secret)).await {
        Ok(true) => to_page(Some(secret)),
        Ok(false) => refusal(StatusCode::GONE, ALREADY_OPENED),
        Err(error) => {
            tracing::error!(%error, "guest link claim failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
