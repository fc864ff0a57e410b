//! OpenSanctions FollowTheMoney entities (`entities.ftm.json`): one JSON object per line,
//! `{"id", "schema", "caption", "properties": {prop: [values]}, "datasets", "first_seen",
//! "last_seen", "last_change", "target"}`. Read line by line so multi-gigabyte exports do
//! not have to fit in memory. Only target entities of party schemata become entries;
//! everything else (Sanction, Address, Ownership...) is counted in `skipped`.

use serde_json::{Map, Value};

use crate::proto::{EntityType, IdentifierType, NameKind};

use super::builder::Draft;
use super::{Collector, Context, Format, ImportError, Parsed, Rejected, Row, text};

type Object = Map<String, Value>;

/// Properties holding identifiers, and the node type each maps to.
const ID_PROPERTIES: &[(&str, IdentifierType)] = &[
    ("passportNumber", IdentifierType::Passport),
    ("idNumber", IdentifierType::NationalId),
    ("registrationNumber", IdentifierType::Registration),
    ("ogrnCode", IdentifierType::Registration),
    ("taxNumber", IdentifierType::Tax),
    ("innCode", IdentifierType::Tax),
    ("vatCode", IdentifierType::Tax),
    ("leiCode", IdentifierType::Lei),
    ("imoNumber", IdentifierType::Imo),
    ("swiftBic", IdentifierType::Other),
];

/// Properties holding countries linked to the party.
const COUNTRY_PROPERTIES: &[&str] = &["country", "nationality", "citizenship", "jurisdiction", "flag"];

/// Other-name properties and their kinds (the first `name` is the primary).
const NAME_PROPERTIES: &[(&str, NameKind)] = &[
    ("alias", NameKind::Alias),
    ("weakAlias", NameKind::WeakAlias),
    ("previousName", NameKind::Previous),
];

pub fn parse(context: &Context) -> Result<Parsed, ImportError> {
    let mut collector = Collector::default();
    let mut recognised = false;
    text::for_each_line(context, |bytes, line| match entity(bytes, line) {
        Ok(None) => {}
        Ok(Some(object)) => {
            recognised = true;
            handle(&object, line, context, &mut collector);
        }
        Err(rejected) => collector.parsed.rejected.push(rejected),
    })?;
    if !recognised && !collector.parsed.rejected.is_empty() {
        return Err(context.not_format(Format::Ftm, "no line is a FollowTheMoney entity"));
    }
    Ok(collector.finish())
}

/// One line as an entity object; `None` for a blank line.
fn entity(bytes: &[u8], line: usize) -> Result<Option<Object>, Rejected> {
    let reject = |reason: String| Rejected {
        line,
        source_key: None,
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| reject(format!("not UTF-8: {e}")))?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) if object.get("schema").is_some_and(Value::is_string) => Ok(Some(object)),
        Ok(Value::Object(_)) => Err(reject("the object has no \"schema\"".to_owned())),
        Ok(_) => Err(reject("the line is not a JSON object".to_owned())),
        Err(e) => Err(reject(format!("not valid JSON: {e}"))),
    }
}

fn handle(object: &Object, line: usize, context: &Context, collector: &mut Collector) {
    let schema = object.get("schema").and_then(Value::as_str).unwrap_or_default();
    let target = object.get("target").and_then(Value::as_bool).unwrap_or(false);
    match (party_type(schema), target) {
        (Some(entity_type), true) => collector.push(to_row(object, entity_type, line, context)),
        _ => collector.skip(),
    }
}

/// FtM schemata that describe a party, and their node entity type.
fn party_type(schema: &str) -> Option<EntityType> {
    Some(match schema {
        "Person" => EntityType::Person,
        "Company" | "Organization" | "PublicBody" => EntityType::Organisation,
        "Vessel" => EntityType::Vessel,
        "Airplane" => EntityType::Aircraft,
        // LegalEntity is FtM's "person or organisation, unknown which".
        "LegalEntity" => EntityType::Unknown,
        _ => return None,
    })
}

fn to_row(o: &Object, entity_type: EntityType, line: usize, context: &Context) -> Result<Row, Rejected> {
    let mut draft = Draft::new(line, text(o, "id"))?;
    draft.entity_type = entity_type;
    draft.list = strings(o, "datasets").join(", ");
    add_names(&mut draft, o);
    COUNTRY_PROPERTIES
        .iter()
        .flat_map(|p| property(o, p))
        .for_each(|c| draft.country(&c));
    for (name, kind) in ID_PROPERTIES {
        property(o, name).iter().for_each(|v| draft.identifier(*kind, v, ""));
    }
    property(o, "address").iter().for_each(|a| draft.address(a, "", "", ""));
    property(o, "birthDate").iter().for_each(|d| draft.birth_date(d));
    draft.reason = reason(&property(o, "program"), &property(o, "notes"));
    draft.listing_date(text(o, "first_seen"));
    property(o, "sourceUrl").iter().for_each(|u| draft.source_url(u));
    draft.finish(context.default_listing)
}

/// The first `name` is primary (the caption when there is none); the rest are aliases.
fn add_names(draft: &mut Draft, o: &Object) {
    let names = property(o, "name");
    match names.split_first() {
        Some((primary, rest)) => {
            draft.primary_name(primary);
            rest.iter().for_each(|n| draft.name(n, NameKind::Alias));
        }
        None => draft.primary_name(text(o, "caption")),
    }
    for (name, kind) in NAME_PROPERTIES {
        property(o, name).iter().for_each(|n| draft.name(n, *kind));
    }
}

fn reason(programs: &[String], notes: &[String]) -> String {
    let programs = (!programs.is_empty()).then(|| format!("Programs: {}", programs.join("; ")));
    programs
        .into_iter()
        .chain(notes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn text<'a>(o: &'a Object, key: &str) -> &'a str {
    o.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn strings(o: &Object, key: &str) -> Vec<String> {
    o.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The string values of one property (nested entities of other export forms are ignored).
fn property(o: &Object, name: &str) -> Vec<String> {
    o.get("properties")
        .and_then(Value::as_object)
        .map(|properties| strings(properties, name))
        .unwrap_or_default()
}
