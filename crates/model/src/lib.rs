//! The canonical model of Watershed: the entities and fields of the data contract
//! (DESIGN "Canonical entities and fields"), fiscal periods and money.
//!
//! This crate is plain data: no I/O, no database, no parsing of files. Every other
//! crate speaks these types, so a field renamed here is renamed everywhere.

pub mod cells;
pub mod entity;
pub mod money;
pub mod opportunity;
pub mod partner;
pub mod period;
pub mod records;

pub use cells::Cells;

/// Text of a model field: inline up to 24 bytes (ids, codes, countries, most names of
/// regions and industries), on the heap beyond. A million-row run holds tens of
/// millions of such fields; most then cost no allocation at all.
pub type Text = compact_str::CompactString;

/// `format!` into a [`Text`] (no heap allocation when the result fits inline).
pub use compact_str::format_compact as format_text;
pub use entity::{Entity, FieldKind, FieldSpec};
pub use money::{Money, round_money};
pub use opportunity::{Opportunity, OpportunityPartner, PartnerRole, Stage};
pub use partner::{Partner, PartnerStatus};
pub use period::{FiscalCalendar, FiscalPeriod, PeriodError};
pub use records::*;
pub mod source_row;
pub mod value;
pub use source_row::SourceOpportunity;
pub use value::Value;
pub mod dataset;
pub use dataset::Dataset;

/// Whether `name` is safe as an unquoted PostgreSQL schema name (the store's and the
/// reporting schema): lower-case letters, digits and `_`, at most 48 characters.
pub fn is_schema_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 48
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
