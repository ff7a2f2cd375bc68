//! The phrase detector: every term of every `[[lists]]` wordlist, matched
//! in the text, leet and squashed views of a message.
//!
//! Input: the views, the message (sender, language) and the findings of
//! the shape detectors, which run first. Output: findings of the lists'
//! categories, with original spans. The code knows no payment app, slur or
//! cue: the knowledge lives in `wordlists/` (issue 5).
//!
//! How a ruleset compiles (once, in [`PhraseDetector::compile`]):
//!
//! - Plain phrases of every list go into one Aho-Corasick automaton (a
//!   DFA unless the lists are huge), leftmost-longest, run over the text,
//!   leet and squashed views; a match counts only on Unicode word
//!   boundaries of the view, so `cashapp` fires and `cashapproval` does
//!   not, and `ass` never fires in `class`.
//! - Terms using the pattern syntax of [`pattern`] (gaps, groups, `{list}`
//!   classes, `<money>`, `<cashtag>`, number ranges) compile to byte
//!   regexes, linear time, run over the same views as the plain phrases. One
//!   Aho-Corasick scan for the literals every pattern needs (see
//!   [`prefilter`]) picks the few patterns that may match a view; only
//!   those run, each on its own (one `RegexSet` of all patterns measured
//!   ten times slower: its lazy DFA keeps determinizing the union's states).
//!   A pattern's regex is compiled the first time it runs, so a build
//!   pays only for expressions and the prefilter.
//! - Bad terms and patterns are reported as [`Problem`]s with file and line.
//!
//! What a match does depends on its list's `kind` (see `ruleset/manifest.rs`):
//! `terms` lists give findings, `negation` lists give cues that cancel
//! findings in their scope (see [`super::negation`]), `allow` lists give
//! innocent spans that drop overlapping findings, `class` lists only feed
//! other lists' patterns. A list may be limited to one `sender` and one
//! `language` (a message without a language gets every list).
//!
//! Two message-level rules follow policy.md: an invitation (`contact.invite`)
//! is the absence of details, so it is dropped when a shape detector found
//! a phone, email, link or handle; and `incident.property_damage` findings
//! carry the largest amount of the message and whether it is over the
//! policy's $1,000 line in their `detail`.

mod pattern;
mod prefilter;

use std::{
    cmp::Reverse,
    collections::{BTreeSet, HashMap},
    ops::Deref,
    sync::{Arc, OnceLock},
};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::meta::Regex as MetaRegex;
use regex_syntax::hir::{Class, Hir, HirKind};

use self::prefilter::Prefilter;
use super::{Finding, money, negation};
use crate::{
    category::{Category, Sender},
    message::{Language, Message},
    normalize::{self, View, Views},
    ruleset::{
        Problem, Wordlists,
        manifest::{ListKind, NegationScope},
    },
    span::Span,
};

/// Compiled regexes may use this much memory each (the default is 10 MiB).
const REGEX_SIZE_LIMIT: usize = 64 << 20;

/// The policy's line for property damage, in cents.
const DAMAGE_LINE_CENTS: u64 = 1_000 * 100;

/// Finds wordlist terms and patterns.
#[derive(Debug)]
pub struct PhraseDetector {
    lists: Vec<List>,
    terms: Vec<TermRule>,
    plain: Option<AhoCorasick>,
    /// Aho-Corasick pattern id → the terms with that normalized text.
    plain_terms: Vec<Vec<usize>>,
    /// Each pattern's regex and its term.
    regexes: Vec<(LazyRegex, usize)>,
    /// Which of `regexes` may match a view string.
    prefilter: Prefilter,
}

#[derive(Debug)]
struct List {
    kind: ListKind,
    category: Option<Category>,
    language: Option<Language>,
    sender: Option<Sender>,
    negate: bool,
    scope: NegationScope,
    window: usize,
    applies_to: Vec<Category>,
}

#[derive(Debug)]
struct TermRule {
    list: usize,
    rule_id: String,
    /// A pseudo-negation (`!don't worry`): masks the cues it overlaps.
    pseudo: bool,
}

