//! Unit tests per kind, false-positive probes, and the dev-set measurement.

use super::*;

#[derive(serde::Deserialize)]
struct DevSpan {
    start: usize,
    end: usize,
    kind: String,
}

#[derive(serde::Deserialize)]
struct DevRow {
    id: String,
    text: String,
    spans: Vec<DevSpan>,
}

/// Recall per kind, overall recall, clean texts flagged and spurious findings on a JSONL corpus.
pub(crate) struct Scores {
    pub per_kind: Vec<(PiiKind, usize, usize)>,
    pub found: usize,
    pub total: usize,
    pub clean_flagged: usize,
    pub clean_total: usize,
    pub spurious: usize,
    pub findings_in_annotated: usize,
}

pub(crate) fn score_jsonl(data: &str, verbose: bool) -> Scores {
    let mut per_kind: Vec<(PiiKind, usize, usize)> =
        PiiKind::ALL.iter().map(|&k| (k, 0, 0)).collect();
    let (mut clean_flagged, mut clean_total, mut spurious, mut in_annotated) = (0, 0, 0, 0);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let row: DevRow = serde_json::from_str(line).expect("valid JSONL row");
        let found = find_identifiers(&row.text);
        if row.spans.is_empty() {
            clean_total += 1;
            if !found.is_empty() {
                clean_flagged += 1;
                if verbose {
                    for f in &found {
                        println!(
                            "CLEAN-FP {} {:?} {:?}",
                            row.id,
                            f.kind,
                            &row.text[f.start..f.end]
                        );
                    }
                }
            }
            continue;
        }
        for s in &row.spans {
            let kind = PiiKind::from_code(&s.kind).expect("known kind");
            let hit = found.iter().any(|f| f.start < s.end && s.start < f.end);
            let e = per_kind.iter_mut().find(|e| e.0 == kind).unwrap();
            e.2 += 1;
            if hit {
                e.1 += 1;
            } else if verbose {
                println!("MISS {} {:?} {:?}", row.id, kind, &row.text[s.start..s.end]);
            }
        }
        for f in &found {
            in_annotated += 1;
            if !row.spans.iter().any(|s| f.start < s.end && s.start < f.end) {
                spurious += 1;
                if verbose {
                    println!(
                        "SPURIOUS {} {:?} {:?}",
                        row.id,
                        f.kind,
                        &row.text[f.start..f.end]
                    );
                }
            }
        }
    }
    let found = per_kind.iter().map(|e| e.1).sum();
    let total = per_kind.iter().map(|e| e.2).sum();
    Scores {
        per_kind,
        found,
        total,
        clean_flagged,
        clean_total,
        spurious,
        findings_in_annotated: in_annotated,
    }
}

pub(crate) fn print_scores(name: &str, s: &Scores) {
    println!("== {name}");
    for (k, f, t) in &s.per_kind {
        if *t > 0 {
            println!(
                "  recall {:<10} {:>4}/{:<4} = {:.3}",
                k.code(),
                f,
                t,
                *f as f64 / *t as f64
            );
        }
    }
    println!(
        "  recall overall    {}/{} = {:.4}",
        s.found,
        s.total,
        s.found as f64 / s.total.max(1) as f64
    );
    println!(
        "  clean texts flagged {}/{} = {:.2} %",
        s.clean_flagged,
        s.clean_total,
        100.0 * s.clean_flagged as f64 / s.clean_total.max(1) as f64
    );
    println!(
        "  findings overlapping no gold span (annotated texts): {}/{}",
        s.spurious, s.findings_in_annotated
    );
}

#[test]
fn dev_set_recall_and_false_alarms() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/pii/dev.jsonl"
    );
    let data =
        std::fs::read_to_string(path).expect("dev.jsonl next to the repository (shared/data/pii)");
    let s = score_jsonl(&data, true);
    print_scores("dev.jsonl", &s);
    assert_issue_14_targets(&s);
}

/// The targets of issue 14 on a development set: recall at least 0.99 for every kind, at most
/// 1 % of clean texts flagged.
fn assert_issue_14_targets(s: &Scores) {
    let overall = s.found as f64 / s.total as f64;
    assert!(overall >= 0.99, "overall recall {overall:.4} < 0.99");
    for (k, f, t) in &s.per_kind {
        if *t > 0 {
            let r = *f as f64 / *t as f64;
            assert!(r >= 0.99, "recall for {} is {r:.3} < 0.99", k.code());
        }
    }
    assert!(
        s.clean_flagged as f64 <= 0.01 * s.clean_total as f64,
        "{} of {} clean texts flagged",
        s.clean_flagged,
        s.clean_total
    );
}

