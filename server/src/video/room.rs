//! A meeting's room in the SFU: its participants, the tracks they publish (sources), and for each
//! (source, other participant) a forward: a local track on the subscriber's connection, to which
//! the source's task hands each packet only if the connection can take it at once (webrtc-rs
//! queues 256 messages per connection), so a slow subscriber drops its own packets and never
//! delays the others. (A queue and a task per forward, as before, cost a hop per packet and saved
//! no CPU in `concerto sfu-bench`.)
//!
//! A camera published in simulcast (three encodings, see `layers`) reaches each subscriber as
//! one stream of the layer its tile needs, switched at keyframes and renumbered.
//!
//! Negotiation: the participant offers first (its camera and microphone); from then on only the
//! server offers (one offer in flight per connection), whenever forwards were added or removed.
//! A forwarded track belongs to the media stream `p<participant id>`, which is how a browser knows
//! whose tile it is.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use app::domain::video::{Layer, LayerWish, MediaStatus, RoomPeer, ServerSignal};
use futures_util::FutureExt;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RtpCodecKind};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::{mpsc, oneshot, watch};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::RTCSessionDescription;
use webrtc::rtp_transceiver::RtpSender;

use super::layers::{
    lower_one, parse_vp8, raise_one, Bandwidth, Pressure, RateMeter, Selector, Verdict,
    LAYER_SILENT_AFTER,
};
use super::peer::{self, Peer};

/// How long a participant may take to answer a server offer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a published camera is asked for a keyframe anyway (bounds how long a lost keyframe
/// freezes a tile when a subscriber's own request was lost too).
const KEYFRAME_EVERY: Duration = Duration::from_secs(5);
/// How often each subscriber's simulcast layer is chosen again (what arrives, wishes, loss).
const RETARGET_EVERY: Duration = Duration::from_millis(250);
/// Bytes of an RTP header without extensions, counted with each forwarded payload.
const RTP_HEADER: usize = 12;
/// Keyframe requests of subscribers passed on to a publisher at most this often: a keyframe
/// answers every subscriber that lost the picture meanwhile.
const KEYFRAME_RELAY_GAP: Duration = Duration::from_millis(500);

/// One person's connection to a room.
pub struct Participant {
    /// Who they are, as the others see them.
    pub peer: RoomPeer,
    /// Their connection.
    pub connection: Peer,
    signals: mpsc::UnboundedSender<ServerSignal>,
    gathered: tokio::sync::Mutex<watch::Receiver<u64>>,
    negotiation: tokio::sync::Mutex<()>,
    pending_answer: Mutex<Option<oneshot::Sender<String>>>,
    /// Set when forwards changed since the last offer.
    dirty: AtomicBool,
    /// Set once their first offer is answered (forwards wait for it).
    ready: AtomicBool,
    left: AtomicBool,
    forwards: Mutex<Vec<Arc<Forward>>>,
    media: Mutex<MediaStatus>,
    /// The layer they want of each publisher's camera (kept for forwards made later).
    wishes: Mutex<HashMap<u64, Layer>>,
    /// Bytes of video forwarded to them so far (RTP payload and header).
    video_sent: Arc<AtomicU64>,
    /// Their receiver's bandwidth estimates, and the rate of video they are sent.
    bandwidth: Mutex<(Bandwidth, RateMeter)>,
}

/// A track someone publishes.
struct Source {
    owner: u64,
    /// The track as it arrives (keyframe requests go back through it).
    track: Arc<dyn TrackRemote>,
    ssrc: u32,
    /// The forwarded track's id on every subscriber's connection.
    track_id: String,
    kind: RtpCodecKind,
    codec: RTCRtpCodec,
    /// Replaced whole when it changes, so each packet only clones an `Arc` to read it.
    forwards: Mutex<Arc<Vec<Arc<Forward>>>>,
    /// Simulcast: each layer's SSRC and when its last packet arrived (none when the track has a
    /// single encoding).
    layers: Mutex<[Option<(u32, Instant)>; 3]>,
    /// When a keyframe was last asked for, per SSRC.
    keyframe_asked: Mutex<HashMap<u32, Instant>>,
}

impl Source {
    /// Asks the publisher for a keyframe of every layer.
    async fn request_keyframe(&self) {
        for ssrc in self.ssrcs() {
            request_keyframe(&self.track, ssrc).await;
        }
    }

