//! The `files` source: files matched by a glob below the project folder.

mod content;
mod source;

pub use source::FilesSource;
