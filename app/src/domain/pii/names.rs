//! Person names, found from context cues (titles, kinship words, labels such as "Patient :")
//! and, without cues, from capitalisation patterns confirmed by the given-name and surname lists.

use super::cues::{cue_at, Follows};
use super::lexicon::{
    is_acronym, is_context_block, is_first_name, is_french_word, is_kin, is_particle, is_stop,
    is_surname, is_surname_word, is_title, is_weak_block, programme_at,
};
use super::shape::{name_score, name_shaped, STRONGLY_NAME_SHAPED};
use super::text::{Kind, Tokens, ALLCAPS, CAP};
use super::{Confidence, Finding, PiiKind};
use std::borrow::Cow;

/// Capitalised word that can be (part of) a name. `strict` also rejects drugs, places, eponyms...
fn name_tok(t: &Tokens, i: usize, strict: bool) -> bool {
    if !t.is_word(i) || !t.has(i, CAP) {
        return false;
    }
    let w = t.f(i);
    if w.chars().count() < 2 || is_stop(w) || is_title(w) || is_kin(w) {
        return false;
    }
    if t.has(i, ALLCAPS) && (is_acronym(w) || w.len() < 2) {
        return false;
    }
    !(strict && is_weak_block(w))
}

/// Lowercase particles allowed inside a name ("Anne van Dijk", "Ali ben Salah").
fn lower_particle(w: &str) -> bool {
    matches!(
        w,
        "van"
            | "von"
            | "der"
            | "den"
            | "da"
            | "das"
            | "do"
            | "dos"
            | "di"
            | "del"
            | "della"
            | "ben"
            | "bin"
            | "ibn"
            | "el"
            | "al"
            | "ould"
            | "ait"
            | "ter"
            | "ten"
            | "abou"
    )
}

/// Single capital letter followed by a glued '.' ("J." in "Dr J. Martin").
fn initial(t: &Tokens, i: usize) -> bool {
    t.is_word(i)
        && t.has(i, CAP)
        && t.raw(i).chars().count() == 1
        && t.is_punct(i + 1, '.')
        && t.glued(i + 1)
}

/// Extends a name starting at `i` (a name token) over following name tokens; returns the last.
fn extend(t: &Tokens, i: usize, strict: bool) -> usize {
    let mut last = i;
    let mut count = 1;
    while count < 4 {
        let j = last + 1;
        if !t.same_line(j) {
            break;
        }
        // A cue ends the name ("Nom : TRAN Prénom : Minh").
        if cue_at(t, j).is_some() {
            break;
        }
        if name_tok(t, j, strict) {
            last = j;
            count += 1;
            continue;
        }
        if t.is_word(j) && t.same_line(j + 1) && name_tok(t, j + 1, strict) {
            let w = t.f(j);
            let ok = (t.has(j, CAP) && is_particle(w)) || (!t.has(j, CAP) && lower_particle(w));
            if ok {
                last = j + 1;
                count += 1;
                continue;
            }
        }
        // "Jean de La Fontaine", "Marie de Villiers": a lowercase "de" / "du" / "des" before a
        // capitalised particle and a name, or before a name that is no place or eponym.
        if t.is_word(j) && !t.has(j, CAP) && matches!(t.f(j), "de" | "du" | "des") {
            let k = j + 1;
            if t.same_line(k) && t.is_word(k) && t.has(k, CAP) && is_particle(t.f(k)) {
                if t.same_line(k + 1) && name_tok(t, k + 1, true) && count + 2 <= 4 {
                    last = k + 1;
                    count += 2;
                    continue;
                }
            } else if t.same_line(k) && name_tok(t, k, true) && !blocked_context(t, k) {
                last = k;
                count += 1;
                continue;
            }
        }
        break;
    }
    last
}

/// Whether token `i` starts a sentence (or a field after ':' / ';').
fn sentence_start(t: &Tokens, i: usize) -> bool {
    if i == 0 || !t.same_line(i) {
        return true;
    }
    match t.kind(i - 1) {
        Some(Kind::Punct) => matches!(
            t.raw(i - 1),
            "." | "!"
                | "?"
                | ":"
                | ";"
                | "…"
                | "•"
                | "-"
                | "*"
                | "("
                | "\""
                | "«"
                | "–"
                | "—"
                | "/"
                | "["
        ),
        _ => false,
    }
}

/// Word index before `i`, skipping articles, elisions and "de".
fn prev_word_skipping(t: &Tokens, i: usize) -> Option<usize> {
    let mut k = i;
    for _ in 0..4 {
        if k == 0 {
            return None;
        }
        k -= 1;
        if t.is_punct(k, '\'') || t.is_punct(k, '’') || t.is_punct(k, '-') {
            continue;
        }
        if t.is_word(k)
            && matches!(
                t.f(k),
                "de" | "du" | "des" | "d" | "l" | "la" | "le" | "les"
            )
            && !t.has(k, CAP)
        {
            continue;
        }
        return t.is_word(k).then_some(k);
    }
    None
}

