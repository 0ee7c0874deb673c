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
