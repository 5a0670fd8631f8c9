//! Test harness: the real `Application` on port 0 with a fresh database (a SQLite file in a
//! temporary folder, or, when `CONCERTO_TEST_DATABASE_URL` names a PostgreSQL server, a new
//! database on it), a real SMTP sink, and "browsers" (HTTP clients with their own cookie jar).
#![allow(dead_code)]

pub mod smtp;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use app::backend::db::Db;
use app::on_db;
use concerto_server::config::{DatabaseArgs, ServeConfig};
use concerto_server::Application;
use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[allow(unused_imports)]
pub use app::backend::db::types::{instant_text, wall_clock_text};
#[allow(unused_imports)]
pub use app::backend::db::{Instant, WallClock};
pub use concerto_server::demo::DEMO_PASSWORD;
pub const COORDINATOR: &str = "coordination@demo.concerto.test";
pub const GP: &str = "generaliste@demo.concerto.test";
pub const PSYCHIATRIST: &str = "psychiatre@demo.concerto.test";
pub const NURSE: &str = "infirmier@demo.concerto.test";
pub const ADMIN: &str = "admin@demo.concerto.test";

/// A running application.
pub struct TestApp {
    pub address: String,
    /// The database it runs on (SQLite file or PostgreSQL database).
    pub database_url: String,
    pub dir: Arc<TempDir>,
    pub state: app::backend::AppState,
    pub smtp: Option<smtp::SmtpSink>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

/// How to start it.
#[derive(Default)]
pub struct Options {
    pub smtp: bool,
    pub demo: bool,
    /// Reuse this folder (and so the database) instead of a new one: a restart.
    pub dir: Option<Arc<TempDir>>,
    /// Reuse this SMTP sink.
    pub sink: Option<smtp::SmtpSink>,
    /// Sign in to the SMTP sink with this "user:password" (percent-encoded).
    pub smtp_login: Option<&'static str>,
    /// A SQLite file even when the suite runs on PostgreSQL (the source of `concerto copy`).
    pub sqlite: bool,
    /// Video settings other than the defaults.
    pub video: Option<concerto_server::config::VideoArgs>,
}

impl TestApp {
    pub async fn spawn(options: Options) -> TestApp {
        let dir = options
            .dir
            .unwrap_or_else(|| Arc::new(tempfile::tempdir().expect("temp dir")));
        let sink = match (options.sink, options.smtp) {
            (Some(sink), _) => Some(sink),
            (None, true) => Some(smtp::SmtpSink::start().await),
            (None, false) => None,
        };
        let database_url = if options.sqlite {
            sqlite_url(&dir)
        } else {
            test_database_url(&dir).await
        };
        let config = ServeConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            database: DatabaseArgs {
                database_url: database_url.clone(),
            },
            demo: options.demo,
            smtp_url: sink.as_ref().map(|s| match options.smtp_login {
                Some(login) => format!("smtp://{login}@127.0.0.1:{}", s.port),
                None => format!("smtp://127.0.0.1:{}", s.port),
            }),
            outbox_dir: dir.path().join("outbox"),
            mail_from: "Concerto <concerto@localhost>".into(),
            base_url: None,
            site_root: dir.path().join("site").display().to_string(),
            reminder_interval_seconds: 1,
            video: options.video.clone().unwrap_or_default(),
        };
        let application = Application::build(config)
            .await
            .expect("application builds");
        let address = format!("http://127.0.0.1:{}", application.port());
        let state = application.state();
        let (tx, rx) = oneshot::channel();
        let handle = tokio::spawn(application.run_until(async move {
            let _ = rx.await;
        }));
        TestApp {
            address,
            database_url,
            dir,
            state,
            smtp: sink,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub async fn demo() -> TestApp {
        TestApp::spawn(Options {
            demo: true,
            ..Default::default()
        })
        .await
    }

    /// Stops gracefully; returns the folder (for a restart) and the sink.
    pub async fn stop(mut self) -> (Arc<TempDir>, Option<smtp::SmtpSink>) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), handle).await;
        }
        (self.dir.clone(), self.smtp.take())
    }

    pub fn browser(&self) -> Browser {
        Browser {
            base: self.address.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            csrf: String::new(),
        }
    }

    /// A browser signed in as `email` with the demo password.
    pub async fn signed_in(&self, email: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {email}"
        );
        assert_eq!(
            response.headers()["location"],
            "/agenda",
            "sign-in of {email}"
        );
        browser
    }

    pub async fn count(&self, sql: &str) -> i64 {
        count(&self.state.db, sql).await
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.state.db
    }
}

