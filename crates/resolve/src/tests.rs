use super::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use watershed_model::Stage;

fn rec(id: i64, source: &str, rank: usize, ext: Option<&str>, partner: &str, amount: i64) -> ResolveRecord {
    ResolveRecord {
        record_id: id,
        source: source.into(),
        source_rank: rank,
        arrival: (1, id as u64),
        fallback_key: format!("{source}:row{id}").into(),
        row: SourceOpportunity {
            external_id: ext.map(Text::from),
            ..SourceOpportunity::new(
                &format!("Customer {id}"),
                partner,
                Decimal::from(amount),
                "USD",
                Stage::Proposal,
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            )
        },
    }
}

fn relations(g: &Golden) -> Vec<(i64, &'static str)> {
    g.members.iter().map(|(id, r)| (*id, r.as_str())).collect()
}

#[test]
fn crm_rows_per_partner_are_links_of_one_opportunity() {
    let mut a = rec(1, "crm", 0, Some("006A"), "P1", 100);
    a.row.partner_role = Some(PartnerRole::Sourced);
    let mut b = rec(2, "crm", 0, Some("006A"), "P2", 100);
    b.row.partner_role = Some(PartnerRole::Influenced);
    b.row.partner_split = Some(Decimal::new(5, 1));
    let golden = resolve(&[a, b]);
    assert_eq!(golden.len(), 1);
    let g = &golden[0];
    assert_eq!(g.opportunity.opportunity_id, "crm:006A");
    let links: Vec<(&str, PartnerRole, Decimal)> = g.partners.iter().map(|p| (p.partner_id.as_str(), p.role, p.split)).collect();
    assert_eq!(links, vec![("P1", PartnerRole::Sourced, Decimal::ONE), ("P2", PartnerRole::Influenced, Decimal::new(5, 1))]);
    assert_eq!(relations(g), vec![(2, "survivor"), (1, "link")]);
}

#[test]
fn later_versions_win_within_a_source() {
    let old = rec(1, "crm", 0, Some("006A"), "P1", 100);
    let mut new = rec(2, "crm", 0, Some("006A"), "P1", 150);
    new.row.stage = Stage::ClosedWon;
    let golden = resolve(&[old, new]);
    assert_eq!(golden.len(), 1);
    assert_eq!(golden[0].opportunity.amount, Decimal::from(150));
    assert_eq!(golden[0].opportunity.stage, Stage::ClosedWon);
    assert_eq!(relations(&golden[0]), vec![(2, "survivor"), (1, "version")]);
}

#[test]
fn updated_at_beats_arrival_order() {
    let mut newer = rec(1, "crm", 0, Some("X"), "P1", 100);
    newer.row.updated_at = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap().and_hms_opt(0, 0, 0);
    let mut older = rec(2, "crm", 0, Some("X"), "P1", 50);
    older.row.updated_at = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap().and_hms_opt(0, 0, 0);
    assert_eq!(resolve(&[newer, older])[0].opportunity.amount, Decimal::from(100));
}

#[test]
fn a_quoted_crm_id_merges_and_precedence_decides_fields() {
    let crm = rec(1, "crm", 0, Some("006A"), "P1", 100);
    let mut sheet = rec(2, "sheets", 1, Some("CM-1"), "P1", 99);
    sheet.row.crm_opportunity_id = Some("006A".into());
    sheet.row.industry = Some("Retail".into());
    let mut partner = rec(3, "partner_files", 2, Some("D-9"), "P1", 98);
    partner.row.crm_opportunity_id = Some("006A".into());
    let other = rec(4, "sheets", 1, Some("CM-2"), "P1", 5);
    let golden = resolve(&[partner, sheet, crm, other]);
    assert_eq!(golden.len(), 2);
    let g = golden.iter().find(|g| g.opportunity.opportunity_id == "crm:006A").unwrap();
    assert_eq!(g.opportunity.amount, Decimal::from(100));
    assert_eq!(g.opportunity.industry.as_deref(), Some("Retail"), "a field the survivor lacks comes from the next source");
    assert_eq!(relations(g), vec![(1, "survivor"), (2, "duplicate"), (3, "duplicate")]);
    assert_eq!(g.ties.len(), 2);
    assert_eq!(g.partners.len(), 1);
}

