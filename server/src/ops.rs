//! Operations on a whole database: `concerto backup FILE` (SQLite online backup) and
//! `concerto copy --from sqlite://… --to postgres://…` (a CPTS that outgrew SQLite moves to
//! PostgreSQL with every row).

use app::backend::db::{Db, Instant, WallClock};
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, Row};

/// Every table, parents before children (the order rows can be inserted in).
pub const TABLES: &[&str] = &[
    "organisations",
    "users",
    "memberships",
    "sessions",
    "password_tokens",
    "series",
    "meetings",
    "invitations",
    "outbox",
    "sign_in_attempts",
    "trusted_devices",
    "cases",
    "case_messages",
    "advice",
    "audit_log",
    "agenda_items",
    "attendance",
    "preparation_notes",
    "quorum_rules",
    "territory_words",
    "room_presence",
    "room_guests",
];

/// Writes a consistent copy of a SQLite database to `file` while the server keeps running
/// (`VACUUM INTO`: one read transaction, the copy is compact and complete). Restore: stop the
/// server and put the file in place of the database (or point `--database-url` at it).
pub async fn backup(db: &Db, file: &std::path::Path) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(pool) => {
            if file.exists() {
                anyhow::bail!("{} exists already: choose a new file", file.display());
            }
            let target = file
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("the backup path must be UTF-8"))?;
            sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(pool)
                .await?;
            Ok(())
        }
        Db::Postgres(_) => anyhow::bail!(
            "on PostgreSQL, back up with the server's own tools: \
             pg_dump --format=custom --file=FILE DATABASE_URL (restore with pg_restore)"
        ),
    }
}

/// How a column is read from SQLite and written to PostgreSQL, from its PostgreSQL type.
#[derive(Clone, Copy, Debug)]
enum Column {
    Integer,
    Boolean,
    Instant,
    WallClock,
    Text,
}

fn column_kind(data_type: &str) -> anyhow::Result<Column> {
    Ok(match data_type {
        "bigint" | "integer" | "smallint" => Column::Integer,
        "boolean" => Column::Boolean,
        "timestamp with time zone" => Column::Instant,
        "timestamp without time zone" => Column::WallClock,
        "text" | "character varying" => Column::Text,
        other => anyhow::bail!("column type {other} is not handled by `concerto copy`"),
    })
}

/// Rows copied per table.
pub type CopyReport = Vec<(&'static str, u64)>;

/// Copies every row of a SQLite database into an empty, migrated PostgreSQL database, in one
/// PostgreSQL transaction (all or nothing), keeping ids; identity sequences continue after the
/// largest id. Both databases are migrated first, so their schemas are the same.
pub async fn copy(from: &Db, to: &Db) -> anyhow::Result<CopyReport> {
    let (Db::Sqlite(source), Db::Postgres(target)) = (from, to) else {
        anyhow::bail!("`concerto copy` moves a SQLite database (--from sqlite://…) to PostgreSQL (--to postgres://…)");
    };
    for table in TABLES {
        let (rows,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(target)
            .await?;
        if rows > 0 {
            anyhow::bail!(
                "the PostgreSQL database is not empty ({table} has {rows} rows): copy into a new database"
            );
        }
    }
    let mut tx = target.begin().await?;
    let mut report = Vec::new();
    for &table in TABLES {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut *tx)
        .await?;
        let kinds = columns
            .iter()
            .map(|(_, data_type)| column_kind(data_type))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
        let select = format!("SELECT {} FROM {table}", names.join(", "));
        let insert = format!(
            "INSERT INTO {table} ({}) OVERRIDING SYSTEM VALUE VALUES ({})",
            names.join(", "),
            (1..=names.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = sqlx::query(&select).fetch_all(source).await?;
        for row in &rows {
            let mut arguments = PgArguments::default();
            for (index, kind) in kinds.iter().enumerate() {
                let added = match kind {
                    Column::Integer => arguments.add(row.try_get::<Option<i64>, _>(index)?),
                    Column::Boolean => arguments.add(row.try_get::<Option<bool>, _>(index)?),
                    Column::Instant => arguments.add(row.try_get::<Option<Instant>, _>(index)?),
                    Column::WallClock => arguments.add(row.try_get::<Option<WallClock>, _>(index)?),
                    Column::Text => arguments.add(row.try_get::<Option<String>, _>(index)?),
                };
                added.map_err(|error| anyhow::anyhow!("{table}.{}: {error}", names[index]))?;
            }
            sqlx::query_with(&insert, arguments)
                .execute(&mut *tx)
                .await?;
        }
        if names.first() == Some(&"id") {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            ))
            .execute(&mut *tx)
            .await?;
        }
        report.push((table, rows.len() as u64));
    }
    tx.commit().await?;
    Ok(report)
}
