//! Normalization: raw text from any source becomes canonical values.
//!
//! Pure functions over plain data (no I/O): matching keys, dates, money, and the
//! mapping-table lookups (partner, product, region, stage, FX). An unknown value is
//! never guessed: it is a [`Rejection`] naming the field, the value, the reason and
//! the best suggestions, and the row goes to quarantine.

pub mod boolean;
pub mod dates;
pub mod key;
pub mod lookup;
pub mod money;
pub mod row;

pub use boolean::parse_bool;
pub use dates::{DateOrder, infer_date_order, parse_date, parse_datetime};
pub use key::normalize_key;
pub use lookup::{Lookups, Suggestion};
pub use money::{ParsedAmount, infer_decimal_comma, parse_amount};
pub use row::{ColumnBinding, InputContext, Rejection, is_missing, normalize_entity_row, normalize_opportunity};
