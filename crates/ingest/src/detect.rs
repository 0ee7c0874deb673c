//! Header → canonical field detection: configured columns first, then headers that
//! already are canonical names, then a dictionary of common aliases (English, German,
//! French), all compared on a normalized key ("Close Date", "close_date" and
//! "CLOSE-DATE" are the same), then misspellings of those (one or two letters off).
//! Each binding says how it was decided and with what confidence; a required field
//! that no column feeds is reported with the headers most likely meant.

use std::collections::BTreeMap;
use std::fmt;
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
            "auftragsnummer",
            "vorgangsnummer",
            "angebotsnummer",
            "numéro",
            "référence",
        ],
    ),
    ("name", &["opportunity name", "opportunity", "deal name", "opp name", "projekt", "projektname", "opportunité"]),
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
            "kunde",
            "kundenname",
            "endkunde",
            "client final",
            "nom du client",
            "cliente",
        ],
    ),
    (
        "customer_country",
        &["country", "customer country", "billing country", "account country", "country code", "land", "pays", "país", "kundenland"],
    ),
    ("region", &["region", "geo", "territory", "sales region", "vertriebsregion", "région"]),
    ("industry", &["industry", "vertical", "sector", "branche", "secteur"]),
    (
        "product",
        &[
            "product",
            "product name",
            "product sku",
            "sku",
            "product code",
            "item",
            "product id",
            "produkt",
            "artikel",
            "produit",
            "producto",
        ],
    ),
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
            "betrag",
            "auftragswert",
            "volumen",
            "montant",
            "valeur",
            "importe",
        ],
    ),
    (
        "currency",
        &[
            "currency",
            "currency code",
            "currency iso code",
            "opportunity currency",
            "ccy",
            "curr",
            "währung",
            "waehrung",
            "devise",
            "moneda",
        ],
    ),
    ("stage", &["stage", "status", "phase", "sales stage", "deal stage", "opportunity stage", "stage name", "étape", "statut", "etapa"]),
    (
        "created_date",
        &[
            "created",
            "created date",
            "create date",
            "opened",
            "open date",
            "date created",
            "created on",
            "erstellt",
            "erstellt am",
            "erstelldatum",
            "angelegt",
            "angelegt am",
            "date de création",
            "fecha de creación",
        ],
    ),
    (
        "close_date",
        &[
            "close",
            "close date",
            "closed",
            "expected close",
            "expected close date",
            "closing date",
            "closed date",
            "close on",
            "abschlussdatum",
            "abschluss",
            "datum abschluss",
            "date de clôture",
            "date de cloture",
            "fecha de cierre",
        ],
    ),
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
        &[
            "partner",
            "partner name",
            "partner account",
            "reseller",
            "reseller name",
            "partner id",
            "channel partner",
            "partner company",
            "partnername",
            "händler",
            "revendeur",
            "socio",
        ],
    ),
    ("partner_role", &["partner role", "role", "attribution", "partner type of credit"]),
    ("partner_split", &["partner split", "split", "split %", "credit %", "partner split %"]),
    ("updated_at", &["last modified", "last modified date", "updated", "updated at", "modified", "last updated", "system modstamp"]),
    ("registration_id", &["registration id", "deal registration id", "id"]),
    ("submitted_at", &["submitted", "submitted at", "submitted date", "submission date"]),
    ("approved_at", &["approved", "approved at", "approval date"]),
    ("opportunity_id", &["opportunity id", "crm opportunity id"]),
];

/// The comparison key of a header: lower case, punctuation and `_` as spaces, camelCase
/// split into words (`CloseDate`), a trailing currency removed (`Amount (EUR)`,
/// `Betrag EUR`); returns the key and that currency.
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
    let mut key = String::with_capacity(text.len() + 4);
    let mut previous_lower = false;
    for ch in text.chars() {
        // camelCase API names (`CloseDate`, `StageName`) are words too.
        if ch.is_uppercase() && previous_lower {
            key.push(' ');
        }
        previous_lower = ch.is_lowercase() || ch.is_ascii_digit();
        if ch.is_alphanumeric() || ch == '#' || ch == '%' {
            key.extend(ch.to_lowercase());
        } else {
            key.push(' ');
        }
    }
    let mut words: Vec<&str> = key.split_whitespace().collect();
    if currency.is_none()
        && words.len() > 1
        && let Some(last) = words.last()
        && last.len() == 3
        && watershed_normalize::money::is_currency_code(last)
    {
        currency = Some(last.to_ascii_uppercase());
        words.pop();
    }
    (words.join(" "), currency)
}

