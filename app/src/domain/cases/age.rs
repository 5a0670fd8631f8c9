//! The patient's age, the only demographic a case keeps besides sex (SPEC §5): a number of years
//! or, for more discretion, a ten-year band. Concerto serves adult psychiatry only (SPEC §4), so
//! minors are refused here, once, for the form and the server alike.

use serde::{Deserialize, Serialize};

/// Youngest age accepted: adult patients only.
const ADULT_AGE: u8 = 18;
/// Oldest age accepted; beyond is a typing mistake.
const MAX_AGE: u8 = 120;

/// An age band, as used by activity reports and by authors who prefer not to give the exact age.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    /// 18 to 24.
    #[serde(rename = "18-24")]
    From18To24,
    /// 25 to 34.
    #[serde(rename = "25-34")]
    From25To34,
    /// 35 to 44.
    #[serde(rename = "35-44")]
    From35To44,
    /// 45 to 54.
    #[serde(rename = "45-54")]
    From45To54,
    /// 55 to 64.
    #[serde(rename = "55-64")]
    From55To64,
    /// 65 to 74.
    #[serde(rename = "65-74")]
    From65To74,
    /// 75 and over.
    #[serde(rename = "75+")]
    From75,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 7] = [
        AgeBand::From18To24,
        AgeBand::From25To34,
        AgeBand::From35To44,
        AgeBand::From45To54,
        AgeBand::From55To64,
        AgeBand::From65To74,
        AgeBand::From75,
    ];

    /// Stable code used in the database and in forms ("45-54", "75+").
    pub fn code(self) -> &'static str {
        match self {
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To44 => "35-44",
            AgeBand::From45To54 => "45-54",
            AgeBand::From55To64 => "55-64",
            AgeBand::From65To74 => "65-74",
            AgeBand::From75 => "75+",
        }
    }

    /// Parses a code produced by [`AgeBand::code`]; an en dash ("45–54") is accepted too.
    pub fn from_code(code: &str) -> Option<AgeBand> {
        let code = code.trim().replace('–', "-");
        AgeBand::ALL.into_iter().find(|band| band.code() == code)
    }

    /// French label ("18–24 ans", "75 ans et plus").
    pub fn label_fr(self) -> &'static str {
        match self {
            AgeBand::From18To24 => "18–24 ans",
            AgeBand::From25To34 => "25–34 ans",
            AgeBand::From35To44 => "35–44 ans",
            AgeBand::From45To54 => "45–54 ans",
            AgeBand::From55To64 => "55–64 ans",
            AgeBand::From65To74 => "65–74 ans",
            AgeBand::From75 => "75 ans et plus",
        }
    }

    /// The band an adult age falls in; `None` under 18.
    pub fn of_years(years: u8) -> Option<AgeBand> {
        Some(match years {
            0..=17 => return None,
            18..=24 => AgeBand::From18To24,
            25..=34 => AgeBand::From25To34,
            35..=44 => AgeBand::From35To44,
            45..=54 => AgeBand::From45To54,
            55..=64 => AgeBand::From55To64,
            65..=74 => AgeBand::From65To74,
            _ => AgeBand::From75,
        })
    }
}

/// A valid adult age: exact years (18 to 120) or a band. Only [`parse_age`] builds one from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Age {
    /// Exact age in years, 18 to 120.
    Years(u8),
    /// Age band.
    Band(AgeBand),
}

impl Age {
    /// French label ("42 ans", "45–54 ans").
    pub fn label_fr(self) -> String {
        match self {
            Age::Years(years) => format!("{years} ans"),
            Age::Band(band) => band.label_fr().to_string(),
        }
    }

    /// The text to store in [`super::CaseContent::age`]: "42" or a band code; [`parse_age`]
    /// reads it back.
    pub fn code(self) -> String {
        match self {
            Age::Years(years) => years.to_string(),
            Age::Band(band) => band.code().to_string(),
        }
    }

    /// The band, exact or derived from the years (for reports).
    pub fn band(self) -> AgeBand {
        match self {
            Age::Years(years) => AgeBand::of_years(years).unwrap_or(AgeBand::From18To24),
            Age::Band(band) => band,
        }
    }
}

/// Why an age cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AgeError {
    /// Nothing typed.
    #[error("{}", self.label_fr())]
    Missing,
    /// Under 18: out of scope.
    #[error("{}", self.label_fr())]
    Minor,
    /// Over 120: surely a typing mistake.
    #[error("{}", self.label_fr())]
    Implausible,
    /// Neither a number of years nor a band.
    #[error("{}", self.label_fr())]
    Unreadable,
}

