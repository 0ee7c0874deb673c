//! The store conformance suite: every test runs once on SQLite and once on PostgreSQL
//! (the real server at `WATERSHED_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`), each PostgreSQL test in its own schema so
//! the tests run in parallel. A backend is conformant when the same assertions hold.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::str::FromStr;
use watershed_model::{Cells, Entity, Opportunity, OpportunityPartner, Partner, PartnerRole, PartnerStatus, Stage, Value};
use watershed_store::postgres::PostgresBackend;
use watershed_store::sqlite::SqliteBackend;
use watershed_store::{
    AlertRecord, AuditEntry, Backend, HealthRecord, KpiRecord, QuarantineEntry, RAW_PART, RawRow, Store, TierRecord, ViolationEntry,
};

/// Where a test's store lives; removed when the test ends.
enum Place {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

fn postgres_url() -> String {
    std::env::var("WATERSHED_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn drop_schema(url: &str, schema: &str) {
    let admin = PostgresBackend::connect(url, "public").expect("PostgreSQL must be reachable at WATERSHED_TEST_POSTGRES_URL");
    admin.batch(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
}

impl Place {
    fn sqlite(test: &str) -> Place {
        let dir = std::env::temp_dir().join(format!("ws-conformance-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Place::Sqlite(dir)
    }

    fn postgres(test: &str) -> Place {
        let short: String = test.chars().take(30).collect();
        let schema = format!("wsc_{short}_{}", std::process::id());
        let url = postgres_url();
        drop_schema(&url, &schema);
        Place::Postgres { url, schema }
    }

    /// Opens a store here (a second call opens a second connection to the same store).
    fn open(&self) -> Store {
        self.opener()()
    }

    /// A function that opens a store here, for another thread.
    fn opener(&self) -> impl FnOnce() -> Store + Send + 'static {
        let place = match self {
            Place::Sqlite(dir) => (Some(dir.join("store.db")), String::new(), String::new()),
            Place::Postgres { url, schema } => (None, url.clone(), schema.clone()),
        };
        move || match place {
            (Some(path), _, _) => Store::open(&path).unwrap(),
            (None, url, schema) => Store::connect_postgres(&url, &schema).unwrap(),
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        match self {
            Place::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres { url, schema } => drop_schema(url, schema),
        }
    }
}

/// Each listed test function `fn(&Place)` runs on both backends.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::Place::sqlite(stringify!($name))); } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(&super::Place::postgres(stringify!($name))); } )*
        }
    };
}

conformance!(
    a_committed_run_reads_back_exactly,
    a_dropped_run_leaves_nothing_behind,
    ids_continue_across_runs_and_runs_list_newest_first,
    a_persons_review_decision_is_replaced_not_duplicated,
    quarantine_keeps_cells_headers_and_suggestions,
    clearing_the_dataset_keeps_the_raw_layer,
    lineage_lists_the_survivor_first,
    scorecards_are_replaced_by_each_run,
    the_audit_log_reads_newest_first,
    violations_and_freshness_are_counted,
    match_decisions_come_best_score_first,
    a_run_reads_what_it_wrote_before_commit,
    what_a_rebuilding_run_wrote_reads_as_the_database_does,
    readers_see_the_previous_state_until_commit,
    a_large_run_arrives_whole,
    unknown_tables_are_refused,
    a_failed_insert_fails_the_commit_and_leaves_nothing,
    an_inputs_rows_in_bulk_read_back_with_their_ids,
    a_failed_bulk_insert_fails_the_commit,
    a_broken_lineage_reference_fails_the_commit,
    the_dataset_indexes_exist_after_every_run,
);

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
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
        amount: d("13750.55"),
        amount_original: d("12500.50"),
        currency: "EUR".into(),
        stage: Stage::ClosedWon,
        created_date: NaiveDate::from_ymd_opt(2026, 1, 2),
        close_date: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        deal_registration_id: None,
        updated_at: NaiveDate::from_ymd_opt(2026, 3, 16).unwrap().and_hms_opt(8, 30, 0),
    }
}

/// P1 as the sole partner of `o`, sourced, with the whole split.
fn sole_partner(o: &Opportunity) -> OpportunityPartner {
    OpportunityPartner { opportunity_id: o.opportunity_id.clone(), partner_id: "P1".into(), role: PartnerRole::Sourced, split: d("1") }
}

fn input(w: &watershed_store::RunWriter, sha: &str) -> i64 {
    w.insert_input("crm", &format!("inbox/{sha}.csv"), sha, 10, Entity::Opportunities, "UTF-8", b';', 1, &["A".into(), "B".into()], 2)
        .unwrap()
}

