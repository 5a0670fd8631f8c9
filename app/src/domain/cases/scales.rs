//! Standard self-report scales attached to a case (SPEC §4): PHQ-2 (depression screening), PHQ-9
//! (depression severity) and GAD-7 (anxiety severity), in their French wording. Scores are always
//! computed here from the item answers, never typed, and PHQ-9 item 9 (suicidal thoughts) is
//! surfaced whatever the total.

use serde::{Deserialize, Serialize};

/// The answer choices common to the three scales, scored 0 to 3 in this order.
pub const ANSWERS: [&str; 4] = [
    "Jamais",
    "Plusieurs jours",
    "Plus de la moitié du temps",
    "Presque tous les jours",
];

/// Highest score of one item.
const ITEM_MAX: u8 = 3;

/// Shown whenever PHQ-9 item 9 is answered above "Jamais", whatever the total.
pub const SUICIDAL_WARNING_FR: &str = "Idées suicidaires signalées (PHQ-9, item 9) : évaluer le \
     risque suicidaire sans attendre l'avis écrit. En cas d'urgence, appeler le 15 (SAMU) ; \
     numéro national de prévention du suicide : 3114.";

/// PHQ-9 items in the French version (Pfizer); PHQ-2 is its first two.
const PHQ9_ITEMS: [&str; 9] = [
    "Peu d'intérêt ou de plaisir à faire les choses",
    "Être triste, déprimé(e) ou désespéré(e)",
    "Difficultés à s'endormir ou à rester endormi(e), ou dormir trop",
    "Se sentir fatigué(e) ou manquer d'énergie",
    "Avoir peu d'appétit ou manger trop",
    "Avoir une mauvaise opinion de soi-même, ou avoir le sentiment d'être nul(le), ou d'avoir \
     déçu sa famille ou s'être déçu(e) soi-même",
    "Avoir du mal à se concentrer, par exemple pour lire le journal ou regarder la télévision",
    "Bouger ou parler si lentement que les autres auraient pu le remarquer. Ou au contraire, être \
     si agité(e) que vous avez eu du mal à tenir en place par rapport à d'habitude",
    "Penser qu'il vaudrait mieux mourir ou envisager de vous faire du mal d'une manière ou d'une \
     autre",
];

/// GAD-7 items in the French version (Pfizer).
const GAD7_ITEMS: [&str; 7] = [
    "Un sentiment de nervosité, d'anxiété ou de tension",
    "Incapable d'arrêter de s'inquiéter ou de contrôler ses inquiétudes",
    "Une inquiétude excessive à propos de différentes choses",
    "Des difficultés à se détendre",
    "Une agitation telle qu'il est difficile de tenir en place",
    "Une tendance à être facilement contrarié(e) ou irritable",
    "Un sentiment de peur comme si quelque chose de terrible risquait de se produire",
];

/// Index (from 0) of PHQ-9 item 9, suicidal thoughts.
const PHQ9_SUICIDE_ITEM: usize = 8;

/// A scale the software can score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Patient Health Questionnaire, 2 items: depression screening.
    Phq2,
    /// Patient Health Questionnaire, 9 items: depression severity.
    Phq9,
    /// Generalized Anxiety Disorder, 7 items: anxiety severity.
    Gad7,
}

impl Scale {
    /// Every scale, in the order the form lists them.
    pub const ALL: [Scale; 3] = [Scale::Phq2, Scale::Phq9, Scale::Gad7];

    /// Stable code used in the database and in forms.
    pub fn code(self) -> &'static str {
        match self {
            Scale::Phq2 => "phq2",
            Scale::Phq9 => "phq9",
            Scale::Gad7 => "gad7",
        }
    }

    /// Parses a code produced by [`Scale::code`].
    pub fn from_code(code: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|scale| scale.code() == code)
    }

    /// The scale's usual name.
    pub fn label_fr(self) -> &'static str {
        match self {
            Scale::Phq2 => "PHQ-2",
            Scale::Phq9 => "PHQ-9",
            Scale::Gad7 => "GAD-7",
        }
    }

    /// The question put before the items.
    pub fn stem(self) -> &'static str {
        "Au cours des deux dernières semaines, à quelle fréquence avez-vous été gêné(e) par les \
         problèmes suivants ?"
    }

    /// The items, in order, in their standard French wording.
    pub fn items(self) -> &'static [&'static str] {
        match self {
            Scale::Phq2 => &PHQ9_ITEMS[..2],
            Scale::Phq9 => &PHQ9_ITEMS,
            Scale::Gad7 => &GAD7_ITEMS,
        }
    }

    /// Highest possible total (6, 27, 21).
    pub fn max(self) -> u8 {
        // At most 9 items of 3: fits.
        self.items().len() as u8 * ITEM_MAX
    }

    /// The severity band of a total (SPEC §4). A total above [`Scale::max`] falls in the top band.
    pub fn band(self, total: u8) -> Band {
        match self {
            Scale::Phq2 => match total {
                0..=2 => Band::ScreenNegative,
                _ => Band::ScreenPositive,
            },
            Scale::Phq9 => match total {
                0..=4 => Band::Minimal,
                5..=9 => Band::Mild,
                10..=14 => Band::Moderate,
                15..=19 => Band::ModeratelySevere,
                _ => Band::Severe,
            },
            Scale::Gad7 => match total {
                0..=4 => Band::Minimal,
                5..=9 => Band::Mild,
                10..=14 => Band::Moderate,
                _ => Band::Severe,
            },
        }
    }
}

