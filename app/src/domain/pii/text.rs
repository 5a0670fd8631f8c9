//! Text utilities shared by the detectors: accent folding and a small tokenizer.

/// ASCII base letter of U+00C0..U+024F ('_' when there is none).
const LATIN_FOLD: &[u8; 400] = b"aaaaaa_ceeeeiiiidnooooo_ouuuuy__aaaaaa_ceeeeiiiidnooooo_ouuuuy_yaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkk_llllll__llnnnnnn___oooooo__rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzsb_________________f_______l_____oo_____________uu_____z______________________aaiioouuuuuuuuuu_aaaa___gggkkoooo__j___gg__nnaa____aaaaeeeeiiiioooorrrruuuusstt__hh_____zaaeeooooooooyylntjdq__c__________e_j_q_r_y";
/// ASCII base letter of U+1E00..U+1EFF (Vietnamese and other extended Latin; '_' when none).
const EXT_FOLD: &[u8; 256] = b"aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwy_s____aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy______";

/// Appends the lowercase, accent-free form of `c` to `out`.
pub fn fold_char_into(c: char, out: &mut String) {
    let cp = c as u32;
    if cp < 0x80 {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match c {
        'æ' | 'Æ' => out.push_str("ae"),
        'œ' | 'Œ' => out.push_str("oe"),
        'ß' => out.push_str("ss"),
        '\u{2019}' | '\u{2018}' | '\u{02BC}' => out.push('\''),
        '\u{2010}' | '\u{2011}' => out.push('-'),
        _ => {
            let folded = if (0xC0..0x250).contains(&cp) {
                LATIN_FOLD[(cp - 0xC0) as usize]
            } else if (0x1E00..0x1F00).contains(&cp) {
                EXT_FOLD[(cp - 0x1E00) as usize]
            } else if (0x300..0x370).contains(&cp) {
                return; // combining diacritical mark
            } else {
                b'_'
            };
            if folded != b'_' {
                out.push(folded as char);
            } else {
                for l in c.to_lowercase() {
                    out.push(l);
                }
            }
        }
    }
}

/// Lowercase, accent-free form of `s` ("Élodie" -> "elodie", "Nguyễn" -> "nguyen").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char_into(c, &mut out);
    }
    out
}

/// Whether `c` may continue a word (letters and combining marks).
fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || ('\u{300}'..='\u{36F}').contains(&c)
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}' || c == '\u{02BC}'
}

fn is_hyphen(c: char) -> bool {
    c == '-' || c == '\u{2010}' || c == '\u{2011}'
}

/// Kind of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Letters, possibly joined by hyphens ("Joué-lès-Tours") or an O'/N'/D'/M' prefix.
    Word,
    /// ASCII digits.
    Num,
    /// Any other single non-space character.
    Punct,
}

/// Whitespace precedes the token.
pub const SPACE_BEFORE: u8 = 1;
/// A line break precedes the token.
pub const NEWLINE_BEFORE: u8 = 2;
/// Word whose first letter is uppercase.
pub const CAP: u8 = 4;
/// Word of two letters or more, all uppercase.
pub const ALLCAPS: u8 = 8;

/// One token: byte range in the text, range of its folded form, flags.
#[derive(Clone, Copy, Debug)]
pub struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    f0: u32,
    f1: u32,
    pub flags: u8,
}

/// Tokenised text with folded word forms.
pub struct Tokens<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
    folded: String,
}

