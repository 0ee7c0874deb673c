//! The entities of the data contract and the fields a source row of each may carry.
//!
//! The schema is data, not code: ingestion detects headers against it, normalization
//! parses each field by its kind, and the store creates its columns from it. Field
//! names are the contract (DESIGN "Canonical entities and fields").

use std::fmt;
use std::str::FromStr;

/// How a field's text is parsed and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text, trimmed.
    Text,
    /// A calendar date (many input formats; stored ISO `YYYY-MM-DD`).
    Date,
    /// A date and time (stored ISO `YYYY-MM-DDTHH:MM:SS`); a bare date means midnight.
    DateTime,
    /// A decimal amount or number (money parsing rules apply).
    Decimal,
    /// A whole number.
    Integer,
    /// Yes/no (`true`, `Y`, `x`, `1`, …).
    Bool,
    /// A partner id, name or alias, resolved to `partner_id` through the mapping tables.
    Partner,
    /// A fiscal quarter such as `FY2026-Q3`.
    Period,
    /// A calendar month `YYYY-MM`.
    Month,
    /// One of a closed set of lower-case values.
    Enum(&'static [&'static str]),
}

/// One field of an entity's source rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The canonical field name (store column, export header).
    pub name: &'static str,
    /// How its text is parsed.
    pub kind: FieldKind,
    /// A row without it is quarantined.
    pub required: bool,
}

const fn field(name: &'static str, kind: FieldKind, required: bool) -> FieldSpec {
    FieldSpec { name, kind, required }
}

use FieldKind::*;

/// Stage values of an opportunity, in funnel order.
pub const STAGES: &[&str] = &["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"];
/// Deal registration statuses.
pub const DEALREG_STATUSES: &[&str] = &["submitted", "approved", "rejected", "won", "lost", "expired"];
/// Kinds of partner events.
pub const EVENT_KINDS: &[&str] = &["webinar", "conference", "training", "marketing"];
/// Kinds of partner costs.
pub const COST_TYPES: &[&str] = &["mdf", "rebate", "discount", "enablement", "other"];

/// Every canonical entity a source can deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    /// Opportunities (resolved into golden records with partner links).
    Opportunities,
    /// Deal registrations.
    DealRegistrations,
    /// Revenue targets per partner and quarter.
    Targets,
    /// Training assignments and completions.
    Trainings,
    /// Certifications held by partner people.
    Certifications,
    /// Partner portal usage per month.
    PortalActivity,
    /// Events a partner attended.
    Events,
    /// MDF allocations per partner and quarter.
    MdfAllocations,
    /// MDF requests and their spend.
    MdfRequests,
    /// Customer satisfaction responses (1–5).
    CsatResponses,
    /// Net promoter responses (0–10).
    NpsResponses,
    /// Implementations (contract to go-live).
    Implementations,
    /// Support tickets of partner-delivered customers.
    SupportTickets,
    /// Distributor point-of-sale (sell-out) lines.
    PosLines,
    /// Costs of a partner (MDF, rebates, discounts, …) per quarter.
    PartnerCosts,
}

