//! Video rooms: when a meeting's room is open, and the signaling messages exchanged over the
//! room's WebSocket (`/meetings/{id}/video`) between a browser (or a test bot) and the SFU inside
//! the server. Shared by the server and the browser, so both speak the same JSON.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long before a meeting's start and after its end its room is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomHours {
    /// Minutes before the start.
    pub before_minutes: i64,
    /// Minutes after the end.
    pub after_minutes: i64,
}

impl Default for RoomHours {
    /// 15 minutes before the start to 1 hour after the end.
    fn default() -> Self {
        RoomHours {
            before_minutes: 15,
            after_minutes: 60,
        }
    }
}

/// Whether a room is open at an instant, or why not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomState {
    /// Not yet: opens at this instant.
    NotYet(DateTime<Utc>),
    /// Open until this instant.
    Open(DateTime<Utc>),
    /// Closed since this instant.
    Closed(DateTime<Utc>),
}

impl RoomHours {
    /// When the room of a meeting starting at `start` and lasting `duration_minutes` closes.
    pub fn closes(&self, start: DateTime<Utc>, duration_minutes: i64) -> DateTime<Utc> {
        start + Duration::minutes(duration_minutes + self.after_minutes)
    }

    /// The room of a meeting starting at `start` and lasting `duration_minutes`, at `now`.
    pub fn state(
        &self,
        start: DateTime<Utc>,
        duration_minutes: i64,
        now: DateTime<Utc>,
    ) -> RoomState {
        let opens = start - Duration::minutes(self.before_minutes);
        let closes = self.closes(start, duration_minutes);
        if now < opens {
            RoomState::NotYet(opens)
        } else if now >= closes {
            RoomState::Closed(closes)
        } else {
            RoomState::Open(closes)
        }
    }
}

/// One person in a room, as every participant sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomPeer {
    /// The participant's id in this room (not a user id: guests have none).
    pub id: u64,
    /// Name shown on their tile.
    pub name: String,
    /// Role shown beside the name (e.g. "Psychiatre"; "Invité·e" for a guest).
    pub role: String,
    /// A guest (e.g. the patient of a joint consultation): entered through the lobby, may not
    /// admit anyone.
    #[serde(default)]
    pub guest: bool,
    /// What they send right now.
    #[serde(default)]
    pub media: MediaStatus,
}

/// A STUN or TURN server a browser uses to reach the room (`RTCIceServer`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    /// Its URLs.
    pub urls: Vec<String>,
    /// TURN user name (time-limited).
    pub username: Option<String>,
    /// TURN password (time-limited).
    pub credential: Option<String>,
}

/// What a participant sends right now, as they tell the room (their tile shows it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaStatus {
    /// Microphone on.
    #[serde(default)]
    pub audio: bool,
    /// Camera (or screen) on.
    #[serde(default)]
    pub video: bool,
    /// Sharing their screen instead of their camera.
    #[serde(default)]
    pub screen: bool,
}

/// From a participant to the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientSignal {
    /// The participant's first offer (or a renegotiation it starts): complete SDP, candidates
    /// included (no trickle).
    Offer {
        /// SDP.
        sdp: String,
    },
    /// The answer to a server offer.
    Answer {
        /// SDP.
        sdp: String,
    },
    /// What the participant sends now (after muting, unmuting or sharing their screen).
    Status {
        /// The new status.
        media: MediaStatus,
    },
    /// Let a guest waiting in the lobby in (professionals only).
    Admit {
        /// The guest's participant id.
        id: u64,
    },
    /// Turn a guest waiting in the lobby away (professionals only).
    Refuse {
        /// The guest's participant id.
        id: u64,
    },
    /// The simulcast layer the participant wants of each other participant's camera, from the
    /// size of their tile (sent whenever a wish changes).
    Layers {
        /// One wish per participant whose video is shown.
        wishes: Vec<LayerWish>,
    },
    /// Leaving (closing the socket does the same).
    Leave,
}

/// One of the three simulcast encodings a browser publishes of its camera (or screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// A quarter of the resolution, about 150 kbit/s (`rid` "q").
    Low,
    /// Half the resolution, about 500 kbit/s (`rid` "h").
    Medium,
    /// Full resolution, about 1,200 kbit/s (`rid` "f").
    High,
}

impl Layer {
    /// Lowest first.
    pub const ALL: [Layer; 3] = [Layer::Low, Layer::Medium, Layer::High];

