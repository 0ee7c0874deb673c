//! `watershed.toml`: the shape of the configuration and its strict loader.

use crate::error::{ConfigError, Problem, did_you_mean, line_col};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use watershed_model::{Entity, FiscalCalendar};

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The partner program: name, reporting currency, fiscal calendar.
    pub program: ProgramConfig,
    /// Where the governed dataset is stored.
    #[serde(default)]
    pub store: StoreConfig,
    /// Metric settings.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// The sources, in the order they are read.
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// How records of several sources become one golden record.
    #[serde(default)]
    pub resolve: ResolveConfig,
    /// The program's tiers and what each requires.
    #[serde(default)]
    pub tiers: Vec<TierConfig>,
    /// Thresholds of the alert rules.
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// Severities of the data-quality rules.
    #[serde(default)]
    pub quality: QualityConfig,
}

/// `[quality]`: each data-quality rule's severity (`error` quarantines the row, `warn`
/// flags it, `off` skips it); every key is optional, defaults are on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityConfig {
    /// An amount below zero (default error).
    pub negative_amount: Option<watershed_validate::Severity>,
    /// CSAT outside 1–5, NPS outside 0–10 (default error).
    pub score_range: Option<watershed_validate::Severity>,
    /// close_date before created_date (default warn).
    pub close_before_created: Option<watershed_validate::Severity>,
    /// One deal, two sources, different amounts or stages (default warn).
    pub cross_source_conflict: Option<watershed_validate::Severity>,
    /// Amount tolerance of `cross_source_conflict`, percent (default 5).
    pub amount_tolerance_pct: Option<f64>,
    /// Open opportunities whose close date has passed (default warn).
    pub stale_pipeline: Option<watershed_validate::Severity>,
    /// The same external id twice in one input (default warn).
    pub duplicate_external_id: Option<watershed_validate::Severity>,
}

impl QualityConfig {
    /// The rules, defaults filled in.
    pub fn rules(&self) -> watershed_validate::QualityRules {
        let d = watershed_validate::QualityRules::default();
        watershed_validate::QualityRules {
            negative_amount: self.negative_amount.unwrap_or(d.negative_amount),
            score_range: self.score_range.unwrap_or(d.score_range),
            close_before_created: self.close_before_created.unwrap_or(d.close_before_created),
            cross_source_conflict: self.cross_source_conflict.unwrap_or(d.cross_source_conflict),
            amount_tolerance_pct: self.amount_tolerance_pct.map_or(d.amount_tolerance_pct, decimal),
            stale_pipeline: self.stale_pipeline.unwrap_or(d.stale_pipeline),
            duplicate_external_id: self.duplicate_external_id.unwrap_or(d.duplicate_external_id),
        }
    }
}

/// One `[[tiers]]` entry: a tier and its requirements (each value: at least).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierConfig {
    /// Tier name, as in partners.csv `tier`.
    pub name: String,
    /// Higher is better.
    pub rank: i64,
    /// Metric → minimum: catalog metrics (`active_certifications`, `csat`, …) or `revenue_t4q`.
    #[serde(default)]
    pub requires: BTreeMap<String, f64>,
}

/// `[alerts]`: thresholds of seed 001's benchmarks; every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// Pipeline coverage below this (%) alerts (default 150).
    pub coverage_min_pct: Option<f64>,
    /// Deal-registration approval rate below this (%) alerts (default 75).
    pub approval_rate_min_pct: Option<f64>,
    /// CSAT below this alerts (default 4.5).
    pub csat_min: Option<f64>,
    /// MDF utilization below this (%) alerts (default 70).
    pub mdf_utilization_min_pct: Option<f64>,
    /// MDF utilization above this (%) alerts (default 85).
    pub mdf_utilization_max_pct: Option<f64>,
    /// Fewer active certifications than this alerts (default 2).
    pub certifications_min: Option<f64>,
    /// Certifications expiring within this many days alert (default 90).
    pub certification_expiry_days: Option<i64>,
    /// A health score this many points below the previous quarter's alerts (default 10).
    pub health_drop_points: Option<f64>,
}

/// A configured number as an exact decimal (as written: 4.3 stays 4.3).
fn decimal(value: f64) -> rust_decimal::Decimal {
    value.to_string().parse().unwrap_or_default()
}

