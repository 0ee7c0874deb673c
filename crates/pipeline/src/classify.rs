//! Which term of the conservation equation each new opportunity row falls in.

use crate::report::RunReport;
use std::collections::HashMap;
use watershed_model::{Money, Stage, Symbol};
use watershed_resolve::{Relation, ResolveRecord};

/// The run's normalized opportunity records by record id: what classification and the
/// golden-level quality rules need of a golden record's members, read from the records
/// themselves (in memory until every golden record is stored) instead of from a copy
/// of them (a hash map of 1.55M entries at 1M opportunities: 150 MB).
pub(crate) struct Members<'a> {
    records: &'a [ResolveRecord],
    /// The records' ids, ascending: searched instead of the records themselves (8 bytes
    /// apart instead of 320, so a search touches a few cache lines, not one per step).
    ids: Vec<i64>,
    /// Positions in `records` in the order of `ids`, only when `records` is not in
    /// record-id order itself (it is when inputs are normalized in input order, as runs do).
    by_id: Option<Vec<usize>>,
    /// Source name → its index in the configuration.
    sources: HashMap<Symbol, usize>,
    /// Inputs with a higher id than this are new in this run.
    inputs_loaded: i64,
}

/// What is known of one member record.
pub(crate) struct MemberInfo<'a> {
    /// Index of the record's source in the configuration.
    pub(crate) source: usize,
    is_new: bool,
    /// Same source + external id (or the row's own key when it has none).
    key: (Symbol, &'a str),
    /// Amount in the reporting currency and stage, for the golden-level quality rules.
    pub(crate) amount: Money,
    pub(crate) stage: Stage,
}

impl<'a> Members<'a> {
    /// The members of `records`, whose sources are `sources` (configuration order);
    /// inputs up to `inputs_loaded` were in the raw layer before this run.
    pub(crate) fn new<'s>(records: &'a [ResolveRecord], sources: impl Iterator<Item = &'s str>, inputs_loaded: i64) -> Self {
        let by_id = if records.is_sorted_by_key(|r| r.record_id) {
            None
        } else {
            let mut order: Vec<usize> = (0..records.len()).collect();
            order.sort_unstable_by_key(|&i| records[i].record_id);
            Some(order)
        };
        let ids = match &by_id {
            None => records.iter().map(|r| r.record_id).collect(),
            Some(order) => order.iter().map(|&i| records[i].record_id).collect(),
        };
        let sources = sources.enumerate().map(|(i, name)| (Symbol::from(name), i)).collect();
        Members { records, ids, by_id, sources, inputs_loaded }
    }

    /// The record with id `record_id`, if it is one of the run's opportunity records.
    pub(crate) fn get(&self, record_id: i64) -> Option<MemberInfo<'a>> {
        let records = self.records;
        let at = self.ids.binary_search(&record_id).ok()?;
        let r = &records[self.by_id.as_ref().map_or(at, |order| order[at])];
        Some(MemberInfo {
            source: *self.sources.get(&r.source)?,
            is_new: r.arrival.0 > self.inputs_loaded,
            key: (r.source, r.row.external_id.as_deref().unwrap_or(&r.fallback_key)),
            amount: r.row.amount,
            stage: r.row.stage,
        })
    }
}

/// Counts the new rows among a golden record's `members` (as [`Members::get`] gives
/// them, with their relation, survivor first): a row joining a record that existed
/// before this run is `updated` (same source record) or `merged` (another source's);
/// in a record first seen now, its most trusted row is `new`, further partner rows are
/// `new` links, versions are `updated` and other sources' rows are `merged`.
pub(crate) fn count(members: &[(MemberInfo, Relation)], report: &mut RunReport) {
    let old_keys: Vec<(Symbol, &str)> = members.iter().filter(|(i, _)| !i.is_new).map(|(i, _)| i.key).collect();
    let mut first_new_seen = false;
    for (i, relation) in members {
        if !i.is_new {
            continue;
        }
        let s = &mut report.sources[i.source];
        if !old_keys.is_empty() {
            if old_keys.contains(&i.key) {
                s.updated += 1;
            } else {
                s.merged += 1;
            }
            continue;
        }
        match relation {
            _ if !first_new_seen => {
                first_new_seen = true;
                s.new += 1;
            }
            Relation::Survivor | Relation::Link => s.new += 1,
            Relation::Version => s.updated += 1,
            Relation::Duplicate => s.merged += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use watershed_model::{SourceOpportunity, Text};

    fn record(record_id: i64, source: &str, input: i64, external_id: Option<&str>) -> ResolveRecord {
        ResolveRecord {
            record_id,
            source: source.into(),
            source_rank: 0,
            arrival: (input, record_id as u64),
            fallback_key: Text::from(format!("{source}:{input}:{record_id}")),
            row: SourceOpportunity {
                external_id: external_id.map(Text::from),
                ..SourceOpportunity::new(
                    "Customer",
                    "P1",
                    Money::from(record_id),
                    "USD",
                    Stage::Proposal,
                    NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(),
                )
            },
        }
    }

    #[test]
    fn members_are_found_by_record_id_in_id_order_or_not() {
        let sorted = [record(2, "crm", 1, Some("006A")), record(5, "sheets", 2, None), record(9, "crm", 3, Some("006A"))];
        let shuffled = [sorted[2].clone(), sorted[0].clone(), sorted[1].clone()];
        for records in [&sorted, &shuffled] {
            let members = Members::new(records, ["crm", "sheets"].into_iter(), 2);
            for (id, source, is_new) in [(2, 0, false), (5, 1, false), (9, 0, true)] {
                let m = members.get(id).unwrap_or_else(|| panic!("record {id}"));
                assert_eq!((m.source, m.is_new, m.amount), (source, is_new, Money::from(id)), "record {id}");
            }
            for missing in [1, 3, 10] {
                assert!(members.get(missing).is_none(), "record {missing}");
            }
            // The key: source and external id, or the row's own key without one.
            let (a, b) = (members.get(2).map(|m| m.key), members.get(9).map(|m| m.key));
            assert_eq!(a, b, "same source and external id: one source record");
            assert_eq!(members.get(5).map(|m| m.key.1.to_string()), Some("sheets:2:5".to_string()));
        }
        assert!(Members::new(&shuffled, ["crm"].into_iter(), 0).by_id.is_some());
        assert!(Members::new(&sorted, ["crm"].into_iter(), 0).by_id.is_none());
        // A record of a source no longer configured is not a member.
        assert!(Members::new(&sorted, ["crm"].into_iter(), 0).get(5).is_none());
    }
}
