//! E-mail addresses: local@domain.tld, also the "[at]" / "(at)" / " arobase " spellings.

use super::{Confidence, Finding, PiiKind};

fn is_local(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

fn is_domain(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')
}

/// Start of the local part ending at `at` (exclusive), if it is a plausible one.
fn local_start(text: &str, at: usize) -> Option<usize> {
    let mut s = at;
    for (k, c) in text[..at].char_indices().rev() {
        let ok = if c.is_ascii() {
            is_local(c as u8)
        } else {
            c.is_alphabetic()
        };
        if !ok {
            break;
        }
        s = k;
    }
    let b = text.as_bytes();
    while s < at && matches!(b[s], b'.' | b'-' | b'\'') {
        s += 1;
    }
    (s < at).then_some(s)
}

/// End of the domain starting at `d`, if it has a dot and an alphabetic TLD of 2+ letters.
fn domain_end(b: &[u8], d: usize) -> Option<usize> {
    let mut e = d;
    while e < b.len() && is_domain(b[e]) {
        e += 1;
    }
    while e > d && matches!(b[e - 1], b'.' | b'-') {
        e -= 1;
    }
    let dom = &b[d..e];
    let last_dot = dom.iter().rposition(|&c| c == b'.')?;
    let tld = &dom[last_dot + 1..];
    if last_dot == 0 || tld.len() < 2 || !tld.iter().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(e)
}

/// Finds e-mail addresses in `text`.
pub fn find(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut last_end = 0;
    while i < b.len() {
        let (at_len, spaced) = if b[i] == b'@' {
            (1, false)
        } else if b[i] == b'[' || b[i] == b'(' {
            let rest = &b[i..];
            let lower = |s: &[u8]| rest.len() >= s.len() && rest[..s.len()].eq_ignore_ascii_case(s);
            if lower(b"[at]") || lower(b"(at)") {
                (4, true)
            } else if lower(b"[arobase]") || lower(b"(arobase)") {
                (9, true)
            } else {
                (0, false)
            }
        } else {
            (0, false)
        };
        if at_len == 0 {
            i += 1;
            continue;
        }
        // Optional spaces around the obfuscated forms.
        let mut l = i;
        let mut d = i + at_len;
        if spaced {
            while l > 0 && b[l - 1] == b' ' {
                l -= 1;
            }
            while d < b.len() && b[d] == b' ' {
                d += 1;
            }
        }
        if let (Some(s), Some(e)) = (local_start(text, l), domain_end(b, d)) {
            if s >= last_end {
                out.push(Finding::new(
                    PiiKind::Email,
                    s,
                    e,
                    Confidence::Certain,
                    "adresse e-mail",
                ));
                last_end = e;
                i = e;
                continue;
            }
        }
        i += 1;
    }
}
