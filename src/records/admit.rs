//! Admission: the checks every record passes before the store may see it (DESIGN §5.1).
//! Remote records go through `admit_remote`; local puts through `check_local_put` before
//! our node signs them.

use std::sync::RwLock;
use std::time::Duration;

use crate::crypto::{KeyStatus, Keyring};
use crate::error::{Error, Refusal, Result};
use prost::Message as _;

use crate::proto::record_body::Kind;
use crate::proto::{KeyAnnouncement, RecordBody, RecordHeader, SignedRecord};
use crate::records::{Collection, Envelope, Federation, hlc, validate};

/// A bound on a header's encoding besides its strings: tags, lengths, varints, key id.
const HEADER_OVERHEAD: usize = 160;

/// What admission needs to know; built once from config (`Config::policy`).
pub struct Policy {
    /// Who we are, and who may read and write which collection.
    pub federation: Federation,
    /// Members' keys: from config, plus what `_keys` announcements taught us since.
    keyring: RwLock<Keyring>,
    pub limits: AdmissionLimits,
}

/// The bounds admission enforces.
#[derive(Debug, Clone, Copy)]
pub struct AdmissionLimits {
    pub max_record_bytes: usize,
    pub max_clock_skew: Duration,
    /// Config `clock_ahead`: how far our wall clock is (deliberately) skewed.
    pub clock_ahead: Duration,
}

impl Policy {
    pub fn new(federation: Federation, keyring: Keyring, limits: AdmissionLimits) -> Self {
        Policy {
            federation,
            keyring: RwLock::new(keyring),
            limits,
        }
    }

    /// Our own agency.
    pub fn agency(&self) -> &str {
        self.federation.us()
    }

    /// Full admission of a record received from a peer (or relayed through one).
    pub fn admit_remote(&self, signed: SignedRecord, now: u64) -> Result<Envelope> {
        let envelope = Envelope::open(signed, self.limits.max_record_bytes)?;
        let header = envelope.header();
        let collection = self.federation.held_or_refuse(&header.collection)?;
        self.keyring().verify(
            &header.author,
            &header.key_id,
            header.hlc,
            &envelope.signed.record,
            &envelope.signed.signature,
        )?;
        collection.check_write(&header.author, &header.id)?;
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
        hlc::check_skew(header.hlc, now, self.limits.max_clock_skew)?;
        match (&envelope.record.body, header.tombstone) {
            (Some(RecordBody { kind: None }) | None, true) => {}
            (_, true) => return Err(Error::refused(Refusal::Malformed, "a tombstone carries no body")),
            (body, false) => {
                check_body(collection, body.as_ref())?;
                self.check_binding(&header.author, &header.id, body.as_ref())?;
            }
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
        if let Some(built_in) = self.federation.held(collection).filter(|c| c.kind.is_built_in()) {
            return Err(Error::refused(
                Refusal::NotWriter,
                format!(
                    "the {} collection is written by the node's own workflows (fedctl keys rotate, fedctl consult) only",
                    built_in.name
                ),
            ));
        }
        self.check_own_write(collection, id, body)
    }

    /// The checks for a record our node writes, built-in kinds included, before we sign it.
    pub fn check_own_write(&self, collection: &str, id: &str, body: &RecordBody) -> Result<()> {
        let collection = self.check_local_write(collection, id)?;
        check_body(collection, Some(body))?;
        self.check_binding(self.agency(), id, Some(body))?;
        // Refuse here, before anything is stored, what would exceed the limit once signed.
        let size = body.encoded_len() + collection.name.len() + id.len() + self.agency().len() + HEADER_OVERHEAD;
        if size > self.limits.max_record_bytes {
            return Err(Error::refused(
                Refusal::Oversize,
                format!(
                    "the record would be about {size} bytes, the limit is {}",
                    self.limits.max_record_bytes
                ),
            ));
        }
        Ok(())
    }

    /// What ties a built-in record's content to who signed it under which id: a sealing key
    /// is announced by its agency under `<agency>/<key id>`; a grant notice names its author
    /// as the granting authority; a consultation step is written by one of its two
    /// authorities, both members, under `<author>/<consultation>/…`.
    fn check_binding(&self, author: &str, id: &str, body: Option<&RecordBody>) -> Result<()> {
        let refuse = |detail: String| Err(Error::refused(Refusal::InvalidContent, detail));
        match body.and_then(|b| b.kind.as_ref()) {
            Some(Kind::SealingKey(key)) if id != format!("{author}/{}", key.key_id) => {
                refuse(format!("a sealing key's id is \"{author}/{}\"", key.key_id))
            }
            Some(Kind::GrantNotice(notice)) if notice.granted_by != author => refuse(format!(
                "a grant notice by {author} says it was granted by {}",
                crate::error::excerpt(&notice.granted_by)
            )),
            Some(Kind::SealedStep(step)) => {
                if author != step.requester && author != step.denier {
                    return refuse(format!(
                        "{author} is neither party of consultation {} ({} asks {})",
                        step.consultation, step.requester, step.denier
                    ));
                }
                let members = [&step.requester, &step.denier];
                if let Some(stranger) = members.into_iter().find(|a| !self.federation.is_member(a)) {
                    return refuse(format!("{stranger} is not a member of the federation"));
                }
                if !id.starts_with(&format!("{author}/{}/", step.consultation)) {
                    return refuse(format!(
                        "a consultation step's id is \"{author}/{}/…\"",
                        step.consultation
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// May our agency write this id (a put, a revocation)? Answers the collection.
    pub fn check_local_write(&self, collection: &str, id: &str) -> Result<&Collection> {
        let collection = self.federation.held_or_refuse(collection)?;
        validate::check_id(id)?;
        collection.check_write(self.agency(), id)?;
        Ok(collection)
    }
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

fn check_body(collection: &Collection, body: Option<&RecordBody>) -> Result<()> {
    let body = body.ok_or_else(|| Error::invalid("record body is empty"))?;
    let kind = validate::body_kind(body).ok_or_else(|| Error::invalid("record body is empty"))?;
    if kind != collection.kind {
        return Err(Error::invalid(format!(
            "collection {} holds {} records, not {}",
            collection.name,
            collection.kind.as_str(),
            kind.as_str()
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
        Some(Kind::KeyAnnouncement(_) | Kind::SealingKey(_) | Kind::SealedStep(_) | Kind::GrantNotice(_)) | None => {}
    }
}
