//! A participant played by a program (integration tests, `concerto sfu-bench`): joins a room over
//! its signaling WebSocket, publishes synthetic VP8 and Opus RTP once connected, answers the
//! server's offers, and counts the packets it receives from each other participant.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::video::{ClientSignal, Layer, LayerWish, RoomPeer, ServerSignal};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::payload_feedbacks::receiver_estimated_maximum_bitrate::ReceiverEstimatedMaximumBitrate;
use rtc::rtcp::receiver_report::ReceiverReport;
use rtc::rtcp::reception_report::ReceptionReport;
use rtc::rtp::header::Header;
use rtc::rtp::packet::Packet;
use rtc::rtp_transceiver::rtp_sender::{RTCRtpSendParameters, RtpCodecKind};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{RTCPeerConnectionState, RTCSessionDescription};
use webrtc::rtp_transceiver::RtpSender;

use super::peer::{self, Peer, PeerEvent};

/// The room's WebSocket as a client holds it.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What a bot publishes.
#[derive(Clone, Copy, Debug)]
pub struct Media {
    /// SSRC of its video; audio uses the next one.
    pub ssrc: u32,
    /// Video packets per second and bytes per packet (57 × 1,100 B ≈ 500 kbit/s).
    pub video_packets_per_second: u32,
    /// Bytes of each video packet's payload.
    pub video_bytes: usize,
    /// Opus: 50 packets a second (20 ms frames) of this many bytes.
    pub audio_bytes: usize,
    /// A slow subscriber: reads at most this many received packets a second (the rest piles up
    /// and is lost on its own leg), like a participant on a weak link.
    pub read_limit: Option<u32>,
    /// Publishes its camera in simulcast, as browsers do: three encodings (`rid` q, h, f, SSRCs
    /// `ssrc`, `ssrc + 2`, `ssrc + 3`) at the same packet rate, of about a quarter, half and all
    /// of `video_bytes`; each payload says which layer it is (for [`Bot::layers_from`]).
    pub simulcast: bool,
    /// Publishes through a lossy uplink: the first sending of one video packet in this many is
    /// lost (its retransmission, when the SFU asks for it, is not).
    pub lose_every: Option<u16>,
}

impl Media {
    /// About 500 kbit/s of VP8 at 57 packets a second, and Opus at 50 packets a second.
    pub fn standard(ssrc: u32) -> Media {
        Media {
            ssrc,
            video_packets_per_second: 57,
            video_bytes: 1_100,
            audio_bytes: 80,
            read_limit: None,
            simulcast: false,
            lose_every: None,
        }
    }

    /// A slow subscriber's pause between two packets read.
    pub(super) fn pause(&self) -> Option<Duration> {
        self.read_limit
            .map(|limit| Duration::from_secs(1) / limit.max(1))
    }

    /// The SSRC of each video encoding, lowest layer first.
    fn video_ssrcs(&self) -> Vec<u32> {
        if self.simulcast {
            vec![self.ssrc, self.ssrc + 2, self.ssrc + 3]
        } else {
            vec![self.ssrc]
        }
    }
}

/// A bot's camera and microphone tracks, added to `connection`: (video, audio, their senders).
pub(super) async fn add_media(
    connection: &Peer,
    media: &Media,
) -> anyhow::Result<(
    Arc<TrackLocalStaticRTP>,
    Arc<TrackLocalStaticRTP>,
    Arc<dyn RtpSender>,
    Arc<dyn RtpSender>,
)> {
    // Track ids unique to the bot: a server may keep them (Janus does), and webrtc-rs tells
    // received tracks apart by id.
    let (video_id, audio_id) = (
        format!("bot-video-{}", media.ssrc),
        format!("bot-audio-{}", media.ssrc),
    );
    let video = if media.simulcast {
        peer::simulcast_track(RtpCodecKind::Video, "bot", &video_id, &media.video_ssrcs())
    } else {
        peer::local_track(
            RtpCodecKind::Video,
            "bot",
            &video_id,
            media.ssrc,
            peer::vp8(),
        )
    };
    let audio = peer::local_track(
        RtpCodecKind::Audio,
        "bot",
        &audio_id,
        media.ssrc + 1,
        peer::opus(),
    );
    let video_sender = connection
        .add_track(video.clone() as Arc<dyn TrackLocal>)
        .await?;
    let audio_sender = connection
        .add_track(audio.clone() as Arc<dyn TrackLocal>)
        .await?;
    Ok((video, audio, video_sender, audio_sender))
}

