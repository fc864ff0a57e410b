//! Tests of the content rules and of the defaults a local put gets.

use super::*;
use crate::proto::{Identifier, Name};

fn person() -> Party {
    Party {
        names: vec![
            Name {
                full_name: "Ivan Petrov".into(),
                kind: NameKind::Primary as i32,
            },
            Name {
                full_name: "I. Petrov".into(),
                kind: NameKind::Alias as i32,
            },
        ],
        entity_type: EntityType::Person as i32,
        addresses: vec![Address {
            street: "Main St 1".into(),
            city: "Minsk".into(),
            country: "BY".into(),
            ..Default::default()
        }],
        countries: vec!["BY".into(), "RU".into()],
        identifiers: vec![Identifier {
            r#type: IdentifierType::Passport as i32,
            value: "MP1234567".into(),
            issuing_country: "BY".into(),
        }],
        birth_dates: vec!["1970-05-01".into()],
    }
}

fn organisation(name: &str, country: &str) -> Party {
    Party {
        names: vec![Name {
            full_name: name.into(),
            kind: NameKind::Primary as i32,
        }],
        entity_type: EntityType::Organisation as i32,
        countries: vec![country.into()],
        ..Default::default()
    }
}

fn entry() -> WatchlistEntry {
    WatchlistEntry {
        list: "EL".into(),
        party: Some(person()),
        reason: "Procurement for a military end user.".into(),
        listing_date: "2024-01-15".into(),
        end_date: "2025-01-15".into(),
        status: WatchlistStatus::Active as i32,
        source_url: "https://example.org/el".into(),
        ..Default::default()
    }
}

fn denial() -> LicenseDenial {
    LicenseDenial {
        reference: "DE-2026-0042".into(),
        regime: Regime::WaDu as i32,
        action: DenialAction::Refusal as i32,
        control_list_entries: vec!["3A001.a.1".into(), "ML10".into()],
        item_description: "Radiation-hardened microcircuits".into(),
        destination_country: "IR".into(),
        consignee: Some(organisation("Acme Trading LLC", "AE")),
        end_user: Some(organisation("Example Industries", "IR")),
        intermediaries: vec![organisation("Transit GmbH", "TR")],
        decision_date: "2026-03-14".into(),
        review_due_date: "2029-03-14".into(),
        status: DenialStatus::Active as i32,
        ..Default::default()
    }
}

fn check() -> EndUseCheck {
    EndUseCheck {
        check_type: CheckType::PostShipmentVerification as i32,
        license_reference: "FR-LIC-77".into(),
        parties: vec![organisation("Example Industries", "IN")],
        items: vec!["CNC machine".into()],
        site_address: Some(Address {
            city: "Pune".into(),
            country: "IN".into(),
            ..Default::default()
        }),
        conducted_date: "2025-11-02".into(),
        outcome: CheckOutcome::Unfavorable as i32,
        reason: CheckReason::ItemsUnaccounted as i32,
        follow_up: FollowUp::WatchlistListing as i32,
        status: CheckStatus::Active as i32,
    }
}

fn body(kind: Kind) -> RecordBody {
    RecordBody { kind: Some(kind) }
}

fn error_of(body: &RecordBody) -> String {
    match validate_body(body) {
        Err(
            e @ Error::Refused {
                reason: crate::error::Refusal::InvalidContent,
                ..
            },
        ) => e.to_string(),
        other => panic!("expected an invalid-content refusal, got {other:?}"),
    }
}

