//! The opportunity family: revenue, pipeline, win rates and cycle times per partner.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use watershed_model::{FiscalCalendar, FiscalPeriod, Opportunity, OpportunityPartner, PartnerRole, Stage, Target};

/// The opportunity-family metrics of one partner for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    /// The partner.
    pub partner_id: String,
    /// The fiscal quarter.
    pub period: FiscalPeriod,
    /// The as-of date used for pipeline and year-to-date figures.
    pub as_of: NaiveDate,
    /// Won revenue credited to the partner (see [`crate::CATALOG`] for every definition).
    pub revenue: Decimal,
    /// Sourced part of revenue.
    pub revenue_sourced: Decimal,
    /// Influenced part of revenue.
    pub revenue_influenced: Decimal,
    /// Revenue of the previous quarter.
    pub revenue_prev: Decimal,
    /// Fiscal year to date.
    pub revenue_ytd: Decimal,
    /// Target, if set.
    pub target: Option<Decimal>,
    /// Growth on the previous quarter.
    pub growth_pct: Option<Decimal>,
    /// Revenue against target.
    pub attainment_pct: Option<Decimal>,
    /// Open opportunities.
    pub pipeline_count: i64,
    /// Their credited value.
    pub pipeline_value: Decimal,
    /// Sourced part.
    pub pipeline_sourced: Decimal,
    /// Influenced part.
    pub pipeline_influenced: Decimal,
    /// Pipeline against target.
    pub coverage_pct: Option<Decimal>,
    /// Pipeline value per open opportunity.
    pub avg_deal_size: Option<Decimal>,
    /// Won in the period.
    pub won_count: i64,
    /// Lost in the period.
    pub lost_count: i64,
    /// Won of decided.
    pub win_rate_pct: Option<Decimal>,
    /// Won of all closing in the period.
    pub conversion_rate_pct: Option<Decimal>,
    /// Mean days from creation to close of won deals.
    pub sales_cycle_days: Option<Decimal>,
}

/// A metric value for output: `None` is null.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricValue {
    /// A decimal (money, percentage, days).
    Decimal(Option<Decimal>),
    /// A count.
    Count(i64),
}

impl KpiRow {
    /// (metric name, value) in [`crate::CATALOG`] order (its first 19 metrics).
    pub fn values(&self) -> Vec<(&'static str, MetricValue)> {
        use MetricValue::{Count, Decimal as D};
        vec![
            ("revenue", D(Some(self.revenue))),
            ("revenue_sourced", D(Some(self.revenue_sourced))),
            ("revenue_influenced", D(Some(self.revenue_influenced))),
            ("revenue_prev", D(Some(self.revenue_prev))),
            ("revenue_ytd", D(Some(self.revenue_ytd))),
            ("target", D(self.target)),
            ("growth_pct", D(self.growth_pct)),
            ("attainment_pct", D(self.attainment_pct)),
            ("pipeline_count", Count(self.pipeline_count)),
            ("pipeline_value", D(Some(self.pipeline_value))),
            ("pipeline_sourced", D(Some(self.pipeline_sourced))),
            ("pipeline_influenced", D(Some(self.pipeline_influenced))),
            ("coverage_pct", D(self.coverage_pct)),
            ("avg_deal_size", D(self.avg_deal_size)),
            ("won_count", Count(self.won_count)),
            ("lost_count", Count(self.lost_count)),
            ("win_rate_pct", D(self.win_rate_pct)),
            ("conversion_rate_pct", D(self.conversion_rate_pct)),
            ("sales_cycle_days", D(self.sales_cycle_days)),
        ]
    }
}

fn ratio_pct(numerator: Decimal, denominator: Option<Decimal>) -> Option<Decimal> {
    denominator.filter(|d| !d.is_zero()).map(|d| numerator / d * Decimal::ONE_HUNDRED)
}

