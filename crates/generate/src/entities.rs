//! The other entities (`inbox/<entity>/<entity>.csv`): targets, deal registrations,
//! enablement, engagement, MDF, satisfaction, delivery, costs and distributor sell-out.

use std::path::Path;

use crate::GenerateError;
use crate::csvout::{Cells, CsvOut, Enc};
use crate::deals::{Deal, NONE};
use crate::fmt::{
    DateFmt, NOW, QUARTERS, between, days_from_civil, normal, pick_cumulative, push_date, push_datetime, push_month, push_num, push_plain,
    push_sf_id, quarter_name, quarter_of, quarter_start, sub_rng, uniform,
};
use crate::master::{Master, Partner, day_between};
use crate::words::{CERTIFICATIONS, COURSES, FIRST_NAMES, LAST_NAMES, LOST, PRODUCTS, REGIONS, WON};

const SALT_ENTITY: u64 = 1_000;
const SALT_PEOPLE: u64 = 2_000;

/// Every entity file, in writing order (the source name equals the entity name).
pub(crate) const ENTITIES: [&str; 14] = [
    "targets",
    "deal_registrations",
    "trainings",
    "certifications",
    "portal_activity",
    "events",
    "mdf_allocations",
    "mdf_requests",
    "csat_responses",
    "nps_responses",
    "implementations",
    "support_tickets",
    "partner_costs",
    "pos_lines",
];

/// Per partner and quarter: credited amounts in USD cents.
pub(crate) struct Aggregates {
    /// Σ credited amount of every deal closing in the quarter (any stage).
    pub expected: Vec<[i64; QUARTERS]>,
    /// Σ credited amount of won deals closing in the quarter.
    pub won: Vec<[i64; QUARTERS]>,
}

/// Sums deal amounts per partner and quarter.
pub(crate) fn aggregate(m: &Master, deals: &[Deal]) -> Aggregates {
    let mut expected = vec![[0i64; QUARTERS]; m.partners.len()];
    let mut won = vec![[0i64; QUARTERS]; m.partners.len()];
    for d in deals {
        let Some(q) = quarter_of(d.close) else { continue };
        let usd = m.fx.to_usd(d.amount, d.currency, d.close);
        let half = d.influenced_split_half();
        let links = std::iter::once((d.sourced, usd))
            .chain(d.influenced.iter().filter(|&&p| p != NONE).map(|&p| (p, if half { usd / 2 } else { usd })));
        for (p, credit) in links {
            expected[p as usize][q] += credit;
            if d.stage == WON {
                won[p as usize][q] += credit;
            }
        }
    }
    Aggregates { expected, won }
}

/// An entity file being written.
struct Out {
    out: CsvOut,
    cells: Cells,
}

impl Out {
    fn create(dir: &Path, entity: &str, header: &[&str]) -> Result<Self, GenerateError> {
        let rel = format!("inbox/{entity}/{entity}.csv");
        let mut out = CsvOut::create(dir, &rel, ',', false, Enc::Utf8)?;
        out.record(header)?;
        Ok(Self { out, cells: Cells::new(header.len()) })
    }

    fn row(&mut self) -> &mut Cells {
        self.cells.clear();
        &mut self.cells
    }

    fn emit(&mut self) -> Result<(), GenerateError> {
        self.out.record(self.cells.as_slice())?;
        Ok(())
    }

    fn finish(self) -> Result<(), GenerateError> {
        self.out.finish()
    }
}

fn date(s: &mut String, day: i32) {
    push_date(s, day, DateFmt::Iso);
}

fn num(s: &mut String, n: u64) {
    push_num(s, n, 1);
}

fn round_cents(x: f64, unit_cents: i64) -> i64 {
    ((x / unit_cents as f64).round() as i64) * unit_cents
}

/// Last day of program quarter `q` that is not after "now" (yesterday at the latest).
fn quarter_last(q: usize) -> i32 {
    (quarter_start(q + 1) - 1).min(NOW - 1)
}

