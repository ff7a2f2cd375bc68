//! Digit groups and chains: the digit view read as the runs of digits a
//! person would read as one number, for the phone and payment detectors.
//!
//! Input: the digit view's string. Output: [`Chains`], read as [`Chain`]s
//! of [`Group`]s with view byte ranges. A group is a run of digits (any
//! script, keycaps, and `O`/`l`/`I` typed for 0 and 1 between digits); a
//! chain is groups joined by separators (space, `-`, `.`, `/`, `|`,
//! parentheses, commas, dashes) or by one joiner word (`206 call 555 0142`).
//! A run that mixes letters and digits more than once (`1Z999AA10123456784`,
//! `WM3400CW`) is a code and ends any chain; digits glued to letters on one
//! side (`abc4155550132`) form a group that cannot chain across the letters.
//!
//! Every message is read on the request path, so reading allocates only the
//! three buffers of [`Chains`] (none for a message without digits): a chain
//! and its windows borrow them, and gaps are ranges of the view (issue 7).

use std::ops::Range;

use super::lexicon::{WordSet, has_ascii_digit};

/// One run of digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    /// The view bytes of the run's digits.
    pub range: Range<usize>,
    /// Where the run's digits, ASCII, sit in the digit buffer of its
    /// [`Chains`]; read them with [`Chain::digits_of`].
    pub digits: Range<usize>,
    /// The view bytes of what separates the group from the one before it
    /// in its chain, trimmed (a joiner word included); empty for the first
    /// group of a chain.
    pub gap: Range<usize>,
    /// Letters typed as digits (`2O6`) or digits of another script.
    pub obfuscated: bool,
    /// For a group joined to the one before by a joiner word
    /// (`206 call 555`): how it opens the chain it starts when words do
    /// not join (see [`Chains::iter_unjoined`]).
    pub after_joiner: Option<Opening>,
}

/// What may open a chain right before its first group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Opening {
    /// The view byte of a `+`.
    pub plus: Option<usize>,
    /// The view byte of a `(`.
    pub open_paren: Option<usize>,
}

impl Opening {
    /// Reads the `+` and `(` at the end of the gap `gap_text`, which
    /// starts at view byte `at`, before a group not glued to letters.
    fn read(gap_text: &str, at: usize) -> Opening {
        let mut opening = Opening::default();
        let trimmed = gap_text.trim_end_matches(' ');
        if trimmed.ends_with('(') {
            opening.open_paren = Some(at + trimmed.len() - 1);
        }
        let bare = trimmed.trim_end_matches(['(', ' ']);
        if bare.ends_with('+') {
            opening.plus = Some(at + bare.len() - 1);
        }
        opening
    }
}

/// Every chain of one string: the groups of all chains and their digits,
/// kept in three buffers that the [`Chain`]s borrow.
#[derive(Debug)]
pub(crate) struct Chains<'a> {
    view: &'a str,
    /// The ASCII digits of every group, in order.
    digits: String,
    /// Every group, in order; each chain is a run of them.
    groups: Vec<Group>,
    /// Each chain's groups (a range of `groups`), `+` and `(`.
    bounds: Vec<Bounds>,
}

/// Where one chain sits in [`Chains`].
#[derive(Debug)]
struct Bounds {
    groups: Range<usize>,
    plus: Option<usize>,
    open_paren: Option<usize>,
}

impl<'a> Chains<'a> {
    /// Returns true when the string holds no chain.
    pub(crate) fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Returns the chains, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Chain<'_>> {
        self.bounds.iter().map(|b| Chain {
            view: self.view,
            all_digits: &self.digits,
            groups: self.groups.get(b.groups.clone()).unwrap_or_default(),
            plus: b.plus,
            open_paren: b.open_paren,
        })
    }

    /// Returns the chains as if no word joined groups: each chain is cut
    /// before every group that follows a joiner word. The same as reading
    /// the string again with no joiners, without reading it again.
    pub(crate) fn iter_unjoined(&self) -> impl Iterator<Item = Chain<'_>> {
        self.iter().flat_map(|chain| {
            let mut rest = chain;
            std::iter::from_fn(move || {
                if rest.groups.is_empty() {
                    return None;
                }
                let cut = rest
                    .groups
                    .iter()
                    .skip(1)
                    .position(|g| g.after_joiner.is_some())
                    .map_or(rest.groups.len(), |i| i + 1);
                let (head, next) = rest.groups.split_at(cut);
                let piece = Chain {
                    groups: head,
                    ..rest
                };
                let opening = next
                    .first()
                    .and_then(|g| g.after_joiner)
                    .unwrap_or_default();
                rest = Chain {
                    groups: next,
                    plus: opening.plus,
                    open_paren: opening.open_paren,
                    ..rest
                };
                Some(piece)
            })
        })
    }
}

