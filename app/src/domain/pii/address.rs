//! Postal addresses: "12 bis rue de la Paix, 37000 Tours", "lieu-dit Les Granges",
//! "domiciliée impasse des Lilas".

use super::lexicon::{is_acronym, is_stop, month, street_type};
use super::text::{Tokens, ALLCAPS, CAP};
use super::{Confidence, Finding, PiiKind};

/// Lowercase words allowed inside a street name ("rue de la Paix", "chemin des Vignes").
fn is_name_particle(w: &str) -> bool {
    matches!(
        w,
        "de" | "du"
            | "des"
            | "d"
            | "l"
            | "la"
            | "le"
            | "les"
            | "aux"
            | "au"
            | "sous"
            | "sur"
            | "en"
            | "et"
    )
}

/// Words that end a street name even when written in lowercase.
fn ends_name(w: &str) -> bool {
    matches!(
        w,
        "a" | "depuis"
            | "avec"
            | "pour"
            | "chez"
            | "ou"
            | "dans"
            | "par"
            | "mais"
            | "puis"
            | "pres"
            | "vers"
            | "il"
            | "elle"
            | "ils"
            | "elles"
            | "qui"
            | "que"
            | "est"
            | "sont"
            | "vit"
            | "habite"
            | "tel"
            | "donc"
            | "car"
            | "apres"
            | "avant"
            | "seul"
            | "seule"
            | "cedex"
    ) || is_stop(w) && !is_name_particle(w)
}

/// Parses the name of a street starting at token `k`; returns its last token.
/// `risky`: the street type is also a common noun, so the name must start with a capital.
fn street_name(t: &Tokens, mut k: usize, risky: bool) -> Option<usize> {
    let mut last = None;
    let mut after_particle = false;
    let mut first = true;
    let mut prev_month = false;
    for _ in 0..8 {
        if !t.same_line(k) {
            break;
        }
        if t.is_punct(k, '\'') || t.is_punct(k, '’') {
            k += 1;
            continue;
        }
        if t.is_word(k) {
            let w = t.f(k);
            let cap = t.has(k, CAP);
            if is_name_particle(w) && !cap
                || (cap && matches!(w, "de" | "du" | "des" | "la" | "le" | "les") && first)
            {
                if w == "et" && last.is_none() {
                    return None;
                }
                after_particle = true;
                k += 1;
                continue;
            }
            if cap {
                let acronym = t.has(k, ALLCAPS) && (is_acronym(w) || t.raw(k).len() <= 3);
                if acronym || (is_stop(w) && !is_name_particle(w)) {
                    break;
                }
                last = Some(k);
                prev_month = month(w).is_some();
            } else {
                // Lowercase word: accepted right after the type (safe types) or after a particle.
                let ok = !ends_name(w)
                    && (after_particle || (first && !risky))
                    && w.chars().count() >= 2;
                if !ok {
                    break;
                }
                if risky && last.is_none() {
                    return None;
                }
                last = Some(k);
                prev_month = false;
            }
            after_particle = false;
            first = false;
            k += 1;
            continue;
        }
        if t.is_num(k) {
            // "rue du 8 Mai 1945", "place du 14 Juillet"
            let nd = t.ndigits(k);
            if after_particle && nd <= 2 && t.is_word(k + 1) && t.has(k + 1, CAP) {
                last = Some(k);
                after_particle = false;
                first = false;
                k += 1;
                continue;
            }
            if prev_month && nd == 4 {
                last = Some(k);
                prev_month = false;
                k += 1;
                continue;
            }
        }
        break;
    }
    last
}

/// Parses an optional ", 37000 Tours [Cedex]" after token `k`; returns the last token.
fn postcode_town(t: &Tokens, k: usize) -> Option<usize> {
    let mut j = k + 1;
    if t.is_punct(j, ',') || t.is_punct(j, '-') {
        j += 1;
    }
    if !(t.is_num(j) && t.same_line(j)) {
        return None;
    }
    // "37 000" is sometimes typed with a space.
    let mut code_end = j;
    let nd = t.ndigits(j);
    if nd == 2 && t.ndigits(j + 1) == 3 && t.same_line(j + 1) {
        code_end = j + 1;
    } else if nd != 5 {
        return None;
    }
    let mut last = None;
    let mut m = code_end + 1;
    for _ in 0..5 {
        if !t.same_line(m) || !t.is_word(m) {
            break;
        }
        let w = t.f(m);
        if t.has(m, CAP) && (!is_stop(w) || matches!(w, "le" | "la" | "les")) {
            last = Some(m);
            m += 1;
        } else if matches!(
            w,
            "sur" | "en" | "les" | "lès" | "de" | "du" | "le" | "la" | "cedex"
        ) && last.is_some()
        {
            if w == "cedex" {
                last = Some(m);
                if t.is_num(m + 1) && t.same_line(m + 1) {
                    last = Some(m + 1);
                    m += 1;
                }
            }
            m += 1;
        } else {
            break;
        }
    }
    last
}

