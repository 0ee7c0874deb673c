//! An opportunity as one source reported it, after normalization and before resolution.

use crate::money::Money;
use crate::opportunity::{PartnerRole, Stage};
use crate::{Symbol, Text};
use chrono::{NaiveDate, NaiveDateTime};

/// One normalized opportunity row of one source: the input of resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceOpportunity {
    /// The source's own id for the deal.
    pub external_id: Option<Text>,
    /// Deal name.
    pub name: Option<Text>,
    /// The end customer.
    pub customer_name: Text,
    /// Country as reported.
    pub customer_country: Option<Symbol>,
    /// Region (from the row, or from the country).
    pub region: Option<Symbol>,
    /// Industry.
    pub industry: Option<Symbol>,
    /// Resolved product id.
    pub product_id: Option<Symbol>,
    /// The product's family.
    pub product_family: Option<Symbol>,
    /// Amount in the reporting currency.
    pub amount: Money,
    /// Amount as reported.
    pub amount_original: Money,
    /// Currency of `amount_original`.
    pub currency: Symbol,
    /// Canonical stage.
    pub stage: Stage,
    /// Created on.
    pub created_date: Option<NaiveDate>,
    /// Closes (or closed) on.
    pub close_date: NaiveDate,
    /// Deal registration reference.
    pub deal_registration_id: Option<Text>,
    /// The CRM's opportunity id quoted by another source.
    pub crm_opportunity_id: Option<Text>,
    /// Resolved partner.
    pub partner_id: Symbol,
    /// The partner's role, when the row says.
    pub partner_role: Option<PartnerRole>,
    /// The partner's split, when the row says.
    pub partner_split: Option<Money>,
    /// Last modification in the source, when known.
    pub updated_at: Option<NaiveDateTime>,
}

impl SourceOpportunity {
    /// A row with only what every opportunity has (customer, partner, amount in the
    /// reporting currency, stage, close date) and nothing else stated: the amount as
    /// reported is the amount, every optional field empty. Set the rest by field.
    pub fn new(customer_name: &str, partner_id: &str, amount: Money, currency: &str, stage: Stage, close_date: NaiveDate) -> Self {
        SourceOpportunity {
            external_id: None,
            name: None,
            customer_name: customer_name.into(),
            customer_country: None,
            region: None,
            industry: None,
            product_id: None,
            product_family: None,
            amount,
            amount_original: amount,
            currency: currency.into(),
            stage,
            created_date: None,
            close_date,
            deal_registration_id: None,
            crm_opportunity_id: None,
            partner_id: partner_id.into(),
            partner_role: None,
            partner_split: None,
            updated_at: None,
        }
    }
}
