//! Validation: the data-quality rules between normalization and resolution.
//!
//! Pure: normalized records in, violations out. A rule's severity decides what a
//! violation does: `error` quarantines the row, `warn` flags it (stored and reported,
//! the row stays), `off` skips the rule. Completeness (required fields) and
//! references (a partner not in the master data) are enforced by normalization and
//! always quarantine.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use watershed_model::{Entity, Opportunity, SourceOpportunity, Value};

/// What a rule violation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Quarantine the row.
    Error,
    /// Flag it; the row stays in the dataset.
    Warn,
    /// Do not check.
    Off,
}

impl Severity {
    /// `error`, `warn` or `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warn => "warn",
            Severity::Off => "off",
        }
    }
}

/// The rules' severities and parameters (`[quality]` in watershed.toml).
#[derive(Debug, Clone, PartialEq)]
pub struct QualityRules {
    /// Validity: an amount below zero.
    pub negative_amount: Severity,
    /// Validity: CSAT outside 1–5, NPS outside 0–10.
    pub score_range: Severity,
    /// Consistency: close_date before created_date.
    pub close_before_created: Severity,
    /// Consistency: one deal, two sources, amounts apart by more than the tolerance or different stages.
    pub cross_source_conflict: Severity,
    /// Tolerance of `cross_source_conflict` in percent of the larger amount.
    pub amount_tolerance_pct: Decimal,
    /// Timeliness: an open opportunity whose close date has passed.
    pub stale_pipeline: Severity,
    /// Uniqueness: the same external id (and partner) twice in one input.
    pub duplicate_external_id: Severity,
}

impl Default for QualityRules {
    fn default() -> Self {
        QualityRules {
            negative_amount: Severity::Error,
            score_range: Severity::Error,
            close_before_created: Severity::Warn,
            cross_source_conflict: Severity::Warn,
            amount_tolerance_pct: Decimal::from(5),
            stale_pipeline: Severity::Warn,
            duplicate_external_id: Severity::Warn,
        }
    }
}

/// One rule violation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The rule (`negative_amount`, …).
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The field at fault, when one is.
    pub field: Option<&'static str>,
    /// What is wrong, with the numbers.
    pub message: String,
}

fn violation(rule: &'static str, severity: Severity, field: Option<&'static str>, message: String) -> Option<Violation> {
    (severity != Severity::Off).then_some(Violation { rule, severity, field, message })
}

/// Row-level rules for a normalized opportunity row.
pub fn check_opportunity(rules: &QualityRules, row: &SourceOpportunity) -> Vec<Violation> {
    let mut out = Vec::new();
    if row.amount_original < Decimal::ZERO {
        out.extend(violation(
            "negative_amount",
            rules.negative_amount,
            Some("amount"),
            format!("amount {} is negative", row.amount_original),
        ));
    }
    if let Some(created) = row.created_date
        && row.close_date < created
    {
        out.extend(violation(
            "close_before_created",
            rules.close_before_created,
            Some("close_date"),
            format!("close_date {} is before created_date {created}", row.close_date),
        ));
    }
    out
}

/// Row-level rules for a row of another entity (values in [`Entity::fields`] order).
pub fn check_entity_row(rules: &QualityRules, entity: Entity, values: &[Value]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (spec, value) in entity.fields().iter().zip(values) {
        let number = match value {
            Value::Integer(i) => Decimal::from(*i),
            Value::Decimal(d) => *d,
            _ => continue,
        };
        let is_money = spec.name.starts_with("amount") || matches!(spec.name, "attributed_revenue" | "unit_price");
        if is_money && number < Decimal::ZERO {
            out.extend(violation("negative_amount", rules.negative_amount, Some(spec.name), format!("{} {number} is negative", spec.name)));
        }
        if spec.name == "score" {
            let (lo, hi) = match entity {
                Entity::CsatResponses => (Decimal::ONE, Decimal::from(5)),
                Entity::NpsResponses => (Decimal::ZERO, Decimal::from(10)),
                _ => continue,
            };
            if number < lo || number > hi {
                out.extend(violation("score_range", rules.score_range, Some("score"), format!("score {number} is outside {lo}–{hi}")));
            }
        }
    }
    out
}

/// Uniqueness of (external id, partner) within one input, checked row by row (the
/// pipeline normalizes an input a part at a time): every occurrence after the first of a
/// key is a violation.
///
/// A key seen is kept as its 128-bit XXH3 hash (of the id's length, the id and the
/// partner), 24 bytes with its first row: a million-row input's keys held as text took
/// 120 MB at once, this 52 MB. Two different keys share a hash with a probability of
/// about n² / 2¹²⁹ (10⁻²⁷ for a million keys): far below any other cause of error.
#[derive(Debug)]
pub struct DuplicateCheck {
    severity: Severity,
    seen: foldhash::HashMap<(u64, u64), usize>,
    /// Reused for each key's bytes.
    scratch: Vec<u8>,
}

