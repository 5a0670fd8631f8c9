//! Word lists: name lists (embedded data files) and hand-written clinical vocabulary.
//!
//! Every list holds folded forms (lowercase, accents removed, see [`super::text::fold`]).
//! The name lists are generated from the Faker package (MIT licence) plus a small hand-written
//! supplement, then grown with open data (INSEE surnames and first names, Spain's INE, Poland's
//! PESEL, faker-js) minus French words and places; see `data/README.md` for the procedure and
//! licences.

use super::shape::Model;
#[cfg(not(feature = "hydrate"))]
use super::shape::MODEL as SHAPE_MODEL;
use std::sync::OnceLock;

/// Given names, one folded name per line, sorted (about 34,000). Sources: data/README.md.
/// The browser build does not carry them: it loads them after the page is interactive
/// ([`install_name_lists`]), so they never weigh on a page's first load.
#[cfg(not(feature = "hydrate"))]
const FIRST_NAMES: &str = include_str!("data/first_names.txt");
/// Surnames, one folded name per line, sorted (about 118,000). Sources: data/README.md.
#[cfg(not(feature = "hydrate"))]
const SURNAMES: &str = include_str!("data/surnames.txt");
/// Frequent surnames that are also everyday French words ("petit", "boulanger"), sorted (about
/// 2,300): names only where the context says a person is meant. Sources: data/README.md.
#[cfg(not(feature = "hydrate"))]
const SURNAME_WORDS: &str = include_str!("data/surname_words.txt");
/// French words and places, as a Bloom filter (about 149,000 words in 149 KB; layout in
/// `data/build_name_evidence.py`): tells a capitalised word in a name's place that is no French
/// word ("Kabongo") from one that is ("Urgences").
#[cfg(not(feature = "hydrate"))]
const FRENCH_WORDS: &[u8] = include_bytes!("data/french_words.bloom");

/// Where the server serves the name lists for the browser (a cached static asset).
pub const NAME_LISTS_PATH: &str = "/pkg/pii-names.txt";
/// Separates the lists in the text served at [`NAME_LISTS_PATH`].
const NAME_LISTS_SEPARATOR: &str = "\n%%\n";

/// The name lists (given names, surnames, surnames that are also words), the French words and
/// the "looks like a name" model.
struct NameLists {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    words: Vec<&'static str>,
    french: Option<Bloom>,
    shape: Option<Model>,
}

/// A Bloom filter read from the layout `data/build_name_evidence.py` writes.
struct Bloom {
    bits: u32,
    hashes: u32,
    array: &'static [u8],
}

impl Bloom {
    fn parse(data: &'static [u8]) -> Option<Bloom> {
        if data.len() < 9 || &data[..4] != b"BLM1" {
            return None;
        }
        let bits = u32::from_le_bytes(data[4..8].try_into().ok()?);
        let array = &data[9..];
        (bits > 0 && array.len() * 8 == bits as usize).then_some(Bloom {
            bits,
            hashes: data[8] as u32,
            array,
        })
    }

    fn contains(&self, w: &str) -> bool {
        let h = w.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3)
        });
        let (h1, h2) = (h as u32, (h >> 32) as u32 | 1);
        (0..self.hashes).all(|j| {
            let i = h1.wrapping_add(j.wrapping_mul(h2)) % self.bits;
            self.array[(i / 8) as usize] >> (i % 8) & 1 == 1
        })
    }
}

/// The text served at [`NAME_LISTS_PATH`], sections separated by `%%` lines: given names,
/// surnames, surnames that are also words, then in hexadecimal the French-words filter and the
/// shape model.
#[cfg(not(feature = "hydrate"))]
pub fn name_lists_text() -> String {
    use std::fmt::Write;
    let sep = NAME_LISTS_SEPARATOR;
    let mut text = format!("{FIRST_NAMES}{sep}{SURNAMES}{sep}{SURNAME_WORDS}");
    text.reserve((FRENCH_WORDS.len() + SHAPE_MODEL.len()) * 2 + 10);
    for blob in [FRENCH_WORDS, SHAPE_MODEL] {
        text.push_str(sep);
        for b in blob {
            let _ = write!(text, "{b:02x}");
        }
    }
    text
}

