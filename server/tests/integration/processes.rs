//! Several server processes on one database (what a PostgreSQL deployment behind a load
//! balancer does; the same test runs on SQLite): a session works on every process, a change on
//! one is seen at once on the other (nothing is cached in a process), and a reminder due while
//! both run is sent once.

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn two_processes_share_sessions_changes_and_reminders() {
    let first = TestApp::spawn(Options {
        demo: true,
        smtp: true,
        ..Default::default()
    })
    .await;
    let sink = first.smtp.clone().unwrap();
    let second = TestApp::spawn(Options {
        dir: Some(first.dir.clone()),
        sink: Some(sink.clone()),
        ..Default::default()
    })
    .await;
    assert_ne!(first.address, second.address);

    // Signed in on the first, the same browser goes on on the second.
    let on_first = first.signed_in(COORDINATOR).await;
    let on_second = on_first.at(&second);
    let (status, list) = on_second
        .query("meetings/list", &[("kind", ""), ("period", "upcoming")])
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");

    // Created on the second, seen at once on the first.
    let id = create_meeting(
        &on_second,
        &[
            ("draft[repeat]", "none"),
            ("draft[title]", "RCP vue partout"),
        ],
    )
    .await;
    let (status, meeting) = on_first
        .query("meetings/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{meeting}");
    assert_eq!(meeting["title"], "RCP vue partout");

    // A meeting starting in about two hours: both processes look for due reminders every
    // second; the GP gets one reminder.
    let soon = create_imminent_meeting(&on_first, "RCP imminente").await;
    let (status, body) = on_second
        .call(
            "meetings/invite",
            &[("id", &soon.to_string()), ("role", "gp")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        wait_for(15, || async { !sink.matching(GP, "Rappel").is_empty() }).await,
        "reminder delivered"
    );
    // Both reminder tasks and both mail workers keep running a few more passes.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(sink.matching(GP, "Rappel").len(), 1, "one reminder");
    assert_eq!(
        first
            .count("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Rappel%'")
            .await,
        1
    );

    // Signed out on the second: the session is gone on the first too.
    let response = on_second
        .client
        .post(format!("{}/auth/logout", second.address))
        .form(&[("csrf_token", on_second.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let (status, _) = on_first
        .query("meetings/list", &[("kind", ""), ("period", "upcoming")])
        .await;
    assert_ne!(status, StatusCode::OK, "signed out everywhere");
    second.stop().await;
    first.stop().await;
}
