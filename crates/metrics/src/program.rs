//! Program level and segmented views: each opportunity counted once (per segment);
//! sourced and influenced side by side, never added into one figure.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use watershed_model::{Dataset, FiscalCalendar, FiscalPeriod, Opportunity, PartnerRole, Stage};

/// How to cut the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The partners' region.
    Region,
    /// The partners' type (global_si, regional_si, reseller, …).
    PartnerType,
    /// The customer's industry.
    Industry,
    /// The product's family.
    ProductFamily,
    /// The partners' tier.
    Tier,
    /// Fiscal year (a year-to-date trend).
    Year,
}

impl std::str::FromStr for Segment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "region" => Segment::Region,
            "partner_type" => Segment::PartnerType,
            "industry" => Segment::Industry,
            "product_family" => Segment::ProductFamily,
            "tier" => Segment::Tier,
            "year" => Segment::Year,
            other => return Err(format!("unknown segment `{other}`: use region, partner_type, industry, product_family, tier or year")),
        })
    }
}

/// Program figures for one segment (or the whole program).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProgramRow {
    /// The segment's value ("Program" when not segmented).
    pub segment: String,
    /// Partners with an opportunity in the segment.
    pub partners: usize,
    /// Σ amount of won opportunities closing in the period, each once.
    pub revenue: Decimal,
    /// … of those with a sourcing partner.
    pub revenue_sourced: Decimal,
    /// … of those with an influencing partner.
    pub revenue_influenced: Decimal,
    /// Won, fiscal year to date.
    pub revenue_ytd: Decimal,
    /// Won opportunities.
    pub won_count: i64,
    /// Lost opportunities.
    pub lost_count: i64,
    /// won / (won + lost) × 100.
    pub win_rate_pct: Option<Decimal>,
    /// revenue / won_count.
    pub avg_contract_value: Option<Decimal>,
    /// Open opportunities as of the as-of date.
    pub pipeline_count: i64,
    /// Their amount.
    pub pipeline_value: Decimal,
    /// … with a sourcing partner.
    pub pipeline_sourced: Decimal,
    /// … with an influencing partner.
    pub pipeline_influenced: Decimal,
}

