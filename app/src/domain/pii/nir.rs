//! NIR (French social security number): 13 characters + 2-digit key, spaced or not.

use super::text::{char_at, contains_word, folded_window_before, is_alnum, prev_char};
use super::{Confidence, Finding, PiiKind};

/// Checks the key of a NIR written as 15 characters without spaces: 13 digits (with "2A"/"2B"
/// allowed in the department position, counted as 19/18) followed by the 2-digit key, where
/// key = 97 − (number mod 97).
pub fn nir_key_is_valid(nir_digits: &str) -> bool {
    let b = nir_digits.as_bytes();
    if b.len() != 15 {
        return false;
    }
    let mut n: u64 = 0;
    for (i, &c) in b[..13].iter().enumerate() {
        let d = match c {
            b'0'..=b'9' => (c - b'0') as u64,
            b'A' | b'a' if i == 6 && b[5] == b'2' => 9,
            b'B' | b'b' if i == 6 && b[5] == b'2' => 8,
            _ => return false,
        };
        n = n * 10 + d;
    }
    // Corsica: "2A" reads as "19" and "2B" as "18" (the '2' becomes '1').
    if matches!(b[6], b'A' | b'a' | b'B' | b'b') {
        n -= 10_000_000; // 10^7: the digit at index 5 of 13 goes from 2 to 1
    }
    let (k1, k2) = (b[13], b[14]);
    if !k1.is_ascii_digit() || !k2.is_ascii_digit() {
        return false;
    }
    let key = ((k1 - b'0') * 10 + (k2 - b'0')) as u64;
    key == 97 - n % 97
}

/// Length of a separator run (spaces, dots, hyphens, no-break spaces) of at most 3 characters.
pub(crate) fn sep_len(b: &[u8], j: usize) -> usize {
    let mut k = j;
    let mut chars = 0;
    let mut strong = 0; // dots / hyphens / slashes
    while k < b.len() && chars < 3 {
        match b[k] {
            b' ' | b'\t' => k += 1,
            b'.' | b'-' => {
                strong += 1;
                k += 1
            }
            0xC2 if b.get(k + 1) == Some(&0xA0) => k += 2,
            0xE2 if b.get(k + 1) == Some(&0x80) && matches!(b.get(k + 2), Some(0xAF | 0x89)) => {
                k += 3
            }
            _ => break,
        }
        chars += 1;
    }
    if strong > 1 {
        return 0;
    }
    k - j
}

/// Keywords announcing a social security number.
fn nir_context(text: &str, start: usize) -> bool {
    let w = folded_window_before(text, start, 60);
    const KW: [&str; 12] = [
        "nir",
        "secu",
        "securite sociale",
        "n° ss",
        "no ss",
        "n°ss",
        "num ss",
        "insee",
        "carte vitale",
        "immatriculation",
        "ins",
        "numero ss",
    ];
    KW.iter().any(|k| contains_word(&w, k))
}

struct Scan {
    buf: [u8; 15],
    n: usize,
    /// Sizes of the separated groups read so far (up to 8).
    groups: [u8; 8],
    ngroups: usize,
    cur: u8,
    end13: usize,
    end15: usize,
}

fn scan(b: &[u8], i: usize) -> Scan {
    let mut s = Scan {
        buf: [0; 15],
        n: 0,
        groups: [0; 8],
        ngroups: 0,
        cur: 0,
        end13: 0,
        end15: 0,
    };
    let mut j = i;
    while j < b.len() && s.n < 15 {
        let c = b[j];
        if c.is_ascii_digit() {
            s.buf[s.n] = c;
            s.n += 1;
            s.cur += 1;
            j += 1;
        } else if s.n == 6 && s.buf[5] == b'2' && matches!(c, b'A' | b'B' | b'a' | b'b') {
            s.buf[s.n] = c.to_ascii_uppercase();
            s.n += 1;
            s.cur += 1;
            j += 1;
        } else {
            let k = sep_len(b, j);
            let next = b.get(j + k).copied().unwrap_or(0);
            let next_ok = next.is_ascii_digit()
                || (s.n == 6 && s.buf[5] == b'2' && matches!(next, b'A' | b'B' | b'a' | b'b'));
            if k > 0 && next_ok {
                if s.ngroups < 8 {
                    s.groups[s.ngroups] = s.cur;
                }
                s.ngroups += 1;
                s.cur = 0;
                j += k;
                continue;
            }
            break;
        }
        if s.n == 13 {
            s.end13 = j;
        }
        if s.n == 15 {
            s.end15 = j;
        }
    }
    if s.ngroups < 8 {
        s.groups[s.ngroups] = s.cur;
    }
    s.ngroups += 1;
    s
}

/// Canonical NIR grouping "1 85 05 78 006 084 36": strong evidence even with a mistyped key.
fn canonical_grouping(s: &Scan) -> bool {
    s.ngroups == 7 && s.groups[..7] == [1, 2, 2, 2, 3, 3, 2]
}

fn shape_ok(buf: &[u8]) -> bool {
    if !matches!(buf[0], b'1' | b'2' | b'3' | b'4' | b'7' | b'8') {
        return false;
    }
    let m = (buf[3] - b'0') as u32 * 10 + (buf[4] - b'0') as u32;
    if !buf[3].is_ascii_digit() || !buf[4].is_ascii_digit() {
        return false;
    }
    (1..=12).contains(&m) || (20..=42).contains(&m) || m >= 50
}

/// Finds NIRs in `text`.
pub fn find(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !matches!(c, b'1' | b'2' | b'3' | b'4' | b'7' | b'8') || is_alnum(prev_char(text, i)) {
            i += 1;
            continue;
        }
        let s = scan(b, i);
        let mut found = None;
        if s.n == 15 && shape_ok(&s.buf) && !is_alnum(char_at(text, s.end15)) {
            let digits = std::str::from_utf8(&s.buf).unwrap_or("");
            if nir_key_is_valid(digits) {
                found = Some((s.end15, Confidence::Certain, "clé NIR valide"));
            } else if canonical_grouping(&s) {
                found = Some((s.end15, Confidence::Likely, "groupement d'un NIR"));
            } else if nir_context(text, i) {
                found = Some((
                    s.end15,
                    Confidence::Likely,
                    "après un libellé de sécurité sociale",
                ));
            }
        }
        if found.is_none()
            && s.n == 13
            && shape_ok(&s.buf)
            && !is_alnum(char_at(text, s.end13))
            && nir_context(text, i)
        {
            found = Some((
                s.end13,
                Confidence::Likely,
                "après un libellé de sécurité sociale",
            ));
        }
        match found {
            Some((end, confidence, reason)) => {
                out.push(Finding::new(PiiKind::Nir, i, end, confidence, reason));
                i = end;
            }
            None => i += 1,
        }
    }
}
