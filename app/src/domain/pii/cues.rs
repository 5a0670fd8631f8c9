//! The cue grammar of person names, as data: each [`Rule`] is a cue pattern (a title, a
//! civil-status label such as "Nom de naissance :", a birth or married name marker such as "née"
//! or "épouse", a verb of naming), what follows it and the kind of identifier it introduces.
//! `names.rs` reads what follows; this file only says where a cue is.
//!
//! Pattern syntax: elements separated by spaces, matched against successive tokens; an element
//! lists alternatives separated by `|`; a trailing `?` makes it optional. An alternative is a
//! folded word (lowercase, no accents: `prenom` matches "Prénom" and "PRÉNOM"), a punctuation
//! character, `<title>` (any title or honorific of the lexicon), or `=word` (the raw word in
//! lowercase, accents kept: `=née` matches "née" and "NÉE" but not the negation "ne").

use super::lexicon::{is_title, titles, Prefilter};
use super::text::Tokens;
use super::PiiKind;
use std::sync::OnceLock;

/// What follows a cue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follows {
    /// A title: initials, particles and a name, a very short surname ("Mme Vo"), a single-letter
    /// placeholder ("Mme X"), or a listed name in lowercase ("mme martin"). The span includes
    /// the title.
    Title,
    /// A civil-status label: a name in any capitalisation, with particles ("Nom : de La
    /// Fontaine"), a listed name in lowercase, and given names coordinated by ',' or "et". The
    /// span starts after the label.
    Label,
    /// A list label ("Présents :"): several names separated by ',', ';' or "et", each with or
    /// without a title.
    List,
    /// A marker of birth or married name, or a verb of naming ("née", "épouse", "s'appelle"):
    /// a capitalised name right after it.
    Name,
    /// As [`Follows::Name`], with the strict checks of the weak rules (no drug, place, eponym):
    /// used for verbs that also introduce things ("Je vous adresse", "Il s'agit de", "on
    /// l'appelle").
    StrictName,
}

/// One rule of the cue grammar.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Cue pattern (see the module documentation).
    pub pattern: &'static str,
    /// What follows the cue.
    pub follows: Follows,
    /// Kind of identifier introduced.
    pub kind: PiiKind,
}

const fn rule(pattern: &'static str, follows: Follows) -> Rule {
    Rule {
        pattern,
        follows,
        kind: PiiKind::Name,
    }
}

/// The rules. When several match at a token, the longest cue wins.
pub const RULES: &[Rule] = &[
    // Titles and honorifics, in any case ("Mme", "mme", "MME", "M.", "Dr", "Pr", "Maître").
    rule("<title>", Follows::Title),
    // Civil-status fields of administrative forms and letters.
    rule("nom|noms :", Follows::Label),
    rule("nom|noms de naissance :", Follows::Label),
    rule("nom|noms de famille :", Follows::Label),
    rule("nom|noms de jeune fille :", Follows::Label),
    rule("nom|noms d ' usage :", Follows::Label),
    rule("nom|noms d ' epouse :", Follows::Label),
    rule("nom|noms marital|usuel|patronymique|patronyme :", Follows::Label),
    rule("usage :", Follows::Label),
    rule(
        "nom|noms du|de|des la|l? '? patient|patiente|pere|mere|enfant|assure|assuree|conjoint|conjointe|beneficiaire|tuteur|tutrice|representant|representante|demandeur|demandeuse :",
        Follows::Label,
    ),
    rule("prenom|prenoms (? s? )? usuel? :", Follows::Label),
    rule("nom|noms et|/|-|,? prenom|prenoms (? s? )? :", Follows::Label),
    rule("prenom|prenoms et|/|-|,? nom|noms :", Follows::Label),
    rule("identite :", Follows::Label),
    rule("patient|patiente|usager|usagere (? e? )? :", Follows::Label),
    rule("assure|assuree|beneficiaire|epouse|epoux|conjoint|conjointe :", Follows::Label),
    rule("signataire|redacteur|redactrice :", Follows::Label),
    rule("redige|redigee|signe|signee par :?", Follows::Label),
    rule("medecin|psychiatre|psychologue|referent|referente traitant? :", Follows::Label),
    // Lists of people.
    rule(
        "presents|presentes|participants|participantes|invites|invitees|excuses|excusees|absents|destinataires|copie|copies|cc :",
        Follows::List,
    ),
    rule("etaient|etait presents|presentes|present|presente :", Follows::List),
    // Birth and married names: "Mme Martin née Durand", "épouse Nguyen", "veuve Roux".
    rule("=née|=né|=nee|=neé", Follows::Name),
    rule("epouse|epoux|veuve|vve|divorcee|divorce", Follows::Name),
    rule("ep .", Follows::Name),
    // Verbs of naming.
    rule(
        "appelle|appele|appelee|prenomme|prenommee|nomme|nommee|denomme|denommee|surnomme|surnommee",
        Follows::StrictName,
    ),
    rule("vous adresse", Follows::StrictName),
    rule("agit de|d '?", Follows::StrictName),
];

