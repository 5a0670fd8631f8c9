//! The answer to a case (avis, SPEC §4): its content, when it may be signed, the télé-expertise
//! billing limit, and when a request is overdue. Amounts and limits that change with the medical
//! convention are settings passed in, never constants here.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};

/// Days within which a written request should be answered, unless the organisation sets another.
pub const DEFAULT_ANSWER_DAYS: i64 = 7;

/// An avis as typed by the psychiatrist: structured rubrics and a free Markdown body. All may be
/// blank while drafting; see [`may_sign`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdviceContent {
    /// Diagnostic opinion.
    pub diagnostic_opinion: String,
    /// Pharmacological advice.
    pub pharmacological_advice: String,
    /// Recommended actions for the GP.
    pub recommended_actions: String,
    /// Orientation (CMP, psychologist, hospital…).
    pub orientation: String,
    /// When and on what signs to re-discuss the patient.
    pub rediscuss: String,
    /// Free text, in Markdown.
    pub body_md: String,
}

/// Field names of [`AdviceContent`], in form order.
const ADVICE_FIELDS: [&str; 6] = [
    "diagnostic_opinion",
    "pharmacological_advice",
    "recommended_actions",
    "orientation",
    "rediscuss",
    "body_md",
];

/// French label of an [`AdviceContent`] field name, if it is one.
pub(super) fn advice_field_label_fr(field: &str) -> Option<&'static str> {
    Some(match field {
        "diagnostic_opinion" => "Avis diagnostique",
        "pharmacological_advice" => "Avis pharmacologique",
        "recommended_actions" => "Actions recommandées",
        "orientation" => "Orientation",
        "rediscuss" => "Quand en rediscuter",
        "body_md" => "Texte de l'avis",
        _ => return None,
    })
}

impl AdviceContent {
    /// Every field as (field name, text), in form order, for the identifier guard. All of an
    /// avis's fields are free text.
    pub fn free_text_fields(&self) -> Vec<(&'static str, &str)> {
        let texts = [
            &self.diagnostic_opinion,
            &self.pharmacological_advice,
            &self.recommended_actions,
            &self.orientation,
            &self.rediscuss,
            &self.body_md,
        ];
        ADVICE_FIELDS
            .into_iter()
            .zip(texts)
            .map(|(name, text)| (name, text.as_str()))
            .collect()
    }

    /// French label of one of this struct's field names ("Champ" if unknown).
    pub fn field_label_fr(field: &str) -> &'static str {
        advice_field_label_fr(field).unwrap_or("Champ")
    }

    /// Whether every field is blank.
    pub fn is_empty(&self) -> bool {
        self.free_text_fields()
            .iter()
            .all(|(_, text)| text.trim().is_empty())
    }
}

/// Why an avis cannot be signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AdviceError {
    /// Nothing written.
    #[error(
        "L'avis est vide : renseignez au moins une rubrique (avis diagnostique, avis \
         pharmacologique, actions recommandées, orientation, réévaluation) ou le texte libre."
    )]
    Empty,
}

/// Whether the avis may be signed and sent: something must be written, in a rubric or the body.
pub fn may_sign(content: &AdviceContent) -> Result<(), AdviceError> {
    if content.is_empty() {
        Err(AdviceError::Empty)
    } else {
        Ok(())
    }
}

/// The télé-expertise billing limit (SPEC §4): at most this many billable written avis a year per
/// patient (and answering doctor: the callers count that way, see [`tele_expertise_check`]).
/// A setting, since the convention may change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TeleExpertiseRule {
    /// Billable avis per calendar year.
    pub yearly_limit: u32,
}

impl Default for TeleExpertiseRule {
    /// Four a year, the rule in force in 2026.
    fn default() -> TeleExpertiseRule {
        TeleExpertiseRule { yearly_limit: 4 }
    }
}

/// Where a new avis stands against the télé-expertise limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeCheck {
    /// Billable, and more will be.
    Fine,
    /// Billable, but the last one this year.
    LastAllowed,
    /// Not billable as télé-expertise: the yearly limit is reached.
    OverLimit,
}

impl TeCheck {
    /// Every outcome.
    pub const ALL: [TeCheck; 3] = [TeCheck::Fine, TeCheck::LastAllowed, TeCheck::OverLimit];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            TeCheck::Fine => "fine",
            TeCheck::LastAllowed => "last_allowed",
            TeCheck::OverLimit => "over_limit",
        }
    }

    /// Parses a code produced by [`TeCheck::code`].
    pub fn from_code(code: &str) -> Option<TeCheck> {
        TeCheck::ALL.into_iter().find(|check| check.code() == code)
    }

    /// Short French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            TeCheck::Fine => "Facturable",
            TeCheck::LastAllowed => "Dernière facturable de l'année",
            TeCheck::OverLimit => "Non facturable (limite annuelle atteinte)",
        }
    }

    /// The warning to show the answering psychiatrist, if any, with the rule's limit in it.
    pub fn message_fr(self, rule: impl Borrow<TeleExpertiseRule>) -> Option<String> {
        let limit = rule.borrow().yearly_limit;
        match self {
            TeCheck::Fine => None,
            TeCheck::LastAllowed => Some(format!(
                "{} télé-expertise de l'année pour ce patient et ce médecin : c'est la dernière \
                 facturable.",
                ordinal_fr(limit)
            )),
            TeCheck::OverLimit => Some(format!(
                "Limite de {limit} télé-expertise{} par an atteinte pour ce patient et ce \
                 médecin : cet avis n'est pas facturable en télé-expertise.",
                if limit > 1 { "s" } else { "" }
            )),
        }
    }
}