fn person_names(seed: u64, p: usize, partner: &Partner) -> Vec<String> {
    let mut rng = sub_rng(seed, SALT_PEOPLE, p as u64);
    let count = match partner.tier {
        0 => rng.usize(8..=15),
        1 => rng.usize(4..=9),
        _ => rng.usize(2..=5),
    };
    let mut names: Vec<String> = Vec::with_capacity(count);
    while names.len() < count {
        let name = format!("{} {}", FIRST_NAMES[rng.usize(0..FIRST_NAMES.len())], LAST_NAMES[rng.usize(0..LAST_NAMES.len())]);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn customer_of<'a>(m: &'a Master, partner: &Partner, rng: &mut fastrand::Rng) -> &'a str {
    let pool = &m.by_region[partner.region];
    let idx = if pool.is_empty() { rng.usize(0..m.customers.len().max(1)) } else { pool[rng.usize(0..pool.len())] as usize };
    m.customers.get(idx).map_or("", |c| c.name.as_str())
}

/// Writes every entity file; returns their relative paths.
pub(crate) fn write_entities(dir: &Path, seed: u64, m: &Master, deals: &[Deal]) -> Result<Vec<String>, GenerateError> {
    let agg = aggregate(m, deals);
    let people: Vec<Vec<String>> = m.partners.iter().enumerate().map(|(i, p)| person_names(seed, i, p)).collect();
    let rng_for = |k: usize| sub_rng(seed, SALT_ENTITY, k as u64);

    targets(dir, m, &agg, &mut rng_for(0))?;
    deal_registrations(dir, m, deals, &mut rng_for(1))?;
    trainings(dir, m, &people, &mut rng_for(2))?;
    certifications(dir, m, &people, &mut rng_for(3))?;
    portal_activity(dir, m, &mut rng_for(4))?;
    events(dir, m, &mut rng_for(5))?;
    let allocations = mdf_allocations(dir, m, &mut rng_for(6))?;
    let spent = mdf_requests(dir, m, &allocations, &mut rng_for(7))?;
    csat(dir, m, &mut rng_for(8))?;
    nps(dir, m, &mut rng_for(9))?;
    implementations(dir, m, &mut rng_for(10))?;
    support_tickets(dir, m, &mut rng_for(11))?;
    partner_costs(dir, m, &agg, &spent, &mut rng_for(12))?;
    pos_lines(dir, m, &mut rng_for(13))?;
    Ok(ENTITIES.iter().map(|e| format!("inbox/{e}/{e}.csv")).collect())
}

fn targets(dir: &Path, m: &Master, agg: &Aggregates, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "targets", &["partner_id", "period", "amount"])?;
    for (pi, p) in m.partners.iter().enumerate() {
        for q in 0..QUARTERS {
            let expected = agg.expected[pi][q] as f64 * 0.55;
            let amount = round_cents(expected * uniform(rng, 0.8, 1.3), 100_000).max(2_500_000);
            let c = w.row();
            c.set(0, &p.id);
            c.set(1, &quarter_name(q));
            push_plain(c.at(2), amount);
            w.emit()?;
        }
    }
    w.finish()
}

const REJECTION_REASONS: &[&str] = &[
    "Duplicate registration",
    "Customer already engaged with direct sales",
    "Incomplete information",
    "Outside partner territory",
    "Existing opportunity registered by another partner",
];

fn deal_registrations(dir: &Path, m: &Master, deals: &[Deal], rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(
        dir,
        "deal_registrations",
        &["registration_id", "partner_id", "customer_name", "submitted_at", "status", "approved_at", "rejection_reason", "opportunity_id"],
    )?;
    let mut last = 0u32;
    for (i, d) in deals.iter().enumerate() {
        if d.dr == 0 {
            continue;
        }
        last = last.max(d.dr);
        let submitted = (d.created + rng.i32(0..=5)).min(NOW - 1);
        let secs = rng.u32(8 * 3600..18 * 3600);
        let status = match d.stage {
            WON => "won",
            LOST => "lost",
            _ if submitted >= NOW - 5 && rng.bool() => "submitted",
            _ => "approved",
        };
        let c = w.row();
        push_reg_id(c.at(0), d.dr);
        c.set(1, &m.partners[d.sourced as usize].id);
        c.set(2, &m.customers[d.customer as usize].name);
        push_datetime(c.at(3), submitted, secs);
        c.set(4, status);
        if status != "submitted" {
            push_later(c.at(5), submitted, secs, rng.u32(2..=120));
        }
        push_sf_id(c.at(7), i as u64);
        w.emit()?;
    }
    let extras = (f64::from(last) * 0.35).round() as u32;
    for k in 1..=extras {
        let pi = pick_cumulative(rng, &m.pcum);
        let p = &m.partners[pi];
        let submitted = day_between(rng, crate::fmt::PROGRAM_START - 30, NOW - 1);
        let secs = rng.u32(8 * 3600..18 * 3600);
        let r = rng.f64();
        let status = if submitted >= NOW - 30 && r < 0.5 {
            "submitted"
        } else if r < 0.5 {
            "rejected"
        } else if r < 0.8 {
            "expired"
        } else {
            "approved"
        };
        let customer = customer_of(m, p, rng);
        let c = w.row();
        push_reg_id(c.at(0), last + k);
        c.set(1, &p.id);
        c.set(2, customer);
        push_datetime(c.at(3), submitted, secs);
        c.set(4, status);
        if status == "expired" || status == "approved" {
            push_later(c.at(5), submitted, secs, rng.u32(2..=120));
        }
        if status == "rejected" {
            c.set(6, REJECTION_REASONS[rng.usize(0..REJECTION_REASONS.len())]);
        }
        w.emit()?;
    }
    w.finish()
}

