//! Common abbreviations in company names, expanded to the word they stand for, so that
//! "Gulf Precision Machinery Trdg" meets "Gulf Precision Machinery Trading" on equal
//! tokens. Applied to listed names and queries alike, after folding (lower case, no dots).
//! Only abbreviations that are not also words or brand parts of their own: "Tech" stays,
//! as "AlphaTech" and "Alpha Tech" must still meet.

use std::collections::HashMap;
use std::sync::LazyLock;

static EXPANSIONS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    [
        ("trdg", "trading"),
        ("tradg", "trading"),
        ("mfg", "manufacturing"),
        ("mfrs", "manufacturers"),
        ("manuf", "manufacturing"),
        ("intl", "international"),
        ("internat", "international"),
        ("corp", "corporation"),
        ("engg", "engineering"),
        ("engrg", "engineering"),
        ("techn", "technology"),
        ("technol", "technology"),
        ("elec", "electronics"),
        ("electr", "electronics"),
        ("inds", "industries"),
        ("indus", "industrial"),
        ("mach", "machinery"),
        ("equip", "equipment"),
        ("eqpt", "equipment"),
        ("svc", "services"),
        ("svcs", "services"),
        ("grp", "group"),
        ("hldg", "holding"),
        ("hldgs", "holdings"),
        ("bros", "brothers"),
        ("assoc", "associates"),
        ("natl", "national"),
        ("devt", "development"),
        ("mgmt", "management"),
        ("mktg", "marketing"),
        ("constr", "construction"),
        ("distr", "distribution"),
        ("logist", "logistics"),
        ("transp", "transport"),
        ("commn", "communications"),
        ("comms", "communications"),
        ("shpg", "shipping"),
        ("shipg", "shipping"),
        ("machy", "machinery"),
        ("avn", "aviation"),
        ("aviatn", "aviation"),
        ("matl", "material"),
        ("matls", "materials"),
        ("chem", "chemical"),
        ("chems", "chemicals"),
        ("pharm", "pharmaceutical"),
        ("pharms", "pharmaceuticals"),
        ("instr", "instruments"),
        ("instrs", "instruments"),
        ("electl", "electrical"),
        ("mfr", "manufacturer"),
        ("bldg", "building"),
        ("shipbldg", "shipbuilding"),
        ("entp", "enterprise"),
        ("entps", "enterprises"),
        ("invt", "investment"),
        ("navig", "navigation"),
        ("distrib", "distribution"),
        ("scm", "supply chain management"),
        ("imp", "import"),
        ("exp", "export"),
    ]
    .into_iter()
    .collect()
});

/// The words an abbreviation stands for, or the token itself.
pub(crate) fn expand(token: &str) -> &str {
    EXPANSIONS.get(token).copied().unwrap_or(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_expand_and_words_stay() {
        assert_eq!(expand("trdg"), "trading");
        assert_eq!(expand("intl"), "international");
        assert_eq!(expand("trading"), "trading");
        assert_eq!(expand("gulf"), "gulf");
    }
}