/// Groups a person reads as one number, or a window of them; borrowed from
/// [`Chains`], so copying one or taking a window costs nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Chain<'a> {
    view: &'a str,
    /// The digit buffer the groups' `digits` ranges point into.
    all_digits: &'a str,
    /// The groups, in order.
    pub groups: &'a [Group],
    /// The view byte of a `+` right before the first group.
    pub plus: Option<usize>,
    /// The view byte of a `(` right before the first group.
    pub open_paren: Option<usize>,
}

impl<'a> Chain<'a> {
    /// Returns the chain's digits, all groups concatenated.
    pub(crate) fn digits(&self) -> &'a str {
        let (Some(first), Some(last)) = (self.groups.first(), self.groups.last()) else {
            return "";
        };
        self.all_digits
            .get(first.digits.start..last.digits.end)
            .unwrap_or("")
    }

    /// Returns the digits of `group`, one of this chain's groups.
    pub(crate) fn digits_of(&self, group: &Group) -> &'a str {
        self.all_digits.get(group.digits.clone()).unwrap_or("")
    }

    /// Returns what separates group `i` from group `i + 1`, trimmed, for
    /// each `i`.
    pub(crate) fn gaps(&self) -> impl Iterator<Item = &'a str> {
        let view = self.view;
        self.groups
            .iter()
            .skip(1)
            .map(move |g| view.get(g.gap.clone()).unwrap_or(""))
    }

    /// Returns the sub-chain of groups `range`.
    pub(crate) fn window(&self, range: Range<usize>) -> Chain<'a> {
        let first = range.start;
        Chain {
            groups: self.groups.get(range).unwrap_or_default(),
            plus: if first == 0 { self.plus } else { None },
            open_paren: if first == 0 { self.open_paren } else { None },
            ..*self
        }
    }

    /// Returns the view range from the first group (or its `+`/`(`) to the
    /// end of the last group, closing parenthesis included.
    pub(crate) fn range(&self) -> Range<usize> {
        let (Some(first), Some(last)) = (self.groups.first(), self.groups.last()) else {
            return 0..0;
        };
        let mut start = first.range.start;
        if let Some(p) = self.open_paren {
            start = start.min(p);
        }
        if let Some(p) = self.plus {
            start = start.min(p);
        }
        let mut end = last.range.end;
        if self.view.as_bytes().get(end) == Some(&b')') && self.open_paren.is_some() {
            end += 1;
        }
        start..end
    }

    /// Returns the sizes of the groups.
    #[cfg(test)]
    pub(crate) fn sizes(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.digits.len()).collect()
    }

    /// Returns true when the groups have exactly these sizes.
    pub(crate) fn has_sizes(&self, sizes: &[usize]) -> bool {
        self.groups.len() == sizes.len()
            && self
                .groups
                .iter()
                .zip(sizes)
                .all(|(g, &size)| g.digits.len() == size)
    }

    /// Returns true when the chain is an amount written with thousands
    /// separators (`2,500,000`, `1.250.000`): every gap one `,` or `.`, and
    /// every group after the first three digits long.
    pub(crate) fn is_thousands(&self) -> bool {
        let tail_of_threes = || self.groups.iter().skip(1).all(|g| g.digits.len() == 3);
        self.groups.len() >= 2
            && self.groups.first().is_some_and(|g| g.digits.len() <= 3)
            && tail_of_threes()
            && self.gaps().all(|g| g == ",")
            || self.gaps().all(|g| g == ".") && self.groups.len() >= 3 && tail_of_threes()
    }

    /// Returns true when any group was written with non-ASCII digits or
    /// letters for digits.
    pub(crate) fn obfuscated(&self) -> bool {
        self.groups.iter().any(|g| g.obfuscated)
    }
}

