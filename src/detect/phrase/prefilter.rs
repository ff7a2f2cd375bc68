//! A literal prefilter for the phrase detector's pattern regexes.
//!
//! Input: the parsed wordlist patterns, once per ruleset;
//! then one view string per call. Output: which patterns can match that
//! string, so the detector runs only those.
//!
//! Every pattern is read (with `regex-syntax`'s literal extractor) as a
//! few *requirements*: sets of literals of which every match contains one,
//! namely the prefixes or suffixes of the matches of a part no match can
//! skip (an item of a sequence). `(i|we) (broke|cracked) (my|the)` needs
//! one of `i`/`we`, one of `broke`/`cracked` and one of `my`/`the`. The
//! literals of all requirements go into one Aho-Corasick DFA, so a view
//! string is scanned once for the hundreds of patterns, and a pattern runs
//! only when all of its requirements (up to [`MAX_REQUIREMENTS`], the sets
//! with the longest shortest literal, as rare words tend to be long) were
//! met. A pattern with no literal (`<word>` alone) always runs. The filter
//! only ever says "maybe": the pattern's regex still decides.
//!
//! A literal counts only where it stands as the pattern has it: when the
//! pattern puts a word boundary (`(?-u:\b)`) before or after it, so must
//! the string, so `son` in `person` or `cancel` in `uncancelled` meets
//! nothing. Every pattern word is bounded, so this skips most runs of a
//! regex that cannot match.

use std::{
    cmp::Reverse,
    collections::HashMap,
    hash::{Hash, Hasher},
};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::util::pool::Pool;
use regex_syntax::hir::{
    Class, Hir, HirKind, Look,
    literal::{ExtractKind, Extractor},
};

/// How many literal sets one pattern is checked against at most.
const MAX_REQUIREMENTS: usize = 4;

/// A pattern's second and later requirements need every literal at least
/// this [`rarity`], that of a three-letter word that is not common: short
/// and common words (`i`, `my`, `the`) hit in nearly every message, and
/// the scan pays for every hit. Measured with callgrind over the dev
/// corpus: three letters cost 17% fewer instructions per message than no
/// limit; two or four letters cost more than three.
const MIN_SECONDARY_RARITY: usize = 6;

/// Words so common in chat that a literal set holding one of them meets
/// nearly every message: English and Spanish function words, and the
/// chat spellings the wordlists use for them, sorted for binary search.
/// Like the byte frequency
/// table of `memchr`, this only steers which literals the filter looks
/// for; a wrong guess costs time, never a match.
const COMMON_WORDS: &[&[u8]] = &[
    b"a", b"al", b"am", b"an", b"and", b"are", b"as", b"at", b"be", b"but", b"by", b"can", b"con",
    b"de", b"del", b"do", b"e", b"el", b"en", b"es", b"for", b"from", b"get", b"go", b"got",
    b"have", b"he", b"her", b"him", b"his", b"how", b"i", b"if", b"im", b"in", b"is", b"it",
    b"its", b"just", b"la", b"las", b"le", b"lo", b"los", b"me", b"mi", b"my", b"no", b"not",
    b"now", b"o", b"of", b"on", b"or", b"our", b"para", b"por", b"que", b"se", b"so", b"su", b"te",
    b"that", b"the", b"them", b"then", b"there", b"they", b"this", b"to", b"u", b"un", b"una",
    b"up", b"us", b"was", b"we", b"what", b"when", b"will", b"with", b"y", b"you", b"your",
];

/// How selective a literal is, for choosing which sets to look for:
/// twice its length, or just its length for a [`COMMON_WORDS`] word, so
/// `not` ranks below `sms` and `in` (also inside `thing`, `install`)
/// below `not`.
fn rarity(bytes: &[u8]) -> usize {
    // Every common word is short; most literals are not.
    if bytes.len() <= 5 && COMMON_WORDS.binary_search(&bytes).is_ok() {
        bytes.len()
    } else {
        2 * bytes.len()
    }
}