/// One link of an opportunity to a partner, reduced to what the opportunity family
/// reads: its dates, stage, role and credited amount (amount × split).
#[derive(Debug, Clone, Copy)]
struct Credit {
    close_date: NaiveDate,
    created_date: Option<NaiveDate>,
    stage: Stage,
    credited: Decimal,
    sourced: bool,
}

/// The opportunities and targets grouped by partner, built once and reused for every
/// period: each partner's links in their original order (so that sums add up in the
/// same order as a direct pass over the links) with the credited amount computed once.
#[derive(Debug, Default)]
pub(crate) struct OpportunityIndex<'a> {
    credits: foldhash::HashMap<&'a str, Vec<Credit>>,
    targets: foldhash::HashMap<(&'a str, FiscalPeriod), Decimal>,
}

impl<'a> OpportunityIndex<'a> {
    /// Groups the links by partner. A link to an unknown opportunity is left out; of
    /// opportunities sharing an id the last one counts; of targets for the same
    /// (partner, period) the last row wins.
    pub(crate) fn new(opportunities: &'a [Opportunity], links: &'a [OpportunityPartner], targets: &'a [Target]) -> Self {
        let mut credits: foldhash::HashMap<&str, Vec<Credit>> = HashMap::default();
        let mut credit = |link: &'a OpportunityPartner, o: &Opportunity| {
            credits.entry(link.partner_id.as_str()).or_default().push(Credit {
                close_date: o.close_date,
                created_date: o.created_date,
                stage: o.stage,
                credited: o.amount * link.split,
                sourced: link.role == PartnerRole::Sourced,
            });
        };
        if let Some(pairs) = links_with_opportunities(opportunities, links) {
            for (link, same_id) in pairs {
                if let Some(o) = same_id.last() {
                    credit(link, o);
                }
            }
        } else {
            // Hashed with foldhash: a million ids are looked up once per link.
            let mut by_id: foldhash::HashMap<&str, &Opportunity> =
                HashMap::with_capacity_and_hasher(opportunities.len(), Default::default());
            by_id.extend(opportunities.iter().map(|o| (o.opportunity_id.as_str(), o)));
            for link in links {
                if let Some(o) = by_id.get(link.opportunity_id.as_str()) {
                    credit(link, o);
                }
            }
        }
        let mut target_of: foldhash::HashMap<(&str, FiscalPeriod), Decimal> = HashMap::default();
        for t in targets {
            target_of.insert((t.partner_id.as_str(), t.period), t.amount);
        }
        OpportunityIndex { credits, targets: target_of }
    }
}

/// Every link with the opportunities of its id (in dataset order; empty when none), by
/// one merge of the two lists when both are sorted by opportunity id, as the store gives
/// them — no map of a million ids; `None` when they are not sorted (the caller hashes).
pub(crate) fn links_with_opportunities<'a>(
    opportunities: &'a [Opportunity],
    links: &'a [OpportunityPartner],
) -> Option<impl Iterator<Item = (&'a OpportunityPartner, &'a [Opportunity])>> {
    let sorted = opportunities.is_sorted_by(|a, b| a.opportunity_id <= b.opportunity_id)
        && links.is_sorted_by(|a, b| a.opportunity_id <= b.opportunity_id);
    if !sorted {
        return None;
    }
    let mut first = 0;
    Some(links.iter().map(move |link| {
        let id = link.opportunity_id.as_str();
        while opportunities.get(first).is_some_and(|o| o.opportunity_id.as_str() < id) {
            first += 1;
        }
        let mut end = first;
        while opportunities.get(end).is_some_and(|o| o.opportunity_id.as_str() == id) {
            end += 1;
        }
        (link, &opportunities[first..end])
    }))
}

/// Computes the opportunity-family metrics for every partner in `partner_ids`, for
/// `period` as of `as_of`. Targets: the last row for a (partner, period) wins.
pub fn opportunity_kpis(
    calendar: &FiscalCalendar,
    partner_ids: &[String],
    opportunities: &[Opportunity],
    links: &[OpportunityPartner],
    targets: &[Target],
    period: FiscalPeriod,
    as_of: NaiveDate,
) -> Vec<KpiRow> {
    kpis_of(calendar, &OpportunityIndex::new(opportunities, links, targets), partner_ids, period, as_of)
}

