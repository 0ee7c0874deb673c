//! Every metric of the catalog for every partner of a period, from a [`Dataset`].

use crate::catalog::{CATALOG, index_of};
use crate::health::{Health, health};
use crate::opportunity::{KpiRow, OpportunityIndex, kpis_of, links_with_opportunities};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use watershed_model::{Dataset, FiscalCalendar, FiscalPeriod, Opportunity, Stage};

/// Settings of the metric layer (from `[metrics]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSettings {
    /// Sales cycles this long or longer score zero in the health score's velocity.
    pub cycle_ceiling_days: u32,
}

impl Default for MetricSettings {
    fn default() -> Self {
        Self { cycle_ceiling_days: 180 }
    }
}

/// Every metric of one partner for one period: values in [`CATALOG`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// The partner.
    pub partner_id: String,
    /// The fiscal quarter.
    pub period: FiscalPeriod,
    /// The as-of date used for pipeline, year-to-date and expiries.
    pub as_of: NaiveDate,
    /// One value per catalog metric; `None` is null.
    pub values: Vec<Option<Decimal>>,
    /// The health score with its components.
    pub health: Health,
}

impl MetricRow {
    /// The value of metric `name` (None when null or unknown).
    pub fn get(&self, name: &str) -> Option<Decimal> {
        index_of(name).and_then(|i| self.values.get(i).copied().flatten())
    }

    fn set(&mut self, name: &str, value: Option<Decimal>) {
        if let Some(i) = index_of(name) {
            self.values[i] = value;
        }
    }
}

/// The dataset grouped by partner, built once and reused for every period. Each
/// grouping is built on first use (and only once, also when several threads share
/// the index).
pub struct Index<'a> {
    data: &'a Dataset,
    by_partner: OnceLock<foldhash::HashMap<&'a str, PartnerData<'a>>>,
    won_keys: OnceLock<foldhash::HashSet<&'a str>>,
    opportunities: OnceLock<OpportunityIndex<'a>>,
    won_links: OnceLock<WonLinks<'a>>,
}

#[derive(Default)]
struct PartnerData<'a> {
    dealregs: Vec<&'a watershed_model::DealRegistration>,
    trainings: Vec<&'a watershed_model::Training>,
    certifications: Vec<&'a watershed_model::Certification>,
    portal: Vec<&'a watershed_model::PortalActivity>,
    events: Vec<&'a watershed_model::Event>,
    mdf_allocations: Vec<&'a watershed_model::MdfAllocation>,
    mdf_requests: Vec<&'a watershed_model::MdfRequest>,
    csat: Vec<&'a watershed_model::SurveyResponse>,
    nps: Vec<&'a watershed_model::SurveyResponse>,
    implementations: Vec<&'a watershed_model::Implementation>,
    tickets: Vec<&'a watershed_model::SupportTicket>,
    costs: Vec<&'a watershed_model::PartnerCost>,
}

/// The links to closed-won opportunities, in link order, for trailing revenue: per
/// link its partner, split and where the won opportunities of its id (close date,
/// amount, in dataset order) are in `versions`. One list for all ids: a list per id cost
/// ~100 bytes per won opportunity id (a vector and its allocation): at 1M this index took
/// 98 MB, most of it those lists.
struct WonLinks<'a> {
    links: Vec<(&'a str, Decimal, std::ops::Range<usize>)>,
    versions: Vec<(NaiveDate, Decimal)>,
}

impl<'a> Index<'a> {
    /// Groups `data` by partner.
    pub fn new(data: &'a Dataset) -> Self {
        Index { data, by_partner: OnceLock::new(), won_keys: OnceLock::new(), opportunities: OnceLock::new(), won_links: OnceLock::new() }
    }

    fn by_partner(&self) -> &foldhash::HashMap<&'a str, PartnerData<'a>> {
        self.by_partner.get_or_init(|| {
            let data = self.data;
            let mut by_partner: foldhash::HashMap<&str, PartnerData> = HashMap::default();
            macro_rules! group {
                ($list:expr, $field:ident) => {
                    for item in &$list {
                        by_partner.entry(item.partner_id.as_str()).or_default().$field.push(item);
                    }
                };
            }
            group!(data.deal_registrations, dealregs);
            group!(data.trainings, trainings);
            group!(data.certifications, certifications);
            group!(data.portal_activity, portal);
            group!(data.events, events);
            group!(data.mdf_allocations, mdf_allocations);
            group!(data.mdf_requests, mdf_requests);
            group!(data.csat_responses, csat);
            group!(data.nps_responses, nps);
            group!(data.implementations, implementations);
            group!(data.support_tickets, tickets);
            group!(data.partner_costs, costs);
            by_partner
        })
    }

