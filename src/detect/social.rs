//! `contact.social`: handles and profiles on social and messaging networks.
//!
//! Input: the text view and the squashed view (`i n s t a : n a m e`).
//! Output: findings spanning the handle (with its `@`) in the original.
//! Runs after the email and url detectors: an `@` inside an address or a
//! link is not a handle, and profile links are reported by `url`.
//!
//! - `@handle` anywhere outside an address, unless it is a time
//!   (`@ 3pm`, `@noon`), a place (`meet @Lowes`, the `at_place_cues`
//!   list) or a payment app's handle (`payment_handle_cues`).
//! - A network name (the `social_networks` list) followed by a handle:
//!   `IG: name`, `my snap is name`, `WhatsApp me: MikeFix`, `tiktok
//!   @name`, `discord name#1234`. Words that follow a cue without being a
//!   handle (`my insta is private`) are in `social_handle_stopwords`.
//! - A page named after `find us on Facebook as …`: the capitalized words.
//! - `u/name` (Reddit users).
//!
//! An invitation to a channel with no handle (`add me on WhatsApp`) is
//! `contact.invite`, a phrase list, not this detector.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    Finding,
    lexicon::{Cues, WordSet, WordStarts, text_and_squashed},
};
use crate::{
    category::Category,
    normalize::{View, Views},
    ruleset::{Problem, Wordlists},
    span::Span,
};

/// A handle: letters, digits, `_` and inner dots.
const HANDLE: &str = r"[a-z0-9_](?:[a-z0-9_.]{0,38}[a-z0-9_])?";

/// `@handle`, with the character before it (no look-behind in `regex`).
static AT_HANDLE: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(r"(?:^|[^a-z0-9._%+\-@/&])(?P<h>@{HANDLE})");
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(&pattern).expect("valid handle pattern")
});

/// `u/name`.
static REDDIT_USER: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?:^|[^a-z0-9/])(?P<h>u/[a-z0-9_-]{3,20})(?-u:\b)").expect("valid reddit pattern")
});

/// A time written after `@`: `@3pm`, `@ 10:30`.
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"^@[0-9]{1,2}(?:[.:h][0-9]{2})?(?:am|pm|a|p|hrs?|h)?$").expect("valid time pattern")
});

/// How far (view bytes) before an `@handle` a payment app makes it a
/// payment handle (`venmo me @mike-fix`).
const PAYMENT_BEFORE: usize = 16;

/// Finds social handles.
#[derive(Debug)]
pub struct SocialDetector {
    /// The first word of every network name, to tell cheaply whether a
    /// view names a network at all.
    networks: Option<WordStarts>,
    cue: Option<Regex>,
    named_before: Option<Regex>,
    payment_cues: Cues,
    place_cues: Cues,
    page: Option<Regex>,
    stopwords: WordSet,
}

impl SocialDetector {
    /// Builds the detector from the `social_networks`,
    /// `social_handle_stopwords`, `payment_handle_cues` and `at_place_cues`
    /// data lists.
    pub fn compile(lists: &Wordlists, problems: &mut Vec<Problem>) -> SocialDetector {
        let networks = WordSet::from_list(lists.data("social_networks"));
        let mut names: Vec<String> = networks
            .iter()
            .map(|n| regex::escape(n).replace(' ', r"\s*"))
            .collect();
        // Longest first, so `snapchat` wins over `snap`.
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let file = &lists.data("social_networks").file;
        let (cue, page, named_before) = if names.is_empty() {
            (None, None, None)
        } else {
            let nets = names.join("|");
            let cue = format!(
                r"(?-u:\b)(?:{nets})(?:\s+(?:id|handle|username|user\s*name|user|name|account|acct|page|profile|is\s+at))?(?:\s*[:=]\s*|\s+(?:is|es|as|me\s*:|me\s+at|=)\s+|\s+me:\s*|\s*-\s+|\s*,?\s+(?:it's|its|it\s+is)\s+)(?P<h1>@?{HANDLE}(?:#[0-9]{{4}})?)|(?-u:\b)(?:{nets})\s+(?:(?:on|at)\s+)?(?P<h2>@{HANDLE}|{HANDLE}#[0-9]{{4}})|(?-u:\b)(?:{nets})\s+(?P<h3>[a-z][a-z0-9]*[0-9_.][a-z0-9_.]*[a-z0-9_])(?-u:\b)"
            );
            let page = format!(
                r"(?-u:\b)(?:find|search|look)\s+(?:for\s+)?(?:me|us)(?:\s+up)?\s+on\s+(?:{nets})(?:\s*,\s*|\s+(?:as|under|by)\s+|\s*:\s*)"
            );
            let named_before = format!(
                r"(?-u:\b)(?:search|look|find)\s+(?:for\s+|up\s+)?(?P<name>[^\s,.;!?][^,.;!?]{{2,60}}?)\s+on\s+(?:{nets})(?-u:\b)"
            );
            let mut build = |p: &str| match Regex::new(p) {
                Ok(r) => Some(r),
                Err(e) => {
                    problems.push(Problem::file(file, format!("network pattern: {e}")));
                    None
                }
            };
            (build(&cue), build(&page), build(&named_before))
        };
        // The first word of each name: `whats app` may be written
        // `whats  app`, but always starts with `whats`.
        let networks = (!names.is_empty())
            .then(|| WordStarts::new(networks.iter().filter_map(|n| n.split(' ').next())));
        SocialDetector {
            networks,
            cue,
            page,
            named_before,
            payment_cues: Cues::compile(lists.data("payment_handle_cues"), problems),
            place_cues: Cues::compile(lists.data("at_place_cues"), problems),
            stopwords: WordSet::from_list(lists.data("social_handle_stopwords")),
        }
    }

