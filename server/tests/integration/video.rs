//! Video rooms through the SFU, with real WebRTC on loopback: webrtc-rs bots join a meeting's
//! room over its signaling WebSocket with their session cookie, publish synthetic VP8 and Opus
//! RTP, and each counts the packets it receives from every other bot. Who may join, and when.

use std::time::Duration;

use crate::common::*;
use app::domain::video::Layer;
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
    join_with(app, email, meeting, Media::standard(ssrc)).await
}

/// A bot joining the room as `email`, publishing `media`.
async fn join_with(app: &TestApp, email: &str, meeting: i64, media: Media) -> Bot {
    let socket = connect(app, &session_of(app, email).await, meeting)
        .await
        .expect("the room lets them in");
    Bot::join(socket, std::net::Ipv4Addr::LOCALHOST.into(), media)
        .await
        .unwrap()
}

/// A room in progress with `people` (the coordinator first, who invites the others) in it,
/// each publishing their media; once every one has been welcomed.
async fn room_of<const N: usize>(app: &TestApp, people: [(&str, Media); N]) -> [Bot; N] {
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = meeting_in_progress(app, &coordinator).await;
    for (email, _) in people.iter().filter(|(email, _)| *email != COORDINATOR) {
        invite_person(app, &coordinator, meeting, email).await;
    }
    let mut bots = Vec::new();
    for (email, media) in people {
        bots.push(join_with(app, email, meeting, media).await);
    }
    assert!(eventually(5, || bots.iter().all(|bot| bot.id().is_some())).await);
    bots.try_into().ok().expect("one bot per person")
}

/// `bot` received at least `audio` packets of `from`'s audio, and no layer switch broke the
/// sequence numbers of `from`'s video.
fn audio_and_order_kept(bot: &Bot, from: u64, audio: u64) {
    let (_, received) = bot.received_from(from);
    assert!(received >= audio, "{received}");
    let (_, jumps) = bot.layers_from(from);
    assert_eq!(jumps, 0);
}

/// Publishes its camera in simulcast.
fn simulcast(ssrc: u32) -> Media {
    Media {
        simulcast: true,
        ..Media::standard(ssrc)
    }
}

/// The guests' signaling URL, with the name Camille.
fn guest_url(app: &TestApp) -> String {
    format!(
        "ws{}/invitation/video?nom=Camille",
        app.address.trim_start_matches("http")
    )
}