#[test]
fn a_shared_key_never_chains_two_records_of_one_source() {
    let mut a = rec(1, "crm", 0, Some("A"), "P1", 100);
    a.row.deal_registration_id = Some("DR-1".into());
    let mut b = rec(2, "crm", 0, Some("B"), "P1", 200);
    b.row.deal_registration_id = Some("DR-1".into());
    let mut p = rec(3, "partner_files", 2, Some("X"), "P1", 100);
    p.row.deal_registration_id = Some("DR-1".into());
    let golden = resolve(&[a, b, p]);
    assert_eq!(golden.len(), 2, "A and B stay distinct");
    let sizes: Vec<usize> = golden.iter().map(|g| g.members.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 3);
}

#[test]
fn rows_without_external_ids_stay_distinct_and_unquoted_ids_do_not_merge() {
    let a = rec(1, "sheets", 1, None, "P1", 1);
    let b = rec(2, "sheets", 1, None, "P1", 1);
    let mut c = rec(3, "partner_files", 2, Some("Z"), "P1", 1);
    c.row.crm_opportunity_id = Some("NOPE".into());
    let golden = resolve(&[a, b, c]);
    assert_eq!(golden.len(), 3);
    assert!(golden.iter().any(|g| g.opportunity.opportunity_id == "sheets:sheets:row1"));
}

#[test]
fn same_external_id_in_two_sources_without_a_reference_is_two_deals() {
    let a = rec(1, "crm", 0, Some("42"), "P1", 1);
    let b = rec(2, "partner_files", 2, Some("42"), "P1", 1);
    assert_eq!(resolve(&[a, b]).len(), 2);
}

#[test]
fn survivorship_names_the_record_of_each_field() {
    let crm = rec(1, "crm", 0, Some("006A"), "P1", 100);
    let mut sheet = rec(2, "sheets", 1, Some("CM-1"), "P1", 99);
    sheet.row.industry = Some("Retail".into());
    let decisions = survivorship(&[sheet, crm]);
    let of = |f: &str| decisions.iter().find(|d| d.field == f).map(|d| (d.record_id, d.rule));
    assert_eq!(of("amount"), Some((Some(1), "survivor")));
    assert_eq!(of("industry"), Some((Some(2), "first with a value")));
    assert_eq!(of("name"), Some((None, "first with a value")));
}

fn matcher() -> MatchSettings {
    MatchSettings::default()
}

#[test]
fn scored_matching_merges_an_unkeyed_duplicate_and_queues_the_grey_zone() {
    let mut crm = rec(1, "crm", 0, Some("006A"), "P1", 125000);
    crm.row.customer_name = "Riverbend Pharmaceuticals Inc.".into();
    let mut sheet = rec(2, "sheets", 1, Some("CM-1"), "P1", 125000);
    sheet.row.customer_name = "RIVERBEND PHARMACEUTICALS".into();
    sheet.row.close_date = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
    let mut grey = rec(3, "partner_files", 2, Some("D-7"), "P1", 118000);
    grey.row.customer_name = "Riverbend Pharma".into();
    grey.row.close_date = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
    let mut other = rec(4, "sheets", 1, Some("CM-2"), "P1", 9000);
    other.row.customer_name = "Eastgate Media".into();
    let records = [crm, sheet, grey, other];
    let r = resolve_with(records.iter().cloned().collect(), Some(&matcher()), &[]);
    assert_eq!(r.golden.len(), 3, "{:?}", r.decisions);
    let merged = r.golden.iter().find(|g| g.opportunity.opportunity_id == "crm:006A").unwrap();
    assert_eq!(merged.members.len(), 2);
    assert!(merged.ties.iter().any(|(_, t)| t.starts_with("match score")));
    assert!(r.decisions.iter().any(|d| d.decision == Decision::Review), "{:?}", r.decisions);
    assert!(r.comparisons >= 3);
}

