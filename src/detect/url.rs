//! `contact.url`: links and bare domains that are not Amazon's own, plain
//! and obfuscated; links to a profile on a social site also count as a
//! `contact.social` handle.
//!
//! Input: the text view (homoglyphs and fullwidth dots folded) and the
//! squashed view (`w w w . s i t e . c o m`). Output: findings spanning the
//! link in the original. Runs after the email detector and skips what lies
//! inside an address it found.
//!
//! - `linkify` with schemes optional finds `https://…`, `www.…`, `bit.ly/…`
//!   and bare `fixitmike.net`. It has no TLD list, so a bare domain must end
//!   in a real top-level domain (the `tlds` data list, from the Public
//!   Suffix List) and, when written bare without a path, not in one that
//!   reads as a file extension or a word (`report.py`, `done.now`), nor be
//!   a missing space after a full stop (`fine.Call`).
//! - Obfuscated: `hxxps://`, `site[.]com`, `site(.)com`, `site dot com`,
//!   `site .com`; spoken dots need a common TLD (`a dot in the corner`).
//! - Amazon's domains (the `amazon_domains` list) and their subdomains are
//!   allowed; `amazon.com.evil.io` is not Amazon's.

use std::{ops::Range, sync::LazyLock};

use linkify::{LinkFinder, LinkKind};
use regex::Regex;

use super::{
    Finding,
    lexicon::{WordSet, text_and_squashed},
};
use crate::{
    category::Category,
    normalize::{View, Views},
    ruleset::{Problem, Wordlists},
};

/// A host label.
const LABEL: &str = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
/// A dot written to dodge a link filter, or plain. A space may precede a
/// plain dot (`site .com`, `site . com`) but not only follow it, which is
/// how sentences end (`the shop. Store hours`).
const DOT: &str = r"(?:\s*[\(\[\{]\s*(?:dot|\.)\s*[\)\]\}]\s*|\s+dot\s+|\s\.\s?|[·•]|\.)";

/// Obfuscated links: a defanged scheme, or a host with a written dot.
static OBFUSCATED: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?-u:\b)(?P<scheme>h(?:xx|\*\*|tt)ps?\s*(?:://|\[://\]|\[:\]//))?(?P<host>(?:{LABEL}{DOT})+(?P<tld>[a-z]{{2,24}}))(?-u:\b)(?P<path>/[^\s]*)?"
    );
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(&pattern).expect("valid obfuscated url pattern")
});

/// The written dots of a matched host.
static DOT_SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(DOT).expect("valid dot pattern")
});

/// Finds links.
#[derive(Debug)]
pub struct UrlDetector {
    finder: LinkFinder,
    tlds: WordSet,
    bare_exclusions: WordSet,
    common_tlds: WordSet,
    amazon: Vec<String>,
    profile_domains: WordSet,
    reserved_paths: WordSet,
}

/// A link split into its parts, lowercase.
struct Parts<'a> {
    scheme: bool,
    www: bool,
    host: String,
    path: &'a str,
}

impl UrlDetector {
    /// Builds the detector from the `tlds`, `bare_tld_exclusions`,
    /// `common_tlds`, `amazon_domains`, `social_profile_domains` and
    /// `social_reserved_paths` data lists.
    pub fn compile(lists: &Wordlists, _problems: &mut Vec<Problem>) -> UrlDetector {
        let mut finder = LinkFinder::new();
        finder.kinds(&[LinkKind::Url]).url_must_have_scheme(false);
        UrlDetector {
            finder,
            tlds: WordSet::from_list(lists.data("tlds")),
            bare_exclusions: WordSet::from_list(lists.data("bare_tld_exclusions")),
            common_tlds: WordSet::from_list(lists.data("common_tlds")),
            amazon: lists
                .data("amazon_domains")
                .texts()
                .map(str::to_ascii_lowercase)
                .collect(),
            profile_domains: WordSet::from_list(lists.data("social_profile_domains")),
            reserved_paths: WordSet::from_list(lists.data("social_reserved_paths")),
        }
    }

    /// Appends a finding per link; `original` is the message text.
    pub fn detect(&self, views: &Views, original: &str, out: &mut Vec<Finding>) {
        for view in text_and_squashed(views) {
            for link in self.finder.links(view.as_str()) {
                let range = link.start()..link.end();
                let parts = split(link.as_str());
                if let Some(rule) = self.judge(&parts, view, &range, original) {
                    self.push(out, view, range, rule, &parts);
                }
            }
            self.obfuscated(view, out);
        }
    }

