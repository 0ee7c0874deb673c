//! Which term of the conservation equation each new opportunity row falls in.

use crate::report::RunReport;
use watershed_model::{Money, SourceOpportunity, Stage, Text, format_text};
use watershed_resolve::{Golden, Relation};

/// What classification needs to know about a normalized record.
pub(crate) struct RecordInfo {
    /// Index of the record's source in the configuration.
    pub(crate) source: usize,
    is_new: bool,
    /// Same source + external id (or the row's own key when it has none).
    key: (usize, Text),
    /// Amount in the reporting currency and stage, for the golden-level quality rules
    /// (so the normalized records can be freed once resolved).
    pub(crate) amount: Money,
    pub(crate) stage: Stage,
}

impl RecordInfo {
    pub(crate) fn new(source: usize, is_new: bool, row: &SourceOpportunity, input_tag: &str, line: u64) -> Self {
        let id = row.external_id.clone().unwrap_or_else(|| format_text!("{input_tag}:{line}"));
        RecordInfo { source, is_new, key: (source, id), amount: row.amount, stage: row.stage }
    }
}

/// Counts the new rows of golden record `g`: a row joining a record that existed
/// before this run is `updated` (same source record) or `merged` (another source's);
/// in a record first seen now, its most trusted row is `new`, further partner rows are
/// `new` links, versions are `updated` and other sources' rows are `merged`.
pub(crate) fn count(g: &Golden, info: &foldhash::HashMap<i64, RecordInfo>, report: &mut RunReport) {
    let old_keys: Vec<&(usize, Text)> = g.members.iter().filter_map(|(id, _)| info.get(id)).filter(|i| !i.is_new).map(|i| &i.key).collect();
    let mut first_new_seen = false;
    for (id, relation) in &g.members {
        let Some(i) = info.get(id) else { continue };
        if !i.is_new {
            continue;
        }
        let s = &mut report.sources[i.source];
        if !old_keys.is_empty() {
            if old_keys.contains(&&i.key) {
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
