//! `payment.instrument`: payment credentials written into a message.
//!
//! Input: the digit view (card digits spelled or in other scripts) and the
//! text view. Output: findings spanning each credential in the original.
//!
//! A check digit is what separates a credential from an order, tracking or
//! serial number of the same length, so every rule here needs one:
//! - cards: 13–19 digits, any separators, a card network's prefix, Luhn;
//! - US routing numbers: 9 digits with the ABA checksum, next to a routing
//!   or account cue; the account number after an account cue is reported
//!   with it (the `account_cues` list);
//! - CLABE (Mexico): 18 digits with their check digit, after `clabe`;
//! - IBAN: country, check digits and up to 30 letters and digits, mod-97;
//! - Bitcoin: base58check (`1…`, `3…`) and bech32/bech32m (`bc1…`);
//!   Ethereum: `0x` and 40 hex digits.

use std::{ops::Range, sync::LazyLock};

use regex::Regex;

use super::{
    Finding, checksum,
    lexicon::{Cues, view_range},
    numeric::{Chain, Chains},
};
use crate::{
    category::Category,
    normalize::Views,
    ruleset::{Problem, Wordlists},
    span::Span,
};

static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?-u:\b)[a-z]{2}[0-9]{2}(?:[ -]?[a-z0-9]{1,4}){3,8}(?-u:\b)")
        .expect("valid iban pattern")
});

static BASE58: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?-u:\b)[13mn2][a-z0-9]{25,34}(?-u:\b)").expect("valid base58 pattern")
});

static BECH32: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?-u:\b)(?:bc|tb)1[a-z0-9]{11,87}(?-u:\b)").expect("valid bech32 pattern")
});

static ETHEREUM: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?-u:\b)0x[0-9a-f]{40}(?-u:\b)").expect("valid ethereum pattern")
});

static ROUTING_CUE: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?-u:\b)(?:routing|aba|rtn|ruta|transit)(?-u:\b)").expect("valid routing cue")
});

static CLABE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?-u:\b)clabe(?-u:\b)").expect("valid clabe cue")
});

/// How far before a number (view bytes) its cue may sit.
const CUE_BEFORE: usize = 32;

/// Finds payment credentials.
#[derive(Debug)]
pub struct InstrumentDetector {
    account_cues: Cues,
    bank_account_cues: Cues,
}

impl InstrumentDetector {
    /// Builds the detector from the `account_cues` and `bank_account_cues`
    /// data lists.
    pub fn compile(lists: &Wordlists, problems: &mut Vec<Problem>) -> InstrumentDetector {
        InstrumentDetector {
            account_cues: Cues::compile(lists.data("account_cues"), problems),
            bank_account_cues: Cues::compile(lists.data("bank_account_cues"), problems),
        }
    }

