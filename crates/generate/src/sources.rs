//! The opportunity source files (CRM exports, the channel sheet, five partner files),
//! their bad rows, and `truth/source_rows.csv`.

use std::borrow::Cow;
use std::path::Path;

use crate::GenerateError;
use crate::csvout::{Cells, CsvOut, Enc};
use crate::deals::{Deal, FILE_PARTNERS, Home, NONE};
use crate::fmt::{
    CRM_EXPORT, DateFmt, NOW, PROGRAM_START, between, normal, push_date, push_datetime, push_money, push_num, push_plain, push_sf_id,
    sub_rng,
};
use crate::master::{CURRENCIES, EUR, GBP, Master, Partner, USD, misspell};
use crate::sheetout::{CellKind, SheetOut};
use crate::words::{self, COUNTRIES, INDUSTRIES, LOST, PRODUCTS, SHEET_NOTES, WON};

const SALT_ROWS: u64 = 100;
const SALT_BAD: u64 = 200;

/// One opportunity source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Crm,
    CrmDelta,
    Sheet,
    Northwind,
    Contoso,
    Bauer,
    Fabrikam,
    Tailspin,
}

impl Kind {
    /// Every file, in writing order.
    pub(crate) const ALL: [Kind; 8] =
        [Kind::Crm, Kind::CrmDelta, Kind::Sheet, Kind::Northwind, Kind::Contoso, Kind::Bauer, Kind::Fabrikam, Kind::Tailspin];

    /// The partner file of partner index `p` (0..5).
    pub(crate) fn of_partner(p: u32) -> Kind {
        match p {
            0 => Kind::Northwind,
            1 => Kind::Contoso,
            2 => Kind::Bauer,
            3 => Kind::Fabrikam,
            _ => Kind::Tailspin,
        }
    }

    /// Index of the partner sending this file, if it is a partner file.
    fn partner(self) -> Option<u32> {
        match self {
            Kind::Northwind => Some(0),
            Kind::Contoso => Some(1),
            Kind::Bauer => Some(2),
            Kind::Fabrikam => Some(3),
            Kind::Tailspin => Some(4),
            _ => None,
        }
    }

