//! Detection of direct identifiers in French clinical text (SPEC §5, pseudonymisation).
//!
//! [`find_identifiers`] returns the byte ranges of person names, NIR, telephone numbers, e-mail
//! addresses, postal addresses, full dates of birth and hospital identifiers (IPP, n° de dossier).
//! It is pure Rust with no dependency beyond `serde` and std, so it runs in the server and, compiled
//! to wasm, in the browser on every keystroke. Every scanner is a small hand-written pass over bytes
//! or tokens; names combine context cues (titles, kinship words, labels) with embedded given-name
//! and surname lists (see `data/README.md` for their source and licence) and an allow-list of
//! clinical vocabulary (drugs, eponyms, institutions, places) and of national programme names
//! (`data/programmes.txt`). The cues that introduce names (titles, civil-status labels, "née",
//! "épouse"...) are a table of rules in `cues.rs`. Every finding carries a [`Confidence`] and a
//! short French reason.

mod address;
mod cues;
mod dates;
mod email;
mod ipp;
mod lexicon;
mod names;
mod nir;
mod phone;
mod shape;
mod territory;
mod text;

#[cfg(test)]
mod tests;

#[cfg(feature = "hydrate")]
pub use lexicon::install_name_lists;
#[cfg(not(feature = "hydrate"))]
pub use lexicon::name_lists_text;
pub use lexicon::NAME_LISTS_PATH;
pub use nir::nir_key_is_valid;
pub use territory::{entry_key, normalise_entry, EntryError, Territory};

use std::borrow::Cow;

/// Kind of direct identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PiiKind {
    /// Person name (patient, relative, named clinician).
    Name,
    /// French social security number (13 characters + 2-digit key).
    Nir,
    /// Telephone number.
    Phone,
    /// E-mail address.
    Email,
    /// Postal address.
    Address,
    /// Full date of birth.
    Birthdate,
    /// Hospital identifier (IPP, NDA, n° de dossier...).
    Ipp,
}

impl PiiKind {
    /// All kinds, in declaration order.
    pub const ALL: [PiiKind; 7] = [
        PiiKind::Name,
        PiiKind::Nir,
        PiiKind::Phone,
        PiiKind::Email,
        PiiKind::Address,
        PiiKind::Birthdate,
        PiiKind::Ipp,
    ];

    /// Stable uppercase code ("NAME", "NIR", "PHONE", "EMAIL", "ADDRESS", "BIRTHDATE", "IPP"),
    /// identical to the serde representation.
    pub fn code(self) -> &'static str {
        match self {
            PiiKind::Name => "NAME",
            PiiKind::Nir => "NIR",
            PiiKind::Phone => "PHONE",
            PiiKind::Email => "EMAIL",
            PiiKind::Address => "ADDRESS",
            PiiKind::Birthdate => "BIRTHDATE",
            PiiKind::Ipp => "IPP",
        }
    }

    /// Replacement text shown to the user ("[NOM]", "[TÉLÉPHONE]"...).
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Name => "[NOM]",
            PiiKind::Nir => "[NIR]",
            PiiKind::Phone => "[TÉLÉPHONE]",
            PiiKind::Email => "[E-MAIL]",
            PiiKind::Address => "[ADRESSE]",
            PiiKind::Birthdate => "[DATE DE NAISSANCE]",
            PiiKind::Ipp => "[IPP]",
        }
    }

    /// French label for messages ("Nom", "Téléphone"...).
    pub fn label_fr(self) -> &'static str {
        match self {
            PiiKind::Name => "Nom",
            PiiKind::Nir => "NIR (n° de sécurité sociale)",
            PiiKind::Phone => "Téléphone",
            PiiKind::Email => "Adresse e-mail",
            PiiKind::Address => "Adresse postale",
            PiiKind::Birthdate => "Date de naissance",
            PiiKind::Ipp => "Identifiant hospitalier",
        }
    }

    /// Parses a code produced by [`PiiKind::code`].
    pub fn from_code(code: &str) -> Option<PiiKind> {
        PiiKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Precedence when two findings overlap (higher wins).
    fn priority(self) -> u8 {
        match self {
            PiiKind::Email => 7,
            PiiKind::Ipp => 6,
            PiiKind::Nir => 5,
            PiiKind::Phone => 4,
            PiiKind::Birthdate => 3,
            PiiKind::Address => 2,
            PiiKind::Name => 1,
        }
    }
}

