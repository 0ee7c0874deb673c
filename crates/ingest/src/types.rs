//! Type inference per column, for `watershed inspect`: what a column's values are
//! (dates and their layout, money, numbers, percentages, yes/no, text), decided from
//! all its values at once with normalization's own parsers, so `inspect` says exactly
//! what a run will make of them.

use watershed_model::FieldKind;
use watershed_normalize::dates::{DateOrder, infer_date_order, parse_date, parse_datetime};
use watershed_normalize::money::{infer_decimal_comma, parse_amount};
use watershed_normalize::{is_missing, parse_bool};

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    /// `empty`, `text`, `integer`, `number`, `money`, `percent`, `date`, `datetime` or `boolean`.
    pub kind: &'static str,
    /// How the values are written (`DD.MM.YYYY`, `decimal comma`, `Excel serial numbers`,
    /// `ambiguous day/month order: set date_format`, …).
    pub detail: String,
    /// Values that read as `kind`.
    pub parsed: usize,
    /// Values that are present (not empty, `NULL`, `N/A`, `-`).
    pub present: usize,
    /// Up to three values that do not read as `kind`.
    pub exceptions: Vec<String>,
}

impl ColumnType {
    fn new(kind: &'static str, detail: impl Into<String>, parsed: usize, present: usize, exceptions: Vec<String>) -> Self {
        ColumnType { kind, detail: detail.into(), parsed, present, exceptions }
    }

    /// One line for people: `date (DD.MM.YYYY; 98 of 100, not `soon`)`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.detail.is_empty() {
            parts.push(self.detail.clone());
        }
        if self.parsed < self.present {
            let mut s = format!("{} of {}", self.parsed, self.present);
            if !self.exceptions.is_empty() {
                s.push_str(&format!(", not `{}`", self.exceptions.join("`, `")));
            }
            parts.push(s);
        }
        if parts.is_empty() { self.kind.to_string() } else { format!("{} ({})", self.kind, parts.join("; ")) }
    }
}

/// A column is of a kind when at least this share of its values (percent) read as it.
const MAJORITY: usize = 80;

fn majority(parsed: usize, present: usize) -> bool {
    present > 0 && parsed * 100 >= present * MAJORITY
}

fn exceptions(values: &[&str], ok: impl Fn(&str) -> bool) -> Vec<String> {
    values.iter().filter(|v| !ok(v)).take(3).map(|v| v.trim().to_string()).collect()
}

