//! The case form as posted (every value a string, so that a refused form comes back exactly as
//! typed) and its conversion to a [`CaseContent`] and scale answers; the identifier guard over
//! every free-text field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{score, CaseContent, QuestionType, Scale, ScaleResult};
use crate::domain::meeting::FieldError;
use crate::domain::pii::{
    identifier_messages_in, possible_identifier_messages_in, Territory, CONFIRM_POSSIBLE_MESSAGE,
};

/// The scales a case form offers, item by item (PHQ-2 is PHQ-9's first two items: it is scored
/// from them).
pub const FORM_SCALES: [Scale; 2] = [Scale::Phq9, Scale::Gad7];

/// One scale's answers, item by item (`None`: not answered yet).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleAnswers {
    /// Which scale.
    pub scale: Option<Scale>,
    /// One answer per item (0–3).
    pub answers: Vec<Option<u8>>,
}

impl ScaleAnswers {
    /// The score, when every item is answered.
    pub fn result(&self) -> Option<ScaleResult> {
        score(self.scale?, &self.answers).ok()
    }

    /// Whether no item is answered.
    pub fn is_blank(&self) -> bool {
        self.answers.iter().all(Option::is_none)
    }
}

/// The case form's fields (`case[...]`), as strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseDraft {
    /// The staff/RCP the case is for (a meeting id), or "" for a written advice request.
    pub meeting_id: String,
    /// "on" when checked, one per question type (codes of [`QuestionType`]).
    pub q_diagnostic: String,
    /// See `q_diagnostic`.
    pub q_pharmacological: String,
    /// See `q_diagnostic`.
    pub q_conduct: String,
    /// See `q_diagnostic`.
    pub q_orientation: String,
    /// Explicit question.
    pub question: String,
    /// Motif.
    pub reason: String,
    /// Symptoms and course.
    pub symptoms: String,
    /// Diagnostic hypotheses.
    pub hypotheses: String,
    /// History.
    pub history: String,
    /// Treatment.
    pub treatment: String,
    /// Expectations.
    pub expectations: String,
    /// Somatic follow-up.
    pub somatic_follow_up: String,
    /// "on" when the médecin traitant is known.
    pub treating_doctor_known: String,
    /// Age or band.
    pub age: String,
    /// Sex code.
    pub sex: String,
    /// Narrative (Markdown).
    pub narrative_md: String,
    /// Scale items: `phq9-1` … `phq9-9`, `gad7-1` … → "0".."3" (absent or "": not answered).
    pub items: BTreeMap<String, String>,
    /// "on" once the person confirmed that the *possible* identifiers are not identifiers.
    pub confirm_possible: String,
}

fn checked(value: &str) -> bool {
    !value.trim().is_empty()
}

fn check(on: bool) -> String {
    if on {
        "on".to_string()
    } else {
        String::new()
    }
}

/// The form field name of a scale item (1-based).
pub fn item_field(scale: Scale, item: usize) -> String {
    format!("{}-{item}", scale.code())
}

