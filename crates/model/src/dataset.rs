//! The governed dataset as plain typed records: what the metric layer computes from.

use crate::opportunity::{Opportunity, OpportunityPartner};
use crate::partner::Partner;
use crate::records::*;

/// Every entity of the governed dataset, typed. Built by the store, read by metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Partner master data.
    pub partners: Vec<Partner>,
    /// Golden opportunities.
    pub opportunities: Vec<Opportunity>,
    /// Partner links of the opportunities.
    pub links: Vec<OpportunityPartner>,
    /// Revenue targets.
    pub targets: Vec<Target>,
    /// Deal registrations.
    pub deal_registrations: Vec<DealRegistration>,
    /// Trainings.
    pub trainings: Vec<Training>,
    /// Certifications.
    pub certifications: Vec<Certification>,
    /// Portal activity per month.
    pub portal_activity: Vec<PortalActivity>,
    /// Events attended.
    pub events: Vec<Event>,
    /// MDF allocations.
    pub mdf_allocations: Vec<MdfAllocation>,
    /// MDF requests.
    pub mdf_requests: Vec<MdfRequest>,
    /// CSAT responses (1–5).
    pub csat_responses: Vec<SurveyResponse>,
    /// NPS responses (0–10).
    pub nps_responses: Vec<SurveyResponse>,
    /// Implementations.
    pub implementations: Vec<Implementation>,
    /// Support tickets.
    pub support_tickets: Vec<SupportTicket>,
    /// Distributor sell-out lines.
    pub pos_lines: Vec<PosLine>,
    /// Partner costs.
    pub partner_costs: Vec<PartnerCost>,
}
