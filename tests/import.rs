//! Import of every supported format from fixtures laid out like the published files.

use std::path::{Path, PathBuf};

use fedx::import::{Format, Options, Parsed, Row, export_csv, export_jsonl, parse};
use fedx::proto::{EntityType, Identifier, IdentifierType, Name, NameKind, WatchlistEntry, WatchlistStatus};

const DEFAULT_LISTING: &str = "2026-01-01";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

fn options() -> Options {
    Options {
        default_listing_date: DEFAULT_LISTING.to_owned(),
    }
}

fn parsed(format: Format, name: &str) -> Parsed {
    parse(format, &fixture(name), &options()).expect("fixture parses")
}

fn row<'p>(parsed: &'p Parsed, key: &str) -> &'p Row {
    parsed
        .rows
        .iter()
        .find(|r| r.source_key == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

fn keys(parsed: &Parsed) -> Vec<&str> {
    parsed.rows.iter().map(|r| r.source_key.as_str()).collect()
}

fn name(full_name: &str, kind: NameKind) -> Name {
    Name {
        full_name: full_name.to_owned(),
        kind: kind as i32,
    }
}

fn id(kind: IdentifierType, value: &str, country: &str) -> Identifier {
    Identifier {
        r#type: kind as i32,
        value: value.to_owned(),
        issuing_country: country.to_owned(),
    }
}

fn party(entry: &WatchlistEntry) -> &fedx::proto::Party {
    entry.party.as_ref().expect("party")
}

// ---------------------------------------------------------------------------------------
// CSL JSON
// ---------------------------------------------------------------------------------------

#[test]
fn csl_json_counts_and_rejections() {
    let p = parsed(Format::CslJson, "csl.json");
    assert_eq!(p.rows.len(), 6);
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].line, 210, "{:?}", p.rejected);
    assert_eq!(p.rejected[0].reason, "the entry has no name");
    let lists: Vec<&str> = p.rows.iter().map(|r| r.entry.list.as_str()).collect();
    assert_eq!(lists, ["EL", "SDN", "SDN", "DPL", "UVL", "MEU"]);
    assert_eq!(p.rows[0].line, 13);
}

#[test]
fn csl_json_sdn_individual_field_by_field() {
    let p = parsed(Format::CslJson, "csl.json");
    let r = row(&p, "36001");
    let e = &r.entry;
    assert_eq!(e.list, "SDN");
    assert_eq!(
        party(e).names,
        [
            name("PETROV, Ivan Sergeyevich", NameKind::Primary),
            name("PETROFF, Ivan", NameKind::Alias),
            name("PETROV, Ivan", NameKind::Alias),
        ]
    );
    assert_eq!(party(e).entity_type, EntityType::Person as i32);
    assert_eq!(party(e).countries, ["RU"]);
    assert_eq!(party(e).birth_dates, ["1970-01-12"]);
    assert_eq!(
        party(e).identifiers,
        [
            id(IdentifierType::Passport, "7512345678", "RU"),
            id(IdentifierType::Tax, "771234567890", "RU")
        ]
    );
    assert_eq!(party(e).addresses[0].city, "Moscow");
    assert_eq!(party(e).addresses[0].postal_code, "125009");
    assert_eq!(
        e.reason,
        "Programs: RUSSIA-EO14024; CYBER2\nDirector General of an illustrative test company."
    );
    assert_eq!(e.listing_date, DEFAULT_LISTING);
    assert_eq!(e.status, WatchlistStatus::Active as i32);
    assert_eq!(e.source_url, "https://sanctionslist.ofac.treas.gov/Home/SdnList");
    assert_eq!(r.warnings, ["birth date \"1968\" is not a full date, dropped"]);
}