    /// Path relative to the project folder.
    pub(crate) fn rel(self) -> &'static str {
        match self {
            Kind::Crm => "inbox/crm/opportunities_2026-11-01.csv",
            Kind::CrmDelta => "inbox/crm/opportunities_2026-11-15.csv",
            Kind::Sheet => "inbox/sheets/channel_pipeline.csv",
            Kind::Northwind => "inbox/partners/northwind_deals.xlsx",
            Kind::Contoso => "inbox/partners/contoso_deals.tsv",
            Kind::Bauer => "inbox/partners/bauer_systemhaus_export.csv",
            Kind::Fabrikam => "inbox/partners/fabrikam_pipeline.csv",
            Kind::Tailspin => "inbox/partners/tailspin_q_report.csv",
        }
    }

    /// The column holding the CRM opportunity id of a re-reported deal (None: the CRM itself).
    fn shared_id_column(self) -> Option<usize> {
        match self {
            Kind::Crm | Kind::CrmDelta => None,
            Kind::Sheet => Some(9),
            Kind::Northwind | Kind::Contoso => Some(7),
            Kind::Bauer | Kind::Fabrikam | Kind::Tailspin => Some(6),
        }
    }

    /// Source name in watershed.toml.
    pub(crate) fn source(self) -> &'static str {
        match self {
            Kind::Crm | Kind::CrmDelta => "crm",
            Kind::Sheet => "sheets",
            _ => "partner_files",
        }
    }

    fn header(self) -> &'static [&'static str] {
        match self {
            Kind::Crm | Kind::CrmDelta => &[
                "Opportunity ID",
                "Opportunity Name",
                "Account Name",
                "Billing Country",
                "Industry",
                "Product",
                "Amount",
                "Currency",
                "Stage",
                "Created Date",
                "Close Date",
                "Deal Registration ID",
                "Partner Account",
                "Partner Role",
                "Partner Split",
                "Last Modified Date",
            ],
            Kind::Sheet => {
                &["Ref", "Partner", "Customer", "Country", "Product", "Deal Size", "Status", "Created", "Close", "SFDC ID", "Notes"]
            }
            Kind::Northwind => &[
                "Reseller",
                "End Customer",
                "Deal Value",
                "Currency",
                "Expected Close",
                "Opened",
                "Phase",
                "CRM Ref",
                "Deal #",
                "Product SKU",
                "Country",
            ],
            Kind::Bauer => {
                &["Partner", "Kunde", "Betrag (EUR)", "Abschlussdatum", "Erstellt", "Status", "CRM-ID", "Deal-Nr.", "Produkt", "Land"]
            }
            Kind::Fabrikam => &[
                "Partner",
                "Client",
                "Value (GBP)",
                "Close Date",
                "Created",
                "Stage",
                "Salesforce Opportunity",
                "Our Ref",
                "Product",
                "Country",
            ],
            Kind::Tailspin => &[
                "Partner Name",
                "Customer Name",
                "Amount (USD)",
                "Close Date",
                "Created Date",
                "Stage",
                "CRM Opportunity ID",
                "Deal ID",
                "Product",
                "Customer Country",
            ],
            Kind::Contoso => {
                &["Partner", "Customer", "Amount", "Currency", "Close", "Created", "Stage", "SFDC ID", "Deal Number", "Product", "Country"]
            }
        }
    }

    fn stages(self) -> &'static [&'static str; 6] {
        match self {
            Kind::Crm | Kind::CrmDelta => &words::CRM_STAGES,
            Kind::Sheet => &words::SHEET_STAGES,
            Kind::Northwind => &words::NORTHWIND_STAGES,
            Kind::Bauer => &words::BAUER_STAGES,
            Kind::Fabrikam => &words::FABRIKAM_STAGES,
            Kind::Tailspin => &words::TAILSPIN_STAGES,
            Kind::Contoso => &words::CONTOSO_STAGES,
        }
    }

    /// The currency every amount of the file is in, if fixed.
    fn fixed_currency(self) -> Option<u8> {
        match self {
            Kind::Sheet | Kind::Tailspin => Some(USD),
            Kind::Bauer => Some(EUR),
            Kind::Fabrikam => Some(GBP),
            _ => None,
        }
    }

    /// How this file spells a country (`vary` picks between spellings deterministically).
    pub(crate) fn country_text(self, country: usize, vary: u64) -> &'static str {
        let c = &COUNTRIES[country];
        match self {
            Kind::Crm | Kind::CrmDelta => c.name,
            Kind::Sheet => {
                if vary.is_multiple_of(2) {
                    c.iso
                } else {
                    c.name
                }
            }
            Kind::Northwind | Kind::Contoso => c.iso,
            Kind::Bauer => c.german,
            Kind::Fabrikam => {
                if c.iso == "GB" {
                    "UK"
                } else {
                    c.name
                }
            }
            Kind::Tailspin => {
                if c.iso == "US" {
                    "USA"
                } else {
                    c.name
                }
            }
        }
    }

    /// How this file names a product.
    fn product_text(self, product: usize, vary: u64) -> &'static str {
        let p = &PRODUCTS[product];
        match self {
            Kind::Sheet if vary.is_multiple_of(5) => p.aliases[0],
            Kind::Northwind => p.sku,
            Kind::Contoso => p.id,
            Kind::Bauer => match p.id {
                "PRD-ANL-01" => "Analytik Cloud",
                "PRD-SEC-01" => "Sicherheits-Suite",
                _ => p.name,
            },
            _ => p.name,
        }
    }

    /// Appends the file's own id for row number `n`.
    pub(crate) fn push_ext(self, s: &mut String, n: u64) {
        let (prefix, width) = match self {
            Kind::Crm | Kind::CrmDelta => {
                push_sf_id(s, n);
                return;
            }
            Kind::Sheet => ("CM-", 5),
            Kind::Northwind => ("NW-", 5),
            Kind::Contoso => ("CON-", 6),
            Kind::Bauer => ("BS-", 6),
            Kind::Fabrikam => ("FAB/", 5),
            Kind::Tailspin => ("TS-", 5),
        };
        s.push_str(prefix);
        push_num(s, n, width);
    }

    fn date_fmt(self) -> DateFmt {
        match self {
            Kind::Sheet | Kind::Tailspin => DateFmt::Us,
            Kind::Bauer => DateFmt::De,
            Kind::Fabrikam => DateFmt::Uk,
            _ => DateFmt::Iso,
        }
    }
}

/// The one defect of a bad row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Defect {
    UnknownPartner,
    AmountTbd,
    BadCloseDate,
    EmptyCustomer,
    UnknownStage,
    CurrencyChf,
    UnknownProduct,
}

/// The 12 bad rows of the example, repeated (with other texts) for larger programs.
const BAD_PLAN: [(Kind, Defect); 12] = [
    (Kind::Crm, Defect::UnknownPartner),
    (Kind::Crm, Defect::AmountTbd),
    (Kind::Crm, Defect::CurrencyChf),
    (Kind::Crm, Defect::BadCloseDate),
    (Kind::Sheet, Defect::UnknownStage),
    (Kind::Sheet, Defect::EmptyCustomer),
    (Kind::Sheet, Defect::BadCloseDate),
    (Kind::Northwind, Defect::UnknownPartner),
    (Kind::Bauer, Defect::UnknownProduct),
    (Kind::Fabrikam, Defect::AmountTbd),
    (Kind::Tailspin, Defect::UnknownStage),
    (Kind::Contoso, Defect::CurrencyChf),
];

