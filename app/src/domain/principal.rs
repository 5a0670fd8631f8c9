//! The signed-in principal: who is asking, and in which organisations with which role. The
//! storage layer builds it from a session; server functions check permissions against it.

use serde::{Deserialize, Serialize};

use crate::domain::ids::{OrgId, UserId};
use crate::domain::role::Role;

/// A membership of one organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// Organisation id.
    pub organisation_id: OrgId,
    /// Organisation name.
    pub organisation_name: String,
    /// Role there.
    pub role: Role,
}

/// The signed-in person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// User id.
    pub user_id: UserId,
    /// Name shown.
    pub display_name: String,
    /// E-mail (sign-in).
    pub email: String,
    /// Administrator of the installation.
    pub is_admin: bool,
    /// The organisation they act for now.
    pub current: Option<Membership>,
    /// Every organisation they belong to.
    pub memberships: Vec<Membership>,
}

impl Viewer {
    /// Whether the viewer coordinates their current organisation.
    pub fn is_coordinator(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|m| m.role == Role::Coordinator)
    }
}
