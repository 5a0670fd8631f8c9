#!/usr/bin/env python3
"""Writes generated.jsonl: a development set for the weaknesses listed in issue 14.

Usage (from the repository root; only the Python standard library is needed):

    python3 app/src/domain/pii/data/generate_dev.py > app/src/domain/pii/data/generated.jsonl

Each line is a JSON object like shared/data/pii/dev.jsonl: "id", "text", "spans" (UTF-8 byte
offsets "start"/"end", "kind", "value"). Texts without spans are clean and must not be flagged.

Names are drawn from first_names.txt / surnames.txt in this folder (the detector's own lists,
see README.md), plus a few hand-written names that are in no list (the detector must then rely on
context). Everything else (templates, programme names, drugs, eponyms) is written by hand. The
random generator is seeded, so the output is reproducible. This set measures the cue grammar; it
is not a substitute for held-out data written by people.
"""

import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(14)


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return [w.strip() for w in f if w.strip() and "'" not in w and len(w.strip()) >= 4]


def cap(w):
    return "-".join(p[:1].upper() + p[1:] for p in w.split("-"))


FIRST = [cap(w) for w in load("first_names.txt")]
LAST = [cap(w) for w in load("surnames.txt")]
# Names in no list of the detector (hand-written, invented or rare): only context can find them.
UNLISTED = ["Quennehen", "Brossollet", "Ydrissa", "Kervarec", "Tchakounté", "Maëlwenn",
            "Ozanne-Ricq", "Vasseux", "Dhaussy", "Lhermitte-Bayo", "Orsatelli", "Zhoulan"]
# Surnames of INSEE's most frequent that are also French words ("Petit", "Boulanger"): names only
# by context (surname_words.txt, written by build_name_evidence.py).
WORD_NAMES = [cap(w) for w in load("surname_words.txt")]
# Names of populations the lists cover badly (Madagascar, Tamil Nadu and Sri Lanka, Armenia,
# Georgia, Central Asia, the Comoros, Laos and Cambodia, Haiti, Nigeria, Congo, Serbia...),
# hand-written; only those in none of the detector's lists are kept, so that they stay unlisted
# when the lists grow.
_LISTED = set(load("first_names.txt")) | set(load("surnames.txt")) | set(load("surname_words.txt"))
RARE = [w for w in [
    "Andrianarivo", "Rasoanaivo", "Razafindrakoto", "Ravelojaona", "Randriamampionona",
    "Sivakumaran", "Thirunavukkarasu", "Balasubramaniam", "Kanagaratnam", "Jeyaseelan",
    "Hakobyan", "Petrosyan", "Sargsyan", "Kvaratskhelia", "Gelashvili", "Tchkonia",
    "Karimova", "Yuldasheva", "Tursunov", "Abdulkadirov", "Nurmatova", "Msaidie", "Soilihi",
    "Chanthavong", "Sisouphanh", "Keomany", "Phommachanh", "Sothearith", "Pierrelouis",
    "Dessalines", "Oyelaran", "Tshisekedi", "Kabongo", "Mukendi", "Nzuzi", "Djurovic",
    "Ravololomanga", "Mwamba", "Kalonji", "Bamba-Kouyaté", "Nkounkou", "Ekambi",
] if w.lower() not in _LISTED and all(p not in _LISTED for p in w.lower().split("-"))]
SHORT = ["Vo", "Ly", "Ha", "Li", "Wu", "Xu", "Ho", "Vu", "Do", "Oh", "Ko", "Yi", "Ng", "Hu"]
PARTICLE_NAMES = ["de La Fontaine", "N'Guessan", "Mac Donald", "Le Goff", "Ben Salah", "El Amrani",
                  "Da Silva", "Van der Berg", "N'Diaye", "de Villiers", "Le Gall", "Dos Santos",
                  "Abou Zeid", "Ait Ali", "Della Rosa", "Du Plessis", "D'Almeida"]
TITLES = ["Mme", "M.", "Madame", "Monsieur", "Dr", "Mlle"]


def first():
    return rng.choice(FIRST)


