//! Master data: partners, customers, fx rates, and the `mappings/` tables.

use std::collections::BTreeSet;
use std::path::Path;

use crate::GenerateError;
use crate::csvout::{CsvOut, Enc};
use crate::fmt::{
    self, DateFmt, FX_FIRST, FX_MONTHS, QUARTERS, between, cumulative, days_from_civil, pick_cumulative, push_date, push_num,
    quarter_start, sub_rng, uniform,
};
use crate::words::{
    self, COUNTRIES, Culture, HAND_PARTNERS, LEGAL_TOKENS, PARTNER_CORE, PARTNER_DESC, PARTNER_PREFIX, PARTNER_TYPES, PRODUCTS, REGIONS,
};

const SALT_PARTNERS: u64 = 1;
const SALT_CUSTOMERS: u64 = 2;
const SALT_FX: u64 = 3;

/// Currency codes by index.
pub(crate) const CURRENCIES: [&str; 3] = ["USD", "EUR", "GBP"];
/// Index of USD in [`CURRENCIES`].
pub(crate) const USD: u8 = 0;
/// Index of EUR in [`CURRENCIES`].
pub(crate) const EUR: u8 = 1;
/// Index of GBP in [`CURRENCIES`].
pub(crate) const GBP: u8 = 2;

/// A partner of the program, with the knobs that shape its deals.
pub(crate) struct Partner {
    pub id: String,
    pub name: String,
    /// `name` without its legal suffix.
    pub base: String,
    pub tier: usize,
    pub segment: &'static str,
    pub region: usize,
    pub ptype: &'static str,
    /// Country index of the partner's home market.
    pub home: usize,
    /// Probability that a deal's customer is from the home country.
    pub home_share: f64,
    pub pm: &'static str,
    pub am: &'static str,
    pub start: i32,
    pub end: i32,
    pub active: bool,
    pub aliases: Vec<String>,
    /// Relative share of sourced deals.
    pub weight: f64,
    /// Cumulative deal weights over the 8 quarters.
    pub qcum: Vec<f64>,
    /// Share of closed deals that are won.
    pub win_rate: f64,
    /// Sales-cycle length factor.
    pub cycle: f64,
    /// Whether variants of the name use German legal forms.
    pub german: bool,
    /// Engagement level in [0, 1] (portal, trainings, events).
    pub engagement: f64,
    /// Customer satisfaction level in [0, 1].
    pub satisfaction: f64,
}

/// An end customer.
pub(crate) struct Customer {
    pub name: String,
    /// Byte offset where the legal suffix (with its leading space) starts, or `name.len()`.
    pub legal_at: usize,
    pub country: u8,
    pub industry: u8,
}

impl Customer {
    /// The name without its legal suffix.
    pub(crate) fn base(&self) -> &str {
        &self.name[..self.legal_at]
    }
}

/// Monthly fx rates (USD per unit, ×10 000) for EUR and GBP.
pub(crate) struct Fx {
    eur: Vec<i64>,
    gbp: Vec<i64>,
}

impl Fx {
    /// Rate ×10 000 of currency `cur` in the month of `day` (USD = 10 000).
    pub(crate) fn rate(&self, cur: u8, day: i32) -> i64 {
        let m = fmt::fx_month_index(day);
        match cur {
            EUR => self.eur[m],
            GBP => self.gbp[m],
            _ => 10_000,
        }
    }

    /// Converts `cents` from `from` to `to` at the rates of `day`'s month (rounded to cents).
    pub(crate) fn convert(&self, cents: i64, from: u8, to: u8, day: i32) -> i64 {
        if from == to {
            return cents;
        }
        let usd = (i128::from(cents) * i128::from(self.rate(from, day)) + 5_000) / 10_000;
        let to_rate = i128::from(self.rate(to, day));
        ((usd * 10_000 + to_rate / 2) / to_rate) as i64
    }

    /// Converts to USD.
    pub(crate) fn to_usd(&self, cents: i64, from: u8, day: i32) -> i64 {
        self.convert(cents, from, USD, day)
    }
}

/// Everything drawn before the deals.
pub(crate) struct Master {
    pub partners: Vec<Partner>,
    /// Cumulative weights for choosing a sourced partner.
    pub pcum: Vec<f64>,
    pub customers: Vec<Customer>,
    pub by_country: Vec<Vec<u32>>,
    pub by_region: Vec<Vec<u32>>,
    pub fx: Fx,
}