impl DuplicateCheck {
    /// A check for an input of about `rows` rows.
    pub fn new(rules: &QualityRules, rows: usize) -> Self {
        let severity = rules.duplicate_external_id;
        let capacity = if severity == Severity::Off { 0 } else { rows };
        DuplicateCheck { severity, seen: HashMap::with_capacity_and_hasher(capacity, Default::default()), scratch: Vec::new() }
    }

    /// The violation of row `row` (its index in the input), when its (external id,
    /// partner) appeared in an earlier row; rows are checked in input order.
    pub fn check(&mut self, row: usize, external_id: Option<&str>, partner: &str) -> Option<Violation> {
        let id = external_id?;
        if self.severity == Severity::Off {
            return None;
        }
        // The id's length first, so that no two (id, partner) pairs give the same bytes.
        self.scratch.clear();
        self.scratch.extend_from_slice(&(id.len() as u64).to_le_bytes());
        self.scratch.extend_from_slice(id.as_bytes());
        self.scratch.extend_from_slice(partner.as_bytes());
        let hash = twox_hash::XxHash3_128::oneshot(&self.scratch);
        let key = ((hash >> 64) as u64, hash as u64);
        match self.seen.get(&key) {
            Some(first) => violation(
                "duplicate_external_id",
                self.severity,
                Some("external_id"),
                format!("external id {id} appears again (first in row {})", first + 1),
            ),
            None => {
                self.seen.insert(key, row);
                None
            }
        }
    }
}

/// A member row of a golden record, as the conflict check sees it.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// Its source.
    pub source: &'a str,
    /// Amount in the reporting currency.
    pub amount: Decimal,
    /// Stage.
    pub stage: watershed_model::Stage,
}

