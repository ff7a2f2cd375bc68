//! Numbering-plan validity for the phone detector: is a number valid in its
//! country, per the numbering-plan metadata of the `phonenumber` crate.
//!
//! Input: ASCII digits, either a ten-digit NANP national number or the
//! digits written after a `+` (country code, then national number). Output:
//! true or false, the answer `phonenumber::parse` then
//! `phonenumber::is_valid` give (phonenumber 0.3: `parser::parse_with`,
//! `validator::{is_valid_with, source_for, number_type}`).
//!
//! Why not call the crate (issue 7): it keeps its compiled patterns in one
//! process-wide `Mutex` around an LRU cache of 100 regexes keyed by pattern
//! text, so every pattern test locks, hashes a long pattern, and numbers of
//! many countries evict and recompile each other's patterns. Profiles showed
//! it as the largest cost of screening. Here every metadata pattern gets a
//! `OnceLock` slot in a static table and is compiled on first use, anchored;
//! after that a check is a few regex searches, with no lock and, on the
//! usual path, no allocation.
//!
//! What the crate does, and so what this does:
//! - the country code is the first one to three digits that name a known
//!   code, shortest first; a leading `0` is no code;
//! - the region is the code's only region, else the first (main region
//!   first) whose leading digits start the number or, when it declares
//!   none, for which the number has a type;
//! - the national prefix (and a carrier code) is stripped per the region's
//!   `national_prefix_for_parsing` and transform rule, then the plain
//!   national prefix once more, unless what is left is too short for the
//!   region; the region for this step is chosen with leading zeros ignored;
//! - the national number then has 2 to 17 digits and is valid when it
//!   matches the region's general pattern and the pattern of some type
//!   (fixed line, mobile, toll free, premium, shared cost, VoIP, personal,
//!   pager, UAN, voicemail), each with its possible lengths.
//!
//! A pattern matches at the START of the number, not necessarily to its end:
//! the crate tests `find(..).start() == 0`, where libphonenumber requires a
//! whole match. We keep the crate's reading so that answers do not change;
//! the tests compare both over the metadata's example numbers, their
//! mutations and random numbers. Patterns are compiled without Unicode
//! classes (`\d` is `[0-9]`), which changes nothing on ASCII digits.

use std::{
    borrow::Cow,
    sync::{LazyLock, OnceLock},
};

use phonenumber::{
    Metadata,
    country::Id,
    metadata::{DATABASE, Descriptor},
};
use regex::{Regex, RegexBuilder};

/// The crate's bounds on a national number's digits (`MIN_LENGTH_FOR_NSN`,
/// `MAX_LENGTH_FOR_NSN`).
const NATIONAL_DIGITS: std::ops::RangeInclusive<usize> = 2..=17;

/// The crate keeps a national number in 56 bits, leading zeros aside.
const NATIONAL_VALUE_LIMIT: u64 = 1 << 56;

/// Every calling code's regions, built on first use; the patterns inside
/// compile later still, each on its own first use.
static PLAN: LazyLock<Plan> = LazyLock::new(Plan::build);

/// Returns true when the ten digits `national` are a valid North American
/// number, as `phonenumber::parse(Some(US), national)` then `is_valid`
/// judge it.
///
/// The phone detector asks only about ten digits whose first is 2–9 (an
/// area code); anything else is not a NANP number here. (The crate reads a
/// leading `011` or `1` of other strings as a dialling prefix.)
pub(super) fn valid_nanp(national: &str) -> bool {
    let b = national.as_bytes();
    if b.len() != 10 || !b.iter().all(u8::is_ascii_digit) || b[0] < b'2' {
        return false;
    }
    let Some(code) = PLAN.code(1) else {
        return false;
    };
    let Some(us) = code.regions.iter().find(|r| r.meta.id() == "US") else {
        return false;
    };
    valid_parsed(code, Some(us), national)
}

/// Returns true when `+digits` is a valid number of some country, as
/// `phonenumber::parse(None, "+digits")` then `is_valid` judge it.
pub(super) fn valid_international(digits: &str) -> bool {
    // The crate's parser wants three digits after the `+` and no leading
    // zero in the country code.
    if digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return false;
    }
    let Some((code, national)) = (1..=3).find_map(|len| {
        let code = PLAN.code(digits.get(..len)?.parse().ok()?)?;
        Some((code, digits.get(len..)?))
    }) else {
        return false;
    };
    let region = code.source(national.trim_start_matches('0'));
    valid_parsed(code, region, national)
}

