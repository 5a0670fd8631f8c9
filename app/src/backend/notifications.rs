//! E-mails announcing meeting changes, queued in the outbox in the transaction of the change,
//! with their calendar attachment rendered then (so a message says what was true when it was
//! written, and its DTSTAMP is that moment).

use chrono::{NaiveDateTime, Utc};

use super::calendar::build::meeting_calendar;
pub use super::calendar::build::Scope;
use super::calendar::ics::{render, Method};
use super::db::meetings::MeetingRow;
use super::db::outbox::{enqueue, NewMail};
use crate::domain::time::{format_date_fr, format_slot_fr};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Invited.
    Invitation,
    /// Details changed.
    Update,
    /// Cancelled.
    Cancellation,
    /// A series now ends before this local start ("this and following" cancelled, or moved to a
    /// new series sent in a separate message when `replaced`).
    SeriesCut {
        /// The first occurrence the series no longer has.
        from: NaiveDateTime,
        /// Whether a new series replaces the rest (an edit) rather than nothing (a cancellation).
        replaced: bool,
    },
    /// An occurrence's old version, under a series' old UID, is withdrawn (CANCEL with its
    /// RECURRENCE-ID) because a new series now carries it.
    Superseded,
    /// Tomorrow: plain text and a link, no calendar attachment.
    Reminder,
}

impl Notice {
    /// The calendar attachment's method, if the notice carries one.
    fn method(self) -> Option<Method> {
        match self {
            Notice::Invitation | Notice::Update | Notice::SeriesCut { .. } => Some(Method::Request),
            Notice::Cancellation | Notice::Superseded => Some(Method::Cancel),
            Notice::Reminder => None,
        }
    }
}

/// A person to tell.
#[derive(Clone, Debug)]
pub struct Recipient {
    /// Address.
    pub email: String,
    /// Name.
    pub name: String,
}

/// Queues one e-mail per recipient about `meeting` (for scope `Series`, any occurrence of the
/// series), in the caller's transaction: the attachment is rendered from what the transaction
/// sees now.
pub async fn queue(
    tx: &mut crate::backend::db::Tx,
    base_url: &str,
    meeting: &MeetingRow,
    scope: Scope,
    notice: Notice,
    recipients: &[Recipient],
    dedup_prefix: Option<&str>,
) -> sqlx::Result<()> {
    if recipients.is_empty() {
        return Ok(());
    }
    let when = format_slot_fr(meeting.local_start(), meeting.duration_minutes as u32);
    let series_note = if scope == Scope::Series {
        " (série)"
    } else {
        ""
    };
    let (subject, intro) = match notice {
        Notice::Invitation => (
            format!("Invitation : {}{} — {}", meeting.title, series_note, when),
            "Vous êtes invité·e à la réunion suivante".to_string(),
        ),
        Notice::Update => (
            format!(
                "Réunion modifiée : {}{} — {}",
                meeting.title, series_note, when
            ),
            "La réunion suivante a été modifiée".to_string(),
        ),
        Notice::Cancellation => (
            format!(
                "Réunion annulée : {}{} — {}",
                meeting.title, series_note, when
            ),
            "La réunion suivante est annulée".to_string(),
        ),
        Notice::SeriesCut { from, replaced } => {
            let from = format_date_fr(from.date());
            if replaced {
                (
                    format!("Série modifiée à partir du {from} : {}", meeting.title),
                    format!(
                        "La série suivante est modifiée à partir du {from} ; les séances modifiées \
                         vous sont envoyées dans un message séparé. Voici la série jusqu'à cette date"
                    ),
                )
            } else {
                (
                    format!("Séances annulées à partir du {from} : {}", meeting.title),
                    format!(
                        "Les séances de la série suivante sont annulées à partir du {from} ; \
                         les séances précédentes sont maintenues"
                    ),
                )
            }
        }
        Notice::Superseded => (
            format!("Mise à jour de votre agenda : {} — {}", meeting.title, when),
            "L'ancienne version de la séance suivante est retirée de votre agenda ; sa nouvelle \
             version vous est envoyée avec la série modifiée"
                .to_string(),
        ),
        Notice::Reminder => (
            format!("Rappel : {} — {}", meeting.title, when),
            "Rappel : la réunion suivante a lieu dans moins de 24 heures".to_string(),
        ),
    };
    let ics = match notice.method() {
        Some(method) => {
            let calendar =
                meeting_calendar(&mut *tx, base_url, meeting, scope, method, Utc::now()).await?;
            let method_name = if method == Method::Cancel {
                "CANCEL"
            } else {
                "REQUEST"
            };
            Some((method_name.to_string(), render(&calendar)))
        }
        None => None,
    };
    let place = match &meeting.address {
        Some(address) => format!("{} — {}", meeting.mode().label_fr(), address),
        None => meeting.mode().label_fr().to_string(),
    };
    let (series, slot) = match (scope, notice) {
        (_, Notice::SeriesCut { .. }) => ("", String::new()),
        (Scope::Series, _) => (
            ", ainsi que toutes ses séances",
            format!("{when} (heure de Paris)\n"),
        ),
        (Scope::Meeting, _) => ("", format!("{when} (heure de Paris)\n")),
    };
    let calendar_note = if ics.is_some() {
        "Le fichier joint met à jour votre agenda (Thunderbird, Outlook, Google Agenda…).\n\n"
    } else {
        ""
    };
    for recipient in recipients {
        let body_text = format!(
            "Bonjour {name},\n\n{intro}{series} :\n\n{kind} — {title}\n{slot}{place}\n\n\
             Détails et réponse : {base_url}/reunions/{id}\n\n{calendar_note}— Concerto\n",
            name = recipient.name,
            kind = meeting.kind().label_fr(),
            title = meeting.title,
            id = meeting.id,
        );
        let mail = NewMail {
            recipient: recipient.email.clone(),
            subject: subject.clone(),
            body_text,
            organisation_id: Some(meeting.organisation_id),
            ics_meeting_id: Some(meeting.id),
            ics: ics.clone(),
            dedup_key: dedup_prefix.map(|prefix| format!("{prefix}:{}", recipient.email)),
        };
        enqueue(tx, &mail).await?;
    }
    Ok(())
}