def last():
    return rng.choice(LAST + UNLISTED) if rng.random() < 0.9 else rng.choice(UNLISTED)


class Text:
    """Accumulates text pieces and gold spans with UTF-8 byte offsets."""

    def __init__(self):
        self.parts = []
        self.spans = []
        self.len = 0

    def add(self, s, kind=None):
        b = s.encode("utf-8")
        if kind:
            self.spans.append({"start": self.len, "end": self.len + len(b), "kind": kind,
                               "value": s})
        self.parts.append(s)
        self.len += len(b)
        return self

    def text(self):
        return "".join(self.parts)


FILLERS = [
    "Suivi au CMP depuis 2019.", "PHQ-9 à 14/27, GAD-7 à 9/21.",
    "Traitement actuel : sertraline 50 mg.", "Sommeil perturbé, appétit conservé.",
    "Pas d'idées suicidaires ce jour.", "Revue en consultation le 12/03/2024.",
    "Vit seule à Amboise, en arrêt de travail.", "Orientée vers un groupe TCC.",
]


def filler():
    return rng.choice(FILLERS)


def civil_status():
    t = Text()
    k = rng.randrange(9)
    sn = last()
    if k == 0:
        t.add("Nom de naissance : ").add(sn.upper() if rng.random() < 0.5 else sn, "NAME")
        t.add("\nPrénom : ").add(first(), "NAME")
    elif k == 1:
        t.add("Nom d'usage : ").add(sn, "NAME").add(" ; nom de naissance : ").add(last(), "NAME")
    elif k == 2:
        t.add("Prénom(s) : ").add(first(), "NAME").add(", ").add(first(), "NAME")
        t.add("\nNom : ").add(sn.upper(), "NAME")
    elif k == 3:
        t.add(rng.choice(["Mme ", "Madame "]) + sn, "NAME").add(" née ").add(last(), "NAME")
        t.add(", adressée pour avis.")
    elif k == 4:
        t.add("Patiente : ").add(first() + " " + sn, "NAME").add(", épouse ")
        t.add(last(), "NAME").add(".")
    elif k == 5:
        t.add("Mme " + sn, "NAME").add(" veuve ").add(last(), "NAME").add(", 82 ans, vit en EHPAD.")
    elif k == 6:
        t.add("Identité : ").add(sn.upper() + " " + first(), "NAME").add(" (née ")
        t.add(last().upper(), "NAME").add(")")
    elif k == 7:
        t.add("Nom marital : ").add(sn, "NAME").add(" — Nom de jeune fille : ").add(last(), "NAME")
    else:
        t.add("Mme " + sn, "NAME").add(" ép. ").add(last(), "NAME").add(", revue ce jour.")
    t.add(("" if t.text().endswith((".", ")")) else ".") + " " + filler())
    return t


def short_surname():
    t = Text()
    title = rng.choice(["Mme", "M.", "Madame", "Monsieur", "Dr", "Mlle"])
    s = rng.choice(SHORT)
    k = rng.randrange(3)
    if k == 0:
        t.add("Je vous adresse ").add(f"{title} {s}", "NAME").add(" pour avis. " + filler())
    elif k == 1:
        t.add(filler() + " ").add(f"{title} {s}", "NAME").add(" a appelé le secrétariat.")
    else:
        t.add("Vue avec ").add(f"{title} {s}", "NAME").add(", sa fille ").add(first(), "NAME")
        t.add(" est présente.")
    return t


def lower_title():
    t = Text()
    title = rng.choice(["mme", "mr", "dr", "madame", "monsieur"])
    k = rng.randrange(3)
    if k == 0:
        name = rng.choice(["x", "y", "z"])
    elif k == 1:
        name = rng.choice(LAST).lower()
    else:
        name = rng.choice(SHORT).lower()
    t.add(rng.choice(["la prise en charge de ", "rdv avec ", "appel de ", "vu ce jour "]))
    t.add(f"{title} {name}", "NAME").add(rng.choice([", à revoir.", " ce matin.", " pour le bilan."]))
    return t