/// The media id of the first video section of an SDP.
fn video_mid(sdp: &str) -> Option<String> {
    let mut video = false;
    for line in sdp.lines() {
        if line.starts_with("m=") {
            video = line.starts_with("m=video");
        } else if let Some(mid) = line.strip_prefix("a=mid:").filter(|_| video) {
            return Some(mid.trim().to_string());
        }
    }
    None
}

/// What a bot received from one other participant.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Counts {
    video: u64,
    audio: u64,
    /// Video packets of each simulcast layer (as their payloads say).
    layers: [u64; 3],
    /// Video packets whose sequence number did not follow on from the newest one's by less
    /// than 100, forward or back (a renumbering fault; ordinary loss makes small gaps).
    jumps: u64,
    /// Video packets a little older than the newest one (a retransmission, or reordering).
    late: u64,
    /// The newest video sequence number received.
    last_video_seq: Option<u16>,
}

/// Packets received per sender's media stream (`p<participant id>`).
pub(super) type Received = Arc<Mutex<HashMap<String, Counts>>>;

/// Counts the packets of a received track under `key` (its media stream, or its own id when
/// a server puts every track in one stream) until it ends, reading at most one packet every
/// `pause` when given (a slow subscriber).
pub(super) fn count_received(
    track: Arc<dyn TrackRemote>,
    received: Received,
    by_track: bool,
    pause: Option<Duration>,
) {
    tokio::spawn(async move {
        let key = if by_track {
            track.track_id().await.to_string()
        } else {
            track.stream_id().await.to_string()
        };
        let video = track.kind().await == RtpCodecKind::Video;
        while let Some(event) = track.poll().await {
            if let Some(pause) = pause {
                tokio::time::sleep(pause).await;
            }
            if let TrackRemoteEvent::OnRtpPacket(packet) = event {
                let mut counts = received.lock().unwrap();
                let entry = counts.entry(key.clone()).or_default();
                if video {
                    entry.count_video(&packet);
                } else {
                    entry.audio += 1;
                }
            }
        }
    });
}

/// Packets received in all, and how many senders' video arrives.
pub(super) fn totals(received: &Received) -> (u64, usize) {
    let counts = received.lock().unwrap();
    (
        counts.values().map(|c| c.video + c.audio).sum(),
        counts.values().filter(|c| c.video > 0).count(),
    )
}

/// A bot in a room.
pub struct Bot {
    id: Arc<Mutex<Option<u64>>>,
    peers: Arc<Mutex<Vec<RoomPeer>>>,
    lobby: Arc<Mutex<Vec<RoomPeer>>>,
    /// The last of `waiting` / `refused` heard (guests).
    door: Arc<Mutex<Option<&'static str>>>,
    received: Received,
    sent: Arc<AtomicU64>,
    /// Keyframe requests the server sent for this bot's video.
    keyframe_requests: Arc<AtomicU64>,
    /// The video tracks received, to ask for keyframes of.
    videos: Arc<Mutex<Vec<Arc<dyn TrackRemote>>>>,
    errors: Arc<Mutex<Vec<String>>>,
    outgoing: mpsc::UnboundedSender<ClientSignal>,
    connection: Peer,
}