/// Interpretation of a total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// PHQ-9 0–4, GAD-7 0–4.
    Minimal,
    /// PHQ-9 5–9, GAD-7 5–9.
    Mild,
    /// PHQ-9 10–14, GAD-7 10–14.
    Moderate,
    /// PHQ-9 15–19.
    ModeratelySevere,
    /// PHQ-9 20–27, GAD-7 15–21.
    Severe,
    /// PHQ-2 0–2.
    ScreenNegative,
    /// PHQ-2 3–6: a full PHQ-9 is recommended.
    ScreenPositive,
}

impl Band {
    /// Every band.
    pub const ALL: [Band; 7] = [
        Band::Minimal,
        Band::Mild,
        Band::Moderate,
        Band::ModeratelySevere,
        Band::Severe,
        Band::ScreenNegative,
        Band::ScreenPositive,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Band::Minimal => "minimal",
            Band::Mild => "mild",
            Band::Moderate => "moderate",
            Band::ModeratelySevere => "moderately_severe",
            Band::Severe => "severe",
            Band::ScreenNegative => "screen_negative",
            Band::ScreenPositive => "screen_positive",
        }
    }

    /// Parses a code produced by [`Band::code`].
    pub fn from_code(code: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|band| band.code() == code)
    }

    /// French label, as shown beside a score.
    pub fn label_fr(self) -> &'static str {
        match self {
            Band::Minimal => "Minimal",
            Band::Mild => "Léger",
            Band::Moderate => "Modéré",
            Band::ModeratelySevere => "Modérément sévère",
            Band::Severe => "Sévère",
            Band::ScreenNegative => "Dépistage négatif",
            Band::ScreenPositive => "Dépistage positif : évaluation complète (PHQ-9) recommandée",
        }
    }

    /// Short lower-case label, for inline summaries ("modéré", "dépistage positif").
    pub fn short_fr(self) -> &'static str {
        match self {
            Band::Minimal => "minimal",
            Band::Mild => "léger",
            Band::Moderate => "modéré",
            Band::ModeratelySevere => "modérément sévère",
            Band::Severe => "sévère",
            Band::ScreenNegative => "dépistage négatif",
            Band::ScreenPositive => "dépistage positif",
        }
    }
}

/// A scored scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ScaleResult {
    /// Which scale.
    pub scale: Scale,
    /// Sum of the item answers.
    pub total: u8,
    /// Highest possible total.
    pub max: u8,
    /// Interpretation of the total.
    pub band: Band,
    /// PHQ-9 item 9 answered above "Jamais"; always false for the other scales. Show
    /// [`SUICIDAL_WARNING_FR`] when set.
    pub suicidal_thoughts: bool,
}

impl ScaleResult {
    /// One line for lists and summaries: "PHQ-9 : 12/27 (modéré)".
    pub fn summary_fr(&self) -> String {
        format!(
            "{} : {}/{} ({})",
            self.scale.label_fr(),
            self.total,
            self.max,
            self.band.short_fr()
        )
    }
}

/// Why answers cannot be scored. Item numbers start at 1, as printed on the questionnaire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ScaleError {
    /// Not as many answers as items.
    #[error("{} : {expected} items attendus, {got} réponses reçues.", scale.label_fr())]
    WrongCount {
        /// The scale.
        scale: Scale,
        /// Its number of items.
        expected: usize,
        /// Number of answers given.
        got: usize,
    },
    /// An item has no answer.
    #[error("{} : l'item {item} est sans réponse.", scale.label_fr())]
    Unanswered {
        /// The scale.
        scale: Scale,
        /// Item number, from 1.
        item: usize,
    },
    /// An answer outside 0 to 3.
    #[error(
        "{} : la réponse {value} à l'item {item} est hors de l'échelle (0 à 3).",
        scale.label_fr()
    )]
    OutOfRange {
        /// The scale.
        scale: Scale,
        /// Item number, from 1.
        item: usize,
        /// The answer given.
        value: u8,
    },
}

