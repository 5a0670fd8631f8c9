//! Meetings: kinds, modes, and the one place where a form's draft becomes a valid meeting.

use chrono::{Datelike, Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::pii::identifier_messages;
use super::pii::{
    identifier_messages_in, possible_identifier_messages_in, Territory, CONFIRM_POSSIBLE_MESSAGE,
};
use super::recurrence::{Frequency, MonthlyPattern, RecurrenceRule, SeriesEnd};
use super::time::{parse_date_field, parse_datetime_field, parse_time_field};

/// The kinds of meeting a CPTS runs (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Staff clinique: several cases prepared ahead.
    Staff,
    /// Réunion de concertation pluridisciplinaire: one patient, a quorum of disciplines.
    Rcp,
    /// Consultation conjointe: GP + psychiatrist + patient.
    JointConsultation,
    /// Soirée thématique: teaching.
    ThematicEvening,
    /// Comité de coordination or de pilotage.
    Committee,
}

impl MeetingKind {
    /// Every kind, in the order the UI lists them.
    pub const ALL: [MeetingKind; 5] = [
        MeetingKind::Staff,
        MeetingKind::Rcp,
        MeetingKind::JointConsultation,
        MeetingKind::ThematicEvening,
        MeetingKind::Committee,
    ];

    /// Stable code for the database, forms and URLs.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Staff => "staff",
            MeetingKind::Rcp => "rcp",
            MeetingKind::JointConsultation => "joint_consultation",
            MeetingKind::ThematicEvening => "thematic_evening",
            MeetingKind::Committee => "committee",
        }
    }

    /// Parses a code produced by [`MeetingKind::code`].
    pub fn from_code(code: &str) -> Option<MeetingKind> {
        MeetingKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            MeetingKind::Staff => "Staff clinique",
            MeetingKind::Rcp => "RCP",
            MeetingKind::JointConsultation => "Consultation conjointe",
            MeetingKind::ThematicEvening => "Soirée thématique",
            MeetingKind::Committee => "Comité",
        }
    }
}

/// Where a meeting happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingMode {
    /// Présentiel, at an address.
    InPerson,
    /// Visio, in the browser.
    Video,
    /// Both.
    Hybrid,
}

impl MeetingMode {
    /// Every mode.
    pub const ALL: [MeetingMode; 3] = [
        MeetingMode::InPerson,
        MeetingMode::Video,
        MeetingMode::Hybrid,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            MeetingMode::InPerson => "in_person",
            MeetingMode::Video => "video",
            MeetingMode::Hybrid => "hybrid",
        }
    }

    /// Parses a code produced by [`MeetingMode::code`].
    pub fn from_code(code: &str) -> Option<MeetingMode> {
        MeetingMode::ALL
            .into_iter()
            .find(|mode| mode.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            MeetingMode::InPerson => "Présentiel",
            MeetingMode::Video => "Visio",
            MeetingMode::Hybrid => "Hybride",
        }
    }

    /// Whether this mode needs a postal address.
    pub fn needs_address(self) -> bool {
        !matches!(self, MeetingMode::Video)
    }
}

/// How a meeting repeats, as chosen in the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepeatChoice {
    /// A single meeting.
    None,
    /// Every N weeks on the start's weekday.
    Weekly,
    /// Every N months on the same nth weekday as the start ("2e mardi").
    MonthlyNthWeekday,
    /// Every N months on the last such weekday of the month.
    MonthlyLastWeekday,
    /// Every N months on the same day of the month ("le 15").
    MonthlyDayOfMonth,
}

impl RepeatChoice {
    /// Parses a form value.
    pub fn from_code(code: &str) -> Option<RepeatChoice> {
        Some(match code {
            "" | "none" => RepeatChoice::None,
            "weekly" => RepeatChoice::Weekly,
            "monthly_nth_weekday" => RepeatChoice::MonthlyNthWeekday,
            "monthly_last_weekday" => RepeatChoice::MonthlyLastWeekday,
            "monthly_day_of_month" => RepeatChoice::MonthlyDayOfMonth,
            _ => return None,
        })
    }
}

