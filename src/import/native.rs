//! Our own export formats, which import back to exactly the same entries.
//!
//! * jsonl: one `{"id": ..., "entry": {...}}` per line; the entry is the node's proto3 JSON
//!   (proto field names, enum values by their full proto names such as
//!   "ENTITY_TYPE_PERSON"), exactly what `fedctl get -o json` shows.
//! * csv: one row per entry under `CSV_HEADER`. `names`, `addresses` and `identifiers`
//!   hold a JSON array in the same shape as jsonl (their order and kinds must survive);
//!   `countries` and `birth_dates` are joined with " | " (codes and dates never contain
//!   it); empty lists are empty cells.

use std::io::{self, Write};

use csv::StringRecord;
use serde::{Deserialize, Serialize};

use crate::proto::{EntityType, Party, WatchlistEntry, WatchlistStatus};

use super::{Collector, Context, Format, ImportError, Parsed, Rejected, Row, text};

/// The header of our CSV export, which is also the layout `Format::Csv` requires.
pub const CSV_HEADER: [&str; 16] = [
    "id",
    "list",
    "entity_type",
    "names",
    "addresses",
    "countries",
    "identifiers",
    "birth_dates",
    "reason",
    "legal_citation",
    "license_requirement",
    "license_policy",
    "listing_date",
    "end_date",
    "status",
    "source_url",
];

const LIST_SEPARATOR: &str = " | ";

#[derive(Serialize, Deserialize)]
struct Line {
    id: String,
    entry: WatchlistEntry,
}

// ---------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------

