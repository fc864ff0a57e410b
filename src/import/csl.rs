//! The US Consolidated Screening List record, shared by its JSON and CSV forms, and its
//! mapping onto a watchlist entry.

use chrono::NaiveDate;

use crate::proto::{EntityType, NameKind};

use super::builder::Draft;
use super::identifiers::{self, Label};
use super::text;
use super::{Rejected, Row};

/// One CSL result as both published forms carry it (fields the mapping ignores are not read).
#[derive(Debug, Default)]
pub struct Record {
    pub line: usize,
    pub id: String,
    pub source: String,
    pub entity_type: String,
    pub programs: Vec<String>,
    pub name: String,
    pub addresses: Vec<Address>,
    pub federal_register_notice: String,
    pub start_date: String,
    pub end_date: String,
    pub license_requirement: String,
    pub license_policy: String,
    pub vessel_flag: String,
    pub remarks: String,
    pub source_list_url: String,
    pub source_information_url: String,
    pub alt_names: Vec<String>,
    /// Nationalities, citizenships and the JSON's top-level `country`, in that order.
    pub countries: Vec<String>,
    pub dates_of_birth: Vec<String>,
    pub ids: Vec<Id>,
}

#[derive(Debug, Default)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Default)]
pub struct Id {
    pub kind: String,
    pub number: String,
    pub country: String,
}

/// Maps one record; see docs/import-formats.md for the table.
pub fn to_row(record: &Record, default_listing: NaiveDate) -> Result<Row, Rejected> {
    let mut draft = Draft::new(record.line, &record.id)?;
    draft.list = source_code(&record.source);
    draft.entity_type = entity_type(&mut draft, &record.entity_type);
    draft.primary_name(&record.name);
    for alias in &record.alt_names {
        draft.name(alias, NameKind::Alias);
    }
    add_places(&mut draft, record);
    add_ids(&mut draft, &record.ids);
    record.dates_of_birth.iter().for_each(|dob| draft.birth_date(dob));
    draft.listing_date(&record.start_date);
    draft.end_date(&record.end_date);
    draft.legal_citation = record.federal_register_notice.clone();
    draft.license_requirement = record.license_requirement.clone();
    draft.license_policy = record.license_policy.clone();
    draft.reason = reason(&record.programs, &record.remarks);
    draft.source_url(&record.source_list_url);
    draft.source_url(&record.source_information_url);
    draft.finish(default_listing)
}

/// "Entity List (EL) - Bureau of Industry and Security" → "EL"; the short code is what
/// operators filter on. "(NS-MBS List)" → "NS-MBS". Without parentheses the text is kept.
pub fn source_code(source: &str) -> String {
    let source = text::clean(source);
    let code = source
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inner, _)| inner.trim().trim_end_matches(" List").trim());
    match code {
        Some(code) if !code.is_empty() => code.to_owned(),
        _ => source,
    }
}

fn entity_type(draft: &mut Draft, raw: &str) -> EntityType {
    match text::clean(raw).to_ascii_lowercase().as_str() {
        "individual" => EntityType::Person,
        "entity" => EntityType::Organisation,
        "vessel" => EntityType::Vessel,
        "aircraft" => EntityType::Aircraft,
        // BIS and State lists do not type their entries.
        "" => EntityType::Unknown,
        other => {
            draft.warn(format!(
                "entity type {other:?} not recognised, ENTITY_TYPE_UNKNOWN used"
            ));
            EntityType::Unknown
        }
    }
}

/// Countries first (nationalities, citizenships, flag), then addresses, whose countries
/// also join `countries` so screening by country sees every country the list names.
fn add_places(draft: &mut Draft, record: &Record) {
    record.countries.iter().for_each(|c| draft.country(c));
    draft.country(&record.vessel_flag);
    for address in &record.addresses {
        // The node's Address has no region: the state travels with the city.
        let city = [address.city.as_str(), address.state.as_str()]
            .into_iter()
            .map(text::clean)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        draft.address(&address.street, &city, &address.postal_code, &address.country);
        draft.country(&address.country);
    }
}

fn add_ids(draft: &mut Draft, ids: &[Id]) {
    for id in ids {
        match identifiers::classify(&id.kind) {
            Label::Id(kind) => draft.identifier(kind, &id.number, &id.country),
            Label::NotAnIdentifier => {}
            Label::Unknown => draft.warn(format!("identifier type {:?} not recognised, dropped", id.kind)),
        }
    }
}

/// The programmes and the source's remarks, one per line.
pub fn reason(programs: &[String], remarks: &str) -> String {
    let mut lines = Vec::new();
    if !programs.is_empty() {
        lines.push(format!("Programs: {}", programs.join("; ")));
    }
    let remarks = text::clean(remarks);
    if !remarks.is_empty() {
        lines.push(remarks);
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::source_code;

    #[test]
    fn source_codes() {
        assert_eq!(source_code("Entity List (EL) - Bureau of Industry and Security"), "EL");
        assert_eq!(
            source_code("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department"),
            "NS-MBS"
        );
        assert_eq!(source_code("DPL"), "DPL");
    }
}
