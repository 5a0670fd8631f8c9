//! Staff and RCP sessions through the server functions, against a fresh database: publishing an
//! agenda (topic e-mails without case text, a calendar slot per presenter with its own UID,
//! updated with SEQUENCE + 1 when the order changes, in the presenter's feed), postponement,
//! the quorum refusing an RCP decision, the live stream, and who may see and do what.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

/// A case written by `author` for `meeting`, complete and submitted; returns its id.
async fn submitted_case(app: &TestApp, author: &Browser, meeting: i64) -> i64 {
    let meeting = meeting.to_string();
    let id = new_case(app, author, &meeting).await;
    let (status, body) =
        save_case(author, id, 1, "submit", &[("case[meeting_id]", &meeting)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

/// The agenda as `browser` sees it.
async fn agenda(browser: &Browser, meeting: i64) -> Value {
    let (status, body) = browser
        .query("staff/agenda", &[("id", &meeting.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn keys(agenda: &Value) -> Vec<String> {
    agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect()
}

/// Posts the agenda form: `lines` are (key, minutes) in order.
async fn save_agenda(
    browser: &Browser,
    meeting: i64,
    intent: &str,
    lines: &[(&str, &str)],
) -> (StatusCode, Value) {
    let id = meeting.to_string();
    let names: Vec<(String, String)> = (0..lines.len())
        .map(|n| (format!("items[{n}][key]"), format!("items[{n}][minutes]")))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![("id", &id), ("intent", intent)];
    for ((key, minutes), (key_name, minutes_name)) in lines.iter().zip(&names) {
        fields.push((key_name, key));
        fields.push((minutes_name, minutes));
    }
    browser.call("staff/agenda/save", &fields).await
}

/// Outbox rows (recipient, subject, body, calendar text) whose subject starts with `prefix`.
async fn mails(app: &TestApp, prefix: &str) -> Vec<(String, String, String, Option<String>)> {
    db_run!(&app.state.db, c => sqlx::query_as::<_, (String, String, String, Option<String>)>(
        "SELECT recipient, subject, body_text, ics_text FROM outbox WHERE subject LIKE $1 ORDER BY id")
        .bind(format!("{prefix}%"))
        .fetch_all(&mut *c).await)
    .unwrap()
}

fn event_of(ics: &str) -> ical::parser::ical::component::IcalEvent {
    let mut calendars = parse_ics(ics);
    assert_eq!(calendars.len(), 1, "{ics}");
    let calendar = calendars.remove(0);
    assert_eq!(
        prop(&calendar.properties, "METHOD"),
        Some("REQUEST"),
        "{ics}"
    );
    assert_eq!(calendar.events.len(), 1, "{ics}");
    calendar.events.into_iter().next().unwrap()
}

#[tokio::test]
async fn publishing_sends_topics_without_case_text_and_each_presenter_their_own_slot() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = create_meeting(&coordinator, &[]).await;
    for person in [GP, PSYCHIATRIST, NURSE] {
        invite_person(&app, &coordinator, meeting, person).await;
    }
    let gp = app.signed_in(GP).await;
    let first = submitted_case(&app, &gp, meeting).await;
    let second = submitted_case(&app, &gp, meeting).await;

    // Submitted cases are on the agenda, not placed yet, oldest first.
    let before = agenda(&coordinator, meeting).await;
    assert_eq!(keys(&before), [format!("c{first}"), format!("c{second}")]);
    assert_eq!(before["published"], Value::Null);

    // A refused duration names the item and keeps nothing.
    let (status, body) = save_agenda(
        &coordinator,
        meeting,
        "save",
        &[(&format!("c{first}"), "0"), (&format!("c{second}"), "15")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_message(&body, "items[0][minutes]").contains("entre 1 et 240 minutes"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM agenda_items WHERE meeting_id = {meeting}"
        ))
        .await,
        0
    );

    let (status, body) = save_agenda(
        &coordinator,
        meeting,
        "publish",
        &[(&format!("c{first}"), "20"), (&format!("c{second}"), "15")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let published = agenda(&coordinator, meeting).await;
    assert!(published["published"]
        .as_str()
        .unwrap()
        .starts_with("Publié le"));
    let items = published["items"].as_array().unwrap();
    assert_eq!(items[0]["start"], "12h30");
    assert_eq!(items[1]["start"], "12h50");

    // Every invitee gets the topic list: codes, question types, presenters, times; no case text.
    let topics = mails(&app, "Ordre du jour").await;
    let mut recipients: Vec<&str> = topics.iter().map(|m| m.0.as_str()).collect();
    recipients.sort();
    assert_eq!(recipients, [GP, NURSE, PSYCHIATRIST]);
    let case_text: Vec<&str> = case_fields(&[])
        .into_iter()
        .filter(|(key, value)| key.starts_with("case[") && value.len() > 12)
        .map(|(_, value)| value)
        .collect();
    assert!(case_text.len() >= 5);
    for (_, _, body, ics) in &topics {
        assert!(ics.is_none());
        assert!(body.contains("12h30 – 12h50"), "{body}");
        assert!(body.contains("Dr Julien Moreau"), "{body}");
        assert!(
            body.contains("Pharmacologique") || body.contains("pharmacolog"),
            "{body}"
        );
        for text in &case_text {
            assert!(!body.contains(text), "case text «{text}» in {body}");
        }
    }

    // The presenter gets one invitation per slot: its own UID, linked to the meeting, the
    // slot's times only.
    let meeting_uid: String = db_run!(&app.state.db, c => sqlx::query_scalar::<_, String>(
        "SELECT uid FROM meetings WHERE id = $1").bind(meeting).fetch_one(&mut *c).await)
    .unwrap();
    let slots = mails(&app, "Votre passage").await;
    assert_eq!(slots.len(), 2);
    let day = staff_day(0, "%Y%m%d");
    let mut uids = Vec::new();
    for ((recipient, _, _, ics), start) in slots.iter().zip(["123000", "125000"]) {
        assert_eq!(recipient, GP);
        let event = event_of(ics.as_deref().unwrap());
        let uid = prop(&event.properties, "UID").unwrap().to_string();
        assert_ne!(uid, meeting_uid);
        assert_eq!(
            prop(&event.properties, "RELATED-TO"),
            Some(meeting_uid.as_str())
        );
        assert_eq!(prop(&event.properties, "SEQUENCE"), Some("0"));
        assert_eq!(
            prop(&event.properties, "DTSTART"),
            Some(format!("{day}T{start}").as_str())
        );
        uids.push(uid);
    }
    assert_ne!(uids[0], uids[1]);

    // Publishing again sends the topics again but not unchanged slots.
    let published_keys = keys(&published);
    let (status, _) = save_agenda(
        &coordinator,
        meeting,
        "down:0",
        &[(&published_keys[0], "20"), (&published_keys[1], "15")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Order changed: both slots moved; same UIDs, SEQUENCE + 1, new times.
    let moved = mails(&app, "Horaire modifié").await;
    assert_eq!(moved.len(), 2);
    for (_, _, _, ics) in &moved {
        let event = event_of(ics.as_deref().unwrap());
        let uid = prop(&event.properties, "UID").unwrap();
        assert_eq!(prop(&event.properties, "SEQUENCE"), Some("1"));
        let start = prop(&event.properties, "DTSTART").unwrap();
        if uid == uids[0] {
            assert_eq!(start, format!("{day}T124500"));
        } else {
            assert_eq!(uid, uids[1]);
            assert_eq!(start, format!("{day}T123000"));
        }
    }
    assert_eq!(mails(&app, "Ordre du jour").await.len(), 3, "not re-sent");

    // The slots are in the presenter's calendar feed, with their current times.
    let (status, feed) = gp.get_text("/me/calendar.ics").await;
    assert_eq!(status, StatusCode::OK);
    let calendars = parse_ics(&feed);
    let events = &calendars[0].events;
    for (uid, start) in [(&uids[0], "124500"), (&uids[1], "123000")] {
        let event = events
            .iter()
            .find(|e| prop(&e.properties, "UID") == Some(uid.as_str()))
            .unwrap_or_else(|| panic!("slot {uid} in the feed"));
        assert_eq!(
            prop(&event.properties, "DTSTART"),
            Some(format!("{day}T{start}").as_str())
        );
        assert_eq!(prop(&event.properties, "SEQUENCE"), Some("1"));
    }
    // Not in another invitee's feed.
    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let (_, feed) = psychiatrist.get_text("/me/calendar.ics").await;
    assert!(!feed.contains(uids[0].as_str()));
    let _ = second;
}

#[tokio::test]
async fn a_postponed_case_moves_to_the_next_session_and_its_author_is_told() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = create_meeting(&coordinator, &[]).await;
    let gp = app.signed_in(GP).await;
    let case = submitted_case(&app, &gp, meeting).await;
    let key = format!("c{case}");
    let (status, body) = save_agenda(&coordinator, meeting, "publish", &[(&key, "20")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let key = keys(&agenda(&coordinator, meeting).await)[0].clone();
    // An announcement is added, then removed; a case cannot be removed, only postponed.
    let (status, body) = coordinator
        .call(
            "staff/agenda/add",
            &[
                ("id", &meeting.to_string()),
                ("kind", "announcement"),
                ("title", "Annonces de la CPTS"),
                ("minutes", "10"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now = agenda(&coordinator, meeting).await;
    assert_eq!(now["items"][1]["title"], "Annonces de la CPTS");
    let keys_now = keys(&now);
    let (status, _) = save_agenda(
        &coordinator,
        meeting,
        "remove:0",
        &[(&keys_now[0], "20"), (&keys_now[1], "10")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = save_agenda(
        &coordinator,
        meeting,
        "postpone:0",
        &[(&key, "20"), (&keys_now[1], "10")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let next: i64 = db_run!(&app.state.db, c => sqlx::query_scalar::<_, i64>(
        "SELECT m2.id FROM meetings m1 JOIN meetings m2 ON m2.series_id = m1.series_id
         WHERE m1.id = $1 AND m2.start_utc > m1.start_utc ORDER BY m2.start_utc LIMIT 1")
        .bind(meeting).fetch_one(&mut *c).await)
    .unwrap();
    assert_eq!(
        app.count(&format!("SELECT meeting_id FROM cases WHERE id = {case}"))
            .await,
        next
    );
    assert_eq!(keys(&agenda(&coordinator, meeting).await).len(), 1);
    assert_eq!(
        keys(&agenda(&coordinator, next).await),
        [format!("c{case}")]
    );
    let told = mails(&app, "Cas ").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].0, GP);
    assert!(told[0].2.contains(&staff_day(1, "%-d")), "{}", told[0].2);
    // The slot already sent is cancelled in the presenter's calendar.
    let ics = told[0].3.as_deref().unwrap();
    assert!(ics.contains("METHOD:CANCEL"), "{ics}");
}

#[tokio::test]
async fn without_quorum_an_rcp_decision_is_refused_and_recorded_as_avis_sans_quorum() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = create_meeting(
        &coordinator,
        &[
            ("draft[kind]", "rcp"),
            ("draft[repeat]", "none"),
            ("draft[title]", "RCP adultes"),
        ],
    )
    .await;
    for person in [GP, PSYCHIATRIST, NURSE] {
        invite_person(&app, &coordinator, meeting, person).await;
    }
    let gp = app.signed_in(GP).await;
    let case = submitted_case(&app, &gp, meeting).await;
    let case_text = case.to_string();
    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let advice = |decision: &'static str| {
        vec![
            ("id", case_text.clone()),
            (
                "advice[diagnostic_opinion]",
                "Épisode dépressif caractérisé, résistant.".to_string(),
            ),
            (
                "advice[recommended_actions]",
                "Changer pour la venlafaxine.".to_string(),
            ),
            ("advice[decision]", decision.to_string()),
        ]
    };
    let call = |fields: Vec<(&'static str, String)>| {
        let psychiatrist = &psychiatrist;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            psychiatrist.call("cases/sign", &fields).await
        }
    };

    // Nobody marked present: the avis form says what a signature would count as, and an RCP
    // decision is refused, nothing is stored.
    let note = |view: &Value| {
        view["decision_note"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let (_, view) = psychiatrist.query("cases/get", &[("id", &case_text)]).await;
    assert!(note(&view).contains("avis sans quorum"), "{view}");
    let (status, body) = call(advice("rcp_decision")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("quorum"), "{body}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM advice WHERE case_id = {case}"
        ))
        .await,
        0
    );
    // Signed without asking: recorded as an avis sans quorum.
    let (status, body) = call(advice("")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let kind = || async {
        db_run!(&app.state.db, c => sqlx::query_as::<_, (String, String, bool)>(
            "SELECT decision_kind, disciplines, quorum_met FROM advice WHERE case_id = $1 ORDER BY version DESC LIMIT 1")
            .bind(case).fetch_one(&mut *c).await)
        .unwrap()
    };
    assert_eq!(
        kind().await,
        ("advice_without_quorum".into(), "".into(), false)
    );

    // Attendance: the psychiatrist, the GP and the nurse present: three, three disciplines.
    let id = meeting.to_string();
    for person in [PSYCHIATRIST, GP, NURSE] {
        let user = user_id(&app, person).await.to_string();
        let (status, body) = coordinator
            .call(
                "staff/attendance",
                &[("id", &id), ("user_id", &user), ("mark", "present")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, live) = coordinator.query("staff/live", &[("id", &id)]).await;
    assert_eq!(live["present"], 3);
    assert_eq!(live["quorum_met"], true, "{live}");
    let (_, view) = psychiatrist.query("cases/get", &[("id", &case_text)]).await;
    assert!(note(&view).contains("décision de RCP"), "{view}");
    let (status, body) = call(advice("rcp_decision")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (decided, disciplines, met) = kind().await;
    assert_eq!(decided, "rcp_decision");
    assert!(met);
    assert!(disciplines.contains("psychiatrist"), "{disciplines}");

    // The fiche RCP is generated from it; the sign-in sheet lists everyone invited.
    let (status, records) = coordinator.query("staff/records", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{records}");
    let fiche = &records["rcp"][0];
    assert_eq!(fiche["decision_kind"], "Décision de RCP");
    assert_eq!(fiche["quorum_met"], "Oui");
    assert_eq!(
        fiche["question"],
        "Faut-il changer d'antidépresseur après huit semaines sans effet ?"
    );
    assert!(fiche["recorded_by"].as_str().unwrap().contains("Laurent"));
    assert_eq!(records["sheet"].as_array().unwrap().len(), 3);
    // A GP may not print the records.
    let (status, _) = gp.query("staff/records", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn invitees_see_the_agenda_but_only_their_own_cases_and_only_coordinators_run_it() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = create_meeting(&coordinator, &[]).await;
    invite_person(&app, &coordinator, meeting, GP).await;
    invite_person(&app, &coordinator, meeting, PSYCHIATRIST).await;
    let gp = app.signed_in(GP).await;
    let nurse = app.signed_in(NURSE).await;
    let mine = submitted_case(&app, &gp, meeting).await;
    let theirs = submitted_case(&app, &nurse, meeting).await;
    let id = meeting.to_string();

    // The GP sees both items, opens only their own case.
    let seen = agenda(&gp, meeting).await;
    let items = seen["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let item = |case: i64| items.iter().find(|i| i["case_id"] == case).unwrap().clone();
    assert_eq!(item(mine)["can_open_case"], true);
    assert_eq!(item(mine)["mine"], true);
    assert_eq!(item(theirs)["can_open_case"], false);
    assert_eq!(item(theirs)["missing_count"], Value::Null);
    assert!(!seen.to_string().contains("Sertraline"));
    let (status, _) = gp.query("cases/get", &[("id", &theirs.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(seen["my_slots"].as_array().unwrap().len(), 1);
    let (_, detail) = gp.query("meetings/get", &[("id", &id)]).await;
    assert_eq!(
        detail["my_slots"], seen["my_slots"],
        "the meeting page says it too"
    );

    // The nurse is not invited but presents a case: sees the agenda. The psychologist neither
    // invited nor presenting: not found, agenda and live stream alike.
    agenda(&nurse, meeting).await;
    let psychologist = app.signed_in("psychologue@demo.concerto.test").await;
    let (status, _) = psychologist.query("staff/agenda", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = psychologist.get(&format!("/meetings/{meeting}/live")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Only coordinators order, publish, mark attendance, move the current item.
    let lines = keys(&seen);
    let (status, _) = save_agenda(
        &gp,
        meeting,
        "publish",
        &[(&lines[0], "20"), (&lines[1], "20")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let psychiatrist_id = user_id(&app, PSYCHIATRIST).await.to_string();
    let (status, _) = gp
        .call(
            "staff/attendance",
            &[
                ("id", &id),
                ("user_id", &psychiatrist_id),
                ("mark", "present"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = gp
        .call("staff/current", &[("id", &id), ("intent", "next")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, session) = gp.query("staff/session", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        session["attendance"],
        Value::Array(vec![]),
        "coordinators only"
    );

    // Reading ahead: the psychiatrist keeps private notes; nobody else reads them.
    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let (status, body) = psychiatrist
        .call(
            "staff/notes",
            &[
                ("case_id", &mine.to_string()),
                ("body", "Demander la TSH et l'ECG."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = psychiatrist
        .query("cases/get", &[("id", &mine.to_string())])
        .await;
    assert_eq!(view["can_prepare"], true);
    assert_eq!(view["preparation_note"], "Demander la TSH et l'ECG.");
    for other in [&gp, &coordinator] {
        let (_, view) = other.query("cases/get", &[("id", &mine.to_string())]).await;
        assert_eq!(view["preparation_note"], "");
        assert_eq!(view["can_prepare"], false);
    }
    let (status, _) = gp
        .call(
            "staff/notes",
            &[("case_id", &mine.to_string()), ("body", "essai")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A phone number in the notes is refused like everywhere else.
    let (status, _) = psychiatrist
        .call(
            "staff/notes",
            &[
                ("case_id", &mine.to_string()),
                ("body", "Rappeler au 06 12 34 56 78"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_live_stream_tells_watchers_when_the_current_item_moves() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = create_meeting(&coordinator, &[]).await;
    invite_person(&app, &coordinator, meeting, PSYCHIATRIST).await;
    let gp = app.signed_in(GP).await;
    let case = submitted_case(&app, &gp, meeting).await;
    let id = meeting.to_string();
    let (status, _) = coordinator
        .call("staff/current", &[("id", &id), ("intent", "next")])
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the agenda must be saved first"
    );
    let (status, _) = save_agenda(
        &coordinator,
        meeting,
        "save",
        &[(&format!("c{case}"), "20")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let mut stream = psychiatrist.get(&format!("/meetings/{meeting}/live")).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut received = String::new();
    let mut read_until = async |needle: &str, received: &mut String| {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
        while !received.contains(needle) {
            let chunk = tokio::time::timeout_at(deadline, stream.chunk())
                .await
                .unwrap_or_else(|_| panic!("«{needle}» within 2 s; got {received}"))
                .unwrap()
                .unwrap();
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    read_until("La séance n'a pas commencé", &mut received).await;
    let (status, _) = coordinator
        .call("staff/current", &[("id", &id), ("intent", "next")])
        .await;
    assert_eq!(status, StatusCode::OK);
    read_until("En cours : C-", &mut received).await;
    assert!(received.contains("\"current_item_id\":"), "{received}");
}

#[tokio::test]
async fn a_published_slot_follows_the_meeting_when_it_moves_and_when_it_is_cancelled() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let single = [("draft[repeat]", "none")];
    let meeting = create_meeting(&coordinator, &single).await;
    let gp = app.signed_in(GP).await;
    let case = submitted_case(&app, &gp, meeting).await;
    let (status, body) = save_agenda(
        &coordinator,
        meeting,
        "publish",
        &[(&format!("c{case}"), "20")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let day = staff_day(0, "%Y%m%d");

    // The meeting starts half an hour later: the slot is re-sent, same UID, SEQUENCE 1.
    let id = meeting.to_string();
    let mut fields = meeting_fields(&[
        ("draft[repeat]", "none"),
        ("draft[start_time]", "13:00"),
        ("draft[end_time]", "14:30"),
    ]);
    fields.push(("id", &id));
    fields.push(("scope", "occurrence"));
    let (status, body) = coordinator.call("meetings/update", &fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = event_of(mails(&app, "Votre passage").await[0].3.as_deref().unwrap());
    let moved = mails(&app, "Horaire modifié").await;
    assert_eq!(moved.len(), 1);
    let event = event_of(moved[0].3.as_deref().unwrap());
    assert_eq!(
        prop(&event.properties, "UID"),
        prop(&first.properties, "UID")
    );
    assert_eq!(prop(&event.properties, "SEQUENCE"), Some("1"));
    assert_eq!(
        prop(&event.properties, "DTSTART"),
        Some(format!("{day}T130000").as_str())
    );

    // Cancelled: the presenter's slot is cancelled in their calendar (SEQUENCE 2).
    let (status, body) = coordinator
        .call(
            "meetings/cancel",
            &[("id", &id), ("scope", "occurrence"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cancelled = mails(&app, "Réunion annulée : votre passage").await;
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0].0, GP);
    let ics = cancelled[0].3.as_deref().unwrap();
    let calendars = parse_ics(ics);
    assert_eq!(prop(&calendars[0].properties, "METHOD"), Some("CANCEL"));
    let event = &calendars[0].events[0];
    assert_eq!(
        prop(&event.properties, "UID"),
        prop(&first.properties, "UID")
    );
    assert_eq!(prop(&event.properties, "SEQUENCE"), Some("2"));
    // Not in the feed any more.
    let (_, feed) = gp.get_text("/me/calendar.ics").await;
    assert!(!feed.contains(prop(&first.properties, "UID").unwrap()));
}

#[tokio::test]
async fn cancelling_a_whole_series_cancels_the_published_slots_of_its_sessions() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = create_meeting(&coordinator, &[]).await;
    let gp = app.signed_in(GP).await;
    let case = submitted_case(&app, &gp, meeting).await;
    let (status, _) = save_agenda(
        &coordinator,
        meeting,
        "publish",
        &[(&format!("c{case}"), "20")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = coordinator
        .call(
            "meetings/cancel",
            &[
                ("id", &meeting.to_string()),
                ("scope", "series"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cancelled = mails(&app, "Réunion annulée : votre passage").await;
    assert_eq!(cancelled.len(), 1);
    assert!(cancelled[0].3.as_deref().unwrap().contains("METHOD:CANCEL"));
}