/// Returns the value of a digit-like character.
fn digit_value(c: char) -> Option<u8> {
    let v = match c {
        '0'..='9' => c as u32 - '0' as u32,
        '\u{0660}'..='\u{0669}' => c as u32 - 0x0660,
        '\u{06F0}'..='\u{06F9}' => c as u32 - 0x06F0,
        '\u{0966}'..='\u{096F}' => c as u32 - 0x0966,
        '\u{09E6}'..='\u{09EF}' => c as u32 - 0x09E6,
        '\u{FF10}'..='\u{FF19}' => c as u32 - 0xFF10,
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    u8::try_from(v).ok()
}

/// Marks that render with a digit but add nothing: the keycap enclosure
/// and variation selectors (if the view kept them).
fn is_digit_mark(c: char) -> bool {
    matches!(c, '\u{20E3}' | '\u{FE0E}' | '\u{FE0F}')
}

/// Characters that may separate the groups of one number.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-'
            | '.'
            | '/'
            | '|'
            | '('
            | ')'
            | ','
            | '_'
            | '*'
            | '~'
            | '·'
            | '\u{00A0}'
            | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2022}' | '\n' | '\r' | '\t'
    )
}

#[derive(Debug)]
enum Token {
    Group {
        group: Group,
        glued_left: bool,
        glued_right: bool,
    },
    Word(Range<usize>),
    Code,
}

/// The runs of letters and digits of a string, each with the range of the
/// gap before it.
struct Runs<'a> {
    s: &'a str,
    /// Where reading resumes: the end of the last run, or a skip target.
    at: usize,
    /// The end of the last run (where the next gap starts).
    gap_start: usize,
}

impl<'a> Runs<'a> {
    fn new(s: &'a str) -> Runs<'a> {
        Runs {
            s,
            at: 0,
            gap_start: 0,
        }
    }

    /// Passes over the runs of plain ASCII words up to the next run that
    /// holds a digit or a non-ASCII byte: with no chain open, such words
    /// change nothing, and most of a message is words.
    fn skip_words(&mut self) {
        let bytes = self.s.as_bytes();
        let from = self.at;
        let rest = bytes.get(from..).unwrap_or_default();
        let Some(found) = rest
            .iter()
            .position(|b| b.is_ascii_digit() || !b.is_ascii())
        else {
            // Only words are left: no group can start.
            self.at = bytes.len();
            return;
        };
        let scanned = rest.get(..found).unwrap_or_default();
        // Back to the start of the run holding the byte found, then to the
        // end of the run before it.
        let run_start = scanned
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric())
            .map_or(0, |i| i + 1);
        if let Some(last) = scanned
            .get(..run_start)
            .and_then(|gap| gap.iter().rposition(u8::is_ascii_alphanumeric))
        {
            self.gap_start = from + last + 1;
        }
        self.at = from + run_start;
    }
}

impl Iterator for Runs<'_> {
    type Item = (Range<usize>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.s;
        let mut i = self.at;
        loop {
            let (c, len) = char_at(s, i)?;
            let starts_run = if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                c.is_alphanumeric() || digit_value(c).is_some()
            };
            if starts_run {
                break;
            }
            i += len;
        }
        let start = i;
        while let Some((c, len)) = char_at(s, i) {
            let in_run = if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                c.is_alphanumeric() || digit_value(c).is_some() || is_digit_mark(c)
            };
            if !in_run {
                break;
            }
            i += len;
        }
        let gap = self.gap_start..start;
        self.gap_start = i;
        self.at = i;
        Some((gap, start..i))
    }
}

/// Returns the char at byte `i` of `s` and its length; an ASCII byte
/// without decoding.
fn char_at(s: &str, i: usize) -> Option<(char, usize)> {
    let b = *s.as_bytes().get(i)?;
    if b.is_ascii() {
        return Some((char::from(b), 1));
    }
    let c = s.get(i..)?.chars().next()?;
    Some((c, c.len_utf8()))
}

/// Reads the run `range` of `s`; a group's ASCII digits are appended to
/// `digits`, which its `digits` range points into.
fn classify(s: &str, range: Range<usize>, digits: &mut String) -> Token {
    let run = s.get(range.clone()).unwrap_or("");
    if run.is_ascii() {
        return classify_ascii(run, range, digits);
    }
    classify_chars(run, range, digits)
}

