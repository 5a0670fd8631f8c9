//! Janus (the Debian package `janus`, its videoroom plugin) under the same bots as
//! `concerto sfu-bench`, for a side-by-side figure (`sfu-bench --janus`): a Janus process with a
//! throw-away configuration (WebSocket transport and videoroom only), and bots
//! that publish through one peer connection and receive every other participant's camera and
//! microphone through a second one (a multistream subscription, Janus 1.x).

use std::net::{IpAddr, Ipv4Addr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use webrtc::peer_connection::{RTCIceCandidateInit, RTCPeerConnectionState, RTCSessionDescription};

use super::bot::{self, Media, Publication, Received, Socket};
use super::peer::{self, Peer, PeerEvent};

/// A Janus process with its own configuration folder, stopped and removed on drop.
pub struct Janus {
    child: Child,
    dir: PathBuf,
    /// Its WebSocket port on 127.0.0.1.
    pub port: u16,
    /// The address its media and the bots' use: the machine's own, as Janus's ICE (libnice)
    /// leaves loopback out.
    pub media_ip: IpAddr,
}

impl Janus {
    /// Its process id (for CPU and memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts `janus` (on PATH) and waits until its WebSocket transport listens.
    pub async fn start() -> anyhow::Result<Janus> {
        let lib = janus_lib().context(
            "Janus is not installed (Debian: apt-get install janus; scripts/bench.sh does)",
        )?;
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port();
        let media_ip = own_address().context("no network address for Janus's media")?;
        let dir = std::env::temp_dir().join(format!("concerto-janus-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        write_config(&dir, &lib, port, media_ip)?;
        // The log stays after the run (for a failed one).
        let log_path = std::env::temp_dir().join("concerto-janus.log");
        let log = std::fs::File::create(&log_path)?;
        let child = Command::new("janus")
            .arg("-C")
            .arg(dir.join("janus.jcfg"))
            .arg("-F")
            .arg(&dir)
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("starting janus")?;
        let janus = Janus {
            child,
            dir,
            port,
            media_ip,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
                .await
                .is_ok()
            {
                return Ok(janus);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "Janus did not open its WebSocket port; see {}",
            log_path.display()
        )
    }
}

impl Drop for Janus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where Debian puts Janus's plugins and transports (`/usr/lib/<triplet>/janus`).
fn janus_lib() -> Option<PathBuf> {
    std::fs::read_dir("/usr/lib")
        .ok()?
        .flatten()
        .map(|entry| entry.path().join("janus"))
        .find(|path| path.join("plugins/libjanus_videoroom.so").exists())
}

/// The machine's address towards the outside (the one a default route uses; no packet is sent).
fn own_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

fn write_config(dir: &Path, lib: &Path, port: u16, media_ip: IpAddr) -> anyhow::Result<()> {
    let plugins = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,\
        libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,\
        libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so";
    let transports = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,\
        libjanus_rabbitmq.so";
    let lib = lib.display();
    std::fs::write(
        dir.join("janus.jcfg"),
        format!(
            r#"general: {{
    configs_folder = "{dir}"
    plugins_folder = "{lib}/plugins"
    transports_folder = "{lib}/transports"
    events_folder = "{lib}/events"
    loggers_folder = "{lib}/loggers"
    debug_level = 3
    session_timeout = 120
    interface = "{media_ip}"
}}
media: {{
    rtp_port_range = "40000-60000"
}}
nat: {{
    ice_enforce_list = "{media_ip}"
}}
plugins: {{
    disable = "{plugins}"
}}
transports: {{
    disable = "{transports}"
}}
events: {{
    broadcast = false
}}
"#,
            dir = dir.display()
        ),
    )?;
    std::fs::write(
        dir.join("janus.transport.websockets.jcfg"),
        format!(
            "general: {{\n    json = \"compact\"\n    ws = true\n    ws_port = {port}\n    ws_ip = \"127.0.0.1\"\n    wss = false\n}}\nadmin: {{\n    admin_ws = false\n    admin_wss = false\n}}\n"
        ),
    )?;
    std::fs::write(dir.join("janus.plugin.videoroom.jcfg"), "general: {\n}\n")?;
    Ok(())
}

/// One WebSocket to Janus, for requests made one after the other.
struct Signaling {
    sink: SplitSink<Socket, Message>,
    stream: SplitStream<Socket>,
    session: u64,
    next: u64,
    /// Janus's own ICE candidates, which it trickles after its SDP.
    candidates: Vec<Value>,
}

impl Signaling {
    async fn open(port: u16) -> anyhow::Result<Signaling> {
        let mut request = format!("ws://127.0.0.1:{port}").into_client_request()?;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", "janus-protocol".parse()?);
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        let (sink, stream) = socket.split();
        let mut signaling = Signaling {
            sink,
            stream,
            session: 0,
            next: 0,
            candidates: Vec::new(),
        };
        let created = signaling.request(json!({"janus": "create"}), false).await?;
        signaling.session = created["data"]["id"].as_u64().context("session id")?;
        Ok(signaling)
    }

    /// Sends `message` (with a transaction and the session) and returns Janus's reply: its
    /// `success`, or with `event`, the plugin's event that follows the `ack`.
    async fn request(&mut self, mut message: Value, event: bool) -> anyhow::Result<Value> {
        self.next += 1;
        let transaction = format!("t{}", self.next);
        message["transaction"] = json!(transaction);
        if self.session != 0 {
            message["session_id"] = json!(self.session);
        }
        self.sink
            .send(Message::Text(message.to_string().into()))
            .await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .context("Janus did not answer")?
                .context("Janus closed the socket")??;
            let Message::Text(text) = frame else {
                continue;
            };
            let reply: Value = serde_json::from_str(&text)?;
            if reply["janus"] == "trickle" {
                self.candidates.push(reply["candidate"].clone());
                continue;
            }
            if reply["transaction"] != json!(transaction) {
                continue;
            }
            let error = &reply["plugindata"]["data"]["error"];
            match reply["janus"].as_str() {
                Some("error") => bail!("Janus: {}", reply["error"]),
                _ if !error.is_null() => bail!("Janus videoroom: {error}"),
                Some("ack") if event => continue,
                _ => return Ok(reply),
            }
        }
    }

    /// Attaches a videoroom handle.
    async fn attach(&mut self) -> anyhow::Result<u64> {
        let attached = self
            .request(
                json!({"janus": "attach", "plugin": "janus.plugin.videoroom"}),
                false,
            )
            .await?;
        attached["data"]["id"].as_u64().context("handle id")
    }

    /// A message to the videoroom plugin on `handle`, with an SDP when given.
    async fn message(
        &mut self,
        handle: u64,
        body: Value,
        jsep: Option<(&str, String)>,
    ) -> anyhow::Result<Value> {
        let mut message = json!({"janus": "message", "handle_id": handle, "body": body});
        if let Some((kind, sdp)) = jsep {
            message["jsep"] = json!({"type": kind, "sdp": sdp});
        }
        self.request(message, true).await
    }

    /// Tells Janus our candidates are all in our SDP, and gives `connection` the candidates
    /// Janus trickled so far.
    async fn exchange_candidates(&mut self, handle: u64, connection: &Peer) -> anyhow::Result<()> {
        self.request(
            json!({"janus": "trickle", "handle_id": handle, "candidate": {"completed": true}}),
            false,
        )
        .await?;
        for candidate in std::mem::take(&mut self.candidates) {
            add_candidate(connection, candidate).await;
        }
        Ok(())
    }

    /// Keeps the session alive, passes the candidates Janus trickles on to `connection`, and
    /// drops its other notifications, until it closes.
    fn keep_alive(mut self, connection: Peer) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(20));
            loop {
                tokio::select! {
                    _ = every.tick() => {
                        let keepalive = json!({"janus": "keepalive", "session_id": self.session, "transaction": "k"});
                        if self.sink.send(Message::Text(keepalive.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                    frame = self.stream.next() => {
                        let Some(Ok(frame)) = frame else {
                            return;
                        };
                        let Message::Text(text) = frame else {
                            continue;
                        };
                        if let Ok(notice) = serde_json::from_str::<Value>(&text) {
                            if notice["janus"] == "trickle" {
                                add_candidate(&connection, notice["candidate"].clone()).await;
                            }
                        }
                    }
                }
            }
        });
    }
}

