//! Invitation answers (RSVP) and the transitions allowed between them.

use serde::{Deserialize, Serialize};

/// An invitee's answer to a meeting invitation, as in iCalendar PARTSTAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rsvp {
    /// Not answered yet (NEEDS-ACTION).
    NeedsAction,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
    /// Maybe.
    Tentative,
}

/// Why an answer cannot be recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RsvpError {
    /// "needs_action" is the initial state, never an answer.
    #[error("Veuillez choisir une réponse : accepter, décliner ou peut-être.")]
    NotAnAnswer,
    /// The meeting was cancelled.
    #[error("Cette réunion est annulée : il n'est plus possible d'y répondre.")]
    MeetingCancelled,
    /// The meeting is over.
    #[error("Cette réunion est passée : il n'est plus possible d'y répondre.")]
    MeetingPast,
}

impl Rsvp {
    /// Every state, for select boxes and tests.
    pub const ALL: [Rsvp; 4] = [
        Rsvp::NeedsAction,
        Rsvp::Accepted,
        Rsvp::Declined,
        Rsvp::Tentative,
    ];

    /// Stable code used in the database and in forms.
    pub fn code(self) -> &'static str {
        match self {
            Rsvp::NeedsAction => "needs_action",
            Rsvp::Accepted => "accepted",
            Rsvp::Declined => "declined",
            Rsvp::Tentative => "tentative",
        }
    }

    /// Parses a code produced by [`Rsvp::code`].
    pub fn from_code(code: &str) -> Option<Rsvp> {
        Rsvp::ALL.into_iter().find(|answer| answer.code() == code)
    }

    /// French label shown next to an invitee.
    pub fn label_fr(self) -> &'static str {
        match self {
            Rsvp::NeedsAction => "Pas encore répondu",
            Rsvp::Accepted => "Accepte",
            Rsvp::Declined => "Décline",
            Rsvp::Tentative => "Peut-être",
        }
    }

    /// The iCalendar PARTSTAT value.
    pub fn partstat(self) -> &'static str {
        match self {
            Rsvp::NeedsAction => "NEEDS-ACTION",
            Rsvp::Accepted => "ACCEPTED",
            Rsvp::Declined => "DECLINED",
            Rsvp::Tentative => "TENTATIVE",
        }
    }

    /// Whether the day-before reminder goes to someone with this answer (accepted or silent).
    pub fn wants_reminder(self) -> bool {
        matches!(self, Rsvp::Accepted | Rsvp::NeedsAction | Rsvp::Tentative)
    }

    /// Checks a new answer from the invitee: any answer may replace any other (people change
    /// their minds) while the meeting is upcoming and not cancelled, but nobody can go back to
    /// "not answered".
    pub fn answer(
        self,
        new: Rsvp,
        meeting_cancelled: bool,
        meeting_past: bool,
    ) -> Result<Rsvp, RsvpError> {
        if new == Rsvp::NeedsAction {
            return Err(RsvpError::NotAnAnswer);
        }
        if meeting_cancelled {
            return Err(RsvpError::MeetingCancelled);
        }
        if meeting_past {
            return Err(RsvpError::MeetingPast);
        }
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_answer_may_replace_another() {
        for from in Rsvp::ALL {
            for to in [Rsvp::Accepted, Rsvp::Declined, Rsvp::Tentative] {
                assert_eq!(from.answer(to, false, false), Ok(to));
            }
        }
    }

    #[test]
    fn cannot_unanswer_nor_answer_cancelled_or_past() {
        assert_eq!(
            Rsvp::Accepted.answer(Rsvp::NeedsAction, false, false),
            Err(RsvpError::NotAnAnswer)
        );
        assert_eq!(
            Rsvp::NeedsAction.answer(Rsvp::Accepted, true, false),
            Err(RsvpError::MeetingCancelled)
        );
        assert_eq!(
            Rsvp::NeedsAction.answer(Rsvp::Accepted, false, true),
            Err(RsvpError::MeetingPast)
        );
    }

    #[test]
    fn reminders_skip_declined() {
        assert!(Rsvp::Accepted.wants_reminder());
        assert!(Rsvp::NeedsAction.wants_reminder());
        assert!(!Rsvp::Declined.wants_reminder());
    }

    #[test]
    fn codes_round_trip() {
        for answer in Rsvp::ALL {
            assert_eq!(Rsvp::from_code(answer.code()), Some(answer));
        }
    }
}