/// [`classify`] a char at a time, for runs with other scripts' digits,
/// keycaps and letters.
fn classify_chars(run: &str, range: Range<usize>, digits: &mut String) -> Token {
    let digit_count = run.chars().filter(|&c| digit_value(c).is_some()).count();
    if digit_count == 0 {
        return Token::Word(range);
    }
    let lookalike = |c: char| matches!(c.to_ascii_lowercase(), 'o' | 'l' | 'i');
    let mut letters = run
        .chars()
        .filter(|&c| digit_value(c).is_none() && !is_digit_mark(c));
    let letter_count = letters.clone().count();
    if letters.all(lookalike) && letter_count <= digit_count {
        let start = digits.len();
        let mut obfuscated = letter_count > 0;
        for c in run.chars() {
            if let Some(d) = digit_value(c) {
                obfuscated |= !c.is_ascii_digit();
                digits.push(char::from(b'0' + d));
            } else if lookalike(c) {
                digits.push(if c.eq_ignore_ascii_case(&'o') {
                    '0'
                } else {
                    '1'
                });
            } else {
                obfuscated = true;
            }
        }
        return Token::Group {
            group: Group {
                range,
                digits: start..digits.len(),
                gap: 0..0,
                obfuscated,
                after_joiner: None,
            },
            glued_left: false,
            glued_right: false,
        };
    }
    // Letters and digits mixed: one switch is a word glued to a number,
    // more is a code.
    let is_digit = |c: char| digit_value(c).is_some() || is_digit_mark(c);
    let switches = run
        .chars()
        .zip(run.chars().skip(1))
        .filter(|&(a, b)| is_digit(a) != is_digit(b))
        .count();
    let digit_parts = run
        .char_indices()
        .map(|(i, c)| (range.start + i, c))
        .filter(|&(_, c)| is_digit(c));
    // One long digit run between letters (`call5558675309now`) is a number
    // glued on both sides; short runs between letters are model codes.
    let sandwich = switches == 2 && digit_parts.clone().count() >= 7;
    if switches != 1 && !sandwich {
        return Token::Code;
    }
    let (Some(first), Some(last)) = (digit_parts.clone().next(), digit_parts.clone().next_back())
    else {
        return Token::Code;
    };
    let start = digits.len();
    digits.extend(
        digit_parts
            .clone()
            .filter_map(|(_, c)| digit_value(c))
            .map(|d| char::from(b'0' + d)),
    );
    let glued_left = run.chars().next().is_some_and(|c| !is_digit(c));
    let glued_right = run.chars().next_back().is_some_and(|c| !is_digit(c));
    Token::Group {
        group: Group {
            range: first.0..last.0 + last.1.len_utf8(),
            digits: start..digits.len(),
            gap: 0..0,
            obfuscated: digit_parts.clone().any(|(_, c)| !c.is_ascii_digit()),
            after_joiner: None,
        },
        glued_left,
        glued_right,
    }
}

/// [`classify`] for an ASCII run, a byte at a time: the same tokens
/// without decoding chars (most runs are ASCII words without a digit).
fn classify_ascii(run: &str, range: Range<usize>, digits: &mut String) -> Token {
    let bytes = run.as_bytes();
    let digit_count = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    if digit_count == 0 {
        return Token::Word(range);
    }
    let letter_count = bytes.len() - digit_count;
    let lookalike = |b: u8| matches!(b.to_ascii_lowercase(), b'o' | b'l' | b'i');
    let letters_lookalike = bytes.iter().all(|&b| b.is_ascii_digit() || lookalike(b));
    if letters_lookalike && letter_count <= digit_count {
        let start = digits.len();
        digits.extend(bytes.iter().map(|&b| match b.to_ascii_lowercase() {
            b'o' => '0',
            b'l' | b'i' => '1',
            digit => char::from(digit),
        }));
        return Token::Group {
            group: Group {
                range,
                digits: start..digits.len(),
                gap: 0..0,
                obfuscated: letter_count > 0,
                after_joiner: None,
            },
            glued_left: false,
            glued_right: false,
        };
    }
    // Letters and digits mixed: one switch is a word glued to a number,
    // more is a code; one long digit run between letters is a number
    // glued on both sides.
    let switches = bytes
        .windows(2)
        .filter(|w| w.first().map(u8::is_ascii_digit) != w.get(1).map(u8::is_ascii_digit))
        .count();
    let sandwich = switches == 2 && digit_count >= 7;
    if switches != 1 && !sandwich {
        return Token::Code;
    }
    let (Some(first), Some(last)) = (
        bytes.iter().position(u8::is_ascii_digit),
        bytes.iter().rposition(u8::is_ascii_digit),
    ) else {
        return Token::Code;
    };
    let start = digits.len();
    digits.extend(
        bytes
            .iter()
            .filter(|b| b.is_ascii_digit())
            .map(|&b| char::from(b)),
    );
    Token::Group {
        group: Group {
            range: range.start + first..range.start + last + 1,
            digits: start..digits.len(),
            gap: 0..0,
            obfuscated: false,
            after_joiner: None,
        },
        glued_left: bytes.first().is_some_and(|b| !b.is_ascii_digit()),
        glued_right: bytes.last().is_some_and(|b| !b.is_ascii_digit()),
    }
}

