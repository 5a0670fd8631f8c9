//! Simulcast: which of a publisher's three camera encodings ([`Layer`]) each subscriber gets,
//! and how the SFU switches between them without the subscriber's decoder noticing.
//!
//! A subscriber sees one video stream per publisher. When the forwarded layer changes, the SFU
//! waits for a keyframe of the new layer (asking the publisher for one), then continues the
//! stream: sequence numbers, RTP timestamps and the VP8 picture id and TL0PICIDX are renumbered
//! so that they follow on from what the subscriber already received ([`Switch`]).
//!
//! Which layer ([`Selector`]): the one the subscriber's tile wants, capped one step down each
//! time the subscriber's receiver reports loss on that stream (stepping back up after a quiet
//! while), capped again when the subscriber's bandwidth estimate falls below what it is sent
//! ([`Bandwidth`]: the other tiles step down before the speaker's), and never one the publisher
//! is not sending at the moment (a browser stops its upper layers when its own bandwidth or CPU is
//! short): then the best layer that is still arriving.

use std::time::{Duration, Instant};

use app::domain::video::Layer;
use bytes::{Bytes, BytesMut};

/// A layer that sent nothing for this long is taken as stopped by its publisher.
pub const LAYER_SILENT_AFTER: Duration = Duration::from_millis(1_000);
/// Loss reported by a receiver (fraction of 256, as in RTCP) above which its layer steps down:
/// about 8 %.
pub const LOSS_STEP_DOWN: u8 = 20;
/// Loss below which the cap may step back up (about 2 %)…
pub const LOSS_QUIET: u8 = 5;
/// …once it has stayed that low for this long.
pub const STEP_UP_AFTER: Duration = Duration::from_secs(8);
/// A bandwidth estimate (REMB) counts as congestion when it fell below the previous one by more
/// than this (a receiver lowers its estimate only when it sees queues building up)…
const ESTIMATE_FELL: f64 = 0.97;
/// …and below this share of the video the subscriber is being sent.
const ESTIMATE_SHORT: f64 = 0.9;
/// Bandwidth step-downs at least this far apart: a lower layer needs a keyframe and a moment to
/// show in the next estimate.
pub const RATE_STEP_DOWN_GAP: Duration = Duration::from_secs(2);
/// A bandwidth cap steps back up one layer after this long without congestion (and again after
/// as long, one tile at a time): the next estimate that falls says the link is full again.
pub const RATE_STEP_UP_AFTER: Duration = Duration::from_secs(10);
/// The shortest window over which the rate sent to a subscriber is measured.
const RATE_WINDOW: Duration = Duration::from_millis(500);
/// RTP timestamp step put between the last frame of the old layer and the first of the new one
/// (one frame at 30 fps, 90 kHz clock).
const FRAME_TICKS: u32 = 3_000;

/// The fields of a VP8 payload descriptor (RFC 7741 §4.2) the SFU reads or rewrites.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vp8 {
    /// Start of a partition with index 0: the first packet of a frame.
    pub frame_start: bool,
    /// The frame is a keyframe (only known on the first packet of a frame).
    pub keyframe: bool,
    /// Picture id and where it is: (offset in the payload, 15 bits or 7).
    pub picture_id: Option<(usize, bool, u16)>,
    /// TL0PICIDX and its offset.
    pub tl0: Option<(usize, u8)>,
}

