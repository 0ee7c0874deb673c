//! Fiscal quarters, written `FY2026-Q3`, for a fiscal year that may start in any month.
//!
//! A fiscal year is named by the calendar year it ends in: with a start month of 2,
//! FY2027 runs 2026-02-01 … 2027-01-31. With a start month of 1 it is the calendar year.

use chrono::{Datelike, Months, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// Why a period or calendar could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The text is not of the form `FY2026-Q3`.
    #[error("`{0}` is not a fiscal quarter; write it like FY2026-Q3")]
    Syntax(String),
    /// The fiscal year start month is outside 1..=12.
    #[error("fiscal_year_start_month must be 1..12, got {0}")]
    StartMonth(u32),
}

/// The program's fiscal calendar: which calendar month its fiscal year starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalCalendar {
    start_month: u32,
}

impl Default for FiscalCalendar {
    fn default() -> Self {
        Self { start_month: 1 }
    }
}

impl FiscalCalendar {
    /// A calendar whose fiscal year starts on the first day of `start_month` (1..=12).
    pub fn new(start_month: u32) -> Result<Self, PeriodError> {
        if (1..=12).contains(&start_month) { Ok(Self { start_month }) } else { Err(PeriodError::StartMonth(start_month)) }
    }

    /// The month (1..=12) the fiscal year starts in.
    pub fn start_month(&self) -> u32 {
        self.start_month
    }

    /// The fiscal quarter that contains `date`.
    pub fn period_of(&self, date: NaiveDate) -> FiscalPeriod {
        let month = date.month();
        let year = if self.start_month == 1 || month < self.start_month { date.year() } else { date.year() + 1 };
        let offset = (month + 12 - self.start_month) % 12;
        FiscalPeriod { year, quarter: (offset / 3 + 1) as u8 }
    }

    /// First day of fiscal year `year`.
    pub fn year_start(&self, year: i32) -> NaiveDate {
        let calendar_year = if self.start_month == 1 { year } else { year - 1 };
        first_of_month(calendar_year, self.start_month)
    }

    /// First day of `period`.
    pub fn start(&self, period: FiscalPeriod) -> NaiveDate {
        let months = Months::new(3 * (u32::from(period.quarter) - 1));
        self.year_start(period.year) + months
    }

    /// Last day of `period` (inclusive).
    pub fn end(&self, period: FiscalPeriod) -> NaiveDate {
        let next = self.start(period.next());
        next.pred_opt().unwrap_or(next)
    }

    /// Whether `date` falls inside `period`.
    pub fn contains(&self, period: FiscalPeriod, date: NaiveDate) -> bool {
        self.period_of(date) == period
    }
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// A fiscal quarter such as `FY2026-Q3`. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalPeriod {
    /// The fiscal year, named by the calendar year it ends in.
    pub year: i32,
    /// 1..=4.
    pub quarter: u8,
}

impl FiscalPeriod {
    /// A period, if `quarter` is 1..=4.
    pub fn new(year: i32, quarter: u8) -> Option<Self> {
        (1..=4).contains(&quarter).then_some(Self { year, quarter })
    }

    /// The quarter before this one.
    pub fn prev(self) -> Self {
        if self.quarter == 1 { Self { year: self.year - 1, quarter: 4 } } else { Self { year: self.year, quarter: self.quarter - 1 } }
    }

    /// The quarter after this one.
    pub fn next(self) -> Self {
        if self.quarter == 4 { Self { year: self.year + 1, quarter: 1 } } else { Self { year: self.year, quarter: self.quarter + 1 } }
    }
}

impl fmt::Display for FiscalPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}-Q{}", self.year, self.quarter)
    }
}

impl FromStr for FiscalPeriod {
    type Err = PeriodError;

    /// Accepts `FY2026-Q3` (any case, `-`, `_`, space or nothing between year and quarter).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError::Syntax(text.to_string());
        let upper = text.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("FY").ok_or_else(err)?;
        let (year_text, quarter_text) = rest.split_once('Q').ok_or_else(err)?;
        let year_text = year_text.trim_end_matches(['-', '_', ' ']);
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = year_text.parse().map_err(|_| err())?;
        let quarter: u8 = quarter_text.parse().map_err(|_| err())?;
        FiscalPeriod::new(year, quarter).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn period_of_date_for_various_start_months() {
        let cases = [
            (1, "2026-07-01", "FY2026-Q3"),
            (1, "2026-09-30", "FY2026-Q3"),
            (1, "2026-01-01", "FY2026-Q1"),
            (1, "2026-12-31", "FY2026-Q4"),
            (2, "2026-02-01", "FY2027-Q1"),
            (2, "2027-01-31", "FY2027-Q4"),
            (2, "2026-01-31", "FY2026-Q4"),
            (4, "2026-04-01", "FY2027-Q1"),
            (4, "2026-03-31", "FY2026-Q4"),
            (7, "2026-06-30", "FY2026-Q4"),
            (7, "2026-07-01", "FY2027-Q1"),
            (10, "2026-12-15", "FY2027-Q1"),
            (12, "2026-12-01", "FY2027-Q1"),
            (12, "2026-11-30", "FY2026-Q4"),
        ];
        for (start, date, expected) in cases {
            let cal = FiscalCalendar::new(start).unwrap();
            assert_eq!(cal.period_of(d(date)).to_string(), expected, "start {start}, {date}");
        }
    }

    #[test]
    fn period_bounds() {
        let cases = [
            (1, "FY2026-Q3", "2026-07-01", "2026-09-30"),
            (2, "FY2027-Q1", "2026-02-01", "2026-04-30"),
            (2, "FY2027-Q4", "2026-11-01", "2027-01-31"),
            (10, "FY2026-Q1", "2025-10-01", "2025-12-31"),
        ];
        for (start, period, first, last) in cases {
            let cal = FiscalCalendar::new(start).unwrap();
            let p: FiscalPeriod = period.parse().unwrap();
            assert_eq!(cal.start(p), d(first), "{period}");
            assert_eq!(cal.end(p), d(last), "{period}");
            assert!(cal.contains(p, d(first)) && cal.contains(p, d(last)));
        }
    }

    #[test]
    fn parse_and_print() {
        for (text, ok) in [
            ("FY2026-Q3", Some("FY2026-Q3")),
            ("fy2026q1", Some("FY2026-Q1")),
            ("FY2026 Q4", Some("FY2026-Q4")),
            ("FY2026-Q5", None),
            ("2026-Q3", None),
            ("FY26-Q3", None),
            ("", None),
        ] {
            let parsed = text.parse::<FiscalPeriod>().ok().map(|p| p.to_string());
            assert_eq!(parsed.as_deref(), ok, "{text}");
        }
    }

    #[test]
    fn prev_and_next_wrap_years() {
        let p: FiscalPeriod = "FY2026-Q1".parse().unwrap();
        assert_eq!(p.prev().to_string(), "FY2025-Q4");
        assert_eq!(p.prev().next(), p);
        assert!(FiscalCalendar::new(0).is_err() && FiscalCalendar::new(13).is_err());
    }
}
