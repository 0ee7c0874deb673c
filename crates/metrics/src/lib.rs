//! The metric catalog (DESIGN "Metric catalog"), computed from plain data.
//!
//! Pure: opportunities, partner links, targets and partners in; one row per partner
//! out. A metric whose denominator is zero or missing is `None` (null), never 0.
//! Percentages are 0–100 numbers. Values keep full decimal precision; presentation
//! rounds.

pub mod opportunity;

pub use opportunity::{KpiRow, OPPORTUNITY_METRICS, opportunity_kpis};

use chrono::NaiveDate;
use watershed_model::{FiscalCalendar, FiscalPeriod};

/// The as-of date when none is given: the end of `period`, or `today` while the
/// period is still running.
pub fn default_as_of(calendar: &FiscalCalendar, period: FiscalPeriod, today: NaiveDate) -> NaiveDate {
    let end = calendar.end(period);
    if calendar.start(period) <= today && today <= end { today } else { end }
}

/// The kind of a metric's value, for formatting and storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// An amount in the reporting currency.
    Money,
    /// A count.
    Count,
    /// A percentage, 0–100.
    Percent,
    /// A number of days.
    Days,
}

/// A metric of the catalog: its name (the column name) and a one-line definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDef {
    /// Column name, as in the catalog.
    pub name: &'static str,
    /// Value kind.
    pub kind: MetricKind,
    /// The definition, for people (help, BI comments, workbook).
    pub definition: &'static str,
}