#[test]
fn a_human_decision_beats_the_score() {
    let mut crm = rec(1, "crm", 0, Some("006A"), "P1", 125000);
    crm.row.customer_name = "Riverbend Pharmaceuticals".into();
    let mut sheet = rec(2, "sheets", 1, Some("CM-1"), "P1", 125000);
    sheet.row.customer_name = "Riverbend Pharmaceuticals".into();
    let split = [HumanDecision { left: "sheets:CM-1".into(), right: "crm:006A".into(), same: false }];
    let records = [crm.clone(), sheet.clone()];
    let r = resolve_with(records.iter().cloned().collect(), Some(&matcher()), &split);
    assert_eq!(r.golden.len(), 2);
    assert_eq!(r.decisions[0].decision, Decision::HumanSplit);
    let mut far = sheet;
    far.row.amount = rust_decimal::Decimal::from(1);
    let join = [HumanDecision { left: "crm:006A".into(), right: "sheets:CM-1".into(), same: true }];
    let records = [crm, far];
    let r = resolve_with(records.iter().cloned().collect(), Some(&matcher()), &join);
    assert_eq!(r.golden.len(), 1);
}

#[test]
fn scored_matching_never_joins_two_records_of_one_source() {
    let mut a = rec(1, "crm", 0, Some("A"), "P1", 100);
    a.row.customer_name = "Same Customer".into();
    let mut b = rec(2, "crm", 0, Some("B"), "P1", 100);
    b.row.customer_name = "Same Customer".into();
    let mut c = rec(3, "sheets", 1, Some("S"), "P1", 100);
    c.row.customer_name = "Same Customer".into();
    let records = [a, b, c];
    let r = resolve_with(records.iter().cloned().collect(), Some(&matcher()), &[]);
    assert_eq!(r.golden.len(), 2, "the sheet row joins one of the two CRM deals, never both");
}

#[test]
fn a_missing_crm_id_counts_against_a_match_where_the_source_usually_quotes_one() {
    // Two CRM deals; the sheet quotes the first's id, and has a row without an id that
    // looks like the second (same customer, amount and dates).
    let mut crm_a = rec(1, "crm", 0, Some("006A"), "P1", 50000);
    crm_a.row.customer_name = "Eastgate Media".into();
    let mut crm_b = rec(2, "crm", 0, Some("006B"), "P1", 125000);
    crm_b.row.customer_name = "Riverbend Pharmaceuticals".into();
    let mut quoting = rec(3, "sheets", 1, Some("CM-1"), "P1", 50000);
    quoting.row.customer_name = "Eastgate Media".into();
    quoting.row.crm_opportunity_id = Some("006A".into());
    let mut lone = rec(4, "sheets", 1, Some("CM-2"), "P1", 125000);
    lone.row.customer_name = "Riverbend Pharmaceuticals".into();
    let mut crm_c = rec(5, "crm", 0, Some("006C"), "P2", 7000);
    crm_c.row.customer_name = "Northwind Logistics".into();
    let mut quoting_c = rec(6, "sheets", 1, Some("CM-3"), "P2", 7000);
    quoting_c.row.crm_opportunity_id = Some("006C".into());
    let all = [crm_a.clone(), crm_b.clone(), quoting.clone(), lone.clone(), crm_c, quoting_c];
    let r = resolve_with(all.iter().cloned().collect(), Some(&matcher()), &[]);
    assert_eq!(r.golden.len(), 4, "the sheet usually quotes CRM ids: a row without one is not merged by score");
    let d = r.decisions.iter().find(|d| d.records == (2, 4) || d.records == (4, 2)).expect("compared");
    assert!(d.score.parts.iter().any(|(k, w)| *k == "unquoted_id" && *w < 0.0), "{}", d.score.describe());
    // Where the sheet quotes no ids at all, the same row merges.
    quoting.row.crm_opportunity_id = None;
    quoting.row.customer_name = "Northgate Media".into();
    let records = [crm_a, crm_b, quoting, lone];
    let r = resolve_with(records.iter().cloned().collect(), Some(&matcher()), &[]);
    assert!(r.golden.iter().any(|g| g.members.len() == 2 && g.members.iter().any(|(id, _)| *id == 4)), "{:?}", r.decisions);
}

