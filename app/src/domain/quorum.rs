//! Quorum of a staff or an RCP (SPEC §3): who must be present before the meeting's conclusion
//! counts as a decision.
//!
//! A [`QuorumRule`] is set per meeting kind, with defaults from [`QuorumRule::default_for`] that an
//! organisation may override (rules are serde types, stored per organisation). [`verdict`] checks
//! the attendees against a rule and says, in French, what is missing; [`decision_kind`] turns the
//! verdict into how an RCP's conclusion is recorded: without quorum it is an "avis sans quorum",
//! never a "décision de RCP".
//!
//! Who counts:
//! - only attendees marked present;
//! - only clinicians: a member present as *coordinator* runs the meeting but gives no clinical
//!   opinion, so counts neither towards the number present nor as a discipline (a coordinator who
//!   is also a clinician in that organisation holds the clinician's role there, since a person has
//!   one role per organisation);
//! - disciplines are counted once each: two GPs are one discipline, and every "other"
//!   professional (social worker, occupational therapist…) together is one discipline, the
//!   conservative reading.

use serde::{Deserialize, Serialize};

use super::meeting::MeetingKind;
use super::role::Role;

/// A clinical discipline, for counting a quorum: a [`Role`] other than coordinator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discipline {
    /// Médecine générale.
    GeneralPractice,
    /// Psychiatrie.
    Psychiatry,
    /// Soins infirmiers.
    Nursing,
    /// Psychologie.
    Psychology,
    /// Other professions (social work…), counted together as one discipline.
    Other,
}

impl Discipline {
    /// Every discipline, in the order the UI lists them.
    pub const ALL: [Discipline; 5] = [
        Discipline::GeneralPractice,
        Discipline::Psychiatry,
        Discipline::Nursing,
        Discipline::Psychology,
        Discipline::Other,
    ];

    /// The discipline a role brings to a meeting; `None` for coordinators, who do not count.
    pub fn of(role: Role) -> Option<Discipline> {
        match role {
            Role::Coordinator => None,
            Role::GeneralPractitioner => Some(Discipline::GeneralPractice),
            Role::Psychiatrist => Some(Discipline::Psychiatry),
            Role::Nurse => Some(Discipline::Nursing),
            Role::Psychologist => Some(Discipline::Psychology),
            Role::Other => Some(Discipline::Other),
        }
    }

    /// Stable code (the same as the matching [`Role::code`]).
    pub fn code(self) -> &'static str {
        match self {
            Discipline::GeneralPractice => "gp",
            Discipline::Psychiatry => "psychiatrist",
            Discipline::Nursing => "nurse",
            Discipline::Psychology => "psychologist",
            Discipline::Other => "other",
        }
    }

    /// Parses a code produced by [`Discipline::code`].
    pub fn from_code(code: &str) -> Option<Discipline> {
        Discipline::ALL
            .into_iter()
            .find(|discipline| discipline.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Discipline::GeneralPractice => "Médecine générale",
            Discipline::Psychiatry => "Psychiatrie",
            Discipline::Nursing => "Soins infirmiers",
            Discipline::Psychology => "Psychologie",
            Discipline::Other => "Autre profession",
        }
    }
}

/// What a meeting needs before its conclusion counts as a decision. All zero/false means no
/// quorum: [`QuorumRule::NONE`], always met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuorumRule {
    /// Least number of clinicians present (coordinators excluded).
    pub min_present: u32,
    /// Least number of distinct [`Discipline`]s among them.
    pub min_disciplines: u32,
    /// Whether a psychiatrist must be among them.
    pub psychiatrist_required: bool,
}

/// Why an organisation's quorum rule is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuorumRuleError {
    /// More disciplines asked for than exist.
    #[error("Le quorum ne peut pas exiger plus de 5 disciplines différentes.")]
    TooManyDisciplines,
    /// More disciplines than people: the rule could never be met.
    #[error("Le nombre de disciplines exigé ne peut pas dépasser le nombre de présent·es exigé.")]
    MoreDisciplinesThanPresent,
}

