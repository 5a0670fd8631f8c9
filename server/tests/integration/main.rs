//! The integration suite: one test binary (every module below shares the harness in `common`), so
//! the server and its dependencies are linked once rather than once per file. Each test starts the
//! real `Application` against a fresh database: SQLite by default, PostgreSQL when
//! `CONCERTO_TEST_DATABASE_URL` names a server (`scripts/test.sh` runs the suite both ways).

#[macro_use]
mod common;

mod accounts;
mod auth;
mod calendar;
mod calendar_model;
mod cases;
mod cli;
mod mail;
mod meeting_identifiers;
mod meetings;
mod navigation;
mod outbox;
mod processes;
mod staff;
mod storage;
mod territory;
mod video;
