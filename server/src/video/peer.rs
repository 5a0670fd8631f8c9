//! One WebRTC peer connection (webrtc-rs 0.21), as the SFU keeps one per participant and as test
//! bots and `concerto sfu-bench` open them: Opus and VP8 without RTX, the default interceptors
//! (NACK, RTCP reports, TWCC) with a shorter retransmission history, UDP bound to one address,
//! events handed to the owner through channels (a callback blocks its connection, so nothing
//! waits inside one), and complete SDP (no trickle ICE).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use std::collections::{HashSet, VecDeque};

use rtc::interceptor::{
    Interceptor, NackGeneratorBuilder, NackResponderBuilder, Packet as InterceptedPacket,
    SenderReportBuilder, StreamInfo, TaggedPacket,
};
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::{
    configure_simulcast_extension_headers, configure_twcc_receiver_only, Slot,
};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtcp::payload_feedbacks::receiver_estimated_maximum_bitrate::ReceiverEstimatedMaximumBitrate;
use rtc::rtcp::receiver_report::ReceiverReport;
use rtc::rtcp::sender_report::SenderReport;
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters,
    RTCRtpEncodingParameters, RtpCodecKind, TYPE_RTCP_FB_NACK,
};
use rtc::sansio::Protocol;
use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    MediaEngine, PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler,
    RTCConfigurationBuilder, RTCIceGatheringState, RTCPeerConnectionState, RTCSessionDescription,
    Registry, SettingEngineBuilder,
};

/// A peer connection.
pub type Peer = Arc<dyn PeerConnection>;

/// Packets each outgoing video stream keeps to answer a NACK: about 1 s of video at 1.2 Mbit/s
/// (more at lower rates), where a NACK is useful for a round trip or two. Each slot costs about
/// 110 bytes per outgoing video stream, and keeps its packet alive: webrtc-rs's default (1,024)
/// held about 2.4 MB more per participant of a 15-person room (`concerto sfu-bench`); 256 held
/// about 0.35 MB more than this (from a heaptrack profile of that run), in packets no one would
/// ask for again.
const NACK_HISTORY: u16 = 128;

/// How long gathering local candidates may take (host candidates only: milliseconds).
const GATHER_TIMEOUT: Duration = Duration::from_secs(5);

/// What a connection reports to its owner.
pub enum PeerEvent {
    /// The connection's state changed.
    State(RTCPeerConnectionState),
    /// A remote track sent its first packet.
    Track(Arc<dyn TrackRemote>),
    /// The remote asked for a keyframe (PLI or FIR) of the track we send with this SSRC.
    KeyframeRequest(u32),
    /// The remote's receiver reported the fraction (of 256) of the packets we send with this
    /// SSRC lost since its last report.
    Loss {
        /// The stream.
        ssrc: u32,
        /// Lost, in 256ths.
        fraction: u8,
    },
    /// The remote's receiver estimated the bandwidth it has for what we send (REMB), in bits
    /// per second.
    Estimate(u64),
}

/// The receiving side of a connection's events.
pub struct PeerEvents {
    /// State changes and remote tracks.
    pub events: mpsc::UnboundedReceiver<PeerEvent>,
    /// How many times gathering completed (once per local description).
    pub gathered: watch::Receiver<u64>,
}

struct Handler {
    events: mpsc::UnboundedSender<PeerEvent>,
    gathered: watch::Sender<u64>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.gathered.send_modify(|n| *n += 1);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.events.send(PeerEvent::State(state));
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.events.send(PeerEvent::Track(track));
    }
}

/// A new connection whose media binds UDP port `port` (0: any free one) on `net.ip`.
pub async fn new_peer(net: super::MediaNet, port: u16) -> anyhow::Result<(Peer, PeerEvents)> {
    new_peer_with(net, port, None).await
}