def initials():
    t = Text()
    ini = rng.choice(["J.", "A.", "M.-C.", "J.-P.", "K.", "S."])
    if ini == "M.-C." or rng.random() < 0.5:
        name = rng.choice(LAST)
    else:
        name = rng.choice(["N'Diaye", "N'Guessan", "Le Goff", "Da Silva"] + LAST)
    if ini == "M.":  # never generated: "M. X" is a title
        ini = "J."
    k = rng.randrange(3)
    if k == 0:
        t.add("Courrier rédigé par ").add(f"{ini} {name}", "NAME").add(", psychologue.")
    elif k == 1:
        t.add("Copie à ").add(f"{ini} {name}", "NAME").add(" et au médecin traitant.")
    else:
        t.add(filler() + " Avis de ").add(f"{ini} {name}", "NAME").add(" demandé.")
    return t


def particles():
    t = Text()
    name = rng.choice(PARTICLE_NAMES)
    k = rng.randrange(3)
    if k == 0:
        t.add("Je vous adresse ").add(f"{rng.choice(TITLES)} {name}", "NAME").add(" pour avis.")
    elif k == 1:
        t.add("Nom : ").add(name.upper() if rng.random() < 0.3 else name, "NAME")
        t.add(" ; prénom : ").add(first(), "NAME").add(".")
    else:
        t.add(filler() + " ").add(f"{rng.choice(TITLES)} {first()} {name}", "NAME")
        t.add(" sera revu(e) dans un mois.")
    return t


def lists():
    t = Text()
    names = [f"{first()} {last()}" for _ in range(rng.randint(2, 4))]
    k = rng.randrange(3)
    if k == 0:
        t.add(rng.choice(["Présents : ", "Participants : ", "Étaient présents : "]))
    elif k == 1:
        t.add("Synthèse partagée avec ")
    else:
        t.add("Réunion de concertation : ")
    for i, n in enumerate(names):
        if i:
            t.add(" et " if i == len(names) - 1 else ", ")
        t.add(n, "NAME")
    t.add(". " + filler())
    return t


def ipp_digits():
    n = rng.choice([8, 9, 10])
    d = str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(n - 1))
    sizes = rng.choice([[2, 2, 2, 2, 2], [3, 3, 3], [2, 3, 3], [4, 4], [3, 3, 4], [2, 2, 2, 2, 2]])
    out, i = [], 0
    for s in sizes:
        if i >= n:
            break
        out.append(d[i:i + s])
        i += s
    if i < n:
        out.append(d[i:])
    return rng.choice([" ", " ", "."]).join(out)


def grouped_ipp():
    t = Text()
    v = ipp_digits()
    k = rng.randrange(5)
    if k == 0:
        t.add("IPP : ").add(v, "IPP").add(". " + filler())
    elif k == 1:
        t.add(filler() + " N° de dossier ").add(v, "IPP").add(" au CHRU.")
    elif k == 2:
        t.add("NDA ").add(v, "IPP").add(" ; n° patient ").add(ipp_digits(), "IPP").add(".")
    elif k == 3:
        t.add("Courrier du CHRU (réf. patient ").add(v, "IPP").add(") reçu ce jour.")
    else:
        t.add(filler() + " Dossier CHRU ").add(v, "IPP").add(", à classer.")
    return t


def phone_not_ipp():
    t = Text()
    p = "0" + str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(8))
    p = " ".join(p[i:i + 2] for i in range(0, 10, 2))
    t.add(filler() + " Joignable au ").add(p, "PHONE").add(" après 18h.")
    return t


