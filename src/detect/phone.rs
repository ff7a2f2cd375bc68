//! `contact.phone`: phone numbers, found on the digit view.

use std::sync::LazyLock;

use regex::Regex;

use super::Finding;
use crate::{
    category::Category,
    normalize::Views,
    ruleset::{Problem, Wordlists},
};

static NANP: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "static pattern, forced by a unit test")]
    Regex::new(r"(?-u:\b)(?:\+?1[ .-]?)?\(?[2-9][0-9]{2}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}(?-u:\b)")
        .expect("valid NANP pattern")
});

/// Finds phone numbers.
#[derive(Debug)]
pub struct PhoneDetector;

impl PhoneDetector {
    /// Builds the detector.
    pub fn compile(_lists: &Wordlists, _problems: &mut Vec<Problem>) -> PhoneDetector {
        PhoneDetector
    }

    /// Appends a finding per phone number in the digit view.
    pub fn detect(&self, views: &Views, out: &mut Vec<Finding>) {
        let view = views.digit();
        for m in NANP.find_iter(view.as_str()) {
            let span = view.to_original(m.range());
            out.push(Finding::new(Category::ContactPhone, "phone:nanp", span));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_static_patterns() {
        LazyLock::force(&NANP);
    }
}