/// French abbreviated ordinal: 1re, 2e, 3e…
fn ordinal_fr(number: u32) -> String {
    if number == 1 {
        "1re".to_string()
    } else {
        format!("{number}e")
    }
}

/// Where a new avis stands, given how many avis the same answering doctor already gave for the
/// same case code in the same calendar year (`answered_this_year`, not counting this one).
/// Below `limit - 1`: [`TeCheck::Fine`]; exactly `limit - 1` (this one is the limit-th):
/// [`TeCheck::LastAllowed`]; `limit` or more: [`TeCheck::OverLimit`]. The rule may be passed by
/// value or by reference.
pub fn tele_expertise_check(
    rule: impl Borrow<TeleExpertiseRule>,
    answered_this_year: u32,
) -> TeCheck {
    let limit = rule.borrow().yearly_limit;
    if answered_this_year >= limit {
        TeCheck::OverLimit
    } else if answered_this_year + 1 == limit {
        TeCheck::LastAllowed
    } else {
        TeCheck::Fine
    }
}

/// Whether a request waiting `days_waiting` full days is overdue against `limit_days`
/// ([`DEFAULT_ANSWER_DAYS`] unless the organisation sets another): answered on the last day is
/// on time, so overdue means strictly more days than the limit.
pub fn overdue(days_waiting: i64, limit_days: i64) -> bool {
    days_waiting > limit_days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_advice_cannot_be_signed() {
        assert!(AdviceContent::default().is_empty());
        assert_eq!(may_sign(&AdviceContent::default()), Err(AdviceError::Empty));
        let blank = AdviceContent {
            body_md: " \n\t".into(),
            orientation: "  ".into(),
            ..AdviceContent::default()
        };
        assert_eq!(may_sign(&blank), Err(AdviceError::Empty));
        assert!(AdviceError::Empty
            .to_string()
            .starts_with("L'avis est vide"));
    }

    #[test]
    fn any_one_field_is_enough() {
        for (index, field) in ADVICE_FIELDS.into_iter().enumerate() {
            let mut content = AdviceContent::default();
            let slot = [
                &mut content.diagnostic_opinion,
                &mut content.pharmacological_advice,
                &mut content.recommended_actions,
                &mut content.orientation,
                &mut content.rediscuss,
                &mut content.body_md,
            ];
            *slot.into_iter().nth(index).unwrap() = "Adresser au CMP.".into();
            assert_eq!(may_sign(&content), Ok(()), "{field}");
            let (name, text) = content
                .free_text_fields()
                .into_iter()
                .find(|(_, text)| !text.is_empty())
                .unwrap();
            assert_eq!(text, "Adresser au CMP.");
            assert_eq!(name, field);
            assert_ne!(AdviceContent::field_label_fr(name), "Champ");
        }
    }

    #[test]
    fn tele_expertise_limit_of_four() {
        let rule = TeleExpertiseRule::default();
        assert_eq!(rule.yearly_limit, 4);
        assert_eq!(tele_expertise_check(rule, 0), TeCheck::Fine);
        assert_eq!(tele_expertise_check(rule, 2), TeCheck::Fine);
        assert_eq!(tele_expertise_check(rule, 3), TeCheck::LastAllowed);
        assert_eq!(tele_expertise_check(rule, 4), TeCheck::OverLimit);
        // Callers holding a reference to the setting pass it as is.
        let by_reference: &TeleExpertiseRule = &rule;
        assert_eq!(tele_expertise_check(by_reference, 9), TeCheck::OverLimit);
        assert_eq!(
            TeCheck::LastAllowed.message_fr(rule).unwrap(),
            "4e télé-expertise de l'année pour ce patient et ce médecin : c'est la dernière \
             facturable."
        );
        assert!(TeCheck::OverLimit
            .message_fr(by_reference)
            .unwrap()
            .contains("pas facturable"));
        assert_eq!(TeCheck::Fine.message_fr(rule), None);
    }

    #[test]
    fn tele_expertise_limit_is_a_setting() {
        let one = TeleExpertiseRule { yearly_limit: 1 };
        assert_eq!(tele_expertise_check(one, 0), TeCheck::LastAllowed);
        assert_eq!(tele_expertise_check(one, 1), TeCheck::OverLimit);
        assert!(TeCheck::LastAllowed
            .message_fr(one)
            .unwrap()
            .starts_with("1re "));
        let none = TeleExpertiseRule { yearly_limit: 0 };
        assert_eq!(tele_expertise_check(none, 0), TeCheck::OverLimit);
        let six = TeleExpertiseRule { yearly_limit: 6 };
        assert_eq!(tele_expertise_check(six, 4), TeCheck::Fine);
        assert_eq!(tele_expertise_check(six, 5), TeCheck::LastAllowed);
    }

    #[test]
    fn overdue_is_strictly_past_the_limit() {
        assert!(!overdue(0, DEFAULT_ANSWER_DAYS));
        assert!(!overdue(7, DEFAULT_ANSWER_DAYS));
        assert!(overdue(8, DEFAULT_ANSWER_DAYS));
        assert!(overdue(3, 2));
    }

    #[test]
    fn codes_round_trip() {
        for check in TeCheck::ALL {
            assert_eq!(TeCheck::from_code(check.code()), Some(check));
        }
    }
}
