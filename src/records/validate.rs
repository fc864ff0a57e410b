//! Content validation of record bodies (DESIGN: record kinds) and the defaults our node
//! fills into a local put before signing. Validation applies to every record, ours and
//! received; normalisation only to our own puts, since received bytes are signed.

use std::fmt;

use chrono::{Months, NaiveDate};

use crate::error::{Error, Result};
use crate::proto::record_body::Kind;
use crate::proto::{
    Address, CheckOutcome, CheckReason, CheckStatus, CheckType, DenialAction, DenialStatus, EndUseCheck, EntityType,
    FollowUp, IdentifierType, LicenseDenial, NameKind, Party, RecordBody, Regime, WatchlistEntry, WatchlistStatus,
};

/// Ids, references, list names, control-list entries, identifier values.
pub const ID_MAX: usize = 256;
/// A party's full name.
pub const NAME_MAX: usize = 512;
/// Everything else: reasons, descriptions, citations, addresses, quantities, URLs.
pub const TEXT_MAX: usize = 8192;
/// Denials come up for review three years after the decision unless the issuer says otherwise.
const REVIEW_MONTHS: u32 = 36;

/// The kind of a body as collections name it, `None` for an empty body (a tombstone).
pub fn body_kind(body: &RecordBody) -> Option<&'static str> {
    Some(match body.kind.as_ref()? {
        Kind::WatchlistEntry(_) => "watchlist_entry",
        Kind::LicenseDenial(_) => "license_denial",
        Kind::EndUseCheck(_) => "end_use_check",
        Kind::KeyAnnouncement(_) => "key_announcement",
    })
}

/// A record id: what stores key on and what logs print, so nothing invisible or ambiguous.
pub fn check_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid("id is empty"));
    }
    if id.len() > ID_MAX {
        return Err(Error::invalid(format!(
            "id is {} bytes, at most {ID_MAX} are allowed",
            id.len()
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(Error::invalid(format!("id {id:?} contains a control character")));
    }
    if id.trim() != id {
        return Err(Error::invalid(format!("id {id:?} has leading or trailing whitespace")));
    }
    Ok(())
}

/// Parses a strict ISO 8601 calendar date, YYYY-MM-DD (chrono alone would accept "2026-3-4").
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate> {
    parse_date_at(field, value)
}

fn parse_date_at(field: impl fmt::Display, value: &str) -> Result<NaiveDate> {
    if value.is_empty() {
        return Err(Error::invalid(format!("{field} is empty")));
    }
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Error::invalid(format!("{field} {value:?} is not a valid date (YYYY-MM-DD)")))
}

/// Full content validation of a non-tombstone body.
pub fn validate_body(body: &RecordBody) -> Result<()> {
    match &body.kind {
        None => Err(Error::invalid("record body is empty")),
        Some(Kind::WatchlistEntry(entry)) => check_watchlist_entry(entry),
        Some(Kind::LicenseDenial(denial)) => check_license_denial(denial),
        Some(Kind::EndUseCheck(check)) => check_end_use_check(check),
        Some(Kind::KeyAnnouncement(announcement)) => check_key_announcement(announcement),
    }
}

fn check_key_announcement(announcement: &crate::proto::KeyAnnouncement) -> Result<()> {
    check_id(&announcement.key_id).map_err(|e| Error::invalid(format!("key_id: {e}")))?;
    check_id(&announcement.previous_key_id).map_err(|e| Error::invalid(format!("previous_key_id: {e}")))?;
    if announcement.key_id == announcement.previous_key_id {
        return Err(Error::invalid("key_id and previous_key_id are the same"));
    }
    crate::crypto::Keyring::default()
        .add(
            "check",
            "check",
            &announcement.public_key,
            crate::crypto::KeyStatus::Active,
        )
        .map_err(|e| Error::invalid(format!("public_key: {e}")))
}

/// Fills the defaults a careful operator expects; applied to our own puts before signing.
pub fn normalize_body(body: &mut RecordBody) {
    match &mut body.kind {
        None | Some(Kind::KeyAnnouncement(_)) => {}
        Some(Kind::WatchlistEntry(entry)) => {
            default_status(&mut entry.status, WatchlistStatus::Active as i32);
            entry.party.iter_mut().for_each(normalize_party);
        }
        Some(Kind::LicenseDenial(denial)) => {
            default_status(&mut denial.status, DenialStatus::Active as i32);
            if denial.review_due_date.is_empty()
                && let Ok(decided) = parse_date("decision_date", &denial.decision_date)
                && let Some(due) = decided.checked_add_months(Months::new(REVIEW_MONTHS))
            {
                denial.review_due_date = due.format("%Y-%m-%d").to_string();
            }
            normalize_country(&mut denial.destination_country);
            let parties = denial.consignee.iter_mut().chain(&mut denial.end_user);
            parties.chain(&mut denial.intermediaries).for_each(normalize_party);
        }
        Some(Kind::EndUseCheck(check)) => {
            default_status(&mut check.status, CheckStatus::Active as i32);
            check.parties.iter_mut().for_each(normalize_party);
            if let Some(site) = &mut check.site_address {
                normalize_country(&mut site.country);
            }
        }
    }
}

fn default_status(status: &mut i32, active: i32) {
    if *status == 0 {
        *status = active;
    }
}

fn normalize_party(party: &mut Party) {
    for name in &mut party.names {
        name.full_name = name.full_name.trim().to_owned();
    }
    party.countries.iter_mut().for_each(normalize_country);
    party
        .addresses
        .iter_mut()
        .for_each(|a| normalize_country(&mut a.country));
    party
        .identifiers
        .iter_mut()
        .for_each(|i| normalize_country(&mut i.issuing_country));
}

fn normalize_country(code: &mut String) {
    *code = code.trim().to_ascii_uppercase();
}

// ---------------------------------------------------------------------------------------
// Field paths: built on the stack as validation descends, formatted only on error.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Segment {
    Field(&'static str),
    Index(usize),
}

#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment,
}

