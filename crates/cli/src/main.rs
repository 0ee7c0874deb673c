//! `watershed`: the command line. Parses arguments, loads the project, calls the
//! pipeline and the reports, and maps errors to exit codes (0 success, 1 run failed,
//! 2 usage or configuration error).

mod commands;
mod progress;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use watershed_generate::GenerateOptions;

/// mimalloc instead of the system allocator: a run allocates and frees millions of small
/// strings, and glibc's malloc spent a tenth of a 1M-opportunity run consolidating chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option: how long freed memory stays committed before it is
/// given back to the OS (mimalloc v3's `mi_option_t` numbering, `mimalloc.h`; the
/// Rust bindings do not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay set, unless `MIMALLOC_PURGE_DELAY` says otherwise: freed memory is
/// given back to the system at once. With mimalloc v3's default (1 s) what one stage
/// freed stayed committed while the next allocated its own, so the run's peak held both
/// (1.47–1.55 GB against 1.39–1.40 GB at 100 ms, 1M opportunities, an earlier build);
/// at 100 ms much of what a stage freed was still resident when it ended (at the end of
/// the metrics 586 MiB, 83 MiB once `mi_collect` ran; 83 MiB at 0 ms without it), and
/// the peaks inside normalization and resolution held it too: max RSS 936–946 MiB at
/// 100 ms against 892–898 MiB at 0 ms over five alternating runs, wall time the same
/// within this machine's noise (medians 21.7 s at 100 ms, 21.9 s at 0 ms).
const PURGE_DELAY_MS: std::ffi::c_long = 0;

/// Watershed turns partner data (CRM exports, channel sheets, partners' own files)
/// into one governed, deduplicated, traceable dataset and the partner metrics built on it.
#[derive(Debug, Parser)]
#[command(name = "watershed", version, about, long_about = None, after_help = "Start with `watershed demo`, or `watershed init my-program --example` then `watershed -C my-program run`.")]
struct Cli {
    /// The project folder (holding watershed.toml).
    #[arg(short = 'C', long = "project", global = true, env = "WATERSHED_PROJECT", default_value = ".")]
    project: PathBuf,
    #[command(subcommand)]
    command: Command,
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people.
    Table,
    /// CSV with a header row.
    Csv,
    /// JSON.
    Json,
}

