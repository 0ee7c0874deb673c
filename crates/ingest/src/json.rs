//! JSON and NDJSON inputs: an array of records, an object holding one (a Salesforce
//! REST query response's `records`, or `data`, `items`, `rows`, `results`, `value`),
//! or one record per line.
//!
//! A record becomes a row: nested objects flatten to dotted columns
//! (`Account.Name`), Salesforce `attributes` are left out, arrays and child
//! relationships (`{"totalSize", "records"}`) stay one cell of compact JSON, numbers
//! keep their exact text. Columns are every key, in order of first appearance. The
//! line of a row is the line its record starts on.

use crate::decode::decode;
use crate::parse::{Format, ParsedInput, RawRow, RowError, SkippedLine, shorten};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::fmt;

/// A JSON object with its values still raw, in document order.
struct RawObject<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = RawObject<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                    fields.push((key, value));
                }
                Ok(RawObject(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

impl<'a> RawObject<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// The first significant character of a raw JSON value.
fn kind(raw: &RawValue) -> u8 {
    raw.get().bytes().find(|b| !b.is_ascii_whitespace()).unwrap_or(b'n')
}

/// Builds rows from records, collecting columns in order of first appearance.
struct Table {
    columns: Vec<String>,
    index: HashMap<String, usize>,
    /// (line, cells): padded to the final width when the table is finished.
    rows: Vec<(u64, Vec<String>)>,
    errors: Vec<RowError>,
}

impl Table {
    fn new() -> Self {
        Table { columns: Vec::new(), index: HashMap::new(), rows: Vec::new(), errors: Vec::new() }
    }

    fn add(&mut self, line: u64, record: &RawValue) {
        if kind(record) != b'{' {
            let raw = record.get().trim().to_string();
            self.errors.push(RowError {
                line,
                column: None,
                values: Vec::new(),
                message: format!(
                    "the record is not a JSON object; every record must be `{{\"field\": value, …}}`. Raw record: `{}`",
                    shorten(&raw)
                ),
                raw,
            });
            return;
        }
        let mut cells: Vec<(String, String)> = Vec::new();
        flatten("", record, &mut cells);
        let mut values = vec![String::new(); self.columns.len()];
        for (key, value) in cells {
            let j = match self.index.get(&key) {
                Some(&j) => j,
                None => {
                    self.index.insert(key.clone(), self.columns.len());
                    self.columns.push(key);
                    values.push(String::new());
                    self.columns.len() - 1
                }
            };
            if values[j].is_empty() {
                values[j] = value;
            }
        }
        self.rows.push((line, values));
    }

    fn finish(self, mut out: ParsedInput) -> ParsedInput {
        let width = self.columns.len();
        out.rows = self
            .rows
            .into_iter()
            .map(|(line, mut values)| {
                values.resize(width, String::new());
                RawRow { line, values: values.into() }
            })
            .collect();
        out.headers = self.columns;
        out.errors.extend(self.errors);
        out
    }
}

/// Appends the cells of `value` under `prefix`.
fn flatten(prefix: &str, value: &RawValue, out: &mut Vec<(String, String)>) {
    let text = value.get().trim();
    match kind(value) {
        b'{' => {
            let Ok(object) = serde_json::from_str::<RawObject<'_>>(text) else {
                out.push((prefix.to_string(), text.to_string()));
                return;
            };
            // A Salesforce child relationship: keep the sub-query result as one cell.
            if !prefix.is_empty() && object.get("records").is_some() && object.get("totalSize").is_some() {
                out.push((prefix.to_string(), compact(text)));
                return;
            }
            for (key, v) in &object.0 {
                if key == "attributes" && kind(v) == b'{' {
                    continue;
                }
                let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten(&name, v, out);
            }
        }
        b'[' => out.push((prefix.to_string(), compact(text))),
        b'"' => out.push((prefix.to_string(), serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_string()))),
        b'n' => out.push((prefix.to_string(), String::new())),
        _ => out.push((prefix.to_string(), text.to_string())),
    }
}

