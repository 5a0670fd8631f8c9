//! Cases and written advice requests (SPEC §4): what a GP or a nurse asks, what a psychiatrist
//! answers, the scales attached to a case, and who may do what with them.
//!
//! Everything here is pure: the server re-checks these rules before saving, and the browser runs
//! the same code to show what is still missing while the form is being filled.
//!
//! - [`code`]: the pseudonymous case code (`C-2026-014`).
//! - [`age`]: age in years or by band, adults only.
//! - [`completeness`]: what a case still lacks before a psychiatrist can answer it well.
//! - [`scales`]: PHQ-2, PHQ-9 and GAD-7, scored from item answers.
//! - [`advice`]: the answer (avis), when it may be signed, télé-expertise limits, overdue requests.
//! - [`permissions`]: who may read, edit, answer or sign a case.

pub mod advice;
pub mod age;
pub mod code;
pub mod completeness;
pub mod form;
pub mod permissions;
pub mod scales;

pub use advice::{
    may_sign, overdue, tele_expertise_check, AdviceContent, AdviceError, TeCheck,
    TeleExpertiseRule, DEFAULT_ANSWER_DAYS,
};
pub use age::{parse_age, Age, AgeBand, AgeError};
pub use code::{CaseCode, CaseCodeError};
pub use completeness::{
    is_ready, missing, submittable, Missing, Severity, SubmitError, QUESTION_MAX_CHARS,
};
pub use permissions::{may_case, CaseAction, Relation};
pub use scales::{
    score, trend, Band, Scale, ScaleError, ScaleResult, Trend, ANSWERS, SUICIDAL_WARNING_FR,
};

use serde::{Deserialize, Serialize};

/// What the requesting professional asks of the psychiatrist (SPEC §4). A case may ask several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    /// Avis diagnostique: what is this?
    Diagnostic,
    /// Avis pharmacologique: which drug, which dose, what next.
    Pharmacological,
    /// Conduite à tenir: what should the GP do now.
    Conduct,
    /// Orientation: CMP, private psychiatrist, psychologist, nurse, group, hospital.
    Orientation,
}

impl QuestionType {
    /// Every question type, in the order the form lists them.
    pub const ALL: [QuestionType; 4] = [
        QuestionType::Diagnostic,
        QuestionType::Pharmacological,
        QuestionType::Conduct,
        QuestionType::Orientation,
    ];

    /// Stable code used in the database and in forms.
    pub fn code(self) -> &'static str {
        match self {
            QuestionType::Diagnostic => "diagnostic",
            QuestionType::Pharmacological => "pharmacological",
            QuestionType::Conduct => "conduct",
            QuestionType::Orientation => "orientation",
        }
    }

    /// Parses a code produced by [`QuestionType::code`].
    pub fn from_code(code: &str) -> Option<QuestionType> {
        QuestionType::ALL
            .into_iter()
            .find(|question_type| question_type.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            QuestionType::Diagnostic => "Avis diagnostique",
            QuestionType::Pharmacological => "Avis pharmacologique",
            QuestionType::Conduct => "Conduite à tenir",
            QuestionType::Orientation => "Orientation",
        }
    }
}

/// The patient's sex, as far as the case needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Femme.
    Female,
    /// Homme.
    Male,
    /// Deliberately not given ("non précisé"): a choice, unlike an empty field.
    Unspecified,
}

impl Sex {
    /// Every value, in the order the form lists them.
    pub const ALL: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Unspecified];

    /// Stable code used in the database and in forms.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "f",
            Sex::Male => "m",
            Sex::Unspecified => "x",
        }
    }

    /// Parses a code produced by [`Sex::code`].
    pub fn from_code(code: &str) -> Option<Sex> {
        Sex::ALL.into_iter().find(|sex| sex.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Sex::Female => "Femme",
            Sex::Male => "Homme",
            Sex::Unspecified => "Non précisé",
        }
    }
}

/// Where a case stands from its author's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Being written; only the author sees it.
    Draft,
    /// Sent to the organisation; psychiatrists and the coordinator see it.
    Submitted,
    /// Withdrawn by its author.
    Withdrawn,
}

