//! Indexes over the mapping tables, keyed by normalized text, with suggestions for
//! values that match nothing.

use crate::key::normalize_key;
use foldhash::{HashMap, HashMapExt};
use rust_decimal::Decimal;
use std::sync::Mutex;
use watershed_config::Mappings;
use watershed_model::{Stage, Symbol};

/// A candidate for an unknown value, with its similarity (0–1) on the matching key.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The id (or canonical value) to map to.
    pub id: String,
    /// What it is called (partner or product name), for people.
    pub label: String,
    /// Jaro-Winkler similarity of the matching keys.
    pub score: f64,
}

/// Similarity of two matching keys, 0–1: the better of Jaro-Winkler on the whole key
/// (typos, misspellings) and Sørensen-Dice on its words (reordered or dropped words).
pub fn similarity(a: &str, b: &str) -> f64 {
    similarity_of_words(a, &words(a), b, &words(b))
}

/// The distinct words of a matching key, sorted.
fn words(key: &str) -> Vec<&str> {
    let mut list: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    list.sort_unstable();
    list.dedup();
    list
}

/// [`similarity`] with both keys' distinct sorted words already at hand.
fn similarity_of_words<S: AsRef<str>, T: AsRef<str>>(a: &str, words_a: &[S], b: &str, words_b: &[T]) -> f64 {
    let dice = if words_a.is_empty() || words_b.is_empty() {
        0.0
    } else {
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < words_a.len() && j < words_b.len() {
            match words_a[i].as_ref().cmp(words_b[j].as_ref()) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        2.0 * common as f64 / (words_a.len() + words_b.len()) as f64
    };
    strsim::jaro_winkler(a, b).max(dice)
}

/// Distinct texts a thread remembers the matching key of before it starts over.
const KEYS_REMEMBERED: usize = 65_536;

thread_local! {
    /// Matching keys of texts this thread has looked up: the same partner, product,
    /// region and stage spellings come back on row after row.
    static KEYS: std::cell::RefCell<HashMap<String, String>> = std::cell::RefCell::new(HashMap::new());
}

/// `f` of the matching key of `text` ([`normalize_key`], remembered per thread).
fn with_key<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if let Some(key) = keys.get(text) {
            return f(key);
        }
        if keys.len() >= KEYS_REMEMBERED {
            keys.clear();
        }
        let key = normalize_key(text);
        let out = f(&key);
        keys.insert(text.to_string(), key);
        out
    })
}

/// A lookup failure: nothing matched, or several things did.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupError {
    /// No entry has this key.
    Unknown {
        /// The normalized key that was looked up.
        key: String,
        /// The closest entries.
        suggestions: Vec<Suggestion>,
    },
    /// Several different ids share this key.
    Ambiguous {
        /// The key.
        key: String,
        /// The ids it matches.
        ids: Vec<String>,
    },
}

#[derive(Debug, Default)]
struct KeyIndex {
    /// Ids by key, interned once here: every row that maps to one copies it for free.
    by_key: HashMap<String, Vec<Symbol>>,
    labels: HashMap<String, String>,
    /// Every key with its distinct sorted words, for suggestions.
    key_words: HashMap<String, Vec<String>>,
    /// Suggestions already worked out, by unknown key: the same unknown value tends
    /// to come back row after row, and each costs a comparison with every key.
    suggested: Mutex<HashMap<String, Vec<Suggestion>>>,
}

impl Clone for KeyIndex {
    fn clone(&self) -> Self {
        KeyIndex {
            by_key: self.by_key.clone(),
            labels: self.labels.clone(),
            key_words: self.key_words.clone(),
            suggested: Mutex::default(),
        }
    }
}

impl KeyIndex {
    fn insert(&mut self, text: &str, id: &str) {
        let key = normalize_key(text);
        if key.is_empty() {
            return;
        }
        if !self.key_words.contains_key(&key) {
            let list = words(&key).into_iter().map(str::to_string).collect();
            self.key_words.insert(key.clone(), list);
        }
        let ids = self.by_key.entry(key).or_default();
        if !ids.iter().any(|i| *i == id) {
            ids.push(Symbol::from(id));
        }
    }