/// `SELECT COUNT(*) …` (or any one integer) on either database.
pub async fn count(db: &Db, sql: &str) -> i64 {
    let run = async { on_db!(db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *c).await) };
    run.await.unwrap()
}

/// Which database the suite runs on: the name of the test run's database for messages.
pub fn on_postgres() -> bool {
    std::env::var("CONCERTO_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty())
}

/// The SQLite file of the application of `dir`.
pub fn sqlite_url(dir: &TempDir) -> String {
    format!("sqlite://{}/concerto.db", dir.path().display())
}

/// [`test_database_url`] outside async code (command-line tests).
pub fn test_database_url_blocking(dir: &TempDir) -> String {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(test_database_url(dir))
}

/// A database for the application of `dir`: a SQLite file in it, or a PostgreSQL database named
/// after it on the server of `CONCERTO_TEST_DATABASE_URL` (created if missing, so that a restart
/// on the same folder finds the same data).
pub async fn test_database_url(dir: &TempDir) -> String {
    let Some(server) = std::env::var("CONCERTO_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        return sqlite_url(dir);
    };
    let name: String = format!(
        "t_{}",
        dir.path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_lowercase()
    )
    .chars()
    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
    .collect();
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .expect("test PostgreSQL server answers");
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut admin)
        .await
        .unwrap();
    if exists.is_none() {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
    }
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server.as_str(), String::new()),
    };
    let (host, _) = base.rsplit_once('/').expect("postgres://…/database");
    format!("{host}/{name}{query}")
}

/// An HTTP client with its own cookie jar, like one browser.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub csrf: String,
}

impl Browser {
    /// The same browser (same cookies) talking to another application: another server process
    /// on the same database.
    pub fn at(&self, app: &TestApp) -> Browser {
        Browser {
            base: app.address.clone(),
            client: self.client.clone(),
            csrf: self.csrf.clone(),
        }
    }
}

