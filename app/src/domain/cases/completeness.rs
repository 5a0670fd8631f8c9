//! What a case still lacks before a psychiatrist can answer it well (SPEC §4, standard referral
//! content). The form shows the list as the user types; the coordinator sees it on submitted
//! cases. A case may be submitted incomplete, but never without a question.

use serde::{Deserialize, Serialize};

use super::age::{parse_age, AgeError};
use super::{CaseContent, Sex};

/// Longest explicit question, in characters: one sentence, not a second narrative.
pub const QUESTION_MAX_CHARS: usize = 300;

/// How much a missing item matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The case is not ready without it.
    Required,
    /// Helps the psychiatrist; the case is ready without it.
    Recommended,
}

/// One thing a case lacks. Variants are declared in form order (the field order of
/// [`CaseContent`]), which is the order [`missing`] returns them in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// No question type chosen.
    NoQuestionType,
    /// The explicit question is blank.
    NoQuestion,
    /// The question is longer than [`QUESTION_MAX_CHARS`] or holds more than one sentence (see
    /// [`sentence_count`] for the rule).
    QuestionTooLong,
    /// No reason for the request.
    NoReason,
    /// Symptoms and their course not described.
    NoSymptoms,
    /// No diagnostic hypothesis.
    NoHypotheses,
    /// No history.
    NoHistory,
    /// Current treatment not given ("aucun" is an answer).
    NoTreatment,
    /// What the GP expects is not said.
    NoExpectations,
    /// Somatic follow-up not described.
    NoSomaticFollowUp,
    /// The médecin traitant is not declared known.
    NoTreatingDoctor,
    /// Age not given.
    NoAge,
    /// Age given but not usable (minor, implausible, unreadable).
    InvalidAge(AgeError),
    /// Sex not chosen ("Non précisé" is a choice).
    NoSex,
}

impl Missing {
    /// Every item, in form order, with a representative [`AgeError`] for `InvalidAge`.
    pub const ALL: [Missing; 14] = [
        Missing::NoQuestionType,
        Missing::NoQuestion,
        Missing::QuestionTooLong,
        Missing::NoReason,
        Missing::NoSymptoms,
        Missing::NoHypotheses,
        Missing::NoHistory,
        Missing::NoTreatment,
        Missing::NoExpectations,
        Missing::NoSomaticFollowUp,
        Missing::NoTreatingDoctor,
        Missing::NoAge,
        Missing::InvalidAge(AgeError::Unreadable),
        Missing::NoSex,
    ];

    /// Whether the case is ready without it.
    pub fn severity(self) -> Severity {
        match self {
            Missing::NoSymptoms
            | Missing::NoHypotheses
            | Missing::NoHistory
            | Missing::NoSomaticFollowUp
            | Missing::NoTreatingDoctor => Severity::Recommended,
            Missing::NoQuestionType
            | Missing::NoQuestion
            | Missing::QuestionTooLong
            | Missing::NoReason
            | Missing::NoTreatment
            | Missing::NoExpectations
            | Missing::NoAge
            | Missing::InvalidAge(_)
            | Missing::NoSex => Severity::Required,
        }
    }