impl AlertsConfig {
    /// The thresholds, defaults filled in.
    pub fn settings(&self) -> watershed_metrics::AlertSettings {
        let d = watershed_metrics::AlertSettings::default();
        watershed_metrics::AlertSettings {
            coverage_min_pct: self.coverage_min_pct.map_or(d.coverage_min_pct, decimal),
            approval_rate_min_pct: self.approval_rate_min_pct.map_or(d.approval_rate_min_pct, decimal),
            csat_min: self.csat_min.map_or(d.csat_min, decimal),
            mdf_utilization_min_pct: self.mdf_utilization_min_pct.map_or(d.mdf_utilization_min_pct, decimal),
            mdf_utilization_max_pct: self.mdf_utilization_max_pct.map_or(d.mdf_utilization_max_pct, decimal),
            certifications_min: self.certifications_min.map_or(d.certifications_min, decimal),
            certification_expiry_days: self.certification_expiry_days.unwrap_or(d.certification_expiry_days),
            health_drop_points: self.health_drop_points.map_or(d.health_drop_points, decimal),
        }
    }
}

impl Config {
    /// The tier rules for the metric layer.
    pub fn tier_rules(&self) -> Vec<watershed_metrics::TierRule> {
        self.tiers
            .iter()
            .map(|t| watershed_metrics::TierRule {
                name: t.name.clone(),
                rank: t.rank,
                requires: t.requires.iter().map(|(k, v)| (k.clone(), decimal(*v))).collect(),
            })
            .collect()
    }

    /// Metric settings for the metric layer.
    pub fn metric_settings(&self) -> watershed_metrics::MetricSettings {
        watershed_metrics::MetricSettings { cycle_ceiling_days: self.metrics.cycle_ceiling_days }
    }
}

/// `[program]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramConfig {
    /// Shown in reports.
    pub name: String,
    /// ISO code every amount is converted to (default USD).
    #[serde(default = "default_currency")]
    pub reporting_currency: String,
    /// 1..12; a fiscal year is named by the calendar year it ends in.
    #[serde(default = "default_start_month")]
    pub fiscal_year_start_month: u32,
}

fn default_currency() -> String {
    "USD".into()
}
fn default_start_month() -> u32 {
    1
}

impl ProgramConfig {
    /// The fiscal calendar (validated at load time).
    pub fn calendar(&self) -> FiscalCalendar {
        FiscalCalendar::new(self.fiscal_year_start_month).unwrap_or_default()
    }
}

/// `[store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `sqlite://PATH` (relative to the project folder) or `postgres://user@host/db`.
    #[serde(default = "default_store_url")]
    pub url: String,
    /// The PostgreSQL schema that holds the store (created if missing); ignored for SQLite.
    #[serde(default = "default_store_schema")]
    pub schema: String,
}

fn default_store_url() -> String {
    "sqlite://watershed.db".into()
}

fn default_store_schema() -> String {
    "watershed_store".into()
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { url: default_store_url(), schema: default_store_schema() }
    }
}

impl StoreConfig {
    /// The URL with any password replaced by `***`, for messages and `status`.
    pub fn display_url(&self) -> String {
        let Some((scheme, rest)) = self.url.split_once("://") else { return self.url.clone() };
        match rest.split_once('@') {
            Some((user_info, host)) if user_info.contains(':') => {
                let user = user_info.split(':').next().unwrap_or("");
                format!("{scheme}://{user}:***@{host}")
            }
            _ => self.url.clone(),
        }
    }
}

/// `[metrics]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Sales cycles this long or longer score zero in the health score's velocity.
    #[serde(default = "default_cycle_ceiling")]
    pub cycle_ceiling_days: u32,
}

fn default_cycle_ceiling() -> u32 {
    180
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self { cycle_ceiling_days: default_cycle_ceiling() }
    }
}

/// `[resolve]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveConfig {
    /// Source names, most trusted first: survivorship takes each field from the first.
    #[serde(default)]
    pub precedence: Vec<String>,
    /// Scored matching of records that share no key (default on).
    #[serde(default = "default_true")]
    pub matching: bool,
    /// Score at or above which two records are merged (default 8.5).
    pub merge_threshold: Option<f64>,
    /// Score at or above which a pair goes to the review queue (default 5).
    pub review_threshold: Option<f64>,
    /// Close dates further apart are not compared (default 45 days).
    pub date_window_days: Option<i64>,
}