/// How each header of an input was bound, for reports (`inspect`, run warnings).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundColumn {
    /// The header as written.
    pub header: String,
    /// The canonical field, if any.
    pub field: Option<&'static str>,
    /// How it was decided: `configured`, `canonical`, `alias`, `misspelling`, `unmapped`,
    /// or `other currency` (a second amount column in another currency, left unused).
    pub how: &'static str,
    /// How sure the binding is, 0–1: 1 for configured and canonical names, 0.95 for a
    /// dictionary alias, 0.9 of that when only the column label of a two-row header
    /// (`Deal › Partner`) matched, lower for a misspelling (its similarity × 0.9), 0 when unmapped.
    pub confidence: f64,
}

/// The normalized names a field is known by: its canonical name and its aliases.
fn names_of(field: &str) -> Vec<String> {
    let mut names = vec![field.replace('_', " ")];
    names.extend(ALIASES.iter().filter(|(f, _)| *f == field).flat_map(|(_, aliases)| aliases.iter().map(|n| n.to_string())));
    names
}

/// The dictionary field name for `name` as `entity` calls it (the partner field is
/// `partner` on opportunities and `partner_id` elsewhere).
fn entity_field(entity: Entity, name: &str) -> Option<&'static str> {
    if name == "partner" || name == "partner_id" {
        return entity.fields().iter().find(|f| f.kind == FieldKind::Partner).map(|f| f.name);
    }
    entity.fields().iter().find(|f| f.name == name).map(|f| f.name)
}

/// Similarity of two header keys for typo detection: 1 − edit distance / length.
fn typo_similarity(a: &str, b: &str) -> f64 {
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 0.0;
    }
    1.0 - strsim::damerau_levenshtein(a, b) as f64 / longest as f64
}

