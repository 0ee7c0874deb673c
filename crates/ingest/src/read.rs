//! From a file to inputs: the format is recognized from the content (zip, gzip, OLE
//! signatures, JSON's first character) and the extension; containers are opened, and
//! every workbook sheet and archive member becomes its own input with its own locator
//! (`inbox/x.xlsx#Sheet1`, `inbox/a.zip!deals.csv`).
//!
//! A file that cannot be read becomes one input holding a single error record, so it
//! is quarantined as a whole and the run says why. Nothing here panics on any input;
//! decompression is bounded by [`Limits`].

use crate::decode::looks_like_text;
use crate::json::{parse_json, parse_ndjson};
use crate::parse::{ParsedInput, parse_delimited};
use crate::sheet::{Book, read_workbook};
use crate::{InputFile, OfferedFile};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};
use std::sync::{Mutex, PoisonError};

/// Bounds that keep a hostile or broken file from exhausting memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest decompressed size of one archive member or gzip stream, in bytes.
    pub max_member_bytes: u64,
    /// Largest total decompressed size of one file's archive members, in bytes.
    pub max_total_bytes: u64,
    /// How deep containers may nest (a zip in a zip counts two).
    pub max_depth: u32,
    /// Most members read from one archive.
    pub max_members: usize,
    /// Most non-empty cells read from one sheet (the dense grid may hold twice as many).
    pub max_sheet_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_member_bytes: 1 << 30, max_total_bytes: 4 << 30, max_depth: 3, max_members: 10_000, max_sheet_cells: 25_000_000 }
    }
}

/// How a source wants its files read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The configured delimiter of delimited text (detected when `None`).
    pub delimiter: Option<u8>,
    /// The workbook sheets to read (every visible sheet when `None`).
    pub sheets: Option<Vec<String>>,
    /// Resource bounds.
    pub limits: Limits,
}

/// One input: a table from a file, a workbook sheet or an archive member.
#[derive(Debug, Clone)]
pub struct Input {
    /// Where it came from: the file's locator, plus `#sheet` or `!member`.
    pub locator: String,
    /// Its key in the raw layer: the file's SHA-256 for the file's first input, and a
    /// hash of (file SHA-256, locator) for every further one, so that a known file is
    /// recognized by its own hash before it is read again.
    pub key: String,
    /// Size of the file it came from, in bytes.
    pub size: u64,
    /// What was read.
    pub parsed: ParsedInput,
}

/// Reads a file into its inputs (at least one).
pub fn read_file(file: &InputFile, options: &ReadOptions) -> Vec<Input> {
    let tables = read_bytes(&file.locator, &file.bytes, options);
    tables
        .into_iter()
        .enumerate()
        .map(|(i, (locator, parsed))| {
            let key = if i == 0 { file.sha256.clone() } else { format!("{:x}", Sha256::digest(format!("{}\n{locator}", file.sha256))) };
            Input { locator, key, size: file.size, parsed }
        })
        .collect()
}

/// What reading one offered file gave.
#[derive(Debug)]
pub enum FileRead {
    /// Its content is one the raw layer holds already (the caller's `is_known` said so):
    /// hashed, not parsed.
    Known {
        /// The content's SHA-256.
        sha256: String,
    },
    /// Read, hashed and parsed into its inputs (at least one).
    New {
        /// The content's SHA-256.
        sha256: String,
        /// The inputs, as [`read_file`] reads them.
        inputs: Vec<Input>,
    },
    /// The file could not be read.
    Failed(std::io::Error),
}

/// Reads, hashes and parses several files, on all cores: the large ones one at a time
/// (each read in parts on every core), then the others side by side, largest first. A
/// file is read only when its turn comes and its content freed once parsed, so the
/// contents of the files and the rows parsed from them are not all in memory at once.
/// `is_known(index, sha256)` says whether the raw layer holds file `index`'s content:
/// such a file is not parsed. The result is in the order of `files`.
pub fn read_files(files: Vec<(OfferedFile, &ReadOptions)>, is_known: impl Fn(usize, &str) -> bool + Sync) -> Vec<FileRead> {
    read_files_alone_from(files, is_known, ALONE_BYTES)
}

