//! The browser side of a video room: camera and microphone, one `RTCPeerConnection` to the SFU,
//! the signaling WebSocket, tiles, the active speaker and reconnection. One room per page, so the
//! connection lives in a thread-local; the view only reads [`RoomUi`]'s signals.
//!
//! Negotiation follows the server (`server/src/video/room.rs`): after `welcome` the browser
//! offers once (complete SDP, no trickle); every later change comes as a server offer, answered
//! in order. Screen sharing replaces the camera's track on the same sender, so it needs no
//! renegotiation.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    HtmlMediaElement, MediaDeviceInfo, MediaDeviceKind, MediaStream, MediaStreamConstraints,
    MediaStreamTrack, RtcIceGatheringState, RtcPeerConnection, RtcPeerConnectionState,
    RtcRtpSender, RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSdpType,
    RtcSessionDescriptionInit, RtcTrackEvent, WebSocket,
};

use super::{Phase, RoomUi};
use crate::domain::video::{
    layer_for_tile, ClientSignal, IceServer, Layer, LayerWish, MediaStatus, ServerSignal,
};

/// Delay before reconnecting after the connection dropped.
const RECONNECT_MS: i32 = 2_000;
/// How long a speaker keeps the full simulcast layer after they last spoke.
const SPEAKER_HOLD_MS: f64 = 4_000.0;

struct Client {
    ui: RoomUi,
    ice_servers: Vec<IceServer>,
    ws_path: String,
    /// The path the current connection signals on (a guest's carries their name).
    joined_path: String,
    guest: bool,
    local: Option<MediaStream>,
    camera_id: Option<String>,
    mic_id: Option<String>,
    screen: Option<MediaStreamTrack>,
    ws: Option<WebSocket>,
    pc: Option<RtcPeerConnection>,
    video_sender: Option<RtcRtpSender>,
    audio_sender: Option<RtcRtpSender>,
    streams: HashMap<u64, MediaStream>,
    /// Whose each received track is (by the browser's track id, as statistics name it).
    track_owners: HashMap<String, u64>,
    queue: VecDeque<ServerSignal>,
    busy: bool,
    leaving: bool,
    /// Bumped on every (re)connection: callbacks of an older one are ignored.
    generation: u32,
    /// Event handlers of the current connection, kept alive while it lasts.
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    /// The simulcast layers last asked of the server, per participant.
    wishes: Vec<LayerWish>,
    /// When each participant was last the active speaker (ms since the epoch).
    spoke: HashMap<u64, f64>,
}

thread_local! {
    static CLIENT: RefCell<Option<Rc<RefCell<Client>>>> = const { RefCell::new(None) };
}

fn client() -> Option<Rc<RefCell<Client>>> {
    CLIENT.with(|c| c.borrow().clone())
}

fn with<T>(f: impl FnOnce(&mut Client) -> T) -> Option<T> {
    client().map(|c| f(&mut c.borrow_mut()))
}

fn ui() -> Option<RoomUi> {
    with(|c| c.ui)
}

