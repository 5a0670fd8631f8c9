//! Meetings, series, invitations and answers through the server functions, as the pages call
//! them; permissions and isolation between organisations; bad input.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn create_series(browser: &Browser) -> i64 {
    create_meeting(browser, &[]).await
}

/// `time` in Paris on `date`, in UTC as "YYYY-MM-DDTHH:MM".
fn paris_to_utc(date: chrono::NaiveDate, time: &str) -> String {
    use chrono::TimeZone;
    let local = date.and_time(time.parse().unwrap());
    chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test]
async fn a_coordinator_creates_a_bimonthly_series_that_keeps_its_local_time() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_series(&coordinator).await;
    let rows: Vec<(String, String)> = db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT start_local, start_utc FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = $1) ORDER BY start_utc",
    )
    .bind(id)
    .fetch_all(&mut *c).await)
    .unwrap()
    .into_iter()
    .map(|(local, utc): (WallClock, Instant)| (wall_clock_text(local.0), instant_text(utc.0)))
    .collect();
    let locals: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
    let expected: Vec<String> = (0..6).map(|n| staff_day(n, "%Y-%m-%dT12:30:00")).collect();
    assert_eq!(
        locals, expected,
        "2nd Tuesday every 2 months at 12:30 local"
    );
    let utc: Vec<String> = rows.iter().map(|(_, u)| u[..16].to_string()).collect();
    let paris: Vec<String> = (0..6)
        .map(|n| paris_to_utc(staff_date(n), "12:30"))
        .collect();
    assert_eq!(
        utc, paris,
        "12:30 in Paris on each date, whatever the season"
    );
    assert!(
        utc.iter().any(|u| u.ends_with("T11:30")),
        "winter: UTC+1 in {utc:?}"
    );
    assert!(
        utc.iter().any(|u| u.ends_with("T10:30")),
        "summer: UTC+2 in {utc:?}"
    );
    let (status, detail) = coordinator
        .query("meetings/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        detail["series_description"]
            .as_str()
            .unwrap()
            .contains("2e mardi"),
        "{detail}"
    );
    assert!(detail["description_html"]
        .as_str()
        .unwrap()
        .contains("<strong>cas complexes</strong>"));
}