/// Builds the table and compiles the patterns that choose the region of a
/// NANP number: the leading digits of every region of calling code 1, and
/// all patterns of the regions without (US, CA), so that the first request
/// pays nothing. The other regions' number patterns (under a millisecond
/// each) compile when a number of theirs first shows up: compiling all of
/// code 1 up front took four times as long (13 ms against 3 in a debug
/// build).
pub(super) fn prepare_nanp() {
    for region in PLAN.code(1).map_or(&[][..], |c| &c.regions) {
        match &region.leading_digits {
            Some(leading) => {
                leading.regex();
            }
            None => {
                region.force();
            }
        }
    }
}

/// Strips the national prefix as the crate's parser does, checks the
/// crate's length and value bounds, and answers `is_valid`.
fn valid_parsed(code: &Code, region: Option<&Region>, national: &str) -> bool {
    let national = match region {
        Some(region) => {
            let stripped = region.strip_national_prefix(national);
            if region.too_short(stripped.len()) {
                Cow::Borrowed(national)
            } else {
                stripped
            }
        }
        None => Cow::Borrowed(national),
    };
    if !NATIONAL_DIGITS.contains(&national.len()) {
        return false;
    }
    // `NationalNumber::from_str`: leading zeros are counted apart, the rest
    // must be a number below 2^56; its `Display` gives back the same digits.
    let significant = national.trim_start_matches('0');
    if significant
        .parse::<u64>()
        .map_or(true, |v| v >= NATIONAL_VALUE_LIMIT)
    {
        return false;
    }
    code.source(&national)
        .is_some_and(|region| region.has_type(&national))
}

/// The regions of every calling code, indexed by code (codes have at most
/// three digits).
struct Plan {
    codes: Vec<Option<Code>>,
}

impl Plan {
    fn build() -> Plan {
        let codes = (0..1000u16)
            .map(|value| {
                let metas = DATABASE.by_code(&value)?;
                let ids = DATABASE.region(&value)?;
                // A lone region is found by id, `001` (non-geographic) by
                // code; an id the crate cannot parse finds nothing.
                let resolvable = match ids.as_slice() {
                    [id] => *id == "001" || id.parse::<Id>().is_ok(),
                    _ => true,
                };
                Some(Code {
                    regions: metas.into_iter().map(Region::new).collect(),
                    resolvable,
                })
            })
            .collect();
        Plan { codes }
    }

    fn code(&self, value: u16) -> Option<&Code> {
        self.codes.get(usize::from(value))?.as_ref()
    }
}

/// One calling code: its regions, main region first (the crate's order).
struct Code {
    regions: Vec<Region>,
    /// False when the crate cannot name the code's only region.
    resolvable: bool,
}

impl Code {
    /// Returns the region whose metadata judges `national` (the crate's
    /// `source_for`).
    fn source(&self, national: &str) -> Option<&Region> {
        match self.regions.as_slice() {
            [only] => self.resolvable.then_some(only),
            regions => regions.iter().find(|r| match &r.leading_digits {
                Some(leading) => leading.matches_start(national),
                None => r.has_type(national),
            }),
        }
    }
}

/// One region's metadata and its patterns.
struct Region {
    meta: &'static Metadata,
    general: Desc,
    /// The types `number_type` knows. The order does not change the answer;
    /// fixed line and mobile come first as the most frequent.
    types: Vec<Desc>,
    leading_digits: Option<Pattern>,
    prefix_for_parsing: Option<Pattern>,
}

impl Region {
    fn new(meta: &'static Metadata) -> Region {
        let d = meta.descriptors();
        let types = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .map(Desc::new)
        .collect();
        Region {
            meta,
            general: Desc::new(d.general()),
            types,
            leading_digits: meta.leading_digits().map(|p| Pattern::new(p.as_str())),
            prefix_for_parsing: meta
                .national_prefix_for_parsing()
                .map(|p| Pattern::new(p.as_str())),
        }
    }

    /// Returns true when `national` has a known type here (the crate's
    /// `number_type(..) != Type::Unknown`).
    fn has_type(&self, national: &str) -> bool {
        self.general.matches(national) && self.types.iter().any(|t| t.matches(national))
    }

