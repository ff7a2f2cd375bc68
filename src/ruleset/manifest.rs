//! The manifest, `policy.toml`: the policy table, the wordlists and the data
//! files of a ruleset.
//!
//! ```toml
//! [settings]
//! min_term_length = 2
//!
//! [categories."contact.phone"]          # one table per category of policy.md
//! seller = "redact"
//! buyer = "redact"
//! placeholder = "[phone removed]"
//! notice = { en = "Phone numbers can't be shared here.", es = "No se pueden compartir números." }
//!
//! [exemptions]
//! sellers = "exempt_sellers.txt"        # seller ids exempt from Buyer-Seller Communication
//!
//! [data]                                # named lists read by the shape detectors
//! amazon_domains = "allow/amazon_domains.txt"
//!
//! [[lists]]                             # phrase lists, one per file
//! name = "payment_apps"
//! file = "en/payment_apps.txt"
//! category = "payment.off_platform"
//! language = "en"                       # omit for any language
//! ```
//!
//! A `[[lists]]` entry may also set, all optional (issue 5):
//!
//! | field | default | meaning |
//! |---|---|---|
//! | `kind` | `"terms"` | `terms` report findings of `category`; `class` only serve as `{name}` in other lists' patterns; `negation` are cues that cancel findings; `allow` are innocent words that contain listed ones (a finding overlapping one is dropped) |
//! | `sender` | both | `"seller"` or `"buyer"`: the list applies only to messages from that sender |
//! | `negate` | `true` | for `terms`: whether negation cues cancel the list's findings |
//! | `scope` | `"before"` | for `negation`: the cue cancels a finding it precedes (`before`) or follows (`after`) within `window` words of the same clause, or any finding in the message (`message`); `break` terms are not cues but words that end a clause ("but") |
//! | `window` | 4 (`before`), 2 (`after`) | for `negation`: how many words may sit between cue and finding |
//! | `applies_to` | every category | for `negation` and `allow`: the categories they act on |
//!
//! `category` is required for `terms` lists and must be absent otherwise.
//! The term syntax (plain phrases and patterns) is documented in
//! `detect/phrase.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::Problem;
use crate::{
    category::{Action, Category, Sender},
    message::Language,
};

/// The manifest's file name at the root of a ruleset.
pub const MANIFEST_FILE: &str = "policy.toml";

/// A parsed and checked manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Global settings.
    pub settings: Settings,
    /// One entry per category of policy.md.
    pub categories: BTreeMap<Category, CategoryPolicy>,
    /// The file listing exempt seller ids, if any.
    pub exempt_sellers: Option<String>,
    /// Named data files read by the shape detectors.
    pub data: BTreeMap<String, String>,
    /// The phrase lists.
    pub lists: Vec<ListSpec>,
}

/// Global settings of a ruleset.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Terms shorter than this many characters are rejected.
    #[serde(default = "default_min_term_length")]
    pub min_term_length: usize,
}

fn default_min_term_length() -> usize {
    2
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            min_term_length: default_min_term_length(),
        }
    }
}

/// The policy of one category: actions, placeholder, notices.
#[derive(Clone, Debug)]
pub struct CategoryPolicy {
    /// The action when a seller wrote the message.
    pub seller: Action,
    /// The action when a buyer wrote the message.
    pub buyer: Action,
    /// The text that replaces a redacted span.
    pub placeholder: String,
    /// The notice for the sender, per language.
    pub notice: BTreeMap<Language, String>,
}

/// One phrase list of the manifest.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// The list's name; the first half of its rule ids (`name:term`).
    pub name: String,
    /// The file, relative to the ruleset root.
    pub file: String,
    /// The category its terms report; empty for lists that report nothing.
    #[serde(default)]
    pub category: String,
    /// The language of its terms; absent means any.
    #[serde(default)]
    pub language: Option<String>,
    /// What the list's terms do.
    #[serde(default)]
    pub kind: ListKind,
    /// The only sender the list applies to; absent means both.
    #[serde(default)]
    pub sender: Option<String>,
    /// Whether negation cues cancel this list's findings.
    #[serde(default = "default_negate")]
    pub negate: bool,
    /// Where a negation list's cue must sit relative to a finding.
    #[serde(default)]
    pub scope: NegationScope,
    /// How many words may separate a negation cue from the finding.
    #[serde(default)]
    pub window: Option<usize>,
    /// The categories a negation or allow list acts on; empty means all.
    #[serde(default)]
    pub applies_to: Vec<String>,
}

fn default_negate() -> bool {
    true
}

impl Default for ListSpec {
    /// An empty `terms` list: no name, file or category, negatable.
    fn default() -> ListSpec {
        ListSpec {
            name: String::new(),
            file: String::new(),
            category: String::new(),
            language: None,
            kind: ListKind::Terms,
            sender: None,
            negate: default_negate(),
            scope: NegationScope::Before,
            window: None,
            applies_to: Vec::new(),
        }
    }
}

/// What the terms of a list do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// Each match is a finding of the list's category.
    #[default]
    Terms,
    /// A named set of words for other lists' patterns (`{name}`); reports nothing.
    Class,
    /// Negation cues: a finding in their scope is cancelled.
    Negation,
    /// Innocent words containing listed ones: overlapping findings are dropped.
    Allow,
}