/// A meeting form as typed: every field a string, nothing checked yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingDraft {
    /// [`MeetingKind`] code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Date of the (first) meeting, `YYYY-MM-DD`.
    pub date: String,
    /// Start time, `HH:MM`, local.
    pub start_time: String,
    /// End time, `HH:MM`, local, same day.
    pub end_time: String,
    /// [`MeetingMode`] code.
    pub mode: String,
    /// Postal address (présentiel, hybride).
    #[serde(default)]
    pub address: String,
    /// Case-submission deadline, `YYYY-MM-DDTHH:MM` local; empty means 7 days before the start.
    #[serde(default)]
    pub deadline: String,
    /// Maximum number of cases; empty means no limit.
    #[serde(default)]
    pub max_cases: String,
    /// Description in Markdown.
    #[serde(default)]
    pub description: String,
    /// Repetition: see [`RepeatChoice::from_code`].
    #[serde(default)]
    pub repeat: String,
    /// Interval of the repetition (every N weeks or months).
    #[serde(default)]
    pub interval: String,
    /// "count", "until" or "never".
    #[serde(default)]
    pub end_kind: String,
    /// Number of occurrences when `end_kind` is "count".
    #[serde(default)]
    pub count: String,
    /// Last date when `end_kind` is "until", `YYYY-MM-DD`.
    #[serde(default)]
    pub until: String,
    /// Set ("on") when the person confirmed that the passages flagged as *possible* identifiers
    /// are not identifiers (likely and certain ones are refused whatever this says).
    #[serde(default)]
    pub confirm_possible: String,
}

/// One field's problem, in French, for the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name.
    pub field: String,
    /// What is wrong, in French.
    pub message: String,
}

/// A meeting that passed every check: code past this point never re-checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidMeeting {
    /// Kind.
    pub kind: MeetingKind,
    /// Title, trimmed, non-empty.
    pub title: String,
    /// Local start of the (first) meeting.
    pub start_local: NaiveDateTime,
    /// Duration in minutes, ≥ 5.
    pub duration_minutes: u32,
    /// Mode.
    pub mode: MeetingMode,
    /// Address when the mode needs one.
    pub address: Option<String>,
    /// How long before each start the case-submission deadline falls.
    pub deadline_before_minutes: i64,
    /// Maximum number of cases.
    pub max_cases: Option<u32>,
    /// Markdown description (rendered and sanitised on display).
    pub description_md: String,
    /// Repetition, when this is a series.
    pub recurrence: Option<RecurrenceRule>,
}

impl ValidMeeting {
    /// The deadline for an occurrence starting at `start_local`.
    pub fn deadline_for(&self, start_local: NaiveDateTime) -> NaiveDateTime {
        start_local - Duration::minutes(self.deadline_before_minutes)
    }
}

/// The default case-submission deadline: 7 days before the start.
pub const DEFAULT_DEADLINE_DAYS: i64 = 7;
/// The longest title accepted.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest description accepted.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;

impl TryFrom<&MeetingDraft> for ValidMeeting {
    type Error = Vec<FieldError>;

    fn try_from(draft: &MeetingDraft) -> Result<Self, Self::Error> {
        ValidMeeting::check(draft, &Territory::none())
    }
}

