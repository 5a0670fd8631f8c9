//! Roles a member holds in an organisation (SPEC §2).

use serde::{Deserialize, Serialize};

/// The role of a person in one organisation (CPTS). A person may hold different roles in
/// different organisations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Coordinateur·rice CPTS: plans meetings, invites, validates time.
    Coordinator,
    /// Médecin généraliste.
    GeneralPractitioner,
    /// Psychiatre.
    Psychiatrist,
    /// Infirmier·e (IDE, IPA, care manager).
    Nurse,
    /// Psychologue.
    Psychologist,
    /// Travailleur social and other professionals.
    Other,
}

impl Role {
    /// Every role, in the order the UI lists them.
    pub const ALL: [Role; 6] = [
        Role::Coordinator,
        Role::GeneralPractitioner,
        Role::Psychiatrist,
        Role::Nurse,
        Role::Psychologist,
        Role::Other,
    ];

    /// Stable code used in the database, forms and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::GeneralPractitioner => "gp",
            Role::Psychiatrist => "psychiatrist",
            Role::Nurse => "nurse",
            Role::Psychologist => "psychologist",
            Role::Other => "other",
        }
    }

    /// Parses a code produced by [`Role::code`].
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    /// French label for one person.
    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Coordinator => "Coordination",
            Role::GeneralPractitioner => "Médecin généraliste",
            Role::Psychiatrist => "Psychiatre",
            Role::Nurse => "Infirmier·e",
            Role::Psychologist => "Psychologue",
            Role::Other => "Autre professionnel·le",
        }
    }

    /// French label for the whole group ("tous les psychiatres").
    pub fn plural_fr(self) -> &'static str {
        match self {
            Role::Coordinator => "toute l'équipe de coordination",
            Role::GeneralPractitioner => "tous les médecins généralistes",
            Role::Psychiatrist => "tous les psychiatres",
            Role::Nurse => "tous les infirmier·es",
            Role::Psychologist => "tous les psychologues",
            Role::Other => "tous les autres professionnel·les",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("chef"), None);
    }
}