/// A guest bot holding the link's cookie `secret` knocks at the room's door.
async fn guest_knocks(app: &TestApp, secret: &str) -> Bot {
    let socket = bot::connect(&guest_url(app), Some(&format!("concerto_guest={secret}")))
        .await
        .expect("the lobby lets the guest wait");
    Bot::join(
        socket,
        std::net::Ipv4Addr::LOCALHOST.into(),
        Media::standard(0x2000),
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
    started_meeting(app, coordinator, "staff").await
}

/// A meeting of `kind` that started 5 minutes ago.
async fn started_meeting(app: &TestApp, coordinator: &Browser, kind: &str) -> i64 {
    let meeting = create_meeting(
        coordinator,
        &[("draft[repeat]", "none"), ("draft[kind]", kind)],
    )
    .await;
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

/// The guest's side of a link: a client that follows no redirect and keeps its own cookie.
async fn open_link(url: &str, cookie: Option<&str>) -> (StatusCode, Option<String>, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", format!("concerto_guest={cookie}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let secret = set_cookie_value(&response, "concerto_guest");
    (status, secret, response.text().await.unwrap())
}

#[tokio::test]
async fn a_guest_link_opens_on_one_device_and_its_guest_waits_in_the_lobby_until_admitted() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = started_meeting(&app, &coordinator, "joint_consultation").await;
    invite_person(&app, &coordinator, meeting, GP).await;
    invite_person(&app, &coordinator, meeting, PSYCHIATRIST).await;
    let id = meeting.to_string();

    // Only people who may follow the meeting create links, and only for joint consultations.
    let nurse = app.signed_in(NURSE).await;
    let (status, _) = nurse.call("video/guests/create", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let staff = meeting_in_progress(&app, &coordinator).await.to_string();
    let (status, body) = coordinator
        .call("video/guests/create", &[("id", &staff)])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let gp = app.signed_in(GP).await;
    let (status, created) = gp.call("video/guests/create", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let url = created["url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&format!("{}/invitation/", app.address)),
        "{url}"
    );

    // The first device gets the guest cookie; another one is refused; the first may come back.
    let (status, secret, _) = open_link(&url, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let secret = secret.expect("the guest cookie");
    let (status, _, page) = open_link(&url, None).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        page.contains("déjà été ouvert sur un autre appareil"),
        "{page}"
    );
    let (status, _, _) = open_link(&url, Some(&secret)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) =
        open_link(&format!("{}/invitation/not-a-token", app.address), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("n'est pas valable"), "{page}");

    // The guest page answers only to the device holding the link.
    let guest_room = |cookie: Option<String>| {
        let client = reqwest::Client::new();
        let mut request = client.get(format!("{}/api/video/guest", app.address));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", format!("concerto_guest={cookie}"));
        }
        request.send()
    };
    let view: serde_json::Value = guest_room(Some(secret.clone()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["open"], true, "{view}");
    assert_eq!(
        guest_room(None).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // A professional is in the room; the guest knocks and waits.
    let psychiatrist = join(&app, PSYCHIATRIST, meeting, 0x1000).await;
    assert!(eventually(5, || psychiatrist.id().is_some()).await);
    let guest_url = guest_url(&app);
    let refused = bot::connect(&guest_url, None).await.err().map(|r| r.0);
    assert_eq!(refused, Some(401), "no guest cookie, no lobby");
    let guest = guest_knocks(&app, &secret).await;
    assert!(eventually(5, || guest.door() == Some("waiting")).await);
    assert!(
        eventually(5, || psychiatrist
            .lobby()
            .iter()
            .any(|w| w.name == "Camille" && w.guest))
        .await,
        "the professional sees the knock: {:?}",
        psychiatrist.lobby()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(guest.id().is_none(), "not in before being admitted");
    assert_eq!(psychiatrist.peer_names().len(), 1);

    // Admitted: in the room, and media flows both ways.
    let knock = psychiatrist.lobby()[0].id;
    psychiatrist.signal(app::domain::video::ClientSignal::Admit { id: knock });
    assert!(eventually(5, || guest.id().is_some()).await, "welcomed");
    assert!(eventually(5, || psychiatrist.lobby().is_empty()).await);
    let (p, g) = (psychiatrist.id().unwrap(), guest.id().unwrap());
    assert!(
        eventually(20, || psychiatrist.received_from(g).0 >= 25
            && guest.received_from(p).0 >= 25)
        .await,
        "video both ways: {:?} / {:?}",
        psychiatrist.received_from(g),
        guest.received_from(p)
    );
    assert!(psychiatrist
        .peer_names()
        .iter()
        .any(|name| name == "Camille"));
    guest.leave().await;

    // Withdrawn: the link and its cookie no longer open anything.
    let links =
        app::backend::db::video::guests(&app.state.db, app::domain::ids::MeetingId(meeting))
            .await
            .unwrap();
    let (status, body) = gp
        .call(
            "video/guests/revoke",
            &[("id", &id), ("guest", &links[0].id.to_string())],
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    let refused = bot::connect(&guest_url, Some(&format!("concerto_guest={secret}")))
        .await
        .err()
        .map(|r| r.0);
    assert_eq!(refused, Some(401));
    let (status, _, _) = open_link(&url, Some(&secret)).await;
    assert_eq!(status, StatusCode::GONE);
    psychiatrist.leave().await;
}

#[tokio::test]
async fn media_uses_the_configured_ports_and_browsers_get_time_limited_turn_credentials() {
    // Two free ports next to each other.
    let low = (40_000..60_000u16)
        .step_by(7)
        .find(|port| {
            std::net::UdpSocket::bind(("127.0.0.1", *port)).is_ok()
                && std::net::UdpSocket::bind(("127.0.0.1", *port + 1)).is_ok()
        })
        .expect("two free UDP ports");
    let app = TestApp::spawn(Options {
        demo: true,
        video: Some(concerto_server::config::VideoArgs {
            media_ports: Some((low, low + 1)),
            stun_url: Some("stun:turn.example.org:3478".into()),
            turn_url: Some("turn:turn.example.org:3478?transport=udp".into()),
            turn_secret: Some("shared-secret".into()),
            ..Default::default()
        }),
        ..Default::default()
    })
    .await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = meeting_in_progress(&app, &coordinator).await;
    invite_person(&app, &coordinator, meeting, GP).await;
    invite_person(&app, &coordinator, meeting, PSYCHIATRIST).await;

    // The room page hands out the STUN server and TURN credentials valid until the room closes.
    let (status, room) = coordinator
        .query("video/room", &[("id", &meeting.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{room}");
    let servers = room["ice_servers"].as_array().unwrap();
    assert_eq!(servers.len(), 2, "{room}");
    assert_eq!(servers[0]["urls"][0], "stun:turn.example.org:3478");
    let user = servers[1]["username"].as_str().unwrap();
    let (expires, who) = user.split_once(':').unwrap();
    let expires: i64 = expires.parse().unwrap();
    assert!(expires > Utc::now().timestamp() + 3_000, "{user}");
    assert!(who.starts_with('u'), "{user}");
    let (_, expected) = app::backend::security::turn_credentials("shared-secret", who, expires);
    assert_eq!(servers[1]["credential"], expected.as_str());
    assert!(!room.to_string().contains("shared-secret"));

    // Each participant's media binds a port of the range; both bots still exchange media.
    let a = join(&app, COORDINATOR, meeting, 0x1000).await;
    let b = join(&app, GP, meeting, 0x2000).await;
    assert!(eventually(5, || a.id().is_some() && b.id().is_some()).await);
    let (ia, ib) = (a.id().unwrap(), b.id().unwrap());
    assert!(
        eventually(20, || a.received_from(ib).0 >= 25
            && b.received_from(ia).0 >= 25)
        .await,
        "media flows through the configured ports"
    );
    for port in [low, low + 1] {
        assert!(
            std::net::UdpSocket::bind(("127.0.0.1", port)).is_err(),
            "port {port} is the SFU's"
        );
    }
    a.leave().await;
    b.leave().await;
}

#[tokio::test]
async fn a_subscribers_keyframe_request_reaches_the_publisher() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = meeting_in_progress(&app, &coordinator).await;
    invite_person(&app, &coordinator, meeting, PSYCHIATRIST).await;
    let publisher = join(&app, COORDINATOR, meeting, 0x1000).await;
    let subscriber = join(&app, PSYCHIATRIST, meeting, 0x2000).await;
    assert!(eventually(5, || publisher.id().is_some()).await);
    let from = publisher.id().unwrap();
    assert!(
        eventually(20, || subscriber.received_from(from).0 >= 25).await,
        "the subscriber receives the publisher's video"
    );
    // The server asks for a keyframe by itself when a forward starts and every 5 s; three
    // requests of the subscriber, 0.7 s apart (more than the 0.5 s the server waits between two
    // it passes on), give three more within 2.5 s, where the timer gives at most one.
    let before = publisher.keyframe_requests();
    for _ in 0..3 {
        subscriber.request_keyframes().await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert!(
        eventually(1, || publisher.keyframe_requests() >= before + 3).await,
        "the publisher got {} keyframe requests after the subscriber's three",
        publisher.keyframe_requests() - before
    );
    // Requests faster than that are merged: ten at once give one.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before = publisher.keyframe_requests();
    for _ in 0..10 {
        subscriber.request_keyframes().await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let merged = publisher.keyframe_requests() - before;
    assert!((1..=2).contains(&merged), "{merged} requests passed on");
    publisher.leave().await;
    subscriber.leave().await;
}

#[tokio::test]
async fn a_guest_still_waiting_when_the_room_closes_is_told_so() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let meeting = started_meeting(&app, &coordinator, "joint_consultation").await;
    invite_person(&app, &coordinator, meeting, PSYCHIATRIST).await;
    let psychiatrist = app.signed_in(PSYCHIATRIST).await;
    let (status, created) = psychiatrist
        .call("video/guests/create", &[("id", &meeting.to_string())])
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (_, secret, _) = open_link(created["url"].as_str().unwrap(), None).await;
    let secret = secret.expect("the guest cookie");
    // The meeting moves: 30 minutes that ended 59 min 57 s ago, so its room (open until an hour
    // after the end) closes in 3 s.
    let started = Utc::now() - chrono::Duration::minutes(90) + chrono::Duration::seconds(3);
    db_run!(&app.state.db, c => sqlx::query(
        "UPDATE meetings SET start_utc = $1, duration_minutes = 30 WHERE id = $2")
        .bind(app::backend::db::Instant(started)).bind(meeting).execute(c).await.map(|_| ()))
    .unwrap();
    let professional = join(&app, PSYCHIATRIST, meeting, 0x1000).await;
    // The room is still open: the guest waits.
    let guest = guest_knocks(&app, &secret).await;
    assert!(eventually(5, || guest.door() == Some("waiting")).await);
    assert!(eventually(5, || !professional.lobby().is_empty()).await);
    // Nobody lets them in: at the closing, the guest is told, and the knock disappears.
    assert!(
        eventually(8, || guest.door() == Some("closed")).await,
        "{:?}",
        guest.door()
    );
    assert!(eventually(5, || professional.lobby().is_empty()).await);
    assert!(guest.id().is_none());
    professional.leave().await;
}

/// The simulcast layers `bot` receives from `from` during one second (packets per layer).
async fn layers_during_a_second(bot: &Bot, from: u64) -> [u64; 3] {
    let (before, _) = bot.layers_from(from);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (after, _) = bot.layers_from(from);
    std::array::from_fn(|i| after[i] - before[i])
}

/// Waits up to `seconds` until, over one second, `bot` receives only `layer` of `from`'s camera.
async fn receives_only(bot: &Bot, from: u64, layer: Layer, seconds: u64) -> [u64; 3] {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        let counts = layers_during_a_second(bot, from).await;
        let only = counts
            .iter()
            .enumerate()
            .all(|(i, n)| (i == layer.index()) == (*n > 0));
        if only || tokio::time::Instant::now() >= deadline {
            return counts;
        }
    }
}

#[tokio::test]
async fn a_simulcast_camera_reaches_each_subscriber_in_the_layer_it_wants_and_steps_down_on_loss() {
    let app = TestApp::demo().await;
    let [publisher, big_tile, small_tile] = room_of(
        &app,
        [
            (COORDINATOR, simulcast(0x1000)),
            (PSYCHIATRIST, Media::standard(0x2000)),
            (GP, Media::standard(0x3000)),
        ],
    )
    .await;
    let from = publisher.id().unwrap();
    small_tile.wish(from, Layer::Low);

    // Until told otherwise, a subscriber gets the full resolution; the one whose tile is small
    // gets the low layer. Switches happen at keyframes and keep the sequence numbers in order.
    let big = receives_only(&big_tile, from, Layer::High, 10).await;
    assert!(big[2] >= 20 && big[..2] == [0, 0], "{big:?}");
    let small = receives_only(&small_tile, from, Layer::Low, 10).await;
    assert!(small[0] >= 20 && small[1..] == [0, 0], "{small:?}");

    // The small tile grows: the medium layer.
    small_tile.wish(from, Layer::Medium);
    let medium = receives_only(&small_tile, from, Layer::Medium, 10).await;
    assert!(
        medium[1] >= 20 && medium[0] == 0 && medium[2] == 0,
        "{medium:?}"
    );

    // The big tile's receiver reports heavy loss: one layer down at each report.
    big_tile.report_loss(80).await;
    let stepped = receives_only(&big_tile, from, Layer::Medium, 10).await;
    assert!(
        stepped[1] >= 20 && stepped[0] == 0 && stepped[2] == 0,
        "{stepped:?}"
    );
    big_tile.report_loss(80).await;
    let stepped = receives_only(&big_tile, from, Layer::Low, 10).await;
    assert!(stepped[0] >= 20 && stepped[1..] == [0, 0], "{stepped:?}");

    // Audio is never dropped, and no switch broke the sequence numbers.
    for bot in [&big_tile, &small_tile] {
        audio_and_order_kept(bot, from, 100);
        assert!(bot.errors().is_empty(), "{:?}", bot.errors());
    }
    for bot in [publisher, big_tile, small_tile] {
        bot.leave().await;
    }
}

#[tokio::test]
async fn a_falling_bandwidth_estimate_steps_the_other_tiles_down_before_the_speaker() {
    let app = TestApp::demo().await;
    let [speaker, other, weak_link] = room_of(
        &app,
        [
            (COORDINATOR, simulcast(0x1000)),
            (PSYCHIATRIST, simulcast(0x2000)),
            (GP, Media::standard(0x3000)),
        ],
    )
    .await;
    let (speaker_id, other_id) = (speaker.id().unwrap(), other.id().unwrap());
    // The browser wishes the speaker's tile high and a small tile medium.
    weak_link.wish(other_id, Layer::Medium);
    let high = receives_only(&weak_link, speaker_id, Layer::High, 10).await;
    assert!(high[2] >= 20, "{high:?}");
    let medium = receives_only(&weak_link, other_id, Layer::Medium, 10).await;
    assert!(medium[1] >= 20, "{medium:?}");

    // A generous estimate, steady: nothing changes (and the SFU measures what it sends).
    for _ in 0..2 {
        weak_link.report_estimate(5_000_000).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // The estimate falls below the ≈ 1 Mbit/s of video sent: the other tile steps down first…
    weak_link.report_estimate(600_000).await;
    let low = receives_only(&weak_link, other_id, Layer::Low, 10).await;
    assert!(low[0] >= 20 && low[1..] == [0, 0], "{low:?}");
    let still = layers_during_a_second(&weak_link, speaker_id).await;
    assert!(still[2] >= 20 && still[..2] == [0, 0], "{still:?}");

    // …and when it falls again (not within the 2 s that a step down takes to show), the
    // speaker's, one layer.
    tokio::time::sleep(Duration::from_millis(500)).await;
    weak_link.report_estimate(450_000).await;
    let stepped = receives_only(&weak_link, speaker_id, Layer::Medium, 10).await;
    assert!(
        stepped[1] >= 20 && stepped[0] == 0 && stepped[2] == 0,
        "{stepped:?}"
    );

    // Calm estimates every second: the speaker's tile stays down for a while (10 s), then comes
    // back up first.
    let mut calm = 460_000;
    for _ in 0..4 {
        weak_link.report_estimate(calm).await;
        calm += 10_000;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let held = layers_during_a_second(&weak_link, speaker_id).await;
    assert!(held[1] >= 20 && held[2] == 0, "{held:?}");
    for _ in 0..8 {
        weak_link.report_estimate(calm).await;
        calm += 10_000;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let back = receives_only(&weak_link, speaker_id, Layer::High, 10).await;
    assert!(back[2] >= 20 && back[..2] == [0, 0], "{back:?}");
    let other_still = layers_during_a_second(&weak_link, other_id).await;
    assert!(
        other_still[0] >= 20 && other_still[1..] == [0, 0],
        "{other_still:?}"
    );

    // Audio was never dropped, and no switch broke the sequence numbers.
    for from in [speaker_id, other_id] {
        audio_and_order_kept(&weak_link, from, 500);
    }
    assert!(weak_link.errors().is_empty(), "{:?}", weak_link.errors());
    for bot in [speaker, other, weak_link] {
        bot.leave().await;
    }
}

/// A publisher on a lossy uplink: the SFU asks it again (NACK) for each simulcast packet lost on
/// the way, and the retransmission reaches the subscriber, late but in its place.
#[tokio::test]
async fn a_simulcast_packet_lost_on_the_publishers_uplink_is_resent_and_reaches_the_subscriber() {
    let app = TestApp::demo().await;
    let lossy = Media {
        lose_every: Some(20),
        ..simulcast(0x1000)
    };
    let [publisher, subscriber] = room_of(
        &app,
        [
            (COORDINATOR, lossy),
            (PSYCHIATRIST, Media::standard(0x2000)),
        ],
    )
    .await;
    let from = publisher.id().unwrap();

    // One packet in 20 of the full layer (about 3 a second) is lost and resent.
    let high = receives_only(&subscriber, from, Layer::High, 10).await;
    assert!(high[2] >= 20, "{high:?}");
    assert!(
        eventually(10, || subscriber.late_from(from) >= 10).await,
        "retransmissions received: {}",
        subscriber.late_from(from)
    );
    let (_, jumps) = subscriber.layers_from(from);
    assert_eq!(jumps, 0);
    assert!(subscriber.errors().is_empty(), "{:?}", subscriber.errors());
    for bot in [publisher, subscriber] {
        bot.leave().await;
    }
}

/// A browser offers many codecs, each video one with a retransmission (RTX) stream. The SFU
/// answers with Opus and VP8 alone, which every browser decodes and whose simulcast layers it
/// can switch, and without RTX: browsers then resend a packet the SFU asks for on the stream
/// itself, where webrtc-rs receives it (it drops simulcast layers' RTX packets).
#[tokio::test]
async fn the_sfu_answers_a_browsers_offer_with_opus_and_vp8_and_no_retransmission_stream() {
    use concerto_server::video::{peer, MediaNet};
    use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
    use webrtc::peer_connection::{
        MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    };

    struct Quiet;
    #[async_trait::async_trait]
    impl PeerConnectionEventHandler for Quiet {}

    let mut codecs = MediaEngine::default();
    codecs.register_default_codecs().unwrap();
    let browser = PeerConnectionBuilder::new()
        .with_media_engine(codecs)
        .with_handler(std::sync::Arc::new(Quiet))
        .with_udp_addrs(vec!["127.0.0.1:0".to_string()])
        .build()
        .await
        .unwrap();
    for kind in [RtpCodecKind::Audio, RtpCodecKind::Video] {
        browser.add_transceiver_from_kind(kind, None).await.unwrap();
    }
    let offer = browser.create_offer(None).await.unwrap();
    let rtpmaps = |sdp: &str| -> Vec<String> {
        sdp.lines()
            .filter_map(|line| line.strip_prefix("a=rtpmap:"))
            .filter_map(|map| map.split_once(' ').map(|(_, codec)| codec.to_lowercase()))
            .collect()
    };
    let offered = rtpmaps(&offer.sdp);
    assert!(offered.iter().any(|c| c.starts_with("rtx/")), "{offered:?}");
    assert!(offered.iter().any(|c| c.starts_with("vp9/")), "{offered:?}");

    let (sfu, mut events) = peer::new_peer(MediaNet::on([127, 0, 0, 1].into()), 0)
        .await
        .unwrap();
    let answer = peer::answer(&sfu, &mut events.gathered, offer.sdp)
        .await
        .unwrap();
    let mut answered = rtpmaps(&answer);
    answered.sort();
    assert_eq!(answered, ["opus/48000/2", "vp8/90000"], "{answer}");
    assert!(answer.contains("a=rtcp-fb:96 nack pli"), "{answer}");
    let _ = sfu.close().await;
    let _ = browser.close().await;
}