/// One match of one term, mapped back to the original text.
#[derive(Clone, Copy, Debug)]
struct Hit {
    term: usize,
    span: Span,
}

impl PhraseDetector {
    /// Compiles every list; problems go to `problems` with file and line.
    pub fn compile(lists: &Wordlists, problems: &mut Vec<Problem>) -> PhraseDetector {
        let min_len = lists.manifest.settings.min_term_length;
        let mut compiled = Vec::new();
        let mut terms = Vec::new();
        let mut plain_ids: HashMap<String, usize> = HashMap::new();
        let mut plain_patterns: Vec<String> = Vec::new();
        let mut plain_terms: Vec<Vec<usize>> = Vec::new();
        let mut regex_sources = Vec::new();
        let mut classes = ClassCache::new(lists);

        for (spec, list) in &lists.lists {
            let index = compiled.len();
            let window = spec.window.unwrap_or(match spec.scope {
                NegationScope::After => 2,
                _ => 4,
            });
            compiled.push(List {
                kind: spec.kind,
                category: spec.category(),
                language: spec.language(),
                sender: spec.sender(),
                negate: spec.negate,
                scope: spec.scope,
                window,
                applies_to: spec.applies_to(),
            });
            if spec.kind == ListKind::Class {
                continue;
            }
            for term in &list.terms {
                let (pseudo, text) = match term.text.strip_prefix('!') {
                    Some(rest) if spec.kind == ListKind::Negation => (true, rest.trim()),
                    _ => (false, term.text.as_str()),
                };
                let id = terms.len();
                let mut rule_id = String::with_capacity(spec.name.len() + 1 + term.text.len());
                rule_id.push_str(&spec.name);
                rule_id.push(':');
                rule_id.push_str(&term.text);
                let rule = TermRule {
                    list: index,
                    rule_id,
                    pseudo,
                };
                if pattern::is_pattern(text) {
                    match pattern::compile(text, &mut classes) {
                        Ok(source) => {
                            regex_sources.push((source, id, &list.file, term.line));
                            terms.push(rule);
                        }
                        Err(reason) => problems.push(Problem::line(&list.file, term.line, reason)),
                    }
                    continue;
                }
                // Empty and too-short terms are the loader's problems
                // (`Wordlist::check_terms`); here they are only skipped.
                let normalized = normalize::normalize(text).text().as_str().to_string();
                if normalized.chars().count() < min_len.max(1) {
                    continue;
                }
                let pid = *plain_ids.entry(normalized.clone()).or_insert_with(|| {
                    plain_patterns.push(normalized);
                    plain_terms.push(Vec::new());
                    plain_patterns.len() - 1
                });
                plain_terms[pid].push(id);
                terms.push(rule);
            }
        }
        problems.extend(classes.problems);

        let plain = if plain_patterns.is_empty() {
            None
        } else {
            build_automaton(&plain_patterns, problems)
        };

        let mut regexes = Vec::with_capacity(regex_sources.len());
        match build_regex(&Hir::fail()) {
            Ok(never) => {
                let never = Arc::new(never);
                for (hir, id, file, line) in regex_sources {
                    match LazyRegex::new(hir, &never) {
                        Ok(re) => regexes.push((re, id)),
                        Err(e) => {
                            problems.push(Problem::line(file, line, e));
                        }
                    }
                }
            }
            // Never happens; the problem fails the ruleset.
            Err(e) => problems.push(Problem::file("policy.toml", e)),
        }
        let prefilter = Prefilter::build(regexes.iter().map(|(re, _)| &re.hir));
        PhraseDetector {
            lists: compiled,
            terms,
            plain,
            plain_terms,
            regexes,
            prefilter,
        }
    }

    /// Compiles every pattern regex that has not run yet (they compile on
    /// first use, see [`LazyRegex`]), so no message pays for it.
    pub fn compile_patterns(&self) {
        for (re, _) in &self.regexes {
            let _: &MetaRegex = re.deref();
        }
    }

