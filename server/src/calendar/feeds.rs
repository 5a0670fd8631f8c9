//! HTTP endpoints: `/meetings/{id}/invite.ics`, `/me/calendar.ics`, `/calendar/{token}.ics`.

use app::api::session::Viewer;
use app::backend::db::{meetings as store, users};
use app::backend::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::build::{meeting_calendar, user_feed, Scope};
use super::ics::{render, Method};

fn calendar_response(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Élément introuvable.").into_response()
}

fn unauthenticated() -> Response {
    (StatusCode::UNAUTHORIZED, "Veuillez vous connecter.").into_response()
}

fn internal(error: sqlx::Error) -> Response {
    tracing::error!(%error, "calendar query failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne.").into_response()
}

/// `GET /meetings/{id}/invite.ics`: the meeting (or its whole series), for members of its
/// organisation.
pub async fn meeting_invite(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(id): Path<app::domain::ids::MeetingId>,
) -> Response {
    let Some(Extension(viewer)) = viewer else {
        return unauthenticated();
    };
    let meeting = match store::get(&state.db, id).await {
        Ok(Some(meeting)) => meeting,
        Ok(None) => return not_found(),
        Err(error) => return internal(error),
    };
    if !viewer
        .memberships
        .iter()
        .any(|m| m.organisation_id == meeting.organisation_id)
    {
        return not_found();
    }
    let scope = if meeting.series_id.is_some() {
        Scope::Series
    } else {
        Scope::Meeting
    };
    let method = if meeting.cancelled && scope == Scope::Meeting {
        Method::Cancel
    } else {
        Method::Request
    };
    match meeting_calendar(
        &state.db,
        &state.settings.base_url,
        &meeting,
        scope,
        method,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(calendar) => calendar_response(render(&calendar), &format!("reunion-{id}.ics")),
        Err(error) => internal(error),
    }
}

/// `GET /me/calendar.ics`: the signed-in person's meetings.
pub async fn my_calendar(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
) -> Response {
    let Some(Extension(viewer)) = viewer else {
        return unauthenticated();
    };
    match user_feed(&state.db, &state.settings.base_url, viewer.user_id).await {
        Ok(calendar) => calendar_response(timed_render(&calendar), "concerto.ics"),
        Err(error) => internal(error),
    }
}

/// Renders a feed, logging the time taken at debug level.
fn timed_render(calendar: &super::ics::Calendar) -> String {
    let started = std::time::Instant::now();
    let text = render(calendar);
    tracing::debug!(
        bytes = text.len(),
        render_ms = started.elapsed().as_secs_f64() * 1000.0,
        "feed rendered"
    );
    text
}

/// `GET /calendar/{token}.ics`: the same feed for calendar apps, by private revocable token.
pub async fn token_calendar(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    if token.len() < 20 {
        return not_found();
    }
    let user = match users::by_calendar_token(&state.db, token).await {
        Ok(Some(user)) => user,
        Ok(None) => return not_found(),
        Err(error) => return internal(error),
    };
    match user_feed(&state.db, &state.settings.base_url, user.id).await {
        Ok(calendar) => calendar_response(timed_render(&calendar), "concerto.ics"),
        Err(error) => internal(error),
    }
}