    /// The SSRCs it arrives with: one per layer, or its only one.
    fn ssrcs(&self) -> Vec<u32> {
        let layers: Vec<u32> = self
            .layers
            .lock()
            .unwrap()
            .iter()
            .flatten()
            .map(|(ssrc, _)| *ssrc)
            .collect();
        if layers.is_empty() {
            vec![self.ssrc]
        } else {
            layers
        }
    }

    /// Asks for a keyframe of one layer (the only one when `None`), unless one was asked for
    /// less than [`KEYFRAME_RELAY_GAP`] ago: a keyframe answers every subscriber that lost the
    /// picture meanwhile.
    async fn request_keyframe_of(&self, layer: Option<Layer>) {
        let ssrc = match layer {
            Some(layer) => match self.layers.lock().unwrap()[layer.index()] {
                Some((ssrc, _)) => ssrc,
                None => return,
            },
            None => self.ssrc,
        };
        {
            let mut asked = self.keyframe_asked.lock().unwrap();
            if asked
                .get(&ssrc)
                .is_some_and(|at| at.elapsed() < KEYFRAME_RELAY_GAP)
            {
                return;
            }
            asked.insert(ssrc, Instant::now());
        }
        request_keyframe(&self.track, ssrc).await;
    }

    /// Which layers arrive now.
    fn live_layers(&self) -> [bool; 3] {
        let layers = self.layers.lock().unwrap();
        std::array::from_fn(|i| layers[i].is_some_and(|(_, at)| at.elapsed() < LAYER_SILENT_AFTER))
    }

    /// Chooses each subscriber's layer again; asks for a keyframe of the layers some subscriber
    /// now waits for.
    async fn retarget(&self) {
        let live = self.live_layers();
        if !live.iter().any(|l| *l) {
            return;
        }
        let forwards = Arc::clone(&self.forwards.lock().unwrap());
        let mut wanted = Vec::new();
        for forward in forwards.iter() {
            let Some(selector) = &forward.selector else {
                continue;
            };
            let mut selector = selector.lock().unwrap();
            selector.retarget(live);
            if selector.target != selector.current {
                wanted.extend(selector.target);
            }
        }
        wanted.sort();
        wanted.dedup();
        for layer in wanted {
            self.request_keyframe_of(Some(layer)).await;
        }
    }
}

/// What the SFU does with the packets of one incoming SSRC.
#[derive(Clone, Copy)]
enum Route {
    /// The track's only encoding: forwarded as it is.
    Single,
    /// One layer of a simulcast camera: forwarded to the subscribers that get this layer.
    Layer(Layer),
    /// Neither (e.g. a retransmission stream the SFU cannot map): dropped.
    Ignore,
}

/// A source sent to one subscriber.
struct Forward {
    subscriber: u64,
    source_track: String,
    sender: Arc<dyn RtpSender>,
    ssrc: u32,
    /// The payload type negotiated on the subscriber's leg; 0 until negotiated.
    payload_type: AtomicU8,
    mime_type: String,
    track: Arc<TrackLocalStaticRTP>,
    /// The source, to ask its publisher for keyframes (once this forward is live, and when the
    /// subscriber asks).
    source: Weak<Source>,
    /// Video: the simulcast layer this subscriber gets (unused while the source has one layer).
    selector: Option<Mutex<Selector>>,
    /// Video: the subscriber's count of video bytes sent.
    video_sent: Option<Arc<AtomicU64>>,
}

impl Forward {
    /// The layer forwarded now, if the source is in simulcast.
    fn current_layer(&self) -> Option<Layer> {
        self.selector.as_ref()?.lock().unwrap().current
    }
}

/// A guest knocking at the room's door.
struct Knock {
    peer: RoomPeer,
    decision: oneshot::Sender<bool>,
}

/// A room: everyone connected to one meeting's video, and the guests waiting in its lobby.
pub struct Room {
    participants: Mutex<Vec<Arc<Participant>>>,
    sources: Mutex<Vec<Arc<Source>>>,
    lobby: Mutex<Vec<Knock>>,
}

