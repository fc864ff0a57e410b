//! CSL JSON: the search API response (`{"total", "sources_used", "results": [...]}`) or the
//! bulk `consolidated.json` (same `results`), or a bare array of results.
//!
//! Each result is kept as raw text first, so one malformed result is rejected with the
//! line it starts on while the others are still imported.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::csl::{self, Address, Id, Record};
use super::text::{self, Lines};
use super::{Collector, Context, Format, ImportError, Parsed};

type Object = Map<String, Value>;

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    results: Vec<&'a RawValue>,
}

pub fn parse(context: &Context) -> Result<Parsed, ImportError> {
    let (text, _) = text::decode(context.read_bytes()?);
    let results = results(&text).map_err(|reason| context.not_format(Format::CslJson, reason))?;
    let mut collector = Collector::default();
    let mut lines = Lines::new(&text);
    for raw in results {
        let line = lines.at(offset_in(&text, raw.get()));
        collector.push(result_row(raw.get(), line, context));
    }
    Ok(collector.finish())
}

fn results(text: &str) -> Result<Vec<&RawValue>, String> {
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(text).map_err(|e| format!("not a JSON array of results: {e}"));
    }
    serde_json::from_str::<Response>(text)
        .map(|response| response.results)
        .map_err(|e| format!("not a CSL response with a \"results\" array: {e}"))
}

/// Where a borrowed slice of `text` starts (serde_json's raw values point into the input).
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn result_row(raw: &str, line: usize, context: &Context) -> Result<super::Row, super::Rejected> {
    let object = match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(object)) => object,
        _ => {
            return Err(super::Rejected {
                line,
                source_key: None,
                reason: "result is not a JSON object".to_owned(),
            });
        }
    };
    csl::to_row(&record(&object, line), context.default_listing)
}

fn record(o: &Object, line: usize) -> Record {
    let id = string(o, "id");
    Record {
        line,
        id: if id.is_empty() { string(o, "_id") } else { id },
        source: string(o, "source"),
        entity_type: string(o, "type"),
        programs: strings(o, "programs"),
        name: string(o, "name"),
        addresses: objects(o, "addresses").map(address).collect(),
        federal_register_notice: string(o, "federal_register_notice"),
        start_date: string(o, "start_date"),
        end_date: string(o, "end_date"),
        license_requirement: string(o, "license_requirement"),
        license_policy: string(o, "license_policy"),
        vessel_flag: string(o, "vessel_flag"),
        remarks: string(o, "remarks"),
        source_list_url: string(o, "source_list_url"),
        source_information_url: string(o, "source_information_url"),
        alt_names: strings(o, "alt_names"),
        countries: ["nationalities", "citizenships", "country", "countries"]
            .iter()
            .flat_map(|key| strings(o, key))
            .collect(),
        dates_of_birth: strings(o, "dates_of_birth"),
        ids: objects(o, "ids").map(identifier).collect(),
    }
}

fn address(o: &Object) -> Address {
    Address {
        street: string(o, "address"),
        city: string(o, "city"),
        state: string(o, "state"),
        postal_code: string(o, "postal_code"),
        country: string(o, "country"),
    }
}

fn identifier(o: &Object) -> Id {
    Id {
        kind: string(o, "type"),
        number: string(o, "number"),
        country: string(o, "country"),
    }
}

/// A scalar field as text; null, missing and structured values read as empty.
fn string(o: &Object, key: &str) -> String {
    match o.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A list field; a lone string counts as a one-element list.
fn strings(o: &Object, key: &str) -> Vec<String> {
    let values = match o.get(key) {
        Some(Value::Array(values)) => values.iter().collect(),
        Some(value) => vec![value],
        None => Vec::new(),
    };
    values
        .into_iter()
        .filter_map(|v| v.as_str().map(text::clean))
        .filter(|v| !v.is_empty())
        .collect()
}

fn objects<'a>(o: &'a Object, key: &str) -> impl Iterator<Item = &'a Object> {
    o.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}
