//! Each territory's words: an organisation's allow-list (local place and programme names, the
//! names of people a CMP or a service is named after: "CMP Henri Wallon") and deny-list
//! (surnames common in the territory that the general lists miss). Coordinators keep both; a
//! clinician proposes an allow entry with "pas un identifiant" in the editor.
//!
//! An entry is one word or a few, compared on folded forms (case and accents ignored), token by
//! token. An allowed entry silences the *name* and *address* findings made only of its words;
//! it never silences a telephone number, a NIR, an e-mail, a date of birth or a hospital
//! number. A denied entry is flagged as a name wherever it appears, unless an allowed entry
//! covers it.

use super::text::{fold, Tokens};
use super::{Confidence, Finding, PiiKind};

/// The longest entry, in characters.
pub const MAX_ENTRY_CHARS: usize = 80;

/// Why an entry is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Blank, or no letter.
    #[error("Indiquez un mot ou un nom (des lettres).")]
    Empty,
    /// Too long.
    #[error("Une entrée ne peut pas dépasser 80 caractères.")]
    TooLong,
    /// Digits: numbers are never allowed (a phone number or a NIR must always be flagged).
    #[error(
        "Une entrée ne peut pas contenir de chiffres : les numéros restent toujours signalés."
    )]
    Digits,
    /// More than five words.
    #[error("Une entrée compte au plus cinq mots.")]
    TooManyWords,
}

/// An entry as stored and shown: trimmed, inner spaces collapsed (case kept for display).
pub fn normalise_entry(text: &str) -> Result<String, EntryError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let entry = words.join(" ");
    if !entry.chars().any(char::is_alphabetic) {
        return Err(EntryError::Empty);
    }
    if entry.chars().count() > MAX_ENTRY_CHARS {
        return Err(EntryError::TooLong);
    }
    if entry.chars().any(|c| c.is_ascii_digit()) {
        return Err(EntryError::Digits);
    }
    if words.len() > 5 {
        return Err(EntryError::TooManyWords);
    }
    Ok(entry)
}

/// An organisation's words, ready to apply: each entry as its folded word tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Territory {
    allow: Vec<Vec<String>>,
    deny: Vec<Vec<String>>,
}

/// The folded word tokens of an entry (punctuation dropped: "N'Diaye" is "n", "diaye").
fn entry_words(entry: &str) -> Vec<String> {
    let tokens = Tokens::new(entry);
    (0..tokens.len())
        .filter(|&i| tokens.is_word(i))
        .map(|i| tokens.f(i).to_string())
        .collect()
}

impl Territory {
    /// No words: the detector as it is.
    pub fn none() -> Territory {
        Territory::default()
    }

    /// From the approved entries of an organisation.
    pub fn new<A: AsRef<str>, D: AsRef<str>>(allow: &[A], deny: &[D]) -> Territory {
        let build = |entries: Vec<&str>| -> Vec<Vec<String>> {
            let mut out: Vec<Vec<String>> = entries
                .into_iter()
                .map(entry_words)
                .filter(|words| !words.is_empty())
                .collect();
            out.sort();
            out.dedup();
            out
        };
        Territory {
            allow: build(allow.iter().map(AsRef::as_ref).collect()),
            deny: build(deny.iter().map(AsRef::as_ref).collect()),
        }
    }

    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// Byte ranges of every occurrence of `entries` in `tokens` (word tokens in a row, whatever
    /// the punctuation between them).
    fn occurrences(tokens: &Tokens, entries: &[Vec<String>]) -> Vec<(usize, usize)> {
        let words: Vec<usize> = (0..tokens.len()).filter(|&i| tokens.is_word(i)).collect();
        let mut out = Vec::new();
        for entry in entries {
            if entry.len() > words.len() {
                continue;
            }
            for start in 0..=words.len() - entry.len() {
                let matches = entry
                    .iter()
                    .enumerate()
                    .all(|(k, word)| tokens.f(words[start + k]) == word);
                if matches {
                    let first = tokens.toks[words[start]].start;
                    let last = tokens.toks[words[start + entry.len() - 1]].end;
                    out.push((first, last));
                }
            }
        }
        out
    }

