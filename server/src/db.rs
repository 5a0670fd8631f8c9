//! Opening the database: SQLite in WAL mode with foreign keys on, migrations applied.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqlitePool};

/// Opens (creating if missing) and migrates the database.
pub async fn connect(url: &str) -> anyhow::Result<SqlitePool> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
    }
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Let the worker thread hand over a whole list without waiting for the reader (fewer
        // thread wake-ups on long lists, e.g. calendar feeds).
        .row_buffer_size(1024)
        // Queries may carry health data in their parameters' neighbourhood: never log them.
        .log_statements(log::LevelFilter::Off);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // A local file does not drop connections: pinging the worker thread before every query
        // cost a round trip between threads per query (a tenth of the list page's CPU).
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    sqlx::migrate!("../migrations").run(&pool).await?;
    Ok(pool)
}