fn unknown_partner_name(kind: Kind, cycle: usize) -> &'static str {
    let names: &[&str] = match kind {
        Kind::Northwind => &["Northwind Tradrs Intl", "Northwind Traders Europe", "Northwnd Trdrs"],
        Kind::Bauer => &["Bauer Systemhaus Nord GmbH", "Bauer Systemhaus Ost"],
        Kind::Fabrikam => &["Fabrikam Solutions Europe", "Fabrikam Soluttions"],
        Kind::Tailspin => &["Tailspin Integratorz", "Tailspin West"],
        Kind::Contoso => &["Contoso Consultancy Grp", "Contoso Advisory"],
        _ => &["Globex Channel Partners", "Initech Solutions Group", "Umbrella Systems Intl"],
    };
    names[cycle % names.len()]
}

/// One row as a source writes it, before formatting.
struct Row<'a> {
    /// CRM: opportunity id number; others: ignored (the file numbers its rows).
    own_id: u64,
    partner: Cow<'a, str>,
    customer: Cow<'a, str>,
    country: usize,
    product: usize,
    product_text: Option<&'static str>,
    /// Cents in `currency`; `None` writes `TBD`.
    amount: Option<i64>,
    currency: u8,
    currency_text: Option<&'static str>,
    stage: u8,
    stage_text: Option<&'static str>,
    created: i32,
    close: i32,
    close_text: Option<&'static str>,
    crm_ref: Option<u64>,
    industry: u8,
    dr: u32,
    sourced: bool,
    split_half: bool,
    modified: (i32, u32),
    note: &'static str,
    vary: u64,
}

/// Column types of Northwind's workbook (its header is [`Kind::header`]).
const NORTHWIND_CELLS: &[CellKind] = &[
    CellKind::Text,
    CellKind::Text,
    CellKind::Amount,
    CellKind::Text,
    CellKind::Date,
    CellKind::Date,
    CellKind::Text,
    CellKind::Text,
    CellKind::Text,
    CellKind::Text,
    CellKind::Text,
];

/// Where a source file's records go: delimited text or a workbook sheet.
enum Sink {
    Csv(CsvOut),
    Sheet(Box<SheetOut>),
}

/// A source file's writer; `drop` leaves one column out of every record (the shared-id
/// column, when the program is generated without shared ids).
struct Out {
    sink: Sink,
    drop: Option<usize>,
}

impl Out {
    /// `fields` without the dropped column.
    fn kept<'f, S: AsRef<str>>(&self, fields: &'f [S]) -> Vec<&'f str> {
        fields.iter().enumerate().filter(|(i, _)| Some(*i) != self.drop).map(|(_, f)| f.as_ref()).collect()
    }

    fn record<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<u64, GenerateError> {
        if self.drop.is_some() {
            let kept = self.kept(fields);
            return match &mut self.sink {
                Sink::Csv(o) => o.record(&kept),
                Sink::Sheet(o) => o.record(&kept),
            };
        }
        match &mut self.sink {
            Sink::Csv(o) => o.record(fields),
            Sink::Sheet(o) => o.record(fields),
        }
    }

    fn header<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<u64, GenerateError> {
        let kept = self.kept(fields);
        match &mut self.sink {
            Sink::Csv(o) => o.record(&kept),
            Sink::Sheet(o) => o.header(&kept),
        }
    }

    fn raw_line(&mut self, text: &str) -> Result<u64, GenerateError> {
        match &mut self.sink {
            Sink::Csv(o) => o.raw_line(text),
            Sink::Sheet(o) => o.raw_line(text),
        }
    }

    /// A title above the table (merged across it in a workbook).
    fn title(&mut self, text: &str) -> Result<u64, GenerateError> {
        match &mut self.sink {
            Sink::Csv(o) => o.raw_line(text),
            Sink::Sheet(o) => o.title(text),
        }
    }

    /// What a run calls the input the rows are in: the path, plus `#sheet` for a workbook.
    fn locator(&self) -> &str {
        match &self.sink {
            Sink::Csv(o) => o.rel(),
            Sink::Sheet(o) => o.locator(),
        }
    }

    fn finish(self) -> Result<(), GenerateError> {
        match self.sink {
            Sink::Csv(o) => o.finish(),
            Sink::Sheet(o) => (*o).finish(),
        }
    }
}

/// An open source file with its row counter.
struct SourceFile {
    kind: Kind,
    out: Out,
    cells: Cells,
    next_ext: u32,
    total: i64,
}

impl SourceFile {
    fn create(dir: &Path, kind: Kind, shared_ids: bool) -> Result<Self, GenerateError> {
        let drop = if shared_ids { None } else { kind.shared_id_column() };
        let (delim, crlf, enc) = match kind {
            Kind::Bauer => (';', true, Enc::Win1252),
            Kind::Fabrikam => (',', false, Enc::Utf8Bom),
            Kind::Contoso => ('\t', true, Enc::Utf16LeBom),
            _ => (',', false, Enc::Utf8),
        };
        let sink = match kind {
            Kind::Northwind => {
                // Every column after the CRM Ref is text, so the types stay aligned without it.
                let cells = if drop.is_some() { &NORTHWIND_CELLS[..NORTHWIND_CELLS.len() - 1] } else { NORTHWIND_CELLS };
                Sink::Sheet(Box::new(SheetOut::create(dir, kind.rel(), "Deals", cells)?))
            }
            _ => Sink::Csv(CsvOut::create(dir, kind.rel(), delim, crlf, enc)?),
        };
        let out = Out { sink, drop };
        Ok(Self { kind, out, cells: Cells::new(kind.header().len()), next_ext: 0, total: 0 })
    }