impl ValidMeeting {
    /// Checks a draft; the identifier guard applies the organisation's words (`territory`).
    pub fn check(
        draft: &MeetingDraft,
        territory: &Territory,
    ) -> Result<ValidMeeting, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.to_string(),
                message: message.to_string(),
            })
        };

        let kind = MeetingKind::from_code(draft.kind.trim());
        if kind.is_none() {
            fail("kind", "Choisissez le type de réunion.");
        }
        let title = draft.title.trim().to_string();
        if title.is_empty() {
            fail("title", "Le titre est obligatoire.");
        } else if title.chars().count() > MAX_TITLE_CHARS {
            fail("title", "Le titre ne doit pas dépasser 200 caractères.");
        }
        let date = parse_date_field(&draft.date);
        if date.is_none() {
            fail(
                "date",
                "La date est invalide (format attendu : AAAA-MM-JJ).",
            );
        }
        let start_time = parse_time_field(&draft.start_time);
        if start_time.is_none() {
            fail(
                "start_time",
                "L'heure de début est invalide (format attendu : HH:MM).",
            );
        }
        let end_time = parse_time_field(&draft.end_time);
        if end_time.is_none() {
            fail(
                "end_time",
                "L'heure de fin est invalide (format attendu : HH:MM).",
            );
        }
        let mut duration_minutes = 0;
        if let (Some(start), Some(end)) = (start_time, end_time) {
            let minutes = (end - start).num_minutes();
            if minutes <= 0 {
                fail(
                    "end_time",
                    "L'heure de fin doit être après l'heure de début.",
                );
            } else if minutes < 5 {
                fail("end_time", "Une réunion dure au moins 5 minutes.");
            } else {
                duration_minutes = minutes as u32;
            }
        }
        let mode = MeetingMode::from_code(draft.mode.trim());
        if mode.is_none() {
            fail("mode", "Choisissez le mode : présentiel, visio ou hybride.");
        }
        let address = draft.address.trim().to_string();
        if mode.is_some_and(MeetingMode::needs_address) && address.is_empty() {
            fail(
                "address",
                "L'adresse est obligatoire pour une réunion en présentiel ou hybride.",
            );
        }
        let start_local = date.zip(start_time).map(|(d, t)| d.and_time(t));
        let mut deadline_before_minutes = DEFAULT_DEADLINE_DAYS * 24 * 60;
        if !draft.deadline.trim().is_empty() {
            match parse_datetime_field(&draft.deadline) {
                None => fail("deadline", "La date limite d'envoi des cas est invalide."),
                Some(deadline) => {
                    if let Some(start) = start_local {
                        if deadline > start {
                            fail("deadline", "La date limite d'envoi des cas doit précéder le début de la réunion.");
                        } else {
                            deadline_before_minutes = (start - deadline).num_minutes();
                        }
                    }
                }
            }
        }
        let mut max_cases = None;
        if !draft.max_cases.trim().is_empty() {
            match draft.max_cases.trim().parse::<u32>() {
                Ok(n) if (1..=50).contains(&n) => max_cases = Some(n),
                _ => fail(
                    "max_cases",
                    "Le nombre maximal de cas doit être un entier entre 1 et 50.",
                ),
            }
        }
        let description_md = draft.description.trim_end().to_string();
        if description_md.chars().count() > MAX_DESCRIPTION_CHARS {
            fail(
                "description",
                "La description ne doit pas dépasser 20 000 caractères.",
            );
        }

        // Titles and descriptions are e-mailed and published in every invitee's calendar: no
        // direct identifier (the address is meant to be one, and is not checked). Likely and
        // certain findings are refused; possible ones only until the person confirms them.
        let confirmed = !draft.confirm_possible.trim().is_empty();
        let mut unconfirmed = 0;
        for (field, what, text) in [
            ("title", "Le titre", &draft.title),
            ("description", "La description", &draft.description),
        ] {
            for message in identifier_messages_in(what, text, territory) {
                fail(field, &message);
            }
            if !confirmed {
                for message in possible_identifier_messages_in(what, text, territory) {
                    fail(field, &message);
                    unconfirmed += 1;
                }
            }
        }
        if unconfirmed > 0 {
            fail("confirm_possible", CONFIRM_POSSIBLE_MESSAGE);
        }

        let recurrence = match (RepeatChoice::from_code(draft.repeat.trim()), date) {
            (None, _) => {
                fail("repeat", "Choisissez une périodicité valide.");
                None
            }
            (Some(RepeatChoice::None), _) | (Some(_), None) => None,
            (Some(choice), Some(date)) => match recurrence_from_draft(draft, choice, date) {
                Ok(rule) => Some(rule),
                Err((field, message)) => {
                    fail(field, &message);
                    None
                }
            },
        };

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidMeeting {
            kind: kind.expect("checked"),
            title,
            start_local: start_local.expect("checked"),
            duration_minutes,
            mode: mode.expect("checked"),
            address: if address.is_empty() {
                None
            } else {
                Some(address)
            },
            deadline_before_minutes,
            max_cases,
            description_md,
            recurrence,
        })
    }
}

