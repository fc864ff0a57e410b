//! Identifier labels as the US lists write them ("Passport", "Tax ID No.", "Vessel
//! Registration Identification"...) mapped onto the node's identifier types.

use crate::proto::IdentifierType;

use super::text::fold_key;

/// What a labelled value in a source is.
#[derive(Debug, PartialEq, Eq)]
pub enum Label {
    /// An identity document or register number.
    Id(IdentifierType),
    /// Contact details, dates, sanction notes: not identifiers, dropped without comment
    /// (they stay readable in the source's remarks).
    NotAnIdentifier,
    /// A label this importer does not know; dropped with a warning so it can be added.
    Unknown,
}

/// Folded label prefixes, most specific first.
const TYPED: &[(&str, IdentifierType)] = &[
    ("vessel registration identification", IdentifierType::Imo),
    ("imo", IdentifierType::Imo),
    ("legal entity number", IdentifierType::Lei),
    ("lei", IdentifierType::Lei),
    ("diplomatic passport", IdentifierType::Passport),
    ("passport", IdentifierType::Passport),
    ("national id", IdentifierType::NationalId),
    ("national foreign id", IdentifierType::NationalId),
    ("identification number", IdentifierType::NationalId),
    ("personal id card", IdentifierType::NationalId),
    ("cedula no", IdentifierType::NationalId),
    ("c u r p", IdentifierType::NationalId),
    ("ssn", IdentifierType::NationalId),
    ("tax id", IdentifierType::Tax),
    ("vat number", IdentifierType::Tax),
    ("rfc", IdentifierType::Tax),
    ("nit", IdentifierType::Tax),
    ("ruc", IdentifierType::Tax),
    ("registration number", IdentifierType::Registration),
    ("registration id", IdentifierType::Registration),
    ("company number", IdentifierType::Registration),
    ("uk company number", IdentifierType::Registration),
    ("business registration", IdentifierType::Registration),
    ("business number", IdentifierType::Registration),
    ("commercial registry number", IdentifierType::Registration),
    ("government gazette number", IdentifierType::Registration),
    ("unified social credit code", IdentifierType::Registration),
    ("swift bic", IdentifierType::Other),
    ("mmsi", IdentifierType::Other),
    ("aircraft manufacturer s serial number", IdentifierType::Other),
    ("aircraft tail number", IdentifierType::Other),
    ("d u n s number", IdentifierType::Other),
    ("isin", IdentifierType::Other),
    ("driver s license", IdentifierType::Other),
    ("residency number", IdentifierType::Other),
    ("bik", IdentifierType::Other),
];

/// Folded label prefixes that are known not to be identifiers.
const NOT_IDENTIFIERS: &[&str] = &[
    "additional sanctions information",
    "aircraft construction number",
    "aircraft manufacture date",
    "aircraft model",
    "aircraft operator",
    "caatsa",
    "digital currency address",
    "effective date",
    "email address",
    "equity ticker",
    "executive order",
    "former vessel flag",
    "gender",
    "ifca determination",
    "issuer name",
    "listing date",
    "organization established date",
    "organization type",
    "other vessel",
    "phone number",
    "purchase sales for divestment date",
    "secondary sanctions risk",
    "subject to directive",
    "target type",
    "telephone",
    "transactions prohibited",
    "vessel call sign",
    "vessel flag",
    "vessel type",
    "vessel year of build",
    "website",
];

/// Classifies a source label.
pub fn classify(label: &str) -> Label {
    let key = fold_key(label);
    let starts = |prefix: &str| key == prefix || key.starts_with(&format!("{prefix} "));
    if let Some((_, kind)) = TYPED.iter().find(|(prefix, _)| starts(prefix)) {
        return Label::Id(*kind);
    }
    if NOT_IDENTIFIERS.iter().any(|prefix| starts(prefix)) {
        return Label::NotAnIdentifier;
    }
    Label::Unknown
}

/// The canonical form of an identifier value: IMO numbers as bare digits (sources write
/// "IMO 9187629", "IMO9187629" or "9187629"), everything else as written.
pub fn canonical_value(kind: IdentifierType, value: &str) -> String {
    let value = value.trim().trim_end_matches('.').trim();
    if kind == IdentifierType::Imo {
        let digits = value.trim_start_matches(|c: char| !c.is_ascii_digit());
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return digits.to_owned();
        }
    }
    value.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_us_list_labels() {
        assert_eq!(classify("Passport"), Label::Id(IdentifierType::Passport));
        assert_eq!(classify("Tax ID No."), Label::Id(IdentifierType::Tax));
        assert_eq!(classify("National ID No."), Label::Id(IdentifierType::NationalId));
        assert_eq!(classify("Registration Number"), Label::Id(IdentifierType::Registration));
        assert_eq!(
            classify("Vessel Registration Identification"),
            Label::Id(IdentifierType::Imo)
        );
        assert_eq!(classify("SWIFT/BIC"), Label::Id(IdentifierType::Other));
        assert_eq!(classify("Website"), Label::NotAnIdentifier);
        assert_eq!(classify("Listing Date (CMIC)"), Label::NotAnIdentifier);
        assert_eq!(classify("Frobnication Code"), Label::Unknown);
        assert_eq!(canonical_value(IdentifierType::Imo, "IMO 9187629"), "9187629");
        assert_eq!(canonical_value(IdentifierType::Passport, " A123. "), "A123");
    }
}