    /// `findings` (of `text`) with the organisation's words applied: name and address findings
    /// whose words are all inside allowed entries are dropped; denied entries not yet covered
    /// are added as likely names. Sorted by start, not overlapping.
    pub fn apply(&self, text: &str, mut findings: Vec<Finding>) -> Vec<Finding> {
        if self.is_empty() {
            return findings;
        }
        let tokens = Tokens::new(text);
        let allowed = Territory::occurrences(&tokens, &self.allow);
        let inside_allowed = |start: usize, end: usize| {
            (0..tokens.len())
                .filter(|&i| tokens.is_word(i))
                .filter(|&i| tokens.toks[i].start >= start && tokens.toks[i].end <= end)
                .all(|i| {
                    let (s, e) = (tokens.toks[i].start, tokens.toks[i].end);
                    allowed.iter().any(|&(a, b)| a <= s && e <= b)
                })
        };
        findings.retain(|f| {
            !(matches!(f.kind, PiiKind::Name | PiiKind::Address) && inside_allowed(f.start, f.end))
        });
        for (start, end) in Territory::occurrences(&tokens, &self.deny) {
            let overlaps = findings.iter().any(|f| f.start < end && start < f.end);
            let allowed_here = allowed.iter().any(|&(a, b)| a <= start && end <= b);
            if !overlaps && !allowed_here {
                findings.push(Finding::new(
                    PiiKind::Name,
                    start,
                    end,
                    Confidence::Likely,
                    "nom signalé par votre organisation",
                ));
            }
        }
        findings.sort_by_key(|f| f.start);
        findings
    }
}

/// The folded form of an entry, to compare two entries ("Henri  WALLON" = "henri wallon").
pub fn entry_key(entry: &str) -> String {
    fold(&entry_words(entry).join(" "))
}

#[cfg(test)]
mod tests {
    use super::super::find_identifiers;
    use super::*;

    fn kinds(text: &str, territory: &Territory) -> Vec<(PiiKind, String)> {
        territory
            .apply(text, find_identifiers(text))
            .into_iter()
            .map(|f| (f.kind, text[f.start..f.end].to_string()))
            .collect()
    }

    #[test]
    fn an_allowed_place_named_after_a_person_is_no_longer_a_name() {
        let text = "Adressée à l'équipe Françoise Dolto, suivie par Mme Lefebvre.";
        let before = kinds(text, &Territory::none());
        assert!(
            before
                .iter()
                .any(|(k, t)| *k == PiiKind::Name && t.contains("Dolto")),
            "{before:?}"
        );
        let territory = Territory::new(&["francoise  DOLTO"], &[] as &[&str]);
        let after = kinds(text, &territory);
        assert!(!after.iter().any(|(_, t)| t.contains("Dolto")), "{after:?}");
        // The patient's name is still found.
        assert!(
            after.iter().any(|(_, t)| t.contains("Lefebvre")),
            "{after:?}"
        );
    }

    #[test]
    fn allowed_words_never_hide_numbers() {
        let territory = Territory::new(&["Wallon"], &[] as &[&str]);
        let text = "CMP Wallon, tél. 06 12 34 56 78.";
        assert!(kinds(text, &territory)
            .iter()
            .any(|(k, _)| *k == PiiKind::Phone));
    }

    #[test]
    fn a_denied_surname_is_flagged_even_without_a_cue_and_in_lower_case() {
        let territory = Territory::new(&[] as &[&str], &["Tessier"]);
        for text in ["vu avec tessier hier", "Revu ce jour, Tessier inquiet."] {
            let found = kinds(text, &territory);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, PiiKind::Name);
            assert!(found[0].1.eq_ignore_ascii_case("tessier"));
        }
        // Part of a longer word: not flagged.
        assert!(kinds("tessiers", &territory).is_empty());
    }

    #[test]
    fn an_allowed_entry_wins_over_a_denied_word_inside_it() {
        let territory = Territory::new(&["Maison Tessier"], &["Tessier"]);
        assert!(kinds("Rendez-vous à la Maison Tessier.", &territory).is_empty());
        assert_eq!(kinds("Mr tessier est venu.", &territory).len(), 1);
    }

    #[test]
    fn entries_are_checked() {
        assert_eq!(
            normalise_entry("  Henri   Wallon "),
            Ok("Henri Wallon".into())
        );
        assert_eq!(normalise_entry("  "), Err(EntryError::Empty));
        assert_eq!(normalise_entry("06 12"), Err(EntryError::Empty));
        assert_eq!(normalise_entry("CMP 12"), Err(EntryError::Digits));
        assert_eq!(
            normalise_entry("a b c d e f"),
            Err(EntryError::TooManyWords)
        );
        assert_eq!(normalise_entry(&"a".repeat(81)), Err(EntryError::TooLong));
        assert_eq!(entry_key("Henri  WALLON"), entry_key("henri wallon"));
        assert_eq!(entry_key("Élodie"), "elodie");
    }
}