#[test]
fn a_name_of_stop_words_still_blocks() {
    let mut crm = rec(1, "crm", 0, Some("006A"), "P1", 125000);
    crm.row.customer_name = "A & B".into();
    let mut sheet = rec(2, "sheets", 1, Some("CM-1"), "P1", 125000);
    sheet.row.customer_name = "A and B Inc".into();
    let records = [crm, sheet];
    let r = resolve_with(records.iter().cloned().collect(), Some(&matcher()), &[]);
    assert_eq!(r.comparisons, 1);
    assert_eq!(r.golden.len(), 1, "{:?}", r.decisions);
}

#[test]
fn the_matcher_finds_the_same_pairs_on_one_thread_or_several() {
    // Its clusters' setup, its entries' sort and its scan each split across the threads.
    // 600 CRM deals and 300 sheet rows over a few customers, partners and weeks: many
    // blocks, many pairs, duplicates and near-duplicates.
    let customers = ["Riverbend Pharmaceuticals", "Eastgate Media Group", "Northwind Logistics", "Contoso Health Systems"];
    let mut records = Vec::new();
    for i in 0..900i64 {
        let (source, rank, ext) = if i < 600 { ("crm", 0, format!("006{i}")) } else { ("sheets", 1, format!("CM-{i}")) };
        let mut r = rec(i + 1, source, rank, Some(&ext), &format!("P{}", i % 3), 10_000 + (i % 37) * 1_000);
        r.row.customer_name = customers[(i % 4) as usize].into();
        r.row.close_date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i % 90) as u64);
        records.push(r);
    }
    let run = |threads: usize| {
        let settings = MatchSettings { threads, ..matcher() };
        let r = resolve_with(records.iter().cloned().collect(), Some(&settings), &[]);
        let golden: Vec<Vec<i64>> = r.golden.iter().map(|g| g.members.iter().map(|(id, _)| *id).collect()).collect();
        let decisions: Vec<(i64, i64, String)> = r.decisions.iter().map(|d| (d.records.0, d.records.1, d.score.describe())).collect();
        (r.comparisons, golden, decisions)
    };
    let one = run(1);
    assert!(one.0 > 1_000, "the case compares many pairs: {}", one.0);
    assert_eq!(one, run(2));
    assert_eq!(one, run(5));
}

