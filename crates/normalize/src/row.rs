//! One source row → one canonical record, or a [`Rejection`] that sends it to quarantine.

use crate::dates::{DateOrder, date_order_of, date_order_votes, parse_date, parse_datetime};
use crate::lookup::{LookupError, Lookups, Suggestion};
use crate::money::{decimal_votes, parse_amount};
use chrono::Datelike;
use rust_decimal::Decimal;
use watershed_model::{Cells, Entity, FieldKind, FiscalPeriod, PartnerRole, SourceOpportunity, Symbol, Text, Value, round_money};

/// Why a row cannot enter the governed dataset: which field, its value, the reason and
/// the best suggestions. Stored with the quarantined row.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The canonical field at fault.
    pub field: String,
    /// The value as received (None when it was missing).
    pub value: Option<String>,
    /// What is wrong and how to fix it.
    pub reason: String,
    /// Closest known values, for `watershed map`.
    pub suggestions: Vec<Suggestion>,
}

impl Rejection {
    fn new(field: &str, value: Option<&str>, reason: impl Into<String>) -> Self {
        Rejection { field: field.to_string(), value: value.map(str::to_string), reason: reason.into(), suggestions: Vec::new() }
    }

    fn lookup(field: &str, value: &str, table: &str, error: LookupError) -> Self {
        match error {
            LookupError::Unknown { key, suggestions } => {
                let hint = match suggestions.first() {
                    Some(s) => format!("; closest: {} ({}, score {:.2}); add an alias to mappings/{table}", s.id, s.label, s.score),
                    None => format!("; add it to mappings/{table}"),
                };
                Rejection {
                    field: field.to_string(),
                    value: Some(value.to_string()),
                    reason: format!("unknown {field} `{value}` (key `{key}`){hint}"),
                    suggestions,
                }
            }
            LookupError::Ambiguous { key, ids } => Rejection::new(
                field,
                Some(value),
                format!(
                    "{field} `{value}` (key `{key}`) matches several entries: {}; make the alias unique in mappings/{table}",
                    ids.join(", ")
                ),
            ),
        }
    }
}

/// The empty-value markers of DESIGN: empty, `NULL`, `N/A`, `-`, `#N/A` (any case).
pub fn is_missing(text: &str) -> bool {
    is_missing_trimmed(text.trim())
}

/// [`is_missing`] of text already trimmed.
fn is_missing_trimmed(t: &str) -> bool {
    t.is_empty() || t == "-" || t.eq_ignore_ascii_case("null") || t.eq_ignore_ascii_case("n/a") || t.eq_ignore_ascii_case("#n/a")
}

/// Which column of an input holds which canonical field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnBinding {
    /// Per column, the canonical field it feeds (None: not used).
    pub columns: Vec<Option<&'static str>>,
    /// A currency named by the amount column's header, as in "Deal Value (EUR)".
    pub amount_currency: Option<String>,
}

impl ColumnBinding {
    /// The first non-missing value of `field` in `row`.
    pub fn get<'a>(&self, row: &'a Cells, field: &str) -> Option<&'a str> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, f)| **f == Some(field))
            .filter_map(|(i, _)| row.get(i).map(|v| v.trim()))
            .find(|v| !is_missing_trimmed(v))
    }

    /// The columns that feed `field`, in order.
    fn columns_of(&self, field: &str) -> Vec<usize> {
        self.columns.iter().enumerate().filter(|(_, f)| **f == Some(field)).map(|(i, _)| i).collect()
    }

    /// Whether some column feeds `field`.
    pub fn has(&self, field: &str) -> bool {
        self.columns.contains(&Some(field))
    }
}

/// What normalization needs to know about one input besides its rows: the source,
/// the column-level decisions (date order, decimal comma) and the source's defaults.
#[derive(Debug, Clone)]
pub struct InputContext {
    /// Source name (stage mappings are per source).
    pub source: String,
    /// The entity the rows are.
    pub entity: Entity,
    /// How columns map to fields.
    pub binding: ColumnBinding,
    /// Every row's partner, for a partner's own drop folder.
    pub fixed_partner: Option<String>,
    /// Currency of amounts that name none.
    pub default_currency: Option<String>,
    /// Per field some column feeds: its columns, date order and decimal comma.
    fields: Vec<FieldFormat>,
}

