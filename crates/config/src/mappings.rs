//! The governed mapping tables in `mappings/`: partner master data, aliases, products,
//! regions, per-source stage names and FX rates. People edit these CSV files; they are
//! the source of truth for normalization.

use crate::error::{ConfigError, Problem};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;
use watershed_model::{Partner, PartnerStatus, Stage};

/// A product from `products.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Stable id.
    pub product_id: String,
    /// Display name.
    pub name: String,
    /// Product family (used in segmentation and matching).
    pub family: Option<String>,
}

/// A row of `stages.csv`: `source`'s `raw_stage` means canonical `stage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMapping {
    /// Source name, or `*` for every source.
    pub source: String,
    /// The stage as the source writes it.
    pub raw_stage: String,
    /// The canonical stage.
    pub stage: Stage,
}

/// A row of `fx_rates.csv`: one unit of `currency` is `rate` reporting-currency units in `month`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FxRate {
    /// ISO code, upper case.
    pub currency: String,
    /// (year, month).
    pub month: (i32, u32),
    /// Reporting-currency units per unit.
    pub rate: Decimal,
}

/// Every mapping table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mappings {
    /// Partner master data.
    pub partners: Vec<Partner>,
    /// (alias, partner_id).
    pub partner_aliases: Vec<(String, String)>,
    /// Products.
    pub products: Vec<Product>,
    /// (alias, product_id): SKUs, misspellings.
    pub product_aliases: Vec<(String, String)>,
    /// (alias, region): countries, states, codes.
    pub regions: Vec<(String, String)>,
    /// Per-source stage names.
    pub stages: Vec<StageMapping>,
    /// FX rates per currency and month.
    pub fx_rates: Vec<FxRate>,
    /// Governed corrections of individual source cells.
    pub corrections: Vec<Correction>,
}

/// A row of `corrections.csv`: the value `field` takes in one source row, replacing
/// what the file says. For data errors no mapping can fix (`TBD` amounts, impossible
/// dates); recorded, reviewable and audited like every mapping change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// Source name.
    pub source: String,
    /// Input path as stored (relative to the project).
    pub file: String,
    /// Line of the row in the input.
    pub line: u64,
    /// Canonical field.
    pub field: String,
    /// The corrected value, as text.
    pub value: String,
}

/// A mapping file's name and its bytes, as read (for the project fingerprint).
pub type TableBytes = (String, Vec<u8>);

/// The tables, in load order: file name and required columns.
const TABLES: &[(&str, &[&str])] = &[
    ("partners.csv", &["partner_id", "name"]),
    ("partner_aliases.csv", &["alias", "partner_id"]),
    ("products.csv", &["product_id", "name"]),
    ("product_aliases.csv", &["alias", "product_id"]),
    ("regions.csv", &["alias", "region"]),
    ("stages.csv", &["source", "raw_stage", "stage"]),
    ("fx_rates.csv", &["currency", "month", "rate"]),
    ("corrections.csv", &["source", "file", "line", "field", "value"]),
];

