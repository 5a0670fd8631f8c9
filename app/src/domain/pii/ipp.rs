//! Hospital identifiers: IPP, NDA, n° de dossier, numéro patient, n° de séjour...

use super::lexicon::is_acronym;
use super::text::{Kind, Tokens, ALLCAPS};
use super::{Finding, PiiKind};

/// Words meaning "number" that turn the next noun into an identifier label ("n° de dossier").
fn is_number_word(t: &Tokens, i: usize) -> bool {
    t.is_word(i)
        && (matches!(
            t.f(i),
            "numero" | "num" | "no" | "nr" | "identifiant" | "id" | "ref" | "reference"
        ) || (t.f(i) == "n"
            && (t.is_punct(i + 1, '°') || t.is_punct(i + 1, 'º') || t.is_punct(i + 1, '.'))))
}

/// Whether a "number" word precedes token `i` closely ("n° de dossier", "numéro patient").
fn number_word_before(t: &Tokens, i: usize) -> bool {
    let mut k = i;
    for _ in 0..4 {
        if k == 0 {
            return false;
        }
        k -= 1;
        if is_number_word(t, k) {
            return true;
        }
        let skip = matches!(
            t.f(k),
            "de" | "d" | "du" | "'" | "°" | "º" | "." | ":" | "unique" | "du patient"
        );
        if !skip {
            return false;
        }
    }
    false
}

/// Whether token `i` is an identifier label.
fn is_label(t: &Tokens, i: usize) -> bool {
    if !t.is_word(i) {
        return false;
    }
    match t.f(i) {
        "ipp" => true,
        "nda" | "nip" | "iep" | "ndossier" => t.has(i, ALLCAPS),
        "dossier" => {
            number_word_before(t, i)
                || (t.is_num(i + 1) && t.ndigits(i + 1) >= 5)
                || (t.is_num(i + 1) && t.is_punct(i + 2, '-') && t.glued(i + 2) && t.is_num(i + 3))
                || is_number_word(t, i + 1)
                || t.is_punct(i + 1, '#')
                || ((t.is(i + 1, "patient") || t.is(i + 1, "medical"))
                    && (t.is_punct(i + 2, ':') || t.is_num(i + 2)))
        }
        "patient" | "patiente" | "sejour" | "admission" | "venue" | "hospitalisation"
        | "identification" | "hospitalier" | "administratif" => number_word_before(t, i),
        _ => false,
    }
}

/// Words that may sit between a label and the identifier.
fn is_filler(t: &Tokens, i: usize) -> bool {
    match t.kind(i) {
        Some(Kind::Punct) => matches!(
            t.raw(i),
            ":" | "#" | "=" | "°" | "º" | "." | "-" | "(" | "/" | "'"
        ),
        Some(Kind::Word) => {
            matches!(
                t.f(i),
                "n" | "no"
                    | "numero"
                    | "num"
                    | "de"
                    | "du"
                    | "d"
                    | "la"
                    | "le"
                    | "l"
                    | "patient"
                    | "patiente"
                    | "est"
                    | "au"
                    | "a"
                    | "hospitalier"
                    | "dossier"
                    | "sejour"
                    | "interne"
                    | "ipp"
                    | "nda"
                    | "unique"
                    | "medical"
                    | "administratif"
                    | "local"
                    | "identifiant"
                    | "du patient"
                    | "son"
                    | "sa"
                    | "actuel"
                    | "chez"
                    | "nous"
                    | "pour"
                    | "information"
            ) || (t.has(i, ALLCAPS) && is_acronym(t.f(i)))
        }
        _ => false,
    }
}

/// Parses an identifier starting at token `j`; returns (last token, digit count).
fn identifier(t: &Tokens, j: usize) -> Option<(usize, usize)> {
    let mut k = j;
    let mut digits = 0;
    // Optional short letter prefix glued to digits ("A123456", "PAT-2019-0045").
    if t.is_word(k) {
        if t.raw(k).len() > 4 || !t.has(k, super::text::CAP) {
            return None;
        }
        let next = k + 1;
        let next_ok = t.glued(next)
            && (t.is_num(next)
                || ((t.is_punct(next, '-') || t.is_punct(next, '/'))
                    && t.is_num(next + 1)
                    && t.glued(next + 1)));
        if !next_ok {
            return None;
        }
    } else if !t.is_num(k) {
        return None;
    } else {
        digits += t.ndigits(k);
    }
    // Glued continuation: digits, letters, and - / _ . between alphanumerics.
    loop {
        let n = k + 1;
        if !t.glued(n) {
            break;
        }
        let sep_then_alnum =
            (t.is_punct(n, '-') || t.is_punct(n, '/') || t.is_punct(n, '_') || t.is_punct(n, '.'))
                && t.glued(n + 1)
                && (t.is_num(n + 1) || (t.is_word(n + 1) && t.raw(n + 1).len() <= 3));
        if t.is_num(n) {
            digits += t.ndigits(n);
            k = n;
        } else if (t.is_word(n) && t.raw(n).len() <= 3) || sep_then_alnum {
            k = n;
        } else {
            break;
        }
    }
    // Space-grouped digits ("123 456 789") when the groups are short.
    while t.is_num(k) && (2..=4).contains(&t.ndigits(k)) {
        let n = k + 1;
        if t.is_num(n)
            && t.same_line(n)
            && (2..=4).contains(&t.ndigits(n))
            && digits + t.ndigits(n) <= 15
        {
            digits += t.ndigits(n);
            k = n;
        } else {
            break;
        }
    }
    Some((k, digits))
}

/// Finds hospital identifiers.
pub fn find(t: &Tokens, out: &mut Vec<Finding>) {
    let n = t.len();
    let mut i = 0;
    while i < n {
        if !is_label(t, i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut steps = 0;
        let mut found = None;
        while j < n && steps < 8 && t.same_line(j) {
            if t.is_num(j) || (t.is_word(j) && !is_filler(t, j)) {
                if let Some((e, digits)) = identifier(t, j) {
                    let year_like =
                        digits == 4 && e == j && matches!(t.raw(j).get(..2), Some("19" | "20"));
                    if digits >= 4 && !year_like {
                        found = Some((j, e));
                    }
                }
                break;
            }
            if !is_filler(t, j) {
                break;
            }
            j += 1;
            steps += 1;
        }
        if let Some((s, e)) = found {
            out.push(Finding {
                kind: PiiKind::Ipp,
                start: t.toks[s].start,
                end: t.toks[e].end,
            });
            i = e + 1;
        } else {
            i += 1;
        }
    }
}