    /// Appends a finding per credential; `chains` are the digit view's
    /// (read with the phone joiners, which do not join here) and
    /// `original` is the message text.
    pub fn detect(
        &self,
        chains: &Chains<'_>,
        views: &Views,
        original: &str,
        out: &mut Vec<Finding>,
    ) {
        let digit = views.digit();
        let text = views.text();
        let t = text.as_str();
        // Each chain with its text-view range, for cue distances.
        let located: Vec<(Chain<'_>, Span, Range<usize>)> = chains
            .iter_unjoined()
            .map(|c| {
                let span = digit.to_original(c.range());
                (c, span, view_range(text, span))
            })
            .collect();
        let near = |re: &Regex, at: &Range<usize>| {
            let from = floor_char(t, at.start.saturating_sub(CUE_BEFORE));
            t.get(from..at.start).is_some_and(|w| re.is_match(w))
        };
        // The cues only qualify some chains: each list is searched on first
        // need, most messages never need one.
        let mut account_hits: Option<Vec<Range<usize>>> = None;
        let mut routing_found = false;
        for (chain, span, at) in &located {
            for range in cards(*chain) {
                let window = chain.window(range);
                let span = digit.to_original(window.range());
                out.push(Finding::new(
                    Category::PaymentInstrument,
                    "instrument:card",
                    span,
                ));
            }
            let digits = chain.digits();
            if digits.len() == 9
                && checksum::aba(digits)
                && (near(&ROUTING_CUE, at)
                    || !account_hits
                        .get_or_insert_with(|| self.account_cues.find_all(t))
                        .is_empty())
            {
                routing_found = true;
                out.push(Finding::new(
                    Category::PaymentInstrument,
                    "instrument:routing",
                    *span,
                ));
            }
            if digits.len() == 18 && checksum::clabe(digits) && near(&CLABE_CUE, at) {
                out.push(Finding::new(
                    Category::PaymentInstrument,
                    "instrument:clabe",
                    *span,
                ));
            }
        }
        // An account number follows an account cue: any cue next to a valid
        // routing number, a bank-account cue on its own.
        let account_hits = match account_hits {
            Some(hits) if routing_found => hits,
            None if routing_found => self.account_cues.find_all(t),
            _ => Vec::new(),
        };
        // Only a chain of 6 to 17 digits can follow a bank-account cue.
        let strong = if located
            .iter()
            .any(|(chain, _, _)| (6..=17).contains(&chain.digits().len()))
        {
            self.bank_account_cues.find_all(t)
        } else {
            Vec::new()
        };
        let cues = account_hits
            .iter()
            .map(|c| (c, 4))
            .chain(strong.iter().map(|c| (c, 6)));
        for (cue, min) in cues {
            let next = located
                .iter()
                .find(|(_, _, at)| at.start >= cue.end && at.start <= cue.end + 16);
            if let Some((chain, span, _)) = next {
                let digits = chain.digits();
                if (min..=17).contains(&digits.len())
                    && !checksum::aba(digits)
                    && !out.iter().any(|f| f.span.overlaps(*span))
                {
                    out.push(Finding::new(
                        Category::PaymentInstrument,
                        "instrument:account",
                        *span,
                    ));
                }
            }
        }
        // IBANs, `bc1…` and `0x…` hold digits, base58 addresses a run of
        // 26 or more letters and digits; most messages have neither.
        let starts = Starts::scan(t);
        if starts.iban {
            for m in IBAN.find_iter(t) {
                if let Some(range) = iban(m.as_str()) {
                    let span = text.to_original(m.start()..m.start() + range.end);
                    out.push(Finding::new(
                        Category::PaymentInstrument,
                        "instrument:iban",
                        span,
                    ));
                }
            }
        }
        if has_run(t, 26) {
            for m in BASE58.find_iter(t) {
                let span = text.to_original(m.range());
                if span.slice(original).is_some_and(checksum::base58check) {
                    out.push(Finding::new(
                        Category::PaymentInstrument,
                        "instrument:bitcoin",
                        span,
                    ));
                }
            }
        }
        if starts.bech32 {
            for m in BECH32.find_iter(t) {
                if checksum::bech32(m.as_str()) {
                    let span = text.to_original(m.range());
                    out.push(Finding::new(
                        Category::PaymentInstrument,
                        "instrument:bitcoin",
                        span,
                    ));
                }
            }
        }
        if starts.ethereum {
            for m in ETHEREUM.find_iter(t) {
                let span = text.to_original(m.range());
                out.push(Finding::new(
                    Category::PaymentInstrument,
                    "instrument:ethereum",
                    span,
                ));
            }
        }
    }
}

/// Which credential patterns could match a text view, by the bytes each
/// must start with; most messages hold none of them.
#[derive(Debug, Default, PartialEq, Eq)]
struct Starts {
    /// Two letters and two digits (`de89`).
    iban: bool,
    /// `bc1` or `tb1`.
    bech32: bool,
    /// `0x`.
    ethereum: bool,
}

impl Starts {
    /// Reads `s` once.
    fn scan(s: &str) -> Starts {
        let bytes = s.as_bytes();
        let mut starts = Starts::default();
        for (i, &b) in bytes.iter().enumerate() {
            if !b.is_ascii_digit() {
                continue;
            }
            let before = i.checked_sub(2).and_then(|j| bytes.get(j..i));
            let next = bytes.get(i + 1).copied();
            starts.iban |= before.is_some_and(|p| p.iter().all(u8::is_ascii_lowercase))
                && next.is_some_and(|n| n.is_ascii_digit());
            starts.bech32 |= b == b'1' && matches!(before, Some(b"bc" | b"tb"));
            starts.ethereum |= b == b'0' && next == Some(b'x');
        }
        starts
    }
}

/// Returns true when `s` holds a run of `len` or more ASCII letters and
/// digits. Probes every `len`th byte and reads back from it, so ordinary
/// text costs a fraction of a pass.
fn has_run(s: &str, len: usize) -> bool {
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some(last) = (start + len).checked_sub(1).filter(|&l| l < bytes.len()) {
        // A run of `len` from `start` holds `last`: find the nearest byte
        // before it (back to `start`) that breaks the run.
        match bytes
            .get(start..=last)
            .and_then(|w| w.iter().rposition(|b| !b.is_ascii_alphanumeric()))
        {
            None => return true,
            Some(i) => start += i + 1,
        }
    }
    false
}

/// Returns the group windows of `chain` that are card numbers, longest
/// first from each start.
fn cards(chain: Chain<'_>) -> Vec<Range<usize>> {
    let n = chain.groups.len();
    let mut found = Vec::new();
    let mut i = 0;
    while i < n {
        let mut next = i + 1;
        // A card number has at most 19 digits: only the windows from `i`
        // that stay within 19 can match, which keeps a chain of thousands of
        // groups linear instead of cubic (issue 8, hostile input).
        let mut end = i;
        let mut len = 0;
        while let Some(group) = chain.groups.get(end) {
            len += group.digits.len();
            if len > 19 {
                break;
            }
            end += 1;
        }
        for j in (i + 1..=end).rev() {
            let digits = chain.window(i..j).digits();
            if (13..=19).contains(&digits.len())
                && checksum::card_prefix(digits)
                && checksum::luhn(digits)
            {
                found.push(i..j);
                next = j;
                break;
            }
        }
        i = next;
    }
    found
}

/// Returns the prefix of an IBAN candidate (with its separators) that
/// passes mod-97, dropping trailing groups that may be a following word.
fn iban(candidate: &str) -> Option<Range<usize>> {
    let mut end = candidate.len();
    loop {
        let part = candidate.get(..end)?;
        let compact: String = part.chars().filter(char::is_ascii_alphanumeric).collect();
        if compact.len() < 15 {
            return None;
        }
        if checksum::iban(&compact) {
            return Some(0..end);
        }
        end = part.rfind([' ', '-'])?;
    }
}

/// Returns the largest char boundary of `s` at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::render;

