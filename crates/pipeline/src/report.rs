//! What a run did, per source: the conservation equation and its terms.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use watershed_config::Config;

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// The dataset was rebuilt and committed.
    Succeeded,
    /// No new input and unchanged mappings: nothing to do.
    UpToDate,
}

/// One source's counts for this run. `read = new + updated + merged + quarantined + skipped`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceSummary {
    /// Source name.
    pub name: String,
    /// Entity it delivers.
    pub entity: String,
    /// Inputs read for the first time.
    pub inputs_new: u64,
    /// Inputs whose content was already in the raw layer.
    pub inputs_unchanged: u64,
    /// Rows (and skipped lines) read from new inputs.
    pub read: u64,
    /// Rows that created a record or partner link.
    pub new: u64,
    /// Rows that are a new version of a known record.
    pub updated: u64,
    /// Rows merged into a record of another source (duplicates).
    pub merged: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Blank, comment and totals lines.
    pub skipped: u64,
    /// Quarantined rows by field at fault.
    pub reasons: BTreeMap<String, u64>,
    /// Encodings seen in new inputs.
    pub encodings: BTreeSet<String>,
    /// The source failed to deliver (its last good data stays in place).
    pub error: Option<String>,
}

impl SourceSummary {
    /// Whether the conservation equation holds.
    pub fn balanced(&self) -> bool {
        self.read == self.new + self.updated + self.merged + self.quarantined + self.skipped
    }
}

/// The result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The run's id in the store.
    pub run_id: Option<i64>,
    /// How it ended.
    pub status: RunStatus,
    /// Per source, in configuration order.
    pub sources: Vec<SourceSummary>,
    /// Golden opportunities in the dataset after the run.
    pub golden_opportunities: u64,
    /// Records quarantined before that resolve now.
    pub recovered: u64,
    /// Records in quarantine after the run.
    pub quarantine_open: u64,
    /// Quarters whose scorecards were computed and stored.
    pub scorecard_periods: u64,
    /// Data-quality rule violations in the dataset after the run, by rule.
    pub violations: BTreeMap<String, u64>,
    /// Scored-matching decisions by kind (merged, review, human_merged, human_split, superseded, kept_apart).
    pub matching: BTreeMap<String, u64>,
    /// Pairs the scored matching compared.
    pub comparisons: u64,
    /// Things a person should look at (unmapped required columns, …).
    pub warnings: Vec<String>,
    /// Wall time.
    pub elapsed_ms: i64,
}

impl RunReport {
    pub(crate) fn new(config: &Config) -> Self {
        RunReport {
            run_id: None,
            status: RunStatus::Succeeded,
            sources: config
                .sources
                .iter()
                .map(|s| SourceSummary { name: s.name.clone(), entity: s.entity.clone(), ..Default::default() })
                .collect(),
            golden_opportunities: 0,
            recovered: 0,
            quarantine_open: 0,
            scorecard_periods: 0,
            violations: BTreeMap::new(),
            matching: BTreeMap::new(),
            comparisons: 0,
            warnings: Vec::new(),
            elapsed_ms: 0,
        }
    }

    /// The report as JSON (stored with the run, printed by `--format json`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
