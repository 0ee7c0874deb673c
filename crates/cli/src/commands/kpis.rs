//! `watershed kpis`: the metric catalog per partner for a fiscal quarter.

use crate::commands::{load_project, publish_format};
use crate::{Failure, OutputFormat};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use watershed_config::Project;
use watershed_metrics::{KpiRow, default_as_of, opportunity_kpis};
use watershed_model::{Entity, FiscalPeriod, Partner, Target};
use watershed_normalize::Lookups;
use watershed_store::Store;

/// Everything the opportunity metrics read from the store.
pub struct Dataset {
    /// Partner master data.
    pub partners: Vec<Partner>,
    /// Golden opportunities.
    pub opportunities: Vec<watershed_model::Opportunity>,
    /// Partner links.
    pub links: Vec<watershed_model::OpportunityPartner>,
    /// Targets.
    pub targets: Vec<Target>,
}

impl Dataset {
    /// Reads the dataset from the store.
    pub fn load(store: &Store) -> anyhow::Result<Dataset> {
        let mut targets = Vec::new();
        for cells in store.entity_rows(Entity::Targets)? {
            if let [Some(partner_id), Some(period), Some(amount)] = cells.as_slice()
                && let (Ok(period), Ok(amount)) = (period.parse::<FiscalPeriod>(), Decimal::from_str(amount))
            {
                targets.push(Target { partner_id: partner_id.clone(), period, amount });
            }
        }
        Ok(Dataset { partners: store.partners()?, opportunities: store.opportunities()?, links: store.opportunity_partners()?, targets })
    }
}

/// Parses `--period`, defaulting to the quarter containing `today`.
pub fn parse_period(project: &Project, period: Option<&str>, today: NaiveDate) -> Result<FiscalPeriod, Failure> {
    match period {
        Some(p) => p.parse().map_err(Failure::usage),
        None => Ok(project.config.program.calendar().period_of(today)),
    }
}

/// Computes the rows for `period`, optionally for one partner.
pub fn compute(
    project: &Project,
    data: &Dataset,
    period: FiscalPeriod,
    as_of: NaiveDate,
    partner: Option<&str>,
) -> Result<Vec<KpiRow>, Failure> {
    let ids: Vec<String> = match partner {
        Some(text) => {
            let lookups = Lookups::new(&project.mappings, &project.config.program.reporting_currency);
            let id = lookups
                .partner(text)
                .map_err(|_| Failure::usage(anyhow::anyhow!("no partner `{text}` in mappings/partners.csv or partner_aliases.csv")))?;
            vec![id.to_string()]
        }
        None => data.partners.iter().map(|p| p.partner_id.clone()).collect(),
    };
    let calendar = project.config.program.calendar();
    Ok(opportunity_kpis(&calendar, &ids, &data.opportunities, &data.links, &data.targets, period, as_of))
}

/// `watershed kpis`.
pub fn kpis(dir: &Path, period: Option<&str>, as_of: Option<&str>, partner: Option<&str>, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let today = chrono::Local::now().date_naive();
    let period = parse_period(&project, period, today)?;
    let calendar = project.config.program.calendar();
    let as_of = match as_of {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Failure::usage(anyhow::anyhow!("--as-of `{text}` is not a date YYYY-MM-DD")))?,
        None => default_as_of(&calendar, period, today),
    };
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let data = Dataset::load(&store)?;
    let rows = compute(&project, &data, period, as_of, partner)?;
    let text = watershed_publish::render_kpis(&rows, &data.partners, publish_format(format)).map_err(Failure::run)?;
    if format == OutputFormat::Table {
        println!("{} — {period} (as of {as_of}), amounts in {}", project.config.program.name, project.config.program.reporting_currency);
    }
    print!("{text}");
    if format == OutputFormat::Table && rows.len() > 1 {
        println!("{}", program_line(&data, &calendar, period));
        println!(
            "All {} metrics per partner: --format csv or --format json; one partner in full: --partner ID",
            watershed_metrics::OPPORTUNITY_METRICS.len()
        );
    }
    Ok(())
}

/// Program totals for the period, each opportunity counted once; sourced and
/// influenced side by side, never added.
pub fn program_line(data: &Dataset, calendar: &watershed_model::FiscalCalendar, period: FiscalPeriod) -> String {
    use std::collections::HashSet;
    use watershed_model::{PartnerRole, Stage};
    let (start, end) = (calendar.start(period), calendar.end(period));
    let won: HashSet<&str> = data
        .opportunities
        .iter()
        .filter(|o| o.stage == Stage::ClosedWon && start <= o.close_date && o.close_date <= end)
        .map(|o| o.opportunity_id.as_str())
        .collect();
    let amount_of: std::collections::HashMap<&str, Decimal> =
        data.opportunities.iter().map(|o| (o.opportunity_id.as_str(), o.amount)).collect();
    let with_role = |role: PartnerRole| -> Decimal {
        let ids: HashSet<&str> = data
            .links
            .iter()
            .filter(|l| l.role == role && won.contains(l.opportunity_id.as_str()))
            .map(|l| l.opportunity_id.as_str())
            .collect();
        ids.iter().filter_map(|id| amount_of.get(id)).sum()
    };
    let sourced = with_role(PartnerRole::Sourced);
    let influenced = with_role(PartnerRole::Influenced);
    let total: Decimal = won.iter().filter_map(|id| amount_of.get(id)).sum();
    format!(
        "Program {period}: {} won deals worth {} (each deal once) — partner-sourced {} | partner-influenced {} (reported side by side, never added)",
        won.len(),
        watershed_publish::format_money(total),
        watershed_publish::format_money(sourced),
        watershed_publish::format_money(influenced)
    )
}