/// The patterns a view string may match, as pattern indexes.
#[derive(Debug)]
pub(super) struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// Aho-Corasick pattern id → the requirements that literal meets, each
    /// with the word boundaries it needs around the literal.
    meets: Vec<Vec<(Bounds, usize)>>,
    /// Requirement → the patterns that need it.
    needed_by: Vec<Vec<usize>>,
    /// Pattern → how many requirements it has.
    need_counts: Vec<usize>,
    /// Patterns without requirements, run on every string.
    always: Vec<usize>,
    /// One [`Scratch`] per thread searching at once, reused.
    scratch: Pool<Scratch, fn() -> Scratch>,
}

/// What one [`Prefilter::candidates_into`] call marks: literals worked
/// out, requirements met, and requirements met per pattern. A mark counts
/// only when it carries the current call's stamp, so a new call starts
/// from nothing without clearing the arrays.
#[derive(Debug, Default)]
struct Scratch {
    stamp: u32,
    done: Vec<u32>,
    met: Vec<u32>,
    counts: Vec<(u32, usize)>,
}

impl Scratch {
    /// Starts a call over `literals`, `requirements` and `patterns`.
    fn start(&mut self, literals: usize, requirements: usize, patterns: usize) -> &mut Scratch {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Once every 2^32 calls: old stamps could be mistaken for new.
            self.done.clear();
            self.met.clear();
            self.counts.clear();
            self.stamp = 1;
        }
        self.done.resize(literals, 0);
        self.met.resize(requirements, 0);
        self.counts.resize(patterns, (0, 0));
        self
    }

    /// Returns true when `literal` was worked out in this call.
    fn done(&self, literal: usize) -> bool {
        self.done.get(literal) == Some(&self.stamp)
    }

    /// Marks `literal` worked out in this call.
    fn set_done(&mut self, literal: usize) {
        if let Some(mark) = self.done.get_mut(literal) {
            *mark = self.stamp;
        }
    }

    /// Marks `requirement` met; returns false when it already was.
    fn meet(&mut self, requirement: usize) -> bool {
        match self.met.get_mut(requirement) {
            Some(mark) if *mark != self.stamp => {
                *mark = self.stamp;
                true
            }
            _ => false,
        }
    }

    /// Counts one more requirement of `pattern` met; returns the count.
    fn count(&mut self, pattern: usize) -> usize {
        let Some((stamp, count)) = self.counts.get_mut(pattern) else {
            return 0;
        };
        if *stamp != self.stamp {
            *stamp = self.stamp;
            *count = 0;
        }
        *count += 1;
        *count
    }
}