    /// Writes `r`; returns (line, the file's row number used as its own id).
    fn write(&mut self, r: &Row<'_>) -> Result<(u64, u32), GenerateError> {
        let kind = self.kind;
        self.next_ext += 1;
        let ext = self.next_ext;
        let c = &mut self.cells;
        c.clear();
        let stage = r.stage_text.unwrap_or(kind.stages()[usize::from(r.stage)]);
        let product = r.product_text.unwrap_or_else(|| kind.product_text(r.product, r.vary));
        let country = kind.country_text(r.country, r.vary);
        let currency = r.currency_text.unwrap_or(CURRENCIES[usize::from(r.currency)]);
        let fmt = kind.date_fmt();
        let amount_col;
        match kind {
            Kind::Crm | Kind::CrmDelta => {
                push_sf_id(c.at(0), r.own_id);
                let name = c.at(1);
                if r.customer.is_empty() {
                    name.push_str("New Opportunity");
                } else {
                    name.push_str(&r.customer);
                }
                name.push_str(" - ");
                name.push_str(product);
                c.set(2, &r.customer);
                c.set(3, country);
                c.set(4, INDUSTRIES[usize::from(r.industry)]);
                c.set(5, product);
                amount_col = 6;
                c.set(7, currency);
                c.set(8, stage);
                push_date(c.at(9), r.created, fmt);
                match r.close_text {
                    Some(t) => c.set(10, t),
                    None => push_date(c.at(10), r.close, fmt),
                }
                if r.dr > 0 {
                    let s = c.at(11);
                    s.push_str("DR-");
                    push_num(s, u64::from(r.dr), 6);
                }
                c.set(12, &r.partner);
                c.set(13, if r.sourced { "Sourced" } else { "Influenced" });
                c.set(14, if r.split_half { "50%" } else { "100%" });
                push_datetime(c.at(15), r.modified.0, r.modified.1);
            }
            Kind::Sheet => {
                kind.push_ext(c.at(0), u64::from(ext));
                c.set(1, &r.partner);
                c.set(2, &r.customer);
                c.set(3, country);
                c.set(4, product);
                amount_col = 5;
                c.set(6, stage);
                push_date(c.at(7), r.created, fmt);
                match r.close_text {
                    Some(t) => c.set(8, t),
                    None => push_date(c.at(8), r.close, fmt),
                }
                if let Some(id) = r.crm_ref {
                    push_sf_id(c.at(9), id);
                }
                c.set(10, r.note);
            }
            Kind::Northwind | Kind::Contoso => {
                c.set(0, &r.partner);
                c.set(1, &r.customer);
                amount_col = 2;
                c.set(3, currency);
                match r.close_text {
                    Some(t) => c.set(4, t),
                    None => push_date(c.at(4), r.close, fmt),
                }
                push_date(c.at(5), r.created, fmt);
                c.set(6, stage);
                if let Some(id) = r.crm_ref {
                    push_sf_id(c.at(7), id);
                }
                kind.push_ext(c.at(8), u64::from(ext));
                c.set(9, product);
                c.set(10, country);
            }
            Kind::Bauer | Kind::Fabrikam | Kind::Tailspin => {
                c.set(0, &r.partner);
                c.set(1, &r.customer);
                amount_col = 2;
                match r.close_text {
                    Some(t) => c.set(3, t),
                    None => push_date(c.at(3), r.close, fmt),
                }
                push_date(c.at(4), r.created, fmt);
                c.set(5, stage);
                if let Some(id) = r.crm_ref {
                    push_sf_id(c.at(6), id);
                }
                kind.push_ext(c.at(7), u64::from(ext));
                c.set(8, product);
                c.set(9, country);
            }
        }
        match r.amount {
            None => c.set(amount_col, "TBD"),
            Some(cents) => {
                self.total += cents;
                push_amount(kind, c.at(amount_col), cents);
            }
        }
        let line = self.out.record(self.cells.as_slice())?;
        Ok((line, ext))
    }
}

fn push_amount(kind: Kind, s: &mut String, cents: i64) {
    match kind {
        Kind::Crm | Kind::CrmDelta | Kind::Contoso => push_plain(s, cents),
        Kind::Sheet => {
            s.push('$');
            push_money(s, cents, Some(','), None);
        }
        Kind::Northwind => push_money(s, cents, None, None),
        Kind::Bauer => push_money(s, cents, Some('.'), Some(',')),
        Kind::Fabrikam => {
            s.push('£');
            push_money(s, cents, Some(','), Some('.'));
        }
        Kind::Tailspin => push_money(s, cents, Some(','), Some('.')),
    }
}