impl QuorumRule {
    /// No quorum: any attendance will do.
    pub const NONE: QuorumRule = QuorumRule {
        min_present: 0,
        min_disciplines: 0,
        psychiatrist_required: false,
    };

    /// The default rule for a meeting kind, before any organisation setting:
    /// - RCP: at least 3 present from at least 2 disciplines, including a psychiatrist (SPEC §3);
    /// - staff: at least 2 present including a psychiatrist. A staff gives specialist advice on
    ///   cases presented by GPs and nurses, so it needs a psychiatrist and someone presenting; it
    ///   is a discussion, not a multidisciplinary decision, so no discipline count beyond that;
    /// - other kinds (joint consultation, thematic evening, committee): no quorum.
    pub fn default_for(kind: MeetingKind) -> QuorumRule {
        match kind {
            MeetingKind::Rcp => QuorumRule {
                min_present: 3,
                min_disciplines: 2,
                psychiatrist_required: true,
            },
            MeetingKind::Staff => QuorumRule {
                min_present: 2,
                min_disciplines: 1,
                psychiatrist_required: true,
            },
            MeetingKind::JointConsultation
            | MeetingKind::ThematicEvening
            | MeetingKind::Committee => QuorumRule::NONE,
        }
    }

    /// Whether the rule asks for anything at all.
    pub fn is_none(&self) -> bool {
        self.min_present == 0 && self.min_disciplines == 0 && !self.psychiatrist_required
    }

    /// Checks a rule an organisation sets: it must be possible to meet.
    pub fn check(&self) -> Result<(), QuorumRuleError> {
        if self.min_disciplines > Discipline::ALL.len() as u32 {
            Err(QuorumRuleError::TooManyDisciplines)
        } else if self.min_disciplines > self.min_present {
            Err(QuorumRuleError::MoreDisciplinesThanPresent)
        } else {
            Ok(())
        }
    }

    /// French summary: "au moins 3 présent·es, 2 disciplines, dont un·e psychiatre".
    pub fn describe_fr(&self) -> String {
        if self.is_none() {
            return "Pas de quorum".to_string();
        }
        let mut parts = Vec::new();
        if self.min_present > 0 {
            parts.push(format!("au moins {} présent·es", self.min_present));
        }
        if self.min_disciplines > 1 {
            parts.push(format!("{} disciplines", self.min_disciplines));
        }
        if self.psychiatrist_required {
            parts.push("dont un·e psychiatre".to_string());
        }
        let text = parts.join(", ");
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }
}

/// One invitee of a meeting, as the coordinator ticks attendance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attendee {
    /// The invitee's role in the meeting's organisation.
    pub role: Role,
    /// Whether they were there.
    pub present: bool,
}

/// The outcome of checking attendance against a [`QuorumRule`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumVerdict {
    /// Whether the quorum is met.
    pub met: bool,
    /// Number of clinicians present (coordinators and absent invitees excluded).
    pub present: u32,
    /// Disciplines represented among them, each once, in [`Discipline::ALL`] order.
    pub disciplines: Vec<Discipline>,
    /// What is missing, one French sentence per unmet requirement; empty when met.
    pub missing: Vec<String>,
}

