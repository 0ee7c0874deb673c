//! Scored matching of records that share no key: the same deal written differently by
//! two sources (another customer spelling, a converted or rounded amount, a shifted date).
//!
//! Blocking limits the comparisons: only clusters with a partner and a pair of customer
//! words in common and close dates within a window are compared. Each comparison is scored in the manner
//! of Fellegi–Sunter: every attribute adds a log-likelihood-style weight — positive
//! when the values agree the way duplicates do, negative when they disagree the way
//! different deals do — and the sum is compared with two thresholds.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use watershed_normalize::normalize_key;

/// Thresholds and windows of the matcher (`[resolve]` in watershed.toml).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchSettings {
    /// At or above: merged.
    pub merge_threshold: f64,
    /// At or above (and below merge): the review queue; below: distinct.
    pub review_threshold: f64,
    /// Close dates further apart than this are not compared.
    pub date_window_days: i64,
    /// Threads that scan the blocks (0: one per core). The result does not depend on it.
    pub threads: usize,
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings { merge_threshold: 8.5, review_threshold: 5.0, date_window_days: 45, threads: 0 }
    }
}

/// Abbreviations in company names and the word they stand for: the matcher compares
/// the full word ("Intl" and "International" are the same word), so that a typo in the
/// full word stays one edit away.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("intl", "international"),
    ("mfg", "manufacturing"),
    ("pharma", "pharmaceuticals"),
    ("pharmaceutical", "pharmaceuticals"),
    ("hldgs", "holdings"),
    ("holding", "holdings"),
    ("sys", "systems"),
    ("svcs", "services"),
    ("svc", "services"),
    ("inds", "industries"),
    ("grp", "group"),
    ("tech", "technologies"),
    ("technology", "technologies"),
    ("labs", "laboratories"),
    ("assoc", "associates"),
    ("bros", "brothers"),
    ("co", "company"),
    ("corp", "corporation"),
    ("univ", "university"),
    ("natl", "national"),
    ("dept", "department"),
    ("soln", "solutions"),
];

/// The customer's words as the matcher compares them: the normalized key's words
/// (legal suffixes and a leading "The" already gone) with abbreviations unified.
pub fn customer_words(name: &str) -> Vec<String> {
    normalize_key(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| ABBREVIATIONS.iter().find(|(short, _)| *short == w).map_or(w, |(_, long)| long).to_string())
        .collect()
}

/// The coarsest of 5,000, 1,000 and 100 that divides `amount` (0 if none does).
fn rounding_unit(amount: Decimal) -> f64 {
    let amount = amount.abs();
    if amount.is_zero() {
        return 0.0;
    }
    [5_000i64, 1_000, 100].into_iter().find(|unit| (amount % Decimal::from(*unit)).is_zero()).map_or(0.0, |unit| unit as f64)
}

/// Reporting-currency units per unit of the stated currency.
fn conversion_rate(amount: Decimal, original: Decimal) -> f64 {
    match (amount.to_f64(), original.to_f64()) {
        (Some(a), Some(o)) if o != 0.0 => (a / o).abs(),
        _ => 1.0,
    }
}

/// Similarity of two customers' words, 0–1: a Sørensen-Dice over words in which a word
/// one edit away from the other side's (a typo in a word of five letters or more)
/// counts 0.9; a whole-name Jaro-Winkler of 0.97 or more (words run together) also counts.
pub fn customer_similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let word_match = |w: &String, other: &[String]| -> f64 {
        let mut best: f64 = 0.0;
        for o in other {
            if o == w {
                return 1.0;
            }
            if w.len() >= 5 && o.len() >= 5 && strsim::damerau_levenshtein(w, o) == 1 {
                best = 0.9;
            }
        }
        best
    };
    let matched: f64 = a.iter().map(|w| word_match(w, b)).sum::<f64>() + b.iter().map(|w| word_match(w, a)).sum::<f64>();
    let dice = matched / (a.len() + b.len()) as f64;
    let joined = strsim::jaro_winkler(&a.concat(), &b.concat());
    if joined >= 0.97 { dice.max(joined) } else { dice }
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