/// How a source tends to name partners.
#[derive(Clone, Copy)]
enum Style {
    Crm,
    Sheet,
    PartnerFile,
}

/// A legal-suffix variant of the partner's name ("Northwind Traders, Inc.").
fn suffix_variant(p: &Partner, rng: &mut fastrand::Rng) -> String {
    let has_legal = p.base.len() != p.name.len();
    if p.german {
        let n = if has_legal { 3 } else { 2 };
        match rng.usize(0..n) {
            0 => format!("{} GmbH", p.base),
            1 => format!("{} GMBH", p.base.to_uppercase()),
            _ => p.base.clone(),
        }
    } else {
        let n = if has_legal { 6 } else { 5 };
        match rng.usize(0..n) {
            0 => format!("{}, Inc.", p.base),
            1 => format!("{} Inc", p.base),
            2 => format!("{} LLC", p.base.to_uppercase()),
            3 => format!("{} Ltd", p.base),
            4 => format!("{} Ltd.", p.base),
            _ => p.base.clone(),
        }
    }
}

fn partner_cell<'a>(p: &'a Partner, style: Style, rng: &mut fastrand::Rng) -> Cow<'a, str> {
    let r = rng.f64();
    let alias = |rng: &mut fastrand::Rng| -> Cow<'a, str> {
        if p.aliases.is_empty() { Cow::Borrowed(p.name.as_str()) } else { Cow::Borrowed(p.aliases[rng.usize(0..p.aliases.len())].as_str()) }
    };
    match style {
        Style::Crm if r < 0.80 => Cow::Borrowed(p.name.as_str()),
        Style::Crm if r < 0.90 => Cow::Owned(suffix_variant(p, rng)),
        Style::Crm => Cow::Borrowed(p.id.as_str()),
        Style::Sheet if r < 0.45 => Cow::Borrowed(p.name.as_str()),
        Style::Sheet if r < 0.75 => alias(rng),
        Style::Sheet => Cow::Owned(suffix_variant(p, rng)),
        Style::PartnerFile if r < 0.30 => Cow::Borrowed(p.name.as_str()),
        Style::PartnerFile if r < 0.90 => Cow::Owned(suffix_variant(p, rng)),
        Style::PartnerFile => alias(rng),
    }
}

/// Words people abbreviate in company names, and how.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("International", "Intl"),
    ("Manufacturing", "Mfg"),
    ("Pharmaceuticals", "Pharma"),
    ("Holdings", "Hldgs"),
    ("Systems", "Sys"),
    ("Services", "Svcs"),
    ("Industries", "Inds"),
    ("Group", "Grp"),
    ("Technologies", "Tech"),
    ("Laboratories", "Labs"),
];

/// The customer name as another system writes it: upper case, another legal suffix,
/// a typo, an abbreviated word, or a "The" in front.
fn customer_variant(c: &crate::master::Customer, rng: &mut fastrand::Rng) -> String {
    let legal = &c.name[c.legal_at..];
    match rng.usize(0..5) {
        0 => c.name.to_uppercase(),
        1 => match legal.trim() {
            "" => format!("{} Inc", c.name),
            "Inc" | "Inc." => format!("{}, Incorporated", c.base()),
            "Ltd" | "Ltd." => format!("{} Limited", c.base()),
            "GmbH" => format!("{} GMBH", c.base()),
            _ => c.base().to_owned(),
        },
        2 => {
            let mut s = misspell(c.base(), rng);
            s.push_str(legal);
            s
        }
        3 => match ABBREVIATIONS.iter().find(|(word, _)| c.base().split(' ').any(|w| w == *word)) {
            Some((word, short)) => format!("{}{legal}", c.base().replacen(word, short, 1)),
            None => format!("{} Corp.", c.base()),
        },
        _ => format!("The {}", c.name),
    }
}

fn stale_stage(stage: u8) -> u8 {
    match stage {
        WON | LOST => 3,
        0 => 0,
        s => s - 1,
    }
}

/// Counts returned to the caller.
pub(crate) struct SourceStats {
    pub rows: usize,
    pub bad: usize,
    pub files: Vec<String>,
}

struct Ctx<'a> {
    seed: u64,
    m: &'a Master,
    n: usize,
    lineage: CsvOut,
    cell: String,
    line: String,
    rows: usize,
    bad: usize,
}

impl Ctx<'_> {
    fn lineage(&mut self, kind: Kind, locator: &str, line: u64, deal: Option<usize>, what: &str, note: &str) -> Result<(), GenerateError> {
        self.cell.clear();
        if let Some(i) = deal {
            push_deal_id(&mut self.cell, i);
        }
        self.line.clear();
        push_num(&mut self.line, line, 1);
        self.lineage.record(&[kind.source(), locator, self.line.as_str(), self.cell.as_str(), what, note])?;
        Ok(())
    }
}

