//! Detection: the [`Views`] of a message become [`Finding`]s, each with a
//! category, the rule that fired and a span of the ORIGINAL text.
//!
//! Input: the views, the message (sender, language) and the compiled
//! [`Detectors`] of a ruleset. Output: every finding, unordered, possibly
//! overlapping; `policy` judges them. Detectors map view spans back before
//! they return, and never log or keep message text.
//!
//! Two families: shape detectors (`phone`, `email`, `url`, `social`,
//! `instrument`), confirmed by a pattern, checksum or numbering plan, and
//! the phrase detector (`phrase`), which matches the wordlists.

mod checksum;
mod email;
mod instrument;
mod lexicon;
mod money;
mod negation;
mod numeric;
mod phone;
mod phrase;
mod social;
mod url;

use crate::{
    category::Category,
    message::Message,
    normalize::Views,
    ruleset::{Problem, Wordlists},
    span::Span,
};

/// One thing a detector found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The policy category.
    pub category: Category,
    /// The pattern or wordlist entry that fired, such as `phone:nanp` or
    /// `payment_apps:venmo`; stable, so tuners can grep and count it.
    pub rule_id: String,
    /// Where in the original text.
    pub span: Span,
    /// Extra detail for reviewers (a parsed amount); never message text.
    pub detail: Option<String>,
}

impl Finding {
    /// Builds a finding with no detail.
    pub fn new(category: Category, rule_id: impl Into<String>, span: Span) -> Finding {
        Finding {
            category,
            rule_id: rule_id.into(),
            span,
            detail: None,
        }
    }

    /// Returns the finding with a detail attached.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Finding {
        self.detail = Some(detail.into());
        self
    }
}

/// Every detector of a ruleset, compiled once when the ruleset is built.
#[derive(Debug)]
pub struct Detectors {
    phone: phone::PhoneDetector,
    email: email::EmailDetector,
    url: url::UrlDetector,
    social: social::SocialDetector,
    instrument: instrument::InstrumentDetector,
    phrase: phrase::PhraseDetector,
}

impl Detectors {
    /// Compiles every detector from the ruleset's lists.
    ///
    /// # Errors
    ///
    /// Every problem found (bad pattern syntax, a term that normalizes to
    /// nothing), with file and line.
    pub fn compile(lists: &Wordlists) -> Result<Detectors, Vec<Problem>> {
        let mut problems = Vec::new();
        let detectors = Detectors {
            phone: phone::PhoneDetector::compile(lists, &mut problems),
            email: email::EmailDetector::compile(lists, &mut problems),
            url: url::UrlDetector::compile(lists, &mut problems),
            social: social::SocialDetector::compile(lists, &mut problems),
            instrument: instrument::InstrumentDetector::compile(lists, &mut problems),
            phrase: phrase::PhraseDetector::compile(lists, &mut problems),
        };
        if problems.is_empty() {
            Ok(detectors)
        } else {
            Err(problems)
        }
    }

    /// Compiles what the detectors otherwise build on first use (the
    /// phrase patterns' regexes), so the first messages do not wait for it.
    pub fn warm(&self) {
        self.phrase.compile_patterns();
    }

    /// Runs every detector over the views of `message`.
    pub fn detect(&self, views: &Views, message: &Message<'_>) -> Vec<Finding> {
        let mut out = self.detect_shapes(views, message);
        self.phrase.detect(views, message, &mut out);
        out
    }

    /// Runs only the phrase detector, as if no shape had been found, for
    /// benchmarks and tuning.
    pub fn detect_phrases(&self, views: &Views, message: &Message<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        self.phrase.detect(views, message, &mut out);
        out
    }

    /// Runs only the phone detector, as if no address or link had been
    /// found, for benchmarks and tuning.
    pub fn detect_phones(&self, views: &Views, message: &Message<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        self.phone.detect(views, message.text, &mut out);
        out
    }

    /// Runs only the shape detectors (phone, email, url, social, payment
    /// instrument), for benchmarks and tuning.
    pub fn detect_shapes(&self, views: &Views, message: &Message<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        // Each skips what the ones before found: an address holds a domain,
        // a link holds digits and handles.
        self.email.detect(views, &mut out);
        self.url.detect(views, message.text, &mut out);
        self.social.detect(views, message.text, &mut out);
        // One reading of the digit view serves both.
        let chains = self.phone.chains(views);
        self.phone.detect_in(&chains, views, message.text, &mut out);
        self.instrument
            .detect(&chains, views, message.text, &mut out);
        out
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use crate::{category::Sender, normalize, ruleset::Ruleset};

    /// Returns `text` with each finding of `category` bracketed and
    /// labelled in place: `text me at [contact.phone:555 867 5309]`.
    pub(crate) fn render(text: &str, category: Category) -> String {
        let ruleset = Ruleset::embedded().expect("embedded ruleset builds");
        let message = Message {
            id: "t",
            text,
            sender: Sender::Seller,
            seller_id: "",
            language: None,
            exempt: None,
        };
        let mut findings: Vec<Finding> = ruleset
            .detectors()
            .detect(&normalize::normalize(text), &message)
            .into_iter()
            .filter(|f| f.category == category)
            .collect();
        findings.sort_by_key(|f| (f.span.start(), std::cmp::Reverse(f.span.end())));
        let mut out = String::new();
        let mut at = 0;
        for f in findings {
            if f.span.start() < at {
                continue;
            }
            out.push_str(&text[at..f.span.start()]);
            out.push_str(&format!("[{}:{}]", category, &text[f.span.range()]));
            at = f.span.end();
        }
        out.push_str(&text[at..]);
        out
    }
}