/// [`opportunity_kpis`] over an index built once.
pub(crate) fn kpis_of(
    calendar: &FiscalCalendar,
    index: &OpportunityIndex,
    partner_ids: &[String],
    period: FiscalPeriod,
    as_of: NaiveDate,
) -> Vec<KpiRow> {
    let (start, end) = (calendar.start(period), calendar.end(period));
    let prev = period.prev();
    let (prev_start, prev_end) = (calendar.start(prev), calendar.end(prev));
    let ytd_start = calendar.year_start(period.year);
    let ytd_end = end.min(as_of);
    partner_ids
        .iter()
        .map(|partner_id| {
            let mine = index.credits.get(partner_id.as_str()).map_or(&[][..], Vec::as_slice);
            let mut row = KpiRow {
                partner_id: partner_id.clone(),
                period,
                as_of,
                revenue: Decimal::ZERO,
                revenue_sourced: Decimal::ZERO,
                revenue_influenced: Decimal::ZERO,
                revenue_prev: Decimal::ZERO,
                revenue_ytd: Decimal::ZERO,
                target: index.targets.get(&(partner_id.as_str(), period)).copied(),
                growth_pct: None,
                attainment_pct: None,
                pipeline_count: 0,
                pipeline_value: Decimal::ZERO,
                pipeline_sourced: Decimal::ZERO,
                pipeline_influenced: Decimal::ZERO,
                coverage_pct: None,
                avg_deal_size: None,
                won_count: 0,
                lost_count: 0,
                win_rate_pct: None,
                conversion_rate_pct: None,
                sales_cycle_days: None,
            };
            let (mut closing_in_period, mut cycle_sum, mut cycle_n) = (0i64, 0i64, 0i64);
            for c in mine {
                let credited = c.credited;
                let sourced = c.sourced;
                let in_period = start <= c.close_date && c.close_date <= end;
                if in_period {
                    closing_in_period += 1;
                }
                match c.stage {
                    Stage::ClosedWon => {
                        if in_period {
                            row.revenue += credited;
                            if sourced {
                                row.revenue_sourced += credited;
                            } else {
                                row.revenue_influenced += credited;
                            }
                            row.won_count += 1;
                            if let Some(created) = c.created_date {
                                cycle_sum += (c.close_date - created).num_days();
                                cycle_n += 1;
                            }
                        }
                        if prev_start <= c.close_date && c.close_date <= prev_end {
                            row.revenue_prev += credited;
                        }
                        if ytd_start <= c.close_date && c.close_date <= ytd_end {
                            row.revenue_ytd += credited;
                        }
                    }
                    Stage::ClosedLost => {
                        if in_period {
                            row.lost_count += 1;
                        }
                    }
                    _ => {
                        if c.created_date.is_none_or(|d| d <= as_of) {
                            row.pipeline_count += 1;
                            row.pipeline_value += credited;
                            if sourced {
                                row.pipeline_sourced += credited;
                            } else {
                                row.pipeline_influenced += credited;
                            }
                        }
                    }
                }
            }
            row.growth_pct = ratio_pct(row.revenue - row.revenue_prev, Some(row.revenue_prev));
            row.attainment_pct = ratio_pct(row.revenue, row.target);
            row.coverage_pct = ratio_pct(row.pipeline_value, row.target);
            row.avg_deal_size = (row.pipeline_count > 0).then(|| row.pipeline_value / Decimal::from(row.pipeline_count));
            row.win_rate_pct = ratio_pct(Decimal::from(row.won_count), Some(Decimal::from(row.won_count + row.lost_count)));
            row.conversion_rate_pct = ratio_pct(Decimal::from(row.won_count), Some(Decimal::from(closing_in_period)));
            row.sales_cycle_days = (cycle_n > 0).then(|| Decimal::from(cycle_sum) / Decimal::from(cycle_n));
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn opp(id: &str, amount: &str, stage: Stage, created: Option<&str>, close: &str) -> Opportunity {
        Opportunity {
            opportunity_id: id.into(),
            name: None,
            customer_name: "C".into(),
            customer_country: None,
            region: None,
            industry: None,
            product_id: None,
            product_family: None,
            amount: dec(amount),
            amount_original: dec(amount),
            currency: "USD".into(),
            stage,
            created_date: created.map(d),
            close_date: d(close),
            deal_registration_id: None,
            updated_at: None,
        }
    }

    fn link(o: &str, p: &str, role: PartnerRole, split: &str) -> OpportunityPartner {
        OpportunityPartner { opportunity_id: o.into(), partner_id: p.into(), role, split: dec(split) }
    }

    /// A small program whose every figure is worked out by hand in the assertions.
    fn program() -> (Vec<Opportunity>, Vec<OpportunityPartner>, Vec<Target>) {
        use PartnerRole::*;
        use Stage::*;
        let opps = vec![
            opp("w1", "1000", ClosedWon, Some("2026-06-01"), "2026-07-15"), // Q3 won, cycle 44
            opp("w2", "3000", ClosedWon, Some("2026-08-01"), "2026-09-30"), // Q3 won, cycle 60
            opp("l1", "500", ClosedLost, Some("2026-07-01"), "2026-08-01"), // Q3 lost
            opp("p1", "2000", Proposal, Some("2026-09-01"), "2026-12-01"),  // open, created before as-of
            opp("p2", "7000", Negotiation, Some("2026-10-05"), "2026-12-01"), // open, created after as-of
            opp("q2", "800", ClosedWon, Some("2026-04-01"), "2026-05-01"),  // Q2 won
            opp("q1", "100", ClosedWon, None, "2026-02-01"),                // Q1 won (YTD)
            opp("n1", "999", Qualification, None, "2026-09-15"),            // open, no created date
        ];
        let links = vec![
            link("w1", "A", Sourced, "1"),
            link("w1", "B", Influenced, "0.5"),
            link("w2", "A", Influenced, "1"),
            link("l1", "A", Sourced, "1"),
            link("p1", "A", Sourced, "1"),
            link("p2", "A", Sourced, "1"),
            link("q2", "A", Sourced, "1"),
            link("q1", "A", Sourced, "1"),
            link("n1", "B", Sourced, "1"),
        ];
        let targets = vec![
            Target { partner_id: "A".into(), period: "FY2026-Q3".parse().unwrap(), amount: dec("1") },
            Target { partner_id: "A".into(), period: "FY2026-Q3".parse().unwrap(), amount: dec("5000") },
        ];
        (opps, links, targets)
    }

    #[test]
    fn values_are_the_first_metrics_of_the_catalog_in_order() {
        let (opps, links, targets) = program();
        let cal = FiscalCalendar::new(1).unwrap();
        let rows = opportunity_kpis(&cal, &["A".into()], &opps, &links, &targets, "FY2026-Q3".parse().unwrap(), d("2026-09-30"));
        let names: Vec<&str> = rows[0].values().iter().map(|(n, _)| *n).collect();
        let catalog: Vec<&str> = crate::CATALOG.iter().take(names.len()).map(|m| m.name).collect();
        assert_eq!(names, catalog);
    }

    #[test]
    fn worked_example() {
        let (opps, links, targets) = program();
        let cal = FiscalCalendar::new(1).unwrap();
        let rows = opportunity_kpis(
            &cal,
            &["A".into(), "B".into(), "C".into()],
            &opps,
            &links,
            &targets,
            "FY2026-Q3".parse().unwrap(),
            d("2026-09-30"),
        );
        let a = &rows[0];
        assert_eq!(a.revenue, dec("4000"));
        assert_eq!(a.revenue_sourced, dec("1000"));
        assert_eq!(a.revenue_influenced, dec("3000"));
        assert_eq!(a.revenue_prev, dec("800"));
        assert_eq!(a.revenue_ytd, dec("4900"));
        assert_eq!(a.target, Some(dec("5000")), "the last target row wins");
        assert_eq!(a.growth_pct, Some(dec("400")));
        assert_eq!(a.attainment_pct, Some(dec("80")));
        assert_eq!((a.pipeline_count, a.pipeline_value), (1, dec("2000")));
        assert_eq!(a.coverage_pct, Some(dec("40")));
        assert_eq!(a.avg_deal_size, Some(dec("2000")));
        assert_eq!((a.won_count, a.lost_count), (2, 1));
        assert_eq!(a.win_rate_pct.unwrap().round_dp(4), dec("66.6667"));
        assert_eq!(a.conversion_rate_pct.unwrap().round_dp(4), dec("66.6667"));
        assert_eq!(a.sales_cycle_days, Some(dec("52")));

        let b = &rows[1];
        assert_eq!((b.revenue, b.revenue_influenced, b.revenue_sourced), (dec("500"), dec("500"), dec("0")));
        assert_eq!(b.revenue_prev, dec("0"));
        assert_eq!(b.growth_pct, None, "no previous revenue: growth is null, not 0");
        assert_eq!(b.target, None);
        assert_eq!(b.attainment_pct, None);
        assert_eq!((b.pipeline_count, b.pipeline_sourced), (1, dec("999")), "an open deal without created_date is pipeline");
        assert_eq!(b.lost_count, 0);
        assert_eq!(b.conversion_rate_pct, Some(dec("50")));

        let c = &rows[2];
        assert_eq!((c.revenue, c.pipeline_count, c.won_count), (dec("0"), 0, 0));
        assert_eq!((c.win_rate_pct, c.conversion_rate_pct, c.sales_cycle_days, c.avg_deal_size), (None, None, None, None));
    }

    #[test]
    fn as_of_moves_pipeline_and_ytd() {
        let (opps, links, targets) = program();
        let cal = FiscalCalendar::new(1).unwrap();
        let rows = opportunity_kpis(&cal, &["A".into()], &opps, &links, &targets, "FY2026-Q3".parse().unwrap(), d("2026-08-01"));
        assert_eq!(rows[0].revenue_ytd, dec("1900"), "Q1 + Q2 + w1 (Jul 15); w2 closes after the as-of date");
        assert_eq!(rows[0].revenue, dec("4000"), "revenue is the whole quarter");
        assert_eq!(rows[0].pipeline_count, 0, "p1 was created after the as-of date");
        let late = opportunity_kpis(&cal, &["A".into()], &opps, &links, &targets, "FY2026-Q3".parse().unwrap(), d("2026-11-01"));
        assert_eq!(late[0].pipeline_count, 2);
    }

    #[test]
    fn fiscal_year_start_moves_quarters_and_ytd() {
        let (opps, links, targets) = program();
        let cal = FiscalCalendar::new(2).unwrap();
        // With FY starting in February, FY2027-Q3 is Aug–Oct 2026: w2 (Sep 30) and l1 (Aug 1).
        let rows = opportunity_kpis(&cal, &["A".into()], &opps, &links, &targets, "FY2027-Q3".parse().unwrap(), d("2026-10-31"));
        assert_eq!(rows[0].revenue, dec("3000"));
        assert_eq!(rows[0].revenue_prev, dec("1800"), "FY2027-Q2 is May–Jul 2026: q2 (May 1, 800) + w1 (Jul 15, 1000)");
        assert_eq!(rows[0].revenue_ytd, dec("4900"), "FY2027 starts 2026-02-01: q1 (Feb 1) is in it");
    }

    #[test]
    fn default_as_of_is_the_period_end_or_today() {
        let cal = FiscalCalendar::new(1).unwrap();
        let p: FiscalPeriod = "FY2026-Q3".parse().unwrap();
        assert_eq!(crate::default_as_of(&cal, p, d("2026-11-22")), d("2026-09-30"));
        assert_eq!(crate::default_as_of(&cal, p, d("2026-08-10")), d("2026-08-10"));
    }
}
