//! Party evidence besides the name: what a query says about the party (country, entity
//! kind, cities, postal codes, birth dates) corroborating or contradicting a name match,
//! each a feature of the hit with its weight.
//!
//! Penalties only lower a score. Lifts raise it by at most `Query::max_lift`, which the
//! index subtracts from every threshold it prunes names with, so pruning stays exact.

use super::text::{fold, normalize_country};
use super::{EntityKind, Feature, Query};

/// The query country is given, the party has countries, and none is equal.
pub const COUNTRY_MISMATCH_PENALTY: f64 = -0.1;
/// Both entity kinds are known and differ.
pub const ENTITY_MISMATCH_PENALTY: f64 = -0.1;
/// Both sides give a birth date and agree to the day.
pub const BIRTH_DATE_MATCH: f64 = 0.05;
/// Both sides give birth dates and none agrees (to the precision both give): another person
/// of a similar name, most likely.
pub const BIRTH_DATE_MISMATCH: f64 = -0.15;
/// Both sides name the same postal code.
pub const POSTAL_CODE_MATCH: f64 = 0.05;
/// Both sides name the same city. Weaker than a postal code: many parties share a city.
pub const CITY_MATCH: f64 = 0.03;

/// A party's places and birth dates, as listed or as queried. Differing places are no
/// evidence against a match (parties move and have many addresses); differing birth dates
/// are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Particulars {
    pub cities: Vec<String>,
    pub postal_codes: Vec<String>,
    /// ISO 8601 dates. Records and requests hold full dates; partial ones (`1979`,
    /// `1979-07`) compare at the precision both give.
    pub birth_dates: Vec<String>,
}

impl Particulars {
    pub fn is_empty(&self) -> bool {
        self.cities.is_empty() && self.postal_codes.is_empty() && self.birth_dates.is_empty()
    }

    /// Compared forms: cities folded to lowercase letters and digits, postal codes to
    /// uppercase letters and digits, dates to their digits and dashes; empty values dropped.
    pub(crate) fn normalized(&self) -> Particulars {
        let clean = |values: &[String], f: fn(&str) -> String| {
            let mut out: Vec<String> = values.iter().map(|v| f(v)).filter(|v| !v.is_empty()).collect();
            out.sort_unstable();
            out.dedup();
            out
        };
        Particulars {
            cities: clean(&self.cities, |c| {
                fold(c).chars().filter(|c| c.is_alphanumeric()).collect()
            }),
            postal_codes: clean(&self.postal_codes, |p| {
                p.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect()
            }),
            birth_dates: clean(&self.birth_dates, |d| {
                d.trim()
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '-')
                    .collect()
            }),
        }
    }
}

/// What the index keeps of a listed party for `party_evidence`.
pub(crate) struct Listed<'a> {
    pub countries: &'a [String],
    pub entity: EntityKind,
    /// Normalized (`Particulars::normalized`); `None` when the party lists none.
    pub particulars: Option<&'a Particulars>,
}

impl Query {
    /// The most party evidence can add to a name's score for this query.
    pub fn max_lift(&self) -> f64 {
        let p = &self.particulars;
        let lift = |present: bool, weight: f64| if present { weight } else { 0.0 };
        lift(!p.birth_dates.is_empty(), BIRTH_DATE_MATCH)
            + lift(!p.postal_codes.is_empty(), POSTAL_CODE_MATCH)
            + lift(!p.cities.is_empty(), CITY_MATCH)
    }
}

/// The features a listed party's other particulars add to a name match.
pub(crate) fn party_evidence(listed: Listed, query: &Query) -> Vec<Feature> {
    let mut features = Vec::new();
    let mut add = |name, weight| features.push(Feature { name, weight });
    if let Some(country) = query.country.as_deref().map(normalize_country)
        && !country.is_empty()
        && !listed.countries.is_empty()
        && !listed.countries.contains(&country)
    {
        add("country_mismatch", COUNTRY_MISMATCH_PENALTY);
    }
    if let Some(entity) = query.entity
        && entity != EntityKind::Unknown
        && listed.entity != EntityKind::Unknown
        && entity != listed.entity
    {
        add("entity_mismatch", ENTITY_MISMATCH_PENALTY);
    }
    let Some(theirs) = listed.particulars.filter(|_| !query.particulars.is_empty()) else {
        return features;
    };
    let particulars = query.particulars.normalized();
    let shared = |ours: &[String], theirs: &[String]| ours.iter().any(|v| theirs.contains(v));
    if shared(&particulars.postal_codes, &theirs.postal_codes) {
        add("postal_code_match", POSTAL_CODE_MATCH);
    }
    if shared(&particulars.cities, &theirs.cities) {
        add("city_match", CITY_MATCH);
    }
    match birth_dates(&particulars.birth_dates, &theirs.birth_dates) {
        Some(DateAgreement::Day) => add("birth_date_match", BIRTH_DATE_MATCH),
        Some(DateAgreement::None) => add("birth_date_mismatch", BIRTH_DATE_MISMATCH),
        Some(DateAgreement::Partial) | None => {}
    }
    features
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DateAgreement {
    None,
    /// Equal as far as the less precise one goes (a year, a month).
    Partial,
    Day,
}

/// The best agreement between two lists of dates, `None` when either side has none.
fn birth_dates(ours: &[String], theirs: &[String]) -> Option<DateAgreement> {
    let pairs = ours.iter().flat_map(|a| theirs.iter().map(move |b| agreement(a, b)));
    pairs.max()
}

fn agreement(a: &str, b: &str) -> DateAgreement {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('-').collect(), b.split('-').collect());
    if a.iter().zip(&b).any(|(x, y)| x != y) {
        DateAgreement::None
    } else if a.len() >= 3 && b.len() >= 3 {
        DateAgreement::Day
    } else {
        DateAgreement::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_agree_as_far_as_both_go() {
        assert_eq!(agreement("1979-07-12", "1979-07-12"), DateAgreement::Day);
        assert_eq!(agreement("1979", "1979-07-12"), DateAgreement::Partial);
        assert_eq!(agreement("1979-08", "1979-07-12"), DateAgreement::None);
        assert_eq!(agreement("1980-07-12", "1979-07-12"), DateAgreement::None);
        assert_eq!(birth_dates(&[], &["1979".into()]), None);
    }

    #[test]
    fn particulars_are_compared_in_a_normal_form() {
        let p = Particulars {
            cities: vec![" Nizhny Novgorod".into(), String::new()],
            postal_codes: vec!["sw1a 1aa".into()],
            birth_dates: vec![" 1979-07-12T00:00".into()],
        }
        .normalized();
        assert_eq!(p.cities, ["nizhnynovgorod"]);
        assert_eq!(p.postal_codes, ["SW1A1AA"]);
        assert_eq!(p.birth_dates, ["1979-07-12"]);
    }
}
