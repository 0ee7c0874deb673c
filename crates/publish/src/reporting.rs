//! The reporting model: the governed dataset and the scorecards as typed tables with
//! a description on every table and column — the single source for the PostgreSQL
//! reporting schema, the CSV and Parquet exports and the BI guide.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use watershed_metrics::{CATALOG, Scorecards};
use watershed_model::{Dataset, Entity, FieldKind, FiscalCalendar, FiscalPeriod};

/// A column's type in the reporting schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// text
    Text,
    /// numeric (exact decimals: money, ratios)
    Numeric,
    /// bigint
    Integer,
    /// date
    Date,
    /// timestamp without time zone
    Timestamp,
    /// boolean
    Boolean,
}

impl ColumnType {
    /// The PostgreSQL type name.
    pub fn sql(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Numeric => "numeric",
            ColumnType::Integer => "bigint",
            ColumnType::Date => "date",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// One value of a reporting table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// null
    Null,
    /// text
    Text(String),
    /// numeric
    Numeric(Decimal),
    /// integer
    Integer(i64),
    /// date
    Date(NaiveDate),
    /// timestamp
    Timestamp(NaiveDateTime),
    /// boolean
    Bool(bool),
}

impl Cell {
    fn text<S: AsRef<str>>(v: &Option<S>) -> Cell {
        v.as_ref().map_or(Cell::Null, |s| Cell::Text(s.as_ref().to_string()))
    }
    fn date(v: Option<NaiveDate>) -> Cell {
        v.map_or(Cell::Null, Cell::Date)
    }
    fn numeric(v: Option<Decimal>) -> Cell {
        v.map_or(Cell::Null, Cell::Numeric)
    }