fn a_committed_run_reads_back_exactly(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("2026-11-22T10:00:00Z").unwrap();
    let input = input(&w, "abc");
    let awkward = "ü, \"q\"\ttab\nnew line\\back\r'quote'";
    let r1 = w.insert_raw(input, 2, "row", None, &["x".into(), awkward.into()]).unwrap();
    w.insert_raw(input, 3, "skipped", Some("blank"), &[]).unwrap();
    let r3 = w.insert_raw(input, 4, "error", Some("unclosed quote"), &["\"y".into()]).unwrap();
    let o = opportunity("crm:1");
    let link = OpportunityPartner {
        opportunity_id: o.opportunity_id.clone(),
        partner_id: "P1".into(),
        role: PartnerRole::Influenced,
        split: d("0.50"),
    };
    w.insert_opportunity(&o, std::slice::from_ref(&link)).unwrap();
    w.insert_lineage("crm:1", Entity::Opportunities, r1, "survivor", None).unwrap();
    w.insert_entity_row(
        Entity::Targets,
        &[Value::Text("P1".into()), Value::Text("FY2026-Q1".into()), Value::Decimal(Decimal::from(5000))],
        r1,
    )
    .unwrap();
    w.insert_entity_row(
        Entity::PortalActivity,
        &[Value::Text("P1".into()), Value::Text("2026-01".into()), Value::Integer(12), Value::Null, Value::Decimal(d("30.5"))],
        r1,
    )
    .unwrap();
    let partner = Partner {
        partner_id: "P1".into(),
        name: "Acme & Söhne".into(),
        tier: Some("Gold".into()),
        segment: None,
        region: Some("EMEA".into()),
        partner_type: Some("reseller".into()),
        partner_manager: None,
        account_manager: Some("Ann".into()),
        start_date: NaiveDate::from_ymd_opt(2024, 2, 1),
        contract_end_date: None,
        status: PartnerStatus::Active,
    };
    w.insert_partners(std::slice::from_ref(&partner)).unwrap();
    w.insert_products(&[("SKU-1".into(), "Widget".into(), Some("Core".into()))]).unwrap();
    w.commit("2026-11-22T10:00:01Z", "fp1", "{}").unwrap();

    // The input's hash is known for its source only.
    let hashes = store.input_hashes().unwrap();
    assert!(hashes.contains(&("crm".to_string(), "abc".to_string())));
    assert!(!hashes.contains(&("sheets".to_string(), "abc".to_string())));
    assert_eq!(hashes.len(), 1);
    assert_eq!(store.last_fingerprint().unwrap().as_deref(), Some("fp1"));
    assert_eq!(store.opportunities().unwrap(), vec![o]);
    assert_eq!(store.opportunity_partners().unwrap(), vec![OpportunityPartner { split: d("0.5"), ..link }]);
    assert_eq!(store.partners().unwrap(), vec![partner]);
    let inputs = store.load_inputs().unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].headers, vec!["A".to_string(), "B".to_string()]);
    assert_eq!(inputs[0].rows, vec![(r1, 2, Cells::new(["x", awkward]))]);
    assert_eq!(inputs[0].errors, vec![(r3, 4, "unclosed quote".to_string(), vec!["\"y".to_string()])]);
    assert_eq!(store.load_input(input).unwrap().map(|i| i.rows.len()), Some(1));
    assert!(store.load_input(input + 1).unwrap().is_none());
    assert_eq!(store.entity_rows(Entity::Targets).unwrap(), vec![vec![Some("P1".into()), Some("FY2026-Q1".into()), Some("5000".into())]]);
    assert_eq!(
        store.entity_rows(Entity::PortalActivity).unwrap(),
        vec![vec![Some("P1".into()), Some("2026-01".into()), Some("12".into()), None, Some("30.5".into())]]
    );
    let data = store.dataset().unwrap();
    assert_eq!(data.targets.len(), 1);
    assert_eq!(data.targets[0].amount, Decimal::from(5000));
    assert_eq!(data.portal_activity[0].logins, 12);
    assert_eq!(store.record(r1).unwrap().map(|r| (r.0, r.2, r.4)), Some(("crm".into(), 2, vec!["x".into(), awkward.into()])));
    assert_eq!(store.target_source("P1", "FY2026-Q1").unwrap(), Some(("inbox/abc.csv".into(), 2)));
    assert_eq!(store.count("products").unwrap(), 1);
}

fn a_dropped_run_leaves_nothing_behind(place: &Place) {
    let mut store = place.open();
    {
        let w = store.begin_run("t0").unwrap();
        let input = input(&w, "sha");
        let r = w.insert_raw(input, 2, "row", None, &["a".into()]).unwrap();
        w.insert_opportunity(&opportunity("crm:1"), &[]).unwrap();
        w.insert_lineage("crm:1", Entity::Opportunities, r, "survivor", None).unwrap();
    }
    for table in ["inputs", "raw_records", "opportunities", "record_lineage", "runs"] {
        assert_eq!(store.count(table).unwrap(), 0, "{table}");
    }
    store.record_failed("t0", "t1", "conservation failed").unwrap();
    let runs = store.runs(5).unwrap();
    assert_eq!(runs[0].status, "failed");
    assert!(runs[0].summary.as_deref().unwrap_or("").contains("conservation failed"));
    // The store still takes a run after the rollback.
    let w = store.begin_run("t2").unwrap();
    input(&w, "sha");
    w.commit("t3", "fp", "{}").unwrap();
    assert_eq!(store.count("inputs").unwrap(), 1);
}