    /// Returns the rule id when a linkify link is a link we report.
    fn judge(
        &self,
        parts: &Parts<'_>,
        view: &View,
        range: &Range<usize>,
        original: &str,
    ) -> Option<&'static str> {
        if self.is_amazon(&parts.host) {
            return None;
        }
        if parts.scheme {
            return Some("url:scheme");
        }
        let tld = parts.host.rsplit('.').next()?;
        if !parts.host.contains('.') || !self.tlds.contains(tld) {
            return None;
        }
        if parts.www {
            return Some("url:www");
        }
        let has_path = parts.path.len() > 1;
        if !has_path {
            if self.bare_exclusions.contains(tld) {
                return None;
            }
            // `fine.Thanks`: a missing space after a full stop, before a
            // word that is also a new generic TLD.
            let dot = range.start + parts.host.rfind('.')?;
            let after = view.origin(dot + 1).and_then(|s| s.slice(original));
            let before = view
                .origin(dot.checked_sub(1)?)
                .and_then(|s| s.slice(original));
            if tld.len() >= 4
                && after.is_some_and(|a| a.chars().all(char::is_uppercase))
                && before.is_some_and(|b| b.chars().all(char::is_lowercase))
            {
                return None;
            }
        }
        Some("url:bare")
    }

    fn obfuscated(&self, view: &View, out: &mut Vec<Finding>) {
        let s = view.as_str();
        // A link is reported here only with a defanged scheme or a written
        // dot; a message with neither skips the search.
        if !may_be_obfuscated(s) {
            return;
        }
        let mut at = 0;
        while let Some(caps) = OBFUSCATED.captures_at(s, at) {
            let (Some(whole), Some(host), Some(tld)) =
                (caps.get(0), caps.name("host"), caps.name("tld"))
            else {
                break;
            };
            at = whole.end().max(at + 1);
            let defanged = caps
                .name("scheme")
                .is_some_and(|m| !m.as_str().starts_with("ht"));
            let dots: Vec<&str> = DOT_SPLIT
                .find_iter(host.as_str())
                .map(|m| m.as_str())
                .collect();
            let spoken = dots.iter().any(|d| d.contains("dot") || d.contains(' '));
            let written = dots.iter().any(|d| *d != ".");
            if !(defanged || written) {
                continue;
            }
            let tlds = if spoken {
                &self.common_tlds
            } else {
                &self.tlds
            };
            if !tlds.contains(tld.as_str()) {
                continue;
            }
            let plain_host: String = DOT_SPLIT.split(host.as_str()).collect::<Vec<_>>().join(".");
            if self.is_amazon(&plain_host) {
                continue;
            }
            let mut end = whole.end();
            if let Some(path) = caps.name("path") {
                end = path.start() + trim_path(path.as_str()).len();
            }
            let parts = Parts {
                scheme: defanged,
                www: plain_host.starts_with("www."),
                path: s.get(host.end()..end).unwrap_or(""),
                host: plain_host
                    .strip_prefix("www.")
                    .unwrap_or(&plain_host)
                    .to_string(),
            };
            self.push(out, view, whole.start()..end, "url:obfuscated", &parts);
        }
    }

    /// Returns true when `host` is one of Amazon's domains or a subdomain.
    fn is_amazon(&self, host: &str) -> bool {
        self.amazon.iter().any(|d| {
            host == d
                || host
                    .strip_suffix(d.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }

    /// Pushes a url finding (and a social one for a profile link) unless it
    /// lies in an email address or a url already found.
    fn push(
        &self,
        out: &mut Vec<Finding>,
        view: &View,
        range: Range<usize>,
        rule: &'static str,
        parts: &Parts<'_>,
    ) {
        let span = view.to_original(range);
        if span.is_empty()
            || out.iter().any(|f| {
                f.category == Category::ContactEmail && f.span.overlaps(span)
                    || f.category == Category::ContactUrl && f.span.contains(span)
            })
        {
            return;
        }
        out.retain(|f| {
            !(matches!(f.category, Category::ContactUrl | Category::ContactSocial)
                && f.rule_id != "social:at_handle"
                && span.contains(f.span))
        });
        out.push(Finding::new(Category::ContactUrl, rule, span));
        let site = parts.host.strip_prefix("m.").unwrap_or(&parts.host);
        let segment = parts
            .path
            .trim_start_matches('/')
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("");
        if self.profile_domains.contains(site)
            && segment.len() >= 2
            && !self.reserved_paths.contains(segment)
        {
            out.push(Finding::new(
                Category::ContactSocial,
                "social:profile",
                span,
            ));
        }
    }
}

/// Splits a link into scheme, `www.`, host and path.
fn split(link: &str) -> Parts<'_> {
    let (scheme, rest) = match link.find("://") {
        Some(i) => (true, link.get(i + 3..).unwrap_or("")),
        None => (false, link),
    };
    let host_end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    let host = rest.get(..host_end).unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host).to_ascii_lowercase();
    let www = host.starts_with("www.");
    Parts {
        scheme,
        www,
        host: host.strip_prefix("www.").unwrap_or(&host).to_string(),
        path: rest.get(host_end..).unwrap_or(""),
    }
}

