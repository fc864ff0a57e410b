//! Country resolution: ISO 3166-1 alpha-2 codes from the codes and names the sources use.
//! OFAC writes short names ("Russia", "Korea, North", "Burma"), CSL and FtM mostly codes
//! (FtM in lower case), spreadsheets sometimes alpha-3.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use isocountry::CountryCode;

use super::text::fold_key;

/// Names used by OFAC, BIS and State that the ISO short names do not match, as folded keys.
const ALIASES: &[(&str, &str)] = &[
    ("bahamas the", "BS"),
    ("bolivia", "BO"),
    ("brunei", "BN"),
    ("burma", "MM"),
    ("cabo verde", "CV"),
    ("cape verde", "CV"),
    ("china prc", "CN"),
    ("congo democratic republic of the", "CD"),
    ("congo republic of the", "CG"),
    ("cote d ivoire", "CI"),
    ("czech republic", "CZ"),
    ("democratic republic of the congo", "CD"),
    ("dprk", "KP"),
    ("eswatini", "SZ"),
    ("gambia the", "GM"),
    ("gaza", "PS"),
    ("holy see", "VA"),
    ("iran", "IR"),
    ("ivory coast", "CI"),
    ("korea north", "KP"),
    ("korea south", "KR"),
    ("laos", "LA"),
    ("macau", "MO"),
    ("macedonia", "MK"),
    ("micronesia federated states of", "FM"),
    ("moldova", "MD"),
    ("netherlands", "NL"),
    ("north korea", "KP"),
    ("north korea dprk", "KP"),
    ("north macedonia", "MK"),
    ("palestine", "PS"),
    ("palestinian", "PS"),
    ("people s republic of china", "CN"),
    ("people s republic of china prc", "CN"),
    ("republic of the congo", "CG"),
    ("russia", "RU"),
    ("south korea", "KR"),
    ("st kitts and nevis", "KN"),
    ("st lucia", "LC"),
    ("st vincent and the grenadines", "VC"),
    ("swaziland", "SZ"),
    ("syria", "SY"),
    ("taiwan", "TW"),
    ("tanzania", "TZ"),
    ("turkey", "TR"),
    ("turkey turkiye", "TR"),
    ("turkiye", "TR"),
    ("uae", "AE"),
    ("uk", "GB"),
    ("united kingdom", "GB"),
    ("united states", "US"),
    ("usa", "US"),
    ("vatican", "VA"),
    ("venezuela", "VE"),
    ("vietnam", "VN"),
    ("west bank", "PS"),
];

/// Folded name → alpha-2, built once from the ISO names plus `ALIASES`.
static BY_NAME: LazyLock<BTreeMap<String, &'static str>> = LazyLock::new(build_name_index);

fn build_name_index() -> BTreeMap<String, &'static str> {
    let mut index: BTreeMap<String, &'static str> = BTreeMap::new();
    for code in CountryCode::iter() {
        index.insert(fold_key(code.name()), code.alpha2());
    }
    // ISO qualifies many names ("Iran (Islamic Republic of)", "Tanzania, United Republic
    // of"); the bare name is unambiguous unless two countries share it (the Virgin Islands).
    let mut bare: BTreeMap<String, Option<&'static str>> = BTreeMap::new();
    for code in CountryCode::iter() {
        let short = code.name().split(['(', ',']).next().unwrap_or_default();
        let slot = bare.entry(fold_key(short)).or_insert(Some(code.alpha2()));
        if *slot != Some(code.alpha2()) {
            *slot = None;
        }
    }
    for (key, code) in bare {
        if let Some(code) = code {
            index.entry(key).or_insert(code);
        }
    }
    for (key, code) in ALIASES {
        index.insert((*key).to_owned(), code);
    }
    index
}

/// The alpha-2 code for a code or name, `None` when it cannot be resolved.
pub fn resolve(raw: &str) -> Option<&'static str> {
    let value = raw.trim();
    let by_code = match value.len() {
        2 => CountryCode::for_alpha2_caseless(value).ok(),
        3 => CountryCode::for_alpha3_caseless(value).ok(),
        _ => None,
    };
    if let Some(code) = by_code {
        return Some(code.alpha2());
    }
    BY_NAME.get(&fold_key(value)).copied()
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn resolves_codes_and_ofac_names() {
        let cases = [
            ("RU", "RU"),
            ("ru", "RU"),
            ("IRN", "IR"),
            ("Russia", "RU"),
            ("Iran", "IR"),
            ("Korea, North", "KP"),
            ("Burma", "MM"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Congo, Republic of the", "CG"),
            ("Germany", "DE"),
            ("Côte d'Ivoire", "CI"),
            ("United Arab Emirates", "AE"),
            ("Tanzania, United Republic of", "TZ"),
        ];
        for (raw, code) in cases {
            assert_eq!(resolve(raw), Some(code), "{raw}");
        }
        assert_eq!(resolve("Kosovo"), None);
        assert_eq!(resolve("Virgin Islands"), None);
        assert_eq!(resolve("undetermined"), None);
    }
}
