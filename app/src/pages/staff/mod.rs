//! Staff and RCP sessions: the agenda (`/reunions/:id/ordre-du-jour`), the session
//! (`/reunions/:id/seance`) and its records (`/reunions/:id/emargement`,
//! `/reunions/:id/fiche-rcp`).

mod agenda;
mod records;
pub(crate) mod session;

pub use agenda::MeetingAgendaPage;
pub use records::{RcpRecordsPage, SignInSheetPage};
pub use session::SessionPage;