/// The generated set (`data/generate_dev.py`): one class of texts per weakness of issue 14
/// (civil-status labels, short surnames, lowercase titles, initials, particles, lists, grouped
/// hospital numbers) and clean texts with the traps (programme names, eponyms, drugs, scores).
#[test]
fn generated_set_recall_and_false_alarms() {
    let data = include_str!("data/generated.jsonl");
    let s = score_jsonl(data, true);
    print_scores("generated.jsonl", &s);
    // Recall per class of texts (the id is "gen-<class>-<n>").
    let mut classes: Vec<(String, String)> = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let row: DevRow = serde_json::from_str(line).expect("valid JSONL row");
        let class = row.id.rsplit_once('-').map_or("", |(c, _)| c).to_string();
        match classes.iter_mut().find(|(c, _)| *c == class) {
            Some((_, lines)) => {
                lines.push_str(line);
                lines.push('\n');
            }
            None => classes.push((class, format!("{line}\n"))),
        }
    }
    for (class, lines) in &classes {
        let c = score_jsonl(lines, false);
        println!(
            "  class {class:<14} recall {:>3}/{:<3} clean flagged {}/{} spurious {}",
            c.found, c.total, c.clean_flagged, c.clean_total, c.spurious
        );
    }
    // The issue's targets (with 68 clean texts, 1 % means none flagged), and at most 3 spurious
    // spans. The set was written by the author of the rules: it guards against regressions, it
    // does not measure how well the rules generalise.
    assert_issue_14_targets(&s);
    assert!(s.spurious <= 3, "{} spurious findings", s.spurious);
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Findings as (kind, matched text).
fn found(text: &str) -> Vec<(PiiKind, String)> {
    find_identifiers(text)
        .into_iter()
        .map(|f| (f.kind, text[f.start..f.end].to_string()))
        .collect()
}

/// Asserts that `needle` (a substring of `text`) is covered by a finding of `kind`.
fn assert_flags(text: &str, kind: PiiKind, needle: &str) {
    let s = text.find(needle).expect("needle in text");
    let e = s + needle.len();
    let f = find_identifiers(text);
    assert!(
        f.iter().any(|x| x.kind == kind && x.start < e && s < x.end),
        "expected {kind:?} on {needle:?} in {text:?}; got {:?}",
        found(text)
    );
}

/// Asserts that nothing is flagged.
fn assert_clean(text: &str) {
    let f = found(text);
    assert!(f.is_empty(), "expected no finding in {text:?}; got {f:?}");
}

// ---------------------------------------------------------------------------------------------
// API

#[test]
fn kind_codes_placeholders_and_labels() {
    for k in PiiKind::ALL {
        assert_eq!(PiiKind::from_code(k.code()), Some(k));
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(json, format!("\"{}\"", k.code()));
        assert!(!k.label_fr().is_empty());
    }
    assert_eq!(PiiKind::from_code("nope"), None);
    assert_eq!(PiiKind::Phone.placeholder(), "[TÉLÉPHONE]");
    assert_eq!(PiiKind::Birthdate.placeholder(), "[DATE DE NAISSANCE]");
    assert_eq!(PiiKind::Ipp.label_fr(), "Identifiant hospitalier");
}

#[test]
fn findings_are_sorted_non_overlapping_and_replaceable() {
    let text =
        "Mme Gigli, née le 03/04/1961, tél. 06 12 34 56 78, gigli.m@free.fr, IPP 8001234567.";
    let f = find_identifiers(text);
    assert!(f.windows(2).all(|w| w[0].end <= w[1].start));
    for x in &f {
        assert!(text.is_char_boundary(x.start) && text.is_char_boundary(x.end));
    }
    let r = replace_all(text, &f);
    assert_eq!(
        r,
        "[NOM], née le [DATE DE NAISSANCE], tél. [TÉLÉPHONE], [E-MAIL], IPP [IPP]."
    );
    assert_eq!(f[0].placeholder(), "[NOM]");
    // Defensive: overlapping or out-of-range findings are ignored.
    let bogus = vec![
        Finding::new(PiiKind::Name, 0, 9, Confidence::Likely, "test"),
        Finding::new(PiiKind::Name, 4, 9, Confidence::Likely, "test"),
        Finding::new(PiiKind::Name, 5, 10_000, Confidence::Likely, "test"),
    ];
    assert!(replace_all(text, &bogus).starts_with("[NOM], née"));
    assert_eq!(replace_all("", &[]), "");
    assert!(find_identifiers("").is_empty());
}

// ---------------------------------------------------------------------------------------------
// NIR

#[test]
fn nir_key_validation() {
    assert!(nir_key_is_valid("185057800608491"));
    assert!(!nir_key_is_valid("185057800608436"));
    assert!(nir_key_is_valid("269052A12345688")); // 2A -> 19
    assert!(nir_key_is_valid("269052b12345618")); // 2B -> 18
    assert!(!nir_key_is_valid("269052A12345618"));
    assert!(!nir_key_is_valid("1850578006084")); // no key
    assert!(!nir_key_is_valid("1 85 05 78 006 084 36")); // spaces are not accepted here
    assert!(!nir_key_is_valid("18505780060843X"));
}

#[test]
fn nir_formats() {
    assert_flags(
        "Assuré : 1 85 05 78 006 084 36.",
        PiiKind::Nir,
        "1 85 05 78 006 084 36",
    );
    assert_flags(
        "Son numéro 185057800608491 figure sur l'ordonnance.",
        PiiKind::Nir,
        "185057800608491",
    );
    assert_flags(
        "NIR 1 85 05 78 006 084 - 36 (ALD).",
        PiiKind::Nir,
        "1 85 05 78 006 084 - 36",
    );
    assert_flags(
        "Corse : 2 69 05 2A 123 456 88.",
        PiiKind::Nir,
        "2 69 05 2A 123 456 88",
    );
    assert_flags("Corse : 269052B12345618.", PiiKind::Nir, "269052B12345618");
    assert_flags(
        "Assuré 2.69.05.2B.123.456.18",
        PiiKind::Nir,
        "2.69.05.2B.123.456.18",
    );
    // Invalid key: only with a social-security cue.
    assert_flags(
        "N° de sécu : 1 85 05 78 006 084 99",
        PiiKind::Nir,
        "1 85 05 78 006 084 99",
    );
    assert_flags(
        "sécurité sociale 2 88 04 13 055 321",
        PiiKind::Nir,
        "2 88 04 13 055 321",
    );
    // No cue, no valid key, no canonical grouping: not flagged.
    assert_clean("Lot 185057800608499 reçu.");
    assert_clean("Référence 18505 78006 08499.");
}

