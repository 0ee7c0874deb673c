//! Scored matching of records that share no key: the same deal written differently by
//! two sources (another customer spelling, a converted or rounded amount, a shifted date).
//!
//! Blocking keeps comparisons near-linear: only clusters with a partner in common and
//! close dates within a window are compared. Each comparison is scored in the manner
//! of Fellegi–Sunter: every attribute adds a log-likelihood-style weight — positive
//! when the values agree the way duplicates do, negative when they disagree the way
//! different deals do — and the sum is compared with two thresholds.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use watershed_normalize::{lookup::similarity, normalize_key};

/// Thresholds and windows of the matcher (`[resolve]` in watershed.toml).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchSettings {
    /// At or above: merged.
    pub merge_threshold: f64,
    /// At or above (and below merge): the review queue; below: distinct.
    pub review_threshold: f64,
    /// Close dates further apart than this are not compared.
    pub date_window_days: i64,
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings { merge_threshold: 8.5, review_threshold: 5.0, date_window_days: 45 }
    }
}

/// What one side of a comparison looks like.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Normalized customer key.
    pub customer_key: String,
    /// Amount in the reporting currency.
    pub amount: Decimal,
    /// Close date.
    pub close_date: NaiveDate,
    /// Product family, if known.
    pub product_family: Option<String>,
    /// Customer country key, if known.
    pub country: Option<String>,
}

impl Profile {
    /// The profile of a normalized row.
    pub fn of(row: &watershed_model::SourceOpportunity) -> Profile {
        Profile {
            customer_key: normalize_key(&row.customer_name),
            amount: row.amount,
            close_date: row.close_date,
            product_family: row.product_family.clone(),
            country: row.region.clone().or_else(|| row.customer_country.as_deref().map(normalize_key)),
        }
    }
}

/// A comparison's score and its parts (attribute, weight), for explanations.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Sum of the weights.
    pub total: f64,
    /// Each attribute's weight.
    pub parts: Vec<(&'static str, f64)>,
}

impl Score {
    /// "8.5 (customer +4.0, amount +3.0, …)".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self.parts.iter().map(|(k, w)| format!("{k} {w:+.1}")).collect();
        format!("{:.1} ({})", self.total, parts.join(", "))
    }
}

/// Scores two profiles.
pub fn score(a: &Profile, b: &Profile) -> Score {
    let mut parts = Vec::with_capacity(5);
    let name = similarity(&a.customer_key, &b.customer_key);
    let containment = !a.customer_key.is_empty()
        && !b.customer_key.is_empty()
        && (a.customer_key.contains(&b.customer_key) || b.customer_key.contains(&a.customer_key));
    parts.push((
        "customer",
        match name {
            s if s >= 0.97 => 4.5,
            s if s >= 0.92 => 3.5,
            _ if containment => 3.0,
            s if s >= 0.85 => 1.5,
            s if s >= 0.75 => 0.0,
            _ => -5.0,
        },
    ));
    let (x, y) = (a.amount.abs().to_f64().unwrap_or(0.0), b.amount.abs().to_f64().unwrap_or(0.0));
    let larger = x.max(y);
    let relative = if larger == 0.0 { 0.0 } else { (x - y).abs() / larger };
    parts.push((
        "amount",
        match relative {
            r if r <= 0.005 => 3.5,
            r if r <= 0.03 => 2.0,
            r if r <= 0.08 => 1.0,
            r if r <= 0.2 => -1.0,
            _ => -4.0,
        },
    ));
    let days = (a.close_date - b.close_date).num_days().abs();
    parts.push((
        "close_date",
        match days {
            0 => 2.5,
            1..=7 => 2.0,
            8..=21 => 1.0,
            22..=45 => -1.0,
            _ => -2.5,
        },
    ));
    if let (Some(f), Some(g)) = (&a.product_family, &b.product_family) {
        parts.push(("product_family", if f == g { 1.0 } else { -2.0 }));
    }
    if let (Some(c), Some(d)) = (&a.country, &b.country) {
        parts.push(("country", if c == d { 0.5 } else { -1.0 }));
    }
    Score { total: parts.iter().map(|(_, w)| w).sum(), parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn p(customer: &str, amount: &str, close: &str, family: Option<&str>) -> Profile {
        Profile {
            customer_key: normalize_key(customer),
            amount: Decimal::from_str(amount).unwrap(),
            close_date: NaiveDate::parse_from_str(close, "%Y-%m-%d").unwrap(),
            product_family: family.map(str::to_string),
            country: None,
        }
    }

    #[test]
    fn duplicates_score_high_and_different_deals_low() {
        let s = MatchSettings::default();
        let cases: &[(Profile, Profile, &str)] = &[
            (
                p("Riverbend Pharmaceuticals Inc.", "125000", "2026-03-15", Some("Analytics")),
                p("RIVERBEND PHARMACEUTICALS", "125000", "2026-03-15", Some("Analytics")),
                "merge",
            ),
            (
                p("The Riverbend Pharmaceuticals", "125000", "2026-03-15", None),
                p("Riverbend Pharmaceutcals", "124380.50", "2026-03-29", None),
                "merge",
            ),
            (
                p("Riverbend Pharmaceuticals", "131000", "2026-03-15", None),
                p("Riverbend Pharmaceuticals", "125000", "2026-03-22", None),
                "review",
            ),
            (
                p("Riverbend Pharmaceuticals", "125000", "2026-03-15", Some("Analytics")),
                p("Riverbend Pharmaceuticals", "40000", "2026-03-20", Some("Security")),
                "distinct",
            ),
            (p("Riverbend Pharmaceuticals", "125000", "2026-03-15", None), p("Eastgate Media", "125000", "2026-03-15", None), "distinct"),
        ];
        for (a, b, want) in cases {
            let sc = score(a, b);
            let got = if sc.total >= s.merge_threshold {
                "merge"
            } else if sc.total >= s.review_threshold {
                "review"
            } else {
                "distinct"
            };
            assert_eq!(got, *want, "{} vs {}: {}", a.customer_key, b.customer_key, sc.describe());
        }
    }
}
