//! Date reading. The node only accepts strict YYYY-MM-DD; sources write "12 Jan 1970",
//! "1970", "circa 1965", "1960 to 1962" or timestamps. Only a date that names one day is
//! usable: a year or an approximation would claim a precision the source never gave.

use chrono::NaiveDate;

/// How much of a date a source value gives.
#[derive(Debug, PartialEq, Eq)]
pub enum Loose {
    /// One exact day.
    Full(NaiveDate),
    /// A year, a month, a range or an approximation: real information, but not a date.
    Partial,
    /// Not recognisable as a date at all.
    Unreadable,
}

/// Parses strict ISO 8601 calendar dates only (chrono alone would accept "2026-3-4").
pub fn strict(value: &str) -> Option<NaiveDate> {
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
}

/// The node's date format.
pub fn format(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Reads the date forms found in the supported sources.
pub fn loose(value: &str) -> Loose {
    let value = value.trim().trim_end_matches('.');
    if let Some(date) = full_date(value) {
        return Loose::Full(date);
    }
    if is_partial(value) {
        return Loose::Partial;
    }
    Loose::Unreadable
}

fn full_date(value: &str) -> Option<NaiveDate> {
    if let Some(date) = strict(value) {
        return Some(date);
    }
    // Timestamps ("2023-01-05T10:00:00"): the day is exact, the time is irrelevant here.
    if value.len() > 10
        && matches!(value.as_bytes()[10], b'T' | b' ')
        && let Some(date) = value.get(..10).and_then(strict)
    {
        return Some(date);
    }
    // "12 Jan 1970" (OFAC, CSL), "12 January 1970", and the US "01/16/2009" of BIS notices.
    ["%d %b %Y", "%d %B %Y", "%m/%d/%Y"]
        .iter()
        .find_map(|pattern| NaiveDate::parse_from_str(value, pattern).ok())
}

fn is_partial(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let approximate = ["circa", "approx", "about", "c.", "between", " to ", " or ", " and "];
    if approximate.iter().any(|marker| lower.contains(marker)) {
        return true;
    }
    let year_month = value.len() == 7 && strict(&format!("{value}-01")).is_some();
    let year = value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit());
    let month_year = ["%d %b %Y", "%d %B %Y"]
        .iter()
        .any(|pattern| NaiveDate::parse_from_str(&format!("01 {value}"), pattern).is_ok());
    year || year_month || month_year
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Loose {
        Loose::Full(NaiveDate::from_ymd_opt(y, m, d).expect("test date"))
    }

    #[test]
    fn reads_full_dates() {
        assert_eq!(loose("1970-01-12"), day(1970, 1, 12));
        assert_eq!(loose("12 Jan 1970"), day(1970, 1, 12));
        assert_eq!(loose("12 January 1970"), day(1970, 1, 12));
        assert_eq!(loose("2023-05-01T08:15:00"), day(2023, 5, 1));
        assert_eq!(loose("01/16/2009"), day(2009, 1, 16));
    }

    #[test]
    fn years_and_approximations_are_partial() {
        for value in [
            "1970",
            "1970-05",
            "Jan 1970",
            "circa 1965",
            "1960 to 1962",
            "circa 12 Jan 1970",
        ] {
            assert_eq!(loose(value), Loose::Partial, "{value}");
        }
        assert_eq!(loose("2026-3-4"), Loose::Unreadable);
        assert_eq!(strict("2026-02-30"), None);
    }
}
