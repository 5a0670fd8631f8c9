//! Sign-in, sessions, CSRF, throttling, security headers, health.

use crate::common::*;
use app::backend::db::{sessions, Instant};
use chrono::{Duration, Utc};
use concerto_server::config::{DatabaseArgs, ServeConfig};
use concerto_server::demo::SECOND_ORGANISATION;
use reqwest::StatusCode;

/// The value of the cookie `name` a response sets, with its flags after it.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&prefix).map(str::to_string))
}

/// Just the value of the cookie `name` a response sets.
fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    set_cookie(response, name).map(|c| c.split(';').next().unwrap_or_default().to_string())
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

/// Posts `count` sign-ins at once from `browser` (its cookies and token); one e-mail and
/// password each, taken in turn from `guesses`. Returns where each answer redirects, in order
/// of arrival.
async fn sign_ins_at_once(
    browser: &Browser,
    guesses: &[(String, &str)],
    count: usize,
) -> Vec<String> {
    let mut set = tokio::task::JoinSet::new();
    for (email, password) in guesses.iter().cycle().take(count) {
        let request = browser.client.post(browser.url("/auth/login")).form(&[
            ("email", email.as_str()),
            ("password", password),
            ("csrf_token", browser.csrf.as_str()),
        ]);
        set.spawn(async move { location(&request.send().await.unwrap()) });
    }
    let mut locations = Vec::new();
    while let Some(location) = set.join_next().await {
        locations.push(location.unwrap());
    }
    locations
}

async fn post_logout(browser: &Browser, csrf_token: &str) -> reqwest::Response {
    browser
        .client
        .post(browser.url("/auth/logout"))
        .form(&[("csrf_token", csrf_token)])
        .send()
        .await
        .unwrap()
}

fn count_starting(locations: &[String], prefix: &str) -> usize {
    locations.iter().filter(|l| l.starts_with(prefix)).count()
}

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
    let cookie = set_cookie(&response, "concerto_session").expect("session cookie");
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
    let session = |r: &reqwest::Response| cookie_value(r, "concerto_session").unwrap();
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
    for _ in 0..4 {
        let response = browser.sign_in(GP, "wrong password").await;
        assert!(location(&response).starts_with("/login?error=invalid"));
    }
    // Five failures from browsers the account does not trust: this one must wait, even with
    // the right password, and is told how long.
    let response = browser.sign_in(GP, DEMO_PASSWORD).await;
    let location = location(&response);
    assert!(
        location.starts_with("/login?error=throttled&minutes=5&"),
        "{location}"
    );
    let (_, html) = browser.get_text(&location).await;
    assert!(html.contains("Trop de tentatives"));
    assert!(
        html.contains("Réessayez dans 5 minutes ou utilisez « Mot de passe oublié »"),
        "{html}"
    );
}

#[tokio::test]
async fn parallel_guesses_never_get_more_than_the_budget() {
    let app = TestApp::demo().await;
    let mut attacker = app.browser();
    attacker.fetch_csrf().await;
    let guesses = [(GP.to_string(), "wrong password")];
    let locations = sign_ins_at_once(&attacker, &guesses, 20).await;
    let budget = sessions::ACCOUNT_FREE_FAILURES as usize;
    assert_eq!(
        count_starting(&locations, "/login?error=invalid"),
        budget,
        "{locations:?}"
    );
    assert_eq!(
        count_starting(&locations, "/login?error=throttled&minutes=5&"),
        20 - budget,
        "{locations:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sign_in_attempts").await,
        budget as i64,
        "only the attempts within budget had their password checked"
    );
    // The right password from another unknown browser waits too.
    let mut stranger = app.browser();
    let response = stranger.sign_in(GP, DEMO_PASSWORD).await;
    assert!(location(&response).starts_with("/login?error=throttled"));
}