    /// Returns `national` without its national prefix, as the crate's
    /// `parser::helper::national_number` and the strip after it leave it.
    fn strip_national_prefix<'a>(&self, national: &'a str) -> Cow<'a, str> {
        let prefix = self.meta.national_prefix();
        let mut out = Cow::Borrowed(national);
        match self.prefix_for_parsing.as_ref().and_then(Pattern::regex) {
            None => {
                if let Some(rest) = prefix.and_then(|p| national.strip_prefix(p)) {
                    out = Cow::Borrowed(rest);
                }
            }
            Some(parsing) => {
                if let Some(caps) = parsing.captures(national) {
                    let end = caps.get(0).map_or(0, |m| m.end());
                    let last = caps.get(caps.len() - 1);
                    match self.meta.national_prefix_transform_rule() {
                        Some(rule) if last.is_some() => {
                            // The crate keeps the number when the transform
                            // breaks a number the general pattern accepted.
                            let transformed = parsing.replace(national, rule).into_owned();
                            if !self.general.matches(national) || self.general.matches(&transformed)
                            {
                                out = Cow::Owned(transformed);
                            }
                        }
                        // The crate's check here compares the number with
                        // itself, so the prefix is always stripped.
                        _ => out = Cow::Borrowed(national.get(end..).unwrap_or("")),
                    }
                }
            }
        }
        // Then the parser strips the plain national prefix once more.
        if let Some(p) = prefix
            && out.starts_with(p)
        {
            out = match out {
                Cow::Borrowed(s) => Cow::Borrowed(s.get(p.len()..).unwrap_or("")),
                Cow::Owned(s) => Cow::Owned(s.get(p.len()..).unwrap_or("").to_owned()),
            };
        }
        out
    }

    /// Returns true when `len` digits are too short for this region (the
    /// crate's `validator::length(..) == TooShort` for the general type).
    fn too_short(&self, len: usize) -> bool {
        let d = self.meta.descriptors().general();
        let is = |lengths: &[u16]| lengths.iter().any(|&l| usize::from(l) == len);
        d.possible_length()
            .first()
            .is_some_and(|&min| len < usize::from(min))
            && !is(d.possible_local_length())
    }

    /// Compiles every pattern now; returns false if one does not compile.
    fn force(&self) -> bool {
        let mut ok = self.general.pattern.regex().is_some();
        for t in &self.types {
            ok &= t.pattern.regex().is_some();
        }
        for p in [&self.leading_digits, &self.prefix_for_parsing]
            .into_iter()
            .flatten()
        {
            ok &= p.regex().is_some();
        }
        ok
    }
}

/// A number type's pattern and possible lengths.
struct Desc {
    lengths: &'static [u16],
    pattern: Pattern,
}

impl Desc {
    fn new(d: &'static Descriptor) -> Desc {
        Desc {
            lengths: d.possible_length(),
            pattern: Pattern::new(d.national_number().as_str()),
        }
    }

    /// The crate's `Descriptor::is_match`.
    fn matches(&self, national: &str) -> bool {
        (self.lengths.is_empty()
            || self
                .lengths
                .iter()
                .any(|&l| usize::from(l) == national.len()))
            && self.pattern.matches_start(national)
    }
}

/// A metadata pattern, compiled on first use.
struct Pattern {
    source: &'static str,
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn new(source: &'static str) -> Pattern {
        Pattern {
            source,
            regex: OnceLock::new(),
        }
    }

    /// Returns the compiled pattern, or `None` when it does not compile
    /// (the crate would panic; a unit test compiles them all).
    fn regex(&self) -> Option<&Regex> {
        self.regex.get_or_init(|| compile(self.source)).as_ref()
    }

    /// Returns true when the pattern matches at the start of `s`.
    fn matches_start(&self, s: &str) -> bool {
        self.regex().is_some_and(|r| r.is_match(s))
    }
}

/// Compiles a metadata pattern anchored at the start, whitespace ignored as
/// the crate compiles it.
fn compile(source: &str) -> Option<Regex> {
    // The newline ends a trailing `#` comment, which `(?x)` allows.
    let anchored = format!("^(?:{source}\n)");
    let build = |unicode| {
        RegexBuilder::new(&anchored)
            .ignore_whitespace(true)
            .unicode(unicode)
            .build()
    };
    // Without Unicode classes the automata are smaller; a pattern that needs
    // Unicode mode (it could match non-UTF-8 otherwise) keeps it.
    build(false).or_else(|_| build(true)).ok()
}

#[cfg(test)]
mod tests;
