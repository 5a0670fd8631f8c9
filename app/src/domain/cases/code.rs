//! The pseudonymous code a case is known by (SPEC §5): `C-2026-014`, the year the case was
//! created and its number within the organisation that year. It replaces the patient's identity
//! everywhere: lists, agendas, e-mails, URLs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A case code: `C-<year>-<number>`, the number zero-padded to at least three digits
/// (`C-2026-014`, `C-2026-1203`). On the wire and in the database it is that string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseCode {
    /// Calendar year the case was created (four digits).
    pub year: i32,
    /// Number of the case within its organisation and year, from 1.
    pub number: u32,
}

/// Why a text is not a case code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseCodeError {
    /// Not of the form `C-2026-014`.
    #[error("Code de cas invalide : « {0} » (format attendu : C-2026-014).")]
    Invalid(String),
}

impl CaseCode {
    /// A code from its parts.
    pub const fn new(year: i32, number: u32) -> CaseCode {
        CaseCode { year, number }
    }
}

impl fmt::Display for CaseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C-{}-{:03}", self.year, self.number)
    }
}

impl FromStr for CaseCode {
    type Err = CaseCodeError;

    /// Parses `C-2026-014`. Forgiving where it cannot mislead, since people type codes into
    /// search boxes: surrounding spaces, a lower-case `c`, and a number with fewer or more leading
    /// zeros (`C-2026-14`, `C-2026-0014`) are accepted; the year must have four digits.
    fn from_str(text: &str) -> Result<CaseCode, CaseCodeError> {
        let invalid = || CaseCodeError::Invalid(text.trim().to_string());
        let trimmed = text.trim();
        let rest = trimmed
            .strip_prefix("C-")
            .or_else(|| trimmed.strip_prefix("c-"))
            .ok_or_else(invalid)?;
        let (year, number) = rest.split_once('-').ok_or_else(invalid)?;
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !all_digits(year) {
            return Err(invalid());
        }
        if !all_digits(number) {
            return Err(invalid());
        }
        Ok(CaseCode {
            year: year.parse().map_err(|_| invalid())?,
            // Too many digits for a u32 fails here.
            number: number.parse().map_err(|_| invalid())?,
        })
    }
}

impl Serialize for CaseCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CaseCode, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_with_at_least_three_digits() {
        assert_eq!(CaseCode::new(2026, 14).to_string(), "C-2026-014");
        assert_eq!(CaseCode::new(2026, 1).to_string(), "C-2026-001");
        assert_eq!(CaseCode::new(2026, 999).to_string(), "C-2026-999");
        assert_eq!(CaseCode::new(2026, 1203).to_string(), "C-2026-1203");
    }

    #[test]
    fn parses_what_it_displays() {
        for number in [0, 1, 14, 999, 1000, 123_456, u32::MAX] {
            let code = CaseCode::new(2026, number);
            assert_eq!(code.to_string().parse(), Ok(code));
        }
    }

    #[test]
    fn parsing_forgives_case_spaces_and_padding() {
        let code = CaseCode::new(2026, 14);
        for text in ["C-2026-014", " c-2026-014 ", "C-2026-14", "C-2026-0014"] {
            assert_eq!(text.parse(), Ok(code), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_code() {
        for text in [
            "",
            "C-2026",
            "2026-014",
            "D-2026-014",
            "C-26-014",
            "C-2026-",
            "C-2026-01a",
            "C-2026-+14",
            "C-2026--14",
            "C-2026-014-2",
            "C-2026-12345678901",
        ] {
            assert!(text.parse::<CaseCode>().is_err(), "{text}");
        }
        assert_eq!(
            "X".parse::<CaseCode>().unwrap_err().to_string(),
            "Code de cas invalide : « X » (format attendu : C-2026-014)."
        );
    }

    #[test]
    fn serde_uses_the_string() {
        let code = CaseCode::new(2026, 14);
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"C-2026-014\"");
        assert_eq!(
            serde_json::from_str::<CaseCode>("\"C-2026-014\"").unwrap(),
            code
        );
        assert!(serde_json::from_str::<CaseCode>("\"C2026\"").is_err());
    }

    #[test]
    fn orders_by_year_then_number() {
        assert!(CaseCode::new(2025, 900) < CaseCode::new(2026, 1));
        assert!(CaseCode::new(2026, 2) < CaseCode::new(2026, 10));
    }
}
