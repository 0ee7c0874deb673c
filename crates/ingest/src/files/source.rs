use crate::{OfferedFile, Source, SourceError};
use std::path::Path;
use watershed_config::SourceConfig;

/// Offers every file matching the source's `path` glob, in path order (read later, by
/// [`crate::read_files`]). Files that resolve (through symlinks) outside the project
/// folder are refused.
#[derive(Debug, Clone)]
pub struct FilesSource {
    config: SourceConfig,
}

impl FilesSource {
    /// A files source for `config` (`kind = "files"`, validated at load time).
    pub fn new(config: SourceConfig) -> Self {
        Self { config }
    }

    /// Whether the file at `path` is one of this source's files in the project at
    /// `root` (its path glob matches), so a tool can read it the way a run would.
    pub fn matches(&self, root: &Path, path: &Path) -> bool {
        let (Ok(root), Ok(file)) = (root.canonicalize(), path.canonicalize()) else { return false };
        let Ok(relative) = file.strip_prefix(&root) else { return false };
        let Some(pattern) = self.config.path.as_deref() else { return false };
        glob::Pattern::new(pattern).is_ok_and(|p| p.matches_path(relative))
    }
}

impl Source for FilesSource {
    fn name(&self) -> &str {
        &self.config.name
    }

    fn offers(&self, root: &Path) -> Result<Vec<OfferedFile>, SourceError> {
        let pattern_text = self.config.path.clone().unwrap_or_default();
        let pattern = root.join(&pattern_text);
        let pattern_str = pattern.to_string_lossy();
        let paths = glob::glob(&pattern_str).map_err(|e| SourceError::Pattern {
            source_name: self.config.name.clone(),
            pattern: pattern_text.clone(),
            message: e.to_string(),
        })?;
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut files: Vec<_> = paths.filter_map(Result::ok).filter(|p| p.is_file()).collect();
        files.sort();
        let mut offered = Vec::with_capacity(files.len());
        for path in files {
            let read_err = |error| SourceError::Read { source_name: self.config.name.clone(), path: path.display().to_string(), error };
            let real = path.canonicalize().map_err(read_err)?;
            if !real.starts_with(&canonical_root) {
                continue;
            }
            let size = std::fs::metadata(&real).map_err(read_err)?.len();
            let locator = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            offered.push(OfferedFile { locator, path, size });
        }
        Ok(offered)
    }
}
