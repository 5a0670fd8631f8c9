//! Calendar objects: the RFC 5545 writer ([`ics`]) and the calendars built from the database
//! ([`build`]). They live in the app crate because an e-mail's `.ics` is rendered when the
//! e-mail is queued, inside the transaction of the change it announces; the HTTP feeds are in
//! the server crate (`server/src/calendar`).

pub mod build;
pub mod ics;
