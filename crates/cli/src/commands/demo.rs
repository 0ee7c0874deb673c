//! `watershed demo`: the example program end to end, in one command.

use crate::Failure;
use crate::commands::kpis::{program_line, scorecard};
use crate::commands::{init, load_project, run};
use crate::progress::Bars;
use std::path::Path;
use watershed_model::Stage;

/// Scaffolds the example program if `dir` has none, runs it, and prints the program
/// scorecard for the latest complete quarter with won revenue.
pub fn demo(dir: &Path) -> Result<(), Failure> {
    if !dir.join("watershed.toml").exists() {
        init::init(dir.to_path_buf(), true, false)?;
    }
    let project = load_project(dir)?;
    let report = watershed_pipeline::run(&project, &mut Bars::new(false)).map_err(Failure::run)?;
    print!("{}", run::summary_text(&report));
    let store = watershed_pipeline::open_store(&project).map_err(Failure::run)?;
    let data = store.dataset().map_err(Failure::run)?;
    let calendar = project.config.program.calendar();
    let today = chrono::Local::now().date_naive();
    let last_won = data
        .opportunities
        .iter()
        .filter(|o| o.stage == Stage::ClosedWon && o.close_date <= today)
        .map(|o| o.close_date)
        .max()
        .unwrap_or(today);
    let mut period = calendar.period_of(last_won);
    if calendar.end(period) >= today {
        period = period.prev();
    }
    let as_of = calendar.end(period);
    let card = scorecard(&project, &data, period, as_of);
    println!();
    println!(
        "{} — program scorecard {period} (as of {as_of}), amounts in {}",
        project.config.program.name, project.config.program.reporting_currency
    );
    print!(
        "{}",
        watershed_publish::render_metrics(&card.rows, &data.partners, &card.peers, &card.tiers, watershed_publish::Format::Table)
            .map_err(Failure::run)?
    );
    println!("{}", program_line(&data, &calendar, period));
    println!();
    let d = dir.display();
    println!("Next: watershed -C {d} kpis --period {period} --partner P001   ·   watershed -C {d} alerts --period {period}");
    println!(
        "      watershed -C {d} quarantine list   ·   watershed -C {d} map suggest   ·   watershed -C {d} explain --partner P001 --metric revenue --period {period}"
    );
    Ok(())
}
