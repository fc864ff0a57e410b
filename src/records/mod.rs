//! Records: the signed envelope, the winner rule, the clock and admission. Domain code: no
//! gRPC, no storage.

pub mod admit;
pub mod federation;
pub mod hlc;
pub mod validate;

pub use admit::{AdmissionLimits, Policy, revoke};
pub use federation::{Collection, Federation};

use prost::Message as _;
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Refusal, Result};
use crate::proto::{Record, RecordHeader, SignedRecord};

/// The schema version this node writes and understands.
pub const SCHEMA_VERSION: u32 = 1;

/// The built-in collection of signing key announcements (`fedctl keys rotate`): every
/// member writes its own (`<AGENCY>/<key id>`) and reads everyone's.
pub const KEYS_COLLECTION: &str = "_keys";

/// The built-in collection of members' public sealing keys (`crypto::seal`).
pub const SEALING_KEYS_COLLECTION: &str = "_sealing_keys";

/// The built-in collection of consultation steps, sealed to their two authorities.
pub const CONSULTATIONS_COLLECTION: &str = "_consultations";

/// The built-in collection of grant notices about the denials of `collection`.
pub fn grants_collection(collection: &str) -> String {
    format!("_grants.{collection}")
}

/// The kinds of record a collection may hold. The last four live in built-in collections
/// only: `_keys`, `_sealing_keys`, `_consultations` and `_grants.<denial collection>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    WatchlistEntry,
    LicenseDenial,
    EndUseCheck,
    KeyAnnouncement,
    SealingKey,
    ConsultationStep,
    GrantNotice,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::WatchlistEntry => "watchlist_entry",
            RecordKind::LicenseDenial => "license_denial",
            RecordKind::EndUseCheck => "end_use_check",
            RecordKind::KeyAnnouncement => "key_announcement",
            RecordKind::SealingKey => "sealing_key",
            RecordKind::ConsultationStep => "consultation_step",
            RecordKind::GrantNotice => "grant_notice",
        }
    }

    /// Kinds that only built-in collections hold, written by the node's own workflows
    /// (`fedctl keys rotate`, `fedctl consult`), never by a plain put.
    pub fn is_built_in(self) -> bool {
        !matches!(
            self,
            RecordKind::WatchlistEntry | RecordKind::LicenseDenial | RecordKind::EndUseCheck
        )
    }
}

/// Who may write which ids of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Ids start with the author's agency and a slash; only that agency writes them.
    #[default]
    Owner,
    /// Any writer may supersede any id.
    Shared,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Owner => "owner",
            Mode::Shared => "shared",
        }
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The winner rule of DESIGN §4: for one (collection, id) the greatest version wins.
/// Field order matters: the derived `Ord` compares hlc, then author, then hash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub hlc: u64,
    pub author: String,
    pub hash: [u8; 32],
}

/// A record with its exact signed bytes and their decoding. The bytes are never
/// re-encoded: what was signed is what is stored and forwarded.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub signed: SignedRecord,
    pub record: Record,
    pub hash: [u8; 32],
}

impl Envelope {
    /// Decodes the record inside an envelope; checks shape, not signature or policy.
    pub fn open(signed: SignedRecord, max_record_bytes: usize) -> Result<Self> {
        if signed.record.len() > max_record_bytes {
            return Err(Error::refused(
                Refusal::Oversize,
                format!(
                    "record is {} bytes, the limit is {max_record_bytes}",
                    signed.record.len()
                ),
            ));
        }
        let record = Record::decode(signed.record.as_slice())
            .map_err(|e| Error::refused(Refusal::Malformed, format!("record bytes do not decode: {e}")))?;
        let header = record
            .header
            .as_ref()
            .ok_or_else(|| Error::refused(Refusal::Malformed, "record has no header"))?;
        check_header(header)?;
        let hash = sha256(&signed.record);
        Ok(Envelope { signed, record, hash })
    }

    /// Decodes an envelope as the store keeps it (encoded `SignedRecord`).
    pub fn from_stored(bytes: &[u8]) -> Result<Self> {
        let signed =
            SignedRecord::decode(bytes).map_err(|e| Error::Internal(format!("stored record does not decode: {e}")))?;
        Self::open(signed, usize::MAX)
    }