/// Opens a room's WebSocket at `url` (ws://…), with a `Cookie` header when given; a refused
/// upgrade gives its HTTP status and body.
pub async fn connect(url: &str, cookie: Option<&str>) -> Result<Socket, (u16, String)> {
    let mut request = url.into_client_request().map_err(|e| (0, e.to_string()))?;
    if let Some(cookie) = cookie {
        let value = cookie.parse().map_err(|_| (0, "bad cookie".to_string()))?;
        request.headers_mut().insert("Cookie", value);
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let body = response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).to_string())
                .unwrap_or_default();
            Err((response.status().as_u16(), body))
        }
        Err(error) => Err((0, error.to_string())),
    }
}

impl Bot {
    /// Joins through an open socket; media binds UDP on `ip`. Publishing starts once connected.
    pub async fn join(socket: Socket, ip: IpAddr, media: Media) -> anyhow::Result<Bot> {
        let (mut sink, mut stream) = socket.split();
        let loss = media.lose_every.map(|every| peer::UplinkLoss {
            every,
            ssrcs: media.video_ssrcs(),
        });
        let (connection, events) = peer::new_peer_with(super::MediaNet::on(ip), 0, loss).await?;
        let mut gathered = events.gathered;
        let (video, audio, video_sender, audio_sender) = add_media(&connection, &media).await?;
        let offer = peer::offer(&connection, &mut gathered).await?;

        let (outgoing, mut to_send) = mpsc::unbounded_channel::<ClientSignal>();
        tokio::spawn(async move {
            while let Some(signal) = to_send.recv().await {
                let Ok(text) = serde_json::to_string(&signal) else {
                    continue;
                };
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        // The offer goes once the server says welcome (a guest is welcomed after the lobby).
        let mut offer = Some(offer);

        let bot = Bot {
            id: Arc::default(),
            peers: Arc::default(),
            lobby: Arc::default(),
            door: Arc::default(),
            received: Arc::default(),
            sent: Arc::default(),
            keyframe_requests: Arc::default(),
            videos: Arc::default(),
            errors: Arc::default(),
            outgoing,
            connection,
        };
        // Signals from the server.
        {
            let (connection, outgoing, id, peers, errors) = (
                bot.connection.clone(),
                bot.outgoing.clone(),
                bot.id.clone(),
                bot.peers.clone(),
                bot.errors.clone(),
            );
            let (lobby, door) = (bot.lobby.clone(), bot.door.clone());
            tokio::spawn(async move {
                while let Some(Ok(message)) = stream.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let result: anyhow::Result<()> = async {
                        match serde_json::from_str::<ServerSignal>(&text)? {
                            ServerSignal::Welcome { you, peers: now } => {
                                *id.lock().unwrap() = Some(you);
                                *peers.lock().unwrap() = now;
                                if let Some(sdp) = offer.take() {
                                    let _ = outgoing.send(ClientSignal::Offer { sdp });
                                }
                            }
                            ServerSignal::Lobby { waiting } => *lobby.lock().unwrap() = waiting,
                            ServerSignal::Waiting => *door.lock().unwrap() = Some("waiting"),
                            ServerSignal::Refused => *door.lock().unwrap() = Some("refused"),
                            ServerSignal::Closed => *door.lock().unwrap() = Some("closed"),
                            ServerSignal::Peers { peers: now } => *peers.lock().unwrap() = now,
                            ServerSignal::Answer { sdp } => {
                                connection
                                    .set_remote_description(RTCSessionDescription::answer(sdp)?)
                                    .await?;
                            }
                            ServerSignal::Offer { sdp } => {
                                let answer = peer::answer(&connection, &mut gathered, sdp).await?;
                                let _ = outgoing.send(ClientSignal::Answer { sdp: answer });
                            }
                            ServerSignal::Error { message } => anyhow::bail!(message),
                        }
                        Ok(())
                    }
                    .await;
                    if let Err(error) = result {
                        errors.lock().unwrap().push(error.to_string());
                    }
                }
            });
        }
        // Connection events: publish once connected, count what arrives.
        {
            let (received, sent) = (bot.received.clone(), bot.sent.clone());
            let (keyframe_requests, videos) = (bot.keyframe_requests.clone(), bot.videos.clone());
            let connection = bot.connection.clone();
            let mut events = events.events;
            tokio::spawn(async move {
                while let Some(event) = events.recv().await {
                    match event {
                        PeerEvent::State(RTCPeerConnectionState::Connected) => {
                            let video = (video.clone(), video_sender.clone());
                            let audio = (audio.clone(), audio_sender.clone());
                            let mid = connection
                                .local_description()
                                .await
                                .and_then(|d| video_mid(&d.sdp));
                            let publication = Publication {
                                video,
                                audio,
                                mid,
                                media,
                                sent: sent.clone(),
                                keyframe_requests: keyframe_requests.clone(),
                            };
                            tokio::spawn(publication.run());
                        }
                        PeerEvent::KeyframeRequest(_) => {
                            keyframe_requests.fetch_add(1, Ordering::Relaxed);
                        }
                        PeerEvent::Track(track) => {
                            if track.kind().await == RtpCodecKind::Video {
                                videos.lock().unwrap().push(track.clone());
                            }
                            count_received(track, received.clone(), false, media.pause());
                        }
                        PeerEvent::State(_) | PeerEvent::Loss { .. } | PeerEvent::Estimate(_) => {}
                    }
                }
            });
        }
        Ok(bot)
    }

    /// Guests waiting in the lobby, as last told (professionals).
    pub fn lobby(&self) -> Vec<RoomPeer> {
        self.lobby.lock().unwrap().clone()
    }

    /// "waiting" or "refused" once the server said so (guests).
    pub fn door(&self) -> Option<&'static str> {
        *self.door.lock().unwrap()
    }

    /// Sends a signal (e.g. admitting a guest).
    pub fn signal(&self, signal: ClientSignal) {
        let _ = self.outgoing.send(signal);
    }

    /// This bot's participant id, once welcomed.
    pub fn id(&self) -> Option<u64> {
        *self.id.lock().unwrap()
    }

    fn counts_from(&self, from: u64) -> Counts {
        self.received
            .lock()
            .unwrap()
            .get(&format!("p{from}"))
            .copied()
            .unwrap_or_default()
    }

    /// (video, audio) packets received from participant `from`.
    pub fn received_from(&self, from: u64) -> (u64, u64) {
        let counts = self.counts_from(from);
        (counts.video, counts.audio)
    }

    /// Video packets received from a simulcast participant `from`, per layer (lowest first),
    /// and how many broke the sequence-number order.
    pub fn layers_from(&self, from: u64) -> ([u64; 3], u64) {
        let counts = self.counts_from(from);
        (counts.layers, counts.jumps)
    }

    /// Video packets received from participant `from` after a newer one (late: retransmitted).
    pub fn late_from(&self, from: u64) -> u64 {
        self.counts_from(from).late
    }

    /// Packets received from everyone.
    pub fn received_total(&self) -> u64 {
        totals(&self.received).0
    }

    /// How many others' video arrives.
    pub fn receiving_video_from(&self) -> usize {
        totals(&self.received).1
    }

    /// Tells the server which layer it wants of `participant`'s camera.
    pub fn wish(&self, participant: u64, layer: Layer) {
        self.signal(ClientSignal::Layers {
            wishes: vec![LayerWish { participant, layer }],
        });
    }

    /// Packets published that each subscriber should receive: audio, and video of one layer.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Keyframe requests (PLI) received for this bot's video so far.
    pub fn keyframe_requests(&self) -> u64 {
        self.keyframe_requests.load(Ordering::Relaxed)
    }

    /// Asks for a keyframe of every video received, as a browser whose decoder lost the picture.
    pub async fn request_keyframes(&self) {
        self.feedback(|ssrc| {
            Box::new(PictureLossIndication {
                sender_ssrc: 0,
                media_ssrc: ssrc,
            })
        })
        .await;
    }

    /// Reports `fraction` (of 256) of every received video lost, as a receiver on a bad link.
    pub async fn report_loss(&self, fraction: u8) {
        self.feedback(|ssrc| {
            Box::new(ReceiverReport {
                ssrc: 1,
                reports: vec![ReceptionReport {
                    ssrc,
                    fraction_lost: fraction,
                    ..Default::default()
                }],
                ..Default::default()
            })
        })
        .await;
    }

    /// Estimates, as a browser's receiver does (REMB), `bitrate` bits per second for all the
    /// video it receives.
    pub async fn report_estimate(&self, bitrate: u64) {
        let videos = self.videos.lock().unwrap().clone();
        let mut ssrcs = Vec::new();
        for track in &videos {
            ssrcs.extend(track.ssrcs().await.first().copied());
        }
        if let Some(track) = videos.first() {
            let remb = ReceiverEstimatedMaximumBitrate {
                sender_ssrc: 1,
                bitrate: bitrate as f32,
                ssrcs,
            };
            let _ = track.write_rtcp(vec![Box::new(remb)]).await;
        }
    }

    /// Sends the RTCP packet `about(ssrc)` for every video received.
    async fn feedback(&self, about: impl Fn(u32) -> Box<dyn rtc::rtcp::Packet + Send + Sync>) {
        let videos = self.videos.lock().unwrap().clone();
        for track in videos {
            if let Some(ssrc) = track.ssrcs().await.first().copied() {
                let _ = track.write_rtcp(vec![about(ssrc)]).await;
            }
        }
    }

    /// Signaling errors seen so far.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }

    /// The names in the room, sorted.
    pub fn peer_names(&self) -> Vec<String> {
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

    /// Leaves the room and closes the connection.
    pub async fn leave(self) {
        let _ = self.outgoing.send(ClientSignal::Leave);
        let _ = self.connection.close().await;
    }
}

impl Counts {
    fn count_video(&mut self, packet: &Packet) {
        self.video += 1;
        if let Some(layer) = packet
            .payload
            .get(LAYER_BYTE)
            .and_then(|b| b.checked_sub(0xa0))
        {
            if let Some(count) = self.layers.get_mut(usize::from(layer)) {
                *count += 1;
            }
        }
        let seq = packet.header.sequence_number;
        if let Some(last) = self.last_video_seq {
            let ahead = seq.wrapping_sub(last);
            if (ahead as i16) < 0 && ahead.wrapping_neg() < 100 {
                self.late += 1;
                return;
            }
            if ahead >= 100 {
                self.jumps += 1;
            }
        }
        self.last_video_seq = Some(seq);
    }
}

/// Where a bot's VP8 payload says which simulcast layer it is (0xa0 + index), after the
/// payload descriptor and the VP8 payload header's first byte.
const LAYER_BYTE: usize = 5;

/// A bot's media, sent once connected.
pub(super) struct Publication {
    pub video: (Arc<TrackLocalStaticRTP>, Arc<dyn RtpSender>),
    pub audio: (Arc<TrackLocalStaticRTP>, Arc<dyn RtpSender>),
    /// The video's media id (simulcast packets carry it, with their `rid`).
    pub mid: Option<String>,
    pub media: Media,
    pub sent: Arc<AtomicU64>,
    /// Keyframe requests received: the next frame of every layer is a keyframe.
    pub keyframe_requests: Arc<AtomicU64>,
}

/// A keyframe anyway every this many frames (about 2 s).
const KEYFRAME_EVERY_FRAMES: u32 = 114;

/// A VP8 payload of `bytes` bytes: payload descriptor with a 15-bit picture id, a payload header
/// (keyframe or not), the layer's tag, filler.
fn vp8_payload(bytes: usize, picture_id: u16, keyframe: bool, layer: u8) -> Bytes {
    let mut payload = vec![0x5a; bytes.max(LAYER_BYTE + 1)];
    payload[0] = 0x90;
    payload[1] = 0x80;
    payload[2] = 0x80 | ((picture_id >> 8) as u8 & 0x7f);
    payload[3] = picture_id as u8;
    payload[4] = if keyframe { 0x10 } else { 0x11 };
    payload[LAYER_BYTE] = 0xa0 + layer;
    Bytes::from(payload)
}

impl Publication {
    /// Writes video and audio packets at their rates until the connection closes.
    pub(super) async fn run(self) {
        let media = self.media;
        let payload_type = |parameters: anyhow::Result<RTCRtpSendParameters>| {
            parameters
                .ok()
                .and_then(|p| p.rtp_parameters.codecs.first().map(|c| c.payload_type))
        };
        let video_parameters: anyhow::Result<RTCRtpSendParameters> =
            self.video.1.get_parameters().await.map_err(Into::into);
        let extension_id = |uri: &str| {
            video_parameters.as_ref().ok().and_then(|p| {
                p.rtp_parameters
                    .header_extensions
                    .iter()
                    .find(|e| e.uri == uri)
                    .map(|e| e.id as u8)
            })
        };
        let mid_id = extension_id("urn:ietf:params:rtp-hdrext:sdes:mid");
        let rid_id = extension_id("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
        let video_pt = match &video_parameters {
            Ok(p) => p.rtp_parameters.codecs.first().map(|c| c.payload_type),
            Err(_) => None,
        };
        let (Some(video_pt), Some(audio_pt)) = (
            video_pt,
            payload_type(self.audio.1.get_parameters().await.map_err(Into::into)),
        ) else {
            return;
        };
        let audio_payload = Bytes::from(vec![0x3c; media.audio_bytes]);
        let packet = |ssrc, payload_type, sequence: u32, timestamp: u32, payload: Bytes| Packet {
            header: Header {
                version: 2,
                marker: true,
                payload_type,
                sequence_number: sequence as u16,
                timestamp,
                ssrc,
                ..Default::default()
            },
            payload,
        };
        let ssrcs = media.video_ssrcs();
        let layers = ssrcs.len();
        let video_every = Duration::from_secs(1) / media.video_packets_per_second.max(1);
        let mut video_tick = tokio::time::interval(video_every);
        let mut audio_tick = tokio::time::interval(Duration::from_millis(20));
        video_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        audio_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let (mut video_n, mut audio_n) = (0u32, 0u32);
        let mut requests_seen = 0;
        loop {
            let written = tokio::select! {
                _ = video_tick.tick() => {
                    video_n += 1;
                    let timestamp = video_n.wrapping_mul(90_000 / media.video_packets_per_second.max(1));
                    let requests = self.keyframe_requests.load(Ordering::Relaxed);
                    let keyframe = video_n % KEYFRAME_EVERY_FRAMES == 1 || requests != requests_seen;
                    requests_seen = requests;
                    let mut written = Ok(());
                    for (index, ssrc) in ssrcs.iter().enumerate() {
                        // Layers of about 1/4, 1/2 and all of the bytes; their own picture ids.
                        let bytes = media.video_bytes >> (layers - 1 - index);
                        let picture_id = (video_n + 1000 * index as u32) as u16 & 0x7fff;
                        let payload = vp8_payload(bytes, picture_id, keyframe, index as u8);
                        // Each layer has its own sequence numbers.
                        let sequence = video_n.wrapping_add(20_000 * index as u32);
                        let mut packet = packet(*ssrc, video_pt, sequence, timestamp, payload);
                        if layers > 1 {
                            let rid = Layer::ALL[index].rid();
                            if let (Some(mid_id), Some(mid)) = (mid_id, &self.mid) {
                                let _ = packet.header.set_extension(mid_id, Bytes::from(mid.clone()));
                            }
                            if let Some(rid_id) = rid_id {
                                let _ = packet.header.set_extension(rid_id, Bytes::from_static(rid.as_bytes()));
                            }
                        }
                        written = written.and(self.video.0.write_rtp(packet).await);
                    }
                    written
                }
                _ = audio_tick.tick() => {
                    audio_n += 1;
                    self.audio.0.write_rtp(packet(media.ssrc + 1, audio_pt, audio_n, audio_n.wrapping_mul(960), audio_payload.clone())).await
                }
            };
            if written.is_err() {
                return;
            }
            self.sent.fetch_add(1, Ordering::Relaxed);
        }
    }
}