fn notice(text: impl Into<String>) {
    if let Some(ui) = ui() {
        ui.notice.set(Some(text.into()));
    }
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Sets the room up once the island is live: the camera and microphone preview, then a timer
/// for the active speaker.
pub fn start(ui: RoomUi, ws_path: String, guest: bool, ice_servers: Vec<IceServer>) {
    let client = Client {
        ui,
        ice_servers,
        joined_path: ws_path.clone(),
        ws_path,
        guest,
        local: None,
        camera_id: None,
        mic_id: None,
        screen: None,
        ws: None,
        pc: None,
        video_sender: None,
        audio_sender: None,
        streams: HashMap::new(),
        track_owners: HashMap::new(),
        queue: VecDeque::new(),
        busy: false,
        leaving: false,
        generation: 0,
        handlers: Vec::new(),
        wishes: Vec::new(),
        spoke: HashMap::new(),
    };
    CLIENT.with(|c| *c.borrow_mut() = Some(Rc::new(RefCell::new(client))));
    spawn_local(acquire());
    spawn_local(async {
        loop {
            sleep(500).await;
            active_speaker().await;
            send_layer_wishes();
        }
    });
}

/// A button: "join", "mic", "cam", "screen", "leave", "again".
pub fn act(what: &str) {
    match what {
        "join" => join(),
        "mic" => toggle("audio"),
        "cam" => toggle("video"),
        "screen" => spawn_local(toggle_screen()),
        "leave" => leave(),
        "again" => {
            if let Some(ui) = ui() {
                ui.phase.set(Phase::Preview);
                ui.notice.set(None);
            }
            spawn_local(acquire());
        }
        _ => {}
    }
}

/// A device chosen ("video" or "audio"): in the preview, the preview restarts with it; in the
/// room, its track replaces the current one on the same sender (no renegotiation).
pub fn choose_device(kind: &'static str, id: String) {
    let in_room = with(|c| {
        if kind == "video" {
            c.camera_id = Some(id);
        } else {
            c.mic_id = Some(id);
        }
        c.pc.is_some() && c.ui.phase.get_untracked() == Phase::InRoom
    });
    if in_room == Some(true) {
        spawn_local(switch_device(kind));
    } else {
        spawn_local(acquire());
    }
}

/// Swaps the camera or microphone while in the room, keeping its muted state.
async fn switch_device(kind: &'static str) {
    let video = kind == "video";
    let Some((ui, local, device, sender, sharing)) = with(|c| {
        (
            c.ui,
            c.local.clone(),
            if video {
                c.camera_id.clone()
            } else {
                c.mic_id.clone()
            },
            if video {
                c.video_sender.clone()
            } else {
                c.audio_sender.clone()
            },
            c.screen.is_some(),
        )
    }) else {
        return;
    };
    let (Some(local), Some(sender)) = (local, sender) else {
        return;
    };
    let wanted = constraint(&device, video);
    let opened = if video {
        user_media(None, Some(wanted)).await
    } else {
        user_media(Some(wanted), None).await
    };
    let tracks_of = |stream: &MediaStream| {
        if video {
            stream.get_video_tracks()
        } else {
            stream.get_audio_tracks()
        }
    };
    let Some(track) = opened.ok().and_then(|stream| {
        tracks_of(&stream)
            .get(0)
            .dyn_into::<MediaStreamTrack>()
            .ok()
    }) else {
        ui.notice.set(Some(
            "Cet appareil n'a pas pu être ouvert : l'ancien reste utilisé.".into(),
        ));
        return;
    };
    let old = tracks_of(&local).get(0).dyn_into::<MediaStreamTrack>().ok();
    track.set_enabled(old.as_ref().is_none_or(MediaStreamTrack::enabled));
    // While a screen is shared, the new camera waits for the end of the share.
    if !(video && sharing)
        && JsFuture::from(sender.replace_track(Some(&track)))
            .await
            .is_err()
    {
        track.stop();
        ui.notice.set(Some(
            "Cet appareil n'a pas pu être utilisé : l'ancien reste utilisé.".into(),
        ));
        return;
    }
    if let Some(old) = old {
        local.remove_track(&old);
        old.stop();
    }
    local.add_track(&track);
    ui.notice.set(None);
}

/// Lets a waiting guest in, or turns them away.
pub fn decide(id: u64, admit: bool) {
    send(&if admit {
        ClientSignal::Admit { id }
    } else {
        ClientSignal::Refuse { id }
    });
}

fn error_name(error: &JsValue) -> String {
    Reflect::get(error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

/// A `getUserMedia` constraint for a device (any when none is chosen); a camera is asked for
/// 960×540, so that its three simulcast layers (240, 480 and 960 pixels wide) all exist.
fn constraint(device: &Option<String>, camera: bool) -> JsValue {
    let wanted = js_sys::Object::new();
    if let Some(id) = device.as_ref().filter(|id| !id.is_empty()) {
        let exact = js_sys::Object::new();
        let _ = Reflect::set(&exact, &"exact".into(), &id.into());
        let _ = Reflect::set(&wanted, &"deviceId".into(), &exact);
    }
    if camera {
        for (name, ideal) in [("width", 960), ("height", 540)] {
            let value = js_sys::Object::new();
            let _ = Reflect::set(&value, &"ideal".into(), &ideal.into());
            let _ = Reflect::set(&wanted, &name.into(), &value);
        }
    }
    if js_sys::Object::keys(&wanted).length() == 0 {
        JsValue::TRUE
    } else {
        wanted.into()
    }
}

async fn user_media(
    audio: Option<JsValue>,
    video: Option<JsValue>,
) -> Result<MediaStream, JsValue> {
    let devices = web_sys::window()
        .ok_or(JsValue::NULL)?
        .navigator()
        .media_devices()?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&audio.unwrap_or(JsValue::FALSE));
    constraints.set_video(&video.unwrap_or(JsValue::FALSE));
    let stream = JsFuture::from(devices.get_user_media_with_constraints(&constraints)?).await?;
    Ok(stream.unchecked_into())
}

/// Opens the chosen camera and microphone (or what exists), shows the preview, lists devices.
async fn acquire() {
    let Some((ui, old, camera, mic)) =
        with(|c| (c.ui, c.local.take(), c.camera_id.clone(), c.mic_id.clone()))
    else {
        return;
    };
    ui.ready.set(false);
    if let Some(old) = old {
        stop_all(&old);
    }
    let (audio, video) = (constraint(&mic, false), constraint(&camera, true));
    let mut message = None;
    let stream = match user_media(Some(audio.clone()), Some(video.clone())).await {
        Ok(stream) => Some(stream),
        Err(error) => {
            let name = error_name(&error);
            if name == "NotAllowedError" || name == "SecurityError" {
                message = Some("L'accès à la caméra et au micro a été refusé : autorisez-le dans les réglages du navigateur puis rechargez la page, ou entrez sans (vous pourrez écouter et voir les autres).");
                None
            } else {
                // No camera, or no microphone: take what exists.
                match user_media(Some(audio), None).await {
                    Ok(stream) => {
                        message = Some("Aucune caméra n'a été trouvée : vous entrerez avec le micro seulement.");
                        Some(stream)
                    }
                    Err(_) => match user_media(None, Some(video)).await {
                        Ok(stream) => {
                            message = Some("Aucun micro n'a été trouvé : vous entrerez avec la caméra seulement.");
                            Some(stream)
                        }
                        Err(_) => {
                            message = Some("Aucune caméra ni aucun micro n'a été trouvé : vous entrerez en auditeur (vous verrez et entendrez les autres).");
                            None
                        }
                    },
                }
            }
        }
    };
    let has_audio = stream
        .as_ref()
        .is_some_and(|s| s.get_audio_tracks().length() > 0);
    let has_video = stream
        .as_ref()
        .is_some_and(|s| s.get_video_tracks().length() > 0);
    ui.has_audio.set(has_audio);
    ui.has_video.set(has_video);
    ui.mic.set(has_audio);
    ui.cam.set(has_video);
    ui.notice.set(message.map(str::to_string));
    if let Some(element) = media_element("room-preview") {
        element.set_src_object(stream.as_ref());
        let _ = element.play();
    }
    with(|c| c.local = stream.clone());
    list_devices(ui, stream.as_ref()).await;
    ui.ready.set(true);
}

fn stop_all(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

async fn list_devices(ui: RoomUi, stream: Option<&MediaStream>) {
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return;
    };
    let Ok(promise) = devices.enumerate_devices() else {
        return;
    };
    let Ok(list) = JsFuture::from(promise).await else {
        return;
    };
    let in_use = |kind: &str| {
        stream.and_then(|s| {
            let tracks = if kind == "video" {
                s.get_video_tracks()
            } else {
                s.get_audio_tracks()
            };
            let track: MediaStreamTrack = tracks.get(0).dyn_into().ok()?;
            let settings = track.get_settings();
            Reflect::get(&settings, &"deviceId".into())
                .ok()?
                .as_string()
        })
    };
    let (mut cameras, mut mics) = (Vec::new(), Vec::new());
    for device in Array::from(&list).iter() {
        let device: MediaDeviceInfo = device.unchecked_into();
        let label = device.label();
        match device.kind() {
            MediaDeviceKind::Videoinput => cameras.push((device.device_id(), label)),
            MediaDeviceKind::Audioinput => mics.push((device.device_id(), label)),
            _ => {}
        }
    }
    // The device in use first, so the select shows it.
    for (list, kind) in [(&mut cameras, "video"), (&mut mics, "audio")] {
        if let Some(current) = in_use(kind) {
            if let Some(at) = list.iter().position(|(id, _)| *id == current) {
                let chosen = list.remove(at);
                list.insert(0, chosen);
            }
        }
        for (n, (_, label)) in list.iter_mut().enumerate() {
            if label.is_empty() {
                *label = format!("Appareil {}", n + 1);
            }
        }
    }
    ui.cameras.set(cameras);
    ui.mics.set(mics);
}

fn media_element(id: &str) -> Option<HtmlMediaElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into()
        .ok()
}

fn ws_url(path: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}{path}", location.host().ok()?))
}