// ---------------------------------------------------------------------------------------------
// Phone

#[test]
fn phone_formats() {
    for p in [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "+33612345678",
        "01-23-45-67-89",
        "0033 6 12 34 56 78",
        "+212 6 61 23 45 67",
        "06\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
    ] {
        let text = format!("Joignable au {p} le soir.");
        assert_flags(&text, PiiKind::Phone, p);
    }
}

#[test]
fn phone_false_positives() {
    assert_clean("Numéro national de prévention du suicide : 3114.");
    assert_clean("TA 13/8, FC 72, IMC 24,5, poids 68 kg.");
    assert_clean("Sertraline 50 mg puis 100 mg ; PHQ-9 à 15/27, GAD-7 à 12/21.");
    assert_clean("RPPS 10001234567, FINESS 370000481.");
    assert_clean("Hospitalisé le 12/03/2022, sortie le 02.04.2022.");
}

// ---------------------------------------------------------------------------------------------
// E-mail

#[test]
fn emails() {
    assert_flags(
        "Contact : jean.dupont@orange.fr.",
        PiiKind::Email,
        "jean.dupont@orange.fr",
    );
    assert_flags(
        "Mail sophie.martin+psy@hopital-saint-joseph.org svp",
        PiiKind::Email,
        "sophie.martin+psy@hopital-saint-joseph.org",
    );
    assert_flags(
        "écrire à k_haddad93@yahoo.fr",
        PiiKind::Email,
        "k_haddad93@yahoo.fr",
    );
    assert_flags(
        "écrire à fatou.diop [at] gmail.com",
        PiiKind::Email,
        "fatou.diop [at] gmail.com",
    );
    let f = find_identifiers("Contact : jean.dupont@orange.fr.");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].end - f[0].start, "jean.dupont@orange.fr".len());
    assert_clean("Le rendez-vous @ 14h au CMP ; ratio 2@3.");
}

// ---------------------------------------------------------------------------------------------
// Address

#[test]
fn addresses() {
    assert_flags(
        "Domicilié 12 bis rue de la Paix, 37000 Tours.",
        PiiKind::Address,
        "12 bis rue de la Paix, 37000 Tours",
    );
    assert_flags(
        "Adresse : 7 ter avenue Jean Jaurès 93200 Saint-Denis.",
        PiiKind::Address,
        "7 ter avenue Jean Jaurès 93200 Saint-Denis",
    );
    assert_flags(
        "Vit au 3 impasse des Lilas.",
        PiiKind::Address,
        "3 impasse des Lilas",
    );
    assert_flags(
        "Habite 45, boulevard de la Liberté à Lille.",
        PiiKind::Address,
        "45, boulevard de la Liberté",
    );
    assert_flags(
        "Réside 5 place du Marché, 29000 Quimper.",
        PiiKind::Address,
        "5 place du Marché, 29000 Quimper",
    );
    assert_flags(
        "Lieu de vie : lieu-dit Les Granges, 41120 Chailles.",
        PiiKind::Address,
        "lieu-dit Les Granges, 41120 Chailles",
    );
    assert_flags(
        "Domiciliée lieu-dit La Croix Blanche.",
        PiiKind::Address,
        "lieu-dit La Croix Blanche",
    );
    assert_flags(
        "Au 15 rue du 8 Mai 1945, 94000 Créteil.",
        PiiKind::Address,
        "15 rue du 8 Mai 1945, 94000 Créteil",
    );
    assert_flags(
        "Adresse : 37 Grande Rue, 37000 Tours.",
        PiiKind::Address,
        "37 Grande Rue",
    );
    assert_flags(
        "Adresse : résidence Les Tilleuls, bât. C.",
        PiiKind::Address,
        "résidence Les Tilleuls",
    );
    assert_flags(
        "Vit au 18 chemin de la Fontaine, 45000 Orléans.",
        PiiKind::Address,
        "18 chemin de la Fontaine, 45000 Orléans",
    );
    assert_flags(
        "Adresse : 2 av. Foch 75016 Paris",
        PiiKind::Address,
        "2 av. Foch 75016 Paris",
    );
}

#[test]
fn address_false_positives() {
    assert_clean("Il reste 2 places en HDJ et elle suit 3 cours de TCC.");
    assert_clean("Vit seule à Blois, 37000 habitants dans la commune.");
    assert_clean("Elle a fait 10 km sur la route de Tours.");
    assert_clean("Groupe de parole 1 place libre le mardi.");
}

// ---------------------------------------------------------------------------------------------
// Birthdate

#[test]
fn birthdates_full() {
    assert_flags(
        "Patiente née le 03/04/1961, adressée pour avis.",
        PiiKind::Birthdate,
        "03/04/1961",
    );
    assert_flags("DDN : 3 avril 1961.", PiiKind::Birthdate, "3 avril 1961");
    assert_flags(
        "Date de naissance 1961-04-03.",
        PiiKind::Birthdate,
        "1961-04-03",
    );
    assert_flags(
        "Né(e) le 1er mars 1979 à Oran.",
        PiiKind::Birthdate,
        "1er mars 1979",
    );
    assert_flags("Né à Oran le 12.05.1950.", PiiKind::Birthdate, "12.05.1950");
    assert_flags("Date de naiss. : 02/02/02", PiiKind::Birthdate, "02/02/02");
    assert_flags("DDN 12 nov. 1985", PiiKind::Birthdate, "12 nov. 1985");
    assert_flags(
        "Mme Marques (03/04/1961) est revue.",
        PiiKind::Birthdate,
        "03/04/1961",
    );
}