fn push_reg_id(s: &mut String, n: u32) {
    s.push_str("DR-");
    push_num(s, u64::from(n), 6);
}

fn push_later(s: &mut String, day: i32, secs: u32, hours: u32) {
    let total = i64::from(day) * 86_400 + i64::from(secs) + i64::from(hours) * 3_600;
    push_datetime(s, total.div_euclid(86_400) as i32, total.rem_euclid(86_400) as u32);
}

fn trainings(dir: &Path, m: &Master, people: &[Vec<String>], rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "trainings", &["partner_id", "person", "course", "assigned_date", "completed_date"])?;
    let first = days_from_civil(2024, 10, 1);
    for (pi, p) in m.partners.iter().enumerate() {
        let completion = 0.45 + 0.5 * p.engagement;
        for person in &people[pi] {
            let count = rng.usize(1..=4);
            let start = rng.usize(0..COURSES.len());
            for k in 0..count {
                let assigned = day_between(rng, first, NOW - 1);
                let c = w.row();
                c.set(0, &p.id);
                c.set(1, person);
                c.set(2, COURSES[(start + k * 3) % COURSES.len()]);
                date(c.at(3), assigned);
                let done = assigned + rng.i32(3..=60);
                if rng.f64() < completion && done < NOW {
                    date(c.at(4), done);
                }
                w.emit()?;
            }
        }
    }
    w.finish()
}

fn certifications(dir: &Path, m: &Master, people: &[Vec<String>], rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "certifications", &["partner_id", "person", "certification", "level", "issued_date", "expires_date"])?;
    let first = days_from_civil(2023, 1, 1);
    for (pi, p) in m.partners.iter().enumerate() {
        for (k, person) in people[pi].iter().enumerate() {
            let holds = if rng.f64() < 0.3 + 0.5 * p.engagement { rng.usize(1..=2) } else { 0 };
            let expiring_soon = pi % 3 == 0 && k == 0;
            let count = if expiring_soon { holds.max(1) } else { holds };
            for j in 0..count {
                let r = rng.f64();
                let (level, years) = if r < 0.5 {
                    ("Associate", 2)
                } else if r < 0.85 {
                    ("Professional", 2)
                } else {
                    ("Expert", 3)
                };
                let (issued, expires) = if expiring_soon && j == 0 {
                    let expires = NOW + rng.i32(5..=85);
                    (expires - 365 * years, Some(expires))
                } else {
                    let issued = day_between(rng, first, NOW - 1);
                    let none = level == "Associate" && rng.f64() < 0.2;
                    (issued, if none { None } else { Some(issued + 365 * years) })
                };
                let c = w.row();
                c.set(0, &p.id);
                c.set(1, person);
                c.set(2, CERTIFICATIONS[(pi + k + j) % CERTIFICATIONS.len()]);
                c.set(3, level);
                date(c.at(4), issued);
                if let Some(e) = expires {
                    date(c.at(5), e);
                }
                w.emit()?;
            }
        }
    }
    w.finish()
}

/// First days of the months 2025-01 … 2026-11 (the months with activity up to "now").
fn activity_months() -> Vec<i32> {
    (0..23).map(|i| days_from_civil(2025 + i / 12, 1 + (i % 12) as u32, 1)).collect()
}

