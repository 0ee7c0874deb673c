//! Dates as people and systems write them: ISO, US, European, month names, Excel
//! serial numbers. The order of day and month in `01/02/2026` is decided once per
//! column ([`infer_date_order`]) or by the source's `date_format`, never per cell.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use watershed_model::value::{parse_iso_date, parse_iso_datetime};

/// Which number comes first in a slash or dash date such as `03/04/2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `MM/DD/YYYY` (US).
    MonthFirst,
    /// `DD/MM/YYYY` (most of the world).
    DayFirst,
}

impl DateOrder {
    /// From a source's `date_format` setting.
    pub fn from_format(format: &str) -> Option<DateOrder> {
        match format {
            "MM/DD/YYYY" => Some(DateOrder::MonthFirst),
            "DD/MM/YYYY" | "DD.MM.YYYY" => Some(DateOrder::DayFirst),
            _ => None,
        }
    }
}

/// Decides a column's date order from its values: a first number above 12 means day
/// first, a second number above 12 means month first. `None` when the column does
/// not say (every value ≤ 12/12) or contradicts itself.
pub fn infer_date_order<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<DateOrder> {
    date_order_of(date_order_votes(values))
}

/// What `values` say about a column's date order: (some value is day first, some value
/// is month first). Votes of parts of a column combine with `or`.
pub(crate) fn date_order_votes<'a>(values: impl IntoIterator<Item = &'a str>) -> (bool, bool) {
    let (mut day_first, mut month_first) = (false, false);
    for value in values {
        if let Some((a, b, _)) = numeric_parts(value.trim()) {
            if a > 12 && b <= 12 {
                day_first = true;
            }
            if b > 12 && a <= 12 {
                month_first = true;
            }
            if day_first && month_first {
                // Contradicted: nothing further changes the answer.
                break;
            }
        }
    }
    (day_first, month_first)
}

/// The date order a column's votes decide.
pub(crate) fn date_order_of((day_first, month_first): (bool, bool)) -> Option<DateOrder> {
    match (day_first, month_first) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// `a/b/yyyy` or `a-b-yyyy` (not ISO, not dotted): the three numbers.
fn numeric_parts(text: &str) -> Option<(u32, u32, i32)> {
    // Up to the first space or `T` (both ASCII, so the cut is on a character boundary).
    let date_part = text.get(..text.bytes().position(|b| b == b' ' || b == b'T').unwrap_or(text.len()))?;
    let sep = if date_part.contains('/') {
        '/'
    } else if date_part.contains('-') {
        '-'
    } else {
        return None;
    };
    let mut parts = date_part.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || a.len() > 2 || b.len() > 2 {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?, parse_year(c)?))
}

fn parse_year(text: &str) -> Option<i32> {
    let y: i32 = text.parse().ok()?;
    match text.len() {
        4 => Some(y),
        2 => Some(2000 + y),
        _ => None,
    }
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
/// German and French month abbreviations that differ from English.
const MONTH_ALIASES: &[(&str, u32)] =
    &[("mrz", 3), ("mär", 3), ("mai", 5), ("okt", 10), ("dez", 12), ("janv", 1), ("févr", 2), ("avr", 4), ("juil", 7), ("déc", 12)];

fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    if let Some(i) = MONTHS.iter().position(|m| w.starts_with(m)) {
        return Some(i as u32 + 1);
    }
    MONTH_ALIASES.iter().find(|(a, _)| w.starts_with(a)).map(|(_, m)| *m)
}

/// Parses a date. `order` decides `a/b/yyyy`; without it an ambiguous value is an error.
pub fn parse_date(text: &str, order: Option<DateOrder>) -> Result<NaiveDate, String> {
    let t = text.trim();
    let fail = || format!("`{t}` is not a date");
    if t.is_empty() {
        return Err("empty date".into());
    }
    // ISO date, optionally with a time part.
    let head = t.split(['T', ' ']).next().unwrap_or(t);
    if let Some(d) = parse_iso_date(head) {
        return Ok(d);
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if (fmt != "%Y%m%d" || head.len() == 8)
            && let Ok(d) = NaiveDate::parse_from_str(head, fmt)
        {
            return Ok(d);
        }
    }
    // Dotted European dates are day first.
    if head.contains('.') && head.split('.').count() == 3 {
        let mut p = head.split('.');
        let (d, m, y) = (p.next().unwrap_or(""), p.next().unwrap_or(""), p.next().unwrap_or(""));
        if let (Ok(d), Ok(m), Some(y)) = (d.parse::<u32>(), m.parse::<u32>(), parse_year(y)) {
            return NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("`{t}` is not a valid date (day {d}, month {m})"));
        }
    }
    if let Some((a, b, y)) = numeric_parts(t) {
        let (m, d) = match order {
            Some(DateOrder::MonthFirst) => (a, b),
            Some(DateOrder::DayFirst) => (b, a),
            None if a > 12 => (b, a),
            None if b > 12 => (a, b),
            None if a == b => (a, b),
            None => return Err(format!("`{t}` is ambiguous (day/month or month/day); set date_format on the source")),
        };
        return NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("`{t}` is not a valid date"));
    }
    // Month names: "15 Mar 2026", "Mar 15, 2026", "15-Mar-2026", "March 2026" is not a date.
    let words: Vec<&str> = t.split([' ', '-', ',', '/']).filter(|w| !w.is_empty()).collect();
    if words.len() == 3 {
        let (a, b, c) = (words[0], words[1], words[2]);
        let y = parse_year(c).ok_or_else(fail)?;
        let (m, d) = if let Some(m) = month_number(b) {
            (m, a.trim_end_matches('.').parse::<u32>().map_err(|_| fail())?)
        } else if let Some(m) = month_number(a) {
            (m, b.trim_end_matches(|c: char| !c.is_ascii_digit()).parse::<u32>().map_err(|_| fail())?)
        } else {
            return Err(fail());
        };
        return NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("`{t}` is not a valid date"));
    }
    // Excel serial day numbers (1900 system): 20000..=80000 covers 1954..2119.
    if let Ok(serial) = t.parse::<f64>()
        && (20000.0..=80000.0).contains(&serial)
    {
        let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or_else(fail)?;
        return Ok(base + Duration::days(serial.trunc() as i64));
    }
    Err(fail())
}