fn join() {
    let Some((ui, guest, path)) = with(|c| {
        c.leaving = false;
        (c.ui, c.guest, c.ws_path.clone())
    }) else {
        return;
    };
    ui.phase.set(Phase::Joining);
    let path = if guest {
        let name = ui.guest_name.get_untracked();
        format!(
            "{path}?nom={}",
            String::from(js_sys::encode_uri_component(&name))
        )
    } else {
        path
    };
    connect(path);
}

/// Opens the signaling socket (a new connection generation).
fn connect(path: String) {
    let Some(url) = ws_url(&path) else {
        return;
    };
    let socket = match WebSocket::new(&url) {
        Ok(socket) => socket,
        Err(_) => {
            notice("La salle est injoignable : vérifiez la connexion.");
            return;
        }
    };
    let Some(generation) = with(|c| {
        c.joined_path = path.clone();
        c.generation += 1;
        c.wishes.clear();
        c.handlers.clear();
        c.ws = Some(socket.clone());
        c.generation
    }) else {
        return;
    };
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let event: web_sys::MessageEvent = event.unchecked_into();
        let Some(text) = event.data().as_string() else {
            return;
        };
        let Ok(signal) = serde_json::from_str::<ServerSignal>(&text) else {
            return;
        };
        if with(|c| c.generation) != Some(generation) {
            return;
        }
        let start = with(|c| {
            c.queue.push_back(signal);
            !std::mem::replace(&mut c.busy, true)
        });
        if start == Some(true) {
            spawn_local(drain(generation));
        }
    });
    let reconnect_path = path.clone();
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
        lost(generation, reconnect_path.clone());
    });
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    with(|c| {
        c.handlers.push(on_message);
        c.handlers.push(on_close);
    });
}