#[tokio::test]
async fn invitations_and_answers_are_seen_by_the_coordinator() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_series(&coordinator).await;
    invite_person(&app, &coordinator, id, GP).await;
    let (status, body) = coordinator
        .call(
            "meetings/invite",
            &[("id", &id.to_string()), ("role", "psychiatrist")],
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, Value::from(1)));
    let invitations = app
        .count(&format!(
            "SELECT COUNT(*) FROM invitations WHERE meeting_id IN \
             (SELECT id FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = {id}))"
        ))
        .await;
    assert_eq!(invitations, 12, "2 people × 6 occurrences");

    let gp = app.signed_in(GP).await;
    let (_, agenda) = gp.query("agenda", &[]).await;
    let entries: Vec<&Value> = agenda
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["title"] == "Staff santé mentale")
        .collect();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[0]["my_response"], "needs_action");
    let (status, body) = gp
        .call(
            "meetings/respond",
            &[("id", &id.to_string()), ("response", "accepted")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = gp
        .call(
            "meetings/respond",
            &[("id", &id.to_string()), ("response", "needs_action")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot un-answer: {body}"
    );

    let (_, detail) = coordinator
        .query("meetings/get", &[("id", &id.to_string())])
        .await;
    let invitees = detail["invitees"].as_array().unwrap();
    let gp_row = invitees
        .iter()
        .find(|i| i["name"] == "Dr Julien Moreau")
        .unwrap();
    assert_eq!(gp_row["response"], "accepted");
    let psy_row = invitees
        .iter()
        .find(|i| i["name"] == "Dr Sophie Laurent")
        .unwrap();
    assert_eq!(psy_row["response"], "needs_action");
    // The meeting page shows it too, server-rendered.
    let (_, html) = coordinator.get_text(&format!("/reunions/{id}")).await;
    assert!(html.contains("Dr Julien Moreau"));
    assert!(html.contains("Accepte"));
}

#[tokio::test]
async fn a_gp_cannot_create_meetings() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let before = app.count("SELECT COUNT(*) FROM meetings").await;
    let (status, body) = gp.call("meetings/create", &meeting_fields(&[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM meetings").await, before);
}

#[tokio::test]
async fn another_organisation_sees_nothing() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_series(&coordinator).await;
    // A coordinator of another CPTS.
    let pool = &app.state.db;
    let other_org = app::backend::db::users::create_organisation(pool, "CPTS Ailleurs")
        .await
        .unwrap();
    let other =
        app::backend::db::users::create(pool, "coord@ailleurs.test", "Coord Ailleurs", false)
            .await
            .unwrap();
    let hash = app::backend::security::hash_password(DEMO_PASSWORD);
    app::backend::db::users::set_password_hash(pool, other, &hash)
        .await
        .unwrap();
    app::backend::db::users::add_membership(
        pool,
        other,
        other_org,
        app::domain::role::Role::Coordinator,
    )
    .await
    .unwrap();
    app::backend::db::users::set_calendar_token(
        pool,
        other,
        Some("another-organisation-token-123456"),
    )
    .await
    .unwrap();
    let stranger = app.signed_in("coord@ailleurs.test").await;

    let (status, _) = stranger
        .query("meetings/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = stranger
        .call(
            "meetings/invite",
            &[("id", &id.to_string()), ("role", "gp")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = stranger
        .call(
            "meetings/cancel",
            &[("id", &id.to_string()), ("scope", "series")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, list) = stranger
        .query("meetings/list", &[("kind", ""), ("period", "upcoming")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 0);
    assert_eq!(
        stranger
            .get(&format!("/meetings/{id}/invite.ics"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, feed) = stranger.get_text("/me/calendar.ics").await;
    assert!(!feed.contains("Staff santé mentale"));
    let (_, feed) = stranger
        .get_text("/calendar/another-organisation-token-123456.ics")
        .await;
    assert!(!feed.contains("Staff santé mentale"));
    // Nor can the demo coordinator invite the stranger.
    let (status, body) = coordinator
        .call(
            "meetings/invite",
            &[("id", &id.to_string()), ("user_id", &other.to_string())],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown invitee: {body}"
    );
    assert!(body.to_string().contains("n'est pas membre"), "{body}");
}

#[tokio::test]
async fn bad_input_gets_a_clear_french_error_and_stores_nothing() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let before = app.count("SELECT COUNT(*) FROM meetings").await;
    // The day after the first session, and the first session's date in French notation.
    let late_deadline = format!(
        "{}T09:00",
        (first_staff_date() + chrono::Days::new(1)).format("%Y-%m-%d")
    );
    let french_date = staff_day(0, "%d/%m/%Y");
    // (form fields changed, field refused, words of its message)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 5] = [
        (
            &[("draft[end_time]", "11:00")],
            "end_time",
            "après l'heure de début",
        ),
        (
            &[("draft[deadline]", late_deadline.as_str())],
            "deadline",
            "précéder le début",
        ),
        (
            &[("draft[date]", french_date.as_str())],
            "date",
            "La date est invalide",
        ),
        (
            &[("draft[start_time]", "midi")],
            "start_time",
            "L'heure de début est invalide",
        ),
        (
            &[("draft[title]", "  ")],
            "title",
            "Le titre est obligatoire",
        ),
    ];
    for (overrides, field, message) in cases {
        let (status, body) = coordinator
            .call("meetings/create", &meeting_fields(overrides))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        let fields = body["Validation"]["fields"]
            .as_array()
            .expect("field errors");
        let error = fields
            .iter()
            .find(|f| f["field"] == field)
            .unwrap_or_else(|| panic!("{field} in {body}"));
        assert!(
            error["message"].as_str().unwrap().contains(message),
            "{body}"
        );
    }
    // An unknown invitee.
    let id = {
        let (_, body) = coordinator
            .call(
                "meetings/create",
                &meeting_fields(&[("draft[repeat]", "none")]),
            )
            .await;
        body.as_i64().unwrap()
    };
    let (status, body) = coordinator
        .call(
            "meetings/invite",
            &[("id", &id.to_string()), ("user_id", "999999")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM meetings").await, before + 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM invitations WHERE meeting_id = (SELECT MAX(id) FROM meetings)"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn editing_one_occurrence_or_the_following_ones() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let first = create_series(&coordinator).await;
    let ids: Vec<(i64,)> = db_run!(&app.state.db, c => sqlx::query_as("SELECT id FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = $1) ORDER BY start_utc")
        .bind(first)
        .fetch_all(&mut *c).await)
        .unwrap();
    let third = ids[2].0.to_string();
    // One occurrence moves to 13:00.
    let third_date = staff_day(2, "%Y-%m-%d");
    let mut fields = meeting_fields(&[
        ("draft[date]", third_date.as_str()),
        ("draft[start_time]", "13:00"),
        ("draft[end_time]", "14:30"),
    ]);
    fields.push(("id", &third));
    fields.push(("scope", "occurrence"));
    let (status, body) = coordinator.call("meetings/update", &fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (start, overridden): (WallClock, bool) =
        db_run!(&app.state.db, c => sqlx::query_as("SELECT start_local, overridden FROM meetings WHERE id = $1")
            .bind(ids[2].0)
            .fetch_one(&mut *c).await)
            .unwrap();
    let start = wall_clock_text(start.0);
    let moved = staff_day(2, "%Y-%m-%dT13:00:00");
    assert_eq!((start.as_str(), overridden), (moved.as_str(), true));
    // From the fourth on, a new time: the series is split.
    let fourth = ids[3].0.to_string();
    let fourth_date = staff_day(3, "%Y-%m-%d");
    let mut fields = meeting_fields(&[
        ("draft[date]", fourth_date.as_str()),
        ("draft[start_time]", "18:00"),
        ("draft[end_time]", "19:30"),
    ]);
    fields.push(("id", &fourth));
    fields.push(("scope", "following"));
    let (status, body) = coordinator.call("meetings/update", &fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM series").await,
        2 + 1,
        "the demo series, the old and the new"
    );
    let later: Vec<(WallClock,)> = db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT start_local FROM meetings WHERE id IN ($1, $2, $3) ORDER BY start_utc",
    )
    .bind(ids[3].0)
    .bind(ids[4].0)
    .bind(ids[5].0)
    .fetch_all(&mut *c).await)
    .unwrap();
    assert_eq!(
        later
            .iter()
            .map(|r| wall_clock_text(r.0 .0))
            .collect::<Vec<_>>(),
        (3..6)
            .map(|n| staff_day(n, "%Y-%m-%dT18:00:00"))
            .collect::<Vec<_>>()
    );
}

/// The nonce of a page's Content-Security-Policy header.
fn csp_nonce(response: &reqwest::Response) -> String {
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    let start = csp.find("'nonce-").expect("a nonce") + "'nonce-".len();
    let end = csp[start..].find('\'').unwrap() + start;
    csp[start..end].to_string()
}

#[tokio::test]
async fn pages_get_fresh_nonces_stay_per_session_and_follow_every_change() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    // A page with an island, so with a script that carries the nonce.
    let first = coordinator.get("/verifier").await;
    let first_nonce = csp_nonce(&first);
    let first_html = first.text().await.unwrap();
    let second = coordinator.get("/verifier").await;
    assert_eq!(second.status(), StatusCode::OK);
    let second_nonce = csp_nonce(&second);
    let second_html = second.text().await.unwrap();
    assert_ne!(
        first_nonce, second_nonce,
        "every response has its own nonce"
    );
    assert!(second_html.contains(&format!("nonce=\"{second_nonce}\"")));
    assert!(
        !second_html.contains(&first_nonce),
        "no trace of the old nonce"
    );
    assert_eq!(
        second_html.replace(&second_nonce, "N"),
        first_html.replace(&first_nonce, "N"),
        "the same page otherwise"
    );

    // Another person never gets this session's page.
    let gp = app.signed_in(GP).await;
    let (_, gp_html) = gp.get_text("/reunions").await;
    assert!(
        !gp_html.contains("Nouvelle réunion"),
        "GPs do not create meetings"
    );
    assert!(
        gp_html.contains("Dr Julien Moreau"),
        "the GP's own name in the bar"
    );
    assert!(!gp_html.contains("Claire Martin (coordination)"));

    // A change made through the server shows on the very next request.
    create_meeting(
        &coordinator,
        &[("draft[title]", "Staff ajouté à l'instant")],
    )
    .await;
    let (_, after) = coordinator.get_text("/reunions").await;
    assert!(
        after.contains("Staff ajouté à l'instant"),
        "the new meeting is listed"
    );

    // Signing out ends the session at once, cached viewer or not.
    let response = coordinator
        .client
        .post(coordinator.url("/auth/logout"))
        .form(&[("csrf_token", coordinator.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = coordinator.get("/reunions").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn open_series_are_extended_as_time_passes_with_their_invitees_and_answers() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(
        &coordinator,
        &[
            ("draft[title]", "Staff hebdomadaire"),
            ("draft[repeat]", "weekly"),
            ("draft[interval]", "1"),
            ("draft[end_kind]", "never"),
            ("draft[count]", ""),
        ],
    )
    .await;
    let bounded = create_meeting(&coordinator, &[]).await;
    invite_person(&app, &coordinator, id, GP).await;
    let gp = app.signed_in(GP).await;
    let (status, body) = gp
        .call(
            "meetings/respond",
            &[
                ("id", &id.to_string()),
                ("response", "accepted"),
                ("scope", "following"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let series_of = |meeting: i64| {
        format!("SELECT COUNT(*) FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = {meeting})")
    };
    let before = app.count(&series_of(id)).await;
    let bounded_before = app.count(&series_of(bounded)).await;
    assert!(
        (150..=160).contains(&before),
        "three years of weeks: {before}"
    );

    // A year later, the upkeep keeps three years ahead.
    // The day after the first session's 4th anniversary, at 12:00 UTC.
    let first = first_staff_date();
    let horizon_day = first + chrono::Months::new(48) + chrono::Days::new(1);
    let horizon = horizon_day.and_hms_opt(12, 0, 0).unwrap().and_utc();
    let added = concerto_server::meetings::extend_open_series(&app.state.db, horizon)
        .await
        .unwrap();
    let after = app.count(&series_of(id)).await;
    assert_eq!(after - before, added as i64);
    assert!((50..=54).contains(&added), "about a year of weeks: {added}");
    assert_eq!(
        app.count(&series_of(bounded)).await,
        bounded_before,
        "ended series untouched"
    );
    let last: (WallClock, Instant) = db_run!(&app.state.db, c => sqlx::query_as(
        "SELECT start_local, start_utc FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = $1)
         ORDER BY start_utc DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&mut *c).await)
    .unwrap();
    let last = (wall_clock_text(last.0 .0), instant_text(last.1 .0));
    // Weekly on the first session's weekday (a Tuesday): the last one on or before the horizon.
    let last_day = first + chrono::Days::new(((horizon_day - first).num_days() / 7 * 7) as u64);
    assert_eq!(
        last.0,
        format!("{}T12:30:00", last_day.format("%Y-%m-%d")),
        "the last Tuesday before the horizon"
    );
    assert!(
        last.1.starts_with(&paris_to_utc(last_day, "12:30")),
        "12:30 in Paris: {}",
        last.1
    );
    // The added year holds a first Tuesday of July (summer) and of January (winter).
    let added_days = (1..=366).map(|d| first + chrono::Months::new(36) + chrono::Days::new(d));
    let first_tuesday_of = |month: u32| {
        added_days
            .clone()
            .find(|d| {
                use chrono::Datelike;
                d.month() == month && d.day() <= 7 && d.weekday() == chrono::Weekday::Tue
            })
            .unwrap()
    };
    for (month, offset, season) in [(7, "T10:30", "summer"), (1, "T11:30", "winter")] {
        let day = first_tuesday_of(month);
        let start: Instant = db_run!(&app.state.db, c => sqlx::query_scalar(
            "SELECT start_utc FROM meetings WHERE series_id = (SELECT series_id FROM meetings WHERE id = $1)
             AND start_local = $2",
        )
        .bind(id)
        .bind(WallClock(day.and_hms_opt(12, 30, 0).unwrap()))
        .fetch_one(&mut *c).await)
        .unwrap();
        let start = instant_text(start.0);
        assert!(
            start.starts_with(&format!("{}{offset}", day.format("%Y-%m-%d"))),
            "12:30 in Paris in {season}: {start}"
        );
    }
    let gp_id = user_id(&app, GP).await;
    let answers: Vec<String> = db_run!(&app.state.db, c => sqlx::query_scalar(
        "SELECT i.response FROM invitations i JOIN meetings m ON m.id = i.meeting_id
         WHERE m.series_id = (SELECT series_id FROM meetings WHERE id = $1) AND i.user_id = $2
         AND m.start_local > $3",
    )
    .bind(id)
    .bind(gp_id)
    .bind(WallClock(
        (first + chrono::Months::new(36) + chrono::Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap(),
    ))
    .fetch_all(&mut *c).await)
    .unwrap();
    assert_eq!(
        answers.len(),
        added,
        "the GP is invited to every new occurrence"
    );
    assert!(
        answers.iter().all(|a| a == "accepted"),
        "with the answer given for the following ones"
    );

    // Running again adds nothing.
    let again = concerto_server::meetings::extend_open_series(&app.state.db, horizon)
        .await
        .unwrap();
    assert_eq!(again, 0);
}