    fn get(&self, text: &str) -> Result<Symbol, LookupError> {
        let found = with_key(text, |key| match self.by_key.get(key).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            _ => Err(()),
        });
        found.or_else(|()| {
            let key = normalize_key(text);
            match self.by_key.get(&key).map(Vec::as_slice) {
                Some([one]) => Ok(*one),
                Some(many) if !many.is_empty() => Err(LookupError::Ambiguous { key, ids: many.iter().map(Symbol::to_string).collect() }),
                _ => Err(LookupError::Unknown { suggestions: self.suggest(&key), key }),
            }
        })
    }

    fn suggest(&self, key: &str) -> Vec<Suggestion> {
        let cached = |m: &Mutex<HashMap<String, Vec<Suggestion>>>| m.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned();
        if let Some(list) = cached(&self.suggested) {
            return list;
        }
        let list = self.work_out_suggestions(key);
        self.suggested.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), list.clone());
        list
    }

    fn work_out_suggestions(&self, key: &str) -> Vec<Suggestion> {
        let mut best: HashMap<&str, f64> = HashMap::new();
        let key_words = words(key);
        let no_words = Vec::new();
        for (candidate, ids) in &self.by_key {
            let score = similarity_of_words(key, &key_words, candidate, self.key_words.get(candidate).unwrap_or(&no_words));
            for id in ids {
                let entry = best.entry(id.as_str()).or_insert(0.0);
                if score > *entry {
                    *entry = score;
                }
            }
        }
        let mut list: Vec<Suggestion> = best
            .into_iter()
            .filter(|(_, s)| *s >= 0.75)
            .map(|(id, score)| Suggestion {
                id: id.to_string(),
                label: self.labels.get(id).cloned().unwrap_or_else(|| id.to_string()),
                score: (score * 1000.0).round() / 1000.0,
            })
            .collect();
        list.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        list.truncate(3);
        list
    }
}

/// Every mapping table as an index on normalized keys.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    partners: KeyIndex,
    products: KeyIndex,
    product_family: HashMap<String, Option<Symbol>>,
    regions: KeyIndex,
    /// Raw stage keys per source (`*`: every source).
    stages: HashMap<String, HashMap<String, Stage>>,
    /// The canonical stages' own keys.
    stage_keys: Vec<(String, Stage)>,
    /// Rates by currency (upper case), then (year, month).
    fx: HashMap<String, HashMap<(i32, u32), Decimal>>,
    reporting_currency: String,
    partner_ids: Vec<String>,
}

impl Lookups {
    /// Builds the indexes. Partner and product ids, names and aliases all match.
    pub fn new(m: &Mappings, reporting_currency: &str) -> Self {
        let mut l = Lookups {
            reporting_currency: reporting_currency.to_ascii_uppercase(),
            stage_keys: Stage::ALL.into_iter().map(|s| (normalize_key(s.as_str()), s)).collect(),
            ..Default::default()
        };
        for p in &m.partners {
            l.partners.insert(&p.partner_id, &p.partner_id);
            l.partners.insert(&p.name, &p.partner_id);
            l.partners.labels.insert(p.partner_id.clone(), p.name.clone());
            l.partner_ids.push(p.partner_id.clone());
        }
        for (alias, id) in &m.partner_aliases {
            l.partners.insert(alias, id);
        }
        for p in &m.products {
            l.products.insert(&p.product_id, &p.product_id);
            l.products.insert(&p.name, &p.product_id);
            l.products.labels.insert(p.product_id.clone(), p.name.clone());
            l.product_family.insert(p.product_id.clone(), p.family.as_deref().map(Symbol::from));
        }
        for (alias, id) in &m.product_aliases {
            l.products.insert(alias, id);
        }
        for (alias, region) in &m.regions {
            l.regions.insert(alias, region);
            l.regions.insert(region, region);
        }
        for s in &m.stages {
            l.stages.entry(s.source.clone()).or_default().insert(normalize_key(&s.raw_stage), s.stage);
        }
        for r in &m.fx_rates {
            l.fx.entry(r.currency.to_ascii_uppercase()).or_default().insert(r.month, r.rate);
        }
        l
    }

    /// The partner id for an id, name or alias.
    pub fn partner(&self, text: &str) -> Result<Symbol, LookupError> {
        self.partners.get(text)
    }

    /// Every partner id of the master data, in file order.
    pub fn partner_ids(&self) -> &[String] {
        &self.partner_ids
    }

    /// The product id and family for an id, name or alias (SKU).
    pub fn product(&self, text: &str) -> Result<(Symbol, Option<Symbol>), LookupError> {
        let id = self.products.get(text)?;
        let family = self.product_family.get(id.as_str()).copied().flatten();
        Ok((id, family))
    }

    /// The region for a country, state, code or region name.
    pub fn region(&self, text: &str) -> Result<Symbol, LookupError> {
        self.regions.get(text)
    }

    /// The canonical stage for `source`'s raw stage name: the source's own mapping,
    /// then a `*` mapping, then the canonical names themselves.
    pub fn stage(&self, source: &str, raw: &str) -> Option<Stage> {
        with_key(raw, |key| {
            let mapped = |source: &str| self.stages.get(source).and_then(|m| m.get(key)).copied();
            mapped(source).or_else(|| mapped("*")).or_else(|| self.stage_keys.iter().find(|(k, _)| k == key).map(|(_, s)| *s))
        })
    }