/// The connection `generation` dropped (socket closed, or media failed): unless the person left
/// or was refused, clean up and come back.
fn lost(generation: u32, path: String) {
    let Some((current, leaving, ui)) = with(|c| (c.generation, c.leaving, c.ui)) else {
        return;
    };
    if current != generation || leaving {
        return;
    }
    let phase = ui.phase.get_untracked();
    if matches!(
        phase,
        Phase::Refused | Phase::Closed | Phase::Left | Phase::Preview
    ) {
        return;
    }
    close_connection();
    ui.notice.set(Some(
        "Connexion perdue : reconnexion automatique en cours…".into(),
    ));
    ui.phase.set(Phase::Joining);
    spawn_local(async move {
        sleep(RECONNECT_MS).await;
        if with(|c| c.generation == generation && !c.leaving) == Some(true) {
            connect(path);
        }
    });
}

fn close_connection() {
    let Some((ws, pc)) = with(|c| {
        c.streams.clear();
        c.track_owners.clear();
        c.queue.clear();
        c.video_sender = None;
        c.audio_sender = None;
        (c.ws.take(), c.pc.take())
    }) else {
        return;
    };
    if let Some(ws) = ws {
        ws.set_onclose(None);
        ws.set_onmessage(None);
        let _ = ws.close();
    }
    if let Some(pc) = pc {
        pc.set_ontrack(None);
        pc.set_onconnectionstatechange(None);
        pc.close();
    }
}