/// The largest weight the customer name can add: with the other parts, it bounds what
/// a comparison can still reach before the (costlier) name comparison is made.
pub const CUSTOMER_MAX_WEIGHT: f64 = 4.5;

/// Weight of a missing CRM id where one is expected: a row of a source that quotes the
/// CRM's opportunity id on a quarter of its rows or more, without one, compared with a
/// CRM deal. Sources that quote ids leave them out mostly for deals the CRM does not
/// have, so even a perfect agreement on every attribute goes to review, not merged.
pub const UNQUOTED_WEIGHT: f64 = -5.0;

/// Weight of customer-name similarity.
fn customer_weight(similarity: f64) -> f64 {
    match similarity {
        s if s >= 0.99 => CUSTOMER_MAX_WEIGHT,
        s if s >= 0.9 => 3.5,
        s if s >= 0.8 => 1.5,
        s if s >= 0.6 => -1.0,
        _ => -5.0,
    }
}

/// The attributes of a row other than the customer name, packed for the hot loop
/// of the matcher: numbers instead of decimals and dates, hashes instead of strings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    amount: f64,
    rounding: f64,
    close: i32,
    /// Days since the epoch; `i32::MIN` when unknown.
    created: i32,
    /// Hashes; 0 when unknown.
    product: u64,
    family: u64,
    country: u64,
}

/// A text as a fact: its hash, 0 when absent.
fn text_hash(text: Option<&str>) -> u64 {
    use std::hash::BuildHasher;
    text.map_or(0, |t| foldhash::fast::FixedState::default().hash_one(t).max(1))
}

impl Facts {
    /// The close date, in days since the common era.
    pub fn close_day(&self) -> i32 {
        self.close
    }

    /// The packed facts of a normalized row: amount and rounding in the reporting
    /// currency, dates as days, product, family and country (the region, else the
    /// normalized customer country) as hashes.
    pub fn of_row(row: &watershed_model::SourceOpportunity) -> Facts {
        use chrono::Datelike;
        let country = match (&row.region, &row.customer_country) {
            (Some(region), _) => text_hash(Some(region)),
            (None, Some(country)) => text_hash(Some(&normalize_key(country))),
            (None, None) => 0,
        };
        Facts {
            amount: row.amount.abs().to_f64().unwrap_or(0.0),
            rounding: rounding_unit(row.amount_original) * conversion_rate(row.amount, row.amount_original),
            close: row.close_date.num_days_from_ce(),
            created: row.created_date.map_or(i32::MIN, |d| d.num_days_from_ce()),
            product: text_hash(row.product_id.as_deref()),
            family: text_hash(row.product_family.as_deref()),
            country,
        }
    }
}

