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

/// A value from a small, recurring set (partner, product, region, currency, country,
/// industry), interned for the whole process: 8 bytes (`Option<Symbol>` too), copied for
/// free, compared by pointer, ordered by its text. A million-row run holds millions of
/// such fields but only hundreds of distinct values; the text of each is kept once and
/// never freed, so only fields whose values repeat belong in a `Symbol`. Country and
/// industry are kept as the rows spell them: a process keeps one copy of each spelling
/// it has seen (hundreds in practice; a long-lived process that ingests ever-new
/// spellings would grow by those).
pub type Symbol = ustr::Ustr;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_symbol_is_its_text_ordered_by_text_and_eight_bytes() {
        // Interned in an order unlike the alphabet's: ordering must follow the text
        // (metrics group and sort by region, product family, currency), not the
        // address the text was interned at.
        let names = ["EMEA", "AMER", "zz-last", "APAC", "Amer"];
        let set: BTreeSet<Symbol> = names.iter().map(|n| Symbol::from(n)).collect();
        let sorted: Vec<&str> = set.iter().map(|s| s.as_str()).collect();
        assert_eq!(sorted, ["AMER", "APAC", "Amer", "EMEA", "zz-last"]);
        // The same text is the same symbol, however it was made.
        let made: Symbol = format!("EM{}", "EA").into();
        assert_eq!(made, Symbol::from("EMEA"));
        assert_ne!(Symbol::from("EMEA"), Symbol::from("emea"));
        assert_eq!(Symbol::from("EMEA"), "EMEA");
        // What makes it worth it: a field costs 8 bytes, present or not.
        assert_eq!(std::mem::size_of::<Option<Symbol>>(), 8);
    }

    #[test]
    fn the_records_a_million_row_run_holds_stay_small() {
        // 1.55M normalized records and 1M golden records are in memory at once at the
        // 1M benchmark: every 16 bytes here is ~40 MB there. Raise only on purpose.
        assert!(std::mem::size_of::<SourceOpportunity>() <= 256, "{}", std::mem::size_of::<SourceOpportunity>());
        assert!(std::mem::size_of::<Opportunity>() <= 200, "{}", std::mem::size_of::<Opportunity>());
    }
}
