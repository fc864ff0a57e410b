//! Content validation of record bodies (docs/design.md, "Records and collections") and
//! the defaults our node fills into a local put before signing. Validation applies to
//! every record, ours and received; normalisation only to our own puts, since received
//! bytes are signed.

use std::fmt;

use chrono::{Months, NaiveDate};

use crate::error::{Error, Result};
use crate::proto::record_body::Kind;
use crate::proto::{
    Address, Application, CheckOutcome, CheckReason, CheckStatus, CheckType, DenialAction, DenialStatus, EndUseCheck,
    EntityType, FollowUp, IdentifierType, LicenseDenial, NameKind, Party, RecordBody, Regime, WatchlistEntry,
    WatchlistStatus,
};
use crate::records::RecordKind;

/// Ids, references, list names, control-list entries, identifier values.
pub const ID_MAX: usize = 256;
/// A party's full name.
pub const NAME_MAX: usize = 512;
/// Everything else: reasons, descriptions, citations, addresses, quantities, URLs.
pub const TEXT_MAX: usize = 8192;
/// Denials come up for review three years after the decision unless the issuer says otherwise.
pub const REVIEW_MONTHS: u32 = 36;

/// The kind of a body, `None` for an empty body (a tombstone).
pub fn body_kind(body: &RecordBody) -> Option<RecordKind> {
    Some(match body.kind.as_ref()? {
        Kind::WatchlistEntry(_) => RecordKind::WatchlistEntry,
        Kind::LicenseDenial(_) => RecordKind::LicenseDenial,
        Kind::EndUseCheck(_) => RecordKind::EndUseCheck,
        Kind::KeyAnnouncement(_) => RecordKind::KeyAnnouncement,
        Kind::SealingKey(_) => RecordKind::SealingKey,
        Kind::SealedStep(_) => RecordKind::ConsultationStep,
        Kind::GrantNotice(_) => RecordKind::GrantNotice,
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
        Some(Kind::SealingKey(key)) => consult::check_sealing_key(key),
        Some(Kind::SealedStep(step)) => consult::check_sealed_step(step),
        Some(Kind::GrantNotice(notice)) => consult::check_grant_notice(notice),
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
        None | Some(Kind::KeyAnnouncement(_) | Kind::SealingKey(_) | Kind::SealedStep(_) | Kind::GrantNotice(_)) => {}
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

/// A whole party given to `Screen`: the rules of a party in a record, and at most
/// `SCREENED_NAMES_MAX` names (each is a full screening).
pub fn check_screened_party(party: &Party) -> Result<()> {
    let p = Path::root("party");
    if party.names.len() > SCREENED_NAMES_MAX {
        return Err(p
            .field("names")
            .error(format_args!("has more than {SCREENED_NAMES_MAX} names")));
    }
    check_party(p, party)
}

/// Names a screened party may have: more than any listing gives one party.
pub const SCREENED_NAMES_MAX: usize = 32;

/// The content rules of a proposed transaction (`fedctl check`): the parties obey the
/// same rules as in a denial, and there is a consignee or an end user to compare.
pub fn check_application(application: &Application) -> Result<()> {
    let p = Path::root("application");
    require_text(p.field("reference"), &application.reference, ID_MAX)?;
    let entries = p.field("control_list_entries");
    for (i, entry) in application.control_list_entries.iter().enumerate() {
        require_text(entries.at(i), entry, ID_MAX)?;
    }
    check_len(p.field("item_description"), &application.item_description, TEXT_MAX)?;
    check_len(p.field("quantity"), &application.quantity, TEXT_MAX)?;
    check_len(p.field("value"), &application.value, TEXT_MAX)?;
    check_country(p.field("destination_country"), &application.destination_country)?;
    if application.consignee.is_none() && application.end_user.is_none() {
        return Err(p.error("names neither a consignee nor an end user"));
    }
    if let Some(consignee) = &application.consignee {
        check_party(p.field("consignee"), consignee)?;
    }
    if let Some(end_user) = &application.end_user {
        check_party(p.field("end_user"), end_user)?;
    }
    let intermediaries = p.field("intermediaries");
    for (i, party) in application.intermediaries.iter().enumerate() {
        check_party(intermediaries.at(i), party)?;
    }
    check_len(p.field("stated_end_use"), &application.stated_end_use, TEXT_MAX)
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

mod consult;
#[cfg(test)]
mod tests;
