//! Calendar output: the RFC 5545 writer ([`ics`]), the calendars built from the database
//! ([`build`]), and the HTTP feeds ([`feeds`]).

pub mod build;
pub mod feeds;
pub mod ics;
