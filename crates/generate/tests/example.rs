//! End-to-end checks of the generated example program, reading the files back the way
//! an independent consumer would (csv crate, calamine, encoding_rs, a small normalizer
//! of our own); only the header binding is checked with Watershed's own detector.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use watershed_generate::{GenerateError, GenerateOptions, GenerateSummary, generate};

struct Program {
    dir: tempfile::TempDir,
    summary: GenerateSummary,
}

fn example() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let summary = generate(dir.path(), &GenerateOptions::example()).expect("generate");
        Program { dir, summary }
    })
}

// ---------------------------------------------------------------------------------------
// Reading helpers
// ---------------------------------------------------------------------------------------

/// The file's text: Windows-1252 decoded for Bauer's export, UTF-16 for a file with a
/// UTF-16 BOM, BOM stripped; a workbook's first sheet as tab-joined rows.
fn read_text(dir: &Path, rel: &str) -> String {
    if rel.ends_with(".xlsx") {
        return sheet_rows(dir, rel).iter().map(|r| r.join("\t")).collect::<Vec<_>>().join("\n") + "\n";
    }
    let bytes = std::fs::read(dir.join(rel)).expect("read");
    if rel.contains("bauer") {
        let (text, had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
        assert!(!had_errors, "{rel} is not valid Windows-1252");
        text.into_owned()
    } else if bytes.starts_with(b"\xFF\xFE") {
        let (text, had_errors) = encoding_rs::UTF_16LE.decode_without_bom_handling(&bytes[2..]);
        assert!(!had_errors, "{rel} is not valid UTF-16LE");
        text.into_owned()
    } else {
        let text = String::from_utf8(bytes).expect("utf-8");
        text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text)
    }
}

/// Every row of a workbook's first sheet from row 1, cells as text (numbers without a
/// spurious `.0`, dates as ISO `YYYY-MM-DD`); empty rows are empty.
fn sheet_rows(dir: &Path, rel: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.join(rel)).expect("workbook");
    let name = book.sheet_names().first().cloned().expect("a sheet");
    let range = book.worksheet_range(&name).expect("sheet");
    let (first_row, first_col) = range.start().expect("not empty");
    assert_eq!(first_col, 0, "{rel}: the table starts in column A");
    let mut rows = vec![Vec::new(); first_row as usize];
    for r in range.rows() {
        let mut cells: Vec<String> = r
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::DateTime(d) => {
                    let (y, m, day, ..) = d.to_ymd_hms_milli();
                    format!("{y:04}-{m:02}-{day:02}")
                }
                other => other.to_string(),
            })
            .collect();
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    rows
}

/// Physical lines (without terminators).
fn physical_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

/// A parsed CSV: header and (line, record) pairs.
struct Table {
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }
}

fn read_table(dir: &Path, rel: &str, delim: u8) -> Table {
    if rel.ends_with(".xlsx") {
        let rows = sheet_rows(dir, rel);
        let header_at = rows.iter().position(|r| r.len() > 3).expect("a header row");
        let width = rows[header_at].len();
        let body = rows
            .iter()
            .enumerate()
            .skip(header_at + 1)
            .filter(|(_, r)| !r.is_empty())
            .map(|(i, r)| {
                let mut r = r.clone();
                r.resize(width, String::new());
                (i as u64 + 1, r)
            })
            .collect();
        return Table { header: rows[header_at].clone(), rows: body };
    }
    let text = read_text(dir, rel);
    let mut rdr = csv::ReaderBuilder::new().delimiter(delim).flexible(true).comment(Some(b'#')).from_reader(text.as_bytes());
    let header = rdr.headers().expect("header").iter().map(str::to_owned).collect();
    let mut rows = Vec::new();
    let lines = physical_lines(&text);
    let (mut seen_byte, mut seen_lines) = (0usize, 0usize);
    for rec in rdr.records() {
        let rec = rec.expect("record");
        // The reader's position includes skipped blank and comment lines before the
        // record; count physical lines from its byte offset and step over those.
        let mut byte = rec.position().expect("position").byte() as usize;
        while matches!(text.as_bytes().get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        seen_lines += text.as_bytes()[seen_byte..byte].iter().filter(|&&b| b == b'\n').count();
        seen_byte = byte;
        let mut line = seen_lines;
        while lines.get(line).is_some_and(|l| l.is_empty() || l.starts_with('#')) {
            line += 1;
        }
        rows.push((line as u64 + 1, rec.iter().map(str::to_owned).collect()));
    }
    Table { header, rows }
}

fn read_maps(dir: &Path, rel: &str) -> Vec<HashMap<String, String>> {
    let t = read_table(dir, rel, b',');
    t.rows.into_iter().map(|(_, r)| t.header.iter().cloned().zip(r).collect()).collect()
}

/// Case-, accent-, punctuation- and legal-suffix-insensitive key.
fn normalize(s: &str) -> String {
    let folded: String = s
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            other => other,
        })
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    let mut tokens: Vec<&str> = folded.split_whitespace().collect();
    const LEGAL: [&str; 11] = ["inc", "llc", "ltd", "gmbh", "ag", "sa", "pty", "co", "corp", "plc", "limited"];
    while tokens.len() > 1 && tokens.last().is_some_and(|t| LEGAL.contains(t)) {
        tokens.pop();
    }
    tokens.join(" ")
}

/// Partner resolution: id, name, alias, or suffix variant → partner id.
fn partner_index(dir: &Path) -> HashMap<String, String> {
    let mut idx = HashMap::new();
    for p in read_maps(dir, "mappings/partners.csv") {
        idx.insert(normalize(&p["partner_id"]), p["partner_id"].clone());
        idx.insert(normalize(&p["name"]), p["partner_id"].clone());
    }
    for a in read_maps(dir, "mappings/partner_aliases.csv") {
        idx.insert(normalize(&a["alias"]), a["partner_id"].clone());
    }
    idx
}

fn product_index(dir: &Path) -> HashMap<String, String> {
    let mut idx = HashMap::new();
    for p in read_maps(dir, "mappings/products.csv") {
        idx.insert(normalize(&p["product_id"]), p["product_id"].clone());
        idx.insert(normalize(&p["name"]), p["product_id"].clone());
    }
    for a in read_maps(dir, "mappings/product_aliases.csv") {
        idx.insert(normalize(&a["alias"]), a["product_id"].clone());
    }
    idx
}

