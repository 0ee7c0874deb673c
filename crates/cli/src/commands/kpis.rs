//! `watershed kpis` and `watershed alerts`: the metric catalog per partner, program and
//! segmented views, and the ranked alerts for a fiscal quarter.

use crate::commands::{load_project, publish_format};
use crate::{Failure, OutputFormat};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;
use watershed_config::Project;
use watershed_metrics::{
    CATALOG, HEALTH_LEVELS, Health, Index, MetricRow, PeerStat, Segment, TierStatus, default_as_of, partner_metrics, peers, tier_status,
    trailing_revenue,
};
use watershed_model::{Dataset, FiscalPeriod};
use watershed_normalize::Lookups;
use watershed_store::Store;

/// Parses `--period`, defaulting to the quarter containing `today`.
pub fn parse_period(project: &Project, period: Option<&str>, today: NaiveDate) -> Result<FiscalPeriod, Failure> {
    match period {
        Some(p) => p.parse().map_err(Failure::usage),
        None => Ok(project.config.program.calendar().period_of(today)),
    }
}

/// Parses `--as-of`, defaulting to the end of the period (or today inside it).
pub fn parse_as_of(project: &Project, period: FiscalPeriod, as_of: Option<&str>, today: NaiveDate) -> Result<NaiveDate, Failure> {
    match as_of {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Failure::usage(anyhow::anyhow!("--as-of `{text}` is not a date YYYY-MM-DD"))),
        None => Ok(default_as_of(&project.config.program.calendar(), period, today)),
    }
}

/// `--period` and `--as-of` together, both relative to today.
pub fn period_and_as_of(project: &Project, period: Option<&str>, as_of: Option<&str>) -> Result<(FiscalPeriod, NaiveDate), Failure> {
    let today = chrono::Local::now().date_naive();
    let period = parse_period(project, period, today)?;
    Ok((period, parse_as_of(project, period, as_of, today)?))
}

/// Resolves `--partner` (an id, name or alias) to a partner id.
pub fn resolve_partner(project: &Project, text: &str) -> Result<String, Failure> {
    let lookups = Lookups::new(&project.mappings, &project.config.program.reporting_currency);
    lookups
        .partner(text)
        .map(|id| id.to_string())
        .map_err(|_| Failure::usage(anyhow::anyhow!("no partner `{text}` in mappings/partners.csv or partner_aliases.csv")))
}

/// Every partner's catalog row for `period`, with peers and tier standing.
pub struct Scorecard {
    /// One row per partner of the master data.
    pub rows: Vec<MetricRow>,
    /// Peer statistics, aligned with `rows`.
    pub peers: Vec<Vec<PeerStat>>,
    /// Tier standing, aligned with `rows` (empty without `[[tiers]]`).
    pub tiers: Vec<TierStatus>,
}

/// Computes the scorecard of every partner for `period` as of `as_of`.
pub fn scorecard(project: &Project, data: &Dataset, period: FiscalPeriod, as_of: NaiveDate) -> Scorecard {
    let calendar = project.config.program.calendar();
    let index = Index::new(data);
    let ids: Vec<String> = data.partners.iter().map(|p| p.partner_id.clone()).collect();
    let rows = partner_metrics(&calendar, &index, &ids, period, as_of, project.config.metric_settings());
    let tier_of: HashMap<&str, &str> = data.partners.iter().filter_map(|p| p.tier.as_deref().map(|t| (p.partner_id.as_str(), t))).collect();
    let peers = peers(&rows, &tier_of);
    let rules = project.config.tier_rules();
    let tiers = if rules.is_empty() {
        Vec::new()
    } else {
        let t4q = trailing_revenue(&calendar, data, period);
        rows.iter()
            .map(|r| {
                tier_status(&rules, r, t4q.get(&r.partner_id).copied().unwrap_or_default(), tier_of.get(r.partner_id.as_str()).copied())
            })
            .collect()
    };
    Scorecard { rows, peers, tiers }
}

/// What `watershed kpis` was asked for.
pub struct KpisRequest<'a> {
    /// `--period`.
    pub period: Option<&'a str>,
    /// `--as-of`.
    pub as_of: Option<&'a str>,
    /// `--partner`.
    pub partner: Option<&'a str>,
    /// `--program`.
    pub program: bool,
    /// `--by`.
    pub by: Option<&'a str>,
    /// `--recompute`.
    pub recompute: bool,
}

/// The partners' rows of `period` as the last run stored them, when they are exactly
/// what computing them now would give: the dataset was built from the current
/// configuration, mapping tables and match decisions, the stored as-of date is the one
/// asked for and the stored columns are the catalog. Otherwise None (compute instead).
fn stored_rows(project: &Project, store: &Store, period: FiscalPeriod, as_of: NaiveDate) -> Result<Option<Vec<MetricRow>>, Failure> {
    if !watershed_pipeline::dataset_is_current(project, store).map_err(Failure::run)? {
        return Ok(None);
    }
    let stored = store.partner_kpis(Some(&period.to_string())).map_err(Failure::run)?;
    let catalog: Vec<&str> = CATALOG.iter().map(|m| m.name).collect();
    if stored.rows.is_empty() || stored.columns != catalog {
        return Ok(None);
    }
    let value = |values: &[Option<rust_decimal::Decimal>], name: &str| catalog.iter().position(|c| *c == name).and_then(|i| values[i]);
    let as_of_text = as_of.to_string();
    let mut rows = Vec::with_capacity(stored.rows.len());
    for r in stored.rows {
        let level = HEALTH_LEVELS.iter().find(|l| Some(**l) == r.health_level.as_deref());
        let (Some(level), true) = (level, r.as_of == as_of_text) else { return Ok(None) };
        let health = Health {
            score: value(&r.values, "health_score"),
            level,
            coverage_pct: value(&r.values, "health_coverage_pct").unwrap_or_default(),
            components: Vec::new(),
        };
        rows.push(MetricRow { partner_id: r.partner_id, period, as_of, values: r.values, health });
    }
    Ok(Some(rows))
}