/// [`new_peer`], sending through a lossy uplink when given (test bots).
pub async fn new_peer_with(
    net: super::MediaNet,
    port: u16,
    loss: Option<UplinkLoss>,
) -> anyhow::Result<(Peer, PeerEvents)> {
    let ip = net.ip;
    let mut media = MediaEngine::default();
    register_codecs(&mut media)?;
    let (events, events_rx) = mpsc::unbounded_channel();
    let registry = interceptors(&mut media)?.with(
        RECEIVER_FEEDBACK_SLOT,
        Watcher::new(ReceiverFeedback {
            events: events.clone(),
        }),
    );
    let registry = match loss {
        Some(loss) => registry.with(
            LOSSY_SLOT,
            Watcher::new(Lossy {
                loss,
                lost: HashSet::new(),
            }),
        ),
        None => registry,
    };
    // No mDNS: it would open a multicast socket per connection, and servers announce real
    // addresses anyway.
    let mut settings = SettingEngineBuilder::new()
        .with_multicast_dns_mode(rtc::ice::mdns::MulticastDnsMode::Disabled);
    if let Some(public) = net.public_ip {
        settings = settings.with_nat_1to1_ips(
            vec![public.to_string()],
            rtc::peer_connection::transport::RTCIceCandidateType::Host,
        );
    }
    let settings = settings.build();
    let (gathered, gathered_rx) = watch::channel(0);
    let peer = PeerConnectionBuilder::new()
        .with_configuration(RTCConfigurationBuilder::new().build())
        .with_media_engine(media)
        .with_interceptor_registry(registry)
        .with_setting_engine(settings)
        .with_handler(Arc::new(Handler { events, gathered }))
        .with_udp_addrs(vec![format!("{}:{port}", bracketed(ip))])
        .build()
        .await?;
    Ok((
        Arc::new(peer),
        PeerEvents {
            events: events_rx,
            gathered: gathered_rx,
        },
    ))
}

/// Opus and VP8, the codecs every browser sends, and nothing else: the SFU forwards each
/// publisher's packets as they are, so every subscriber must decode what anyone publishes, and
/// its simulcast layer switches read VP8's payload descriptor.
///
/// No retransmission (RTX) stream either. A browser then resends a packet the SFU's NACK asked
/// for on the stream itself, as the RTP/AVPF profile does without RTX; with RTX negotiated, it
/// resends simulcast layers' packets on RTX streams named by a `repaired-rtp-stream-id` header,
/// which webrtc-rs 0.21 drops on arrival (`bind_by_rid`), so a publisher's lost packet could
/// never be repaired and its subscribers waited for the next keyframe.
fn register_codecs(media: &mut MediaEngine) -> anyhow::Result<()> {
    let opus = RTCRtpCodecParameters {
        rtp_codec: opus(),
        payload_type: 111,
    };
    media.register_codec(opus, RtpCodecKind::Audio)?;
    // NACK and PLI feedback are added with their interceptors, TWCC with its own.
    let mut vp8 = RTCRtpCodecParameters {
        rtp_codec: vp8(),
        payload_type: 96,
    };
    vp8.rtp_codec.rtcp_feedback = [("goog-remb", ""), ("ccm", "fir")]
        .map(|(typ, parameter)| RTCPFeedback {
            typ: typ.to_owned(),
            parameter: parameter.to_owned(),
        })
        .to_vec();
    media.register_codec(vp8, RtpCodecKind::Video)?;
    Ok(())
}

