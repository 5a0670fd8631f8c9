//! `GET /meetings/{id}/live`: server-sent events for the pages following a staff or RCP session
//! (`/reunions/{id}/seance`). Each stream reads the meeting's `session_revision` from the
//! database every [`POLL`] and sends the live state (current item, count present, quorum) when it
//! changed, so a change made through any server process reaches every watcher within a second.
//! A stream ends after [`MAX_STREAM`] (the browser's `EventSource` reconnects, and permissions
//! are checked again) or when the server shuts down.

use std::time::Duration;

use app::api::session::Viewer;
use app::api::staff::{live_state, may_watch};
use app::backend::db::meetings::{self as meetings_store, MeetingRow};
use app::backend::db::staff as store;
use app::backend::AppState;
use app::domain::ids::MeetingId;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::stream;
use tokio::sync::watch;

/// How often a stream looks for a change.
pub const POLL: Duration = Duration::from_millis(250);
/// How long one stream lasts.
pub const MAX_STREAM: Duration = Duration::from_secs(300);

/// Tells live streams the server is stopping (graceful shutdown waits for open responses).
#[derive(Clone)]
pub struct LiveStop(pub watch::Receiver<bool>);

/// The meeting `id` and the signed-in viewer, when they may follow its session (and so join its
/// room): otherwise the response to send (401 signed out, 404 unknown or not theirs to follow).
pub async fn followed_meeting(
    state: &AppState,
    viewer: Option<Extension<Viewer>>,
    id: MeetingId,
) -> Result<(MeetingRow, Viewer), Response> {
    let Some(Extension(viewer)) = viewer else {
        return Err((StatusCode::UNAUTHORIZED, "Veuillez vous connecter.").into_response());
    };
    let not_found = || (StatusCode::NOT_FOUND, "Élément introuvable.").into_response();
    let meeting = match meetings_store::get(&state.db, id).await {
        Ok(Some(meeting)) => meeting,
        Ok(None) => return Err(not_found()),
        Err(error) => {
            tracing::error!(%error, "meeting query failed");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    let Some(membership) = viewer
        .memberships
        .iter()
        .find(|m| m.organisation_id == meeting.organisation_id)
        .cloned()
    else {
        return Err(not_found());
    };
    match may_watch(&state.db, &meeting, &viewer, &membership).await {
        Ok(true) => Ok((meeting, viewer)),
        Ok(false) => Err(not_found()),
        Err(error) => {
            tracing::error!(?error, "permission check failed");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// `GET /meetings/{id}/live`.
pub async fn live(
    State(state): State<AppState>,
    Extension(stop): Extension<LiveStop>,
    viewer: Option<Extension<Viewer>>,
    Path(id): Path<MeetingId>,
) -> Response {
    let meeting = match followed_meeting(&state, viewer, id).await {
        Ok((meeting, _)) => meeting,
        Err(refusal) => return refusal,
    };
    let started = tokio::time::Instant::now();
    let events = stream::unfold(
        (state, meeting, None::<i64>, stop.0),
        move |(state, meeting, last, mut stop)| async move {
            loop {
                if *stop.borrow() || started.elapsed() > MAX_STREAM {
                    return None;
                }
                let revision = match store::state(&state.db, meeting.id).await {
                    Ok(Some(session)) => session.session_revision,
                    _ => return None,
                };
                if last != Some(revision) {
                    let live = live_state(&state.db, &meeting).await.ok()?;
                    let data = serde_json::to_string(&live).ok()?;
                    let event = Event::default().data(data);
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (state, meeting, Some(live.revision), stop),
                    ));
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = stop.changed() => {}
                }
            }
        },
    );
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