fn ids_continue_across_runs_and_runs_list_newest_first(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    let first_run = w.run_id();
    let i1 = input(&w, "one");
    let r1 = w.insert_raw(i1, 2, "row", None, &["a".into()]).unwrap();
    w.commit("t1b", "fp1", "{}").unwrap();
    let up_to_date = store.record_up_to_date("t2", "t2b", "fp1").unwrap();
    assert!(up_to_date > first_run);
    // A second connection continues the ids, as a new `watershed run` process would.
    let mut again = place.open();
    let w = again.begin_run("t3").unwrap();
    assert!(w.run_id() > up_to_date);
    assert_eq!(w.inputs_held(), i1, "the newest input the raw layer held when the run took the lock");
    let i2 = input(&w, "two");
    let r2 = w.insert_raw(i2, 2, "row", None, &["b".into()]).unwrap();
    assert!(i2 > i1 && r2 > r1);
    w.commit("t3b", "fp2", "{\"ok\":true}").unwrap();
    let runs = store.runs(10).unwrap();
    assert_eq!(runs.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(), vec!["succeeded", "up_to_date", "succeeded"]);
    assert_eq!(runs[0].summary.as_deref(), Some("{\"ok\":true}"));
    assert_eq!(store.runs(1).unwrap().len(), 1);
    assert_eq!(store.last_fingerprint().unwrap().as_deref(), Some("fp2"));
    assert_eq!(store.load_inputs().unwrap().iter().map(|i| i.input_id).collect::<Vec<_>>(), vec![i1, i2]);
}

fn a_persons_review_decision_is_replaced_not_duplicated(place: &Place) {
    let store = place.open();
    store.set_review_decision("sheets:9", "crm:1", true, "ann", "t1").unwrap();
    store.set_review_decision("crm:1", "sheets:9", false, "bob", "t2").unwrap();
    store.set_review_decision("crm:2", "sheets:3", true, "bob", "t3").unwrap();
    assert_eq!(
        store.review_decisions().unwrap(),
        vec![("crm:1".into(), "sheets:9".into(), false), ("crm:2".into(), "sheets:3".into(), true)]
    );
}

fn quarantine_entry(record_id: i64, line: u64) -> QuarantineEntry {
    QuarantineEntry {
        record_id,
        source: "crm".into(),
        locator: "inbox/q.csv".into(),
        line,
        field: Some("partner".into()),
        value: Some("Acme Gmbh".into()),
        reason: "unknown partner".into(),
        suggestions_json: r#"[{"id":"P1","label":"Acme GmbH","score":0.93}]"#.into(),
    }
}

fn quarantine_keeps_cells_headers_and_suggestions(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    assert!(w.quarantined_ids().unwrap().is_empty());
    let i = input(&w, "q");
    let r = w.insert_raw(i, 7, "row", None, &["Acme Gmbh".into(), "100".into()]).unwrap();
    w.insert_quarantine(&quarantine_entry(r, 7)).unwrap();
    w.commit("t1b", "fp", "{}").unwrap();
    let rows = store.quarantine().unwrap();
    assert_eq!(rows.len(), 1);
    let q = &rows[0];
    assert_eq!((q.record_id, q.line, q.reason.as_str()), (r, 7, "unknown partner"));
    assert_eq!(q.values, vec!["Acme Gmbh".to_string(), "100".to_string()]);
    assert_eq!(q.headers, vec!["A".to_string(), "B".to_string()]);
    assert_eq!(q.suggestions, vec![("P1".into(), "Acme GmbH".into(), 0.93)]);
    let w = store.begin_run("t2").unwrap();
    assert_eq!(w.quarantined_ids().unwrap(), vec![r]);
}

