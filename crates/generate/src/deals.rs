//! The deals (ground truth) and which sources report them.

use crate::fmt::{CRM_EXPORT, NOW, QUARTERS, cumulative, days_from_civil, normal, pick_cumulative, quarter_start, sub_rng, uniform};
use crate::master::{EUR, GBP, Master, USD};
use crate::words::{COUNTRIES, LOST, PRODUCTS, WON};

const SALT_DEALS: u64 = 10;
const SALT_HOMES: u64 = 11;
const SALT_SIBLINGS: u64 = 12;

/// Share of deals followed by a sibling: another deal of the same partner and customer
/// in the same quarter (another product, or an add-on of the same product) — the case
/// a matcher must not merge.
const SIBLING_SHARE: f64 = 0.04;

/// No partner.
pub(crate) const NONE: u32 = u32::MAX;
/// Number of partners that send their own files (partner indexes 0..5).
pub(crate) const FILE_PARTNERS: usize = 5;

/// Which source reports a deal first (and therefore survives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Home {
    /// In the CRM export (possibly re-reported elsewhere).
    Crm,
    /// Only in the channel managers' sheet.
    Sheet,
    /// Only in its sourced partner's own file.
    PartnerFile,
}

/// One deal of the truth, with its final values.
#[derive(Clone, Debug)]
pub(crate) struct Deal {
    /// Final amount in cents of `currency`.
    pub amount: i64,
    /// Amount in the first CRM export (differs for re-listed deals).
    pub init_amount: i64,
    pub created: i32,
    pub close: i32,
    pub customer: u32,
    pub sourced: u32,
    /// Influenced partners ([`NONE`] when absent).
    pub influenced: [u32; 2],
    /// Deal registration number (0 = none).
    pub dr: u32,
    /// Ref number in the sheet (0 = not in the sheet).
    pub sheet_ref: u32,
    /// Deal number in the partner's file (0 = not in a partner file).
    pub pfile_ref: u32,
    pub product: u8,
    pub currency: u8,
    pub stage: u8,
    /// Stage in the first CRM export.
    pub init_stage: u8,
    pub home: Home,
    /// Re-reported in the sheet (CRM deals only).
    pub in_sheet: bool,
    /// Re-reported in the sourced partner's file (CRM deals only).
    pub in_pfile: bool,
    /// Re-listed in the CRM delta export.
    pub in_delta: bool,
}

impl Deal {
    /// Number of influenced partners.
    pub(crate) fn influenced_count(&self) -> usize {
        self.influenced.iter().filter(|&&p| p != NONE).count()
    }

    /// Split of each influenced partner.
    pub(crate) fn influenced_split_half(&self) -> bool {
        self.influenced_count() == 2
    }
}

fn round_to(cents: i64, unit_cents: i64) -> i64 {
    ((cents + unit_cents / 2) / unit_cents) * unit_cents
}