/// Appends `D0000001`-style deal id of deal index `i`.
pub(crate) fn push_deal_id(s: &mut String, i: usize) {
    s.push('D');
    push_num(s, i as u64 + 1, 7);
}

/// Writes every opportunity source file and truth/source_rows.csv.
pub(crate) fn write_sources(dir: &Path, seed: u64, m: &Master, deals: &mut [Deal], shared_ids: bool) -> Result<SourceStats, GenerateError> {
    let mut lineage = CsvOut::create(dir, "truth/source_rows.csv", ',', false, Enc::Utf8)?;
    lineage.record(&["source", "file", "line", "deal_id", "kind", "note"])?;
    let n = deals.len();
    let mut ctx = Ctx { seed, m, n, lineage, cell: String::new(), line: String::new(), rows: 0, bad: 0 };
    let bad_total = (n / 400).max(BAD_PLAN.len());
    let mut files = Vec::new();
    for kind in Kind::ALL {
        if let Some(p) = kind.partner()
            && p as usize >= m.partners.len().min(FILE_PARTNERS)
        {
            continue;
        }
        let plan: Vec<(usize, Defect)> =
            (0..bad_total).filter(|k| BAD_PLAN[k % BAD_PLAN.len()].0 == kind).map(|k| (k, BAD_PLAN[k % BAD_PLAN.len()].1)).collect();
        write_file(dir, &mut ctx, deals, kind, &plan, shared_ids)?;
        files.push(kind.rel().to_owned());
    }
    let Ctx { lineage, rows, bad, .. } = ctx;
    lineage.finish()?;
    files.push("truth/source_rows.csv".to_owned());
    Ok(SourceStats { rows, bad, files })
}

fn in_file(kind: Kind, d: &Deal) -> bool {
    match kind {
        Kind::Crm => d.home == Home::Crm,
        Kind::CrmDelta => d.in_delta,
        Kind::Sheet => d.home == Home::Sheet || d.in_sheet,
        _ => (d.home == Home::PartnerFile || d.in_pfile) && Kind::of_partner(d.sourced) == kind,
    }
}

fn write_file(
    dir: &Path,
    ctx: &mut Ctx<'_>,
    deals: &mut [Deal],
    kind: Kind,
    plan: &[(usize, Defect)],
    shared_ids: bool,
) -> Result<(), GenerateError> {
    let mut f = SourceFile::create(dir, kind, shared_ids)?;
    let mut rng = sub_rng(ctx.seed, SALT_BAD, kind as u64);
    let members = deals.iter().filter(|d| in_file(kind, d)).count();
    let mut bad: Vec<(usize, usize, Defect)> = plan.iter().map(|&(k, d)| (rng.usize(0..=members), k, d)).collect();
    bad.sort_by_key(|b| (b.0, b.1));
    let blanks: Vec<usize> = match kind {
        Kind::Sheet => vec![members / 3, 2 * members / 3],
        Kind::Tailspin => vec![members / 2],
        _ => Vec::new(),
    };
    if kind == Kind::Tailspin {
        for text in ["# Tailspin Integrators deal report", "# exported 2026-11-14"] {
            let line = f.out.raw_line(text)?;
            ctx.lineage(kind, f.out.locator(), line, None, "skipped", "comment line")?;
        }
    }
    if kind == Kind::Northwind {
        let line = f.out.title("Northwind Traders \u{2014} Deal Register")?;
        ctx.lineage(kind, f.out.locator(), line, None, "skipped", "title line")?;
        let line = f.out.raw_line("Exported from Northwind PRM on 2026-11-14")?;
        ctx.lineage(kind, f.out.locator(), line, None, "skipped", "title line")?;
        let line = f.out.raw_line("")?;
        ctx.lineage(kind, f.out.locator(), line, None, "skipped", "blank line")?;
    }
    f.out.header(kind.header())?;
    let (mut bi, mut li) = (0, 0);
    let mut pos = 0;
    for (i, deal) in deals.iter_mut().enumerate() {
        if !in_file(kind, deal) {
            continue;
        }
        emit_extras(ctx, &mut f, &mut rng, kind, pos, &bad, &mut bi, &blanks, &mut li)?;
        write_deal(ctx, &mut f, deal, i, kind)?;
        pos += 1;
    }
    emit_extras(ctx, &mut f, &mut rng, kind, usize::MAX, &bad, &mut bi, &blanks, &mut li)?;
    if kind == Kind::Tailspin {
        let mut total = String::new();
        push_amount(kind, &mut total, f.total);
        let mut cells = vec![""; kind.header().len()];
        cells[0] = "TOTAL";
        cells[2] = total.as_str();
        let line = f.out.record(&cells)?;
        ctx.lineage(kind, f.out.locator(), line, None, "skipped", "total row")?;
        let line = f.out.raw_line("* Amounts in USD; figures for the current quarter are preliminary")?;
        ctx.lineage(kind, f.out.locator(), line, None, "skipped", "footnote")?;
    }
    f.out.finish()
}