/// A place, institution or eponym context precedes token `i` ("hôpital Henri-Mondor",
/// "maladie de Parkinson", "CMP Saint-Exupéry").
fn blocked_context(t: &Tokens, i: usize) -> bool {
    // Skip a parenthesised acronym: "Unité pour Malades Difficiles (UMD) Henri Colin".
    if i >= 3 && t.is_punct(i - 1, ')') {
        let mut k = i - 2;
        let mut steps = 0;
        while k > 0 && steps < 4 && !t.is_punct(k, '(') {
            k -= 1;
            steps += 1;
        }
        if t.is_punct(k, '(') {
            let acronym_inside = (k + 1..i - 1).any(|m| t.has(m, ALLCAPS));
            return acronym_inside || blocked_context(t, k);
        }
    }
    match prev_word_skipping(t, i) {
        Some(p) => {
            let w = t.f(p);
            is_context_block(w) || (t.has(p, ALLCAPS) && is_acronym(w))
        }
        None => false,
    }
}

/// A preposition typical of place names precedes token `i` ("à Tours", "de Blois").
fn place_preposition(t: &Tokens, i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let p = i - 1;
    if t.is_punct(p, '\'') || t.is_punct(p, '’') {
        return p > 0 && matches!(t.f(p - 1), "d" | "l" | "jusqu");
    }
    t.is_word(p)
        && matches!(
            t.f(p),
            "a" | "en"
                | "sur"
                | "vers"
                | "pres"
                | "de"
                | "du"
                | "des"
                | "depuis"
                | "au"
                | "aux"
                | "par"
                | "dans"
                | "entre"
        )
}

/// A determiner or a contracted article precedes token `i`: the capitalised word is a noun or
/// part of a place ("le Petit Prince", "au Grand Hôtel", "la Fontaine Wallace", "l'Étoile"),
/// not a person. A capitalised determiner counts only where it opens the sentence, since
/// mid-sentence it is a particle ("Marie Le Petit").
fn determiner_before(t: &Tokens, i: usize) -> bool {
    if i == 0 || !t.same_line(i) {
        return false;
    }
    let mut p = i - 1;
    if t.is_punct(p, '\'') || t.is_punct(p, '’') {
        if p == 0 || !t.glued(p) {
            return false;
        }
        p -= 1;
    }
    t.is_word(p)
        && (!t.has(p, CAP) || sentence_start(t, p))
        && matches!(
            t.f(p),
            "le" | "la"
                | "les"
                | "l"
                | "un"
                | "une"
                | "des"
                | "du"
                | "au"
                | "aux"
                | "ce"
                | "cet"
                | "cette"
                | "ces"
                | "mon"
                | "ma"
                | "mes"
                | "ton"
                | "ta"
                | "tes"
                | "son"
                | "sa"
                | "ses"
                | "notre"
                | "nos"
                | "votre"
                | "vos"
                | "leur"
                | "leurs"
                | "quel"
                | "quelle"
        )
}

/// A capitalised word that the context shows is a person ("vu avec Petit.", "et Boulanger a
/// rappelé"): after "avec", "et", "selon" or a verb of meeting, and closed by punctuation, the
/// end of the line, "et", a time ("hier", "ce matin") or a verb of which it is the subject.
fn person_slot(t: &Tokens, i: usize) -> bool {
    if i == 0 || !t.same_line(i) || !t.is_word(i - 1) || t.has(i - 1, CAP) {
        return false;
    }
    let opens = matches!(
        t.f(i - 1),
        "avec"
            | "et"
            | "selon"
            | "vu"
            | "vue"
            | "revu"
            | "revue"
            | "rencontre"
            | "rencontree"
            | "contacte"
            | "contactee"
            | "appele"
            | "appelee"
            | "rappele"
            | "rappelee"
    );
    let k = i + 1;
    let closes = !t.same_line(k)
        || [',', '.', ';', ')', '('].iter().any(|&c| t.is_punct(k, c))
        || (t.is_word(k)
            && !t.has(k, CAP)
            && (matches!(
                t.f(k),
                "et" | "hier" | "demain" | "ce" | "cet" | "cette" | "au"
            ) || subject_verb(t.f(k))));
    opens && closes
}

/// One name found by a rule: token range, confidence and reason.
struct Span {
    kind: PiiKind,
    s: usize,
    e: usize,
    confidence: Confidence,
    reason: Cow<'static, str>,
}

impl Span {
    fn new(
        s: usize,
        e: usize,
        confidence: Confidence,
        reason: impl Into<Cow<'static, str>>,
    ) -> Span {
        Span {
            kind: PiiKind::Name,
            s,
            e,
            confidence,
            reason: reason.into(),
        }
    }
}

/// Reason "après « … »" quoting the raw text of the cue tokens `a..=b`.
fn after(t: &Tokens, a: usize, b: usize) -> Cow<'static, str> {
    Cow::Owned(format!(
        "après « {} »",
        &t.text[t.toks[a].start..t.toks[b].end]
    ))
}