/// The "looks like a name" model, once available (always on the server).
pub(super) fn shape_model() -> Option<&'static Model> {
    name_lists().shape.as_ref()
}

/// The name lists, folded and sorted. On the server, the embedded lists; in the browser, the
/// lists once installed, empty before (titles, labels and the other rules still work).
fn name_lists() -> &'static NameLists {
    #[cfg(not(feature = "hydrate"))]
    {
        static NAMES: OnceLock<NameLists> = OnceLock::new();
        NAMES.get_or_init(|| NameLists {
            first: build(FIRST_NAMES),
            last: build(SURNAMES),
            words: build(SURNAME_WORDS),
            french: Bloom::parse(FRENCH_WORDS),
            shape: Model::parse(SHAPE_MODEL),
        })
    }
    #[cfg(feature = "hydrate")]
    {
        static EMPTY: NameLists = NameLists {
            first: Vec::new(),
            last: Vec::new(),
            words: Vec::new(),
            french: None,
            shape: None,
        };
        BROWSER_NAMES.get().unwrap_or(&EMPTY)
    }
}

#[cfg(feature = "hydrate")]
static BROWSER_NAMES: OnceLock<NameLists> = OnceLock::new();

/// In the browser: installs the name lists fetched from [`NAME_LISTS_PATH`]. Returns false when
/// they were installed already.
#[cfg(feature = "hydrate")]
pub fn install_name_lists(text: String) -> bool {
    if BROWSER_NAMES.get().is_some() {
        return false;
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    BROWSER_NAMES.set(parse_name_lists(text)).is_ok()
}

/// Reads the text of [`name_lists_text`] back (in the browser; on the server in tests).
#[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
fn parse_name_lists(text: &'static str) -> NameLists {
    let mut parts = text.splitn(5, NAME_LISTS_SEPARATOR);
    let mut next = || parts.next().unwrap_or("");
    let (first, last, words) = (build(next()), build(next()), build(next()));
    let mut blob = || -> Option<&'static [u8]> {
        let hex = next().trim().as_bytes();
        let bytes: Option<Vec<u8>> = hex
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
            .collect();
        Some(Box::leak(bytes?.into_boxed_slice()))
    };
    let french = blob().and_then(Bloom::parse);
    let shape = blob().and_then(Model::parse);
    NameLists {
        first,
        last,
        words,
        french,
        shape,
    }
}

/// National programmes, helplines and networks that are never person names (see the file).
const PROGRAMMES: &str = include_str!("data/programmes.txt");

/// Function words and everyday clinical words that are never part of a name, even after a title.
const STOP: &str = "
a à au aux avec ce ces cet cette chez comme dans de des du elle elles en entre et eux il ils je
j l la le les leur leurs lui ma mais me mes moi mon ne ni nos notre nous on ou où par pas pour
qu que qui sa sans se ses si son sous sur ta te tes toi ton tu un une vos votre vous y ça cela ceci
celui celle ceux aucun aucune autre autres chaque certains certaines plusieurs tout toute tous toutes
quel quelle quels quelles dont depuis pendant puis alors ainsi aussi donc car or mais toutefois
cependant néanmoins lors après avant selon vers via contre malgré parmi hormis sauf dès jusqu
ici là oui non ok bonjour merci cordialement bonsoir salut cher chère chers confrère consœur
très plus moins bien mal peu trop assez encore déjà jamais toujours souvent parfois
est sont était étaient avait avaient ont a été
patient patiente patients patientes personne enfant enfants adulte homme femme monsieur madame
mademoiselle docteur docteure professeur dr pr mme mlle
traitement traitements suivi suivie question questions contact tél tel téléphone portable mail
email courriel adresse domicile domicilié domiciliée né née nés nées date naissance ddn âge âgé âgée
ans mois semaines jours antécédent antécédents atcd score scores groupe présente présent présentait
vit vivant vue vu reçu reçue revu revue consultation consultations hospitalisation hospitalisé
hospitalisée urgence urgences bilan biologique examen examens prise charge avis demande motif
conclusion synthèse diagnostic diagnostique observation évolution histoire mode vie situation
sociale familiale professionnelle projet plan objectif objectifs hypothèse contexte remarque note
nota bene rappel pièce jointe objet destinataire expéditeur signature
ipp nir nda ins ss ald tcc cmp chu chru
";