impl Prefilter {
    /// Builds the filter for `patterns`, parsed, in the order the detector
    /// keeps them.
    pub(super) fn build<'a>(patterns: impl IntoIterator<Item = &'a Hir>) -> Prefilter {
        let mut literal_ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut meets: Vec<Vec<(Bounds, usize)>> = Vec::new();
        let mut requirement_ids: HashMap<Vec<Needle>, usize> = HashMap::new();
        let mut needed_by: Vec<Vec<usize>> = Vec::new();
        let mut need_counts = Vec::new();
        let mut parts = PartCache::default();
        for (pattern, hir) in patterns.into_iter().enumerate() {
            let sets = required_literals(hir, &mut parts);
            need_counts.push(sets.len());
            for set in sets {
                let next = needed_by.len();
                let requirement = *requirement_ids.entry(set.clone()).or_insert(next);
                if requirement == next {
                    needed_by.push(Vec::new());
                    for needle in set {
                        let next = literals.len();
                        let id = *literal_ids.entry(needle.bytes.clone()).or_insert(next);
                        if id == next {
                            literals.push(needle.bytes);
                            meets.push(Vec::new());
                        }
                        if let Some(list) = meets.get_mut(id) {
                            list.push((needle.bounds, requirement));
                        }
                    }
                }
                if let Some(list) = needed_by.get_mut(requirement) {
                    list.push(pattern);
                }
            }
        }
        let build = |kind| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(kind))
                .build(&literals)
        };
        let automaton = if literals.is_empty() {
            None
        } else {
            build(AhoCorasickKind::DFA)
                .or_else(|_| build(AhoCorasickKind::ContiguousNFA))
                .ok()
        };
        if automaton.is_none() {
            // Without an automaton every pattern runs: slower, never wrong.
            need_counts.iter_mut().for_each(|n| *n = 0);
        }
        let always = (0..need_counts.len())
            .filter(|&p| need_counts.get(p) == Some(&0))
            .collect();
        Prefilter {
            automaton,
            meets,
            needed_by,
            need_counts,
            always,
            scratch: Pool::new(Scratch::default as fn() -> Scratch),
        }
    }

    /// Puts the patterns that may match `haystack` into `found` (cleared
    /// first), in ascending order. Allocates nothing once warm: the
    /// per-search marks live in a pooled [`Scratch`].
    pub(super) fn candidates_into(&self, haystack: &[u8], found: &mut Vec<usize>) {
        found.clear();
        found.extend_from_slice(&self.always);
        let Some(ac) = &self.automaton else {
            return;
        };
        let Ok(matches) = ac.try_find_overlapping_iter(haystack) else {
            found.clear();
            found.extend(0..self.need_counts.len());
            return;
        };
        let mut scratch = self.scratch.get();
        let marks = scratch.start(
            self.meets.len(),
            self.needed_by.len(),
            self.need_counts.len(),
        );
        for m in matches {
            let literal = m.pattern().as_usize();
            // A literal recurs (`i`, `the`): each is worked out once, when
            // it first stands on word boundaries at both ends.
            if marks.done(literal) {
                continue;
            }
            let here = Bounds::at(haystack, m.start(), m.end());
            if here == Bounds::BOTH {
                marks.set_done(literal);
            }
            for &(needs, requirement) in self.meets.get(literal).into_iter().flatten() {
                if !here.satisfies(needs) || !marks.meet(requirement) {
                    continue;
                }
                for &pattern in self.needed_by.get(requirement).into_iter().flatten() {
                    let need = self.need_counts.get(pattern).copied().unwrap_or(usize::MAX);
                    if marks.count(pattern) == need {
                        found.push(pattern);
                    }
                }
            }
        }
        found.sort_unstable();
    }

    /// Returns the patterns that may match `haystack`, in ascending order.
    #[cfg(test)]
    pub(super) fn candidates(&self, haystack: &[u8]) -> Vec<usize> {
        let mut found = Vec::new();
        self.candidates_into(haystack, &mut found);
        found
    }

    /// Returns how many patterns have no literal and always run.
    #[cfg(test)]
    fn unfiltered(&self) -> usize {
        self.always.len()
    }
}

/// Word boundaries a literal needs around it, or a hit has around it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Bounds {
    /// An ASCII word boundary (`(?-u:\b)`) right before the literal.
    start: bool,
    /// An ASCII word boundary right after it.
    end: bool,
}

impl Bounds {
    /// Both boundaries.
    const BOTH: Bounds = Bounds {
        start: true,
        end: true,
    };

    /// The word boundaries at both ends of `haystack[start..end]`, by the
    /// rule of `(?-u:\b)`: a boundary lies between an ASCII word byte and
    /// a byte that is not one, or the edge of the haystack.
    fn at(haystack: &[u8], start: usize, end: usize) -> Bounds {
        let word = |at: Option<usize>| {
            at.and_then(|i| haystack.get(i))
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        };
        Bounds {
            start: word(start.checked_sub(1)) != word(Some(start)),
            end: word(end.checked_sub(1)) != word(Some(end)),
        }
    }

    /// Returns true when these boundaries include every one `needs` asks for.
    fn satisfies(self, needs: Bounds) -> bool {
        (self.start || !needs.start) && (self.end || !needs.end)
    }
}

/// A literal every match of a part contains, and the word boundaries the
/// pattern puts around it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Needle {
    bytes: Vec<u8>,
    bounds: Bounds,
}

