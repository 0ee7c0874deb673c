//! Reading the governed dataset back as typed records, over any [`Backend`] — so that a
//! run can read what it wrote inside its own transaction.

use crate::backend::{Backend, Cell};
use crate::{Result, StoreError, decimal};
use chrono::{NaiveDate, NaiveDateTime};
use compact_str::ToCompactString;
use rust_decimal::Decimal;
use watershed_model::value::{parse_iso_date, parse_iso_datetime};
use watershed_model::*;

/// Rows of a non-opportunity entity, as text cells in [`Entity::fields`] order.
pub(crate) fn entity_rows(db: &dyn Backend, entity: Entity) -> Result<Vec<Vec<Option<Text>>>> {
    let columns: Vec<&str> = entity.fields().iter().map(|f| f.name).collect();
    let sql = format!("SELECT {} FROM {} ORDER BY record_id", columns.join(", "), entity.name());
    let mut out = Vec::new();
    db.for_each(&sql, &[], &mut |cells| {
        out.push(
            cells
                .iter()
                .map(|c| match c {
                    Cell::Null => None,
                    Cell::Int(n) => Some(n.to_compact_string()),
                    Cell::Real(x) => Some(Text::from(x.to_string())),
                    Cell::Text(s) => Some(Text::from(s.as_str())),
                })
                .collect(),
        );
        Ok(())
    })?;
    Ok(out)
}

/// Typed access to one stored entity row, by field name.
struct Cells<'a> {
    entity: Entity,
    cells: &'a [Option<Text>],
}

impl Cells<'_> {
    /// The cell of field `name`, borrowed.
    fn str(&self, name: &str) -> Option<&str> {
        let i = self.entity.fields().iter().position(|f| f.name == name)?;
        self.cells.get(i)?.as_deref()
    }

    fn text(&self, name: &str) -> Option<String> {
        self.str(name).map(str::to_string)
    }

    fn required(&self, name: &'static str) -> Result<String> {
        self.text(name).ok_or(StoreError::Corrupt { table: self.entity.name(), column: name, value: String::new() })
    }

    fn corrupt(&self, name: &'static str, value: &str) -> StoreError {
        StoreError::Corrupt { table: self.entity.name(), column: name, value: value.to_string() }
    }

    fn date(&self, name: &'static str) -> Result<Option<NaiveDate>> {
        self.str(name).map(|t| stored_date(t).ok_or_else(|| self.corrupt(name, t))).transpose()
    }

    fn req_date(&self, name: &'static str) -> Result<NaiveDate> {
        self.date(name)?.ok_or_else(|| self.corrupt(name, ""))
    }

    fn datetime(&self, name: &'static str) -> Result<Option<NaiveDateTime>> {
        self.str(name).map(|t| stored_datetime(t).ok_or_else(|| self.corrupt(name, t))).transpose()
    }

    fn decimal(&self, name: &'static str) -> Result<Option<Decimal>> {
        self.str(name).map(|t| decimal(self.entity.name(), name, t)).transpose()
    }

    fn req_decimal(&self, name: &'static str) -> Result<Decimal> {
        self.decimal(name)?.ok_or_else(|| self.corrupt(name, ""))
    }

    fn integer(&self, name: &'static str) -> Result<Option<i64>> {
        self.str(name).map(|t| t.parse::<i64>().map_err(|_| self.corrupt(name, t))).transpose()
    }

    fn boolean(&self, name: &'static str) -> Result<Option<bool>> {
        Ok(self.integer(name)?.map(|n| n != 0))
    }

    fn period(&self, name: &'static str) -> Result<FiscalPeriod> {
        let t = self.str(name).ok_or_else(|| self.corrupt(name, ""))?;
        t.parse().map_err(|_| self.corrupt(name, t))
    }

    /// A month as the store writes it (`2026-03`), as its first day.
    fn month(&self, name: &'static str) -> Result<NaiveDate> {
        let t = self.str(name).ok_or_else(|| self.corrupt(name, ""))?;
        stored_date(&format!("{t}-01")).ok_or_else(|| self.corrupt(name, t))
    }
}

