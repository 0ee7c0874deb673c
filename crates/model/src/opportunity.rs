//! Opportunities (golden records) and their partner links.

use crate::money::Money;
use crate::{Symbol, Text};
use chrono::{NaiveDate, NaiveDateTime};
use std::fmt;
use std::str::FromStr;

/// Canonical sales stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Early interest.
    Prospecting,
    /// Qualified need and budget.
    Qualification,
    /// Proposal or quote sent.
    Proposal,
    /// Negotiating terms.
    Negotiation,
    /// Won.
    ClosedWon,
    /// Lost.
    ClosedLost,
}

impl Stage {
    /// Every stage, funnel order.
    pub const ALL: [Stage; 6] =
        [Stage::Prospecting, Stage::Qualification, Stage::Proposal, Stage::Negotiation, Stage::ClosedWon, Stage::ClosedLost];

    /// The canonical name (`closed_won`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Prospecting => "prospecting",
            Stage::Qualification => "qualification",
            Stage::Proposal => "proposal",
            Stage::Negotiation => "negotiation",
            Stage::ClosedWon => "closed_won",
            Stage::ClosedLost => "closed_lost",
        }
    }

    /// Won or lost: no longer pipeline.
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::ClosedWon | Stage::ClosedLost)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Stage::ALL.into_iter().find(|s| s.as_str() == text).ok_or_else(|| format!("unknown stage `{text}`"))
    }
}

/// How a partner contributed to an opportunity. Sourced and influenced revenue are
/// reported side by side and never added together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartnerRole {
    /// The partner brought the deal.
    Sourced,
    /// The partner helped an existing deal.
    Influenced,
}

impl PartnerRole {
    /// `sourced` or `influenced`.
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerRole::Sourced => "sourced",
            PartnerRole::Influenced => "influenced",
        }
    }
}

impl fmt::Display for PartnerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PartnerRole {
    type Err = String;
    /// Any case; also accepts `source`/`influence`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sourced" | "source" | "partner sourced" | "partner-sourced" => Ok(PartnerRole::Sourced),
            "influenced" | "influence" | "partner influenced" | "partner-influenced" => Ok(PartnerRole::Influenced),
            _ => Err(format!("unknown partner role `{text}` (expected sourced or influenced)")),
        }
    }
}

/// A golden opportunity: one real deal, however many sources reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    /// Watershed's id of the golden record.
    pub opportunity_id: Text,
    /// Deal name.
    pub name: Option<Text>,
    /// The end customer.
    pub customer_name: Text,
    /// Customer country as reported.
    pub customer_country: Option<Symbol>,
    /// Region from the regions mapping.
    pub region: Option<Symbol>,
    /// Customer industry.
    pub industry: Option<Symbol>,
    /// Product id from the products mapping.
    pub product_id: Option<Symbol>,
    /// Product family from the products mapping.
    pub product_family: Option<Symbol>,
    /// Amount in the reporting currency (converted at the close month's rate).
    pub amount: Money,
    /// Amount as reported, in `currency`.
    pub amount_original: Money,
    /// ISO currency code of `amount_original`.
    pub currency: Symbol,
    /// Canonical stage.
    pub stage: Stage,
    /// When the opportunity was created, if known.
    pub created_date: Option<NaiveDate>,
    /// Close date (expected close date while open).
    pub close_date: NaiveDate,
    /// The deal registration it came from, if any.
    pub deal_registration_id: Option<Text>,
    /// Last update of the surviving record.
    pub updated_at: Option<NaiveDateTime>,
}

/// A partner's link to an opportunity: its role and its share of the credit.
#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityPartner {
    /// The golden opportunity.
    pub opportunity_id: Text,
    /// The partner.
    pub partner_id: Text,
    /// Sourced or influenced.
    pub role: PartnerRole,
    /// Share of the credit, 0 < split ≤ 1 (default 1).
    pub split: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_round_trip() {
        for s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>().unwrap(), s);
        }
        assert!(Stage::ClosedWon.is_closed() && !Stage::Negotiation.is_closed());
    }

    #[test]
    fn roles_parse_any_case() {
        for (text, role) in [("Sourced", Some(PartnerRole::Sourced)), ("INFLUENCED", Some(PartnerRole::Influenced)), ("resold", None)] {
            assert_eq!(text.parse::<PartnerRole>().ok(), role, "{text}");
        }
    }
}
