//! Video rooms through the SFU, with real WebRTC on loopback: webrtc-rs bots join a meeting's
//! room over its signaling WebSocket with their session cookie, publish synthetic VP8 and Opus
//! RTP, and each counts the packets it receives from every other bot. Who may join, and when.

use std::time::Duration;

use crate::common::*;
use chrono::Utc;
use concerto_server::video::bot::{self, Bot, Media};
use reqwest::StatusCode;

/// The session cookie of `email`, signed in with the demo password.
async fn session_of(app: &TestApp, email: &str) -> String {
    let mut browser = app.browser();
    let response = browser.sign_in(email, DEMO_PASSWORD).await;
    set_cookie_value(&response, "concerto_session").expect("a session cookie")
}

/// Opens the room's WebSocket; the HTTP status and message when the upgrade is refused.
async fn connect(
    app: &TestApp,
    session: &str,
    meeting: i64,
) -> Result<bot::Socket, (StatusCode, String)> {
    let url = format!(
        "ws{}/meetings/{meeting}/video",
        app.address.trim_start_matches("http")
    );
    bot::connect(&url, Some(&format!("concerto_session={session}")))
        .await
        .map_err(|(status, body)| (StatusCode::from_u16(status).expect("an HTTP refusal"), body))
}

/// A bot joining the room as `email`.
async fn join(app: &TestApp, email: &str, meeting: i64, ssrc: u32) -> Bot {
    let socket = connect(app, &session_of(app, email).await, meeting)
        .await
        .expect("the room lets them in");
    Bot::join(
        socket,
        std::net::Ipv4Addr::LOCALHOST.into(),
        Media::standard(ssrc),
    )
    .await
    .unwrap()
}

/// Waits up to `seconds` for `condition`.
async fn eventually(seconds: u64, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    condition()
}

/// A meeting whose room is open: created as usual, then moved to have started 5 minutes ago.
async fn meeting_in_progress(app: &TestApp, coordinator: &Browser) -> i64 {
    let meeting = create_meeting(coordinator, &[("draft[repeat]", "none")]).await;
    let started = app::backend::db::Instant(Utc::now() - chrono::Duration::minutes(5));
    db_run!(&app.state.db, c => sqlx::query("UPDATE meetings SET start_utc = $1 WHERE id = $2")
        .bind(started).bind(meeting).execute(c).await.map(|_| ()))
    .unwrap();
    meeting
}