#[test]
fn golden_records_come_out_in_id_order_whatever_the_threads() {
    // Ids whose order differs from arrival and from record-group order, one source a
    // prefix of another ("crm" < "crm2" but "crm2:…" < "crm:…"), several thread parts.
    let mut records = Vec::new();
    for i in 0..50i64 {
        let (source, rank) = if i % 2 == 0 { ("crm", 0) } else { ("crm2", 1) };
        records.push(rec(i + 1, source, rank, Some(&format!("{:03}", (i * 37) % 50)), "P1", 100 + i));
    }
    // A second partner on five CRM records: golden records with two partner links.
    for k in 0..5i64 {
        records.push(rec(100 + k, "crm", 0, Some(&format!("{:03}", (2 * k * 37) % 50)), "P2", 100 + 2 * k));
    }
    for threads in [1, 2, 3, 7] {
        let r = resolve_with(records.iter().cloned().collect(), Some(&MatchSettings { threads, ..matcher() }), &[]);
        let ids: Vec<String> = r.golden.iter().map(|g| g.opportunity.opportunity_id.to_string()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "{threads} threads");
        assert_eq!(ids.len(), r.golden.len());
        // Built a part at a time, every part on `threads` cores: the same records, in
        // the same order, whatever the part size (a part of 1, parts that split
        // unevenly, one part).
        let whole: Vec<Golden> = r.golden.in_parts(usize::MAX).collect();
        assert_eq!(r.golden.partner_links(), whole.iter().map(|g| g.partners.len()).sum::<usize>());
        assert_eq!(r.golden.partner_links(), whole.len() + 5);
        for part in [1, 3, 7] {
            let in_parts: Vec<Golden> = r.golden.in_parts(part).collect();
            assert_eq!(in_parts.len(), whole.len());
            for (a, b) in in_parts.iter().zip(&whole) {
                assert_eq!((&a.opportunity, &a.partners, &a.members, &a.ties), (&b.opportunity, &b.partners, &b.members, &b.ties));
            }
        }
        assert!(ids.len() > 2 && ids.iter().any(|id| id.starts_with("crm2:")) && ids.iter().any(|id| id.starts_with("crm:")));
        assert!(
            ids.iter().position(|id| id.starts_with("crm2:")) < ids.iter().position(|id| id.starts_with("crm:")),
            "byte order of the ids"
        );
    }
}

#[test]
fn a_human_split_holds_even_through_a_third_record() {
    // The sheet row and the partner row each look like the CRM deal and like each other.
    let mut crm = rec(1, "crm", 0, Some("006A"), "P1", 125000);
    crm.row.customer_name = "Riverbend Pharmaceuticals".into();
    let mut sheet = rec(2, "sheets", 1, Some("CM-1"), "P1", 125000);
    sheet.row.customer_name = "Riverbend Pharmaceuticals".into();
    let mut partner = rec(3, "partner_files", 2, Some("D-7"), "P1", 125000);
    partner.row.customer_name = "Riverbend Pharmaceuticals".into();
    let records = [crm, sheet, partner];
    assert_eq!(resolve_with(records.iter().cloned().collect(), Some(&matcher()), &[]).golden.len(), 1, "without a person, all three merge");
    let split = [HumanDecision { left: "crm:006A".into(), right: "sheets:CM-1".into(), same: false }];
    let r = resolve_with(records.iter().cloned().collect(), Some(&matcher()), &split);
    let together = |a: i64, b: i64| r.golden.iter().any(|g| g.members.iter().any(|m| m.0 == a) && g.members.iter().any(|m| m.0 == b));
    assert!(!together(1, 2), "the person's split holds: {:?}", r.decisions);
    assert_eq!(r.golden.len(), 2, "the partner row still joins one of them");
    assert!(r.decisions.iter().any(|d| d.decision == Decision::KeptApart), "{:?}", r.decisions);
}