/// How one field is read in an input.
#[derive(Debug, Clone)]
struct FieldFormat {
    name: &'static str,
    columns: Vec<usize>,
    date_order: Option<DateOrder>,
    decimal_comma: bool,
}

/// Fewer rows than twice this are not worth a second thread for inferring formats.
const ROWS_PER_THREAD: usize = 4096;

/// What part of a column says about its format.
enum Votes {
    /// Not a date or decimal column (or its date order is configured).
    None,
    /// (day first, month first).
    Date((bool, bool)),
    /// (decimal comma, decimal point).
    Decimal((usize, usize)),
}

impl Votes {
    /// The votes of two parts of a column together.
    fn and(self, other: Votes) -> Votes {
        match (self, other) {
            (Votes::Date((a, b)), Votes::Date((c, d))) => Votes::Date((a || c, b || d)),
            (Votes::Decimal((a, b)), Votes::Decimal((c, d))) => Votes::Decimal((a + c, b + d)),
            (v, _) => v,
        }
    }
}

/// The first non-missing value among `columns` of `row`, trimmed.
fn first_value<'a>(row: &'a Cells, columns: &[usize]) -> Option<&'a str> {
    columns.iter().filter_map(|&i| row.get(i).map(trim)).find(|v| !is_missing_trimmed(v))
}

/// `text.trim()`, without looking further when the text starts and ends with a
/// visible ASCII character (which no trimming removes).
fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| (0x21..0x7F).contains(b));
    let bytes = text.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) { text } else { text.trim() }
}

impl InputContext {
    /// Decides the column-level formats from all `rows` of the input (each row
    /// [`Cells`], or anything that holds them, such as a `Cow` of corrected cells).
    pub fn infer<R: AsRef<Cells> + Sync>(
        source: &str,
        entity: Entity,
        binding: ColumnBinding,
        rows: &[R],
        date_format: Option<&str>,
        fixed_partner: Option<String>,
        default_currency: Option<String>,
    ) -> Self {
        let configured = date_format.and_then(DateOrder::from_format);
        let mut fields: Vec<FieldFormat> = Vec::new();
        let mut kinds = Vec::new();
        for spec in entity.fields() {
            let columns = binding.columns_of(spec.name);
            if !columns.is_empty() {
                fields.push(FieldFormat { name: spec.name, columns, date_order: None, decimal_comma: false });
                kinds.push(spec.kind);
            }
        }
        // The votes of every date and decimal column, over the rows on every core.
        let votes_of = |rows: &[R]| -> Vec<Votes> {
            fields
                .iter()
                .zip(&kinds)
                .map(|(f, kind)| {
                    let values = || rows.iter().filter_map(|r| first_value(r.as_ref(), &f.columns));
                    match kind {
                        FieldKind::Date | FieldKind::DateTime if configured.is_none() => Votes::Date(date_order_votes(values())),
                        FieldKind::Decimal => Votes::Decimal(decimal_votes(values())),
                        _ => Votes::None,
                    }
                })
                .collect()
        };
        let votes = if rows.len() >= ROWS_PER_THREAD * 2 {
            let (first, second) = rows.split_at(rows.len() / 2);
            std::thread::scope(|scope| {
                let other = scope.spawn(|| votes_of(second));
                let mine = votes_of(first);
                let theirs = other.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                mine.into_iter().zip(theirs).map(|(a, b)| a.and(b)).collect()
            })
        } else {
            votes_of(rows)
        };
        for ((f, kind), v) in fields.iter_mut().zip(&kinds).zip(votes) {
            match (kind, v) {
                (FieldKind::Date | FieldKind::DateTime, Votes::Date(v)) => f.date_order = date_order_of(v),
                (FieldKind::Date | FieldKind::DateTime, _) => f.date_order = configured,
                (FieldKind::Decimal, Votes::Decimal((comma, point))) => f.decimal_comma = comma > point,
                _ => {}
            }
        }
        // Fields bound to columns but not of the entity (none today) are still readable.
        for name in binding.columns.iter().flatten() {
            if !fields.iter().any(|f| f.name == *name) {
                fields.push(FieldFormat { name, columns: binding.columns_of(name), date_order: None, decimal_comma: false });
            }
        }
        InputContext { source: source.to_string(), entity, binding, fixed_partner, default_currency, fields }
    }