/// Words announcing a home address.
fn is_address_trigger(w: &str) -> bool {
    matches!(
        w,
        "adresse"
            | "domicilie"
            | "domiciliee"
            | "domicile"
            | "habite"
            | "habitant"
            | "demeurant"
            | "demeure"
            | "reside"
            | "residant"
            | "residente"
            | "resident"
            | "vit"
            | "installe"
            | "installee"
            | "loge"
            | "logee"
            | "heberge"
            | "hebergee"
    )
}

fn try_numbered(t: &Tokens, i: usize) -> Option<(usize, usize)> {
    let nd = t.ndigits(i);
    if nd == 0 || nd > 4 || t.value(i)? == 0 {
        return None;
    }
    // Not the tail of a decimal, a ratio or a date ("13/8", "0,5", "12.03").
    if i > 0
        && t.glued(i)
        && (t.is_punct(i - 1, '/')
            || t.is_punct(i - 1, ',')
            || t.is_punct(i - 1, '.')
            || t.is_punct(i - 1, '-'))
    {
        return None;
    }
    let mut j = i + 1;
    if t.is_word(j)
        && (matches!(t.f(j), "bis" | "ter" | "quater")
            || (t.glued(j) && t.raw(j).chars().count() == 1))
    {
        j += 1;
    }
    if t.is_punct(j, ',') {
        j += 1;
    }
    // "12 Grande Rue", "3 Petite rue des Forges", "8 Grand'Rue"
    if t.is_word(j)
        && matches!(
            t.f(j),
            "grande"
                | "grand"
                | "petite"
                | "petit"
                | "vieille"
                | "haute"
                | "basse"
                | "nouvelle"
                | "ancienne"
        )
    {
        if t.is_punct(j + 1, '\'') || t.is_punct(j + 1, '’') {
            j += 2;
        } else {
            j += 1;
        }
        if !t.is(j, "rue") && !t.is(j, "route") && !t.is(j, "place") {
            return None;
        }
        if !t.is_word(j + 1) || t.has(j + 1, ALLCAPS) {
            // "12 Grande Rue, 37000 Tours": the type is the name.
            let end = postcode_town(t, j).unwrap_or(j);
            return Some((i, end));
        }
    }
    if !t.is_word(j) || !t.same_line(j) {
        return None;
    }
    let risky = street_type(t.f(j))?;
    let abbrev = t.f(j).len() <= 3;
    let mut k = j + 1;
    if t.is_punct(k, '.') && t.glued(k) {
        k += 1;
    } else if abbrev
        && !matches!(
            t.f(j),
            "bd" | "rue" | "av" | "bld" | "bvd" | "fg" | "rte" | "imp"
        )
    {
        return None;
    }
    let name_end = street_name(t, k, risky)?;
    let end = postcode_town(t, name_end).unwrap_or(name_end);
    Some((i, end))
}

fn try_unnumbered(t: &Tokens, i: usize) -> Option<(usize, usize)> {
    let w = t.f(i);
    let lieu_dit = w == "lieu-dit" || w == "lieudit" || (w == "lieu" && t.is(i + 1, "dit"));
    if lieu_dit {
        let mut k = if w == "lieu" { i + 2 } else { i + 1 };
        while t.is_punct(k, ':') || t.is_punct(k, ',') || t.is_punct(k, '«') || t.is_punct(k, '"')
        {
            k += 1;
        }
        let name_end = street_name(t, k, true)?;
        let end = postcode_town(t, name_end).unwrap_or(name_end);
        return Some((i, end));
    }
    // "domiciliée impasse des Lilas", "adresse : résidence Les Tilleuls"
    if street_type(w).is_some() && w.len() > 3 && i > 0 {
        let mut p = i - 1;
        let mut ok = false;
        for _ in 0..4 {
            if t.is_word(p) && is_address_trigger(t.f(p)) {
                ok = true;
                break;
            }
            let skip = t.is_punct(p, ':')
                || t.is_punct(p, ',')
                || t.is_punct(p, '\'')
                || t.is_punct(p, '’')
                || matches!(
                    t.f(p),
                    "au" | "a"
                        | "le"
                        | "la"
                        | "l"
                        | "dans"
                        | "en"
                        | "sur"
                        | "actuelle"
                        | "actuellement"
                );
            if !skip || p == 0 {
                break;
            }
            p -= 1;
        }
        if ok {
            let name_end = street_name(t, i + 1, true)?;
            let end = postcode_town(t, name_end).unwrap_or(name_end);
            return Some((i, end));
        }
    }
    None
}

/// Finds postal addresses.
pub fn find(t: &Tokens, out: &mut Vec<Finding>) {
    let n = t.len();
    let mut i = 0;
    while i < n {
        let r = if t.is_num(i) {
            try_numbered(t, i)
        } else if t.is_word(i) {
            try_unnumbered(t, i)
        } else {
            None
        };
        match r {
            Some((s, e)) => {
                out.push(Finding::new(
                    PiiKind::Address,
                    t.toks[s].start,
                    t.toks[e].end,
                    Confidence::Likely,
                    if t.is_num(s) {
                        "numéro et type de voie"
                    } else {
                        "type de voie suivi d'un nom"
                    },
                ));
                i = e + 1;
            }
            None => i += 1,
        }
    }
}
