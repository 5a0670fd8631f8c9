//! E-mails announcing meeting changes, queued in the outbox in the same transaction as the change.

use sqlx::{Sqlite, Transaction};

use super::db::meetings::MeetingRow;
use super::db::outbox::{enqueue, NewMail};
use crate::domain::time::format_slot_fr;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Invited.
    Invitation,
    /// Details changed.
    Update,
    /// Cancelled.
    Cancellation,
    /// Tomorrow.
    Reminder,
}

/// Whether the calendar attachment covers one event/occurrence or the whole series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One meeting or occurrence.
    Meeting,
    /// The series the meeting belongs to.
    Series,
}

/// A person to tell.
#[derive(Clone, Debug)]
pub struct Recipient {
    /// Address.
    pub email: String,
    /// Name.
    pub name: String,
}

/// Queues one e-mail per recipient about `meeting`.
pub async fn queue(
    tx: &mut Transaction<'_, Sqlite>,
    base_url: &str,
    meeting: &MeetingRow,
    scope: Scope,
    notice: Notice,
    recipients: &[Recipient],
    dedup_prefix: Option<&str>,
) -> sqlx::Result<()> {
    let when = format_slot_fr(meeting.local_start(), meeting.duration_minutes as u32);
    let series_note = if scope == Scope::Series {
        " (série)"
    } else {
        ""
    };
    let (subject, intro, method) = match notice {
        Notice::Invitation => (
            format!("Invitation : {}{} — {}", meeting.title, series_note, when),
            "Vous êtes invité·e à la réunion suivante",
            "REQUEST",
        ),
        Notice::Update => (
            format!(
                "Réunion modifiée : {}{} — {}",
                meeting.title, series_note, when
            ),
            "La réunion suivante a été modifiée",
            "REQUEST",
        ),
        Notice::Cancellation => (
            format!(
                "Réunion annulée : {}{} — {}",
                meeting.title, series_note, when
            ),
            "La réunion suivante est annulée",
            "CANCEL",
        ),
        Notice::Reminder => (
            format!("Rappel : {} — {}", meeting.title, when),
            "Rappel : la réunion suivante a lieu dans moins de 24 heures",
            "REQUEST",
        ),
    };
    let place = match &meeting.address {
        Some(address) => format!("{} — {}", meeting.mode().label_fr(), address),
        None => meeting.mode().label_fr().to_string(),
    };
    for recipient in recipients {
        let body_text = format!(
            "Bonjour {name},\n\n{intro}{series} :\n\n{kind} — {title}\n{when} (heure de Paris)\n{place}\n\n\
             Détails et réponse : {base_url}/reunions/{id}\n\n\
             Le fichier joint met à jour votre agenda (Thunderbird, Outlook, Google Agenda…).\n\n\
             — Concerto\n",
            name = recipient.name,
            series = if scope == Scope::Series { ", ainsi que toutes ses séances" } else { "" },
            kind = meeting.kind().label_fr(),
            title = meeting.title,
            id = meeting.id,
        );
        let mail = NewMail {
            recipient: recipient.email.clone(),
            subject: subject.clone(),
            body_text,
            ics_meeting_id: Some(meeting.id),
            ics_scope: Some(
                if scope == Scope::Series {
                    "series"
                } else {
                    "meeting"
                }
                .to_string(),
            ),
            ics_method: Some(method.to_string()),
            dedup_key: dedup_prefix.map(|prefix| format!("{prefix}:{}", recipient.email)),
        };
        enqueue(tx, &mail).await?;
    }
    Ok(())
}
