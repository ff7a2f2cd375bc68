//! Digit groups and chains: the digit view read as the runs of digits a
//! person would read as one number, for the phone and payment detectors.
//!
//! Input: the digit view's string. Output: [`Chain`]s of [`Group`]s with
//! view byte ranges. A group is a run of digits (any script, keycaps, and
//! `O`/`l`/`I` typed for 0 and 1 between digits); a chain is groups joined
//! by separators (space, `-`, `.`, `/`, `|`, parentheses, commas, dashes)
//! or by one joiner word (`206 call 555 0142`). A run that mixes letters and
//! digits more than once (`1Z999AA10123456784`, `WM3400CW`) is a code and
//! ends any chain; digits glued to letters on one side (`abc4155550132`)
//! form a group that cannot chain across the letters.

use std::ops::Range;

use super::lexicon::WordSet;

/// One run of digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    /// The view bytes of the run's digits.
    pub range: Range<usize>,
    /// The digits, ASCII.
    pub digits: String,
    /// Letters typed as digits (`2O6`) or digits of another script.
    pub obfuscated: bool,
}

/// Groups a person reads as one number.
#[derive(Clone, Debug, Default)]
pub(crate) struct Chain {
    /// The groups, in order.
    pub groups: Vec<Group>,
    /// What separates group `i` from group `i + 1`, trimmed.
    pub gaps: Vec<String>,
    /// The view byte of a `+` right before the first group.
    pub plus: Option<usize>,
    /// The view byte of a `(` right before the first group.
    pub open_paren: Option<usize>,
}

impl Chain {
    /// Returns the chain's digits, all groups concatenated.
    pub(crate) fn digits(&self) -> String {
        self.groups.iter().map(|g| g.digits.as_str()).collect()
    }

    /// Returns the sub-chain of groups `range`.
    pub(crate) fn window(&self, range: Range<usize>) -> Chain {
        let first = range.start;
        Chain {
            groups: self.groups.get(range.clone()).unwrap_or_default().to_vec(),
            gaps: self
                .gaps
                .get(range.start..range.end.saturating_sub(1).max(range.start))
                .unwrap_or_default()
                .to_vec(),
            plus: if first == 0 { self.plus } else { None },
            open_paren: if first == 0 { self.open_paren } else { None },
        }
    }

    /// Returns the view range from the first group (or its `+`/`(`) to the
    /// end of the last group, closing parenthesis included.
    pub(crate) fn range(&self, view: &str) -> Range<usize> {
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
        if view.as_bytes().get(end) == Some(&b')') && self.open_paren.is_some() {
            end += 1;
        }
        start..end
    }

