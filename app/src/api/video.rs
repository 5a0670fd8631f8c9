//! Video rooms: what the room page shows (is it open, who am I, the guest links), the one-time
//! guest links of joint consultations, and the guest's own page. The media and the signaling
//! are the server's (`server/src/video`).
//!
//! Who may do what: whoever may follow a meeting's session (invited, presenting a case, or
//! coordinating) may enter its room; on a joint consultation they may also create a guest link
//! for the patient. A guest holds no account: the browser that opened the link first holds a
//! secret (cookie `concerto_guest`) that lets it, and only it, wait in that meeting's lobby.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::ids::MeetingId;
use crate::domain::meeting::MeetingKind;
use crate::domain::video::IceServer;
use crate::error::AppError;

/// Name of the cookie a guest's browser holds.
pub const GUEST_COOKIE: &str = "concerto_guest";

/// A meeting's room as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    /// The meeting.
    pub meeting_id: MeetingId,
    /// Its kind.
    pub kind: MeetingKind,
    /// Its title.
    pub title: String,
    /// "mardi 3 mars 2026, 12 h 30 – 14 h 00".
    pub when: String,
    /// The room can be entered now.
    pub open: bool,
    /// Why not, or until when (French).
    pub notice: String,
    /// The meeting's description (HTML, sanitised), shown beside the video when there is no
    /// agenda.
    pub description_html: String,
    /// Staff or RCP: the live agenda goes beside the video.
    pub has_agenda: bool,
    /// The viewer's name, on their own tile.
    pub me: String,
    /// The viewer may create guest links (joint consultations).
    pub can_invite_guests: bool,
    /// The meeting's guest links.
    pub guests: Vec<GuestLinkView>,
    /// STUN/TURN servers for this browser.
    pub ice_servers: Vec<IceServer>,
}

/// A guest link as the room page lists it (never its token: it is shown once, when created).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestLinkView {
    /// Its id.
    pub id: i64,
    /// "Créé le 3 mars à 12 h 20 par Dr Martin".
    pub created: String,
    /// "Pas encore ouvert" / "Ouvert le … à …" / "Retiré".
    pub state: String,
    /// It may still be withdrawn.
    pub active: bool,
}

/// A new guest link: its address, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestLinkCreated {
    /// The address to send to the patient.
    pub url: String,
}

/// The guest's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestRoomView {
    /// The meeting's kind, in French.
    pub kind: String,
    /// "mardi 3 mars 2026, 12 h 30 – 14 h 00".
    pub when: String,
    /// The room can be entered now.
    pub open: bool,
    /// Why not, or until when (French).
    pub notice: String,
    /// STUN/TURN servers for this browser.
    pub ice_servers: Vec<IceServer>,
}

/// The room page of meeting `id`.
#[server(endpoint = "video/room", input = GetUrl)]
pub async fn get_room(id: MeetingId) -> Result<RoomView, AppError> {
    crate::backend::respond(ssr::room(id)).await
}

/// Creates a one-time guest link for meeting `id` (a joint consultation).
#[server(endpoint = "video/guests/create")]
pub async fn create_guest_link(
    csrf_token: String,
    id: MeetingId,
) -> Result<GuestLinkCreated, AppError> {
    // Checked by the CSRF middleware; a parameter so that scripts send it.
    let _ = csrf_token;
    crate::backend::respond(ssr::create_guest(id)).await
}

/// Withdraws guest link `guest` of meeting `id`.
#[server(endpoint = "video/guests/revoke")]
pub async fn revoke_guest_link(
    csrf_token: String,
    id: MeetingId,
    guest: i64,
) -> Result<(), AppError> {
    let _ = csrf_token;
    crate::backend::respond(async {
        ssr::revoke_guest(id, guest).await?;
        crate::backend::redirect_back("lien-retire", &format!("/reunions/{id}/salle"));
        Ok(())
    })
    .await
}

/// The guest's page (for the browser holding a claimed guest link).
#[server(endpoint = "video/guest", input = GetUrl)]
pub async fn get_guest_room() -> Result<GuestRoomView, AppError> {
    crate::backend::respond(ssr::guest_room()).await
}

