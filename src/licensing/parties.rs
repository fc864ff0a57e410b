//! One application party against one denial party: how well the names match (scored by
//! the screening engine) and what corroborates the match (a shared identifier, country,
//! city or postal code). An exact identifier alone is a strong match; a name match is
//! strong only when something corroborates it.

use std::collections::BTreeSet;

use crate::proto::{Address, EntityType, IdentifierType, NameKind, Party, PartyMatchStrength, ScreenFeature};
use crate::screening::live::{entity_kind, party_doc};
use crate::screening::{DEFAULT_MIN_SCORE, Index, Particulars, Query};

/// A name scoring this much, corroborated, is a strong match.
pub const STRONG_NAME: f64 = DEFAULT_MIN_SCORE;
/// Below this a name is no match at all; between the two it is a possible match.
pub const POSSIBLE_NAME: f64 = 0.75;
/// Identifier values shorter than this collide too easily to prove anything.
const MIN_IDENTIFIER: usize = 4;

/// How one application party matched one denial party.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub application_name: String,
    pub denial_name: String,
    pub score: f64,
    pub features: Vec<ScreenFeature>,
    pub corroboration: Vec<String>,
    pub strength: PartyMatchStrength,
}

/// Compares two parties. `fallback_country` stands in for the application party's
/// countries when it gives none (a consignee receives the goods in the destination).
pub fn compare(application: &Party, fallback_country: Option<&str>, denied: &Party) -> Option<Matched> {
    let identifier = shared_identifier(application, denied);
    let name = best_name(application, denied);
    let mut corroboration = Vec::new();
    if let Some(value) = &identifier {
        corroboration.push(format!("identifier {value}"));
    }
    corroboration.extend(shared_places(application, fallback_country, denied));
    let (application_name, denial_name, score, features) = match (name, &identifier) {
        (Some(name), _) => name,
        (None, Some(_)) => (
            primary_name(application),
            primary_name(denied),
            1.0,
            vec![ScreenFeature {
                name: "identifier_match".into(),
                weight: 1.0,
            }],
        ),
        (None, None) => return None,
    };
    let corroborated = !corroboration.is_empty();
    let strength = if identifier.is_some() || (score >= STRONG_NAME && corroborated) {
        PartyMatchStrength::Strong
    } else {
        PartyMatchStrength::Possible
    };
    Some(Matched {
        application_name,
        denial_name,
        score,
        features,
        corroboration,
        strength,
    })
}

fn primary_name(party: &Party) -> String {
    let primary = party.names.iter().find(|n| n.kind == NameKind::Primary as i32);
    primary
        .or(party.names.first())
        .map(|n| n.full_name.clone())
        .unwrap_or_default()
}

/// The best-scoring pair of names, scored by the screening engine over the denial party
/// alone, if it reaches `POSSIBLE_NAME`.
fn best_name(application: &Party, denied: &Party) -> Option<(String, String, f64, Vec<ScreenFeature>)> {
    let mut index: Index<()> = Index::new();
    index.upsert((), vec![party_doc(denied)]);
    let entity =
        (application.entity_type != EntityType::Unspecified as i32).then(|| entity_kind(application.entity_type));
    let mut best: Option<(String, String, f64, Vec<ScreenFeature>)> = None;
    for name in &application.names {
        let query = Query {
            name: name.full_name.clone(),
            country: None,
            entity,
            identifiers: Vec::new(),
            min_score: POSSIBLE_NAME,
            limit: 1,
            // Places corroborate through `shared_places`; birth dates go to the engine,
            // where a different one says "another person" and an equal one lifts the name.
            particulars: Particulars {
                birth_dates: application.birth_dates.clone(),
                ..Default::default()
            },
        };
        for hit in index.screen(&query) {
            if best.as_ref().is_none_or(|b| hit.score > b.2) {
                let features = hit
                    .features
                    .iter()
                    .map(|f| ScreenFeature {
                        name: f.name.into(),
                        weight: f.weight,
                    })
                    .collect();
                best = Some((name.full_name.clone(), hit.matched_name, hit.score, features));
            }
        }
    }
    best
}

/// An identifier both parties carry: equal values (letters and digits, any case), of
/// compatible types and issuing countries.
fn shared_identifier(application: &Party, denied: &Party) -> Option<String> {
    let untyped = |t: i32| t == IdentifierType::Unspecified as i32 || t == IdentifierType::Other as i32;
    let compatible = |a: i32, b: i32| a == b || untyped(a) || untyped(b);
    for ours in &application.identifiers {
        let value = identifier_value(&ours.value);
        if value.len() < MIN_IDENTIFIER {
            continue;
        }
        for theirs in &denied.identifiers {
            let countries_agree = ours.issuing_country.is_empty()
                || theirs.issuing_country.is_empty()
                || ours.issuing_country.eq_ignore_ascii_case(&theirs.issuing_country);
            if compatible(ours.r#type, theirs.r#type) && countries_agree && identifier_value(&theirs.value) == value {
                return Some(theirs.value.clone());
            }
        }
    }
    None
}

