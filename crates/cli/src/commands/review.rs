//! `watershed review`: the grey-zone pairs of the scored matching, and people's
//! decisions on them (which persist across runs and beat the score).

use crate::commands::load_project;
use crate::{Failure, OutputFormat};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use std::path::Path;
use watershed_store::{AuditEntry, Store};

fn describe(store: &Store, record: i64) -> Result<String, Failure> {
    Ok(match store.record(record).map_err(Failure::run)? {
        Some((source, file, line, headers, cells)) => {
            let shown: Vec<String> =
                headers.iter().zip(&cells).filter(|(_, v)| !v.trim().is_empty()).take(8).map(|(h, v)| format!("{h}={v}")).collect();
            format!("{source} {file}:{line}\n{}", shown.join(" · "))
        }
        None => format!("record {record}"),
    })
}

/// `watershed review list`.
pub fn list(dir: &Path, all: bool, format: OutputFormat) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let decisions: Vec<_> = store.match_decisions().map_err(Failure::run)?.into_iter().filter(|d| all || d.6 == "review").collect();
    if format == OutputFormat::Json {
        let place = |record: i64| -> Result<serde_json::Value, Failure> {
            Ok(match store.record(record).map_err(Failure::run)? {
                Some((source, file, line, _, _)) => serde_json::json!({"record": record, "source": source, "file": file, "line": line}),
                None => serde_json::json!({"record": record}),
            })
        };
        let mut out: Vec<serde_json::Value> = Vec::with_capacity(decisions.len());
        for (l, r, lr, rr, score, parts, decision) in &decisions {
            out.push(serde_json::json!({"left": l, "right": r, "left_record": lr, "right_record": rr,
                "left_row": place(*lr)?, "right_row": place(*rr)?, "score": score, "parts": parts, "decision": decision}));
        }
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_header(vec!["#", "left", "right", "score (parts)", "decision"]);
    for (i, (l, r, lr, rr, _, parts, decision)) in decisions.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            format!("{l}\n{}", describe(&store, *lr)?),
            format!("{r}\n{}", describe(&store, *rr)?),
            parts.clone(),
            decision.clone(),
        ]);
    }
    println!("{t}");
    println!(
        "{} pairs. Decide: watershed review accept LEFT RIGHT (the same deal) · watershed review reject LEFT RIGHT (different deals); then watershed run.",
        decisions.len()
    );
    Ok(())
}

/// `watershed review accept|reject LEFT RIGHT`.
pub fn decide(dir: &Path, left: &str, right: &str, same: bool) -> Result<(), Failure> {
    let project = load_project(dir)?;
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let known =
        store.match_decisions().map_err(Failure::run)?.iter().any(|d| (d.0 == left && d.1 == right) || (d.0 == right && d.1 == left));
    if !known {
        return Err(Failure::usage(anyhow::anyhow!("`{left}` / `{right}` is not a compared pair; see `watershed review list`")));
    }
    let at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let actor = watershed_pipeline::actor();
    store.set_review_decision(left, right, same, &actor, &at).map_err(Failure::run)?;
    store
        .audit(&AuditEntry {
            at,
            actor,
            action: if same { "review accept" } else { "review reject" }.into(),
            object: format!("{left} / {right}"),
            old_value: None,
            new_value: Some(if same { "same deal" } else { "different deals" }.into()),
        })
        .map_err(Failure::run)?;
    println!(
        "Recorded: {left} and {right} are {}. It applies from the next `watershed run` on, in every run.",
        if same { "the same deal" } else { "different deals" }
    );
    Ok(())
}
