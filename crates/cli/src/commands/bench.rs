//! `watershed bench resolve`: the accuracy and cost of resolution on a generated
//! program, judged against its ground truth.

use crate::commands::load_project;
use crate::{Failure, OutputFormat};
use anyhow::{Context, anyhow};
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use watershed_generate::{GenerateOptions, generate};
use watershed_pipeline::StageClock;
use watershed_resolve::evaluate::{Labelled, PairCounts, pair_counts};

/// What `bench resolve` runs on.
pub struct ResolveBench {
    /// Deals of the generated program.
    pub opportunities: usize,
    /// Generator seed.
    pub seed: u64,
    /// Keep the CRM ids in the sheet and partner files (keys then find most duplicates).
    pub shared_ids: bool,
    /// Where to generate the program (replaced if it exists).
    pub dir: Option<PathBuf>,
}

/// How review-queue or merge decisions fared against the truth.
#[derive(Default)]
struct DecisionTally {
    same_deal: u64,
    different_deals: u64,
    unknown: u64,
}

/// Peak resident memory of this process so far, in MB (Linux; None elsewhere).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The truth's deal of every source row: (source, file, line) → deal id.
fn truth_rows(dir: &Path) -> anyhow::Result<HashMap<(String, String, u64), String>> {
    let path = dir.join("truth/source_rows.csv");
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {} (is this a generated program?)", path.display()))?;
    let mut out = HashMap::new();
    for row in reader.records() {
        let row = row.with_context(|| format!("{}: bad row", path.display()))?;
        let (source, file, line, deal) = (&row[0], &row[1], &row[2], &row[3]);
        if deal.is_empty() {
            continue;
        }
        let line: u64 = line.parse().with_context(|| format!("{}: bad line number {line:?}", path.display()))?;
        out.insert((source.to_string(), file.to_string(), line), deal.to_string());
    }
    Ok(out)
}

/// Generates the program, runs the pipeline on it and compares the golden records
/// with the ground truth.
pub fn resolve(bench: &ResolveBench, format: OutputFormat) -> Result<(), Failure> {
    let dir = bench.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "watershed-bench-resolve-{}-seed{}-{}",
            bench.opportunities,
            bench.seed,
            if bench.shared_ids { "ids" } else { "noids" }
        ))
    });
    if dir.exists() {
        // Only a program this command (or `watershed generate`) made is replaced.
        let empty = std::fs::read_dir(&dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty && !dir.join("truth/deals.csv").is_file() {
            return Err(Failure::usage(anyhow!(
                "{} exists and is not a generated program (no truth/deals.csv); choose another --dir",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display())).map_err(Failure::run)?;
    }
    let quiet = format != OutputFormat::Table;
    if !quiet {
        eprintln!(
            "Generating {} opportunities (seed {}, {}) in {} …",
            bench.opportunities,
            bench.seed,
            if bench.shared_ids { "with shared ids" } else { "without shared ids" },
            dir.display()
        );
    }
    let options = GenerateOptions { opportunities: bench.opportunities, partners: None, seed: bench.seed, shared_ids: bench.shared_ids };
    generate(&dir, &options).map_err(|e| Failure::run(anyhow!("{e}")))?;
    let project = load_project(&dir)?;
    if !quiet {
        eprintln!("Running the pipeline …");
    }
    let mut timer = StageClock::default();
    let started = Instant::now();
    let report = watershed_pipeline::run(&project, &mut timer).map_err(Failure::run)?;
    timer.stop();
    let run_seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_mb();

    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let placements = store.opportunity_placements().map_err(|e| Failure::run(anyhow!("{e}")))?;
    let truth = truth_rows(&dir).map_err(Failure::run)?;
    let mut deal_of_record: HashMap<i64, &str> = HashMap::new();
    let mut labelled = Vec::with_capacity(placements.len());
    let mut unlabelled = 0u64;
    for (golden, record, source, file, line) in &placements {
        match truth.get(&(source.clone(), file.clone(), *line)) {
            Some(deal) => {
                deal_of_record.insert(*record, deal.as_str());
                labelled.push(Labelled { predicted: golden, truth: deal, source });
            }
            None => unlabelled += 1,
        }
    }
    let counts = pair_counts(&labelled);
    let mut review = DecisionTally::default();
    let mut merged = DecisionTally::default();
    for (_, _, left, right, _, _, decision) in store.match_decisions().map_err(|e| Failure::run(anyhow!("{e}")))? {
        let tally = match decision.as_str() {
            "review" => &mut review,
            "merged" => &mut merged,
            _ => continue,
        };
        match (deal_of_record.get(&left), deal_of_record.get(&right)) {
            (Some(a), Some(b)) if a == b => tally.same_deal += 1,
            (Some(_), Some(_)) => tally.different_deals += 1,
            _ => tally.unknown += 1,
        }
    }
    let records = placements.len() as u64;
    let figures = Figures { counts, review, merged, records, unlabelled, comparisons: report.comparisons, run_seconds, peak };
    match format {
        OutputFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&figures.to_json(bench, &timer)).unwrap_or_default());
        }
        _ => print!("{}", figures.table(bench, &timer)),
    }
    Ok(())
}