/// Lower-cased, accent-folded, punctuation-free, legal-suffix-free key of a name.
pub(crate) fn norm_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match fold(c) {
            Some(f) => out.push_str(f),
            None if c.is_alphanumeric() => out.push(c),
            None if c.is_whitespace() => out.push(' '),
            None => {}
        }
    }
    let mut tokens: Vec<&str> = out.split_whitespace().collect();
    while tokens.len() > 1 && tokens.last().is_some_and(|t| LEGAL_TOKENS.contains(t)) {
        tokens.pop();
    }
    tokens.join(" ")
}

fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        _ => return None,
    })
}

/// Builds partners, customers and fx rates.
pub(crate) fn build(seed: u64, partners: usize, deals: usize) -> Master {
    let partners = build_partners(seed, partners);
    let pcum = cumulative(partners.iter().map(|p| p.weight));
    let (customers, by_country, by_region) = build_customers(seed, deals);
    Master { partners, pcum, customers, by_country, by_region, fx: build_fx(seed) }
}

fn month_end(y: i32, m: u32) -> i32 {
    if m == 12 { days_from_civil(y + 1, 1, 1) - 1 } else { days_from_civil(y, m + 1, 1) - 1 }
}

fn pick_country_in_region(rng: &mut fastrand::Rng, region: usize) -> usize {
    let idx: Vec<usize> = (0..COUNTRIES.len()).filter(|&i| COUNTRIES[i].region == region).collect();
    let cum = cumulative(idx.iter().map(|&i| f64::from(COUNTRIES[i].weight)));
    idx[pick_cumulative(rng, &cum)]
}

