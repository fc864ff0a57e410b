//! `Draft`: the one place where source values become a valid `WatchlistEntry`. Format
//! parsers feed it raw strings; it cleans, resolves, de-duplicates (keeping source order)
//! and enforces the node's limits, turning what it must drop into warnings.

use chrono::NaiveDate;

use crate::proto::{
    Address, EntityType, Identifier, IdentifierType, Name, NameKind, Party, WatchlistEntry, WatchlistStatus,
};

use super::dates::{self, Loose};
use super::text::{self, ID_MAX, NAME_MAX, TEXT_MAX};
use super::{Rejected, Row, country, identifiers};

/// An entry under construction.
pub struct Draft {
    line: usize,
    source_key: String,
    primary: Option<String>,
    others: Vec<Name>,
    pub entity_type: EntityType,
    addresses: Vec<Address>,
    countries: Vec<String>,
    identifiers: Vec<Identifier>,
    birth_dates: Vec<String>,
    pub list: String,
    pub reason: String,
    pub legal_citation: String,
    pub license_requirement: String,
    pub license_policy: String,
    listing_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    pub status: WatchlistStatus,
    source_url: String,
    warnings: Vec<String>,
}

impl Draft {
    /// Starts an entry; refuses a source key that could not become a record id.
    pub fn new(line: usize, raw_key: &str) -> Result<Draft, Rejected> {
        let source_key = text::source_key(raw_key).map_err(|reason| Rejected {
            line,
            source_key: None,
            reason,
        })?;
        Ok(Draft {
            line,
            source_key,
            primary: None,
            others: Vec::new(),
            entity_type: EntityType::Unknown,
            addresses: Vec::new(),
            countries: Vec::new(),
            identifiers: Vec::new(),
            birth_dates: Vec::new(),
            list: String::new(),
            reason: String::new(),
            legal_citation: String::new(),
            license_requirement: String::new(),
            license_policy: String::new(),
            listing_date: None,
            end_date: None,
            status: WatchlistStatus::Active,
            source_url: String::new(),
            warnings: Vec::new(),
        })
    }

    pub fn warn(&mut self, warning: impl Into<String>) {
        self.warnings.push(warning.into());
    }

    /// The entry's main name; a second call is a programming error in a parser, so the
    /// later name is kept as an alias rather than lost.
    pub fn primary_name(&mut self, raw: &str) {
        let name = text::clean(raw);
        match (&self.primary, name.is_empty()) {
            (_, true) => {}
            (None, false) => self.primary = Some(name),
            (Some(_), false) => self.name(&name, NameKind::Alias),
        }
    }

    /// Any other name. Over-long ones are dropped: a cut name would match the wrong party.
    pub fn name(&mut self, raw: &str, kind: NameKind) {
        let full_name = text::clean(raw);
        if full_name.is_empty() {
            return;
        }
        if full_name.len() > NAME_MAX {
            self.warn(format!(
                "name longer than {NAME_MAX} bytes dropped: {:?}...",
                prefix(&full_name)
            ));
            return;
        }
        let known =
            self.primary.as_deref() == Some(full_name.as_str()) || self.others.iter().any(|n| n.full_name == full_name);
        if !known {
            self.others.push(Name {
                full_name,
                kind: kind as i32,
            });
        }
    }

    /// A country code or name; unresolvable values are dropped with a warning.
    pub fn country(&mut self, raw: &str) {
        if let Some(code) = self.resolve_country(raw, "country") {
            push_unique(&mut self.countries, code);
        }
    }

    /// Resolves a country for any field, warning (naming `field`) when it cannot.
    fn resolve_country(&mut self, raw: &str, field: &str) -> Option<String> {
        let value = text::clean(raw);
        if value.is_empty() {
            return None;
        }
        let code = country::resolve(&value);
        if code.is_none() {
            self.warn(format!("{field} {value:?} is not a recognised country, dropped"));
        }
        code.map(str::to_owned)
    }

    /// An address; the country may stay empty when the source gives none usable.
    pub fn address(&mut self, street: &str, city: &str, postal_code: &str, country_raw: &str) {
        let country = self.resolve_country(country_raw, "address country").unwrap_or_default();
        let address = Address {
            street: self.limited("address street", street),
            city: self.limited("address city", city),
            postal_code: self.limited("address postal code", postal_code),
            country,
        };
        if address != Address::default() && !self.addresses.contains(&address) {
            self.addresses.push(address);
        }
    }

    /// An identifier; the issuing country is optional and dropped (with a warning) when
    /// unresolvable, because the number itself is still worth screening on.
    pub fn identifier(&mut self, kind: IdentifierType, raw_value: &str, country_raw: &str) {
        let value = identifiers::canonical_value(kind, &text::clean(raw_value));
        if value.is_empty() {
            return;
        }
        if value.len() > ID_MAX {
            self.warn(format!(
                "identifier longer than {ID_MAX} bytes dropped: {:?}...",
                prefix(&value)
            ));
            return;
        }
        let issuing_country = self
            .resolve_country(country_raw, "identifier country")
            .unwrap_or_default();
        let identifier = Identifier {
            r#type: kind as i32,
            value,
            issuing_country,
        };
        if !self.identifiers.contains(&identifier) {
            self.identifiers.push(identifier);
        }
    }

    /// A date of birth; only a full date is kept (checked against the entity type at the end).
    pub fn birth_date(&mut self, raw: &str) {
        let value = text::clean(raw);
        match dates::loose(&value) {
            Loose::Full(date) => push_unique(&mut self.birth_dates, dates::format(date)),
            Loose::Partial => self.warn(format!("birth date {value:?} is not a full date, dropped")),
            Loose::Unreadable if value.is_empty() => {}
            Loose::Unreadable => self.warn(format!("birth date {value:?} is not a date, dropped")),
        }
    }