impl Participant {
    /// A participant whose server signals go to `signals`.
    pub fn new(
        peer: RoomPeer,
        connection: Peer,
        gathered: watch::Receiver<u64>,
        signals: mpsc::UnboundedSender<ServerSignal>,
    ) -> Arc<Participant> {
        Arc::new(Participant {
            peer,
            connection,
            signals,
            gathered: tokio::sync::Mutex::new(gathered),
            negotiation: tokio::sync::Mutex::new(()),
            pending_answer: Mutex::new(None),
            dirty: AtomicBool::new(false),
            ready: AtomicBool::new(false),
            left: AtomicBool::new(false),
            forwards: Mutex::new(Vec::new()),
            media: Mutex::new(MediaStatus::default()),
            wishes: Mutex::default(),
            video_sent: Arc::default(),
            bandwidth: Mutex::new((Bandwidth::default(), RateMeter::new(0, Instant::now()))),
        })
    }

    /// Who they are, with what they send now.
    pub fn current(&self) -> RoomPeer {
        RoomPeer {
            media: *self.media.lock().unwrap(),
            ..self.peer.clone()
        }
    }

    /// Sends a signal to this participant (dropped if they are gone).
    pub fn send(&self, signal: ServerSignal) {
        let _ = self.signals.send(signal);
    }

    /// Answers the participant's offer.
    pub async fn answer_offer(&self, sdp: String) -> anyhow::Result<()> {
        let _turn = self.negotiation.lock().await;
        let mut gathered = self.gathered.lock().await;
        let answer = peer::answer(&self.connection, &mut gathered, sdp).await?;
        self.send(ServerSignal::Answer {
            sdp: peer::with_opus_dtx(&answer),
        });
        drop(gathered);
        self.refresh_payload_types().await;
        Ok(())
    }

    /// Takes the participant's answer to the server's offer in flight.
    pub fn take_answer(&self, sdp: String) {
        if let Some(waiting) = self.pending_answer.lock().unwrap().take() {
            let _ = waiting.send(sdp);
        }
    }

    /// Offers the current forwards to the participant, again while they change meanwhile.
    fn renegotiate(self: &Arc<Self>) {
        self.dirty.store(true, Ordering::SeqCst);
        let me = self.clone();
        tokio::spawn(async move {
            let _turn = me.negotiation.lock().await;
            while me.dirty.swap(false, Ordering::SeqCst) && !me.left.load(Ordering::SeqCst) {
                if let Err(error) = me.offer_once().await {
                    tracing::warn!(participant = me.peer.id, %error, "renegotiation failed");
                    return;
                }
            }
        });
    }

    async fn offer_once(&self) -> anyhow::Result<()> {
        let offer = {
            let mut gathered = self.gathered.lock().await;
            peer::offer(&self.connection, &mut gathered).await?
        };
        let (answered, answer) = oneshot::channel();
        *self.pending_answer.lock().unwrap() = Some(answered);
        self.send(ServerSignal::Offer {
            sdp: peer::with_opus_dtx(&offer),
        });
        let sdp = tokio::time::timeout(ANSWER_TIMEOUT, answer).await??;
        self.connection
            .set_remote_description(RTCSessionDescription::answer(sdp)?)
            .await?;
        self.refresh_payload_types().await;
        Ok(())
    }

    /// Reads the payload type each forward was given on this leg (the browser's numbering).
    async fn refresh_payload_types(&self) {
        let forwards = self.forwards.lock().unwrap().clone();
        for forward in forwards {
            let Ok(parameters) = forward.sender.get_parameters().await else {
                continue;
            };
            if let Some(codec) = parameters.rtp_parameters.codecs.iter().find(|c| {
                c.rtp_codec
                    .mime_type
                    .eq_ignore_ascii_case(&forward.mime_type)
            }) {
                let before = forward
                    .payload_type
                    .swap(codec.payload_type, Ordering::SeqCst);
                if before == 0 && forward.mime_type.starts_with("video/") {
                    // A new subscriber's decoder needs a keyframe to start from.
                    if let Some(source) = forward.source.upgrade() {
                        source.request_keyframe().await;
                    }
                }
            }
        }
    }
}

/// Asks a publisher for a keyframe of its track `ssrc`.
async fn request_keyframe(track: &Arc<dyn TrackRemote>, ssrc: u32) {
    let _ = track
        .write_rtcp(vec![Box::new(PictureLossIndication {
            sender_ssrc: 0,
            media_ssrc: ssrc,
        })])
        .await;
}