/// Acronyms and codes written in capitals that are not names.
const ACRONYMS: &str = "
cmp cmpp cattp chu chru chs ch ghu gh epsm hdj hdn uhcd sau samu smur sos ehpad usld ssr mco mdph
aah rsa caf cpam msa ald ame cmu css puma ipp nir nda ins ss ta pa fc fr imc bmi phq gad tcc emdr
had madrs bdi hdrs ham hamd hama ymrs panss bprs mmse moca cgi gaf egf audit cast asrs tdah tsa toc
tag tspt espt tca tpl edc edm tb isrs irsna imao bzd ect rtms tms irm tdm eeg ecg nfs tsh crp vih
vhc vhb hta avc ide ipa ase as ash aesh pmi cpts msp dac pta ssiad savs samsah esat ime itep cra
pco sessad clsm ptsm csapa caarud elsa spdre sdre spdt sdt sdj asv umd ump usip pass cegidd mg mt
dmp cnil rgpd has ars dgs siao chrs spip pjj jaf jld rdv nb ps pm am mda csp ivg pma ide ts ids
ras ado lp li lm usp emg empp crpa cpoa cap ucsa smpr drogues aa na dsm cim icd who oms inserm
cnrs ap hp aphp aphm hcl ghu chi chd chr chs ehpa foyer saad sad samu ssr med cm ce cp cm1 cm2
bts cap bac bep dut but licence master phd vs etc ii iii iv vi vii viii ix xi xii xiii xiv xv
ok ko rh dr pr mme mlle m mr ue ucc ucsa cpam cmu caf pole pmi ase mecs ght geh
inr hba hbac ldl hdl vgm gamma gt asat alat ck lh fsh cdt thc lsd mdma ghb ketamine
cv cdd cdi rqth mdph ameli doctolib ansm vidal sncf ratp edf gdf
";

