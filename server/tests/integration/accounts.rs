//! Account recovery and hygiene: "Mot de passe oublié", re-invitations, `concerto user
//! reset-password`, setting a password ends every other session and link, consent to join an
//! organisation, role changes, hashed calendar tokens.

use std::process::Command;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

const NEW_PASSWORD: &str = "une phrase de passe neuve";
const UNKNOWN: &str = "personne@nulle-part.test";
const NEWCOMER: &str = "nouvelle.psy@example.test";

/// (subject, body) of every e-mail queued for `recipient`, oldest first.
async fn mails_to(app: &TestApp, recipient: &str) -> Vec<(String, String)> {
    db_run!(&app.state.db, c => sqlx::query_as("SELECT subject, body_text FROM outbox WHERE recipient = $1 ORDER BY id")
        .bind(recipient)
        .fetch_all(&mut *c).await)
        .unwrap()
}

/// The path of the one-time link in an e-mail body (`/mot-de-passe/TOKEN`), if any.
fn link_path(body: &str) -> Option<String> {
    let start = body.find("/mot-de-passe/")?;
    let rest = &body[start..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// The one-time link path of the latest e-mail to `recipient`.
async fn latest_link(app: &TestApp, recipient: &str) -> String {
    let mails = mails_to(app, recipient).await;
    let (_, body) = mails.last().expect("an e-mail");
    link_path(body).unwrap_or_else(|| panic!("a one-time link in:\n{body}"))
}

/// A browser that is not signed in but has the anti-forgery token.
async fn anonymous(app: &TestApp) -> Browser {
    let mut browser = app.browser();
    browser.fetch_csrf().await;
    browser
}

/// Asks for a reset link from the "Mot de passe oublié" form.
async fn forgot(app: &TestApp, email: &str) -> (StatusCode, Value) {
    anonymous(app)
        .await
        .call("password/forgot", &[("email", email)])
        .await
}

/// Sets a password through a one-time link path.
async fn set_password(app: &TestApp, path: &str, password: &str) -> (StatusCode, Value) {
    let token = path.trim_start_matches("/mot-de-passe/");
    anonymous(app)
        .await
        .call(
            "password/set",
            &[
                ("token", token),
                ("password", password),
                ("confirmation", password),
            ],
        )
        .await
}

/// Where a sign-in attempt sends the browser.
async fn sign_in_location(app: &TestApp, email: &str, password: &str) -> String {
    let response = app.browser().sign_in(email, password).await;
    response.headers()["location"].to_str().unwrap().to_string()
}

/// Names of the organisations the browser's session gives access to (from the session JSON
/// that a page with islands carries, here "Vérifier un texte").
async fn organisations_seen(browser: &Browser) -> Vec<String> {
    let (status, html) = browser.get_text("/verifier").await;
    assert_eq!(status, StatusCode::OK);
    let marker = format!("id=\"{}\"", app::SESSION_ELEMENT_ID);
    let start = html.find(&marker).expect("the session element") + marker.len();
    let start = start + html[start..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</script>").unwrap();
    let session: Value = serde_json::from_str(&html[start..end]).unwrap();
    session["viewer"]["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["organisation_name"].as_str().unwrap().to_string())
        .collect()
}

/// The coordinator, acting for the second demo organisation (CPTS Démo Lochois).
async fn coordinator_of_lochois(app: &TestApp) -> (Browser, i64) {
    let mut coordinator = app.signed_in(COORDINATOR).await;
    let lochois = organisation_id(app, concerto_server::demo::SECOND_ORGANISATION).await;
    let id = lochois.to_string();
    let response = coordinator
        .client
        .post(coordinator.url("/auth/organisation"))
        .form(&[
            ("organisation_id", id.as_str()),
            ("csrf_token", &coordinator.csrf),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    coordinator.fetch_csrf().await;
    (coordinator, lochois)
}

async fn organisation_id(app: &TestApp, name: &str) -> i64 {
    db_run!(&app.state.db, c => sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *c).await)
    .unwrap()
}

async fn membership(app: &TestApp, email: &str, organisation: i64) -> Option<(String, String)> {
    db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT m.role, m.status FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE u.email = $1 AND m.organisation_id = $2",
    )
    .bind(email)
    .bind(organisation)
    .fetch_optional(&mut *c).await)
    .unwrap()
}

async fn invite(browser: &Browser, email: &str, name: &str, role: &str) {
    let (status, body) = browser
        .call(
            "members/invite",
            &[("email", email), ("display_name", name), ("role", role)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn forgotten_password_answers_the_same_and_mails_only_existing_accounts() {
    let app = TestApp::demo().await;
    let (_, login) = app.browser().get_text("/login").await;
    assert!(login.contains("href=\"/mot-de-passe-oublie\""), "{login}");
    let (status, page) = app.browser().get_text("/mot-de-passe-oublie").await;
    assert_eq!(status, StatusCode::OK, "public page");
    assert!(page.contains("Mot de passe oublié"));

    let known = forgot(&app, NURSE).await;
    let unknown = forgot(&app, UNKNOWN).await;
    assert_eq!(known.0, StatusCode::OK, "{:?}", known.1);
    assert_eq!(known, unknown, "no hint whether an account exists");
    assert!(mails_to(&app, UNKNOWN).await.is_empty());
    let mails = mails_to(&app, NURSE).await;
    assert_eq!(mails.len(), 1);
    assert!(link_path(&mails[0].1).is_some(), "{}", mails[0].1);
    assert!(mails[0].1.contains("2 heures"), "{}", mails[0].1);
    // A mistyped address is a field error, never a hint either.
    let (status, body) = forgot(&app, "pas-une-adresse").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn a_reset_link_sets_the_password_and_ends_every_other_session_and_link() {
    let app = TestApp::demo().await;
    let elsewhere = app.signed_in(NURSE).await;
    forgot(&app, NURSE).await;
    let first = latest_link(&app, NURSE).await;
    forgot(&app, NURSE).await;
    let second = latest_link(&app, NURSE).await;
    assert_ne!(first, second);

    let (status, body) = set_password(&app, &first, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The browser signed in before is signed out.
    let response = elsewhere.get("/agenda").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/login");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE u.email = 'infirmier@demo.concerto.test'"
        )
        .await,
        0
    );
    // Browsers trusted through an earlier sign-in are not any more.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM trusted_devices d JOIN users u ON u.id = d.user_id
             WHERE u.email = 'infirmier@demo.concerto.test'"
        )
        .await,
        0
    );
    // The old password no longer works, the new one does.
    assert!(sign_in_location(&app, NURSE, DEMO_PASSWORD)
        .await
        .starts_with("/login?error="));
    assert_eq!(sign_in_location(&app, NURSE, NEW_PASSWORD).await, "/agenda");
    // Both links are dead now, with a message that says what to do.
    for link in [&first, &second] {
        let (status, body) = set_password(&app, link, "encore un autre secret").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.to_string()
                .contains("Demandez un nouveau lien depuis « Mot de passe oublié »"),
            "{body}"
        );
    }
    assert_eq!(sign_in_location(&app, NURSE, NEW_PASSWORD).await, "/agenda");
}

#[tokio::test]
async fn reset_e_mails_are_limited_to_three_per_account_and_hour() {
    let app = TestApp::demo().await;
    let first = forgot(&app, NURSE).await;
    for _ in 0..4 {
        assert_eq!(forgot(&app, NURSE).await, first, "always the same answer");
    }
    assert_eq!(mails_to(&app, NURSE).await.len(), 3);
}

#[tokio::test]
async fn re_inviting_a_member_who_never_set_a_password_mails_a_new_working_link() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    invite(&coordinator, NEWCOMER, "Dr Nouvelle", "psychiatrist").await;
    let first = latest_link(&app, NEWCOMER).await;
    // The re-invitation asks for another role: the role stays.
    invite(&coordinator, NEWCOMER, "Dr Nouvelle", "nurse").await;
    let second = latest_link(&app, NEWCOMER).await;
    assert_ne!(first, second, "a new link");
    let touraine = organisation_id(&app, concerto_server::demo::DEMO_ORGANISATION).await;
    assert_eq!(
        membership(&app, NEWCOMER, touraine).await,
        Some(("psychiatrist".to_string(), "active".to_string()))
    );
    let (status, body) = set_password(&app, &second, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        sign_in_location(&app, NEWCOMER, NEW_PASSWORD).await,
        "/agenda"
    );
    let (status, _) = set_password(&app, &first, "un autre mot de passe").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the older link died"
    );

    // A member who has a password is told how to sign in, and where to get a new password.
    invite(&coordinator, GP, "Dr Julien Moreau", "coordinator").await;
    let mails = mails_to(&app, GP).await;
    let (_, body) = mails.last().unwrap();
    assert!(link_path(body).is_none(), "{body}");
    assert!(body.contains("/mot-de-passe-oublie"), "{body}");
    assert_eq!(
        membership(&app, GP, touraine).await,
        Some(("gp".to_string(), "active".to_string())),
        "re-inviting never changes the role"
    );
}

#[tokio::test]
async fn the_cli_prints_a_reset_link_that_works() {
    let app = TestApp::demo().await;
    let elsewhere = app.signed_in(NURSE).await;
    let output = Command::new(env!("CARGO_BIN_EXE_concerto"))
        .args([
            "user",
            "reset-password",
            NURSE,
            "--database-url",
            &app.database_url,
            "--base-url",
            &app.address,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let link = String::from_utf8(output.stdout).unwrap();
    let path = link
        .trim()
        .strip_prefix(&app.address)
        .unwrap_or_else(|| panic!("a link to this server: {link}"))
        .to_string();
    let (status, body) = set_password(&app, &path, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(sign_in_location(&app, NURSE, NEW_PASSWORD).await, "/agenda");
    let (status, _) = elsewhere.get_text("/agenda").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out everywhere");
}

#[tokio::test]
async fn an_existing_account_joins_another_organisation_only_after_accepting() {
    let app = TestApp::demo().await;
    let (coordinator, lochois) = coordinator_of_lochois(&app).await;
    invite(&coordinator, GP, "Dr Julien Moreau", "gp").await;
    assert_eq!(
        membership(&app, GP, lochois).await,
        Some(("gp".to_string(), "pending".to_string()))
    );
    let (_, body) = mails_to(&app, GP).await.pop().unwrap();
    assert!(body.contains("/agenda"), "{body}");
    assert!(link_path(&body).is_none(), "{body}");
    // Listed as pending, but not offered as an invitee.
    let (status, members) = coordinator.query("members/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{members}");
    let listed = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == GP)
        .expect("the pending member is listed");
    assert_eq!(listed["pending"], true);
    let meeting = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    let gp_id = user_id(&app, GP).await.to_string();
    let (status, body) = coordinator
        .call(
            "meetings/invite",
            &[("id", &meeting.to_string()), ("user_id", &gp_id)],
        )
        .await;
    assert_ne!(status, StatusCode::OK, "{body}");

    // The person sees the invitation, not the organisation.
    let gp = app.signed_in(GP).await;
    let seen = organisations_seen(&gp).await;
    assert!(!seen.iter().any(|n| n.contains("Lochois")), "{seen:?}");
    let (_, invitations) = gp.query("members/invitations", &[]).await;
    assert_eq!(
        invitations[0]["organisation_name"],
        concerto_server::demo::SECOND_ORGANISATION
    );
    let (_, html) = gp.get_text("/agenda").await;
    assert!(html.contains("Invitations à rejoindre une organisation"));
    let id = lochois.to_string();
    let (status, body) = gp
        .call(
            "members/answer-invitation",
            &[("organisation_id", &id), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = organisations_seen(&gp).await;
    assert!(seen.iter().any(|n| n.contains("Lochois")), "{seen:?}");

    // Another one declines: the invitation is gone.
    invite(&coordinator, NURSE, "Thomas Petit (IDE)", "nurse").await;
    let nurse = app.signed_in(NURSE).await;
    let (status, body) = nurse
        .call(
            "members/answer-invitation",
            &[("organisation_id", &id), ("answer", "decline")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(membership(&app, NURSE, lochois).await, None);
}

#[tokio::test]
async fn roles_change_on_the_members_page_but_never_leave_no_coordinator() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let touraine = organisation_id(&app, concerto_server::demo::DEMO_ORGANISATION).await;
    let (_, html) = coordinator.get_text("/membres").await;
    assert!(html.contains("Changer le rôle"));
    let gp_id = user_id(&app, GP).await.to_string();
    let (status, body) = coordinator
        .call(
            "members/set-role",
            &[("user_id", &gp_id), ("role", "nurse")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        membership(&app, GP, touraine).await.unwrap().0,
        "nurse".to_string()
    );
    let own = user_id(&app, COORDINATOR).await.to_string();
    let (status, body) = coordinator
        .call("members/set-role", &[("user_id", &own), ("role", "gp")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("au moins un·e coordinateur·rice"),
        "{body}"
    );
    assert_eq!(
        membership(&app, COORDINATOR, touraine).await.unwrap().0,
        "coordinator".to_string()
    );
    // Only coordinators change roles.
    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let (status, _) = psychiatrist
        .call("members/set-role", &[("user_id", &own), ("role", "gp")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn calendar_tokens_are_stored_hashed_and_the_feed_still_works() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let (status, created) = gp.call("profile/calendar-token", &[]).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let url = created
        .as_str()
        .expect("the new URL, shown once")
        .to_string();
    let token = url
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".ics")
        .to_string();
    let stored: Vec<(Option<String>, Option<String>)> =
        db_run!(&app.state.db, c => sqlx::query_as("SELECT calendar_token, calendar_token_hash FROM users WHERE email = $1")
            .bind(GP)
            .fetch_all(&mut *c).await)
            .unwrap();
    assert_eq!(
        stored,
        vec![(None, Some(app::backend::security::token_hash(&token)))],
        "only the hash is kept"
    );
    let (_, profile) = gp.query("profile", &[]).await;
    assert_eq!(profile["calendar_active"], true);
    assert!(!profile.to_string().contains(&token), "{profile}");
    let path = format!("/calendar/{token}.ics");
    let (status, text) = app.browser().get_text(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
}