impl Default for Room {
    fn default() -> Self {
        Room {
            participants: Mutex::new(Vec::new()),
            sources: Mutex::new(Vec::new()),
            lobby: Mutex::new(Vec::new()),
        }
    }
}

impl Room {
    /// Who is in the room.
    pub fn peers(&self) -> Vec<RoomPeer> {
        self.participants
            .lock()
            .unwrap()
            .iter()
            .map(|p| p.current())
            .collect()
    }

    /// Whether nobody is left, in the room or its lobby.
    pub fn is_empty(&self) -> bool {
        self.participants.lock().unwrap().is_empty() && self.lobby.lock().unwrap().is_empty()
    }

    /// Adds a participant and tells everyone; a professional also hears who waits in the lobby.
    pub fn enter(&self, participant: Arc<Participant>) {
        let guest = participant.peer.guest;
        self.participants.lock().unwrap().push(participant.clone());
        self.announce();
        if !guest {
            participant.send(ServerSignal::Lobby {
                waiting: self.waiting(),
            });
        }
    }

    /// A participant's new media status, told to everyone.
    pub fn set_media(&self, id: u64, media: MediaStatus) {
        if let Some(participant) = self.participant(id) {
            *participant.media.lock().unwrap() = media;
            self.announce();
        }
    }

    /// A guest knocks: they wait in the lobby until a professional in the room decides. The
    /// receiver yields the decision (dropped if the room is torn down).
    pub fn knock(&self, peer: RoomPeer) -> oneshot::Receiver<bool> {
        let (decision, decided) = oneshot::channel();
        self.lobby.lock().unwrap().push(Knock { peer, decision });
        self.announce_lobby();
        decided
    }

    /// A guest gave up waiting (closed the page).
    pub fn withdraw(&self, id: u64) {
        self.lobby.lock().unwrap().retain(|k| k.peer.id != id);
        self.announce_lobby();
    }

    /// A professional in the room (`by`) lets a waiting guest in or turns them away. False when
    /// `by` may not decide (a guest, or not in the room) or nobody with that id waits.
    pub fn decide(&self, by: u64, guest: u64, admit: bool) -> bool {
        if self.participant(by).is_none_or(|p| p.peer.guest) {
            return false;
        }
        let knock = {
            let mut lobby = self.lobby.lock().unwrap();
            let Some(at) = lobby.iter().position(|k| k.peer.id == guest) else {
                return false;
            };
            lobby.remove(at)
        };
        let _ = knock.decision.send(admit);
        self.announce_lobby();
        true
    }

    fn waiting(&self) -> Vec<RoomPeer> {
        self.lobby
            .lock()
            .unwrap()
            .iter()
            .map(|k| k.peer.clone())
            .collect()
    }

    fn announce_lobby(&self) {
        let waiting = self.waiting();
        for participant in self.participants.lock().unwrap().iter() {
            if !participant.peer.guest {
                participant.send(ServerSignal::Lobby {
                    waiting: waiting.clone(),
                });
            }
        }
    }

    fn announce(&self) {
        let peers = self.peers();
        for participant in self.participants.lock().unwrap().iter() {
            participant.send(ServerSignal::Peers {
                peers: peers.clone(),
            });
        }
    }

    fn participant(&self, id: u64) -> Option<Arc<Participant>> {
        self.participants
            .lock()
            .unwrap()
            .iter()
            .find(|p| p.peer.id == id)
            .cloned()
    }

    /// After the participant's first offer is answered: everything already published is
    /// forwarded to them.
    pub async fn subscribe(&self, participant: &Arc<Participant>) {
        if participant.ready.swap(true, Ordering::SeqCst) {
            return;
        }
        let sources = self.sources.lock().unwrap().clone();
        let mut added = false;
        for source in sources {
            if source.owner != participant.peer.id {
                added |= self.forward(&source, participant).await;
            }
        }
        if added {
            participant.renegotiate();
        }
    }