fn recurrence_from_draft(
    draft: &MeetingDraft,
    choice: RepeatChoice,
    date: chrono::NaiveDate,
) -> Result<RecurrenceRule, (&'static str, String)> {
    let interval = if draft.interval.trim().is_empty() {
        1
    } else {
        draft.interval.trim().parse::<u32>().map_err(|_| {
            (
                "interval",
                "L'intervalle doit être un nombre entier.".to_string(),
            )
        })?
    };
    let end = match draft.end_kind.trim() {
        "count" => {
            let count = draft.count.trim().parse::<u32>().map_err(|_| {
                (
                    "count",
                    "Indiquez le nombre de séances (un entier).".to_string(),
                )
            })?;
            SeriesEnd::Count(count)
        }
        "until" => {
            let until = parse_date_field(&draft.until).ok_or((
                "until",
                "La date de fin de la série est invalide.".to_string(),
            ))?;
            if until < date {
                return Err((
                    "until",
                    "La date de fin de la série doit suivre la première séance.".to_string(),
                ));
            }
            SeriesEnd::Until(until)
        }
        "" | "never" => SeriesEnd::Never,
        _ => {
            return Err((
                "end_kind",
                "Choisissez comment la série se termine.".to_string(),
            ))
        }
    };
    let weekday = date.weekday();
    let nth_in_month = ((date.day() - 1) / 7 + 1) as i8;
    let (frequency, monthly) = match choice {
        RepeatChoice::None => unreachable!("handled by the caller"),
        RepeatChoice::Weekly => (Frequency::Weekly, None),
        RepeatChoice::MonthlyNthWeekday => {
            if nth_in_month > 4 {
                return Err((
                    "repeat",
                    "Ce jour est le 5e du mois : choisissez « le dernier … du mois ».".to_string(),
                ));
            }
            (
                Frequency::Monthly,
                Some(MonthlyPattern::NthWeekday {
                    nth: nth_in_month,
                    weekday,
                }),
            )
        }
        RepeatChoice::MonthlyLastWeekday => {
            let next_week = date + Duration::days(7);
            if next_week.month() == date.month() {
                return Err((
                    "repeat",
                    "Cette date n'est pas le dernier jour de ce type dans le mois.".to_string(),
                ));
            }
            (
                Frequency::Monthly,
                Some(MonthlyPattern::NthWeekday { nth: -1, weekday }),
            )
        }
        RepeatChoice::MonthlyDayOfMonth => (
            Frequency::Monthly,
            Some(MonthlyPattern::DayOfMonth(date.day() as u8)),
        ),
    };
    let rule = RecurrenceRule {
        frequency,
        interval,
        monthly,
        end,
    };
    rule.validate()
        .map_err(|error| ("interval", error.to_string()))?;
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> MeetingDraft {
        MeetingDraft {
            kind: "staff".into(),
            title: "Staff santé mentale".into(),
            date: "2027-02-09".into(),
            start_time: "12:30".into(),
            end_time: "14:00".into(),
            mode: "video".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_plain_meeting_is_valid_with_default_deadline() {
        let meeting = ValidMeeting::try_from(&draft()).unwrap();
        assert_eq!(meeting.duration_minutes, 90);
        assert_eq!(meeting.recurrence, None);
        let deadline = meeting.deadline_for(meeting.start_local);
        assert_eq!(deadline.to_string(), "2027-02-02 12:30:00");
    }

    #[test]
    fn end_before_start_is_refused_in_french() {
        let mut bad = draft();
        bad.end_time = "11:00".into();
        let errors = ValidMeeting::try_from(&bad).unwrap_err();
        assert_eq!(errors[0].field, "end_time");
        assert!(errors[0].message.contains("après l'heure de début"));
    }

    #[test]
    fn deadline_after_start_and_malformed_dates_are_refused() {
        let mut bad = draft();
        bad.deadline = "2027-02-10T09:00".into();
        bad.date = "2027-02-09".into();
        let errors = ValidMeeting::try_from(&bad).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "deadline"));

        let mut bad = draft();
        bad.date = "9 février".into();
        let errors = ValidMeeting::try_from(&bad).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "date"));
    }

    #[test]
    fn a_name_in_the_title_is_refused_with_its_kind_and_position() {
        let mut bad = draft();
        bad.title = "RCP Mme Dupont".into();
        let errors = ValidMeeting::try_from(&bad).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "title");
        let message = &errors[0].message;
        assert!(
            message.starts_with("Le titre contient un identifiant direct (Nom)"),
            "{message}"
        );
        assert!(
            message.contains("« Mme Dupont »") && message.contains("[NOM]"),
            "{message}"
        );
        assert!(message.contains("à la position 5 "), "{message}");
    }

    #[test]
    fn possible_identifiers_need_a_confirmation_likely_ones_are_refused() {
        let mut possible = draft();
        possible.description = "Cas présenté : madame blanc de peur depuis l'accident.".into();
        let errors = ValidMeeting::try_from(&possible).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["description", "confirm_possible"], "{errors:?}");
        assert!(
            errors[0].message.contains("peut-être")
                && errors[0].message.contains("« madame blanc »"),
            "{errors:?}"
        );
        possible.confirm_possible = "on".into();
        assert!(ValidMeeting::try_from(&possible).is_ok());
        // A confirmation does not let a likely identifier through.
        let mut likely = possible.clone();
        likely.description = "Cas de Mme Dupont, revue hier.".into();
        let errors = ValidMeeting::try_from(&likely).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "description");
        assert!(!errors[0].message.contains("peut-être"), "{errors:?}");
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let messages = identifier_messages("Le titre", "Réunion élargie : Mme Dupont");
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("à la position 19 "), "{messages:?}");
    }

    #[test]
    fn clinical_titles_and_the_address_pass() {
        for title in [
            "Staff santé mentale — CMP de Tours",
            "RCP maladie de Parkinson",
            // The demo meetings.
            "Staff santé mentale CPTS",
            "RCP psychiatrie – médecine générale",
            "Consultation conjointe MG – psychiatre",
            // Titles the integration and browser tests use.
            "Staff santé mentale (salle B)",
            "RCP imminente",
            "Staff ajouté à l'instant",
            "Staff hebdomadaire",
            "Staff bimestriel 1764599000000",
            "Réunion mal saisie",
            "Brouillon de staff",
        ] {
            let mut good = draft();
            good.title = title.into();
            assert!(ValidMeeting::try_from(&good).is_ok(), "{title}");
        }
        let mut good = draft();
        good.mode = "in_person".into();
        good.address = "Maison de santé, 12 rue Nationale, 37000 Tours".into();
        good.description = "Staff bimestriel **médecins généralistes – psychiatrie**.\n\n\
            - cas complexes envoyés au plus tard 7 jours avant\n- 20 minutes par cas"
            .into();
        assert!(ValidMeeting::try_from(&good).is_ok());
    }

    #[test]
    fn a_phone_number_in_the_description_is_refused() {
        let mut bad = draft();
        bad.description =
            "Ordre du jour : cas complexes.\nRenseignements au 06 12 34 56 78.".into();
        let errors = ValidMeeting::try_from(&bad).unwrap_err();
        let error = errors
            .iter()
            .find(|e| e.field == "description")
            .expect("a description error");
        assert!(
            error.message.starts_with("La description contient un identifiant direct (Téléphone) à la position 50 : « 06 12 34 56 78 »"),
            "{errors:?}"
        );
        assert!(error.message.contains("[TÉLÉPHONE]"));
    }

    #[test]
    fn in_person_needs_an_address() {
        let mut bad = draft();
        bad.mode = "in_person".into();
        let errors = ValidMeeting::try_from(&bad).unwrap_err();
        assert_eq!(errors[0].field, "address");
    }

    #[test]
    fn second_tuesday_every_two_months() {
        let mut series = draft();
        series.repeat = "monthly_nth_weekday".into();
        series.interval = "2".into();
        series.end_kind = "count".into();
        series.count = "6".into();
        let meeting = ValidMeeting::try_from(&series).unwrap();
        let rule = meeting.recurrence.unwrap();
        assert_eq!(rule.frequency, Frequency::Monthly);
        assert_eq!(rule.interval, 2);
        assert_eq!(
            rule.monthly,
            Some(MonthlyPattern::NthWeekday {
                nth: 2,
                weekday: chrono::Weekday::Tue
            })
        );
        assert_eq!(rule.end, SeriesEnd::Count(6));
    }

    #[test]
    fn fifth_weekday_must_use_last() {
        let mut series = draft();
        series.date = "2027-03-30".into(); // 5th Tuesday of March 2027
        series.repeat = "monthly_nth_weekday".into();
        assert!(ValidMeeting::try_from(&series).is_err());
        series.repeat = "monthly_last_weekday".into();
        assert!(ValidMeeting::try_from(&series).is_ok());
    }
}