fn clearing_the_dataset_keeps_the_raw_layer(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    let i = input(&w, "c");
    let r = w.insert_raw(i, 2, "row", None, &["a".into()]).unwrap();
    let o = opportunity("crm:1");
    w.insert_opportunity(&o, &[sole_partner(&o)]).unwrap();
    w.insert_lineage("crm:1", Entity::Opportunities, r, "survivor", None).unwrap();
    w.insert_quarantine(&quarantine_entry(r, 2)).unwrap();
    w.insert_match_decision("crm:1", "sheets:1", r, r, 9.0, "9.0 (customer +4.5)", "merged").unwrap();
    w.commit("t1b", "fp", "{}").unwrap();
    let columns: Vec<Vec<String>> =
        ["record_lineage", "quarantine", "opportunity_partners"].iter().map(|t| table_columns(place, t)).collect();
    let w = store.begin_run("t2").unwrap();
    w.clear_dataset().unwrap();
    w.commit("t2b", "fp", "{}").unwrap();
    for (table, expected) in [
        ("raw_records", 1),
        ("inputs", 1),
        ("opportunities", 0),
        ("opportunity_partners", 0),
        ("record_lineage", 0),
        ("quarantine", 0),
        ("match_decisions", 0),
    ] {
        assert_eq!(store.count(table).unwrap(), expected, "{table}");
    }
    // The tables SQLite re-creates when it clears (see DATASET_CHILD_TABLES) are the same
    // tables, and take the next run's rows.
    let after: Vec<Vec<String>> =
        ["record_lineage", "quarantine", "opportunity_partners"].iter().map(|t| table_columns(place, t)).collect();
    assert_eq!(after, columns);
    let w = store.begin_run("t3").unwrap();
    w.clear_dataset().unwrap();
    w.insert_opportunity(&o, &[sole_partner(&o)]).unwrap();
    w.insert_lineage("crm:1", Entity::Opportunities, r, "survivor", None).unwrap();
    w.insert_quarantine(&quarantine_entry(r, 2)).unwrap();
    w.commit("t3b", "fp", "{}").unwrap();
    for table in ["opportunities", "opportunity_partners", "record_lineage", "quarantine"] {
        assert_eq!(store.count(table).unwrap(), 1, "{table}");
    }
}

fn lineage_lists_the_survivor_first(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    let i = input(&w, "l");
    let a = w.insert_raw(i, 2, "row", None, &["a".into()]).unwrap();
    let b = w.insert_raw(i, 3, "row", None, &["b".into()]).unwrap();
    let c = w.insert_raw(i, 4, "row", None, &["c".into()]).unwrap();
    w.insert_opportunity(&opportunity("crm:1"), &[]).unwrap();
    w.insert_lineage("crm:1", Entity::Opportunities, a, "duplicate", Some("crm_opportunity_id")).unwrap();
    w.insert_lineage("crm:1", Entity::Opportunities, b, "version", None).unwrap();
    w.insert_lineage("crm:1", Entity::Opportunities, c, "survivor", None).unwrap();
    w.commit("t1b", "fp", "{}").unwrap();
    let lineage = store.lineage("crm:1").unwrap();
    assert_eq!(
        lineage.iter().map(|l| (l.record_id, l.relation.as_str())).collect::<Vec<_>>(),
        vec![(c, "survivor"), (a, "duplicate"), (b, "version")]
    );
    assert_eq!(lineage[1].tie.as_deref(), Some("crm_opportunity_id"));
    assert_eq!((lineage[0].line, lineage[0].input_id, lineage[0].source.as_str()), (4, i, "crm"));
    let placements = store.opportunity_placements().unwrap();
    assert_eq!(placements.iter().map(|p| p.1).collect::<Vec<_>>(), vec![a, b, c]);
    assert!(store.lineage("crm:404").unwrap().is_empty());
}

fn scorecards(run: &str) -> (Vec<KpiRecord>, Vec<HealthRecord>, Vec<AlertRecord>, Vec<TierRecord>) {
    let kpis = vec![KpiRecord {
        partner_id: "P1".into(),
        period: "FY2026-Q1".into(),
        as_of: "2026-03-31".into(),
        values: vec![Some("1250000.5".into()), None, Some(run.into())],
        health_level: "Healthy".into(),
    }];
    let health = vec![HealthRecord {
        partner_id: "P1".into(),
        period: "FY2026-Q1".into(),
        score: Some("71.25".into()),
        level: "Healthy".into(),
        coverage_pct: "100".into(),
        points: vec![("revenue".into(), Some("30".into())), ("pipeline".into(), None)],
        components_json: "[]".into(),
    }];
    let alerts = vec![AlertRecord {
        partner_id: "P1".into(),
        period: "FY2026-Q1".into(),
        rule: "pipeline_drop".into(),
        severity: "high".into(),
        message: "pipeline fell 40 %".into(),
        action: "call".into(),
    }];
    let tiers = vec![TierRecord {
        partner_id: "P1".into(),
        period: "FY2026-Q1".into(),
        recorded_tier: Some("Gold".into()),
        qualified_tier: Some("Silver".into()),
        next_tier: Some("Gold".into()),
        gap_text: "$10k to Gold".into(),
        mismatch: true,
    }];
    (kpis, health, alerts, tiers)
}

