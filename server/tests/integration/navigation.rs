//! The navigation shows only what the viewer may open: for every demo account, every link of
//! the main navigation answers 200 (no 403, no 404, no redirect to the sign-in page), and so do
//! the home page and the page reached after sign-in.

use crate::common::*;
use reqwest::StatusCode;

const ACCOUNTS: [&str; 6] = [
    COORDINATOR,
    GP,
    PSYCHIATRIST,
    NURSE,
    "psychologue@demo.concerto.test",
    ADMIN,
];

/// The `href`s of the `<nav aria-label="Navigation principale">` block of a page.
fn main_navigation_links(html: &str) -> Vec<String> {
    let label = html
        .find("aria-label=\"Navigation principale\"")
        .expect("the main navigation");
    let start = html[..label].rfind("<nav").expect("a <nav> element");
    let end = html[start..]
        .find("</nav>")
        .expect("the end of the navigation")
        + start;
    let block = &html[start..end];
    let marker = "href=\"";
    let mut links = Vec::new();
    let mut rest = block;
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let close = rest.find('"').expect("a closed href");
        links.push(rest[..close].to_string());
        rest = &rest[close..];
    }
    links
}

/// Follows redirects (at most three) from `path`; returns the last path and its status.
async fn open(browser: &Browser, path: &str) -> (String, StatusCode) {
    let mut path = path.to_string();
    for _ in 0..3 {
        let response = browser.get(&path).await;
        let status = response.status();
        if !status.is_redirection() {
            return (path, status);
        }
        path = response.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches(&browser.base)
            .to_string();
    }
    (path, StatusCode::LOOP_DETECTED)
}

#[tokio::test]
async fn every_link_of_the_navigation_opens_for_every_role() {
    let app = TestApp::demo().await;
    for email in ACCOUNTS {
        // `signed_in` checks that sign-in leads to /agenda.
        let browser = app.signed_in(email).await;
        let (status, html) = browser.get_text("/agenda").await;
        assert_eq!(status, StatusCode::OK, "{email}: /agenda");
        let links = main_navigation_links(&html);
        assert!(links.iter().any(|l| l == "/profil"), "{email}: {links:?}");
        for link in &links {
            let response = browser.get(link).await;
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "{email}: {link} (location {:?})",
                response.headers().get("location")
            );
        }
        let (landing, status) = open(&browser, "/").await;
        assert_eq!(status, StatusCode::OK, "{email}: / leads to {landing}");
        assert_ne!(landing, "/login", "{email}: / leads to sign-in");
    }
}

#[tokio::test]
async fn each_role_sees_its_sections() {
    let app = TestApp::demo().await;
    let links = |html: String| main_navigation_links(&html);
    let coordinator = app.signed_in(COORDINATOR).await;
    let seen = links(coordinator.get_text("/agenda").await.1);
    for section in ["/reunions", "/agenda", "/verifier", "/membres", "/profil"] {
        assert!(seen.iter().any(|l| l == section), "coordinator: {seen:?}");
    }
    assert!(!seen.iter().any(|l| l == "/admin"), "coordinator: {seen:?}");

    let gp = app.signed_in(GP).await;
    let seen = links(gp.get_text("/agenda").await.1);
    for section in ["/reunions", "/agenda", "/verifier", "/profil"] {
        assert!(seen.iter().any(|l| l == section), "GP: {seen:?}");
    }
    assert!(
        !seen.iter().any(|l| l == "/membres" || l == "/admin"),
        "GP: {seen:?}"
    );

    let admin = app.signed_in(ADMIN).await;
    let seen = links(admin.get_text("/agenda").await.1);
    for section in ["/admin", "/profil"] {
        assert!(seen.iter().any(|l| l == section), "admin: {seen:?}");
    }
    assert!(
        !seen.iter().any(|l| l == "/reunions" || l == "/membres"),
        "an administrator without membership has no organisation pages: {seen:?}"
    );
}

/// Pages render on the server only: a page without islands loads no browser code and carries no
/// data serialised for hydration; a page with an island loads the browser code and the session
/// its island reads.
#[tokio::test]
async fn plain_pages_load_no_code_and_pages_with_islands_do() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting: i64 = app.count("SELECT MIN(id) FROM meetings").await;
    for path in [
        "/reunions".to_string(),
        "/agenda".to_string(),
        format!("/reunions/{meeting}"),
    ] {
        let (status, html) = coordinator.get_text(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            !html.contains("/pkg/concerto.js"),
            "{path} loads browser code"
        );
        assert!(!html.contains("<leptos-island"), "{path}");
        // No data serialised for hydration (Leptos still writes its empty bookkeeping line).
        assert!(
            !html.contains("__RESOLVED_RESOURCES["),
            "{path} serialises data:\n{html}"
        );
    }
    let (status, html) = coordinator.get_text("/verifier").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<leptos-island"), "{html}");
    assert!(html.contains(app::SESSION_ELEMENT_ID));
    assert!(html.contains("/pkg/concerto.js"));
}
