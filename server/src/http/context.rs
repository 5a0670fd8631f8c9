//! One middleware builds each request's context and hardens each response:
//! - a CSP nonce for Leptos' hydration script;
//! - the anti-forgery token (double-submit cookie, checked on every state-changing request,
//!   from the `csrf_token` form field or the `x-csrf-token` header);
//! - the signed-in viewer, resolved from the session cookie;
//! - security headers on every response (with HSTS when the site is served over https).

use app::api::session::{
    SessionView, Viewer, CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE,
};
use app::backend::db::sessions;
use app::backend::security::{random_token, same_secret};
use app::backend::AppState;
use app::error::AppError;
use app::CspNonce;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The raw session cookie value of the request, for sign-out and organisation switch.
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);

/// Largest form body read for the CSRF check.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Reads one cookie from the request headers.
pub use app::backend::cookie;

/// A `Set-Cookie` value with the house flags.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    same_site: &str,
    secure: bool,
) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).expect("cookie values are URL-safe")
}

/// The anti-forgery cookie carrying `token` (readable by no script; sent on same-site requests
/// only). Sign-out sets a fresh one, so a token seen before no longer validates.
pub fn csrf_cookie(token: &str, secure: bool) -> HeaderValue {
    set_cookie(CSRF_COOKIE, token, None, "Strict", secure)
}

fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/healthz" || path == "/favicon.ico"
}

/// Whether a GET of this path is a page that only signed-in people may see.
fn needs_sign_in(path: &str) -> bool {
    const PUBLIC_PREFIXES: [&str; 7] = [
        "/login",
        "/invitation",
        "/mot-de-passe",
        "/api/",
        "/auth/",
        "/calendar/",
        "/meetings/",
    ];
    !(PUBLIC_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || path == "/me/calendar.ics")
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn csrf_refusal(req_headers: &HeaderMap, path: &str) -> Response {
    let accepts_html = req_headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if path.starts_with("/api/") && !accepts_html {
        let body = serde_json::to_string(&AppError::Csrf).unwrap_or_default();
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    if path == "/auth/login" {
        return (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/login?error=csrf")],
        )
            .into_response();
    }
    let page = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Formulaire expiré</title></head>\
        <body><h1>Formulaire expiré</h1><p>Le formulaire a expiré ou ne vient pas de Concerto : rechargez la page \
        et recommencez.</p><p><a href=\"/\">Retour à l'accueil</a></p></body></html>";
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// The middleware.
pub async fn request_context(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let secure = state.settings.secure_cookies;
    if is_static(&path) {
        let mut response = next.run(request).await;
        harden(response.headers_mut(), None, true, secure);
        return response;
    }
    let (mut parts, body) = request.into_parts();

    // Anti-forgery token: reuse the cookie's, or issue one.
    let existing_csrf = cookie(&parts.headers, CSRF_COOKIE).filter(|t| t.len() >= 32);
    let csrf_token = existing_csrf.clone().unwrap_or_else(random_token);

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if unsafe_method {
        let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => {
                let mut response =
                    (StatusCode::PAYLOAD_TOO_LARGE, "Requête trop volumineuse.").into_response();
                harden(response.headers_mut(), None, false, secure);
                return response;
            }
        };
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| {
                if is_form {
                    form_field(&bytes, CSRF_FIELD)
                } else {
                    None
                }
            });
        let valid = match (&existing_csrf, &sent) {
            (Some(expected), Some(sent)) => same_secret(expected, sent),
            _ => false,
        };
        if !valid {
            tracing::info!(%path, "request refused: missing or wrong CSRF token");
            let mut response = csrf_refusal(&parts.headers, &path);
            harden(response.headers_mut(), None, false, secure);
            return response;
        }
        Body::from(bytes)
    } else {
        body
    };

    // The viewer: resolved from the database on every request (nothing is cached, so several
    // server processes on one database always agree).
    let session_token = cookie(&parts.headers, SESSION_COOKIE);
    let viewer = match &session_token {
        Some(token) => viewer_of(&state, token).await,
        None => None,
    };
    if let Some(token) = &session_token {
        parts.extensions.insert(SessionToken(token.clone()));
    }
    if let Some(viewer) = &viewer {
        parts.extensions.insert(viewer.clone());
    }
    // Pages need a signed-in person; send others to the sign-in page (server functions and
    // feeds answer 401 themselves).
    if viewer.is_none() && parts.method == Method::GET && needs_sign_in(&path) {
        let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
        if existing_csrf.is_none() {
            response
                .headers_mut()
                .append(header::SET_COOKIE, csrf_cookie(&csrf_token, secure));
        }
        harden(response.headers_mut(), None, false, secure);
        return response;
    }
    let nonce = random_token();

    parts.extensions.insert(CspNonce(nonce.clone()));
    parts.extensions.insert(SessionView {
        viewer,
        csrf_token: csrf_token.clone(),
    });
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let headers = response.headers_mut();
    if existing_csrf.is_none() {
        headers.append(header::SET_COOKIE, csrf_cookie(&csrf_token, secure));
    }
    harden(headers, Some(&nonce), false, secure);
    response
}

/// The signed-in viewer of a session cookie (one query).
async fn viewer_of(state: &AppState, token: &str) -> Option<Viewer> {
    match sessions::resolve_viewer(&state.db, token).await {
        Ok(viewer) => viewer,
        Err(error) => {
            tracing::error!(%error, "cannot resolve session");
            None
        }
    }
}

/// Adds the security headers; `https`: the site is served over https (then browsers are told
/// to never use plain http for it again, for a year).
fn harden(headers: &mut HeaderMap, nonce: Option<&str>, is_static: bool, https: bool) {
    let script_src = match nonce {
        Some(nonce) => format!("'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    let csp = format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(self), geolocation=()"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if is_static {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    } else if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