/// Parses a date and time (`2026-03-04T10:15:00`, `2026-03-04 10:15`); a bare date is midnight.
pub fn parse_datetime(text: &str, order: Option<DateOrder>) -> Result<NaiveDateTime, String> {
    let t = text.trim();
    if let Some(dt) = parse_iso_datetime(t.trim_end_matches('Z')) {
        return Ok(dt);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), fmt) {
            return Ok(dt);
        }
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(dt.naive_utc());
    }
    let date_text = t.split(['T']).next().unwrap_or(t);
    let date = parse_date(date_text, order)?;
    Ok(date.and_time(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_formats() {
        use DateOrder::*;
        let cases: &[(&str, Option<DateOrder>, Option<NaiveDate>)] = &[
            ("2026-03-04", None, Some(d(2026, 3, 4))),
            ("2026-03-04T10:15:00", None, Some(d(2026, 3, 4))),
            ("2026/03/04", None, Some(d(2026, 3, 4))),
            ("04.03.2026", None, Some(d(2026, 3, 4))),
            ("4.3.26", None, Some(d(2026, 3, 4))),
            ("03/04/2026", Some(MonthFirst), Some(d(2026, 3, 4))),
            ("03/04/2026", Some(DayFirst), Some(d(2026, 4, 3))),
            ("03/04/2026", None, None),
            ("04/04/2026", None, Some(d(2026, 4, 4))),
            ("13/04/2026", None, Some(d(2026, 4, 13))),
            ("04/13/2026", None, Some(d(2026, 4, 13))),
            ("31/02/2026", Some(DayFirst), None),
            ("15 Mar 2026", None, Some(d(2026, 3, 15))),
            ("March 15, 2026", None, Some(d(2026, 3, 15))),
            ("15-Mar-2026", None, Some(d(2026, 3, 15))),
            ("3. Okt 2026", None, Some(d(2026, 10, 3))),
            ("46100", None, Some(d(2026, 3, 19))),
            ("soon", None, None),
            ("", None, None),
            ("2026-13-01", None, None),
        ];
        for (text, order, expected) in cases {
            assert_eq!(parse_date(text, *order).ok(), *expected, "{text} {order:?}");
        }
    }

    #[test]
    fn column_order_is_decided_by_its_values() {
        use DateOrder::*;
        let cases: &[(&[&str], Option<DateOrder>)] = &[
            (&["01/02/2026", "25/02/2026"], Some(DayFirst)),
            (&["01/02/2026", "02/25/2026"], Some(MonthFirst)),
            (&["01/02/2026", "03/04/2026"], None),
            (&["25/02/2026", "02/25/2026"], None),
            (&["2026-02-25"], None),
        ];
        for (values, expected) in cases {
            assert_eq!(infer_date_order(values.iter().copied()), *expected, "{values:?}");
        }
    }

    #[test]
    fn datetimes() {
        let dt = parse_datetime("2026-03-04T10:15:00", None).unwrap();
        assert_eq!(dt.to_string(), "2026-03-04 10:15:00");
        assert_eq!(parse_datetime("2026-03-04 10:15", None).unwrap().to_string(), "2026-03-04 10:15:00");
        assert_eq!(parse_datetime("2026-03-04", None).unwrap().to_string(), "2026-03-04 00:00:00");
        assert_eq!(parse_datetime("2026-03-04T10:15:00Z", None).unwrap().to_string(), "2026-03-04 10:15:00");
        assert!(parse_datetime("yesterday", None).is_err());
    }
}