/// Particles opening a surname after a title or a label ("Mme de La Fontaine", "M. Le Goff",
/// "Nom : Van der Berg", "Mme d'Ornano"): returns the name token after them. A lowercase first
/// particle needs a name that passes the strict checks ("le Dr de Tours" is no name).
fn particle_opening(t: &Tokens, j: usize) -> Option<usize> {
    let mut k = j;
    let mut n = 0;
    while n < 3 && t.same_line(k) && t.is_word(k) {
        let w = t.f(k);
        let article = matches!(w, "le" | "la" | "les") && !t.has(k, CAP);
        if w == "d" && (t.is_punct(k + 1, '\'') || t.is_punct(k + 1, '’')) && t.glued(k + 1) {
            k += 2;
        } else if (is_particle(w) || lower_particle(w)) && !(article && n == 0) {
            k += 1;
        } else {
            break;
        }
        n += 1;
    }
    let strict = !t.has(j, CAP);
    (n > 0 && t.same_line(k) && name_tok(t, k, strict)).then_some(k)
}

/// Two-letter and other very short surnames (Vietnamese, Chinese, Korean, West African...),
/// some of which are also French function words ("Vu", "Ma", "Ta", "Son"): accepted only right
/// after a title or a civil-status label.
fn is_short_surname(w: &str) -> bool {
    matches!(
        w,
        "an" | "ba"
            | "bo"
            | "bui"
            | "cao"
            | "do"
            | "dao"
            | "ha"
            | "he"
            | "ho"
            | "hu"
            | "ko"
            | "lai"
            | "le"
            | "li"
            | "lo"
            | "lu"
            | "ly"
            | "ma"
            | "mai"
            | "ng"
            | "oh"
            | "ou"
            | "son"
            | "ta"
            | "to"
            | "tu"
            | "vo"
            | "vu"
            | "wu"
            | "xu"
            | "yi"
            | "yu"
    )
}

/// A capitalised short surname that is also a function word ("Mme Vu a appelé", "M. Ma."), when
/// what follows does not read as a sentence ("Mme, Son fils" is no name).
fn short_surname_after_cue(t: &Tokens, j: usize) -> bool {
    if !(t.same_line(j) && t.is_word(j) && t.has(j, CAP) && is_short_surname(t.f(j))) {
        return false;
    }
    if t.f(j) == "le" && t.raw(j) == "Le" {
        return false; // "Le" opens a surname ("Le Goff") or is an article; "Lê" passes
    }
    let n = j + 1;
    !t.same_line(n)
        || !t.is_word(n)
        || t.has(n, CAP)
        || subject_verb(t.f(n))
        || matches!(
            t.f(n),
            "pour"
                | "ce"
                | "au"
                | "aux"
                | "en"
                | "et"
                | "par"
                | "avec"
                | "de"
                | "du"
                | "des"
                | "qui"
                | "que"
                | "lors"
                | "sera"
                | "ont"
                | "sont"
        )
}

/// A lowercase listed name after a title or a label ("mme martin", "rdv avec mr nguyen").
fn lower_name(t: &Tokens, j: usize) -> bool {
    if !(t.same_line(j) && t.is_word(j) && !t.has(j, CAP)) {
        return false;
    }
    let w = t.f(j);
    // Short surnames that are also function words pass ("mme vu"), but not possessives.
    let short =
        is_short_surname(w) && !matches!(w, "ma" | "ta" | "son" | "le" | "ou" | "an" | "to" | "tu");
    if short {
        return true;
    }
    if w.chars().count() < 2
        || is_stop(w)
        || subject_verb(w)
        || is_weak_block(w)
        || is_title(w)
        || is_kin(w)
        || !(is_surname(w) || is_first_name(w) || is_short_surname(w))
    {
        return false;
    }
    // "madame garde son fils": the word was a verb.
    let n = j + 1;
    !(t.same_line(n)
        && t.is_word(n)
        && matches!(
            t.f(n),
            "le" | "la"
                | "les"
                | "l"
                | "un"
                | "une"
                | "son"
                | "sa"
                | "ses"
                | "bien"
                | "mal"
                | "beaucoup"
                | "pas"
                | "plus"
                | "tres"
                | "mieux"
                | "moins"
                | "peu"
                | "toujours"
                | "souvent"
                | "encore"
                | "tout"
                | "tous"
        ))
}

/// A single letter standing for a name after a title ("Mme X", "dr z", "mr y ce matin"), not an
/// elided word ("l'", "d'") nor the verb "a" / "y va".
fn letter_placeholder(t: &Tokens, j: usize) -> bool {
    if !(t.same_line(j) && t.is_word(j) && t.raw(j).chars().count() == 1) {
        return false;
    }
    if t.is_punct(j + 1, '\'') || t.is_punct(j + 1, '’') {
        return false;
    }
    if t.has(j, CAP) {
        return true;
    }
    match t.f(j) {
        "a" => false,
        "y" => !(t.is_word(j + 1) && subject_verb(t.f(j + 1))),
        _ => true,
    }
}