    /// Appends the findings of every list to `out`, which already holds the
    /// shape detectors' findings.
    pub fn detect(&self, views: &Views, message: &Message<'_>, out: &mut Vec<Finding>) {
        let text = message.text;
        let hits = self.hits(views);

        let applies = |list: &List| {
            list.language
                .is_none_or(|l| message.language.is_none_or(|m| m == l))
                && list.sender.is_none_or(|s| s == message.sender)
        };
        let mut cues = Vec::new();
        let mut pseudo = Vec::new();
        let mut breaks = Vec::new();
        let mut allowed: Vec<(Span, &[Category])> = Vec::new();
        let mut candidates = Vec::new();
        for hit in &hits {
            let Some(rule) = self.terms.get(hit.term) else {
                continue;
            };
            let Some(list) = self.lists.get(rule.list) else {
                continue;
            };
            if !applies(list) {
                continue;
            }
            match list.kind {
                ListKind::Negation if rule.pseudo => pseudo.push(hit.span),
                ListKind::Negation if list.scope == NegationScope::Break => breaks.push(hit.span),
                ListKind::Negation => cues.push(negation::Cue {
                    span: hit.span,
                    scope: list.scope,
                    window: list.window,
                    applies_to: list.applies_to.clone(),
                }),
                ListKind::Allow => allowed.push((hit.span, &list.applies_to)),
                ListKind::Terms => {
                    if let Some(category) = list.category {
                        candidates.push((hit, rule, list, category));
                    }
                }
                ListKind::Class => {}
            }
        }
        cues.retain(|c| !pseudo.iter().any(|p| p.overlaps(c.span)));

        let has_details = out.iter().any(|f| {
            matches!(
                f.category,
                Category::ContactPhone
                    | Category::ContactEmail
                    | Category::ContactUrl
                    | Category::ContactSocial
            )
        });
        let damage_detail = OnceDetail::default();
        let mut seen = BTreeSet::new();
        for (hit, rule, list, category) in candidates {
            if category == Category::ContactInvite && has_details {
                continue;
            }
            if allowed.iter().any(|(span, cats)| {
                span.overlaps(hit.span) && (cats.is_empty() || cats.contains(&category))
            }) {
                continue;
            }
            if list.negate && negation::cancels(text, &cues, &breaks, hit.span, category) {
                continue;
            }
            if !seen.insert((rule.rule_id.as_str(), hit.span)) {
                continue;
            }
            let mut finding = Finding::new(category, rule.rule_id.clone(), hit.span);
            if category == Category::IncidentPropertyDamage
                && let Some(detail) = damage_detail.get(views.text())
            {
                finding = finding.with_detail(detail);
            }
            out.push(finding);
        }
    }

    /// Returns every term match in every view, mapped to the original text.
    fn hits(&self, views: &Views) -> Vec<Hit> {
        let mut hits = Vec::with_capacity(8);
        let text = views.text();
        let leet = views.leet();
        let squashed = views.squashed();
        // The distinct views, without a vector: this runs for every message.
        let leet_differs = (leet.as_str() != text.as_str()).then_some(leet);
        let squashed_differs = (squashed.as_str() != text.as_str()
            && squashed.as_str() != leet.as_str())
        .then_some(squashed);
        let plain_views = || {
            std::iter::once(text)
                .chain(leet_differs)
                .chain(squashed_differs)
        };
        if let Some(ac) = &self.plain {
            for view in plain_views() {
                let Ok(matches) = ac.try_find_iter(view.as_str()) else {
                    continue;
                };
                for m in matches {
                    if !on_word_boundaries(view.as_str(), m.start(), m.end()) {
                        continue;
                    }
                    let span = view.to_original(m.range());
                    if let Some(ids) = self.plain_terms.get(m.pattern().as_usize()) {
                        hits.extend(ids.iter().map(|&term| Hit { term, span }));
                    }
                }
            }
        }
        // Patterns run over every distinct view, the squashed one too:
        // `c o d e  W I N T E R 2 5` is a promo code only once squashed.
        let mut candidates = Vec::with_capacity(32);
        for view in plain_views() {
            let haystack = view.as_str().as_bytes();
            self.prefilter.candidates_into(haystack, &mut candidates);
            for (re, term) in candidates.iter().filter_map(|&i| self.regexes.get(i)) {
                for m in re.find_iter(haystack) {
                    if m.start() == m.end()
                        || !on_word_boundaries(view.as_str(), m.start(), m.end())
                    {
                        continue;
                    }
                    hits.push(Hit {
                        term: *term,
                        span: view.to_original(m.range()),
                    });
                }
            }
        }
        hits
    }
}

