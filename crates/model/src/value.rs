//! A typed field value of a normalized record, for entities stored column by column.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::fmt;

/// A date and time as the store and the exports write it: `2026-03-16T08:30:00` (to the
/// second). Written directly: chrono's `format` parses its pattern on every call, which
/// showed in profiles of million-row runs.
pub fn iso_datetime(t: &NaiveDateTime) -> String {
    use chrono::Timelike;
    format!("{}T{:02}:{:02}:{:02}", t.date(), t.hour(), t.minute(), t.second())
}

/// The digits of `bytes` as a number (all of them must be ASCII digits).
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

/// Exactly `YYYY-MM-DD` naming a valid date, read without chrono's format parser (which
/// gives the same date for it but parses its pattern on every call): the common case of
/// every date column, worth a shortcut at millions of cells.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(digits(&b[..4])?).ok()?, digits(&b[5..7])?, digits(&b[8..])?)
}

/// Exactly `YYYY-MM-DDTHH:MM:SS` (or with a space for `T`) naming a valid time, without
/// leap seconds; the shortcut of [`parse_iso_date`] for date-times.
pub fn parse_iso_datetime(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() != 19 || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = parse_iso_date(text.get(..10)?)?;
    let (h, m, s) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..])?);
    if s >= 60 {
        return None;
    }
    date.and_hms_opt(h, m, s)
}

/// One normalized field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Missing.
    Null,
    /// Text.
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A date and time.
    DateTime(NaiveDateTime),
    /// A decimal number or amount.
    Decimal(Decimal),
    /// A whole number.
    Integer(i64),
    /// Yes/no.
    Bool(bool),
}

impl Value {
    /// The value as the store writes it: ISO dates, plain decimals, `true`/`false`; `None` for null.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Text(s) => f.write_str(s),
            // NaiveDate's Display is %Y-%m-%d, without parsing a pattern on every call.
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(d) => f.write_str(&iso_datetime(d)),
            Value::Decimal(d) => write!(f, "{}", d.normalize()),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[cfg(test)]
mod iso_tests {
    use super::*;

    #[test]
    fn the_iso_shortcuts_agree_with_the_format_parser() {
        for text in
            ["2026-03-04", "1999-12-31", "2024-02-29", "2026-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "2026-3-04", "20260304"]
        {
            if let Some(d) = parse_iso_date(text) {
                assert_eq!(Ok(d), NaiveDate::parse_from_str(text, "%Y-%m-%d"), "{text}");
            }
        }
        for text in ["2026-03-04T10:15:00", "2026-03-04 23:59:59", "2026-03-04T24:00:00", "2026-03-04T10:15:60", "2026-02-30T10:15:00"] {
            let general = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"].iter().find_map(|f| NaiveDateTime::parse_from_str(text, f).ok());
            if let Some(dt) = parse_iso_datetime(text) {
                assert_eq!(Some(dt), general, "{text}");
            }
        }
        assert_eq!(
            parse_iso_datetime("2026-03-04T10:15:00"),
            Some(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap().and_hms_opt(10, 15, 0).unwrap())
        );
    }

    #[test]
    fn iso_datetime_matches_the_format_pattern() {
        for (y, m, d, h, mi, s, nano) in [(2026, 3, 16, 8, 30, 0, 0), (999, 12, 31, 23, 59, 59, 999_999_999), (2024, 2, 29, 0, 0, 1, 5)] {
            let t = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_nano_opt(h, mi, s, nano).unwrap();
            assert_eq!(iso_datetime(&t), t.format("%Y-%m-%dT%H:%M:%S").to_string());
            assert_eq!(Value::Date(t.date()).to_string(), t.date().format("%Y-%m-%d").to_string());
        }
    }
}
