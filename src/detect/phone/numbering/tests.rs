//! The validator against `phonenumber::parse` + `phonenumber::is_valid`,
//! the answers it must reproduce (issue 7).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use phonenumber::country::Id;

use super::*;

/// The crate's answer for `+digits`.
fn crate_international(digits: &str) -> bool {
    phonenumber::parse(None, format!("+{digits}")).is_ok_and(|n| phonenumber::is_valid(&n))
}

/// The crate's answer for a NANP national number.
fn crate_nanp(national: &str) -> bool {
    phonenumber::parse(Some(Id::US), national).is_ok_and(|n| phonenumber::is_valid(&n))
}

/// Compares both validators on `digits` (written after a `+`) and, when
/// they read as a NANP national number, on that too; records mismatches.
fn compare(digits: &str, mismatches: &mut Vec<String>) {
    let ours = valid_international(digits);
    if ours != crate_international(digits) {
        mismatches.push(format!("+{digits}: ours {ours}"));
    }
    if let Some(national) = digits.strip_prefix('1')
        && national.len() == 10
        && national.as_bytes()[0] >= b'2'
    {
        let ours = valid_nanp(national);
        if ours != crate_nanp(national) {
            mismatches.push(format!("NANP {national}: ours {ours}"));
        }
    }
}

fn assert_none(mismatches: &[String], compared: usize) {
    assert!(
        mismatches.is_empty(),
        "{} of {compared} differ, first: {:#?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(20)]
    );
}

/// A small deterministic generator (xorshift64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn digits(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

#[test]
fn compiles_every_pattern_and_follows_the_crate_order() {
    for (value, code) in PLAN.codes.iter().enumerate() {
        let Some(code) = code else { continue };
        assert!(
            code.regions.iter().all(Region::force),
            "a pattern of +{value} does not compile"
        );
        let ids = DATABASE.region(&(value as u16)).unwrap();
        let ours: Vec<_> = code.regions.iter().map(|r| r.meta.id()).collect();
        assert_eq!(ours, ids, "+{value}");
    }
}

#[test]
fn agrees_with_the_crate_on_example_numbers_and_their_mutations() {
    let mut metas: Vec<_> = DATABASE.iter().collect();
    metas.sort_by_key(|m| (m.country_code(), m.id().to_string()));
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for meta in metas {
        let code = meta.country_code();
        let d = meta.descriptors();
        let descriptors = [
            Some(d.general()),
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.emergency(),
            d.voicemail(),
            d.short_code(),
            d.standard_rate(),
            d.carrier(),
            d.no_international(),
        ];
        for example in descriptors
            .into_iter()
            .flatten()
            .filter_map(|d| d.example())
        {
            let mut variants = vec![example.to_string(), format!("0{example}")];
            if let Some(prefix) = meta.national_prefix() {
                variants.push(format!("{prefix}{example}"));
            }
            variants.push(format!("{example}5"));
            variants.push(example.get(..example.len() - 1).unwrap_or("").to_string());
            for i in 0..example.len() {
                for step in [1, 3, 5, 8] {
                    let mut b = example.as_bytes().to_vec();
                    b[i] = b'0' + (b[i] - b'0' + step) % 10;
                    variants.push(String::from_utf8(b).unwrap());
                }
            }
            for v in variants {
                compare(&format!("{code}{v}"), &mut mismatches);
                compared += 1;
            }
        }
    }
    assert!(compared > 10_000, "only {compared} numbers compared");
    assert_none(&mismatches, compared);
}

#[test]
fn agrees_with_the_crate_on_random_numbers() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut mismatches = Vec::new();
    let mut compared = 0;
    // The countries our messages see most, every plausible length, with and
    // without a trunk zero.
    for code in [
        1, 44, 52, 34, 49, 33, 91, 61, 55, 7, 39, 31, 81, 86, 54, 57, 27, 353, 971, 63, 234, 90,
        48, 64,
    ] {
        for len in 4..=15 {
            for _ in 0..60 {
                compare(&format!("{code}{}", rng.digits(len)), &mut mismatches);
                let rest = rng.digits(len - 1);
                compare(&format!("{code}0{rest}"), &mut mismatches);
                compared += 2;
            }
        }
    }
    // Any digits at all, as a chain after a `+` may hold.
    for len in 1..=20 {
        for _ in 0..300 {
            compare(&rng.digits(len), &mut mismatches);
            compared += 1;
        }
    }
    // Every NANP area code, with exchanges of both kinds.
    for area in 200..=999 {
        for exchange in [rng.below(200), 200 + rng.below(800)] {
            let line = rng.below(10_000);
            compare(&format!("1{area}{exchange:03}{line:04}"), &mut mismatches);
            compared += 1;
        }
    }
    assert_none(&mismatches, compared);
}

#[test]
fn answers_known_numbers() {
    assert!(valid_nanp("2015550123"));
    assert!(!valid_nanp("5558675309"));
    assert!(!valid_nanp("1234567890"));
    assert!(valid_international("442079460958"));
    assert!(valid_international("4402079460958"), "trunk zero stripped");
    assert!(!valid_international("4479460958"));
    assert!(valid_international("523312345678"));
    assert!(
        !valid_international("5213312345678"),
        "the crate drops the old mobile 1"
    );
    assert!(!valid_international("0442079460958"));
    assert!(!valid_international("44"));
}