/// JSON text without insignificant whitespace.
fn compact(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text).map(|v| v.to_string()).unwrap_or_else(|_| text.to_string())
}

/// 1-based line of byte `offset` in `text`, counting forward from a known position.
struct Lines<'t> {
    text: &'t str,
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text.as_bytes()[self.offset..offset].iter().filter(|b| **b == b'\n').count() as u64;
        self.offset = offset;
        self.line
    }
}

/// Byte offset of `inner` (a slice of `outer`) within `outer`.
fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

/// Keys under which an object may hold its records, in order of preference.
const RECORD_KEYS: &[&str] = &["records", "data", "items", "rows", "results", "value"];

/// Reads a JSON document; a document that is several JSON values one per line is read
/// as NDJSON.
pub fn parse_json(bytes: &[u8]) -> ParsedInput {
    let decoded = decode(bytes);
    let text: &str = &decoded.text;
    let mut out = ParsedInput::empty(Format::Json, decoded.encoding.name());
    out.bom = decoded.bom;
    let root: &RawValue = match serde_json::from_str(text) {
        Ok(root) => root,
        Err(e) if e.is_syntax() && e.to_string().contains("trailing characters") => return parse_ndjson(bytes),
        Err(e) if e.is_eof() && text.trim().is_empty() => {
            out.notes.push("the file is empty".into());
            return out;
        }
        Err(e) => {
            return ParsedInput::unreadable(format!(
                "invalid JSON at line {}, column {}: {e}; fix the file or export it again",
                e.line(),
                e.column()
            ));
        }
    };
    let mut lines = Lines { text, offset: 0, line: 1 };
    let mut table = Table::new();
    match kind(root) {
        b'[' => {
            let records: Vec<&RawValue> = serde_json::from_str(root.get()).unwrap_or_default();
            if let Some(message) = salesforce_error(&records) {
                return ParsedInput::unreadable(message);
            }
            for r in records {
                let line = lines.at(offset_in(text, r.get()));
                table.add(line, r);
            }
        }
        b'{' => {
            let object: RawObject<'_> = match serde_json::from_str(root.get()) {
                Ok(o) => o,
                Err(e) => return ParsedInput::unreadable(format!("invalid JSON object: {e}")),
            };
            let found = RECORD_KEYS.iter().find_map(|k| object.get(k).filter(|v| kind(v) == b'[').map(|v| (*k, v)));
            match found {
                Some((key, array)) => {
                    let records: Vec<&RawValue> = serde_json::from_str(array.get()).unwrap_or_default();
                    out.notes.push(format!("records read from the `{key}` array"));
                    if key == "records" && object.get("totalSize").is_some() {
                        out.notes.push("a Salesforce query response: `attributes` left out, related records flattened".into());
                        if object.get("done").is_some_and(|d| d.get().trim() == "false") {
                            let next =
                                object.get("nextRecordsUrl").map(|u| u.get().trim().trim_matches('"').to_string()).unwrap_or_default();
                            out.warnings.push(format!(
                                "this is one page of a Salesforce query result ({} records here, totalSize {}); the rest is at nextRecordsUrl `{next}`: export every page",
                                records.len(),
                                object.get("totalSize").map_or("?", |t| t.get().trim())
                            ));
                        }
                    }
                    for r in records {
                        let line = lines.at(offset_in(text, r.get()));
                        table.add(line, r);
                    }
                }
                None => {
                    out.notes.push("the document is one object: read as one record".into());
                    table.add(lines.at(offset_in(text, root.get())), root);
                }
            }
        }
        _ => {
            return ParsedInput::unreadable(format!(
                "the JSON document is a single value (`{}`), not records; expected an array of objects",
                shorten(root.get().trim())
            ));
        }
    }
    table.finish(out)
}