#[test]
fn csl_json_bis_entries() {
    let p = parsed(Format::CslJson, "csl.json");
    let dpl = &row(&p, "e5a9eff64cec4a74ed5e9e93c2d851dc2d9132d2").entry;
    assert_eq!(party(dpl).names, [name("ADRIAN MANUEL HERNANDEZ", NameKind::Primary)]);
    assert_eq!(party(dpl).entity_type, EntityType::Unknown as i32);
    assert_eq!(
        (dpl.listing_date.as_str(), dpl.end_date.as_str()),
        ("2017-10-16", "2020-10-13")
    );
    assert_eq!(dpl.legal_citation, "82 F.R. 48792 10/20/2017");
    assert_eq!(party(dpl).addresses[0].city, "PHOENIX, AZ");
    let el = &row(&p, "b6e959b59898e975daaae8fae3a8da1ec522f9f888cafc0e6401a16d").entry;
    assert_eq!(el.license_policy, "Presumption of denial.");
    assert_eq!(el.listing_date, "2011-11-21");
    let bank = &row(&p, "906").entry;
    assert_eq!(
        party(bank).identifiers,
        [
            id(IdentifierType::Registration, "01074897", "GB"),
            id(IdentifierType::Other, "HAVIGB2L", "")
        ]
    );
}

// ---------------------------------------------------------------------------------------
// CSL CSV
// ---------------------------------------------------------------------------------------

#[test]
fn csl_csv_counts_and_rejections() {
    let p = parsed(Format::CslCsv, "consolidated.csv");
    assert_eq!(p.rows.len(), 6);
    assert_eq!(p.rows[0].line, 2);
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].line, 8);
    assert_eq!(p.rejected[0].reason, "expected 29 fields, found 9");
    assert_eq!(
        p.rejected[0].source_key.as_deref(),
        Some("0a6c1e4b2f0d4d1c9c4d3b2a1f0e9d8c7b6a5f4e")
    );
}

#[test]
fn csl_csv_matches_the_json_where_the_csv_carries_the_same_data() {
    let json = parsed(Format::CslJson, "csl.json");
    let csv = parsed(Format::CslCsv, "consolidated.csv");
    assert_eq!(keys(&json), keys(&csv));
    for (j, c) in json.rows.iter().zip(&csv.rows) {
        let (je, ce) = (&j.entry, &c.entry);
        assert_eq!(party(je).names, party(ce).names, "{}", j.source_key);
        assert_eq!(party(je).identifiers, party(ce).identifiers, "{}", j.source_key);
        assert_eq!(party(je).countries, party(ce).countries, "{}", j.source_key);
        assert_eq!(party(je).birth_dates, party(ce).birth_dates, "{}", j.source_key);
        assert_eq!(
            (&je.list, &je.reason, &je.legal_citation, &je.listing_date, &je.end_date),
            (&ce.list, &ce.reason, &ce.legal_citation, &ce.listing_date, &ce.end_date)
        );
        assert_eq!(j.warnings, c.warnings, "{}", j.source_key);
    }
    // The CSV flattens each address into one cell: street, city and postal code stay together.
    let address = &party(&row(&csv, "906").entry).addresses[0];
    assert_eq!(
        (address.street.as_str(), address.country.as_str()),
        ("4th Floor, 189 Marsh Wall, London, E14 9SH", "GB")
    );
}

// ---------------------------------------------------------------------------------------
// OFAC SDN
// ---------------------------------------------------------------------------------------

#[test]
fn ofac_counts_rejections_and_file_warnings() {
    let p = parsed(Format::OfacSdn, "ofac/sdn.csv");
    assert_eq!(keys(&p), ["36", "306", "12345", "9647", "7140", "15000", "18000"]);
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(
        (p.rejected[0].line, p.rejected[0].reason.as_str()),
        (7, "expected 12 fields, found 3")
    );
    assert_eq!(
        p.warnings,
        [
            "sdn.csv is not UTF-8: read as Windows-1252",
            "add.csv: 1 ent_num(s) match no imported sdn.csv entry"
        ]
    );
}