fn build_partners(seed: u64, count: usize) -> Vec<Partner> {
    let mut rng = sub_rng(seed, SALT_PARTNERS, 0);
    let mut keys: BTreeSet<String> = BTreeSet::new();
    let mut out: Vec<Partner> = Vec::with_capacity(count);
    for (i, h) in HAND_PARTNERS.iter().take(count).enumerate() {
        let base = h.name.strip_suffix(h.legal).map(str::trim_end).unwrap_or(h.name).to_owned();
        keys.insert(norm_key(h.name));
        for a in h.aliases {
            keys.insert(norm_key(a));
        }
        let home = words::country_by_iso(h.home);
        let end = if h.active {
            month_end(2027 + rng.i32(0..3), 1 + rng.u32(0..12))
        } else if i % 2 == 0 {
            days_from_civil(2026, 3, 31)
        } else {
            days_from_civil(2025, 12, 31)
        };
        out.push(Partner {
            id: String::new(),
            name: h.name.to_owned(),
            base,
            tier: h.tier,
            segment: if h.tier < 2 { "Focus" } else { "Assist" },
            region: h.region,
            ptype: h.ptype,
            home,
            home_share: if i == 2 || i == 3 { 0.8 } else { 0.55 },
            pm: "",
            am: "",
            start: days_from_civil(2016 + rng.i32(0..8), 1 + rng.u32(0..12), 1),
            end,
            active: h.active,
            aliases: h.aliases.iter().map(|a| (*a).to_owned()).collect(),
            weight: h.share,
            qcum: Vec::new(),
            win_rate: 0.0,
            cycle: 1.0,
            german: COUNTRIES[home].culture == Culture::German,
            engagement: 0.0,
            satisfaction: 0.0,
        });
    }
    let type_cum = cumulative(PARTNER_TYPES.iter().map(|t| t.1));
    let region_cum = cumulative([40.0, 30.0, 20.0, 10.0]);
    for i in out.len()..count {
        let region = pick_cumulative(&mut rng, &region_cum);
        let home = pick_country_in_region(&mut rng, region);
        let mut base = String::new();
        for attempt in 0..400 {
            let p = PARTNER_PREFIX[rng.usize(0..PARTNER_PREFIX.len())];
            let c = PARTNER_CORE[rng.usize(0..PARTNER_CORE.len())];
            let d = PARTNER_DESC[rng.usize(0..PARTNER_DESC.len())];
            let candidate = if attempt < 300 { format!("{p} {c} {d}") } else { format!("{p} {c} {d} {}", REGIONS[region]) };
            if keys.insert(norm_key(&candidate)) {
                base = candidate;
                break;
            }
        }
        if base.is_empty() {
            base = format!("Partner {}", i + 1);
            keys.insert(norm_key(&base));
        }
        let legal: &[&str] = match (region, COUNTRIES[home].culture, COUNTRIES[home].uk) {
            (0, _, _) => &["", "", "Inc", "LLC"],
            (1, Culture::German, _) => &["", "GmbH", "AG"],
            (1, _, true) => &["", "Ltd"],
            (1, _, _) => &["", "S.A.", "Ltd"],
            (2, _, _) => &["", "Pty Ltd", "Ltd"],
            _ => &["", "S.A."],
        };
        let legal = legal[rng.usize(0..legal.len())];
        let name = if legal.is_empty() { base.clone() } else { format!("{base} {legal}") };
        let mut aliases = Vec::new();
        if rng.f64() < 0.5 {
            let misspelled = misspell(&base, &mut rng);
            if keys.insert(norm_key(&misspelled)) {
                aliases.push(misspelled);
            }
        }
        if rng.f64() < 0.3 {
            let initials: String = base.split_whitespace().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).collect();
            if initials.len() >= 3 && keys.insert(norm_key(&initials)) {
                aliases.push(initials);
            }
        }
        let ptype = PARTNER_TYPES[pick_cumulative(&mut rng, &type_cum)].0;
        let u = 1.0 - rng.f64();
        let weight = (2.8 / 3.0 * u.powf(-1.0 / 1.5)).min(30.0);
        let active = rng.f64() >= 0.03;
        let end =
            if active { month_end(2027 + rng.i32(0..3), 1 + rng.u32(0..12)) } else { month_end(2025 + rng.i32(0..2), 1 + rng.u32(0..12)) };
        out.push(Partner {
            id: String::new(),
            name,
            base,
            tier: 2,
            segment: "Assist",
            region,
            ptype,
            home,
            home_share: 0.55,
            pm: "",
            am: "",
            start: days_from_civil(2016 + rng.i32(0..9), 1 + rng.u32(0..12), 1),
            end,
            active,
            aliases,
            weight,
            qcum: Vec::new(),
            win_rate: 0.0,
            cycle: 1.0,
            german: COUNTRIES[home].culture == Culture::German,
            engagement: 0.0,
            satisfaction: 0.0,
        });
    }
    // Tiers of composed partners follow their size.
    let mut order: Vec<usize> = (HAND_PARTNERS.len().min(count)..count).collect();
    order.sort_by(|&a, &b| out[b].weight.total_cmp(&out[a].weight).then(a.cmp(&b)));
    let n = order.len();
    for (rank, &i) in order.iter().enumerate() {
        let tier = if rank * 100 < n * 8 {
            0
        } else if rank * 100 < n * 35 {
            1
        } else {
            2
        };
        out[i].tier = tier;
        out[i].segment = match tier {
            0 => "Focus",
            1 if rng.f64() < 0.7 => "Focus",
            2 if rng.f64() < 0.1 => "Focus",
            _ => "Assist",
        };
    }
    // Shares: the five partners with their own files keep 30 %, the rest share 70 %.
    let file_partners = 5.min(count);
    let first: f64 = out[..file_partners].iter().map(|p| p.weight).sum();
    let rest: f64 = out[file_partners..].iter().map(|p| p.weight).sum();
    for (i, p) in out.iter_mut().enumerate() {
        let scale = if i < file_partners { 30.0 / first.max(1e-9) } else { 70.0 / rest.max(1e-9) };
        p.weight *= scale;
    }
    for (i, p) in out.iter_mut().enumerate() {
        p.id = format!("P{:03}", i + 1);
        p.pm = words::PARTNER_MANAGERS[p.region][i % 2];
        p.am = words::ACCOUNT_MANAGERS[rng.usize(0..words::ACCOUNT_MANAGERS.len())];
        let g = uniform(&mut rng, -0.5, 0.9);
        let mut q = Vec::with_capacity(QUARTERS);
        for k in 0..QUARTERS {
            let trend = (1.0 + g * (k as f64 - 3.5) / 3.5).max(0.15);
            let mut w = trend * uniform(&mut rng, 0.85, 1.15) * (1.0 + 0.04 * k as f64);
            if quarter_start(k) > p.end {
                w = 0.0;
            }
            q.push(w);
        }
        if q.iter().all(|&w| w <= 0.0) {
            q[0] = 1.0;
        }
        p.qcum = cumulative(q);
        p.win_rate = 0.55 + uniform(&mut rng, -0.12, 0.12);
        p.cycle = uniform(&mut rng, 0.7, 1.3);
        p.engagement = uniform(&mut rng, 0.15, 1.0);
        p.satisfaction = uniform(&mut rng, 0.35, 1.0);
    }
    // Centre the volume-weighted win rate on 55 %.
    let total: f64 = out.iter().map(|p| p.weight).sum();
    let mean: f64 = out.iter().map(|p| p.weight * p.win_rate).sum::<f64>() / total.max(1e-9);
    for p in &mut out {
        p.win_rate = (p.win_rate + 0.55 - mean).clamp(0.3, 0.8);
    }
    out
}

