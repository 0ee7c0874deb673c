//! Progress bars on stderr (hidden when stderr is not a terminal), and optional stage
//! timings for benchmarks: with `WATERSHED_STAGE_TIMINGS=1` in the environment, each
//! pipeline stage writes one line `watershed-stage: NAME MS ms` to stderr when it ends
//! (also under `--quiet`; `bench/run.sh` collects them), followed on Linux by a line
//! `watershed-memory: NAME RSS MB resident, peak so far PEAK MB` to show where memory goes.

use indicatif::{ProgressBar, ProgressStyle};
use watershed_pipeline::{Progress, StageClock};

/// Draws one bar per pipeline stage.
pub struct Bars {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// Times the stages when stage timings are on.
    clock: Option<StageClock>,
}

impl Bars {
    /// Bars unless `quiet`.
    pub fn new(quiet: bool) -> Self {
        let timings = std::env::var_os("WATERSHED_STAGE_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
        Bars { bar: None, quiet, clock: timings.then(StageClock::default) }
    }

    fn end_timing(&mut self) {
        if let Some((name, seconds)) = self.clock.as_mut().and_then(StageClock::stop) {
            eprintln!("watershed-stage: {name} {} ms", (seconds * 1000.0).round());
            if let Some((rss, peak)) = memory_mb() {
                eprintln!("watershed-memory: {name} {rss} MB resident, peak so far {peak} MB");
            }
        }
    }
}

impl Progress for Bars {
    fn stage(&mut self, name: &str, total: u64) {
        self.end_timing();
        if let Some(clock) = &mut self.clock {
            clock.start(name);
        }
        if self.quiet {
            return;
        }
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template("{prefix:>10} [{bar:40.cyan/blue}] {human_pos}/{human_len} {per_sec} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(name.to_string());
        self.bar = Some(bar);
    }

    fn advance(&mut self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn finish(&mut self) {
        self.end_timing();
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// Resident and peak resident memory of this process in MB (Linux: /proc/self/status).
fn memory_mb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = |key: &str| status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
    Some((kb("VmRSS:")? / 1024, kb("VmHWM:")? / 1024))
}