/// Capitalised words that are not names for the weak (list-based) rules: drugs and brands,
/// eponyms, institutions, places, countries, nationalities, calendar words.
const WEAK_BLOCK: &str = "
deroxat seroplex seropram xanax tercian lexomil temesta seresta valium atarax effexor cymbalta
zoloft prozac laroxyl anafranil norset athymil risperdal zyprexa abilify xeroquel haldol loxapac
nozinan depakote depakine teralithe lamictal lyrica theralene noctamide havlane valdoxan brintellix
wellbutrin zyban subutex methadone suboxone aotal esperal baclofene revia selincro ritaline
concerta quasym medikinet circadin solian leponex clopixol xeplion trevicta tegretol tranxene
stilnox imovane rivotril urbanyl victan lysanxia equanil dogmatil largactil piportil modecate
trilifan fluanxol zyprexa zypadhera invega rexulti reagila latuda melatonine doliprane dafalgan
efferalgan spasfon levothyrox lithium kardegic seroquel vortioxetine sertraline paroxetine
fluoxetine escitalopram citalopram venlafaxine duloxetine mirtazapine mianserine agomelatine
amitriptyline clomipramine imipramine lithium valproate divalproate lamotrigine carbamazepine
olanzapine risperidone aripiprazole quetiapine clozapine haloperidol cyamemazine loxapine
alprazolam lorazepam oxazepam diazepam bromazepam clonazepam hydroxyzine zolpidem zopiclone
buprenorphine naltrexone acamprosate disulfirame methylphenidate pregabaline esketamine spravato
alzheimer parkinson huntington korsakoff wernicke tourette asperger cotard capgras diogene
munchhausen munchausen ganser ekbom lewy pick creutzfeldt jakob hamilton montgomery asberg beck
folstein clerambault stockholm down rett kanner marfan cushing addison basedow hashimoto crohn
raynaud guillain barre bonnet lesch nyhan prader willi turner klinefelter angelman glasgow
rorschach wechsler raven stroop benton grober buschke zarit bech covi conners yale brown snaith
epworth pittsburgh edinburgh karnofsky apgar lown norton braden katz lawton barthel cornell
likert young mania ham kraepelin bleuler freud jung lacan winnicott klein bowlby piaget skinner
pavlov beck ellis rogers linehan ericksonian erickson minuchin bateson palo alto balint
hopital hôpital hopitaux clinique centre centres institut fondation maison foyer residence
pavillon service unite pole secteur lycee college ecole universite faculte mairie prefecture
tribunal cour conseil departement region agence caisse assurance maladie mutuelle mutualite
association croix rouge secours populaire emmaus restos coeur samusocial france travail emploi
education nationale justice police gendarmerie pompiers armee ministere sante republique etat
saint sainte st ste notre dame sacre hotel dieu pitie salpetriere sainte-anne esquirol vinatier
le vinatier
paris lyon marseille toulouse nice nantes strasbourg montpellier bordeaux lille rennes reims
toulon grenoble dijon angers nimes villeurbanne clermont ferrand aix provence brest tours limoges
amiens perpignan metz besancon orleans rouen mulhouse caen nancy argenteuil montreuil roubaix
tourcoing avignon nanterre creteil poitiers versailles courbevoie vitry colombes pau aulnay
asnieres rueil antibes calais cannes beziers colmar bourges drancy merignac ajaccio bastia
valence quimper troyes chambery niort lorient vannes laval blois chinon loches amboise vendome
chateauroux joue avertin saint-avertin joue-les-tours chartres evreux cherbourg la rochelle
angouleme cholet saumur agen bayonne biarritz lourdes tarbes albi rodez cahors montauban
perigueux brive auxerre nevers macon bourg annecy annemasse thonon gap digne cayenne
fort-de-france pointe-a-pitre mamoudzou saint-denis saint-pierre noumea papeete
france algerie maroc tunisie senegal mali guinee cote ivoire cameroun congo turquie portugal
vietnam espagne italie belgique suisse allemagne angleterre royaume uni europe afrique asie
amerique comores madagascar haiti reunion guadeloupe martinique guyane mayotte corse bretagne
normandie alsace lorraine provence occitanie aquitaine touraine sologne berry
francais francaise algerien algerienne marocain marocaine tunisien tunisienne senegalais
malien malienne turc turque portugais portugaise vietnamien vietnamienne
janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
lundi mardi mercredi jeudi vendredi samedi dimanche noel paques ramadan toussaint aid
dieu allah jesus christ bouddha coran bible
internet google facebook instagram tiktok snapchat whatsapp youtube netflix twitter
mon soutien psy monpsy psyenfant asclepios
";

/// Words after which a capitalised word names a place, an institution or a disease, not a person.
const CONTEXT_BLOCK: &str = "
hopital hopitaux clinique centre institut fondation maison foyer residence pavillon service unite
pole secteur lycee college ecole universite faculte mairie ehpad cmp cmpp cattp chu chru ch chs
ghu gh epsm hdj cpts msp association hospitalier hospitaliere groupe etablissement polyclinique
rue avenue boulevard bd allee impasse chemin place route quai cours square lotissement lieu-dit
cite passage voie sentier chaussee faubourg esplanade promenade hameau domaine parc gare station
aeroport quartier ville commune village
maladie syndrome echelle test score signe loi figure critere criteres classification demence
methode technique epreuve questionnaire inventaire index indice manoeuvre triade complexe delire
erotomanie scale inventory type stade phase therapie approche modele theorie effet
reflexe maladies syndromes tests echelles protocole jour accueil soins sante retraite crise
psychiatrie adolescents film livre roman chanson serie emission
";

