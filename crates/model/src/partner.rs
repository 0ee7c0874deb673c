//! Partner master data.

use chrono::NaiveDate;

/// Whether a partner is in the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerStatus {
    /// In the program.
    Active,
    /// Left or suspended.
    Inactive,
}

impl PartnerStatus {
    /// Parses `active`/`inactive` (any case); anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" | "" => Some(PartnerStatus::Active),
            "inactive" => Some(PartnerStatus::Inactive),
            _ => None,
        }
    }

    /// `active` or `inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerStatus::Active => "active",
            PartnerStatus::Inactive => "inactive",
        }
    }
}

/// One partner of the program, from `mappings/partners.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    /// Stable id (`P001`).
    pub partner_id: String,
    /// Company name.
    pub name: String,
    /// Program tier (Platinum, Gold, …).
    pub tier: Option<String>,
    /// Support segment (Focus, Assist, …).
    pub segment: Option<String>,
    /// Geographic region.
    pub region: Option<String>,
    /// global_si, regional_si, reseller, distributor, referral, isv, …
    pub partner_type: Option<String>,
    /// Channel manager accountable for the partner.
    pub partner_manager: Option<String>,
    /// Sales owner.
    pub account_manager: Option<String>,
    /// Partnership start.
    pub start_date: Option<NaiveDate>,
    /// Contract end.
    pub contract_end_date: Option<NaiveDate>,
    /// Active or inactive.
    pub status: PartnerStatus,
}

impl Partner {
    /// An active partner known by its id and name only (every other field unset), as a
    /// test or a partner list without master data builds one.
    pub fn new(partner_id: impl Into<String>, name: impl Into<String>) -> Partner {
        Partner {
            partner_id: partner_id.into(),
            name: name.into(),
            tier: None,
            segment: None,
            region: None,
            partner_type: None,
            partner_manager: None,
            account_manager: None,
            start_date: None,
            contract_end_date: None,
            status: PartnerStatus::Active,
        }
    }
}