#[allow(clippy::too_many_arguments)]
fn emit_extras(
    ctx: &mut Ctx<'_>,
    f: &mut SourceFile,
    rng: &mut fastrand::Rng,
    kind: Kind,
    pos: usize,
    bad: &[(usize, usize, Defect)],
    bi: &mut usize,
    blanks: &[usize],
    li: &mut usize,
) -> Result<(), GenerateError> {
    while *li < blanks.len() && blanks[*li] <= pos {
        let line = f.out.raw_line("")?;
        ctx.lineage(kind, f.out.locator(), line, None, "skipped", "blank line")?;
        *li += 1;
    }
    while *bi < bad.len() && bad[*bi].0 <= pos {
        let (_, k, defect) = bad[*bi];
        write_bad(ctx, f, rng, kind, k, defect)?;
        *bi += 1;
    }
    Ok(())
}

fn crm_modified(d: &Deal, delta: bool, rng: &mut fastrand::Rng) -> (i32, u32) {
    let secs = rng.u32(8 * 3600..19 * 3600);
    let day = if delta {
        crate::master::day_between(rng, CRM_EXPORT + 1, NOW - 1)
    } else if !d.in_delta && d.stage >= WON && d.close < CRM_EXPORT {
        (d.close + rng.i32(0..4)).min(CRM_EXPORT - 1)
    } else {
        crate::master::day_between(rng, d.created.max(CRM_EXPORT - 60), CRM_EXPORT - 1)
    };
    (day, secs)
}

fn write_deal(ctx: &mut Ctx<'_>, f: &mut SourceFile, d: &mut Deal, i: usize, kind: Kind) -> Result<(), GenerateError> {
    let m = ctx.m;
    let mut rng = sub_rng(ctx.seed, SALT_ROWS + kind as u64, i as u64);
    let customer = &m.customers[d.customer as usize];
    let mut row = Row {
        own_id: i as u64,
        partner: Cow::Borrowed(""),
        customer: Cow::Borrowed(customer.name.as_str()),
        country: usize::from(customer.country),
        product: usize::from(d.product),
        product_text: None,
        amount: Some(d.amount),
        currency: d.currency,
        currency_text: None,
        stage: d.stage,
        stage_text: None,
        created: d.created,
        close: d.close,
        close_text: None,
        crm_ref: None,
        industry: customer.industry,
        dr: d.dr,
        sourced: true,
        split_half: false,
        modified: (0, 0),
        note: "",
        vary: i as u64,
    };
    match kind {
        Kind::Crm | Kind::CrmDelta => {
            let delta = kind == Kind::CrmDelta;
            if !delta {
                row.stage = d.init_stage;
                row.amount = Some(d.init_amount);
            }
            row.modified = crm_modified(d, delta, &mut rng);
            let links = std::iter::once((d.sourced, true, false))
                .chain(d.influenced.iter().filter(|&&p| p != NONE).map(|&p| (p, false, d.influenced_split_half())));
            for (p, sourced, half) in links {
                row.partner = partner_cell(&m.partners[p as usize], Style::Crm, &mut rng);
                row.sourced = sourced;
                row.split_half = half;
                let (line, _) = f.write(&row)?;
                ctx.lineage(kind, f.out.locator(), line, Some(i), "deal", "")?;
                ctx.rows += 1;
            }
            return Ok(());
        }
        Kind::Sheet => {
            row.partner = partner_cell(&m.partners[d.sourced as usize], Style::Sheet, &mut rng);
            row.note = SHEET_NOTES[rng.usize(0..SHEET_NOTES.len())];
            if d.home == Home::Crm {
                row.crm_ref = Some(i as u64);
                if rng.f64() < 0.25 {
                    row.stage = stale_stage(d.stage);
                }
                let usd = m.fx.to_usd(d.amount, d.currency, d.close);
                row.amount = Some((((usd + 50_000) / 100_000) * 100_000).max(100_000));
                row.currency = USD;
                // The close date a week off, sometimes several weeks.
                let r = rng.f64();
                if r < 0.3 {
                    row.close = d.close + if rng.bool() { 7 } else { -7 };
                } else if r < 0.38 {
                    let weeks = 7 * rng.i32(2..=4);
                    row.close = d.close + if rng.bool() { weeks } else { -weeks };
                }
                if rng.f64() < 0.4 {
                    row.customer = Cow::Owned(customer_variant(customer, &mut rng));
                }
            }
        }
        _ => {
            row.partner = partner_cell(&m.partners[d.sourced as usize], Style::PartnerFile, &mut rng);
            if d.home == Home::Crm {
                row.crm_ref = Some(i as u64);
                if let Some(cur) = kind.fixed_currency() {
                    row.amount = Some(m.fx.convert(d.amount, d.currency, cur, d.close));
                    row.currency = cur;
                }
                if rng.f64() < 0.1 {
                    row.stage = stale_stage(d.stage);
                }
                // Partners round what they report.
                if rng.f64() < 0.1
                    && let Some(cents) = row.amount
                {
                    row.amount = Some((((cents + 250_000) / 500_000) * 500_000).max(500_000));
                }
                let r = rng.f64();
                if r < 0.2 {
                    let shift = rng.i32(1..=5);
                    row.close = d.close + if rng.bool() { shift } else { -shift };
                } else if r < 0.26 {
                    let shift = rng.i32(7..=21);
                    row.close = d.close + if rng.bool() { shift } else { -shift };
                }
                // The partner opened the deal before the CRM did.
                if rng.f64() < 0.4 {
                    row.created = d.created - rng.i32(1..=10);
                }
                if rng.f64() < 0.3 {
                    row.customer = Cow::Owned(customer_variant(customer, &mut rng));
                }
            }
        }
    }
    let (line, ext) = f.write(&row)?;
    if kind == Kind::Sheet {
        d.sheet_ref = ext;
    } else {
        d.pfile_ref = ext;
    }
    ctx.lineage(kind, f.out.locator(), line, Some(i), "deal", "")?;
    ctx.rows += 1;
    Ok(())
}