/// Kinship and close-relationship nouns: a capitalised word after them is a person's name.
const KIN: &str = "
fils fille filles mari epoux epouse femme conjoint conjointe compagnon compagne concubin concubine
partenaire ami amie copain copine fiance fiancee mere pere maman papa frere frères freres soeur
soeurs demi-frere demi-soeur tante oncle neveu niece nieces neveux cousin cousine cousins cousines
grand-mere grand-pere grands-parents grand-mere grand-tante grand-oncle petit-fils petite-fille
petits-enfants petites-filles petits-fils arriere-petit-fils beau-pere belle-mere beau-frere
belle-soeur belle-fille beau-fils gendre bru parrain marraine filleul filleule enfant enfants
bebe nourrisson ado adolescent adolescente voisin voisine tuteur tutrice curateur curatrice
aidant aidante ex-mari ex-femme ex-compagnon ex-compagne ex-conjoint ex-conjointe ex-epoux
ex-epouse parents jumeau jumelle benjamin benjamine aine ainee cadet cadette colocataire
";

/// Titles and honorifics that introduce a person's name.
const TITLES: &str = "
m mr mm mme mmes mlle mlles melle monsieur madame mademoiselle messieurs mesdames dr dre drs
docteur docteure docteurs pr pre professeur professeure maitre
";

/// Particles that may sit inside a name ("Van", "Da", "Ben", "Le" in "Le Gall").
const PARTICLES: &str = "
de du des da das do dos di del della van von der den ter ten ben bin ibn el al ould ait abou
le la mac mc
";

/// Street types (folded) that open a postal address.
const STREET_TYPES: &str = "
rue r avenue av ave boulevard bd bld bvd blvd allee allees all impasse imp chemin ch che chem
place pl route rte quai cours square sq residence res lotissement lot lieu-dit lieudit hameau
cite passage voie sentier chaussee faubourg fg rond-point esplanade parvis promenade montee cote
mail villa domaine ruelle venelle traverse clos carrefour parc ham
";

/// Street types that are also common nouns ("2 cours de TCC", "1 place en HDJ"): stricter rules.
const RISKY_STREET_TYPES: &str = "
r av ch place pl cours voie mail clos domaine cite passage villa parc cote carrefour lot res all
residence sentier promenade montee traverse hameau square sq ham che
";

/// Quick rejection for small word sets: one bit per (first byte, length) pair of the members, so
/// that most tokens are rejected without a binary search.
pub struct Prefilter {
    bits: [u32; 256],
}

impl Prefilter {
    /// An empty filter.
    pub const fn new() -> Prefilter {
        Prefilter { bits: [0; 256] }
    }

    /// Adds a (folded) word.
    pub fn insert(&mut self, w: &str) {
        if let Some(&b) = w.as_bytes().first() {
            self.bits[b as usize] |= 1 << w.len().min(31);
        }
    }

    /// Whether `w` may be a member (false: certainly not).
    pub fn may_contain(&self, w: &str) -> bool {
        match w.as_bytes().first() {
            Some(&b) => self.bits[b as usize] & (1 << w.len().min(31)) != 0,
            None => false,
        }
    }
}