#[tokio::test]
async fn an_attack_on_an_account_does_not_lock_its_owner_out() {
    let app = TestApp::demo().await;
    // The owner signed in on this browser before: it is trusted for the account.
    let mut owner = app.browser();
    let response = owner.sign_in(GP, DEMO_PASSWORD).await;
    assert_eq!(location(&response), "/agenda");
    let device = set_cookie(&response, "concerto_device").expect("a device cookie");
    assert!(device.contains("HttpOnly"), "{device}");
    assert!(device.contains("Max-Age="), "long-lived: {device}");

    // Someone else hammers the account.
    let mut attacker = app.browser();
    for _ in 0..8 {
        attacker.sign_in(GP, "guess").await;
    }
    let response = attacker.sign_in(GP, DEMO_PASSWORD).await;
    assert!(location(&response).starts_with("/login?error=throttled"));
    let mut stranger = app.browser();
    let response = stranger.sign_in(GP, DEMO_PASSWORD).await;
    assert!(location(&response).starts_with("/login?error=throttled"));

    // The owner's browser still gets in; even a typo there is only "incorrect".
    owner.fetch_csrf().await;
    let response = owner.sign_in(GP, "typo").await;
    assert!(location(&response).starts_with("/login?error=invalid"));
    let response = owner.sign_in(GP, DEMO_PASSWORD).await;
    assert_eq!(location(&response), "/agenda");
    let (_, html) = owner.get_text("/agenda").await;
    assert!(html.contains("Dr Julien Moreau"));

    // Its success does not forgive the attacker's failures.
    let response = stranger.sign_in(GP, DEMO_PASSWORD).await;
    assert!(location(&response).starts_with("/login?error=throttled"));
    // Another account is not concerned.
    app.signed_in(NURSE).await;
}

#[tokio::test]
async fn one_client_address_is_limited_across_accounts() {
    let app = TestApp::demo().await;
    let mut owner = app.signed_in(NURSE).await;
    let mut sprayer = app.browser();
    sprayer.fetch_csrf().await;
    let budget = sessions::CLIENT_FREE_FAILURES as usize;
    // One guess per address: no account reaches its own limit.
    let guesses: Vec<(String, &str)> = (0..budget)
        .map(|n| (format!("personne{n}@example.test"), "Printemps2026!"))
        .collect();
    let locations = sign_ins_at_once(&sprayer, &guesses, budget).await;
    assert_eq!(count_starting(&locations, "/login?error=invalid"), budget);

    let response = sprayer.sign_in(GP, DEMO_PASSWORD).await;
    assert!(
        location(&response).starts_with("/login?error=throttled&minutes=5&"),
        "{}",
        location(&response)
    );
    // The generous per-address limit binds trusted browsers too.
    owner.fetch_csrf().await;
    let response = owner.sign_in(NURSE, DEMO_PASSWORD).await;
    assert!(location(&response).starts_with("/login?error=throttled"));
}

#[tokio::test]
async fn the_purge_deletes_old_attempts_ended_sessions_and_expired_devices() {
    let app = TestApp::demo().await;
    let pool = &app.state.db;
    let user = user_id(&app, GP).await;
    // The purge runs as of ten days ahead, so the application's own purge (at start-up) finds
    // nothing of this to delete yet.
    let now = Utc::now() + Duration::days(10);
    for (account, hours_ago) in [("old", 25), ("recent", 1)] {
        db_run!(pool, c => sqlx::query(
            "INSERT INTO sign_in_attempts (account, client, browser, trusted, attempted_at)
             VALUES ($1, '192.0.2.1', 'b', FALSE, $2)",
        )
        .bind(account)
        .bind(Instant(now - Duration::hours(hours_ago)))
        .execute(&mut *c).await.map(|done| done.rows_affected()))
        .unwrap();
    }
    // (id, created, last seen, expires): past the absolute end, idle too long, alive.
    let sessions_rows = [
        (
            "ended",
            now - Duration::hours(13),
            now - Duration::minutes(5),
            now - Duration::hours(1),
        ),
        (
            "idle",
            now - Duration::hours(6),
            now - Duration::hours(5),
            now + Duration::hours(6),
        ),
        (
            "alive",
            now - Duration::hours(1),
            now - Duration::minutes(1),
            now + Duration::hours(11),
        ),
    ];
    for (id, created, seen, expires) in sessions_rows {
        db_run!(pool, c => sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, organisation_id, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, NULL, $3, $4, $5)",
        )
        .bind(id)
        .bind(user)
        .bind(Instant(created))
        .bind(Instant(seen))
        .bind(Instant(expires))
        .execute(&mut *c).await.map(|done| done.rows_affected()))
        .unwrap();
    }
    for (hash, expires) in [
        ("expired", now - Duration::days(1)),
        ("trusted", now + Duration::days(30)),
    ] {
        db_run!(pool, c => sqlx::query(
            "INSERT INTO trusted_devices (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(hash)
        .bind(user)
        .bind(Instant(now - Duration::days(90)))
        .bind(Instant(expires))
        .execute(&mut *c).await.map(|done| done.rows_affected()))
        .unwrap();
    }

    let purged = sessions::purge(pool, now).await.unwrap();
    assert_eq!(
        (purged.attempts, purged.sessions, purged.devices),
        (1, 2, 1)
    );
    for (sql, left) in [
        ("SELECT account FROM sign_in_attempts", "recent"),
        ("SELECT id_hash FROM sessions", "alive"),
        ("SELECT token_hash FROM trusted_devices", "trusted"),
    ] {
        let rows: Vec<String> =
            db_run!(pool, c => sqlx::query_scalar(sql).fetch_all(&mut *c).await).unwrap();
        assert_eq!(rows, [left], "{sql}");
    }
}