/// Draws `n` deals and decides which sources report them.
pub(crate) fn generate(seed: u64, m: &Master, n: usize) -> Vec<Deal> {
    let mut rng = sub_rng(seed, SALT_DEALS, 0);
    let product_cum = cumulative(PRODUCTS.iter().map(|p| p.weight));
    let all_customers = m.customers.len();
    let tier_size = [1.3, 1.0, 0.8];
    let mut deals = Vec::with_capacity(n);
    let mut sibling_rng = sub_rng(seed, SALT_SIBLINGS, 0);
    while deals.len() < n {
        let sourced = pick_cumulative(&mut rng, &m.pcum);
        let p = &m.partners[sourced];
        let q = pick_cumulative(&mut rng, &p.qcum).min(QUARTERS - 1);
        let (q0, q1) = (quarter_start(q), quarter_start(q + 1));
        let close = q0 + rng.i32(0..q1 - q0);
        let r = rng.f64();
        let pool: Option<&Vec<u32>> = if r < p.home_share {
            Some(&m.by_country[p.home])
        } else if r < p.home_share + 0.30 {
            Some(&m.by_region[p.region])
        } else {
            None
        };
        let customer = match pool {
            Some(pool) if !pool.is_empty() => pool[rng.usize(0..pool.len())],
            _ => rng.usize(0..all_customers.max(1)) as u32,
        };
        let country = m.customers.get(customer as usize).map_or(0, |c| usize::from(c.country));
        let c = &COUNTRIES[country];
        let currency = if c.uk && rng.f64() < 0.92 {
            GBP
        } else if c.euro && rng.f64() < 0.72 {
            EUR
        } else {
            USD
        };
        let product = pick_cumulative(&mut rng, &product_cum);
        let units = (38_000f64.ln() + 0.85 * normal(&mut rng)).exp() * PRODUCTS[product].size * tier_size[p.tier];
        let units = units.clamp(5_000.0, 400_000.0);
        let r = rng.f64();
        let amount = if r < 0.5 {
            round_to((units * 100.0) as i64, 100_000)
        } else if r < 0.8 {
            round_to((units * 100.0) as i64, 5_000)
        } else {
            (units * 100.0) as i64
        }
        .clamp(500_000, 40_000_000);
        let stage = if close > NOW {
            let ahead = close - NOW;
            let w: [f64; 4] = if ahead < 15 { [0.05, 0.15, 0.30, 0.50] } else { [0.20, 0.25, 0.30, 0.25] };
            pick_cumulative(&mut rng, &cumulative(w)) as u8
        } else if rng.f64() < 0.04 {
            rng.u8(1..=3)
        } else if rng.f64() < p.win_rate {
            WON
        } else {
            LOST
        };
        let factor = if stage == WON { 0.85 } else { 1.0 };
        let cycle = (uniform(&mut rng, 20.0, 200.0) * p.cycle * factor).clamp(20.0, 200.0) as i32;
        let cap = CRM_EXPORT - 1 - rng.i32(4..40);
        let created = (close - cycle).min(cap);
        deals.push(Deal {
            amount,
            init_amount: amount,
            created,
            close,
            customer,
            sourced: sourced as u32,
            influenced: [NONE, NONE],
            dr: 0,
            sheet_ref: 0,
            pfile_ref: 0,
            product: product as u8,
            currency,
            stage,
            init_stage: stage,
            home: Home::Crm,
            in_sheet: false,
            in_pfile: false,
            in_delta: false,
        });
        if deals.len() < n && sibling_rng.f64() < SIBLING_SHARE {
            let sibling = sibling_of(&mut sibling_rng, &deals[deals.len() - 1], p.win_rate, q0, q1, &product_cum);
            deals.push(sibling);
        }
    }
    deals.sort_by_key(|d| (d.created, d.close));
    assign_sources(seed, m, &mut deals);
    deals
}

/// Another deal of `d`'s partner and customer closing in the same quarter `q0..q1`:
/// another product (three times in four) or an add-on of the same product at a
/// fraction of the amount.
fn sibling_of(rng: &mut fastrand::Rng, d: &Deal, win_rate: f64, q0: i32, q1: i32, product_cum: &[f64]) -> Deal {
    let close = q0 + rng.i32(0..q1 - q0);
    let (product, amount) = if rng.f64() < 0.75 {
        let mut product = pick_cumulative(rng, product_cum) as u8;
        if product == d.product {
            product = ((usize::from(product) + 1) % PRODUCTS.len()) as u8;
        }
        (product, round_to((d.amount as f64 * uniform(rng, 0.4, 1.6)) as i64, 100_000))
    } else {
        (d.product, round_to((d.amount as f64 * uniform(rng, 0.2, 0.6)) as i64, 100_000))
    };
    let stage = if close > NOW {
        rng.u8(0..=3)
    } else if rng.f64() < win_rate {
        WON
    } else {
        LOST
    };
    let cap = CRM_EXPORT - 1 - rng.i32(4..40);
    let created = (close - rng.i32(20..150)).min(cap);
    // Below the largest deals, so that currency conversion keeps it in range.
    let amount = amount.clamp(500_000, 30_000_000);
    Deal { amount, init_amount: amount, created, close, product, stage, init_stage: stage, ..d.clone() }
}

fn take_count(share: f64, n: usize) -> usize {
    (share * n as f64).round() as usize
}