/// Reads a VP8 payload descriptor; `None` when the payload is too short to hold one.
pub fn parse_vp8(payload: &[u8]) -> Option<Vp8> {
    let first = *payload.first()?;
    let extended = first & 0x80 != 0;
    let start = first & 0x10 != 0;
    let partition = first & 0x07;
    let mut at = 1;
    let mut vp8 = Vp8::default();
    if extended {
        let flags = *payload.get(at)?;
        at += 1;
        let (has_picture_id, has_tl0, has_tid, has_keyidx) = (
            flags & 0x80 != 0,
            flags & 0x40 != 0,
            flags & 0x20 != 0,
            flags & 0x10 != 0,
        );
        if has_picture_id {
            let high = *payload.get(at)?;
            if high & 0x80 != 0 {
                let low = *payload.get(at + 1)?;
                vp8.picture_id = Some((at, true, u16::from(high & 0x7f) << 8 | u16::from(low)));
                at += 2;
            } else {
                vp8.picture_id = Some((at, false, u16::from(high)));
                at += 1;
            }
        }
        if has_tl0 {
            vp8.tl0 = Some((at, *payload.get(at)?));
            at += 1;
        }
        if has_tid || has_keyidx {
            at += 1;
        }
    }
    vp8.frame_start = start && partition == 0;
    // The VP8 payload header's first byte: bit 0 clear for a keyframe.
    vp8.keyframe = vp8.frame_start && payload.get(at).is_some_and(|b| b & 0x01 == 0);
    Some(vp8)
}

/// Whether an RTP payload is the first packet of a VP8 keyframe.
pub fn starts_keyframe(payload: &[u8]) -> bool {
    parse_vp8(payload).is_some_and(|v| v.keyframe)
}

/// Renumbering of one forwarded video stream across layer switches.
#[derive(Clone, Debug, Default)]
pub struct Switch {
    /// The last values sent to the subscriber: sequence number, timestamp, picture id, TL0PICIDX.
    last: Option<(u16, u32, Option<u16>, Option<u8>)>,
    /// Added to the incoming values of the current layer.
    seq_offset: u16,
    ts_offset: u32,
    picture_offset: u16,
    tl0_offset: u8,
    /// The first sequence number of the current layer (older ones are dropped).
    first_seq: u16,
}

impl Switch {
    /// Starts continuing the stream from a keyframe of another layer whose first packet has
    /// this sequence number, timestamp and descriptor.
    pub fn restart(&mut self, seq: u16, ts: u32, vp8: &Vp8) {
        self.first_seq = seq;
        let Some((last_seq, last_ts, last_picture, last_tl0)) = self.last else {
            return;
        };
        self.seq_offset = last_seq.wrapping_add(1).wrapping_sub(seq);
        self.ts_offset = last_ts.wrapping_add(FRAME_TICKS).wrapping_sub(ts);
        if let (Some(last), Some((_, _, picture))) = (last_picture, vp8.picture_id) {
            self.picture_offset = last.wrapping_add(1).wrapping_sub(picture);
        }
        if let (Some(last), Some((_, tl0))) = (last_tl0, vp8.tl0) {
            self.tl0_offset = last.wrapping_add(1).wrapping_sub(tl0);
        }
    }

    /// Whether a packet of the current layer came from before the switch (dropped).
    pub fn is_stale(&self, seq: u16) -> bool {
        (seq.wrapping_sub(self.first_seq) as i16) < 0
    }

    /// A packet of the current layer (its payload's descriptor `vp8`, read once for every
    /// subscriber) as the subscriber receives it: (sequence number, timestamp, payload rewritten
    /// when its picture id or TL0PICIDX moved).
    pub fn rewrite(&mut self, seq: u16, ts: u32, payload: &Bytes, vp8: &Vp8) -> (u16, u32, Bytes) {
        let seq = seq.wrapping_add(self.seq_offset);
        let ts = ts.wrapping_add(self.ts_offset);
        let picture = vp8.picture_id.map(|(at, long, id)| {
            let id = id.wrapping_add(self.picture_offset) & if long { 0x7fff } else { 0x7f };
            (at, long, id)
        });
        let tl0 = vp8
            .tl0
            .map(|(at, tl0)| (at, tl0.wrapping_add(self.tl0_offset)));
        let moved = (self.picture_offset != 0 && picture.is_some())
            || (self.tl0_offset != 0 && tl0.is_some());
        let payload = if moved {
            let mut copy = BytesMut::from(&payload[..]);
            if let Some((at, long, id)) = picture {
                if long {
                    copy[at] = 0x80 | (id >> 8) as u8;
                    copy[at + 1] = id as u8;
                } else {
                    copy[at] = id as u8;
                }
            }
            if let Some((at, tl0)) = tl0 {
                copy[at] = tl0;
            }
            copy.freeze()
        } else {
            payload.clone()
        };
        let newer = self
            .last
            .is_none_or(|(last, ..)| (seq.wrapping_sub(last) as i16) > 0);
        if newer {
            self.last = Some((seq, ts, picture.map(|p| p.2), tl0.map(|t| t.1)));
        }
        (seq, ts, payload)
    }
}