fn identifier_value(value: &str) -> String {
    value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

type AddressField = fn(&Address) -> &str;

/// Countries, cities and postal codes both parties name.
fn shared_places(application: &Party, fallback_country: Option<&str>, denied: &Party) -> Vec<String> {
    let mut ours = countries(application);
    if ours.is_empty() {
        ours.extend(fallback_country.map(str::to_ascii_uppercase));
    }
    let theirs = countries(denied);
    let mut shared: Vec<String> = ours.intersection(&theirs).map(|c| format!("country {c}")).collect();
    let place = |party: &Party, field: AddressField| -> BTreeSet<String> {
        party
            .addresses
            .iter()
            .map(|a| field(a).trim().to_lowercase())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let fields: [(&str, AddressField); 2] = [("city", |a| &a.city), ("postal code", |a| &a.postal_code)];
    for (what, field) in fields {
        for value in place(application, field).intersection(&place(denied, field)) {
            shared.push(format!("{what} {value}"));
        }
    }
    shared
}

fn countries(party: &Party) -> BTreeSet<String> {
    party
        .countries
        .iter()
        .chain(party.addresses.iter().map(|a| &a.country))
        .filter(|c| !c.is_empty())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{Identifier, Name};

    fn organisation(name: &str, countries: &[&str]) -> Party {
        Party {
            names: vec![Name {
                full_name: name.into(),
                kind: NameKind::Primary as i32,
            }],
            entity_type: EntityType::Organisation as i32,
            countries: countries.iter().map(|c| c.to_string()).collect(),
            ..Party::default()
        }
    }

    #[test]
    fn a_corroborated_name_is_strong_an_uncorroborated_one_possible() {
        let denied = organisation("Gulf Precision Machinery Trading LLC", &["AE"]);
        let spelled = organisation("GULF PRECISION MACHINERY TRADING L.L.C.", &[]);
        let strong = compare(&spelled, Some("AE"), &denied).unwrap();
        assert_eq!(strong.strength, PartyMatchStrength::Strong, "{strong:?}");
        assert_eq!(strong.corroboration, ["country AE"]);
        let possible = compare(&spelled, Some("SA"), &denied).unwrap();
        assert_eq!(possible.strength, PartyMatchStrength::Possible);
        assert!(compare(&organisation("Nordic Timber Export AB", &["AE"]), None, &denied).is_none());
    }

    #[test]
    fn an_exact_identifier_alone_is_strong() {
        let mut denied = organisation("Gulf Precision Machinery Trading LLC", &["AE"]);
        denied.identifiers.push(Identifier {
            r#type: IdentifierType::Registration as i32,
            value: "JAFZA-118204".into(),
            issuing_country: "AE".into(),
        });
        let mut other = organisation("Completely Different Name Ltd", &["GB"]);
        other.identifiers.push(Identifier {
            r#type: IdentifierType::Registration as i32,
            value: "jafza 118204".into(),
            issuing_country: String::new(),
        });
        let matched = compare(&other, None, &denied).unwrap();
        assert_eq!(matched.strength, PartyMatchStrength::Strong);
        assert_eq!(matched.score, 1.0);
        assert_eq!(matched.corroboration, ["identifier JAFZA-118204"]);
    }

    #[test]
    fn a_shared_city_corroborates() {
        let mut denied = organisation("Pars Aero Components Manufacturing Company", &[]);
        denied.addresses.push(Address {
            city: "Isfahan".into(),
            country: "IR".into(),
            ..Address::default()
        });
        let mut ours = organisation("Pars Aero Components Mfg Co", &[]);
        ours.addresses.push(Address {
            city: " ISFAHAN".into(),
            ..Address::default()
        });
        let matched = compare(&ours, None, &denied).unwrap();
        assert!(
            matched.corroboration.contains(&"city isfahan".to_string()),
            "{matched:?}"
        );
    }

    #[test]
    fn a_different_birth_date_lowers_a_person_match_an_equal_one_lifts_it() {
        let born = |date: &str| Party {
            names: vec![Name {
                full_name: "Sergei Viktorovich Lebedev".into(),
                kind: NameKind::Primary as i32,
            }],
            entity_type: EntityType::Person as i32,
            birth_dates: vec![date.into()],
            ..Party::default()
        };
        let mut applicant = born("1970-01-01");
        applicant.names[0].full_name = "Sergey Lebedev".into();
        let mut undated = applicant.clone();
        undated.birth_dates.clear();
        let score = |denied: &Party, ours: &Party| compare(ours, None, denied).map(|m| m.score);
        let name_only = score(&born("1970-01-01"), &undated).expect("the names match");
        assert!(score(&born("1970-01-01"), &applicant) > Some(name_only));
        assert!(score(&born("1982-03-04"), &applicant).is_none_or(|s| s < name_only));
    }
}