fn send(signal: &ClientSignal) {
    let Some(Some(ws)) = with(|c| c.ws.clone()) else {
        return;
    };
    if let Ok(text) = serde_json::to_string(signal) {
        let _ = ws.send_with_str(&text);
    }
}

/// Handles the queued server signals one after the other (each may await the browser).
async fn drain(generation: u32) {
    loop {
        let next = with(|c| {
            if c.generation != generation {
                c.busy = false;
                return None;
            }
            let next = c.queue.pop_front();
            if next.is_none() {
                c.busy = false;
            }
            next
        })
        .flatten();
        let Some(signal) = next else {
            return;
        };
        if let Err(error) = handle(signal, generation).await {
            web_sys::console::warn_2(&"video room:".into(), &error);
        }
    }
}

fn description(kind: RtcSdpType, sdp: &str) -> RtcSessionDescriptionInit {
    let init = RtcSessionDescriptionInit::new(kind);
    init.set_sdp(sdp);
    init
}

async fn gathered(pc: &RtcPeerConnection) {
    for _ in 0..100 {
        if pc.ice_gathering_state() == RtcIceGatheringState::Complete {
            return;
        }
        sleep(50).await;
    }
}

async fn handle(signal: ServerSignal, generation: u32) -> Result<(), JsValue> {
    let Some(ui) = ui() else {
        return Ok(());
    };
    match signal {
        ServerSignal::Welcome { you, peers } => {
            ui.me.set(Some(you));
            ui.peers.set(peers);
            ui.phase.set(Phase::InRoom);
            ui.notice.set(None);
            attach_soon();
            open_peer(generation).await?;
            send_status();
        }
        ServerSignal::Answer { sdp } => {
            if let Some(Some(pc)) = with(|c| c.pc.clone()) {
                JsFuture::from(pc.set_remote_description(&description(RtcSdpType::Answer, &sdp)))
                    .await?;
            }
        }
        ServerSignal::Offer { sdp } => {
            if let Some(Some(pc)) = with(|c| c.pc.clone()) {
                JsFuture::from(pc.set_remote_description(&description(RtcSdpType::Offer, &sdp)))
                    .await?;
                let answer = JsFuture::from(pc.create_answer()).await?;
                JsFuture::from(pc.set_local_description(answer.unchecked_ref())).await?;
                gathered(&pc).await;
                if let Some(local) = pc.local_description() {
                    send(&ClientSignal::Answer { sdp: local.sdp() });
                }
            }
        }
        ServerSignal::Peers { peers } => {
            with(|c| c.streams.retain(|id, _| peers.iter().any(|p| p.id == *id)));
            ui.peers.set(peers);
            attach_soon();
        }
        ServerSignal::Lobby { waiting } => {
            let more = waiting.len() > ui.lobby.with_untracked(Vec::len);
            ui.lobby.set(waiting);
            if more {
                knock_sound();
            }
        }
        ServerSignal::Waiting => ui.phase.set(Phase::Waiting),
        ServerSignal::Refused | ServerSignal::Closed => {
            let closed = matches!(signal, ServerSignal::Closed);
            ui.phase.set(if closed {
                Phase::Closed
            } else {
                Phase::Refused
            });
            with(|c| c.leaving = true);
            close_connection();
            if let Some(Some(local)) = with(|c| c.local.take()) {
                stop_all(&local);
            }
        }
        ServerSignal::Error { message } => ui.notice.set(Some(message)),
    }
    Ok(())
}

