//! Calendar output over HTTP ([`feeds`]). The writer and the builders live in the app crate
//! (`app::backend::calendar`), re-exported here, because e-mails render their `.ics` when they
//! are queued.

pub use app::backend::calendar::{build, ics};

pub mod feeds;