fn stage_index(dir: &Path) -> HashMap<(String, String), String> {
    read_maps(dir, "mappings/stages.csv")
        .into_iter()
        .map(|s| ((s["source"].clone(), normalize(&s["raw_stage"])), s["stage"].clone()))
        .collect()
}

fn region_index(dir: &Path) -> HashMap<String, String> {
    read_maps(dir, "mappings/regions.csv").into_iter().map(|r| (normalize(&r["alias"]), r["region"].clone())).collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Dates {
    Iso,
    Us,
    De,
    Uk,
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses a date in the given layout into ISO `YYYY-MM-DD`.
fn parse_date(s: &str, f: Dates) -> Option<String> {
    let sep = match f {
        Dates::Iso => '-',
        Dates::Us | Dates::Uk => '/',
        Dates::De => '.',
    };
    let parts: Vec<&str> = s.split(sep).collect();
    if parts.len() != 3 {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (y, m, d) = match f {
        Dates::Iso => (n[0], n[1], n[2]),
        Dates::Us => (n[2], n[0], n[1]),
        Dates::De | Dates::Uk => (n[2], n[1], n[0]),
    };
    let y = i32::try_from(y).ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Days since 1970-01-01 of an ISO date.
fn day_number(iso: &str) -> i64 {
    let y: i64 = iso[..4].parse().expect("year");
    let m: i64 = iso[5..7].parse().expect("month");
    let d: i64 = iso[8..10].parse().expect("day");
    let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 719_469
}

/// Amount text of a file → cents.
fn parse_amount(s: &str, european: bool) -> Option<i64> {
    let mut t: String = s.chars().filter(|c| !matches!(c, '$' | '£' | ' ')).collect();
    if european {
        t = t.replace('.', "").replace(',', ".");
    } else {
        t = t.replace(',', "");
    }
    let (units, frac) = match t.split_once('.') {
        Some((u, f)) => (u.to_owned(), format!("{f:0<2}")),
        None => (t.clone(), "00".to_owned()),
    };
    if frac.len() != 2 {
        return None;
    }
    Some(units.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?)
}

/// How to read one opportunity source file.
struct Spec {
    /// The file, relative to the project folder.
    rel: &'static str,
    /// The input as a run and truth/source_rows.csv name it (`#Sheet` for a workbook).
    locator: &'static str,
    source: &'static str,
    delim: u8,
    partner: &'static str,
    customer: &'static str,
    amount: &'static str,
    currency: Option<&'static str>,
    fixed_currency: Option<&'static str>,
    stage: &'static str,
    close: &'static str,
    product: &'static str,
    country: &'static str,
    reference: &'static str,
    ext: &'static str,
    dates: Dates,
    european: bool,
}

const SPECS: [Spec; 8] = [
    Spec {
        rel: "inbox/crm/opportunities_2026-11-01.csv",
        locator: "inbox/crm/opportunities_2026-11-01.csv",
        source: "crm",
        delim: b',',
        partner: "Partner Account",
        customer: "Account Name",
        amount: "Amount",
        currency: Some("Currency"),
        fixed_currency: None,
        stage: "Stage",
        close: "Close Date",
        product: "Product",
        country: "Billing Country",
        reference: "Opportunity ID",
        ext: "Opportunity ID",
        dates: Dates::Iso,
        european: false,
    },
    Spec {
        rel: "inbox/crm/opportunities_2026-11-15.csv",
        locator: "inbox/crm/opportunities_2026-11-15.csv",
        source: "crm",
        delim: b',',
        partner: "Partner Account",
        customer: "Account Name",
        amount: "Amount",
        currency: Some("Currency"),
        fixed_currency: None,
        stage: "Stage",
        close: "Close Date",
        product: "Product",
        country: "Billing Country",
        reference: "Opportunity ID",
        ext: "Opportunity ID",
        dates: Dates::Iso,
        european: false,
    },
    Spec {
        rel: "inbox/sheets/channel_pipeline.csv",
        locator: "inbox/sheets/channel_pipeline.csv",
        source: "sheets",
        delim: b',',
        partner: "Partner",
        customer: "Customer",
        amount: "Deal Size",
        currency: None,
        fixed_currency: Some("USD"),
        stage: "Status",
        close: "Close",
        product: "Product",
        country: "Country",
        reference: "SFDC ID",
        ext: "Ref",
        dates: Dates::Us,
        european: false,
    },
    Spec {
        rel: "inbox/partners/northwind_deals.xlsx",
        locator: "inbox/partners/northwind_deals.xlsx#Deals",
        source: "partner_files",
        delim: b',',
        partner: "Reseller",
        customer: "End Customer",
        amount: "Deal Value",
        currency: Some("Currency"),
        fixed_currency: None,
        stage: "Phase",
        close: "Expected Close",
        product: "Product SKU",
        country: "Country",
        reference: "CRM Ref",
        ext: "Deal #",
        dates: Dates::Iso,
        european: false,
    },
    Spec {
        rel: "inbox/partners/contoso_deals.tsv",
        locator: "inbox/partners/contoso_deals.tsv",
        source: "partner_files",
        delim: b'\t',
        partner: "Partner",
        customer: "Customer",
        amount: "Amount",
        currency: Some("Currency"),
        fixed_currency: None,
        stage: "Stage",
        close: "Close",
        product: "Product",
        country: "Country",
        reference: "SFDC ID",
        ext: "Deal Number",
        dates: Dates::Iso,
        european: false,
    },
    Spec {
        rel: "inbox/partners/bauer_systemhaus_export.csv",
        locator: "inbox/partners/bauer_systemhaus_export.csv",
        source: "partner_files",
        delim: b';',
        partner: "Partner",
        customer: "Kunde",
        amount: "Betrag (EUR)",
        currency: None,
        fixed_currency: Some("EUR"),
        stage: "Status",
        close: "Abschlussdatum",
        product: "Produkt",
        country: "Land",
        reference: "CRM-ID",
        ext: "Deal-Nr.",
        dates: Dates::De,
        european: true,
    },
    Spec {
        rel: "inbox/partners/fabrikam_pipeline.csv",
        locator: "inbox/partners/fabrikam_pipeline.csv",
        source: "partner_files",
        delim: b',',
        partner: "Partner",
        customer: "Client",
        amount: "Value (GBP)",
        currency: None,
        fixed_currency: Some("GBP"),
        stage: "Stage",
        close: "Close Date",
        product: "Product",
        country: "Country",
        reference: "Salesforce Opportunity",
        ext: "Our Ref",
        dates: Dates::Uk,
        european: false,
    },
    Spec {
        rel: "inbox/partners/tailspin_q_report.csv",
        locator: "inbox/partners/tailspin_q_report.csv",
        source: "partner_files",
        delim: b',',
        partner: "Partner Name",
        customer: "Customer Name",
        amount: "Amount (USD)",
        currency: None,
        fixed_currency: Some("USD"),
        stage: "Stage",
        close: "Close Date",
        product: "Product",
        country: "Customer Country",
        reference: "CRM Opportunity ID",
        ext: "Deal ID",
        dates: Dates::Us,
        european: false,
    },
];

/// One row of truth/source_rows.csv.
#[derive(Clone, Debug)]
struct Lineage {
    source: String,
    deal_id: String,
    kind: String,
    note: String,
}

/// (file, line) → lineage row.
fn lineage(dir: &Path) -> BTreeMap<(String, u64), Lineage> {
    let mut out = BTreeMap::new();
    for r in read_maps(dir, "truth/source_rows.csv") {
        let key = (r["file"].clone(), r["line"].parse::<u64>().expect("line"));
        let row = Lineage { source: r["source"].clone(), deal_id: r["deal_id"].clone(), kind: r["kind"].clone(), note: r["note"].clone() };
        assert!(out.insert(key.clone(), row).is_none(), "line listed twice: {key:?}");
    }
    out
}

fn truth_deals(dir: &Path) -> BTreeMap<String, HashMap<String, String>> {
    read_maps(dir, "truth/deals.csv").into_iter().map(|d| (d["deal_id"].clone(), d)).collect()
}

fn pct(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole.max(1) as f64
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn same_seed_gives_identical_bytes() {
    let opts = GenerateOptions { opportunities: 3_000, partners: None, seed: 7, shared_ids: true };
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let sa = generate(a.path(), &opts).expect("first run");
    let sb = generate(b.path(), &opts).expect("second run");
    assert_eq!(sa, sb);
    for f in &sa.files {
        let x = std::fs::read(a.path().join(f)).expect("read a");
        let y = std::fs::read(b.path().join(f)).expect("read b");
        assert!(x == y, "{} differs between two runs", f.display());
    }
    let c = tempfile::tempdir().expect("tempdir");
    generate(c.path(), &GenerateOptions { seed: 8, ..opts }).expect("other seed");
    let x = std::fs::read(a.path().join("truth/deals.csv")).expect("read");
    let z = std::fs::read(c.path().join("truth/deals.csv")).expect("read");
    assert_ne!(x, z, "another seed must give another program");
}

#[test]
fn options_and_errors() {
    let cases = [
        (GenerateOptions::default(), 30),
        (GenerateOptions { opportunities: 1_000_000, ..GenerateOptions::default() }, 2_500),
        (GenerateOptions { partners: Some(12), ..GenerateOptions::default() }, 12),
        (GenerateOptions::example(), 30),
    ];
    for (opts, partners) in cases {
        assert_eq!(opts.partner_count(), partners, "{opts:?}");
    }
    assert_eq!(GenerateOptions::default().opportunities, 5_000);
    assert_eq!(GenerateOptions::default().seed, 42);
    let dir = tempfile::tempdir().expect("tempdir");
    let err = generate(dir.path(), &GenerateOptions { partners: Some(3), ..GenerateOptions::default() });
    assert!(matches!(err, Err(GenerateError::InvalidOptions(_))));
}

#[test]
fn small_programs_work() {
    for (opportunities, partners) in [(0, None), (40, Some(10)), (500, Some(11))] {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = generate(dir.path(), &GenerateOptions { opportunities, partners, seed: 1, shared_ids: true }).expect("generate");
        assert_eq!(s.deals, opportunities);
        assert!(s.bad_rows >= 12);
        let deals = read_maps(dir.path(), "truth/deals.csv");
        assert_eq!(deals.len(), opportunities);
    }
}

#[test]
fn summary_lists_every_file() {
    let p = example();
    let want = [
        "watershed.toml",
        "mappings/partners.csv",
        "mappings/partner_aliases.csv",
        "mappings/products.csv",
        "mappings/product_aliases.csv",
        "mappings/regions.csv",
        "mappings/stages.csv",
        "mappings/fx_rates.csv",
        "inbox/crm/opportunities_2026-11-01.csv",
        "inbox/crm/opportunities_2026-11-15.csv",
        "inbox/sheets/channel_pipeline.csv",
        "inbox/partners/northwind_deals.xlsx",
        "inbox/partners/contoso_deals.tsv",
        "inbox/partners/bauer_systemhaus_export.csv",
        "inbox/partners/fabrikam_pipeline.csv",
        "inbox/partners/tailspin_q_report.csv",
        "truth/source_rows.csv",
        "truth/deals.csv",
        "truth/README.md",
    ];
    let files: BTreeSet<String> = p.summary.files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
    for w in want {
        assert!(files.contains(w), "{w} missing from the summary");
    }
    for e in [
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
    ] {
        assert!(files.contains(&format!("inbox/{e}/{e}.csv")), "{e} missing");
    }
    for f in &p.summary.files {
        assert!(p.dir.path().join(f).is_file(), "{} not written", f.display());
    }
    let lineage = lineage(p.dir.path());
    let data = lineage.values().filter(|l| l.kind != "skipped").count();
    let bad = lineage.values().filter(|l| l.kind == "bad").count();
    assert_eq!(p.summary.source_rows, data);
    assert_eq!(p.summary.bad_rows, bad);
    assert_eq!(p.summary.deals, truth_deals(p.dir.path()).len());
    assert_eq!(p.summary.partners, 30);
}

#[test]
fn example_has_the_stated_shape() {
    let p = example();
    let dir = p.dir.path();
    let partners = read_maps(dir, "mappings/partners.csv");
    let deals = truth_deals(dir);
    let n = deals.len();
    let tiers: BTreeSet<&str> = partners.iter().map(|p| p["tier"].as_str()).collect();
    let regions: BTreeSet<&str> = partners.iter().map(|p| p["region"].as_str()).collect();
    let quarters: BTreeSet<String> = deals
        .values()
        .map(|d| {
            let m: u32 = d["close_date"][5..7].parse().expect("month");
            format!("{}-Q{}", &d["close_date"][..4], (m - 1) / 3 + 1)
        })
        .collect();
    assert!(partners.len() >= 25);
    assert_eq!(tiers.len(), 3, "{tiers:?}");
    assert_eq!(regions.len(), 4, "{regions:?}");
    assert!(n >= 5_000);
    assert_eq!(quarters.len(), 8, "{quarters:?}");

    let lineage = lineage(dir);
    let mut sources: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for l in lineage.values().filter(|l| l.kind == "deal") {
        sources.entry(&l.deal_id).or_default().insert(&l.source);
    }
    assert_eq!(sources.len(), n, "every deal has at least one row");
    let multi = sources.values().filter(|s| s.len() > 1).count();
    let by_source = |s: &str| deals.values().filter(|d| d["source"] == s).count();
    let currency = |c: &str| deals.values().filter(|d| d["currency"] == c).count();
    let stage = |s: &str| deals.values().filter(|d| d["stage"] == s).count();
    let influenced = deals.values().filter(|d| d["partners"].contains("influenced")).count();
    let crm = read_table(dir, SPECS[0].rel, b',');
    let (id, dr) = (crm.col("Opportunity ID"), crm.col("Deal Registration ID"));
    let registered: HashSet<&str> = crm.rows.iter().filter(|(_, r)| !r[dr].is_empty()).map(|(_, r)| r[id].as_str()).collect();
    let crm_deals: HashSet<&str> = crm.rows.iter().map(|(_, r)| r[id].as_str()).collect();
    let delta = read_table(dir, SPECS[1].rel, b',');
    let delta_deals: HashSet<&str> = delta.rows.iter().map(|(_, r)| r[0].as_str()).collect();
    let won = stage("closed_won");
    let lost = stage("closed_lost");
    let stale = deals.values().filter(|d| !d["stage"].starts_with("closed") && d["close_date"].as_str() < "2026-11-15").count();
    let checks: [(&str, f64, f64, f64); 13] = [
        ("multi-source deals %", pct(multi, n), 13.0, 17.0),
        ("CRM deals %", pct(by_source("crm"), n), 83.0, 87.0),
        ("sheet-only deals %", pct(by_source("sheets"), n), 5.5, 8.5),
        ("partner-only deals %", pct(by_source("partner_files"), n), 6.5, 9.5),
        ("influenced %", pct(influenced, n), 21.0, 29.0),
        ("registered %", pct(registered.len(), n), 26.0, 34.0),
        ("USD %", pct(currency("USD"), n), 75.0, 85.0),
        ("EUR %", pct(currency("EUR"), n), 9.0, 16.0),
        ("GBP %", pct(currency("GBP"), n), 5.0, 11.0),
        ("won of closed %", pct(won, won + lost), 50.0, 60.0),
        ("closed %", pct(won + lost, n), 80.0, 95.0),
        ("stale open %", pct(stale, n), 0.5, 6.0),
        ("delta of CRM %", pct(delta_deals.len(), crm_deals.len()), 4.0, 6.0),
    ];
    for (what, value, lo, hi) in checks {
        assert!((lo..=hi).contains(&value), "{what} = {value:.2}, want {lo}..{hi}");
    }
    for d in deals.values() {
        let created = parse_date(&d["created_date"], Dates::Iso).expect("created");
        let close = parse_date(&d["close_date"], Dates::Iso).expect("close");
        let cycle = day_number(&close) - day_number(&created);
        assert!((20..=200).contains(&cycle), "cycle of {cycle} days: {d:?}");
        assert!(d["close_date"].as_str() >= "2025-01-01" && d["close_date"].as_str() <= "2026-12-31");
        let amount = parse_amount(&d["amount_original"], false).expect("amount");
        // Up to 400,000 in the deal currency; a GBP deal the sheet reports in USD is more.
        assert!((300_000..=60_000_000).contains(&amount), "{d:?}");
        if !d["stage"].starts_with("closed") && d["close_date"].as_str() > "2026-11-15" {
            assert!(d["created_date"].as_str() < "2026-11-01");
        }
    }
    // Partner volume is skewed: the biggest partner has several times the median's deals.
    let mut sourced: HashMap<&str, usize> = HashMap::new();
    for d in deals.values() {
        *sourced.entry(&d["partners"][..4]).or_default() += 1;
    }
    let mut counts: Vec<usize> = sourced.values().copied().collect();
    counts.sort_unstable();
    assert!(counts[counts.len() - 1] >= 3 * counts[counts.len() / 2], "{counts:?}");
}

#[test]
fn lineage_points_at_the_right_physical_lines() {
    let p = example();
    let dir = p.dir.path();
    let lineage = lineage(dir);
    let deals = truth_deals(dir);
    let mut bad_count = 0;
    for spec in &SPECS {
        let text = read_text(dir, spec.rel);
        let lines = physical_lines(&text);
        let header_line = if spec.rel.contains("tailspin") {
            3
        } else if spec.rel.contains("northwind") {
            4
        } else {
            1
        };
        let header_start: String = spec.partner.chars().take(3).collect();
        let header = lines[header_line - 1];
        assert!(header.contains(spec.amount) && header.contains(&header_start), "{}: header not at line {header_line}: {header}", spec.rel);
        for (i, line) in lines.iter().enumerate() {
            let no = i as u64 + 1;
            if no == header_line as u64 {
                assert!(!lineage.contains_key(&(spec.locator.to_owned(), no)));
                continue;
            }
            let l = lineage.get(&(spec.locator.to_owned(), no)).unwrap_or_else(|| panic!("{}:{no} not in source_rows.csv", spec.locator));
            assert_eq!(l.source, spec.source);
            match l.kind.as_str() {
                "skipped" => assert!(
                    match l.note.as_str() {
                        "blank line" => line.is_empty(),
                        "comment line" => line.starts_with('#'),
                        "total row" => line.starts_with("TOTAL"),
                        "footnote" => line.starts_with('*') && !line.contains(','),
                        "title line" => no < header_line as u64 && !line.contains('\t'),
                        _ => false,
                    },
                    "{}:{no} is not skippable as {}: {line}",
                    spec.locator,
                    l.note
                ),
                "deal" => {
                    let d = &deals[&l.deal_id];
                    assert!(line.contains(&d["external_id"]), "{}:{no} does not mention {}: {line}", spec.rel, d["external_id"]);
                }
                "bad" => {
                    bad_count += 1;
                    assert!(l.deal_id.is_empty());
                    let token = l.note.split('\'').nth(1).unwrap_or("");
                    if !token.is_empty() {
                        assert!(line.contains(token), "{}:{no} lacks {token}: {line}", spec.rel);
                    }
                }
                other => panic!("unknown kind {other}"),
            }
        }
        let listed = lineage.keys().filter(|(f, _)| f == spec.locator).count();
        assert_eq!(listed, lines.len() - 1, "{}: every non-header line is listed once", spec.rel);
    }
    assert_eq!(bad_count, p.summary.bad_rows);
    let skipped: Vec<&str> = lineage.values().filter(|l| l.kind == "skipped").map(|l| l.note.as_str()).collect();
    for note in ["blank line", "comment line", "total row", "title line", "footnote"] {
        assert!(skipped.contains(&note), "no {note}");
    }
}

#[test]
fn partner_cells_resolve_and_bad_rows_have_their_defect() {
    let p = example();
    let dir = p.dir.path();
    let partners = partner_index(dir);
    let products = product_index(dir);
    let stages = stage_index(dir);
    let regions = region_index(dir);
    let fx_currencies: HashSet<String> = read_maps(dir, "mappings/fx_rates.csv").into_iter().map(|r| r["currency"].clone()).collect();
    let lineage = lineage(dir);
    let deals = truth_deals(dir);
    let mut codes = BTreeSet::new();
    let mut variants = 0;
    let masters: HashSet<String> =
        read_maps(dir, "mappings/partners.csv").into_iter().flat_map(|p| [p["partner_id"].clone(), p["name"].clone()]).collect();
    for spec in &SPECS {
        let t = read_table(dir, spec.rel, spec.delim);
        let col = |name: &str| t.col(name);
        let (pc, cc, ac, sc, dc, prc, coc) = (
            col(spec.partner),
            col(spec.customer),
            col(spec.amount),
            col(spec.stage),
            col(spec.close),
            col(spec.product),
            col(spec.country),
        );
        let cur = spec.currency.map(col);
        for (line, r) in &t.rows {
            let l = &lineage[&(spec.locator.to_owned(), *line)];
            if l.kind == "skipped" {
                continue;
            }
            let partner = partners.get(&normalize(&r[pc]));
            let stage_ok = stages.contains_key(&(spec.source.to_owned(), normalize(&r[sc])));
            let product_ok = products.contains_key(&normalize(&r[prc]));
            let currency = match cur {
                Some(c) => r[c].clone(),
                None => spec.fixed_currency.unwrap_or("USD").to_owned(),
            };
            let currency_ok = currency == "USD" || fx_currencies.contains(&currency);
            let amount_ok = parse_amount(&r[ac], spec.european).is_some();
            let close_ok = parse_date(&r[dc], spec.dates).is_some();
            if l.kind == "deal" {
                let id = partner.unwrap_or_else(|| panic!("{}:{line}: partner {} unresolved", spec.rel, r[pc]));
                assert!(deals[&l.deal_id]["partners"].contains(id.as_str()), "{}:{line}: {id} is not a partner of {}", spec.rel, l.deal_id);
                if !masters.contains(&r[pc]) {
                    variants += 1;
                }
                assert!(stage_ok && product_ok && currency_ok && amount_ok && close_ok, "{}:{line}: {r:?}", spec.rel);
                assert!(!r[cc].is_empty());
                assert!(regions.contains_key(&normalize(&r[coc])), "{}:{line}: country {}", spec.rel, r[coc]);
                continue;
            }
            assert_eq!(l.kind, "bad", "{}:{line}: {r:?}", spec.rel);
            let code = l.note.split(':').next().unwrap_or("").to_owned();
            let (defect, others_ok) = match code.as_str() {
                "unknown_partner" => (partner.is_none(), stage_ok && product_ok && currency_ok && amount_ok && close_ok),
                "bad_amount" => (r[ac] == "TBD" && !amount_ok, partner.is_some() && stage_ok && product_ok && close_ok),
                "bad_date" => {
                    let invalid = [Dates::Iso, Dates::Us, Dates::De, Dates::Uk]
                        .into_iter()
                        .all(|f| parse_date(&r[dc].replace('/', f_sep(f)), f).is_none());
                    (invalid, partner.is_some() && stage_ok && product_ok && amount_ok)
                }
                "missing_customer" => (r[cc].is_empty(), partner.is_some() && stage_ok && product_ok && amount_ok && close_ok),
                "unknown_stage" => (!stage_ok, partner.is_some() && product_ok && amount_ok && close_ok),
                "no_fx_rate" => (!currency_ok && currency == "CHF", partner.is_some() && stage_ok && product_ok && amount_ok && close_ok),
                "unknown_product" => (!product_ok, partner.is_some() && stage_ok && amount_ok && close_ok),
                other => panic!("unknown defect code {other}"),
            };
            assert!(defect, "{}:{line}: {code} not present in {r:?}", spec.rel);
            assert!(others_ok, "{}:{line}: {code} row has another defect: {r:?}", spec.rel);
            if code != "missing_customer" {
                assert!(!r[cc].is_empty());
            }
            codes.insert(code);
        }
    }
    assert_eq!(codes.len(), 7, "every defect kind is present: {codes:?}");
    assert!(variants > 0, "some partner cells are suffix variants or aliases");
}

fn f_sep(f: Dates) -> &'static str {
    match f {
        Dates::Iso => "-",
        Dates::Us | Dates::Uk => "/",
        Dates::De => ".",
    }
}

#[test]
fn truth_holds_the_surviving_values() {
    let p = example();
    let dir = p.dir.path();
    let deals = truth_deals(dir);
    let lineage = lineage(dir);
    let stages = stage_index(dir);
    let products = product_index(dir);
    let relisted: HashSet<&str> = lineage.iter().filter(|((f, _), _)| f.ends_with("11-15.csv")).map(|(_, l)| l.deal_id.as_str()).collect();
    let mut seen: HashSet<String> = HashSet::new();
    for spec in &SPECS {
        let t = read_table(dir, spec.rel, spec.delim);
        let ext = t.col(spec.ext);
        let reference = t.col(spec.reference);
        let cur = spec.currency.map(|c| t.col(c));
        let created = t.header.iter().position(|h| h.starts_with("Created") || h == "Opened" || h == "Erstellt").expect("created column");
        for (line, r) in &t.rows {
            let l =
                lineage.get(&(spec.locator.to_owned(), *line)).unwrap_or_else(|| panic!("{}:{line} not in lineage: {r:?}", spec.locator));
            if l.kind != "deal" {
                continue;
            }
            let d = &deals[&l.deal_id];
            if d["source"] != spec.source {
                // A re-report: it must carry the CRM id in its reference column.
                assert_eq!(d["source"], "crm");
                assert_eq!(r[reference], d["external_id"], "{}:{line}", spec.rel);
                continue;
            }
            if spec.source != "crm" {
                assert!(r[reference].is_empty(), "{}:{line}: single-source deal with a reference", spec.rel);
            }
            // CRM: only the final version (delta file if re-listed) must match.
            if !spec.rel.ends_with("11-15.csv") && relisted.contains(l.deal_id.as_str()) {
                continue;
            }
            seen.insert(l.deal_id.clone());
            assert_eq!(r[ext], d["external_id"], "{}:{line}", spec.rel);
            let currency = match cur {
                Some(c) => r[c].clone(),
                None => spec.fixed_currency.unwrap_or("USD").to_owned(),
            };
            assert_eq!(currency, d["currency"], "{}:{line}", spec.rel);
            assert_eq!(
                parse_amount(&r[t.col(spec.amount)], spec.european),
                parse_amount(&d["amount_original"], false),
                "{}:{line}",
                spec.rel
            );
            let stage = &stages[&(spec.source.to_owned(), normalize(&r[t.col(spec.stage)]))];
            assert_eq!(stage, &d["stage"], "{}:{line}", spec.rel);
            assert_eq!(parse_date(&r[t.col(spec.close)], spec.dates).as_ref(), Some(&d["close_date"]));
            assert_eq!(parse_date(&r[created], spec.dates).as_ref(), Some(&d["created_date"]));
            assert_eq!(r[t.col(spec.customer)], d["customer_name"]);
            assert_eq!(r[t.col(spec.country)], d["customer_country"]);
            assert_eq!(products[&normalize(&r[t.col(spec.product)])], d["product_id"]);
        }
    }
    assert_eq!(seen.len(), deals.len(), "every deal's surviving row was checked");
}

#[test]
fn file_formats_are_as_messy_as_promised() {
    let p = example();
    let dir = p.dir.path();
    let bauer = std::fs::read(dir.join("inbox/partners/bauer_systemhaus_export.csv")).expect("read");
    assert!(std::str::from_utf8(&bauer).is_err(), "Bauer's export is Windows-1252, not UTF-8");
    assert!(bauer.windows(2).any(|w| w == b"\r\n"), "Bauer's export has CRLF line ends");
    let text = read_text(dir, "inbox/partners/bauer_systemhaus_export.csv");
    assert!(text.chars().any(|c| "äöüß".contains(c)), "German characters survive");
    assert!(text.lines().nth(1).is_some_and(|l| l.matches(';').count() == 9));
    let fabrikam = std::fs::read(dir.join("inbox/partners/fabrikam_pipeline.csv")).expect("read");
    assert!(fabrikam.starts_with(b"\xEF\xBB\xBF"), "Fabrikam's file has a BOM");
    // Slash-date columns are decidable from their values: some day is above 12.
    for (rel, day_first, cols) in [
        ("inbox/partners/fabrikam_pipeline.csv", true, ["Close Date", "Created"]),
        ("inbox/partners/tailspin_q_report.csv", false, ["Close Date", "Created Date"]),
        ("inbox/sheets/channel_pipeline.csv", false, ["Close", "Created"]),
    ] {
        let t = read_table(dir, rel, b',');
        for name in cols {
            let c = t.col(name);
            let decidable = t.rows.iter().any(|(_, r)| {
                let parts: Vec<&str> = r[c].split('/').collect();
                parts.len() == 3 && parts[usize::from(!day_first)].parse::<u32>().is_ok_and(|d| d > 12)
            });
            assert!(decidable, "{rel}: column {name} is ambiguous");
        }
    }
    let contoso_bytes = std::fs::read(dir.join("inbox/partners/contoso_deals.tsv")).expect("read");
    assert!(contoso_bytes.starts_with(b"\xFF\xFE"), "Contoso's export is UTF-16 LE with a BOM");
    assert!(contoso_bytes.windows(4).any(|w| w == b"\r\x00\n\x00"), "Contoso's export has CRLF line ends");
    let contoso = read_text(dir, "inbox/partners/contoso_deals.tsv");
    assert_eq!(contoso.lines().next().map(|l| l.split('\t').count()), Some(11));
    let northwind = std::fs::read(dir.join("inbox/partners/northwind_deals.xlsx")).expect("read");
    assert!(northwind.starts_with(b"PK\x03\x04"), "Northwind sends a workbook");
    let rows = sheet_rows(dir, "inbox/partners/northwind_deals.xlsx");
    assert_eq!(rows[0], vec!["Northwind Traders \u{2014} Deal Register"], "a title above the header");
    assert!(rows[2].is_empty() && rows[3][0] == "Reseller", "a blank row, then the header on row 4");
    let table = read_table(dir, "inbox/partners/northwind_deals.xlsx", b',');
    let close = table.col("Expected Close");
    assert!(table.rows.iter().filter(|(_, r)| parse_date(&r[close], Dates::Iso).is_some()).count() > 100, "real dates");
    let tailspin = read_text(dir, "inbox/partners/tailspin_q_report.csv");
    let lines = physical_lines(&tailspin);
    assert_eq!(lines[0], "# Tailspin Integrators deal report");
    assert_eq!(lines[1], "# exported 2026-11-14");
    assert!(lines.iter().any(|l| l.is_empty()));
    assert!(lines.last().is_some_and(|l| l.starts_with("* ")), "a footnote closes the report");
    let last = read_table(dir, "inbox/partners/tailspin_q_report.csv", b',');
    let amount = last.col("Amount (USD)");
    let totals = last.rows.iter().position(|(_, r)| r[0] == "TOTAL").expect("a TOTAL row");
    assert_eq!(totals, last.rows.len() - 2, "the TOTAL row is above the footnote");
    let total = &last.rows[totals].1;
    assert!(total.iter().enumerate().all(|(i, c)| i == 0 || i == amount || c.is_empty()));
    let sum: i64 = last.rows[..totals].iter().filter_map(|(_, r)| parse_amount(&r[amount], false)).sum();
    assert_eq!(parse_amount(&total[amount], false), Some(sum));
    let sheet = read_text(dir, "inbox/sheets/channel_pipeline.csv");
    assert!(physical_lines(&sheet).iter().any(|l| l.is_empty()), "the sheet has blank lines");
    assert!(sheet.contains("\"$"), "sheet amounts like \"$125,000\"");
    // CRM ids: 18 characters, unique per opportunity.
    let crm = read_table(dir, SPECS[0].rel, b',');
    let ids: BTreeSet<&str> = crm.rows.iter().map(|(_, r)| r[0].as_str()).collect();
    assert!(ids.iter().all(|id| id.len() == 18 && id.starts_with("006")));
    let multi_link = crm.rows.len() - ids.len();
    assert!(multi_link > 0, "deals with several partners have several rows");
}

#[test]
fn config_and_mappings_are_consistent() {
    let p = example();
    let dir = p.dir.path();
    let text = std::fs::read_to_string(dir.join("watershed.toml")).expect("toml");
    let cfg: toml::Table = text.parse().expect("valid toml");
    let top: BTreeSet<&str> = cfg.keys().map(String::as_str).collect();
    assert_eq!(top, BTreeSet::from(["alerts", "metrics", "program", "quality", "resolve", "sources", "store", "tiers"]));
    assert_eq!(cfg["program"]["fiscal_year_start_month"].as_integer(), Some(1));
    assert_eq!(cfg["metrics"]["cycle_ceiling_days"].as_integer(), Some(180));
    let sources = cfg["sources"].as_array().expect("sources");
    let allowed: BTreeSet<&str> = BTreeSet::from(["name", "kind", "path", "entity", "partner", "currency", "date_format", "columns"]);
    for s in sources {
        let t = s.as_table().expect("table");
        for k in t.keys() {
            assert!(allowed.contains(k.as_str()), "unexpected key {k}");
        }
    }
    let names: Vec<&str> = sources.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(&names[..3], ["crm", "sheets", "partner_files"]);
    assert_eq!(names.len(), 17);
    for s in &sources[3..] {
        let e = s["entity"].as_str().expect("entity");
        assert_eq!(s["path"].as_str(), Some(format!("inbox/{e}/*.csv").as_str()));
        assert!(dir.join(format!("inbox/{e}/{e}.csv")).is_file());
    }
    // No partner-file header needs a mapping: Watershed's detector binds every one
    // (the sheet's free-text Notes column maps to no canonical field).
    assert!(sources[2].get("columns").is_none(), "partner_files needs no [sources.columns]");
    assert_eq!(sources[2]["path"].as_str(), Some("inbox/partners/*"));
    for spec in &SPECS {
        let t = read_table(dir, spec.rel, spec.delim);
        let (binding, bound) =
            watershed_ingest::bind_columns(&t.header, watershed_model::Entity::Opportunities, &std::collections::BTreeMap::new());
        for b in bound.iter().filter(|b| b.header != "Notes") {
            assert!(b.field.is_some() && b.confidence >= 0.95, "{}: header {} is not recognized: {b:?}", spec.rel, b.header);
        }
        for (header, field) in [
            (spec.partner, "partner"),
            (spec.customer, "customer_name"),
            (spec.amount, "amount"),
            (spec.stage, "stage"),
            (spec.close, "close_date"),
            (spec.product, "product"),
            (spec.country, "customer_country"),
        ] {
            assert_eq!(binding.columns[t.col(header)], Some(field), "{}: {header}", spec.rel);
        }
    }
    // Mapping tables.
    let fx = read_maps(dir, "mappings/fx_rates.csv");
    for (cur, lo, hi) in [("EUR", 1.05, 1.15), ("GBP", 1.22, 1.32)] {
        let months: Vec<&HashMap<String, String>> = fx.iter().filter(|r| r["currency"] == cur).collect();
        assert_eq!(months.len(), 33, "{cur}: 2024-10 … 2027-06");
        for r in months {
            let rate: f64 = r["rate"].parse().expect("rate");
            assert!((lo..=hi).contains(&rate), "{cur} {}", r["rate"]);
            assert_eq!(r["rate"].split('.').nth(1).map(str::len), Some(4));
        }
    }
    assert!(fx.iter().all(|r| r["currency"] != "USD" && r["currency"] != "CHF"));
    let regions = read_maps(dir, "mappings/regions.csv");
    assert!(regions.len() >= 40);
    for a in ["United States", "US", "USA", "Germany", "DE", "Deutschland", "United Kingdom", "UK", "GB"] {
        assert!(regions.iter().any(|r| r["alias"] == a), "{a} in regions.csv");
    }
    let aliases = read_maps(dir, "mappings/partner_aliases.csv");
    for i in 1..=30 {
        let id = format!("P{i:03}");
        assert!(aliases.iter().filter(|a| a["partner_id"] == id).count() >= 2, "{id} has 2 aliases");
    }
    let products = read_maps(dir, "mappings/products.csv");
    let families: BTreeSet<&str> = products.iter().map(|p| p["family"].as_str()).collect();
    assert_eq!((products.len(), families.len()), (12, 4));
    let partners = read_maps(dir, "mappings/partners.csv");
    assert!(partners.iter().any(|p| p["status"] == "inactive"));
    let types: BTreeSet<&str> = partners.iter().map(|p| p["partner_type"].as_str()).collect();
    assert_eq!(types.len(), 6, "{types:?}");
}

#[test]
fn other_entities_cover_every_partner_and_quarter() {
    let p = example();
    let dir = p.dir.path();
    let partners: Vec<String> = read_maps(dir, "mappings/partners.csv").into_iter().map(|p| p["partner_id"].clone()).collect();
    let periods: Vec<String> = (0..8).map(|q| format!("FY{}-Q{}", 2025 + q / 4, q % 4 + 1)).collect();
    let quarter = |date: &str| {
        let m: usize = date[5..7].parse().expect("month");
        format!("FY{}-Q{}", &date[..4], (m - 1) / 3 + 1)
    };
    for (entity, period_col, date_col) in [
        ("targets", Some("period"), None),
        ("mdf_allocations", Some("period"), None),
        ("csat_responses", None, Some("date")),
        ("nps_responses", None, Some("date")),
        ("support_tickets", None, Some("opened_date")),
        ("mdf_requests", None, Some("submitted_date")),
        ("portal_activity", None, Some("month")),
    ] {
        let rows = read_maps(dir, &format!("inbox/{entity}/{entity}.csv"));
        let covered: HashSet<(String, String)> = rows
            .iter()
            .map(|r| {
                let period = match (period_col, date_col) {
                    (Some(c), _) => r[c].clone(),
                    (_, Some(c)) => quarter(&r[c]),
                    _ => unreachable!(),
                };
                (r["partner_id"].clone(), period)
            })
            .collect();
        for pid in &partners {
            for period in &periods {
                assert!(covered.contains(&(pid.clone(), period.clone())), "{entity}: {pid} {period}");
            }
        }
    }
    // Every deal's registration id exists, for the sourced partner.
    let regs: HashMap<String, HashMap<String, String>> =
        read_maps(dir, "inbox/deal_registrations/deal_registrations.csv").into_iter().map(|r| (r["registration_id"].clone(), r)).collect();
    let statuses: BTreeSet<&str> = regs.values().map(|r| r["status"].as_str()).collect();
    assert_eq!(statuses, BTreeSet::from(["approved", "expired", "lost", "rejected", "submitted", "won"]));
    let crm = read_table(dir, SPECS[0].rel, b',');
    let (dr, role, partner, oid) =
        (crm.col("Deal Registration ID"), crm.col("Partner Role"), crm.col("Partner Account"), crm.col("Opportunity ID"));
    let index = partner_index(dir);
    for (_, r) in &crm.rows {
        if r[dr].is_empty() || r[role] != "Sourced" {
            continue;
        }
        let reg = &regs[&r[dr]];
        assert_eq!(Some(&reg["partner_id"]), index.get(&normalize(&r[partner])));
        assert_eq!(reg["opportunity_id"], r[oid]);
        assert!(reg["submitted_at"].len() == 19 && reg["submitted_at"].contains('T'));
    }
    // Certifications expiring within 90 days of 2026-11-15.
    let certs = read_maps(dir, "inbox/certifications/certifications.csv");
    let soon = certs.iter().filter(|c| c["expires_date"].as_str() > "2026-11-15" && c["expires_date"].as_str() <= "2027-02-13").count();
    assert!(soon >= 5, "{soon} certifications expire soon");
    let kinds: BTreeSet<String> = read_maps(dir, "inbox/events/events.csv").into_iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    let tickets = read_maps(dir, "inbox/support_tickets/support_tickets.csv");
    assert!(tickets.iter().all(|t| ["true", "false"].contains(&t["escalated"].as_str())));
    let nps = read_maps(dir, "inbox/nps_responses/nps_responses.csv");
    assert!(nps.iter().all(|r| r["score"].parse::<u8>().is_ok_and(|s| s <= 10)));
    let costs = read_maps(dir, "inbox/partner_costs/partner_costs.csv");
    let cost_types: BTreeSet<&str> = costs.iter().map(|c| c["cost_type"].as_str()).collect();
    assert_eq!(cost_types.len(), 5, "{cost_types:?}");
    let types: HashMap<String, String> =
        read_maps(dir, "mappings/partners.csv").into_iter().map(|p| (p["partner_id"].clone(), p["partner_type"].clone())).collect();
    let pos = read_maps(dir, "inbox/pos_lines/pos_lines.csv");
    assert!(!pos.is_empty());
    for l in &pos {
        assert_eq!(types[&l["distributor"]], "distributor");
        assert_eq!(types[&l["partner_id"]], "reseller");
        assert_eq!(l["currency"], "USD");
    }
    let trainings = read_maps(dir, "inbox/trainings/trainings.csv");
    let done = trainings.iter().filter(|t| !t["completed_date"].is_empty()).count();
    assert!(done > 0 && done < trainings.len());
    let implementations = read_maps(dir, "inbox/implementations/implementations.csv");
    assert!(implementations.iter().any(|i| !i["go_live_date"].is_empty()));
}

#[test]
#[ignore = "timing benchmark: run with --release --ignored"]
fn one_million_opportunities() {
    let dir = tempfile::tempdir().expect("tempdir");
    let start = std::time::Instant::now();
    let s =
        generate(dir.path(), &GenerateOptions { opportunities: 1_000_000, partners: None, seed: 42, shared_ids: true }).expect("generate");
    let elapsed = start.elapsed();
    eprintln!("1,000,000 opportunities in {elapsed:.2?}: {s:?}");
    assert_eq!(s.deals, 1_000_000);
    assert_eq!(s.partners, 2_500);
    assert!(elapsed.as_secs() < 30);
}
