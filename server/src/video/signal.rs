//! `GET /meetings/{id}/video`: the WebSocket a participant signals on. JSON messages
//! ([`ClientSignal`] in, [`ServerSignal`] out): the server says `welcome`, the participant sends
//! its offer, the server answers, then sends its own offers whenever others' tracks come and go.
//! Closing the socket leaves the room; so does a failed connection.

use std::sync::Arc;
use std::time::Duration;

use app::api::session::Viewer;
use app::backend::db::meetings::{self as meetings_store, MeetingRow};
use app::backend::db::video as presence;
use app::backend::db::Db;
use app::backend::AppState;
use app::domain::ids::{MeetingId, UserId};
use app::domain::video::guest_name;
use app::domain::video::{ClientSignal, RoomPeer, RoomState, ServerSignal};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use webrtc::peer_connection::RTCPeerConnectionState;

use super::peer::PeerEvent;
use super::room::{Participant, Room};
use super::Sfu;
use crate::staff::followed_meeting;

/// `GET /meetings/{id}/video` (a WebSocket upgrade).
pub async fn video(
    State(state): State<AppState>,
    Extension(sfu): Extension<Arc<Sfu>>,
    viewer: Option<Extension<Viewer>>,
    Path(id): Path<MeetingId>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let (meeting, person) = match followed_meeting(&state, viewer, id).await {
        Ok(followed) => followed,
        Err(refusal) => return refusal,
    };
    if let Some(refusal) = closed_room(&sfu, &meeting) {
        return refusal;
    }
    let role = person
        .memberships
        .iter()
        .find(|m| m.organisation_id == meeting.organisation_id)
        .map(|m| m.role.label_fr().to_string())
        .unwrap_or_default();
    let peer = RoomPeer {
        id: sfu.participant_id(),
        name: person.display_name.clone(),
        role,
        guest: false,
        media: Default::default(),
    };
    let meeting_id = meeting.id.0;
    let stay = Stay {
        db: state.db.clone(),
        meeting: meeting.id,
        user: person.user_id,
    };
    small_buffers(upgrade)
        .on_upgrade(move |socket| participate(sfu, meeting_id, peer, Some(stay), None, socket))
}

/// Why a meeting's room cannot be entered now (cancelled, not open yet, closed), as a response.
fn closed_room(sfu: &Sfu, meeting: &MeetingRow) -> Option<Response> {
    if meeting.cancelled {
        return Some((StatusCode::GONE, "Cette réunion est annulée.").into_response());
    }
    let paris = chrono_tz::Europe::Paris;
    match sfu
        .hours
        .state(meeting.start_utc.0, meeting.duration_minutes, Utc::now())
    {
        RoomState::NotYet(opens) => {
            let at = opens.with_timezone(&paris).format("%d/%m/%Y à %Hh%M");
            Some(
                (
                    StatusCode::CONFLICT,
                    format!("La salle de cette réunion ouvre le {at}."),
                )
                    .into_response(),
            )
        }
        RoomState::Closed(_) => Some(
            (
                StatusCode::CONFLICT,
                "La salle de cette réunion est fermée.",
            )
                .into_response(),
        ),
        RoomState::Open(_) => None,
    }
}