    fn format(&self, field: &str) -> Option<&FieldFormat> {
        self.fields.iter().find(|f| f.name == field)
    }

    fn get<'a>(&self, row: &'a Cells, field: &str) -> Option<&'a str> {
        first_value(row, &self.format(field)?.columns)
    }

    fn required<'a>(&self, row: &'a Cells, field: &str) -> Result<&'a str, Rejection> {
        self.get(row, field).ok_or_else(|| {
            let reason = if self.binding.has(field) {
                format!("{field} is empty; it is required for {}", self.entity)
            } else {
                format!("no column maps to {field}; map one in [sources.columns] of source `{}`", self.source)
            };
            Rejection::new(field, None, reason)
        })
    }

    fn date(&self, row: &Cells, field: &'static str) -> Result<Option<chrono::NaiveDate>, Rejection> {
        let Some(text) = self.get(row, field) else { return Ok(None) };
        let order = self.format(field).and_then(|f| f.date_order);
        parse_date(text, order).map(Some).map_err(|e| Rejection::new(field, Some(text), format!("{field}: {e}")))
    }

    fn datetime(&self, row: &Cells, field: &'static str) -> Result<Option<chrono::NaiveDateTime>, Rejection> {
        let Some(text) = self.get(row, field) else { return Ok(None) };
        let order = self.format(field).and_then(|f| f.date_order);
        parse_datetime(text, order).map(Some).map_err(|e| Rejection::new(field, Some(text), format!("{field}: {e}")))
    }

    fn decimal(&self, row: &Cells, field: &'static str) -> Result<Option<crate::money::ParsedAmount>, Rejection> {
        let Some(text) = self.get(row, field) else { return Ok(None) };
        let comma = self.format(field).is_some_and(|f| f.decimal_comma);
        parse_amount(text, comma).map(Some).map_err(|e| Rejection::new(field, Some(text), format!("{field}: {e}")))
    }

    fn partner(&self, row: &Cells, field: &'static str, lookups: &Lookups) -> Result<Symbol, Rejection> {
        let text = match &self.fixed_partner {
            Some(p) => p.as_str(),
            None => self.required(row, field)?,
        };
        lookups.partner(text).map_err(|e| Rejection::lookup("partner", text, "partner_aliases.csv", e))
    }
}

fn text(ctx: &InputContext, row: &Cells, field: &str) -> Option<Text> {
    ctx.get(row, field).map(Text::from)
}

/// A field whose values repeat row after row (country, industry), interned.
fn symbol(ctx: &InputContext, row: &Cells, field: &str) -> Option<Symbol> {
    ctx.get(row, field).map(Symbol::from)
}

/// Parses a split: `50%`, `0.5`, or `50` (read as a percentage); must be in (0, 1].
fn parse_split(text: &str) -> Result<Decimal, Rejection> {
    let t = text.trim();
    let bad =
        || Rejection::new("partner_split", Some(t), format!("partner_split `{t}` must be a share in (0, 1] or a percentage in (0, 100]"));
    let (number, percent) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let value = parse_amount(number, number.contains(',') && !number.contains('.')).map_err(|_| bad())?.value;
    let share = if percent || value > Decimal::ONE { value / Decimal::from(100) } else { value };
    if share <= Decimal::ZERO || share > Decimal::ONE {
        return Err(bad());
    }
    Ok(share.normalize())
}