    /// Appends a finding per handle; `original` is the message text.
    pub fn detect(&self, views: &Views, original: &str, out: &mut Vec<Finding>) {
        let text = views.text();
        let s = text.as_str();
        if s.contains('@') {
            self.at_handles(text, out);
        }
        // `u/`: a `/` is rare, found with `memchr`.
        let reddit = s
            .match_indices('/')
            .any(|(i, _)| i.checked_sub(1).and_then(|j| s.as_bytes().get(j)) == Some(&b'u'));
        if reddit {
            for caps in REDDIT_USER.captures_iter(s) {
                if let Some(h) = caps.name("h") {
                    push(out, text, h.range(), "social:reddit");
                }
            }
        }
        // Every pattern below needs a network name; most messages have none.
        let Some(networks) = &self.networks else {
            return;
        };
        let text_names_one = networks.any_in(s);
        if let Some(cue) = &self.cue {
            for view in text_and_squashed(views) {
                let names_one = if std::ptr::eq(view, text) {
                    text_names_one
                } else {
                    networks.any_in(view.as_str())
                };
                if !names_one {
                    continue;
                }
                for caps in cue.captures_iter(view.as_str()) {
                    let Some(h) = caps
                        .name("h1")
                        .or_else(|| caps.name("h2"))
                        .or_else(|| caps.name("h3"))
                    else {
                        continue;
                    };
                    let bare = h.as_str().trim_start_matches('@');
                    let bare = bare.split('#').next().unwrap_or(bare);
                    if !self.is_handle(bare) {
                        continue;
                    }
                    // `facebook: Dan Fixes Things`: a page name runs on over
                    // the capitalized words that follow.
                    let name = capitalized_words(view, h.start(), original)
                        .filter(|span| span.len() > h.len());
                    match name {
                        Some(span) => push_span(out, span, "social:network_cue"),
                        None => push(out, view, h.range(), "social:network_cue"),
                    }
                }
            }
        }
        if !text_names_one {
            return;
        }
        if let Some(re) = &self.named_before {
            for caps in re.captures_iter(s) {
                let Some(name) = caps.name("name") else {
                    continue;
                };
                // `search Mike Torres Handyman on Facebook`: a page name is
                // capitalized; `look for it on Facebook` is not one.
                let span = text.to_original(name.range());
                let capitalized = span.slice(original).is_some_and(|n| {
                    n.split_whitespace().all(|w| {
                        w.trim_start_matches(['\'', '"', '‘', '“'])
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                    })
                });
                if capitalized {
                    push_span(out, span, "social:named_page");
                }
            }
        }
        if let Some(page) = &self.page {
            for m in page.find_iter(s) {
                if let Some(span) = capitalized_words(text, m.end(), original) {
                    push_span(out, span, "social:named_page");
                }
            }
        }
    }

    /// Appends the `@handle`s of the text view that are not times, places
    /// or payment handles.
    fn at_handles(&self, text: &View, out: &mut Vec<Finding>) {
        let s = text.as_str();
        let payment = self.payment_cues.find_all(s);
        let place = self.place_cues.find_all(s);
        for caps in AT_HANDLE.captures_iter(s) {
            if let Some(h) = caps.name("h") {
                let handle = h.as_str();
                let after_payment_app = payment
                    .iter()
                    .any(|c| c.end <= h.start() && c.end + PAYMENT_BEFORE >= h.start());
                // `meet @Lowes`: `@` for "at", right after the word.
                let at_place = place
                    .iter()
                    .any(|c| c.end <= h.start() && c.end + 1 >= h.start());
                if !TIME.is_match(handle)
                    && !after_payment_app
                    && !at_place
                    && self.is_handle(&handle[1..])
                {
                    push(out, text, h.range(), "social:at_handle");
                }
            }
        }
    }

    /// Returns true when `name` (without `@`) can be a handle.
    fn is_handle(&self, name: &str) -> bool {
        name.len() >= 2
            && !name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && !self.stopwords.contains(name)
    }
}

