//! Text rules shared by every layer: the search key of a name, and control
//! characters (which carry terminal escape sequences) kept out of what is stored
//! and printed.

use std::borrow::Cow;

/// The key a name is filtered by: lower case, plus an ASCII transliteration when
/// the name has letters outside ASCII, so "sian" finds "Siân" and "lodz" finds
/// "Łódź", while typing the name in its own script still matches.
pub fn name_key(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let ascii = deunicode::deunicode(&lower).to_lowercase();
    if ascii == lower { lower } else { format!("{lower}\u{1f}{ascii}") }
}

/// Fold a filter typed by a person the same way for matching against [`name_key`]:
/// lower case, trimmed. (The typed text is matched against both halves of the key.)
pub fn fold_query(query: &str) -> String {
    query.trim().to_lowercase()
}

/// A control character that must not reach a terminal: C0 (ESC, BEL, CR...),
/// DEL and C1 (including the one-character CSI, U+009B). Line feeds and tabs are
/// layout, not control, and are allowed.
pub fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Text safe to print to a terminal: every [`is_unsafe_control`] character
/// removed, which takes any escape sequence apart (what is left of it, such as
/// `[2J`, is plain text).
pub fn strip_controls(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe_control) {
        Cow::Owned(s.chars().filter(|c| !is_unsafe_control(*c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Whether a field as typed holds control characters. One-line fields allow
/// none; `multi_line` fields allow line breaks (LF or CRLF) and tabs.
pub fn has_controls(s: &str, multi_line: bool) -> bool {
    if !multi_line {
        return s.chars().any(char::is_control);
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if is_unsafe_control(c) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_taken_apart() {
        assert_eq!(strip_controls("a\u{1b}[2Jb\u{1b}]0;t\u{7}c\u{9b}1m\u{7f}\r"), "a[2Jb]0;tc1m");
        assert_eq!(strip_controls("two\nlines\tand tab"), "two\nlines\tand tab");
        assert!(matches!(strip_controls("plain Siân"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_in_fields() {
        assert!(has_controls("a\nb", false) && has_controls("a\u{1b}", false));
        assert!(!has_controls("a\r\nb\tc", true));
        assert!(has_controls("a\rb", true) && has_controls("a\u{1b}[2J", true) && has_controls("\u{85}", true));
        assert!(!has_controls("Siân 王芳", false));
    }

    #[test]
    fn ascii_names_are_just_lower_case() {
        assert_eq!(name_key(" Mary O'Neill "), "mary o'neill");
    }

    #[test]
    fn accented_names_match_typed_both_ways() {
        let k = name_key("Siân Llŷr");
        assert!(k.contains("siân llŷr"));
        assert!(k.contains("sian llyr"));
        let k = name_key("Łucja Wójcik");
        assert!(k.contains("lucja wojcik"), "{k}");
        assert!(k.contains(&fold_query("WÓJCIK")));
    }
}
