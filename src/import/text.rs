//! Text helpers shared by every format: decoding, cleaning and the node's length limits.

pub use crate::records::validate::{ID_MAX, NAME_MAX, TEXT_MAX};

const UTF8_BOM: &str = "\u{feff}";
/// MS-DOS end-of-file marker; OFAC's legacy files still end with one.
const CONTROL_Z: char = '\u{1a}';

/// Decodes a whole file: UTF-8 when it is valid UTF-8, otherwise Windows-1252 (the legacy
/// OFAC files and spreadsheet-saved CSVs). Drops a leading BOM and a trailing control-Z.
/// Returns the text and whether the Windows-1252 fallback was used.
pub fn decode(bytes: Vec<u8>) -> (String, bool) {
    let (text, legacy) = match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(e) => (e.into_bytes().iter().map(|&b| cp1252_char(b)).collect(), true),
    };
    let text = text.strip_prefix(UTF8_BOM).map(str::to_owned).unwrap_or(text);
    let trimmed = text.trim_end_matches(|c: char| c == CONTROL_Z || c.is_whitespace());
    (format!("{trimmed}\n"), legacy)
}

/// Windows-1252: Latin-1 except 0x80..=0x9F, where it has typographic characters.
fn cp1252_char(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// Collapses runs of whitespace and control characters into single spaces and trims, so
/// the same value always compares equal however the source wrapped or padded it.
pub fn clean(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for word in value.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// OFAC writes null as `-0-` (with a trailing space, sometimes quoted).
pub fn ofac_null(value: &str) -> bool {
    value.trim() == "-0-"
}

/// Cuts `value` to at most `max` bytes on a character boundary; `None` when it fitted.
pub fn truncate(value: &str, max: usize) -> Option<String> {
    if value.len() <= max {
        return None;
    }
    let mut end = max;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    Some(value[..end].trim_end().to_owned())
}

/// Splits a multi-valued cell on `separator`, cleaning each part and dropping empty ones.
pub fn split_list(value: &str, separator: char) -> Vec<String> {
    value
        .split(separator)
        .map(clean)
        .filter(|part| !part.is_empty())
        .collect()
}

/// Lower-cases and folds the accents found in Latin-script country and type names, keeping
/// only letters and digits separated by single spaces: "Côte d'Ivoire" → "cote d ivoire".
pub fn fold_key(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut gap = false;
    for c in value.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            out.push(c);
            gap = false;
        } else {
            gap = true;
        }
    }
    out
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// A source key must survive being turned into a record id: present, no control
/// characters, no surrounding whitespace, at most `ID_MAX` bytes.
pub fn source_key(raw: &str) -> Result<String, String> {
    let key = raw.trim();
    if key.is_empty() {
        return Err("the entry has no source id".to_owned());
    }
    if key.chars().any(char::is_control) {
        return Err(format!("source id {key:?} contains a control character"));
    }
    if key.len() > ID_MAX {
        return Err(format!(
            "source id is {} bytes, at most {ID_MAX} are allowed",
            key.len()
        ));
    }
    Ok(key.to_owned())
}

/// Turns byte offsets into 1-based line numbers. Offsets are expected in increasing order,
/// as parsers visit them; counting from the start each time would be quadratic on big lists.
pub struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Lines {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line of byte `offset`.
    pub fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        let newlines = self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += newlines;
        self.offset = offset;
        self.line
    }

    /// The line a CSV record starts on. The csv crate's own line count is one short after
    /// a CRLF, and its byte position may point at the previous record's terminator.
    pub fn record(&mut self, position: Option<&csv::Position>) -> usize {
        let bytes = self.text.as_bytes();
        let mut offset = position.map_or(self.offset, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        self.at(offset)
    }

    /// A CSV record with the line it starts on, or its rejection if it does not parse.
    pub fn locate(
        &mut self,
        result: csv::Result<csv::StringRecord>,
    ) -> Result<(csv::StringRecord, usize), super::Rejected> {
        let record = result.map_err(|e| super::Rejected {
            line: self.record(e.position()),
            source_key: None,
            reason: format!("malformed CSV: {e}"),
        })?;
        let line = self.record(record.position());
        Ok((record, line))
    }
}

/// Calls `visit` with each line of `path` (terminator included) and its 1-based number.
pub fn for_each_line(context: &super::Context, mut visit: impl FnMut(&[u8], usize)) -> Result<(), super::ImportError> {
    use std::io::BufRead as _;
    let file = std::fs::File::open(context.path).map_err(|e| super::ImportError::read(context.path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut buffer = Vec::new();
    for line in 1.. {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|e| super::ImportError::read(context.path, e))?;
        if read == 0 {
            break;
        }
        visit(&buffer, line);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_windows_1252_and_strips_file_quirks() {
        let (text, legacy) = decode(b"\xef\xbb\xbfa\r\n".to_vec());
        assert_eq!((text.as_str(), legacy), ("a\n", false));
        let (text, legacy) = decode(b"Jos\xe9 \x80\r\n\x1a".to_vec());
        assert_eq!((text.as_str(), legacy), ("José €\n", true));
    }

    #[test]
    fn cleans_and_truncates() {
        assert_eq!(clean("  SPC \t Supachoke \n"), "SPC Supachoke");
        assert_eq!(truncate("ééé", 3).as_deref(), Some("é"));
        assert_eq!(truncate("abc", 3), None);
        assert_eq!(fold_key("Côte d'Ivoire"), "cote d ivoire");
    }

    #[test]
    fn counts_lines_incrementally() {
        let mut lines = Lines::new("a\r\nb\r\n\r\nc\n");
        assert_eq!(lines.at(0), 1);
        assert_eq!(lines.at(3), 2);
        assert_eq!(lines.at(8), 4);
        assert_eq!(lines.at(0), 1);
    }
}
