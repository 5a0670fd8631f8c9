//! Who may do what with a case, as a pure function of the caller's role in the case's organisation
//! and whether they wrote it. Server functions call [`may_case`] after loading the membership and
//! the case (an organisation never sees another's cases: that is checked before, by the query).
//!
//! The rules:
//! - GPs and nurses create cases (SPEC §4: a GP, or a nurse/IPA of the care team).
//! - The author, whatever their role, reads, edits (while a draft), submits and withdraws their
//!   case and answers the psychiatrist's questions on it; nobody else does any of that.
//! - Psychiatrists and coordinators read every case of the organisation; other roles read only
//!   their own.
//! - Psychiatrists take requests, ask questions, write and sign avis, on cases they did not write.
//! - Coordinators may write an avis on a psychiatrist's behalf (e.g. typing up what was said in a
//!   staff; the store records it as such) but never sign: only a psychiatrist signs an avis.
//! - Only coordinators see the audit log.

use crate::domain::role::Role;

/// An action on a case or its written advice request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseAction {
    /// Start a new case.
    Create,
    /// Read the case, its scales, questions and avis.
    ReadCase,
    /// Change the content of a draft.
    EditDraft,
    /// Send the case to the organisation.
    Submit,
    /// Withdraw the case.
    Withdraw,
    /// Take a pending written request ("je prends").
    TakeRequest,
    /// Ask the author a clarifying question.
    AskQuestion,
    /// Answer a clarifying question.
    AnswerQuestion,
    /// Write or edit an unsigned avis.
    WriteAdvice,
    /// Sign and send an avis.
    SignAdvice,
    /// See who read and changed the case.
    ViewAuditLog,
}

impl CaseAction {
    /// Every action.
    pub const ALL: [CaseAction; 11] = [
        CaseAction::Create,
        CaseAction::ReadCase,
        CaseAction::EditDraft,
        CaseAction::Submit,
        CaseAction::Withdraw,
        CaseAction::TakeRequest,
        CaseAction::AskQuestion,
        CaseAction::AnswerQuestion,
        CaseAction::WriteAdvice,
        CaseAction::SignAdvice,
        CaseAction::ViewAuditLog,
    ];
}

/// The caller's relation to the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    /// They wrote it.
    Author,
    /// Anybody else in the organisation.
    Other,
}

impl Relation {
    /// Both relations.
    pub const ALL: [Relation; 2] = [Relation::Author, Relation::Other];

    /// [`Relation::Author`] when `is_author`, else [`Relation::Other`].
    pub fn from_author(is_author: bool) -> Relation {
        if is_author {
            Relation::Author
        } else {
            Relation::Other
        }
    }
}

/// Whether a member with `role`, standing in `relation` to a case, may perform `action` on it.
/// For [`CaseAction::Create`] there is no case yet and the relation is ignored.
pub fn may_case(role: Role, relation: Relation, action: CaseAction) -> bool {
    let author = relation == Relation::Author;
    match action {
        CaseAction::Create => matches!(role, Role::GeneralPractitioner | Role::Nurse),
        CaseAction::ReadCase => author || matches!(role, Role::Psychiatrist | Role::Coordinator),
        CaseAction::EditDraft
        | CaseAction::Submit
        | CaseAction::Withdraw
        | CaseAction::AnswerQuestion => author,
        CaseAction::TakeRequest | CaseAction::AskQuestion | CaseAction::SignAdvice => {
            !author && role == Role::Psychiatrist
        }
        CaseAction::WriteAdvice => {
            !author && matches!(role, Role::Psychiatrist | Role::Coordinator)
        }
        CaseAction::ViewAuditLog => role == Role::Coordinator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (role, relation, action) with its verdict.
    fn every_decision() -> impl Iterator<Item = (Role, Relation, CaseAction, bool)> {
        Role::ALL.into_iter().flat_map(|role| {
            Relation::ALL.into_iter().flat_map(move |relation| {
                CaseAction::ALL
                    .into_iter()
                    .map(move |action| (role, relation, action, may_case(role, relation, action)))
            })
        })
    }

    #[test]
    fn covers_every_combination() {
        assert_eq!(every_decision().count(), 6 * 2 * 11);
    }

    #[test]
    fn only_the_author_edits_submits_withdraws_and_answers() {
        for (role, relation, action, allowed) in every_decision() {
            if matches!(
                action,
                CaseAction::EditDraft
                    | CaseAction::Submit
                    | CaseAction::Withdraw
                    | CaseAction::AnswerQuestion
            ) {
                assert_eq!(
                    allowed,
                    relation == Relation::Author,
                    "{role:?} {relation:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn authors_always_read_their_own_case() {
        for role in Role::ALL {
            assert!(
                may_case(role, Relation::Author, CaseAction::ReadCase),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_psychiatrists_sign_and_never_their_own_case() {
        for (role, relation, action, allowed) in every_decision() {
            if action == CaseAction::SignAdvice {
                assert_eq!(
                    allowed,
                    role == Role::Psychiatrist && relation == Relation::Other,
                    "{role:?} {relation:?}"
                );
            }
        }
    }

    #[test]
    fn nobody_answers_their_own_request() {
        for (role, relation, action, allowed) in every_decision() {
            let expert_action = matches!(
                action,
                CaseAction::TakeRequest
                    | CaseAction::AskQuestion
                    | CaseAction::WriteAdvice
                    | CaseAction::SignAdvice
            );
            if expert_action && relation == Relation::Author {
                assert!(!allowed, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn gps_nurses_and_others_see_only_their_own() {
        for (role, relation, action, allowed) in every_decision() {
            let case_bound = action != CaseAction::Create;
            let limited = !matches!(role, Role::Psychiatrist | Role::Coordinator);
            if limited && relation == Relation::Other && case_bound {
                assert!(!allowed, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn only_gps_and_nurses_create() {
        for (role, relation, action, allowed) in every_decision() {
            if action == CaseAction::Create {
                assert_eq!(
                    allowed,
                    matches!(role, Role::GeneralPractitioner | Role::Nurse),
                    "{role:?} {relation:?}"
                );
            }
        }
    }

    #[test]
    fn every_permission_on_a_case_implies_reading_it() {
        for (role, relation, action, allowed) in every_decision() {
            if allowed && action != CaseAction::Create {
                assert!(
                    may_case(role, relation, CaseAction::ReadCase),
                    "{role:?} {relation:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn signing_implies_writing_and_taking() {
        for (role, relation, action, allowed) in every_decision() {
            if action == CaseAction::SignAdvice && allowed {
                assert!(may_case(role, relation, CaseAction::WriteAdvice));
                assert!(may_case(role, relation, CaseAction::TakeRequest));
                assert!(may_case(role, relation, CaseAction::AskQuestion));
            }
        }
    }

    #[test]
    fn coordinators_write_on_behalf_but_do_not_sign_and_alone_see_the_log() {
        for (role, relation, action, allowed) in every_decision() {
            if role == Role::Coordinator && relation == Relation::Other {
                let expected = matches!(
                    action,
                    CaseAction::ReadCase | CaseAction::WriteAdvice | CaseAction::ViewAuditLog
                );
                assert_eq!(allowed, expected, "{action:?}");
            }
            if action == CaseAction::ViewAuditLog {
                assert_eq!(allowed, role == Role::Coordinator, "{role:?} {relation:?}");
            }
        }
    }

    #[test]
    fn relation_from_author_flag() {
        assert_eq!(Relation::from_author(true), Relation::Author);
        assert_eq!(Relation::from_author(false), Relation::Other);
    }
}