impl<'a> Path<'a> {
    fn root(name: &'static str) -> Self {
        Path {
            parent: None,
            segment: Segment::Field(name),
        }
    }

    fn field(&'a self, name: &'static str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Field(name),
        }
    }

    fn at(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    fn error(self, problem: impl fmt::Display) -> Error {
        Error::invalid(format!("{self} {problem}"))
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}")?;
        }
        match (self.segment, self.parent) {
            (Segment::Field(name), None) => f.write_str(name),
            (Segment::Field(name), Some(_)) => write!(f, ".{name}"),
            (Segment::Index(i), _) => write!(f, "[{i}]"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Field checks
// ---------------------------------------------------------------------------------------

/// A required string: not blank, at most `max` characters.
fn require_text(path: Path, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(path.error("is empty"));
    }
    check_len(path, value, max)
}

/// An optional string: at most `max` characters.
fn check_len(path: Path, value: &str, max: usize) -> Result<()> {
    // Byte length bounds the char count; count chars only when it might matter.
    if value.len() > max && value.chars().count() > max {
        return Err(path.error(format_args!("is longer than {max} characters")));
    }
    Ok(())
}

fn require<'m, T>(path: Path, message: &'m Option<T>) -> Result<&'m T> {
    message.as_ref().ok_or_else(|| path.error("is missing"))
}

/// An enum field whose value this node knows (UNSPECIFIED included).
fn check_enum<E: TryFrom<i32>>(path: Path, value: i32) -> Result<E> {
    E::try_from(value).map_err(|_| path.error(format_args!("has unknown value {value}")))
}

/// An enum field that must be set: known and not UNSPECIFIED (always 0 in fedx.proto).
fn require_enum<E: TryFrom<i32>>(path: Path, value: i32) -> Result<E> {
    if value == 0 {
        return Err(path.error("is unspecified"));
    }
    check_enum(path, value)
}

/// An ISO 3166-1 alpha-2 code, exactly as the standard spells it (upper case).
fn check_country(path: Path, code: &str) -> Result<()> {
    if code.is_empty() {
        return Err(path.error("is empty"));
    }
    if isocountry::CountryCode::for_alpha2(code).is_err() {
        return Err(path.error(format_args!("{code:?} is not an ISO 3166-1 alpha-2 code")));
    }
    Ok(())
}

fn require_date(path: Path, value: &str) -> Result<NaiveDate> {
    parse_date_at(path, value)
}

