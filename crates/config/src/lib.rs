//! Loading a Watershed project: `watershed.toml` (strict: an unknown key is an error
//! naming the key, file and line, with a "did you mean") and the governed mapping
//! tables in `mappings/`.
//!
//! Loading validates everything it can without touching sources (no network, no
//! inbox reads) and reports every problem at once, not just the first.

mod error;
mod file;
mod mappings;

pub use error::{ConfigError, Problem};
pub use file::{
    AlertsConfig, Config, MetricsConfig, PartnerAssignment, ProgramConfig, QualityConfig, ResolveConfig, SourceConfig, SourceKind,
    StoreConfig, TierConfig, load_config, parse_config,
};
pub use mappings::{Correction, FxRate, Mappings, Product, StageMapping, load_mappings};

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The configuration file's name inside a project folder.
pub const CONFIG_FILE: &str = "watershed.toml";
/// The mapping tables' folder inside a project folder.
pub const MAPPINGS_DIR: &str = "mappings";

/// A loaded project: its folder, configuration and mapping tables.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project folder; relative paths in the configuration are relative to it.
    pub root: PathBuf,
    /// The parsed and validated `watershed.toml`.
    pub config: Config,
    /// The mapping tables.
    pub mappings: Mappings,
    /// SHA-256 over the configuration and mapping files: the governed dataset is a
    /// function of (raw records, this), so an unchanged fingerprint and no new input
    /// means a run has nothing to do.
    pub fingerprint: String,
}

impl Project {
    /// Loads `watershed.toml` and `mappings/` from `root`.
    pub fn load(root: &Path) -> Result<Project, ConfigError> {
        let config_path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config_path).map_err(|e| {
            ConfigError::single(
                &config_path,
                format!("cannot read the configuration: {e}"),
                Some("run `watershed init` to create a project, or pass -C DIR to point at one".into()),
            )
        })?;
        let config = parse_config(&text, &config_path)?;
        let (mappings, mapping_bytes) = load_mappings(&root.join(MAPPINGS_DIR))?;
        let mut hasher = Sha256::new();
        hasher.update(text.as_bytes());
        for (name, bytes) in &mapping_bytes {
            hasher.update(name.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        let fingerprint = format!("{:x}", hasher.finalize());
        Ok(Project { root: root.to_path_buf(), config, mappings, fingerprint })
    }
}