impl AgeError {
    /// The French message, also the error's `Display`.
    pub fn label_fr(self) -> &'static str {
        match self {
            AgeError::Missing => "Âge non renseigné.",
            AgeError::Minor => {
                "Concerto est réservé aux patients adultes : les mineurs (moins de 18 ans) ne \
                 relèvent pas de ce dispositif."
            }
            AgeError::Implausible => "Âge invraisemblable : 120 ans au plus.",
            AgeError::Unreadable => {
                "Âge non reconnu : indiquer un nombre d'années (ex. 42) ou une tranche \
                 (ex. 45-54, 75+)."
            }
        }
    }
}

/// Parses the age field: a number of years ("42", also "42 ans") or a band code ("45-54",
/// "45–54", "75+"). Surrounding spaces are ignored.
pub fn parse_age(input: &str) -> Result<Age, AgeError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(AgeError::Missing);
    }
    if let Some(band) = AgeBand::from_code(text) {
        return Ok(Age::Band(band));
    }
    let digits = text
        .strip_suffix("ans")
        .or_else(|| text.strip_suffix("an"))
        .unwrap_or(text)
        .trim_end();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AgeError::Unreadable);
    }
    // More than three digits cannot be a human age; avoid overflowing u8 while parsing.
    let years: u32 = if digits.len() > 3 {
        u32::MAX
    } else {
        digits.parse().map_err(|_| AgeError::Unreadable)?
    };
    if years < u32::from(ADULT_AGE) {
        Err(AgeError::Minor)
    } else if years > u32::from(MAX_AGE) {
        Err(AgeError::Implausible)
    } else {
        // In range 18..=120, so it fits.
        Ok(Age::Years(years as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_years() {
        assert_eq!(parse_age("42"), Ok(Age::Years(42)));
        assert_eq!(parse_age(" 42 ans "), Ok(Age::Years(42)));
        assert_eq!(parse_age("18"), Ok(Age::Years(18)));
        assert_eq!(parse_age("120"), Ok(Age::Years(120)));
        assert_eq!(parse_age("018"), Ok(Age::Years(18)));
    }

    #[test]
    fn refuses_minors_and_implausible_ages() {
        assert_eq!(parse_age("17"), Err(AgeError::Minor));
        assert_eq!(parse_age("0"), Err(AgeError::Minor));
        assert_eq!(parse_age("121"), Err(AgeError::Implausible));
        assert_eq!(parse_age("99999999999"), Err(AgeError::Implausible));
        assert!(AgeError::Minor.to_string().contains("mineurs"));
    }

    #[test]
    fn parses_bands() {
        for band in AgeBand::ALL {
            assert_eq!(parse_age(band.code()), Ok(Age::Band(band)));
            assert_eq!(AgeBand::from_code(band.code()), Some(band));
        }
        assert_eq!(parse_age("45–54"), Ok(Age::Band(AgeBand::From45To54)));
        assert_eq!(AgeBand::From75.label_fr(), "75 ans et plus");
        assert_eq!(AgeBand::From18To24.label_fr(), "18–24 ans");
    }

    #[test]
    fn empty_is_missing_and_garbage_unreadable() {
        assert_eq!(parse_age(""), Err(AgeError::Missing));
        assert_eq!(parse_age("   "), Err(AgeError::Missing));
        for text in ["quarante", "-3", "4.5", "ans", "10-17", "42 ans et demi"] {
            assert_eq!(parse_age(text), Err(AgeError::Unreadable), "{text}");
        }
    }

    #[test]
    fn labels_and_codes_round_trip() {
        assert_eq!(Age::Years(42).label_fr(), "42 ans");
        assert_eq!(Age::Band(AgeBand::From35To44).label_fr(), "35–44 ans");
        for age in [Age::Years(18), Age::Years(77), Age::Band(AgeBand::From75)] {
            assert_eq!(parse_age(&age.code()), Ok(age));
        }
    }

    #[test]
    fn bands_cover_every_adult_age() {
        assert_eq!(AgeBand::of_years(17), None);
        assert_eq!(AgeBand::of_years(18), Some(AgeBand::From18To24));
        assert_eq!(AgeBand::of_years(24), Some(AgeBand::From18To24));
        assert_eq!(AgeBand::of_years(25), Some(AgeBand::From25To34));
        assert_eq!(AgeBand::of_years(74), Some(AgeBand::From65To74));
        assert_eq!(AgeBand::of_years(75), Some(AgeBand::From75));
        assert_eq!(Age::Years(120).band(), AgeBand::From75);
        assert_eq!(
            serde_json::to_string(&Age::Band(AgeBand::From75)).unwrap(),
            r#"{"band":"75+"}"#
        );
    }
}
