//! The input of the engine: one message and what is known about its sender.

use std::{fmt, str::FromStr};

use crate::category::{ParseNameError, Sender};

/// A language the wordlists are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// English.
    En,
    /// Spanish.
    Es,
}

impl Language {
    /// Every language, in a fixed order.
    pub const ALL: &'static [Language] = &[Language::En, Language::Es];

    /// Returns the ISO 639-1 code used in the manifest.
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
        }
    }

    /// Reads the language of a locale such as `en-US`, `es_MX` or `es`.
    ///
    /// Returns `None` for an empty locale (any language) and for languages
    /// the wordlists do not cover, which are then screened with every list.
    pub fn from_locale(locale: &str) -> Option<Language> {
        let lang = locale.split(['-', '_']).next().unwrap_or("");
        lang.to_ascii_lowercase().parse().ok()
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Language, ParseNameError> {
        match s {
            "en" => Ok(Language::En),
            "es" => Ok(Language::Es),
            _ => Err(ParseNameError::new("language", s, "en, es")),
        }
    }
}

/// One message to screen, borrowed from the caller.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// The caller's id for the message; logged, never interpreted.
    pub id: &'a str,
    /// The message as sent.
    pub text: &'a str,
    /// Who wrote it.
    pub sender: Sender,
    /// The seller account behind the message, for the exemption list.
    pub seller_id: &'a str,
    /// The message's language; `None` means every wordlist applies.
    pub language: Option<Language>,
    /// Whether the seller holds a communication exemption: `None` looks
    /// `seller_id` up in the ruleset's exemption list (the service's way);
    /// `Some` says it outright (a labeled corpus's `exempt` field).
    pub exempt: Option<bool>,
}

impl<'a> Message<'a> {
    /// Builds a message with no id, no seller id and any language.
    pub fn new(text: &'a str, sender: Sender) -> Message<'a> {
        Message {
            id: "",
            text,
            sender,
            seller_id: "",
            language: None,
            exempt: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_language_of_a_locale() {
        assert_eq!(Language::from_locale("en-US"), Some(Language::En));
        assert_eq!(Language::from_locale("ES_mx"), Some(Language::Es));
        assert_eq!(Language::from_locale(""), None);
        assert_eq!(Language::from_locale("fr-FR"), None);
    }
}