#[test]
fn birthdates_partial_or_events_are_not_flagged() {
    assert_clean("Née en 04/1961, elle vit seule.");
    assert_clean("Né en avril 1961. Hospitalisée le 12/03/2022 au CHU.");
    assert_clean("Naissance de son fils en 2019. Sortie le 03/08/2024.");
    assert_clean("Il ne le 12 mai pas.");
}

// ---------------------------------------------------------------------------------------------
// IPP

#[test]
fn hospital_identifiers() {
    assert_flags("IPP 8001234567 au CHU.", PiiKind::Ipp, "8001234567");
    assert_flags("n° de dossier 2019-004512.", PiiKind::Ipp, "2019-004512");
    assert_flags("NDA 123456 ; chambre 12.", PiiKind::Ipp, "123456");
    assert_flags("Numéro patient : 778812.", PiiKind::Ipp, "778812");
    assert_flags("Dossier n° A2024-55781.", PiiKind::Ipp, "A2024-55781");
    assert_flags("N° d'admission : 23-004567", PiiKind::Ipp, "23-004567");
    assert_flags("IPP : 123 456 789", PiiKind::Ipp, "123 456 789");
    // An IPP with ten digits from 0 is an IPP, not a phone number.
    let f = find_identifiers("IPP 0476895204 au CHRU.");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, PiiKind::Ipp);
    assert_clean("Dossier MDPH en cours depuis 2019. Chambre 12.");
}

// ---------------------------------------------------------------------------------------------
// Names

#[test]
fn names_with_titles() {
    assert_flags(
        "Je vous adresse Mme Gigli pour avis.",
        PiiKind::Name,
        "Mme Gigli",
    );
    assert_flags(
        "Son psychiatre, le Dr Lebon, est parti.",
        PiiKind::Name,
        "Dr Lebon",
    );
    assert_flags(
        "Reçu Monsieur Nguyen Van Long ce jour.",
        PiiKind::Name,
        "Monsieur Nguyen Van Long",
    );
    assert_flags("Vue par le Pr J. Martin.", PiiKind::Name, "Pr J. Martin");
    assert_flags("Mme Le Goff est revue.", PiiKind::Name, "Mme Le Goff");
    assert_flags(
        "Adressé par Docteur Diallo.",
        PiiKind::Name,
        "Docteur Diallo",
    );
    assert_flags("Avis de Mlle Ayşe Kaya.", PiiKind::Name, "Mlle Ayşe Kaya");
    assert_flags("Patient : M. N'Diaye.", PiiKind::Name, "M. N'Diaye");
    assert_flags(
        "MME DUPONT Jeanne a appelé.",
        PiiKind::Name,
        "MME DUPONT Jeanne",
    );
}

#[test]
fn names_with_kinship() {
    assert_flags("Son fils Yanis l'accompagne.", PiiKind::Name, "Yanis");
    assert_flags(
        "Vue avec son mari, Christophe Adam, hier.",
        PiiKind::Name,
        "Christophe Adam",
    );
    assert_flags(
        "Sa petite-fille Maëlys vient le dimanche.",
        PiiKind::Name,
        "Maëlys",
    );
    assert_flags(
        "Sa fille aînée Sarah est infirmière.",
        PiiKind::Name,
        "Sarah",
    );
    assert_flags(
        "Son fils de 8 ans, Noah, est suivi au CMPP.",
        PiiKind::Name,
        "Noah",
    );
    let text = "Ses enfants Inès et Noah sont au courant.";
    assert_flags(text, PiiKind::Name, "Inès");
    assert_flags(text, PiiKind::Name, "Noah");
    assert_flags(
        "Sa tante Mariama Camara l'héberge.",
        PiiKind::Name,
        "Mariama Camara",
    );
    assert_flags("Son épouse Hélène est décédée.", PiiKind::Name, "Hélène");
}

#[test]
fn names_from_labels_and_patterns() {
    assert_flags(
        "Patient : REY Andrée. Suivi au CMP.",
        PiiKind::Name,
        "REY Andrée",
    );
    assert_flags("Le patient s'appelle Burak.", PiiKind::Name, "Burak");
    assert_flags("Nom : TRAN Prénom : Minh", PiiKind::Name, "TRAN");
    assert_flags(
        "Échange avec Karim Haddad, éducateur.",
        PiiKind::Name,
        "Karim Haddad",
    );
    assert_flags("Vue avec Kofi Mensah hier.", PiiKind::Name, "Kofi Mensah");
    assert_flags(
        "Dilnoza Karimova (compagne) est présente.",
        PiiKind::Name,
        "Dilnoza Karimova",
    );
    assert_flags("Ousmane dit entendre des voix.", PiiKind::Name, "Ousmane");
    assert_flags(
        "Elle appelle souvent Christophe la nuit.",
        PiiKind::Name,
        "Christophe",
    );
    assert_flags("Accompagnée de l'IDE Marc.", PiiKind::Name, "Marc");
    assert_flags(
        "Il s'agit de Lina Costa, 23 ans.",
        PiiKind::Name,
        "Lina Costa",
    );
}

