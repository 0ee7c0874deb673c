//! The other canonical entities, as typed records for the metric layer.

use crate::money::Money;
use crate::period::FiscalPeriod;
use chrono::{NaiveDate, NaiveDateTime};

/// A partner's revenue target for a quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The partner.
    pub partner_id: String,
    /// The quarter.
    pub period: FiscalPeriod,
    /// Target revenue in the reporting currency.
    pub amount: Money,
}

/// A deal registration submitted by a partner.
#[derive(Debug, Clone, PartialEq)]
pub struct DealRegistration {
    /// The registration's id.
    pub registration_id: String,
    /// The submitting partner.
    pub partner_id: String,
    /// The customer registered.
    pub customer_name: Option<String>,
    /// When it was submitted.
    pub submitted_at: NaiveDateTime,
    /// submitted, approved, rejected, won, lost, expired.
    pub status: String,
    /// When it was approved, if it was.
    pub approved_at: Option<NaiveDateTime>,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// The opportunity it became.
    pub opportunity_id: Option<String>,
}

/// A training assigned to a partner's person.
#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    /// The partner.
    pub partner_id: String,
    /// Who takes it.
    pub person: Option<String>,
    /// The course.
    pub course: Option<String>,
    /// Assigned on.
    pub assigned_date: NaiveDate,
    /// Completed on, if completed.
    pub completed_date: Option<NaiveDate>,
}

/// A certification held by a partner's person.
#[derive(Debug, Clone, PartialEq)]
pub struct Certification {
    /// The partner.
    pub partner_id: String,
    /// The holder.
    pub person: Option<String>,
    /// Which certification.
    pub certification: String,
    /// Level (associate, professional, …).
    pub level: Option<String>,
    /// Issued on.
    pub issued_date: NaiveDate,
    /// Expires on (none: does not expire).
    pub expires_date: Option<NaiveDate>,
}

/// Portal usage of a partner in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct PortalActivity {
    /// The partner.
    pub partner_id: String,
    /// The month's first day.
    pub month: NaiveDate,
    /// Logins that month.
    pub logins: i64,
    /// Sessions that month.
    pub sessions: Option<i64>,
    /// Minutes spent.
    pub minutes: Option<Money>,
}

/// An event a partner attended.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The partner.
    pub partner_id: String,
    /// The event's name.
    pub event: String,
    /// webinar, conference, training, marketing.
    pub kind: Option<String>,
    /// When.
    pub date: NaiveDate,
}

/// MDF allocated to a partner for a quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct MdfAllocation {
    /// The partner.
    pub partner_id: String,
    /// The quarter.
    pub period: FiscalPeriod,
    /// Allocated amount.
    pub amount: Money,
}

/// A partner's request for MDF and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct MdfRequest {
    /// The request's id.
    pub request_id: String,
    /// The partner.
    pub partner_id: String,
    /// Submitted on.
    pub submitted_date: NaiveDate,
    /// Workflow status.
    pub status: Option<String>,
    /// Requested.
    pub amount_requested: Option<Money>,
    /// Approved.
    pub amount_approved: Option<Money>,
    /// Spent.
    pub amount_spent: Option<Money>,
    /// First spend.
    pub first_spend_date: Option<NaiveDate>,
    /// Revenue attributed to the activity.
    pub attributed_revenue: Option<Money>,
}

/// A CSAT (1–5) or NPS (0–10) survey response about a partner.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResponse {
    /// The partner.
    pub partner_id: String,
    /// The customer who answered.
    pub customer_name: Option<String>,
    /// The score.
    pub score: Money,
    /// When.
    pub date: NaiveDate,
}

/// An implementation delivered by a partner.
#[derive(Debug, Clone, PartialEq)]
pub struct Implementation {
    /// The partner.
    pub partner_id: String,
    /// The customer.
    pub customer_name: Option<String>,
    /// Contract signed on.
    pub contract_date: NaiveDate,
    /// Went live on.
    pub go_live_date: Option<NaiveDate>,
}

/// A support ticket of a partner-delivered customer.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportTicket {
    /// The ticket's id.
    pub ticket_id: String,
    /// The partner.
    pub partner_id: String,
    /// The customer.
    pub customer_name: Option<String>,
    /// Opened on.
    pub opened_date: NaiveDate,
    /// Resolved on first contact.
    pub first_call_resolved: Option<bool>,
    /// Escalated.
    pub escalated: Option<bool>,
}

/// A distributor's sell-out line to a reseller.
#[derive(Debug, Clone, PartialEq)]
pub struct PosLine {
    /// The distributor reporting it.
    pub distributor: String,
    /// The reseller partner.
    pub partner_id: String,
    /// The end customer.
    pub end_customer: Option<String>,
    /// The product.
    pub product_id: Option<String>,
    /// Units.
    pub quantity: Option<Money>,
    /// Price per unit.
    pub unit_price: Option<Money>,
    /// Line amount.
    pub amount: Money,
    /// Currency of the amounts.
    pub currency: Option<String>,
    /// Invoiced on.
    pub invoice_date: NaiveDate,
}

/// A cost of a partner (MDF, rebates, discounts, enablement, other) for a quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerCost {
    /// The partner.
    pub partner_id: String,
    /// The quarter.
    pub period: FiscalPeriod,
    /// mdf, rebate, discount, enablement, other.
    pub cost_type: String,
    /// The cost.
    pub amount: Money,
}
