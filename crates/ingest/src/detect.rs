//! Header → canonical field detection: configured columns first, then headers that
//! already are canonical names, then a dictionary of common aliases, all compared on
//! a normalized key ("Close Date", "close_date" and "CLOSE-DATE" are the same).

use std::collections::BTreeMap;
use watershed_model::{Entity, FieldKind};
use watershed_normalize::ColumnBinding;

/// Common header spellings per canonical field (normalized keys).
const ALIASES: &[(&str, &[&str])] = &[
    (
        "external_id",
        &[
            "id",
            "external id",
            "opportunity id",
            "opp id",
            "deal id",
            "deal #",
            "deal no",
            "deal number",
            "record id",
            "reference",
            "ref",
            "our ref",
            "deal nr",
        ],
    ),
    ("name", &["opportunity name", "opportunity", "deal name", "opp name"]),
    (
        "customer_name",
        &[
            "customer",
            "customer name",
            "account",
            "account name",
            "end customer",
            "end user",
            "client",
            "client name",
            "company",
            "end customer name",
        ],
    ),
    ("customer_country", &["country", "customer country", "billing country", "account country", "country code"]),
    ("region", &["region", "geo", "territory", "sales region"]),
    ("industry", &["industry", "vertical", "sector"]),
    ("product", &["product", "product name", "product sku", "sku", "product code", "item", "product id"]),
    (
        "amount",
        &[
            "amount",
            "deal value",
            "deal size",
            "opportunity amount",
            "value",
            "tcv",
            "total contract value",
            "deal amount",
            "revenue",
            "target",
            "quota",
            "target amount",
        ],
    ),
    ("currency", &["currency", "currency code", "opportunity currency", "ccy", "curr"]),
    ("stage", &["stage", "status", "phase", "sales stage", "deal stage", "opportunity stage"]),
    ("created_date", &["created", "created date", "create date", "opened", "open date", "date created", "created on"]),
    ("close_date", &["close", "close date", "closed", "expected close", "expected close date", "closing date", "closed date", "close on"]),
    (
        "deal_registration_id",
        &["deal registration id", "deal reg id", "deal registration", "registration", "deal reg", "dr id", "dr number"],
    ),
    (
        "crm_opportunity_id",
        &[
            "crm opportunity id",
            "crm id",
            "crm ref",
            "crm reference",
            "sfdc id",
            "salesforce id",
            "salesforce opportunity id",
            "salesforce opportunity",
            "vendor opportunity id",
            "crm opp id",
        ],
    ),
    (
        "partner",
        &["partner", "partner name", "partner account", "reseller", "reseller name", "partner id", "channel partner", "partner company"],
    ),
    ("partner_role", &["partner role", "role", "attribution", "partner type of credit"]),
    ("partner_split", &["partner split", "split", "split %", "credit %", "partner split %"]),
    ("updated_at", &["last modified", "last modified date", "updated", "updated at", "modified", "last updated", "system modstamp"]),
    ("registration_id", &["registration id", "deal registration id", "id"]),
    ("submitted_at", &["submitted", "submitted at", "submitted date", "submission date"]),
    ("approved_at", &["approved", "approved at", "approval date"]),
    ("opportunity_id", &["opportunity id", "crm opportunity id"]),
];

/// The comparison key of a header: lower case, punctuation and `_` as spaces, a
/// trailing "(EUR)"-style currency removed; returns the key and that currency.
pub fn header_key(header: &str) -> (String, Option<String>) {
    let trimmed = header.trim().trim_start_matches('\u{feff}').trim();
    let mut text = trimmed.to_string();
    let mut currency = None;
    if let (Some(open), true) = (trimmed.rfind('('), trimmed.ends_with(')')) {
        let inner = trimmed[open + 1..trimmed.len() - 1].trim();
        if watershed_normalize::money::is_currency_code(inner) {
            currency = Some(inner.to_ascii_uppercase());
            text = trimmed[..open].to_string();
        }
    }
    let mut key = String::with_capacity(text.len());
    for ch in text.to_lowercase().chars() {
        if ch.is_alphanumeric() || ch == '#' || ch == '%' {
            key.push(ch);
        } else {
            key.push(' ');
        }
    }
    (key.split_whitespace().collect::<Vec<_>>().join(" "), currency)
}

/// How each header of an input was bound, for reports (`inspect`, run warnings).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundColumn {
    /// The header as written.
    pub header: String,
    /// The canonical field, if any.
    pub field: Option<&'static str>,
    /// How it was decided: `configured`, `canonical`, `alias`, or `unmapped`.
    pub how: &'static str,
}