struct Figures {
    counts: PairCounts,
    review: DecisionTally,
    merged: DecisionTally,
    records: u64,
    unlabelled: u64,
    comparisons: u64,
    run_seconds: f64,
    peak: Option<f64>,
}

impl Figures {
    fn per_record(&self) -> f64 {
        if self.records == 0 { 0.0 } else { self.comparisons as f64 / self.records as f64 }
    }

    fn to_json(&self, bench: &ResolveBench, timer: &StageClock) -> serde_json::Value {
        serde_json::json!({
            "opportunities": bench.opportunities,
            "seed": bench.seed,
            "shared_ids": bench.shared_ids,
            "records": self.records,
            "records_without_truth": self.unlabelled,
            "pairs": { "predicted": self.counts.predicted, "actual": self.counts.actual, "correct": self.counts.correct,
                       "wrong": self.counts.wrong(), "missed": self.counts.missed() },
            "precision": self.counts.precision(),
            "recall": self.counts.recall(),
            "f1": self.counts.f1(),
            "merged_by_score": { "same_deal": self.merged.same_deal, "different_deals": self.merged.different_deals },
            "review": { "same_deal": self.review.same_deal, "different_deals": self.review.different_deals, "unknown": self.review.unknown },
            "comparisons": self.comparisons,
            "comparisons_per_record": self.per_record(),
            "resolve_seconds": timer.of("resolve"),
            "run_seconds": self.run_seconds,
            "stages": timer.seconds().iter().map(|(n, s)| serde_json::json!({"stage": n, "seconds": s})).collect::<Vec<_>>(),
            "peak_rss_mb": self.peak,
        })
    }

    fn table(&self, bench: &ResolveBench, timer: &StageClock) -> String {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(vec!["measure", "value"]);
        let c = &self.counts;
        let rows: Vec<(&str, String)> = vec![
            ("program", format!("{} opportunities, seed {}, {}", bench.opportunities, bench.seed, ids_text(bench.shared_ids))),
            ("opportunity records", format!("{} ({} without a truth row)", self.records, self.unlabelled)),
            ("cross-source pairs in the truth", c.actual.to_string()),
            ("pairs merged", format!("{} ({} right, {} wrong)", c.predicted, c.correct, c.wrong())),
            ("pairs missed", c.missed().to_string()),
            ("precision", format!("{:.4}", c.precision())),
            ("recall", format!("{:.4}", c.recall())),
            ("F1", format!("{:.4}", c.f1())),
            ("merged by score", format!("{} same deal, {} different deals", self.merged.same_deal, self.merged.different_deals)),
            ("review queue", format!("{} same deal, {} different deals", self.review.same_deal, self.review.different_deals)),
            ("comparisons", format!("{} ({:.2} per record)", self.comparisons, self.per_record())),
            ("resolve stage", format!("{:.2} s", timer.of("resolve"))),
            ("whole run", format!("{:.2} s", self.run_seconds)),
            ("peak memory (generation + run)", self.peak.map_or("unknown".to_string(), |mb| format!("{mb:.0} MB"))),
        ];
        for (k, v) in rows {
            table.add_row(vec![Cell::new(k), Cell::new(v).set_alignment(CellAlignment::Left)]);
        }
        format!("{table}\n")
    }
}

fn ids_text(shared: bool) -> &'static str {
    if shared { "sheet and partner files quote CRM ids" } else { "no shared ids: scored matching only" }
}
