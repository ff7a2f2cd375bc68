//! Check digits of payment credentials: Luhn (cards), ABA (US routing
//! numbers), CLABE (Mexican accounts), ISO 13616 mod-97 (IBAN), base58check
//! and bech32/bech32m (Bitcoin addresses).
//!
//! Input: candidate strings. Output: whether the check holds. A check is
//! what separates a credential from an order or tracking number of the same
//! length, so every function here is strict: anything malformed is `false`.

use sha2::{Digest, Sha256};

/// Returns true when the ASCII digits of `digits` pass the Luhn check.
pub(crate) fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    let mut count = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        count += 1;
    }
    count > 0 && sum.is_multiple_of(10)
}

/// Returns true when `digits` starts with the issuer prefix of a card
/// network that issues numbers of its length (Visa, Mastercard, Amex,
/// Discover, JCB, Diners, UnionPay, Maestro).
pub(crate) fn card_prefix(digits: &str) -> bool {
    let len = digits.len();
    let p = |n: usize| digits.get(..n).and_then(|s| s.parse::<u32>().ok());
    let (Some(p1), Some(p2), Some(p3), Some(p4)) = (p(1), p(2), p(3), p(4)) else {
        return false;
    };
    match p1 {
        4 => matches!(len, 13 | 16 | 19),
        5 => (51..=55).contains(&p2) && len == 16 || matches!(p2, 50 | 56..=58) && len >= 12,
        2 => (2221..=2720).contains(&p4) && len == 16,
        3 => {
            matches!(p2, 34 | 37) && len == 15
                || p2 == 35 && (16..=19).contains(&len)
                || (matches!(p2, 36 | 38 | 39) || (300..=305).contains(&p3))
                    && (14..=19).contains(&len)
        }
        6 => {
            (p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || p2 == 62 || p2 == 67)
                && (16..=19).contains(&len)
        }
        _ => false,
    }
}

/// Returns true when the nine digits pass the ABA routing checksum
/// (weights 3, 7, 1) and the first two digits are a Federal Reserve range.
pub(crate) fn aba(digits: &str) -> bool {
    let d: Vec<u32> = digits
        .bytes()
        .map(|b| u32::from(b.wrapping_sub(b'0')))
        .collect();
    if d.len() != 9 || d.iter().any(|&x| x > 9) {
        return false;
    }
    let prefix = d[0] * 10 + d[1];
    if !matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80) {
        return false;
    }
    let sum: u32 = d
        .iter()
        .zip([3, 7, 1].iter().cycle())
        .map(|(a, w)| a * w)
        .sum();
    sum.is_multiple_of(10) && d.iter().any(|&x| x != 0)
}

/// Returns true when the eighteen digits are a CLABE with a valid check digit.
pub(crate) fn clabe(digits: &str) -> bool {
    let d: Vec<u32> = digits
        .bytes()
        .map(|b| u32::from(b.wrapping_sub(b'0')))
        .collect();
    if d.len() != 18 || d.iter().any(|&x| x > 9) {
        return false;
    }
    let sum: u32 = d[..17]
        .iter()
        .zip([3, 7, 1].iter().cycle())
        .map(|(a, w)| (a * w) % 10)
        .sum();
    (10 - sum % 10) % 10 == d[17]
}

/// Returns true when `iban` (letters and digits, no spaces, any case) passes
/// the ISO 13616 mod-97 check.
pub(crate) fn iban(iban: &str) -> bool {
    let b = iban.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_alphabetic)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let mut rem = 0u32;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c.to_ascii_uppercase() - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Returns true when `s` is a base58check Bitcoin address (P2PKH or P2SH,
/// mainnet or testnet) with a valid double-SHA-256 checksum.
pub(crate) fn base58check(s: &str) -> bool {
    if !(25..=35).contains(&s.len()) {
        return false;
    }
    let mut bytes: Vec<u8> = Vec::with_capacity(25);
    for c in s.bytes() {
        let Some(mut carry) = BASE58.iter().position(|&x| x == c) else {
            return false;
        };
        for b in bytes.iter_mut().rev() {
            carry += usize::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend(bytes);
    if full.len() != 25 || !matches!(full[0], 0x00 | 0x05 | 0x6f | 0xc4) {
        return false;
    }
    let (payload, check) = full.split_at(21);
    let hash = Sha256::digest(Sha256::digest(payload));
    hash[..4] == *check
}

const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Returns true when `s` is a segwit address (`bc1…`, `tb1…`) whose bech32
/// or bech32m checksum holds.
pub(crate) fn bech32(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if lower != s && s.to_ascii_uppercase() != s {
        return false;
    }
    let Some(sep) = lower.rfind('1') else {
        return false;
    };
    let (hrp, data) = (&lower[..sep], &lower[sep + 1..]);
    if !matches!(hrp, "bc" | "tb") || !(14..=74).contains(&data.len()) {
        return false;
    }
    let mut values = Vec::with_capacity(hrp.len() * 2 + 1 + data.len());
    values.extend(hrp.bytes().map(|b| u32::from(b >> 5)));
    values.push(0);
    values.extend(hrp.bytes().map(|b| u32::from(b & 31)));
    for c in data.bytes() {
        let Some(v) = BECH32.iter().position(|&x| x == c) else {
            return false;
        };
        values.push(v as u32);
    }
    let check = polymod(&values);
    check == 1 || check == 0x2bc8_30a3
}

fn polymod(values: &[u32]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk = 1u32;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ v;
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_card_prefixes() {
        assert!(luhn("4111111111111111") && card_prefix("4111111111111111"));
        assert!(luhn("378282246310005") && card_prefix("378282246310005"));
        assert!(!luhn("4111111111111112"));
        // A USPS tracking number is no card.
        assert!(!card_prefix("9400100000000000000000"));
    }

    #[test]
    fn routing_clabe_and_iban() {
        assert!(aba("021000021") && aba("121000358"));
        assert!(!aba("021000022") && !aba("000000000"));
        assert!(clabe("002180700123456788"));
        assert!(!clabe("002180700123456789"));
        assert!(iban("GB82WEST12345698765432") && iban("de89370400440532013000"));
        assert!(!iban("GB82WEST12345698765433"));
    }

    #[test]
    fn bitcoin_addresses() {
        assert!(base58check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(base58check("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!base58check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
        assert!(bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(!bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp"));
    }
}