/// What a selector decides for one packet.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not for this subscriber.
    Drop,
    /// Send it (renumbered).
    Send,
}

/// The layer choice for one (publisher's camera, subscriber) pair.
#[derive(Debug)]
pub struct Selector {
    /// What the subscriber's tile wants.
    pub wish: Layer,
    /// The highest layer the subscriber's link takes now (stepped down by reported loss).
    pub cap: Layer,
    /// The highest layer the subscriber's bandwidth leaves room for ([`lower_one`]).
    pub rate_cap: Layer,
    /// Since when the reported loss has stayed low (for stepping the cap back up).
    quiet_since: Option<Instant>,
    /// The layer wanted now: wish, cap and what the publisher sends.
    pub target: Option<Layer>,
    /// The layer forwarded now.
    pub current: Option<Layer>,
    /// Renumbering across switches.
    pub switch: Switch,
}

impl Default for Selector {
    /// Full resolution until the subscriber says what its tile needs.
    fn default() -> Self {
        Selector {
            wish: Layer::High,
            cap: Layer::High,
            rate_cap: Layer::High,
            quiet_since: None,
            target: None,
            current: None,
            switch: Switch::default(),
        }
    }
}

impl Selector {
    /// Chooses the target among the layers arriving now (`live[i]` for [`Layer::ALL`]`[i]`):
    /// the best one at or below the [`limit`](Self::limit), else the lowest arriving one.
    /// Returns the new target when it changed and differs from the layer forwarded (it needs a
    /// keyframe).
    pub fn retarget(&mut self, live: [bool; 3]) -> Option<Layer> {
        let limit = self.limit();
        let below = Layer::ALL
            .into_iter()
            .rfind(|l| *l <= limit && live[l.index()]);
        let target = below.or_else(|| Layer::ALL.into_iter().find(|l| live[l.index()]));
        let changed = target != self.target;
        self.target = target;
        (changed && target.is_some() && target != self.current).then_some(target?)
    }

    /// The best layer wanted: the wish, within both caps.
    pub fn limit(&self) -> Layer {
        self.wish.min(self.cap).min(self.rate_cap)
    }

    /// The layer this subscriber gets, or will once the switch is done.
    fn level(&self) -> Layer {
        self.current.unwrap_or(Layer::High).min(self.limit())
    }

    /// A receiver report's loss (fraction of 256) for this stream, at `now`: steps the cap down
    /// at once when high; back up one step after [`STEP_UP_AFTER`] of low loss. True when the cap
    /// changed.
    pub fn report_loss(&mut self, fraction: u8, now: Instant) -> bool {
        if fraction > LOSS_STEP_DOWN {
            self.quiet_since = None;
            let lower = self.current.unwrap_or(self.cap).min(self.cap).lower();
            let changed = lower != self.cap;
            self.cap = lower;
            return changed;
        }
        if fraction > LOSS_QUIET {
            self.quiet_since = None;
            return false;
        }
        let since = *self.quiet_since.get_or_insert(now);
        if self.cap < Layer::High && now.duration_since(since) >= STEP_UP_AFTER {
            self.cap = self.cap.higher();
            self.quiet_since = Some(now);
            return true;
        }
        false
    }

    /// A packet of `layer` arrived (its payload's descriptor `vp8`): whether to forward it.
    /// Switches to the target layer at its first keyframe packet.
    pub fn admit(&mut self, layer: Layer, seq: u16, ts: u32, vp8: &Vp8) -> Verdict {
        if self.current == Some(layer) {
            if self.switch.is_stale(seq) {
                return Verdict::Drop;
            }
            return Verdict::Send;
        }
        if self.target != Some(layer) {
            return Verdict::Drop;
        }
        if vp8.keyframe {
            self.switch.restart(seq, ts, vp8);
            self.current = Some(layer);
            Verdict::Send
        } else {
            Verdict::Drop
        }
    }
}

