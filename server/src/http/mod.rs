//! HTTP concerns that are not server functions: the per-request context (session, CSRF,
//! security headers), sign-in/out, health.

pub mod auth;
pub mod context;

use app::backend::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