/// Returns up to [`MAX_REQUIREMENTS`] literal sets, the most selective
/// first, such that every match of `hir` contains a literal of each.
fn required_literals<'a>(hir: &'a Hir, parts: &mut PartCache<'a>) -> Vec<Vec<Needle>> {
    let mut sets = Vec::new();
    required_sets(hir, Bounds::default(), &mut sets, parts);
    // The rarer a set's most common literal, the fewer messages pass it.
    sets.sort_by_key(|(len, set)| (Reverse(*len), set.len()));
    let mut chosen: Vec<Vec<Needle>> = Vec::new();
    for (shortest, set) in sets {
        if !chosen.contains(&set) && (chosen.is_empty() || shortest >= MIN_SECONDARY_RARITY) {
            chosen.push(set);
        }
        if chosen.len() == MAX_REQUIREMENTS {
            break;
        }
    }
    chosen
}

/// Collects literal sets of `hir` with their least [`rarity`]:
/// two sets per part no match can skip (each item of a sequence, a
/// repetition's body): the prefixes and the suffixes of that part's
/// matches, so that `(i|we) (broke|cracked) (my|the)` can be filtered on
/// its verbs, and `(my son|our kid)` on `son`/`kid`.
fn required_sets<'a>(
    hir: &'a Hir,
    outer: Bounds,
    out: &mut Vec<(usize, Vec<Needle>)>,
    cache: &mut PartCache<'a>,
) {
    match hir.kind() {
        HirKind::Concat(parts) => {
            let last = parts.len().saturating_sub(1);
            let boundary = |at: Option<usize>| {
                at.and_then(|i| parts.get(i))
                    .is_some_and(|h| matches!(h.kind(), HirKind::Look(Look::WordAscii)))
            };
            for (i, part) in parts.iter().enumerate() {
                // A boundary next to the part belongs to its literals, and
                // so does one around the whole sequence at its ends.
                let around = Bounds {
                    start: boundary(i.checked_sub(1)) || (i == 0 && outer.start),
                    end: boundary(i.checked_add(1)) || (i == last && outer.end),
                };
                if matches!(
                    part.kind(),
                    HirKind::Concat(_) | HirKind::Capture(_) | HirKind::Repetition(_)
                ) {
                    required_sets(part, around, out, cache);
                } else {
                    cache.part_sets(part, around, out);
                }
            }
        }
        HirKind::Capture(capture) => required_sets(&capture.sub, outer, out, cache),
        HirKind::Repetition(repetition) if repetition.min > 0 => {
            required_sets(&repetition.sub, Bounds::default(), out, cache);
        }
        HirKind::Repetition(_) => {}
        _ => cache.part_sets(hir, outer, out),
    }
}

/// Literal sets of `hir` every match contains a literal of, the most
/// selective first, chosen per branch of each alternation: the sets of a
/// sequence are those of all its parts; those of an alternation pair the
/// branches' best sets, then their second best, and so on. `(my son|our
/// kid|the youngest) (is|was) alone` gives `son`/`kid`/`youngest` and
/// `alone`, where the part's prefixes would be `my`/`our`/`the`, which
/// nearly every message has. Only whole literals count, so this costs one
/// walk of the expression, not a literal extraction per branch; empty when
/// some branch has no literal.
fn branch_sets(hir: &Hir, outer: Bounds) -> Vec<Vec<Needle>> {
    match hir.kind() {
        HirKind::Literal(literal) if !literal.0.is_empty() => vec![vec![Needle {
            bytes: literal.0.to_vec(),
            bounds: outer,
        }]],
        HirKind::Capture(capture) => branch_sets(&capture.sub, outer),
        HirKind::Repetition(repetition) if repetition.min > 0 => {
            branch_sets(&repetition.sub, Bounds::default())
        }
        HirKind::Alternation(branches) => {
            let mut unions: Vec<Vec<Needle>> = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                let sets = branch_sets(branch, outer);
                // A match comes from one branch and holds a literal of each
                // of its sets, so the i-th union needs the i-th set of all.
                if i == 0 {
                    unions = sets;
                } else {
                    unions.truncate(sets.len());
                    for (union, set) in unions.iter_mut().zip(sets) {
                        union.extend(set);
                    }
                }
                if unions.is_empty() {
                    break;
                }
            }
            for union in &mut unions {
                union.sort_unstable();
                union.dedup();
            }
            rank(unions)
        }
        HirKind::Concat(parts) => {
            let last = parts.len().saturating_sub(1);
            let boundary = |at: Option<usize>| {
                at.and_then(|i| parts.get(i))
                    .is_some_and(|h| matches!(h.kind(), HirKind::Look(Look::WordAscii)))
            };
            let sets = parts
                .iter()
                .enumerate()
                .flat_map(|(i, part)| {
                    let around = Bounds {
                        start: boundary(i.checked_sub(1)) || (i == 0 && outer.start),
                        end: boundary(i.checked_add(1)) || (i == last && outer.end),
                    };
                    branch_sets(part, around)
                })
                .collect();
            rank(sets)
        }
        _ => Vec::new(),
    }
}

