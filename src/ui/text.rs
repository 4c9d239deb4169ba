//! Width-aware text: names in any script, or with emoji, take the columns they
//! really take on screen, and are cut on a character boundary with an ellipsis.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `max` columns, ending with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Cut from the left, keeping the end (for file paths).
pub fn truncate_left(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        kept.push(c);
        used += w;
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// Pad (or cut) to exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let t = truncate(s, cols);
    let pad = cols.saturating_sub(width(&t));
    format!("{t}{}", " ".repeat(pad))
}

/// Fit on the right edge of `cols` columns (numbers).
pub fn fit_right(s: &str, cols: usize) -> String {
    let t = truncate(s, cols);
    let pad = cols.saturating_sub(width(&t));
    format!("{}{t}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_two_columns() {
        assert_eq!(width("王芳"), 4);
        assert_eq!(truncate("王芳李伟", 5), "王芳…");
        assert_eq!(width(&truncate("王芳李伟", 5)), 5);
        assert_eq!(fit("王芳", 6), "王芳  ");
    }

    #[test]
    fn emoji_and_combining_marks_do_not_break_widths() {
        let s = "Jo 🌻 Bloggs";
        assert_eq!(width(&fit(s, 6)), 6);
        // 'n' + combining tilde is one column
        assert_eq!(width("Pen\u{303}a"), 4);
        assert_eq!(fit("Pen\u{303}a", 6), "Pen\u{303}a  ");
    }

    #[test]
    fn urdu_and_welsh_truncate_on_char_boundaries() {
        let t = truncate("محمد علی قریشی", 6);
        assert!(width(&t) <= 6 && t.ends_with('…'));
        assert_eq!(truncate("Gwenllian ap Rhys", 9), "Gwenllia…");
        assert_eq!(truncate("Siân", 4), "Siân");
    }

    #[test]
    fn left_truncation_keeps_the_end() {
        assert_eq!(truncate_left("/home/user/.local/share/linkwork/demo.db", 12), "…ork/demo.db");
    }
}

/// The byte index where `s` stops fitting in `cols` columns.
fn split_at_width(s: &str, cols: usize) -> usize {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += UnicodeWidthChar::width(c).unwrap_or(0);
        if used > cols {
            return i;
        }
    }
    s.len()
}

/// Wrap text to `cols` columns at spaces (a word longer than a line is cut),
/// keeping the person's own line breaks. Linear in the text's length: each
/// character is looked at a bounded number of times, however long a word is.
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut out = Vec::new();
    for para in s.lines() {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split_whitespace() {
            let w = width(word);
            let gap = usize::from(used > 0);
            if used + gap + w <= cols {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                used += gap + w;
                continue;
            }
            if used > 0 {
                out.push(std::mem::take(&mut line));
            }
            // A word wider than the line: cut it where each line ends (at least
            // one character, so a too-wide glyph still moves on); the last piece
            // starts the next line.
            let mut rest = word;
            loop {
                let cut = split_at_width(rest, cols).max(rest.chars().next().map_or(0, char::len_utf8));
                if cut >= rest.len() {
                    line.push_str(rest);
                    used = width(rest);
                    break;
                }
                out.push(rest[..cut].to_owned());
                rest = &rest[cut..];
            }
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod wrap_tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_keeps_breaks() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        for line in wrap("王芳李伟王芳李伟", 5) {
            assert!(width(&line) <= 5, "{line}");
        }
    }
}