/// The value of the first `name="csrf_token" value="…"` in a page.
pub fn csrf_from_html(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    /// Loads the sign-in page to get the anti-forgery cookie and token.
    pub async fn fetch_csrf(&mut self) -> String {
        let (status, html) = self.get_text("/login").await;
        assert_eq!(status, StatusCode::OK);
        self.csrf = csrf_from_html(&html).expect("the sign-in form carries a CSRF token");
        self.csrf.clone()
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> reqwest::Response {
        if self.csrf.is_empty() {
            self.fetch_csrf().await;
        }
        let response = self
            .client
            .post(self.url("/auth/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf_token", &self.csrf),
            ])
            .send()
            .await
            .unwrap();
        // The anti-forgery token is rotated at sign-in: forms use the new one, as a page does.
        if let Some(token) = set_cookie_value(&response, "concerto_csrf") {
            self.csrf = token;
        }
        response
    }

    /// Calls a read-only server function (GET with query parameters), as the pages load data.
    pub async fn query(&self, endpoint: &str, params: &[(&str, &str)]) -> (StatusCode, Value) {
        decode(
            self.client
                .get(self.url(&format!("/api/{endpoint}")))
                .query(params)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Calls a server function with form fields (the CSRF token added), as the hydrated page does.
    pub async fn call(&self, endpoint: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &self.csrf));
        decode(
            self.client
                .post(self.url(&format!("/api/{endpoint}")))
                .form(&form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

/// The value a response's `Set-Cookie` gives to the cookie `name`, if any.
pub fn set_cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next()?.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

/// Status and JSON body (or the text as a JSON string) of a server-function response.
async fn decode(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// Creates a meeting (by default the bimonthly series of [`meeting_fields`]) and returns its id.
pub async fn create_meeting(browser: &Browser, overrides: &[(&str, &str)]) -> i64 {
    let (status, body) = browser
        .call("meetings/create", &meeting_fields(overrides))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_i64().expect("the new meeting's id")
}

/// Creates a single meeting titled `title` starting at the next full hour about two hours from
/// now (Paris time): due for its day-before reminder at once.
pub async fn create_imminent_meeting(browser: &Browser, title: &str) -> i64 {
    use chrono::Timelike;
    let start = app::domain::recurrence::utc_to_local(
        chrono::Utc::now() + chrono::Duration::hours(2),
        chrono_tz::Europe::Paris,
    )
    .with_minute(0)
    .unwrap();
    let end = start + chrono::Duration::minutes(5);
    let (date, start_time, end_time) = (
        start.format("%Y-%m-%d").to_string(),
        start.format("%H:%M").to_string(),
        end.format("%H:%M").to_string(),
    );
    let deadline = (start - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    create_meeting(
        browser,
        &[
            ("draft[repeat]", "none"),
            ("draft[title]", title),
            ("draft[date]", &date),
            ("draft[start_time]", &start_time),
            ("draft[end_time]", &end_time),
            ("draft[deadline]", &deadline),
        ],
    )
    .await
}

/// Invites one demo member (by e-mail) to a meeting and the later occurrences.
pub async fn invite_person(app: &TestApp, browser: &Browser, meeting_id: i64, email: &str) {
    let person = user_id(app, email).await.to_string();
    let (status, body) = browser
        .call(
            "meetings/invite",
            &[("id", &meeting_id.to_string()), ("user_id", &person)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The first session of the default series of [`meeting_fields`]: the first 2nd Tuesday of a
/// month at least 30 days after today (computed once per test process), so the tests never age.
/// Its six sessions, every two months, span ten months and so always cross a daylight-saving change.
pub fn first_staff_date() -> chrono::NaiveDate {
    staff_first().0
}

/// Session `n` (0 = the first) of the default series: the 2nd Tuesday every two months.
pub fn staff_date(n: u32) -> chrono::NaiveDate {
    second_tuesday(first_staff_date() + chrono::Months::new(2 * n))
}

/// [`staff_date`] formatted, e.g. `staff_day(1, "%Y%m%dT123000")` or `staff_day(0, "%Y-%m-%d")`.
pub fn staff_day(n: u32, format: &str) -> String {
    staff_date(n).format(format).to_string()
}

/// The 2nd Tuesday of `date`'s month.
pub fn second_tuesday(date: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    chrono::NaiveDate::from_weekday_of_month_opt(date.year(), date.month(), chrono::Weekday::Tue, 2)
        .unwrap()
}

fn staff_first() -> &'static (chrono::NaiveDate, String) {
    static FIRST: OnceLock<(chrono::NaiveDate, String)> = OnceLock::new();
    FIRST.get_or_init(|| {
        let soon = chrono::Utc::now().date_naive() + chrono::Days::new(30);
        let date = (0..3)
            .map(|n| second_tuesday(soon + chrono::Months::new(n)))
            .find(|d| *d >= soon)
            .unwrap();
        (date, date.format("%Y-%m-%d").to_string())
    })
}

/// Form fields of a meeting, with overrides.
pub fn meeting_fields<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let fields = vec![
        ("draft[kind]", "staff"),
        ("draft[title]", "Staff santé mentale"),
        ("draft[date]", staff_first().1.as_str()),
        ("draft[start_time]", "12:30"),
        ("draft[end_time]", "14:00"),
        ("draft[mode]", "video"),
        ("draft[address]", ""),
        ("draft[deadline]", ""),
        ("draft[max_cases]", ""),
        ("draft[description]", "Ordre du jour : **cas complexes**"),
        ("draft[repeat]", "monthly_nth_weekday"),
        ("draft[interval]", "2"),
        ("draft[end_kind]", "count"),
        ("draft[count]", "6"),
        ("draft[until]", ""),
    ];
    with_overrides(fields, overrides)
}

/// Waits until `condition` holds, checking every 50 ms, for at most `seconds`.
pub async fn wait_for<F, Fut>(seconds: u64, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// User id by e-mail.
pub async fn user_id(app: &TestApp, email: &str) -> i64 {
    app::backend::db::users::by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

/// Parses iCalendar text with the `ical` crate; panics when it does not parse.
pub fn parse_ics(text: &str) -> Vec<ical::parser::ical::component::IcalCalendar> {
    let calendars: Vec<_> = ical::IcalParser::new(text.as_bytes()).collect();
    assert!(!calendars.is_empty(), "no calendar in:\n{text}");
    calendars
        .into_iter()
        .map(|c| c.expect("iCalendar parses"))
        .collect()
}

/// A property's value in a component's property list.
pub fn prop<'a>(properties: &'a [ical::property::Property], name: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_deref())
}

/// Runs a query written once on either database (see `app::on_db!`), as an expression that
/// yields a `sqlx::Result`.
#[macro_export]
macro_rules! db_run {
    ($exec:expr, $c:ident => $body:expr) => {
        async { app::on_db!($exec, $c => $body) }.await
    };
}

/// The message of the field error on `field` in a refused call's body.
pub fn field_message(body: &Value, field: &str) -> String {
    body["Validation"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("field errors in {body}"))
        .iter()
        .find(|f| f["field"] == field)
        .unwrap_or_else(|| panic!("{field} in {body}"))["message"]
        .as_str()
        .unwrap()
        .to_string()
}

// Cases, as the case form posts them.

/// Starts a draft (a written request when `meeting` is empty) and returns its id.
pub async fn new_case(app: &TestApp, author: &Browser, meeting: &str) -> i64 {
    new_case_following(app, author, meeting, "").await
}

/// Starts a draft that re-discusses the patient of the case coded `follows`.
pub async fn new_case_following(
    app: &TestApp,
    author: &Browser,
    meeting: &str,
    follows: &str,
) -> i64 {
    let before = app.count("SELECT COUNT(*) FROM cases").await;
    let (status, body) = author
        .call(
            "cases/new",
            &[("meeting_id", meeting), ("follows", follows)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, before + 1);
    app.count("SELECT MAX(id) FROM cases").await
}

/// A complete case's fields, with overrides.
pub fn case_fields<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let fields = vec![
        ("case[q_pharmacological]", "on"),
        (
            "case[question]",
            "Faut-il changer d'antidépresseur après huit semaines sans effet ?",
        ),
        (
            "case[reason]",
            "Épisode dépressif résistant, retentissement professionnel.",
        ),
        (
            "case[symptoms]",
            "Humeur triste, anhédonie, insomnie depuis quatre mois.",
        ),
        (
            "case[treatment]",
            "Sertraline 100 mg depuis 8 semaines ; fluoxétine mal tolérée.",
        ),
        (
            "case[expectations]",
            "Un avis sur le choix et la dose du traitement.",
        ),
        ("case[age]", "45-54"),
        ("case[sex]", "f"),
        ("case[treating_doctor_known]", "on"),
        ("case[items][phq9-1]", "2"),
        ("case[items][phq9-2]", "3"),
    ];
    with_overrides(fields, overrides)
}

pub async fn save_case(
    author: &Browser,
    id: i64,
    version: i64,
    intent: &str,
    overrides: &[(&str, &str)],
) -> (StatusCode, Value) {
    let id = id.to_string();
    let version = version.to_string();
    let mut fields = case_fields(overrides);
    fields.push(("id", &id));
    fields.push(("version", &version));
    fields.push(("intent", intent));
    author.call("cases/save", &fields).await
}

/// Form fields with some replaced (same key) or added.
pub fn with_overrides<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    overrides: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    for (key, value) in overrides {
        if let Some(field) = fields.iter_mut().find(|(k, _)| k == key) {
            field.1 = value;
        } else {
            fields.push((key, value));
        }
    }
    fields
}