/// A date as the store writes it (`2026-03-16`): the shortcut first, chrono's format
/// parser (same result, much slower) for anything else.
pub(crate) fn stored_date(text: &str) -> Option<NaiveDate> {
    parse_iso_date(text).or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
}

/// A date and time as the store writes it (`2026-03-16T08:30:00`), like [`stored_date`].
pub(crate) fn stored_datetime(text: &str) -> Option<NaiveDateTime> {
    let shortcut = if text.as_bytes().get(10) == Some(&b'T') { parse_iso_datetime(text) } else { None };
    shortcut.or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok())
}

/// Where the text rows of the non-opportunity entities come from: the database, or what
/// a run has just written (see [`crate::RunWriter::dataset`]).
pub(crate) type EntitySource<'a> = dyn FnMut(Entity) -> Result<Vec<Vec<Option<Text>>>> + 'a;

/// Takes every row of `entity` and converts each with `convert`.
fn typed<T>(rows_of: &mut EntitySource, entity: Entity, convert: impl Fn(&Cells) -> Result<T>) -> Result<Vec<T>> {
    rows_of(entity)?.iter().map(|cells| convert(&Cells { entity, cells })).collect()
}

/// The whole governed dataset, typed, read from the database.
pub(crate) fn dataset(db: &dyn Backend) -> Result<Dataset> {
    let (partners, opportunities, links) = (crate::partners_of(db)?, crate::opportunities_of(db)?, crate::links_of(db)?);
    dataset_from(partners, opportunities, links, &mut |entity| entity_rows(db, entity))
}