/// Returns false when `s` holds no defanged scheme (`hxx`, `h**`) and no
/// dot written other than plainly: every [`DOT`] but `\.` holds `dot`,
/// `·`, `•`, or a `.` right after a space or an opening bracket (a
/// Unicode space ends in a byte over 0x7f).
fn may_be_obfuscated(s: &str) -> bool {
    let bytes = s.as_bytes();
    let at = |i: Option<usize>| i.and_then(|i| bytes.get(i)).copied();
    // One pass, looking at each byte's neighbours only when it could be
    // part of what is looked for.
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'.' => at(i.checked_sub(1)).is_some_and(|p| {
            p.is_ascii_whitespace() || p == 0x0b || p >= 0x80 || b"([{".contains(&p)
        }),
        b'd' => bytes.get(i + 1..i + 3) == Some(b"ot"),
        b'h' => matches!(bytes.get(i + 1..i + 3), Some(b"xx" | b"**")),
        // The last bytes of `·` (C2 B7) and `•` (E2 80 A2).
        0xb7 => at(i.checked_sub(1)) == Some(0xc2),
        0xa2 => i
            .checked_sub(2)
            .and_then(|j| bytes.get(j..i))
            .is_some_and(|p| p == [0xe2, 0x80]),
        _ => false,
    })
}

/// Trims punctuation that ends a sentence, not a path.
fn trim_path(path: &str) -> &str {
    path.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\''])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::tests::render;

    #[test]
    fn compiles_static_patterns() {
        LazyLock::force(&OBFUSCATED);
        LazyLock::force(&DOT_SPLIT);
    }

    #[test]
    fn tells_written_dots_and_defanged_schemes() {
        for s in [
            "site dot com",
            "site .com",
            "site(.)com",
            "site[ .]com",
            "site\u{3000}.com",
            "site·com",
            "site•com",
            "hxxps://a",
            "h**p://a",
        ] {
            assert!(may_be_obfuscated(s), "{s}");
        }
        for s in ["fixitmike.net.", "ok. see you", "a.b.c", ""] {
            assert!(!may_be_obfuscated(s), "{s}");
        }
    }

    #[test]
    fn finds_links_and_domains() {
        for (input, want) in [
            (
                "see https://calendly.com/dan/30min ok",
                "see [contact.url:https://calendly.com/dan/30min] ok",
            ),
            (
                "my site fixitmike.net.",
                "my site [contact.url:fixitmike.net].",
            ),
            (
                "at www.mikefix.com today",
                "at [contact.url:www.mikefix.com] today",
            ),
            (
                "bit.ly/3kTz9Qm is the video",
                "[contact.url:bit.ly/3kTz9Qm] is the video",
            ),
            (
                "Check mysite dot com for pics",
                "Check [contact.url:mysite dot com] for pics",
            ),
            ("mysite[.]com", "[contact.url:mysite[.]com]"),
            ("mysite(.)com has it", "[contact.url:mysite(.)com] has it"),
            (
                "at hxxps://evil[.]biz/x, now",
                "at [contact.url:hxxps://evil[.]biz/x], now",
            ),
            (
                "our site is greenleaf-cleaning .com",
                "our site is [contact.url:greenleaf-cleaning .com]",
            ),
            (
                "go to amazon.com.repairdesk.io/t/1",
                "go to [contact.url:amazon.com.repairdesk.io/t/1]",
            ),
            (
                "Visit MikeFix.Com today",
                "Visit [contact.url:MikeFix.Com] today",
            ),
            (
                "site: rooferjoe . com",
                "site: [contact.url:rooferjoe . com]",
            ),
            (
                "www dot tileguy dot com",
                "[contact.url:www dot tileguy dot com]",
            ),
            (
                "website: dansdecks·com",
                "website: [contact.url:dansdecks·com]",
            ),
        ] {
            assert_eq!(render(input, Category::ContactUrl), want, "{input}");
        }
        assert_eq!(
            render("facebook.com/mikes.handyman now", Category::ContactSocial),
            "[contact.social:facebook.com/mikes.handyman] now"
        );
    }

    #[test]
    fn leaves_amazon_and_non_links_alone() {
        for input in [
            "amazon.com/dp/B01L7ZB6CG",
            "https://www.amazon.com/dp/B07FCN3ZTV",
            "ordered on amazon.co.uk by mistake",
            "a.co/d/7hGf2Kp and amzn.to/3Qx7Lm2",
            "smile.amazon.com is gone",
            "e.g. the mount, approx.5 hours, Mr.Smith",
            "run report.py and read notes.md",
            "It was fine.Call me later",
            "I'll bring it to the shop. Store hours are 9-5",
            "That one is done.Family is home",
            "mail me at jane@example.org",
            "a dot in the corner",
        ] {
            assert_eq!(render(input, Category::ContactUrl), input, "{input}");
        }
    }
}