#[test]
fn clinical_vocabulary_is_not_a_name() {
    assert_clean("Deroxat puis Seroplex mal tolérés ; Xanax et Tercian au coucher.");
    assert_clean("Maladie d'Alzheimer chez la mère, maladie de Parkinson chez le père.");
    assert_clean("Échelle de Hamilton à 22, syndrome de Korsakoff, test de Folstein à 24/30.");
    assert_clean("Syndrome de Gilles de la Tourette ; démence à corps de Lewy.");
    assert_clean("Hospitalisée à l'hôpital Henri-Mondor puis au CMP Saint-Exupéry.");
    assert_clean(
        "Vit à l'EHPAD Les Glycines ; suivi au CHRU de Tours puis à la clinique Jean Moulin.",
    );
    assert_clean("Le Dr du CMP a proposé une psychothérapie ; Mon soutien psy : 8 séances.");
    assert_clean("Vit seule à Joué-lès-Tours, puis à Saint-Avertin et Amboise.");
    assert_clean("Patiente de 62 ans, 3 enfants, IMC 31, TA 13/8, 3114 remis.");
    assert_clean("Hospitalisée au Centre Hospitalier Guillaume Régnier à Rennes.");
    assert_clean("Séjour à l'Unité pour Malades Difficiles (UMD) Henri Colin.");
    assert_clean("Lycée Victor Hugo ; hôpital Paul Guiraud ; Institut Pasteur.");
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// Tiny deterministic generator (xorshift) so the test needs no extra crate.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn arbitrary_input_never_panics_and_offsets_are_valid() {
    const ALPHABET: &[&str] = &[
        "a",
        "É",
        "é",
        "ß",
        "ı",
        "ễ",
        "\u{301}",
        " ",
        "\u{a0}",
        "\n",
        "0",
        "1",
        "2",
        "6",
        "9",
        "A",
        "B",
        "+",
        "(",
        ")",
        "-",
        ".",
        "/",
        ",",
        ":",
        "'",
        "’",
        "@",
        "[at]",
        "°",
        "n°",
        "Mme ",
        "Dr ",
        "rue ",
        "lieu-dit ",
        "née le ",
        "DDN ",
        "IPP ",
        "sa fille ",
        "Karim ",
        "HADDAD ",
        "2A",
        "+33 ",
        "(0)",
        "\u{1F600}",
        "ſ",
        "İ",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = (rng.next() % 60) as usize;
        let mut s = String::new();
        for _ in 0..len {
            s.push_str(ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize]);
        }
        let f = find_identifiers(&s);
        let mut last = 0;
        for x in &f {
            assert!(
                x.start >= last && x.start < x.end && x.end <= s.len(),
                "{s:?} {f:?}"
            );
            assert!(s.is_char_boundary(x.start) && s.is_char_boundary(x.end));
            last = x.end;
        }
        let _ = replace_all(&s, &f);
    }
}

#[test]
fn long_input_is_linear_enough() {
    let unit = "Mme Gigli, née le 03/04/1961, 06 12 34 56 78, 12 rue de la Paix 37000 Tours, IPP 8001234567. ";
    let text = unit.repeat(2000); // ~200 KB
    let f = find_identifiers(&text);
    assert_eq!(f.len(), 2000 * 5);
    let digits = "1234567890 ".repeat(20_000);
    let _ = find_identifiers(&digits);
    let ats = "a@".repeat(50_000);
    let _ = find_identifiers(&ats);
}

// ---------------------------------------------------------------------------------------------
// Issue 14: cue grammar, grouped hospital numbers, confidence, programme names

/// Asserts that exactly `needle` (its first occurrence) is one finding of `kind`, and returns it.
fn assert_exact(text: &str, kind: PiiKind, needle: &str) -> Finding {
    let s = text.find(needle).expect("needle in text");
    let e = s + needle.len();
    let f = find_identifiers(text);
    f.iter()
        .find(|x| x.kind == kind && x.start == s && x.end == e)
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "expected {kind:?} exactly on {needle:?} in {text:?}; got {:?}",
                found(text)
            )
        })
}

#[test]
fn names_after_civil_status_labels() {
    let f = assert_exact("Nom de naissance : Nguyen", PiiKind::Name, "Nguyen");
    assert_eq!(f.reason, "après « Nom de naissance : »");
    assert_eq!(f.confidence, Confidence::Likely);
    assert_exact(
        "NOM DE NAISSANCE : NGUYEN\nPrénom : Thi",
        PiiKind::Name,
        "NGUYEN",
    );
    assert_exact(
        "NOM DE NAISSANCE : NGUYEN\nPrénom : Thi",
        PiiKind::Name,
        "Thi",
    );
    assert_exact(
        "Nom d'usage : Le Goff ; né le 3 mai.",
        PiiKind::Name,
        "Le Goff",
    );
    assert_exact("Nom d’épouse : Roux", PiiKind::Name, "Roux");
    assert_exact(
        "Nom de jeune fille : Brossollet.",
        PiiKind::Name,
        "Brossollet",
    );
    let text = "Prénom(s) : Marie, Anne\nNom : VO";
    assert_exact(text, PiiKind::Name, "Marie");
    assert_exact(text, PiiKind::Name, "Anne");
    assert_exact(text, PiiKind::Name, "VO");
    let text = "Nom : TRAN Prénom : Minh";
    assert_exact(text, PiiKind::Name, "TRAN");
    assert_exact(text, PiiKind::Name, "Minh");
    assert_exact("Nom : de La Fontaine", PiiKind::Name, "de La Fontaine");
    assert_exact("Nom du patient : Quennehen.", PiiKind::Name, "Quennehen");
    assert_exact(
        "Patient(e) : Kervarec Maëlwenn.",
        PiiKind::Name,
        "Kervarec Maëlwenn",
    );
    // Birth and married names.
    assert_exact("Mme Roux née Martin, 82 ans.", PiiKind::Name, "Martin");
    assert_exact("MME ROUX NÉE QUENNEHEN", PiiKind::Name, "QUENNEHEN");
    assert_exact("Mme Nguyen épouse Tran est revue.", PiiKind::Name, "Tran");
    assert_exact(
        "Mme Roux veuve Dhaussy, en EHPAD.",
        PiiKind::Name,
        "Dhaussy",
    );
    assert_exact("Mme Roux ép. Vasseux, revue.", PiiKind::Name, "Vasseux");
    // Labels of other things, births and negations.
    assert_clean("Nom du médicament : Seroplex. Posologie : 10 mg.");
    assert_clean("Nom de l'établissement : CHRU de Tours.");
    assert_clean("Nom de l'échelle : Hamilton. Score : 22.");
    assert_clean("Née à Tours en 1961, elle vit seule. Il ne Sait pas lire.");
    assert_clean("Nom : inconnu ; prénom : non renseigné.");
}