/// Drops one letter from the longest word (a realistic typo).
pub(crate) fn misspell(s: &str, rng: &mut fastrand::Rng) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let longest = (0..words.len()).max_by_key(|&i| (words[i].chars().count(), usize::MAX - i)).unwrap_or(0);
    let chars: Vec<char> = words[longest].chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if i == longest && chars.len() > 3 {
            let drop = 1 + rng.usize(0..chars.len() - 2);
            out.extend(chars.iter().enumerate().filter(|&(j, _)| j != drop).map(|(_, c)| c));
        } else {
            out.push_str(w);
        }
    }
    out
}

/// Cities customers in a country put in their names.
fn cities(iso: &str) -> &'static [&'static str] {
    match iso {
        "US" => {
            &["Boston", "Denver", "Austin", "Phoenix", "Portland", "Dallas", "Atlanta", "Chicago", "Seattle", "Tampa", "Omaha", "Raleigh"]
        }
        "CA" => &["Toronto", "Calgary", "Vancouver", "Ottawa"],
        "GB" => &["Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff"],
        "IE" => &["Dublin", "Cork"],
        "AU" => &["Sydney", "Melbourne", "Brisbane", "Perth"],
        "NZ" => &["Auckland", "Wellington"],
        "JP" => &["Osaka", "Tokyo", "Nagoya"],
        "IN" => &["Pune", "Bangalore", "Chennai"],
        "SG" => &["Marina", "Jurong"],
        "KR" => &["Seoul", "Busan"],
        "NL" => &["Rotterdam", "Utrecht", "Eindhoven"],
        "SE" => &["Stockholm", "Malmö"],
        "NO" => &["Oslo", "Bergen"],
        "IT" => &["Milano", "Torino"],
        "PL" => &["Warsaw", "Krakow"],
        "DE" => &["Berlin", "Hamburg", "Köln", "Frankfurt", "Stuttgart", "Leipzig", "Dresden", "Hannover", "Nürnberg", "Bremen"],
        "AT" => &["Wien", "Graz", "Linz", "Salzburg"],
        "CH" => &["Zürich", "Basel", "Bern", "Luzern"],
        "FR" => &["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille"],
        "ES" => &["Madrid", "Valencia", "Sevilla", "Bilbao"],
        "BR" => &["São Paulo", "Rio de Janeiro", "Curitiba", "Recife"],
        "MX" => &["Guadalajara", "Monterrey", "Puebla", "Querétaro"],
        "AR" => &["Buenos Aires", "Córdoba", "Rosario"],
        "CL" => &["Santiago", "Valparaíso", "Concepción"],
        "CO" => &["Bogotá", "Medellín", "Cali"],
        _ => &[],
    }
}

fn customer_base(rng: &mut fastrand::Rng, country: &words::Country) -> (String, u8) {
    fn pick<T: Copy>(rng: &mut fastrand::Rng, xs: &[T]) -> T {
        xs[rng.usize(0..xs.len())]
    }
    let cities = cities(country.iso);
    let city = if cities.is_empty() { "" } else { pick(rng, cities) };
    let with_city = !city.is_empty() && rng.f64() < 0.6;
    match country.culture {
        Culture::English => {
            let (noun, ind) = pick(rng, words::EN_NOUN);
            let first = if !city.is_empty() && rng.f64() < 0.25 { city } else { pick(rng, words::EN_PREFIX) };
            let name = if rng.f64() < 0.5 { format!("{first} {noun}") } else { format!("{first} {noun} {}", pick(rng, words::EN_DESC)) };
            (name, ind)
        }
        Culture::German => {
            let (noun, ind) = pick(rng, words::DE_NOUN);
            let p = pick(rng, words::DE_PREFIX);
            if with_city { (format!("{p} {noun} {city}"), ind) } else { (format!("{p} {noun}"), ind) }
        }
        Culture::French => {
            let (noun, ind) = pick(rng, words::FR_NOUN);
            let q = pick(rng, words::FR_SUFFIX);
            if with_city { (format!("{noun} {q} {city}"), ind) } else { (format!("{noun} {q}"), ind) }
        }
        Culture::Spanish => {
            let (noun, ind) = pick(rng, words::ES_NOUN);
            let q = pick(rng, words::ES_SUFFIX);
            if with_city { (format!("{noun} {q} {city}"), ind) } else { (format!("{noun} {q}"), ind) }
        }
    }
}