/// Above this many plain phrases the automaton is a contiguous NFA, not
/// a DFA. A DFA's build and memory grow with states times byte classes:
/// with 100k extra terms it took ~70% of the ruleset's build (1.7 s) and
/// ~200 MiB, while the NFA scan costs only ~4% more instructions per
/// message (callgrind, dev corpus). The shipped lists are far below.
const MAX_DFA_PHRASES: usize = 20_000;

/// Builds the plain-phrase automaton: a DFA when it fits (and the list is
/// not huge, see [`MAX_DFA_PHRASES`]), else the contiguous NFA (same
/// matches, slower); a failure of both is a problem.
fn build_automaton(patterns: &[String], problems: &mut Vec<Problem>) -> Option<AhoCorasick> {
    let build = |kind| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(kind))
            .build(patterns)
    };
    let first = if patterns.len() > MAX_DFA_PHRASES {
        AhoCorasickKind::ContiguousNFA
    } else {
        AhoCorasickKind::DFA
    };
    match build(first).or_else(|_| build(AhoCorasickKind::ContiguousNFA)) {
        Ok(ac) => Some(ac),
        Err(e) => {
            problems.push(Problem::file(
                "policy.toml",
                format!("phrase automaton: {e}"),
            ));
            None
        }
    }
}

/// Returns true when `start..end` of `view` is not glued to a letter or
/// digit on either side (Unicode-aware, checked on the view's characters).
fn on_word_boundaries(view: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(after), Some(inside)) =
        (view.get(..start), view.get(end..), view.get(start..end))
    else {
        return false;
    };
    let glued = |outer: Option<char>, inner: Option<char>| {
        outer.is_some_and(char::is_alphanumeric) && inner.is_some_and(char::is_alphanumeric)
    };
    !glued(before.chars().next_back(), inside.chars().next())
        && !glued(after.chars().next(), inside.chars().next_back())
}

/// Patterns whose NFA may hold more states than this (by
/// [`nfa_states_bound`]) compile with the ruleset, so that a pattern over
/// [`REGEX_SIZE_LIMIT`] is reported as a problem; smaller ones, nearly
/// all, compile on their first search.
const EAGER_NFA_STATES: u64 = 50_000;

/// A pattern's regex, compiled the first time the prefilter lets the
/// pattern run: most patterns never pass the prefilter in a given run,
/// and compiling all of them (a forward and a reverse NFA each) was most
/// of a ruleset's build time.
#[derive(Debug)]
struct LazyRegex {
    hir: Hir,
    regex: OnceLock<MetaRegex>,
    /// What a pattern that fails to compile late becomes: a regex that
    /// never matches, shared by the ruleset's patterns.
    never: Arc<MetaRegex>,
}

impl LazyRegex {
    /// Keeps `hir` to compile on first use, or compiles it now if it may
    /// be too large to compile (see [`EAGER_NFA_STATES`]).
    fn new(hir: Hir, never: &Arc<MetaRegex>) -> Result<LazyRegex, String> {
        let regex = OnceLock::new();
        if nfa_states_bound(&hir) > EAGER_NFA_STATES {
            let _ = regex.set(build_regex(&hir)?);
        }
        Ok(LazyRegex {
            hir,
            regex,
            never: Arc::clone(never),
        })
    }
}