impl CaseDraft {
    /// The form's values from name/value pairs (the names without the `case[…]` wrapper), as
    /// the browser reads them from the form.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> CaseDraft {
        let mut draft = CaseDraft::default();
        for (name, value) in pairs {
            let value = value.to_string();
            match name {
                "meeting_id" => draft.meeting_id = value,
                "q_diagnostic" => draft.q_diagnostic = value,
                "q_pharmacological" => draft.q_pharmacological = value,
                "q_conduct" => draft.q_conduct = value,
                "q_orientation" => draft.q_orientation = value,
                "question" => draft.question = value,
                "reason" => draft.reason = value,
                "symptoms" => draft.symptoms = value,
                "hypotheses" => draft.hypotheses = value,
                "history" => draft.history = value,
                "treatment" => draft.treatment = value,
                "expectations" => draft.expectations = value,
                "somatic_follow_up" => draft.somatic_follow_up = value,
                "treating_doctor_known" => draft.treating_doctor_known = value,
                "age" => draft.age = value,
                "sex" => draft.sex = value,
                "narrative_md" => draft.narrative_md = value,
                "confirm_possible" => draft.confirm_possible = value,
                other => {
                    if let Some(item) = other
                        .strip_prefix("items[")
                        .and_then(|rest| rest.strip_suffix(']'))
                    {
                        draft.items.insert(item.to_string(), value);
                    }
                }
            }
        }
        draft
    }

    /// The question types ticked.
    pub fn question_types(&self) -> Vec<QuestionType> {
        [
            (QuestionType::Diagnostic, &self.q_diagnostic),
            (QuestionType::Pharmacological, &self.q_pharmacological),
            (QuestionType::Conduct, &self.q_conduct),
            (QuestionType::Orientation, &self.q_orientation),
        ]
        .into_iter()
        .filter(|(_, value)| checked(value))
        .map(|(kind, _)| kind)
        .collect()
    }

    /// The content, as typed.
    pub fn content(&self) -> CaseContent {
        CaseContent {
            question_types: self.question_types(),
            question: self.question.clone(),
            reason: self.reason.clone(),
            symptoms: self.symptoms.clone(),
            hypotheses: self.hypotheses.clone(),
            history: self.history.clone(),
            treatment: self.treatment.clone(),
            expectations: self.expectations.clone(),
            somatic_follow_up: self.somatic_follow_up.clone(),
            treating_doctor_known: checked(&self.treating_doctor_known),
            age: self.age.trim().to_string(),
            sex: self.sex.trim().to_string(),
            narrative_md: self.narrative_md.clone(),
        }
    }

    /// The scale answers (one entry per scale of [`FORM_SCALES`]); an item that is not a digit
    /// 0–3 is a field error.
    pub fn scales(&self) -> Result<Vec<ScaleAnswers>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let scales = FORM_SCALES
            .iter()
            .map(|&scale| ScaleAnswers {
                scale: Some(scale),
                answers: (1..=scale.items().len())
                    .map(|item| {
                        let field = item_field(scale, item);
                        let value = self.items.get(&field).map(|v| v.trim()).unwrap_or("");
                        match value {
                            "" => None,
                            "0" | "1" | "2" | "3" => value.parse().ok(),
                            _ => {
                                errors.push(FieldError {
                                    field: format!("items[{field}]"),
                                    message: format!(
                                        "{}, item {item} : choisissez une réponse de la liste.",
                                        scale.label_fr()
                                    ),
                                });
                                None
                            }
                        }
                    })
                    .collect(),
            })
            .collect();
        if errors.is_empty() {
            Ok(scales)
        } else {
            Err(errors)
        }
    }

    /// The form filled with a stored case.
    pub fn from_stored(
        content: &CaseContent,
        scales: &[ScaleAnswers],
        meeting_id: Option<i64>,
    ) -> CaseDraft {
        let has = |kind: QuestionType| check(content.question_types.contains(&kind));
        let mut items = BTreeMap::new();
        for entry in scales {
            let Some(scale) = entry.scale else { continue };
            for (index, answer) in entry.answers.iter().enumerate() {
                if let Some(answer) = answer {
                    items.insert(item_field(scale, index + 1), answer.to_string());
                }
            }
        }
        CaseDraft {
            meeting_id: meeting_id.map(|id| id.to_string()).unwrap_or_default(),
            q_diagnostic: has(QuestionType::Diagnostic),
            q_pharmacological: has(QuestionType::Pharmacological),
            q_conduct: has(QuestionType::Conduct),
            q_orientation: has(QuestionType::Orientation),
            question: content.question.clone(),
            reason: content.reason.clone(),
            symptoms: content.symptoms.clone(),
            hypotheses: content.hypotheses.clone(),
            history: content.history.clone(),
            treatment: content.treatment.clone(),
            expectations: content.expectations.clone(),
            somatic_follow_up: content.somatic_follow_up.clone(),
            treating_doctor_known: check(content.treating_doctor_known),
            age: content.age.clone(),
            sex: content.sex.clone(),
            narrative_md: content.narrative_md.clone(),
            items,
            confirm_possible: String::new(),
        }
    }
}

/// What a list of cases shows of one case, computed from its content at each save so that lists
/// never read (nor parse) the clinical content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseSummary {
    /// The question types asked.
    pub question_types: Vec<QuestionType>,
    /// How many items are missing (required and recommended).
    pub missing_count: usize,
    /// No required item is missing.
    pub ready: bool,
    /// PHQ-9 item 9 above 0.
    pub suicidal_thoughts: bool,
}

impl CaseSummary {
    /// The summary of a case's content and scale answers.
    pub fn of(content: &CaseContent, scales: &[ScaleAnswers]) -> CaseSummary {
        CaseSummary {
            question_types: content.question_types.clone(),
            missing_count: super::missing(content).len(),
            ready: super::is_ready(content),
            suicidal_thoughts: scales
                .iter()
                .filter_map(ScaleAnswers::result)
                .any(|r| r.suicidal_thoughts),
        }
    }

