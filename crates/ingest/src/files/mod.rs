//! The `files` source: files matched by a glob below the project folder.

mod content;
mod source;

pub(crate) use content::read_and_hash;
pub use source::FilesSource;