#[test]
fn names_after_titles_short_lowercase_and_initials() {
    for (text, name) in [
        ("Je vous adresse Mme Vo pour avis.", "Mme Vo"),
        ("M. Ly a appelé le secrétariat.", "M. Ly"),
        ("Vue avec Mme Ha ce jour.", "Mme Ha"),
        ("Mme Vu a appelé.", "Mme Vu"),
        ("Le Dr Li sera absent.", "Dr Li"),
        ("la prise en charge de mme x, à revoir.", "mme x"),
        ("rdv avec mr y ce matin.", "mr y"),
        ("appel de dr z pour le bilan.", "dr z"),
        ("vu ce jour mme vo.", "mme vo"),
        ("rdv avec mr nguyen ce matin.", "mr nguyen"),
        ("Mme X a appelé.", "Mme X"),
    ] {
        let f = assert_exact(text, PiiKind::Name, name);
        assert!(f.reason.starts_with("après « "), "{text}: {}", f.reason);
    }
    assert_exact(
        "Courrier rédigé par J. Martin, psychologue.",
        PiiKind::Name,
        "J. Martin",
    );
    assert_exact(
        "Copie à A. N'Diaye et au médecin traitant.",
        PiiKind::Name,
        "A. N'Diaye",
    );
    assert_exact(
        "Avis de J.-P. Quennehen demandé.",
        PiiKind::Name,
        "J.-P. Quennehen",
    );
    assert_clean("Madame est venue seule ; monsieur attendait dans la voiture.");
    assert_clean("Le docteur a revu le traitement ; madame va mieux, monsieur dit non.");
    assert_clean("Madame y va seule. Monsieur a appelé.");
    assert_clean("Vitamine D. Bilan à refaire. Hépatite C. Traitement terminé.");
    assert_clean("Groupe A. Ensuite, échange avec l'équipe.");
    assert_clean("Le Dr du CMP et le Dr de garde ont vu la patiente.");
    assert_clean("Madame, son fils et sa fille sont venus.");
    assert_clean("Cf. Freud ; S. Freud et J. Lacan sont cités.");
    assert_clean("Adressée par S.O.S. Médecins ; U.S.A. ; O.K.");
    // After a title spelled out in lowercase, a listed lowercase word may be an adjective.
    let f = assert_exact("madame blanc de peur.", PiiKind::Name, "madame blanc");
    assert_eq!(f.confidence, Confidence::Possible);
}

#[test]
fn names_with_particles_are_one_span() {
    for (text, name) in [
        ("M. Le Goff est revu.", "M. Le Goff"),
        (
            "Je vous adresse Mme de La Fontaine pour avis.",
            "Mme de La Fontaine",
        ),
        ("M. N'Guessan a appelé.", "M. N'Guessan"),
        ("Mme Mac Donald est présente.", "Mme Mac Donald"),
        ("M. Ben Salah est revu.", "M. Ben Salah"),
        ("Mme El Amrani est revue.", "Mme El Amrani"),
        ("M. Da Silva est revu.", "M. Da Silva"),
        ("Mme Van der Berg est revue.", "Mme Van der Berg"),
        ("Mme d'Ornano est revue.", "Mme d'Ornano"),
        ("Reçu M. Jean de Villiers ce jour.", "M. Jean de Villiers"),
    ] {
        assert_exact(text, PiiKind::Name, name);
    }
    assert_clean("Maladie de Parkinson ; échelle de Hamilton ; syndrome de Gilles de la Tourette.");
    assert_clean("Hospitalisée à l'hôpital Henri Mondor puis au CMP ; suivie au CHRU de Tours.");
}

#[test]
fn names_in_lists() {
    let text = "Présents : Dr Martin, Mme Vo, Karima Benali et Tchakounté.";
    for n in ["Dr Martin", "Mme Vo", "Karima Benali", "Tchakounté"] {
        assert_exact(text, PiiKind::Name, n);
    }
    let text = "Réunion avec Julie Moreau, Ydrissa Tchakounté et Maëlwenn Kervarec.";
    assert_exact(text, PiiKind::Name, "Julie Moreau");
    assert_exact(text, PiiKind::Name, "Ydrissa Tchakounté");
    assert_exact(text, PiiKind::Name, "Maëlwenn Kervarec");
    // Two words in no list (neither is a given name nor a surname of the lists) and no cue:
    // still found in a list of people, but only as possible.
    let text = "Réunion avec Julie Moreau, Zhoulan Tchakounté et Maëlwenn Kervarec.";
    let f = assert_exact(text, PiiKind::Name, "Zhoulan Tchakounté");
    assert_eq!(f.confidence, Confidence::Possible);
    assert_clean("Deroxat, Seroplex et Xanax essayés ; Lyon, Tours et Blois.");
    assert_clean("Participants : 12 ; excusés : aucun.");
    assert_clean("Copie : Médecin traitant. Destinataires : Psychologues du CMP, IDE.");
}