/// One alternative of a pattern element.
#[derive(Debug)]
enum Alt {
    Folded(&'static str),
    Raw(&'static str),
    Title,
}

/// One element of a compiled pattern.
#[derive(Debug)]
struct Elem {
    alts: Vec<Alt>,
    optional: bool,
}

fn compile(pattern: &'static str) -> Vec<Elem> {
    pattern
        .split_whitespace()
        .map(|e| {
            let (body, optional) = match e.strip_suffix('?') {
                Some(b) if !b.is_empty() => (b, true),
                _ => (e, false),
            };
            let alts = body
                .split('|')
                .map(|a| match a {
                    "<title>" => Alt::Title,
                    _ => match a.strip_prefix('=') {
                        Some(r) => Alt::Raw(r),
                        None => Alt::Folded(a),
                    },
                })
                .collect();
            Elem { alts, optional }
        })
        .collect()
}

/// Compiled rules, and for a quick rejection the folded words that can open a cue.
struct Compiled {
    rules: Vec<Vec<Elem>>,
    openers: Vec<&'static str>,
    /// Openers and titles.
    filter: Prefilter,
}

fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let rules: Vec<Vec<Elem>> = RULES.iter().map(|r| compile(r.pattern)).collect();
        let mut openers = Vec::new();
        for r in &rules {
            for a in &r[0].alts {
                match a {
                    Alt::Folded(w) => openers.push(*w),
                    Alt::Raw(w) => openers.push(w),
                    Alt::Title => {}
                }
            }
        }
        // Raw alternatives are listed with accents; their folded forms open cues too.
        let folded: Vec<String> = openers.iter().map(|w| super::text::fold(w)).collect();
        let mut openers: Vec<&'static str> = openers
            .into_iter()
            .chain(folded.into_iter().map(|s| &*Box::leak(s.into_boxed_str())))
            .collect();
        openers.sort_unstable();
        openers.dedup();
        let mut filter = Prefilter::new();
        for w in openers.iter().chain(titles()) {
            filter.insert(w);
        }
        Compiled {
            rules,
            openers,
            filter,
        }
    })
}

fn alt_matches(t: &Tokens, i: usize, a: &Alt) -> bool {
    match a {
        Alt::Folded(w) => t.f(i) == *w && t.kind(i).is_some(),
        Alt::Raw(w) => t.is_word(i) && t.raw(i).to_lowercase() == *w,
        Alt::Title => t.is_word(i) && is_title(t.f(i)),
    }
}

/// Matches `elems` at token `i` (all on one line); returns the index just past the cue.
fn match_elems(t: &Tokens, i: usize, elems: &[Elem]) -> Option<usize> {
    let mut j = i;
    for (n, e) in elems.iter().enumerate() {
        let ok = (n == 0 || t.same_line(j)) && e.alts.iter().any(|a| alt_matches(t, j, a));
        if ok {
            j += 1;
        } else if !e.optional {
            return None;
        }
    }
    Some(j)
}

