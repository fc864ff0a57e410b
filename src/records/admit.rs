//! Admission: the checks every record passes before the store may see it (DESIGN §5.1).
//! Remote records go through `admit_remote`; local puts through `check_local_put` before
//! our node signs them.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use crate::config::{CollectionConfig, Config};
use crate::crypto::{KeyStatus, Keyring};
use crate::error::{Error, Refusal, Result};
use prost::Message as _;

use crate::proto::record_body::Kind;
use crate::proto::{KeyAnnouncement, RecordBody, RecordHeader, SignedRecord};
use crate::records::{Envelope, KEYS_COLLECTION, Mode, hlc, validate};

/// A bound on a header's encoding besides its strings: tags, lengths, varints, key id.
const HEADER_OVERHEAD: usize = 160;

/// What admission needs to know; built once from config.
pub struct Policy {
    pub agency: String,
    pub collections: HashMap<String, CollectionConfig>,
    /// Members' keys: from config, plus what `_keys` announcements taught us since.
    keyring: RwLock<Keyring>,
    pub max_record_bytes: usize,
    pub max_clock_skew: Duration,
    /// Config `clock_ahead`: how far our wall clock is (deliberately) skewed.
    pub clock_ahead: Duration,
}

impl Policy {
    pub fn from_config(config: &Config) -> Result<Self> {
        Ok(Policy {
            agency: config.agency.clone(),
            collections: config.collections_by_name(),
            keyring: RwLock::new(config.keyring()?),
            max_record_bytes: config.limits.max_record_bytes,
            max_clock_skew: config.max_clock_skew,
            clock_ahead: config.clock_ahead,
        })
    }

    /// Full admission of a record received from a peer (or relayed through one).
    pub fn admit_remote(&self, signed: SignedRecord, now: u64) -> Result<Envelope> {
        let envelope = Envelope::open(signed, self.max_record_bytes)?;
        let header = envelope.header();
        let collection = self.held_collection(&header.collection)?;
        self.keyring().verify(
            &header.author,
            &header.key_id,
            header.hlc,
            &envelope.signed.record,
            &envelope.signed.signature,
        )?;
        check_write(collection, &header.author, &header.id)?;
        if let Some(Kind::KeyAnnouncement(announcement)) = envelope.record.body.as_ref().and_then(|b| b.kind.as_ref()) {
            check_announcement(header, announcement)?;
            if let Some(KeyStatus::Revoked { .. }) = self.keyring().status(&header.author, &header.key_id) {
                return Err(Error::refused(
                    Refusal::RevokedKey,
                    format!(
                        "key {}/{} is revoked: it announces no key, whatever the announcement's timestamp",
                        header.author, header.key_id
                    ),
                ));
            }
        }
        hlc::check_skew(header.hlc, now, self.max_clock_skew)?;
        match (&envelope.record.body, header.tombstone) {
            (Some(RecordBody { kind: None }) | None, true) => {}
            (_, true) => return Err(Error::refused(Refusal::Malformed, "a tombstone carries no body")),
            (body, false) => check_body(collection, body.as_ref())?,
        }
        Ok(envelope)
    }