/// Checks `attendees` against `rule`.
pub fn verdict(rule: &QuorumRule, attendees: &[Attendee]) -> QuorumVerdict {
    let counted: Vec<Discipline> = attendees
        .iter()
        .filter(|attendee| attendee.present)
        .filter_map(|attendee| Discipline::of(attendee.role))
        .collect();
    let present = counted.len() as u32;
    let disciplines: Vec<Discipline> = Discipline::ALL
        .into_iter()
        .filter(|discipline| counted.contains(discipline))
        .collect();

    let mut missing = Vec::new();
    if present < rule.min_present {
        missing.push(format!(
            "Il faut au moins {} professionnel·les présent·es (hors coordination) : {}.",
            rule.min_present,
            match present {
                0 => "aucun·e n'est présent·e".to_string(),
                1 => "un·e seul·e est présent·e".to_string(),
                n => format!("{n} seulement sont présent·es"),
            }
        ));
    }
    if (disciplines.len() as u32) < rule.min_disciplines {
        let represented = if disciplines.is_empty() {
            "aucune représentée".to_string()
        } else {
            let labels: Vec<&str> = disciplines.iter().map(|d| d.label_fr()).collect();
            format!("représentée(s) : {}", labels.join(", "))
        };
        missing.push(if rule.min_disciplines == 1 {
            format!("Il faut au moins une discipline ({represented}).")
        } else {
            format!(
                "Il faut au moins {} disciplines différentes ({represented}).",
                rule.min_disciplines
            )
        });
    }
    if rule.psychiatrist_required && !disciplines.contains(&Discipline::Psychiatry) {
        missing.push("Il faut qu'un·e psychiatre soit présent·e.".to_string());
    }

    QuorumVerdict {
        met: missing.is_empty(),
        present,
        disciplines,
        missing,
    }
}

/// How a meeting's conclusion on a case is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// An RCP held with its quorum: the fiche RCP.
    RcpDecision,
    /// A meeting whose quorum was not met (an RCP's conclusion is then never an RCP decision).
    AdviceWithoutQuorum,
    /// A meeting that is not an RCP, with its quorum met or without one (a staff's avis).
    Advice,
}

impl DecisionKind {
    /// Every kind.
    pub const ALL: [DecisionKind; 3] = [
        DecisionKind::RcpDecision,
        DecisionKind::AdviceWithoutQuorum,
        DecisionKind::Advice,
    ];

    /// Stable code for the database.
    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::RcpDecision => "rcp_decision",
            DecisionKind::AdviceWithoutQuorum => "advice_without_quorum",
            DecisionKind::Advice => "advice",
        }
    }

    /// Parses a code produced by [`DecisionKind::code`].
    pub fn from_code(code: &str) -> Option<DecisionKind> {
        DecisionKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            DecisionKind::RcpDecision => "Décision de RCP",
            DecisionKind::AdviceWithoutQuorum => "Avis sans quorum",
            DecisionKind::Advice => "Avis",
        }
    }
}