    /// Candidates for an unknown raw stage of `source`: canonical stages whose name or
    /// a mapped raw name (of any source) is close to it.
    pub fn stage_suggestions(&self, raw: &str) -> Vec<Suggestion> {
        let key = normalize_key(raw);
        let mut best: HashMap<Stage, f64> = HashMap::new();
        let candidates = self.stages.values().flat_map(|m| m.iter().map(|(k, s)| (k.clone(), *s))).chain(self.stage_keys.iter().cloned());
        for (candidate, stage) in candidates {
            let score = strsim::jaro_winkler(&key, &candidate);
            let entry = best.entry(stage).or_insert(0.0);
            if score > *entry {
                *entry = score;
            }
        }
        let mut list: Vec<Suggestion> = best
            .into_iter()
            .filter(|(_, s)| *s >= 0.6)
            .map(|(stage, score)| Suggestion {
                id: stage.as_str().to_string(),
                label: stage.as_str().to_string(),
                score: (score * 1000.0).round() / 1000.0,
            })
            .collect();
        list.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        list.truncate(3);
        list
    }

    /// Reporting-currency units per unit of `currency` in (year, month); 1 for the reporting currency.
    pub fn fx_rate(&self, currency: &str, year: i32, month: u32) -> Option<Decimal> {
        if currency.eq_ignore_ascii_case(&self.reporting_currency) {
            return Some(Decimal::ONE);
        }
        // Currencies arrive in upper case: no copy to look them up.
        let rates = match currency.bytes().any(|b| b.is_ascii_lowercase()) {
            true => self.fx.get(&currency.to_ascii_uppercase()),
            false => self.fx.get(currency),
        };
        rates.and_then(|r| r.get(&(year, month))).copied()
    }

    /// The reporting currency.
    pub fn reporting_currency(&self) -> &str {
        &self.reporting_currency
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use watershed_config::{FxRate, StageMapping};
    use watershed_model::Partner;

    fn partner(id: &str, name: &str) -> Partner {
        Partner::new(id, name)
    }

    fn lookups() -> Lookups {
        let m = Mappings {
            partners: vec![partner("P001", "Northwind Traders"), partner("P002", "Contoso Consulting"), partner("P003", "Contoso Group")],
            partner_aliases: vec![
                ("NWT".into(), "P001".into()),
                ("Northwnd Traders".into(), "P001".into()),
                ("Contoso".into(), "P002".into()),
                ("Contoso".into(), "P003".into()),
            ],
            regions: vec![("Germany".into(), "EMEA".into()), ("DE".into(), "EMEA".into())],
            stages: vec![
                StageMapping { source: "crm".into(), raw_stage: "Closed Won".into(), stage: Stage::ClosedWon },
                StageMapping { source: "*".into(), raw_stage: "Won".into(), stage: Stage::ClosedWon },
            ],
            fx_rates: vec![FxRate { currency: "EUR".into(), month: (2026, 3), rate: Decimal::new(11, 1) }],
            ..Default::default()
        };
        Lookups::new(&m, "usd")
    }

    #[test]
    fn partners_by_id_name_alias_and_suffix_variant() {
        let l = lookups();
        for text in ["P001", "p001", "Northwind Traders", "NORTHWIND TRADERS, INC.", "NWT", "Northwnd Traders", "The Northwind Traders LLC"]
        {
            assert_eq!(l.partner(text).as_deref(), Ok("P001"), "{text}");
        }
        match l.partner("Contoso") {
            Err(LookupError::Ambiguous { ids, .. }) => assert_eq!(ids, vec!["P002", "P003"]),
            other => panic!("expected ambiguous, got {other:?}"),
        }
        match l.partner("Northwind Tradrs Intl") {
            Err(LookupError::Unknown { key, suggestions }) => {
                assert_eq!(key, "northwind tradrs intl");
                assert_eq!(suggestions[0].id, "P001");
                assert_eq!(suggestions[0].label, "Northwind Traders");
                assert!(suggestions[0].score > 0.85, "{suggestions:?}");
            }
            other => panic!("expected unknown, got {other:?}"),
        }
    }

    #[test]
    fn similarity_takes_the_better_of_characters_and_words() {
        assert!(similarity("northwind tradrs", "northwind traders") > 0.95);
        assert!((similarity("consulting contoso", "contoso consulting") - 1.0).abs() < 1e-9, "reordered words");
        assert!(similarity("acme", "zeta") < 0.6);
        assert_eq!(similarity("", ""), 1.0);
    }

    #[test]
    fn stages_regions_and_fx() {
        let l = lookups();
        assert_eq!(l.stage("crm", "closed won"), Some(Stage::ClosedWon));
        assert_eq!(l.stage("sheets", "WON"), Some(Stage::ClosedWon));
        assert_eq!(l.stage("sheets", "Closed Won"), Some(Stage::ClosedWon));
        assert_eq!(l.stage("sheets", "negotiation"), Some(Stage::Negotiation));
        assert_eq!(l.stage("sheets", "Pending Legal"), None);
        assert_eq!(l.region("de").as_deref(), Ok("EMEA"));
        assert_eq!(l.region("EMEA").as_deref(), Ok("EMEA"));
        assert!(l.region("Atlantis").is_err());
        assert_eq!(l.fx_rate("USD", 2020, 1), Some(Decimal::ONE));
        assert_eq!(l.fx_rate("eur", 2026, 3), Some(Decimal::new(11, 1)));
        assert_eq!(l.fx_rate("EUR", 2026, 4), None);
    }
}