/// Whether a room opening at `opens`, at `now`, can be entered, and what to tell about it.
#[cfg(feature = "ssr")]
pub fn room_notice(
    hours: crate::domain::video::RoomHours,
    cancelled: bool,
    start: chrono::DateTime<chrono::Utc>,
    duration_minutes: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> (bool, String) {
    use crate::domain::time::format_datetime_fr;
    use crate::domain::video::RoomState;
    let paris = |at: chrono::DateTime<chrono::Utc>| {
        format_datetime_fr(at.with_timezone(&chrono_tz::Europe::Paris).naive_local())
    };
    if cancelled {
        return (false, "Cette réunion est annulée.".to_string());
    }
    match hours.state(start, duration_minutes, now) {
        RoomState::NotYet(opens) => (
            false,
            format!("La salle ouvrira le {} (heure de Paris).", paris(opens)),
        ),
        RoomState::Open(closes) => (
            true,
            format!("La salle est ouverte jusqu'au {}.", paris(closes)),
        ),
        RoomState::Closed(_) => (false, "La salle de cette réunion est fermée.".to_string()),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::Utc;

    use super::*;
    use crate::api::session::Viewer;
    use crate::backend::db::meetings as meetings_store;
    use crate::backend::db::video as store;
    use crate::backend::db::Instant;
    use crate::backend::markdown;
    use crate::backend::security::{random_token, token_hash};
    use crate::backend::{member_of, state, AppState};
    use crate::domain::permissions::Action;
    use crate::domain::time::{format_datetime_fr, format_slot_fr};

    /// The meeting, checked: the viewer may follow its session. Others: not found.
    async fn load(
        state: &AppState,
        id: MeetingId,
    ) -> Result<(meetings_store::MeetingRow, Viewer), AppError> {
        let meeting = meetings_store::get(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (viewer, membership) = member_of(meeting.organisation_id, Action::ViewMeetings)?;
        if !crate::api::staff::may_watch(&state.db, &meeting, &viewer, &membership).await? {
            return Err(AppError::NotFound);
        }
        Ok((meeting, viewer))
    }

    fn paris(at: &Instant) -> String {
        format_datetime_fr(at.0.with_timezone(&chrono_tz::Europe::Paris).naive_local())
    }

    /// TURN credentials last until the room closes (at least an hour).
    fn ice_servers(
        state: &AppState,
        meeting: &meetings_store::MeetingRow,
        who: &str,
    ) -> Vec<IceServer> {
        let closes = state
            .settings
            .room_hours
            .closes(meeting.start_utc.0, meeting.duration_minutes);
        let valid_for = (closes - Utc::now()).max(chrono::Duration::hours(1));
        state.settings.ice.servers(who, Utc::now(), valid_for)
    }

    fn notice(state: &AppState, meeting: &meetings_store::MeetingRow) -> (bool, String) {
        room_notice(
            state.settings.room_hours,
            meeting.cancelled,
            meeting.start_utc.0,
            meeting.duration_minutes,
            Utc::now(),
        )
    }

    pub async fn room(id: MeetingId) -> Result<RoomView, AppError> {
        let state = state()?;
        let (meeting, viewer) = load(&state, id).await?;
        let (open, notice) = notice(&state, &meeting);
        let can_invite_guests = meeting.kind == MeetingKind::JointConsultation;
        let guests = if can_invite_guests {
            guest_views(&state, id).await?
        } else {
            Vec::new()
        };
        Ok(RoomView {
            meeting_id: id,
            kind: meeting.kind,
            title: meeting.title.clone(),
            when: format_slot_fr(meeting.local_start(), meeting.duration_minutes as u32),
            open,
            notice,
            description_html: markdown::render(&meeting.description_md),
            has_agenda: matches!(meeting.kind, MeetingKind::Staff | MeetingKind::Rcp),
            me: viewer.display_name.clone(),
            can_invite_guests,
            guests,
            ice_servers: ice_servers(&state, &meeting, &format!("u{}", viewer.user_id)),
        })
    }

    async fn guest_views(state: &AppState, id: MeetingId) -> Result<Vec<GuestLinkView>, AppError> {
        let mut views = Vec::new();
        for row in store::guests(&state.db, id).await? {
            let author = crate::backend::db::users::by_id(&state.db, row.created_by)
                .await?
                .map(|user| user.display_name)
                .unwrap_or_default();
            let state_fr = match (&row.revoked_at, &row.claimed_at) {
                (Some(at), _) => format!("Retiré le {}", paris(at)),
                (None, Some(at)) => format!("Ouvert le {}", paris(at)),
                (None, None) => "Pas encore ouvert".to_string(),
            };
            views.push(GuestLinkView {
                id: row.id,
                created: format!("Créé le {} par {author}", paris(&row.created_at)),
                state: state_fr,
                active: row.revoked_at.is_none(),
            });
        }
        Ok(views)
    }

    pub async fn create_guest(id: MeetingId) -> Result<GuestLinkCreated, AppError> {
        let state = state()?;
        let (meeting, viewer) = load(&state, id).await?;
        if meeting.kind != MeetingKind::JointConsultation {
            return Err(AppError::Conflict(
                "Les liens invités sont réservés aux consultations conjointes.".into(),
            ));
        }
        let closed = meeting.cancelled
            || matches!(
                state.settings.room_hours.state(
                    meeting.start_utc.0,
                    meeting.duration_minutes,
                    Utc::now()
                ),
                crate::domain::video::RoomState::Closed(_)
            );
        if closed {
            return Err(AppError::Conflict(
                "La salle de cette réunion est fermée ou la réunion est annulée : aucun lien ne peut être créé."
                    .into(),
            ));
        }
        let token = random_token();
        store::create_guest(&state.db, id, &token_hash(&token), viewer.user_id).await?;
        tracing::info!(meeting = %id, by = %viewer.user_id, "guest link created");
        Ok(GuestLinkCreated {
            url: format!("{}/invitation/{token}", state.settings.base_url),
        })
    }

    pub async fn revoke_guest(id: MeetingId, guest: i64) -> Result<(), AppError> {
        let state = state()?;
        load(&state, id).await?;
        if !store::revoke_guest(&state.db, id, guest).await? {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    pub async fn guest_room() -> Result<GuestRoomView, AppError> {
        let state = state()?;
        let secret = use_context::<http::request::Parts>()
            .and_then(|parts| crate::backend::cookie(&parts.headers, GUEST_COOKIE))
            .ok_or(AppError::NotFound)?;
        let guest = store::guest_by_claim(&state.db, &token_hash(&secret))
            .await?
            .filter(|g| g.revoked_at.is_none())
            .ok_or(AppError::NotFound)?;
        let meeting = meetings_store::get(&state.db, guest.meeting_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (open, notice) = notice(&state, &meeting);
        Ok(GuestRoomView {
            kind: meeting.kind.label_fr().to_string(),
            when: format_slot_fr(meeting.local_start(), meeting.duration_minutes as u32),
            open,
            notice,
            ice_servers: ice_servers(&state, &meeting, &format!("g{}", guest.id)),
        })
    }
}
