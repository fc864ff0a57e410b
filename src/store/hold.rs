//! The own-write hold at start: a node that cannot know how much of its own streams the
//! federation holds (restored from a copy, or a store with no record of ours: new or
//! wiped) takes no write of its own until a peer has said what it holds of them, or the
//! operator confirms a new agency. Otherwise it could number a write with a sequence
//! number it already published, which peers refuse as equivocation: a record
//! acknowledged here that never reaches them. Decided before the writer starts, kept in
//! the store's metadata so that a restart keeps it; the writer ends it.

use super::{keys, storage_error};
use crate::error::Result;

/// Metadata: why our own writes wait for a peer (`HoldCause`), `[0]` (or absent on a
/// store holding records of ours) once they need not.
pub const HOLD_META: &str = "restored";
const NO_HOLD: u8 = 0;

/// What the operator said at start about what the federation holds of our records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OwnRecordsAtStart {
    /// Nothing: a store without records of ours waits for a peer's heads.
    #[default]
    Unknown,
    /// `fednode --restored`: the store is an older copy; it waits for a peer's heads.
    Restored,
    /// `fednode --new-agency`: the federation holds nothing of ours; no wait.
    NewAgency,
}

/// Why the writer holds our own writes until a peer's heads arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldCause {
    /// Started with `--restored`.
    Restored,
    /// The store held no record of ours, and no peer had said what it holds of them.
    NothingOfOurs,
}

impl HoldCause {
    fn byte(self) -> u8 {
        match self {
            HoldCause::Restored => 1,
            HoldCause::NothingOfOurs => 2,
        }
    }

    /// The hold the store keeps, if any.
    pub fn read(db: &sled::Db) -> Result<Option<HoldCause>> {
        let value = db.get(keys::meta(HOLD_META)).map_err(storage_error)?;
        Ok(match value.as_deref() {
            Some([1]) => Some(HoldCause::Restored),
            Some([2]) => Some(HoldCause::NothingOfOurs),
            _ => None,
        })
    }

    /// What a refused write of ours is told.
    pub fn reason(self) -> &'static str {
        match self {
            HoldCause::Restored => {
                "this node was started as restored from a copy (--restored): writes of our own records \
                 wait until a peer has said how much of them it holds"
            }
            HoldCause::NothingOfOurs => {
                "this node's store holds no record of ours (a new or wiped data directory?) and no peer \
                 has said yet how much of them it holds: writes of our own records wait until a peer \
                 answers; for a new agency whose peers are down, start once with --new-agency"
            }
        }
    }
}

/// The metadata value that ends a hold (`Writer` writes it once a peer was heard).
pub fn no_hold() -> Vec<u8> {
    vec![NO_HOLD]
}

/// Decides the hold at open, from what the operator said and what the store holds, and
/// writes it (flushed, so that a restart before a peer answers still waits).
pub fn settle_at_open(db: &sled::Db, agency: &str, said: OwnRecordsAtStart) -> Result<()> {
    let decided = db.get(keys::meta(HOLD_META)).map_err(storage_error)?.is_some();
    let holds_ours = holds_records_of(db, agency)?;
    let value = match said {
        OwnRecordsAtStart::Restored => {
            tracing::info!(
                "started as restored from a copy: writes of our own records wait until a peer has said what it holds"
            );
            HoldCause::Restored.byte()
        }
        OwnRecordsAtStart::NewAgency if holds_ours => {
            tracing::warn!("--new-agency ignored: this store already holds records of ours");
            return Ok(());
        }
        OwnRecordsAtStart::NewAgency => {
            tracing::info!("started as a new agency (--new-agency): our writes are numbered from #1");
            NO_HOLD
        }
        OwnRecordsAtStart::Unknown if decided || holds_ours => return Ok(()),
        OwnRecordsAtStart::Unknown => {
            tracing::warn!("{}", HoldCause::NothingOfOurs.reason());
            HoldCause::NothingOfOurs.byte()
        }
    };
    db.insert(keys::meta(HOLD_META), vec![value]).map_err(storage_error)?;
    db.flush().map_err(storage_error)?;
    Ok(())
}

/// Whether the store holds any record `agency` authored (its version vector says so).
fn holds_records_of(db: &sled::Db, agency: &str) -> Result<bool> {
    for item in db.scan_prefix([keys::VERSION_VECTOR]) {
        let (key, value) = item.map_err(storage_error)?;
        let ours = keys::parse_version_vector(&key).is_some_and(|stream| stream.author == agency);
        if ours && keys::be_u64(&value).is_some_and(|seq| seq > 0) {
            return Ok(true);
        }
    }
    Ok(false)
}