/// Orders literal sets the most selective first and keeps
/// [`MAX_REQUIREMENTS`] of them.
fn rank(mut sets: Vec<Vec<Needle>>) -> Vec<Vec<Needle>> {
    sets.sort_by_cached_key(|set| (Reverse(shortest(set)), set.len()));
    sets.truncate(MAX_REQUIREMENTS);
    sets
}

/// The [`rarity`] of the least selective literal of `set` (0 when empty).
fn shortest(set: &[Needle]) -> usize {
    set.iter().map(|n| rarity(&n.bytes)).min().unwrap_or(0)
}

/// The literal sets of every part already read, by the part's
/// [`fingerprint`] and the bounds around it: the `{name}` classes and the
/// separator between two words recur in hundreds of patterns, and
/// reading each once halves the literal extraction (callgrind: 69M of a
/// default build's 303M instructions, then 34M).
#[derive(Default)]
struct PartCache<'a> {
    done: HashMap<(u64, Bounds), Vec<PartSets<'a>>>,
}

/// One part read by [`part_sets`] and the sets it gave.
type PartSets<'a> = (&'a Hir, Vec<(usize, Vec<Needle>)>);

impl<'a> PartCache<'a> {
    /// Appends the literal sets of `part` to `out`, as [`part_sets`] does,
    /// reading each distinct part once.
    fn part_sets(&mut self, part: &'a Hir, around: Bounds, out: &mut Vec<(usize, Vec<Needle>)>) {
        if !has_literals(part) {
            return;
        }
        let same = self.done.entry((fingerprint(part), around)).or_default();
        // Equal fingerprints are checked in full: a collision must not
        // lend one part the literals of another.
        if let Some((_, sets)) = same.iter().find(|(seen, _)| *seen == part) {
            out.extend(sets.iter().cloned());
            return;
        }
        let start = out.len();
        part_sets(part, around, out);
        same.push((part, out.get(start..).unwrap_or_default().to_vec()));
    }
}

/// How many nodes of a part [`fingerprint`] reads: enough to tell the
/// parts of the shipped lists apart, while a class of thousands of terms
/// costs no more than a word.
const FINGERPRINT_NODES: usize = 64;

/// Hashes the structure of `hir`: its first [`FINGERPRINT_NODES`] nodes in
/// full and their match lengths. Equal expressions give equal hashes
/// (`Hir` implements `Eq` but not `Hash`); the cache compares the
/// expressions themselves.
fn fingerprint(hir: &Hir) -> u64 {
    let mut hasher = FoldHasher::default();
    let mut budget = FINGERPRINT_NODES;
    feed(hir, &mut hasher, &mut budget);
    hasher.finish()
}