/// The connection to the SFU: the local tracks (or empty senders, so a screen can be shared
/// later), the remote tracks to tiles, and the first offer.
async fn open_peer(generation: u32) -> Result<(), JsValue> {
    let configuration = web_sys::RtcConfiguration::new();
    let servers = Array::new();
    for server in with(|c| c.ice_servers.clone()).unwrap_or_default() {
        let entry = js_sys::Object::new();
        let urls: Array = server.urls.iter().map(JsValue::from).collect();
        Reflect::set(&entry, &"urls".into(), &urls)?;
        if let (Some(user), Some(password)) = (&server.username, &server.credential) {
            Reflect::set(&entry, &"username".into(), &user.into())?;
            Reflect::set(&entry, &"credential".into(), &password.into())?;
        }
        servers.push(&entry);
    }
    Reflect::set(&configuration, &"iceServers".into(), &servers)?;
    let pc = RtcPeerConnection::new_with_configuration(&configuration)?;
    let local = with(|c| c.local.clone()).flatten();
    let stream = local.clone().unwrap_or(MediaStream::new()?);
    let sender = |kind: &str| -> Result<RtcRtpSender, JsValue> {
        let tracks = if kind == "video" {
            stream.get_video_tracks()
        } else {
            stream.get_audio_tracks()
        };
        let init = RtcRtpTransceiverInit::new();
        init.set_direction(RtcRtpTransceiverDirection::Sendrecv);
        init.set_streams(&Array::of1(&stream));
        if kind == "video" {
            Reflect::set(&init, &"sendEncodings".into(), &simulcast_encodings())?;
        }
        Ok(match tracks.get(0).dyn_into::<MediaStreamTrack>() {
            Ok(track) => pc
                .add_transceiver_with_media_stream_track_and_init(&track, &init)
                .sender(),
            // Nothing to send yet: a screen may be shared later on this sender.
            Err(_) => pc.add_transceiver_with_str_and_init(kind, &init).sender(),
        })
    };
    let audio_sender = sender("audio")?;
    let video_sender = sender("video")?;
    let on_track = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let event: RtcTrackEvent = event.unchecked_into();
        let Ok(stream) = event.streams().get(0).dyn_into::<MediaStream>() else {
            return;
        };
        let Some(owner) = stream
            .id()
            .strip_prefix('p')
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return;
        };
        let track_id = event.track().id();
        with(|c| {
            c.streams.insert(owner, stream);
            c.track_owners.insert(track_id, owner);
        });
        attach_soon();
    });
    let watched = pc.clone();
    // Rejoin where this connection joined (a guest keeps their name).
    let path = with(|c| c.joined_path.clone()).unwrap_or_default();
    let on_state = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
        if watched.connection_state() == RtcPeerConnectionState::Failed {
            lost(generation, path.clone());
        }
    });
    pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
    pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
    let current = with(|c| {
        if c.generation != generation {
            return false;
        }
        c.handlers.push(on_track);
        c.handlers.push(on_state);
        c.pc = Some(pc.clone());
        c.video_sender = Some(video_sender);
        c.audio_sender = Some(audio_sender);
        true
    });
    if current != Some(true) {
        pc.close();
        return Ok(());
    }
    // Tests read the connection's statistics (frames decoded) from here.
    if let Some(window) = web_sys::window() {
        let _ = Reflect::set(&window, &"concertoPeer".into(), &pc);
    }
    let offer = JsFuture::from(pc.create_offer()).await?;
    JsFuture::from(pc.set_local_description(offer.unchecked_ref())).await?;
    gathered(&pc).await;
    if let Some(local) = pc.local_description() {
        send(&ClientSignal::Offer { sdp: local.sdp() });
    }
    Ok(())
}

/// The camera's three simulcast encodings (lowest first, as the SFU numbers them): a quarter,
/// half and all of the resolution, at about 150, 500 and 1,200 kbit/s.
fn simulcast_encodings() -> Array {
    [
        (Layer::Low, 4.0, 150_000),
        (Layer::Medium, 2.0, 500_000),
        (Layer::High, 1.0, 1_200_000),
    ]
    .into_iter()
    .map(|(layer, scale, bitrate)| {
        let encoding = js_sys::Object::new();
        let _ = Reflect::set(&encoding, &"rid".into(), &layer.rid().into());
        let _ = Reflect::set(&encoding, &"scaleResolutionDownBy".into(), &scale.into());
        let _ = Reflect::set(&encoding, &"maxBitrate".into(), &f64::from(bitrate).into());
        JsValue::from(encoding)
    })
    .collect()
}

