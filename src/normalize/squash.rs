//! The squashed view: the text view with spaced-out words closed up.
//!
//! A run is at least three single characters (a letter, digit or `@`) in a
//! row, three of them letters (spaced digits are the digit view's: `2 y 4`
//! and `a 1/2` stay), each pair separated by one to three separator characters (space,
//! `.`, `-`, `_`, `*`, `~`, `+`, `/`, `|`, `·`, `•`). Inside a run, the
//! separator used most (compared by its text and by how many original
//! bytes it covers, so a double space in `c o d e  W I N T E R` differs
//! from a single one) is removed; any other separator goes too, except
//! that a whitespace-only one stays as one space and a spaced-out dot
//! (` . `) stays as a dot. So `v e n m o` → `venmo`,
//! `p.a.y.p.a.l` → `paypal`, `j o h n @ g m a i l . c o m` →
//! `john@gmail.com`, `c o d e  W I N T E R` → `code winter`. Ordinary words
//! are never glued: `a dog` has a single letter but no run.
//!
//! Each kept character maps to its text-view bytes; a span over a squashed
//! word maps back to the whole spaced run of the original.

use super::view::{View, ViewBuilder};

/// Fewest single characters that make a run.
const MIN_RUN: usize = 3;
/// Longest separator (in characters) inside a run.
const MAX_SEPARATOR: usize = 3;
/// Most distinct separators counted when choosing the one to remove.
const MAX_KINDS: usize = 8;

/// Builds the squashed view of `text`, or `None` when it has no run.
pub(super) fn squashed_view(text: &View) -> Option<View> {
    let s = text.as_str();
    if !has_run(s) {
        return None;
    }
    let tokens: Vec<(usize, usize)> = tokens(s).collect();
    let mut out = ViewBuilder::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while i < tokens.len() {
        let mut j = i;
        while j + 1 < tokens.len()
            && is_single(s, tokens[j])
            && is_single(s, tokens[j + 1])
            && is_separator(&s[tokens[j].1..tokens[j + 1].0])
        {
            j += 1;
        }
        if j + 1 - i >= MIN_RUN && letters(s, &tokens[i..=j]) >= MIN_RUN {
            let run = &tokens[i..=j];
            out.copy_from(text, copied..run[0].0);
            squash_run(text, run, &mut out);
            copied = run[run.len() - 1].1;
            i = j + 1;
        } else {
            i = j.max(i) + 1;
        }
    }
    out.copy_from(text, copied..s.len());
    Some(out.finish())
}

/// Appends one run with its dominant separator removed.
fn squash_run(text: &View, run: &[(usize, usize)], out: &mut ViewBuilder) {
    let s = text.as_str();
    let key = |a: &(usize, usize), b: &(usize, usize)| {
        let sep = (a.1, b.0);
        (&s[sep.0..sep.1], text.to_original(sep.0..sep.1).len())
    };
    let mut kinds: Vec<((&str, usize), usize)> = Vec::new();
    for pair in run.windows(2) {
        let k = key(&pair[0], &pair[1]);
        if let Some((_, n)) = kinds.iter_mut().find(|(kk, _)| *kk == k) {
            *n += 1;
        } else if kinds.len() < MAX_KINDS {
            kinds.push((k, 1));
        }
    }
    let dominant = kinds.iter().rev().max_by_key(|(_, n)| *n).map(|(k, _)| *k);
    for (n, token) in run.iter().enumerate() {
        out.copy_from(text, token.0..token.1);
        let Some(next) = run.get(n + 1) else {
            break;
        };
        let k = key(token, next);
        if Some(k) == dominant {
            continue;
        }
        let sep = &s[token.1..next.0];
        if sep.chars().all(char::is_whitespace) {
            out.copy_from(text, token.1..token.1 + 1);
            continue;
        }
        // A spaced-out dot (` . `) in a spaced run is the dot of a domain.
        if sep.len() == 3
            && sep.starts_with(' ')
            && sep.ends_with(' ')
            && let Some(dot) = sep.find('.')
        {
            let from = token.1 + dot;
            out.copy_from(text, from..from + 1);
        }
    }
}

/// Returns how many of the single-character `tokens` are letters.
fn letters(s: &str, tokens: &[(usize, usize)]) -> usize {
    tokens
        .iter()
        .filter(|t| s[t.0..t.1].chars().all(char::is_alphabetic))
        .count()
}

