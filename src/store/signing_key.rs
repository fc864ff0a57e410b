//! Which of our agency's keys signs now: the one `fedctl keys rotate` last made (its id
//! in the store's metadata, its file in the data directory), else the configured one.

use std::path::Path;

use super::{Store, keys, rotated_key_path, storage_error, writer};
use crate::crypto::Signer;
use crate::error::Result;

/// The key our agency signs with, read from an open database.
pub(super) fn signer_in_use(db: &sled::Db, dir: &Path, configured: Signer) -> Result<Signer> {
    match db.get(keys::meta(writer::SIGNING_KEY_META)).map_err(storage_error)? {
        Some(id) if id.as_ref() != configured.key_id().as_bytes() => {
            let id = String::from_utf8_lossy(&id).into_owned();
            Signer::load(&rotated_key_path(dir, &id), &id)
        }
        _ => Ok(configured),
    }
}

impl Store {
    /// The key our agency signs with now, for what the node signs outside records (a
    /// bundle's header). Reads a key file: call it off the async workers.
    pub fn signer(&self, data_dir: &Path, configured: Signer) -> Result<Signer> {
        signer_in_use(&self.disk.db()?, data_dir, configured)
    }
}