    /// Returns the sizes of the groups.
    pub(crate) fn sizes(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.digits.len()).collect()
    }

    /// Returns true when the chain is an amount written with thousands
    /// separators (`2,500,000`, `1.250.000`): every gap one `,` or `.`, and
    /// every group after the first three digits long.
    pub(crate) fn is_thousands(&self) -> bool {
        self.groups.len() >= 2
            && self.groups.first().is_some_and(|g| g.digits.len() <= 3)
            && self.groups.iter().skip(1).all(|g| g.digits.len() == 3)
            && self.gaps.iter().all(|g| g == ",")
            || self.gaps.iter().all(|g| g == ".")
                && self.groups.len() >= 3
                && self.groups.iter().skip(1).all(|g| g.digits.len() == 3)
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

/// Splits `s` into tokens with the gap text before each.
fn tokenize(s: &str) -> Vec<(Range<usize>, Token)> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    let mut gap_start = 0;
    while let Some(&(i, c)) = chars.peek() {
        if !(c.is_alphanumeric() || digit_value(c).is_some()) {
            chars.next();
            continue;
        }
        let start = i;
        let mut end = i;
        let mut parts: Vec<(usize, char)> = Vec::new();
        while let Some(&(j, c)) = chars.peek() {
            if c.is_alphanumeric() || digit_value(c).is_some() || is_digit_mark(c) {
                parts.push((j, c));
                end = j + c.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        out.push((gap_start..start, classify(start..end, &parts)));
        gap_start = end;
    }
    out
}

fn classify(range: Range<usize>, parts: &[(usize, char)]) -> Token {
    let digits = parts
        .iter()
        .filter(|(_, c)| digit_value(*c).is_some())
        .count();
    if digits == 0 {
        return Token::Word(range);
    }
    let letters: Vec<char> = parts
        .iter()
        .map(|&(_, c)| c)
        .filter(|&c| digit_value(c).is_none() && !is_digit_mark(c))
        .collect();
    let lookalike = |c: char| matches!(c.to_ascii_lowercase(), 'o' | 'l' | 'i');
    if letters.iter().all(|&c| lookalike(c)) && letters.len() <= digits {
        let mut text = String::new();
        let mut obfuscated = !letters.is_empty();
        for &(_, c) in parts {
            if let Some(d) = digit_value(c) {
                obfuscated |= !c.is_ascii_digit();
                text.push(char::from(b'0' + d));
            } else if lookalike(c) {
                text.push(if c.eq_ignore_ascii_case(&'o') {
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
                digits: text,
                obfuscated,
            },
            glued_left: false,
            glued_right: false,
        };
    }
    // Letters and digits mixed: one switch is a word glued to a number,
    // more is a code.
    let is_digit = |c: char| digit_value(c).is_some() || is_digit_mark(c);
    let switches = parts
        .windows(2)
        .filter(|w| is_digit(w[0].1) != is_digit(w[1].1))
        .count();
    let digit_parts: Vec<&(usize, char)> = parts.iter().filter(|(_, c)| is_digit(*c)).collect();
    // One long digit run between letters (`call5558675309now`) is a number
    // glued on both sides; short runs between letters are model codes.
    let sandwich = switches == 2 && digit_parts.len() >= 7;
    if switches != 1 && !sandwich {
        return Token::Code;
    }
    let (Some(first), Some(last)) = (digit_parts.first(), digit_parts.last()) else {
        return Token::Code;
    };
    let text: String = digit_parts
        .iter()
        .filter_map(|(_, c)| digit_value(*c))
        .map(|d| char::from(b'0' + d))
        .collect();
    let glued_left = parts.first().is_some_and(|(_, c)| !is_digit(*c));
    let glued_right = parts.last().is_some_and(|(_, c)| !is_digit(*c));
    Token::Group {
        group: Group {
            range: first.0..last.0 + last.1.len_utf8(),
            obfuscated: digit_parts.iter().any(|(_, c)| !c.is_ascii_digit()),
            digits: text,
        },
        glued_left,
        glued_right,
    }
}

/// Returns true when `gap` may sit between two groups of one number.
fn linkable(gap: &str) -> bool {
    let marks = gap.chars().filter(|&c| c != ' ').count();
    gap.chars().all(is_separator) && marks <= 3 && gap.chars().count() <= 6
}

/// Reads the chains of `s`; `joiners` are the words allowed inside one.
pub(crate) fn chains(s: &str, joiners: &WordSet) -> Vec<Chain> {
    let mut out = Vec::new();
    let mut current = Chain::default();
    let mut can_extend = false;
    let mut pending_gap: Option<String> = None;
    let flush = |current: &mut Chain, out: &mut Vec<Chain>| {
        if !current.groups.is_empty() {
            out.push(std::mem::take(current));
        }
    };
    for (gap, token) in tokenize(s) {
        let gap_text = s.get(gap.clone()).unwrap_or("");
        match token {
            Token::Group {
                group,
                glued_left,
                glued_right,
            } => {
                let joined = match &pending_gap {
                    Some(before) => {
                        linkable(gap_text).then(|| format!("{before} {}", gap_text.trim()))
                    }
                    None => linkable(gap_text).then(|| gap_text.trim().to_string()),
                };
                match joined {
                    Some(g) if can_extend && !glued_left => {
                        current.gaps.push(g);
                        current.groups.push(group);
                    }
                    _ => {
                        flush(&mut current, &mut out);
                        let trimmed = gap_text.trim_end_matches(' ');
                        if !glued_left && trimmed.ends_with('(') {
                            current.open_paren = Some(gap.start + trimmed.len() - 1);
                        }
                        let bare = trimmed.trim_end_matches(['(', ' ']);
                        if !glued_left && bare.ends_with('+') {
                            current.plus = Some(gap.start + bare.len() - 1);
                        }
                        current.groups.push(group);
                    }
                }
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
                    pending_gap = Some(format!("{} {word}", gap_text.trim()));
                } else {
                    flush(&mut current, &mut out);
                    can_extend = false;
                    pending_gap = None;
                }
            }
            Token::Code => {
                flush(&mut current, &mut out);
                can_extend = false;
                pending_gap = None;
            }
        }
    }
    flush(&mut current, &mut out);
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
    }
}