    /// The encoding's `rid` as browsers send it.
    pub fn rid(self) -> &'static str {
        match self {
            Layer::Low => "q",
            Layer::Medium => "h",
            Layer::High => "f",
        }
    }

    /// The layer of a `rid` (also the spellings other clients use: l/m/h, low/mid/high).
    pub fn from_rid(rid: &str) -> Option<Layer> {
        match rid {
            "q" | "l" | "low" => Some(Layer::Low),
            "h" | "m" | "mid" => Some(Layer::Medium),
            "f" | "high" => Some(Layer::High),
            _ => None,
        }
    }

    /// Position, lowest 0.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The layer one step down (itself when already the lowest).
    pub fn lower(self) -> Layer {
        Layer::ALL[self.index().saturating_sub(1)]
    }

    /// The layer one step up (itself when already the highest).
    pub fn higher(self) -> Layer {
        Layer::ALL[(self.index() + 1).min(2)]
    }
}

/// A participant's wish for another participant's video.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerWish {
    /// Whose video.
    pub participant: u64,
    /// Which layer.
    pub layer: Layer,
}

/// The layer a tile needs: the active speaker and a shared screen get the full resolution;
/// otherwise the tile's width in CSS pixels decides (a layer is enough up to about 1.5 times
/// its width: 240, 480 and 960 pixels for a 960-pixel camera).
pub fn layer_for_tile(width_px: f64, speaker: bool, screen: bool) -> Layer {
    if speaker || screen || width_px > 720.0 {
        Layer::High
    } else if width_px > 360.0 {
        Layer::Medium
    } else {
        Layer::Low
    }
}

/// From the server to a participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerSignal {
    /// Admitted: the participant's own id and who is already there.
    Welcome {
        /// This participant's id.
        you: u64,
        /// Everyone in the room, this participant included.
        peers: Vec<RoomPeer>,
    },
    /// The answer to the participant's offer.
    Answer {
        /// SDP.
        sdp: String,
    },
    /// A server offer (someone's tracks were added or removed): answer it. Each forwarded track
    /// belongs to the media stream `p<participant id>`.
    Offer {
        /// SDP.
        sdp: String,
    },
    /// Who is in the room now.
    Peers {
        /// Everyone, this participant included.
        peers: Vec<RoomPeer>,
    },
    /// Guests waiting in the lobby (sent to professionals whenever it changes, empty when nobody
    /// waits).
    Lobby {
        /// Who knocks, oldest first.
        waiting: Vec<RoomPeer>,
    },
    /// To a guest: wait in the lobby until a professional lets you in.
    Waiting,
    /// To a guest: a professional turned you away.
    Refused,
    /// To a guest still in the lobby: the room closed before anyone let them in.
    Closed,
    /// Something went wrong; the message is shown as it is (French).
    Error {
        /// Message.
        message: String,
    },
}

/// The display name a guest gives: trimmed, at most 40 characters, never empty.
pub fn guest_name(typed: &str) -> String {
    let name: String = typed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(40)
        .collect();
    if name.is_empty() {
        "Patient·e".to_string()
    } else {
        name
    }
}

/// One stay in a room: joined, and left (none while still in).
pub type Stay = (DateTime<Utc>, Option<DateTime<Utc>>);