    #[test]
    fn compiles_static_patterns() {
        for re in [&IBAN, &BASE58, &BECH32, &ETHEREUM, &ROUTING_CUE, &CLABE_CUE] {
            LazyLock::force(re);
        }
    }

    #[test]
    fn tells_which_credentials_could_start() {
        let all = Starts {
            iban: true,
            bech32: true,
            ethereum: true,
        };
        assert_eq!(Starts::scan("de89 3704, bc1qar0, 0x742d"), all);
        assert_eq!(Starts::scan("call 555 0142, d9 x0"), Starts::default());
    }

    #[test]
    fn finds_long_runs_of_letters_and_digits() {
        let run = "a".repeat(26);
        assert!(has_run(&run, 26));
        assert!(has_run(&format!("x {run} y"), 26));
        assert!(has_run(&format!("{}{run}", "b c ".repeat(9)), 26));
        assert!(!has_run(&"a".repeat(25), 26));
        assert!(!has_run(
            &format!("{} {}", "a".repeat(25), "a".repeat(25)),
            26
        ));
        assert!(!has_run("", 26));
    }

    #[test]
    fn finds_credentials() {
        for (input, want) in [
            (
                "card 4111 1111 1111 1111 exp 09/27",
                "card [payment.instrument:4111 1111 1111 1111] exp 09/27",
            ),
            (
                "amex 3714-496353-98431.",
                "amex [payment.instrument:3714-496353-98431].",
            ),
            (
                "routing 021000021, acct 483920175",
                "routing [payment.instrument:021000021], acct [payment.instrument:483920175]",
            ),
            (
                "IBAN DE89 3704 0044 0532 0130 00 name",
                "IBAN [payment.instrument:DE89 3704 0044 0532 0130 00] name",
            ),
            (
                "btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 ok",
                "btc [payment.instrument:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2] ok",
            ),
            (
                "to 0x742d35Cc6634C0532925a3b844Bc454e4438f44e ok",
                "to [payment.instrument:0x742d35Cc6634C0532925a3b844Bc454e4438f44e] ok",
            ),
            (
                "mi CLABE es 002180700123456788.",
                "mi CLABE es [payment.instrument:002180700123456788].",
            ),
            (
                "my bank account number is 00123456789",
                "my bank account number is [payment.instrument:00123456789]",
            ),
        ] {
            assert_eq!(render(input, Category::PaymentInstrument), want, "{input}");
        }
    }

    #[test]
    fn leaves_identifiers_alone() {
        for input in [
            "order 112-3456789-1234567",
            "tracking 9400 1000 0000 0000 0000 00",
            "barcode 4902 1163 7720 0981",
            "UPS 1Z999AA10123456784",
            "number 021000021 alone",
            "your account 4821 is set",
            "card 4111 1111 1111 1112",
        ] {
            assert_eq!(render(input, Category::PaymentInstrument), input, "{input}");
        }
    }
}
