//! The timestamp of every log line: the fmt subscriber's own format, RFC
//! 3339 in UTC with microseconds (`2026-12-04T18:40:01.123456Z`), with the
//! date and time of day worked out once a second per thread instead of on
//! every line.
//!
//! The subscriber's clock converts the time to a calendar date and formats
//! seven numbers through `core::fmt` for each line: about 2,400
//! instructions, a sixth of the `screened` line a redacted or blocked
//! message logs (callgrind). This one formats the microseconds only, and
//! the rest when the second changes.

use std::{
    cell::Cell,
    fmt,
    time::{SystemTime, UNIX_EPOCH},
};

use tracing_subscriber::fmt::{format::Writer, time::FormatTime};

/// `YYYY-MM-DDTHH:MM:SS`, the part of a timestamp that changes once a second.
type Seconds = [u8; 19];

/// Formats log timestamps exactly as `tracing_subscriber`'s default
/// `SystemTime` clock does, caching the seconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogClock;

impl FormatTime for LogClock {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        thread_local! {
            static LAST: Cell<Option<(u64, Seconds)>> = const { Cell::new(None) };
        }
        let Ok(now) = SystemTime::now().duration_since(UNIX_EPOCH) else {
            // Before 1970: the subscriber's own clock knows how to write it.
            return tracing_subscriber::fmt::time::SystemTime.format_time(w);
        };
        let secs = now.as_secs();
        let seconds = match LAST.get() {
            Some((last, text)) if last == secs => text,
            _ => match format_seconds(secs) {
                Some(text) => {
                    LAST.set(Some((secs, text)));
                    text
                }
                // After 9999: likewise.
                None => return tracing_subscriber::fmt::time::SystemTime.format_time(w),
            },
        };
        let mut fraction = *b".000000Z";
        write_digits(&mut fraction[1..7], u64::from(now.subsec_micros()));
        w.write_str(ascii(&seconds))?;
        w.write_str(ascii(&fraction))
    }
}

/// `YYYY-MM-DDTHH:MM:SS` for `secs` after the Unix epoch, in UTC; `None`
/// after the year 9999.
fn format_seconds(secs: u64) -> Option<Seconds> {
    let days = secs / 86_400;
    let of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    if year > 9999 {
        return None;
    }
    let mut text = *b"0000-00-00T00:00:00";
    write_digits(&mut text[0..4], year);
    write_digits(&mut text[5..7], month);
    write_digits(&mut text[8..10], day);
    write_digits(&mut text[11..13], of_day / 3600);
    write_digits(&mut text[14..16], of_day / 60 % 60);
    write_digits(&mut text[17..19], of_day % 60);
    Some(text)
}

/// The proleptic Gregorian (year, month, day) of `days` after 1970-01-01
/// (Howard Hinnant's `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shifted to 0000-03-01, so that a leap day ends its year.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// Writes `value`'s last `out.len()` decimal digits into `out`, zero-padded.
fn write_digits(out: &mut [u8], mut value: u64) {
    for byte in out.iter_mut().rev() {
        // `value % 10` is a digit, so the cast cannot truncate.
        *byte = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// The text of bytes this module wrote: ASCII digits and separators.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_across_leap_days_and_centuries() {
        let cases = [
            (0, "1970-01-01T00:00:00"),
            (951_782_400, "2000-02-29T00:00:00"),
            (951_868_799, "2000-02-29T23:59:59"),
            (1_764_876_001, "2025-12-04T19:20:01"),
            (1_798_761_599, "2026-12-31T23:59:59"),
            (4_107_542_400, "2100-03-01T00:00:00"),
            (253_402_300_799, "9999-12-31T23:59:59"),
        ];
        for (secs, expected) in cases {
            let text = format_seconds(secs).map(|t| ascii(&t).to_string());
            assert_eq!(text.as_deref(), Some(expected), "{secs}");
        }
        assert_eq!(format_seconds(253_402_300_800), None);
    }

    /// Against the subscriber's own clock, read in the same second.
    #[test]
    fn writes_what_the_subscribers_clock_writes() {
        let stamp = |clock: &dyn FormatTime| {
            let mut text = String::new();
            clock.format_time(&mut Writer::new(&mut text)).unwrap();
            text
        };
        for _ in 0..20 {
            let ours = stamp(&LogClock);
            let theirs = stamp(&tracing_subscriber::fmt::time::SystemTime);
            assert_eq!(ours.len(), theirs.len(), "{ours} {theirs}");
            assert!(ours.ends_with('Z') && ours.as_bytes()[19] == b'.', "{ours}");
            // The same second, unless the clock ticked over between the two.
            if ours[..19] == theirs[..19] {
                return;
            }
        }
        panic!("the two clocks never agreed on the second");
    }
}
