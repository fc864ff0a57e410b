//! The export-control regime a control-list entry comes from, read from its code. The EU
//! dual-use list (Annex I of Regulation 2021/821) and the US Commerce Control List number
//! entries alike: category digit, product group letter, then three digits whose first
//! names the regime (0 Wassenaar, 1 MTCR, 2 NSG, 3 Australia Group, 4 CWC); category 0
//! (nuclear materials, facilities and equipment) is the NSG's whatever follows. `ML`
//! entries are the Wassenaar Munitions List. Other codes (national entries, `5A992`,
//! catch-all) belong to no regime.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    Wassenaar,
    Mtcr,
    Nsg,
    AustraliaGroup,
    Cwc,
}

impl Regime {
    /// The regime of a control-list entry (`3A001.a.5` → Wassenaar), if its code says.
    pub fn of(entry: &str) -> Option<Regime> {
        let code: Vec<char> = entry
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        match code.as_slice() {
            ['M', 'L', digit, ..] if digit.is_ascii_digit() => Some(Regime::Wassenaar),
            ['0', 'A'..='E', d1, d2, d3, ..] if [d1, d2, d3].iter().all(|d| d.is_ascii_digit()) => Some(Regime::Nsg),
            [category, 'A'..='E', regime, d2, d3, ..]
                if [category, regime, d2, d3].iter().all(|d| d.is_ascii_digit()) =>
            {
                match regime {
                    '0' => Some(Regime::Wassenaar),
                    '1' => Some(Regime::Mtcr),
                    '2' => Some(Regime::Nsg),
                    '3' => Some(Regime::AustraliaGroup),
                    '4' => Some(Regime::Cwc),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The name the configuration uses (`[consultations.reply_within_by_regime]`).
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Wassenaar => "wassenaar",
            Regime::Mtcr => "mtcr",
            Regime::Nsg => "nsg",
            Regime::AustraliaGroup => "australia_group",
            Regime::Cwc => "cwc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_code_names_its_regime() {
        let cases = [
            ("3A001.a.5", Some(Regime::Wassenaar)),
            ("3a001", Some(Regime::Wassenaar)),
            ("ML10", Some(Regime::Wassenaar)),
            ("ml 8.a", Some(Regime::Wassenaar)),
            ("9A101", Some(Regime::Mtcr)),
            ("2B201.a", Some(Regime::Nsg)),
            ("0B001", Some(Regime::Nsg)),
            ("0C002", Some(Regime::Nsg)),
            ("2B350.d", Some(Regime::AustraliaGroup)),
            ("1C351", Some(Regime::AustraliaGroup)),
            ("1C450.a", Some(Regime::Cwc)),
            ("5A992", None),
            ("catch-all", None),
            ("", None),
            ("MLX", None),
            ("3Z001", None),
        ];
        for (entry, regime) in cases {
            assert_eq!(Regime::of(entry), regime, "{entry}");
        }
    }
}
