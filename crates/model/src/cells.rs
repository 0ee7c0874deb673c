//! [`Cells`]: a row's cells as text, stored compactly.
//!
//! A million-row input held as `Vec<String>` per row costs one allocation and 24 bytes
//! of header per cell on top of the text (about three times the text itself); `Cells`
//! keeps a row in one allocation: where each cell ends, then the cells' text one after
//! another, 16 bytes of header and 3 bytes per cell.

use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::cell::RefCell;
use std::fmt;

/// A row's cells as text, in one allocation: a width tag, the number of cells and where
/// each ends, then the cells one after another. Read with [`Cells::get`],
/// [`Cells::iter`] or indexing (`&cells[2]`).
///
/// The numbers are written as ASCII digits of 7 bits each (3 per number while the row's
/// text and its cell count stay under 2 MiB, 5 beyond), so the whole buffer is one valid
/// `str` and a cell is a plain slice of it: no unsafe code, no UTF-8 check when read.
/// Two allocations a row (the text, and `u32` cell ends) cost 40–80 bytes more a row
/// in the allocator's size classes and a header twice this one's.
///
/// A row holds at most 4 GiB of text (`u32` offsets). The delimited-text reader turns a
/// longer record into an error row instead of building it; in a row built anyway, a
/// cell that would take the text past 4 GiB is left empty (no panic, no wrapped offset).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Cells {
    /// Empty for no cells; else `[tag][count][end]…[text]`, the numbers [`Width`] digits.
    data: Box<str>,
}

/// How many 7-bit digits each number of a row takes: [`NARROW`] or [`WIDE`].
type Width = usize;
/// Numbers up to 2²¹ − 1 (a row of less than 2 MiB of text and cells).
const NARROW: Width = 3;
/// Numbers up to 2³⁵ − 1 (every `u32`).
const WIDE: Width = 5;
/// The first byte of a narrow row and of a wide one.
const NARROW_TAG: u8 = b'3';
const WIDE_TAG: u8 = b'5';

/// The number written at the start of `digits` in `width` 7-bit digits.
#[inline]
fn number(digits: &[u8], width: Width) -> usize {
    // Nearly every row is narrow: its three digits read without a loop.
    if width == NARROW
        && let [a, b, c, ..] = digits
    {
        return usize::from(a & 0x7F) | usize::from(b & 0x7F) << 7 | usize::from(c & 0x7F) << 14;
    }
    digits.iter().take(width).enumerate().fold(0, |n, (k, &d)| n | (usize::from(d & 0x7F) << (7 * k)))
}

/// Appends `n` as `width` 7-bit ASCII digits, least significant first.
fn push_number(data: &mut String, n: usize, width: Width) {
    for k in 0..width {
        data.push(char::from(((n >> (7 * k)) & 0x7F) as u8));
    }
}

thread_local! {
    /// The text and cell ends of the row being built, reused from row to row so that
    /// building a row allocates only the row.
    static SCRATCH: RefCell<(String, Vec<u32>)> = const { RefCell::new((String::new(), Vec::new())) };
}

impl Cells {
    /// The cells of `values`, in order.
    pub fn new<I, S>(values: I) -> Cells
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                let (text, ends) = &mut *scratch;
                Cells::build(values, text, ends)
            }
            // Built while building another row (an iterator that makes rows): fresh buffers.
            Err(_) => Cells::build(values, &mut String::new(), &mut Vec::new()),
        })
    }

    /// [`Cells::new`] with `text` and `ends` as the buffers to gather the cells in.
    fn build<I, S>(values: I, text: &mut String, ends: &mut Vec<u32>) -> Cells
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        text.clear();
        ends.clear();
        for value in values {
            let value = value.as_ref();
            if text.len().saturating_add(value.len()) > u32::MAX as usize {
                ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
                continue;
            }
            text.push_str(value);
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        if ends.is_empty() {
            return Cells::default();
        }
        let narrow = text.len().max(ends.len()) < 1 << (7 * NARROW);
        let (tag, width) = if narrow { (NARROW_TAG, NARROW) } else { (WIDE_TAG, WIDE) };
        let mut data = String::with_capacity(1 + width * (1 + ends.len()) + text.len());
        data.push(char::from(tag));
        push_number(&mut data, ends.len(), width);
        for &end in ends.iter() {
            push_number(&mut data, end as usize, width);
        }
        data.push_str(text);
        Cells { data: data.into_boxed_str() }
    }

    /// The row's number width, its cell count and where its text starts in `data`.
    #[inline]
    fn layout(&self) -> (Width, usize, usize) {
        let bytes = self.data.as_bytes();
        let width = match bytes.first() {
            Some(&NARROW_TAG) => NARROW,
            Some(_) => WIDE,
            None => return (NARROW, 0, 0),
        };
        let count = number(bytes.get(1..).unwrap_or_default(), width);
        (width, count, 1 + width * (1 + count))
    }

    /// Where cell `index` ends in the text (`index < count`).
    #[inline]
    fn end(&self, width: Width, index: usize) -> usize {
        number(self.data.as_bytes().get(1 + width * (1 + index)..).unwrap_or_default(), width)
    }

    /// Cell `index` (`index < count`) of a row whose numbers are `width` digits and whose
    /// text starts at `text`.
    #[inline]
    fn cell(&self, width: Width, text: usize, index: usize) -> Option<&str> {
        let start = if index == 0 { 0 } else { self.end(width, index - 1) };
        self.data.get(text + start..text + self.end(width, index))
    }

    /// How many cells the row has.
    #[inline]
    pub fn len(&self) -> usize {
        self.layout().1
    }

    /// Whether the row has no cells.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Cell `index`, or `None` past the end of the row.
    #[inline]
    pub fn get(&self, index: usize) -> Option<&str> {
        let (width, count, text) = self.layout();
        if index >= count {
            return None;
        }
        self.cell(width, text, index)
    }

    /// The cells, in order.
    #[inline]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone + '_ {
        let (width, count, text) = self.layout();
        CellsIter { cells: self, width, text, front: 0, front_start: 0, back: count }
    }

    /// The cells as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// Every cell's text, one after another (what the row's text weighs).
    pub fn text(&self) -> &str {
        let (_, _, text) = self.layout();
        self.data.get(text..).unwrap_or_default()
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

/// [`Cells::iter`]: front to back, each cell starting where the one before ended (one
/// number read per cell, where [`Cells::get`] reads two).
#[derive(Clone)]
struct CellsIter<'a> {
    cells: &'a Cells,
    width: Width,
    /// Where the text starts in the row's data.
    text: usize,
    /// The next cell from the front, and where it starts in the text.
    front: usize,
    front_start: usize,
    /// One past the next cell from the back.
    back: usize,
}

