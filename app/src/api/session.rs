//! Who is signed in, as the UI sees it. The server computes it once per request (from the
//! session cookie), renders it into the page, and the browser reads it back when it hydrates:
//! sign-in, sign-out and the switch of organisation are full page loads.

use serde::{Deserialize, Serialize};

pub use crate::domain::principal::{Membership, Viewer};

/// What every page knows about the request: the viewer and the anti-forgery token that every
/// form sends back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The signed-in person, if any.
    pub viewer: Option<Viewer>,
    /// The CSRF token (double-submit: equal to the `concerto_csrf` cookie).
    pub csrf_token: String,
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "concerto_session";
/// Name of the CSRF cookie.
pub const CSRF_COOKIE: &str = "concerto_csrf";
/// Name of the CSRF form field.
pub const CSRF_FIELD: &str = "csrf_token";
/// Name of the CSRF header (for scripts).
pub const CSRF_HEADER: &str = "x-csrf-token";