/// Binds `headers` to `entity`'s fields. `configured` is the source's
/// `[sources.columns]` (header → field), matched exactly or on the header key.
/// Returns the binding and, per column, how it was decided.
pub fn bind_columns(headers: &[String], entity: Entity, configured: &BTreeMap<String, String>) -> (ColumnBinding, Vec<BoundColumn>) {
    let configured_keys: Vec<(String, &String)> = configured.iter().map(|(h, f)| (header_key(h).0, f)).collect();
    let mut binding = ColumnBinding::default();
    let mut report = Vec::with_capacity(headers.len());
    for header in headers {
        let (key, currency) = header_key(header);
        let field_of = |name: &str| entity.fields().iter().find(|f| f.name == name).map(|f| f.name);
        // The partner field is `partner` on opportunities and `partner_id` elsewhere.
        let partner_field = || entity.fields().iter().find(|f| f.kind == FieldKind::Partner).map(|f| f.name);
        let resolve = |name: &str| if name == "partner" || name == "partner_id" { partner_field() } else { field_of(name) };
        let (field, how) =
            if let Some(f) = configured.get(header.trim()).or_else(|| configured_keys.iter().find(|(k, _)| *k == key).map(|(_, f)| *f)) {
                (field_of(f), "configured")
            } else if let Some(f) = resolve(&key.replace(' ', "_")) {
                (Some(f), "canonical")
            } else if let Some(f) = ALIASES.iter().filter(|(_, names)| names.contains(&key.as_str())).find_map(|(name, _)| resolve(name)) {
                (Some(f), "alias")
            } else {
                (None, "unmapped")
            };
        if field == Some("amount") && currency.is_some() && binding.amount_currency.is_none() {
            binding.amount_currency = currency;
        }
        binding.columns.push(field);
        report.push(BoundColumn { header: header.clone(), field, how });
    }
    (binding, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(headers: &[&str], entity: Entity, configured: &[(&str, &str)]) -> (ColumnBinding, Vec<BoundColumn>) {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let configured = configured.iter().map(|(h, f)| (h.to_string(), f.to_string())).collect();
        bind_columns(&headers, entity, &configured)
    }

    #[test]
    fn header_keys() {
        for (header, key, currency) in [
            ("Close Date", "close date", None),
            ("close_date", "close date", None),
            ("\u{feff}Amount (USD)", "amount", Some("USD")),
            ("Deal Value (eur)", "deal value", Some("EUR")),
            ("Deal #", "deal #", None),
            ("  Split %  ", "split %", None),
            ("Amount (net)", "amount net", None),
        ] {
            assert_eq!(header_key(header), (key.to_string(), currency.map(str::to_string)), "{header}");
        }
    }

    #[test]
    fn opportunity_headers_of_real_exports() {
        let (b, report) = bind(
            &[
                "Opportunity ID",
                "Account Name",
                "Amount (EUR)",
                "Stage",
                "Close Date",
                "Partner Account",
                "SFDC ID",
                "Kunde",
                "Notes",
                "partner_role",
            ],
            Entity::Opportunities,
            &[("Kunde", "industry")],
        );
        assert_eq!(
            b.columns,
            vec![
                Some("external_id"),
                Some("customer_name"),
                Some("amount"),
                Some("stage"),
                Some("close_date"),
                Some("partner"),
                Some("crm_opportunity_id"),
                Some("industry"),
                None,
                Some("partner_role")
            ]
        );
        assert_eq!(b.amount_currency.as_deref(), Some("EUR"));
        let hows: Vec<&str> = report.iter().map(|r| r.how).collect();
        assert_eq!(
            hows,
            vec!["alias", "alias", "canonical", "canonical", "canonical", "alias", "alias", "configured", "unmapped", "canonical"]
        );
    }

    #[test]
    fn partner_column_binds_to_the_entitys_partner_field() {
        let (b, _) = bind(&["Partner", "Period", "Quota"], Entity::Targets, &[]);
        assert_eq!(b.columns, vec![Some("partner_id"), Some("period"), Some("amount")]);
        let (b, _) = bind(&["partner_id", "close_date"], Entity::Opportunities, &[]);
        assert_eq!(b.columns, vec![Some("partner"), Some("close_date")]);
    }

    #[test]
    fn configured_columns_match_on_the_key_too() {
        let (b, _) = bind(&["BETRAG (EUR)"], Entity::Opportunities, &[("Betrag (EUR)", "amount")]);
        assert_eq!(b.columns, vec![Some("amount")]);
    }
}