/// Names coordinated after the name ending at `e` ("Inès et Noah", "Prénoms : Marie, Anne"):
/// listed given names only. Returns the last token.
// A `&Cow` (not `&str`): cloning it keeps a static reason free of allocation.
#[allow(clippy::ptr_arg)]
fn coordinated(t: &Tokens, mut e: usize, reason: &Cow<'static, str>, out: &mut Vec<Span>) -> usize {
    loop {
        let c = e + 1;
        let coord = t.is_punct(c, ',') || t.is(c, "et");
        if coord && t.same_line(c + 1) && name_tok(t, c + 1, true) && is_first_name(t.f(c + 1)) {
            e = extend(t, c + 1, false);
            out.push(Span::new(c + 1, e, Confidence::Likely, reason.clone()));
        } else {
            return e;
        }
    }
}

/// What follows a title at token `i` (the [`Follows::Title`] rule).
fn follow_title(t: &Tokens, i: usize, out: &mut Vec<Span>) -> Option<usize> {
    let w = t.f(i);
    let raw = t.raw(i);
    let mut j = i + 1;
    let dotted = t.is_punct(j, '.') && t.glued(j);
    if w == "m" && !(raw == "M" && dotted) {
        return None;
    }
    if matches!(w, "maitre") && !t.has(i, CAP) {
        return None;
    }
    if dotted {
        j += 1;
    }
    let cue_end = j - 1;
    // "Madame le Docteur X"
    if t.is_word(j) && matches!(t.f(j), "le" | "la") && is_title(t.f(j + 1)) && t.f(j + 1) != "m" {
        j += 2;
        if t.is_punct(j, '.') && t.glued(j) {
            j += 1;
        }
    }
    let first_initial = j;
    // Initials: "J.", "J.-P."
    while initial(t, j) || (t.is_punct(j, '-') && initial(t, j + 1)) {
        j += if t.is_punct(j, '-') { 3 } else { 2 };
    }
    let push = |e: usize, out: &mut Vec<Span>| {
        out.push(Span::new(i, e, Confidence::Likely, after(t, i, cue_end)));
        Some(e)
    };
    // Particles opening a surname: "Mme Le Goff", "M. Da Silva", "Mme de La Fontaine".
    if let Some(k) = particle_opening(t, j) {
        let e = extend(t, k, false);
        return push(e, out);
    }
    if t.same_line(j) && name_tok(t, j, false) {
        let e = extend(t, j, false);
        return push(e, out);
    }
    if j > first_initial {
        // Initials alone ("Dr J.").
        return push(j - 1, out);
    }
    // "Mme X", "dr z"; "Mme Vu", "M. Ma".
    if letter_placeholder(t, j) || short_surname_after_cue(t, j) {
        return push(j, out);
    }
    // "mme martin", "mr nguyen" ("pr" in lowercase is also "pour"). After a title spelled out in
    // lowercase the word may as well be an adjective ("madame blanc de peur"): possible only.
    if w != "pr" && lower_name(t, j) {
        let spelled = !t.has(i, CAP)
            && matches!(
                w,
                "madame" | "monsieur" | "mademoiselle" | "docteur" | "docteure" | "professeur"
            );
        let confidence = if spelled {
            Confidence::Possible
        } else {
            Confidence::Likely
        };
        out.push(Span::new(i, j, confidence, after(t, i, cue_end)));
        return Some(j);
    }
    None
}

/// A name right after a label or a marker ([`Follows::Label`], [`Follows::Name`]).
fn follow_name(t: &Tokens, j: usize, strict: bool, label: bool) -> Option<(usize, usize)> {
    if !t.same_line(j) {
        return None;
    }
    // "Copie : Médecin traitant", "Présents : Psychologues du CMP".
    let w = t.f(j);
    if role_word(w) || w.strip_suffix('s').is_some_and(role_word) {
        return None;
    }
    if let Some(k) = particle_opening(t, j) {
        return Some((j, extend(t, k, strict)));
    }
    if name_tok(t, j, strict) {
        return Some((j, extend(t, j, strict)));
    }
    if label && (short_surname_after_cue(t, j) || lower_name(t, j)) {
        return Some((j, j));
    }
    None
}

/// Names in a list after a list label ("Présents : Dr Martin, Mme Vo, Karima Benali").
// A `&Cow` (not `&str`): cloning it keeps a static reason free of allocation.
#[allow(clippy::ptr_arg)]
fn follow_list(
    t: &Tokens,
    mut j: usize,
    reason: &Cow<'static, str>,
    out: &mut Vec<Span>,
) -> Option<usize> {
    let mut last = None;
    loop {
        let e = if t.is_word(j) && is_title(t.f(j)) {
            follow_title(t, j, out)
        } else if let Some((s, e)) = follow_name(t, j, false, true) {
            out.push(Span::new(s, e, Confidence::Likely, reason.clone()));
            Some(e)
        } else {
            None
        };
        let Some(e) = e else { return last };
        last = Some(e);
        let c = e + 1;
        if t.same_line(c) && (t.is_punct(c, ',') || t.is_punct(c, ';') || t.is(c, "et")) {
            j = c + 1;
        } else {
            return last;
        }
    }
}

