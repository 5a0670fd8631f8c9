//! Hospital identifiers: IPP, NDA, n° de dossier, numéro patient, n° de séjour...

use super::lexicon::is_acronym;
use super::text::{Kind, Tokens, ALLCAPS};
use super::{Confidence, Finding, PiiKind};

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
        let last_short = t.ndigits(n) == 1 && !t.is_num(n + 1);
        if t.is_num(n)
            && t.same_line(n)
            && ((2..=4).contains(&t.ndigits(n)) || last_short)
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

/// Label text for the reason of a labelled identifier: the label and the "number" word before
/// it ("n° de dossier", "IPP").
fn label_text<'a>(t: &Tokens<'a>, i: usize) -> &'a str {
    let mut k = i;
    for back in 1..=4 {
        if i < back {
            break;
        }
        if is_number_word(t, i - back) {
            k = i - back;
            break;
        }
    }
    &t.text[t.toks[k].start..t.toks[i].end]
}

/// Finds hospital identifiers: after a label (certain), then unlabelled digit groups with the
/// length of an IPP (see [`grouped`]).
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
            out.push(Finding::new(
                PiiKind::Ipp,
                t.toks[s].start,
                t.toks[e].end,
                Confidence::Certain,
                format!("après « {} »", label_text(t, i)),
            ));
            i = e + 1;
        } else {
            i += 1;
        }
    }
    grouped(t, out);
}

/// Separator between digit groups `k` and `k + 1`: one space (or no-break space) or a glued dot.
/// Returns the index of the next group and whether the separator was a dot.
fn group_sep(t: &Tokens, k: usize) -> Option<(usize, bool)> {
    let n = k + 1;
    if t.is_num(n) && t.same_line(n) && !t.glued(n) {
        let gap = &t.text[t.toks[k].end..t.toks[n].start];
        return matches!(gap, " " | "\u{a0}" | "\u{202f}").then_some((n, false));
    }
    if t.is_punct(n, '.') && t.glued(n) && t.is_num(n + 1) && t.glued(n + 1) {
        return Some((n + 1, true));
    }
    None
}

/// Words after which a run of numbers is a series of measures or another kind of number
/// (batch, room, professional register), not a patient's identifier.
fn measure_word(w: &str) -> bool {
    matches!(
        w,
        "lot"
            | "finess"
            | "rpps"
            | "adeli"
            | "siret"
            | "siren"
            | "chambre"
            | "bip"
            | "poste"
            | "lit"
            | "page"
            | "pages"
            | "volume"
            | "vol"
            | "facture"
            | "commande"
            | "cip"
            | "ucd"
            | "tva"
            | "iban"
            | "score"
            | "scores"
            | "note"
            | "notes"
            | "echelle"
            | "echelles"
            | "resultat"
            | "resultats"
            | "evaluation"
            | "evaluations"
            | "mesure"
            | "mesures"
            | "valeur"
            | "valeurs"
            | "taux"
            | "cotation"
            | "cotations"
            | "total"
            | "points"
            | "ta"
            | "fc"
            | "poids"
            | "taille"
            | "imc"
            | "glycemie"
            | "phq"
            | "gad"
            | "madrs"
            | "hamilton"
            | "mmse"
            | "moca"
            | "entre"
            | "annees"
            | "ans"
            | "age"
            | "ages"
    )
}

/// Units and nouns after which a grouped number is an amount ("12 345 678 euros").
fn unit_word(w: &str) -> bool {
    matches!(
        w,
        "euros"
            | "euro"
            | "eur"
            | "habitants"
            | "personnes"
            | "patients"
            | "km"
            | "kg"
            | "mg"
            | "g"
            | "ml"
            | "m"
            | "h"
            | "ans"
            | "mois"
            | "jours"
            | "points"
            | "pts"
            | "fois"
            | "min"
            | "minutes"
            | "secondes"
    )
}

/// National service numbers that open no hospital identifier ("3114 15 112").
fn service_number(s: &str) -> bool {
    matches!(
        s,
        "3114" | "3018" | "3919" | "3020" | "0800" | "112" | "114" | "115" | "119" | "116"
    )
}

