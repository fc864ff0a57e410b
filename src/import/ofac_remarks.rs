//! OFAC's Remarks column: `; `-separated statements such as "DOB 10 Dec 1948", "POB Giza,
//! Egypt", "nationality Egypt", "Passport A1234567 (Iran) expires 01 Jan 2020",
//! "Vessel Registration Identification IMO 9187629" or "a.k.a. 'BNC'". Only statements
//! whose layout is unambiguous are read; the full text stays in the entry's reason.

use crate::proto::{IdentifierType, NameKind};

/// What the remarks say in a structured way, in the order they say it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub birth_dates: Vec<String>,
    pub countries: Vec<String>,
    /// (type, value, issuing country name or "").
    pub identifiers: Vec<(IdentifierType, String, String)>,
    pub names: Vec<(NameKind, String)>,
}

/// Statement prefixes carrying an identifier, as OFAC writes them.
const ID_PREFIXES: &[(&str, IdentifierType)] = &[
    ("Passport ", IdentifierType::Passport),
    ("Diplomatic Passport ", IdentifierType::Passport),
    ("National ID No. ", IdentifierType::NationalId),
    ("Identification Number ", IdentifierType::NationalId),
    ("Cedula No. ", IdentifierType::NationalId),
    ("SSN ", IdentifierType::NationalId),
    ("Tax ID No. ", IdentifierType::Tax),
    ("Registration Number ", IdentifierType::Registration),
    ("Registration ID ", IdentifierType::Registration),
    ("Company Number ", IdentifierType::Registration),
    ("Legal Entity Number ", IdentifierType::Lei),
    ("Vessel Registration Identification ", IdentifierType::Imo),
];

/// Alias statements: OFAC's weak a.k.a.s live only in the remarks, quoted.
const NAME_PREFIXES: &[(&str, NameKind)] = &[
    ("a.k.a. ", NameKind::WeakAlias),
    ("f.k.a. ", NameKind::Previous),
    ("n.k.a. ", NameKind::Alias),
];

pub fn parse(remarks: &str) -> Facts {
    let mut facts = Facts::default();
    for statement in remarks.split(';') {
        let statement = statement.trim().trim_end_matches('.').trim();
        let statement = statement.strip_prefix("alt. ").unwrap_or(statement);
        read_statement(statement, &mut facts);
    }
    facts
}

fn read_statement(statement: &str, facts: &mut Facts) {
    if let Some(date) = statement.strip_prefix("DOB ") {
        facts.birth_dates.push(date.trim().to_owned());
    } else if let Some(country) = ["nationality ", "citizen "]
        .iter()
        .find_map(|p| statement.strip_prefix(p))
    {
        facts.countries.push(country.trim().to_owned());
    } else if let Some((kind, rest)) = find_prefix(statement, ID_PREFIXES) {
        let (value, country) = value_and_country(rest);
        if !value.is_empty() {
            facts.identifiers.push((kind, value, country));
        }
    } else if let Some((kind, rest)) = find_prefix(statement, NAME_PREFIXES) {
        let name = rest.trim().trim_matches(['\'', '"']).trim();
        if !name.is_empty() {
            facts.names.push((kind, name.to_owned()));
        }
    }
}

fn find_prefix<'s, K: Copy>(statement: &'s str, prefixes: &[(&str, K)]) -> Option<(K, &'s str)> {
    prefixes
        .iter()
        .find_map(|(prefix, kind)| statement.strip_prefix(prefix).map(|rest| (*kind, rest)))
}

/// "A1234567 (Iran) expires 01 Jan 2020" → ("A1234567", "Iran"); without parentheses the
/// value ends where "issued"/"expires" begins.
fn value_and_country(rest: &str) -> (String, String) {
    if let Some((value, after)) = rest.split_once(" (")
        && let Some((country, _)) = after.split_once(')')
    {
        return (value.trim().to_owned(), country.trim().to_owned());
    }
    let end = [" issued ", " expires "]
        .iter()
        .filter_map(|marker| rest.find(marker))
        .min()
        .unwrap_or(rest.len());
    (rest[..end].trim().to_owned(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_typical_individual_remarks() {
        let facts = parse(
            "DOB 10 Dec 1948; alt. DOB 1950; POB Giza, Egypt; nationality Egypt; citizen Iran; \
             Passport A1234567 (Iran) expires 01 Jan 2020; National ID No. 0012345 (Iran); \
             Gender Male; a.k.a. 'ABU X'.",
        );
        assert_eq!(facts.birth_dates, ["10 Dec 1948", "1950"]);
        assert_eq!(facts.countries, ["Egypt", "Iran"]);
        assert_eq!(
            facts.identifiers,
            [
                (IdentifierType::Passport, "A1234567".to_owned(), "Iran".to_owned()),
                (IdentifierType::NationalId, "0012345".to_owned(), "Iran".to_owned()),
            ]
        );
        assert_eq!(facts.names, [(NameKind::WeakAlias, "ABU X".to_owned())]);
    }

    #[test]
    fn reads_vessel_remarks() {
        let facts = parse("Vessel Registration Identification IMO 9187629; MMSI 572469210; Linked To: NITC.");
        assert_eq!(
            facts.identifiers,
            [(IdentifierType::Imo, "IMO 9187629".to_owned(), String::new())]
        );
    }
}