    /// The value as CSV text (empty for null; ISO dates; plain decimals).
    pub fn to_csv(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Numeric(d) => d.normalize().to_string(),
            Cell::Integer(i) => i.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Timestamp(t) => watershed_model::value::iso_datetime(t),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// A column with its description (shown by BI tools as the column comment).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: ColumnType,
    /// What it holds.
    pub comment: String,
    /// Whether the column may hold nulls; writers reject a null in a column that may not.
    pub nullable: bool,
}

/// A table of the reporting schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    /// Name.
    pub name: String,
    /// What one row is.
    pub comment: String,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows (cells in column order).
    pub rows: Vec<Vec<Cell>>,
}

/// A nullable column.
fn col(name: &str, ty: ColumnType, comment: &str) -> Column {
    Column { name: name.into(), ty, comment: comment.into(), nullable: true }
}

impl Column {
    /// The same column, declared as never null.
    fn not_null(self) -> Column {
        Column { nullable: false, ..self }
    }
}

/// Descriptions of the entity fields, by name (shared across entities).
fn field_comment(entity: Entity, name: &str) -> String {
    let known = match name {
        "partner_id" => "the partner (partners.partner_id)",
        "period" => "fiscal quarter, e.g. FY2026-Q3",
        "amount" if entity == Entity::Targets => "revenue target for the quarter, reporting currency",
        "amount" if entity == Entity::PartnerCosts => "cost amount, reporting currency",
        "amount" if entity == Entity::MdfAllocations => "MDF allocated for the quarter",
        "amount" => "line amount",
        "customer_name" => "the end customer",
        "registration_id" => "the deal registration's id",
        "submitted_at" => "when the registration was submitted",
        "status" => "workflow status",
        "approved_at" => "when it was approved (null: never)",
        "rejection_reason" => "why it was rejected",
        "opportunity_id" => "the CRM opportunity it became",
        "person" => "the partner's person",
        "course" => "training course",
        "assigned_date" => "when the training was assigned",
        "completed_date" => "when it was completed (null: not yet)",
        "certification" => "certification name",
        "level" => "certification level",
        "issued_date" => "when it was issued",
        "expires_date" => "when it expires (null: never)",
        "month" => "calendar month YYYY-MM",
        "logins" => "portal logins in the month",
        "sessions" => "portal sessions in the month",
        "minutes" => "minutes spent in the portal in the month",
        "event" => "event name",
        "kind" => "webinar, conference, training or marketing",
        "date" => "date",
        "request_id" => "the MDF request's id",
        "submitted_date" => "when the request was submitted",
        "amount_requested" => "MDF requested",
        "amount_approved" => "MDF approved",
        "amount_spent" => "MDF spent",
        "first_spend_date" => "first spend",
        "attributed_revenue" => "revenue attributed to the funded activity",
        "score" if entity == Entity::CsatResponses => "CSAT score, 1–5",
        "score" => "NPS score, 0–10",
        "contract_date" => "contract signature",
        "go_live_date" => "go-live (null: not yet live)",
        "ticket_id" => "the support ticket's id",
        "opened_date" => "when the ticket was opened",
        "first_call_resolved" => "resolved on first contact",
        "escalated" => "escalated",
        "distributor" => "the distributor reporting the sale",
        "end_customer" => "the end customer",
        "product_id" => "the product (products.product_id)",
        "quantity" => "units sold",
        "unit_price" => "price per unit",
        "currency" => "ISO currency code",
        "invoice_date" => "invoice date",
        "cost_type" => "mdf, rebate, discount, enablement or other",
        _ => "",
    };
    if known.is_empty() { name.replace('_', " ") } else { known.to_string() }
}

fn entity_type(kind: FieldKind) -> ColumnType {
    match kind {
        FieldKind::Date => ColumnType::Date,
        FieldKind::DateTime => ColumnType::Timestamp,
        FieldKind::Decimal => ColumnType::Numeric,
        FieldKind::Integer => ColumnType::Integer,
        FieldKind::Bool => ColumnType::Boolean,
        _ => ColumnType::Text,
    }
}

fn entity_table(entity: Entity, comment: &str, rows: Vec<Vec<Cell>>) -> ReportTable {
    let columns = entity
        .fields()
        .iter()
        .map(|f| Column { nullable: !f.required, ..col(f.name, entity_type(f.kind), &field_comment(entity, f.name)) })
        .collect();
    ReportTable { name: entity.name().into(), comment: comment.into(), columns, rows }
}

/// Every table of the reporting schema, built from the dataset and the scorecards.
pub fn reporting_tables(calendar: &FiscalCalendar, data: &Dataset, cards: &Scorecards) -> Vec<ReportTable> {
    use Cell as C;
    use ColumnType::*;
    let mut tables = Vec::new();
    tables.push(ReportTable {
        name: "partners".into(),
        comment: "Partner master data (dimension): one row per partner of mappings/partners.csv.".into(),
        columns: vec![
            col("partner_id", Text, "stable partner id").not_null(),
            col("name", Text, "company name").not_null(),
            col("tier", Text, "program tier as recorded"),
            col("segment", Text, "support segment"),
            col("region", Text, "geographic region"),
            col("partner_type", Text, "global_si, regional_si, reseller, distributor, referral, isv, …"),
            col("partner_manager", Text, "channel manager accountable for the partner"),
            col("account_manager", Text, "sales owner"),
            col("start_date", Date, "partnership start"),
            col("contract_end_date", Date, "contract end"),
            col("status", Text, "active or inactive").not_null(),
        ],
        rows: data
            .partners
            .iter()
            .map(|p| {
                vec![
                    C::Text(p.partner_id.clone()),
                    C::Text(p.name.clone()),
                    C::text(&p.tier),
                    C::text(&p.segment),
                    C::text(&p.region),
                    C::text(&p.partner_type),
                    C::text(&p.partner_manager),
                    C::text(&p.account_manager),
                    C::date(p.start_date),
                    C::date(p.contract_end_date),
                    C::Text(p.status.as_str().into()),
                ]
            })
            .collect(),
    });
    // The fiscal calendar over every quarter with data.
    let mut periods: Vec<FiscalPeriod> = cards.rows.iter().map(|r| r.period).collect();
    periods.sort();
    periods.dedup();
    tables.push(ReportTable {
        name: "fiscal_periods".into(),
        comment: "Fiscal calendar (dimension): one row per fiscal quarter with data.".into(),
        columns: vec![
            col("period", Text, "fiscal quarter, e.g. FY2026-Q3 (a fiscal year is named by the calendar year it ends in)").not_null(),
            col("fiscal_year", Integer, "fiscal year").not_null(),
            col("quarter", Integer, "quarter 1–4").not_null(),
            col("start_date", Date, "first day").not_null(),
            col("end_date", Date, "last day").not_null(),
        ],
        rows: periods
            .iter()
            .map(|p| {
                vec![
                    C::Text(p.to_string()),
                    C::Integer(i64::from(p.year)),
                    C::Integer(i64::from(p.quarter)),
                    C::Date(calendar.start(*p)),
                    C::Date(calendar.end(*p)),
                ]
            })
            .collect(),
    });
    tables.push(ReportTable {
        name: "opportunities".into(),
        comment: "Golden opportunities (fact): one row per real deal, however many sources reported it.".into(),
        columns: vec![
            col("opportunity_id", Text, "golden id: the most trusted source and its id").not_null(),
            col("name", Text, "deal name"),
            col("customer_name", Text, "the end customer").not_null(),
            col("customer_country", Text, "customer country as reported"),
            col("region", Text, "region from the regions mapping"),
            col("industry", Text, "customer industry"),
            col("product_id", Text, "product (products.product_id)"),
            col("product_family", Text, "product family"),
            col("amount", Numeric, "amount in the reporting currency, converted at the close month's rate").not_null(),
            col("amount_original", Numeric, "amount as reported, in currency").not_null(),
            col("currency", Text, "ISO code of amount_original").not_null(),
            col("stage", Text, "prospecting, qualification, proposal, negotiation, closed_won, closed_lost").not_null(),
            col("created_date", Date, "created on"),
            col("close_date", Date, "closed on (expected close while open)").not_null(),
            col("fiscal_period", Text, "fiscal quarter of close_date (fiscal_periods.period)").not_null(),
            col("deal_registration_id", Text, "the deal registration it came from"),
            col("updated_at", Timestamp, "last update of the surviving record"),
        ],
        rows: data
            .opportunities
            .iter()
            .map(|o| {
                vec![
                    C::Text(o.opportunity_id.to_string()),
                    C::text(&o.name),
                    C::Text(o.customer_name.to_string()),
                    C::text(&o.customer_country),
                    C::text(&o.region),
                    C::text(&o.industry),
                    C::text(&o.product_id),
                    C::text(&o.product_family),
                    C::Numeric(o.amount),
                    C::Numeric(o.amount_original),
                    C::Text(o.currency.to_string()),
                    C::Text(o.stage.as_str().into()),
                    C::date(o.created_date),
                    C::Date(o.close_date),
                    C::Text(calendar.period_of(o.close_date).to_string()),
                    C::text(&o.deal_registration_id),
                    o.updated_at.map_or(C::Null, C::Timestamp),
                ]
            })
            .collect(),
    });
    tables.push(ReportTable {
        name: "opportunity_partners".into(),
        comment: "Partner links (fact): who sourced or influenced each opportunity and their share. Sourced and influenced are never added together.".into(),
        columns: vec![
            col("opportunity_id", Text, "the opportunity (opportunities.opportunity_id)").not_null(),
            col("partner_id", Text, "the partner (partners.partner_id)").not_null(),
            col("role", Text, "sourced or influenced").not_null(),
            col("split", Numeric, "share of the credit, 0 < split ≤ 1").not_null(),
            col("credited_amount", Numeric, "amount × split, reporting currency"),
        ],
        rows: {
            let amount: std::collections::HashMap<&str, Decimal> = data.opportunities.iter().map(|o| (o.opportunity_id.as_str(), o.amount)).collect();
            data.links
                .iter()
                .map(|l| {
                    let credited = amount.get(l.opportunity_id.as_str()).map(|a| *a * l.split);
                    vec![C::Text(l.opportunity_id.to_string()), C::Text(l.partner_id.to_string()), C::Text(l.role.as_str().into()), C::Numeric(l.split), C::numeric(credited)]
                })
                .collect()
        },
    });
    macro_rules! entity {
        ($entity:expr, $comment:expr, $list:expr, |$r:ident| $cells:expr) => {
            tables.push(entity_table($entity, $comment, $list.iter().map(|$r| $cells).collect()));
        };
    }
    entity!(Entity::Targets, "Revenue targets (fact): one row per partner and quarter.", data.targets, |t| vec![
        C::Text(t.partner_id.clone()),
        C::Text(t.period.to_string()),
        C::Numeric(t.amount)
    ]);
    entity!(Entity::DealRegistrations, "Deal registrations (fact).", data.deal_registrations, |r| vec![
        C::Text(r.registration_id.clone()),
        C::Text(r.partner_id.clone()),
        C::text(&r.customer_name),
        C::Timestamp(r.submitted_at),
        C::Text(r.status.clone()),
        r.approved_at.map_or(C::Null, C::Timestamp),
        C::text(&r.rejection_reason),
        C::text(&r.opportunity_id)
    ]);
    entity!(Entity::Trainings, "Trainings assigned to partners' people (fact).", data.trainings, |t| vec![
        C::Text(t.partner_id.clone()),
        C::text(&t.person),
        C::text(&t.course),
        C::Date(t.assigned_date),
        C::date(t.completed_date)
    ]);
    entity!(Entity::Certifications, "Certifications held by partners' people (fact).", data.certifications, |c| vec![
        C::Text(c.partner_id.clone()),
        C::text(&c.person),
        C::Text(c.certification.clone()),
        C::text(&c.level),
        C::Date(c.issued_date),
        C::date(c.expires_date)
    ]);
    entity!(Entity::PortalActivity, "Partner portal usage per month (fact).", data.portal_activity, |a| vec![
        C::Text(a.partner_id.clone()),
        C::Text(a.month.format("%Y-%m").to_string()),
        C::Integer(a.logins),
        a.sessions.map_or(C::Null, C::Integer),
        C::numeric(a.minutes)
    ]);
    entity!(Entity::Events, "Events partners attended (fact).", data.events, |e| vec![
        C::Text(e.partner_id.clone()),
        C::Text(e.event.clone()),
        C::text(&e.kind),
        C::Date(e.date)
    ]);
    entity!(Entity::MdfAllocations, "MDF allocated per partner and quarter (fact).", data.mdf_allocations, |a| vec![
        C::Text(a.partner_id.clone()),
        C::Text(a.period.to_string()),
        C::Numeric(a.amount)
    ]);
    entity!(Entity::MdfRequests, "MDF requests and their spend (fact).", data.mdf_requests, |r| vec![
        C::Text(r.request_id.clone()),
        C::Text(r.partner_id.clone()),
        C::Date(r.submitted_date),
        C::text(&r.status),
        C::numeric(r.amount_requested),
        C::numeric(r.amount_approved),
        C::numeric(r.amount_spent),
        C::date(r.first_spend_date),
        C::numeric(r.attributed_revenue)
    ]);
    let survey = |s: &watershed_model::SurveyResponse, integer: bool| {
        let score = if integer { s.score.trunc().try_into().map_or(C::Null, C::Integer) } else { C::Numeric(s.score) };
        vec![C::Text(s.partner_id.clone()), C::text(&s.customer_name), score, C::Date(s.date)]
    };
    entity!(Entity::CsatResponses, "Customer satisfaction responses about partners (fact).", data.csat_responses, |s| survey(s, false));
    entity!(Entity::NpsResponses, "Net promoter responses about partners (fact).", data.nps_responses, |s| survey(s, true));
    entity!(Entity::Implementations, "Implementations delivered by partners (fact).", data.implementations, |i| vec![
        C::Text(i.partner_id.clone()),
        C::text(&i.customer_name),
        C::Date(i.contract_date),
        C::date(i.go_live_date)
    ]);
    entity!(Entity::SupportTickets, "Support tickets of partner-delivered customers (fact).", data.support_tickets, |t| vec![
        C::Text(t.ticket_id.clone()),
        C::Text(t.partner_id.clone()),
        C::text(&t.customer_name),
        C::Date(t.opened_date),
        t.first_call_resolved.map_or(C::Null, C::Bool),
        t.escalated.map_or(C::Null, C::Bool)
    ]);
    entity!(Entity::PosLines, "Distributor sell-out lines (fact).", data.pos_lines, |l| vec![
        C::Text(l.distributor.clone()),
        C::Text(l.partner_id.to_string()),
        C::text(&l.end_customer),
        C::text(&l.product_id),
        C::numeric(l.quantity),
        C::numeric(l.unit_price),
        C::Numeric(l.amount),
        C::text(&l.currency),
        C::Date(l.invoice_date)
    ]);
    entity!(Entity::PartnerCosts, "Partner costs per quarter (fact).", data.partner_costs, |c| vec![
        C::Text(c.partner_id.clone()),
        C::Text(c.period.to_string()),
        C::Text(c.cost_type.clone()),
        C::Numeric(c.amount)
    ]);
    // The scorecard tables.
    let mut kpi_columns = vec![
        col("partner_id", Text, "the partner").not_null(),
        col("period", Text, "fiscal quarter").not_null(),
        col("as_of", Date, "as-of date of pipeline and year-to-date figures").not_null(),
    ];
    kpi_columns.extend(CATALOG.iter().map(|m| {
        let ty = if m.kind == watershed_metrics::MetricKind::Count { Integer } else { Numeric };
        col(m.name, ty, m.definition)
    }));
    kpi_columns.push(col("health_level", Text, "Excellent (≥ 85), Good (≥ 70), At Risk (≥ 55), Critical, or Insufficient data").not_null());
    tables.push(ReportTable {
        name: "partner_kpis".into(),
        comment: "The metric catalog (wide): one row per partner and fiscal quarter; null means no data or a zero denominator.".into(),
        columns: kpi_columns,
        rows: cards
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![C::Text(r.partner_id.clone()), C::Text(r.period.to_string()), C::Date(r.as_of)];
                for (m, v) in CATALOG.iter().zip(&r.values) {
                    cells.push(match (m.kind, v) {
                        (_, None) => C::Null,
                        (watershed_metrics::MetricKind::Count, Some(d)) => d.trunc().try_into().map_or(C::Null, C::Integer),
                        (_, Some(d)) => C::Numeric(d.round_dp(6)),
                    });
                }
                cells.push(C::Text(r.health.level.into()));
                cells
            })
            .collect(),
    });
    let mut health_columns = vec![
        col("partner_id", Text, "the partner").not_null(),
        col("period", Text, "fiscal quarter").not_null(),
        col("score", Numeric, "health score 0–100 (null below 50 % coverage)"),
        col("level", Text, "health level").not_null(),
        col("coverage_pct", Numeric, "sum of the weights of the components with data").not_null(),
    ];
    for c in ["revenue", "pipeline", "engagement", "satisfaction", "velocity"] {
        health_columns.push(col(&format!("{c}_value"), Numeric, &format!("{c} component value in [0, 1] (null: no data, dropped)")));
        health_columns.push(col(&format!("{c}_points"), Numeric, &format!("points the {c} component contributes after re-weighting")));
    }
    tables.push(ReportTable {
        name: "health_scores".into(),
        comment: "Health score per partner and quarter with its components, so a QBR can show why.".into(),
        columns: health_columns,
        rows: cards
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![
                    C::Text(r.partner_id.clone()),
                    C::Text(r.period.to_string()),
                    C::numeric(r.health.score.map(|s| s.round_dp(6))),
                    C::Text(r.health.level.into()),
                    C::Numeric(r.health.coverage_pct),
                ];
                for c in &r.health.components {
                    cells.push(C::numeric(c.value.map(|v| v.round_dp(6))));
                    cells.push(C::numeric(c.points.map(|v| v.round_dp(6))));
                }
                cells
            })
            .collect(),
    });
    tables.push(ReportTable {
        name: "alerts".into(),
        comment: "Alerts and coaching per partner and quarter, ranked within the quarter.".into(),
        columns: vec![
            col("partner_id", Text, "the partner").not_null(),
            col("period", Text, "fiscal quarter").not_null(),
            col("rank", Integer, "1 = most urgent in the quarter (severity, then revenue at stake)").not_null(),
            col("severity", Text, "high, medium or low").not_null(),
            col("rule", Text, "the rule that fired").not_null(),
            col("message", Text, "the numbers that triggered it").not_null(),
            col("action", Text, "recommended action").not_null(),
        ],
        rows: {
            let mut rank: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
            cards
                .alerts
                .iter()
                .map(|a| {
                    let n = rank.entry(a.period.as_str()).or_insert(0);
                    *n += 1;
                    vec![
                        C::Text(a.partner_id.clone()),
                        C::Text(a.period.clone()),
                        C::Integer(*n),
                        C::Text(a.severity.as_str().into()),
                        C::Text(a.rule.into()),
                        C::Text(a.message.clone()),
                        C::Text(a.action.into()),
                    ]
                })
                .collect()
        },
    });
    tables.push(ReportTable {
        name: "tier_status".into(),
        comment: "Tier qualification per partner and quarter: recorded tier, qualified tier and the gap to the next.".into(),
        columns: vec![
            col("partner_id", Text, "the partner").not_null(),
            col("period", Text, "fiscal quarter").not_null(),
            col("recorded_tier", Text, "tier in the master data"),
            col("qualified_tier", Text, "highest tier whose requirements are met"),
            col("next_tier", Text, "the tier above"),
            col("gap", Text, "what the next tier needs, in words").not_null(),
            col("mismatch", Boolean, "recorded and qualified tier differ").not_null(),
        ],
        rows: cards
            .tiers
            .iter()
            .zip(&cards.rows)
            .map(|(t, r)| {
                vec![
                    C::Text(t.partner_id.clone()),
                    C::Text(r.period.to_string()),
                    C::text(&t.recorded_tier),
                    C::text(&t.qualified_tier),
                    C::text(&t.next_tier),
                    C::Text(t.gap_text.clone()),
                    C::Bool(t.mismatch),
                ]
            })
            .collect(),
    });
    tables
}