impl<'a> Tokens<'a> {
    /// Splits `text` into words, numbers and punctuation.
    pub fn new(text: &'a str) -> Self {
        let mut toks = Vec::with_capacity(text.len() / 4);
        let mut folded = String::with_capacity(text.len());
        let mut flags_pending = 0u8;
        let mut it = text.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c.is_whitespace() {
                flags_pending |= SPACE_BEFORE;
                if c == '\n' || c == '\r' {
                    flags_pending |= NEWLINE_BEFORE;
                }
                continue;
            }
            let flags = std::mem::take(&mut flags_pending);
            if is_word_char(c) {
                let f0 = folded.len() as u32;
                let mut end = i + c.len_utf8();
                let mut nletters = 1usize;
                let mut all_upper = c.is_uppercase();
                let cap = c.is_uppercase();
                fold_char_into(c, &mut folded);
                while let Some(&(j, d)) = it.peek() {
                    if is_word_char(d) {
                        it.next();
                        end = j + d.len_utf8();
                        nletters += 1;
                        if d.is_lowercase() {
                            all_upper = false;
                        }
                        fold_char_into(d, &mut folded);
                        continue;
                    }
                    let joiner_hyphen = is_hyphen(d);
                    let joiner_apos = is_apostrophe(d)
                        && nletters == 1
                        && matches!(&text[i..end], "N" | "D" | "M" | "O");
                    if joiner_hyphen || joiner_apos {
                        // Join only when a letter follows (uppercase after an apostrophe).
                        let after = text[j + d.len_utf8()..].chars().next();
                        let ok = match after {
                            Some(a) if joiner_hyphen => is_word_char(a),
                            Some(a) => a.is_uppercase(),
                            None => false,
                        };
                        if ok {
                            it.next();
                            end = j + d.len_utf8();
                            folded.push(if joiner_hyphen { '-' } else { '\'' });
                            continue;
                        }
                    }
                    break;
                }
                let mut f = flags;
                if cap {
                    f |= CAP;
                }
                if all_upper && nletters >= 2 {
                    f |= ALLCAPS;
                }
                toks.push(Tok {
                    kind: Kind::Word,
                    start: i,
                    end,
                    f0,
                    f1: folded.len() as u32,
                    flags: f,
                });
            } else if c.is_ascii_digit() {
                let mut end = i + 1;
                while let Some(&(j, d)) = it.peek() {
                    if d.is_ascii_digit() {
                        it.next();
                        end = j + 1;
                    } else {
                        break;
                    }
                }
                let f0 = folded.len() as u32;
                folded.push_str(&text[i..end]);
                toks.push(Tok {
                    kind: Kind::Num,
                    start: i,
                    end,
                    f0,
                    f1: folded.len() as u32,
                    flags,
                });
            } else {
                let f0 = folded.len() as u32;
                fold_char_into(c, &mut folded);
                toks.push(Tok {
                    kind: Kind::Punct,
                    start: i,
                    end: i + c.len_utf8(),
                    f0,
                    f1: folded.len() as u32,
                    flags,
                });
            }
        }
        Tokens { text, toks, folded }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Folded (lowercase, accent-free) form of token `i`; "" when out of range.
    pub fn f(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) => &self.folded[t.f0 as usize..t.f1 as usize],
            None => "",
        }
    }

    /// Raw text of token `i`; "" when out of range.
    pub fn raw(&self, i: usize) -> &'a str {
        match self.toks.get(i) {
            Some(t) => &self.text[t.start..t.end],
            None => "",
        }
    }

    /// Kind of token `i`, if any.
    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// Whether token `i` is a word.
    pub fn is_word(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Word)
    }

    /// Whether token `i` is a number.
    pub fn is_num(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Num)
    }

    /// Whether token `i` is the punctuation character `c`.
    pub fn is_punct(&self, i: usize, c: char) -> bool {
        match self.toks.get(i) {
            Some(t) if t.kind == Kind::Punct => self.text[t.start..].starts_with(c),
            _ => false,
        }
    }

    /// Whether token `i` is a word equal (folded) to `w`.
    pub fn is(&self, i: usize, w: &str) -> bool {
        self.is_word(i) && self.f(i) == w
    }

    /// Whether token `i` has the given flag.
    pub fn has(&self, i: usize, flag: u8) -> bool {
        self.toks.get(i).is_some_and(|t| t.flags & flag != 0)
    }

    /// Whether token `i` directly touches the previous token (no whitespace).
    pub fn glued(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.flags & (SPACE_BEFORE | NEWLINE_BEFORE) == 0)
    }

    /// Whether token `i` follows the previous one on the same line.
    pub fn same_line(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.flags & NEWLINE_BEFORE == 0)
    }

    /// Number of ASCII digits of a number token.
    pub fn ndigits(&self, i: usize) -> usize {
        if self.is_num(i) {
            self.toks[i].end - self.toks[i].start
        } else {
            0
        }
    }

    /// Value of a number token of at most 9 digits.
    pub fn value(&self, i: usize) -> Option<u32> {
        if self.is_num(i) && self.ndigits(i) <= 9 {
            self.raw(i).parse().ok()
        } else {
            None
        }
    }
}

/// Character just before byte offset `i`, if any.
pub fn prev_char(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

/// Character at byte offset `i`, if any.
pub fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

/// Whether `c` is a letter or digit.
pub fn is_alnum(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

/// Whether the folded `window` contains `kw` as a whole word sequence.
pub fn contains_word(window: &str, kw: &str) -> bool {
    let wb = window.as_bytes();
    let mut from = 0;
    while let Some(p) = window[from..].find(kw) {
        let s = from + p;
        let e = s + kw.len();
        let left_ok = s == 0 || !wb[s - 1].is_ascii_alphanumeric();
        let right_ok = e >= wb.len() || !wb[e].is_ascii_alphanumeric();
        if left_ok && right_ok {
            return true;
        }
        from = s + 1;
        while from < window.len() && !window.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Folded text of up to `n` bytes before offset `i` (clamped to a char boundary).
pub fn folded_window_before(text: &str, i: usize, n: usize) -> String {
    let mut s = i.saturating_sub(n);
    while !text.is_char_boundary(s) {
        s += 1;
    }
    fold(&text[s..i])
}