#[tokio::test]
async fn the_organisation_switch_only_goes_back_to_a_path_of_this_site() {
    let app = TestApp::demo().await;
    let mut browser = app.signed_in(PSYCHIATRIST).await;
    browser.fetch_csrf().await;
    let second: i64 = db_run!(&app.state.db, c => sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
        .bind(SECOND_ORGANISATION)
        .fetch_one(&mut *c).await)
        .unwrap();
    let site = &app.address;
    let cases = [
        (format!("{site}//evil.example"), "/reunions"),
        (format!("{site}//evil.example/reunions"), "/reunions"),
        (format!("{site}/\\evil.example"), "/reunions"),
        (format!("{site}/agenda?semaine=2"), "/agenda?semaine=2"),
    ];
    for (referer, expected) in cases {
        let response = browser
            .client
            .post(browser.url("/auth/organisation"))
            .header("referer", &referer)
            .form(&[
                ("organisation_id", second.to_string().as_str()),
                ("csrf_token", browser.csrf.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{referer}");
        assert_eq!(location(&response), expected, "{referer}");
    }
}

/// A demo application whose public base URL is https (served over plain http here, as behind
/// a TLS-terminating proxy). Returns its address and the folder to keep alive.
async fn spawn_https_app() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database: DatabaseArgs {
            database_url: test_database_url(&dir).await,
        },
        demo: true,
        smtp_url: None,
        outbox_dir: dir.path().join("outbox"),
        mail_from: "Concerto <concerto@localhost>".into(),
        base_url: Some("https://concerto.example.test".into()),
        site_root: dir.path().join("site").display().to_string(),
        reminder_interval_seconds: 1,
        video: concerto_server::config::VideoArgs::default(),
    };
    let application = concerto_server::Application::build(config).await.unwrap();
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));
    (address, dir)
}

#[tokio::test]
async fn hsts_is_sent_exactly_when_the_site_is_https() {
    const HSTS: &str = "max-age=31536000; includeSubDomains";
    let (address, _dir) = spawn_https_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/login", "/healthz", "/reunions"] {
        let response = client.get(format!("{address}{path}")).send().await.unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            HSTS,
            "{path}"
        );
    }
    let response = client
        .post(format!("{address}/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "no anti-forgery token"
    );
    assert_eq!(response.headers()["strict-transport-security"], HSTS);

    let app = TestApp::demo().await;
    let response = app.browser().get("/login").await;
    assert!(!response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn sign_in_and_sign_out_rotate_the_anti_forgery_token() {
    let app = TestApp::demo().await;
    let mut browser = app.browser();
    let before = browser.fetch_csrf().await;
    let response = browser.sign_in(GP, DEMO_PASSWORD).await;
    let cookie = set_cookie(&response, "concerto_csrf").expect("a new anti-forgery cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let after = cookie_value(&response, "concerto_csrf").unwrap();
    assert_ne!(after, before);

    // The token seen before sign-in no longer validates.
    let response = post_logout(&browser, &before).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);

    // The pages carry the new one, which works; sign-out rotates it again.
    assert_eq!(browser.fetch_csrf().await, after);
    let response = post_logout(&browser, &after).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    let rotated = cookie_value(&response, "concerto_csrf").expect("a new anti-forgery cookie");
    assert_ne!(rotated, after);
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