fn default_true() -> bool {
    true
}

impl Default for ResolveConfig {
    fn default() -> Self {
        ResolveConfig { precedence: Vec::new(), matching: true, merge_threshold: None, review_threshold: None, date_window_days: None }
    }
}

/// The kinds of source. Only `files` is built so far; the others are recognized so
/// that a configuration naming one gets a clear message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Files matched by a glob pattern under the project folder.
    Files,
    /// An SFTP drop.
    Sftp,
    /// An IMAP mailbox.
    Imap,
    /// A local maildir.
    Maildir,
    /// Salesforce REST / Bulk API.
    Salesforce,
    /// Google Sheets.
    Gsheets,
    /// HubSpot CRM.
    Hubspot,
}

/// How a source's rows get their partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerAssignment {
    /// Each row names its partner in a column.
    FromColumn,
    /// Every row belongs to this partner (a partner's own drop folder).
    Fixed(String),
}

/// One `[[sources]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Unique name; used in `[resolve] precedence`, stage mappings and lineage.
    pub name: String,
    /// What kind of source.
    pub kind: SourceKind,
    /// For `files`: a glob relative to the project folder (`inbox/partners/*.csv`).
    pub path: Option<String>,
    /// Which canonical entity the rows are (`opportunities`, `targets`, …).
    pub entity: String,
    /// `from_column` (default) or a fixed partner id.
    #[serde(default = "default_partner")]
    pub partner: String,
    /// Header → canonical field, for headers that are not detected.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Currency of amounts that carry none.
    pub currency: Option<String>,
    /// Date order of ambiguous dates: `MM/DD/YYYY`, `DD/MM/YYYY` or `YYYY-MM-DD`.
    pub date_format: Option<String>,
    /// Field delimiter (one character); detected when absent.
    pub delimiter: Option<String>,
    /// How often new input is expected, in days; `status` flags the source as late after that.
    pub expected_cadence_days: Option<u32>,
    /// Workbook sheets to read, by name (`["Deals", "Q3"]`); every visible sheet when absent.
    pub sheets: Option<Vec<String>>,
}

fn default_partner() -> String {
    "from_column".into()
}

impl SourceConfig {
    /// The entity (validated at load time).
    pub fn entity(&self) -> Entity {
        self.entity.parse().unwrap_or(Entity::Opportunities)
    }

    /// How rows get their partner.
    pub fn partner_assignment(&self) -> PartnerAssignment {
        if self.partner == "from_column" { PartnerAssignment::FromColumn } else { PartnerAssignment::Fixed(self.partner.clone()) }
    }

    /// The delimiter byte, if configured.
    pub fn delimiter_byte(&self) -> Option<u8> {
        let d = self.delimiter.as_deref()?;
        match d {
            "\\t" | "tab" => Some(b'\t'),
            _ => d.bytes().next(),
        }
    }
}

impl Config {
    /// Rank of a source in `[resolve] precedence` (0 = most trusted); unlisted sources
    /// rank after every listed one, in configuration order.
    pub fn precedence_rank(&self, source: &str) -> usize {
        self.resolve
            .precedence
            .iter()
            .position(|s| s == source)
            .or_else(|| self.sources.iter().position(|s| s.name == source).map(|i| self.resolve.precedence.len() + i))
            .unwrap_or(usize::MAX)
    }

    /// The SQLite file path when the store is SQLite, resolved against `root`.
    pub fn sqlite_path(&self, root: &Path) -> Option<PathBuf> {
        let rest = self.store.url.strip_prefix("sqlite://")?;
        let path = Path::new(rest);
        Some(if path.is_absolute() { path.to_path_buf() } else { root.join(path) })
    }
}

/// The most opportunity sources a program may have (resolution keeps a cluster's sources
/// as the bits of one 64-bit word).
pub const MAX_OPPORTUNITY_SOURCES: usize = 64;

/// Reads and validates `path`.
pub fn load_config(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::single(path, format!("cannot read the configuration: {e}"), None))?;
    parse_config(&text, path)
}