/// Writes `(id, entry)` pairs as JSON lines.
pub fn export_jsonl(rows: &[(String, WatchlistEntry)], out: &mut dyn Write) -> io::Result<()> {
    for (id, entry) in rows {
        let line = Line {
            id: id.clone(),
            entry: entry.clone(),
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Writes `(id, entry)` pairs as CSV under `CSV_HEADER`.
pub fn export_csv(rows: &[(String, WatchlistEntry)], out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER).map_err(io::Error::other)?;
    for (id, entry) in rows {
        writer.write_record(csv_cells(id, entry)?).map_err(io::Error::other)?;
    }
    writer.flush()
}

fn csv_cells(id: &str, entry: &WatchlistEntry) -> io::Result<Vec<String>> {
    let empty = Party::default();
    let party = entry.party.as_ref().unwrap_or(&empty);
    Ok(vec![
        id.to_owned(),
        entry.list.clone(),
        enum_name(party.entity_type, |v| EntityType::try_from(v).map(|e| e.as_str_name())),
        json_cell(&party.names)?,
        json_cell(&party.addresses)?,
        party.countries.join(LIST_SEPARATOR),
        json_cell(&party.identifiers)?,
        party.birth_dates.join(LIST_SEPARATOR),
        entry.reason.clone(),
        entry.legal_citation.clone(),
        entry.license_requirement.clone(),
        entry.license_policy.clone(),
        entry.listing_date.clone(),
        entry.end_date.clone(),
        enum_name(entry.status, |v| WatchlistStatus::try_from(v).map(|e| e.as_str_name())),
        entry.source_url.clone(),
    ])
}

fn json_cell<T: Serialize>(values: &[T]) -> io::Result<String> {
    if values.is_empty() {
        return Ok(String::new());
    }
    Ok(serde_json::to_string(values)?)
}

/// An enum value by its proto name; an unknown number is kept as digits (and refused on import).
fn enum_name<E>(value: i32, name: impl Fn(i32) -> Result<&'static str, E>) -> String {
    name(value).map_or_else(|_| value.to_string(), str::to_owned)
}

// ---------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------

/// Reads our JSON-lines export, line by line.
pub fn parse_jsonl(context: &Context) -> Result<Parsed, ImportError> {
    let mut collector = Collector::default();
    text::for_each_line(context, |bytes, line| {
        if let Some(outcome) = jsonl_row(bytes, line) {
            collector.push(outcome);
        }
    })?;
    if collector.is_empty() && !collector.parsed.rejected.is_empty() {
        return Err(context.not_format(Format::Jsonl, "no line is an exported entry"));
    }
    Ok(collector.finish())
}

/// One line; `None` for a blank one.
fn jsonl_row(bytes: &[u8], line: usize) -> Option<Result<Row, Rejected>> {
    let reject = |reason: String| Rejected {
        line,
        source_key: None,
        reason,
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').trim(),
        Err(e) => return Some(Err(reject(format!("not UTF-8: {e}")))),
    };
    if text.is_empty() {
        return None;
    }
    Some(match serde_json::from_str::<Line>(text) {
        Ok(parsed) => finish(line, &parsed.id, parsed.entry),
        Err(e) => Err(reject(format!("not an exported entry: {e}"))),
    })
}

/// Reads our CSV export.
pub fn parse_csv(context: &Context) -> Result<Parsed, ImportError> {
    let (content, _) = text::decode(context.read_bytes()?);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(content.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| context.not_format(Format::Csv, e.to_string()))?;
    if header.iter().ne(CSV_HEADER) {
        return Err(context.not_format(Format::Csv, format!("the header is not {}", CSV_HEADER.join(","))));
    }
    let mut collector = Collector::default();
    let mut lines = text::Lines::new(&content);
    for result in reader.records() {
        collector.push(csv_row(result, &mut lines));
    }
    Ok(collector.finish())
}

fn csv_row(result: csv::Result<StringRecord>, lines: &mut text::Lines) -> Result<Row, Rejected> {
    let (record, line) = lines.locate(result)?;
    let reject = |reason: String| Rejected {
        line,
        source_key: None,
        reason,
    };
    if record.len() != CSV_HEADER.len() {
        return Err(reject(format!(
            "expected {} fields, found {}",
            CSV_HEADER.len(),
            record.len()
        )));
    }
    let entry = csv_entry(&record).map_err(reject)?;
    finish(line, &record[0], entry)
}

fn csv_entry(r: &StringRecord) -> Result<WatchlistEntry, String> {
    let party = Party {
        entity_type: parse_enum("entity_type", &r[2], EntityType::from_str_name)?,
        names: json_list("names", &r[3])?,
        addresses: json_list("addresses", &r[4])?,
        countries: joined_list(&r[5]),
        identifiers: json_list("identifiers", &r[6])?,
        birth_dates: joined_list(&r[7]),
    };
    Ok(WatchlistEntry {
        list: r[1].to_owned(),
        party: Some(party),
        reason: r[8].to_owned(),
        legal_citation: r[9].to_owned(),
        license_requirement: r[10].to_owned(),
        license_policy: r[11].to_owned(),
        listing_date: r[12].to_owned(),
        end_date: r[13].to_owned(),
        status: parse_enum("status", &r[14], WatchlistStatus::from_str_name)?,
        source_url: r[15].to_owned(),
    })
}

fn json_list<T: for<'de> Deserialize<'de>>(column: &str, cell: &str) -> Result<Vec<T>, String> {
    if cell.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(cell).map_err(|e| format!("{column}: not a JSON array of the export's shape: {e}"))
}

fn joined_list(cell: &str) -> Vec<String> {
    if cell.is_empty() {
        return Vec::new();
    }
    cell.split(LIST_SEPARATOR).map(str::to_owned).collect()
}

/// Converts and validates one exported entry. Nothing is cleaned: the export is ours, so
/// anything invalid in it is refused rather than silently altered.
fn finish(line: usize, id: &str, entry: WatchlistEntry) -> Result<Row, Rejected> {
    let reject = |source_key: Option<String>, reason: String| Rejected {
        line,
        source_key,
        reason,
    };
    if id.trim() != id {
        return Err(reject(None, format!("id {id:?} has surrounding whitespace")));
    }
    let source_key = text::source_key(id).map_err(|reason| reject(None, reason))?;
    super::check_content(&entry).map_err(|reason| reject(Some(source_key.clone()), reason))?;
    Ok(Row {
        line,
        source_key,
        entry,
        warnings: Vec::new(),
    })
}

/// An enum by its full proto name; empty reads as UNSPECIFIED (refused by validation).
fn parse_enum<E: Into<i32>>(field: &str, name: &str, from_name: impl Fn(&str) -> Option<E>) -> Result<i32, String> {
    if name.is_empty() {
        return Ok(0);
    }
    from_name(name)
        .map(Into::into)
        .ok_or_else(|| format!("{field} {name:?} is not a known value"))
}
