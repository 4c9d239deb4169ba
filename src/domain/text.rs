//! Text rules shared by every layer: the search key of a name.

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

#[cfg(test)]
mod tests {
    use super::*;

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
