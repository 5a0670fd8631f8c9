//! The storage layer itself: the two migration directories stay in step, and a row the code
//! cannot read is an error (a 500 and a log line), never a silent default.

mod common;

use std::collections::BTreeSet;

use common::*;
use reqwest::StatusCode;

fn migration_names(kind: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(kind);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_databases_have_the_same_migration_files() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

/// (table, column) pairs of a migrated database.
async fn columns(db: &app::backend::db::Db) -> BTreeSet<(String, String)> {
    let rows: Vec<(String, String)> = match db {
        app::backend::db::Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        app::backend::db::Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    rows.into_iter().collect()
}

#[tokio::test]
async fn both_schemas_have_the_same_tables_and_columns() {
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = concerto_server::db::connect(&format!(
        "sqlite://{}/schema.db",
        sqlite_dir.path().display()
    ))
    .await
    .unwrap();
    let sqlite_columns = columns(&sqlite).await;
    assert!(sqlite_columns.contains(&("meetings".into(), "start_utc".into())));
    if !on_postgres() {
        eprintln!(
            "CONCERTO_TEST_DATABASE_URL not set: the PostgreSQL side runs in the PostgreSQL pass"
        );
        return;
    }
    let pg_dir = tempfile::tempdir().unwrap();
    let postgres = concerto_server::db::connect(&test_database_url(&pg_dir).await)
        .await
        .unwrap();
    assert_eq!(columns(&postgres).await, sqlite_columns);
}

#[tokio::test]
async fn an_unreadable_row_is_an_error_not_a_default() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    let page = coordinator.get(&format!("/reunions/{id}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let (status, _) = coordinator
        .query("meetings/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK);
    if on_postgres() {
        // PostgreSQL refuses to store an unknown kind at all (CHECK constraint).
        let refused = db_run!(app.db(), c => sqlx::query("UPDATE meetings SET kind = 'party' WHERE id = $1")
            .bind(id)
            .execute(&mut *c).await.map(|done| done.rows_affected()));
        assert!(
            refused.is_err(),
            "the CHECK constraint refuses an unknown kind"
        );
        return;
    }
    // SQLite stores what it is given: an unknown kind, then an unreadable instant.
    // (The list reads the kind but not the start instant.)
    for (sql, list_reads_it) in [
        ("UPDATE meetings SET kind = 'party' WHERE id = $1", true),
        (
            "UPDATE meetings SET kind = 'staff', start_utc = 'next tuesday' WHERE id = $1",
            false,
        ),
    ] {
        db_run!(app.db(), c => sqlx::query(sql).bind(id).execute(&mut *c).await.map(|done| done.rows_affected()))
            .unwrap();
        let (status, body) = coordinator
            .query("meetings/get", &[("id", &id.to_string())])
            .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{sql}: {body}");
        if list_reads_it {
            let (status, body) = coordinator
                .query("meetings/list", &[("kind", ""), ("period", "upcoming")])
                .await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{sql}: {body}");
        }
    }
}
