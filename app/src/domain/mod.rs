//! Pure domain types and rules shared by the server and the browser: no IO, no Leptos, no SQL.
//! Everything here compiles to wasm unchanged and is unit-tested beside the code.

pub mod agenda;
pub mod cases;
pub mod ids;
pub mod meeting;
pub mod permissions;
pub mod pii;
pub mod principal;
pub mod quorum;
pub mod recurrence;
pub mod role;
pub mod rsvp;
pub mod time;
pub mod video;