/// Golden-level rules: cross-source conflicts among `members` and stale pipeline.
pub fn check_golden(rules: &QualityRules, golden: &Opportunity, members: &[Member], today: NaiveDate) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut by_source: Vec<&Member> = Vec::new();
    for m in members {
        if !by_source.iter().any(|b| b.source == m.source) {
            by_source.push(m);
        }
    }
    if by_source.len() > 1 {
        let max = by_source.iter().map(|m| m.amount.abs()).max().unwrap_or_default();
        let min = by_source.iter().map(|m| m.amount.abs()).min().unwrap_or_default();
        if !max.is_zero() && (max - min) / max * Decimal::ONE_HUNDRED > rules.amount_tolerance_pct {
            let list: Vec<String> = by_source.iter().map(|m| format!("{} {}", m.source, m.amount.round_dp(2))).collect();
            out.extend(violation(
                "cross_source_conflict",
                rules.cross_source_conflict,
                Some("amount"),
                format!("sources disagree on the amount by more than {}%: {}", rules.amount_tolerance_pct, list.join(", ")),
            ));
        }
        if by_source.iter().any(|m| m.stage != by_source[0].stage) {
            let list: Vec<String> = by_source.iter().map(|m| format!("{} {}", m.source, m.stage)).collect();
            out.extend(violation(
                "cross_source_conflict",
                rules.cross_source_conflict,
                Some("stage"),
                format!("sources disagree on the stage: {}", list.join(", ")),
            ));
        }
    }
    if !golden.stage.is_closed() && golden.close_date < today {
        out.extend(violation(
            "stale_pipeline",
            rules.stale_pipeline,
            Some("close_date"),
            format!("open ({}) but its close date {} has passed", golden.stage, golden.close_date),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use watershed_model::Stage;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn entity_rows_validity() {
        let rules = QualityRules::default();
        let cases: &[(Entity, Vec<Value>, Vec<&str>)] = &[
            (Entity::CsatResponses, vec![Value::Text("P".into()), Value::Null, Value::Decimal(dec("6")), Value::Null], vec!["score_range"]),
            (Entity::CsatResponses, vec![Value::Text("P".into()), Value::Null, Value::Decimal(dec("5")), Value::Null], vec![]),
            (Entity::NpsResponses, vec![Value::Text("P".into()), Value::Null, Value::Integer(-1), Value::Null], vec!["score_range"]),
            (Entity::NpsResponses, vec![Value::Text("P".into()), Value::Null, Value::Integer(0), Value::Null], vec![]),
            (
                Entity::Targets,
                vec![Value::Text("P".into()), Value::Text("FY2026-Q1".into()), Value::Decimal(dec("-1"))],
                vec!["negative_amount"],
            ),
            (Entity::Targets, vec![Value::Text("P".into()), Value::Text("FY2026-Q1".into()), Value::Decimal(dec("0"))], vec![]),
        ];
        for (entity, values, expected) in cases {
            let got: Vec<&str> = check_entity_row(&rules, *entity, values).iter().map(|v| v.rule).collect();
            assert_eq!(&got, expected, "{entity} {values:?}");
        }
        let off = QualityRules { score_range: Severity::Off, ..QualityRules::default() };
        assert!(check_entity_row(&off, Entity::CsatResponses, &cases[0].1).is_empty());
    }

    #[test]
    fn duplicates_inside_one_input_but_not_partner_links() {
        let rules = QualityRules::default();
        let keys = [(0, Some("A"), "P1"), (1, Some("A"), "P2"), (2, Some("A"), "P1"), (3, None, "P1"), (4, None, "P1")];
        let mut check = DuplicateCheck::new(&rules, keys.len());
        let dups: Vec<(usize, Violation)> =
            keys.iter().filter_map(|&(row, external_id, partner)| check.check(row, external_id, partner).map(|v| (row, v))).collect();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].0, 2);
        assert!(dups[0].1.message.contains("first in row 1"));
    }

    #[test]
    fn keys_whose_id_and_partner_run_together_alike_are_different_keys() {
        // (`AB`, `C`) and (`A`, `BC`) give the same bytes when joined: only the id's length
        // in the hashed bytes tells them apart.
        let rules = QualityRules::default();
        let mut check = DuplicateCheck::new(&rules, 4);
        assert!(check.check(0, Some("AB"), "C").is_none());
        assert!(check.check(1, Some("A"), "BC").is_none());
        assert!(check.check(2, Some(""), "ABC").is_none());
        let again = check.check(3, Some("A"), "BC").map(|v| v.message).unwrap_or_default();
        assert!(again.contains("external id A appears again (first in row 2)"), "{again}");
    }

    #[test]
    fn the_duplicate_check_row_by_row_remembers_keys_across_calls() {
        // The pipeline checks an input a part at a time: a key first seen in one part is a
        // duplicate in a later one, with the first row's number.
        let rules = QualityRules::default();
        let mut check = DuplicateCheck::new(&rules, 4);
        assert!(check.check(0, Some("A"), "P1").is_none());
        assert!(check.check(1, None, "P1").is_none());
        assert!(check.check(70_000, Some("A"), "P2").is_none());
        let v = check.check(70_001, Some("A"), "P1").map(|v| v.message).unwrap_or_default();
        assert!(v.contains("first in row 1"), "{v}");
        let off = QualityRules { duplicate_external_id: Severity::Off, ..QualityRules::default() };
        let mut check = DuplicateCheck::new(&off, 4);
        assert!(check.check(0, Some("A"), "P1").is_none() && check.check(1, Some("A"), "P1").is_none());
    }

    #[test]
    fn golden_conflicts_and_stale_pipeline() {
        let rules = QualityRules::default();
        let golden = Opportunity {
            opportunity_id: "crm:1".into(),
            name: None,
            customer_name: "C".into(),
            customer_country: None,
            region: None,
            industry: None,
            product_id: None,
            product_family: None,
            amount: dec("100"),
            amount_original: dec("100"),
            currency: "USD".into(),
            stage: Stage::Proposal,
            created_date: None,
            close_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            deal_registration_id: None,
            updated_at: None,
        };
        let members = [
            Member { source: "crm", amount: dec("100"), stage: Stage::Proposal },
            Member { source: "crm", amount: dec("50"), stage: Stage::Prospecting },
            Member { source: "sheets", amount: dec("95.5"), stage: Stage::Proposal },
        ];
        let today = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let rules_seen: Vec<&str> = check_golden(&rules, &golden, &members, today).iter().map(|v| v.rule).collect();
        assert_eq!(rules_seen, vec!["stale_pipeline"], "4.5 % apart is within the 5 % tolerance; versions of one source do not conflict");
        let far = [members[0], Member { source: "sheets", amount: dec("90"), stage: Stage::ClosedWon }];
        let v = check_golden(&rules, &golden, &far, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        assert_eq!(
            v.iter().map(|v| (v.rule, v.field)).collect::<Vec<_>>(),
            vec![("cross_source_conflict", Some("amount")), ("cross_source_conflict", Some("stage"))]
        );
    }

    #[test]
    fn opportunity_rows() {
        let rules = QualityRules { close_before_created: Severity::Error, ..QualityRules::default() };
        let mut row = SourceOpportunity {
            created_date: NaiveDate::from_ymd_opt(2026, 3, 1),
            ..SourceOpportunity::new("C", "P", dec("-5"), "USD", Stage::Proposal, NaiveDate::from_ymd_opt(2026, 2, 1).unwrap())
        };
        let v = check_opportunity(&rules, &row);
        assert_eq!(
            v.iter().map(|v| (v.rule, v.severity)).collect::<Vec<_>>(),
            vec![("negative_amount", Severity::Error), ("close_before_created", Severity::Error)]
        );
        row.amount_original = dec("5");
        row.created_date = None;
        assert!(check_opportunity(&rules, &row).is_empty());
    }
}