/// What a subscriber's bandwidth estimate asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pressure {
    /// Congestion: one of its tiles steps down ([`lower_one`]).
    Lower,
    /// A long enough calm: one tile steps back up ([`raise_one`]).
    Raise,
    /// Nothing to do.
    Hold,
}

/// One subscriber's bandwidth, as its receiver estimates it (REMB, sent by browsers about once
/// a second and at once when the estimate drops).
///
/// A browser's receive-side estimate follows what arrives: it climbs slowly after the SFU sends
/// more (a tile switched up), so an estimate below the rate sent is not a sign of congestion by
/// itself. The estimate only falls when the receiver sees packets queue up, to about 85 % of
/// what it received: a fall to below what the SFU sends is the congestion signal used here.
#[derive(Debug, Default)]
pub struct Bandwidth {
    /// The previous estimate, bits per second.
    last: Option<u64>,
    /// When a cap last changed.
    changed_at: Option<Instant>,
}

impl Bandwidth {
    /// An estimate (bits per second) while `sending` bits per second of video go to the
    /// subscriber.
    pub fn estimate(&mut self, estimate: u64, sending: u64, now: Instant) -> Pressure {
        let fell = self
            .last
            .is_some_and(|last| (estimate as f64) < last as f64 * ESTIMATE_FELL);
        self.last = Some(estimate);
        let since_change = self.changed_at.map(|at| now.duration_since(at));
        if fell && (estimate as f64) < sending as f64 * ESTIMATE_SHORT {
            if since_change.is_some_and(|d| d < RATE_STEP_DOWN_GAP) {
                return Pressure::Hold;
            }
            self.changed_at = Some(now);
            return Pressure::Lower;
        }
        match since_change {
            Some(d) if d >= RATE_STEP_UP_AFTER => {
                self.changed_at = Some(now);
                Pressure::Raise
            }
            _ => Pressure::Hold,
        }
    }
}

/// Congestion: steps one of a subscriber's cameras down a layer. The tiles the subscriber wants
/// least go first (all the others reach the low layer before the speaker's, which the browser
/// wishes high); among equals, the one sent in the highest layer. Which one stepped down; none
/// when every camera is already at the low layer (audio is never touched).
pub fn lower_one(selectors: &mut [impl std::ops::DerefMut<Target = Selector>]) -> Option<usize> {
    let (i, selector) = selectors
        .iter_mut()
        .enumerate()
        .filter(|(_, s)| s.level() > Layer::Low)
        .min_by_key(|(_, s)| (s.wish, std::cmp::Reverse(s.level())))?;
    selector.rate_cap = selector.level().lower();
    Some(i)
}

/// Calm again: steps one camera's bandwidth cap back up, the speaker's first (the highest wish),
/// then the lowest cap. Which one stepped up; none when no cap holds a tile below its wish.
pub fn raise_one(selectors: &mut [impl std::ops::DerefMut<Target = Selector>]) -> Option<usize> {
    let (i, selector) = selectors
        .iter_mut()
        .enumerate()
        .filter(|(_, s)| s.rate_cap < s.wish)
        .min_by_key(|(_, s)| (std::cmp::Reverse(s.wish), s.rate_cap))?;
    selector.rate_cap = selector.rate_cap.higher();
    Some(i)
}

/// The rate of a byte counter, over windows of at least [`RATE_WINDOW`].
#[derive(Debug)]
pub struct RateMeter {
    at: Instant,
    bytes: u64,
    bits_per_second: u64,
}

impl RateMeter {
    /// A meter starting from `bytes` at `now`.
    pub fn new(bytes: u64, now: Instant) -> RateMeter {
        RateMeter {
            at: now,
            bytes,
            bits_per_second: 0,
        }
    }