/// Feeds `hir` to `state` for [`fingerprint`], while `budget` nodes remain.
fn feed(hir: &Hir, state: &mut impl Hasher, budget: &mut usize) {
    let Some(left) = budget.checked_sub(1) else {
        return;
    };
    *budget = left;
    let properties = hir.properties();
    state.write_usize(properties.minimum_len().unwrap_or(usize::MAX));
    state.write_usize(properties.maximum_len().unwrap_or(usize::MAX));
    match hir.kind() {
        HirKind::Empty => state.write_u8(0),
        HirKind::Literal(literal) => {
            state.write_u8(1);
            literal.0.hash(state);
        }
        HirKind::Class(Class::Unicode(class)) => {
            state.write_u8(2);
            for range in class.ranges() {
                state.write_u32(range.start().into());
                state.write_u32(range.end().into());
            }
            state.write_u8(0xff);
        }
        HirKind::Class(Class::Bytes(class)) => {
            state.write_u8(3);
            for range in class.ranges() {
                state.write_u8(range.start());
                state.write_u8(range.end());
            }
            state.write_u32(u32::MAX);
        }
        HirKind::Look(look) => {
            state.write_u8(4);
            state.write_u32(look.as_repr());
        }
        HirKind::Repetition(repetition) => {
            state.write_u8(5);
            state.write_u32(repetition.min);
            repetition.max.hash(state);
            state.write_u8(u8::from(repetition.greedy));
            feed(&repetition.sub, state, budget);
        }
        HirKind::Capture(capture) => {
            state.write_u8(6);
            state.write_u32(capture.index);
            capture.name.hash(state);
            feed(&capture.sub, state, budget);
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            state.write_u8(if matches!(hir.kind(), HirKind::Concat(_)) {
                7
            } else {
                8
            });
            state.write_usize(subs.len());
            for sub in subs {
                feed(sub, state, budget);
            }
        }
    }
}

/// A small multiply-and-fold hasher for [`fingerprint`]: SipHash, the
/// standard one, cost more than the literal extraction it saved.
#[derive(Default)]
struct FoldHasher(u64);

impl Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        self.write_usize(bytes.len());
    }

    fn write_u64(&mut self, n: u64) {
        let folded = u128::from(self.0 ^ n) * 0x9E37_79B9_7F4A_7C15;
        self.0 = (folded as u64) ^ ((folded >> 64) as u64);
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(n.into());
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(n.into());
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Returns true for the parts [`part_sets`] reads: assertions and empty
/// strings require nothing.
fn has_literals(part: &Hir) -> bool {
    matches!(
        part.kind(),
        HirKind::Literal(_) | HirKind::Class(_) | HirKind::Alternation(_)
    )
}

/// Collects the prefix and the suffix literal sets of one part of a
/// pattern, with the word boundaries every match of the part has at its
/// ends (its own, or `around` it in the sequence).
fn part_sets(part: &Hir, around: Bounds, out: &mut Vec<(usize, Vec<Needle>)>) {
    if !has_literals(part) {
        return;
    }
    let properties = part.properties();
    let edges = Bounds {
        start: around.start || properties.look_set_prefix().contains(Look::WordAscii),
        end: around.end || properties.look_set_suffix().contains(Look::WordAscii),
    };
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let prefix = matches!(kind, ExtractKind::Prefix);
        let mut seq = Extractor::new().kind(kind).extract(part);
        // Minimizing keeps the shortest prefixes; suffixes are read from
        // their ends.
        if !prefix {
            seq.reverse_literals();
        }
        seq.minimize_by_preference();
        if !prefix {
            seq.reverse_literals();
        }
        let Some(literals) = seq.literals() else {
            continue;
        };
        // A prefix starts where the part starts, and ends where it ends
        // only when it is a whole match; a suffix the other way round.
        let mut set: Vec<Needle> = literals
            .iter()
            .map(|l| Needle {
                bytes: l.as_bytes().to_vec(),
                bounds: Bounds {
                    start: edges.start && (prefix || l.is_exact()),
                    end: edges.end && (!prefix || l.is_exact()),
                },
            })
            .collect();
        set.sort();
        set.dedup();
        if !set.iter().any(|n| n.bytes.is_empty()) && !set.is_empty() {
            out.push((shortest(&set), set));
        }
    }
    if matches!(part.kind(), HirKind::Alternation(_)) {
        for set in branch_sets(part, edges) {
            out.push((shortest(&set), set));
        }
    }
}

#[cfg(test)]
mod tests {
    use regex::bytes::Regex;
    use regex_syntax::ParserBuilder;

    use super::*;

    /// Builds the filter from regex sources.
    fn filter(sources: &[&str]) -> Prefilter {
        let parsed: Vec<Hir> = sources
            .iter()
            .map(|s| ParserBuilder::new().utf8(false).build().parse(s).unwrap())
            .collect();
        Prefilter::build(&parsed)
    }