/// Loads `dir`'s mapping tables. Returns them with each file's bytes (for the project
/// fingerprint). `partners.csv` is required; a missing other table is empty.
pub fn load_mappings(dir: &Path) -> Result<(Mappings, Vec<TableBytes>), ConfigError> {
    let mut m = Mappings::default();
    let mut problems = Vec::new();
    let mut bytes_seen = Vec::new();
    for (file, required) in TABLES {
        let path = dir.join(file);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && *file != "partners.csv" => continue,
            Err(e) => {
                problems.push(Problem {
                    file: path.clone(),
                    line: None,
                    column: None,
                    message: format!("cannot read the mapping table: {e}"),
                    help: Some("every project needs mappings/partners.csv (partner_id,name,tier,…)".into()),
                });
                continue;
            }
        };
        let mut table = Table::new(&path, &bytes, required, &mut problems);
        while let Some(row) = table.next_row(&mut problems) {
            match *file {
                "partners.csv" => {
                    let status_text = row.get("status").unwrap_or_default();
                    let status = PartnerStatus::parse(&status_text).unwrap_or_else(|| {
                        row.problem(&mut problems, "status", format!("status `{status_text}` is not active or inactive"));
                        PartnerStatus::Active
                    });
                    m.partners.push(Partner {
                        partner_id: row.get("partner_id").unwrap_or_default(),
                        name: row.get("name").unwrap_or_default(),
                        tier: row.get("tier"),
                        segment: row.get("segment"),
                        region: row.get("region"),
                        partner_type: row.get("partner_type"),
                        partner_manager: row.get("partner_manager"),
                        account_manager: row.get("account_manager"),
                        start_date: row.date("start_date", &mut problems),
                        contract_end_date: row.date("contract_end_date", &mut problems),
                        status,
                    });
                }
                "partner_aliases.csv" => {
                    m.partner_aliases.push((row.get("alias").unwrap_or_default(), row.get("partner_id").unwrap_or_default()))
                }
                "products.csv" => m.products.push(Product {
                    product_id: row.get("product_id").unwrap_or_default(),
                    name: row.get("name").unwrap_or_default(),
                    family: row.get("family"),
                }),
                "product_aliases.csv" => {
                    m.product_aliases.push((row.get("alias").unwrap_or_default(), row.get("product_id").unwrap_or_default()))
                }
                "regions.csv" => m.regions.push((row.get("alias").unwrap_or_default(), row.get("region").unwrap_or_default())),
                "stages.csv" => {
                    let text = row.get("stage").unwrap_or_default();
                    match Stage::from_str(&text.to_ascii_lowercase()) {
                        Ok(stage) => m.stages.push(StageMapping {
                            source: row.get("source").unwrap_or_default(),
                            raw_stage: row.get("raw_stage").unwrap_or_default(),
                            stage,
                        }),
                        Err(_) => row.problem(&mut problems, "stage", format!("`{text}` is not a canonical stage (prospecting, qualification, proposal, negotiation, closed_won, closed_lost)")),
                    }
                }
                "corrections.csv" => {
                    let line_text = row.get("line").unwrap_or_default();
                    match line_text.parse::<u64>() {
                        Ok(line) => m.corrections.push(Correction {
                            source: row.get("source").unwrap_or_default(),
                            file: row.get("file").unwrap_or_default(),
                            line,
                            field: row.get("field").unwrap_or_default(),
                            value: row.get("value").unwrap_or_default(),
                        }),
                        Err(_) => row.problem(&mut problems, "line", format!("line `{line_text}` is not a line number")),
                    }
                }
                "fx_rates.csv" => {
                    let currency = row.get("currency").unwrap_or_default().to_ascii_uppercase();
                    let month_text = row.get("month").unwrap_or_default();
                    let month = NaiveDate::parse_from_str(&format!("{month_text}-01"), "%Y-%m-%d")
                        .ok()
                        .map(|d| (chrono::Datelike::year(&d), chrono::Datelike::month(&d)));
                    let rate_text = row.get("rate").unwrap_or_default();
                    let rate = Decimal::from_str(&rate_text).ok().filter(|r| *r > Decimal::ZERO);
                    match (month, rate) {
                        (Some(month), Some(rate)) => m.fx_rates.push(FxRate { currency, month, rate }),
                        (None, _) => row.problem(&mut problems, "month", format!("month `{month_text}` is not YYYY-MM")),
                        (_, None) => row.problem(&mut problems, "rate", format!("rate `{rate_text}` is not a positive number")),
                    }
                }
                _ => {}
            }
        }
        bytes_seen.push((file.to_string(), bytes));
    }
    check_references(dir, &m, &mut problems);
    if problems.is_empty() { Ok((m, bytes_seen)) } else { Err(ConfigError { problems }) }
}

/// Ids must be unique and aliases must point at existing ids.
fn check_references(dir: &Path, m: &Mappings, problems: &mut Vec<Problem>) {
    let mut push = |file: &str, message: String, help: &str| {
        problems.push(Problem { file: dir.join(file), line: None, column: None, message, help: Some(help.to_string()) })
    };
    let mut partner_ids = BTreeSet::new();
    for p in &m.partners {
        if p.partner_id.is_empty() {
            push("partners.csv", format!("partner `{}` has no partner_id", p.name), "every partner needs a unique id");
        } else if !partner_ids.insert(p.partner_id.as_str()) {
            push("partners.csv", format!("partner_id `{}` appears twice", p.partner_id), "partner ids must be unique");
        }
    }
    for (alias, id) in &m.partner_aliases {
        if !partner_ids.contains(id.as_str()) {
            push(
                "partner_aliases.csv",
                format!("alias `{alias}` points at partner_id `{id}`, which is not in partners.csv"),
                "add the partner to partners.csv or fix the id",
            );
        }
    }
    let product_ids: BTreeSet<&str> = m.products.iter().map(|p| p.product_id.as_str()).collect();
    for (alias, id) in &m.product_aliases {
        if !product_ids.contains(id.as_str()) {
            push(
                "product_aliases.csv",
                format!("alias `{alias}` points at product_id `{id}`, which is not in products.csv"),
                "add the product to products.csv or fix the id",
            );
        }
    }
}

/// A CSV mapping table being read, with the positions of its columns.
struct Table<'a> {
    path: &'a Path,
    reader: csv::Reader<&'a [u8]>,
    headers: Vec<String>,
    ok: bool,
}

struct Row<'a> {
    path: &'a Path,
    line: usize,
    headers: &'a [String],
    record: csv::StringRecord,
}

