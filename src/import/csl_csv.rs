//! CSL CSV (`consolidated.csv`): one row per entry, columns found by header name (the
//! publisher has reordered columns before). Multi-valued cells are `; `-separated;
//! addresses are "street, city, state, postal code, CC" and ids "[CC, ]number, type".

use std::collections::BTreeMap;

use csv::StringRecord;

use super::csl::{self, Address, Id, Record};
use super::text::{self, Lines, split_list};
use super::{Collector, Context, Format, ImportError, Parsed, Rejected, Row};

/// Columns without which a file is not a CSL CSV at all.
const REQUIRED: [&str; 3] = ["_id", "source", "name"];

pub fn parse(context: &Context) -> Result<Parsed, ImportError> {
    let (text, _) = text::decode(context.read_bytes()?);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| context.not_format(Format::CslCsv, e.to_string()))?;
    let columns = Columns::new(header).map_err(|reason| context.not_format(Format::CslCsv, reason))?;
    let mut collector = Collector::default();
    let mut lines = Lines::new(&text);
    for result in reader.records() {
        collector.push(row(result, &columns, &mut lines, context));
    }
    Ok(collector.finish())
}

/// Header name → column index.
struct Columns {
    index: BTreeMap<String, usize>,
    width: usize,
}

impl Columns {
    fn new(header: &StringRecord) -> Result<Columns, String> {
        let index: BTreeMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, name)| (name.trim().to_owned(), i))
            .collect();
        if let Some(missing) = REQUIRED.iter().find(|name| !index.contains_key(**name)) {
            return Err(format!("the header has no {missing:?} column"));
        }
        Ok(Columns {
            index,
            width: header.len(),
        })
    }

    fn get<'r>(&self, record: &'r StringRecord, name: &str) -> &'r str {
        self.index.get(name).and_then(|&i| record.get(i)).unwrap_or_default()
    }
}

fn row(
    result: csv::Result<StringRecord>,
    columns: &Columns,
    lines: &mut Lines,
    context: &Context,
) -> Result<Row, Rejected> {
    let (record, line) = lines.locate(result)?;
    if record.len() != columns.width {
        let key = text::clean(columns.get(&record, "_id"));
        return Err(Rejected {
            line,
            source_key: (!key.is_empty()).then_some(key),
            reason: format!("expected {} fields, found {}", columns.width, record.len()),
        });
    }
    csl::to_row(&to_record(&record, columns, line), context.default_listing)
}

fn to_record(r: &StringRecord, c: &Columns, line: usize) -> Record {
    let list = |name: &str| split_list(c.get(r, name), ';');
    Record {
        line,
        id: c.get(r, "_id").to_owned(),
        source: c.get(r, "source").to_owned(),
        entity_type: c.get(r, "type").to_owned(),
        programs: list("programs"),
        name: c.get(r, "name").to_owned(),
        addresses: list("addresses").iter().map(|a| address(a)).collect(),
        federal_register_notice: c.get(r, "federal_register_notice").to_owned(),
        start_date: c.get(r, "start_date").to_owned(),
        end_date: c.get(r, "end_date").to_owned(),
        license_requirement: c.get(r, "license_requirement").to_owned(),
        license_policy: c.get(r, "license_policy").to_owned(),
        vessel_flag: c.get(r, "vessel_flag").to_owned(),
        remarks: c.get(r, "remarks").to_owned(),
        source_list_url: c.get(r, "source_list_url").to_owned(),
        source_information_url: c.get(r, "source_information_url").to_owned(),
        alt_names: list("alt_names"),
        countries: [list("nationalities"), list("citizenships")].concat(),
        dates_of_birth: list("dates_of_birth"),
        ids: list("ids").iter().map(|i| id(i)).collect(),
    }
}

/// "No. 34 Mansour Street, Tehran, IR": the trailing code is the country; the rest cannot
/// be split into street, city and postal code reliably, so it stays whole as the street.
fn address(cell: &str) -> Address {
    let (street, country) = match cell.rsplit_once(',') {
        Some((rest, last)) if is_code(last.trim()) => (rest.trim(), last.trim()),
        _ if is_code(cell.trim()) => ("", cell.trim()),
        _ => (cell.trim(), ""),
    };
    Address {
        street: street.to_owned(),
        country: country.to_owned(),
        ..Address::default()
    }
}

/// "RU, 1027700159497, Registration Number" or "MOSWRUMM, SWIFT/BIC".
fn id(cell: &str) -> Id {
    let parts: Vec<&str> = cell.split(',').map(str::trim).collect();
    let Some((kind, rest)) = parts.split_last() else {
        return Id::default();
    };
    let (country, number) = match rest {
        [first, number @ ..] if !number.is_empty() && is_code(first) => (*first, number.join(", ")),
        _ => ("", rest.join(", ")),
    };
    Id {
        kind: (*kind).to_owned(),
        number,
        country: country.to_owned(),
    }
}

fn is_code(value: &str) -> bool {
    value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_addresses_and_ids() {
        let a = address("No. 34 Mansour Street, Tehran, IR");
        assert_eq!(
            (a.street.as_str(), a.country.as_str()),
            ("No. 34 Mansour Street, Tehran", "IR")
        );
        let i = id("RU, 1027700159497, Registration Number");
        assert_eq!(
            (i.kind.as_str(), i.number.as_str(), i.country.as_str()),
            ("Registration Number", "1027700159497", "RU")
        );
        let i = id("MOSWRUMM, SWIFT/BIC");
        assert_eq!(
            (i.kind.as_str(), i.number.as_str(), i.country.as_str()),
            ("SWIFT/BIC", "MOSWRUMM", "")
        );
    }
}