#[test]
fn programme_names_are_not_names() {
    for text in [
        "Orientée vers Mon soutien psy : 8 séances remboursées.",
        "Inscrite sur Santé psy étudiant.",
        "Recontact par Vigilans à J+10 ; le dispositif VigilanS a rappelé.",
        "Adressée au Dispositif Ecout'Emoi par l'infirmière scolaire.",
        "Accueillie au PAEJ puis à la Maison des adolescents.",
        "Brochure Psycom remise ; Psycom propose des fiches.",
        "Elle a appelé Filsantéjeunes, puis le 3114 la nuit.",
        "Il a appelé Fil Santé Jeunes puis SOS Amitié.",
        "Association Sésame Autisme contactée ; réseau Sésame.",
        "Il s'agit de Nightline, service d'écoute entre pairs.",
    ] {
        assert_clean(text);
    }
    // A name next to a programme name is still a name.
    assert_exact("Mme Vo, orientée vers Vigilans.", PiiKind::Name, "Mme Vo");
}

#[test]
fn grouped_hospital_numbers() {
    let f = assert_exact("IPP : 80 01 23 45 67.", PiiKind::Ipp, "80 01 23 45 67");
    assert_eq!(f.confidence, Confidence::Certain);
    assert_eq!(f.reason, "après « IPP »");
    let f = assert_exact(
        "N° de dossier 123 456 789 au CHRU.",
        PiiKind::Ipp,
        "123 456 789",
    );
    assert_eq!(f.confidence, Confidence::Certain);
    assert_exact(
        "NDA 61 64 06 64 7 ; chambre 12.",
        PiiKind::Ipp,
        "61 64 06 64 7",
    );
    let f = assert_exact(
        "Dossier CHRU 36 73 59 63 92, à classer.",
        PiiKind::Ipp,
        "36 73 59 63 92",
    );
    assert_eq!(f.confidence, Confidence::Likely);
    let f = assert_exact(
        "Courrier reçu, 542 707 923, à classer.",
        PiiKind::Ipp,
        "542 707 923",
    );
    assert_eq!(f.confidence, Confidence::Possible);
    assert_eq!(f.reason, "format d'IPP sans libellé");
    assert_exact("Transmis le 64.462.831 hier.", PiiKind::Ipp, "64.462.831");
    assert_exact("Réf. (4700 5777 9)", PiiKind::Ipp, "4700 5777 9");
    assert_exact("Courrier n°12 345 678 reçu.", PiiKind::Ipp, "12 345 678");
    assert_clean("Code AB12 34 56 78 ; lot 12-34 56 78.");
    assert!(find_identifiers("+12 34 56 78")
        .iter()
        .all(|f| f.kind == PiiKind::Phone));
    // A phone number stays a phone number, a NIR a NIR.
    assert_exact(
        "Joignable au 06 12 34 56 78.",
        PiiKind::Phone,
        "06 12 34 56 78",
    );
    assert_exact(
        "Assuré 1 85 05 78 006 084 91.",
        PiiKind::Nir,
        "1 85 05 78 006 084 91",
    );
    // Scores, years, dates, amounts, service numbers.
    assert_clean("Score de 12 15 18 aux trois évaluations.");
    assert_clean("Scores successifs 22 18 25 27 12 au MADRS.");
    assert_clean("Valeurs 12 15 18 20 sur quatre semaines.");
    assert_clean("Hospitalisations en 2019 2020 et 2022 ; suivi 2018 2019 2020.");
    assert_clean("Revue le 03 04 2024 puis le 12.05.2024.");
    assert_clean("Budget de 12 345 678 euros ; 2 345 678 habitants.");
    assert_clean("Appeler le 3114 15 112 en cas de crise.");
    assert_clean("Taille 1 72 ; 12 345,67 € remboursés.");
    assert_clean("Lot 2024 0512 3 ; FINESS 370 000 481 ; chambre 1204 5678.");
}