/// How the conclusion of a meeting of `kind` with this `verdict` is recorded: a "décision de
/// RCP" only for an RCP whose quorum is met; an "avis sans quorum" whenever the quorum is not
/// met; otherwise an "avis".
pub fn decision_kind(kind: MeetingKind, verdict: &QuorumVerdict) -> DecisionKind {
    match (kind, verdict.met) {
        (_, false) => DecisionKind::AdviceWithoutQuorum,
        (MeetingKind::Rcp, true) => DecisionKind::RcpDecision,
        (_, true) => DecisionKind::Advice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here(role: Role) -> Attendee {
        Attendee {
            role,
            present: true,
        }
    }

    fn away(role: Role) -> Attendee {
        Attendee {
            role,
            present: false,
        }
    }

    fn rcp() -> QuorumRule {
        QuorumRule::default_for(MeetingKind::Rcp)
    }

    #[test]
    fn codes_round_trip() {
        for discipline in Discipline::ALL {
            assert_eq!(Discipline::from_code(discipline.code()), Some(discipline));
        }
        for kind in DecisionKind::ALL {
            assert_eq!(DecisionKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(Discipline::from_code("coordinator"), None);
    }

    #[test]
    fn every_role_but_coordinator_is_a_discipline() {
        for role in Role::ALL {
            match Discipline::of(role) {
                None => assert_eq!(role, Role::Coordinator),
                Some(discipline) => assert_eq!(discipline.code(), role.code()),
            }
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(
            rcp(),
            QuorumRule {
                min_present: 3,
                min_disciplines: 2,
                psychiatrist_required: true
            }
        );
        assert_eq!(
            QuorumRule::default_for(MeetingKind::Staff),
            QuorumRule {
                min_present: 2,
                min_disciplines: 1,
                psychiatrist_required: true
            }
        );
        for kind in [
            MeetingKind::JointConsultation,
            MeetingKind::ThematicEvening,
            MeetingKind::Committee,
        ] {
            assert!(QuorumRule::default_for(kind).is_none());
            assert!(verdict(&QuorumRule::default_for(kind), &[]).met);
        }
        for kind in MeetingKind::ALL {
            assert_eq!(QuorumRule::default_for(kind).check(), Ok(()));
        }
        assert_eq!(
            rcp().describe_fr(),
            "Au moins 3 présent·es, 2 disciplines, dont un·e psychiatre"
        );
        assert_eq!(QuorumRule::NONE.describe_fr(), "Pas de quorum");
    }

    #[test]
    fn rcp_met_with_three_from_two_disciplines_including_a_psychiatrist() {
        let attendees = [
            here(Role::Psychiatrist),
            here(Role::GeneralPractitioner),
            here(Role::GeneralPractitioner),
        ];
        let result = verdict(&rcp(), &attendees);
        assert!(result.met, "{:?}", result.missing);
        assert_eq!(result.present, 3);
        assert_eq!(
            result.disciplines,
            vec![Discipline::GeneralPractice, Discipline::Psychiatry]
        );
        assert!(result.missing.is_empty());
        assert_eq!(
            decision_kind(MeetingKind::Rcp, &result),
            DecisionKind::RcpDecision
        );
    }

    #[test]
    fn two_present_is_not_enough_for_an_rcp() {
        let result = verdict(
            &rcp(),
            &[here(Role::Psychiatrist), here(Role::GeneralPractitioner)],
        );
        assert!(!result.met);
        assert_eq!(result.present, 2);
        assert_eq!(
            result.missing,
            vec![
                "Il faut au moins 3 professionnel·les présent·es (hors coordination) : 2 seulement sont présent·es."
                    .to_string()
            ]
        );
        assert_eq!(
            decision_kind(MeetingKind::Rcp, &result),
            DecisionKind::AdviceWithoutQuorum
        );
        assert_eq!(
            decision_kind(MeetingKind::Rcp, &result).label_fr(),
            "Avis sans quorum"
        );
    }

    #[test]
    fn one_discipline_is_not_enough_for_an_rcp() {
        let result = verdict(
            &rcp(),
            &[
                here(Role::Psychiatrist),
                here(Role::Psychiatrist),
                here(Role::Psychiatrist),
            ],
        );
        assert!(!result.met);
        assert_eq!(result.disciplines, vec![Discipline::Psychiatry]);
        assert_eq!(
            result.missing,
            vec![
                "Il faut au moins 2 disciplines différentes (représentée(s) : Psychiatrie)."
                    .to_string()
            ]
        );
    }

    #[test]
    fn no_psychiatrist_no_rcp() {
        let result = verdict(
            &rcp(),
            &[
                here(Role::GeneralPractitioner),
                here(Role::Nurse),
                here(Role::Psychologist),
            ],
        );
        assert!(!result.met);
        assert_eq!(result.present, 3);
        assert_eq!(result.disciplines.len(), 3);
        assert_eq!(
            result.missing,
            vec!["Il faut qu'un·e psychiatre soit présent·e.".to_string()]
        );
        assert_eq!(
            decision_kind(MeetingKind::Rcp, &result),
            DecisionKind::AdviceWithoutQuorum
        );
    }

    #[test]
    fn coordinators_do_not_count() {
        let result = verdict(
            &rcp(),
            &[
                here(Role::Psychiatrist),
                here(Role::GeneralPractitioner),
                here(Role::Coordinator),
                here(Role::Coordinator),
            ],
        );
        assert!(!result.met);
        assert_eq!(result.present, 2);
        assert_eq!(
            result.disciplines,
            vec![Discipline::GeneralPractice, Discipline::Psychiatry]
        );
    }

    #[test]
    fn absent_attendees_do_not_count() {
        let result = verdict(
            &rcp(),
            &[
                here(Role::Psychiatrist),
                here(Role::Psychiatrist),
                away(Role::GeneralPractitioner),
                away(Role::Nurse),
            ],
        );
        assert!(!result.met);
        assert_eq!(result.present, 2);
        assert_eq!(result.disciplines, vec![Discipline::Psychiatry]);
        assert_eq!(result.missing.len(), 2);

        let nobody = verdict(&rcp(), &[away(Role::Psychiatrist)]);
        assert_eq!(nobody.present, 0);
        assert_eq!(
            nobody.missing,
            vec![
                "Il faut au moins 3 professionnel·les présent·es (hors coordination) : aucun·e n'est présent·e."
                    .to_string(),
                "Il faut au moins 2 disciplines différentes (aucune représentée).".to_string(),
                "Il faut qu'un·e psychiatre soit présent·e.".to_string(),
            ]
        );
    }

    #[test]
    fn staff_default() {
        let staff = QuorumRule::default_for(MeetingKind::Staff);
        let met = verdict(
            &staff,
            &[here(Role::Psychiatrist), here(Role::GeneralPractitioner)],
        );
        assert!(met.met);
        assert_eq!(
            decision_kind(MeetingKind::Staff, &met),
            DecisionKind::Advice
        );

        let alone = verdict(&staff, &[here(Role::Psychiatrist), here(Role::Coordinator)]);
        assert!(!alone.met);
        assert_eq!(
            decision_kind(MeetingKind::Staff, &alone),
            DecisionKind::AdviceWithoutQuorum
        );

        let no_psychiatrist = verdict(
            &staff,
            &[here(Role::Nurse), here(Role::GeneralPractitioner)],
        );
        assert!(!no_psychiatrist.met);
    }

    #[test]
    fn only_an_rcp_makes_an_rcp_decision() {
        let met = verdict(&QuorumRule::NONE, &[]);
        for kind in MeetingKind::ALL {
            let expected = if kind == MeetingKind::Rcp {
                DecisionKind::RcpDecision
            } else {
                DecisionKind::Advice
            };
            assert_eq!(decision_kind(kind, &met), expected);
        }
        assert_eq!(DecisionKind::RcpDecision.label_fr(), "Décision de RCP");
    }

    #[test]
    fn organisation_rules_are_checked_and_serialisable() {
        let custom = QuorumRule {
            min_present: 4,
            min_disciplines: 3,
            psychiatrist_required: true,
        };
        assert_eq!(custom.check(), Ok(()));
        let json = serde_json::to_string(&custom).unwrap();
        assert_eq!(
            json,
            r#"{"min_present":4,"min_disciplines":3,"psychiatrist_required":true}"#
        );
        assert_eq!(serde_json::from_str::<QuorumRule>(&json).unwrap(), custom);

        assert_eq!(
            QuorumRule {
                min_present: 6,
                min_disciplines: 6,
                psychiatrist_required: false
            }
            .check(),
            Err(QuorumRuleError::TooManyDisciplines)
        );
        assert_eq!(
            QuorumRule {
                min_present: 2,
                min_disciplines: 3,
                psychiatrist_required: false
            }
            .check(),
            Err(QuorumRuleError::MoreDisciplinesThanPresent)
        );

        let stricter = verdict(
            &custom,
            &[
                here(Role::Psychiatrist),
                here(Role::GeneralPractitioner),
                here(Role::GeneralPractitioner),
                here(Role::GeneralPractitioner),
            ],
        );
        assert!(!stricter.met);
    }
}
