//! CSV that is safe to open in a spreadsheet. Excel, LibreOffice and Google
//! Sheets run a cell that begins with `=`, `+`, `-` or `@` (and, after a tab or
//! a carriage return, the same) as a formula: `=HYPERLINK(...)` in a service's
//! name would become a live link, `@SUM(...)` a calculation. Following OWASP's
//! guidance on CSV injection, such a cell is written with a single quote in
//! front, which spreadsheets show as text. Plain numbers (`-3`, `-0.25`) are
//! left alone so that figures stay figures.
//!
//! Every CSV the program writes goes through [`Writer`].

use std::borrow::Cow;

/// The cell as it is safe to write: with a leading `'` when it would start a
/// formula.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    let starts_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula && !is_plain_number(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// `-12` or `-0.5`: a negative number, nothing more.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV writer whose every cell goes through [`safe_cell`].
pub struct Writer {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for Writer {
    fn default() -> Self {
        Writer { inner: csv::Writer::from_writer(Vec::new()) }
    }
}

impl Writer {
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        // Writing to memory cannot fail.
        let _ = self.inner.write_record(cells.into_iter().map(|c| safe_cell(c).into_owned()));
    }

    /// The CSV text.
    pub fn finish(self) -> String {
        String::from_utf8(self.inner.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_as_text() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("-1.", "'-1."),
            ("- 1", "'- 1"),
        ] {
            assert_eq!(safe_cell(cell), safe, "{cell:?}");
        }
        for plain in ["", "Walking group", "12", "-3", "-0.25", "2026-11-23", "a=b", "<5", "'quoted"] {
            assert_eq!(safe_cell(plain), plain);
        }
    }

    #[test]
    fn the_writer_quotes_as_csv_and_neutralises() {
        let mut w = Writer::default();
        w.row(["a,b", "=1+1", "-4"]);
        assert_eq!(w.finish(), "\"a,b\",'=1+1,-4\n");
    }
}
