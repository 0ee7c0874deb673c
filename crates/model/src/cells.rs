//! [`Cells`]: a row's cells as text, stored compactly.
//!
//! A million-row input held as `Vec<String>` per row costs one allocation and 24 bytes
//! of header per cell on top of the text (about three times the text itself); `Cells`
//! keeps a row in one text buffer and the end offset of each cell: two allocations per
//! row, 4 bytes per cell.

use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::fmt;

/// A row's cells as text: one buffer holding the cells one after another, and where
/// each ends. Read with [`Cells::get`], [`Cells::iter`] or indexing (`&cells[2]`).
///
/// A row holds at most 4 GiB of text (`u32` offsets). The delimited-text reader turns a
/// longer record into an error row instead of building it; in a row built anyway, a
/// cell that would take the text past 4 GiB is left empty (no panic, no wrapped offset).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Cells {
    text: Box<str>,
    ends: Box<[u32]>,
}

impl Cells {
    /// The cells of `values`, in order.
    pub fn new<I, S>(values: I) -> Cells
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let values = values.into_iter();
        let mut text = String::new();
        let mut ends = Vec::with_capacity(values.size_hint().0);
        for value in values {
            let value = value.as_ref();
            if text.len().saturating_add(value.len()) > u32::MAX as usize {
                ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
                continue;
            }
            text.push_str(value);
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Cells { text: text.into_boxed_str(), ends: ends.into_boxed_slice() }
    }

    /// How many cells the row has.
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cells.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `index`, or `None` past the end of the row.
    #[inline]
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] as usize,
        };
        self.text.get(start..end)
    }

    /// The cells, in order.
    #[inline]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone + '_ {
        (0..self.ends.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The cells as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// Every cell's text, one after another (what the row's text weighs).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Replaces cell `index` with `value`, first adding empty cells when the row is
    /// shorter (a correction of a field no column fed).
    pub fn set(&mut self, index: usize, value: &str) {
        let mut cells = self.to_vec();
        if cells.len() <= index {
            cells.resize(index + 1, String::new());
        }
        cells[index] = value.to_string();
        *self = Cells::new(cells);
    }
}

impl std::ops::Index<usize> for Cells {
    type Output = str;

    /// Cell `index`; panics past the end of the row, like a slice.
    fn index(&self, index: usize) -> &str {
        match self.get(index) {
            Some(cell) => cell,
            None => panic!("cell {index} of a row of {} cells", self.len()),
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Cells {
    fn from_iter<I: IntoIterator<Item = S>>(values: I) -> Self {
        Cells::new(values)
    }
}

impl From<Vec<String>> for Cells {
    fn from(values: Vec<String>) -> Self {
        Cells::new(values)
    }
}

impl From<&[&str]> for Cells {
    fn from(values: &[&str]) -> Self {
        Cells::new(values)
    }
}

impl AsRef<Cells> for Cells {
    fn as_ref(&self) -> &Cells {
        self
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Cells {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Cells {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl fmt::Debug for Cells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Serializes as a sequence of strings (the raw layer's JSON array of cells).
impl Serialize for Cells {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for cell in self.iter() {
            seq.serialize_element(cell)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_back_as_given_including_empty_ones() {
        let cells = Cells::new(["P001", "", "Zürich", "12,5"]);
        assert_eq!(cells.len(), 4);
        assert_eq!(cells.get(0), Some("P001"));
        assert_eq!(cells.get(1), Some(""));
        assert_eq!(&cells[2], "Zürich");
        assert_eq!(cells.get(4), None);
        assert_eq!(cells.iter().next_back(), Some("12,5"));
        assert_eq!(cells, vec!["P001", "", "Zürich", "12,5"]);
        assert_eq!(cells.text(), "P001Zürich12,5");
        assert!(Cells::new(Vec::<String>::new()).is_empty());
        assert_eq!(Cells::default().get(0), None);
    }

    #[test]
    fn set_replaces_a_cell_and_grows_a_short_row() {
        let mut cells = Cells::new(["a", "b"]);
        cells.set(0, "alpha");
        cells.set(3, "d");
        assert_eq!(cells, vec!["alpha", "b", "", "d"]);
    }

    #[test]
    fn serializes_as_a_json_array_of_strings() {
        let json = serde_json::to_string(&Cells::new(["a\"b", "", "ü"])).unwrap_or_default();
        assert_eq!(json, r#"["a\"b","","ü"]"#);
        assert_eq!(format!("{:?}", Cells::new(["x"])), r#"["x"]"#);
    }
}
