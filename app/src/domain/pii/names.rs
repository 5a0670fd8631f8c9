//! Person names, found from context cues (titles, kinship words, labels such as "Patient :")
//! and, without cues, from capitalisation patterns confirmed by the given-name and surname lists.

use super::lexicon::{
    is_acronym, is_context_block, is_first_name, is_kin, is_particle, is_stop, is_surname,
    is_title, is_weak_block,
};
use super::text::{Kind, Tokens, ALLCAPS, CAP};
use super::{Finding, PiiKind};

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

/// Strong cue at token `i`: returns the name span(s) it introduces.
fn strong_at(t: &Tokens, i: usize, out: &mut Vec<(usize, usize)>) -> Option<usize> {
    if !t.is_word(i) {
        return None;
    }
    let w = t.f(i);
    // 1. Titles: "Mme Gigli", "le Dr Lebon", "M. Nguyen Van Long", "Pr J. Martin".
    if is_title(w) {
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
        // "Madame le Docteur X"
        if t.is_word(j)
            && matches!(t.f(j), "le" | "la")
            && is_title(t.f(j + 1))
            && t.f(j + 1) != "m"
        {
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
        // Capitalised particle opening a surname: "Mme Le Goff", "M. Da Silva", "Dr Van Long".
        if t.is_word(j)
            && t.has(j, CAP)
            && is_particle(t.f(j))
            && t.same_line(j + 1)
            && name_tok(t, j + 1, false)
        {
            let e = extend(t, j + 1, false);
            out.push((i, e));
            return Some(e);
        }
        if !t.same_line(j) || !name_tok(t, j, false) {
            // Initials alone ("Dr J.") or no name at all ("le Dr du CMP").
            if j > first_initial {
                out.push((i, j - 1));
                return Some(j - 1);
            }
            return None;
        }
        let e = extend(t, j, false);
        out.push((i, e));
        return Some(e);
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
        out.push((j, e));
        // Coordinated names: "Inès et Noah", "Inès, Noah et Lina".
        loop {
            let c = e + 1;
            let coord = t.is_punct(c, ',') || t.is(c, "et");
            if coord && t.same_line(c + 1) && name_tok(t, c + 1, true) && is_first_name(t.f(c + 1))
            {
                e = extend(t, c + 1, false);
                out.push((c + 1, e));
            } else {
                break;
            }
        }
        return Some(e);
    }
    // 3. Roles: "l'IDE Marc", "la psychologue Claire Dubois", "son éducatrice Awa".
    if role_word(w) && !is_kin(w) && (t.has(i, ALLCAPS) || !t.has(i, CAP)) {
        let j = i + 1;
        if t.same_line(j) && name_tok(t, j, true) {
            let e = extend(t, j, true);
            out.push((j, e));
            return Some(e);
        }
    }
    // 4. Labels and verbs: "Patient : REY Andrée", "Nom : ...", "s'appelle Yanis",
    //    "prénommée Aïcha", "Je vous adresse Karim Haddad", "Il s'agit de Lina Costa".
    let cue = match w {
        "patient" | "patiente" | "nom" | "prenom" | "prenoms" | "identite" | "usage" | "epouse" => {
            let mut j = i + 1;
            while t.is_punct(j, '(')
                || t.is(j, "e")
                || t.is_punct(j, ')')
                || t.is_punct(j, '/')
                || t.is(j, "prenom")
                || t.is(j, "nom")
            {
                j += 1;
            }
            t.is_punct(j, ':').then_some((j + 1, false))
        }
        "appelle" | "appele" | "appelee" | "prenomme" | "prenommee" | "nomme" | "nommee"
        | "denomme" | "denommee" | "surnomme" | "surnommee" => Some((i + 1, false)),
        "adresse" if i > 0 && t.is(i - 1, "vous") => Some((i + 1, true)),
        "agit" if t.is(i + 1, "de") || (t.is(i + 1, "d") && t.is_punct(i + 2, '\'')) => {
            Some((if t.is(i + 1, "de") { i + 2 } else { i + 3 }, true))
        }
        _ => None,
    };
    if let Some((j, strict)) = cue {
        if t.same_line(j) && name_tok(t, j, strict) {
            let e = extend(t, j, strict);
            out.push((j, e));
            return Some(e);
        }
    }
    None
}

/// Outcome of the weak rules at a token.
enum Weak {
    /// A name spans these tokens.
    Name(usize, usize),
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
    let sn_i = is_surname(w);
    if blocked_context(t, i) {
        return Weak::Skip(extend(t, i, false));
    }
    let place = place_preposition(t, i);
    let start = sentence_start(t, i);
    if next_name {
        let wn = t.f(nxt);
        let fn_n = is_first_name(wn);
        let sn_n = is_surname(wn);
        let n_allcaps = t.has(nxt, ALLCAPS);
        // Hyphenated places named after people ("Henri-Mondor") are not first names here.
        let hyph_block = w.contains('-') && !fn_i;
        if hyph_block {
            return Weak::Skip(extend(t, i, false));
        }
        // W1: given name + capitalised word ("Karim Haddad", "Andrée REY").
        if fn_i && !allcaps && (!place || sn_n || fn_n || n_allcaps) {
            return Weak::Name(i, extend(t, nxt, true));
        }
        // W2: SURNAME + given name ("REY Andrée"), or known SURNAME + capitalised word.
        if allcaps && (fn_n || (sn_i && !place)) {
            return Weak::Name(i, extend(t, nxt, true));
        }
        // W3: surname + given name ("Haddad Karim").
        if sn_i && fn_n && !n_allcaps {
            return Weak::Name(i, extend(t, nxt, true));
        }
        // W5: two capitalised words inside a sentence, one a known surname.
        if !start && !place && !allcaps && !n_allcaps && (sn_i || sn_n) {
            return Weak::Name(i, extend(t, nxt, true));
        }
        // W7: two or three capitalised words followed by a role in apposition.
        let e = extend(t, nxt, true);
        if !place && !allcaps && role_after(t, e) {
            return Weak::Name(i, e);
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
        {
            return Weak::Name(i, nxt);
        }
        return Weak::No;
    }
    let prev_cap = i > 0 && t.same_line(i) && t.is_word(i - 1) && t.has(i - 1, CAP);
    if !fn_i || allcaps || prev_cap {
        return Weak::No;
    }
    // A lone given name followed by a role in apposition ("Appel de Pierre-Yves, le fils").
    if role_after(t, i) {
        return Weak::Name(i, i);
    }
    if place {
        return Weak::No;
    }
    // W6: a lone known given name inside a sentence ("... et Yanis a appelé"), or opening a
    // sentence as the subject of a verb ("Ousmane dit entendre des voix").
    if !start {
        return Weak::Name(i, i);
    }
    let nxt_verb = t.is_word(nxt) && !t.has(nxt, CAP) && subject_verb(t.f(nxt));
    if nxt_verb {
        return Weak::Name(i, i);
    }
    Weak::No
}

/// Finds person names.
pub fn find(t: &Tokens, out: &mut Vec<Finding>) {
    let n = t.len();
    let mut i = 0;
    let mut spans = Vec::new();
    while i < n {
        spans.clear();
        if let Some(e) = strong_at(t, i, &mut spans) {
            for &(s, e) in &spans {
                out.push(Finding {
                    kind: PiiKind::Name,
                    start: t.toks[s].start,
                    end: t.toks[e].end,
                });
            }
            i = e + 1;
            continue;
        }
        match weak_at(t, i) {
            Weak::Name(s, e) => {
                out.push(Finding {
                    kind: PiiKind::Name,
                    start: t.toks[s].start,
                    end: t.toks[e].end,
                });
                i = e + 1;
            }
            Weak::Skip(e) => i = e + 1,
            Weak::No => i += 1,
        }
    }
}