    /// The filter must never hide a pattern from a string it matches.
    fn check(sources: &[&str], haystacks: &[&str]) {
        let filter = filter(sources);
        for haystack in haystacks {
            let maybe = filter.candidates(haystack.as_bytes());
            for (index, source) in sources.iter().enumerate() {
                let matches = Regex::new(source).unwrap().is_match(haystack.as_bytes());
                assert!(
                    !matches || maybe.contains(&index),
                    "{source:?} matches {haystack:?} but was filtered out"
                );
            }
        }
    }

    /// The part cache gives every part the sets a fresh extraction gives,
    /// also when two different parts share a fingerprint.
    #[test]
    fn part_cache_gives_each_part_its_own_sets() {
        let parse = |source: &str| {
            ParserBuilder::new()
                .utf8(false)
                .build()
                .parse(source)
                .unwrap()
        };
        // Two alternations alike in their first nodes and their lengths,
        // so alike to the fingerprint, that differ in their last word.
        let words: Vec<String> = (0..100).map(|i| format!("w{i:03}")).collect();
        let mut other = words.clone();
        other[99] = "x099".to_string();
        let parts: Vec<Hir> = [
            "(?:venmo|zelle)".to_string(),
            "(?:venmo|zelle)".to_string(),
            "(?:venmo|paypal)".to_string(),
            "cash".to_string(),
            "[xyz]".to_string(),
            format!("(?:{})", words.join("|")),
            format!("(?:{})", other.join("|")),
        ]
        .iter()
        .map(|s| parse(s))
        .collect();
        assert_eq!(
            fingerprint(&parts[5]),
            fingerprint(&parts[6]),
            "the test needs a collision"
        );
        let mut cache = PartCache::default();
        for _ in 0..2 {
            for part in &parts {
                for around in [Bounds::default(), Bounds::BOTH] {
                    let (mut cached, mut fresh) = (Vec::new(), Vec::new());
                    cache.part_sets(part, around, &mut cached);
                    part_sets(part, around, &mut fresh);
                    assert!(!fresh.is_empty());
                    assert_eq!(cached, fresh, "{part:?}");
                }
            }
        }
    }

    #[test]
    fn keeps_every_pattern_that_matches() {
        check(
            &[
                r"(?-u:\b)pay(?-u:[ ,])+(?:me(?-u:[ ,])+)?directly(?-u:\b)",
                r"(?:(?:just)(?-u:[ ,])+)?(?:venmo|cash app)(?-u:[ ,])+me",
                r"(?-u:\b)\d+ ?(?:dollars|bucks)(?-u:\b)",
                r"(?-u:[a-z])+ (?-u:[a-z])+",
                r"(?-u:\b)cancel(?-u:[a-z0-9\x80-\xff'])*",
            ],
            &[
                "pay me directly",
                "just venmo me",
                "cash app me now",
                "that is 40 dollars",
                "anything at all",
                "i cancelled",
                "",
                "nothing here",
            ],
        );
    }

    #[test]
    fn skips_patterns_whose_literals_are_absent() {
        let filter = filter(&[
            r"(?-u:\b)venmo me",
            r"cash ?app",
            r"(?:they|we) (?:broke|cracked) (?:mirror|screen)",
        ]);
        let none: Vec<usize> = Vec::new();
        assert_eq!(filter.candidates(b"see you at noon"), none);
        assert_eq!(filter.candidates(b"venmo me"), vec![0]);
        // Each selective part must be there, not only the first.
        assert_eq!(filter.candidates(b"we fixed the screen"), none);
        assert_eq!(filter.candidates(b"it cracked, i think"), none);
        // Words nearly every message has are not looked for.
        assert_eq!(filter.candidates(b"it cracked the mirror"), vec![2]);
        assert_eq!(
            filter.candidates(b"they cracked the screen, venmo me"),
            vec![0, 2]
        );
        assert_eq!(filter.unfiltered(), 0);
    }

