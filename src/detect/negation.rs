//! Negation scope: does a negation cue cancel a phrase finding?
//!
//! Input: the original text, the negation cues found in it (from the
//! `kind = "negation"` wordlists, as original spans) and one finding's
//! span. Output: whether a cue cancels it. "I can't accept Venmo", "please
//! don't send anything on Zelle" and "never give your password to anyone"
//! are refusals and warnings, not findings (policy.md, Verdict).
//!
//! The rule is general and knows no word: a `before` cue cancels a finding
//! that follows it within `window` words of the same clause, an `after` cue
//! one that precedes it, a `message` cue any finding of the message. A
//! clause ends at `.` `!` `?` `;` `:` (followed by a space or the end), a
//! dash, a parenthesis, a line break, or a `break` word from the lists
//! ("but"). A comma ends the clause too, unless it continues a list (one
//! word, or a conjunction and one word, up to the finding): "I can't take
//! Venmo, Zelle or PayPal" stays one refusal. A cue directly followed by a
//! comma ("No, ...") negates nothing after it. Pseudo-negations ("don't worry", written `!don't
//! worry` in a list) mask the real cues they overlap.

use crate::{category::Category, ruleset::manifest::NegationScope, span::Span};

/// A negation cue found in one message.
#[derive(Clone, Debug)]
pub struct Cue {
    /// Where it is in the original text.
    pub span: Span,
    /// Where it acts.
    pub scope: NegationScope,
    /// How many words may sit between cue and finding.
    pub window: usize,
    /// The categories it acts on; empty means all.
    pub applies_to: Vec<Category>,
}

/// Returns true when any cue cancels a finding of `category` at `finding`.
pub fn cancels(
    text: &str,
    cues: &[Cue],
    breaks: &[Span],
    finding: Span,
    category: Category,
) -> bool {
    cues.iter().any(|cue| {
        if !cue.applies_to.is_empty() && !cue.applies_to.contains(&category) {
            return false;
        }
        match cue.scope {
            NegationScope::Message => true,
            _ if cue.span.overlaps(finding) => false,
            NegationScope::Before if cue.span.end() <= finding.start() => within(
                text,
                breaks,
                Span::new(cue.span.end(), finding.start()),
                cue.window,
            ),
            NegationScope::After if finding.end() <= cue.span.start() => within(
                text,
                breaks,
                Span::new(finding.end(), cue.span.start()),
                cue.window,
            ),
            _ => false,
        }
    })
}

/// Returns true when `gap` (between cue and finding) stays in one clause
/// and holds at most `window` words.
fn within(text: &str, breaks: &[Span], gap: Span, window: usize) -> bool {
    let Some(between) = gap.slice(text) else {
        return false;
    };
    if breaks.iter().any(|b| gap.contains(*b)) {
        return false;
    }
    if words(between) > window || between.trim_start().starts_with(',') {
        return false;
    }
    let bytes = between.as_bytes();
    for (i, c) in between.char_indices() {
        let followed_by_space = bytes
            .get(i + c.len_utf8())
            .is_none_or(|b| b.is_ascii_whitespace());
        let ends = match c {
            '.' | ':' => followed_by_space,
            '!' | '?' | ';' | '—' | '–' | '(' | ')' | '\n' => true,
            ',' => !enumerates(&between[i + 1..]),
            _ => false,
        };
        if ends {
            return false;
        }
    }
    true
}

/// Returns true when what follows a comma, up to the next comma or the
/// finding, continues a list ("Venmo, PayPal, Zelle or Cash App"): nothing,
/// a conjunction, or one item and a conjunction.
fn enumerates(rest: &str) -> bool {
    let segment = rest.split(',').next().unwrap_or("");
    let words: Vec<String> = segment
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_lowercase)
        .collect();
    let conj = |w: &String| {
        matches!(
            w.as_str(),
            "or" | "and" | "nor" | "o" | "u" | "y" | "e" | "ni"
        )
    };
    let last_is_list = rest.split(',').count() > 1;
    match words.as_slice() {
        [] => true,
        [w] => conj(w) || last_is_list,
        [_, w] => conj(w),
        _ => false,
    }
}

/// Counts the words of `s`: runs of characters holding a letter or digit.
fn words(s: &str) -> usize {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(text: &str, word: &str, scope: NegationScope, window: usize) -> Cue {
        let start = text.find(word).unwrap();
        Cue {
            span: Span::new(start, start + word.len()),
            scope,
            window,
            applies_to: Vec::new(),
        }
    }

    fn at(text: &str, word: &str) -> Span {
        let start = text.rfind(word).unwrap();
        Span::new(start, start + word.len())
    }

    #[test]
    fn scopes_a_cue_to_its_clause_and_window() {
        let cat = Category::PaymentOffPlatform;
        let t = "I can't take Venmo, Zelle or PayPal.";
        let c = [cue(t, "can't", NegationScope::Before, 4)];
        assert!(cancels(t, &c, &[], at(t, "Venmo"), cat));
        assert!(cancels(t, &c, &[], at(t, "PayPal"), cat));
        let t = "I can't make it today, so just pay me on Venmo";
        let c = [cue(t, "can't", NegationScope::Before, 4)];
        assert!(!cancels(t, &c, &[], at(t, "Venmo"), cat));
        let t = "I don't know. Venmo me";
        let c = [cue(t, "don't", NegationScope::Before, 4)];
        assert!(!cancels(t, &c, &[], at(t, "Venmo"), cat));
        let t = "Venmo isn't something I take";
        let c = [cue(t, "isn't", NegationScope::After, 2)];
        assert!(cancels(t, &c, &[], at(t, "Venmo"), cat));
        let t = "No, you can venmo me";
        let c = [cue(t, "No", NegationScope::Before, 4)];
        assert!(!cancels(t, &c, &[], at(t, "venmo"), cat));
        let t = "I can't come, so venmo me";
        let c = [cue(t, "can't", NegationScope::Before, 4)];
        assert!(!cancels(t, &c, &[], at(t, "venmo"), cat));
        let t = "no, I have plenty of time left for it, venmo";
        let c = [cue(t, "no", NegationScope::Before, 4)];
        assert!(!cancels(t, &c, &[], at(t, "venmo"), cat));
    }

    #[test]
    fn limits_a_cue_to_its_categories() {
        let t = "don't venmo me";
        let mut c = cue(t, "don't", NegationScope::Before, 4);
        c.applies_to = vec![Category::ContactInvite];
        assert!(!cancels(
            t,
            &[c],
            &[],
            at(t, "venmo"),
            Category::PaymentOffPlatform
        ));
    }
}