/// Tells the server which layer each tile needs (its width, the speaker, a shared screen),
/// when that changed.
fn send_layer_wishes() {
    let Some((ui, before)) = with(|c| (c.ui, c.wishes.clone())) else {
        return;
    };
    let me = ui.me.get_untracked();
    // Whoever spoke in the last few seconds keeps the full layer: the highlight may flicker
    // between voices, a layer switch costs a keyframe.
    let now = js_sys::Date::now();
    let speaker = ui.speaker.get_untracked();
    let recent = with(|c| {
        if let Some(id) = speaker {
            c.spoke.insert(id, now);
        }
        c.spoke.retain(|_, at| now - *at < SPEAKER_HOLD_MS);
        c.spoke.clone()
    })
    .unwrap_or_default();
    let wishes: Vec<LayerWish> = ui
        .peers
        .get_untracked()
        .iter()
        .filter(|p| Some(p.id) != me && p.media.video)
        .filter_map(|p| {
            let width = media_element(&format!("tile-video-{}", p.id))?.client_width();
            Some(LayerWish {
                participant: p.id,
                layer: layer_for_tile(f64::from(width), recent.contains_key(&p.id), p.media.screen),
            })
        })
        .collect();
    if wishes.is_empty() || wishes == before {
        return;
    }
    send(&ClientSignal::Layers {
        wishes: wishes.clone(),
    });
    with(|c| c.wishes = wishes);
}

/// Gives each tile its stream once the grid has rendered.
fn attach_soon() {
    spawn_local(async {
        sleep(0).await;
        attach_all();
    });
}

fn attach_all() {
    let Some((me, local, streams)) =
        with(|c| (c.ui.me.get_untracked(), c.local.clone(), c.streams.clone()))
    else {
        return;
    };
    let mut all: Vec<(u64, MediaStream)> = streams.into_iter().collect();
    if let (Some(me), Some(local)) = (me, local) {
        all.push((me, local));
    }
    for (id, stream) in all {
        let Some(element) = media_element(&format!("tile-video-{id}")) else {
            continue;
        };
        let same = element
            .src_object()
            .is_some_and(|current| current.id() == stream.id());
        if !same {
            element.set_src_object(Some(&stream));
            let _ = element.play();
        }
    }
}

fn send_status() {
    let Some(ui) = ui() else {
        return;
    };
    send(&ClientSignal::Status {
        media: MediaStatus {
            audio: ui.mic.get_untracked(),
            video: ui.cam.get_untracked() || ui.screen.get_untracked(),
            screen: ui.screen.get_untracked(),
        },
    });
}

/// Mutes or unmutes the microphone ("audio") or the camera ("video"): the track keeps its
/// place and sends silence or black.
fn toggle(kind: &str) {
    let Some((ui, Some(local))) = with(|c| (c.ui, c.local.clone())) else {
        return;
    };
    let tracks = if kind == "video" {
        local.get_video_tracks()
    } else {
        local.get_audio_tracks()
    };
    let Ok(track) = tracks.get(0).dyn_into::<MediaStreamTrack>() else {
        return;
    };
    let on = !track.enabled();
    track.set_enabled(on);
    if kind == "video" {
        ui.cam.set(on);
    } else {
        ui.mic.set(on);
    }
    send_status();
}