/// [`read_files`], reading files of `alone_bytes` or more one at a time.
fn read_files_alone_from(
    files: Vec<(OfferedFile, &ReadOptions)>,
    is_known: impl Fn(usize, &str) -> bool + Sync,
    alone_bytes: u64,
) -> Vec<FileRead> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].0.size));
    let read = |i: usize| {
        let (offered, options) = &files[i];
        match offered.read() {
            Err(e) => FileRead::Failed(e),
            Ok(file) if is_known(i, &file.sha256) => FileRead::Known { sha256: file.sha256 },
            // The content is dropped here, once parsed.
            Ok(file) => FileRead::New { inputs: read_file(&file, options), sha256: file.sha256 },
        }
    };
    // Large files one at a time, each read in parts on every core: their content and
    // rows are then never in memory next to another file's being read.
    let (alone, rest) = order.split_at(order.iter().take_while(|&&i| files[i].0.size >= alone_bytes).count());
    let mut outcomes: Vec<(usize, FileRead)> = alone.iter().map(|&i| (i, read(i))).collect();
    outcomes.extend(rest.iter().copied().zip(on_all_cores(rest, read)));
    outcomes.sort_unstable_by_key(|(i, _)| *i);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// Files at least this large are read alone (see [`read_files`]): at 1M opportunities the
/// CRM export (296 MB) alone, which lowered the read stage's peak from 1.20 to 1.04 GB.
const ALONE_BYTES: u64 = 64 << 20;

/// `work(i)` for every item `i` of `items`, taken in that order by one worker per core;
/// the results come back in the order of `items`. An item whose worker panicked (a bug)
/// is done again on the calling thread; the items that worker finished before are kept.
pub(crate) fn on_all_cores<T: Send>(items: &[usize], work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    on_threads(std::thread::available_parallelism().map_or(1, usize::from), items, work)
}

/// [`on_all_cores`] with `threads` workers.
fn on_threads<T: Send>(threads: usize, items: &[usize], work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(|&i| work(i)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out: Vec<Mutex<Option<T>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&i) = items.get(k) else { break };
                        let result = work(i);
                        *out[k].lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
                    }
                })
            })
            .collect();
        // Joined here, so that a worker's panic is not the scope's: its item is redone below.
        for worker in workers {
            let _ = worker.join();
        }
    });
    out.into_iter()
        .zip(items)
        .map(|(result, &i)| result.into_inner().unwrap_or_else(PoisonError::into_inner).unwrap_or_else(|| work(i)))
        .collect()
}

/// Reads `bytes` (named by `locator`) into `(locator, input)` pairs: one for a text
/// file, one per sheet of a workbook, one per member of an archive. Never empty.
pub fn read_bytes(locator: &str, bytes: &[u8], options: &ReadOptions) -> Vec<(String, ParsedInput)> {
    let mut budget = options.limits.max_total_bytes;
    let mut out = read_nested(locator, locator, bytes, options, 0, &mut budget);
    if out.is_empty() {
        out.push((locator.to_string(), ParsedInput::empty(crate::parse::Format::Delimited, "UTF-8")));
    }
    out
}

/// What a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Delimited,
    Json,
    Ndjson,
    Book(Book),
    Zip,
    Gzip,
    Unknown,
}

/// The lower-case extension of a name (`csv` of `a.b.CSV`), without a `.gz`.
fn extension(name: &str) -> String {
    let base = name.rsplit(['/', '\\', '!', '#']).next().unwrap_or(name).to_ascii_lowercase();
    base.trim_start_matches('.').rsplit_once('.').map(|(_, ext)| ext.to_string()).unwrap_or_default()
}

/// Recognizes the format from the first bytes, then from the name.
fn kind_of(name: &str, bytes: &[u8]) -> Kind {
    let ext = extension(name);
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes);
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Kind::Gzip;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Kind::Book(Book::Xls);
    }
    match ext.as_str() {
        "json" => return Kind::Json,
        "ndjson" | "jsonl" => return Kind::Ndjson,
        "csv" | "tsv" | "txt" | "tab" | "psv" | "dat" | "prn" => return Kind::Delimited,
        _ => {}
    }
    if !looks_like_text(bytes) {
        return Kind::Unknown;
    }
    let decoded = crate::decode::decode(&bytes[..bytes.len().min(4096)]);
    match decoded.text.trim_start().bytes().next() {
        Some(b'{' | b'[') => Kind::Json,
        _ if ["xlsx", "xlsm", "xls", "xlsb", "ods", "zip", "gz", "pdf", "docx", "png", "jpg"].contains(&ext.as_str()) => Kind::Unknown,
        _ => Kind::Delimited,
    }
}

/// An archive, or an Office/OpenDocument file (which are zip archives too).
fn zip_kind(bytes: &[u8]) -> Kind {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Kind::Zip };
    let names: Vec<String> = archive.file_names_raw().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
    if names.iter().any(|n| n == "xl/workbook.xml") {
        return Kind::Book(Book::Xlsx);
    }
    if names.iter().any(|n| n == "xl/workbook.bin") {
        return Kind::Book(Book::Xlsb);
    }
    if let Ok(mut mimetype) = archive.by_name("mimetype") {
        let mut text = String::new();
        if mimetype.by_ref().take(256).read_to_string(&mut text).is_ok() && text.trim() == "application/vnd.oasis.opendocument.spreadsheet"
        {
            return Kind::Book(Book::Ods);
        }
    }
    Kind::Zip
}

