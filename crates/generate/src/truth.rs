//! Ground truth under `truth/`: the deals, and the README explaining the truth files.

use std::path::Path;

use crate::GenerateError;
use crate::csvout::{Cells, CsvOut, Enc};
use crate::deals::{Deal, Home, NONE};
use crate::fmt::{DateFmt, push_date, push_plain};
use crate::master::{CURRENCIES, Master};
use crate::sources::{Kind, push_deal_id};
use crate::words::{PRODUCTS, STAGES};

/// Writes `truth/deals.csv` (sources must have been written: they number the rows).
pub(crate) fn write_deals(dir: &Path, m: &Master, deals: &[Deal]) -> Result<(), GenerateError> {
    let mut w = CsvOut::create(dir, "truth/deals.csv", ',', false, Enc::Utf8)?;
    let header = [
        "deal_id",
        "external_id",
        "source",
        "currency",
        "amount_original",
        "stage",
        "created_date",
        "close_date",
        "customer_name",
        "customer_country",
        "product_id",
        "partners",
    ];
    w.record(&header)?;
    let mut c = Cells::new(header.len());
    for (i, d) in deals.iter().enumerate() {
        c.clear();
        let (kind, ext) = match d.home {
            Home::Crm => (Kind::Crm, i as u64),
            Home::Sheet => (Kind::Sheet, u64::from(d.sheet_ref)),
            Home::PartnerFile => (Kind::of_partner(d.sourced), u64::from(d.pfile_ref)),
        };
        push_deal_id(c.at(0), i);
        kind.push_ext(c.at(1), ext);
        c.set(2, kind.source());
        c.set(3, CURRENCIES[usize::from(d.currency)]);
        push_plain(c.at(4), d.amount);
        c.set(5, STAGES[usize::from(d.stage)]);
        push_date(c.at(6), d.created, DateFmt::Iso);
        push_date(c.at(7), d.close, DateFmt::Iso);
        let customer = &m.customers[d.customer as usize];
        c.set(8, &customer.name);
        c.set(9, kind.country_text(usize::from(customer.country), i as u64));
        c.set(10, PRODUCTS[usize::from(d.product)].id);
        let links = c.at(11);
        links.push_str(&m.partners[d.sourced as usize].id);
        links.push_str(":sourced:1");
        let half = d.influenced_split_half();
        for &p in d.influenced.iter().filter(|&&p| p != NONE) {
            links.push(';');
            links.push_str(&m.partners[p as usize].id);
            links.push_str(if half { ":influenced:0.5" } else { ":influenced:1" });
        }
        w.record(c.as_slice())?;
    }
    w.finish()?;
    Ok(())
}

/// Writes `truth/README.md`.
pub(crate) fn write_readme(dir: &Path) -> Result<(), GenerateError> {
    let path = dir.join("truth/README.md");
    std::fs::write(&path, README).map_err(|e| GenerateError::io(&path, e))
}

const README: &str = r#"# Ground truth of the generated program

These files are written by the generator (`watershed init --example`) next to the
messy inputs under `inbox/`. Watershed never reads them: they exist so that tests and
benchmarks can check what the pipeline made of the inputs. They are not under `inbox/`
on purpose.

## deals.csv — one row per real deal

| column | meaning |
|---|---|
| deal_id | the generator's id of the deal (`D0000001`) |
| external_id | the id the surviving source row gives the deal (CRM Opportunity ID, sheet `Ref`, partner `Deal #` …) |
| source | the surviving source: the highest in `[resolve] precedence` (crm > sheets > partner_files) that reports the deal |
| currency, amount_original | the amount exactly as the surviving row states it (numeric, 2 decimals; the sheet is always USD) |
| stage | canonical stage (prospecting, qualification, proposal, negotiation, closed_won, closed_lost) |
| created_date, close_date | ISO dates as the surviving row states them |
| customer_name, customer_country | as the surviving row writes them (the country is the raw spelling of that source, e.g. `Germany`, `DE`, `Deutschland`; regions.csv maps it) |
| product_id | canonical product id |
| partners | every partner link, `P001:sourced:1;P007:influenced:0.5` (role and split) |

A CRM deal re-listed in the delta export (`opportunities_2026-11-15.csv`) carries its
delta values here. Re-reports of a CRM deal in the sheet or a partner file may be stale
(other stage; amount converted, rounded to 1,000 in the sheet or to 5,000 by a partner;
close date a few days or up to four weeks off; a partner's own, earlier created date;
the customer upper-cased, misspelled, abbreviated — "Intl", "Mfg", "Grp" —, with another
legal suffix or with "The" in front); the CRM values survive. About one deal in
twenty-five has a sibling: another deal of the same partner and customer closing in the
same quarter (another product, or an add-on of the same product) — a different deal a
matcher must not merge. Every cross-source duplicate row carries the CRM Opportunity ID
in its reference column (`SFDC ID`, `CRM Ref`, `CRM-ID`, …), unless the program was
generated with `--without-shared-ids`, which leaves that column out of the sheet and the
partner files (then only scored matching can find the duplicates). Deals that only the
sheet or only a partner file reports have an empty reference column.

## source_rows.csv — one row per non-header line of every opportunity source file

| column | meaning |
|---|---|
| source | the source name in watershed.toml (crm, sheets, partner_files) |
| file | the input as a run names it: the path relative to the project folder, plus `#Sheet` for a workbook sheet (`inbox/partners/northwind_deals.xlsx#Deals`) |
| line | 1-based physical line number in the file, or spreadsheet row number in a workbook (the header is line 1, except in `tailspin_q_report.csv` where two `#` comment lines come first, and in Northwind's workbook where a title, an export note and a blank row come first) |
| deal_id | the deal the row reports; empty for bad rows and skipped lines |
| kind | `deal` (a row of a real deal; a CRM deal with two partners has two rows), `bad` (an extra row with exactly one defect that must be quarantined) or `skipped` (blank line, comment line, title line above the header, TOTAL row, footnote) |
| note | for bad rows: `code: explanation` — codes `unknown_partner`, `bad_amount`, `bad_date`, `missing_customer`, `unknown_stage`, `no_fx_rate`, `unknown_product`; for skipped lines what they are |

Conservation: for each input, rows read = `deal` rows + `bad` rows + `skipped` lines.

The partner files come in different shapes on purpose: `northwind_deals.xlsx` (a
workbook: merged title row, export note and blank row above the header, amounts as
numbers, dates as Excel dates), `contoso_deals.tsv` (UTF-16 LE with BOM, tab-separated,
CRLF), `bauer_systemhaus_export.csv` (Windows-1252, `;`, decimal commas, German
headers), `fabrikam_pipeline.csv` (UTF-8 with BOM, `£` amounts, day-first dates) and
`tailspin_q_report.csv` (comment lines, a blank line, a TOTAL row and a footnote).
None of them needs a `[sources.columns]` mapping.
The number of distinct deals is the number of rows in deals.csv; a deal with rows in
more than one source is a cross-source duplicate the resolver must merge.
"#;