impl Deref for LazyRegex {
    type Target = MetaRegex;

    fn deref(&self) -> &MetaRegex {
        self.regex.get_or_init(|| {
            build_regex(&self.hir).unwrap_or_else(|e| {
                // Not expected: a pattern this small fits the size limit.
                // Never matching beats failing every message.
                tracing::warn!(
                    error = e,
                    "phrase pattern failed to compile; it never matches"
                );
                MetaRegex::clone(&self.never)
            })
        })
    }
}

/// Compiles one pattern's expression; an error is a problem's reason.
fn build_regex(hir: &Hir) -> Result<MetaRegex, String> {
    MetaRegex::builder()
        .configure(
            MetaRegex::config()
                .utf8_empty(false)
                .auto_prefilter(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT)),
        )
        .build_from_hir(hir)
        .map_err(|e| format!("pattern: {e}"))
}

/// An upper bound of the NFA states compiling `hir` takes: every literal
/// byte, class range and assertion a state, repetitions counted as copies.
fn nfa_states_bound(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(literal) => 1 + literal.0.len() as u64,
        HirKind::Class(Class::Bytes(class)) => 1 + class.ranges().len() as u64,
        // A Unicode class compiles to UTF-8 sequences: a few states per range.
        HirKind::Class(Class::Unicode(class)) => 1 + 16 * class.ranges().len() as u64,
        HirKind::Capture(capture) => 2 + nfa_states_bound(&capture.sub),
        HirKind::Repetition(repetition) => {
            let copies = u64::from(repetition.max.unwrap_or(repetition.min)) + 1;
            nfa_states_bound(&repetition.sub)
                .saturating_add(1)
                .saturating_mul(copies)
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().fold(1 + subs.len() as u64, |sum, sub| {
                sum.saturating_add(nfa_states_bound(sub))
            })
        }
    }
}

/// The damage detail of a message, computed at most once.
#[derive(Default)]
struct OnceDetail {
    cell: std::cell::OnceCell<Option<String>>,
}

impl OnceDetail {
    fn get(&self, view: &View) -> Option<String> {
        self.cell
            .get_or_init(|| {
                let max = money::amounts(view.as_str())
                    .into_iter()
                    .map(|(_, cents)| cents)
                    .max()?;
                Some(format!(
                    "amount={}.{:02} over_1000={}",
                    max / 100,
                    max % 100,
                    max > DAMAGE_LINE_CENTS
                ))
            })
            .clone()
    }
}

/// Compiles `{name}` classes on demand, once each, catching cycles.
struct ClassCache<'a> {
    lists: &'a Wordlists,
    done: HashMap<String, Result<Hir, String>>,
    /// Every word compiled so far: whole words, then prefixes (`cancel*`).
    words: [HashMap<String, Hir>; 2],
    active: Vec<String>,
    problems: Vec<Problem>,
}

impl<'a> ClassCache<'a> {
    fn new(lists: &'a Wordlists) -> ClassCache<'a> {
        ClassCache {
            lists,
            done: HashMap::new(),
            words: Default::default(),
            active: Vec::new(),
            problems: Vec::new(),
        }
    }
}

impl pattern::Classes for ClassCache<'_> {
    fn word(&mut self, w: &str, prefix: bool) -> Hir {
        let words = &mut self.words[usize::from(prefix)];
        if let Some(hir) = words.get(w) {
            return hir.clone();
        }
        let hir = pattern::word(w, prefix);
        words.insert(w.to_string(), hir.clone());
        hir
    }