/// The longest cue starting at token `i`: the rule and the index of the first token after it.
pub fn cue_at(t: &Tokens, i: usize) -> Option<(&'static Rule, usize)> {
    if !t.is_word(i) {
        return None;
    }
    let c = compiled();
    let w = t.f(i);
    if !c.filter.may_contain(w) || (c.openers.binary_search(&w).is_err() && !is_title(w)) {
        return None;
    }
    let mut best: Option<(&'static Rule, usize)> = None;
    for (r, elems) in RULES.iter().zip(&c.rules) {
        if let Some(j) = match_elems(t, i, elems) {
            if best.is_none_or(|(_, bj)| j > bj) {
                best = Some((r, j));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(text: &str) -> Option<(Follows, String)> {
        let t = Tokens::new(text);
        (0..t.len()).find_map(|i| {
            cue_at(&t, i).map(|(r, j)| {
                let end = t.toks[j - 1].end;
                (r.follows, text[t.toks[i].start..end].to_string())
            })
        })
    }

    #[test]
    fn every_rule_compiles_and_opens_with_a_word() {
        for (r, elems) in RULES.iter().zip(&compiled().rules) {
            assert!(!elems.is_empty(), "{}", r.pattern);
            assert!(!elems[0].optional, "{}", r.pattern);
            assert_eq!(r.kind, PiiKind::Name);
        }
    }

    /// One positive example per rule: (pattern, text starting with the cue, name to flag).
    const EXAMPLES: &[(&str, &str, &str)] = &[
        ("<title>", "Mme Vo a appelé.", "Mme Vo"),
        ("<title>", "dr z pour le bilan.", "dr z"),
        ("nom|noms :", "Nom : NGUYEN", "NGUYEN"),
        ("nom|noms de naissance :", "Nom de naissance : Nguyen", "Nguyen"),
        ("nom|noms de famille :", "Nom de famille : Quennehen", "Quennehen"),
        ("nom|noms de jeune fille :", "Nom de jeune fille : Roux", "Roux"),
        ("nom|noms d ' usage :", "Nom d'usage : Le Goff", "Le Goff"),
        ("nom|noms d ' epouse :", "Nom d'épouse : Vasseux", "Vasseux"),
        ("nom|noms marital|usuel|patronymique|patronyme :", "Nom marital : Dhaussy", "Dhaussy"),
        ("usage :", "Usage : Martin", "Martin"),
        (
            "nom|noms du|de|des la|l? '? patient|patiente|pere|mere|enfant|assure|assuree|conjoint|conjointe|beneficiaire|tuteur|tutrice|representant|representante|demandeur|demandeuse :",
            "Nom de la mère : Diallo",
            "Diallo",
        ),
        ("prenom|prenoms (? s? )? usuel? :", "Prénom(s) : Thi", "Thi"),
        ("nom|noms et|/|-|,? prenom|prenoms (? s? )? :", "Nom / Prénom : TRAN Minh", "TRAN Minh"),
        ("prenom|prenoms et|/|-|,? nom|noms :", "Prénom et nom : Minh Tran", "Minh Tran"),
        ("identite :", "Identité : KERVAREC Maëlwenn", "KERVAREC Maëlwenn"),
        ("patient|patiente|usager|usagere (? e? )? :", "Patient(e) : Vo", "Vo"),
        ("assure|assuree|beneficiaire|epouse|epoux|conjoint|conjointe :", "Assurée : Brossollet", "Brossollet"),
        ("signataire|redacteur|redactrice :", "Signataire : Orsatelli", "Orsatelli"),
        ("redige|redigee|signe|signee par :?", "Rédigé par : Vasseux", "Vasseux"),
        ("medecin|psychiatre|psychologue|referent|referente traitant? :", "Médecin traitant : Quennehen", "Quennehen"),
        (
            "presents|presentes|participants|participantes|invites|invitees|excuses|excusees|absents|destinataires|copie|copies|cc :",
            "Présents : Mme Vo, Tchakounté",
            "Tchakounté",
        ),
        ("etaient|etait presents|presentes|present|presente :", "Étaient présents : Kervarec", "Kervarec"),
        ("=née|=né|=nee|=neé", "née Quennehen, 82 ans.", "Quennehen"),
        ("epouse|epoux|veuve|vve|divorcee|divorce", "veuve Dhaussy, en EHPAD.", "Dhaussy"),
        ("ep .", "ép. Vasseux, revue.", "Vasseux"),
        (
            "appelle|appele|appelee|prenomme|prenommee|nomme|nommee|denomme|denommee|surnomme|surnommee",
            "appelée Maëlwenn par sa mère.",
            "Maëlwenn",
        ),
        ("vous adresse", "vous adresse Karim Haddad pour avis.", "Karim Haddad"),
        ("agit de|d '?", "agit de Lina Costa, 23 ans.", "Lina Costa"),
    ];

    /// Texts where a cue matches but introduces no name.
    const NEGATIVES: &[&str] = &[
        "Mme, M. : rayer la mention inutile.",
        "dr de garde ; madame va mieux ; monsieur dit non.",
        "Nom : inconnu. Nom du médicament : Seroplex.",
        "Prénom : à compléter ; identité : non vérifiée.",
        "Patient : 45 ans, IMC 31.",
        "Rédigé par : le secrétariat. Médecin traitant : non déclaré.",
        "Présents : l'équipe du CMP, l'IDE et l'interne. Copie : Médecin traitant.",
        "née le 3 mai ; née à Tours ; née en Algérie ; il ne Sait pas.",
        "veuve depuis 2019 ; épouse et mère de trois enfants.",
        "Je vous adresse le compte rendu. Il s'agit de Deroxat.",
        "Il s'appelle Paris sur les réseaux ; on l'a appelé Tercian.",
    ];

    #[test]
    fn every_rule_has_a_positive_example_and_negatives_pass() {
        for r in RULES {
            assert!(
                EXAMPLES.iter().any(|e| e.0 == r.pattern),
                "no example for {}",
                r.pattern
            );
        }
        for &(pattern, text, name) in EXAMPLES {
            let t = Tokens::new(text);
            let (rule, _) = cue_at(&t, 0).unwrap_or_else(|| panic!("no cue in {text:?}"));
            assert_eq!(rule.pattern, pattern, "{text:?}");
            let s = text.find(name).unwrap();
            let f = super::super::find_identifiers(text);
            assert!(
                f.iter()
                    .any(|x| x.kind == rule.kind && x.start == s && x.end == s + name.len()),
                "{text:?}: expected {name:?}, got {f:?}"
            );
        }
        for text in NEGATIVES {
            let f = super::super::find_identifiers(text);
            assert!(f.is_empty(), "{text:?}: {f:?}");
        }
    }

    #[test]
    fn civil_status_labels() {
        for (text, label) in [
            ("Nom de naissance : Nguyen", "Nom de naissance :"),
            ("NOM DE NAISSANCE : NGUYEN", "NOM DE NAISSANCE :"),
            ("Nom d'usage : Le Goff", "Nom d'usage :"),
            ("Nom d’épouse : Martin", "Nom d’épouse :"),
            ("Prénom(s) : Marie, Anne", "Prénom(s) :"),
            ("Prénoms : Marie", "Prénoms :"),
            ("Nom / Prénom : TRAN Minh", "Nom / Prénom :"),
            ("Nom du patient : Vo", "Nom du patient :"),
            ("Nom de la mère : Diallo", "Nom de la mère :"),
            ("Patient(e) : REY Andrée", "Patient(e) :"),
            ("Nom de jeune fille : Roux", "Nom de jeune fille :"),
        ] {
            assert_eq!(
                cue(text),
                Some((Follows::Label, label.to_string())),
                "{text}"
            );
        }
        assert_eq!(
            cue("Présents : Dr Martin, Mme Vo").map(|c| c.0),
            Some(Follows::List)
        );
    }

    #[test]
    fn labels_of_other_things_are_not_cues() {
        assert_eq!(cue("Nom du médicament : Seroplex"), None);
        assert_eq!(cue("Nom de l'établissement : CHRU de Tours"), None);
        assert_eq!(cue("Le nom de la molécule est inconnu."), None);
        assert_eq!(cue("Il ne Sait pas."), None);
    }

    #[test]
    fn titles_birth_and_married_names() {
        assert_eq!(cue("mme vo"), Some((Follows::Title, "mme".into())));
        assert_eq!(cue("M. Ly"), Some((Follows::Title, "M".into())));
        assert_eq!(cue("Mme Roux née Martin").unwrap().1, "Mme");
        assert_eq!(cue("née Martin"), Some((Follows::Name, "née".into())));
        assert_eq!(cue("NÉE MARTIN"), Some((Follows::Name, "NÉE".into())));
        assert_eq!(cue("veuve Roux"), Some((Follows::Name, "veuve".into())));
        assert_eq!(cue("ép. Tran"), Some((Follows::Name, "ép.".into())));
        assert_eq!(
            cue("Je vous adresse Karim"),
            Some((Follows::StrictName, "vous adresse".into()))
        );
    }
}
