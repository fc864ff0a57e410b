//! OFAC SDN legacy CSV: `sdn.csv` (no header; ent_num, SDN_Name, SDN_Type, Program, Title,
//! Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks), joined on ent_num
//! with `add.csv` (ent_num, Add_Num, Address, City/State/Province/Postal Code, Country,
//! Add_remarks) and `alt.csv` (ent_num, alt_num, alt_type, alt_name, alt_remarks) from the
//! same directory. Nulls are "-0-"; files may be Windows-1252 and end with control-Z.

use std::collections::BTreeMap;
use std::path::Path;

use csv::StringRecord;

use crate::proto::{EntityType, NameKind};

use super::builder::Draft;
use super::text::{self, Lines, fold_key, ofac_null};
use super::{Collector, Context, Format, ImportError, Parsed, Rejected, Row, ofac_remarks};

const SDN_FIELDS: usize = 12;
const ADD_FIELDS: usize = 6;
const ALT_FIELDS: usize = 5;
const DETAILS_URL: &str = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=";

/// Rows of a side file (add.csv or alt.csv) by ent_num, in file order.
type SideRows = BTreeMap<String, Vec<Vec<String>>>;

pub fn parse(context: &Context) -> Result<Parsed, ImportError> {
    let (text, legacy) = text::decode(context.read_bytes()?);
    let mut collector = Collector::default();
    if legacy {
        collector.warn("sdn.csv is not UTF-8: read as Windows-1252");
    }
    let directory = context.path.parent().unwrap_or(Path::new("."));
    let addresses = read_side(&directory.join("add.csv"), ADD_FIELDS, &mut collector);
    let aliases = read_side(&directory.join("alt.csv"), ALT_FIELDS, &mut collector);
    let side = Side { addresses, aliases };

    let mut reader = csv_reader(&text);
    let mut records = reader.records().peekable();
    if let Some(Ok(first)) = records.peek() {
        check_looks_like_sdn(first).map_err(|reason| context.not_format(Format::OfacSdn, reason))?;
    }
    let mut lines = Lines::new(&text);
    for result in records {
        collector.push(row(result, &mut lines, &side, context));
    }
    warn_orphans(&side, &collector.parsed.rows, &mut collector.parsed.warnings);
    Ok(collector.finish())
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// A header row or another CSV layout means the wrong file was given.
fn check_looks_like_sdn(first: &StringRecord) -> Result<(), String> {
    let numeric = first.get(0).is_some_and(|f| is_ent_num(f.trim()));
    if numeric || first.len() == SDN_FIELDS {
        return Ok(());
    }
    Err(format!(
        "the first row has {} fields and no numeric ent_num (sdn.csv has {SDN_FIELDS} fields and no header)",
        first.len()
    ))
}

fn is_ent_num(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// The side files, joined by ent_num.
struct Side {
    addresses: SideRows,
    aliases: SideRows,
}

/// Reads add.csv or alt.csv. Missing or malformed side data only costs addresses or
/// aliases, so it is reported as a file warning rather than failing the import.
fn read_side(path: &Path, width: usize, collector: &mut Collector) -> SideRows {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            collector.warn(format!("{name} not read ({e}): entries have no data from it"));
            return SideRows::new();
        }
    };
    let (text, _) = text::decode(bytes);
    let mut rows = SideRows::new();
    let mut lines = Lines::new(&text);
    for result in csv_reader(&text).records() {
        match side_row(result, width, &mut lines) {
            Ok((ent_num, fields)) => rows.entry(ent_num).or_default().push(fields),
            Err(problem) => collector.warn(format!("{name} {problem}, row ignored")),
        }
    }
    rows
}

fn side_row(
    result: csv::Result<StringRecord>,
    width: usize,
    lines: &mut Lines,
) -> Result<(String, Vec<String>), String> {
    let record = result.map_err(|e| format!("line {}: malformed CSV: {e}", lines.record(e.position())))?;
    let line = lines.record(record.position());
    if record.len() != width {
        return Err(format!("line {line}: expected {width} fields, found {}", record.len()));
    }
    let fields: Vec<String> = record.iter().map(value).collect();
    if !is_ent_num(&fields[0]) {
        return Err(format!("line {line}: ent_num {:?} is not a number", fields[0]));
    }
    Ok((fields[0].clone(), fields))
}

/// A cell with OFAC's null marker read as empty.
fn value(cell: &str) -> String {
    if ofac_null(cell) {
        String::new()
    } else {
        text::clean(cell)
    }
}

fn row(result: csv::Result<StringRecord>, lines: &mut Lines, side: &Side, context: &Context) -> Result<Row, Rejected> {
    let (record, line) = lines.locate(result)?;
    let fields: Vec<String> = record.iter().map(value).collect();
    let reject = |reason: String| Rejected {
        line,
        source_key: fields.first().filter(|f| is_ent_num(f)).cloned(),
        reason,
    };
    if fields.len() != SDN_FIELDS {
        return Err(reject(format!("expected {SDN_FIELDS} fields, found {}", fields.len())));
    }
    if !is_ent_num(&fields[0]) {
        return Err(reject(format!("ent_num {:?} is not a number", fields[0])));
    }
    let sdn = Sdn::from_fields(&fields);
    sdn_row(&sdn, line, side, context)
}