impl<'a> Table<'a> {
    fn new(path: &'a Path, bytes: &'a [u8], required: &[&str], problems: &mut Vec<Problem>) -> Self {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let headers: Vec<String> = reader.headers().map(|h| h.iter().map(|s| s.trim().to_ascii_lowercase()).collect()).unwrap_or_default();
        let mut ok = true;
        for col in required {
            if !headers.iter().any(|h| h == col) {
                ok = false;
                problems.push(Problem {
                    file: path.to_path_buf(),
                    line: Some(1),
                    column: None,
                    message: format!("missing column `{col}`"),
                    help: Some(format!("the header row must contain: {}", required.join(","))),
                });
            }
        }
        Table { path, reader, headers, ok }
    }

    fn next_row(&mut self, problems: &mut Vec<Problem>) -> Option<Row<'_>> {
        if !self.ok {
            return None;
        }
        loop {
            let mut record = csv::StringRecord::new();
            match self.reader.read_record(&mut record) {
                Ok(false) => return None,
                Ok(true) => {
                    if record.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    let line = record.position().map_or(0, |p| p.line() as usize);
                    return Some(Row { path: self.path, line, headers: &self.headers, record });
                }
                Err(e) => {
                    problems.push(Problem {
                        file: self.path.to_path_buf(),
                        line: e.position().map(|p| p.line() as usize),
                        column: None,
                        message: format!("unreadable CSV: {e}"),
                        help: Some("save the table as UTF-8 CSV with a header row".into()),
                    });
                    return None;
                }
            }
        }
    }
}

impl Row<'_> {
    /// The trimmed value of `column`, `None` when absent or empty.
    fn get(&self, column: &str) -> Option<String> {
        let i = self.headers.iter().position(|h| h == column)?;
        let v = self.record.get(i)?.trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    fn problem(&self, problems: &mut Vec<Problem>, column: &str, message: String) {
        problems.push(Problem {
            file: self.path.to_path_buf(),
            line: Some(self.line),
            column: self.headers.iter().position(|h| h == column).map(|i| i + 1),
            message,
            help: None,
        });
    }

    fn date(&self, column: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
        let text = self.get(column)?;
        match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.problem(problems, column, format!("{column} `{text}` is not a date YYYY-MM-DD"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ws-mappings-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn loads_tables_and_skips_missing_optional_ones() {
        let dir = temp_dir("ok");
        write(
            &dir,
            "partners.csv",
            "\u{feff}partner_id,name,tier,region,status,start_date\nP001,Northwind Traders,Gold,EMEA,active,2020-01-15\n\nP002,Contoso,Silver,APAC,,\n",
        );
        write(&dir, "partner_aliases.csv", "alias,partner_id\nNWT,P001\n");
        write(&dir, "stages.csv", "source,raw_stage,stage\ncrm,Closed Won,closed_won\n");
        write(&dir, "fx_rates.csv", "currency,month,rate\neur,2026-03,1.0850\n");
        let (m, bytes) = load_mappings(&dir).unwrap();
        assert_eq!(m.partners.len(), 2);
        assert_eq!(m.partners[0].start_date, NaiveDate::from_ymd_opt(2020, 1, 15));
        assert_eq!(m.partners[1].status, PartnerStatus::Active);
        assert_eq!(m.partner_aliases, vec![("NWT".to_string(), "P001".to_string())]);
        assert_eq!(m.stages[0].stage, Stage::ClosedWon);
        assert_eq!(m.fx_rates[0].currency, "EUR");
        assert_eq!(m.fx_rates[0].month, (2026, 3));
        assert_eq!(bytes.len(), 4);
        assert!(m.products.is_empty());
    }

    #[test]
    fn bad_tables_report_file_line_and_column() {
        let dir = temp_dir("bad");
        write(&dir, "partners.csv", "partner_id,name\nP001,A\nP001,B\n");
        write(&dir, "partner_aliases.csv", "alias,partner_id\nX,P999\n");
        write(&dir, "stages.csv", "source,raw_stage,stage\ncrm,Won,won\n");
        write(&dir, "fx_rates.csv", "currency,month,rate\nEUR,March,1.1\nGBP,2026-03,-1\n");
        write(&dir, "regions.csv", "country,region\nDE,EMEA\n");
        let err = load_mappings(&dir).unwrap_err();
        let text = err.to_string();
        for expected in [
            "stages.csv:2:3: `won` is not a canonical stage",
            "fx_rates.csv:2:2: month `March` is not YYYY-MM",
            "fx_rates.csv:3:3: rate `-1` is not a positive number",
            "regions.csv:1: missing column `alias`",
            "partner_id `P001` appears twice",
            "points at partner_id `P999`",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn partners_table_is_required() {
        let dir = temp_dir("none");
        let err = load_mappings(&dir).unwrap_err();
        assert!(err.to_string().contains("partners.csv"), "{err}");
    }
}
