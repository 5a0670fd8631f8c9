//! "Looks like a name": evidence for capitalised words that are in no list.
//!
//! Name lists never hold every name. This small model scores how much a folded word looks like
//! a person name rather than a French word or place, from its character n-grams (2 to 4
//! letters, word boundaries included). It is a logistic regression trained by
//! `data/build_name_evidence.py` on the name lists against the French lexicon of `grow_names.py`,
//! shipped as `data/name_shape.bin` (8 KB of weights). The server embeds it; the browser gets
//! it with the name lists, since the rules use it only beside them (see `lexicon.rs`).
//! Figures on held-out words are printed by the script and quoted in `data/README.md`.
//!
//! The score alone never makes a finding: the rules use it where the position already suggests
//! a name (an item of a list of names, a word before a known given name).

use super::lexicon::shape_model;

/// The trained weights; layout in `data/build_name_evidence.py`.
#[cfg(not(feature = "hydrate"))]
pub(super) const MODEL: &[u8] = include_bytes!("data/name_shape.bin");

/// Score above which a word counts as name-shaped. On held-out words (script output): 58 % of
/// names and 5 % of French words or places score above it.
pub const NAME_SHAPED: f32 = 2.0;

/// Stricter score, for a lone word with no other evidence than its place in the sentence: 41 %
/// of held-out names and 2 % of French words or places score above it.
pub const STRONGLY_NAME_SHAPED: f32 = 3.0;

/// The model read from `name_shape.bin`.
pub(super) struct Model {
    buckets: u32,
    min_n: usize,
    max_n: usize,
    scale: f32,
    bias: f32,
    weights: &'static [u8],
}

impl Model {
    /// Reads the layout `data/build_name_evidence.py` writes; `None` if it is damaged.
    pub(super) fn parse(data: &'static [u8]) -> Option<Model> {
        if data.len() < 16 || &data[..4] != b"NSH1" {
            return None;
        }
        let buckets = u16::from_le_bytes([data[4], data[5]]) as u32;
        let f32_at = |k: usize| Some(f32::from_le_bytes(data[k..k + 4].try_into().ok()?));
        let model = Model {
            buckets,
            min_n: data[6] as usize,
            max_n: data[7] as usize,
            scale: f32_at(8)?,
            bias: f32_at(12)?,
            weights: &data[16..],
        };
        let sane = model.weights.len() == buckets as usize
            && buckets > 0
            && (1..=model.max_n).contains(&model.min_n)
            && model.max_n <= 8;
        sane.then_some(model)
    }

    /// The raw weights (tests compare copies).
    #[cfg(test)]
    pub(super) fn weights(&self) -> &[u8] {
        self.weights
    }
}

/// FNV-1a, 32 bits (the script's `fnv1a`).
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811C_9DC5u32, |h, &b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// Log-odds that a folded word (lowercase ASCII letters) is a name rather than a French word.
/// `None` for anything else (digits, apostrophes, letters the folding left outside a-z).
fn word_score(word: &str) -> Option<f32> {
    if word.len() < 2 || word.len() > 40 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let m = shape_model()?;
    let mut padded = [0u8; 42];
    padded[0] = b'^';
    padded[1..=word.len()].copy_from_slice(word.as_bytes());
    padded[word.len() + 1] = b'$';
    let padded = &padded[..word.len() + 2];
    let mut sum = 0i32;
    for n in m.min_n..=m.max_n {
        for gram in padded.windows(n) {
            sum += m.weights[(fnv1a(gram) % m.buckets) as usize] as i8 as i32;
        }
    }
    Some(m.bias + m.scale * sum as f32)
}

/// Name-likeness of a folded token; a hyphenated token scores as its least name-like part
/// ("ozanne-ricq"). `None` when a part is not made of letters, or without the model (in the
/// browser before the lists arrive).
pub fn name_score(folded: &str) -> Option<f32> {
    folded
        .split('-')
        .map(word_score)
        .try_fold(f32::INFINITY, |low, s| s.map(|s| low.min(s)))
        .filter(|s| s.is_finite())
}

/// Whether a folded token looks like a name (every part above [`NAME_SHAPED`]).
pub fn name_shaped(folded: &str) -> bool {
    name_score(folded).is_some_and(|s| s > NAME_SHAPED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_outside_the_lists_look_like_names() {
        // Names of populations French practices see, absent from the name lists.
        for w in [
            "karimova",
            "sivakumaran",
            "hakobyan",
            "dhaussy",
            "ozanne-ricq",
        ] {
            assert!(name_shaped(w), "{w}: {:?}", name_score(w));
        }
    }

    #[test]
    fn clinical_and_everyday_words_do_not() {
        for w in [
            "psychiatrie",
            "addictologie",
            "pediatrie",
            "centre",
            "sertraline",
            "hopital",
            "consultation",
            "anxiete",
            "urgences",
        ] {
            assert!(!name_shaped(w), "{w}: {:?}", name_score(w));
        }
    }

    #[test]
    fn a_damaged_model_is_ignored() {
        assert!(Model::parse(&MODEL[..15]).is_none());
        assert!(Model::parse(&MODEL[..MODEL.len() - 1]).is_none());
        assert!(Model::parse(b"XXXX\x01\x00\x02\x04\0\0\x80\x3f\0\0\0\0\x05").is_none());
        assert!(Model::parse(b"NSH1\x01\x00\x02\x04\0\0\x80\x3f\0\0\0\0\x05").is_some());
    }

    #[test]
    fn only_letters_are_scored() {
        assert_eq!(name_score("b12"), None);
        assert_eq!(name_score("o'neil"), None);
        assert_eq!(name_score(""), None);
        assert_eq!(name_score("a"), None);
        assert!(name_score("martin").is_some());
    }

    #[test]
    fn the_model_file_is_well_formed() {
        let m = shape_model().expect("the embedded model parses");
        assert_eq!(m.buckets, 8192);
        assert_eq!((m.min_n, m.max_n), (2, 4));
        assert!(m.scale > 0.0 && m.scale.is_finite() && m.bias.is_finite());
    }
}
