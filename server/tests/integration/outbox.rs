//! The outbox: a change and its e-mails are one transaction; a message's calendar is what was
//! true when it was queued (DTSTAMP included); reminders carry no calendar; two delivery
//! workers never send the same message; failures are retried with back-off and shown to the
//! coordinator.

use crate::common::smtp::calendar_part;
use crate::common::*;
use chrono::{NaiveDateTime, Utc};
use reqwest::StatusCode;

async fn outbox_calendars(
    app: &TestApp,
    subject_prefix: &str,
) -> Vec<(String, String, app::backend::db::Instant)> {
    db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT ics_method, ics_text, created_at FROM outbox
         WHERE subject LIKE $1 || '%' AND ics_text IS NOT NULL ORDER BY id",
    )
    .bind(subject_prefix)
    .fetch_all(&mut *c).await)
    .unwrap()
}

#[tokio::test]
async fn a_queued_invitation_keeps_the_calendar_of_its_time() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    invite_person(&app, &coordinator, id, GP).await;
    let (status, body) = coordinator
        .call(
            "meetings/cancel",
            &[("id", &id.to_string()), ("scope", "occurrence")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Delivered or not yet, the invitation is a REQUEST of a confirmed meeting.
    let invitations = outbox_calendars(&app, "Invitation").await;
    assert_eq!(invitations.len(), 1);
    let (method, ics, created_at) = &invitations[0];
    assert_eq!(method, "REQUEST");
    let calendars = parse_ics(ics);
    let event = &calendars[0].events[0];
    assert_eq!(prop(&event.properties, "STATUS"), Some("CONFIRMED"));
    // DTSTAMP is the moment the message was created.
    let dtstamp = NaiveDateTime::parse_from_str(
        prop(&event.properties, "DTSTAMP").unwrap(),
        "%Y%m%dT%H%M%SZ",
    )
    .unwrap()
    .and_utc();
    let created = created_at.0;
    assert!(
        (created - dtstamp).num_seconds().abs() <= 1,
        "DTSTAMP {dtstamp} vs queued at {created}"
    );
    let cancellations = outbox_calendars(&app, "Réunion annulée").await;
    assert_eq!(cancellations.len(), 1);
    assert_eq!(cancellations[0].0, "CANCEL");
}

#[tokio::test]
async fn a_change_whose_e_mails_cannot_be_queued_is_not_made() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    invite_person(&app, &coordinator, id, GP).await;
    // The outbox refuses every new row from now on (as a full disk or a crash would).
    let refuse: &[&str] = if on_postgres() {
        &[
            "CREATE FUNCTION outbox_refuses() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$",
            "CREATE TRIGGER outbox_refuses BEFORE INSERT ON outbox
             FOR EACH ROW EXECUTE FUNCTION outbox_refuses()",
        ]
    } else {
        &["CREATE TRIGGER outbox_refuses BEFORE INSERT ON outbox
           BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END"]
    };
    for sql in refuse {
        db_run!(&app.state.db, c => sqlx::query(sql).execute(&mut *c).await.map(|_| ())).unwrap();
    }
    let (status, _) = coordinator
        .call(
            "meetings/cancel",
            &[("id", &id.to_string()), ("scope", "occurrence")],
        )
        .await;
    assert!(status.is_server_error(), "{status}");
    let cancelled = app
        .count(&format!(
            "SELECT COUNT(*) FROM meetings WHERE id = {id} AND cancelled = TRUE"
        ))
        .await;
    assert_eq!(cancelled, 0, "no cancellation without its e-mails");
}

#[tokio::test]
async fn reminders_carry_no_calendar_request() {
    let app = TestApp::spawn(Options {
        demo: true,
        smtp: true,
        ..Default::default()
    })
    .await;
    let sink = app.smtp.clone().unwrap();
    let coordinator = app.signed_in(COORDINATOR).await;
    let start = Utc::now().with_timezone(&chrono_tz::Europe::Paris) + chrono::Duration::hours(3);
    let date = start.format("%Y-%m-%d").to_string();
    let start_time = start.format("%H:00").to_string();
    let end_time = (start + chrono::Duration::hours(1))
        .format("%H:00")
        .to_string();
    let deadline = (start - chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:00")
        .to_string();
    // Past 23:00 the slot would cross midnight: the test then uses tomorrow's 10:00.
    let (date, start_time, end_time, deadline) = if start_time.as_str() >= "23:00" {
        let tomorrow = (start + chrono::Duration::hours(12))
            .format("%Y-%m-%d")
            .to_string();
        let deadline = format!("{}T08:00", tomorrow);
        (tomorrow, "10:00".to_string(), "11:00".to_string(), deadline)
    } else {
        (date, start_time, end_time, deadline)
    };
    let id = create_meeting(
        &coordinator,
        &[
            ("draft[repeat]", "none"),
            ("draft[date]", &date),
            ("draft[start_time]", &start_time),
            ("draft[end_time]", &end_time),
            ("draft[deadline]", &deadline),
        ],
    )
    .await;
    invite_person(&app, &coordinator, id, GP).await;
    assert!(
        wait_for(15, || async { !sink.matching(GP, "Rappel").is_empty() }).await,
        "reminder delivered"
    );
    let reminder = &sink.matching(GP, "Rappel")[0];
    assert!(
        calendar_part(&reminder.data).is_none(),
        "a reminder is plain text with a link:\n{}",
        reminder.data
    );
    let invitation = &sink.matching(GP, "Invitation")[0];
    let (method, _) = calendar_part(&invitation.data).unwrap();
    assert_eq!(method, "REQUEST");
    assert!(
        invitation
            .data
            .to_ascii_lowercase()
            .contains("content-type: text/calendar; charset=utf-8; method=request"),
        "{}",
        invitation.data
    );
}

#[tokio::test]
async fn two_workers_never_send_the_same_message() {
    let app = TestApp::demo().await;
    // Sixty messages queued at once, written directly (no wake-up for the application's worker,
    // which still polls every few seconds and may take part).
    let mut tx = app.state.db.begin().await.unwrap();
    for n in 0..60 {
        app::backend::db::outbox::enqueue(
            &mut tx,
            &app::backend::db::outbox::NewMail {
                recipient: GP.to_string(),
                subject: format!("Message {n}"),
                body_text: "Bonjour".to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let queued = app.count("SELECT COUNT(*) FROM outbox").await;
    // The application's own worker and two more, each writing to its own folder.
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let mailers: Vec<_> = dirs
        .iter()
        .map(|dir| {
            concerto_server::mail::Mailer::new(
                None,
                dir.path().to_path_buf(),
                "Concerto <c@localhost>",
            )
            .unwrap()
        })
        .collect();
    let (a, b) = tokio::join!(
        concerto_server::mail::deliver_pending(&app.state, &mailers[0]),
        concerto_server::mail::deliver_pending(&app.state, &mailers[1]),
    );
    assert!(
        wait_for(10, || async {
            app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                .await
                == 0
        })
        .await
    );
    let files = |path: &std::path::Path| std::fs::read_dir(path).map(|d| d.count()).unwrap_or(0);
    let own = files(&app.dir.path().join("outbox"));
    assert_eq!(a + b, files(dirs[0].path()) + files(dirs[1].path()));
    assert_eq!(
        (own + a + b) as i64,
        queued,
        "each of the {queued} messages sent exactly once (app {own}, workers {a} and {b})"
    );
}

#[tokio::test]
async fn failed_deliveries_back_off_and_are_shown_to_the_coordinator() {
    // An SMTP server that is not there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    invite_person(&app, &coordinator, id, GP).await;
    // The application's worker writes to its folder; this one tries the closed port.
    let mailer = concerto_server::mail::Mailer::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        app.dir.path().join("unused"),
        "Concerto <c@localhost>",
    )
    .unwrap();
    db_run!(&app.state.db, c => sqlx::query("UPDATE outbox SET sent_at = NULL, attempts = 0")
        .execute(&mut *c).await.map(|done| done.rows_affected()))
    .unwrap();
    // Hold the application's own worker off: every row is claimed by "another process" for a
    // while, except the one this test delivers.
    let row: i64 = app.count("SELECT MAX(id) FROM outbox").await;
    db_run!(&app.state.db, c => sqlx::query("UPDATE outbox SET claimed_until = '9999-01-01T00:00:00.000000Z' WHERE id <> $1")
        .bind(row)
        .execute(&mut *c).await.map(|done| done.rows_affected()))
        .unwrap();
    db_run!(&app.state.db, c => sqlx::query(
        "UPDATE outbox SET sent_at = NULL, attempts = 0, claimed_until = NULL WHERE id = $1",
    )
    .bind(row)
    .execute(&mut *c).await.map(|done| done.rows_affected()))
    .unwrap();
    let mut sent = concerto_server::mail::deliver_pending(&app.state, &mailer).await;
    // The application's worker may have taken the row first; then it is sent, and the test
    // queues the failure by hand below.
    let (attempts, next_attempt): (i64, Option<app::backend::db::Instant>) =
        db_run!(&app.state.db, c => sqlx::query_as("SELECT attempts, next_attempt_at FROM outbox WHERE id = $1")
            .bind(row)
            .fetch_one(&mut *c).await)
            .unwrap();
    if attempts == 1 {
        let next = next_attempt.unwrap().0;
        assert!(
            next > Utc::now() + chrono::Duration::seconds(20),
            "back-off"
        );
        // Not retried before its time.
        sent += concerto_server::mail::deliver_pending(&app.state, &mailer).await;
        assert_eq!(sent, 0);
        assert_eq!(
            app.count(&format!("SELECT attempts FROM outbox WHERE id = {row}"))
                .await,
            1
        );
    }
    // After a few failures the coordinator sees it.
    let (_, before) = coordinator.query("mail/undelivered", &[]).await;
    assert_eq!(before.as_array().map(Vec::len), Some(0), "{before}");
    db_run!(&app.state.db, c => sqlx::query("UPDATE outbox SET attempts = 3, sent_at = NULL, last_error = 'connection refused' WHERE id = $1")
        .bind(row)
        .execute(&mut *c).await.map(|done| done.rows_affected()))
        .unwrap();
    let (status, failing) = coordinator.query("mail/undelivered", &[]).await;
    assert_eq!(status, StatusCode::OK, "{failing}");
    let failing = failing.as_array().unwrap().clone();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["recipient"], GP);
    assert_eq!(failing[0]["attempts"], 3);
    // Another member does not see them.
    let gp = app.signed_in(GP).await;
    let (status, _) = gp.query("mail/undelivered", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // "Réessayer" makes it due again.
    let (status, body) = coordinator
        .call("mail/retry", &[("id", &row.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.count(&format!("SELECT attempts FROM outbox WHERE id = {row}"))
            .await,
        0
    );
}
