//! Control-list entries and how two of them relate: equal, or one containing the other
//! (`3A001` ⊃ `3A001.a.5`). Entries compare case- and space-insensitively, and the dots
//! between sub-paragraphs are optional (`2B001b2` is `2B001.b.2`).

use crate::proto::EntryRelation;

/// What a denial names instead of entries when the items are on no control list.
const CATCH_ALL: &str = "catchall";

/// A denial (or an application) that names no control-list entry: items on no list,
/// controlled by a catch-all clause. Such a denial informs but obliges no consultation.
pub fn is_catch_all(entries: &[String]) -> bool {
    entries.iter().all(|entry| {
        let normalized: String = entry
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        normalized.is_empty() || normalized == CATCH_ALL
    })
}

/// How the application's entry relates to the denied one, if at all.
pub fn relation(application: &str, denied: &str) -> Option<EntryRelation> {
    let (ours, theirs) = (segments(application), segments(denied));
    if ours.is_empty() || theirs.is_empty() {
        return None;
    }
    if ours == theirs {
        Some(EntryRelation::Equal)
    } else if theirs.starts_with(&ours) {
        Some(EntryRelation::Parent)
    } else if ours.starts_with(&theirs) {
        Some(EntryRelation::Child)
    } else {
        None
    }
}

/// An entry as its path of sub-paragraphs: the base code (`3a001`, `ml10`, `0a501`), then
/// each run of letters or digits (`3A001.a.5` → `3a001`, `a`, `5`).
fn segments(entry: &str) -> Vec<String> {
    let text: String = entry
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let (base, rest) = split_base(&text);
    if base.is_empty() {
        return Vec::new();
    }
    let mut segments = vec![base.to_string()];
    let mut current = String::new();
    for c in rest.chars() {
        let continues = current
            .chars()
            .last()
            .is_some_and(|last| last.is_ascii_digit() == c.is_ascii_digit());
        if (!c.is_ascii_alphanumeric() || !continues) && !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
        if c.is_ascii_alphanumeric() {
            current.push(c);
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// The base code and what follows it. Dual-use codes are a digit, a letter and three digits
/// (`3a001`); munitions codes `ml` and a number; anything else runs to its first dot.
fn split_base(text: &str) -> (&str, &str) {
    let bytes = text.as_bytes();
    let dual_use = bytes.len() >= 5
        && bytes[0].is_ascii_digit()
        && bytes[1].is_ascii_alphabetic()
        && bytes[2..5].iter().all(u8::is_ascii_digit);
    let end = if dual_use {
        5
    } else if let Some(number) = text.strip_prefix("ml") {
        2 + number.bytes().take_while(u8::is_ascii_digit).count()
    } else {
        text.find('.').unwrap_or(text.len())
    };
    text.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_children_and_equals() {
        assert_eq!(relation("3A001", "3A001.a.5"), Some(EntryRelation::Parent));
        assert_eq!(relation("2B001.b", "2B001.b.2"), Some(EntryRelation::Parent));
        assert_eq!(relation("2b001.B.2", "2B001.b"), Some(EntryRelation::Child));
        assert_eq!(relation(" 2B001.b.2 ", "2b001b2"), Some(EntryRelation::Equal));
        assert_eq!(relation("ML10.a", "ML10"), Some(EntryRelation::Child));
        assert_eq!(relation("5A002.a.1.a", "5A002.a.1"), Some(EntryRelation::Child));
    }

    #[test]
    fn siblings_and_prefixes_of_numbers_do_not_relate() {
        assert_eq!(relation("3A001", "2B001.b"), None);
        assert_eq!(relation("2B001.b", "2B001.c"), None);
        assert_eq!(relation("ML1", "ML10"), None);
        assert_eq!(relation("3A001.a.1", "3A001.a.10"), None);
        assert_eq!(relation("3A00", "3A001"), None);
        assert_eq!(relation("", "3A001"), None);
    }

    #[test]
    fn catch_all_is_no_entry_or_the_literal() {
        assert!(is_catch_all(&[]));
        assert!(is_catch_all(&["catch-all".into()]));
        assert!(is_catch_all(&["Catch all".into()]));
        assert!(!is_catch_all(&["catch-all".into(), "3A001".into()]));
    }
}
