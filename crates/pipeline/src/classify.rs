//! Which term of the conservation equation each new opportunity row falls in.

use crate::report::RunReport;
use std::collections::HashMap;
use watershed_model::{Money, Stage, Symbol};
use watershed_resolve::{Relation, ResolveRecord};

/// What classification and the golden-level quality rules need to know of a golden
/// record's member beyond the record itself: its source's place in the configuration,
/// and whether it is new in this run.
pub(crate) struct MemberSources {
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

impl MemberSources {
    /// Members of `sources` (configuration order); inputs up to `inputs_loaded` were in the
    /// raw layer before this run.
    pub(crate) fn new<'s>(sources: impl Iterator<Item = &'s str>, inputs_loaded: i64) -> Self {
        MemberSources { sources: sources.enumerate().map(|(i, name)| (Symbol::from(name), i)).collect(), inputs_loaded }
    }

    /// What is known of member record `r`; `None` when its source is no longer configured.
    pub(crate) fn info<'a>(&self, r: &'a ResolveRecord) -> Option<MemberInfo<'a>> {
        Some(MemberInfo {
            source: *self.sources.get(&r.source)?,
            is_new: r.arrival.0 > self.inputs_loaded,
            key: (r.source, r.row.external_id.as_deref().unwrap_or(&r.fallback_key)),
            amount: r.row.amount,
            stage: r.row.stage,
        })
    }
}

/// Counts the new rows among a golden record's `members` (as [`MemberSources::info`] gives
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
    fn a_members_source_newness_and_key_come_from_its_record() {
        let records = [record(2, "crm", 1, Some("006A")), record(5, "sheets", 2, None), record(9, "crm", 3, Some("006A"))];
        let members = MemberSources::new(["crm", "sheets"].into_iter(), 2);
        for (r, source, is_new) in [(&records[0], 0, false), (&records[1], 1, false), (&records[2], 0, true)] {
            let m = members.info(r).unwrap_or_else(|| panic!("record {}", r.record_id));
            assert_eq!((m.source, m.is_new, m.amount), (source, is_new, Money::from(r.record_id)), "record {}", r.record_id);
        }
        // The key: source and external id, or the row's own key without one.
        let (a, b) = (members.info(&records[0]).map(|m| m.key), members.info(&records[2]).map(|m| m.key));
        assert_eq!(a, b, "same source and external id: one source record");
        assert_eq!(members.info(&records[1]).map(|m| m.key.1.to_string()), Some("sheets:2:5".to_string()));
        // A record of a source no longer configured is not a member.
        assert!(MemberSources::new(["crm"].into_iter(), 0).info(&records[1]).is_none());
    }
}