fn scorecards_are_replaced_by_each_run(place: &Place) {
    let mut store = place.open();
    assert!(!store.has_table("partner_kpis").unwrap());
    for run in ["1", "2"] {
        let (kpis, health, alerts, tiers) = scorecards(run);
        let w = store.begin_run("t").unwrap();
        w.replace_scorecards(&["revenue", "pipeline", "run_marker"], &kpis, &health, &alerts, &tiers).unwrap();
        w.commit("t", "fp", "{}").unwrap();
    }
    assert!(store.has_table("partner_kpis").unwrap());
    for table in ["partner_kpis", "health_scores", "alerts", "tier_status"] {
        assert_eq!(store.count(table).unwrap(), 1, "{table}");
    }
    let rows = store.partner_kpis(Some("FY2026-Q1")).unwrap();
    assert_eq!(rows.columns, vec!["revenue".to_string(), "pipeline".to_string(), "run_marker".to_string()]);
    assert_eq!(rows.rows.len(), 1);
    assert_eq!(rows.rows[0].values, vec![Some(d("1250000.5")), None, Some(d("2"))]);
    assert_eq!((rows.rows[0].partner_id.as_str(), rows.rows[0].as_of.as_str()), ("P1", "2026-03-31"));
    assert!(store.partner_kpis(Some("FY2030-Q1")).unwrap().rows.is_empty());
}

fn the_audit_log_reads_newest_first(place: &Place) {
    let mut store = place.open();
    let entry = |action: &str| AuditEntry {
        at: "2026-11-22T10:00:00Z".into(),
        actor: "ann".into(),
        action: action.into(),
        object: "partners.csv".into(),
        old_value: None,
        new_value: Some("x".into()),
    };
    store.audit(&entry("map add")).unwrap();
    let w = store.begin_run("t").unwrap();
    w.audit(&entry("run")).unwrap();
    w.commit("t", "fp", "{}").unwrap();
    store.audit(&entry("map accept")).unwrap();
    let log = store.audit_log(10).unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["map accept", "run", "map add"]);
    assert_eq!(log[0], entry("map accept"));
    assert_eq!(store.audit_log(1).unwrap().len(), 1);
}

fn violations_and_freshness_are_counted(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("2026-11-22T10:00:00Z").unwrap();
    let i = input(&w, "v");
    let r = w.insert_raw(i, 2, "row", None, &["a".into()]).unwrap();
    let violation = |rule: &'static str, severity: &'static str| ViolationEntry {
        rule,
        severity,
        source: "crm",
        locator: "inbox/v.csv",
        line: Some(2),
        record_id: Some(r),
        golden_id: None,
        field: Some("amount"),
        message: "negative amount",
    };
    w.insert_violation(&violation("amount_positive", "error")).unwrap();
    w.insert_violation(&violation("amount_positive", "error")).unwrap();
    w.insert_violation(&violation("close_after_create", "warn")).unwrap();
    w.commit("2026-11-22T10:00:05Z", "fp", "{}").unwrap();
    assert_eq!(
        store.violation_counts().unwrap(),
        vec![("amount_positive".into(), "error".into(), 2), ("close_after_create".into(), "warn".into(), 1)]
    );
    assert_eq!(store.source_freshness().unwrap(), vec![("crm".into(), 1, Some("2026-11-22T10:00:00Z".into()), 2)]);
}

fn match_decisions_come_best_score_first(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("t").unwrap();
    let i = input(&w, "m");
    let a = w.insert_raw(i, 2, "row", None, &["a".into()]).unwrap();
    let b = w.insert_raw(i, 3, "row", None, &["b".into()]).unwrap();
    w.insert_match_decision("crm:1", "sheets:1", a, b, 6.25, "6.25 (customer +4.5)", "review").unwrap();
    w.insert_match_decision("crm:2", "sheets:2", a, b, 11.5, "11.5 (customer +4.5, amount +3.5)", "merged").unwrap();
    w.commit("t", "fp", "{}").unwrap();
    let decisions = store.match_decisions().unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0], ("crm:2".into(), "sheets:2".into(), a, b, 11.5, "11.5 (customer +4.5, amount +3.5)".into(), "merged".into()));
    assert_eq!(decisions[1].4, 6.25);
}

fn a_run_reads_what_it_wrote_before_commit(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("t").unwrap();
    let i = input(&w, "r");
    let r = w.insert_raw(i, 2, "row", None, &["a".into()]).unwrap();
    w.insert_opportunity(&opportunity("crm:1"), &[]).unwrap();
    w.insert_entity_row(Entity::Targets, &[Value::Text("P1".into()), Value::Text("FY2026-Q1".into()), Value::Decimal(Decimal::from(7))], r)
        .unwrap();
    let data = w.dataset().unwrap();
    assert_eq!(data.opportunities.len(), 1);
    assert_eq!(data.targets.len(), 1);
}