    /// A participant's track arrived: forward it to everyone else, packet by packet, until it ends.
    pub async fn publish(self: &Arc<Self>, owner: u64, track: Arc<dyn TrackRemote>) {
        let Some(ssrc) = track.ssrcs().await.first().copied() else {
            return;
        };
        let Some(codec) = track.codec(ssrc).await else {
            return;
        };
        let source = Arc::new(Source {
            owner,
            track: track.clone(),
            ssrc,
            track_id: format!("p{owner}-{}", track.track_id().await),
            kind: track.kind().await,
            codec,
            forwards: Mutex::default(),
            layers: Mutex::default(),
            keyframe_asked: Mutex::default(),
        });
        self.sources.lock().unwrap().push(source.clone());
        let others: Vec<_> = self
            .participants
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.peer.id != owner && p.ready.load(Ordering::SeqCst))
            .cloned()
            .collect();
        for subscriber in others {
            if self.forward(&source, &subscriber).await {
                subscriber.renegotiate();
            }
        }
        if source.kind == RtpCodecKind::Video {
            let source = Arc::downgrade(&source);
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(RETARGET_EVERY);
                let mut last_keyframe = Instant::now();
                loop {
                    tick.tick().await;
                    let Some(source) = source.upgrade() else {
                        return;
                    };
                    source.retarget().await;
                    if last_keyframe.elapsed() >= KEYFRAME_EVERY {
                        last_keyframe = Instant::now();
                        if !source.forwards.lock().unwrap().is_empty() {
                            source.request_keyframe().await;
                        }
                    }
                }
            });
        }
        let room = self.clone();
        tokio::spawn(async move {
            // What each SSRC is, and when each layer's arrival was last noted.
            let mut route_of: HashMap<u32, Route> = HashMap::new();
            let mut noted = [None::<Instant>; 3];
            while let Some(event) = track.poll().await {
                match event {
                    TrackRemoteEvent::OnRtpPacket(mut packet) => {
                        let ssrc = packet.header.ssrc;
                        let route = match route_of.get(&ssrc) {
                            Some(route) => *route,
                            None => {
                                let rid = track.rid(ssrc).await;
                                let route = match rid.as_deref().map(Layer::from_rid) {
                                    Some(Some(layer)) => Route::Layer(layer),
                                    None if ssrc == source.ssrc => Route::Single,
                                    // A retransmission or probing stream of a simulcast
                                    // layer, or a rid of no known layer.
                                    _ => Route::Ignore,
                                };
                                route_of.insert(ssrc, route);
                                route
                            }
                        };
                        let layer = match route {
                            Route::Single => None,
                            Route::Layer(layer) => Some(layer),
                            Route::Ignore => continue,
                        };
                        if let Some(layer) = layer {
                            // Noted at most every 100 ms: a lock per packet is not needed.
                            let now = Instant::now();
                            let slot = &mut noted[layer.index()];
                            if slot.is_none_or(|at| {
                                now.duration_since(at) > Duration::from_millis(100)
                            }) {
                                *slot = Some(now);
                                source.layers.lock().unwrap()[layer.index()] = Some((ssrc, now));
                            }
                        }
                        // Read once for every subscriber of a simulcast layer.
                        let vp8 = layer
                            .map(|_| parse_vp8(&packet.payload).unwrap_or_default())
                            .unwrap_or_default();
                        // The publisher's header extensions (ids it negotiated) mean nothing
                        // on a subscriber's leg: dropped once here, so that no copy below
                        // allocates a list of them.
                        packet.header.extension = false;
                        packet.header.extensions = Vec::new();
                        packet.header.extensions_padding = 0;
                        let forwards = Arc::clone(&source.forwards.lock().unwrap());
                        for forward in forwards.iter() {
                            let payload_type = forward.payload_type.load(Ordering::Relaxed);
                            if payload_type == 0 {
                                continue;
                            }
                            let mut copy = packet.clone();
                            if let (Some(layer), Some(selector)) = (layer, &forward.selector) {
                                let mut selector = selector.lock().unwrap();
                                let header = &packet.header;
                                let verdict = selector.admit(
                                    layer,
                                    header.sequence_number,
                                    header.timestamp,
                                    &vp8,
                                );
                                if verdict == Verdict::Drop {
                                    continue;
                                }
                                let (seq, timestamp, payload) = selector.switch.rewrite(
                                    header.sequence_number,
                                    header.timestamp,
                                    &packet.payload,
                                    &vp8,
                                );
                                copy.header.sequence_number = seq;
                                copy.header.timestamp = timestamp;
                                copy.payload = payload;
                            }
                            if let Some(sent) = &forward.video_sent {
                                sent.fetch_add(
                                    (copy.payload.len() + RTP_HEADER) as u64,
                                    Ordering::Relaxed,
                                );
                            }
                            copy.header.ssrc = forward.ssrc;
                            copy.header.payload_type = payload_type;
                            // Handed to the subscriber's connection if it has room now;
                            // otherwise this subscriber is behind: the packet is theirs to lose.
                            let _ = forward.track.write_rtp(copy).now_or_never();
                        }
                    }
                    TrackRemoteEvent::OnEnded => break,
                    _ => {}
                }
            }
            room.unpublish(&source).await;
        });
    }

    /// Adds `source` to `subscriber`'s connection; false when it could not be.
    async fn forward(&self, source: &Arc<Source>, subscriber: &Arc<Participant>) -> bool {
        let ssrc = rand::random::<u32>() | 1;
        let track: Arc<TrackLocalStaticRTP> = peer::local_track(
            source.kind,
            &format!("p{}", source.owner),
            &source.track_id,
            ssrc,
            source.codec.clone(),
        );
        // A send-only transceiver of its own: `add_track` would reuse the one the subscriber
        // publishes on, mixing a forwarded stream with a received simulcast on one m-line.
        let init = RTCRtpTransceiverInit {
            direction: RTCRtpTransceiverDirection::Sendonly,
            streams: vec![format!("p{}", source.owner)],
            send_encodings: vec![],
        };
        let added = subscriber
            .connection
            .add_transceiver_from_track(track.clone() as Arc<dyn TrackLocal>, Some(init))
            .await;
        let sender = match added {
            Ok(transceiver) => match transceiver.sender().await {
                Ok(Some(sender)) => sender,
                _ => {
                    tracing::warn!("a forwarded track's transceiver has no sender");
                    return false;
                }
            },
            Err(error) => {
                tracing::warn!(%error, "cannot add a forwarded track");
                return false;
            }
        };
        let forward = Arc::new(Forward {
            subscriber: subscriber.peer.id,
            source_track: source.track_id.clone(),
            sender,
            ssrc,
            payload_type: AtomicU8::new(0),
            mime_type: source.codec.mime_type.clone(),
            track,
            source: Arc::downgrade(source),
            selector: (source.kind == RtpCodecKind::Video).then(|| {
                let mut selector = Selector::default();
                if let Some(wish) = subscriber.wishes.lock().unwrap().get(&source.owner) {
                    selector.wish = *wish;
                }
                Mutex::new(selector)
            }),
            video_sent: (source.kind == RtpCodecKind::Video).then(|| subscriber.video_sent.clone()),
        });
        Arc::make_mut(&mut source.forwards.lock().unwrap()).push(forward.clone());
        subscriber.forwards.lock().unwrap().push(forward);
        true
    }

    /// A subscriber asked for a keyframe of the track it receives with `ssrc` (its decoder lost
    /// the picture): passed on to that track's publisher.
    pub async fn keyframe_requested(&self, subscriber: u64, ssrc: u32) {
        let source = self
            .forward_of(subscriber, ssrc)
            .and_then(|f| Some((f.source.upgrade()?, f.current_layer())));
        if let Some((source, layer)) = source {
            source.request_keyframe_of(layer).await;
        }
    }

    /// A subscriber's receiver reported loss on the track it receives with `ssrc`: its
    /// simulcast layer may step down (or back up).
    pub async fn loss_reported(&self, subscriber: u64, ssrc: u32, fraction: u8) {
        let Some(forward) = self.forward_of(subscriber, ssrc) else {
            return;
        };
        let Some(selector) = &forward.selector else {
            return;
        };
        let changed = selector
            .lock()
            .unwrap()
            .report_loss(fraction, Instant::now());
        if changed {
            if let Some(source) = forward.source.upgrade() {
                source.retarget().await;
            }
        }
    }

    /// A subscriber's receiver estimated its bandwidth (`bitrate`, bits per second): when the
    /// estimate fell below the video it is sent, one of its cameras steps down a layer; after a
    /// calm while, one steps back up.
    pub async fn estimate_reported(&self, subscriber: u64, bitrate: u64) {
        let Some(participant) = self.participant(subscriber) else {
            return;
        };
        let pressure = {
            let (bandwidth, meter) = &mut *participant.bandwidth.lock().unwrap();
            let now = Instant::now();
            let sending = meter.sample(participant.video_sent.load(Ordering::Relaxed), now);
            let pressure = bandwidth.estimate(bitrate, sending, now);
            tracing::debug!(
                participant = subscriber,
                estimate = bitrate,
                sending,
                ?pressure
            );
            if pressure == Pressure::Lower {
                tracing::info!(
                    participant = subscriber,
                    estimate = bitrate,
                    sending,
                    "bandwidth short: a camera steps down"
                );
            }
            pressure
        };
        if pressure == Pressure::Hold {
            return;
        }
        let forwards: Vec<Arc<Forward>> = participant
            .forwards
            .lock()
            .unwrap()
            .iter()
            .filter(|f| f.selector.is_some())
            .cloned()
            .collect();
        let changed = {
            // The forwards were taken for having a selector: same order, same indices.
            let mut selectors: Vec<_> = forwards
                .iter()
                .filter_map(|f| f.selector.as_ref())
                .map(|s| s.lock().unwrap())
                .collect();
            match pressure {
                Pressure::Lower => lower_one(&mut selectors),
                _ => raise_one(&mut selectors),
            }
        };
        if let Some(source) = changed.and_then(|i| forwards[i].source.upgrade()) {
            source.retarget().await;
        }
    }

    /// A subscriber's wishes for the layers of the others' cameras.
    pub fn wish(&self, subscriber: u64, wishes: &[LayerWish]) {
        let Some(participant) = self.participant(subscriber) else {
            return;
        };
        participant
            .wishes
            .lock()
            .unwrap()
            .extend(wishes.iter().map(|w| (w.participant, w.layer)));
        for forward in participant.forwards.lock().unwrap().iter() {
            let (Some(selector), Some(source)) = (&forward.selector, forward.source.upgrade())
            else {
                continue;
            };
            if let Some(wish) = wishes.iter().find(|w| w.participant == source.owner) {
                selector.lock().unwrap().wish = wish.layer;
            }
        }
    }

    /// The forward a subscriber receives with `ssrc`.
    fn forward_of(&self, subscriber: u64, ssrc: u32) -> Option<Arc<Forward>> {
        self.participant(subscriber)?
            .forwards
            .lock()
            .unwrap()
            .iter()
            .find(|f| f.ssrc == ssrc)
            .cloned()
    }

    /// A source ended: its forwards are removed from every subscriber.
    async fn unpublish(&self, source: &Arc<Source>) {
        self.sources
            .lock()
            .unwrap()
            .retain(|s| !Arc::ptr_eq(s, source));
        let forwards = std::mem::take(&mut *source.forwards.lock().unwrap());
        let mut touched: HashMap<u64, Arc<Participant>> = HashMap::new();
        for forward in forwards.iter() {
            let Some(subscriber) = self.participant(forward.subscriber) else {
                continue;
            };
            subscriber
                .forwards
                .lock()
                .unwrap()
                .retain(|f| f.source_track != forward.source_track);
            let _ = subscriber.connection.remove_track(&forward.sender).await;
            touched.insert(subscriber.peer.id, subscriber);
        }
        for subscriber in touched.into_values() {
            if !subscriber.left.load(Ordering::SeqCst) {
                subscriber.renegotiate();
            }
        }
    }

    /// Removes a participant (left, socket closed, or connection failed): closes their
    /// connection, which ends their sources, and tells the others. Idempotent.
    pub async fn leave(&self, id: u64) {
        let Some(participant) = self.participant(id) else {
            return;
        };
        if participant.left.swap(true, Ordering::SeqCst) {
            return;
        }
        self.participants
            .lock()
            .unwrap()
            .retain(|p| p.peer.id != id);
        for source in self.sources.lock().unwrap().iter() {
            Arc::make_mut(&mut source.forwards.lock().unwrap()).retain(|f| f.subscriber != id);
        }
        participant.forwards.lock().unwrap().clear();
        let _ = participant.connection.close().await;
        self.announce();
    }
}