def forms():
    """Administrative forms: spacing, capitals, tabs, several fields on a line."""
    t = Text()
    sn, fn = last(), first()
    k = rng.randrange(8)
    if k == 0:
        t.add("NOM :\t").add(sn.upper(), "NAME").add("\tPRÉNOM :\t").add(fn.upper(), "NAME")
    elif k == 1:
        t.add("Nom usuel : ").add(sn, "NAME").add(" | Prénom usuel : ").add(fn, "NAME")
    elif k == 2:
        t.add("Nom, prénom : ").add(f"{sn.upper()} {fn}", "NAME").add("\nNé(e) le : ")
        t.add(f"{rng.randint(1, 28):02}/{rng.randint(1, 12):02}/{rng.randint(1940, 2005)}", "BIRTHDATE")
    elif k == 3:
        t.add("Identité du patient : ").add(f"{rng.choice(['M.', 'Mme'])} {sn}", "NAME")
        t.add(" — IPP ").add(ipp_digits(), "IPP")
    elif k == 4:
        t.add("Nom de naissance  :  ").add(sn, "NAME").add("  Nom d'usage  :  ").add(last(), "NAME")
    elif k == 5:
        t.add("MME ").add(sn.upper(), "NAME").add(" NÉE ").add(last().upper(), "NAME")
        t.add(" — suivi CMP adulte.")
    elif k == 6:
        t.add(f"Mme {sn}", "NAME").add(" (nom de naissance : ").add(last(), "NAME").add(")")
        t.add(", sous Seroplex, orientée vers Vigilans.")
    else:
        t.add("Nom du médecin traitant : ").add(f"Dr {sn}", "NAME")
        t.add(" ; Nom du médicament : Tercian.")
    return t


def mixed():
    """Annotated texts with traps next to the names (to measure spurious findings)."""
    t = Text()
    k = rng.randrange(6)
    title = rng.choice(["Mme", "M.", "Madame", "Monsieur"])
    s = rng.choice(SHORT + [last()])
    if k == 0:
        t.add(f"{title} {s}", "NAME").add(", suivie pour une maladie de Parkinson, échelle de Hamilton à 18.")
    elif k == 1:
        t.add("Orientation vers Mon soutien psy et Psycom pour ").add(f"{title} {s}", "NAME").add(".")
    elif k == 2:
        t.add("Après la tentative, ").add(f"{title} {s}", "NAME").add(" est incluse dans Vigilans ; Deroxat arrêté.")
    elif k == 3:
        t.add("Hospitalisée au CHRU de Tours, ").add(f"{title} {s}", "NAME")
        t.add(" a un score de 12 15 18 aux trois évaluations.")
    elif k == 4:
        t.add("Vu à la Maison des adolescents avec ").add(f"{title} {s}", "NAME")
        t.add(" et sa mère ").add(first(), "NAME").add(".")
    else:
        t.add(f"{title} {s}", "NAME").add(" (IPP ").add(ipp_digits(), "IPP")
        t.add(") : Seroplex 10 mg, Filsantéjeunes contacté, 3114 donné.")
    return t


def hard_lists():
    """Lists of names that are in no list of the detector, with or without a label."""
    t = Text()
    k = rng.randrange(3)
    n = rng.randint(2, 3)
    names = [f"{rng.choice(UNLISTED)} {rng.choice(UNLISTED)}" for _ in range(n)]
    if k == 0:
        t.add("Présents : ")
    elif k == 1:
        t.add("Réunion avec ")
        names[0] = f"{first()} {last()}"  # one anchor the detector can find
    else:
        t.add("Réunion avec ")  # no anchor at all
    for i, nm in enumerate(names):
        if i:
            t.add(" et " if i == n - 1 else ", ")
        t.add(nm, "NAME")
    t.add(".")
    return t


def word_names():
    """Frequent surnames that are also words, where the context shows a person."""
    t = Text()
    w = rng.choice(WORD_NAMES)
    k = rng.randrange(5)
    if k == 0:
        t.add(f"{w} {first()}", "NAME")
        t.add(f", {rng.randint(19, 88)} ans, adressé pour avis.")
    elif k == 1:
        t.add("Présents : ")
        t.add(f"Dr {last()}", "NAME")
        t.add(", ")
        t.add(w, "NAME")
        t.add(" et ")
        t.add(rng.choice(WORD_NAMES), "NAME")
        t.add(".")
    elif k == 2:
        t.add(rng.choice(["Synthèse rédigée avec ", "Entretien conjoint avec ", "Revue avec "]))
        t.add(w, "NAME")
        t.add(rng.choice([".", " hier.", ", puis orientation au CMP."]))
    elif k == 3:
        t.add(rng.choice(["Courrier de ", "Appel de ", "Revue ce jour par "]))
        t.add(f"{rng.choice(TITLES)} {w}", "NAME")
        t.add(".")
    else:
        t.add(f"{first()} {w}", "NAME")
        t.add(" a rappelé ce matin, inquiète.")
    return t