    #[test]
    fn needs_words_where_the_pattern_has_word_boundaries() {
        let sources = [
            r"(?-u:\b)(?:son|kid)(?-u:\b)(?: +[a-z]+){0,3} +(?-u:\b)alone(?-u:\b)",
            r"(?-u:\b)cancel[a-z]*",
            r"(?-u:\b)at +(?-u:\b)home",
        ];
        let filter = filter(&sources);
        let none: Vec<usize> = Vec::new();
        // `son` inside `person`, `cancel` inside `uncancelled`.
        assert_eq!(filter.candidates(b"that person was alone"), none);
        assert_eq!(filter.candidates(b"uncancelled"), none);
        assert_eq!(filter.candidates(b"my son was alone"), vec![0]);
        assert_eq!(filter.candidates(b"cancelled"), vec![1]);
        assert_eq!(filter.candidates(b"hat homes, at home"), vec![2]);
        check(
            &sources,
            &[
                "personal son alone",
                "kid_alone son alone",
                "son, alone",
                "reason: kid is alone",
                "at_home at homestead",
            ],
        );
    }

    #[test]
    fn common_words_are_sorted_for_binary_search() {
        assert!(COMMON_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(rarity(b"the"), 3);
        assert_eq!(rarity(b"sms"), 6);
        assert!(rarity(b"in") < rarity(b"not"));
    }

    #[test]
    fn looks_for_the_rarest_word_of_each_branch() {
        let filter = filter(&[
            r"(?-u:\b)(?:my(?-u:[ ,])+son|the(?-u:[ ,])+youngest|our(?-u:[ ,])+kids?)(?-u:\b)",
        ]);
        let none: Vec<usize> = Vec::new();
        // The branches' prefixes (`my`, `the`, `our`) are not enough.
        assert_eq!(filter.candidates(b"my tv and the wall, our house"), none);
        assert_eq!(filter.candidates(b"my son"), vec![0]);
        assert_eq!(filter.candidates(b"our kids"), vec![0]);
        // `son` must stand as a word, as in the pattern.
        assert_eq!(filter.candidates(b"my person"), none);
        check(
            &[r"(?-u:\b)(?:my(?-u:[ ,])+son|the(?-u:[ ,])+youngest|our(?-u:[ ,])+kids?)(?-u:\b)"],
            &[
                "my son",
                "the youngest",
                "our kid",
                "our kids",
                "my  son",
                "the,youngest",
            ],
        );
    }

    #[test]
    fn needs_every_selective_word_of_the_branch_that_matched() {
        let source = r"(?-u:\b)(?:my son (?:is|was) alone|our kids? (?:is|are) unattended)";
        let filter = filter(&[source]);
        let none: Vec<usize> = Vec::new();
        // One word of each pair is not enough.
        assert_eq!(filter.candidates(b"my son is fine"), none);
        assert_eq!(filter.candidates(b"left it alone"), none);
        assert_eq!(filter.candidates(b"my son was alone"), vec![0]);
        assert_eq!(filter.candidates(b"our kids are unattended"), vec![0]);
        check(
            &[source],
            &[
                "my son is alone",
                "our kid is unattended",
                "our kids are unattended",
            ],
        );
    }

    #[test]
    fn runs_patterns_without_literals_everywhere() {
        let filter = filter(&[r"(?-u:[a-z])+"]);
        assert_eq!(filter.unfiltered(), 1);
        assert_eq!(filter.candidates(b"12"), vec![0]);
    }

    #[test]
    fn marks_of_one_call_never_leak_into_the_next() {
        let mut scratch = Scratch {
            stamp: u32::MAX - 1,
            ..Scratch::default()
        };
        let marks = scratch.start(2, 2, 2);
        marks.set_done(0);
        assert!(marks.meet(1));
        assert!(!marks.meet(1), "a requirement is met once per call");
        assert_eq!((marks.count(0), marks.count(0)), (1, 2));
        // The next call wraps the stamp around: nothing is marked.
        let marks = scratch.start(2, 2, 2);
        assert!(!marks.done(0));
        assert!(marks.meet(1));
        assert_eq!(marks.count(0), 1);
        let marks = scratch.start(2, 2, 2);
        assert_eq!(marks.stamp, 2);
        assert!(!marks.done(0) && marks.meet(1));
    }
}