fn read_nested(locator: &str, name: &str, bytes: &[u8], options: &ReadOptions, depth: u32, budget: &mut u64) -> Vec<(String, ParsedInput)> {
    let one = |p: ParsedInput| vec![(locator.to_string(), p)];
    match kind_of(name, bytes) {
        Kind::Delimited => one(parse_delimited(bytes, options.delimiter)),
        Kind::Json => one(parse_json(bytes)),
        Kind::Ndjson => one(parse_ndjson(bytes)),
        Kind::Book(book) => read_workbook(locator, bytes, book, options),
        Kind::Unknown => one(ParsedInput::unreadable(unknown_message(name, bytes))),
        Kind::Gzip if depth >= options.limits.max_depth => one(ParsedInput::unreadable(too_deep(options))),
        Kind::Zip if depth >= options.limits.max_depth => one(ParsedInput::unreadable(too_deep(options))),
        Kind::Gzip => {
            let limit = options.limits.max_member_bytes.min(*budget);
            let mut inner = Vec::new();
            let mut decoder = flate2::read::MultiGzDecoder::new(bytes).take(limit.saturating_add(1));
            if let Err(e) = decoder.read_to_end(&mut inner) {
                return one(ParsedInput::unreadable(format!("the gzip stream is damaged: {e}; compress the file again")));
            }
            if inner.len() as u64 > limit {
                return one(ParsedInput::unreadable(format!(
                    "the gzip stream expands to more than {limit} bytes; send the file uncompressed or split it"
                )));
            }
            *budget = budget.saturating_sub(inner.len() as u64);
            let inner_name = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".GZ")).unwrap_or(name);
            read_nested(locator, inner_name, &inner, options, depth + 1, budget)
        }
        Kind::Zip => read_zip(locator, bytes, options, depth, budget),
    }
}

fn too_deep(options: &ReadOptions) -> String {
    format!("archives are nested more than {} deep; unpack the file and send its contents", options.limits.max_depth)
}

/// Why a file of an unknown kind cannot be read, and what to send instead.
fn unknown_message(name: &str, bytes: &[u8]) -> String {
    let ext = extension(name);
    let what = if bytes.len() > 262 && &bytes[257..262] == b"ustar" {
        "a tar archive".to_string()
    } else if bytes.starts_with(b"%PDF") {
        "a PDF document".to_string()
    } else if ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&ext.as_str()) {
        format!("a file named `.{ext}` that is not a workbook (renamed, truncated, or an HTML export)")
    } else if ext.is_empty() {
        "a binary file of unknown type".to_string()
    } else {
        format!("a `.{ext}` file")
    };
    format!(
        "cannot read {what}; Watershed reads CSV/TSV and other delimited text, XLSX, XLS, XLSB, ODS, JSON, NDJSON, and .zip/.gz holding them: export the data as one of these, or narrow the source's path glob"
    )
}

/// Files inside an archive that are not data (macOS resource forks, folder metadata).
fn is_metadata(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    name.starts_with("__MACOSX/") || base.starts_with("._") || base == ".DS_Store" || base == "Thumbs.db" || base == "desktop.ini"
}