/// How sure the detector is that a finding is an identifier.
///
/// Ordered from the weakest to the strongest, so `confidence >= Confidence::Likely` selects
/// the findings that must not leave the browser unreplaced.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Confidence {
    /// Shape without context: an unlabelled grouped hospital number, a name in a list with weak
    /// evidence. Worth showing; may be a false alarm.
    Possible,
    /// Context cue (title, civil-status label, kinship word) or a listed name in a name context.
    #[default]
    Likely,
    /// Self-certifying: NIR with a valid key, e-mail address, labelled hospital number.
    Certain,
}

impl Confidence {
    /// Stable uppercase code ("POSSIBLE", "LIKELY", "CERTAIN"), identical to the serde form.
    pub fn code(self) -> &'static str {
        match self {
            Confidence::Possible => "POSSIBLE",
            Confidence::Likely => "LIKELY",
            Confidence::Certain => "CERTAIN",
        }
    }

    /// French label for messages ("possible", "probable", "certain").
    pub fn label_fr(self) -> &'static str {
        match self {
            Confidence::Possible => "possible",
            Confidence::Likely => "probable",
            Confidence::Certain => "certain",
        }
    }
}

/// One detected identifier: its kind and UTF-8 byte range `start..end` in the text
/// (both on char boundaries), how sure the detector is and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// Kind of identifier.
    pub kind: PiiKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
    /// How sure the detector is.
    #[serde(default)]
    pub confidence: Confidence,
    /// Short French explanation ("après « Mme »", "clé NIR valide", "format d'IPP sans libellé").
    #[serde(default)]
    pub reason: Cow<'static, str>,
}

impl Finding {
    /// A finding with its confidence and reason.
    pub fn new(
        kind: PiiKind,
        start: usize,
        end: usize,
        confidence: Confidence,
        reason: impl Into<Cow<'static, str>>,
    ) -> Finding {
        Finding {
            kind,
            start,
            end,
            confidence,
            reason: reason.into(),
        }
    }

    /// Placeholder that replaces this finding.
    pub fn placeholder(&self) -> &'static str {
        self.kind.placeholder()
    }
}

/// Finds the direct identifiers in `text`. The result is sorted by `start` and its ranges do not
/// overlap; when two candidates overlap, the more specific kind wins (e-mail > IPP > NIR > phone >
/// date of birth > address > name), then the longer one.
pub fn find_identifiers(text: &str) -> Vec<Finding> {
    let mut cands = Vec::new();
    email::find(text, &mut cands);
    nir::find(text, &mut cands);
    phone::find(text, &mut cands);
    let toks = text::Tokens::new(text);
    ipp::find(&toks, &mut cands);
    dates::find(&toks, &mut cands);
    address::find(&toks, &mut cands);
    names::find(&toks, &mut cands);
    dates::after_names(&toks, &mut cands);
    resolve(text, cands)
}

/// [`find_identifiers`] with an organisation's words applied (its allow- and deny-lists).
pub fn find_identifiers_in(text: &str, territory: &Territory) -> Vec<Finding> {
    territory.apply(text, find_identifiers(text))
}

#[cfg(feature = "hydrate")]
thread_local! {
    static BROWSER_TERRITORY: std::cell::RefCell<Territory> = std::cell::RefCell::new(Territory::none());
}

/// In the browser: installs the current organisation's words (fetched once the page is
/// interactive); the editor applies them from then on.
#[cfg(feature = "hydrate")]
pub fn install_territory(territory: Territory) {
    BROWSER_TERRITORY.with(|t| *t.borrow_mut() = territory);
}