fn write_bad(
    ctx: &mut Ctx<'_>,
    f: &mut SourceFile,
    rng: &mut fastrand::Rng,
    kind: Kind,
    k: usize,
    defect: Defect,
) -> Result<(), GenerateError> {
    let m = ctx.m;
    let cycle = k / BAD_PLAN.len();
    let pi = match kind.partner() {
        Some(p) => p as usize,
        None => crate::fmt::pick_cumulative(rng, &m.pcum),
    };
    let partner = &m.partners[pi];
    let ci = rng.usize(0..m.customers.len().max(1));
    let customer = m.customers.get(ci);
    let close = crate::master::day_between(rng, PROGRAM_START, NOW + 40);
    let created = (close - rng.i32(20..150)).min(CRM_EXPORT - 10);
    let stage = if close > NOW {
        rng.u8(0..4)
    } else if rng.bool() {
        WON
    } else {
        LOST
    };
    let units = (30_000f64.ln() + 0.8 * normal(rng)).exp().clamp(5_000.0, 400_000.0);
    let amount = ((units as i64) / 100 * 100).max(5_000) * 100;
    let mut row = Row {
        own_id: (ctx.n + 1 + k) as u64,
        partner: match kind.partner() {
            Some(_) => Cow::Owned(suffix_variant(partner, rng)),
            None => Cow::Borrowed(partner.name.as_str()),
        },
        customer: Cow::Borrowed(customer.map_or("Acme Manufacturing Inc", |c| c.name.as_str())),
        country: customer.map_or(0, |c| usize::from(c.country)),
        product: rng.usize(0..PRODUCTS.len()),
        product_text: None,
        amount: Some(amount),
        currency: kind.fixed_currency().unwrap_or(USD),
        currency_text: None,
        stage,
        stage_text: None,
        created,
        close,
        close_text: None,
        crm_ref: None,
        industry: customer.map_or(0, |c| c.industry),
        dr: 0,
        sourced: true,
        split_half: false,
        modified: (CRM_EXPORT - 1 - rng.i32(0..20), rng.u32(8 * 3600..19 * 3600)),
        note: "",
        vary: between(rng, 0, 1_000_000) as u64,
    };
    let note: String = match defect {
        Defect::UnknownPartner => {
            let name = unknown_partner_name(kind, cycle);
            row.partner = Cow::Borrowed(name);
            format!("unknown_partner: '{name}' is not in partners.csv or partner_aliases.csv")
        }
        Defect::AmountTbd => {
            row.amount = None;
            "bad_amount: amount 'TBD' is not a number".to_owned()
        }
        Defect::BadCloseDate => {
            let text = if (cycle + usize::from(kind == Kind::Sheet)).is_multiple_of(2) { "31/02/2026" } else { "soon" };
            row.close_text = Some(text);
            format!("bad_date: close date '{text}' is not a valid date")
        }
        Defect::EmptyCustomer => {
            row.customer = Cow::Borrowed("");
            "missing_customer: customer name is empty".to_owned()
        }
        Defect::UnknownStage => {
            row.stage_text = Some("Pending Legal");
            "unknown_stage: 'Pending Legal' is not in stages.csv for this source".to_owned()
        }
        Defect::CurrencyChf => {
            row.currency_text = Some("CHF");
            "no_fx_rate: currency 'CHF' has no rate in fx_rates.csv".to_owned()
        }
        Defect::UnknownProduct => {
            row.product_text = Some("SKU-9999");
            "unknown_product: 'SKU-9999' is not in products.csv or product_aliases.csv".to_owned()
        }
    };
    let (line, _) = f.write(&row)?;
    ctx.lineage(kind, f.out.locator(), line, None, "bad", &note)?;
    ctx.rows += 1;
    ctx.bad += 1;
    Ok(())
}
