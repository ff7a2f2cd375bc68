//! `contact.phone`: phone numbers, read as digit chains on the digit view
//! and judged with numbering-plan metadata and context.
//!
//! Input: the digit view (spelled, keycap, circled, fullwidth and other
//! scripts' digits are ASCII there) and the text view (for cue words).
//! Output: findings spanning the whole number in the original, including a
//! leading `+` or `(`.
//!
//! How a chain (see `numeric`) becomes a phone, issue 4:
//! - `+` and 10–15 digits: an international number; with 8–9 digits it
//!   must be valid per the `phonenumber` metadata or sit next to a cue.
//! - 10 digits (11 with a leading 1) shaped like a NANP number: valid per
//!   the metadata, or lifted by a cue word nearby (`call`, `cell`,
//!   `mi número`), by the usual 3-3-4 grouping, or by digits written to
//!   dodge a filter (`2O6`, keycaps, number words). A bare run of digits
//!   needs validity or a cue. Fictional 555 numbers are phones when
//!   presented as contact details, which is what the lifts capture.
//! - 7 digits: a local number, only next to a cue word.
//! - an identifier cue right before the chain (`order`, `#`, `tracking`,
//!   `model`, `invoice`) rules it out, and so do lengths no phone has
//!   (order ids, tracking numbers, cards), as long as no 3-3-4 window of the
//!   chain stands on its own.
//! - `area code 415` and toll-free vanity numbers (`1-800-FIX-MIKE`).
//!
//! Refusals (`I can't take calls at …`) still carry a number: shapes are
//! findings whatever the sentence says.

mod numbering;

use std::{collections::HashSet, ops::Range, sync::LazyLock};

use numbering::{valid_international, valid_nanp};
use regex::Regex;

use super::{
    Finding,
    lexicon::{Cues, WordSet, any_within, has_ascii_digit, view_range},
    numeric::{self, Chain, Chains},
};
use crate::{
    category::Category,
    normalize::Views,
    ruleset::{Problem, Wordlists},
};

/// `area code 415`, `código de área 55`, `lada 33`: an area code given on
/// its own, on the digit view.
static AREA_CODE: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(
        r"(?-u:\b)(?:area code|c[oó]digo de [aá]rea|lada)(?:\s+(?:is|es|de|was))?\s*[:=]?\s*\(?([2-9](?:[ .-]?[0-9]){2})\)?(?-u:\b)",
    )
    .expect("valid area code pattern")
});

/// Toll-free vanity numbers on the text view: `1-800-FIX-MIKE`, three or
/// more letters among seven, joined by dashes or dots.
static VANITY: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(
        r"(?-u:\b)(?:1[-.])?8(?:00|33|44|55|66|77|88)[-.]([a-z0-9](?:[-.]?[a-z0-9]){6})(?-u:\b)",
    )
    .expect("valid vanity pattern")
});

/// How far (in view bytes) a cue word may sit before or after a number.
const CUE_BEFORE: usize = 48;
const CUE_AFTER: usize = 40;
/// How far before a number an identifier cue (`order #`) rules it out.
const ID_BEFORE: usize = 14;

/// Finds phone numbers.
#[derive(Debug)]
pub struct PhoneDetector {
    cues: Cues,
    id_cues: Cues,
    joiners: WordSet,
    allowed: HashSet<String>,
}

/// What the context says about one chain.
struct Context {
    /// A cue word sits near the chain.
    cue: bool,
    /// The original writes the digits as words, letters or other scripts.
    obfuscated: bool,
    /// A currency sign right before the chain.
    currency: bool,
}