fn read_zip(locator: &str, bytes: &[u8], options: &ReadOptions, depth: u32, budget: &mut u64) -> Vec<(String, ParsedInput)> {
    let one = |p: ParsedInput| vec![(locator.to_string(), p)];
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => return one(ParsedInput::unreadable(format!("the zip archive is damaged: {e}; compress the files again"))),
    };
    let mut out: Vec<(String, ParsedInput)> = Vec::new();
    let mut skipped_metadata = 0;
    for index in 0..archive.len() {
        if out.len() >= options.limits.max_members {
            if let Some((_, first)) = out.first_mut() {
                first.warnings.push(format!("the archive has more than {} members; the rest were not read", options.limits.max_members));
            }
            break;
        }
        let mut member = match archive.by_index(index) {
            Ok(m) => m,
            Err(e) => {
                out.push((
                    format!("{locator}!#{index}"),
                    ParsedInput::unreadable(format!(
                        "member {index} of the archive cannot be read: {e}; a password-protected archive is not supported"
                    )),
                ));
                continue;
            }
        };
        let member_name = String::from_utf8_lossy(member.name_raw()).into_owned();
        if member.is_dir() {
            continue;
        }
        if is_metadata(&member_name) {
            skipped_metadata += 1;
            continue;
        }
        let member_locator = format!("{locator}!{member_name}");
        let limit = options.limits.max_member_bytes.min(*budget);
        if member.size() > limit {
            out.push((
                member_locator,
                ParsedInput::unreadable(format!(
                    "`{member_name}` expands to {} bytes, more than the limit of {limit}; send it uncompressed or split it",
                    member.size()
                )),
            ));
            continue;
        }
        let mut inner = Vec::new();
        if let Err(e) = member.by_ref().take(limit.saturating_add(1)).read_to_end(&mut inner) {
            out.push((
                member_locator,
                ParsedInput::unreadable(format!("`{member_name}` cannot be decompressed: {e}; compress the files again")),
            ));
            continue;
        }
        if inner.len() as u64 > limit {
            out.push((
                member_locator,
                ParsedInput::unreadable(format!("`{member_name}` expands to more than {limit} bytes; send it uncompressed or split it")),
            ));
            continue;
        }
        *budget = budget.saturating_sub(inner.len() as u64);
        drop(member);
        out.extend(read_nested(&member_locator, &member_name, &inner, options, depth + 1, budget));
    }
    if out.is_empty() {
        let mut p = ParsedInput::empty(crate::parse::Format::Delimited, "UTF-8");
        p.warnings.push("the archive holds no data file".into());
        out.push((locator.to_string(), p));
    } else if skipped_metadata > 0
        && let Some((_, first)) = out.first_mut()
    {
        first.notes.push(format!("{skipped_metadata} metadata member(s) of the archive (__MACOSX, .DS_Store, …) not read"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Format;
    use std::io::Write;

    #[test]
    fn files_read_alone_or_side_by_side_come_back_in_their_order_as_read_one_by_one() {
        let dir = std::env::temp_dir().join(format!("ws-read-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, rows: usize| {
            let text: String = std::iter::once("id,amount\n".to_string()).chain((0..rows).map(|i| format!("{name}{i},{i}\n"))).collect();
            let path = dir.join(format!("{name}.csv"));
            std::fs::write(&path, &text).unwrap();
            OfferedFile { locator: format!("{name}.csv"), path, size: text.len() as u64 }
        };
        let options = ReadOptions::default();
        let mut made = vec![file("a", 3), file("big", 400), file("c", 1), file("large", 200), file("e", 0), file("known", 5)];
        // A file listed but gone when its turn comes.
        made.push(OfferedFile { locator: "gone.csv".into(), path: dir.join("gone.csv"), size: 10 });
        let known_sha = made[5].read().unwrap().sha256;
        let one_by_one: Vec<Vec<(String, usize)>> = made[..5]
            .iter()
            .map(|f| read_file(&f.read().unwrap(), &options).into_iter().map(|i| (i.locator, i.parsed.rows.len())).collect())
            .collect();
        // Everything alone, the two largest alone, none alone.
        for alone_bytes in [0, 1_000, u64::MAX] {
            let files: Vec<(OfferedFile, &ReadOptions)> = made.iter().cloned().map(|f| (f, &options)).collect();
            let read = read_files_alone_from(files, |_, sha| sha == known_sha, alone_bytes);
            assert_eq!(read.len(), made.len());
            for (i, outcome) in read.into_iter().enumerate() {
                match (i, outcome) {
                    (0..=4, FileRead::New { sha256, inputs }) => {
                        assert_eq!(sha256, made[i].read().unwrap().sha256);
                        let got: Vec<(String, usize)> = inputs.into_iter().map(|i| (i.locator, i.parsed.rows.len())).collect();
                        assert_eq!(got, one_by_one[i], "file {i}, alone from {alone_bytes} bytes");
                    }
                    (5, FileRead::Known { sha256 }) => assert_eq!(sha256, known_sha),
                    (6, FileRead::Failed(e)) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
                    (i, other) => panic!("file {i}: {other:?}"),
                }
            }
        }
        assert_eq!(one_by_one[1], vec![("big.csv".to_string(), 400)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_panicking_item_is_done_again_and_its_workers_other_items_are_kept() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let calls: Vec<AtomicUsize> = (0..40).map(|_| AtomicUsize::new(0)).collect();
        let panicked = AtomicBool::new(false);
        let order: Vec<usize> = (0..40).rev().collect();
        let out = on_threads(2, &order, |i| {
            calls[i].fetch_add(1, Ordering::Relaxed);
            if i == 7 && !panicked.swap(true, Ordering::Relaxed) {
                panic!("a bug in item 7");
            }
            i * 10
        });
        assert_eq!(out, order.iter().map(|i| i * 10).collect::<Vec<_>>(), "each item's result, in the order of the items");
        let counts: Vec<usize> = calls.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        assert_eq!(counts[7], 2, "the item whose worker panicked is done again");
        assert!(counts.iter().enumerate().all(|(i, n)| i == 7 || *n == 1), "no other item is done twice: {counts:?}");
    }

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in members {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn gzip_of(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn extensions() {
        for (name, ext) in
            [("a.csv", "csv"), ("inbox/A.TSV", "tsv"), ("x.tar.gz", "gz"), ("noext", ""), ("a.zip!b.json", "json"), (".hidden", "")]
        {
            assert_eq!(extension(name), ext, "{name}");
        }
    }

    #[test]
    fn formats_are_recognized_by_content_and_name() {
        let cases: Vec<(&str, Vec<u8>, Kind)> = vec![
            ("a.csv", b"a,b\n".to_vec(), Kind::Delimited),
            ("a.json", b"[]".to_vec(), Kind::Json),
            ("a.jsonl", b"{}".to_vec(), Kind::Ndjson),
            ("export", b"[{\"a\":1}]".to_vec(), Kind::Json),
            ("export", b"a;b\n".to_vec(), Kind::Delimited),
            ("a.csv.gz", gzip_of(b"a,b\n"), Kind::Gzip),
            ("a.zip", zip_of(&[("a.csv", b"a,b\n")]), Kind::Zip),
            ("a.xls", vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0], Kind::Book(Book::Xls)),
            ("a.pdf", b"%PDF-1.4\x00\x01".to_vec(), Kind::Unknown),
            ("a.xlsx", b"<html><table>".to_vec(), Kind::Unknown),
        ];
        for (name, bytes, kind) in cases {
            assert_eq!(kind_of(name, &bytes), kind, "{name}");
        }
    }

    #[test]
    fn containers_become_one_input_per_member() {
        let inner =
            zip_of(&[("deals.csv", b"Partner,Amount\nA,1\n"), ("__MACOSX/._deals.csv", b"junk"), ("sub/more.ndjson", b"{\"a\":1}\n")]);
        let outer = zip_of(&[("inner.zip", &inner), ("notes.pdf", b"%PDF-1.4\x00")]);
        let got = read_bytes("inbox/a.zip", &outer, &ReadOptions::default());
        let locators: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(locators, vec!["inbox/a.zip!inner.zip!deals.csv", "inbox/a.zip!inner.zip!sub/more.ndjson", "inbox/a.zip!notes.pdf"]);
        assert_eq!(got[0].1.rows.len(), 1);
        assert_eq!(got[1].1.format, Format::Ndjson);
        assert_eq!(got[2].1.format, Format::Unreadable);
        assert!(got[2].1.errors[0].message.contains("PDF"), "{}", got[2].1.errors[0].message);
        let got = read_bytes("inbox/d.csv.gz", &gzip_of(b"Partner;Amount\nA;1\n"), &ReadOptions::default());
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].0.as_str(), got[0].1.delimiter), ("inbox/d.csv.gz", Some(b';')));
    }

    #[test]
    fn bombs_and_deep_nesting_are_refused() {
        let big = gzip_of(&vec![b'a'; 100_000]);
        let limits = Limits { max_member_bytes: 1000, ..Limits::default() };
        let got = read_bytes("x.csv.gz", &big, &ReadOptions { limits, ..ReadOptions::default() });
        assert!(got[0].1.errors[0].message.contains("more than 1000 bytes"));
        let mut nested = b"a,b\n".to_vec();
        for _ in 0..5 {
            nested = gzip_of(&nested);
        }
        let got = read_bytes("x.gz", &nested, &ReadOptions::default());
        assert!(got[0].1.errors[0].message.contains("nested"), "{:?}", got[0].1.errors);
        let got = read_bytes("x.zip", b"PK\x03\x04garbage", &ReadOptions::default());
        assert_eq!(got[0].1.format, Format::Unreadable);
    }

    #[test]
    fn keys_of_several_inputs_of_one_file() {
        let bytes = zip_of(&[("a.csv", b"x\n1\n"), ("b.csv", b"y\n2\n")]);
        let file = InputFile { locator: "inbox/z.zip".into(), sha256: "abc".into(), size: bytes.len() as u64, bytes };
        let inputs = read_file(&file, &ReadOptions::default());
        assert_eq!(inputs[0].key, "abc");
        assert_eq!(inputs[1].key.len(), 64);
        assert_ne!(inputs[1].key, inputs[0].key);
    }
}