/// webrtc-rs's default interceptors (`register_default_interceptors`: NACK generator and
/// responder with their feedback, the simulcast header extensions, TWCC feedback for publishers'
/// bandwidth estimation, sender reports), with a [`NACK_HISTORY`] send buffer, and without
/// receiver reports (see below).
fn interceptors(media: &mut MediaEngine) -> anyhow::Result<Registry> {
    for parameter in ["", "pli"] {
        let feedback = RTCPFeedback {
            typ: TYPE_RTCP_FB_NACK.to_owned(),
            parameter: parameter.to_owned(),
        };
        media.register_feedback(feedback, RtpCodecKind::Video);
    }
    let responder = NackResponderBuilder::new().with_size(NACK_HISTORY).build();
    let registry = Registry::new()
        .with(Slot::NackResponder, responder)
        .with(Slot::NackGenerator, NackGeneratorBuilder::new().build());
    configure_simulcast_extension_headers(media)?;
    let registry = configure_twcc_receiver_only(registry, media)?;
    // Sender reports only. A browser stops tagging a simulcast layer's packets with their `mid`
    // and `rid` once a receiver report acknowledges its SSRC; webrtc-rs 0.21 forgets which SSRC
    // is which layer at every renegotiation (it rebuilds the receiver from the SDP, where
    // simulcast layers have no SSRC), so untagged packets would then be dropped. Publishers'
    // bandwidth estimates come from transport-wide feedback (TWCC) anyway.
    Ok(registry.with(Slot::SenderReport, SenderReportBuilder::new().build()))
}

/// Application-most: every other interceptor has read the inbound RTCP before.
const RECEIVER_FEEDBACK_SLOT: Slot = Slot::Custom(14_000);

/// Reports the remote's keyframe requests (PLI, FIR) as [`PeerEvent::KeyframeRequest`]s, so that
/// the SFU can pass a subscriber's request on to the publisher, and the loss its receiver reports
/// as [`PeerEvent::Loss`] and the bandwidth it estimates as [`PeerEvent::Estimate`], so that the
/// SFU can step its simulcast layers down. Inbound RTCP otherwise ends in the interceptor
/// chain; this one only looks at it.
struct ReceiverFeedback {
    events: mpsc::UnboundedSender<PeerEvent>,
}

impl Observe for ReceiverFeedback {
    fn read(&mut self, message: &TaggedPacket) {
        if let InterceptedPacket::Rtcp(packets) = &message.message.packet {
            for packet in packets {
                let any = packet.as_any();
                if let Some(pli) = any.downcast_ref::<PictureLossIndication>() {
                    let _ = self.events.send(PeerEvent::KeyframeRequest(pli.media_ssrc));
                } else if let Some(fir) = any.downcast_ref::<FullIntraRequest>() {
                    for entry in &fir.fir {
                        let _ = self.events.send(PeerEvent::KeyframeRequest(entry.ssrc));
                    }
                } else if let Some(remb) = any.downcast_ref::<ReceiverEstimatedMaximumBitrate>() {
                    let _ = self.events.send(PeerEvent::Estimate(remb.bitrate as u64));
                } else {
                    let reports = if let Some(rr) = any.downcast_ref::<ReceiverReport>() {
                        &rr.reports[..]
                    } else if let Some(sr) = any.downcast_ref::<SenderReport>() {
                        &sr.reports[..]
                    } else {
                        &[]
                    };
                    for report in reports {
                        let _ = self.events.send(PeerEvent::Loss {
                            ssrc: report.ssrc,
                            fraction: report.fraction_lost,
                        });
                    }
                }
            }
        }
    }
}

/// A lossy uplink, for test bots: the first sending of every `every`-th packet (by sequence
/// number) of the streams `ssrcs` is lost; a retransmission of it (the receiver's NACK answered)
/// goes through.
#[derive(Clone, Debug)]
pub struct UplinkLoss {
    /// One packet in this many.
    pub every: u16,
    /// The streams that lose packets.
    pub ssrcs: Vec<u32>,
}

/// Wire-most (webrtc-rs's TWCC stamping sits at 2,000, its NACK responder at 4,000): a packet
/// lost here has been kept for retransmission.
const LOSSY_SLOT: Slot = Slot::Custom(500);

/// Loses packets on their way out as [`UplinkLoss`] says; everything else passes unchanged.
struct Lossy {
    loss: UplinkLoss,
    /// The packets lost once (their retransmissions pass).
    lost: HashSet<(u32, u16)>,
}