fn readers_see_the_previous_state_until_commit(place: &Place) {
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    w.insert_opportunity(&opportunity("crm:1"), &[]).unwrap();
    w.commit("t1b", "fp", "{}").unwrap();
    let w = store.begin_run("t2").unwrap();
    w.clear_dataset().unwrap();
    w.insert_opportunity(&opportunity("crm:2"), &[]).unwrap();
    w.insert_opportunity(&opportunity("crm:3"), &[]).unwrap();
    // Any query sends the rows PostgreSQL's backend buffered to the database.
    w.quarantined_ids().unwrap();
    // A reader that opens the store while the run is writing neither waits nor sees it.
    // (On another thread: if it waited, the test fails instead of hanging, and dropping
    // the writer on the way out releases it.)
    let (done, seen) = std::sync::mpsc::channel();
    let opener = place.opener();
    std::thread::spawn(move || {
        let ids: Option<Vec<String>> =
            opener().opportunities().ok().map(|list| list.into_iter().map(|o| o.opportunity_id.to_string()).collect());
        let _ = done.send(ids);
    });
    let ids = seen.recv_timeout(std::time::Duration::from_secs(20)).expect("a reader waited for the running run");
    assert_eq!(ids, Some(vec!["crm:1".to_string()]));
    w.commit("t2b", "fp", "{}").unwrap();
    assert_eq!(place.open().count("opportunities").unwrap(), 2);
}

fn a_large_run_arrives_whole(place: &Place) {
    // Enough data to pass the PostgreSQL backend's 8 MB buffer several times, with rows of
    // later tables referencing rows of earlier ones across the flushes.
    let mut store = place.open();
    let w = store.begin_run("t").unwrap();
    let i = input(&w, "big");
    let filler = "x".repeat(200);
    let mut ids = Vec::new();
    for line in 0..60_000u64 {
        ids.push(w.insert_raw(i, line + 2, "row", None, &[format!("{line}"), filler.clone()]).unwrap());
    }
    for (n, id) in ids.iter().enumerate() {
        w.insert_lineage(&format!("crm:{n}"), Entity::Opportunities, *id, "survivor", None).unwrap();
    }
    // Opportunities and their links interleave, so some flush falls between the two.
    for n in 0..40_000 {
        let mut o = opportunity(&format!("crm:{n}"));
        o.name = Some(filler.as_str().into());
        w.insert_opportunity(&o, &[sole_partner(&o)]).unwrap();
    }
    w.commit("t", "fp", "{}").unwrap();
    assert_eq!(store.count("raw_records").unwrap(), 60_000);
    assert_eq!(store.count("record_lineage").unwrap(), 60_000);
    assert_eq!(store.count("opportunities").unwrap(), 40_000);
    assert_eq!(store.count("opportunity_partners").unwrap(), 40_000);
    let rows = &store.load_inputs().unwrap()[0].rows;
    assert_eq!(rows.len(), 60_000);
    assert_eq!(rows[59_999].2, vec!["59999".to_string(), filler]);
}

fn unknown_tables_are_refused(place: &Place) {
    let store = place.open();
    assert!(store.count("sqlite_master; DROP TABLE runs").is_err());
    assert!(store.count("pg_tables").is_err());
    assert_eq!(store.count("runs").unwrap(), 0);
}

fn what_a_rebuilding_run_wrote_reads_as_the_database_does(place: &Place) {
    // A run that rebuilds the dataset reads it from what it wrote, not from the database;
    // both must give the same typed dataset, to the last digit and second.
    let mut store = place.open();
    let w = store.begin_run("t").unwrap();
    let i = input(&w, "m");
    let r1 = w.insert_raw(i, 2, "row", None, &["a".into()]).unwrap();
    let r2 = w.insert_raw(i, 3, "row", None, &["b".into()]).unwrap();
    w.clear_dataset().unwrap();
    let partner = |id: &str| Partner {
        start_date: NaiveDate::from_ymd_opt(2024, 1, 1),
        status: PartnerStatus::Inactive,
        ..Partner::new(id, format!("Partner {id}"))
    };
    w.insert_partners(&[partner("P2"), partner("P1")]).unwrap();
    let mut late = opportunity("crm:2");
    late.updated_at = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap().and_hms_nano_opt(8, 30, 0, 123_456_789);
    let links = [("P2", "0.50"), ("P1", "0.5000")].map(|(p, split)| OpportunityPartner {
        opportunity_id: "crm:2".into(),
        partner_id: p.into(),
        role: PartnerRole::Influenced,
        split: d(split),
    });
    w.insert_opportunity(&late, &links).unwrap();
    w.insert_opportunity(&opportunity("crm:1"), &[]).unwrap();
    w.insert_entity_row(
        Entity::SupportTickets,
        &[
            Value::Text("T2".into()),
            Value::Text("P1".into()),
            Value::Null,
            Value::Date(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()),
            Value::Bool(true),
            Value::Bool(false),
        ],
        r2,
    )
    .unwrap();
    w.insert_entity_row(
        Entity::PortalActivity,
        &[Value::Text("P1".into()), Value::Text("2026-01".into()), Value::Integer(12), Value::Null, Value::Decimal(d("30.50"))],
        r1,
    )
    .unwrap();
    let written = w.dataset().unwrap();
    w.commit("t", "fp", "{}").unwrap();
    let read = store.dataset().unwrap();
    assert_eq!(format!("{written:?}"), format!("{read:?}"));
    assert_eq!(read.opportunities.len(), 2);
    assert_eq!(read.support_tickets[0].first_call_resolved, Some(true));
}

