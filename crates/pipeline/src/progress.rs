//! Progress reporting, so the CLI can draw bars without the pipeline knowing how.

/// Receives progress of the run's stages.
pub trait Progress {
    /// A stage starts with `total` units of work.
    fn stage(&mut self, name: &str, total: u64);
    /// `n` more units are done.
    fn advance(&mut self, n: u64);
    /// The stage is done.
    fn finish(&mut self) {}
}

/// Ignores progress (tests, `--quiet`, machine output).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&mut self, _name: &str, _total: u64) {}
    fn advance(&mut self, _n: u64) {}
}

/// How long each stage of a run took: benchmarks read it (`watershed bench`,
/// `WATERSHED_STAGE_TIMINGS=1`). As a [`Progress`] it times the stages it is told of.
#[derive(Debug, Default)]
pub struct StageClock {
    current: Option<(String, std::time::Instant)>,
    seconds: Vec<(String, f64)>,
}

impl StageClock {
    /// Starts timing `name`, ending the stage before it.
    pub fn start(&mut self, name: &str) {
        self.stop();
        self.current = Some((name.to_string(), std::time::Instant::now()));
    }

    /// Ends the running stage, if any; returns its name and seconds.
    pub fn stop(&mut self) -> Option<(String, f64)> {
        let (name, started) = self.current.take()?;
        let seconds = started.elapsed().as_secs_f64();
        self.seconds.push((name.clone(), seconds));
        Some((name, seconds))
    }

    /// Every ended stage with its seconds, in order.
    pub fn seconds(&self) -> &[(String, f64)] {
        &self.seconds
    }

    /// Seconds spent in stages named `stage`.
    pub fn of(&self, stage: &str) -> f64 {
        self.seconds.iter().filter(|(n, _)| n == stage).map(|(_, s)| s).sum()
    }
}

impl Progress for StageClock {
    fn stage(&mut self, name: &str, _total: u64) {
        self.start(name);
    }

    fn advance(&mut self, _n: u64) {}

    fn finish(&mut self) {
        self.stop();
    }
}
