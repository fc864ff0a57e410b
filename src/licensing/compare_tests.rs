//! The matching rule on the shipped example denial and variations of it.

use super::*;
use crate::proto::record_body::Kind;
use crate::proto::{EntityType, Name, NameKind, RecordBody};

fn example_denial() -> LicenseDenial {
    let json = include_str!("../../config/examples/denial.json");
    let body: RecordBody = serde_json::from_str(json).expect("the example denial parses");
    match body.kind {
        Some(Kind::LicenseDenial(denial)) => denial,
        other => panic!("not a denial: {other:?}"),
    }
}

fn organisation(name: &str) -> Party {
    Party {
        names: vec![Name {
            full_name: name.into(),
            kind: NameKind::Primary as i32,
        }],
        entity_type: EntityType::Organisation as i32,
        ..Party::default()
    }
}

fn application(consignee: &str, destination: &str, entries: &[&str]) -> Application {
    Application {
        reference: "APP-1".into(),
        control_list_entries: entries.iter().map(|e| e.to_string()).collect(),
        destination_country: destination.into(),
        consignee: Some(organisation(consignee)),
        ..Application::default()
    }
}

fn class_of(application: &Application, denial: &LicenseDenial) -> Option<MatchClass> {
    compare(application, denial).map(|m| m.class())
}

const CONSIGNEE: &str = "GULF PRECISION MACHINERY TRDG L.L.C.";

#[test]
fn the_consignee_spelled_otherwise_for_a_parent_entry_is_essentially_identical() {
    let found = compare(&application(CONSIGNEE, "AE", &["2B001.b"]), &example_denial()).unwrap();
    assert_eq!(found.class(), MatchClass::EssentiallyIdentical, "{found:#?}");
    assert_eq!(found.entries[0].relation(), crate::proto::EntryRelation::Parent);
    assert_eq!(found.parties[0].denial_name, "Gulf Precision Machinery Trading LLC");
    assert!(found.parties[0].corroboration.contains(&"country AE".to_string()));
    assert_eq!(found.review_due_date, "2029-03-14");
}

#[test]
fn other_goods_or_another_destination_are_only_related() {
    let denial = example_denial();
    assert_eq!(
        class_of(&application(CONSIGNEE, "AE", &["3A001"]), &denial),
        Some(MatchClass::Related)
    );
    let mut elsewhere = application(CONSIGNEE, "SA", &["2B001.b"]);
    // The consignee's own country still corroborates the name.
    elsewhere.consignee.as_mut().unwrap().countries.push("AE".into());
    assert_eq!(class_of(&elsewhere, &denial), Some(MatchClass::Related));
}

#[test]
fn an_uncorroborated_consignee_in_another_destination_is_no_match() {
    assert_eq!(
        class_of(&application(CONSIGNEE, "SA", &["2B001.b"]), &example_denial()),
        None
    );
}

#[test]
fn an_intermediary_match_alone_is_related_never_identical() {
    let mut app = application("Unrelated Buyer FZE", "AE", &["2B001.c"]);
    let mut intermediary = organisation("Baltic Tooling Supply OU");
    intermediary.countries.push("EE".into());
    app.intermediaries.push(intermediary);
    assert_eq!(class_of(&app, &example_denial()), Some(MatchClass::Related));
}

#[test]
fn a_catch_all_denial_is_at_most_related() {
    let mut denial = example_denial();
    denial.control_list_entries = vec!["catch-all".into()];
    let found = compare(&application(CONSIGNEE, "AE", &["2B001.b"]), &denial).unwrap();
    assert_eq!(found.class(), MatchClass::Related);
    assert!(found.catch_all);
}

#[test]
fn the_end_user_matches_the_end_user() {
    let mut app = application("Someone Else Trading", "AE", &["2B001.c"]);
    let mut end_user = organisation("Pars Aero Components Manufacturing Co.");
    end_user.countries.push("IR".into());
    app.end_user = Some(end_user);
    assert_eq!(
        class_of(&app, &example_denial()),
        Some(MatchClass::EssentiallyIdentical)
    );
}

#[test]
fn revoked_and_expired_denials_are_not_in_force() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let mut denial = example_denial();
    assert!(in_force(&denial, today));
    denial.status = DenialStatus::Revoked as i32;
    assert!(!in_force(&denial, today));
    denial.status = DenialStatus::Amended as i32;
    assert!(in_force(&denial, today));
    denial.decision_date = "2023-12-05".into();
    assert!(!in_force(&denial, today), "decided three years and a day ago");
    denial.review_due_date = "2027-01-01".into();
    assert!(in_force(&denial, today), "renewed");
}
