//! The normalized records a resolution works on, held in parts so that the golden
//! records' builder can free them a part at a time as it stores what they became.

use crate::ResolveRecord;

/// Records per part: 2^16 (about 21 MB of records).
const PART_SHIFT: u32 = 16;

/// Normalized opportunity records in arrival order, indexed like a slice. Stored in parts
/// of 65,536 records: a million records are ~500 MB, and
/// [`crate::GoldenRecords::drain_by_first_record`] frees each part once every golden record
/// that has a member in it is handed over, instead of all of them at the very end.
#[derive(Debug)]
pub struct Records {
    parts: Vec<Vec<ResolveRecord>>,
    len: usize,
    /// Records per part: `1 << part_shift`.
    part_shift: u32,
}

impl Default for Records {
    fn default() -> Self {
        Records::with_part_shift(PART_SHIFT)
    }
}

impl Records {
    /// No records.
    pub fn new() -> Self {
        Records::default()
    }

    /// No records, to be held in parts of `1 << part_shift` (tests use small parts).
    pub(crate) fn with_part_shift(part_shift: u32) -> Self {
        Records { parts: Vec::new(), len: 0, part_shift }
    }

    fn part_size(&self) -> usize {
        1 << self.part_shift
    }

    /// Adds a record after the others.
    pub fn push(&mut self, record: ResolveRecord) {
        let part_size = self.part_size();
        match self.parts.last_mut() {
            Some(part) if part.len() < part_size => part.push(record),
            _ => {
                // The first part grows as records come (a handful in a small program); the
                // next ones are allocated at their full size, never grown by copying.
                let mut part = if self.parts.is_empty() { Vec::new() } else { Vec::with_capacity(part_size) };
                part.push(record);
                self.parts.push(part);
            }
        }
        self.len += 1;
    }

    /// How many records there are (freed ones included).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records in order.
    pub fn iter(&self) -> impl Iterator<Item = &ResolveRecord> + '_ {
        self.parts.iter().flatten()
    }

    /// Frees the parts whose records all come before record `end`; indexing one of them
    /// afterwards panics (a bug in the caller). Returns how many it freed now.
    pub(crate) fn free_before(&mut self, end: usize) -> usize {
        let mut freed = 0;
        for part in self.parts.iter_mut().take(end >> self.part_shift).filter(|p| p.capacity() > 0) {
            *part = Vec::new();
            freed += 1;
        }
        freed
    }

    /// How many parts are freed.
    #[cfg(test)]
    pub(crate) fn freed_parts(&self) -> usize {
        self.parts.iter().filter(|p| p.capacity() == 0).count()
    }
}

impl std::ops::Index<usize> for Records {
    type Output = ResolveRecord;

    #[inline]
    fn index(&self, index: usize) -> &ResolveRecord {
        &self.parts[index >> self.part_shift][index & (self.part_size() - 1)]
    }
}

impl From<Vec<ResolveRecord>> for Records {
    fn from(records: Vec<ResolveRecord>) -> Self {
        records.into_iter().collect()
    }
}

impl FromIterator<ResolveRecord> for Records {
    fn from_iter<I: IntoIterator<Item = ResolveRecord>>(iter: I) -> Self {
        let mut records = Records::new();
        for record in iter {
            records.push(record);
        }
        records
    }
}