/// An optional date that, when set, may not precede `earliest` (found at `earliest_path`).
fn check_date_after(path: Path, value: &str, earliest_path: Path, earliest: NaiveDate) -> Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let date = require_date(path, value)?;
    if date < earliest {
        return Err(path.error(format_args!("{value} is before {earliest_path} {earliest}")));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Parties and the three record kinds
// ---------------------------------------------------------------------------------------

fn check_party(p: Path, party: &Party) -> Result<()> {
    let names = p.field("names");
    if party.names.is_empty() {
        return Err(names.error("is empty"));
    }
    let mut primaries = 0;
    for (i, name) in party.names.iter().enumerate() {
        let n = names.at(i);
        require_text(n.field("full_name"), &name.full_name, NAME_MAX)?;
        if require_enum::<NameKind>(n.field("kind"), name.kind)? == NameKind::Primary {
            primaries += 1;
        }
    }
    if primaries != 1 {
        return Err(names.error(format_args!(
            "has {primaries} names of kind NAME_KIND_PRIMARY, exactly one is required"
        )));
    }
    let entity_type = require_enum::<EntityType>(p.field("entity_type"), party.entity_type)?;

    let countries = p.field("countries");
    for (i, country) in party.countries.iter().enumerate() {
        check_country(countries.at(i), country)?;
    }
    let addresses = p.field("addresses");
    for (i, address) in party.addresses.iter().enumerate() {
        check_address(addresses.at(i), address)?;
    }
    let identifiers = p.field("identifiers");
    for (i, identifier) in party.identifiers.iter().enumerate() {
        let id = identifiers.at(i);
        require_enum::<IdentifierType>(id.field("type"), identifier.r#type)?;
        require_text(id.field("value"), &identifier.value, ID_MAX)?;
        if !identifier.issuing_country.is_empty() {
            check_country(id.field("issuing_country"), &identifier.issuing_country)?;
        }
    }

    let birth_dates = p.field("birth_dates");
    if !party.birth_dates.is_empty() && entity_type != EntityType::Person {
        return Err(birth_dates.error(format_args!(
            "is only allowed for ENTITY_TYPE_PERSON, not {}",
            entity_type.as_str_name()
        )));
    }
    for (i, date) in party.birth_dates.iter().enumerate() {
        require_date(birth_dates.at(i), date)?;
    }
    Ok(())
}

fn check_address(p: Path, address: &Address) -> Result<()> {
    check_len(p.field("street"), &address.street, TEXT_MAX)?;
    check_len(p.field("city"), &address.city, TEXT_MAX)?;
    check_len(p.field("postal_code"), &address.postal_code, TEXT_MAX)?;
    if *address == Address::default() {
        return Err(p.error("is empty"));
    }
    // Published lists often give an address without a resolvable country.
    if address.country.is_empty() {
        return Ok(());
    }
    check_country(p.field("country"), &address.country)
}

/// The content rules for a watchlist entry (also used by import, to refuse a row early).
pub fn check_watchlist_entry(entry: &WatchlistEntry) -> Result<()> {
    let p = Path::root("watchlist_entry");
    require_text(p.field("list"), &entry.list, ID_MAX)?;
    let party = p.field("party");
    check_party(party, require(party, &entry.party)?)?;
    check_len(p.field("reason"), &entry.reason, TEXT_MAX)?;
    check_len(p.field("legal_citation"), &entry.legal_citation, TEXT_MAX)?;
    check_len(p.field("license_requirement"), &entry.license_requirement, TEXT_MAX)?;
    check_len(p.field("license_policy"), &entry.license_policy, TEXT_MAX)?;
    let listing_path = p.field("listing_date");
    let listed = require_date(listing_path, &entry.listing_date)?;
    check_date_after(p.field("end_date"), &entry.end_date, listing_path, listed)?;
    require_enum::<WatchlistStatus>(p.field("status"), entry.status)?;

    let url = p.field("source_url");
    check_len(url, &entry.source_url, TEXT_MAX)?;
    let url_ok = ["https://", "http://"].iter().any(|s| entry.source_url.starts_with(s));
    if !entry.source_url.is_empty() && !url_ok {
        return Err(url.error(format_args!("{:?} is not an http(s) URL", entry.source_url)));
    }
    Ok(())
}

fn check_license_denial(denial: &LicenseDenial) -> Result<()> {
    let p = Path::root("license_denial");
    require_text(p.field("reference"), &denial.reference, ID_MAX)?;
    require_enum::<Regime>(p.field("regime"), denial.regime)?;
    require_enum::<DenialAction>(p.field("action"), denial.action)?;

    let entries = p.field("control_list_entries");
    if denial.control_list_entries.is_empty() {
        return Err(entries.error("is empty"));
    }
    for (i, entry) in denial.control_list_entries.iter().enumerate() {
        let e = entries.at(i);
        require_text(e, entry, ID_MAX)?;
        if entry.chars().any(char::is_whitespace) {
            return Err(e.error(format_args!("{entry:?} contains whitespace")));
        }
    }

    require_text(p.field("item_description"), &denial.item_description, TEXT_MAX)?;
    check_len(p.field("quantity"), &denial.quantity, TEXT_MAX)?;
    check_len(p.field("value"), &denial.value, TEXT_MAX)?;
    check_country(p.field("destination_country"), &denial.destination_country)?;

    let consignee = p.field("consignee");
    check_party(consignee, require(consignee, &denial.consignee)?)?;
    if let Some(end_user) = &denial.end_user {
        check_party(p.field("end_user"), end_user)?;
    }
    let intermediaries = p.field("intermediaries");
    for (i, party) in denial.intermediaries.iter().enumerate() {
        check_party(intermediaries.at(i), party)?;
    }

    check_len(p.field("stated_end_use"), &denial.stated_end_use, TEXT_MAX)?;
    check_len(p.field("reason"), &denial.reason, TEXT_MAX)?;
    let decision_path = p.field("decision_date");
    let decided = require_date(decision_path, &denial.decision_date)?;
    check_date_after(
        p.field("review_due_date"),
        &denial.review_due_date,
        decision_path,
        decided,
    )?;
    require_enum::<DenialStatus>(p.field("status"), denial.status)?;
    Ok(())
}

fn check_end_use_check(check: &EndUseCheck) -> Result<()> {
    let p = Path::root("end_use_check");
    require_enum::<CheckType>(p.field("check_type"), check.check_type)?;
    require_text(p.field("license_reference"), &check.license_reference, ID_MAX)?;

    let parties = p.field("parties");
    if check.parties.is_empty() {
        return Err(parties.error("is empty"));
    }
    for (i, party) in check.parties.iter().enumerate() {
        check_party(parties.at(i), party)?;
    }
    let items = p.field("items");
    for (i, item) in check.items.iter().enumerate() {
        check_len(items.at(i), item, TEXT_MAX)?;
    }
    if let Some(site) = &check.site_address {
        check_address(p.field("site_address"), site)?;
    }
    require_date(p.field("conducted_date"), &check.conducted_date)?;

    let outcome = require_enum::<CheckOutcome>(p.field("outcome"), check.outcome)?;
    let reason_path = p.field("reason");
    let reason = check_enum::<CheckReason>(reason_path, check.reason)?;
    // A reason explains a negative finding; a favourable one has nothing to explain.
    match (outcome, reason) {
        (CheckOutcome::Favorable, r) if r != CheckReason::Unspecified => {
            return Err(reason_path.error(format_args!(
                "must be CHECK_REASON_UNSPECIFIED when outcome is CHECK_OUTCOME_FAVORABLE, not {}",
                r.as_str_name()
            )));
        }
        (CheckOutcome::Unfavorable, CheckReason::Unspecified) => {
            return Err(reason_path.error("is required when outcome is CHECK_OUTCOME_UNFAVORABLE"));
        }
        _ => {}
    }
    require_enum::<FollowUp>(p.field("follow_up"), check.follow_up)?;
    require_enum::<CheckStatus>(p.field("status"), check.status)?;
    Ok(())
}

#[cfg(test)]
mod tests {
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
        assert_eq!(body_kind(&body(Kind::WatchlistEntry(entry()))), Some("watchlist_entry"));
        assert_eq!(body_kind(&body(Kind::LicenseDenial(denial()))), Some("license_denial"));
        assert_eq!(body_kind(&body(Kind::EndUseCheck(check()))), Some("end_use_check"));
    }
}
