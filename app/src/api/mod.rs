//! Server functions, one file per area. Each one checks who is asking and what they may see,
//! then calls the domain and the store; the bodies compile only on the server.

pub mod admin;
pub mod cases;
pub mod mail;
pub mod meetings;
pub mod members;
pub mod pii;
pub mod profile;
pub mod session;
pub mod staff;
pub mod video;
