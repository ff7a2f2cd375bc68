//! `contact.email`: email addresses, found by linkify on the text view.

use linkify::{LinkFinder, LinkKind};

use super::Finding;
use crate::{
    category::Category,
    normalize::Views,
    ruleset::{Problem, Wordlists},
};

/// Finds email addresses.
#[derive(Debug)]
pub struct EmailDetector {
    finder: LinkFinder,
}

impl EmailDetector {
    /// Builds the detector.
    pub fn compile(_lists: &Wordlists, _problems: &mut Vec<Problem>) -> EmailDetector {
        let mut finder = LinkFinder::new();
        finder.kinds(&[LinkKind::Email]);
        EmailDetector { finder }
    }

    /// Appends a finding per email address in the text view.
    pub fn detect(&self, views: &Views, out: &mut Vec<Finding>) {
        let view = views.text();
        for link in self.finder.links(view.as_str()) {
            let span = view.to_original(link.start()..link.end());
            out.push(Finding::new(Category::ContactEmail, "email:plain", span));
        }
    }
}