/// Hospital numbers without a label: two or more groups of digits separated by single spaces
/// or dots (like a phone number), 8 to 10 digits in all (the length of an IPP), that are no
/// phone number (10 digits from 0), date, year list, amount or series of scores. Flagged as
/// possible, or likely when an identifier word ("dossier", "patient", "réf") is just before.
fn grouped(t: &Tokens, out: &mut Vec<Finding>) {
    let n = t.len();
    let mut i = 0;
    while i < n {
        if !t.is_num(i) || !(1..=4).contains(&t.ndigits(i)) {
            i += 1;
            continue;
        }
        // Maximal run of groups.
        let mut sizes = [0usize; 8];
        let mut ngroups = 1;
        sizes[0] = t.ndigits(i);
        let mut k = i;
        let mut dot = None;
        let mut too_long = false;
        while let Some((nk, is_dot)) = group_sep(t, k) {
            if *dot.get_or_insert(is_dot) != is_dot {
                break;
            }
            if ngroups == sizes.len() || t.ndigits(nk) > 4 {
                too_long = true;
                break;
            }
            sizes[ngroups] = t.ndigits(nk);
            ngroups += 1;
            k = nk;
        }
        let next = k + 1;
        let start = i;
        i = k + 1;
        if too_long || ngroups < 2 {
            continue;
        }
        let sizes = &sizes[..ngroups];
        let digits: usize = sizes.iter().sum();
        if !(8..=10).contains(&digits) {
            continue;
        }
        // Inner groups of 2 to 4 digits; the first of 2 to 4 digits, the last of 1 to 4.
        if sizes[..ngroups - 1].iter().any(|&g| g < 2) {
            continue;
        }
        // Glued to something else: "+33 …", "AB 12 34", "12 345,67", "12 34 56 78/90".
        let glued_before = start > 0
            && t.glued(start)
            && !["(", "[", "°", "º", "#", ":"].contains(&t.raw(start - 1));
        let glued_after = t.glued(next)
            && (t.is_punct(next, ',') || t.is_punct(next, '/') || t.is_punct(next, '-'))
            && t.is_num(next + 1)
            && t.glued(next + 1);
        let word_glued_after = t.glued(next) && (t.is_word(next) || t.is_num(next));
        if glued_before || glued_after || word_glued_after || t.is_punct(next, '%') {
            continue;
        }
        let first = t.raw(start);
        // A French phone number (10 digits from 0) or a service number.
        if (digits == 10 && first.starts_with('0')) || service_number(first) {
            continue;
        }
        let value = |g: usize| -> u32 {
            let mut m = start;
            for _ in 0..g {
                m = group_sep(t, m).map_or(m, |(nk, _)| nk);
            }
            t.value(m).unwrap_or(0)
        };
        // Dates "03 04 1961", "03.04.1961", "1961 04 03" and lists of years "2019 2020".
        if ngroups == 3
            && sizes == [2, 2, 4]
            && (1..=31).contains(&value(0))
            && (1..=12).contains(&value(1))
        {
            continue;
        }
        if ngroups == 3
            && sizes == [4, 2, 2]
            && (1..=12).contains(&value(1))
            && (1..=31).contains(&value(2))
        {
            continue;
        }
        if sizes.iter().all(|&g| g == 4) && (0..ngroups).all(|g| (1900..=2100).contains(&value(g)))
        {
            continue;
        }
        // A series of small values (scores, ages): "12 15 18 20".
        if sizes.iter().all(|&g| g <= 2) && (0..ngroups).all(|g| value(g) <= 30) {
            continue;
        }
        // An amount or a measure.
        if t.is_word(next) && unit_word(t.f(next)) || t.is_punct(next, '€') {
            continue;
        }
        let mut labelled = None;
        let mut measured = false;
        let mut b = start;
        for _ in 0..4 {
            if b == 0 || !t.same_line(b) {
                break;
            }
            b -= 1;
            if t.is_word(b) {
                if measure_word(t.f(b)) {
                    measured = true;
                }
                if labelled.is_none()
                    && matches!(
                        t.f(b),
                        "dossier"
                            | "patient"
                            | "patiente"
                            | "ref"
                            | "reference"
                            | "identifiant"
                            | "sejour"
                    )
                {
                    labelled = Some(b);
                }
            }
        }
        if measured {
            continue;
        }
        let (s, e) = (t.toks[start].start, t.toks[k].end);
        // Already a labelled identifier, a phone number, a NIR or an e-mail.
        if out.iter().any(|f| f.start < e && s < f.end) {
            continue;
        }
        let finding = match labelled {
            Some(b) => Finding::new(
                PiiKind::Ipp,
                s,
                e,
                Confidence::Likely,
                format!("format d'IPP après « {} »", t.raw(b)),
            ),
            None => Finding::new(
                PiiKind::Ipp,
                s,
                e,
                Confidence::Possible,
                "format d'IPP sans libellé",
            ),
        };
        out.push(finding);
    }
}