/// Returns the span of up to five capitalized words of the original that
/// start at view byte `from` (`Mike Torres Handyman`, `Mike's Handyman`).
fn capitalized_words(view: &View, from: usize, original: &str) -> Option<Span> {
    let s = view.as_str().get(from..)?;
    let mut span: Option<Span> = None;
    let mut offset = from;
    for (count, word) in s.split(' ').enumerate() {
        if count >= 5 || word.is_empty() {
            break;
        }
        let clean = word.trim_end_matches([',', '.', ';', ':', '!', '?']);
        let start = offset;
        offset += word.len() + 1;
        if clean.is_empty() {
            break;
        }
        let orig = view.to_original(start..start + clean.len());
        let first = orig.slice(original).and_then(|w| w.chars().next());
        if !first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
            break;
        }
        span = Some(span.map_or(orig, |s| s.cover(orig)));
        if clean.len() != word.len() {
            break;
        }
    }
    span
}

/// Pushes a handle found at `range` of `view`.
fn push(out: &mut Vec<Finding>, view: &View, range: std::ops::Range<usize>, rule: &str) {
    let mut range = range;
    while range.end > range.start && view.as_str().as_bytes().get(range.end - 1) == Some(&b'.') {
        range.end -= 1;
    }
    push_span(out, view.to_original(range), rule);
}

/// Pushes a handle unless it lies in an address, a link or another handle.
fn push_span(out: &mut Vec<Finding>, span: Span, rule: &str) {
    if span.is_empty()
        || out.iter().any(|f| {
            matches!(f.category, Category::ContactEmail | Category::ContactUrl)
                && f.span.overlaps(span)
                || f.category == Category::ContactSocial && f.span.contains(span)
        })
    {
        return;
    }
    out.retain(|f| !(f.category == Category::ContactSocial && span.contains(f.span)));
    out.push(Finding::new(Category::ContactSocial, rule, span));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::render;

    #[test]
    fn compiles_static_patterns() {
        LazyLock::force(&AT_HANDLE);
        LazyLock::force(&REDDIT_USER);
        LazyLock::force(&TIME);
    }

    #[test]
    fn finds_handles() {
        for (input, want) in [
            (
                "DM me @jenna.k.loves.",
                "DM me [contact.social:@jenna.k.loves].",
            ),
            ("IG: mikefixes", "IG: [contact.social:mikefixes]"),
            ("insta: name_1", "insta: [contact.social:name_1]"),
            (
                "my snap is katie_b77, ok",
                "my snap is [contact.social:katie_b77], ok",
            ),
            (
                "WhatsApp me: MikeFix",
                "WhatsApp me: [contact.social:MikeFix]",
            ),
            (
                "tiktok ＠handyandre, hi",
                "tiktok [contact.social:＠handyandre], hi",
            ),
            (
                "telegram t.me/mikefix",
                "telegram [contact.social:t.me/mikefix]",
            ),
            (
                "discord jakefixes#4412 ok",
                "discord [contact.social:jakefixes#4412] ok",
            ),
            (
                "find us on Facebook as Mikes Handyman, thanks",
                "find us on Facebook as [contact.social:Mikes Handyman], thanks",
            ),
            (
                "as u/plumbingnoob2024, check",
                "as [contact.social:u/plumbingnoob2024], check",
            ),
            (
                "add my snap katie_b77 ok",
                "add my snap [contact.social:katie_b77] ok",
            ),
            (
                "facebook: Dan Fixes Things",
                "facebook: [contact.social:Dan Fixes Things]",
            ),
            (
                "my WhatsApp is MikeFix send it",
                "my WhatsApp is [contact.social:MikeFix] send it",
            ),
            (
                "search Dan Fixes Things on Facebook",
                "search [contact.social:Dan Fixes Things] on Facebook",
            ),
            (
                "look up \"Dan's Decks\" on Nextdoor",
                "look up [contact.social:\"Dan's Decks\"] on Nextdoor",
            ),
            (
                "I'm on insta as dan.fixes",
                "I'm on insta as [contact.social:dan.fixes]",
            ),
            (
                "hmu on snap, it's katie_b77",
                "hmu on snap, it's [contact.social:katie_b77]",
            ),
        ] {
            assert_eq!(render(input, Category::ContactSocial), want, "{input}");
        }
    }

    #[test]
    fn leaves_emails_times_and_invites_alone() {
        for input in [
            "mail jane@example.org",
            "I'll be there @ 3pm, or @4:30",
            "see you @noon",
            "add me on WhatsApp",
            "my insta is private",
            "What's your Insta?",
            "venmo me @mike-fix",
            "instagram 2 pics",
            "look for it on Facebook Marketplace",
            "meet @Lowes parking lot",
        ] {
            assert_eq!(render(input, Category::ContactSocial), input, "{input}");
        }
    }
}