fn portal_activity(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "portal_activity", &["partner_id", "month", "logins", "sessions", "minutes"])?;
    let months = activity_months();
    for p in &m.partners {
        let level = 0.5 + 8.0 * p.engagement;
        for &month in &months {
            let logins = (level * uniform(rng, 0.5, 1.5)).round() as u64;
            let sessions = logins + rng.u64(0..=logins);
            let minutes = sessions * rng.u64(4..=25);
            let c = w.row();
            c.set(0, &p.id);
            push_month(c.at(1), month);
            num(c.at(2), logins);
            num(c.at(3), sessions);
            num(c.at(4), minutes);
            w.emit()?;
        }
    }
    w.finish()
}

const CAMPAIGNS: &[&str] = &["Cloud Migration", "Zero Trust Security", "Data-Driven Retail", "Modern Workplace", "API Economy"];

fn events(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "events", &["partner_id", "event", "kind", "date"])?;
    let mut name = String::new();
    for p in &m.partners {
        for q in 0..QUARTERS {
            let count = (p.engagement * 3.0 * uniform(rng, 0.5, 1.6)).round() as usize;
            for _ in 0..count.max(usize::from(q % 2 == 0)) {
                let mut day = day_between(rng, quarter_start(q), quarter_last(q));
                let year = 2025 + q / 4;
                let product = PRODUCTS[rng.usize(0..PRODUCTS.len())].name;
                name.clear();
                let r = rng.f64();
                let kind = if q % 4 == 1 && r < 0.15 {
                    day = days_from_civil(year as i32, 5, 13);
                    name.push_str(&format!("Partner Summit {year}"));
                    "conference"
                } else if r < 0.55 {
                    let mut month = String::new();
                    push_month(&mut month, day);
                    name.push_str(&format!("{product} Webinar {month}"));
                    "webinar"
                } else if r < 0.8 {
                    name.push_str(&format!("{product} Bootcamp {}", quarter_name(q)));
                    "training"
                } else {
                    let theme = CAMPAIGNS[rng.usize(0..CAMPAIGNS.len())];
                    name.push_str(&format!("Joint Campaign: {theme} ({})", REGIONS[p.region]));
                    "marketing"
                };
                let c = w.row();
                c.set(0, &p.id);
                c.set(1, &name);
                c.set(2, kind);
                date(c.at(3), day);
                w.emit()?;
            }
        }
    }
    w.finish()
}