    pub fn to_stored(&self) -> Vec<u8> {
        self.signed.encode_to_vec()
    }

    pub fn header(&self) -> &RecordHeader {
        // `open` refuses records without a header.
        self.record.header.as_ref().expect("opened records have a header")
    }

    pub fn version(&self) -> Version {
        let header = self.header();
        Version {
            hlc: header.hlc,
            author: header.author.clone(),
            hash: self.hash,
        }
    }
}

/// `collection/id` of a record, if its bytes decode that far (for audit of refusals).
pub fn key_hint(signed: &SignedRecord) -> String {
    header_of(&signed.record)
        .map(|h| format!("{}/{}", h.collection, h.id))
        .unwrap_or_default()
}

/// The header of encoded record bytes, without decoding the body (which is skipped).
pub fn header_of(record: &[u8]) -> Option<RecordHeader> {
    /// `Record` without its body field.
    #[derive(Clone, PartialEq, prost::Message)]
    struct HeaderOnly {
        #[prost(message, optional, tag = "1")]
        header: Option<RecordHeader>,
    }
    HeaderOnly::decode(record).ok()?.header
}

fn check_header(header: &RecordHeader) -> Result<()> {
    let missing = |field: &str| Error::refused(Refusal::Malformed, format!("header.{field} is missing"));
    if header.collection.is_empty() {
        return Err(missing("collection"));
    }
    if header.author.is_empty() {
        return Err(missing("author"));
    }
    if header.key_id.is_empty() {
        return Err(missing("key_id"));
    }
    if header.seq == 0 {
        return Err(missing("seq"));
    }
    if header.hlc == 0 {
        return Err(missing("hlc"));
    }
    if header.schema_version != SCHEMA_VERSION {
        return Err(Error::refused(
            Refusal::UnknownSchema,
            format!(
                "schema version {} (this node understands {SCHEMA_VERSION})",
                header.schema_version
            ),
        ));
    }
    validate::check_id(&header.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(hlc: u64, author: &str, hash: u8) -> Version {
        Version {
            hlc,
            author: author.into(),
            hash: [hash; 32],
        }
    }

    #[test]
    fn winner_rule_orders_by_time_then_author_then_hash() {
        assert!(version(2, "A", 0) > version(1, "Z", 9));
        assert!(version(1, "B", 0) > version(1, "A", 9));
        assert!(version(1, "A", 2) > version(1, "A", 1));
        // Order-independent: the max of any permutation is the same.
        let mut versions = [version(1, "A", 1), version(3, "B", 0), version(3, "A", 7)];
        let winner = versions.iter().max().cloned();
        versions.reverse();
        assert_eq!(versions.iter().max().cloned(), winner);
        assert_eq!(winner.unwrap().author, "B");
    }

    #[test]
    fn header_of_reads_the_header_and_skips_the_body() {
        let header = RecordHeader {
            collection: "denials".into(),
            id: "DE-BAFA/1".into(),
            author: "DE-BAFA".into(),
            seq: 7,
            ..Default::default()
        };
        let record = Record {
            header: Some(header.clone()),
            body: Some(crate::proto::RecordBody::default()),
        }
        .encode_to_vec();
        assert_eq!(header_of(&record), Some(header));
        assert_eq!(header_of(&record[..record.len() / 2]), None);
        assert_eq!(header_of(b"\xff\xff"), None);
    }

    #[test]
    fn open_refuses_garbage_and_missing_header() {
        let refusal = |bytes: Vec<u8>| match Envelope::open(
            SignedRecord {
                record: bytes,
                signature: vec![],
            },
            1024,
        ) {
            Err(Error::Refused { reason, .. }) => reason,
            other => panic!("expected refusal, got {other:?}"),
        };
        assert_eq!(refusal(vec![0xff, 0xff, 0xff]), Refusal::Malformed);
        assert_eq!(refusal(Record::default().encode_to_vec()), Refusal::Malformed);
        assert_eq!(refusal(vec![0; 2048]), Refusal::Oversize);
    }
}
