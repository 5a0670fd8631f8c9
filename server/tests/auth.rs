//! Sign-in, sessions, CSRF, throttling, security headers, health.

mod common;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = TestApp::demo().await;
    let (status, body) = app.browser().get_text("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
}

#[tokio::test]
async fn sign_in_without_javascript_sets_a_hardened_session_cookie() {
    let app = TestApp::demo().await;
    let mut browser = app.browser();
    let response = browser.sign_in(COORDINATOR, DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/agenda");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("concerto_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    // The agenda now shows the signed-in person.
    let (status, html) = browser.get_text("/agenda").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Mon agenda"));
    assert!(html.contains("Claire Martin"));
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id_and_sign_out_ends_it() {
    let app = TestApp::demo().await;
    let mut browser = app.browser();
    let first = browser.sign_in(GP, DEMO_PASSWORD).await;
    let second = browser.sign_in(GP, DEMO_PASSWORD).await;
    let session = |r: &reqwest::Response| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("concerto_session="))
            .unwrap()
    };
    assert_ne!(session(&first), session(&second));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions").await,
        1,
        "the previous session is dropped"
    );
    let form = [("csrf_token", browser.csrf.as_str())];
    let response = browser
        .client
        .post(browser.url("/auth/logout"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    let (_, html) = browser.get_text("/agenda").await;
    assert!(!html.contains("Dr Julien Moreau"), "signed out");
}

#[tokio::test]
async fn wrong_password_then_throttling_with_a_clear_message() {
    let app = TestApp::demo().await;
    let mut browser = app.browser();
    let response = browser.sign_in(GP, "wrong password").await;
    assert_eq!(
        response.headers()["location"],
        "/login?error=invalid&email=generaliste%40demo.concerto.test"
    );
    let (_, html) = browser
        .get_text("/login?error=invalid&email=generaliste%40demo.concerto.test")
        .await;
    assert!(html.contains("E-mail ou mot de passe incorrect."));
    assert!(
        html.contains("value=\"generaliste@demo.concerto.test\""),
        "the e-mail typed is kept"
    );
    for _ in 0..5 {
        browser.sign_in(GP, "wrong password").await;
    }
    // Even the right password is refused while throttled.
    let response = browser.sign_in(GP, DEMO_PASSWORD).await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/login?error=throttled"), "{location}");
    let (_, html) = browser.get_text(&location).await;
    assert!(html.contains("Trop de tentatives"));
}

#[tokio::test]
async fn a_wrong_csrf_token_is_refused_and_stores_nothing() {
    let app = TestApp::demo().await;
    let mut browser = app.signed_in(COORDINATOR).await;
    let before = app.count("SELECT COUNT(*) FROM meetings").await;
    browser.csrf = "forged-token-forged-token-forged-token-00".into();
    let (status, body) = browser
        .call(
            "meetings/create",
            &meeting_fields(&[("draft[repeat]", "none")]),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.to_string().contains("Csrf"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM meetings").await, before);
    // Sign-in without the token is refused too.
    let fresh = app.browser();
    let response = fresh
        .client
        .post(fresh.url("/auth/login"))
        .form(&[("email", COORDINATOR), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/login?error=csrf");
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_hydration_nonce() {
    let app = TestApp::demo().await;
    let response = app.browser().get("/login").await;
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("referrer-policy"));
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
}

#[tokio::test]
async fn protected_pages_send_strangers_to_sign_in() {
    let app = TestApp::demo().await;
    let response = app.browser().get("/reunions").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/login");
    let (status, body) = app
        .browser()
        .query("meetings/list", &[("kind", ""), ("period", "upcoming")])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = app
        .browser()
        .call("meetings/create", &meeting_fields(&[]))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a state change without the anti-forgery cookie"
    );
}
