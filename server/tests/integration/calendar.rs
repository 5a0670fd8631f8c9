//! The three iCalendar endpoints, parsed back with the `ical` crate; SEQUENCE on change;
//! cancelled occurrences; the private token.

use crate::common::*;
use reqwest::StatusCode;

async fn series_with_gp(app: &TestApp) -> (Browser, Browser, i64) {
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[]).await;
    invite_person(app, &coordinator, id, GP).await;
    let gp = app.signed_in(GP).await;
    (coordinator, gp, id)
}

fn series_master(text: &str) -> ical::parser::ical::component::IcalEvent {
    let calendars = parse_ics(text);
    calendars[0]
        .events
        .iter()
        .find(|e| {
            prop(&e.properties, "SUMMARY").is_some_and(|s| s.ends_with("— Staff santé mentale"))
                && prop(&e.properties, "RRULE").is_some()
        })
        .cloned()
        .expect("the series master")
}

#[tokio::test]
async fn the_meeting_invite_is_a_series_with_rrule_in_paris_time() {
    let app = TestApp::demo().await;
    let (_, gp, id) = series_with_gp(&app).await;
    let response = gp.get(&format!("/meetings/{id}/invite.ics")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = response.text().await.unwrap();
    assert!(text.lines().all(|l| l.len() <= 75), "folded at 75 octets");
    assert!(text.contains("\r\n"));
    let calendars = parse_ics(&text);
    assert_eq!(prop(&calendars[0].properties, "METHOD"), Some("REQUEST"));
    assert!(calendars[0]
        .timezones
        .iter()
        .any(|tz| prop(&tz.properties, "TZID") == Some("Europe/Paris")));
    let master = series_master(&text);
    assert_eq!(
        prop(&master.properties, "RRULE"),
        Some("FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6")
    );
    let dtstart = master
        .properties
        .iter()
        .find(|p| p.name == "DTSTART")
        .unwrap();
    assert_eq!(
        dtstart.value.as_deref(),
        Some(staff_day(0, "%Y%m%dT123000").as_str())
    );
    assert!(format!("{:?}", dtstart.params).contains("Europe/Paris"));
    assert!(prop(&master.properties, "UID").is_some());
    assert!(prop(&master.properties, "DTSTAMP").is_some_and(|v| v.ends_with('Z')));
    assert_eq!(master.alarms.len(), 2, "1 day and 1 hour before");
    let attendee = master
        .properties
        .iter()
        .find(|p| p.name == "ATTENDEE")
        .expect("attendee");
    assert!(attendee
        .value
        .as_deref()
        .unwrap()
        .contains("generaliste@demo.concerto.test"));
    assert!(format!("{:?}", attendee.params).contains("NEEDS-ACTION"));
    assert!(master.properties.iter().any(|p| p.name == "ORGANIZER"));
}

#[tokio::test]
async fn updates_raise_sequence_and_cancelled_occurrences_leave_the_series() {
    let app = TestApp::demo().await;
    let (coordinator, gp, id) = series_with_gp(&app).await;
    let feed = |gp: &Browser| {
        let url = gp.url("/me/calendar.ics");
        let client = gp.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let before = series_master(&feed(&gp).await);
    let sequence = |e: &ical::parser::ical::component::IcalEvent| {
        prop(&e.properties, "SEQUENCE")
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    let uid = prop(&before.properties, "UID").unwrap().to_string();

    // Edit one occurrence: an override with RECURRENCE-ID, and the master's SEQUENCE rises.
    let second: (i64, app::backend::db::WallClock) = db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT id, occurrence_local FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = $1) ORDER BY start_utc LIMIT 1 OFFSET 1",
    )
    .bind(id)
    .fetch_one(&mut *c).await)
    .unwrap();
    let second_id = second.0.to_string();
    let second_date = staff_day(1, "%Y-%m-%d");
    let mut fields = meeting_fields(&[
        ("draft[date]", second_date.as_str()),
        ("draft[title]", "Staff santé mentale (salle B)"),
    ]);
    fields.push(("id", &second_id));
    fields.push(("scope", "occurrence"));
    let (status, body) = coordinator.call("meetings/update", &fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = feed(&gp).await;
    let after = series_master(&text);
    assert!(sequence(&after) > sequence(&before));
    let calendars = parse_ics(&text);
    let override_event = calendars[0]
        .events
        .iter()
        .find(|e| {
            prop(&e.properties, "RECURRENCE-ID") == Some(staff_day(1, "%Y%m%dT123000").as_str())
        })
        .expect("the edited occurrence");
    assert_eq!(prop(&override_event.properties, "UID"), Some(uid.as_str()));
    assert!(prop(&override_event.properties, "SUMMARY")
        .unwrap()
        .contains("salle B"));

    // Cancel the third occurrence: EXDATE on the master.
    let third: (i64,) = db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT id FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = $1) ORDER BY start_utc LIMIT 1 OFFSET 2",
    )
    .bind(id)
    .fetch_one(&mut *c).await)
    .unwrap();
    let (status, body) = coordinator
        .call(
            "meetings/cancel",
            &[("id", &third.0.to_string()), ("scope", "occurrence")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let master = series_master(&feed(&gp).await);
    assert_eq!(
        prop(&master.properties, "EXDATE"),
        Some(staff_day(2, "%Y%m%dT123000").as_str())
    );
    assert!(sequence(&master) > sequence(&after));

    // Cancel the whole series: STATUS:CANCELLED.
    let (status, _) = coordinator
        .call(
            "meetings/cancel",
            &[("id", &id.to_string()), ("scope", "series")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let master = series_master(&feed(&gp).await);
    assert_eq!(prop(&master.properties, "STATUS"), Some("CANCELLED"));
}

#[tokio::test]
async fn the_private_feed_works_by_token_and_stops_when_revoked() {
    let app = TestApp::demo().await;
    let (_, gp, _) = series_with_gp(&app).await;
    let (status, created) = gp.call("profile/calendar-token", &[]).await;
    assert_eq!(status, StatusCode::OK);
    // The URL is shown once, when created (only its hash is stored).
    let url = created.as_str().expect("a subscription URL").to_string();
    let path = url
        .split_once("/calendar/")
        .map(|(_, rest)| format!("/calendar/{rest}"))
        .unwrap();
    // No cookie needed: a calendar application fetches it.
    let anonymous = app.browser();
    let (status, text) = anonymous.get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    let calendars = parse_ics(&text);
    assert!(calendars[0]
        .events
        .iter()
        .any(|e| prop(&e.properties, "RRULE").is_some()));
    assert!(
        calendars[0].events.len() >= 3,
        "the demo meetings and the new series"
    );
    // Revoked: 404.
    let (status, _) = gp
        .call("profile/calendar-token", &[("revoke", "true")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = anonymous.get_text(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The signed-in feed still works; strangers get 401.
    let (status, _) = gp.get_text("/me/calendar.ics").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = anonymous.get_text("/me/calendar.ics").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
