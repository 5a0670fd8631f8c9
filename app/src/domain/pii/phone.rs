//! Telephone numbers: French national (10 digits from 0) and international (+33, +212, 0033...).

use super::nir::sep_len;
use super::text::{char_at, is_alnum, prev_char};
use super::{Confidence, Finding, PiiKind};

/// Reads digit groups from `j`, separated by single separators, allowing one "(0)".
/// Returns (digit count, end offset, smallest group size, whether more digits follow a separator).
fn read_groups(
    b: &[u8],
    mut j: usize,
    max_digits: usize,
    allow_zero_paren: bool,
) -> (usize, usize, usize, bool) {
    let mut n = 0;
    let mut end = j;
    let mut group = 0;
    let mut min_group = usize::MAX;
    let mut zero_paren_used = !allow_zero_paren;
    loop {
        if j < b.len() && b[j].is_ascii_digit() {
            if n == max_digits {
                return (n + 1, end, min_group, true);
            }
            n += 1;
            group += 1;
            j += 1;
            end = j;
            continue;
        }
        if group > 0 {
            min_group = min_group.min(group);
            group = 0;
        }
        if !zero_paren_used && b[j..].starts_with(b"(0)") {
            zero_paren_used = true;
            j += 3;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            continue;
        }
        let k = sep_len(b, j);
        if k > 0 && k <= 2 && j + k < b.len() && b[j + k].is_ascii_digit() {
            if n == max_digits {
                return (n, end, min_group, true);
            }
            j += k;
            continue;
        }
        if !zero_paren_used && k > 0 && b[j + k..].starts_with(b"(0)") {
            j += k;
            continue;
        }
        return (n, end, min_group, false);
    }
}

/// Finds telephone numbers in `text`.
pub fn find(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c != b'+' && c != b'0' {
            i += 1;
            continue;
        }
        let prev = prev_char(text, i);
        let boundary = !is_alnum(prev) && prev != Some('+');
        let mut found: Option<usize> = None;
        if c == b'+' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) && !is_alnum(prev) {
            // International: +CC then the subscriber number.
            if b[i + 1..].starts_with(b"33") {
                let (n, end, _, more) = read_groups(b, i + 3, 10, true);
                // 9 digits after +33 (a national 0 may be kept by mistake: 10).
                if (n == 9
                    || (n == 10 && b[i + 3..].iter().find(|d| d.is_ascii_digit()) == Some(&b'0')))
                    && !more
                    && !is_alnum(char_at(text, end))
                {
                    found = Some(end);
                }
            } else {
                let (n, end, _, more) = read_groups(b, i + 1, 15, true);
                if (8..=15).contains(&n) && !more && !is_alnum(char_at(text, end)) {
                    found = Some(end);
                }
            }
        } else if c == b'0' && boundary && b[i..].starts_with(b"0033") {
            let (n, end, _, more) = read_groups(b, i + 4, 10, true);
            if n == 9 && !more && !is_alnum(char_at(text, end)) {
                found = Some(end);
            }
        } else if c == b'0' && boundary && b.get(i + 1).is_some_and(|d| (b'1'..=b'9').contains(d)) {
            // Part of a longer digit sequence (e.g. inside a NIR)?  "… 37 06 12 …"
            let glued_to_digits = {
                let mut k = i;
                while k > 0 && matches!(b[k - 1], b' ' | b'.' | b'-') {
                    k -= 1;
                }
                k < i && k > 0 && b[k - 1].is_ascii_digit()
            };
            if !glued_to_digits {
                let (n, end, min_group, more) = read_groups(b, i, 10, false);
                if n == 10 && !more && min_group >= 2 && !is_alnum(char_at(text, end)) {
                    found = Some(end);
                }
            }
        }
        match found {
            Some(end) => {
                let reason = if c == b'+' || b[i..].starts_with(b"00") {
                    "format de téléphone international"
                } else {
                    "format de téléphone français"
                };
                out.push(Finding::new(
                    PiiKind::Phone,
                    i,
                    end,
                    Confidence::Likely,
                    reason,
                ));
                i = end;
            }
            None => i += 1,
        }
    }
}