/// The parts of a comparison other than the customer name, at most five.
struct CheapParts {
    parts: [(&'static str, f64); 5],
    len: usize,
}

impl CheapParts {
    fn push(&mut self, name: &'static str, weight: f64) {
        self.parts[self.len] = (name, weight);
        self.len += 1;
    }

    fn total(&self) -> f64 {
        self.parts[..self.len].iter().map(|(_, w)| w).sum()
    }
}

/// Weight of the amounts' agreement: exact or near-exact, within conversion drift,
/// consistent with one side's rounding, or apart.
fn amount_weight(a: &Facts, b: &Facts) -> f64 {
    let (x, y) = (a.amount, b.amount);
    let larger = x.max(y);
    let relative = if larger == 0.0 { 0.0 } else { (x - y).abs() / larger };
    let rounded = (x - y).abs() <= a.rounding.max(b.rounding) / 2.0 + 0.005 * larger;
    match relative {
        r if r <= 0.005 => 3.5,
        r if r <= 0.03 => 2.0,
        _ if rounded => 1.5,
        r if r <= 0.08 => 1.0,
        r if r <= 0.2 => -1.0,
        _ => -4.0,
    }
}

/// The cheap parts of a comparison (everything but the customer name).
fn cheap_parts(a: &Facts, b: &Facts) -> CheapParts {
    let mut parts = CheapParts { parts: [("", 0.0); 5], len: 0 };
    parts.push("amount", amount_weight(a, b));
    parts.push(
        "close_date",
        match (a.close - b.close).abs() {
            0 => 2.5,
            1..=7 => 2.0,
            8..=21 => 1.0,
            22..=45 => -1.0,
            _ => -2.5,
        },
    );
    if a.created != i32::MIN && b.created != i32::MIN {
        parts.push(
            "created_date",
            match (a.created - b.created).abs() {
                0 => 2.5,
                1..=10 => 1.0,
                11..=30 => -0.5,
                _ => -2.0,
            },
        );
    }
    match (a.product, b.product) {
        (0, _) | (_, 0) => {
            if a.family != 0 && b.family != 0 {
                parts.push("product_family", if a.family == b.family { 1.0 } else { -2.0 });
            }
        }
        (p, q) if p == q => parts.push("product", 1.5),
        _ if a.family != 0 && a.family == b.family => parts.push("product", -1.0),
        _ => parts.push("product", -2.5),
    }
    if a.country != 0 && b.country != 0 {
        parts.push("country", if a.country == b.country { 0.5 } else { -2.0 });
    }
    parts
}

/// Scores two sides given by their customer words (see [`customer_words`]) and facts.
pub fn score_words(wa: &[String], fa: &Facts, wb: &[String], fb: &Facts) -> Score {
    let cheap = cheap_parts(fa, fb);
    let mut parts = Vec::with_capacity(1 + cheap.len);
    parts.push(("customer", customer_weight(customer_similarity(wa, wb))));
    parts.extend_from_slice(&cheap.parts[..cheap.len]);
    Score { total: parts.iter().map(|(_, w)| w).sum(), parts }
}

/// Whether two sides could reach `floor` with identical customer names: when not,
/// the name comparison (the costly part) is not worth making.
pub fn can_reach(fa: &Facts, fb: &Facts, floor: f64) -> bool {
    cheap_parts(fa, fb).total() + CUSTOMER_MAX_WEIGHT >= floor
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;
    use watershed_model::{SourceOpportunity, Symbol};

    fn p(customer: &str, amount: &str, close: &str, family: Option<&str>) -> SourceOpportunity {
        let amount = Decimal::from_str(amount).unwrap();
        let close = NaiveDate::parse_from_str(close, "%Y-%m-%d").unwrap();
        SourceOpportunity {
            product_family: family.map(Symbol::from),
            ..SourceOpportunity::new(customer, "P1", amount, "USD", watershed_model::Stage::Proposal, close)
        }
    }

    fn with_created(mut row: SourceOpportunity, created: &str) -> SourceOpportunity {
        row.created_date = Some(NaiveDate::parse_from_str(created, "%Y-%m-%d").unwrap());
        row
    }

    fn with_product(mut row: SourceOpportunity, product: &str) -> SourceOpportunity {
        row.product_id = Some(product.into());
        row
    }

    fn score(a: &SourceOpportunity, b: &SourceOpportunity) -> Score {
        score_words(&customer_words(&a.customer_name), &Facts::of_row(a), &customer_words(&b.customer_name), &Facts::of_row(b))
    }

    #[test]
    fn the_country_fact_is_the_region_else_the_normalized_customer_country() {
        let mut a = p("Horizon Chemicals", "100", "2025-09-06", None);
        let mut b = a.clone();
        a.customer_country = Some("Deutschland".into());
        b.customer_country = Some("  DEUTSCHLAND ".into());
        assert_eq!(Facts::of_row(&a), Facts::of_row(&b));
        b.customer_country = Some("Österreich".into());
        assert_ne!(Facts::of_row(&a), Facts::of_row(&b));
        a.region = Some("emea".into());
        b.region = Some("emea".into());
        assert_eq!(Facts::of_row(&a), Facts::of_row(&b), "the region wins over the country");
    }

    #[test]
    fn customer_words_unify_abbreviations_and_legal_forms() {
        assert_eq!(customer_words("The Summit Airlines Hldgs, Inc."), ["summit", "airlines", "holdings"]);
        assert_eq!(customer_words("Industries Parisienne SAS"), customer_words("Inds Parisienne"));
        assert_eq!(customer_words("Apex International Group"), customer_words("APEX INTL GRP"));
    }

    #[test]
    fn customer_similarity_forgives_one_typo_not_another_name() {
        let s = |a: &str, b: &str| customer_similarity(&customer_words(a), &customer_words(b));
        assert_eq!(s("Riverbend Pharmaceuticals", "RIVERBEND PHARMA LLC"), 1.0);
        assert!(s("Tidewater Software Co", "Tidewatr Software Co") >= 0.9);
        assert!(s("Lakeside Construction Group", "Lakeside Manufacturing") < 0.6);
        assert!(s("Industrias del Norte", "Industrias del Norte Puebla") < 0.9);
        assert_eq!(s("", "Acme"), 0.0);
    }

    #[test]
    fn a_rounded_amount_agrees_with_the_exact_one() {
        let exact = p("Horizon Chemicals", "16617.80", "2025-09-06", None);
        let rounded = p("Horizon Chemicals", "15000", "2025-09-06", None);
        let other = p("Horizon Chemicals", "15230.10", "2025-09-06", None);
        assert_eq!(amount_weight(&Facts::of_row(&exact), &Facts::of_row(&rounded)), 1.5);
        assert_eq!(amount_weight(&Facts::of_row(&exact), &Facts::of_row(&other)), -1.0, "neither side is round");
    }

    #[test]
    fn the_name_comparison_is_skipped_only_when_it_cannot_matter() {
        let a = p("Riverbend Pharmaceuticals", "125000", "2026-03-15", Some("Analytics"));
        let far = p("Riverbend Pharmaceuticals", "20000", "2026-06-15", Some("Security"));
        assert!(!can_reach(&Facts::of_row(&a), &Facts::of_row(&far), 5.0));
        assert!(score(&a, &far).total < 5.0, "skipping it lost nothing");
        let near = p("Riverbend Pharmaceuticals", "125000", "2026-03-15", Some("Analytics"));
        assert!(can_reach(&Facts::of_row(&a), &Facts::of_row(&near), 5.0));
        assert!(score(&a, &near).total >= 5.0);
    }

    #[test]
    fn duplicates_score_high_and_different_deals_low() {
        let s = MatchSettings::default();
        let cases: &[(SourceOpportunity, SourceOpportunity, &str)] = &[
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
            // The same created date and product carry a rounded amount and a shifted close.
            (
                with_product(with_created(p("Horizon Chemicals", "16617.80", "2025-09-06", Some("Security")), "2025-02-19"), "SEC-01"),
                with_product(with_created(p("HORIZON CHEMICALS", "15000", "2025-09-20", Some("Security")), "2025-02-19"), "SEC-01"),
                "merge",
            ),
            // A sibling: same customer and quarter, another product, another created date.
            (
                with_product(with_created(p("Kingsbridge Media", "45000", "2025-12-01", Some("Security")), "2025-06-02"), "SEC-01"),
                with_product(with_created(p("Kingsbridge Media", "44000", "2025-12-15", Some("Security")), "2025-07-22"), "SEC-02"),
                "distinct",
            ),
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
            assert_eq!(got, *want, "{} vs {}: {}", a.customer_name, b.customer_name, sc.describe());
        }
    }
}