fn mdf_allocations(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<Vec<[i64; QUARTERS]>, GenerateError> {
    let mut w = Out::create(dir, "mdf_allocations", &["partner_id", "period", "amount"])?;
    let mut all = Vec::with_capacity(m.partners.len());
    for p in &m.partners {
        let (lo, hi) = match p.tier {
            0 => (40_000.0, 80_000.0),
            1 => (15_000.0, 40_000.0),
            _ => (3_000.0, 12_000.0),
        };
        let mut per = [0i64; QUARTERS];
        for (q, slot) in per.iter_mut().enumerate() {
            let amount = round_cents(uniform(rng, lo, hi) * 100.0, 50_000);
            *slot = amount;
            let c = w.row();
            c.set(0, &p.id);
            c.set(1, &quarter_name(q));
            push_plain(c.at(2), amount);
            w.emit()?;
        }
        all.push(per);
    }
    w.finish()?;
    Ok(all)
}

fn mdf_requests(
    dir: &Path,
    m: &Master,
    allocations: &[[i64; QUARTERS]],
    rng: &mut fastrand::Rng,
) -> Result<Vec<[i64; QUARTERS]>, GenerateError> {
    let mut w = Out::create(
        dir,
        "mdf_requests",
        &[
            "request_id",
            "partner_id",
            "submitted_date",
            "status",
            "amount_requested",
            "amount_approved",
            "amount_spent",
            "first_spend_date",
            "attributed_revenue",
        ],
    )?;
    let mut spent_all = Vec::with_capacity(m.partners.len());
    let mut id = 0u64;
    for (pi, p) in m.partners.iter().enumerate() {
        let mut spent_q = [0i64; QUARTERS];
        for q in 0..QUARTERS {
            let count = if p.tier == 2 { rng.usize(1..=2) } else { rng.usize(1..=3) };
            for _ in 0..count {
                id += 1;
                let submitted = day_between(rng, quarter_start(q), quarter_last(q));
                let requested = round_cents(allocations[pi][q] as f64 * uniform(rng, 0.2, 0.6), 10_000).max(50_000);
                let r = rng.f64();
                let status = if submitted >= NOW - 20 {
                    "submitted"
                } else if r < 0.12 {
                    "rejected"
                } else if r < 0.3 {
                    "approved"
                } else {
                    "completed"
                };
                let approved = match status {
                    "approved" | "completed" => round_cents(requested as f64 * uniform(rng, 0.7, 1.0), 100),
                    _ => 0,
                };
                let spent = match status {
                    "completed" => round_cents(approved as f64 * uniform(rng, 0.6, 1.0), 100),
                    "approved" => round_cents(approved as f64 * uniform(rng, 0.0, 0.5), 100),
                    _ => 0,
                };
                spent_q[q] += spent;
                let c = w.row();
                let s = c.at(0);
                s.push_str("MDF-");
                push_num(s, id, 6);
                c.set(1, &p.id);
                date(c.at(2), submitted);
                c.set(3, status);
                push_plain(c.at(4), requested);
                if status != "submitted" {
                    push_plain(c.at(5), approved);
                    push_plain(c.at(6), spent);
                }
                if spent > 0 {
                    date(c.at(7), (submitted + rng.i32(10..=45)).min(NOW - 1));
                    let revenue = if status == "completed" { round_cents(spent as f64 * uniform(rng, 1.5, 12.0), 100) } else { 0 };
                    push_plain(c.at(8), revenue);
                } else if status != "submitted" {
                    push_plain(c.at(8), 0);
                }
                w.emit()?;
            }
        }
        spent_all.push(spent_q);
    }
    w.finish()?;
    Ok(spent_all)
}

fn csat(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "csat_responses", &["partner_id", "customer_name", "score", "date"])?;
    for p in &m.partners {
        let mean = 3.0 + 1.8 * p.satisfaction;
        for q in 0..QUARTERS {
            for _ in 0..rng.usize(1..=6) {
                let score = (mean + 0.8 * normal(rng)).round().clamp(1.0, 5.0) as u64;
                let customer = customer_of(m, p, rng);
                let c = w.row();
                c.set(0, &p.id);
                c.set(1, customer);
                num(c.at(2), score);
                date(c.at(3), day_between(rng, quarter_start(q), quarter_last(q)));
                w.emit()?;
            }
        }
    }
    w.finish()
}

fn nps(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "nps_responses", &["partner_id", "customer_name", "score", "date"])?;
    for p in &m.partners {
        let mean = 5.5 + 4.0 * p.satisfaction;
        for q in 0..QUARTERS {
            for _ in 0..rng.usize(2..=8) {
                let score = (mean + 1.8 * normal(rng)).round().clamp(0.0, 10.0) as u64;
                let customer = customer_of(m, p, rng);
                let c = w.row();
                c.set(0, &p.id);
                c.set(1, customer);
                num(c.at(2), score);
                date(c.at(3), day_between(rng, quarter_start(q), quarter_last(q)));
                w.emit()?;
            }
        }
    }
    w.finish()
}

fn implementations(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "implementations", &["partner_id", "customer_name", "contract_date", "go_live_date"])?;
    for p in &m.partners {
        if p.ptype == "referral" {
            continue;
        }
        let speed = uniform(rng, 0.6, 1.4);
        let (lo, hi) = if p.ptype.ends_with("_si") { (1, 3) } else { (0, 2) };
        for q in 0..QUARTERS {
            for _ in 0..rng.usize(lo..=hi) {
                let go_live = day_between(rng, quarter_start(q), quarter_last(q));
                let days = (uniform(rng, 30.0, 240.0) * speed) as i32;
                let customer = customer_of(m, p, rng);
                let c = w.row();
                c.set(0, &p.id);
                c.set(1, customer);
                date(c.at(2), go_live - days);
                date(c.at(3), go_live);
                w.emit()?;
            }
        }
        if rng.f64() < 0.4 {
            let customer = customer_of(m, p, rng);
            let c = w.row();
            c.set(0, &p.id);
            c.set(1, customer);
            date(c.at(2), NOW - rng.i32(5..=90));
            w.emit()?;
        }
    }
    w.finish()
}