/// `GET /invitation/video` (a WebSocket upgrade): a guest holding a claimed link waits in the
/// meeting's lobby until a professional lets them in. `?nom=` is the name on their tile.
pub async fn guest_video(
    State(state): State<AppState>,
    Extension(sfu): Extension<Arc<Sfu>>,
    Query(query): Query<GuestQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(guest) = super::guests::held(&state, &headers).await else {
        return (
            StatusCode::UNAUTHORIZED,
            "Ouvrez le lien d'invitation reçu pour entrer dans la salle d'attente.",
        )
            .into_response();
    };
    let meeting = match meetings_store::get(&state.db, guest.meeting_id).await {
        Ok(Some(meeting)) => meeting,
        Ok(None) => return (StatusCode::NOT_FOUND, "Élément introuvable.").into_response(),
        Err(error) => {
            tracing::error!(%error, "meeting query failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Some(refusal) = closed_room(&sfu, &meeting) {
        return refusal;
    }
    let peer = RoomPeer {
        id: sfu.participant_id(),
        name: guest_name(&query.nom),
        role: "Invité·e".into(),
        guest: true,
        media: Default::default(),
    };
    let meeting_id = meeting.id.0;
    // The wait in the lobby ends when the room closes.
    let closes = sfu
        .hours
        .closes(meeting.start_utc.0, meeting.duration_minutes);
    let lobby = Some(closes);
    small_buffers(upgrade)
        .on_upgrade(move |socket| participate(sfu, meeting_id, peer, None, lobby, socket))
}

/// The guest's query string.
#[derive(serde::Deserialize)]
pub struct GuestQuery {
    /// The name they typed.
    #[serde(default)]
    nom: String,
}

/// Where a person's stay in a room is recorded (the benchmark's bots have none).
pub struct Stay {
    /// The database.
    pub db: Db,
    /// The meeting.
    pub meeting: MeetingId,
    /// The person.
    pub user: UserId,
}

/// Bytes a signaling socket reads at a time. Its messages are small (an SDP of a 15-person room
/// is a few tens of KB, read in several chunks); axum's default (128 KiB) would be held by every
/// open room socket for nothing.
const SIGNAL_READ_BUFFER: usize = 8 * 1024;

/// A signaling socket with a read buffer sized for signaling.
pub fn small_buffers(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade.read_buffer_size(SIGNAL_READ_BUFFER)
}

/// One participant's stay in a room, from the upgrade to leaving. A guest goes `through_lobby`,
/// which the room's closing instant given there ends.
pub async fn participate(
    sfu: Arc<Sfu>,
    meeting: i64,
    who: RoomPeer,
    stay: Option<Stay>,
    through_lobby: Option<DateTime<Utc>>,
    socket: WebSocket,
) {
    let (mut sink, mut stream) = socket.split();
    let (signals, mut outgoing) = mpsc::unbounded_channel::<ServerSignal>();
    let writer = tokio::spawn(async move {
        while let Some(signal) = outgoing.recv().await {
            let Ok(text) = serde_json::to_string(&signal) else {
                continue;
            };
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    if let Some(closes) = through_lobby {
        let room = sfu.room(meeting);
        let id = who.id;
        let decision = room.knock(who.clone());
        let _ = signals.send(ServerSignal::Waiting);
        let left = (closes - Utc::now()).to_std().unwrap_or_default();
        let mut closed = false;
        let admitted = tokio::select! {
            decided = decision => decided.unwrap_or(false),
            _ = tokio::time::sleep(left) => {
                room.withdraw(id);
                closed = true;
                false
            }
            // Anything but a leave while waiting is ignored; closing gives up.
            _ = async {
                while let Some(Ok(message)) = stream.next().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            } => {
                room.withdraw(id);
                false
            }
        };
        if !admitted {
            let _ = signals.send(if closed {
                ServerSignal::Closed
            } else {
                ServerSignal::Refused
            });
            drop(signals);
            let _ = writer.await;
            sfu.vacate(meeting);
            return;
        }
    }
    let (connection, events) = match sfu.new_peer().await {
        Ok(made) => made,
        Err(error) => {
            tracing::error!(%error, "video: cannot open a peer connection");
            let _ = signals.send(ServerSignal::Error {
                message: "La vidéo est indisponible sur ce serveur pour le moment.".into(),
            });
            drop(signals);
            let _ = writer.await;
            return;
        }
    };
    let id = who.id;
    let room = sfu.room(meeting);
    let participant = Participant::new(who, connection, events.gathered, signals.clone());
    room.enter(participant.clone());
    let recorded = match &stay {
        Some(stay) => match presence::joined(&stay.db, stay.meeting, stay.user).await {
            Ok(id) => Some(id),
            Err(error) => {
                tracing::error!(%error, "video: cannot record a stay");
                None
            }
        },
        None => None,
    };
    participant.send(ServerSignal::Welcome {
        you: id,
        peers: room.peers(),
    });
    let watcher = tokio::spawn(watch_connection(room.clone(), id, events.events));
    while let Some(Ok(message)) = stream.next().await {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        match serde_json::from_str::<ClientSignal>(&text) {
            Ok(ClientSignal::Offer { sdp }) => {
                if let Err(error) = participant.answer_offer(sdp).await {
                    tracing::warn!(participant = id, %error, "video: offer refused");
                    participant.send(ServerSignal::Error {
                        message: "La connexion vidéo n'a pas pu être établie.".into(),
                    });
                    continue;
                }
                room.subscribe(&participant).await;
            }
            Ok(ClientSignal::Answer { sdp }) => participant.take_answer(sdp),
            Ok(ClientSignal::Status { media }) => room.set_media(id, media),
            Ok(ClientSignal::Admit { id: guest }) if participant.peer.guest => {
                tracing::warn!(
                    participant = id,
                    guest,
                    "video: a guest tried to admit someone"
                );
            }
            Ok(ClientSignal::Admit { id: guest }) => {
                room.decide(id, guest, true);
            }
            Ok(ClientSignal::Refuse { id: guest }) => {
                room.decide(id, guest, false);
            }
            Ok(ClientSignal::Layers { wishes }) => room.wish(id, &wishes),
            Ok(ClientSignal::Leave) => break,
            Err(error) => {
                participant.send(ServerSignal::Error {
                    message: format!("Message de signalisation illisible : {error}"),
                });
            }
        }
    }
    room.leave(id).await;
    if let (Some(stay), Some(recorded)) = (&stay, recorded) {
        if let Err(error) = presence::left(&stay.db, recorded).await {
            tracing::error!(%error, "video: cannot record the end of a stay");
        }
    }
    watcher.abort();
    drop(participant);
    drop(signals);
    let _ = writer.await;
    sfu.vacate(meeting);
}

/// How long a connection may stay disconnected before its participant is dropped (webrtc-rs
/// only calls it failed after about 30 s).
const DISCONNECTED_GRACE: Duration = Duration::from_secs(5);

/// Forwards the participant's tracks as they arrive, and removes them once their connection
/// failed, or stayed disconnected a few seconds (no ghost stays in the others' grids).
async fn watch_connection(
    room: Arc<Room>,
    id: u64,
    mut events: mpsc::UnboundedReceiver<PeerEvent>,
) {
    let mut deadline: Option<tokio::time::Instant> = None;
    loop {
        let event = match deadline {
            Some(at) => match tokio::time::timeout_at(at, events.recv()).await {
                Ok(event) => event,
                Err(_) => {
                    tracing::info!(
                        participant = id,
                        "video: connection lost, participant dropped"
                    );
                    room.leave(id).await;
                    return;
                }
            },
            None => events.recv().await,
        };
        let Some(event) = event else {
            return;
        };
        match event {
            PeerEvent::Track(track) => room.publish(id, track).await,
            PeerEvent::KeyframeRequest(ssrc) => room.keyframe_requested(id, ssrc).await,
            PeerEvent::Loss { ssrc, fraction } => room.loss_reported(id, ssrc, fraction).await,
            PeerEvent::Estimate(bitrate) => room.estimate_reported(id, bitrate).await,
            PeerEvent::State(RTCPeerConnectionState::Failed | RTCPeerConnectionState::Closed) => {
                room.leave(id).await;
                return;
            }
            PeerEvent::State(RTCPeerConnectionState::Disconnected) => {
                deadline.get_or_insert(tokio::time::Instant::now() + DISCONNECTED_GRACE);
            }
            PeerEvent::State(_) => deadline = None,
        }
    }
}