fn assign_sources(seed: u64, m: &Master, deals: &mut [Deal]) {
    let mut rng = sub_rng(seed, SALT_HOMES, 0);
    let n = deals.len();
    let file_partners = FILE_PARTNERS.min(m.partners.len()) as u32;

    // Partner-only deals: ≈ 8 % of all, from the five partners with their own files.
    let mut from_files: Vec<usize> = (0..n).filter(|&i| deals[i].sourced < file_partners).collect();
    rng.shuffle(&mut from_files);
    let partner_only = take_count(0.08, n).min(from_files.len() / 2);
    for &i in &from_files[..partner_only] {
        deals[i].home = Home::PartnerFile;
    }

    // Sheet-only deals: ≈ 7 % of all.
    let mut rest: Vec<usize> = (0..n).filter(|&i| deals[i].home == Home::Crm).collect();
    rng.shuffle(&mut rest);
    let sheet_only = take_count(0.07, n).min(rest.len() / 2);
    for &i in &rest[..sheet_only] {
        deals[i].home = Home::Sheet;
    }

    let crm: Vec<usize> = (0..n).filter(|&i| deals[i].home == Home::Crm).collect();

    // Re-reported in the sheet: ≈ 10 % of CRM deals.
    let mut pick = crm.clone();
    rng.shuffle(&mut pick);
    for &i in &pick[..take_count(0.10, crm.len())] {
        deals[i].in_sheet = true;
    }

    // Re-reported in a partner file: ≈ 7 % of all deals.
    let mut pick: Vec<usize> = crm.iter().copied().filter(|&i| deals[i].sourced < file_partners).collect();
    rng.shuffle(&mut pick);
    let count = take_count(0.07, n).min(pick.len());
    for &i in &pick[..count] {
        deals[i].in_pfile = true;
    }

    // Re-listed in the delta export: ≈ 5 % of CRM deals, recent ones first.
    let recent = days_from_civil(2026, 10, 1);
    let mut first: Vec<usize> = crm.iter().copied().filter(|&i| deals[i].close >= recent).collect();
    let mut second: Vec<usize> = crm.iter().copied().filter(|&i| deals[i].close < recent).collect();
    rng.shuffle(&mut first);
    rng.shuffle(&mut second);
    let count = take_count(0.05, crm.len());
    for &i in first.iter().chain(second.iter()).take(count) {
        let d = &mut deals[i];
        d.in_delta = true;
        d.init_stage = match d.stage {
            WON | LOST => {
                if rng.f64() < 0.6 {
                    3
                } else {
                    2
                }
            }
            s if s >= 2 && rng.f64() < 0.3 => s - 2,
            s if s >= 1 => s - 1,
            s => s,
        };
        if d.init_stage == d.stage || rng.f64() < 0.35 {
            let mut init = round_to((d.amount as f64 * uniform(&mut rng, 0.75, 1.25)) as i64, 10_000);
            if init == d.amount {
                init += 500_000;
            }
            d.init_amount = init.max(100_000);
        }
    }

    // Deal registrations (≈ 30 % of all deals) and influenced partners (≈ 25 %), CRM only.
    let p_dr = (0.30 * n as f64 / crm.len().max(1) as f64).min(1.0);
    let p_inf = (0.25 * n as f64 / crm.len().max(1) as f64).min(1.0);
    let mut dr = 0;
    for &i in &crm {
        if rng.f64() < p_dr {
            dr += 1;
            deals[i].dr = dr;
        }
        if m.partners.len() >= 3 && rng.f64() < p_inf {
            let count = if rng.f64() < 0.35 { 2 } else { 1 };
            let mut got = [NONE, NONE];
            let mut k = 0;
            for _ in 0..20 {
                if k == count {
                    break;
                }
                let p = pick_cumulative(&mut rng, &m.pcum) as u32;
                if p != deals[i].sourced && !got.contains(&p) {
                    got[k] = p;
                    k += 1;
                }
            }
            deals[i].influenced = got;
        }
    }

    // Values as the surviving source states them.
    for d in deals.iter_mut() {
        match d.home {
            Home::Crm => {}
            Home::Sheet => {
                let usd = m.fx.to_usd(d.amount, d.currency, d.close);
                d.amount = round_to(usd, 100_000).max(500_000);
                d.currency = USD;
            }
            Home::PartnerFile => {
                let target = match d.sourced {
                    2 => Some(EUR),
                    3 => Some(GBP),
                    4 => Some(USD),
                    _ => None,
                };
                if let Some(t) = target {
                    d.amount = m.fx.convert(d.amount, d.currency, t, d.close);
                    d.currency = t;
                }
                if d.sourced == 0 {
                    d.amount = round_to(d.amount, 100);
                }
            }
        }
        d.init_amount = if d.in_delta { d.init_amount } else { d.amount };
    }
}
