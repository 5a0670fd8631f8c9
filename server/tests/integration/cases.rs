//! Cases and written advice through the server functions, against a fresh database: the
//! identifier guard on every field (nothing stored, the refusal names field, kind and position),
//! concurrent edits, the submission deadline, taking and answering a request with versioned
//! avis, the télé-expertise counter, another organisation's 404, and the audit log.

use crate::common::*;
use reqwest::StatusCode;

async fn stored_content(app: &TestApp, id: i64) -> String {
    db_run!(&app.state.db, c => sqlx::query_scalar::<_, String>("SELECT content FROM cases WHERE id = $1")
        .bind(id).fetch_one(&mut *c).await)
    .unwrap()
}

#[tokio::test]
async fn identifiers_are_refused_with_field_and_position_and_nothing_is_stored() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let id = new_case(&app, &gp, "").await;
    let before = stored_content(&app, id).await;
    let (status, body) = save_case(
        &gp,
        id,
        1,
        "autosave",
        &[(
            "case[symptoms]",
            "Insomnie. Joignable au 06 12 34 56 78 le soir.",
        )],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = field_message(&body, "symptoms");
    assert!(
        message.starts_with("« Symptômes et évolution » contient un identifiant direct (Téléphone) à la position 24 :"),
        "{message}"
    );
    assert!(message.contains("[TÉLÉPHONE]"), "{message}");
    assert_eq!(stored_content(&app, id).await, before, "nothing stored");

    // The clean text is accepted, and the scale answers are kept item by item.
    let (status, body) = save_case(&gp, id, 1, "autosave", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(body["ready"], true, "{body}");
    assert!(stored_content(&app, id).await.contains("Sertraline 100 mg"));
    let (status, view) = gp.query("cases/get", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["draft"]["items"]["phq9-2"], "3");
    assert_eq!(view["can_edit"], true);
}

#[tokio::test]
async fn a_save_from_an_older_version_is_refused_not_overwritten() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let id = new_case(&app, &gp, "").await;
    // Tab A saves (version 1 → 2); tab B, still at version 1, saves other text.
    let (status, _) = save_case(
        &gp,
        id,
        1,
        "autosave",
        &[("case[reason]", "Version de l'onglet A")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = save_case(
        &gp,
        id,
        1,
        "autosave",
        &[("case[reason]", "Version de l'onglet B")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("modifié ailleurs"), "{body}");
    assert!(stored_content(&app, id).await.contains("onglet A"));
}

#[tokio::test]
async fn a_case_for_a_meeting_cannot_be_submitted_after_its_deadline() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = create_imminent_meeting(&coordinator, "Staff santé mentale").await;
    let gp = app.signed_in(GP).await;
    let id = new_case(&app, &gp, &meeting.to_string()).await;
    let meeting_text = meeting.to_string();
    let (status, body) =
        save_case(&gp, id, 1, "save", &[("case[meeting_id]", &meeting_text)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The deadline passes.
    let past = WallClock(
        (chrono::Utc::now() - chrono::Duration::hours(3))
            .with_timezone(&chrono_tz::Europe::Paris)
            .naive_local(),
    );
    db_run!(&app.state.db, c => sqlx::query("UPDATE meetings SET submission_deadline = $1 WHERE id = $2")
        .bind(past).bind(meeting).execute(&mut *c).await.map(|d| d.rows_affected()))
    .unwrap();
    let (status, body) =
        save_case(&gp, id, 2, "submit", &[("case[meeting_id]", &meeting_text)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        field_message(&body, "meeting_id")
            .contains("date limite d'envoi des cas pour cette réunion est passée"),
        "{body}"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM cases WHERE id = {id} AND status = 'draft'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_written_request_is_taken_answered_and_corrected_in_versions() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let id = new_case(&app, &gp, "").await;
    let (status, body) = save_case(&gp, id, 1, "submit", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id_text = id.to_string();

    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let (status, view) = psychiatrist.query("cases/get", &[("id", &id_text)]).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["request_status"], "pending");
    assert_eq!(view["can_take"], true);
    // Nobody edits a submitted case.
    let (status, _) = save_case(&gp, id, 3, "save", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let advice = |opinion: &'static str, informed: &'static str| {
        let id_text = id_text.clone();
        let psychiatrist = &psychiatrist;
        async move {
            psychiatrist
                .call(
                    "cases/sign",
                    &[
                        ("id", id_text.as_str()),
                        ("advice[diagnostic_opinion]", opinion),
                        (
                            "advice[pharmacological_advice]",
                            "Passer à la venlafaxine 75 mg.",
                        ),
                        ("advice[patient_informed]", informed),
                    ],
                )
                .await
        }
    };
    // Not taken yet.
    let (status, body) = advice("Épisode dépressif caractérisé.", "on").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = psychiatrist.call("cases/take", &[("id", &id_text)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Télé-expertise needs the patient's consent.
    let (status, body) = advice("Épisode dépressif caractérisé.", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_message(&body, "patient_informed").contains("informé et consentant"));
    let (status, body) = advice("Épisode dépressif caractérisé.", "on").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = advice("Épisode dépressif caractérisé, d'intensité modérée.", "on").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, view) = gp.query("cases/get", &[("id", &id_text)]).await;
    assert_eq!(view["request_status"], "answered");
    let versions = view["advice"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{view}");
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["current"], true);
    assert_eq!(versions[1]["current"], false);
    assert!(versions[1]["parts"]
        .to_string()
        .contains("Épisode dépressif caractérisé."));
    assert_eq!(versions[0]["signed_by"], "Dr Sophie Laurent");
    // The GP was told, without clinical content.
    let mails: Vec<String> = db_run!(&app.state.db, c => sqlx::query_scalar::<_, String>(
        "SELECT body_text FROM outbox WHERE recipient = $1 AND subject LIKE 'Avis disponible%'")
        .bind(GP).fetch_all(&mut *c).await)
    .unwrap();
    assert_eq!(mails.len(), 2);
    for mail in mails {
        assert!(
            !mail.contains("venlafaxine") && !mail.contains("dépressif"),
            "{mail}"
        );
    }
}

#[tokio::test]
async fn the_fourth_tele_expertise_of_the_year_is_flagged() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let mut first_code = String::new();
    let mut notes = Vec::new();
    for round in 0..4 {
        // After the first, each case re-discusses the same patient ("suite d'un cas précédent").
        let id = new_case_following(&app, &gp, "", &first_code).await;
        if round == 0 {
            let (_, view) = gp.query("cases/get", &[("id", &id.to_string())]).await;
            first_code = view["code"].as_str().unwrap().to_string();
        }
        let (status, body) = save_case(&gp, id, 1, "submit", &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id_text = id.to_string();
        psychiatrist.call("cases/take", &[("id", &id_text)]).await;
        let (_, view) = psychiatrist.query("cases/get", &[("id", &id_text)]).await;
        notes.push(view["tele_expertise"].clone());
        let (status, body) = psychiatrist
            .call(
                "cases/sign",
                &[
                    ("id", &id_text),
                    ("advice[recommended_actions]", "Réévaluer dans un mois."),
                    ("advice[patient_informed]", "on"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert!(
        notes[0].is_null() && notes[1].is_null() && notes[2].is_null(),
        "{notes:?}"
    );
    assert!(notes[3].as_str().unwrap().contains("4e"), "{notes:?}");
}

#[tokio::test]
async fn another_organisation_gets_not_found_and_reads_are_audited() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let id = new_case(&app, &gp, "").await;
    let (status, _) = save_case(&gp, id, 1, "submit", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let id_text = id.to_string();

    // Another person's draft is not visible; the psychologist may not read others' cases.
    let other_draft = new_case(&app, &gp, "").await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let (status, _) = coordinator
        .query("cases/get", &[("id", &other_draft.to_string())])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let psychologist = app.signed_in("psychologue@demo.concerto.test").await;
    let (status, _) = psychologist.query("cases/get", &[("id", &id_text)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Reads by the coordinator are in the log, with who and from where.
    let (status, _) = coordinator.query("cases/get", &[("id", &id_text)]).await;
    assert_eq!(status, StatusCode::OK);
    let coordinator_id = user_id(&app, COORDINATOR).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'case.read' AND case_id = {id} AND user_id = {coordinator_id} AND client_ip = '127.0.0.1'"
        ))
        .await,
        1
    );
    let (status, page) = coordinator
        .query("cases/audit", &[("action", "case.read")])
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page["lines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["action"] == "Lecture d'un cas"));
    let (status, _) = gp.query("cases/audit", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The log cannot be changed, even in SQL.
    let tampered = db_run!(&app.state.db, c => sqlx::query("DELETE FROM audit_log").execute(&mut *c).await.map(|d| d.rows_affected()));
    assert!(tampered.is_err());

    // Moved to the second organisation (the demo coordinator belongs to both), the case is "not
    // found" for its own author, who is a member of the first only.
    let second: i64 = db_run!(&app.state.db, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM organisations WHERE name = 'CPTS Démo Lochois'").fetch_one(&mut *c).await)
    .unwrap();
    db_run!(&app.state.db, c => sqlx::query("UPDATE cases SET organisation_id = $1 WHERE id = $2")
        .bind(second).bind(id).execute(&mut *c).await.map(|d| d.rows_affected()))
    .unwrap();
    let (status, _) = gp.query("cases/get", &[("id", &id_text)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = coordinator.query("cases/get", &[("id", &id_text)]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_re_discussed_patient_shows_the_trend_of_the_scales() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let phq9 = |answers: [&'static str; 9]| -> Vec<(String, &'static str)> {
        answers
            .iter()
            .enumerate()
            .map(|(n, a)| (format!("case[items][phq9-{}]", n + 1), *a))
            .collect()
    };
    let first = new_case(&app, &gp, "").await;
    let items = phq9(["2", "2", "2", "2", "2", "2", "1", "1", "0"]); // 14
    let overrides: Vec<(&str, &str)> = items.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (status, body) = save_case(&gp, first, 1, "submit", &overrides).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = gp.query("cases/get", &[("id", &first.to_string())]).await;
    let first_code = view["code"].as_str().unwrap().to_string();

    // An unknown code is refused with a clear message.
    let (status, body) = gp
        .call(
            "cases/new",
            &[("meeting_id", ""), ("follows", "C-1999-999")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("Aucun cas « C-1999-999 »"),
        "{body}"
    );

    let second = new_case_following(&app, &gp, "", &first_code).await;
    let items = phq9(["1", "1", "1", "1", "1", "1", "0", "0", "0"]); // 6
    let overrides: Vec<(&str, &str)> = items.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (status, body) = save_case(&gp, second, 1, "save", &overrides).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = gp.query("cases/get", &[("id", &second.to_string())]).await;
    assert_eq!(view["patient_code"], first_code.as_str());
    let trend = view["scales"][0]["trend"].as_str().unwrap_or_default();
    assert!(trend.contains(&format!("{first_code} : 14/27")), "{view}");
    assert!(
        trend.contains("6/27") && trend.contains("En amélioration"),
        "{trend}"
    );
}

#[tokio::test]
async fn a_request_unanswered_after_the_delay_is_flagged_to_the_coordinators_once() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let id = new_case(&app, &gp, "").await;
    let (status, body) = save_case(&gp, id, 1, "submit", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now = chrono::Utc::now();
    let flag = |at| concerto_server::cases::flag_overdue_requests(&app.state, at);
    // Within the organisation's 7 days: nothing. (The demo's waiting request is recent too.)
    assert_eq!(flag(now + chrono::Duration::days(7)).await.unwrap(), 0);
    // Past them: once, to the coordinator, without clinical content.
    let later = now + chrono::Duration::days(8);
    assert_eq!(
        flag(later).await.unwrap(),
        2,
        "this request and the demo's waiting one"
    );
    assert_eq!(flag(later).await.unwrap(), 0);
    let mails: Vec<String> = db_run!(&app.state.db, c => sqlx::query_scalar::<_, String>(
        "SELECT body_text FROM outbox WHERE recipient = $1 AND subject LIKE 'Demande d''avis sans réponse%'")
        .bind(COORDINATOR).fetch_all(&mut *c).await)
    .unwrap();
    assert_eq!(mails.len(), 2);
    assert!(
        mails.iter().any(|m| m.contains(&format!("/cas/{id}"))),
        "{mails:?}"
    );
    assert!(mails.iter().all(|m| !m.contains("Sertraline")), "{mails:?}");
}

#[tokio::test]
async fn coordinators_set_the_answer_delay_and_the_tele_expertise_limit() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let (status, _) = gp
        .call(
            "cases/settings",
            &[("answer_days", "3"), ("yearly_limit", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = coordinator
        .call(
            "cases/settings",
            &[("answer_days", "0"), ("yearly_limit", "deux")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_message(&body, "answer_days").contains("entre 1 et 60"));
    assert!(field_message(&body, "yearly_limit").contains("entre 1 et 52"));
    let (status, body) = coordinator
        .call(
            "cases/settings",
            &[("answer_days", "3"), ("yearly_limit", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, lists) = coordinator.query("cases/list", &[]).await;
    assert_eq!(lists["answer_days"], 3);
    assert_eq!(lists["yearly_limit"], 2);
    // Four days later the demo's waiting request is overdue under the new delay.
    let later = chrono::Utc::now() + chrono::Duration::days(4);
    let flagged = concerto_server::cases::flag_overdue_requests(&app.state, later)
        .await
        .unwrap();
    assert_eq!(flagged, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.change'")
            .await,
        1
    );
}
