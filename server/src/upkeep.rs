//! Background purge of what sign-in leaves behind: old sign-in attempts, ended sessions,
//! expired trusted devices (at start-up, then every hour). Nothing here changes what a request
//! sees: these rows no longer count anyway.

use std::time::Duration;

use app::backend::db::sessions;
use app::backend::AppState;
use chrono::Utc;

/// Time between two passes.
const EVERY: Duration = Duration::from_secs(3600);

/// Runs [`sessions::purge`] now and every hour.
pub async fn run(state: AppState) {
    loop {
        match sessions::purge(&state.db, Utc::now()).await {
            Ok(purged) if purged != sessions::Purged::default() => tracing::info!(
                attempts = purged.attempts,
                sessions = purged.sessions,
                devices = purged.devices,
                "sign-in records purged"
            ),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "sign-in purge failed"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
