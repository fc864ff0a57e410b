//! A commit unit's writes, in order, readable before they reach sled.

use std::collections::HashMap;

use crate::error::Result;
use crate::records::Envelope;
use crate::store::winner::Winner;
use crate::store::{keys, storage_error};

/// The writes of one commit unit, in order, readable before they reach sled.
/// (`IVec`s are reference-counted: `writes` and `pending` share each value.)
pub(super) struct Tx<'a> {
    db: &'a sled::Db,
    pub(super) writes: Vec<(sled::IVec, sled::IVec)>,
    pending: HashMap<sled::IVec, sled::IVec>,
}

impl<'a> Tx<'a> {
    pub(super) fn new(db: &'a sled::Db) -> Self {
        Tx {
            db,
            writes: Vec::new(),
            pending: HashMap::new(),
        }
    }

    pub(super) fn get(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        if let Some(value) = self.pending.get(key) {
            return Ok(Some(value.clone()));
        }
        self.db.get(key).map_err(storage_error)
    }

    /// Where the current winner of an id is, if it has one.
    pub(super) fn winner(&self, collection: &str, id: &str) -> Result<Option<Winner>> {
        self.get(&keys::record(collection, id))?
            .map(|v| Winner::decode(&v))
            .transpose()
    }

    /// The current winner of an id, read from the log.
    pub(super) fn current(&self, collection: &str, id: &str) -> Result<Option<Envelope>> {
        self.winner(collection, id)?
            .map(|w| w.read(|key| self.get(key)))
            .transpose()
    }

    pub(super) fn contains(&self, key: &[u8]) -> Result<bool> {
        Ok(self.pending.contains_key(key) || self.db.contains_key(key).map_err(storage_error)?)
    }

    pub(super) fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        let (key, value) = (sled::IVec::from(key), sled::IVec::from(value));
        self.writes.push((key.clone(), value.clone()));
        self.pending.insert(key, value);
    }
}
