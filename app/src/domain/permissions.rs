//! Who may do what, as pure functions of the role; server functions call these after loading the
//! caller's membership, so the rules are tested once here.

use super::role::Role;

/// An action on an organisation's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the organisation's meetings and their invitees.
    ViewMeetings,
    /// Create, edit or cancel meetings and series, and invite people to them.
    ManageMeetings,
    /// Answer one's own invitations.
    AnswerInvitation,
    /// Invite a new member into the organisation, see the member list.
    ManageMembers,
    /// See the member list (to pick invitees).
    ViewMembers,
}

/// Whether a member with `role` may perform `action` in their organisation.
pub fn may(role: Role, action: Action) -> bool {
    match action {
        Action::ViewMeetings | Action::AnswerInvitation | Action::ViewMembers => true,
        Action::ManageMeetings | Action::ManageMembers => role == Role::Coordinator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_coordinators_manage() {
        for role in Role::ALL {
            assert_eq!(
                may(role, Action::ManageMeetings),
                role == Role::Coordinator,
                "{role:?}"
            );
            assert_eq!(
                may(role, Action::ManageMembers),
                role == Role::Coordinator,
                "{role:?}"
            );
            assert!(may(role, Action::ViewMeetings));
            assert!(may(role, Action::AnswerInvitation));
        }
    }

    #[test]
    fn a_gp_cannot_create_meetings() {
        assert!(!may(Role::GeneralPractitioner, Action::ManageMeetings));
        assert!(!may(Role::Psychiatrist, Action::ManageMeetings));
    }
}