    /// The counter reads `bytes` at `now`: the rate since the last window (the previous figure
    /// while the window is too short).
    pub fn sample(&mut self, bytes: u64, now: Instant) -> u64 {
        let elapsed = now.duration_since(self.at);
        if elapsed >= RATE_WINDOW {
            self.bits_per_second =
                (bytes.saturating_sub(self.bytes) as f64 * 8.0 / elapsed.as_secs_f64()) as u64;
            self.at = now;
            self.bytes = bytes;
        }
        self.bits_per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A VP8 payload: extended descriptor with a 15-bit picture id and TL0PICIDX, then the
    /// payload header (keyframe or not) and some bytes.
    fn vp8(start: bool, keyframe: bool, picture: u16, tl0: u8) -> Bytes {
        let first = 0x80 | if start { 0x10 } else { 0 };
        Bytes::from(vec![
            first,
            0xc0,
            0x80 | (picture >> 8) as u8,
            picture as u8,
            tl0,
            if keyframe { 0x10 } else { 0x11 },
            0xaa,
            0xbb,
        ])
    }

    /// The descriptor of a payload, as the SFU reads it once per packet.
    fn parsed(payload: &Bytes) -> Vp8 {
        parse_vp8(payload).unwrap_or_default()
    }

    /// A packet through `switch`, its descriptor read first as the SFU does.
    fn rewrite(switch: &mut Switch, seq: u16, ts: u32, payload: Bytes) -> (u16, u32, Bytes) {
        switch.rewrite(seq, ts, &payload, &parsed(&payload))
    }

    #[test]
    fn reads_the_vp8_descriptor_and_recognises_keyframes() {
        let parsed = parse_vp8(&vp8(true, true, 300, 7)).unwrap();
        assert!(parsed.frame_start && parsed.keyframe);
        assert_eq!(parsed.picture_id, Some((2, true, 300)));
        assert_eq!(parsed.tl0, Some((4, 7)));
        assert!(!starts_keyframe(&vp8(true, false, 300, 7)));
        // A keyframe's later packets do not start one.
        assert!(!starts_keyframe(&vp8(false, true, 300, 7)));
        // Short descriptor, 7-bit picture id.
        let short = [0x90, 0x80, 0x05, 0x10];
        assert_eq!(parse_vp8(&short).unwrap().picture_id, Some((2, false, 5)));
        assert!(starts_keyframe(&short));
        // Without extension.
        assert!(starts_keyframe(&[0x10, 0x00]));
        assert_eq!(parse_vp8(&[]), None);
        assert_eq!(parse_vp8(&[0x80]), None);
    }

    #[test]
    fn a_switch_continues_sequence_timestamp_and_picture_id() {
        let mut selector = Selector::default();
        assert_eq!(selector.retarget([true, false, false]), Some(Layer::Low));
        // Low layer: a delta frame first (dropped: no keyframe yet), then a keyframe.
        assert_eq!(
            selector.admit(Layer::Low, 10, 1000, &parsed(&vp8(true, false, 50, 3))),
            Verdict::Drop
        );
        assert_eq!(
            selector.admit(Layer::Low, 11, 4000, &parsed(&vp8(true, true, 51, 4))),
            Verdict::Send
        );
        let (seq, ts, payload) = rewrite(&mut selector.switch, 11, 4000, vp8(true, true, 51, 4));
        assert_eq!((seq, ts), (11, 4000), "the first layer is sent as it is");
        assert_eq!(payload, vp8(true, true, 51, 4));
        assert_eq!(
            selector.admit(Layer::Low, 12, 7000, &parsed(&vp8(true, false, 52, 4))),
            Verdict::Send
        );
        rewrite(&mut selector.switch, 12, 7000, vp8(true, false, 52, 4));

        // The high layer starts arriving: the target moves, the low layer goes on until the high
        // layer's keyframe.
        assert_eq!(selector.retarget([true, true, true]), Some(Layer::High));
        assert_eq!(
            selector.admit(
                Layer::High,
                60_000,
                90_000,
                &parsed(&vp8(true, false, 32_000, 200))
            ),
            Verdict::Drop
        );
        assert_eq!(
            selector.admit(Layer::Low, 13, 10_000, &parsed(&vp8(true, false, 53, 4))),
            Verdict::Send
        );
        rewrite(&mut selector.switch, 13, 10_000, vp8(true, false, 53, 4));
        assert_eq!(
            selector.admit(
                Layer::High,
                60_001,
                93_000,
                &parsed(&vp8(true, true, 32_767, 201))
            ),
            Verdict::Send
        );
        let (seq, ts, payload) = rewrite(
            &mut selector.switch,
            60_001,
            93_000,
            vp8(true, true, 32_767, 201),
        );
        assert_eq!((seq, ts), (14, 13_000));
        assert_eq!(payload, vp8(true, true, 54, 5));
        // The next high packets follow on, across the picture id's wrap.
        selector.admit(
            Layer::High,
            60_002,
            96_000,
            &parsed(&vp8(true, false, 0, 201)),
        );
        let (seq, ts, payload) = rewrite(
            &mut selector.switch,
            60_002,
            96_000,
            vp8(true, false, 0, 201),
        );
        assert_eq!((seq, ts), (15, 16_000));
        assert_eq!(payload, vp8(true, false, 55, 5));
        // The low layer is no longer forwarded, nor a late high packet from before the switch.
        assert_eq!(
            selector.admit(Layer::Low, 14, 13_000, &parsed(&vp8(true, false, 54, 4))),
            Verdict::Drop
        );
        assert_eq!(
            selector.admit(
                Layer::High,
                60_000,
                90_000,
                &parsed(&vp8(true, false, 32_000, 200))
            ),
            Verdict::Drop
        );
    }

    #[test]
    fn the_target_follows_wish_cap_and_what_arrives() {
        let mut selector = Selector::default();
        assert_eq!(selector.retarget([true, true, true]), Some(Layer::High));
        selector.wish = Layer::Medium;
        assert_eq!(selector.retarget([true, true, true]), Some(Layer::Medium));
        // Unchanged: nothing new to ask for.
        assert_eq!(selector.retarget([true, true, true]), None);
        // The publisher stopped its medium layer: the best one below.
        assert_eq!(selector.retarget([true, false, true]), Some(Layer::Low));
        // Only the high one arrives: better than nothing.
        assert_eq!(selector.retarget([false, false, true]), Some(Layer::High));
        assert_eq!(selector.retarget([false, false, false]), None);
        assert_eq!(selector.target, None);
    }

    #[test]
    fn loss_steps_the_layer_down_at_once_and_back_up_slowly() {
        let start = Instant::now();
        let mut selector = Selector::default();
        selector.retarget([true, true, true]);
        selector.current = Some(Layer::High);
        assert!(selector.report_loss(60, start));
        assert_eq!(selector.cap, Layer::Medium);
        assert_eq!(selector.retarget([true, true, true]), Some(Layer::Medium));
        selector.current = Some(Layer::Medium);
        assert!(selector.report_loss(60, start + Duration::from_secs(1)));
        assert_eq!(selector.cap, Layer::Low);
        // Moderate loss neither steps down nor counts as quiet.
        assert!(!selector.report_loss(10, start + Duration::from_secs(2)));
        // Low loss for a while: one step back up, then another after as long again.
        assert!(!selector.report_loss(0, start + Duration::from_secs(3)));
        assert!(!selector.report_loss(0, start + Duration::from_secs(10)));
        assert!(selector.report_loss(0, start + Duration::from_secs(11)));
        assert_eq!(selector.cap, Layer::Medium);
        assert!(!selector.report_loss(0, start + Duration::from_secs(12)));
        assert!(selector.report_loss(1, start + Duration::from_secs(19)));
        assert_eq!(selector.cap, Layer::High);
        assert!(!selector.report_loss(0, start + Duration::from_secs(40)));
    }

    #[test]
    fn a_falling_estimate_below_the_rate_sent_is_congestion() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_millis(s);
        // (milliseconds, estimate, rate sent, what it asks for)
        let steps = [
            // Below the rate sent, but not falling: a receiver catching up after a switch up,
            // not congestion.
            (0, 400_000, 1_000_000, Pressure::Hold),
            (1_000, 450_000, 1_000_000, Pressure::Hold),
            // Falling below what is sent: step down, then not again before the gap.
            (2_000, 380_000, 1_000_000, Pressure::Lower),
            (3_000, 320_000, 1_000_000, Pressure::Hold),
            (4_100, 270_000, 600_000, Pressure::Lower),
            // Calm: one step back up after a while, then another after as long again.
            (9_000, 280_000, 250_000, Pressure::Hold),
            (14_100, 290_000, 250_000, Pressure::Raise),
            (20_000, 300_000, 250_000, Pressure::Hold),
            (24_100, 310_000, 250_000, Pressure::Raise),
        ];
        let mut bandwidth = Bandwidth::default();
        for (ms, estimate, sending, pressure) in steps {
            assert_eq!(
                bandwidth.estimate(estimate, sending, at(ms)),
                pressure,
                "{ms} ms"
            );
        }
        // Falling, but still above what is sent: headroom shrinking, nothing to do.
        let mut roomy = Bandwidth::default();
        roomy.estimate(3_000_000, 1_000_000, at(0));
        assert_eq!(
            roomy.estimate(2_000_000, 1_000_000, at(1_000)),
            Pressure::Hold
        );
    }