/// `watershed kpis`.
pub fn kpis(dir: &Path, request: &KpisRequest, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let (period, as_of) = period_and_as_of(&project, request.period, request.as_of)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let partner_id = request.partner.map(|text| resolve_partner(&project, text)).transpose()?;
    let machine = format != OutputFormat::Table && !request.program && request.by.is_none() && !request.recompute;
    if machine && let Some(mut rows) = stored_rows(&project, &store, period, as_of)? {
        if let Some(id) = &partner_id {
            rows.retain(|r| &r.partner_id == id);
        }
        let partners = store.partners().map_err(Failure::run)?;
        print!("{}", watershed_publish::render_metrics(&rows, &partners, &[], &[], publish_format(format)).map_err(Failure::run)?);
        return Ok(());
    }
    let data = store.dataset().map_err(Failure::run)?;
    let calendar = project.config.program.calendar();
    let heading =
        || println!("{} — {period} (as of {as_of}), amounts in {}", project.config.program.name, project.config.program.reporting_currency);
    if request.program || request.by.is_some() {
        let segment = request.by.map(|b| b.parse::<Segment>()).transpose().map_err(|e| Failure::usage(anyhow::anyhow!(e)))?;
        let rows = watershed_metrics::program(&calendar, &data, period, as_of, segment);
        if format == OutputFormat::Table {
            heading();
            println!("Each opportunity counted once per row; sourced and influenced are side by side, never added.");
        }
        print!("{}", watershed_publish::render_program(&rows, publish_format(format)).map_err(Failure::run)?);
        return Ok(());
    }
    let mut card = scorecard(&project, &data, period, as_of);
    if let Some(id) = partner_id {
        let keep: Vec<usize> = card.rows.iter().enumerate().filter(|(_, r)| r.partner_id == id).map(|(i, _)| i).collect();
        let pick = |i: &usize| *i;
        card.rows = keep.iter().map(|i| card.rows[pick(i)].clone()).collect();
        card.peers = keep.iter().map(|i| card.peers[pick(i)].clone()).collect();
        card.tiers = keep.iter().filter_map(|i| card.tiers.get(*i).cloned()).collect();
    }
    if format == OutputFormat::Table {
        heading();
    }
    print!(
        "{}",
        watershed_publish::render_metrics(&card.rows, &data.partners, &card.peers, &card.tiers, publish_format(format))
            .map_err(Failure::run)?
    );
    if format == OutputFormat::Table && card.rows.len() > 1 {
        println!("{}", program_line(&data, &calendar, period));
        let flagged = card.tiers.iter().filter(|t| t.mismatch).count();
        if flagged > 0 {
            println!("{flagged} partners' recorded tier differs from the tier they qualify for (see --partner ID).");
        }
        println!(
            "All {} metrics: --format csv|json · one partner with tier peers: --partner ID · program: --program, --by region|partner_type|industry|product_family|tier|year",
            watershed_metrics::CATALOG.len()
        );
    }
    Ok(())
}

/// `watershed alerts`: what to act on, ranked.
pub fn alerts(dir: &Path, period: Option<&str>, partner: Option<&str>, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let today = chrono::Local::now().date_naive();
    let period = parse_period(&project, period, today)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let data = store.dataset().map_err(Failure::run)?;
    let calendar = project.config.program.calendar();
    let settings = watershed_pipeline::scorecard::settings(&project);
    let cards = watershed_metrics::scorecards(&calendar, &data, &[period], today, None, &settings);
    let mut list = cards.alerts;
    if let Some(text) = partner {
        let id = resolve_partner(&project, text)?;
        list.retain(|a| a.partner_id == id);
    }
    if format == OutputFormat::Table {
        println!("{} — alerts {period}, most urgent first (severity, then revenue at stake)", project.config.program.name);
    }
    print!("{}", watershed_publish::render_alerts(&list, &data.partners, publish_format(format)).map_err(Failure::run)?);
    Ok(())
}

/// Program totals for the period, each opportunity counted once; sourced and
/// influenced side by side, never added.
pub fn program_line(data: &Dataset, calendar: &watershed_model::FiscalCalendar, period: FiscalPeriod) -> String {
    let as_of = calendar.end(period);
    let Some(p) = watershed_metrics::program(calendar, data, period, as_of, None).into_iter().next() else {
        return format!("Program {period}: no partner opportunities");
    };
    format!(
        "Program {period}: {} won deals worth {} (each deal once) — partner-sourced {} | partner-influenced {} (side by side, never added)",
        p.won_count,
        watershed_publish::format_money(p.revenue),
        watershed_publish::format_money(p.revenue_sourced),
        watershed_publish::format_money(p.revenue_influenced)
    )
}