#[test]
fn ofac_individual_field_by_field() {
    let p = parsed(Format::OfacSdn, "ofac/sdn.csv");
    let r = row(&p, "12345");
    let e = &r.entry;
    assert_eq!(r.line, 3);
    assert_eq!(e.list, "SDN");
    assert_eq!(e.legal_citation, "[RUSSIA-EO14024] [CYBER2]");
    assert!(
        e.reason
            .starts_with("Title: Director General\nDOB 12 Jan 1970; alt. DOB circa 1968;")
    );
    assert_eq!(
        party(e).names,
        [
            name("PETROV, Ivan Sergeyevich", NameKind::Primary),
            name("PETROV, Ivan", NameKind::Previous),
            name("PETROFF, Ivan", NameKind::Alias),
            name("VANYA", NameKind::WeakAlias),
        ]
    );
    assert_eq!(party(e).entity_type, EntityType::Person as i32);
    assert_eq!(party(e).birth_dates, ["1970-01-12"]);
    assert_eq!(party(e).countries, ["RU"]);
    assert_eq!(
        party(e).identifiers,
        [
            id(IdentifierType::Passport, "7512345678", "RU"),
            id(IdentifierType::NationalId, "4510123456", "RU"),
            id(IdentifierType::Tax, "771234567890", "RU"),
        ]
    );
    let address = &party(e).addresses[0];
    assert_eq!(
        (address.street.as_str(), address.city.as_str(), address.country.as_str()),
        ("Ulitsa Tverskaya 7", "Moscow 125009", "RU")
    );
    assert_eq!(e.listing_date, DEFAULT_LISTING);
    assert_eq!(
        e.source_url,
        "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=12345"
    );
    assert_eq!(r.warnings, ["birth date \"circa 1968\" is not a full date, dropped"]);
}

#[test]
fn ofac_vessel_latin1_and_country_names() {
    let p = parsed(Format::OfacSdn, "ofac/sdn.csv");
    let vessel = &row(&p, "9647").entry;
    assert_eq!(party(vessel).entity_type, EntityType::Vessel as i32);
    assert_eq!(party(vessel).identifiers, [id(IdentifierType::Imo, "9000000", "")]);
    assert_eq!(party(vessel).countries, ["MT"]);

    let accented = row(&p, "7140");
    assert_eq!(party(&accented.entry).names[0].full_name, "GONZÁLEZ PEÑA, José María");
    assert_eq!(party(&accented.entry).addresses[0].city, "Medellín");
    assert!(party(&accented.entry).birth_dates.is_empty());
    assert_eq!(accented.warnings, ["birth date \"1965\" is not a full date, dropped"]);

    let korea = row(&p, "15000");
    assert_eq!(party(&korea.entry).countries, ["KP"]);
    assert_eq!(party(&korea.entry).addresses[1].country, "", "Kosovo has no ISO code");
    assert!(korea.warnings.iter().any(|w| w.contains("Kosovo")));
    assert_eq!(party(&row(&p, "18000").entry).countries, ["CD"]);

    let entity = &row(&p, "306").entry;
    assert_eq!(party(entity).entity_type, EntityType::Organisation as i32);
    assert_eq!(party(entity).countries, ["JP", "CU"]);
}

#[test]
fn ofac_without_side_files_is_a_warning() {
    let dir = std::env::temp_dir().join(format!("fedx-import-ofac-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sdn = dir.join("sdn.csv");
    std::fs::copy(fixture("ofac/sdn.csv"), &sdn).expect("copy");
    let p = parse(Format::OfacSdn, &sdn, &options()).expect("parses");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(p.rows.len(), 7);
    assert!(p.warnings.iter().any(|w| w.starts_with("add.csv not read")));
    assert!(p.warnings.iter().any(|w| w.starts_with("alt.csv not read")));
}

// ---------------------------------------------------------------------------------------
// FollowTheMoney
// ---------------------------------------------------------------------------------------

#[test]
fn ftm_counts_skips_and_rejections() {
    let p = parsed(Format::Ftm, "ftm.jsonl");
    assert_eq!(
        keys(&p),
        [
            "NK-2xHbkPe7RJNYrWmXrK9Qz5",
            "NK-6mAbCdEfGh1234567890ab",
            "ofac-9647",
            "NK-legalentity00000000001"
        ]
    );
    assert_eq!(p.skipped, 3, "Sanction, Address and a non-target Person");
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].line, 7);
    assert!(p.rejected[0].reason.starts_with("not valid JSON"));
}