    /// The [`CaseContent`] field it concerns, so the form can show it beside that field.
    pub fn field(self) -> &'static str {
        match self {
            Missing::NoQuestionType => "question_types",
            Missing::NoQuestion | Missing::QuestionTooLong => "question",
            Missing::NoReason => "reason",
            Missing::NoSymptoms => "symptoms",
            Missing::NoHypotheses => "hypotheses",
            Missing::NoHistory => "history",
            Missing::NoTreatment => "treatment",
            Missing::NoExpectations => "expectations",
            Missing::NoSomaticFollowUp => "somatic_follow_up",
            Missing::NoTreatingDoctor => "treating_doctor_known",
            Missing::NoAge | Missing::InvalidAge(_) => "age",
            Missing::NoSex => "sex",
        }
    }

    /// A short French sentence for the checklist.
    pub fn label_fr(self) -> &'static str {
        match self {
            Missing::NoQuestionType => "Aucun type de question choisi",
            Missing::NoQuestion => "Aucune question explicite",
            Missing::QuestionTooLong => {
                "Question trop longue : une seule phrase de 300 caractères au plus (le détail \
                 va dans le récit)"
            }
            Missing::NoReason => "Motif non renseigné",
            Missing::NoSymptoms => "Symptômes et évolution non décrits (recommandé)",
            Missing::NoHypotheses => "Hypothèses diagnostiques non précisées (recommandé)",
            Missing::NoHistory => {
                "Antécédents psychiatriques et médicaux non renseignés (recommandé)"
            }
            Missing::NoTreatment => {
                "Traitement actuel non renseigné (écrire « aucun » s'il n'y en a pas)"
            }
            Missing::NoExpectations => "Attentes non précisées",
            Missing::NoSomaticFollowUp => {
                "Suivi somatique non précisé (recommandé : qui l'assure, qu'est-ce qui est prévu)"
            }
            Missing::NoTreatingDoctor => "Médecin traitant non déclaré (recommandé)",
            Missing::NoAge => "Âge non renseigné",
            Missing::InvalidAge(AgeError::Minor) => {
                "Patient mineur : Concerto est réservé aux patients adultes"
            }
            Missing::InvalidAge(_) => "Âge invalide (en années, 18 à 120, ou par tranche)",
            Missing::NoSex => "Sexe non renseigné",
        }
    }
}

/// Number of sentences in `text`, by a deliberately simple rule. A sentence ends at:
/// - `?` or `!` followed later by any letter ("Quelle dose ? Quel délai ?" is two);
/// - `.` or `…` followed by whitespace and then a word starting with an upper-case letter
///   ("Elle va mal. Que faire ?" is two).
///
/// So decimals ("2.5 mg"), lower-case abbreviations ("ex. à 100 mg", "cp. le soir") and a final
/// "etc. ?" do not split a sentence. Blank text has no sentence.
pub fn sentence_count(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.is_empty() {
        return 0;
    }
    let mut count = 1;
    let mut index = 0;
    while index < chars.len() {
        let ends_sentence = match chars[index] {
            '?' | '!' => chars[index + 1..].iter().any(|c| c.is_alphabetic()),
            '.' | '…' => {
                let mut next = index + 1;
                // Skip a run of dots ("...") and closing marks before the space.
                while next < chars.len() && matches!(chars[next], '.' | '…' | ')' | '»' | '"') {
                    next += 1;
                }
                let spaced = next < chars.len() && chars[next].is_whitespace();
                // Spaces, and an opening quote or parenthesis, may precede the next sentence.
                while next < chars.len()
                    && (chars[next].is_whitespace() || matches!(chars[next], '«' | '(' | '"'))
                {
                    next += 1;
                }
                spaced && next < chars.len() && chars[next].is_uppercase()
            }
            _ => false,
        };
        if ends_sentence {
            count += 1;
            // Skip the rest of this punctuation run so "?!" or "..." count once.
            while index + 1 < chars.len() && matches!(chars[index + 1], '?' | '!' | '.' | '…') {
                index += 1;
            }
        }
        index += 1;
    }
    count
}

/// Whether the explicit question is too long or holds more than one sentence.
fn question_too_long(question: &str) -> bool {
    let question = question.trim();
    question.chars().count() > QUESTION_MAX_CHARS || sentence_count(question) > 1
}

/// Everything the case lacks, required and recommended, in form order.
pub fn missing(content: &CaseContent) -> Vec<Missing> {
    let blank = |text: &str| text.trim().is_empty();
    let mut found = Vec::new();
    if content.question_types.is_empty() {
        found.push(Missing::NoQuestionType);
    }
    if blank(&content.question) {
        found.push(Missing::NoQuestion);
    } else if question_too_long(&content.question) {
        found.push(Missing::QuestionTooLong);
    }
    let texts = [
        (&content.reason, Missing::NoReason),
        (&content.symptoms, Missing::NoSymptoms),
        (&content.hypotheses, Missing::NoHypotheses),
        (&content.history, Missing::NoHistory),
        (&content.treatment, Missing::NoTreatment),
        (&content.expectations, Missing::NoExpectations),
        (&content.somatic_follow_up, Missing::NoSomaticFollowUp),
    ];
    for (text, item) in texts {
        if blank(text) {
            found.push(item);
        }
    }
    if !content.treating_doctor_known {
        found.push(Missing::NoTreatingDoctor);
    }
    match parse_age(&content.age) {
        Ok(_) => {}
        Err(AgeError::Missing) => found.push(Missing::NoAge),
        Err(error) => found.push(Missing::InvalidAge(error)),
    }
    if Sex::from_code(content.sex.trim()).is_none() {
        found.push(Missing::NoSex);
    }
    found
}