fn a_failed_insert_fails_the_commit_and_leaves_nothing(place: &Place) {
    // Backends may insert appended rows later (SQLite's writer thread, PostgreSQL's COPY
    // buffer): an insert that fails there must still fail the commit, after rows spread
    // over several batches, and roll back everything the run wrote.
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    let i = input(&w, "f");
    let cells: Vec<String> = (0..8).map(|c| format!("cell {c} of a row that fills the batches")).collect();
    let first = w.insert_raw(i, 1, "row", None, &cells).unwrap();
    for line in 2..20_000 {
        w.insert_raw(i, line, "row", None, &cells).unwrap();
    }
    w.insert_quarantine(&quarantine_entry(first, 1)).unwrap();
    // The same record quarantined twice violates the primary key.
    w.insert_quarantine(&quarantine_entry(first, 1)).unwrap();
    assert!(w.commit("t1b", "fp", "{}").is_err());
    for table in ["raw_records", "inputs", "quarantine"] {
        assert_eq!(store.count(table).unwrap(), 0, "{table}");
    }
    // The store goes on working: the next run commits.
    let w = store.begin_run("t2").unwrap();
    let i = input(&w, "g");
    w.insert_raw(i, 1, "row", None, &cells).unwrap();
    w.commit("t2b", "fp", "{}").unwrap();
    assert_eq!(store.count("raw_records").unwrap(), 1);
    assert_eq!(place.open().count("raw_records").unwrap(), 1);
}

fn an_inputs_rows_in_bulk_read_back_with_their_ids(place: &Place) {
    // insert_raw_rows numbers an input's rows and hands them to the backend in parts
    // (SQLite writes them on its writer thread); records inserted after them continue the
    // numbering.
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    let i = input(&w, "bulk");
    let awkward = "ü, \"q\"\ttab\nnew line\\back\r'quote' \u{1F600}";
    // Rows with and without characters JSON escapes (read back by different paths).
    let second = |n: u64| if n.is_multiple_of(2) { awkward.to_string() } else { format!("plain {n}") };
    let count = RAW_PART as u64 + 1_000;
    let rows: Vec<(u64, Cells)> = (0..count).map(|n| (n + 2, Cells::new([format!("row {n}"), second(n), String::new()]))).collect();
    let parts = w.insert_raw_rows(i, rows.clone().into_iter()).unwrap();
    assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![RAW_PART, 1_000]);
    let shared: Vec<&RawRow> = parts.iter().flat_map(|p| p.iter()).collect();
    let after = w.insert_raw(i, 999_999, "error", Some("unclosed quote"), &["\"y".into()]).unwrap();
    assert_eq!(after, shared[shared.len() - 1].0 + 1);
    assert!(shared.windows(2).all(|p| p[1].0 == p[0].0 + 1));
    w.commit("t1b", "fp", "{}").unwrap();
    let inputs = store.load_inputs().unwrap();
    assert_eq!(inputs.len(), 1);
    let expected: Vec<RawRow> = shared.into_iter().cloned().collect();
    assert_eq!(inputs[0].rows, expected);
    assert_eq!(inputs[0].rows.iter().map(|(_, line, cells)| (*line, cells.clone())).collect::<Vec<_>>(), rows);
    assert_eq!(inputs[0].errors, vec![(after, 999_999, "unclosed quote".to_string(), vec!["\"y".to_string()])]);
}

fn a_failed_bulk_insert_fails_the_commit(place: &Place) {
    // Rows of an input that does not exist violate raw_records' foreign key; the backend
    // may find out on another thread, but the commit must fail and keep nothing.
    let mut store = place.open();
    let w = store.begin_run("t1").unwrap();
    let i = input(&w, "ok");
    w.insert_raw(i, 1, "row", None, &["kept?".into()]).unwrap();
    w.insert_raw_rows(i + 1000, vec![(2, Cells::new(["orphan"]))].into_iter()).unwrap();
    assert!(w.commit("t1b", "fp", "{}").is_err());
    assert_eq!(store.count("raw_records").unwrap(), 0);
    assert_eq!(store.count("inputs").unwrap(), 0);
}