/// The attendance a person's stays in a meeting's room suggest: arrived at their first entry,
/// left at their last exit (none while they are still in). Reconnections in between count as
/// presence. None without any stay.
pub fn attendance_from_stays(stays: &[Stay]) -> Option<Stay> {
    let arrived = stays.iter().map(|(joined, _)| *joined).min()?;
    let still_in = stays.iter().any(|(_, left)| left.is_none());
    let left = if still_in {
        None
    } else {
        stays.iter().filter_map(|(_, left)| *left).max()
    };
    Some((arrived, left))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 3, 5, h, m, 0).unwrap()
    }

    #[test]
    fn a_room_opens_15_minutes_before_and_closes_an_hour_after_the_end() {
        let hours = RoomHours::default();
        let start = at(12, 30);
        assert_eq!(
            hours.state(start, 90, at(12, 14)),
            RoomState::NotYet(at(12, 15))
        );
        assert_eq!(
            hours.state(start, 90, at(12, 15)),
            RoomState::Open(at(15, 0))
        );
        assert_eq!(
            hours.state(start, 90, at(14, 59)),
            RoomState::Open(at(15, 0))
        );
        assert_eq!(
            hours.state(start, 90, at(15, 0)),
            RoomState::Closed(at(15, 0))
        );
    }

    #[test]
    fn room_hours_are_configurable() {
        let hours = RoomHours {
            before_minutes: 0,
            after_minutes: 0,
        };
        let start = at(9, 0);
        assert!(matches!(
            hours.state(start, 30, at(8, 59)),
            RoomState::NotYet(_)
        ));
        assert!(matches!(
            hours.state(start, 30, at(9, 29)),
            RoomState::Open(_)
        ));
        assert!(matches!(
            hours.state(start, 30, at(9, 30)),
            RoomState::Closed(_)
        ));
    }

    #[test]
    fn attendance_runs_from_the_first_entry_to_the_last_exit() {
        assert_eq!(attendance_from_stays(&[]), None);
        // Dropped at 12:40, back at 12:41, left at 13:30.
        let stays = [
            (at(12, 41), Some(at(13, 30))),
            (at(12, 28), Some(at(12, 40))),
        ];
        assert_eq!(
            attendance_from_stays(&stays),
            Some((at(12, 28), Some(at(13, 30))))
        );
        // Still in: no departure yet.
        let stays = [(at(12, 28), Some(at(12, 40))), (at(12, 41), None)];
        assert_eq!(attendance_from_stays(&stays), Some((at(12, 28), None)));
    }

    #[test]
    fn a_guest_name_is_trimmed_bounded_and_never_empty() {
        assert_eq!(guest_name("  Jeanne \n  D. "), "Jeanne D.");
        assert_eq!(guest_name("   "), "Patient·e");
        assert_eq!(guest_name(&"x".repeat(100)).chars().count(), 40);
    }

    #[test]
    fn lobby_signals_are_tagged_json() {
        let admit: ClientSignal = serde_json::from_str(r#"{"type":"admit","id":7}"#).unwrap();
        assert_eq!(admit, ClientSignal::Admit { id: 7 });
        let status: ClientSignal =
            serde_json::from_str(r#"{"type":"status","media":{"audio":false,"video":true}}"#)
                .unwrap();
        assert_eq!(
            status,
            ClientSignal::Status {
                media: MediaStatus {
                    audio: false,
                    video: true,
                    screen: false
                }
            }
        );
        assert_eq!(
            serde_json::to_string(&ServerSignal::Waiting).unwrap(),
            r#"{"type":"waiting"}"#
        );
    }

    #[test]
    fn signals_are_tagged_json() {
        let text = serde_json::to_string(&ClientSignal::Offer { sdp: "v=0".into() }).unwrap();
        assert_eq!(text, r#"{"type":"offer","sdp":"v=0"}"#);
        let back: ServerSignal =
            serde_json::from_str(r#"{"type":"peers","peers":[{"id":1,"name":"A","role":"B"}]}"#)
                .unwrap();
        assert_eq!(
            back,
            ServerSignal::Peers {
                peers: vec![RoomPeer {
                    id: 1,
                    name: "A".into(),
                    role: "B".into(),
                    guest: false,
                    media: MediaStatus::default(),
                }]
            }
        );
    }

    #[test]
    fn a_tile_gets_the_layer_its_size_needs_and_the_speaker_the_full_one() {
        assert_eq!(layer_for_tile(200.0, false, false), Layer::Low);
        assert_eq!(layer_for_tile(360.0, false, false), Layer::Low);
        assert_eq!(layer_for_tile(480.0, false, false), Layer::Medium);
        assert_eq!(layer_for_tile(1000.0, false, false), Layer::High);
        assert_eq!(layer_for_tile(200.0, true, false), Layer::High);
        assert_eq!(layer_for_tile(200.0, false, true), Layer::High);
    }

    #[test]
    fn layers_read_every_usual_rid_and_step_within_bounds() {
        for layer in Layer::ALL {
            assert_eq!(Layer::from_rid(layer.rid()), Some(layer));
        }
        assert_eq!(Layer::from_rid("low"), Some(Layer::Low));
        assert_eq!(Layer::from_rid("m"), Some(Layer::Medium));
        assert_eq!(Layer::from_rid("x"), None);
        assert_eq!(Layer::Low.lower(), Layer::Low);
        assert_eq!(Layer::High.higher(), Layer::High);
        assert_eq!(Layer::Medium.lower(), Layer::Low);
        assert_eq!(Layer::Medium.higher(), Layer::High);
        let wish = ClientSignal::Layers {
            wishes: vec![LayerWish {
                participant: 3,
                layer: Layer::Low,
            }],
        };
        assert_eq!(
            serde_json::to_string(&wish).unwrap(),
            r#"{"type":"layers","wishes":[{"participant":3,"layer":"low"}]}"#
        );
    }
}
