//! Our sealing keys (one per signing key we ever held: the configured one and each made by
//! `fedctl keys rotate`), and the members' announced public sealing keys.

use std::path::Path;
use std::sync::RwLock;

use crate::crypto::Signer;
use crate::crypto::seal::SealingKey;
use crate::error::Result;
use crate::proto::record_body::Kind;
use crate::records::{Envelope, SEALING_KEYS_COLLECTION};
use crate::store::Store;

/// The sealing keys of our own agency, by key id.
pub struct OwnKeys {
    keys: RwLock<Vec<SealingKey>>,
    configured: Signer,
    rotated_dir: std::path::PathBuf,
}

impl OwnKeys {
    pub fn new(configured: Signer, data_dir: &Path) -> Self {
        let own = OwnKeys {
            keys: RwLock::new(Vec::new()),
            configured,
            rotated_dir: data_dir.join("keys"),
        };
        own.reload();
        own
    }

    /// Reads the rotated keys again (after `fedctl keys rotate`). A key file that does not
    /// load is skipped with a warning: the store refuses to start without its current key.
    pub fn reload(&self) {
        let mut keys = vec![self.configured.sealing_key()];
        let files = std::fs::read_dir(&self.rotated_dir).into_iter().flatten().flatten();
        for file in files {
            let path = file.path();
            let Some(key_id) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            match Signer::load(&path, &key_id) {
                Ok(signer) => keys.push(signer.sealing_key()),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "a rotated signing key does not load"),
            }
        }
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = keys;
    }

    /// Runs `f` with the key of this id, if we hold it.
    pub fn with<T>(&self, key_id: &str, f: impl FnOnce(&SealingKey) -> T) -> Option<T> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        keys.iter().find(|k| k.key_id() == key_id).map(f)
    }

    /// Every (key id, public key) we hold.
    pub fn public_keys(&self) -> Vec<(String, Vec<u8>)> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        keys.iter().map(|k| (k.key_id().to_string(), k.public_key())).collect()
    }
}

/// An agency's newest announced sealing key: (key id, public key).
pub fn announced(store: &Store, agency: &str) -> Result<Option<(String, Vec<u8>)>> {
    let prefix = format!("{agency}/");
    let mut newest: Option<(u64, String, Vec<u8>)> = None;
    store.each(SEALING_KEYS_COLLECTION, &prefix, |envelope| {
        if let Some((key_id, public_key)) = sealing_key(envelope) {
            let hlc = envelope.header().hlc;
            if newest.as_ref().is_none_or(|(at, _, _)| hlc > *at) {
                newest = Some((hlc, key_id, public_key));
            }
        }
    })?;
    Ok(newest.map(|(_, key_id, public_key)| (key_id, public_key)))
}

fn sealing_key(envelope: &Envelope) -> Option<(String, Vec<u8>)> {
    match envelope.record.body.as_ref()?.kind.as_ref()? {
        Kind::SealingKey(key) => Some((key.key_id.clone(), key.public_key.clone())),
        _ => None,
    }
}
