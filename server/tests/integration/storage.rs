//! The storage layer itself: the two migration directories stay in step, and a row the code
//! cannot read is an error (a 500 and a log line), never a silent default.

use std::collections::BTreeSet;

use crate::common::*;
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

fn concerto(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_concerto"))
        .args(args)
        .output()
        .unwrap()
}

/// Demo data plus some activity: a series with invitations and an answer, e-mails queued.
async fn busy_sqlite_app() -> (TestApp, i64) {
    let app = TestApp::spawn(Options {
        demo: true,
        sqlite: true,
        ..Default::default()
    })
    .await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[("draft[title]", "Staff copié")]).await;
    invite_person(&app, &coordinator, id, GP).await;
    let gp = app.signed_in(GP).await;
    let (status, body) = gp
        .call(
            "meetings/respond",
            &[("id", &id.to_string()), ("response", "accepted")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (app, id)
}

#[tokio::test]
async fn copy_moves_every_row_from_sqlite_to_postgresql() {
    if !on_postgres() {
        eprintln!("runs in the PostgreSQL pass (CONCERTO_TEST_DATABASE_URL)");
        return;
    }
    let (source, id) = busy_sqlite_app().await;
    // Every table of the schema is in the copy's list.
    let tables: BTreeSet<String> = columns(source.db())
        .await
        .into_iter()
        .map(|(table, _)| table)
        .collect();
    let listed: BTreeSet<String> = concerto_server::ops::TABLES
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(tables, listed);
    let target_dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let target_url = test_database_url(&target_dir).await;
    let output = concerto(&["copy", "--from", &source.database_url, "--to", &target_url]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    let target = TestApp::spawn(Options {
        dir: Some(target_dir),
        ..Default::default()
    })
    .await;
    for table in concerto_server::ops::TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let rows = source.count(&sql).await;
        assert_eq!(target.count(&sql).await, rows, "{table}");
        assert!(
            printed.contains(&format!("{table}: {rows} rows")),
            "{printed}"
        );
    }
    // The same rows, not only as many: what people see is the same on both.
    let before = source.signed_in(COORDINATOR).await;
    let after = target.signed_in(COORDINATOR).await;
    let id_text = id.to_string();
    for (endpoint, params) in [
        ("meetings/list", vec![("kind", ""), ("period", "upcoming")]),
        ("meetings/get", vec![("id", id_text.as_str())]),
    ] {
        let (status_before, body_before) = before.query(endpoint, &params).await;
        let (status_after, body_after) = after.query(endpoint, &params).await;
        assert_eq!(status_before, StatusCode::OK);
        assert_eq!(status_after, StatusCode::OK);
        assert_eq!(body_before, body_after, "{endpoint}");
    }
    // New rows get new ids after the copied ones.
    let coordinator = target.signed_in(COORDINATOR).await;
    let new_id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    assert!(new_id > id);
    // A second copy into a database that is no longer empty is refused.
    let again = concerto(&["copy", "--from", &source.database_url, "--to", &target_url]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
}

#[tokio::test]
async fn a_sqlite_backup_restores_to_the_same_data() {
    let (app, id) = busy_sqlite_app().await;
    let restored_dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let file = restored_dir.path().join("concerto.db");
    let output = concerto(&[
        "backup",
        file.to_str().unwrap(),
        "--database-url",
        &app.database_url,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A second backup to the same file is refused (nothing is overwritten).
    let again = concerto(&[
        "backup",
        file.to_str().unwrap(),
        "--database-url",
        &app.database_url,
    ]);
    assert!(!again.status.success());
    // Restore: a server on the copy.
    let restored = TestApp::spawn(Options {
        dir: Some(restored_dir),
        sqlite: true,
        ..Default::default()
    })
    .await;
    for table in concerto_server::ops::TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(restored.count(&sql).await, app.count(&sql).await, "{table}");
    }
    let gp = restored.signed_in(GP).await;
    let (status, meeting) = gp.query("meetings/get", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{meeting}");
    assert_eq!(meeting["title"], "Staff copié");
}