#[tokio::test]
async fn three_bots_in_a_room_each_receive_the_others_media() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = meeting_in_progress(&app, &coordinator).await;
    invite_person(&app, &coordinator, meeting, PSYCHIATRIST).await;
    invite_person(&app, &coordinator, meeting, GP).await;

    let a = join(&app, COORDINATOR, meeting, 0x1000).await;
    let b = join(&app, PSYCHIATRIST, meeting, 0x2000).await;
    let c = join(&app, GP, meeting, 0x3000).await;
    assert!(
        eventually(5, || a.id().is_some()
            && b.id().is_some()
            && c.id().is_some())
        .await,
        "every bot is welcomed"
    );
    let ids = [a.id().unwrap(), b.id().unwrap(), c.id().unwrap()];
    let bots = [&a, &b, &c];
    let everyone_hears_everyone = || {
        bots.iter().enumerate().all(|(n, bot)| {
            ids.iter()
                .enumerate()
                .filter(|(m, _)| *m != n)
                .all(|(_, from)| {
                    let (video, audio) = bot.received_from(*from);
                    video >= 25 && audio >= 25
                })
        })
    };
    let counts = || {
        bots.iter()
            .map(|bot| {
                ids.iter()
                    .map(|from| bot.received_from(*from))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert!(
        eventually(20, everyone_hears_everyone).await,
        "each bot receives video and audio RTP from both others; (video, audio) per bot and sender: {:?}",
        counts()
    );
    assert_eq!(a.peer_names().len(), 3, "{:?}", a.peer_names());

    // One leaves: the others' rooms show two people within a few seconds.
    c.leave().await;
    assert!(
        eventually(5, || a.peer_names().len() == 2 && b.peer_names().len() == 2).await,
        "the others see them leave: {:?}",
        a.peer_names()
    );
    // Their stay in the room is recorded, with its end; the others' are still going on.
    let meeting_id = app::domain::ids::MeetingId(meeting);
    let (gp, psychiatrist) = (user_id(&app, GP).await, user_id(&app, PSYCHIATRIST).await);
    let mut stays = Vec::new();
    for _ in 0..50 {
        stays = app::backend::db::video::stays(&app.state.db, meeting_id)
            .await
            .unwrap();
        if stays
            .iter()
            .any(|s| s.user_id.0 == gp && s.left_at.is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stays.len(), 3, "{stays:?}");
    let stay_of = |user: i64| stays.iter().find(|s| s.user_id.0 == user).expect("a stay");
    let gp_stay = stay_of(gp);
    assert!(
        gp_stay
            .left_at
            .is_some_and(|left| left.0 >= gp_stay.joined_at.0),
        "{gp_stay:?}"
    );
    assert!(stay_of(psychiatrist).left_at.is_none());

    // The coordinator takes the attendance from the room: the GP present, with arrival and
    // departure; the session page shows each person's time in the room.
    let id = meeting.to_string();
    let (status, session) = coordinator.query("staff/session", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let line = |session: &serde_json::Value, user: i64| {
        session["attendance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["user_id"] == user)
            .cloned()
            .expect("on the attendance list")
    };
    assert!(line(&session, gp)["in_room"]
        .as_str()
        .unwrap()
        .contains(" – "));
    assert!(line(&session, psychiatrist)["in_room"]
        .as_str()
        .unwrap()
        .starts_with("depuis "));
    let (status, body) = coordinator
        .call(
            "staff/attendance",
            &[("id", &id), ("user_id", &gp.to_string()), ("mark", "room")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, session) = coordinator.query("staff/session", &[("id", &id)]).await;
    let gp_line = line(&session, gp);
    assert_eq!(gp_line["present"], true, "{gp_line}");
    assert!(
        !gp_line["arrived"].as_str().unwrap().is_empty(),
        "{gp_line}"
    );
    assert!(!gp_line["left"].as_str().unwrap().is_empty(), "{gp_line}");
    // Someone who never entered the room: refused, with the reason.
    let nurse = user_id(&app, NURSE).await.to_string();
    invite_person(&app, &coordinator, meeting, NURSE).await;
    let (status, body) = coordinator
        .call(
            "staff/attendance",
            &[("id", &id), ("user_id", &nurse), ("mark", "room")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("salle vidéo"), "{body}");
    // The two left keep hearing each other.
    let before = a.received_from(ids[1]);
    assert!(
        eventually(5, || a.received_from(ids[1]).0 > before.0 + 10).await,
        "media still flows between the two left"
    );
    for bot in [&a, &b] {
        assert!(bot.errors().is_empty(), "{:?}", bot.errors());
    }
    a.leave().await;
    b.leave().await;
}

#[tokio::test]
async fn only_people_who_may_follow_the_meeting_enter_its_room_and_only_while_it_is_open() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = meeting_in_progress(&app, &coordinator).await;
    invite_person(&app, &coordinator, meeting, GP).await;

    // Not invited: as if the meeting did not exist.
    let nurse = session_of(&app, NURSE).await;
    let refused = connect(&app, &nurse, meeting).await.err();
    assert_eq!(refused.map(|r| r.0), Some(StatusCode::NOT_FOUND));
    // Signed out.
    let refused = connect(&app, "not-a-session", meeting).await.err();
    assert_eq!(refused.map(|r| r.0), Some(StatusCode::UNAUTHORIZED));
    // Invited: in.
    let gp = session_of(&app, GP).await;
    assert!(connect(&app, &gp, meeting).await.is_ok());

    // A meeting weeks ahead: its room is not open yet, and says when it opens.
    let later = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    invite_person(&app, &coordinator, later, GP).await;
    let (status, message) = connect(&app, &gp, later).await.expect_err("refused");
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message.contains("ouvre le"), "{message}");
}
