//! A typed field value of a normalized record, for entities stored column by column.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::fmt;

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
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::DateTime(d) => write!(f, "{}", d.format("%Y-%m-%dT%H:%M:%S")),
            Value::Decimal(d) => write!(f, "{}", d.normalize()),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}
