//! Background upkeep of meetings: series without end are materialised
//! [`OPEN_SERIES_HORIZON_DAYS`] ahead when created; this task keeps them that far ahead as time
//! passes (at start-up, then every few hours), so that lists, agendas, reminders and feeds never
//! run out of occurrences.

use std::time::Duration;

use app::backend::db::meetings::{self as store, OPEN_SERIES_HORIZON_DAYS};
use app::backend::AppState;
use chrono::Utc;

/// Time between two passes.
const EVERY: Duration = Duration::from_secs(6 * 3600);

/// Extends every open series up to `horizon` (an instant, compared in each series' own time
/// zone); returns how many occurrences were added.
pub async fn extend_open_series(
    db: &app::backend::db::Db,
    horizon: chrono::DateTime<Utc>,
) -> sqlx::Result<usize> {
    let mut added = 0;
    for series in store::open_series(db).await? {
        let local_horizon = horizon.with_timezone(&series.tz()).naive_local();
        // The write lock first (SQLite: BEGIN IMMEDIATE; PostgreSQL: the advisory lock), so that
        // two processes extending the same series one after the other: the second finds the
        // occurrences the first added and adds none.
        let mut tx = db.begin_write().await?;
        let count = store::extend_series(&mut tx, &series, local_horizon).await?;
        tx.commit().await?;
        if count > 0 {
            tracing::info!(series = series.id.0, count, "open series extended");
        }
        added += count;
    }
    Ok(added)
}

/// Runs [`extend_open_series`] now and every few hours.
pub async fn run(state: AppState) {
    loop {
        let horizon = Utc::now() + chrono::Duration::days(OPEN_SERIES_HORIZON_DAYS);
        if let Err(error) = extend_open_series(&state.db, horizon).await {
            tracing::error!(%error, "series upkeep failed");
        }
        tokio::time::sleep(EVERY).await;
    }
}