/// Parses and validates configuration `text` (read from `path`, used in messages).
pub fn parse_config(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let mut config: Config = toml::from_str(text).map_err(|e| ConfigError { problems: vec![toml_problem(&e, text, path)] })?;
    let mut problems = Vec::new();
    let mut problem = |key: &str, message: String, help: Option<String>| {
        let (line, column) = find_key(text, key);
        problems.push(Problem { file: path.to_path_buf(), line, column, message, help });
    };

    match expand_env(&config.store.url) {
        Ok(url) => config.store.url = url,
        Err(var) => {
            problem("url", format!("store.url: environment variable `{var}` is not set"), Some(format!("export {var}=… before running")))
        }
    }
    if !config.store.url.starts_with("sqlite://")
        && !config.store.url.starts_with("postgres://")
        && !config.store.url.starts_with("postgresql://")
    {
        problem(
            "url",
            "store.url must start with sqlite:// or postgres://".into(),
            Some("the default is url = \"sqlite://watershed.db\"".into()),
        );
    } else if !config.store.url.starts_with("sqlite://") && !watershed_model::is_schema_name(&config.store.schema) {
        problem(
            "schema",
            format!("store.schema `{}` must be lower-case letters, digits and _ (at most 48)", config.store.schema),
            Some("for example schema = \"watershed_store\"".into()),
        );
    }
    if FiscalCalendar::new(config.program.fiscal_year_start_month).is_err() {
        problem(
            "fiscal_year_start_month",
            format!("fiscal_year_start_month must be 1..12, got {}", config.program.fiscal_year_start_month),
            None,
        );
    }
    if !is_currency_code(&config.program.reporting_currency) {
        problem(
            "reporting_currency",
            format!("reporting_currency `{}` is not a three-letter ISO code", config.program.reporting_currency),
            Some("for example \"USD\" or \"EUR\"".into()),
        );
    }
    config.program.reporting_currency = config.program.reporting_currency.to_ascii_uppercase();

    // Resolution keeps each cluster's sources as one bit of a 64-bit set.
    let opportunity_sources = config.sources.iter().filter(|s| s.entity == "opportunities").count();
    if opportunity_sources > MAX_OPPORTUNITY_SOURCES {
        problem(
            "[[sources]]",
            format!("{opportunity_sources} opportunity sources; at most {MAX_OPPORTUNITY_SOURCES} are supported"),
            Some("point one source at several files with a glob (path = \"inbox/partners/*\")".into()),
        );
    }
    let mut names = BTreeSet::new();
    for source in &mut config.sources {
        let name = source.name.clone();
        if name.trim().is_empty() {
            problem("name", "a source has an empty name".into(), None);
        }
        if !names.insert(name.clone()) {
            problem(
                &format!("\"{name}\""),
                format!("source `{name}` is defined twice"),
                Some("give every [[sources]] a unique name".into()),
            );
        }
        let entity = match source.entity.parse::<Entity>() {
            Ok(e) => Some(e),
            Err(_) => {
                let names: Vec<&str> = Entity::ALL.iter().map(|e| e.name()).collect();
                let help = did_you_mean(&source.entity, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("one of: {}", names.join(", ")));
                problem(&format!("\"{}\"", source.entity), format!("source `{name}`: unknown entity `{}`", source.entity), Some(help));
                None
            }
        };
        if source.kind != SourceKind::Files {
            problem(
                "kind",
                format!("source `{name}`: kind {:?} is not available in this version", source.kind).to_lowercase(),
                Some("use kind = \"files\"".into()),
            );
        }
        match &source.path {
            None if source.kind == SourceKind::Files => problem(
                &format!("\"{name}\""),
                format!("source `{name}`: kind \"files\" needs a `path` glob"),
                Some("for example path = \"inbox/partners/*.csv\"".into()),
            ),
            Some(p) => match expand_env(p) {
                Ok(expanded) => {
                    if Path::new(&expanded).is_absolute() || expanded.split(['/', '\\']).any(|c| c == "..") {
                        problem(
                            &format!("\"{p}\""),
                            format!("source `{name}`: path `{expanded}` leaves the project folder"),
                            Some("file sources read only below the project folder".into()),
                        );
                    }
                    source.path = Some(expanded);
                }
                Err(var) => problem(&format!("\"{p}\""), format!("source `{name}`: environment variable `{var}` is not set"), None),
            },
            None => {}
        }
        if let Some(entity) = entity {
            for (header, field) in &source.columns {
                if entity.field(field).is_none() {
                    let fields: Vec<&str> = entity.fields().iter().map(|f| f.name).collect();
                    let help = did_you_mean(field, fields.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("fields of {entity}: {}", fields.join(", ")));
                    problem(
                        &format!("\"{header}\""),
                        format!("source `{name}`: column \"{header}\" maps to `{field}`, which is not a field of {entity}"),
                        Some(help),
                    );
                }
            }
        }
        if let Some(c) = &source.currency {
            if !is_currency_code(c) {
                problem("currency", format!("source `{name}`: currency `{c}` is not a three-letter ISO code"), None);
            }
            source.currency = Some(c.to_ascii_uppercase());
        }
        if let Some(f) = &source.date_format
            && !matches!(f.as_str(), "MM/DD/YYYY" | "DD/MM/YYYY" | "YYYY-MM-DD" | "DD.MM.YYYY" | "auto")
        {
            problem(
                "date_format",
                format!("source `{name}`: date_format `{f}` is not supported"),
                Some("use \"MM/DD/YYYY\", \"DD/MM/YYYY\", \"DD.MM.YYYY\" or \"YYYY-MM-DD\"".into()),
            );
        }
        if let Some(d) = &source.delimiter
            && d.chars().count() != 1
            && d != "\\t"
            && d != "tab"
        {
            problem("delimiter", format!("source `{name}`: delimiter must be one character, got `{d}`"), None);
        }
        if let Some(sheets) = &source.sheets {
            let mut seen = BTreeSet::new();
            if sheets.is_empty() {
                problem("sheets", format!("source `{name}`: sheets is empty"), Some("remove the key to read every visible sheet".into()));
            }
            for sheet in sheets {
                if sheet.trim().is_empty() {
                    problem("sheets", format!("source `{name}`: a sheet name in `sheets` is empty"), None);
                } else if !seen.insert(sheet.trim().to_lowercase()) {
                    problem("sheets", format!("source `{name}`: sheet `{sheet}` is listed twice in `sheets`"), None);
                }
            }
        }
    }
    let mut tier_names = BTreeSet::new();
    for tier in &config.tiers {
        if !tier_names.insert(tier.name.to_lowercase()) {
            problem(&format!("\"{}\"", tier.name), format!("tier `{}` is defined twice", tier.name), None);
        }
        for metric in tier.requires.keys() {
            let known = metric == watershed_metrics::REVENUE_T4Q || watershed_metrics::catalog::metric(metric).is_some();
            if !known {
                let mut names: Vec<&str> = watershed_metrics::CATALOG.iter().map(|m| m.name).collect();
                names.push(watershed_metrics::REVENUE_T4Q);
                let help = did_you_mean(metric, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("use a catalog metric or {}", watershed_metrics::REVENUE_T4Q));
                problem(metric, format!("tier `{}` requires `{metric}`, which is not a metric", tier.name), Some(help));
            }
        }
    }
    for name in &config.resolve.precedence {
        if !names.contains(name) {
            let help = did_you_mean(name, names.iter().map(String::as_str)).map(|s| format!("did you mean `{s}`?"));
            problem(&format!("\"{name}\""), format!("[resolve] precedence names `{name}`, which is not a source"), help);
        }
    }
    if problems.is_empty() { Ok(config) } else { Err(ConfigError { problems }) }
}

fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Expands `${VAR}` references from the environment; returns the first unset name.
pub(crate) fn expand_env(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let var = &after[..end];
        match std::env::var(var) {
            Ok(value) => out.push_str(&value),
            Err(_) => return Err(var.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Turns a toml error into a problem with line, column and a "did you mean".
fn toml_problem(error: &toml::de::Error, text: &str, path: &Path) -> Problem {
    let (line, column) = match error.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let message = error.message().trim().to_string();
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let mut help = None;
    let mut shown = message.clone();
    if message.starts_with("unknown field") && !quoted.is_empty() {
        let unknown = quoted[0];
        let expected = &quoted[1..];
        shown = format!("unknown key `{unknown}`");
        help = Some(match did_you_mean(unknown, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("valid keys here: {}", expected.join(", ")),
        });
    } else if message.starts_with("unknown variant") && quoted.len() > 1 {
        let unknown = quoted[0];
        let expected = &quoted[1..];
        shown = format!("unknown value `{unknown}`");
        help = Some(match did_you_mean(unknown, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("valid values: {}", expected.join(", ")),
        });
    }
    Problem { file: path.to_path_buf(), line, column, message: shown, help }
}

/// Best-effort position of `needle` in the file, for semantic errors found after parsing.
fn find_key(text: &str, needle: &str) -> (Option<usize>, Option<usize>) {
    let found = text.lines().enumerate().find_map(|(i, line)| {
        let code = line.split('#').next().unwrap_or("");
        code.find(needle).map(|col| (i + 1, code[..col].chars().count() + 1))
    });
    match found {
        Some((l, c)) => (Some(l), Some(c)),
        None => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[program]
name = "Test"
reporting_currency = "usd"
fiscal_year_start_month = 2

[[sources]]
name = "crm"
kind = "files"
path = "inbox/crm/*.csv"
entity = "opportunities"

  [sources.columns]
  "Deal Value (EUR)" = "amount"

[[sources]]
name = "quotas"
kind = "files"
path = "inbox/targets/*.csv"
entity = "targets"
partner = "P001"

[resolve]
precedence = ["crm"]
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        parse_config(text, Path::new("watershed.toml"))
    }

    #[test]
    fn a_postgres_store_takes_a_schema_and_hides_its_password() {
        let text = GOOD
            .replace("[resolve]", "[store]\nurl = \"postgres://ws:s3cret@db.internal:5432/partners\"\nschema = \"channel\"\n\n[resolve]");
        let c = parse(&text).unwrap();
        assert_eq!((c.store.url.as_str(), c.store.schema.as_str()), ("postgres://ws:s3cret@db.internal:5432/partners", "channel"));
        assert_eq!(c.store.display_url(), "postgres://ws:***@db.internal:5432/partners");
        assert_eq!(c.sqlite_path(Path::new("/p")), None);
        let bad = GOOD.replace("[resolve]", "[store]\nurl = \"postgres://db/x\"\nschema = \"Channel; DROP\"\n\n[resolve]");
        let err = parse(&bad).unwrap_err().to_string();
        assert!(err.contains("store.schema `Channel; DROP`"), "{err}");
        assert_eq!(parse(GOOD).unwrap().store.schema, "watershed_store");
    }

    #[test]
    fn parses_a_good_file_with_defaults() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.program.reporting_currency, "USD");
        assert_eq!(c.program.calendar().start_month(), 2);
        assert_eq!(c.store.url, "sqlite://watershed.db");
        assert_eq!(c.metrics.cycle_ceiling_days, 180);
        assert_eq!(c.sources[1].partner_assignment(), PartnerAssignment::Fixed("P001".into()));
        assert_eq!(c.sources[0].entity(), Entity::Opportunities);
        assert_eq!(c.precedence_rank("crm"), 0);
        assert_eq!(c.precedence_rank("quotas"), 2);
    }

    #[test]
    fn unknown_keys_name_line_and_suggest() {
        let cases = [
            (GOOD.replace("path = \"inbox/crm", "pathh = \"inbox/crm"), 10, "unknown key `pathh`", "did you mean `path`?"),
            (
                GOOD.replace("fiscal_year_start_month", "fiscal_year_start"),
                5,
                "unknown key `fiscal_year_start`",
                "did you mean `fiscal_year_start_month`?",
            ),
            (
                GOOD.replace("kind = \"files\"\npath = \"inbox/crm", "kind = \"file\"\npath = \"inbox/crm"),
                9,
                "unknown value `file`",
                "did you mean `files`?",
            ),
            (GOOD.replace("[resolve]", "[resolv]"), 23, "unknown key `resolv`", "did you mean `resolve`?"),
        ];
        for (text, line, message, help) in cases {
            let err = parse(&text).unwrap_err();
            let p = &err.problems[0];
            assert_eq!(p.line, Some(line), "{err}");
            assert!(p.message.contains(message), "{err}");
            assert_eq!(p.help.as_deref(), Some(help), "{err}");
            assert!(err.to_string().starts_with(&format!("watershed.toml:{line}:")), "{err}");
        }
    }

    #[test]
    fn semantic_problems_are_all_reported() {
        let text = GOOD
            .replace("entity = \"targets\"", "entity = \"target\"")
            .replace("= \"amount\"", "= \"amout\"")
            .replace("precedence = [\"crm\"]", "precedence = [\"crn\"]")
            .replace("fiscal_year_start_month = 2", "fiscal_year_start_month = 13");
        let err = parse(&text).unwrap_err();
        let all = err.to_string();
        assert_eq!(err.problems.len(), 4, "{all}");
        for expected in ["did you mean `targets`?", "did you mean `amount`?", "did you mean `crm`?", "must be 1..12"] {
            assert!(all.contains(expected), "missing {expected:?} in {all}");
        }
        assert!(err.problems.iter().all(|p| p.line.is_some()), "{all}");
    }

    #[test]
    fn env_vars_expand_and_missing_ones_are_named() {
        // SAFETY: tests in this module that touch this variable run in one test.
        unsafe { std::env::set_var("WS_TEST_INBOX", "inbox/env") };
        let c = parse(&GOOD.replace("inbox/crm/*.csv", "${WS_TEST_INBOX}/*.csv")).unwrap();
        assert_eq!(c.sources[0].path.as_deref(), Some("inbox/env/*.csv"));
        let err = parse(&GOOD.replace("inbox/crm/*.csv", "${WS_TEST_UNSET_VAR}/*.csv")).unwrap_err();
        assert!(err.to_string().contains("`WS_TEST_UNSET_VAR` is not set"), "{err}");
        assert_eq!(expand_env("a${WS_TEST_INBOX}b").unwrap(), "ainbox/envb");
    }

    #[test]
    fn tiers_and_alert_thresholds() {
        let text = format!(
            "{GOOD}\n[[tiers]]\nname = \"Gold\"\nrank = 2\n  [tiers.requires]\n  revenue_t4q = 1000000\n  csat = 4.3\n\n[alerts]\ncsat_min = 4.2\n"
        );
        let c = parse(&text).unwrap();
        let rules = c.tier_rules();
        assert_eq!(
            rules[0].requires,
            vec![("csat".to_string(), "4.3".parse().unwrap()), ("revenue_t4q".to_string(), "1000000".parse().unwrap())]
        );
        let s = c.alerts.settings();
        assert_eq!(s.csat_min, "4.2".parse().unwrap());
        assert_eq!(s.coverage_min_pct, 150.into(), "defaults fill the rest");
        let bad = parse(&text.replace("csat = 4.3", "csatt = 4.3")).unwrap_err();
        assert!(bad.to_string().contains("did you mean `csat`?"), "{bad}");
        let bad = parse(&text.replace("csat_min", "csat_minimum")).unwrap_err();
        assert!(bad.to_string().contains("unknown key `csat_minimum`"), "{bad}");
    }

    #[test]
    fn sheets_name_workbook_sheets() {
        let c = parse(&GOOD.replace("entity = \"targets\"", "entity = \"targets\"\nsheets = [\"Quotas\", \"FY2026\"]")).unwrap();
        assert_eq!(c.sources[1].sheets.as_deref(), Some(&["Quotas".to_string(), "FY2026".to_string()][..]));
        assert_eq!(c.sources[0].sheets, None);
        for (sheets, message) in [("[]", "sheets is empty"), ("[\"A\", \"a\"]", "listed twice"), ("[\" \"]", "is empty")] {
            let err = parse(&GOOD.replace("entity = \"targets\"", &format!("entity = \"targets\"\nsheets = {sheets}"))).unwrap_err();
            assert!(err.to_string().contains(message), "{sheets}: {err}");
            assert_eq!(err.problems[0].line, Some(21), "{err}");
        }
    }

    #[test]
    fn paths_outside_the_project_are_refused() {
        for bad in ["../elsewhere/*.csv", "/etc/*.csv", "inbox/../../x.csv"] {
            let err = parse(&GOOD.replace("inbox/crm/*.csv", bad)).unwrap_err();
            assert!(err.to_string().contains("leaves the project folder"), "{bad}: {err}");
        }
    }
}