    /// A registration is won when an opportunity it names (by golden id, by the
    /// source's own id, or by registration id) is won. Only keys some registration names
    /// are ever looked up, so only those are kept: the set of every won opportunity's
    /// keys was 68 MB at 1M, this one is a few MB (the registrations' keys, 18 MB, are
    /// let go once it is built).
    fn won_keys(&self) -> &foldhash::HashSet<&'a str> {
        self.won_keys.get_or_init(|| {
            let registrations = &self.data.deal_registrations;
            let mut named: foldhash::HashSet<&str> = HashSet::with_capacity_and_hasher(2 * registrations.len(), Default::default());
            for r in registrations {
                named.insert(r.registration_id.as_str());
                named.extend(r.opportunity_id.as_deref());
            }
            let mut won_keys: foldhash::HashSet<&str> = HashSet::default();
            let mut keep = |key: &'a str| {
                if named.contains(key) {
                    won_keys.insert(key);
                }
            };
            for o in self.data.opportunities.iter().filter(|o| o.stage == Stage::ClosedWon) {
                keep(o.opportunity_id.as_str());
                if let Some((_, external)) = o.opportunity_id.split_once(':') {
                    keep(external);
                }
                if let Some(reg) = &o.deal_registration_id {
                    keep(reg.as_str());
                }
            }
            won_keys
        })
    }

    fn opportunities(&self) -> &OpportunityIndex<'a> {
        self.opportunities.get_or_init(|| OpportunityIndex::new(&self.data.opportunities, &self.data.links, &self.data.targets))
    }

    fn won_links(&self) -> &WonLinks<'a> {
        self.won_links.get_or_init(|| {
            let (opportunities, links) = (&self.data.opportunities, &self.data.links);
            let mut versions: Vec<(NaiveDate, Decimal)> = Vec::new();
            let won = |o: &Opportunity| (o.stage == Stage::ClosedWon).then_some((o.close_date, o.amount));
            if let Some(pairs) = links_with_opportunities(opportunities, links) {
                // Sorted: a link's won versions are the won ones of its run of equal ids;
                // consecutive links of one opportunity share their range.
                let mut won_links = Vec::new();
                let mut previous: Option<(&str, std::ops::Range<usize>)> = None;
                for (link, same_id) in pairs {
                    let id = link.opportunity_id.as_str();
                    let range = match &previous {
                        Some((previous_id, range)) if *previous_id == id => range.clone(),
                        _ => {
                            let start = versions.len();
                            versions.extend(same_id.iter().filter_map(won));
                            previous = Some((id, start..versions.len()));
                            start..versions.len()
                        }
                    };
                    if !range.is_empty() {
                        won_links.push((link.partner_id.as_str(), link.split, range));
                    }
                }
                return WonLinks { links: won_links, versions };
            }
            // Not sorted: each id's won versions gathered by a map first, then laid out in
            // one list in the order their ids are first met.
            let mut slot: foldhash::HashMap<&str, usize> = HashMap::default();
            let mut by_id: Vec<Vec<(NaiveDate, Decimal)>> = Vec::new();
            for o in opportunities.iter() {
                if let Some(version) = won(o) {
                    let i = *slot.entry(o.opportunity_id.as_str()).or_insert_with(|| {
                        by_id.push(Vec::new());
                        by_id.len() - 1
                    });
                    by_id[i].push(version);
                }
            }
            let ranges: Vec<std::ops::Range<usize>> = by_id
                .into_iter()
                .map(|list| {
                    let start = versions.len();
                    versions.extend(list);
                    start..versions.len()
                })
                .collect();
            let links = links
                .iter()
                .filter_map(|l| slot.get(l.opportunity_id.as_str()).map(|&i| (l.partner_id.as_str(), l.split, ranges[i].clone())))
                .collect();
            WonLinks { links, versions }
        })
    }

    /// Builds the groupings on two threads at once (the opportunity links on one, the
    /// rest on the other), before many periods need them.
    pub(crate) fn build_all(&self, trailing: bool) {
        std::thread::scope(|scope| {
            scope.spawn(|| {
                self.opportunities();
            });
            if trailing {
                self.won_links();
            }
            self.by_partner();
            self.won_keys();
        });
    }

    /// Closed-won credited revenue per partner over the four quarters ending with
    /// `period`: the same as [`crate::trailing_revenue`], from the index.
    pub fn trailing_revenue(&self, calendar: &FiscalCalendar, period: FiscalPeriod) -> HashMap<String, Decimal> {
        let start = calendar.start(period.prev().prev().prev());
        let end = calendar.end(period);
        let won = self.won_links();
        // Summed by borrowed id (no String per link), owned once per partner at the end.
        let mut sums: foldhash::HashMap<&str, Decimal> = HashMap::default();
        for (partner_id, split, versions) in &won.links {
            // Of several won opportunities with one id, the last one in range counts.
            if let Some((_, amount)) = won.versions[versions.clone()].iter().rev().find(|(d, _)| start <= *d && *d <= end) {
                *sums.entry(partner_id).or_default() += *amount * *split;
            }
        }
        sums.into_iter().map(|(partner_id, sum)| (partner_id.to_string(), sum)).collect()
    }

    /// Every fiscal quarter the dataset has data in: opportunity close dates and targets.
    pub fn periods(&self, calendar: &FiscalCalendar) -> Vec<FiscalPeriod> {
        let mut set: std::collections::BTreeSet<FiscalPeriod> =
            self.data.opportunities.iter().map(|o| calendar.period_of(o.close_date)).collect();
        set.extend(self.data.targets.iter().map(|t| t.period));
        set.into_iter().collect()
    }
}