impl CaseStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [CaseStatus; 3] = [
        CaseStatus::Draft,
        CaseStatus::Submitted,
        CaseStatus::Withdrawn,
    ];

    /// Stable code used in the database and in URLs.
    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::Submitted => "submitted",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    /// Parses a code produced by [`CaseStatus::code`].
    pub fn from_code(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            CaseStatus::Draft => "Brouillon",
            CaseStatus::Submitted => "Soumis",
            CaseStatus::Withdrawn => "Retiré",
        }
    }

    /// Whether the content may still be edited in place: only drafts. Once submitted, what the
    /// psychiatrist read must stay what was sent.
    pub fn is_editable(self) -> bool {
        self == CaseStatus::Draft
    }
}

/// Where a written advice request stands from the psychiatrists' point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Nobody has taken it yet.
    Pending,
    /// A psychiatrist has taken it and is working on the answer.
    Taken,
    /// A signed avis was sent.
    Answered,
}

impl RequestStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [RequestStatus; 3] = [
        RequestStatus::Pending,
        RequestStatus::Taken,
        RequestStatus::Answered,
    ];

    /// Stable code used in the database and in URLs.
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Taken => "taken",
            RequestStatus::Answered => "answered",
        }
    }

    /// Parses a code produced by [`RequestStatus::code`].
    pub fn from_code(code: &str) -> Option<RequestStatus> {
        RequestStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            RequestStatus::Pending => "En attente",
            RequestStatus::Taken => "Prise en charge",
            RequestStatus::Answered => "Répondue",
        }
    }
}

/// A case's content exactly as typed in the form (standard referral content, CNSQP/HAS), so that
/// a refused form comes back with everything the user wrote. Nothing here is checked: see
/// [`completeness::missing`] for what is lacking, [`parse_age`] for the age, and the identifier
/// guard (`domain::pii`) for every text of [`CaseContent::free_text_fields`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseContent {
    /// What is asked (at least one before submitting).
    pub question_types: Vec<QuestionType>,
    /// The explicit question, in one sentence.
    pub question: String,
    /// Reason for the request (motif).
    pub reason: String,
    /// Symptoms and their course.
    pub symptoms: String,
    /// Diagnostic hypotheses.
    pub hypotheses: String,
    /// Psychiatric and medical history.
    pub history: String,
    /// Current treatment and what was tried before.
    pub treatment: String,
    /// What the GP expects from the psychiatrist.
    pub expectations: String,
    /// Somatic follow-up: who does it, what is planned.
    pub somatic_follow_up: String,
    /// Whether the patient has a known médecin traitant.
    pub treating_doctor_known: bool,
    /// Age as typed: a number of years ("42") or a band code ("45-54"); see [`parse_age`].
    pub age: String,
    /// A [`Sex::code`], or "" while not chosen.
    pub sex: String,
    /// Free clinical narrative, in Markdown.
    pub narrative_md: String,
}

/// Field names of [`CaseContent`] that hold free text, in form order.
const CASE_FREE_TEXT_FIELDS: [&str; 9] = [
    "question",
    "reason",
    "symptoms",
    "hypotheses",
    "history",
    "treatment",
    "expectations",
    "somatic_follow_up",
    "narrative_md",
];

impl CaseContent {
    /// Every free-text field as (field name, text), in form order, so the server can run the
    /// identifier guard on each and report which field holds a finding.
    pub fn free_text_fields(&self) -> Vec<(&'static str, &str)> {
        let texts = [
            &self.question,
            &self.reason,
            &self.symptoms,
            &self.hypotheses,
            &self.history,
            &self.treatment,
            &self.expectations,
            &self.somatic_follow_up,
            &self.narrative_md,
        ];
        CASE_FREE_TEXT_FIELDS
            .into_iter()
            .zip(texts)
            .map(|(name, text)| (name, text.as_str()))
            .collect()
    }

