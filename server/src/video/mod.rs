//! Video rooms: an SFU inside the server (webrtc-rs). Each participant keeps one peer connection
//! to the server, publishes their camera and microphone, and receives everyone else's tracks.
//! Signaling goes over a WebSocket on the same server (`GET /meetings/{id}/video`), open to
//! whoever may follow the meeting's session (invited, presenting a case, or coordinating), while
//! the room is open: from 15 minutes before the start to 1 hour after the end by default.
//!
//! - `peer`: building one connection (also used by test bots);
//! - `room`: participants, published tracks and forwarding;
//! - `signal`: the WebSocket handlers (members, and guests through the lobby);
//! - `guests`: opening a one-time guest link.

pub mod bench;
pub mod bot;
pub mod guests;
pub mod peer;
pub mod room;
pub mod signal;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use app::domain::video::RoomHours;

use room::Room;

/// The SFU: one room per meeting with someone in it.
pub struct Sfu {
    /// The address media binds to (and announces in its candidates).
    pub media_ip: IpAddr,
    /// When rooms are open.
    pub hours: RoomHours,
    rooms: Mutex<HashMap<i64, Arc<Room>>>,
    next_participant: AtomicU64,
}

impl Sfu {
    /// An SFU whose connections bind UDP ports on `media_ip`.
    pub fn new(media_ip: IpAddr, hours: RoomHours) -> Arc<Sfu> {
        Arc::new(Sfu {
            media_ip,
            hours,
            rooms: Mutex::new(HashMap::new()),
            next_participant: AtomicU64::new(1),
        })
    }

    /// The room of a meeting, created on first use.
    pub fn room(&self, meeting: i64) -> Arc<Room> {
        self.rooms
            .lock()
            .unwrap()
            .entry(meeting)
            .or_default()
            .clone()
    }

    /// Forgets a meeting's room once nobody is in it.
    pub fn vacate(&self, meeting: i64) {
        let mut rooms = self.rooms.lock().unwrap();
        if rooms.get(&meeting).is_some_and(|room| room.is_empty()) {
            rooms.remove(&meeting);
        }
    }

    /// A new participant id (unique in this process).
    pub fn participant_id(&self) -> u64 {
        self.next_participant.fetch_add(1, Ordering::Relaxed)
    }
}