impl Observe for Lossy {
    fn write(&mut self, message: &TaggedPacket) -> bool {
        if let InterceptedPacket::Rtp(packet) = &message.message.packet {
            let (ssrc, seq) = (packet.header.ssrc, packet.header.sequence_number);
            if seq % self.loss.every.max(1) == 0
                && self.loss.ssrcs.contains(&ssrc)
                && self.lost.insert((ssrc, seq))
            {
                return false;
            }
        }
        true
    }
}

/// What an interceptor of ours does with the packets going through: look at them, or (going
/// out) keep one back.
trait Observe: Send + Sync {
    /// An inbound packet.
    fn read(&mut self, _message: &TaggedPacket) {}

    /// An outbound packet: false to lose it.
    fn write(&mut self, _message: &TaggedPacket) -> bool {
        true
    }
}

/// An interceptor that passes every packet on unchanged (unless its [`Observe`] loses one),
/// in order, and binds no stream.
struct Watcher<O> {
    observe: O,
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

impl<O: Observe> Watcher<O> {
    fn new(observe: O) -> Self {
        Watcher {
            observe,
            read: VecDeque::new(),
            write: VecDeque::new(),
        }
    }
}

impl<O: Observe> Protocol<TaggedPacket, TaggedPacket, ()> for Watcher<O> {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = rtc::shared::error::Error;
    type Time = std::time::Instant;

    fn handle_read(&mut self, message: TaggedPacket) -> Result<(), Self::Error> {
        self.observe.read(&message);
        self.read.push_back(message);
        Ok(())
    }

    fn poll_read(&mut self) -> Option<TaggedPacket> {
        self.read.pop_front()
    }

    fn handle_write(&mut self, message: TaggedPacket) -> Result<(), Self::Error> {
        if self.observe.write(&message) {
            self.write.push_back(message);
        }
        Ok(())
    }

