//! End-to-end tests of the `watershed` binary, as a user runs it.

mod common;
mod contract;
mod example;
mod governance;
mod ingest;
mod metrics;
mod publish;
mod resolution;
mod store;
