//! Opening the database named by `--database-url`: SQLite (`sqlite://FILE`, WAL mode, foreign
//! keys on) or PostgreSQL (`postgres://…`); each has its own migration directory, kept in step
//! (same files, same tables and columns; checked by a test), applied at start-up.

use std::str::FromStr;
use std::time::Duration;

use app::backend::db::Db;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::ConnectOptions;

/// Opens (creating a SQLite file if missing) and migrates the database.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let db = open(url).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Opens the database without migrating it.
pub async fn open(url: &str) -> anyhow::Result<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let options = PgConnectOptions::from_str(url)?
            // Queries may carry health data in their parameters' neighbourhood: never log them.
            .log_statements(log::LevelFilter::Off);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        return Ok(Db::Postgres(pool));
    }
    if !url.starts_with("sqlite:") {
        anyhow::bail!(
            "unsupported database URL {url:?}: expected sqlite://FILE or postgres://USER@HOST/DATABASE"
        );
    }
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
        .log_statements(log::LevelFilter::Off);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // A local file does not drop connections: pinging the worker thread before every query
        // cost a round trip between threads per query (a tenth of the list page's CPU).
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    Ok(Db::Sqlite(pool))
}

/// Applies the migrations of the database's kind.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
        Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
    }
    Ok(())
}