/// The documented views of the reporting schema: (name, comment, SQL body).
pub fn views(schema: &str) -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "v_partner_scorecard",
            "The scorecard of the latest complete quarter: one row per partner with name, tier and the headline metrics.",
            format!(
                "SELECT p.name, p.tier, p.region, p.partner_type, k.* FROM {schema}.partner_kpis k JOIN {schema}.partners p USING (partner_id)
                 WHERE k.period = (SELECT period FROM {schema}.fiscal_periods WHERE end_date < current_date ORDER BY end_date DESC LIMIT 1)"
            ),
        ),
        (
            "v_pipeline_by_stage",
            "Open pipeline by partner, stage and close quarter (credited amounts; sourced and influenced apart).",
            format!(
                "SELECT l.partner_id, o.stage, o.fiscal_period, l.role, count(*) AS opportunities, sum(l.credited_amount) AS credited_amount
                 FROM {schema}.opportunity_partners l JOIN {schema}.opportunities o USING (opportunity_id)
                 WHERE o.stage NOT IN ('closed_won', 'closed_lost') GROUP BY 1, 2, 3, 4"
            ),
        ),
        (
            "v_revenue_by_quarter",
            "Won revenue per partner, quarter and role (credited amounts; never add sourced and influenced).",
            format!(
                "SELECT l.partner_id, o.fiscal_period, l.role, count(*) AS won_deals, sum(l.credited_amount) AS revenue
                 FROM {schema}.opportunity_partners l JOIN {schema}.opportunities o USING (opportunity_id)
                 WHERE o.stage = 'closed_won' GROUP BY 1, 2, 3"
            ),
        ),
    ]
}

/// The BI guide's schema section, generated from the reporting model.
pub fn schema_markdown(tables: &[ReportTable], schema: &str) -> String {
    let mut out = String::new();
    for t in tables {
        out.push_str(&format!("### `{schema}.{}`\n\n{}\n\n| column | type | description |\n|---|---|---|\n", t.name, t.comment));
        for c in &t.columns {
            out.push_str(&format!("| `{}` | {} | {} |\n", c.name, c.ty.sql(), c.comment.replace('|', "\\|")));
        }
        out.push('\n');
    }
    for (name, comment, _) in views(schema) {
        out.push_str(&format!("### view `{schema}.{name}`\n\n{comment}\n\n"));
    }
    out
}