#[test]
fn confidence_and_reasons() {
    let f = find_identifiers("NIR 1 85 05 78 006 084 91, jean.dupont@orange.fr.");
    assert_eq!(f.len(), 2);
    assert_eq!(
        (f[0].confidence, &*f[0].reason),
        (Confidence::Certain, "clé NIR valide")
    );
    assert_eq!(f[1].confidence, Confidence::Certain);
    let f = assert_exact(
        "Je vous adresse Mme Gigli pour avis.",
        PiiKind::Name,
        "Mme Gigli",
    );
    assert_eq!(
        (f.confidence, &*f.reason),
        (Confidence::Likely, "après « Mme »")
    );
    let f = assert_exact("Vu M. Ly hier.", PiiKind::Name, "M. Ly");
    assert_eq!(f.reason, "après « M. »");
    let f = assert_exact("Son fils Yanis l'accompagne.", PiiKind::Name, "Yanis");
    assert_eq!(f.reason, "après « fils »");
    // Every finding has a reason; the order of confidences is the order of strength.
    for x in find_identifiers(
        "Mme Gigli, née le 03/04/1961, tél. 06 12 34 56 78, 3 rue de la Paix, IPP 8001234567.",
    ) {
        assert!(!x.reason.is_empty(), "{x:?}");
    }
    assert!(Confidence::Possible < Confidence::Likely && Confidence::Likely < Confidence::Certain);
    // Serialised like the kinds; findings serialised before this change still deserialise.
    let f = Finding::new(PiiKind::Ipp, 4, 14, Confidence::Certain, "après « IPP »");
    let json = serde_json::to_string(&f).unwrap();
    assert!(json.contains("\"confidence\":\"CERTAIN\""), "{json}");
    assert_eq!(serde_json::from_str::<Finding>(&json).unwrap(), f);
    let old: Finding = serde_json::from_str(r#"{"kind":"NAME","start":0,"end":3}"#).unwrap();
    assert_eq!((old.confidence, &*old.reason), (Confidence::Likely, ""));
    assert_eq!(Confidence::Possible.code(), "POSSIBLE");
    assert_eq!(Confidence::Likely.label_fr(), "probable");
}

// ---------------------------------------------------------------------------------------------
// Surnames that are also words, and names in no list

#[test]
fn surnames_that_are_words_are_names_only_where_the_context_says_so() {
    // Names: after a title, before a given name, in a list of people, in a person's place.
    assert_exact("Vue avec Mme Petit ce matin.", PiiKind::Name, "Mme Petit");
    let f = assert_exact(
        "Petit Jean, 45 ans, adressé pour avis.",
        PiiKind::Name,
        "Petit Jean",
    );
    assert_eq!(f.reason, "nom de famille courant suivi d'un prénom");
    let text = "Présents : Dr Martin, Boulanger, Petit et Lenoir.";
    for n in ["Boulanger", "Petit", "Lenoir"] {
        assert_exact(text, PiiKind::Name, n);
    }
    let f = assert_exact(
        "Synthèse rédigée avec Boulanger.",
        PiiKind::Name,
        "Boulanger",
    );
    assert_eq!(f.confidence, Confidence::Possible);
    assert_eq!(f.reason, "nom de famille courant employé comme nom");
    assert_exact(
        "Le dossier a été revu et Petit a rappelé.",
        PiiKind::Name,
        "Petit",
    );
    // The same place for a listed surname that is no word.
    let f = assert_exact("Synthèse rédigée avec Dupont.", PiiKind::Name, "Dupont");
    assert_eq!(
        (f.confidence, f.reason.as_ref()),
        (
            Confidence::Possible,
            "nom de famille à la place d'une personne"
        )
    );
    // Words: lower case, after a determiner, or without a person's context.
    assert_clean("Il se sent tout petit depuis la rupture.");
    assert_clean("Petit déjeuner pris seul, appétit conservé.");
    assert_clean("Il a travaillé comme boulanger pendant dix ans.");
    assert_clean("Il lit le Petit Prince à sa fille.");
    assert_clean("Promenade quotidienne jusqu'à la Fontaine Wallace du quartier.");
    assert_clean("Elle garde un Petit Robert sur sa table de nuit.");
    assert_clean("Le Boulanger du village lui fait crédit.");
    assert_clean("Humeur Petit à petit meilleure.");
}

#[test]
fn name_shaped_words_complete_the_other_evidence() {
    // A double surname in no single list entry, before a given name.
    assert_exact(
        "Réunion avec Ozanne-Ricq Ydrissa et l'équipe mobile.",
        PiiKind::Name,
        "Ozanne-Ricq Ydrissa",
    );
    // Two unknown words mid-sentence: likely when both are shaped like names, possible
    // otherwise.
    let f = assert_exact(
        "Vue hier avec Dilnoza Karimova au CMP.",
        PiiKind::Name,
        "Dilnoza Karimova",
    );
    assert_eq!(f.confidence, Confidence::Likely);
    // A list item in no list, shaped like a name.
    let text = "Présents : Dr Martin, Sivakumaran, Hakobyan.";
    assert_exact(text, PiiKind::Name, "Sivakumaran");
    assert_exact(text, PiiKind::Name, "Hakobyan");
    // Words that are no French word and in no list: before a given name, in a list of people.
    let f = assert_exact(
        "Kabongo Aminata, 34 ans, adressée par son médecin.",
        PiiKind::Name,
        "Kabongo Aminata",
    );
    assert_eq!(f.reason, "mot absent du lexique français suivi d'un prénom");
    let text = "Réunion avec Julie Moreau, Kabongo et Mukendi.";
    assert_exact(text, PiiKind::Name, "Kabongo");
    assert_exact(text, PiiKind::Name, "Mukendi");
    // A lone name-shaped word where a person is meant: possible.
    let f = assert_exact(
        "Entretien conjoint avec Hakobyan.",
        PiiKind::Name,
        "Hakobyan",
    );
    assert_eq!(f.confidence, Confidence::Possible);
    // Capitalised French words in the same positions stay clean.
    assert_clean("Orientation vers Psychiatrie Adulte et Addictologie.");
    let text = "Réunion avec Julie Moreau, Urgences, Pédiatrie et Gériatrie.";
    assert_eq!(
        found(text),
        vec![(PiiKind::Name, "Julie Moreau".to_string())]
    );
    assert_clean("Vit à Chambray-lès-Tours puis à Montlouis-sur-Loire et Bobigny-sur-Seine.");
    assert_clean("Réunion avec Urgences et Consultation mémoire.");
    assert_clean("Entretien conjoint avec Hypnose.");
}