    /// French label of one of this struct's field names; see [`field_label_fr`].
    pub fn field_label_fr(field: &str) -> &'static str {
        field_label_fr(field)
    }

    /// The sex, if a valid code was chosen.
    pub fn parsed_sex(&self) -> Option<Sex> {
        Sex::from_code(self.sex.trim())
    }

    /// The age, parsed; see [`parse_age`].
    pub fn parsed_age(&self) -> Result<Age, AgeError> {
        parse_age(&self.age)
    }
}

/// French label of a field name of [`CaseContent`] or [`AdviceContent`] (the two sets of names do
/// not overlap), for error messages such as "Motif : un numéro de téléphone…". An unknown name
/// gives the neutral "Champ".
pub fn field_label_fr(field: &str) -> &'static str {
    match field {
        "question_types" => "Type de question",
        "question" => "Question posée",
        "reason" => "Motif",
        "symptoms" => "Symptômes et évolution",
        "hypotheses" => "Hypothèses diagnostiques",
        "history" => "Antécédents psychiatriques et médicaux",
        "treatment" => "Traitement actuel et essais antérieurs",
        "expectations" => "Attentes du médecin",
        "somatic_follow_up" => "Suivi somatique",
        "treating_doctor_known" => "Médecin traitant connu",
        "age" => "Âge",
        "sex" => "Sexe",
        "narrative_md" => "Récit clinique",
        other => advice::advice_field_label_fr(other).unwrap_or("Champ"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for question_type in QuestionType::ALL {
            assert_eq!(
                QuestionType::from_code(question_type.code()),
                Some(question_type)
            );
        }
        for sex in Sex::ALL {
            assert_eq!(Sex::from_code(sex.code()), Some(sex));
        }
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::from_code(status.code()), Some(status));
        }
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(QuestionType::from_code("urgence"), None);
        assert_eq!(Sex::from_code(""), None);
    }

    #[test]
    fn serde_uses_snake_case() {
        assert_eq!(
            serde_json::to_string(&QuestionType::Pharmacological).unwrap(),
            "\"pharmacological\""
        );
        assert_eq!(
            serde_json::to_string(&RequestStatus::Answered).unwrap(),
            "\"answered\""
        );
    }

    #[test]
    fn every_free_text_field_is_listed_with_a_label() {
        let content = CaseContent {
            question: "q".into(),
            reason: "r".into(),
            symptoms: "s".into(),
            hypotheses: "h".into(),
            history: "a".into(),
            treatment: "t".into(),
            expectations: "e".into(),
            somatic_follow_up: "f".into(),
            narrative_md: "n".into(),
            ..CaseContent::default()
        };
        let fields = content.free_text_fields();
        assert_eq!(fields.len(), 9);
        let texts: Vec<&str> = fields.iter().map(|(_, text)| *text).collect();
        assert_eq!(texts, ["q", "r", "s", "h", "a", "t", "e", "f", "n"]);
        for (name, _) in fields {
            assert_ne!(field_label_fr(name), "Champ", "{name}");
        }
        assert_eq!(CaseContent::field_label_fr("reason"), "Motif");
        assert_eq!(field_label_fr("narrative_md"), "Récit clinique");
        assert_eq!(field_label_fr("inconnu"), "Champ");
    }

    #[test]
    fn only_drafts_are_editable() {
        assert!(CaseStatus::Draft.is_editable());
        assert!(!CaseStatus::Submitted.is_editable());
        assert!(!CaseStatus::Withdrawn.is_editable());
    }

    #[test]
    fn content_survives_a_round_trip() {
        let content = CaseContent {
            question_types: vec![QuestionType::Diagnostic, QuestionType::Orientation],
            question: "Trouble bipolaire ?".into(),
            treating_doctor_known: true,
            age: "45-54".into(),
            sex: "f".into(),
            ..CaseContent::default()
        };
        let json = serde_json::to_string(&content).unwrap();
        assert_eq!(serde_json::from_str::<CaseContent>(&json).unwrap(), content);
        assert_eq!(content.parsed_sex(), Some(Sex::Female));
        assert_eq!(content.parsed_age(), Ok(Age::Band(AgeBand::From45To54)));
    }
}