#[test]
fn drained_golden_records_are_the_built_ones_by_first_record_with_their_members_records() {
    // Versions, partner links and cross-source duplicates whose members are far apart in
    // arrival order, held in parts of 4 records and drained 3 golden records at a time:
    // a part freed too early would panic when a later golden record reads its member.
    let mut records = Vec::new();
    for i in 0..40i64 {
        records.push(rec(i + 1, "crm", 0, Some(&format!("{:03}", (i * 7) % 23)), if i % 5 == 0 { "P2" } else { "P1" }, 100 + i));
    }
    for i in 0..10i64 {
        // A partner file quoting CRM ids of early records, arriving last.
        let mut r = rec(100 + i, "partner", 1, None, "P1", 100 + i);
        r.row.crm_opportunity_id = Some(Text::from(format!("{:03}", (i * 7) % 23)));
        records.push(r);
    }
    let build = |threads: usize, shift: u32| {
        let mut held = Records::with_part_shift(shift);
        records.iter().cloned().for_each(|r| held.push(r));
        resolve_with(held, Some(&MatchSettings { threads, ..matcher() }), &[]).golden
    };
    for threads in [1, 2, 3] {
        let by_id: Vec<Golden> = build(threads, 2).iter().collect();
        let golden = build(threads, 2);
        let mut drained: Vec<Golden> = Vec::new();
        let mut firsts: Vec<i64> = Vec::new();
        let outcome: Result<usize, String> = golden.drain_in_parts(3, |g, members| {
            let ids: Vec<i64> = members.iter().map(|r| r.record_id).collect();
            assert_eq!(ids, g.members.iter().map(|(id, _)| *id).collect::<Vec<_>>(), "members' records in the order of the members");
            firsts.push(*ids.iter().min().unwrap());
            drained.push(g);
            Ok(())
        });
        // 50 records in parts of 4: some parts go before the last golden record does.
        assert!(matches!(outcome, Ok(freed) if freed > 0), "{outcome:?}");
        assert!(firsts.is_sorted(), "by first record: {firsts:?}");
        assert_eq!(drained.len(), by_id.len());
        drained.sort_by(|a, b| a.opportunity.opportunity_id.cmp(&b.opportunity.opportunity_id));
        for (a, b) in drained.iter().zip(&by_id) {
            assert_eq!((&a.opportunity, &a.partners, &a.members, &a.ties), (&b.opportunity, &b.partners, &b.members, &b.ties));
        }
        assert!(by_id.iter().any(|g| g.members.len() > 2), "some golden records span far-apart records");
    }
    // An error from the caller stops the drain.
    let mut seen = 0;
    let stopped: Result<usize, &str> = build(1, 2).drain_in_parts(3, |_, _| {
        seen += 1;
        if seen == 4 { Err("stop") } else { Ok(()) }
    });
    assert_eq!((stopped, seen), (Err("stop"), 4));
}

#[test]
fn records_free_whole_parts_before_a_record_and_keep_the_rest() {
    let mut held = Records::with_part_shift(2);
    (1..=10).for_each(|id| held.push(rec(id, "crm", 0, None, "P1", 1)));
    assert_eq!((held.len(), held[9].record_id), (10, 10));
    assert_eq!(held.free_before(7), 1);
    // Records 0..4 (part 0) go; part 1 (records 4..8) holds record 7, not before 7: it stays.
    assert_eq!(held.freed_parts(), 1);
    assert_eq!((held[4].record_id, held[6].record_id, held[9].record_id), (5, 7, 10));
    assert_eq!(held.free_before(10), 1, "a part freed before is not counted again");
    assert_eq!(held.freed_parts(), 2);
    assert_eq!(held[8].record_id, 9);
    assert!(std::panic::catch_unwind(|| held[0].record_id).is_err(), "a freed record is gone");
}

#[test]
fn entries_split_by_their_blocks_top_bit_keep_every_entry() {
    let entry = |block: u64, cluster: u32| Entry { block, day: 0, cluster, sources: 1 };
    for blocks in [vec![], vec![1 << 63], vec![5], vec![u64::MAX, 0, 1 << 63, 7, (1 << 63) - 1, 1 << 62, u64::MAX - 1]] {
        let mut entries: Vec<Entry> = blocks.iter().enumerate().map(|(i, &b)| entry(b, i as u32)).collect();
        let low = partition_by_top_bit(&mut entries);
        assert_eq!(low, blocks.iter().filter(|b| *b >> 63 == 0).count());
        assert!(entries[..low].iter().all(|e| e.block >> 63 == 0) && entries[low..].iter().all(|e| e.block >> 63 == 1));
        let mut kept: Vec<u32> = entries.iter().map(|e| e.cluster).collect();
        kept.sort_unstable();
        assert_eq!(kept, (0..blocks.len() as u32).collect::<Vec<_>>());
    }
}