/// Returns true when `s` may have a run (enough single letters in a row,
/// ignoring the letter count), without allocating.
fn has_run(s: &str) -> bool {
    if s.is_ascii() {
        return has_run_ascii(s.as_bytes());
    }
    let (mut run, mut letters) = (0, 0);
    let mut prev: Option<(usize, usize)> = None;
    for token in tokens(s) {
        if is_single(s, token) {
            let letter = usize::from(s[token.0..token.1].chars().all(char::is_alphabetic));
            (run, letters) = match prev {
                Some(p) if is_single(s, p) && is_separator(&s[p.1..token.0]) => {
                    (run + 1, letters + letter)
                }
                _ => (1, letter),
            };
            if run >= MIN_RUN && letters >= MIN_RUN {
                return true;
            }
        } else {
            (run, letters) = (0, 0);
        }
        prev = Some(token);
    }
    false
}

/// The bytes [`tokens`] counts as word characters in ASCII text: letters,
/// digits and `@`. A table, as this scan runs over every message.
static WORD_BYTES: [bool; 256] = byte_table!(|b| b.is_ascii_alphanumeric() || b == b'@');

/// [`has_run`] for ASCII text, byte by byte.
fn has_run_ascii(b: &[u8]) -> bool {
    let is_word = |c: u8| WORD_BYTES[usize::from(c)];
    let (mut run, mut letters) = (0, 0);
    let mut prev_single_end: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        if !is_word(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_word(b[i]) {
            i += 1;
        }
        if i - start != 1 {
            (run, letters, prev_single_end) = (0, 0, None);
            continue;
        }
        let letter = usize::from(b[start].is_ascii_alphabetic());
        (run, letters) = match prev_single_end {
            Some(pe)
                if b.get(pe..start)
                    .is_some_and(|sep| std::str::from_utf8(sep).is_ok_and(is_separator)) =>
            {
                (run + 1, letters + letter)
            }
            _ => (1, letter),
        };
        if run >= MIN_RUN && letters >= MIN_RUN {
            return true;
        }
        prev_single_end = Some(i);
    }
    false
}

/// Returns the byte ranges of the words of `s` (letters, digits, `@`).
fn tokens(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut iter = s.char_indices().peekable();
    std::iter::from_fn(move || {
        let start = loop {
            let (i, c) = iter.next()?;
            if is_word_char(c) {
                break i;
            }
        };
        let mut end = s.len();
        while let Some(&(i, c)) = iter.peek() {
            if !is_word_char(c) {
                end = i;
                break;
            }
            iter.next();
        }
        Some((start, end))
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '@'
}

fn is_single(s: &str, (start, end): (usize, usize)) -> bool {
    s[start..end].chars().nth(1).is_none()
}

fn is_separator(sep: &str) -> bool {
    let mut n = 0;
    for c in sep.chars() {
        n += 1;
        if n > MAX_SEPARATOR
            || !matches!(
                c,
                ' ' | '.' | '-' | '_' | '*' | '~' | '+' | '/' | '|' | '·' | '•'
            )
        {
            return false;
        }
    }
    n > 0
}

#[cfg(test)]
mod tests {
    use super::super::normalize;

    fn squashed(s: &str) -> String {
        normalize(s).squashed().as_str().to_string()
    }

    #[test]
    fn closes_up_spaced_words() {
        assert_eq!(squashed("pay me on v e n m o ok"), "pay me on venmo ok");
        assert_eq!(squashed("p.a.y.p.a.l"), "paypal");
        assert_eq!(squashed("g-m-a-i-l"), "gmail");
        assert_eq!(squashed("w h a t s a p p"), "whatsapp");
        assert_eq!(squashed("j o h n @ g m a i l . c o m"), "john@gmail.com");
        assert_eq!(squashed("c o d e  W I N T E R 2 5"), "code winter25");
        assert_eq!(squashed("v.e n-m o"), "venmo");
        assert_eq!(squashed("w w w . s i t e . c o m"), "www.site.com");
    }

    #[test]
    fn leaves_ordinary_words() {
        for s in [
            "a dog and a cat",
            "I am here",
            "plan a or b",
            "is it 2 3/8 or a 1/2 in",
            "entre 2 y 4",
            "5 5 5 8 6 7",
        ] {
            assert_eq!(squashed(s), normalize(s).text().as_str(), "{s}");
        }
    }

    #[test]
    fn maps_squashed_word_to_spaced_run() {
        let original = "mail j o h n @ g m a i l . c o m now";
        let views = normalize(original);
        let view = views.squashed();
        let at = view.as_str().find("john@gmail.com").unwrap();
        let span = view.to_original(at..at + 14);
        assert_eq!(&original[span.range()], "j o h n @ g m a i l . c o m");
    }
}