#[test]
fn ftm_person_field_by_field() {
    let p = parsed(Format::Ftm, "ftm.jsonl");
    let r = row(&p, "NK-2xHbkPe7RJNYrWmXrK9Qz5");
    let e = &r.entry;
    assert_eq!(e.list, "us_ofac_sdn");
    assert_eq!(
        party(e).names,
        [
            name("Ivan Sergeyevich Petrov", NameKind::Primary),
            name("Иван Сергеевич Петров", NameKind::Alias),
            name("Ivan Petroff", NameKind::Alias),
            name("Vanya", NameKind::WeakAlias),
            name("Ivan Petrov", NameKind::Previous),
        ]
    );
    assert_eq!(party(e).birth_dates, ["1970-01-12"]);
    assert_eq!(party(e).countries, ["RU"]);
    assert_eq!(party(e).identifiers[0], id(IdentifierType::Passport, "7512345678", ""));
    assert_eq!(e.listing_date, "2022-03-11");
    assert_eq!(
        e.reason,
        "Programs: RUSSIA-EO14024\nDirector General of an illustrative test company."
    );
    assert_eq!(r.warnings.len(), 2, "two partial birth dates: {:?}", r.warnings);

    let company = row(&p, "NK-6mAbCdEfGh1234567890ab");
    assert_eq!(party(&company.entry).countries, ["RU", "CY"]);
    assert_eq!(company.entry.list, "us_ofac_sdn, gb_fcdo_sanctions");
    assert_eq!(company.entry.source_url, "", "ftp:// is not accepted by the node");
    let vessel = &row(&p, "ofac-9647").entry;
    assert_eq!(party(vessel).identifiers, [id(IdentifierType::Imo, "9000000", "")]);
    let legal = &row(&p, "NK-legalentity00000000001").entry;
    assert_eq!(party(legal).entity_type, EntityType::Unknown as i32);
    assert_eq!(legal.listing_date, DEFAULT_LISTING, "no first_seen");
}

// ---------------------------------------------------------------------------------------
// Every format: determinism and round trips through our exports
// ---------------------------------------------------------------------------------------

const SOURCES: [(Format, &str); 4] = [
    (Format::CslJson, "csl.json"),
    (Format::CslCsv, "consolidated.csv"),
    (Format::OfacSdn, "ofac/sdn.csv"),
    (Format::Ftm, "ftm.jsonl"),
];

#[test]
fn parsing_is_deterministic() {
    for (format, name) in SOURCES {
        assert_eq!(parsed(format, name), parsed(format, name), "{format}");
    }
}

fn exported(parsed: &Parsed) -> Vec<(String, WatchlistEntry)> {
    parsed
        .rows
        .iter()
        .map(|r| (r.source_key.clone(), r.entry.clone()))
        .collect()
}

fn round_trip(format: Format, bytes: &[u8], tag: &str) -> Vec<(String, WatchlistEntry)> {
    let path = std::env::temp_dir().join(format!("fedx-import-{}-{tag}.{format}", std::process::id()));
    std::fs::write(&path, bytes).expect("write export");
    let back = parse(format, &path, &options()).expect("export parses");
    std::fs::remove_file(&path).ok();
    assert!(back.rejected.is_empty(), "{format} {tag}: {:?}", back.rejected);
    assert!(back.rows.iter().all(|r| r.warnings.is_empty()));
    exported(&back)
}