    fn poll_write(&mut self) -> Option<TaggedPacket> {
        self.write.pop_front()
    }
}

impl<O: Observe> Interceptor for Watcher<O> {
    fn bind_local_stream(&mut self, _: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _: &StreamInfo) {}
}

fn bracketed(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// Sets `description` as the local one, waits for its candidates, and returns the complete SDP.
pub async fn local_sdp(
    peer: &Peer,
    gathered: &mut watch::Receiver<u64>,
    description: RTCSessionDescription,
) -> anyhow::Result<String> {
    let before = *gathered.borrow_and_update();
    peer.set_local_description(description).await?;
    tokio::time::timeout(GATHER_TIMEOUT, gathered.wait_for(|n| *n > before))
        .await
        .context("gathering candidates timed out")??;
    Ok(peer
        .local_description()
        .await
        .context("no local description")?
        .sdp)
}

/// Answers a remote offer: the complete answer SDP.
pub async fn answer(
    peer: &Peer,
    gathered: &mut watch::Receiver<u64>,
    offer: String,
) -> anyhow::Result<String> {
    peer.set_remote_description(RTCSessionDescription::offer(offer)?)
        .await?;
    let answer = peer.create_answer(None).await?;
    local_sdp(peer, gathered, answer).await
}

/// A complete offer SDP.
pub async fn offer(peer: &Peer, gathered: &mut watch::Receiver<u64>) -> anyhow::Result<String> {
    let offer = peer.create_offer(None).await?;
    local_sdp(peer, gathered, offer).await
}

/// `sdp` (the server's offer or answer to a browser) asking the browser to send Opus with
/// discontinuous transmission (`usedtx=1`): a silent microphone then sends a packet every 400 ms
/// instead of 50 a second. In a staff where one person speaks, that is most of the audio each
/// subscriber receives: about 40 kbit/s per silent participant, on a GP's 4G link too. DTX is the
/// receiver's wish, written on the side that receives, which webrtc-rs does not do itself (its
/// answers repeat the offer's Opus parameters).
pub fn with_opus_dtx(sdp: &str) -> String {
    let opus: Vec<&str> = sdp
        .lines()
        .filter_map(|line| line.strip_prefix("a=rtpmap:"))
        .filter_map(|map| map.split_once(' '))
        .filter(|(_, codec)| codec.to_ascii_lowercase().starts_with("opus/"))
        .map(|(payload_type, _)| payload_type)
        .collect();
    let mut out = String::with_capacity(sdp.len() + 16 * opus.len());
    for line in sdp.split_inclusive('\n') {
        let fmtp = line
            .strip_prefix("a=fmtp:")
            .and_then(|rest| rest.split_once(' '))
            .filter(|(payload_type, parameters)| {
                opus.contains(payload_type) && !parameters.contains("usedtx=")
            });
        match fmtp {
            Some(_) => {
                let body = line.trim_end_matches(['\r', '\n']);
                out.push_str(body);
                out.push_str(";usedtx=1");
                out.push_str(&line[body.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// VP8, as browsers send it.
pub fn vp8() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: "video/VP8".into(),
        clock_rate: 90_000,
        channels: 0,
        sdp_fmtp_line: String::new(),
        rtcp_feedback: vec![],
    }
}

/// Opus, as browsers send it.
pub fn opus() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: "audio/opus".into(),
        clock_rate: 48_000,
        channels: 2,
        sdp_fmtp_line: "minptime=10;useinbandfec=1".into(),
        rtcp_feedback: vec![],
    }
}

/// A local track sending RTP with SSRC `ssrc` (packets written to it must carry that SSRC).
pub fn local_track(
    kind: RtpCodecKind,
    stream_id: &str,
    track_id: &str,
    ssrc: u32,
    codec: RTCRtpCodec,
) -> Arc<TrackLocalStaticRTP> {
    Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        stream_id.to_string(),
        track_id.to_string(),
        track_id.to_string(),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec,
            ..Default::default()
        }],
    )))
}

/// A local track sending in simulcast: one encoding per SSRC, lowest layer first, with the
/// `rid`s browsers use (q, h, f). Packets written to it carry their encoding's SSRC, and the
/// `mid` and `rid` header extensions.
pub fn simulcast_track(
    kind: RtpCodecKind,
    stream_id: &str,
    track_id: &str,
    ssrcs: &[u32],
) -> Arc<TrackLocalStaticRTP> {
    let encodings = ssrcs
        .iter()
        .zip(app::domain::video::Layer::ALL)
        .map(|(ssrc, layer)| RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                rid: layer.rid().to_string(),
                ssrc: Some(*ssrc),
                ..Default::default()
            },
            codec: vp8(),
            ..Default::default()
        })
        .collect();
    Arc::new(TrackLocalStaticRTP::new(MediaStreamTrack::new(
        stream_id.to_string(),
        track_id.to_string(),
        track_id.to_string(),
        kind,
        encodings,
    )))
}

#[cfg(test)]
mod tests {
    use super::with_opus_dtx;

    #[test]
    fn a_browser_is_asked_for_opus_dtx_and_nothing_else_changes() {
        let sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 9\r\na=rtpmap:111 opus/48000/2\r\n\
                   a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:9 G722/8000\r\n\
                   a=fmtp:9 x=1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n\
                   a=rtpmap:96 VP8/90000\r\n";
        let dtx = with_opus_dtx(sdp);
        assert_eq!(
            dtx,
            sdp.replace("useinbandfec=1\r\n", "useinbandfec=1;usedtx=1\r\n")
        );
        // Once is enough, and a browser's own choice stays.
        assert_eq!(with_opus_dtx(&dtx), dtx);
        let off = sdp.replace("useinbandfec=1", "useinbandfec=1;usedtx=0");
        assert_eq!(with_opus_dtx(&off), off);
    }
}
