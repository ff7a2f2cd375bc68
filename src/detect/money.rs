//! Money amounts in the text view: `$2,400`, `2400 dollars`, `$2.4k`,
//! `2 grand`, `two thousand dollars`, `dos mil dólares`.
//!
//! Input: the (lowercased) text view of a message. Output: each amount's
//! byte range in the view and its value in whole cents. The phrase detector
//! uses [`PATTERN`] for the `<money>` token of wordlist patterns and
//! [`amounts`] to say whether reported damage is over the policy's line.
//!
//! Number words are language, not policy: the English and Spanish ones
//! live here, like the digit view's; what an amount *means* (a price, a
//! damage estimate) is left to the wordlists.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// Currency words that may follow a number.
const UNITS: &str =
    "dollars?|bucks|usd|d[oó]lares|dolares|pesos|euros?|eur|pounds|quid|grand|mil d[oó]lares";

/// English and Spanish number words, longest first within a stem.
const NUMBER_WORDS: &str = "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\
thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|\
seventy|eighty|ninety|hundred|thousand|million|a|an|and|\
un|uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|\
diecis[eé]is|diecisiete|dieciocho|diecinueve|veinte|veinti[a-zé]+|treinta|cuarenta|cincuenta|\
sesenta|setenta|ochenta|noventa|cien|ciento|doscientos|trescientos|cuatrocientos|quinientos|\
seiscientos|setecientos|ochocientos|novecientos|mil|mill[oó]n|millones|y";

/// The regex source (bytes mode, lowercase input) of one money amount.
///
/// A currency sign with digits (`$50`, `$ 2,400.00`, `$2.4k`), digits with
/// a currency word (`2400 dollars`, `2 grand`, `60 dólares`), or number
/// words with a currency word (`two thousand dollars`, `dos mil dólares`).
pub static PATTERN: LazyLock<String> = LazyLock::new(|| {
    let num = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]+)?";
    format!(
        r"(?:[$€£] ?(?:{num})(?:k(?-u:\b))?|(?-u:\b)(?:{num}) ?k? ?(?:{UNITS})(?-u:\b)|(?-u:\b)(?:(?:{NUMBER_WORDS})[ -])*(?:{NUMBER_WORDS}) (?:{UNITS})(?-u:\b))"
    )
});

static AMOUNT: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(&PATTERN).ok());

/// Returns every amount in `text` (a lowercased view) with its value in cents.
pub fn amounts(text: &str) -> Vec<(std::ops::Range<usize>, u64)> {
    let Some(re) = AMOUNT.as_ref() else {
        return Vec::new();
    };
    re.find_iter(text.as_bytes())
        .filter_map(|m| {
            let s = text.get(m.range())?;
            parse(s).map(|cents| (m.range(), cents))
        })
        .collect()
}

/// Parses one amount as matched by [`PATTERN`] into cents; `None` when it
/// holds no number.
pub fn parse(amount: &str) -> Option<u64> {
    let s = amount.trim();
    let first_digit = s.find(|c: char| c.is_ascii_digit());
    let cents = match first_digit {
        Some(start) => {
            let rest = &s[start..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
                .unwrap_or(rest.len());
            let digits: String = rest[..end].chars().filter(|c| *c != ',').collect();
            let value: f64 = digits.trim_end_matches('.').parse().ok()?;
            let tail = rest[end..].trim_start();
            let thousands = tail.starts_with("grand") || tail.starts_with("mil ");
            let scale = if thousands || tail.starts_with('k') {
                1000.0
            } else {
                1.0
            };
            value * scale * 100.0
        }
        None => words_value(s)? as f64 * 100.0,
    };
    (0.0..1e17).contains(&cents).then_some(cents.round() as u64)
}

/// Adds up number words (`two thousand four hundred`, `dos mil`).
fn words_value(s: &str) -> Option<u64> {
    let (mut total, mut current, mut seen) = (0u64, 0u64, false);
    for word in s.split([' ', '-']) {
        let small = match word {
            "a" | "an" | "un" | "uno" | "una" | "one" => Some(1),
            "two" | "dos" => Some(2),
            "three" | "tres" => Some(3),
            "four" | "cuatro" => Some(4),
            "five" | "cinco" => Some(5),
            "six" | "seis" => Some(6),
            "seven" | "siete" => Some(7),
            "eight" | "ocho" => Some(8),
            "nine" | "nueve" => Some(9),
            "ten" | "diez" => Some(10),
            "eleven" | "once" => Some(11),
            "twelve" | "doce" => Some(12),
            "thirteen" | "trece" => Some(13),
            "fourteen" | "catorce" => Some(14),
            "fifteen" | "quince" => Some(15),
            "sixteen" | "dieciséis" | "dieciseis" => Some(16),
            "seventeen" | "diecisiete" => Some(17),
            "eighteen" | "dieciocho" => Some(18),
            "nineteen" | "diecinueve" => Some(19),
            "twenty" | "veinte" => Some(20),
            "thirty" | "treinta" => Some(30),
            "forty" | "cuarenta" => Some(40),
            "fifty" | "cincuenta" => Some(50),
            "sixty" | "sesenta" => Some(60),
            "seventy" | "setenta" => Some(70),
            "eighty" | "ochenta" => Some(80),
            "ninety" | "noventa" => Some(90),
            "cien" | "ciento" => Some(100),
            "doscientos" => Some(200),
            "trescientos" => Some(300),
            "cuatrocientos" => Some(400),
            "quinientos" => Some(500),
            "seiscientos" => Some(600),
            "setecientos" => Some(700),
            "ochocientos" => Some(800),
            "novecientos" => Some(900),
            w if w.starts_with("veinti") => {
                let unit = words_value(&w["veinti".len()..]).unwrap_or(0);
                Some(20 + unit.min(9))
            }
            _ => None,
        };
        if let Some(v) = small {
            current = current.saturating_add(v);
            seen = true;
            continue;
        }
        match word {
            "hundred" => current = current.max(1).saturating_mul(100),
            "thousand" | "mil" | "grand" => {
                total = total.saturating_add(current.max(1).saturating_mul(1000));
                current = 0;
                seen = true;
            }
            "million" | "millón" | "millon" | "millones" => {
                total = total.saturating_add(current.max(1).saturating_mul(1_000_000));
                current = 0;
                seen = true;
            }
            _ => {}
        }
    }
    seen.then_some(total.saturating_add(current))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, u64)> {
        amounts(text)
            .into_iter()
            .map(|(r, c)| (&text[r], c))
            .collect()
    }

    #[test]
    fn compiles_the_pattern() {
        assert!(AMOUNT.is_some());
    }

    #[test]
    fn reads_amounts_in_every_notation() {
        assert_eq!(
            found("quote is $2,400 or 2400 dollars, maybe $2.4k"),
            [
                ("$2,400", 240_000),
                ("2400 dollars", 240_000),
                ("$2.4k", 240_000)
            ]
        );
        assert_eq!(found("dos mil dólares"), [("dos mil dólares", 200_000)]);
        assert_eq!(
            found("two thousand four hundred dollars"),
            [("two thousand four hundred dollars", 240_000)]
        );
        assert_eq!(found("about 2 grand"), [("2 grand", 200_000)]);
        assert_eq!(found("$ 89.99 total"), [("$ 89.99", 8_999)]);
        assert_eq!(found("son $60 más"), [("$60", 6_000)]);
    }

    #[test]
    fn ignores_numbers_that_are_not_money() {
        assert!(found("order 112-3456789 at 2:30, 65 inch, 3 hours").is_empty());
        assert!(found("$mikefixes").is_empty());
    }
}