#[test]
fn exports_round_trip_exactly() {
    for (format, name) in SOURCES {
        let rows = exported(&parsed(format, name));
        let tag = format.to_string();

        let mut jsonl = Vec::new();
        export_jsonl(&rows, &mut jsonl).expect("jsonl export");
        assert_eq!(round_trip(Format::Jsonl, &jsonl, &tag), rows, "jsonl from {format}");

        let mut csv = Vec::new();
        export_csv(&rows, &mut csv).expect("csv export");
        assert_eq!(round_trip(Format::Csv, &csv, &tag), rows, "csv from {format}");

        // Exporting again what was imported gives the same bytes: re-imports change nothing.
        let mut again = Vec::new();
        export_jsonl(&round_trip(Format::Jsonl, &jsonl, &tag), &mut again).expect("jsonl export");
        assert_eq!(again, jsonl);
    }
}

#[test]
fn jsonl_layout_uses_proto_names() {
    let rows = exported(&parsed(Format::OfacSdn, "ofac/sdn.csv"));
    let mut out = Vec::new();
    export_jsonl(&rows[..1], &mut out).expect("export");
    let line = String::from_utf8(out).expect("utf-8");
    assert!(line.starts_with(r#"{"id":"36","entry":{"list":"SDN","party":{"names":[{"full_name":"AEROCARIBBEAN AIRLINES","kind":"NAME_KIND_PRIMARY"}],"entity_type":"ENTITY_TYPE_ORGANISATION""#), "{line}");
    assert!(line.ends_with("\"status\":\"WATCHLIST_STATUS_ACTIVE\",\"source_url\":\"https://sanctionssearch.ofac.treas.gov/Details.aspx?id=36\"}}\n"), "{line}");
}

#[test]
fn malformed_export_lines_are_rejected_with_their_line() {
    let rows = exported(&parsed(Format::OfacSdn, "ofac/sdn.csv"));
    let mut jsonl = Vec::new();
    export_jsonl(&rows[..2], &mut jsonl).expect("export");
    jsonl.extend_from_slice(b"[1, 2, 3]\n\n{\"id\": \"x\", \"entry\": {\"list\": \"SDN\"}}\n");
    let path = std::env::temp_dir().join(format!("fedx-import-bad-{}.jsonl", std::process::id()));
    std::fs::write(&path, &jsonl).expect("write");
    let p = parse(Format::Jsonl, &path, &options()).expect("parses");
    std::fs::remove_file(&path).ok();
    assert_eq!(p.rows.len(), 2);
    let lines: Vec<usize> = p.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 5]);
    assert_eq!(p.rejected[1].reason, "watchlist_entry.party is missing");
}

// ---------------------------------------------------------------------------------------
// Whole-file errors
// ---------------------------------------------------------------------------------------

#[test]
fn wrong_format_and_bad_options_are_errors() {
    let wrong = parse(Format::OfacSdn, &fixture("consolidated.csv"), &options());
    assert!(wrong.is_err(), "a CSL CSV is not sdn.csv");
    assert!(parse(Format::CslJson, &fixture("ftm.jsonl"), &options()).is_err());
    assert!(parse(Format::CslCsv, &fixture("csl.json"), &options()).is_err());
    assert!(parse(Format::Csv, &fixture("consolidated.csv"), &options()).is_err());
    assert!(parse(Format::Ftm, &fixture("missing.jsonl"), &options()).is_err());
    let bad_default = Options {
        default_listing_date: "2026-1-1".to_owned(),
    };
    assert!(parse(Format::Ftm, &fixture("ftm.jsonl"), &bad_default).is_err());
    for format in Format::ALL {
        assert_eq!(format.to_string().parse::<Format>().ok(), Some(format));
    }
    assert!("xml".parse::<Format>().is_err());
}