fn build(list: &'static str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = list.split_whitespace().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Folded copies of a hand-written list (the lists above contain accents for readability).
fn build_folded(list: &'static str) -> Vec<String> {
    let mut v: Vec<String> = list.split_whitespace().map(super::text::fold).collect();
    v.sort_unstable();
    v.dedup();
    v
}

struct Lex {
    stop: Vec<String>,
    acronyms: Vec<&'static str>,
    weak: Vec<String>,
    context: Vec<&'static str>,
    kin: Vec<String>,
    titles: Vec<&'static str>,
    particles: Vec<&'static str>,
    street: Vec<&'static str>,
    risky_street: Vec<&'static str>,
    /// Folded token sequences of programme names, sorted by first token.
    programmes: Vec<Vec<String>>,
    /// First tokens of the programme names.
    programme_first: Prefilter,
}

fn lex() -> &'static Lex {
    static LEX: OnceLock<Lex> = OnceLock::new();
    LEX.get_or_init(|| Lex {
        stop: build_folded(STOP),
        acronyms: build(ACRONYMS),
        weak: build_folded(WEAK_BLOCK),
        context: build(CONTEXT_BLOCK),
        kin: build_folded(KIN),
        titles: build(TITLES),
        particles: build(PARTICLES),
        street: build(STREET_TYPES),
        risky_street: build(RISKY_STREET_TYPES),
        programmes: build_programmes(PROGRAMMES),
        programme_first: {
            let mut f = Prefilter::new();
            for p in build_programmes(PROGRAMMES) {
                f.insert(&p[0]);
            }
            f
        },
    })
}

/// Token sequences (folded) of the entries of `data/programmes.txt`, sorted, longest first among
/// entries with the same first token.
fn build_programmes(list: &str) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = list
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let t = super::text::Tokens::new(l);
            (0..t.len()).map(|i| t.f(i).to_string()).collect()
        })
        .collect();
    v.sort_unstable_by(|a, b| a[0].cmp(&b[0]).then(b.len().cmp(&a.len())));
    v.dedup();
    v
}

fn has(v: &[&str], w: &str) -> bool {
    v.binary_search(&w).is_ok()
}

fn has_s(v: &[String], w: &str) -> bool {
    v.binary_search_by(|x| x.as_str().cmp(w)).is_ok()
}

/// Whether the folded word is a known given name (each part of a hyphenated word must be).
pub fn is_first_name(w: &str) -> bool {
    let first = &name_lists().first;
    if w.contains('-') {
        return w.split('-').all(|p| has(first, p));
    }
    has(first, w)
}

/// Whether the folded word is a known surname (any part of a hyphenated word).
pub fn is_surname(w: &str) -> bool {
    let last = &name_lists().last;
    if w.contains('-') {
        return w.split('-').any(|p| has(last, p));
    }
    has(last, w)
}

/// Whether the folded word is a frequent surname that is also an everyday word ("petit",
/// "boulanger", "fontaine"): a name or a word depending on the context.
pub fn is_surname_word(w: &str) -> bool {
    has(&name_lists().words, w)
}

/// Whether the folded word is a French word or place (any part of a hyphenated word), as far as
/// the filter knows: about 2 % of names test as words too. True while the filter is not loaded
/// (in the browser, before the lists arrive), so that no rule takes a word for a name for want
/// of a lexicon.
pub fn is_french_word(w: &str) -> bool {
    match &name_lists().french {
        Some(bloom) => w.split('-').any(|p| bloom.contains(p)),
        None => true,
    }
}

/// Function word or everyday clinical word.
pub fn is_stop(w: &str) -> bool {
    has_s(&lex().stop, w)
}

/// Known acronym (folded).
pub fn is_acronym(w: &str) -> bool {
    has(&lex().acronyms, w)
}

/// Drug, eponym, institution, place, calendar word... (blocks the weak name rules only).
pub fn is_weak_block(w: &str) -> bool {
    let l = lex();
    if has_s(&l.weak, w) {
        return true;
    }
    // Hyphenated places and institutions: "Saint-Exupéry", "Joué-lès-Tours", "Henri-Mondor" are
    // handled by the callers; here only a blocked first part counts ("Saint-...", "Sainte-...").
    match w.split_once('-') {
        Some((a, _)) => matches!(a, "saint" | "sainte" | "st" | "ste" | "notre" | "hotel"),
        None => false,
    }
}