fn a_broken_lineage_reference_fails_the_commit(place: &Place) {
    // SQLite checks a run's references once, in the background after the index build and
    // at commit for what came after; PostgreSQL as rows arrive. Either way: no commit.
    for after_indexes in [false, true] {
        let mut store = place.open();
        let w = store.begin_run("t1").unwrap();
        let i = input(&w, "ok");
        let record = w.insert_raw(i, 1, "row", None, &["x".into()]).unwrap();
        w.clear_dataset().unwrap();
        w.insert_lineage("O-1", Entity::Opportunities, record, "survivor", None).unwrap();
        if !after_indexes {
            let _ = w.insert_lineage("O-2", Entity::Opportunities, record + 1000, "survivor", None);
        }
        let _ = w.build_indexes();
        if after_indexes {
            let _ = w.insert_lineage("O-3", Entity::Opportunities, record + 1000, "survivor", None);
        }
        let error = w.commit("t1b", "fp", "{}").unwrap_err();
        if matches!(place, Place::Sqlite(_)) {
            assert!(error.to_string().contains("record_lineage") && error.to_string().contains("raw_records"), "{error}");
        }
        assert_eq!(store.count("raw_records").unwrap(), 0);
        assert_eq!(store.count("inputs").unwrap(), 0);
    }
    // The same store then takes a sound run.
    let mut store = place.open();
    let w = store.begin_run("t2").unwrap();
    let i = input(&w, "ok");
    let record = w.insert_raw(i, 1, "row", None, &["x".into()]).unwrap();
    w.clear_dataset().unwrap();
    w.build_indexes().unwrap();
    w.insert_lineage("O-1", Entity::Opportunities, record, "survivor", None).unwrap();
    w.commit("t2b", "fp", "{}").unwrap();
    assert_eq!(store.count("record_lineage").unwrap(), 1);
}

/// The names of the store's secondary indexes on the lineage and partner-link tables.
/// The columns of `table`, read over a connection of its own.
fn table_columns(place: &Place, table: &str) -> Vec<String> {
    let backend: Box<dyn Backend> = match place {
        Place::Sqlite(dir) => Box::new(SqliteBackend::open(&dir.join("store.db")).unwrap()),
        Place::Postgres { url, schema } => Box::new(PostgresBackend::connect(url, schema).unwrap()),
    };
    backend.columns(table).unwrap()
}

fn dataset_index_names(place: &Place) -> Vec<String> {
    let (backend, sql, params): (Box<dyn Backend>, &str, Vec<String>) = match place {
        Place::Sqlite(dir) => (
            Box::new(SqliteBackend::open(&dir.join("store.db")).unwrap()),
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('record_lineage', 'opportunity_partners') AND name NOT LIKE 'sqlite_%' ORDER BY name",
            Vec::new(),
        ),
        Place::Postgres { url, schema } => (
            Box::new(PostgresBackend::connect(url, "public").unwrap()),
            "SELECT indexname FROM pg_indexes WHERE schemaname = ?1 AND tablename IN ('record_lineage', 'opportunity_partners') AND indexname NOT LIKE '%_pkey' ORDER BY indexname",
            vec![schema.clone()],
        ),
    };
    let params: Vec<watershed_store::Param> = params.iter().map(|p| watershed_store::Param::Text(p)).collect();
    let mut names = Vec::new();
    backend
        .for_each(sql, &params, &mut |row| {
            if let Some(watershed_store::Cell::Text(name)) = row.first() {
                names.push(name.clone());
            }
            Ok(())
        })
        .unwrap();
    names
}

fn the_dataset_indexes_exist_after_every_run(place: &Place) {
    // SQLite drops them while a run rewrites the dataset and builds them again in the
    // background (build_indexes) or at commit; either way a committed run has them.
    let expected = vec!["record_lineage_golden".to_string()];
    let mut store = place.open();
    assert_eq!(dataset_index_names(place), expected);
    for (run, build_before_commit) in [true, false, true].into_iter().enumerate() {
        let w = store.begin_run("t").unwrap();
        let i = input(&w, &format!("ix{run}"));
        let r = w.insert_raw(i, 1, "row", None, &["a".into()]).unwrap();
        w.clear_dataset().unwrap();
        let o = opportunity("crm:ix");
        w.insert_opportunity(&o, &[sole_partner(&o)]).unwrap();
        w.insert_lineage("crm:ix", Entity::Opportunities, r, "survivor", None).unwrap();
        if build_before_commit {
            w.build_indexes().unwrap();
        }
        w.commit("t2", "fp", "{}").unwrap();
        assert_eq!(dataset_index_names(place), expected, "build before commit: {build_before_commit}");
    }
    drop(store);
    // A store of schema version 1 had indexes of lineage by record id and of links by
    // partner: opening drops them.
    let backend: Box<dyn Backend> = match place {
        Place::Sqlite(dir) => Box::new(SqliteBackend::open(&dir.join("store.db")).unwrap()),
        Place::Postgres { url, schema } => Box::new(PostgresBackend::connect(url, schema).unwrap()),
    };
    backend
        .batch(
            "CREATE INDEX record_lineage_record ON record_lineage(record_id);
             CREATE INDEX opportunity_partners_partner ON opportunity_partners(partner_id);
             UPDATE store_meta SET version = 1;",
        )
        .unwrap();
    drop(backend);
    assert_eq!(dataset_index_names(place).len(), 3);
    drop(place.open());
    assert_eq!(dataset_index_names(place), expected, "an older store's unused index is dropped when opened");
}