/// Whether nothing required is missing: the psychiatrist has what they need to answer.
pub fn is_ready(content: &CaseContent) -> bool {
    missing(content)
        .into_iter()
        .all(|item| item.severity() != Severity::Required)
}

/// Why a case cannot be submitted at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum SubmitError {
    /// No question type chosen.
    #[error("Choisissez au moins un type de question avant de soumettre le cas.")]
    NoQuestionType,
    /// Blank question.
    #[error("Écrivez la question posée au psychiatre avant de soumettre le cas.")]
    NoQuestion,
}

/// Whether the case may be submitted. An incomplete case may (the coordinator sees what it
/// lacks and can follow up), but never one without a question type and a question.
pub fn submittable(content: &CaseContent) -> Result<(), SubmitError> {
    if content.question_types.is_empty() {
        return Err(SubmitError::NoQuestionType);
    }
    if content.question.trim().is_empty() {
        return Err(SubmitError::NoQuestion);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cases::{field_label_fr, QuestionType};

    fn complete() -> CaseContent {
        CaseContent {
            question_types: vec![QuestionType::Pharmacological],
            question: "Faut-il changer d'antidépresseur ?".into(),
            reason: "Dépression résistante".into(),
            symptoms: "Tristesse depuis six mois".into(),
            hypotheses: "Épisode dépressif caractérisé".into(),
            history: "Aucun antécédent".into(),
            treatment: "Sertraline 100 mg depuis 3 mois".into(),
            expectations: "Un avis sur le changement de molécule".into(),
            somatic_follow_up: "Bilan thyroïdien normal".into(),
            treating_doctor_known: true,
            age: "42".into(),
            sex: "f".into(),
            narrative_md: String::new(),
        }
    }

    #[test]
    fn a_complete_case_lacks_nothing() {
        assert_eq!(missing(&complete()), []);
        assert!(is_ready(&complete()));
        assert_eq!(submittable(&complete()), Ok(()));
    }

    #[test]
    fn an_empty_case_lacks_everything_in_form_order() {
        let found = missing(&CaseContent::default());
        let expected: Vec<Missing> = Missing::ALL
            .into_iter()
            .filter(|item| !matches!(item, Missing::QuestionTooLong | Missing::InvalidAge(_)))
            .collect();
        assert_eq!(found, expected);
        assert!(!is_ready(&CaseContent::default()));
        assert_eq!(
            submittable(&CaseContent::default()),
            Err(SubmitError::NoQuestionType)
        );
    }

    #[test]
    fn blank_counts_as_missing() {
        let case = CaseContent {
            reason: "   \n".into(),
            ..complete()
        };
        assert_eq!(missing(&case), [Missing::NoReason]);
        assert!(!is_ready(&case));
    }

    #[test]
    fn recommended_items_do_not_block_readiness() {
        let case = CaseContent {
            symptoms: String::new(),
            hypotheses: String::new(),
            history: String::new(),
            somatic_follow_up: String::new(),
            treating_doctor_known: false,
            ..complete()
        };
        let found = missing(&case);
        assert_eq!(found.len(), 5);
        assert!(found
            .iter()
            .all(|item| item.severity() == Severity::Recommended));
        assert!(is_ready(&case));
    }

    #[test]
    fn each_required_item_blocks_readiness() {
        let cases = [
            CaseContent {
                question_types: vec![],
                ..complete()
            },
            CaseContent {
                question: String::new(),
                ..complete()
            },
            CaseContent {
                treatment: String::new(),
                ..complete()
            },
            CaseContent {
                expectations: String::new(),
                ..complete()
            },
            CaseContent {
                age: String::new(),
                ..complete()
            },
            CaseContent {
                sex: String::new(),
                ..complete()
            },
        ];
        for case in cases {
            assert!(!is_ready(&case), "{case:?}");
        }
    }

    #[test]
    fn treatment_none_is_an_answer_and_unspecified_sex_is_a_choice() {
        let case = CaseContent {
            treatment: "aucun".into(),
            sex: "x".into(),
            ..complete()
        };
        assert!(is_ready(&case));
    }

    #[test]
    fn age_errors_are_told_apart() {
        let minor = CaseContent {
            age: "16".into(),
            ..complete()
        };
        assert_eq!(missing(&minor), [Missing::InvalidAge(AgeError::Minor)]);
        assert!(Missing::InvalidAge(AgeError::Minor)
            .label_fr()
            .contains("adultes"));
        let band = CaseContent {
            age: "75+".into(),
            ..complete()
        };
        assert!(is_ready(&band));
        let unknown_sex = CaseContent {
            sex: "z".into(),
            ..complete()
        };
        assert_eq!(missing(&unknown_sex), [Missing::NoSex]);
    }

    #[test]
    fn question_must_be_one_short_sentence() {
        let too_long = CaseContent {
            question: format!("{} ?", "a".repeat(QUESTION_MAX_CHARS)),
            ..complete()
        };
        assert_eq!(missing(&too_long), [Missing::QuestionTooLong]);
        let exactly = CaseContent {
            question: "é".repeat(QUESTION_MAX_CHARS),
            ..complete()
        };
        assert!(is_ready(&exactly), "300 characters, not bytes");
        let two = CaseContent {
            question: "Elle ne dort plus. Faut-il un hypnotique ?".into(),
            ..complete()
        };
        assert_eq!(missing(&two), [Missing::QuestionTooLong]);
        // Too long is still submittable: only blank questions are refused.
        assert_eq!(submittable(&two), Ok(()));
    }

    #[test]
    fn sentence_rule() {
        let one = [
            "Faut-il changer d'antidépresseur ?",
            "Faut-il passer à 2.5 mg de lorazépam ?",
            "Faut-il augmenter (ex. à 100 mg) la sertraline ?",
            "Quelle orientation : CMP, psychologue, etc. ?",
            "Que faire ?!",
            "Que faire...",
            "Que faire ? ",
            "Avis sur le traitement",
        ];
        for text in one {
            assert_eq!(sentence_count(text), 1, "{text}");
        }
        let two = [
            "Elle va mal. Que faire ?",
            "Quelle dose ? Quel délai ?",
            "Quelle dose ? et quel délai",
            "Elle va mal... Que faire ?",
            "Il a arrêté le traitement. « Faut-il le reprendre ? »",
        ];
        for text in two {
            assert_eq!(sentence_count(text), 2, "{text}");
        }
        assert_eq!(sentence_count("Un. Deux. Trois ?"), 3);
        assert_eq!(sentence_count("  "), 0);
    }

    #[test]
    fn submitting_needs_a_type_and_a_question() {
        let no_question = CaseContent {
            question: " ".into(),
            ..CaseContent::default()
        };
        assert_eq!(submittable(&no_question), Err(SubmitError::NoQuestionType));
        let typed = CaseContent {
            question_types: vec![QuestionType::Orientation],
            ..no_question
        };
        assert_eq!(submittable(&typed), Err(SubmitError::NoQuestion));
        let asked = CaseContent {
            question: "Où l'orienter ?".into(),
            ..typed
        };
        assert_eq!(submittable(&asked), Ok(()));
        assert!(!is_ready(&asked), "submittable is not ready");
    }

    #[test]
    fn every_item_has_a_field_and_a_label() {
        for item in Missing::ALL {
            assert!(!item.label_fr().is_empty());
            assert_ne!(field_label_fr(item.field()), "Champ");
        }
    }
}