    fn tile(wish: Layer, current: Layer) -> Selector {
        Selector {
            wish,
            current: Some(current),
            ..Selector::default()
        }
    }

    #[test]
    fn congestion_steps_the_other_tiles_down_before_the_speaker_and_raises_the_speaker_first() {
        let mut tiles = [
            tile(Layer::High, Layer::High),
            tile(Layer::Medium, Layer::Medium),
            tile(Layer::Medium, Layer::Low),
        ];
        let mut refs: Vec<&mut Selector> = tiles.iter_mut().collect();
        // The medium tile goes to low; only then does the speaker step down, to the bottom.
        assert_eq!(lower_one(&mut refs), Some(1));
        assert_eq!(refs[1].limit(), Layer::Low);
        assert_eq!(refs[0].limit(), Layer::High);
        assert_eq!(lower_one(&mut refs), Some(0));
        assert_eq!(refs[0].limit(), Layer::Medium);
        // The cap counts from what is sent, even before the switch is done.
        assert_eq!(lower_one(&mut refs), Some(0));
        assert_eq!(refs[0].limit(), Layer::Low);
        // Everything at the low layer: nothing more to take (audio is never dropped).
        assert_eq!(lower_one(&mut refs), None);
        // Back up: the speaker first, all the way, then the others.
        assert_eq!(raise_one(&mut refs), Some(0));
        assert_eq!(refs[0].limit(), Layer::Medium);
        assert_eq!(raise_one(&mut refs), Some(0));
        assert_eq!(refs[0].limit(), Layer::High);
        assert_eq!(raise_one(&mut refs), Some(1));
        assert_eq!(refs[1].limit(), Layer::Medium);
        assert_eq!(raise_one(&mut refs), None);
        // The third tile was never capped: it got the low layer only while the switch was due.
        assert_eq!(refs[2].rate_cap, Layer::High);
    }

    #[test]
    fn the_rate_meter_measures_over_half_a_second_at_least() {
        let start = Instant::now();
        let mut meter = RateMeter::new(1_000, start);
        assert_eq!(meter.sample(2_000, start + Duration::from_millis(100)), 0);
        assert_eq!(
            meter.sample(63_500, start + Duration::from_millis(500)),
            1_000_000
        );
        assert_eq!(
            meter.sample(70_000, start + Duration::from_millis(700)),
            1_000_000
        );
        assert_eq!(
            meter.sample(126_000, start + Duration::from_millis(1_500)),
            500_000
        );
    }
}