/// Adds a candidate Janus trickled (`{"candidate", "sdpMid", "sdpMLineIndex"}`; not the final
/// `{"completed": true}`).
async fn add_candidate(connection: &Peer, candidate: Value) {
    if candidate.get("candidate").is_none() {
        return;
    }
    if let Ok(candidate) = serde_json::from_value::<RTCIceCandidateInit>(candidate) {
        let _ = connection.add_ice_candidate(candidate).await;
    }
}

/// A bot in a Janus videoroom.
pub struct JanusBot {
    /// Its publisher id in the room.
    pub feed: u64,
    port: u16,
    media_ip: IpAddr,
    room: u64,
    media: Media,
    sent: Arc<AtomicU64>,
    received: Received,
    connections: Vec<Peer>,
}

/// Creates videoroom `room` for `publishers` publishers (VP8 and Opus; a keyframe request every
/// 5 s, as the SFU does).
pub async fn create_room(port: u16, room: u64, publishers: usize) -> anyhow::Result<()> {
    let mut signaling = Signaling::open(port).await?;
    let handle = signaling.attach().await?;
    signaling
        .message(
            handle,
            json!({"request": "create", "room": room, "publishers": publishers,
                "videocodec": "vp8", "audiocodec": "opus", "fir_freq": 5, "bitrate": 0}),
            None,
        )
        .await?;
    Ok(())
}