/// Initials before a surname without a title ("J. Martin", "A. N'Diaye", "J.-P. Durand"):
/// likely when the word is a listed name, possible after a comma, a colon or "par", "à", "avec".
fn initials_at(t: &Tokens, i: usize, out: &mut Vec<Span>) -> Option<usize> {
    if !initial(t, i) {
        return None;
    }
    let mut j = i;
    let mut letters = 0;
    while initial(t, j) || (t.is_punct(j, '-') && initial(t, j + 1)) {
        j += if t.is_punct(j, '-') { 3 } else { 2 };
        letters += 1;
    }
    // Dotted acronyms: "S.O.S. Médecins", "U.S.A.".
    if letters >= 3 && t.glued(i + 2) {
        return None;
    }
    let k = particle_opening(t, j).unwrap_or(j);
    if !(t.same_line(k) && name_tok(t, k, true)) {
        return None;
    }
    let e = extend(t, k, true);
    let known = (k..=e).any(|m| t.is_word(m) && (is_surname(t.f(m)) || is_first_name(t.f(m))));
    if known {
        out.push(Span::new(
            i,
            e,
            Confidence::Likely,
            "initiale suivie d'un nom connu",
        ));
        return Some(e);
    }
    let cue_before = i == 0
        || !t.same_line(i)
        || t.is_punct(i - 1, ',')
        || t.is_punct(i - 1, ':')
        || t.is_punct(i - 1, ';')
        || t.is_punct(i - 1, '(')
        || (t.is_word(i - 1)
            && matches!(
                t.f(i - 1),
                "par" | "a" | "avec" | "de" | "et" | "pour" | "chez" | "copie" | "cc" | "signe"
            ));
    if cue_before {
        out.push(Span::new(
            i,
            e,
            Confidence::Possible,
            "initiale suivie d'un mot capitalisé",
        ));
        return Some(e);
    }
    None
}

/// Strong cue at token `i`: pushes the name span(s) it introduces and returns the last token.
fn strong_at(t: &Tokens, i: usize, out: &mut Vec<Span>) -> Option<usize> {
    if !t.is_word(i) {
        return None;
    }
    let w = t.f(i);
    // 1. The cue grammar (cues.rs): titles, civil-status labels, birth and married names, verbs.
    if let Some((rule, j)) = cue_at(t, i) {
        let found = match rule.follows {
            Follows::Title => follow_title(t, i, out),
            Follows::List => follow_list(t, j, &after(t, i, j - 1), out),
            Follows::Label | Follows::Name | Follows::StrictName => {
                let label = rule.follows == Follows::Label;
                let strict = rule.follows == Follows::StrictName;
                follow_name(t, j, strict, label).map(|(s, e)| {
                    let reason = after(t, i, j - 1);
                    let mut span = Span::new(s, e, Confidence::Likely, reason.clone());
                    span.kind = rule.kind;
                    out.push(span);
                    if label {
                        coordinated(t, e, &reason, out)
                    } else {
                        e
                    }
                })
            }
        };
        if found.is_some() {
            return found;
        }
    }
    // 2. Kinship: "sa fille Margot", "son mari, Christophe Adam", "ses enfants Inès et Noah".
    if is_kin(w) {
        let mut j = i + 1;
        let mut steps = 0;
        while steps < 6 && t.same_line(j) {
            let skip = t.is_punct(j, ',')
                || t.is_punct(j, ':')
                || t.is_punct(j, '(')
                || (t.is_word(j)
                    && !t.has(j, CAP)
                    && matches!(
                        t.f(j),
                        "aine"
                            | "ainee"
                            | "cadet"
                            | "cadette"
                            | "jumeau"
                            | "jumelle"
                            | "unique"
                            | "benjamin"
                            | "benjamine"
                            | "de"
                            | "ans"
                            | "an"
                            | "mois"
                            | "age"
                            | "agee"
                            | "ne"
                            | "nee"
                            | "majeur"
                            | "majeure"
                            | "mineur"
                            | "mineure"
                            | "prenomme"
                            | "prenommee"
                            | "nomme"
                            | "nommee"
                            | "appele"
                            | "appelee"
                            | "dit"
                            | "dite"
                            | "actuel"
                            | "actuelle"
                            | "ex"
                            | "defunt"
                            | "defunte"
                            | "feu"
                            | "decede"
                            | "decedee"
                            | "adoptif"
                            | "adoptive"
                            | "biologique"
                    ))
                || (t.is_num(j) && t.ndigits(j) <= 2);
            if !skip {
                break;
            }
            j += 1;
            steps += 1;
        }
        if !name_tok(t, j, false) {
            return None;
        }
        // Places/drugs right after a kin word are rare but possible ("sa mère, Algérienne").
        if is_weak_block(t.f(j)) && !is_first_name(t.f(j)) {
            return None;
        }
        let mut e = extend(t, j, false);
        let reason = after(t, i, i);
        out.push(Span::new(j, e, Confidence::Likely, reason.clone()));
        // Coordinated names: "Inès et Noah", "Inès, Noah et Lina".
        e = coordinated(t, e, &reason, out);
        return Some(e);
    }
    // 3. Roles: "l'IDE Marc", "la psychologue Claire Dubois", "son éducatrice Awa".
    if role_word(w) && !is_kin(w) && (t.has(i, ALLCAPS) || !t.has(i, CAP)) {
        let j = i + 1;
        if t.same_line(j) && name_tok(t, j, true) {
            let e = extend(t, j, true);
            out.push(Span::new(j, e, Confidence::Likely, after(t, i, i)));
            return Some(e);
        }
    }
    // 4. Initials before a surname: "J. Martin", "A. N'Diaye".
    initials_at(t, i, out)
}