fn support_tickets(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(
        dir,
        "support_tickets",
        &["ticket_id", "partner_id", "customer_name", "opened_date", "first_call_resolved", "escalated"],
    )?;
    let mut id = 0u64;
    for p in &m.partners {
        let fcr = 0.5 + 0.4 * p.satisfaction;
        let esc = 0.22 - 0.15 * p.satisfaction;
        for q in 0..QUARTERS {
            for _ in 0..rng.usize(2..=10) {
                id += 1;
                let customer = customer_of(m, p, rng);
                let c = w.row();
                let s = c.at(0);
                s.push_str("TCK-");
                push_num(s, id, 7);
                c.set(1, &p.id);
                c.set(2, customer);
                date(c.at(3), day_between(rng, quarter_start(q), quarter_last(q)));
                c.set(4, if rng.f64() < fcr { "true" } else { "false" });
                c.set(5, if rng.f64() < esc { "true" } else { "false" });
                w.emit()?;
            }
        }
    }
    w.finish()
}

fn partner_costs(
    dir: &Path,
    m: &Master,
    agg: &Aggregates,
    spent: &[[i64; QUARTERS]],
    rng: &mut fastrand::Rng,
) -> Result<(), GenerateError> {
    let mut w = Out::create(dir, "partner_costs", &["partner_id", "period", "cost_type", "amount"])?;
    for (pi, p) in m.partners.iter().enumerate() {
        for (q, &mdf) in spent[pi].iter().enumerate() {
            let won = agg.won[pi][q] as f64;
            let costs = [
                ("mdf", mdf),
                ("rebate", round_cents(won * uniform(rng, 0.01, 0.04), 1)),
                ("discount", round_cents(won * uniform(rng, 0.02, 0.06), 1)),
                ("enablement", round_cents(uniform(rng, 1_000.0, 5_000.0) * 100.0, 100)),
                ("other", if rng.f64() < 0.3 { round_cents(uniform(rng, 200.0, 2_000.0) * 100.0, 100) } else { 0 }),
            ];
            for (kind, amount) in costs {
                if amount <= 0 {
                    continue;
                }
                let c = w.row();
                c.set(0, &p.id);
                c.set(1, &quarter_name(q));
                c.set(2, kind);
                push_plain(c.at(3), amount);
                w.emit()?;
            }
        }
    }
    w.finish()
}

fn pos_lines(dir: &Path, m: &Master, rng: &mut fastrand::Rng) -> Result<(), GenerateError> {
    let mut w = Out::create(
        dir,
        "pos_lines",
        &["distributor", "partner_id", "end_customer", "product_id", "quantity", "unit_price", "amount", "currency", "invoice_date"],
    )?;
    let resellers: Vec<usize> = (0..m.partners.len()).filter(|&i| m.partners[i].ptype == "reseller").collect();
    let months = activity_months();
    for d in m.partners.iter().filter(|p| p.ptype == "distributor") {
        let local: Vec<usize> = resellers.iter().copied().filter(|&r| m.partners[r].region == d.region).collect();
        let pool = if local.is_empty() { &resellers } else { &local };
        if pool.is_empty() {
            continue;
        }
        let lines = match d.tier {
            0 => (8, 14),
            1 => (5, 10),
            _ => (3, 6),
        };
        for &month in &months {
            let next = crate::fmt::civil_from_days(month);
            let month_end = if next.1 == 12 { days_from_civil(next.0 + 1, 1, 1) } else { days_from_civil(next.0, next.1 + 1, 1) } - 1;
            for _ in 0..rng.usize(lines.0..=lines.1) {
                let reseller = &m.partners[pool[rng.usize(0..pool.len())]];
                let product = &PRODUCTS[rng.usize(0..PRODUCTS.len())];
                let quantity = between(rng, 1, 40);
                let unit = round_cents(product.unit_price as f64 * uniform(rng, 0.9, 1.1), 1);
                let customer = customer_of(m, reseller, rng);
                let c = w.row();
                c.set(0, &d.id);
                c.set(1, &reseller.id);
                c.set(2, customer);
                c.set(3, product.id);
                num(c.at(4), quantity as u64);
                push_plain(c.at(5), unit);
                push_plain(c.at(6), unit * quantity);
                c.set(7, "USD");
                date(c.at(8), day_between(rng, month, month_end.min(NOW - 1)));
                w.emit()?;
            }
        }
    }
    w.finish()
}