/// A mutation of a valid message and a substring of the error it must cause.
type Case<T> = (fn(&mut T), &'static str);

/// Applies each mutation to a fresh valid message and expects the error to mention `want`.
fn run<T: Clone>(valid: T, wrap: fn(T) -> Kind, cases: &[Case<T>]) {
    assert!(validate_body(&body(wrap(valid.clone()))).is_ok());
    for (i, (mutate, want)) in cases.iter().enumerate() {
        let mut message = valid.clone();
        mutate(&mut message);
        let got = error_of(&body(wrap(message)));
        assert!(got.contains(want), "case {i}: {got:?} does not contain {want:?}");
    }
}

fn consignee(d: &mut LicenseDenial) -> &mut Party {
    d.consignee.as_mut().unwrap()
}

#[test]
fn valid_bodies_pass_and_empty_fails() {
    for kind in [
        Kind::WatchlistEntry(entry()),
        Kind::LicenseDenial(denial()),
        Kind::EndUseCheck(check()),
    ] {
        validate_body(&body(kind)).unwrap();
    }
    assert!(error_of(&RecordBody::default()).contains("record body is empty"));
}

#[test]
fn party_rules() {
    let cases: &[Case<LicenseDenial>] = &[
        (
            |d| consignee(d).names.clear(),
            "license_denial.consignee.names is empty",
        ),
        (
            |d| consignee(d).names[0].full_name = "  ".into(),
            "license_denial.consignee.names[0].full_name is empty",
        ),
        (
            |d| consignee(d).names[0].full_name = "x".repeat(513),
            "names[0].full_name is longer than 512",
        ),
        (
            |d| consignee(d).names[0].kind = NameKind::Alias as i32,
            "has 0 names of kind NAME_KIND_PRIMARY",
        ),
        (
            |d| {
                let primary = consignee(d).names[0].clone();
                consignee(d).names.push(primary)
            },
            "has 2 names of kind NAME_KIND_PRIMARY",
        ),
        (
            |d| consignee(d).names[0].kind = 0,
            "consignee.names[0].kind is unspecified",
        ),
        (
            |d| consignee(d).names[0].kind = 42,
            "consignee.names[0].kind has unknown value 42",
        ),
        (|d| consignee(d).entity_type = 0, "consignee.entity_type is unspecified"),
        (
            |d| consignee(d).entity_type = 42,
            "consignee.entity_type has unknown value 42",
        ),
        (
            |d| consignee(d).countries[0] = "ae".into(),
            r#"consignee.countries[0] "ae" is not an ISO 3166-1"#,
        ),
        (
            |d| consignee(d).countries.push("XX".into()),
            r#"consignee.countries[1] "XX" is not an ISO 3166-1"#,
        ),
        (
            |d| consignee(d).addresses.push(Address::default()),
            "consignee.addresses[0] is empty",
        ),
        (
            |d| {
                consignee(d).addresses.push(Address {
                    country: "UAE".into(),
                    ..Default::default()
                })
            },
            r#"addresses[0].country "UAE" is not"#,
        ),
        (
            |d| consignee(d).identifiers.push(Identifier::default()),
            "consignee.identifiers[0].type is unspecified",
        ),
        (
            |d| {
                consignee(d).identifiers.push(Identifier {
                    r#type: 1,
                    ..Default::default()
                })
            },
            "consignee.identifiers[0].value is empty",
        ),
        (
            |d| {
                consignee(d).identifiers.push(Identifier {
                    r#type: 99,
                    value: "1".into(),
                    ..Default::default()
                })
            },
            "identifiers[0].type has unknown value 99",
        ),
        (
            |d| {
                let id = Identifier {
                    r#type: 1,
                    value: "1".into(),
                    issuing_country: "Q1".into(),
                };
                consignee(d).identifiers.push(id)
            },
            r#"identifiers[0].issuing_country "Q1" is not"#,
        ),
        (
            |d| consignee(d).birth_dates.push("1970-01-01".into()),
            "consignee.birth_dates is only allowed for ENTITY_TYPE_PERSON, not ENTITY_TYPE_ORGANISATION",
        ),
        (
            |d| d.end_user.as_mut().unwrap().names.clear(),
            "license_denial.end_user.names is empty",
        ),
        (
            |d| d.intermediaries[0].entity_type = 0,
            "license_denial.intermediaries[0].entity_type is unspecified",
        ),
    ];
    run(denial(), Kind::LicenseDenial, cases);

    // Birth dates on a person: allowed, but must be dates.
    let cases: &[Case<EndUseCheck>] = &[
        (
            |c| {
                c.parties[0] = Party {
                    birth_dates: vec!["1970-13-01".into()],
                    ..person()
                }
            },
            "parties[0].birth_dates[0]",
        ),
        (
            |c| {
                c.parties[0] = Party {
                    birth_dates: vec!["1970-1-01".into()],
                    ..person()
                }
            },
            "is not a valid date",
        ),
    ];
    run(
        EndUseCheck {
            parties: vec![person()],
            ..check()
        },
        Kind::EndUseCheck,
        cases,
    );
}

#[test]
fn watchlist_entry_rules() {
    let cases: &[Case<WatchlistEntry>] = &[
        (|e| e.list.clear(), "watchlist_entry.list is empty"),
        (|e| e.party = None, "watchlist_entry.party is missing"),
        (
            |e| e.party.as_mut().unwrap().names[0].full_name.clear(),
            "watchlist_entry.party.names[0].full_name is empty",
        ),
        (|e| e.status = 0, "watchlist_entry.status is unspecified"),
        (|e| e.status = 42, "watchlist_entry.status has unknown value 42"),
        (|e| e.listing_date.clear(), "watchlist_entry.listing_date is empty"),
        (
            |e| e.listing_date = "15.01.2024".into(),
            r#"watchlist_entry.listing_date "15.01.2024" is not a valid date"#,
        ),
        (|e| e.end_date = "2024-02-30".into(), "watchlist_entry.end_date"),
        (
            |e| e.end_date = "2023-12-31".into(),
            "end_date 2023-12-31 is before watchlist_entry.listing_date 2024-01-15",
        ),
        (
            |e| e.source_url = "ftp://example.org".into(),
            "watchlist_entry.source_url \"ftp://example.org\" is not",
        ),
        (
            |e| e.reason = "x".repeat(TEXT_MAX + 1),
            "watchlist_entry.reason is longer than 8192 characters",
        ),
    ];
    run(entry(), Kind::WatchlistEntry, cases);

    // Optional fields may be empty.
    validate_body(&body(Kind::WatchlistEntry(WatchlistEntry {
        end_date: String::new(),
        source_url: String::new(),
        ..entry()
    })))
    .unwrap();
}

#[test]
fn license_denial_rules() {
    let cases: &[Case<LicenseDenial>] = &[
        (|d| d.reference.clear(), "license_denial.reference is empty"),
        (
            |d| d.reference = "R".repeat(257),
            "license_denial.reference is longer than 256 characters",
        ),
        (|d| d.regime = 0, "license_denial.regime is unspecified"),
        (|d| d.regime = 42, "license_denial.regime has unknown value 42"),
        (|d| d.action = 0, "license_denial.action is unspecified"),
        (|d| d.action = 42, "license_denial.action has unknown value 42"),
        (|d| d.status = 0, "license_denial.status is unspecified"),
        (|d| d.status = 42, "license_denial.status has unknown value 42"),
        (
            |d| d.control_list_entries.clear(),
            "license_denial.control_list_entries is empty",
        ),
        (
            |d| d.control_list_entries[1].clear(),
            "license_denial.control_list_entries[1] is empty",
        ),
        (
            |d| d.control_list_entries[0] = "3A001 a".into(),
            "control_list_entries[0] \"3A001 a\" contains whitespace",
        ),
        (
            |d| d.item_description = " ".into(),
            "license_denial.item_description is empty",
        ),
        (
            |d| d.destination_country.clear(),
            "license_denial.destination_country is empty",
        ),
        (
            |d| d.destination_country = "XX".into(),
            r#"license_denial.destination_country "XX" is not an ISO 3166-1 alpha-2 code"#,
        ),
        (|d| d.consignee = None, "license_denial.consignee is missing"),
        (|d| d.decision_date.clear(), "license_denial.decision_date is empty"),
        (
            |d| d.decision_date = "2026-03-14T00:00:00Z".into(),
            "license_denial.decision_date \"2026-03-14T00:00:00Z\"",
        ),
        (
            |d| d.review_due_date = "2029-02-29".into(),
            "license_denial.review_due_date \"2029-02-29\" is not a valid date",
        ),
        (
            |d| d.review_due_date = "2026-03-13".into(),
            "review_due_date 2026-03-13 is before license_denial.decision_date",
        ),
    ];
    run(denial(), Kind::LicenseDenial, cases);

    // Optional parties and review date may be absent.
    validate_body(&body(Kind::LicenseDenial(LicenseDenial {
        end_user: None,
        intermediaries: vec![],
        review_due_date: String::new(),
        ..denial()
    })))
    .unwrap();
}

#[test]
fn end_use_check_rules() {
    let cases: &[Case<EndUseCheck>] = &[
        (|c| c.check_type = 0, "end_use_check.check_type is unspecified"),
        (|c| c.check_type = 42, "end_use_check.check_type has unknown value 42"),
        (
            |c| c.license_reference.clear(),
            "end_use_check.license_reference is empty",
        ),
        (|c| c.parties.clear(), "end_use_check.parties is empty"),
        (
            |c| c.parties[0].names.clear(),
            "end_use_check.parties[0].names is empty",
        ),
        (
            |c| c.site_address.as_mut().unwrap().country = "in".into(),
            r#"end_use_check.site_address.country "in""#,
        ),
        (|c| c.conducted_date.clear(), "end_use_check.conducted_date is empty"),
        (|c| c.outcome = 0, "end_use_check.outcome is unspecified"),
        (|c| c.outcome = 42, "end_use_check.outcome has unknown value 42"),
        (|c| c.reason = 42, "end_use_check.reason has unknown value 42"),
        (
            |c| c.reason = 0,
            "end_use_check.reason is required when outcome is CHECK_OUTCOME_UNFAVORABLE",
        ),
        (
            |c| c.outcome = CheckOutcome::Favorable as i32,
            "end_use_check.reason must be CHECK_REASON_UNSPECIFIED when outcome is CHECK_OUTCOME_FAVORABLE",
        ),
        (|c| c.follow_up = 0, "end_use_check.follow_up is unspecified"),
        (|c| c.status = 0, "end_use_check.status is unspecified"),
        (|c| c.status = 42, "end_use_check.status has unknown value 42"),
    ];
    run(check(), Kind::EndUseCheck, cases);

    let ok = |outcome: CheckOutcome, reason: CheckReason| {
        let check = EndUseCheck {
            outcome: outcome as i32,
            reason: reason as i32,
            site_address: None,
            ..check()
        };
        validate_body(&body(Kind::EndUseCheck(check))).unwrap();
    };
    ok(CheckOutcome::Favorable, CheckReason::Unspecified);
    ok(CheckOutcome::UnableToVerify, CheckReason::Unspecified);
    ok(CheckOutcome::UnableToVerify, CheckReason::HostGovernmentRefused);
}

#[test]
fn normalize_fills_defaults_and_upper_cases_countries() {
    let mut consignee = organisation("  Acme Trading LLC\t", "ae");
    consignee.addresses.push(Address {
        country: "ae".into(),
        ..Default::default()
    });
    consignee.identifiers.push(Identifier {
        r#type: 3,
        value: "1".into(),
        issuing_country: "ae".into(),
    });
    let mut b = body(Kind::LicenseDenial(LicenseDenial {
        status: 0,
        review_due_date: String::new(),
        destination_country: "ir".into(),
        consignee: Some(consignee),
        ..denial()
    }));
    normalize_body(&mut b);
    validate_body(&b).unwrap();
    let Some(Kind::LicenseDenial(d)) = &b.kind else {
        unreachable!()
    };
    assert_eq!(d.status, DenialStatus::Active as i32);
    assert_eq!(d.review_due_date, "2029-03-14");
    assert_eq!(d.destination_country, "IR");
    let c = d.consignee.as_ref().unwrap();
    assert_eq!(c.names[0].full_name, "Acme Trading LLC");
    assert_eq!((c.countries[0].as_str(), c.addresses[0].country.as_str()), ("AE", "AE"));
    assert_eq!(c.identifiers[0].issuing_country, "AE");

    // An explicit review date is kept; an unparsable decision date leaves it empty.
    let mut b = body(Kind::LicenseDenial(LicenseDenial {
        review_due_date: "2027-01-01".into(),
        ..denial()
    }));
    normalize_body(&mut b);
    let Some(Kind::LicenseDenial(d)) = &b.kind else {
        unreachable!()
    };
    assert_eq!(d.review_due_date, "2027-01-01");
    let mut b = body(Kind::LicenseDenial(LicenseDenial {
        decision_date: "soon".into(),
        review_due_date: String::new(),
        ..denial()
    }));
    normalize_body(&mut b);
    let Some(Kind::LicenseDenial(d)) = &b.kind else {
        unreachable!()
    };
    assert_eq!(d.review_due_date, "");

    let mut b = body(Kind::WatchlistEntry(WatchlistEntry { status: 0, ..entry() }));
    normalize_body(&mut b);
    let Some(Kind::WatchlistEntry(e)) = &b.kind else {
        unreachable!()
    };
    assert_eq!(e.status, WatchlistStatus::Active as i32);

    let site = Address {
        country: " in ".into(),
        ..Default::default()
    };
    let mut b = body(Kind::EndUseCheck(EndUseCheck {
        status: 0,
        site_address: Some(site),
        ..check()
    }));
    normalize_body(&mut b);
    let Some(Kind::EndUseCheck(c)) = &b.kind else {
        unreachable!()
    };
    assert_eq!(c.status, CheckStatus::Active as i32);
    assert_eq!(c.site_address.as_ref().unwrap().country, "IN");

    normalize_body(&mut RecordBody::default()); // a tombstone body: nothing to do
}

#[test]
fn dates_and_ids() {
    assert_eq!(
        parse_date("d", "2024-02-29").unwrap(),
        NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
    );
    for bad in ["2023-02-29", "2024-2-29", " 2024-02-29", "+2024-02-29", "20240229", ""] {
        assert!(parse_date("d", bad).is_err(), "{bad:?}");
    }

    check_id("DE/denial-2026-0042").unwrap();
    check_id(&"a".repeat(256)).unwrap();
    for (bad, want) in [
        ("", "id is empty"),
        (&*"a".repeat(257), "257 bytes"),
        ("DE/a\0b", "control character"),
        ("DE/a\nb", "control character"),
        (" DE/a", "whitespace"),
        ("DE/a ", "whitespace"),
    ] {
        let got = check_id(bad).unwrap_err().to_string();
        assert!(got.contains(want), "{bad:?}: {got:?}");
    }
}

#[test]
fn kinds() {
    assert_eq!(body_kind(&RecordBody::default()), None);
    assert_eq!(
        body_kind(&body(Kind::WatchlistEntry(entry()))),
        Some(RecordKind::WatchlistEntry)
    );
    assert_eq!(
        body_kind(&body(Kind::LicenseDenial(denial()))),
        Some(RecordKind::LicenseDenial)
    );
    assert_eq!(
        body_kind(&body(Kind::EndUseCheck(check()))),
        Some(RecordKind::EndUseCheck)
    );
}