    /// The question types as stored: codes separated by commas.
    pub fn question_codes(&self) -> String {
        self.question_types
            .iter()
            .map(|q| q.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads [`CaseSummary::question_codes`] back (unknown codes are skipped).
    pub fn parse_question_codes(codes: &str) -> Vec<QuestionType> {
        codes
            .split(',')
            .filter_map(QuestionType::from_code)
            .collect()
    }
}

/// PHQ-2, scored from PHQ-9's first two items when both are answered.
pub fn phq2_of(scales: &[ScaleAnswers]) -> Option<ScaleResult> {
    let phq9 = scales.iter().find(|s| s.scale == Some(Scale::Phq9))?;
    let first_two: Vec<Option<u8>> = phq9.answers.iter().take(2).copied().collect();
    score(Scale::Phq2, &first_two).ok()
}

/// The identifier guard over every free-text field of a case (the server runs it at each save):
/// likely and certain findings are refused; possible ones until `confirmed`. Each message names
/// the field, the kind, the position (in characters, from 1) and the passage.
pub fn identifier_errors(
    fields: &[(&'static str, &str)],
    confirmed: bool,
    territory: &Territory,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut unconfirmed = false;
    for &(field, text) in fields {
        let what = format!("« {} »", super::field_label_fr(field));
        let mut messages = identifier_messages_in(&what, text, territory);
        if !confirmed {
            let possible = possible_identifier_messages_in(&what, text, territory);
            unconfirmed |= !possible.is_empty();
            messages.extend(possible);
        }
        errors.extend(messages.into_iter().map(|message| FieldError {
            field: field.to_string(),
            message,
        }));
    }
    if unconfirmed {
        errors.push(FieldError {
            field: "confirm_possible".to_string(),
            message: CONFIRM_POSSIBLE_MESSAGE.to_string(),
        });
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_case_fills_the_form_and_reads_back_the_same() {
        let draft = CaseDraft {
            q_pharmacological: "on".into(),
            question: "Faut-il changer d'antidépresseur ?".into(),
            treatment: "Sertraline 50 mg depuis 8 semaines".into(),
            treating_doctor_known: "on".into(),
            age: "45-54".into(),
            sex: "f".into(),
            items: [("phq9-1", "2"), ("phq9-2", "3"), ("gad7-7", "0")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        };
        let content = draft.content();
        assert_eq!(content.question_types, vec![QuestionType::Pharmacological]);
        let scales = draft.scales().unwrap();
        assert_eq!(scales[0].answers[..3], [Some(2), Some(3), None]);
        assert_eq!(scales[1].answers[6], Some(0));
        assert_eq!(phq2_of(&scales).unwrap().total, 5);
        assert_eq!(CaseDraft::from_stored(&content, &scales, None), draft);
        let summary = CaseSummary::of(&content, &scales);
        // No reason nor expectations yet: not ready; no item 9 answered.
        assert!(!summary.ready && !summary.suicidal_thoughts);
        assert_eq!(
            summary.missing_count,
            crate::domain::cases::missing(&content).len()
        );
        assert_eq!(
            CaseSummary::parse_question_codes(&summary.question_codes()),
            content.question_types
        );
    }

    #[test]
    fn form_pairs_are_read_by_name() {
        let draft = CaseDraft::from_pairs([
            ("question", "Quel traitement ?"),
            ("q_orientation", "on"),
            ("items[gad7-2]", "1"),
            ("csrf_token", "ignored"),
        ]);
        assert_eq!(draft.question, "Quel traitement ?");
        assert_eq!(draft.question_types(), vec![QuestionType::Orientation]);
        assert_eq!(draft.items.get("gad7-2").map(String::as_str), Some("1"));
    }

    #[test]
    fn a_scale_answer_outside_the_list_is_refused() {
        let draft = CaseDraft {
            items: [("phq9-4".to_string(), "7".to_string())]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        let errors = draft.scales().unwrap_err();
        assert_eq!(errors[0].field, "items[phq9-4]");
        assert!(errors[0].message.contains("PHQ-9, item 4"));
    }

    #[test]
    fn identifiers_are_refused_with_field_kind_and_position() {
        let errors = identifier_errors(
            &[
                ("question", "Que faire ?"),
                ("reason", "Rappeler au 06 12 34 56 78 après 18 h."),
            ],
            false,
            &Territory::none(),
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "reason");
        assert!(
            errors[0].message.contains("position 13"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[0].message.contains("[TÉLÉPHONE]"),
            "{}",
            errors[0].message
        );
        assert!(identifier_errors(
            &[("reason", "Sertraline 50 mg, PHQ-9 à 14.")],
            false,
            &Territory::none()
        )
        .is_empty());
    }
}