impl Entity {
    /// Every entity, in the order the store lists them.
    pub const ALL: &'static [Entity] = &[
        Entity::Opportunities,
        Entity::DealRegistrations,
        Entity::Targets,
        Entity::Trainings,
        Entity::Certifications,
        Entity::PortalActivity,
        Entity::Events,
        Entity::MdfAllocations,
        Entity::MdfRequests,
        Entity::CsatResponses,
        Entity::NpsResponses,
        Entity::Implementations,
        Entity::SupportTickets,
        Entity::PosLines,
        Entity::PartnerCosts,
    ];

    /// The entity's name in configuration and its table name in the store.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Opportunities => "opportunities",
            Entity::DealRegistrations => "deal_registrations",
            Entity::Targets => "targets",
            Entity::Trainings => "trainings",
            Entity::Certifications => "certifications",
            Entity::PortalActivity => "portal_activity",
            Entity::Events => "events",
            Entity::MdfAllocations => "mdf_allocations",
            Entity::MdfRequests => "mdf_requests",
            Entity::CsatResponses => "csat_responses",
            Entity::NpsResponses => "nps_responses",
            Entity::Implementations => "implementations",
            Entity::SupportTickets => "support_tickets",
            Entity::PosLines => "pos_lines",
            Entity::PartnerCosts => "partner_costs",
        }
    }

    /// The fields a source row of this entity may carry, canonical names first.
    ///
    /// For opportunities these are the source-row fields of DESIGN "Fields a source row
    /// may carry" (`partner`, `product`, `crm_opportunity_id`, …), not the golden columns.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Entity::Opportunities => {
                const F: &[FieldSpec] = &[
                    field("external_id", Text, false),
                    field("name", Text, false),
                    field("customer_name", Text, true),
                    field("customer_country", Text, false),
                    field("region", Text, false),
                    field("industry", Text, false),
                    field("product", Text, false),
                    field("amount", Decimal, true),
                    field("currency", Text, false),
                    field("stage", Text, true),
                    field("created_date", Date, false),
                    field("close_date", Date, true),
                    field("deal_registration_id", Text, false),
                    field("crm_opportunity_id", Text, false),
                    field("partner", Partner, true),
                    field("partner_role", Text, false),
                    field("partner_split", Decimal, false),
                    field("updated_at", DateTime, false),
                ];
                F
            }
            Entity::DealRegistrations => {
                const F: &[FieldSpec] = &[
                    field("registration_id", Text, true),
                    field("partner_id", Partner, true),
                    field("customer_name", Text, false),
                    field("submitted_at", DateTime, true),
                    field("status", Enum(DEALREG_STATUSES), true),
                    field("approved_at", DateTime, false),
                    field("rejection_reason", Text, false),
                    field("opportunity_id", Text, false),
                ];
                F
            }
            Entity::Targets => {
                const F: &[FieldSpec] =
                    &[field("partner_id", Partner, true), field("period", Period, true), field("amount", Decimal, true)];
                F
            }
            Entity::Trainings => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("person", Text, false),
                    field("course", Text, false),
                    field("assigned_date", Date, true),
                    field("completed_date", Date, false),
                ];
                F
            }
            Entity::Certifications => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("person", Text, false),
                    field("certification", Text, true),
                    field("level", Text, false),
                    field("issued_date", Date, true),
                    field("expires_date", Date, false),
                ];
                F
            }
            Entity::PortalActivity => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("month", Month, true),
                    field("logins", Integer, true),
                    field("sessions", Integer, false),
                    field("minutes", Decimal, false),
                ];
                F
            }
            Entity::Events => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("event", Text, true),
                    field("kind", Enum(EVENT_KINDS), false),
                    field("date", Date, true),
                ];
                F
            }
            Entity::MdfAllocations => {
                const F: &[FieldSpec] =
                    &[field("partner_id", Partner, true), field("period", Period, true), field("amount", Decimal, true)];
                F
            }
            Entity::MdfRequests => {
                const F: &[FieldSpec] = &[
                    field("request_id", Text, true),
                    field("partner_id", Partner, true),
                    field("submitted_date", Date, true),
                    field("status", Text, false),
                    field("amount_requested", Decimal, false),
                    field("amount_approved", Decimal, false),
                    field("amount_spent", Decimal, false),
                    field("first_spend_date", Date, false),
                    field("attributed_revenue", Decimal, false),
                ];
                F
            }
            Entity::CsatResponses => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("customer_name", Text, false),
                    field("score", Decimal, true),
                    field("date", Date, true),
                ];
                F
            }
            Entity::NpsResponses => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("customer_name", Text, false),
                    field("score", Integer, true),
                    field("date", Date, true),
                ];
                F
            }
            Entity::Implementations => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("customer_name", Text, false),
                    field("contract_date", Date, true),
                    field("go_live_date", Date, false),
                ];
                F
            }
            Entity::SupportTickets => {
                const F: &[FieldSpec] = &[
                    field("ticket_id", Text, true),
                    field("partner_id", Partner, true),
                    field("customer_name", Text, false),
                    field("opened_date", Date, true),
                    field("first_call_resolved", Bool, false),
                    field("escalated", Bool, false),
                ];
                F
            }
            Entity::PosLines => {
                const F: &[FieldSpec] = &[
                    field("distributor", Text, true),
                    field("partner_id", Partner, true),
                    field("end_customer", Text, false),
                    field("product_id", Text, false),
                    field("quantity", Decimal, false),
                    field("unit_price", Decimal, false),
                    field("amount", Decimal, true),
                    field("currency", Text, false),
                    field("invoice_date", Date, true),
                ];
                F
            }
            Entity::PartnerCosts => {
                const F: &[FieldSpec] = &[
                    field("partner_id", Partner, true),
                    field("period", Period, true),
                    field("cost_type", Enum(COST_TYPES), true),
                    field("amount", Decimal, true),
                ];
                F
            }
        }
    }

    /// The spec of field `name`, if this entity has it.
    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Entity {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Entity::ALL.iter().copied().find(|e| e.name() == text).ok_or_else(|| format!("unknown entity `{text}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for e in Entity::ALL {
            assert_eq!(e.name().parse::<Entity>().unwrap(), *e);
            assert!(seen.insert(e.name()));
            assert!(!e.fields().is_empty());
            assert!(e.fields().iter().any(|f| f.required), "{e} has no required field");
        }
        assert!("opportunity".parse::<Entity>().is_err());
    }

    #[test]
    fn every_entity_but_opportunities_names_its_partner_partner_id() {
        for e in Entity::ALL.iter().filter(|e| **e != Entity::Opportunities) {
            assert!(e.field("partner_id").is_some(), "{e}");
        }
    }
}