fn pct(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    (!denominator.is_zero()).then(|| numerator / denominator * Decimal::ONE_HUNDRED)
}

fn mean(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    let (mut sum, mut n) = (Decimal::ZERO, 0i64);
    for v in values {
        sum += v;
        n += 1;
    }
    (n > 0).then(|| sum / Decimal::from(n))
}

fn count(n: usize) -> Option<Decimal> {
    Some(Decimal::from(n as i64))
}

fn opportunity_values(row: &mut MetricRow, k: &KpiRow) {
    for (name, value) in k.values() {
        let v = match value {
            crate::opportunity::MetricValue::Count(n) => Some(Decimal::from(n)),
            crate::opportunity::MetricValue::Decimal(d) => d,
        };
        row.set(name, v);
    }
}

/// Computes every catalog metric for `partner_ids` in `period` as of `as_of`.
pub fn partner_metrics(
    calendar: &FiscalCalendar,
    index: &Index,
    partner_ids: &[String],
    period: FiscalPeriod,
    as_of: NaiveDate,
    settings: MetricSettings,
) -> Vec<MetricRow> {
    let kpis = kpis_of(calendar, index.opportunities(), partner_ids, period, as_of);
    let (by_partner, won_keys) = (index.by_partner(), index.won_keys());
    let (start, end) = (calendar.start(period), calendar.end(period));
    let in_period = |d: NaiveDate| start <= d && d <= end;
    let empty = PartnerData::default();
    kpis.iter()
        .map(|k| {
            let mut row =
                MetricRow { partner_id: k.partner_id.clone(), period, as_of, values: vec![None; CATALOG.len()], health: Health::default() };
            opportunity_values(&mut row, k);
            let p = by_partner.get(k.partner_id.as_str()).unwrap_or(&empty);

            // Deal registrations submitted in the period.
            let regs: Vec<_> = p.dealregs.iter().filter(|r| in_period(r.submitted_at.date())).collect();
            let approved: Vec<_> =
                regs.iter().filter(|r| matches!(r.status.as_str(), "approved" | "won") || r.approved_at.is_some()).collect();
            let won = regs
                .iter()
                .filter(|r| {
                    r.status == "won"
                        || won_keys.contains(r.registration_id.as_str())
                        || r.opportunity_id.as_deref().is_some_and(|o| won_keys.contains(o))
                })
                .count();
            let submitted = Decimal::from(regs.len() as i64);
            row.set("dealreg_submitted", count(regs.len()));
            row.set("dealreg_approved", count(approved.len()));
            row.set("dealreg_won", count(won));
            row.set("approval_rate_pct", pct(Decimal::from(approved.len() as i64), submitted));
            row.set("dealreg_win_rate_pct", pct(Decimal::from(won as i64), submitted));
            row.set(
                "time_to_approval_hours",
                mean(
                    approved
                        .iter()
                        .filter_map(|r| r.approved_at.map(|a| Decimal::from((a - r.submitted_at).num_seconds()) / Decimal::from(3600))),
                ),
            );

            // Enablement and engagement.
            let assigned = p.trainings.iter().filter(|t| t.assigned_date <= end).count();
            let completed = p.trainings.iter().filter(|t| t.assigned_date <= end && t.completed_date.is_some_and(|c| c <= end)).count();
            row.set("training_rate_pct", pct(Decimal::from(completed as i64), Decimal::from(assigned as i64)));
            let active = p.certifications.iter().filter(|c| c.issued_date <= end && c.expires_date.is_none_or(|e| e > end)).count();
            row.set("active_certifications", count(active));
            let portal: Vec<_> = p.portal.iter().filter(|a| in_period(a.month)).collect();
            if !portal.is_empty() {
                let per_month = Decimal::from(portal.iter().map(|a| a.logins).sum::<i64>()) / Decimal::from(3);
                row.set("portal_logins_per_month", Some(per_month));
                row.set("portal_activity_pct", Some((per_month / Decimal::from(4) * Decimal::ONE_HUNDRED).min(Decimal::ONE_HUNDRED)));
            }
            row.set("events_attended", count(p.events.iter().filter(|e| in_period(e.date)).count()));

            // Marketing development funds.
            let allocations: Vec<_> = p.mdf_allocations.iter().filter(|a| a.period == period).collect();
            let allocated = (!allocations.is_empty()).then(|| allocations.iter().map(|a| a.amount).sum::<Decimal>());
            let requests: Vec<_> = p.mdf_requests.iter().filter(|r| in_period(r.submitted_date)).collect();
            let spent: Decimal = requests.iter().filter_map(|r| r.amount_spent).sum();
            let attributed: Decimal = requests.iter().filter_map(|r| r.attributed_revenue).sum();
            row.set("mdf_allocated", allocated);
            row.set("mdf_spent", Some(spent));
            row.set("mdf_utilization_pct", allocated.and_then(|a| pct(spent, a)));
            row.set("mdf_roi", (!spent.is_zero()).then(|| attributed / spent));

            // Customer impact.
            row.set("csat", mean(p.csat.iter().filter(|r| in_period(r.date)).map(|r| r.score)));
            let nps: Vec<Decimal> = p.nps.iter().filter(|r| in_period(r.date)).map(|r| r.score).collect();
            if !nps.is_empty() {
                let promoters = nps.iter().filter(|s| **s >= Decimal::from(9)).count() as i64;
                let detractors = nps.iter().filter(|s| **s <= Decimal::from(6)).count() as i64;
                row.set("nps", pct(Decimal::from(promoters - detractors), Decimal::from(nps.len() as i64)));
            }
            row.set(
                "implementation_days",
                mean(
                    p.implementations
                        .iter()
                        .filter_map(|i| i.go_live_date.filter(|g| in_period(*g)).map(|g| Decimal::from((g - i.contract_date).num_days()))),
                ),
            );
            let tickets: Vec<_> = p.tickets.iter().filter(|t| in_period(t.opened_date)).collect();
            let rate = |pick: fn(&watershed_model::SupportTicket) -> Option<bool>| {
                let known: Vec<bool> = tickets.iter().filter_map(|t| pick(t)).collect();
                pct(Decimal::from(known.iter().filter(|b| **b).count() as i64), Decimal::from(known.len() as i64))
            };
            row.set("fcr_rate_pct", rate(|t| t.first_call_resolved));
            row.set("escalation_rate_pct", rate(|t| t.escalated));

            // Profitability.
            let costs: Vec<_> = p.costs.iter().filter(|c| c.period == period).collect();
            let cost = (!costs.is_empty()).then(|| costs.iter().map(|c| c.amount).sum::<Decimal>());
            row.set("partner_cost", cost);
            row.set("partner_margin", cost.map(|c| k.revenue - c));

            // Health.
            row.health = health(&row, settings.cycle_ceiling_days);
            row.set("health_score", row.health.score);
            row.set("health_coverage_pct", Some(row.health.coverage_pct));
            row
        })
        .collect()
}