/// Normalizes one opportunity row: partner, product, region, stage, dates, amount and
/// its conversion to the reporting currency at the close month's rate.
pub fn normalize_opportunity(ctx: &InputContext, lookups: &Lookups, row: &Cells) -> Result<SourceOpportunity, Rejection> {
    let partner_id = ctx.partner(row, "partner", lookups)?;
    let customer_name = Text::from(ctx.required(row, "customer_name")?);
    let raw_stage = ctx.required(row, "stage")?;
    let stage = lookups.stage(&ctx.source, raw_stage).ok_or_else(|| Rejection {
        suggestions: lookups.stage_suggestions(raw_stage),
        ..Rejection::new(
            "stage",
            Some(raw_stage),
            format!(
                "unknown stage `{raw_stage}` for source `{}`; add `{},{raw_stage},<stage>` to mappings/stages.csv",
                ctx.source, ctx.source
            ),
        )
    })?;
    let close_date = ctx.date(row, "close_date")?.ok_or_else(|| {
        ctx.required(row, "close_date").err().unwrap_or_else(|| Rejection::new("close_date", None, "close_date is required"))
    })?;
    let created_date = ctx.date(row, "created_date")?;
    let amount_text = ctx.required(row, "amount")?;
    let parsed = ctx.decimal(row, "amount")?.ok_or_else(|| Rejection::new("amount", Some(amount_text), "amount is required"))?;
    let column_currency = ctx.get(row, "currency").map(|c| c.trim().to_ascii_uppercase());
    if let (Some(col), Some(sym)) = (&column_currency, &parsed.currency)
        && col != sym
    {
        return Err(Rejection::new("currency", Some(col), format!("currency column says {col} but the amount `{amount_text}` says {sym}")));
    }
    let currency = column_currency
        .or(parsed.currency)
        .or_else(|| ctx.binding.amount_currency.clone())
        .or_else(|| ctx.default_currency.clone())
        .unwrap_or_else(|| lookups.reporting_currency().to_string());
    let rate = lookups.fx_rate(&currency, close_date.year(), close_date.month()).ok_or_else(|| {
        Rejection::new(
            "currency",
            Some(&currency),
            format!(
                "no FX rate for {currency} in {}; add `{currency},{},<rate>` to mappings/fx_rates.csv",
                close_date.format("%Y-%m"),
                close_date.format("%Y-%m")
            ),
        )
    })?;
    let (product_id, product_family) = match ctx.get(row, "product") {
        Some(p) => {
            let (id, family) = lookups.product(p).map_err(|e| Rejection::lookup("product", p, "product_aliases.csv", e))?;
            (Some(id), family)
        }
        None => (None, None),
    };
    let customer_country = symbol(ctx, row, "customer_country");
    let region = match (ctx.get(row, "region"), customer_country.as_deref()) {
        (Some(r), _) => Some(lookups.region(r).map_err(|e| Rejection::lookup("region", r, "regions.csv", e))?),
        (None, Some(c)) => Some(lookups.region(c).map_err(|e| Rejection::lookup("customer_country", c, "regions.csv", e))?),
        (None, None) => None,
    };
    let partner_role = match ctx.get(row, "partner_role") {
        Some(r) => Some(r.parse::<PartnerRole>().map_err(|e| Rejection::new("partner_role", Some(r), e))?),
        None => None,
    };
    let partner_split = ctx.get(row, "partner_split").map(parse_split).transpose()?;
    Ok(SourceOpportunity {
        external_id: text(ctx, row, "external_id"),
        name: text(ctx, row, "name"),
        customer_name,
        customer_country,
        region,
        industry: symbol(ctx, row, "industry"),
        product_id,
        product_family,
        amount: round_money(parsed.value * rate),
        amount_original: parsed.value,
        currency: Symbol::from(currency.as_str()),
        stage,
        created_date,
        close_date,
        deal_registration_id: text(ctx, row, "deal_registration_id"),
        crm_opportunity_id: text(ctx, row, "crm_opportunity_id"),
        partner_id,
        partner_role,
        partner_split,
        updated_at: ctx.datetime(row, "updated_at")?,
    })
}

