//! The value under a record key (`r`): where the winning version sits in the log, with the
//! two fields the winner rule and the digests need. Each version is written once, in the
//! log; deciding a winner, counting and digesting never read the version itself.

use super::keys;
use crate::error::{Error, Result};
use crate::records::{Envelope, Version};

/// On-disk format of this build. Format 1 (no marker) kept a full copy of each winner
/// under `r`; [`upgrade`] rewrites such a store once, at open. Format 3 may hold a
/// commit journal entry that must be replayed before anything reads (`journal.rs`): the
/// marker keeps builds that would not replay it (format 2) from opening the store.
const FORMAT: u8 = 3;
const FORMAT_META: &str = "format";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Winner {
    pub hash: [u8; 32],
    pub hlc: u64,
    /// The version's key in the log (collection, author, seq).
    pub log_key: Vec<u8>,
}

impl Winner {
    pub fn of(envelope: &Envelope) -> Self {
        let header = envelope.header();
        Winner {
            hash: envelope.hash,
            hlc: header.hlc,
            log_key: keys::log(&header.collection, &header.author, header.seq),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(40 + self.log_key.len());
        bytes.extend_from_slice(&self.hash);
        bytes.extend_from_slice(&self.hlc.to_be_bytes());
        bytes.extend_from_slice(&self.log_key);
        bytes
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let malformed = || Error::Internal("a stored winner is malformed".into());
        let (hash, rest) = bytes.split_at_checked(32).ok_or_else(malformed)?;
        let (hlc, log_key) = rest.split_at_checked(8).ok_or_else(malformed)?;
        keys::parse_log(log_key).ok_or_else(malformed)?;
        Ok(Winner {
            hash: hash.try_into().map_err(|_| malformed())?,
            hlc: keys::be_u64(hlc).ok_or_else(malformed)?,
            log_key: log_key.to_vec(),
        })
    }

    /// What the winner rule compares (DESIGN §4).
    pub fn version(&self) -> Version {
        // `decode` checked that the log key parses.
        let author = keys::parse_log(&self.log_key).map_or("", |(_, author, _)| author);
        Version {
            hlc: self.hlc,
            author: author.to_string(),
            hash: self.hash,
        }
    }

    /// The winning version itself, read from the log through `get`.
    pub fn read(&self, get: impl FnOnce(&[u8]) -> Result<Option<sled::IVec>>) -> Result<Envelope> {
        let stored = get(&self.log_key)?.ok_or_else(|| {
            Error::Internal(format!(
                "a winner points at a missing log entry {}",
                String::from_utf8_lossy(&self.log_key)
            ))
        })?;
        Envelope::from_stored(&stored)
    }
}

/// Brings a store written by an earlier build to this format, in one atomic batch.
pub fn upgrade(db: &sled::Db) -> Result<()> {
    let storage = super::storage_error;
    let marker = keys::meta(FORMAT_META);
    match db.get(&marker).map_err(storage)?.as_deref() {
        Some([FORMAT]) => return Ok(()),
        // A format 2 store holds no journal entry: only its marker changes.
        Some([2]) => {
            db.insert(&marker, vec![FORMAT]).map_err(storage)?;
            db.flush().map_err(storage)?;
            return Ok(());
        }
        Some(other) => {
            return Err(Error::FailedPrecondition(format!(
                "the store has format {other:?}; this build reads format {FORMAT}"
            )));
        }
        None => {}
    }
    let mut batch = sled::Batch::default();
    let mut upgraded = 0usize;
    for item in db.scan_prefix([keys::RECORD]) {
        let (key, value) = item.map_err(storage)?;
        let winner = Winner::of(&Envelope::from_stored(&value)?);
        // Every winner was logged; one that is not (an offline edit) is logged now.
        match db.get(&winner.log_key).map_err(storage)? {
            None => batch.insert(winner.log_key.clone(), value),
            Some(logged) if Envelope::from_stored(&logged)?.hash == winner.hash => {}
            Some(_) => {
                return Err(Error::Internal(format!(
                    "cannot upgrade the store: the winner of {} differs from its log entry",
                    String::from_utf8_lossy(&key)
                )));
            }
        }
        batch.insert(key, winner.encode());
        upgraded += 1;
    }
    batch.insert(marker, vec![FORMAT]);
    db.apply_batch(batch).map_err(storage)?;
    db.flush().map_err(storage)?;
    if upgraded > 0 {
        tracing::info!(winners = upgraded, format = FORMAT, "store upgraded");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_format_2_store_takes_the_new_marker_and_an_unknown_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let marker = keys::meta(FORMAT_META);
        db.insert(&marker, vec![2]).unwrap();
        upgrade(&db).unwrap();
        assert_eq!(db.get(&marker).unwrap().unwrap(), [FORMAT]);
        upgrade(&db).unwrap();
        db.insert(&marker, vec![FORMAT + 1]).unwrap();
        let refused = upgrade(&db).unwrap_err().to_string();
        assert!(refused.contains("this build reads format"), "{refused}");
    }

    #[test]
    fn a_winner_round_trips_and_refuses_garbage() {
        let winner = Winner {
            hash: [7; 32],
            hlc: 42 << 16,
            log_key: keys::log("denials", "DE-BAFA", 0x0100),
        };
        let decoded = Winner::decode(&winner.encode()).unwrap();
        assert_eq!(decoded, winner);
        assert_eq!(decoded.version().author, "DE-BAFA");
        assert!(Winner::decode(&winner.encode()[..39]).is_err());
        assert!(Winner::decode(&[0; 60]).is_err());
    }
}