/// A Salesforce error response (`[{"message": …, "errorCode": …}]`) as an error message.
fn salesforce_error(records: &[&RawValue]) -> Option<String> {
    if records.is_empty() {
        return None;
    }
    let mut messages = Vec::new();
    for r in records {
        let object: RawObject<'_> = serde_json::from_str(r.get()).ok()?;
        let keys: Vec<&str> = object.0.iter().map(|(k, _)| k.as_str()).filter(|k| *k != "fields").collect();
        if keys.len() != 2 || !keys.contains(&"message") || !keys.contains(&"errorCode") {
            return None;
        }
        let text = |k: &str| object.get(k).and_then(|v| serde_json::from_str::<String>(v.get()).ok()).unwrap_or_default();
        messages.push(format!("{}: {}", text("errorCode"), text("message")));
    }
    Some(format!("the file is a Salesforce error response, not records ({}); run the query again", messages.join("; ")))
}

/// Reads newline-delimited JSON: one record per line; blank lines are skipped and a
/// line that is not a JSON object is an unreadable row.
pub fn parse_ndjson(bytes: &[u8]) -> ParsedInput {
    let decoded = decode(bytes);
    let mut out = ParsedInput::empty(Format::Ndjson, decoded.encoding.name());
    out.bom = decoded.bom;
    let mut table = Table::new();
    let mut skipped = Vec::new();
    let body = decoded.text.strip_suffix('\n').unwrap_or(&decoded.text);
    for (i, line_text) in body.split('\n').enumerate() {
        let line = i as u64 + 1;
        let trimmed = line_text.trim();
        if trimmed.is_empty() {
            skipped.push(SkippedLine { line, reason: "blank" });
            continue;
        }
        match serde_json::from_str::<&RawValue>(trimmed) {
            Ok(record) => table.add(line, record),
            Err(e) => table.errors.push(RowError {
                line,
                column: Some(e.column() as u64),
                values: Vec::new(),
                raw: trimmed.to_string(),
                message: format!("column {}: invalid JSON: {e}; fix the line. Raw line: `{}`", e.column(), shorten(trimmed)),
            }),
        }
    }
    if decoded.text.is_empty() {
        skipped.clear();
    }
    out.skipped = skipped;
    table.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use watershed_model::Cells;

    #[test]
    fn arrays_objects_and_lines() {
        let p = parse_json(
            b"[\n  {\"id\": 1, \"amount\": 12.50, \"partner\": {\"name\": \"Acme\"}},\n  {\"id\": 2, \"tags\": [1, 2], \"x\": null}\n]",
        );
        assert_eq!(p.headers, vec!["id", "amount", "partner.name", "tags", "x"]);
        assert_eq!(p.rows[0], RawRow { line: 2, values: Cells::new(["1", "12.50", "Acme", "", ""]) });
        assert_eq!(p.rows[1], RawRow { line: 3, values: Cells::new(["2", "", "", "[1,2]", ""]) });
        let p = parse_json(b"{\"data\": [{\"a\": \"x\"}, 5]}");
        assert_eq!((p.rows.len(), p.errors.len()), (1, 1));
        assert!(p.errors[0].message.contains("not a JSON object"));
    }

    #[test]
    fn ndjson_with_blank_and_bad_lines() {
        let p = parse_ndjson(b"{\"a\":1}\n\n{\"a\":2,\"b\":\"y\"}\n{oops\n");
        assert_eq!(p.headers, vec!["a", "b"]);
        assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(p.skipped, vec![SkippedLine { line: 2, reason: "blank" }]);
        assert_eq!((p.errors[0].line, p.errors[0].column), (4, Some(2)));
        assert_eq!(parse_json(b"{\"a\":1}\n{\"a\":2}\n").format, Format::Ndjson, "several values: NDJSON");
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let p = parse_json(b"[\n{\"a\": 1,}\n]");
        assert_eq!(p.format, Format::Unreadable);
        assert!(p.errors[0].message.contains("line 2, column"), "{}", p.errors[0].message);
        assert_eq!(parse_json(b"42").errors.len(), 1);
        assert_eq!(parse_json(b"").read_count(), 0);
    }
}