/// Returns the range of `gap` (the view bytes at `at`) without its
/// surrounding whitespace; empty at `at` when nothing is left.
fn trimmed(gap: &str, at: usize) -> Range<usize> {
    let t = gap.trim();
    if t.is_empty() {
        return at..at;
    }
    let start = at + (gap.len() - gap.trim_start().len());
    start..start + t.len()
}

/// Returns true when `gap` may sit between two groups of one number.
fn linkable(gap: &str) -> bool {
    let marks = gap.chars().filter(|&c| c != ' ').count();
    gap.chars().all(is_separator) && marks <= 3 && gap.chars().count() <= 6
}

/// Reads the chains of `s`; `joiners` are the words allowed inside one.
pub(crate) fn chains<'a>(s: &'a str, joiners: &WordSet) -> Chains<'a> {
    let mut out = Chains {
        view: s,
        digits: String::new(),
        groups: Vec::new(),
        bounds: Vec::new(),
    };
    // Most messages hold no digit at all; a byte scan tells.
    if !has_ascii_digit(s) && (s.is_ascii() || !s.chars().any(|c| digit_value(c).is_some())) {
        return out;
    }
    let mut current: Option<Bounds> = None;
    let mut can_extend = false;
    // The view bytes from a joiner word's gap to the end of the word.
    let mut pending_gap: Option<Range<usize>> = None;
    let mut runs = Runs::new(s);
    loop {
        // With no chain open, only a run with a digit can change anything.
        if current.is_none() {
            runs.skip_words();
        }
        let Some((gap, run)) = runs.next() else {
            break;
        };
        let gap_text = s.get(gap.clone()).unwrap_or("");
        match classify(s, run, &mut out.digits) {
            Token::Group {
                mut group,
                glued_left,
                glued_right,
            } => {
                let joined = linkable(gap_text).then(|| {
                    let here = trimmed(gap_text, gap.start);
                    match &pending_gap {
                        Some(before) if here.is_empty() => before.clone(),
                        Some(before) => before.start..here.end,
                        None => here,
                    }
                });
                let index = out.groups.len();
                match (joined, current.as_mut()) {
                    (Some(g), Some(chain)) if can_extend && !glued_left => {
                        group.gap = g;
                        if pending_gap.is_some() {
                            group.after_joiner = Some(Opening::read(gap_text, gap.start));
                        }
                        chain.groups.end = index + 1;
                    }
                    _ => {
                        out.bounds.extend(current.take());
                        let opening = if glued_left {
                            Opening::default()
                        } else {
                            Opening::read(gap_text, gap.start)
                        };
                        current = Some(Bounds {
                            groups: index..index + 1,
                            plus: opening.plus,
                            open_paren: opening.open_paren,
                        });
                    }
                }
                out.groups.push(group);
                pending_gap = None;
                can_extend = !glued_right;
            }
            Token::Word(range) => {
                let word = s.get(range.clone()).unwrap_or("");
                if can_extend
                    && pending_gap.is_none()
                    && linkable(gap_text)
                    && joiners.contains(word)
                {
                    let before = trimmed(gap_text, gap.start);
                    let start = if before.is_empty() {
                        range.start
                    } else {
                        before.start
                    };
                    pending_gap = Some(start..range.end);
                } else {
                    out.bounds.extend(current.take());
                    can_extend = false;
                    pending_gap = None;
                }
            }
            Token::Code => {
                out.bounds.extend(current.take());
                can_extend = false;
                pending_gap = None;
            }
        }
    }
    out.bounds.extend(current.take());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::Wordlist;

    fn read(s: &str) -> Vec<(Vec<usize>, bool, bool)> {
        let joiners = WordSet::from_list(&Wordlist::parse("j.txt", "call\nthen\n"));
        chains(s, &joiners)
            .iter()
            .map(|c| (c.sizes(), c.plus.is_some(), c.open_paren.is_some()))
            .collect()
    }

    #[test]
    fn reads_groups_chains_codes_and_joiners() {
        assert_eq!(
            read("call (206) 555-0142 now"),
            [(vec![3, 3, 4], false, true)]
        );
        assert_eq!(read("+1 206 555 0142"), [(vec![1, 3, 3, 4], true, false)]);
        assert_eq!(read("206 call 555 0142"), [(vec![3, 3, 4], false, false)]);
        assert_eq!(read("1z999aa10123456784"), []);
        assert_eq!(read("abc4155550132"), [(vec![10], false, false)]);
        assert_eq!(read("call5558675309now"), [(vec![10], false, false)]);
        assert_eq!(read("wrf555sdfz b0bxyz1234"), []);
        assert_eq!(read("2o6-555-ol47"), [(vec![3, 3, 4], false, false)]);
        assert_eq!(
            read("from 8 to 11"),
            [(vec![1], false, false), (vec![2], false, false)]
        );
        assert_eq!(read("٥٥٥-٢٣٤"), [(vec![3, 3], false, false)]);
        // Words before a number are passed over; its `+` and `(` stay.
        assert_eq!(
            read("well, my number: +1 (206) 555-0142 ok"),
            [(vec![1, 3, 3, 4], true, false)]
        );
        assert_eq!(read("text me at (206) 555"), [(vec![3, 3], false, true)]);
        assert_eq!(read("words — ( 206 ) x"), [(vec![3], false, true)]);
        assert_eq!(
            read("ab1 cd 22"),
            [(vec![1], false, false), (vec![2], false, false)]
        );
        assert_eq!(read("year2026 is"), [(vec![4], false, false)]);
    }

    /// Every chain with its range, groups, `+` and `(`.
    fn shape<'a>(chains: impl Iterator<Item = Chain<'a>>) -> Vec<String> {
        chains
            .map(|c| {
                let gaps: Vec<&str> = c.gaps().collect();
                format!(
                    "{:?} {} {:?} {:?} {:?}",
                    c.range(),
                    c.digits(),
                    gaps,
                    c.plus,
                    c.open_paren
                )
            })
            .collect()
    }

    #[test]
    fn reads_ascii_runs_as_the_char_reader_does() {
        for run in [
            "abc",
            "250",
            "3pm",
            "2o6",
            "ol47",
            "oil5",
            "abc4155550132",
            "call5558675309now",
            "wrf555sdfz",
            "b0bxyz1234",
            "1z999aa10123456784",
            "x1",
            "1x",
            "a1b",
            "o",
            "10l",
        ] {
            let (mut a, mut b) = (String::from("9"), String::from("9"));
            let range = 3..3 + run.len();
            let ascii = format!("{:?}", classify_ascii(run, range.clone(), &mut a));
            let chars = format!("{:?}", classify_chars(run, range, &mut b));
            assert_eq!((ascii, a), (chars, b), "{run}");
        }
    }

    #[test]
    fn unjoined_chains_equal_a_reading_without_joiners() {
        let joiners = WordSet::from_list(&Wordlist::parse("j.txt", "call\nthen\n"));
        let none = WordSet::default();
        for s in [
            "206 call 555 0142",
            "206 call (555) 0142 then +1 800 then call 5",
            "call (206) then +44 20 7946 then 0958 call",
            "1 then 2 then 3, 4 call 5-6 call call 7",
            "206 then\n( 555 ) 0142 and 9 then x 4",
            "4111 then 1111 1111 1111",
            "no digits here",
        ] {
            assert_eq!(
                shape(chains(s, &joiners).iter_unjoined()),
                shape(chains(s, &none).iter()),
                "{s}"
            );
        }
    }
}