/// Infers the type of a column from its `values`. `hint` is the kind of the canonical
/// field the column is bound to (it lets whole numbers be Excel serial dates and 0/1
/// be yes/no); `date_format` is the source's setting, which decides ambiguous dates.
pub fn infer_column_type(values: &[&str], hint: Option<FieldKind>, date_format: Option<&str>) -> ColumnType {
    let present: Vec<&str> = values.iter().copied().filter(|v| !is_missing(v)).collect();
    let n = present.len();
    if n == 0 {
        return ColumnType::new("empty", "", 0, 0, Vec::new());
    }
    let digits_only = |v: &str| v.trim().bytes().all(|b| b.is_ascii_digit());

    // Yes/no: every value a yes/no word; 0/1 alone only for a yes/no field.
    let bools = present.iter().filter(|v| parse_bool(v).is_some()).count();
    let zero_one = present.iter().all(|v| matches!(v.trim(), "0" | "1"));
    if bools == n && (!zero_one || hint == Some(FieldKind::Bool)) {
        return ColumnType::new("boolean", "", n, n, Vec::new());
    }

    // Percentages.
    let percent = |v: &str| v.trim().strip_suffix('%').is_some_and(|p| parse_amount(p.trim(), p.contains(',') && !p.contains('.')).is_ok());
    let percents = present.iter().filter(|v| percent(v)).count();
    if majority(percents, n) {
        return ColumnType::new("percent", "", percents, n, exceptions(&present, percent));
    }

    // Dates: decided for the whole column (configured order, else the values').
    let date_hint = matches!(hint, Some(FieldKind::Date | FieldKind::DateTime | FieldKind::Month));
    let configured = date_format.and_then(DateOrder::from_format);
    let order = configured.or_else(|| infer_date_order(present.iter().copied()));
    let date_ok = |v: &str| (date_hint || !digits_only(v)) && parse_date(v, order).is_ok();
    let dates = present.iter().filter(|v| date_ok(v)).count();
    let ambiguous = order.is_none() && present.iter().any(|v| parse_date(v, None).is_err_and(|e| e.contains("ambiguous")));
    let either_order = |v: &str| parse_date(v, Some(DateOrder::DayFirst)).is_ok() || parse_date(v, Some(DateOrder::MonthFirst)).is_ok();
    if ambiguous && majority(present.iter().filter(|v| !digits_only(v) && either_order(v)).count(), n) {
        return ColumnType::new("date", "ambiguous day/month order: set date_format on the source", 0, n, Vec::new());
    }
    if majority(dates, n) {
        let with_time = present.iter().filter(|v| v.trim().len() > 10 && parse_datetime(v, order).is_ok()).count();
        let kind = if with_time * 2 > dates { "datetime" } else { "date" };
        let detail = date_layout(&present, order, configured.is_some());
        return ColumnType::new(kind, detail, dates, n, exceptions(&present, date_ok));
    }

    // Numbers and money: the decimal separator is a column decision too.
    let comma = infer_decimal_comma(present.iter().copied());
    let amount_ok = |v: &str| parse_amount(v, comma).is_ok();
    let amounts: Vec<_> = present.iter().filter_map(|v| parse_amount(v, comma).ok()).collect();
    if majority(amounts.len(), n) {
        let mut currencies: Vec<String> = amounts.iter().filter_map(|a| a.currency.clone()).collect();
        currencies.sort();
        currencies.dedup();
        let grouped = present.iter().any(|v| {
            let t = v.trim();
            if comma { t.contains('.') && t.contains(',') } else { t.contains(',') }
        });
        let suffix = present.iter().any(|v| v.trim().ends_with(['k', 'K', 'm', 'M']));
        let whole = amounts.iter().all(|a| a.value.fract().is_zero())
            && present.iter().filter(|v| amount_ok(v)).all(|v| digits_only(v.trim().trim_start_matches('-')));
        let mut detail = Vec::new();
        if comma {
            detail.push("decimal comma".to_string());
        }
        if grouped {
            detail.push("thousands separators".to_string());
        }
        if suffix {
            detail.push("k/M suffixes".to_string());
        }
        if !currencies.is_empty() {
            detail.push(format!("currency {}", currencies.join(", ")));
        }
        let kind = if !currencies.is_empty() || grouped || suffix || hint == Some(FieldKind::Decimal) {
            "money"
        } else if whole {
            if date_hint || present.iter().all(|v| v.trim().parse::<u32>().is_ok_and(|s| (20_000..=80_000).contains(&s))) {
                detail.push("could be Excel serial dates".into());
            }
            "integer"
        } else {
            "number"
        };
        return ColumnType::new(kind, detail.join("; "), amounts.len(), n, exceptions(&present, amount_ok));
    }
    let mut distinct: Vec<&str> = present.iter().map(|v| v.trim()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    ColumnType::new("text", format!("{} distinct value{}", distinct.len(), if distinct.len() == 1 { "" } else { "s" }), n, n, Vec::new())
}

/// How the dates of a column are written.
fn date_layout(values: &[&str], order: Option<DateOrder>, configured: bool) -> String {
    let sample = values.iter().map(|v| v.trim()).find(|v| !v.is_empty()).unwrap_or("");
    let head = sample.split(['T', ' ']).next().unwrap_or(sample);
    let letters = sample.chars().filter(|c| c.is_alphabetic() && !matches!(c, 'T' | 'Z')).count();
    let layout = if sample.bytes().all(|b| b.is_ascii_digit()) {
        "Excel serial numbers".to_string()
    } else if letters >= 3 {
        "month names".to_string()
    } else if head.len() >= 8 && head.as_bytes().get(4).is_some_and(|b| *b == b'-' || *b == b'/') {
        "ISO YYYY-MM-DD".to_string()
    } else if head.matches('.').count() == 2 {
        "DD.MM.YYYY".to_string()
    } else if head.contains('/') || head.contains('-') && head.bytes().filter(u8::is_ascii_digit).count() >= 6 {
        let sep = if head.contains('/') { '/' } else { '-' };
        match order {
            Some(DateOrder::DayFirst) => format!("DD{sep}MM{sep}YYYY"),
            Some(DateOrder::MonthFirst) => format!("MM{sep}DD{sep}YYYY"),
            None => format!("day and month ≤ 12 or equal, read either way (…{sep}YYYY)"),
        }
    } else {
        "month names".to_string()
    };
    if configured { format!("{layout}, order from date_format") } else { layout }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values, field kind, date_format → kind, detail.
    type Case<'a> = (&'a [&'a str], Option<FieldKind>, Option<&'a str>, &'a str, &'a str);

    #[test]
    fn kinds_of_columns() {
        let cases: &[Case] = &[
            (&["", "NULL", "-"], None, None, "empty", ""),
            (&["Y", "N", "y", ""], None, None, "boolean", ""),
            (&["x", "", "x"], None, None, "boolean", ""),
            (&["1", "0", "1"], None, None, "integer", ""),
            (&["1", "0", "1"], Some(FieldKind::Bool), None, "boolean", ""),
            (&["15%", "7,5 %", "100%"], None, None, "percent", ""),
            (&["2026-03-04", "2026-12-31"], None, None, "date", "ISO YYYY-MM-DD"),
            (&["04.03.2026", "31.12.2026"], None, None, "date", "DD.MM.YYYY"),
            (&["03/04/2026", "12/31/2026"], None, None, "date", "MM/DD/YYYY"),
            (&["03/04/2026", "31/12/2026"], None, None, "date", "DD/MM/YYYY"),
            (&["03/04/2026", "04/03/2026"], None, None, "date", "ambiguous day/month order: set date_format on the source"),
            (&["03/04/2026", "04/03/2026"], None, Some("DD/MM/YYYY"), "date", "DD/MM/YYYY, order from date_format"),
            (&["15 Mar 2026", "1 Apr 2026"], None, None, "date", "month names"),
            (&["46085", "46100"], Some(FieldKind::Date), None, "date", "Excel serial numbers"),
            (&["46085", "46100"], None, None, "integer", "could be Excel serial dates"),
            (&["2026-03-04T10:15:00", "2026-03-05 11:00"], None, None, "datetime", "ISO YYYY-MM-DD"),
            (&["$125,000", "$12,500"], None, None, "money", "thousands separators; currency USD"),
            (&["12.500,00", "900,50"], None, None, "money", "decimal comma; thousands separators"),
            (&["12.5k", "1.2M"], None, None, "money", "k/M suffixes"),
            (&["125000", "900"], None, None, "integer", ""),
            (&["1.5", "2.25"], None, None, "number", ""),
            (&["Acme", "Globex", "Acme"], None, None, "text", "2 distinct values"),
        ];
        for (values, hint, format, kind, detail) in cases {
            let t = infer_column_type(values, *hint, *format);
            assert_eq!((t.kind, t.detail.as_str()), (*kind, *detail), "{values:?}");
        }
    }

    #[test]
    fn exceptions_are_counted_and_shown() {
        let t = infer_column_type(&["100", "200", "300", "400", "TBD"], None, None);
        assert_eq!((t.kind, t.parsed, t.present), ("integer", 4, 5));
        assert_eq!(t.describe(), "integer (4 of 5, not `TBD`)");
        let t = infer_column_type(&["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "soon"], None, None);
        assert_eq!(t.describe(), "date (ISO YYYY-MM-DD; 4 of 5, not `soon`)");
    }
}