/// Binds `headers` to `entity`'s fields. `configured` is the source's
/// `[sources.columns]` (header → field), matched exactly or on the header key.
/// Returns the binding and, per column, how it was decided and how sure it is.
///
/// Misspellings (`Custmer Name`) are bound only to fields no other column feeds,
/// so an exact header always wins over a near one.
pub fn bind_columns(headers: &[String], entity: Entity, configured: &BTreeMap<String, String>) -> (ColumnBinding, Vec<BoundColumn>) {
    let configured_keys: Vec<(String, &String)> = configured.iter().map(|(h, f)| (header_key(h).0, f)).collect();
    let mut binding = ColumnBinding::default();
    let mut report = Vec::with_capacity(headers.len());
    let mut currencies = Vec::with_capacity(headers.len());
    let known = |key: &str| -> Option<(&'static str, &'static str, f64)> {
        if let Some(f) = entity_field(entity, &key.replace(' ', "_")) {
            Some((f, "canonical", 1.0))
        } else {
            ALIASES
                .iter()
                .filter(|(_, names)| names.contains(&key))
                .find_map(|(name, _)| entity_field(entity, name))
                .map(|f| (f, "alias", 0.95))
        }
    };
    for header in headers {
        let (key, currency) = header_key(header);
        // A two-row header's `Group › Column`: the column label alone, a little less sure.
        let label = header.rsplit_once(crate::layout::GROUP_SEPARATOR).map(|(_, label)| header_key(label).0);
        let (field, how, confidence) =
            if let Some(f) = configured.get(header.trim()).or_else(|| configured_keys.iter().find(|(k, _)| *k == key).map(|(_, f)| *f)) {
                (entity.field(f).map(|spec| spec.name), "configured", 1.0)
            } else if let Some((f, how, confidence)) = known(&key) {
                (Some(f), how, confidence)
            } else if let Some((f, how, confidence)) = label.as_deref().and_then(known) {
                (Some(f), how, (confidence * 90.0).round() / 100.0)
            } else {
                (None, "unmapped", 0.0)
            };
        report.push(BoundColumn { header: header.clone(), field, how, confidence });
        currencies.push(currency);
    }
    // Misspellings of a known name, for fields still without a column.
    let mut fed: std::collections::HashSet<&'static str> = report.iter().filter_map(|b| b.field).collect();
    let dictionary: Vec<(&'static str, Vec<String>)> = entity
        .fields()
        .iter()
        .map(|spec| (spec.name, names_of(if spec.kind == FieldKind::Partner { "partner" } else { spec.name })))
        .collect();
    for column in report.iter_mut() {
        if column.field.is_some() {
            continue;
        }
        let (key, _) = header_key(&column.header);
        if !(5..=40).contains(&key.chars().count()) {
            continue;
        }
        let mut best: Option<(&'static str, f64)> = None;
        let mut tie = false;
        for (field, names) in &dictionary {
            if fed.contains(field) {
                continue;
            }
            let score = names.iter().map(|n| typo_similarity(&key, n)).fold(0.0, f64::max);
            if score >= 0.85 {
                match best {
                    Some((_, b)) if (score - b).abs() < 1e-9 => tie = true,
                    Some((_, b)) if score < b => {}
                    _ => {
                        best = Some((field, score));
                        tie = false;
                    }
                }
            }
        }
        if let (Some((field, score)), false) = (best, tie) {
            fed.insert(field);
            column.field = Some(field);
            column.how = "misspelling";
            column.confidence = (score * 0.9 * 100.0).round() / 100.0;
        }
    }
    // Amounts in two currencies (`Amount › EUR`, `Amount › USD`): the first column is the
    // amount; the other would mix currencies, so it feeds nothing.
    let mut first_amount: Option<Option<String>> = None;
    for (b, currency) in report.iter_mut().zip(currencies) {
        if b.field == Some("amount") {
            match &first_amount {
                None => {
                    binding.amount_currency.clone_from(&currency);
                    first_amount = Some(currency);
                }
                Some(first) if currency.is_some() && *first != currency => {
                    b.field = None;
                    b.how = "other currency";
                    b.confidence = 0.0;
                }
                Some(_) => {}
            }
        }
        binding.columns.push(b.field);
    }
    (binding, report)
}

/// A required field that no column feeds, and the headers most likely meant.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingField {
    /// The canonical field.
    pub field: &'static str,
    /// Unmapped headers ranked by how much they look like the field (0–1), best first.
    pub candidates: Vec<(String, f64)>,
}

/// How many unmapped headers are compared with a missing field.
const MAX_CANDIDATES_SEARCHED: usize = 500;

/// Below this resemblance a header is not offered as a candidate.
const MIN_RESEMBLANCE: f64 = 0.3;

/// How much `key` looks like one of a field's `names`: shared words, then string similarity.
fn resemblance(key: &str, names: &[String]) -> f64 {
    let words: Vec<&str> = key.split_whitespace().collect();
    names
        .iter()
        .map(|name| {
            let shared = name.split_whitespace().filter(|w| w.len() > 2 && words.contains(w)).count();
            let overlap = if shared > 0 { 0.6 + 0.1 * shared as f64 } else { 0.0 };
            overlap.max(strsim::jaro_winkler(key, name) * 0.8)
        })
        .fold(0.0, f64::max)
        .min(0.99)
}

/// The required fields of `entity` that no column of `bound` feeds (the partner field
/// is not required when the source fixes the partner), each with the unmapped headers
/// that most resemble it.
pub fn missing_required(entity: Entity, bound: &[BoundColumn], fixed_partner: bool) -> Vec<MissingField> {
    // Candidates among the first unmapped headers of a reasonable length (a file with
    // thousands of columns is not searched exhaustively).
    let unmapped: Vec<&BoundColumn> =
        bound.iter().filter(|b| b.field.is_none() && b.header.len() <= 80).take(MAX_CANDIDATES_SEARCHED).collect();
    entity
        .fields()
        .iter()
        .filter(|f| f.required && !(fixed_partner && f.kind == FieldKind::Partner))
        .filter(|f| !bound.iter().any(|b| b.field == Some(f.name)))
        .map(|f| {
            let names = names_of(if f.kind == FieldKind::Partner { "partner" } else { f.name });
            let mut candidates: Vec<(String, f64)> = unmapped
                .iter()
                .map(|b| (b.header.clone(), (resemblance(&header_key(&b.header).0, &names) * 100.0).round() / 100.0))
                .collect();
            candidates.retain(|(_, score)| *score >= MIN_RESEMBLANCE);
            candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
            candidates.truncate(3);
            MissingField { field: f.name, candidates }
        })
        .collect()
}

/// The configuration problem of an input whose required fields have no column: names
/// the file, each missing field with its candidate headers, and the fix.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmappedFields {
    /// The input's locator.
    pub locator: String,
    /// The source's name.
    pub source: String,
    /// The entity the source delivers.
    pub entity: Entity,
    /// What is missing.
    pub missing: Vec<MissingField>,
}

