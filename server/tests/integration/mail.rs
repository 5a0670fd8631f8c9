//! E-mail through a real SMTP sink: invitations carry METHOD:REQUEST, cancellations
//! METHOD:CANCEL; the reminder goes once, and not again after a restart. Without SMTP, e-mails
//! land in the outbox folder.

use crate::common::smtp::{calendar_part, subject};
use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn invitation_then_cancellation_reach_the_smtp_sink_with_calendar_parts() {
    let app = TestApp::spawn(Options {
        demo: true,
        smtp: true,
        ..Default::default()
    })
    .await;
    let sink = app.smtp.clone().unwrap();
    let coordinator = app.signed_in(COORDINATOR).await;
    let (_, body) = coordinator
        .call(
            "meetings/create",
            &meeting_fields(&[("draft[repeat]", "none")]),
        )
        .await;
    let id = body.as_i64().unwrap();
    let (status, _) = coordinator
        .call(
            "meetings/invite",
            &[("id", &id.to_string()), ("role", "gp")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        wait_for(10, || async { !sink.matching(GP, "Invitation").is_empty() }).await,
        "invitation delivered"
    );
    let invitation = &sink.matching(GP, "Invitation")[0];
    assert!(
        subject(&invitation.data)
            .unwrap()
            .contains("Staff santé mentale"),
        "{}",
        invitation.data
    );
    let (method, ics) = calendar_part(&invitation.data).expect("a text/calendar part");
    assert_eq!(method, "REQUEST");
    let calendars = parse_ics(&ics);
    assert_eq!(prop(&calendars[0].properties, "METHOD"), Some("REQUEST"));
    let uid = prop(&calendars[0].events[0].properties, "UID")
        .unwrap()
        .to_string();

    let (status, _) = coordinator
        .call(
            "meetings/cancel",
            &[("id", &id.to_string()), ("scope", "occurrence")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        wait_for(10, || async {
            !sink.matching(GP, "Réunion annulée").is_empty()
        })
        .await,
        "cancellation delivered"
    );
    let cancellation = &sink.matching(GP, "Réunion annulée")[0];
    let (method, ics) = calendar_part(&cancellation.data).unwrap();
    assert_eq!(method, "CANCEL");
    let calendars = parse_ics(&ics);
    assert_eq!(prop(&calendars[0].properties, "METHOD"), Some("CANCEL"));
    let event = &calendars[0].events[0];
    assert_eq!(prop(&event.properties, "UID"), Some(uid.as_str()));
    assert_eq!(prop(&event.properties, "STATUS"), Some("CANCELLED"));
    assert!(
        prop(&event.properties, "SEQUENCE")
            .unwrap()
            .parse::<u32>()
            .unwrap()
            >= 1
    );
}

#[tokio::test]
async fn the_day_before_reminder_is_sent_once_even_across_a_restart() {
    let app = TestApp::spawn(Options {
        demo: false,
        smtp: true,
        ..Default::default()
    })
    .await;
    concerto_server::demo::seed(&app.state.db).await.unwrap();
    let sink = app.smtp.clone().unwrap();
    let coordinator = app.signed_in(COORDINATOR).await;
    // A meeting starting in about two hours, Paris time.
    let id = create_imminent_meeting(&coordinator, "RCP imminente").await;
    coordinator
        .call(
            "meetings/invite",
            &[("id", &id.to_string()), ("role", "gp")],
        )
        .await;
    coordinator
        .call(
            "meetings/invite",
            &[("id", &id.to_string()), ("role", "psychiatrist")],
        )
        .await;
    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let (status, _) = psychiatrist
        .call(
            "meetings/respond",
            &[("id", &id.to_string()), ("response", "declined")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The reminder task runs every second in tests.
    assert!(
        wait_for(15, || async { !sink.matching(GP, "Rappel").is_empty() }).await,
        "reminder delivered"
    );
    assert_eq!(sink.matching(GP, "Rappel").len(), 1);
    assert!(
        sink.matching(PSYCHIATRIST, "Rappel").is_empty(),
        "no reminder for who declined"
    );

    // Restart on the same database: no second reminder.
    let (dir, sink_again) = app.stop().await;
    let app = TestApp::spawn(Options {
        dir: Some(dir),
        sink: sink_again,
        ..Default::default()
    })
    .await;
    let reminded = concerto_server::mail::reminders::queue_due_reminders(&app.state)
        .await
        .unwrap();
    assert_eq!(reminded, 0);
    let mailer = concerto_server::mail::Mailer::new(
        Some(&format!("smtp://127.0.0.1:{}", sink.port)),
        app.dir.path().join("outbox"),
        "Concerto <concerto@localhost>",
    )
    .unwrap();
    concerto_server::mail::deliver_pending(&app.state, &mailer).await;
    assert_eq!(sink.matching(GP, "Rappel").len(), 1);
}

#[tokio::test]
async fn without_smtp_e_mails_are_written_to_the_outbox_folder() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let (status, body) = coordinator
        .call(
            "members/invite",
            &[
                ("email", "nouvelle.psy@example.test"),
                ("display_name", "Dr Nouvelle"),
                ("role", "psychiatrist"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let outbox = app.dir.path().join("outbox");
    assert!(
        wait_for(10, || {
            let outbox = outbox.clone();
            async move {
                std::fs::read_dir(&outbox)
                    .map(|d| d.count() > 0)
                    .unwrap_or(false)
            }
        })
        .await,
        "an .eml file in the outbox"
    );
    let file = std::fs::read_dir(&outbox)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let eml = std::fs::read_to_string(file).unwrap();
    assert!(eml.contains("nouvelle.psy@example.test"));
    assert!(eml.contains("/mot-de-passe/"), "the one-time link");
}

#[tokio::test]
async fn the_smtp_url_may_carry_credentials() {
    let app = TestApp::spawn(Options {
        demo: true,
        smtp: true,
        smtp_login: Some("concerto%40cpts.example:s3cr%3At"),
        ..Default::default()
    })
    .await;
    let sink = app.smtp.clone().unwrap();
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    invite_person(&app, &coordinator, id, GP).await;
    assert!(
        wait_for(10, || async { !sink.matching(GP, "Invitation").is_empty() }).await,
        "invitation delivered"
    );
    let message = &sink.matching(GP, "Invitation")[0];
    assert_eq!(
        message.login,
        Some(("concerto@cpts.example".to_string(), "s3cr:t".to_string())),
        "signed in with the URL's decoded user and password"
    );
}