/// Scores a scale from its item answers (`None` = not answered), each 0 ("Jamais") to 3
/// ("Presque tous les jours"). Every item must be answered: a partial score would understate
/// severity. The first faulty item is reported.
pub fn score(scale: Scale, answers: &[Option<u8>]) -> Result<ScaleResult, ScaleError> {
    let expected = scale.items().len();
    if answers.len() != expected {
        return Err(ScaleError::WrongCount {
            scale,
            expected,
            got: answers.len(),
        });
    }
    let mut total: u8 = 0;
    for (index, answer) in answers.iter().enumerate() {
        let item = index + 1;
        let value = answer.ok_or(ScaleError::Unanswered { scale, item })?;
        if value > ITEM_MAX {
            return Err(ScaleError::OutOfRange { scale, item, value });
        }
        // At most 9 items of 3.
        total += value;
    }
    let suicidal_thoughts = scale == Scale::Phq9 && answers[PHQ9_SUICIDE_ITEM] > Some(0);
    Ok(ScaleResult {
        scale,
        total,
        max: scale.max(),
        band: scale.band(total),
        suicidal_thoughts,
    })
}

/// How a score moved between two passes of the same scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Lower score.
    Better,
    /// Same score.
    Same,
    /// Higher score.
    Worse,
}

impl Trend {
    /// Every trend.
    pub const ALL: [Trend; 3] = [Trend::Better, Trend::Same, Trend::Worse];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Trend::Better => "better",
            Trend::Same => "same",
            Trend::Worse => "worse",
        }
    }

    /// Parses a code produced by [`Trend::code`].
    pub fn from_code(code: &str) -> Option<Trend> {
        Trend::ALL.into_iter().find(|trend| trend.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Trend::Better => "En amélioration",
            Trend::Same => "Stable",
            Trend::Worse => "En aggravation",
        }
    }
}

