//! Video rooms through the SFU, with real WebRTC on loopback: webrtc-rs bots join a meeting's
//! room over its signaling WebSocket with their session cookie, publish synthetic VP8 and Opus
//! RTP, and each counts the packets it receives from every other bot. Who may join, and when.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use app::domain::video::{ClientSignal, RoomPeer, ServerSignal};
use bytes::Bytes;
use chrono::Utc;
use concerto_server::video::peer::{self, Peer, PeerEvent};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use rtc::rtp::header::Header;
use rtc::rtp::packet::Packet;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::TrackRemoteEvent;
use webrtc::peer_connection::{RTCPeerConnectionState, RTCSessionDescription};

/// Packets received per sender's media stream (`p<participant id>`): (video, audio).
type Received = Arc<Mutex<HashMap<String, (u64, u64)>>>;

/// A participant played by a program.
struct Bot {
    id: Arc<Mutex<Option<u64>>>,
    peers: Arc<Mutex<Vec<RoomPeer>>>,
    received: Received,
    outgoing: mpsc::UnboundedSender<ClientSignal>,
    connection: Peer,
}

/// The session cookie of `email`, signed in with the demo password.
async fn session_of(app: &TestApp, email: &str) -> String {
    let mut browser = app.browser();
    let response = browser.sign_in(email, DEMO_PASSWORD).await;
    set_cookie_value(&response, "concerto_session").expect("a session cookie")
}

/// Opens the room's WebSocket; the HTTP status when the upgrade is refused.
async fn connect(
    app: &TestApp,
    session: &str,
    meeting: i64,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    (StatusCode, String),
> {
    let url = format!(
        "ws{}/meetings/{meeting}/video",
        app.address.trim_start_matches("http")
    );
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Cookie",
        format!("concerto_session={session}").parse().unwrap(),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
            let body = response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).to_string())
                .unwrap_or_default();
            Err((status, body))
        }
        Err(error) => panic!("WebSocket: {error}"),
    }
}

