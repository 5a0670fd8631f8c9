//! All SQL lives here, and the same query text runs on SQLite and on PostgreSQL.
//!
//! Shape: [`Db`] is an enum of the two pools and [`Tx`] of their transactions; a store function
//! takes `impl Into<Exec>` (the pool or an open transaction) and writes its body once inside
//! [`on_db!`], which expands it for each backend's concrete connection type. Queries use `$n`
//! placeholders, `RETURNING` and `ON CONFLICT`, which both databases read the same way. Values
//! that the two store differently have a type here that encodes both ways ([`types`]): instants
//! are `TIMESTAMPTZ` on PostgreSQL and fixed-width UTC text on SQLite (so that text order is time
//! order); kinds and modes are enums that refuse unknown codes when a row is read.

pub mod cases;
pub mod meetings;
pub mod outbox;
pub mod sessions;
pub mod staff;
pub mod territory;
pub mod types;
pub mod users;
pub mod video;

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub use types::{Instant, WallClock};

/// The database: SQLite (one file, the default) or PostgreSQL (several processes).
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite pool.
    Sqlite(SqlitePool),
    /// PostgreSQL pool.
    Postgres(PgPool),
}

/// An open transaction on either database.
pub enum Tx {
    /// SQLite.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL.
    Postgres(Transaction<'static, Postgres>),
}

/// Where a store function runs: on the pool (one connection for the call) or in a transaction.
pub enum Exec<'a> {
    /// The pool.
    Db(&'a Db),
    /// An open transaction.
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Exec::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Exec::Tx(tx)
    }
}

/// One connection for the length of a store call: borrowed from a transaction or held from the
/// pool (returned when dropped).
pub enum Conn<'a> {
    /// SQLite, from the pool.
    SqlitePooled(PoolConnection<Sqlite>),
    /// PostgreSQL, from the pool.
    PostgresPooled(PoolConnection<Postgres>),
    /// SQLite, in a transaction.
    Sqlite(&'a mut SqliteConnection),
    /// PostgreSQL, in a transaction.
    Postgres(&'a mut PgConnection),
}

impl<'a> Exec<'a> {
    /// The pool or the transaction as an `Exec`.
    pub fn of(exec: impl Into<Exec<'a>>) -> Exec<'a> {
        exec.into()
    }

    /// A shorter-lived copy, to run several store calls on the same `Exec`.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::Db(db) => Exec::Db(db),
            Exec::Tx(tx) => Exec::Tx(tx),
        }
    }

    /// A connection for this call.
    pub async fn conn(self) -> sqlx::Result<Conn<'a>> {
        Ok(match self {
            Exec::Db(Db::Sqlite(pool)) => Conn::SqlitePooled(pool.acquire().await?),
            Exec::Db(Db::Postgres(pool)) => Conn::PostgresPooled(pool.acquire().await?),
            Exec::Tx(Tx::Sqlite(tx)) => Conn::Sqlite(tx),
            Exec::Tx(Tx::Postgres(tx)) => Conn::Postgres(tx),
        })
    }
}

/// Runs a body written once against the concrete connection of either database:
/// `on_db!(db, c => sqlx::query("…").bind(x).execute(&mut *c).await.map(|done| done.rows_affected()))`. `c` is a
/// `&mut SqliteConnection` in one expansion and a `&mut PgConnection` in the other, so the body
/// is type-checked for both.
#[macro_export]
macro_rules! on_db {
    ($exec:expr, $c:ident => $body:expr) => {{
        let mut __conn = $crate::backend::db::Exec::of($exec).conn().await?;
        match &mut __conn {
            $crate::backend::db::Conn::SqlitePooled(__held) => {
                let $c: &mut sqlx::SqliteConnection = &mut **__held;
                $body
            }
            $crate::backend::db::Conn::PostgresPooled(__held) => {
                let $c: &mut sqlx::PgConnection = &mut **__held;
                $body
            }
            $crate::backend::db::Conn::Sqlite(__borrowed) => {
                let $c: &mut sqlx::SqliteConnection = &mut **__borrowed;
                $body
            }
            $crate::backend::db::Conn::Postgres(__borrowed) => {
                let $c: &mut sqlx::PgConnection = &mut **__borrowed;
                $body
            }
        }
    }};
}
pub use on_db;

/// The little SQL that differs between the two databases, chosen by connection type inside
/// [`on_db!`] bodies.
pub trait Dialect {
    /// Row locking for "claim some rows" subqueries: `FOR UPDATE SKIP LOCKED` on PostgreSQL,
    /// nothing on SQLite (one writer at a time).
    const SKIP_LOCKED: &'static str;
}

impl Dialect for SqliteConnection {
    const SKIP_LOCKED: &'static str = "";
}

impl Dialect for PgConnection {
    const SKIP_LOCKED: &'static str = "FOR UPDATE SKIP LOCKED";
}

/// [`Dialect::SKIP_LOCKED`] of a connection.
pub fn skip_locked<C: Dialect>(_: &C) -> &'static str {
    C::SKIP_LOCKED
}

impl Db {
    /// Which database this is, for logs and messages.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "SQLite",
            Db::Postgres(_) => "PostgreSQL",
        }
    }

    /// Starts a transaction (every transaction here writes). SQLite: `BEGIN IMMEDIATE`, so it
    /// waits its turn for the single writer (busy timeout) from the start; a deferred one that
    /// reads first and then writes fails at once with "database is locked" if another
    /// connection (e.g. the mail worker claiming a row) committed in between.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that holds the write lock from its start, for a read followed by writes
    /// that depend on it (e.g. "is this the last coordinator?"). SQLite: `BEGIN IMMEDIATE` (the
    /// database's single writer). PostgreSQL: a transaction-scoped advisory lock that every such
    /// transaction takes, so they run one at a time across every process.
    pub async fn begin_write(&self) -> sqlx::Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        on_db!(self, c => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&mut *c).await)?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// The advisory lock key of [`Db::begin_write`] ("CONCERTO" in ASCII).
const WRITE_LOCK: i64 = 0x434F_4E43_4552_544F;

impl Tx {
    /// Commits.
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}