/// If a programme or service name of `data/programmes.txt` starts at token `i`, returns the
/// index of its last token ("Mon soutien psy", "Vigilans", "Fil Santé Jeunes").
pub fn programme_at(t: &super::text::Tokens, i: usize) -> Option<usize> {
    let f = t.f(i);
    let l = lex();
    if !l.programme_first.may_contain(f) {
        return None;
    }
    let p = &l.programmes;
    let from = p.partition_point(|e| e[0].as_str() < f);
    p[from..]
        .iter()
        .take_while(|e| e[0] == f)
        .find(|e| {
            e.iter()
                .enumerate()
                .all(|(k, w)| (k == 0 || t.same_line(i + k)) && t.f(i + k) == w.as_str())
        })
        .map(|e| i + e.len() - 1)
}

/// Word after which a capitalised word is a place, an institution or an eponym.
pub fn is_context_block(w: &str) -> bool {
    has(&lex().context, w)
}

/// Kinship or close-relationship noun.
pub fn is_kin(w: &str) -> bool {
    has_s(&lex().kin, w)
}

/// Titles and honorifics (folded), for filters built on them.
pub fn titles() -> &'static [&'static str] {
    &lex().titles
}

/// Title or honorific.
pub fn is_title(w: &str) -> bool {
    has(&lex().titles, w)
}

/// Name particle.
pub fn is_particle(w: &str) -> bool {
    has(&lex().particles, w)
}

/// Street type; `Some(true)` when the type is also a common noun (stricter checks apply).
pub fn street_type(w: &str) -> Option<bool> {
    let l = lex();
    if has(&l.street, w) {
        Some(has(&l.risky_street, w))
    } else {
        None
    }
}

/// Month number of a (folded) French month name or abbreviation.
pub fn month(w: &str) -> Option<u32> {
    Some(match w {
        "janvier" | "janv" | "jan" => 1,
        "fevrier" | "fevr" | "fev" => 2,
        "mars" => 3,
        "avril" | "avr" => 4,
        "mai" => 5,
        "juin" => 6,
        "juillet" | "juil" => 7,
        "aout" => 8,
        "septembre" | "sept" | "sep" => 9,
        "octobre" | "oct" => 10,
        "novembre" | "nov" => 11,
        "decembre" | "dec" => 12,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_reads_back_the_lists_the_server_serves() {
        let text: &'static str = Box::leak(name_lists_text().into_boxed_str());
        let read = parse_name_lists(text);
        let served = name_lists();
        assert_eq!(read.first, served.first);
        assert_eq!(read.last, served.last);
        assert_eq!(read.words, served.words);
        let (a, b) = (read.french.unwrap(), served.french.as_ref().unwrap());
        assert_eq!((a.bits, a.hashes, a.array), (b.bits, b.hashes, b.array));
        let (a, b) = (read.shape.unwrap(), served.shape.as_ref().unwrap());
        assert_eq!(a.weights(), b.weights());
        assert!(read.words.contains(&"petit") && read.words.contains(&"boulanger"));
    }

    #[test]
    fn french_words_and_places_are_known_names_are_mostly_not() {
        for w in [
            "urgences",
            "pediatrie",
            "maison",
            "villejuif",
            "saint-denis",
            "tout",
        ] {
            assert!(is_french_word(w), "{w}");
        }
        for w in ["kabongo", "sivakumaran", "tchkonia", "ozanne-ricq"] {
            assert!(!is_french_word(w), "{w}");
        }
    }

    #[test]
    fn a_damaged_filter_is_ignored() {
        assert!(Bloom::parse(b"BLM1").is_none());
        assert!(Bloom::parse(b"XXXX\x08\x00\x00\x00\x06\xff").is_none());
        assert!(Bloom::parse(b"BLM1\x10\x00\x00\x00\x06\xff").is_none());
        assert!(Bloom::parse(b"BLM1\x08\x00\x00\x00\x06\xff").is_some());
    }
}