impl PhoneDetector {
    /// Builds the detector from the `phone_cues`, `phone_id_cues`,
    /// `phone_joiners` and `allowed_phones` data lists.
    pub fn compile(lists: &Wordlists, problems: &mut Vec<Problem>) -> PhoneDetector {
        let allowed = lists
            .data("allowed_phones")
            .texts()
            .map(|t| t.chars().filter(char::is_ascii_digit).collect())
            .collect();
        // Load the numbering-plan metadata and compile the NANP patterns
        // now, not on the first request.
        numbering::prepare_nanp();
        PhoneDetector {
            cues: Cues::compile(lists.data("phone_cues"), problems),
            id_cues: Cues::compile(lists.data("phone_id_cues"), problems),
            joiners: WordSet::from_list(lists.data("phone_joiners")),
            allowed,
        }
    }

    /// Appends a finding per phone number outside the addresses and links
    /// already in `out`; `original` is the message text.
    pub fn detect(&self, views: &Views, original: &str, out: &mut Vec<Finding>) {
        self.detect_in(&self.chains(views), views, original, out);
    }

    /// Reads the chains of the digit view, joiner words included; the
    /// payment detector reads them too, without the joiners.
    pub(crate) fn chains<'a>(&self, views: &'a Views) -> Chains<'a> {
        numeric::chains(views.digit().as_str(), &self.joiners)
    }

    /// [`PhoneDetector::detect`] with the chains of [`PhoneDetector::chains`]
    /// already read.
    pub(crate) fn detect_in(
        &self,
        chains: &Chains<'_>,
        views: &Views,
        original: &str,
        out: &mut Vec<Finding>,
    ) {
        let digit = views.digit();
        // Most messages hold no number: they skip the cue search.
        if !chains.is_empty() {
            self.detect_chains(chains, views, original, out);
        }
        // Both patterns need a digit (a vanity number an `8`); most
        // messages have none.
        if has_ascii_digit(digit.as_str()) {
            for caps in AREA_CODE.captures_iter(digit.as_str()) {
                if let Some(m) = caps.get(1) {
                    out.push(Finding::new(
                        Category::ContactPhone,
                        "phone:area_code",
                        digit.to_original(m.range()),
                    ));
                }
            }
        }
        let text = views.text();
        if !text.as_str().contains('8') {
            return;
        }
        for caps in VANITY.captures_iter(text.as_str()) {
            let (Some(whole), Some(rest)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            if rest
                .as_str()
                .bytes()
                .filter(u8::is_ascii_alphabetic)
                .count()
                >= 3
            {
                out.push(Finding::new(
                    Category::ContactPhone,
                    "phone:vanity",
                    text.to_original(whole.range()),
                ));
            }
        }
    }

    /// Appends the phone numbers among `chains`, the chains of the digit
    /// view.
    fn detect_chains(
        &self,
        chains: &Chains<'_>,
        views: &Views,
        original: &str,
        out: &mut Vec<Finding>,
    ) {
        // Only a chain with a `+` or seven digits can be a phone (see
        // `judge`): prices and times skip the cue searches.
        if !chains.iter().any(may_be_phone) {
            return;
        }
        let digit = views.digit();
        let text = views.text();
        let cue_hits = self.cues.find_all(text.as_str());
        // An identifier cue inside a phone cue (`code` in `area code`) is
        // the phone cue.
        let id_hits: Vec<_> = self
            .id_cues
            .find_all(text.as_str())
            .into_iter()
            .filter(|id| {
                !cue_hits
                    .iter()
                    .any(|c| c.start <= id.start && id.end <= c.end && c.len() > id.len())
            })
            .collect();
        for chain in chains.iter().filter(|c| may_be_phone(*c)) {
            let span = digit.to_original(chain.range());
            if out.iter().any(|f| {
                matches!(f.category, Category::ContactEmail | Category::ContactUrl)
                    && f.span.overlaps(span)
            }) {
                continue;
            }
            let at = view_range(text, span);
            // `#4155550132`: a number glued to `#` is an identifier; `cell #
            // 206…` is not.
            let hashed = original
                .get(..span.start())
                .is_some_and(|s| s.ends_with('#'));
            if hashed
                || id_hits
                    .iter()
                    .any(|c| c.end <= at.start && c.end + ID_BEFORE >= at.start)
            {
                continue;
            }
            let context = Context {
                cue: any_within(
                    &cue_hits,
                    at.start.saturating_sub(CUE_BEFORE)..at.end + CUE_AFTER,
                ),
                currency: original
                    .get(..span.start())
                    .and_then(|s| s.trim_end().chars().next_back())
                    .is_some_and(|c| matches!(c, '$' | '€' | '£' | '¥' | '₹')),
                obfuscated: chain.obfuscated()
                    || span
                        .slice(original)
                        .is_some_and(|s| s.chars().any(|c| c.is_alphabetic() || !c.is_ascii())),
            };
            self.judge_chain(chain, &context, |range, rule| {
                out.push(Finding::new(
                    Category::ContactPhone,
                    rule,
                    digit.to_original(range),
                ));
            });
        }
    }

    /// Emits the phone numbers in one chain (view range, rule id): the
    /// whole chain, or else its 3-3-4 windows.
    fn judge_chain(
        &self,
        chain: Chain<'_>,
        context: &Context,
        mut emit: impl FnMut(Range<usize>, &'static str),
    ) {
        if let Some(rule) = self.judge(chain, context) {
            emit(chain.range(), rule);
            return;
        }
        let n = chain.groups.len();
        let mut i = 0;
        while i < n {
            let mut next = i + 1;
            for len in [4, 3] {
                if i + len > n || (i == 0 && len == n) {
                    continue;
                }
                let window = chain.window(i..i + len);
                if !is_canonical(window) {
                    continue;
                }
                if let Some(rule) = self.judge(window, context) {
                    emit(window.range(), rule);
                    next = i + len;
                    break;
                }
            }
            i = next;
        }
    }

    /// Returns the rule id when `chain` is a phone number. A chain with no
    /// `+` and under seven digits never is, which [`may_be_phone`] relies on.
    fn judge(&self, chain: Chain<'_>, context: &Context) -> Option<&'static str> {
        if chain.is_thousands() {
            return None;
        }
        let digits = chain.digits();
        let n = digits.len();
        // `0044 20 7946 0958`: the international prefix written as `00`.
        if let Some(rest) = digits.strip_prefix("00")
            && chain.plus.is_none()
            && (11..=17).contains(&n)
        {
            let valid = valid_international(rest);
            return (valid && (context.cue || chain.groups.len() >= 3)).then_some("phone:intl");
        }
        if chain.plus.is_some() {
            // `+44 (0)20 …`: a lone trunk zero after the country code may
            // have to go. (Allocates only for that shape.)
            let without_trunk = || match chain.groups {
                [first, trunk, ..] if chain.digits_of(trunk) == "0" => {
                    let rest = digits.get(first.digits.len() + 1..).unwrap_or("");
                    Some(format!("{}{rest}", chain.digits_of(first)))
                }
                _ => None,
            };
            // A `+` and ten or more digits is how phone numbers are written;
            // shorter ones need the metadata or a cue.
            let valid = valid_international(digits)
                || without_trunk().is_some_and(|d| valid_international(&d));
            return (valid || (10..=15).contains(&n) || (8..=9).contains(&n) && context.cue)
                .then_some("phone:intl");
        }
        let national = match n {
            11 if digits.starts_with('1') => digits.get(1..)?,
            10 => digits,
            7 => {
                let shaped = digits.as_bytes().first().is_some_and(|&b| b >= b'2');
                return (shaped && context.cue && !context.currency).then_some("phone:local");
            }
            _ => return None,
        };
        let b = national.as_bytes();
        let area = b.first().is_some_and(|&x| x >= b'2');
        let exchange = b.get(3).is_some_and(|&x| x >= b'2');
        // A made-up exchange (`555 123 4567`) passes only as contact details.
        if !area || !(exchange || context.cue) || self.allowed.contains(national) {
            return None;
        }
        if valid_nanp(national) {
            return Some("phone:nanp");
        }
        (is_canonical(chain) || context.cue || context.obfuscated).then_some("phone:nanp_context")
    }
}

/// Returns false for a chain in which `judge` can accept neither the whole
/// nor a window: no `+` and fewer than seven digits.
fn may_be_phone(chain: Chain<'_>) -> bool {
    chain.plus.is_some() || chain.digits().len() >= 7
}

/// Returns true when the chain is grouped the usual NANP way: 3-3-4, or
/// 1-3-3-4 with the country code.
fn is_canonical(chain: Chain<'_>) -> bool {
    chain.has_sizes(&[3, 3, 4]) || chain.has_sizes(&[1, 3, 3, 4])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::render;

    #[test]
    fn compiles_static_patterns() {
        LazyLock::force(&AREA_CODE);
        LazyLock::force(&VANITY);
    }

    #[test]
    fn finds_numbers_in_any_notation() {
        for (input, want) in [
            (
                "text me at 555 867 5309 tonight",
                "text me at [contact.phone:555 867 5309] tonight",
            ),
            ("call (206) 555-0142", "call [contact.phone:(206) 555-0142]"),
            ("206.555.0142 works", "[contact.phone:206.555.0142] works"),
            (
                "reach me at +1 206 555 0142",
                "reach me at [contact.phone:+1 206 555 0142]",
            ),
            (
                "London +44 20 7946 0958",
                "London [contact.phone:+44 20 7946 0958]",
            ),
            ("abc4155550132", "abc[contact.phone:4155550132]"),
            ("$4155550132", "$[contact.phone:4155550132]"),
            ("206 call 555 0142", "[contact.phone:206 call 555 0142]"),
            (
                "my cell 2O6-555-Ol47",
                "my cell [contact.phone:2O6-555-Ol47]",
            ),
            (
                "my cell 404 555\n0155",
                "my cell [contact.phone:404 555\n0155]",
            ),
            (
                "Her cell is 555-0134 ok",
                "Her cell is [contact.phone:555-0134] ok",
            ),
            (
                "mobile ٥٥٥-٢٣٤-٩٨٧٦ ok",
                "mobile [contact.phone:٥٥٥-٢٣٤-٩٨٧٦] ok",
            ),
            ("Or 1-800-FIX-MIKE", "Or [contact.phone:1-800-FIX-MIKE]"),
            (
                "the area code is 415",
                "the area code is [contact.phone:415]",
            ),
            (
                "I can't take calls at 555-201-4477",
                "I can't take calls at [contact.phone:555-201-4477]",
            ),
            (
                "area code 206 then 555 0162",
                "area code [contact.phone:206 then 555 0162]",
            ),
            ("cell # 206-555-0142", "cell # [contact.phone:206-555-0142]"),
            (
                "0044 20 7946 0958 is my UK line",
                "[contact.phone:0044 20 7946 0958] is my UK line",
            ),
            ("+15558675309", "[contact.phone:+15558675309]"),
        ] {
            assert_eq!(render(input, Category::ContactPhone), want, "{input}");
        }
    }

    #[test]
    fn leaves_identifiers_alone() {
        for input in [
            "order 112-3456789-1234567",
            "Order #113-4455667-8899001 is the mount",
            "order #4155550132",
            "tracking 1Z999AA10123456784",
            "Your package 9400 1000 0000 0000 0000 00 is here",
            "FedEx 123456789012",
            "ASIN B0BXYZ1234",
            "total $249.00, paid $1,250",
            "on 2026-01-15 between 2-4pm, 12/09 at 9:30",
            "zip 98109, unit 512",
            "model WM3400CW, part # W10295370A, serial 203KCXR4M553",
            "invoice 2065550142",
            "DHL 4567891234 arrives",
            "36\" wide, 25 boxes, built in 2009",
            "gate code 5521 then elevator to 14",
            "bare 1234567890 run",
            "my code 4829301, text me",
            "The job is $2,500,000 call me",
            "Case number 2065550187 is open",
        ] {
            assert_eq!(render(input, Category::ContactPhone), input, "{input}");
        }
    }
}
