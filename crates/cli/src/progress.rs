//! Progress bars on stderr (hidden when stderr is not a terminal), and optional stage
//! timings for benchmarks: with `WATERSHED_STAGE_TIMINGS=1` in the environment, each
//! pipeline stage writes one line `watershed-stage: NAME MS ms` to stderr when it ends
//! (also under `--quiet`; `bench/run.sh` collects them).

use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;
use watershed_pipeline::Progress;

/// Draws one bar per pipeline stage.
pub struct Bars {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// The running stage and when it started, when stage timings are on.
    timing: Option<(String, Instant)>,
    timings: bool,
}

impl Bars {
    /// Bars unless `quiet`.
    pub fn new(quiet: bool) -> Self {
        let timings = std::env::var_os("WATERSHED_STAGE_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
        Bars { bar: None, quiet, timing: None, timings }
    }

    fn end_timing(&mut self) {
        if let Some((name, started)) = self.timing.take() {
            eprintln!("watershed-stage: {name} {} ms", started.elapsed().as_millis());
        }
    }
}

impl Progress for Bars {
    fn stage(&mut self, name: &str, total: u64) {
        if self.timings {
            self.end_timing();
            self.timing = Some((name.to_string(), Instant::now()));
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
