//! Header → field detection and column type inference on arbitrary headers and values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use watershed_model::Entity;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let headers: Vec<String> = parts.next().unwrap_or("").split('|').map(str::to_string).collect();
    let values: Vec<&str> = parts.collect();
    let entity = Entity::ALL[data.len() % Entity::ALL.len()];
    let mut configured = BTreeMap::new();
    if let Some(h) = headers.first() {
        configured.insert(h.clone(), "amount".to_string());
    }
    let (binding, bound) = watershed_ingest::bind_columns(&headers, entity, &configured);
    assert_eq!(binding.columns.len(), headers.len());
    assert!(bound.iter().all(|b| (0.0..=1.0).contains(&b.confidence)));
    let missing = watershed_ingest::missing_required(entity, &bound, false);
    assert!(missing.iter().all(|m| m.candidates.len() <= 3));
    for kind in [None, Some(watershed_model::FieldKind::Date), Some(watershed_model::FieldKind::Bool)] {
        let t = watershed_ingest::infer_column_type(&values, kind, None);
        assert!(t.parsed <= t.present && t.present <= values.len());
        let _ = t.describe();
    }
    let _ = watershed_ingest::header_key(&text);
});