    fn class(&mut self, name: &str) -> Result<Hir, String> {
        if let Some(done) = self.done.get(name) {
            return done
                .clone()
                .map_err(|_| format!("list {name:?} has errors"));
        }
        if self.active.iter().any(|n| n == name) {
            return Err(format!("list {name:?} refers to itself"));
        }
        let lists = self.lists;
        let Some((_, list)) = lists.lists.iter().find(|(spec, _)| spec.name == name) else {
            return Err(format!("unknown list {{{name}}}"));
        };
        self.active.push(name.to_string());
        let mut alts = Vec::new();
        let mut failed = false;
        for term in &list.terms {
            let source = if pattern::is_pattern(&term.text) {
                pattern::compile(&term.text, self)
            } else {
                Ok(pattern::plain(&term.text, self))
            };
            match source {
                Ok(s) => alts.push(s),
                Err(reason) => {
                    failed = true;
                    self.problems
                        .push(Problem::line(&list.file, term.line, reason));
                }
            }
        }
        self.active.pop();
        // Longest first, so that `cash app` wins over `cash` where both fit.
        alts.sort_by_key(|hir| {
            let properties = hir.properties();
            Reverse((properties.minimum_len(), properties.maximum_len()))
        });
        let result = if alts.is_empty() || failed {
            Err(format!("list {name:?} has no usable term"))
        } else {
            Ok(Hir::alternation(alts))
        };
        self.done.insert(name.to_string(), result.clone());
        result
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use crate::{corpus, normalize, ruleset::Ruleset};

    #[test]
    fn warming_compiles_every_pattern() {
        let ruleset = Ruleset::embedded().expect("embedded ruleset builds");
        let detector = &ruleset.detectors().phrase;
        let compiled = || {
            detector
                .regexes
                .iter()
                .filter(|(re, _)| re.regex.get().is_some())
                .count()
        };
        assert!(
            compiled() < detector.regexes.len() / 2,
            "most compile lazily"
        );
        ruleset.warm();
        assert_eq!(compiled(), detector.regexes.len());
    }

    /// The prefilter may only skip patterns that do not match: checked for
    /// every shipped pattern on every view of the project's corpora.
    #[test]
    fn prefilter_never_hides_a_match() {
        let ruleset = Ruleset::embedded().expect("embedded ruleset builds");
        let detector = &ruleset.detectors().phrase;
        let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
        let mut files = vec![cases.join("dev.jsonl")];
        for entry in std::fs::read_dir(cases.join("screen")).expect("read tests/cases/screen") {
            files.push(entry.expect("list tests/cases/screen").path());
        }
        let mut texts = Vec::new();
        for file in files {
            let content = std::fs::read_to_string(&file).expect("read a case file");
            let parsed = corpus::parse(&content).expect("parse a case file");
            texts.extend(parsed.into_iter().map(|c| c.case.text));
        }
        let mut checked = 0;
        for text in &texts {
            let views = normalize::normalize(text);
            for view in [views.text(), views.leet(), views.squashed()] {
                let haystack = view.as_str().as_bytes();
                let maybe = detector.prefilter.candidates(haystack);
                for (index, (re, term)) in detector.regexes.iter().enumerate() {
                    if re.is_match(haystack) {
                        checked += 1;
                        assert!(
                            maybe.contains(&index),
                            "term {term} matches {text:?} but was skipped"
                        );
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} pattern matches checked");
    }

    /// Patterns compile on first use unless [`super::nfa_states_bound`]
    /// says they may be too large: the bound must never be below the
    /// states the compiler makes, checked on every shipped pattern.
    #[test]
    fn nfa_states_bound_is_an_upper_bound() {
        use regex_automata::nfa::thompson;

        let ruleset = Ruleset::embedded().expect("embedded ruleset builds");
        let detector = &ruleset.detectors().phrase;
        assert!(detector.regexes.len() > 100);
        for (re, term) in &detector.regexes {
            let nfa = thompson::Compiler::new()
                .configure(thompson::Config::new().utf8(false))
                .build_from_hir(&re.hir)
                .expect("shipped pattern compiles");
            let states = u64::try_from(nfa.states().len()).expect("fits u64");
            let bound = super::nfa_states_bound(&re.hir);
            assert!(
                states <= bound,
                "term {term}: {states} states, bound {bound}"
            );
            assert!(
                bound < super::EAGER_NFA_STATES,
                "term {term} compiles eagerly"
            );
        }
    }
}