/// Outcome of the weak rules at a token.
enum Weak {
    /// A name spans these tokens, with this confidence and reason.
    Name(usize, usize, Confidence, &'static str),
    /// A capitalised run that is not a name (institution, eponym...) ends at this token.
    Skip(usize),
    /// Nothing here.
    No,
}

/// Verbs and auxiliaries that typically follow a first name used as a subject
/// ("Ousmane dit entendre des voix", "Jean-Pierre refuse son traitement").
fn subject_verb(w: &str) -> bool {
    matches!(
        w,
        "a" | "est"
            | "etait"
            | "avait"
            | "ne"
            | "n"
            | "se"
            | "s"
            | "dit"
            | "refuse"
            | "vient"
            | "va"
            | "veut"
            | "pense"
            | "explique"
            | "rapporte"
            | "decrit"
            | "souhaite"
            | "demande"
            | "reste"
            | "vit"
            | "travaille"
            | "prend"
            | "boit"
            | "fume"
            | "appelle"
            | "parle"
            | "dort"
            | "mange"
            | "pleure"
            | "craint"
            | "sort"
            | "entend"
            | "ressent"
            | "evoque"
            | "exprime"
            | "accepte"
            | "arrive"
            | "part"
            | "habite"
            | "semble"
            | "presente"
            | "signale"
            | "confie"
            | "raconte"
            | "indique"
            | "reconnait"
            | "nie"
            | "aurait"
            | "sera"
            | "fait"
            | "peut"
            | "doit"
            | "sait"
            | "voit"
            | "continue"
            | "consulte"
            | "revient"
            | "rentre"
            | "et"
            | "lui"
            | "y"
            | "l"
            | "m"
            | "me"
            | "nous"
            | "vous"
            | "les"
            | "le"
            | "la"
    )
}

/// Roles that, in apposition, mark the preceding capitalised words as a person's name
/// ("Dilnoza Karimova (compagne)", "Ana Sousa, assistante sociale").
fn role_word(w: &str) -> bool {
    is_kin(w)
        || matches!(
            w,
            "psychologue"
                | "psychiatre"
                | "medecin"
                | "infirmier"
                | "infirmiere"
                | "ide"
                | "interne"
                | "educateur"
                | "educatrice"
                | "assistante"
                | "assistant"
                | "aide-soignant"
                | "aide-soignante"
                | "kine"
                | "kinesitherapeute"
                | "orthophoniste"
                | "ergotherapeute"
                | "psychomotricien"
                | "psychomotricienne"
                | "pharmacien"
                | "pharmacienne"
                | "generaliste"
                | "avocat"
                | "avocate"
                | "employeur"
                | "patron"
                | "patronne"
                | "collegue"
                | "referent"
                | "referente"
                | "cadre"
                | "secretaire"
                | "externe"
                | "mandataire"
                | "proche"
                | "temoin"
                | "agresseur"
                | "victime"
                | "sage-femme"
                | "dentiste"
                | "neurologue"
                | "pediatre"
                | "gynecologue"
                | "cardiologue"
                | "addictologue"
                | "pedopsychiatre"
        )
}

/// Capitalised run `i..=e` followed by a role in apposition.
fn role_after(t: &Tokens, e: usize) -> bool {
    let mut j = e + 1;
    if !(t.is_punct(j, ',') || t.is_punct(j, '(')) {
        return false;
    }
    j += 1;
    if t.is_word(j)
        && matches!(
            t.f(j),
            "son"
                | "sa"
                | "la"
                | "le"
                | "l"
                | "leur"
                | "notre"
                | "mon"
                | "ma"
                | "ex"
                | "une"
                | "un"
        )
    {
        j += 1;
        if t.is_punct(j, '\'') || t.is_punct(j, '’') || t.is_punct(j, '-') {
            j += 1;
        }
    }
    t.is_word(j) && role_word(t.f(j))
}

/// Weak cues at token `i` (no trigger word): capitalisation + name lists.
fn weak_at(t: &Tokens, i: usize) -> Weak {
    if !name_tok(t, i, true) {
        return Weak::No;
    }
    let w = t.f(i);
    let allcaps = t.has(i, ALLCAPS);
    let nxt = i + 1;
    let next_name = t.same_line(nxt) && name_tok(t, nxt, true);
    let fn_i = is_first_name(w);
    // A surname that is also a word ("Fontaine", "Petit") after a determiner is the word.
    let word_i = is_surname_word(w);
    let as_word = word_i && determiner_before(t, i);
    let sn_i = is_surname(w) && !as_word;
    if blocked_context(t, i) {
        return Weak::Skip(extend(t, i, false));
    }
    let place = place_preposition(t, i);
    let start = sentence_start(t, i);
    // In no name list and no French word ("Kabongo", "Ozanne-Ricq"); shaped like a name too
    // ("Karimova").
    let foreign_i = !fn_i && !sn_i && !word_i && !allcaps && !is_french_word(w);
    let shaped_i = foreign_i && name_shaped(w);
    if next_name {
        // "la Fontaine Wallace", "le Petit Robert": a noun phrase, whatever follows.
        if as_word {
            return Weak::Skip(extend(t, i, true));
        }
        let wn = t.f(nxt);
        let fn_n = is_first_name(wn);
        let sn_n = is_surname(wn);
        let n_allcaps = t.has(nxt, ALLCAPS);
        // W4: a frequent surname that is also a word, or a word that is neither a French word
        // nor in a list, then a known given name ("Petit Jean", "Kabongo Aminata").
        if fn_n && !n_allcaps && !place && !allcaps && (word_i || foreign_i) {
            let e = extend(t, nxt, true);
            let reason = if word_i {
                "nom de famille courant suivi d'un prénom"
            } else {
                "mot absent du lexique français suivi d'un prénom"
            };
            return Weak::Name(i, e, Confidence::Likely, reason);
        }
        // Hyphenated places named after people ("Henri-Mondor", "Saint-Exupéry") are not names
        // here. A double surname is: parts that are surnames or no French word, then a given
        // name ("Ozanne-Ricq Ydrissa"); without the given name, parts that are not given names
        // either ("Lhermitte-Bayo Vasseux").
        let surname_part = |p: &str| (is_surname(p) || !is_french_word(p)) && !is_surname_word(p);
        let double_surname = w
            .split('-')
            .all(|p| surname_part(p) && (fn_n || !is_first_name(p)));
        let hyph_block = w.contains('-') && !fn_i && !double_surname;
        if hyph_block {
            return Weak::Skip(extend(t, i, false));
        }
        // W1: given name + capitalised word ("Karim Haddad", "Andrée REY").
        if fn_i && !allcaps && (!place || sn_n || fn_n || n_allcaps) {
            let e = extend(t, nxt, true);
            return Weak::Name(i, e, Confidence::Likely, "prénom connu suivi d'un nom");
        }
        // W2: SURNAME + given name ("REY Andrée"), or known SURNAME + capitalised word.
        if allcaps && (fn_n || (sn_i && !place)) {
            let e = extend(t, nxt, true);
            return Weak::Name(i, e, Confidence::Likely, "NOM en capitales et prénom");
        }
        // W3: surname + given name ("Haddad Karim").
        if sn_i && fn_n && !n_allcaps {
            let e = extend(t, nxt, true);
            return Weak::Name(i, e, Confidence::Likely, "nom de famille et prénom connus");
        }
        // W5: two capitalised words inside a sentence, one a known surname.
        if !start && !place && !allcaps && !n_allcaps && (sn_i || sn_n) {
            let e = extend(t, nxt, true);
            return Weak::Name(i, e, Confidence::Likely, "nom de famille fréquent");
        }
        // W7: two or three capitalised words followed by a role in apposition.
        let e = extend(t, nxt, true);
        if !place && !allcaps && role_after(t, e) {
            return Weak::Name(
                i,
                e,
                Confidence::Likely,
                "suivi d'une fonction en apposition",
            );
        }
        // W8: exactly two unknown capitalised words inside a sentence after a lowercase word
        // ("vue avec Dilnoza Karimova hier"): multiword proper nouns that are not people usually
        // follow an institution word (blocked above) or contain a listed word.
        let prev_lower = i > 0 && t.is_word(i - 1) && !t.has(i - 1, CAP) && t.same_line(i);
        let after = nxt + 1;
        let third_cap = t.same_line(after)
            && ((t.is_word(after) && t.has(after, CAP))
                || (t.is_punct(after, '(') && t.has(after + 1, ALLCAPS)));
        let looks = |k: usize| !t.has(k, ALLCAPS) && !t.f(k).contains('-') && t.f(k).len() >= 3;
        if prev_lower
            && !place
            && !third_cap
            && looks(i)
            && looks(nxt)
            && !matches!(t.f(i - 1), "de" | "du" | "des" | "d")
            && !as_word
        {
            // Both shaped like names and no French words ("avec Dilnoza Karimova"): likely;
            // otherwise possible.
            if shaped_i && name_shaped(wn) && !is_french_word(wn) {
                return Weak::Name(i, nxt, Confidence::Likely, "deux mots à la forme de noms");
            }
            return Weak::Name(
                i,
                nxt,
                Confidence::Possible,
                "deux mots capitalisés inconnus",
            );
        }
        return Weak::No;
    }
    let prev_cap = i > 0 && t.same_line(i) && t.is_word(i - 1) && t.has(i - 1, CAP);
    // A lone surname (listed, or frequent and also a word) or a lone word strongly shaped like
    // a name, where the context shows a person ("vu avec Dupont.", "vu avec Petit.", "et
    // Karimova a rappelé"). Possible: one word is thin evidence.
    let strongly_shaped = || shaped_i && name_score(w).is_some_and(|s| s > STRONGLY_NAME_SHAPED);
    // Places are hyphenated with lowercase words ("Montlouis-sur-Loire"), double names not.
    let capital_parts = || {
        t.raw(i)
            .split('-')
            .all(|p| p.chars().next().is_some_and(char::is_uppercase))
    };
    if !fn_i && !allcaps && !prev_cap && !start && !place && (sn_i || word_i || shaped_i) {
        if person_slot(t, i) && (sn_i || word_i || strongly_shaped()) && capital_parts() {
            let reason = if word_i {
                "nom de famille courant employé comme nom"
            } else if sn_i {
                "nom de famille à la place d'une personne"
            } else {
                "forme de nom à la place d'une personne"
            };
            return Weak::Name(i, i, Confidence::Possible, reason);
        }
        return Weak::No;
    }
    if !fn_i || allcaps || prev_cap {
        return Weak::No;
    }
    // A lone given name followed by a role in apposition ("Appel de Pierre-Yves, le fils").
    if role_after(t, i) {
        return Weak::Name(i, i, Confidence::Likely, "prénom suivi d'une fonction");
    }
    if place {
        return Weak::No;
    }
    // W6: a lone known given name inside a sentence ("... et Yanis a appelé"), or opening a
    // sentence as the subject of a verb ("Ousmane dit entendre des voix").
    if !start {
        return Weak::Name(i, i, Confidence::Likely, "prénom connu dans une phrase");
    }
    let nxt_verb = t.is_word(nxt) && !t.has(nxt, CAP) && subject_verb(t.f(nxt));
    if nxt_verb {
        return Weak::Name(i, i, Confidence::Likely, "prénom connu sujet d'un verbe");
    }
    Weak::No
}

/// Names in lists without a cue: after a found name, further items separated by ',', ';' or
/// "et" that are runs of two or three capitalised words ("..., Ydrissa Tchakounté et Maëlwenn
/// Kervarec") or one listed name. Possible: the only evidence is the neighbour.
fn list_neighbours(t: &Tokens, spans: &mut Vec<Span>) {
    let mut extra = Vec::new();
    for sp in spans.iter() {
        let mut e = sp.e;
        loop {
            let c = e + 1;
            if !(t.same_line(c) && (t.is_punct(c, ',') || t.is_punct(c, ';') || t.is(c, "et"))) {
                break;
            }
            let j = c + 1;
            if !(t.same_line(j) && name_tok(t, j, true)) || cue_at(t, j).is_some() {
                break;
            }
            let end = extend(t, j, true);
            let n = end - j + 1;
            // One listed name, a surname that is also a word (no determiner here), or a word
            // that is no French word ("..., Kabongo et Tshisekedi").
            let wj = t.f(j);
            let known =
                is_first_name(wj) || is_surname(wj) || is_surname_word(wj) || !is_french_word(wj);
            // The item must end the list element: separator, end of sentence or line.
            let k = end + 1;
            let closed = !t.same_line(k)
                || t.is_punct(k, ',')
                || t.is_punct(k, ';')
                || t.is_punct(k, '.')
                || t.is_punct(k, ')')
                || t.is(k, "et");
            if !closed || !(n >= 2 || known) || spans.iter().any(|x| x.s <= end && j <= x.e) {
                break;
            }
            extra.push(Span::new(
                j,
                end,
                Confidence::Possible,
                "dans une liste de noms",
            ));
            e = end;
        }
    }
    spans.extend(extra);
}

/// Finds person names.
pub fn find(t: &Tokens, out: &mut Vec<Finding>) {
    let n = t.len();
    let mut i = 0;
    let mut spans: Vec<Span> = Vec::new();
    // Programme and service names ("Mon soutien psy", "Vigilans"): never names (data/programmes.txt).
    let mut programme = vec![false; n];
    let mut k = 0;
    while k < n {
        match programme_at(t, k) {
            Some(e) => {
                programme[k..=e].iter_mut().for_each(|b| *b = true);
                k = e + 1;
            }
            None => k += 1,
        }
    }
    while i < n {
        if programme[i] {
            i += 1;
            continue;
        }
        if let Some(e) = strong_at(t, i, &mut spans) {
            i = e + 1;
            continue;
        }
        match weak_at(t, i) {
            Weak::Name(s, e, confidence, reason) => {
                spans.push(Span::new(s, e, confidence, reason));
                i = e + 1;
            }
            Weak::Skip(e) => i = e + 1,
            Weak::No => i += 1,
        }
    }
    list_neighbours(t, &mut spans);
    for sp in spans {
        // A name never runs into a programme name: cut it there, drop it if nothing is left.
        let mut e = sp.e;
        if let Some(p) = (sp.s..=sp.e).find(|&m| programme[m]) {
            if p == sp.s {
                continue;
            }
            e = p - 1;
            while e > sp.s && !t.is_word(e) {
                e -= 1;
            }
        }
        out.push(Finding::new(
            sp.kind,
            t.toks[sp.s].start,
            t.toks[e].end,
            sp.confidence,
            sp.reason,
        ));
    }
}