async fn toggle_screen() {
    let Some((ui, sender, screen, local)) = with(|c| {
        (
            c.ui,
            c.video_sender.clone(),
            c.screen.take(),
            c.local.clone(),
        )
    }) else {
        return;
    };
    let Some(sender) = sender else {
        return;
    };
    if let Some(screen) = screen {
        // Back to the camera (or nothing).
        screen.stop();
        let camera = local.and_then(|l| {
            l.get_video_tracks()
                .get(0)
                .dyn_into::<MediaStreamTrack>()
                .ok()
        });
        let _ = JsFuture::from(sender.replace_track(camera.as_ref())).await;
        ui.screen.set(false);
        send_status();
        return;
    }
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return;
    };
    let Ok(promise) = devices.get_display_media() else {
        ui.notice.set(Some(
            "Le partage d'écran n'est pas disponible dans ce navigateur.".into(),
        ));
        return;
    };
    let stream: MediaStream = match JsFuture::from(promise).await {
        Ok(stream) => stream.unchecked_into(),
        Err(_) => {
            ui.notice
                .set(Some("Le partage d'écran a été annulé ou refusé.".into()));
            return;
        }
    };
    let Ok(track) = stream
        .get_video_tracks()
        .get(0)
        .dyn_into::<MediaStreamTrack>()
    else {
        return;
    };
    if JsFuture::from(sender.replace_track(Some(&track)))
        .await
        .is_err()
    {
        track.stop();
        ui.notice
            .set(Some("Le partage d'écran n'a pas pu démarrer.".into()));
        return;
    }
    // Stopped from the browser's own "stop sharing" bar.
    let ended = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
        if with(|c| c.screen.is_some()) == Some(true) {
            spawn_local(toggle_screen());
        }
    });
    track.set_onended(Some(ended.as_ref().unchecked_ref()));
    ended.forget();
    with(|c| c.screen = Some(track));
    ui.screen.set(true);
    send_status();
}

fn leave() {
    send(&ClientSignal::Leave);
    let Some(ui) = with(|c| {
        c.leaving = true;
        c.ui
    }) else {
        return;
    };
    close_connection();
    if let Some((Some(local), screen)) = with(|c| (c.local.take(), c.screen.take())) {
        stop_all(&local);
        if let Some(screen) = screen {
            screen.stop();
        }
    }
    ui.peers.set(Vec::new());
    ui.lobby.set(Vec::new());
    ui.speaker.set(None);
    ui.phase.set(Phase::Left);
}

/// Highlights whoever speaks loudest (audio levels from the connection's statistics).
async fn active_speaker() {
    let Some((ui, Some(pc))) = with(|c| (c.ui, c.pc.clone())) else {
        return;
    };
    let Ok(report) = JsFuture::from(pc.get_stats()).await else {
        return;
    };
    let me = ui.me.get_untracked();
    let owners = with(|c| c.track_owners.clone()).unwrap_or_default();
    let mut loudest: Option<(u64, f64)> = None;
    let Ok(Some(entries)) = js_sys::try_iter(&report) else {
        return;
    };
    for entry in entries.flatten() {
        let stat = Array::from(&entry).get(1);
        let field = |name: &str| Reflect::get(&stat, &name.into()).ok();
        let text = |name: &str| field(name).and_then(|v| v.as_string()).unwrap_or_default();
        if text("kind") != "audio" {
            continue;
        }
        let Some(level) = field("audioLevel").and_then(|v| v.as_f64()) else {
            continue;
        };
        let who = match text("type").as_str() {
            "inbound-rtp" => owners.get(&text("trackIdentifier")).copied(),
            "media-source" if ui.mic.get_untracked() => me,
            _ => None,
        };
        if let Some(who) = who {
            if level > 0.05 && loudest.is_none_or(|(_, l)| level > l) {
                loudest = Some((who, level));
            }
        }
    }
    let speaker = loudest.map(|(who, _)| who);
    if ui.speaker.get_untracked() != speaker {
        ui.speaker.set(speaker);
    }
}

/// Two short tones when a guest knocks.
fn knock_sound() {
    let Ok(context) = web_sys::AudioContext::new() else {
        return;
    };
    let now = context.current_time();
    for (n, frequency) in [660.0_f32, 880.0].into_iter().enumerate() {
        let (Ok(tone), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else {
            return;
        };
        tone.frequency().set_value(frequency);
        gain.gain().set_value(0.15);
        let _ = tone.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let at = now + n as f64 * 0.2;
        let _ = tone.start_with_when(at);
        let _ = tone.stop_with_when(at + 0.15);
    }
}