/// What the editor shows: in the browser, with the organisation's words once installed; on the
/// server (first render), the detector alone.
pub fn find_identifiers_here(text: &str) -> Vec<Finding> {
    #[cfg(feature = "hydrate")]
    {
        BROWSER_TERRITORY.with(|t| find_identifiers_in(text, &t.borrow()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        find_identifiers(text)
    }
}

/// Keeps a non-overlapping subset of candidates, by priority then length, sorted by start.
fn resolve(text: &str, mut cands: Vec<Finding>) -> Vec<Finding> {
    cands.retain(|f| {
        f.start < f.end
            && f.end <= text.len()
            && text.is_char_boundary(f.start)
            && text.is_char_boundary(f.end)
    });
    cands.sort_by(|a, b| {
        b.kind
            .priority()
            .cmp(&a.kind.priority())
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    // Accepted ranges keyed by start; a candidate is checked against its two neighbours.
    let mut kept: std::collections::BTreeMap<usize, Finding> = std::collections::BTreeMap::new();
    for c in cands {
        let before_ok = kept
            .range(..=c.start)
            .next_back()
            .is_none_or(|(_, k)| k.end <= c.start);
        let after_ok = kept
            .range(c.start..)
            .next()
            .is_none_or(|(_, k)| k.start >= c.end);
        if before_ok && after_ok {
            kept.insert(c.start, c);
        }
    }
    kept.into_values().collect()
}

/// Returns `text` with every finding replaced by its placeholder. Findings that overlap an
/// earlier one, fall outside the text or cut a character are ignored.
pub fn replace_all(text: &str, findings: &[Finding]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| (f.start, f.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in sorted {
        if f.start < pos || f.end > text.len() || f.start >= f.end {
            continue;
        }
        if !text.is_char_boundary(f.start) || !text.is_char_boundary(f.end) {
            continue;
        }
        out.push_str(&text[pos..f.start]);
        out.push_str(f.placeholder());
        pos = f.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Asks the person to replace or confirm the passages flagged as *possible* identifiers (shown
/// beside the "Je confirme…" checkbox).
pub const CONFIRM_POSSIBLE_MESSAGE: &str = "Vérifiez les passages signalés comme identifiants possibles : remplacez-les, ou cochez cette case s'ils n'en sont pas.";

/// One French message per likely or certain direct identifier found in `text` (a field named
/// `what`, e.g. "Le titre"): its kind, its position (1-based, in characters, as the user counts
/// them) and its placeholder. These are refused.
pub fn identifier_messages(what: &str, text: &str) -> Vec<String> {
    identifier_messages_in(what, text, &Territory::none())
}

/// [`identifier_messages`] with an organisation's words applied.
pub fn identifier_messages_in(what: &str, text: &str, territory: &Territory) -> Vec<String> {
    find_identifiers_in(text, territory)
        .into_iter()
        .filter(|finding| finding.confidence > Confidence::Possible)
        .map(|finding| {
            let position = text[..finding.start].chars().count() + 1;
            format!(
                "{what} contient un identifiant direct ({}) à la position {position} : « {} ». Remplacez-le par {}.",
                finding.kind.label_fr(),
                &text[finding.start..finding.end],
                finding.placeholder(),
            )
        })
        .collect()
}

/// One French message per *possible* identifier in `text` (weak evidence: may be a false
/// alarm), with the reason; saved only once the person confirms.
pub fn possible_identifier_messages(what: &str, text: &str) -> Vec<String> {
    possible_identifier_messages_in(what, text, &Territory::none())
}

/// [`possible_identifier_messages`] with an organisation's words applied.
pub fn possible_identifier_messages_in(
    what: &str,
    text: &str,
    territory: &Territory,
) -> Vec<String> {
    find_identifiers_in(text, territory)
        .into_iter()
        .filter(|finding| finding.confidence == Confidence::Possible)
        .map(|finding| {
            let position = text[..finding.start].chars().count() + 1;
            format!(
                "{what} contient peut-être un identifiant direct ({}, {}) à la position {position} : « {} ». Remplacez-le par {} ou confirmez que ce n'en est pas un.",
                finding.kind.label_fr(),
                finding.reason,
                &text[finding.start..finding.end],
                finding.placeholder(),
            )
        })
        .collect()
}