impl<'a> Iterator for CellsIter<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        if self.front >= self.back {
            return None;
        }
        let end = self.cells.end(self.width, self.front);
        let cell = self.cells.data.get(self.text + self.front_start..self.text + end).unwrap_or_default();
        (self.front, self.front_start) = (self.front + 1, end);
        Some(cell)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.back - self.front;
        (left, Some(left))
    }
}

impl DoubleEndedIterator for CellsIter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        Some(self.cells.cell(self.width, self.text, self.back).unwrap_or_default())
    }
}

impl ExactSizeIterator for CellsIter<'_> {}

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
    fn iteration_from_both_ends_meets_in_the_middle() {
        let cells = Cells::new(["a", "", "ccc", "dd", "é"]);
        let mut it = cells.iter();
        assert_eq!(it.len(), 5);
        assert_eq!((it.next(), it.next_back(), it.next()), (Some("a"), Some("é"), Some("")));
        assert_eq!(it.len(), 2);
        assert_eq!(it.clone().collect::<Vec<_>>(), vec!["ccc", "dd"]);
        assert_eq!((it.next_back(), it.next(), it.next(), it.next_back()), (Some("dd"), Some("ccc"), None, None));
        assert!(cells.iter().rev().eq(["é", "dd", "ccc", "", "a"]));
        assert_eq!(Cells::default().iter().next(), None);
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

    #[test]
    fn rows_past_two_mib_and_with_many_cells_read_back_as_given() {
        // 2 MiB of text and 3M cells take the wide numbers; just below stays narrow.
        let big = "é".repeat(1 << 20);
        let wide = Cells::new([big.as_str(), "", "x", big.as_str()]);
        assert_eq!(wide.data.as_bytes()[0], WIDE_TAG);
        assert_eq!(wide.len(), 4);
        assert_eq!((wide.get(0), wide.get(1), wide.get(2), wide.get(3)), (Some(big.as_str()), Some(""), Some("x"), Some(big.as_str())));
        assert_eq!(wide.text().len(), 2 * big.len() + 1);
        let many: Vec<String> = (0..3_000_000).map(|i| if i % 1000 == 0 { i.to_string() } else { String::new() }).collect();
        let cells = Cells::new(&many);
        assert_eq!(cells.data.as_bytes()[0], WIDE_TAG);
        assert_eq!(cells.len(), many.len());
        assert!(cells.iter().eq(many.iter().map(String::as_str)));
        assert_eq!(cells.iter().next_back(), Some(""));
        let edge = "a".repeat((1 << 21) - 2);
        let narrow = Cells::new([edge.as_str(), "b"]);
        assert_eq!(narrow.data.as_bytes()[0], NARROW_TAG);
        assert_eq!((narrow.get(0), narrow.get(1), narrow.get(2)), (Some(edge.as_str()), Some("b"), None));
    }

    #[test]
    fn equal_rows_are_equal_and_rows_built_while_building_a_row_are_whole() {
        assert_eq!(Cells::new(["a", "bc"]), Cells::new(vec!["a".to_string(), "bc".to_string()]));
        assert_ne!(Cells::new(["ab", "c"]), Cells::new(["a", "bc"]));
        assert_ne!(Cells::new([""]), Cells::default());
        // An iterator that builds rows of its own while the outer row is being built.
        let inner = |i: usize| Cells::new([i.to_string(), "inner".to_string()]).text().to_string();
        let outer = Cells::new((0..3).map(inner));
        assert_eq!(outer, vec!["0inner", "1inner", "2inner"]);
    }
}