/// Certifications of `partner_id` expiring in (as_of, as_of + days]: (certification, person, expiry).
pub fn expiring_certifications(index: &Index, partner_id: &str, as_of: NaiveDate, days: i64) -> Vec<(String, Option<String>, NaiveDate)> {
    let Some(p) = index.by_partner().get(partner_id) else { return Vec::new() };
    let until = as_of + chrono::Duration::days(days);
    let mut out: Vec<_> = p
        .certifications
        .iter()
        .filter_map(|c| {
            c.expires_date
                .filter(|e| *e > as_of && *e <= until && c.issued_date <= as_of)
                .map(|e| (c.certification.clone(), c.person.clone(), e))
        })
        .collect();
    out.sort_by_key(|(_, _, e)| (e.year(), e.ordinal()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use watershed_model::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn dt(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
    }
    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn reg(id: &str, status: &str, submitted: &str, approved: Option<&str>, opp: Option<&str>) -> DealRegistration {
        DealRegistration {
            registration_id: id.into(),
            partner_id: "A".into(),
            customer_name: None,
            submitted_at: dt(submitted),
            status: status.into(),
            approved_at: approved.map(dt),
            rejection_reason: None,
            opportunity_id: opp.map(str::to_string),
        }
    }

    fn won_opportunity() -> Opportunity {
        Opportunity {
            opportunity_id: "crm:006X".into(),
            name: None,
            customer_name: "C".into(),
            customer_country: None,
            region: None,
            industry: None,
            product_id: None,
            product_family: None,
            amount: dec("1000"),
            amount_original: dec("1000"),
            currency: "USD".into(),
            stage: Stage::ClosedWon,
            created_date: None,
            close_date: d("2026-08-01"),
            deal_registration_id: Some("R5".into()),
            updated_at: None,
        }
    }

    /// Partner A has a bit of every entity in FY2026-Q3 (Jul–Sep 2026); partner B has nothing.
    fn data() -> Dataset {
        let survey =
            |score: &str, date: &str| SurveyResponse { partner_id: "A".into(), customer_name: None, score: dec(score), date: d(date) };
        Dataset {
            partners: vec![],
            opportunities: vec![won_opportunity()],
            links: vec![OpportunityPartner {
                opportunity_id: "crm:006X".into(),
                partner_id: "A".into(),
                role: PartnerRole::Sourced,
                split: Decimal::ONE,
            }],
            targets: vec![],
            deal_registrations: vec![
                reg("R1", "approved", "2026-07-01T09:00:00", Some("2026-07-02T09:00:00"), None), // 24 h
                reg("R2", "rejected", "2026-07-03T09:00:00", None, None),
                reg("R3", "won", "2026-08-01T09:00:00", Some("2026-08-01T21:00:00"), None), // 12 h
                reg("R4", "lost", "2026-08-02T09:00:00", Some("2026-08-03T09:00:00"), Some("006X")), // approved, linked to a won opp
                reg("R5", "submitted", "2026-09-01T09:00:00", None, None),                  // won opp carries R5
                reg("R0", "approved", "2026-06-30T09:00:00", Some("2026-07-01T09:00:00"), None), // Q2
            ],
            trainings: vec![
                Training {
                    partner_id: "A".into(),
                    person: None,
                    course: None,
                    assigned_date: d("2026-01-10"),
                    completed_date: Some(d("2026-02-01")),
                },
                Training {
                    partner_id: "A".into(),
                    person: None,
                    course: None,
                    assigned_date: d("2026-08-10"),
                    completed_date: Some(d("2026-10-01")),
                },
                Training { partner_id: "A".into(), person: None, course: None, assigned_date: d("2026-09-10"), completed_date: None },
                Training {
                    partner_id: "A".into(),
                    person: None,
                    course: None,
                    assigned_date: d("2026-10-10"),
                    completed_date: Some(d("2026-10-11")),
                },
            ],
            certifications: vec![
                Certification {
                    partner_id: "A".into(),
                    person: None,
                    certification: "c1".into(),
                    level: None,
                    issued_date: d("2025-01-01"),
                    expires_date: None,
                },
                Certification {
                    partner_id: "A".into(),
                    person: None,
                    certification: "c2".into(),
                    level: None,
                    issued_date: d("2025-01-01"),
                    expires_date: Some(d("2026-09-30")),
                },
                Certification {
                    partner_id: "A".into(),
                    person: None,
                    certification: "c3".into(),
                    level: None,
                    issued_date: d("2025-01-01"),
                    expires_date: Some(d("2026-10-15")),
                },
                Certification {
                    partner_id: "A".into(),
                    person: None,
                    certification: "c4".into(),
                    level: None,
                    issued_date: d("2026-10-01"),
                    expires_date: None,
                },
            ],
            portal_activity: vec![
                PortalActivity { partner_id: "A".into(), month: d("2026-07-01"), logins: 3, sessions: None, minutes: None },
                PortalActivity { partner_id: "A".into(), month: d("2026-08-01"), logins: 6, sessions: None, minutes: None },
                PortalActivity { partner_id: "A".into(), month: d("2026-10-01"), logins: 99, sessions: None, minutes: None },
            ],
            events: vec![
                Event { partner_id: "A".into(), event: "e".into(), kind: None, date: d("2026-07-05") },
                Event { partner_id: "A".into(), event: "e".into(), kind: None, date: d("2026-06-05") },
            ],
            mdf_allocations: vec![MdfAllocation { partner_id: "A".into(), period: "FY2026-Q3".parse().unwrap(), amount: dec("10000") }],
            mdf_requests: vec![
                MdfRequest {
                    request_id: "m1".into(),
                    partner_id: "A".into(),
                    submitted_date: d("2026-07-10"),
                    status: None,
                    amount_requested: None,
                    amount_approved: None,
                    amount_spent: Some(dec("6000")),
                    first_spend_date: None,
                    attributed_revenue: Some(dec("30000")),
                },
                MdfRequest {
                    request_id: "m2".into(),
                    partner_id: "A".into(),
                    submitted_date: d("2026-08-10"),
                    status: None,
                    amount_requested: None,
                    amount_approved: None,
                    amount_spent: None,
                    first_spend_date: None,
                    attributed_revenue: None,
                },
            ],
            csat_responses: vec![survey("4", "2026-07-01"), survey("5", "2026-08-01"), survey("1", "2026-01-01")],
            nps_responses: vec![
                survey("10", "2026-07-01"),
                survey("9", "2026-07-02"),
                survey("7", "2026-07-03"),
                survey("3", "2026-07-04"),
            ],
            implementations: vec![
                Implementation {
                    partner_id: "A".into(),
                    customer_name: None,
                    contract_date: d("2026-05-01"),
                    go_live_date: Some(d("2026-07-10")),
                },
                Implementation { partner_id: "A".into(), customer_name: None, contract_date: d("2026-06-01"), go_live_date: None },
            ],
            support_tickets: vec![
                SupportTicket {
                    ticket_id: "t1".into(),
                    partner_id: "A".into(),
                    customer_name: None,
                    opened_date: d("2026-07-01"),
                    first_call_resolved: Some(true),
                    escalated: Some(false),
                },
                SupportTicket {
                    ticket_id: "t2".into(),
                    partner_id: "A".into(),
                    customer_name: None,
                    opened_date: d("2026-07-02"),
                    first_call_resolved: Some(false),
                    escalated: Some(true),
                },
                SupportTicket {
                    ticket_id: "t3".into(),
                    partner_id: "A".into(),
                    customer_name: None,
                    opened_date: d("2026-07-03"),
                    first_call_resolved: None,
                    escalated: Some(false),
                },
            ],
            pos_lines: vec![],
            partner_costs: vec![
                PartnerCost { partner_id: "A".into(), period: "FY2026-Q3".parse().unwrap(), cost_type: "mdf".into(), amount: dec("150") },
                PartnerCost { partner_id: "A".into(), period: "FY2026-Q3".parse().unwrap(), cost_type: "rebate".into(), amount: dec("50") },
            ],
        }
    }

    #[test]
    fn every_non_opportunity_metric_worked_by_hand() {
        let data = data();
        let index = Index::new(&data);
        let cal = FiscalCalendar::new(1).unwrap();
        let rows = partner_metrics(
            &cal,
            &index,
            &["A".into(), "B".into()],
            "FY2026-Q3".parse().unwrap(),
            d("2026-09-30"),
            MetricSettings::default(),
        );
        let a = &rows[0];
        let cases: &[(&str, Option<&str>)] = &[
            ("dealreg_submitted", Some("5")),
            ("dealreg_approved", Some("3")),
            ("dealreg_won", Some("3")),
            ("approval_rate_pct", Some("60")),
            ("dealreg_win_rate_pct", Some("60")),
            ("training_rate_pct", Some("33.333333333333333333333333330")),
            ("active_certifications", Some("2")),
            ("portal_logins_per_month", Some("3")),
            ("portal_activity_pct", Some("75")),
            ("events_attended", Some("1")),
            ("mdf_allocated", Some("10000")),
            ("mdf_spent", Some("6000")),
            ("mdf_utilization_pct", Some("60")),
            ("mdf_roi", Some("5")),
            ("csat", Some("4.5")),
            ("nps", Some("25")),
            ("implementation_days", Some("70")),
            ("fcr_rate_pct", Some("50")),
            ("escalation_rate_pct", Some("33.333333333333333333333333330")),
            ("partner_cost", Some("200")),
            ("partner_margin", Some("800")),
        ];
        for (metric, want) in cases {
            assert_eq!(a.get(metric).map(|v| v.round_dp(20)), want.map(|w| dec(w).round_dp(20)), "{metric}");
        }
        // (24 h + 12 h + 24 h) / 3
        assert_eq!(a.get("time_to_approval_hours"), Some(dec("20")));

        let b = &rows[1];
        for metric in [
            "approval_rate_pct",
            "training_rate_pct",
            "portal_activity_pct",
            "mdf_allocated",
            "mdf_utilization_pct",
            "mdf_roi",
            "csat",
            "nps",
            "implementation_days",
            "fcr_rate_pct",
            "partner_cost",
            "partner_margin",
            "health_score",
            "time_to_approval_hours",
        ] {
            assert_eq!(b.get(metric), None, "{metric} is null for a partner with no data");
        }
        for metric in ["dealreg_submitted", "active_certifications", "events_attended", "mdf_spent", "revenue"] {
            assert_eq!(b.get(metric), Some(Decimal::ZERO), "{metric} counts zero");
        }
        assert_eq!(b.health.level, "Insufficient data");
    }

    #[test]
    fn expiring_certifications_within_the_window() {
        let data = data();
        let index = Index::new(&data);
        let soon = expiring_certifications(&index, "A", d("2026-09-30"), 90);
        assert_eq!(soon.iter().map(|(c, _, _)| c.as_str()).collect::<Vec<_>>(), vec!["c3"]);
    }

    /// The merge of sorted opportunities and links (the store's order) gives what the
    /// map over unsorted ones gives: the last of several opportunities with one id,
    /// links to unknown opportunities left out, every won version for trailing revenue.
    #[test]
    fn sorted_and_unsorted_datasets_index_alike() {
        let opp = |id: &str, stage: Stage, amount: &str, close: &str| Opportunity {
            opportunity_id: id.into(),
            stage,
            amount: dec(amount),
            amount_original: dec(amount),
            close_date: d(close),
            created_date: Some(d("2026-01-05")),
            deal_registration_id: None,
            ..won_opportunity()
        };
        let link = |id: &str, partner: &str, role: PartnerRole, split: &str| OpportunityPartner {
            opportunity_id: id.into(),
            partner_id: partner.into(),
            role,
            split: dec(split),
        };
        let sorted = Dataset {
            opportunities: vec![
                opp("crm:1", Stage::ClosedWon, "100", "2026-02-10"),
                opp("crm:2", Stage::Negotiation, "200", "2026-03-10"),
                opp("crm:2", Stage::ClosedWon, "250", "2026-05-10"),
                opp("crm:3", Stage::ClosedLost, "300", "2026-02-20"),
                opp("crm:4", Stage::ClosedWon, "400", "2025-11-20"),
                opp("crm:4", Stage::ClosedWon, "450", "2026-04-20"),
                opp("crm:6", Stage::ClosedWon, "600", "2026-06-01"),
            ],
            links: vec![
                link("crm:0", "A", PartnerRole::Sourced, "1"),
                link("crm:1", "A", PartnerRole::Sourced, "0.6"),
                link("crm:1", "B", PartnerRole::Influenced, "0.4"),
                link("crm:2", "A", PartnerRole::Sourced, "1"),
                link("crm:3", "B", PartnerRole::Sourced, "1"),
                link("crm:4", "A", PartnerRole::Influenced, "0.5"),
                link("crm:4", "B", PartnerRole::Sourced, "0.5"),
                link("crm:5", "B", PartnerRole::Sourced, "1"),
                link("crm:6", "B", PartnerRole::Sourced, "1"),
            ],
            ..Dataset::default()
        };
        // Links reversed and one opportunity moved (versions of one id keep their order).
        let mut unsorted = sorted.clone();
        unsorted.links.reverse();
        let first = unsorted.opportunities.remove(0);
        unsorted.opportunities.push(first);
        assert!(links_with_opportunities(&sorted.opportunities, &sorted.links).is_some());
        assert!(links_with_opportunities(&unsorted.opportunities, &unsorted.links).is_none());

        let cal = FiscalCalendar::new(1).unwrap();
        let ids = vec!["A".to_string(), "B".to_string()];
        for period in [FiscalPeriod { year: 2026, quarter: 1 }, FiscalPeriod { year: 2026, quarter: 2 }] {
            let as_of = cal.end(period);
            let kpis = |data: &Dataset| {
                let mut rows = kpis_of(&cal, &OpportunityIndex::new(&data.opportunities, &data.links, &data.targets), &ids, period, as_of);
                rows.iter_mut().for_each(|r| r.sales_cycle_days = r.sales_cycle_days.map(|d| d.round_dp(9)));
                rows
            };
            assert_eq!(kpis(&sorted), kpis(&unsorted), "{period}");
            let t4q = |data: &Dataset| Index::new(data).trailing_revenue(&cal, period);
            assert_eq!(t4q(&sorted), t4q(&unsorted), "{period}");
            assert_eq!(t4q(&sorted), crate::trailing_revenue(&cal, &sorted, period), "{period}");
        }
        // The last version of crm:2 (won, 250) counts; crm:0 and crm:5 are unknown.
        let q2 = FiscalPeriod { year: 2026, quarter: 2 };
        let rows = kpis_of(&cal, &OpportunityIndex::new(&sorted.opportunities, &sorted.links, &[]), &ids, q2, cal.end(q2));
        assert_eq!(rows[0].revenue, dec("475"));
        assert_eq!(rows[1].revenue, dec("825"));
    }

    #[test]
    fn scorecards_of_a_period_asked_twice_are_its_rows_twice_in_the_order_asked() {
        let partner = |id: &str| watershed_model::Partner::new(id, id);
        let opp = |id: &str, close: &str| Opportunity { opportunity_id: id.into(), close_date: d(close), ..won_opportunity() };
        let link = |id: &str, partner: &str| OpportunityPartner {
            opportunity_id: id.into(),
            partner_id: partner.into(),
            role: PartnerRole::Sourced,
            split: Decimal::ONE,
        };
        let data = Dataset {
            partners: vec![partner("A"), partner("B")],
            opportunities: vec![opp("crm:1", "2026-02-10"), opp("crm:2", "2026-05-10")],
            links: vec![link("crm:1", "A"), link("crm:2", "B")],
            ..Dataset::default()
        };
        let cal = FiscalCalendar::new(1).unwrap();
        let (q1, q2) = (FiscalPeriod { year: 2026, quarter: 1 }, FiscalPeriod { year: 2026, quarter: 2 });
        let settings = crate::scorecard::ScorecardSettings {
            metrics: MetricSettings::default(),
            tiers: Vec::new(),
            alerts: crate::alerts::AlertSettings::default(),
        };
        let cards = |periods: &[FiscalPeriod]| crate::scorecard::scorecards(&cal, &data, periods, d("2026-11-22"), None, &settings).rows;
        let (one, two) = (cards(&[q1]), cards(&[q2]));
        assert_eq!(one.len(), 2);
        assert!(one.iter().all(|r| r.period == q1) && two.iter().all(|r| r.period == q2));
        let asked = cards(&[q2, q1, q2]);
        let expected: Vec<MetricRow> = two.iter().chain(&one).chain(&two).cloned().collect();
        assert_eq!(asked, expected);
    }
}