    /// The keyring as it stands (read-locked; a rotation holds the write lock briefly).
    pub fn keyring(&self) -> std::sync::RwLockReadGuard<'_, Keyring> {
        self.keyring.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Learns the key a stored `_keys` record announces (the record passed admission or
    /// is our own). Other records are ignored, and so is an announcement whose signing key
    /// is revoked (in config, perhaps since it was stored) or unknown: a revoked key's
    /// holder can stamp an announcement at any time before `revoked_at`, so nothing it
    /// announces is trusted (nor what the keys it announced announce in turn).
    pub fn learn(&self, envelope: &Envelope) -> Result<()> {
        let header = envelope.header();
        let Some(Kind::KeyAnnouncement(a)) = envelope.record.body.as_ref().and_then(|b| b.kind.as_ref()) else {
            return Ok(());
        };
        let mut keyring = self.keyring.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let None | Some(KeyStatus::Revoked { .. }) = keyring.status(&header.author, &header.key_id) {
            tracing::warn!(
                author = %header.author,
                signed_by = %header.key_id,
                key = %a.key_id,
                "not learning a key announced by a revoked or unknown key"
            );
            return Ok(());
        }
        keyring.rotate(&header.author, &a.previous_key_id, &a.key_id, &a.public_key, header.hlc)
    }

    /// The checks for a put from our own operators, before we sign it.
    pub fn check_local_put(&self, collection: &str, id: &str, body: &RecordBody) -> Result<()> {
        if collection == KEYS_COLLECTION {
            return Err(Error::refused(
                Refusal::NotWriter,
                "the _keys collection is written by `fedctl keys rotate` only",
            ));
        }
        self.check_local_write(collection, id)?;
        check_body(&self.collections[collection], Some(body))?;
        // Refuse here, before anything is stored, what would exceed the limit once signed.
        let size = body.encoded_len() + collection.len() + id.len() + self.agency.len() + HEADER_OVERHEAD;
        if size > self.max_record_bytes {
            return Err(Error::refused(
                Refusal::Oversize,
                format!(
                    "the record would be about {size} bytes, the limit is {}",
                    self.max_record_bytes
                ),
            ));
        }
        Ok(())
    }

    /// May our agency write this id (a put, a revocation)?
    pub fn check_local_write(&self, collection: &str, id: &str) -> Result<()> {
        let collection = self.held_collection(collection)?;
        validate::check_id(id)?;
        check_write(collection, &self.agency, id)
    }

    fn held_collection(&self, name: &str) -> Result<&CollectionConfig> {
        self.collections
            .get(name)
            .filter(|c| c.may_read(&self.agency))
            .ok_or_else(|| {
                Error::refused(
                    Refusal::UnknownCollection,
                    format!("no collection {} on this node", crate::error::excerpt(name)),
                )
            })
    }
}

/// The author may write the collection, and in `owner` mode only ids of its own.
fn check_write(collection: &CollectionConfig, author: &str, id: &str) -> Result<()> {
    if !collection.may_write(author) {
        return Err(Error::refused(
            Refusal::NotWriter,
            format!("{author} may not write collection {}", collection.name),
        ));
    }
    if collection.mode == Mode::Owner {
        let own = id.strip_prefix(author).and_then(|rest| rest.strip_prefix('/'));
        if own.is_none_or(str::is_empty) {
            return Err(Error::refused(
                Refusal::ForeignId,
                format!(
                    "collection {} is owner-mode: ids of {author} look like \"{author}/...\", not {id:?}",
                    collection.name
                ),
            ));
        }
    }
    Ok(())
}

/// A key announcement is signed by the key it replaces, under the id `<author>/<new key id>`.
fn check_announcement(header: &RecordHeader, announcement: &KeyAnnouncement) -> Result<()> {
    if header.key_id != announcement.previous_key_id {
        return Err(Error::refused(
            Refusal::InvalidContent,
            "a key announcement must be signed by the key it replaces",
        ));
    }
    if header.id != format!("{}/{}", header.author, announcement.key_id) {
        return Err(Error::refused(
            Refusal::InvalidContent,
            format!(
                "a key announcement's id is \"{}/{}\"",
                header.author, announcement.key_id
            ),
        ));
    }
    Ok(())
}

fn check_body(collection: &CollectionConfig, body: Option<&RecordBody>) -> Result<()> {
    let body = body.ok_or_else(|| Error::invalid("record body is empty"))?;
    let kind = validate::body_kind(body).ok_or_else(|| Error::invalid("record body is empty"))?;
    if kind != collection.kind.as_str() {
        return Err(Error::invalid(format!(
            "collection {} holds {} records, not {kind}",
            collection.name,
            collection.kind.as_str()
        )));
    }
    validate::validate_body(body)
}

/// Sets the status a revocation gives each kind: denial revoked, entry delisted, check
/// withdrawn.
pub fn revoke(body: &mut RecordBody) {
    use crate::proto::record_body::Kind;
    use crate::proto::{CheckStatus, DenialStatus, WatchlistStatus};
    match &mut body.kind {
        Some(Kind::LicenseDenial(d)) => d.status = DenialStatus::Revoked as i32,
        Some(Kind::WatchlistEntry(w)) => w.status = WatchlistStatus::Delisted as i32,
        Some(Kind::EndUseCheck(c)) => c.status = CheckStatus::Withdrawn as i32,
        Some(Kind::KeyAnnouncement(_)) | None => {}
    }
}
