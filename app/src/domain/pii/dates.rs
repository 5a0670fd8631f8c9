//! Full dates of birth: a complete date (day, month, year) announced by "né(e) le", "DDN",
//! "date de naissance"... Partial dates ("née en 04/1961") and event dates are not flagged.

use super::lexicon::month;
use super::text::{Kind, Tokens};
use super::{Confidence, Finding, PiiKind};

fn is_date_sep(t: &Tokens, i: usize) -> bool {
    t.is_punct(i, '/') || t.is_punct(i, '.') || t.is_punct(i, '-')
}

fn same_sep(t: &Tokens, a: usize, b: usize) -> bool {
    t.raw(a) == t.raw(b)
}

/// If a full date starts at token `k`, returns the index of its last token.
/// Accepted: d/m/yyyy (also '.', '-', 2-digit years), yyyy-mm-dd, "3 avril 1961", "1er avr. 1961".
pub fn full_date_at(t: &Tokens, k: usize) -> Option<usize> {
    if !t.is_num(k) {
        return None;
    }
    let nd = t.ndigits(k);
    let glued = |i: usize| t.glued(i);
    if nd == 4 {
        // ISO yyyy-mm-dd
        if is_date_sep(t, k + 1)
            && glued(k + 1)
            && t.is_num(k + 2)
            && glued(k + 2)
            && t.ndigits(k + 2) <= 2
            && is_date_sep(t, k + 3)
            && same_sep(t, k + 1, k + 3)
            && glued(k + 3)
            && t.is_num(k + 4)
            && glued(k + 4)
            && t.ndigits(k + 4) <= 2
        {
            let m = t.value(k + 2)?;
            let d = t.value(k + 4)?;
            if (1..=12).contains(&m) && (1..=31).contains(&d) {
                return Some(k + 4);
            }
        }
        return None;
    }
    if nd > 2 {
        return None;
    }
    let d = t.value(k)?;
    if !(1..=31).contains(&d) {
        return None;
    }
    if is_date_sep(t, k + 1)
        && glued(k + 1)
        && t.is_num(k + 2)
        && glued(k + 2)
        && t.ndigits(k + 2) <= 2
        && is_date_sep(t, k + 3)
        && same_sep(t, k + 1, k + 3)
        && glued(k + 3)
        && t.is_num(k + 4)
        && glued(k + 4)
        && matches!(t.ndigits(k + 4), 2 | 4)
    {
        let m = t.value(k + 2)?;
        if (1..=12).contains(&m) {
            return Some(k + 4);
        }
        return None;
    }
    // "03 04 1961" (spaces, four-digit year)
    if t.ndigits(k) == 2
        && t.is_num(k + 1)
        && t.ndigits(k + 1) == 2
        && t.is_num(k + 2)
        && t.ndigits(k + 2) == 4
        && t.same_line(k + 1)
        && t.same_line(k + 2)
    {
        let m = t.value(k + 1)?;
        if (1..=12).contains(&m) {
            return Some(k + 2);
        }
    }
    let mut j = k + 1;
    if t.is(j, "er") && glued(j) {
        j += 1;
    }
    if t.is_word(j) && month(t.f(j)).is_some() {
        j += 1;
        if t.is_punct(j, '.') && glued(j) {
            j += 1;
        }
        if t.is_num(j) && matches!(t.ndigits(j), 2 | 4) {
            return Some(j);
        }
    }
    None
}

/// Whether token `i` announces a date of birth.
fn is_trigger(t: &Tokens, i: usize) -> bool {
    if !t.is_word(i) {
        return false;
    }
    match t.f(i) {
        "ne" | "nee" => {
            // "ne" without accent is the negation particle unless followed by "le"/"(e)".
            let raw = t.raw(i);
            raw != "ne" || t.is(i + 1, "le")
        }
        "ddn" | "naissance" | "naiss" | "dob" | "birth" => true,
        "dn" => t.has(i, super::text::ALLCAPS),
        // "D.D.N."
        "n" => i >= 4 && t.is(i - 2, "d") && t.is(i - 4, "d") && t.is_punct(i - 1, '.'),
        _ => false,
    }
}

/// Finds full dates of birth.
pub fn find(t: &Tokens, out: &mut Vec<Finding>) {
    let n = t.len();
    let mut i = 0;
    while i < n {
        if !is_trigger(t, i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut steps = 0;
        let mut found = None;
        while j < n && steps < 12 {
            match t.kind(j) {
                Some(Kind::Num) => {
                    if let Some(e) = full_date_at(t, j) {
                        found = Some((j, e));
                    }
                    break;
                }
                Some(Kind::Word) => {
                    let w = t.f(j);
                    let filler = matches!(
                        w,
                        "le" | "la"
                            | "l"
                            | "en"
                            | "a"
                            | "e"
                            | "du"
                            | "de"
                            | "d"
                            | "au"
                            | "ddn"
                            | "naissance"
                            | "date"
                            | "ne"
                            | "nee"
                            | "dans"
                            | "sur"
                            | "region"
                            | "commune"
                            | "ville"
                    );
                    if !(filler || t.has(j, super::text::CAP)) {
                        break;
                    }
                }
                Some(Kind::Punct) => {
                    let r = t.raw(j);
                    let ok = matches!(
                        r,
                        ":" | "-" | "," | "(" | ")" | "=" | "'" | "’" | "/" | "·" | "–"
                    ) || (r == "." && j == i + 1);
                    if !ok {
                        break;
                    }
                }
                None => break,
            }
            j += 1;
            steps += 1;
        }
        if let Some((s, e)) = found {
            out.push(Finding::new(
                PiiKind::Birthdate,
                t.toks[s].start,
                t.toks[e].end,
                Confidence::Likely,
                "date complète après une mention de naissance",
            ));
            i = e + 1;
        } else {
            i += 1;
        }
    }
}

/// A full date right after a person's name ("Mme X, 03/04/1961", "M. Y (12/05/1950)") is taken
/// as a date of birth when its year is not recent.
pub fn after_names(t: &Tokens, out: &mut Vec<Finding>) {
    let mut extra = Vec::new();
    for f in out.iter().filter(|f| f.kind == PiiKind::Name) {
        // Token just after the name.
        let k = t.toks.partition_point(|x| x.start < f.end);
        let mut j = k;
        if t.is_punct(j, ',') || t.is_punct(j, '(') || t.is_punct(j, '-') {
            j += 1;
        }
        if !t.same_line(j) {
            continue;
        }
        if let Some(e) = full_date_at(t, j) {
            let year: u32 = t.value(e).unwrap_or(0);
            let year = match (t.ndigits(e), year) {
                (2, y) if y >= 30 => 1900 + y,
                (2, y) => 2000 + y,
                (_, y) => y,
            };
            if year <= 2012 {
                extra.push(Finding::new(
                    PiiKind::Birthdate,
                    t.toks[j].start,
                    t.toks[e].end,
                    Confidence::Likely,
                    "date complète ancienne juste après un nom",
                ));
            }
        }
    }
    out.extend(extra);
}
