//! A file's content and hash, read once: a large file is read in parts on several
//! threads (the copy from the page cache into fresh memory is most of the time a run
//! spends before parsing), then hashed from the same buffer.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read};
#[cfg(unix)]
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The smallest file read in parts.
const PARALLEL_BYTES: u64 = 16 << 20;

/// A file's bytes and their SHA-256 (lower-case hex). What was read is what is
/// hashed: a file that changes while it is read is hashed as read, never half of one
/// version and half of another.
pub(crate) fn read_and_hash(path: &Path) -> io::Result<(Vec<u8>, String)> {
    let bytes = read_content(path)?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    Ok((bytes, sha256))
}

/// The content of `path`, at once (where positioned reads are not available).
#[cfg(not(unix))]
fn read_content(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// The content of `path`: in parts on all cores when it is large, else at once.
#[cfg(unix)]
fn read_content(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let Ok(len) = usize::try_from(size) else { return Err(io::Error::new(io::ErrorKind::OutOfMemory, "file too large")) };
    if size < PARALLEL_BYTES || threads < 2 {
        let mut bytes = Vec::with_capacity(len);
        file.read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    // Zeroed by the allocator (fresh pages, no pass of its own), then each part filled
    // by its thread.
    let mut bytes = vec![0u8; len];
    let part = len.div_ceil(threads);
    let filled: Vec<io::Result<usize>> = std::thread::scope(|scope| {
        let file = &file;
        let workers: Vec<_> = bytes
            .chunks_mut(part)
            .enumerate()
            .map(|(i, chunk)| scope.spawn(move || read_at_most(file, chunk, (i * part) as u64)))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err(io::Error::other("a file reader thread failed")))).collect()
    });
    // Each part full, and nothing past the size read at the start: else the file shrank
    // or grew while it was read, and is read again in one go, as it is now.
    let mut complete = true;
    for (i, got) in filled.into_iter().enumerate() {
        complete &= got? == part.min(len - i * part);
    }
    let mut more = [0u8; 1];
    if !complete || file.read_at(&mut more, size)? != 0 {
        let mut bytes = Vec::new();
        File::open(path)?.read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    Ok(bytes)
}

/// Fills `buf` from `offset` until it is full or the file ends; returns the bytes read.
#[cfg(unix)]
fn read_at_most(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_read_in_parts_is_its_exact_content() {
        let dir = std::env::temp_dir().join(format!("ws-content-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.csv");
        // Not a multiple of any part size, with a pattern that shows a misplaced part.
        let content: Vec<u8> = (0..(PARALLEL_BYTES as usize * 2 + 12_345)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let (bytes, sha) = read_and_hash(&path).unwrap();
        assert!(bytes == content, "content read in parts differs from the file");
        assert_eq!(sha, format!("{:x}", Sha256::digest(&content)));
        let small = dir.join("small.csv");
        std::fs::write(&small, b"a,b\n1,2\n").unwrap();
        let (bytes, sha) = read_and_hash(&small).unwrap();
        assert_eq!(bytes, b"a,b\n1,2\n");
        assert_eq!(sha, format!("{:x}", Sha256::digest(b"a,b\n1,2\n")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