impl JanusBot {
    /// Joins `room` as a publisher; media flows once connected.
    pub async fn publish(
        port: u16,
        media_ip: IpAddr,
        room: u64,
        media: Media,
    ) -> anyhow::Result<JanusBot> {
        let mut signaling = Signaling::open(port).await?;
        let handle = signaling.attach().await?;
        let (connection, events) = peer::new_peer(super::MediaNet::on(media_ip), 0).await?;
        let mut gathered = events.gathered;
        let (video, audio, video_sender, audio_sender) =
            bot::add_media(&connection, &media).await?;
        let offer = peer::offer(&connection, &mut gathered).await?;
        let joined = signaling
            .message(
                handle,
                json!({"request": "joinandconfigure", "room": room, "ptype": "publisher",
                    "display": "bot", "audio": true, "video": true}),
                Some(("offer", offer)),
            )
            .await?;
        let feed = joined["plugindata"]["data"]["id"]
            .as_u64()
            .context("publisher id")?;
        let answer = joined["jsep"]["sdp"].as_str().context("no answer")?;
        connection
            .set_remote_description(RTCSessionDescription::answer(answer.to_string())?)
            .await?;
        signaling.exchange_candidates(handle, &connection).await?;
        signaling.keep_alive(connection.clone());
        let sent = Arc::new(AtomicU64::new(0));
        let publication = Publication {
            video: (video, video_sender),
            audio: (audio, audio_sender),
            mid: None,
            media,
            sent: sent.clone(),
            keyframe_requests: Arc::default(),
        };
        let keyframe_requests = publication.keyframe_requests.clone();
        let mut events = events.events;
        tokio::spawn(async move {
            let mut publication = Some(publication);
            while let Some(event) = events.recv().await {
                match event {
                    PeerEvent::State(RTCPeerConnectionState::Connected) => {
                        if let Some(publication) = publication.take() {
                            tokio::spawn(publication.run());
                        }
                    }
                    PeerEvent::KeyframeRequest(_) => {
                        keyframe_requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    _ => {}
                }
            }
        });
        Ok(JanusBot {
            feed,
            port,
            media_ip,
            room,
            media,
            sent,
            received: Received::default(),
            connections: vec![connection],
        })
    }

    /// Subscribes to the cameras and microphones of `feeds` (one connection for all).
    pub async fn subscribe(&mut self, feeds: &[u64]) -> anyhow::Result<()> {
        let mut signaling = Signaling::open(self.port).await?;
        let handle = signaling.attach().await?;
        let streams: Vec<Value> = feeds.iter().map(|feed| json!({"feed": feed})).collect();
        let attached = signaling
            .message(
                handle,
                json!({"request": "join", "ptype": "subscriber", "room": self.room,
                    "streams": streams}),
                None,
            )
            .await?;
        let offer = attached["jsep"]["sdp"].as_str().context("no offer")?;
        let (connection, events) = peer::new_peer(super::MediaNet::on(self.media_ip), 0).await?;
        let mut gathered = events.gathered;
        let answer = peer::answer(&connection, &mut gathered, offer.to_string()).await?;
        signaling
            .message(
                handle,
                json!({"request": "start"}),
                Some(("answer", answer)),
            )
            .await?;
        signaling.exchange_candidates(handle, &connection).await?;
        signaling.keep_alive(connection.clone());
        let (received, pause) = (self.received.clone(), self.media.pause());
        let mut events = events.events;
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if let PeerEvent::Track(track) = event {
                    bot::count_received(track, received.clone(), true, pause);
                }
            }
        });
        self.connections.push(connection);
        Ok(())
    }

    /// Packets published that each subscriber should receive.
    pub fn sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Packets received from everyone.
    pub fn received_total(&self) -> u64 {
        bot::totals(&self.received).0
    }

    /// How many others' video arrives.
    pub fn receiving_video_from(&self) -> usize {
        bot::totals(&self.received).1
    }

    /// Closes its connections.
    pub async fn leave(self) {
        for connection in self.connections {
            let _ = connection.close().await;
        }
    }
}
