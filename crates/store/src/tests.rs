use super::*;
use chrono::NaiveDate;

fn temp_store(tag: &str) -> (std::path::PathBuf, Store) {
    let dir = std::env::temp_dir().join(format!("ws-store-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("t.db")).unwrap();
    (dir, store)
}

fn opportunity(id: &str) -> Opportunity {
    Opportunity {
        opportunity_id: id.into(),
        name: Some("Deal".into()),
        customer_name: "Kunde AG".into(),
        customer_country: Some("Germany".into()),
        region: Some("EMEA".into()),
        industry: None,
        product_id: None,
        product_family: None,
        amount: Decimal::from_str("13750.55").unwrap(),
        amount_original: Decimal::from_str("12500.50").unwrap(),
        currency: "EUR".into(),
        stage: Stage::ClosedWon,
        created_date: NaiveDate::from_ymd_opt(2026, 1, 2),
        close_date: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        deal_registration_id: None,
        updated_at: NaiveDate::from_ymd_opt(2026, 3, 16).unwrap().and_hms_opt(8, 30, 0),
    }
}

#[test]
fn a_committed_run_reads_back_exactly() {
    let (_dir, mut store) = temp_store("commit");
    let w = store.begin_run("2026-11-22T10:00:00Z").unwrap();
    let input =
        w.insert_input("crm", "inbox/a.csv", "abc", 10, Entity::Opportunities, "UTF-8", b';', 1, &["A".into(), "B".into()], 2).unwrap();
    let r1 = w.insert_raw(input, 2, "row", None, &["x".into(), "ü, \"q\"".into()]).unwrap();
    w.insert_raw(input, 3, "skipped", Some("blank"), &[]).unwrap();
    let o = opportunity("crm:1");
    let link = OpportunityPartner {
        opportunity_id: o.opportunity_id.clone(),
        partner_id: "P1".into(),
        role: PartnerRole::Influenced,
        split: Decimal::from_str("0.50").unwrap(),
    };
    w.insert_opportunity(&o, std::slice::from_ref(&link)).unwrap();
    w.insert_lineage("crm:1", Entity::Opportunities, r1, "survivor", None).unwrap();
    w.insert_entity_row(
        Entity::Targets,
        &[Value::Text("P1".into()), Value::Text("FY2026-Q1".into()), Value::Decimal(Decimal::from(5000))],
        r1,
    )
    .unwrap();
    w.commit("2026-11-22T10:00:01Z", "fp1", "{}").unwrap();

    assert!(store.has_input("crm", "abc").unwrap());
    assert!(!store.has_input("sheets", "abc").unwrap());
    assert_eq!(store.last_fingerprint().unwrap().as_deref(), Some("fp1"));
    assert_eq!(store.opportunities().unwrap(), vec![o]);
    assert_eq!(store.opportunity_partners().unwrap()[0].split, Decimal::from_str("0.5").unwrap());
    let inputs = store.load_inputs().unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].rows, vec![(r1, 2, vec!["x".to_string(), "ü, \"q\"".to_string()])]);
    assert_eq!(store.entity_rows(Entity::Targets).unwrap(), vec![vec![Some("P1".into()), Some("FY2026-Q1".into()), Some("5000".into())]]);
}

#[test]
fn a_dropped_run_leaves_nothing_behind() {
    let (_dir, mut store) = temp_store("rollback");
    {
        let w = store.begin_run("t0").unwrap();
        w.insert_input("crm", "a", "sha", 1, Entity::Opportunities, "UTF-8", b',', 1, &[], 0).unwrap();
        w.insert_opportunity(&opportunity("crm:1"), &[]).unwrap();
    }
    assert_eq!(store.count("inputs").unwrap(), 0);
    assert_eq!(store.count("opportunities").unwrap(), 0);
    assert_eq!(store.count("runs").unwrap(), 0);
    store.record_failed("t0", "t1", "conservation failed").unwrap();
    assert_eq!(store.runs(5).unwrap()[0].status, "failed");
    assert!(store.count("sqlite_master; DROP TABLE runs").is_err());
}