/// The dataset from typed partners, opportunities and links and the other entities' rows
/// as the store holds them (text cells in [`Entity::fields`] order, by record id): one
/// conversion, whether the rows come from the database or from memory.
pub(crate) fn dataset_from(
    partners: Vec<Partner>,
    opportunities: Vec<Opportunity>,
    links: Vec<OpportunityPartner>,
    rows_of: &mut EntitySource,
) -> Result<Dataset> {
    use Entity::*;
    let survey = |c: &Cells| -> Result<SurveyResponse> {
        Ok(SurveyResponse {
            partner_id: c.required("partner_id")?,
            customer_name: c.text("customer_name"),
            score: c.req_decimal("score")?,
            date: c.req_date("date")?,
        })
    };
    Ok(Dataset {
        partners,
        opportunities,
        links,
        targets: typed(rows_of, Targets, |c| {
            Ok(Target { partner_id: c.required("partner_id")?, period: c.period("period")?, amount: c.req_decimal("amount")? })
        })?,
        deal_registrations: typed(rows_of, DealRegistrations, |c| {
            Ok(DealRegistration {
                registration_id: c.required("registration_id")?,
                partner_id: c.required("partner_id")?,
                customer_name: c.text("customer_name"),
                submitted_at: c.datetime("submitted_at")?.ok_or_else(|| c.corrupt("submitted_at", ""))?,
                status: c.required("status")?,
                approved_at: c.datetime("approved_at")?,
                rejection_reason: c.text("rejection_reason"),
                opportunity_id: c.text("opportunity_id"),
            })
        })?,
        trainings: typed(rows_of, Trainings, |c| {
            Ok(Training {
                partner_id: c.required("partner_id")?,
                person: c.text("person"),
                course: c.text("course"),
                assigned_date: c.req_date("assigned_date")?,
                completed_date: c.date("completed_date")?,
            })
        })?,
        certifications: typed(rows_of, Certifications, |c| {
            Ok(Certification {
                partner_id: c.required("partner_id")?,
                person: c.text("person"),
                certification: c.required("certification")?,
                level: c.text("level"),
                issued_date: c.req_date("issued_date")?,
                expires_date: c.date("expires_date")?,
            })
        })?,
        portal_activity: typed(rows_of, PortalActivity, |c| {
            Ok(watershed_model::PortalActivity {
                partner_id: c.required("partner_id")?,
                month: c.month("month")?,
                logins: c.integer("logins")?.unwrap_or(0),
                sessions: c.integer("sessions")?,
                minutes: c.decimal("minutes")?,
            })
        })?,
        events: typed(rows_of, Events, |c| {
            Ok(Event {
                partner_id: c.required("partner_id")?,
                event: c.required("event")?,
                kind: c.text("kind"),
                date: c.req_date("date")?,
            })
        })?,
        mdf_allocations: typed(rows_of, MdfAllocations, |c| {
            Ok(MdfAllocation { partner_id: c.required("partner_id")?, period: c.period("period")?, amount: c.req_decimal("amount")? })
        })?,
        mdf_requests: typed(rows_of, MdfRequests, |c| {
            Ok(MdfRequest {
                request_id: c.required("request_id")?,
                partner_id: c.required("partner_id")?,
                submitted_date: c.req_date("submitted_date")?,
                status: c.text("status"),
                amount_requested: c.decimal("amount_requested")?,
                amount_approved: c.decimal("amount_approved")?,
                amount_spent: c.decimal("amount_spent")?,
                first_spend_date: c.date("first_spend_date")?,
                attributed_revenue: c.decimal("attributed_revenue")?,
            })
        })?,
        csat_responses: typed(rows_of, CsatResponses, survey)?,
        nps_responses: typed(rows_of, NpsResponses, survey)?,
        implementations: typed(rows_of, Implementations, |c| {
            Ok(Implementation {
                partner_id: c.required("partner_id")?,
                customer_name: c.text("customer_name"),
                contract_date: c.req_date("contract_date")?,
                go_live_date: c.date("go_live_date")?,
            })
        })?,
        support_tickets: typed(rows_of, SupportTickets, |c| {
            Ok(SupportTicket {
                ticket_id: c.required("ticket_id")?,
                partner_id: c.required("partner_id")?,
                customer_name: c.text("customer_name"),
                opened_date: c.req_date("opened_date")?,
                first_call_resolved: c.boolean("first_call_resolved")?,
                escalated: c.boolean("escalated")?,
            })
        })?,
        pos_lines: typed(rows_of, PosLines, |c| {
            Ok(PosLine {
                distributor: c.required("distributor")?,
                partner_id: c.required("partner_id")?,
                end_customer: c.text("end_customer"),
                product_id: c.text("product_id"),
                quantity: c.decimal("quantity")?,
                unit_price: c.decimal("unit_price")?,
                amount: c.req_decimal("amount")?,
                currency: c.text("currency"),
                invoice_date: c.req_date("invoice_date")?,
            })
        })?,
        partner_costs: typed(rows_of, PartnerCosts, |c| {
            Ok(PartnerCost {
                partner_id: c.required("partner_id")?,
                period: c.period("period")?,
                cost_type: c.required("cost_type")?,
                amount: c.req_decimal("amount")?,
            })
        })?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcuts read what the store writes exactly as chrono's format parser does,
    /// and anything else through that parser.
    #[test]
    fn stored_dates_read_as_the_format_parser_reads_them() {
        for text in ["2026-03-16", "2024-02-29", "2026-02-29", "2026-13-01", "2026-3-16", "+10000-01-01", "", "2026-03-16x"] {
            assert_eq!(stored_date(text), NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(), "{text}");
        }
        for text in ["2026-03-16T08:30:00", "2026-03-16 08:30:00", "2026-03-16T24:00:00", "2026-03-16T23:59:60", "2026-03-16T8:30:00"] {
            assert_eq!(stored_datetime(text), NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok(), "{text}");
        }
        for month in ["2026-03", "2026-3", "2026-13", "26-03", "2026-03-01"] {
            let cells = [Some(Text::from("P1")), Some(Text::from(month))];
            let row = Cells { entity: Entity::PortalActivity, cells: &cells };
            let want = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok();
            assert_eq!(row.month("month").ok(), want, "{month}");
        }
    }
}