/// The sdn.csv columns the mapping uses.
struct Sdn<'a> {
    ent_num: &'a str,
    name: &'a str,
    kind: &'a str,
    program: &'a str,
    title: &'a str,
    vessel_flag: &'a str,
    remarks: &'a str,
}

impl<'a> Sdn<'a> {
    fn from_fields(f: &'a [String]) -> Self {
        Sdn {
            ent_num: &f[0],
            name: &f[1],
            kind: &f[2],
            program: &f[3],
            title: &f[4],
            vessel_flag: &f[9],
            remarks: &f[11],
        }
    }
}

fn sdn_row(sdn: &Sdn, line: usize, side: &Side, context: &Context) -> Result<Row, Rejected> {
    let mut draft = Draft::new(line, sdn.ent_num)?;
    draft.list = "SDN".to_owned();
    draft.entity_type = entity_type(&mut draft, sdn.kind);
    draft.primary_name(sdn.name);
    add_aliases(&mut draft, side.aliases.get(sdn.ent_num));
    add_remarks(&mut draft, sdn.remarks);
    draft.country(sdn.vessel_flag);
    add_addresses(&mut draft, side.addresses.get(sdn.ent_num));
    draft.legal_citation = programs(sdn.program);
    draft.reason = reason(sdn.title, sdn.remarks);
    draft.source_url(&format!("{DETAILS_URL}{}", sdn.ent_num));
    draft.finish(context.default_listing)
}

fn entity_type(draft: &mut Draft, kind: &str) -> EntityType {
    match kind.to_ascii_lowercase().as_str() {
        "individual" => EntityType::Person,
        "vessel" => EntityType::Vessel,
        "aircraft" => EntityType::Aircraft,
        // OFAC leaves SDN_Type null for entities.
        "" | "entity" => EntityType::Organisation,
        other => {
            draft.warn(format!("SDN_Type {other:?} not recognised, ENTITY_TYPE_UNKNOWN used"));
            EntityType::Unknown
        }
    }
}

fn add_aliases(draft: &mut Draft, rows: Option<&Vec<Vec<String>>>) {
    for fields in rows.into_iter().flatten() {
        let kind = match fold_key(&fields[2]).replace(' ', "").as_str() {
            "fka" => NameKind::Previous,
            "aka" | "nka" => NameKind::Alias,
            other => {
                draft.warn(format!("alt_type {other:?} not recognised, read as an alias"));
                NameKind::Alias
            }
        };
        draft.name(&fields[3], kind);
    }
}

fn add_remarks(draft: &mut Draft, remarks: &str) {
    let facts = ofac_remarks::parse(remarks);
    facts.birth_dates.iter().for_each(|dob| draft.birth_date(dob));
    facts.countries.iter().for_each(|c| draft.country(c));
    for (kind, value, country) in &facts.identifiers {
        draft.identifier(*kind, value, country);
    }
    for (kind, name) in &facts.names {
        draft.name(name, *kind);
    }
}

/// add.csv rows: the combined "City/State/Province/Postal Code" column goes to `city`
/// (OFAC does not separate the postal code).
fn add_addresses(draft: &mut Draft, rows: Option<&Vec<Vec<String>>>) {
    for fields in rows.into_iter().flatten() {
        draft.address(&fields[2], &fields[3], "", &fields[4]);
        draft.country(&fields[4]);
    }
}

/// "SDGT] [IRGC" (the file drops the outer brackets) → "[SDGT] [IRGC]", OFAC's own
/// citation form for the programmes an entry is designated under.
fn programs(raw: &str) -> String {
    raw.split(['[', ']'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("[{p}]"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn reason(title: &str, remarks: &str) -> String {
    let title = (!title.is_empty()).then(|| format!("Title: {title}"));
    let remarks = (!remarks.is_empty()).then(|| remarks.to_owned());
    title.into_iter().chain(remarks).collect::<Vec<_>>().join("\n")
}

/// Side rows whose ent_num matched no imported entry point at a stale or partial download.
fn warn_orphans(side: &Side, rows: &[Row], warnings: &mut Vec<String>) {
    let imported: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.source_key.as_str()).collect();
    for (file, table) in [("add.csv", &side.addresses), ("alt.csv", &side.aliases)] {
        let orphans = table.keys().filter(|k| !imported.contains(k.as_str())).count();
        if orphans > 0 {
            warnings.push(format!("{file}: {orphans} ent_num(s) match no imported sdn.csv entry"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::programs;

    #[test]
    fn program_tags() {
        assert_eq!(programs("SDGT] [IRGC"), "[SDGT] [IRGC]");
        assert_eq!(programs("CUBA"), "[CUBA]");
    }
}