    /// The listing date; anything but a full date falls back to the caller's default.
    pub fn listing_date(&mut self, raw: &str) {
        let value = text::clean(raw);
        match dates::loose(&value) {
            Loose::Full(date) => self.listing_date = Some(date),
            _ if value.is_empty() => {}
            _ => self.warn(format!("listing date {value:?} is not a full date, default used")),
        }
    }

    /// The end date; dropped when it is not a full date.
    pub fn end_date(&mut self, raw: &str) {
        let value = text::clean(raw);
        match dates::loose(&value) {
            Loose::Full(date) => self.end_date = Some(date),
            _ if value.is_empty() => {}
            _ => self.warn(format!("end date {value:?} is not a full date, dropped")),
        }
    }

    /// The first http(s) URL offered wins; the node refuses any other scheme.
    pub fn source_url(&mut self, raw: &str) {
        let url = raw.trim();
        if url.is_empty() || !self.source_url.is_empty() {
            return;
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            self.warn(format!("source URL {url:?} is not an http(s) URL, dropped"));
            return;
        }
        if url.len() > TEXT_MAX {
            self.warn(format!("source URL longer than {TEXT_MAX} bytes dropped"));
            return;
        }
        self.source_url = url.to_owned();
    }

    /// Cleans a free-text value and cuts it to `TEXT_MAX`, warning when it had to cut.
    fn limited(&mut self, field: &str, raw: &str) -> String {
        let value = text::clean(raw);
        match text::truncate(&value, TEXT_MAX) {
            Some(cut) => {
                self.warn(format!("{field} truncated to {TEXT_MAX} bytes"));
                cut
            }
            None => value,
        }
    }

    /// Completes the entry, or says why it cannot be imported.
    pub fn finish(mut self, default_listing: NaiveDate) -> Result<Row, Rejected> {
        let primary = match self.primary.take() {
            Some(name) if name.len() > NAME_MAX => {
                return Err(self.reject(format!("name longer than {NAME_MAX} bytes")));
            }
            Some(name) => name,
            None => return Err(self.reject("the entry has no name")),
        };
        let entry = self.assemble(primary, default_listing)?;
        super::check_content(&entry).map_err(|reason| self.reject(reason))?;
        Ok(Row {
            line: self.line,
            source_key: self.source_key,
            entry,
            warnings: self.warnings,
        })
    }

    fn assemble(&mut self, primary: String, default_listing: NaiveDate) -> Result<WatchlistEntry, Rejected> {
        let list = self.list_name()?;
        let listed = self.listing_date.unwrap_or(default_listing);
        let end_date = self.checked_end_date(listed);
        let party = self.party(primary);
        Ok(WatchlistEntry {
            list,
            party: Some(party),
            reason: self.limited_field("reason", self.reason.clone()),
            legal_citation: self.limited_field("legal citation", self.legal_citation.clone()),
            license_requirement: self.limited_field("license requirement", self.license_requirement.clone()),
            license_policy: self.limited_field("license policy", self.license_policy.clone()),
            listing_date: dates::format(listed),
            end_date,
            status: self.status as i32,
            source_url: std::mem::take(&mut self.source_url),
        })
    }

    fn list_name(&mut self) -> Result<String, Rejected> {
        let list = text::clean(&self.list);
        if list.is_empty() {
            return Err(self.reject("the entry has no list name"));
        }
        match text::truncate(&list, ID_MAX) {
            Some(cut) => {
                self.warn(format!("list name truncated to {ID_MAX} bytes"));
                Ok(cut)
            }
            None => Ok(list),
        }
    }

    fn checked_end_date(&mut self, listed: NaiveDate) -> String {
        match self.end_date {
            Some(end) if end < listed => {
                self.warn(format!("end date {end} is before the listing date {listed}, dropped"));
                String::new()
            }
            Some(end) => dates::format(end),
            None => String::new(),
        }
    }

    fn party(&mut self, primary: String) -> Party {
        if !self.birth_dates.is_empty() && self.entity_type != EntityType::Person {
            self.warn("birth dates dropped: the entry is not a person");
            self.birth_dates.clear();
        }
        let mut names = vec![Name {
            full_name: primary,
            kind: NameKind::Primary as i32,
        }];
        names.append(&mut self.others);
        Party {
            names,
            entity_type: self.entity_type as i32,
            addresses: std::mem::take(&mut self.addresses),
            countries: std::mem::take(&mut self.countries),
            identifiers: std::mem::take(&mut self.identifiers),
            birth_dates: std::mem::take(&mut self.birth_dates),
        }
    }

    /// Free text kept with its line breaks (remarks read better that way), cut to `TEXT_MAX`.
    fn limited_field(&mut self, field: &str, value: String) -> String {
        let value = value.trim().to_owned();
        match text::truncate(&value, TEXT_MAX) {
            Some(cut) => {
                self.warn(format!("{field} truncated to {TEXT_MAX} bytes"));
                cut
            }
            None => value,
        }
    }

    fn reject(&self, reason: impl Into<String>) -> Rejected {
        Rejected {
            line: self.line,
            source_key: Some(self.source_key.clone()),
            reason: reason.into(),
        }
    }
}

fn push_unique(values: &mut Vec<String>, value: String) {
    if !values.contains(&value) {
        values.push(value);
    }
}

/// The start of a long value, for warnings.
fn prefix(value: &str) -> &str {
    let mut end = value.len().min(40);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    &value[..end]
}
