//! Video rooms: an SFU inside the server (webrtc-rs). Each participant keeps one peer connection
//! to the server, publishes their camera and microphone, and receives everyone else's tracks.
//! Signaling goes over a WebSocket on the same server (`GET /meetings/{id}/video`), open to
//! whoever may follow the meeting's session (invited, presenting a case, or coordinating), while
//! the room is open: from 15 minutes before the start to 1 hour after the end by default.
//!
//! - `peer`: building one connection (also used by test bots);
//! - `room`: participants, published tracks and forwarding;
//! - `layers`: simulcast: which camera layer each subscriber gets, switching between layers;
//! - `signal`: the WebSocket handlers (members, and guests through the lobby);
//! - `guests`: opening a one-time guest link;
//! - `bot`, `bench`, `janus`: programmed participants, `concerto sfu-bench`, and the same bots
//!   against Janus for comparison.

pub mod bench;
pub mod bot;
pub mod guests;
pub mod janus;
pub mod layers;
pub mod peer;
pub mod room;
pub mod signal;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use app::domain::video::RoomHours;

use room::Room;

/// Where media goes on the network.
#[derive(Clone, Copy, Debug)]
pub struct MediaNet {
    /// The address media binds to (and announces, unless `public_ip` is set).
    pub ip: IpAddr,
    /// The UDP ports connections may bind (inclusive); any free port when none.
    pub ports: Option<(u16, u16)>,
    /// The address announced instead of `ip` (1:1 NAT).
    pub public_ip: Option<IpAddr>,
}

impl MediaNet {
    /// Any port on `ip`, announced as it is.
    pub fn on(ip: IpAddr) -> MediaNet {
        MediaNet {
            ip,
            ports: None,
            public_ip: None,
        }
    }
}

/// The SFU: one room per meeting with someone in it.
pub struct Sfu {
    /// Where media goes.
    pub net: MediaNet,
    /// The next port of the range to try.
    next_port: AtomicU32,
    /// When rooms are open.
    pub hours: RoomHours,
    rooms: Mutex<HashMap<i64, Arc<Room>>>,
    next_participant: AtomicU64,
}

impl Sfu {
    /// An SFU whose connections bind UDP ports as `net` says.
    pub fn new(net: MediaNet, hours: RoomHours) -> Arc<Sfu> {
        Arc::new(Sfu {
            net,
            next_port: AtomicU32::new(0),
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

    /// A new connection, on the next free port of the range when there is one.
    pub async fn new_peer(&self) -> anyhow::Result<(peer::Peer, peer::PeerEvents)> {
        let Some((low, high)) = self.net.ports else {
            return peer::new_peer(self.net, 0).await;
        };
        let size = u32::from(high - low) + 1;
        let mut last = None;
        for _ in 0..size {
            let offset = self.next_port.fetch_add(1, Ordering::Relaxed) % size;
            let port = low + offset as u16;
            match peer::new_peer(self.net, port).await {
                Ok(made) => return Ok(made),
                // In use by another participant: try the next one.
                Err(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("no media port left")))
            .map_err(|error| error.context(format!("every media port {low}-{high} is in use")))
    }

    /// A new participant id (unique in this process).
    pub fn participant_id(&self) -> u64 {
        self.next_participant.fetch_add(1, Ordering::Relaxed)
    }
}
