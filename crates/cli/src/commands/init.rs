//! `watershed init` and `watershed generate`.

use crate::Failure;
use anyhow::Context;
use std::path::Path;
use watershed_generate::{GenerateOptions, generate as generate_program};

const TEMPLATE_TOML: &str = r#"# Watershed configuration. Every key is documented in the README; an unknown key is an error.

[program]
name = "My Partner Program"
reporting_currency = "USD"      # every amount is converted to this currency at the close month's rate
fiscal_year_start_month = 1     # 1..12; a fiscal year is named by the calendar year it ends in

[store]
url = "sqlite://watershed.db"   # the embedded store

# One [[sources]] per feed. `path` is a glob below this folder.
[[sources]]
name = "crm"
kind = "files"
path = "inbox/crm/*.csv"
entity = "opportunities"        # opportunities, targets, deal_registrations, trainings, …
partner = "from_column"         # or a fixed partner id for a partner's own drop folder

  # Headers that are not detected automatically:
  # [sources.columns]
  # "Deal Value (EUR)" = "amount"

[resolve]
precedence = ["crm"]            # survivorship: most trusted source first
"#;

const TEMPLATE_TABLES: &[(&str, &str)] = &[
    (
        "partners.csv",
        "partner_id,name,tier,segment,region,partner_type,partner_manager,account_manager,start_date,contract_end_date,status\n",
    ),
    ("partner_aliases.csv", "alias,partner_id\n"),
    ("products.csv", "product_id,name,family\n"),
    ("product_aliases.csv", "alias,product_id\n"),
    ("regions.csv", "alias,region\n"),
    ("stages.csv", "source,raw_stage,stage\n"),
    ("fx_rates.csv", "currency,month,rate\n"),
];

/// Creates a project folder, empty or with the example program.
pub fn init(dir: std::path::PathBuf, example: bool, force: bool) -> Result<(), Failure> {
    if dir.join("watershed.toml").exists() && !force {
        return Err(Failure::usage(anyhow::anyhow!("{} already holds a watershed.toml; pass --force to overwrite it", dir.display())));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if example {
        let summary = generate_program(&dir, &GenerateOptions::example()).map_err(|e| Failure::run(anyhow::anyhow!("{e}")))?;
        println!(
            "Wrote the example program to {}: {} partners, {} deals in {} source rows ({} bad rows to find in quarantine).",
            dir.display(),
            summary.partners,
            summary.deals,
            summary.source_rows,
            summary.bad_rows
        );
        println!("Next: watershed -C {} run", dir.display());
        return Ok(());
    }
    let write = |path: &Path, text: &str| std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()));
    write(&dir.join("watershed.toml"), TEMPLATE_TOML)?;
    std::fs::create_dir_all(dir.join("mappings")).context("cannot create mappings/")?;
    for (name, header) in TEMPLATE_TABLES {
        let path = dir.join("mappings").join(name);
        if !path.exists() {
            write(&path, header)?;
        }
    }
    std::fs::create_dir_all(dir.join("inbox/crm")).context("cannot create inbox/")?;
    println!("Created a Watershed project in {}.", dir.display());
    println!("Fill mappings/partners.csv, drop CSV exports into inbox/crm/, then: watershed -C {} run", dir.display());
    Ok(())
}

/// Generates a program of any size with its ground truth.
pub fn generate(dir: &Path, options: &GenerateOptions) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let summary = generate_program(dir, options).map_err(|e| Failure::run(anyhow::anyhow!("{e}")))?;
    println!(
        "Generated {} deals for {} partners ({} source rows, {} bad rows) in {} in {:.1} s.",
        summary.deals,
        summary.partners,
        summary.source_rows,
        summary.bad_rows,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