impl Bot {
    /// Joins the room and starts publishing once connected.
    async fn join(app: &TestApp, session: &str, meeting: i64, ssrc_base: u32) -> Bot {
        let socket = connect(app, session, meeting)
            .await
            .expect("the room lets them in");
        let (mut sink, mut stream) = socket.split();
        let (connection, events) = peer::new_peer(std::net::Ipv4Addr::LOCALHOST.into())
            .await
            .unwrap();
        let mut gathered = events.gathered;
        let video = peer::local_track(
            RtpCodecKind::Video,
            "bot",
            "bot-video",
            ssrc_base,
            peer::vp8(),
        );
        let audio = peer::local_track(
            RtpCodecKind::Audio,
            "bot",
            "bot-audio",
            ssrc_base + 1,
            peer::opus(),
        );
        let video_sender = connection
            .add_track(video.clone() as Arc<dyn TrackLocal>)
            .await
            .unwrap();
        let audio_sender = connection
            .add_track(audio.clone() as Arc<dyn TrackLocal>)
            .await
            .unwrap();
        let offer = peer::offer(&connection, &mut gathered).await.unwrap();

        let (outgoing, mut to_send) = mpsc::unbounded_channel::<ClientSignal>();
        tokio::spawn(async move {
            while let Some(signal) = to_send.recv().await {
                let text = serde_json::to_string(&signal).unwrap();
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        outgoing.send(ClientSignal::Offer { sdp: offer }).unwrap();

        let id = Arc::new(Mutex::new(None));
        let peers = Arc::new(Mutex::new(Vec::new()));
        {
            let (connection, outgoing, id, peers) = (
                connection.clone(),
                outgoing.clone(),
                id.clone(),
                peers.clone(),
            );
            tokio::spawn(async move {
                while let Some(Ok(Message::Text(text))) = stream.next().await {
                    match serde_json::from_str::<ServerSignal>(&text).unwrap() {
                        ServerSignal::Welcome { you, peers: now } => {
                            *id.lock().unwrap() = Some(you);
                            *peers.lock().unwrap() = now;
                        }
                        ServerSignal::Peers { peers: now } => *peers.lock().unwrap() = now,
                        ServerSignal::Answer { sdp } => {
                            connection
                                .set_remote_description(RTCSessionDescription::answer(sdp).unwrap())
                                .await
                                .unwrap();
                        }
                        ServerSignal::Offer { sdp } => {
                            let answer =
                                peer::answer(&connection, &mut gathered, sdp).await.unwrap();
                            let _ = outgoing.send(ClientSignal::Answer { sdp: answer });
                        }
                        ServerSignal::Error { message } => panic!("server error: {message}"),
                    }
                }
            });
        }

        let received: Received = Arc::default();
        {
            let received = received.clone();
            let mut events = events.events;
            tokio::spawn(async move {
                while let Some(event) = events.recv().await {
                    match event {
                        PeerEvent::State(RTCPeerConnectionState::Connected) => {
                            // Publish ~50 video and ~50 audio packets a second.
                            let (video, audio) = (video.clone(), audio.clone());
                            let (video_sender, audio_sender) =
                                (video_sender.clone(), audio_sender.clone());
                            tokio::spawn(async move {
                                let payload_type = |parameters: rtc::rtp_transceiver::rtp_sender::RTCRtpSendParameters| {
                                    parameters.rtp_parameters.codecs.first().map(|c| c.payload_type).unwrap()
                                };
                                let video_pt =
                                    payload_type(video_sender.get_parameters().await.unwrap());
                                let audio_pt =
                                    payload_type(audio_sender.get_parameters().await.unwrap());
                                let mut tick = tokio::time::interval(Duration::from_millis(20));
                                for n in 0u32.. {
                                    tick.tick().await;
                                    let packet = |ssrc, payload_type, step: u32, size| Packet {
                                        header: Header {
                                            version: 2,
                                            marker: true,
                                            payload_type,
                                            sequence_number: n as u16,
                                            timestamp: n.wrapping_mul(step),
                                            ssrc,
                                            ..Default::default()
                                        },
                                        payload: Bytes::from(vec![0x5a; size]),
                                    };
                                    if video
                                        .write_rtp(packet(ssrc_base, video_pt, 1800, 1000))
                                        .await
                                        .is_err()
                                        || audio
                                            .write_rtp(packet(ssrc_base + 1, audio_pt, 960, 80))
                                            .await
                                            .is_err()
                                    {
                                        break;
                                    }
                                }
                            });
                        }
                        PeerEvent::Track(track) => {
                            let received = received.clone();
                            tokio::spawn(async move {
                                let stream = track.stream_id().await;
                                let video = track.kind().await == RtpCodecKind::Video;
                                while let Some(event) = track.poll().await {
                                    if let TrackRemoteEvent::OnRtpPacket(_) = event {
                                        let mut counts = received.lock().unwrap();
                                        let entry = counts.entry(stream.to_string()).or_default();
                                        if video {
                                            entry.0 += 1;
                                        } else {
                                            entry.1 += 1;
                                        }
                                    }
                                }
                            });
                        }
                        PeerEvent::State(_) => {}
                    }
                }
            });
        }
        Bot {
            id,
            peers,
            received,
            outgoing,
            connection,
        }
    }

    fn id(&self) -> Option<u64> {
        *self.id.lock().unwrap()
    }

    /// (video, audio) packets received from participant `from`.
    fn received_from(&self, from: u64) -> (u64, u64) {
        self.received
            .lock()
            .unwrap()
            .get(&format!("p{from}"))
            .copied()
            .unwrap_or_default()
    }

    fn peer_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .peers
            .lock()
            .unwrap()
            .iter()
            .map(|p| p.name.clone())
            .collect();
        names.sort();
        names
    }

    async fn leave(self) {
        let _ = self.outgoing.send(ClientSignal::Leave);
        let _ = self.connection.close().await;
    }
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

    let a = Bot::join(&app, &session_of(&app, COORDINATOR).await, meeting, 0x1000).await;
    let b = Bot::join(&app, &session_of(&app, PSYCHIATRIST).await, meeting, 0x2000).await;
    let c = Bot::join(&app, &session_of(&app, GP).await, meeting, 0x3000).await;
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
    // The two left keep hearing each other.
    let before = a.received_from(ids[1]);
    assert!(
        eventually(5, || a.received_from(ids[1]).0 > before.0 + 10).await,
        "media still flows between the two left"
    );
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