/// Normalizes a row of any other entity into its fields' values, in
/// [`Entity::fields`] order.
pub fn normalize_entity_row(ctx: &InputContext, lookups: &Lookups, row: &Cells) -> Result<Vec<Value>, Rejection> {
    let mut values = Vec::with_capacity(ctx.entity.fields().len());
    for spec in ctx.entity.fields() {
        let name = spec.name;
        let value =
            if spec.kind == FieldKind::Partner {
                Value::Text(ctx.partner(row, name, lookups)?.as_str().into())
            } else {
                let Some(raw) = ctx.get(row, name) else {
                    if spec.required {
                        return Err(ctx.required(row, name).err().unwrap_or_else(|| Rejection::new(name, None, "required")));
                    }
                    values.push(Value::Null);
                    continue;
                };
                match spec.kind {
                    FieldKind::Text | FieldKind::Partner => Value::Text(raw.to_string()),
                    FieldKind::Date => ctx.date(row, name)?.map_or(Value::Null, Value::Date),
                    FieldKind::DateTime => ctx.datetime(row, name)?.map_or(Value::Null, Value::DateTime),
                    FieldKind::Decimal => ctx.decimal(row, name)?.map_or(Value::Null, |p| Value::Decimal(p.value)),
                    FieldKind::Integer => {
                        let n = ctx.decimal(row, name)?.map(|p| p.value).unwrap_or_default();
                        if !n.fract().is_zero() {
                            return Err(Rejection::new(name, Some(raw), format!("{name} `{raw}` is not a whole number")));
                        }
                        Value::Integer(
                            n.trunc().try_into().map_err(|_| Rejection::new(name, Some(raw), format!("{name} `{raw}` is out of range")))?,
                        )
                    }
                    FieldKind::Bool => Value::Bool(crate::boolean::parse_bool(raw).ok_or_else(|| {
                        Rejection::new(name, Some(raw), format!("{name} `{raw}` is not yes/no (true/false, Y/N, 1/0, x)"))
                    })?),
                    FieldKind::Period => {
                        let p: FiscalPeriod =
                            raw.parse().map_err(|e: watershed_model::PeriodError| Rejection::new(name, Some(raw), e.to_string()))?;
                        Value::Text(p.to_string())
                    }
                    FieldKind::Month => {
                        let d = parse_date(&format!("{}-01", raw.trim()), None)
                            .or_else(|_| parse_date(raw, None))
                            .map_err(|_| Rejection::new(name, Some(raw), format!("{name} `{raw}` is not a month (YYYY-MM)")))?;
                        Value::Text(d.format("%Y-%m").to_string())
                    }
                    FieldKind::Enum(choices) => {
                        let lower = raw.trim().to_ascii_lowercase();
                        if !choices.contains(&lower.as_str()) {
                            return Err(Rejection::new(name, Some(raw), format!("{name} `{raw}` is not one of {}", choices.join(", "))));
                        }
                        Value::Text(lower)
                    }
                }
            };
        values.push(value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use watershed_config::{FxRate, Mappings, Product, StageMapping};
    use watershed_model::{Partner, Stage};

    fn lookups() -> Lookups {
        let partner = |id: &str, name: &str| Partner::new(id, name);
        let m = Mappings {
            partners: vec![partner("P001", "Northwind Traders"), partner("P002", "Bauer Systemhaus GmbH")],
            products: vec![Product { product_id: "PRD-1".into(), name: "Analytics Cloud".into(), family: Some("Analytics".into()) }],
            product_aliases: vec![("SKU-1001".into(), "PRD-1".into())],
            regions: vec![("Germany".into(), "EMEA".into()), ("US".into(), "North America".into())],
            stages: vec![StageMapping { source: "p".into(), raw_stage: "Gewonnen".into(), stage: Stage::ClosedWon }],
            fx_rates: vec![FxRate { currency: "EUR".into(), month: (2026, 3), rate: Decimal::from_str("1.1").unwrap() }],
            ..Default::default()
        };
        Lookups::new(&m, "USD")
    }

    const HEADERS: [&str; 9] =
        ["partner", "customer_name", "amount", "stage", "close_date", "customer_country", "product", "partner_split", "created_date"];

    fn ctx(rows: &[Cells]) -> InputContext {
        let binding = ColumnBinding { columns: HEADERS.iter().map(|h| Some(*h)).collect(), amount_currency: None };
        InputContext::infer("p", Entity::Opportunities, binding, rows, None, None, None)
    }

    fn row(cells: [&str; 9]) -> Cells {
        Cells::new(cells)
    }

    #[test]
    fn a_good_row_is_normalized_and_converted_at_the_close_month_rate() {
        let rows = vec![
            row(["Bauer Systemhaus", "Kunde AG", "12.500,00 €", "Gewonnen", "15.03.2026", "Germany", "SKU-1001", "50%", "01.02.2026"]),
            row(["P001", "X", "900,50", "closed_lost", "13.03.2026", "", "", "", ""]),
        ];
        let c = ctx(&rows);
        let o = normalize_opportunity(&c, &lookups(), &rows[0]).unwrap();
        assert_eq!(o.partner_id, "P002");
        assert_eq!(o.amount_original, Decimal::from_str("12500.00").unwrap());
        assert_eq!(o.currency, "EUR");
        assert_eq!(o.amount, Decimal::from_str("13750.00").unwrap());
        assert_eq!(o.stage, Stage::ClosedWon);
        assert_eq!(o.region.as_deref(), Some("EMEA"));
        assert_eq!(o.product_family.as_deref(), Some("Analytics"));
        assert_eq!(o.partner_split, Some(Decimal::from_str("0.5").unwrap()));
        assert_eq!(o.close_date.to_string(), "2026-03-15");
        let o2 = normalize_opportunity(&c, &lookups(), &rows[1]).unwrap();
        assert_eq!(o2.amount, Decimal::from_str("900.50").unwrap());
        assert_eq!(o2.currency, "USD");
        assert_eq!(o2.region, None);
    }

    #[test]
    fn bad_rows_are_rejected_with_field_and_reason() {
        let cases: &[([&str; 9], &str, &str)] = &[
            (["Northwind Tradrs Intl", "C", "1", "won", "2026-03-01", "", "", "", ""], "partner", "closest: P001"),
            (["P001", "", "1", "closed_won", "2026-03-01", "", "", "", ""], "customer_name", "customer_name is empty"),
            (["P001", "C", "TBD", "closed_won", "2026-03-01", "", "", "", ""], "amount", "`TBD` is not an amount"),
            (["P001", "C", "1", "Pending Legal", "2026-03-01", "", "", "", ""], "stage", "mappings/stages.csv"),
            (["P001", "C", "1", "closed_won", "soon", "", "", "", ""], "close_date", "`soon` is not a date"),
            (["P001", "C", "1", "closed_won", "31.02.2026", "", "", "", ""], "close_date", "not a valid date"),
            (["P001", "C", "CHF 1", "closed_won", "2026-03-01", "", "", "", ""], "currency", "no FX rate for CHF in 2026-03"),
            (["P001", "C", "EUR 1", "closed_won", "2026-04-01", "", "", "", ""], "currency", "no FX rate for EUR in 2026-04"),
            (["P001", "C", "1", "closed_won", "2026-03-01", "Atlantis", "", "", ""], "customer_country", "unknown customer_country"),
            (["P001", "C", "1", "closed_won", "2026-03-01", "", "SKU-9", "", ""], "product", "unknown product"),
            (["P001", "C", "1", "closed_won", "2026-03-01", "", "", "150%", ""], "partner_split", "(0, 1]"),
        ];
        for (cells, field, reason) in cases {
            let rows = vec![row(*cells)];
            let err = normalize_opportunity(&ctx(&rows), &lookups(), &rows[0]).unwrap_err();
            assert_eq!(err.field, *field, "{cells:?}: {err:?}");
            assert!(err.reason.contains(reason), "{cells:?}: {}", err.reason);
        }
    }

    #[test]
    fn entity_rows_follow_the_schema() {
        let binding = ColumnBinding { columns: vec![Some("partner_id"), Some("period"), Some("amount")], amount_currency: None };
        let rows = vec![Cells::new(["NORTHWIND TRADERS INC", "fy2026-q3", "$120,000"]), Cells::new(["P001", "Q3", "1"])];
        let c = InputContext::infer("targets", Entity::Targets, binding, &rows, None, None, None);
        let v = normalize_entity_row(&c, &lookups(), &rows[0]).unwrap();
        assert_eq!(v, vec![Value::Text("P001".into()), Value::Text("FY2026-Q3".into()), Value::Decimal(Decimal::from(120000))]);
        let e = normalize_entity_row(&c, &lookups(), &rows[1]).unwrap_err();
        assert_eq!(e.field, "period");
    }

    #[test]
    fn the_trim_shortcut_trims_like_trim() {
        for t in
            ["", " ", "a", " a", "a ", "\ta\n", "\u{a0}a\u{a0}", "a\u{3000}", "\u{85}", "x y", "\u{b}a\u{c}", "\u{1c}a\u{1f}", "é", " é "]
        {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn missing_markers() {
        for t in ["", " ", "NULL", "n/a", "N/A", "-", "#N/A"] {
            assert!(is_missing(t), "{t:?}");
        }
        for t in ["0", "none at all", "x"] {
            assert!(!is_missing(t), "{t:?}");
        }
    }
}