/// File format of `watershed export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One CSV file per table: text, a header row, empty for null.
    Csv,
    /// Parquet: typed columns, the per-quarter tables partitioned by period (hive-style folders).
    Parquet,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a project folder: watershed.toml, mappings/, inbox/.
    Init {
        /// Where to create it (default: the current folder).
        dir: Option<PathBuf>,
        /// Also write a realistic, messy example program (5,000 opportunities, 30 partners).
        #[arg(long)]
        example: bool,
        /// Write even if the folder already holds a watershed.toml.
        #[arg(long)]
        force: bool,
    },
    /// Generate a program of any size (for benchmarks), with its ground truth in truth/.
    Generate {
        /// Where to write it.
        dir: PathBuf,
        /// How many opportunities.
        #[arg(long, default_value_t = 5000)]
        opportunities: usize,
        /// How many partners (default: max(30, opportunities / 400)).
        #[arg(long)]
        partners: Option<usize>,
        /// Random seed: the same seed gives the same files.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Leave the CRM opportunity id out of the channel sheet and the partner files,
        /// so that only scored matching can find the deals they re-report.
        #[arg(long)]
        without_shared_ids: bool,
    },
    /// Run the pipeline: read new inputs, normalize, resolve, store; print the summary.
    Run {
        /// Summary format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// No progress bars.
        #[arg(long, short)]
        quiet: bool,
    },
    /// The metric catalog per partner for a fiscal quarter.
    Kpis {
        /// Fiscal quarter, e.g. FY2026-Q3 (default: the current quarter).
        #[arg(long)]
        period: Option<String>,
        /// As-of date YYYY-MM-DD for pipeline and year-to-date (default: end of period, or today).
        #[arg(long)]
        as_of: Option<String>,
        /// Only this partner (id, name or alias): every metric with its tier median and percentile.
        #[arg(long)]
        partner: Option<String>,
        /// Program totals instead of partners (each opportunity once).
        #[arg(long)]
        program: bool,
        /// Program figures by segment: region, partner_type, industry, product_family, tier or year.
        #[arg(long, value_name = "SEGMENT")]
        by: Option<String>,
        /// Output format. CSV and JSON are read from the scorecard the last run stored
        /// when it is current (same configuration, mappings and as-of date).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
        /// Compute from the governed dataset even when the stored scorecard is current.
        #[arg(long)]
        recompute: bool,
    },
    /// Alerts and coaching for a quarter, most urgent first.
    Alerts {
        /// Fiscal quarter, e.g. FY2026-Q3 (default: the current quarter).
        #[arg(long)]
        period: Option<String>,
        /// Only this partner (id, name or alias).
        #[arg(long)]
        partner: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// The arithmetic and the source records behind a number, or behind one golden opportunity.
    Explain {
        /// The partner (id, name or alias), with --metric.
        #[arg(long, requires = "metric")]
        partner: Option<String>,
        /// The metric (a catalog name, e.g. revenue or health_score), with --partner.
        #[arg(long, requires = "partner")]
        metric: Option<String>,
        /// A golden opportunity id (e.g. crm:006…): its source records and the survivorship per field.
        #[arg(long, conflicts_with_all = ["partner", "metric"])]
        opportunity: Option<String>,
        /// Fiscal quarter, e.g. FY2026-Q3 (default: the current quarter).
        #[arg(long)]
        period: Option<String>,
        /// As-of date YYYY-MM-DD.
        #[arg(long)]
        as_of: Option<String>,
        /// Output format (table, csv for the records behind a sum, or json).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Per source: freshness, cadence and last run's counts; quality-rule violations; runs.
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Publish the governed dataset and the scorecards to a PostgreSQL reporting schema (atomic swap).
    Publish {
        /// The reporting database, postgres://user@host/db.
        #[arg(long, env = "WATERSHED_PUBLISH_URL")]
        to: String,
        /// The reporting schema (replaced as a whole on every publish).
        #[arg(long, default_value = "watershed")]
        schema: String,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Export every reporting table as files: CSV (text, one file per table) or Parquet (typed, for DuckDB, pandas, Spark).
    #[command(after_help = "CSV: DIR/<table>.csv, one per table, a header row, empty for null, ISO dates.\n\
Parquet: typed columns (money and ratios DECIMAL(38,6), DATE, TIMESTAMP, INT64, BOOLEAN, UTF8) with column descriptions; \
the per-quarter tables (partner_kpis, health_scores, alerts, tier_status) are partitioned hive-style as \
DIR/partner_kpis/period=FY2026-Q3/part-0.parquet, the others are DIR/<table>.parquet.\n\
DuckDB: SELECT * FROM read_parquet('DIR/partner_kpis/*/*.parquet', hive_partitioning = true);\n\
pandas: pandas.read_parquet('DIR/partner_kpis')")]
    Export {
        /// File format: csv (text) or parquet (typed, partitioned by period).
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Where to write the files (created if missing; an earlier export's files of the same format are replaced).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the program scorecard workbook (XLSX): partners, program totals, definitions.
    Scorecard {
        /// Fiscal quarter, e.g. FY2026-Q3 (default: the current quarter).
        #[arg(long)]
        period: Option<String>,
        /// As-of date YYYY-MM-DD.
        #[arg(long)]
        as_of: Option<String>,
        /// The .xlsx file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Generated documentation (`docs bi`: the reporting schema for docs/BI.md).
    Docs {
        /// Which document: bi.
        #[arg(value_parser = ["bi"])]
        what: String,
        /// The reporting schema name to document.
        #[arg(long, default_value = "watershed")]
        schema: String,
    },
    /// Quarantined records and why: list, show, export.
    Quarantine {
        #[command(subcommand)]
        action: QuarantineAction,
    },
    /// Fix mappings: review suggestions, accept them, add mappings and corrections.
    Map {
        #[command(subcommand)]
        action: MapAction,
    },
    /// The review queue of the scored matching: list, accept (same deal), reject (different deals).
    Review {
        #[command(subcommand)]
        action: ReviewAction,
    },
    /// The audit log: runs, mapping changes, exports; newest first.
    Audit {
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Show what ingestion detects in a file: encoding, delimiter, header, columns → fields, first rows.
    Inspect {
        /// The file.
        file: PathBuf,
        /// Which entity to match headers against.
        #[arg(long, default_value = "opportunities")]
        entity: String,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Benchmarks on generated programs, judged against their ground truth.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Scaffold the example program (if needed), run it and print its scorecard.
    Demo {
        /// Where the example program lives.
        #[arg(default_value = "watershed-demo")]
        dir: PathBuf,
    },
}

/// `watershed bench …`
#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Accuracy of resolution: generate a program, run it, and print precision, recall
    /// and F1 of the merged pairs against the ground truth, with the comparisons made
    /// and the time and memory taken.
    ///
    /// Example: watershed bench resolve --opportunities 200000
    Resolve {
        /// Deals of the generated program.
        #[arg(long, default_value_t = 20_000)]
        opportunities: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Keep the CRM ids in the sheet and the partner files (by default they are left
        /// out, so that every duplicate must be found by scored matching).
        #[arg(long)]
        with_shared_ids: bool,
        /// Where to generate the program (default: a folder in the system temp dir). A
        /// generated program already there is replaced; any other folder is refused.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

/// Filters of the quarantine commands.
#[derive(Debug, clap::Args)]
struct QuarantineFilterArgs {
    /// Only this source.
    #[arg(long)]
    source: Option<String>,
    /// Only inputs whose path contains this text.
    #[arg(long)]
    input: Option<String>,
    /// Only this field (partner, amount, close_date, …).
    #[arg(long)]
    field: Option<String>,
    /// Only reasons containing this text.
    #[arg(long)]
    reason: Option<String>,
}

impl From<QuarantineFilterArgs> for commands::status::QuarantineFilter {
    fn from(a: QuarantineFilterArgs) -> Self {
        commands::status::QuarantineFilter { source: a.source, input: a.input, field: a.field, reason: a.reason }
    }
}

#[derive(Debug, Subcommand)]
enum QuarantineAction {
    /// List quarantined records: record id, source, file:line, field, value, reason.
    List {
        #[command(flatten)]
        filter: QuarantineFilterArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// One quarantined record: every cell as received, the reason, the suggestions.
    Show {
        /// The record id (from `quarantine list`).
        record: i64,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Write the whole rows as received, with their reasons, to a CSV file (no cap).
    Export {
        #[command(flatten)]
        filter: QuarantineFilterArgs,
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ReviewAction {
    /// Grey-zone pairs (or every stored decision with --all), both records side by side.
    List {
        /// Also merged and human-decided pairs.
        #[arg(long)]
        all: bool,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// The two records are the same deal: merge them in every run.
    Accept {
        /// One record's key (source:external id), as `review list` shows it.
        left: String,
        /// The other's.
        right: String,
    },
    /// The two records are different deals: keep them apart in every run.
    Reject {
        /// One record's key.
        left: String,
        /// The other's.
        right: String,
    },
}

#[derive(Debug, Subcommand)]
enum MapAction {
    /// Unresolved values in quarantine with their best suggestion and the command to fix each.
    Suggest {
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Accept the suggestions for these values (or all): writes alias rows into the mapping tables.
    Accept {
        /// The unresolved values, as `map suggest` shows them.
        values: Vec<String>,
        /// Accept every suggestion at or above --min-score.
        #[arg(long)]
        all: bool,
        /// Minimum similarity to accept (0–1).
        #[arg(long, default_value_t = 0.0)]
        min_score: f64,
    },
    /// Add a mapping row: partner-alias ALIAS ID · product-alias ALIAS ID · region ALIAS REGION · stage SOURCE RAW STAGE · fx CUR YYYY-MM RATE.
    Add {
        /// Which table.
        #[arg(value_enum)]
        kind: commands::map::MappingKind,
        /// The row's values.
        values: Vec<String>,
    },
    /// Correct one cell of a quarantined row (mappings/corrections.csv), for data errors no mapping fixes.
    Correct {
        /// The record id (from `quarantine list`).
        record: i64,
        /// The canonical field (amount, close_date, customer_name, …).
        field: String,
        /// The corrected value.
        value: String,
    },
}

/// An error with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    /// 1: the run failed; 2: usage or configuration.
    pub code: u8,
    /// What to print.
    pub error: anyhow::Error,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Failure { code: 2, error: error.into() }
    }
    /// A failed run (exit 1).
    pub fn run(error: impl Into<anyhow::Error>) -> Self {
        Failure { code: 1, error: error.into() }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure { code: 1, error }
    }
}

fn main() -> ExitCode {
    // Output piped into `head` ends quietly, as for other command-line tools, instead
    // of panicking on a closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default SIGPIPE disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // A purge delay set in the environment is the user's choice (mimalloc reads it there).
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: `mi_option_set` is not thread-safe; this runs before `main` starts any
        // thread, so nothing reads the option meanwhile.
        unsafe {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        }
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init { dir, example, force } => commands::init::init(dir.unwrap_or(cli.project), example, force),
        Command::Generate { dir, opportunities, partners, seed, without_shared_ids } => {
            commands::init::generate(&dir, &GenerateOptions { opportunities, partners, seed, shared_ids: !without_shared_ids })
        }
        Command::Run { format, quiet } => commands::run::run(&cli.project, format, quiet),
        Command::Kpis { period, as_of, partner, program, by, format, recompute } => commands::kpis::kpis(
            &cli.project,
            &commands::kpis::KpisRequest {
                period: period.as_deref(),
                as_of: as_of.as_deref(),
                partner: partner.as_deref(),
                program,
                by: by.as_deref(),
                recompute,
            },
            format,
        ),
        Command::Alerts { period, partner, format } => commands::kpis::alerts(&cli.project, period.as_deref(), partner.as_deref(), format),
        Command::Explain { partner, metric, opportunity, period, as_of, format } => match (opportunity, partner, metric) {
            (Some(id), _, _) => commands::explain::explain_opportunity(&cli.project, &id, format),
            (None, Some(partner), Some(metric)) => {
                commands::explain::explain(&cli.project, &partner, &metric, period.as_deref(), as_of.as_deref(), format)
            }
            _ => Err(Failure::usage(anyhow::anyhow!("explain needs --partner and --metric, or --opportunity"))),
        },
        Command::Status { format } => commands::status::status(&cli.project, format),
        Command::Quarantine { action } => match action {
            QuarantineAction::List { filter, format } => commands::status::quarantine_list(&cli.project, &filter.into(), format),
            QuarantineAction::Show { record, format } => commands::status::quarantine_show(&cli.project, record, format),
            QuarantineAction::Export { filter, out } => commands::status::quarantine_export(&cli.project, &filter.into(), &out),
        },
        Command::Map { action } => match action {
            MapAction::Suggest { format } => commands::map::suggest(&cli.project, format),
            MapAction::Accept { values, all, min_score } => commands::map::accept(&cli.project, &values, all, min_score),
            MapAction::Add { kind, values } => commands::map::add(&cli.project, kind, &values),
            MapAction::Correct { record, field, value } => commands::map::correct(&cli.project, record, &field, &value),
        },
        Command::Publish { to, schema, format } => commands::publish::publish(&cli.project, &to, &schema, format),
        Command::Export { format, out } => commands::publish::export(&cli.project, format, &out),
        Command::Scorecard { period, as_of, out } => {
            commands::publish::scorecard_xlsx(&cli.project, period.as_deref(), as_of.as_deref(), &out)
        }
        Command::Docs { schema, .. } => {
            print!("{}", commands::publish::bi_schema(&schema));
            Ok(())
        }
        Command::Review { action } => match action {
            ReviewAction::List { all, format } => commands::review::list(&cli.project, all, format),
            ReviewAction::Accept { left, right } => commands::review::decide(&cli.project, &left, &right, true),
            ReviewAction::Reject { left, right } => commands::review::decide(&cli.project, &left, &right, false),
        },
        Command::Audit { limit, format } => commands::status::audit(&cli.project, limit, format),
        Command::Inspect { file, entity, format } => commands::inspect::inspect(&file, &entity, format),
        Command::Demo { dir } => commands::demo::demo(&dir),
        Command::Bench(BenchCommand::Resolve { opportunities, seed, with_shared_ids, dir, format }) => {
            commands::bench::resolve(&commands::bench::ResolveBench { opportunities, seed, shared_ids: with_shared_ids, dir }, format)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_set_in_main_is_mimallocs_purge_delay() {
        // Nothing in this test process sets it (`main` does not run): the number names the
        // option whose default is mimalloc v3's purge delay, 1,000 ms, unless the
        // environment overrides it.
        let expected = std::env::var("MIMALLOC_PURGE_DELAY").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
        // SAFETY: reads an option; nothing in this test binary sets options.
        let value = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, expected);
    }
}