def rare_names():
    """Names in no list of the detector, after an anchor, before a given name, or in pairs."""
    t = Text()
    k = rng.randrange(4)
    if k == 0:
        t.add("Réunion avec ")
        t.add(f"{first()} {last()}", "NAME")
        t.add(", ")
        t.add(rng.choice(RARE), "NAME")
        t.add(" et ")
        t.add(rng.choice(RARE), "NAME")
        t.add(".")
    elif k == 1:
        t.add(f"{rng.choice(RARE)}-{rng.choice(RARE)} {first()}", "NAME")
        t.add(", vu en consultation conjointe.")
    elif k == 2:
        t.add(rng.choice(["Vue hier avec ", "Rencontré avec ", "Entretien familial avec "]))
        t.add(f"{first()} {rng.choice(RARE)}", "NAME")
        t.add(" au CMP.")
    else:
        t.add(f"{rng.choice(RARE)} {first()}", "NAME")
        t.add(rng.choice([" signale une reprise des idées noires.", ", 52 ans, sans suivi."]))
    return t


CLEAN = [
    "Orientée vers Mon soutien psy : 8 séances remboursées.",
    "Inscrite sur Santé psy étudiant, premier rendez-vous la semaine prochaine.",
    "Recontact par Vigilans à J+10 après la tentative de suicide.",
    "Le dispositif Vigilans a rappelé la patiente ce matin.",
    "Adressée au Dispositif Ecout'Emoi par l'infirmière scolaire.",
    "Accueillie au PAEJ de Tours, puis à la Maison des adolescents.",
    "Brochure Psycom remise à la famille ; Psycom propose des fiches sur les traitements.",
    "Numéro national de prévention du suicide : 3114, appelé deux fois.",
    "Elle a appelé Filsantéjeunes la nuit dernière.",
    "Il a appelé Fil Santé Jeunes puis SOS Amitié.",
    "Association Sésame Autisme contactée pour le frère.",
    "Suivi par la Maison des adolescents d'Indre-et-Loire.",
    "Nom du médicament : Seroplex. Posologie : 10 mg le matin.",
    "Nom de l'établissement : CHRU de Tours. Service : psychiatrie adulte.",
    "Nom du dispositif : Vigilans. Date d'inclusion : mars 2024.",
    "Nom de l'échelle : Hamilton. Score : 22.",
    "Deroxat puis Seroplex mal tolérés ; essai de Brintellix en cours.",
    "Maladie de Parkinson chez le père, maladie d'Alzheimer chez la mère.",
    "Échelle de Hamilton à 22, test de Folstein à 24/30.",
    "Hospitalisée à l'hôpital Henri Mondor puis suivie au CMP de Loches.",
    "Score de 12 15 18 aux trois évaluations successives.",
    "PHQ-9 à 12 puis 15 puis 18 ; GAD-7 stable.",
    "Hospitalisations en 2019 2020 et 2022, sans rechute depuis.",
    "Suivi de 2018 à 2021 puis de 2022 2024 au CMP.",
    "Patiente de 45 ans, 3 enfants de 12 14 et 17 ans.",
    "TA 13/8, FC 72, IMC 24,5, poids 68 kg.",
    "Vit à Joué-lès-Tours, travaille à Saint-Avertin.",
    "Le Dr du CMP a proposé une psychothérapie.",
    "Orientée vers la Maison des ados et le Point accueil écoute jeunes.",
    "Appel au 3114 le 12 mars, puis consultation au CMP.",
    "Madame est venue seule ; monsieur attendait dans la voiture.",
    "Le docteur a revu le traitement ; madame souhaite arrêter.",
    "Vitamine D. Bilan à refaire dans trois mois.",
    "Hépatite C. Traitement terminé en 2021.",
    "Groupe A. Ensuite, échange avec l'équipe.",
    "Budget du projet : 12 345 678 euros sur cinq ans.",
    "Programme Stop Blues présenté, application téléchargée.",
    "Contact avec Nightline pour un soutien entre pairs.",
    "Elle participe au Clubhouse de Tours et au GEM local.",
    "Premiers Secours en Santé Mentale : formation suivie par l'équipe.",
    "Traitement : Seroplex, Tercian, Lexomil ; arrêt du Deroxat.",
    "Hospitalisée au Centre Hospitalier Henri Ey puis à l'EPSM Georges Daumézon.",
    "Test de Stroop et figure de Rey réalisés ; MADRS 32 28 24 20 sur un mois.",
    "Poids 72 74 76 kg sur trois consultations ; TA 12 8.",
    "Nom du médecin traitant : non déclaré. Nom de la mutuelle : MGEN.",
    "Vit à Chambray-lès-Tours puis à Saint-Pierre-des-Corps et Montlouis-sur-Loire.",
    "Loi Léonetti et directives anticipées expliquées à la famille.",
    "Elle a appelé SOS Amitié puis Suicide Écoute.",
    "Scores HAD 12 15 puis 9 11 ; PHQ-9 à 14.",
    "Né à Oran en 1961, arrivé en France en 1985.",
    "Madame rapporte une amélioration ; monsieur souhaite un rendez-vous.",
    "Le Pr du service et le Dr de l'équipe mobile ont été sollicités.",
    "Nom de l'application : StopBlues. Nom du programme : Sésame.",
    "Mme, M., Mlle : cocher la mention utile.",
    "Suivi de 2015 2016 2017 2018 au CMPP.",
    # Surnames that are also words, used as words.
    "Il se sent tout petit depuis la rupture ; petit appétit.",
    "Petit déjeuner pris seul, puis marche jusqu'au Grand Parc.",
    "A travaillé comme boulanger puis comme meunier jusqu'en 2015.",
    "Lit le Petit Prince à sa fille ; garde un Petit Robert sur sa table.",
    "Promenade quotidienne jusqu'à la Fontaine Wallace.",
    "Le Boulanger du village lui fait crédit ; le Marchand de journaux aussi.",
    "Humeur Petit à petit meilleure, Sommeil réparateur.",
    "Au Bon Marché avec sa sœur, puis au Grand Café.",
    "Se décrit comme un Renard solitaire, un Loup parmi les autres.",
    "Vit Rue Blanche, près du Moulin Rouge.",
    # Capitalised French words where names could be.
    "Réunion avec Psychiatrie Adulte, Urgences et Addictologie.",
    "Orientation vers Pédopsychiatrie et Gériatrie ; avis de Neurologie.",
    "Entretien conjoint avec Hypnose et Relaxation proposées.",
]


def clean(i):
    return Text().add(CLEAN[i % len(CLEAN)])


GENERATORS = [
    ("civil", civil_status, 40),
    ("short", short_surname, 25),
    ("lower", lower_title, 25),
    ("initials", initials, 25),
    ("particles", particles, 30),
    ("lists", lists, 30),
    ("ipp", grouped_ipp, 40),
    ("phone", phone_not_ipp, 10),
    ("forms", forms, 30),
    ("mixed", mixed, 30),
    ("hardlists", hard_lists, 15),
    ("wordnames", word_names, 30),
    ("rare", rare_names, 30),
]


def main():
    rows = []
    for name, gen, n in GENERATORS:
        for i in range(n):
            t = gen()
            rows.append({"id": f"gen-{name}-{i:03}", "text": t.text(), "spans": t.spans})
    for i in range(len(CLEAN)):
        t = clean(i)
        rows.append({"id": f"gen-clean-{i:03}", "text": t.text(), "spans": t.spans})
    for r in rows:
        b = r["text"].encode("utf-8")
        for s in r["spans"]:
            assert b[s["start"]:s["end"]].decode("utf-8") == s["value"], r
        print(json.dumps(r, ensure_ascii=False))


if __name__ == "__main__":
    main()