/// Program (or segmented) figures for `period` as of `as_of`.
pub fn program(
    calendar: &FiscalCalendar,
    data: &Dataset,
    period: FiscalPeriod,
    as_of: NaiveDate,
    segment: Option<Segment>,
) -> Vec<ProgramRow> {
    let partners: HashMap<&str, &watershed_model::Partner> = data.partners.iter().map(|p| (p.partner_id.as_str(), p)).collect();
    let mut links: HashMap<&str, Vec<(&str, PartnerRole)>> = HashMap::new();
    for l in &data.links {
        links.entry(l.opportunity_id.as_str()).or_default().push((l.partner_id.as_str(), l.role));
    }
    let (start, end) = (calendar.start(period), calendar.end(period));
    let ytd = (calendar.year_start(period.year), end.min(as_of));
    let attr = |p: &str, f: fn(&watershed_model::Partner) -> Option<&String>| {
        partners.get(p).and_then(|p| f(p)).cloned().unwrap_or_else(|| "(none)".into())
    };
    let mut rows: BTreeMap<String, (ProgramRow, BTreeSet<&str>)> = BTreeMap::new();
    for o in &data.opportunities {
        let Some(ls) = links.get(o.opportunity_id.as_str()) else { continue };
        // The segments this opportunity belongs to, with its links in each.
        let mut segments: BTreeMap<String, Vec<(&str, PartnerRole)>> = BTreeMap::new();
        for &(p, role) in ls {
            let key = match segment {
                None => "Program".to_string(),
                Some(Segment::Region) => attr(p, |x| x.region.as_ref()),
                Some(Segment::PartnerType) => attr(p, |x| x.partner_type.as_ref()),
                Some(Segment::Tier) => attr(p, |x| x.tier.as_ref()),
                Some(Segment::Industry) => o.industry.as_deref().unwrap_or("(none)").to_string(),
                Some(Segment::ProductFamily) => o.product_family.as_deref().unwrap_or("(none)").to_string(),
                Some(Segment::Year) => format!("FY{}", calendar.period_of(o.close_date).year),
            };
            segments.entry(key).or_default().push((p, role));
        }
        for (key, ls) in segments {
            let (row, members) =
                rows.entry(key.clone()).or_insert_with(|| (ProgramRow { segment: key, ..Default::default() }, BTreeSet::new()));
            members.extend(ls.iter().map(|(p, _)| *p));
            add(row, o, &ls, segment == Some(Segment::Year), (start, end), ytd, as_of, calendar, period);
        }
    }
    rows.into_values()
        .map(|(mut r, members)| {
            r.partners = members.len();
            let decided = r.won_count + r.lost_count;
            r.win_rate_pct = (decided > 0).then(|| Decimal::from(r.won_count) / Decimal::from(decided) * Decimal::ONE_HUNDRED);
            r.avg_contract_value = (r.won_count > 0).then(|| r.revenue / Decimal::from(r.won_count));
            r
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn add(
    row: &mut ProgramRow,
    o: &Opportunity,
    links: &[(&str, PartnerRole)],
    by_year: bool,
    (start, end): (NaiveDate, NaiveDate),
    (ytd_start, ytd_end): (NaiveDate, NaiveDate),
    as_of: NaiveDate,
    calendar: &FiscalCalendar,
    period: FiscalPeriod,
) {
    let sourced = links.iter().any(|(_, r)| *r == PartnerRole::Sourced);
    let influenced = links.iter().any(|(_, r)| *r == PartnerRole::Influenced);
    // By year, each fiscal year counts its won deals up to the same point of the year
    // as the period's year-to-date, so the years compare like for like.
    let counts = if by_year {
        let fy = calendar.period_of(o.close_date).year;
        let shift = i64::from(period.year - fy) * 12;
        let months = u32::try_from(shift).ok().map(chrono::Months::new);
        let limit = months.map(|m| ytd_end - m).unwrap_or(ytd_end);
        o.close_date <= limit
    } else {
        start <= o.close_date && o.close_date <= end
    };
    match o.stage {
        Stage::ClosedWon => {
            if counts {
                row.revenue += o.amount;
                row.won_count += 1;
                if sourced {
                    row.revenue_sourced += o.amount;
                }
                if influenced {
                    row.revenue_influenced += o.amount;
                }
            }
            if !by_year && ytd_start <= o.close_date && o.close_date <= ytd_end {
                row.revenue_ytd += o.amount;
            }
            if by_year && counts {
                row.revenue_ytd += o.amount;
            }
        }
        Stage::ClosedLost => {
            if counts {
                row.lost_count += 1;
            }
        }
        _ => {
            if !by_year && o.created_date.is_none_or(|c| c <= as_of) {
                row.pipeline_count += 1;
                row.pipeline_value += o.amount;
                if sourced {
                    row.pipeline_sourced += o.amount;
                }
                if influenced {
                    row.pipeline_influenced += o.amount;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use watershed_model::{OpportunityPartner, Partner};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn opp(id: &str, amount: i64, stage: Stage, close: &str, industry: &str) -> Opportunity {
        Opportunity {
            opportunity_id: id.into(),
            name: None,
            customer_name: "C".into(),
            customer_country: None,
            region: None,
            industry: Some(industry.into()),
            product_id: None,
            product_family: None,
            amount: Decimal::from(amount),
            amount_original: Decimal::from(amount),
            currency: "USD".into(),
            stage,
            created_date: Some(d("2025-01-01")),
            close_date: d(close),
            deal_registration_id: None,
            updated_at: None,
        }
    }

    fn partner(id: &str, region: &str) -> Partner {
        Partner { tier: Some("Gold".into()), region: Some(region.into()), ..Partner::new(id, id) }
    }

    fn link(o: &str, p: &str, role: PartnerRole) -> OpportunityPartner {
        OpportunityPartner { opportunity_id: o.into(), partner_id: p.into(), role, split: Decimal::ONE }
    }

    fn data() -> Dataset {
        Dataset {
            partners: vec![partner("A", "EMEA"), partner("B", "EMEA"), partner("C", "APAC")],
            opportunities: vec![
                opp("o1", 100, Stage::ClosedWon, "2026-08-01", "Retail"),
                opp("o2", 50, Stage::ClosedWon, "2026-09-01", "Energy"),
                opp("o3", 10, Stage::ClosedLost, "2026-08-15", "Retail"),
                opp("o4", 70, Stage::Proposal, "2026-12-01", "Retail"),
                opp("o5", 5, Stage::ClosedWon, "2025-08-01", "Retail"),
            ],
            links: vec![
                link("o1", "A", PartnerRole::Sourced),
                link("o1", "B", PartnerRole::Influenced),
                link("o1", "C", PartnerRole::Influenced),
                link("o2", "B", PartnerRole::Sourced),
                link("o3", "A", PartnerRole::Sourced),
                link("o4", "C", PartnerRole::Sourced),
                link("o5", "A", PartnerRole::Sourced),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn program_counts_each_deal_once_and_keeps_roles_apart() {
        let cal = FiscalCalendar::new(1).unwrap();
        let rows = program(&cal, &data(), FiscalPeriod::from_str("FY2026-Q3").unwrap(), d("2026-09-30"), None);
        let p = &rows[0];
        assert_eq!((p.revenue, p.revenue_sourced, p.revenue_influenced), (Decimal::from(150), Decimal::from(150), Decimal::from(100)));
        assert_eq!((p.won_count, p.lost_count, p.pipeline_count, p.partners), (2, 1, 1, 3));
        assert_eq!(p.avg_contract_value, Some(Decimal::from(75)));
    }

    #[test]
    fn segments_by_partner_region_and_by_industry() {
        let cal = FiscalCalendar::new(1).unwrap();
        let p = FiscalPeriod::from_str("FY2026-Q3").unwrap();
        let by_region = program(&cal, &data(), p, d("2026-09-30"), Some(Segment::Region));
        let emea = by_region.iter().find(|r| r.segment == "EMEA").unwrap();
        assert_eq!((emea.revenue, emea.won_count), (Decimal::from(150), 2), "o1 once, though A and B are both EMEA");
        let apac = by_region.iter().find(|r| r.segment == "APAC").unwrap();
        assert_eq!((apac.revenue, apac.revenue_sourced, apac.pipeline_value), (Decimal::from(100), Decimal::ZERO, Decimal::from(70)));
        let by_industry = program(&cal, &data(), p, d("2026-09-30"), Some(Segment::Industry));
        assert_eq!(by_industry.iter().map(|r| r.segment.as_str()).collect::<Vec<_>>(), vec!["Energy", "Retail"]);
        let by_year = program(&cal, &data(), p, d("2026-09-30"), Some(Segment::Year));
        let fy25 = by_year.iter().find(|r| r.segment == "FY2025").unwrap();
        assert_eq!(fy25.revenue, Decimal::from(5), "FY2025 up to 2025-09-30, like for like");
    }
}