type CustomerPools = (Vec<Customer>, Vec<Vec<u32>>, Vec<Vec<u32>>);

fn build_customers(seed: u64, deals: usize) -> CustomerPools {
    let mut rng = sub_rng(seed, SALT_CUSTOMERS, 0);
    let total = (deals / 6).clamp(200, 12_000) as f64;
    let region_share = [0.45, 0.30, 0.17, 0.08];
    let mut region_weight = [0u32; 4];
    for c in COUNTRIES {
        region_weight[c.region] += c.weight;
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut customers = Vec::new();
    let mut by_country = vec![Vec::new(); COUNTRIES.len()];
    let mut by_region = vec![Vec::new(); REGIONS.len()];
    for (ci, c) in COUNTRIES.iter().enumerate() {
        let want = (total * region_share[c.region] * f64::from(c.weight) / f64::from(region_weight[c.region])).round().max(4.0) as usize;
        let mut made = 0;
        let mut misses = 0;
        while made < want && misses < 200 {
            let (base, industry) = customer_base(&mut rng, c);
            if !seen.insert(norm_key(&base)) {
                misses += 1;
                continue;
            }
            let legal_at = base.len();
            let name = if rng.f64() < 0.7 {
                let legal = c.legal[rng.usize(0..c.legal.len())];
                format!("{base} {legal}")
            } else {
                base
            };
            let idx = customers.len() as u32;
            customers.push(Customer { name, legal_at, country: ci as u8, industry });
            by_country[ci].push(idx);
            by_region[c.region].push(idx);
            made += 1;
        }
    }
    (customers, by_country, by_region)
}

fn build_fx(seed: u64) -> Fx {
    let mut rng = sub_rng(seed, SALT_FX, 0);
    let mut series = |start: f64, lo: f64, hi: f64| {
        let mid = (lo + hi) / 2.0;
        let mut x = start;
        (0..FX_MONTHS)
            .map(|_| {
                x += 0.15 * (mid - x) + 0.012 * fmt::normal(&mut rng);
                x = x.clamp(lo + 0.002, hi - 0.002);
                (x * 10_000.0).round() as i64
            })
            .collect::<Vec<i64>>()
    };
    let eur = series(1.08, 1.05, 1.15);
    let gbp = series(1.27, 1.22, 1.32);
    Fx { eur, gbp }
}

/// Writes `mappings/*.csv`; returns the files written (relative paths).
pub(crate) fn write_mappings(dir: &Path, m: &Master) -> Result<Vec<String>, GenerateError> {
    let mut files = Vec::new();
    let mut open = |rel: &str| -> Result<CsvOut, GenerateError> {
        files.push(rel.to_owned());
        CsvOut::create(dir, rel, ',', false, Enc::Utf8)
    };

    let mut w = open("mappings/partners.csv")?;
    w.record(&[
        "partner_id",
        "name",
        "tier",
        "segment",
        "region",
        "partner_type",
        "partner_manager",
        "account_manager",
        "start_date",
        "contract_end_date",
        "status",
    ])?;
    let (mut start, mut end) = (String::new(), String::new());
    for p in &m.partners {
        start.clear();
        end.clear();
        push_date(&mut start, p.start, DateFmt::Iso);
        push_date(&mut end, p.end, DateFmt::Iso);
        w.record(&[
            p.id.as_str(),
            &p.name,
            words::TIERS[p.tier],
            p.segment,
            REGIONS[p.region],
            p.ptype,
            p.pm,
            p.am,
            &start,
            &end,
            if p.active { "active" } else { "inactive" },
        ])?;
    }
    w.finish()?;

    let mut w = open("mappings/partner_aliases.csv")?;
    w.record(&["alias", "partner_id"])?;
    for p in &m.partners {
        for a in &p.aliases {
            w.record(&[a.as_str(), &p.id])?;
        }
    }
    w.finish()?;

    let mut w = open("mappings/products.csv")?;
    w.record(&["product_id", "name", "family"])?;
    for p in PRODUCTS {
        w.record(&[p.id, p.name, p.family])?;
    }
    w.finish()?;

    let mut w = open("mappings/product_aliases.csv")?;
    w.record(&["alias", "product_id"])?;
    for p in PRODUCTS {
        w.record(&[p.sku, p.id])?;
    }
    for p in PRODUCTS {
        for a in p.aliases {
            w.record(&[*a, p.id])?;
        }
    }
    w.finish()?;

    let mut w = open("mappings/regions.csv")?;
    w.record(&["alias", "region"])?;
    let mut seen = BTreeSet::new();
    for c in COUNTRIES {
        let all = [c.name, c.iso, c.german].into_iter().chain(c.extra.iter().copied());
        for a in all {
            if seen.insert(a.to_lowercase()) {
                w.record(&[a, REGIONS[c.region]])?;
            }
        }
    }
    w.finish()?;

    let mut w = open("mappings/stages.csv")?;
    w.record(&["source", "raw_stage", "stage"])?;
    let mut seen = BTreeSet::new();
    let tables: [(&str, &[&str; 6]); 8] = [
        ("crm", &words::CRM_STAGES),
        ("sheets", &words::SHEET_STAGES),
        ("partner_files", &words::NORTHWIND_STAGES),
        ("partner_files", &words::BAUER_STAGES),
        ("partner_files", &words::FABRIKAM_STAGES),
        ("partner_files", &words::TAILSPIN_STAGES),
        ("partner_files", &words::CONTOSO_STAGES),
        ("partner_files", &words::FRENCH_STAGES),
    ];
    for (source, names) in tables {
        for (i, raw) in names.iter().enumerate() {
            if seen.insert((source, raw.to_lowercase())) {
                w.record(&[source, raw, words::STAGES[i]])?;
            }
        }
    }
    w.finish()?;

    let mut w = open("mappings/fx_rates.csv")?;
    w.record(&["currency", "month", "rate"])?;
    let (mut month, mut rate) = (String::new(), String::new());
    for (code, series) in [("EUR", &m.fx.eur), ("GBP", &m.fx.gbp)] {
        for (i, r) in series.iter().enumerate() {
            let months = FX_FIRST.1 as usize - 1 + i;
            month.clear();
            push_num(&mut month, (FX_FIRST.0 + (months / 12) as i32) as u64, 4);
            month.push('-');
            push_num(&mut month, (months % 12 + 1) as u64, 2);
            rate.clear();
            push_num(&mut rate, (r / 10_000) as u64, 1);
            rate.push('.');
            push_num(&mut rate, (r % 10_000) as u64, 4);
            w.record(&[code, month.as_str(), rate.as_str()])?;
        }
    }
    w.finish()?;
    Ok(files)
}

/// A random day in `[lo, hi]`.
pub(crate) fn day_between(rng: &mut fastrand::Rng, lo: i32, hi: i32) -> i32 {
    between(rng, i64::from(lo), i64::from(hi)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let cases = [
            ("Northwind Traders, Inc.", "northwind traders"),
            ("NORTHWIND TRADERS LLC", "northwind traders"),
            ("Müller & Söhne AG", "muller sohne"),
            ("Société Générale d'Intégration", "societe generale dintegration"),
            ("Kangaroo Cloud Pty Ltd", "kangaroo cloud"),
            ("Andes Tecnología S.A.", "andes tecnologia"),
        ];
        for (raw, want) in cases {
            assert_eq!(norm_key(raw), want, "{raw}");
        }
    }

    #[test]
    fn partners_unique_for_large_programs() {
        let ps = build_partners(7, 2500);
        let mut keys = BTreeSet::new();
        for p in &ps {
            assert!(keys.insert(norm_key(&p.name)), "duplicate {}", p.name);
            for a in &p.aliases {
                assert!(keys.insert(norm_key(a)), "duplicate alias {a}");
            }
        }
        let total: f64 = ps.iter().map(|p| p.weight).sum();
        assert!((total - 100.0).abs() < 1e-6);
    }

    #[test]
    fn fx_in_band() {
        let fx = build_fx(42);
        assert!(fx.eur.iter().all(|&r| (10_500..=11_500).contains(&r)));
        assert!(fx.gbp.iter().all(|&r| (12_200..=13_200).contains(&r)));
        let day = days_from_civil(2026, 3, 10);
        let usd = fx.to_usd(100_000, EUR, day);
        assert_eq!(usd, (100_000 * fx.rate(EUR, day) + 5_000) / 10_000);
    }
}
