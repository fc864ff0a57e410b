//! How the writer makes each commit unit atomic without `apply_batch`.
//!
//! sled's `apply_batch` is atomic, but it takes a process-wide lock exclusively that
//! sled's flush holds (shared) through its whole write and sync: the writer could not
//! apply a group while the previous one was being flushed. Plain inserts take that lock
//! shared, so they run during a flush. Two properties of sled make them atomic again:
//! one insert is kept whole or not at all, and after a crash sled recovers a prefix of
//! its log (it never recovers a segment whose predecessor was lost: "we must preserve
//! linearizability in the log", sled's `pagecache/segment.rs`). So the writer first
//! writes the unit's writes, all together, as the value of one journal key, then inserts
//! them one by one. After a crash, either the journal entry was lost, and every insert
//! after it with it, or it is there and [`replay`] finishes the unit at open. Units
//! follow each other in one thread, so only the last one can be unfinished.

use sled::IVec;

use super::storage_error;
use crate::error::{Error, Result};

/// The journal's own tree (one log with the store's, so the prefix rule spans both), so
/// that the pages the store's keys live on never carry the journal's large value.
const TREE: &str = "journal";
const ENTRY: &[u8] = b"last unit";

/// A unit whose journal entry would be larger than this is applied with `apply_batch`
/// instead: bulk loads and catch-up batches, whose own size dominates the wait for a
/// flush, and whose entry would be a value sled writes apart (over 128 KiB) and slowly.
pub const MAX_ENTRY_BYTES: usize = 32 * 1024;

/// Writes a unit atomically: its journal entry, then each key in order (a key written
/// twice keeps its last value); a large unit as one batch.
pub fn write(db: &sled::Db, writes: &[(IVec, IVec)]) -> sled::Result<()> {
    let journal = db.open_tree(TREE)?;
    if entry_len(writes) > MAX_ENTRY_BYTES {
        // The previous unit's entry goes first: replayed after this batch, it would
        // write older values over this unit's.
        journal.remove(ENTRY)?;
        let mut batch = sled::Batch::default();
        for (key, value) in writes {
            batch.insert(key, value);
        }
        return db.apply_batch(batch);
    }
    journal.insert(ENTRY, encode(writes))?;
    for (key, value) in writes {
        db.insert(key, value.clone())?;
    }
    Ok(())
}

/// Finishes the last unit if a crash interrupted it (at every open, before anything
/// reads), then drops its journal entry, so that a later open cannot write it again over
/// what was written outside the writer since (the `--restored` hold, for one).
pub fn replay(db: &sled::Db) -> Result<()> {
    let journal = db.open_tree(TREE).map_err(storage_error)?;
    let Some(entry) = journal.get(ENTRY).map_err(storage_error)? else {
        return Ok(());
    };
    let writes = decode(&entry)?;
    for (key, value) in &writes {
        db.insert(key, value.clone()).map_err(storage_error)?;
    }
    journal.remove(ENTRY).map_err(storage_error)?;
    db.flush().map_err(storage_error)?;
    // After a clean stop as after a crash: the entry stays until the next open.
    tracing::debug!(
        writes = writes.len(),
        "wrote the last commit unit again from its journal entry"
    );
    Ok(())
}

fn entry_len(writes: &[(IVec, IVec)]) -> usize {
    writes.iter().map(|(k, v)| 8 + k.len() + v.len()).sum()
}

/// Each write as key length, key, value length, value (lengths as big-endian u32).
fn encode(writes: &[(IVec, IVec)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entry_len(writes));
    for (key, value) in writes {
        for part in [key, value] {
            out.extend_from_slice(&(part.len() as u32).to_be_bytes());
            out.extend_from_slice(part);
        }
    }
    out
}

fn decode(mut bytes: &[u8]) -> Result<Vec<(IVec, IVec)>> {
    fn part(bytes: &mut &[u8]) -> Result<IVec> {
        let damaged = || Error::Internal("the store's commit journal is damaged".into());
        let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(damaged)?;
        let (part, rest) = rest
            .split_at_checked(u32::from_be_bytes(*len) as usize)
            .ok_or_else(damaged)?;
        *bytes = rest;
        Ok(IVec::from(part))
    }
    let mut writes = Vec::new();
    while !bytes.is_empty() {
        let key = part(&mut bytes)?;
        writes.push((key, part(&mut bytes)?));
    }
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(pairs: &[(&str, &str)]) -> Vec<(IVec, IVec)> {
        pairs.iter().map(|(k, v)| (IVec::from(*k), IVec::from(*v))).collect()
    }

    #[test]
    fn an_entry_round_trips_and_a_damaged_one_is_refused() {
        let unit = writes(&[("lA", "record"), ("rA", "winner"), ("e", "")]);
        let entry = encode(&unit);
        assert_eq!(decode(&entry).unwrap(), unit);
        assert_eq!(decode(&[]).unwrap(), vec![]);
        assert!(decode(&entry[..entry.len() - 1]).is_err());
        assert!(decode(&[0, 0, 0, 9, 1]).is_err());
    }

    /// A crash after the journal entry and before the inserts: the next open finishes the
    /// unit, drops the entry, and a later open does not write it again.
    #[test]
    fn the_next_open_finishes_an_interrupted_unit_once() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::Config::new().path(dir.path()).open().unwrap();
            db.insert("rA", "old winner").unwrap();
            let unit = writes(&[("lA", "record"), ("rA", "new winner")]);
            db.open_tree(TREE).unwrap().insert(ENTRY, encode(&unit)).unwrap();
            db.flush().unwrap();
        }
        // Opening as the store does replays the journal.
        let db = super::super::disk::open_db_when_free(dir.path()).unwrap();
        assert_eq!(db.get("lA").unwrap().unwrap(), "record");
        assert_eq!(db.get("rA").unwrap().unwrap(), "new winner");
        assert!(db.open_tree(TREE).unwrap().get(ENTRY).unwrap().is_none());
        db.insert("rA", "written since").unwrap();
        replay(&db).unwrap();
        assert_eq!(db.get("rA").unwrap().unwrap(), "written since");
    }

    /// A unit too large for the journal goes as one batch, and the journal entry of the
    /// unit before it must not outlive it: replayed, it would undo the batch's writes.
    #[test]
    fn a_large_unit_is_one_batch_and_no_earlier_entry_replays_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::disk::open_db_when_free(dir.path()).unwrap();
        write(&db, &writes(&[("vA", "1"), ("lA1", "small")])).unwrap();
        assert!(db.open_tree(TREE).unwrap().get(ENTRY).unwrap().is_some());
        let large = "x".repeat(MAX_ENTRY_BYTES);
        write(&db, &writes(&[("lA2", &large), ("vA", "2")])).unwrap();
        assert_eq!(db.get("lA2").unwrap().unwrap(), large.as_bytes());
        replay(&db).unwrap();
        assert_eq!(db.get("vA").unwrap().unwrap(), "2");
        assert_eq!(db.get("lA1").unwrap().unwrap(), "small");
    }
}
