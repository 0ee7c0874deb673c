//! One module per command (or family of commands).

pub mod bench;
pub mod demo;
pub mod explain;
pub mod init;
pub mod inspect;
pub mod kpis;
pub mod map;
pub mod publish;
pub mod review;
pub mod run;
pub mod status;

use crate::{Failure, OutputFormat};
use std::path::Path;
use watershed_config::Project;
use watershed_publish::Format;

/// Loads the project at `dir`; configuration problems are usage errors (exit 2).
pub fn load_project(dir: &Path) -> Result<Project, Failure> {
    Project::load(dir).map_err(|e| Failure::usage(anyhow::anyhow!("{e}")))
}

/// The publish crate's format for a CLI format.
pub fn publish_format(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Table => Format::Table,
        OutputFormat::Csv => Format::Csv,
        OutputFormat::Json => Format::Json,
    }
}