/// Where a negation cue acts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NegationScope {
    /// The cue precedes the finding in the same clause.
    #[default]
    Before,
    /// The cue follows the finding in the same clause.
    After,
    /// The cue anywhere in the message cancels the finding.
    Message,
    /// Not a negation: a word that ends a clause ("but"), bounding the others.
    Break,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    settings: Settings,
    categories: BTreeMap<String, RawCategory>,
    #[serde(default)]
    exemptions: RawExemptions,
    #[serde(default)]
    data: BTreeMap<String, String>,
    #[serde(default)]
    lists: Vec<ListSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    seller: String,
    buyer: String,
    placeholder: String,
    #[serde(default)]
    notice: BTreeMap<String, String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemptions {
    sellers: Option<String>,
}

impl Manifest {
    /// Parses and checks the manifest, collecting every problem.
    ///
    /// # Errors
    ///
    /// Returns every problem found: TOML syntax, unknown or missing
    /// categories, unknown actions or languages, duplicate list names.
    pub fn parse(content: &str) -> Result<Manifest, Vec<Problem>> {
        let raw: RawManifest = toml::from_str(content).map_err(|e| {
            let line = e.span().map(|s| line_of(content, s.start));
            vec![Problem {
                file: MANIFEST_FILE.to_string(),
                line,
                reason: e.message().to_string(),
            }]
        })?;
        let mut problems = Vec::new();
        let mut problem = |key: &str, reason: String| {
            problems.push(Problem {
                file: MANIFEST_FILE.to_string(),
                line: find_line(content, key),
                reason,
            });
        };

        let mut categories = BTreeMap::new();
        for (name, raw) in &raw.categories {
            let category = match name.parse::<Category>() {
                Ok(c) => c,
                Err(e) => {
                    problem(name, e.to_string());
                    continue;
                }
            };
            let mut action = |who: &str, value: &str| match value.parse::<Action>() {
                Ok(a) => Some(a),
                Err(e) => {
                    problem(name, format!("{name}.{who}: {e}"));
                    None
                }
            };
            let (seller, buyer) = (action("seller", &raw.seller), action("buyer", &raw.buyer));
            let mut notice = BTreeMap::new();
            for (lang, text) in &raw.notice {
                match lang.parse::<Language>() {
                    Ok(l) => {
                        notice.insert(l, text.clone());
                    }
                    Err(e) => problem(name, format!("{name}.notice: {e}")),
                }
            }
            if let (Some(seller), Some(buyer)) = (seller, buyer) {
                categories.insert(
                    category,
                    CategoryPolicy {
                        seller,
                        buyer,
                        placeholder: raw.placeholder.clone(),
                        notice,
                    },
                );
            }
        }
        for category in Category::ALL {
            if !raw.categories.contains_key(category.as_str()) {
                problem(
                    "[categories",
                    format!("category {category} has no [categories.\"{category}\"] table"),
                );
            }
        }

        let mut names = std::collections::BTreeSet::new();
        for list in &raw.lists {
            let key = format!("\"{}\"", list.name);
            if !names.insert(list.name.as_str()) {
                problem(&key, format!("duplicate list name {:?}", list.name));
            }
            match (list.kind, list.category.is_empty()) {
                (ListKind::Terms, _) => {
                    if let Err(e) = list.category.parse::<Category>() {
                        problem(&key, format!("list {:?}: {e}", list.name));
                    }
                }
                (_, false) => problem(
                    &key,
                    format!("list {:?}: only a terms list has a category", list.name),
                ),
                (_, true) => {}
            }
            for name in &list.applies_to {
                if let Err(e) = name.parse::<Category>() {
                    problem(&key, format!("list {:?}: applies_to: {e}", list.name));
                }
            }
            if let Some(Err(e)) = list.sender.as_deref().map(str::parse::<Sender>) {
                problem(&key, format!("list {:?}: {e}", list.name));
            }
            if let Some(Err(e)) = list.language.as_deref().map(str::parse::<Language>) {
                problem(&key, format!("list {:?}: {e}", list.name));
            }
        }

        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Manifest {
            settings: raw.settings,
            categories,
            exempt_sellers: raw.exemptions.sellers,
            data: raw.data,
            lists: raw.lists,
        })
    }
}

impl ListSpec {
    /// Returns the list's category; checked when the manifest was parsed.
    pub fn category(&self) -> Option<Category> {
        self.category.parse().ok()
    }

    /// Returns the list's language, `None` for any; checked when parsed.
    pub fn language(&self) -> Option<Language> {
        self.language.as_deref().and_then(|l| l.parse().ok())
    }

    /// Returns the only sender the list applies to, `None` for both.
    pub fn sender(&self) -> Option<Sender> {
        self.sender.as_deref().and_then(|s| s.parse().ok())
    }

    /// Returns the categories a negation or allow list acts on (empty: all).
    pub fn applies_to(&self) -> Vec<Category> {
        self.applies_to
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect()
    }
}

fn line_of(content: &str, offset: usize) -> usize {
    content[..offset.min(content.len())].matches('\n').count() + 1
}

fn find_line(content: &str, key: &str) -> Option<usize> {
    content.find(key).map(|offset| line_of(content, offset))
}