impl fmt::Display for UnmappedFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.missing.iter().map(|m| m.field).collect();
        write!(f, "{}: no column for {} (required for {})", self.locator, fields.join(", "), self.entity)?;
        for m in &self.missing {
            if m.candidates.is_empty() {
                write!(f, "; no unmapped header looks like {}", m.field)?;
            } else {
                let list: Vec<String> = m.candidates.iter().map(|(h, s)| format!("\"{h}\" ({s:.2})")).collect();
                write!(f, "; candidate headers for {}: {}", m.field, list.join(", "))?;
            }
        }
        let example = self.missing.iter().find_map(|m| m.candidates.first().map(|(h, _)| format!("\"{h}\" = \"{}\"", m.field)));
        write!(f, ". Map them in [sources.columns] of source `{}`", self.source)?;
        if let Some(example) = example {
            write!(f, ", e.g. {example}")?;
        }
        write!(f, "; until then every row of this input is quarantined")
    }
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
            ("Betrag EUR", "betrag", Some("EUR")),
            ("Amount_usd", "amount", Some("USD")),
            ("EUR", "eur", None),
            ("Währung", "währung", None),
            ("CloseDate", "close date", None),
            ("Account.Name", "account name", None),
            ("DealID", "deal id", None),
            ("Q3Amount", "q3 amount", None),
            ("SKU", "sku", None),
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

    #[test]
    fn german_export_binds_without_configuration() {
        let (b, report) = bind(
            &["Partner", "Kunde", "Betrag (EUR)", "Abschlussdatum", "Erstellt", "Status", "CRM-ID", "Deal-Nr.", "Produkt", "Land"],
            Entity::Opportunities,
            &[],
        );
        assert_eq!(
            b.columns,
            vec![
                Some("partner"),
                Some("customer_name"),
                Some("amount"),
                Some("close_date"),
                Some("created_date"),
                Some("stage"),
                Some("crm_opportunity_id"),
                Some("external_id"),
                Some("product"),
                Some("customer_country")
            ]
        );
        assert_eq!(b.amount_currency.as_deref(), Some("EUR"));
        assert!(report.iter().all(|r| r.confidence >= 0.95), "{report:?}");
    }

    #[test]
    fn misspellings_bind_with_lower_confidence_and_never_over_an_exact_header() {
        let (b, report) = bind(&["Partner", "Custmer Name", "Amount", "Stage", "Close Dtae"], Entity::Opportunities, &[]);
        assert_eq!(b.columns[1], Some("customer_name"));
        assert_eq!(b.columns[4], Some("close_date"));
        assert_eq!((report[1].how, report[1].confidence), ("misspelling", 0.83));
        let (b, _) = bind(&["Customer", "Custmer Name"], Entity::Opportunities, &[]);
        assert_eq!(b.columns, vec![Some("customer_name"), None]);
        let (b, _) = bind(&["Created By", "Notes"], Entity::Opportunities, &[]);
        assert_eq!(b.columns, vec![None, None], "a person is not a date");
    }

    #[test]
    fn missing_required_fields_name_the_likely_headers() {
        let (_, bound) = bind(&["Reseller", "Client Company", "Deal Value", "Phase", "Closing Dt", "Remarks"], Entity::Opportunities, &[]);
        let missing = missing_required(Entity::Opportunities, &bound, false);
        let fields: Vec<&str> = missing.iter().map(|m| m.field).collect();
        assert_eq!(fields, vec!["customer_name", "close_date"]);
        assert_eq!(missing[0].candidates[0].0, "Client Company");
        assert_eq!(missing[1].candidates[0].0, "Closing Dt");
        let problem =
            UnmappedFields { locator: "inbox/p/x.csv".into(), source: "partner_files".into(), entity: Entity::Opportunities, missing };
        let text = problem.to_string();
        for part in [
            "inbox/p/x.csv: no column for customer_name, close_date (required for opportunities)",
            "\"Closing Dt\" (",
            "[sources.columns] of source `partner_files`",
            "e.g. \"Client Company\" = \"customer_name\"",
        ] {
            assert!(text.contains(part), "{part:?} not in {text}");
        }
        let (_, bound) = bind(&["Period", "Quota"], Entity::Targets, &[]);
        assert!(missing_required(Entity::Targets, &bound, true).is_empty(), "a fixed partner needs no partner column");
        assert_eq!(missing_required(Entity::Targets, &bound, false)[0].field, "partner_id");
    }

    #[test]
    fn salesforce_api_names_bind() {
        let (b, _) = bind(
            &["Id", "Name", "Account.Name", "Amount", "CurrencyIsoCode", "StageName", "CreatedDate", "CloseDate", "LastModifiedDate"],
            Entity::Opportunities,
            &[],
        );
        assert_eq!(
            b.columns,
            vec![
                Some("external_id"),
                Some("name"),
                Some("customer_name"),
                Some("amount"),
                Some("currency"),
                Some("stage"),
                Some("created_date"),
                Some("close_date"),
                Some("updated_at")
            ]
        );
    }
}