/// Direction of change between two totals of the same scale; on these scales a lower score is
/// better. Any difference counts: whether it is clinically meaningful is the reader's judgement.
pub fn trend(previous: u8, current: u8) -> Trend {
    match current.cmp(&previous) {
        std::cmp::Ordering::Less => Trend::Better,
        std::cmp::Ordering::Equal => Trend::Same,
        std::cmp::Ordering::Greater => Trend::Worse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers for `scale` summing to `total`, filled from the first item, item 9 left at 0
    /// where possible so band tests do not depend on it.
    fn answers_totalling(scale: Scale, total: u8) -> Vec<Option<u8>> {
        let count = scale.items().len();
        let mut answers = vec![Some(0); count];
        let mut left = total;
        for answer in answers.iter_mut() {
            let value = left.min(ITEM_MAX);
            *answer = Some(value);
            left -= value;
        }
        assert_eq!(left, 0, "{total} is above the maximum of {scale:?}");
        answers
    }

    fn band_of(scale: Scale, total: u8) -> Band {
        let result = score(scale, &answers_totalling(scale, total)).unwrap();
        assert_eq!(result.total, total);
        result.band
    }

    #[test]
    fn item_counts_and_maxima() {
        assert_eq!(Scale::Phq2.items().len(), 2);
        assert_eq!(Scale::Phq9.items().len(), 9);
        assert_eq!(Scale::Gad7.items().len(), 7);
        assert_eq!(Scale::Phq2.max(), 6);
        assert_eq!(Scale::Phq9.max(), 27);
        assert_eq!(Scale::Gad7.max(), 21);
        assert_eq!(Scale::Phq2.items(), &Scale::Phq9.items()[..2]);
        assert!(Scale::Phq9.items()[8].starts_with("Penser qu'il vaudrait mieux mourir"));
    }

    #[test]
    fn phq9_band_boundaries() {
        let cases = [
            (0, Band::Minimal),
            (4, Band::Minimal),
            (5, Band::Mild),
            (9, Band::Mild),
            (10, Band::Moderate),
            (14, Band::Moderate),
            (15, Band::ModeratelySevere),
            (19, Band::ModeratelySevere),
            (20, Band::Severe),
            (27, Band::Severe),
        ];
        for (total, band) in cases {
            assert_eq!(band_of(Scale::Phq9, total), band, "PHQ-9 {total}");
        }
    }

    #[test]
    fn gad7_band_boundaries() {
        let cases = [
            (0, Band::Minimal),
            (4, Band::Minimal),
            (5, Band::Mild),
            (9, Band::Mild),
            (10, Band::Moderate),
            (14, Band::Moderate),
            (15, Band::Severe),
            (21, Band::Severe),
        ];
        for (total, band) in cases {
            assert_eq!(band_of(Scale::Gad7, total), band, "GAD-7 {total}");
        }
    }

    #[test]
    fn phq2_screening_boundary() {
        assert_eq!(band_of(Scale::Phq2, 0), Band::ScreenNegative);
        assert_eq!(band_of(Scale::Phq2, 2), Band::ScreenNegative);
        assert_eq!(band_of(Scale::Phq2, 3), Band::ScreenPositive);
        assert_eq!(band_of(Scale::Phq2, 6), Band::ScreenPositive);
        assert!(Band::ScreenPositive.label_fr().contains("PHQ-9"));
    }

    #[test]
    fn wrong_item_counts_are_refused() {
        for scale in Scale::ALL {
            let count = scale.items().len();
            for got in [0, count - 1, count + 1] {
                assert_eq!(
                    score(scale, &vec![Some(0); got]),
                    Err(ScaleError::WrongCount {
                        scale,
                        expected: count,
                        got
                    })
                );
            }
        }
        assert_eq!(
            score(Scale::Phq9, &[Some(1); 8]).unwrap_err().to_string(),
            "PHQ-9 : 9 items attendus, 8 réponses reçues."
        );
    }

    #[test]
    fn out_of_range_answers_are_refused() {
        let mut answers = vec![Some(0); 7];
        answers[3] = Some(4);
        let error = score(Scale::Gad7, &answers).unwrap_err();
        assert_eq!(
            error,
            ScaleError::OutOfRange {
                scale: Scale::Gad7,
                item: 4,
                value: 4
            }
        );
        assert_eq!(
            error.to_string(),
            "GAD-7 : la réponse 4 à l'item 4 est hors de l'échelle (0 à 3)."
        );
        assert!(score(Scale::Phq2, &[Some(255), Some(0)]).is_err());
    }

    #[test]
    fn unanswered_items_are_refused_first_one_named() {
        let mut answers = vec![Some(1); 9];
        answers[2] = None;
        answers[6] = None;
        let error = score(Scale::Phq9, &answers).unwrap_err();
        assert_eq!(
            error,
            ScaleError::Unanswered {
                scale: Scale::Phq9,
                item: 3
            }
        );
        assert_eq!(error.to_string(), "PHQ-9 : l'item 3 est sans réponse.");
    }

    #[test]
    fn item_nine_flags_suicidal_thoughts_whatever_the_total() {
        let mut answers = vec![Some(0); 9];
        assert!(!score(Scale::Phq9, &answers).unwrap().suicidal_thoughts);
        for value in 1..=3 {
            answers[8] = Some(value);
            let result = score(Scale::Phq9, &answers).unwrap();
            assert!(result.suicidal_thoughts, "item 9 = {value}");
            assert_eq!(result.band, Band::Minimal);
        }
        // Item 8 is not item 9.
        let mut answers = vec![Some(0); 9];
        answers[7] = Some(3);
        assert!(!score(Scale::Phq9, &answers).unwrap().suicidal_thoughts);
        // Other scales never flag.
        assert!(!score(Scale::Gad7, &[Some(3); 7]).unwrap().suicidal_thoughts);
        assert!(!score(Scale::Phq2, &[Some(3); 2]).unwrap().suicidal_thoughts);
        assert!(SUICIDAL_WARNING_FR.starts_with("Idées suicidaires signalées (PHQ-9, item 9) :"));
    }

    #[test]
    fn summaries() {
        let result = score(Scale::Phq9, &answers_totalling(Scale::Phq9, 12)).unwrap();
        assert_eq!(result.summary_fr(), "PHQ-9 : 12/27 (modéré)");
        let result = score(Scale::Phq2, &[Some(2), Some(1)]).unwrap();
        assert_eq!(result.summary_fr(), "PHQ-2 : 3/6 (dépistage positif)");
        let result = score(Scale::Gad7, &[Some(0); 7]).unwrap();
        assert_eq!(result.summary_fr(), "GAD-7 : 0/21 (minimal)");
    }

    #[test]
    fn trends_lower_is_better() {
        assert_eq!(trend(14, 9), Trend::Better);
        assert_eq!(trend(9, 9), Trend::Same);
        assert_eq!(trend(9, 14), Trend::Worse);
        assert_eq!(Trend::Better.label_fr(), "En amélioration");
    }

    #[test]
    fn codes_round_trip() {
        for scale in Scale::ALL {
            assert_eq!(Scale::from_code(scale.code()), Some(scale));
        }
        for band in Band::ALL {
            assert_eq!(Band::from_code(band.code()), Some(band));
        }
        for trend in Trend::ALL {
            assert_eq!(Trend::from_code(trend.code()), Some(trend));
        }
        assert_eq!(ANSWERS.len() as u8, ITEM_MAX + 1);
    }
}
